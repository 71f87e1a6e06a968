/* Orders, their state machine and fills. An intent row is committed before the request leaves; every
 * transition is checked against the state machine and logged in order_log. */
#include "app/journal_internal.h"

#include <math.h>
#include <string.h>

#define B(s) (1u << (s))
/* allowed[from] = the states `from` may move to. An intent may already have left when the box died, so
 * it can become unknown; unknown is resolved by a query into whatever the exchange says. */
static const unsigned allowed[EB_ORDER_STATE_COUNT] = {
    [EB_ORDER_INTENT] = B(EB_ORDER_SENT) | B(EB_ORDER_CANCELLED) | B(EB_ORDER_UNKNOWN),
    [EB_ORDER_SENT] = B(EB_ORDER_ACKNOWLEDGED) | B(EB_ORDER_PARTIALLY_FILLED) | B(EB_ORDER_FILLED) |
                      B(EB_ORDER_CANCELLED) | B(EB_ORDER_REJECTED) | B(EB_ORDER_UNKNOWN),
    [EB_ORDER_ACKNOWLEDGED] = B(EB_ORDER_PARTIALLY_FILLED) | B(EB_ORDER_FILLED) | B(EB_ORDER_CANCELLED) |
                              B(EB_ORDER_UNKNOWN),
    [EB_ORDER_PARTIALLY_FILLED] = B(EB_ORDER_PARTIALLY_FILLED) | B(EB_ORDER_FILLED) | B(EB_ORDER_CANCELLED) |
                                  B(EB_ORDER_UNKNOWN),
    [EB_ORDER_UNKNOWN] = B(EB_ORDER_ACKNOWLEDGED) | B(EB_ORDER_PARTIALLY_FILLED) | B(EB_ORDER_FILLED) |
                         B(EB_ORDER_CANCELLED) | B(EB_ORDER_REJECTED),
};
#undef B

int eb_order_transition_ok(eb_order_state_t from, eb_order_state_t to)
{
    if ((unsigned)from >= EB_ORDER_STATE_COUNT || (unsigned)to >= EB_ORDER_STATE_COUNT)
        return 0;
    return (allowed[from] >> to) & 1u;
}

static int check_order(eb_journal_t *j, const eb_journal_order_t *o)
{
    if (!o->client_id[0] || strlen(o->client_id) > 36)
        return eb_journal_fail(j, "order client id '%s' is not allowed (allowed: 1..36 characters)", o->client_id);
    if (!o->symbol[0] || !o->type[0])
        return eb_journal_fail(j, "order %s: symbol and type are required", o->client_id);
    if (o->side != 1 && o->side != -1)
        return eb_journal_fail(j, "order %s: side %d is not allowed (allowed: +1 buy, -1 sell)", o->client_id, o->side);
    if (!(o->qty > 0) || !isfinite(o->qty))
        return eb_journal_fail(j, "order %s: qty %g is not allowed (allowed: > 0)", o->client_id, o->qty);
    return 0;
}

static int log_transition(eb_journal_t *j, const char *id, const char *from, const char *to, const char *detail,
                          int64_t now_ms)
{
    sqlite3_stmt *st = j->st[JS_ORDER_LOG];
    eb_journal_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    eb_journal_bind_text(st, 3, from);
    eb_journal_bind_text(st, 4, to);
    eb_journal_bind_text(st, 5, detail ? detail : "");
    return eb_journal_exec(j, JS_ORDER_LOG, "logging an order transition");
}

int eb_journal_order_intent(eb_journal_t *j, const eb_journal_order_t *o, int64_t now_ms)
{
    if (check_order(j, o) != 0)
        return -1;
    eb_journal_order_t existing;
    int found = eb_journal_order_get(j, o->client_id, &existing);
    if (found != 1)
        return found < 0 ? -1 : eb_journal_fail(j, "order %s already exists (state %s)", o->client_id,
                                                eb_order_state_name(existing.state));
    sqlite3_stmt *st = j->st[JS_ORDER_INSERT];
    eb_journal_bind_text(st, 1, o->client_id);
    eb_journal_bind_text(st, 2, o->exchange_id);
    eb_journal_bind_text(st, 3, o->symbol);
    eb_journal_bind_text(st, 4, o->type);
    sqlite3_bind_int(st, 5, o->side);
    sqlite3_bind_double(st, 6, o->qty);
    eb_journal_bind_real(st, 7, o->price);
    eb_journal_bind_real(st, 8, o->stop_price);
    sqlite3_bind_int64(st, 9, o->bar_ms);
    sqlite3_bind_int64(st, 10, now_ms);
    sqlite3_bind_int64(st, 11, now_ms);
    eb_journal_bind_text(st, 12, o->reason);
    if (eb_journal_step_begin(j) != 0)
        return -1;
    int rc = eb_journal_exec(j, JS_ORDER_INSERT, "order intent");
    if (rc == 0)
        rc = log_transition(j, o->client_id, NULL, "intent", o->reason, now_ms);
    return eb_journal_step_end(j, rc);
}

