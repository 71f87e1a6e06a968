/* Parity with the source libraries: every set in ../shared/fixtures/trees is compiled to a blob and its
 * stored expected outputs (written by XGBoost / LightGBM themselves) are reproduced: margins and
 * transformed outputs, max abs difference 1e-6 (2e-6 for XGBoost, which accumulates in float32). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "common/file_read.h"
#include "tests/support/check.h"
#include "tools/edgebox/model/model_compile.h"

#define FX "fixtures/trees/"
#define MAXF 256

typedef struct {
    double *x; /* rows x nf, NaN = missing */
    size_t rows, nf;
} rows_t;

static char *read_shared(const char *rel, size_t *len)
{
    char p[512], err[256];
    if (!eb_shared_path(rel, p, sizeof p))
        return NULL;
    return eb_file_read_all(p, 0, 0, len, err, sizeof err);
}

static int compile_shared(const char *rel, uint8_t **blob, size_t *blen, eb_model_t *m)
{
    size_t len;
    char err[256];
    char *src = read_shared(rel, &len);
    if (!src)
        return -1;
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    int rc = eb_compile_model(src, len, &o, blob, blen, err, sizeof err);
    free(src);
    CHECK_MSG(rc == 0, "%s: %s", rel, err);
    if (rc)
        return -1;
    eb_model_error_t me;
    rc = eb_model_open(m, *blob, *blen, &me);
    CHECK_MSG(rc == 0, "%s: %s", rel, me.msg);
    return rc;
}

/* JSON rows: an array of arrays with null for missing. */
static int json_rows(const cJSON *arr, size_t nf, rows_t *r)
{
    r->rows = (size_t)cJSON_GetArraySize(arr);
    r->nf = nf;
    r->x = malloc(r->rows * nf * sizeof(double) + 1);
    size_t i = 0;
    const cJSON *row, *v;
    cJSON_ArrayForEach(row, arr)
    {
        size_t j = 0;
        for (size_t k = 0; k < nf; k++)
            r->x[i * nf + k] = NAN;
        cJSON_ArrayForEach(v, row)
        {
            if (j < nf)
                r->x[i * nf + j] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
            j++;
        }
        if (j != nf)
            return -1;
        i++;
    }
    return 0;
}

/* libsvm rows: "label idx:value ..." with 0-based indices; absent = missing. */
static int libsvm_rows(const char *rel, size_t nf, rows_t *r)
{
    size_t len;
    char *s = read_shared(rel, &len);
    if (!s)
        return -1;
    r->nf = nf;
    r->rows = 0;
    for (size_t i = 0; i < len; i++)
        r->rows += s[i] == '\n';
    r->x = malloc(r->rows * nf * sizeof(double) + 1);
    size_t row = 0;
    for (char *line = strtok(s, "\n"); line && row < r->rows; line = strtok(NULL, "\n"), row++) {
        for (size_t k = 0; k < nf; k++)
            r->x[row * nf + k] = NAN;
        char *p = strchr(line, ' ');
        while (p && *p) {
            char *e;
            long idx = strtol(p, &e, 10);
            if (*e != ':' || idx < 0 || (size_t)idx >= nf)
                break;
            r->x[row * nf + (size_t)idx] = strtod(e + 1, &p);
        }
    }
    free(s);
    return 0;
}

/* Flat list of expected numbers (one per line) from a text file. */
static double *text_numbers(const char *rel, size_t *n)
{
    size_t len;
    char *s = read_shared(rel, &len);
    if (!s)
        return NULL;
    double *v = malloc((len / 2 + 1) * sizeof *v);
    *n = 0;
    char *p = s, *e;
    for (;;) {
        double d = strtod(p, &e);
        if (e == p)
            break;
        v[(*n)++] = d;
        p = e;
    }
    free(s);
    return v;
}

/* Expected values from JSON: flat or nested (rows x classes) arrays, flattened row-major. */
static double *json_numbers(const cJSON *arr, size_t *n)
{
    size_t cap = 16;
    double *v = malloc(cap * sizeof *v);
    *n = 0;
    const cJSON *e, *f;
    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_IsArray(e)) {
            cJSON_ArrayForEach(f, e)
            {
                if (*n == cap)
                    v = realloc(v, (cap *= 2) * sizeof *v);
                v[(*n)++] = f->valuedouble;
            }
        } else {
            if (*n == cap)
                v = realloc(v, (cap *= 2) * sizeof *v);
            v[(*n)++] = e->valuedouble;
        }
    }
    return v;
}

