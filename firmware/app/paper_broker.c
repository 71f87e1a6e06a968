#include "app/paper_broker.h"

#include "common/errf.h"
#include "core/position.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static eb_paper_broker_t *P(void *self) { return self; }

static eb_paper_order_t *find(eb_paper_broker_t *b, const char *client_id)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->book[i].o.client_id, client_id) == 0)
            return &b->book[i];
    return NULL;
}

static eb_broker_event_t event_of(const eb_paper_order_t *po, eb_broker_event_kind_t kind, int64_t t, const char *detail)
{
    eb_broker_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    memcpy(ev.client_id, po->o.client_id, sizeof ev.client_id);
    snprintf(ev.exchange_id, sizeof ev.exchange_id, "paper-%llu", (unsigned long long)po->seq);
    ev.time_ms = t;
    snprintf(ev.detail, sizeof ev.detail, "%s", detail ? detail : "");
    return ev;
}

/* Queues an event for the next events() call; the queue holds two per order, so it cannot overflow while
 * the book has room, but a full queue still drops nothing silently: the caller is told. */
static int queue(eb_paper_broker_t *b, const eb_broker_event_t *ev)
{
    if (b->nqueued == EB_PAPER_MAX_EVENTS)
        return -1;
    b->queued[b->nqueued++] = *ev;
    return 0;
}

/* A slot for a new order: a free one, else the oldest finished one (kept until then for query). */
static eb_paper_order_t *slot_for_new(eb_paper_broker_t *b)
{
    if (b->n < EB_PAPER_MAX_ORDERS)
        return &b->book[b->n++];
    for (int i = 0; i < b->n; i++) {
        if (b->book[i].state == EB_VENUE_OPEN)
            continue;
        memmove(&b->book[i], &b->book[i + 1], (size_t)(b->n - i - 1) * sizeof b->book[0]); /* keep the order */
        return &b->book[b->n - 1];
    }
    return NULL;
}

static int paper_submit(void *self, const eb_order_t *o, char *err, size_t cap)
{
    eb_paper_broker_t *b = P(self);
    if (!o->client_id[0] || (o->side != 1 && o->side != -1) || !(o->qty > 0) || !isfinite(o->qty) ||
        (o->type == EB_ORDER_STOP_MARKET && !(o->stop_price > 0)))
        return eb_errf(err, cap, "paper: order %s is malformed", o->client_id);
    if (find(b, o->client_id))
        return eb_errf(err, cap, "paper: client id %s was used before", o->client_id);
    eb_paper_order_t *po = slot_for_new(b);
    if (!po || b->nqueued > EB_PAPER_MAX_EVENTS - 2)
        return eb_errf(err, cap, "paper: the book is full (%d orders open)", eb_paper_open_orders(b));
    *po = (eb_paper_order_t){.o = *o, .state = EB_VENUE_OPEN, .seq = ++b->orders};
    eb_broker_event_t ev = event_of(po, EB_BROKER_EV_ACCEPTED, o->time_ms, NULL);
    return queue(b, &ev);
}

static int paper_cancel(void *self, const char *client_id, char *err, size_t cap)
{
    eb_paper_broker_t *b = P(self);
    eb_paper_order_t *po = find(b, client_id);
    if (!po || po->state != EB_VENUE_OPEN)
        return eb_errf(err, cap, "paper: no open order %s", client_id);
    po->state = EB_VENUE_CANCELLED;
    eb_broker_event_t ev = event_of(po, EB_BROKER_EV_CANCELLED, b->last_time, "cancelled on request");
    return queue(b, &ev);
}

static int paper_replace(void *self, const char *client_id, double stop_price, double qty, char *err, size_t cap)
{
    eb_paper_order_t *po = find(P(self), client_id);
    if (!po || po->state != EB_VENUE_OPEN || po->o.type != EB_ORDER_STOP_MARKET)
        return eb_errf(err, cap, "paper: no open stop order %s", client_id);
    if (!(stop_price > 0) || !(qty > 0) || qty < po->filled)
        return eb_errf(err, cap, "paper: stop %s cannot move to %g for %g", client_id, stop_price, qty);
    po->o.stop_price = stop_price;
    po->o.qty = qty;
    return 0;
}

