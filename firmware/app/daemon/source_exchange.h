/* The bar source "exchange" (SPEC section 2, "Market data"): closed bars from the exchange's public klines
 * (app/klines.h). Before READY the backfill warms every feature up (the features' warm-up plus the
 * 252-bar volatility history) without trading; after a restart it warms up to the journal's last bar and
 * the bars since then go through the engine like any live bar. The kill switch is serviced between the
 * backfill's requests. In the loop a 50 ms timer polls without blocking and hands one bar per tick to the
 * engine, and the stale-data rule (core/stale.h) sets or clears EB_DISARM_STALE_DATA: no new entries while
 * the newest closed bar is older than two intervals plus appliance.stale_grace_ms; stops keep being
 * managed. While the journal fails, bars stay queued in the klines client. */
#ifndef EB_APP_DAEMON_SOURCE_EXCHANGE_H
#define EB_APP_DAEMON_SOURCE_EXCHANGE_H

#include "app/daemon/internal.h"

/* Backfill (warm-up bars fed to the pipeline without trading, up to warm_until_ms, INT64_MIN: all; later
 * bars stay queued for the loop). 0, or -1 with err. */
int eb_dexchange_open(eb_daemon_t *d, int64_t warm_until_ms, char *err, size_t cap);
void eb_dexchange_timer(void *ctx, int64_t now_ms);
void eb_dexchange_close(eb_daemon_t *d);

#endif
