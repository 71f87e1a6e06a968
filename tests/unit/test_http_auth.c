/* The control token check: equal only for the exact token (no prefix, no extension, no empty token),
 * the Bearer scheme case-insensitive, and the comparison's work independent of where a guess differs. */
#include "app/http/http_auth.h"
#include "tests/support/check.h"

#include <string.h>

static int ok_with(const char *authorization)
{
    char raw[512];
    snprintf(raw, sizeof raw, "POST /api/v1/halt HTTP/1.1\r\nHost: a\r\n%s%s%s\r\n", authorization ? "Authorization: " : "",
             authorization ? authorization : "", authorization ? "\r\n" : "");
    eb_http_limits_t lim = eb_http_default_limits();
    eb_http_req_t req;
    if (eb_http_parse(raw, strlen(raw), &lim, &req) != EB_HTTP_PARSE_DONE)
        return -1;
    return eb_http_bearer_ok(&req, "s3cret", 6);
}

TEST(token_equal)
{
    CHECK(eb_http_token_equal("abc", 3, "abc", 3));
    CHECK(!eb_http_token_equal("abd", 3, "abc", 3));
    CHECK(!eb_http_token_equal("ab", 2, "abc", 3));
    CHECK(!eb_http_token_equal("abcd", 4, "abc", 3));
    CHECK(!eb_http_token_equal("", 0, "abc", 3));
    CHECK(!eb_http_token_equal("xbc", 3, "abc", 3));
    CHECK(eb_http_token_equal("", 0, "", 0));
    static const char nul[] = "ab\0";
    CHECK(!eb_http_token_equal(nul, 3, "abc", 3));
}

TEST(bearer)
{
    CHECK_EQ_INT(ok_with("Bearer s3cret"), 1);
    CHECK_EQ_INT(ok_with("bearer s3cret"), 1);
    CHECK_EQ_INT(ok_with("BEARER   s3cret"), 1);
    CHECK_EQ_INT(ok_with("Bearer s3cre"), 0);
    CHECK_EQ_INT(ok_with("Bearer s3cret2"), 0);
    CHECK_EQ_INT(ok_with("Bearer S3CRET"), 0);
    CHECK_EQ_INT(ok_with("Basic s3cret"), 0);
    CHECK_EQ_INT(ok_with("Bearers3cret"), 0);
    CHECK_EQ_INT(ok_with("s3cret"), 0);
    CHECK_EQ_INT(ok_with("Bearer"), 0);
    CHECK_EQ_INT(ok_with(NULL), 0);
    /* no token configured: closed, even for an empty bearer */
    eb_http_limits_t lim = eb_http_default_limits();
    eb_http_req_t req;
    const char *raw = "POST / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \r\n\r\n";
    CHECK_EQ_INT(eb_http_parse(raw, strlen(raw), &lim, &req), EB_HTTP_PARSE_DONE);
    CHECK_EQ_INT(eb_http_bearer_ok(&req, "", 0), 0);
}

int main(void)
{
    RUN(token_equal);
    RUN(bearer);
    return eb_check_report();
}
