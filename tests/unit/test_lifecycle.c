/* Strategy lifecycle rules (SPEC section 9) on hand-made trade histories, every boundary on both sides. */
#include "core/calendar.h"
#include "core/lifecycle.h"
#include "tests/support/check.h"

#include <math.h>

#define DAY 86400000LL
static const int64_t JAN31 = 1612051200000LL; /* 2021-01-31T00:00:00Z */
static const int64_t FEB28 = 1614470400000LL; /* 2021-02-28T00:00:00Z (2021 is not a leap year) */

static eb_lc_trade_t tr[64];

/* n trades of r R each, one per day from `from`. */
static size_t fill(size_t at, size_t n, double r, int64_t from)
{
    for (size_t i = 0; i < n; i++) {
        tr[at + i].close_ms = from + (int64_t)(at + i) * DAY;
        tr[at + i].r = r;
    }
    return at + n;
}

static eb_lc_decision_t run(eb_lc_state_t st, int64_t since, int64_t now, size_t n, int validated, int consent)
{
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_input_t in = {.state = st, .since_ms = since, .now_ms = now, .validated = validated,
                        .operator_consent = consent};
    eb_lc_decision_t d;
    CHECK_EQ_INT(eb_lifecycle_decide(&p, &in, tr, n, &d), 0);
    return d;
}

TEST(calendar_months)
{
    CHECK_EQ_INT(eb_calendar_add_months(JAN31, 1), FEB28);
    CHECK_EQ_INT(eb_calendar_add_months(JAN31 + 3600000, 1), FEB28 + 3600000);
    CHECK_EQ_INT(eb_calendar_add_months(1580428800000LL, 1), 1582934400000LL); /* 2020-01-31 -> 02-29 */
    CHECK_EQ_INT(eb_calendar_add_months(1609459200000LL, 12), 1640995200000LL); /* 2021-01-01 -> 2022 */
    CHECK_EQ_INT(eb_calendar_add_months(1609459200000LL, -1), 1606780800000LL); /* -> 2020-12-01 */
    CHECK_EQ_INT(eb_calendar_add_months(951782400000LL, 12), 983318400000LL);   /* 2000-02-29 -> 2001-02-28 */
    eb_civil_t c = eb_calendar_from_ms(-1);                                     /* 1969-12-31T23:59:59.999 */
    CHECK_EQ_INT(c.year, 1969);
    CHECK_EQ_INT(c.month, 12);
    CHECK_EQ_INT(c.day, 31);
    CHECK_EQ_INT(c.ms_of_day, DAY - 1);
    CHECK_EQ_INT(eb_calendar_to_ms(&c), -1);
}

TEST(promotion_needs_ten_trades)
{
    int64_t now = JAN31 + 60 * DAY;
    size_t n = fill(0, 9, 1.0, JAN31);
    eb_lc_decision_t d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_FEW_TRADES);
    CHECK_EQ_INT(d.trades, 9);
    n = fill(n, 1, 1.0, JAN31);
    d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
    CHECK_EQ_INT(d.next, EB_LC_PRODUCTION);
    CHECK_EQ_INT(d.reason, EB_LC_R_CRITERIA_MET);
}

TEST(promotion_expectancy_boundary)
{
    int64_t now = JAN31 + 60 * DAY;
    size_t n = fill(0, 10, 0.01, JAN31); /* exactly 0.01R qualifies */
    eb_lc_decision_t d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
    CHECK_NEAR(d.expectancy, 0.01, 1e-15);
    n = fill(0, 10, 0.0099, JAN31);
    d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.reason, EB_LC_R_LOW_EXPECTANCY);
}

/* Only the last 30 trades count: ten early disasters fall out of the window. */
TEST(promotion_uses_last_30_trades)
{
    int64_t now = JAN31 + 60 * DAY;
    size_t n = fill(0, 10, -5.0, JAN31);
    n = fill(n, 30, 0.02, JAN31);
    eb_lc_decision_t d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
    CHECK_EQ_INT(d.trades, 40);
    CHECK_NEAR(d.expectancy, 0.02, 1e-12);
    n = fill(0, 11, 3.0, JAN31);          /* trade 0 is out of the window; trades 1..10 are +3R */
    n = fill(n, 20, -1.5, JAN31);         /* 10*3 - 20*1.5 = 0 -> below 0.01 */
    d = run(EB_LC_INCUBATION, JAN31, now, n, 0, 1);
    CHECK_EQ_INT(d.reason, EB_LC_R_LOW_EXPECTANCY);
    CHECK_NEAR(d.expectancy, 0.0, 1e-12);
}

TEST(promotion_needs_one_month)
{
    size_t n = fill(0, 10, 1.0, JAN31);
    int64_t start = JAN31 - DAY;          /* trades close from Jan 31 on; incubation began Jan 30 */
    int64_t due = eb_calendar_add_months(start, 1);
    CHECK_EQ_INT(due, FEB28);             /* Jan 30 + 1 month = Feb 28 (clamped) */
    n = fill(0, 10, 1.0, start);
    eb_lc_decision_t d = run(EB_LC_INCUBATION, start, due - 1, n, 0, 1);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_SOON);
    CHECK_EQ_INT(d.eligible_ms, due);
    d = run(EB_LC_INCUBATION, start, due, n, 0, 1);
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
}

