#include "tools/edgebox/validate/wf_report.h"

#include "common/errf.h"
#include "common/file_write.h"
#include "tools/edgebox/validate/wf_sign.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int bad;
} out_t;

static void put(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_t *o, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !o->bad; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = 2 * o->cap + (size_t)(n > 0 ? n : 0) + 1;
        char *nb = realloc(o->buf, cap);
        if (!nb)
            o->bad = 1;
        else {
            o->buf = nb;
            o->cap = cap;
        }
    }
}

/* JSON has no inf/nan: they become null. */
static void num(out_t *o, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        put(o, "\"%s\": %.17g%s", key, v, sep);
    else
        put(o, "\"%s\": null%s", key, sep);
}

/* What the selected set's stitched out-of-sample result supports, in words that mean what was measured:
 * robust only when the lower confidence bound of the expectancy is above 0 (the walk-forward's pass). */
typedef struct {
    int eligible, positive_oos, robust;
    const char *label;
} verdict_t;

static verdict_t verdict(const eb_wf_result_t *b)
{
    verdict_t v = {b->eligible, b->eligible && b->sum.expectancy > 0, b->eligible && b->score > 0, NULL};
    v.label = v.robust         ? "robust: lower confidence bound of the out-of-sample expectancy > 0"
              : v.positive_oos ? "eligible, positive out-of-sample expectancy, but its lower confidence bound is "
                                 "<= 0: not robust"
              : v.eligible     ? "eligible, but the out-of-sample expectancy is <= 0: not robust"
                               : "not eligible: no set met the criterion (every window trained, enough trades)";
    return v;
}

int eb_wf_passed(const eb_wf_result_t *b) { return verdict(b).robust; }

static void set_json(out_t *o, const eb_wf_config_t *c, const eb_wf_result_t *r)
{
    eb_wf_set_t s;
    eb_wf_set_get(c, r->set, &s);
    put(o, "{\"set\": %zu, \"tenkan\": %d, \"kijun\": %d, \"senkou_b\": %d, \"rsi\": %d, \"atr\": %d, ", r->set,
        s.fp.tenkan, s.fp.kijun, s.fp.senkou_b, s.fp.rsi, s.fp.atr);
    num(o, "learning_rate", s.learning_rate, ", ");
    put(o, "\"max_leaves\": %d, \"min_child_weight\": %d, \"rounds\": %d, \"trades\": %zu, ", s.max_leaves,
        s.min_child_weight, s.rounds, r->sum.trades);
    num(o, "expectancy_r", r->sum.expectancy, ", ");
    num(o, "win_rate", r->sum.win_rate, ", ");
    num(o, "profit_factor", r->sum.profit_factor, ", ");
    num(o, "max_drawdown", r->sum.max_drawdown, ", ");
    num(o, "total_return", r->sum.total_return, ", ");
    num(o, "score", r->score, ", ");
    put(o, "\"windows_ok\": %d, \"windows_profitable\": %d, \"eligible\": %s}", r->windows_ok, r->windows_profitable,
        r->eligible ? "true" : "false");
}

