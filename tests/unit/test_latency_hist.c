/* The latency histogram against exact quantiles of the same samples (sorted): within the bucket width
 * (1/32 relative) for every quantile asked, exact maximum and mean, and the edges (empty, one sample,
 * values below 32 ns, a value beyond the last bucket), and the count at or below a bound (Prometheus le). */
#include "core/latency_hist.h"
#include "tests/support/check.h"

#include <stdlib.h>

static eb_lat_hist_t H;
static uint64_t V[100000];

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t exact(const uint64_t *sorted, size_t n, double q)
{
    double want = q * (double)n;
    size_t rank = (size_t)want;
    if ((double)rank < want)
        rank++;
    return sorted[rank ? rank - 1 : 0];
}

TEST(quantiles_within_the_bucket_width)
{
    eb_lat_init(&H);
    uint64_t s = 88172645463325252ull, sum = 0;
    size_t n = sizeof V / sizeof V[0];
    for (size_t i = 0; i < n; i++) { /* a long tail: mostly 2-6 us, now and then up to 2 ms */
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        V[i] = 2000 + s % 4000 + (s % 997 == 0 ? s % 2000000 : 0);
        sum += V[i];
        eb_lat_add(&H, V[i]);
    }
    qsort(V, n, sizeof V[0], cmp);
    const double qs[] = {0.5, 0.9, 0.99, 0.999, 0.9999, 1.0};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        uint64_t want = exact(V, n, qs[k]), got = eb_lat_quantile(&H, qs[k]);
        CHECK_MSG(got >= want && (double)got <= (double)want * (1.0 + 1.0 / 32) + 1, "q %.4f: %llu, exact %llu", qs[k],
                  (unsigned long long)got, (unsigned long long)want);
    }
    CHECK(eb_lat_quantile(&H, 1.0) == V[n - 1]);
    CHECK(H.max_ns == V[n - 1]);
    CHECK_NEAR(eb_lat_mean_ns(&H), (double)sum / (double)n, 1e-6);
}

TEST(edges)
{
    eb_lat_init(&H);
    CHECK(eb_lat_quantile(&H, 0.5) == 0);
    CHECK(eb_lat_mean_ns(&H) == 0);
    eb_lat_add(&H, 7);
    CHECK(eb_lat_quantile(&H, 0.5) == 7 && eb_lat_quantile(&H, 1.0) == 7);
    for (uint64_t v = 0; v < 32; v++) /* exact below 32 ns */
        eb_lat_add(&H, v);
    CHECK(eb_lat_quantile(&H, 1.0 / 33) == 0);
    eb_lat_add(&H, 1ull << 40); /* beyond the last bucket: counted there, the maximum still exact */
    CHECK(eb_lat_quantile(&H, 1.0) == 1ull << 40);
    CHECK(H.count == 34);
    CHECK(eb_lat_quantile(&H, 0) == 0);
}

/* The Prometheus folding: counted at or below a bound only when certainly at or below it, never early,
 * and at most one bucket (1/32) late; the overflow bucket never counts. */
TEST(count_at_most)
{
    eb_lat_init(&H);
    CHECK(eb_lat_count_at_most(&H, 1000000) == 0);
    const uint64_t vals[] = {5, 31, 1000, 1031, 1100, 50000, 999999, 1000000, 1ull << 40};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        eb_lat_add(&H, vals[i]);
    CHECK(eb_lat_count_at_most(&H, 31) == 2);   /* exact below 32 ns */
    CHECK(eb_lat_count_at_most(&H, 999) == 2);  /* 1000 is in the bucket 992..1007: not certainly <= 999 */
    CHECK(eb_lat_count_at_most(&H, 1007) == 3);
    for (uint64_t le = 1; le < (1ull << 36); le = le * 3 + 1) {
        uint64_t sure = 0, loose = 0;
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            sure += vals[i] <= le - le / 16;
            loose += vals[i] <= le;
        }
        uint64_t got = eb_lat_count_at_most(&H, le);
        CHECK_MSG(got <= loose && got >= sure, "le %llu: %llu not in %llu..%llu", (unsigned long long)le,
                  (unsigned long long)got, (unsigned long long)sure, (unsigned long long)loose);
    }
    CHECK(eb_lat_count_at_most(&H, UINT64_MAX) == 8); /* 2^40 is beyond the last bucket */
}

int main(void)
{
    RUN(count_at_most);
    RUN(quantiles_within_the_bucket_width);
    RUN(edges);
    return eb_check_report();
}
