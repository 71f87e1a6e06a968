/* Models on the box (SPEC section 6): the A/B store opened at start-up, new signed blobs from a watched
 * drop directory (inotify; `edgebox model push` copies into it), each verified and installed by the
 * store, put in use between two bars (the loop never runs a callback inside a bar), and run on trial:
 * a model whose outputs are not finite during its trial, or under which the daemon died, is replaced by
 * the previous slot. A refused blob never disturbs the running model. */
#include "app/daemon.h"

#include "hal/clock.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static void event(eb_daemon_t *d, const char *kind, const char *detail)
{
    eb_daemon_journal_begin(d);
    eb_journal_event_add(d->journal, eb_clock_realtime_ms(), kind, detail);
    eb_daemon_commit(d, 1);
}

static int read_pubkey(eb_daemon_t *d, char *err, size_t cap)
{
    if (!d->app.public_key[0])
        return 0;
    FILE *f = fopen(d->app.public_key, "rb");
    if (!f) {
        snprintf(err, cap, "appliance.public_key: \"%s\": %s", d->app.public_key, strerror(errno));
        return -1;
    }
    d->pubkey = malloc(8192);
    size_t n = d->pubkey ? fread(d->pubkey, 1, 8191, f) : 0;
    fclose(f);
    if (n == 0 || n == 8191) {
        snprintf(err, cap, "appliance.public_key: \"%s\" is empty or larger than 8 KiB", d->app.public_key);
        return -1;
    }
    d->pubkey[n] = '\0';
    d->pubkey_len = n + 1; /* PEM: the length includes the NUL */
    return 0;
}

/* Points the pipeline at the store's active model (or none) and sets the no-model reason. */
static void use_active(eb_daemon_t *d)
{
    const eb_model_t *m = eb_model_store_model(&d->store);
    if (eb_pipeline_set_model(d->pipe, m) != EB_PIPELINE_OK)
        m = NULL, eb_pipeline_set_model(d->pipe, NULL);
    eb_config_apply_signal(&d->strategy, &d->pipe->engine.cfg.signal); /* config thresholds win */
    d->external = m ? eb_arming_clear(d->external, EB_DISARM_NO_MODEL) : eb_arming_set(d->external, EB_DISARM_NO_MODEL);
}

static void fall_back(eb_daemon_t *d, const char *why)
{
    char err[256], detail[400];
    int rc = eb_model_store_fallback(&d->store, err, sizeof err);
    d->stats.model_fallbacks++;
    d->trial_left = 0;
    use_active(d);
    snprintf(detail, sizeof detail, "%s; %s", why, rc == 0 ? "back to the previous model" : err);
    eb_daemon_log(d, 3, "model: %s", detail);
    eb_journal_state_set(d->journal, "model.trial", "0", eb_clock_realtime_ms());
    event(d, "model", detail);
}

static void install(eb_daemon_t *d, const char *name)
{
    char path[EB_PATH_MAX + 64], err[512], detail[700];
    snprintf(path, sizeof path, "%s/%s", d->drop_dir, name);
    /* Mark the install before the store switches slots: a daemon that dies between that switch and the
     * trial record below finds, at start-up, an active release above this mark and falls back. */
    char mark[32];
    snprintf(mark, sizeof mark, "%llu", (unsigned long long)d->store.highest_release);
    eb_daemon_journal_begin(d);
    eb_journal_state_set(d->journal, "model.installing", mark, eb_clock_realtime_ms());
    eb_daemon_commit(d, 1);
    eb_verify_status_t st = eb_model_store_install(&d->store, path, eb_clock_realtime_ms() / 1000, err, sizeof err);
    eb_daemon_journal_begin(d);
    eb_journal_state_set(d->journal, "model.installing", "none", eb_clock_realtime_ms()); /* committed below */
    if (st != EB_VERIFY_OK) {
        d->stats.model_refusals++;
        snprintf(detail, sizeof detail, "refused %s: %s (the running model is unchanged)", name, err);
        eb_daemon_log(d, 4, "model: %s", detail);
        event(d, "model", detail);
        char rejected[EB_PATH_MAX + 80];
        snprintf(rejected, sizeof rejected, "%s/.%s.rejected", d->drop_dir, name);
        rename(path, rejected);
        return;
    }
    unlink(path); /* the store keeps its own copy */
    d->stats.model_installs++;
    if (eb_model_store_selftest(&d->store) != 0) {
        fall_back(d, "the new model failed its self-test");
        return;
    }
    use_active(d);
    d->trial_left = d->app.trial_bars;
    eb_journal_state_set(d->journal, "model.trial", d->trial_left ? "1" : "0", eb_clock_realtime_ms());
    snprintf(detail, sizeof detail, "installed %s: model %s release %llu in slot %c, on trial for %d bars", name,
             d->store.manifest.model_id, (unsigned long long)d->store.manifest.release, "AB"[d->store.active],
             d->trial_left);
    eb_daemon_log(d, 5, "model: %s; evaluator %s", detail, eb_model_path_name(eb_model_path(&d->store.model)));
    event(d, "model", detail);
}

