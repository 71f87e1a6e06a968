/* eb_pipeline_prefetch (the backtest's way: features and model outputs of up to EB_PIPELINE_AHEAD bars in
 * one go) against eb_pipeline_step bar by bar (the daemon's way). The promise of pipeline.h: the same
 * intents, return values, refusals, counters and engine state. Two pipelines run the same bars in
 * lockstep and are compared after every step; bad bars sit at the start, middle and end of batches; the
 * refusals of the API change no byte of the pipeline's memory.
 *
 * The model: unit tests link neither XGBoost nor the host tool (eb_train_fixed_model is in
 * tests/host), so a 58-feature 3-class softprob blob is written here in the complete-tree layout the
 * trained models use, with thresholds taken from real feature rows of the same bars (every split divides
 * them) and Platt calibration on, so the model's signals change from bar to bar and the engine trades. */
#include "core/pipeline.h"
#include "tests/support/bars_load.h"
#include "tests/support/check.h"
#include "tests/support/synth_hourly.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH 6u        /* the deepest layout eb_model_predict_rows walks 64 rows at a time */
#define TREES_PER_CLASS 16u
#define HOUR_MS 3600000LL

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n) /* 0 .. n-1 */
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)((rng >> 32) % n);
}

/* --- a small model over real feature rows ------------------------------------------------------------ */

typedef struct {
    uint8_t *blob;
    void *images; /* lane and row images (AVX-512 walks), or NULL */
    eb_model_t m;
} model_t;

static void p32(uint8_t *b, size_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void pf64(uint8_t *b, size_t o, double v) { memcpy(b + o, &v, 8); }
static size_t al16(size_t v) { return (v + 15u) & ~(size_t)15u; }

/* Every 4th ready feature row of the bars (at most cap): the thresholds' source. */
static size_t sample_rows(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, double *rows, size_t cap)
{
    size_t size = eb_features_state_size(fp), got = 0, ready = 0;
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, fp);
    double x[EB_FEATURE_COUNT];
    for (size_t i = 0; f && i < n && got < cap; i++)
        if (eb_features_step(f, &bars[i], x) == 1 && ready++ % 4 == 0)
            memcpy(rows + EB_FEATURE_COUNT * got++, x, sizeof x);
    free(mem);
    return got;
}

/* A split on a random feature at that feature's value in a random sample row. */
static void split(const double *rows, size_t nrows, float *thr, uint8_t *feat)
{
    uint32_t f = rnd(EB_FEATURE_COUNT);
    double v = rows[EB_FEATURE_COUNT * rnd((uint32_t)nrows) + f];
    *thr = isfinite(v) ? (float)v : 0.0f;
    *feat = (uint8_t)f;
}

static void write_tree(uint8_t *img, const double *rows, size_t nrows)
{
    const uint32_t ntop = (1u << (DEPTH - 2u)) - 1u;
    for (uint32_t i = 0; i < ntop; i++)
        split(rows, nrows, (float *)(void *)(img + 4u * i), img + 4u * ntop + i);
    eb_model_block_t *bk = (eb_model_block_t *)(void *)(img + eb_model_top_bytes(DEPTH));
    for (uint32_t k = 0; k <= ntop; k++) {
        for (int j = 0; j < 3; j++)
            split(rows, nrows, &bk[k].thr[j], &bk[k].feat[j]);
        for (int j = 0; j < 4; j++)
            bk[k].leaf[j] = (float)((int)rnd(2001) - 1000) / 2000.0f; /* -0.5 .. 0.5 */
    }
}

static void write_header(uint8_t *b, size_t len, uint32_t trees, size_t off_trees, size_t off_nodes, size_t off_dec,
                         uint64_t schema)
{
    memcpy(b, EB_MODEL_MAGIC, 8);
    p32(b, EB_MH_VERSION, EB_MODEL_VERSION);
    p32(b, EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_TOTAL, (uint32_t)len);
    p32(b, EB_MH_OBJECTIVE, EB_MODEL_OBJ_SOFTPROB);
    p32(b, EB_MH_SOURCE, EB_MODEL_SRC_XGBOOST);
    p32(b, EB_MH_FLAGS, EB_MODEL_F_FLOAT32 | EB_MODEL_F_CALIBRATED);
    p32(b, EB_MH_FEATURES, EB_FEATURE_COUNT);
    p32(b, EB_MH_GROUPS, 3);
    p32(b, EB_MH_TREES, trees);
    p32(b, EB_MH_NODES, trees * ((1u << DEPTH) - 1u));
    p32(b, EB_MH_LAYOUT, DEPTH);
    memcpy(b + EB_MH_SCHEMA, &schema, 8);
    pf64(b, EB_MH_SIGMOID, 1.0);
    p32(b, EB_MH_OFF_BASE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_OFF_TREES, (uint32_t)off_trees);
    p32(b, EB_MH_OFF_NODES, (uint32_t)off_nodes);
    p32(b, EB_MH_OFF_CATS, (uint32_t)off_dec);
    p32(b, EB_MH_OFF_DECISION, (uint32_t)off_dec);
    p32(b, EB_MH_DECISION_SIZE, eb_model_decision_size(3));
}

