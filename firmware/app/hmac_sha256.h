/* HMAC-SHA256 through mbedTLS's generic message-digest layer (mbedtls/md.h), the MAC both venues sign
 * requests with. The key is the API secret: it is never written into err.
 *
 * mbedTLS 2.28 sets up each HMAC with two small allocations (the SHA-256 state and the inner/outer pads)
 * and frees them before it returns; in edgeboxd they come from the arena (malloc_override.c) and go back. */
#ifndef EB_APP_HMAC_SHA256_H
#define EB_APP_HMAC_SHA256_H

#include <stddef.h>

#define EB_HMAC_SHA256_SIZE 32

/* One piece of a message that is MAC'd as the concatenation of its pieces. */
typedef struct {
    const void *data;
    size_t len;
} eb_bytes_t;

/* mac = HMAC-SHA256(key, msg) with mbedtls_md_hmac. 0, or -1 with mbedTLS's error code in err. */
int eb_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   unsigned char mac[EB_HMAC_SHA256_SIZE], char *err, size_t errcap);

/* The same over parts[0] .. parts[n-1] fed one after the other, so that a caller whose message is
 * several strings (KuCoin's timestamp + method + path + body) needs no buffer to join them. */
int eb_hmac_sha256_parts(const void *key, size_t key_len, const eb_bytes_t *parts, size_t n,
                         unsigned char mac[EB_HMAC_SHA256_SIZE], char *err, size_t errcap);

#endif
