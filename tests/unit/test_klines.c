/* The klines client (app/klines.h) against the fake exchange on 127.0.0.1 (tests/support/fake_exchange.h):
 * closed bars only, no duplicates, time order, paging, gap backfill, Retry-After on 429/418 (measured),
 * exponential backoff with its cap (measured on a short scale), timeouts, refused responses that change
 * nothing, incremental polling; plus the parser on Binance's documented example and the stale rule. */
#include "app/klines.h"
#include "core/stale.h"
#include "tests/support/check.h"
#include "tests/support/fake_exchange.h"

#include <stdlib.h>
#include <time.h>

#define IV 300000LL            /* 5m */
#define T0 1609459200000LL     /* 2021-01-01T00:00Z */
#define NBARS 400

static eb_bar_t series[NBARS];
static int64_t g_base, g_mono0; /* the client's wall clock: g_base + real time elapsed since g_mono0 */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t vnow(void) { return g_base + (mono_ms() - g_mono0); }
static void set_clock(int64_t wall) { g_base = wall, g_mono0 = mono_ms(); }

static int64_t open_of(int i) { return T0 + i * IV; }
/* Inside bar i: bar i is still open, bars 0..i-1 are closed. */
static int64_t during(int i) { return open_of(i) + IV / 2; }

static eb_klines_config_t test_config(eb_fx_t *fx, int limit)
{
    eb_klines_config_t c;
    eb_klines_config_default(&c);
    c.base_url = eb_fx_url(fx);
    c.limit = limit;
    c.timeout_ms = 2000;
    c.backoff_base_ms = 10;
    c.backoff_cap_ms = 80;
    c.settle_ms = 0;
    c.repoll_ms = 20;
    c.clock_ms = vnow;
    return c;
}

static eb_klines_t *client_cfg(const eb_klines_config_t *c)
{
    char err[256];
    eb_klines_t *k = eb_klines_new(c, err, sizeof err);
    CHECK_MSG(k != NULL, "%s", err);
    return k;
}

static eb_klines_t *client(eb_fx_t *fx, int limit)
{
    eb_klines_config_t c = test_config(fx, limit);
    return client_cfg(&c);
}

/* A fake exchange whose "now" (and ours) is inside bar `bar`. */
static eb_fx_t *exchange_at(int bar)
{
    eb_fx_t *fx = eb_fx_start(series, NBARS, "BTCUSDT", "5m", IV);
    CHECK_MSG(fx != NULL, "the fake exchange did not start");
    if (fx) {
        eb_fx_set_now(fx, during(bar));
        set_clock(during(bar));
    }
    return fx;
}

static int same_bar(const eb_bar_t *a, const eb_bar_t *b)
{
    return a->open_time_ms == b->open_time_ms && fabs(a->open - b->open) < 1e-9 && fabs(a->high - b->high) < 1e-9 &&
           fabs(a->low - b->low) < 1e-9 && fabs(a->close - b->close) < 1e-9 && fabs(a->volume - b->volume) < 1e-9;
}

/* Takes every queued bar; checks each against the series, time order and no repeats; returns the count. */
static int take_all(eb_klines_t *k, int64_t *last_open, int64_t *gaps)
{
    eb_bar_t b;
    int64_t gap;
    int n = 0;
    while (eb_klines_take(k, &b, &gap)) {
        int i = (int)((b.open_time_ms - T0) / IV);
        CHECK_MSG(i >= 0 && i < NBARS && same_bar(&b, &series[i]), "bar %lld is not the series' closed bar",
                  (long long)b.open_time_ms);
        CHECK_MSG(b.open_time_ms > *last_open, "bar %lld after %lld: order/duplicate", (long long)b.open_time_ms,
                  (long long)*last_open);
        if (gaps)
            *gaps += gap;
        *last_open = b.open_time_ms;
        n++;
    }
    return n;
}

/* Backfills until caught up, taking bars as the queue fills. */
static int backfill_all(eb_klines_t *k, int64_t *last_open, int64_t *gaps)
{
    int total = 0, rc;
    while ((rc = eb_klines_backfill_blocking(k, 3000)) == 1)
        total += take_all(k, last_open, gaps);
    CHECK_MSG(rc == 0, "backfill: %s", eb_klines_error(k));
    return total + take_all(k, last_open, gaps);
}

