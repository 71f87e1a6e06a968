/* edgebox exchange-sim as a process (issue 14 item 4, first part: venue spot). It is driven with curl and
 * the app's Binance signer (app/venue_sign_binance.h): time, exchangeInfo, klines, market/limit/stop-limit
 * orders, query, cancel, openOrders, account; the refusals a client must see (-1022 bad signature, -1021
 * stale timestamp, -2014/-2015 keys, -2013/-2011 unknown orders, -2010 insufficient balance and a stop that
 * would trigger immediately) leave the account as it was; limit and stop-limit orders fill along each bar's
 * path, a gap through a stop-limit's limit leaves it resting, and myTrades lists the fills; cancelReplace
 * answers 200/409/400 as Binance does; request weight (-1003) and order count (-1015) limits; --times now;
 * keep-alive says Connection: close when the server closes; bad options name what is wrong. In process,
 * the bar path and the book's fills at fixed times. And ccxt (a third-party Binance client, from npm; skipped
 * when node, npm or the package is unavailable) runs fetchTime, loadMarkets, a market buy, fetchOrder,
 * fetchBalance and a limit order's cancelOrder against it unchanged. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include "app/venue_sign_binance.h"
#include "tools/edgebox/sim/sim_advance.h"
#include "tools/edgebox/sim/sim_book.h"
#include "tools/edgebox/sim/sim_market.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY "sim-test-key"
#define SECRET "sim-test-secret-0123456789"

static char g_tool[256], g_dir[256], g_curl[256], g_node[256], g_npm[256];

/* dp_spawn takes a path: the first NAME on $PATH that is executable, or 0. */
static int which(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/bin");
    for (char *d = strtok(dirs, ":"); d; d = strtok(NULL, ":")) {
        snprintf(out, cap, "%s/%s", d, name);
        if (access(out, X_OK) == 0)
            return 1;
    }
    out[0] = '\0';
    return 0;
}

static long long wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
    pid_t pid;
    int port;
    char log[300];
} sim_t;

/* Starts the simulator with extra arguments (NULL-terminated); 0 once it printed its address. */
static int sim_start(sim_t *s, const char *tag, const char *bars, const char *const *extra)
{
    char keys[300];
    snprintf(keys, sizeof keys, "%s/keys.json", g_dir);
    snprintf(s->log, sizeof s->log, "%s/%s.log", g_dir, tag);
    const char *argv[32] = {g_tool, "exchange-sim", "--bars", bars, "--venue", "spot", "--keys", keys};
    int n = 8;
    for (; extra && *extra && n < 30; extra++)
        argv[n++] = *extra;
    argv[n] = NULL;
    s->pid = dp_spawn(argv, NULL, s->log);
    s->port = -1;
    for (int i = 0; i < 100 && s->pid > 0; i++) {
        char *t = dp_read_file(s->log, NULL);
        const char *p = t ? strstr(t, "listening on http://127.0.0.1:") : NULL;
        if (p && strchr(p, '\n'))
            s->port = atoi(p + strlen("listening on http://127.0.0.1:"));
        int first_line = t && strncmp(t, "listening on http://127.0.0.1:", 30) == 0;
        free(t);
        if (s->port > 0)
            return first_line ? 0 : -1;
        dp_sleep_ms(50);
    }
    return -1;
}

static void sim_stop(sim_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(s->pid, 5000), 0);
    }
    s->pid = -1;
}

typedef struct {
    int code;
    char body[70000];
    char head[2048];
} resp_t;

/* One request through curl: method, path, the query (GET/DELETE) or form body (POST), the API key header
 * (NULL: none). Returns the HTTP status (r->code), body and head in r. */
static int call(const sim_t *s, const char *method, const char *path, const char *params, const char *key, resp_t *r)
{
    char url[6000], out[300], hdr[300], wlog[300], keyh[200];
    int post = strcmp(method, "POST") == 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s%s%s", s->port, path, params && !post ? "?" : "",
             params && !post ? params : "");
    snprintf(out, sizeof out, "%s/curl.body", g_dir);
    snprintf(hdr, sizeof hdr, "%s/curl.head", g_dir);
    snprintf(wlog, sizeof wlog, "%s/curl.code", g_dir);
    snprintf(keyh, sizeof keyh, "X-MBX-APIKEY: %s", key ? key : "");
    unlink(wlog);
    const char *argv[24] = {g_curl, "-s", "-S", "-o", out, "-D", hdr, "-w", "%{http_code}", "-X", method};
    int n = 11;
    if (key) {
        argv[n++] = "-H";
        argv[n++] = keyh;
    }
    if (post) {
        argv[n++] = "-H";
        argv[n++] = "Content-Type: application/x-www-form-urlencoded";
        argv[n++] = "--data-binary";
        argv[n++] = params ? params : "";
    }
    argv[n++] = url;
    argv[n] = NULL;
    r->code = -1;
    r->body[0] = r->head[0] = '\0';
    if (dp_run(argv, NULL, wlog, 10000) != 0)
        return -1;
    char *c = dp_read_file(wlog, NULL), *b = dp_read_file(out, NULL), *h = dp_read_file(hdr, NULL);
    r->code = c ? atoi(c) : -1;
    snprintf(r->body, sizeof r->body, "%s", b ? b : "");
    snprintf(r->head, sizeof r->head, "%s", h ? h : "");
    free(c);
    free(b);
    free(h);
    return r->code;
}

/* A signed request: params (key, value pairs, then NULL) + recvWindow + timestamp (now + skew_ms),
 * signed with `secret` by the app's signer. */
static int signed_call(const sim_t *s, const char *method, const char *path, const char *const *kv, long long skew_ms,
                       const char *secret, const char *key, resp_t *r)
{
    eb_query_param_t p[20];
    size_t n = 0;
    for (; kv && kv[0]; kv += 2)
        p[n++] = (eb_query_param_t){kv[0], kv[1]};
    char ts[32];
    snprintf(ts, sizeof ts, "%lld", wall_ms() + skew_ms);
    p[n++] = (eb_query_param_t){"recvWindow", "5000"};
    p[n++] = (eb_query_param_t){"timestamp", ts};
    char q[4096], err[200];
    if (eb_binance_signed_query(p, n, secret, q, sizeof q, err, sizeof err) < 0) {
        CHECK_MSG(0, "signing: %s", err);
        return -1;
    }
    return call(s, method, path, q, key, r);
}
#define SIGNED(s, m, path, r, ...) signed_call(s, m, path, (const char *const[]){__VA_ARGS__, NULL}, 0, SECRET, KEY, r)

