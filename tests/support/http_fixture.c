/* The forked test server: the child reserves its connection table once and runs the loop until it is
 * killed; the port comes back through a pipe. */
#include "tests/support/http_fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/http/http_metrics.h"

static eb_http_server_t hf_srv;
static int hf_halts;

int64_t hf_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int h_metrics(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    eb_metrics_text_t w;
    eb_mt_init(&w, r->body, r->cap);
    eb_http_write_metrics(&w, &hf_srv);
    static const double bounds[] = {0.001, 0.01, 0.1, 1};
    static const uint64_t counts[] = {3, 2, 1, 0, 1};
    eb_mt_family(&w, "edgebox_test_latency_seconds", EB_METRIC_HISTOGRAM, "A histogram, to check its form.");
    eb_mt_histogram(&w, bounds, counts, 4, 2.5, NULL);
    if (eb_mt_finish(&w) != 0)
        return -1;
    r->len = w.len;
    r->content_type = EB_METRICS_CONTENT_TYPE;
    return 0;
}

static int h_status(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    eb_http_resp_printf(r, "{\"halts\":%d}\n", hf_halts);
    return 0;
}

static int h_halt(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    hf_halts++;
    eb_http_resp_printf(r, "{\"halted\":true,\"halts\":%d}\n", hf_halts);
    return 0;
}

static int h_echo(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx;
    r->content_type = "text/plain; charset=utf-8";
    eb_http_resp_write(r, body, (size_t)req->content_length);
    return 0;
}

static int h_big(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    r->content_type = "text/plain; charset=utf-8";
    r->len = 60000;
    memset(r->body, 'x', r->len);
    return 0;
}

/* POST /stream: the body streamed (eb_http_server_stream), counted and summed as it arrives; the answer
 * says what came, and how many earlier streams were abandoned. */
static uint64_t hf_stream_bytes, hf_stream_sum;
static int hf_stream_aborts;

static int s_stream(void *ctx, const eb_http_req_t *req, const char *chunk, size_t n, uint64_t off, const char **why)
{
    (void)ctx, (void)req, (void)why;
    if (!chunk) {
        hf_stream_aborts++;
        return 0;
    }
    if (off == 0)
        hf_stream_bytes = hf_stream_sum = 0;
    for (size_t i = 0; i < n; i++)
        hf_stream_sum += (unsigned char)chunk[i];
    hf_stream_bytes += n;
    return 0;
}

static int h_stream(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)body;
    eb_http_resp_printf(r, "{\"bytes\":%llu,\"sum\":%llu,\"aborts\":%d}\n",
                        (unsigned long long)(req->content_length ? hf_stream_bytes : 0),
                        (unsigned long long)(req->content_length ? hf_stream_sum : 0), hf_stream_aborts);
    return 0;
}

const eb_http_route_t hf_routes[] = {
    {"/stream", EB_HTTP_M(POST), 0, 1 << 20, h_stream, NULL},
    {"/big", EB_HTTP_M(GET), 0, 0, h_big, NULL},
    {"/metrics", EB_HTTP_M(GET), 0, 0, h_metrics, NULL},
    {"/api/v1/status", EB_HTTP_M(GET), 0, 0, h_status, NULL},
    {"/api/v1/halt", EB_HTTP_M(POST), 1, 1024, h_halt, NULL},
    {"/echo", EB_HTTP_M(POST) | EB_HTTP_M(PUT), 0, 1024, h_echo, NULL},
};
const size_t hf_nroutes = sizeof hf_routes / sizeof hf_routes[0];

pid_t hf_start(const eb_http_config_t *cfg, const char *token, int *port)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        static eb_loop_t loop;
        eb_loop_init(&loop, hf_mono_ms);
        char err[256];
        eb_http_conn_t *conns = calloc((size_t)cfg->max_conns, sizeof *conns);
        if (!conns ||
            eb_http_server_start(&hf_srv, cfg, conns, &loop, hf_routes, hf_nroutes, err, sizeof err) != 0) {
            fprintf(stderr, "http fixture: %s\n", conns ? err : "no memory");
            _exit(1);
        }
        if ((token && eb_http_server_set_token(&hf_srv, token, strlen(token)) != 0) ||
            eb_http_server_stream(&hf_srv, "/stream", s_stream) != 0)
            _exit(1);
        int pt = eb_http_server_port(&hf_srv);
        if (write(p[1], &pt, sizeof pt) != (ssize_t)sizeof pt)
            _exit(1);
        close(p[1]);
        for (;;)
            eb_loop_run_once(&loop, 100);
    }
    close(p[1]);
    if (child < 0 || read(p[0], port, sizeof *port) != (ssize_t)sizeof *port) {
        close(p[0]);
        if (child > 0)
            hf_stop(child);
        return -1;
    }
    close(p[0]);
    return child;
}

void hf_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}
