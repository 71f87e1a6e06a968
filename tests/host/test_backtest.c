/* edgebox backtest end to end: a hand-computed trade through next-open fills, slippage and fees; gaps;
 * byte-identical reports; a trained model (thresholds from its blob) and its schema-hash refusal; the
 * command line's refusals; a self-contained HTML page. */
#include "core/pipeline.h"
#include "core/synth.h"
#include "tools/edgebox/report/report.h"
#include "tools/edgebox/validate/train_fixed.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/data/bars_load.h"
#include "tests/support/check.h"

#include <math.h>
#include <stdlib.h>
#include <xgboost/c_api.h>
#include <string.h>
#include <sys/stat.h>

#define T0 1609459200000LL /* 2021-01-01 00:00 UTC */
#define M5 300000LL
#define DIR "build/test_backtest_tmp"

static char err[1024];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* ATR 7 and a 20-bar ATR history make the engine ready after 28 bars of range 10 around 1000. */
static const char *SMALL_CFG = "{\"features\":{\"atr\":7},\"risk\":{\"historical_atr_window\":20},"
                               "\"costs\":{\"taker_fee_bps\":5,\"slippage_bps\":10}}";

static void small_bars(const char *path, int flat, int gap_after)
{
    FILE *f = fopen(path, "w");
    fputs("open_time_ms,open,high,low,close,volume\n", f);
    int64_t t = T0;
    for (int i = 0; i < flat; i++, t += M5) {
        if (i == gap_after)
            t += 3 * M5; /* three missing bars */
        fprintf(f, "%lld,1000,1005,995,1000,1\n", (long long)t);
    }
    fprintf(f, "%lld,1000,1005,990,1000,1\n", (long long)t); /* touches the stop at 991 */
    fclose(f);
}

static int run(eb_backtest_opts_t *o, const char *cfg_text, eb_backtest_result_t *r)
{
    write_text(DIR "/cfg.json", cfg_text);
    o->config_path = DIR "/cfg.json";
    eb_config_default(&o->cfg);
    if (eb_config_load(o->config_path, &o->cfg, err, sizeof err) != 0)
        return -2;
    return eb_backtest_run(o, r, err, sizeof err);
}

TEST(hand_computed_trade)
{
    eb_backtest_opts_t o = {.bars_path = DIR "/small.csv", .signal = EB_BT_ALWAYS_LONG};
    eb_backtest_result_t r;
    small_bars(o.bars_path, 40, -1);
    CHECK_EQ_INT(run(&o, SMALL_CFG, &r), 0);
    CHECK_EQ_INT(r.npoints, 41);
    CHECK_EQ_INT(r.ntrades, 1);
    if (r.ntrades != 1)
        return;
    const eb_trade_t *t = &r.trades[0];
    /* 1% of 10000 / 1R of 10 = 10 units, 30% cap -> 3 units; bought at the next open 1000 x 1.001. */
    CHECK_NEAR(t->qty, 3, 1e-12);
    CHECK_NEAR(t->entry_price, 1001, 1e-9);
    /* The stop 1001 - 10 = 991 is touched by the last bar: sold at 991 x 0.999 = 990.009. */
    CHECK_NEAR(t->exit_price, 990.009, 1e-9);
    /* Fees 5 bps: 1001 x 3 x 0.0005 = 1.5015 and 990.009 x 3 x 0.0005 = 1.4850135. */
    CHECK_NEAR(t->fees, 2.9865135, 1e-9);
    CHECK_NEAR(t->pnl, -35.9595135, 1e-9); /* 3 x (990.009 - 1001) - 2.9865135 */
    CHECK_NEAR(t->r_multiple, -1.19865045, 1e-9);
    CHECK_EQ_INT(t->reason, EB_EXIT_STOP_LOSS);
    CHECK_EQ_INT(t->exit_time_ms, T0 + 40 * M5);
    CHECK_NEAR(r.final_equity, 9964.0404865, 1e-7); /* the last bar's new entry is cancelled at the end */
    CHECK_NEAR(r.tm.expectancy_r, -1.19865045, 1e-9);
    CHECK_EQ_INT(r.gaps, 0);
    CHECK_EQ_INT(r.interval_ms, M5);
    eb_backtest_free(&r);
}

