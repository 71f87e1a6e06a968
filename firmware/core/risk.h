/* Position sizing and risk caps of SPEC section 7 (units: fractions, not percent; prices in quote).
 *
 *   m        = clamp(ATR / mean ATR over the history window, min_multiplier, max_multiplier)
 *   1R       = m x ATR per unit (the initial stop distance)
 *   R cap    = risk_per_trade x available / 1R units, available = equity - margin held by open positions
 *   method   fixed_risk: the R cap; fixed_fraction: fixed_fraction x available / price;
 *            volatility_target: volatility_target x available / ATR; kelly: min(f/2, risk_per_trade) x
 *            available / 1R with f = W - (1-W)/b (half-Kelly) -- every method is capped by the R cap
 *   then     notional <= max_position_pct x equity (at the reference price); margin <= available, where a
 *            unit's margin is reserve_price / leverage (spot: the entry's worst-case cost, fee included,
 *            core/fill.h); rounded DOWN to the lot step; refused under one lot or under the minimum notional.
 *   exposure open risk (distance to current stop x size, over open positions) + new 1R x size must be
 *            <= risk_exposition x equity, else no entry. */
#ifndef EB_CORE_RISK_H
#define EB_CORE_RISK_H

#include "core/reasons.h"

typedef enum {
    EB_SIZING_FIXED_RISK = 0,     /* "fixed_risk" */
    EB_SIZING_FIXED_FRACTION,     /* "fixed_fraction" */
    EB_SIZING_VOLATILITY_TARGET,  /* "volatility_target" */
    EB_SIZING_KELLY,              /* "kelly" */
    EB_SIZING_COUNT
} eb_sizing_method_t;

typedef struct {
    eb_sizing_method_t method;
    double risk_per_trade;    /* fraction of available capital lost at -1R */
    double fixed_fraction;    /* fixed_fraction: notional as a fraction of available capital */
    double volatility_target; /* volatility_target: fraction of available capital one ATR move may cost */
    double kelly_win_rate;    /* kelly: W, probability of a win */
    double kelly_payoff;      /* kelly: b, average win / average loss */
    double max_position_pct;  /* notional cap as a fraction of equity (seed 003: 0.30) */
} eb_sizing_params_t;

typedef struct {
    double lot_step;     /* quantity increment; sizes are rounded down to a multiple of it */
    double min_notional; /* smallest qty x price the venue accepts (0: none) */
    double leverage;     /* margin = notional / leverage (1 on spot) */
} eb_venue_limits_t;

typedef struct {
    double equity;        /* cash + unrealised PnL */
    double available;     /* equity - margin held by open positions and pending entries (spot: free quote) */
    double price;         /* reference entry price */
    double reserve_price; /* what one unit takes from available x leverage (0: price) */
    double stop_distance; /* 1R per unit, > 0 */
    double atr;           /* for volatility_target */
} eb_size_request_t;

typedef struct {
    double qty, notional, risk, margin; /* risk = qty x stop_distance, margin = qty x reserve_price / leverage */
    eb_refusal_t refusal;               /* EB_REFUSE_NONE when qty > 0 */
} eb_size_result_t;

const char *eb_sizing_method_name(eb_sizing_method_t m);
int eb_sizing_method_from_name(const char *name, eb_sizing_method_t *m);

/* clamp(atr / atr_mean, lo, hi); NaN when atr or atr_mean is not finite or <= 0. */
double eb_risk_vol_multiplier(double atr, double atr_mean, double lo, double hi);
/* Largest multiple of step <= qty (a relative 1e-9 allowance absorbs binary rounding: 0.3/0.1 is 2.999..). */
double eb_risk_round_lot(double qty, double step);
/* Kelly fraction W - (1-W)/b (may be <= 0). */
double eb_risk_kelly_fraction(double win_rate, double payoff);
/* Sizes an entry. Returns 0 with out->qty > 0, or -1 with out->refusal set and qty 0. */
int eb_risk_size_position(const eb_sizing_params_t *p, const eb_venue_limits_t *v, const eb_size_request_t *rq,
                          eb_size_result_t *out);
/* EB_REFUSE_NONE when open_risk + new_risk <= cap x equity (with a 1e-9 relative allowance), else
 * EB_REFUSE_EXPOSURE_CAP. */
eb_refusal_t eb_risk_check_exposure(double open_risk, double new_risk, double equity, double cap);

#endif
