/* The edge between the daemon and a venue (docs/brokers.md), after NautilusTrader's execution clients:
 * the daemon turns the engine's intents into orders and hands them to a broker (submit, cancel, replace,
 * query); what the venue does with them comes back as events (accepted, filled, cancelled, rejected),
 * collected once per bar and between bars. The daemon owns the mapping back to the engine's intents and
 * the journal; a broker owns only its venue's view of the orders. The paper broker (paper_broker.h) is the
 * first implementation; the live adapters and the exchange simulator plug in behind the same table.
 *
 * Every call returns at once: a broker that talks to a network queues the request and reports the outcome
 * as events later. It transmits nothing before flush(): the daemon calls it only after the journal's
 * transaction holding the order's intent has committed (journal before send). No call allocates; events
 * are written into the caller's array. */
#ifndef EB_APP_BROKER_H
#define EB_APP_BROKER_H

#include "core/bar.h"
#include "core/order_id.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { EB_ORDER_MARKET = 0, EB_ORDER_STOP_MARKET } eb_order_type_t;

typedef struct {
    char client_id[EB_ORDER_ID_MAX + 1]; /* the daemon's id: idempotent, the key of every event */
    eb_order_type_t type;
    int side;                            /* +1 buy, -1 sell */
    double qty;                          /* base units, already rounded to the venue's lot */
    double stop_price;                   /* STOP_MARKET: the trigger */
    double quote_budget;                 /* > 0: a spot buy may spend at most this much quote, fee included
                                          * (fewer lots are bought when the price moved; none: rejected) */
    int reduce_only;                     /* an exit: it may only shrink a position */
    int64_t time_ms;                     /* when the daemon decided it (the bar's open time) */
} eb_order_t;

typedef enum {
    EB_BROKER_EV_ACCEPTED = 0, /* the venue holds the order (exchange_id set) */
    EB_BROKER_EV_FILLED,       /* a fill: qty at price, fee; `done` when nothing is left of the order */
    EB_BROKER_EV_CANCELLED,    /* by a cancel, or the venue expired it; `detail` says which */
    EB_BROKER_EV_REJECTED,     /* the venue refused it; `detail` says why */
    EB_BROKER_EV_COUNT
} eb_broker_event_kind_t;

typedef struct {
    eb_broker_event_kind_t kind;
    char client_id[EB_ORDER_ID_MAX + 1];
    char exchange_id[40];
    char trade_id[40];   /* FILLED: the venue's id of this fill (idempotent journal key) */
    double qty, price, fee;
    char fee_asset[12];
    int done;            /* FILLED: the order is completely filled */
    int64_t time_ms;     /* the venue's time of the event (paper: the bar's time) */
    char detail[96];
} eb_broker_event_t;

/* The state of one order as the venue sees it (query). */
typedef enum { EB_VENUE_OPEN = 0, EB_VENUE_FILLED, EB_VENUE_CANCELLED, EB_VENUE_REJECTED, EB_VENUE_UNKNOWN } eb_venue_state_t;

typedef struct {
    const char *name; /* "paper", "binance-spot", ... (logs, metrics) */
    /* 0, or -1 with err when the request could not even be queued (full book, bad order). */
    int (*submit)(void *self, const eb_order_t *o, char *err, size_t cap);
    int (*cancel)(void *self, const char *client_id, char *err, size_t cap);
    /* A resting stop order gets a new trigger and quantity (a stop moved by break-even or trailing). */
    int (*replace)(void *self, const char *client_id, double stop_price, double qty, char *err, size_t cap);
    /* What the venue knows of the order (after a restart, or a request that timed out); filled_qty so far. */
    int (*query)(void *self, const char *client_id, eb_venue_state_t *state, double *filled_qty, char *err,
                 size_t cap);
    /* Events since the last call, oldest first, at most cap. `bar`: the bar that just closed (a simulated
     * venue trades it: market orders at its open, stops inside it), NULL between bars (a simulated venue
     * fills waiting market orders at the last price it saw). Returns how many were written. */
    int (*events)(void *self, const eb_bar_t *bar, eb_broker_event_t *out, int cap);
    /* The journal has committed everything submitted so far: transmit it. NULL: nothing to transmit. */
    void (*flush)(void *self);
} eb_broker_ops_t;

typedef struct {
    const eb_broker_ops_t *ops;
    void *self;
} eb_broker_t;

const char *eb_broker_event_name(eb_broker_event_kind_t k);

#endif
