#include "tools/edgebox/validate/montecarlo.h"

#include "common/errf.h"
#include "common/file_write.h"
#include "common/mkdir_p.h"
#include "core/lifecycle.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eb_mc_params_default(eb_mc_params_t *p)
{
    p->runs = 1000;
    p->seed = 42;
    p->pass_fraction = 0.95;
    p->alpha = 0.05;
}

void eb_mc_result_free(eb_mc_result_t *r)
{
    free(r->run);
    r->run = NULL;
    eb_wf_trades_free(&r->baseline_trades);
}

/* Runs that cannot differ test nothing: every bar draws the same class, or every run came out the same. */
static int degenerate(const eb_mc_result_t *r, size_t n, char *why, size_t cap)
{
    double p_none = 1 - r->p_buy - r->p_sell;
    const char *cls = r->p_buy >= 1 ? "buy" : r->p_sell >= 1 ? "sell" : p_none >= 1 ? "none" : NULL;
    if (cls) {
        snprintf(why, cap, "refused: class frequency of %s is 1 in the window, so every random run repeats the "
                 "model's signals and the test cannot tell the model from chance", cls);
        return 1;
    }
    int same = n > 1;
    for (size_t i = 1; same && i < n; i++)
        same = r->run[i].expectancy == r->run[0].expectancy && r->run[i].trades == r->run[0].trades;
    if (same) {
        snprintf(why, cap, "refused: all %zu runs are identical (frequencies buy %.4g, sell %.4g): the random "
                 "signals do not vary, so the test cannot tell the model from chance", n, r->p_buy, r->p_sell);
        return 1;
    }
    return 0;
}

void eb_mc_decide(eb_mc_result_t *r, const eb_mc_params_t *p)
{
    size_t n = (size_t)p->runs, pos = 0, below = 0, at_least = 0;
    double *e = malloc((n ? n : 1) * sizeof *e), model = r->baseline.expectancy;
    for (size_t i = 0; i < n; i++) {
        pos += r->run[i].expectancy > 0;
        below += r->run[i].expectancy < model;
        at_least += r->run[i].expectancy >= model;
        if (e)
            e[i] = r->run[i].expectancy;
    }
    r->positive_fraction = n ? (double)pos / (double)n : 0;
    r->mean_expectancy = e ? eb_stats_mean(e, n) : 0;
    r->ttest_ok = e && eb_stats_ttest(e, n, 0.0, &r->ttest) == EB_TTEST_OK;
    free(e);
    /* the model's own result among the runs; a model without trades has nothing to compare */
    r->model_percentile = n ? (double)below / (double)n : 0;
    r->model_p = r->baseline.trades ? (1.0 + (double)at_least) / (1.0 + (double)n) : 1.0;
    r->model_beats = r->model_p < p->alpha;
    int frac_ok = r->positive_fraction > p->pass_fraction;
    int t_ok = r->ttest_ok && r->ttest.p_greater < p->alpha;
    r->random_pass = frac_ok && t_ok;
    char why[sizeof r->reason];
    r->degenerate = degenerate(r, n, why, sizeof why);
    r->pass = r->random_pass && r->model_beats && !r->degenerate;
    if (r->p_buy + r->p_sell == 0)
        snprintf(r->reason, sizeof r->reason, "fail: the model gave no signal in the window, so random signals "
                 "with its frequencies make no trades");
    else if (r->degenerate)
        snprintf(r->reason, sizeof r->reason, "%s", why);
    else if (!frac_ok)
        snprintf(r->reason, sizeof r->reason, "fail: %.1f%% of runs have a positive expectancy (need > %.0f%%)",
                 100 * r->positive_fraction, 100 * p->pass_fraction);
    else if (!t_ok)
        snprintf(r->reason, sizeof r->reason, "fail: mean expectancy not significantly > 0 (one-sided p = %.4g, "
                 "need < %g)", r->ttest_ok ? r->ttest.p_greater : NAN, p->alpha);
    else if (!r->model_beats)
        snprintf(r->reason, sizeof r->reason, "fail: the model (%zu trades, %.4f R) does not beat random signals "
                 "with its frequencies: above %.1f%% of runs, p = %.4g (need < %g)", r->baseline.trades, model,
                 100 * r->model_percentile, r->model_p, p->alpha);
    else
        snprintf(r->reason, sizeof r->reason, "pass: %.1f%% of runs positive, one-sided p = %.3g; the model "
                 "(%.4f R) above %.1f%% of runs, p = %.3g", 100 * r->positive_fraction, r->ttest.p_greater, model,
                 100 * r->model_percentile, r->model_p);
}

