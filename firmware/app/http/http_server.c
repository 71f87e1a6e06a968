/* Accepting, reading, dispatching and timing out connections. Every callback does a bounded amount of
 * work (one read, one parse pass, one write burst) so no client, however slow or hostile, holds the loop:
 * the kill switch and the bar timer run between any two of them. */
#define _GNU_SOURCE /* accept4 */
#include "app/http/http_server.h"
#include "app/http/http_cors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/http/http_auth.h"
#include "common/errf.h"

#define ACCEPTS_PER_PASS 16 /* then the other descriptors get their turn */

eb_http_config_t eb_http_default_config(void)
{
    eb_http_config_t c = {
        .bind_addr = "127.0.0.1", .port = 8080, .allow_plain_lan = 0,
        .max_conns = EB_HTTP_MAX_CONNS, .max_per_client = 8, .max_requests = 100, .sndbuf_bytes = 65536,
        .request_timeout_ms = 10000, .idle_timeout_ms = 5000, .write_timeout_ms = 10000, .linger_ms = 2000,
        .sweep_ms = 250, .limits = eb_http_default_limits(),
    };
    return c;
}

static int64_t now_of(const eb_http_server_t *s) { return s->loop->clock_ms(); }

static const int k_codes[EB_HTTP_NCODES] = {200, 204, 400, 401, 403, 404, 405, 408, 409,
                                             413, 414, 431, 500, 501, 503, 505, 0};

const int *eb_http_counted_codes(void) { return k_codes; }

static void count_status(eb_http_server_t *s, int status)
{
    int i = 0;
    while (i < EB_HTTP_NCODES - 1 && k_codes[i] != status)
        i++;
    s->stats.by_code[i]++;
}

/* A streamed body that will not complete: the route's stream cleans up (its temporary file). */
static void stream_abort(eb_http_conn_t *c)
{
    const struct eb_http_stream_route *st = c->stream;
    const char *why = NULL;
    c->stream = NULL;
    if (st && c->streamed > 0) /* a stream that never took a chunk has nothing to clean up */
        (void)st->fn(st->route->ctx, NULL, NULL, 0, c->streamed, &why);
    c->streamed = 0;
}

static void conn_close(eb_http_server_t *s, eb_http_conn_t *c)
{
    stream_abort(c);
    eb_http_tls_session_free(c->tls);
    c->tls = NULL;
    eb_loop_remove_fd(s->loop, c->fd);
    (void)close(c->fd); /* nothing to do about a failed close of a socket */
    c->fd = -1;
    c->state = EB_HTTP_CONN_FREE;
    s->stats.open--;
}

/* Queued output: try to write it now. 0 all written, 1 waiting for POLLOUT, -1 closed. */
static int send_queued(eb_http_server_t *s, eb_http_conn_t *c)
{
    int r = eb_http_conn_flush(c, now_of(s));
    if (r < 0)
        conn_close(s, c);
    else if (r == 1)
        (void)eb_loop_set_events(s->loop, c->fd, POLLOUT);
    return r;
}

/* The answer is out: close (lingering, so a client still sending gets the answer, not a reset), or read
 * the next request. 1 when the connection reads on. */
static int after_write(eb_http_server_t *s, eb_http_conn_t *c)
{
    (void)eb_loop_set_events(s->loop, c->fd, POLLIN);
    if (c->close_after) {
        eb_http_conn_close_notify(c);
        (void)shutdown(c->fd, SHUT_WR); /* the FIN after the answer; a failure only means the peer is gone */
        c->state = EB_HTTP_CONN_LINGER;
        c->linger_ms = now_of(s);
        c->in_len = 0;
        return 0;
    }
    c->state = EB_HTTP_CONN_READING;
    return 1;
}

static void queue_error(eb_http_server_t *s, eb_http_conn_t *c, int status, const char *why)
{
    count_status(s, status);
    if (status == 400 || status == 413 || status == 414 || status == 431 || status == 501 || status == 505)
        s->stats.bad_requests++;
    stream_abort(c);
    eb_http_conn_error(c, status, why);
    c->in_len = 0; /* the connection closes: nothing after this request is read */
}

static const eb_http_route_t *route_of(const eb_http_server_t *s, eb_http_slice_t path)
{
    for (size_t i = 0; i < s->nroutes; i++)
        if (s->routes[i].path && strlen(s->routes[i].path) == path.n && memcmp(s->routes[i].path, path.p, path.n) == 0)
            return &s->routes[i];
    return NULL;
}

