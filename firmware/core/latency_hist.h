/* A fixed-size latency histogram for tail figures (p50, p99, p99.9, max) with no allocation: log-linear
 * buckets, 32 per power of two of nanoseconds, so any quantile is reported within 1/32 (about 3 %) of the
 * true value from 1 ns to about 68 s. Added to once per bar; read at stop and by the metrics. */
#ifndef EB_CORE_LATENCY_HIST_H
#define EB_CORE_LATENCY_HIST_H

#include <stdint.h>

#define EB_LAT_SUB_BITS 5
#define EB_LAT_BUCKETS ((36 - EB_LAT_SUB_BITS + 1) << EB_LAT_SUB_BITS) /* values up to 2^36 ns */

typedef struct {
    uint32_t bucket[EB_LAT_BUCKETS];
    uint64_t count, sum_ns, max_ns;
} eb_lat_hist_t;

void eb_lat_init(eb_lat_hist_t *h);
void eb_lat_add(eb_lat_hist_t *h, uint64_t ns);
/* The q-quantile (0 < q <= 1) in ns: the upper bound of the bucket holding the rank ceil(q x count), never
 * above the maximum seen. 0 when empty. */
uint64_t eb_lat_quantile(const eb_lat_hist_t *h, double q);
double eb_lat_mean_ns(const eb_lat_hist_t *h);
/* How many values are certainly <= ns: the buckets whose every value is (for Prometheus `le` buckets,
 * which may then count a value one bucket late but never early). */
uint64_t eb_lat_count_at_most(const eb_lat_hist_t *h, uint64_t ns);

#endif
