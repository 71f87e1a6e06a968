#include "app/daemon/lifecycle.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/log.h"
#include "app/daemon/telegram_notify.h"

#include <string.h>

#define DAY_MS 86400000LL

static const char *strategy(const eb_daemon_t *d) { return d->pipe->engine.cfg.strategy; }

const char *eb_dlc_stage(const eb_daemon_t *d)
{
    return d->t.life.ready == 1 ? eb_lc_state_name((eb_lc_state_t)d->t.life.lc.state) : "unknown";
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
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_event_add(d->jw.j, t, "lifecycle", detail), "lifecycle event");
}

/* The journal's row, or incubation from this bar when there is none. A snapshot restored at start-up
 * already holds the tracker (written with the row in the same transactions). */
static void load(eb_daemon_t *d, int64_t bar_ms)
{
    eb_dlife_t *l = &d->t.life;
    char stage[32], detail[160];
    int64_t since = bar_ms;
    eb_lc_state_t st = EB_LC_INCUBATION;
    int rc = eb_journal_lifecycle_get(d->jw.j, strategy(d), stage, sizeof stage, &since);
    if (rc == 0 && state_from_name(stage, &st) != 0)
        rc = -1;
    if (rc < 0) {
        eb_dj_check(d, -1, "lifecycle (unreadable row)");
        return;
    }
    if (l->ready != 2 || l->lc.state != (int32_t)st || l->lc.since_ms != since)
        eb_lc_track_init(&l->lc, st, since); /* no snapshot, or one older than the row: no trades kept */
    l->ready = 1;
    if (eb_journal_state_get(d->jw.j, "lifecycle.consent", l->consent, sizeof l->consent) < 0) {
        eb_dj_check(d, -1, "lifecycle.consent (unreadable)");
        l->consent[0] = '\0';
    }
    if (rc == 1 && eb_dj_begin(d)) {
        eb_dj_check(d, eb_journal_lifecycle_set(d->jw.j, strategy(d), "incubation", bar_ms, bar_ms), "lifecycle");
        snprintf(detail, sizeof detail, "%s: incubation (paper) from this bar", strategy(d));
        event(d, bar_ms, detail);
    }
}

/* The box's one way to ask the rule: validated (a model reaches the box only signed, after the host's
 * validation), and consented when the operator consented to the running model (POST
 * /api/v1/lifecycle/consent; a consent to an earlier model does not carry over). */
static void ask(const eb_daemon_t *d, int64_t now_ms, eb_lc_params_t *p, eb_lc_decision_t *dec)
{
    const eb_dlife_t *l = &d->t.life;
    int consent = l->consent[0] && d->models.store.active >= 0 &&
                  strcmp(l->consent, d->models.store.manifest.model_id) == 0;
    *p = eb_lc_params_default();
    eb_lc_track_decide(&l->lc, p, now_ms, 1, consent, dec);
}

int eb_dlc_outlook(const eb_daemon_t *d, int64_t now_ms, eb_lc_params_t *p, eb_lc_decision_t *out)
{
    if (d->t.life.ready != 1)
        return -1;
    ask(d, now_ms, p, out);
    return 0;
}

static int decide(eb_daemon_t *d, int64_t now_ms)
{
    eb_dlife_t *l = &d->t.life;
    eb_lc_params_t p;
    eb_lc_decision_t dec;
    eb_lc_state_t from = (eb_lc_state_t)l->lc.state;
    ask(d, now_ms, &p, &dec);
    if (dec.action == EB_LC_HOLD && (int)dec.reason == l->last_reason)
        return 0; /* journal changes, not every evaluation */
    l->last_reason = (int)dec.reason;
    char detail[240];
    snprintf(detail, sizeof detail, "%s: %s %s -> %s (%s); %d trades, expectancy %.4fR over the last %d",
             strategy(d), eb_lc_action_name(dec.action), eb_lc_state_name(from), eb_lc_state_name(dec.next),
             eb_lc_reason_text(dec.reason), dec.trades, dec.expectancy, dec.trades < p.window ? dec.trades : p.window);
    event(d, now_ms, detail);
    if (dec.action == EB_LC_HOLD)
        return 0;
    eb_dlog(d, dec.action == EB_LC_DEMOTE ? 3 : 5, "lifecycle %s", detail);
    eb_dtg_notify(d, EB_DTG_LIFECYCLE, detail);
    eb_lc_track_apply(&l->lc, &dec, now_ms);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_lifecycle_set(d->jw.j, strategy(d), eb_lc_state_name(dec.next), now_ms, now_ms),
                    "lifecycle");
    return 1;
}

int eb_dlc_bar(eb_daemon_t *d, int64_t bar_ms)
{
    eb_dlife_t *l = &d->t.life;
    if (!d->jw.j || !d->pipe)
        return 0;
    if (l->ready == 2) { /* resumed: the snapshot's tracker, last report and day carry on */
        load(d, bar_ms);
    } else if (l->ready == 0) {
        l->last_reason = -1;
        load(d, bar_ms);
        l->last_day = bar_ms / DAY_MS;
        return l->ready == 1 ? decide(d, bar_ms) : 0;
    }
    if (l->ready == 1 && bar_ms / DAY_MS != l->last_day) {
        l->last_day = bar_ms / DAY_MS;
        return decide(d, bar_ms);
    }
    return 0;
}

int eb_dlc_trade(eb_daemon_t *d, int64_t close_ms, double r)
{
    if (d->t.life.ready != 1)
        return 0;
    eb_lc_track_add(&d->t.life.lc, close_ms, r);
    return decide(d, close_ms);
}
