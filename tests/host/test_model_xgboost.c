/* Random-model parity with XGBoost itself (Debian's libxgboost 1.7.4, C API): models are trained here on
 * seeded random data (multi:softprob and binary:logistic, depth 2..8, 10..500 rounds, 1..100 features,
 * 0..30% NaN), saved as JSON in memory, compiled to a blob, and our margins and probabilities are
 * compared with XGBoost's on thousands of rows. Test rows are given to us as doubles and to XGBoost as
 * their float32 rounding, and many sit within a float ulp of the training values (the split points),
 * so the float32 rounding and strict-< rules are exercised on both sides of each threshold. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "core/model.h"
#include "tests/support/check.h"
#include "tools/edgebox/model/model_compile.h"

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rnext(rng_t *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return r->s >> 11;
}
static double runif(rng_t *r) { return (double)rnext(r) / 9007199254740992.0; }
static int rint_in(rng_t *r, int lo, int hi) { return lo + (int)(rnext(r) % (uint64_t)(hi - lo + 1)); }

#define XGB_OK(call) CHECK_MSG((call) == 0, "%s: %s", #call, XGBGetLastError())

typedef struct {
    int classes, depth, rounds, nf;
    double nan_rate;
} spec_t;

/* Training data: a few informative features on a value grid (ties at split points), labels from them. */
static void make_train(rng_t *r, const spec_t *s, int n, float *x, float *y)
{
    for (int i = 0; i < n; i++) {
        double score = 0;
        for (int j = 0; j < s->nf; j++) {
            double v = (runif(r) - 0.5) * 10;
            if (j % 3 == 0)
                v = floor(v * 4) / 4; /* a grid: many equal values */
            if (j < 4)
                score += v * (j % 2 ? -1 : 1);
            x[i * s->nf + j] = runif(r) < s->nan_rate ? NAN : (float)v;
        }
        score += (runif(r) - 0.5) * 6;
        y[i] = s->classes > 1 ? (float)(score < -2 ? 0 : score < 2 ? 1 : 2) : (float)(score > 0);
    }
}

/* Test rows as doubles: training values nudged by up to one float ulp either way, fresh values, NaN. */
static void make_test(rng_t *r, const spec_t *s, const float *train, int ntrain, int n, double *xd, float *xf)
{
    for (int i = 0; i < n; i++) {
        const float *src = train + (size_t)rint_in(r, 0, ntrain - 1) * (size_t)s->nf;
        for (int j = 0; j < s->nf; j++) {
            double v = src[j], u = runif(r);
            if (isnan(v) || u < 0.1)
                v = (runif(r) - 0.5) * 10;
            else if (u < 0.6)
                v += (runif(r) - 0.5) * 2 * fabs(v) * 1.2e-7; /* within ~1 float ulp */
            if (runif(r) < s->nan_rate)
                v = NAN;
            xd[i * s->nf + j] = v;
            xf[i * s->nf + j] = (float)v;
        }
    }
}

static BoosterHandle train(const spec_t *s, DMatrixHandle dm, uint64_t seed)
{
    BoosterHandle b = NULL;
    char buf[32];
    XGB_OK(XGBoosterCreate(&dm, 1, &b));
    XGB_OK(XGBoosterSetParam(b, "objective", s->classes > 1 ? "multi:softprob" : "binary:logistic"));
    if (s->classes > 1) {
        snprintf(buf, sizeof buf, "%d", s->classes);
        XGB_OK(XGBoosterSetParam(b, "num_class", buf));
    }
    snprintf(buf, sizeof buf, "%d", s->depth);
    XGB_OK(XGBoosterSetParam(b, "max_depth", buf));
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)(seed % 100000));
    XGB_OK(XGBoosterSetParam(b, "seed", buf));
    XGB_OK(XGBoosterSetParam(b, "eta", "0.3"));
    XGB_OK(XGBoosterSetParam(b, "tree_method", "hist"));
    XGB_OK(XGBoosterSetParam(b, "nthread", "1"));
    XGB_OK(XGBoosterSetParam(b, "base_score", seed % 2 ? "0.5" : "0.3"));
    for (int i = 0; i < s->rounds; i++)
        XGB_OK(XGBoosterUpdateOneIter(b, i, dm));
    return b;
}

