/* Response framing and non-blocking writes for one connection. The handler's body is written in place,
 * EB_HTTP_HEAD_RESERVE bytes into the output buffer, and the head is put just in front of it, so a
 * response is never copied. */
#include "app/http/http_conn.h"

#include "app/http/text_append.h"

#include <errno.h>
#include <mbedtls/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *eb_http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 409: return "Conflict";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

void eb_http_conn_open(eb_http_conn_t *c, int fd, uint32_t peer, int64_t now_ms)
{
    c->fd = fd;
    c->state = EB_HTTP_CONN_READING;
    c->peer = peer;
    c->req_start_ms = -1;
    c->last_ms = now_ms;
    c->linger_ms = 0;
    c->served = 0;
    c->close_after = 0;
    c->continue_sent = 0;
    c->stream = NULL;
    c->streamed = 0;
    c->tls = NULL;
    c->handshaken = c->tls_want_write = c->tls_broken = 0;
    c->in_len = c->out_off = c->out_len = 0;
}

void eb_http_conn_begin(eb_http_conn_t *c, eb_http_resp_t *r)
{
    r->status = 200;
    r->content_type = "application/json";
    r->headers = NULL;
    r->body = c->out + EB_HTTP_HEAD_RESERVE;
    r->cap = sizeof c->out - EB_HTTP_HEAD_RESERVE;
    r->len = 0;
    r->overflow = 0;
}

void eb_http_resp_write(eb_http_resp_t *r, const void *p, size_t n)
{
    if (n > r->cap - r->len) {
        r->overflow = 1;
        n = r->cap - r->len;
    }
    memcpy(r->body + r->len, p, n);
    r->len += n;
}

void eb_http_resp_printf(eb_http_resp_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (eb_text_vappend(r->body, r->cap, &r->len, fmt, ap) != 0)
        r->overflow = 1; /* the answer becomes a 500 */
    va_end(ap);
}

int eb_http_conn_finish(eb_http_conn_t *c, const eb_http_resp_t *r, int keep_alive, int minor, int head_only)
{
    char head[EB_HTTP_HEAD_RESERVE];
    const char *conn = !keep_alive ? "Connection: close\r\n" : minor == 0 ? "Connection: keep-alive\r\n" : "";
    char type[160] = ""; /* a 204 has neither type nor length (RFC 9110 8.6) */
    if (r->status != 204)
        snprintf(type, sizeof type, "Content-Type: %s\r\nContent-Length: %zu\r\n", r->content_type, r->len);
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%sCache-Control: no-store\r\n%s%s\r\n", r->status,
                     eb_http_status_text(r->status), type, conn, r->headers ? r->headers : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    c->out_off = EB_HTTP_HEAD_RESERVE - (size_t)n;
    memcpy(c->out + c->out_off, head, (size_t)n);
    c->out_len = EB_HTTP_HEAD_RESERVE + (head_only ? 0 : r->len);
    if (!keep_alive)
        c->close_after = 1;
    c->state = EB_HTTP_CONN_WRITING;
    return 0;
}

void eb_http_conn_error(eb_http_conn_t *c, int status, const char *why)
{
    eb_http_resp_t r;
    eb_http_conn_begin(c, &r);
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    if (status == 401)
        r.headers = "WWW-Authenticate: Bearer realm=\"edgebox\"\r\n";
    else if (status == 503)
        r.headers = "Retry-After: 1\r\n";
    eb_http_resp_printf(&r, "%d %s: %s\n", status, eb_http_status_text(status), why);
    (void)eb_http_conn_finish(c, &r, 0, 1, 0); /* a fixed-size head: it fits */
}

/* One write of the queued output: bytes written, or -2 would block, -1 an error. A TLS write that
 * would block is retried with the same arguments, as mbedTLS requires (out_off moves only on success). */
static long send_some(eb_http_conn_t *c)
{
    const char *p = c->out + c->out_off;
    size_t n = c->out_len - c->out_off;
    if (c->tls) {
        if (!c->handshaken || c->tls_broken)
            return -1; /* e.g. a 408 for a handshake that never finished: nothing can be said, close */
        int r = mbedtls_ssl_write(c->tls, (const unsigned char *)p, n);
        if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ)
            return -2;
        return r >= 0 ? r : -1;
    }
    ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
    if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return -2;
    return r;
}

int eb_http_conn_flush(eb_http_conn_t *c, int64_t now_ms)
{
    while (c->out_off < c->out_len) {
        long n = send_some(c);
        if (n > 0) {
            c->out_off += (size_t)n;
            c->last_ms = now_ms;
            continue;
        }
        if (n == -2)
            return 1;
        return -1;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

long eb_http_conn_recv(eb_http_conn_t *c, char *buf, size_t n)
{
    if (!c->tls) {
        ssize_t r = read(c->fd, buf, n);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return -2;
        return r;
    }
    c->tls_want_write = 0;
    int r;
    if (!c->handshaken) {
        r = mbedtls_ssl_handshake(c->tls);
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
            c->tls_want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
            return -2;
        }
        if (r != 0)
            return -1; /* not TLS (plain HTTP to this port), or a failed handshake */
        c->handshaken = 1;
    }
    r = mbedtls_ssl_read(c->tls, (unsigned char *)buf, n);
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
        return -2;
    if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        return 0;
    return r;
}

size_t eb_http_conn_pending(const eb_http_conn_t *c)
{
    return c->tls && c->handshaken ? mbedtls_ssl_get_bytes_avail(c->tls) : 0;
}

void eb_http_conn_send_continue(eb_http_conn_t *c)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (!c->tls) {
        (void)send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL); /* best effort: clients go on anyway */
        return;
    }
    if (c->tls_broken || !c->handshaken)
        return;
    /* a record mbedTLS could not send at once would have to be retried with these very bytes before
     * the response: rather than that, the connection is given up at its next write */
    if (mbedtls_ssl_write(c->tls, (const unsigned char *)cont, sizeof cont - 1) != (int)(sizeof cont - 1))
        c->tls_broken = 1;
}

void eb_http_conn_close_notify(eb_http_conn_t *c)
{
    if (c->tls && c->handshaken && !c->tls_broken)
        (void)mbedtls_ssl_close_notify(c->tls); /* best effort: the FIN follows anyway */
}