static unsigned allowed(const eb_http_route_t *rt)
{
    unsigned m = rt->methods;
    return m & EB_HTTP_M(GET) ? m | EB_HTTP_M(HEAD) : m;
}

/* A short text answer to a well-formed request (404, 405, 401, 500): the connection stays as the client
 * asked, unless the request's body has not been read (then it closes). */
static void answer_text(eb_http_server_t *s, eb_http_conn_t *c, const eb_http_req_t *req, int status,
                        const char *headers, const char *why, int keep)
{
    eb_http_resp_t r;
    eb_http_conn_begin(c, &r);
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.headers = headers;
    eb_http_resp_printf(&r, "%d %s: %s\n", status, eb_http_status_text(status), why);
    count_status(s, status);
    (void)eb_http_conn_finish(c, &r, keep, req->minor, req->method == EB_HTTP_HEAD);
}

/* The Allow line of a route ("Allow: GET, HEAD\r\n"). */
static const char *allow_line(const eb_http_route_t *rt, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "Allow: ");
    unsigned m = allowed(rt);
    for (int i = 0; i < EB_HTTP_OTHER && n < cap; i++)
        if (m & (1u << i))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n > 7 ? ", " : "", eb_http_method_name((eb_http_method_t)i));
    if (n < cap)
        snprintf(buf + n, cap - n, "\r\n");
    return buf;
}

/* OPTIONS on a route: a CORS preflight. An origin on the list gets 204 with the route's methods; any
 * other (or none) gets 403 without CORS headers, so the browser refuses the real request itself. */
static void preflight(eb_http_server_t *s, eb_http_conn_t *c, const eb_http_req_t *req, const eb_http_route_t *rt,
                      int keep)
{
    char allow[96], hdr[512];
    const char *origin = eb_http_cors_origin(req, s->cfg.cors_origins, s->cfg.ncors);
    allow_line(rt, allow, sizeof allow);
    allow[strcspn(allow, "\r")] = '\0';
    const char *h = origin ? eb_http_cors_headers(origin, 1, allow + 7, hdr, sizeof hdr) : NULL;
    if (!h) {
        answer_text(s, c, req, 403, NULL, "origin not allowed (appliance.http.cors_origins)", keep);
        return;
    }
    eb_http_resp_t r;
    eb_http_conn_begin(c, &r);
    r.status = 204;
    r.headers = h;
    count_status(s, 204);
    (void)eb_http_conn_finish(c, &r, keep, req->minor, 1);
}

/* Refusals decided by the head alone (before a body is read): method, route, token, body size. Returns 1
 * when it answered. */
static int refuse_early(eb_http_server_t *s, eb_http_conn_t *c, const eb_http_req_t *req, int body_read, int keep)
{
    char allow[96];
    if (req->method == EB_HTTP_OTHER) {
        queue_error(s, c, 501, "method not implemented");
        return 1;
    }
    const eb_http_route_t *rt = route_of(s, req->path);
    if (!rt) {
        answer_text(s, c, req, 404, NULL, "no such endpoint (see docs/api.md)", keep && body_read);
        return 1;
    }
    if (req->method == EB_HTTP_OPTIONS && !(allowed(rt) & EB_HTTP_M(OPTIONS))) {
        preflight(s, c, req, rt, keep && body_read);
        return 1;
    }
    if (!(allowed(rt) & (1u << req->method))) {
        answer_text(s, c, req, 405, allow_line(rt, allow, sizeof allow), "method not allowed here", keep && body_read);
        return 1;
    }
    if (rt->auth && s->token_len == 0) {
        answer_text(s, c, req, 403, NULL, "control is off: no token file is configured (appliance.http.token_file)",
                    keep && body_read);
        return 1;
    }
    if (rt->auth && !eb_http_bearer_ok(req, s->token, s->token_len)) {
        s->stats.unauthorized++;
        answer_text(s, c, req, 401, "WWW-Authenticate: Bearer realm=\"edgebox\"\r\n",
                    "this endpoint needs Authorization: Bearer <token>", keep && body_read);
        return 1;
    }
    if (req->content_length > rt->max_body) {
        queue_error(s, c, 413, "request body over this endpoint's limit");
        return 1;
    }
    return 0;
}

