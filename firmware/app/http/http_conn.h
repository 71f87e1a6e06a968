/* One HTTP connection: its fixed buffers and its state (reading a request, writing a response, lingering
 * before close), and the response writer. No allocation: the server owns a table of these, reserved once.
 *
 * A connection handles one request at a time: while a response is being written it reads nothing, and
 * the next pipelined request, already buffered, is parsed once the previous answer is out. That keeps
 * answers in request order and bounds what one client can make the server hold. */
#ifndef EB_APP_HTTP_CONN_H
#define EB_APP_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>

#define EB_HTTP_IN_CAP (8192 + 16384) /* head limit + largest body limit */
#define EB_HTTP_OUT_CAP 65536         /* one response: head and body */
#define EB_HTTP_HEAD_RESERVE 1024     /* room in front of the body for the response head */

typedef enum { EB_HTTP_CONN_FREE, EB_HTTP_CONN_READING, EB_HTTP_CONN_WRITING, EB_HTTP_CONN_LINGER } eb_http_conn_state_t;

typedef struct {
    void *owner; /* the server (the loop's callback gets the connection) */
    int fd;
    eb_http_conn_state_t state;
    uint32_t peer;        /* IPv4 address (network order): the per-client limit */
    int64_t req_start_ms; /* first byte of the request being read; -1 while idle between requests */
    int64_t last_ms;      /* last progress: bytes read or written */
    int64_t linger_ms;    /* when the lingering close began */
    uint32_t served;      /* requests answered on this connection (keep-alive <= max_requests) */
    int close_after;      /* close once the response is written */
    int continue_sent;    /* "100 Continue" already sent for the current request */
    const void *stream;   /* the stream (http_server.h's eb_http_stream_route) taking this request's body (http_server.h), or NULL */
    uint64_t streamed;    /* body bytes handed to it so far (and dropped from `in`) */
    void *tls;            /* its mbedtls_ssl_context on a TLS listener (http_tls.h), or NULL: plain */
    int handshaken;       /* TLS: the handshake is done */
    int tls_want_write;   /* TLS: the handshake waits for POLLOUT */
    int tls_broken;       /* TLS: a record is half written outside the response (the connection closes) */
    size_t in_len, out_off, out_len;
    char in[EB_HTTP_IN_CAP];
    char out[EB_HTTP_OUT_CAP];
} eb_http_conn_t;

/* A response being built: the handler writes its body into `body` (inside the connection's buffer). */
typedef struct {
    int status;               /* 200 unless set */
    const char *content_type; /* "application/json" unless set */
    const char *headers;      /* extra header lines, each ending in CRLF, or NULL */
    char *body;
    size_t cap, len;
    int overflow; /* a write did not fit: the server answers 500 instead */
} eb_http_resp_t;

void eb_http_conn_open(eb_http_conn_t *c, int fd, uint32_t peer, int64_t now_ms);

/* The body buffer for the next response. */
void eb_http_conn_begin(eb_http_conn_t *c, eb_http_resp_t *r);
/* Appends to the body (printf); on overflow sets r->overflow and keeps what fit. */
void eb_http_resp_printf(eb_http_resp_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void eb_http_resp_write(eb_http_resp_t *r, const void *p, size_t n);

/* Puts the head in front of the body built in r: status line, Content-Type, Content-Length, Connection
 * (close when keep_alive is 0, which also marks the connection to close), r->headers. head_only: a HEAD
 * request, the body is counted and not sent. 0, or -1 when the head does not fit (the caller answers 500). */
int eb_http_conn_finish(eb_http_conn_t *c, const eb_http_resp_t *r, int keep_alive, int minor, int head_only);

/* A short text/plain answer "<status> <reason>: <why>" that closes the connection. */
void eb_http_conn_error(eb_http_conn_t *c, int status, const char *why);

/* Writes what is queued without blocking: 0 all written, 1 more to write (wait for POLLOUT), -1 the
 * peer is gone. */
int eb_http_conn_flush(eb_http_conn_t *c, int64_t now_ms);

/* Reads what arrived (through TLS when c->tls, whose handshake it drives first): bytes read, 0 the peer
 * closed, -1 an error, -2 nothing yet (c->tls_want_write: wait for POLLOUT too). */
long eb_http_conn_recv(eb_http_conn_t *c, char *buf, size_t n);
/* TLS: decrypted bytes already buffered inside the session (poll will not report them). */
size_t eb_http_conn_pending(const eb_http_conn_t *c);
/* "100 Continue", best effort (clients go on after a while anyway). */
void eb_http_conn_send_continue(eb_http_conn_t *c);
/* Before the FIN: TLS close_notify, best effort. */
void eb_http_conn_close_notify(eb_http_conn_t *c);

const char *eb_http_status_text(int status);

#endif
