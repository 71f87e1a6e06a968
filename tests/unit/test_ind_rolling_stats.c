/* Rolling mean/std and rolling Pearson correlation: by hand, flat windows (exact), long streams. */
#include "core/ind_correlation.h"
#include "core/ind_rolling_stats.h"
#include "tests/support/check.h"
#include "tests/support/naive_features.h"

#include <stdlib.h>

TEST(stats_by_hand)
{
    char mem[256];
    eb_rstats_t *r = eb_rstats_init(mem, 4);
    double x[4] = {2, 4, 4, 6};
    for (int i = 0; i < 4; i++) {
        CHECK(isnan(eb_rstats_mean(r)));
        eb_rstats_push(r, x[i]);
    }
    CHECK_NEAR(eb_rstats_mean(r), 4, 1e-15);
    CHECK_NEAR(eb_rstats_std(r), sqrt(2.0), 1e-15); /* (4+0+0+4)/4 */
    CHECK_NEAR(eb_rstats_back(r, 0), 6, 0);
    CHECK_NEAR(eb_rstats_back(r, 3), 2, 0);
    for (int i = 0; i < 4; i++)
        eb_rstats_push(r, 0.1);
    CHECK(eb_rstats_mean(r) == 0.1 && eb_rstats_std(r) == 0); /* flat: exact */
}

TEST(stats_track_prices_and_tiny_spreads)
{
    enum { N = 100000, W = 20 };
    double *x = malloc(N * sizeof(double));
    char *mem = malloc(eb_rstats_size(W));
    eb_rstats_t *r = eb_rstats_init(mem, W);
    srand(4);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        /* prices near 30000, with stretches whose spread is 1e-5 of the level (the two-pass reference itself
         * loses digits much below that) */
        double scale = (i / 1000) % 2 ? 1 : 30;
        x[i] = 30000 + scale * ((double)rand() / RAND_MAX - 0.5);
        eb_rstats_push(r, x[i]);
        if (i >= W - 1) {
            double sd = eb_naive_std(x, (size_t)i, W);
            worst = fmax(worst, fabs(eb_rstats_std(r) - sd) / sd);
            worst = fmax(worst, fabs(eb_rstats_mean(r) - eb_naive_mean(x, (size_t)i, W)) / 30000);
        }
    }
    CHECK_MSG(worst <= 1e-9, "worst relative error %g", worst);
    free(x), free(mem);
}

TEST(correlation_by_hand)
{
    char mem[512];
    eb_corr_t *c = eb_corr_init(mem, 3);
    CHECK(isnan(eb_corr_step(c, 1, 2)));
    CHECK(isnan(eb_corr_step(c, 2, 4)));
    CHECK_NEAR(eb_corr_step(c, 3, 6), 1, 1e-15);
    c = eb_corr_init(mem, 3);
    eb_corr_step(c, 1, 6), eb_corr_step(c, 2, 4);
    CHECK_NEAR(eb_corr_step(c, 3, 2), -1, 1e-15);
    eb_corr_step(c, 4, 0), eb_corr_step(c, 5, 0);
    CHECK_NEAR(eb_corr_step(c, 6, 0), 0, 0); /* y flat (zero volume): zero denominator -> 0 */
    c = eb_corr_init(mem, 3);
    eb_corr_step(c, 1, 1), eb_corr_step(c, 2, 3);
    CHECK_NEAR(eb_corr_step(c, 3, 2), 0.5, 1e-15); /* cov 1/3, var 2/3 each */
}

TEST(correlation_long_stream)
{
    enum { N = 50000, W = 10 };
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    char *mem = malloc(eb_corr_size(W));
    eb_corr_t *c = eb_corr_init(mem, W);
    srand(5);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        x[i] = 50 + 5 * ((double)rand() / RAND_MAX);
        y[i] = i % 97 < 12 ? 0 : 500 + 300 * ((double)rand() / RAND_MAX) + 10 * x[i];
        double r = eb_corr_step(c, x[i], y[i]);
        if (i >= W - 1)
            worst = fmax(worst, fabs(r - eb_naive_corr(x, y, (size_t)i, W)));
    }
    CHECK_MSG(worst <= 1e-9, "worst absolute error %g", worst);
    free(x), free(y), free(mem);
}

int main(void)
{
    RUN(stats_by_hand);
    RUN(stats_track_prices_and_tiny_spreads);
    RUN(correlation_by_hand);
    RUN(correlation_long_stream);
    return eb_check_report();
}
