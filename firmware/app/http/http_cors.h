/* CORS for browser-side clients (Open WebUI's tool servers, a dashboard on another port): only origins on
 * the configured allow-list get Access-Control-* headers, so a page from anywhere else cannot read the
 * answers or send the bearer token (docs/api.md "CORS"). The list is empty by default. */
#ifndef EB_APP_HTTP_CORS_H
#define EB_APP_HTTP_CORS_H

#include <stddef.h>

#include "app/http/http_parse.h"

/* The request's Origin when it is exactly one of origins[0..n) (case-sensitive, as browsers send it);
 * NULL otherwise (no Origin, or one not on the list). */
const char *eb_http_cors_origin(const eb_http_req_t *req, const char *const *origins, int n);

/* The header lines for an allowed origin: Access-Control-Allow-Origin and Vary, and for a preflight also
 * the methods (allow_methods, "GET, POST"), Authorization and Content-Type as headers, and a 10 min
 * max-age. Written into buf; returns buf, or NULL when it does not fit. */
const char *eb_http_cors_headers(const char *origin, int preflight, const char *allow_methods, char *buf, size_t cap);

#endif
