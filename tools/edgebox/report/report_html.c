/* report.html: one self-contained page (inline CSS and SVG, no script, no network) with the metrics, the
 * equity curve, the drawdown, monthly returns, the R-multiple distribution, the refusal counts and the
 * trade list; plus equity.csv and the writer of the three files. */
#include "core/reasons.h"
#include "tools/edgebox/report/report.h"

#include "common/errf.h"
#include "common/file_out.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define W 900.0
#define H 240.0
#define PAD 40.0

int eb_report_equity_csv(FILE *f, const eb_backtest_result_t *r)
{
    fputs("open_time_ms,equity,drawdown,close\n", f);
    double peak = 0;
    for (size_t i = 0; i < r->npoints; i++) {
        const eb_bt_point_t *p = &r->points[i];
        peak = p->equity > peak ? p->equity : peak;
        fprintf(f, "%lld,%.17g,%.17g,%.17g\n", (long long)p->t, p->equity, (peak - p->equity) / peak, p->close);
    }
    return ferror(f) ? -1 : 0;
}

static void cell(FILE *f, const char *name, double v, int pct)
{
    v += 0.0; /* no "-0" */
    if (!isfinite(v))
        fprintf(f, "<tr><td>%s</td><td>n/a</td></tr>\n", name);
    else if (pct)
        fprintf(f, "<tr><td>%s</td><td>%.2f%%</td></tr>\n", name, v * 100);
    else
        fprintf(f, "<tr><td>%s</td><td>%.4g</td></tr>\n", name, v);
}

static void svg_open(FILE *f, const char *title)
{
    fprintf(f, "<h2>%s</h2>\n<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n", title,
            W, H, W, H);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#ddd\"/>\n", W, H);
}

/* A polyline of y[i] over evenly spaced points, at most ~1200 vertices, with the min and max labelled. */
static void line_chart(FILE *f, const char *title, const double *y, size_t n, const char *color, int fill)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    if (!(hi > lo))
        hi = lo + 1;
    svg_open(f, title);
    size_t step = n > 1200 ? (n + 1199) / 1200 : 1;
    fprintf(f, "<polyline fill=\"%s\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", fill ? color : "none", color);
    if (fill)
        fprintf(f, "%.1f,%.1f ", PAD, PAD / 2);
    for (size_t i = 0; i < n; i += step) {
        size_t k = i + step >= n ? n - 1 : i;
        double x = PAD + (W - 2 * PAD) * (n > 1 ? (double)k / (double)(n - 1) : 0);
        double yy = H - PAD / 2 - (H - PAD) * (y[k] - lo) / (hi - lo);
        fprintf(f, "%.1f,%.1f ", x, yy);
        if (k == n - 1)
            break;
    }
    if (fill)
        fprintf(f, "%.1f,%.1f", W - PAD, PAD / 2);
    fputs("\"/>\n", f);
    fprintf(f, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.6g</text>\n", PAD / 2 + 4, hi + 0.0);
    fprintf(f, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.6g</text>\n", H - PAD / 2, lo + 0.0);
    fputs("</svg>\n", f);
}

static void equity_and_drawdown(FILE *f, const eb_backtest_result_t *r, double *buf)
{
    for (size_t i = 0; i < r->npoints; i++)
        buf[i] = r->points[i].equity;
    line_chart(f, "Equity", buf, r->npoints, "#1f6feb", 0);
    double peak = 0;
    for (size_t i = 0; i < r->npoints; i++) {
        peak = fmax(peak, r->points[i].equity);
        buf[i] = -(peak - r->points[i].equity) / peak * 100;
    }
    line_chart(f, "Drawdown (%)", buf, r->npoints, "#d73a49", 1);
}

static void bars_chart(FILE *f, const char *title, char (*label)[16], const double *v, size_t n, int pct)
{
    double lim = 1e-12;
    for (size_t i = 0; i < n; i++)
        lim = fmax(lim, fabs(v[i]));
    svg_open(f, title);
    double zero = pct ? H / 2 : H - PAD, span = pct ? H / 2 - PAD : H - 1.5 * PAD;
    double bw = n ? (W - 2 * PAD) / (double)n : 0;
    fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", PAD, W - PAD, zero, zero);
    for (size_t i = 0; i < n; i++) {
        double h = span * fabs(v[i]) / lim, x = PAD + bw * (double)i;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %.4g%s</title></rect>\n",
                x + 1, v[i] >= 0 ? zero - h : zero, fmax(bw - 2, 1), h, v[i] >= 0 ? "#2da44e" : "#d73a49", label[i],
                pct ? v[i] * 100 : v[i], pct ? "%" : "");
        if (n <= 40) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"9\" text-anchor=\"middle\">%s</text>\n", x + bw / 2,
                    H - 4, label[i]);
            if (v[i] != 0)
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">%.*f%s</text>\n",
                        x + bw / 2, v[i] >= 0 ? zero - h - 3 : zero + h + 10, pct ? 1 : 0, pct ? v[i] * 100 : v[i],
                        pct ? "%" : "");
        }
    }
    fputs("</svg>\n", f);
}