TEST(gaps_are_counted_and_bridged)
{
    eb_backtest_opts_t o = {.bars_path = DIR "/gap.csv", .signal = EB_BT_ALWAYS_LONG};
    eb_backtest_result_t r;
    small_bars(o.bars_path, 40, 35); /* 3 bars missing after the 35th, while the position is open */
    CHECK_EQ_INT(run(&o, SMALL_CFG, &r), 0);
    CHECK_EQ_INT(r.gaps, 1);
    CHECK_EQ_INT(r.missing_bars, 3);
    CHECK_EQ_INT(r.interval_ms, M5);
    CHECK_EQ_INT(r.ntrades, 1); /* the position is carried over the gap and stopped afterwards */
    eb_backtest_free(&r);
}

static char *report_bytes(const eb_backtest_opts_t *o, const eb_backtest_result_t *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    eb_report_json(f, o, r);
    fclose(f);
    return buf;
}

static void synth_file(const char *path, int n, double gap_prob)
{
    eb_synth_params_t p = eb_synth_params_default();
    p.seed = 11;
    p.gap_prob = gap_prob;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    FILE *f = fopen(path, "w");
    fputs("open_time_ms,open,high,low,close,volume\n", f);
    for (int i = 0; i < n; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        fprintf(f, "%lld,%.17g,%.17g,%.17g,%.17g,%.17g\n", (long long)b.open_time_ms, b.open, b.high, b.low, b.close,
                b.volume);
    }
    fclose(f);
}

TEST(byte_identical_reports)
{
    eb_backtest_opts_t o = {.bars_path = DIR "/synth.csv", .signal = EB_BT_RANDOM, .seed = 5};
    eb_backtest_result_t a, b;
    synth_file(o.bars_path, 20000, 0.001);
    CHECK_EQ_INT(run(&o, "{\"venue\":{\"type\":\"futures\"}}", &a), 0);
    CHECK_EQ_INT(run(&o, "{\"venue\":{\"type\":\"futures\"}}", &b), 0);
    size_t la, lb;
    char *ja = report_bytes(&o, &a, &la), *jb = report_bytes(&o, &b, &lb);
    CHECK(la > 1000 && la == lb && memcmp(ja, jb, la) == 0);
    CHECK(a.ntrades > 10);
    CHECK(a.gaps > 0);
    CHECK(strstr(ja, "\"sharpe\": ") && strstr(ja, "\"cvar_95\": ") && strstr(ja, "\"sqn\": ") &&
          strstr(ja, "\"exit_reason\": \"") && strstr(ja, "\"r_multiple\": ") && strstr(ja, "\"monthly_returns\": ["));
    /* Another seed is another run. */
    o.seed = 6;
    eb_backtest_result_t c;
    CHECK_EQ_INT(run(&o, "{\"venue\":{\"type\":\"futures\"}}", &c), 0);
    size_t lc;
    char *jc = report_bytes(&o, &c, &lc);
    CHECK(lc != la || memcmp(ja, jc, la) != 0);
    free(ja), free(jb), free(jc);
    eb_backtest_free(&a), eb_backtest_free(&b), eb_backtest_free(&c);
}