/* body: the request's body in the buffer, or NULL for a streamed one (already handed to the stream). */
static void dispatch(eb_http_server_t *s, eb_http_conn_t *c, const eb_http_req_t *req, const char *body)
{
    int keep = req->keep_alive && c->served + 1 < (uint32_t)s->cfg.max_requests;
    s->stats.requests++;
    c->served++;
    if (refuse_early(s, c, req, 1, keep)) {
        stream_abort(c);
        return;
    }
    const eb_http_route_t *rt = route_of(s, req->path);
    eb_http_resp_t r;
    eb_http_conn_begin(c, &r);
    c->stream = NULL; /* complete: the handler answers for it now */
    c->streamed = 0;
    int rc = rt->fn(rt->ctx, req, body, &r);
    char cors[256];
    const char *origin = eb_http_cors_origin(req, s->cfg.cors_origins, s->cfg.ncors);
    if (origin && !r.headers) /* an allowed page may read the answer */
        r.headers = eb_http_cors_headers(origin, 0, NULL, cors, sizeof cors);
    if (rc != 0 || r.overflow) {
        answer_text(s, c, req, 500, NULL, rc != 0 ? "the handler failed" : "response over the buffer", keep);
        return;
    }
    count_status(s, r.status);
    if (eb_http_conn_finish(c, &r, keep, req->minor, req->method == EB_HTTP_HEAD) != 0)
        answer_text(s, c, req, 500, NULL, "response head over the buffer", keep);
}

/* Is this request's body for a streaming route (checked once its head is complete)? */
static const struct eb_http_stream_route *streams(const eb_http_server_t *s, const eb_http_req_t *req)
{
    const eb_http_route_t *rt = route_of(s, req->path);
    if (!rt || req->method == EB_HTTP_OPTIONS || !(allowed(rt) & (1u << req->method)))
        return NULL;
    for (int i = 0; i < s->nstreams; i++)
        if (s->streams[i].route == rt)
            return &s->streams[i];
    return NULL;
}

/* A streamed body: the head is checked once (a refusal comes before any byte of the body is taken), then
 * what has arrived goes to the route's stream and leaves the buffer; the head stays in front, so the
 * parser sees the same head each time and `req`'s slices stay valid. 0: more to come, 1: complete,
 * -1: answered (refused). */
static int stream_step(eb_http_server_t *s, eb_http_conn_t *c, const eb_http_req_t *req)
{
    if (!c->stream) {
        if (refuse_early(s, c, req, 0, 0)) {
            c->in_len = 0;
            return -1;
        }
        if (req->expect_continue && !c->continue_sent) {
            eb_http_conn_send_continue(c);
        }
        c->continue_sent = 1;
        c->stream = streams(s, req);
        c->streamed = 0;
    }
    const struct eb_http_stream_route *sr = c->stream;
    size_t avail = c->in_len - req->head_len;
    uint64_t left = req->content_length - c->streamed;
    size_t n = avail < left ? avail : (size_t)left;
    if (n > 0) {
        const char *why = "the body was refused";
        int st = sr->fn(sr->route->ctx, req, c->in + req->head_len, n, c->streamed, &why);
        if (st != 0) {
            c->stream = NULL; /* the stream refused and cleaned up itself */
            queue_error(s, c, st, why);
            return -1;
        }
        c->streamed += n;
        memmove(c->in + req->head_len, c->in + req->head_len + n, c->in_len - req->head_len - n);
        c->in_len -= n;
    }
    return c->streamed == req->content_length;
}

/* Parses what is buffered and answers it, request after request (pipelining) while each answer is
 * written at once; called after a read and after an answer was written. A loop, not recursion: a
 * buffer of tiny pipelined requests must not grow the stack (and max_requests bounds the loop). */
