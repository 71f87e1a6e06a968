/* The HTTP server against real clients: curl (the CLI) for the ordinary requests, raw sockets for what
 * curl will not do (pipelining, half a request then silence, bad bytes, many connections). The server
 * runs in a forked child on its own eb_loop, with short timeouts so the test stays fast; the defaults
 * (10 s, 5 s, 64/8, 100) are checked as values. When promtool is installed, /metrics must pass
 * `promtool check metrics` with nothing reported. */
#include "app/http/http_server.h"
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/http_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define mono_ms hf_mono_ms

static eb_http_config_t test_config(void)
{
    eb_http_config_t c = eb_http_default_config();
    c.port = 0;
    c.request_timeout_ms = 1000;
    c.idle_timeout_ms = 600;
    c.write_timeout_ms = 1000;
    c.linger_ms = 300;
    c.sweep_ms = 50;
    c.max_conns = 6;
    c.max_per_client = 4;
    c.max_requests = 5;
    c.sndbuf_bytes = 8192; /* so a reader that does not read stalls the write quickly */
    return c;
}

static pid_t child;
static int port;

/* --- raw clients -------------------------------------------------------------------------------- */
static int cli_connect(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (src) {
        inet_pton(AF_INET, src, &a.sin_addr);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            close(fd);
            return -1;
        }
    }
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int cli_send(int fd, const char *s, size_t n)
{
    return send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Reads until `want` responses (head + Content-Length body) are in, EOF, or timeout. Returns the bytes
 * (NUL-terminated), -1 on timeout. *eof is set when the peer closed. */
static int read_responses(int fd, char *buf, size_t cap, int want, int timeout_ms, int *eof)
{
    size_t len = 0;
    int64_t end = mono_ms() + timeout_ms;
    *eof = 0;
    for (;;) {
        buf[len] = '\0';
        int got = 0;
        const char *p = buf;
        while (got < want) {
            const char *h = strstr(p, "\r\n\r\n");
            if (!h)
                break;
            const char *cl = strstr(p, "Content-Length: ");
            size_t body = cl && cl < h ? (size_t)atol(cl + 16) : 0;
            if (strncmp(p, "HTTP/1.1 100", 12) == 0)
                body = 0;
            else if ((size_t)(buf + len - (h + 4)) < body)
                break;
            else
                got++;
            p = h + 4 + body;
        }
        if (got >= want)
            return (int)len;
        int64_t left = end - mono_ms();
        if (left <= 0)
            return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0) {
            *eof = 1;
            buf[len] = '\0';
            return (int)len;
        }
        len += (size_t)n;
    }
}

/* ms until the peer closes (EOF or reset), -1 if it did not within timeout_ms. */
static int wait_eof(int fd, int timeout_ms)
{
    int64_t t0 = mono_ms();
    char sink[512];
    for (;;) {
        int64_t left = t0 + timeout_ms - mono_ms();
        if (left <= 0)
            return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        ssize_t n = read(fd, sink, sizeof sink);
        if (n <= 0)
            return (int)(mono_ms() - t0);
    }
}

/* One request on a fresh connection; the whole answer until the server closes or timeout. */
static int one_shot(const char *req, size_t n, char *out, size_t cap)
{
    int fd = cli_connect(NULL);
    if (fd < 0)
        return -1;
    int eof = 0;
    int r = cli_send(fd, req, n) == 0 ? read_responses(fd, out, cap, 1, 2000, &eof) : -1;
    close(fd);
    return r;
}

/* --- curl --------------------------------------------------------------------------------------- */
static char tmp[256];

/* curl's path (dp_spawn does not search PATH), or NULL. */
static char curl_path[256];
static int have_curl(void)
{
    if (!curl_path[0]) {
        FILE *p = popen("command -v curl", "r");
        if (!p)
            return 0;
        if (!fgets(curl_path, sizeof curl_path, p))
            curl_path[0] = '\0';
        pclose(p);
        curl_path[strcspn(curl_path, "\n")] = '\0';
    }
    return curl_path[0] == '/';
}

