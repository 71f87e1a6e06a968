/* Binance spot's public market endpoints: ping, time, exchangeInfo, klines. */
#include <string.h>

#include "app/http/json_text.h"
#include "tools/edgebox/sim/sim_binance.h"

int eb_sim_bn_ping(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)req;
    (void)body;
    if (!eb_sim_bn_weigh(ctx, 1, r))
        eb_http_resp_printf(r, "{}");
    return 0;
}

int eb_sim_bn_time(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)req;
    (void)body;
    eb_sim_binance_t *v = ctx;
    if (!eb_sim_bn_weigh(v, 1, r))
        eb_http_resp_printf(r, "{\"serverTime\":%lld}", (long long)v->now_ms());
    return 0;
}

/* Decimal text of a filter value the way Binance prints them ("0.01000000"). */
static void dec(eb_http_resp_t *r, const char *name, double x, int comma)
{
    eb_http_resp_printf(r, "\"%s\":\"%.8f\"%s", name, x, comma ? "," : "");
}

static void symbol_json(eb_sim_binance_t *v, eb_http_resp_t *r)
{
    const eb_sim_book_t *b = v->book;
    eb_http_resp_printf(r, "{\"symbol\":");
    eb_json_str(r, v->symbol);
    eb_http_resp_printf(r, ",\"status\":\"TRADING\",\"baseAsset\":");
    eb_json_str(r, b->base);
    eb_http_resp_printf(r, ",\"baseAssetPrecision\":8,\"quoteAsset\":");
    eb_json_str(r, b->quote);
    /* the types served: BTCUSDT has no STOP_LOSS (stops are STOP_LOSS_LIMIT, issue 14's facts); its
     * LIMIT_MAKER and TAKE_PROFIT_LIMIT are not simulated, so they are not listed */
    eb_http_resp_printf(r, ",\"quotePrecision\":8,\"quoteAssetPrecision\":8,\"baseCommissionPrecision\":8,"
                           "\"quoteCommissionPrecision\":8,\"orderTypes\":[\"LIMIT\",\"MARKET\","
                           "\"STOP_LOSS_LIMIT\"],\"icebergAllowed\":false,\"ocoAllowed\":false,"
                           "\"otoAllowed\":false,\"quoteOrderQtyMarketAllowed\":false,\"allowTrailingStop\":false,"
                           "\"cancelReplaceAllowed\":true,\"amendAllowed\":false,\"isSpotTradingAllowed\":true,"
                           "\"isMarginTradingAllowed\":false,\"filters\":[{\"filterType\":\"PRICE_FILTER\",");
    dec(r, "minPrice", b->tick, 1);
    dec(r, "maxPrice", 1000000, 1);
    dec(r, "tickSize", b->tick, 0);
    eb_http_resp_printf(r, "},{\"filterType\":\"LOT_SIZE\",");
    dec(r, "minQty", b->min_qty, 1);
    dec(r, "maxQty", b->max_qty, 1);
    dec(r, "stepSize", b->step, 0);
    eb_http_resp_printf(r, "},{\"filterType\":\"NOTIONAL\",");
    dec(r, "minNotional", b->min_notional, 1);
    eb_http_resp_printf(r, "\"applyMinToMarket\":true,");
    dec(r, "maxNotional", 9000000, 1);
    eb_http_resp_printf(r, "\"applyMaxToMarket\":false,\"avgPriceMins\":5}],\"permissions\":[],"
                           "\"permissionSets\":[[\"SPOT\"]],\"defaultSelfTradePreventionMode\":\"EXPIRE_MAKER\","
                           "\"allowedSelfTradePreventionModes\":[\"NONE\",\"EXPIRE_TAKER\",\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]}");
}

int eb_sim_bn_exchange_info(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    if (eb_sim_bn_weigh(v, 20, r) || eb_sim_bn_params(req, body, &p, r))
        return 0;
    const char *sym = eb_sim_param(&p, "symbol");
    if (sym && strcmp(sym, v->symbol) != 0)
        return eb_sim_bn_error(r, 400, -1121, "Invalid symbol.");
    eb_http_resp_printf(r, "{\"timezone\":\"UTC\",\"serverTime\":%lld,\"rateLimits\":["
                           "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d},"
                           "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":%d}],"
                           "\"exchangeFilters\":[],\"symbols\":[",
                        (long long)v->now_ms(), v->weight_limit, v->order_limit_10s);
    symbol_json(v, r);
    eb_http_resp_printf(r, "]}");
    return 0;
}