/* R multiples in half-R bins from -5R to +10R; the outermost bins collect the tails. */
static void r_histogram(FILE *f, const eb_backtest_result_t *r)
{
    enum { BINS = 30 };
    double count[BINS] = {0};
    char label[BINS][16];
    for (size_t i = 0; i < r->ntrades; i++) {
        double x = floor((r->trades[i].r_multiple + 5.0) * 2.0);
        int b = isfinite(x) ? (int)fmin(fmax(x, 0), BINS - 1) : 0;
        count[b] += 1;
    }
    for (int i = 0; i < BINS; i++)
        snprintf(label[i], sizeof label[i], "%+.1f", -5.0 + 0.5 * i);
    bars_chart(f, "R-multiple distribution (trades per half-R bin, from -5R to +10R)", label, count, BINS, 0);
}

static void counts_table(FILE *f, const eb_backtest_result_t *r)
{
    fputs("<h2>Decisions and refusals</h2>\n<table>\n", f);
    for (int i = 0; i < EB_ACTION_COUNT; i++)
        fprintf(f, "<tr><td>action %s</td><td>%llu</td></tr>\n", eb_action_name((eb_action_t)i),
                (unsigned long long)r->counters.actions[i]);
    for (int i = 1; i < EB_REFUSE_COUNT; i++)
        if (r->counters.refusals[i])
            fprintf(f, "<tr><td>refused: %s</td><td>%llu</td></tr>\n", eb_refusal_name((eb_refusal_t)i),
                    (unsigned long long)r->counters.refusals[i]);
    for (int i = 0; i < EB_EXIT_COUNT; i++)
        if (r->counters.exits[i])
            fprintf(f, "<tr><td>exit fills: %s</td><td>%llu</td></tr>\n", eb_exit_reason_name((eb_exit_reason_t)i),
                    (unsigned long long)r->counters.exits[i]);
    fputs("</table>\n", f);
}

static void metrics_table(FILE *f, const eb_backtest_result_t *r)
{
    const eb_equity_metrics_t *m = &r->em;
    const eb_trade_metrics_t *t = &r->tm;
    double na = NAN;
    int ok = r->metrics_ok;
    fputs("<h2>Metrics</h2>\n<table>\n", f);
    cell(f, "Final equity", r->final_equity, 0);
    cell(f, "Total return", ok ? m->total_return : na, 1);
    cell(f, "Annual return", ok ? m->annual_return : na, 1);
    cell(f, "Buy and hold", r->buy_and_hold, 1);
    cell(f, "Volatility (annual)", ok ? m->volatility : na, 1);
    cell(f, "Sharpe", ok ? m->sharpe : na, 0);
    cell(f, "Sortino", ok ? m->sortino : na, 0);
    cell(f, "Calmar", ok ? m->calmar : na, 0);
    cell(f, "Max drawdown", ok ? m->max_drawdown : na, 1);
    cell(f, "Average drawdown", ok ? m->avg_drawdown : na, 1);
    cell(f, "Longest drawdown (days)", ok ? (double)m->max_drawdown_duration_ms / 86400000.0 : na, 0);
    cell(f, "Recovery of the deepest (days)", ok && m->recovery_time_ms >= 0 ? (double)m->recovery_time_ms / 86400000.0 : na, 0);
    cell(f, "VaR 95% (per bar)", ok ? m->var95 : na, 1);
    cell(f, "CVaR 95% (per bar)", ok ? m->cvar95 : na, 1);
    cell(f, "Alpha (annual)", ok ? m->alpha : na, 0);
    cell(f, "Beta", ok ? m->beta : na, 0);
    cell(f, "Trades", (double)t->trades, 0);
    cell(f, "Win rate", t->win_rate, 1);
    cell(f, "Profit factor", t->profit_factor, 0);
    cell(f, "Average win", t->avg_win, 0);
    cell(f, "Average loss", t->avg_loss, 0);
    cell(f, "Largest win", t->largest_win, 0);
    cell(f, "Largest loss", t->largest_loss, 0);
    cell(f, "Expectancy (R)", t->expectancy_r, 0);
    cell(f, "SQN", t->sqn, 0);
    cell(f, "Fees paid", r->total_fees, 0);
    fputs("</table>\n", f);
}