/* curl ARGS...: returns "<code> <content type>" in out (from -w), body in tmp/body, head in tmp/head. */
static int curl(char *out, size_t cap, const char *const *args)
{
    char url_body[300], url_head[300], log[300];
    snprintf(url_body, sizeof url_body, "%s/body", tmp);
    snprintf(url_head, sizeof url_head, "%s/head", tmp);
    snprintf(log, sizeof log, "%s/curl.out", tmp);
    unlink(log);
    const char *argv[32] = {curl_path, "-sS", "--max-time", "5", "-o", url_body, "-D", url_head, "-w",
                            "%{http_code} %{content_type}"};
    int n = 10;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int rc = dp_run(argv, NULL, log, 10000);
    char *text = dp_read_file(log, NULL);
    snprintf(out, cap, "%s", text ? text : "");
    free(text);
    return rc;
}

static char *body_file(void)
{
    char p[300];
    snprintf(p, sizeof p, "%s/body", tmp);
    return dp_read_file(p, NULL);
}

static int head_has(const char *needle)
{
    char p[300];
    snprintf(p, sizeof p, "%s/head", tmp);
    return dp_file_contains(p, needle);
}

static char url[128];
static const char *u(const char *path)
{
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    return url;
}



TEST(curl_metrics_status_head)
{
    if (!have_curl()) {
        CHECK_SKIP("curl not installed");
        return;
    }
    char out[256];
    CHECK_EQ_INT(curl(out, sizeof out, (const char *const[]){u("/metrics"), NULL}), 0);
    CHECK_EQ_STR(out, "200 text/plain; version=0.0.4; charset=utf-8");
    char *b = body_file();
    CHECK(b && strstr(b, "# TYPE edgebox_http_requests_total counter\n"));
    CHECK(b && strstr(b, "edgebox_test_latency_seconds_bucket{le=\"+Inf\"} 7\n"));
    free(b);
    CHECK_EQ_INT(curl(out, sizeof out, (const char *const[]){u("/api/v1/status"), NULL}), 0);
    CHECK_EQ_STR(out, "200 application/json");
    CHECK(head_has("Cache-Control: no-store"));
    /* HEAD: the GET's length, no body */
    CHECK_EQ_INT(curl(out, sizeof out, (const char *const[]){"-I", u("/api/v1/status"), NULL}), 0);
    CHECK(strncmp(out, "200", 3) == 0);
    CHECK(head_has("Content-Length: 12")); /* {"halts":0}\n */
    /* two URLs in one curl: the connection is kept and re-used */
    char log[300];
    snprintf(log, sizeof log, "%s/v.log", tmp);
    const char *argv[] = {curl_path, "-sv", "-o", "/dev/null", "-o", "/dev/null", u("/api/v1/status"), url, NULL};
    CHECK_EQ_INT(dp_run(argv, NULL, log, 10000), 0);
    CHECK(dp_file_contains(log, "Re-using existing connection"));
}

