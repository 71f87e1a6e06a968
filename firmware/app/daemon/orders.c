#include "app/daemon/orders.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "hal/io/clock.h"

#include <math.h>
#include <string.h>

#define EVENTS_PER_CALL 32

static eb_journal_t *J(const eb_daemon_t *d) { return d->jw.j; }
static eb_engine_t *E(eb_daemon_t *d) { return &d->pipe->engine; }

/* --- the daemon's orders, by client id -------------------------------------------------------- */

static eb_dorder_t *order_of(eb_daemon_t *d, const char *client_id)
{
    for (int i = 0; i < EB_DAEMON_MAX_ORDERS; i++)
        if (d->t.venue.orders[i].used && strcmp(d->t.venue.orders[i].it.client_id, client_id) == 0)
            return &d->t.venue.orders[i];
    return NULL;
}

static eb_dorder_t *order_add(eb_daemon_t *d, const eb_intent_t *it)
{
    for (int i = 0; i < EB_DAEMON_MAX_ORDERS; i++) {
        eb_dorder_t *o = &d->t.venue.orders[i];
        if (!o->used) {
            *o = (eb_dorder_t){.it = *it, .used = 1};
            return o;
        }
    }
    return NULL;
}

/* --- what to journal after the decision --------------------------------------------------------- */

static void journal_due(eb_daemon_t *d, const eb_ddue_t *u);

/* The next record; when the table is full (it is sized for a bar's worst case) it is written out first. */
static eb_ddue_t *due(eb_daemon_t *d, eb_ddue_kind_t kind, const eb_intent_t *it, int64_t t)
{
    if (d->ndue == EB_DAEMON_MAX_DUE)
        eb_dorders_journal(d);
    eb_ddue_t *u = &d->due[d->ndue++];
    memset(u, 0, sizeof *u);
    u->kind = kind;
    u->it = *it;
    u->t = t;
    return u;
}

static void due_state(eb_daemon_t *d, const eb_intent_t *it, eb_order_state_t to, const char *exchange_id,
                      const char *detail, int64_t t)
{
    eb_ddue_t *u = due(d, EB_DUE_STATE, it, t);
    u->to = to;
    snprintf(u->exchange_id, sizeof u->exchange_id, "%s", exchange_id ? exchange_id : "");
    snprintf(u->detail, sizeof u->detail, "%s", detail ? detail : "");
}

static void due_intent(eb_daemon_t *d, const eb_intent_t *it, const char *type, const char *reason, int64_t t)
{
    eb_ddue_t *u = due(d, EB_DUE_INTENT, it, t);
    u->type = type;
    u->reason = reason;
}

static void due_fill(eb_daemon_t *d, const eb_intent_t *it, const eb_fill_t *f, const char *exchange_id,
                     const char *trade_id, int64_t t)
{
    eb_ddue_t *u = due(d, EB_DUE_FILL, it, t);
    u->fill = *f;
    snprintf(u->exchange_id, sizeof u->exchange_id, "%s", exchange_id);
    snprintf(u->trade_id, sizeof u->trade_id, "%s", trade_id);
}

/* --- broker events back into the engine ----------------------------------------------------------- */

static void on_fill(eb_daemon_t *d, eb_dorder_t *o, const eb_broker_event_t *ev)
{
    eb_fill_t f = {.price = ev->price, .qty = ev->qty, .fee = ev->fee};
    int rc = eb_engine_fill(E(d), &o->it, ev->price, ev->qty, ev->fee, ev->time_ms, &f.trade);
    if (rc < 0) { /* the venue filled what the engine cannot take: logged, the order is no longer ours */
        eb_dlog(d, 3, "fill of %s (%g at %g) refused by the engine", o->it.client_id, ev->qty, ev->price);
        due_state(d, &o->it, EB_ORDER_REJECTED, ev->exchange_id, "engine refused the fill", ev->time_ms);
        o->used = 0;
        return;
    }
    f.closed = rc == 1;
    due_fill(d, &o->it, &f, ev->exchange_id, ev->trade_id, ev->time_ms);
    if (ev->done)
        o->used = 0;
}

