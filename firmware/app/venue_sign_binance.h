/* Binance request signing (spot /api/v3 and USD-M /fapi), docs/live-trading.md: the query is built from
 * key/value pairs in the caller's order, each key and value percent-encoded (RFC 3986, required since
 * 2026-01-15, else -1022), MAC'd with HMAC-SHA256 under the API secret, and `&signature=<64 lower-case
 * hex>` is appended. The same string goes into the URL (GET, DELETE) or the form body (POST); the venue
 * signs what it receives. */
#ifndef EB_APP_VENUE_SIGN_BINANCE_H
#define EB_APP_VENUE_SIGN_BINANCE_H

#include <stddef.h>

#define EB_BINANCE_SIG_HEX 64 /* characters of the signature */

typedef struct {
    const char *key;   /* a parameter name: not empty, not "signature" (the signer appends that) */
    const char *value; /* its value as text, before encoding */
} eb_query_param_t;

/* hex = lower-case hex HMAC-SHA256(secret, payload[0..len)), NUL-terminated: the signature of a payload
 * that is already encoded. 0, or -1 with err (an empty secret; mbedTLS failing); then hex is "". */
int eb_binance_signature(const char *payload, size_t len, const char *secret, char hex[EB_BINANCE_SIG_HEX + 1],
                         char *err, size_t errcap);

/* Writes `k1=v1&k2=v2...&signature=<hex>` with keys and values percent-encoded, and a NUL, into out.
 * Returns its length, or -1 with err naming the parameter (by position and name, never its value) or the
 * sizes: a NULL or empty key, a NULL value, a key `signature`, an empty secret, or a buffer that cannot
 * hold the whole signed query (checked before anything is written). On failure out (cap > 0) is "".
 * The secret is never written into err. */
long eb_binance_signed_query(const eb_query_param_t *params, size_t n, const char *secret, char *out, size_t cap,
                             char *err, size_t errcap);

#endif