static int paper_query(void *self, const char *client_id, eb_venue_state_t *state, double *filled, char *err,
                       size_t cap)
{
    (void)err;
    (void)cap;
    const eb_paper_order_t *po = find(P(self), client_id);
    *state = po ? po->state : EB_VENUE_UNKNOWN;
    *filled = po ? po->filled : 0;
    return 0;
}

/* Where an open order trades on this bar (NULL: between bars, at the last close): 1 with the fill price,
 * 0 when it does not trade. */
static int trade_price(const eb_paper_broker_t *b, const eb_paper_order_t *po, const eb_bar_t *bar, double *px)
{
    if (po->o.type == EB_ORDER_MARKET) {
        double ref = bar ? bar->open : b->last_price;
        if (!(ref > 0))
            return 0;
        *px = eb_fill_market_price(&b->costs, po->o.side, ref);
        return 1;
    }
    if (!bar)
        return 0;
    eb_position_t guarded = {.side = -po->o.side, .stop = po->o.stop_price}; /* the position the stop protects */
    double trigger;
    if (!eb_position_stop_hit(&guarded, bar, &trigger))
        return 0;
    *px = eb_fill_stop_price(&b->costs, guarded.side, trigger, bar);
    return 1;
}

/* One open order against the bar: filled whole, rejected for its budget, or left open. The outcome goes
 * to the queue, which has room for it: an order has at most two events outstanding (its acceptance and
 * its end), and the queue holds two per order. */
static void trade(eb_paper_broker_t *b, eb_paper_order_t *po, const eb_bar_t *bar)
{
    double px;
    if (!trade_price(b, po, bar, &px))
        return;
    int64_t t = bar ? bar->open_time_ms : b->last_time;
    double qty = po->o.qty - po->filled;
    if (po->o.quote_budget > 0 && po->o.side > 0)
        qty = eb_fill_budget_qty(&b->costs, po->o.quote_budget, qty, px, b->lot_step, b->min_notional);
    eb_broker_event_t ev;
    if (!(qty > 0)) {
        po->state = EB_VENUE_REJECTED;
        ev = event_of(po, EB_BROKER_EV_REJECTED, t, "insufficient quote balance at the fill price");
    } else {
        ev = event_of(po, EB_BROKER_EV_FILLED, t, NULL);
        ev.qty = qty;
        ev.price = px;
        ev.fee = eb_fill_fee(&b->costs, px, qty);
        snprintf(ev.fee_asset, sizeof ev.fee_asset, "USDT");
        snprintf(ev.trade_id, sizeof ev.trade_id, "paper-%llu", (unsigned long long)++b->fills);
        ev.done = 1; /* a market order for a quote amount is done when the budget is spent */
        po->filled += qty;
        po->state = EB_VENUE_FILLED;
    }
    queue(b, &ev); /* cannot fail: see above */
}

static int paper_events(void *self, const eb_bar_t *bar, eb_broker_event_t *out, int cap)
{
    eb_paper_broker_t *b = P(self);
    for (int i = 0; i < b->n; i++) /* the bar trades every open order at once, in the book's order */
        if (b->book[i].state == EB_VENUE_OPEN)
            trade(b, &b->book[i], bar);
    if (bar) {
        b->last_price = bar->close;
        b->last_time = bar->open_time_ms;
    }
    int take = b->nqueued < cap ? b->nqueued : cap;
    if (take <= 0)
        return 0;
    memcpy(out, b->queued, (size_t)take * sizeof *out);
    memmove(b->queued, b->queued + take, (size_t)(b->nqueued - take) * sizeof *out);
    b->nqueued -= take;
    return take;
}

static const eb_broker_ops_t paper_ops = {
    .name = "paper",
    .submit = paper_submit,
    .cancel = paper_cancel,
    .replace = paper_replace,
    .query = paper_query,
    .events = paper_events,
};

void eb_paper_init(eb_paper_broker_t *b, const eb_fill_costs_t *costs, double lot_step, double min_notional)
{
    memset(b, 0, sizeof *b);
    b->costs = *costs;
    b->lot_step = lot_step;
    b->min_notional = min_notional;
}

eb_broker_t eb_paper_broker(eb_paper_broker_t *b) { return (eb_broker_t){&paper_ops, b}; }

int eb_paper_open_orders(const eb_paper_broker_t *b)
{
    int n = 0;
    for (int i = 0; i < b->n; i++)
        n += b->book[i].state == EB_VENUE_OPEN;
    return n;
}
