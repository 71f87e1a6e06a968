/* Host side: compile XGBoost JSON / LightGBM text models into the flat blob (firmware/core/model.h),
 * and sign blobs into the container of firmware/app/model_verify.h. */
#ifndef EB_TOOLS_MODEL_COMPILE_H
#define EB_TOOLS_MODEL_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "app/model_verify.h"
#include "core/model.h"

typedef struct {
    uint64_t schema_hash;      /* the feature engine's eb_features_schema_hash(), 0 = none */
    double threshold_buy;      /* default 0.5 */
    double threshold_sell;     /* default 0.5 */
    double min_confidence;     /* default 0 */
    int32_t class_sell, class_neutral, class_buy; /* defaults 0, 1, 2 */
    int calibrated;            /* 1: platt_a/platt_b hold num_classes pairs */
    double platt_a[EB_MODEL_MAX_CLASSES], platt_b[EB_MODEL_MAX_CLASSES];
} eb_compile_opts_t;

/* Defaults: no schema hash, thresholds 0.5, min confidence 0, classes 0/1/2, uncalibrated. */
void eb_compile_opts_default(eb_compile_opts_t *o);

/* Compile a model held in memory. On success *out is a malloc'd blob of *out_len bytes (free() it) and
 * 0 is returned; on failure -1 with a message in err naming the field / tree / node. */
int eb_compile_xgboost_json(const char *json, size_t len, const eb_compile_opts_t *o,
                            uint8_t **out, size_t *out_len, char *err, size_t errcap);
int eb_compile_lightgbm_text(const char *text, size_t len, const eb_compile_opts_t *o,
                             uint8_t **out, size_t *out_len, char *err, size_t errcap);
/* Detects the format (JSON object or LightGBM "tree" header) and compiles. */
int eb_compile_model(const char *data, size_t len, const eb_compile_opts_t *o,
                     uint8_t **out, size_t *out_len, char *err, size_t errcap);
/* Reads a file: a compiled .ebm blob is returned as is (validated), a source model is compiled. */
int eb_compile_file(const char *path, const eb_compile_opts_t *o,
                    uint8_t **out, size_t *out_len, char *err, size_t errcap);

/* Key pair: writes DIR/model.key (PEM private key, mode 0600) and DIR/model.pub (PEM public key). */
int eb_keygen(const char *dir, char *err, size_t errcap);

/* Signs a blob: fills man->payload_len, payload_sha256 and key_id from the blob and key (the other
 * manifest fields are the caller's: model_id, schema_hash, board, release, created, not_after, summary).
 * key_pem is a PEM private key (NUL-terminated). *out is malloc'd. Returns 0 or -1 with err. */
int eb_sign_blob(const uint8_t *blob, size_t blob_len, eb_manifest_t *man, const char *key_pem,
                 uint8_t **out, size_t *out_len, char *err, size_t errcap);
/* The same with the key read from a file. */
int eb_sign_blob_file(const uint8_t *blob, size_t blob_len, eb_manifest_t *man, const char *key_path,
                      uint8_t **out, size_t *out_len, char *err, size_t errcap);

#endif
