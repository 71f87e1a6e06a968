/* edgebox exchange-sim: a venue on loopback that replays bars as its market (docs/exchange-sim.md), for
 * developers by hand and for the tests of the live adapters. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/http/http_server.h"
#include "common/errf.h"
#include "common/file_read.h"
#include "common/json_strict.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/sim/sim_binance.h"

EB_COMMAND(exchange_sim, "an exchange simulator on loopback (Binance spot) replaying bars as its market")

#define MAX_BALANCES EB_SIM_MAX_ASSETS

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgebox exchange-sim --bars FILE --venue spot --keys KEYS.json [--listen 127.0.0.1:PORT]\n"
            "                            [--speed X] [--balance ASSET=AMOUNT]... [--symbol BTCUSDT]\n"
            "                            [--weight-limit N] [--order-limit N] [--fee-bps X] [--slippage-bps X] [--times file|now]\n"
            "  --bars         the market: a bar CSV (edgebox data); bar i opens at start + i*interval/speed\n"
            "  --venue        spot (Binance spot's /api/v3); usdm and kucoin are not served yet\n"
            "  --keys         {\"api_key\": \"...\", \"api_secret\": \"...\"}: the one account's key\n"
            "  --listen       loopback address and port (default 127.0.0.1:0: any free port)\n"
            "  --speed        bars per bar interval of wall time (default 1: real time)\n"
            "  --balance      a starting balance (repeatable; default USDT=10000)\n"
            "  --symbol       the one symbol, ending in USDT (default BTCUSDT)\n"
            "  --weight-limit request weight per minute (default 6000, as Binance)\n"
            "  --order-limit  new orders per 10 s (default 100, as Binance)\n"
            "  --fee-bps, --slippage-bps  the fill rule's costs (core/fill.h; defaults 5 and 10)\n"
            "  --times        file: klines carry the file's open times (default); now: bar 0 is served as\n"
            "                 opening now (at speed 1 aligned to the interval, so serverTime and the bars agree)\n"
            "The first line on stdout is 'listening on http://127.0.0.1:PORT'. SIGINT or SIGTERM stops it.\n");
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    (void)clock_gettime(CLOCK_MONOTONIC, &t); /* cannot fail with this clock */
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec t;
    (void)clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
    const char *bars, *venue, *keys, *listen, *symbol;
    int times_now; /* --times now */
    double speed, fee_bps, slippage_bps;
    int weight_limit, order_limit;
    const char *balance[MAX_BALANCES];
    int nbalance;
} sim_args_t;

static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "edgebox exchange-sim: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

static int number_arg(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(*out) || *out < lo || *out > hi) {
        fprintf(stderr, "edgebox exchange-sim: --%s '%s' is not a number in %g..%g\n", opt, s, lo, hi);
        return 2;
    }
    return 0;
}