/* Compares every row: margins (all groups) and/or transformed outputs. Returns the max abs diff. */
static double compare(const eb_model_t *m, const rows_t *r, const double *margin, size_t nm, const double *prob,
                      size_t np, double tol, const char *set)
{
    uint32_t ng = eb_model_num_classes(m), no = eb_model_num_outputs(m);
    double worst = 0, out[EB_MODEL_MAX_CLASSES];
    CHECK_MSG(!margin || nm == r->rows * ng, "%s: %zu margins for %zu rows x %u", set, nm, r->rows, ng);
    CHECK_MSG(!prob || np == r->rows * no, "%s: %zu outputs for %zu rows x %u", set, np, r->rows, no);
    if ((margin && nm != r->rows * ng) || (prob && np != r->rows * no))
        return INFINITY;
    for (size_t i = 0; i < r->rows; i++) {
        const double *x = r->x + i * r->nf;
        if (margin) {
            eb_model_predict_margin(m, x, out);
            for (uint32_t g = 0; g < ng; g++)
                worst = fmax(worst, fabs(out[g] - margin[i * ng + g]));
        }
        if (prob) {
            eb_model_predict(m, x, out);
            for (uint32_t g = 0; g < no; g++)
                worst = fmax(worst, fabs(out[g] - prob[i * no + g]));
        }
    }
    CHECK_MSG(worst <= tol, "%s: max abs diff %.3g > %.3g", set, worst, tol);
    fprintf(stderr, "  %-55s rows %4zu  max|diff| %.3g\n", set, r->rows, worst);
    return worst;
}

/* One JSON-described set: model, input rows under rows_key, expected margins / outputs. */
static void json_set(const char *model, const char *input, const char *expected, const char *rows_key,
                     const char *margin_key, const char *prob_key, double tol, uint32_t want_obj)
{
    uint8_t *blob = NULL;
    size_t blen, len, nm = 0, np = 0;
    eb_model_t m;
    if (compile_shared(model, &blob, &blen, &m)) {
        free(blob);
        return;
    }
    CHECK_EQ_INT(eb_model_objective(&m), want_obj);
    char *in = read_shared(input, &len), *ex = read_shared(expected, &len);
    cJSON *ji = cJSON_Parse(in), *je = cJSON_Parse(ex);
    rows_t r = {0};
    CHECK(json_rows(cJSON_GetObjectItem(ji, rows_key), eb_model_num_features(&m), &r) == 0);
    double *mg = json_numbers(cJSON_GetObjectItem(je, margin_key), &nm);
    const cJSON *jp = cJSON_GetObjectItem(je, prob_key);
    double *pr = jp ? json_numbers(jp, &np) : NULL;
    compare(&m, &r, mg, nm, pr, np, tol, strrchr(model, '/') + 1);
    free(mg), free(pr), free(r.x), free(in), free(ex), free(blob);
    cJSON_Delete(ji), cJSON_Delete(je);
}

static void xgb3_set(const char *name, uint32_t want_obj)
{
    char a[3][256];
    const char *d = FX "egordm-boosters/xgboost-3.1.1/";
    snprintf(a[0], sizeof a[0], "%s%s.model.json", d, name);
    snprintf(a[1], sizeof a[1], "%s%s.input.json", d, name);
    snprintf(a[2], sizeof a[2], "%s%s.expected.json", d, name);
    json_set(a[0], a[1], a[2], "features", "predictions", "predictions_transformed", 2e-6, want_obj);
}

TEST(xgboost_3_1_1)
{
    char p[512];
    if (!eb_shared_path(FX "README.md", p, sizeof p)) {
        CHECK_SKIP("../shared/fixtures/trees absent");
        return;
    }
    xgb3_set("gbtree_multiclass", EB_MODEL_OBJ_SOFTPROB);
    xgb3_set("gbtree_multiclass_missing", EB_MODEL_OBJ_SOFTPROB);
    xgb3_set("gbtree_binary_logistic_missing", EB_MODEL_OBJ_LOGISTIC);
    xgb3_set("gbtree_categorical", EB_MODEL_OBJ_REGRESSION);
    xgb3_set("gbtree_categorical_binary", EB_MODEL_OBJ_LOGISTIC);
}

