/* Model evaluation benchmark, beside XGBoost's own C API in the same run, on the same model and rows:
 * a 3-class x 200-round, depth-6 model on 58 features trained here with libxgboost (seeded data).
 *   single row: eb_model_predict per row  vs  XGBoosterPredictFromDense with a 1-row array
 *   batch:      eb_model_predict over all rows  vs  XGBoosterPredictFromDense on all rows (nthread=1)
 *   together:   eb_model_predict_rows over all rows (64 walked together)  vs  the same XGBoost batch
 * Then callgrind instruction counts per row for both (the bench re-runs itself under valgrind with
 * collection switched on only around the prediction loop). Goals (issue 4): >= 20x faster than the
 * single-row C API and <= 5 ns per tree per row. Wall times are the best of 5 runs, ours and XGBoost's
 * interleaved, so a busy machine slows both alike; callgrind counts do not depend on the load.
 * Our model gets a lane image (eb_model_attach_lanes), so on a CPU with AVX-512 "ours" is the AVX-512
 * walk; the portable walk is timed beside it, and callgrind always counts the portable one (valgrind's
 * CPUID reports no AVX-512). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>
#include <xgboost/c_api.h>

#include "core/model.h"
#include "common/file_read.h"
#include "tools/edgebox/model/model_lanes.h"
#include "tools/edgebox/model/model_compile.h"

#define NF 58
#define CLASSES 3
#define ROUNDS 200
#define DEPTH 6
#define NTRAIN 1500
#define NROWS 2000

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;
static double unif(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void make_rows(float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < NF; j++) {
            double v = unif() * 2 - 1;
            x[i * NF + j] = unif() < 0.02 ? NAN : (float)v;
            if (j < 12)
                s += (j % 3 ? v : -v * v) * (1 + j % 4);
        }
        s += unif() - 0.5;
        if (y)
            y[i] = s < -0.7 ? 0.0f : s < 0.7 ? 1.0f : 2.0f;
    }
}

static int xgb(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bench_model: %s: %s\n", what, XGBGetLastError());
        exit(1);
    }
    return rc;
}

static BoosterHandle train_model(void)
{
    float *x = malloc(sizeof(float) * NTRAIN * NF), *y = malloc(sizeof(float) * NTRAIN);
    make_rows(x, y, NTRAIN);
    DMatrixHandle dm;
    BoosterHandle b;
    xgb(XGDMatrixCreateFromMat(x, NTRAIN, NF, NAN, &dm), "DMatrix");
    xgb(XGDMatrixSetFloatInfo(dm, "label", y, NTRAIN), "labels");
    xgb(XGBoosterCreate(&dm, 1, &b), "booster");
    /* nthread 1: on a shared, busy machine OpenMP's spinning threads make training many times slower. */
    const char *p[][2] = {{"objective", "multi:softprob"}, {"num_class", "3"}, {"max_depth", "6"},
                          {"eta", "0.1"}, {"tree_method", "hist"}, {"seed", "7"}, {"min_child_weight", "0"},
                          {"nthread", "1"}};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        xgb(XGBoosterSetParam(b, p[i][0], p[i][1]), p[i][0]);
    for (int i = 0; i < ROUNDS; i++)
        xgb(XGBoosterUpdateOneIter(b, i, dm), "train");
    XGDMatrixFree(dm);
    free(x), free(y);
    return b;
}

/* The trained model is kept under build/ between runs (the source JSON: it is compiled on every run). */
#define MODEL_CACHE "build/bench_model_200x3.json"

static BoosterHandle load_or_train(int *cached)
{
    char err[256];
    size_t len;
    char *json = eb_file_read_all(MODEL_CACHE, 0, 0, &len, err, sizeof err);
    BoosterHandle b;
    *cached = 0;
    if (json && XGBoosterCreate(NULL, 0, &b) == 0) {
        if (XGBoosterLoadModelFromBuffer(b, json, len) == 0 && XGBoosterSetParam(b, "nthread", "1") == 0) {
            free(json);
            *cached = 1;
            return b;
        }
        XGBoosterFree(b);
    }
    free(json);
    b = train_model();
    bst_ulong jlen;
    const char *out;
    xgb(XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jlen, &out), "save");
    FILE *f = fopen(MODEL_CACHE, "wb");
    if (f) {
        fwrite(out, 1, (size_t)jlen, f);
        fclose(f);
    }
    return b;
}

