#include "app/feature_config.h"

#include "common/errf.h"
#include "core/feature_schema.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int *param_slot(eb_feature_params_t *p, const char *key)
{
    int *slots[EB_FEATURE_PARAM_COUNT] = {&p->tenkan, &p->kijun, &p->senkou_b, &p->displacement, &p->rsi, &p->atr};
    for (int i = 0; i < EB_FEATURE_PARAM_COUNT; i++)
        if (strcmp(key, eb_feature_param_ranges[i].key) == 0)
            return slots[i];
    return NULL;
}

int eb_feature_config_read(const cJSON *obj, eb_feature_params_t *out, char *err, size_t errcap)
{
    eb_feature_params_t p = eb_feature_params_default();
    if (obj && !cJSON_IsObject(obj)) {
        return eb_errf(err, errcap, "features: must be an object");
    }
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        int *slot = param_slot(&p, it->string);
        if (!slot) {
            return eb_errf(err, errcap, "features.%s: unknown key (known: tenkan, kijun, senkou_b, displacement, "
                           "rsi, atr)",
                           it->string);
        }
        double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
        if (!(v == floor(v)) || fabs(v) > 1e6) {
            char *txt = cJSON_PrintUnformatted(it);
            eb_errf(err, errcap, "features.%s: %s is not a whole number", it->string, txt ? txt : "?");
            cJSON_free(txt);
            return -1;
        }
        *slot = (int)v;
    }
    eb_feature_param_error_t e;
    if (eb_feature_params_validate(&p, &e) != 0) {
        return eb_errf(err, errcap, "features.%s: %d is not allowed (allowed: %d..%d in steps of %d)", e.key, e.value,
                       e.min, e.max, e.step);
    }
    *out = p;
    return 0;
}
