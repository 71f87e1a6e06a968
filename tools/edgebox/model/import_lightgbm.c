/* LightGBM text model (v2..v4) -> common form.
 * LightGBM semantics: doubles, go left iff x <= threshold; decision_type bit 0 categorical, bit 1
 * default_left, bits 2-3 missing type (0 None: NaN is read as 0; 1 Zero: 0 and NaN take the default
 * child; 2 NaN: NaN takes the default child). Categorical: NaN and negatives go right, a category in
 * the bitset goes left. Tree i adds to class i % num_tree_per_iteration; margins accumulate in double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/edgebox/model/model_ir.h"

/* One "key=value" line of the current block; returns the value (not NUL-terminated: ends at *end). */
static const char *find_key(const char *blk, const char *blk_end, const char *key, const char **end)
{
    size_t kl = strlen(key);
    for (const char *p = blk; p < blk_end;) {
        const char *nl = memchr(p, '\n', (size_t)(blk_end - p));
        const char *le = nl ? nl : blk_end;
        if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
            *end = le > p && le[-1] == '\r' ? le - 1 : le;
            return p + kl + 1;
        }
        p = le + 1;
    }
    return NULL;
}

/* Parses exactly n numbers from key's value into out (n = 0: counts them). Returns count or -1. */
static long parse_nums(const char *blk, const char *blk_end, const char *key, double *out, long n)
{
    const char *end, *p = find_key(blk, blk_end, key, &end);
    if (!p)
        return -1;
    long k = 0;
    char buf[64];
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        const char *q = p;
        while (q < end && *q != ' ')
            q++;
        size_t l = (size_t)(q - p);
        if (l >= sizeof buf)
            return -1;
        memcpy(buf, p, l);
        buf[l] = '\0';
        char *e;
        double v = strtod(buf, &e);
        if (*e)
            return -1;
        if (out) {
            if (k >= n)
                return -1;
            out[k] = v;
        }
        k++;
        p = q;
    }
    return out && k != n ? -1 : k;
}

static int header_int(const char *s, const char *e, const char *key, long *v)
{
    double d;
    if (parse_nums(s, e, key, &d, 1) != 1 || d != floor(d) || d < 0 || d > 1e9)
        return -1;
    *v = (long)d;
    return 0;
}

static int parse_objective(eb_ir_t *ir, const char *s, const char *e, char *err, size_t cap)
{
    const char *end, *p = find_key(s, e, "objective", &end);
    if (!p)
        return eb_errf(err, cap, "LightGBM header: objective line missing");
    size_t l = (size_t)(end - p);
    const char *sp = memchr(p, ' ', l);
    size_t nl = sp ? (size_t)(sp - p) : l;
    if (nl == 10 && !memcmp(p, "multiclass", 10)) {
        ir->objective = EB_MODEL_OBJ_SOFTPROB;
    } else if (nl == 6 && !memcmp(p, "binary", 6)) {
        ir->objective = EB_MODEL_OBJ_LOGISTIC;
        const char *sg = NULL;
        for (const char *q = p; q + 8 <= end; q++)
            if (!memcmp(q, "sigmoid:", 8)) {
                sg = q + 8;
                break;
            }
        if (sg)
            ir->sigmoid = strtod(sg, NULL);
        if (!(ir->sigmoid > 0) || !isfinite(ir->sigmoid))
            return eb_errf(err, cap, "objective binary: sigmoid scale not a positive number");
    } else if ((nl == 10 && !memcmp(p, "regression", 10)) || (nl == 13 && !memcmp(p, "regression_l1", 13)) ||
               (nl == 5 && !memcmp(p, "huber", 5)) || (nl == 4 && !memcmp(p, "fair", 4)) ||
               (nl == 8 && !memcmp(p, "quantile", 8))) {
        ir->objective = EB_MODEL_OBJ_REGRESSION;
    } else {
        return eb_errf(err, cap, "objective \"%.*s\" not supported (multiclass, binary, regression)", (int)nl, p);
    }
    return 0;
}

