/* The one fill rule (SPEC section 8): how a simulated order fills, for the backtest, the paper broker, the
 * daemon's in-step stops and the walk-forward alike. Costs are in basis points of the price everywhere.
 *
 *   market   fills at the reference price (the next bar's open) moved against the order by the slippage:
 *            buys ref x (1 + s), sells ref x (1 - s), s = slippage_bps / 10000
 *   stop     triggers at the stop, or at the bar's open when the bar opened beyond it (a gap); the fill
 *            moves stop_extreme_fraction of the way from the trigger to the bar's extreme beyond it (the
 *            low under a long's stop, the high over a short's: 0 by default), then the slippage as above
 *   fee      fill price x quantity x fee_bps / 10000 (market and stop orders pay the taker fee)
 *   reserve  what one unit of a spot entry decided at ref may cost at most, fee included:
 *            ref x (1 + s) x (1 + entry_gap_bps / 10000) x (1 + fee_bps / 10000)
 *
 * The stop rule is optimistic inside a bar: a path that jumped through the stop between two prices of the
 * bar still fills at the stop. stop_extreme_fraction is the conservative setting for validation (docs). */
#ifndef EB_CORE_FILL_H
#define EB_CORE_FILL_H

#include "core/bar.h"

typedef struct {
    double slippage_bps;          /* 0..500, 10: every market and stop fill, against the order */
    double fee_bps;               /* 0..100, 5: the taker fee on a fill's notional */
    double stop_extreme_fraction; /* 0..1, 0: extra stop slippage toward the bar's extreme */
    double entry_gap_bps;         /* 0..1000, 50: a spot entry's allowance for the next open's gap */
} eb_fill_costs_t;

/* SPEC section 8 defaults: 10 bps slippage, 5 bps fee, no extra stop slippage, 50 bps gap allowance. */
void eb_fill_costs_default(eb_fill_costs_t *c);
/* 1 when every cost is finite and inside its range above. */
int eb_fill_costs_valid(const eb_fill_costs_t *c);
/* A market order of order_side (+1 buy, -1 sell) at reference price ref. */
double eb_fill_market_price(const eb_fill_costs_t *c, int order_side, double ref);
/* The exit fill of a protective stop of a position of pos_side (+1 long, -1 short) that triggered at
 * `trigger` (eb_position_stop_hit: the stop, or the open after a gap) inside bar. */
double eb_fill_stop_price(const eb_fill_costs_t *c, int pos_side, double trigger, const eb_bar_t *bar);
double eb_fill_fee(const eb_fill_costs_t *c, double price, double qty);
/* Quote one unit of a spot entry decided at ref reserves (see above). */
double eb_fill_entry_reserve(const eb_fill_costs_t *c, double ref);
/* A spot buy that may spend at most `budget` quote, fee included (a market order for a quote amount): qty
 * when it fits at this fill price, else the lots the budget pays for (rounded down to lot_step), 0 when that
 * is under one lot or under min_notional (the venue refuses it). */
double eb_fill_budget_qty(const eb_fill_costs_t *c, double budget, double qty, double price, double lot_step,
                          double min_notional);

#endif
