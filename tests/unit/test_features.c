/* The streaming feature engine against the naive reference (tests/support/naive_features.c) on generated
 * and real bars, no look-ahead (truncated inputs give the same rows), and its API contract. */
#include "core/feature_schema.h"
#include "core/features.h"
#include "tests/support/bars_load.h"
#include "tests/support/check.h"
#include "tests/support/naive_features.h"

#include <math.h>
#include <stdlib.h>

/* Runs the engine over bars; rows and ready flags as the naive reference lays them out. */
static void stream(const eb_bar_t *bars, size_t n, const eb_feature_params_t *p, double *out, int *ready)
{
    size_t size = eb_features_state_size(p);
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, p);
    for (size_t i = 0; i < n; i++)
        ready[i] = eb_features_step(f, &bars[i], out + i * EB_FEATURE_COUNT);
    free(mem);
}

static int close_enough(double a, double b)
{
    return a == b || (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* Every ready row, every feature; prints the first few differences. */
static void compare(const char *what, const eb_bar_t *bars, size_t n, const eb_feature_params_t *p)
{
    double *a = malloc(n * EB_FEATURE_COUNT * sizeof(double)), *b = malloc(n * EB_FEATURE_COUNT * sizeof(double));
    int *ra = malloc(n * sizeof(int)), *rb = malloc(n * sizeof(int));
    stream(bars, n, p, a, ra);
    CHECK(eb_naive_features(bars, n, p, b, rb) == 0);
    long bad_ready = 0, bad[EB_FEATURE_COUNT] = {0}, rows = 0;
    for (size_t i = 0; i < n; i++) {
        bad_ready += ra[i] != rb[i];
        if (!ra[i] || !rb[i])
            continue;
        rows++;
        for (int j = 0; j < EB_FEATURE_COUNT; j++) {
            double x = a[i * EB_FEATURE_COUNT + j], y = b[i * EB_FEATURE_COUNT + j];
            if (!close_enough(x, y) && bad[j]++ < 3)
                fprintf(stderr, "%s: bar %zu %s: stream %.17g naive %.17g\n", what, i, eb_feature_names[j], x, y);
        }
    }
    CHECK_MSG(bad_ready == 0, "%s: ready flags differ on %ld bars", what, bad_ready);
    CHECK_MSG(rows > 0, "%s: no ready rows", what);
    for (int j = 0; j < EB_FEATURE_COUNT; j++)
        CHECK_MSG(bad[j] == 0, "%s: %s differs on %ld of %ld rows", what, eb_feature_names[j], bad[j], rows);
    free(a), free(b), free(ra), free(rb);
}

TEST(matches_naive_on_generated_bars)
{
    eb_feature_params_t p = eb_feature_params_default();
    eb_bar_t *bars = eb_test_synth_bars(3000, 11, 0.0);
    compare("synth seed 11", bars, 3000, &p);
    free(bars);
    bars = eb_test_synth_bars(3000, 12, 0.02);
    compare("synth seed 12 with gaps", bars, 3000, &p);
    free(bars);
    eb_feature_params_t q = {10, 28, 56, 30, 7, 28};
    bars = eb_test_synth_bars(2000, 13, 0.0);
    compare("synth other periods", bars, 2000, &q);
    free(bars);
}

TEST(matches_naive_on_real_bars)
{
    char buf[512];
    const char *path = eb_shared_path("data/BTCUSDT-5m-2020-12_2021-07.csv", buf, sizeof buf);
    if (!path) {
        CHECK_SKIP("../shared/data absent");
        return;
    }
    size_t n;
    eb_bar_t *bars = eb_test_load_bars(path, &n);
    CHECK(bars != NULL && n == 65741);
    eb_feature_params_t p = eb_feature_params_default();
    if (bars)
        compare("BTCUSDT 5m", bars, n, &p);
    free(bars);
}

/* No feature at bar t may depend on bars after t: the row of bar t is the same whether the input stops at t
 * or goes on, for the engine (bit for bit) and for the reference. */
TEST(no_lookahead_under_truncation)
{
    const size_t n = 1200;
    eb_feature_params_t p = eb_feature_params_default();
    eb_bar_t *bars = eb_test_synth_bars(n, 5, 0.01);
    double *full = malloc(n * EB_FEATURE_COUNT * sizeof(double)), *cut = malloc(n * EB_FEATURE_COUNT * sizeof(double));
    double *nfull = malloc(n * EB_FEATURE_COUNT * sizeof(double)), *ncut = malloc(n * EB_FEATURE_COUNT * sizeof(double));
    int *rf = malloc(n * sizeof(int)), *rc = malloc(n * sizeof(int));
    stream(bars, n, &p, full, rf);
    eb_naive_features(bars, n, &p, nfull, rf);
    srand(3);
    int same = 1, nsame = 1, cuts = 0;
    for (int k = 0; k < 25; k++) {
        size_t m = 300 + (size_t)rand() % (n - 300);
        stream(bars, m, &p, cut, rc);
        eb_naive_features(bars, m, &p, ncut, rc);
        const double *x = full + (m - 1) * EB_FEATURE_COUNT, *y = cut + (m - 1) * EB_FEATURE_COUNT;
        const double *nx = nfull + (m - 1) * EB_FEATURE_COUNT, *ny = ncut + (m - 1) * EB_FEATURE_COUNT;
        same &= memcmp(x, y, EB_FEATURE_COUNT * sizeof(double)) == 0;
        for (int j = 0; j < EB_FEATURE_COUNT; j++)
            nsame &= close_enough(nx[j], ny[j]);
        cuts++;
    }
    CHECK(same);
    CHECK(nsame);
    CHECK_EQ_INT(cuts, 25);
    free(bars), free(full), free(cut), free(nfull), free(ncut), free(rf), free(rc);
}

TEST(ready_exactly_at_warmup)
{
    eb_feature_params_t p = eb_feature_params_default();
    CHECK_EQ_INT(eb_features_warmup_bars(&p), 270); /* ATR(14) at bar 14, 252 atr_pct values, 5 low-vol bars */
    eb_feature_params_t q = {8, 24, 48, 1, 7, 7};
    CHECK_EQ_INT(eb_features_warmup_bars(&q), 7 + 255 + 1);
    eb_bar_t *bars = eb_test_synth_bars(400, 2, 0);
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, &p);
    double out[EB_FEATURE_COUNT];
    int first = -1;
    for (int i = 0; i < 400; i++)
        if (eb_features_step(f, &bars[i], out) == 1 && first < 0)
            first = i;
    CHECK_EQ_INT(first + 1, 270);
    CHECK_EQ_INT(eb_features_bars(f), 400);
    CHECK_NEAR(eb_features_close(f), bars[399].close, 0);
    free(mem);
    free(bars);
}

TEST(memory_is_the_callers)
{
    eb_feature_params_t p = eb_feature_params_default(), big = {10, 28, 56, 52, 28, 28};
    size_t size = eb_features_state_size(&p);
    CHECK(size > 0 && size < 64 * 1024);
    CHECK(eb_features_state_size(&big) > size); /* grows with the periods */
    char *mem = malloc(size + 1);
    CHECK(eb_features_init(mem + 1, size - 1, &p) == NULL); /* one byte short */
    CHECK(eb_features_init(NULL, size, &p) == NULL);
    eb_feature_params_t bad = p;
    bad.rsi = 15;
    CHECK_EQ_INT(eb_features_state_size(&bad), 0);
    CHECK(eb_features_init(mem, size, &bad) == NULL);
    /* An odd address works: the engine aligns inside the size it asked for. */
    eb_features_t *f = eb_features_init(mem + 1, size, &p);
    CHECK(f != NULL);
    CHECK((char *)f >= mem + 1 && (uintptr_t)f % 8 == 0);
    free(mem);
}

TEST(bad_bars_are_refused_and_change_nothing)
{
    eb_feature_params_t p = eb_feature_params_default();
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size), *copy = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, &p);
    eb_bar_t *bars = eb_test_synth_bars(50, 4, 0);
    double out[EB_FEATURE_COUNT];
    for (int i = 0; i < 50; i++)
        eb_features_step(f, &bars[i], out);
    memcpy(copy, mem, size);
    eb_bar_t b = bars[49];
    CHECK_EQ_INT(eb_features_step(f, &b, out), -1); /* same time again */
    b.open_time_ms -= 1;
    CHECK_EQ_INT(eb_features_step(f, &b, out), -1); /* back in time */
    b = bars[49];
    b.open_time_ms += 300000;
    b.low = b.high + 1; /* H < L */
    CHECK_EQ_INT(eb_features_step(f, &b, out), -1);
    b = bars[49];
    b.open_time_ms += 300000;
    b.volume = -1;
    CHECK_EQ_INT(eb_features_step(f, &b, out), -1);
    b.volume = NAN;
    CHECK_EQ_INT(eb_features_step(f, &b, out), -1);
    CHECK(memcmp(copy, mem, size) == 0);
    CHECK_EQ_INT(eb_features_bars(f), 50);
    free(mem), free(copy), free(bars);
}

