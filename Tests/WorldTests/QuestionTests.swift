import Testing
import VisionMixCore
@testable import World

@Suite struct QuestionTests {
    static let n = 120

    @Test(arguments: QuestionFamily.allCases)
    func answersAreBalanced(family: QuestionFamily) {
        let qs = QuestionBank.questions(family, purpose: .evaluation, seed: 4, count: Self.n)
        var byIndex: [Int: Int] = [:], byText: [String: Int] = [:]
        for q in qs {
            #expect(q.options.count == family.optionCount)
            #expect(Set(q.optionTexts).count == q.optionTexts.count, "duplicate options in \(q.promptText)")
            byIndex[q.correct, default: 0] += 1
            byText[q.optionTexts[q.correct], default: 0] += 1
        }
        // Always answering the most frequent position, or the most frequent answer, may beat
        // chance by at most 5 points (with slack for sampling noise at n = 120).
        let slack = 0.05 + 1.6 * (family.chance * (1 - family.chance) / Double(Self.n)).squareRoot()
        #expect(Double(byIndex.values.max()!) / Double(Self.n) <= family.chance + slack)
        #expect(Double(byText.values.max()!) / Double(Self.n) <= family.chance + slack)
    }

    @Test func entityHalvesNeverCross() {
        for family in [QuestionFamily.entityName, .entityKind] {
            for q in QuestionBank.questions(family, purpose: .training, seed: 1, count: 200) {
                #expect(q.scene.objects.allSatisfy { Entities.named($0.entity!)!.half == .adaptation })
                if family == .entityName { #expect(q.optionTexts.allSatisfy { Entities.named($0)!.half == .adaptation }) }
            }
            for q in QuestionBank.questions(family, purpose: .evaluation, seed: 1, count: 200) {
                #expect(q.scene.objects.allSatisfy { Entities.named($0.entity!)!.half == .heldOut })
            }
        }
        #expect(Set(Entities.adaptation.map(\.name)).isDisjoint(with: Entities.heldOut.map(\.name)))
        #expect(Entities.all.count >= 48 && Entities.adaptation.count == Entities.heldOut.count)
        #expect(Set(Entities.all.map(\.look)).count == Entities.all.count, "every entity needs a look of its own")
        // Captions train alignment; they must never name a held-out entity.
        let heldOutNames = Set(Entities.heldOut.map(\.name))
        for c in Captions.make(seed: 2, count: 300) {
            #expect(!c.text.split(separator: " ").contains { heldOutNames.contains(String($0)) }, "\(c.text)")
        }
    }

    @Test func mleAreasFallInTheirBins() {
        for (f, lo, hi) in [(QuestionFamily.mleSmall, 0.0, 0.3), (.mleMedium, 0.3, 0.6), (.mleLarge, 0.6, 1.0)] {
            for q in QuestionBank.questions(f, purpose: .evaluation, seed: 3, count: 50) {
                #expect(q.targetArea! >= lo && q.targetArea! <= hi)
            }
        }
    }

    @Test func questionsAreDeterministic() {
        for f in QuestionFamily.allCases {
            let a = QuestionBank.question(f, purpose: .evaluation, seed: 9, index: 3)
            let b = QuestionBank.question(f, purpose: .evaluation, seed: 9, index: 3)
            let c = QuestionBank.question(f, purpose: .evaluation, seed: 10, index: 3)
            #expect(a.scene == b.scene && a.prompt == b.prompt && a.options == b.options && a.correct == b.correct)
            #expect(a.image.pixels == b.image.pixels)
            #expect(a.scene != c.scene || a.options != c.options || a.correct != c.correct)
        }
    }

    @Test func objectsAreDrawnAndDistinguishable() {
        // Every shape of every size draws a different pixel mask, so shape is perceivable.
        for radius in [2, 3, 5] {
            let masks = Shape.allCases.map { s in
                Renderer.render(Scene(objects: [SceneObject(shape: s, colour: .white, radius: radius, x: 8, y: 8)])).pixels
            }
            #expect(Set(masks).count == Shape.allCases.count)
        }
        let img = Renderer.render(Scene(labels: [Label(text: "42", colour: .red, x: 0, y: 0)]))
        #expect(img.pixels.contains { $0 > 0 })
        #expect(Renderer.render(.blank).pixels.allSatisfy { $0 == 0 })
    }

    @Test func pngIsWellFormed() {
        let png = PictureFile.png(Renderer.render(QuestionBank.question(.counting, purpose: .evaluation, seed: 1, index: 0).scene), scale: 4)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(PictureFile.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Array(png.suffix(8)) == [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }
}

@Suite struct LanguageEvalTests {
    @Test(arguments: TextQuestionKind.allCases)
    func textQuestionsAreWellFormedAndBalanced(kind: TextQuestionKind) {
        let n = 120
        let qs = LanguageEval.questions(kind, seed: 1, count: n)
        var byIndex: [Int: Int] = [:]
        for q in qs {
            #expect(q.options.count == 4 && Set(q.optionTexts).count == 4, "\(q.promptText) \(q.optionTexts)")
            byIndex[q.correct, default: 0] += 1
        }
        #expect(Double(byIndex.values.max()!) / Double(n) <= 0.25 + 0.05 + 0.07)
    }

    @Test func heldOutTextDiffersFromTraining() {
        for s in [TextSource.code, .literature] {
            let held = LanguageEval.heldOutText(s, tokens: 500)
            var train = SourceStream(source: s, seed: 0)
            #expect(held.count == 500)
            #expect(Array(train.nextDocument().tokens.prefix(50)) != Array(held.prefix(50)))
        }
    }
}

@Suite struct QuestionSetTests {
    @Test func instructionSetUsesOnlyTheAdaptationHalf() {
        let set = QuestionBank.instructionSet(seed: 1, count: 340)
        #expect(Set(set.map(\.family)).count == QuestionFamily.allCases.count)
        let names = set.flatMap { $0.scene.objects.compactMap(\.entity) } + set.flatMap(\.optionTexts)
        #expect(names.allSatisfy { Entities.named($0)?.half != .heldOut })
        #expect(QuestionBank.evaluationSet(seed: 1, perFamily: 2).count == 2 * QuestionFamily.allCases.count)
        #expect(Image.blank.pixels.allSatisfy { $0 == 0 })
    }

    /// With many questions, the most frequent position and the most frequent answer stay
    /// strictly within chance + 5 points.
    @Test func balanceHoldsStrictlyAtScale() {
        for f in QuestionFamily.allCases {
            let n = 800
            var byIndex: [Int: Int] = [:], byText: [String: Int] = [:]
            for q in QuestionBank.questions(f, purpose: .evaluation, seed: 77, count: n) {
                byIndex[q.correct, default: 0] += 1
                byText[q.optionTexts[q.correct], default: 0] += 1
            }
            let worst = Double(max(byIndex.values.max()!, byText.values.max()!)) / Double(n)
            #expect(worst <= f.chance + 0.05, "\(f.rawValue): \(worst)")
        }
    }
}
