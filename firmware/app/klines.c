/* The klines client's transfer side: configuration, curl multi handles, the request schedule, errors and
 * backoff (the rules are in klines.h; acceptance of a parsed page is in klines_accept.c). */
#include "app/klines.h"
#include "app/klines_internal.h"
#include "common/errf.h"
#include "hal/io/clock.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct { const char *name; int64_t ms; } intervals[] = {
    {"1m", 60000},       {"3m", 180000},      {"5m", 300000},       {"15m", 900000},
    {"30m", 1800000},    {"1h", 3600000},     {"2h", 7200000},      {"4h", 14400000},
    {"6h", 21600000},    {"8h", 28800000},    {"12h", 43200000},    {"1d", 86400000},
};

int64_t eb_klines_interval_ms(const char *name)
{
    for (size_t i = 0; name && i < sizeof intervals / sizeof intervals[0]; i++)
        if (strcmp(intervals[i].name, name) == 0)
            return intervals[i].ms;
    return 0;
}

void eb_klines_config_default(eb_klines_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->base_url = "https://api.binance.com";
    c->symbol = "BTCUSDT";
    c->interval = "5m";
    c->market = EB_KLINES_SPOT;
    c->limit = EB_KLINES_LIMIT_SPOT_MAX;
    c->body_cap = (size_t)1 << 20;
    c->timeout_ms = 10000;
    c->backoff_base_ms = 250;
    c->backoff_cap_ms = EB_KLINES_BACKOFF_CAP_MS;
    c->settle_ms = 1000;
    c->repoll_ms = 2000;
}

int64_t eb_klines_backoff_ms(int failures, int64_t base_ms, int64_t cap_ms)
{
    int64_t d = base_ms > 0 ? base_ms : 1;
    for (int i = 1; i < failures && d < cap_ms; i++)
        d *= 2;
    return d < cap_ms ? d : cap_ms;
}

static int bad(char *err, size_t cap, const char *key, const char *val, const char *allowed)
{
    return eb_errf(err, cap, "klines.%s: %s is not allowed (%s)", key, val, allowed);
}

static int check_config(const eb_klines_config_t *c, char *err, size_t cap)
{
    char num[32];
    int max_limit = c->market == EB_KLINES_USDM ? EB_KLINES_LIMIT_USDM_MAX : EB_KLINES_LIMIT_SPOT_MAX;
    if (!c->base_url || (strncmp(c->base_url, "http://", 7) && strncmp(c->base_url, "https://", 8)) ||
        strlen(c->base_url) > 200)
        return bad(err, cap, "base_url", c->base_url ? c->base_url : "(null)", "http:// or https:// URL, <= 200 chars");
    if (!c->symbol || !*c->symbol || strlen(c->symbol) > 20 || strspn(c->symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(c->symbol))
        return bad(err, cap, "symbol", c->symbol ? c->symbol : "(null)", "1..20 of A-Z 0-9");
    if (!eb_klines_interval_ms(c->interval))
        return bad(err, cap, "interval", c->interval ? c->interval : "(null)", "1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d");
    snprintf(num, sizeof num, "%d", c->limit);
    if (c->limit < 1 || c->limit > max_limit)
        return bad(err, cap, "limit", num, c->market == EB_KLINES_USDM ? "1..1500" : "1..1000");
    snprintf(num, sizeof num, "%zu", c->body_cap);
    if (c->body_cap < 4096 || c->body_cap > ((size_t)64 << 20))
        return bad(err, cap, "body_cap", num, "4096..64 MiB");
    snprintf(num, sizeof num, "%lld", (long long)c->timeout_ms);
    if (c->timeout_ms < 10 || c->timeout_ms > 600000)
        return bad(err, cap, "timeout_ms", num, "10..600000");
    snprintf(num, sizeof num, "%lld", (long long)c->backoff_base_ms);
    if (c->backoff_base_ms < 1 || c->backoff_base_ms > c->backoff_cap_ms || c->backoff_cap_ms > 3600000)
        return bad(err, cap, "backoff_base_ms", num, "1..backoff_cap_ms, cap <= 3600000");
    snprintf(num, sizeof num, "%lld", (long long)c->settle_ms);
    if (c->settle_ms < 0 || c->repoll_ms < 1 || c->settle_ms > 600000 || c->repoll_ms > 600000)
        return bad(err, cap, "settle_ms/repoll_ms", num, "settle 0..600000, repoll 1..600000");
    return 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    eb_klines_t *k = ctx;
    size_t n = size * nmemb;
    if (n > k->cfg.body_cap - k->body_len) {
        k->body_over = 1;
        return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
    }
    memcpy(k->body + k->body_len, p, n);
    k->body_len += n;
    return n;
}

/* Header value after "Name:" with blanks trimmed into buf; NULL when the line is another header. */
static const char *header_value(const char *line, size_t n, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return NULL;
    size_t i = nl + 1, j = n;
    while (i < j && isspace((unsigned char)line[i]))
        i++;
    while (j > i && isspace((unsigned char)line[j - 1]))
        j--;
    if (j - i >= cap)
        return NULL;
    memcpy(buf, line + i, j - i);
    buf[j - i] = 0;
    return buf;
}

/* Retry-After is seconds (Binance) or an HTTP date; Date tells the exchange's time (to the second). */
static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
    eb_klines_t *k = ctx;
    size_t n = size * nmemb;
    char v[128];
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        k->retry_after_ms = -1;
        k->date_ms = EB_KLINES_NONE;
    } else if (header_value(line, n, "Retry-After", v, sizeof v)) {
        char *end;
        long long s = strtoll(v, &end, 10);
        time_t t = *end || end == v ? curl_getdate(v, NULL) : (time_t)-1;
        if (!*end && end != v && s >= 0)
            k->retry_after_ms = (s > 3 * 86400 ? 3 * 86400 : s) * 1000;
        else if (t != (time_t)-1)
            k->retry_after_ms = -2 - (int64_t)t; /* resolved against Date when the response completes */
    } else if (header_value(line, n, "Date", v, sizeof v)) {
        time_t t = curl_getdate(v, NULL);
        if (t != (time_t)-1)
            k->date_ms = (int64_t)t * 1000;
    }
    return n;
}

