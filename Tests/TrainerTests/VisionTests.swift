// Vision adaptation: projector gradients by finite differences (alone and through the LM),
// encoders, and the scoring path.
import Testing
@testable import Trainer
import World

@Suite struct VisionTests {
    @Test func projectorGradientCheck() {
        // Loss Σ out ⊙ R over out (B,P,C) = projector(x (B,P,F)).
        let B = 2, P = 3, F = 5, H = 4, C = 6
        let proj = Projector(features: F, hidden: H, width: C, tokens: P, seed: 3)
        var rng = SplitMix64(seed: 4)
        let x = (0..<(B * P * F)).map { _ in Float(rng.normal()) }
        let r = (0..<(B * P * C)).map { _ in Float(rng.normal()) }
        var out: [Float] = []
        func loss() -> Double { proj.forward(x, B: B, into: &out); return dot(out, r) }
        _ = loss()
        proj.zeroGrad()
        proj.backward(r, x: x)
        let analytic = proj.grads
        let buf = Buf(zeros: proj.parameterCount)
        buf.a = proj.params
        checkGradient("projector", buf, analytic) {
            proj.params = buf.a
            return loss()
        }
    }

    /// A two-example batch through a tiny LM (width 8) with a fresh projector.
    static func tinyVisualModel(layers: Int, questionSeed: UInt64) throws -> (VisualModel, [VisualExample]) {
        let config = ModelConfig(vocabularySize: Tokenizer.shared.vocabularySize, context: 32, layers: layers, width: 8, heads: 2)
        let lm = try Model(config: config, maxBatch: 2, seed: 1)
        var adapt = AdaptationConfig(); adapt.projectorHidden = 6; adapt.context = 32
        let vm = try VisualModel(config: config, weights: lm.params, encoder: ObjectEncoder(), adaptation: adapt, maxBatch: 2, seed: 2)
        let qs = QuestionBank.instructionSet(seed: questionSeed, count: 2)
        return (vm, qs.map { VisualExample(features: ObjectEncoder().encode($0.image), tokens: $0.prompt + $0.options[$0.correct], scoredFrom: $0.prompt.count) })
    }

    @Test func projectorGradientThroughTheLM() throws {
        // The mean LM loss of a visual example, differentiated with respect to the projector's
        // parameters through Model.backward(dprefix:).
        let (vm, ex) = try Self.tinyVisualModel(layers: 1, questionSeed: 1)
        _ = vm.forward(ex[...])
        vm.model.zeroGrad(); vm.projector.zeroGrad()
        vm.backward()
        let analytic = vm.projector.grads
        let buf = Buf(zeros: vm.projector.parameterCount)
        buf.a = vm.projector.params
        checkGradient("projector-through-lm", buf, analytic, eps: 1e-2, tolerance: 5e-2) {
            vm.projector.params = buf.a
            return Double(vm.forward(ex[...]).loss)
        }
    }

    @Test func frozenBackwardGivesTheSameProjectorGradients() throws {
        // Alignment skips the LM's weight gradients; the projector must not notice.
        let (vm, ex) = try Self.tinyVisualModel(layers: 2, questionSeed: 3)
        _ = vm.forward(ex[...])
        vm.model.zeroGrad(); vm.projector.zeroGrad()
        vm.backward()
        let full = vm.projector.grads
        _ = vm.forward(ex[...])
        vm.projector.zeroGrad()
        vm.backward(frozenLM: true)
        #expect(full.contains { $0 != 0 })
        #expect(vm.projector.grads == full)
    }

