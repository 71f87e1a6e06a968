/* Risk conformance on the stop bar and on spot, through `edgebox backtest` on hand-made bars (issue 13
 * items 1-3 and 9). Every number is worked out in the comments. The bars: flat bars of range 5 around 100
 * (ATR 5 = its mean, m = 1, 1R = 5 = 5% of the price, the default config's 1R of the issue) or of range 1
 * (1R = 1); ATR 7 with a 20-bar history makes the engine ready after 28 bars; signals come from a file so
 * that each entry is decided on a chosen bar. Default costs unless said: slippage 10 bps, taker fee 5 bps. */
#include "tools/edgebox/backtest/backtest.h"
#include "tests/support/check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define T0 1609459200000LL /* 2021-01-01 00:00 UTC: every bar below lies in this UTC day */
#define M5 300000LL
#define DIR "build/test_backtest_risk_tmp"
#define MAXB 400

static char err[1024];

typedef struct {
    double o, h, l, c;
} ohlc_t;

static ohlc_t bars[MAXB];
static int nbars, sigs[MAXB];

static void flat(int n, double px, double range)
{
    for (int i = 0; i < n; i++)
        bars[nbars++] = (ohlc_t){px, px + range / 2, px - range / 2, px};
}

static void bar(double o, double h, double l, double c) { bars[nbars++] = (ohlc_t){o, h, l, c}; }

static void reset(void)
{
    nbars = 0;
    memset(sigs, 0, sizeof sigs);
}

static int run(const char *cfg_text, eb_backtest_result_t *r)
{
    FILE *f = fopen(DIR "/bars.csv", "w"), *s = fopen(DIR "/sig.csv", "w"), *c = fopen(DIR "/cfg.json", "w");
    if (!f || !s || !c)
        return -3;
    fputs("open_time_ms,open,high,low,close,volume\n", f);
    fputs("open_time_ms,signal\n", s);
    for (int i = 0; i < nbars; i++) {
        fprintf(f, "%lld,%.17g,%.17g,%.17g,%.17g,1\n", (long long)(T0 + i * M5), bars[i].o, bars[i].h, bars[i].l,
                bars[i].c);
        fprintf(s, "%lld,%d\n", (long long)(T0 + i * M5), sigs[i]);
    }
    fputs(cfg_text, c);
    fclose(f), fclose(s), fclose(c);
    eb_backtest_opts_t o = {.config_path = DIR "/cfg.json", .bars_path = DIR "/bars.csv", .signal = EB_BT_FILE,
                            .signal_file = DIR "/sig.csv"};
    eb_config_default(&o.cfg);
    if (eb_config_load(o.config_path, &o.cfg, err, sizeof err) != 0)
        return -2;
    return eb_backtest_run(&o, r, err, sizeof err);
}

static double lot_floor(double q) { return floor(q * 1e5 * (1 + 1e-12)) / 1e5; }

/* The quote balance at every bar's close, rebuilt from the report alone: equity minus the value of the
 * positions open at that close (spot: what is not in BTC is quote). The lowest one, and at which bar. */
static double lowest_quote(const eb_backtest_result_t *r, size_t *at)
{
    double lo = INFINITY;
    for (size_t i = 0; i < r->npoints; i++) {
        double q = r->points[i].equity;
        for (size_t k = 0; k < r->ntrades; k++)
            if (r->trades[k].entry_time_ms <= r->points[i].t && r->trades[k].exit_time_ms > r->points[i].t)
                q -= r->trades[k].qty * r->points[i].close;
        if (q < lo) {
            lo = q;
            *at = i;
        }
    }
    return lo;
}

/* Runs, expects `trades` trades and a quote balance that never goes below zero. */
static int run_spot(const char *cfg, size_t trades, eb_backtest_result_t *r)
{
    if (run(cfg, r) != 0) {
        CHECK_MSG(0, "%s", err);
        return -1;
    }
    CHECK_EQ_INT(r->ntrades, trades);
    size_t at = 0;
    double q = lowest_quote(r, &at);
    CHECK_MSG(q >= 0, "quote balance %.6f at bar %zu", q, at);
    return 0;
}

static const char *CFG = "{\"features\":{\"atr\":7},\"risk\":{\"historical_atr_window\":20},"
                         "\"limits\":{\"max_daily_loss\":0}}";

/* A long decided at bar 30, the given bar 34 (which touches its stop), a long decided there too, then
 * four flat bars at that bar's close. */