/* Binance's name of the bars' interval ("5m"), or NULL when it has none. */
static const char *interval_name(int64_t ms)
{
    static const struct { int64_t ms; const char *name; } t[] = {
        {60000, "1m"}, {180000, "3m"}, {300000, "5m"}, {900000, "15m"}, {1800000, "30m"}, {3600000, "1h"},
        {7200000, "2h"}, {14400000, "4h"}, {21600000, "6h"}, {28800000, "8h"}, {43200000, "12h"}, {86400000, "1d"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].ms == ms)
            return t[i].name;
    return NULL;
}

/* Bar i as far as the market has walked it: a closed bar whole, the open one up to now. */
static eb_bar_t bar_so_far(const eb_sim_binance_t *v, size_t i)
{
    eb_bar_t b = v->market.bars[i];
    double in = v->pos - (double)i * 3.0;
    if (in >= 3.0)
        return b;
    double c[4], now = eb_sim_market_price(&v->market, v->pos);
    eb_sim_market_corners(&v->market, i, c);
    b.high = b.low = c[0];
    for (int k = 1; k <= 3 && k <= (int)in; k++) {
        b.high = c[k] > b.high ? c[k] : b.high;
        b.low = c[k] < b.low ? c[k] : b.low;
    }
    b.high = now > b.high ? now : b.high;
    b.low = now < b.low ? now : b.low;
    b.close = now;
    b.volume *= in / 3.0;
    return b;
}

int eb_sim_bn_klines(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_sim_binance_t *v = ctx;
    eb_sim_params_t p;
    if (eb_sim_bn_weigh(v, 2, r) || eb_sim_bn_params(req, body, &p, r))
        return 0;
    const char *sym = eb_sim_param(&p, "symbol"), *iv = eb_sim_param(&p, "interval");
    if (!sym)
        return eb_sim_bn_error(r, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (strcmp(sym, v->symbol) != 0)
        return eb_sim_bn_error(r, 400, -1121, "Invalid symbol.");
    const char *have = interval_name(v->market.interval_ms);
    if (!iv)
        return eb_sim_bn_error(r, 400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
    if (!have || strcmp(iv, have) != 0)
        return eb_sim_bn_error(r, 400, -1120, "Invalid interval.");
    long long limit = 500, from = -1, to = -1;
    int hl = eb_sim_param_int(&p, "limit", &limit), hf = eb_sim_param_int(&p, "startTime", &from), ht = eb_sim_param_int(&p, "endTime", &to);
    if (hl < 0 || hf < 0 || ht < 0 || limit < 1 || limit > 1000)
        return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter 'limit', 'startTime' or 'endTime'.");
    if (limit > EB_SIM_KLINES_MAX)
        limit = EB_SIM_KLINES_MAX;
    from -= v->market.shift_ms; /* into the file's times */
    to -= v->market.shift_ms;
    eb_sim_bn_advance(v);
    size_t now_bar = eb_sim_market_bar(&v->market, v->pos);
    /* the rows: from startTime forward, else the latest up to endTime (or now) backward */
    size_t first = 0, last = now_bar; /* inclusive */
    while (ht && last > 0 && v->market.bars[last].open_time_ms > to)
        last--;
    if (ht && v->market.bars[last].open_time_ms > to) {
        eb_http_resp_printf(r, "[]");
        return 0;
    }
    if (hf) {
        while (first <= last && v->market.bars[first].open_time_ms < from)
            first++;
        if (first <= last && last - first + 1 > (size_t)limit)
            last = first + (size_t)limit - 1;
    } else if (last + 1 > (size_t)limit) {
        first = last + 1 - (size_t)limit;
    }
    eb_http_resp_printf(r, "[");
    for (size_t i = first; i <= last && first <= last; i++) {
        eb_bar_t b = bar_so_far(v, i);
        int64_t close_ms = b.open_time_ms + v->market.shift_ms + v->market.interval_ms - 1;
        double mid = (b.open + b.close) / 2;
        eb_http_resp_printf(r, "%s[%lld,\"%.8f\",\"%.8f\",\"%.8f\",\"%.8f\",\"%.8f\",%lld,\"%.8f\",%d,\"%.8f\",\"%.8f\",\"0\"]",
                            i > first ? "," : "", (long long)(b.open_time_ms + v->market.shift_ms), b.open, b.high, b.low, b.close, b.volume,
                            (long long)close_ms, b.volume * mid, b.volume > 0 ? 1 : 0, /* trades: not in the bar file */
                            b.volume / 2, b.volume / 2 * mid);
    }
    eb_http_resp_printf(r, "]");
    return 0;
}
