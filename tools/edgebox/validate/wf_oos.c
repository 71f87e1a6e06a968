#include "tools/edgebox/validate/wf_oos.h"

#include "app/config.h"
#include "core/fill.h"
#include "core/position.h"

#include <math.h>
#include <stdlib.h>

void eb_wf_sim_params_default(eb_wf_sim_params_t *p)
{
    eb_fill_costs_t c;
    eb_fill_costs_default(&c);
    p->fee_bps = c.fee_bps;
    p->slippage_bps = c.slippage_bps;
    p->stop_extreme_fraction = c.stop_extreme_fraction;
    p->risk_per_trade = 0.01;
}

int eb_wf_trades_push(eb_wf_trades_t *ts, const eb_wf_trade_t *t)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 256;
        eb_wf_trade_t *v = realloc(ts->v, cap * sizeof *v);
        if (!v)
            return -1;
        ts->v = v;
        ts->cap = cap;
    }
    ts->v[ts->n++] = *t;
    return 0;
}

void eb_wf_trades_free(eb_wf_trades_t *ts)
{
    free(ts->v);
    ts->v = NULL;
    ts->n = ts->cap = 0;
}

/* The fills are the core's fill rule (core/fill.h), as in the backtest and on the box. */
typedef struct {
    eb_position_t pos;
    int open;
    double r0_fill;  /* entry fill including slippage */
    int64_t entry_ms;
    eb_fill_costs_t costs;
} sim_t;

/* Closes at a fill price, books R after both fees on the initial risk (one unit). */
static int close_at(sim_t *s, double exit_fill, int64_t t_ms, const eb_wf_sim_params_t *p, eb_wf_trades_t *out)
{
    double pnl = s->pos.side * (exit_fill - s->r0_fill) - eb_fill_fee(&s->costs, exit_fill, 1.0) -
                 eb_fill_fee(&s->costs, s->r0_fill, 1.0);
    eb_wf_trade_t t = {s->entry_ms, t_ms, s->pos.side, pnl / s->pos.r_dist, 0};
    t.ret = p->risk_per_trade * t.r;
    s->open = 0;
    return eb_wf_trades_push(out, &t);
}

/* A market exit at a reference price (an opposite signal at the open, the window's last close). */
static int exit_at(sim_t *s, double ref, int64_t t_ms, const eb_wf_sim_params_t *p, eb_wf_trades_t *out)
{
    return close_at(s, eb_fill_market_price(&s->costs, -s->pos.side, ref), t_ms, p, out);
}

static void open_at(sim_t *s, int side, const eb_bar_t *b, double r_dist)
{
    double fill = eb_fill_market_price(&s->costs, side, b->open);
    eb_position_open(&s->pos, side, fill, 1.0, r_dist);
    s->r0_fill = fill;
    s->entry_ms = b->open_time_ms;
    s->open = 1;
}

int eb_wf_simulate(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi, const eb_wf_sim_params_t *p,
                   eb_wf_trades_t *out)
{
    sim_t s = {0};
    eb_fill_costs_default(&s.costs);
    s.costs.fee_bps = p->fee_bps;
    s.costs.slippage_bps = p->slippage_bps;
    s.costs.stop_extreme_fraction = p->stop_extreme_fraction;
    eb_stop_rules_t rules = {.fee_bps = p->fee_bps, .trail_distance = NAN, .emergency = 0};
    for (size_t t = lo; t < hi; t++) {
        const eb_bar_t *b = &ds->bars[t];
        int want = t > lo ? sig[t - 1 - lo] : 0; /* decided at the previous close, acted on at this open */
        if (s.open && want == -s.pos.side && exit_at(&s, b->open, b->open_time_ms, p, out))
            return -1;
        double r_dist = t > 0 ? ds->mult[t - 1] * ds->atr[t - 1] : NAN;
        if (!s.open && want != 0 && isfinite(r_dist) && r_dist > 0)
            open_at(&s, want, b, r_dist);
        double trigger;
        if (s.open && eb_position_stop_hit(&s.pos, b, &trigger) &&
            close_at(&s, eb_fill_stop_price(&s.costs, s.pos.side, trigger, b), b->open_time_ms, p, out))
            return -1;
        if (s.open) {
            rules.trail_distance = ds->mult[t] * ds->atr[t];
            eb_position_manage_stop(&s.pos, &rules, b->close);
        }
    }
    if (s.open && hi > lo && exit_at(&s, ds->bars[hi - 1].close, ds->bars[hi - 1].open_time_ms, p, out))
        return -1;
    return 0;
}

void eb_wf_summarize(const eb_wf_trade_t *t, size_t n, eb_wf_summary_t *s)
{
    double sum = 0, win = 0, loss = 0, eq = 1, peak = 1, dd = 0, ss = 0;
    size_t wins = 0;
    for (size_t i = 0; i < n; i++) {
        sum += t[i].r;
        wins += t[i].r > 0;
        if (t[i].r > 0)
            win += t[i].r;
        else
            loss -= t[i].r;
        eq *= 1 + t[i].ret;
        peak = fmax(peak, eq);
        dd = fmax(dd, 1 - eq / peak);
    }
    double mean = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        ss += (t[i].r - mean) * (t[i].r - mean);
    s->trades = n;
    s->wins = wins;
    s->expectancy = mean;
    s->win_rate = n ? (double)wins / (double)n : 0;
    s->profit_factor = loss > 0 ? win / loss : (win > 0 ? INFINITY : 0);
    s->total_return = eq - 1;
    s->max_drawdown = dd;
    s->sd_r = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

int eb_wf_costs_load(const char *path, eb_train_costs_t *costs, eb_wf_sim_params_t *sim, char *err, size_t cap)
{
    eb_config_t c;
    eb_config_default(&c);
    if (eb_config_load(path, &c, err, cap) != 0)
        return -1;
    costs->fee_bps = sim->fee_bps = c.pipeline.engine.costs.fee_bps;
    costs->slippage_bps = sim->slippage_bps = c.pipeline.engine.costs.slippage_bps;
    sim->stop_extreme_fraction = c.pipeline.engine.costs.stop_extreme_fraction;
    costs->min_multiplier = c.pipeline.engine.min_multiplier;
    costs->max_multiplier = c.pipeline.engine.max_multiplier;
    sim->risk_per_trade = c.pipeline.engine.sizing.risk_per_trade;
    return 0;
}
