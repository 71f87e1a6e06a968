/* make bench: signed request construction (issue 14 item 9), in µs per request, beside mbedTLS's raw
 * HMAC-SHA256 of the same payload measured in the same run. Each request is timed on its own, the raw MAC
 * and the construction alternating, so that a slice taken by another job on this shared machine falls on
 * both alike; median and p99 over N requests (100,000; EB_BENCH_N overrides).
 *   binance: 10 parameters of a spot STOP_LOSS_LIMIT (a client id that needs encoding, the timestamp
 *            formatted per request) -> percent-encoded query, HMAC, hex, `&signature=`; raw: mbedtls_md_hmac
 *            of that encoded query.
 *   kucoin:  the five V3 header values of a POST /api/v1/hf/orders with its JSON body (two MACs: the sign
 *            and the passphrase); raw: mbedtls_md_hmac of the prehash (timestamp + method + path + body). */
#include "app/venue_sign_binance.h"
#include "app/venue_sign_kucoin.h"

#include <mbedtls/md.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double p50, p99;
} quant_t;

static quant_t quantiles(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    quant_t q = {v[n / 2], v[(size_t)((double)n * 0.99)]};
    return q;
}

static const char SECRET[] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
static unsigned char g_sink;

static const char KC_SECRET[] = "test_api_secret";

/* The raw MAC, under the same secret the construction signs with. */
static double raw_hmac_us(const mbedtls_md_info_t *md, const char *key, const char *msg, size_t len)
{
    unsigned char mac[32];
    double t0 = now_us();
    if (mbedtls_md_hmac(md, (const unsigned char *)key, strlen(key), (const unsigned char *)msg, len, mac) != 0)
        abort();
    double t = now_us() - t0;
    g_sink ^= mac[0];
    return t;
}

/* One Binance request: the parameters with this request's timestamp, built and signed. The encoded
 * payload (before `&signature=`) is left in payload for the raw MAC to be measured over. */
static double binance_us(int64_t ts, char *query, size_t cap, char *payload, size_t pcap, size_t *plen)
{
    char err[256], ts_text[24];
    double t0 = now_us();
    snprintf(ts_text, sizeof ts_text, "%lld", (long long)ts);
    const eb_query_param_t p[] = {
        {"symbol", "BTCUSDT"},     {"side", "SELL"},        {"type", "STOP_LOSS_LIMIT"},
        {"timeInForce", "GTC"},    {"quantity", "0.00150"}, {"price", "41800.00"},
        {"stopPrice", "42000.00"}, {"newClientOrderId", "eb:7/stop-1"},
        {"recvWindow", "5000"},    {"timestamp", ts_text},
    };
    long n = eb_binance_signed_query(p, sizeof p / sizeof p[0], SECRET, query, cap, err, sizeof err);
    double t = now_us() - t0;
    if (n < 0) {
        fprintf(stderr, "bench_sign: %s\n", err);
        exit(1);
    }
    *plen = (size_t)n - strlen("&signature=") - EB_BINANCE_SIG_HEX;
    if (*plen >= pcap)
        abort();
    memcpy(payload, query, *plen);
    g_sink ^= (unsigned char)query[n - 1];
    return t;
}

static const char KC_BODY[] =
    "{\"clientOid\":\"eb-7-stop-1\",\"side\":\"buy\",\"symbol\":\"BTC-USDT\",\"type\":\"limit\",\"price\":\"41800.0\","
    "\"size\":\"0.0015\",\"timeInForce\":\"GTC\"}";

static double kucoin_us(int64_t ts, char *prehash, size_t pcap, size_t *plen)
{
    const eb_kucoin_keys_t keys = {"64f0c1d2e3a4b5c6d7e8f901", KC_SECRET, "my passphrase"};
    char key[32], sign[48], tsb[24], pass[48], ver[4], err[256];
    const eb_kucoin_headers_t h = {{key, sizeof key}, {sign, sizeof sign}, {tsb, sizeof tsb}, {pass, sizeof pass},
                                   {ver, sizeof ver}};
    double t0 = now_us();
    int rc = eb_kucoin_headers(&keys, ts, "POST", "/api/v1/hf/orders", KC_BODY, &h, err, sizeof err);
    double t = now_us() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_sign: %s\n", err);
        exit(1);
    }
    int n = snprintf(prehash, pcap, "%sPOST/api/v1/hf/orders%s", tsb, KC_BODY);
    if (n < 0 || (size_t)n >= pcap)
        abort();
    *plen = (size_t)n;
    g_sink ^= (unsigned char)(sign[0] ^ pass[0]);
    return t;
}

static void report(const char *what, double *built, double *raw, size_t n, size_t payload_len)
{
    quant_t b = quantiles(built, n), r = quantiles(raw, n);
    printf("%-8s signed request: p50 %6.2f us  p99 %6.2f us | raw HMAC-SHA256 of the %zu-byte payload: p50 %5.2f us  "
           "p99 %5.2f us | ratio (p50) %.2fx\n",
           what, b.p50, b.p99, payload_len, r.p50, r.p99, b.p50 / r.p50);
}

int main(void)
{
    size_t n = 100000;
    const char *env = getenv("EB_BENCH_N");
    if (env && atol(env) > 0)
        n = (size_t)atol(env);
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    double *built = malloc(n * sizeof *built), *raw = malloc(n * sizeof *raw);
    if (!md || !built || !raw)
        return 1;
    char query[1024], payload[1024];
    size_t plen = 0;
    int64_t ts0 = 1767225600000;
    /* A warm-up of both kinds first: caches, the allocator's free lists, the CPU's clock. */
    for (size_t i = 0; i < n / 10 + 1; i++) {
        binance_us(ts0, query, sizeof query, payload, sizeof payload, &plen);
        kucoin_us(ts0, payload, sizeof payload, &plen);
        raw_hmac_us(md, SECRET, payload, plen);
    }
    for (size_t i = 0; i < n; i++) {
        built[i] = binance_us(ts0 + (int64_t)i, query, sizeof query, payload, sizeof payload, &plen);
        raw[i] = raw_hmac_us(md, SECRET, payload, plen);
    }
    printf("requests: %zu each, timed one by one, construction and raw MAC alternating, one core, same run\n", n);
    report("binance", built, raw, n, plen);
    for (size_t i = 0; i < n; i++) {
        built[i] = kucoin_us(ts0 + (int64_t)i, payload, sizeof payload, &plen);
        raw[i] = raw_hmac_us(md, KC_SECRET, payload, plen);
    }
    report("kucoin", built, raw, n, plen);
    printf("(kucoin makes two MACs a request: the sign and the passphrase; sink %u)\n", g_sink);
    free(built);
    free(raw);
    return 0;
}
