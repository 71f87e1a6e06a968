#include "tools/edgebox/validate/wf_merge.h"
#include "common/errf.h"
#include "common/file_read.h"

#include "core/calendar.h"
#include "common/file_write.h"
#include "tools/edgebox/validate/wf_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double eb_wf_score(const eb_wf_summary_t *s)
{
    if (s->trades == 0)
        return -INFINITY;
    return s->expectancy - 1.645 * s->sd_r / sqrt((double)s->trades);
}

/* Copies set checkpoints that DIR lacks from the shard directories. */
static int gather(const eb_wf_ctx_t *x, char *const *src, int nsrc, char *err, size_t cap)
{
    size_t total = eb_wf_set_count(&x->cfg);
    for (int d = 0; d < nsrc; d++) {
        for (size_t s = 0; s < total; s++) {
            char from[4096], to[4096], ignore[256];
            eb_wf_ckpt_path(src[d], s, from, sizeof from);
            eb_wf_ckpt_path(x->dir, s, to, sizeof to);
            size_t len;
            char *text = eb_file_read_all(from, 0, 0, &len, ignore, sizeof ignore);
            if (!text)
                continue;
            int rc = eb_write_file_atomic(to, text, len, 0644, err, cap);
            free(text);
            if (rc)
                return -1;
        }
    }
    return 0;
}

static int load_results(const eb_wf_ctx_t *x, eb_wf_result_t *res, char *err, size_t cap)
{
    size_t total = eb_wf_set_count(&x->cfg), missing = 0, first_missing = 0;
    for (size_t s = 0; s < total; s++) {
        char path[4096];
        eb_wf_setstate_t st;
        eb_wf_ckpt_path(x->dir, s, path, sizeof path);
        if (eb_wf_setstate_init(&st, x->config_hash, x->data_hash, s, x->nwin) != 0)
            return -1;
        int rc = eb_wf_ckpt_load(path, &st, err, cap);
        if (rc < 0) {
            eb_wf_setstate_free(&st);
            return -1;
        }
        if (rc == 0 || st.done < x->nwin) {
            if (!missing++)
                first_missing = s;
        }
        eb_wf_result_t *r = &res[s];
        r->set = s;
        eb_wf_summarize(st.trades.v, st.trades.n, &r->sum);
        size_t k = 0;
        for (int w = 0; w < st.done; w++) {
            r->windows_ok += st.w[w].ok;
            double sum = 0;
            for (size_t j = 0; j < st.w[w].ntrades; j++)
                sum += st.trades.v[k++].r;
            r->windows_profitable += sum > 0;
        }
        r->eligible = r->windows_ok == x->nwin && r->sum.trades >= (size_t)x->cfg.min_trades;
        r->score = eb_wf_score(&r->sum);
        eb_wf_setstate_free(&st);
    }
    if (missing) {
        return eb_errf(err, cap, "%zu of %zu parameter sets are unfinished (first: set %zu): run or resume the "
                       "remaining shards, then merge again", missing, total, first_missing);
    }
    return 0;
}

static int better(const eb_wf_result_t *a, const eb_wf_result_t *b)
{
    if (a->eligible != b->eligible)
        return a->eligible > b->eligible;
    if (a->score != b->score)
        return a->score > b->score;
    if (a->windows_profitable != b->windows_profitable)
        return a->windows_profitable > b->windows_profitable;
    return a->set < b->set;
}

/* Trains the selected set on window 0 (SHAP) and on the newest training period (the model). */
static int final_model(const eb_wf_ctx_t *x, size_t set, eb_wf_final_t *fin, char *err, size_t cap)
{
    eb_wf_set_t s;
    eb_wf_set_get(&x->cfg, set, &s);
    eb_hparams_t hp = eb_wf_hparams(&x->cfg, &s);
    eb_dataset_t ds;
    eb_trained_t t;
    if (eb_dataset_build(x->bars, x->n, &s.fp, &x->cfg, &x->costs, &ds, err, cap) != 0)
        return -1;
    const eb_wf_window_t *w0 = &x->windows[0];
    int rc = eb_train_window(&ds, w0->i_train, w0->i_valid, &x->cfg, &hp, &t, err, cap);
    if (rc == 0) {
        rc = eb_shap_rank(t.booster, &ds, w0->i_train, w0->i_valid, fin->shap, err, cap) < 0;
        eb_trained_free(&t);
    }
    int64_t end = x->bars[x->n - 1].open_time_ms + eb_wf_bar_interval(x->bars, x->n);
    int64_t start = eb_calendar_add_months(end, -x->cfg.train_months);
    size_t lo = 0;
    while (lo < x->n && x->bars[lo].open_time_ms < start)
        lo++;
    fin->train_start = x->bars[lo].open_time_ms;
    fin->train_end = end;
    if (rc == 0)
        rc = eb_train_window(&ds, lo, x->n, &x->cfg, &hp, &fin->model, err, cap);
    fin->schema_hash = ds.schema_hash;
    fin->set = s;
    eb_dataset_free(&ds);
    return rc ? -1 : 0;
}

int eb_wf_merge(const eb_wf_ctx_t *x, char *const *src, int nsrc, char *err, size_t cap)
{
    size_t total = eb_wf_set_count(&x->cfg), best = 0;
    eb_wf_result_t *res = calloc(total, sizeof *res);
    eb_wf_final_t fin;
    memset(&fin, 0, sizeof fin);
    int rc = !res || gather(x, src, nsrc, err, cap) || load_results(x, res, err, cap);
    for (size_t s = 1; !rc && s < total; s++)
        if (better(&res[s], &res[best]))
            best = s;
    if (!rc)
        rc = final_model(x, best, &fin, err, cap);
    if (!rc)
        rc = eb_wf_write_outputs(x, res, total, best, &fin, err, cap);
    eb_trained_free(&fin.model);
    free(res);
    return rc ? -1 : 0;
}
