/* Wilder RSI and ATR by hand (SPEC section 3 / TA-Lib formulas), flat and gapped input. */
#include "core/ind_atr.h"
#include "core/ind_rsi.h"
#include "tests/support/check.h"

TEST(rsi_by_hand)
{
    eb_rsi_t r;
    CHECK(eb_rsi_init(&r, 2) != NULL);
    CHECK(isnan(eb_rsi_step(&r, 1)));
    CHECK(isnan(eb_rsi_step(&r, 2)));            /* one change: not yet */
    CHECK_NEAR(eb_rsi_step(&r, 1), 50, 1e-12);   /* g = (1+0)/2, l = (0+1)/2 */
    CHECK_NEAR(eb_rsi_step(&r, 3), 100 * 1.25 / 1.5, 1e-12); /* g = (0.5+2)/2, l = (0.5+0)/2 */
    CHECK_NEAR(eb_rsi_step(&r, 3), 100 * 0.625 / 0.75, 1e-12); /* no change: both halve */
}

TEST(rsi_boundaries)
{
    eb_rsi_t r;
    eb_rsi_init(&r, 3);
    for (int i = 0; i < 3; i++)
        eb_rsi_step(&r, 5);
    CHECK_NEAR(eb_rsi_step(&r, 5), 100, 0); /* flat: no loss -> 100 (SPEC; TA-Lib would say 0) */
    eb_rsi_init(&r, 3);
    for (int i = 0; i < 4; i++)
        eb_rsi_step(&r, 10 - i);
    CHECK_NEAR(eb_rsi_step(&r, 1), 0, 0); /* only losses */
    CHECK(eb_rsi_init(&r, 0) == NULL);
}

TEST(atr_by_hand)
{
    eb_atr_t a;
    CHECK(eb_atr_init(&a, 2) != NULL);
    CHECK(isnan(eb_atr_step(&a, 10, 8, 9)));
    CHECK(isnan(eb_atr_step(&a, 11, 9, 10)));      /* TR1 = 2 */
    CHECK_NEAR(eb_atr_step(&a, 12, 10, 11), 2, 0); /* TR2 = 2; mean(TR1, TR2) */
    CHECK_NEAR(eb_atr_step(&a, 13, 9, 10), 3, 0);  /* TR3 = 4; (2*1 + 4)/2 */
    CHECK_NEAR(eb_atr_step(&a, 15, 14, 14.5), 4, 0); /* gap up: TR = |15-10| = 5; (3+5)/2 */
}

TEST(true_range_cases)
{
    CHECK_NEAR(eb_true_range(12, 10, NAN), 2, 0);
    CHECK_NEAR(eb_true_range(12, 10, 11), 2, 0);
    CHECK_NEAR(eb_true_range(12, 10, 20), 10, 0); /* gap down */
    CHECK_NEAR(eb_true_range(12, 10, 5), 7, 0);   /* gap up */
    CHECK_NEAR(eb_true_range(7, 7, 7), 0, 0);     /* zero-range bar, no gap */
}

int main(void)
{
    RUN(rsi_by_hand);
    RUN(rsi_boundaries);
    RUN(atr_by_hand);
    RUN(true_range_cases);
    return eb_check_report();
}
