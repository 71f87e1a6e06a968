/* XGBoost JSON (UBJSON-free "save_model(*.json)") -> common form. Handles 1.x (scalar base_score) and
 * 2.x/3.x (bracketed base_score vector), numeric and categorical splits, default_left as 0/1 or bool.
 * XGBoost semantics: features rounded to float32, go left iff x < split_condition, NaN takes the
 * default child, categorical: a category in the node's set goes right; margins accumulate in float32. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/edgebox/model/model_ir.h"

static const cJSON *path(const cJSON *o, const char *a, const char *b, const char *c)
{
    const char *keys[3] = {a, b, c};
    for (int i = 0; i < 3 && o && keys[i]; i++)
        o = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
    return o;
}

/* XGBoost writes numbers in parameter objects as strings ("3", "5E-1"). */
static int num_param(const cJSON *v, double *out)
{
    char *end;
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return -1;
    *out = strtod(v->valuestring, &end);
    return *end ? -1 : 0;
}

static int parse_objective(eb_ir_t *ir, const char *name, char *err, size_t cap)
{
    if (!strcmp(name, "multi:softprob"))
        ir->objective = EB_MODEL_OBJ_SOFTPROB;
    else if (!strcmp(name, "multi:softmax"))
        ir->objective = EB_MODEL_OBJ_SOFTMAX;
    else if (!strcmp(name, "binary:logistic"))
        ir->objective = EB_MODEL_OBJ_LOGISTIC;
    else if (!strcmp(name, "reg:squarederror") || !strcmp(name, "reg:linear"))
        ir->objective = EB_MODEL_OBJ_REGRESSION;
    else
        return eb_errf(err, cap, "learner.objective.name \"%s\" not supported (multi:softprob, multi:softmax, "
                              "binary:logistic, reg:squarederror)", name);
    return 0;
}

/* base_score: "5E-1" (1.x) or "[3.3E-1,3.3E-1,3.3E-1]" (2.x/3.x, one per class or a single value).
 * It is in output space: binary:logistic turns it into a margin with the logit. */
static int parse_base_score(eb_ir_t *ir, const cJSON *v, char *err, size_t cap)
{
    if (!cJSON_IsString(v))
        return eb_errf(err, cap, "learner_model_param.base_score missing or not a string");
    const char *s = v->valuestring;
    double vals[EB_MODEL_MAX_CLASSES];
    uint32_t n = 0;
    int bracket = *s == '[';
    s += bracket;
    for (;;) {
        char *end;
        if (n == EB_MODEL_MAX_CLASSES)
            return eb_errf(err, cap, "base_score has more than %u values", EB_MODEL_MAX_CLASSES);
        vals[n++] = strtod(s, &end);
        if (end == s)
            return eb_errf(err, cap, "base_score \"%s\" is not a number or a bracketed list", v->valuestring);
        s = end;
        if (bracket && *s == ',') {
            s++;
            continue;
        }
        if ((bracket && strcmp(s, "]") != 0) || (!bracket && *s))
            return eb_errf(err, cap, "base_score \"%s\": unexpected text \"%s\"", v->valuestring, s);
        break;
    }
    if (n != 1 && n != ir->num_groups)
        return eb_errf(err, cap, "base_score has %u values for %u classes", n, ir->num_groups);
    for (uint32_t g = 0; g < ir->num_groups; g++) {
        double b = vals[n == 1 ? 0 : g];
        if (ir->objective == EB_MODEL_OBJ_LOGISTIC) {
            if (!(b > 0 && b < 1))
                return eb_errf(err, cap, "base_score %g outside (0, 1) for binary:logistic", b);
            b = -log(1.0 / b - 1.0);
        }
        if (!isfinite(b))
            return eb_errf(err, cap, "base_score is not finite");
        ir->base[g] = (double)(float)b; /* XGBoost keeps it as a float */
    }
    return 0;
}

/* A JSON array of numbers (or booleans) as doubles: cJSON's arrays are linked lists, so index access
 * would be quadratic on big trees. Absent arrays give NULL with *n = 0. */