static void results_json(out_t *o, const eb_wf_ctx_t *x, const eb_wf_result_t *res, size_t total, size_t best,
                         const eb_wf_final_t *fin)
{
    put(o, "{\n\"config_hash\": \"%016" PRIx64 "\",\n\"data_hash\": \"%016" PRIx64 "\",\n\"bars\": %zu,\n", x->config_hash,
        x->data_hash, x->n);
    put(o, "\"criterion\": \"highest LCB = mean R - 1.645 sd R / sqrt(trades) among sets with every window trained "
           "and >= %d out-of-sample trades; ties: more profitable windows, then lower index\",\n", x->cfg.min_trades);
    put(o, "\"windows\": [");
    for (int i = 0; i < x->nwin; i++)
        put(o, "%s[%" PRId64 ", %" PRId64 ", %" PRId64 "]", i ? ", " : "", x->windows[i].train_start,
            x->windows[i].valid_start, x->windows[i].valid_end);
    put(o, "],\n\"selected\": ");
    set_json(o, &x->cfg, &res[best]);
    verdict_t v = verdict(&res[best]);
    put(o, ",\n\"eligible\": %s,\n\"positive_oos\": %s,\n\"robust\": %s,\n\"walkforward_pass\": %s,\n"
           "\"verdict\": \"%s\",\n", v.eligible ? "true" : "false", v.positive_oos ? "true" : "false",
        v.robust ? "true" : "false", v.robust ? "true" : "false", v.label);
    put(o, "\"model\": {\"file\": \"model.ebm\", \"schema_hash\": \"%016" PRIx64 "\", "
           "\"train_start_ms\": %" PRId64 ", \"train_end_ms\": %" PRId64 ", ", fin->schema_hash, fin->train_start,
        fin->train_end);
    num(o, "threshold_buy", fin->model.threshold_buy, ", ");
    num(o, "threshold_sell", fin->model.threshold_sell, ", ");
    put(o, "\"rounds\": %d},\n\"shap_top10\": [", fin->model.rounds_used);
    for (int i = 0; i < 10; i++) {
        put(o, "%s{\"feature\": \"%s\", ", i ? ", " : "", eb_feature_names[fin->shap[i].feature]);
        num(o, "mean_abs_shap", fin->shap[i].mean_abs, "}");
    }
    put(o, "],\n\"sets\": [\n");
    for (size_t s = 0; s < total; s++) {
        set_json(o, &x->cfg, &res[s]);
        put(o, "%s\n", s + 1 < total ? "," : "");
    }
    put(o, "]\n}\n");
}

static void report_html(out_t *o, const eb_wf_ctx_t *x, const eb_wf_result_t *res, size_t total, size_t best,
                        const eb_wf_final_t *fin)
{
    const eb_wf_result_t *b = &res[best];
    put(o, "<!doctype html><html><head><meta charset=\"utf-8\"><title>edgebox walk-forward</title><style>"
           "body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
           "padding:2px 6px;text-align:right}.sel{background:#dfd}</style></head><body>"
           "<h1>Walk-forward</h1><p>%d windows (train %d / validation %d / step %d months), %zu parameter sets, "
           "%zu bars.</p>", x->nwin, x->cfg.train_months, x->cfg.valid_months, x->cfg.step_months, total, x->n);
    put(o, "<h2>Selected: set %zu (%s)</h2><p>Out-of-sample: %zu trades, expectancy %.4f R, win rate %.1f%%, "
           "profit factor %.3f, max drawdown %.2f%%, LCB %.4f R.</p>", b->set, verdict(b).label, b->sum.trades,
        b->sum.expectancy,
        100 * b->sum.win_rate, b->sum.profit_factor, 100 * b->sum.max_drawdown, b->score);
    put(o, "<h2>SHAP top 10 (first window)</h2><table><tr><th>feature</th><th>mean |SHAP|</th></tr>");
    for (int i = 0; i < 10; i++)
        put(o, "<tr><td>%s</td><td>%.6f</td></tr>", eb_feature_names[fin->shap[i].feature], fin->shap[i].mean_abs);
    put(o, "</table><h2>All sets</h2><table><tr><th>set</th><th>trades</th><th>expectancy R</th><th>win rate</th>"
           "<th>PF</th><th>max DD</th><th>LCB</th><th>profitable windows</th></tr>");
    for (size_t s = 0; s < total; s++)
        put(o, "<tr%s><td>%zu</td><td>%zu</td><td>%.4f</td><td>%.3f</td><td>%.3f</td><td>%.4f</td><td>%.4f</td>"
               "<td>%d/%d</td></tr>", s == best ? " class=\"sel\"" : "", s, res[s].sum.trades, res[s].sum.expectancy,
            res[s].sum.win_rate, res[s].sum.profit_factor, res[s].sum.max_drawdown, res[s].score,
            res[s].windows_profitable, x->nwin);
    put(o, "</table></body></html>\n");
}

