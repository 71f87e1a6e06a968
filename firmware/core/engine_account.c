/* The engine's books: fills, equity, margin, flatten. Margin accounting for both venues: cash holds the
 * realised result, a position holds margin = entry notional / leverage, equity = cash + open PnL. On spot
 * the quote balance is then cash - the open positions' entry notional, which is what entries may spend. */
#include "core/engine.h"

#include <math.h>
#include <string.h>

static const eb_slot_t *slot_of(const eb_engine_t *e, uint32_t id)
{
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state != EB_SLOT_FREE && e->slots[i].id == id)
            return &e->slots[i];
    return NULL;
}

/* The same slot, to change it (strchr's idiom: the engine is the caller's, writable). */
static eb_slot_t *find_slot(eb_engine_t *e, uint32_t id) { return (eb_slot_t *)slot_of(e, id); }

double eb_engine_equity(const eb_engine_t *e, double price)
{
    double eq = e->cash;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        const eb_slot_t *sl = &e->slots[i];
        if (sl->state != EB_SLOT_OPEN)
            continue;
        /* A stop that fired this bar is marked where it filled, not at the close. */
        double mark = sl->stop_pending ? sl->pending_price : price;
        eq += sl->pos.side * (mark - sl->pos.entry) * sl->pos.qty;
    }
    return eq;
}

double eb_engine_available(const eb_engine_t *e, double price)
{
    double held = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state != EB_SLOT_FREE)
            held += e->slots[i].margin;
    /* Spot: unrealised profit is in the coin, not in quote; futures count it as margin balance. */
    return (e->cfg.allow_short ? eb_engine_equity(e, price) : e->cash) - held;
}

int eb_engine_open_positions(const eb_engine_t *e)
{
    int n = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        n += e->slots[i].state != EB_SLOT_FREE;
    return n;
}

double eb_engine_net_qty(const eb_engine_t *e)
{
    double q = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state == EB_SLOT_OPEN)
            q += e->slots[i].pos.side * e->slots[i].pos.qty;
    return q;
}

static int fill_entry(eb_engine_t *e, eb_slot_t *sl, double price, double qty, double fee, int64_t t)
{
    if (sl->state != EB_SLOT_PENDING || qty > sl->pending_qty * (1 + 1e-12))
        return -1;
    eb_position_open(&sl->pos, sl->pos.side, price, qty, sl->pos.r_dist);
    sl->state = EB_SLOT_OPEN;
    sl->pending_qty = 0;
    sl->margin = price * qty / e->cfg.venue.leverage;
    sl->fees = fee;
    sl->entry_time_ms = t;
    e->cash -= fee;
    eb_limits_record_pnl(&e->limits, t, -fee);
    return 0;
}

static void close_trade(const eb_slot_t *sl, int64_t t, int reason, eb_trade_t *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->position_id = sl->id;
    tr->side = sl->pos.side;
    tr->entry_time_ms = sl->entry_time_ms;
    tr->exit_time_ms = t;
    tr->entry_price = sl->pos.entry;
    tr->exit_price = sl->exit_value / sl->exit_qty;
    tr->qty = sl->pos.qty_initial;
    tr->r_dist = sl->pos.r_dist;
    tr->fees = sl->fees;
    tr->pnl = sl->gross - sl->fees;
    tr->r_multiple = tr->pnl / (sl->pos.r_dist * sl->pos.qty_initial);
    tr->reason = (eb_exit_reason_t)reason;
    tr->partial_taken = sl->pos.partial_done && sl->exit_qty > 0;
}

static int fill_exit(eb_engine_t *e, eb_slot_t *sl, const eb_intent_t *it, double price, double qty, double fee,
                     int64_t t, eb_trade_t *closed)
{
    if (sl->state != EB_SLOT_OPEN || qty > sl->pos.qty * (1 + 1e-12))
        return -1;
    qty = fmin(qty, sl->pos.qty);
    double gross = sl->pos.side * (price - sl->pos.entry) * qty;
    e->cash += gross - fee;
    eb_limits_record_pnl(&e->limits, t, gross - fee);
    sl->gross += gross;
    sl->fees += fee;
    sl->exit_value += price * qty;
    sl->exit_qty += qty;
    sl->margin *= (sl->pos.qty - qty) / sl->pos.qty;
    sl->pos.qty -= qty;
    sl->pending_qty = fmax(0.0, sl->pending_qty - qty);
    if (it->kind == EB_INTENT_STOP_EXIT)
        sl->stop_pending = 0;
    if (it->reason >= 0 && it->reason < EB_EXIT_COUNT)
        e->n.exits[it->reason]++;
    /* Below a millionth of a lot is rounding dust, not a position. */
    if (sl->pos.qty > e->cfg.venue.lot_step * 1e-6)
        return 0;
    close_trade(sl, t, it->reason, closed);
    memset(sl, 0, sizeof *sl);
    return 1;
}

