/* Text exposition writer. Values are printed with %.17g so a double survives the round trip; NaN and
 * infinities use the spellings Prometheus reads ("NaN", "+Inf", "-Inf"). */
#include "app/http/metrics_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/http/text_append.h"
#include "common/errf.h"

void eb_mt_init(eb_metrics_text_t *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->family = NULL;
    w->type = EB_METRIC_GAUGE;
    w->failed = 0;
    w->err[0] = '\0';
    if (cap)
        buf[0] = '\0';
}

static void put(eb_metrics_text_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(eb_metrics_text_t *w, const char *fmt, ...)
{
    if (w->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int r = eb_text_vappend(w->buf, w->cap, &w->len, fmt, ap);
    va_end(ap);
    if (r != 0) {
        w->failed = 1;
        eb_errf(w->err, sizeof w->err, "metrics: output over %zu bytes", w->cap);
    }
}

/* Escaped text: backslash and newline always, the quote inside label values. */
static void put_escaped(eb_metrics_text_t *w, const char *s, int quote)
{
    for (; *s && !w->failed; s++) {
        if (*s == '\\')
            put(w, "\\\\");
        else if (*s == '\n')
            put(w, "\\n");
        else if (quote && *s == '"')
            put(w, "\\\"");
        else
            put(w, "%c", *s);
    }
}

static int bad(eb_metrics_text_t *w, const char *what, const char *name)
{
    if (!w->failed) {
        w->failed = 1;
        eb_errf(w->err, sizeof w->err, "metrics: %s: '%s'", what, name ? name : "(null)");
    }
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int check_name(eb_metrics_text_t *w, const char *name, eb_metric_type_t type)
{
    static const char *const non_base[] = {"_ms", "_milliseconds", "_us", "_microseconds", "_ns", "_minutes",
                                           "_hours", "_days", "_kb", "_kilobytes", "_mb", "_megabytes", "_kib",
                                           "_mib", "_percent"};
    if (!name || !*name || (name[0] >= '0' && name[0] <= '9'))
        return bad(w, "metric name must start with a letter, '_' or ':'", name);
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
            return bad(w, "metric name must be snake_case [a-z0-9_:]", name);
    if (type == EB_METRIC_COUNTER && !ends_with(name, "_total"))
        return bad(w, "counter name must end in _total", name);
    if (type != EB_METRIC_COUNTER && ends_with(name, "_total"))
        return bad(w, "only counters end in _total", name);
    if (type != EB_METRIC_HISTOGRAM && (ends_with(name, "_bucket") || ends_with(name, "_count") || ends_with(name, "_sum")))
        return bad(w, "_bucket, _count and _sum belong to histograms", name);
    const char *base = name;
    char stem[128];
    if (type == EB_METRIC_COUNTER) { /* the unit stands before _total */
        size_t n = strlen(name) - 6;
        if (n >= sizeof stem)
            return bad(w, "metric name too long", name);
        memcpy(stem, name, n);
        stem[n] = '\0';
        base = stem;
    }
    for (size_t i = 0; i < sizeof non_base / sizeof non_base[0]; i++)
        if (ends_with(base, non_base[i]))
            return bad(w, "metric unit must be a base unit (seconds, bytes, ratio)", name);
    return 0;
}

void eb_mt_family(eb_metrics_text_t *w, const char *name, eb_metric_type_t type, const char *help)
{
    if (w->failed || check_name(w, name, type) != 0)
        return;
    if (!help || !*help) {
        bad(w, "metric needs a HELP text", name);
        return;
    }
    static const char *const tname[] = {[EB_METRIC_COUNTER] = "counter", [EB_METRIC_GAUGE] = "gauge",
                                        [EB_METRIC_HISTOGRAM] = "histogram"};
    put(w, "# HELP %s ", name);
    put_escaped(w, help, 0);
    put(w, "\n# TYPE %s %s\n", name, tname[type]);
    w->family = name;
    w->type = type;
}

static int check_label_name(eb_metrics_text_t *w, const char *k)
{
    if (!k || !*k || (k[0] >= '0' && k[0] <= '9') || (k[0] == '_' && k[1] == '_'))
        return bad(w, "label name must start with a letter or '_' (not '__')", k);
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return bad(w, "label name must be [a-zA-Z0-9_]", k);
    if (strcmp(k, "le") == 0)
        return bad(w, "the label le belongs to histogram buckets", k);
    return 0;
}

/* name{k="v",...,extra_k="extra_v"} */
static void put_series(eb_metrics_text_t *w, const char *suffix, const char *const *labels, const char *le)
{
    put(w, "%s%s", w->family, suffix);
    if (!(labels && labels[0]) && !le)
        return;
    put(w, "{");
    int first = 1;
    for (size_t i = 0; labels && labels[i]; i += 2) {
        if (check_label_name(w, labels[i]) != 0)
            return;
        if (!labels[i + 1]) {
            bad(w, "label without a value", labels[i]);
            return;
        }
        put(w, "%s%s=\"", first ? "" : ",", labels[i]);
        put_escaped(w, labels[i + 1], 1);
        put(w, "\"");
        first = 0;
    }
    if (le)
        put(w, "%sle=\"%s\"", first ? "" : ",", le);
    put(w, "}");
}

/* The shortest of %.15g..%.17g that reads back as v: le="1e-05", not "1.0000000000000001e-05" (a
 * dashboard shows the label as text, and both parse to the same double). */
static void shortest(char *out, size_t cap, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static void put_value(eb_metrics_text_t *w, double v)
{
    if (isnan(v))
        put(w, " NaN\n");
    else if (isinf(v))
        put(w, " %s\n", v > 0 ? "+Inf" : "-Inf");
    else
        put(w, " %.17g\n", v);
}

static int in_family(eb_metrics_text_t *w, int histogram)
{
    if (w->failed)
        return 0;
    if (!w->family)
        return bad(w, "a sample before its family's HELP and TYPE", "") == 0;
    if (histogram != (w->type == EB_METRIC_HISTOGRAM))
        return bad(w, histogram ? "histogram samples in a non-histogram family" : "plain samples in a histogram",
                   w->family) == 0;
    return 1;
}

void eb_mt_sample(eb_metrics_text_t *w, double value, const char *const *labels)
{
    if (!in_family(w, 0))
        return;
    put_series(w, "", labels, NULL);
    put_value(w, value);
}

void eb_mt_sample_u64(eb_metrics_text_t *w, uint64_t value, const char *const *labels)
{
    if (!in_family(w, 0))
        return;
    put_series(w, "", labels, NULL);
    put(w, " %llu\n", (unsigned long long)value);
}

void eb_mt_histogram(eb_metrics_text_t *w, const double *bounds, const uint64_t *counts, size_t n, double sum,
                     const char *const *labels)
{
    if (!in_family(w, 1))
        return;
    uint64_t cum = 0;
    char le[40];
    for (size_t i = 0; i <= n; i++) {
        if (i < n && i > 0 && !(bounds[i] > bounds[i - 1])) {
            bad(w, "histogram bounds must ascend", w->family);
            return;
        }
        cum += counts[i];
        if (i < n)
            shortest(le, sizeof le, bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        put_series(w, "_bucket", labels, le);
        put(w, " %llu\n", (unsigned long long)cum);
    }
    put_series(w, "_sum", labels, NULL);
    put_value(w, sum);
    put_series(w, "_count", labels, NULL);
    put(w, " %llu\n", (unsigned long long)cum);
}

int eb_mt_finish(const eb_metrics_text_t *w) { return w->failed ? -1 : 0; }
