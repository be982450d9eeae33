import Foundation
import Testing
@testable import Sweeps
import VisionMixCore

@Suite struct SweepSpecTests {
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
                    let covering = runs.filter { $0.size == size && (try? $0.mixture.canonicalKey) == key && $0.checkpoints.contains(1e6) }
                    #expect(covering.count == spec.seeds.count, "\(d.name) \(size) \(mix)")
                }
            }
        }
        #expect(!runs.contains { $0.mix == "mix6" || $0.mix == "web_crawl=100" }, "written-twice mixtures run once")
        #expect(runs.contains { $0.mix == "code=100" } && runs.contains { $0.mix == "mix3" })
    }

    @Test func costsFollowModelSizeSoTheETAIsHonest() {
        func run(_ size: String, profile: String = "standard") -> RunSpec {
            RunSpec(size: size, mix: "balanced", tokens: 1e6, checkpoints: [0, 5e5, 1e6], seed: 1, encoder: "object", profile: profile)
        }
        let costs = ["xs", "s", "m", "l", "xl"].map { run($0).estimatedCost }
        #expect(zip(costs, costs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(costs.last! > 10 * costs.first!)
        #expect(run("xl", profile: "tiny").estimatedCost < costs.last!)
    }
}
