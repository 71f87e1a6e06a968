#include "app/daemon/models.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/log.h"
#include "app/daemon/orders.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "common/file_read.h"
#include "common/mkdir_p.h"
#include "hal/io/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUBKEY_MAX 8192
#define PER_SCAN 4       /* entries handled per wake-up: each install verifies a signature */
#define KEEP_REJECTED 3  /* refused entries kept for a look (their reasons are journalled) */
#define MAX_LISTED 64

static void event(eb_daemon_t *d, const char *detail) { eb_dj_event(d, eb_clock_realtime_ms(), "model", detail); }

static void trial_state(eb_daemon_t *d, const char *v)
{
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "model.trial", v, eb_clock_realtime_ms()), "model.trial");
}

static int read_pubkey(eb_daemon_t *d, char *err, size_t cap)
{
    if (!d->app.public_key[0])
        return 0;
    d->models.pubkey = malloc(PUBKEY_MAX);
    if (!d->models.pubkey)
        return eb_errf(err, cap, "appliance.public_key: no memory for %d bytes", PUBKEY_MAX);
    char rerr[400];
    long n = eb_file_read_into(d->app.public_key, d->models.pubkey, PUBKEY_MAX - 1, 0, rerr, sizeof rerr);
    if (n <= 0)
        return eb_errf(err, cap, "appliance.public_key: %s", n == 0 ? "the file is empty" : rerr);
    d->models.pubkey[n] = '\0';
    d->models.pubkey_len = (size_t)n + 1; /* PEM: the length includes the NUL */
    return 0;
}

/* Points the pipeline at the store's active model (or none) and sets the no-model reason. */
static void use_active(eb_daemon_t *d)
{
    const eb_model_t *m = eb_model_store_model(&d->models.store);
    if (eb_pipeline_set_model(d->pipe, m) != EB_PIPELINE_OK) {
        m = NULL;
        if (eb_pipeline_set_model(d->pipe, NULL) != EB_PIPELINE_OK)
            eb_dlog(d, 2, "model: the pipeline refused to run model-free");
    }
    eb_config_apply_signal(&d->strategy, &d->pipe->engine.cfg.signal); /* config thresholds win */
    d->external = m ? eb_arming_clear(d->external, EB_DISARM_NO_MODEL) : eb_arming_set(d->external, EB_DISARM_NO_MODEL);
}

static void fall_back(eb_daemon_t *d, const char *why)
{
    char err[256], detail[400];
    int rc = eb_model_store_fallback(&d->models.store, err, sizeof err);
    d->stats.model_fallbacks++;
    d->t.trial_left = 0;
    use_active(d);
    if (rc == 0)
        snprintf(detail, sizeof detail, "%s; back to the previous model", why);
    else /* nothing to go back to: the model stays, its trial over */
        snprintf(detail, sizeof detail, "%s; no previous model to go back to, the running one stays (%s)", why, err);
    eb_dlog(d, 3, "model: %s", detail);
    eb_dtg_notify(d, EB_DTG_MODEL, detail);
    trial_state(d, "0");
    event(d, detail);
}

/* Keeps the newest KEEP_REJECTED refused entries, removing the older ones. */
static void prune_rejected(eb_daemon_t *d)
{
    struct { char name[NAME_MAX + 1]; struct timespec mtime; } list[MAX_LISTED];
    int n = 0;
    DIR *dir = opendir(d->models.drop_dir);
    if (!dir)
        return;
    for (struct dirent *e; (e = readdir(dir)) != NULL && n < MAX_LISTED;) {
        size_t len = strlen(e->d_name);
        struct stat st;
        if (e->d_name[0] != '.' || len < 10 || strcmp(e->d_name + len - 9, ".rejected") != 0 ||
            fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        memcpy(list[n].name, e->d_name, len + 1); /* len <= NAME_MAX: d_name's own bound */
        list[n++].mtime = st.st_mtim;
    }
    while (n > KEEP_REJECTED) { /* drop the oldest */
        int old = 0;
        for (int i = 1; i < n; i++)
            if (list[i].mtime.tv_sec < list[old].mtime.tv_sec ||
                (list[i].mtime.tv_sec == list[old].mtime.tv_sec && list[i].mtime.tv_nsec < list[old].mtime.tv_nsec))
                old = i;
        if (unlinkat(dirfd(dir), list[old].name, 0) != 0 && unlinkat(dirfd(dir), list[old].name, AT_REMOVEDIR) != 0)
            eb_dlog(d, 4, "model drop directory: cannot remove %s: %s", list[old].name, strerror(errno));
        list[old] = list[--n];
    }
    closedir(dir);
}

static void reject(eb_daemon_t *d, const char *name, const char *why)
{
    char detail[700], path[EB_PATH_MAX + 300], rejected[EB_PATH_MAX + 320];
    d->stats.model_refusals++;
    snprintf(detail, sizeof detail, "refused %.255s: %.400s (the running model is unchanged)", name, why);
    eb_dlog(d, 4, "model: %s", detail);
    eb_dtg_notify(d, EB_DTG_MODEL, detail);
    event(d, detail);
    snprintf(path, sizeof path, "%s/%.255s", d->models.drop_dir, name);
    snprintf(rejected, sizeof rejected, "%s/.%.255s.rejected", d->models.drop_dir, name);
    if (rename(path, rejected) != 0 && unlink(path) != 0)
        eb_dlog(d, 3, "model drop directory: cannot move %s aside: %s", name, strerror(errno));
    prune_rejected(d);
}

/* Marks the install in the journal before the store switches slots: a daemon that dies between that
 * switch and the trial record finds, at start-up, an active release above this mark and falls back. */
static int mark_installing(eb_daemon_t *d, const char *value)
{
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "model.installing", value, eb_clock_realtime_ms()), "model.installing");
    return eb_dj_commit(d, 1);
}

