#include "tools/edgebox/validate/wf_run.h"
#include "common/errf.h"
#include "common/file_read.h"

#include "core/feature_schema.h"
#include "common/file_write.h"
#include "common/mkdir_p.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t eb_wf_data_hash(const eb_bar_t *bars, size_t n)
{
    return eb_fnv1a64(EB_FNV1A64_OFFSET, bars, n * sizeof *bars);
}

eb_hparams_t eb_wf_hparams(const eb_wf_config_t *c, const eb_wf_set_t *s)
{
    eb_hparams_t hp = {.learning_rate = s->learning_rate, .max_leaves = s->max_leaves,
                       .min_child_weight = s->min_child_weight, .rounds = s->rounds,
                       .early_stopping = c->early_stopping, .max_bin = c->max_bin, .seed = c->seed + s->index};
    return hp;
}

static int write_plan(const eb_wf_ctx_t *x, char *err, size_t cap)
{
    char path[4096], text[8192], cfg[1024];
    size_t len = 0;
    eb_wf_config_format(&x->cfg, cfg, sizeof cfg);
    len += (size_t)snprintf(text, sizeof text, "edgebox-walkforward-plan 1\nconfig %016" PRIx64 " %s\ncosts fee %.17g "
                            "slippage %.17g bps, stop_extreme_fraction %.17g, risk %.17g, multiplier %.17g..%.17g\n"
                            "data %016" PRIx64 " %zu bars\nsets %zu\nwindows %d\n", x->config_hash, cfg,
                            x->sim.fee_bps, x->sim.slippage_bps, x->sim.stop_extreme_fraction, x->sim.risk_per_trade,
                            x->costs.min_multiplier, x->costs.max_multiplier, x->data_hash, x->n,
                            eb_wf_set_count(&x->cfg), x->nwin);
    for (int i = 0; i < x->nwin && len < sizeof text - 100; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "window %d %" PRId64 " %" PRId64 " %" PRId64 "\n", i,
                                x->windows[i].train_start, x->windows[i].valid_start, x->windows[i].valid_end);
    snprintf(path, sizeof path, "%s/plan.txt", x->dir);
    size_t old_len;
    char *old = eb_file_read_all(path, 0, 0, &old_len, err, cap);
    if (old) {
        int same = old_len == len && memcmp(old, text, len) == 0;
        free(old);
        if (!same) {
            eb_errf(err, cap, "%s: this directory holds a walk-forward with another config or data; use a new --out "
                     "directory (or the same config and bars to resume)", path);
            return -1;
        }
        return 0;
    }
    return eb_write_file_atomic(path, text, len, 0644, err, cap);
}

int eb_wf_prepare(eb_wf_ctx_t *x, const eb_wf_config_t *c, const eb_bar_t *bars, size_t n, const char *dir,
                  char *err, size_t cap)
{
    x->cfg = *c;
    x->bars = bars;
    x->n = n;
    x->dir = dir;
    if (eb_wf_set_count(c) == 0) {
        return eb_errf(err, cap, "walkforward: the parameter grid is empty");
    }
    x->nwin = eb_wf_plan_windows(c, bars, n, x->windows, EB_WF_MAX_WINDOWS, err, cap);
    if (x->nwin < 0)
        return -1;
    /* the results depend on costs and risk too: a change there is another run */
    double costs[] = {x->costs.fee_bps, x->costs.slippage_bps, x->costs.min_multiplier, x->costs.max_multiplier,
                      x->sim.fee_bps, x->sim.slippage_bps, x->sim.risk_per_trade, x->sim.stop_extreme_fraction};
    x->config_hash = eb_fnv1a64(eb_wf_config_hash(c), costs, sizeof costs);
    x->data_hash = eb_wf_data_hash(bars, n);
    char sets[4096];
    snprintf(sets, sizeof sets, "%s/sets", dir);
    if (eb_mkdir_p(dir, 0755, err, cap) || eb_mkdir_p(sets, 0755, err, cap))
        return -1;
    return write_plan(x, err, cap);
}

static void tally(const int8_t *sig, size_t k, eb_wf_wrec_t *w)
{
    for (size_t i = 0; i < k; i++) {
        w->sig_buy += sig[i] == 1;
        w->sig_sell += sig[i] == -1;
        w->sig_none += sig[i] == 0;
    }
}

