/* Families in a fixed order with a fixed label set each, so a series never appears or vanishes between
 * scrapes (a reason that is absent reads 0 rather than being left out). */
#include "app/daemon/metrics_daemon.h"

#include "app/daemon/http_state.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/orders.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram.h"
#include "app/http/http_metrics.h"
#include "app/http/metrics_text.h"
#include "core/reasons.h"
#include "core/stale.h"
#include "hal/io/clock.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Upper bounds of the decision-latency buckets, in seconds: 10 us to 1 s, the range a bar's work spans
 * on a Pi (the core histogram's 1024 buckets would be far too many series). */
static const double k_le[] = {1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 1e-1, 1.0};
#define NLE (sizeof k_le / sizeof k_le[0])
/* The loop's lateness: poll's timer slack is tens of microseconds; 1 s late is a loop in trouble. */
static const double k_loop_le[] = {1e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 5e-2, 1e-1, 5e-1, 1.0};
#define NLOOP_LE (sizeof k_loop_le / sizeof k_loop_le[0])
#define MAX_LE (NLE > NLOOP_LE ? NLE : NLOOP_LE)

static long read_statm_resident(void)
{
    /* open/read, not fopen: a FILE would allocate on every scrape */
    long pages = 0, resident = 0;
    char text[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
    if (fd >= 0)
        (void)close(fd);
    text[n > 0 ? n : 0] = '\0';
    return sscanf(text, "%ld %ld", &pages, &resident) == 2 ? resident : 0;
}

/* Open descriptors: opendir("/proc/self/fd") would allocate a DIR on every scrape, so the count probes
 * the possible descriptors with fcntl instead (up to the soft limit, at most 4096). */
static long open_fds(long max)
{
    long n = 0, lim = max > 0 && max < 4096 ? max : 4096;
    for (long fd = 0; fd < lim; fd++)
        n += fcntl((int)fd, F_GETFD) != -1;
    return n;
}

static void process_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    eb_mt_family(w, "process_resident_memory_bytes", EB_METRIC_GAUGE, "Resident memory size in bytes.");
    eb_mt_sample(w, (double)read_statm_resident() * (double)sysconf(_SC_PAGESIZE), NULL);
    struct rusage ru;
    double cpu = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                                                        ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6
                                                  : NAN;
    eb_mt_family(w, "process_cpu_seconds_total", EB_METRIC_COUNTER, "Total user and system CPU time spent in seconds.");
    eb_mt_sample(w, cpu, NULL);
    eb_mt_family(w, "process_start_time_seconds", EB_METRIC_GAUGE, "Start time of the process since the Unix epoch in seconds.");
    int64_t up_ms = eb_clock_monotonic_ms() - d->stats.start_mono_ms;
    eb_mt_sample(w, (double)(eb_clock_realtime_ms() - up_ms) / 1000.0, NULL);
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : -1;
    eb_mt_family(w, "process_open_fds", EB_METRIC_GAUGE, "Number of open file descriptors.");
    eb_mt_sample(w, (double)open_fds(max), NULL);
    eb_mt_family(w, "process_max_fds", EB_METRIC_GAUGE, "Maximum number of open file descriptors.");
    eb_mt_sample(w, max > 0 ? (double)max : NAN, NULL);
}

static void arming_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    eb_arming_t m = eb_dstatus_arming(d);
    eb_mt_family(w, "edgebox_armed", EB_METRIC_GAUGE, "1 when the box may open positions, 0 when disarmed.");
    eb_mt_sample(w, m ? 0 : 1, NULL);
    eb_mt_family(w, "edgebox_disarm_reason", EB_METRIC_GAUGE, "1 for each disarm reason present.");
    for (int i = 0; i < EB_DISARM_COUNT; i++) {
        const char *labels[] = {"reason", eb_disarm_reason_name((eb_disarm_reason_t)i), NULL};
        eb_mt_sample(w, eb_arming_has(m, (eb_disarm_reason_t)i), labels);
    }
    eb_mt_family(w, "edgebox_kill_switch_state", EB_METRIC_GAUGE, "1 for the kill switch's state (hal/logic/button.h).");
    for (int s = 0; s < EB_KILL_STATE_COUNT; s++) {
        const char *labels[] = {"state", eb_kill_state_name((eb_kill_state_t)s), NULL};
        eb_mt_sample(w, d->kill.ready && eb_button_state(&d->kill.button) == (eb_kill_state_t)s, labels);
    }
    eb_mt_family(w, "edgebox_kill_switch_pressed", EB_METRIC_GAUGE, "1 while the button reads pressed (or its line is faulted).");
    eb_mt_sample(w, d->kill.ready && (d->kill.button.raw || eb_button_faulted(&d->kill.button)), NULL);
    eb_mt_family(w, "edgebox_stale_data", EB_METRIC_GAUGE, "1 while the newest closed bar is too old (stale_data).");
    eb_mt_sample(w, d->src.stale, NULL);
}

