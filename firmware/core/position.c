#include "core/position.h"

#include <math.h>

void eb_position_open(eb_position_t *p, int side, double entry, double qty, double r_dist)
{
    p->side = side >= 0 ? 1 : -1;
    p->entry = entry;
    p->qty = qty;
    p->qty_initial = qty;
    p->r_dist = r_dist;
    p->stop = entry - p->side * r_dist;
    p->stop_kind = EB_STOP_INITIAL;
    p->trailing = 0;
    p->partial_done = 0;
}

double eb_position_r(const eb_position_t *p, double price)
{
    return p->side * (price - p->entry) / p->r_dist;
}

double eb_position_breakeven_price(const eb_position_t *p, double fee_bps)
{
    double fee_rate = fee_bps / 1e4;
    return p->side > 0 ? p->entry * (1.0 + fee_rate) / (1.0 - fee_rate)
                       : p->entry * (1.0 - fee_rate) / (1.0 + fee_rate);
}

int eb_position_stop_hit(const eb_position_t *p, const eb_bar_t *bar, double *fill)
{
    if (p->side > 0 ? bar->low > p->stop : bar->high < p->stop)
        return 0;
    int gapped = p->side > 0 ? bar->open <= p->stop : bar->open >= p->stop;
    *fill = gapped ? bar->open : p->stop;
    return 1;
}

/* A candidate replaces the stop only if it is strictly tighter and still on the safe side of the close. */
static void consider(const eb_position_t *p, double cand, eb_stop_kind_t kind, double close, double *best,
                     eb_stop_kind_t *best_kind)
{
    if (!isfinite(cand))
        return;
    int tighter = p->side > 0 ? cand > *best : cand < *best;
    int below_close = p->side > 0 ? cand < close : cand > close;
    if (tighter && below_close) {
        *best = cand;
        *best_kind = kind;
    }
}

int eb_position_manage_stop(eb_position_t *p, const eb_stop_rules_t *rules, double close)
{
    double best = p->stop, be = eb_position_breakeven_price(p, rules->fee_bps);
    eb_stop_kind_t kind = p->stop_kind;
    double r = eb_position_r(p, close);
    int in_profit = p->side > 0 ? close > be : close < be;
    if (rules->emergency && in_profit)
        consider(p, be, EB_STOP_EMERGENCY_BREAKEVEN, close, &best, &kind);
    if (r >= 1.0)
        consider(p, be, EB_STOP_BREAKEVEN, close, &best, &kind);
    if (r >= 2.0)
        p->trailing = 1;
    if (p->trailing)
        consider(p, close - p->side * rules->trail_distance, EB_STOP_TRAILING, close, &best, &kind);
    if (best == p->stop)
        return 0;
    p->stop = best;
    p->stop_kind = kind;
    return 1;
}

int eb_position_partial_due(const eb_position_t *p, double at_r, double close)
{
    return !p->partial_done && eb_position_r(p, close) >= at_r;
}
