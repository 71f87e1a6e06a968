#include "tools/edgebox/validate/model_meta.h"

#include "common/errf.h"
#include "common/file_read.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An integer field; the *_ms name first, else the seconds one times 1000 (older files have only seconds). */
static int range_end(const cJSON *doc, const char *ms_key, const char *s_key, int64_t *out)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(doc, ms_key), *s = cJSON_GetObjectItemCaseSensitive(doc, s_key);
    const cJSON *v = cJSON_IsNumber(ms) ? ms : s;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 9e15)
        return -1;
    *out = (int64_t)v->valuedouble * (v == ms ? 1 : 1000);
    return 0;
}

static int parse(const char *path, eb_model_meta_t *m, char *err, size_t cap)
{
    char *text = eb_file_read_all(path, 1 << 20, 0, NULL, err, cap);
    if (!text)
        return -1;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    size_t l = strnlen(path, sizeof m->path - 1); /* the candidates fit: eb_model_meta_read checked the length */
    memcpy(m->path, path, l);
    m->path[l] = 0;
    int rc = 0;
    if (!cJSON_IsObject(doc))
        rc = eb_errf(err, cap, "%s: not a JSON object", path);
    else if (range_end(doc, "train_start_ms", "window_start", &m->train_start_ms) ||
             range_end(doc, "train_end_ms", "window_end", &m->train_end_ms))
        rc = eb_errf(err, cap, "%s: train_start_ms/train_end_ms (or window_start/window_end) missing or not a "
                     "number", path);
    else if (m->train_start_ms >= m->train_end_ms)
        rc = eb_errf(err, cap, "%s: the training range [%lld, %lld) is empty", path, (long long)m->train_start_ms,
                     (long long)m->train_end_ms);
    m->walkforward_pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "walkforward_pass"));
    cJSON_Delete(doc);
    return rc;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

int eb_model_meta_read(const char *model, eb_model_meta_t *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    char cand[3][4096];
    int k = 0;
    size_t n = strlen(model);
    if (n + 24 >= sizeof cand[0])
        return eb_errf(err, cap, "%s: path too long", model);
    snprintf(cand[k++], sizeof cand[0], "%s.json", model);
    if (ends_with(model, ".signed"))
        snprintf(cand[k++], sizeof cand[0], "%.*s.json", (int)(n - 7), model);
    const char *slash = strrchr(model, '/'), *base = slash ? slash + 1 : model;
    if (strcmp(base, "model.ebm") == 0 || strcmp(base, "model.signed") == 0)
        snprintf(cand[k++], sizeof cand[0], "%.*smodel.summary.json", (int)(base - model), model);
    for (int i = 0; i < k; i++)
        if (access(cand[i], F_OK) == 0)
            return parse(cand[i], out, err, cap);
    return eb_errf(err, cap, "%s: no training range recorded (looked for %s%s%s): montecarlo needs it to run "
                   "only on bars the model never saw", model, cand[0], k > 1 ? " and " : "", k > 1 ? cand[k - 1] : "");
}

int eb_model_meta_overlaps(const eb_model_meta_t *m, int64_t from_ms, int64_t to_ms)
{
    return from_ms < m->train_end_ms && to_ms > m->train_start_ms;
}
