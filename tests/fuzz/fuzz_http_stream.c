/* libFuzzer: a streamed upload route (eb_http_server_stream, like POST /api/v1/model) and one buffered
 * route on one server connection, fed what a client sends, split into reads at points the input picks.
 * Input: byte 0 = k (k % 8 split bytes follow), each split byte a read size, then the client's bytes (the
 * last read takes the rest). After every read: the stream never gets bytes beyond the declared length or
 * out of order, never gets body bytes of a request that fails the head checks (token, size, method), a
 * buffered handler gets exactly its Content-Length, nothing leaves the output buffer. At the end (the
 * client hangs up) every stream that took a chunk and did not complete was abandoned exactly once.
 * http_server.c is compiled into this file, not linked, to reach its static read callback (on_conn) and
 * drive a socketpair without a listener or a loop.
 * FUZZ_SOURCES: firmware/app/http/http_conn.c firmware/app/http/http_parse.c firmware/app/http/http_auth.c firmware/app/http/http_cors.c firmware/app/http/text_append.c firmware/app/loop.c firmware/app/http/http_tls.c firmware/common/errf.c firmware/common/file_read.c firmware/common/file_write.c firmware/common/file_out.c
 * FUZZ_LIBS: -lmbedtls -lmbedx509 -lmbedcrypto */
#include "app/http/http_server.c"

#include <stdlib.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN "fuzz-token"
#define STREAM_MAX 100000 /* over the connection's buffer: the body has to be streamed */
#define ECHO_MAX 64

static struct {
    int started, abandoned, refused; /* of the current streamed request (reset once it completes) */
    uint64_t got;                    /* bytes it took */
    uint64_t declared;
} g;

static int64_t fake_clock(void) { return 1000; }

/* The head checks the server must have passed before a body byte reaches a route, redone here. */
static void check_head(const eb_http_req_t *req, uint64_t max_body, int auth)
{
    if (req->content_length > max_body || req->head_len == 0)
        abort();
    if (auth) {
        /* "Bearer" in any case, spaces, the token exactly (RFC 9110 11.1: the scheme is case-insensitive) */
        const eb_http_slice_t *a = eb_http_header(req, "authorization");
        if (!a || a->n < 7 || strncasecmp(a->p, "bearer ", 7) != 0)
            abort();
        size_t at = 7;
        while (at < a->n && a->p[at] == ' ')
            at++;
        if (a->n - at != strlen(TOKEN) || memcmp(a->p + at, TOKEN, a->n - at) != 0)
            abort();
    }
}

static int upload_chunk(void *ctx, const eb_http_req_t *req, const char *chunk, size_t n, uint64_t off,
                        const char **why)
{
    (void)ctx;
    if (!chunk) { /* abandoned: only a started, unfinished, unrefused stream, and only once */
        if (n != 0 || !g.started || g.refused || g.abandoned || off != g.got)
            abort();
        g.abandoned++;
        return 0;
    }
    if (g.abandoned || g.refused)
        abort(); /* a chunk after the end */
    check_head(req, STREAM_MAX, 1);
    if (!g.started) {
        g.started = 1;
        g.got = 0;
        g.declared = req->content_length;
    }
    if (n == 0 || off != g.got || req->content_length != g.declared || g.got + n > g.declared)
        abort();
    g.got += n;
    if (memchr(chunk, '!', n)) { /* the stream refuses this body (a bad blob, say): it cleans up itself */
        g.refused = 1;
        *why = "refused by the fuzz stream";
        return 409;
    }
    return 0;
}

static int upload_done(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx;
    check_head(req, STREAM_MAX, 1);
    if (body || g.abandoned || g.refused || g.got != req->content_length)
        abort();
    eb_http_resp_printf(r, "{\"bytes\":%llu}", (unsigned long long)g.got);
    memset(&g, 0, sizeof g); /* a pipelined upload may follow */
    return 0;
}

static eb_http_conn_t *g_conn;

static int echo(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx;
    check_head(req, ECHO_MAX, 0);
    /* the body lies inside the connection's buffer, whole (ASan does not see inside one object) */
    if (!body || body < g_conn->in || body + req->content_length > g_conn->in + g_conn->in_len)
        abort();
    eb_http_resp_write(r, body, (size_t)req->content_length);
    return 0;
}

