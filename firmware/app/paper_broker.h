/* The paper venue (broker.h's first implementation): orders trade against the replayed or live bars by
 * the one fill rule in core (core/fill.h, the backtest's). A market order fills at the open of the next
 * bar it sees (or, asked between bars, at the last close it saw), a spot buy with a quote budget buys what
 * the budget pays for or is rejected, a stop order triggers inside a bar (at the open after a gap) and
 * fills by the stop rule. Acceptances, fills, cancels and rejections come back as events in order.
 *
 * The state is plain data, so it travels in the daemon's snapshot, and no call allocates. When the engine
 * simulates its own stops (the daemon's paper mode), the daemon sends no stop orders here; the stop orders
 * are for a daemon that takes its stop fills from the venue. */
#ifndef EB_APP_PAPER_BROKER_H
#define EB_APP_PAPER_BROKER_H

#include "app/broker.h"
#include "core/engine.h"
#include "core/fill.h"

#define EB_PAPER_MAX_ORDERS (2 * EB_ENGINE_MAX_INTENTS + EB_ENGINE_MAX_POSITIONS)
#define EB_PAPER_MAX_EVENTS (2 * EB_PAPER_MAX_ORDERS)

typedef struct {
    eb_order_t o;
    eb_venue_state_t state;
    double filled;
    uint64_t seq; /* the venue's order number: exchange_id "paper-N" */
} eb_paper_order_t;

typedef struct {
    eb_fill_costs_t costs;
    double lot_step, min_notional;
    eb_paper_order_t book[EB_PAPER_MAX_ORDERS]; /* open orders first come first; finished ones until reused */
    int n;
    eb_broker_event_t queued[EB_PAPER_MAX_EVENTS]; /* accepted / cancelled / rejected, for the next events() */
    int nqueued;
    double last_price; /* the last close seen (0: none yet) */
    int64_t last_time;
    uint64_t orders, fills;
} eb_paper_broker_t;

/* The venue's costs and lot rules: the strategy's costs and venue sections (the engine's). */
void eb_paper_init(eb_paper_broker_t *b, const eb_fill_costs_t *costs, double lot_step, double min_notional);
/* The broker table over b (b must stay where it is). */
eb_broker_t eb_paper_broker(eb_paper_broker_t *b);
/* Open orders in the book. */
int eb_paper_open_orders(const eb_paper_broker_t *b);

#endif
