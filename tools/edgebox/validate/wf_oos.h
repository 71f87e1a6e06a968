/* Out-of-sample evaluation of a signal series over one validation window, with the box's own position
 * rules (core/position.h: initial stop at 1R = m x ATR, break-even at +1R, trailing from +2R) and its one
 * fill rule (core/fill.h: market orders at the open with slippage, stops at the stop or the open after a
 * gap, plus the optional stop_extreme_fraction, taker fee per side): entries at the next bar's open after
 * a signal, one position at a time, an opposite signal exits at the next open (and enters the other way),
 * fixed-risk sizing (every trade risks `risk_per_trade` of equity, so a trade of R multiples returns
 * risk_per_trade x R), and any position still open at the window's end closes at the last close so
 * windows stitch independently.
 * The walk-forward and the Monte Carlo test share it, so both measure the same exits. */
#ifndef EB_TOOLS_WF_OOS_H
#define EB_TOOLS_WF_OOS_H

#include "tools/edgebox/validate/train.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t entry_ms, exit_ms;
    int side;
    double r;   /* result in R after costs */
    double ret; /* equity return of the trade: risk_per_trade x r */
} eb_wf_trade_t;

typedef struct {
    eb_wf_trade_t *v;
    size_t n, cap;
} eb_wf_trades_t;

typedef struct {
    double fee_bps, slippage_bps; /* per side, basis points (the fill rule's) */
    double stop_extreme_fraction; /* the fill rule's conservative stop slippage, 0 */
    double risk_per_trade;        /* 0.01 */
} eb_wf_sim_params_t;

typedef struct {
    size_t trades, wins;
    double expectancy, win_rate, profit_factor; /* profit factor: gross win R / gross loss R (inf: no loss) */
    double total_return, max_drawdown;          /* compounded equity, drawdown as a fraction of the peak */
    double sd_r;                                /* sample standard deviation of R */
} eb_wf_summary_t;

void eb_wf_sim_params_default(eb_wf_sim_params_t *p);
/* Costs and risk from the strategy config file (app/config.h: costs.taker_fee_bps, costs.slippage_bps,
 * costs.stop_extreme_fraction, risk.risk_per_trade, the multiplier clamp), defaults where it is silent. 0,
 * or -1 with the loader's error. */
int eb_wf_costs_load(const char *path, eb_train_costs_t *costs, eb_wf_sim_params_t *sim, char *err, size_t errcap);
/* Simulates sig[0 .. hi-lo) (the signal at the close of bar lo+i) over bars [lo, hi) of ds; appends the
 * trades to out. Returns 0 or -1 when out of memory. */
int eb_wf_simulate(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi, const eb_wf_sim_params_t *p,
                   eb_wf_trades_t *out);
void eb_wf_summarize(const eb_wf_trade_t *t, size_t n, eb_wf_summary_t *s);
int eb_wf_trades_push(eb_wf_trades_t *ts, const eb_wf_trade_t *t);
void eb_wf_trades_free(eb_wf_trades_t *ts);

#endif
