/* The simulator's market: the bars replayed on a wall clock. Bar i is "now" from start + i*interval/speed;
 * inside a bar the price walks open -> nearer extreme -> other extreme -> close in three equal thirds of
 * the bar's (scaled) duration, and the next bar's open is a jump (a gap) from the close. A point on that
 * walk is a "position": bar*3 + segment + fraction, so "the path between two moments" is one range. */
#ifndef EB_TOOLS_SIM_MARKET_H
#define EB_TOOLS_SIM_MARKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/bar.h"

typedef struct {
    const eb_bar_t *bars;
    size_t n;
    int64_t interval_ms; /* bars[1].open - bars[0].open (60000 for one bar) */
    double speed;        /* > 0 */
    int64_t start_ms;    /* wall clock (ms) at which bar 0 opened */
    int64_t shift_ms;    /* added to the file's open times in what the venue serves (--times now) */
} eb_sim_market_t;

/* -1 with err when there are no bars, the times do not increase or speed is not > 0. */
int eb_sim_market_init(eb_sim_market_t *m, const eb_bar_t *bars, size_t n, double speed, int64_t start_ms,
                       char *err, size_t cap);
/* --times now: the bars are served as if bar 0 opened at the wall clock's current interval (speed 1: it
 * did, the market starts there and serverTime and the bars agree) or at `now_ms` (other speeds: the
 * bars then run ahead of, or behind, the wall clock by their speed). */
void eb_sim_market_times_now(eb_sim_market_t *m, int64_t now_ms);
/* The path position at wall time now_ms (clamped to the end of the last bar). */
double eb_sim_market_pos(const eb_sim_market_t *m, int64_t now_ms);
/* The bar that is open at position pos. */
size_t eb_sim_market_bar(const eb_sim_market_t *m, double pos);
/* The price at position pos. */
double eb_sim_market_price(const eb_sim_market_t *m, double pos);
/* The four corner prices of bar i in walk order: open, nearer extreme, other extreme, close. */
void eb_sim_market_corners(const eb_sim_market_t *m, size_t i, double out[4]);

#endif
