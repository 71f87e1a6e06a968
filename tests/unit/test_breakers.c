/* Circuit breakers and UTC periods (SPEC section 7). Dates checked against a calendar: 2021-01-04 was a
 * Monday, 1970-01-01 a Thursday. */
#include "core/breakers.h"
#include "tests/support/check.h"

#define DAY 86400000LL
#define MON_2021_01_04 1609718400000LL

static const eb_breaker_params_t PRM = {.limit = {0.05, 0.10, 0.15}, .auto_reset = 0.5, .breakeven_alert = 0.5};

TEST(periods)
{
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_DAY, 0), 0);
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_WEEK, 0), 0); /* the ISO week of Monday 1969-12-29 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, 0), 0);
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_DAY, -1), -1);
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_WEEK, -1), 0);   /* Wednesday 1969-12-31: same week */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_WEEK, -3 * DAY - 1), -1); /* Sunday 1969-12-28 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, -1), -1);
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_DAY, MON_2021_01_04), 18631);
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_WEEK, MON_2021_01_04), 2662);     /* (18631 + 3) / 7 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_WEEK, MON_2021_01_04 - 1), 2661); /* Sunday 23:59:59.999 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, MON_2021_01_04), 612);     /* (2021-1970)*12 + 0 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, MON_2021_01_04 - 3 * DAY - 1), 611); /* 2020-12-31 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, 1614556800000LL), 614);   /* 2021-03-01 00:00 */
    CHECK_EQ_INT(eb_period_number(EB_PERIOD_MONTH, 1614556800000LL - 1), 613); /* 2021-02-28 23:59 */
    CHECK_EQ_STR(eb_period_name(EB_PERIOD_WEEK), "weekly");
}

TEST(daily_trip_and_auto_reset)
{
    eb_breakers_t b;
    eb_breakers_init(&b);
    int64_t t = MON_2021_01_04;
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t, 10000), 0);
    CHECK_EQ_INT(eb_breakers_emergency(&b, &PRM), 0);
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t + 1, 9760), 0); /* 2.4% < 2.5% alert */
    CHECK_EQ_INT(eb_breakers_emergency(&b, &PRM), 0);
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t + 2, 9750), 0); /* 2.5%: alert on, not tripped */
    CHECK_EQ_INT(eb_breakers_emergency(&b, &PRM), 1);
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t + 3, 9501), 0); /* 4.99% */
    eb_arming_t m = eb_breakers_update(&b, &PRM, t + 4, 9500);  /* 5%: trips */
    CHECK_EQ_INT(m, EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY));
    CHECK_EQ_INT(b.trips[EB_PERIOD_DAY], 1);
    CHECK_NEAR(b.drawdown[EB_PERIOD_DAY], 0.05, 1e-15);
    /* Recovery to 2.5% is not below 50% of the limit; 2.4% is. */
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t + 5, 9750), EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY));
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, t + 6, 9760), 0);
    CHECK_EQ_INT(b.trips[EB_PERIOD_DAY], 1);
}

TEST(roll_resets_and_weekly)
{
    eb_breakers_t b;
    eb_breakers_init(&b);
    int64_t mon = MON_2021_01_04, tue = mon + DAY;
    eb_breakers_update(&b, &PRM, mon, 10000);
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, mon + 1, 9500), EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY));
    /* New UTC day: the daily breaker resets and its peak is the equity at the roll; the week keeps 10000. */
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, tue, 9500), 0);
    CHECK_NEAR(b.peak[EB_PERIOD_DAY], 9500, 0);
    CHECK_NEAR(b.drawdown[EB_PERIOD_WEEK], 0.05, 1e-15);
    /* 9000: day (9500-9000)/9500 = 5.26% and week 10% both trip. */
    eb_arming_t m = eb_breakers_update(&b, &PRM, tue + 1, 9000);
    CHECK_EQ_INT(m, EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY) | EB_DISARM_BIT(EB_DISARM_BREAKER_WEEKLY));
    /* 9510: week 4.9% < 5% resets; the day has a new peak (dd 0). */
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, tue + 2, 9510), 0);
    CHECK_EQ_INT(b.trips[EB_PERIOD_WEEK], 1);
    CHECK_EQ_INT(b.trips[EB_PERIOD_DAY], 2);
    /* The week rolls on the next Monday: still tripped on Sunday night, reset at Monday 00:00. */
    eb_breakers_update(&b, &PRM, tue + 3, 9000); /* week 10% again */
    CHECK(b.tripped[EB_PERIOD_WEEK]);
    eb_breakers_update(&b, &PRM, mon + 7 * DAY - 1, 9000);
    CHECK(b.tripped[EB_PERIOD_WEEK]);
    eb_breakers_update(&b, &PRM, mon + 7 * DAY, 9000);
    CHECK(!b.tripped[EB_PERIOD_WEEK]);
    CHECK_NEAR(b.peak[EB_PERIOD_WEEK], 9000, 0);
}

TEST(monthly)
{
    eb_breakers_t b;
    eb_breakers_init(&b);
    int64_t t = 1612137600000LL; /* 2021-02-01 00:00 Monday */
    eb_breakers_update(&b, &PRM, t, 10000);
    /* 8500 spread over several days and weeks so only the month accumulates 15%. */
    eb_breakers_update(&b, &PRM, t + 1 * DAY, 9600);
    eb_breakers_update(&b, &PRM, t + 7 * DAY, 9200);
    eb_breakers_update(&b, &PRM, t + 14 * DAY, 8850);
    eb_arming_t m = eb_breakers_update(&b, &PRM, t + 21 * DAY, 8500);
    CHECK_EQ_INT(m, EB_DISARM_BIT(EB_DISARM_BREAKER_MONTHLY));
    /* 2021-03-01: the month rolls. */
    CHECK_EQ_INT(eb_breakers_update(&b, &PRM, 1614556800000LL, 8500), 0);
}

int main(void)
{
    RUN(periods);
    RUN(daily_trip_and_auto_reset);
    RUN(roll_resets_and_weekly);
    RUN(monthly);
    return eb_check_report();
}