static int parse_header(eb_ir_t *ir, const char *s, const char *e, long *per_iter, char *err, size_t cap)
{
    long nc, maxf;
    if (header_int(s, e, "num_class", &nc) || nc < 1 || nc > EB_MODEL_MAX_CLASSES)
        return eb_errf(err, cap, "LightGBM header: num_class missing or outside 1..%u", EB_MODEL_MAX_CLASSES);
    if (header_int(s, e, "num_tree_per_iteration", per_iter) || *per_iter != nc)
        return eb_errf(err, cap, "LightGBM header: num_tree_per_iteration missing or != num_class %ld", nc);
    if (header_int(s, e, "max_feature_idx", &maxf) || maxf + 1 > EB_MODEL_MAX_FEATURES)
        return eb_errf(err, cap, "LightGBM header: max_feature_idx missing or above %u", EB_MODEL_MAX_FEATURES - 1);
    if (parse_objective(ir, s, e, err, cap))
        return -1;
    if ((ir->objective == EB_MODEL_OBJ_SOFTPROB) != (nc >= 2))
        return eb_errf(err, cap, "objective does not fit num_class %ld", nc);
    ir->num_groups = (uint32_t)nc;
    ir->num_features = (uint32_t)maxf + 1u;
    ir->source = EB_MODEL_SRC_LIGHTGBM;
    ir->flags = 0;
    return 0;
}

enum { F_SPLIT, F_THR, F_DT, F_LEFT, F_RIGHT, F_LEAF, F_COUNT };

/* Node i of a tree with L leaves: splits are 0..L-2, leaf k is node L-1+k (children < 0 mean leaf ~c). */
static int lgb_split(eb_ir_t *ir, eb_ir_node_t *nd, double *const a[F_COUNT], long i, long L, const double *cb,
                     long ncb, const double *ct, long nct, size_t t, char *err, size_t cap)
{
    double f = a[F_SPLIT][i], dt = a[F_DT][i], c[2] = {a[F_LEFT][i], a[F_RIGHT][i]};
    if (f < 0 || f >= ir->num_features || f != floor(f))
        return eb_errf(err, cap, "Tree=%zu split %ld: feature %g outside 0..%u", t, i, f, ir->num_features - 1);
    if (dt < 0 || dt > 255 || dt != floor(dt) || ((unsigned)dt >> 2 & 3u) == 3u)
        return eb_errf(err, cap, "Tree=%zu split %ld: decision_type %g invalid", t, i, dt);
    int32_t idx[2];
    for (int j = 0; j < 2; j++) {
        if (c[j] != floor(c[j]) || c[j] >= L - 1 || c[j] < -L)
            return eb_errf(err, cap, "Tree=%zu split %ld: child %g outside -%ld..%ld", t, i, c[j], L, L - 2);
        idx[j] = c[j] >= 0 ? (int32_t)c[j] : (int32_t)(L - 1 + (long)(-c[j] - 1));
    }
    unsigned d = (unsigned)dt, miss = d >> 2 & 3u;
    nd->left = idx[0];
    nd->right = idx[1];
    nd->feature = (uint32_t)f;
    double thr = a[F_THR][i];
    if (d & 1u) {
        if (thr < 0 || thr + 1 >= (double)ncb || thr != floor(thr))
            return eb_errf(err, cap, "Tree=%zu split %ld: category set %g outside cat_boundaries", t, i, thr);
        long k = (long)thr;
        double w0 = cb[k], w1 = cb[k + 1];
        if (w0 < 0 || w1 <= w0 || w1 > (double)nct || w0 != floor(w0) || w1 != floor(w1))
            return eb_errf(err, cap, "Tree=%zu: cat_boundaries %g..%g outside cat_threshold", t, w0, w1);
        long at = eb_ir_add_cats(ir, (uint32_t)(w1 - w0));
        if (at < 0)
            return eb_errf(err, cap, "out of memory");
        for (long w = (long)w0; w < (long)w1; w++) {
            if (!(ct[w] >= 0 && ct[w] <= 4294967295.0) || ct[w] != floor(ct[w]))
                return eb_errf(err, cap, "Tree=%zu: cat_threshold word %g is not a 32-bit bitset", t, ct[w]);
            ir->cats[at + w - (long)w0] = (uint32_t)ct[w];
        }
        nd->cat_word = (uint32_t)at;
        nd->cat_nwords = (uint32_t)(w1 - w0);
        nd->flags = EB_MODEL_N_CATEGORICAL | EB_MODEL_N_CAT_IN_LEFT; /* NaN: right (default_left 0) */
        return 0;
    }
    nd->value = eb_ir_lgb_threshold(thr);
    if (miss == 0) /* None: NaN is read as 0.0 and compared like any value */
        nd->flags = 0.0 <= thr ? EB_MODEL_N_DEFAULT_LEFT : 0u;
    else
        nd->flags = (d & 2u ? EB_MODEL_N_DEFAULT_LEFT : 0u) | (miss == 1 ? EB_MODEL_N_ZERO_MISSING : 0u);
    return 0;
}

