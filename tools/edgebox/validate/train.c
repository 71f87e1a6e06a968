#include "tools/edgebox/validate/train.h"
#include "common/errf.h"
#include "common/file_read.h"

#include "core/labels.h"
#include "core/model.h"
#include "core/risk.h"
#include "core/signal.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/model/model_lanes.h"
#include "tools/edgebox/validate/wf_tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

void eb_train_costs_default(eb_train_costs_t *c)
{
    c->min_multiplier = 1.0;
    c->max_multiplier = 1.5;
    c->fee_bps = 5.0;
    c->slippage_bps = 10.0;
}

void eb_dataset_free(eb_dataset_t *ds)
{
    free(ds->x);
    free(ds->ready);
    free(ds->atr);
    free(ds->mult);
    free(ds->label);
    free(ds->label_end);
    free(ds->long_r);
    free(ds->short_r);
    free(ds->cost_r);
    memset(ds, 0, sizeof *ds);
}

/* Runs the feature engine over every bar: features, ATR and the volatility multiplier at each t. */
static int run_features(eb_dataset_t *ds, const eb_train_costs_t *costs, char *err, size_t cap)
{
    size_t size = eb_features_state_size(&ds->fp);
    void *mem = size ? malloc(size) : NULL;
    eb_features_t *f = mem ? eb_features_init(mem, size, &ds->fp) : NULL;
    if (!f) {
        free(mem);
        return eb_errf(err, cap, "feature engine: invalid parameters or out of memory");
    }
    double row[EB_FEATURE_COUNT];
    for (size_t t = 0; t < ds->n; t++) {
        int r = eb_features_step(f, &ds->bars[t], row);
        if (r < 0) {
            free(mem);
            return eb_errf(err, cap, "bar %zu (open_time_ms %lld): refused by the feature engine (invalid or out of "
                           "time order)", t, (long long)ds->bars[t].open_time_ms);
        }
        ds->ready[t] = r == 1;
        for (int j = 0; j < EB_FEATURE_COUNT; j++)
            ds->x[t * EB_FEATURE_COUNT + (size_t)j] = r == 1 ? (float)row[j] : NAN;
        double atr = eb_features_atr(f);
        ds->atr[t] = atr;
        ds->mult[t] = eb_risk_vol_multiplier(atr, eb_features_atr_mean(f), costs->min_multiplier,
                                             costs->max_multiplier);
    }
    free(mem);
    return 0;
}

static int make_labels(eb_dataset_t *ds, const eb_wf_config_t *c, const eb_train_costs_t *costs, char *err,
                       size_t cap)
{
    eb_barrier_params_t bp = {.horizon = c->horizon, .reward = c->reward, .risk = c->risk};
    eb_labels_status_t s = eb_labels_barrier(ds->bars, ds->n, ds->atr, ds->mult, &bp, ds->label, ds->label_end);
    if (s == EB_LABELS_OK)
        s = eb_labels_barrier_outcomes(ds->bars, ds->n, ds->atr, ds->mult, &bp, ds->long_r, ds->short_r);
    if (s == EB_LABELS_OK && c->label_method == EB_WF_LABEL_VOLSCALED) {
        double *sigma = malloc(ds->n * sizeof *sigma);
        eb_volscaled_params_t vp = {.horizon = c->horizon, .k = c->k};
        if (!sigma)
            return -1;
        eb_labels_realized_vol(ds->bars, ds->n, c->vol_window, sigma);
        s = eb_labels_volscaled(ds->bars, ds->n, sigma, &vp, ds->label);
        free(sigma);
        for (size_t t = 0; t < ds->n; t++)
            ds->label_end[t] = ds->label[t] == EB_LABEL_NONE ? -1 : (int32_t)(t + (size_t)c->horizon);
    }
    if (s != EB_LABELS_OK) {
        return eb_errf(err, cap, "labels: %s", eb_labels_status_text(s));
    }
    double per_trade = 2.0 * (costs->fee_bps + costs->slippage_bps) / 1e4;
    for (size_t t = 0; t < ds->n; t++) {
        double r = ds->mult[t] * ds->atr[t];
        ds->cost_r[t] = t + 1 < ds->n && r > 0 ? per_trade * ds->bars[t + 1].open / r : NAN;
    }
    return 0;
}