static int parse(int argc, char **argv, sim_args_t *a)
{
    static const struct option opts[] = {
        {"bars", 1, 0, 'b'},         {"venue", 1, 0, 'v'},    {"keys", 1, 0, 'k'},         {"listen", 1, 0, 'l'},
        {"speed", 1, 0, 's'},        {"balance", 1, 0, 'B'},  {"symbol", 1, 0, 'y'},       {"weight-limit", 1, 0, 'w'},
        {"fee-bps", 1, 0, 'f'},      {"slippage-bps", 1, 0, 'p'}, {"times", 1, 0, 't'},    {"order-limit", 1, 0, 'o'},
        {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    *a = (sim_args_t){.listen = "127.0.0.1:0", .symbol = "BTCUSDT", .speed = 1, .fee_bps = 5, .slippage_bps = 10,
                      .weight_limit = 6000, .order_limit = 100};
    int c;
    double x;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'b': a->bars = optarg; break;
        case 'v': a->venue = optarg; break;
        case 'k': a->keys = optarg; break;
        case 'l': a->listen = optarg; break;
        case 'y': a->symbol = optarg; break;
        case 's':
            if (number_arg("speed", optarg, 1e-6, 1e9, &a->speed))
                return 2;
            break;
        case 'f':
            if (number_arg("fee-bps", optarg, 0, 100, &a->fee_bps))
                return 2;
            break;
        case 'p':
            if (number_arg("slippage-bps", optarg, 0, 500, &a->slippage_bps))
                return 2;
            break;
        case 'w':
            if (number_arg("weight-limit", optarg, 1, 1e9, &x))
                return 2;
            a->weight_limit = (int)x;
            break;
        case 'o':
            if (number_arg("order-limit", optarg, 1, 1e9, &x))
                return 2;
            a->order_limit = (int)x;
            break;
        case 'B':
            if (a->nbalance == MAX_BALANCES)
                return bad("--balance given more than %s times%s", "8", "");
            a->balance[a->nbalance++] = optarg;
            break;
        case 't':
            if (strcmp(optarg, "file") != 0 && strcmp(optarg, "now") != 0)
                return bad("--times '%s' is not allowed (allowed: file, now)%s", optarg, "");
            a->times_now = strcmp(optarg, "now") == 0;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc)
        return bad("unexpected argument '%s'%s", argv[optind], "");
    if (!a->bars || !a->venue || !a->keys) {
        usage(stderr);
        return bad("--bars, --venue and --keys are required%s%s", "", "");
    }
    if (strcmp(a->venue, "spot") != 0)
        return bad("--venue '%s' is not served (allowed: spot%s)", a->venue, "; usdm and kucoin are not built yet");
    return 0;
}

/* KEYS.json: api_key and api_secret, strings; "passphrase" is kucoin's and allowed. */
static int load_keys(const char *path, eb_sim_binance_t *v, char *err, size_t cap)
{
    size_t len;
    char *text = eb_file_read_all(path, 65536, 0, &len, err, cap);
    if (!text)
        return -1;
    cJSON *root = eb_json_strict_parse(text, len, path, err, cap);
    free(text);
    if (!root)
        return -1;
    int rc = 0;
    if (!cJSON_IsObject(root))
        rc = eb_errf(err, cap, "%s: not a JSON object", path);
    for (const cJSON *k = root->child; rc == 0 && k; k = k->next)
        if (strcmp(k->string, "api_key") != 0 && strcmp(k->string, "api_secret") != 0 && strcmp(k->string, "passphrase") != 0)
            rc = eb_errf(err, cap, "%s: unknown key '%s' (allowed: api_key, api_secret, passphrase)", path, k->string);
    const char *names[2] = {"api_key", "api_secret"};
    char *dst[2] = {v->api_key, v->api_secret};
    for (int i = 0; rc == 0 && i < 2; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, names[i]);
        if (!cJSON_IsString(s) || !s->valuestring[0])
            rc = eb_errf(err, cap, "%s: key '%s' must be a non-empty string", path, names[i]);
        else if (strlen(s->valuestring) >= EB_SIM_KEY_MAX)
            rc = eb_errf(err, cap, "%s: key '%s' is longer than %d characters", path, names[i], EB_SIM_KEY_MAX - 1);
        else
            snprintf(dst[i], EB_SIM_KEY_MAX, "%s", s->valuestring);
    }
    cJSON_Delete(root);
    return rc;
}

