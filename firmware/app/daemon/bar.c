#include "app/daemon/bar.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/kill.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/models.h"
#include "app/daemon/orders.h"
#include "app/daemon/status.h"
#include "hal/io/clock.h"
#include "hal/io/sched_stats.h"

#include <math.h>
#include <string.h>

static void journal_decision(eb_daemon_t *d, const eb_bar_t *bar)
{
    if (!eb_dj_begin(d))
        return;
    const eb_decision_t *last = &d->pipe->engine.last;
    eb_journal_decision_t dec = {.bar_ms = bar->open_time_ms, .p_buy = NAN, .p_sell = NAN, .p_neutral = NAN};
    snprintf(dec.action, sizeof dec.action, "%s", eb_action_name(last->action));
    if (last->refusal != EB_REFUSE_NONE)
        snprintf(dec.reason, sizeof dec.reason, "%s", eb_refusal_name(last->refusal));
    if (d->pipe->model && d->pipe->ready) {
        dec.p_sell = d->pipe->probs[EB_MODEL_CLASS_SELL];
        dec.p_neutral = d->pipe->probs[EB_MODEL_CLASS_NEUTRAL];
        dec.p_buy = d->pipe->probs[EB_MODEL_CLASS_BUY];
        snprintf(dec.model_id, sizeof dec.model_id, "%s", d->models.store.manifest.model_id);
    }
    eb_dj_check(d, eb_journal_decision_add(d->jw.j, &dec), "decision");
    double equity = eb_engine_equity(&d->pipe->engine, bar->close);
    eb_journal_equity_t eq = {.time_ms = bar->open_time_ms, .equity = equity, .cash = d->pipe->engine.cash,
                              .unrealized = equity - d->pipe->engine.cash};
    eb_dj_check(d, eb_journal_equity_add(d->jw.j, &eq), "equity");
}


/* The bar's journal work, after the decision: the lifecycle's day (before this bar's trades count), the
 * orders, fills and positions in the order they happened. */
static void journal_bar_work(eb_daemon_t *d, const eb_bar_t *bar)
{
    if (eb_dlc_bar(d, bar->open_time_ms))
        eb_dstatus_line(d);
    eb_dorders_journal(d);
}

/* A decision's time, and whether the machine or the code made it slow: a preempted decision counts in the
 * whole histogram only (the tail a user sees), an unpreempted one in both (the tail the code owns). */
static void note_decision(eb_daemon_stats_t *s, uint64_t ns, const eb_sched_stats_t *k0, const eb_sched_stats_t *k1,
                          const int64_t *phases, int64_t bar_ms)
{
    if (ns > s->decision.max_ns) { /* where the slowest one spent its time (the stop line prints it) */
        memcpy(s->worst_phase_ns, phases, sizeof s->worst_phase_ns);
        s->worst_bar_ms = bar_ms;
    }
    eb_lat_add(&s->decision, ns);
    if (!k0)
        return;
    s->decision_faults += (uint64_t)(k1->minor_faults - k0->minor_faults + k1->major_faults - k0->major_faults);
    if (k1->preemptions != k0->preemptions)
        s->decision_preempted++;
    else
        eb_lat_add(&s->decision_own, ns);
}

void eb_dbar_on_bar(eb_daemon_t *d, const eb_bar_t *bar)
{
    eb_sched_stats_t k0, k1;
    int sched_ok = eb_sched_stats_thread(&k0) == 0;
    int64_t t0 = eb_clock_monotonic_ns();
    eb_intent_t intents[EB_ENGINE_MAX_INTENTS];
    eb_dkill_before_decision(d); /* a press not yet dispatched by the loop still counts for this bar */
    eb_dj_note_bar(d, bar);
    eb_dj_begin(d);
    int64_t t_kill = eb_clock_monotonic_ns();
    int filled = eb_dorders_collect(d, bar);
    eb_engine_set_external(&d->pipe->engine, eb_dstatus_external(d));
    int64_t t_collect = eb_clock_monotonic_ns();
    int n = eb_pipeline_step(d->pipe, bar, 0, intents, EB_ENGINE_MAX_INTENTS);
    int64_t t_step = eb_clock_monotonic_ns();
    if (n < 0) {
        eb_dlog(d, 4, "bar at %lld refused by the engine", (long long)bar->open_time_ms);
        journal_bar_work(d, bar);
        if (eb_dj_begin(d))
            eb_dj_check(d, eb_journal_event_add(d->jw.j, bar->open_time_ms, "error", "bar refused"), "event");
        return;
    }
    eb_dorders_act(d, intents, n, bar->open_time_ms);
    int64_t decided = eb_clock_monotonic_ns();
    sched_ok = sched_ok && eb_sched_stats_thread(&k1) == 0;
    journal_bar_work(d, bar);
    journal_decision(d, bar);
    eb_dmodels_bar(d, d->pipe->ready ? d->pipe->probs : NULL);
    eb_dstatus_update(d);
    d->t.bars++;
    /* order state is durable at once (quiet bars are grouped); only then may the broker transmit */
    if (eb_dj_commit(d, n > 0 || filled > 0) == 0)
        eb_dorders_flush(d);
    int64_t phases[EB_DECISION_PHASES] = {t_kill - t0, t_collect - t_kill, t_step - t_collect, decided - t_step};
    note_decision(&d->stats, decided > t0 ? (uint64_t)(decided - t0) : 0, sched_ok ? &k0 : NULL, &k1, phases,
                  bar->open_time_ms);
    if (d->opt.report_every_bars > 0 && d->t.bars % (uint64_t)d->opt.report_every_bars == 0)
        eb_dlog_memory(d, "periodic");
}
