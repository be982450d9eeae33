import Foundation

/// The CPU a release build was compiled for. scripts/build-release.sh compiles with
/// `-target-cpu haswell` on a machine with AVX2 and FMA (so the trainer's own loops run 8
/// floats wide) and then defines VISIONMIX_NEEDS_AVX2, or with `-target-cpu znver4` on an AMD
/// CPU with Zen 4's AVX-512 set (16 floats wide) and VISIONMIX_NEEDS_ZEN4. Such a binary
/// copied to a CPU without them would die of SIGILL in the middle of a run; `visionmix` checks
/// first and says why.
public enum BuildTarget {
    /// The /proc/cpuinfo flags of the instruction sets LLVM's znver4 target may emit: the
    /// build chooses znver4 on an AMD CPU with all of them (its `zen4` list, which a test holds
    /// equal to this one).
    public static let zen4Flags = ["avx2", "fma", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx512ifma",
                                   "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq",
                                   "avx512_bf16", "gfni", "vaes", "vpclmulqdq"]
    #if VISIONMIX_NEEDS_ZEN4
    public static let cpu = "znver4"
    public static let requiredFlags = zen4Flags
    #elseif VISIONMIX_NEEDS_AVX2
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