eb_klines_t *eb_klines_new(const eb_klines_config_t *c, char *err, size_t cap)
{
    if (check_config(c, err, cap))
        return NULL;
    eb_klines_t *k = calloc(1, sizeof *k);
    if (!k || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(k);
        eb_errf(err, cap, "klines: out of memory (or curl could not start)");
        return NULL;
    }
    k->cfg = *c;
    snprintf(k->base, sizeof k->base, "%s", c->base_url);
    snprintf(k->symbol, sizeof k->symbol, "%s", c->symbol);
    snprintf(k->interval_name, sizeof k->interval_name, "%s", c->interval);
    snprintf(k->ca_file, sizeof k->ca_file, "%s", c->ca_file ? c->ca_file : "");
    k->cfg.base_url = k->base;
    k->cfg.symbol = k->symbol;
    k->cfg.interval = k->interval_name;
    k->cfg.ca_file = k->ca_file[0] ? k->ca_file : NULL;
    k->interval_ms = eb_klines_interval_ms(c->interval);
    k->qcap = 2 * (size_t)c->limit;
    k->body = malloc(c->body_cap);
    k->page = calloc((size_t)c->limit, sizeof *k->page);
    k->q = calloc(k->qcap, sizeof *k->q);
    k->multi = curl_multi_init();
    k->easy = curl_easy_init();
    if (!k->body || !k->page || !k->q || !k->multi || !k->easy) {
        eb_klines_free(k);
        eb_errf(err, cap, "klines: out of memory (body %zu bytes, %d klines per page)", c->body_cap, c->limit);
        return NULL;
    }
    k->next_open = EB_KLINES_NONE;
    k->newest_open = EB_KLINES_NONE;
    k->gap_retry_from = EB_KLINES_NONE;
    k->last_now = EB_KLINES_NONE;
    return k;
}

void eb_klines_free(eb_klines_t *k)
{
    if (!k)
        return;
    if (k->in_flight)
        curl_multi_remove_handle(k->multi, k->easy);
    if (k->easy)
        curl_easy_cleanup(k->easy);
    if (k->multi)
        curl_multi_cleanup(k->multi);
    free(k->body);
    free(k->page);
    free(k->q);
    free(k);
    curl_global_cleanup();
}

static void abandon(eb_klines_t *k)
{
    if (k->in_flight)
        curl_multi_remove_handle(k->multi, k->easy);
    k->in_flight = 0;
}

void eb_klines_start_at(eb_klines_t *k, int64_t from_ms)
{
    abandon(k);
    int64_t i = k->interval_ms;
    int64_t r = from_ms % i;
    k->next_open = r == 0 ? from_ms : from_ms - r + (r > 0 ? i : 0);
    k->qhead = k->qlen = 0;
    k->newest_open = EB_KLINES_NONE;
    k->gap_retry_from = EB_KLINES_NONE;
    k->caught_up = 0;
    k->next_at = INT64_MIN;
    k->hold_until = INT64_MIN;
}