static int stop_bar_run(ohlc_t b34, eb_backtest_result_t *r)
{
    reset();
    flat(34, 100, 5);
    bar(b34.o, b34.h, b34.l, b34.c);
    flat(4, b34.c, 5);
    sigs[30] = sigs[34] = 1;
    int rc = run(CFG, r);
    CHECK_MSG(rc == 0, "%s", err);
    return rc;
}

/* Issue 13 item 1. Long decided at bar 30 (close 100): 1% of 10000 / 1R 5 = 20 units (2000, under the
 * 30% cap), bought at 100 x 1.001 = 100.1, fee 1.001, stop 95.1. Bar 34 dips to 95 (no gap): sold at
 * 95.1 x 0.999 = 95.0049, fee 0.950049; cash 10000 - 1.001 + 20 x (95.0049 - 100.1) - 0.950049 =
 * 9896.146951, and nothing is open. A long decided on that bar is sized from that: 0.2% x 9896.146951 =
 * 19.79229 units. The old engine still held the stopped position's 2002 of margin: 15.79399. */
TEST(entry_on_the_stop_bar_sized_from_available_capital)
{
    eb_backtest_result_t r;
    if (stop_bar_run((ohlc_t){100, 100, 95, 96}, &r) != 0)
        return;
    CHECK_EQ_INT(r.ntrades, 2);
    if (r.ntrades != 2)
        return;
    CHECK_NEAR(r.trades[0].qty, 20, 1e-12);
    CHECK_NEAR(r.trades[0].exit_price, 95.0049, 1e-9);
    CHECK_EQ_INT(r.trades[0].exit_time_ms, T0 + 34 * M5);
    CHECK_NEAR(r.points[34].equity, 9896.146951, 1e-7);
    CHECK_NEAR(r.trades[1].qty, 19.79229, 1e-9);
    CHECK_NEAR(r.trades[1].qty, lot_floor(0.002 * (10000 + r.trades[0].pnl)), 1e-9);
    eb_backtest_free(&r);
}

/* Issue 13 item 2. The same long (20 units at 100.1, stop 95.1); bar 34 gaps down to 75.2. Judged at the
 * gap price before costs the day would be down (10000 - 9500.999) / 10000 = 4.99%: under the 5% limit.
 * The fill is 75.2 x 0.999 = 75.1248 with a fee of 0.751248: equity 9498.743752, down 5.0126%. The
 * breaker must trip on this bar, so the long decided on it is refused ("disarmed"). */
TEST(breaker_sees_the_stop_fill_of_its_bar)
{
    eb_backtest_result_t r;
    if (stop_bar_run((ohlc_t){75.2, 76, 75, 75.5}, &r) != 0)
        return;
    CHECK_EQ_INT(r.ntrades, 1);
    CHECK_NEAR(r.points[34].equity, 9498.743752, 1e-7);
    CHECK_EQ_INT(r.breaker_trips[EB_PERIOD_DAY], 1);
    CHECK_EQ_INT(r.counters.refusals[EB_REFUSE_DISARMED], 1);
    CHECK_EQ_INT(r.counters.disarmed_by[EB_DISARM_BREAKER_DAILY], 1);
    eb_backtest_free(&r);
}

/* Issue 13 item 3, the rally: 3 slots, exposure 25%, range-1 bars (1R = 1), a rally of +1 a bar from 100
 * to 326; longs decided at 100, 200 and 326. The trails (close - 1) stay under every low. Sized from
 * equity with the profit in it, the third long bought 17.7 units (5,771 of quote) with 3,093 left. On
 * spot the available capital is the free quote balance: it must never go below zero. */
TEST(spot_never_spends_quote_it_does_not_hold)
{
    reset();
    flat(31, 100, 1);
    for (int i = 0; i < 226; i++)
        bar(100 + i, 101 + i, 100 + i, 101 + i); /* bar 31 + i closes at 101 + i */
    flat(5, 326, 1);
    sigs[30] = 1;   /* close 100 */
    sigs[129] = 1;  /* close 199 */
    sigs[256] = 1;  /* close 326 */
    eb_backtest_result_t r;
    if (run_spot("{\"features\":{\"atr\":7},\"risk\":{\"historical_atr_window\":20,\"max_open_positions\":3,"
                 "\"risk_exposition\":0.25},\"limits\":{\"max_daily_loss\":0}}", 3, &r) == 0)
        eb_backtest_free(&r);
}

