#include "app/http/http_query.h"

#include "common/errf.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *p, *end;
    int done; /* no pair is left: an empty query has none, and a trailing '&' leaves an empty one */
} walk_t;

static walk_t walk_start(eb_http_slice_t q) { return (walk_t){q.p, q.p + q.n, q.n == 0}; }

/* The next name=value pair (value n 0 when there is no '='); 0 at the end. */
static int next_pair(walk_t *w, eb_http_slice_t *name, eb_http_slice_t *value, int *has_eq)
{
    if (w->done)
        return 0;
    const char *amp = memchr(w->p, '&', (size_t)(w->end - w->p));
    const char *stop = amp ? amp : w->end;
    const char *eq = memchr(w->p, '=', (size_t)(stop - w->p));
    *has_eq = eq != NULL;
    name->p = w->p;
    name->n = (size_t)((eq ? eq : stop) - w->p);
    value->p = eq ? eq + 1 : stop;
    value->n = (size_t)(stop - value->p);
    w->p = amp ? amp + 1 : w->end;
    w->done = amp == NULL;
    return 1;
}

static int plain(eb_http_slice_t s)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return 0;
    }
    return 1;
}

static int same(eb_http_slice_t s, const char *name) { return strlen(name) == s.n && memcmp(s.p, name, s.n) == 0; }

int eb_http_query_check(eb_http_slice_t q, const char *const names[], char *err, size_t cap)
{
    walk_t w = walk_start(q);
    eb_http_slice_t name, value;
    int has_eq;
    unsigned seen = 0; /* one bit per entry of names */
    while (next_pair(&w, &name, &value, &has_eq)) {
        int k = -1;
        for (int i = 0; i < 32 && names[i]; i++)
            if (same(name, names[i]))
                k = i;
        if (name.n == 0 || !plain(name) || k < 0)
            return eb_errf(err, cap, "unknown query parameter '%.*s'", (int)(name.n > 40 ? 40 : name.n), name.p);
        if (seen & (1u << k))
            return eb_errf(err, cap, "query parameter '%s' given twice", names[k]);
        seen |= 1u << k;
        if (!has_eq || value.n == 0 || value.n > EB_HTTP_QUERY_VALUE_MAX || !plain(value))
            return eb_errf(err, cap, "query parameter '%s' needs a value of 1..%d letters, digits, '_', '-' or '.'",
                           names[k], EB_HTTP_QUERY_VALUE_MAX);
    }
    return 0;
}

int eb_http_query_get(eb_http_slice_t q, const char *name, char *out, size_t cap)
{
    walk_t w = walk_start(q);
    eb_http_slice_t n, v;
    int has_eq;
    while (next_pair(&w, &n, &v, &has_eq))
        if (same(n, name)) {
            snprintf(out, cap, "%.*s", (int)v.n, v.p);
            return 1;
        }
    return 0;
}

int eb_http_query_int(eb_http_slice_t q, const char *name, long lo, long hi, long dflt, long *out, char *err,
                      size_t cap)
{
    char v[EB_HTTP_QUERY_VALUE_MAX + 1];
    *out = dflt;
    if (!eb_http_query_get(q, name, v, sizeof v))
        return 0;
    long n = 0;
    int digits = 1;
    for (const char *c = v; *c && digits; c++) {
        digits = *c >= '0' && *c <= '9';
        if (digits && n <= hi) /* past hi it is refused anyway: stop growing before it can overflow */
            n = n * 10 + (*c - '0');
    }
    if (!digits || n < lo || n > hi)
        return eb_errf(err, cap, "query parameter '%s' must be an integer %ld..%ld", name, lo, hi);
    *out = n;
    return 0;
}