static void process(eb_http_server_t *s, eb_http_conn_t *c)
{
    while (c->state == EB_HTTP_CONN_READING && c->in_len > 0) {
        eb_http_req_t req;
        int r = eb_http_parse(c->in, c->in_len, &s->cfg.limits, &req);
        if (r != EB_HTTP_PARSE_ERROR && req.head_len > 0 && (c->stream || streams(s, &req))) {
            req.peer = c->peer;
            int st = stream_step(s, c, &req);
            if (st == 0)
                return;
            if (st == 1) {
                dispatch(s, c, &req, NULL);
                if (c->close_after) {
                    c->in_len = 0;
                } else { /* the body left already: what follows the head is the next request */
                    memmove(c->in, c->in + req.head_len, c->in_len - req.head_len);
                    c->in_len -= req.head_len;
                }
                c->continue_sent = 0;
                c->req_start_ms = c->in_len > 0 ? now_of(s) : -1;
            }
        } else if (r == EB_HTTP_PARSE_ERROR) {
            queue_error(s, c, req.status, req.reason);
        } else if (r == EB_HTTP_PARSE_INCOMPLETE) {
            if (req.head_len == 0 || c->continue_sent)
                return;
            /* the head is in: refuse now rather than after a body we would throw away */
            req.peer = c->peer;
            if (refuse_early(s, c, &req, 0, 0)) {
                c->in_len = 0;
            } else {
                if (req.expect_continue) {
                    eb_http_conn_send_continue(c);
                }
                c->continue_sent = 1;
                return;
            }
        } else {
            size_t used = req.total_len;
            req.peer = c->peer;
            dispatch(s, c, &req, c->in + req.head_len); /* the body is read in place: the rest moves only afterwards */
            if (c->close_after) {
                c->in_len = 0;
            } else {
                memmove(c->in, c->in + used, c->in_len - used);
                c->in_len -= used;
            }
            c->continue_sent = 0;
            c->req_start_ms = c->in_len > 0 ? now_of(s) : -1;
        }
        if (send_queued(s, c) != 0 || !after_write(s, c))
            return;
    }
}

static void on_conn(void *ctx, int fd, short revents)
{
    eb_http_conn_t *c = ctx;
    eb_http_server_t *s = c->owner;
    if (c->state == EB_HTTP_CONN_FREE || c->fd != fd)
        return;
    int64_t now = now_of(s);
    if (c->state == EB_HTTP_CONN_WRITING) {
        if ((revents & (POLLOUT | POLLERR | POLLHUP)) && send_queued(s, c) == 0 && after_write(s, c))
            process(s, c);
        if (c->state != EB_HTTP_CONN_READING || eb_http_conn_pending(c) == 0)
            return; /* else: TLS holds the next request's bytes, which no POLLIN will announce */
    }
    if (c->state == EB_HTTP_CONN_LINGER) {
        char sink[4096];
        ssize_t n = read(fd, sink, sizeof sink);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            conn_close(s, c);
        return;
    }
    /* TLS may hold decrypted bytes that poll does not see: read them too, while the request reads on */
    int pulled = 0;
    do {
        size_t room = sizeof c->in - c->in_len;
        if (room == 0)
            return; /* cannot happen: the limits fit the buffer (checked at start) */
        int was_waiting = c->tls_want_write;
        long n = eb_http_conn_recv(c, c->in + c->in_len, room);
        if (c->tls_want_write != was_waiting) /* the handshake waits to write, or no longer does */
            (void)eb_loop_set_events(s->loop, fd, (short)(POLLIN | (c->tls_want_write ? POLLOUT : 0)));
        if (n == -2)
            return;
        if (n <= 0) {
            conn_close(s, c);
            return;
        }
        if (c->req_start_ms < 0)
            c->req_start_ms = now;
        c->last_ms = now;
        c->in_len += (size_t)n;
        process(s, c);
    } while (++pulled < 8 && c->state == EB_HTTP_CONN_READING && eb_http_conn_pending(c) > 0);
}

/* Connections of one address still in use: a lingering close does not count (a client that reconnects
 * as soon as it got "Connection: close" would otherwise meet its own old connection). */
static int per_client(const eb_http_server_t *s, uint32_t peer)
{
    int n = 0;
    for (int i = 0; i < s->cfg.max_conns; i++)
        n += (s->conns[i].state == EB_HTTP_CONN_READING || s->conns[i].state == EB_HTTP_CONN_WRITING) &&
             s->conns[i].peer == peer;
    return n;
}

/* A free slot; when there is none, the oldest lingering close gives up its slot (its answer is out). */
static eb_http_conn_t *free_slot(eb_http_server_t *s)
{
    eb_http_conn_t *oldest = NULL;
    for (int i = 0; i < s->cfg.max_conns; i++) {
        eb_http_conn_t *c = &s->conns[i];
        if (c->state == EB_HTTP_CONN_FREE)
            return c;
        if (c->state == EB_HTTP_CONN_LINGER && (!oldest || c->linger_ms < oldest->linger_ms))
            oldest = c;
    }
    if (oldest)
        conn_close(s, oldest);
    return oldest;
}

/* Full: a fixed 503 written straight to the new socket, then closed. */
static void refuse_busy(eb_http_server_t *s, int fd, const char *why)
{
    char msg[256];
    char body[128];
    int bn = snprintf(body, sizeof body, "503 Service Unavailable: %s\n", why);
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s", bn, body);
    if (n > 0 && (size_t)n < sizeof msg)
        (void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)shutdown(fd, SHUT_WR);
    (void)close(fd);
    s->stats.refused_busy++;
    count_status(s, 503);
}