/* One window: train, decide, simulate; appends to st. A window without enough rows is recorded (ok 0). */
static int run_window(const eb_wf_ctx_t *x, const eb_dataset_t *ds, const eb_hparams_t *hp, int wi,
                      eb_wf_setstate_t *st, char *err, size_t cap)
{
    const eb_wf_window_t *w = &x->windows[wi];
    eb_wf_wrec_t rec = {0};
    eb_trained_t t;
    char terr[256];
    if (eb_train_window(ds, w->i_train, w->i_valid, &x->cfg, hp, &t, terr, sizeof terr) == 0) {
        size_t k = w->i_end - w->i_valid, before = st->trades.n;
        int8_t *sig = malloc(k + 1);
        int rc = !sig || eb_train_signals(ds, t.blob, t.blob_len, w->i_valid, w->i_end, sig, NULL, err, cap) ||
                 eb_wf_simulate(ds, sig, w->i_valid, w->i_end, &x->sim, &st->trades);
        if (!rc) {
            rec = (eb_wf_wrec_t){1, t.rows_fit, t.rows_tune, t.rounds_used, t.threshold_buy, t.threshold_sell,
                                 0, 0, 0, st->trades.n - before};
            tally(sig, k, &rec);
        }
        free(sig);
        eb_trained_free(&t);
        if (rc) {
            if (!sig)
                eb_errf(err, cap, "out of memory");
            return -1;
        }
    } else if (!strstr(terr, "too few")) {
        return eb_errf(err, cap, "set %zu window %d: %s", st->set, wi, terr);
    }
    st->w[wi] = rec;
    st->done = wi + 1;
    return 0;
}

int eb_wf_run_set(const eb_wf_ctx_t *x, size_t set, char *err, size_t cap)
{
    char path[4096];
    eb_wf_ckpt_path(x->dir, set, path, sizeof path);
    eb_wf_setstate_t st;
    if (eb_wf_setstate_init(&st, x->config_hash, x->data_hash, set, x->nwin) != 0) {
        return eb_errf(err, cap, "out of memory");
    }
    int rc = eb_wf_ckpt_load(path, &st, err, cap) < 0 ? -1 : 0;
    if (rc == 0 && st.done < x->nwin) {
        eb_wf_set_t s;
        eb_wf_set_get(&x->cfg, set, &s);
        eb_hparams_t hp = eb_wf_hparams(&x->cfg, &s);
        eb_dataset_t ds;
        rc = eb_dataset_build(x->bars, x->n, &s.fp, &x->cfg, &x->costs, &ds, err, cap);
        for (int wi = st.done; rc == 0 && wi < x->nwin; wi++)
            rc = run_window(x, &ds, &hp, wi, &st, err, cap) || eb_wf_ckpt_save(path, &st, err, cap);
        if (ds.x)
            eb_dataset_free(&ds);
        if (rc == 0 && !x->quiet)
            fprintf(stderr, "<6>walkforward: set %zu done (%zu out-of-sample trades)\n", set, st.trades.n);
    }
    eb_wf_setstate_free(&st);
    return rc;
}

static int run_worker(const eb_wf_ctx_t *x, int shard_i, int shard_n, int job, int jobs, char *err, size_t cap)
{
    size_t total = eb_wf_set_count(&x->cfg), mine = 0;
    for (size_t s = 0; s < total; s++) {
        if (!eb_wf_shard_owns(s, shard_i, shard_n))
            continue;
        if ((int)(mine++ % (size_t)jobs) != job)
            continue;
        if (eb_wf_run_set(x, s, err, cap) != 0)
            return -1;
    }
    return 0;
}

int eb_wf_run(const eb_wf_ctx_t *x, int shard_i, int shard_n, int jobs, char *err, size_t cap)
{
    if (jobs <= 1)
        return run_worker(x, shard_i, shard_n, 0, 1, err, cap);
    fflush(NULL);
    pid_t pids[256];
    int started = 0, failed = 0;
    for (int j = 0; j < jobs && j < 256; j++) {
        pid_t p = fork();
        if (p == 0) {
            int rc = run_worker(x, shard_i, shard_n, j, jobs, err, cap);
            if (rc)
                fprintf(stderr, "<3>walkforward: job %d: %s\n", j, err);
            fflush(NULL);
            _exit(rc ? 1 : 0);
        }
        if (p < 0) {
            failed = 1;
            eb_errf(err, cap, "fork failed");
            break;
        }
        pids[started++] = p;
    }
    for (int j = 0; j < started; j++) {
        int status;
        if (waitpid(pids[j], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed = 1;
            eb_errf(err, cap, "walkforward job %d failed (see the messages above)", j);
        }
    }
    return failed ? -1 : 0;
}