static const eb_http_route_t k_routes[] = {
    {"/api/v1/model", EB_HTTP_M(POST), 1, STREAM_MAX, upload_done, NULL},
    {"/api/v1/echo", EB_HTTP_M(POST) | EB_HTTP_M(GET), 0, ECHO_MAX, echo, NULL},
};

static void check_conn(const eb_http_conn_t *c)
{
    if (c->state == EB_HTTP_CONN_FREE)
        return;
    if (c->in_len > sizeof c->in || c->out_off > c->out_len || c->out_len > sizeof c->out)
        abort();
}

/* Reads what the server wrote (the client's side), so its sends never block for long. */
static void drain(int fd)
{
    char sink[16384];
    while (read(fd, sink, sizeof sink) > 0)
        ;
}

static void step(eb_http_conn_t *c, int cfd)
{
    drain(cfd);
    if (c->state == EB_HTTP_CONN_WRITING)
        on_conn(c, c->fd, POLLOUT);
    else if (c->state != EB_HTTP_CONN_FREE)
        on_conn(c, c->fd, POLLIN);
    check_conn(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eb_loop_t loop;
    static eb_http_server_t s;
    static eb_http_conn_t conn;
    static int ready;
    if (!ready) {
        eb_loop_init(&loop, fake_clock);
        s.cfg = eb_http_default_config();
        s.cfg.max_conns = 1;
        s.loop = &loop;
        s.routes = k_routes;
        s.nroutes = sizeof k_routes / sizeof k_routes[0];
        s.conns = &conn;
        s.listen_fd = -1;
        if (eb_http_server_set_token(&s, TOKEN, strlen(TOKEN)) != 0 ||
            eb_http_server_stream(&s, "/api/v1/model", upload_chunk) != 0)
            abort();
        ready = 1;
    }
    memset(&g, 0, sizeof g);
    g_conn = &conn;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    if (eb_loop_add_fd(&loop, sv[0], POLLIN, EB_LOOP_PRIO_NORMAL, on_conn, &conn) != 0)
        abort();
    eb_http_conn_open(&conn, sv[0], htonl(0x7f000001), fake_clock());
    conn.owner = &s;
    s.stats.open++;

    size_t nsplit = size ? data[0] % 8 : 0;
    size_t pos = 1 + nsplit;
    if (pos > size)
        pos = nsplit = size; /* too short for its split bytes: no client bytes */
    for (size_t i = 0; i <= nsplit && pos < size && conn.state != EB_HTTP_CONN_FREE; i++) {
        size_t want = size - pos;
        if (i < nsplit) { /* a read of 1..4096 bytes: small ones cut the head, big ones carry bodies */
            uint8_t b = data[1 + i];
            size_t len = ((size_t)(b & 31) + 1) << (b >> 5);
            if (len < want)
                want = len;
        }
        /* the socket takes what fits; the server reads it; a bounded number of rounds */
        for (int round = 0; want > 0 && round < 64 && conn.state != EB_HTTP_CONN_FREE; round++) {
            ssize_t n = write(sv[1], data + pos, want);
            if (n < 0 && errno != EAGAIN)
                abort();
            if (n > 0) {
                pos += (size_t)n;
                want -= (size_t)n;
            }
            step(&conn, sv[1]);
        }
        if (want > 0)
            break; /* the server stopped reading (a lingering close keeps reading; a full buffer cannot) */
    }
    step(&conn, sv[1]);
    /* the client hangs up: the server sees end of file and closes, abandoning a stream in progress */
    if (close(sv[1]) != 0)
        abort();
    if (conn.state == EB_HTTP_CONN_WRITING)
        on_conn(&conn, conn.fd, POLLOUT); /* the write fails: closed */
    if (conn.state != EB_HTTP_CONN_FREE)
        on_conn(&conn, conn.fd, POLLIN);
    if (conn.state != EB_HTTP_CONN_FREE)
        conn_close(&s, &conn);
    if (g.started && !g.refused && g.abandoned != 1)
        abort();
    if (loop.nfds != 0)
        abort(); /* the connection left the loop */
    return 0;
}
