/* The two layouts of an XGBoost model must agree bit for bit: the same trees are compiled once with one
 * feature (complete trees) and once with 200 (node graph: too many features for the complete layout),
 * and evaluated on the edges of float32 - thresholds -inf, +inf, +-0, the smallest subnormal, +-FLT_MAX
 * with both default directions; rows at, next to and beyond them, NaN, infinities and doubles that round
 * onto a threshold. Tree i adds 2^i when it goes right, so a margin shows every tree's direction.
 * The complete layout's two evaluators (portable walk, AVX-512 walk over a lane image) must agree bit for
 * bit too: on these edges and on every fixture model under ../shared/fixtures/trees. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model.h"
#include "tests/support/check.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/model/model_ir.h"
#include "tools/edgebox/model/model_lanes.h"

static const float THR[] = {-INFINITY, INFINITY, -0.0f, 0.0f, 1e-45f, -1e-45f, FLT_MAX, -FLT_MAX, 0.5f, -3.0f};
#define NTHR (sizeof THR / sizeof THR[0])
#define NF_GRAPH 200

static void split(eb_ir_node_t *n, float t, int dl, int32_t left, int32_t right)
{
    n->left = left;
    n->right = right;
    n->feature = 0;
    n->flags = dl ? EB_MODEL_N_DEFAULT_LEFT : 0u;
    n->value = eb_ir_xgb_threshold(t);
    n->xgb_thr = t;
}

/* 2 x NTHR one-split trees, a deeper unbalanced tree (padding) and a single leaf. */
static void build_ir(eb_ir_t *ir, uint32_t nf)
{
    eb_ir_init(ir);
    ir->objective = EB_MODEL_OBJ_REGRESSION;
    ir->source = EB_MODEL_SRC_XGBOOST;
    ir->flags = EB_MODEL_F_FLOAT32;
    ir->num_features = nf;
    ir->num_groups = 1;
    ir->base[0] = 0.5;
    int i = 0;
    for (size_t k = 0; k < NTHR; k++)
        for (int dl = 0; dl < 2; dl++, i++) {
            eb_ir_node_t *n = eb_ir_add_tree(ir, 0, 3);
            split(&n[0], THR[k], dl, 1, 2);
            n[1].value = 0;
            n[2].value = ldexp(1, i);
        }
    eb_ir_node_t *n = eb_ir_add_tree(ir, 0, 7); /* x < 0.5 ? (x < -3 ? a : (x < 0 ? b : c)) : d */
    split(&n[0], 0.5f, 0, 1, 2);
    split(&n[1], -3.0f, 1, 3, 4);
    split(&n[4], 0.0f, 0, 5, 6);
    n[2].value = ldexp(1, i);
    n[3].value = ldexp(1, i + 1);
    n[5].value = ldexp(1, i + 2);
    n[6].value = ldexp(1, i + 3);
    n = eb_ir_add_tree(ir, 0, 1);
    n[0].value = 0.25;
}

static int compile(uint32_t nf, uint8_t **blob, eb_model_t *m)
{
    eb_ir_t ir;
    build_ir(&ir, nf);
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    size_t len;
    char err[256];
    int rc = eb_ir_build(&ir, &o, blob, &len, err, sizeof err);
    eb_ir_free(&ir);
    CHECK_MSG(rc == 0, "%u features: %s", nf, err);
    return rc ? rc : eb_model_open(m, *blob, len, NULL);
}

/* Attaches the lane and row images to m (returned for free(); NULL when m can use neither) and says
 * whether the AVX-512 walk runs here. */
static void *lanes_for(eb_model_t *m, int *avx)
{
    void *mem = eb_tool_model_lanes(m);
    *avx = eb_model_path(m) == EB_MODEL_PATH_AVX512;
    return mem;
}

/* Rows of x (n of them) whose eb_model_predict_rows output differs in any bit from eb_model_predict's. */
static int rows_differ(const eb_model_t *m, const double *x, size_t n)
{
    uint32_t no = eb_model_num_outputs(m), nf = eb_model_num_features(m);
    double *all = malloc(sizeof *all * no * n), one[EB_MODEL_MAX_CLASSES];
    int differ = 0;
    eb_model_predict_rows(m, x, nf, n, all);
    for (size_t i = 0; i < n; i++) {
        eb_model_predict(m, x + i * nf, one);
        differ += memcmp(one, all + i * no, sizeof(double) * no) != 0;
    }
    free(all);
    return differ;
}

