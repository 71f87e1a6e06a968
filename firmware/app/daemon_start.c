/* edgeboxd start-up, main loop and shutdown (the order is SPEC section 9's; see daemon.h). */
#include "app/daemon.h"

#include "app/heap.h"
#include "hal/clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void eb_daemon_log(eb_daemon_t *d, int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->log, "<%d>edgeboxd: ", prio);
    vfprintf(d->log, fmt, ap);
    fputc('\n', d->log);
    va_end(ap);
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

void eb_daemon_report(eb_daemon_t *d, const char *when)
{
    eb_arena_stats_t a;
    eb_os_memory_t os;
    eb_heap_stats(&a);
    if (eb_os_memory(&os) != 0)
        memset(&os, 0, sizeof os);
    const eb_daemon_stats_t *s = &d->stats;
    eb_daemon_log(d, 6,
                  "memory %s: arena in_use=%zu high_water=%zu capacity=%zu failures=%llu; brk=%zu (ready %zu); "
                  "anon=%zu in %u mappings (ready %zu in %u); rss_kib=%ld; bars=%llu ready_ms=%lld "
                  "decision_us mean=%.2f max=%.1f",
                  when, a.in_use, a.high_water, a.capacity, (unsigned long long)a.failures, os.brk_bytes,
                  s->os_at_ready.brk_bytes, os.anon_bytes, os.anon_count, s->os_at_ready.anon_bytes,
                  s->os_at_ready.anon_count, rss_kib(), (unsigned long long)s->bars,
                  (long long)(s->ready_mono_ms - s->start_mono_ms),
                  s->decisions_timed ? s->decision_us_sum / (double)s->decisions_timed : 0.0, s->decision_us_max);
}