/* Thresholds 0.45 (below the 0.5 default: signals are frequent) and a Platt pair per class that really
 * moves the probabilities, so eb_model_calibrate is on the compared path. */
static void write_decision(uint8_t *d)
{
    static const double platt[3][2] = {{1.2, 0.15}, {0.8, 0.0}, {1.2, -0.1}};
    pf64(d, 0, 0.45);
    pf64(d, 8, 0.45);
    p32(d, 28, EB_MODEL_CLASS_NEUTRAL);
    p32(d, 32, EB_MODEL_CLASS_BUY);
    p32(d, 36, 1);
    p32(d, 40, 3);
    for (int c = 0; c < 3; c++) {
        pf64(d, 48u + 16u * (unsigned)c, platt[c][0]);
        pf64(d, 56u + 16u * (unsigned)c, platt[c][1]);
    }
}

/* fast: attach the lane and row images as `edgebox backtest` does, so on AVX-512 CPUs the bar-by-bar run
 * walks lanes and the prefetching run walks 64 rows together (both must still agree bit for bit). */
static int model_make(model_t *mo, const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, int fast)
{
    enum { CAP = 2048 };
    double *rows = malloc(CAP * EB_FEATURE_COUNT * sizeof *rows);
    size_t nrows = sample_rows(bars, n, fp, rows, CAP);
    const uint32_t trees = 3 * TREES_PER_CLASS, tb = eb_model_tree_bytes(DEPTH);
    const size_t off_trees = al16(EB_MODEL_HEADER_SIZE + 8u * 3), off_nodes = al16(off_trees + 8u * trees);
    const size_t off_dec = al16(off_nodes + (size_t)tb * trees), len = al16(off_dec + eb_model_decision_size(3));
    memset(mo, 0, sizeof *mo);
    mo->blob = aligned_alloc(16, len);
    memset(mo->blob, 0, len);
    write_header(mo->blob, len, trees, off_trees, off_nodes, off_dec, eb_features_schema_hash(fp));
    for (uint32_t t = 0; t < trees; t++) {
        p32(mo->blob, off_trees + 8u * t, t * ((1u << DEPTH) - 1u));
        p32(mo->blob, off_trees + 8u * t + 4u, t / TREES_PER_CLASS);
        write_tree(mo->blob + off_nodes + (size_t)tb * t, rows, nrows);
    }
    write_decision(mo->blob + off_dec);
    free(rows);
    eb_model_error_t e;
    int rc = nrows >= 64 ? eb_model_open(&mo->m, mo->blob, len, &e) : -1;
    CHECK_MSG(rc == 0, "model: %zu sample rows, %s", nrows, nrows >= 64 && rc ? e.msg : "");
    if (rc != 0)
        return -1;
    size_t nl = eb_model_lanes_size(&mo->m), nr = eb_model_rows_size(&mo->m);
    if (fast && nl + nr) {
        mo->images = malloc(nl + nr);
        if (nl)
            eb_model_attach_lanes(&mo->m, mo->images, nl);
        if (nr)
            eb_model_attach_rows(&mo->m, (char *)mo->images + nl, nr);
    }
    return 0;
}

static void model_free(model_t *mo)
{
    free(mo->images);
    free(mo->blob);
}

/* --- a run: one pipeline and the fills a backtest gives it ------------------------------------------- */

typedef struct {
    void *mem;
    size_t size;
    eb_pipeline_t *p;
    eb_intent_t pend[EB_ENGINE_MAX_INTENTS];
    int npend, has_last;
    int64_t last_ms;
} run_t;