/* A cancelled or rejected order will not fill: the engine lets go of its intent. */
static void on_gone(eb_daemon_t *d, eb_dorder_t *o, const eb_broker_event_t *ev, eb_order_state_t to)
{
    eb_engine_cancel(E(d), &o->it);
    due_state(d, &o->it, to, ev->exchange_id, o->cancel_why[0] ? o->cancel_why : ev->detail, ev->time_ms);
    o->used = 0;
}

static int apply(eb_daemon_t *d, const eb_broker_event_t *ev)
{
    eb_dorder_t *o = order_of(d, ev->client_id);
    if (!o) {
        eb_dlog(d, 4, "%s event for an order the daemon does not hold: %s", eb_broker_event_name(ev->kind),
                ev->client_id);
        return 0;
    }
    switch (ev->kind) {
    case EB_BROKER_EV_ACCEPTED: due_state(d, &o->it, EB_ORDER_SENT, ev->exchange_id, NULL, ev->time_ms); return 0;
    case EB_BROKER_EV_FILLED: on_fill(d, o, ev); return 1;
    case EB_BROKER_EV_CANCELLED: on_gone(d, o, ev, EB_ORDER_CANCELLED); return 0;
    case EB_BROKER_EV_REJECTED:
        d->stats.exchange_errors[EB_DXERR_REJECTED]++;
        on_gone(d, o, ev, EB_ORDER_REJECTED);
        return 0;
    default: return 0;
    }
}

const char *eb_dorders_error_name(eb_dxerr_t code)
{
    static const char *const names[EB_DXERR_COUNT] = {
        [EB_DXERR_REJECTED] = "rejected", [EB_DXERR_SUBMIT_FAILED] = "submit_failed",
        [EB_DXERR_CANCEL_FAILED] = "cancel_failed"};
    return (unsigned)code < EB_DXERR_COUNT ? names[code] : "unknown";
}

void eb_dorders_init(eb_daemon_t *d)
{
    const eb_engine_config_t *c = &d->pipe->engine.cfg;
    eb_paper_init(&d->t.venue.paper, &c->costs, c->venue.lot_step, c->venue.min_notional);
    memset(d->t.venue.orders, 0, sizeof d->t.venue.orders);
    d->broker = eb_paper_broker(&d->t.venue.paper);
    d->ndue = 0;
}

int eb_dorders_collect(eb_daemon_t *d, const eb_bar_t *bar)
{
    eb_broker_event_t evs[EVENTS_PER_CALL];
    int fills = 0, n;
    do {
        n = d->broker.ops->events(d->broker.self, bar, evs, EVENTS_PER_CALL);
        for (int i = 0; i < n; i++)
            fills += apply(d, &evs[i]);
        bar = NULL; /* a bar trades once; further calls only drain what is left */
    } while (n == EVENTS_PER_CALL);
    return fills;
}

/* --- intents out to the broker ------------------------------------------------------------------ */

static void submit(eb_daemon_t *d, const eb_intent_t *it, const char *reason, int64_t t)
{
    due_intent(d, it, "market", reason, t);
    eb_order_t o = {.type = EB_ORDER_MARKET, .side = it->kind == EB_INTENT_ENTER ? it->side : -it->side,
                    .qty = it->qty, .quote_budget = eb_engine_entry_budget(E(d), it),
                    .reduce_only = it->kind == EB_INTENT_EXIT, .time_ms = it->time_ms};
    memcpy(o.client_id, it->client_id, sizeof o.client_id);
    char err[160];
    eb_dorder_t *slot = order_add(d, it);
    if (!slot)
        eb_errf(err, sizeof err, "the daemon's order table is full (%d)", EB_DAEMON_MAX_ORDERS);
    else if (d->broker.ops->submit(d->broker.self, &o, err, sizeof err) == 0)
        return;
    else {
        slot->used = 0; /* the venue never took it: the slot is free again */
        d->stats.exchange_errors[EB_DXERR_SUBMIT_FAILED]++;
    }
    eb_dlog(d, 3, "order %s not placed: %s", it->client_id, err);
    eb_engine_cancel(E(d), it);
    due_state(d, it, EB_ORDER_REJECTED, NULL, err, t);
}

