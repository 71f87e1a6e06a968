/* Balances, order placement and fills (sim_book.h). */
#include "tools/edgebox/sim/sim_book.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void eb_sim_book_init(eb_sim_book_t *b, const char *base, const char *quote)
{
    memset(b, 0, sizeof *b);
    snprintf(b->base, sizeof b->base, "%s", base);
    snprintf(b->quote, sizeof b->quote, "%s", quote);
    /* BTCUSDT's filters as Binance lists them in 2026 */
    b->tick = 0.01;
    b->step = 0.00001;
    b->min_qty = 0.00001;
    b->max_qty = 9000;
    b->min_notional = 5;
    eb_fill_costs_default(&b->costs);
    b->next_trade_id = 1;
    (void)eb_sim_book_credit(b, base, 0);
    (void)eb_sim_book_credit(b, quote, 0);
}

eb_sim_balance_t *eb_sim_book_balance(eb_sim_book_t *b, const char *asset)
{
    for (size_t i = 0; i < b->nbal; i++)
        if (strcmp(b->bal[i].name, asset) == 0)
            return &b->bal[i];
    return NULL;
}

int eb_sim_book_credit(eb_sim_book_t *b, const char *asset, double amount)
{
    eb_sim_balance_t *x = eb_sim_book_balance(b, asset);
    if (!x) {
        if (b->nbal == EB_SIM_MAX_ASSETS || strlen(asset) >= EB_SIM_ASSET_MAX)
            return -1;
        x = &b->bal[b->nbal++];
        snprintf(x->name, sizeof x->name, "%s", asset);
    }
    x->free += amount;
    return 0;
}

/* v is a whole multiple of unit (within rounding of the decimal text it came from). */
static int on_grid(double v, double unit)
{
    double k = v / unit;
    return fabs(k - nearbyint(k)) <= 1e-6;
}

static double fee_of(const eb_sim_book_t *b, double price, double qty) { return eb_fill_fee(&b->costs, price, qty); }

/* A buy's lock: the most its fill can cost, fee included. */
static double buy_lock(const eb_sim_book_t *b, double price, double qty) { return price * qty + fee_of(b, price, qty); }

static void fill(eb_sim_book_t *b, eb_sim_order_t *o, double price, int64_t now_ms, int maker)
{
    eb_sim_balance_t *base = eb_sim_book_balance(b, b->base), *quote = eb_sim_book_balance(b, b->quote);
    double notional = price * o->qty, fee = fee_of(b, price, o->qty);
    if (o->side > 0) {
        quote->locked -= o->locked;
        quote->free += o->locked - notional - fee;
        base->free += o->qty;
    } else {
        base->locked -= o->locked;
        base->free += o->locked - o->qty;
        quote->free += notional - fee;
    }
    o->locked = 0;
    o->executed = o->qty;
    o->cum_quote = notional;
    o->fee = fee;
    o->fill_price = price;
    o->status = EB_SIM_FILLED;
    o->update_ms = now_ms;
    o->maker = maker;
    b->trade_order[b->next_trade_id - 1] = (uint32_t)(o - b->orders);
    o->trade_id = b->next_trade_id++;
}

eb_sim_order_t *eb_sim_book_find(eb_sim_book_t *b, int64_t id, const char *client_id)
{
    for (size_t i = b->norders; i-- > 0;) {
        eb_sim_order_t *o = &b->orders[i];
        if (client_id ? strcmp(o->client_id, client_id) == 0 : o->id == id)
            return o;
    }
    return NULL;
}

static eb_sim_refusal_t check_filters(const eb_sim_book_t *b, const eb_sim_new_t *r, double px)
{
    if (r->type != EB_SIM_MARKET && (!(r->price > 0) || !on_grid(r->price, b->tick)))
        return EB_SIM_ERR_PRICE_FILTER;
    if (r->type == EB_SIM_STOP_LOSS_LIMIT && (!(r->stop > 0) || !on_grid(r->stop, b->tick)))
        return EB_SIM_ERR_PRICE_FILTER;
    if (!(r->qty >= b->min_qty) || r->qty > b->max_qty || !on_grid(r->qty, b->step))
        return EB_SIM_ERR_LOT_SIZE;
    double ref = r->type == EB_SIM_MARKET ? px : r->price;
    if (ref * r->qty < b->min_notional)
        return EB_SIM_ERR_NOTIONAL;
    return EB_SIM_OK;
}

