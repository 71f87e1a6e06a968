/* Binance spot's signed trading endpoints: POST/GET/DELETE /api/v3/order, GET /api/v3/openOrders and
 * GET /api/v3/account, with the venue's shapes (ACK/RESULT/FULL answers) and error codes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/http/json_text.h"
#include "tools/edgebox/sim/sim_binance.h"

static const char *status_name(const eb_sim_order_t *o)
{
    return o->status == EB_SIM_FILLED ? "FILLED" : o->status == EB_SIM_CANCELED ? "CANCELED" : "NEW";
}

static const char *type_name(eb_sim_type_t t)
{
    return t == EB_SIM_MARKET ? "MARKET" : t == EB_SIM_LIMIT ? "LIMIT" : "STOP_LOSS_LIMIT";
}

/* The fields every order answer has, up to and including "side" (no braces). */
static void order_common(const eb_sim_binance_t *v, const eb_sim_order_t *o, eb_http_resp_t *r)
{
    eb_http_resp_printf(r, "\"symbol\":");
    eb_json_str(r, v->symbol);
    eb_http_resp_printf(r, ",\"orderId\":%lld,\"orderListId\":-1,\"clientOrderId\":", (long long)o->id);
    eb_json_str(r, o->client_id);
    eb_http_resp_printf(r,
                        ",\"price\":\"%.8f\",\"origQty\":\"%.8f\",\"executedQty\":\"%.8f\","
                        "\"origQuoteOrderQty\":\"0.00000000\",\"cummulativeQuoteQty\":\"%.8f\",\"status\":\"%s\","
                        "\"timeInForce\":\"%s\",\"type\":\"%s\",\"side\":\"%s\"",
                        o->price, o->qty, o->executed, o->cum_quote, status_name(o), "GTC", type_name(o->type), o->side > 0 ? "BUY" : "SELL");
}

static void stop_field(const eb_sim_order_t *o, eb_http_resp_t *r)
{
    if (o->type == EB_SIM_STOP_LOSS_LIMIT)
        eb_http_resp_printf(r, ",\"stopPrice\":\"%.8f\"", o->stop);
}

static void fills_json(const eb_sim_binance_t *v, const eb_sim_order_t *o, eb_http_resp_t *r)
{
    eb_http_resp_printf(r, ",\"fills\":[");
    if (o->status == EB_SIM_FILLED) {
        eb_http_resp_printf(r, "{\"price\":\"%.8f\",\"qty\":\"%.8f\",\"commission\":\"%.8f\",\"commissionAsset\":",
                            o->fill_price, o->executed, o->fee);
        eb_json_str(r, v->book->quote);
        eb_http_resp_printf(r, ",\"tradeId\":%lld}", (long long)o->trade_id);
    }
    eb_http_resp_printf(r, "]");
}

/* GET /api/v3/order and each row of openOrders. */
static void order_json(const eb_sim_binance_t *v, const eb_sim_order_t *o, eb_http_resp_t *r)
{
    eb_http_resp_printf(r, "{");
    order_common(v, o, r);
    if (o->type == EB_SIM_STOP_LOSS_LIMIT)
        stop_field(o, r);
    else
        eb_http_resp_printf(r, ",\"stopPrice\":\"0.00000000\"");
    eb_http_resp_printf(r,
                        ",\"icebergQty\":\"0.00000000\",\"time\":%lld,\"updateTime\":%lld,\"isWorking\":%s,"
                        "\"workingTime\":%lld,\"selfTradePreventionMode\":\"EXPIRE_MAKER\"}",
                        (long long)o->time_ms, (long long)o->update_ms,
                        o->type != EB_SIM_STOP_LOSS_LIMIT || o->triggered ? "true" : "false",
                        (long long)o->time_ms);
}

/* A decimal parameter: 1 with *out, 0 absent, -1 malformed. */
static int num_param(const eb_sim_params_t *p, const char *key, double *out)
{
    const char *s = eb_sim_param(p, key);
    if (!s)
        return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.'))
            return -1;
    char *end;
    *out = strtod(s, &end);
    return *end || !isfinite(*out) ? -1 : 1;
}

static int missing(eb_http_resp_t *r, const char *key)
{
    return eb_sim_bn_error(r, 400, -1102, "Mandatory parameter '%s' was not sent, was empty/null, or malformed.", key);
}

static int client_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > EB_SIM_CLIENT_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

