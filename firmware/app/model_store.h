/* The box's model store: two slots (A/B) of signed model files in a state directory, the anti-rollback
 * counter, and the model in use evaluated in place from the slot's buffer.
 *
 * Files in dir: slot-a.ebs, slot-b.ebs (signed files as received), active ("a" or "b"), release (the
 * highest accepted release, decimal). Every file is written as temp + fsync + rename + fsync(dir).
 * Buffers come from the caller at start-up (eb_model_store_mem_size): two slots and room for the active
 * model's AVX-512 lane image (core/model.h; half a slot, ample for complete trees; a model whose image
 * would not fit, or a CPU without AVX-512, runs the portable walk, same results); nothing is allocated afterwards
 * (mbedTLS's key parsing uses its own small, freed allocations from the arena). */
#ifndef EB_APP_MODEL_STORE_H
#define EB_APP_MODEL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "app/model_verify.h"
#include "core/model.h"

typedef struct {
    char dir[256];
    eb_verify_policy_t policy;  /* pubkey, schema hash, board, max_len; min_release/now set per call */
    uint8_t *buf[2];            /* slot buffers, 16-byte aligned, cap bytes each */
    size_t cap, len[2];
    int active;                 /* -1: no model, 0: slot A, 1: slot B */
    uint64_t highest_release;   /* persisted anti-rollback counter */
    eb_model_t model;           /* view into buf[active] */
    uint8_t *lanes;             /* the active model's lane image (after the slots) */
    size_t lanes_cap;
    eb_manifest_t manifest;     /* of the active model */
} eb_model_store_t;

/* Bytes of caller memory for files up to max_file bytes (two slots and the lane image). */
size_t eb_model_store_mem_size(size_t max_file);

/* Opens the store: reads the counter and the active slot (if any) and verifies it again (signature,
 * schema, board; its release may not exceed the counter). A missing dir is an error; an empty one is
 * a store without a model. Returns 0 or -1 with err. */
int eb_model_store_open(eb_model_store_t *s, const char *dir, const eb_verify_policy_t *policy, void *mem,
                        size_t mem_len, char *err, size_t errcap);

/* Installs the signed file at path: reads it into the inactive slot's buffer, verifies it completely
 * (release must exceed the counter; now for the expiry check), writes the slot file, raises the counter,
 * and makes it active; the previous model stays in the other slot. A refusal leaves the running model,
 * the files and the counter untouched. */
eb_verify_status_t eb_model_store_install(eb_model_store_t *s, const char *path, int64_t now, char *err,
                                          size_t errcap);

/* Falls back to the other slot (the new model crashed or failed its self-test). Returns 0 or -1. */
int eb_model_store_fallback(eb_model_store_t *s, char *err, size_t errcap);

/* Self-test of the active model: a row of zeros and a row of NaN give finite outputs in 0..1 for
 * classifiers. Returns 0 when it passes (or -1, also when there is no model). */
int eb_model_store_selftest(const eb_model_store_t *s);

/* The model in use, or NULL. */
const eb_model_t *eb_model_store_model(const eb_model_store_t *s);

#endif
