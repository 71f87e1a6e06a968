/* The HTTP/1.1 server of the operator surface (SPEC section 9, docs/api.md), on the daemon's own event
 * loop: non-blocking sockets, no threads, and no allocation at all: the caller reserves the connection
 * table (cfg.max_conns entries of eb_http_conn_t, ~88 KiB each with their buffers) once, at start-up.
 *
 * Limits (docs/api.md "Limits"): request line 4 KiB (414), head 8 KiB and 64 fields (431), body per route
 * (413; a route registered with eb_http_server_stream takes a body larger than the buffer, piece by piece), a whole request within 10 s of its first byte (408, against slowloris), keep-alive idle 5 s and
 * at most 100 requests per connection, 64 connections and 8 per client address (the next is answered 503
 * and closed). Control routes need "Authorization: Bearer <token>" (401), compared in constant time; without a
 * token configured they answer 403. OPTIONS on a route is a CORS preflight (http_cors.h). */
#ifndef EB_APP_HTTP_SERVER_H
#define EB_APP_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "app/http/http_conn.h"
#include "app/http/http_parse.h"
#include "app/http/http_tls.h"
#include "app/loop.h"

#define EB_HTTP_MAX_CONNS 64
#define EB_HTTP_TOKEN_MAX 128
#define EB_HTTP_NCODES 17 /* the statuses the server answers, and one "other" */
#define EB_HTTP_MAX_STREAMS 2 /* routes whose body is streamed */

/* Answers one request: fills r (status, content type, body). 0, or -1 for a 500. `body` holds
 * req->content_length bytes. */
typedef int (*eb_http_handler_t)(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);

/* A streamed body (eb_http_server_stream: a route whose body is larger than the connection's buffer, e.g. a model upload): once
 * the head has passed every check (method, token, size), the body is handed over piece by piece as it
 * arrives, `off` bytes already given, then the route's handler answers (with body NULL). chunk NULL and
 * n 0: the request is abandoned (the client went away, timed out, or a previous chunk was refused), the
 * stream cleans up (called only after it took a chunk). Returns 0 to go on, or an HTTP status (e.g. 409, 500, 503) to answer at once with
 * `why` (a static sentence) and close. */
typedef int (*eb_http_stream_t)(void *ctx, const eb_http_req_t *req, const char *chunk, size_t n, uint64_t off,
                                const char **why);

typedef struct {
    const char *path;  /* exact match on the path (without the query); NULL: an unused entry */
    unsigned methods;  /* EB_HTTP_M(GET) | ...; HEAD is allowed wherever GET is */
    int auth;          /* 1: a control route, bearer token required */
    uint32_t max_body; /* 413 beyond; 0 for routes that take none */
    eb_http_handler_t fn;
    void *ctx;
} eb_http_route_t;

#define EB_HTTP_M(m) (1u << EB_HTTP_##m)

typedef struct {
    const char *bind_addr; /* IPv4 dotted quad; "127.0.0.1" by default */
    int port;              /* 0: any free port (tests), see eb_http_server_port */
    int allow_plain_lan;   /* a non-loopback address without TLS is refused unless this is set */
    eb_http_tls_t *tls;    /* every connection speaks TLS (http_tls.h), the caller's; NULL: plain HTTP */
    int max_conns, max_per_client, max_requests;
    int sndbuf_bytes; /* SO_SNDBUF of each connection (bounds kernel memory per client); 0: the kernel's */
    int64_t request_timeout_ms, idle_timeout_ms, write_timeout_ms, linger_ms, sweep_ms;
    eb_http_limits_t limits;
    const char *const *cors_origins; /* browser origins answered with CORS headers (http_cors.h); none */
    int ncors;
} eb_http_config_t;

typedef struct {
    uint64_t accepted, refused_busy, requests, timeouts, write_timeouts, idle_closed, bad_requests, unauthorized;
    uint64_t by_code[EB_HTTP_NCODES]; /* responses by status, in the order of eb_http_counted_codes */
    int open, open_max;
} eb_http_stats_t;

typedef struct {
    eb_http_config_t cfg;
    eb_loop_t *loop;
    int listen_fd, port;
    int64_t sweep_timer;
    int64_t accept_paused_until; /* EMFILE: accepting again after this */
    const eb_http_route_t *routes;
    size_t nroutes;
    char token[EB_HTTP_TOKEN_MAX];
    size_t token_len;
    eb_http_stats_t stats;
    eb_http_conn_t *conns; /* cfg.max_conns of them, the caller's */
    struct eb_http_stream_route {
        const eb_http_route_t *route;
        eb_http_stream_t fn;
    } streams[EB_HTTP_MAX_STREAMS];
    int nstreams;
} eb_http_server_t;

/* The defaults above, on 127.0.0.1:8080. */
eb_http_config_t eb_http_default_config(void);

/* Binds, listens and registers with the loop. 0, or -1 with err naming the address and the reason
 * (a bad address, non-loopback without allow_plain_lan, limits over the buffers, bind failure). */
int eb_http_server_start(eb_http_server_t *s, const eb_http_config_t *cfg, eb_http_conn_t *conns, eb_loop_t *loop,
                         const eb_http_route_t *routes, size_t nroutes, char *err, size_t cap);
/* The control token (empty: control is off, every control route answers 403). -1 when longer than EB_HTTP_TOKEN_MAX-1. */
int eb_http_server_set_token(eb_http_server_t *s, const char *token, size_t len);
int eb_http_server_port(const eb_http_server_t *s);
/* The route at `path` takes its body streamed through fn (after eb_http_server_start), up to the route's
 * max_body, which may then exceed the buffer. 0, or -1 (no such route, or EB_HTTP_MAX_STREAMS already). */
int eb_http_server_stream(eb_http_server_t *s, const char *path, eb_http_stream_t fn);
/* The statuses counted one by one in stats.by_code (a fixed set, so the metric's series never change);
 * the last entry is 0: any other status. EB_HTTP_NCODES entries. */
const int *eb_http_counted_codes(void);
/* Closes every connection and the listener, and leaves the loop. */
void eb_http_server_stop(eb_http_server_t *s);

#endif