static void one_model(const spec_t *s, uint64_t seed, int ntest, double *worst_margin, double *worst_prob)
{
    rng_t r = {seed};
    int ntrain = 600, ng = s->classes > 1 ? s->classes : 1;
    float *x = malloc(sizeof(float) * (size_t)ntrain * (size_t)s->nf), *y = malloc(sizeof(float) * (size_t)ntrain);
    double *td = malloc(sizeof(double) * (size_t)ntest * (size_t)s->nf);
    float *tf = malloc(sizeof(float) * (size_t)ntest * (size_t)s->nf);
    make_train(&r, s, ntrain, x, y);
    make_test(&r, s, x, ntrain, ntest, td, tf);
    DMatrixHandle dm, dt;
    XGB_OK(XGDMatrixCreateFromMat(x, (bst_ulong)ntrain, (bst_ulong)s->nf, NAN, &dm));
    XGB_OK(XGDMatrixSetFloatInfo(dm, "label", y, (bst_ulong)ntrain));
    XGB_OK(XGDMatrixCreateFromMat(tf, (bst_ulong)ntest, (bst_ulong)s->nf, NAN, &dt));
    BoosterHandle b = train(s, dm, seed);
    bst_ulong jlen, n;
    const char *json;
    XGB_OK(XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jlen, &json));
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    uint8_t *blob = NULL;
    size_t blen;
    char err[256];
    int rc = eb_compile_xgboost_json(json, (size_t)jlen, &o, &blob, &blen, err, sizeof err);
    CHECK_MSG(rc == 0, "compile: %s", err);
    eb_model_t m;
    eb_model_error_t me;
    if (rc == 0 && eb_model_open(&m, blob, blen, &me) == 0) {
        /* These models (numeric, depth <= 8) take the complete-tree layout when their features fit it. */
        CHECK_MSG((m.depth != 0) == (s->nf <= (int)EB_MODEL_MAX_COMPLETE_FEATURES), "%d features: layout %u",
                  s->nf, m.depth);
        const float *ref_margin, *ref_prob;
        XGB_OK(XGBoosterPredict(b, dt, 1, 0, 0, &n, &ref_margin));
        CHECK_EQ_INT(n, (bst_ulong)ntest * (bst_ulong)ng);
        float *keep = malloc(sizeof(float) * n);
        memcpy(keep, ref_margin, sizeof(float) * n);
        XGB_OK(XGBoosterPredict(b, dt, 0, 0, 0, &n, &ref_prob));
        double out[EB_MODEL_MAX_CLASSES];
        for (int i = 0; i < ntest; i++) {
            eb_model_predict_margin(&m, td + (size_t)i * (size_t)s->nf, out);
            for (int g = 0; g < ng; g++)
                *worst_margin = fmax(*worst_margin, fabs(out[g] - keep[i * ng + g]));
            eb_model_predict(&m, td + (size_t)i * (size_t)s->nf, out);
            for (int g = 0; g < ng; g++)
                *worst_prob = fmax(*worst_prob, fabs(out[g] - ref_prob[i * ng + g]));
        }
        free(keep);
    }
    XGBoosterFree(b);
    XGDMatrixFree(dm);
    XGDMatrixFree(dt);
    free(blob), free(x), free(y), free(td), free(tf);
}

TEST(random_models_match_xgboost)
{
    /* The corners first (depth 2 and 8, 10 and 500 rounds, 1 and 100 features, 0 and 30% NaN), then random. */
    spec_t fixed[] = {{3, 8, 500, 58, 0.3}, {1, 2, 10, 1, 0.0}, {3, 6, 200, 100, 0.05}, {1, 8, 300, 100, 0.3},
                      {3, 4, 30, 200, 0.1}}; /* the last: 200 features, the node-graph layout */
    rng_t r = {20260101};
    int rows = 0;
    int nfixed = (int)(sizeof fixed / sizeof fixed[0]);
    for (int k = 0; k < 13; k++) {
        spec_t s = k < nfixed ? fixed[k]
                         : (spec_t){rint_in(&r, 0, 1) ? 3 : 1, rint_in(&r, 2, 8), rint_in(&r, 10, 150),
                                    rint_in(&r, 1, 100), runif(&r) * 0.3};
        double wm = 0, wp = 0;
        int ntest = 1000;
        one_model(&s, 1000 + (uint64_t)k * 7919, ntest, &wm, &wp);
        rows += ntest;
        CHECK_MSG(wm <= 2e-6 && wp <= 1e-6, "model %d (%s depth %d rounds %d features %d nan %.2f): max|margin "
                  "diff| %.3g, max|prob diff| %.3g", k, s.classes > 1 ? "softprob" : "logistic", s.depth, s.rounds,
                  s.nf, s.nan_rate, wm, wp);
        fprintf(stderr, "  model %2d %-8s depth %d rounds %3d features %3d nan %.2f: max|margin diff| %.3g, "
                "max|prob diff| %.3g\n", k, s.classes > 1 ? "softprob" : "logistic", s.depth, s.rounds, s.nf,
                s.nan_rate, wm, wp);
    }
    CHECK(rows >= 10000);
}

int main(void)
{
    RUN(random_models_match_xgboost);
    return eb_check_report();
}
