/* In-place evaluation of a validated blob (model.c proved every index, so no bounds checks here).
 * A numeric split is one compare: left + !(x < thr); the importer folded each library's rule (XGBoost's
 * float32 rounding and strict <, LightGBM's double <=) into the stored double threshold. NaN (and zero
 * for LightGBM's missing type Zero) takes the default child; categorical splits test a bitset. */
#include "core/model.h"
#include "core/model_lanes.h"
#include "core/model_rows.h"

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

/* Complete trees (model.h): CT_LANES trees walked side by side, D steps each with no branch and no
 * leaf test. Their loads are independent, so the CPU keeps many cache misses in flight at once. The
 * walk is specialised for each depth (CT_INLINE + a switch on constants), so that image sizes and
 * offsets are constants and the lane loops unroll into straight code. */
#if defined(__x86_64__)
#define CT_LANES 12 /* x86-64 has 16 general registers: more lanes spill */
#else
#define CT_LANES 16
#endif
#if defined(__GNUC__)
#define CT_INLINE static inline __attribute__((always_inline))
#define CT_UNROLL _Pragma("GCC unroll 16")
#else
#define CT_INLINE static inline
#define CT_UNROLL
#endif

CT_INLINE float ct_thr(const uint8_t *p) /* an aligned f32 in a validated image */
{
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* One step: c = 0 when v >= thr, 1 otherwise (v < thr, or v is NaN: the default child). On x86 this is
 * the carry flag of one compare, so with 1-based heap numbers (children of j are 2j and 2j + 1) a level
 * is four instructions: load the feature, load v, compare with the threshold, add with carry. */
#define CT_C(x, thr) ((size_t) !((x) >= (thr)))
#if defined(__GNUC__) && defined(__x86_64__)
/* GCC turns 2j + CT_C into setb + lea + zero-extension; adc does it in one. Same semantics: CF is set by
 * (v)comiss when x < thr or unordered. */
CT_INLINE size_t ct_step(size_t j, float x, const uint8_t *thr)
{
#if defined(__AVX__)
    __asm__("vcomiss %2, %1\n\tadc %0, %0" : "+r"(j) : "x"(x), "m"(*(const float *)(const void *)thr) : "cc");
#else
    __asm__("comiss %2, %1\n\tadc %0, %0" : "+r"(j) : "x"(x), "m"(*(const float *)(const void *)thr) : "cc");
#endif
    return j;
}
#else
CT_INLINE size_t ct_step(size_t j, float x, const uint8_t *thr) { return 2u * j + CT_C(x, ct_thr(thr)); }
#endif

/* Last two levels of a tree: node 0 of the block, then node 1 + c0, then leaf 2 c0 + c1 (two steps from
 * j = 0 give 2 c0 + c1 directly). */
CT_INLINE float ct_block(const eb_model_block_t *bk, const float *v)
{
    const uint8_t *thr = (const uint8_t *)(const void *)bk->thr;
    size_t c0 = ct_step(0, v[bk->feat[0]], thr);
    size_t l = ct_step(c0, v[bk->feat[1u + c0]], thr + 4u + 4u * c0);
    return bk->leaf[l];
}

/* Leaf of one tree image of depth d for the row v (model.h: v[f] = x, v[nf + f] = -x, float32). The top
 * arrays are read at j - 1 (1-based j); after d - 2 levels, j - 2^(d-2) is the block. */
CT_INLINE float ct_walk(const uint8_t *img, const float *v, const uint32_t d)
{
    const size_t ntop = (1u << (d - 2u)) - 1u;
    const uint8_t *feat = img + 4u * ntop - 1u;
    size_t j = 1; /* size_t indices fold into addressing modes */
    for (uint32_t l = 0; l + 2u < d; l++)
        j = ct_step(j, v[feat[j]], img + 4u * j - 4u);
    return ct_block((const eb_model_block_t *)(const void *)(img + eb_model_top_bytes(d)) + (j - ntop - 1u), v);
}

/* n (<= CT_LANES) consecutive images from img, level by level across the lanes. */
CT_INLINE void ct_walk_lanes(const uint8_t *img, const float *v, float leaf[CT_LANES], const uint32_t d,
                             const size_t n)
{
    const size_t ntop = (1u << (d - 2u)) - 1u, stride = eb_model_tree_bytes(d);
    size_t j[CT_LANES];
    CT_UNROLL
    for (size_t k = 0; k < n; k++)
        j[k] = 1;
    for (uint32_t l = 0; l + 2u < d; l++) {
        CT_UNROLL
        for (size_t k = 0; k < n; k++) {
            const uint8_t *p = img + k * stride;
            j[k] = ct_step(j[k], v[p[4u * ntop - 1u + j[k]]], p + 4u * j[k] - 4u);
        }
    }
    /* The last two levels: block j - 2^(d-2) of each image; j becomes the block's address, then a step
     * from 0 gives c0 and a step from c0 gives the leaf index 2 c0 + c1. */
    const uint8_t *blocks = img + eb_model_top_bytes(d) - (ntop + 1u) * sizeof(eb_model_block_t);
    size_t c[CT_LANES];
    CT_UNROLL
    for (size_t k = 0; k < n; k++) {
        j[k] = (size_t)(uintptr_t)(blocks + k * stride) + j[k] * sizeof(eb_model_block_t);
        const uint8_t *bk = (const uint8_t *)(uintptr_t)j[k];
        c[k] = ct_step(0, v[bk[12]], bk);
    }
    CT_UNROLL
    for (size_t k = 0; k < n; k++) {
        const uint8_t *bk = (const uint8_t *)(uintptr_t)j[k];
        c[k] = ct_step(c[k], v[bk[13u + c[k]]], bk + 4u + 4u * c[k]);
    }
    CT_UNROLL
    for (size_t k = 0; k < n; k++)
        leaf[k] = ct_thr((const uint8_t *)(uintptr_t)j[k] + 16u + 4u * c[k]);
}

/* Adds n leaves of trees t.. in tree order: in a register when they share a group (the compiler sorts
 * complete trees by group, so nearly every run does). */
CT_INLINE void ct_add(const eb_model_tree_t *tr, const float *leaf, size_t n, float *acc)
{
    uint32_t g = tr[0].group;
    if (tr[n - 1u].group == g) {
        float s = acc[g];
        for (size_t k = 0; k < n; k++)
            s += leaf[k];
        acc[g] = s;
        return;
    }
    for (size_t k = 0; k < n; k++)
        acc[tr[k].group] += leaf[k];
}

/* XGBoost's float32 sum in tree order over complete trees of depth d: runs of CT_LANES trees, then
 * of 8 and 4, then single trees. */
CT_INLINE void ct_sum(const eb_model_t *m, const float *v, float *acc, const uint32_t d)
{
    const size_t stride = eb_model_tree_bytes(d);
    uint32_t t = 0, nt = m->num_trees;
    float leaf[CT_LANES];
    for (; t + CT_LANES <= nt; t += CT_LANES) {
        ct_walk_lanes(m->images + t * stride, v, leaf, d, CT_LANES);
        ct_add(m->trees + t, leaf, CT_LANES, acc);
    }
    if (t + 8u <= nt) {
        ct_walk_lanes(m->images + t * stride, v, leaf, d, 8);
        ct_add(m->trees + t, leaf, 8, acc);
        t += 8;
    }
    if (t + 4u <= nt) {
        ct_walk_lanes(m->images + t * stride, v, leaf, d, 4);
        ct_add(m->trees + t, leaf, 4, acc);
        t += 4;
    }
    for (; t < nt; t++)
        acc[m->trees[t].group] += ct_walk(m->images + t * stride, v, d);
}

static void ct_margins(const eb_model_t *m, const double *features, float *acc)
{
    float v[2u * EB_MODEL_MAX_COMPLETE_FEATURES];
    uint32_t nf = m->num_features;
    for (uint32_t f = 0; f < nf; f++) {
        v[f] = (float)features[f];
        v[nf + f] = -v[f];
    }
    switch (m->depth) { /* 2..EB_MODEL_MAX_DEPTH, checked by eb_model_open */
    case 2: ct_sum(m, v, acc, 2); break;
    case 3: ct_sum(m, v, acc, 3); break;
    case 4: ct_sum(m, v, acc, 4); break;
    case 5: ct_sum(m, v, acc, 5); break;
    case 6: ct_sum(m, v, acc, 6); break;
    case 7: ct_sum(m, v, acc, 7); break;
    default: ct_sum(m, v, acc, 8); break;
    }
}

/* The AVX-512 walk runs when a lane image is attached and the CPU has AVX-512 (asked every time: a
 * few loads from libgcc's CPUID cache; the core keeps no state of its own). */
static int lanes_ready(const eb_model_t *m)
{
#if defined(EB_LANES_X86)
    return m->lanes != NULL && eb_lanes_cpu_ok();
#else
    (void)m;
    return 0;
#endif
}

size_t eb_model_lanes_size(const eb_model_t *m)
{
#if defined(EB_LANES_X86)
    uint32_t groups;
    size_t n = eb_lanes_image_bytes(m, &groups);
    return n ? n + EB_LANES_ALIGN - 1u : 0;
#else
    (void)m;
    return 0;
#endif
}

int eb_model_attach_lanes(eb_model_t *m, void *mem, size_t len)
{
    size_t need = eb_model_lanes_size(m);
    if (need == 0 || mem == NULL || len < need)
        return -1;
#if defined(EB_LANES_X86)
    uint8_t *p = (uint8_t *)mem + (EB_LANES_ALIGN - (uintptr_t)mem % EB_LANES_ALIGN) % EB_LANES_ALIGN;
    eb_lanes_build(m, p);
    m->lanes = p;
    (void)eb_lanes_image_bytes(m, &m->lane_groups);
#endif
    return 0;
}

eb_model_path_t eb_model_path(const eb_model_t *m)
{
    return m->depth && lanes_ready(m) ? EB_MODEL_PATH_AVX512 : EB_MODEL_PATH_PORTABLE;
}

const char *eb_model_path_name(eb_model_path_t p)
{
    return p == EB_MODEL_PATH_AVX512 ? "avx512 (16 trees per register)" : "portable";
}

static void margins_on(const eb_model_t *m, int lanes, const double *features, double *margins)
{
    uint32_t ng = m->num_groups;
    if (m->depth) {
        float acc[EB_MODEL_MAX_CLASSES];
        for (uint32_t g = 0; g < ng; g++)
            acc[g] = (float)m->base[g];
#if defined(EB_LANES_X86)
        if (lanes)
            eb_lanes_margins(m, features, acc);
        else
#endif
            ct_margins(m, features, acc);
        for (uint32_t g = 0; g < ng; g++)
            margins[g] = (double)acc[g];
    } else if (m->flags & EB_MODEL_F_FLOAT32) {
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
    (void)lanes;
}

void eb_model_predict_margin(const eb_model_t *m, const double *features, double *margins)
{
    margins_on(m, m->depth && lanes_ready(m), features, margins);
}

int eb_model_predict_margin_path(const eb_model_t *m, eb_model_path_t path, const double *features,
                                 double *margins)
{
    if (path != EB_MODEL_PATH_PORTABLE && (path != EB_MODEL_PATH_AVX512 || eb_model_path(m) != path))
        return -1;
    margins_on(m, path == EB_MODEL_PATH_AVX512, features, margins);
    return 0;
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

/* The objective's transform of one row's margins z. */
static void outputs(const eb_model_t *m, const double *z, double *out)
{
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

void eb_model_predict(const eb_model_t *m, const double *features, double *out)
{
    double z[EB_MODEL_MAX_CLASSES];
    eb_model_predict_margin(m, features, z);
    outputs(m, z, out);
}

size_t eb_model_rows_size(const eb_model_t *m)
{
#if defined(EB_ROWS_X86)
    size_t n = eb_rows_image_bytes(m);
    return n ? n + EB_ROWS_ALIGN - 1u : 0;
#else
    (void)m;
    return 0;
#endif
}

int eb_model_attach_rows(eb_model_t *m, void *mem, size_t len)
{
    size_t need = eb_model_rows_size(m);
    if (need == 0 || mem == NULL || len < need)
        return -1;
#if defined(EB_ROWS_X86)
    uint8_t *p = (uint8_t *)mem + (EB_ROWS_ALIGN - (uintptr_t)mem % EB_ROWS_ALIGN) % EB_ROWS_ALIGN;
    eb_rows_build(m, p);
    m->rows = p;
#endif
    return 0;
}

int eb_model_rows_ready(const eb_model_t *m)
{
#if defined(EB_ROWS_X86)
    return m->rows != NULL && eb_lanes_cpu_ok();
#else
    (void)m;
    return 0;
#endif
}

void eb_model_predict_rows(const eb_model_t *m, const double *x, size_t stride, size_t n, double *out)
{
    const uint32_t no = eb_model_num_outputs(m);
#if defined(EB_ROWS_X86)
    /* transpose() gathers a row group with 32-bit element offsets (up to 7 strides) */
    if (eb_model_rows_ready(m) && stride <= (size_t)INT32_MAX / 8u) {
        const uint32_t ng = m->num_groups;
        float acc[EB_MODEL_MAX_CLASSES * EB_ROWS_BLOCK] __attribute__((aligned(64)));
        for (size_t i = 0; i < n; i += EB_ROWS_BLOCK) {
            uint32_t k = n - i < EB_ROWS_BLOCK ? (uint32_t)(n - i) : EB_ROWS_BLOCK;
            for (uint32_t g = 0; g < ng; g++)
                for (uint32_t r = 0; r < EB_ROWS_BLOCK; r++)
                    acc[g * EB_ROWS_BLOCK + r] = (float)m->base[g];
            eb_rows_margins(m, x + i * stride, stride, k, acc);
            for (uint32_t r = 0; r < k; r++) {
                double z[EB_MODEL_MAX_CLASSES];
                for (uint32_t g = 0; g < ng; g++)
                    z[g] = (double)acc[g * EB_ROWS_BLOCK + r];
                outputs(m, z, out + (i + r) * no);
            }
        }
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        eb_model_predict(m, x + i * stride, out + i * no);
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
