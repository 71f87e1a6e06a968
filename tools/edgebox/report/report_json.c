/* report.json: fixed key order, numbers as %.17g (exact round trip; null when not finite), no wall-clock
 * time or host detail, so the same inputs give the same bytes. Key names: docs/metrics.md. */
#include "core/calendar.h"
#include "core/reasons.h"
#include "core/risk.h"
#include "tools/edgebox/report/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void num(FILE *f, const char *key, double v, int last)
{
    if (isfinite(v)) /* + 0.0 turns -0 into 0: one spelling for zero */
        fprintf(f, "    \"%s\": %.17g%s\n", key, v + 0.0, last ? "" : ",");
    else
        fprintf(f, "    \"%s\": null%s\n", key, last ? "" : ",");
}

static void integer(FILE *f, const char *key, long long v, int last)
{
    fprintf(f, "    \"%s\": %lld%s\n", key, v, last ? "" : ",");
}

static void str_value(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void str(FILE *f, const char *key, const char *s, int last)
{
    fprintf(f, "    \"%s\": ", key);
    str_value(f, s);
    fputs(last ? "\n" : ",\n", f);
}

static const char *signal_name(eb_bt_signal_t s)
{
    static const char *const names[] = {"model", "always-long", "always-short", "random", "file"};
    return names[s];
}

size_t eb_report_monthly(const eb_backtest_result_t *r, char (*label)[16], double *ret, size_t cap)
{
    size_t n = 0;
    double base = r->npoints ? r->points[0].equity : 0;
    for (size_t i = 0; i < r->npoints && n < cap; i++) {
        eb_civil_t c = eb_calendar_from_ms(r->points[i].t);
        int month_end = i + 1 == r->npoints;
        if (!month_end) {
            eb_civil_t d = eb_calendar_from_ms(r->points[i + 1].t);
            month_end = d.month != c.month || d.year != c.year;
        }
        if (!month_end)
            continue;
        snprintf(label[n], sizeof label[n], "%04d-%02d", (int)(c.year % 10000), (int)c.month);
        ret[n++] = r->points[i].equity / base - 1;
        base = r->points[i].equity;
    }
    return n;
}

static void inputs(FILE *f, const eb_backtest_opts_t *o)
{
    fputs("  \"inputs\": {\n", f);
    str(f, "config", o->config_path, 0);
    str(f, "bars", o->bars_path, 0);
    str(f, "model", o->signal == EB_BT_MODEL ? o->model_path : NULL, 0);
    str(f, "signal", signal_name(o->signal), 0);
    str(f, "signal_file", o->signal == EB_BT_FILE ? o->signal_file : NULL, 0);
    if (o->signal == EB_BT_RANDOM)
        fprintf(f, "    \"seed\": %" PRIu64 "\n", o->seed);
    else
        fputs("    \"seed\": null\n", f);
    fputs("  },\n", f);
}

static void settings(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r)
{
    const eb_engine_config_t *e = &o->cfg.pipeline.engine;
    fputs("  \"settings\": {\n", f);
    str(f, "strategy", e->strategy, 0);
    str(f, "venue", o->cfg.futures ? "futures" : "spot", 0);
    str(f, "symbol", o->cfg.symbol, 0);
    num(f, "initial_capital", e->initial_capital, 0);
    num(f, "taker_fee_bps", e->costs.fee_bps, 0);
    num(f, "slippage_bps", e->costs.slippage_bps, 0);
    num(f, "stop_extreme_fraction", e->costs.stop_extreme_fraction, 0);
    str(f, "sizing", eb_sizing_method_name(e->sizing.method), 0);
    num(f, "risk_per_trade", e->sizing.risk_per_trade, 0);
    num(f, "risk_exposition", e->risk_exposition, 0);
    integer(f, "max_open_positions", e->max_open_positions, 0);
    integer(f, "interval_ms", (long long)r->interval_ms, 0);
    fprintf(f, "    \"model_schema_hash\": \"%016" PRIx64 "\",\n", r->model_schema_hash);
    integer(f, "model_trees", r->model_trees, 1);
    fputs("  },\n", f);
}

static void data_block(FILE *f, const eb_backtest_result_t *r)
{
    fputs("  \"data\": {\n", f);
    integer(f, "bars", (long long)r->npoints, 0);
    integer(f, "first_open_time_ms", (long long)r->points[0].t, 0);
    integer(f, "last_open_time_ms", (long long)r->points[r->npoints - 1].t, 0);
    integer(f, "gaps", r->gaps, 0);
    integer(f, "missing_bars", r->missing_bars, 1);
    fputs("  },\n", f);
}

static void metrics(FILE *f, const eb_backtest_result_t *r)
{
    const eb_equity_metrics_t *m = &r->em;
    const eb_trade_metrics_t *t = &r->tm;
    int ok = r->metrics_ok;
    fputs("  \"metrics\": {\n", f);
    num(f, "initial_equity", r->initial_equity, 0);
    num(f, "final_equity", r->final_equity, 0);
    num(f, "total_return", ok ? m->total_return : NAN, 0);
    num(f, "annual_return", ok ? m->annual_return : NAN, 0);
    num(f, "volatility", ok ? m->volatility : NAN, 0);
    num(f, "sharpe", ok ? m->sharpe : NAN, 0);
    num(f, "sortino", ok ? m->sortino : NAN, 0);
    num(f, "calmar", ok ? m->calmar : NAN, 0);
    num(f, "max_drawdown", ok ? m->max_drawdown : NAN, 0);
    num(f, "avg_drawdown", ok ? m->avg_drawdown : NAN, 0);
    num(f, "max_drawdown_duration_ms", ok ? (double)m->max_drawdown_duration_ms : NAN, 0);
    num(f, "recovery_time_ms", ok && m->recovery_time_ms >= 0 ? (double)m->recovery_time_ms : NAN, 0);
    num(f, "var_95", ok ? m->var95 : NAN, 0);
    num(f, "cvar_95", ok ? m->cvar95 : NAN, 0);
    num(f, "alpha", ok ? m->alpha : NAN, 0);
    num(f, "beta", ok ? m->beta : NAN, 0);
    num(f, "buy_and_hold_return", r->buy_and_hold, 0);
    integer(f, "trades", (long long)t->trades, 0);
    integer(f, "wins", (long long)t->wins, 0);
    integer(f, "losses", (long long)t->losses, 0);
    num(f, "win_rate", t->win_rate, 0);
    num(f, "profit_factor", t->profit_factor, 0);
    num(f, "avg_win", t->avg_win, 0);
    num(f, "avg_loss", t->avg_loss, 0);
    num(f, "largest_win", t->largest_win, 0);
    num(f, "largest_loss", t->largest_loss, 0);
    num(f, "avg_pnl", t->avg_pnl, 0);
    num(f, "expectancy_r", t->expectancy_r, 0);
    num(f, "sqn", t->sqn, 0);
    num(f, "total_fees", r->total_fees, 1);
    fputs("  },\n", f);
}

typedef const char *(*namer_t)(int);
static const char *n_action(int i) { return eb_action_name((eb_action_t)i); }
static const char *n_refusal(int i) { return i == 0 ? NULL : eb_refusal_name((eb_refusal_t)i); }
static const char *n_disarm(int i) { return eb_disarm_reason_name((eb_disarm_reason_t)i); }
static const char *n_exit(int i) { return eb_exit_reason_name((eb_exit_reason_t)i); }
static const char *n_stop(int i) { return i == 0 ? NULL : eb_stop_kind_name((eb_stop_kind_t)i); }
static const char *n_period(int i) { return eb_period_name((eb_period_t)i); }

static void counter_map(FILE *f, const char *key, const uint64_t *v, int n, namer_t name, int last)
{
    fprintf(f, "    \"%s\": {", key);
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (!name(i))
            continue;
        fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ", name(i), v[i]);
        first = 0;
    }
    fprintf(f, "}%s\n", last ? "" : ",");
}

