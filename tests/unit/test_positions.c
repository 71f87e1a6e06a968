/* Stop rules of SPEC section 7 on hand-computed prices. */
#include "core/position.h"
#include "tests/support/check.h"

static eb_bar_t B(double o, double h, double l, double c) { return (eb_bar_t){0, o, h, l, c, 1}; }

TEST(initial_stop_and_r)
{
    eb_position_t p;
    eb_position_open(&p, 1, 100, 3, 2);
    CHECK_NEAR(p.stop, 98, 0);
    CHECK_NEAR(eb_position_r(&p, 103), 1.5, 1e-15);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_INITIAL);
    eb_position_open(&p, -1, 100, 3, 2);
    CHECK_NEAR(p.stop, 102, 0);
    CHECK_NEAR(eb_position_r(&p, 97), 1.5, 1e-15);
}

TEST(breakeven_price_covers_fees)
{
    eb_position_t p;
    eb_position_open(&p, 1, 100, 1, 2);
    /* 100 x 1.0005 / 0.9995: selling there nets 100 x 1.0005, what the entry cost with its fee. */
    CHECK_NEAR(eb_position_breakeven_price(&p, 5), 100.10005002501251, 1e-12);
    CHECK_NEAR(eb_position_breakeven_price(&p, 0), 100, 0);
    eb_position_open(&p, -1, 100, 1, 2);
    CHECK_NEAR(eb_position_breakeven_price(&p, 5), 99.900049975012494, 1e-12);
}

TEST(long_breakeven_then_trail)
{
    eb_position_t p;
    eb_stop_rules_t r = {.fee_bps = 5, .trail_distance = 3, .emergency = 0};
    eb_position_open(&p, 1, 100, 1, 2);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 101), 0); /* +0.5R */
    CHECK_NEAR(p.stop, 98, 0);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 102), 1); /* +1R: break-even plus fees */
    CHECK_NEAR(p.stop, 100.10005002501251, 1e-12);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_BREAKEVEN);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 103.9), 0); /* +1.95R: no trail yet */
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 104), 1);   /* +2R: 104 - 3 = 101 */
    CHECK_NEAR(p.stop, 101, 1e-12);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_TRAILING);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 103.5), 0); /* 100.5 would loosen: only tightening */
    CHECK_NEAR(p.stop, 101, 1e-12);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 103.8), 0); /* 100.8 < 101: still no loosening */
    CHECK_NEAR(p.stop, 101, 1e-12);
}

TEST(trail_keeps_following)
{
    eb_position_t p;
    eb_stop_rules_t r = {.fee_bps = 0, .trail_distance = 3, .emergency = 0};
    eb_position_open(&p, 1, 100, 1, 2);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 104), 1); /* BE 100 and trail 101: the trail is tighter */
    CHECK_NEAR(p.stop, 101, 0);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_TRAILING);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 106), 1);
    CHECK_NEAR(p.stop, 103, 0);
    /* Once active the trail follows below +2R too (close 106.5 -> 103.5 > 103). */
    r.trail_distance = 3;
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 106.5), 1);
    CHECK_NEAR(p.stop, 103.5, 0);
    /* No trailing without a defined ATR (NaN distance). */
    r.trail_distance = NAN;
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 120), 0);
}

TEST(short_side)
{
    eb_position_t p;
    eb_stop_rules_t r = {.fee_bps = 5, .trail_distance = 3, .emergency = 0};
    eb_position_open(&p, -1, 100, 1, 2);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 98), 1); /* +1R */
    CHECK_NEAR(p.stop, 99.900049975012494, 1e-12);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 96), 1); /* +2R: 96 + 3 = 99 */
    CHECK_NEAR(p.stop, 99, 1e-12);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_TRAILING);
}

TEST(emergency_breakeven)
{
    eb_position_t p;
    eb_stop_rules_t r = {.fee_bps = 5, .trail_distance = 3, .emergency = 1};
    eb_position_open(&p, 1, 100, 1, 2);
    /* Below the fee-covering break-even (100.10005) the position is not "in profit": nothing moves. */
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 100.05), 0);
    /* +0.25R and in profit after fees: the stop jumps to break-even though +1R was never reached. */
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 100.5), 1);
    CHECK_NEAR(p.stop, 100.10005002501251, 1e-12);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_EMERGENCY_BREAKEVEN);
    CHECK_EQ_STR(eb_stop_kind_name(p.stop_kind), "emergency_breakeven");
    /* At +1R with the alert on, the same price is named after the higher-ranked rule. */
    eb_position_open(&p, 1, 100, 1, 2);
    CHECK_EQ_INT(eb_position_manage_stop(&p, &r, 102), 1);
    CHECK_EQ_INT(p.stop_kind, EB_STOP_EMERGENCY_BREAKEVEN);
    CHECK_EQ_INT(eb_exit_reason_for_stop(p.stop_kind), EB_EXIT_EMERGENCY_BREAKEVEN);
}

TEST(stop_hit_in_bar)
{
    eb_position_t p;
    double fill = 0;
    eb_bar_t b;
    eb_position_open(&p, 1, 100, 1, 2); /* stop 98 */
    b = B(99, 100, 98.01, 99);
    CHECK_EQ_INT(eb_position_stop_hit(&p, &b, &fill), 0);
    b = B(99, 100, 98, 99); /* touch counts */
    CHECK_EQ_INT(eb_position_stop_hit(&p, &b, &fill), 1);
    CHECK_NEAR(fill, 98, 0);
    b = B(97, 99, 96, 98.5); /* opened through the stop: fills at the open */
    CHECK_EQ_INT(eb_position_stop_hit(&p, &b, &fill), 1);
    CHECK_NEAR(fill, 97, 0);
    eb_position_open(&p, -1, 100, 1, 2); /* stop 102 */
    b = B(101, 102, 100, 101);
    CHECK_EQ_INT(eb_position_stop_hit(&p, &b, &fill), 1);
    CHECK_NEAR(fill, 102, 0);
    b = B(103, 104, 100, 101);
    CHECK_EQ_INT(eb_position_stop_hit(&p, &b, &fill), 1);
    CHECK_NEAR(fill, 103, 0);
}

TEST(partial_exit)
{
    eb_position_t p;
    eb_position_open(&p, 1, 100, 1, 2);
    CHECK_EQ_INT(eb_position_partial_due(&p, 1.5, 102.9), 0);
    CHECK_EQ_INT(eb_position_partial_due(&p, 1.5, 103), 1);
    p.partial_done = 1;
    CHECK_EQ_INT(eb_position_partial_due(&p, 1.5, 110), 0);
}

int main(void)
{
    RUN(initial_stop_and_r);
    RUN(breakeven_price_covers_fees);
    RUN(long_breakeven_then_trail);
    RUN(trail_keeps_following);
    RUN(short_side);
    RUN(emergency_breakeven);
    RUN(stop_hit_in_bar);
    RUN(partial_exit);
    return eb_check_report();
}
