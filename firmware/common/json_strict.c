#include "common/json_strict.h"

#include "common/errf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON nests 1000 deep; no config comes near 16, and a fixed stack keeps the scan simple. */
enum { MAX_DEPTH = 64, MAX_KEYS = 4096, NUM_MAX = 511 };

typedef struct {
    int is_obj, expect_key;
    long index;             /* arrays: the element being scanned */
    const char *key;        /* objects: the raw spelling of the current key */
    size_t key_len, keys_at; /* keys_at: where this object's keys start in scan.keys */
} frame_t;

typedef struct {
    const char *p;
    size_t n;
} span_t;

typedef struct {
    const char *name;
    int line, depth;
    frame_t st[MAX_DEPTH];
    span_t *keys;
    size_t nkeys, room;
    char *err;
    size_t cap;
} scan_t;

/* "a.b[2].c": the keys and indices from the root to the value being scanned. */
static const char *path(const scan_t *s, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < s->depth && at < cap; i++) {
        const frame_t *f = &s->st[i];
        int w;
        if (f->is_obj && f->key)
            w = snprintf(buf + at, cap - at, "%s%.*s", at ? "." : "", (int)(f->key_len > 60 ? 60 : f->key_len),
                         f->key);
        else if (!f->is_obj)
            w = snprintf(buf + at, cap - at, "[%ld]", f->index);
        else
            w = 0;
        if (w < 0)
            break;
        at += (size_t)w;
    }
    return buf[0] ? buf : "(top level)";
}

static int fail(scan_t *s, const char *what)
{
    char p[512];
    return eb_errf(s->err, s->cap, "%s:%d: key '%s': %s", s->name, s->line, path(s, p, sizeof p), what);
}

/* A key of the innermost object: refused when the object already has it (same spelling). */
static int add_key(scan_t *s, frame_t *f, const char *k, size_t n)
{
    for (size_t i = f->keys_at; i < s->nkeys; i++)
        if (s->keys[i].n == n && memcmp(s->keys[i].p, k, n) == 0) {
            f->key = k;
            f->key_len = n;
            return fail(s, "duplicate key (each key may appear once per object)");
        }
    if (s->nkeys - f->keys_at >= MAX_KEYS)
        return fail(s, "object with more than 4096 keys");
    if (s->nkeys == s->room) {
        size_t room = s->room ? 2 * s->room : 64;
        span_t *nk = realloc(s->keys, room * sizeof *nk);
        if (!nk)
            return eb_errf(s->err, s->cap, "%s: out of memory", s->name);
        s->keys = nk;
        s->room = room;
    }
    s->keys[s->nkeys++] = (span_t){k, n};
    f->key = k;
    f->key_len = n;
    return 0;
}

