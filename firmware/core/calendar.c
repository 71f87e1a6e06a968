#include "core/calendar.h"

#define MS_PER_DAY 86400000LL

/* Days since 1970-01-01 <-> civil date, counting in 400-year eras that start on March 1st so the leap
 * day falls at the end of each year (the classic days-from-civil derivation). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

eb_civil_t eb_calendar_from_ms(int64_t ms)
{
    int64_t days = floor_div(ms, MS_PER_DAY);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    eb_civil_t c = {.year = (int32_t)(yoe + era * 400 + (m <= 2)),
                    .month = (int32_t)m,
                    .day = (int32_t)(doy - (153 * mp + 2) / 5 + 1),
                    .ms_of_day = ms - days * MS_PER_DAY};
    return c;
}

int64_t eb_calendar_to_ms(const eb_civil_t *c)
{
    return days_from_civil(c->year, c->month, c->day) * MS_PER_DAY + c->ms_of_day;
}

static int32_t days_in_month(int32_t y, int32_t m)
{
    static const int8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

int64_t eb_calendar_add_months(int64_t ms, int32_t months)
{
    eb_civil_t c = eb_calendar_from_ms(ms);
    int64_t idx = (int64_t)c.year * 12 + (c.month - 1) + months;
    c.year = (int32_t)floor_div(idx, 12);
    c.month = (int32_t)(idx - (int64_t)c.year * 12 + 1);
    int32_t last = days_in_month(c.year, c.month);
    if (c.day > last)
        c.day = last;
    return eb_calendar_to_ms(&c);
}
