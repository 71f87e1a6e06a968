/* The HTTP/1.1 request parser (RFC 9112), pure: it reads the bytes a connection has buffered so far and
 * says whether they hold a complete request, need more, or can never become a valid one. It keeps no
 * state between calls (the connection calls it again on the whole buffer), which makes "split at every
 * byte boundary" trivially the same as one read, and copies nothing: names, values and the target are
 * slices of the caller's buffer.
 *
 * It is strict where leniency has been a smuggling vector: bare LF, obs-fold, NUL and other control bytes,
 * whitespace before a header's colon, duplicate or malformed Content-Length, Content-Length together with
 * Transfer-Encoding, a missing or repeated Host on HTTP/1.1 are refused (400); Transfer-Encoding alone is
 * 501 (no chunked uploads). */
#ifndef EB_APP_HTTP_PARSE_H
#define EB_APP_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define EB_HTTP_MAX_HEADERS 64 /* the fixed header table; a limit may be lower */

enum {
    EB_HTTP_PARSE_DONE = 0,       /* a whole request (head and body) is in the buffer */
    EB_HTTP_PARSE_INCOMPLETE = 1, /* valid so far; more bytes needed (head_len > 0: the head is complete) */
    EB_HTTP_PARSE_ERROR = 2,      /* status and reason say why; the connection must answer and close */
};

typedef enum {
    EB_HTTP_GET, EB_HTTP_HEAD, EB_HTTP_POST, EB_HTTP_PUT, EB_HTTP_DELETE, EB_HTTP_OPTIONS, EB_HTTP_PATCH,
    EB_HTTP_OTHER, /* a valid token we do not implement (501) */
} eb_http_method_t;

typedef struct {
    const char *p;
    size_t n;
} eb_http_slice_t;

typedef struct {
    size_t max_line;    /* request line, without CRLF (414 beyond) */
    size_t max_head;    /* the whole head, request line to the empty line (431 beyond) */
    size_t max_headers; /* header fields (431 beyond), <= EB_HTTP_MAX_HEADERS */
    uint64_t max_body;  /* Content-Length (413 beyond) */
    uint64_t max_stream; /* Content-Length for a streamed body (never buffered whole; the server sets it to
                          * its largest streaming route's limit and checks each route's own); 0: none */
} eb_http_limits_t;

typedef struct {
    eb_http_method_t method;
    eb_http_slice_t method_name, target, path, query; /* path: the target up to '?', query after it */
    int minor;                                        /* HTTP/1.<minor>: 0 or 1 */
    eb_http_slice_t names[EB_HTTP_MAX_HEADERS], values[EB_HTTP_MAX_HEADERS];
    size_t nheaders;
    uint64_t content_length;
    int keep_alive;      /* what the client asked for: 1.1 unless "close", 1.0 only with "keep-alive" */
    int expect_continue; /* "Expect: 100-continue" */
    size_t head_len;     /* bytes of the head including the empty line (0 until it is complete) */
    size_t total_len;    /* head_len + content_length once DONE: where the next pipelined request starts */
    int status;          /* on ERROR: 400, 413, 414, 431, 501, 505 */
    const char *reason;  /* on ERROR: a static sentence naming what was wrong */
    uint32_t peer;       /* set by the server, not the parser: the client's IPv4 address (network order) */
} eb_http_req_t;

/* The defaults of docs/api.md: 4 KiB request line, 8 KiB head, 64 fields, 16 KiB body. */
eb_http_limits_t eb_http_default_limits(void);

int eb_http_parse(const char *buf, size_t len, const eb_http_limits_t *lim, eb_http_req_t *req);

/* The value of the first field named `name` (case-insensitive), or NULL. */
const eb_http_slice_t *eb_http_header(const eb_http_req_t *req, const char *name);

const char *eb_http_method_name(eb_http_method_t m);

#endif
