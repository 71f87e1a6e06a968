/* Seed 003's trading limits (SPEC section 7): max entries per UTC day, min seconds between entries, min
 * model confidence, max realised loss per UTC day in quote currency (0 = off). max_position_pct is applied
 * by the sizing (core/risk.h). The engine checks confidence first (before arming), the rest after it. */
#ifndef EB_CORE_LIMITS_H
#define EB_CORE_LIMITS_H

#include "core/reasons.h"

#include <stdint.h>

typedef struct {
    int max_trades_per_day;          /* 15 */
    int min_seconds_between_trades;  /* 180 */
    double min_confidence;           /* 0.60: probability of the chosen class */
    double max_daily_loss;           /* 150 quote units; 0 disables */
    double max_position_pct;         /* 0.30 (used by sizing) */
} eb_limits_params_t;

typedef struct {
    int64_t day;            /* UTC day number of the counters */
    int trades_today;
    double pnl_today;       /* realised PnL (fills net of fees) of the day */
    int64_t last_entry_ms;
    int has_entry;
} eb_limits_t;

void eb_limits_init(eb_limits_t *l);
/* Starts a new day's counters when ms is in a later UTC day. */
void eb_limits_roll(eb_limits_t *l, int64_t ms);
/* EB_REFUSE_LOW_CONFIDENCE when confidence < min_confidence (or NaN), else EB_REFUSE_NONE. */
eb_refusal_t eb_limits_check_confidence(const eb_limits_params_t *p, double confidence);
/* Trades per day, interval since the last entry, daily loss: the first that fails, or EB_REFUSE_NONE. */
eb_refusal_t eb_limits_check(const eb_limits_params_t *p, const eb_limits_t *l, int64_t ms);
void eb_limits_record_entry(eb_limits_t *l, int64_t ms);
void eb_limits_record_pnl(eb_limits_t *l, int64_t ms, double pnl);

#endif
