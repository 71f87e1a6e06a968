/* Times typed by a person or stored in a file: a whole number, or an ISO-8601 UTC date and time
 * "YYYY-MM-DD[THH:MM[:SS]][Z]". The date is checked against the calendar (no 2021-02-30), the time of
 * day against 00:00:00..23:59:59; no time zone other than UTC is accepted. */
#ifndef EB_COMMON_TIME_PARSE_H
#define EB_COMMON_TIME_PARSE_H

#include <stdint.h>

/* The ISO form only, as UTC milliseconds. 0, or -1 when s is not one. */
int eb_time_parse_iso_ms(const char *s, int64_t *ms);
/* A whole number of `unit_ms` milliseconds (1: milliseconds, 1000: seconds; 0 or more, no sign, no
 * overflow), or the ISO form. The result is in milliseconds. 0, or -1. */
int eb_time_parse_ms(const char *s, int64_t unit_ms, int64_t *ms);

#endif
