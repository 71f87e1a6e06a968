/* The HTTP request parser: good requests (fields, pipelining, keep-alive rules, bodies), every bad input
 * we could think of with the status it must give, the limits at and one past their edge, and every
 * request split at every byte boundary: each prefix is incomplete or fails exactly as the whole does. */
#include "app/http/http_parse.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

static eb_http_limits_t lim;
static eb_http_req_t req;

static int parse(const char *s) { return eb_http_parse(s, strlen(s), &lim, &req); }
static int parse_n(const char *s, size_t n) { return eb_http_parse(s, n, &lim, &req); }

static int slice_is(eb_http_slice_t s, const char *lit) { return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0; }

/* Every prefix is INCOMPLETE, or ERROR with the whole's status; the whole gives `want` (and `status`). */
static void check_splits(const char *s, size_t n, int want, int status)
{
    eb_http_req_t whole;
    int w = eb_http_parse(s, n, &lim, &whole);
    CHECK_MSG(w == want && (w != EB_HTTP_PARSE_ERROR || whole.status == status),
              "whole of \"%.40s\": %d/%d, want %d/%d", s, w, whole.status, want, status);
    for (size_t k = 0; k < n; k++) {
        int r = eb_http_parse(s, k, &lim, &req);
        int ok = r == EB_HTTP_PARSE_INCOMPLETE || (r == EB_HTTP_PARSE_ERROR && w == EB_HTTP_PARSE_ERROR &&
                                                   req.status == whole.status);
        if (!ok) {
            CHECK_MSG(0, "prefix %zu of \"%.40s\": %d/%d vs whole %d/%d", k, s, r, req.status, w, whole.status);
            return;
        }
    }
    eb_check_passed++;
}

TEST(simple_get)
{
    const char *s = "GET /api/v1/status?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent:  curl/8 \r\n\r\n";
    CHECK_EQ_INT(parse(s), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.method, EB_HTTP_GET);
    CHECK(slice_is(req.target, "/api/v1/status?x=1"));
    CHECK(slice_is(req.path, "/api/v1/status"));
    CHECK(slice_is(req.query, "x=1"));
    CHECK_EQ_INT(req.minor, 1);
    CHECK_EQ_INT(req.nheaders, 2);
    CHECK(slice_is(*eb_http_header(&req, "user-agent"), "curl/8")); /* OWS trimmed both sides */
    CHECK(eb_http_header(&req, "accept") == NULL);
    CHECK_EQ_INT(req.keep_alive, 1);
    CHECK_EQ_INT(req.head_len, strlen(s));
    CHECK_EQ_INT(req.total_len, strlen(s));
    check_splits(s, strlen(s), EB_HTTP_PARSE_DONE, 0);
}

TEST(keep_alive_rules)
{
    CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.keep_alive, 0);
    CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.keep_alive, 0);
    CHECK_EQ_INT(parse("GET / HTTP/1.0\r\n\r\n"), EB_HTTP_PARSE_DONE); /* 1.0 needs no Host */
    CHECK_EQ_INT(req.keep_alive, 0);
    CHECK_EQ_INT(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.keep_alive, 1);
    CHECK_EQ_INT(req.minor, 0);
    CHECK_EQ_INT(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n"), EB_HTTP_PARSE_DONE); /* served as 1.1 */
    CHECK_EQ_INT(req.minor, 1);
}

