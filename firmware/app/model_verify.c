/* The box's check of a signed model file: sizes, container, then the ECDSA P-256 signature over every
 * byte before the trailer, and only then the manifest and the payload. Layout in model_verify.h. */
#include "app/model_verify.h"

#include "common/errf.h"
#include "core/name_table.h"

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>

#include "core/model.h"

/* Manifest field offsets (docs/model-format.md). */
enum {
    M_VERSION = 0, M_MODEL_ID = 8, M_SCHEMA = 40, M_BOARD = 48, M_RELEASE = 64, M_CREATED = 72,
    M_NOT_AFTER = 80, M_PAYLOAD_LEN = 88, M_SHA = 96, M_KEY_ID = 128, M_WIN_START = 136, M_WIN_END = 144,
    M_ROWS_TRAIN = 152, M_ROWS_VALID = 160, M_METRICS = 168, M_IMPORTANCES = 424, M_END = 744
};

static void put64(uint8_t *b, uint64_t v) { memcpy(b, &v, 8); }
static uint64_t get64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, 8);
    return v;
}
static uint32_t get32(const uint8_t *b)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return v;
}

static void put_kv(uint8_t *b, const eb_manifest_kv_t *kv, int n)
{
    for (int i = 0; i < n; i++) {
        memcpy(b + 32 * i, kv[i].name, EB_MANIFEST_NAME);
        b[32 * i + EB_MANIFEST_NAME - 1] = 0;
        memcpy(b + 32 * i + EB_MANIFEST_NAME, &kv[i].value, 8);
    }
}

void eb_manifest_encode(const eb_manifest_t *m, uint8_t out[EB_MANIFEST_SIZE])
{
    memset(out, 0, EB_MANIFEST_SIZE);
    uint32_t v = m->format_version;
    memcpy(out + M_VERSION, &v, 4);
    memcpy(out + M_MODEL_ID, m->model_id, sizeof m->model_id);
    out[M_MODEL_ID + sizeof m->model_id - 1] = 0;
    put64(out + M_SCHEMA, m->schema_hash);
    memcpy(out + M_BOARD, m->board, sizeof m->board);
    out[M_BOARD + sizeof m->board - 1] = 0;
    put64(out + M_RELEASE, m->release);
    put64(out + M_CREATED, (uint64_t)m->created);
    put64(out + M_NOT_AFTER, (uint64_t)m->not_after);
    put64(out + M_PAYLOAD_LEN, m->payload_len);
    memcpy(out + M_SHA, m->payload_sha256, 32);
    memcpy(out + M_KEY_ID, m->key_id, EB_KEY_ID_SIZE);
    put64(out + M_WIN_START, (uint64_t)m->summary.window_start);
    put64(out + M_WIN_END, (uint64_t)m->summary.window_end);
    put64(out + M_ROWS_TRAIN, m->summary.rows_train);
    put64(out + M_ROWS_VALID, m->summary.rows_valid);
    put_kv(out + M_METRICS, m->summary.metrics, EB_MANIFEST_METRICS);
    put_kv(out + M_IMPORTANCES, m->summary.importances, EB_MANIFEST_IMPORTANCES);
}

/* A fixed-size string field: NUL-terminated, zero after the NUL (one canonical encoding). */
static int get_str(const uint8_t *b, size_t n, char *out, const char *field, char *err, size_t cap)
{
    const uint8_t *nul = memchr(b, 0, n);
    if (!nul)
        return eb_errf(err, cap, "manifest %s is not NUL-terminated within %zu bytes", field, n);
    for (const uint8_t *p = nul; p < b + n; p++)
        if (*p)
            return eb_errf(err, cap, "manifest %s has bytes after its terminating NUL", field);
    memcpy(out, b, n);
    return 0;
}

static int get_kv(const uint8_t *b, eb_manifest_kv_t *kv, int n, const char *field, char *err, size_t cap)
{
    for (int i = 0; i < n; i++) {
        if (get_str(b + 32 * i, EB_MANIFEST_NAME, kv[i].name, field, err, cap))
            return -1;
        memcpy(&kv[i].value, b + 32 * i + EB_MANIFEST_NAME, 8);
    }
    return 0;
}