TEST(model_thresholds_and_schema_refusal)
{
    eb_bar_t *bars;
    size_t n;
    CHECK_EQ_INT(eb_bars_load(DIR "/synth.csv", INT64_MIN, INT64_MAX, &bars, &n, err, sizeof err), 0);
    if (n == 0)
        return;
    eb_feature_params_t fp = eb_feature_params_default();
    uint8_t *blob;
    size_t len;
    int rc = eb_train_fixed_model(bars, n, &fp, 8, 4, &blob, &len, err, sizeof err);
    free(bars);
    CHECK_MSG(rc == 0, "%s", err);
    if (rc != 0)
        return;
    FILE *f = fopen(DIR "/m.ebm", "wb");
    fwrite(blob, 1, len, f);
    fclose(f);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, blob, len, NULL), 0);
    eb_signal_params_t sp;
    eb_model_decision_t d;
    eb_signal_params_from_model(&sp, &m);
    eb_model_decision(&m, &d);
    CHECK_NEAR(sp.threshold_buy, d.threshold_buy, 0); /* the signal's thresholds are the blob's */
    CHECK_NEAR(sp.threshold_sell, d.threshold_sell, 0);
    eb_backtest_opts_t o = {.bars_path = DIR "/synth.csv", .signal = EB_BT_MODEL, .model_path = DIR "/m.ebm"};
    eb_backtest_result_t r;
    CHECK_MSG(run(&o, "{\"limits\":{\"min_confidence\":0}}", &r) == 0, "%s", err);
    CHECK_EQ_INT(r.model_trees, 24);
    CHECK_EQ_INT(r.model_schema_hash, eb_features_schema_hash(&fp));
    CHECK_EQ_INT(r.counters.bars, 20000);
    eb_backtest_free(&r);
    /* Features configured differently: the model's schema hash no longer matches and it is refused. */
    CHECK_EQ_INT(run(&o, "{\"features\":{\"tenkan\":8}}", &r), -1);
    CHECK_MSG(strstr(err, "m.ebm: model schema hash ") && strstr(err, "differs from the configured features'") &&
                  strstr(err, "tenkan 8"), "%s", err);
    free(blob);
}

TEST(command_line)
{
    small_bars(DIR "/small.csv", 40, -1);
    write_text(DIR "/cfg.json", SMALL_CFG);
    write_text(DIR "/bad.json", "{\"risk\":{\"risk_per_trade\":0.5}}");
    char *ok[] = {"backtest", "--config", DIR "/cfg.json", "--signal", "always-long", "--in", DIR "/small.csv",
                  "--out", DIR "/out", NULL};
    CHECK_EQ_INT(cmd_backtest(9, ok), 0);
    struct stat st;
    CHECK(stat(DIR "/out/report.json", &st) == 0 && st.st_size > 0);
    CHECK(stat(DIR "/out/equity.csv", &st) == 0 && st.st_size > 0);
    CHECK(stat(DIR "/out/report.html", &st) == 0 && st.st_size > 0);
    char *both[] = {"backtest", "--config", DIR "/cfg.json", "--signal", "always-long", "--model", "x.ebm",
                    "--in", DIR "/small.csv", "--out", DIR "/out", NULL};
    CHECK_EQ_INT(cmd_backtest(11, both), 2);
    char *none[] = {"backtest", "--config", DIR "/cfg.json", "--in", DIR "/small.csv", "--out", DIR "/o", NULL};
    CHECK_EQ_INT(cmd_backtest(7, none), 2);
    char *badsig[] = {"backtest", "--config", DIR "/cfg.json", "--signal", "random:x", "--in", DIR "/small.csv",
                      "--out", DIR "/o", NULL};
    CHECK_EQ_INT(cmd_backtest(9, badsig), 2);
    char *badcfg[] = {"backtest", "--config", DIR "/bad.json", "--signal", "always-long", "--in", DIR "/small.csv",
                      "--out", DIR "/o", NULL};
    CHECK_EQ_INT(cmd_backtest(9, badcfg), 2);
    char *nobars[] = {"backtest", "--config", DIR "/cfg.json", "--signal", "always-long", "--in", DIR "/none.csv",
                      "--out", DIR "/o", NULL};
    CHECK_EQ_INT(cmd_backtest(9, nobars), 1);
    eb_backtest_opts_t o;
    CHECK_EQ_INT(eb_backtest_parse_signal("file:", &o, err, sizeof err), -1);
    CHECK_EQ_INT(eb_backtest_parse_signal("random:-1", &o, err, sizeof err), -1);
    CHECK_EQ_INT(eb_backtest_parse_signal("random:18446744073709551615", &o, err, sizeof err), 0);
    CHECK_EQ_INT(eb_backtest_parse_signal("sometimes", &o, err, sizeof err), -1);
    CHECK(strstr(err, "allowed: always-long, always-short, random:SEED, file:F") != NULL);
}

