/* A tiny fake of the exchange's public klines endpoint for tests: an HTTP/1.1 server on 127.0.0.1 (an
 * ephemeral port, loopback only) in its own thread, serving GET /api/v3/klines and /fapi/v1/klines from an
 * in-memory bar series with Binance's response shape, and a settable "now":
 *   - bars opening after now do not exist yet; the bar containing now is served as still open, with
 *     values that differ from its final ones (O=H=L=C=open, half the volume), so a client that takes an
 *     open bar is caught by comparing with the series;
 *   - the Date header carries now (to the second), unless switched off.
 * Faults, queued in order, one per request: 429 / 418 with or without Retry-After, 500, a hang (the request
 * is read and never answered, the client must time out), malformed bodies of several kinds, a truncated
 * body (Content-Length larger than what is sent). Holes: bars missing from the next N responses (or for
 * ever: an exchange outage). Every request is logged with its arrival time (monotonic ms). */
#ifndef EB_TESTS_FAKE_EXCHANGE_H
#define EB_TESTS_FAKE_EXCHANGE_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    EB_FX_OK = 0,
    EB_FX_429,       /* arg: Retry-After seconds; < 0: no Retry-After header */
    EB_FX_418,       /* arg: as 429 */
    EB_FX_500,
    EB_FX_HANG,      /* read the request, never answer (held until the client closes, at most 10 s) */
    EB_FX_MALFORMED, /* arg: an eb_fx_malformed_t */
    EB_FX_TRUNCATED, /* Content-Length says more than is sent, then the connection closes */
} eb_fx_fault_t;

typedef enum {
    EB_FXM_NOT_JSON = 0, /* "[[1,2" cut JSON */
    EB_FXM_OBJECT,       /* {"code":-1121,"msg":"Invalid symbol."} with status 200 */
    EB_FXM_FIELD_COUNT,  /* the second kline has 6 fields */
    EB_FXM_NON_NUMERIC,  /* the second kline's close is "abc" */
    EB_FXM_HIGH_BELOW_LOW,
    EB_FXM_CLOSE_TIME,   /* close time not open + interval - 1 */
    EB_FXM_ORDER,        /* the first two klines swapped */
    EB_FXM_NAN,          /* the second kline's high is "NaN" */
    EB_FXM_TRAILING,     /* a valid array followed by garbage */
    EB_FXM_COUNT
} eb_fx_malformed_t;

typedef struct {
    int64_t mono_ms;   /* arrival (CLOCK_MONOTONIC) */
    int64_t start_ms;  /* startTime (-1 absent) */
    int64_t end_ms;    /* endTime (-1 absent) */
    int limit;
    int status;        /* what was answered (0: hang) */
    int bars;          /* klines in the body */
    char path[24];
} eb_fx_request_t;

typedef struct eb_fx eb_fx_t;

/* Copies the series (open times on the interval grid, increasing) and starts serving. NULL on failure. */
eb_fx_t *eb_fx_start(const eb_bar_t *bars, size_t n, const char *symbol, const char *interval, int64_t interval_ms);
void eb_fx_stop(eb_fx_t *fx);
/* "http://127.0.0.1:PORT" */
const char *eb_fx_url(const eb_fx_t *fx);

void eb_fx_set_now(eb_fx_t *fx, int64_t now_ms);
void eb_fx_send_date(eb_fx_t *fx, int on);
/* Queues a fault for the next request that has none yet (up to 64 queued). */
void eb_fx_push_fault(eb_fx_t *fx, eb_fx_fault_t f, int arg);
/* Bars with open time in [from_ms, to_ms) are left out of the next `times` responses that would have held
 * them (times < 0: always). Up to 8 holes. */
void eb_fx_hole(eb_fx_t *fx, int64_t from_ms, int64_t to_ms, int times);

/* A deterministic test series on the interval grid from t0_ms: valid bars, every one different. */
void eb_fx_make_series(eb_bar_t *out, size_t n, int64_t t0_ms, int64_t interval_ms);

size_t eb_fx_request_count(eb_fx_t *fx);
/* The i-th request (0-based) into *out; -1 when there is none. */
int eb_fx_request(eb_fx_t *fx, size_t i, eb_fx_request_t *out);

#endif