static void on_listen(void *ctx, int fd, short revents)
{
    (void)revents;
    eb_http_server_t *s = ctx;
    for (int k = 0; k < ACCEPTS_PER_PASS; k++) {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int cfd = accept4(fd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors: stop accepting for a moment instead of spinning on a ready listener */
                s->accept_paused_until = now_of(s) + 100;
                (void)eb_loop_set_events(s->loop, fd, 0);
            }
            return;
        }
        uint32_t peer = al >= sizeof a ? a.sin_addr.s_addr : 0;
        if (per_client(s, peer) >= s->cfg.max_per_client) {
            refuse_busy(s, cfd, "too many connections from this address");
            continue;
        }
        eb_http_conn_t *c = free_slot(s);
        if (!c) {
            refuse_busy(s, cfd, "too many connections");
            continue;
        }
        if (eb_loop_add_fd(s->loop, cfd, POLLIN, EB_LOOP_PRIO_NORMAL, on_conn, c) != 0) {
            refuse_busy(s, cfd, "the event loop is full");
            continue;
        }
        if (s->cfg.sndbuf_bytes > 0) /* best effort: the kernel's autotuning otherwise, up to MiBs per client */
            (void)setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &s->cfg.sndbuf_bytes, sizeof s->cfg.sndbuf_bytes);
        eb_http_conn_open(c, cfd, peer, now_of(s));
        c->owner = s;
        if (s->cfg.tls) {
            c->tls = eb_http_tls_session(s->cfg.tls, &c->fd);
            c->req_start_ms = now_of(s); /* the handshake is within the request's time limit (408 closes) */
            if (!c->tls) {
                eb_loop_remove_fd(s->loop, cfd);
                c->state = EB_HTTP_CONN_FREE;
                c->fd = -1;
                refuse_busy(s, cfd, "no memory for a TLS session");
                continue;
            }
        }
        s->stats.accepted++;
        if (++s->stats.open > s->stats.open_max)
            s->stats.open_max = s->stats.open;
    }
}

/* The clock side: slow requests (408), idle keep-alive, stalled writes, lingering closes. */
static void on_sweep(void *ctx, int64_t now)
{
    eb_http_server_t *s = ctx;
    if (s->accept_paused_until && now >= s->accept_paused_until) {
        s->accept_paused_until = 0;
        (void)eb_loop_set_events(s->loop, s->listen_fd, POLLIN);
    }
    for (int i = 0; i < s->cfg.max_conns; i++) {
        eb_http_conn_t *c = &s->conns[i];
        switch (c->state) {
        case EB_HTTP_CONN_READING:
            if (c->req_start_ms >= 0 && now - c->req_start_ms >= s->cfg.request_timeout_ms) {
                s->stats.timeouts++;
                queue_error(s, c, 408, "the request did not arrive in time");
                if (send_queued(s, c) == 0)
                    (void)after_write(s, c);
            } else if (c->req_start_ms < 0 && now - c->last_ms >= s->cfg.idle_timeout_ms) {
                s->stats.idle_closed++;
                conn_close(s, c);
            }
            break;
        case EB_HTTP_CONN_WRITING:
            if (now - c->last_ms >= s->cfg.write_timeout_ms) {
                s->stats.write_timeouts++;
                conn_close(s, c);
            }
            break;
        case EB_HTTP_CONN_LINGER:
            if (now - c->linger_ms >= s->cfg.linger_ms)
                conn_close(s, c);
            break;
        case EB_HTTP_CONN_FREE:
            break;
        }
    }
}

