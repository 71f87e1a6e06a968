/* eb_model_predict_rows (many rows per call: the AVX-512 row walk of core/model_rows_x86.c where it runs,
 * eb_model_predict row by row otherwise) must give every row eb_model_predict's output bit for bit (memcmp
 * of the doubles): random complete-tree models of every depth 2..8 (7 and 8 take the fallback), 1..128
 * features (65 and more take the fallback), 1 and 3 classes under every objective; 0, 1, 63, 64, 65 and
 * 130 rows (partial and whole 64-row blocks), packed and with NaN padding between rows that must not be
 * read; rows on float32 edges (NaN, +-inf, -0, subnormals, huge values, values on, next to and rounding
 * onto thresholds). Also: which models a row image is offered for, every refusal of
 * eb_model_attach_rows, images at odd addresses, and eb_model_rows_ready against the CPU. Models come from
 * tests/support/model_gen.c; the real fixture models are in tests/host/test_model_rows_fixtures.c (they
 * need the host tool's compiler). Under valgrind (whose CPUID has no AVX-512) only the fallback runs. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"
#include "tests/support/model_gen.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define ROWS_BUILD 1 /* row images exist on this architecture (used only where the CPU has AVX-512) */
#else
#define ROWS_BUILD 0
#endif

#define MAX_ROWS 130u /* two whole 64-row blocks and two rows of a third */
#define ROW_RECORD 768u /* bytes of one tree in a row image (model_rows.h) */

typedef struct {
    uint8_t *blob;
    uint8_t *mem; /* the row image's memory (attached at mem + 1), NULL when the model takes none */
    eb_model_t m;
} model_t;

/* Which models take a row image (model.h): complete trees of depth 2..6 with at most 64 features. */
static int takes_rows(uint32_t depth, uint32_t nf) { return ROWS_BUILD && depth >= 2 && depth <= 6 && nf <= 64; }

/* Whether this CPU runs the AVX-512 walks: a small model with a lane image takes EB_MODEL_PATH_AVX512
 * there (not under valgrind's CPUID, not on other architectures). */
static int avx512_here(eb_mgen_t *g)
{
    eb_mgen_spec_t s = {.depth = 3, .nf = 2, .groups = 1, .count = {1}, .trees = 1};
    size_t len;
    uint8_t *blob = eb_mgen_blob(g, &s, &len);
    eb_model_t m;
    int ok = eb_model_open(&m, blob, len, NULL) == 0;
    size_t n = ok ? eb_model_lanes_size(&m) : 0;
    uint8_t *mem = n ? malloc(n) : NULL;
    ok = mem && eb_model_attach_lanes(&m, mem, n) == 0 && eb_model_path(&m) == EB_MODEL_PATH_AVX512;
    free(mem), free(blob);
    if (!ok)
        CHECK_SKIP("no AVX-512 here (valgrind's CPUID, or another architecture): only the row-by-row fallback runs");
    return ok;
}

/* Attaches a row image at an odd address (any alignment is allowed) when m takes one. */
static void attach_odd(model_t *o)
{
    size_t n = eb_model_rows_size(&o->m);
    o->mem = n ? malloc(n + 1) : NULL;
    if (n)
        CHECK_EQ_INT(eb_model_attach_rows(&o->m, o->mem + 1, n), 0);
}

static int open_spec(eb_mgen_t *g, const eb_mgen_spec_t *s, model_t *o)
{
    size_t len;
    eb_model_error_t e;
    o->blob = eb_mgen_blob(g, s, &len);
    o->mem = NULL;
    int rc = eb_model_open(&o->m, o->blob, len, &e);
    CHECK_MSG(rc == 0, "depth %u, %u features, %u groups: %s", s->depth, s->nf, s->groups, e.msg);
    if (rc) {
        free(o->blob);
        return -1;
    }
    attach_odd(o);
    return 0;
}

static void close_model(model_t *o) { free(o->mem), free(o->blob); }

/* Room for n rows stride apart, ending at the last row's last feature (a read past it leaves the
 * allocation), padding between rows NaN. */
