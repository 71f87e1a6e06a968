#include "core/limits.h"

#include "core/breakers.h"

void eb_limits_init(eb_limits_t *l)
{
    *l = (eb_limits_t){0};
    l->day = INT64_MIN;
}

void eb_limits_roll(eb_limits_t *l, int64_t ms)
{
    int64_t day = eb_period_number(EB_PERIOD_DAY, ms);
    if (day != l->day) {
        l->day = day;
        l->trades_today = 0;
        l->pnl_today = 0;
    }
}

eb_refusal_t eb_limits_check_confidence(const eb_limits_params_t *p, double confidence)
{
    return confidence >= p->min_confidence ? EB_REFUSE_NONE : EB_REFUSE_LOW_CONFIDENCE;
}

eb_refusal_t eb_limits_check(const eb_limits_params_t *p, const eb_limits_t *l, int64_t ms)
{
    if (l->trades_today >= p->max_trades_per_day)
        return EB_REFUSE_MAX_TRADES_PER_DAY;
    if (l->has_entry && ms - l->last_entry_ms < (int64_t)p->min_seconds_between_trades * 1000)
        return EB_REFUSE_MIN_TRADE_INTERVAL;
    if (p->max_daily_loss > 0 && l->pnl_today <= -p->max_daily_loss)
        return EB_REFUSE_MAX_DAILY_LOSS;
    return EB_REFUSE_NONE;
}

void eb_limits_record_entry(eb_limits_t *l, int64_t ms)
{
    eb_limits_roll(l, ms);
    l->trades_today++;
    l->last_entry_ms = ms;
    l->has_entry = 1;
}

void eb_limits_record_pnl(eb_limits_t *l, int64_t ms, double pnl)
{
    eb_limits_roll(l, ms);
    l->pnl_today += pnl;
}
