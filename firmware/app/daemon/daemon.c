/* edgeboxd's start-up, main loop and shutdown. The order of start-up is SPEC section 9's, with the kill
 * switch's line opened right after the config so that no press is missed while the rest starts. */
#include "app/daemon/daemon.h"

#include "app/daemon/bar.h"
#include "app/daemon/config.h"
#include "app/daemon/http.h"
#include "app/daemon/internal.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/kill.h"
#include "app/daemon/log.h"
#include "app/daemon/models.h"
#include "app/daemon/realtime.h"
#include "app/daemon/recover.h"
#include "app/daemon/resume.h"
#include "app/daemon/source_exchange.h"
#include "app/daemon/source_replay.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram.h"
#include "app/heap.h"
#include "app/state_lock.h"
#include "common/errf.h"
#include "common/mkdir_p.h"
#include "hal/io/clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static eb_daemon_t the_daemon; /* one per process: its signal handler and its arena are the process's */

/* Step "memory": the arena, then every fixed buffer the daemon keeps (pipeline, model slots). */
static int reserve_memory(eb_daemon_t *d, char *err, size_t cap)
{
    if (eb_heap_is_arena() && eb_heap_reserve((size_t)d->app.arena_mib << 20) != 0)
        return eb_errf(err, cap, "cannot reserve appliance.arena_mib = %d MiB: %s", d->app.arena_mib, strerror(errno));
    size_t store = eb_model_store_mem_size((size_t)d->app.max_model_kib << 10);
    d->models.store_mem = malloc(store);
    /* The pipeline always computes features, so a model that arrives later starts warm. */
    eb_pipeline_config_t sized = d->pcfg;
    sized.model = (const eb_model_t *)&sized; /* any non-NULL: size with the feature engine */
    d->pipe_size = (eb_pipeline_size(&sized) + 63) & ~(size_t)63;
    d->pipe_mem = d->pipe_size ? aligned_alloc(64, d->pipe_size) : NULL;
    if (!d->models.store_mem || !d->pipe_mem)
        return eb_errf(err, cap, "appliance.arena_mib = %d MiB is too small for the model slots (%zu B) and the "
                                 "pipeline (%zu B)", d->app.arena_mib, store, d->pipe_size);
    return 0;
}

/* Signs that the state directory was used before: with one of them a missing journal is a lost journal
 * (deleted, a failed card, a wrong mount), and starting afresh would forget orders, positions and the
 * kill-switch latch. Writes what it saw into why; 0 when the directory looks unused. */
static int earlier_use(const eb_appliance_config_t *app, char *why, size_t cap)
{
    static const char *const models[] = {"models/slot-a.ebs", "models/slot-b.ebs", "models/active", "models/release"};
    char path[EB_PATH_MAX];
    if (eb_appliance_path(app, EB_JOURNAL_LATCH_FILE, path, sizeof path) == 0 && access(path, F_OK) == 0) {
        eb_errf(why, cap, "the kill switch's latch copy %s is there (the box was latched)", path);
        return 1;
    }
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (eb_appliance_path(app, models[i], path, sizeof path) == 0 && access(path, F_OK) == 0) {
            eb_errf(why, cap, "an installed model (%s) is there", path);
            return 1;
        }
    if (eb_state_lock_had_journal(app->state_dir)) {
        eb_errf(why, cap, "its lock file %s/%s says a journal was opened there", app->state_dir, EB_STATE_LOCK_FILE);
        return 1;
    }
    return 0;
}

/* Step "journal": the state directory, its lock (one daemon per directory), then the journal: an existing
 * one validated and opened, a missing one created only in a directory that shows no earlier use. */