static double *alloc_rows(size_t n, size_t stride, uint32_t nf)
{
    size_t len = n ? (n - 1u) * stride + nf : 1u;
    double *x = malloc(len * sizeof *x);
    for (size_t i = 0; i < len; i++)
        x[i] = NAN;
    return x;
}

static double *random_rows(eb_mgen_t *g, const eb_model_t *m, size_t n, size_t stride)
{
    double *x = alloc_rows(n, stride, m->num_features);
    for (size_t r = 0; r < n; r++)
        for (uint32_t f = 0; f < m->num_features; f++)
            x[r * stride + f] = eb_mgen_row_value(g, m, f);
    return x;
}

/* eb_model_predict_rows over n rows against eb_model_predict row by row, bit for bit; the first
 * differences are printed. A guard row after the outputs must stay untouched. Returns 1 when all agree. */
static int rows_agree(const eb_model_t *m, const double *x, size_t stride, size_t n, const char *what)
{
    const uint32_t no = eb_model_num_outputs(m);
    double *got = malloc((n + 1u) * no * sizeof *got), want[EB_MODEL_MAX_CLASSES];
    memset(got, 0xA5, (n + 1u) * no * sizeof *got);
    eb_model_predict_rows(m, x, stride, n, got);
    size_t bad = 0;
    for (size_t r = 0; r < n; r++) {
        eb_model_predict(m, x + r * stride, want);
        if (memcmp(got + r * no, want, no * sizeof *want) == 0 || bad++ >= 3)
            continue;
        for (uint32_t k = 0; k < no; k++)
            fprintf(stderr, "  %s: row %zu of %zu, output %u: rows %a, predict %a\n", what, r, n, k, got[r * no + k],
                    want[k]);
    }
    int guard = 1;
    for (size_t i = n * no * sizeof *got; i < (n + 1u) * no * sizeof *got; i++)
        guard = guard && ((const uint8_t *)got)[i] == 0xA5;
    CHECK_MSG(bad == 0, "%s: %zu of %zu rows differ from eb_model_predict", what, bad, n);
    CHECK_MSG(guard, "%s: eb_model_predict_rows wrote past the outputs of %zu rows", what, n);
    free(got);
    return bad == 0 && guard;
}

/* Every row count of interest over the same rows: prefixes of 0, 1, 63, 64, 65 and 130 rows. */
static int counts_agree(const eb_model_t *m, const double *x, size_t stride, const char *what)
{
    static const size_t counts[] = {0, 1, 63, 64, 65, MAX_ROWS};
    int ok = 1;
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        ok &= rows_agree(m, x, stride, counts[i], what);
    return ok;
}

/* One random model: its image offered or not as model.h says, the row walk ready exactly where the CPU
 * runs it, and every row count packed and padded. */
static void check_random(eb_mgen_t *g, const eb_mgen_spec_t *s, int avx, int *models)
{
    model_t o;
    if (open_spec(g, s, &o))
        return;
    const int takes = takes_rows(s->depth, s->nf);
    char what[96];
    snprintf(what, sizeof what, "depth %u, %u features, %u groups, %s, %u trees", s->depth, s->nf, s->groups,
             eb_model_objective_name(eb_model_objective(&o.m)), s->trees);
    CHECK_MSG((eb_model_rows_size(&o.m) != 0) == takes, "%s: row image %zu bytes", what, eb_model_rows_size(&o.m));
    CHECK_MSG(eb_model_rows_ready(&o.m) == (takes && avx), "%s: rows ready %d", what, eb_model_rows_ready(&o.m));
    const size_t strides[2] = {s->nf, s->nf + 1u + eb_mgen_rnd(g, 7)};
    for (int k = 0; k < 2; k++) {
        double *x = random_rows(g, &o.m, MAX_ROWS, strides[k]);
        counts_agree(&o.m, x, strides[k], what);
        free(x);
    }
    close_model(&o);
    (*models)++;
}