/* The string starting at p (its opening quote); returns the closing quote. */
static const char *string_end(const char *p, const char *end, int *has_nul)
{
    *has_nul = 0;
    for (p++; p < end && *p != '"'; p++) {
        if (*p != '\\')
            continue;
        if (end - p >= 6 && p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
            *has_nul = 1;
        p++; /* the escaped character: an escaped quote does not end the string */
    }
    return p;
}

static int number(scan_t *s, const char **pp, const char *end)
{
    const char *p = *pp;
    size_t n = 0;
    while (p + n < end && strchr("+-.eE0123456789", p[n]) && p[n])
        n++;
    *pp = p + n - 1;
    if (n > NUM_MAX)
        return fail(s, "number longer than 511 characters");
    char buf[NUM_MAX + 1];
    memcpy(buf, p, n);
    buf[n] = 0;
    errno = 0;
    double v = strtod(buf, NULL);
    if (isinf(v)) {
        char what[128];
        snprintf(what, sizeof what, "%.40s overflows a double (largest about 1.8e308)", buf);
        return fail(s, what);
    }
    return 0;
}

static int scan(scan_t *s, const char *p, const char *end)
{
    for (; p < end; p++) {
        frame_t *top = s->depth ? &s->st[s->depth - 1] : NULL;
        char c = *p;
        if (c == '\n') {
            s->line++;
        } else if (c == '{' || c == '[') {
            if (s->depth == MAX_DEPTH)
                return fail(s, "nested deeper than 64 levels");
            s->st[s->depth++] = (frame_t){.is_obj = c == '{', .expect_key = c == '{', .keys_at = s->nkeys};
        } else if (c == '}' || c == ']') {
            if (top) {
                s->nkeys = top->keys_at;
                s->depth--;
            }
        } else if (c == ',') {
            if (top && top->is_obj)
                top->expect_key = 1;
            else if (top)
                top->index++;
        } else if (c == ':') {
            if (top)
                top->expect_key = 0;
        } else if (c == '"') {
            int nul;
            const char *q = string_end(p, end, &nul);
            if (top && top->is_obj && top->expect_key) {
                if (add_key(s, top, p + 1, (size_t)(q - p - 1)) != 0)
                    return -1;
                if (nul)
                    return fail(s, "the key holds \\u0000 (a NUL character is not allowed)");
            } else if (nul) {
                return fail(s, "the string holds \\u0000 (a NUL character is not allowed)");
            }
            p = q;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (number(s, &p, end) != 0)
                return -1;
        }
    }
    return 0;
}

/* The same key spelled two ways ("a" and "\\u0061") passes the raw scan: the decoded names are compared
 * here. at: the path so far (for the message). */
static int decoded_duplicates(const cJSON *node, char *at, size_t len, size_t cap, const char *name, char *err,
                              size_t errcap)
{
    for (const cJSON *c = node->child; c; c = c->next) {
        size_t n = len;
        if (cJSON_IsObject(node) && c->string) {
            for (const cJSON *d = node->child; d != c; d = d->next)
                if (d->string && strcmp(d->string, c->string) == 0)
                    return eb_errf(err, errcap, "%s: key '%s%s%.60s': duplicate key (spelled two ways)", name, at,
                                   len ? "." : "", c->string);
            int w = snprintf(at + len, cap - len, "%s%.60s", len ? "." : "", c->string);
            n = w > 0 && len + (size_t)w < cap ? len + (size_t)w : len;
        }
        if (c->child && decoded_duplicates(c, at, n, cap, name, err, errcap) != 0)
            return -1;
        at[len] = 0;
    }
    return 0;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

cJSON *eb_json_strict_parse(const char *text, size_t len, const char *name, char *err, size_t cap)
{
    const char *nul = memchr(text, 0, len);
    if (nul) {
        eb_errf(err, cap, "%s:%d: NUL byte at line %d (a config is text)", name, line_of(text, nul),
                line_of(text, nul));
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        if (!at || at < text || at > text + len)
            at = text + len;
        size_t left = (size_t)(text + len - at);
        eb_errf(err, cap, "%s:%d: not valid JSON (near \"%.*s\")", name, line_of(text, at),
                (int)(left > 40 ? 40 : left), at);
        return NULL;
    }
    const char *t = end;
    while (t < text + len && strchr(" \t\r\n", *t))
        t++;
    if (t < text + len) {
        size_t left = (size_t)(text + len - t);
        eb_errf(err, cap, "%s:%d: text after the JSON value: \"%.*s\"", name, line_of(text, t),
                (int)(left > 40 ? 40 : left), t);
        cJSON_Delete(root);
        return NULL;
    }
    scan_t *s = calloc(1, sizeof *s);
    if (!s) {
        cJSON_Delete(root);
        eb_errf(err, cap, "%s: out of memory", name);
        return NULL;
    }
    s->name = name;
    s->line = 1;
    s->err = err;
    s->cap = cap;
    int rc = scan(s, text, end);
    free(s->keys);
    free(s);
    char at[512] = "";
    if (rc == 0)
        rc = decoded_duplicates(root, at, 0, sizeof at, name, err, cap);
    if (rc != 0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