static int open_journal(eb_daemon_t *d, char *err, size_t cap)
{
    char path[EB_PATH_MAX], merr[400], jerr[768], why[EB_PATH_MAX + 100];
    if (eb_mkdir_p(d->app.state_dir, 0750, merr, sizeof merr) != 0)
        return eb_errf(err, cap, "appliance.state_dir: %s", merr);
    if (eb_appliance_path(&d->app, "journal.db", path, sizeof path) != 0)
        return eb_errf(err, cap, "appliance.state_dir: \"%s\" is too long", d->app.state_dir);
    d->jw.lock_fd = eb_state_lock(d->app.state_dir, jerr, sizeof jerr);
    if (d->jw.lock_fd < 0)
        return eb_errf(err, cap, "not trading: %s", jerr);
    if (access(path, F_OK) != 0) {
        if (errno != ENOENT)
            return eb_errf(err, cap, "journal %s: %s", path, strerror(errno));
        if (earlier_use(&d->app, why, sizeof why))
            return eb_errf(err, cap, "journal refused, not trading: %s is missing, but the state directory was used "
                                     "before: %s. Starting a new journal would forget the orders, positions and "
                                     "kill-switch latch: restore journal.db (with its -wal) from a backup, or, to "
                                     "start afresh on purpose, move the whole state directory away", path, why);
        eb_dlog(d, 5, "new journal: creating %s", path);
    }
    if (eb_journal_open(&d->jw.j, path, jerr, sizeof jerr) != 0)
        return eb_errf(err, cap, "journal refused, not trading: %s", jerr);
    if (eb_state_lock_mark_journal(d->jw.lock_fd, merr, sizeof merr) != 0)
        return eb_errf(err, cap, "%s/%s", d->app.state_dir, merr);
    return 0;
}

static int open_notify(eb_daemon_t *d, char *err, size_t cap)
{
    char nerr[256];
    if (eb_notify_open(&d->notify, getenv("NOTIFY_SOCKET"), nerr, sizeof nerr) != 0 ||
        eb_notify_watchdog_interval(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid(), &d->watchdog_us,
                                    nerr, sizeof nerr) != 0)
        return eb_errf(err, cap, "%s", nerr);
    return 0;
}

/* A service manager may send SIGTERM the moment it sees READY=1, before main() has installed its handler:
 * SIGINT/SIGTERM are held from READY=1 until the loop starts, so that a stop is always a clean one. */
static void hold_stop_signals(int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigprocmask(how, &s, NULL);
}

/* WATCHDOG=1 only when the loop went round since the last ping and the bar source is not overdue. */
static void on_watchdog(void *ctx, int64_t now_ms)
{
    eb_daemon_t *d = ctx;
    int looping = d->loop.iterations != (uint64_t)d->wd_last_iter;
    int overdue = eb_dreplay_overdue(d, now_ms, d->watchdog_us / 1000);
    d->wd_last_iter = (int64_t)d->loop.iterations;
    if (looping && !overdue && eb_notify_watchdog(&d->notify) != 0)
        eb_dlog(d, 4, "WATCHDOG=1 could not be sent");
}

#define FAST_TIMER_MS 50

/* The loop's health as an owner sees it: how late the fast timer (the kill switch's service) runs against
 * the time the loop set for it. Anything that holds the loop (a slow commit, a long handler) shows here,
 * whatever it was. The loop sets the next slot from the pass's now_ms, so the first firing has no due time. */
static void note_lateness(eb_daemon_t *d, int64_t now_ms)
{
    if (d->stats.fast_due_ms > 0) {
        int64_t late = eb_clock_monotonic_ns() - d->stats.fast_due_ms * 1000000;
        eb_lat_add(&d->stats.loop_lateness, late > 0 ? (uint64_t)late : 0);
    }
    d->stats.fast_due_ms = now_ms + FAST_TIMER_MS;
}

static void on_fast_timer(void *ctx, int64_t now_ms)
{
    eb_daemon_t *d = ctx;
    note_lateness(d, now_ms);
    eb_dkill_service(d);
    eb_dstatus_leds(d, now_ms);
    eb_drecover_timer(d, now_ms);
    if (d->models.rescan)
        eb_dmodels_scan(d);
}

static void on_status(void *ctx, int64_t now_ms)
{
    (void)now_ms;
    eb_daemon_t *d = ctx;
    eb_dj_commit(d, 1);
    eb_dstatus_line(d);
}

