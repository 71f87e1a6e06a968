/* One closed bar through the daemon: yesterday's market orders fill at this open (paper), the core pipeline
 * decides, and everything it decided is journalled before anything acts on it. */
#include "app/daemon.h"

#include "hal/clock.h"

#include <math.h>
#include <string.h>

void eb_daemon_journal_begin(eb_daemon_t *d)
{
    if (!d->in_txn && eb_journal_begin(d->journal) == 0)
        d->in_txn = 1;
}

/* A journal failure stops trading (reason "journal") and lights the alarm; it is never ignored. */
void eb_daemon_journal_check(eb_daemon_t *d, int rc, const char *what)
{
    if (rc >= 0)
        return;
    d->stats.journal_errors++;
    if (!eb_arming_has(d->external, EB_DISARM_JOURNAL))
        eb_daemon_log(d, 2, "journal write failed (%s): %s; trading disarmed", what, eb_journal_error(d->journal));
    d->external = eb_arming_set(d->external, EB_DISARM_JOURNAL);
    d->fault = 1;
}

void eb_daemon_commit(eb_daemon_t *d, int force)
{
    if (!d->in_txn || !d->journal)
        return;
    int64_t now = eb_clock_monotonic_ms();
    if (!force && d->bars_since_commit < 1000 && now - d->last_commit_mono < 1000)
        return;
    eb_daemon_journal_check(d, eb_daemon_snapshot_write(d), "snapshot");
    eb_daemon_journal_check(d, eb_journal_commit(d->journal), "commit");
    d->in_txn = 0;
    d->bars_since_commit = 0;
    d->last_commit_mono = now;
}

static void position_key(const eb_daemon_t *d, uint32_t id, char *out, size_t cap)
{
    snprintf(out, cap, "%.15s#%u", d->app.symbol, id);
}

static void journal_position(eb_daemon_t *d, uint32_t id, int64_t t)
{
    char key[EB_JOURNAL_SYMBOL_MAX];
    position_key(d, id, key, sizeof key);
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        const eb_slot_t *s = &d->pipe->engine.slots[i];
        if (s->state != EB_SLOT_OPEN || s->id != id)
            continue;
        eb_journal_position_t p = {.side = s->pos.side, .qty = s->pos.qty, .qty_initial = s->pos.qty_initial,
                                   .entry = s->pos.entry, .r_dist = s->pos.r_dist, .stop = s->pos.stop,
                                   .stop_kind = (int)s->pos.stop_kind, .trailing = s->pos.trailing,
                                   .partial_done = s->pos.partial_done, .opened_ms = s->entry_time_ms,
                                   .updated_ms = t};
        snprintf(p.symbol, sizeof p.symbol, "%s", key);
        eb_daemon_journal_check(d, eb_journal_position_put(d->journal, &p), "position");
        return;
    }
    eb_daemon_journal_check(d, eb_journal_position_delete(d->journal, key), "position");
}

void eb_daemon_order_intent(eb_daemon_t *d, const eb_intent_t *it, const char *type, const char *reason, int64_t t)
{
    eb_journal_order_t o;
    memset(&o, 0, sizeof o);
    snprintf(o.client_id, sizeof o.client_id, "%s", it->client_id);
    snprintf(o.symbol, sizeof o.symbol, "%s", d->app.symbol);
    snprintf(o.type, sizeof o.type, "%s", type);
    o.side = it->kind == EB_INTENT_ENTER ? it->side : -it->side;
    o.qty = it->qty;
    o.price = NAN;
    o.stop_price = it->kind == EB_INTENT_STOP_EXIT ? it->price : NAN;
    o.bar_ms = it->time_ms;
    snprintf(o.reason, sizeof o.reason, "%s",
             reason ? reason
                    : it->kind == EB_INTENT_ENTER ? "entry" : eb_exit_reason_name((eb_exit_reason_t)it->reason));
    eb_daemon_journal_check(d, eb_journal_order_intent(d->journal, &o, t), "order intent");
}

/* Applies one paper fill and journals the order's new state, the fill and the position. */
void eb_daemon_fill(eb_daemon_t *d, const eb_intent_t *it, double px, int64_t t)
{
    eb_paper_fill_t f;
    if (eb_paper_fill_now(&d->broker, &d->pipe->engine, it, px, t, &f) != 0) {
        eb_daemon_log(d, 3, "paper fill of %s refused by the engine", it->client_id);
        eb_daemon_journal_check(d, eb_journal_order_update(d->journal, it->client_id, EB_ORDER_REJECTED, NULL, NAN, NAN,
                                                 "engine refused the fill", t), "order");
        return;
    }
    eb_journal_fill_t jf = {.qty = f.qty, .price = f.price, .fee = f.fee, .time_ms = t};
    snprintf(jf.client_id, sizeof jf.client_id, "%s", it->client_id);
    snprintf(jf.trade_id, sizeof jf.trade_id, "paper-%llu", (unsigned long long)d->broker.fills);
    snprintf(jf.fee_asset, sizeof jf.fee_asset, "USDT");
    eb_daemon_journal_check(d, eb_journal_order_update(d->journal, it->client_id, EB_ORDER_SENT, NULL, NAN, NAN, NULL, t), "order");
    eb_daemon_journal_check(d, eb_journal_order_update(d->journal, it->client_id, EB_ORDER_FILLED, "paper", f.qty, f.price,
                                             NULL, t), "order");
    eb_daemon_journal_check(d, eb_journal_fill_add(d->journal, &jf), "fill");
    journal_position(d, it->position_id, t);
    if (f.closed) {
        char detail[200];
        snprintf(detail, sizeof detail, "position %u closed: %s, %.4fR, pnl %.2f", f.trade.position_id,
                 eb_exit_reason_name(f.trade.reason), f.trade.r_multiple, f.trade.pnl);
        eb_daemon_journal_check(d, eb_journal_event_add(d->journal, t, "trade", detail), "event");
        eb_daemon_lifecycle_trade(d, t, f.trade.r_multiple);
    }
}