void eb_klines_request_now(eb_klines_t *k)
{
    k->next_at = INT64_MIN;
}

int eb_klines_fail(eb_klines_t *k, int64_t now, int64_t delay_ms, const char *fmt, ...)
{
    k->st.consecutive_failures++;
    if (delay_ms < 0)
        delay_ms = eb_klines_backoff_ms(k->st.consecutive_failures, k->cfg.backoff_base_ms, k->cfg.backoff_cap_ms);
    k->st.last_delay_ms = delay_ms;
    k->next_at = now + delay_ms;
    int n = snprintf(k->err, sizeof k->err, "klines %s %s: ", k->symbol, k->interval_name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->err + n, sizeof k->err - (size_t)n, fmt, ap);
    va_end(ap);
    size_t used = strlen(k->err);
    snprintf(k->err + used, sizeof k->err - used, " (retry in %lld ms)", (long long)delay_ms);
    return -1;
}

static int start_request(eb_klines_t *k, int64_t now)
{
    const char *path = k->cfg.market == EB_KLINES_USDM ? "/fapi/v1/klines" : "/api/v3/klines";
    int n = snprintf(k->url, sizeof k->url, "%s%s?symbol=%s&interval=%s&startTime=%lld&limit=%d", k->base, path,
                     k->symbol, k->interval_name, (long long)k->next_open, k->cfg.limit);
    if (k->cfg.end_ms > 0)
        snprintf(k->url + n, sizeof k->url - (size_t)n, "&endTime=%lld", (long long)(k->cfg.end_ms - 1));
    CURL *h = k->easy;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, k->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)k->cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "edgeboxd/" EB_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
    if (k->cfg.ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, k->cfg.ca_file);
    k->body_len = 0;
    k->body_over = 0;
    k->retry_after_ms = -1;
    k->date_ms = EB_KLINES_NONE;
    k->req_start = k->next_open;
    if (curl_multi_add_handle(k->multi, h) != CURLM_OK)
        return eb_klines_fail(k, now, -1, "curl could not start the request");
    k->in_flight = 1;
    k->caught_up = 0; /* known again when the answer is in */
    k->st.requests++;
    int running;
    curl_multi_perform(k->multi, &running);
    return 0;
}

static int64_t retry_after(eb_klines_t *k)
{
    if (k->retry_after_ms >= -1)
        return k->retry_after_ms;
    int64_t at_ms = (-2 - k->retry_after_ms) * 1000; /* an HTTP date: the wait is from the exchange's Date */
    int64_t d = k->date_ms != EB_KLINES_NONE ? at_ms - k->date_ms : -1;
    return d < 0 ? -1 : d;
}

/* A finished transfer: errors are scheduled for retry; a 200 goes to the page checks. */
static int finish(eb_klines_t *k, CURLcode rc, int64_t now)
{
    long code = 0;
    curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &code);
    k->st.last_http = code;
    if (rc == CURLE_WRITE_ERROR && k->body_over) {
        k->st.refused++;
        return eb_klines_fail(k, now, -1, "GET %s: response body over %zu bytes: refused", k->url, k->cfg.body_cap);
    }
    if (rc != CURLE_OK) {
        if (rc == CURLE_OPERATION_TIMEDOUT)
            k->st.timeouts++;
        else
            k->st.transport_errors++;
        return eb_klines_fail(k, now, -1, "GET %s: %s", k->url, curl_easy_strerror(rc));
    }
    if (code == 429 || code == 418) {
        int64_t wait = retry_after(k);
        k->st.rate_limited += code == 429;
        k->st.banned += code == 418;
        int r = eb_klines_fail(k, now, wait, "GET %s: HTTP %ld (%s), Retry-After %s", k->url, code,
                               code == 429 ? "rate limit" : "IP banned", wait >= 0 ? "honoured" : "missing");
        k->hold_until = k->next_at;
        return r;
    }
    if (code != 200) {
        k->st.http_errors++;
        return eb_klines_fail(k, now, -1, "GET %s: HTTP %ld: %.120s", k->url, code, k->body_len ? k->body : "");
    }
    return eb_klines_accept_body(k, now);
}