static double *num_array(const cJSON *arr, int *n)
{
    *n = cJSON_GetArraySize(arr);
    double *v = malloc(((size_t)*n + 1) * sizeof *v);
    int i = 0;
    const cJSON *e;
    if (!v)
        return NULL;
    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_IsBool(e))
            v[i++] = cJSON_IsTrue(e) ? 1.0 : 0.0;
        else if (cJSON_IsNumber(e))
            v[i++] = e->valuedouble;
        else
            v[i++] = NAN;
    }
    return v;
}

static int int_ok(double v) { return v == floor(v) && fabs(v) < 2147483648.0; }

enum { A_LEFT, A_RIGHT, A_FEAT, A_COND, A_DEFLEFT, A_TYPE, A_CNODE, A_CSEG, A_CSIZE, A_CATS, A_COUNT };
static const char *const arr_names[A_COUNT] = {
    "left_children", "right_children", "split_indices", "split_conditions", "default_left", "split_type",
    "categories_nodes", "categories_segments", "categories_sizes", "categories"};

typedef struct {
    double *v[A_COUNT];
    int n[A_COUNT];
} tree_arrays_t;

/* Categorical split sets: categories_nodes[k] has categories[segments[k] .. + sizes[k]). */
static int tree_categories(eb_ir_t *ir, const tree_arrays_t *a, eb_ir_node_t *nodes, int n, size_t t, char *err,
                           size_t cap)
{
    int k_n = a->n[A_CNODE];
    if (a->n[A_CSEG] != k_n || a->n[A_CSIZE] != k_n)
        return eb_errf(err, cap, "tree %zu: categories_nodes/segments/sizes differ in length", t);
    for (int k = 0; k < k_n; k++) {
        double node = a->v[A_CNODE][k], seg = a->v[A_CSEG][k], size = a->v[A_CSIZE][k];
        if (!int_ok(node) || !int_ok(seg) || !int_ok(size) || node < 0 || node >= n || seg < 0 || size < 1 ||
            seg + size > a->n[A_CATS])
            return eb_errf(err, cap, "tree %zu: categories entry %d out of range", t, k);
        int nd = (int)node, s0 = (int)seg, s1 = (int)(seg + size);
        if (!(nodes[nd].flags & EB_MODEL_N_CATEGORICAL))
            return eb_errf(err, cap, "tree %zu: categories for node %d, which is not a categorical split", t, nd);
        double maxc = -1;
        for (int j = s0; j < s1; j++) {
            double c = a->v[A_CATS][j];
            if (!int_ok(c) || c < 0 || c >= 16777216.0)
                return eb_errf(err, cap, "tree %zu node %d: category %g outside 0..2^24-1", t, nd, c);
            maxc = c > maxc ? c : maxc;
        }
        uint32_t words = (uint32_t)maxc / 32u + 1u;
        long at = eb_ir_add_cats(ir, words);
        if (at < 0)
            return eb_errf(err, cap, "out of memory");
        for (int j = s0; j < s1; j++) {
            uint32_t c = (uint32_t)a->v[A_CATS][j];
            ir->cats[(size_t)at + c / 32u] |= 1u << (c % 32u);
        }
        nodes[nd].cat_word = (uint32_t)at;
        nodes[nd].cat_nwords = words;
    }
    for (int i = 0; i < n; i++)
        if ((nodes[i].flags & EB_MODEL_N_CATEGORICAL) && nodes[i].cat_nwords == 0)
            return eb_errf(err, cap, "tree %zu node %d: categorical split without categories", t, i);
    return 0;
}

