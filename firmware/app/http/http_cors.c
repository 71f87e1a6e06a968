#include "app/http/http_cors.h"

#include <stdio.h>
#include <string.h>

const char *eb_http_cors_origin(const eb_http_req_t *req, const char *const *origins, int n)
{
    const eb_http_slice_t *o = eb_http_header(req, "Origin");
    if (!o)
        return NULL;
    for (int i = 0; i < n; i++)
        if (strlen(origins[i]) == o->n && memcmp(origins[i], o->p, o->n) == 0)
            return origins[i];
    return NULL;
}

const char *eb_http_cors_headers(const char *origin, int preflight, const char *allow_methods, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", origin);
    if (n > 0 && (size_t)n < cap && preflight)
        n += snprintf(buf + n, cap - (size_t)n,
                      "Access-Control-Allow-Methods: %s\r\n"
                      "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
                      "Access-Control-Max-Age: 600\r\n", allow_methods);
    return n > 0 && (size_t)n < cap ? buf : NULL;
}
