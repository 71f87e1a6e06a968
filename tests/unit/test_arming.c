#include "core/arming.h"
#include "tests/support/check.h"

TEST(names_round_trip)
{
    for (int i = 0; i < (int)EB_DISARM_COUNT; i++) {
        const char *n = eb_disarm_reason_name((eb_disarm_reason_t)i);
        eb_disarm_reason_t r = EB_DISARM_COUNT;
        CHECK(n != NULL);
        CHECK_EQ_INT(eb_disarm_reason_from_name(n, &r), 0);
        CHECK_EQ_INT(r, i);
    }
    CHECK_EQ_STR(eb_disarm_reason_name(EB_DISARM_KILL_SWITCH), "kill_switch");
    CHECK_EQ_STR(eb_disarm_reason_name(EB_DISARM_BREAKER_WEEKLY), "breaker_weekly");
    CHECK(eb_disarm_reason_name(EB_DISARM_COUNT) == NULL);
    CHECK_EQ_INT(eb_disarm_reason_from_name("killswitch", NULL), -1);
    CHECK_EQ_INT(eb_disarm_reason_from_name(NULL, NULL), -1);
}

TEST(bits)
{
    eb_arming_t m = 0;
    CHECK(eb_arming_is_armed(m));
    m = eb_arming_set(m, EB_DISARM_STALE_DATA);
    m = eb_arming_set(m, EB_DISARM_KILL_SWITCH);
    CHECK(!eb_arming_is_armed(m));
    CHECK(eb_arming_has(m, EB_DISARM_STALE_DATA));
    CHECK(!eb_arming_has(m, EB_DISARM_CLOCK));
    CHECK_EQ_INT(eb_arming_first(m), EB_DISARM_KILL_SWITCH);
    m = eb_arming_clear(m, EB_DISARM_KILL_SWITCH);
    CHECK_EQ_INT(eb_arming_first(m), EB_DISARM_STALE_DATA);
    m = eb_arming_clear(m, EB_DISARM_STALE_DATA);
    CHECK(eb_arming_is_armed(m));
    CHECK_EQ_INT(eb_arming_first(m), EB_DISARM_COUNT);
    CHECK_EQ_INT(EB_DISARM_BREAKERS, 0x1c);
}

TEST(format)
{
    char buf[64];
    eb_arming_t m = EB_DISARM_BIT(EB_DISARM_NO_MODEL) | EB_DISARM_BIT(EB_DISARM_MASTER_SWITCH);
    CHECK_EQ_INT(eb_arming_format(m, buf, sizeof buf), 22);
    CHECK_EQ_STR(buf, "master_switch,no_model");
    CHECK_EQ_INT(eb_arming_format(0, buf, sizeof buf), 0);
    CHECK_EQ_STR(buf, "");
    /* Too small for both: only whole names are written. */
    CHECK_EQ_INT(eb_arming_format(m, buf, 16), 22);
    CHECK_EQ_STR(buf, "master_switch");
    CHECK_EQ_INT(eb_arming_format(m, buf, 5), 22);
    CHECK_EQ_STR(buf, "");
    CHECK_EQ_INT(eb_arming_format(m, NULL, 0), 22);
}

int main(void)
{
    RUN(names_round_trip);
    RUN(bits);
    RUN(format);
    return eb_check_report();
}
