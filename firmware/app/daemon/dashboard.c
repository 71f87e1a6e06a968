#define _GNU_SOURCE /* memmem */
/* The page is static const data: served straight from the binary, nothing allocated per request. Its
 * policy allows only the one inline script and the one inline style, by hash, and connections to this
 * origin: an injected tag or handler cannot run, and the page can send the token nowhere else. */
#include "app/daemon/dashboard.h"

#include "app/base64.h"
#include "app/daemon/api_equity.h"
#include "app/daemon/log.h"
#include "dashboard_html.h" /* generated: k_dashboard_html[], the bytes of web/dashboard.html */

#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>

#define HASH_B64 45 /* base64 of 32 bytes and a NUL */

/* The page is one answer: it must fit a connection's response buffer (the build fails otherwise). */
_Static_assert(sizeof k_dashboard_html <= EB_HTTP_OUT_CAP - EB_HTTP_HEAD_RESERVE, "web/dashboard.html is over "
                                                                                   "the 63 KiB an answer can hold");

static char g_headers[640];
static int g_ready;

/* The bytes between the page's only `open` and the `close` after it: 0, or -1. */
static int inner(const char *open, const char *close, const char **start, size_t *len)
{
    const char *page = (const char *)k_dashboard_html;
    size_t n = sizeof k_dashboard_html;
    const char *a = memmem(page, n, open, strlen(open));
    if (!a || memmem(a + 1, n - (size_t)(a + 1 - page), open, strlen(open)))
        return -1;
    a += strlen(open);
    const char *b = memmem(a, n - (size_t)(a - page), close, strlen(close));
    if (!b)
        return -1;
    *start = a;
    *len = (size_t)(b - a);
    return 0;
}

/* The CSP source 'sha256-...' of the inline element between open and close. */
static int hash_of(const char *open, const char *close, char out[HASH_B64], char *err, size_t cap)
{
    const char *s;
    size_t n;
    unsigned char h[32];
    if (inner(open, close, &s, &n) != 0) {
        snprintf(err, cap, "the page has not exactly one %s ... %s", open, close);
        return -1;
    }
    if (mbedtls_sha256_ret((const unsigned char *)s, n, h, 0) != 0) {
        snprintf(err, cap, "SHA-256 of the page's %s failed", open);
        return -1;
    }
    return eb_base64_encode(h, sizeof h, out, HASH_B64, err, cap) < 0 ? -1 : 0;
}

static int h_page(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    if (!g_ready) {
        r->status = 500;
        r->content_type = "text/plain; charset=utf-8";
        eb_http_resp_printf(r, "the dashboard is not available: its policy could not be made (see the log)\n");
        return 0;
    }
    r->content_type = "text/html; charset=utf-8";
    r->headers = g_headers;
    eb_http_resp_write(r, k_dashboard_html, sizeof k_dashboard_html);
    return 0;
}

void eb_ddash_routes(eb_daemon_t *d, eb_http_route_t *rt)
{
    rt[0] = (eb_http_route_t){"/", EB_HTTP_M(GET), 0, 0, h_page, d};
    rt[1] = (eb_http_route_t){"/api/v1/equity", EB_HTTP_M(GET), 0, 0, eb_dapi_equity, d};
    if (g_ready)
        return;
    char script[HASH_B64], style[HASH_B64], err[200];
    if (hash_of("<script>", "</script>", script, err, sizeof err) != 0 ||
        hash_of("<style>", "</style>", style, err, sizeof err) != 0) {
        eb_dlog(d, 3, "GET / will answer 500: %s", err);
        return;
    }
    int n = snprintf(g_headers, sizeof g_headers,
                     "Content-Security-Policy: default-src 'none'; script-src 'sha256-%s'; style-src 'sha256-%s'; "
                     "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
                     "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n",
                     script, style);
    g_ready = n > 0 && (size_t)n < sizeof g_headers;
}
