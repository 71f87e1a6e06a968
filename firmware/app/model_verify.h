/* Signed model files: container layout, manifest, and the box's checks (signature first, then manifest,
 * then the payload through eb_model_open). ECDSA P-256 over SHA-256 with mbedTLS.
 *
 * Container (little-endian; docs/model-format.md):
 *   0     "EBSIGNED" (8 bytes)
 *   8     u32 container version (1)
 *   12    u32 manifest size (EB_MANIFEST_SIZE)
 *   16    u64 payload length
 *   24    8 reserved zero bytes
 *   32    manifest (EB_MANIFEST_SIZE bytes, fixed fields)
 *   1056  payload (the .ebm blob; 16-byte aligned in the file)
 *   end-80 trailer: u32 signature length (DER, <= 72), u32 zero, 72 bytes DER signature zero-padded
 * The signature covers every byte before the trailer. */
#ifndef EB_APP_MODEL_VERIFY_H
#define EB_APP_MODEL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#define EB_SIGNED_MAGIC "EBSIGNED"
#define EB_SIGNED_VERSION 1u
#define EB_SIGNED_HEAD 32u
#define EB_MANIFEST_SIZE 1024u
#define EB_MANIFEST_VERSION 1u
#define EB_SIGNED_TRAILER 80u
#define EB_SIGNED_PAYLOAD_OFFSET (EB_SIGNED_HEAD + EB_MANIFEST_SIZE)
#define EB_SIGNED_OVERHEAD (EB_SIGNED_PAYLOAD_OFFSET + EB_SIGNED_TRAILER)
#define EB_KEY_ID_SIZE 8u
#define EB_MANIFEST_METRICS 8
#define EB_MANIFEST_IMPORTANCES 10
#define EB_MANIFEST_NAME 24

typedef struct {
    char name[EB_MANIFEST_NAME]; /* NUL-terminated; empty = unused slot */
    double value;
} eb_manifest_kv_t;

/* Training summary: fixed, bounded fields so the trainer fills them without a parser on the box. */
typedef struct {
    int64_t window_start, window_end; /* unix seconds of the training window (0 = unknown) */
    uint64_t rows_train, rows_valid;
    eb_manifest_kv_t metrics[EB_MANIFEST_METRICS];         /* e.g. "logloss", "accuracy", "ev_bps" */
    eb_manifest_kv_t importances[EB_MANIFEST_IMPORTANCES]; /* top-10 features by gain, descending */
} eb_training_summary_t;

typedef struct {
    uint32_t format_version;      /* EB_MANIFEST_VERSION */
    char model_id[32];            /* NUL-terminated */
    uint64_t schema_hash;         /* feature schema the model expects (0 = none) */
    char board[16];               /* board it is for ("" or "any" = every board) */
    uint64_t release;             /* anti-rollback counter: must exceed the highest accepted */
    int64_t created, not_after;   /* unix seconds; not_after 0 = never expires */
    uint64_t payload_len;
    uint8_t payload_sha256[32];
    uint8_t key_id[EB_KEY_ID_SIZE]; /* first 8 bytes of SHA-256 of the public key (DER SubjectPublicKeyInfo) */
    eb_training_summary_t summary;
} eb_manifest_t;

/* Encodes / decodes the fixed EB_MANIFEST_SIZE-byte form. Decode checks version, NUL-termination of
 * strings and zero padding; returns 0 or -1 with a message in err. */
void eb_manifest_encode(const eb_manifest_t *m, uint8_t out[EB_MANIFEST_SIZE]);
int eb_manifest_decode(const uint8_t in[EB_MANIFEST_SIZE], eb_manifest_t *m, char *err, size_t errcap);

typedef enum {
    EB_VERIFY_OK = 0,
    EB_VERIFY_E_EMPTY,
    EB_VERIFY_E_TRUNCATED,
    EB_VERIFY_E_OVERSIZED,
    EB_VERIFY_E_FORMAT,      /* magic, version, sizes */
    EB_VERIFY_E_KEY,         /* public key unusable */
    EB_VERIFY_E_UNKNOWN_KEY, /* manifest key id is not the configured key's */
    EB_VERIFY_E_SIGNATURE,
    EB_VERIFY_E_MANIFEST,    /* manifest fields malformed */
    EB_VERIFY_E_PAYLOAD_HASH,
    EB_VERIFY_E_SCHEMA,
    EB_VERIFY_E_BOARD,
    EB_VERIFY_E_ROLLBACK,
    EB_VERIFY_E_EXPIRED,
    EB_VERIFY_E_MODEL,       /* eb_model_open refused the payload */
} eb_verify_status_t;

/* What the box expects; a zero field is not checked (schema_hash 0, board NULL, now 0). */
typedef struct {
    const uint8_t *pubkey; /* PEM (NUL-terminated, len includes the NUL) or DER */
    size_t pubkey_len;
    uint64_t schema_hash;
    const char *board;
    uint64_t min_release;  /* highest accepted release: the new one must be strictly greater */
    int64_t now;           /* unix seconds for the expiry check */
    size_t max_len;        /* largest accepted file (0 = EB_SIGNED_OVERHEAD + EB_MODEL_MAX_BYTES) */
} eb_verify_policy_t;

/* Verifies a whole signed file in order: size, container, key id, signature, manifest, payload hash,
 * schema, board, release, expiry. Fills *man (may be NULL) and the payload location. No allocation
 * beyond mbedTLS's own key parsing. Returns the status; err gets a sentence naming the field. */
eb_verify_status_t eb_model_verify(const uint8_t *file, size_t len, const eb_verify_policy_t *pol,
                                   eb_manifest_t *man, size_t *payload_off, size_t *payload_len,
                                   char *err, size_t errcap);

/* Key id of a public key (PEM or DER), for the manifest. Returns 0 or -1. */
int eb_key_id(const uint8_t *pubkey, size_t len, uint8_t id[EB_KEY_ID_SIZE]);

const char *eb_verify_status_name(eb_verify_status_t s);

#endif