TEST(curl_errors_and_auth)
{
    if (!have_curl()) {
        CHECK_SKIP("curl not installed");
        return;
    }
    char out[256];
    curl(out, sizeof out, (const char *const[]){u("/nope"), NULL});
    CHECK(strncmp(out, "404 ", 4) == 0);
    curl(out, sizeof out, (const char *const[]){"-X", "DELETE", u("/metrics"), NULL});
    CHECK(strncmp(out, "405 ", 4) == 0);
    CHECK(head_has("Allow: GET, HEAD"));
    /* control without, with a wrong, with a prefix of, and with the right token */
    curl(out, sizeof out, (const char *const[]){"-X", "POST", u("/api/v1/halt"), NULL});
    CHECK(strncmp(out, "401 ", 4) == 0);
    CHECK(head_has("WWW-Authenticate: Bearer"));
    curl(out, sizeof out, (const char *const[]){"-X", "POST", "-H", "Authorization: Bearer wrong", u("/api/v1/halt"), NULL});
    CHECK(strncmp(out, "401 ", 4) == 0);
    curl(out, sizeof out, (const char *const[]){"-X", "POST", "-H", "Authorization: Bearer s3cret", u("/api/v1/halt"), NULL});
    CHECK(strncmp(out, "401 ", 4) == 0);
    curl(out, sizeof out, (const char *const[]){"-X", "POST", "-H", "Authorization: Basic czNjcmV0LXRva2Vu", u("/api/v1/halt"), NULL});
    CHECK(strncmp(out, "401 ", 4) == 0);
    curl(out, sizeof out, (const char *const[]){u("/api/v1/status"), NULL});
    char *b = body_file();
    CHECK(b && strcmp(b, "{\"halts\":0}\n") == 0); /* nothing changed */
    free(b);
    curl(out, sizeof out, (const char *const[]){"-X", "POST", "-H", "Authorization: bearer s3cret-token", u("/api/v1/halt"), NULL});
    CHECK_EQ_STR(out, "200 application/json");
    b = body_file();
    CHECK(b && strstr(b, "\"halts\":1"));
    free(b);
    /* body limits: 1024 passes (echoed), 1025 is 413; Expect: 100-continue is answered */
    char data[1100];
    memset(data, 'x', sizeof data);
    char path[300];
    snprintf(path, sizeof path, "%s/data", tmp);
    data[1024] = '\0';
    dp_write_file(path, data);
    char at[310];
    snprintf(at, sizeof at, "@%s", path);
    curl(out, sizeof out, (const char *const[]){"--data-binary", at, "-H", "Expect: 100-continue", u("/echo"), NULL});
    CHECK(strncmp(out, "200 ", 4) == 0);
    b = body_file();
    CHECK(b && strlen(b) == 1024);
    free(b);
    data[1025] = '\0';
    data[1024] = 'y';
    dp_write_file(path, data);
    curl(out, sizeof out, (const char *const[]){"--data-binary", at, u("/echo"), NULL});
    CHECK(strncmp(out, "413 ", 4) == 0);
    CHECK(head_has("Connection: close"));
    b = body_file();
    CHECK(b && strstr(b, "over this endpoint's limit"));
    free(b);
}

TEST(pipelining_in_order_and_connection_close)
{
    int fd = cli_connect(NULL);
    CHECK(fd >= 0);
    const char *three = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\none"
                        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\ntwo"
                        "GET /api/v1/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    CHECK_EQ_INT(cli_send(fd, three, strlen(three)), 0);
    static char buf[8192];
    int eof = 0;
    int n = read_responses(fd, buf, sizeof buf, 3, 3000, &eof);
    CHECK(n > 0);
    const char *a = strstr(buf, "\r\n\r\none"), *b = strstr(buf, "\r\n\r\ntwo"), *c = strstr(buf, "{\"halts\"");
    CHECK(a && b && c && a < b && b < c);
    CHECK(c && strstr(buf, "Connection: close\r\n") && strstr(buf, "Connection: close\r\n") < c);
    CHECK(wait_eof(fd, 2000) >= 0); /* and it closes */
    close(fd);
    /* HTTP/1.0 without keep-alive: closed after the answer, which says so */
    n = one_shot("GET /api/v1/status HTTP/1.0\r\n\r\n", 31, buf, sizeof buf);
    CHECK(n > 0 && strstr(buf, "HTTP/1.1 200 OK\r\n") == buf && strstr(buf, "Connection: close\r\n"));
}

/* A body larger than the connection's buffer, streamed: every byte reaches the stream in order (the sum
 * of a pattern), the request pipelined behind it is answered after it, one over the route's limit is 413
 * from the head, and one cut off half-way is reported to the stream as abandoned. */
TEST(streamed_body)
{
    enum { N = 200000 };
    static char req[N + 1024], buf[8192];
    int h = snprintf(req, sizeof req, "POST /stream HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", N);
    unsigned long long sum = 0;
    for (int i = 0; i < N; i++) {
        req[h + i] = (char)((i * 7) & 0xff);
        sum += (unsigned)((i * 7) & 0xff);
    }
    const char *next = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    memcpy(req + h + N, next, strlen(next));
    int fd = cli_connect(NULL);
    CHECK(fd >= 0);
    CHECK_EQ_INT(cli_send(fd, req, (size_t)h + N + strlen(next)), 0);
    int eof = 0;
    CHECK(read_responses(fd, buf, sizeof buf, 2, 5000, &eof) > 0);
    char want[96];
    snprintf(want, sizeof want, "{\"bytes\":%d,\"sum\":%llu,\"aborts\":0}", N, sum);
    const char *a = strstr(buf, want), *b = strstr(buf, "{\"halts\"");
    CHECK_MSG(a && b && a < b, "streamed answer then the pipelined one: %.400s", buf);
    close(fd);
    const char *over = "POST /stream HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n";
    int n = one_shot(over, strlen(over), buf, sizeof buf);
    CHECK_MSG(n > 0 && strstr(buf, "HTTP/1.1 413 ") == buf, "over the limit: %.200s", buf);
    fd = cli_connect(NULL);
    CHECK(fd >= 0 && cli_send(fd, req, (size_t)h + N / 2) == 0);
    close(fd);
    usleep(200000);
    fd = cli_connect(NULL);
    CHECK(fd >= 0 && cli_send(fd, req, (size_t)h + N) == 0);
    CHECK(read_responses(fd, buf, sizeof buf, 1, 5000, &eof) > 0);
    CHECK_MSG(strstr(buf, "\"aborts\":1}") != NULL, "after a cut-off stream: %.300s", buf);
    close(fd);
}

