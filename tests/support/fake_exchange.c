/* The fake klines exchange (see fake_exchange.h). One server thread handles one connection at a time and
 * answers with "Connection: close", which is all a klines client needs and keeps the server small. */
#define _GNU_SOURCE
#include "fake_exchange.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FX_MAX_FAULTS 64
#define FX_MAX_HOLES 8
#define FX_MAX_LOG 1024

struct eb_fx {
    pthread_t thread;
    pthread_mutex_t mu;
    int listen_fd, stop_pipe[2];
    char url[64], symbol[24], interval[8];
    int64_t interval_ms, now_ms;
    int send_date;
    eb_bar_t *bars;
    size_t n;
    struct { eb_fx_fault_t f; int arg; } faults[FX_MAX_FAULTS];
    size_t nfaults;
    struct { int64_t from, to; int times; } holes[FX_MAX_HOLES];
    size_t nholes;
    eb_fx_request_t log[FX_MAX_LOG];
    size_t nlog;
};

typedef struct { char *p; size_t len, cap; } fx_buf_t;

static void put(fx_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(fx_buf_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 64;
        char *p = realloc(b->p, cap);
        if (!p)
            abort();
        b->p = p;
        b->cap = cap;
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The query's value for key, as an integer; -1 when absent. */
static long long query_int(const char *q, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "%s=", key);
    for (const char *p = q; p && (p = strstr(p, pat)); p++)
        if (p == q || p[-1] == '&' || p[-1] == '?')
            return strtoll(p + strlen(pat), NULL, 10);
    return -1;
}

static int query_is(const char *q, const char *key, const char *want)
{
    char pat[48];
    snprintf(pat, sizeof pat, "%s=%s", key, want);
    size_t l = strlen(pat);
    for (const char *p = q; (p = strstr(p, pat)); p++)
        if ((p == q || p[-1] == '&' || p[-1] == '?') && (p[l] == '&' || p[l] == 0 || p[l] == ' '))
            return 1;
    return 0;
}

/* Consumes one use of each hole that covers the bar; 1 when the bar is left out. */
static int in_hole(eb_fx_t *fx, int64_t t, int consume)
{
    int out = 0;
    for (size_t i = 0; i < fx->nholes; i++)
        if (fx->holes[i].times != 0 && t >= fx->holes[i].from && t < fx->holes[i].to) {
            out = 1;
            if (consume && fx->holes[i].times > 0)
                fx->holes[i].times = -1000000 - fx->holes[i].times; /* marked: decremented after the response */
        }
    return out;
}

static void holes_settle(eb_fx_t *fx)
{
    for (size_t i = 0; i < fx->nholes; i++)
        if (fx->holes[i].times <= -1000000)
            fx->holes[i].times = -(fx->holes[i].times + 1000000) - 1;
}

static void kline(fx_buf_t *b, const eb_bar_t *x, int64_t interval_ms, int open, int mutate)
{
    eb_bar_t v = *x;
    if (open) /* still forming: not the values it will close with */
        v = (eb_bar_t){x->open_time_ms, x->open, x->open, x->open, x->open, x->volume / 2};
    int64_t close_t = v.open_time_ms + interval_ms - 1 + (mutate == EB_FXM_CLOSE_TIME ? 1000 : 0);
    char hi[64], cl[64];
    snprintf(hi, sizeof hi, "%.8f", mutate == EB_FXM_HIGH_BELOW_LOW ? v.low * 0.5 : v.high);
    snprintf(cl, sizeof cl, "%.8f", v.close);
    if (mutate == EB_FXM_NAN)
        snprintf(hi, sizeof hi, "NaN");
    if (mutate == EB_FXM_NON_NUMERIC)
        snprintf(cl, sizeof cl, "abc");
    if (mutate == EB_FXM_FIELD_COUNT) {
        put(b, "[%lld,\"%.8f\",\"%s\",\"%.8f\",\"%s\",\"%.8f\"]", (long long)v.open_time_ms, v.open, hi, v.low, cl, v.volume);
        return;
    }
    put(b, "[%lld,\"%.8f\",\"%s\",\"%.8f\",\"%s\",\"%.8f\",%lld,\"%.8f\",%d,\"%.8f\",\"%.8f\",\"0\"]",
        (long long)v.open_time_ms, v.open, hi, v.low, cl, v.volume, (long long)close_t, v.volume * v.close, 100,
        v.volume / 2, v.volume * v.close / 2);
}

/* The klines body for the request; returns the number of klines. */
static int klines_body(eb_fx_t *fx, fx_buf_t *b, long long start, long long end, int limit, int mutate)
{
    size_t sel[1500];
    int n = 0;
    for (size_t i = 0; i < fx->n && n < limit; i++) {
        int64_t t = fx->bars[i].open_time_ms;
        if (t < start || (end >= 0 && t > end) || t > fx->now_ms || in_hole(fx, t, 1))
            continue;
        sel[n++] = i;
    }
    holes_settle(fx);
    if (mutate == EB_FXM_ORDER && n >= 2) {
        size_t s = sel[0];
        sel[0] = sel[1];
        sel[1] = s;
    }
    put(b, "[");
    for (int j = 0; j < n; j++) {
        const eb_bar_t *x = &fx->bars[sel[j]];
        int open = x->open_time_ms + fx->interval_ms > fx->now_ms;
        put(b, "%s", j ? "," : "");
        kline(b, x, fx->interval_ms, open, j == (n >= 2 ? 1 : 0) ? mutate : -1); /* the second kline, or the only one */
    }
    put(b, "]");
    if (mutate == EB_FXM_TRAILING)
        put(b, " xyz");
    return n;
}

static void head(eb_fx_t *fx, fx_buf_t *h, int status, const char *reason, size_t len, const char *extra)
{
    put(h, "HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %zu\r\n", status,
        reason, len);
    if (fx->send_date) {
        char date[64];
        time_t t = (time_t)(fx->now_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        put(h, "Date: %s\r\n", date);
    }
    put(h, "%sConnection: close\r\n\r\n", extra ? extra : "");
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Holds a hung request until the client gives up (EOF), the server stops, or 10 s pass. */
static void hang(eb_fx_t *fx, int fd)
{
    struct pollfd p[2] = {{fd, POLLIN, 0}, {fx->stop_pipe[0], POLLIN, 0}};
    int64_t until = mono_ms() + 10000;
    char c[256];
    while (mono_ms() < until && poll(p, 2, 100) >= 0) {
        if (p[1].revents)
            return;
        if (p[0].revents && recv(fd, c, sizeof c, 0) <= 0)
            return;
    }
}

static const char *err_body(int code, const char *msg, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"code\":%d,\"msg\":\"%s\"}", code, msg);
    return buf;
}

/* Decides the answer under the lock; sends it outside. */
static void answer(eb_fx_t *fx, int fd, const char *target)
{
    fx_buf_t h = {0}, b = {0};
    char eb[160], extra[64] = "";
    eb_fx_request_t r = {.mono_ms = mono_ms(), .start_ms = -1, .end_ms = -1};
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    snprintf(r.path, sizeof r.path, "%.*s", (int)(plen < sizeof r.path ? plen : sizeof r.path - 1), target);
    q = q ? q + 1 : "";
    r.start_ms = query_int(q, "startTime");
    r.end_ms = query_int(q, "endTime");
    long long lim = query_int(q, "limit");
    r.limit = lim < 0 ? 500 : (int)lim;
    int spot = strcmp(r.path, "/api/v3/klines") == 0, fut = strcmp(r.path, "/fapi/v1/klines") == 0;

    pthread_mutex_lock(&fx->mu);
    eb_fx_fault_t f = EB_FX_OK;
    int arg = 0;
    if (fx->nfaults) {
        f = fx->faults[0].f;
        arg = fx->faults[0].arg;
        memmove(fx->faults, fx->faults + 1, --fx->nfaults * sizeof fx->faults[0]);
    }
    const char *reason = "OK";
    if (!spot && !fut) {
        r.status = 404, reason = "Not Found";
        put(&b, "%s", err_body(-1, "Not found", eb, sizeof eb));
    } else if (!query_is(q, "symbol", fx->symbol)) {
        r.status = 400, reason = "Bad Request";
        put(&b, "%s", err_body(-1121, "Invalid symbol.", eb, sizeof eb));
    } else if (!query_is(q, "interval", fx->interval)) {
        r.status = 400, reason = "Bad Request";
        put(&b, "%s", err_body(-1120, "Invalid interval.", eb, sizeof eb));
    } else if (r.limit < 1 || r.limit > (spot ? 1000 : 1500)) {
        r.status = 400, reason = "Bad Request";
        put(&b, "%s", err_body(-1130, "Invalid limit.", eb, sizeof eb));
    } else if (f == EB_FX_429 || f == EB_FX_418) {
        r.status = f == EB_FX_429 ? 429 : 418, reason = f == EB_FX_429 ? "Too Many Requests" : "I'm a teapot";
        if (arg >= 0)
            snprintf(extra, sizeof extra, "Retry-After: %d\r\n", arg);
        put(&b, "%s", err_body(-1003, "Too many requests.", eb, sizeof eb));
    } else if (f == EB_FX_500) {
        r.status = 500, reason = "Internal Server Error";
        put(&b, "%s", err_body(-1000, "An unknown error occured while processing the request.", eb, sizeof eb));
    } else if (f == EB_FX_MALFORMED && arg == EB_FXM_NOT_JSON) {
        r.status = 200;
        put(&b, "[[1,2");
    } else if (f == EB_FX_MALFORMED && arg == EB_FXM_OBJECT) {
        r.status = 200;
        put(&b, "%s", err_body(-1121, "Invalid symbol.", eb, sizeof eb));
    } else if (f != EB_FX_HANG) {
        r.status = 200;
        r.bars = klines_body(fx, &b, r.start_ms < 0 ? 0 : r.start_ms, r.end_ms, r.limit, f == EB_FX_MALFORMED ? arg : -1);
    }
    if (f != EB_FX_HANG)
        head(fx, &h, r.status, reason, b.len + (f == EB_FX_TRUNCATED ? 100 : 0), extra);
    if (fx->nlog < FX_MAX_LOG)
        fx->log[fx->nlog++] = r;
    pthread_mutex_unlock(&fx->mu);

    if (f == EB_FX_HANG) {
        hang(fx, fd);
    } else {
        send_all(fd, h.p, h.len);
        send_all(fd, b.p, f == EB_FX_TRUNCATED ? b.len / 2 : b.len);
    }
    free(h.p);
    free(b.p);
}

static void serve(eb_fx_t *fx, int fd)
{
    char req[8192];
    size_t len = 0;
    int64_t until = mono_ms() + 3000;
    while (len < sizeof req - 1 && mono_ms() < until) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (n <= 0)
            return;
        len += (size_t)n;
        req[len] = 0;
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    char method[8], target[2048];
    if (!strstr(req, "\r\n\r\n") || sscanf(req, "%7s %2047s", method, target) != 2 || strcmp(method, "GET") != 0)
        return;
    answer(fx, fd, target);
}

static void *server(void *arg)
{
    eb_fx_t *fx = arg;
    for (;;) {
        struct pollfd p[2] = {{fx->listen_fd, POLLIN, 0}, {fx->stop_pipe[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents)
            return NULL;
        int fd = accept(fx->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve(fx, fd);
        shutdown(fd, SHUT_WR);
        close(fd);
    }
}

eb_fx_t *eb_fx_start(const eb_bar_t *bars, size_t n, const char *symbol, const char *interval, int64_t interval_ms)
{
    eb_fx_t *fx = calloc(1, sizeof *fx);
    if (!fx || !(fx->bars = malloc((n ? n : 1) * sizeof *bars))) {
        free(fx);
        return NULL;
    }
    memcpy(fx->bars, bars, n * sizeof *bars);
    fx->n = n;
    fx->interval_ms = interval_ms;
    fx->send_date = 1;
    fx->now_ms = n ? bars[n - 1].open_time_ms + interval_ms / 2 : 0;
    snprintf(fx->symbol, sizeof fx->symbol, "%s", symbol);
    snprintf(fx->interval, sizeof fx->interval, "%s", interval);
    pthread_mutex_init(&fx->mu, NULL);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    fx->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fx->listen_fd < 0 || bind(fx->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(fx->listen_fd, 16) ||
        getsockname(fx->listen_fd, (struct sockaddr *)&a, &al) || pipe2(fx->stop_pipe, O_CLOEXEC) ||
        pthread_create(&fx->thread, NULL, server, fx)) {
        if (fx->listen_fd >= 0)
            close(fx->listen_fd);
        free(fx->bars);
        free(fx);
        return NULL;
    }
    snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    return fx;
}

void eb_fx_stop(eb_fx_t *fx)
{
    if (!fx)
        return;
    if (write(fx->stop_pipe[1], "x", 1) != 1)
        perror("fake exchange: stop");
    pthread_join(fx->thread, NULL);
    close(fx->stop_pipe[0]);
    close(fx->stop_pipe[1]);
    close(fx->listen_fd);
    pthread_mutex_destroy(&fx->mu);
    free(fx->bars);
    free(fx);
}

const char *eb_fx_url(const eb_fx_t *fx) { return fx->url; }

void eb_fx_set_now(eb_fx_t *fx, int64_t now_ms)
{
    pthread_mutex_lock(&fx->mu);
    fx->now_ms = now_ms;
    pthread_mutex_unlock(&fx->mu);
}

void eb_fx_send_date(eb_fx_t *fx, int on)
{
    pthread_mutex_lock(&fx->mu);
    fx->send_date = on;
    pthread_mutex_unlock(&fx->mu);
}

void eb_fx_push_fault(eb_fx_t *fx, eb_fx_fault_t f, int arg)
{
    pthread_mutex_lock(&fx->mu);
    if (fx->nfaults < FX_MAX_FAULTS) {
        fx->faults[fx->nfaults].f = f;
        fx->faults[fx->nfaults++].arg = arg;
    }
    pthread_mutex_unlock(&fx->mu);
}

void eb_fx_hole(eb_fx_t *fx, int64_t from_ms, int64_t to_ms, int times)
{
    pthread_mutex_lock(&fx->mu);
    if (fx->nholes < FX_MAX_HOLES) {
        fx->holes[fx->nholes].from = from_ms;
        fx->holes[fx->nholes].to = to_ms;
        fx->holes[fx->nholes++].times = times < 0 ? -1 : times;
    }
    pthread_mutex_unlock(&fx->mu);
}

size_t eb_fx_request_count(eb_fx_t *fx)
{
    pthread_mutex_lock(&fx->mu);
    size_t n = fx->nlog;
    pthread_mutex_unlock(&fx->mu);
    return n;
}

int eb_fx_request(eb_fx_t *fx, size_t i, eb_fx_request_t *out)
{
    pthread_mutex_lock(&fx->mu);
    int ok = i < fx->nlog;
    if (ok)
        *out = fx->log[i];
    pthread_mutex_unlock(&fx->mu);
    return ok ? 0 : -1;
}

void eb_fx_make_series(eb_bar_t *out, size_t n, int64_t t0_ms, int64_t interval_ms)
{
    for (size_t i = 0; i < n; i++) {
        double o = 30000 + 10.0 * (double)i + (double)(i % 17);
        out[i] = (eb_bar_t){t0_ms + (int64_t)i * interval_ms, o, o + 50 + (double)(i % 7), o - 40 - (double)(i % 5),
                            o + (double)(i % 11) - 5, 10 + (double)(i % 13) + 0.125};
    }
}