/* Market orders decided at the previous close fill at this bar's open. */
static void fill_pending(eb_daemon_t *d, const eb_bar_t *bar)
{
    int n = d->broker.npending;
    d->broker.npending = 0;
    for (int i = 0; i < n; i++)
        eb_daemon_fill(d, &d->broker.pending[i], bar->open, bar->open_time_ms);
}

static void act(eb_daemon_t *d, const eb_intent_t *it, int64_t t)
{
    switch (it->kind) {
    case EB_INTENT_STOP_EXIT: /* the protective stop traded inside this bar */
        eb_daemon_order_intent(d, it, "stop_market", NULL, t);
        eb_daemon_fill(d, it, it->price, t);
        break;
    case EB_INTENT_MOVE_STOP:
        journal_position(d, it->position_id, t);
        break;
    case EB_INTENT_ENTER:
    case EB_INTENT_EXIT:
        eb_daemon_order_intent(d, it, "market", NULL, t);
        if (eb_paper_queue(&d->broker, it) != 0) {
            eb_engine_cancel(&d->pipe->engine, it);
            eb_daemon_journal_check(d, eb_journal_order_update(d->journal, it->client_id, EB_ORDER_REJECTED, NULL, NAN, NAN,
                                                     "paper book full", t), "order");
        }
        break;
    }
}

static void journal_decision(eb_daemon_t *d, const eb_bar_t *bar)
{
    const eb_decision_t *last = &d->pipe->engine.last;
    eb_journal_decision_t dec = {.bar_ms = bar->open_time_ms, .p_buy = NAN, .p_sell = NAN, .p_neutral = NAN};
    snprintf(dec.action, sizeof dec.action, "%s", eb_action_name(last->action));
    if (last->refusal != EB_REFUSE_NONE)
        snprintf(dec.reason, sizeof dec.reason, "%s", eb_refusal_name(last->refusal));
    if (d->pipe->model && d->pipe->ready) {
        dec.p_sell = d->pipe->probs[EB_MODEL_CLASS_SELL];
        dec.p_neutral = d->pipe->probs[EB_MODEL_CLASS_NEUTRAL];
        dec.p_buy = d->pipe->probs[EB_MODEL_CLASS_BUY];
        snprintf(dec.model_id, sizeof dec.model_id, "%s", d->store.manifest.model_id);
    }
    eb_daemon_journal_check(d, eb_journal_decision_add(d->journal, &dec), "decision");
    double equity = eb_engine_equity(&d->pipe->engine, bar->close);
    eb_journal_equity_t eq = {.time_ms = bar->open_time_ms, .equity = equity, .cash = d->pipe->engine.cash,
                              .unrealized = equity - d->pipe->engine.cash};
    eb_daemon_journal_check(d, eb_journal_equity_add(d->journal, &eq), "equity");
}

void eb_daemon_on_bar(eb_daemon_t *d, const eb_bar_t *bar)
{
    int64_t t0 = eb_clock_monotonic_us();
    eb_intent_t intents[EB_ENGINE_MAX_INTENTS];
    eb_daemon_journal_begin(d);
    eb_daemon_lifecycle_bar(d, bar->open_time_ms);
    int filled = d->broker.npending;
    fill_pending(d, bar);
    eb_engine_set_external(&d->pipe->engine, d->external);
    int n = eb_pipeline_step(d->pipe, bar, 0, intents, EB_ENGINE_MAX_INTENTS);
    if (n < 0) {
        eb_daemon_log(d, 4, "bar at %lld refused by the engine", (long long)bar->open_time_ms);
        eb_daemon_journal_check(d, eb_journal_event_add(d->journal, bar->open_time_ms, "error", "bar refused"), "event");
        return;
    }
    for (int i = 0; i < n; i++)
        act(d, &intents[i], bar->open_time_ms);
    int64_t decided = eb_clock_monotonic_us();
    journal_decision(d, bar);
    eb_daemon_models_bar(d, d->pipe->ready ? d->pipe->probs : NULL);
    eb_daemon_arming_update(d, bar->open_time_ms);
    d->stats.bars++;
    d->bars_since_commit++;
    eb_daemon_commit(d, n > 0 || filled > 0); /* order state is durable at once; quiet bars are grouped */
    double us = (double)(decided - t0);
    d->stats.decision_us_last = us;
    d->stats.decision_us_sum += us;
    d->stats.decisions_timed++;
    if (d->opt.report_every_bars > 0 && d->stats.bars % (uint64_t)d->opt.report_every_bars == 0)
        eb_daemon_report(d, "periodic");
    if (us > d->stats.decision_us_max)
        d->stats.decision_us_max = us;
}