int eb_dataset_build(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, const eb_wf_config_t *c,
                     const eb_train_costs_t *costs, eb_dataset_t *ds, char *err, size_t cap)
{
    memset(ds, 0, sizeof *ds);
    ds->bars = bars;
    ds->n = n;
    ds->fp = *fp;
    ds->schema_hash = eb_features_schema_hash(fp);
    ds->x = malloc(n * EB_FEATURE_COUNT * sizeof *ds->x);
    ds->ready = malloc(n);
    ds->atr = malloc(n * sizeof(double));
    ds->mult = malloc(n * sizeof(double));
    ds->label = malloc(n);
    ds->label_end = malloc(n * sizeof(int32_t));
    ds->long_r = malloc(n * sizeof(double));
    ds->short_r = malloc(n * sizeof(double));
    ds->cost_r = malloc(n * sizeof(double));
    if (!ds->x || !ds->ready || !ds->atr || !ds->mult || !ds->label || !ds->label_end || !ds->long_r ||
        !ds->short_r || !ds->cost_r) {
        eb_dataset_free(ds);
        return eb_errf(err, cap, "dataset: out of memory for %zu bars", n);
    }
    if (run_features(ds, costs, err, cap) || make_labels(ds, c, costs, err, cap)) {
        eb_dataset_free(ds);
        return -1;
    }
    return 0;
}

/* Rows of [lo, hi) usable for learning: ready, labelled, and the label ends before `limit` (purge). */
static size_t pick_rows(const eb_dataset_t *ds, size_t lo, size_t hi, size_t limit, size_t *rows)
{
    size_t k = 0;
    for (size_t t = lo; t < hi; t++)
        if (ds->ready[t] && ds->label[t] != EB_LABEL_NONE && ds->label_end[t] >= 0 &&
            (size_t)ds->label_end[t] < limit)
            rows[k++] = t;
    return k;
}

static DMatrixHandle make_dmatrix(const eb_dataset_t *ds, const size_t *rows, size_t k)
{
    float *x = malloc(k * EB_FEATURE_COUNT * sizeof *x), *y = malloc(k * sizeof *y);
    DMatrixHandle d = NULL;
    if (x && y) {
        for (size_t i = 0; i < k; i++) {
            memcpy(x + i * EB_FEATURE_COUNT, ds->x + rows[i] * EB_FEATURE_COUNT, EB_FEATURE_COUNT * sizeof *x);
            y[i] = (float)(ds->label[rows[i]] + 1); /* sell 0, neutral 1, buy 2 (core/model.h) */
        }
        if (XGDMatrixCreateFromMat(x, (bst_ulong)k, EB_FEATURE_COUNT, NAN, &d) != 0 ||
            XGDMatrixSetFloatInfo(d, "label", y, (bst_ulong)k) != 0) {
            if (d)
                XGDMatrixFree(d);
            d = NULL;
        }
    }
    free(x);
    free(y);
    return d;
}

static int set_params(BoosterHandle b, const eb_hparams_t *hp)
{
    char eta[32], leaves[16], mcw[16], bins[16], seed[24];
    snprintf(eta, sizeof eta, "%.17g", hp->learning_rate);
    snprintf(leaves, sizeof leaves, "%d", hp->max_leaves);
    snprintf(mcw, sizeof mcw, "%d", hp->min_child_weight);
    snprintf(bins, sizeof bins, "%d", hp->max_bin);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)(hp->seed & 0x7fffffff));
    /* One thread: results are identical on every run and machine, and --jobs parallelises above us. */
    const char *kv[][2] = {{"objective", "multi:softprob"}, {"num_class", "3"}, {"tree_method", "hist"},
                           {"grow_policy", "lossguide"}, {"max_depth", "0"}, {"max_leaves", leaves},
                           {"min_child_weight", mcw}, {"eta", eta}, {"max_bin", bins}, {"nthread", "1"},
                           {"seed", seed}, {"eval_metric", "mlogloss"}, {"verbosity", "0"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (XGBoosterSetParam(b, kv[i][0], kv[i][1]) != 0)
            return -1;
    return 0;
}

/* Boosts up to hp->rounds rounds; stops after early_stopping rounds without a better tune log loss and
 * keeps the best prefix. */
static int boost(BoosterHandle *b, DMatrixHandle fit, DMatrixHandle tune, const eb_hparams_t *hp, int *used,
                 double *best_loss)
{
    const char *names[] = {"tune"};
    int best = -1;
    *best_loss = INFINITY;
    for (int i = 0; i < hp->rounds; i++) {
        const char *res;
        if (XGBoosterUpdateOneIter(*b, i, fit) != 0 || XGBoosterEvalOneIter(*b, i, &tune, names, 1, &res) != 0)
            return -1;
        const char *at = strstr(res, "tune-mlogloss:");
        double loss = at ? strtod(at + 14, NULL) : NAN;
        if (loss < *best_loss) {
            *best_loss = loss;
            best = i;
        }
        if (hp->early_stopping > 0 && i - best >= hp->early_stopping)
            break;
    }
    *used = best + 1;
    BoosterHandle sliced;
    if (best + 1 < hp->rounds && best >= 0) {
        if (XGBoosterSlice(*b, 0, best + 1, 1, &sliced) != 0)
            return -1;
        XGBoosterFree(*b);
        *b = sliced;
    }
    return best >= 0 ? 0 : -1;
}

static int compile(BoosterHandle b, const eb_dataset_t *ds, const eb_trained_t *t, uint8_t **blob, size_t *len,
                   char *err, size_t cap)
{
    bst_ulong jlen;
    const char *json;
    if (XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jlen, &json) != 0) {
        return eb_errf(err, cap, "xgboost: %s", XGBGetLastError());
    }
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    o.schema_hash = ds->schema_hash;
    o.threshold_buy = t->threshold_buy;
    o.threshold_sell = t->threshold_sell;
    o.calibrated = t->calibrated;
    for (int c = 0; c < 3; c++) {
        o.platt_a[c] = t->platt_a[c];
        o.platt_b[c] = t->platt_b[c];
    }
    return eb_compile_xgboost_json(json, (size_t)jlen, &o, blob, len, err, cap);
}