static int mkdir_p(const char *path)
{
    char tmp[EB_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/* Step 2: the arena, then every fixed buffer the daemon keeps (pipeline, model slots). */
static int reserve_memory(eb_daemon_t *d, char *err, size_t cap)
{
    if (eb_heap_is_arena() && eb_heap_reserve((size_t)d->app.arena_mib << 20) != 0) {
        snprintf(err, cap, "cannot reserve appliance.arena_mib = %d MiB: %s", d->app.arena_mib, strerror(errno));
        return -1;
    }
    size_t store = eb_model_store_mem_size((size_t)d->app.max_model_kib << 10);
    d->store_mem = malloc(store);
    /* The pipeline always computes features, so a model that arrives later starts warm. */
    eb_pipeline_config_t sized = d->pcfg;
    sized.model = (const eb_model_t *)&sized; /* any non-NULL: size with the feature engine */
    size_t pipe = eb_pipeline_size(&sized);
    d->pipe_mem = pipe ? aligned_alloc(64, (pipe + 63) & ~(size_t)63) : NULL;
    if (!d->store_mem || !d->pipe_mem) {
        snprintf(err, cap, "appliance.arena_mib = %d MiB is too small for the model slots (%zu B) and the "
                           "pipeline (%zu B)", d->app.arena_mib, store, pipe);
        return -1;
    }
    return 0;
}

static int open_journal(eb_daemon_t *d, char *err, size_t cap)
{
    char path[EB_PATH_MAX];
    if (mkdir_p(d->app.state_dir) != 0) {
        snprintf(err, cap, "appliance.state_dir: cannot create \"%s\": %s", d->app.state_dir, strerror(errno));
        return -1;
    }
    if (eb_appliance_path(&d->app, "journal.db", path, sizeof path) != 0) {
        snprintf(err, cap, "appliance.state_dir: \"%s\" is too long", d->app.state_dir);
        return -1;
    }
    char jerr[512];
    if (eb_journal_open(&d->journal, path, jerr, sizeof jerr) != 0) {
        snprintf(err, cap, "journal refused, not trading: %s", jerr);
        return -1;
    }
    return 0;
}

/* Step 4: the latch from the journal and the button's level, before anything can trade. */
static int read_killswitch(eb_daemon_t *d, char *err, size_t cap)
{
    char perr[256];
    if (eb_board_pins_load(d->app.board_dir, d->board, &d->pins, perr, sizeof perr) != 0) {
        snprintf(err, cap, "%s", perr);
        return -1;
    }
    int latched = 0, level = 1;
    if (eb_journal_killswitch_get(d->journal, &latched) != 0) {
        snprintf(err, cap, "journal: cannot read the kill-switch latch: %s", eb_journal_error(d->journal));
        return -1;
    }
    int rc;
    if (eb_board_pins_is_sim(&d->pins)) {
        char dir[EB_GPIO_SIM_DIR_MAX];
        rc = eb_gpio_sim_dir(dir, sizeof dir) ? eb_gpio_sim_read(dir, EB_LINE_KILLSWITCH, &level, perr, sizeof perr) : -1;
        if (rc != 0) /* no simulated level written yet: the button is released (pull-up) */
            level = d->app.button.wiring == EB_BUTTON_NORMALLY_CLOSED ? 0 : 1, rc = 0;
    } else {
        rc = eb_gpio_read_once(&d->pins, EB_LINE_KILLSWITCH, &level, perr, sizeof perr);
    }
    if (rc != 0) {
        snprintf(err, cap, "kill switch: %s", perr);
        return -1;
    }
    eb_daemon_kill_init(d, latched, level);
    return 0;
}

static int request_gpio(eb_daemon_t *d, char *err, size_t cap)
{
    eb_gpio_options_t o = {.consumer = "edgeboxd", .killswitch_nc = d->app.button.wiring == EB_BUTTON_NORMALLY_CLOSED};
    char gerr[256];
    if (eb_gpio_open(&d->gpio, &d->pins, &o, gerr, sizeof gerr) != 0) {
        snprintf(err, cap, "%s", gerr);
        return -1;
    }
    d->gpio_open = 1;
    int level;
    if (eb_gpio_get(&d->gpio, EB_LINE_KILLSWITCH, &level, gerr, sizeof gerr) == 0)
        eb_button_sample(&d->button, level, eb_clock_monotonic_ms());
    return eb_loop_add_fd(&d->loop, eb_gpio_event_fd(&d->gpio), POLLIN, EB_LOOP_PRIO_GPIO, eb_daemon_on_gpio, d);
}

static int open_notify(eb_daemon_t *d, char *err, size_t cap)
{
    char nerr[256];
    if (eb_notify_open(&d->notify, getenv("NOTIFY_SOCKET"), nerr, sizeof nerr) != 0 ||
        eb_notify_watchdog_interval(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid(), &d->watchdog_us,
                                    nerr, sizeof nerr) != 0) {
        snprintf(err, cap, "%s", nerr);
        return -1;
    }
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

static void on_watchdog(void *ctx, int64_t now_ms);
static void on_leds(void *ctx, int64_t now_ms);
static void on_status(void *ctx, int64_t now_ms);

int eb_daemon_start(eb_daemon_t *d, const eb_daemon_options_t *opt)
{
    memset(d, 0, sizeof *d);
    d->opt = *opt;
    d->log = stderr;
    d->inotify_fd = -1;
    d->stats.start_mono_ms = eb_clock_monotonic_ms();
    d->external = EB_DISARM_BIT(EB_DISARM_STARTING);
    char err[768];
    struct { const char *what; int (*step)(eb_daemon_t *, char *, size_t); int status; } steps[] = {
        {"config", eb_daemon_load_config, 2}, {"notify", open_notify, 2},
        {"memory", reserve_memory, 1},        {"journal", open_journal, 1},
        {"kill switch", read_killswitch, 1},  {"model", eb_daemon_models_open, 1},
        {"gpio", request_gpio, 1},            {"backfill", eb_daemon_resume, 1},
    };
    eb_loop_init(&d->loop, eb_clock_monotonic_ms);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        err[0] = '\0';
        if (steps[i].step(d, err, sizeof err) != 0) {
            eb_daemon_log(d, 3, "start-up failed at %s: %s", steps[i].what, err);
            if (d->journal)
                eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "error", err);
            eb_daemon_stop(d);
            return steps[i].status;
        }
    }
    eb_daemon_kill_resumed(d);
    eb_loop_add_timer(&d->loop, 0, 50, on_leds, d);
    eb_loop_add_timer(&d->loop, 0, 1000, on_status, d);
    if (d->watchdog_us > 0)
        eb_loop_add_timer(&d->loop, 0, d->watchdog_us / 1000 > 0 ? d->watchdog_us / 1000 : 1, on_watchdog, d);
    if (d->klines)
        eb_loop_add_timer(&d->loop, 0, 50, eb_daemon_exchange_timer, d);
    d->external = eb_arming_clear(d->external, EB_DISARM_STARTING);
    eb_daemon_arming_update(d, 0);
    eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "start", EB_VERSION);
    d->stats.ready_mono_ms = eb_clock_monotonic_ms();
    eb_os_memory(&d->stats.os_at_ready);
    hold_stop_signals(SIG_BLOCK);
    eb_notify_ready(&d->notify);
    eb_daemon_status(d);
    eb_daemon_log(d, 5, "ready in %lld ms: board %s, paper mode, state in %s",
                  (long long)(d->stats.ready_mono_ms - d->stats.start_mono_ms), d->board, d->app.state_dir);
    return 0;
}