/* Both sides, partial exits and up to three positions: more of the engine's paths are compared. */
static eb_pipeline_config_t config(const eb_model_t *m, int ahead)
{
    eb_pipeline_config_t c;
    memset(&c, 0, sizeof c);
    eb_engine_config_default(&c.engine);
    c.engine.allow_short = 1;
    c.engine.partial_exit = 1;
    c.engine.max_open_positions = 3;
    c.engine.limits.min_confidence = 0; /* let the model's signals through, as bench_engine does */
    c.features = eb_feature_params_default();
    c.atr_window = 50;
    c.model = m;
    c.ahead = ahead;
    return c;
}

/* The block is zeroed first so that two runs' bytes (padding included) can be compared. */
static int run_open(run_t *r, const eb_pipeline_config_t *c)
{
    memset(r, 0, sizeof *r);
    r->size = eb_pipeline_size(c);
    r->mem = aligned_alloc(64, (r->size + 63) & ~(size_t)63);
    memset(r->mem, 0, r->size);
    eb_pipeline_status_t st = eb_pipeline_init(r->mem, r->size, c, &r->p);
    CHECK_MSG(st == EB_PIPELINE_OK, "init: %s", eb_pipeline_status_name(st));
    return st == EB_PIPELINE_OK ? 0 : -1;
}

static void run_close(run_t *r) { free(r->mem); }

/* A bar the step accepts, by the rule of pipeline.h, for the fills only: market intents fill at the next
 * accepted bar's open (a refused bar's open may be NaN and would poison the cash). */
static int will_accept(const run_t *r, const eb_bar_t *bar)
{
    return eb_bar_check(bar) == EB_BAR_OK && (!r->has_last || bar->open_time_ms > r->last_ms);
}

/* One bar as bench_engine runs it: pending market intents fill at this open by the fill rule, then the
 * step (which fills the stops it finds); entries and exits wait for the next open. */
static int drive(run_t *r, const eb_bar_t *bar, int direction, eb_intent_t *it)
{
    if (will_accept(r, bar)) {
        for (int k = 0; k < r->npend; k++)
            eb_engine_fill_market(&r->p->engine, &r->pend[k], bar->open, bar->open_time_ms, NULL);
        r->npend = 0;
    }
    int n = eb_pipeline_step(r->p, bar, direction, it, EB_ENGINE_MAX_INTENTS);
    if (n >= 0) {
        r->has_last = 1;
        r->last_ms = bar->open_time_ms;
    }
    for (int k = 0; k < n; k++)
        if (it[k].kind == EB_INTENT_ENTER || it[k].kind == EB_INTENT_EXIT)
            r->pend[r->npend++] = it[k];
    return n;
}

/* --- lockstep comparison ---------------------------------------------------------------------------- */

enum { D_RET, D_INTENTS, D_PROBS, D_FREADY, D_X, D_READY, D_ENGINE, D_ATR, D_KINDS };
static const char *const diff_names[D_KINDS] = {"return value", "intents", "probs", "features_ready", "x (ready bars)",
                                                "ready", "engine (memcmp)", "ATR / ATR mean"};

/* Mismatches per kind over a whole run, with the first bar each appeared at: one CHECK per kind at the
 * end instead of one per bar (a broken run reports where it went wrong, not 65,000 lines). */
typedef struct {
    long count[D_KINDS], first[D_KINDS];
    long bars, refused, intents, prefetched, ready_bars;
    long bad_bars[2], engine_bars[2]; /* at the end: bar by bar, prefetching */
    long waiting, batches, bad_prefetch; /* b's schedule */
} diff_t;

static void note(diff_t *d, int kind, int differs, long bar)
{
    if (differs && d->count[kind]++ == 0)
        d->first[kind] = bar;
}

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void compare_step(diff_t *d, long i, const run_t *a, const run_t *b, int na, int nb, const eb_intent_t *ia,
                         const eb_intent_t *ib)
{
    const eb_pipeline_t *p = a->p, *q = b->p;
    note(d, D_RET, na != nb, i);
    note(d, D_INTENTS, na == nb && na > 0 && memcmp(ia, ib, (size_t)na * sizeof *ia) != 0, i);
    note(d, D_PROBS, memcmp(p->probs, q->probs, sizeof p->probs) != 0, i);
    note(d, D_FREADY, p->features_ready != q->features_ready, i);
    /* x holds what the features wrote for the last accepted bar, warm-up bars included */
    note(d, D_X, memcmp(p->x, q->x, sizeof p->x) != 0, i);
    note(d, D_READY, p->ready != q->ready, i);
    note(d, D_ENGINE, memcmp(&p->engine, &q->engine, sizeof p->engine) != 0, i);
    note(d, D_ATR, !same_double(eb_pipeline_atr(p), eb_pipeline_atr(q)) ||
                       !same_double(eb_pipeline_atr_mean(p), eb_pipeline_atr_mean(q)), i);
    d->bars++;
    d->refused += na < 0;
    d->intents += na > 0 ? na : 0;
    d->ready_bars += p->ready;
}

