/* The Monte Carlo gate tests the model (issue 13 item 4): on a falling market random sells make money, so
 * the seed's random-entry test passes for any model that sells; the gate must still fail a constant
 * model, a one-split model ("sell when the bar is red") and a model trained on shuffled labels, and pass
 * a model that does know the future. The real bars of ../shared/data (May 2021 on 1h bars, the issue's
 * case) are used too when present. */
#include "core/labels.h"
#include "core/stats.h"
#include "tests/support/check.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/validate/montecarlo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gapless 1h bars of a random walk with a constant drift per bar (no autocorrelation: a bar's colour says
 * nothing about the next bars). */
static eb_bar_t *drift_walk(size_t n, uint64_t seed, double drift, double vol)
{
    eb_bar_t *b = malloc(n * sizeof *b);
    eb_rng_t r;
    eb_rng_seed(&r, seed);
    double price = 20000;
    for (size_t i = 0; b && i < n; i++) {
        /* a sum of 4 uniforms: close enough to normal for a price path */
        double z = 0;
        for (int k = 0; k < 4; k++)
            z += eb_rng_uniform(&r) - 0.5;
        z *= sqrt(3.0);
        double open = price, close = open * exp(drift + vol * z);
        double wick_hi = vol * 0.5 * eb_rng_uniform(&r), wick_lo = vol * 0.5 * eb_rng_uniform(&r);
        b[i] = (eb_bar_t){.open_time_ms = 1609459200000LL + (int64_t)i * 3600000, .open = open,
                          .high = fmax(open, close) * exp(wick_hi), .low = fmin(open, close) * exp(-wick_lo),
                          .close = close, .volume = 100 + 50 * eb_rng_uniform(&r)};
        price = close;
    }
    return b;
}

static void build(const eb_bar_t *bars, size_t n, eb_dataset_t *ds)
{
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    eb_train_costs_t costs;
    eb_train_costs_default(&costs);
    eb_feature_params_t fp = eb_feature_params_default();
    char err[256] = "";
    CHECK_MSG(eb_dataset_build(bars, n, &fp, &c, &costs, ds, err, sizeof err) == 0, "%s", err);
}

static eb_mc_result_t gate(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi)
{
    eb_wf_sim_params_t sim;
    eb_wf_sim_params_default(&sim);
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    p.runs = 500;
    eb_mc_result_t r;
    char err[256] = "";
    CHECK_MSG(eb_mc_run(ds, sig, lo, hi, &sim, &p, &r, err, sizeof err) == 0, "%s", err);
    return r;
}

/* sig for bars [lo, hi): the one-split model, sell when the bar closed below its open */
static void red_bar(const eb_dataset_t *ds, size_t lo, size_t hi, int8_t *sig)
{
    for (size_t t = lo; t < hi; t++)
        sig[t - lo] = (int8_t)(ds->bars[t].close < ds->bars[t].open ? -1 : 0);
}

static const size_t N = 5000, LO = 3000;

/* A falling market of N bars, its dataset and room for the signals of the window [LO, N). */
typedef struct {
    eb_bar_t *bars;
    eb_dataset_t ds;
    int8_t *sig;
} market_t;

static void market_open(market_t *m, uint64_t seed)
{
    m->bars = drift_walk(N, seed, -0.0015, 0.006);
    build(m->bars, N, &m->ds);
    m->sig = malloc(N - LO);
}

static void market_close(market_t *m, eb_mc_result_t *r)
{
    eb_mc_result_free(r);
    free(m->sig);
    eb_dataset_free(&m->ds);
    free(m->bars);
}