static const char *PCONF = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
                           "\"strict_shape\": false, \"missing\": NaN, \"cache_id\": 0}";

static void array_iface(char *buf, size_t cap, const float *x, int rows)
{
    snprintf(buf, cap, "{\"data\": [%llu, true], \"shape\": [%d, %d], \"typestr\": \"<f4\", \"version\": 3}",
             (unsigned long long)(uintptr_t)x, rows, NF);
}

static const float *xgb_predict(BoosterHandle b, const float *x, int rows)
{
    char iface[256];
    const bst_ulong *shape;
    bst_ulong dim;
    const float *out;
    array_iface(iface, sizeof iface, x, rows);
    xgb(XGBoosterPredictFromDense(b, iface, PCONF, NULL, &shape, &dim, &out), "predict");
    return out;
}

/* Our single-row loop; returns a checksum so the work cannot be optimised away. */
static double ours_rows(const eb_model_t *m, const double *xd, int n)
{
    double out[EB_MODEL_MAX_CLASSES], sum = 0;
    for (int i = 0; i < n; i++) {
        eb_model_predict(m, xd + (size_t)i * NF, out);
        sum += out[2];
    }
    return sum;
}

/* The portable walk on the same rows (margins only, plus the same softmax as eb_model_predict). */
static double portable_rows(const eb_model_t *m, const double *xd, int n)
{
    double z[EB_MODEL_MAX_CLASSES], sum = 0;
    for (int i = 0; i < n; i++) {
        eb_model_predict_margin_path(m, EB_MODEL_PATH_PORTABLE, xd + (size_t)i * NF, z);
        double mx = fmax(z[0], fmax(z[1], z[2])), e0 = exp(z[0] - mx), e1 = exp(z[1] - mx), e2 = exp(z[2] - mx);
        sum += e2 / (e0 + e1 + e2);
    }
    return sum;
}

/* All rows through eb_model_predict_rows (64 rows walked together). */
static double ours_together(const eb_model_t *m, const double *xd, int n, double *out)
{
    eb_model_predict_rows(m, xd, NF, (size_t)n, out);
    return out[2];
}

static double xgb_rows(BoosterHandle b, const float *xf, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += xgb_predict(b, xf + (size_t)i * NF, 1)[2];
    return sum;
}

/* Under callgrind: count instructions of N rows of one side only. */
static int callgrind_mode(const char *side, const char *json_path, const char *rows_path, int n)
{
    char err[256];
    size_t jlen, rlen;
    char *json = eb_file_read_all(json_path, 0, 0, &jlen, err, sizeof err);
    float *xf = (float *)(void *)eb_file_read_all(rows_path, 0, 0, &rlen, err, sizeof err);
    if (!json || !xf)
        return 1;
    double *xd = malloc(sizeof(double) * (size_t)n * NF);
    for (size_t i = 0; i < (size_t)n * NF; i++)
        xd[i] = xf[i];
    double s = 0;
    if (!strcmp(side, "ours")) {
        eb_compile_opts_t o;
        eb_compile_opts_default(&o);
        uint8_t *blob;
        size_t blen;
        eb_model_t m;
        if (eb_compile_xgboost_json(json, jlen, &o, &blob, &blen, err, sizeof err) || eb_model_open(&m, blob, blen, NULL))
            return 1;
        eb_tool_model_lanes(&m);
        fprintf(stderr, "path: %s\n", eb_model_path_name(eb_model_path(&m)));
        ours_rows(&m, xd, 1); /* warm */
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_TOGGLE_COLLECT;
        s = ours_rows(&m, xd, n);
        CALLGRIND_TOGGLE_COLLECT;
    } else {
        BoosterHandle b;
        xgb(XGBoosterCreate(NULL, 0, &b), "booster");
        xgb(XGBoosterLoadModelFromBuffer(b, json, jlen), "load");
        xgb(XGBoosterSetParam(b, "nthread", "1"), "nthread");
        xgb_rows(b, xf, 1);
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_TOGGLE_COLLECT;
        s = xgb_rows(b, xf, n);
        CALLGRIND_TOGGLE_COLLECT;
    }
    printf("%g\n", s);
    return 0;
}

