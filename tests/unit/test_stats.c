/* Statistics against references nobody here wrote: printed Student-t tables (critical values), the
 * closed-form t CDFs for 1, 2 and 4 degrees of freedom, and binomial sums for the incomplete beta. */
#include "core/stats.h"
#include "tests/support/check.h"

#include <math.h>

static const double pi = 3.14159265358979323846;

TEST(incbeta_closed_forms)
{
    CHECK_NEAR(eb_stats_incbeta(1, 1, 0.3), 0.3, 1e-14);      /* uniform */
    CHECK_NEAR(eb_stats_incbeta(3, 1, 0.7), 0.343, 1e-14);    /* x^a */
    CHECK_NEAR(eb_stats_incbeta(5, 5, 0.5), 0.5, 1e-14);      /* symmetry */
    /* I_x(2,3) = sum_{j=2..4} C(4,j) x^j (1-x)^(4-j) = 0.5248 at x = 0.4 */
    CHECK_NEAR(eb_stats_incbeta(2, 3, 0.4), 0.5248, 1e-13);
    CHECK_NEAR(eb_stats_incbeta(2, 3, 0.9), 1 - 0.0037, 1e-13); /* 1 - (0.1^4 + 4*0.1^3*0.9) */
    CHECK_NEAR(eb_stats_incbeta(2, 3, 0.0), 0.0, 0);
    CHECK_NEAR(eb_stats_incbeta(2, 3, 1.0), 1.0, 0);
    CHECK(isnan(eb_stats_incbeta(0, 3, 0.5)));
    CHECK(isnan(eb_stats_incbeta(2, 3, 1.5)));
}

TEST(t_cdf_closed_forms)
{
    for (double t = -30; t <= 30; t += 0.37) {
        double c1 = 0.5 + atan(t) / pi;                               /* Cauchy */
        double c2 = 0.5 + t / (2 * sqrt(2 + t * t));                   /* df 2 */
        double x = t * t / (4 + t * t);                                /* df 4 */
        double c4 = 0.5 + 0.75 * sqrt(x) * (1 - x / 3) * (t < 0 ? -1 : 1);
        CHECK_NEAR(eb_stats_t_cdf(t, 1), c1, 1e-12);
        CHECK_NEAR(eb_stats_t_cdf(t, 2), c2, 1e-12);
        CHECK_NEAR(eb_stats_t_cdf(t, 4), c4, 1e-12);
    }
    CHECK_NEAR(eb_stats_t_cdf(0, 7), 0.5, 1e-15);
    CHECK_NEAR(eb_stats_t_cdf(INFINITY, 7), 1.0, 0);
    CHECK(isnan(eb_stats_t_cdf(1, 0)));
}

/* Critical values printed in every t table (3 decimals, so 1e-4 on the probability). */
TEST(t_cdf_table_values)
{
    CHECK_NEAR(eb_stats_t_cdf(6.314, 1), 0.95, 1e-4);
    CHECK_NEAR(eb_stats_t_cdf(1.812, 10), 0.95, 1e-4);
    CHECK_NEAR(eb_stats_t_cdf(2.228, 10), 0.975, 1e-4);
    CHECK_NEAR(eb_stats_t_cdf(4.032, 5), 0.995, 1e-4);
    CHECK_NEAR(eb_stats_t_cdf(2.042, 30), 0.975, 1e-4);
    CHECK_NEAR(eb_stats_t_cdf(1.645, 100000), 0.95, 1e-4);  /* the normal limit */
    CHECK_NEAR(eb_stats_t_cdf(-2.228, 10), 0.025, 1e-4);
}

TEST(ttest_one_sample)
{
    const double x[] = {1, 2, 3, 4, 5};
    eb_ttest_t r;
    CHECK_EQ_INT(eb_stats_ttest(x, 5, 0.0, &r), EB_TTEST_OK);
    CHECK_NEAR(r.mean, 3.0, 1e-15);
    CHECK_NEAR(r.sd, sqrt(2.5), 1e-15);
    CHECK_NEAR(r.t, 3.0 / sqrt(0.5), 1e-12);
    /* df 4 closed form at t = sqrt(18): P(T > t) = 0.5 - 0.75 sqrt(x)(1 - x/3), x = 18/22 */
    double xx = 18.0 / 22.0, tail = 0.5 - 0.75 * sqrt(xx) * (1 - xx / 3);
    CHECK_NEAR(r.p_greater, tail, 1e-12);
    CHECK_NEAR(r.p_two_sided, 2 * tail, 1e-12);
    CHECK(r.p_two_sided > 0.0132 && r.p_two_sided < 0.0133);
    /* a mean below mu0: the one-sided p for "greater" is large */
    CHECK_EQ_INT(eb_stats_ttest(x, 5, 4.0, &r), EB_TTEST_OK);
    CHECK(r.t < 0 && r.p_greater > 0.85 && r.p_greater < 0.9); /* t = -1.414, df 4: 0.885 */
}

TEST(ttest_edge_cases)
{
    eb_ttest_t r = {0};
    const double one[] = {1.0}, same[] = {2, 2, 2}, bad[] = {1, NAN, 3};
    CHECK_EQ_INT(eb_stats_ttest(one, 1, 0, &r), EB_TTEST_TOO_FEW);
    CHECK_EQ_INT(eb_stats_ttest(bad, 3, 0, &r), EB_TTEST_NOT_FINITE);
    CHECK_EQ_INT(r.n, 0); /* untouched on error */
    CHECK_EQ_INT(eb_stats_ttest(same, 3, 0, &r), EB_TTEST_OK);
    CHECK(isinf(r.t) && r.t > 0);
    CHECK_NEAR(r.p_greater, 0.0, 0);
    CHECK_EQ_INT(eb_stats_ttest(same, 3, 2, &r), EB_TTEST_OK);
    CHECK_NEAR(r.p_two_sided, 1.0, 0);
}

TEST(rng_reproducible_and_uniform)
{
    eb_rng_t a, b;
    eb_rng_seed(&a, 42);
    eb_rng_seed(&b, 42);
    int same = 1;
    double sum = 0;
    int low = 0, outside = 0;
    for (int i = 0; i < 100000; i++) {
        double u = eb_rng_uniform(&a);
        same &= u == eb_rng_uniform(&b);
        outside += !(u >= 0 && u < 1);
        sum += u;
        low += u < 0.25;
    }
    CHECK(same);
    CHECK_EQ_INT(outside, 0);
    CHECK_NEAR(sum / 100000, 0.5, 0.005);
    CHECK_NEAR(low / 100000.0, 0.25, 0.005);
    eb_rng_seed(&b, 43);
    CHECK(eb_rng_u64(&a) != eb_rng_u64(&b));
    /* splitmix64's published first output for seed 0 */
    eb_rng_seed(&a, 0);
    CHECK(eb_rng_u64(&a) == 0xE220A8397B1DCDAFull);
}

TEST(mean_sd)
{
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    CHECK_NEAR(eb_stats_mean(x, 8), 5.0, 0);
    CHECK_NEAR(eb_stats_sd(x, 8), sqrt(32.0 / 7.0), 1e-15);
    CHECK_NEAR(eb_stats_mean(x, 0), 0.0, 0);
    CHECK_NEAR(eb_stats_sd(x, 1), 0.0, 0);
}

int main(void)
{
    RUN(incbeta_closed_forms);
    RUN(t_cdf_closed_forms);
    RUN(t_cdf_table_values);
    RUN(ttest_one_sample);
    RUN(ttest_edge_cases);
    RUN(rng_reproducible_and_uniform);
    RUN(mean_sd);
    return eb_check_report();
}
