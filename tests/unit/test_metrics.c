/* Metrics of SPEC section 10 on tiny series; expected values worked by hand (and re-computed with Python's
 * math module, printed with %.17g) from the definitions in docs/metrics.md. */
#include "core/metrics.h"
#include "tests/support/check.h"

#define DAY 86400000LL

static double rel(double a, double b) { return fabs(a - b) / fmax(1e-300, fabs(b)); }

TEST(ratios_on_four_returns)
{
    /* E = 100, 110, 99, 99, 118.8 daily: r = +10%, -10%, 0, +20%; mean 0.05, sample sd sqrt(0.05/3). */
    int64_t t[5] = {0, DAY, 2 * DAY, 3 * DAY, 4 * DAY};
    double e[5] = {100, 110, 99, 99, 118.8}, s[5], bench[5] = {100};
    double r[4] = {0.1, -0.1, 0, 0.2};
    for (int i = 1; i < 5; i++) /* benchmark returns r/2 + 0.1%: beta 2, alpha -2 x 0.001 x 365 */
        bench[i] = bench[i - 1] * (1 + r[i - 1] / 2 + 0.001);
    eb_equity_metrics_t m;
    CHECK_EQ_INT(eb_metrics_equity(t, e, bench, 5, DAY, s, &m), 0);
    CHECK_NEAR(m.bars_per_year, 365, 0);
    CHECK_NEAR(m.total_return, 0.188, 1e-12);
    CHECK(rel(m.sharpe, 7.3993242934743737) < 1e-12);  /* 0.05 / 0.1290994 x sqrt(365) */
    CHECK(rel(m.sortino, 19.104973174542813) < 1e-12); /* downside dev sqrt(0.01/4) = 0.05 */
    CHECK(rel(m.volatility, 2.4664414311581231) < 1e-12);
    CHECK(rel(m.annual_return, 6714290.7584705045) < 1e-9); /* 1.188^(365/4) - 1 */
    CHECK(rel(m.calmar, 67142907.58470504) < 1e-9);
    CHECK_NEAR(m.max_drawdown, 0.1, 1e-12);
    CHECK_EQ_INT(m.max_drawdown_duration_ms, 3 * DAY); /* peak day 1, back above 110 on day 4 */
    CHECK_EQ_INT(m.recovery_time_ms, 2 * DAY);         /* trough day 2 -> day 4 */
    CHECK(rel(m.beta, 2) < 1e-12);
    CHECK(rel(m.alpha, -0.73) < 1e-9);
    /* n = 4: k = ceil(0.2) = 1 worst return: -10%. */
    CHECK_NEAR(m.var95, 0.1, 1e-12);
    CHECK_NEAR(m.cvar95, 0.1, 1e-12);
    /* 5-minute bars: P = 105120. */
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 5, 300000, s, &m), 0);
    CHECK_NEAR(m.bars_per_year, 105120, 0);
    CHECK(isnan(m.alpha) && isnan(m.beta));
}

TEST(drawdown_episodes)
{
    /* 100 -> 90 (10%) -> 100 recovers; 120 -> 96 (20%) -> 108 never recovers. */
    int64_t t[6] = {0, DAY, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY};
    double e[6] = {100, 90, 100, 120, 96, 108}, s[6];
    eb_equity_metrics_t m;
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 6, DAY, s, &m), 0);
    CHECK_NEAR(m.max_drawdown, 0.2, 1e-12);
    CHECK_NEAR(m.avg_drawdown, 0.15, 1e-12);
    CHECK_EQ_INT(m.max_drawdown_duration_ms, 2 * DAY);
    CHECK_EQ_INT(m.recovery_time_ms, -1);
    double flat[3] = {100, 100, 100};
    CHECK_EQ_INT(eb_metrics_equity(t, flat, NULL, 3, DAY, s, &m), 0);
    CHECK_NEAR(m.max_drawdown, 0, 0);
    CHECK(isnan(m.sharpe) && isnan(m.sortino) && isnan(m.calmar));
}

TEST(var_cvar_historical)
{
    /* 40 returns: -5%, -4%, -3% and 37 x +1%. k = ceil(0.05 x 40) = 2: VaR 4%, CVaR (5% + 4%) / 2. */
    int64_t t[41];
    double e[41], s[41], r[40];
    for (int i = 0; i < 40; i++)
        r[i] = i == 7 ? -0.05 : i == 20 ? -0.04 : i == 33 ? -0.03 : 0.01;
    e[0] = 1000;
    t[0] = 0;
    for (int i = 1; i <= 40; i++) {
        e[i] = e[i - 1] * (1 + r[i - 1]);
        t[i] = i * DAY;
    }
    eb_equity_metrics_t m;
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 41, DAY, s, &m), 0);
    CHECK_NEAR(m.var95, 0.04, 1e-12);
    CHECK_NEAR(m.cvar95, 0.045, 1e-12);
}

TEST(trade_stats)
{
    double pnl[5] = {50, -20, 30, -10, 0}, rm[5] = {2.5, -1, 1.5, -0.5, 0};
    eb_trade_metrics_t m;
    eb_metrics_trades(pnl, rm, 5, &m);
    CHECK_EQ_INT(m.wins, 2);
    CHECK_EQ_INT(m.losses, 2);
    CHECK_NEAR(m.win_rate, 0.4, 1e-15);
    CHECK_NEAR(m.profit_factor, 80.0 / 30.0, 1e-15);
    CHECK_NEAR(m.avg_win, 40, 0);
    CHECK_NEAR(m.avg_loss, -15, 0);
    CHECK_NEAR(m.largest_win, 50, 0);
    CHECK_NEAR(m.largest_loss, -20, 0);
    CHECK_NEAR(m.expectancy_r, 0.5, 1e-15);
    /* sd(R) = sqrt(8.5 / 4); SQN = sqrt(5) x 0.5 / sd. */
    CHECK(rel(m.sqn, 0.76696498884737041) < 1e-12);
    double w[2] = {10, 5}, wr[2] = {1, 0.5};
    eb_metrics_trades(w, wr, 2, &m);
    CHECK(isnan(m.profit_factor)); /* no losing trade */
    CHECK(isnan(m.largest_loss));
    eb_metrics_trades(NULL, NULL, 0, &m);
    CHECK(isnan(m.expectancy_r) && isnan(m.sqn) && isnan(m.win_rate));
}

TEST(bad_input_and_sort)
{
    int64_t t[2] = {0, DAY};
    double e[2] = {100, 0}, s[2];
    eb_equity_metrics_t m;
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 2, DAY, s, &m), -1);
    e[1] = 100;
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 1, DAY, s, &m), -1);
    CHECK_EQ_INT(eb_metrics_equity(t, e, NULL, 2, 0, s, &m), -1);
    double x[9] = {5, -1, 3, 3, 0, 9, -7, 2, 1}, want[9] = {-7, -1, 0, 1, 2, 3, 3, 5, 9};
    eb_metrics_sort(x, 9);
    for (int i = 0; i < 9; i++)
        CHECK_NEAR(x[i], want[i], 0);
}

int main(void)
{
    RUN(ratios_on_four_returns);
    RUN(drawdown_episodes);
    RUN(var_cvar_historical);
    RUN(trade_stats);
    RUN(bad_input_and_sort);
    return eb_check_report();
}