static int check_config(const eb_http_config_t *c, struct in_addr *addr, char *err, size_t cap)
{
    const char *a = c->bind_addr ? c->bind_addr : "127.0.0.1";
    if (inet_pton(AF_INET, a, addr) != 1)
        return eb_errf(err, cap, "http: bind address '%s' is not an IPv4 address", a);
    if ((ntohl(addr->s_addr) >> 24) != 127 && !c->allow_plain_lan && !c->tls)
        return eb_errf(err, cap, "http: bind address '%s' is not loopback: it needs TLS, or plain HTTP with "
                       "allow_plain_http_lan", a);
    if (c->port < 0 || c->port > 65535)
        return eb_errf(err, cap, "http: port %d out of range 0..65535", c->port);
    if (c->sndbuf_bytes < 0)
        return eb_errf(err, cap, "http: sndbuf_bytes %d must be >= 0", c->sndbuf_bytes);
    if (c->max_conns < 1 || c->max_conns > EB_HTTP_MAX_CONNS || c->max_per_client < 1 || c->max_requests < 1)
        return eb_errf(err, cap, "http: max_conns must be 1..%d, max_per_client and max_requests >= 1",
                       EB_HTTP_MAX_CONNS);
    if (c->limits.max_head + c->limits.max_body > EB_HTTP_IN_CAP || c->limits.max_line > c->limits.max_head)
        return eb_errf(err, cap, "http: head limit %zu + body limit %llu over the %d-byte buffer (or line over head)",
                       c->limits.max_head, (unsigned long long)c->limits.max_body, EB_HTTP_IN_CAP);
    const struct { const char *name; int64_t v; } t[] = {
        {"request_timeout_ms", c->request_timeout_ms}, {"idle_timeout_ms", c->idle_timeout_ms},
        {"write_timeout_ms", c->write_timeout_ms}, {"sweep_ms", c->sweep_ms}, {"linger_ms", c->linger_ms + 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].v <= 0)
            return eb_errf(err, cap, "http: %s must be > 0 ms (linger_ms >= 0)", t[i].name);
    return 0;
}

int eb_http_server_start(eb_http_server_t *s, const eb_http_config_t *cfg, eb_http_conn_t *conns, eb_loop_t *loop,
                         const eb_http_route_t *routes, size_t nroutes, char *err, size_t cap)
{
    struct in_addr addr;
    if (check_config(cfg, &addr, err, cap) != 0)
        return -1;
    memset(&s->stats, 0, sizeof s->stats);
    s->cfg = *cfg;
    s->conns = conns;
    s->loop = loop;
    s->routes = routes;
    s->nroutes = nroutes;
    s->accept_paused_until = 0;
    s->token_len = 0;
    s->nstreams = 0;
    for (int i = 0; i < s->cfg.max_conns; i++) {
        s->conns[i].state = EB_HTTP_CONN_FREE;
        s->conns[i].fd = -1;
    }
    const char *a = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return eb_errf(err, cap, "http: socket: %s", strerror(errno));
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port), .sin_addr = addr};
    socklen_t sl = sizeof sa;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        int e = errno;
        (void)close(fd);
        return eb_errf(err, cap, "http: cannot listen on %s:%d: %s", a, cfg->port, strerror(e));
    }
    s->listen_fd = fd;
    s->port = ntohs(sa.sin_port);
    if (eb_loop_add_fd(loop, fd, POLLIN, EB_LOOP_PRIO_NORMAL, on_listen, s) != 0) {
        (void)close(fd);
        return eb_errf(err, cap, "http: the event loop's descriptor table is full");
    }
    s->sweep_timer = eb_loop_add_timer(loop, cfg->sweep_ms, cfg->sweep_ms, on_sweep, s);
    if (s->sweep_timer < 0) {
        eb_loop_remove_fd(loop, fd);
        (void)close(fd);
        return eb_errf(err, cap, "http: the event loop's timer table is full");
    }
    return 0;
}

int eb_http_server_set_token(eb_http_server_t *s, const char *token, size_t len)
{
    if (len >= sizeof s->token)
        return -1;
    memcpy(s->token, token, len);
    s->token[len] = '\0';
    s->token_len = len;
    return 0;
}

int eb_http_server_port(const eb_http_server_t *s) { return s->port; }

int eb_http_server_stream(eb_http_server_t *s, const char *path, eb_http_stream_t fn)
{
    eb_http_slice_t p = {path, strlen(path)};
    const eb_http_route_t *rt = route_of(s, p);
    if (!rt || s->nstreams == EB_HTTP_MAX_STREAMS)
        return -1;
    s->streams[s->nstreams++] = (struct eb_http_stream_route){rt, fn};
    if (rt->max_body > s->cfg.limits.max_stream)
        s->cfg.limits.max_stream = rt->max_body; /* the parser lets such a length through to the route's check */
    return 0;
}

void eb_http_server_stop(eb_http_server_t *s)
{
    for (int i = 0; i < s->cfg.max_conns; i++)
        if (s->conns[i].state != EB_HTTP_CONN_FREE)
            conn_close(s, &s->conns[i]);
    eb_loop_cancel_timer(s->loop, s->sweep_timer);
    eb_loop_remove_fd(s->loop, s->listen_fd);
    (void)close(s->listen_fd);
    s->listen_fd = -1;
}
