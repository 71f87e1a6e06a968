/* KuCoin request signing with V3 API keys (V1/V2 keys get gateway error 400008), docs/live-trading.md:
 *   KC-API-SIGN       = base64(HMAC-SHA256(secret, timestamp_ms + METHOD + path[?query] + body))
 *   KC-API-PASSPHRASE = base64(HMAC-SHA256(secret, passphrase))
 *   KC-API-TIMESTAMP  = timestamp_ms in decimal, the same digits that were signed
 *   KC-API-KEY-VERSION = 3
 * Base64 is the standard, padded alphabet (app/base64.h); both MACs are 44 characters. */
#ifndef EB_APP_VENUE_SIGN_KUCOIN_H
#define EB_APP_VENUE_SIGN_KUCOIN_H

#include <stddef.h>
#include <stdint.h>

#define EB_KUCOIN_B64_MAC 44 /* characters of KC-API-SIGN and KC-API-PASSPHRASE */
#define EB_KUCOIN_KEY_VERSION "3"

typedef struct {
    const char *api_key;
    const char *api_secret;
    const char *passphrase; /* the one chosen when the key was made, in clear; sent only as its MAC */
} eb_kucoin_keys_t;

/* A caller's buffer and how many bytes it holds (the NUL included). */
typedef struct {
    char *buf;
    size_t cap;
} eb_text_buf_t;

/* Where each header's value goes. */
typedef struct {
    eb_text_buf_t key;        /* KC-API-KEY: the api key as given */
    eb_text_buf_t sign;       /* KC-API-SIGN: EB_KUCOIN_B64_MAC + 1 */
    eb_text_buf_t timestamp;  /* KC-API-TIMESTAMP: up to 20 digits + 1 */
    eb_text_buf_t passphrase; /* KC-API-PASSPHRASE: EB_KUCOIN_B64_MAC + 1 */
    eb_text_buf_t version;    /* KC-API-KEY-VERSION: 2 */
} eb_kucoin_headers_t;

/* out = base64(HMAC-SHA256(secret, plain)), NUL-terminated (cap >= EB_KUCOIN_B64_MAC + 1): the one MAC
 * both headers are made of. Returns 44, or -1 with err (an empty secret, a small buffer); out is "". */
long eb_kucoin_mac_b64(const char *secret, const char *plain, size_t plain_len, char *out, size_t cap, char *err,
                       size_t errcap);

/* Fills every header value for one request. method is the HTTP method in upper case (GET, POST, DELETE,
 * PUT), path_query the path from its leading '/' with `?query` when there is one, exactly as sent, body
 * the JSON body as sent ("" or NULL when none), ts_ms > 0 the request's time in ms since the epoch (the
 * venue's clock, offset applied). 0, or -1 with err naming the header or the argument and the sizes;
 * every buffer is checked before anything is written, and on failure every buffer (cap > 0) is "".
 * Neither the secret, the passphrase nor the api key is ever written into err. */
int eb_kucoin_headers(const eb_kucoin_keys_t *keys, int64_t ts_ms, const char *method, const char *path_query,
                      const char *body, const eb_kucoin_headers_t *out, char *err, size_t errcap);

#endif
