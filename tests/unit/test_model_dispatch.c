/* The two evaluators of complete-tree models (model.h: portable walk, AVX-512 walk over a lane image)
 * and a plain reference walk written here from the format's definition must agree bit for bit: random
 * blobs of every depth 2..8, 1..64 features, 1..6 classes with 0..80 trees each (partial 16-tree groups,
 * classes without trees), thresholds and rows on float32 edges (NaN, +-inf, +-0, subnormals, +-FLT_MAX,
 * values on, next to and rounding onto thresholds, doubles that round to inf or to 0) and leaves of mixed
 * magnitudes so that any change in the float32 summation order shows. Where the CPU has no AVX-512
 * (valgrind, aarch64) the portable walk is still checked against the reference and the AVX-512 checks
 * are skipped. Also: when a lane image is offered, refused, and that attaching it changes no output.
 * The blobs and rows come from tests/support/model_gen.c. */
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"
#include "tests/support/model_gen.h"

/* One generator for the whole run (the same models every run); rnd() keeps the checks below short. */
static eb_mgen_t rng = {EB_MGEN_SEED};
static uint32_t rnd(uint32_t n) { return eb_mgen_rnd(&rng, n); }

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

#if defined(__x86_64__) && defined(__GNUC__)
#define LANES_BUILD 1 /* lane images exist on this architecture (used only where the CPU has AVX-512) */
#else
#define LANES_BUILD 0
#endif

static int same_bits(const double *a, const double *b, uint32_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static int have_avx512(void)
{
    static int said;
    eb_mgen_spec_t s = {.depth = 3, .nf = 2, .groups = 1, .count = {1}, .trees = 1};
    size_t len;
    uint8_t *blob = eb_mgen_blob(&rng, &s, &len);
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
static int check_model(const eb_mgen_spec_t *s, int rows, int avx)
{
    size_t len;
    uint8_t *blob = eb_mgen_blob(&rng, s, &len);
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
            x[f] = eb_mgen_row_value(&rng, &m, f);
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

TEST(random_models_agree_bit_for_bit)
{
    int avx = have_avx512(), rows = 0, models = 0;
    for (uint32_t d = 2; d <= EB_MODEL_MAX_DEPTH; d++)
        for (int k = 0; k < 24; k++) {
            eb_mgen_spec_t s;
            uint32_t nf = k < 4 ? (uint32_t[]){1, 2, 63, 64}[k] : 1 + rnd(64);
            eb_mgen_spec(&rng, &s, d, nf, 0);
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
        eb_mgen_spec_t s;
        eb_mgen_spec(&rng, &s, 3 + nf % 4, nf, 0);
        check_model(&s, 16, avx);
    }
}

TEST(lane_image_offers_and_refusals)
{
    eb_mgen_spec_t s = {.depth = 6, .nf = 58, .groups = 3, .count = {200, 200, 200}, .trees = 600};
    size_t len;
    uint8_t *blob = eb_mgen_blob(&rng, &s, &len);
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