static void trading_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    eb_mt_family(w, "edgebox_bars_total", EB_METRIC_COUNTER, "Closed bars handled since start.");
    eb_mt_sample_u64(w, d->t.bars, NULL);
    eb_mt_family(w, "edgebox_decisions_total", EB_METRIC_COUNTER, "Engine decisions by action since start.");
    for (int a = 0; a < EB_ACTION_COUNT; a++) {
        const char *labels[] = {"action", eb_action_name((eb_action_t)a), NULL};
        eb_mt_sample_u64(w, e ? e->n.actions[a] : 0, labels);
    }
    eb_mt_family(w, "edgebox_equity", EB_METRIC_GAUGE, "Equity in quote currency at the last close.");
    eb_mt_sample(w, e && e->has_bar ? eb_engine_equity(e, e->last_close) : NAN, NULL);
    eb_mt_family(w, "edgebox_open_positions", EB_METRIC_GAUGE, "Open and pending positions.");
    eb_mt_sample(w, e ? eb_engine_open_positions(e) : 0, NULL);
    int open = 0;
    for (int i = 0; i < EB_DAEMON_MAX_ORDERS; i++)
        open += d->t.venue.orders[i].used;
    eb_mt_family(w, "edgebox_orders", EB_METRIC_GAUGE, "Orders by state: open at the venue now.");
    const char *st[] = {"state", "open", NULL};
    eb_mt_sample(w, open, st);
    eb_mt_family(w, "edgebox_journal_errors_total", EB_METRIC_COUNTER, "Journal writes or commits that failed.");
    eb_mt_sample_u64(w, d->stats.journal_errors, NULL);
    eb_mt_family(w, "edgebox_kill_switch_presses_total", EB_METRIC_COUNTER, "Kill-switch latches since start.");
    eb_mt_sample_u64(w, d->stats.kill_presses, NULL);
}

/* A core histogram (ns, log-linear) folded into Prometheus buckets: each core bucket counts in the first
 * le at or above the largest value it can hold, so no observation is counted below its true value. */
static void folded_histogram(eb_metrics_text_t *w, const eb_lat_hist_t *h, const double *le, size_t n)
{
    uint64_t counts[MAX_LE + 1] = {0};
    uint64_t below = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t upto = eb_lat_count_at_most(h, (uint64_t)(le[k] * 1e9));
        counts[k] = upto - below;
        below = upto;
    }
    counts[n] = h->count - below;
    eb_mt_histogram(w, le, counts, n, (double)h->sum_ns / 1e9, NULL);
}

static void latency_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    eb_mt_family(w, "edgebox_decision_latency_seconds", EB_METRIC_HISTOGRAM,
                 "Time from a closed bar's arrival to the decision made on it.");
    folded_histogram(w, &d->stats.decision, k_le, NLE);
    eb_mt_family(w, "edgebox_loop_lateness_seconds", EB_METRIC_HISTOGRAM,
                 "How late the main loop ran its 50 ms kill-switch service timer.");
    folded_histogram(w, &d->stats.loop_lateness, k_loop_le, NLOOP_LE);
}