/* The number after "key": in a JSON text (a quoted or bare number), or -1e300. */
static double jnum(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(text, pat);
    if (!p)
        return -1e300;
    p += strlen(pat);
    if (*p == '"')
        p++;
    return strtod(p, NULL);
}

/* The value of "key":"..." into out. */
static const char *jstr(const char *text, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(text, pat);
    out[0] = '\0';
    if (p) {
        p += strlen(pat);
        const char *e = strchr(p, '"');
        snprintf(out, cap, "%.*s", e ? (int)(e - p) : 0, p);
    }
    return out;
}

/* Writes bars: n rows of 5-minute bars from 2021-01-01, each "o,h,l,c" from rows (then flat at the last close). */
static void write_bars(const char *path, const double (*rows)[4], size_t nrows, size_t n)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "open_time_ms,open,high,low,close,volume\n");
    double last = rows[nrows - 1][3];
    for (size_t i = 0; i < n; i++) {
        const double *r = i < nrows ? rows[i] : (const double[4]){last, last, last, last};
        fprintf(f, "%lld,%.2f,%.2f,%.2f,%.2f,10.0\n", 1609459200000LL + (long long)i * 300000, r[0], r[1], r[2], r[3]);
    }
    fclose(f);
}

/* In process: the path of a bar, and the book's fills along it (fixed wall times, no server). */
TEST(path_and_book)
{
    const eb_bar_t bars[3] = {
        {0, 100, 104, 99, 103, 1},     /* the low is nearer: 100 -> 99 -> 104 -> 103 */
        {60000, 103, 110, 95, 96, 1},  /* the high is nearer: 103 -> 110 -> 95 -> 96 */
        {120000, 90, 91, 89, 90, 1},   /* a gap down from 96 */
    };
    eb_sim_market_t m;
    char err[200];
    CHECK_EQ_INT(eb_sim_market_init(&m, bars, 3, 2.0, 1000, err, sizeof err), 0); /* a bar every 30 s */
    CHECK_NEAR(eb_sim_market_pos(&m, 1000), 0, 0);
    CHECK_NEAR(eb_sim_market_pos(&m, 1000 + 15000), 1.5, 1e-12);
    CHECK_NEAR(eb_sim_market_price(&m, 0.5), 99.5, 1e-12);
    CHECK_NEAR(eb_sim_market_price(&m, 1.5), 101.5, 1e-12);
    CHECK_NEAR(eb_sim_market_price(&m, 2.5), 103.5, 1e-12);
    CHECK_NEAR(eb_sim_market_price(&m, 3.5), 106.5, 1e-12); /* bar 1 went up first */
    CHECK_NEAR(eb_sim_market_price(&m, 6.0), 90, 0);        /* bar 2 opens at its open */
    CHECK_NEAR(eb_sim_market_pos(&m, 1000 + 10000000), 9.0, 0); /* the market ends at the last close */
    CHECK(eb_sim_market_init(&m, bars, 0, 1, 0, err, sizeof err) != 0);
    CHECK(eb_sim_market_init(&m, bars, 3, 0, 0, err, sizeof err) != 0 && strstr(err, "--speed"));
    CHECK_EQ_INT(eb_sim_market_init(&m, bars, 3, 2.0, 1000, err, sizeof err), 0);

    static eb_sim_book_t b;
    eb_sim_book_init(&b, "BTC", "USDT");
    b.min_notional = 0.01;
    CHECK_EQ_INT(eb_sim_book_credit(&b, "USDT", 1000), 0);
    CHECK_EQ_INT(eb_sim_book_credit(&b, "BTC", 1), 0);
    eb_sim_order_t *lim, *stop, *gap, *mkt, *bstop;
    /* a limit buy at 99.5 (bar 0 reaches 99), a sell stop 98 / limit 97.5 (bar 1 falls to 95: fills at 98),
     * a sell stop 92 / limit 91 (the gap to 90 jumps it: triggered at 90, under its limit: rests), and a
     * buy stop 108 / limit 108.5 (bar 1 rises through it) */
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_LIMIT, 1, 99.5, 0, "l"}, 100, 1000, &lim), EB_SIM_OK);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){-1, EB_SIM_STOP_LOSS_LIMIT, 0.25, 97.5, 98, "s"}, 100, 1000, &stop), EB_SIM_OK);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){-1, EB_SIM_STOP_LOSS_LIMIT, 0.25, 91, 92, "g"}, 100, 1000, &gap), EB_SIM_OK);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_STOP_LOSS_LIMIT, 1, 108.5, 108, "b"}, 100, 1000, &bstop), EB_SIM_OK);
    CHECK_NEAR(eb_sim_book_balance(&b, "USDT")->locked, 99.5 * 1.0005 + 108.5 * 1.0005, 1e-9);
    CHECK_NEAR(eb_sim_book_balance(&b, "BTC")->locked, 0.5, 1e-12);
    /* refusals change nothing */
    double free_usdt = eb_sim_book_balance(&b, "USDT")->free;
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){-1, EB_SIM_STOP_LOSS_LIMIT, 0.1, 100, 101, NULL}, 100, 1000, &mkt), EB_SIM_ERR_WOULD_TRIGGER);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_MARKET, 8, 0, 0, NULL}, 100, 1000, &mkt), EB_SIM_ERR_BALANCE);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_LIMIT, 0.1, 99.5, 0, "l"}, 100, 1000, &mkt), EB_SIM_ERR_DUPLICATE);
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_LIMIT, 0.000015, 99.5, 0, NULL}, 100, 1000, &mkt), EB_SIM_ERR_LOT_SIZE);
    CHECK_NEAR(eb_sim_book_balance(&b, "USDT")->free, free_usdt, 0);
    double pos = 0;
    eb_sim_advance(&m, &b, &pos, 1000 + 4000); /* 0.4 of bar 0's first leg: down to 99.6 */
    CHECK_EQ_INT(lim->status, EB_SIM_NEW);
    eb_sim_advance(&m, &b, &pos, 1000 + 10000); /* the leg's end: 99 */
    CHECK_EQ_INT(lim->status, EB_SIM_FILLED);
    CHECK_NEAR(lim->fill_price, 99.5, 0);
    CHECK_EQ_INT(lim->update_ms, 1000 + 10000); /* the time its leg ended */
    eb_sim_advance(&m, &b, &pos, 1000 + 65000); /* into bar 2 */
    CHECK_EQ_INT(bstop->status, EB_SIM_FILLED);
    CHECK_NEAR(bstop->fill_price, 108, 0);
    CHECK_EQ_INT(stop->status, EB_SIM_FILLED);
    CHECK_NEAR(stop->fill_price, 98, 0);
    CHECK_EQ_INT(gap->status, EB_SIM_NEW);
    CHECK(gap->triggered);
    /* a marketable limit takes the market's fill (90 x 1.001 = 90.09), not its limit */
    CHECK_EQ_INT(eb_sim_book_place(&b, &(eb_sim_new_t){1, EB_SIM_LIMIT, 1, 95, 0, NULL}, 90, 70000, &mkt), EB_SIM_OK);
    CHECK_EQ_INT(mkt->status, EB_SIM_FILLED);
    CHECK_NEAR(mkt->fill_price, 90.09, 1e-9);
    CHECK_NEAR(mkt->fee, 90.09 * 0.0005, 1e-12);
    CHECK_EQ_INT(eb_sim_book_cancel(&b, gap, 70000), 0);
    CHECK_EQ_INT(eb_sim_book_cancel(&b, gap, 70000), -1);
    CHECK_NEAR(eb_sim_book_balance(&b, "BTC")->locked, 0, 1e-12);
    CHECK_NEAR(eb_sim_book_balance(&b, "USDT")->locked, 0, 1e-9);
    /* 1 + 1 + 1 bought, 0.25 sold (0.25 cancelled back) */
    CHECK_NEAR(eb_sim_book_balance(&b, "BTC")->free, 1 + 3 - 0.25, 1e-12);
    double spent = (99.5 + 108 + 90.09) * 1.0005, got = 98 * 0.25 * (1 - 0.0005);
    CHECK_NEAR(eb_sim_book_balance(&b, "USDT")->free, 1000 - spent + got, 1e-9);
}