static void counters(FILE *f, const eb_backtest_result_t *r)
{
    const eb_engine_counters_t *c = &r->counters;
    uint64_t trips[EB_PERIOD_COUNT];
    for (int i = 0; i < EB_PERIOD_COUNT; i++)
        trips[i] = r->breaker_trips[i];
    fputs("  \"counters\": {\n", f);
    integer(f, "bars", (long long)c->bars, 0);
    integer(f, "entries", (long long)c->entries, 0);
    counter_map(f, "actions", c->actions, EB_ACTION_COUNT, n_action, 0);
    counter_map(f, "refusals", c->refusals, EB_REFUSE_COUNT, n_refusal, 0);
    counter_map(f, "disarmed_by", c->disarmed_by, EB_DISARM_COUNT, n_disarm, 0);
    counter_map(f, "exits", c->exits, EB_EXIT_COUNT, n_exit, 0);
    counter_map(f, "stop_moves", c->stop_moves, EB_STOP_COUNT, n_stop, 0);
    counter_map(f, "breaker_trips", trips, EB_PERIOD_COUNT, n_period, 1);
    fputs("  },\n", f);
}

static void monthly(FILE *f, const eb_backtest_result_t *r)
{
    char label[600][16];
    double ret[600];
    size_t n = eb_report_monthly(r, label, ret, 600);
    fputs("  \"monthly_returns\": [", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n    {\"month\": \"%s\", \"return\": %.17g}", i ? "," : "", label[i], ret[i]);
    fputs(n ? "\n  ],\n" : "],\n", f);
}

static void trades(FILE *f, const eb_backtest_result_t *r)
{
    fputs("  \"trades\": [", f);
    for (size_t i = 0; i < r->ntrades; i++) {
        const eb_trade_t *t = &r->trades[i];
        fprintf(f,
                "%s\n    {\"id\": %u, \"side\": \"%s\", \"entry_time_ms\": %lld, \"exit_time_ms\": %lld, "
                "\"entry_price\": %.17g, \"exit_price\": %.17g, \"qty\": %.17g, \"r_dist\": %.17g, \"pnl\": %.17g, "
                "\"fees\": %.17g, \"r_multiple\": %.17g, \"exit_reason\": \"%s\", \"partial\": %s}",
                i ? "," : "", t->position_id, t->side > 0 ? "long" : "short", (long long)t->entry_time_ms,
                (long long)t->exit_time_ms, t->entry_price, t->exit_price, t->qty, t->r_dist, t->pnl, t->fees,
                t->r_multiple, eb_exit_reason_name(t->reason), t->partial_taken ? "true" : "false");
    }
    fputs(r->ntrades ? "\n  ]\n" : "]\n", f);
}

int eb_report_json(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r)
{
    if (!r->npoints)
        return -1;
    fputs("{\n  \"format\": \"edgebox-backtest-report\",\n  \"version\": 1,\n", f);
    inputs(f, o);
    settings(f, o, r);
    data_block(f, r);
    metrics(f, r);
    counters(f, r);
    monthly(f, r);
    trades(f, r);
    fputs("}\n", f);
    return ferror(f) ? -1 : 0;
}