static void report(const char *what, const diff_t *d)
{
    for (int k = 0; k < D_KINDS; k++)
        CHECK_MSG(d->count[k] == 0, "%s: %s differs at %ld of %ld bars, first at bar %ld", what, diff_names[k],
                  d->count[k], d->bars, d->first[k]);
}

/* Bar i through both runs; b prefetches the next batch first when nothing waits. */
static void step_pair(diff_t *d, run_t *a, run_t *b, const eb_bar_t *bars, size_t n, size_t i, const int *sizes,
                      int nsizes)
{
    if (d->waiting == 0) {
        int want = sizes[d->batches++ % nsizes];
        int m = want == 0 ? 0 : (size_t)want < n - i ? want : (int)(n - i);
        d->bad_prefetch += m > 0 && eb_pipeline_prefetch(b->p, &bars[i], m) != m;
        d->waiting = m;
        d->prefetched += m;
    }
    d->waiting -= d->waiting > 0;
    eb_intent_t ia[EB_ENGINE_MAX_INTENTS], ib[EB_ENGINE_MAX_INTENTS];
    int na = drive(a, &bars[i], 0, ia), nb = drive(b, &bars[i], 0, ib);
    compare_step(d, (long)i, a, b, na, nb, ia, ib);
}

/* Bars through a (bar by bar) and b (batches of the given sizes, in turn; 0: one bar stepped without a
 * prefetch; a batch is cut short at the end of the bars), compared after every step. */
static void lockstep(diff_t *d, const eb_bar_t *bars, size_t n, const eb_pipeline_config_t *c, const int *sizes,
                     int nsizes)
{
    memset(d, 0, sizeof *d);
    run_t a, b;
    eb_pipeline_config_t ca = *c;
    ca.ahead = 0; /* the daemon's pipeline has no room for prefetching at all */
    int ok = (run_open(&a, &ca) == 0) & (run_open(&b, c) == 0); /* both opened, so both can be closed */
    for (size_t i = 0; ok && i < n; i++)
        step_pair(d, &a, &b, bars, n, i, sizes, nsizes);
    if (ok) {
        CHECK(memcmp(&a.p->engine, &b.p->engine, sizeof a.p->engine) == 0);
        d->bad_bars[0] = (long)a.p->engine.n.bad_bars, d->bad_bars[1] = (long)b.p->engine.n.bad_bars;
        d->engine_bars[0] = (long)a.p->engine.n.bars, d->engine_bars[1] = (long)b.p->engine.n.bars;
    }
    CHECK_EQ_INT(d->bad_prefetch, 0);
    run_close(&a);
    run_close(&b);
}

/* The cases are only worth something when the model trades and the batches are real. */
static void require_activity(const char *what, const diff_t *d, long min_intents)
{
    CHECK_MSG(d->intents >= min_intents && d->ready_bars > d->bars / 2 && d->prefetched > d->bars / 2,
              "%s: %ld intents, %ld ready bars, %ld prefetched of %ld", what, d->intents, d->ready_bars, d->prefetched,
              d->bars);
}

static const int SIZES[] = {1, 7, EB_PIPELINE_AHEAD, 0, 33, EB_PIPELINE_AHEAD, 5, 2};
#define NSIZES ((int)(sizeof SIZES / sizeof SIZES[0]))

static void equivalence_on(const char *what, const eb_bar_t *bars, size_t n, int fast)
{
    eb_feature_params_t fp = eb_feature_params_default();
    model_t mo;
    if (model_make(&mo, bars, n, &fp, fast) != 0) {
        model_free(&mo);
        return;
    }
    eb_pipeline_config_t c = config(&mo.m, 1);
    diff_t d;
    lockstep(&d, bars, n, &c, SIZES, NSIZES);
    report(what, &d);
    require_activity(what, &d, 50);
    fprintf(stderr, "  %s: %ld bars, %ld intents, %ld prefetched, rows walked together: %s\n", what, d.bars, d.intents,
            d.prefetched, eb_model_rows_ready(&mo.m) ? "yes" : "no");
    model_free(&mo);
}

