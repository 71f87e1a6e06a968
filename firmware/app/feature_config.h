/* The "features" object of a config file (SPEC section 3 periods): keys tenkan, kijun, senkou_b,
 * displacement, rsi, atr, each optional (default from eb_feature_params_default), each a whole number in
 * its range; unknown keys are errors. The full config loader calls this for its "features" section. */
#ifndef EB_APP_FEATURE_CONFIG_H
#define EB_APP_FEATURE_CONFIG_H

#include "core/features.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* obj may be NULL (all defaults). 0 and *out set, or -1 with a message naming key, value and range in
 * err and *out untouched. */
int eb_feature_config_read(const cJSON *obj, eb_feature_params_t *out, char *err, size_t errcap);

#endif
