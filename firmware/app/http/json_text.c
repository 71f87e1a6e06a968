#include "app/http/json_text.h"

#include <math.h>

void eb_json_str(eb_http_resp_t *r, const char *s)
{
    if (!s) {
        eb_http_resp_write(r, "null", 4);
        return;
    }
    eb_http_resp_write(r, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            eb_http_resp_write(r, e, 2);
        } else if (*p < 0x20) {
            eb_http_resp_printf(r, "\\u%04x", *p);
        } else {
            eb_http_resp_write(r, p, 1);
        }
    }
    eb_http_resp_write(r, "\"", 1);
}

void eb_json_num(eb_http_resp_t *r, double v)
{
    if (isfinite(v))
        eb_http_resp_printf(r, "%.17g", v);
    else
        eb_http_resp_write(r, "null", 4);
}
