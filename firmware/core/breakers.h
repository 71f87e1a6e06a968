/* Circuit breakers (SPEC section 7): drawdown from the peak equity of the current UTC day, ISO week
 * (Monday 00:00 UTC) and calendar month. A breaker trips when its drawdown reaches its limit; while tripped
 * no entries are taken (its arming bit is set); it resets when the drawdown recovers below
 * auto_reset x limit or when its period rolls over (the new period's peak is the equity at the roll).
 * The emergency break-even alert is on while the daily drawdown is >= breakeven_alert x daily limit.
 * Periods are computed from the bar's open time, in UTC ms, by integer arithmetic alone. */
#ifndef EB_CORE_BREAKERS_H
#define EB_CORE_BREAKERS_H

#include "core/arming.h"

#include <stdint.h>

typedef enum { EB_PERIOD_DAY = 0, EB_PERIOD_WEEK, EB_PERIOD_MONTH, EB_PERIOD_COUNT } eb_period_t;

typedef struct {
    double limit[EB_PERIOD_COUNT]; /* drawdown fractions: 0.05, 0.10, 0.15 */
    double auto_reset;             /* 0.5: reset below auto_reset x limit */
    double breakeven_alert;        /* 0.5: emergency break-even at breakeven_alert x daily limit */
} eb_breaker_params_t;

typedef struct {
    int started;
    int64_t period[EB_PERIOD_COUNT];   /* period number of the last update */
    double peak[EB_PERIOD_COUNT];      /* peak equity within the period */
    double drawdown[EB_PERIOD_COUNT];  /* (peak - equity) / peak at the last update */
    int tripped[EB_PERIOD_COUNT];
    uint32_t trips[EB_PERIOD_COUNT];   /* times each breaker tripped */
} eb_breakers_t;

/* Period number containing ms: days since 1970-01-01, ISO weeks since Monday 1969-12-29, months since
 * January 1970 (year x 12 + month - 1 - 1970 x 12). Floor division: times before 1970 work too. */
int64_t eb_period_number(eb_period_t p, int64_t ms);
const char *eb_period_name(eb_period_t p); /* "daily", "weekly", "monthly" */

void eb_breakers_init(eb_breakers_t *b);
/* Feeds the equity marked at time ms. Returns the breaker arming bits after the update
 * (EB_DISARM_BREAKER_DAILY / _WEEKLY / _MONTHLY). */
eb_arming_t eb_breakers_update(eb_breakers_t *b, const eb_breaker_params_t *p, int64_t ms, double equity);
eb_arming_t eb_breakers_mask(const eb_breakers_t *b);
/* 1 while the daily drawdown is at or beyond breakeven_alert x the daily limit. */
int eb_breakers_emergency(const eb_breakers_t *b, const eb_breaker_params_t *p);

#endif
