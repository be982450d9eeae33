import Foundation
import Testing
@testable import Sweeps

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
        let mixes = Set(runs.map(\.mix))
        #expect((0...10).allSatisfy { mixes.contains("mix\($0)") })
        #expect(["web_crawl=100", "code=100", "math=100"].allSatisfy(mixes.contains))
        #expect(runs.count == Set(runs.map(\.identifier)).count, "run identities are distinct")
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
