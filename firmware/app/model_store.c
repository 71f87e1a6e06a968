/* A/B model slots with an atomically persisted anti-rollback counter (see model_store.h). */
#include "app/model_store.h"

#include "common/errf.h"
#include "common/file_read.h"
#include "common/file_write.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const slot_name[2] = {"slot-a.ebs", "slot-b.ebs"};

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

/* Slots of cap bytes each, then the lane image in at least cap / 2: open() takes 2/5 of the memory per slot. */
size_t eb_model_store_mem_size(size_t max_file) { return 2 * ALIGN16(max_file) + ALIGN16(max_file / 2 + 16u) + 32u; }

/* Opens the model of slot k's verified payload and gives it the lane image when it has a use for one. */
static void open_active(eb_model_store_t *s, int k, size_t off, size_t len)
{
    eb_model_open(&s->model, s->buf[k] + off, len, NULL);
    size_t need = eb_model_lanes_size(&s->model);
    if (need && need <= s->lanes_cap)
        eb_model_attach_lanes(&s->model, s->lanes, s->lanes_cap);
}

static void path_of(const eb_model_store_t *s, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", s->dir, name);
}

static int write_atomic(const eb_model_store_t *s, const char *name, const void *data, size_t len, char *err,
                        size_t cap)
{
    char path[300];
    path_of(s, name, path, sizeof path);
    return eb_write_file_atomic(path, data, len, 0644, err, cap);
}

static int read_small(const eb_model_store_t *s, const char *name, char *out, size_t cap)
{
    char path[300];
    path_of(s, name, path, sizeof path);
    char err[400];
    long n = eb_file_read_into(path, out, cap - 1, EB_READ_NOFOLLOW, err, sizeof err);
    if (n < 0)
        return -1;
    out[n] = '\0';
    return 0;
}

/* Loads slot k from its file and verifies it as a reload: its release may equal the counter. */
static eb_verify_status_t load_slot(eb_model_store_t *s, int k, char *err, size_t cap)
{
    char path[300];
    path_of(s, slot_name[k], path, sizeof path);
    long n = eb_file_read_into(path, s->buf[k], s->cap, EB_READ_NOFOLLOW, err, cap);
    if (n < 0)
        return errno == EFBIG ? EB_VERIFY_E_OVERSIZED : EB_VERIFY_E_EMPTY;
    eb_verify_policy_t pol = s->policy;
    pol.min_release = 0;
    pol.now = 0; /* an installed model does not expire under the running box; only new ones are refused */
    eb_manifest_t man;
    size_t off, len;
    eb_verify_status_t st = eb_model_verify(s->buf[k], (size_t)n, &pol, &man, &off, &len, err, cap);
    if (st == EB_VERIFY_OK && man.release > s->highest_release)
        return eb_errf(err, cap, "%s: release %llu above the counter %llu", path, (unsigned long long)man.release,
                    (unsigned long long)s->highest_release),
               EB_VERIFY_E_ROLLBACK;
    if (st != EB_VERIFY_OK)
        return st;
    s->len[k] = (size_t)n;
    s->active = k;
    s->manifest = man;
    open_active(s, k, off, len);
    return EB_VERIFY_OK;
}

int eb_model_store_open(eb_model_store_t *s, const char *dir, const eb_verify_policy_t *policy, void *mem,
                        size_t mem_len, char *err, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->active = -1;
    if (strlen(dir) >= sizeof s->dir)
        return eb_errf(err, cap, "model dir '%s' longer than %zu bytes", dir, sizeof s->dir - 1);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->policy = *policy;
    uint8_t *m = (uint8_t *)(((uintptr_t)mem + 15u) & ~(uintptr_t)15u);
    size_t usable = mem_len - (size_t)(m - (uint8_t *)mem);
    s->cap = (usable / 5 * 2) & ~(size_t)15u;
    if (mem_len < 16 + 2 * EB_SIGNED_OVERHEAD || s->cap < EB_SIGNED_OVERHEAD)
        return eb_errf(err, cap, "model store memory %zu bytes is too small", mem_len);
    s->buf[0] = m;
    s->buf[1] = m + s->cap;
    s->lanes = m + 2 * s->cap;
    s->lanes_cap = usable - 2 * s->cap;
    if (!s->policy.max_len || s->policy.max_len > s->cap)
        s->policy.max_len = s->cap;
    char txt[32];
    if (access(dir, W_OK | X_OK) != 0)
        return eb_errf(err, cap, "model dir %s: %s", dir, strerror(errno));
    if (read_small(s, "release", txt, sizeof txt) == 0) {
        char *e;
        s->highest_release = strtoull(txt, &e, 10);
        if (e == txt || (*e && *e != '\n'))
            return eb_errf(err, cap, "%s/release: '%s' is not a counter", dir, txt);
    }
    if (read_small(s, "active", txt, sizeof txt) != 0)
        return 0; /* no model installed yet */
    int k = txt[0] == 'b' ? 1 : 0;
    char other[256];
    /* The active slot's reason is the one to report when the previous slot cannot stand in either. */
    if (load_slot(s, k, err, cap) != EB_VERIFY_OK && load_slot(s, 1 - k, other, sizeof other) != EB_VERIFY_OK) {
        s->active = -1;
        return -1;
    }
    return 0;
}