TEST(equivalence_on_synthetic_bars)
{
    /* 4007 bars: the last batch is a remainder whatever the cycle of sizes */
    eb_bar_t *bars = eb_test_synth_hourly(4007, 7, 0.008);
    equivalence_on("synth hourly, portable walk", bars, 4007, 0);
    equivalence_on("synth hourly, lane and row images", bars, 4007, 1);
    free(bars);
}

TEST(equivalence_on_real_bars)
{
    char buf[512];
    const char *path = eb_shared_path("data/BTCUSDT-5m-2020-12_2021-07.csv", buf, sizeof buf);
    if (!path) {
        CHECK_SKIP("../shared/data absent");
        return;
    }
    size_t n;
    eb_bar_t *bars = eb_test_load_bars(path, &n);
    CHECK(bars != NULL && n > 60000);
    if (bars)
        equivalence_on("BTCUSDT 5m", bars, n, 1);
    free(bars);
}

/* --- bad bars inside batches -------------------------------------------------------------------------- */

enum { BAD_RANGE, BAD_NAN, BAD_DUP, BAD_BACK, BAD_KINDS };

/* A bar the step refuses, to be placed between the good bars prev and next. Bars failing their checks
 * carry next's time: a refused bar must not move time on, so next is still accepted after it. */
static eb_bar_t bad_bar(int kind, const eb_bar_t *prev, const eb_bar_t *next)
{
    eb_bar_t b = kind == BAD_RANGE || kind == BAD_NAN ? *next : *prev;
    switch (kind) {
    case BAD_RANGE: b.high = b.low * 0.99; break; /* high < low */
    case BAD_NAN: b.close = NAN; break;
    case BAD_DUP: b.close = b.open; break; /* a valid bar with the last accepted time */
    default: b.open_time_ms -= HOUR_MS; break; /* a valid bar from before the last accepted one */
    }
    return b;
}

#define BATCH 16
#define WARM 600 /* good bars before the batches: features, ATR history and positions are warm */

typedef struct {
    eb_bar_t *bars;
    size_t n;
    int sizes[256], nsizes, nbad;
} bad_seq_t;

/* Appends a batch of BATCH bars: good bars from src, with bad bars of the given kinds at the given
 * positions of the batch (-1 ends the list). */
static void add_batch(bad_seq_t *s, const eb_bar_t *src, size_t *next, const int *pos, const int *kind)
{
    size_t start = s->n;
    for (int j = 0, b = 0; j < BATCH; j++) {
        if (pos[b] == j) {
            const eb_bar_t *prev = *next > 0 ? &src[*next - 1] : &src[0];
            s->bars[s->n++] = bad_bar(kind[b++], prev, &src[*next]);
            s->nbad++;
        } else {
            s->bars[s->n++] = src[(*next)++];
        }
    }
    s->sizes[s->nsizes++] = (int)(s->n - start);
}

/* A bad first bar (nothing accepted yet), WARM good bars in batches of 64, then every kind at the start,
 * middle and end of a batch, two bad bars in a row, bad bars at both ends of one batch, and good bars
 * after. */
static void make_bad_seq(bad_seq_t *s, const eb_bar_t *src)
{
    memset(s, 0, sizeof *s);
    s->bars = malloc(4000 * sizeof *s->bars);
    size_t next = 0;
    add_batch(s, src, &next, (const int[]){0, -1}, (const int[]){BAD_NAN});
    for (int k = 0; k < WARM / EB_PIPELINE_AHEAD; k++) {
        memcpy(s->bars + s->n, src + next, EB_PIPELINE_AHEAD * sizeof *src);
        s->n += EB_PIPELINE_AHEAD, next += EB_PIPELINE_AHEAD;
        s->sizes[s->nsizes++] = EB_PIPELINE_AHEAD;
    }
    static const int where[3] = {0, BATCH / 2, BATCH - 1};
    for (int kind = 0; kind < BAD_KINDS; kind++)
        for (int w = 0; w < 3; w++)
            add_batch(s, src, &next, (const int[]){where[w], -1}, (const int[]){kind});
    add_batch(s, src, &next, (const int[]){5, 6, 7, -1}, (const int[]){BAD_RANGE, BAD_DUP, BAD_BACK});
    add_batch(s, src, &next, (const int[]){0, BATCH - 1, -1}, (const int[]){BAD_BACK, BAD_NAN});
    for (int k = 0; k < 4; k++)
        add_batch(s, src, &next, (const int[]){-1}, (const int[]){0});
}

