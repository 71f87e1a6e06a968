#include "core/latency_hist.h"

#include <string.h>

#define SUB (1u << EB_LAT_SUB_BITS)

void eb_lat_init(eb_lat_hist_t *h) { memset(h, 0, sizeof *h); }

/* Values below SUB ns have their own buckets; above, the top EB_LAT_SUB_BITS+1 bits pick the bucket. */
static unsigned index_of(uint64_t ns)
{
    if (ns < SUB)
        return (unsigned)ns;
    unsigned msb = 63u - (unsigned)__builtin_clzll(ns); /* >= EB_LAT_SUB_BITS */
    unsigned shift = msb - EB_LAT_SUB_BITS;
    unsigned i = ((shift + 1) << EB_LAT_SUB_BITS) + (unsigned)((ns >> shift) - SUB);
    return i < EB_LAT_BUCKETS ? i : EB_LAT_BUCKETS - 1;
}

/* The largest value that lands in bucket i. */
static uint64_t upper_of(unsigned i)
{
    if (i < SUB)
        return i;
    unsigned shift = (i >> EB_LAT_SUB_BITS) - 1;
    uint64_t mant = SUB + (i & (SUB - 1));
    return ((mant + 1) << shift) - 1;
}

void eb_lat_add(eb_lat_hist_t *h, uint64_t ns)
{
    h->bucket[index_of(ns)]++;
    h->count++;
    h->sum_ns += ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

uint64_t eb_lat_quantile(const eb_lat_hist_t *h, double q)
{
    if (h->count == 0 || !(q > 0))
        return 0;
    double want = q >= 1 ? (double)h->count : q * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    uint64_t seen = 0;
    for (unsigned i = 0; i < EB_LAT_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            uint64_t up = upper_of(i); /* the last bucket also holds everything beyond it */
            return up < h->max_ns && i < EB_LAT_BUCKETS - 1 ? up : h->max_ns;
        }
    }
    return h->max_ns;
}

double eb_lat_mean_ns(const eb_lat_hist_t *h) { return h->count ? (double)h->sum_ns / (double)h->count : 0.0; }

uint64_t eb_lat_count_at_most(const eb_lat_hist_t *h, uint64_t ns)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < EB_LAT_BUCKETS - 1 && upper_of(i) <= ns; i++) /* the last also holds beyond */
        n += h->bucket[i];
    return n;
}
