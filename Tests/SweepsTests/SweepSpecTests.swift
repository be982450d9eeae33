import Foundation
import Testing
@testable import Sweeps
import VisionMixCore

@Suite struct SweepSpecTests {
    /// The demo compares the untrained model with a pre-trained one at a size that gains from
    /// pre-training and one that does not, over enough seeds for a seed band at every point,
    /// and with the budgets the size–data laws need (2+ sizes, 3+ budgets) to draw a curve.
    @Test func quickPresetComparesTheUntrainedModelOverThreeSeedsAtTwoSizes() throws {
        let spec = SweepPresets.quick(encoder: "object")
        let runs = try spec.runs(knownSizes: ["xs", "s", "m", "l", "xl"])
        #expect(runs.count == 6 && Set(runs.map(\.seed)) == [1, 2, 3])
        #expect(Set(runs.map(\.size)) == ["m", "xs"] && Set(runs.map(\.mix)) == ["balanced"])
        for size in ["m", "xs"] {
            let at = runs.filter { $0.size == size }
            #expect(at.count == 3 && at.allSatisfy { $0.checkpoints.first == 0 && $0.checkpoints.last == 5e5 }, "\(size)")
        }
        #expect(Set(runs.flatMap(\.checkpoints)).count >= 3)
        // The costly size first, so its runs overlap and the cheap ones fill in beside the last.
        #expect(try spec.runs(knownSizes: nil).groupedByPretraining.first?.first?.size == "m")
        #expect(throws: Never.self) { try spec.validate(knownSizes: nil) }
    }

    @Test func standardPresetCoversThePapersDesigns() throws {
        let spec = SweepPresets.standard(encoder: "object")
        let runs = try spec.runs(knownSizes: ["xs", "s", "m", "l", "xl"])
        #expect(Set(spec.seeds).count >= 2)
        // The scaling figure: every size for web_crawl, language_favorable and balanced.
        for size in ["xs", "s", "m", "l", "xl"] {
            for mix in ["web_crawl", "language_favorable", "balanced"] {
                #expect(runs.contains { $0.size == size && $0.mix == mix && $0.checkpoints.count >= 3 }, "\(size) \(mix)")
            }
            // The untrained model is scored once per size and seed.
            #expect(runs.filter { $0.size == size && $0.checkpoints.contains(0) }.count == spec.seeds.count)
        }
        #expect(runs.count == Set(runs.map(\.identifier)).count, "run identities are distinct")
        // Every design point is scored by some run of an equal mixture, and no mixture is
        // trained twice (mix6 is balanced, web_crawl=100 is web_crawl).
        for d in spec.designs {
            for size in d.sizes {
                for mix in d.mixtures {
                    let key = try MixtureSpec.parse(mix).mixture.canonicalKey
                    let profile = d.profile ?? spec.profile ?? "standard"
                    let covering = runs.filter { $0.size == size && $0.profile == profile && (try? $0.mixture.canonicalKey) == key && $0.checkpoints.contains(1e6) }
                    #expect(covering.count == (d.seeds ?? spec.seeds).count, "\(d.name) \(size) \(mix)")
                }
            }
        }
        #expect(!runs.contains { $0.mix == "mix6" || $0.mix == "web_crawl=100" }, "written-twice mixtures run once")
        #expect(runs.contains { $0.mix == "code=100" } && runs.contains { $0.mix == "mix3" })
        // The reasoning-share line at the largest size: three seeds on the precise evaluation,
        // so its mixtures can be told apart from seed noise.
        let xlLine = runs.filter { $0.size == "xl" && $0.profile == "precise" }
        #expect(xlLine.count == 15 && Set(xlLine.map(\.seed)) == [1, 2, 3])
        #expect(Set(try xlLine.map { try $0.mixture.reasoningShare }).count == 5)
        // And the same line with the LM frozen, which shows the prior that tuning covers.
        let frozenLine = runs.filter { $0.size == "xl" && $0.profile == "frozen-lm" }
        #expect(Set(frozenLine.map { "\($0.mix)|\($0.seed)" }) == Set(xlLine.map { "\($0.mix)|\($0.seed)" }))
        #expect(runs.filter { $0.profile != "precise" && $0.profile != "frozen-lm" }.allSatisfy { $0.profile == "standard" })
    }

    @Test func aDesignsOwnProfileReplacesTheSpecs() throws {
        let spec = SweepSpec(name: "t", encoder: "object", seeds: [1], designs: [
            SweepDesign(name: "a", sizes: ["xs"], mixtures: ["balanced"], tokens: "100K", checkpoints: []),
            SweepDesign(name: "b", sizes: ["xs"], mixtures: ["balanced"], tokens: "100K", checkpoints: [], profile: "precise"),
        ], profile: "tiny")
        // The same model under two evaluations is two runs, each stored under its own name.
        let runs = try spec.runs(knownSizes: nil)
        #expect(runs.map(\.profile) == ["tiny", "precise"])
        #expect(Set(runs.map(\.identifier)).count == 2)
        let back = try JSONDecoder().decode(SweepSpec.self, from: JSONEncoder().encode(spec))
        #expect(try back.runs(knownSizes: nil).map(\.profile) == ["tiny", "precise"])
        var bad = spec
        bad.designs[1].profile = "exact"
        #expect(throws: SweepError.self) { try bad.runs(knownSizes: nil) }
    }