int eb_manifest_decode(const uint8_t in[EB_MANIFEST_SIZE], eb_manifest_t *m, char *err, size_t cap)
{
    memset(m, 0, sizeof *m);
    m->format_version = get32(in + M_VERSION);
    if (m->format_version != EB_MANIFEST_VERSION || get32(in + 4) != 0)
        return eb_errf(err, cap, "manifest format_version %u, this build reads %u", m->format_version,
                    EB_MANIFEST_VERSION);
    for (size_t i = M_END; i < EB_MANIFEST_SIZE; i++)
        if (in[i])
            return eb_errf(err, cap, "manifest reserved byte %zu is not zero", i);
    if (get_str(in + M_MODEL_ID, sizeof m->model_id, m->model_id, "model_id", err, cap) ||
        get_str(in + M_BOARD, sizeof m->board, m->board, "board", err, cap) ||
        get_kv(in + M_METRICS, m->summary.metrics, EB_MANIFEST_METRICS, "metric name", err, cap) ||
        get_kv(in + M_IMPORTANCES, m->summary.importances, EB_MANIFEST_IMPORTANCES, "feature name", err, cap))
        return -1;
    m->schema_hash = get64(in + M_SCHEMA);
    m->release = get64(in + M_RELEASE);
    m->created = (int64_t)get64(in + M_CREATED);
    m->not_after = (int64_t)get64(in + M_NOT_AFTER);
    m->payload_len = get64(in + M_PAYLOAD_LEN);
    memcpy(m->payload_sha256, in + M_SHA, 32);
    memcpy(m->key_id, in + M_KEY_ID, EB_KEY_ID_SIZE);
    m->summary.window_start = (int64_t)get64(in + M_WIN_START);
    m->summary.window_end = (int64_t)get64(in + M_WIN_END);
    m->summary.rows_train = get64(in + M_ROWS_TRAIN);
    m->summary.rows_valid = get64(in + M_ROWS_VALID);
    return 0;
}

static int parse_pub(mbedtls_pk_context *pk, const uint8_t *key, size_t len)
{
    mbedtls_pk_init(pk);
    if (mbedtls_pk_parse_public_key(pk, key, len) != 0 || !mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY) ||
        mbedtls_pk_ec(*pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        mbedtls_pk_free(pk);
        return -1;
    }
    return 0;
}

static int pk_key_id(mbedtls_pk_context *pk, uint8_t id[EB_KEY_ID_SIZE])
{
    uint8_t der[256], h[32];
    int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof der);
    if (n <= 0 || mbedtls_sha256_ret(der + sizeof der - (size_t)n, (size_t)n, h, 0) != 0)
        return -1;
    memcpy(id, h, EB_KEY_ID_SIZE);
    return 0;
}

int eb_key_id(const uint8_t *pubkey, size_t len, uint8_t id[EB_KEY_ID_SIZE])
{
    mbedtls_pk_context pk;
    if (parse_pub(&pk, pubkey, len))
        return -1;
    int rc = pk_key_id(&pk, id);
    mbedtls_pk_free(&pk);
    return rc;
}

#define FAIL(code, ...) (eb_errf(err, errcap, __VA_ARGS__), (code))