static void scan_drop_dir(eb_daemon_t *d)
{
    DIR *dir = opendir(d->drop_dir);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.') /* dot files are pushes still being written, or refused ones */
            install(d, e->d_name);
    closedir(dir);
}

void eb_daemon_on_drop(void *ctx, int fd, short revents)
{
    (void)revents;
    eb_daemon_t *d = ctx;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (read(fd, buf, sizeof buf) > 0) {
        /* the names come from a readdir below: one scan covers however many events piled up */
    }
    scan_drop_dir(d);
}

int eb_daemon_models_open(eb_daemon_t *d, char *err, size_t cap)
{
    char dir[EB_PATH_MAX];
    if (read_pubkey(d, err, cap) != 0)
        return -1;
    if (eb_appliance_path(&d->app, "models", dir, sizeof dir) != 0 ||
        eb_appliance_path(&d->app, "drop", d->drop_dir, sizeof d->drop_dir) != 0) {
        snprintf(err, cap, "appliance.state_dir: \"%s\" is too long", d->app.state_dir);
        return -1;
    }
    mkdir(dir, 0750);
    mkdir(d->drop_dir, 0770);
    eb_verify_policy_t pol = {.pubkey = d->pubkey, .pubkey_len = d->pubkey_len,
                              .schema_hash = eb_features_schema_hash(&d->pcfg.features), .board = d->board,
                              .max_len = (size_t)d->app.max_model_kib << 10};
    char serr[512];
    if (eb_model_store_open(&d->store, dir, &pol, d->store_mem, eb_model_store_mem_size(pol.max_len), serr,
                            sizeof serr) != 0) {
        if (!d->store.buf[0]) { /* the store itself is unusable (directory, counter) */
            snprintf(err, cap, "model store %s: %s", dir, serr);
            return -1;
        }
        /* Neither slot loads (e.g. a blob format older than this build): start disarmed with no model, so
         * the operator can push a new one; the slots and the counter stay as they are. */
        char detail[700];
        snprintf(detail, sizeof detail, "stored models refused at start-up, running without a model: %s", serr);
        eb_daemon_log(d, 3, "model: %s", detail);
        eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "model", detail);
    }
    eb_pipeline_t *p = NULL;
    eb_pipeline_status_t ps = eb_pipeline_init(d->pipe_mem, eb_pipeline_size(&d->pcfg), &d->pcfg, &p);
    if (ps != EB_PIPELINE_OK) {
        snprintf(err, cap, "pipeline: %s", eb_pipeline_status_name(ps));
        return -1;
    }
    d->pipe = p;
    eb_paper_init(&d->broker, d->slippage_bps, d->fee_bps);
    use_active(d);
    char trial[8] = "0", mark[32] = "none";
    eb_journal_state_get(d->journal, "model.installing", mark, sizeof mark);
    if (eb_journal_state_get(d->journal, "model.trial", trial, sizeof trial) == 0 && strcmp(trial, "1") == 0)
        fall_back(d, "the daemon stopped while the newest model was on trial");
    else if (strcmp(mark, "none") != 0 && d->store.active >= 0 && d->store.manifest.release > strtoull(mark, NULL, 10))
        fall_back(d, "the daemon stopped while installing the newest model, before its trial began");
    if (strcmp(mark, "none") != 0)
        eb_journal_state_set(d->journal, "model.installing", "none", eb_clock_realtime_ms());
    d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->inotify_fd < 0 || inotify_add_watch(d->inotify_fd, d->drop_dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0 ||
        eb_loop_add_fd(&d->loop, d->inotify_fd, POLLIN, EB_LOOP_PRIO_CONTROL, eb_daemon_on_drop, d) != 0) {
        snprintf(err, cap, "cannot watch the model drop directory %s: %s", d->drop_dir, strerror(errno));
        return -1;
    }
    if (!d->pubkey)
        eb_daemon_log(d, 4, "appliance.public_key is not set: no model can be accepted");
    scan_drop_dir(d); /* blobs dropped while the daemon was down */
    return 0;
}

void eb_daemon_models_bar(eb_daemon_t *d, const double *probs)
{
    if (d->trial_left <= 0 || !probs)
        return;
    for (int c = 0; c < 3; c++)
        if (!isfinite(probs[c]) || probs[c] < 0 || probs[c] > 1) {
            fall_back(d, "the new model produced an output outside 0..1 on trial");
            return;
        }
    if (--d->trial_left == 0) {
        eb_journal_state_set(d->journal, "model.trial", "0", eb_clock_realtime_ms());
        eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "model", "trial passed");
    }
}
