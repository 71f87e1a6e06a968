/* The two evaluators of complete-tree models (model.h: portable walk, AVX-512 walk over a lane image)
 * and a plain reference walk written here from the format's definition must agree bit for bit: random
 * blobs of every depth 2..8, 1..64 features, 1..6 classes with 0..80 trees each (partial 16-tree groups,
 * classes without trees), thresholds and rows on float32 edges (NaN, +-inf, +-0, subnormals, +-FLT_MAX,
 * values on, next to and rounding onto thresholds, doubles that round to inf or to 0) and leaves of mixed
 * magnitudes so that any change in the float32 summation order shows. Where the CPU has no AVX-512
 * (valgrind, aarch64) the portable walk is still checked against the reference and the AVX-512 checks
 * are skipped. Also: when a lane image is offered, refused, and that attaching it changes no output. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) /* 0 .. n-1 */
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)((rng >> 32) % n);
}
static float unitf(void) { return (float)rnd(1u << 24) / (float)(1u << 24); }

typedef struct {
    uint32_t depth, nf, groups, count[8], trees;
} spec_t;

/* Float32 edges for thresholds (and, through them, rows). */
static float edge_thr(void)
{
    static const float e[] = {-INFINITY, INFINITY, -0.0f, 0.0f, 1e-45f, -1e-45f, FLT_MIN, -FLT_MIN, FLT_MAX,
                              -FLT_MAX, 0.5f, -0.5f, 1.0f, 3e-39f, -3e-39f};
    switch (rnd(4)) {
    case 0: return e[rnd(sizeof e / sizeof e[0])];
    case 1: return (float)((int)rnd(33) - 16) / 8.0f; /* a coarse grid: rows land on it */
    default: return (unitf() * 4.0f - 2.0f);
    }
}

static float leaf_value(void)
{
    switch (rnd(6)) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    default: return (rnd(2) ? 1.0f : -1.0f) * unitf() * ldexpf(1.0f, (int)rnd(61) - 30);
    }
}

