/* Closed bars from the exchange's public klines over REST (SPEC section 2, "Market data"):
 *   Binance spot         GET {base}/api/v3/klines?symbol=S&interval=I&startTime=T&limit=N
 *   Binance USD-M        GET {base}/fapi/v1/klines?...   (same response shape)
 *
 * Driven from the daemon's loop without ever blocking it: eb_klines_poll() runs curl's multi interface
 * (non-blocking I/O), starts the next request when it is due and, when a response is complete, validates
 * all of it before it changes anything. Bars come out with eb_klines_take(), oldest first, each exactly once.
 *
 * Rules
 *  - Only closed bars: a kline is used when its close time has passed on our clock AND the exchange says so
 *    (a later kline follows it in the response, or the response's Date header is past its close time).
 *    The last kline of a response is normally the open one and is dropped.
 *  - Requests start at the open time after the newest bar delivered (incremental), so a bar never comes
 *    twice and bars come in time order. A full page means more may follow: the next page is asked at once
 *    (that is how a start-up backfill or a catch-up after an outage proceeds).
 *  - Gaps: when a kline is missing (the next open time is not the expected one) the bars from the gap on
 *    are asked again once from the expected open time; if the exchange still has no bar there, the gap is
 *    real (an exchange outage), the bars after it are delivered and the gap is reported with the first of them.
 *  - Errors: HTTP 429 and 418 wait what Retry-After says (seconds or an HTTP date); other HTTP errors, transport
 *    errors, timeouts and refused responses back off exponentially (base, 2x, 4x, ... capped, 8 s by default).
 *  - A refused response (not a JSON array, a kline that is not an array of 12 fields, a non-numeric or
 *    non-finite value, H < L, O/C outside [L, H], a close time that is not open + interval - 1, open times
 *    not increasing, more klines than asked, a body over the cap) changes nothing and names the problem.
 *
 * Memory: the body buffer (body_cap), one page of parsed bars and the output queue (two pages) are allocated
 * once by eb_klines_new (the daemon does it before READY, from its arena); curl and cJSON allocate per request
 * from the same heap and everything parsed is freed before eb_klines_poll returns. */
#ifndef EB_APP_KLINES_H
#define EB_APP_KLINES_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { EB_KLINES_SPOT = 0, EB_KLINES_USDM = 1 } eb_klines_market_t;

#define EB_KLINES_LIMIT_SPOT_MAX 1000 /* Binance's documented maximum per request */
#define EB_KLINES_LIMIT_USDM_MAX 1500
#define EB_KLINES_BACKOFF_CAP_MS 8000 /* SPEC section 2 */

typedef struct {
    const char *base_url;      /* "https://api.binance.com" (no trailing path) */
    const char *symbol;        /* "BTCUSDT": [A-Z0-9], 1..20 chars */
    const char *interval;      /* Binance interval name: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d */
    eb_klines_market_t market;
    int limit;                 /* klines per request, 1..1000 spot, 1..1500 USD-M */
    size_t body_cap;           /* largest response body accepted (bytes) */
    int64_t timeout_ms;        /* whole request, connect included */
    int64_t backoff_base_ms;   /* first retry delay after an error; doubles up to backoff_cap_ms */
    int64_t backoff_cap_ms;
    int64_t settle_ms;         /* ask for a bar this long after it closes */
    int64_t repoll_ms;         /* when the exchange has not reported a closed bar yet, ask again after this */
    int64_t end_ms;            /* 0: none; else no bar opening at or after it is asked for (endTime) */
    const char *ca_file;       /* NULL: curl's default CA bundle */
    int64_t (*clock_ms)(void); /* wall clock (UTC ms) for eb_klines_backfill_blocking; NULL: the real one */
} eb_klines_config_t;

typedef struct {
    uint64_t requests, responses_ok, bars_delivered;
    uint64_t http_errors, rate_limited, banned, transport_errors, timeouts, refused;
    uint64_t gaps_seen, gaps_backfilled, gaps_accepted, missing_bars;
    int consecutive_failures;
    int64_t last_delay_ms;  /* the wait scheduled after the last failure */
    long last_http;         /* status of the last response (0: none) */
} eb_klines_stats_t;

