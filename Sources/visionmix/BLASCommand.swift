import ArgumentParser
import Foundation
import Trainer

/// Set by `startWithRecognisedBLASKernels` on the process it re-executes: the core type
/// OpenBLAS had chosen before the correction.
let detectedCoreVariable = "VISIONMIX_BLAS_DETECTED"

/// Restarts this process with OPENBLAS_CORETYPE set when OpenBLAS did not recognise the CPU
/// (BLASKernels). exec keeps the process id, so a sweep's bookkeeping of its workers and the
/// signals sent to them are unaffected. If exec fails the command runs on the slow kernels.
func startWithRecognisedBLASKernels() {
    guard let core = BLASKernels.correction() else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    setenv(detectedCoreVariable, BLASKernels.activeCore, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    note("warning: could not restart with OPENBLAS_CORETYPE=\(core) (\(String(cString: strerror(errno)))); running on OpenBLAS's \(BLASKernels.activeCore) kernels")
}

/// Stops with a plain message when this binary was compiled for CPU features this CPU lacks
/// (BuildTarget), before the code that would need them runs.
func refuseUnsupportedCPU() {
    guard !BuildTarget.requiredFlags.isEmpty else { return }  // a baseline build reads no cpuinfo
    let missing = BuildTarget.missing()
    guard !missing.isEmpty else { return }
    note("error: this visionmix was built for \(BuildTarget.cpu) CPUs (\(BuildTarget.requiredFlags.joined(separator: ", "))), and this CPU lacks \(missing.joined(separator: ", ")). "
         + "Build it on this machine (make release), or build a portable binary with VISIONMIX_TARGET_CPU=x86-64 make release.")
    exit(70)
}

/// "SkylakeX", or "SkylakeX, corrected from Prescott": for benchmark headers.
var blasKernelsPhrase: String {
    BLASKernels.activeCore + (ProcessInfo.processInfo.environment[detectedCoreVariable].map { ", corrected from \($0)" } ?? "")
}

struct BLASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas",
        abstract: "Show which OpenBLAS kernels the trainer runs on, and why.",
        discussion: """
            OpenBLAS picks its kernels from the CPU model when it loads. Where it does not recognise a \
            CPU that has AVX2 and FMA, visionmix restarts itself with OPENBLAS_CORETYPE set to the \
            kernels the CPU can run (SkylakeX with AVX-512, else Haswell). Set OPENBLAS_CORETYPE \
            yourself to choose.
            """
    )
    @Flag(help: "Print only the OPENBLAS_CORETYPE value in force (empty when OpenBLAS's own choice stands).")
    var coretype = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let forced = env["OPENBLAS_CORETYPE"]
        let detected = env[detectedCoreVariable]
        if coretype { print(forced ?? ""); return }
        let reason = detected.map { "OpenBLAS chose \($0) for a CPU it did not recognise; corrected" }
            ?? (forced != nil ? "OPENBLAS_CORETYPE set by the caller" : "OpenBLAS's own choice")
        let flags = BLASKernels.cpuFlags()
        // cpuinfo names SSE3 "pni", so SSE4.2 stands for the pre-AVX level.
        let simd = ["sse4_2", "avx", "avx2", "fma", "avx512f"].filter(flags.contains)
        if json {
            struct Out: Encodable { let core: String; let detected_core: String?; let openblas_coretype: String?; let reason: String; let cpu_simd: [String]; let config: String; let built_for: String; let own_products: Bool }
            try printJSON(Out(core: BLASKernels.activeCore, detected_core: detected, openblas_coretype: forced, reason: reason, cpu_simd: simd, config: blasDescription,
                              built_for: BuildTarget.cpu, own_products: computesOwnProducts))
            return
        }
        var t = TextTable(["", ""])
        t.add(["kernels", BLASKernels.activeCore])
        t.add(["why", reason])
        t.add(["CPU SIMD", simd.joined(separator: " ")])
        t.add(["OpenBLAS", blasDescription])
        t.add(["built for", BuildTarget.cpu + (BuildTarget.requiredFlags.isEmpty ? "" : " (needs \(BuildTarget.requiredFlags.joined(separator: ", ")))")])
        t.add(["products", computesOwnProducts ? "the trainer's own, in OpenBLAS's blocked order (VISIONMIX_OWN_SGEMM=0: OpenBLAS's)" : "OpenBLAS's"])
        print(t.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
    }
}
