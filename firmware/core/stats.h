/* Small statistics for validation: a seeded PRNG (reproducible Monte Carlo), mean and standard
 * deviation, Student's t distribution (via the regularized incomplete beta function) and the one-sample
 * t-test the Monte Carlo rule of SPEC section 10 uses. Pure and portable: the box and the host agree. */
#ifndef EB_CORE_STATS_H
#define EB_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64 as a generator: 64-bit state, full period 2^64, passes BigCrush; one seed = one stream. */
typedef struct {
    uint64_t s;
} eb_rng_t;

void eb_rng_seed(eb_rng_t *r, uint64_t seed);
uint64_t eb_rng_u64(eb_rng_t *r);
/* Uniform double in [0, 1) with 53 random bits. */
double eb_rng_uniform(eb_rng_t *r);

/* Mean; 0 for n == 0. Sample standard deviation (n-1); 0 for n < 2. */
double eb_stats_mean(const double *x, size_t n);
double eb_stats_sd(const double *x, size_t n);

/* Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1 (NaN outside). */
double eb_stats_incbeta(double a, double b, double x);
/* P(T <= t) for Student's t with df > 0 degrees of freedom (NaN for df <= 0 or t NaN). */
double eb_stats_t_cdf(double t, double df);

typedef struct {
    size_t n;
    double mean, sd, t;
    double p_greater;   /* one-sided p-value for H1: mean > mu0 */
    double p_two_sided; /* two-sided p-value for H1: mean != mu0 */
} eb_ttest_t;

typedef enum {
    EB_TTEST_OK = 0,
    EB_TTEST_TOO_FEW,     /* n < 2: no variance estimate */
    EB_TTEST_NOT_FINITE,  /* a sample is NaN or infinite */
} eb_ttest_status_t;

/* One-sample t-test of x[0..n) against mu0. With zero variance, t is +/-inf (p 0 or 1) when the mean
 * differs from mu0 and 0 (p 0.5 / 1) when it equals it. */
eb_ttest_status_t eb_stats_ttest(const double *x, size_t n, double mu0, eb_ttest_t *out);

#endif
