// `visionmix blas` and the restart that corrects OpenBLAS's kernels, in real processes.
import Foundation
import Testing
@testable import Trainer

@Suite struct BLASCLITests {
    func report(_ environment: [String: String]) throws -> [String: Any] {
        try #require(FileManager.default.isExecutableFile(atPath: visionmixBinary), "build with `swift build --build-tests` first")
        let r = try runCLI(["blas", "--json"], db: nil, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Without OPENBLAS_CORETYPE the binary runs kernels that use the CPU's AVX2 and FMA when it
    /// has them; when it had to restart for that, the restarted process says which core it
    /// corrected and runs the one it set.
    @Test func theCLIRunsKernelsTheCPUCanUse() throws {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["VISIONMIX_BLAS_DETECTED"] = nil
        let obj = try report(env)
        let core = try #require(obj["core"] as? String)
        let flags = BLASKernels.cpuFlags()
        if flags.contains("avx2") && flags.contains("fma") {
            #expect(!BLASKernels.preAVX2Cores.contains(core.lowercased()), "\(obj)")
        }
        if let detected = obj["detected_core"] as? String {
            #expect(BLASKernels.preAVX2Cores.contains(detected.lowercased()))
            #expect((obj["openblas_coretype"] as? String)?.lowercased() == core.lowercased())
        }
    }

    @Test func theCallersCoreTypeStands() throws {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = "Haswell"
        env["VISIONMIX_BLAS_DETECTED"] = nil
        let obj = try report(env)
        #expect(obj["core"] as? String == "Haswell")
        #expect(obj["detected_core"] == nil || obj["detected_core"] is NSNull)
        #expect(obj["reason"] as? String == "OPENBLAS_CORETYPE set by the caller")
    }
}
