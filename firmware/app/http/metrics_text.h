/* The Prometheus text exposition format 0.0.4 (docs/metrics.md "Prometheus"), written into a fixed
 * buffer. It enforces the conventions promtool checks, so a wrong metric fails where it is declared, not
 * at the scrape: names in snake_case ([a-z_:][a-z0-9_:]*), HELP and TYPE before the samples, counters end
 * in _total, and no unit suffix that is not a base unit (_ms, _kb, _minutes ...). */
#ifndef EB_APP_HTTP_METRICS_TEXT_H
#define EB_APP_HTTP_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define EB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef enum { EB_METRIC_COUNTER, EB_METRIC_GAUGE, EB_METRIC_HISTOGRAM } eb_metric_type_t;

typedef struct {
    char *buf;
    size_t cap, len;
    const char *family; /* the family being written (its samples must carry its name) */
    eb_metric_type_t type;
    int failed;         /* a write did not fit or a name broke a rule: err says which */
    char err[160];
} eb_metrics_text_t;

void eb_mt_init(eb_metrics_text_t *w, char *buf, size_t cap);

/* "# HELP name help" and "# TYPE name type". The name is checked (see above); help must be non-empty
 * and is escaped (backslash, newline). */
void eb_mt_family(eb_metrics_text_t *w, const char *name, eb_metric_type_t type, const char *help);

/* One sample of the current family (counter or gauge). labels: NULL, or "k1", "v1", "k2", "v2", ...,
 * NULL; label values are escaped (backslash, quote, newline). */
void eb_mt_sample(eb_metrics_text_t *w, double value, const char *const *labels);
void eb_mt_sample_u64(eb_metrics_text_t *w, uint64_t value, const char *const *labels);

/* A whole histogram sample set: cumulative _bucket{le=...} for each upper bound (ascending) and +Inf,
 * then _sum and _count. counts[i] are per-bucket (not cumulative); counts[n] is the overflow bucket. */
void eb_mt_histogram(eb_metrics_text_t *w, const double *bounds, const uint64_t *counts, size_t n, double sum,
                     const char *const *labels);

/* 0 when everything fit and every rule held; -1 otherwise (w->err says why). */
int eb_mt_finish(const eb_metrics_text_t *w);

#endif