TEST(max_requests_per_connection)
{
    int fd = cli_connect(NULL);
    static char buf[8192];
    int eof = 0;
    for (int i = 1; i <= 5; i++) {
        const char *req = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\n\r\n";
        CHECK_EQ_INT(cli_send(fd, req, strlen(req)), 0);
        int n = read_responses(fd, buf, sizeof buf, 1, 2000, &eof);
        CHECK(n > 0 && strstr(buf, "200 OK"));
        CHECK_MSG((strstr(buf, "Connection: close") != NULL) == (i == 5), "request %d: close %s", i,
                  strstr(buf, "Connection: close") ? "sent" : "not sent");
    }
    CHECK(wait_eof(fd, 2000) >= 0);
    close(fd);
}

struct bad { const char *req; const char *want; };

TEST(bad_requests_get_clear_answers)
{
    static char big[10000];
    memcpy(big, "GET / HTTP/1.1\r\nHost: a\r\nX: ", 28);
    memset(big + 28, 'p', 9000);
    memcpy(big + 9028, "\r\n\r\n", 5);
    static char longline[5000];
    memcpy(longline, "GET /", 5);
    memset(longline + 5, 'a', 4200);
    memcpy(longline + 4205, " HTTP/1.1\r\nHost: a\r\n\r\n", 23);
    const struct bad cases[] = {
        {"GET / HTTP/1.1\nHost: a\n\n", "HTTP/1.1 400 Bad Request\r\n"},
        {"GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", "folding"},
        {"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "more than one Content-Length"},
        {"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/1.1 505 "},
        {big, "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
        {longline, "HTTP/1.1 414 URI Too Long\r\n"},
        {"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", "HTTP/1.1 413 "},
        {"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 501 "},
    };
    static char buf[8192];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = one_shot(cases[i].req, strlen(cases[i].req), buf, sizeof buf);
        CHECK_MSG(n > 0 && strstr(buf, cases[i].want) && strstr(buf, "Connection: close\r\n"),
                  "case %zu: want \"%s\", got \"%.120s\"", i, cases[i].want, n > 0 ? buf : "(nothing)");
    }
    /* NUL inside the head */
    static const char nul[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
    int n = one_shot(nul, sizeof nul - 1, buf, sizeof buf);
    CHECK(n > 0 && strstr(buf, "400 Bad Request: NUL byte"));
}

TEST(slowloris_is_cut_and_others_are_served)
{
    int slow = cli_connect(NULL);
    const char *half = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\n";
    CHECK_EQ_INT(cli_send(slow, half, strlen(half)), 0);
    /* while it waits, another client is served at once */
    static char buf[4096];
    int64_t t0 = mono_ms();
    int n = one_shot("GET /api/v1/status HTTP/1.0\r\n\r\n", 31, buf, sizeof buf);
    int64_t served_ms = mono_ms() - t0;
    CHECK(n > 0 && strstr(buf, "200 OK"));
    CHECK_MSG(served_ms < 200, "served in %lld ms", (long long)served_ms);
    /* the slow one: 408 after the 1 s request timeout (the test's; 10 s by default), then closed */
    int eof = 0;
    t0 = mono_ms();
    n = read_responses(slow, buf, sizeof buf, 1, 3000, &eof);
    int64_t cut_ms = mono_ms() - t0;
    CHECK(n > 0 && strstr(buf, "HTTP/1.1 408 Request Timeout\r\n") && strstr(buf, "Connection: close"));
    CHECK_MSG(cut_ms >= 800 && cut_ms < 1500, "cut after %lld ms", (long long)cut_ms);
    CHECK(wait_eof(slow, 1000) >= 0);
    close(slow);
    /* a byte every 200 ms does not extend the deadline: it counts from the first byte */
    slow = cli_connect(NULL);
    t0 = mono_ms();
    int closed = 0;
    for (int i = 0; i < 15 && !closed; i++) {
        if (cli_send(slow, "G", 1) != 0)
            closed = 1;
        struct pollfd pf = {slow, POLLIN, 0};
        if (poll(&pf, 1, 200) > 0)
            closed = 1;
    }
    cut_ms = mono_ms() - t0;
    CHECK_MSG(closed && cut_ms < 1600, "trickle cut after %lld ms (closed %d)", (long long)cut_ms, closed);
    close(slow);
}

/* A client that asks and never reads: the answers fill its window, the write stalls, and after the write
 * timeout (1 s here, 10 s by default) the server closes it; others are served meanwhile. */
TEST(slow_reader_is_closed)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    static char many[200 * 40];
    size_t n = 0;
    for (int i = 0; i < 4; i++) /* under max_requests; 240 KB of answers, far over the small window */
        n += (size_t)snprintf(many + n, sizeof many - n, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK_EQ_INT(cli_send(fd, many, n), 0);
    static char buf[4096];
    int64_t t0 = mono_ms();
    int got = one_shot("GET /api/v1/status HTTP/1.0\r\n\r\n", 31, buf, sizeof buf);
    CHECK(got > 0 && strstr(buf, "200 OK") && mono_ms() - t0 < 200);
    /* after the timeout the server has given up: reading now drains what was sent, then EOF or reset */
    dp_sleep_ms(1600);
    int ms = wait_eof(fd, 2000);
    CHECK_MSG(ms >= 0, "the stalled connection was not closed");
    close(fd);
    got = one_shot("GET /metrics HTTP/1.0\r\n\r\n", 25, buf, sizeof buf);
    CHECK_MSG(got > 0 && strstr(buf, "edgebox_http_write_timeouts_total 1\n"), "metrics: %s", got > 0 ? buf : "");
}

TEST(expect_continue_and_http10_keep_alive)
{
    int fd = cli_connect(NULL);
    static char buf[4096];
    int eof = 0;
    const char *head = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
    CHECK_EQ_INT(cli_send(fd, head, strlen(head)), 0);
    struct pollfd pf = {fd, POLLIN, 0};
    CHECK(poll(&pf, 1, 1000) == 1);
    ssize_t k = read(fd, buf, sizeof buf - 1);
    buf[k > 0 ? k : 0] = '\0';
    CHECK_EQ_STR(buf, "HTTP/1.1 100 Continue\r\n\r\n");
    CHECK_EQ_INT(cli_send(fd, "ping", 4), 0);
    CHECK(read_responses(fd, buf, sizeof buf, 1, 2000, &eof) > 0 && strstr(buf, "\r\n\r\nping"));
    close(fd);
    /* HTTP/1.0 asking for keep-alive gets it, said in the answer, and the connection stays */
    fd = cli_connect(NULL);
    const char *req = "GET /api/v1/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(cli_send(fd, req, strlen(req)), 0);
        CHECK(read_responses(fd, buf, sizeof buf, 1, 2000, &eof) > 0 && !eof);
        CHECK(strstr(buf, "Connection: keep-alive\r\n") != NULL);
    }
    close(fd);
}

TEST(idle_keep_alive_is_closed)
{
    int fd = cli_connect(NULL);
    const char *req = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\n\r\n";
    static char buf[4096];
    int eof = 0;
    CHECK_EQ_INT(cli_send(fd, req, strlen(req)), 0);
    CHECK(read_responses(fd, buf, sizeof buf, 1, 2000, &eof) > 0 && !eof);
    int ms = wait_eof(fd, 2000);
    CHECK_MSG(ms >= 450 && ms < 1000, "idle close after %d ms (idle timeout 600)", ms);
    close(fd);
}

TEST(connection_limits_answer_503)
{
    int fds[8], nf = 0;
    static char buf[4096];
    int eof = 0;
    const char *req = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\n\r\n";
    /* 4 from 127.0.0.1 (the per-client limit), each served once so it is surely accepted */
    for (int i = 0; i < 4; i++) {
        fds[nf] = cli_connect("127.0.0.1");
        CHECK(fds[nf] >= 0 && cli_send(fds[nf], req, strlen(req)) == 0);
        CHECK(read_responses(fds[nf], buf, sizeof buf, 1, 2000, &eof) > 0);
        nf++;
    }
    int extra = cli_connect("127.0.0.1");
    int n = read_responses(extra, buf, sizeof buf, 1, 2000, &eof);
    CHECK(n > 0 && strstr(buf, "HTTP/1.1 503 Service Unavailable\r\n") && strstr(buf, "from this address"));
    CHECK(wait_eof(extra, 1000) >= 0);
    close(extra);
    /* 2 more from 127.0.0.2 reach the total of 6; a 7th from 127.0.0.3 is refused */
    for (int i = 0; i < 2; i++) {
        fds[nf] = cli_connect("127.0.0.2");
        CHECK(fds[nf] >= 0 && cli_send(fds[nf], req, strlen(req)) == 0);
        CHECK(read_responses(fds[nf], buf, sizeof buf, 1, 2000, &eof) > 0 && strstr(buf, "200 OK"));
        nf++;
    }
    extra = cli_connect("127.0.0.3");
    n = read_responses(extra, buf, sizeof buf, 1, 2000, &eof);
    CHECK(n > 0 && strstr(buf, "503 Service Unavailable: too many connections\n"));
    close(extra);
    /* a connection closed after its 5th request lingers (the test keeps its end open), yet the client
     * may reconnect at once: a lingering close does not count against the per-address limit */
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(cli_send(fds[0], req, strlen(req)), 0);
        CHECK(read_responses(fds[0], buf, sizeof buf, 1, 2000, &eof) > 0);
    }
    CHECK(strstr(buf, "Connection: close") != NULL);
    extra = cli_connect("127.0.0.1");
    CHECK(extra >= 0 && cli_send(extra, req, strlen(req)) == 0);
    n = read_responses(extra, buf, sizeof buf, 1, 2000, &eof);
    CHECK_MSG(n > 0 && strstr(buf, "200 OK"), "reconnect after close: %.60s", n > 0 ? buf : "(nothing)");
    close(extra);
    for (int i = 0; i < nf; i++)
        close(fds[i]);
    /* once they are gone, a new client is served again */
    usleep(200 * 1000);
    n = one_shot("GET /api/v1/status HTTP/1.0\r\n\r\n", 31, buf, sizeof buf);
    CHECK(n > 0 && strstr(buf, "200 OK"));
}

