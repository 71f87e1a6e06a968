/* The Binance spot venue of the simulator (docs/exchange-sim.md): the REST subset the adapters use, with
 * Binance's paths, response shapes, error codes and headers, on the app's HTTP server. */
#ifndef EB_TOOLS_SIM_BINANCE_H
#define EB_TOOLS_SIM_BINANCE_H

#include <stddef.h>
#include <stdint.h>

#include "app/http/http_server.h"
#include "tools/edgebox/sim/sim_book.h"
#include "tools/edgebox/sim/sim_market.h"
#include "tools/edgebox/sim/sim_params.h"

#define EB_SIM_KEY_MAX 128
#define EB_SIM_KLINES_MAX 300 /* rows that fit one response buffer (Binance allows 1000) */

typedef struct {
    eb_sim_market_t market;
    eb_sim_book_t *book;
    char symbol[2 * EB_SIM_ASSET_MAX];
    char api_key[EB_SIM_KEY_MAX], api_secret[EB_SIM_KEY_MAX];
    int64_t (*now_ms)(void); /* wall clock, UTC ms */
    double pos;              /* the market position the book has been swept to */
    /* request weight per minute (X-MBX-USED-WEIGHT-1M) and new orders per 10 s (X-MBX-ORDER-COUNT-10S) */
    int weight_limit, order_limit_10s;
    int64_t weight_minute, order_window, order_day;
    int weight_used, orders_10s, orders_1d;
    char headers[256]; /* the extra header lines of the response being built */
    char payload[EB_HTTP_IN_CAP]; /* the signed bytes of the request being checked */
    char part[2][4096];           /* cancelReplace: its two answers, before they are joined */
} eb_sim_binance_t;

#define EB_SIM_BINANCE_NROUTES 9
/* The venue's routes bound to v, for eb_http_server_start (out holds EB_SIM_BINANCE_NROUTES). */
void eb_sim_binance_routes(eb_sim_binance_t *v, eb_http_route_t out[EB_SIM_BINANCE_NROUTES]);

/* --- shared by the venue's files -------------------------------------------------------------------- */
/* {"code":code,"msg":msg} with HTTP status. Returns 0 (the handler's result). */
int eb_sim_bn_error(eb_http_resp_t *r, int status, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Counts `weight`, sets the weight headers; 1 when the request is over the limit (429 written). */
int eb_sim_bn_weigh(eb_sim_binance_t *v, int weight, eb_http_resp_t *r);
/* The parameters of query and body; 1 when they were refused (400 written). */
int eb_sim_bn_params(const eb_http_req_t *req, const char *body, eb_sim_params_t *p, eb_http_resp_t *r);
/* The API key, timestamp/recvWindow and signature of a signed request; 1 when refused (answer written). */
int eb_sim_bn_auth(eb_sim_binance_t *v, const eb_http_req_t *req, const char *body, const eb_sim_params_t *p,
                   eb_http_resp_t *r);
/* A new order from p's side, type, quantity, price, stopPrice, timeInForce, newClientOrderId,
 * newOrderRespType: its answer or its refusal in r. dry: only the parameters are checked (0 and r
 * untouched when they are good). */
int eb_sim_bn_new_order(eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, int dry);
/* Cancels the order named by the parameters id_key or cid_key: its answer or the refusal in r. */
int eb_sim_bn_cancel(eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, const char *id_key,
                     const char *cid_key);
/* 1 when p's symbol is ours (or absent and not required); else 0 with the refusal in r. */
int eb_sim_bn_symbol_ok(const eb_sim_binance_t *v, const eb_sim_params_t *p, eb_http_resp_t *r, int required);
/* Weights that depend on the parameters (Binance's): openOrders 6 with a symbol, 80 without; myTrades 5
 * with an orderId, 20 without. */
#define EB_SIM_W_OPEN_ORDERS (-1)
#define EB_SIM_W_MY_TRADES (-2)
/* A SIGNED request's way in: parameters, weight (a number or one of the above), then eb_sim_bn_auth.
 * 0 to go on, 1 when refused (answer written), -1 on an internal failure (500). */
int eb_sim_bn_signed(eb_sim_binance_t *v, const eb_http_req_t *req, const char *body, int weight, eb_sim_params_t *p,
                     eb_http_resp_t *r);
/* Moves the market to now (fills what the path reached). */
void eb_sim_bn_advance(eb_sim_binance_t *v);

int eb_sim_bn_time(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_ping(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_exchange_info(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_klines(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_order(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_open_orders(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_cancel_replace(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_my_trades(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);
int eb_sim_bn_account(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);

#endif
