/* JSON output of the HTTP answers: strings escaped per RFC 8259 (quote, backslash, every control byte;
 * UTF-8 passes), NULL as null, non-finite numbers as null, and a body that does not fit marks overflow. */
#include "app/http/json_text.h"
#include "tests/support/check.h"

#include <math.h>
#include <string.h>

static eb_http_conn_t conn;

static const char *body(const eb_http_resp_t *r)
{
    static char out[256];
    size_t n = r->len < sizeof out - 1 ? r->len : sizeof out - 1;
    memcpy(out, r->body, n);
    out[n] = '\0';
    return out;
}

TEST(strings_and_numbers)
{
    eb_http_resp_t r;
    eb_http_conn_begin(&conn, &r);
    eb_json_str(&r, "a\"b\\c\n\t\x01 caf\xc3\xa9");
    CHECK_EQ_STR(body(&r), "\"a\\\"b\\\\c\\u000a\\u0009\\u0001 caf\xc3\xa9\"");
    eb_http_conn_begin(&conn, &r);
    eb_json_str(&r, NULL);
    eb_http_resp_write(&r, ",", 1);
    eb_json_num(&r, 0.1);
    eb_http_resp_write(&r, ",", 1);
    eb_json_num(&r, NAN);
    eb_http_resp_write(&r, ",", 1);
    eb_json_num(&r, -INFINITY);
    CHECK_EQ_STR(body(&r), "null,0.10000000000000001,null,null");
    CHECK(!r.overflow);
}

TEST(overflow_is_marked)
{
    eb_http_resp_t r;
    eb_http_conn_begin(&conn, &r);
    r.cap = 4;
    eb_json_str(&r, "abcdef");
    CHECK(r.overflow);
    CHECK(r.len <= 4);
    eb_http_conn_begin(&conn, &r);
    r.cap = 3;
    eb_http_resp_printf(&r, "%d", 12345);
    CHECK(r.overflow);
    CHECK(r.len <= 3);
}

int main(void)
{
    RUN(strings_and_numbers);
    RUN(overflow_is_marked);
    return eb_check_report();
}
