/* The strict JSON layer every config reader uses: what cJSON accepts silently is refused here, naming
 * the file, the line and the key path. */
#include "common/json_strict.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

static char err[512];

/* 1 when text is refused with an error containing every one of want[] (NULL-terminated). */
static int refused(const char *text, size_t len, const char *const *want)
{
    err[0] = 0;
    cJSON *j = eb_json_strict_parse(text, len, "cfg.json", err, sizeof err);
    if (j) {
        cJSON_Delete(j);
        return 0;
    }
    for (; *want; want++)
        if (!strstr(err, *want)) {
            fprintf(stderr, "  error '%s' lacks '%s'\n", err, *want);
            return 0;
        }
    return 1;
}

#define REFUSED(text, ...) CHECK(refused(text, strlen(text), (const char *const[]){__VA_ARGS__, NULL}))

TEST(accepts_valid)
{
    const char *t = "{\"a\": {\"b\": [1, 2.5e3, -0.1, \"x\\\"y\"], \"c\": null}, \"d\": true, \"e\": \"\\u0041\"}\n";
    cJSON *j = eb_json_strict_parse(t, strlen(t), "cfg.json", err, sizeof err);
    CHECK_MSG(j != NULL, "%s", err);
    CHECK(cJSON_IsObject(j));
    cJSON_Delete(j);
    /* the same key in two different objects is not a duplicate */
    const char *t2 = "{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}";
    j = eb_json_strict_parse(t2, strlen(t2), "cfg.json", err, sizeof err);
    CHECK_MSG(j != NULL, "%s", err);
    cJSON_Delete(j);
}

TEST(duplicates)
{
    REFUSED("{\"a\": 1, \"a\": 2}", "cfg.json:1:", "key 'a'", "duplicate");
    REFUSED("{\"appliance\": {\"x\": 1},\n \"appliance\": {\"x\": 2}}", "cfg.json:2:", "key 'appliance'",
            "duplicate");
    REFUSED("{\"a\": {\"b\": 1,\n\n \"b\": 1}}", "cfg.json:3:", "key 'a.b'", "duplicate");
    REFUSED("{\"a\": [{}, {\"k\": 1, \"k\": 1}]}", "key 'a[1].k'", "duplicate");
    REFUSED("{\"x\": {\"ab\": 1, \"\\u0061b\": 2}}", "key 'x.ab'", "duplicate key (spelled two ways)");
}

TEST(trailing_text)
{
    REFUSED("{\"a\": 1} x", "cfg.json:1:", "text after the JSON value", "x");
    REFUSED("{\"a\": 1}\n{\"a\": 2}", "cfg.json:2:", "text after the JSON value");
}

TEST(nul)
{
    REFUSED("{\"a\": {\"s\": \"ab\\u0000cd\"}}", "key 'a.s'", "\\u0000");
    REFUSED("{\"k\\u0000\": 1}", "key 'k\\u0000'", "NUL");
    static const char raw[] = "{\"a\":\n 1\0}";
    CHECK(refused(raw, sizeof raw - 1, (const char *const[]){"cfg.json:2:", "NUL byte at line 2", NULL}));
    /* an escaped backslash followed by u0000 is text, not a NUL */
    const char *ok = "{\"a\": \"\\\\u0000\"}";
    cJSON *j = eb_json_strict_parse(ok, strlen(ok), "cfg.json", err, sizeof err);
    CHECK_MSG(j != NULL, "%s", err);
    cJSON_Delete(j);
}

TEST(overflow)
{
    REFUSED("{\"risk\": {\"max\": 1e400}}", "key 'risk.max'", "overflows");
    REFUSED("{\"a\": [1, -2e999]}", "key 'a[1]'", "overflows");
    CHECK(!strstr(err, "null"));
}

TEST(not_json)
{
    REFUSED("{\"a\": \n tru}", "cfg.json:2:", "not valid JSON");
    REFUSED("", "cfg.json:1:", "not valid JSON");
}

int main(void)
{
    RUN(accepts_valid);
    RUN(duplicates);
    RUN(trailing_text);
    RUN(nul);
    RUN(overflow);
    RUN(not_json);
    return eb_check_report();
}