static void trade_table(FILE *f, const eb_backtest_result_t *r)
{
    size_t n = r->ntrades < 500 ? r->ntrades : 500;
    fprintf(f, "<h2>Trades (%zu%s)</h2>\n<table>\n<tr><th>#</th><th>side</th><th>entry ms</th><th>exit ms</th>"
               "<th>entry</th><th>exit</th><th>qty</th><th>PnL</th><th>R</th><th>exit reason</th></tr>\n",
            r->ntrades, n < r->ntrades ? ", first 500 shown; all in report.json" : "");
    for (size_t i = 0; i < n; i++) {
        const eb_trade_t *t = &r->trades[i];
        fprintf(f, "<tr><td>%u</td><td>%s</td><td>%lld</td><td>%lld</td><td>%.2f</td><td>%.2f</td><td>%.5f</td>"
                   "<td>%.2f</td><td>%.2f</td><td>%s</td></tr>\n",
                t->position_id, t->side > 0 ? "long" : "short", (long long)t->entry_time_ms,
                (long long)t->exit_time_ms, t->entry_price, t->exit_price, t->qty, t->pnl, t->r_multiple,
                eb_exit_reason_name(t->reason));
    }
    fputs("</table>\n", f);
}

int eb_report_html(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r)
{
    double *buf = malloc(r->npoints * sizeof *buf);
    char label[600][16];
    double ret[600];
    if (!buf)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>edgebox backtest</title>\n"
          "<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:960px}table{border-collapse:collapse}"
          "td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}h2{margin-top:28px}</style></head><body>\n",
          f);
    fprintf(f, "<h1>edgebox backtest: %s</h1>\n<p>bars %s, %zu bars, %s; %ld gaps (%ld missing bars)</p>\n",
            o->cfg.pipeline.engine.strategy, o->bars_path, r->npoints,
            o->signal == EB_BT_MODEL ? o->model_path : "model-free signal", r->gaps, r->missing_bars);
    metrics_table(f, r);
    equity_and_drawdown(f, r, buf);
    size_t nm = eb_report_monthly(r, label, ret, 600);
    bars_chart(f, "Monthly returns", label, ret, nm, 1);
    r_histogram(f, r);
    counts_table(f, r);
    trade_table(f, r);
    fputs("</body></html>\n", f);
    free(buf);
    return ferror(f) ? -1 : 0;
}

typedef int (*writer_t)(FILE *, const eb_backtest_opts_t *, const eb_backtest_result_t *);
static int csv_writer(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r)
{
    (void)o;
    return eb_report_equity_csv(f, r);
}

/* The three files go to temp files first; report.json, the one a reader takes as "the run is there",
 * is renamed last, so a full disk never leaves it beside a cut equity.csv. */
int eb_report_write(const eb_backtest_opts_t *o, const eb_backtest_result_t *r, const char *dir, char *err,
                      size_t cap)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return eb_errf(err, cap, "%s: %s", dir, strerror(errno));
    }
    static const char *const names[3] = {"equity.csv", "report.html", "report.json"};
    const writer_t writers[3] = {csv_writer, eb_report_html, eb_report_json};
    eb_file_out_t out[3];
    memset(out, 0, sizeof out);
    int i, rc = 0;
    for (i = 0; i < 3 && rc == 0; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = eb_file_out_open(&out[i], path, 0644, err, cap);
        if (rc == 0 && writers[i](out[i].f, o, r) != 0 && !ferror(out[i].f))
            rc = eb_errf(err, cap, "%s: could not format the report", path);
        if (rc == 0)
            rc = eb_file_out_close(&out[i], err, cap);
    }
    for (i = 0; i < 3 && rc == 0; i++)
        rc = eb_file_out_rename(&out[i], err, cap);
    if (rc != 0)
        for (i = 0; i < 3; i++)
            eb_file_out_abort(&out[i]);
    return rc;
}