/* Polls until a call reports something (bars or an error) or timeout_ms passes. */
static int pump(eb_klines_t *k, int timeout_ms)
{
    int64_t until = mono_ms() + timeout_ms;
    while (mono_ms() < until) {
        int rc = eb_klines_poll(k, vnow());
        if (rc != 0)
            return rc;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int64_t request_gap_ms(eb_fx_t *fx, size_t i)
{
    eb_fx_request_t a, b;
    if (eb_fx_request(fx, i - 1, &a) || eb_fx_request(fx, i, &b))
        return -1;
    return b.mono_ms - a.mono_ms;
}

TEST(parse_binance_doc_example)
{
    /* The USD-M example response from Binance's documentation (two 5m klines of 2021-03-21). */
    const char *body = "[[1616338800000,\"57212.69\",\"57315.00\",\"57196.19\",\"57300.00\",\"496.263\",1616339099999,"
                       "\"28425514.78940\",7160,\"273.108\",\"15642623.69718\",\"0\"],[1616339100000,\"57300.00\","
                       "\"57300.00\",\"57200.61\",\"57206.47\",\"174.865\",1616339399999,\"10009130.07051\",2602,"
                       "\"60.409\",\"3457649.49072\",\"0\"]]";
    eb_kline_t out[4];
    size_t n = 99;
    char err[256];
    CHECK_EQ_INT(eb_klines_parse(body, strlen(body), IV, 4, out, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(out[0].bar.open_time_ms, 1616338800000LL);
    CHECK_EQ_INT(out[0].close_time_ms, 1616339099999LL);
    CHECK_NEAR(out[0].bar.open, 57212.69, 0);
    CHECK_NEAR(out[0].bar.high, 57315.00, 0);
    CHECK_NEAR(out[0].bar.low, 57196.19, 0);
    CHECK_NEAR(out[0].bar.close, 57300.00, 0);
    CHECK_NEAR(out[0].bar.volume, 496.263, 0);
    CHECK_NEAR(out[1].bar.close, 57206.47, 0);
    /* The same body refused with a 1m interval (close time is not open + 1m - 1) and a limit of 1. */
    CHECK_EQ_INT(eb_klines_parse(body, strlen(body), 60000, 4, out, &n, err, sizeof err), -1);
    CHECK(strstr(err, "close_time") != NULL);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(eb_klines_parse(body, strlen(body), IV, 1, out, &n, err, sizeof err), -1);
    CHECK(strstr(err, "more than the 1 asked") != NULL);
    CHECK_EQ_INT(eb_klines_parse("[]", 2, IV, 4, out, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 0);
}

TEST(parse_refusals)
{
    static const struct { const char *body, *msg; } cases[] = {
        {"", "not JSON"},
        {"[[1616338800000,\"1\"", "not JSON"},
        {"{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", "exchange error -1121: Invalid symbol."},
        {"42", "not a klines array"},
        {"[5]", "kline 0: field 'kline': not an array"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999]]", "7 fields"},
        {"[[\"1616338800000\",\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'open_time'"},
        {"[[1616338800000.5,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'open_time'"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"x\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'close'"},
        {"[[1616338800000,\"1\",\"inf\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'high'"},
        {"[[1616338800000,\"1\",\" 2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'high'"},
        {"[[1616338800000,1,\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "field 'open'"},
        {"[[1616338800000,\"1\",\"1\",\"2\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "high is below low"},
        {"[[1616338800000,\"3\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "within [low, high]"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"1\",\"-5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "volume is negative"},
        {"[[1616338800000,\"0\",\"2\",\"0\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "must be > 0"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"],"
         "[1616338800000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]]", "kline 1: field 'open_time': not after"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"],"
         "[1616338860000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339159999,\"0\",1,\"0\",\"0\",\"0\"]]", "interval grid"},
        {"[[1616338800000,\"1\",\"2\",\"1\",\"1\",\"5\",1616339099999,\"0\",1,\"0\",\"0\",\"0\"]] x", "unexpected bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_kline_t out[2] = {{{0, 0, 0, 0, 0, 0}, 0}};
        out[0].bar.open_time_ms = 777;
        size_t n = 99;
        char err[256] = "";
        int rc = eb_klines_parse(cases[i].body, strlen(cases[i].body), IV, 2, out, &n, err, sizeof err);
        CHECK_MSG(rc == -1 && n == 0, "case %zu accepted", i);
        CHECK_MSG(strstr(err, cases[i].msg) != NULL, "case %zu: '%s' does not say '%s'", i, err, cases[i].msg);
    }
}

TEST(config_refusals)
{
    static const struct { int field; const char *msg; } cases[] = {
        {0, "klines.base_url: ftp://x"}, {1, "klines.symbol: btc/usdt"}, {2, "klines.interval: 7m"},
        {3, "klines.limit: 1001"}, {4, "klines.limit: 1501"}, {5, "klines.body_cap: 100"},
        {6, "klines.timeout_ms: 0"}, {7, "klines.backoff_base_ms: 9000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_klines_config_t c;
        eb_klines_config_default(&c);
        switch (cases[i].field) {
        case 0: c.base_url = "ftp://x"; break;
        case 1: c.symbol = "btc/usdt"; break;
        case 2: c.interval = "7m"; break;
        case 3: c.limit = 1001; break;
        case 4: c.market = EB_KLINES_USDM, c.limit = 1501; break;
        case 5: c.body_cap = 100; break;
        case 6: c.timeout_ms = 0; break;
        case 7: c.backoff_base_ms = 9000; break;
        }
        char err[256] = "";
        eb_klines_t *k = eb_klines_new(&c, err, sizeof err);
        CHECK_MSG(k == NULL && strstr(err, cases[i].msg) && strstr(err, "is not allowed ("), "case %zu: %s", i, err);
        eb_klines_free(k);
    }
    eb_klines_config_t c;
    eb_klines_config_default(&c);
    c.market = EB_KLINES_USDM;
    c.limit = 1500;
    char err[256];
    eb_klines_t *k = eb_klines_new(&c, err, sizeof err);
    CHECK(k != NULL);
    eb_klines_free(k);
    CHECK_EQ_INT(eb_klines_interval_ms("1d"), 86400000);
    CHECK_EQ_INT(eb_klines_interval_ms("1M"), 0);
}

TEST(backoff_doubles_up_to_8s)
{
    const int64_t want[] = {250, 500, 1000, 2000, 4000, 8000, 8000, 8000};
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(eb_klines_backoff_ms(i + 1, 250, EB_KLINES_BACKOFF_CAP_MS), want[i]);
    CHECK_EQ_INT(eb_klines_backoff_ms(1000, 250, EB_KLINES_BACKOFF_CAP_MS), 8000);
    CHECK_EQ_INT(eb_klines_backoff_ms(3, 10, 80), 40);
    CHECK_EQ_INT(eb_klines_backoff_ms(5, 10, 80), 80);
}

TEST(stale_rule)
{
    const int64_t g = 30000, t = open_of(10);
    CHECK_EQ_INT(eb_stale_is_stale(t, IV, g, t + 2 * IV + g), 0);     /* successor due, within grace */
    CHECK_EQ_INT(eb_stale_is_stale(t, IV, g, t + 2 * IV + g + 1), 1); /* overdue by more than the grace */
    CHECK_EQ_INT(eb_stale_is_stale(t, IV, g, t + IV), 0);
    CHECK_EQ_INT(eb_stale_is_stale(EB_STALE_NO_BAR, IV, g, t), 1);
    CHECK_EQ_INT(eb_stale_is_stale(t, 0, g, t), 1);
    CHECK_EQ_INT(eb_stale_age_ms(t, t + 5), 5);
}

TEST(closed_bars_only_in_order_once)
{
    eb_fx_t *fx = exchange_at(100);
    if (!fx)
        return;
    set_clock(during(100) + 3600000); /* our clock an hour ahead: the exchange's Date still says bar 100 is open */
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, T0 - IV + 1); /* rounded up to T0 */
    int64_t last = INT64_MIN, gaps = 0;
    CHECK_EQ_INT(backfill_all(k, &last, &gaps), 100);
    CHECK_EQ_INT(last, open_of(99));
    CHECK_EQ_INT(gaps, 0);
    CHECK_EQ_INT(eb_klines_newest_open_ms(k), open_of(99));
    eb_fx_request_t r;
    CHECK(eb_fx_request(fx, 0, &r) == 0 && r.start_ms == T0 && r.limit == 1000 && strcmp(r.path, "/api/v3/klines") == 0);
    CHECK_EQ_INT(r.bars, 101); /* the open bar 100 was in the response and was dropped */

    /* Our clock behind the exchange: bars are closed only when OUR clock says so too. */
    eb_klines_start_at(k, T0);
    set_clock(series[50].open_time_ms + IV); /* bar 50 closed 1 ms ago, bar 51 is open for us */
    last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 51);
    CHECK_EQ_INT(last, open_of(50));

    /* No Date header: the last kline of a response is never taken (nothing proves it closed). */
    eb_fx_send_date(fx, 0);
    eb_klines_start_at(k, open_of(90));
    set_clock(during(100) + 3600000);
    last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 10);
    CHECK_EQ_INT(last, open_of(99));
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(incremental_polling)
{
    eb_fx_t *fx = exchange_at(300);
    if (!fx)
        return;
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, open_of(250));
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 50);
    size_t reqs = eb_fx_request_count(fx);
    /* Before bar 300 closes nothing is asked. */
    for (int i = 0; i < 5; i++)
        CHECK_EQ_INT(eb_klines_poll(k, vnow()), 0);
    CHECK_EQ_INT(eb_fx_request_count(fx), reqs);
    CHECK_EQ_INT(eb_klines_next_due_ms(k), open_of(301)); /* bar 300's close (settle 0 in this test) */
    for (int b = 300; b < 310; b++) {
        eb_fx_set_now(fx, open_of(b + 1) + 1500);
        set_clock(open_of(b + 1) + 1500);
        CHECK_EQ_INT(pump(k, 2000), 1);
        CHECK_EQ_INT(take_all(k, &last, NULL), 1);
        CHECK_EQ_INT(last, open_of(b));
        eb_fx_request_t r;
        CHECK(eb_fx_request(fx, eb_fx_request_count(fx) - 1, &r) == 0 && r.start_ms == open_of(b) && r.bars == 2);
    }
    /* The exchange late: the bar closed on our clock is not in the response yet; asked again after repoll. */
    set_clock(open_of(311) + 1500);
    eb_fx_set_now(fx, open_of(311) - 1);
    size_t before = eb_fx_request_count(fx);
    CHECK_EQ_INT(pump(k, 200), 0);
    CHECK(eb_fx_request_count(fx) >= before + 2);
    eb_fx_set_now(fx, open_of(311) + 10);
    CHECK_EQ_INT(pump(k, 2000), 1);
    CHECK_EQ_INT(take_all(k, &last, NULL), 1);
    CHECK_EQ_INT(last, open_of(310));
    CHECK_EQ_INT(eb_klines_stats(k)->bars_delivered, 61);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(paging_and_futures_path)
{
    eb_fx_t *fx = exchange_at(230);
    if (!fx)
        return;
    eb_klines_config_t c = test_config(fx, 50);
    c.market = EB_KLINES_USDM;
    eb_klines_t *k = client_cfg(&c);
    eb_klines_start_at(k, T0);
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 230);
    CHECK_EQ_INT(last, open_of(229));
    CHECK_EQ_INT(eb_fx_request_count(fx), 5); /* 4 full pages of 50, then 30 closed + the open one */
    for (size_t i = 0; i < 5; i++) {
        eb_fx_request_t r;
        CHECK(eb_fx_request(fx, i, &r) == 0 && r.start_ms == open_of(50 * (int)i) && strcmp(r.path, "/fapi/v1/klines") == 0);
    }
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(gap_backfilled)
{
    eb_fx_t *fx = exchange_at(100);
    if (!fx)
        return;
    eb_fx_hole(fx, open_of(40), open_of(43), 1); /* missing from one response only */
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, T0);
    int64_t last = INT64_MIN, gaps = 0;
    CHECK_EQ_INT(backfill_all(k, &last, &gaps), 100);
    CHECK_EQ_INT(gaps, 0);
    const eb_klines_stats_t *st = eb_klines_stats(k);
    CHECK_EQ_INT(st->gaps_seen, 1);
    CHECK_EQ_INT(st->gaps_backfilled, 1);
    CHECK_EQ_INT(st->gaps_accepted, 0);
    eb_fx_request_t r;
    CHECK(eb_fx_request(fx, 1, &r) == 0 && r.start_ms == open_of(40)); /* asked again from the last bar + interval */
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(gap_confirmed_by_exchange)
{
    eb_fx_t *fx = exchange_at(100);
    if (!fx)
        return;
    eb_fx_hole(fx, open_of(40), open_of(43), -1); /* an outage: the exchange never has these bars */
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, T0);
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(eb_klines_backfill_blocking(k, 3000), 0);
    eb_bar_t b;
    int64_t gap, n = 0, gap_at = -1, gap_len = 0;
    while (eb_klines_take(k, &b, &gap)) {
        CHECK(b.open_time_ms > last);
        last = b.open_time_ms;
        if (gap)
            gap_at = b.open_time_ms, gap_len = gap;
        n++;
    }
    CHECK_EQ_INT(n, 97);
    CHECK_EQ_INT(gap_at, open_of(43));
    CHECK_EQ_INT(gap_len, 3);
    CHECK_EQ_INT(eb_klines_stats(k)->gaps_accepted, 1);
    CHECK_EQ_INT(eb_klines_stats(k)->missing_bars, 3);
    CHECK_EQ_INT(eb_fx_request_count(fx), 2);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

static void retry_after_case(eb_fx_fault_t f, long want_code)
{
    eb_fx_t *fx = exchange_at(20);
    if (!fx)
        return;
    eb_fx_push_fault(fx, f, 1); /* Retry-After: 1 (seconds) */
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, T0);
    CHECK_EQ_INT(pump(k, 2000), -1);
    CHECK_EQ_INT(eb_klines_stats(k)->last_http, want_code);
    CHECK_EQ_INT(eb_klines_stats(k)->last_delay_ms, 1000);
    CHECK(strstr(eb_klines_error(k), "Retry-After honoured") != NULL);
    eb_klines_request_now(k); /* does not cut a Retry-After short */
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 20);
    int64_t waited = request_gap_ms(fx, 1);
    CHECK_MSG(waited >= 995 && waited < 1600, "waited %lld ms for Retry-After: 1", (long long)waited);
    CHECK_EQ_INT(eb_klines_stats(k)->rate_limited + eb_klines_stats(k)->banned, 1);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(retry_after_429) { retry_after_case(EB_FX_429, 429); }
TEST(retry_after_418) { retry_after_case(EB_FX_418, 418); }

TEST(backoff_measured_and_capped)
{
    eb_fx_t *fx = exchange_at(20);
    if (!fx)
        return;
    for (int i = 0; i < 6; i++)
        eb_fx_push_fault(fx, i == 5 ? EB_FX_429 : EB_FX_500, -1); /* a 429 without Retry-After backs off too */
    eb_klines_t *k = client(fx, 1000);                     /* base 10 ms, cap 80 ms */
    eb_klines_start_at(k, T0);
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 20);
    const int64_t want[] = {10, 20, 40, 80, 80, 80};
    CHECK_EQ_INT(eb_fx_request_count(fx), 7);
    for (size_t i = 1; i <= 6; i++) {
        int64_t w = request_gap_ms(fx, i);
        /* arrivals are stamped by the server after it has read each request, so a slow read of the earlier
         * one (qemu) shortens the measured gap by a few ms: 5 ms of slack below */
        CHECK_MSG(w >= want[i - 1] - 5 && w < want[i - 1] + 60, "wait %zu: %lld ms, want %lld", i, (long long)w,
                  (long long)want[i - 1]);
    }
    CHECK_EQ_INT(eb_klines_stats(k)->http_errors, 5);
    CHECK_EQ_INT(eb_klines_stats(k)->consecutive_failures, 0);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(timeout_and_truncated_body)
{
    eb_fx_t *fx = exchange_at(20);
    if (!fx)
        return;
    eb_fx_push_fault(fx, EB_FX_HANG, 0);
    eb_fx_push_fault(fx, EB_FX_TRUNCATED, 0);
    eb_klines_config_t c = test_config(fx, 1000);
    c.timeout_ms = 200;
    eb_klines_t *k = client_cfg(&c);
    eb_klines_start_at(k, T0);
    int64_t t = mono_ms();
    CHECK_EQ_INT(pump(k, 3000), -1);
    int64_t took = mono_ms() - t;
    CHECK_MSG(took >= 190 && took < 1500, "timeout after %lld ms", (long long)took);
    CHECK(strstr(eb_klines_error(k), "Timeout") || strstr(eb_klines_error(k), "timed out"));
    CHECK_EQ_INT(pump(k, 3000), -1);
    CHECK_EQ_INT(eb_klines_stats(k)->transport_errors, 1);
    CHECK_EQ_INT(eb_klines_queued(k), 0);
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 20);
    CHECK_EQ_INT(eb_klines_stats(k)->timeouts, 1);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(malformed_refused_nothing_changed)
{
    static const char *const says[EB_FXM_COUNT] = {"not JSON", "exchange error -1121", "6 fields", "field 'close'",
                                                   "field 'high'", "field 'close_time'", "not after the previous",
                                                   "field 'high'", "unexpected bytes"};
    eb_fx_t *fx = exchange_at(30);
    if (!fx)
        return;
    eb_klines_t *k = client(fx, 1000);
    eb_klines_start_at(k, T0);
    int64_t last = INT64_MIN;
    CHECK_EQ_INT(backfill_all(k, &last, NULL), 30);
    for (int m = 0; m < EB_FXM_COUNT; m++) {
        int b = 30 + m; /* bar b closes now; the response holds bar b and the open bar b+1 */
        eb_fx_set_now(fx, during(b + 1));
        set_clock(during(b + 1));
        eb_fx_push_fault(fx, EB_FX_MALFORMED, m);
        uint64_t delivered = eb_klines_stats(k)->bars_delivered;
        CHECK_EQ_INT(pump(k, 2000), -1);
        CHECK_MSG(strstr(eb_klines_error(k), says[m]) != NULL, "variant %d: '%s' does not say '%s'", m,
                  eb_klines_error(k), says[m]);
        CHECK(strstr(eb_klines_error(k), "refused") != NULL);
        CHECK_EQ_INT(eb_klines_newest_open_ms(k), open_of(b - 1));
        CHECK_EQ_INT(eb_klines_queued(k), 0);
        CHECK_EQ_INT(eb_klines_stats(k)->bars_delivered, delivered);
        CHECK_EQ_INT(pump(k, 2000), 1); /* the retry gets the good answer */
        CHECK_EQ_INT(take_all(k, &last, NULL), 1);
        CHECK_EQ_INT(last, open_of(b));
    }
    CHECK_EQ_INT(eb_klines_stats(k)->refused, EB_FXM_COUNT);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

TEST(body_over_cap_refused)
{
    eb_fx_t *fx = exchange_at(200);
    if (!fx)
        return;
    eb_klines_config_t c = test_config(fx, 1000);
    c.body_cap = 4096; /* ~30 klines */
    eb_klines_t *k = client_cfg(&c);
    eb_klines_start_at(k, T0);
    CHECK_EQ_INT(pump(k, 2000), -1);
    CHECK(strstr(eb_klines_error(k), "over 4096 bytes: refused") != NULL);
    CHECK_EQ_INT(eb_klines_queued(k), 0);
    CHECK_EQ_INT(eb_klines_newest_open_ms(k), INT64_MIN);
    eb_klines_free(k);
    eb_fx_stop(fx);
}

int main(void)
{
    eb_fx_make_series(series, NBARS, T0, IV);
    RUN(parse_binance_doc_example);
    RUN(parse_refusals);
    RUN(config_refusals);
    RUN(backoff_doubles_up_to_8s);
    RUN(stale_rule);
    RUN(closed_bars_only_in_order_once);
    RUN(incremental_polling);
    RUN(paging_and_futures_path);
    RUN(gap_backfilled);
    RUN(gap_confirmed_by_exchange);
    RUN(retry_after_429);
    RUN(retry_after_418);
    RUN(backoff_measured_and_capped);
    RUN(timeout_and_truncated_body);
    RUN(malformed_refused_nothing_changed);
    RUN(body_over_cap_refused);
    return eb_check_report();
}