static sim_t g_sim; /* the slow market (speed 1): the price stays near 30000 while the tests run */

TEST(public_endpoints)
{
    resp_t *r = malloc(sizeof *r);
    CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/time", NULL, NULL, r), 200);
    double t = jnum(r->body, "serverTime");
    CHECK_MSG(t > (double)wall_ms() - 5000 && t < (double)wall_ms() + 1000, "serverTime %.0f", t);
    CHECK(strstr(r->head, "X-MBX-USED-WEIGHT-1M: ") != NULL);
    CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/exchangeInfo", NULL, NULL, r), 200);
    CHECK(strstr(r->body, "\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\"") != NULL);
    CHECK(strstr(r->body, "\"quoteAsset\":\"USDT\"") != NULL);
    CHECK(strstr(r->body, "\"STOP_LOSS_LIMIT\"") != NULL);
    CHECK(strstr(r->body, "\"STOP_LOSS\"") == NULL);
    CHECK(strstr(r->body, "\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\"") != NULL);
    CHECK(strstr(r->body, "\"tickSize\":\"0.01000000\"") != NULL);
    CHECK(strstr(r->body, "\"stepSize\":\"0.00001000\"") != NULL);
    CHECK(strstr(r->body, "\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\"") != NULL);
    CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/exchangeInfo", "symbol=ETHUSDT", NULL, r), 400);
    CHECK(strstr(r->body, "\"code\":-1121") != NULL);
    /* speed 1: bar 0 is the open one; it opened at 30000 and has not reached its low */
    CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/klines", "symbol=BTCUSDT&interval=5m&limit=10", NULL, r), 200);
    CHECK_MSG(strncmp(r->body, "[[1609459200000,\"30000.00000000\",", 33) == 0, "%s", r->body);
    CHECK(strstr(r->body, "],[") == NULL); /* one row: the bars after it have not opened */
    CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/klines", "symbol=BTCUSDT&interval=1h", NULL, r), 400);
    CHECK(strstr(r->body, "\"code\":-1120") != NULL);
    free(r);
}

static void account(resp_t *r, double *usdt, double *btc)
{
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/account", r, "omitZeroBalances", "false"), 200);
    const char *u = strstr(r->body, "{\"asset\":\"USDT\""), *b = strstr(r->body, "{\"asset\":\"BTC\"");
    *usdt = u ? jnum(u, "free") : -1;
    *btc = b ? jnum(b, "free") : -1;
}

TEST(market_order_query_and_balance)
{
    resp_t *r = malloc(sizeof *r);
    double usdt0, btc0, usdt1, btc1;
    account(r, &usdt0, &btc0);
    CHECK_NEAR(usdt0, 10000, 1e-9);
    CHECK_NEAR(btc0, 0, 1e-9);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "MARKET",
                        "quantity", "0.01", "newClientOrderId", "eb-test-1"), 200);
    char st[32], cid[64];
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "FILLED");
    CHECK_EQ_STR(jstr(r->body, "clientOrderId", cid, sizeof cid), "eb-test-1");
    CHECK(strstr(r->body, "\"fills\":[{\"price\":") != NULL);
    CHECK(strstr(r->head, "X-MBX-ORDER-COUNT-10S: 1\r\n") != NULL);
    CHECK(strstr(r->head, "X-MBX-ORDER-COUNT-1D: 1\r\n") != NULL);
    /* core/fill.h: the price now (30000, moving down towards 29990 by a few cents per second) x (1 + 10 bps) */
    const char *fills = strstr(r->body, "\"fills\"");
    double px = fills ? jnum(fills, "price") : -1;
    CHECK_NEAR(px, 30030, 1.0);
    double id = jnum(r->body, "orderId");
    char ids[32];
    snprintf(ids, sizeof ids, "%.0f", id);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/order", r, "symbol", "BTCUSDT", "orderId", ids), 200);
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "FILLED");
    CHECK_NEAR(jnum(r->body, "executedQty"), 0.01, 1e-12);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/order", r, "symbol", "BTCUSDT", "origClientOrderId", "eb-test-1"), 200);
    CHECK_NEAR(jnum(r->body, "orderId"), id, 0);
    account(r, &usdt1, &btc1);
    CHECK_NEAR(btc1, 0.01, 1e-9);
    /* notional + 5 bps fee, in USDT */
    CHECK_NEAR(usdt1, 10000 - px * 0.01 * 1.0005, 1e-6);
    free(r);
}