static void p32(uint8_t *b, size_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void pf64(uint8_t *b, size_t o, double v) { memcpy(b + o, &v, 8); }
static size_t al16(size_t v) { return (v + 15u) & ~(size_t)15u; }

/* A valid complete-layout blob for s (malloc'd, 16-byte aligned), random content. */
static uint8_t *write_blob(const spec_t *s, size_t *len)
{
    const uint32_t d = s->depth, ntop = (1u << (d - 2u)) - 1u, tb = eb_model_tree_bytes(d), G = s->groups;
    const size_t off_trees = al16(EB_MODEL_HEADER_SIZE + 8u * G), off_nodes = al16(off_trees + 8u * s->trees);
    const size_t off_dec = al16(off_nodes + (size_t)tb * s->trees);
    *len = al16(off_dec + eb_model_decision_size(G));
    uint8_t *b = aligned_alloc(16, *len);
    memset(b, 0, *len);
    memcpy(b, EB_MODEL_MAGIC, 8);
    p32(b, EB_MH_VERSION, EB_MODEL_VERSION);
    p32(b, EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_TOTAL, (uint32_t)*len);
    p32(b, EB_MH_OBJECTIVE, G > 1 ? EB_MODEL_OBJ_SOFTPROB : EB_MODEL_OBJ_REGRESSION);
    p32(b, EB_MH_SOURCE, EB_MODEL_SRC_XGBOOST);
    p32(b, EB_MH_FLAGS, EB_MODEL_F_FLOAT32);
    p32(b, EB_MH_FEATURES, s->nf);
    p32(b, EB_MH_GROUPS, G);
    p32(b, EB_MH_TREES, s->trees);
    p32(b, EB_MH_NODES, s->trees * ((1u << d) - 1u));
    p32(b, EB_MH_LAYOUT, d);
    pf64(b, EB_MH_SIGMOID, 1.0);
    p32(b, EB_MH_OFF_BASE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_OFF_TREES, (uint32_t)off_trees);
    p32(b, EB_MH_OFF_NODES, (uint32_t)off_nodes);
    p32(b, EB_MH_OFF_CATS, (uint32_t)off_dec);
    p32(b, EB_MH_OFF_DECISION, (uint32_t)off_dec);
    p32(b, EB_MH_DECISION_SIZE, eb_model_decision_size(G));
    for (uint32_t g = 0; g < G; g++)
        pf64(b, EB_MODEL_HEADER_SIZE + 8u * g, rnd(5) ? (double)leaf_value() : -0.0);
    uint32_t t = 0;
    for (uint32_t g = 0; g < G; g++)
        for (uint32_t k = 0; k < s->count[g]; k++, t++) {
            p32(b, off_trees + 8u * t, t * ((1u << d) - 1u));
            p32(b, off_trees + 8u * t + 4u, g);
            uint8_t *img = b + off_nodes + (size_t)tb * t;
            for (uint32_t i = 0; i < ntop; i++) {
                float thr = edge_thr();
                memcpy(img + 4u * i, &thr, 4);
                img[4u * ntop + i] = (uint8_t)rnd(2u * s->nf);
            }
            eb_model_block_t *bk = (eb_model_block_t *)(void *)(img + eb_model_top_bytes(d));
            for (uint32_t k2 = 0; k2 <= ntop; k2++) {
                for (int j = 0; j < 3; j++) {
                    bk[k2].thr[j] = edge_thr();
                    bk[k2].feat[j] = (uint8_t)rnd(2u * s->nf);
                }
                for (int j = 0; j < 4; j++)
                    bk[k2].leaf[j] = leaf_value();
            }
        }
    pf64(b, off_dec, 0.5);
    pf64(b, off_dec + 8, 0.5);
    p32(b, off_dec + 28, 1);
    p32(b, off_dec + 32, 2);
    p32(b, off_dec + 40, G);
    for (uint32_t g = 0; g < G; g++)
        pf64(b, off_dec + 48u + 16u * g, 1.0);
    return b;
}

/* The format's definition, one node at a time: v = (float)x[vf] or -(float)x[vf - nf]; the first child
 * when v >= thr, the second otherwise (NaN included); float32 sums in tree order. */
static float ref_value(const eb_model_t *m, uint32_t vf, const double *x)
{
    uint32_t nf = m->num_features;
    return vf < nf ? (float)x[vf] : -(float)x[vf - nf];
}

static void ref_margins(const eb_model_t *m, const double *x, double *z)
{
    const uint32_t d = m->depth, ntop = (1u << (d - 2u)) - 1u;
    float acc[EB_MODEL_MAX_CLASSES];
    for (uint32_t g = 0; g < m->num_groups; g++)
        acc[g] = (float)m->base[g];
    for (uint32_t t = 0; t < m->num_trees; t++) {
        const uint8_t *img = m->images + (size_t)t * m->tree_bytes;
        uint32_t h = 0; /* 0-based heap index */
        while (h < ntop) {
            float thr;
            memcpy(&thr, img + 4u * h, 4);
            h = 2u * h + 1u + (ref_value(m, img[4u * ntop + h], x) >= thr ? 0u : 1u);
        }
        eb_model_block_t bk;
        memcpy(&bk, img + m->top_bytes + sizeof bk * (h - ntop), sizeof bk);
        uint32_t c0 = ref_value(m, bk.feat[0], x) >= bk.thr[0] ? 0u : 1u;
        uint32_t c1 = ref_value(m, bk.feat[1u + c0], x) >= bk.thr[1u + c0] ? 0u : 1u;
        acc[m->trees[t].group] += bk.leaf[2u * c0 + c1];
    }
    for (uint32_t g = 0; g < m->num_groups; g++)
        z[g] = (double)acc[g];
}

/* A row value for feature f: an edge, a random value, or on / next to / rounding onto a threshold that
 * a split of the model compares f (or -f) with. */
static double row_value(const eb_model_t *m, uint32_t f)
{
    static const double e[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 4.9e-324, -4.9e-324, 1e-45, -1e-45,
                               1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38,
                               3.4028235677973366e38 /* FLT_MAX + 2^103: rounds (tie, to even) to inf */,
                               1e300, -1e300, 0.5, -2.0};
    if (rnd(3) == 0)
        return e[rnd(sizeof e / sizeof e[0])];
    if (rnd(4) == 0)
        return unitf() * 6.0 - 3.0;
    /* a threshold of a random split on f: the first top node or block node of a random tree */
    const uint32_t ntop = (1u << (m->depth - 2u)) - 1u, nf = m->num_features;
    for (int tries = 0; tries < 64; tries++) {
        const uint8_t *img = m->images + (size_t)rnd(m->num_trees) * m->tree_bytes;
        uint32_t vf, i = rnd(ntop + 3u);
        float thr;
        if (i < ntop) {
            vf = img[4u * ntop + i];
            memcpy(&thr, img + 4u * i, 4);
        } else {
            const eb_model_block_t *bk = (const eb_model_block_t *)(const void *)(img + m->top_bytes) + rnd(ntop + 1u);
            vf = bk->feat[i - ntop];
            thr = bk->thr[i - ntop];
        }
        if (vf % nf != f)
            continue;
        float t = vf < nf ? thr : -thr; /* the x for which the compared value equals thr */
        switch (rnd(5)) {
        case 0: return (double)t;
        case 1: return (double)nextafterf(t, INFINITY);
        case 2: return (double)nextafterf(t, -INFINITY);
        case 3: return nextafter((double)t, INFINITY); /* rounds onto t (unless t is inf) */
        default: return nextafter((double)t, -INFINITY);
        }
    }
    return unitf();
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LANES_BUILD 1 /* lane images exist on this architecture (used only where the CPU has AVX-512) */
#else
#define LANES_BUILD 0
#endif

static int same_bits(const double *a, const double *b, uint32_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static int have_avx512(void)
{
    static int said;
    spec_t s = {3, 2, 1, {1}, 1};
    size_t len;
    uint8_t *blob = write_blob(&s, &len);
    eb_model_t m;
    int ok = eb_model_open(&m, blob, len, NULL) == 0;
    size_t n = ok ? eb_model_lanes_size(&m) : 0;
    void *mem = n ? malloc(n) : NULL;
    ok = mem && eb_model_attach_lanes(&m, mem, n) == 0 && eb_model_path(&m) == EB_MODEL_PATH_AVX512;
    free(mem), free(blob);
    if (!ok && !said++)
        CHECK_SKIP("no AVX-512 here (other architecture, or valgrind's CPUID): only the portable walk is compared");
    return ok;
}

/* One random model: every row through the reference, the portable walk, the AVX-512 walk (when there is
 * one) and eb_model_predict with and without the lane image. Returns the number of rows compared. */
static int check_model(const spec_t *s, int rows, int avx)
{
    size_t len;
    uint8_t *blob = write_blob(s, &len);
    eb_model_t m, plain;
    eb_model_error_t e;
    int rc = eb_model_open(&m, blob, len, &e);
    CHECK_MSG(rc == 0, "depth %u, %u features: %s", s->depth, s->nf, e.msg);
    if (rc) {
        free(blob);
        return 0;
    }
    plain = m;
    size_t n = eb_model_lanes_size(&m);
    uint8_t *mem = n ? malloc(n + 64) : NULL;
    size_t skew = rnd(64); /* any alignment */
    if (n)
        CHECK_EQ_INT(eb_model_attach_lanes(&m, mem + skew, n), 0);
    CHECK_MSG((n != 0) == (LANES_BUILD && s->nf <= 64), "depth %u, %u features: lane image %zu bytes", s->depth,
              s->nf, n);
    double x[128], zr[EB_MODEL_MAX_CLASSES], zp[EB_MODEL_MAX_CLASSES], za[EB_MODEL_MAX_CLASSES];
    double oa[EB_MODEL_MAX_CLASSES], op[EB_MODEL_MAX_CLASSES];
    int bad = 0;
    for (int r = 0; r < rows; r++) {
        for (uint32_t f = 0; f < s->nf; f++)
            x[f] = row_value(&m, f);
        ref_margins(&m, x, zr);
        CHECK_EQ_INT(eb_model_predict_margin_path(&m, EB_MODEL_PATH_PORTABLE, x, zp), 0);
        int ok = same_bits(zr, zp, s->groups);
        if (n && avx) {
            CHECK_EQ_INT(eb_model_predict_margin_path(&m, EB_MODEL_PATH_AVX512, x, za), 0);
            ok = ok && same_bits(zr, za, s->groups);
        }
        eb_model_predict(&m, x, oa);
        eb_model_predict(&plain, x, op);
        ok = ok && same_bits(oa, op, eb_model_num_outputs(&m));
        if (!ok && bad++ < 3)
            CHECK_MSG(0, "depth %u, %u features, %u groups, %u trees, row %d: group 0 reference %a portable %a avx512 %a",
                      s->depth, s->nf, s->groups, s->trees, r, zr[0], zp[0], n && avx ? za[0] : 0.0);
    }
    CHECK_MSG(bad == 0, "depth %u, %u features, %u groups: %d of %d rows differ", s->depth, s->nf, s->groups, bad, rows);
    free(mem), free(blob);
    return rows;
}

static void random_spec(spec_t *s, uint32_t depth, uint32_t nf)
{
    static const uint32_t counts[] = {0, 1, 5, 15, 16, 17, 31, 32, 33, 47, 80};
    s->depth = depth;
    s->nf = nf;
    s->groups = 1 + rnd(6);
    s->trees = 0;
    for (uint32_t g = 0; g < s->groups; g++) {
        s->count[g] = rnd(3) ? counts[rnd(sizeof counts / sizeof counts[0])] : rnd(81);
        s->trees += s->count[g];
    }
    if (s->trees == 0) {
        s->count[rnd(s->groups)] = 1;
        s->trees = 1;
    }
}

TEST(random_models_agree_bit_for_bit)
{
    int avx = have_avx512(), rows = 0, models = 0;
    for (uint32_t d = 2; d <= EB_MODEL_MAX_DEPTH; d++)
        for (int k = 0; k < 24; k++) {
            spec_t s;
            uint32_t nf = k < 4 ? (uint32_t[]){1, 2, 63, 64}[k] : 1 + rnd(64);
            random_spec(&s, d, nf);
            rows += check_model(&s, d >= 7 ? 24 : 48, avx);
            models++;
        }
    fprintf(stderr, "  %d random models, %d rows, %s\n", models, rows, avx ? "reference = portable = avx512" : "reference = portable");
}

/* More than 64 features: no lane image, the portable walk, and still the reference's answers. */
TEST(wide_models_stay_portable)
{
    int avx = have_avx512();
    for (uint32_t nf = 65; nf <= EB_MODEL_MAX_COMPLETE_FEATURES; nf += 21) {
        spec_t s;
        random_spec(&s, 3 + nf % 4, nf);
        check_model(&s, 16, avx);
    }
}

TEST(lane_image_offers_and_refusals)
{
    spec_t s = {6, 58, 3, {200, 200, 200}, 600};
    size_t len;
    uint8_t *blob = write_blob(&s, &len);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, blob, len, NULL), 0);
    CHECK_EQ_INT(eb_model_path(&m), EB_MODEL_PATH_PORTABLE); /* nothing attached yet */
    double x[58] = {0}, z[3];
    CHECK_EQ_INT(eb_model_predict_margin_path(&m, EB_MODEL_PATH_AVX512, x, z), -1);
    CHECK_EQ_INT(eb_model_predict_margin_path(&m, (eb_model_path_t)7, x, z), -1);
    size_t n = eb_model_lanes_size(&m);
#if LANES_BUILD
    /* 39 groups of 16 (13 per class, the last with 8 trees): 16-byte entries and 1920-byte images */
    CHECK_EQ_INT(n, 39 * 16 + 16 + 39 * 1920 + 63);
#else
    CHECK_EQ_INT(n, 0); /* other architectures: no AVX-512 walk, no lane image */
#endif
    uint8_t *mem = malloc(n + 1);
    CHECK_EQ_INT(eb_model_attach_lanes(&m, NULL, n), -1);
    CHECK_EQ_INT(eb_model_attach_lanes(&m, mem, n ? n - 1 : 0), -1);
    CHECK(m.lanes == NULL);
    CHECK_EQ_INT(eb_model_attach_lanes(&m, mem, n), n ? 0 : -1);
    CHECK_EQ_STR(eb_model_path_name(EB_MODEL_PATH_PORTABLE), "portable");
    free(mem), free(blob);
}

int main(void)
{
    RUN(random_models_agree_bit_for_bit);
    RUN(wide_models_stay_portable);
    RUN(lane_image_offers_and_refusals);
    return eb_check_report();
}