TEST(random_models_match_predict)
{
    static const uint32_t nfs[] = {1, 5, 58, 64, 65, 128};
    static const uint32_t objs[4][2] = {{1, EB_MODEL_OBJ_REGRESSION}, {1, EB_MODEL_OBJ_LOGISTIC},
                                        {3, EB_MODEL_OBJ_SOFTPROB}, {3, EB_MODEL_OBJ_SOFTMAX}};
    eb_mgen_t g = {EB_MGEN_SEED};
    int avx = avx512_here(&g), models = 0;
    for (uint32_t d = 2; d <= EB_MODEL_MAX_DEPTH; d++)
        for (size_t i = 0; i < sizeof nfs / sizeof nfs[0]; i++)
            for (int k = 0; k < 4; k++) {
                eb_mgen_spec_t s;
                eb_mgen_spec(&g, &s, d, nfs[i], objs[k][0]);
                s.objective = objs[k][1];
                check_random(&g, &s, avx, &models);
            }
    fprintf(stderr, "  %d random models, %s\n", models, avx ? "row walk where taken, fallback elsewhere" : "fallback only");
}

/* Row values on float32 edges: NaN of both signs, infinities, zeros, double subnormals (float +-0),
 * float subnormals, FLT_MIN, +-FLT_MAX, doubles that round (tie, to even) to +-inf, huge doubles, and
 * values on the generator's threshold grid (k / 8). */
static const double EDGES[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 4.9e-324, -4.9e-324,
                               1.4e-45, -1.4e-45, 3e-39, -3e-39, 1.1754943508222875e-38,
                               3.4028234663852886e38, -3.4028234663852886e38,
                               3.4028235677973366e38, -3.4028235677973366e38, 1e300, -1e300, DBL_MAX,
                               -DBL_MAX, 0.5, -0.5, 1.0, -2.0, 0.125, 1.875};
#define NEDGES (sizeof EDGES / sizeof EDGES[0])

/* The x that meets a split on f exactly, searched from split `from` on in tree order; NAN when no split
 * of m reads f. */
static float split_on(const eb_model_t *m, uint32_t f, size_t from)
{
    const size_t per = (1u << m->depth) - 1u, all = per * m->num_trees;
    for (size_t k = 0; k < all; k++) {
        size_t i = (from + k) % all;
        uint32_t sf;
        float x = eb_mgen_split_x(m, (uint32_t)(i / per), (uint32_t)(i % per), &sf);
        if (sf == f)
            return x;
    }
    return NAN;
}

/* Row r, feature f: an edge, a threshold exactly, or one float32 step / one double step (rounding onto
 * it) beside a threshold, in turn. */
static double edge_value(const eb_model_t *m, size_t r, uint32_t f)
{
    if ((r + f) % 4u < 2u)
        return EDGES[(r * 3u + f * 5u) % NEDGES];
    float t = split_on(m, f, r * 131u + f * 17u);
    switch (r % 5u) {
    case 0: return (double)nextafterf(t, INFINITY);
    case 1: return (double)nextafterf(t, -INFINITY);
    case 2: return nextafter((double)t, INFINITY);
    case 3: return nextafter((double)t, -INFINITY);
    default: return (double)t;
    }
}

TEST(edge_values_match_predict)
{
    static const uint32_t depths[] = {2, 3, 4, 5, 6, 8};
    eb_mgen_t g = {EB_MGEN_SEED ^ 1u};
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++)
        for (uint32_t groups = 1; groups <= 3; groups += 2) {
            eb_mgen_spec_t s;
            eb_mgen_spec(&g, &s, depths[i], 1u + (uint32_t)i * 12u, groups);
            model_t o;
            if (open_spec(&g, &s, &o))
                continue;
            const size_t stride = s.nf + 3u;
            double *x = alloc_rows(MAX_ROWS, stride, s.nf);
            for (size_t r = 0; r < MAX_ROWS; r++)
                for (uint32_t f = 0; f < s.nf; f++)
                    x[r * stride + f] = edge_value(&o.m, r, f);
            char what[64];
            snprintf(what, sizeof what, "edges, depth %u, %u features, %u groups", s.depth, s.nf, s.groups);
            counts_agree(&o.m, x, stride, what);
            free(x);
            close_model(&o);
        }
}