static int fit_booster(const eb_dataset_t *ds, const size_t *fit, size_t nfit, const size_t *stop, size_t nstop,
                       const eb_hparams_t *hp, eb_trained_t *out, char *err, size_t cap)
{
    DMatrixHandle dfit = make_dmatrix(ds, fit, nfit), dstop = make_dmatrix(ds, stop, nstop);
    BoosterHandle b = NULL;
    int rc = -1;
    if (dfit && dstop && XGBoosterCreate(&dfit, 1, &b) == 0 && set_params(b, hp) == 0 &&
        boost(&b, dfit, dstop, hp, &out->rounds_used, &out->tune_logloss) == 0)
        rc = 0;
    if (rc != 0) {
        eb_errf(err, cap, "xgboost: %s", XGBGetLastError());
        if (b)
            XGBoosterFree(b);
        b = NULL;
    }
    if (dfit)
        XGDMatrixFree(dfit);
    if (dstop)
        XGDMatrixFree(dstop);
    out->booster = b;
    return rc;
}

/* Row index lists of the four slices, each purged at its own end. */
typedef struct {
    size_t *fit, *stop, *calib, *thr;
} slices_t;

/* [lo, hi) cut in k equal slices with `gap` bars skipped before each but the first; slice i in *a, *b. */
static void cut_slice(size_t lo, size_t hi, size_t gap, int k, int i, size_t *a, size_t *b)
{
    size_t span = hi > lo + (size_t)(k - 1) * gap ? hi - lo - (size_t)(k - 1) * gap : 0, each = span / (size_t)k;
    *a = lo + (size_t)i * (each + gap);
    *a = *a < hi ? *a : hi; /* a part too short for its gaps: empty slices at its end */
    *b = i == k - 1 ? hi : *a + each;
}

static int split_rows(const eb_dataset_t *ds, size_t lo, size_t hi, const eb_wf_config_t *c, eb_trained_t *out,
                      const slices_t *sl, char *err, size_t cap)
{
    size_t cut = lo + (size_t)((double)(hi - lo) * (1.0 - c->tune_fraction)), gap = (size_t)c->embargo_bars;
    out->fit_lo = lo;
    out->fit_hi = cut;
    out->tune_lo = cut + gap < hi ? cut + gap : hi;
    out->tune_hi = hi;
    int k = c->calibrate ? 3 : 2;
    cut_slice(out->tune_lo, hi, gap, k, 0, &out->stop_lo, &out->stop_hi);
    if (c->calibrate)
        cut_slice(out->tune_lo, hi, gap, k, 1, &out->calib_lo, &out->calib_hi);
    else
        out->calib_lo = out->calib_hi = out->stop_hi;
    cut_slice(out->tune_lo, hi, gap, k, k - 1, &out->thr_lo, &out->thr_hi);
    out->rows_fit = pick_rows(ds, lo, cut, cut, sl->fit);
    out->rows_stop = pick_rows(ds, out->stop_lo, out->stop_hi, out->stop_hi, sl->stop);
    out->rows_calib = pick_rows(ds, out->calib_lo, out->calib_hi, out->calib_hi, sl->calib);
    out->rows_thr = pick_rows(ds, out->thr_lo, out->thr_hi, out->thr_hi, sl->thr);
    out->rows_tune = out->rows_stop + out->rows_calib + out->rows_thr;
    for (size_t i = 0; i < out->rows_fit; i++)
        out->class_count[ds->label[sl->fit[i]] + 1]++;
    if (out->rows_fit < 100 || out->rows_stop < 30 || out->rows_thr < 30 || (c->calibrate && out->rows_calib < 30)) {
        return eb_errf(err, cap, "too few labelled rows after warm-up and purging: fit %zu (need 100), early "
                       "stopping %zu, calibration %zu, thresholds %zu (need 30 each)", out->rows_fit,
                       out->rows_stop, out->rows_calib, out->rows_thr);
    }
    return 0;
}