TEST(accessors_follow_the_reference)
{
    const size_t n = 600;
    eb_feature_params_t p = eb_feature_params_default();
    p.atr = 21;
    p.rsi = 7;
    eb_bar_t *bars = eb_test_synth_bars(n, 8, 0);
    double *atr = malloc(n * sizeof(double)), *rsi = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        c[i] = bars[i].close;
    eb_naive_atr(bars, n, 21, atr);
    eb_naive_rsi(c, n, 7, rsi);
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, &p);
    double out[EB_FEATURE_COUNT];
    CHECK(isnan(eb_features_atr(f)) && isnan(eb_features_atr_mean(f)) && isnan(eb_features_close(f)));
    int ok = 1;
    for (size_t t = 0; t < n; t++) {
        eb_features_step(f, &bars[t], out);
        double mean = eb_naive_mean(atr, t, EB_FEATURES_ATR_HISTORY);
        ok &= isnan(atr[t]) ? isnan(eb_features_atr(f)) : fabs(eb_features_atr(f) - atr[t]) <= 1e-9 * atr[t];
        ok &= isnan(rsi[t]) ? isnan(eb_features_rsi(f)) : fabs(eb_features_rsi(f) - rsi[t]) <= 1e-9 * 100;
        ok &= isnan(mean) ? isnan(eb_features_atr_mean(f)) : fabs(eb_features_atr_mean(f) - mean) <= 1e-9 * mean;
        ok &= eb_features_close(f) == bars[t].close;
    }
    CHECK(ok);
    CHECK(!isnan(eb_features_atr_mean(f)));
    free(mem), free(bars), free(atr), free(rsi), free(c);
}

int main(void)
{
    RUN(matches_naive_on_generated_bars);
    RUN(matches_naive_on_real_bars);
    RUN(no_lookahead_under_truncation);
    RUN(ready_exactly_at_warmup);
    RUN(memory_is_the_callers);
    RUN(bad_bars_are_refused_and_change_nothing);
    RUN(accessors_follow_the_reference);
    return eb_check_report();
}
