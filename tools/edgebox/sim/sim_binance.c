/* The Binance spot venue: its route table and what every request goes through (sim_binance.h). */
#include "tools/edgebox/sim/sim_binance.h"

#include <stdarg.h>
#include <stdio.h>

#include "app/http/json_text.h"
#include "tools/edgebox/sim/sim_advance.h"

void eb_sim_binance_routes(eb_sim_binance_t *v, eb_http_route_t out[EB_SIM_BINANCE_NROUTES])
{
    const unsigned get = EB_HTTP_M(GET);
    const eb_http_route_t t[EB_SIM_BINANCE_NROUTES] = {
        {"/api/v3/ping", get, 0, 0, eb_sim_bn_ping, v},
        {"/api/v3/time", get, 0, 0, eb_sim_bn_time, v},
        {"/api/v3/exchangeInfo", get, 0, 0, eb_sim_bn_exchange_info, v},
        {"/api/v3/klines", get, 0, 0, eb_sim_bn_klines, v},
        /* parameters may come in the query or a form body on every method, as on Binance */
        {"/api/v3/order", get | EB_HTTP_M(POST) | EB_HTTP_M(DELETE), 0, 4096, eb_sim_bn_order, v},
        {"/api/v3/order/cancelReplace", EB_HTTP_M(POST), 0, 4096, eb_sim_bn_cancel_replace, v},
        {"/api/v3/openOrders", get, 0, 4096, eb_sim_bn_open_orders, v},
        {"/api/v3/myTrades", get, 0, 4096, eb_sim_bn_my_trades, v},
        {"/api/v3/account", get, 0, 4096, eb_sim_bn_account, v},
    };
    for (size_t i = 0; i < EB_SIM_BINANCE_NROUTES; i++)
        out[i] = t[i];
}

int eb_sim_bn_error(eb_http_resp_t *r, int status, int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap); /* a cut message is still an answer */
    va_end(ap);
    r->status = status;
    r->len = 0;
    eb_http_resp_printf(r, "{\"code\":%d,\"msg\":", code);
    eb_json_str(r, msg);
    eb_http_resp_printf(r, "}");
    return 0;
}

int eb_sim_bn_weigh(eb_sim_binance_t *v, int weight, eb_http_resp_t *r)
{
    int64_t now = v->now_ms();
    int64_t minute = now / 60000;
    if (minute != v->weight_minute) {
        v->weight_minute = minute;
        v->weight_used = 0;
    }
    v->weight_used += weight;
    int over = v->weight_used > v->weight_limit;
    if (over) {
        int64_t retry = (minute + 1) * 60 - now / 1000;
        snprintf(v->headers, sizeof v->headers, "X-MBX-USED-WEIGHT-1M: %d\r\nRetry-After: %lld\r\n", v->weight_used,
                 (long long)(retry > 0 ? retry : 1));
    } else {
        snprintf(v->headers, sizeof v->headers, "X-MBX-USED-WEIGHT-1M: %d\r\n", v->weight_used);
    }
    r->headers = v->headers;
    if (over)
        return eb_sim_bn_error(r, 429, -1003,
                               "Too much request weight used; current limit is %d request weight per 1 MINUTE. "
                               "Please use WebSocket Streams for live updates to avoid polling the API.",
                               v->weight_limit) == 0;
    return 0;
}

int eb_sim_bn_params(const eb_http_req_t *req, const char *body, eb_sim_params_t *p, eb_http_resp_t *r)
{
    char err[200];
    p->n = 0;
    p->used = 0;
    if (eb_sim_params_add(p, req->query.p, req->query.n, err, sizeof err) != 0 ||
        eb_sim_params_add(p, body, (size_t)req->content_length, err, sizeof err) != 0)
        return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in a parameter: %s", err) == 0;
    return 0;
}

void eb_sim_bn_advance(eb_sim_binance_t *v) { eb_sim_advance(&v->market, v->book, &v->pos, v->now_ms()); }

int eb_sim_bn_signed(eb_sim_binance_t *v, const eb_http_req_t *req, const char *body, int weight, eb_sim_params_t *p,
                     eb_http_resp_t *r)
{
    int bad = eb_sim_bn_params(req, body, p, r);
    int w = weight;
    if (weight == EB_SIM_W_OPEN_ORDERS)
        w = !bad && eb_sim_param(p, "symbol") ? 6 : 80;
    else if (weight == EB_SIM_W_MY_TRADES)
        w = !bad && eb_sim_param(p, "orderId") ? 5 : 20;
    if (eb_sim_bn_weigh(v, w, r) || bad)
        return 1;
    return eb_sim_bn_auth(v, req, body, p, r);
}
