/* Training through XGBoost's C API on features from the box's feature engine: purge and embargo, early
 * stopping, calibration and thresholds, a blob whose schema hash is the features' and whose predictions
 * equal XGBoost's own. */
#include "core/labels.h"
#include "core/model.h"
#include "tests/support/synth_hourly.h"
#include "tests/support/check.h"
#include "tests/support/model_gen.h"
#include "tools/edgebox/validate/train.h"
#include "tools/edgebox/validate/wf_tune.h"

#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

static eb_bar_t *make_bars(size_t n, uint64_t seed) { return eb_test_synth_hourly(n, seed, 0.006); }

static eb_wf_config_t small_config(void)
{
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    c.rounds.start = c.rounds.end = 40;
    return c;
}

/* Bars, the default config (40 rounds), default costs and periods, and the dataset over them. */
static eb_bar_t *setup(size_t n, uint64_t seed, eb_wf_config_t *c, eb_dataset_t *ds)
{
    eb_bar_t *bars = make_bars(n, seed);
    eb_train_costs_t costs;
    eb_train_costs_default(&costs);
    eb_feature_params_t fp = eb_feature_params_default();
    char err[256] = "";
    *c = small_config();
    CHECK_MSG(eb_dataset_build(bars, n, &fp, c, &costs, ds, err, sizeof err) == 0, "%s", err);
    return bars;
}

static const eb_hparams_t hp = {.learning_rate = 0.1, .max_leaves = 16, .min_child_weight = 10, .rounds = 40,
                                .early_stopping = 10, .max_bin = 64, .seed = 1};

TEST(dataset_and_purge)
{
    size_t n = 3000;
    eb_wf_config_t c;
    eb_dataset_t ds;
    eb_bar_t *bars = setup(n, 3, &c, &ds);
    eb_feature_params_t fp = eb_feature_params_default();
    char err[256] = "";
    int warm = eb_features_warmup_bars(&fp);
    CHECK(!ds.ready[warm - 2] && ds.ready[warm - 1]);
    size_t labelled = 0, bad_mult = 0;
    for (size_t t = 0; t < n; t++) {
        labelled += ds.label[t] != EB_LABEL_NONE;
        bad_mult += isfinite(ds.mult[t]) && (ds.mult[t] < 1.0 || ds.mult[t] > 1.5);
    }
    CHECK(labelled > n / 2);
    CHECK_EQ_INT(bad_mult, 0);
    eb_trained_t t;
    CHECK_EQ_INT(eb_train_window(&ds, 0, 2500, &c, &hp, &t, err, sizeof err), 0);
    CHECK_MSG(t.blob != NULL, "%s", err);
    /* purge: no fit row's label reaches the tune slice; embargo: a gap of embargo_bars */
    CHECK_EQ_INT(t.tune_lo - t.fit_hi, c.embargo_bars);
    CHECK_EQ_INT(t.fit_hi, 2000);
    size_t leaks = 0;
    for (size_t r = t.fit_lo; r < t.fit_hi; r++)
        leaks += ds.ready[r] && ds.label[r] != EB_LABEL_NONE && (size_t)ds.label_end[r] >= t.fit_hi;
    CHECK(leaks > 0); /* the purge had something to remove ... */
    size_t usable = 0;
    for (size_t r = t.fit_lo; r < t.fit_hi; r++)
        usable += ds.ready[r] && ds.label[r] != EB_LABEL_NONE;
    CHECK_EQ_INT(t.rows_fit, usable - leaks); /* ... and removed exactly those rows */
    CHECK(t.rounds_used >= 1 && t.rounds_used <= 40);
    CHECK(t.threshold_buy >= 0.34 && t.threshold_buy <= 1.0);
    CHECK(t.threshold_sell >= 0.34 && t.threshold_sell <= 1.0);
    /* the blob carries the features' schema hash */
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, t.blob, t.blob_len, NULL), 0);
    CHECK(eb_model_schema_hash(&m) == eb_features_schema_hash(&fp));
    CHECK_EQ_INT(eb_model_num_classes(&m), 3);
    eb_trained_free(&t);
    eb_dataset_free(&ds);
    free(bars);
}