static void lgb4_set(const char *name, uint32_t want_obj)
{
    char a[3][256];
    const char *d = FX "egordm-boosters/lightgbm-v4/";
    snprintf(a[0], sizeof a[0], "%s%s/model.txt", d, name);
    snprintf(a[1], sizeof a[1], "%s%s/input.json", d, name);
    snprintf(a[2], sizeof a[2], "%s%s/expected.json", d, name);
    json_set(a[0], a[1], a[2], "data", "raw", "proba", 1e-6, want_obj);
}

TEST(lightgbm_v4)
{
    char p[512];
    if (!eb_shared_path(FX "README.md", p, sizeof p)) {
        CHECK_SKIP("../shared/fixtures/trees absent");
        return;
    }
    lgb4_set("multiclass", EB_MODEL_OBJ_SOFTPROB);
    lgb4_set("binary_classification", EB_MODEL_OBJ_LOGISTIC);
    lgb4_set("regression_missing", EB_MODEL_OBJ_REGRESSION);
    lgb4_set("small_tree", EB_MODEL_OBJ_REGRESSION);
}

static void treelite_set(const char *model, const char *test, const char *margin, const char *prob, double tol,
                         uint32_t want_obj, uint32_t want_groups)
{
    uint8_t *blob = NULL;
    size_t blen, nm = 0, np = 0;
    eb_model_t m;
    if (compile_shared(model, &blob, &blen, &m)) {
        free(blob);
        return;
    }
    CHECK_EQ_INT(eb_model_objective(&m), want_obj);
    CHECK_EQ_INT(eb_model_num_classes(&m), want_groups);
    rows_t r = {0};
    CHECK(libsvm_rows(test, eb_model_num_features(&m), &r) == 0);
    double *mg = margin ? text_numbers(margin, &nm) : NULL;
    double *pr = prob ? text_numbers(prob, &np) : NULL;
    compare(&m, &r, mg, nm, pr, np, tol, model + strlen(FX));
    free(mg), free(pr), free(r.x), free(blob);
}

TEST(treelite_sets)
{
    char p[512];
    if (!eb_shared_path(FX "README.md", p, sizeof p)) {
        CHECK_SKIP("../shared/fixtures/trees absent");
        return;
    }
    const char *d = FX "dmlc-treelite/";
    char a[4][256];
#define P(i, s) (snprintf(a[i], sizeof a[i], "%s%s", d, s), a[i])
    treelite_set(P(0, "toy_categorical/toy_categorical_model.txt"), P(1, "toy_categorical/toy_categorical.test"),
                 P(2, "toy_categorical/toy_categorical.test.pred"), NULL, 1e-6, EB_MODEL_OBJ_REGRESSION, 1);
    treelite_set(P(0, "xgb_toy_categorical/xgb_toy_categorical_model.json"),
                 P(1, "xgb_toy_categorical/xgb_toy_categorical.test"),
                 P(2, "xgb_toy_categorical/xgb_toy_categorical.test.pred"), NULL, 2e-6, EB_MODEL_OBJ_REGRESSION, 1);
    treelite_set(P(0, "dermatology/dermatology.derived-xgb1.7.4.json"), P(1, "dermatology/dermatology.test"),
                 P(2, "dermatology/dermatology.test.margin"), P(3, "dermatology/dermatology.test.prob"), 2e-6,
                 EB_MODEL_OBJ_SOFTPROB, 6);
    treelite_set(P(0, "mushroom/mushroom.derived-xgb1.7.4.json"), P(1, "mushroom/agaricus.test"),
                 P(2, "mushroom/agaricus.test.margin"), P(3, "mushroom/agaricus.test.prob"), 2e-6,
                 EB_MODEL_OBJ_LOGISTIC, 1);
#undef P
}

int main(void)
{
    RUN(xgboost_3_1_1);
    RUN(lightgbm_v4);
    RUN(treelite_sets);
    return eb_check_report();
}
