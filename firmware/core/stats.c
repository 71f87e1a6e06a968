#include "core/stats.h"

#include <math.h>

void eb_rng_seed(eb_rng_t *r, uint64_t seed) { r->s = seed; }

uint64_t eb_rng_u64(eb_rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double eb_rng_uniform(eb_rng_t *r) { return (double)(eb_rng_u64(r) >> 11) * 0x1.0p-53; }

double eb_stats_mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return n ? s / (double)n : 0.0;
}

/* Two passes: the sum of squared deviations from the mean loses nothing to cancellation. */
double eb_stats_sd(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    double m = eb_stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

/* Continued fraction for I_x(a,b), evaluated by the modified Lentz method; converges fast for
 * x < (a+1)/(a+b+2), which the caller arranges with the symmetry I_x(a,b) = 1 - I_{1-x}(b,a). */
static double incbeta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        for (int odd = 0; odd < 2; odd++) {
            double k = (double)m, num;
            if (!odd)
                num = k * (b - k) * x / ((a + 2 * k - 1) * (a + 2 * k));
            else
                num = -(a + k) * (a + b + k) * x / ((a + 2 * k) * (a + 2 * k + 1));
            d = 1.0 + num * d;
            d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
            c = 1.0 + num / c;
            if (fabs(c) < tiny)
                c = tiny;
            h *= d * c;
            if (odd && fabs(d * c - 1.0) < eps)
                return h;
        }
    }
    return h;
}

double eb_stats_incbeta(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * incbeta_cf(a, b, x) / a;
    return 1.0 - exp(lfront) * incbeta_cf(b, a, 1.0 - x) / b;
}

/* P(T > |t|) = I_{df/(df+t^2)}(df/2, 1/2) / 2, computed directly so small tails keep their digits. */
static double t_upper_tail(double t, double df)
{
    if (isinf(t))
        return 0.0;
    return 0.5 * eb_stats_incbeta(df / 2, 0.5, df / (df + t * t));
}

double eb_stats_t_cdf(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    double tail = t_upper_tail(t, df);
    return t > 0 ? 1.0 - tail : tail;
}

eb_ttest_status_t eb_stats_ttest(const double *x, size_t n, double mu0, eb_ttest_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return EB_TTEST_NOT_FINITE;
    if (n < 2)
        return EB_TTEST_TOO_FEW;
    eb_ttest_t r = {.n = n, .mean = eb_stats_mean(x, n), .sd = eb_stats_sd(x, n)};
    double diff = r.mean - mu0, se = r.sd / sqrt((double)n);
    if (se > 0)
        r.t = diff / se;
    else
        r.t = diff > 0 ? INFINITY : diff < 0 ? -INFINITY : 0.0;
    double tail = t_upper_tail(r.t, (double)(n - 1));
    r.p_greater = r.t > 0 ? tail : 1.0 - tail;
    r.p_two_sided = 2.0 * tail;
    *out = r;
    return EB_TTEST_OK;
}