/* Outputs of n rows (malloc'd). */
static double *predict_all(const eb_model_t *m, const double *x, size_t stride, size_t n)
{
    double *out = malloc(n * eb_model_num_outputs(m) * sizeof *out);
    eb_model_predict_rows(m, x, stride, n, out);
    return out;
}

static void fill_padding(double *x, size_t n, size_t stride, uint32_t nf, double v)
{
    for (size_t r = 0; r + 1u < n; r++)
        for (size_t k = nf; k < stride; k++)
            x[r * stride + k] = v;
}

/* The padding between rows is never read: NaN, infinity or huge values there change no output, and the
 * packed copy of the rows gives the same outputs. */
TEST(padding_between_rows_is_not_read)
{
    static const uint32_t shapes[3][2] = {{6, 58}, {3, 1}, {5, 64}}; /* depth, features */
    eb_mgen_t g = {EB_MGEN_SEED ^ 2u};
    for (int i = 0; i < 3; i++) {
        eb_mgen_spec_t s;
        eb_mgen_spec(&g, &s, shapes[i][0], shapes[i][1], 3);
        model_t o;
        if (open_spec(&g, &s, &o))
            continue;
        const size_t stride = s.nf + 5u, bytes = MAX_ROWS * eb_model_num_outputs(&o.m) * sizeof(double);
        double *x = random_rows(&g, &o.m, MAX_ROWS, stride), *packed = alloc_rows(MAX_ROWS, s.nf, s.nf);
        for (size_t r = 0; r < MAX_ROWS; r++)
            memcpy(packed + r * s.nf, x + r * stride, s.nf * sizeof *x);
        double *want = predict_all(&o.m, packed, s.nf, MAX_ROWS);
        static const double junk[] = {NAN, -INFINITY, 1e300, -0.0};
        for (int k = 0; k < 4; k++) {
            fill_padding(x, MAX_ROWS, stride, s.nf, junk[k]);
            double *got = predict_all(&o.m, x, stride, MAX_ROWS);
            CHECK_MSG(memcmp(got, want, bytes) == 0, "depth %u, %u features: padding %g changes the outputs",
                      s.depth, s.nf, junk[k]);
            free(got);
        }
        rows_agree(&o.m, x, stride, MAX_ROWS, "padded rows");
        free(want), free(packed), free(x);
        close_model(&o);
    }
}

/* A model that takes no row image: size 0, every attach refused, nothing attached, and the fallback
 * still matches eb_model_predict. */
static void check_refused(model_t *o, const char *what)
{
    uint8_t mem[4096];
    CHECK_MSG(eb_model_rows_size(&o->m) == 0, "%s: row image of %zu bytes offered", what, eb_model_rows_size(&o->m));
    CHECK_MSG(eb_model_attach_rows(&o->m, mem, sizeof mem) == -1, "%s: attach accepted", what);
    CHECK_MSG(o->m.rows == NULL && eb_model_rows_ready(&o->m) == 0, "%s: an image is attached", what);
    const uint32_t nf = o->m.num_features;
    double *x = alloc_rows(65, nf + 1u, nf);
    for (size_t r = 0; r < 65; r++)
        for (uint32_t f = 0; f < nf; f++)
            x[r * (nf + 1u) + f] = EDGES[(r + 7u * f) % NEDGES];
    rows_agree(&o->m, x, nf + 1u, 65, what);
    free(x);
}

TEST(row_image_refusals)
{
    eb_mgen_t g = {EB_MGEN_SEED ^ 3u};
    static const uint32_t refused[4][2] = {{7, 5}, {8, 64}, {4, 65}, {6, 128}}; /* depth, features */
    for (int i = 0; i < 4; i++) {
        eb_mgen_spec_t s;
        eb_mgen_spec(&g, &s, refused[i][0], refused[i][1], 1);
        model_t o;
        if (open_spec(&g, &s, &o))
            continue;
        char what[64];
        snprintf(what, sizeof what, "depth %u, %u features", s.depth, s.nf);
        check_refused(&o, what);
        close_model(&o);
    }
    size_t len;
    model_t o = {.blob = eb_mgen_graph_blob(&g, 3, 20, &len)};
    eb_model_error_t e;
    int rc = eb_model_open(&o.m, o.blob, len, &e);
    CHECK_MSG(rc == 0 && o.m.depth == 0, "node-graph blob: %s", e.msg);
    if (rc == 0)
        check_refused(&o, "node graph");
    free(o.blob);
}

