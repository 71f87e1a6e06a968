/* JSON string output for HTTP answers, without allocation (cJSON would allocate per request). */
#ifndef EB_APP_HTTP_JSON_TEXT_H
#define EB_APP_HTTP_JSON_TEXT_H

#include "app/http/http_conn.h"

/* "s" with quotes, backslashes and control bytes escaped (RFC 8259); NULL writes null. */
void eb_json_str(eb_http_resp_t *r, const char *s);
/* A finite number with %.17g, or null. */
void eb_json_num(eb_http_resp_t *r, double v);

#endif