static int import_node(eb_ir_node_t *nd, const tree_arrays_t *a, int i, size_t t, uint32_t nf, char *err,
                       size_t cap)
{
    double l = a->v[A_LEFT][i], r = a->v[A_RIGHT][i], cond = a->v[A_COND][i];
    double f = a->v[A_FEAT] ? a->v[A_FEAT][i] : NAN;
    double d = a->v[A_DEFLEFT] ? a->v[A_DEFLEFT][i] : 0, type = a->v[A_TYPE] ? a->v[A_TYPE][i] : 0;
    if (!int_ok(l) || !int_ok(r) || (isnan(cond) && !(l != -1 && type == 1)))
        return eb_errf(err, cap, "tree %zu node %d: children or split condition not numbers (NaN only on "
                              "categorical splits)", t, i);
    if (l == -1) {
        nd->value = (double)(float)cond; /* leaf values are float32 */
        return 0;
    }
    if (!int_ok(f) || f < 0 || f >= nf)
        return eb_errf(err, cap, "tree %zu node %d: split feature %g outside 0..%u", t, i, f, nf - 1);
    if (l < 0 || r < 0 || (type != 0 && type != 1) || (d != 0 && d != 1))
        return eb_errf(err, cap, "tree %zu node %d: children %g,%g, split_type %g or default_left %g invalid", t, i,
                    l, r, type, d);
    nd->left = (int32_t)l;
    nd->right = (int32_t)r;
    nd->feature = (uint32_t)f;
    nd->flags = (d != 0 ? EB_MODEL_N_DEFAULT_LEFT : 0u) | (type != 0 ? EB_MODEL_N_CATEGORICAL : 0u);
    nd->value = eb_ir_xgb_threshold((float)cond);
    nd->xgb_thr = (float)cond;
    return 0;
}

static int import_tree_arrays(eb_ir_t *ir, const tree_arrays_t *a, uint32_t group, size_t t, char *err,
                              size_t cap)
{
    int n = a->n[A_LEFT];
    if (n < 1 || a->n[A_RIGHT] != n || a->n[A_COND] != n || (a->v[A_FEAT] && a->n[A_FEAT] != n) ||
        (a->v[A_DEFLEFT] && a->n[A_DEFLEFT] != n) || (a->v[A_TYPE] && a->n[A_TYPE] != n))
        return eb_errf(err, cap, "tree %zu: node arrays empty or of different lengths", t);
    eb_ir_node_t *nodes = eb_ir_add_tree(ir, group, (uint32_t)n);
    if (!nodes)
        return eb_errf(err, cap, "out of memory");
    for (int i = 0; i < n; i++)
        if (import_node(&nodes[i], a, i, t, ir->num_features, err, cap))
            return -1;
    return tree_categories(ir, a, nodes, n, t, err, cap);
}

static int import_tree(eb_ir_t *ir, const cJSON *tree, uint32_t group, size_t t, char *err, size_t cap)
{
    tree_arrays_t a;
    int rc = 0;
    memset(&a, 0, sizeof a);
    for (int k = 0; k < A_COUNT; k++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(tree, arr_names[k]);
        if (arr && !cJSON_IsArray(arr))
            rc = eb_errf(err, cap, "tree %zu: %s is not an array", t, arr_names[k]);
        else if (arr && !(a.v[k] = num_array(arr, &a.n[k])))
            rc = eb_errf(err, cap, "out of memory");
    }
    if (!rc && (!a.v[A_LEFT] || !a.v[A_RIGHT] || !a.v[A_COND]))
        rc = eb_errf(err, cap, "tree %zu: left_children, right_children or split_conditions missing", t);
    if (!rc)
        rc = import_tree_arrays(ir, &a, group, t, err, cap);
    for (int k = 0; k < A_COUNT; k++)
        free(a.v[k]);
    return rc;
}

