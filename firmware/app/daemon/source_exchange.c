#include "app/daemon/source_exchange.h"

#include "app/daemon/bar.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/kill.h"
#include "app/daemon/log.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "core/features.h"
#include "core/stale.h"
#include "hal/io/clock.h"

#define HISTORY_BARS 252             /* historical_atr_window and the percentile windows (SPEC section 4) */
#define BACKFILL_STALL_MS 60000      /* start-up gives up when the exchange sends nothing for this long */

static void service_kill(void *ctx) { eb_dkill_service(ctx); }

static void stale_update(eb_daemon_t *d, int64_t wall_ms)
{
    int64_t newest = eb_klines_newest_open_ms(d->src.klines);
    int stale = eb_stale_is_stale(newest, eb_klines_interval(d->src.klines), d->app.stale_grace_ms, wall_ms);
    if (stale == d->src.stale)
        return;
    d->src.stale = stale;
    d->external = stale ? eb_arming_set(d->external, EB_DISARM_STALE_DATA)
                        : eb_arming_clear(d->external, EB_DISARM_STALE_DATA);
    if (stale)
        eb_dlog(d, 4, "stale data: newest closed bar %lld is %lld ms old (limit: two intervals + %lld ms); "
                "no new entries", (long long)newest, (long long)eb_stale_age_ms(newest, wall_ms),
                (long long)d->app.stale_grace_ms);
    else
        eb_dlog(d, 5, "data fresh again: newest closed bar %lld", (long long)newest);
    if (stale)
        eb_dtg_notifyf(d, EB_DTG_STALE, "newest closed bar is %lld s old: no new entries",
                       (long long)(eb_stale_age_ms(newest, wall_ms) / 1000));
    else
        eb_dtg_notify(d, EB_DTG_STALE, "data fresh again");
    eb_dstatus_update(d);
}

/* Feeds the queued bars up to warm_until_ms (INT64_MIN: all) to the pipeline while disarmed. */
static long warm_queued(eb_daemon_t *d, int64_t warm_until_ms, int64_t *last)
{
    eb_intent_t scratch[EB_ENGINE_MAX_INTENTS];
    eb_bar_t bar;
    long n = 0;
    while (eb_klines_peek(d->src.klines, &bar) && (warm_until_ms == INT64_MIN || bar.open_time_ms <= warm_until_ms)) {
        eb_klines_take(d->src.klines, &bar, NULL);
        eb_engine_set_external(&d->pipe->engine, eb_dstatus_external(d)); /* "starting" is set: nothing is entered */
        if (eb_pipeline_step(d->pipe, &bar, 0, scratch, EB_ENGINE_MAX_INTENTS) < 0)
            eb_dlog(d, 4, "backfill: bar at %lld refused by the engine", (long long)bar.open_time_ms);
        *last = bar.open_time_ms;
        n++;
    }
    return n;
}

int eb_dexchange_open(eb_daemon_t *d, int64_t warm_until_ms, char *err, size_t cap)
{
    eb_klines_config_t c;
    char kerr[512];
    eb_klines_config_default(&c);
    c.base_url = d->app.exchange_url;
    c.symbol = d->app.symbol;
    c.interval = d->app.interval;
    d->src.klines = eb_klines_new(&c, kerr, sizeof kerr);
    if (!d->src.klines)
        return eb_errf(err, cap, "appliance (source \"exchange\"): %s", kerr);
    int64_t iv = eb_klines_interval(d->src.klines);
    int64_t need = eb_features_warmup_bars(&d->pcfg.features) + HISTORY_BARS;
    int64_t end = warm_until_ms != INT64_MIN ? warm_until_ms + iv : eb_clock_realtime_ms();
    eb_klines_start_at(d->src.klines, end - need * iv);
    int64_t last = INT64_MIN;
    long fed = 0, n;
    int rc;
    do { /* the kill switch is serviced while it waits: a press during a long backfill is not delayed */
        rc = eb_klines_backfill_blocking_with(d->src.klines, BACKFILL_STALL_MS, service_kill, d);
        n = warm_queued(d, warm_until_ms, &last);
        fed += n;
    } while (rc == 1 && n > 0);
    if (rc < 0)
        return eb_errf(err, cap, "backfill from %s: %s", d->app.exchange_url, eb_klines_error(d->src.klines));
    if (warm_until_ms != INT64_MIN && last != warm_until_ms)
        return eb_errf(err, cap, "backfill from %s: the exchange did not return the journal's last bar (%lld)",
                       d->app.exchange_url, (long long)warm_until_ms);
    eb_dlog(d, fed < need ? 4 : 6, "backfill: %ld closed bars of the %lld the warm-up wants from %s", fed,
            (long long)need, d->app.exchange_url);
    stale_update(d, eb_clock_realtime_ms());
    return 0;
}

void eb_dexchange_timer(void *ctx, int64_t now_ms)
{
    (void)now_ms; /* the loop's clock is monotonic; bars are judged on the wall clock */
    eb_daemon_t *d = ctx;
    int64_t wall = eb_clock_realtime_ms();
    if (eb_klines_poll(d->src.klines, wall) < 0)
        eb_dlog(d, 4, "%s", eb_klines_error(d->src.klines));
    eb_bar_t bar;
    int64_t gap;
    if (!eb_dj_failing(d) && eb_klines_take(d->src.klines, &bar, &gap)) {
        if (gap > 0)
            eb_dlog(d, 4, "the exchange has no bars for %lld interval(s) before %lld", (long long)gap,
                    (long long)bar.open_time_ms);
        eb_dbar_on_bar(d, &bar);
    }
    stale_update(d, wall);
}

void eb_dexchange_close(eb_daemon_t *d)
{
    eb_klines_free(d->src.klines);
    d->src.klines = NULL;
}
