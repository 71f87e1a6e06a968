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

/* The trend knob: mean log return per bar in the up and down regimes is +-trend x base_vol, and the range
 * regime has none; the default (0.05) keeps the stream pinned above. */
static void regime_means(double trend, double mean[3])
{
    eb_synth_params_t p = eb_synth_params_default();
    p.trend = trend;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    double sum[3] = {0}, n[3] = {0}, prev = p.start_price;
    for (int i = 0; i < 400000; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        sum[s.regime] += log(b.close / prev);
        n[s.regime]++;
        prev = b.close;
    }
    for (int k = 0; k < 3; k++)
        mean[k] = n[k] > 0 ? sum[k] / n[k] / p.base_vol : NAN;
}

TEST(trend_sets_the_regime_drift)
{
    double m[3];
    regime_means(0.3, m);
    CHECK_MSG(fabs(m[EB_REGIME_UP] - 0.3) < 0.06, "up regime drift %.3f sigma (want 0.3)", m[EB_REGIME_UP]);
    CHECK_MSG(fabs(m[EB_REGIME_DOWN] + 0.3) < 0.06, "down regime drift %.3f sigma (want -0.3)", m[EB_REGIME_DOWN]);
    CHECK_MSG(fabs(m[EB_REGIME_RANGE]) < 0.06, "range regime drift %.3f sigma (want 0)", m[EB_REGIME_RANGE]);
    regime_means(0.0, m);
    CHECK_MSG(fabs(m[EB_REGIME_UP]) < 0.06 && fabs(m[EB_REGIME_DOWN]) < 0.06, "trend 0: %.3f %.3f", m[EB_REGIME_UP],
              m[EB_REGIME_DOWN]);
    CHECK_NEAR(eb_synth_params_default().trend, 0.05, 0);
}

int main(void)
{
    RUN(same_seed_same_bars);
    RUN(first_bar_is_pinned);
    RUN(bars_are_valid_and_ordered);
    RUN(gaps_when_asked);
    RUN(volatility_clusters);
    RUN(trend_sets_the_regime_drift);
    return eb_check_report();
}