TEST(refusals_change_nothing)
{
    resp_t *r = malloc(sizeof *r);
    double usdt0, btc0, usdt1, btc1;
    account(r, &usdt0, &btc0);
    const char *order[] = {"symbol", "BTCUSDT", "side", "BUY", "type", "MARKET", "quantity", "0.01", NULL};
    /* a bad signature, a stale and a future timestamp, a wrong and a missing key */
    CHECK_EQ_INT(signed_call(&g_sim, "POST", "/api/v3/order", order, 0, "not-the-secret", KEY, r), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-1022,\"msg\":\"Signature for this request is not valid.\"}"), "%s", r->body);
    CHECK_EQ_INT(signed_call(&g_sim, "POST", "/api/v3/order", order, -6000, SECRET, KEY, r), 400);
    CHECK_MSG(strstr(r->body, "\"code\":-1021"), "%s", r->body);
    CHECK_EQ_INT(signed_call(&g_sim, "POST", "/api/v3/order", order, 3000, SECRET, KEY, r), 400);
    CHECK_MSG(strstr(r->body, "\"code\":-1021"), "%s", r->body);
    CHECK_EQ_INT(signed_call(&g_sim, "POST", "/api/v3/order", order, 0, SECRET, "other-key", r), 401);
    CHECK_MSG(strstr(r->body, "\"code\":-2015"), "%s", r->body);
    CHECK_EQ_INT(signed_call(&g_sim, "POST", "/api/v3/order", order, 0, SECRET, NULL, r), 401);
    CHECK_MSG(strstr(r->body, "\"code\":-2014"), "%s", r->body);
    /* a signed query whose bytes were changed after signing */
    {
        eb_query_param_t p[] = {{"symbol", "BTCUSDT"}, {"orderId", "1"}, {"timestamp", "0"}};
        char ts[32], q[512], err[100];
        snprintf(ts, sizeof ts, "%lld", wall_ms());
        p[2].value = ts;
        CHECK(eb_binance_signed_query(p, 3, SECRET, q, sizeof q, err, sizeof err) > 0);
        q[strlen("symbol=BTCUSDT&orderId=")] = '2';
        CHECK_EQ_INT(call(&g_sim, "GET", "/api/v3/order", q, KEY, r), 400);
        CHECK(strstr(r->body, "\"code\":-1022") != NULL);
    }
    /* unknown orders */
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/order", r, "symbol", "BTCUSDT", "orderId", "999999"), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-2013,\"msg\":\"Order does not exist.\"}"), "%s", r->body);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/order", r, "symbol", "BTCUSDT", "origClientOrderId", "never-sent"), 400);
    CHECK(strstr(r->body, "\"code\":-2013") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "DELETE", "/api/v3/order", r, "symbol", "BTCUSDT", "orderId", "999999"), 400);
    CHECK(strstr(r->body, "\"code\":-2011") != NULL);
    /* insufficient balance: 1 BTC at ~30000 with 10000 USDT; a sell of more BTC than held */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "MARKET",
                        "quantity", "1"), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-2010,\"msg\":\"Account has insufficient balance for requested action.\"}"),
              "%s", r->body);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "SELL", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "5", "price", "40000"), 400);
    CHECK(strstr(r->body, "\"code\":-2010") != NULL);
    /* a sell stop at or above the market would trigger immediately */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "SELL", "type",
                        "STOP_LOSS_LIMIT", "timeInForce", "GTC", "quantity", "0.001", "price", "30090",
                        "stopPrice", "30100"), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-2010,\"msg\":\"Order would trigger immediately.\"}"), "%s", r->body);
    /* STOP_LOSS is not an order type of BTCUSDT; filters */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "SELL", "type", "STOP_LOSS",
                        "quantity", "0.001", "stopPrice", "29000"), 400);
    CHECK(strstr(r->body, "\"code\":-1116") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.000015", "price", "20000"), 400);
    CHECK(strstr(r->body, "Filter failure: LOT_SIZE") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.001", "price", "20000.005"), 400);
    CHECK(strstr(r->body, "Filter failure: PRICE_FILTER") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.0001", "price", "20000"), 400);
    CHECK(strstr(r->body, "Filter failure: NOTIONAL") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "quantity", "0.001", "price", "20000"), 400);
    CHECK(strstr(r->body, "Mandatory parameter 'timeInForce'") != NULL);
    account(r, &usdt1, &btc1);
    CHECK_NEAR(usdt1, usdt0, 0);
    CHECK_NEAR(btc1, btc0, 0);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/openOrders", r, "symbol", "BTCUSDT"), 200);
    CHECK_EQ_STR(r->body, "[]");
    free(r);
}

TEST(limit_rests_and_cancels)
{
    resp_t *r = malloc(sizeof *r);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "20000", "newClientOrderId", "rest-1"), 200);
    char st[32];
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "NEW");
    double usdt, btc;
    account(r, &usdt, &btc);
    const char *u = strstr(r->body, "{\"asset\":\"USDT\"");
    CHECK_NEAR(u ? jnum(u, "locked") : -1, 200 * 1.0005, 1e-6); /* price x qty + the fee */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "20000", "newClientOrderId", "rest-1"), 400);
    CHECK(strstr(r->body, "Duplicate order sent.") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/openOrders", r, "symbol", "BTCUSDT"), 200);
    CHECK(strstr(r->body, "\"clientOrderId\":\"rest-1\"") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "DELETE", "/api/v3/order", r, "symbol", "BTCUSDT", "origClientOrderId", "rest-1"), 200);
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "CANCELED");
    CHECK(strstr(r->body, "\"origClientOrderId\":\"rest-1\"") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "DELETE", "/api/v3/order", r, "symbol", "BTCUSDT", "origClientOrderId", "rest-1"), 400);
    CHECK(strstr(r->body, "\"code\":-2011") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/openOrders", r, "symbol", "BTCUSDT"), 200);
    CHECK_EQ_STR(r->body, "[]");
    double usdt2, btc2;
    account(r, &usdt2, &btc2);
    CHECK_NEAR(usdt2, usdt + 200 * 1.0005, 1e-6); /* the lock is back */
    free(r);
}

