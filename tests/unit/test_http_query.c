/* Query strings of the read routes: the accepted form, each refusal with the parameter it names, values
 * read back exactly, and integer bounds (including a value too long to overflow into range). */
#include "app/http/http_query.h"
#include "tests/support/check.h"

#include <string.h>

static const char *const k_names[] = {"limit", "kind", NULL};

static eb_http_slice_t q(const char *s) { return (eb_http_slice_t){s, strlen(s)}; }

static int check_q(const char *s, char *why, size_t cap) { return eb_http_query_check(q(s), k_names, why, cap); }

TEST(accepted)
{
    char why[160];
    const char *good[] = {"", "limit=5", "kind=trade", "limit=5&kind=kill_switch", "kind=a.b-c_D9&limit=200",
                          "limit=12345678901234567890123456789012"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_MSG(check_q(good[i], why, sizeof why) == 0, "'%s' refused: %s", good[i], why);
}

TEST(refused_with_the_reason)
{
    static const struct {
        const char *query, *why;
    } bad[] = {
        {"limt=5", "unknown query parameter 'limt'"},
        {"limit=5&limit=6", "query parameter 'limit' given twice"},
        {"limit=", "query parameter 'limit' needs a value"},
        {"limit", "query parameter 'limit' needs a value"},
        {"limit=%35", "query parameter 'limit' needs a value"},
        {"kind=a+b", "query parameter 'kind' needs a value"},
        {"limit=123456789012345678901234567890123", "query parameter 'limit' needs a value"},
        {"&limit=5", "unknown query parameter ''"},
        {"limit=5&", "unknown query parameter ''"},
        {"=5", "unknown query parameter ''"},
        {"li%6dit=5", "unknown query parameter 'li%6dit'"},
        {"LIMIT=5", "unknown query parameter 'LIMIT'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[160] = "";
        CHECK_MSG(check_q(bad[i].query, why, sizeof why) == -1 && strncmp(why, bad[i].why, strlen(bad[i].why)) == 0,
                  "'%s': '%s', wanted '%s'", bad[i].query, why, bad[i].why);
    }
    char why[160];
    const char *const none[] = {NULL};
    CHECK_EQ_INT(eb_http_query_check(q("limit=5"), none, why, sizeof why), -1);
    CHECK_EQ_INT(eb_http_query_check(q(""), none, why, sizeof why), 0);
}

TEST(values)
{
    char v[EB_HTTP_QUERY_VALUE_MAX + 1];
    CHECK_EQ_INT(eb_http_query_get(q("limit=5&kind=trade"), "kind", v, sizeof v), 1);
    CHECK_EQ_STR(v, "trade");
    CHECK_EQ_INT(eb_http_query_get(q("limit=5&kind=trade"), "limit", v, sizeof v), 1);
    CHECK_EQ_STR(v, "5");
    CHECK_EQ_INT(eb_http_query_get(q("limit=5"), "kind", v, sizeof v), 0);
    CHECK_EQ_INT(eb_http_query_get(q("kinds=x"), "kind", v, sizeof v), 0); /* a whole name, not a prefix */
}

TEST(integers)
{
    char why[160];
    long n = -7;
    CHECK_EQ_INT(eb_http_query_int(q(""), "limit", 1, 200, 50, &n, why, sizeof why), 0);
    CHECK_EQ_INT(n, 50);
    CHECK_EQ_INT(eb_http_query_int(q("limit=200"), "limit", 1, 200, 50, &n, why, sizeof why), 0);
    CHECK_EQ_INT(n, 200);
    CHECK_EQ_INT(eb_http_query_int(q("limit=1"), "limit", 1, 200, 50, &n, why, sizeof why), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(eb_http_query_int(q("limit=007"), "limit", 1, 200, 50, &n, why, sizeof why), 0);
    CHECK_EQ_INT(n, 7);
    const char *bad[] = {"limit=0", "limit=201", "limit=-1", "limit=1.5", "limit=abc", "limit=1e2",
                         "limit=99999999999999999999999999999999", "limit=18446744073709551617"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(eb_http_query_int(q(bad[i]), "limit", 1, 200, 50, &n, why, sizeof why) == -1 &&
                      strstr(why, "'limit' must be an integer 1..200"),
                  "'%s' accepted (%ld)", bad[i], n);
    }
}

int main(void)
{
    RUN(accepted);
    RUN(refused_with_the_reason);
    RUN(values);
    RUN(integers);
    return eb_check_report();
}