    @Test func instructionTuningAtLMRateZeroFreezesTheLMBitForBit() throws {
        // At rate 0 `instruct` skips the LM's weight gradients, its clipping and AdamW. The
        // projector must end exactly where the full path leaves it at rate 0, and the LM as loaded.
        let (frozen, _) = try Self.tinyVisualModel(layers: 1, questionSeed: 1)
        let (full, _) = try Self.tinyVisualModel(layers: 1, questionSeed: 1)
        var config = AdaptationConfig()
        config.instructSteps = 6; config.instructBatch = 2; config.alignSteps = 1; config.alignBatch = 1
        let data = AdaptationData(encoder: ObjectEncoder(), config: config, seed: 3)
        let n = frozen.model.parameterCount
        let lmBefore = Array(UnsafeBufferPointer(start: frozen.model.params, count: n))
        let projectorBefore = frozen.projector.params
        try Adaptation.instruct(frozen, data: data, config: config, lmLearningRate: 0) { _ in }
        let opt = AdamW(layout: full.model.layout)
        for step in 0..<config.instructSteps {
            _ = full.forward(data.instructions[(2 * step)..<(2 * step + 2)])
            full.model.zeroGrad(); full.projector.zeroGrad()
            full.backward()
            clipGradients(full.model.grads, n, maxNorm: 1)
            let f = Float(Adaptation.cosineFactor(step, config.instructSteps))
            opt.update(params: full.model.params, grads: full.model.grads, lr: 0 * f)
            full.projector.update(lr: config.projectorLearningRate * f)
        }
        #expect(frozen.projector.params != projectorBefore)
        #expect(frozen.projector.params == full.projector.params)
        #expect(Array(UnsafeBufferPointer(start: frozen.model.params, count: n)) == lmBefore)
        #expect(Array(UnsafeBufferPointer(start: full.model.params, count: n)) == lmBefore)
    }

    @Test func zeroShotFamiliesStayOutOfInstructionTuningButAreEvaluated() {
        var config = AdaptationConfig()
        config.instructSteps = 40; config.instructBatch = 8; config.alignSteps = 1; config.alignBatch = 1
        #expect(config.zeroShotFamilies == [.compareCounts, .countArithmetic])
        let data = AdaptationData(encoder: ObjectEncoder(), config: config, seed: 5)
        let prompts = data.instructions.map { Tokenizer.shared.decode(Array($0.tokens.prefix($0.scoredFrom))) }
        #expect(prompts.count == 320)
        // The two families' prompts: "are there more red or more blue objects ?" and "how many
        // circle and square shapes are there in all ?".
        #expect(!prompts.contains { $0.hasPrefix("are there more") || $0.hasSuffix("in all ?") })
        #expect(prompts.contains { $0.hasPrefix("how many") })
        let evaluated = Set(QuestionBank.evaluationSet(seed: 1, perFamily: 1).map(\.family))
        #expect(config.zeroShotFamilies.allSatisfy(evaluated.contains))
    }

    @Test func knowledgeFamiliesAskMoreQuestions() {
        var config = EvaluationConfig()
        config.perFamily = 2
        let set = VisionEvalSet(encoder: ObjectEncoder(), config: config)
        let knowledge = QuestionFamily.allCases.filter { $0.groups.contains(.knowledge) }.count
        #expect(knowledge == 2)
        #expect(set.items.count == 2 * (QuestionFamily.allCases.count - knowledge) + 2 * config.knowledgeMultiplier * knowledge)
        #expect(set.blindItems.count == set.items.count)
    }

    @Test func reasoningFamiliesAskMoreQuestionsWhenAsked() {
        var config = EvaluationConfig()
        config.perFamily = 2
        config.reasoningMultiplier = 4
        let asked = Dictionary(grouping: VisionEvalSet(encoder: ObjectEncoder(), config: config).items, by: \.family).mapValues(\.count)
        #expect(asked[.countArithmetic] == 8 && asked[.spatial] == 8 && asked[.chartValue] == 8)
        #expect(asked[.entityKind] == 2 * config.knowledgeMultiplier, "knowledge keeps its own multiplier")
        #expect(asked[.colour] == 2 && asked[.readWord] == 2)
        // The first questions of a family are the same at any count, so the larger set extends
        // the standard one rather than replacing it.
        let small = QuestionBank.evaluationSet(seed: 9, perFamily: 2).filter { $0.family == .spatial }
        let large = QuestionBank.evaluationSet(seed: 9, perFamily: 8).filter { $0.family == .spatial }
        #expect(small.map(\.prompt) == Array(large.prefix(2)).map(\.prompt))
    }