TEST(body_and_pipelining)
{
    const char *s = "POST /api/v1/halt HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_EQ_INT(parse(s), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.method, EB_HTTP_POST);
    CHECK_EQ_INT(req.content_length, 5);
    size_t first = req.total_len;
    CHECK(memcmp(s + req.head_len, "hello", 5) == 0);
    CHECK(strncmp(s + first, "GET /", 5) == 0);
    CHECK_EQ_INT(parse(s + first), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.method, EB_HTTP_GET);
    CHECK_EQ_INT(req.total_len, strlen(s + first));
    /* head complete, body pending: INCOMPLETE with head_len set (the server checks route limits then) */
    CHECK_EQ_INT(parse_n(s, 60), EB_HTTP_PARSE_INCOMPLETE);
    CHECK(req.head_len > 0 && req.head_len < 60);
    check_splits(s, first, EB_HTTP_PARSE_DONE, 0);
    CHECK_EQ_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"),
                 EB_HTTP_PARSE_INCOMPLETE);
    CHECK_EQ_INT(req.expect_continue, 1);
    /* stray CRLFs before a request are skipped (RFC 9112 2.2) */
    CHECK_EQ_INT(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(parse("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.method, EB_HTTP_OTHER);
    CHECK(slice_is(req.method_name, "BREW"));
    CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Bin: caf\xc3\xa9\r\n\r\n"), EB_HTTP_PARSE_DONE); /* obs-text */
}

struct bad { const char *in; size_t len; int status; const char *reason_has; };

TEST(bad_inputs)
{
    static const char nul_line[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
    static const char nul_field[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    const struct bad cases[] = {
        {"GET / HTTP/1.1\nHost: a\n\n", 0, 400, "bare LF"},
        {"GET / HTTP/1.1\r\nHost: a\n\r\n", 0, 400, "bare LF"},
        {"GET / HTTP/1.1\rHost: a\r\n\r\n", 0, 400, "CR not followed by LF"},
        {nul_line, sizeof nul_line - 1, 400, "NUL"},
        {nul_field, sizeof nul_field - 1, 400, "NUL"},
        {"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", 0, 400, "control byte"},
        {"GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 0, 400, "control byte"},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 0, 400, "folding"},
        {"GET / HTTP/1.1\r\n Host: a\r\n\r\n", 0, 400, "folding"},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 0, 400, "directly followed by ':'"},
        {"GET / HTTP/1.1\r\n: a\r\n\r\n", 0, 400, "name must be a token"},
        {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 0, 400, "name must be a token"},
        {"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 0, 400, "name must be a token"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0, 400, "more than one Content-Length"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", 0, 400, "only digits"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 0, 400, "only digits"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", 0, 400, "only digits"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 0, 400, "only digits"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 0, 400, "empty Content-Length"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999999999\r\n\r\n", 0, 413, "over the limit"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", 0, 413, "over the limit"},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 16385\r\n\r\n", 0, 413, "over the limit"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 501, "Transfer-Encoding"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 0, 400, "both"},
        {"GET / HTTP/1.1\r\n\r\n", 0, 400, "Host"},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 0, 400, "Host"},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, 505, "version"},
        {"GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 0, 400, "version"},
        {"GET / http/1.1\r\nHost: a\r\n\r\n", 0, 400, "version"},
        {"GET / HTTP/1.\r\nHost: a\r\n\r\n", 0, 400, "version"},
        {"GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "version"},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "TARGET"},
        {"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "method"},
        {" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "method"},
        {"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "visible ASCII"},
        {"GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "start with '/'"},
        {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400, "start with '/'"},
        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 0, 400, "version"},
        {"GET /\r\n\r\n", 0, 400, "expected METHOD SP TARGET"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad *c = &cases[i];
        size_t n = c->len ? c->len : strlen(c->in);
        int r = parse_n(c->in, n);
        CHECK_MSG(r == EB_HTTP_PARSE_ERROR && req.status == c->status && req.reason &&
                      strstr(req.reason, c->reason_has),
                  "case %zu \"%.50s\": %d status %d reason %s", i, c->in, r, req.status,
                  req.reason ? req.reason : "(none)");
        check_splits(c->in, n, EB_HTTP_PARSE_ERROR, c->status);
    }
}

/* A request whose request line has `line` bytes (before CRLF). */
static size_t with_line(char *buf, size_t cap, size_t line)
{
    memcpy(buf, "GET /", 5);
    size_t path = line - 5 - 9; /* "GET " + "/" + path + " HTTP/1.1" */
    memset(buf + 5, 'a', path);
    int n = snprintf(buf + 5 + path, cap - 5 - path, " HTTP/1.1\r\nHost: a\r\n\r\n");
    return 5 + path + (size_t)n;
}

/* A request whose head (through the empty line) has exactly `head` bytes, padded with one field. */
static size_t with_head(char *buf, size_t cap, size_t head)
{
    const char *pre = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
    size_t np = strlen(pre), pad = head - np - 4;
    memcpy(buf, pre, np);
    memset(buf + np, 'p', pad);
    memcpy(buf + np + pad, "\r\n\r\n", 4);
    (void)cap;
    return head;
}

TEST(limits_at_the_edge)
{
    static char buf[20000];
    size_t n = with_line(buf, sizeof buf, 4096);
    CHECK_EQ_INT(parse_n(buf, n), EB_HTTP_PARSE_DONE);
    n = with_line(buf, sizeof buf, 4097);
    CHECK_EQ_INT(parse_n(buf, n), EB_HTTP_PARSE_ERROR);
    CHECK_EQ_INT(req.status, 414);
    CHECK_EQ_INT(parse_n(buf, 4097), EB_HTTP_PARSE_ERROR); /* known before the line ends */
    CHECK_EQ_INT(req.status, 414);
    CHECK_EQ_INT(parse_n(buf, 4096), EB_HTTP_PARSE_INCOMPLETE);
    n = with_head(buf, sizeof buf, 8192);
    CHECK_EQ_INT(parse_n(buf, n), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(req.head_len, 8192);
    n = with_head(buf, sizeof buf, 8193);
    CHECK_EQ_INT(parse_n(buf, n), EB_HTTP_PARSE_ERROR);
    CHECK_EQ_INT(req.status, 431);
    check_splits(buf, n, EB_HTTP_PARSE_ERROR, 431);
    /* a client that never ends its head: 431 once it cannot fit in 8 KiB, without waiting for a line end */
    memset(buf, 'p', sizeof buf);
    memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
    CHECK_EQ_INT(parse_n(buf, 8000), EB_HTTP_PARSE_INCOMPLETE);
    CHECK_EQ_INT(parse_n(buf, 8193), EB_HTTP_PARSE_ERROR);
    CHECK_EQ_INT(req.status, 431);
    /* header count: 64 fields pass, 65 are 431 */
    for (int count = 64; count <= 65; count++) {
        size_t len = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < count; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "X-%d: v\r\n", i);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n");
        int r = parse_n(buf, len);
        CHECK_EQ_INT(r, count == 64 ? EB_HTTP_PARSE_DONE : EB_HTTP_PARSE_ERROR);
        if (count == 65) {
            CHECK_EQ_INT(req.status, 431);
            CHECK(strstr(req.reason, "too many header fields") != NULL);
        }
    }
    /* limits below the table are honoured */
    eb_http_limits_t save = lim;
    lim.max_headers = 1;
    CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\r\n"), EB_HTTP_PARSE_ERROR);
    CHECK_EQ_INT(req.status, 431);
    lim = save;
    lim.max_body = 3;
    CHECK_EQ_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd"), EB_HTTP_PARSE_ERROR);
    CHECK_EQ_INT(req.status, 413);
    lim = save;
}

/* Byte noise: never a crash, never a slice outside the buffer, status only from the documented set. */
TEST(noise_stays_inside)
{
    static char buf[512];
    unsigned x = 12345;
    for (int it = 0; it < 20000; it++) {
        size_t n = 0;
        const char *seed = it % 2 ? "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab" : "POST /x HTTP/1.0\r\n\r\n";
        n = strlen(seed);
        memcpy(buf, seed, n);
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            buf[(x >> 8) % n] = (char)(x >> 20);
        }
        int r = parse_n(buf, n);
        if (r == EB_HTTP_PARSE_ERROR) {
            int s = req.status;
            if (!(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505) || !req.reason) {
                CHECK_MSG(0, "noise %d: status %d", it, s);
                return;
            }
        } else if (r == EB_HTTP_PARSE_DONE) {
            for (size_t i = 0; i < req.nheaders; i++)
                if (req.values[i].p < buf || req.values[i].p + req.values[i].n > buf + n) {
                    CHECK_MSG(0, "noise %d: a value outside the buffer", it);
                    return;
                }
            if (req.total_len > n) {
                CHECK_MSG(0, "noise %d: total %zu > %zu", it, req.total_len, n);
                return;
            }
        }
    }
    eb_check_passed++;
}

TEST(method_names)
{
    CHECK_EQ_STR(eb_http_method_name(EB_HTTP_GET), "GET");
    CHECK_EQ_STR(eb_http_method_name(EB_HTTP_PATCH), "PATCH");
    CHECK_EQ_STR(eb_http_method_name(EB_HTTP_OTHER), "OTHER");
    CHECK_EQ_STR(eb_http_method_name((eb_http_method_t)99), "OTHER");
}

int main(void)
{
    lim = eb_http_default_limits();
    RUN(simple_get);
    RUN(keep_alive_rules);
    RUN(body_and_pipelining);
    RUN(bad_inputs);
    RUN(limits_at_the_edge);
    RUN(noise_stays_inside);
    RUN(method_names);
    return eb_check_report();
}
