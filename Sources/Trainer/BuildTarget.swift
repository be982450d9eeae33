import Foundation

/// The CPU a release build was compiled for. scripts/build-release.sh compiles with
/// `-target-cpu haswell` on a machine with AVX2 and FMA (so the trainer's own loops run 8
/// floats wide) and then defines VISIONMIX_NEEDS_AVX2. Such a binary copied to a CPU without
/// them would die of SIGILL in the middle of a run; `visionmix` checks first and says why.
public enum BuildTarget {
    #if VISIONMIX_NEEDS_AVX2
    public static let cpu = "haswell"
    public static let requiredFlags = ["avx2", "fma"]
    #else
    public static let cpu = "baseline"
    public static let requiredFlags: [String] = []
    #endif

    /// The flags of `required` that a CPU with `cpuFlags` lacks. Nothing when the flags are
    /// unknown (no /proc/cpuinfo): then the binary is given the benefit of the doubt.
    public static func missing(_ required: [String] = requiredFlags, cpuFlags: Set<String> = BLASKernels.cpuFlags()) -> [String] {
        cpuFlags.isEmpty ? [] : required.filter { !cpuFlags.contains($0) }
    }
}