/* Six answers with Connection: close whose clients keep their ends open fill the table with lingering
 * closes (300 ms here); a new client is served at once, taking the oldest one's slot. */
TEST(lingering_closes_give_their_slots_up)
{
    const char *srcs[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
    const char *req = "GET /api/v1/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    static char buf[4096];
    int fds[6], eof = 0;
    for (int i = 0; i < 6; i++) {
        fds[i] = cli_connect(srcs[i / 2]);
        CHECK(fds[i] >= 0 && cli_send(fds[i], req, strlen(req)) == 0);
        CHECK(read_responses(fds[i], buf, sizeof buf, 1, 2000, &eof) > 0 && strstr(buf, "200 OK"));
    }
    int fd = cli_connect("127.0.0.5");
    CHECK(fd >= 0 && cli_send(fd, req, strlen(req)) == 0);
    int n = read_responses(fd, buf, sizeof buf, 1, 2000, &eof);
    CHECK_MSG(n > 0 && strstr(buf, "200 OK"), "a 7th client: %.60s", n > 0 ? buf : "(nothing)");
    close(fd);
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    dp_sleep_ms(400);
}

TEST(promtool_accepts_metrics)
{
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        CHECK_SKIP("promtool not installed (Debian package prometheus)");
        return;
    }
    static char buf[65536];
    int n = one_shot("GET /metrics HTTP/1.0\r\n\r\n", 25, buf, sizeof buf);
    const char *body = n > 0 ? strstr(buf, "\r\n\r\n") : NULL;
    CHECK(body != NULL);
    if (!body)
        return;
    char path[300], log[300];
    snprintf(path, sizeof path, "%s/metrics.txt", tmp);
    snprintf(log, sizeof log, "%s/promtool.log", tmp);
    dp_write_file(path, body + 4);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s > %s 2>&1", path, log);
    CHECK_EQ_INT(system(cmd), 0);
    size_t len = 1;
    char *text = dp_read_file(log, &len);
    CHECK_MSG(text && len == 0, "promtool says: %s", text ? text : "(nothing)");
    free(text);
}

