/* CORS: only an Origin exactly on the list is allowed (no prefix, no case folding, none without Origin or
 * with an empty list); the header lines of an answer and of a preflight, and a buffer too small is NULL. */
#include "app/http/http_cors.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

static const char *const k_list[] = {"http://webui.local:3000", "https://grafana.lan"};

static const char *origin_of(const char *origin_line, int n)
{
    static char raw[512];
    snprintf(raw, sizeof raw, "OPTIONS /api/v1/status HTTP/1.1\r\nHost: a\r\n%s\r\n", origin_line);
    eb_http_limits_t lim = eb_http_default_limits();
    static eb_http_req_t req;
    if (eb_http_parse(raw, strlen(raw), &lim, &req) != EB_HTTP_PARSE_DONE)
        return "(unparsed)";
    return eb_http_cors_origin(&req, k_list, n);
}

TEST(allow_list)
{
    CHECK(origin_of("Origin: http://webui.local:3000\r\n", 2) == k_list[0]);
    CHECK(origin_of("origin: https://grafana.lan\r\n", 2) == k_list[1]);
    CHECK(origin_of("Origin: http://webui.local:3000\r\n", 0) == NULL);
    CHECK(origin_of("Origin: http://webui.local:300\r\n", 2) == NULL);
    CHECK(origin_of("Origin: http://webui.local:30000\r\n", 2) == NULL);
    CHECK(origin_of("Origin: HTTP://WEBUI.LOCAL:3000\r\n", 2) == NULL);
    CHECK(origin_of("Origin: null\r\n", 2) == NULL);
    CHECK(origin_of("", 2) == NULL);
}

TEST(header_lines)
{
    char buf[512];
    CHECK_EQ_STR(eb_http_cors_headers("https://grafana.lan", 0, NULL, buf, sizeof buf),
                 "Access-Control-Allow-Origin: https://grafana.lan\r\nVary: Origin\r\n");
    CHECK_EQ_STR(eb_http_cors_headers("https://grafana.lan", 1, "POST", buf, sizeof buf),
                 "Access-Control-Allow-Origin: https://grafana.lan\r\nVary: Origin\r\n"
                 "Access-Control-Allow-Methods: POST\r\n"
                 "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
                 "Access-Control-Max-Age: 600\r\n");
    CHECK(eb_http_cors_headers("https://grafana.lan", 0, NULL, buf, 20) == NULL);
    CHECK(eb_http_cors_headers("https://grafana.lan", 1, "POST", buf, 80) == NULL);
}

int main(void)
{
    RUN(allow_list);
    RUN(header_lines);
    return eb_check_report();
}
