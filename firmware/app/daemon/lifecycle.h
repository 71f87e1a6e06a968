/* The strategy lifecycle on the box (SPEC section 9): the box trades paper while the strategy is in
 * incubation; the rule function the host reports use (core/lifecycle.h) decides, through the tracker in
 * the daemon's snapshot (core/lifecycle_track.h), after every closed trade and once a UTC day.
 *
 * The stage and when it began live in the journal's lifecycle table, keyed by the strategy name. A box
 * with no row starts the strategy in incubation at its first bar: a model reaches the box only signed,
 * after the host's validation. Promotion to production needs the operator's consent to the running model,
 * which only the API gives (POST /api/v1/lifecycle/consent, journal state lifecycle.consent); without it the
 * rule reports "awaiting the operator's consent" once the other criteria hold (production still trades
 * paper in this build: there is no live broker); a demotion from production is applied and journalled as an alert. Times are bar times:
 * in replay they are the replayed market's, as every other record of the daemon. */
#ifndef EB_APP_DAEMON_LIFECYCLE_H
#define EB_APP_DAEMON_LIFECYCLE_H

#include "app/daemon/internal.h"

/* A bar begins (the first one loads or creates the journal's row). Returns 1 when the stage changed. */
int eb_dlc_bar(eb_daemon_t *d, int64_t bar_ms);
/* A trade closed with r_multiple r. Returns 1 when the stage changed. */
int eb_dlc_trade(eb_daemon_t *d, int64_t close_ms, double r);
/* "incubation", ...; "unknown" before the first bar. */
const char *eb_dlc_stage(const eb_daemon_t *d);
/* What the rule says at now_ms, without applying it (GET /api/v1/lifecycle), with the parameters it used.
 * 0, or -1 before the first bar (nothing is loaded yet). */
int eb_dlc_outlook(const eb_daemon_t *d, int64_t now_ms, eb_lc_params_t *p, eb_lc_decision_t *out);

#endif