typedef struct eb_klines eb_klines_t;

/* Spot defaults: limit 1000, body cap 1 MiB, timeout 10 s, backoff 250 ms..8 s, settle 1 s, repoll 2 s. */
void eb_klines_config_default(eb_klines_config_t *c);
/* Interval name to milliseconds; 0 for a name not in the list above. */
int64_t eb_klines_interval_ms(const char *name);

/* Checks the config and allocates. NULL with "klines.FIELD: VALUE is not allowed (ALLOWED)" in err. */
eb_klines_t *eb_klines_new(const eb_klines_config_t *c, char *err, size_t cap);
void eb_klines_free(eb_klines_t *k);

/* The next bar wanted opens at from_ms (rounded up to the interval); queued bars are dropped, a request
 * in flight is abandoned and the next poll asks at once. */
void eb_klines_start_at(eb_klines_t *k, int64_t from_ms);
/* Asks at the next poll even if a wait is scheduled (not while Retry-After of a 429/418 runs). */
void eb_klines_request_now(eb_klines_t *k);

/* Drives the transfer and the schedule; never blocks. now_ms is the wall clock (UTC ms); it decides which
 * klines are closed and when to ask (a clock that jumps moves the schedule with it).
 * Returns the number of bars queued by this call, or -1 when a request failed or a response was refused
 * (eb_klines_error() says why; the retry is already scheduled). */
int eb_klines_poll(eb_klines_t *k, int64_t now_ms);
/* 1 and the oldest queued bar (gap_bars: intervals missing before it, 0 normally), or 0 when none. */
int eb_klines_take(eb_klines_t *k, eb_bar_t *bar, int64_t *gap_bars);
/* The oldest queued bar without taking it: 1, or 0 when none. */
int eb_klines_peek(const eb_klines_t *k, eb_bar_t *bar);
size_t eb_klines_queued(const eb_klines_t *k);

/* Start-up helper (before READY the daemon may block; the host tool uses it too): polls until every bar
 * closed by now (or before the config's end) is queued: 0; until the queue is full: 1 (take the bars and
 * call again); or until timeout_ms passes without a new bar: -1 with eb_klines_error(). */
int eb_klines_backfill_blocking(eb_klines_t *k, int64_t timeout_ms);
/* The same, calling tick(ctx) at least every 50 ms while it waits (the daemon services its kill switch). */
int eb_klines_backfill_blocking_with(eb_klines_t *k, int64_t timeout_ms, void (*tick)(void *ctx), void *ctx);

/* Open time of the newest bar queued or taken (EB_STALE_NO_BAR / INT64_MIN when none). */
int64_t eb_klines_newest_open_ms(const eb_klines_t *k);
int64_t eb_klines_interval(const eb_klines_t *k);
/* 1 when the last response left nothing closed to ask for (caught up with the exchange). */
int eb_klines_caught_up(const eb_klines_t *k);
/* When the next poll has work: a request due or a transfer in flight (then soon). */
int64_t eb_klines_next_due_ms(const eb_klines_t *k);
const char *eb_klines_error(const eb_klines_t *k);
const eb_klines_stats_t *eb_klines_stats(const eb_klines_t *k);

/* One kline as the exchange sent it (the bar and its close time). */
typedef struct {
    eb_bar_t bar;
    int64_t close_time_ms;
} eb_kline_t;

/* Validates a whole response body and parses it into out[0..*n). Refuses (-1, nothing in *n, a message
 * "kline I: field 'F': ..." in err) every case listed at the top. Used by eb_klines_poll and by tests. */
int eb_klines_parse(const char *body, size_t len, int64_t interval_ms, size_t max_n, eb_kline_t *out, size_t *n,
                    char *err, size_t cap);
/* The backoff after `failures` consecutive failures (1 = first): base * 2^(failures-1), at most cap. */
int64_t eb_klines_backoff_ms(int failures, int64_t base_ms, int64_t cap_ms);

#endif
