#include "app/daemon/resume.h"

#include "app/daemon/kill.h"
#include "app/daemon/log.h"
#include "app/daemon/snapshot.h"
#include "app/daemon/source_exchange.h"
#include "app/daemon/source_replay.h"
#include "common/errf.h"

/* The replay's bars up to the snapshot's, through the pipeline without trading. */
static int feed_replay(eb_daemon_t *d, int64_t last_bar_ms, char *err, size_t cap)
{
    eb_intent_t scratch[EB_ENGINE_MAX_INTENTS];
    eb_bar_t bar;
    for (long i = 0;; i++) {
        int rc = eb_replay_take(&d->src.replay, 0, &bar);
        if (rc != 1 || bar.open_time_ms > last_bar_ms)
            return eb_errf(err, cap, "the bar source %s does not contain the journal's last bar (%lld)%s%s",
                           d->app.replay_file, (long long)last_bar_ms, rc < 0 ? ": " : "",
                           rc < 0 ? d->src.replay.csv.err : "");
        if (eb_pipeline_step(d->pipe, &bar, 0, scratch, EB_ENGINE_MAX_INTENTS) < 0)
            eb_dlog(d, 4, "resume: bar at %lld refused by the engine", (long long)bar.open_time_ms);
        if (bar.open_time_ms == last_bar_ms)
            return 0;
        if (i % 1024 == 1023)
            eb_dkill_service(d); /* a press during a long resume is not delayed */
    }
}

static void restore(eb_daemon_t *d, const eb_dsnapshot_t *snap)
{
    eb_engine_config_t cfg = d->pipe->engine.cfg; /* the config now in force wins over the saved one */
    d->pipe->engine = snap->engine;
    d->pipe->engine.cfg = cfg;
    d->t.venue = snap->broker;
    d->t.life.lc = snap->lc;
    d->t.life.last_day = snap->lc_last_day;
    d->t.life.last_reason = snap->lc_last_reason;
    d->t.life.ready = 2; /* checked against the journal's lifecycle row at the first bar */
    d->t.bars = snap->bars;
    d->src.replay.started = 0; /* the accelerated clock starts again from the next bar */
}

int eb_dresume(eb_daemon_t *d, char *err, size_t cap)
{
    if (eb_dsnap_reserve(d, err, cap) != 0)
        return -1;
    int exchange = d->app.source == EB_SOURCE_EXCHANGE;
    if (!exchange && eb_dreplay_open(d, err, cap) != 0)
        return -1;
    static eb_dsnapshot_t snap;
    int rc = eb_dsnap_read(d, &snap, err, cap);
    if (rc < 0)
        return -1;
    if (rc == 1) /* a fresh journal: nothing to resume; the exchange source still warms up */
        return exchange ? eb_dexchange_open(d, INT64_MIN, err, cap) : 0;
    if (exchange ? eb_dexchange_open(d, snap.last_bar_ms, err, cap) : feed_replay(d, snap.last_bar_ms, err, cap))
        return -1;
    restore(d, &snap);
    eb_dlog(d, 5, "resumed after bar %lld (%llu bars traded before)", (long long)snap.last_bar_ms,
            (unsigned long long)snap.bars);
    return 0;
}