static int persist_counter(const eb_model_store_t *s, uint64_t release, char *err, size_t cap)
{
    char txt[32];
    int n = snprintf(txt, sizeof txt, "%llu\n", (unsigned long long)release);
    return write_atomic(s, "release", txt, (size_t)n, err, cap);
}

eb_verify_status_t eb_model_store_install(eb_model_store_t *s, const char *path, int64_t now, char *err,
                                          size_t cap)
{
    int k = s->active == 0 ? 1 : 0; /* the slot not in use */
    /* regular files only, never following a link, never blocking, bounded by the slot (common/file_read.h) */
    long n = eb_file_read_into(path, s->buf[k], s->cap, EB_READ_NOFOLLOW, err, cap);
    if (n < 0)
        return errno == EFBIG ? EB_VERIFY_E_OVERSIZED : EB_VERIFY_E_EMPTY;
    eb_verify_policy_t pol = s->policy;
    pol.min_release = s->highest_release;
    pol.now = now;
    eb_manifest_t man;
    size_t off, len;
    eb_verify_status_t st = eb_model_verify(s->buf[k], (size_t)n, &pol, &man, &off, &len, err, cap);
    if (st != EB_VERIFY_OK)
        return st;
    char active[2] = {k ? 'b' : 'a', '\n'};
    /* Slot file, then counter, then the switch: a crash in between leaves the old model active. */
    if (write_atomic(s, slot_name[k], s->buf[k], (size_t)n, err, cap) || persist_counter(s, man.release, err, cap) ||
        write_atomic(s, "active", active, sizeof active, err, cap))
        return EB_VERIFY_E_FORMAT;
    s->highest_release = man.release;
    s->len[k] = (size_t)n;
    s->active = k;
    s->manifest = man;
    open_active(s, k, off, len);
    return EB_VERIFY_OK;
}

int eb_model_store_fallback(eb_model_store_t *s, char *err, size_t cap)
{
    int prev = s->active, k = s->active == 0 ? 1 : 0;
    if (load_slot(s, k, err, cap) != EB_VERIFY_OK) {
        s->active = prev;
        return -1;
    }
    char active[2] = {k ? 'b' : 'a', '\n'};
    return write_atomic(s, "active", active, sizeof active, err, cap);
}

int eb_model_store_selftest(const eb_model_store_t *s)
{
    if (s->active < 0)
        return -1;
    const eb_model_t *m = &s->model;
    uint32_t nf = eb_model_num_features(m), no = eb_model_num_outputs(m);
    /* The row lives in the inactive slot's buffer: its file on disk is what a fallback reloads. */
    uint8_t *scratch = s->buf[1 - s->active];
    if ((size_t)nf * sizeof(double) > s->cap)
        return -1;
    double *row = (double *)(void *)scratch, out[EB_MODEL_MAX_CLASSES];
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < nf; i++)
            row[i] = pass ? NAN : 0.0;
        eb_model_predict(m, row, out);
        for (uint32_t c = 0; c < no; c++) {
            int prob = eb_model_objective(m) == EB_MODEL_OBJ_SOFTPROB || eb_model_objective(m) == EB_MODEL_OBJ_LOGISTIC;
            if (!isfinite(out[c]) || (prob && (out[c] < 0 || out[c] > 1)))
                return -1;
        }
    }
    return 0;
}

const eb_model_t *eb_model_store_model(const eb_model_store_t *s) { return s->active >= 0 ? &s->model : NULL; }
