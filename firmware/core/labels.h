/* Training labels (SPEC section 10). Pure functions over a run of bars; the caller supplies ATR, the
 * volatility multiplier and sigma per bar from the same feature engine the box runs.
 *
 * Triple barrier (seed 001), for bar t: entry at the open of bar t+1, 1R = mult[t] * atr[t]. Walking bars
 * t+1 .. t+horizon (the entry bar's own range counts), the long trade wins when the high reaches
 * entry + reward*R before the low reaches entry - risk*R; the short trade is the mirror. Label +1 when the
 * long wins, -1 when the short wins, 0 when neither does within the horizon. Same-bar rule: a bar that
 * touches both of a trade's barriers counts as its stop (we cannot know which came first inside the bar).
 * A price gap through a barrier counts as touching it. Both trades cannot win (a +3R win passes the other
 * side's 1R stop first, or on the same bar, which is a stop).
 *
 * Volatility-scaled (seed 002): r = ln(close[t+h] / open[t+1]); label sign(r) if |r| > k*sigma[t]*sqrt(h),
 * else 0; sigma is the per-bar standard deviation of log returns known at t.
 *
 * EB_LABEL_NONE marks bars without a label: inputs not defined (NaN or non-positive ATR, multiplier,
 * sigma) or too few bars left to decide (a barrier label is still given near the end when a barrier was
 * hit; expiry needs the whole horizon). Training drops those rows. */
#ifndef EB_CORE_LABELS_H
#define EB_CORE_LABELS_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

#define EB_LABEL_NONE ((int8_t)-128)

typedef struct {
    int horizon;   /* bars after the signal bar, default 48, 1..100000 */
    double reward; /* target in R, default 3 */
    double risk;   /* stop in R, default 1 */
} eb_barrier_params_t;

typedef struct {
    int horizon; /* bars, >= 1 */
    double k;    /* threshold multiplier, > 0 */
} eb_volscaled_params_t;

typedef enum {
    EB_LABELS_OK = 0,
    EB_LABELS_BAD_HORIZON, /* horizon outside 1..100000 */
    EB_LABELS_BAD_REWARD,  /* reward or k not a finite number > 0 */
    EB_LABELS_BAD_RISK,    /* risk not a finite number > 0 */
} eb_labels_status_t;

eb_barrier_params_t eb_barrier_params_default(void);
const char *eb_labels_status_text(eb_labels_status_t s);

/* Fills label[0..n) (and, if exit_bar is not NULL, the index of the bar that decided it: the barrier bar,
 * the last horizon bar for 0, or -1 for EB_LABEL_NONE). */
eb_labels_status_t eb_labels_barrier(const eb_bar_t *bars, size_t n, const double *atr, const double *mult,
                                     const eb_barrier_params_t *p, int8_t *label, int32_t *exit_bar);
/* What the long and the short trade entered at bars[t+1].open would make, in R before costs: +reward for
 * a win, -risk for a stop, the close-to-entry move of the last horizon bar at expiry, NaN when undecided
 * (the same cases as EB_LABEL_NONE). Used to tune decision thresholds by expected value. */
eb_labels_status_t eb_labels_barrier_outcomes(const eb_bar_t *bars, size_t n, const double *atr,
                                              const double *mult, const eb_barrier_params_t *p,
                                              double *long_r, double *short_r);
eb_labels_status_t eb_labels_volscaled(const eb_bar_t *bars, size_t n, const double *sigma,
                                       const eb_volscaled_params_t *p, int8_t *label);
/* sigma[t] = population standard deviation of ln(close[i]/close[i-1]) over the `window` returns ending at
 * t; NaN for t < window. window >= 2. */
void eb_labels_realized_vol(const eb_bar_t *bars, size_t n, int window, double *sigma);

#endif
