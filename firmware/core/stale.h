/* The stale-data interlock's rule (SPEC section 2): the data is stale when the newest closed bar is older
 * than two bar intervals plus a grace period. A bar's age counts from its open time, as bars are named by
 * their open time everywhere: a bar opened at T closes at T + interval, and its successor closes at
 * T + 2 intervals, so "older than two intervals plus grace" means the successor is overdue by more than
 * the grace period. Pure: the time comes in as an argument. */
#ifndef EB_CORE_STALE_H
#define EB_CORE_STALE_H

#include <stdint.h>

#define EB_STALE_NO_BAR INT64_MIN /* newest_open_ms when no bar has been seen yet */

/* 1 when stale (also with no bar at all, or an interval <= 0), else 0. */
int eb_stale_is_stale(int64_t newest_open_ms, int64_t interval_ms, int64_t grace_ms, int64_t now_ms);
/* now - newest_open_ms, the age the rule compares (INT64_MAX with no bar). */
int64_t eb_stale_age_ms(int64_t newest_open_ms, int64_t now_ms);

#endif