/* WATCHDOG=1 only when the loop went round since the last ping and the bar source is not overdue. */
static void on_watchdog(void *ctx, int64_t now_ms)
{
    eb_daemon_t *d = ctx;
    int looping = d->loop.iterations != (uint64_t)d->wd_last_iter;
    int overdue = d->replay_open && !d->replay_done &&
                  now_ms - eb_replay_due(&d->replay, now_ms) > d->watchdog_us / 1000;
    d->wd_last_iter = (int64_t)d->loop.iterations;
    if (looping && !overdue)
        eb_notify_watchdog(&d->notify);
}

static void on_leds(void *ctx, int64_t now_ms)
{
    eb_daemon_t *d = ctx;
    eb_daemon_kill_poll(d, now_ms);
    eb_daemon_leds(d, now_ms);
}

static void on_status(void *ctx, int64_t now_ms)
{
    (void)now_ms;
    eb_daemon_t *d = ctx;
    eb_daemon_commit(d, 1);
    eb_daemon_status(d);
}

/* One bar when it is due; the loop's poll covers the time until then. */
static int next_bar(eb_daemon_t *d, int64_t now)
{
    if (!d->replay_open || d->replay_done)
        return 1000;
    int64_t due = eb_replay_due(&d->replay, now);
    if (due > now && due != INT64_MAX) /* INT64_MAX: the end, which take() reports */
        return (int)(due - now < 1000 ? due - now : 1000);
    eb_bar_t bar;
    int rc = eb_replay_take(&d->replay, now, &bar);
    if (rc == 1) {
        eb_daemon_on_bar(d, &bar);
        return 0;
    }
    d->replay_done = 1;
    if (rc < 0) {
        d->fault = 1;
        eb_daemon_log(d, 3, "bar source stopped: %s", d->replay.csv.err);
        eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "error", d->replay.csv.err);
    } else {
        eb_daemon_log(d, 5, "replay finished after %llu bars", (unsigned long long)d->stats.bars);
    }
    eb_daemon_commit(d, 1);
    return 1000;
}

int eb_daemon_run(eb_daemon_t *d, volatile int *stop_flag)
{
    hold_stop_signals(SIG_UNBLOCK); /* a SIGTERM that came since READY=1 is delivered now */
    int wait = 0;
    while (!*stop_flag && !d->loop.stop) {
        if (eb_loop_run_once(&d->loop, wait) < 0) {
            eb_daemon_log(d, 2, "poll failed: %s", strerror(errno));
            return 1;
        }
        wait = next_bar(d, eb_clock_monotonic_ms());
        if (d->opt.stop_after_bars > 0 && (long)d->stats.bars >= d->opt.stop_after_bars)
            break;
        if (d->opt.exit_at_end && d->replay_done)
            break;
    }
    return d->fault && d->replay_done && d->opt.exit_at_end ? 1 : 0;
}

void eb_daemon_stop(eb_daemon_t *d)
{
    eb_notify_stopping(&d->notify);
    if (d->stats.ready_mono_ms)
        eb_daemon_report(d, "at stop");
    if (d->journal) {
        eb_daemon_commit(d, 1);
        eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "stop", "");
        eb_journal_close(d->journal);
        d->journal = NULL;
    }
    if (d->gpio_open) {
        for (int l = EB_LINE_LED_HEARTBEAT; l < EB_LINE_COUNT; l++)
            eb_gpio_set(&d->gpio, (eb_line_t)l, 0);
        eb_gpio_close(&d->gpio);
        d->gpio_open = 0;
    }
    eb_daemon_exchange_close(d);
    if (d->replay_open)
        eb_replay_close(&d->replay);
    d->replay_open = 0;
    if (d->inotify_fd >= 0)
        close(d->inotify_fd);
    d->inotify_fd = -1;
    eb_notify_close(&d->notify);
}