static void install(eb_daemon_t *d, const char *name)
{
    char path[EB_PATH_MAX + 300], err[512], detail[700], mark[32];
    snprintf(path, sizeof path, "%s/%.255s", d->models.drop_dir, name);
    snprintf(mark, sizeof mark, "%llu", (unsigned long long)d->models.store.highest_release);
    if (mark_installing(d, mark) != 0)
        return; /* the journal is failing: the blob waits in the drop directory */
    eb_verify_status_t st = eb_model_store_install(&d->models.store, path, eb_clock_realtime_ms() / 1000, err, sizeof err);
    if (st != EB_VERIFY_OK) {
        if (mark_installing(d, "none") == 0)
            reject(d, name, err);
        return;
    }
    if (unlink(path) != 0) /* the store keeps its own copy */
        eb_dlog(d, 4, "model: cannot remove %s after installing it: %s", path, strerror(errno));
    d->stats.model_installs++;
    if (eb_model_store_selftest(&d->models.store) != 0) {
        fall_back(d, "the new model failed its self-test");
        mark_installing(d, "none");
        return;
    }
    use_active(d);
    d->t.trial_left = d->app.trial_bars;
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "model.installing", "none", eb_clock_realtime_ms()), "model.installing");
    trial_state(d, d->t.trial_left ? "1" : "0");
    snprintf(detail, sizeof detail, "installed %.255s: model %s release %llu in slot %c, on trial for %d bars", name,
             d->models.store.manifest.model_id, (unsigned long long)d->models.store.manifest.release,
             "AB"[d->models.store.active], d->t.trial_left);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_event_add(d->jw.j, eb_clock_realtime_ms(), "model", detail), "model event");
    if (eb_dj_commit(d, 1) != 0) { /* the daemon was rolled back to the old model: the store follows */
        char ferr[256];
        if (eb_model_store_fallback(&d->models.store, ferr, sizeof ferr) != 0)
            eb_dlog(d, 3, "model: cannot go back to the previous slot after a journal failure: %s "
                          "(a restart falls back by the journal's install mark)", ferr);
        use_active(d);
        return;
    }
    eb_dlog(d, 5, "model: %s; evaluator %s", detail, eb_model_path_name(eb_model_path(&d->models.store.model)));
    eb_dtg_notify(d, EB_DTG_MODEL, detail);
}

/* One drop-directory entry: a regular file is installed, anything else refused unopened. */
static void consider(eb_daemon_t *d, int dfd, const char *name)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return; /* gone meanwhile */
    if (S_ISREG(st.st_mode)) {
        install(d, name);
        return;
    }
    const char *kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device node"
                     : "not a regular file";
    char why[96];
    snprintf(why, sizeof why, "%s (allowed: a regular file)", kind);
    reject(d, name, why);
}

void eb_dmodels_scan(eb_daemon_t *d)
{
    if (eb_dj_failing(d))
        return; /* nothing is installed while the journal cannot record it */
    DIR *dir = opendir(d->models.drop_dir);
    if (!dir)
        return;
    char names[PER_SCAN][NAME_MAX + 1];
    int n = 0, more = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.') /* dot files are pushes still being written, or refused ones */
            continue;
        if (n == PER_SCAN) {
            more = 1;
            break;
        }
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    int dfd = dup(dirfd(dir));
    closedir(dir);
    for (int i = 0; i < n && dfd >= 0; i++)
        consider(d, dfd, names[i]);
    if (dfd >= 0)
        close(dfd);
    d->models.rescan = more;
}

void eb_dmodels_on_drop(void *ctx, int fd, short revents)
{
    (void)revents;
    eb_daemon_t *d = ctx;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (read(fd, buf, sizeof buf) > 0) {
        /* the names come from a readdir below: one scan covers however many events piled up */
    }
    eb_dmodels_scan(d);
}

