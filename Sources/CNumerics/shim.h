#ifndef VISIONMIX_CNUMERICS_SHIM_H
#define VISIONMIX_CNUMERICS_SHIM_H

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort_double.h>

/* OpenBLAS extensions (declared here because OpenBLAS's cblas.h cannot be included). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

/* glibc's dladdr and dlsym under private names: <dlfcn.h> would need _GNU_SOURCE, which
   changes other system declarations (fd_set) and clashes with Swift's own Glibc module. */
typedef struct { const char *dli_fname; void *dli_fbase; const char *dli_sname; void *dli_saddr; } visionmix_dl_info;
extern int visionmix_dladdr(const void *address, visionmix_dl_info *info) __asm__("dladdr");
extern void *visionmix_dlsym(void *handle, const char *name) __asm__("dlsym");

/* The path of the shared object that serves `symbol` in this process (NULL if unknown):
   proves at run time which library cblas_sgemm bound to. */
static inline const char *visionmix_library_serving(const void *symbol) {
    visionmix_dl_info info;
    if (visionmix_dladdr(symbol, &info) == 0) return 0;
    return info.dli_fname;
}

/* The address global symbol lookup (RTLD_DEFAULT, a null handle on glibc) finds for `name`:
   what libgsl's own BLAS calls bind to. */
static inline const void *visionmix_global_symbol(const char *name) { return visionmix_dlsym(0, name); }

/* Ask the kernel to SIGKILL this process when its parent dies, so sweep workers never
   outlive a killed sweep (prctl is variadic, so Swift cannot call it directly). Returns 0
   when set and the parent is still alive. */
static inline int visionmix_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == expected_parent ? 0 : -1;
}

#endif
