/* Synthetic bars: deterministic, valid, time-ordered, with clustered volatility and optional gaps. */
#include "core/synth.h"
#include "tests/support/check.h"

#include <math.h>

TEST(same_seed_same_bars)
{
    eb_synth_params_t p = eb_synth_params_default();
    eb_synth_t a, b;
    p.seed = 99;
    eb_synth_init(&a, &p);
    eb_synth_init(&b, &p);
    int same = 1;
    for (int i = 0; i < 5000; i++) {
        eb_bar_t x, y;
        eb_synth_next(&a, &x);
        eb_synth_next(&b, &y);
        same &= memcmp(&x, &y, sizeof x) == 0;
    }
    CHECK(same);
    p.seed = 100;
    eb_synth_init(&b, &p);
    eb_bar_t x, y;
    eb_synth_next(&a, &x);
    eb_synth_next(&b, &y);
    CHECK(x.close != y.close);
}

/* A fixed point of the stream: a change to the generator shows up here, so demos stay comparable. */
TEST(first_bar_is_pinned)
{
    eb_synth_params_t p = eb_synth_params_default();
    p.seed = 7;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    eb_bar_t b;
    eb_synth_next(&s, &b);
    CHECK_EQ_INT(b.open_time_ms, 1609459200000);
    CHECK_NEAR(b.open, 30000.0, 0);
    CHECK_NEAR(b.high, 30026.56, 0.005);
    CHECK_NEAR(b.low, 29963.78, 0.005);
    CHECK_NEAR(b.close, 29987.66, 0.005);
}

TEST(bars_are_valid_and_ordered)
{
    eb_synth_params_t p = eb_synth_params_default();
    eb_synth_t s;
    eb_synth_init(&s, &p);
    int invalid = 0, unordered = 0, gaps = 0;
    int64_t prev = -1;
    for (int i = 0; i < 100000; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        invalid += eb_bar_check(&b) != EB_BAR_OK;
        if (prev >= 0) {
            unordered += b.open_time_ms <= prev;
            gaps += b.open_time_ms != prev + p.interval_ms;
        }
        prev = b.open_time_ms;
    }
    CHECK_EQ_INT(invalid, 0);
    CHECK_EQ_INT(unordered, 0);
    CHECK_EQ_INT(gaps, 0);
}

TEST(gaps_when_asked)
{
    eb_synth_params_t p = eb_synth_params_default();
    p.gap_prob = 0.01;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    int gaps = 0;
    int64_t prev = -1;
    for (int i = 0; i < 10000; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        if (prev >= 0 && b.open_time_ms != prev + p.interval_ms)
            gaps++;
        prev = b.open_time_ms;
    }
    CHECK(gaps > 50 && gaps < 200); /* about 1% */
}

/* Volatility clustering: |returns| are positively autocorrelated, plain returns are not. */
TEST(volatility_clusters)
{
    eb_synth_params_t p = eb_synth_params_default();
    eb_synth_t s;
    eb_synth_init(&s, &p);
    enum { N = 50000 };
    static double r[N];
    double prev = p.start_price;
    for (int i = 0; i < N; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        r[i] = log(b.close / prev);
        prev = b.close;
    }
    double ma = 0, m = 0;
    for (int i = 0; i < N; i++) {
        ma += fabs(r[i]) / N;
        m += r[i] / N;
    }
    double ca = 0, va = 0, c = 0, v = 0;
    for (int i = 1; i < N; i++) {
        ca += (fabs(r[i]) - ma) * (fabs(r[i - 1]) - ma);
        va += (fabs(r[i]) - ma) * (fabs(r[i]) - ma);
        c += (r[i] - m) * (r[i - 1] - m);
        v += (r[i] - m) * (r[i] - m);
    }
    CHECK_MSG(ca / va > 0.05, "abs-return autocorrelation %.3f", ca / va);
    CHECK_MSG(fabs(c / v) < 0.03, "return autocorrelation %.3f", c / v);
}

int main(void)
{
    RUN(same_seed_same_bars);
    RUN(first_bar_is_pinned);
    RUN(bars_are_valid_and_ordered);
    RUN(gaps_when_asked);
    RUN(volatility_clusters);
    return eb_check_report();
}