int eb_mc_run(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi, const eb_wf_sim_params_t *sim,
              const eb_mc_params_t *p, eb_mc_result_t *out, char *err, size_t cap)
{
    size_t k = hi - lo, nb = 0, ns = 0;
    *out = (eb_mc_result_t){.bars = k};
    if (p->runs < 2 || p->runs > 10000000 || hi <= lo) {
        return eb_errf(err, cap, "montecarlo: runs must be 2..10000000 and the window non-empty (runs %d, %zu bars)",
                       p->runs, k);
    }
    for (size_t i = 0; i < k; i++) {
        nb += sig[i] == 1;
        ns += sig[i] == -1;
    }
    out->p_buy = (double)nb / (double)k;
    out->p_sell = (double)ns / (double)k;
    eb_wf_trades_t trades = {0};
    int8_t *rs = malloc(k);
    out->run = calloc((size_t)p->runs, sizeof *out->run);
    int rc = !rs || !out->run || eb_wf_simulate(ds, sig, lo, hi, sim, &out->baseline_trades);
    eb_wf_summarize(out->baseline_trades.v, out->baseline_trades.n, &out->baseline);
    eb_rng_t rng;
    eb_rng_seed(&rng, p->seed);
    for (int r = 0; r < p->runs && !rc; r++) {
        for (size_t i = 0; i < k; i++) {
            double u = eb_rng_uniform(&rng);
            rs[i] = (int8_t)(u < out->p_buy ? 1 : u < out->p_buy + out->p_sell ? -1 : 0);
        }
        trades.n = 0;
        rc = eb_wf_simulate(ds, rs, lo, hi, sim, &trades);
        eb_wf_summarize(trades.v, trades.n, &out->run[r]);
    }
    free(rs);
    eb_wf_trades_free(&trades);
    if (rc) {
        eb_errf(err, cap, "montecarlo: out of memory");
        eb_mc_result_free(out);
        return -1;
    }
    eb_mc_decide(out, p);
    return 0;
}

static double fin(double v) { return isfinite(v) ? v : -1; } /* JSON has no inf: profit factor inf -> -1 */

static void json_summary(FILE *f, const eb_wf_summary_t *s)
{
    fprintf(f, "{\"trades\": %zu, \"expectancy_r\": %.17g, \"win_rate\": %.17g, \"profit_factor\": %.17g, "
            "\"max_drawdown\": %.17g}", s->trades, s->expectancy, s->win_rate, fin(s->profit_factor), s->max_drawdown);
}

/* The lifecycle rule for a candidate, on the window's own out-of-sample trades. Validated means both
 * gates passed (docs/validation.md): a Monte Carlo pass alone is not enough. */
static void lifecycle_json(FILE *f, const eb_mc_result_t *r, const eb_mc_window_t *w)
{
    size_t n = r->baseline_trades.n;
    eb_lc_trade_t *t = malloc((n ? n : 1) * sizeof *t);
    eb_lc_params_t lp = eb_lc_params_default();
    int validated = r->pass && w->walkforward_pass;
    eb_lc_input_t in = {.state = EB_LC_CANDIDATE, .since_ms = w->from_ms, .now_ms = w->to_ms, .validated = validated};
    eb_lc_decision_t d;
    for (size_t i = 0; t && i < n; i++)
        t[i] = (eb_lc_trade_t){r->baseline_trades.v[i].exit_ms, r->baseline_trades.v[i].r};
    if (!t || eb_lifecycle_decide(&lp, &in, t, n, &d) != 0)
        d = (eb_lc_decision_t){.action = EB_LC_HOLD, .next = EB_LC_CANDIDATE, .reason = EB_LC_R_BAD_INPUT};
    fprintf(f, "\"lifecycle\": {\"state\": \"candidate\", \"walkforward_pass\": %s, \"montecarlo_pass\": %s, "
            "\"validated\": %s, \"validated_rule\": \"walk-forward pass and Monte Carlo pass\", \"action\": \"%s\", "
            "\"next\": \"%s\", \"reason\": \"%s\", \"trades\": %d, \"expectancy_r\": %.17g},\n",
            w->walkforward_pass ? "true" : "false", r->pass ? "true" : "false", validated ? "true" : "false",
            eb_lc_action_name(d.action), eb_lc_state_name(d.next), eb_lc_reason_text(d.reason), d.trades,
            d.expectancy);
    free(t);
}