TEST(promotion_needs_consent)
{
    size_t n = fill(0, 12, 0.5, JAN31);
    eb_lc_decision_t d = run(EB_LC_INCUBATION, JAN31, JAN31 + 40 * DAY, n, 1, 0);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    CHECK_EQ_INT(d.reason, EB_LC_R_AWAITING_CONSENT);
    CHECK_EQ_INT(d.next, EB_LC_INCUBATION);
}

/* Trades from before the state began (the backtest) or after "now" do not count. */
TEST(only_trades_of_the_current_state_count)
{
    size_t n = fill(0, 20, 1.0, JAN31);   /* closes Jan 31 .. Feb 19 */
    int64_t since = JAN31 + 11 * DAY;     /* 9 trades from here */
    eb_lc_decision_t d = run(EB_LC_INCUBATION, since, since + 60 * DAY, n, 0, 1);
    CHECK_EQ_INT(d.trades, 9);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_FEW_TRADES);
    d = run(EB_LC_INCUBATION, JAN31, JAN31 + 8 * DAY, n, 0, 1);
    CHECK_EQ_INT(d.trades, 9);
}

TEST(candidate_needs_validation)
{
    size_t n = fill(0, 30, 0.2, JAN31);
    eb_lc_decision_t d = run(EB_LC_CANDIDATE, JAN31, JAN31 + 30 * DAY, n, 0, 1);
    CHECK_EQ_INT(d.reason, EB_LC_R_NOT_VALIDATED);
    d = run(EB_LC_CANDIDATE, JAN31, JAN31 + 30 * DAY, n, 1, 0); /* no time rule, no consent needed */
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
    CHECK_EQ_INT(d.next, EB_LC_INCUBATION);
    n = fill(0, 30, -0.2, JAN31);
    d = run(EB_LC_CANDIDATE, JAN31, JAN31 + 30 * DAY, n, 1, 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_LOW_EXPECTANCY);
}

TEST(gravedigger_boundaries)
{
    int64_t since = JAN31;
    int64_t due = eb_calendar_add_months(since, 3); /* Apr 30 */
    CHECK_EQ_INT(due, 1619740800000LL);
    size_t n = fill(0, 10, -1.0, since);
    eb_lc_decision_t d = run(EB_LC_PRODUCTION, since, due - 1, n, 0, 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_SOON);      /* bad results, but not 3 months yet */
    d = run(EB_LC_PRODUCTION, since, due, n, 0, 0);
    CHECK_EQ_INT(d.action, EB_LC_DEMOTE);
    CHECK_EQ_INT(d.next, EB_LC_INCUBATION);
    n = fill(0, 9, -1.0, since);
    d = run(EB_LC_PRODUCTION, since, due, n, 0, 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_FEW_TRADES);
    n = fill(0, 5, 0.5, since);                    /* expectancy exactly 0 -> demote (<= 0) */
    n = fill(n, 5, -0.5, since);
    d = run(EB_LC_PRODUCTION, since, due, n, 0, 0);
    CHECK_EQ_INT(d.action, EB_LC_DEMOTE);
    tr[9].r = -0.49;                               /* expectancy +0.001 -> healthy */
    d = run(EB_LC_PRODUCTION, since, due, n, 0, 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_HEALTHY);
    n = fill(0, 10, -2.0, since);                  /* window: early losses fall out */
    n = fill(n, 30, 0.1, since);
    d = run(EB_LC_PRODUCTION, since, due + 30 * DAY, n, 0, 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_HEALTHY);
}

TEST(retired_and_bad_input)
{
    size_t n = fill(0, 10, -1.0, JAN31);
    eb_lc_decision_t d = run(EB_LC_RETIRED, JAN31, JAN31 + 400 * DAY, n, 1, 1);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    CHECK_EQ_INT(d.reason, EB_LC_R_RETIRED);
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_input_t in = {.state = (eb_lc_state_t)7, .since_ms = JAN31, .now_ms = JAN31 + 400 * DAY};
    CHECK_EQ_INT(eb_lifecycle_decide(&p, &in, tr, n, &d), -1);
    CHECK_EQ_INT(d.reason, EB_LC_R_BAD_INPUT);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    in.state = EB_LC_PRODUCTION;
    tr[3].r = NAN;
    CHECK_EQ_INT(eb_lifecycle_decide(&p, &in, tr, n, &d), -1);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    tr[3].r = -1.0;
    p.window = 0;
    CHECK_EQ_INT(eb_lifecycle_decide(&p, &in, tr, n, &d), -1);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    CHECK_EQ_STR(eb_lc_state_name(EB_LC_INCUBATION), "incubation");
    CHECK_EQ_STR(eb_lc_action_name(EB_LC_DEMOTE), "demote");
    CHECK(strstr(eb_lc_reason_text(EB_LC_R_AWAITING_CONSENT), "consent") != NULL);
}

int main(void)
{
    RUN(calendar_months);
    RUN(promotion_needs_ten_trades);
    RUN(promotion_expectancy_boundary);
    RUN(promotion_uses_last_30_trades);
    RUN(promotion_needs_one_month);
    RUN(promotion_needs_consent);
    RUN(only_trades_of_the_current_state_count);
    RUN(candidate_needs_validation);
    RUN(gravedigger_boundaries);
    RUN(retired_and_bad_input);
    return eb_check_report();
}
