/* The backtest loop: read a bar, fill what the previous bar decided at this open (the one fill rule,
 * eb_engine_fill_market), step the pipeline (which fills the stops its bar touched), keep the equity curve,
 * the fees and the closed trades. */
#include "tools/edgebox/backtest/backtest.h"

#include "app/bars_csv.h"
#include "core/pipeline.h"
#include "core/stats.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/model/model_ir.h"
#include "tools/edgebox/model/model_lanes.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t *t;
    signed char *v;
    size_t n, pos;
} signal_file_t;

typedef struct {
    const eb_backtest_opts_t *o;
    eb_backtest_result_t *r;
    eb_pipeline_t *p;
    void *mem;
    uint8_t *blob;
    eb_model_t model;
    void *lanes; /* the model's AVX-512 lane image, or NULL */
    eb_rng_t rng;
    signal_file_t sf;
    eb_intent_t pending[4 * EB_ENGINE_MAX_INTENTS];
    int npending;
    size_t cap_points, cap_trades;
} bt_t;

/* The tool's one formatted-error helper (tools/edgebox/model_ir.h): writes err, returns -1. */
#define fail eb_errf

int eb_backtest_parse_signal(const char *s, eb_backtest_opts_t *o, char *err, size_t cap)
{
    char *end;
    if (strcmp(s, "always-long") == 0)
        o->signal = EB_BT_ALWAYS_LONG;
    else if (strcmp(s, "always-short") == 0)
        o->signal = EB_BT_ALWAYS_SHORT;
    else if (strncmp(s, "random:", 7) == 0) {
        errno = 0;
        unsigned long long seed = strtoull(s + 7, &end, 10);
        if (!s[7] || *end || errno || s[7] == '-')
            return fail(err, cap, "--signal: '%s' is not allowed (allowed: random:SEED with SEED 0..2^64-1)", s);
        o->signal = EB_BT_RANDOM;
        o->seed = seed;
    } else if (strncmp(s, "file:", 5) == 0 && s[5]) {
        o->signal = EB_BT_FILE;
        o->signal_file = s + 5;
    } else {
        return fail(err, cap, "--signal: '%s' is not allowed (allowed: always-long, always-short, random:SEED, file:F)", s);
    }
    return 0;
}

/* Room for one more element in a doubling array. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 1024;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = c;
    return 0;
}

/* --- signal file ----------------------------------------------------------------------------------- */

static int load_signal_file(signal_file_t *sf, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, cap, "%s: %s", path, strerror(errno));
    char line[256];
    long ln = 0;
    size_t cap_n = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        ln++;
        if (ln == 1 && strncmp(line, "open_time_ms,signal", 19) == 0)
            continue;
        long long t;
        int v, used = 0;
        if (sscanf(line, "%lld,%d%n", &t, &v, &used) != 2 || (line[used] != '\n' && line[used] != '\r' && line[used]) ||
            v < -1 || v > 1) {
            rc = fail(err, cap, "%s:%ld: expected 'open_time_ms,signal' with signal -1, 0 or 1", path, ln);
        } else if (sf->n && t <= sf->t[sf->n - 1]) {
            rc = fail(err, cap, "%s:%ld: open_time_ms %lld does not increase", path, ln, t);
        } else {
            size_t c2 = cap_n;
            if (grow((void **)&sf->t, &cap_n, sf->n, sizeof *sf->t) != 0 || grow((void **)&sf->v, &c2, sf->n, 1) != 0)
                rc = fail(err, cap, "%s: out of memory", path);
            if (rc == 0) {
                sf->t[sf->n] = t;
                sf->v[sf->n++] = (signed char)v;
            }
        }
    }
    fclose(f);
    return rc;
}

