/* One position's stop rules (SPEC section 7): initial stop at entry -/+ 1R, break-even at +1R, trailing
 * from +2R, emergency break-even, partial exit at a configured R multiple, stop hit within a bar.
 * Profit in R is measured at the bar's close; a new stop takes effect from the next bar. Stops only ever
 * tighten, and are never placed at or beyond the close (that would be an exit, not a stop). */
#ifndef EB_CORE_POSITION_H
#define EB_CORE_POSITION_H

#include "core/bar.h"
#include "core/reasons.h"

typedef struct {
    int side;              /* +1 long, -1 short */
    double entry;          /* average fill price */
    double qty;            /* open quantity */
    double qty_initial;    /* quantity at entry (R multiples are per initial risk) */
    double r_dist;         /* 1R per unit (> 0) */
    double stop;           /* current protective stop */
    eb_stop_kind_t stop_kind;
    int trailing;          /* the trail was activated (+2R reached once); it keeps trailing */
    int partial_done;      /* the partial exit was taken */
} eb_position_t;

typedef struct {
    double fee_bps;         /* taker fee in basis points: break-even covers the round trip */
    double trail_distance;  /* m x ATR at this bar (NaN: no trailing this bar) */
    int emergency;          /* daily drawdown reached the break-even alert */
} eb_stop_rules_t;

/* Opens at `entry` with stop entry - side x r_dist. */
void eb_position_open(eb_position_t *p, int side, double entry, double qty, double r_dist);
/* Profit at `price` in R: side x (price - entry) / r_dist. */
double eb_position_r(const eb_position_t *p, double price);
/* Price at which closing returns the entry net of both fees: long entry(1+f)/(1-f), short entry(1-f)/(1+f),
 * f = fee_bps / 10000. */
double eb_position_breakeven_price(const eb_position_t *p, double fee_bps);
/* 1 when the bar touched the stop (long: low <= stop, short: high >= stop) and *fill is the price the stop
 * triggers at: the stop, or the open when the bar opened beyond it (a gap). 0 otherwise. Where it fills is
 * the fill rule's (core/fill.h: eb_fill_stop_price). */
int eb_position_stop_hit(const eb_position_t *p, const eb_bar_t *bar, double *fill);
/* Applies the stop rules at the bar's close, in rank order: emergency break-even (positions in profit after
 * fees), break-even at +1R, trailing from +2R (close -/+ trail_distance). The tightest candidate wins; a
 * tie keeps the higher-ranked rule. Returns 1 and updates p->stop / stop_kind when the stop moved. */
int eb_position_manage_stop(eb_position_t *p, const eb_stop_rules_t *rules, double close);
/* 1 when the partial exit is due: enabled, not yet taken and the close is at or past at_r. */
int eb_position_partial_due(const eb_position_t *p, double at_r, double close);

#endif