/* cancelReplace: 200 both, 409 one (-2021), 400 neither (-2022), and a malformed new order refused whole. */
TEST(cancel_replace)
{
    resp_t *r = malloc(sizeof *r);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order", r, "symbol", "BTCUSDT", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "20000", "newClientOrderId", "cr-1"), 200);
    /* a stop move: the same client id on the new order, once the old one is cancelled */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "STOP_ON_FAILURE", "cancelOrigClientOrderId", "cr-1", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "21000", "newClientOrderId", "cr-1"), 200);
    CHECK_MSG(strstr(r->body, "{\"cancelResult\":\"SUCCESS\",\"newOrderResult\":\"SUCCESS\",\"cancelResponse\":{") != NULL,
              "%s", r->body);
    const char *nr = strstr(r->body, "\"newOrderResponse\":");
    CHECK(nr && jnum(nr, "price") == 21000);
    CHECK(strstr(r->body, "\"status\":\"CANCELED\"") != NULL);
    /* the cancel fails: STOP_ON_FAILURE tries nothing more */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "STOP_ON_FAILURE", "cancelOrigClientOrderId", "nope", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "21000", "newClientOrderId", "cr-2"), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-2022,\"msg\":\"Order cancel-replace failed.\",\"data\":{\"cancelResult\":"
                              "\"FAILURE\",\"newOrderResult\":\"NOT_ATTEMPTED\",\"cancelResponse\":{\"code\":-2011,") &&
              strstr(r->body, "\"newOrderResponse\":null}}"), "%s", r->body);
    /* ALLOW_FAILURE places it anyway: 409 */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "ALLOW_FAILURE", "cancelOrigClientOrderId", "nope", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "0.01", "price", "21000", "newClientOrderId", "cr-2"), 409);
    CHECK_MSG(strstr(r->body, "{\"code\":-2021,\"msg\":\"Order cancel-replace partially failed.\",\"data\":"
                              "{\"cancelResult\":\"FAILURE\",\"newOrderResult\":\"SUCCESS\""), "%s", r->body);
    /* the cancel succeeds, the new order is refused: 409, and the old order is gone */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "STOP_ON_FAILURE", "cancelOrigClientOrderId", "cr-2", "side", "BUY", "type", "LIMIT",
                        "timeInForce", "GTC", "quantity", "1", "price", "21000", "newClientOrderId", "cr-3"), 409);
    CHECK_MSG(strstr(r->body, "\"cancelResult\":\"SUCCESS\",\"newOrderResult\":\"FAILURE\"") &&
              strstr(r->body, "\"newOrderResponse\":{\"code\":-2010,"), "%s", r->body);
    /* a malformed new order: refused whole, cr-1 stays open */
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "STOP_ON_FAILURE", "cancelOrigClientOrderId", "cr-1", "side", "BUY", "quantity", "0.01"), 400);
    CHECK_MSG(strstr(r->body, "{\"code\":-1102,\"msg\":\"Mandatory parameter 'type'"), "%s", r->body);
    CHECK_EQ_INT(SIGNED(&g_sim, "POST", "/api/v3/order/cancelReplace", r, "symbol", "BTCUSDT", "cancelReplaceMode",
                        "SOMETIMES", "cancelOrigClientOrderId", "cr-1", "side", "BUY", "type", "MARKET", "quantity", "0.01"), 400);
    CHECK(strstr(r->body, "cancelReplaceMode") != NULL);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/openOrders", r, "symbol", "BTCUSDT"), 200);
    CHECK(strstr(r->body, "\"clientOrderId\":\"cr-1\"") && !strstr(r->body, "\"clientOrderId\":\"cr-2\""));
    CHECK_EQ_INT(SIGNED(&g_sim, "DELETE", "/api/v3/order", r, "symbol", "BTCUSDT", "origClientOrderId", "cr-1"), 200);
    CHECK_EQ_INT(SIGNED(&g_sim, "GET", "/api/v3/openOrders", r, "symbol", "BTCUSDT"), 200);
    CHECK_EQ_STR(r->body, "[]");
    double usdt, btc;
    account(r, &usdt, &btc);
    const char *u = strstr(r->body, "{\"asset\":\"USDT\"");
    CHECK_NEAR(u ? jnum(u, "locked") : -1, 0, 1e-9);
    free(r);
}

/* A raw request on a socket: the whole answer until the server closes or `wait_ms` passes. */
static int raw(int fd, const char *req, char *out, size_t cap, int wait_ms, int *closed)
{
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
        return -1;
    size_t len = 0;
    *closed = 0;
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (int waited = 0; waited < wait_ms && len < cap - 1;) {
        ssize_t k = read(fd, out + len, cap - 1 - len);
        if (k == 0) {
            *closed = 1;
            break;
        }
        if (k < 0) {
            waited += 100;
            if (len > 0 && strstr(out, "\r\n\r\n"))
                break; /* an answer is in and the connection stays */
            continue;
        }
        len += (size_t)k;
        out[len] = '\0';
    }
    out[len] = '\0';
    return (int)len;
}

TEST(keep_alive_and_close)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_sim.port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    char buf[4096];
    int closed;
    CHECK(raw(fd, "GET /api/v3/time HTTP/1.1\r\nHost: sim\r\n\r\n", buf, sizeof buf, 1000, &closed) > 0);
    CHECK(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0);
    CHECK(strstr(buf, "Connection: close") == NULL);
    CHECK(!closed);
    /* the same connection serves a second request, and one that asks to close is told so, then closed */
    CHECK(raw(fd, "GET /api/v3/ping HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n", buf, sizeof buf, 2000, &closed) > 0);
    CHECK(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0);
    CHECK(strstr(buf, "\r\nConnection: close\r\n") != NULL);
    CHECK(strstr(buf, "\r\n\r\n{}") != NULL);
    CHECK(closed);
    close(fd);
}

