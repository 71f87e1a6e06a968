/* In-place evaluation of a validated blob (model.c proved every index, so no bounds checks here).
 * A numeric split is one compare: left + !(x < thr); the importer folded each library's rule (XGBoost's
 * float32 rounding and strict <, LightGBM's double <=) into the stored double threshold. NaN (and zero
 * for LightGBM's missing type Zero) takes the default child; categorical splits test a bitset. */
#include "core/model.h"

#include <math.h>
#include <string.h>

/* LightGBM treats |x| <= kZeroThreshold (1e-35f widened to double) as zero. */
#define EB_ZERO_THRESHOLD ((double)1e-35f)

static int cat_in_set(const eb_model_t *m, const eb_model_node_t *n, double x)
{
    double c = (m->flags & EB_MODEL_F_FLOAT32) ? (double)(float)x : x;
    if (!(c >= 0) || c >= 32.0 * n->u.cat.cat_nwords)
        return 0;
    uint32_t k = (uint32_t)c; /* truncation toward zero, as both libraries cast */
    return (int)((m->cat_words[n->u.cat.cat_word + k / 32u] >> (k % 32u)) & 1u);
}

/* The rare kinds of split: categorical, or LightGBM's zero-as-missing. */
static uint32_t next_special(const eb_model_t *m, const eb_model_node_t *n, double x)
{
    uint32_t dflt = n->left + ((n->meta & EB_MODEL_N_DEFAULT_LEFT) ? 0u : 1u);
    if (isnan(x))
        return dflt;
    if (n->meta & EB_MODEL_N_CATEGORICAL) {
        int in = cat_in_set(m, n, x);
        int left = (n->meta & EB_MODEL_N_CAT_IN_LEFT) ? in : !in;
        return n->left + (left ? 0u : 1u);
    }
    if (fabs(x) <= EB_ZERO_THRESHOLD)
        return dflt;
    return n->left + (x < n->u.thr ? 0u : 1u);
}

/* One step from node n on row f; a leaf steps to itself. Numeric splits without a branch: NaN fails
 * both x < thr and x >= thr, so "right = default_left ? x >= thr : !(x < thr)" sends it the default way. */
static inline uint32_t tree_step(const eb_model_t *m, const eb_model_node_t *n, const double *f)
{
    uint32_t meta = n->meta;
    double x = f[meta & EB_MODEL_N_FEATURE_MASK], thr = n->u.thr;
    if (meta & (EB_MODEL_N_CATEGORICAL | EB_MODEL_N_ZERO_MISSING))
        return next_special(m, n, x);
    uint32_t dl = (meta >> 17) & 1u, leaf = (meta >> 16) & 1u;
    uint32_t right = (dl & (uint32_t)(x >= thr)) | ((dl ^ 1u) & (uint32_t)!(x < thr));
    return n->left + (right & (leaf ^ 1u));
}

static double tree_leaf(const eb_model_t *m, uint32_t i, const double *f)
{
    while (!(m->nodes[i].meta & EB_MODEL_N_LEAF))
        i = tree_step(m, &m->nodes[i], f);
    return m->nodes[i].u.thr;
}

/* Walks EB_LANES trees side by side: their node loads do not depend on each other, so the CPU overlaps
 * them instead of waiting for one tree's chain of dependent loads (the cost that dominates otherwise).
 * leaf[k] receives tree (t0 + k)'s leaf value. */
#define EB_LANES 8
static void walk_lanes(const eb_model_t *m, uint32_t t0, const double *f, double leaf[EB_LANES])
{
    const eb_model_node_t *nodes = m->nodes;
    uint32_t idx[EB_LANES];
    for (uint32_t k = 0; k < EB_LANES; k++)
        idx[k] = m->trees[t0 + k].first;
    for (;;) {
        uint32_t all_leaves = 1;
        for (uint32_t k = 0; k < EB_LANES; k++) {
            const eb_model_node_t *n = &nodes[idx[k]];
            all_leaves &= n->meta >> 16;
            idx[k] = tree_step(m, n, f);
        }
        if (all_leaves & 1u)
            break;
    }
    for (uint32_t k = 0; k < EB_LANES; k++)
        leaf[k] = nodes[idx[k]].u.thr;
}

/* Leaves of all trees in tree order, handed to add(acc, group, value) in that order (float32 sums
 * depend on it). */
#define EB_FOR_EACH_LEAF(m, f, ADD)                                                                     \
    do {                                                                                                \
        uint32_t t_ = 0, nt_ = (m)->num_trees;                                                          \
        double lv_[EB_LANES];                                                                           \
        for (; t_ + EB_LANES <= nt_; t_ += EB_LANES) {                                                  \
            walk_lanes((m), t_, (f), lv_);                                                              \
            for (uint32_t k_ = 0; k_ < EB_LANES; k_++)                                                  \
                ADD((m)->trees[t_ + k_].group, lv_[k_]);                                                \
        }                                                                                               \
        for (; t_ < nt_; t_++)                                                                          \
            ADD((m)->trees[t_].group, tree_leaf((m), (m)->trees[t_].first, (f)));                       \
    } while (0)