TEST(constant_model_is_refused)
{
    market_t m;
    market_open(&m, 11);
    memset(m.sig, -1, N - LO); /* always sell */
    eb_mc_result_t r = gate(&m.ds, m.sig, LO, N);
    CHECK(r.random_pass); /* the seed's test alone passes it: that is the defect */
    CHECK(r.baseline.expectancy > 0);
    CHECK(r.degenerate);
    CHECK(!r.pass);
    CHECK_MSG(strstr(r.reason, "class frequency of sell is 1") != NULL, "%s", r.reason);
    eb_mc_result_free(&r);
    memset(m.sig, 0, N - LO); /* never a signal: none has frequency 1 */
    r = gate(&m.ds, m.sig, LO, N);
    CHECK(r.degenerate && !r.pass && r.model_p == 1);
    CHECK_MSG(strstr(r.reason, "gave no signal") != NULL, "%s", r.reason);
    market_close(&m, &r);
}

TEST(one_split_model_fails)
{
    market_t m;
    market_open(&m, 12);
    red_bar(&m.ds, LO, N, m.sig);
    eb_mc_result_t r = gate(&m.ds, m.sig, LO, N);
    CHECK(r.p_sell > 0.3 && r.p_sell < 0.7);
    CHECK(r.random_pass);
    CHECK(r.baseline.expectancy > 0); /* it makes money: so does selling at random */
    CHECK(!r.degenerate);
    CHECK(!r.model_beats);
    CHECK(r.model_p >= 0.05 && r.model_p <= 1);
    CHECK(!r.pass);
    CHECK_MSG(strstr(r.reason, "does not beat random signals") != NULL, "%s", r.reason);
    market_close(&m, &r);
}

TEST(shuffled_label_model_fails)
{
    market_t m;
    market_open(&m, 13);
    eb_dataset_t *ds = &m.ds;
    /* shuffle the labels of the labelled training rows (Fisher-Yates, seeded) */
    size_t *idx = malloc(LO * sizeof *idx), rows = 0;
    for (size_t t = 0; t < LO; t++)
        if (ds->label[t] != EB_LABEL_NONE)
            idx[rows++] = t;
    eb_rng_t rng;
    eb_rng_seed(&rng, 99);
    for (size_t i = rows; i > 1; i--) {
        size_t j = (size_t)(eb_rng_u64(&rng) % i);
        int8_t tmp = ds->label[idx[i - 1]];
        ds->label[idx[i - 1]] = ds->label[idx[j]];
        ds->label[idx[j]] = tmp;
    }
    free(idx);
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    eb_hparams_t hp = {.learning_rate = 0.1, .max_leaves = 16, .min_child_weight = 10, .rounds = 40,
                       .early_stopping = 10, .max_bin = 64, .seed = 1};
    eb_trained_t t;
    char err[256] = "";
    CHECK_MSG(eb_train_window(ds, 0, LO, &c, &hp, &t, err, sizeof err) == 0, "%s", err);
    CHECK_MSG(eb_train_signals(ds, t.blob, t.blob_len, LO, N, m.sig, NULL, err, sizeof err) == 0, "%s", err);
    eb_mc_result_t r = gate(ds, m.sig, LO, N);
    CHECK(r.p_buy + r.p_sell > 0);
    CHECK(!r.pass);
    CHECK(r.degenerate || !r.model_beats);
    CHECK(r.random_pass); /* the old gate passed it */
    eb_trained_free(&t);
    market_close(&m, &r);
}

/* The gate can pass: a signal that looks 12 bars ahead beats random timing. */
TEST(look_ahead_model_passes)
{
    market_t m;
    market_open(&m, 14);
    for (size_t t = LO; t < N; t++)
        m.sig[t - LO] = (int8_t)(t + 13 < N && m.bars[t + 13].close < m.bars[t + 1].open * 0.99 ? -1 : 0);
    eb_mc_result_t r = gate(&m.ds, m.sig, LO, N);
    CHECK_MSG(r.pass, "%s", r.reason);
    CHECK(r.model_beats && r.model_p < 0.01 && r.model_percentile > 0.99);
    market_close(&m, &r);
}

/* Identical runs are refused even when no frequency is exactly 1 (here: too few bars for the one
 * signal to vary). */