TEST(bad_bars_inside_batches)
{
    eb_bar_t *src = eb_test_synth_hourly(3000, 9, 0.008);
    bad_seq_t s;
    make_bad_seq(&s, src);
    eb_feature_params_t fp = eb_feature_params_default();
    model_t mo;
    if (model_make(&mo, src, 3000, &fp, 1) == 0) {
        eb_pipeline_config_t c = config(&mo.m, 1);
        diff_t d;
        lockstep(&d, s.bars, s.n, &c, s.sizes, s.nsizes);
        report("bad bars", &d);
        CHECK_EQ_INT(d.refused, s.nbad); /* every bad bar refused in both runs (return values compared) */
        CHECK_EQ_INT(d.bad_bars[0], s.nbad);
        CHECK_EQ_INT(d.bad_bars[1], s.nbad);
        CHECK_EQ_INT(d.engine_bars[1], (long)s.n - s.nbad);
        CHECK_EQ_INT(s.nbad, 1 + 3 * BAD_KINDS + 3 + 2);
        require_activity("bad bars", &d, 5);
    }
    model_free(&mo);
    free(s.bars);
    free(src);
}

/* --- refusals change nothing ------------------------------------------------------------------------ */

static void *snap(const run_t *r)
{
    void *s = malloc(r->size);
    memcpy(s, r->mem, r->size);
    return s;
}

static int unchanged(const run_t *r, const void *s) { return memcmp(s, r->mem, r->size) == 0; }

typedef struct {
    eb_bar_t *bars;
    model_t mo;
    run_t r, ref; /* r prefetches; ref steps the same bars bar by bar */
} fixture_t;

#define FIX_BARS 800

static int fixture_open(fixture_t *f, int ahead)
{
    memset(f, 0, sizeof *f);
    f->bars = eb_test_synth_hourly(FIX_BARS, 3, 0.008);
    eb_feature_params_t fp = eb_feature_params_default();
    if (model_make(&f->mo, f->bars, FIX_BARS, &fp, 0) != 0)
        return -1;
    eb_pipeline_config_t c = config(&f->mo.m, ahead), cr = config(&f->mo.m, 0);
    return run_open(&f->r, &c) == 0 && run_open(&f->ref, &cr) == 0 ? 0 : -1;
}

static void fixture_close(fixture_t *f)
{
    run_close(&f->r);
    run_close(&f->ref);
    model_free(&f->mo);
    free(f->bars);
}

/* Steps bars [from, to) through both pipelines (r takes whatever waits) and returns 0 when they agree. */
static int step_both(fixture_t *f, size_t from, size_t to)
{
    eb_intent_t ia[EB_ENGINE_MAX_INTENTS], ib[EB_ENGINE_MAX_INTENTS];
    int bad = 0;
    for (size_t i = from; i < to; i++) {
        int na = drive(&f->ref, &f->bars[i], 0, ia), nb = drive(&f->r, &f->bars[i], 0, ib);
        bad += na != nb || (na > 0 && memcmp(ia, ib, (size_t)na * sizeof *ia) != 0) ||
               memcmp(f->ref.p->probs, f->r.p->probs, sizeof f->r.p->probs) != 0;
    }
    return bad || memcmp(&f->ref.p->engine, &f->r.p->engine, sizeof f->r.p->engine) != 0;
}

TEST(prefetch_without_room_is_refused)
{
    fixture_t f;
    if (fixture_open(&f, 0) == 0) {
        CHECK_EQ_INT(step_both(&f, 0, 400), 0);
        void *s = snap(&f.r);
        CHECK(f.r.p->ahead == NULL);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[400], 8), -1);
        CHECK(unchanged(&f.r, s));
        CHECK_EQ_INT(step_both(&f, 400, 410), 0); /* and it steps on as before */
        free(s);
    }
    fixture_close(&f);
}

TEST(prefetch_arguments_are_checked)
{
    fixture_t f;
    if (fixture_open(&f, 1) == 0) {
        CHECK_EQ_INT(step_both(&f, 0, 400), 0);
        void *s = snap(&f.r);
        const eb_bar_t *at = &f.bars[400];
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, at, 0), -1);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, at, EB_PIPELINE_AHEAD + 1), -1);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, at, -1), -1);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, NULL, 8), -1);
        CHECK_EQ_INT(eb_pipeline_prefetch(NULL, at, 8), -1);
        CHECK(unchanged(&f.r, s));
        /* the limits themselves are accepted */
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, at, EB_PIPELINE_AHEAD), EB_PIPELINE_AHEAD);
        CHECK_EQ_INT(step_both(&f, 400, 400 + EB_PIPELINE_AHEAD), 0);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[464], 1), 1);
        CHECK_EQ_INT(step_both(&f, 464, 465), 0);
        free(s);
    }
    fixture_close(&f);
}