void eb_dorders_act(eb_daemon_t *d, const eb_intent_t *its, int n, int64_t t)
{
    for (int i = 0; i < n; i++) {
        const eb_intent_t *it = &its[i];
        eb_fill_t f;
        switch (it->kind) {
        case EB_INTENT_STOP_EXIT: /* traded inside this bar: the step applied the fill (simulated stops) */
            due_intent(d, it, "stop_market", NULL, t);
            if (eb_engine_step_fill(E(d), it, &f) == 0) {
                due_state(d, it, EB_ORDER_SENT, NULL, NULL, t);
                due_fill(d, it, &f, "paper", "", t);
            } else {
                due_state(d, it, EB_ORDER_REJECTED, NULL, "engine refused the fill", t);
            }
            break;
        case EB_INTENT_MOVE_STOP:
            due(d, EB_DUE_POSITION, it, t);
            break;
        case EB_INTENT_ENTER:
        case EB_INTENT_EXIT:
            submit(d, it, NULL, t);
            break;
        }
    }
}

void eb_dorders_flush(eb_daemon_t *d)
{
    if (d->broker.ops->flush)
        d->broker.ops->flush(d->broker.self);
}

/* --- the journal ------------------------------------------------------------------------------- */

static void position_key(const eb_daemon_t *d, uint32_t id, char *out, size_t cap)
{
    snprintf(out, cap, "%.15s#%u", d->app.symbol, id);
}

/* The position's row as the engine now holds it, or its removal once it is closed. */
static void journal_position(eb_daemon_t *d, uint32_t id, int64_t t)
{
    if (!eb_dj_begin(d))
        return;
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
        eb_dj_check(d, eb_journal_position_put(J(d), &p), "position");
        return;
    }
    eb_dj_check(d, eb_journal_position_delete(J(d), key), "position");
}

static void order_update(eb_daemon_t *d, const char *client_id, eb_order_state_t to, const char *exchange_id,
                         double qty, double px, const char *detail, int64_t t)
{
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_order_update(J(d), client_id, to, exchange_id && exchange_id[0] ? exchange_id : NULL,
                                               qty, px, detail && detail[0] ? detail : NULL, t),
                    "order");
}

/* The order an intent becomes, in state intent (reason NULL: the intent's own). */
static void order_intent(eb_daemon_t *d, const eb_intent_t *it, const char *type, const char *reason, int64_t t)
{
    if (!eb_dj_begin(d))
        return;
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
    eb_dj_check(d, eb_journal_order_intent(J(d), &o, t), "order intent");
}

/* A fill: the order's new state, the fill row, the position, and a closed trade with its lifecycle. */
static void journal_fill(eb_daemon_t *d, const eb_ddue_t *u)
{
    const eb_fill_t *f = &u->fill;
    order_update(d, u->it.client_id, EB_ORDER_FILLED, u->exchange_id, f->qty, f->price, NULL, u->t);
    if (eb_dj_begin(d)) {
        eb_journal_fill_t jf = {.qty = f->qty, .price = f->price, .fee = f->fee, .time_ms = u->t};
        snprintf(jf.client_id, sizeof jf.client_id, "%s", u->it.client_id);
        if (u->trade_id[0])
            snprintf(jf.trade_id, sizeof jf.trade_id, "%s", u->trade_id);
        else /* a simulated stop: the engine's fill, one per position */
            snprintf(jf.trade_id, sizeof jf.trade_id, "paper-stop-%u", u->it.position_id);
        snprintf(jf.fee_asset, sizeof jf.fee_asset, "USDT");
        eb_dj_check(d, eb_journal_fill_add(J(d), &jf), "fill");
    }
    journal_position(d, u->it.position_id, u->t);
    if (u->it.kind == EB_INTENT_ENTER)
        eb_dtg_notifyf(d, EB_DTG_TRADE, "entry: %s %s %g at %.2f (position %u)", u->it.side > 0 ? "long" : "short",
                       d->app.symbol, f->qty, f->price, u->it.position_id);
    if (!f->closed)
        return;
    /* The side and the time held come last, so that readers of the older text (test_daemon_backtest_parity.sh,
     * the Telegram reply) still match; api_perf.c reads all five back. */
    char detail[200];
    snprintf(detail, sizeof detail, "position %u closed: %s, %.4fR, pnl %.2f, %s, held %lld s", f->trade.position_id,
             eb_exit_reason_name(f->trade.reason), f->trade.r_multiple, f->trade.pnl,
             f->trade.side > 0 ? "long" : "short",
             (long long)((f->trade.exit_time_ms - f->trade.entry_time_ms) / 1000));
    eb_dtg_notifyf(d, EB_DTG_TRADE, "exit: %s at %.2f, %s", d->app.symbol, f->trade.exit_price, detail);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_event_add(J(d), u->t, "trade", detail), "trade event");
    if (eb_dlc_trade(d, u->t, f->trade.r_multiple))
        eb_dstatus_line(d);
}