/* The model's metadata: its training range (montecarlo refuses windows that overlap it) and the walk-
 * forward's verdict (the lifecycle's "validated" needs it besides the Monte Carlo pass). */
static void summary_json(out_t *o, const eb_wf_result_t *b, const eb_wf_final_t *fin)
{
    put(o, "{\"window_start\": %" PRId64 ", \"window_end\": %" PRId64 ", \"train_start_ms\": %" PRId64 ", "
           "\"train_end_ms\": %" PRId64 ", \"walkforward_pass\": %s, \"rows_train\": %zu, \"rows_valid\": %zu, "
           "\"schema_hash\": \"%016" PRIx64 "\", \"metrics\": {", fin->train_start / 1000, fin->train_end / 1000,
        fin->train_start, fin->train_end, verdict(b).robust ? "true" : "false", fin->model.rows_fit,
        fin->model.rows_tune, fin->schema_hash);
    num(o, "oos_expectancy_r", b->sum.expectancy, ", ");
    num(o, "oos_win_rate", b->sum.win_rate, ", ");
    num(o, "oos_profit_factor", b->sum.profit_factor, ", ");
    num(o, "oos_max_drawdown", b->sum.max_drawdown, ", ");
    put(o, "\"oos_trades\": %zu}, \"importances\": [", b->sum.trades);
    for (int i = 0; i < 10; i++) {
        put(o, "%s[\"%s\", ", i ? ", " : "", eb_feature_names[fin->shap[i].feature]);
        put(o, "%.17g]", fin->shap[i].mean_abs);
    }
    put(o, "]}\n");
}

static int save(const eb_wf_ctx_t *x, const char *name, out_t *o, char *err, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", x->dir, name);
    int rc = o->bad ? -1 : eb_write_file_atomic(path, o->buf, o->len, 0644, err, cap);
    if (o->bad)
        eb_errf(err, cap, "%s: out of memory", path);
    o->len = 0;
    return rc;
}

int eb_wf_write_outputs(const eb_wf_ctx_t *x, const eb_wf_result_t *results, size_t total, size_t best,
                        const eb_wf_final_t *fin, char *err, size_t cap)
{
    const eb_wf_result_t *res = results;
    out_t o = {malloc(1 << 16), 0, 1 << 16, 0};
    o.bad = !o.buf;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.ebm", x->dir);
    int rc = eb_write_file_atomic(path, fin->model.blob, fin->model.blob_len, 0644, err, cap);
    if (!rc) {
        results_json(&o, x, res, total, best, fin);
        rc = save(x, "results.json", &o, err, cap);
    }
    if (!rc) {
        report_html(&o, x, res, total, best, fin);
        rc = save(x, "report.html", &o, err, cap);
    }
    if (!rc) {
        summary_json(&o, &res[best], fin);
        rc = save(x, "model.summary.json", &o, err, cap);
    }
    free(o.buf);
    if (!rc && x->sign_key) {
        const eb_wf_result_t *b = &res[best];
        const char *names[] = {"oos_expectancy_r", "oos_win_rate", "oos_profit_factor", "oos_max_drawdown",
                               "oos_trades", "oos_lcb_r", "threshold_buy", "threshold_sell"};
        double values[] = {b->sum.expectancy, b->sum.win_rate, isfinite(b->sum.profit_factor) ? b->sum.profit_factor : -1,
                           b->sum.max_drawdown, (double)b->sum.trades, isfinite(b->score) ? b->score : -1,
                           fin->model.threshold_buy, fin->model.threshold_sell};
        eb_training_summary_t sum;
        eb_wf_summary_fill(&sum, fin->train_start, fin->train_end, fin->model.rows_fit, fin->model.rows_tune, names,
                           values, 8, fin->shap);
        snprintf(path, sizeof path, "%s/model.signed", x->dir);
        rc = eb_wf_sign(fin->model.blob, fin->model.blob_len, fin->schema_hash, &sum, x->sign_key, x->release,
                        "walkforward", path, err, cap);
    }
    return rc;
}
