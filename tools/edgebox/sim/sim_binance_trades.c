/* GET /api/v3/myTrades: the account's fills, one trade per filled order (fills are whole), in trade id
 * order: from fromId on, else the latest `limit`; startTime/endTime and orderId narrow them. */

#include "app/http/json_text.h"
#include "tools/edgebox/sim/sim_binance.h"

#define TRADES_MAX 200 /* rows that fit one response buffer (Binance allows 1000) */

static void trade_json(const eb_sim_binance_t *v, const eb_sim_order_t *o, eb_http_resp_t *r)
{
    eb_http_resp_printf(r, "{\"symbol\":");
    eb_json_str(r, v->symbol);
    eb_http_resp_printf(r,
                        ",\"id\":%lld,\"orderId\":%lld,\"orderListId\":-1,\"price\":\"%.8f\",\"qty\":\"%.8f\","
                        "\"quoteQty\":\"%.8f\",\"commission\":\"%.8f\",\"commissionAsset\":",
                        (long long)o->trade_id, (long long)o->id, o->fill_price, o->executed, o->cum_quote, o->fee);
    eb_json_str(r, v->book->quote);
    eb_http_resp_printf(r, ",\"time\":%lld,\"isBuyer\":%s,\"isMaker\":%s,\"isBestMatch\":true}", (long long)o->update_ms,
                        o->side > 0 ? "true" : "false", o->maker ? "true" : "false");
}

int eb_sim_bn_my_trades(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    int g = eb_sim_bn_signed(v, req, body, EB_SIM_W_MY_TRADES, &p, r);
    if (g != 0)
        return g < 0 ? -1 : 0;
    if (!eb_sim_bn_symbol_ok(v, &p, r, 1))
        return 0;
    long long limit = 500, from = 0, start = 0, end = 0, oid = 0;
    int hl = eb_sim_param_int(&p, "limit", &limit), hf = eb_sim_param_int(&p, "fromId", &from), hs = eb_sim_param_int(&p, "startTime", &start),
        he = eb_sim_param_int(&p, "endTime", &end), ho = eb_sim_param_int(&p, "orderId", &oid);
    if (hl < 0 || hf < 0 || hs < 0 || he < 0 || ho < 0 || (hl && (limit < 1 || limit > 1000)))
        return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter 'limit', 'fromId', 'startTime', "
                                              "'endTime' or 'orderId'.");
    if (hf && (hs || he))
        return eb_sim_bn_error(r, 400, -1106, "Parameter 'fromId' sent when not required.");
    if (limit > TRADES_MAX)
        limit = TRADES_MAX;
    eb_sim_bn_advance(v);
    const eb_sim_book_t *b = v->book;
    size_t ntrades = (size_t)(b->next_trade_id - 1), first = 0, count = 0;
    /* the matching trades are taken in id order; without fromId the last `limit` of them */
    size_t match[TRADES_MAX];
    for (size_t t = 0; t < ntrades; t++) {
        const eb_sim_order_t *o = &b->orders[b->trade_order[t]];
        if ((hf && o->trade_id < from) || (hs && o->update_ms < start) || (he && o->update_ms > end) || (ho && o->id != oid))
            continue;
        if (count == (size_t)limit) {
            if (hf)
                break;
            first = (first + 1) % (size_t)limit; /* a ring: the oldest goes */
            count--;
        }
        match[(first + count) % (size_t)limit] = t;
        count++;
    }
    eb_http_resp_printf(r, "[");
    for (size_t k = 0; k < count; k++) {
        eb_http_resp_printf(r, "%s", k ? "," : "");
        trade_json(v, &b->orders[b->trade_order[match[(first + k) % (size_t)limit]]], r);
    }
    eb_http_resp_printf(r, "]");
    return 0;
}
