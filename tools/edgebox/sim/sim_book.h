/* The simulator's account and order book for one symbol: balances (free and locked), the orders placed,
 * and how they fill. Market orders fill at once at the current price by core/fill.h's rule; LIMIT and
 * STOP_LOSS_LIMIT orders rest and fill as the market walks along each bar's path (sim_market.h): a limit at
 * its price (or at a gap's open when the gap jumped past it), a stop-limit triggers at its stop (or the
 * gap's open) and fills there when that is within its limit, else rests as a limit. Every fill pays
 * fee_bps on its notional in the quote asset (docs/exchange-sim.md). Fixed tables: no allocation. */
#ifndef EB_TOOLS_SIM_BOOK_H
#define EB_TOOLS_SIM_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "core/fill.h"

#define EB_SIM_MAX_ORDERS 8192
#define EB_SIM_MAX_ASSETS 8
#define EB_SIM_ASSET_MAX 16
#define EB_SIM_CLIENT_ID_MAX 36 /* Binance: ^[a-zA-Z0-9-_]{1,36}$ */

typedef enum { EB_SIM_MARKET, EB_SIM_LIMIT, EB_SIM_STOP_LOSS_LIMIT } eb_sim_type_t;
typedef enum { EB_SIM_NEW, EB_SIM_FILLED, EB_SIM_CANCELED } eb_sim_status_t;

typedef struct {
    int64_t id;
    char client_id[EB_SIM_CLIENT_ID_MAX + 1];
    int side; /* +1 buy, -1 sell */
    eb_sim_type_t type;
    double price, stop, qty; /* price 0 for market; stop 0 unless a stop-limit */
    double executed, cum_quote, fee, fill_price;
    double locked;  /* what this order holds locked (quote for a buy, base for a sell) */
    int triggered;  /* a stop-limit whose stop has been reached: now a limit */
    eb_sim_status_t status;
    int64_t time_ms, update_ms;
    int64_t trade_id; /* the fill's trade id, 0 until filled */
    int maker;        /* the fill was a resting order's (a limit the path reached), not a taker's */
} eb_sim_order_t;

typedef struct {
    char name[EB_SIM_ASSET_MAX];
    double free, locked;
} eb_sim_balance_t;

typedef struct {
    char base[EB_SIM_ASSET_MAX], quote[EB_SIM_ASSET_MAX];
    double tick, step, min_qty, max_qty, min_notional;
    eb_fill_costs_t costs;
    eb_sim_balance_t bal[EB_SIM_MAX_ASSETS];
    size_t nbal;
    eb_sim_order_t orders[EB_SIM_MAX_ORDERS];
    size_t norders;
    int64_t next_trade_id;
    uint32_t trade_order[EB_SIM_MAX_ORDERS]; /* trade id - 1 -> the index of its order (one fill each) */
} eb_sim_book_t;

/* The request of a new order, as parsed from the venue's parameters. */
typedef struct {
    int side;
    eb_sim_type_t type;
    double qty, price, stop;
    const char *client_id; /* NULL: the book makes one */
} eb_sim_new_t;

/* Why a new order was refused (the venue's code and message are the caller's). */
typedef enum {
    EB_SIM_OK = 0,
    EB_SIM_ERR_PRICE_FILTER, EB_SIM_ERR_LOT_SIZE, EB_SIM_ERR_NOTIONAL,
    EB_SIM_ERR_BALANCE, EB_SIM_ERR_WOULD_TRIGGER, EB_SIM_ERR_DUPLICATE, EB_SIM_ERR_FULL,
} eb_sim_refusal_t;

/* base, quote, the filters and the costs; balances all 0 (eb_sim_book_credit adds). */
void eb_sim_book_init(eb_sim_book_t *b, const char *base, const char *quote);
/* Adds amount to an asset's free balance (a new asset takes a slot). -1 when the table is full. */
int eb_sim_book_credit(eb_sim_book_t *b, const char *asset, double amount);
eb_sim_balance_t *eb_sim_book_balance(eb_sim_book_t *b, const char *asset);

/* Places an order at market price `px` (the path's price now, for market fills and the immediate checks).
 * EB_SIM_OK with *out the new order (filled already when it was marketable), or the refusal. */
eb_sim_refusal_t eb_sim_book_place(eb_sim_book_t *b, const eb_sim_new_t *req, double px, int64_t now_ms,
                                   eb_sim_order_t **out);
/* Cancels a resting order (its lock is released). -1 when it is not open. */
int eb_sim_book_cancel(eb_sim_book_t *b, eb_sim_order_t *o, int64_t now_ms);
/* The order with this id, or the latest with this client id; NULL when there is none. */
eb_sim_order_t *eb_sim_book_find(eb_sim_book_t *b, int64_t id, const char *client_id);

/* Fills what the path from price a to price b reaches. jump: a gap (b is the next bar's open, nothing in
 * between traded). */
void eb_sim_book_sweep(eb_sim_book_t *b, double a, double bprice, int jump, int64_t now_ms);

#endif
