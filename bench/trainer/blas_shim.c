/* The trainer's BLAS calls, forwarded to the OpenBLAS that numpy and scipy ship on PyPI
   (package scipy-openblas32), whose symbols carry a scipy_ prefix so that it can sit beside
   another BLAS in one process. Preloaded (LD_PRELOAD) into visionmix by blas_alternatives.sh,
   it measures a newer OpenBLAS than Debian's without rebuilding anything. */
void scipy_cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha,
                       const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
void scipy_openblas_set_num_threads(int n);
int scipy_openblas_get_num_threads(void);
char *scipy_openblas_get_config(void);
char *scipy_openblas_get_corename(void);

void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    scipy_cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void openblas_set_num_threads(int n) { scipy_openblas_set_num_threads(n); }
int openblas_get_num_threads(void) { return scipy_openblas_get_num_threads(); }
char *openblas_get_config(void) { return scipy_openblas_get_config(); }
char *openblas_get_corename(void) { return scipy_openblas_get_corename(); }
