/* SMA (TA-Lib: first value once n values are in) and EMA (alpha 2/(n+1), SMA seed at value n-1). */
#include "core/ind_ema.h"
#include "core/ind_sma.h"
#include "tests/support/check.h"
#include "tests/support/naive_features.h"

#include <stdlib.h>

TEST(sma_by_hand)
{
    char mem[256];
    CHECK(eb_sma_size(3) <= sizeof mem);
    eb_sma_t *s = eb_sma_init(mem, 3);
    CHECK(isnan(eb_sma_step(s, 1)));
    CHECK(isnan(eb_sma_step(s, 2)));
    CHECK_NEAR(eb_sma_step(s, 3), 2, 0);
    CHECK_NEAR(eb_sma_step(s, 4), 3, 0);
    CHECK_NEAR(eb_sma_step(s, 11), 6, 0);
    CHECK(eb_sma_init(mem, 0) == NULL && eb_sma_size(0) == 0 && eb_sma_size(-3) == 0);
}

TEST(ema_by_hand)
{
    eb_ema_t e;
    CHECK(eb_ema_init(&e, 3) != NULL); /* alpha = 0.5 */
    CHECK(isnan(eb_ema_step(&e, 1)));
    CHECK(isnan(eb_ema_step(&e, 2)));
    CHECK_NEAR(eb_ema_step(&e, 3), 2, 0); /* seed: SMA(1,2,3) */
    CHECK_NEAR(eb_ema_step(&e, 4), 3, 0);
    CHECK_NEAR(eb_ema_step(&e, 10), 6.5, 0);
    CHECK(eb_ema_init(&e, 0) == NULL);
}

/* A long random walk around 30000: the running sum never drifts from the direct mean. */
TEST(long_streams_match_the_definition)
{
    enum { N = 200000 };
    double *x = malloc(N * sizeof(double)), *sma = malloc(N * sizeof(double)), *ema = malloc(N * sizeof(double));
    srand(1);
    x[0] = 30000;
    for (int i = 1; i < N; i++)
        x[i] = x[i - 1] * (1 + ((double)rand() / RAND_MAX - 0.5) * 0.01);
    eb_naive_sma(x, N, 20, sma);
    eb_naive_ema(x, N, 20, ema);
    void *mem = malloc(eb_sma_size(20));
    eb_sma_t *s = eb_sma_init(mem, 20);
    eb_ema_t e;
    eb_ema_init(&e, 20);
    double worst_s = 0, worst_e = 0;
    for (int i = 0; i < N; i++) {
        double a = eb_sma_step(s, x[i]), b = eb_ema_step(&e, x[i]);
        if (i >= 19) {
            worst_s = fmax(worst_s, fabs(a - sma[i]) / sma[i]);
            worst_e = fmax(worst_e, fabs(b - ema[i]) / ema[i]);
        }
    }
    CHECK_MSG(worst_s <= 1e-12, "sma worst relative error %g", worst_s);
    CHECK_MSG(worst_e <= 1e-12, "ema worst relative error %g", worst_e);
    free(x), free(sma), free(ema), free(mem);
}

int main(void)
{
    RUN(sma_by_hand);
    RUN(ema_by_hand);
    RUN(long_streams_match_the_definition);
    return eb_check_report();
}