TEST(identical_runs_are_refused)
{
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    p.runs = 100;
    eb_mc_result_t r = {0};
    r.run = calloc(100, sizeof *r.run);
    for (int i = 0; i < 100; i++)
        r.run[i] = (eb_wf_summary_t){.trades = 3, .expectancy = 0.4};
    r.p_buy = 0.3;
    r.p_sell = 0.2;
    r.baseline = (eb_wf_summary_t){.trades = 3, .expectancy = 0.5};
    eb_mc_decide(&r, &p);
    CHECK(r.degenerate && !r.pass);
    CHECK_MSG(strstr(r.reason, "all 100 runs are identical") != NULL, "%s", r.reason);
    /* the p-value: the model above all 100 runs gives 1/101 */
    CHECK_NEAR(r.model_p, 1.0 / 101.0, 1e-15);
    CHECK_NEAR(r.model_percentile, 1.0, 0);
    r.run[5].expectancy = 0.6; /* one run at or above the model: 2/101 */
    eb_mc_decide(&r, &p);
    CHECK(!r.degenerate);
    CHECK_NEAR(r.model_p, 2.0 / 101.0, 1e-15);
    eb_mc_result_free(&r);
}

/* 5-minute bars -> 1h bars (12 per hour, aligned to the hour; partial hours dropped). */
static size_t to_hourly(const eb_bar_t *in, size_t n, eb_bar_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        int64_t h = in[i].open_time_ms - in[i].open_time_ms % 3600000;
        size_t j = i;
        eb_bar_t b = in[i];
        b.open_time_ms = h;
        while (j + 1 < n && in[j + 1].open_time_ms < h + 3600000) {
            j++;
            b.high = fmax(b.high, in[j].high);
            b.low = fmin(b.low, in[j].low);
            b.close = in[j].close;
            b.volume += in[j].volume;
        }
        if (j - i + 1 == 12)
            out[k++] = b;
        i = j + 1;
    }
    return k;
}

/* The case: real bars, 1h, window May 2021. */
TEST(real_bars_may_2021)
{
    const char *path = "../shared/data/BTCUSDT-5m-2020-12_2021-07.csv";
    FILE *f = fopen(path, "r");
    if (!f) {
        CHECK_SKIP("../shared/data absent");
        return;
    }
    fclose(f);
    eb_bar_t *five = NULL;
    size_t n5 = 0;
    char err[256] = "";
    CHECK_MSG(eb_bars_load(path, 1614556800000LL /* 2021-03-01 */, 1622505600000LL /* 2021-06-01 */, &five, &n5,
                           err, sizeof err) == 0, "%s", err);
    eb_bar_t *bars = malloc((n5 / 12 + 1) * sizeof *bars);
    size_t n = to_hourly(five, n5, bars), lo = 0;
    free(five);
    while (lo < n && bars[lo].open_time_ms < 1619827200000LL) /* 2021-05-01 */
        lo++;
    CHECK(n > 2000 && lo > 1000 && n - lo > 600);
    eb_dataset_t ds;
    build(bars, n, &ds);
    int8_t *sig = malloc(n - lo);
    memset(sig, -1, n - lo);
    eb_mc_result_t r = gate(&ds, sig, lo, n);
    CHECK(r.degenerate && !r.pass);
    CHECK(r.random_pass); /* the issue: always-sell passed the old gate */
    eb_mc_result_free(&r);
    red_bar(&ds, lo, n, sig);
    r = gate(&ds, sig, lo, n);
    CHECK_MSG(!r.pass, "%s", r.reason);
    CHECK(!r.model_beats);
    CHECK(r.random_pass); /* the issue: 98.8% of runs positive, the old gate passed it */
    eb_mc_result_free(&r);
    free(sig);
    eb_dataset_free(&ds);
    free(bars);
}

int main(void)
{
    RUN(constant_model_is_refused);
    RUN(one_split_model_fails);
    RUN(shuffled_label_model_fails);
    RUN(look_ahead_model_passes);
    RUN(identical_runs_are_refused);
    RUN(real_bars_may_2021);
    return eb_check_report();
}