/* The new-order count of the last 10 s; 1 when over the limit (answered). */
static int count_order(eb_sim_binance_t *v, eb_http_resp_t *r)
{
    int64_t w = v->now_ms() / 10000;
    if (w != v->order_window) {
        v->order_window = w;
        v->orders_10s = 0;
    }
    int64_t day = v->now_ms() / 86400000;
    if (day != v->order_day) {
        v->order_day = day;
        v->orders_1d = 0;
    }
    v->orders_10s++;
    v->orders_1d++;
    size_t n = strlen(v->headers);
    snprintf(v->headers + n, sizeof v->headers - n, "X-MBX-ORDER-COUNT-10S: %d\r\nX-MBX-ORDER-COUNT-1D: %d\r\n",
             v->orders_10s, v->orders_1d);
    if (v->orders_10s > v->order_limit_10s)
        return eb_sim_bn_error(r, 429, -1015, "Too many new orders; current limit is %d orders per 10 SECOND.",
                               v->order_limit_10s) == 0;
    return 0;
}

int eb_sim_bn_new_order(eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, int dry)
{
    const char *side = eb_sim_param(p, "side"), *type = eb_sim_param(p, "type"), *tif = eb_sim_param(p, "timeInForce");
    const char *cid = eb_sim_param(p, "newClientOrderId"), *rt = eb_sim_param(p, "newOrderRespType");
    if (!side)
        return missing(r, "side");
    if (!type)
        return missing(r, "type");
    eb_sim_new_t n = {0};
    if (strcmp(side, "BUY") == 0)
        n.side = 1;
    else if (strcmp(side, "SELL") == 0)
        n.side = -1;
    else
        return eb_sim_bn_error(r, 400, -1117, "Invalid side.");
    if (strcmp(type, "MARKET") == 0)
        n.type = EB_SIM_MARKET;
    else if (strcmp(type, "LIMIT") == 0)
        n.type = EB_SIM_LIMIT;
    else if (strcmp(type, "STOP_LOSS_LIMIT") == 0)
        n.type = EB_SIM_STOP_LOSS_LIMIT;
    else /* STOP_LOSS and TAKE_PROFIT are not on BTCUSDT; LIMIT_MAKER, TAKE_PROFIT_LIMIT are not simulated */
        return eb_sim_bn_error(r, 400, -1116, "Invalid orderType.");
    if (rt && strcmp(rt, "ACK") != 0 && strcmp(rt, "RESULT") != 0 && strcmp(rt, "FULL") != 0)
        return eb_sim_bn_error(r, 400, -1136, "Invalid newOrderRespType.");
    int hq = num_param(p, "quantity", &n.qty), hp = num_param(p, "price", &n.price), hs = num_param(p, "stopPrice", &n.stop);
    if (eb_sim_param(p, "quoteOrderQty"))
        return eb_sim_bn_error(r, 400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
    if (hq <= 0)
        return hq < 0 ? eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter 'quantity'.") : missing(r, "quantity");
    if (hp < 0 || hs < 0)
        return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter '%s'.", hp < 0 ? "price" : "stopPrice");
    if (n.type == EB_SIM_MARKET) {
        if (hp || hs || tif)
            return eb_sim_bn_error(r, 400, -1106, "Parameter '%s' sent when not required.",
                                   hp ? "price" : hs ? "stopPrice" : "timeInForce");
    } else {
        if (!hp)
            return missing(r, "price");
        if (!tif)
            return missing(r, "timeInForce");
        if (strcmp(tif, "GTC") != 0)
            return eb_sim_bn_error(r, 400, -1115, "Invalid timeInForce."); /* IOC/FOK: not simulated */
        if (n.type == EB_SIM_STOP_LOSS_LIMIT && !hs)
            return missing(r, "stopPrice");
        if (n.type == EB_SIM_LIMIT && hs)
            return eb_sim_bn_error(r, 400, -1106, "Parameter 'stopPrice' sent when not required.");
    }
    if (cid && !client_id_ok(cid))
        return eb_sim_bn_error(r, 400, -1100,
                               "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
    n.client_id = cid;
    if (dry)
        return 0;
    if (count_order(v, r))
        return 0;
    eb_sim_bn_advance(v);
    int64_t now = v->now_ms();
    eb_sim_order_t *o = NULL;
    switch (eb_sim_book_place(v->book, &n, eb_sim_market_price(&v->market, v->pos), now, &o)) {
    case EB_SIM_OK:
        break;
    case EB_SIM_ERR_PRICE_FILTER:
        return eb_sim_bn_error(r, 400, -1013, "Filter failure: PRICE_FILTER");
    case EB_SIM_ERR_LOT_SIZE:
        return eb_sim_bn_error(r, 400, -1013, "Filter failure: LOT_SIZE");
    case EB_SIM_ERR_NOTIONAL:
        return eb_sim_bn_error(r, 400, -1013, "Filter failure: NOTIONAL");
    case EB_SIM_ERR_BALANCE:
        return eb_sim_bn_error(r, 400, -2010, "Account has insufficient balance for requested action.");
    case EB_SIM_ERR_WOULD_TRIGGER:
        return eb_sim_bn_error(r, 400, -2010, "Order would trigger immediately.");
    case EB_SIM_ERR_DUPLICATE:
        return eb_sim_bn_error(r, 400, -2010, "Duplicate order sent.");
    case EB_SIM_ERR_FULL:
        return eb_sim_bn_error(r, 400, -2010, "Too many orders on this simulated account.");
    }
    /* Binance's default answer: FULL for MARKET and LIMIT, ACK for the other types */
    const char *kind = rt ? rt : n.type == EB_SIM_STOP_LOSS_LIMIT ? "ACK" : "FULL";
    eb_http_resp_printf(r, "{\"symbol\":");
    eb_json_str(r, v->symbol);
    eb_http_resp_printf(r, ",\"orderId\":%lld,\"orderListId\":-1,\"clientOrderId\":", (long long)o->id);
    eb_json_str(r, o->client_id);
    eb_http_resp_printf(r, ",\"transactTime\":%lld", (long long)now);
    if (strcmp(kind, "ACK") != 0) {
        eb_http_resp_printf(r, ",");
        /* order_common repeats symbol, ids: a second object would be wrong, so write the rest here */
        eb_http_resp_printf(r,
                            "\"price\":\"%.8f\",\"origQty\":\"%.8f\",\"executedQty\":\"%.8f\","
                            "\"origQuoteOrderQty\":\"0.00000000\",\"cummulativeQuoteQty\":\"%.8f\",\"status\":\"%s\","
                            "\"timeInForce\":\"GTC\",\"type\":\"%s\",\"side\":\"%s\"",
                            o->price, o->qty, o->executed, o->cum_quote, status_name(o), type_name(o->type),
                            o->side > 0 ? "BUY" : "SELL");
        stop_field(o, r);
        eb_http_resp_printf(r, ",\"workingTime\":%lld,\"selfTradePreventionMode\":\"EXPIRE_MAKER\"", (long long)now);
        if (strcmp(kind, "FULL") == 0)
            fills_json(v, o, r);
    }
    eb_http_resp_printf(r, "}");
    return 0;
}

/* The order named by the parameters id_key or cid_key (orderId, origClientOrderId); NULL with the answer
 * written when there is none. */
static eb_sim_order_t *named_order(eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, int code,
                                   const char *msg, const char *id_key, const char *cid_key)
{
    const char *id = eb_sim_param(p, id_key), *cid = eb_sim_param(p, cid_key);
    if (!id && !cid) {
        (void)eb_sim_bn_error(r, 400, -1102, "Param '%s' or '%s' must be sent, but both were empty/null!", cid_key, id_key);
        return NULL;
    }
    char *end = NULL;
    long long n = id ? strtoll(id, &end, 10) : 0;
    if (id && (*end || n <= 0)) {
        (void)eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter '%s'; legal range is '^[0-9]{1,20}$'.", id_key);
        return NULL;
    }
    eb_sim_order_t *o = eb_sim_book_find(v->book, n, id ? NULL : cid);
    if (o && id && cid && strcmp(o->client_id, cid) != 0)
        o = NULL; /* both given: they must name the same order */
    if (!o)
        (void)eb_sim_bn_error(r, 400, code, "%s", msg);
    return o;
}

int eb_sim_bn_cancel(eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, const char *id_key,
                     const char *cid_key)
{
    eb_sim_order_t *o = named_order(v, p, r, -2011, "Unknown order sent.", id_key, cid_key);
    if (!o)
        return 0;
    if (eb_sim_book_cancel(v->book, o, v->now_ms()) != 0)
        return eb_sim_bn_error(r, 400, -2011, "Unknown order sent."); /* filled or cancelled already */
    eb_http_resp_printf(r, "{\"origClientOrderId\":");
    eb_json_str(r, o->client_id);
    eb_http_resp_printf(r, ",");
    order_common(v, o, r);
    stop_field(o, r);
    eb_http_resp_printf(r, ",\"transactTime\":%lld,\"selfTradePreventionMode\":\"EXPIRE_MAKER\"}",
                        (long long)o->update_ms);
    return 0;
}

int eb_sim_bn_symbol_ok(const eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, int required)
{
    const char *sym = eb_sim_param(p, "symbol");
    if (!sym && required)
        return missing(r, "symbol"), 0;
    if (sym && strcmp(sym, v->symbol) != 0)
        return eb_sim_bn_error(r, 400, -1121, "Invalid symbol."), 0;
    return 1;
}

int eb_sim_bn_order(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    int weight = req->method == EB_HTTP_POST ? 1 : req->method == EB_HTTP_DELETE ? 1 : 4;
    int g = eb_sim_bn_signed(v, req, body, weight, &p, r);
    if (g != 0)
        return g < 0 ? -1 : 0;
    if (!eb_sim_bn_symbol_ok(v, &p, r, 1))
        return 0;
    if (req->method == EB_HTTP_POST)
        return eb_sim_bn_new_order(v, &p, r, 0);
    eb_sim_bn_advance(v);
    if (req->method == EB_HTTP_DELETE)
        return eb_sim_bn_cancel(v, &p, r, "orderId", "origClientOrderId");
    eb_sim_order_t *o = named_order(v, &p, r, -2013, "Order does not exist.", "orderId", "origClientOrderId");
    if (o)
        order_json(v, o, r);
    return 0;
}

int eb_sim_bn_open_orders(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    int g = eb_sim_bn_signed(v, req, body, EB_SIM_W_OPEN_ORDERS, &p, r);
    if (g != 0)
        return g < 0 ? -1 : 0;
    if (!eb_sim_bn_symbol_ok(v, &p, r, 0))
        return 0;
    eb_sim_bn_advance(v);
    eb_http_resp_printf(r, "[");
    int first = 1;
    for (size_t i = 0; i < v->book->norders; i++) {
        const eb_sim_order_t *o = &v->book->orders[i];
        if (o->status != EB_SIM_NEW)
            continue;
        eb_http_resp_printf(r, "%s", first ? "" : ",");
        order_json(v, o, r);
        first = 0;
    }
    eb_http_resp_printf(r, "]");
    return 0;
}

int eb_sim_bn_account(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    int g = eb_sim_bn_signed(v, req, body, 20, &p, r);
    if (g != 0)
        return g < 0 ? -1 : 0;
    eb_sim_bn_advance(v);
    double fee = v->book->costs.fee_bps / 10000.0;
    int bps = (int)lround(v->book->costs.fee_bps);
    eb_http_resp_printf(r,
                        "{\"makerCommission\":%d,\"takerCommission\":%d,\"buyerCommission\":0,\"sellerCommission\":0,"
                        "\"commissionRates\":{\"maker\":\"%.8f\",\"taker\":\"%.8f\",\"buyer\":\"0.00000000\","
                        "\"seller\":\"0.00000000\"},\"canTrade\":true,\"canWithdraw\":false,\"canDeposit\":false,"
                        "\"brokered\":false,\"requireSelfTradePrevention\":false,\"preventSor\":false,"
                        "\"updateTime\":%lld,\"accountType\":\"SPOT\",\"balances\":[",
                        bps, bps, fee, fee, (long long)v->now_ms());
    for (size_t i = 0; i < v->book->nbal; i++) {
        const eb_sim_balance_t *b = &v->book->bal[i];
        eb_http_resp_printf(r, "%s{\"asset\":", i ? "," : "");
        eb_json_str(r, b->name);
        /* a float's dust under 1e-9 is 0: never "-0.00000000" */
        eb_http_resp_printf(r, ",\"free\":\"%.8f\",\"locked\":\"%.8f\"}", fabs(b->free) < 1e-9 ? 0.0 : b->free,
                            fabs(b->locked) < 1e-9 ? 0.0 : b->locked);
    }
    eb_http_resp_printf(r, "],\"permissions\":[\"SPOT\"],\"uid\":1}");
    return 0;
}
