import CNumerics
import Foundation
import Testing

/// Which shared object serves a symbol, as the dynamic linker resolved it for this process.
private func libraryServing(_ symbol: UnsafeRawPointer) -> String? {
    visionmix_library_serving(symbol).map { String(cString: $0) }
}

@Test func cblasSgemmIsOpenBLAS() throws {
    // The symbol our code calls directly...
    let direct: @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                                UnsafeMutablePointer<Float>?, Int32) -> Void = cblas_sgemm
    let directLib = try #require(libraryServing(unsafeBitCast(direct, to: UnsafeRawPointer.self)))
    #expect(directLib.contains("openblas"), "cblas_sgemm is served by \(directLib)")
    #expect(!directLib.contains("gslcblas"))
    // ...and the one global lookup finds, which is what libgsl's own BLAS calls bind to.
    let viaDefault = try #require(visionmix_global_symbol("cblas_sgemm"))
    let globalLib = try #require(libraryServing(viaDefault))
    #expect(globalLib.contains("openblas"), "global cblas_sgemm is served by \(globalLib)")
    #expect(String(cString: openblas_get_config()).lowercased().contains("openblas"))
}

@Test func cblasSgemmComputesAProduct() {
    // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]
    let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
    #expect(c == [19, 22, 43, 50])
}

@Test func gslIsLinkedWithErrorHandlerOff() {
    gsl_set_error_handler_off()
    // A singular system reports an error code instead of aborting the process.
    let m = gsl_matrix_calloc(2, 2)!
    defer { gsl_matrix_free(m) }
    let p = gsl_permutation_alloc(2)!
    defer { gsl_permutation_free(p) }
    var sign: Int32 = 0
    let status = gsl_linalg_LU_decomp(m, p, &sign)
    let inv = gsl_matrix_alloc(2, 2)!
    defer { gsl_matrix_free(inv) }
    let invStatus = gsl_linalg_LU_invert(m, p, inv)
    #expect(status == GSL_SUCCESS)
    #expect(invStatus != GSL_SUCCESS)
}
