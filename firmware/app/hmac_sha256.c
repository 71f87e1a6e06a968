#include "app/hmac_sha256.h"

#include "common/errf.h"

#include <mbedtls/md.h>
#include <string.h>

static int md_fail(int rc, unsigned char mac[EB_HMAC_SHA256_SIZE], char *err, size_t errcap)
{
    memset(mac, 0, EB_HMAC_SHA256_SIZE); /* no partial or stale MAC that looks like a result */
    return eb_errf(err, errcap, "HMAC-SHA256: mbedTLS error -0x%04x%s", (unsigned)-rc,
                   rc == MBEDTLS_ERR_MD_ALLOC_FAILED ? " (out of memory)" : "");
}

int eb_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   unsigned char mac[EB_HMAC_SHA256_SIZE], char *err, size_t errcap)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (!md)
        return md_fail(MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE, mac, err, errcap);
    int rc = mbedtls_md_hmac(md, key, key_len, msg, msg_len, mac);
    return rc ? md_fail(rc, mac, err, errcap) : 0;
}

int eb_hmac_sha256_parts(const void *key, size_t key_len, const eb_bytes_t *parts, size_t n,
                         unsigned char mac[EB_HMAC_SHA256_SIZE], char *err, size_t errcap)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (!md)
        return md_fail(MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE, mac, err, errcap);
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, md, 1);
    if (rc == 0)
        rc = mbedtls_md_hmac_starts(&ctx, key, key_len);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = mbedtls_md_hmac_update(&ctx, parts[i].data, parts[i].len);
    if (rc == 0)
        rc = mbedtls_md_hmac_finish(&ctx, mac);
    mbedtls_md_free(&ctx); /* wipes the pads, which are derived from the key */
    return rc ? md_fail(rc, mac, err, errcap) : 0;
}
