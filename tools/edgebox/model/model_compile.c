/* Host-side entry points of the model compiler: options, format detection, files. */
#include "tools/edgebox/model/model_compile.h"
#include "common/file_read.h"
#include "tools/edgebox/model/model_ir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eb_compile_opts_default(eb_compile_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->threshold_buy = 0.5;
    o->threshold_sell = 0.5;
    o->class_sell = EB_MODEL_CLASS_SELL;
    o->class_neutral = EB_MODEL_CLASS_NEUTRAL;
    o->class_buy = EB_MODEL_CLASS_BUY;
    for (unsigned c = 0; c < EB_MODEL_MAX_CLASSES; c++)
        o->platt_a[c] = 1.0;
}

int eb_compile_model(const char *data, size_t len, const eb_compile_opts_t *o, uint8_t **out, size_t *out_len,
                     char *err, size_t cap)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < len && data[i] == '{')
        return eb_compile_xgboost_json(data, len, o, out, out_len, err, cap);
    if (len - i >= 4 && !memcmp(data + i, "tree", 4))
        return eb_compile_lightgbm_text(data + i, len - i, o, out, out_len, err, cap);
    return eb_errf(err, cap, "unknown model format: neither XGBoost JSON ('{') nor LightGBM text (\"tree\")");
}

/* Whole file into a malloc'd buffer (NUL-terminated, 16-byte aligned by malloc); len may be NULL. */
int eb_compile_file(const char *path, const eb_compile_opts_t *o, uint8_t **out, size_t *out_len, char *err,
                    size_t cap)
{
    size_t len;
    char *data = eb_file_read_all(path, 0, 0, &len, err, cap);
    if (!data)
        return -1;
    if (len >= 8 && !memcmp(data, EB_MODEL_MAGIC, 8)) {
        eb_model_t m;
        eb_model_error_t me;
        if (eb_model_open(&m, data, len, &me)) {
            free(data);
            return eb_errf(err, cap, "%s: %s", path, me.msg);
        }
        *out = (uint8_t *)data;
        *out_len = len;
        return 0;
    }
    char e2[256];
    int rc = eb_compile_model(data, len, o, out, out_len, e2, sizeof e2);
    free(data);
    return rc ? eb_errf(err, cap, "%s: %s", path, e2) : 0;
}