static int asset_ok(const char *s, size_t n)
{
    if (n == 0 || n >= EB_SIM_ASSET_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

static int setup_book(const sim_args_t *a, eb_sim_book_t *book, char *err, size_t cap)
{
    size_t n = strlen(a->symbol);
    if (n <= 4 || strcmp(a->symbol + n - 4, "USDT") != 0 || !asset_ok(a->symbol, n - 4))
        return eb_errf(err, cap, "--symbol '%s' must be an upper-case base asset followed by USDT", a->symbol);
    char base[EB_SIM_ASSET_MAX];
    snprintf(base, sizeof base, "%.*s", (int)(n - 4), a->symbol);
    eb_sim_book_init(book, base, "USDT");
    book->costs.fee_bps = a->fee_bps;
    book->costs.slippage_bps = a->slippage_bps;
    if (a->nbalance == 0)
        return eb_sim_book_credit(book, "USDT", 10000);
    for (int i = 0; i < a->nbalance; i++) {
        const char *s = a->balance[i], *eq = strchr(s, '=');
        char *end;
        double amt = eq ? strtod(eq + 1, &end) : NAN;
        if (!eq || !asset_ok(s, (size_t)(eq - s)))
            return eb_errf(err, cap, "--balance '%s': want ASSET=AMOUNT with an upper-case asset name", s);
        if (!eq[1] || *end || !isfinite(amt) || amt < 0)
            return eb_errf(err, cap, "--balance '%s': the amount must be a number >= 0", s);
        char asset[EB_SIM_ASSET_MAX];
        snprintf(asset, sizeof asset, "%.*s", (int)(eq - s), s);
        if (eb_sim_book_credit(book, asset, amt) != 0)
            return eb_errf(err, cap, "--balance '%s': more than %d assets", s, EB_SIM_MAX_ASSETS);
    }
    return 0;
}

static int listen_addr(const char *s, char *host, size_t cap, int *port, char *err, size_t errcap)
{
    const char *colon = strrchr(s, ':');
    char *end;
    long p = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon == s || (size_t)(colon - s) >= cap || !colon[1] || *end || p < 0 || p > 65535)
        return eb_errf(err, errcap, "--listen '%s': want ADDRESS:PORT (PORT 0..65535, 0 picks one)", s);
    snprintf(host, cap, "%.*s", (int)(colon - s), s);
    *port = (int)p;
    return 0;
}

static int serve(const sim_args_t *a, eb_sim_binance_t *v)
{
    char err[600], host[64];
    eb_http_config_t cfg = eb_http_default_config();
    if (listen_addr(a->listen, host, sizeof host, &cfg.port, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox exchange-sim: %s\n", err);
        return 2;
    }
    cfg.bind_addr = host;
    cfg.max_requests = 1000; /* a trading client keeps its connection */
    cfg.limits.max_body = 4096;
    eb_http_conn_t *conns = calloc((size_t)cfg.max_conns, sizeof *conns);
    static eb_loop_t loop; /* ~10 KiB: off the stack */
    static eb_http_server_t srv;
    eb_http_route_t routes[EB_SIM_BINANCE_NROUTES];
    if (!conns) {
        fprintf(stderr, "edgebox exchange-sim: out of memory for the connection table\n");
        return 1;
    }
    eb_sim_binance_routes(v, routes);
    eb_loop_init(&loop, mono_ms);
    if (eb_http_server_start(&srv, &cfg, conns, &loop, routes, EB_SIM_BINANCE_NROUTES, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox exchange-sim: --listen %s: %s\n", a->listen, err);
        free(conns);
        return 1;
    }
    printf("listening on http://%s:%d\n", host, eb_http_server_port(&srv));
    printf("venue spot, symbol %s, %zu bars of %lld s at speed %g\n", v->symbol, v->market.n,
           (long long)(v->market.interval_ms / 1000), v->market.speed);
    fflush(stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN);
    int rc = 0;
    while (!stop_flag)
        if (eb_loop_run_once(&loop, 200) < 0) {
            fprintf(stderr, "edgebox exchange-sim: poll: %s\n", strerror(errno));
            rc = 1;
            break;
        }
    eb_http_server_stop(&srv);
    free(conns);
    return rc;
}

int cmd_exchange_sim(int argc, char **argv)
{
    sim_args_t a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : rc;
    char err[600];
    static eb_sim_book_t book; /* the order table (~1 MiB): static, never on the stack */
    static eb_sim_binance_t v;
    memset(&v, 0, sizeof v);
    if (load_keys(a.keys, &v, err, sizeof err) != 0 || setup_book(&a, &book, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox exchange-sim: %s\n", err);
        return 2;
    }
    eb_bar_t *bars = NULL;
    size_t n = 0;
    if (eb_bars_load(a.bars, INT64_MIN, INT64_MAX, &bars, &n, err, sizeof err) != 0 ||
        eb_sim_market_init(&v.market, bars, n, a.speed, wall_ms(), err, sizeof err) != 0) {
        fprintf(stderr, "edgebox exchange-sim: %s\n", err);
        free(bars);
        return 2;
    }
    if (a.times_now)
        eb_sim_market_times_now(&v.market, wall_ms());
    snprintf(v.symbol, sizeof v.symbol, "%s", a.symbol);
    v.book = &book;
    v.now_ms = wall_ms;
    v.weight_limit = a.weight_limit;
    v.order_limit_10s = a.order_limit;
    rc = serve(&a, &v);
    free(bars);
    return rc;
}