/* Fills along the path, on a fast market: 5-minute bars at speed 600 (0.5 s a bar). */
TEST(fills_along_the_path)
{
    static const double rows[][4] = {
        {30000, 30010, 29995, 30000}, {30000, 30010, 29995, 30000}, {30000, 30010, 29995, 30000},
        {30000, 30010, 29995, 30000}, {30000, 30010, 29400, 29500}, /* bar 4: up to 30010, down to 29400 */
        {28000, 28100, 27900, 28000},                               /* bar 5: a gap down from 29500 */
    };
    char bars[300];
    snprintf(bars, sizeof bars, "%s/path.csv", g_dir);
    write_bars(bars, rows, 6, 12);
    sim_t s = {0};
    const char *extra[] = {"--speed", "600", "--balance", "USDT=10000", "--balance", "BTC=1", NULL};
    if (sim_start(&s, "path", bars, extra) != 0) {
        CHECK_MSG(0, "the simulator did not start (see %s)", s.log);
        return;
    }
    resp_t *r = malloc(sizeof *r);
    /* a limit buy under the market, a stop-limit sell whose stop bar 4 reaches, one that the gap jumps */
    CHECK_EQ_INT(signed_call(&s, "POST", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "side", "BUY",
                 "type", "LIMIT", "timeInForce", "GTC", "quantity", "0.01", "price", "29600", "newClientOrderId", "lim", NULL},
                 0, SECRET, KEY, r), 200);
    CHECK_EQ_INT(signed_call(&s, "POST", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "side", "SELL",
                 "type", "STOP_LOSS_LIMIT", "timeInForce", "GTC", "quantity", "0.01", "price", "29650", "stopPrice", "29700",
                 "newClientOrderId", "stop1", NULL}, 0, SECRET, KEY, r), 200);
    CHECK_MSG(strstr(r->body, "\"clientOrderId\":\"stop1\",\"transactTime\":") && !strstr(r->body, "\"status\""),
              "a stop-limit's default answer is ACK: %s", r->body);
    CHECK_EQ_INT(signed_call(&s, "POST", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "side", "SELL",
                 "type", "STOP_LOSS_LIMIT", "timeInForce", "GTC", "quantity", "0.01", "price", "28950", "stopPrice", "29000",
                 "newClientOrderId", "stop2", NULL}, 0, SECRET, KEY, r), 200);
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/openOrders", (const char *const[]){"symbol", "BTCUSDT", NULL}, 0,
                 SECRET, KEY, r), 200);
    CHECK(strstr(r->body, "\"clientOrderId\":\"lim\"") && strstr(r->body, "\"clientOrderId\":\"stop2\""));
    dp_sleep_ms(3300); /* past bar 5's open (3.0 s) */
    char st[32];
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "origClientOrderId",
                 "lim", NULL}, 0, SECRET, KEY, r), 200);
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "FILLED");
    CHECK_NEAR(jnum(r->body, "cummulativeQuoteQty"), 296.0, 1e-9); /* at its limit, 29600 */
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "origClientOrderId",
                 "stop1", NULL}, 0, SECRET, KEY, r), 200);
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "FILLED");
    CHECK_NEAR(jnum(r->body, "cummulativeQuoteQty"), 297.0, 1e-9); /* at its stop, 29700 */
    /* the gap opened at 28000, under stop2's limit: triggered, resting as a limit at 28950 */
    /* myTrades: the two fills in trade order, the limit as maker, the stop as taker (a sell) */
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/myTrades", (const char *const[]){"symbol", "BTCUSDT", NULL}, 0, SECRET,
                 KEY, r), 200);
    const char *t2 = strstr(r->body, "},{");
    CHECK_MSG(t2 && strstr(r->body, "\"id\":1,") && strstr(t2, "\"id\":2,"), "%s", r->body);
    CHECK(strstr(r->body, "\"price\":\"29700.00000000\",\"qty\":\"0.01000000\",\"quoteQty\":\"297.00000000\"") != NULL);
    CHECK(strstr(r->body, "\"price\":\"29600.00000000\"") != NULL);
    CHECK(strstr(r->body, "\"isBuyer\":true,\"isMaker\":true") && strstr(r->body, "\"isBuyer\":false,\"isMaker\":false"));
    CHECK(strstr(r->head, "X-MBX-USED-WEIGHT-1M: ") != NULL);
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/myTrades", (const char *const[]){"symbol", "BTCUSDT", "fromId", "2", NULL},
                 0, SECRET, KEY, r), 200);
    CHECK_MSG(strstr(r->body, "[{\"symbol\":\"BTCUSDT\",\"id\":2,") == r->body && !strstr(r->body, "},{"), "%s", r->body);
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/myTrades", (const char *const[]){"symbol", "BTCUSDT", "limit", "1", NULL},
                 0, SECRET, KEY, r), 200);
    CHECK_MSG(strstr(r->body, "\"id\":2,") && !strstr(r->body, "},{"), "the latest: %s", r->body);
    CHECK_EQ_INT(signed_call(&s, "GET", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "origClientOrderId",
                 "stop2", NULL}, 0, SECRET, KEY, r), 200);
    CHECK_EQ_STR(jstr(r->body, "status", st, sizeof st), "NEW");
    CHECK(strstr(r->body, "\"isWorking\":true") != NULL);
    CHECK_NEAR(jnum(r->body, "executedQty"), 0, 0);
    free(r);
    sim_stop(&s);
}

/* A simulator of its own on the slow market; 0, or -1 with the failure reported. */
static int start_slow(sim_t *s, const char *tag, const char *const *extra)
{
    char bars[300];
    snprintf(bars, sizeof bars, "%s/slow.csv", g_dir);
    if (sim_start(s, tag, bars, extra) == 0)
        return 0;
    CHECK_MSG(0, "the simulator did not start (see %s)", s->log);
    return -1;
}

