/* The feature schema: the ordered names, the indicator parameters (with their allowed ranges) and the
 * schema version, and the stable 64-bit hash of the three that a model blob records (SPEC sections 4
 * and 6). The functions are declared in core/features.h; this header adds the canonical text. */
#ifndef EB_CORE_FEATURE_SCHEMA_H
#define EB_CORE_FEATURE_SCHEMA_H

#include "core/features.h"

#include <stddef.h>
#include <stdint.h>

/* The allowed range of each parameter, in eb_feature_params_t's order (SPEC section 3). */
typedef struct {
    const char *key;
    int min, max, step, dflt;
} eb_feature_param_range_t;

#define EB_FEATURE_PARAM_COUNT 6
extern const eb_feature_param_range_t eb_feature_param_ranges[EB_FEATURE_PARAM_COUNT];

/* The value of parameter i (0..5, the order of eb_feature_param_ranges). */
int eb_feature_param_get(const eb_feature_params_t *p, int i);

/* The exact bytes the schema hash is computed over (docs/features.md), written to buf (NUL-terminated when
 * cap > 0); returns the length it needs, excluding the NUL, like snprintf. */
size_t eb_feature_schema_text(const eb_feature_params_t *p, char *buf, size_t cap);

/* FNV-1a 64 over n bytes, continuing from h (start with EB_FNV1A64_OFFSET). */
#define EB_FNV1A64_OFFSET 0xcbf29ce484222325ULL
uint64_t eb_fnv1a64(uint64_t h, const void *data, size_t n);

#endif
