/* Resuming after a restart (SPEC section 9: "a restart resumes the same state").
 *
 * Every journal commit carries a snapshot of the engine (positions, cash, breakers, limits, counters) and
 * of the paper broker's pending orders, taken at the last bar the commit covers. The feature engine and the
 * ATR history are not snapshotted: they are a function of the bars alone, so start-up rebuilds them by
 * feeding the bars up to that one again (the backfill step), then puts the snapshot back. A snapshot of a
 * different build (sizes differ) is refused rather than guessed at. */
#include "app/daemon.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_MAGIC 0x45425332u /* "EBS2": with the lifecycle tracker */
#define SNAP_KEY "daemon.snapshot"

typedef struct {
    uint32_t magic, engine_size, broker_size, reserved;
    int64_t last_bar_ms;
    uint64_t bars;
    eb_engine_t engine;
    eb_paper_broker_t broker;
    eb_lc_track_t lc;
    int64_t lc_last_day;
    int32_t lc_last_reason, reserved2;
} snapshot_t;

static void hex_encode(const void *src, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = src;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

static int hex_decode(const char *s, void *dst, size_t n)
{
    unsigned char *p = dst;
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        p[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

int eb_daemon_snapshot_write(eb_daemon_t *d)
{
    if (!d->pipe || !d->pipe->engine.has_bar || !d->snap_hex)
        return 0;
    static snapshot_t snap; /* one, reused: the daemon is single-threaded and this keeps it off the stack */
    memset(&snap, 0, sizeof snap);
    snap.magic = SNAP_MAGIC;
    snap.engine_size = sizeof snap.engine;
    snap.broker_size = sizeof snap.broker;
    snap.last_bar_ms = d->pipe->engine.last_time_ms;
    snap.bars = d->stats.bars;
    snap.engine = d->pipe->engine;
    snap.broker = d->broker;
    snap.lc = d->lc;
    snap.lc_last_day = d->lc_last_day;
    snap.lc_last_reason = d->lc_last_reason;
    hex_encode(&snap, sizeof snap, d->snap_hex);
    return eb_journal_state_set(d->journal, SNAP_KEY, d->snap_hex, snap.last_bar_ms);
}

/* Start-up step "backfill": open the bar source and, after a restart, feed it up to the snapshot's bar. */
int eb_daemon_resume(eb_daemon_t *d, char *err, size_t cap)
{
    d->snap_hex_cap = 2 * sizeof(snapshot_t) + 1;
    d->snap_hex = malloc(d->snap_hex_cap);
    if (!d->snap_hex) {
        snprintf(err, cap, "no memory for the engine snapshot (appliance.arena_mib too small)");
        return -1;
    }
    int exchange = d->app.source == EB_SOURCE_EXCHANGE;
    if (!exchange && eb_replay_open(&d->replay, d->app.replay_file, d->app.replay_speed) != 0) {
        snprintf(err, cap, "appliance.replay_file: %s", d->replay.csv.err);
        return -1;
    }
    d->replay_open = !exchange;
    int rc = eb_journal_state_get(d->journal, SNAP_KEY, d->snap_hex, d->snap_hex_cap);
    if (rc == 1) /* a fresh journal: nothing to resume; the exchange source still warms up */
        return exchange ? eb_daemon_exchange_open(d, INT64_MIN, err, cap) : 0;
    static snapshot_t snap;
    if (rc != 0 || hex_decode(d->snap_hex, &snap, sizeof snap) != 0 || snap.magic != SNAP_MAGIC ||
        snap.engine_size != sizeof snap.engine || snap.broker_size != sizeof snap.broker) {
        snprintf(err, cap, "the journal's engine snapshot is from another build or damaged; not trading "
                           "(the journal was left as it is; move it away to start afresh)");
        return -1;
    }
    eb_intent_t scratch[EB_ENGINE_MAX_INTENTS];
    eb_bar_t bar;
    if (exchange && eb_daemon_exchange_open(d, snap.last_bar_ms, err, cap) != 0)
        return -1;
    while (!exchange) {
        rc = eb_replay_take(&d->replay, 0, &bar);
        if (rc != 1 || bar.open_time_ms > snap.last_bar_ms) {
            snprintf(err, cap, "the bar source %s does not contain the journal's last bar (%lld)%s%s",
                     d->app.replay_file, (long long)snap.last_bar_ms, rc < 0 ? ": " : "", rc < 0 ? d->replay.csv.err : "");
            return -1;
        }
        eb_pipeline_step(d->pipe, &bar, 0, scratch, EB_ENGINE_MAX_INTENTS);
        if (bar.open_time_ms == snap.last_bar_ms)
            break;
    }
    eb_engine_config_t cfg = d->pipe->engine.cfg; /* the config now in force wins over the saved one */
    d->pipe->engine = snap.engine;
    d->pipe->engine.cfg = cfg;
    d->broker = snap.broker;
    d->lc = snap.lc;
    d->lc_last_day = snap.lc_last_day;
    d->lc_last_reason = snap.lc_last_reason;
    d->lc_ready = 2; /* checked against the journal's lifecycle row at the first bar */
    d->broker.slippage_bps = d->slippage_bps;
    d->broker.fee_bps = d->fee_bps;
    d->stats.bars = snap.bars;
    d->replay.started = 0; /* the accelerated clock starts again from the next bar */
    eb_daemon_log(d, 5, "resumed after bar %lld (%llu bars traded before)", (long long)snap.last_bar_ms,
                  (unsigned long long)snap.bars);
    return 0;
}