TEST(rate_limit_weight)
{
    sim_t s = {0};
    if (start_slow(&s, "weight", (const char *const[]){"--weight-limit", "25", NULL}) != 0)
        return;
    resp_t *r = malloc(sizeof *r);
    CHECK_EQ_INT(call(&s, "GET", "/api/v3/exchangeInfo", NULL, NULL, r), 200); /* weight 20 */
    CHECK(strstr(r->head, "X-MBX-USED-WEIGHT-1M: 20") != NULL);
    CHECK_EQ_INT(call(&s, "GET", "/api/v3/time", NULL, NULL, r), 200); /* 21, unless the minute turned */
    int code = call(&s, "GET", "/api/v3/exchangeInfo", NULL, NULL, r);
    if (strstr(r->head, "X-MBX-USED-WEIGHT-1M: 20\r")) {
        CHECK_SKIP("the minute turned between two requests");
    } else {
        CHECK_EQ_INT(code, 429);
        CHECK(strstr(r->body, "\"code\":-1003") != NULL);
        CHECK(strstr(r->head, "Retry-After: ") != NULL);
    }
    free(r);
    sim_stop(&s);
}

/* --times now at speed 1: the open bar is the wall clock's current 5-minute bar, so its close time is
 * after serverTime, as on the venue. */
TEST(times_now)
{
    sim_t s = {0};
    if (start_slow(&s, "times", (const char *const[]){"--times", "now", "--order-limit", "2", NULL}) != 0)
        return;
    resp_t *r = malloc(sizeof *r);
    CHECK_EQ_INT(call(&s, "GET", "/api/v3/klines", "symbol=BTCUSDT&interval=5m&limit=1", NULL, r), 200);
    long long open = atoll(r->body + 2), now = wall_ms();
    CHECK_MSG(open == now - now % 300000 || open == (now - 2000) - (now - 2000) % 300000, "open %lld now %lld", open, now);
    const char *close = strstr(r->body, "\",");
    for (int i = 0; close && i < 4; i++) /* the fifth quote-comma ends the volume */
        close = strstr(close + 2, "\",");
    CHECK(close && atoll(close + 2) == open + 299999);
    char q[100];
    snprintf(q, sizeof q, "symbol=BTCUSDT&interval=5m&startTime=%lld", open);
    CHECK_EQ_INT(call(&s, "GET", "/api/v3/klines", q, NULL, r), 200);
    CHECK_MSG(atoll(r->body + 2) == open, "%s", r->body);
    /* --order-limit 2: the third new order in the same 10 s is refused with -1015 */
    int codes[3];
    for (int i = 0; i < 3; i++)
        codes[i] = signed_call(&s, "POST", "/api/v3/order", (const char *const[]){"symbol", "BTCUSDT", "side", "BUY",
                               "type", "MARKET", "quantity", "0.001", NULL}, 0, SECRET, KEY, r);
    if (strstr(r->head, "X-MBX-ORDER-COUNT-10S: 1\r")) {
        CHECK_SKIP("the 10 s window turned between the orders");
    } else {
        CHECK(codes[0] == 200 && codes[1] == 200);
        CHECK_EQ_INT(codes[2], 429);
        CHECK_MSG(strstr(r->body, "{\"code\":-1015,\"msg\":\"Too many new orders; current limit is 2 orders per 10 SECOND.\"}"),
                  "%s", r->body);
        CHECK(strstr(r->head, "X-MBX-ORDER-COUNT-10S: 3\r\n") != NULL);
    }
    free(r);
    sim_stop(&s);
}

static int run_tool(const char *const *extra, const char *log)
{
    const char *argv[24] = {g_tool, "exchange-sim"};
    int n = 2;
    for (; *extra; extra++)
        argv[n++] = *extra;
    argv[n] = NULL;
    unlink(log);
    return dp_run(argv, NULL, log, 5000);
}

