/* UTC calendar arithmetic on millisecond timestamps: whole months (walk-forward windows, lifecycle
 * durations). Proleptic Gregorian calendar, no leap seconds, no time zones. */
#ifndef EB_CORE_CALENDAR_H
#define EB_CORE_CALENDAR_H

#include <stdint.h>

typedef struct {
    int32_t year;
    int32_t month; /* 1..12 */
    int32_t day;   /* 1..31 */
    int64_t ms_of_day;
} eb_civil_t;

eb_civil_t eb_calendar_from_ms(int64_t ms);
int64_t eb_calendar_to_ms(const eb_civil_t *c);
/* ms plus `months` calendar months at the same time of day; a day past the end of the target month is
 * clamped to its last day (Jan 31 + 1 month = Feb 28 or 29). months may be negative. */
int64_t eb_calendar_add_months(int64_t ms, int32_t months);

#endif