TEST(signal_file)
{
    /* Long from the first ready bar only: one trade, as in hand_computed_trade. */
    small_bars(DIR "/small.csv", 40, -1);
    FILE *f = fopen(DIR "/sig.csv", "w");
    fputs("open_time_ms,signal\n", f);
    for (int i = 0; i < 40; i++)
        fprintf(f, "%lld,%d\n", (long long)(T0 + i * M5), i < 35 ? 1 : 0);
    fclose(f);
    eb_backtest_opts_t o = {.bars_path = DIR "/small.csv", .signal = EB_BT_FILE, .signal_file = DIR "/sig.csv"};
    eb_backtest_result_t r;
    CHECK_EQ_INT(run(&o, SMALL_CFG, &r), 0);
    CHECK_EQ_INT(r.ntrades, 1);
    CHECK_NEAR(r.final_equity, 9964.0404865, 1e-7);
    eb_backtest_free(&r);
    write_text(DIR "/sig.csv", "open_time_ms,signal\n5,1\n4,0\n");
    CHECK_EQ_INT(run(&o, SMALL_CFG, &r), -1);
    CHECK_MSG(strstr(err, "sig.csv:3: open_time_ms 4 does not increase") != NULL, "%s", err);
    write_text(DIR "/sig.csv", "open_time_ms,signal\n5,2\n");
    CHECK_EQ_INT(run(&o, SMALL_CFG, &r), -1);
    CHECK_MSG(strstr(err, "sig.csv:2: expected 'open_time_ms,signal' with signal -1, 0 or 1") != NULL, "%s", err);
}

TEST(html_is_self_contained)
{
    eb_backtest_opts_t o = {.bars_path = DIR "/synth.csv", .signal = EB_BT_RANDOM, .seed = 3};
    eb_backtest_result_t r;
    CHECK_EQ_INT(run(&o, "{}", &r), 0);
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(eb_report_html(f, &o, &r), 0);
    fclose(f);
    CHECK(strstr(buf, "<svg") && strstr(buf, "Equity") && strstr(buf, "Drawdown") && strstr(buf, "Monthly returns") &&
          strstr(buf, "R-multiple distribution"));
    CHECK(!strstr(buf, "http://") && !strstr(buf, "https://") && !strstr(buf, "<script") && !strstr(buf, "src="));
    free(buf);
    eb_backtest_free(&r);
}

/* A one-round model on random rows (any model will do), compiled with Platt parameters that turn its
 * preference around: the pipeline must hand the engine the calibrated probabilities, and the signal must
 * follow them, with the blob's thresholds. */
static int calibrated_blob(uint64_t hash, uint8_t **blob, size_t *len)
{
    enum { R = 300 };
    static float x[R * EB_FEATURE_COUNT], y[R];
    uint64_t s = 99;
    for (int i = 0; i < R * EB_FEATURE_COUNT; i++) {
        s = s * 6364136223846793005ULL + 1;
        x[i] = (float)(s >> 40) / 16777216.0f;
    }
    for (int i = 0; i < R; i++)
        y[i] = (float)(i % 3);
    DMatrixHandle d;
    BoosterHandle b;
    bst_ulong jl;
    const char *json;
    if (XGDMatrixCreateFromMat(x, R, EB_FEATURE_COUNT, NAN, &d) || XGDMatrixSetFloatInfo(d, "label", y, R) ||
        XGBoosterCreate(&d, 1, &b) || XGBoosterSetParam(b, "objective", "multi:softprob") ||
        XGBoosterSetParam(b, "num_class", "3") || XGBoosterSetParam(b, "max_depth", "2") ||
        XGBoosterUpdateOneIter(b, 0, d) || XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jl, &json))
        return -1;
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    o.schema_hash = hash;
    o.threshold_buy = o.threshold_sell = 0.4;
    o.calibrated = 1;
    double a[3] = {1, 1, 1}, bb[3] = {3, 0, -3}; /* sell pushed up, buy pushed down */
    memcpy(o.platt_a, a, sizeof a);
    memcpy(o.platt_b, bb, sizeof bb);
    int rc = eb_compile_xgboost_json(json, (size_t)jl, &o, blob, len, err, sizeof err);
    XGBoosterFree(b);
    XGDMatrixFree(d);
    return rc;
}