/* A model that takes one: its size (one 576-byte record per tree plus alignment slack), refusals of
 * NULL and short memory with nothing attached, then an attach at an odd address that works. */
TEST(row_image_size_and_attach)
{
    eb_mgen_t g = {EB_MGEN_SEED ^ 4u};
    eb_mgen_spec_t s = {.depth = 6, .nf = 58, .groups = 3, .count = {200, 200, 200}, .trees = 600};
    size_t len;
    uint8_t *blob = eb_mgen_blob(&g, &s, &len);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, blob, len, NULL), 0);
    size_t n = eb_model_rows_size(&m);
    CHECK_EQ_INT(n, ROWS_BUILD ? 600u * ROW_RECORD + 63u : 0u);
    uint8_t *mem = malloc(n + 1);
    CHECK_EQ_INT(eb_model_attach_rows(&m, NULL, n), -1);
    CHECK_EQ_INT(eb_model_attach_rows(&m, mem + 1, n ? n - 1 : 0), -1);
    CHECK_EQ_INT(eb_model_attach_rows(&m, mem + 1, 0), -1);
    CHECK(m.rows == NULL && eb_model_rows_ready(&m) == 0);
    CHECK_EQ_INT(eb_model_attach_rows(&m, mem + 1, n), n ? 0 : -1);
    CHECK(n == 0 || (m.rows >= mem + 1 && m.rows + 600u * ROW_RECORD <= mem + 1 + n));
    double *x = random_rows(&g, &m, MAX_ROWS, s.nf);
    rows_agree(&m, x, s.nf, MAX_ROWS, "600 trees, image at an odd address");
    free(x), free(mem), free(blob);
}

/* eb_model_rows_ready: 0 before an image is attached, and after it exactly where the AVX-512 walks run
 * (eb_model_path with a lane image, and CPUID read here directly). */
TEST(rows_ready_follows_the_cpu)
{
    eb_mgen_t g = {EB_MGEN_SEED ^ 5u};
    eb_mgen_spec_t s;
    eb_mgen_spec(&g, &s, 4, 10, 3);
    size_t len;
    uint8_t *blob = eb_mgen_blob(&g, &s, &len);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, blob, len, NULL), 0);
    CHECK_EQ_INT(eb_model_rows_ready(&m), 0);
    size_t nl = eb_model_lanes_size(&m), nr = eb_model_rows_size(&m);
    uint8_t *lanes = malloc(nl + 1), *rows = malloc(nr + 1);
    CHECK_EQ_INT(eb_model_attach_lanes(&m, lanes, nl), ROWS_BUILD ? 0 : -1);
    CHECK_EQ_INT(eb_model_rows_ready(&m), 0); /* a lane image is not a row image */
    const int avx = eb_model_path(&m) == EB_MODEL_PATH_AVX512;
    CHECK_EQ_INT(eb_model_attach_rows(&m, rows, nr), ROWS_BUILD ? 0 : -1);
    CHECK_EQ_INT(eb_model_rows_ready(&m), avx);
    CHECK_EQ_INT(eb_model_path(&m), avx ? EB_MODEL_PATH_AVX512 : EB_MODEL_PATH_PORTABLE);
#if ROWS_BUILD
    __builtin_cpu_init();
    const int cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    CHECK_EQ_INT(eb_model_rows_ready(&m), cpu);
#endif
    fprintf(stderr, "  rows ready %d (path %s)\n", eb_model_rows_ready(&m), eb_model_path_name(eb_model_path(&m)));
    free(rows), free(lanes), free(blob);
}

int main(void)
{
    RUN(random_models_match_predict);
    RUN(edge_values_match_predict);
    RUN(padding_between_rows_is_not_read);
    RUN(row_image_refusals);
    RUN(row_image_size_and_attach);
    RUN(rows_ready_follows_the_cpu);
    return eb_check_report();
}
