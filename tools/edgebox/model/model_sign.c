/* Host side of model signing: ECDSA P-256 key pairs and signed containers (layout: app/model_verify.h). */
#include "common/file_out.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_write.h"
#include "common/file_read.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/model/model_ir.h"

typedef struct {
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
} rng_t;

static int rng_init(rng_t *r)
{
    static const unsigned char pers[] = "edgebox-model-sign";
    mbedtls_entropy_init(&r->ent);
    mbedtls_ctr_drbg_init(&r->drbg);
    return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->ent, pers, sizeof pers - 1);
}

static void rng_free(rng_t *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->ent);
}

int eb_keygen(const char *dir, char *err, size_t cap)
{
    rng_t r;
    mbedtls_pk_context pk;
    unsigned char priv[1024], pub[512];
    char path[4096];
    mbedtls_pk_init(&pk);
    int rc = rng_init(&r) || mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) ||
             mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &r.drbg) ||
             mbedtls_pk_write_key_pem(&pk, priv, sizeof priv) || mbedtls_pk_write_pubkey_pem(&pk, pub, sizeof pub);
    mbedtls_pk_free(&pk);
    rng_free(&r);
    if (rc) {
        memset(priv, 0, sizeof priv);
        return eb_errf(err, cap, "key generation failed in mbedTLS");
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        rc = eb_errf(err, cap, "%s: %s", dir, strerror(errno));
    /* Both halves complete on disk before either is renamed: a full disk leaves the old pair, not a new
     * private key beside the old public one. */
    eb_file_out_t out[2];
    memset(out, 0, sizeof out);
    const unsigned char *text[2] = {priv, pub};
    static const char *const names[2] = {"model.key", "model.pub"};
    static const mode_t modes[2] = {0600, 0644};
    for (int i = 0; i < 2 && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = eb_file_out_open(&out[i], path, modes[i], err, cap);
        if (!rc) {
            fputs((const char *)text[i], out[i].f);
            rc = eb_file_out_close(&out[i], err, cap);
        }
    }
    for (int i = 0; i < 2 && !rc; i++)
        rc = eb_file_out_rename(&out[i], err, cap);
    if (rc)
        for (int i = 0; i < 2; i++)
            eb_file_out_abort(&out[i]);
    memset(priv, 0, sizeof priv);
    return rc;
}

/* Key id of the private key's public half. */
static int priv_key_id(mbedtls_pk_context *pk, uint8_t id[EB_KEY_ID_SIZE])
{
    unsigned char der[256];
    int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof der);
    return n > 0 ? eb_key_id(der + sizeof der - (size_t)n, (size_t)n, id) : -1;
}

int eb_sign_blob(const uint8_t *blob, size_t blob_len, eb_manifest_t *man, const char *key_pem, uint8_t **out,
                 size_t *out_len, char *err, size_t cap)
{
    eb_model_t m;
    eb_model_error_t me;
    if (((uintptr_t)blob & 7u) == 0 && eb_model_open(&m, blob, blob_len, &me) != 0)
        return eb_errf(err, cap, "not a valid model blob: %s", me.msg);
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    if (mbedtls_pk_parse_key(&pk, (const unsigned char *)key_pem, strlen(key_pem) + 1, NULL, 0) != 0 ||
        !mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECKEY) || mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1 ||
        priv_key_id(&pk, man->key_id) != 0) {
        mbedtls_pk_free(&pk);
        return eb_errf(err, cap, "signing key is not an ECDSA P-256 private key in PEM");
    }
    size_t total = EB_SIGNED_OVERHEAD + blob_len, signed_len = total - EB_SIGNED_TRAILER, sl = 0;
    uint8_t *f = calloc(1, total), h[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    rng_t r;
    man->format_version = EB_MANIFEST_VERSION;
    man->payload_len = blob_len;
    mbedtls_sha256_ret(blob, blob_len, man->payload_sha256, 0);
    int rc = !f || rng_init(&r);
    if (f) {
        uint32_t v = EB_SIGNED_VERSION, ms = EB_MANIFEST_SIZE;
        uint64_t pl = blob_len;
        memcpy(f, EB_SIGNED_MAGIC, 8);
        memcpy(f + 8, &v, 4);
        memcpy(f + 12, &ms, 4);
        memcpy(f + 16, &pl, 8);
        eb_manifest_encode(man, f + EB_SIGNED_HEAD);
        memcpy(f + EB_SIGNED_PAYLOAD_OFFSET, blob, blob_len);
        rc = rc || mbedtls_sha256_ret(f, signed_len, h, 0) ||
             mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, h, 32, sig, &sl, mbedtls_ctr_drbg_random, &r.drbg) ||
             sl > EB_SIGNED_TRAILER - 8;
        rng_free(&r);
    }
    mbedtls_pk_free(&pk);
    if (rc) {
        free(f);
        return eb_errf(err, cap, "signing failed in mbedTLS");
    }
    uint32_t sl32 = (uint32_t)sl;
    memcpy(f + signed_len, &sl32, 4);
    memcpy(f + signed_len + 8, sig, sl);
    *out = f;
    *out_len = total;
    return 0;
}

int eb_sign_blob_file(const uint8_t *blob, size_t blob_len, eb_manifest_t *man, const char *key_path,
                      uint8_t **out, size_t *out_len, char *err, size_t cap)
{
    size_t klen;
    char *key = eb_file_read_all(key_path, 0, 0, &klen, err, cap);
    if (!key)
        return -1;
    int rc = eb_sign_blob(blob, blob_len, man, key, out, out_len, err, cap);
    memset(key, 0, klen);
    free(key);
    return rc;
}
