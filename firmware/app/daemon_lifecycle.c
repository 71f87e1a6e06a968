/* The strategy lifecycle on the box (SPEC section 9): the box trades paper while the strategy is in
 * incubation; the rule function the host reports use (core/lifecycle.h) decides, through the tracker in
 * the daemon's snapshot (core/lifecycle_track.h), after every closed trade and once a UTC day.
 *
 * The stage and when it began live in the journal's lifecycle table, keyed by the strategy name. A box
 * with no row starts the strategy in incubation at its first bar: a model reaches the box only signed,
 * after the host's validation. Promotion to production needs the operator's consent, which only the API
 * can give (not there yet), so on the box the rule reports "awaiting the operator's consent" once the other
 * criteria hold; a demotion from production is applied and journalled as an alert. Times are bar times:
 * in replay they are the replayed market's, as every other record of the daemon. */
#include "app/daemon.h"

#include <string.h>

#define DAY_MS 86400000LL

static const char *strategy(const eb_daemon_t *d) { return d->pipe->engine.cfg.strategy; }

const char *eb_daemon_lifecycle_stage(const eb_daemon_t *d)
{
    return d->lc_ready == 1 ? eb_lc_state_name((eb_lc_state_t)d->lc.state) : "unknown";
}

static int state_from_name(const char *s, eb_lc_state_t *out)
{
    const eb_lc_state_t all[] = {EB_LC_CANDIDATE, EB_LC_INCUBATION, EB_LC_PRODUCTION, EB_LC_RETIRED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, eb_lc_state_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

static void event(eb_daemon_t *d, int64_t t, const char *detail)
{
    eb_daemon_journal_check(d, eb_journal_event_add(d->journal, t, "lifecycle", detail), "event");
}

/* The journal's row, or incubation from this bar when there is none. A snapshot restored at start-up
 * already holds the tracker (written with the row in the same transactions). */
static void load(eb_daemon_t *d, int64_t bar_ms)
{
    char stage[32], detail[160];
    int64_t since = bar_ms;
    eb_lc_state_t st = EB_LC_INCUBATION;
    int rc = eb_journal_lifecycle_get(d->journal, strategy(d), stage, sizeof stage, &since);
    if (rc == 0 && state_from_name(stage, &st) != 0)
        rc = -1;
    if (rc < 0) {
        eb_daemon_journal_check(d, -1, "lifecycle (unreadable row)");
        return;
    }
    if (d->lc_ready != 2 || d->lc.state != (int32_t)st || d->lc.since_ms != since)
        eb_lc_track_init(&d->lc, st, since); /* no snapshot, or one older than the row: no trades kept */
    d->lc_ready = 1;
    if (rc == 1) {
        eb_daemon_journal_check(d, eb_journal_lifecycle_set(d->journal, strategy(d), "incubation", bar_ms, bar_ms),
                                "lifecycle");
        snprintf(detail, sizeof detail, "%s: incubation (paper) from this bar", strategy(d));
        event(d, bar_ms, detail);
    }
}

static void decide(eb_daemon_t *d, int64_t now_ms)
{
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_decision_t dec;
    eb_lc_state_t from = (eb_lc_state_t)d->lc.state;
    eb_lc_track_decide(&d->lc, &p, now_ms, 1, 0, &dec);
    if (dec.action == EB_LC_HOLD && (int)dec.reason == d->lc_last_reason)
        return; /* journal changes, not every evaluation */
    d->lc_last_reason = (int)dec.reason;
    char detail[240];
    snprintf(detail, sizeof detail, "%s: %s %s -> %s (%s); %d trades, expectancy %.4fR over the last %d",
             strategy(d), eb_lc_action_name(dec.action), eb_lc_state_name(from), eb_lc_state_name(dec.next),
             eb_lc_reason_text(dec.reason), dec.trades, dec.expectancy, dec.trades < p.window ? dec.trades : p.window);
    event(d, now_ms, detail);
    if (dec.action == EB_LC_HOLD)
        return;
    eb_daemon_log(d, dec.action == EB_LC_DEMOTE ? 3 : 5, "lifecycle %s", detail);
    eb_lc_track_apply(&d->lc, &dec, now_ms);
    eb_daemon_journal_check(d, eb_journal_lifecycle_set(d->journal, strategy(d), eb_lc_state_name(dec.next), now_ms,
                                                        now_ms), "lifecycle");
    eb_daemon_status(d);
}

void eb_daemon_lifecycle_bar(eb_daemon_t *d, int64_t bar_ms)
{
    if (!d->journal || !d->pipe)
        return;
    if (d->lc_ready == 2) { /* resumed: the snapshot's tracker, last report and day carry on */
        load(d, bar_ms);
    } else if (d->lc_ready == 0) {
        d->lc_last_reason = -1;
        load(d, bar_ms);
        d->lc_last_day = bar_ms / DAY_MS;
        if (d->lc_ready == 1)
            decide(d, bar_ms);
        return;
    }
    if (d->lc_ready == 1 && bar_ms / DAY_MS != d->lc_last_day) {
        d->lc_last_day = bar_ms / DAY_MS;
        decide(d, bar_ms);
    }
}

void eb_daemon_lifecycle_trade(eb_daemon_t *d, int64_t close_ms, double r)
{
    if (d->lc_ready != 1)
        return;
    eb_lc_track_add(&d->lc, close_ms, r);
    decide(d, close_ms);
}