static int signal_for(bt_t *b, int64_t t)
{
    switch (b->o->signal) {
    case EB_BT_ALWAYS_LONG: return 1;
    case EB_BT_ALWAYS_SHORT: return -1;
    case EB_BT_RANDOM: return (int)(eb_rng_u64(&b->rng) % 3u) - 1;
    case EB_BT_FILE:
        while (b->sf.pos < b->sf.n && b->sf.t[b->sf.pos] < t)
            b->sf.pos++;
        return b->sf.pos < b->sf.n && b->sf.t[b->sf.pos] == t ? b->sf.v[b->sf.pos] : 0;
    default: return 0;
    }
}

/* --- set-up ---------------------------------------------------------------------------------------- */

static int open_model(bt_t *b, eb_pipeline_config_t *pc, char *err, size_t cap)
{
    eb_compile_opts_t co;
    eb_compile_opts_default(&co);
    size_t len;
    if (eb_compile_file(b->o->model_path, &co, &b->blob, &len, err, cap) != 0)
        return -1;
    eb_model_error_t me;
    if (eb_model_open(&b->model, b->blob, len, &me) != 0)
        return fail(err, cap, "%s: %s", b->o->model_path, me.msg);
    b->lanes = eb_tool_model_lanes(&b->model);
    uint64_t want = eb_features_schema_hash(&pc->features);
    if (eb_model_schema_hash(&b->model) != want)
        return fail(err, cap,
                    "%s: model schema hash %016" PRIx64 " differs from the configured features' %016" PRIx64
                    " (features tenkan %d, kijun %d, senkou_b %d, displacement %d, rsi %d, atr %d): refused",
                    b->o->model_path, eb_model_schema_hash(&b->model), want, pc->features.tenkan, pc->features.kijun,
                    pc->features.senkou_b, pc->features.displacement, pc->features.rsi, pc->features.atr);
    pc->model = &b->model;
    b->r->model_schema_hash = want;
    b->r->model_trees = eb_model_num_trees(&b->model);
    return 0;
}

static int setup(bt_t *b, char *err, size_t cap)
{
    eb_pipeline_config_t pc = b->o->cfg.pipeline;
    pc.model = NULL;
    pc.ahead = 1; /* bars are prefetched in batches (run_bars): the model walks them together */
    if (b->o->signal == EB_BT_MODEL && open_model(b, &pc, err, cap) != 0)
        return -1;
    if (b->o->signal == EB_BT_FILE && load_signal_file(&b->sf, b->o->signal_file, err, cap) != 0)
        return -1;
    size_t size = eb_pipeline_size(&pc);
    b->mem = size ? aligned_alloc(64, (size + 63) & ~(size_t)63) : NULL;
    eb_pipeline_status_t st = b->mem ? eb_pipeline_init(b->mem, size, &pc, &b->p) : EB_PIPELINE_E_ARG;
    if (st != EB_PIPELINE_OK)
        return fail(err, cap, "%s: %s", b->o->model_path ? b->o->model_path : "pipeline", eb_pipeline_status_name(st));
    eb_config_apply_signal(&b->o->cfg, &b->p->engine.cfg.signal);
    eb_rng_seed(&b->rng, b->o->seed);
    b->r->initial_equity = b->o->cfg.pipeline.engine.initial_capital;
    return 0;
}

/* --- fills ----------------------------------------------------------------------------------------- */

static int record_trade(bt_t *b, const eb_trade_t *t)
{
    eb_backtest_result_t *r = b->r;
    if (grow((void **)&r->trades, &b->cap_trades, r->ntrades, sizeof *t) != 0)
        return -1;
    r->trades[r->ntrades++] = *t;
    return 0;
}

static int book(bt_t *b, const eb_fill_t *f)
{
    b->r->total_fees += f->fee;
    return f->closed ? record_trade(b, &f->trade) : 0;
}

/* A market order at reference price ref, by the fill rule (a spot entry the engine cancels for want of
 * quote, rc 2, is no fill). */
static int fill_at(bt_t *b, const eb_intent_t *it, double ref, int64_t t)
{
    eb_fill_t f;
    int rc = eb_engine_fill_market(&b->p->engine, it, ref, t, &f);
    return rc < 0 ? -1 : rc == 2 ? 0 : book(b, &f);
}