eb_sim_refusal_t eb_sim_book_place(eb_sim_book_t *b, const eb_sim_new_t *r, double px, int64_t now_ms,
                                   eb_sim_order_t **out)
{
    eb_sim_refusal_t f = check_filters(b, r, px);
    if (f != EB_SIM_OK)
        return f;
    if (b->norders == EB_SIM_MAX_ORDERS)
        return EB_SIM_ERR_FULL;
    if (r->client_id) {
        const eb_sim_order_t *d = eb_sim_book_find(b, 0, r->client_id);
        if (d && d->status == EB_SIM_NEW)
            return EB_SIM_ERR_DUPLICATE;
    }
    /* a stop that the market is already beyond would fill at once: Binance refuses it */
    if (r->type == EB_SIM_STOP_LOSS_LIMIT && (r->side < 0 ? r->stop >= px : r->stop <= px))
        return EB_SIM_ERR_WOULD_TRIGGER;
    int marketable = r->type == EB_SIM_MARKET || (r->type == EB_SIM_LIMIT && (r->side > 0 ? r->price >= px : r->price <= px));
    double mkt = eb_fill_market_price(&b->costs, r->side, px);
    /* a marketable limit takes the market's fill, never worse than its limit */
    double fill_px = r->type == EB_SIM_MARKET ? mkt : r->side > 0 ? fmin(mkt, r->price) : fmax(mkt, r->price);
    double lock = r->side > 0 ? buy_lock(b, marketable ? fill_px : r->price, r->qty) : r->qty;
    eb_sim_balance_t *src = eb_sim_book_balance(b, r->side > 0 ? b->quote : b->base);
    if (!src || src->free < lock)
        return EB_SIM_ERR_BALANCE;
    eb_sim_order_t *o = &b->orders[b->norders];
    memset(o, 0, sizeof *o);
    o->id = (int64_t)b->norders + 1;
    if (r->client_id)
        snprintf(o->client_id, sizeof o->client_id, "%s", r->client_id);
    else
        snprintf(o->client_id, sizeof o->client_id, "sim%010lld", (long long)o->id);
    o->side = r->side;
    o->type = r->type;
    o->price = r->type == EB_SIM_MARKET ? 0 : r->price;
    o->stop = r->type == EB_SIM_STOP_LOSS_LIMIT ? r->stop : 0;
    o->qty = r->qty;
    o->status = EB_SIM_NEW;
    o->time_ms = o->update_ms = now_ms;
    o->locked = lock;
    src->free -= lock;
    src->locked += lock;
    b->norders++;
    if (marketable)
        fill(b, o, fill_px, now_ms, 0);
    *out = o;
    return EB_SIM_OK;
}

int eb_sim_book_cancel(eb_sim_book_t *b, eb_sim_order_t *o, int64_t now_ms)
{
    if (o->status != EB_SIM_NEW)
        return -1;
    eb_sim_balance_t *src = eb_sim_book_balance(b, o->side > 0 ? b->quote : b->base);
    src->locked -= o->locked;
    src->free += o->locked;
    o->locked = 0;
    o->status = EB_SIM_CANCELED;
    o->update_ms = now_ms;
    return 0;
}

/* Where a resting limit at `level` fills on the move a -> bp (side +1 buys at or under it), or NAN. */
static double limit_touch(int side, double level, double a, double bp, int jump)
{
    if (jump)
        return (side > 0 ? bp <= level : bp >= level) ? bp : NAN;
    if (side > 0 ? a <= level : a >= level)
        return a;
    if (side > 0 ? fmin(a, bp) <= level : fmax(a, bp) >= level)
        return level;
    return NAN;
}

void eb_sim_book_sweep(eb_sim_book_t *b, double a, double bp, int jump, int64_t now_ms)
{
    for (size_t i = 0; i < b->norders; i++) {
        eb_sim_order_t *o = &b->orders[i];
        if (o->status != EB_SIM_NEW)
            continue;
        if (o->type == EB_SIM_STOP_LOSS_LIMIT && !o->triggered) {
            /* a sell stop triggers when the price falls to it: the mirror of a buy limit */
            double t = limit_touch(-o->side, o->stop, a, bp, jump);
            if (isnan(t))
                continue;
            o->triggered = 1;
            o->update_ms = now_ms;
            if (o->side < 0 ? t >= o->price : t <= o->price)
                fill(b, o, t, now_ms, 0); /* a triggered stop takes the market */
            continue; /* otherwise a limit from the next move on */
        }
        double p = limit_touch(o->side, o->price, a, bp, jump);
        if (!isnan(p))
            fill(b, o, p, now_ms, 1);
    }
}