TEST(second_prefetch_while_bars_wait_is_refused)
{
    fixture_t f;
    if (fixture_open(&f, 1) == 0) {
        CHECK_EQ_INT(step_both(&f, 0, 400), 0);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[400], 8), 8);
        CHECK_EQ_INT(step_both(&f, 400, 407), 0); /* one bar still waits */
        void *s = snap(&f.r);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[407], 8), -1); /* even starting at the waiting bar */
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[408], 8), -1);
        CHECK(unchanged(&f.r, s));
        CHECK_EQ_INT(step_both(&f, 407, 408), 0);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[408], 8), 8); /* nothing waits any more */
        CHECK_EQ_INT(step_both(&f, 408, 416), 0);
        free(s);
    }
    fixture_close(&f);
}

TEST(step_with_another_bar_while_bars_wait_is_refused)
{
    fixture_t f;
    if (fixture_open(&f, 1) == 0) {
        CHECK_EQ_INT(step_both(&f, 0, 400), 0);
        CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[400], 4), 4);
        eb_intent_t it[EB_ENGINE_MAX_INTENTS];
        eb_bar_t copy = f.bars[400]; /* identical contents, another address */
        void *s = snap(&f.r);
        CHECK_EQ_INT(eb_pipeline_step(f.r.p, &copy, 0, it, EB_ENGINE_MAX_INTENTS), -1);
        CHECK_EQ_INT(eb_pipeline_step(f.r.p, &f.bars[401], 0, it, EB_ENGINE_MAX_INTENTS), -1); /* out of order */
        CHECK_EQ_INT(eb_pipeline_step(f.r.p, &f.bars[400], 0, it, EB_ENGINE_MAX_INTENTS - 1), -1); /* cap */
        CHECK_EQ_INT(eb_pipeline_step(f.r.p, &f.bars[400], 0, NULL, EB_ENGINE_MAX_INTENTS), -1); /* no out */
        CHECK(unchanged(&f.r, s));
        CHECK_EQ_INT(f.r.p->engine.n.bad_bars, 0); /* not a bad bar: a caller's mistake */
        CHECK_EQ_INT(step_both(&f, 400, 404), 0);  /* the waiting bars are still taken, in order */
        CHECK_EQ_INT(step_both(&f, 404, 420), 0);  /* and after them any bar, as usual */
        free(s);
    }
    fixture_close(&f);
}

TEST(set_model_while_bars_wait_is_refused)
{
    fixture_t f;
    if (fixture_open(&f, 1) == 0) {
        CHECK_EQ_INT(step_both(&f, 0, 400), 0);
        model_t other;
        eb_feature_params_t fp = eb_feature_params_default();
        if (model_make(&other, f.bars, FIX_BARS, &fp, 0) == 0) {
            CHECK_EQ_INT(eb_pipeline_prefetch(f.r.p, &f.bars[400], 3), 3);
            void *s = snap(&f.r);
            CHECK_EQ_INT(eb_pipeline_set_model(f.r.p, &other.m), EB_PIPELINE_E_ARG);
            CHECK_EQ_INT(eb_pipeline_set_model(f.r.p, NULL), EB_PIPELINE_E_ARG);
            CHECK_EQ_INT(eb_pipeline_set_model(f.r.p, &f.mo.m), EB_PIPELINE_E_ARG); /* even the same one */
            CHECK(f.r.p->model == &f.mo.m);
            CHECK(unchanged(&f.r, s));
            CHECK_EQ_INT(step_both(&f, 400, 403), 0);
            /* nothing waits: the swap is taken (the refusal above was the waiting bars) */
            CHECK_EQ_INT(eb_pipeline_set_model(f.r.p, &other.m), EB_PIPELINE_OK);
            CHECK(f.r.p->model == &other.m);
            free(s);
        }
        model_free(&other);
    }
    fixture_close(&f);
}

/* --- model-free ---------------------------------------------------------------------------------------- */