TEST(calibration_and_thresholds_from_the_blob)
{
    eb_pipeline_config_t pc = {.features = eb_feature_params_default(), .atr_window = 252};
    eb_engine_config_default(&pc.engine);
    pc.engine.allow_short = 1;
    uint8_t *blob;
    size_t len;
    CHECK_EQ_INT(calibrated_blob(eb_features_schema_hash(&pc.features), &blob, &len), 0);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, blob, len, NULL), 0);
    pc.model = &m;
    size_t size = eb_pipeline_size(&pc);
    void *mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
    eb_pipeline_t *p;
    CHECK_EQ_INT(eb_pipeline_init(mem, size, &pc, &p), EB_PIPELINE_OK);
    CHECK_NEAR(p->engine.cfg.signal.threshold_buy, 0.4, 0); /* from the blob, not the 0.5 default */
    eb_synth_params_t sp = eb_synth_params_default();
    eb_synth_t syn;
    eb_synth_init(&syn, &sp);
    eb_intent_t it[EB_ENGINE_MAX_INTENTS];
    int checked = 0;
    for (int i = 0; i < 600; i++) {
        eb_bar_t bar;
        eb_synth_next(&syn, &bar);
        eb_pipeline_step(p, &bar, 0, it, EB_ENGINE_MAX_INTENTS);
        if (!p->features_ready)
            continue;
        /* Platt by hand: q_c = 1 / (1 + exp(-(a logit(p_c) + b))), renormalised. */
        double raw[3], q[3], sum = 0;
        eb_model_predict(&m, p->x, raw);
        for (int c = 0; c < 3; c++) {
            q[c] = 1 / (1 + exp(-(log(raw[c] / (1 - raw[c])) + (c == 0 ? 3 : c == 2 ? -3 : 0))));
            sum += q[c];
        }
        for (int c = 0; c < 3; c++)
            CHECK_NEAR(p->probs[c], q[c] / sum, 1e-12);
        CHECK(q[0] / sum > raw[0]); /* the calibration really moved them */
        const eb_signal_t *sig = &p->engine.last.signal;
        CHECK_NEAR(sig->p_sell, q[0] / sum, 1e-12);
        int want = q[2] / sum >= 0.4 && q[2] > q[0] ? 1 : q[0] / sum >= 0.4 && q[0] > q[2] ? -1 : 0;
        CHECK_EQ_INT(sig->direction, want);
        checked++;
    }
    CHECK(checked > 100);
    /* A model for other feature periods is refused at a swap and the running one stays. */
    eb_feature_params_t other = pc.features;
    other.tenkan = 8;
    uint8_t *blob2;
    size_t len2;
    eb_model_t m2;
    CHECK_EQ_INT(calibrated_blob(eb_features_schema_hash(&other), &blob2, &len2), 0);
    CHECK_EQ_INT(eb_model_open(&m2, blob2, len2, NULL), 0);
    CHECK_EQ_INT(eb_pipeline_set_model(p, &m2), EB_PIPELINE_E_SCHEMA);
    CHECK(p->model == &m);
    pc.model = &m2;
    CHECK_EQ_INT(eb_pipeline_init(mem, size, &pc, &p), EB_PIPELINE_E_SCHEMA);
    free(mem);
    free(blob);
    free(blob2);
}

int main(void)
{
    mkdir("build", 0755);
    mkdir(DIR, 0755);
    RUN(hand_computed_trade);
    RUN(gaps_are_counted_and_bridged);
    RUN(byte_identical_reports);
    RUN(model_thresholds_and_schema_refusal);
    RUN(command_line);
    RUN(signal_file);
    RUN(html_is_self_contained);
    RUN(calibration_and_thresholds_from_the_blob);
    return eb_check_report();
}