/* Rows of m that the two evaluators answer differently in any bit (0 when only one exists here). */
static int paths_differ(const eb_model_t *m, const double *x)
{
    double zp[EB_MODEL_MAX_CLASSES], za[EB_MODEL_MAX_CLASSES];
    if (eb_model_predict_margin_path(m, EB_MODEL_PATH_AVX512, x, za) != 0)
        return 0;
    eb_model_predict_margin_path(m, EB_MODEL_PATH_PORTABLE, x, zp);
    return memcmp(za, zp, sizeof(double) * eb_model_num_classes(m)) != 0;
}

TEST(complete_and_graph_agree_on_float32_edges)
{
    uint8_t *b1 = NULL, *b2 = NULL;
    eb_model_t complete, graph;
    if (compile(1, &b1, &complete) || compile(NF_GRAPH, &b2, &graph)) {
        CHECK_MSG(0, "compile failed");
        free(b1), free(b2);
        return;
    }
    CHECK_EQ_INT(complete.depth, 3);
    CHECK_EQ_INT(graph.depth, 0);
    int avx;
    void *lanes = lanes_for(&complete, &avx); /* eb_model_predict_margin below takes the AVX-512 walk here */
    double big = (double)FLT_MAX + ldexp(1, 103); /* the double that rounds (tie, to even) to inf */
    double rows[64];
    int n = 0;
    const double extra[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, big, -big, nextafter(big, 0),
                            nextafter(-big, 0), 0.0, -0.0, 1e-46, -1e-46, 7.006e-46, -7.006e-46, 0.25, -3.0000001};
    for (size_t k = 0; k < NTHR; k++) {
        double t = (double)THR[k];
        rows[n++] = t;
        rows[n++] = (double)nextafterf(THR[k], -INFINITY);
        rows[n++] = (double)nextafterf(THR[k], INFINITY);
        if (isfinite(t) && t != 0) {
            rows[n++] = nextafter(t, 0); /* rounds onto t */
            rows[n++] = nextafter(t, INFINITY * t);
        }
    }
    for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
        rows[n++] = extra[k];
    double x[NF_GRAPH];
    for (int j = 0; j < NF_GRAPH; j++)
        x[j] = NAN;
    for (int r = 0; r < n; r++) {
        double zc, zg;
        x[0] = rows[r];
        eb_model_predict_margin(&complete, x, &zc);
        eb_model_predict_margin(&graph, x, &zg);
        CHECK_MSG(zc == zg || (isnan(zc) && isnan(zg)), "x = %.17g: complete %.9g, graph %.9g", rows[r], zc, zg);
        CHECK_MSG(!paths_differ(&complete, x), "x = %.17g: the AVX-512 and portable walks differ", rows[r]);
    }
    fprintf(stderr, "  edges: complete layout on %s\n", avx ? "both walks" : "the portable walk only (no AVX-512 here)");
    /* Two hand-checked margins: NaN takes every default (right for the dl = 0 trees: bits 0, 2, 4...),
     * the deep tree's NaN path is right (d), and the single leaf adds 0.25. */
    x[0] = NAN;
    double z;
    eb_model_predict_margin(&complete, x, &z);
    float want = 0.5f;
    for (int i = 0; i < 2 * (int)NTHR; i += 2)
        want += (float)ldexp(1, i);
    want += (float)ldexp(1, 2 * (int)NTHR);
    want += 0.25f;
    CHECK_MSG(z == (double)want, "NaN row: %.9g, want %.9g", z, (double)want);
    free(b1), free(b2), free(lanes);
}

/* Values a complete model compares feature f with: (f, t) per split, t the x that meets the threshold
 * exactly (the threshold, or its negation for splits on -x). */
typedef struct {
    uint32_t f;
    float t;
} cut_t;