static void write_json(FILE *f, const eb_mc_params_t *p, const eb_mc_result_t *r, const eb_mc_window_t *w)
{
    fprintf(f, "{\n\"runs\": %d,\n\"seed\": %llu,\n\"window\": [%" PRId64 ", %" PRId64 "],\n"
            "\"model_training_range\": [%" PRId64 ", %" PRId64 "],\n\"bars\": %zu,\n"
            "\"class_frequencies\": {\"buy\": %.17g, \"sell\": %.17g, \"none\": %.17g},\n\"baseline\": ",
            p->runs, (unsigned long long)p->seed, w->from_ms, w->to_ms, w->train_start_ms, w->train_end_ms, r->bars,
            r->p_buy, r->p_sell, 1 - r->p_buy - r->p_sell);
    json_summary(f, &r->baseline);
    fprintf(f, ",\n\"model\": {\"trades\": %zu, \"expectancy_r\": %.17g, \"percentile\": %.17g, \"p_value\": %.17g, "
            "\"beats_random\": %s},\n", r->baseline.trades, r->baseline.expectancy, r->model_percentile, r->model_p,
            r->model_beats ? "true" : "false");
    fprintf(f, "\"positive_fraction\": %.17g,\n\"mean_expectancy_r\": %.17g,\n\"t\": %.17g,\n"
            "\"p_value_one_sided\": %.17g,\n\"random_entry_pass\": %s,\n\"degenerate\": %s,\n\"alpha\": %g,\n"
            "\"rule\": \"pass if > %g of runs have expectancy > 0, the one-sample t-test of run expectancies against 0 "
            "has one-sided p < %g (random-entry test), and the model's expectancy beats the runs: (1 + #runs >= "
            "model) / (1 + runs) < %g (permutation test); a class frequency of 1 or identical runs are refused\",\n"
            "\"pass\": %s,\n\"verdict\": \"%s\",\n", r->positive_fraction, r->mean_expectancy,
            r->ttest_ok ? fin(r->ttest.t) : 0, r->ttest_ok ? r->ttest.p_greater : 1, r->random_pass ? "true" : "false",
            r->degenerate ? "true" : "false", p->alpha, p->pass_fraction, p->alpha, p->alpha,
            r->pass ? "true" : "false", r->reason);
    lifecycle_json(f, r, w);
    fputs("\"per_run\": [\n", f);
    for (int i = 0; i < p->runs; i++) {
        json_summary(f, &r->run[i]);
        fputs(i + 1 < p->runs ? ",\n" : "\n", f);
    }
    fputs("]\n}\n", f);
}

static void write_html(FILE *f, const eb_mc_params_t *p, const eb_mc_result_t *r)
{
    enum { BINS = 40 };
    double lo = INFINITY, hi = -INFINITY;
    int count[BINS] = {0}, top = 1;
    for (int i = 0; i < p->runs; i++) {
        lo = fmin(lo, r->run[i].expectancy);
        hi = fmax(hi, r->run[i].expectancy);
    }
    if (!(hi > lo))
        hi = lo + 1e-9;
    for (int i = 0; i < p->runs; i++) {
        int b = (int)((r->run[i].expectancy - lo) / (hi - lo) * BINS);
        b = b >= BINS ? BINS - 1 : b;
        if (++count[b] > top)
            top = count[b];
    }
    fprintf(f, "<!doctype html><html><head><meta charset=\"utf-8\"><title>edgebox Monte Carlo</title></head>"
            "<body style=\"font:14px sans-serif;margin:2em\"><h1>Monte Carlo gate: %s</h1>"
            "<p>%s</p><p>%d runs, seed %llu; signal frequencies buy %.4f, sell %.4f. Model: %zu trades, "
            "expectancy %.4f R, above %.1f%% of runs, p = %.4g. Runs: mean expectancy %.4f R, %.1f%% positive.</p>"
            "<svg width=\"820\" height=\"320\" viewBox=\"0 0 820 320\">", r->pass ? "PASS" : "FAIL", r->reason,
            p->runs, (unsigned long long)p->seed, r->p_buy, r->p_sell, r->baseline.trades, r->baseline.expectancy,
            100 * r->model_percentile, r->model_p, r->mean_expectancy, 100 * r->positive_fraction);
    for (int b = 0; b < BINS; b++) {
        double h = 260.0 * count[b] / top, x0 = lo + (hi - lo) * b / BINS;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"18\" height=\"%.1f\" fill=\"%s\"><title>%.4f R: %d"
                "</title></rect>", 10 + 20 * b, 280 - h, h, x0 >= 0 ? "#3a3" : "#c33", x0, count[b]);
    }
    /* the model's own expectancy, clamped to the plot's edge when it lies outside the runs' range */
    double mx = 10 + 800 * fmin(fmax((r->baseline.expectancy - lo) / (hi - lo), 0), 1);
    fprintf(f, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"280\" stroke=\"#24c\" stroke-width=\"2\"><title>model "
            "%.4f R</title></line>", mx, mx, r->baseline.expectancy);
    fprintf(f, "<text x=\"10\" y=\"300\">%.4f R</text><text x=\"730\" y=\"300\">%.4f R</text></svg>"
            "<p>Green bars: runs with expectancy >= 0. Blue line: the model (%.4f R, p = %.4g).</p></body></html>\n",
            lo, hi, r->baseline.expectancy, r->model_p);
}

int eb_mc_write(const char *dir, const eb_mc_params_t *p, const eb_mc_result_t *r, const eb_mc_window_t *w,
                char *err, size_t cap)
{
    if (eb_mkdir_p(dir, 0755, err, cap))
        return -1;
    const char *names[2] = {"montecarlo.json", "montecarlo.html"};
    for (int i = 0; i < 2; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f) {
            return eb_errf(err, cap, "out of memory");
        }
        if (i == 0)
            write_json(f, p, r, w);
        else
            write_html(f, p, r);
        fclose(f);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int rc = eb_write_file_atomic(path, buf, len, 0644, err, cap);
        free(buf);
        if (rc)
            return -1;
    }
    return 0;
}
