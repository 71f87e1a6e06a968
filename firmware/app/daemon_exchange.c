/* The bar source "exchange" (SPEC section 2, "Market data"): closed bars from the exchange's public klines
 * (app/klines.h). Before READY the backfill warms every feature up (the features' warm-up plus the
 * 252-bar volatility history) without trading; after a restart it warms up to the journal's last bar and
 * the bars since then go through the engine like any live bar. In the loop a 50 ms timer polls without
 * blocking and hands one bar per tick to the engine (the kill switch is looked at between any two), and
 * the stale-data rule (core/stale.h) sets or clears EB_DISARM_STALE_DATA: no new entries while the newest
 * closed bar is older than two intervals plus appliance.stale_grace_ms; stops keep being managed. */
#include "app/daemon.h"
#include "core/features.h"
#include "core/stale.h"
#include "hal/clock.h"

#include <stdio.h>

#define HISTORY_BARS 252             /* historical_atr_window and the percentile windows (SPEC section 4) */
#define BACKFILL_STALL_MS 60000      /* start-up gives up when the exchange sends nothing for this long */

static void stale_update(eb_daemon_t *d, int64_t wall_ms)
{
    int64_t newest = eb_klines_newest_open_ms(d->klines);
    int stale = eb_stale_is_stale(newest, eb_klines_interval(d->klines), d->app.stale_grace_ms, wall_ms);
    if (stale == d->stale)
        return;
    d->stale = stale;
    d->external = stale ? eb_arming_set(d->external, EB_DISARM_STALE_DATA)
                        : eb_arming_clear(d->external, EB_DISARM_STALE_DATA);
    if (stale)
        eb_daemon_log(d, 4, "stale data: newest closed bar %lld is %lld ms old (limit: two intervals + %lld ms); "
                      "no new entries", (long long)newest, (long long)eb_stale_age_ms(newest, wall_ms),
                      (long long)d->app.stale_grace_ms);
    else
        eb_daemon_log(d, 5, "data fresh again: newest closed bar %lld", (long long)newest);
    eb_daemon_arming_update(d, wall_ms);
}

/* Feeds the queued bars up to warm_until_ms (INT64_MIN: all) to the pipeline while disarmed. */
static long warm_queued(eb_daemon_t *d, int64_t warm_until_ms, int64_t *last)
{
    eb_intent_t scratch[EB_ENGINE_MAX_INTENTS];
    eb_bar_t bar;
    long n = 0;
    while (eb_klines_peek(d->klines, &bar) && (warm_until_ms == INT64_MIN || bar.open_time_ms <= warm_until_ms)) {
        eb_klines_take(d->klines, &bar, NULL);
        eb_engine_set_external(&d->pipe->engine, d->external); /* "starting" is set: nothing is entered */
        eb_pipeline_step(d->pipe, &bar, 0, scratch, EB_ENGINE_MAX_INTENTS);
        *last = bar.open_time_ms;
        n++;
    }
    return n;
}

int eb_daemon_exchange_open(eb_daemon_t *d, int64_t warm_until_ms, char *err, size_t cap)
{
    eb_klines_config_t c;
    char kerr[512];
    eb_klines_config_default(&c);
    c.base_url = d->app.exchange_url;
    c.symbol = d->app.symbol;
    c.interval = d->app.interval;
    d->klines = eb_klines_new(&c, kerr, sizeof kerr);
    if (!d->klines) {
        snprintf(err, cap, "appliance (source \"exchange\"): %s", kerr);
        return -1;
    }
    int64_t iv = eb_klines_interval(d->klines);
    int64_t need = eb_features_warmup_bars(&d->pcfg.features) + HISTORY_BARS;
    int64_t end = warm_until_ms != INT64_MIN ? warm_until_ms + iv : eb_clock_realtime_ms();
    eb_klines_start_at(d->klines, end - need * iv);
    int64_t last = INT64_MIN;
    long fed = 0, n;
    int rc;
    do {
        rc = eb_klines_backfill_blocking(d->klines, BACKFILL_STALL_MS);
        n = warm_queued(d, warm_until_ms, &last);
        fed += n;
    } while (rc == 1 && n > 0);
    if (rc < 0) {
        snprintf(err, cap, "backfill from %s: %s", d->app.exchange_url, eb_klines_error(d->klines));
        return -1;
    }
    if (warm_until_ms != INT64_MIN && last != warm_until_ms) {
        snprintf(err, cap, "backfill from %s: the exchange did not return the journal's last bar (%lld)",
                 d->app.exchange_url, (long long)warm_until_ms);
        return -1;
    }
    eb_daemon_log(d, fed < need ? 4 : 6, "backfill: %ld closed bars of the %lld the warm-up wants from %s", fed,
                  (long long)need, d->app.exchange_url);
    stale_update(d, eb_clock_realtime_ms());
    return 0;
}

void eb_daemon_exchange_timer(void *ctx, int64_t now_ms)
{
    (void)now_ms; /* the loop's clock is monotonic; bars are judged on the wall clock */
    eb_daemon_t *d = ctx;
    int64_t wall = eb_clock_realtime_ms();
    if (eb_klines_poll(d->klines, wall) < 0)
        eb_daemon_log(d, 4, "%s", eb_klines_error(d->klines));
    eb_bar_t bar;
    int64_t gap;
    if (eb_klines_take(d->klines, &bar, &gap)) {
        if (gap > 0)
            eb_daemon_log(d, 4, "the exchange has no bars for %lld interval(s) before %lld", (long long)gap,
                          (long long)bar.open_time_ms);
        eb_daemon_on_bar(d, &bar);
    }
    stale_update(d, wall);
}

void eb_daemon_exchange_close(eb_daemon_t *d)
{
    eb_klines_free(d->klines);
    d->klines = NULL;
}