static int fill_pending(bt_t *b, double open, int64_t t)
{
    for (int i = 0; i < b->npending; i++)
        if (fill_at(b, &b->pending[i], open, t) != 0)
            return -1;
    b->npending = 0;
    return 0;
}

static int take_intents(bt_t *b, const eb_intent_t *it, int n)
{
    for (int i = 0; i < n; i++) {
        if (it[i].kind == EB_INTENT_STOP_EXIT) { /* filled by the step, at the fill rule's stop price */
            eb_fill_t f;
            if (eb_engine_step_fill(&b->p->engine, &it[i], &f) != 0 || book(b, &f) != 0)
                return -1;
        } else if (it[i].kind != EB_INTENT_MOVE_STOP) {
            if (b->npending == (int)(sizeof b->pending / sizeof b->pending[0]))
                return -1;
            b->pending[b->npending++] = it[i];
        }
    }
    return 0;
}

static int add_point(bt_t *b, int64_t t, double close)
{
    eb_backtest_result_t *r = b->r;
    if (grow((void **)&r->points, &b->cap_points, r->npoints, sizeof *r->points) != 0)
        return -1;
    r->points[r->npoints++] = (eb_bt_point_t){t, eb_engine_equity(&b->p->engine, close), close};
    return 0;
}

/* End of data: exits decided on the last bar and (flatten_at_end) what is still open fill at the last
 * close; entries that never got a next open are cancelled. */
static int finish(bt_t *b)
{
    eb_engine_t *e = &b->p->engine;
    if (!b->r->npoints)
        return 0;
    eb_bt_point_t *last = &b->r->points[b->r->npoints - 1];
    for (int i = 0; i < b->npending; i++) {
        if (b->pending[i].kind == EB_INTENT_ENTER)
            eb_engine_cancel(e, &b->pending[i]);
        else if (fill_at(b, &b->pending[i], last->close, last->t) != 0)
            return -1;
    }
    b->npending = 0;
    if (b->o->cfg.flatten_at_end) {
        eb_intent_t it[EB_ENGINE_MAX_INTENTS];
        int n = eb_engine_flatten(e, EB_EXIT_END_OF_DATA, it, EB_ENGINE_MAX_INTENTS);
        for (int i = 0; i < n; i++)
            if (fill_at(b, &it[i], last->close, last->t) != 0)
                return -1;
    }
    last->equity = eb_engine_equity(e, last->close);
    return 0;
}

/* --- the loop -------------------------------------------------------------------------------------- */

/* Reads up to EB_PIPELINE_AHEAD bars (counting gaps, remembering lines); returns how many, and the
 * reader's last answer in *rc (1: more may follow, 0: end, -1: error). */
static int read_batch(bt_t *b, eb_bars_csv_t *rd, eb_bar_t *bars, long *lines, int *rc)
{
    int k = 0;
    while (k < EB_PIPELINE_AHEAD && (*rc = eb_bars_csv_next(rd, &bars[k])) == 1) {
        if (rd->gap_bars > 0) {
            b->r->gaps++;
            b->r->missing_bars += rd->gap_bars;
        }
        lines[k++] = rd->line;
    }
    return k;
}

/* One bar: fills pending at its open, the step, its intents, its equity point. */
static int run_bar(bt_t *b, const eb_bar_t *bar)
{
    eb_intent_t it[EB_ENGINE_MAX_INTENTS];
    int n;
    if (fill_pending(b, bar->open, bar->open_time_ms) != 0 ||
        (n = eb_pipeline_step(b->p, bar, signal_for(b, bar->open_time_ms), it, EB_ENGINE_MAX_INTENTS)) < 0)
        return -1;
    return take_intents(b, it, n) != 0 || add_point(b, bar->open_time_ms, bar->close) != 0 ? -1 : 0;
}

