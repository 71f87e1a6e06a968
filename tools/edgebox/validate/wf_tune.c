#include "tools/edgebox/validate/wf_tune.h"

#include "common/errf.h"
#include "core/model.h"
#include "tools/edgebox/model/model_lanes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double nll(const double *z, const double *t, size_t n, double a, double b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double f = a * z[i] + b; /* log(1 + e^f) - t f, computed without overflow */
        s += (f > 0 ? f + log1p(exp(-f)) : log1p(exp(f))) - t[i] * f;
    }
    return s;
}

int eb_wf_platt_fit(const double *z, const uint8_t *y, size_t n, double *a, double *b)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i] != 0;
    double hi = ((double)pos + 1) / ((double)pos + 2), lo = 1.0 / ((double)(n - pos) + 2);
    double *t = malloc(n * sizeof *t);
    *a = 1.0;
    *b = 0.0;
    if (!t || n == 0) {
        free(t);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = y[i] ? hi : lo;
    double A = 1.0, B = 0.0, cur = nll(z, t, n, A, B);
    for (int it = 0; it < 100; it++) {
        double gA = 0, gB = 0, hAA = 1e-12, hAB = 0, hBB = 1e-12;
        for (size_t i = 0; i < n; i++) {
            double p = 1.0 / (1.0 + exp(-(A * z[i] + B))), d = p - t[i], w = p * (1 - p);
            gA += d * z[i];
            gB += d;
            hAA += w * z[i] * z[i];
            hAB += w * z[i];
            hBB += w;
        }
        double det = hAA * hBB - hAB * hAB;
        if (!(fabs(det) > 0))
            break;
        double dA = -(hBB * gA - hAB * gB) / det, dB = -(hAA * gB - hAB * gA) / det, step = 1.0, next = cur;
        while (step > 1e-10 && !((next = nll(z, t, n, A + step * dA, B + step * dB)) < cur + 1e-4 * step * (gA * dA + gB * dB)))
            step /= 2;
        if (step <= 1e-10)
            break;
        A += step * dA;
        B += step * dB;
        int done = fabs(cur - next) < 1e-10 * (1 + fabs(cur));
        cur = next;
        if (done)
            break;
    }
    /* The slope may not be negative: a negative one would invert the model's ranking of the rows. The log
     * loss is convex in (a, b), so when its unconstrained minimum has a < 0 the minimum over a >= 0 lies
     * on a = 0, where the best b is the logit of the mean target (a constant: the scores carry nothing). */
    if (isfinite(A) && A < 0) {
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += t[i];
        mean /= (double)n;
        A = 0;
        B = log(mean / (1 - mean));
    }
    free(t);
    if (!isfinite(A) || !isfinite(B))
        return -1;
    *a = A;
    *b = B;
    return 0;
}

double eb_wf_best_threshold(const double *p, const double *other, const double *value, size_t n, double lo,
                            double hi, int min_signals, double *best)
{
    double best_thr = 1.0;
    *best = 0;
    for (int k = (int)lround(lo * 100); k <= (int)lround(hi * 100); k++) {
        double thr = k / 100.0, sum = 0;
        int count = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] >= thr && p[i] > other[i] && isfinite(value[i])) {
                sum += value[i];
                count++;
            }
        if (count >= min_signals && sum > *best) {
            *best = sum;
            best_thr = thr;
        }
    }
    return best_thr;
}

/* Probabilities of the tune rows through blob (calibrated when the blob is). */
static int predict_rows(const eb_dataset_t *ds, const size_t *rows, size_t n, const uint8_t *blob, size_t len,
                        double *probs, char *err, size_t cap)
{
    eb_model_t m;
    eb_model_error_t me;
    if (eb_model_open(&m, blob, len, &me) != 0) {
        return eb_errf(err, cap, "compiled model refused: %s", me.msg);
    }
    void *lanes = eb_tool_model_lanes(&m);
    int rc = eb_tool_predict_rows(&m, ds->x, rows, n, probs);
    free(lanes);
    if (rc != 0)
        eb_errf(err, cap, "compiled model is not a %d-feature 3-output model", EB_FEATURE_COUNT);
    return rc;
}

static void fit_platt(const eb_dataset_t *ds, const size_t *rows, size_t n, const double *probs, eb_trained_t *t)
{
    double *z = malloc(n * sizeof *z);
    uint8_t *y = malloc(n);
    t->calibrated = z && y;
    for (int c = 0; c < 3 && z && y; c++) {
        for (size_t i = 0; i < n; i++) {
            double p = fmin(fmax(probs[3 * i + (size_t)c], 1e-7), 1 - 1e-7);
            z[i] = log(p / (1 - p));
            y[i] = ds->label[rows[i]] + 1 == c;
        }
        if (eb_wf_platt_fit(z, y, n, &t->platt_a[c], &t->platt_b[c]) != 0)
            t->calibrated = 0;
    }
    for (int c = 0; c < 3 && !t->calibrated; c++) {
        t->platt_a[c] = 1;
        t->platt_b[c] = 0;
    }
    free(z);
    free(y);
}

static void pick_thresholds(const eb_dataset_t *ds, const size_t *rows, size_t n, const double *probs,
                            const eb_wf_config_t *c, eb_trained_t *t)
{
    double *pb = malloc(4 * n * sizeof *pb);
    if (!pb)
        return;
    double *ps = pb + n, *vl = pb + 2 * n, *vs = pb + 3 * n;
    for (size_t i = 0; i < n; i++) {
        pb[i] = probs[3 * i + EB_MODEL_CLASS_BUY];
        ps[i] = probs[3 * i + EB_MODEL_CLASS_SELL];
        vl[i] = ds->long_r[rows[i]] - ds->cost_r[rows[i]];
        vs[i] = ds->short_r[rows[i]] - ds->cost_r[rows[i]];
    }
    t->threshold_buy = eb_wf_best_threshold(pb, ps, vl, n, 0.34, 0.95, c->min_signals, &t->tune_ev_buy);
    t->threshold_sell = eb_wf_best_threshold(ps, pb, vs, n, 0.34, 0.95, c->min_signals, &t->tune_ev_sell);
    free(pb);
}

int eb_wf_tune(const eb_dataset_t *ds, const size_t *calib, size_t ncalib, const size_t *thr, size_t nthr,
               const eb_wf_config_t *c, eb_trained_t *t, eb_wf_compile_fn compile, char *err, size_t cap)
{
    size_t most = ncalib > nthr ? ncalib : nthr;
    double *probs = malloc(3 * (most ? most : 1) * sizeof *probs);
    uint8_t *blob = NULL;
    size_t len = 0;
    int rc = -1;
    t->threshold_buy = t->threshold_sell = 0.5;
    for (int k = 0; k < 3; k++)
        t->platt_a[k] = 1;
    if (!probs || compile(t->booster, ds, t, &blob, &len, err, cap) != 0)
        goto out;
    if (c->calibrate) {
        if (predict_rows(ds, calib, ncalib, blob, len, probs, err, cap) != 0)
            goto out;
        fit_platt(ds, calib, ncalib, probs, t);
        free(blob);
        blob = NULL;
        if (compile(t->booster, ds, t, &blob, &len, err, cap) != 0)
            goto out;
    }
    if (predict_rows(ds, thr, nthr, blob, len, probs, err, cap) != 0)
        goto out;
    pick_thresholds(ds, thr, nthr, probs, c, t);
    rc = compile(t->booster, ds, t, &t->blob, &t->blob_len, err, cap);
out:
    free(blob);
    free(probs);
    return rc;
}