static eb_verify_status_t check_container(const uint8_t *f, size_t len, size_t max, uint64_t *plen, char *err,
                                          size_t errcap)
{
    if (len == 0)
        return FAIL(EB_VERIFY_E_EMPTY, "file is empty");
    if (len > max)
        return FAIL(EB_VERIFY_E_OVERSIZED, "file is %zu bytes, the limit is %zu", len, max);
    if (len < EB_SIGNED_OVERHEAD)
        return FAIL(EB_VERIFY_E_TRUNCATED, "file is %zu bytes, a signed model has at least %u", len,
                    EB_SIGNED_OVERHEAD);
    if (memcmp(f, EB_SIGNED_MAGIC, 8) != 0)
        return FAIL(EB_VERIFY_E_FORMAT, "magic is not \"EBSIGNED\": not a signed model file");
    if (get32(f + 8) != EB_SIGNED_VERSION || get32(f + 12) != EB_MANIFEST_SIZE || get64(f + 24) != 0)
        return FAIL(EB_VERIFY_E_FORMAT, "container version %u / manifest size %u not %u / %u", get32(f + 8),
                    get32(f + 12), EB_SIGNED_VERSION, EB_MANIFEST_SIZE);
    *plen = get64(f + 16);
    if (*plen > len - EB_SIGNED_OVERHEAD)
        return FAIL(EB_VERIFY_E_TRUNCATED, "file is %zu bytes, header says payload %llu + %u", len,
                    (unsigned long long)*plen, EB_SIGNED_OVERHEAD);
    if (*plen < len - EB_SIGNED_OVERHEAD)
        return FAIL(EB_VERIFY_E_OVERSIZED, "file is %zu bytes, header says payload %llu + %u", len,
                    (unsigned long long)*plen, EB_SIGNED_OVERHEAD);
    return EB_VERIFY_OK;
}

static eb_verify_status_t check_signature(const uint8_t *f, size_t len, const eb_verify_policy_t *pol,
                                          char *err, size_t errcap)
{
    mbedtls_pk_context pk;
    uint8_t id[EB_KEY_ID_SIZE], h[32];
    if (!pol->pubkey || parse_pub(&pk, pol->pubkey, pol->pubkey_len))
        return FAIL(EB_VERIFY_E_KEY, "configured public key is not an ECDSA P-256 key");
    size_t signed_len = len - EB_SIGNED_TRAILER;
    const uint8_t *tr = f + signed_len;
    uint32_t sl = get32(tr);
    int ok = pk_key_id(&pk, id) == 0 && sl >= 8 && sl <= EB_SIGNED_TRAILER - 8 && get32(tr + 4) == 0 &&
             mbedtls_sha256_ret(f, signed_len, h, 0) == 0 &&
             mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, h, 32, tr + 8, sl) == 0;
    mbedtls_pk_free(&pk);
    for (uint32_t i = 8 + (sl <= EB_SIGNED_TRAILER - 8 ? sl : 0); ok && i < EB_SIGNED_TRAILER; i++)
        ok = tr[i] == 0; /* padding is not signed, so it must be canonical */
    if (ok)
        return EB_VERIFY_OK;
    /* Only to name the reason: the key id sits at a fixed offset of the (unverified) manifest. */
    if (memcmp(f + EB_SIGNED_HEAD + M_KEY_ID, id, EB_KEY_ID_SIZE) != 0)
        return FAIL(EB_VERIFY_E_UNKNOWN_KEY, "signed by an unknown key (key id differs from the configured key's)");
    return FAIL(EB_VERIFY_E_SIGNATURE, "signature does not verify (file altered or signed by another key)");
}