/* The compiled blob predicts what XGBoost predicts (uncalibrated margins -> softmax), row for row. */
TEST(blob_matches_xgboost)
{
    size_t n = 3000;
    eb_wf_config_t c;
    eb_dataset_t ds;
    eb_trained_t t;
    eb_bar_t *bars = setup(n, 5, &c, &ds);
    c.calibrate = 0;
    char err[256] = "";
    CHECK_EQ_INT(eb_train_window(&ds, 0, 2500, &c, &hp, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.calibrated, 0);
    size_t lo = 2500, k = n - lo;
    DMatrixHandle d;
    XGDMatrixCreateFromMat(ds.x + lo * EB_FEATURE_COUNT, (bst_ulong)k, EB_FEATURE_COUNT, NAN, &d);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *pred;
    CHECK_EQ_INT(XGBoosterPredictFromDMatrix(t.booster, d, "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
                 "\"iteration_end\": 0, \"strict_shape\": true}", &shape, &dim, &pred), 0);
    double *probs = malloc(3 * k * sizeof *probs);
    int8_t *sig = malloc(k);
    CHECK_EQ_INT(eb_train_signals(&ds, t.blob, t.blob_len, lo, n, sig, probs, err, sizeof err), 0);
    double worst = 0;
    size_t longs = 0, shorts = 0;
    for (size_t i = 0; i < k; i++) {
        for (int j = 0; j < 3; j++)
            worst = fmax(worst, fabs(probs[3 * i + (size_t)j] - pred[3 * i + (size_t)j]));
        longs += sig[i] == 1;
        shorts += sig[i] == -1;
        int want = probs[3 * i + 2] >= t.threshold_buy && probs[3 * i + 2] > probs[3 * i] ? 1
                   : probs[3 * i] >= t.threshold_sell && probs[3 * i] > probs[3 * i + 2] ? -1 : 0;
        CHECK_EQ_INT(sig[i], want);
    }
    CHECK_NEAR(worst, 0, 1e-6);
    XGDMatrixFree(d);
    free(probs);
    free(sig);
    eb_trained_free(&t);
    eb_dataset_free(&ds);
    free(bars);
}

/* Signals read 3 probabilities per row of 58 features: a model of another shape (one that opens and
 * could carry the right schema hash) is refused before a row is read or a signal written. */
TEST(signals_refuse_a_model_of_another_shape)
{
    size_t n = 600;
    eb_wf_config_t c;
    eb_dataset_t ds;
    eb_bar_t *bars = setup(n, 5, &c, &ds);
    eb_mgen_t g = {EB_MGEN_SEED};
    static const uint32_t shapes[][2] = {{EB_FEATURE_COUNT, 4}, {EB_FEATURE_COUNT, 1}, {EB_FEATURE_COUNT + 1, 3}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        eb_mgen_spec_t sp;
        eb_mgen_spec(&g, &sp, 6, shapes[i][0], shapes[i][1]);
        size_t len;
        uint8_t *blob = eb_mgen_blob(&g, &sp, &len);
        int8_t sig[600];
        double probs[3 * 600];
        memset(sig, 0x55, sizeof sig);
        char err[256] = "";
        CHECK_EQ_INT(eb_train_signals(&ds, blob, len, 0, n, sig, probs, err, sizeof err), -1);
        CHECK_MSG(strstr(err, "a trading model has 58 and 3") != NULL, "%s", err);
        CHECK(sig[0] == 0x55 && sig[n - 1] == 0x55); /* nothing written */
        free(blob);
    }
    eb_dataset_free(&ds);
    free(bars);
}

TEST(platt_and_thresholds)
{
    /* y = 1 exactly when z > 0 half the time: the fit sharpens (a > 1) and stays centred (b ~ 0). */
    double z[400];
    uint8_t y[400];
    for (int i = 0; i < 400; i++) {
        z[i] = (i % 200 - 100) / 50.0;
        y[i] = (z[i] > 0) ^ (i % 10 == 0);
    }
    double a, b;
    CHECK_EQ_INT(eb_wf_platt_fit(z, y, 400, &a, &b), 0);
    CHECK(a > 1.0);
    CHECK(fabs(b) < 0.5);
    double p[6] = {0.3, 0.5, 0.6, 0.7, 0.8, 0.9}, other[6] = {0}, v[6] = {-1, -1, -2, -1, 3, 3}, best;
    CHECK_NEAR(eb_wf_best_threshold(p, other, v, 6, 0.34, 0.95, 1, &best), 0.71, 1e-12); /* 3 + 3 */
    CHECK_NEAR(best, 6, 1e-12);
    CHECK_NEAR(eb_wf_best_threshold(p, other, v, 6, 0.34, 0.95, 3, &best), 0.61, 1e-12); /* -1 + 3 + 3 */
    CHECK_NEAR(best, 5, 1e-12);
    other[5] = 0.95; /* p(buy) must also beat p(sell) */
    CHECK_NEAR(eb_wf_best_threshold(p, other, v, 6, 0.34, 0.95, 1, &best), 0.71, 1e-12);
    CHECK_NEAR(best, 3, 1e-12);
    double neg[6] = {-1, -1, -1, -1, -1, -1};
    CHECK_NEAR(eb_wf_best_threshold(p, other, neg, 6, 0.34, 0.95, 1, &best), 1.0, 0); /* never trade */
}

/* Platt's slope is never negative: scores anti-correlated with the class flatten to the base rate instead
 * of inverting the ranking (the old fit gave a < 0 here, as on the real data of issue 13 item 6). */
TEST(platt_slope_never_negative)
{
    double z[400];
    uint8_t y[400];
    size_t pos = 0;
    for (int i = 0; i < 400; i++) {
        z[i] = (i % 200 - 100) / 50.0;
        y[i] = (z[i] < 0) ^ (i % 10 == 0); /* the higher the score, the less likely the class */
        pos += y[i];
    }
    double a = -1, b = 0;
    CHECK_EQ_INT(eb_wf_platt_fit(z, y, 400, &a, &b), 0);
    CHECK_MSG(a >= 0, "slope %g", a);
    CHECK_NEAR(a, 0, 0);
    /* at a = 0 the best intercept is the logit of the mean smoothed target */
    double hi = (pos + 1.0) / (pos + 2.0), lo = 1.0 / (400.0 - pos + 2.0);
    double mean = (pos * hi + (400.0 - pos) * lo) / 400.0;
    CHECK_NEAR(b, log(mean / (1 - mean)), 1e-12);
}

/* Early stopping, calibration and thresholds each see their own slice of the tune part: the slices are
 * disjoint, in that order, an embargo apart, each purged at its own end, and the row counts say so. */
TEST(tune_slices_do_not_overlap)
{
    size_t n = 3000;
    eb_wf_config_t c;
    eb_dataset_t ds;
    eb_bar_t *bars = setup(n, 3, &c, &ds);
    char err[256] = "";
    for (int calibrate = 1; calibrate >= 0; calibrate--) {
        c.calibrate = calibrate;
        eb_trained_t t;
        CHECK_MSG(eb_train_window(&ds, 0, 2500, &c, &hp, &t, err, sizeof err) == 0, "%s", err);
        size_t gap = (size_t)c.embargo_bars;
        CHECK_EQ_INT(t.stop_lo, t.fit_hi + gap);
        CHECK(t.stop_lo < t.stop_hi);
        if (calibrate) {
            CHECK_EQ_INT(t.calib_lo, t.stop_hi + gap);
            CHECK(t.calib_lo < t.calib_hi);
            CHECK_EQ_INT(t.thr_lo, t.calib_hi + gap);
        } else {
            CHECK_EQ_INT(t.calib_hi - t.calib_lo, 0);
            CHECK_EQ_INT(t.thr_lo, t.stop_hi + gap);
        }
        CHECK(t.thr_lo < t.thr_hi && t.thr_hi == 2500);
        /* the rows each slice used: ready, labelled, the label ending inside the slice */
        size_t bounds[3][2] = {{t.stop_lo, t.stop_hi}, {t.calib_lo, t.calib_hi}, {t.thr_lo, t.thr_hi}};
        size_t want[3] = {0, 0, 0};
        for (int k = 0; k < 3; k++)
            for (size_t r = bounds[k][0]; r < bounds[k][1]; r++)
                want[k] += ds.ready[r] && ds.label[r] != EB_LABEL_NONE && ds.label_end[r] >= 0 &&
                           (size_t)ds.label_end[r] < bounds[k][1];
        CHECK_EQ_INT(t.rows_stop, want[0]);
        CHECK_EQ_INT(t.rows_calib, want[1]);
        CHECK_EQ_INT(t.rows_thr, want[2]);
        CHECK_EQ_INT(t.rows_tune, want[0] + want[1] + want[2]);
        CHECK(t.rows_stop >= 30 && t.rows_thr >= 30);
        CHECK(t.platt_a[0] >= 0 && t.platt_a[1] >= 0 && t.platt_a[2] >= 0);
        eb_trained_free(&t);
    }
    eb_dataset_free(&ds);
    free(bars);
}

TEST(too_few_rows_is_an_error)
{
    size_t n = 600;
    eb_wf_config_t c;
    eb_dataset_t ds;
    eb_trained_t t;
    eb_bar_t *bars = setup(n, 7, &c, &ds);
    char err[256] = "";
    CHECK_EQ_INT(eb_train_window(&ds, 0, 400, &c, &hp, &t, err, sizeof err), -1);
    CHECK(strstr(err, "too few labelled rows") != NULL);
    CHECK(t.blob == NULL && t.booster == NULL);
    eb_dataset_free(&ds);
    free(bars);
}

int main(void)
{
    RUN(dataset_and_purge);
    RUN(blob_matches_xgboost);
    RUN(signals_refuse_a_model_of_another_shape);
    RUN(platt_and_thresholds);
    RUN(platt_slope_never_negative);
    RUN(tune_slices_do_not_overlap);
    RUN(too_few_rows_is_an_error);
    return eb_check_report();
}
