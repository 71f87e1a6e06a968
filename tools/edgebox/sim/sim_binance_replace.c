/* POST /api/v3/order/cancelReplace: cancel an order and place another in one request, which Binance does
 * not make atomic (issue 14's facts): 200 when both happened, 409 (-2021) when one did, 400 (-2022) when
 * neither; the answer's data says which. STOP_ON_FAILURE places nothing when the cancel failed;
 * ALLOW_FAILURE places the new order anyway. The new order's parameters are checked before anything is
 * cancelled, so a malformed request is refused whole (400 with that parameter's code). */
#include <string.h>

#include "tools/edgebox/sim/sim_binance.h"

static eb_http_resp_t part(eb_sim_binance_t *v, int i)
{
    eb_http_resp_t r = {200, "application/json", NULL, v->part[i], sizeof v->part[i], 0, 0};
    v->part[i][0] = '\0';
    return r;
}

int eb_sim_bn_cancel_replace(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    int g = eb_sim_bn_signed(v, req, body, 1, &p, r);
    if (g != 0)
        return g < 0 ? -1 : 0;
    if (!eb_sim_bn_symbol_ok(v, &p, r, 1))
        return 0;
    const char *mode = eb_sim_param(&p, "cancelReplaceMode");
    if (!mode)
        return eb_sim_bn_error(r, 400, -1102,
                               "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, or malformed.");
    int allow = strcmp(mode, "ALLOW_FAILURE") == 0;
    if (!allow && strcmp(mode, "STOP_ON_FAILURE") != 0)
        return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter 'cancelReplaceMode'.");
    if (eb_sim_bn_new_order(v, &p, r, 1) != 0 || r->status != 200)
        return 0;
    eb_sim_bn_advance(v);
    eb_http_resp_t c = part(v, 0), n = part(v, 1);
    if (eb_sim_bn_cancel(v, &p, &c, "cancelOrderId", "cancelOrigClientOrderId") != 0 || c.overflow)
        return -1;
    int cancelled = c.status == 200, tried = cancelled || allow;
    if (tried && (eb_sim_bn_new_order(v, &p, &n, 0) != 0 || n.overflow))
        return -1;
    int placed = tried && n.status == 200;
    if (cancelled && placed) {
        eb_http_resp_printf(r, "{\"cancelResult\":\"SUCCESS\",\"newOrderResult\":\"SUCCESS\",\"cancelResponse\":%s,"
                               "\"newOrderResponse\":%s}", c.body, n.body);
        return 0;
    }
    /* a new order refused for its rate keeps its 429 header lines; the status is the pair's */
    r->status = cancelled || placed ? 409 : 400;
    eb_http_resp_printf(r, "{\"code\":%d,\"msg\":\"%s\",\"data\":{\"cancelResult\":\"%s\",\"newOrderResult\":\"%s\","
                           "\"cancelResponse\":%s,\"newOrderResponse\":%s}}",
                        r->status == 409 ? -2021 : -2022,
                        r->status == 409 ? "Order cancel-replace partially failed." : "Order cancel-replace failed.",
                        cancelled ? "SUCCESS" : "FAILURE", !tried ? "NOT_ATTEMPTED" : placed ? "SUCCESS" : "FAILURE",
                        c.body, tried ? n.body : "null");
    return 0;
}