/* Runs this binary under callgrind for one side; returns instructions per row (or -1). */
static double callgrind_per_row(const char *self, const char *side, const char *json, const char *rows, int n)
{
    char out[256], cmd[1024];
    snprintf(out, sizeof out, "%s.cg.%s", json, side);
    snprintf(cmd, sizeof cmd,
             "valgrind --tool=callgrind --collect-atstart=no --instr-atstart=no --callgrind-out-file=%s %s "
             "--callgrind %s %s %s %d >%s.log 2>&1", out, self, side, json, rows, n, out);
    char log[300];
    snprintf(log, sizeof log, "%s.log", out);
    if (system(cmd) != 0) {
        char buf[4096] = "";
        FILE *lf = fopen(log, "r");
        size_t got = lf ? fread(buf, 1, sizeof buf - 1, lf) : 0;
        buf[got] = '\0';
        if (lf)
            fclose(lf);
        fprintf(stderr, "bench_model: callgrind run failed (%s), see %s\n",
                strstr(buf, "SIGILL") ? "valgrind cannot run this build's AVX-512 code (-march=native); "
                                        "rebuild with EXTRA_CFLAGS=-mno-avx512f to count instructions"
                                      : "valgrind missing or failed", log);
        return -1;
    }
    unlink(log);
    FILE *f = fopen(out, "r");
    char line[512];
    double total = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7))
            total = strtod(strchr(line, ':') + 1, NULL);
    if (f)
        fclose(f);
    unlink(out);
    return total < 0 ? -1 : total / n;
}