/* Batches of bars: prefetched (features and model outputs of the whole batch first, identical to
 * computing them bar by bar), then stepped one by one. */
static int run_bars(bt_t *b, char *err, size_t cap)
{
    eb_bars_csv_t rd;
    if (eb_bars_csv_open(&rd, b->o->bars_path) != 0)
        return fail(err, cap, "%s", rd.err);
    eb_bar_t bars[EB_PIPELINE_AHEAD];
    long lines[EB_PIPELINE_AHEAD];
    int rc = 1, status = 0;
    while (status == 0 && rc == 1) {
        int k = read_batch(b, &rd, bars, lines, &rc);
        if (k > 0 && eb_pipeline_prefetch(b->p, bars, k) < 0)
            status = fail(err, cap, "%s: the pipeline refused a batch", b->o->bars_path);
        for (int i = 0; status == 0 && i < k; i++)
            if (run_bar(b, &bars[i]) != 0)
                status = fail(err, cap, "%s:%ld: the engine refused the bar or ran out of memory", b->o->bars_path,
                              lines[i]);
    }
    if (status == 0 && rc < 0)
        status = fail(err, cap, "%s", rd.err);
    b->r->interval_ms = b->o->cfg.bar_interval_ms ? b->o->cfg.bar_interval_ms : rd.interval_ms;
    eb_bars_csv_close(&rd);
    if (status == 0 && b->r->npoints == 0)
        status = fail(err, cap, "%s: no bars", b->o->bars_path);
    return status == 0 ? finish(b) : -1;
}

static int compute_metrics(eb_backtest_result_t *r)
{
    size_t n = r->npoints;
    int64_t *t = malloc(n * sizeof *t);
    double *e = malloc(n * sizeof *e), *c = malloc(n * sizeof *c), *s = malloc(n * sizeof *s);
    double *pnl = malloc((r->ntrades + 1) * sizeof *pnl), *rm = malloc((r->ntrades + 1) * sizeof *rm);
    int rc = -1;
    if (t && e && c && s && pnl && rm) {
        for (size_t i = 0; i < n; i++) {
            t[i] = r->points[i].t;
            e[i] = r->points[i].equity;
            c[i] = r->points[i].close;
        }
        for (size_t i = 0; i < r->ntrades; i++) {
            pnl[i] = r->trades[i].pnl;
            rm[i] = r->trades[i].r_multiple;
        }
        r->metrics_ok = n >= 2 && r->interval_ms > 0 && eb_metrics_equity(t, e, c, n, r->interval_ms, s, &r->em) == 0;
        eb_metrics_trades(pnl, rm, r->ntrades, &r->tm);
        r->final_equity = e[n - 1];
        r->buy_and_hold = c[n - 1] / c[0] - 1;
        rc = 0;
    }
    free(t), free(e), free(c), free(s), free(pnl), free(rm);
    return rc;
}

int eb_backtest_run(const eb_backtest_opts_t *o, eb_backtest_result_t *r, char *err, size_t cap)
{
    bt_t b = {.o = o, .r = r};
    memset(r, 0, sizeof *r);
    int rc = setup(&b, err, cap) == 0 && run_bars(&b, err, cap) == 0 ? 0 : -1;
    if (rc == 0) {
        r->counters = b.p->engine.n;
        memcpy(r->breaker_trips, b.p->engine.breakers.trips, sizeof r->breaker_trips);
        if (compute_metrics(r) != 0)
            rc = fail(err, cap, "out of memory computing metrics");
    }
    free(b.mem);
    free(b.blob);
    free(b.lanes);
    free(b.sf.t);
    free(b.sf.v);
    if (rc != 0)
        eb_backtest_free(r);
    return rc;
}

void eb_backtest_free(eb_backtest_result_t *r)
{
    free(r->points);
    free(r->trades);
    r->points = NULL;
    r->trades = NULL;
    r->npoints = r->ntrades = 0;
}
