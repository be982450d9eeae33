#ifndef VISIONMIX_CNUMERICS_SHIM_H
#define VISIONMIX_CNUMERICS_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>

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

/* The path of the shared object that serves `symbol` in this process (NULL if unknown):
   proves at run time which library cblas_sgemm bound to. */
static inline const char *visionmix_library_serving(const void *symbol) {
    Dl_info info;
    if (dladdr(symbol, &info) == 0) return 0;
    return info.dli_fname;
}

/* The address global symbol lookup finds for `name` (what libgsl's own calls bind to). */
static inline const void *visionmix_global_symbol(const char *name) { return dlsym(RTLD_DEFAULT, name); }

#endif