static eb_verify_status_t check_manifest(const uint8_t *f, uint64_t plen, const eb_verify_policy_t *pol,
                                         eb_manifest_t *man, char *err, size_t errcap)
{
    uint8_t h[32];
    if (eb_manifest_decode(f + EB_SIGNED_HEAD, man, err, errcap))
        return EB_VERIFY_E_MANIFEST;
    if (man->payload_len != plen)
        return FAIL(EB_VERIFY_E_MANIFEST, "manifest payload_len %llu, container says %llu",
                    (unsigned long long)man->payload_len, (unsigned long long)plen);
    if (mbedtls_sha256_ret(f + EB_SIGNED_PAYLOAD_OFFSET, (size_t)plen, h, 0) != 0 ||
        memcmp(h, man->payload_sha256, 32) != 0)
        return FAIL(EB_VERIFY_E_PAYLOAD_HASH, "payload SHA-256 differs from the manifest's");
    if (pol->schema_hash && man->schema_hash != pol->schema_hash)
        return FAIL(EB_VERIFY_E_SCHEMA, "schema hash %016llx, this box computes features with %016llx",
                    (unsigned long long)man->schema_hash, (unsigned long long)pol->schema_hash);
    if (pol->board && man->board[0] && strcmp(man->board, "any") != 0 && strcmp(man->board, pol->board) != 0)
        return FAIL(EB_VERIFY_E_BOARD, "model is for board \"%s\", this is \"%s\"", man->board, pol->board);
    if (man->release <= pol->min_release)
        return FAIL(EB_VERIFY_E_ROLLBACK, "release %llu is not above the highest accepted release %llu",
                    (unsigned long long)man->release, (unsigned long long)pol->min_release);
    if (pol->now && man->not_after && pol->now > man->not_after)
        return FAIL(EB_VERIFY_E_EXPIRED, "manifest expired at %lld (now %lld)", (long long)man->not_after,
                    (long long)pol->now);
    return EB_VERIFY_OK;
}

eb_verify_status_t eb_model_verify(const uint8_t *file, size_t len, const eb_verify_policy_t *pol,
                                   eb_manifest_t *man_out, size_t *payload_off, size_t *payload_len, char *err,
                                   size_t errcap)
{
    eb_manifest_t man;
    uint64_t plen = 0;
    size_t max = pol->max_len ? pol->max_len : (size_t)EB_SIGNED_OVERHEAD + EB_MODEL_MAX_BYTES;
    eb_verify_status_t st = check_container(file, len, max, &plen, err, errcap);
    if (st == EB_VERIFY_OK)
        st = check_signature(file, len, pol, err, errcap);
    if (st == EB_VERIFY_OK)
        st = check_manifest(file, plen, pol, &man, err, errcap);
    if (st != EB_VERIFY_OK)
        return st;
    eb_model_t m;
    eb_model_error_t me;
    if (eb_model_open(&m, file + EB_SIGNED_PAYLOAD_OFFSET, (size_t)plen, &me) != 0)
        return FAIL(EB_VERIFY_E_MODEL, "payload: %s", me.msg);
    if (m.schema_hash != man.schema_hash)
        return FAIL(EB_VERIFY_E_SCHEMA, "blob schema hash %016llx differs from the manifest's %016llx",
                    (unsigned long long)m.schema_hash, (unsigned long long)man.schema_hash);
    if (man_out)
        *man_out = man;
    if (payload_off)
        *payload_off = EB_SIGNED_PAYLOAD_OFFSET;
    if (payload_len)
        *payload_len = (size_t)plen;
    return EB_VERIFY_OK;
}

const char *eb_verify_status_name(eb_verify_status_t s)
{
    static const char *const n[] = {
        [EB_VERIFY_OK] = "ok",
        [EB_VERIFY_E_EMPTY] = "empty",
        [EB_VERIFY_E_TRUNCATED] = "truncated",
        [EB_VERIFY_E_OVERSIZED] = "oversized",
        [EB_VERIFY_E_FORMAT] = "format",
        [EB_VERIFY_E_KEY] = "key",
        [EB_VERIFY_E_UNKNOWN_KEY] = "unknown key",
        [EB_VERIFY_E_SIGNATURE] = "signature",
        [EB_VERIFY_E_MANIFEST] = "manifest",
        [EB_VERIFY_E_PAYLOAD_HASH] = "payload hash",
        [EB_VERIFY_E_SCHEMA] = "schema",
        [EB_VERIFY_E_BOARD] = "board",
        [EB_VERIFY_E_ROLLBACK] = "rollback",
        [EB_VERIFY_E_EXPIRED] = "expired",
        [EB_VERIFY_E_MODEL] = "model",
    };
    _Static_assert(sizeof n / sizeof n[0] == EB_VERIFY_E_MODEL + 1, "a name for every verify status");
    return EB_NAME_OR(n, s, "unknown");
}
