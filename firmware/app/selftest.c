#include "app/selftest.h"

#include "app/heap.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>
#include <sqlite3.h>
#include <string.h>

static int selftest_sqlite(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_open(":memory:", &db) == SQLITE_OK &&
             sqlite3_exec(db, "CREATE TABLE t(x INTEGER); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
                              "SELECT i+1 FROM c WHERE i<1000) INSERT INTO t SELECT i FROM c;",
                          NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "SELECT sum(x) FROM t", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 500500;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : 1;
}

/* FIPS 180-2 example: SHA-256("abc"). */
static const unsigned char abc_digest[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

/* A self-test needs no real entropy: a fixed stream makes it repeatable. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(i * 131 + 7);
    return 0;
}

static int selftest_mbedtls(void)
{
    unsigned char digest[32], sig[MBEDTLS_ECDSA_MAX_LEN];
    size_t sig_len = 0;
    if (mbedtls_sha256_ret((const unsigned char *)"abc", 3, digest, 0) != 0 ||
        memcmp(digest, abc_digest, 32) != 0)
        return 1;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ecdsa_context key;
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ecdsa_init(&key);
    int ok = mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, NULL, (const unsigned char *)"edgebox", 7) == 0 &&
             mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg) == 0 &&
             mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, digest, 32, sig, &sig_len,
                                           mbedtls_ctr_drbg_random, &drbg) == 0 &&
             mbedtls_ecdsa_read_signature(&key, digest, 32, sig, sig_len) == 0;
    digest[0] ^= 1; /* and a wrong digest must not verify */
    ok = ok && mbedtls_ecdsa_read_signature(&key, digest, 32, sig, sig_len) != 0;
    mbedtls_ecdsa_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    return ok ? 0 : 1;
}

static int selftest_cjson(void)
{
    cJSON *j = cJSON_Parse("{\"pair\":\"BTCUSDT\",\"risk\":[0.01,0.03]}");
    if (!j)
        return 1;
    cJSON_AddNumberToObject(j, "bars", 65741);
    char *text = cJSON_PrintUnformatted(j);
    int ok = text && strcmp(text, "{\"pair\":\"BTCUSDT\",\"risk\":[0.01,0.03],\"bars\":65741}") == 0;
    cJSON_free(text);
    cJSON_Delete(j);
    return ok ? 0 : 1;
}

static int selftest_curl(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    CURL *h = curl_easy_init();
    CURLU *u = curl_url();
    char *host = NULL;
    int ok = h && u &&
             curl_easy_setopt(h, CURLOPT_URL, "https://api.binance.com/api/v3/time") == CURLE_OK &&
             curl_url_set(u, CURLUPART_URL, "https://api.binance.com/api/v3/klines?limit=1", 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && strcmp(host, "api.binance.com") == 0;
    curl_free(host);
    curl_url_cleanup(u);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return ok ? 0 : 1;
}

int eb_selftest_run(FILE *log)
{
    static const struct { const char *name; int (*fn)(void); } parts[] = {
        {"sqlite", selftest_sqlite}, {"mbedtls", selftest_mbedtls},
        {"cjson", selftest_cjson},   {"curl", selftest_curl},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        int bad = parts[i].fn();
        failed += bad;
        fprintf(log, "self-test %-8s %s\n", parts[i].name, bad ? "FAILED" : "ok");
    }
    if (eb_heap_is_arena()) {
        eb_arena_stats_t s;
        eb_heap_stats(&s);
        int bad = eb_heap_check() != 0;
        failed += bad;
        fprintf(log, "self-test %-8s %s (in use %zu B, high-water %zu B, %llu allocs, %llu failures)\n", "arena",
                bad ? "FAILED" : "ok", s.in_use, s.high_water, (unsigned long long)s.allocs,
                (unsigned long long)s.failures);
    }
    return failed;
}
