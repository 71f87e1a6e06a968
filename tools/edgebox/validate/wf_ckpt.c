#include "tools/edgebox/validate/wf_ckpt.h"

#include "common/errf.h"
#include "common/file_read.h"
#include "common/file_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eb_wf_setstate_init(eb_wf_setstate_t *s, uint64_t config_hash, uint64_t data_hash, size_t set, int windows)
{
    memset(s, 0, sizeof *s);
    s->config_hash = config_hash;
    s->data_hash = data_hash;
    s->set = set;
    s->windows = windows;
    s->w = calloc((size_t)windows, sizeof *s->w);
    return s->w ? 0 : -1;
}

void eb_wf_setstate_free(eb_wf_setstate_t *s)
{
    free(s->w);
    eb_wf_trades_free(&s->trades);
    s->w = NULL;
}

void eb_wf_ckpt_path(const char *dir, size_t set, char *out, size_t cap)
{
    snprintf(out, cap, "%s/sets/set-%06zu.ckpt", dir, set);
}

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        char *nb = realloc(*buf, *cap * 2 + (size_t)n);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = *cap * 2 + (size_t)n;
    }
}

int eb_wf_ckpt_save(const char *path, const eb_wf_setstate_t *s, char *err, size_t cap)
{
    size_t len = 0, bcap = 4096;
    char *buf = malloc(bcap);
    int rc = buf ? 0 : -1;
    rc |= appendf(&buf, &len, &bcap, "edgebox-walkforward-set 1\nconfig %016" PRIx64 "\ndata %016" PRIx64
                  "\nset %zu\nwindows %d\ndone %d\n", s->config_hash, s->data_hash, s->set, s->windows, s->done);
    size_t k = 0;
    for (int i = 0; i < s->done && !rc; i++) {
        const eb_wf_wrec_t *w = &s->w[i];
        rc |= appendf(&buf, &len, &bcap, "w %d %d %zu %zu %d %.17g %.17g %zu %zu %zu %zu\n", i, w->ok, w->rows_fit,
                      w->rows_tune, w->rounds, w->threshold_buy, w->threshold_sell, w->sig_buy, w->sig_sell,
                      w->sig_none, w->ntrades);
        for (size_t j = 0; j < w->ntrades && !rc; j++, k++) {
            const eb_wf_trade_t *t = &s->trades.v[k];
            rc |= appendf(&buf, &len, &bcap, "t %" PRId64 " %" PRId64 " %d %.17g %.17g\n", t->entry_ms, t->exit_ms,
                          t->side, t->r, t->ret);
        }
    }
    rc |= appendf(&buf, &len, &bcap, "end\n");
    if (rc) {
        eb_errf(err, cap, "%s: out of memory", path);
        free(buf);
        return -1;
    }
    rc = eb_write_file_atomic(path, buf, len, 0644, err, cap);
    free(buf);
    return rc;
}

static int header(const char *text, const eb_wf_setstate_t *s, int *done, const char **rest, char *err, size_t cap,
                  const char *path)
{
    uint64_t ch, dh;
    size_t set;
    int windows, used = 0;
    if (sscanf(text, "edgebox-walkforward-set 1\nconfig %" SCNx64 "\ndata %" SCNx64 "\nset %zu\nwindows %d\ndone %d\n%n",
               &ch, &dh, &set, &windows, done, &used) != 5 || used == 0) {
        return eb_errf(err, cap, "%s: not a walk-forward checkpoint (bad header)", path);
    }
    if (ch != s->config_hash || dh != s->data_hash || set != s->set || windows != s->windows) {
        return eb_errf(err, cap, "%s: checkpoint from another run (config %016" PRIx64 " vs %016" PRIx64
                       ", data %016" PRIx64 " vs %016" PRIx64 "): use a new output directory or the same "
                       "config and data", path, ch, s->config_hash, dh, s->data_hash);
    }
    if (*done < 0 || *done > windows) {
        return eb_errf(err, cap, "%s: done %d outside 0..%d", path, *done, windows);
    }
    *rest = text + used;
    return 0;
}

static int parse_body(const char *p, eb_wf_setstate_t *s, int done)
{
    for (int i = 0; i < done; i++) {
        eb_wf_wrec_t *w = &s->w[i];
        int idx, used = 0;
        if (sscanf(p, "w %d %d %zu %zu %d %lg %lg %zu %zu %zu %zu\n%n", &idx, &w->ok, &w->rows_fit, &w->rows_tune,
                   &w->rounds, &w->threshold_buy, &w->threshold_sell, &w->sig_buy, &w->sig_sell, &w->sig_none,
                   &w->ntrades, &used) != 11 || idx != i || !used)
            return -1;
        p += used;
        for (size_t j = 0; j < w->ntrades; j++) {
            eb_wf_trade_t t;
            used = 0;
            if (sscanf(p, "t %" SCNd64 " %" SCNd64 " %d %lg %lg\n%n", &t.entry_ms, &t.exit_ms, &t.side, &t.r, &t.ret,
                       &used) != 5 || !used || eb_wf_trades_push(&s->trades, &t) != 0)
                return -1;
            p += used;
        }
    }
    return strcmp(p, "end\n") == 0 ? 0 : -1;
}

int eb_wf_ckpt_load(const char *path, eb_wf_setstate_t *s, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return eb_errf(err, cap, "%s: %s", path, strerror(errno));
    }
    fclose(f);
    char *text = eb_file_read_all(path, 0, 0, NULL, err, cap);
    const char *rest = NULL;
    int done;
    if (!text)
        return -1;
    int rc = header(text, s, &done, &rest, err, cap, path);
    if (rc == 0 && parse_body(rest, s, done) != 0) {
        eb_errf(err, cap, "%s: malformed window or trade line", path);
        rc = -1;
    }
    free(text);
    if (rc != 0) {
        eb_wf_trades_free(&s->trades);
        return -1;
    }
    s->done = done;
    return 1;
}
