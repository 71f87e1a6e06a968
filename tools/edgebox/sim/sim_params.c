/* Query and form decoding (sim_params.h). */
#include "tools/edgebox/sim/sim_params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/errf.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) onto the end of p->text; the start of the copy, or NULL. */
static const char *decode(eb_sim_params_t *p, const char *s, size_t len, char *err, size_t cap)
{
    if (p->used + len + 1 > sizeof p->text) {
        (void)eb_errf(err, cap, "parameters over %zu bytes", sizeof p->text);
        return NULL;
    }
    char *out = p->text + p->used, *w = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            *w++ = ' ';
        } else if (s[i] == '%') {
            int hi = i + 1 < len ? hexval(s[i + 1]) : -1, lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            int h = hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
            if (h <= 0) { /* a bad escape, or %00 (no parameter holds a NUL) */
                (void)eb_errf(err, cap, "bad percent-escape at byte %zu of '%.*s'", i, (int)len, s);
                return NULL;
            }
            *w++ = (char)h;
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    *w++ = '\0';
    p->used += (size_t)(w - out);
    return out;
}

int eb_sim_params_add(eb_sim_params_t *p, const char *s, size_t len, char *err, size_t cap)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        if (j > i) {
            if (p->n == EB_SIM_MAX_PARAMS)
                return eb_errf(err, cap, "more than %d parameters", EB_SIM_MAX_PARAMS);
            const char *eq = memchr(s + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : j - i;
            const char *k = decode(p, s + i, klen, err, cap);
            const char *v = k ? decode(p, eq ? eq + 1 : s + j, eq ? (size_t)(s + j - eq - 1) : 0, err, cap) : NULL;
            if (!v)
                return -1;
            p->key[p->n] = k;
            p->value[p->n] = v;
            p->n++;
        }
        i = j + 1;
    }
    return 0;
}

const char *eb_sim_param(const eb_sim_params_t *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->key[i], key) == 0)
            return p->value[i][0] ? p->value[i] : NULL;
    return NULL;
}

int eb_sim_param_int(const eb_sim_params_t *p, const char *key, long long *out)
{
    const char *s = eb_sim_param(p, key);
    if (!s)
        return 0;
    if (*s < '0' || *s > '9')
        return -1; /* no sign, no space: strtoll would take them */
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *end || errno ? -1 : 1;
}
