/* The walk-forward's (and Monte Carlo's) out-of-sample simulation fills by the core's one fill rule: market
 * entries at the open with slippage, stops at the stop or the open after a gap, the conservative
 * costs.stop_extreme_fraction from the strategy config; hand-made bars, numbers in the comments. */
#include "tools/edgebox/validate/wf_oos.h"
#include "tests/support/check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DIR "build/test_wf_fills_tmp"

static char err[1024];

/* Bar 1 opens at 100: a long signalled at bar 0's close buys 100 x 1.001 = 100.1, 1R = m x ATR = 1, stop
 * 99.1. Bar 2 is the stop bar given. One trade; its R after fees (5 bps a side). */
static double trade_r(double o2, double l2, double frac)
{
    eb_bar_t bars[4] = {{0, 100, 100.5, 99.5, 100, 1}, {1, 100, 100.5, 99.5, 100, 1}, {2, o2, 100.5, l2, 99, 1},
                        {3, 99, 99.5, 98.5, 99, 1}};
    double atr[4] = {1, 1, 1, 1}, mult[4] = {1, 1, 1, 1};
    eb_dataset_t ds = {.bars = bars, .n = 4, .atr = atr, .mult = mult};
    int8_t sig[4] = {1, 0, 0, 0};
    eb_wf_sim_params_t p;
    eb_wf_sim_params_default(&p);
    p.stop_extreme_fraction = frac;
    eb_wf_trades_t out = {0};
    CHECK_EQ_INT(eb_wf_simulate(&ds, sig, 0, 4, &p, &out), 0);
    CHECK_EQ_INT(out.n, 1);
    double r = out.n == 1 ? out.v[0].r : NAN;
    eb_wf_trades_free(&out);
    return r;
}

/* R of a long bought at 100.1 and sold at px x 0.999, both fees of 5 bps. */
static double want_r(double px)
{
    double exit = px * 0.999;
    return exit - 100.1 - 0.0005 * (exit + 100.1);
}

TEST(stops_fill_by_the_rule)
{
    /* No gap (open 100, low 98): triggers at 99.1; halfway to the low: 98.55. */
    CHECK_NEAR(trade_r(100, 98, 0), want_r(99.1), 1e-9);
    CHECK_NEAR(trade_r(100, 98, 0.5), want_r(98.55), 1e-9);
    /* A gap (open 98.5, low 98): triggers at the open; halfway: 98.25; all the way: the low. */
    CHECK_NEAR(trade_r(98.5, 98, 0), want_r(98.5), 1e-9);
    CHECK_NEAR(trade_r(98.5, 98, 0.5), want_r(98.25), 1e-9);
    CHECK_NEAR(trade_r(98.5, 98, 1), want_r(98), 1e-9);
}

static int load(const char *text, eb_train_costs_t *c, eb_wf_sim_params_t *s)
{
    FILE *f = fopen(DIR "/cfg.json", "w");
    fputs(text, f);
    fclose(f);
    return eb_wf_costs_load(DIR "/cfg.json", c, s, err, sizeof err);
}

TEST(costs_from_the_strategy_config)
{
    eb_train_costs_t c;
    eb_wf_sim_params_t s;
    CHECK_EQ_INT(load("{\"costs\":{\"taker_fee_bps\":4,\"slippage_bps\":20,\"stop_extreme_fraction\":0.5}}", &c, &s), 0);
    CHECK_NEAR(s.fee_bps, 4, 0);
    CHECK_NEAR(s.slippage_bps, 20, 0);
    CHECK_NEAR(s.stop_extreme_fraction, 0.5, 0);
    CHECK_NEAR(c.fee_bps, 4, 0);
    CHECK_NEAR(c.slippage_bps, 20, 0);
    CHECK_EQ_INT(load("{}", &c, &s), 0);
    CHECK_NEAR(s.stop_extreme_fraction, 0, 0);
    CHECK_NEAR(s.slippage_bps, 10, 0);
    CHECK_EQ_INT(load("{\"costs\":{\"stop_extreme_fraction\":\"half\"}}", &c, &s), -1);
    CHECK_MSG(strstr(err, "cfg.json: costs.stop_extreme_fraction: \"half\" is not a number") != NULL, "%s", err);
}

int main(void)
{
    mkdir("build", 0755);
    mkdir(DIR, 0755);
    RUN(stops_fill_by_the_rule);
    RUN(costs_from_the_strategy_config);
    return eb_check_report();
}