static void read_order(sqlite3_stmt *st, eb_journal_order_t *o)
{
    memset(o, 0, sizeof *o);
    eb_journal_col_text(st, 0, o->client_id, sizeof o->client_id);
    eb_journal_col_text(st, 1, o->exchange_id, sizeof o->exchange_id);
    eb_journal_col_text(st, 2, o->symbol, sizeof o->symbol);
    eb_journal_col_text(st, 3, o->type, sizeof o->type);
    o->side = sqlite3_column_int(st, 4);
    o->qty = eb_journal_col_real(st, 5);
    o->price = eb_journal_col_real(st, 6);
    o->stop_price = eb_journal_col_real(st, 7);
    eb_order_state_from_name((const char *)sqlite3_column_text(st, 8), &o->state);
    o->filled_qty = eb_journal_col_real(st, 9);
    o->avg_price = eb_journal_col_real(st, 10);
    o->bar_ms = sqlite3_column_int64(st, 11);
    o->created_ms = sqlite3_column_int64(st, 12);
    o->updated_ms = sqlite3_column_int64(st, 13);
    eb_journal_col_text(st, 14, o->reason, sizeof o->reason);
}

int eb_journal_order_get(eb_journal_t *j, const char *client_id, eb_journal_order_t *out)
{
    sqlite3_stmt *st = j->st[JS_ORDER_GET];
    eb_journal_bind_text(st, 1, client_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_order(st, out);
    else if (rc != SQLITE_DONE)
        eb_journal_fail(j, "reading order %s: %s", client_id, sqlite3_errmsg(j->db));
    eb_journal_done(j, JS_ORDER_GET);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

static int check_update(eb_journal_t *j, const eb_journal_order_t *o, eb_order_state_t to, double filled)
{
    if (!eb_order_transition_ok(o->state, to))
        return eb_journal_fail(j, "order %s: %s -> %s is not allowed by the order state machine", o->client_id,
                               eb_order_state_name(o->state), eb_order_state_name(to) ? eb_order_state_name(to) : "?");
    if (filled < o->filled_qty || filled > o->qty * (1 + 1e-9))
        return eb_journal_fail(j, "order %s: filled qty %g is not allowed (allowed: %g..%g, never decreasing)",
                               o->client_id, filled, o->filled_qty, o->qty);
    return 0;
}

int eb_journal_order_update(eb_journal_t *j, const char *client_id, eb_order_state_t to, const char *exchange_id,
                            double filled_qty, double avg_price, const char *detail, int64_t now_ms)
{
    eb_journal_order_t o;
    int found = eb_journal_order_get(j, client_id, &o);
    if (found != 0)
        return found < 0 ? -1 : eb_journal_fail(j, "order %s: no such order", client_id);
    double filled = isnan(filled_qty) ? o.filled_qty : filled_qty;
    if (check_update(j, &o, to, filled) != 0)
        return -1;
    if (exchange_id && exchange_id[0] && !eb_journal_fits(exchange_id, sizeof o.exchange_id))
        return eb_journal_fail(j, "order %s: exchange id longer than %zu", client_id, sizeof o.exchange_id - 1);
    sqlite3_stmt *st = j->st[JS_ORDER_UPDATE];
    eb_journal_bind_text(st, 1, client_id);
    eb_journal_bind_text(st, 2, eb_order_state_name(to));
    eb_journal_bind_text(st, 3, exchange_id && exchange_id[0] ? exchange_id : o.exchange_id);
    sqlite3_bind_double(st, 4, filled);
    eb_journal_bind_real(st, 5, isnan(avg_price) ? o.avg_price : avg_price);
    sqlite3_bind_int64(st, 6, now_ms);
    if (eb_journal_step_begin(j) != 0)
        return -1;
    int rc = eb_journal_exec(j, JS_ORDER_UPDATE, "order update");
    if (rc == 0)
        rc = log_transition(j, client_id, eb_order_state_name(o.state), eb_order_state_name(to), detail, now_ms);
    return eb_journal_step_end(j, rc);
}

int eb_journal_orders_open(eb_journal_t *j, int (*cb)(void *ctx, const eb_journal_order_t *o), void *ctx)
{
    sqlite3_stmt *st = j->st[JS_ORDERS_OPEN];
    int rc, stop = 0;
    eb_journal_order_t o;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_order(st, &o);
        stop = cb(ctx, &o);
    }
    return eb_journal_walk_end(j, JS_ORDERS_OPEN, stop, rc, "open orders");
}

int eb_journal_fill_add(eb_journal_t *j, const eb_journal_fill_t *f)
{
    if (!f->trade_id[0] || !(f->qty > 0) || !(f->price > 0))
        return eb_journal_fail(j, "fill of order %s: trade id, qty > 0 and price > 0 are required (got '%s', %g, %g)",
                               f->client_id, f->trade_id, f->qty, f->price);
    sqlite3_stmt *st = j->st[JS_FILL_INSERT];
    eb_journal_bind_text(st, 1, f->client_id);
    eb_journal_bind_text(st, 2, f->trade_id);
    sqlite3_bind_double(st, 3, f->qty);
    sqlite3_bind_double(st, 4, f->price);
    sqlite3_bind_double(st, 5, isnan(f->fee) ? 0 : f->fee);
    eb_journal_bind_text(st, 6, f->fee_asset);
    sqlite3_bind_int64(st, 7, f->time_ms);
    if (eb_journal_exec(j, JS_FILL_INSERT, "fill") != 0)
        return -1;
    return sqlite3_changes(j->db) == 0 ? 1 : 0;
}