static void save(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(d, 1, n, f);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "--callgrind"))
        return callgrind_mode(argv[2], argv[3], argv[4], atoi(argv[5]));
    double t0 = now_ns();
    int cached;
    BoosterHandle b = load_or_train(&cached);
    printf("model: XGBoost %d classes x %d rounds, depth %d, %d features (%s in %.1f s)\n", CLASSES, ROUNDS,
           DEPTH, NF, cached ? "loaded from " MODEL_CACHE : "trained", (now_ns() - t0) / 1e9);
    bst_ulong jlen;
    const char *json;
    xgb(XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jlen, &json), "save");
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    uint8_t *blob;
    size_t blen;
    char err[256];
    eb_model_t m;
    if (eb_compile_xgboost_json(json, (size_t)jlen, &o, &blob, &blen, err, sizeof err) ||
        eb_model_open(&m, blob, blen, NULL)) {
        fprintf(stderr, "bench_model: compile: %s\n", err);
        return 1;
    }
    uint32_t trees = eb_model_num_trees(&m);
    printf("blob: %u trees, %u nodes, %zu bytes\n", trees, m.num_nodes, blen);
    void *lanes = eb_tool_model_lanes(&m);
    const char *path = eb_model_path_name(eb_model_path(&m));
    printf("path: %s (lane image %zu bytes%s)\n", path, eb_model_lanes_size(&m),
           lanes ? "" : ", not attached");
    float *xf = malloc(sizeof(float) * NROWS * NF);
    double *xd = malloc(sizeof(double) * NROWS * NF);
    make_rows(xf, NULL, NROWS);
    for (size_t i = 0; i < (size_t)NROWS * NF; i++)
        xd[i] = xf[i];
    /* Same answers first. */
    const float *ref = xgb_predict(b, xf, NROWS);
    double worst = 0, out[EB_MODEL_MAX_CLASSES];
    for (int i = 0; i < NROWS; i++) {
        eb_model_predict(&m, xd + (size_t)i * NF, out);
        for (int c = 0; c < CLASSES; c++)
            worst = fmax(worst, fabs(out[c] - ref[i * CLASSES + c]));
    }
    printf("agreement: max |p_ours - p_xgboost| = %.3g over %d rows\n", worst, NROWS);
    if (worst > 1e-6)
        return 1;
    int differ = 0;
    for (int i = 0; i < NROWS; i++) {
        double za[EB_MODEL_MAX_CLASSES], zb[EB_MODEL_MAX_CLASSES];
        eb_model_predict_margin(&m, xd + (size_t)i * NF, za);
        eb_model_predict_margin_path(&m, EB_MODEL_PATH_PORTABLE, xd + (size_t)i * NF, zb);
        differ += memcmp(za, zb, sizeof(double) * CLASSES) != 0;
    }
    printf("paths     : %s vs portable: %d of %d rows differ in any bit\n", path, differ, NROWS);
    if (differ)
        return 1;

    double *together = malloc(sizeof(double) * NROWS * CLASSES);
    ours_together(&m, xd, NROWS, together);
    int differ_rows = 0;
    for (int i = 0; i < NROWS; i++) {
        eb_model_predict(&m, xd + (size_t)i * NF, out);
        differ_rows += memcmp(out, together + (size_t)i * CLASSES, sizeof(double) * CLASSES) != 0;
    }
    printf("rows      : eb_model_predict_rows (%s) vs eb_model_predict: %d of %d rows differ in any bit\n",
           eb_model_rows_ready(&m) ? "64 rows walked together" : "row by row", differ_rows, NROWS);
    if (differ_rows)
        return 1;

    int reps = 5;
    double best_ours = 1e30, best_xgb = 1e30, best_batch = 1e30, best_port = 1e30, best_tog = 1e30, sink = 0;
    for (int r = 0; r < reps; r++) {
        double a = now_ns();
        sink += ours_rows(&m, xd, NROWS);
        best_ours = fmin(best_ours, (now_ns() - a) / NROWS);
        a = now_ns();
        sink += portable_rows(&m, xd, NROWS);
        best_port = fmin(best_port, (now_ns() - a) / NROWS);
        a = now_ns();
        sink += xgb_rows(b, xf, NROWS / 4);
        best_xgb = fmin(best_xgb, (now_ns() - a) / (NROWS / 4));
        a = now_ns();
        sink += xgb_predict(b, xf, NROWS)[0];
        best_batch = fmin(best_batch, (now_ns() - a) / NROWS);
        a = now_ns();
        sink += ours_together(&m, xd, NROWS, together);
        best_tog = fmin(best_tog, (now_ns() - a) / NROWS);
    }
    printf("single row : ours %8.0f ns/row   XGBoost C API (PredictFromDense, 1 row) %8.0f ns/row   -> %.1fx "
           "faster (goal >= 20x)   [ours: %s]\n", best_ours, best_xgb, best_xgb / best_ours, path);
    printf("portable   : ours %8.0f ns/row on the portable walk (-> %.1fx the C API; %.2fx slower than ours above)\n",
           best_port, best_xgb / best_port, best_port / best_ours);
    printf("batch      : ours %8.0f ns/row   XGBoost C API (PredictFromDense, %d rows, nthread=1) %8.0f ns/row   "
           "-> %.1fx\n", best_ours, NROWS, best_batch, best_batch / best_ours);
    printf("together   : ours %8.0f ns/row   (eb_model_predict_rows, %d rows; %.2f ns per tree)   same XGBoost batch "
           "-> %.1fx\n", best_tog, NROWS, best_tog / trees, best_batch / best_tog);
    printf("per tree   : ours %.2f ns per tree per row (%u trees; goal <= 5 ns)\n", best_ours / trees, trees);
    printf("throughput : ours %.0f rows/s on one core\n", 1e9 / best_ours);

    char jpath[] = "/tmp/eb-bench-model-XXXXXX", rpath[64];
    int fd = mkstemp(jpath);
    if (fd >= 0)
        close(fd);
    save(jpath, json, (size_t)jlen);
    snprintf(rpath, sizeof rpath, "%s.rows", jpath);
    save(rpath, xf, sizeof(float) * NROWS * NF);
    double ci_ours = callgrind_per_row(argv[0], "ours", jpath, rpath, 1000);
    double ci_xgb = callgrind_per_row(argv[0], "xgb", jpath, rpath, 200);
    if (ci_ours < 0 || ci_xgb < 0)
        printf("callgrind  : skipped (see the message above)\n");
    else
        printf("callgrind  : ours %.0f instructions/row (%.1f per tree; portable walk: valgrind has no AVX-512)   "
               "XGBoost single-row %.0f instructions/row -> %.1fx fewer\n", ci_ours, ci_ours / trees, ci_xgb,
               ci_xgb / ci_ours);
    unlink(jpath);
    unlink(rpath);
    XGBoosterFree(b);
    free(blob), free(xf), free(xd), free(lanes), free(together);
    printf("goals      : >= 20x the single-row C API: %s (%.1fx); <= 5 ns per tree per row: %s (%.2f ns)%s\n",
           best_xgb / best_ours >= 20 ? "met" : "NOT met", best_xgb / best_ours,
           best_ours / trees <= 5 ? "met" : "NOT met", best_ours / trees, sink > 0 ? "" : " ");
    return 0;
}
