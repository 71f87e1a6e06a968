/* Paper fills for the daemon, by the backtest's rule (SPEC section 8): market entries and exits decided at
 * a bar's close fill at the next bar's open, a protective stop at its stop price inside the bar (the engine
 * reports where); every fill is moved against us by the slippage and pays the fee on its notional. The
 * pending intents are plain data so they travel in the daemon's snapshot. */
#ifndef EB_APP_PAPER_BROKER_H
#define EB_APP_PAPER_BROKER_H

#include "core/engine.h"

#define EB_PAPER_MAX_PENDING (2 * EB_ENGINE_MAX_INTENTS)

typedef struct {
    double slippage_bps, fee_bps;
    eb_intent_t pending[EB_PAPER_MAX_PENDING];
    int npending;
    uint64_t fills, trade_seq;
} eb_paper_broker_t;

typedef struct {
    const eb_intent_t *intent;
    double price, qty, fee;
    int closed;        /* the fill closed the position: trade is set */
    eb_trade_t trade;
} eb_paper_fill_t;

void eb_paper_init(eb_paper_broker_t *b, double slippage_bps, double fee_bps);
/* Keeps an ENTER or EXIT intent for the next open. -1 when the book is full. */
int eb_paper_queue(eb_paper_broker_t *b, const eb_intent_t *it);
/* The fill price of a market order of `side` (+1 buy, -1 sell) at reference price px. */
double eb_paper_market_price(const eb_paper_broker_t *b, int order_side, double px);
/* Fills one intent now at reference price px (plus slippage) and applies it to the engine. 0, or -1 when
 * the engine refuses it. */
int eb_paper_fill_now(eb_paper_broker_t *b, eb_engine_t *e, const eb_intent_t *it, double px, int64_t t,
                      eb_paper_fill_t *out);
/* Drops every pending entry (kill switch: cancel open orders), telling the engine. Returns how many. */
int eb_paper_cancel_entries(eb_paper_broker_t *b, eb_engine_t *e, eb_intent_t *cancelled, int cap);

#endif