int eb_train_window(const eb_dataset_t *ds, size_t lo, size_t hi, const eb_wf_config_t *c,
                    const eb_hparams_t *hp, eb_trained_t *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    size_t room = hi - lo + 1;
    size_t *mem = malloc(4 * room * sizeof *mem);
    if (!mem)
        return eb_errf(err, cap, "train: out of memory");
    slices_t sl = {mem, mem + room, mem + 2 * room, mem + 3 * room};
    int rc = -1;
    if (split_rows(ds, lo, hi, c, out, &sl, err, cap) == 0 &&
        fit_booster(ds, sl.fit, out->rows_fit, sl.stop, out->rows_stop, hp, out, err, cap) == 0)
        rc = eb_wf_tune(ds, sl.calib, out->rows_calib, sl.thr, out->rows_thr, c, out, compile, err, cap);
    free(mem);
    if (rc != 0)
        eb_trained_free(out);
    return rc;
}

void eb_trained_free(eb_trained_t *t)
{
    free(t->blob);
    if (t->booster)
        XGBoosterFree(t->booster);
    t->blob = NULL;
    t->booster = NULL;
}

/* Row t's signal (and probabilities, when asked) from its calibrated probabilities p. */
static void signal_row(const eb_signal_params_t *sp, const eb_model_t *m, const double *p, size_t t, int8_t *sig,
                       double *probs)
{
    eb_signal_t sg;
    sig[t] = (int8_t)(eb_signal_from_probs(sp, p, eb_model_num_classes(m), &sg) == 0 ? sg.direction : 0);
    if (probs)
        for (size_t k = 0; k < 3; k++)
            probs[3 * t + k] = p[k];
}

int eb_train_signals(const eb_dataset_t *ds, const uint8_t *blob, size_t blob_len, size_t lo, size_t hi,
                     int8_t *sig, double *probs, char *err, size_t cap)
{
    eb_model_t m;
    eb_model_error_t me;
    if (eb_model_open(&m, blob, blob_len, &me) != 0) {
        return eb_errf(err, cap, "model: %s", me.msg);
    }
    if (eb_model_num_features(&m) != EB_FEATURE_COUNT || eb_model_num_outputs(&m) != 3) {
        eb_errf(err, cap, "model: has %u features and %u outputs; a trading model has %d and 3",
                 eb_model_num_features(&m), eb_model_num_outputs(&m), EB_FEATURE_COUNT);
        return -1;
    }
    eb_signal_params_t sp;
    eb_signal_params_from_model(&sp, &m);
    void *lanes = eb_tool_model_lanes(&m);
    size_t idx[64], k = 0;
    double p[64 * 3];
    for (size_t t = lo; t < hi; t++) { /* the ready rows, 64 at a time through the model */
        sig[t - lo] = 0;
        if (ds->ready[t])
            idx[k++] = t;
        if (k == 64 || (t + 1 == hi && k > 0)) {
            (void)eb_tool_predict_rows(&m, ds->x, idx, k, p); /* the shape was checked above */
            for (size_t i = 0; i < k; i++)
                signal_row(&sp, &m, p + 3 * i, idx[i] - lo, sig, probs);
            k = 0;
        }
    }
    free(lanes);
    return 0;
}

int eb_train_read_model(const char *path, uint8_t **blob, size_t *len, char *err, size_t cap)
{
    size_t n;
    char *data = eb_file_read_all(path, 0, 0, &n, err, cap);
    if (!data)
        return -1;
    size_t off = 0, plen = n;
    if (n >= EB_SIGNED_OVERHEAD && memcmp(data, EB_SIGNED_MAGIC, 8) == 0) {
        uint64_t declared = 0;
        memcpy(&declared, data + 16, 8); /* little-endian hosts only, like the rest of the host tool */
        off = EB_SIGNED_PAYLOAD_OFFSET;
        plen = declared <= n - EB_SIGNED_OVERHEAD ? (size_t)declared : 0;
    }
    uint8_t *b = plen ? aligned_alloc(16, (plen + 15) / 16 * 16) : NULL;
    if (!b) {
        free(data);
        return eb_errf(err, cap, "%s: empty or malformed model file", path);
    }
    memcpy(b, data + off, plen);
    free(data);
    eb_model_t m;
    eb_model_error_t me;
    if (eb_model_open(&m, b, plen, &me) != 0) {
        eb_errf(err, cap, "%s: not a model blob: %s", path, me.msg);
        free(b);
        return -1;
    }
    *blob = b;
    *len = plen;
    return 0;
}
