/* Bollinger bands and Ichimoku by hand, including the displacement of the cloud (no look-ahead). */
#include "core/ind_bbands.h"
#include "core/ind_ichimoku.h"
#include "tests/support/check.h"

#include <stdlib.h>

TEST(bollinger_by_hand)
{
    void *mem = malloc(eb_bbands_size(3));
    eb_bbands_t *b = eb_bbands_init(mem, 3, 2);
    CHECK(isnan(eb_bbands_step(b, 1).middle));
    eb_bbands_step(b, 2);
    eb_bbands_value_t v = eb_bbands_step(b, 3);
    CHECK_NEAR(v.middle, 2, 1e-15);
    CHECK_NEAR(v.upper, 2 + 2 * sqrt(2.0 / 3), 1e-12); /* population std: divide by n */
    CHECK_NEAR(v.lower, 2 - 2 * sqrt(2.0 / 3), 1e-12);
    for (int i = 0; i < 3; i++)
        v = eb_bbands_step(b, 7);
    CHECK(v.upper == 7 && v.middle == 7 && v.lower == 7); /* flat: exact */
    CHECK(eb_bbands_init(mem, 3, -1) == NULL && eb_bbands_init(mem, 3, NAN) == NULL);
    free(mem);
}

/* H = t+2, L = t: tenkan(2) = t+0.5, kijun(3) = t, span A raw = t+0.25, span B raw(4) = t-0.5;
 * with D = 2 the cloud at t is A = t-1.75 (t >= 4), B = t-2.5 (t >= 5). */
TEST(ichimoku_by_hand)
{
    eb_ichimoku_params_t p = {2, 3, 4, 2};
    void *mem = malloc(eb_ichimoku_size(&p));
    eb_ichimoku_t *ich = eb_ichimoku_init(mem, &p);
    CHECK(ich != NULL);
    eb_ichimoku_value_t v[8];
    for (int t = 0; t < 8; t++)
        v[t] = eb_ichimoku_step(ich, t + 2, t);
    CHECK(isnan(v[0].tenkan) && v[1].tenkan == 1.5 && v[7].tenkan == 7.5);
    CHECK(isnan(v[1].kijun) && v[2].kijun == 2 && v[7].kijun == 7);
    CHECK(isnan(v[2].span_b_raw) && v[3].span_b_raw == 2.5);
    CHECK(isnan(v[3].senkou_a) && v[4].senkou_a == 2.25 && v[7].senkou_a == 5.25);
    CHECK(isnan(v[4].senkou_b) && v[5].senkou_b == 2.5 && v[7].senkou_b == 4.5);
    eb_ichimoku_params_t bad = {0, 3, 4, 2};
    CHECK(eb_ichimoku_size(&bad) == 0 && eb_ichimoku_init(mem, &bad) == NULL);
    free(mem);
}

/* The cloud at t never changes when later bars arrive: feed two streams that agree up to t. */
TEST(cloud_uses_no_later_bar)
{
    eb_ichimoku_params_t p = {9, 26, 52, 26};
    void *m1 = malloc(eb_ichimoku_size(&p)), *m2 = malloc(eb_ichimoku_size(&p));
    eb_ichimoku_t *a = eb_ichimoku_init(m1, &p), *b = eb_ichimoku_init(m2, &p);
    int same = 1;
    for (int t = 0; t < 200; t++) {
        double h = 100 + (t * 37 % 11), l = h - 1 - (t % 3);
        eb_ichimoku_value_t x = eb_ichimoku_step(a, h, l), y = eb_ichimoku_step(b, h, l);
        same &= (isnan(x.senkou_b) && isnan(y.senkou_b)) || x.senkou_b == y.senkou_b;
    }
    eb_ichimoku_value_t x = eb_ichimoku_step(a, 1000, 999); /* a huge bar only on a */
    CHECK(same);
    CHECK(x.tenkan > 500 && x.senkou_a < 200 && x.senkou_b < 200);
    free(m1), free(m2);
}

int main(void)
{
    RUN(bollinger_by_hand);
    RUN(ichimoku_by_hand);
    RUN(cloud_uses_no_later_bar);
    return eb_check_report();
}