/* An operator's disarm from before the restart stands until the operator re-arms (before the backfill
 * trades a bar; resume keeps the master switch as it finds it here). */
static int restore_operator_disarm(eb_daemon_t *d, char *err, size_t cap)
{
    char v[8] = "0";
    int rc = eb_journal_state_get(d->jw.j, "operator.disarmed", v, sizeof v);
    if (rc < 0)
        return eb_errf(err, cap, "journal: cannot read operator.disarmed: %s", eb_journal_error(d->jw.j));
    if (rc == 0 && strcmp(v, "1") == 0) {
        d->operator_disarmed = 1;
        d->pipe->engine.cfg.master_switch = 0;
        eb_dlog(d, 4, "trading stays off: an operator disarmed it through the API (POST /api/v1/rearm re-arms)");
    }
    return 0;
}

typedef struct {
    const char *what;
    int (*step)(eb_daemon_t *, char *, size_t);
    int status;
} step_t;

static const step_t steps[] = {
    {"config", eb_dconfig_load, 2},
    {"notify", open_notify, 2},
    {"gpio", eb_dkill_open, 1},
    {"memory", reserve_memory, 1},
    {"realtime", eb_drt_setup, 1},
    {"journal", open_journal, 1},
    {"telegram", eb_dtg_start, 1},
    {"kill switch", eb_dkill_init, 1},
    {"model", eb_dmodels_open, 1},
    {"operator disarm", restore_operator_disarm, 1},
    {"backfill", eb_dresume, 1},
    {"http", eb_dhttp_start, 1},
};

static int run_steps(eb_daemon_t *d)
{
    char err[768];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        err[0] = '\0';
        if (steps[i].step(d, err, sizeof err) != 0) {
            eb_dlog(d, 3, "start-up failed at %s: %s", steps[i].what, err);
            if (d->jw.j)
                eb_dj_event(d, eb_clock_realtime_ms(), "error", err);
            return steps[i].status;
        }
        eb_dkill_service(d); /* edges queued during the step, before the next one (no-op before the kill step) */
    }
    return 0;
}

/* From a journal that holds the resumed state to READY=1. 0, or 1 when the journal takes no write. */
static int go_ready(eb_daemon_t *d)
{
    char err[256];
    if (eb_dj_mark_committed(d, err, sizeof err) != 0) {
        eb_dlog(d, 3, "start-up failed: %s", err);
        return 1;
    }
    eb_dkill_enable_halt(d); /* a press during start-up, or a button held at it, cancels and flattens now */
    eb_dmodels_scan(d);      /* blobs dropped while the daemon was down */
    d->external = eb_arming_clear(d->external, EB_DISARM_STARTING);
    eb_dstatus_update(d);
    eb_dj_event(d, eb_clock_realtime_ms(), "start", EB_VERSION);
    if (eb_dj_failing(d)) {
        eb_dlog(d, 3, "start-up failed: the journal takes no write (%s); not trading (a full disk? the daemon "
                      "starts on the same files once there is room)", d->jw.first_error);
        return 1;
    }
    int64_t fast = eb_loop_add_timer(&d->loop, 0, FAST_TIMER_MS, on_fast_timer, d);
    int64_t slow = eb_loop_add_timer(&d->loop, 0, 1000, on_status, d);
    int64_t wd = d->watchdog_us > 0 ? eb_loop_add_timer(&d->loop, 0, d->watchdog_us / 1000 > 0 ? d->watchdog_us / 1000 : 1,
                                                     on_watchdog, d) : 0;
    int64_t ex = d->src.klines ? eb_loop_add_timer(&d->loop, 0, 50, eb_dexchange_timer, d) : 0;
    if (fast < 0 || slow < 0 || wd < 0 || ex < 0) {
        eb_dlog(d, 3, "start-up failed: the main loop's timer table is full");
        return 1;
    }
    return 0;
}

