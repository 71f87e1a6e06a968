#include "core/breakers.h"

#include "core/calendar.h"
#include "core/name_table.h"

#include <stddef.h>

#define MS_PER_DAY 86400000LL

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int64_t eb_period_number(eb_period_t p, int64_t ms)
{
    int64_t day = floor_div(ms, MS_PER_DAY);
    switch (p) {
    case EB_PERIOD_DAY: return day;
    case EB_PERIOD_WEEK: return floor_div(day + 3, 7); /* 1970-01-01 was a Thursday: day -3 is a Monday */
    case EB_PERIOD_MONTH: {
        eb_civil_t c = eb_calendar_from_ms(ms);
        return ((int64_t)c.year - 1970) * 12 + c.month - 1;
    }
    default: return 0;
    }
}

const char *eb_period_name(eb_period_t p)
{
    static const char *const names[] = {[EB_PERIOD_DAY] = "daily", [EB_PERIOD_WEEK] = "weekly", [EB_PERIOD_MONTH] = "monthly"};
    _Static_assert(sizeof names / sizeof names[0] == EB_PERIOD_COUNT, "a name for every period");
    return EB_NAME_AT(names, p);
}

void eb_breakers_init(eb_breakers_t *b)
{
    *b = (eb_breakers_t){0};
}

eb_arming_t eb_breakers_mask(const eb_breakers_t *b)
{
    eb_arming_t m = 0;
    for (int i = 0; i < EB_PERIOD_COUNT; i++)
        if (b->tripped[i])
            m |= EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY + i);
    return m;
}

eb_arming_t eb_breakers_update(eb_breakers_t *b, const eb_breaker_params_t *p, int64_t ms, double equity)
{
    /* Weeks and months are whole days: within the day of the last update their numbers cannot have
     * moved, which spares the civil-date conversion on all but one bar a day. */
    int64_t day = eb_period_number(EB_PERIOD_DAY, ms);
    int same_day = b->started && day == b->period[EB_PERIOD_DAY];
    for (int i = 0; i < EB_PERIOD_COUNT; i++) {
        int64_t n = i == EB_PERIOD_DAY ? day : same_day ? b->period[i] : eb_period_number((eb_period_t)i, ms);
        if (!b->started || n != b->period[i]) {
            b->period[i] = n;
            b->peak[i] = equity;
            b->tripped[i] = 0;
        } else if (equity > b->peak[i]) {
            b->peak[i] = equity;
        }
        b->drawdown[i] = b->peak[i] > 0 ? (b->peak[i] - equity) / b->peak[i] : 0;
        if (!b->tripped[i] && b->drawdown[i] >= p->limit[i]) {
            b->tripped[i] = 1;
            b->trips[i]++;
        } else if (b->tripped[i] && b->drawdown[i] < p->auto_reset * p->limit[i]) {
            b->tripped[i] = 0;
        }
    }
    b->started = 1;
    return eb_breakers_mask(b);
}

int eb_breakers_emergency(const eb_breakers_t *b, const eb_breaker_params_t *p)
{
    return b->started && b->drawdown[EB_PERIOD_DAY] >= p->breakeven_alert * p->limit[EB_PERIOD_DAY];
}
