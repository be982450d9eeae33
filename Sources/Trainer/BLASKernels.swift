// Which OpenBLAS kernels this process runs, and the correction for a CPU that OpenBLAS does
// not recognise.
//
// OpenBLAS (DYNAMIC_ARCH) picks its kernels once, when the library loads, from the CPU model.
// Debian's 0.3.21 does not know newer Intel server CPUs and falls back to "Prescott", its SSE3
// kernels, on a CPU with AVX-512: measured on such a machine, peak sgemm 20–32 GFLOP/s on one
// thread against 147 with the SkylakeX kernels, and the xl trainer 3× slower
// (docs/performance.md, "OpenBLAS kernels"). The choice can only be changed through
// OPENBLAS_CORETYPE before the library loads, so the CLI re-executes itself with it set
// (`visionmix` main); `make test` sets it for the test process the same way.
import Foundation

public enum BLASKernels {
    /// OpenBLAS's core types whose kernels use neither AVX2 nor FMA: a CPU that has both and
    /// gets one of these was not recognised.
    static let preAVX2Cores: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "sandybridge",
        "bobcat", "bulldozer", "piledriver", "steamroller",
    ]
    /// What the SkylakeX kernels use.
    static let avx512Flags: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// The core type to force (OPENBLAS_CORETYPE), or nil to keep OpenBLAS's own choice. Only a
    /// choice that leaves AVX2 and FMA unused on a CPU that has them is overridden: a core
    /// OpenBLAS recognised keeps its kernels, and with them its results to the last digit.
    public static func override(detectedCore: String, cpuFlags: Set<String>) -> String? {
        guard preAVX2Cores.contains(detectedCore.lowercased()),
              cpuFlags.contains("avx2"), cpuFlags.contains("fma") else { return nil }
        return avx512Flags.isSubset(of: cpuFlags) ? "SkylakeX" : "Haswell"
    }

    /// The core type OpenBLAS chose in this process.
    public static var activeCore: String { blasCoreName }

    /// The CPU's feature flags (the first `flags` line of /proc/cpuinfo; empty where there is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The core type this process should have been started with, if it is not already running
    /// it: nil when OPENBLAS_CORETYPE is set (the user's choice, or an earlier correction) or
    /// when OpenBLAS's choice stands.
    public static func correction(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        // Every command starts here: read /proc/cpuinfo only when OpenBLAS's choice is suspect.
        guard environment["OPENBLAS_CORETYPE"] == nil, preAVX2Cores.contains(activeCore.lowercased()) else { return nil }
        return override(detectedCore: activeCore, cpuFlags: cpuFlags())
    }
}
