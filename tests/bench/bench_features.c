/* make bench: nanoseconds per bar of the streaming feature step (all 58) and of the indicators alone on
 * ../shared/data (synthetic bars when it is absent), beside the batch way polling bots do it: recompute
 * every feature over the last 300 bars on every bar (tests/support/naive_features.c), in the same run. */
#include "core/features.h"
#include "core/ind_atr.h"
#include "core/ind_bbands.h"
#include "core/ind_ema.h"
#include "core/ind_ichimoku.h"
#include "core/ind_rsi.h"
#include "core/ind_sma.h"
#include "tests/support/bars_load.h"
#include "tests/support/check.h"
#include "tests/support/naive_features.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WINDOW 300

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile double sink;

/* Best of `reps` passes over all bars, in ns per bar. */
static double time_features(const eb_bar_t *bars, size_t n, int reps)
{
    eb_feature_params_t p = eb_feature_params_default();
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size);
    double best = 1e30, out[EB_FEATURE_COUNT];
    for (int r = 0; r < reps; r++) {
        eb_features_t *f = eb_features_init(mem, size, &p);
        double t0 = now_ns(), acc = 0;
        for (size_t i = 0; i < n; i++)
            if (eb_features_step(f, &bars[i], out) == 1)
                acc += out[EB_F_ATR_PCT];
        double dt = (now_ns() - t0) / (double)n;
        sink = acc;
        best = dt < best ? dt : best;
    }
    free(mem);
    return best;
}

/* The indicators of `edgebox indicators`: RSI, ATR, SMA, EMA, Bollinger, Ichimoku. */
static double time_indicators(const eb_bar_t *bars, size_t n, int reps)
{
    eb_ichimoku_params_t ip = {9, 26, 52, 26};
    void *sm = malloc(eb_sma_size(20)), *bm = malloc(eb_bbands_size(20)), *im = malloc(eb_ichimoku_size(&ip));
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        eb_rsi_t rsi;
        eb_atr_t atr;
        eb_ema_t ema;
        eb_rsi_init(&rsi, 14);
        eb_atr_init(&atr, 14);
        eb_ema_init(&ema, 20);
        eb_sma_t *sma = eb_sma_init(sm, 20);
        eb_bbands_t *bb = eb_bbands_init(bm, 20, 2.0);
        eb_ichimoku_t *ich = eb_ichimoku_init(im, &ip);
        double t0 = now_ns(), acc = 0;
        for (size_t i = 0; i < n; i++) {
            const eb_bar_t *b = &bars[i];
            acc += eb_rsi_step(&rsi, b->close) + eb_atr_step(&atr, b->high, b->low, b->close);
            acc += eb_sma_step(sma, b->close) + eb_ema_step(&ema, b->close);
            acc += eb_bbands_step(bb, b->close).upper + eb_ichimoku_step(ich, b->high, b->low).senkou_a;
        }
        double dt = (now_ns() - t0) / (double)n;
        sink = acc;
        best = dt < best ? dt : best;
    }
    free(sm), free(bm), free(im);
    return best;
}

/* A polling bot: on each of `count` bars, all features over the last WINDOW bars, keep the last row. */
static double time_batch(const eb_bar_t *bars, size_t n, size_t count)
{
    eb_feature_params_t p = eb_feature_params_default();
    double *out = malloc(WINDOW * EB_FEATURE_COUNT * sizeof(double));
    int *ready = malloc(WINDOW * sizeof(int));
    size_t step = (n - WINDOW) / count;
    double t0 = now_ns(), acc = 0;
    for (size_t k = 0; k < count; k++) {
        size_t end = WINDOW + k * step;
        eb_naive_features(bars + end - WINDOW, WINDOW, &p, out, ready);
        acc += out[(WINDOW - 1) * EB_FEATURE_COUNT + EB_F_ATR_PCT];
    }
    double dt = (now_ns() - t0) / (double)count;
    sink = acc;
    free(out), free(ready);
    return dt;
}

int main(void)
{
    char buf[512];
    const char *path = eb_shared_path("data/BTCUSDT-5m-2020-12_2021-07.csv", buf, sizeof buf);
    size_t n = 65741;
    eb_bar_t *bars = path ? eb_test_load_bars(path, &n) : eb_test_synth_bars(n, 1, 0.001);
    if (!bars)
        return 1;
    printf("bars: %zu (%s)\n", n, path ? path : "synthetic: ../shared/data absent");
    double feat = time_features(bars, n, 5), ind = time_indicators(bars, n, 5);
    double batch = time_batch(bars, n, 400);
    printf("features, streaming (58 per bar):          %8.1f ns/bar  (goal <= 1000)\n", feat);
    printf("indicators alone, streaming (6 of them):   %8.1f ns/bar\n", ind);
    printf("features, batch recompute over %d bars:   %8.0f ns/bar  (reference: what polling bots do)\n", WINDOW, batch);
    printf("streaming is %.0fx cheaper than the batch recompute (goal >= 100x)\n", batch / feat);
    free(bars);
    int ok = feat <= 1000 && batch / feat >= 100;
    printf("%s\n", ok ? "goals met" : "GOALS NOT MET");
    return 0;
}