    /// Options packed after their shared image and prompt score as each option's own sequence
    /// does (up to the rounding of the softmax's other summation order).
    @Test func packedOptionsScoreAsTheirOwnSequences() throws {
        let config = ModelConfig(vocabularySize: Tokenizer.shared.vocabularySize, context: 64, layers: 2, width: 16, heads: 2)
        let lm = try Model(config: config, maxBatch: 8, seed: 1)
        var adapt = AdaptationConfig(); adapt.projectorHidden = 6
        let vm = try VisualModel(config: config, weights: lm.params, encoder: ObjectEncoder(), adaptation: adapt, maxBatch: 8, seed: 2)
        var evaluation = EvaluationConfig(); evaluation.perFamily = 1
        // Questions of every family, then a caption (nothing to share: its own sequence).
        let caption = Captions.make(seed: 4, count: 1)[0]
        let examples = Array(VisionEvalSet(encoder: ObjectEncoder(), config: evaluation).items.flatMap(\.examples).prefix(60))
            + [VisualExample(features: ObjectEncoder().encode(Renderer.render(caption.scene)), tokens: caption.tokens, scoredFrom: 0)]
        let sequences = packedSequences(examples, visualTokens: vm.P, context: vm.model.config.context)
        #expect(sequences.count < examples.count / 2)
        #expect(sequences.last?.shared == 0 && sequences.last?.scored.count == 1)
        let packed = vm.logLikelihoods(examples)
        for (i, ex) in examples.enumerated() {
            let (_, T) = vm.forward([ex][...])
            var own = 0.0
            for k in ex.scoredFrom..<ex.tokens.count where vm.P + k - 1 < T { own -= Double(vm.model.losses[vm.P + k - 1]) }
            #expect(abs(packed[i] - own) <= 1e-4 * max(1, abs(own)), "example \(i): packed \(packed[i]), own sequence \(own)")
        }
    }

    @Test func scoresAreBitForBitRepeatable() throws {
        // Group scores average fractions; two sets (two dictionaries inside) must sum them in
        // the same order.
        let (vm, _) = try Self.tinyVisualModel(layers: 1, questionSeed: 1)
        var config = EvaluationConfig()
        config.perFamily = 3
        let a = VisionEvalSet(encoder: ObjectEncoder(), config: config).score(vm)
        let b = VisionEvalSet(encoder: ObjectEncoder(), config: config).score(vm)
        #expect(a.values == b.values)
        #expect(a.values["vqa_avg"] != nil && a.chance["knowledge"] == 25)
    }

    @Test func objectEncoderFindsOneTokenPerObject() {
        let scene = Scene(objects: [SceneObject(shape: .square, colour: .red, radius: 2, x: 3, y: 3),
                                    SceneObject(shape: .circle, colour: .blue, radius: 2, x: 11, y: 11)])
        let enc = ObjectEncoder()
        let f = enc.encode(Renderer.render(scene))
        let present = (0..<enc.tokens).map { f[$0 * enc.features] }
        #expect(present == [1, 1, 0, 0, 0, 0, 0, 0])
        #expect(enc.encode(Image.blank).allSatisfy { $0 == 0 })
        // left to right: the red square first
        #expect(f[1] == Colour.red.rgb.0 && f[3] == Colour.red.rgb.2)
    }

    @Test func patchEncoderIsStandardised() {
        let enc = PatchEncoder.shared
        let imgs = QuestionBank.evaluationSet(seed: 5, perFamily: 2).map(\.image)
        var sum = 0.0, sq = 0.0, n = 0.0
        for img in imgs { for v in enc.encode(img) { sum += Double(v); sq += Double(v * v); n += 1 } }
        let mean = sum / n, sd = (sq / n - mean * mean).squareRoot()
        #expect(abs(mean) < 0.5 && sd > 0.5 && sd < 2, "mean \(mean) sd \(sd)")
        // Different images give different features.
        #expect(enc.encode(imgs[0]) != enc.encode(imgs[20]))
    }
}
