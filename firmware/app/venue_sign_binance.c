#include "app/venue_sign_binance.h"

#include "app/hmac_sha256.h"
#include "app/percent_encode.h"
#include "common/errf.h"

#include <string.h>

static const char SIG_KEY[] = "&signature=";

int eb_binance_signature(const char *payload, size_t len, const char *secret, char hex[EB_BINANCE_SIG_HEX + 1],
                         char *err, size_t errcap)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char mac[EB_HMAC_SHA256_SIZE];
    hex[0] = '\0';
    if (!secret || !secret[0])
        return eb_errf(err, errcap, "binance signature: the API secret is empty");
    if (eb_hmac_sha256(secret, strlen(secret), payload, len, mac, err, errcap) != 0)
        return -1;
    for (size_t i = 0; i < sizeof mac; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[EB_BINANCE_SIG_HEX] = '\0';
    return 0;
}

/* Appends the encoding of s; the caller has checked that it fits. */
static size_t put_encoded(char *out, size_t at, size_t cap, const char *s)
{
    long n = eb_percent_encode(s, strlen(s), out + at, cap - at, NULL, 0);
    return at + (size_t)n;
}

long eb_binance_signed_query(const eb_query_param_t *params, size_t n, const char *secret, char *out, size_t cap,
                             char *err, size_t errcap)
{
    if (cap)
        out[0] = '\0';
    if (!secret || !secret[0])
        return eb_errf(err, errcap, "binance query: the API secret is empty");
    /* Every parameter is checked and the whole length computed before the first byte is written. */
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key;
        if (!k || !k[0])
            return eb_errf(err, errcap, "binance query: parameter %zu has no name", i + 1);
        if (strcmp(k, "signature") == 0)
            return eb_errf(err, errcap, "binance query: parameter %zu is 'signature', which the signer appends",
                           i + 1);
        if (!params[i].value)
            return eb_errf(err, errcap, "binance query: parameter %zu (%.40s) has no value", i + 1, k);
        need += (i ? 1 : 0) + eb_percent_encoded_len(k, strlen(k)) + 1 +
                eb_percent_encoded_len(params[i].value, strlen(params[i].value));
    }
    /* With no parameters the query is only `signature=...` (Binance signs the empty payload then). */
    const char *sk = n ? SIG_KEY : SIG_KEY + 1;
    size_t total = need + strlen(sk) + EB_BINANCE_SIG_HEX;
    if (total >= cap)
        return eb_errf(err, errcap,
                       "binance query: the signed query of %zu parameters takes %zu bytes and a NUL, the buffer "
                       "holds %zu",
                       n, total, cap);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[at++] = '&';
        at = put_encoded(out, at, cap, params[i].key);
        out[at++] = '=';
        at = put_encoded(out, at, cap, params[i].value);
    }
    char hex[EB_BINANCE_SIG_HEX + 1];
    if (eb_binance_signature(out, at, secret, hex, err, errcap) != 0) {
        out[0] = '\0';
        return -1;
    }
    memcpy(out + at, sk, strlen(sk));
    at += strlen(sk);
    memcpy(out + at, hex, sizeof hex); /* the NUL too */
    return (long)(at + EB_BINANCE_SIG_HEX);
}