int eb_daemon_start(eb_daemon_t **out, const eb_daemon_options_t *opt)
{
    eb_daemon_t *d = &the_daemon;
    memset(d, 0, sizeof *d);
    *out = d;
    d->opt = *opt;
    d->log = stderr;
    d->models.inotify_fd = -1;
    d->notify.fd = -1;
    d->jw.lock_fd = -1;
    d->stats.start_mono_ms = eb_clock_monotonic_ms();
    d->external = EB_DISARM_BIT(EB_DISARM_STARTING);
    eb_loop_init(&d->loop, eb_clock_monotonic_ms);
    int rc = run_steps(d);
    if (rc == 0)
        rc = go_ready(d);
    if (rc != 0) {
        eb_daemon_stop(d, NULL);
        return rc;
    }
    d->stats.ready_mono_ms = eb_clock_monotonic_ms();
    if (eb_os_memory(&d->stats.os_at_ready) != 0)
        memset(&d->stats.os_at_ready, 0, sizeof d->stats.os_at_ready);
    eb_dkill_service(d); /* what happened during the last steps shows in the first STATUS= */
    hold_stop_signals(SIG_BLOCK);
    if (eb_notify_ready(&d->notify) != 0)
        eb_dlog(d, 4, "READY=1 could not be sent to the service manager");
    eb_dstatus_line(d);
    eb_dlog(d, 5, "ready in %lld ms: board %s, paper mode, state in %s",
            (long long)(d->stats.ready_mono_ms - d->stats.start_mono_ms), d->board, d->app.state_dir);
    return 0;
}

int eb_daemon_run(eb_daemon_t *d, volatile int *stop_flag)
{
    hold_stop_signals(SIG_UNBLOCK); /* a SIGTERM that came since READY=1 is delivered now */
    int wait = 0;
    while (!*stop_flag && !d->loop.stop) {
        if (eb_loop_run_once(&d->loop, wait) < 0) {
            eb_dlog(d, 2, "poll failed: %s", strerror(errno));
            return 1;
        }
        int64_t now = eb_clock_monotonic_ms();
        int kill_wait = eb_dkill_tick(d, now); /* the kill switch first, every iteration */
        wait = eb_dreplay_next(d, now);
        if (kill_wait < wait)
            wait = kill_wait;
        if (d->opt.stop_after_bars > 0 && (long)d->t.bars >= d->opt.stop_after_bars)
            break;
        if (d->opt.exit_at_end && d->src.replay_done)
            break;
    }
    return (d->faults & EB_FAULT_DATA) && d->src.replay_done && d->opt.exit_at_end ? 1 : 0;
}

void eb_daemon_stop(eb_daemon_t *d, const char *why)
{
    if (eb_notify_stopping(&d->notify) != 0)
        eb_dlog(d, 4, "STOPPING=1 could not be sent");
    if (d->stats.ready_mono_ms)
        eb_dlog_memory(d, "at stop");
    eb_dtg_close(d); /* what is still queued is not waited for: a stop never hangs on the Bot API */
    if (d->jw.j) {
        if (d->stats.ready_mono_ms)
            eb_dmodels_pause_trial(d);
        eb_dj_commit(d, 1);
        if (d->stats.ready_mono_ms)
            eb_dj_event(d, eb_clock_realtime_ms(), "stop", why ? why : "");
        eb_dhttp_journal_closing(d);
        eb_journal_close(d->jw.j);
        d->jw.j = NULL;
    }
    if (d->jw.lock_fd >= 0 && close(d->jw.lock_fd) != 0)
        eb_dlog(d, 4, "closing the state directory's lock file failed");
    d->jw.lock_fd = -1;
    eb_dhttp_close(d);
    eb_dkill_close(d);
    eb_dexchange_close(d);
    eb_dreplay_close(d);
    eb_dmodels_close(d);
    eb_notify_close(&d->notify);
    if (d->stats.ready_mono_ms)
        eb_dlog(d, 5, "stopped%s%s%s", why ? " (" : "", why ? why : "", why ? ")" : "");
}