/* Issue 13 item 3, the small case: risk 5%, 1R = 1, a 100% position cap. At close 100 the old engine
 * bought 10000 / 100 = 100 units and spent 100 x 100.1 x 1.0005 = 10,015.01 of 10,000. The entry reserves
 * its worst case per unit: 100 x 1.001 (slippage) x 1.005 (50 bps gap allowance) x 1.0005 (fee) =
 * 100.6508..., so it asks floor(10000 / that) = 99.3534 units. Opens at 100 and at 100.3 (a gap inside
 * the allowance) fill them all; an open at 102 (a 2% gap) would need 10,149: the fill buys only what the
 * reserve pays for, floor(99.3534 x 100.6508 / (102 x 1.001 x 1.0005)) = 97.89232 units, like a market
 * order for a quote amount. In every case the quote balance stays >= 0. */
static void small_case(double next_open, double want_qty)
{
    reset();
    flat(31, 100, 1);
    bar(next_open, next_open + 0.5, next_open - 0.5, next_open);
    flat(3, next_open, 1);
    sigs[30] = 1;
    eb_backtest_result_t r;
    if (run_spot("{\"features\":{\"atr\":7},\"risk\":{\"historical_atr_window\":20,\"risk_per_trade\":0.05},"
                 "\"limits\":{\"max_position_pct\":1,\"max_daily_loss\":0}}", 1, &r) != 0)
        return;
    if (r.ntrades == 1) {
        CHECK_NEAR(r.trades[0].qty, want_qty, 1e-9);
        CHECK_NEAR(r.trades[0].entry_price, next_open * 1.001, 1e-9);
    }
    eb_backtest_free(&r);
}

TEST(spot_entry_reserves_fee_slippage_and_gap)
{
    double per_unit = 100 * 1.001 * 1.005 * 1.0005, q0 = lot_floor(10000 / per_unit);
    CHECK_NEAR(q0, 99.3534, 1e-9);
    small_case(100, q0);
    small_case(100.3, q0);
    small_case(102, lot_floor(q0 * per_unit / (102 * 1.001 * 1.0005)));
}

/* Issue 13 item 9: costs.stop_extreme_fraction moves a stop's fill that fraction of the way from where
 * it triggers (the stop, or the open after a gap) to the bar's extreme beyond it, before the slippage.
 * Long of 20 at 100.1, stop 95.1. No gap: the bar dips to 94 -> 95.1 - 0.5 x 1.1 = 94.55, x 0.999.
 * A gap: it opens at 93 and dips to 91 -> 93 - 0.5 x 2 = 92, x 0.999. Off (the default): 95.1 and 93. */
static double stop_exit(const char *frac, double o, double l)
{
    reset();
    flat(34, 100, 5);
    bar(o, fmax(o, 96), l, 96);
    flat(2, 96, 5);
    sigs[30] = 1;
    char cfg[300];
    snprintf(cfg, sizeof cfg, "{\"features\":{\"atr\":7},\"risk\":{\"historical_atr_window\":20},"
             "\"costs\":{\"stop_extreme_fraction\":%s}}", frac);
    eb_backtest_result_t r;
    int rc = run(cfg, &r);
    CHECK_MSG(rc == 0, "%s", err);
    double px = rc == 0 && r.ntrades == 1 && r.trades[0].reason == EB_EXIT_STOP_LOSS ? r.trades[0].exit_price : NAN;
    if (rc == 0)
        eb_backtest_free(&r);
    return px;
}

TEST(conservative_stop_fill)
{
    CHECK_NEAR(stop_exit("0", 100, 94), 95.1 * 0.999, 1e-9);
    CHECK_NEAR(stop_exit("0.5", 100, 94), 94.55 * 0.999, 1e-9);
    CHECK_NEAR(stop_exit("0", 93, 91), 93 * 0.999, 1e-9);
    CHECK_NEAR(stop_exit("0.5", 93, 91), 92 * 0.999, 1e-9);
    CHECK_NEAR(stop_exit("1", 93, 91), 91 * 0.999, 1e-9); /* the whole way: the bar's low */
    eb_backtest_result_t r;
    reset();
    flat(40, 100, 5);
    CHECK_EQ_INT(run("{\"costs\":{\"stop_extreme_fraction\":1.5}}", &r), -2);
    CHECK_MSG(strstr(err, "costs.stop_extreme_fraction: 1.5 is outside the allowed range 0..1") != NULL, "%s", err);
}

int main(void)
{
    mkdir("build", 0755);
    mkdir(DIR, 0755);
    RUN(entry_on_the_stop_bar_sized_from_available_capital);
    RUN(breaker_sees_the_stop_fill_of_its_bar);
    RUN(spot_never_spends_quote_it_does_not_hold);
    RUN(spot_entry_reserves_fee_slippage_and_gap);
    RUN(conservative_stop_fill);
    return eb_check_report();
}