static void open_store(eb_daemon_t *d, const char *dir, char *err, size_t cap, int *fatal)
{
    eb_verify_policy_t pol = {.pubkey = d->models.pubkey, .pubkey_len = d->models.pubkey_len,
                              .schema_hash = eb_features_schema_hash(&d->pcfg.features), .board = d->board,
                              .max_len = (size_t)d->app.max_model_kib << 10};
    char serr[512];
    *fatal = 0;
    if (eb_model_store_open(&d->models.store, dir, &pol, d->models.store_mem, eb_model_store_mem_size(pol.max_len), serr,
                            sizeof serr) == 0)
        return;
    if (!d->models.store.buf[0]) { /* the store itself is unusable (directory, counter) */
        eb_errf(err, cap, "model store %s: %s", dir, serr);
        *fatal = 1;
        return;
    }
    /* Neither slot loads (e.g. a blob format older than this build): start disarmed with no model, so the
     * operator can push a new one; the slots and the counter stay as they are. */
    char detail[700];
    snprintf(detail, sizeof detail, "stored models refused at start-up, running without a model: %s", serr);
    eb_dlog(d, 3, "model: %s", detail);
    eb_dtg_notify(d, EB_DTG_MODEL, detail);
    event(d, detail);
}

/* A restart after a crash during an install or a trial falls back to the previous slot. */
static void after_crash(eb_daemon_t *d)
{
    char trial[8] = "0", mark[32] = "none";
    if (eb_journal_state_get(d->jw.j, "model.installing", mark, sizeof mark) < 0 ||
        eb_journal_state_get(d->jw.j, "model.trial", trial, sizeof trial) < 0)
        eb_dlog(d, 3, "model: cannot read the install marks: %s", eb_journal_error(d->jw.j));
    if (strcmp(trial, "1") == 0) {
        fall_back(d, "the daemon stopped while the newest model was on trial");
    } else if (strcmp(trial, "paused") == 0) { /* a clean stop is no verdict: the trial runs again in full */
        d->t.trial_left = d->app.trial_bars;
        trial_state(d, d->t.trial_left ? "1" : "0");
        event(d, "the trial a clean stop interrupted starts again");
    }
    else if (strcmp(mark, "none") != 0 && d->models.store.active >= 0 &&
             d->models.store.manifest.release > strtoull(mark, NULL, 10))
        fall_back(d, "the daemon stopped while installing the newest model, before its trial began");
    if (strcmp(mark, "none") != 0)
        mark_installing(d, "none");
}

int eb_dmodels_open(eb_daemon_t *d, char *err, size_t cap)
{
    char dir[EB_PATH_MAX], merr[400];
    if (read_pubkey(d, err, cap) != 0)
        return -1;
    if (eb_appliance_path(&d->app, "models", dir, sizeof dir) != 0 ||
        eb_appliance_path(&d->app, "drop", d->models.drop_dir, sizeof d->models.drop_dir) != 0)
        return eb_errf(err, cap, "appliance.state_dir: \"%s\" is too long", d->app.state_dir);
    if (eb_mkdir_p(dir, 0750, merr, sizeof merr) != 0 || eb_mkdir_p(d->models.drop_dir, 0770, merr, sizeof merr) != 0)
        return eb_errf(err, cap, "appliance.state_dir: %s", merr);
    int fatal;
    open_store(d, dir, err, cap, &fatal);
    if (fatal)
        return -1;
    eb_pipeline_t *p = NULL;
    eb_pipeline_status_t ps = eb_pipeline_init(d->pipe_mem, d->pipe_size, &d->pcfg, &p);
    if (ps != EB_PIPELINE_OK)
        return eb_errf(err, cap, "pipeline: %s", eb_pipeline_status_name(ps));
    d->pipe = p;
    eb_dorders_init(d);
    use_active(d);
    after_crash(d);
    d->models.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->models.inotify_fd < 0 ||
        inotify_add_watch(d->models.inotify_fd, d->models.drop_dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0 ||
        eb_loop_add_fd(&d->loop, d->models.inotify_fd, POLLIN, EB_LOOP_PRIO_CONTROL, eb_dmodels_on_drop, d) != 0)
        return eb_errf(err, cap, "cannot watch the model drop directory %s: %s", d->models.drop_dir, strerror(errno));
    if (!d->models.pubkey)
        eb_dlog(d, 4, "appliance.public_key is not set: no model can be accepted");
    return 0;
}

void eb_dmodels_bar(eb_daemon_t *d, const double *probs)
{
    if (d->t.trial_left <= 0 || !probs)
        return;
    for (int c = 0; c < 3; c++)
        if (!isfinite(probs[c]) || probs[c] < 0 || probs[c] > 1) {
            fall_back(d, "the new model produced an output outside 0..1 on trial");
            return;
        }
    if (--d->t.trial_left == 0) {
        trial_state(d, "0");
        if (eb_dj_begin(d))
            eb_dj_check(d, eb_journal_event_add(d->jw.j, eb_clock_realtime_ms(), "model", "trial passed"), "model event");
    }
}

void eb_dmodels_pause_trial(eb_daemon_t *d)
{
    if (d->t.trial_left <= 0 || !d->jw.j)
        return;
    trial_state(d, "paused");
    event(d, "trial paused by a clean stop (it starts again at the next start)");
}

void eb_dmodels_close(eb_daemon_t *d)
{
    if (d->models.inotify_fd >= 0)
        close(d->models.inotify_fd);
    d->models.inotify_fd = -1;
}
