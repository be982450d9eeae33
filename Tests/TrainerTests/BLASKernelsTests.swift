// The correction of OpenBLAS's kernel choice (BLASKernels): when it applies and what it picks.
import Foundation
import Testing
@testable import Trainer

@Suite struct BLASKernelsTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test func anUnrecognisedCPUGetsTheKernelsItCanRun() {
        #expect(BLASKernels.override(detectedCore: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASKernels.override(detectedCore: "Prescott", cpuFlags: ["sse3", "avx", "avx2", "fma"]) == "Haswell")
        #expect(BLASKernels.override(detectedCore: "NEHALEM", cpuFlags: ["avx2", "fma"]) == "Haswell")
        // AVX-512 without the BW/DQ/VL subsets SkylakeX uses (Knights Landing) gets Haswell.
        #expect(BLASKernels.override(detectedCore: "Prescott", cpuFlags: ["avx2", "fma", "avx512f", "avx512cd"]) == "Haswell")
    }

    @Test func aRecognisedCoreOrAnOldCPUKeepsOpenBLASsChoice() {
        #expect(BLASKernels.override(detectedCore: "Haswell", cpuFlags: avx512) == nil)
        #expect(BLASKernels.override(detectedCore: "Zen", cpuFlags: avx512) == nil)
        #expect(BLASKernels.override(detectedCore: "SkylakeX", cpuFlags: avx512) == nil)
        // A CPU without AVX2 really is what OpenBLAS says.
        #expect(BLASKernels.override(detectedCore: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASKernels.override(detectedCore: "Sandybridge", cpuFlags: ["sse3", "avx"]) == nil)
    }

    @Test func theCallersOwnCoreTypeIsNeverOverridden() {
        #expect(BLASKernels.correction(environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
    }

    @Test func cpuFlagsComeFromTheFirstFlagsLine() {
        let info = "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse3 avx2 fma\nbugs\t\t: none\nflags\t\t: other\n"
        #expect(BLASKernels.cpuFlags(cpuinfo: info) == ["fpu", "sse3", "avx2", "fma"])
        #expect(BLASKernels.cpuFlags(cpuinfo: nil).isEmpty)
        #expect(BLASKernels.cpuFlags(cpuinfo: "no flags here").isEmpty)
    }

    /// A binary compiled for AVX2 and FMA refuses a CPU without them, and names what is
    /// missing; unknown flags (no /proc/cpuinfo) are not held against it.
    @Test func aBuildForHaswellNamesWhatTheCPULacks() {
        let haswell = ["avx2", "fma"]
        #expect(BuildTarget.missing(haswell, cpuFlags: avx512).isEmpty)
        #expect(BuildTarget.missing(haswell, cpuFlags: ["sse3", "avx"]) == ["avx2", "fma"])
        #expect(BuildTarget.missing(haswell, cpuFlags: ["sse3", "avx", "avx2"]) == ["fma"])
        #expect(BuildTarget.missing(haswell, cpuFlags: []).isEmpty)
        #expect(BuildTarget.missing([], cpuFlags: ["sse3"]).isEmpty)
        // The debug build the tests run in is compiled for the baseline.
        #expect(BuildTarget.cpu == "baseline" && BuildTarget.missing().isEmpty)
    }

    /// The release build chooses znver4 by the flags the binary then checks: one list, or a
    /// binary could be built on a CPU its own check would refuse.
    @Test func theBuildChoosesZen4ByTheFlagsTheBinaryChecks() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/build-release.sh")
        let text = try String(contentsOf: script, encoding: .utf8)
        let start = try #require(text.range(of: "zen4=("))
        let end = try #require(text[start.upperBound...].firstIndex(of: ")"))
        let listed = text[start.upperBound..<end].split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(listed == BuildTarget.zen4Flags)
        #expect(BuildTarget.missing(BuildTarget.zen4Flags, cpuFlags: Set(BuildTarget.zen4Flags).subtracting(["avx512_bf16"])) == ["avx512_bf16"])
    }
}
