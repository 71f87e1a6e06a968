/* The request parser: lines first (CRLF only, no control bytes, bounded), then the request line, then
 * the fields, then the few fields whose meaning decides framing (Content-Length, Transfer-Encoding,
 * Host, Connection, Expect). Errors are decided by the first offending byte in order, so any prefix of a
 * bad request is either still incomplete or already fails the same way (the split test relies on it). */
#include "app/http/http_parse.h"

#include <string.h>

eb_http_limits_t eb_http_default_limits(void)
{
    eb_http_limits_t l = {.max_line = 4096, .max_head = 8192, .max_headers = EB_HTTP_MAX_HEADERS,
                          .max_body = 16384};
    return l;
}

static int fail(eb_http_req_t *r, int status, const char *reason)
{
    r->status = status;
    r->reason = reason;
    return EB_HTTP_PARSE_ERROR;
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int slice_ieq(eb_http_slice_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

enum { LINE_FOUND, LINE_NEED, LINE_BAD, LINE_LONG };

/* One line from `from`: its content ends at *cr (the CR of CRLF). At most `maxc` content bytes. */
static int scan_line(const char *buf, size_t from, size_t len, size_t maxc, size_t *cr, const char **why)
{
    for (size_t i = from; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\r') {
            if (i + 1 >= len)
                return LINE_NEED;
            if (buf[i + 1] != '\n') {
                *why = "CR not followed by LF";
                return LINE_BAD;
            }
            *cr = i;
            return LINE_FOUND;
        }
        if (c == '\n') {
            *why = "bare LF (lines must end in CRLF)";
            return LINE_BAD;
        }
        if (i - from >= maxc)
            return LINE_LONG;
        if (c == 0) {
            *why = "NUL byte in the request head";
            return LINE_BAD;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            *why = "control byte in the request head";
            return LINE_BAD;
        }
    }
    return LINE_NEED;
}

static const char *const method_names[] = {
    [EB_HTTP_GET] = "GET", [EB_HTTP_HEAD] = "HEAD", [EB_HTTP_POST] = "POST", [EB_HTTP_PUT] = "PUT",
    [EB_HTTP_DELETE] = "DELETE", [EB_HTTP_OPTIONS] = "OPTIONS", [EB_HTTP_PATCH] = "PATCH",
    [EB_HTTP_OTHER] = "OTHER",
};
_Static_assert(sizeof method_names / sizeof method_names[0] == EB_HTTP_OTHER + 1, "a name for every method");

static eb_http_method_t method_of(eb_http_slice_t m)
{
    for (int i = 0; i < EB_HTTP_OTHER; i++) /* methods are case-sensitive (RFC 9110 9.1) */
        if (strlen(method_names[i]) == m.n && memcmp(method_names[i], m.p, m.n) == 0)
            return (eb_http_method_t)i;
    return EB_HTTP_OTHER;
}

const char *eb_http_method_name(eb_http_method_t m)
{
    return (unsigned)m <= EB_HTTP_OTHER ? method_names[m] : "OTHER";
}

/* method SP request-target SP HTTP-version (RFC 9112 3). */
static int request_line(const char *p, size_t n, eb_http_req_t *r)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ' ')
        return fail(r, 400, "malformed request line: the method must be a token followed by one space");
    r->method_name = (eb_http_slice_t){p, i};
    r->method = method_of(r->method_name);
    size_t t0 = ++i;
    while (i < n && p[i] != ' ') {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f)
            return fail(r, 400, "malformed request target: only visible ASCII is allowed");
        i++;
    }
    if (i == t0 || i >= n)
        return fail(r, 400, "malformed request line: expected METHOD SP TARGET SP HTTP/1.x");
    r->target = (eb_http_slice_t){p + t0, i - t0};
    int star = r->target.n == 1 && r->target.p[0] == '*';
    if (!(r->target.p[0] == '/' || (star && r->method == EB_HTTP_OPTIONS)))
        return fail(r, 400, "malformed request target: it must start with '/'");
    const char *q = memchr(r->target.p, '?', r->target.n);
    r->path = (eb_http_slice_t){r->target.p, q ? (size_t)(q - r->target.p) : r->target.n};
    r->query = q ? (eb_http_slice_t){q + 1, r->target.n - r->path.n - 1} : (eb_http_slice_t){q, 0};
    const char *v = p + i + 1;
    size_t vn = n - i - 1;
    if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' ||
        v[7] > '9')
        return fail(r, 400, "malformed request line: the version must be HTTP/1.0 or HTTP/1.1");
    if (v[5] != '1')
        return fail(r, 505, "HTTP version not supported: only HTTP/1.x");
    r->minor = v[7] == '0' ? 0 : 1; /* a higher 1.x minor is served as 1.1 (RFC 9110 2.5) */
    return EB_HTTP_PARSE_INCOMPLETE;
}

/* field-name ":" OWS field-value OWS (RFC 9112 5); obs-fold is refused. */
static int field_line(const char *p, size_t n, eb_http_req_t *r, size_t max_fields)
{
    if (p[0] == ' ' || p[0] == '\t')
        return fail(r, 400, "obsolete line folding (a field line starting with whitespace)");
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ':')
        return fail(r, 400, "malformed header field: the name must be a token directly followed by ':'");
    if (r->nheaders >= max_fields)
        return fail(r, 431, "too many header fields");
    size_t a = i + 1, b = n;
    while (a < b && (p[a] == ' ' || p[a] == '\t'))
        a++;
    while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
        b--;
    r->names[r->nheaders] = (eb_http_slice_t){p, i};
    r->values[r->nheaders] = (eb_http_slice_t){p + a, b - a};
    r->nheaders++;
    return EB_HTTP_PARSE_INCOMPLETE;
}