/* In-process: refusals at start name the address or the limit, and the defaults are the documented ones. */
TEST(start_refusals_and_defaults)
{
    eb_http_config_t d = eb_http_default_config();
    CHECK_EQ_STR(d.bind_addr, "127.0.0.1");
    CHECK_EQ_INT(d.request_timeout_ms, 10000);
    CHECK_EQ_INT(d.idle_timeout_ms, 5000);
    CHECK_EQ_INT(d.max_conns, 64);
    CHECK_EQ_INT(d.max_per_client, 8);
    CHECK_EQ_INT(d.max_requests, 100);
    CHECK_EQ_INT(d.limits.max_head, 8192);
    CHECK_EQ_INT(d.limits.max_line, 4096);
    static eb_loop_t loop;
    eb_loop_init(&loop, mono_ms);
    static eb_http_server_t srv;
    eb_http_conn_t *conns = calloc(64, sizeof *conns);
    CHECK(conns != NULL);
    if (!conns)
        return;
    const eb_http_route_t *routes = hf_routes;
    char err[256];
    eb_http_config_t c = d;
    c.port = 0;
    c.bind_addr = "0.0.0.0";
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "'0.0.0.0' is not loopback") && strstr(err, "allow_plain_http_lan"));
    c.bind_addr = "127.0.0.300";
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "'127.0.0.300' is not an IPv4 address"));
    c.bind_addr = "127.0.0.1";
    c.limits.max_body = 1u << 20;
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "over the") != NULL);
    c = d;
    c.port = 0;
    c.max_conns = 65;
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "max_conns") != NULL);
    c.max_conns = 64;
    c.idle_timeout_ms = 0;
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "idle_timeout_ms must be > 0") != NULL);
    c.idle_timeout_ms = 5000;
    c.sndbuf_bytes = -1;
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), -1);
    CHECK(strstr(err, "sndbuf_bytes") != NULL);
    c.sndbuf_bytes = 0;
    CHECK_EQ_INT(loop.nfds, 0); /* nothing registered by a refused start */
    c.max_conns = 64;
    CHECK_EQ_INT(eb_http_server_start(&srv, &c, conns, &loop, routes, 1, err, sizeof err), 0);
    CHECK(eb_http_server_port(&srv) > 0);
    CHECK_EQ_INT(eb_http_server_set_token(&srv, err, 200), -1);
    eb_http_server_stop(&srv);
    CHECK_EQ_INT(loop.nfds, 0);
    free(conns);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(start_refusals_and_defaults);
    if (dp_tmpdir("http", tmp, sizeof tmp) != 0) {
        fprintf(stderr, "no tmpdir\n");
        return 1;
    }
    eb_http_config_t cfg = test_config();
    child = hf_start(&cfg, "s3cret-token", &port);
    CHECK(child > 0 && port > 0);
    if (port > 0) {
        RUN(curl_metrics_status_head);
        RUN(curl_errors_and_auth);
        RUN(pipelining_in_order_and_connection_close);
        RUN(max_requests_per_connection);
        RUN(streamed_body);
        RUN(bad_requests_get_clear_answers);
        RUN(slowloris_is_cut_and_others_are_served);
        RUN(slow_reader_is_closed);
        RUN(expect_continue_and_http10_keep_alive);
        RUN(idle_keep_alive_is_closed);
        RUN(connection_limits_answer_503);
        RUN(lingering_closes_give_their_slots_up);
        RUN(promtool_accepts_metrics);
    }
    hf_stop(child);
    dp_rmtree(tmp);
    return eb_check_report();
}