static size_t model_cuts(const eb_model_t *m, cut_t *cuts, size_t cap)
{
    size_t n = 0;
    uint32_t ntop = (1u << (m->depth - 2u)) - 1u, nf = m->num_features;
    for (uint32_t t = 0; t < m->num_trees && n + ntop + 3u * (ntop + 1u) <= cap; t++) {
        const uint8_t *img = m->images + (size_t)t * m->tree_bytes;
        for (uint32_t i = 0; i < ntop + 3u * (ntop + 1u); i++) {
            uint32_t vf = i < ntop ? img[4u * ntop + i] : img[m->top_bytes + 32u * ((i - ntop) / 3u) + 12u + (i - ntop) % 3u];
            float thr;
            memcpy(&thr, i < ntop ? img + 4u * i : img + m->top_bytes + 32u * ((i - ntop) / 3u) + 4u * ((i - ntop) % 3u), 4);
            cuts[n++] = (cut_t){vf % nf, vf < nf ? thr : -thr};
        }
    }
    return n;
}

/* One fixture model: rows of edges, random values and values on, beside and rounding onto its cuts. */
static void fixture_paths(const char *name, const uint8_t *blob, size_t len)
{
    eb_model_t m;
    if (eb_model_open(&m, blob, len, NULL) != 0) {
        CHECK_MSG(0, "%s: compiled blob does not open", name);
        return;
    }
    int avx;
    void *lanes = lanes_for(&m, &avx);
    static const double edge[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 5e-324, -5e-324, 1e-45, FLT_MAX, -1e300};
    enum { NCUT = 1 << 16, ROWS = 300 };
    cut_t *cuts = malloc(sizeof *cuts * NCUT);
    size_t ncut = m.depth ? model_cuts(&m, cuts, NCUT) : 0;
    uint32_t nf = m.num_features, seed = 12345;
    double *rows = malloc(sizeof *rows * nf * ROWS);
    int differ = 0;
    for (int r = 0; r < ROWS; r++) {
        double *x = rows + (size_t)r * nf;
        for (uint32_t f = 0; f < nf; f++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t k = seed >> 8;
            x[f] = k % 4 == 0 ? edge[k / 4 % 10] : (double)(k % 1000) / 250.0 - 2.0;
        }
        for (uint32_t j = 0; ncut && j < nf; j++) { /* put some features on cuts */
            seed = seed * 1103515245u + 12345u;
            const cut_t *c = &cuts[(seed >> 4) % ncut];
            double t = (double)c->t, nudges[4] = {t, (double)nextafterf(c->t, INFINITY), nextafter(t, -INFINITY),
                                                  nextafter(t, INFINITY)};
            x[c->f] = nudges[(seed >> 28) % 4];
        }
        differ += paths_differ(&m, x);
    }
    CHECK_MSG(differ == 0, "%s: %d of %d rows differ between the AVX-512 and portable walks", name, differ, ROWS);
    int by_rows = rows_differ(&m, rows, ROWS); /* the row walk (or its row-by-row fallback) agrees too */
    CHECK_MSG(by_rows == 0, "%s: %d of %d rows differ through eb_model_predict_rows", name, by_rows, ROWS);
    fprintf(stderr, "  %-40s %s, %u features: %s; rows together: %s\n", name, m.depth ? "complete" : "node graph",
            nf, avx ? "AVX-512 = portable, bit for bit" : "portable walk only",
            eb_model_rows_ready(&m) ? "row walk = predict" : "row by row");
    free(rows), free(cuts), free(lanes);
}

/* Every file under the fixtures that compiles as a model (inputs and expected values do not). */
static int fixture_dir(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[1024], err[256];
        struct stat st;
        if (e->d_name[0] == '.' || snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < 4) {
            n += fixture_dir(path, depth + 1);
            continue;
        }
        eb_compile_opts_t o;
        eb_compile_opts_default(&o);
        uint8_t *blob = NULL;
        size_t len;
        if (S_ISREG(st.st_mode) && eb_compile_file(path, &o, &blob, &len, err, sizeof err) == 0) {
            fixture_paths(e->d_name, blob, len);
            n++;
        }
        free(blob);
    }
    if (d)
        closedir(d);
    return n;
}

TEST(fixtures_agree_on_both_walks)
{
    char dir[512];
    if (!eb_shared_path("fixtures/trees", dir, sizeof dir)) {
        CHECK_SKIP("../shared/fixtures/trees is absent");
        return;
    }
    CHECK(fixture_dir(dir, 0) >= 8);
}

int main(void)
{
    RUN(complete_and_graph_agree_on_float32_edges);
    RUN(fixtures_agree_on_both_walks);
    return eb_check_report();
}