TEST(bad_options)
{
    char log[300], keys[300], bars[300], badkeys[300];
    snprintf(log, sizeof log, "%s/bad.log", g_dir);
    snprintf(keys, sizeof keys, "%s/keys.json", g_dir);
    snprintf(bars, sizeof bars, "%s/slow.csv", g_dir);
    snprintf(badkeys, sizeof badkeys, "%s/badkeys.json", g_dir);
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "usdm", "--keys", keys, NULL}, log), 2);
    CHECK(dp_file_contains(log, "--venue 'usdm' is not served"));
    dp_write_file(badkeys, "{\"api_key\": \"k\", \"api_secret\": \"s\", \"api_key\": \"k2\"}");
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", badkeys, NULL}, log), 2);
    CHECK(dp_file_contains(log, "badkeys.json") && dp_file_contains(log, "api_key"));
    dp_write_file(badkeys, "{\"api_key\": \"k\"}");
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", badkeys, NULL}, log), 2);
    CHECK(dp_file_contains(log, "key 'api_secret' must be a non-empty string"));
    dp_write_file(badkeys, "{\"api_key\": \"k\", \"api_secret\": \"s\", \"secret\": \"x\"}");
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", badkeys, NULL}, log), 2);
    CHECK(dp_file_contains(log, "unknown key 'secret'"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", keys, "--balance", "usdt=5", NULL}, log), 2);
    CHECK(dp_file_contains(log, "--balance 'usdt=5'"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", keys, "--speed", "0", NULL}, log), 2);
    CHECK(dp_file_contains(log, "--speed '0'"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", keys, "--times", "later", NULL}, log), 2);
    CHECK(dp_file_contains(log, "--times 'later' is not allowed (allowed: file, now)"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", keys, "--listen", "127.0.0.1", NULL}, log), 2);
    CHECK(dp_file_contains(log, "--listen '127.0.0.1'"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", bars, "--venue", "spot", "--keys", keys, "--listen", "0.0.0.0:0", NULL}, log), 1);
    CHECK(dp_file_contains(log, "not loopback"));
    CHECK_EQ_INT(run_tool((const char *const[]){"--bars", badkeys, "--venue", "spot", "--keys", keys, NULL}, log), 2);
    CHECK(dp_file_contains(log, "badkeys.json"));
}

static const char ccxt_script[] =
    "const ccxt = require('ccxt');\n"
    "(async () => {\n"
    "  const ex = new ccxt.binance({ apiKey: process.env.SIM_KEY, secret: process.env.SIM_SECRET,\n"
    "    options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false } });\n"
    "  for (const k of Object.keys(ex.urls.api))\n"
    "    if (typeof ex.urls.api[k] === 'string') ex.urls.api[k] = ex.urls.api[k].replace(/^https:\\/\\/[^/]+/, process.env.SIM_URL);\n"
    "  const t = await ex.fetchTime();\n"
    "  console.log('time ' + (Math.abs(t - Date.now()) < 5000));\n"
    "  const m = (await ex.loadMarkets())['BTC/USDT'];\n"
    "  console.log('market ' + m.id + ' ' + m.precision.amount + ' ' + m.precision.price + ' ' + m.limits.cost.min);\n"
    "  const b = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);\n"
    "  console.log('buy ' + b.status + ' ' + b.filled);\n"
    "  const q = await ex.fetchOrder(b.id, 'BTC/USDT');\n"
    "  console.log('fetch ' + (q.id === b.id) + ' ' + q.status);\n"
    "  const bal = await ex.fetchBalance();\n"
    "  console.log('balance ' + bal.BTC.free + ' ' + (bal.USDT.free < 10000));\n"
    "  const l = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20000);\n"
    "  console.log('limit ' + l.status);\n"
    "  const c = await ex.cancelOrder(l.id, 'BTC/USDT');\n"
    "  console.log('cancel ' + c.status);\n"
    "  try { await ex.fetchOrder('424242', 'BTC/USDT'); } catch (e) { console.log('unknown ' + e.constructor.name); }\n"
    "})().catch(e => { console.log('ERROR ' + e.constructor.name + ' ' + e.message); process.exit(1); });\n";

/* ccxt's directory: $EB_CCXT_DIR, else $EB_BUILD/npm-ccxt (installed there once with npm). 0, or 1 to skip. */
static int ccxt_dir(char *out, size_t cap)
{
    const char *env = getenv("EB_CCXT_DIR");
    const char *build = getenv("EB_BUILD");
    char pkg[400], log[300];
    if (env && env[0])
        snprintf(out, cap, "%s", env);
    else
        snprintf(out, cap, "%s/npm-ccxt", build && build[0] ? build : "build/host");
    snprintf(pkg, sizeof pkg, "%s/node_modules/ccxt/package.json", out);
    if (dp_exists(pkg))
        return 0;
    if (env && env[0])
        return 1;
    if (!which("npm", g_npm, sizeof g_npm))
        return 1;
    const char *npm[] = {g_npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", out, "ccxt", NULL};
    snprintf(log, sizeof log, "%s/npm.log", g_dir);
    if (dp_run(npm, NULL, log, 25000) != 0 || !dp_exists(pkg))
        return 1;
    return 0;
}

TEST(ccxt_unchanged)
{
    char dir[300], script[300], out[300], nodepath[700], url[100];
    snprintf(out, sizeof out, "%s/node.log", g_dir);
    if (!which("node", g_node, sizeof g_node)) {
        CHECK_SKIP("node is not installed");
        return;
    }
    if (ccxt_dir(dir, sizeof dir) != 0) {
        CHECK_SKIP("ccxt is not available from npm (offline?)");
        return;
    }
    snprintf(script, sizeof script, "%s/ccxt.js", g_dir);
    dp_write_file(script, ccxt_script);
    char abs[300];
    if (dir[0] != '/' && getcwd(abs, sizeof abs))
        snprintf(nodepath, sizeof nodepath, "NODE_PATH=%s/%s/node_modules", abs, dir);
    else
        snprintf(nodepath, sizeof nodepath, "NODE_PATH=%s/node_modules", dir);
    snprintf(url, sizeof url, "SIM_URL=http://127.0.0.1:%d", g_sim.port);
    const char *env[] = {nodepath, url, "SIM_KEY=" KEY, "SIM_SECRET=" SECRET, NULL};
    const char *argv[] = {g_node, script, NULL};
    unlink(out);
    CHECK_EQ_INT(dp_run(argv, env, out, 15000), 0);
    char *t = dp_read_file(out, NULL);
    const char *want[] = {"time true\n", "market BTCUSDT 0.00001 0.01 5\n", "buy closed 0.01\n", "fetch true closed\n",
                          "balance 0.02 true\n", "limit open\n", "cancel canceled\n", "unknown OrderNotFound\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_MSG(t && strstr(t, want[i]), "ccxt: want '%.*s' in:\n%s", (int)strlen(want[i]) - 1, want[i], t ? t : "");
    free(t);
}

int main(void)
{
    RUN(path_and_book);
    if (!dp_bin("edgebox", g_tool, sizeof g_tool)) {
        CHECK_SKIP("edgebox not built");
        return eb_check_report();
    }
    if (!which("curl", g_curl, sizeof g_curl)) {
        CHECK_SKIP("curl is not installed");
        return eb_check_report();
    }
    if (dp_tmpdir("xsim", g_dir, sizeof g_dir) != 0)
        return 1;
    char keys[300], bars[300];
    snprintf(keys, sizeof keys, "%s/keys.json", g_dir);
    dp_write_file(keys, "{\"api_key\": \"" KEY "\", \"api_secret\": \"" SECRET "\"}");
    /* bar 0 opens at 30000 and walks to its low 29990 over 100 s (speed 1): every test runs inside it */
    static const double slow[][4] = {{30000, 30100, 29990, 30050}};
    snprintf(bars, sizeof bars, "%s/slow.csv", g_dir);
    write_bars(bars, slow, 1, 10);
    if (sim_start(&g_sim, "main", bars, NULL) != 0) {
        CHECK_MSG(0, "the simulator did not start (see %s)", g_sim.log);
        return eb_check_report();
    }
    RUN(public_endpoints);
    RUN(market_order_query_and_balance);
    RUN(refusals_change_nothing);
    RUN(limit_rests_and_cancels);
    RUN(cancel_replace);
    RUN(keep_alive_and_close);
    RUN(ccxt_unchanged);
    sim_stop(&g_sim);
    RUN(fills_along_the_path);
    RUN(rate_limit_weight);
    RUN(times_now);
    RUN(bad_options);
    dp_rmtree(g_dir);
    return eb_check_report();
}