static void journal_due(eb_daemon_t *d, const eb_ddue_t *u)
{
    switch (u->kind) {
    case EB_DUE_INTENT: order_intent(d, &u->it, u->type, u->reason, u->t); break;
    case EB_DUE_STATE: order_update(d, u->it.client_id, u->to, u->exchange_id, NAN, NAN, u->detail, u->t); break;
    case EB_DUE_FILL: journal_fill(d, u); break;
    case EB_DUE_POSITION: journal_position(d, u->it.position_id, u->t); break;
    }
}

void eb_dorders_journal(eb_daemon_t *d)
{
    int n = d->ndue;
    d->ndue = 0; /* first: a record that needs room while being written cannot recurse into these */
    for (int i = 0; i < n; i++)
        journal_due(d, &d->due[i]);
}

/* --- the kill switch ---------------------------------------------------------------------------- */

/* Asks the broker to cancel every open order of `kind`; the venue's answers come back as events. */
static int cancel_all(eb_daemon_t *d, eb_intent_kind_t kind, const char *why)
{
    int n = 0;
    for (int i = 0; i < EB_DAEMON_MAX_ORDERS; i++) {
        eb_dorder_t *o = &d->t.venue.orders[i];
        char err[160];
        if (!o->used || o->it.kind != kind)
            continue;
        snprintf(o->cancel_why, sizeof o->cancel_why, "%s", why);
        if (d->broker.ops->cancel(d->broker.self, o->it.client_id, err, sizeof err) == 0)
            n++;
        else {
            d->stats.exchange_errors[EB_DXERR_CANCEL_FAILED]++;
            eb_dlog(d, 3, "cancel of %s failed: %s", o->it.client_id, err);
        }
    }
    return n;
}

int eb_dorders_cancel_entries(eb_daemon_t *d, const char *why)
{
    int n = cancel_all(d, EB_INTENT_ENTER, why);
    eb_dorders_collect(d, NULL);
    eb_dorders_journal(d);
    return n;
}

int eb_dorders_flatten(eb_daemon_t *d, int64_t t, const char *reason)
{
    char why[96];
    if (!d->pipe->engine.has_bar)
        return 0;
    snprintf(why, sizeof why, "%s: superseded by the flatten", reason);
    cancel_all(d, EB_INTENT_EXIT, why);
    eb_dorders_collect(d, NULL); /* the cancels land before the flatten asks the engine */
    eb_intent_t out[EB_ENGINE_MAX_INTENTS];
    int nf = eb_engine_flatten(E(d), EB_EXIT_FLATTEN, out, EB_ENGINE_MAX_INTENTS);
    for (int i = 0; i < nf; i++)
        submit(d, &out[i], reason, t);
    eb_dorders_collect(d, NULL); /* between bars: the paper venue fills at the last price it saw */
    eb_dorders_journal(d);
    return nf;
}
