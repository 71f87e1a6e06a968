/* The rate-limit governor (SPEC section 8, issue 14): says whether a request may leave now, or how long to
 * wait, BEFORE the venue answers 429. Pure: no allocation, no I/O, no clock; now_ms comes in.
 *
 * What Binance tells us, and what this assumes:
 * - Every REST request has a weight known in advance (the adapters' tables, from the API docs); the venue
 *   reports the weight used by this IP in the current minute in X-MBX-USED-WEIGHT-1M (spot limit 6000 per
 *   IP per minute) and the orders of this account in X-MBX-ORDER-COUNT-10S and -1D. The limits are
 *   parameters: the adapter takes them from exchangeInfo's rateLimits.
 * - The counters are fixed windows aligned to the venue's clock: each whole UTC minute, each 10 s
 *   multiple, each UTC day; a count resets at its boundary. So now_ms is the venue's clock (local + clock
 *   offset, core/clock_offset.h), and its clock may be off by up to boundary_guard_ms either way. So a
 *   window is taken to have rolled only the guard after its boundary (the venue may still count the old
 *   minute), and what we sent in the last 2 x guard before that is counted in the new window too (the
 *   venue may already count it there): the venue's minute always lies within our window and that tail,
 *   so our part of it never exceeds the budget.
 * - A header is the venue's count as of its response; requests of ours still in flight are not in it, and
 *   other clients on the same IP are in it but not in our own count. The governor keeps the larger of the
 *   two (its own count of what it sent this window, and the latest header), which is never below either.
 * - A margin (default 10%) of each limit is never used: weights change, and another program may share
 *   the IP.
 * - 429 comes with Retry-After (seconds): everything pauses until then. 418 is an IP ban for repeated
 *   429s (2 minutes up to 3 days): everything pauses until its Retry-After and the governor reports a ban.
 *   A pause is only ever extended, never shortened by a later, shorter Retry-After.
 * - Header values are parsed strictly: 1..9 decimal digits, nothing else (no sign, space, or HTTP-date).
 *   A refused value changes nothing it would have set; a refused or missing Retry-After on 429/418 still
 *   pauses, for the default pause: an unreadable header is never a reason to send sooner. */
#ifndef EB_CORE_RATE_GOV_H
#define EB_CORE_RATE_GOV_H

#include "core/time_ms.h"

#include <stdint.h>

typedef struct {
    int weight_limit_1m;       /* 6000 (spot, per IP) */
    int order_limit_10s;       /* 100 (spot, per account) */
    int order_limit_1d;        /* 200000 (spot, per account); 0: not tracked */
    int margin_pct;            /* 10: the share of each limit kept unused, 0..50 */
    int64_t boundary_guard_ms; /* 1000: how late a window is taken to roll (>= the clock's uncertainty) */
    int64_t pause_default_ms;  /* 60000: a 429 without a readable Retry-After */
    int64_t ban_default_ms;    /* 120000: a 418 without one (Binance's shortest ban) */
} eb_rate_params_t;

typedef struct {
    int64_t index; /* which window (floor((now - guard) / length)) */
    int used;      /* in it: max(our own count, the latest header) */
    int tail;      /* what we sent in its last 2 x guard: counted in the next window too */
} eb_rate_window_t;

typedef struct {
    eb_rate_params_t p;
    eb_rate_window_t weight, orders_10s, orders_1d;
    int64_t pause_until_ms; /* nothing leaves before this */
    int banned;             /* the pause is a 418 ban */
} eb_rate_gov_t;

typedef enum {
    EB_RATE_SEND = 0,   /* it may leave now (then call eb_rate_sent) */
    EB_RATE_WAIT,       /* a window's budget is spent: wait_ms until it rolls */
    EB_RATE_PAUSED,     /* a 429's Retry-After runs: wait_ms until it ends */
    EB_RATE_BANNED,     /* a 418 ban runs: wait_ms until it ends */
    EB_RATE_E_ARG,      /* now out of range, weight < 0, wait_ms NULL */
    EB_RATE_E_TOO_HEAVY, /* weight (or one order) exceeds a whole window's budget: it can never leave */
    EB_RATE_VERDICT_COUNT
} eb_rate_verdict_t;

/* Which header values a response had that were refused (eb_rate_response's result). */
enum { EB_RATE_H_WEIGHT_1M = 1, EB_RATE_H_ORDERS_10S = 2, EB_RATE_H_ORDERS_1D = 4, EB_RATE_H_RETRY_AFTER = 8 };

/* The header values of one response, as received; NULL for a header that was absent. */
typedef struct {
    const char *used_weight_1m;  /* X-MBX-USED-WEIGHT-1M */
    const char *order_count_10s; /* X-MBX-ORDER-COUNT-10S */
    const char *order_count_1d;  /* X-MBX-ORDER-COUNT-1D */
    const char *retry_after;     /* Retry-After, seconds */
} eb_rate_headers_t;

void eb_rate_params_default(eb_rate_params_t *p);
/* -1 (g zeroed) when a parameter is out of range: limits >= 1 (the daily one >= 0), margin 0..50, guard
 * 0..10000 ms, default pauses 1 ms..7 days. Every now_ms must be 0..EB_TIME_MS_MAX. */
int eb_rate_init(eb_rate_gov_t *g, const eb_rate_params_t *p);
/* May a request of this weight (an order when is_order) leave at now_ms? *wait_ms gets 0 or how long. */
eb_rate_verdict_t eb_rate_may_send(const eb_rate_gov_t *g, int64_t now_ms, int weight, int is_order, int64_t *wait_ms);
/* The request left: count it. -1 for now_ms out of range or weight < 0. */
int eb_rate_sent(eb_rate_gov_t *g, int64_t now_ms, int weight, int is_order);
/* A response arrived at now_ms with this HTTP status and these headers (h may be NULL). Returns the
 * EB_RATE_H_* bits of the values refused (0: all good), or -1 for now_ms out of range. */
int eb_rate_response(eb_rate_gov_t *g, int64_t now_ms, int http_status, const eb_rate_headers_t *h);
/* Strict header number: 1..9 decimal digits. 0 and *out, or -1 (out untouched). */
int eb_rate_parse_count(const char *s, int *out);

const char *eb_rate_verdict_name(eb_rate_verdict_t v);

#endif
