#include "app/venue_sign_kucoin.h"

#include "app/base64.h"
#include "app/hmac_sha256.h"
#include "common/errf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Base64 of a MAC held in mac; out holds at least EB_KUCOIN_B64_MAC + 1 (checked by the callers). */
static long mac_to_b64(const unsigned char mac[EB_HMAC_SHA256_SIZE], char *out, size_t cap, char *err,
                       size_t errcap)
{
    return eb_base64_encode(mac, EB_HMAC_SHA256_SIZE, out, cap, err, errcap);
}

long eb_kucoin_mac_b64(const char *secret, const char *plain, size_t plain_len, char *out, size_t cap, char *err,
                       size_t errcap)
{
    unsigned char mac[EB_HMAC_SHA256_SIZE];
    if (cap)
        out[0] = '\0';
    if (!secret || !secret[0])
        return eb_errf(err, errcap, "kucoin signature: the API secret is empty");
    if (cap < EB_KUCOIN_B64_MAC + 1)
        return eb_errf(err, errcap, "kucoin signature: the MAC takes %d characters and a NUL, the buffer holds %zu",
                       EB_KUCOIN_B64_MAC, cap);
    if (eb_hmac_sha256(secret, strlen(secret), plain, plain_len, mac, err, errcap) != 0)
        return -1;
    return mac_to_b64(mac, out, cap, err, errcap);
}

static void clear(const eb_kucoin_headers_t *out)
{
    const eb_text_buf_t *all[] = {&out->key, &out->sign, &out->timestamp, &out->passphrase, &out->version};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]->buf && all[i]->cap)
            all[i]->buf[0] = '\0';
}

static int fits(const char *header, const eb_text_buf_t *b, size_t len, char *err, size_t errcap)
{
    if (!b->buf || len >= b->cap)
        return eb_errf(err, errcap, "kucoin headers: %s takes %zu characters and a NUL, the buffer holds %zu", header,
                       len, b->buf ? b->cap : 0);
    return 0;
}

static int method_ok(const char *m)
{
    if (!m || !m[0])
        return 0;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return 0;
    return 1;
}

/* The argument checks, before any buffer is looked at. */
static int check_args(const eb_kucoin_keys_t *keys, int64_t ts_ms, const char *method, const char *path_query,
                      char *err, size_t errcap)
{
    if (!keys->api_key || !keys->api_key[0])
        return eb_errf(err, errcap, "kucoin headers: the api key is empty");
    if (!keys->api_secret || !keys->api_secret[0])
        return eb_errf(err, errcap, "kucoin headers: the API secret is empty");
    if (!keys->passphrase || !keys->passphrase[0])
        return eb_errf(err, errcap, "kucoin headers: the passphrase is empty");
    if (ts_ms <= 0)
        return eb_errf(err, errcap, "kucoin headers: timestamp %" PRId64 " ms is not after the epoch", ts_ms);
    if (!method_ok(method))
        return eb_errf(err, errcap, "kucoin headers: method '%.16s' is not an upper-case HTTP method",
                       method ? method : "");
    if (!path_query || path_query[0] != '/')
        return eb_errf(err, errcap, "kucoin headers: path '%.64s' does not start with '/'",
                       path_query ? path_query : "");
    return 0;
}

int eb_kucoin_headers(const eb_kucoin_keys_t *keys, int64_t ts_ms, const char *method, const char *path_query,
                      const char *body, const eb_kucoin_headers_t *out, char *err, size_t errcap)
{
    clear(out);
    if (check_args(keys, ts_ms, method, path_query, err, errcap) != 0)
        return -1;
    char ts[24];
    int ts_len = snprintf(ts, sizeof ts, "%" PRId64, ts_ms);
    if (fits("KC-API-KEY", &out->key, strlen(keys->api_key), err, errcap) != 0 ||
        fits("KC-API-SIGN", &out->sign, EB_KUCOIN_B64_MAC, err, errcap) != 0 ||
        fits("KC-API-TIMESTAMP", &out->timestamp, (size_t)ts_len, err, errcap) != 0 ||
        fits("KC-API-PASSPHRASE", &out->passphrase, EB_KUCOIN_B64_MAC, err, errcap) != 0 ||
        fits("KC-API-KEY-VERSION", &out->version, strlen(EB_KUCOIN_KEY_VERSION), err, errcap) != 0)
        return -1;
    if (!body)
        body = "";
    /* The prehash is fed in its four pieces: no buffer to join them, so no limit on the body. */
    const eb_bytes_t prehash[] = {
        {ts, (size_t)ts_len},
        {method, strlen(method)},
        {path_query, strlen(path_query)},
        {body, strlen(body)},
    };
    unsigned char mac[EB_HMAC_SHA256_SIZE];
    const char *secret = keys->api_secret;
    if (eb_hmac_sha256_parts(secret, strlen(secret), prehash, sizeof prehash / sizeof prehash[0], mac, err,
                             errcap) != 0 ||
        mac_to_b64(mac, out->sign.buf, out->sign.cap, err, errcap) < 0 ||
        eb_kucoin_mac_b64(secret, keys->passphrase, strlen(keys->passphrase), out->passphrase.buf,
                          out->passphrase.cap, err, errcap) < 0) {
        clear(out);
        return -1;
    }
    memcpy(out->key.buf, keys->api_key, strlen(keys->api_key) + 1);
    memcpy(out->timestamp.buf, ts, (size_t)ts_len + 1);
    memcpy(out->version.buf, EB_KUCOIN_KEY_VERSION, sizeof EB_KUCOIN_KEY_VERSION);
    return 0;
}
