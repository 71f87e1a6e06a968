#include "core/fill.h"

#include "core/risk.h"

#include <math.h>

void eb_fill_costs_default(eb_fill_costs_t *c)
{
    *c = (eb_fill_costs_t){.slippage_bps = 10, .fee_bps = 5, .stop_extreme_fraction = 0, .entry_gap_bps = 50};
}

static int in_range(double x, double lo, double hi) { return x >= lo && x <= hi; }

int eb_fill_costs_valid(const eb_fill_costs_t *c)
{
    return in_range(c->slippage_bps, 0, 500) && in_range(c->fee_bps, 0, 100) &&
           in_range(c->stop_extreme_fraction, 0, 1) && in_range(c->entry_gap_bps, 0, 1000);
}

double eb_fill_market_price(const eb_fill_costs_t *c, int order_side, double ref)
{
    return ref * (1.0 + order_side * c->slippage_bps / 1e4);
}

double eb_fill_stop_price(const eb_fill_costs_t *c, int pos_side, double trigger, const eb_bar_t *bar)
{
    /* The exit sells a long and buys back a short: the extreme beyond the stop is the low or the high. */
    double extreme = pos_side > 0 ? bar->low : bar->high;
    double px = trigger + c->stop_extreme_fraction * (extreme - trigger);
    return eb_fill_market_price(c, -pos_side, px);
}

double eb_fill_fee(const eb_fill_costs_t *c, double price, double qty) { return price * qty * c->fee_bps / 1e4; }

double eb_fill_entry_reserve(const eb_fill_costs_t *c, double ref)
{
    return eb_fill_market_price(c, 1, ref) * (1.0 + c->entry_gap_bps / 1e4) * (1.0 + c->fee_bps / 1e4);
}

double eb_fill_budget_qty(const eb_fill_costs_t *c, double budget, double qty, double price, double lot_step,
                          double min_notional)
{
    double unit = price * (1.0 + c->fee_bps / 1e4);
    if (qty * unit <= budget)
        return qty;
    double q = eb_risk_round_lot(budget / unit, lot_step);
    if (q * unit > budget) /* the lot rounding's allowance may round up by a hair */
        q = eb_risk_round_lot(q - lot_step, lot_step);
    return q * price >= min_notional ? q : 0;
}