/* What runs and where it stands: the data's age, the model, the lifecycle stage, the venue's errors. */
static void state_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    eb_mt_family(w, "edgebox_data_age_seconds", EB_METRIC_GAUGE,
                 "Seconds since the newest closed bar's open time (the age the stale-data rule compares).");
    eb_mt_sample(w, e && e->has_bar ? (double)eb_stale_age_ms(e->last_time_ms, eb_clock_realtime_ms()) / 1000.0 : NAN,
                 NULL);
    const eb_model_store_t *m = &d->models.store;
    char release[24];
    snprintf(release, sizeof release, "%llu", m->active >= 0 ? (unsigned long long)m->manifest.release : 0ULL);
    const char *model[] = {"model_id", m->active >= 0 ? m->manifest.model_id : "", "release", release, NULL};
    eb_mt_family(w, "edgebox_model_info", EB_METRIC_GAUGE, "The model in use (1), or no model (0, empty id).");
    eb_mt_sample(w, m->active >= 0, model);
    /* every stage of core/lifecycle.h, then "unknown" (the journal's stage not loaded yet): one reads 1 */
    const char *now = eb_dlc_stage(d);
    eb_mt_family(w, "edgebox_lifecycle_stage", EB_METRIC_GAUGE,
                 "1 for the strategy's lifecycle stage, 0 for the others.");
    for (int s = EB_LC_CANDIDATE; s <= EB_LC_RETIRED + 1; s++) {
        const char *name = s <= EB_LC_RETIRED ? eb_lc_state_name((eb_lc_state_t)s) : "unknown";
        const char *labels[] = {"stage", name, NULL};
        eb_mt_sample(w, strcmp(now, name) == 0, labels);
    }
    /* the daemon builds the paper venue only (orders.c), which is there before the HTTP server starts */
    const char *venue = d->broker.ops ? d->broker.ops->name : "paper";
    eb_mt_family(w, "edgebox_exchange_errors_total", EB_METRIC_COUNTER,
                 "Requests the venue refused or failed, by code.");
    for (int c = 0; c < EB_DXERR_COUNT; c++) {
        const char *labels[] = {"venue", venue, "code", eb_dorders_error_name((eb_dxerr_t)c), NULL};
        eb_mt_sample_u64(w, d->stats.exchange_errors[c], labels);
    }
}

static void arena_metrics(eb_metrics_text_t *w)
{
    eb_arena_stats_t a;
    eb_heap_stats(&a);
    eb_mt_family(w, "edgebox_arena_used_bytes", EB_METRIC_GAUGE, "Bytes in use in the memory arena.");
    eb_mt_sample_u64(w, a.in_use, NULL);
    eb_mt_family(w, "edgebox_arena_high_water_bytes", EB_METRIC_GAUGE, "Most bytes ever in use in the arena.");
    eb_mt_sample_u64(w, a.high_water, NULL);
    eb_mt_family(w, "edgebox_arena_capacity_bytes", EB_METRIC_GAUGE, "Bytes the arena reserved at start.");
    eb_mt_sample_u64(w, a.capacity, NULL);
}

int eb_dmetrics_handler(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)req, (void)body;
    eb_daemon_t *d = ctx;
    eb_metrics_text_t w;
    eb_mt_init(&w, r->body, r->cap);
    const char *build[] = {"version", EB_VERSION, "board", d->board, NULL};
    eb_mt_family(&w, "edgebox_build_info", EB_METRIC_GAUGE, "Version and board of edgeboxd (always 1).");
    eb_mt_sample(&w, 1, build);
    arming_metrics(&w, d);
    trading_metrics(&w, d);
    latency_metrics(&w, d);
    state_metrics(&w, d);
    arena_metrics(&w);
    process_metrics(&w, d);
    eb_dtg_metrics(&w, d);
    eb_http_write_metrics(&w, &d->http->srv);
    if (eb_mt_finish(&w) != 0) {
        eb_dlog(d, 3, "GET /metrics: %s", w.err);
        return -1;
    }
    r->len = w.len;
    r->content_type = EB_METRICS_CONTENT_TYPE;
    return 0;
}