static int lgb_tree(eb_ir_t *ir, const char *s, const char *e, uint32_t group, size_t t, char *err, size_t cap)
{
    static const char *const keys[F_COUNT] = {"split_feature", "threshold", "decision_type",
                                              "left_child",    "right_child", "leaf_value"};
    long L, ncat = 0;
    if (header_int(s, e, "num_leaves", &L) || L < 1 || L > 1000000)
        return eb_errf(err, cap, "Tree=%zu: num_leaves missing or invalid", t);
    header_int(s, e, "num_cat", &ncat);
    double *a[F_COUNT] = {0}, *cb = NULL, *ct = NULL;
    long ncb = 0, nct = 0;
    int rc = 0;
    for (int k = 0; k < F_COUNT && !rc; k++) {
        long want = k == F_LEAF ? L : L - 1;
        if (want == 0)
            continue;
        a[k] = malloc((size_t)want * sizeof(double));
        if (!a[k] || parse_nums(s, e, keys[k], a[k], want) != want)
            rc = eb_errf(err, cap, "Tree=%zu: %s missing or not %ld numbers", t, keys[k], want);
    }
    if (!rc && ncat > 0) {
        ncb = parse_nums(s, e, "cat_boundaries", NULL, 0);
        nct = parse_nums(s, e, "cat_threshold", NULL, 0);
        cb = ncb > 0 ? malloc((size_t)ncb * sizeof *cb) : NULL;
        ct = nct > 0 ? malloc((size_t)nct * sizeof *ct) : NULL;
        if (!cb || !ct || parse_nums(s, e, "cat_boundaries", cb, ncb) != ncb ||
            parse_nums(s, e, "cat_threshold", ct, nct) != nct)
            rc = eb_errf(err, cap, "Tree=%zu: cat_boundaries/cat_threshold missing or malformed", t);
    }
    eb_ir_node_t *nodes = rc ? NULL : eb_ir_add_tree(ir, group, (uint32_t)(2 * L - 1));
    if (!rc && !nodes)
        rc = eb_errf(err, cap, "out of memory");
    for (long i = 0; !rc && i < L - 1; i++)
        rc = lgb_split(ir, &nodes[i], a, i, L, cb, ncb, ct, nct, t, err, cap);
    for (long k = 0; !rc && k < L; k++) {
        if (!isfinite(a[F_LEAF][k]))
            rc = eb_errf(err, cap, "Tree=%zu: leaf %ld value not finite", t, k);
        else
            nodes[L - 1 + k].value = a[F_LEAF][k];
    }
    /* nodes stays valid across lgb_split: it grows ir->cats, never ir->nodes. */
    for (int k = 0; k < F_COUNT; k++)
        free(a[k]);
    free(cb);
    free(ct);
    return rc;
}

int eb_compile_lightgbm_text(const char *text, size_t len, const eb_compile_opts_t *o, uint8_t **out,
                             size_t *out_len, char *err, size_t cap)
{
    const char *end = text + len;
    if (len < 5 || memcmp(text, "tree", 4) != 0)
        return eb_errf(err, cap, "not a LightGBM text model (first line is not \"tree\")");
    eb_ir_t ir;
    eb_ir_init(&ir);
    long per_iter = 1;
    const char *first = NULL;
    for (const char *p = text; p && p < end; p = memchr(p, '\n', (size_t)(end - p)), p = p ? p + 1 : p)
        if ((size_t)(end - p) > 5 && !memcmp(p, "Tree=", 5)) {
            first = p;
            break;
        }
    int rc = parse_header(&ir, text, first ? first : end, &per_iter, err, cap);
    if (!rc && !first)
        rc = eb_errf(err, cap, "LightGBM model has no Tree= blocks");
    size_t t = 0;
    for (const char *p = first; !rc && p;) {
        const char *nx = NULL;
        for (const char *q = memchr(p + 5, '\n', (size_t)(end - p - 5)); q && q < end;
             q = memchr(q + 1, '\n', (size_t)(end - q - 1))) {
            if ((size_t)(end - q) > 6 && (!memcmp(q + 1, "Tree=", 5) || !memcmp(q + 1, "end of", 6))) {
                nx = q + 1;
                break;
            }
        }
        const char *be = nx ? nx : end;
        rc = lgb_tree(&ir, p, be, (uint32_t)(t % (size_t)per_iter), t, err, cap);
        t++;
        p = nx && !memcmp(nx, "Tree=", 5) ? nx : NULL;
    }
    if (!rc && t % (size_t)per_iter)
        rc = eb_errf(err, cap, "%zu trees is not a multiple of %ld classes", t, per_iter);
    if (!rc)
        rc = eb_ir_build(&ir, o, out, out_len, err, cap);
    eb_ir_free(&ir);
    return rc;
}