int eb_engine_fill(eb_engine_t *e, const eb_intent_t *it, double price, double qty, double fee, int64_t time_ms,
                   eb_trade_t *closed)
{
    eb_trade_t scratch;
    if (!e || !it || !(price > 0) || !isfinite(price) || !(qty > 0) || !(fee >= 0) || !isfinite(fee))
        return -1;
    eb_slot_t *sl = find_slot(e, it->position_id);
    if (!sl)
        return -1;
    switch (it->kind) {
    case EB_INTENT_ENTER: return fill_entry(e, sl, price, qty, fee, time_ms);
    case EB_INTENT_EXIT:
    case EB_INTENT_STOP_EXIT: return fill_exit(e, sl, it, price, qty, fee, time_ms, closed ? closed : &scratch);
    default: return -1;
    }
}

/* A spot entry spends at most its reserve (the venue's market order for a quote amount). */
static double affordable_qty(const eb_engine_t *e, const eb_slot_t *sl, double qty, double price)
{
    return eb_fill_budget_qty(&e->cfg.costs, sl->margin, qty, price, e->cfg.venue.lot_step, e->cfg.venue.min_notional);
}

double eb_engine_entry_budget(const eb_engine_t *e, const eb_intent_t *it)
{
    if (!e || !it || it->kind != EB_INTENT_ENTER || e->cfg.allow_short)
        return 0;
    const eb_slot_t *sl = slot_of(e, it->position_id);
    return sl && sl->state == EB_SLOT_PENDING ? sl->margin : 0;
}

int eb_engine_fill_market(eb_engine_t *e, const eb_intent_t *it, double ref, int64_t time_ms, eb_fill_t *out)
{
    eb_fill_t scratch = {0};
    out = out ? out : &scratch;
    memset(out, 0, sizeof *out);
    if (!e || !it || (it->kind != EB_INTENT_ENTER && it->kind != EB_INTENT_EXIT))
        return -1;
    int order_side = it->kind == EB_INTENT_ENTER ? it->side : -it->side; /* an exit trades the other way */
    double price = eb_fill_market_price(&e->cfg.costs, order_side, ref), qty = it->qty;
    const eb_slot_t *sl = find_slot(e, it->position_id);
    if (it->kind == EB_INTENT_ENTER && !e->cfg.allow_short && sl && sl->state == EB_SLOT_PENDING &&
        !((qty = affordable_qty(e, sl, qty, price)) > 0)) {
        eb_engine_cancel(e, it); /* the venue would refuse it: not enough quote */
        return 2;
    }
    double fee = eb_fill_fee(&e->cfg.costs, price, qty);
    int rc = eb_engine_fill(e, it, price, qty, fee, time_ms, &out->trade);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->price = price;
    out->qty = qty;
    out->fee = fee;
    out->closed = rc == 1;
    return rc;
}

int eb_engine_step_fill(const eb_engine_t *e, const eb_intent_t *it, eb_fill_t *out)
{
    if (!e || !it || !out || it->kind != EB_INTENT_STOP_EXIT || !it->filled)
        return -1;
    memset(out, 0, sizeof *out);
    out->price = it->fill_price;
    out->qty = it->qty;
    out->fee = it->fee;
    for (int i = 0; i < e->nstep_closed; i++) {
        if (e->step_closed[i].position_id == it->position_id) {
            out->closed = 1;
            out->trade = e->step_closed[i];
        }
    }
    return 0;
}

int eb_engine_cancel(eb_engine_t *e, const eb_intent_t *it)
{
    eb_slot_t *sl = e && it ? find_slot(e, it->position_id) : NULL;
    if (!sl)
        return -1;
    if (it->kind == EB_INTENT_ENTER && sl->state == EB_SLOT_PENDING) {
        memset(sl, 0, sizeof *sl);
        return 0;
    }
    if ((it->kind == EB_INTENT_EXIT || it->kind == EB_INTENT_STOP_EXIT) && sl->state == EB_SLOT_OPEN) {
        sl->pending_qty = fmax(0.0, sl->pending_qty - it->qty);
        sl->stop_pending = it->kind == EB_INTENT_STOP_EXIT ? 0 : sl->stop_pending;
        return 0;
    }
    return -1;
}

int eb_engine_flatten(eb_engine_t *e, eb_exit_reason_t reason, eb_intent_t *out, int cap)
{
    if (!e || !out || cap < EB_ENGINE_MAX_INTENTS)
        return -1;
    int n = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        eb_slot_t *sl = &e->slots[i];
        if (sl->state == EB_SLOT_PENDING) {
            memset(sl, 0, sizeof *sl);
            continue;
        }
        if (sl->state != EB_SLOT_OPEN || sl->pending_qty >= sl->pos.qty)
            continue;
        eb_intent_t *it = &out[n++];
        memset(it, 0, sizeof *it);
        *it = (eb_intent_t){.kind = EB_INTENT_EXIT, .side = sl->pos.side, .position_id = sl->id,
                            .qty = sl->pos.qty - sl->pending_qty, .price = e->last_close, .r_dist = sl->pos.r_dist,
                            .reason = (int)reason, .time_ms = e->last_time_ms};
        eb_order_id_make(it->client_id, sizeof it->client_id, e->cfg.strategy, it->time_ms, e->seq++);
        sl->pending_qty = sl->pos.qty;
    }
    return n;
}