/* Content-Length = 1*DIGIT; a value over the body limit is 413 however many digits it has. */
static int content_length(eb_http_slice_t v, uint64_t max_body, eb_http_req_t *r)
{
    if (v.n == 0)
        return fail(r, 400, "empty Content-Length");
    uint64_t x = 0;
    int huge = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return fail(r, 400, "malformed Content-Length: only digits are allowed");
        if (x > (UINT64_MAX - 9) / 10)
            huge = 1;
        else
            x = x * 10 + (uint64_t)(v.p[i] - '0');
    }
    if (huge || x > max_body)
        return fail(r, 413, "request body over the limit (Content-Length)");
    r->content_length = x;
    return EB_HTTP_PARSE_INCOMPLETE;
}

/* Does the comma-separated list contain `token` (case-insensitive)? */
static int list_has(eb_http_slice_t v, const char *token)
{
    size_t i = 0;
    while (i <= v.n) {
        size_t j = i;
        while (j < v.n && v.p[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && (v.p[a] == ' ' || v.p[a] == '\t'))
            a++;
        while (b > a && (v.p[b - 1] == ' ' || v.p[b - 1] == '\t'))
            b--;
        if (slice_ieq((eb_http_slice_t){v.p + a, b - a}, token))
            return 1;
        i = j + 1;
    }
    return 0;
}

/* The fields that decide framing and the connection's fate, once the head is complete. */
static int framing(eb_http_req_t *r, const eb_http_limits_t *lim)
{
    int ncl = 0, nte = 0, nhost = 0, close = 0, keep = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        eb_http_slice_t n = r->names[i], v = r->values[i];
        if (slice_ieq(n, "content-length")) {
            if (++ncl > 1)
                return fail(r, 400, "more than one Content-Length");
            if (content_length(v, lim->max_stream > lim->max_body ? lim->max_stream : lim->max_body, r) ==
                EB_HTTP_PARSE_ERROR)
                return EB_HTTP_PARSE_ERROR;
        } else if (slice_ieq(n, "transfer-encoding")) {
            nte++;
        } else if (slice_ieq(n, "host")) {
            nhost++;
        } else if (slice_ieq(n, "connection")) {
            close |= list_has(v, "close");
            keep |= list_has(v, "keep-alive");
        } else if (slice_ieq(n, "expect")) {
            r->expect_continue = slice_ieq(v, "100-continue");
        }
    }
    if (nte && ncl)
        return fail(r, 400, "both Transfer-Encoding and Content-Length");
    if (nte)
        return fail(r, 501, "Transfer-Encoding is not supported: send the body with Content-Length");
    if (nhost > 1 || (r->minor == 1 && nhost == 0))
        return fail(r, 400, "an HTTP/1.1 request needs exactly one Host field");
    r->keep_alive = close ? 0 : r->minor == 1 ? 1 : keep;
    return EB_HTTP_PARSE_INCOMPLETE;
}

int eb_http_parse(const char *buf, size_t len, const eb_http_limits_t *lim, eb_http_req_t *req)
{
    memset(req, 0, offsetof(eb_http_req_t, names));
    req->nheaders = 0;
    req->content_length = 0;
    req->keep_alive = 0;
    req->expect_continue = 0;
    req->head_len = 0;
    req->total_len = 0;
    req->status = 0;
    req->reason = NULL;
    size_t max_fields = lim->max_headers < EB_HTTP_MAX_HEADERS ? lim->max_headers : EB_HTTP_MAX_HEADERS;
    size_t pos = 0, cr = 0;
    const char *why = NULL;
    /* RFC 9112 2.2: empty lines before the request line (a client's stray CRLF after a body) are ignored. */
    while (pos + 1 < len && pos + 2 <= lim->max_head && buf[pos] == '\r' && buf[pos + 1] == '\n')
        pos += 2;
    int s = scan_line(buf, pos, len, lim->max_line, &cr, &why);
    if (s == LINE_LONG)
        return fail(req, 414, "request line over the limit");
    if (s == LINE_BAD)
        return fail(req, 400, why);
    if (s == LINE_NEED)
        return EB_HTTP_PARSE_INCOMPLETE;
    if (cr + 2 > lim->max_head)
        return fail(req, 431, "request head over the limit");
    if (request_line(buf + pos, cr - pos, req) == EB_HTTP_PARSE_ERROR)
        return EB_HTTP_PARSE_ERROR;
    pos = cr + 2;
    for (;;) {
        if (pos >= len)
            return EB_HTTP_PARSE_INCOMPLETE;
        if (pos + 2 > lim->max_head)
            return fail(req, 431, "request head over the limit");
        s = scan_line(buf, pos, len, lim->max_head - pos - 2, &cr, &why);
        if (s == LINE_LONG)
            return fail(req, 431, "request head over the limit");
        if (s == LINE_BAD)
            return fail(req, 400, why);
        if (s == LINE_NEED)
            return EB_HTTP_PARSE_INCOMPLETE;
        if (cr == pos)
            break; /* the empty line: the head is complete */
        if (field_line(buf + pos, cr - pos, req, max_fields) == EB_HTTP_PARSE_ERROR)
            return EB_HTTP_PARSE_ERROR;
        pos = cr + 2;
    }
    if (framing(req, lim) == EB_HTTP_PARSE_ERROR)
        return EB_HTTP_PARSE_ERROR;
    req->head_len = cr + 2;
    if (len - req->head_len < req->content_length)
        return EB_HTTP_PARSE_INCOMPLETE;
    req->total_len = req->head_len + (size_t)req->content_length;
    return EB_HTTP_PARSE_DONE;
}

const eb_http_slice_t *eb_http_header(const eb_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (slice_ieq(req->names[i], name))
            return &req->values[i];
    return NULL;
}