void eb_model_predict_margin(const eb_model_t *m, const double *features, double *margins)
{
    uint32_t ng = m->num_groups;
    if (m->flags & EB_MODEL_F_FLOAT32) {
        /* XGBoost adds each tree's float leaf to a float running sum, in tree order. */
        float acc[EB_MODEL_MAX_CLASSES];
        for (uint32_t g = 0; g < ng; g++)
            acc[g] = (float)m->base[g];
#define ADD_F(g, v) (acc[g] += (float)(v))
        EB_FOR_EACH_LEAF(m, features, ADD_F);
#undef ADD_F
        for (uint32_t g = 0; g < ng; g++)
            margins[g] = (double)acc[g];
    } else {
        for (uint32_t g = 0; g < ng; g++)
            margins[g] = m->base[g];
#define ADD_D(g, v) (margins[g] += (v))
        EB_FOR_EACH_LEAF(m, features, ADD_D);
#undef ADD_D
    }
}

static void softmax(const double *z, uint32_t n, double *out)
{
    double mx = z[0], sum = 0;
    for (uint32_t i = 1; i < n; i++)
        mx = z[i] > mx ? z[i] : mx;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = exp(z[i] - mx);
        sum += out[i];
    }
    for (uint32_t i = 0; i < n; i++)
        out[i] /= sum;
}

void eb_model_predict(const eb_model_t *m, const double *features, double *out)
{
    double z[EB_MODEL_MAX_CLASSES];
    eb_model_predict_margin(m, features, z);
    switch ((eb_model_objective_t)m->objective) {
    case EB_MODEL_OBJ_SOFTPROB:
        softmax(z, m->num_groups, out);
        break;
    case EB_MODEL_OBJ_SOFTMAX: {
        uint32_t best = 0; /* first maximum wins, as XGBoost's argmax */
        for (uint32_t g = 1; g < m->num_groups; g++)
            best = z[g] > z[best] ? g : best;
        out[0] = (double)best;
        break;
    }
    case EB_MODEL_OBJ_LOGISTIC:
        out[0] = 1.0 / (1.0 + exp(-m->sigmoid * z[0]));
        break;
    case EB_MODEL_OBJ_REGRESSION:
        out[0] = z[0];
        break;
    }
}

uint32_t eb_model_num_features(const eb_model_t *m) { return m->num_features; }
uint32_t eb_model_num_classes(const eb_model_t *m) { return m->num_groups; }
uint32_t eb_model_num_trees(const eb_model_t *m) { return m->num_trees; }
eb_model_objective_t eb_model_objective(const eb_model_t *m) { return (eb_model_objective_t)m->objective; }
eb_model_source_t eb_model_source(const eb_model_t *m) { return (eb_model_source_t)m->source; }
uint64_t eb_model_schema_hash(const eb_model_t *m) { return m->schema_hash; }

uint32_t eb_model_num_outputs(const eb_model_t *m)
{
    return m->objective == EB_MODEL_OBJ_SOFTPROB ? m->num_groups : 1u;
}

static double dec_f64(const eb_model_t *m, uint32_t off)
{
    double v;
    memcpy(&v, m->decision + off, sizeof v);
    return v;
}

static int32_t dec_i32(const eb_model_t *m, uint32_t off)
{
    int32_t v;
    memcpy(&v, m->decision + off, sizeof v);
    return v;
}

void eb_model_decision(const eb_model_t *m, eb_model_decision_t *d)
{
    d->threshold_buy = dec_f64(m, 0);
    d->threshold_sell = dec_f64(m, 8);
    d->min_confidence = dec_f64(m, 16);
    d->class_sell = dec_i32(m, 24);
    d->class_neutral = dec_i32(m, 28);
    d->class_buy = dec_i32(m, 32);
    d->calibrated = (m->flags & EB_MODEL_F_CALIBRATED) ? 1 : 0;
}

void eb_model_platt(const eb_model_t *m, uint32_t c, double *a, double *b)
{
    *a = 1.0;
    *b = 0.0;
    if ((m->flags & EB_MODEL_F_CALIBRATED) && c < m->num_groups) {
        *a = dec_f64(m, 48u + 16u * c);
        *b = dec_f64(m, 56u + 16u * c);
    }
}

void eb_model_calibrate(const eb_model_t *m, const double *probs, double *out)
{
    uint32_t n = eb_model_num_outputs(m);
    if (!(m->flags & EB_MODEL_F_CALIBRATED) || m->objective == EB_MODEL_OBJ_SOFTMAX ||
        m->objective == EB_MODEL_OBJ_REGRESSION) {
        memmove(out, probs, n * sizeof *out);
        return;
    }
    double sum = 0;
    for (uint32_t c = 0; c < n; c++) {
        double a, b, p = probs[c];
        eb_model_platt(m, c, &a, &b);
        p = p < 1e-15 ? 1e-15 : (p > 1 - 1e-15 ? 1 - 1e-15 : p); /* keep the logit finite */
        out[c] = 1.0 / (1.0 + exp(-(a * log(p / (1 - p)) + b)));
        sum += out[c];
    }
    if (n > 1)
        for (uint32_t c = 0; c < n; c++)
            out[c] /= sum;
}