static int import_learner(eb_ir_t *ir, const cJSON *learner, char *err, size_t cap)
{
    const cJSON *mp = cJSON_GetObjectItemCaseSensitive(learner, "learner_model_param");
    const cJSON *obj = path(learner, "objective", "name", NULL);
    const cJSON *gb = cJSON_GetObjectItemCaseSensitive(learner, "gradient_booster");
    double nf, nc;
    if (!mp || !cJSON_IsString(obj) || !gb)
        return eb_errf(err, cap, "not an XGBoost model: learner.learner_model_param/objective/gradient_booster missing");
    const cJSON *gbname = cJSON_GetObjectItemCaseSensitive(gb, "name");
    if (!cJSON_IsString(gbname) || strcmp(gbname->valuestring, "gbtree") != 0)
        return eb_errf(err, cap, "gradient_booster.name \"%s\" not supported (gbtree only)",
                    cJSON_IsString(gbname) ? gbname->valuestring : "?");
    if (num_param(cJSON_GetObjectItemCaseSensitive(mp, "num_feature"), &nf) || nf < 1 || nf > EB_MODEL_MAX_FEATURES)
        return eb_errf(err, cap, "learner_model_param.num_feature missing or outside 1..%u", EB_MODEL_MAX_FEATURES);
    if (num_param(cJSON_GetObjectItemCaseSensitive(mp, "num_class"), &nc) || nc < 0 || nc > EB_MODEL_MAX_CLASSES)
        return eb_errf(err, cap, "learner_model_param.num_class missing or outside 0..%u", EB_MODEL_MAX_CLASSES);
    if (parse_objective(ir, obj->valuestring, err, cap))
        return -1;
    int multi = ir->objective == EB_MODEL_OBJ_SOFTPROB || ir->objective == EB_MODEL_OBJ_SOFTMAX;
    if (multi != (nc >= 2))
        return eb_errf(err, cap, "objective %s with num_class %g", obj->valuestring, nc);
    ir->num_features = (uint32_t)nf;
    ir->num_groups = multi ? (uint32_t)nc : 1u;
    ir->source = EB_MODEL_SRC_XGBOOST;
    ir->flags = EB_MODEL_F_FLOAT32;
    return parse_base_score(ir, cJSON_GetObjectItemCaseSensitive(mp, "base_score"), err, cap);
}

/* XGBoost 1.x writes NaN (categorical split conditions) and Infinity, which JSON and cJSON do not have:
 * outside strings they become null (read back as NaN) and +-1e999 (strtod gives +-inf). */
static char *sanitize(const char *json, size_t len, size_t *out_len)
{
    char *o = malloc(2 * len + 1), *w = o;
    int in_str = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_str) {
            *w++ = c;
            if (c == '\\' && i + 1 < len)
                *w++ = json[++i];
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
            *w++ = c;
        } else if (len - i >= 3 && !memcmp(json + i, "NaN", 3)) {
            memcpy(w, "null", 4), w += 4, i += 2;
        } else if (len - i >= 8 && !memcmp(json + i, "Infinity", 8)) {
            memcpy(w, "1e999", 5), w += 5, i += 7;
        } else {
            *w++ = c;
        }
    }
    *w = '\0';
    *out_len = (size_t)(w - o);
    return o;
}

int eb_compile_xgboost_json(const char *json_in, size_t len_in, const eb_compile_opts_t *o, uint8_t **out,
                            size_t *out_len, char *err, size_t cap)
{
    size_t len;
    char *json = sanitize(json_in, len_in, &len);
    if (!json)
        return eb_errf(err, cap, "out of memory");
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        eb_errf(err, cap, "XGBoost JSON does not parse (near \"%.20s\")", at ? at : "?");
        free(json);
        return -1;
    }
    eb_ir_t ir;
    eb_ir_init(&ir);
    int rc = import_learner(&ir, cJSON_GetObjectItemCaseSensitive(root, "learner"), err, cap);
    const cJSON *model = path(root, "learner", "gradient_booster", "model");
    const cJSON *trees = cJSON_GetObjectItemCaseSensitive(model, "trees");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(model, "tree_info");
    int nt = cJSON_GetArraySize(trees);
    if (!rc && (nt < 1 || cJSON_GetArraySize(info) != nt))
        rc = eb_errf(err, cap, "gradient_booster.model: %d trees and %d tree_info entries", nt, cJSON_GetArraySize(info));
    for (int t = 0; !rc && t < nt; t++) {
        const cJSON *gi = cJSON_GetArrayItem(info, t); /* linear, but once per tree */
        double g = cJSON_IsNumber(gi) ? gi->valuedouble : -1;
        if (!int_ok(g) || g < 0 || g >= ir.num_groups)
            rc = eb_errf(err, cap, "tree_info[%d] outside 0..%u", t, ir.num_groups - 1);
        else
            rc = import_tree(&ir, cJSON_GetArrayItem(trees, t), (uint32_t)g, (size_t)t, err, cap);
    }
    if (!rc)
        rc = eb_ir_build(&ir, o, out, out_len, err, cap);
    eb_ir_free(&ir);
    cJSON_Delete(root);
    free(json);
    return rc;
}