static void clock_jump(eb_klines_t *k, int64_t now)
{
    /* Wall time that went backwards moves the schedule with it, so a step back of the clock never
     * stops polling for the length of the step. */
    if (k->last_now != EB_KLINES_NONE && now < k->last_now) {
        if (k->next_at != INT64_MIN && k->next_at != INT64_MAX)
            k->next_at -= k->last_now - now;
        if (k->hold_until != INT64_MIN)
            k->hold_until -= k->last_now - now;
    }
    k->last_now = now;
}

int eb_klines_poll(eb_klines_t *k, int64_t now_ms)
{
    int result = 0;
    clock_jump(k, now_ms);
    if (k->in_flight) {
        int running = 0, left = 0, done = 0;
        CURLcode rc = CURLE_OK;
        curl_multi_perform(k->multi, &running);
        for (CURLMsg *m; (m = curl_multi_info_read(k->multi, &left));)
            if (m->msg == CURLMSG_DONE && m->easy_handle == k->easy) {
                rc = m->data.result;
                done = 1;
            }
        if (!done)
            return 0;
        abandon(k);
        result = finish(k, rc, now_ms);
    }
    int room = k->qcap - k->qlen >= (size_t)k->cfg.limit;
    int wanted = k->next_open != EB_KLINES_NONE && (k->cfg.end_ms <= 0 || k->next_open < k->cfg.end_ms);
    if (room && wanted && now_ms >= k->next_at && now_ms >= k->hold_until) {
        int r = start_request(k, now_ms);
        if (r < 0)
            result = r;
    }
    return result;
}

int eb_klines_take(eb_klines_t *k, eb_bar_t *bar, int64_t *gap_bars)
{
    if (!k->qlen)
        return 0;
    *bar = k->q[k->qhead].bar;
    if (gap_bars)
        *gap_bars = k->q[k->qhead].gap;
    k->qhead = (k->qhead + 1) % k->qcap;
    k->qlen--;
    return 1;
}

int eb_klines_peek(const eb_klines_t *k, eb_bar_t *bar)
{
    if (!k->qlen)
        return 0;
    *bar = k->q[k->qhead].bar;
    return 1;
}

size_t eb_klines_queued(const eb_klines_t *k) { return k->qlen; }
int64_t eb_klines_newest_open_ms(const eb_klines_t *k) { return k->newest_open; }
int64_t eb_klines_interval(const eb_klines_t *k) { return k->interval_ms; }
int eb_klines_caught_up(const eb_klines_t *k) { return k->caught_up; }
const char *eb_klines_error(const eb_klines_t *k) { return k->err; }
const eb_klines_stats_t *eb_klines_stats(const eb_klines_t *k) { return &k->st; }

int64_t eb_klines_next_due_ms(const eb_klines_t *k)
{
    if (k->in_flight)
        return k->last_now;
    return k->next_at > k->hold_until ? k->next_at : k->hold_until;
}

static int64_t wall_ms(const eb_klines_t *k)
{
    return k->cfg.clock_ms ? k->cfg.clock_ms() : eb_clock_realtime_ms();
}

int eb_klines_backfill_blocking(eb_klines_t *k, int64_t timeout_ms)
{
    return eb_klines_backfill_blocking_with(k, timeout_ms, NULL, NULL);
}

int eb_klines_backfill_blocking_with(eb_klines_t *k, int64_t timeout_ms, void (*tick)(void *ctx), void *ctx)
{
    int64_t last_progress = eb_clock_monotonic_ms();
    for (;;) {
        if (tick)
            tick(ctx);
        int64_t now = wall_ms(k);
        if (eb_klines_poll(k, now) > 0)
            last_progress = eb_clock_monotonic_ms();
        int wanted = k->next_open != EB_KLINES_NONE && (k->cfg.end_ms <= 0 || k->next_open < k->cfg.end_ms);
        if (!k->in_flight && (k->caught_up || !wanted))
            return 0;
        if (!k->in_flight && k->qcap - k->qlen < (size_t)k->cfg.limit)
            return 1;
        if (eb_clock_monotonic_ms() - last_progress > timeout_ms) {
            abandon(k);
            char last[sizeof k->err];
            snprintf(last, sizeof last, "%s", k->err[0] ? k->err : "no error");
            snprintf(k->err, sizeof k->err, "klines %s %s: backfill made no progress for %lld ms (last: %.400s)",
                     k->symbol, k->interval_name, (long long)timeout_ms, last);
            return -1;
        }
        if (k->in_flight) {
            curl_multi_wait(k->multi, NULL, 0, 50, NULL);
        } else {
            int64_t wait = eb_klines_next_due_ms(k) - now;
            struct timespec ts = {0, (wait > 50 ? 50 : wait < 1 ? 1 : wait) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}
