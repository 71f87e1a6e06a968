#include "common/time_parse.h"

#include "core/calendar.h"

#include <stddef.h>

/* Exactly `n` digits at *p (advanced past them). */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int eb_time_parse_iso_ms(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return -1;
    if (*p == 'T') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':' && (p++, digits(&p, 2, &sec)))
            return -1;
    }
    if (*p == 'Z')
        p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
        return -1;
    eb_civil_t c = {y, mo, d, ((int64_t)h * 3600 + mi * 60 + sec) * 1000};
    *ms = eb_calendar_to_ms(&c);
    return 0;
}

int eb_time_parse_ms(const char *s, int64_t unit_ms, int64_t *ms)
{
    if (!s || !*s || unit_ms <= 0)
        return -1;
    int64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        int64_t digit = *p - '0';
        if (v > (INT64_MAX - digit) / 10)
            return -1;
        v = v * 10 + digit;
    }
    if (*p == '\0') {
        if (v > INT64_MAX / unit_ms)
            return -1;
        *ms = v * unit_ms;
        return 0;
    }
    return eb_time_parse_iso_ms(s, ms);
}