/* Random signals through a model-free pipeline with room for prefetching and one without: the prefetch
 * returns 0 and changes nothing, and the steps (even with copies of the bars, so nothing can be waiting)
 * are those of the plain pipeline. with_features: the daemon's warm features are compared too. */
static void model_free_case(int with_features)
{
    eb_bar_t *bars = eb_test_synth_hourly(1500, 5, 0.008);
    eb_pipeline_config_t c = config(NULL, 1), c0 = config(NULL, 0);
    c.with_features = c0.with_features = with_features;
    run_t a, b;
    if ((run_open(&a, &c0) == 0) & (run_open(&b, &c) == 0)) { /* both opened: both closed below */
        eb_intent_t ia[EB_ENGINE_MAX_INTENTS], ib[EB_ENGINE_MAX_INTENTS];
        diff_t d;
        memset(&d, 0, sizeof d);
        long changed = 0, not_zero = 0;
        for (size_t i = 0; i < 1500; i++) {
            if (i % 7 == 0) {
                void *s = snap(&b);
                not_zero += eb_pipeline_prefetch(b.p, &bars[i], 7) != 0;
                changed += !unchanged(&b, s);
                free(s);
            }
            int dir = (int)rnd(3) - 1;
            eb_bar_t copy = bars[i];
            int na = drive(&a, &bars[i], dir, ia), nb = drive(&b, &copy, dir, ib);
            compare_step(&d, (long)i, &a, &b, na, nb, ia, ib);
        }
        CHECK_EQ_INT(not_zero, 0);
        CHECK_EQ_INT(changed, 0);
        report(with_features ? "model-free with features" : "model-free", &d);
        CHECK_MSG(d.intents > 50, "%ld intents", d.intents);
        CHECK(b.p->features_ready == with_features);
    }
    run_close(&a);
    run_close(&b);
    free(bars);
}

TEST(model_free_prefetch_is_a_no_op)
{
    model_free_case(0);
    model_free_case(1);
}

/* --- memory ------------------------------------------------------------------------------------------- */

TEST(room_for_prefetching_costs_memory)
{
    eb_feature_params_t fp = eb_feature_params_default();
    eb_bar_t *bars = eb_test_synth_hourly(FIX_BARS, 3, 0.008);
    model_t mo;
    if (model_make(&mo, bars, FIX_BARS, &fp, 0) == 0) {
        /* at least the feature rows and outputs of a whole batch */
        const size_t batch = EB_PIPELINE_AHEAD * (EB_FEATURE_COUNT + 3) * sizeof(double);
        eb_pipeline_config_t c1 = config(&mo.m, 1), c0 = config(&mo.m, 0);
        size_t s1 = eb_pipeline_size(&c1), s0 = eb_pipeline_size(&c0);
        CHECK_MSG(s0 > 0 && s1 >= s0 + batch, "%zu vs %zu bytes", s1, s0);
        eb_pipeline_config_t f1 = config(NULL, 1), f0 = config(NULL, 0);
        CHECK(eb_pipeline_size(&f1) >= eb_pipeline_size(&f0) + batch);
        if (s1 < s0 + batch) { /* init below would write past the smaller block */
            model_free(&mo);
            free(bars);
            return;
        }
        /* the memory of a pipeline without room is too little for one with it */
        void *mem = aligned_alloc(64, (s1 + 63) & ~(size_t)63);
        eb_pipeline_t *p = NULL;
        CHECK_EQ_INT(eb_pipeline_init(mem, s0, &c1, &p), EB_PIPELINE_E_ARG);
        CHECK_EQ_INT(eb_pipeline_init(mem, s1, &c1, &p), EB_PIPELINE_OK);
        CHECK(p != NULL && p->ahead != NULL);
        CHECK_EQ_INT(eb_pipeline_init(mem, s0, &c0, &p), EB_PIPELINE_OK);
        CHECK(p != NULL && p->ahead == NULL);
        free(mem);
    }
    model_free(&mo);
    free(bars);
}

int main(void)
{
    RUN(equivalence_on_synthetic_bars);
    RUN(equivalence_on_real_bars);
    RUN(bad_bars_inside_batches);
    RUN(prefetch_without_room_is_refused);
    RUN(prefetch_arguments_are_checked);
    RUN(second_prefetch_while_bars_wait_is_refused);
    RUN(step_with_another_bar_while_bars_wait_is_refused);
    RUN(set_model_while_bars_wait_is_refused);
    RUN(model_free_prefetch_is_a_no_op);
    RUN(room_for_prefetching_costs_memory);
    return eb_check_report();
}