    @Test func aDesignsOwnSeedsReplaceTheSpecs() throws {
        let spec = SweepSpec(name: "t", encoder: "object", seeds: [1, 2], designs: [
            SweepDesign(name: "a", sizes: ["xs"], mixtures: ["balanced"], tokens: "100K", checkpoints: [], seeds: [7]),
            SweepDesign(name: "b", sizes: ["s"], mixtures: ["balanced"], tokens: "100K", checkpoints: []),
        ])
        let runs = try spec.runs(knownSizes: nil)
        #expect(runs.map(\.seed) == [7, 1, 2])
        // Round trip: a spec file may carry a design's seeds, and one without them still reads.
        let back = try JSONDecoder().decode(SweepSpec.self, from: JSONEncoder().encode(spec))
        #expect(try back.runs(knownSizes: nil).map(\.seed) == [7, 1, 2])
        var empty = spec
        empty.designs[0].seeds = []
        #expect(throws: SweepError.self) { try empty.runs(knownSizes: nil) }
    }

    /// A design's `profile` or `seeds` given as null reads as absent: the spec's apply (the
    /// HTTP schema declares both nullable).
    @Test func aDesignsNullProfileAndSeedsAreTheSpecs() throws {
        let text = """
            {"name": "t", "label": "t", "encoder": "object", "seeds": [3], "profile": "tiny",
             "designs": [{"name": "a", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "100K", "checkpoints": [],
                          "profile": null, "seeds": null}]}
            """
        let spec = try JSONDecoder().decode(SweepSpec.self, from: Data(text.utf8))
        let runs = try spec.runs(knownSizes: nil)
        #expect(runs.map(\.profile) == ["tiny"] && runs.map(\.seed) == [3])
    }

    @Test func costsFollowModelSizeSoTheETAIsHonest() {
        func run(_ size: String, profile: String = "standard") -> RunSpec {
            RunSpec(size: size, mix: "balanced", tokens: 1e6, checkpoints: [0, 5e5, 1e6], seed: 1, encoder: "object", profile: profile)
        }
        let costs = ["xs", "s", "m", "l", "xl"].map { run($0).estimatedCost }
        #expect(zip(costs, costs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(costs.last! > 10 * costs.first!)
        #expect(run("xl", profile: "tiny").estimatedCost < costs.last!)
        #expect(run("xl", profile: "precise").estimatedCost > costs.last!)
    }

    /// The standard preset's xl reasoning line runs under two profiles on one set of LMs: each
    /// pair is one unit of work, and the ETA counts its pre-training once.
    @Test func runsOfOneLMUnderTwoProfilesShareAPretraining() throws {
        let runs = try SweepPresets.standard(encoder: "object").runs(knownSizes: nil)
        let groups = runs.groupedByPretraining
        #expect(groups.count == runs.count - 15)
        let pairs = groups.filter { $0.count > 1 }
        #expect(pairs.count == 15)
        for p in pairs { #expect(p.count == 2 && p.map(\.profile) == ["precise", "frozen-lm"] && p[0].size == "xl") }
        #expect(groups.flatMap { $0 }.count == runs.count)
        let pair = pairs[0]
        #expect(pair.estimatedCost < pair[0].estimatedCost + pair[1].estimatedCost)
        #expect(pair.estimatedCost > pair[1].estimatedCost)
        #expect([pair[0]].estimatedCost == pair[0].estimatedCost)
        // The listing numbers the units as the runner groups them and carries the profiles' cost scale.
        let listed = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ListedRun.listing(runs))) as! [[String: Any]]
        #expect(listed.count == runs.count && Set(listed.map { $0["unit"] as! Int }).count == groups.count)
        let xlPair = listed.filter { $0["size"] as? String == "xl" && ["precise", "frozen-lm"].contains($0["profile"] as? String) }
        #expect(xlPair.count == 30 && Set(xlPair.map { $0["unit"] as! Int }).count == 15)
        #expect(xlPair.allSatisfy { ($0["checkpoint_cost_scale"] as! Double) > 1 } && listed.first?["mix"] != nil)
    }

    @Test func profilesNameTheirBudgets() throws {
        #expect(try RunSettings.profile("standard").evaluation.reasoningMultiplier == 1)
        #expect(try RunSettings.profile("precise").evaluation.reasoningMultiplier == 4)
        #expect(try RunSettings.profile("precise").adaptation == RunSettings.profile("standard").adaptation)
        let frozen = try RunSettings.profile("frozen-lm")
        #expect(frozen.adaptation.lmLearningRateScale == 0 && frozen.adaptation.instructSteps == 1920)
        #expect(try frozen.evaluation == RunSettings.profile("precise").evaluation)
        #expect(throws: SweepError.self) { try RunSettings.profile("huge") }
        let spec = SweepSpec(name: "p", encoder: "object", seeds: [1], designs: [
            SweepDesign(name: "a", sizes: ["xl"], mixtures: ["balanced"], tokens: "1M", checkpoints: [])], profile: "precise")
        let runs = try spec.runs(knownSizes: nil)
        #expect(runs.count == 1 && runs[0].identifier.hasSuffix("|precise"), "a precise run is not the standard run")
    }
}
