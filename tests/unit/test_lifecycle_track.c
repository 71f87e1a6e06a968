/* The box's lifecycle tracker (core/lifecycle_track.h): its fixed ring gives the decisions the rule
 * function gives on the full trade history, promotions and demotions restart the state, bad parameters
 * are refused. */
#include "core/lifecycle_track.h"
#include "tests/support/check.h"

#define DAY 86400000LL
static const int64_t T0 = 1609459200000LL; /* 2021-01-01T00:00:00Z */

static eb_lc_trade_t hist[400];

/* n trades, one every 12 hours from T0, R cycling through a pattern with a positive mean. */
static void history(size_t n)
{
    static const double r[] = {2.5, -1, -1, 0.4, 3.1, -1, 1.2, -0.3};
    for (size_t i = 0; i < n; i++)
        hist[i] = (eb_lc_trade_t){T0 + (int64_t)(i + 1) * DAY / 2, r[i % 8] + 0.001 * (double)(i % 7)};
}

static int same(const eb_lc_decision_t *a, const eb_lc_decision_t *b)
{
    return a->action == b->action && a->next == b->next && a->reason == b->reason && a->trades == b->trades &&
           a->expectancy == b->expectancy && a->eligible_ms == b->eligible_ms;
}

TEST(ring_decides_as_the_full_history)
{
    history(400);
    eb_lc_params_t p = eb_lc_params_default();
    const eb_lc_state_t states[] = {EB_LC_INCUBATION, EB_LC_PRODUCTION, EB_LC_CANDIDATE};
    int compared = 0, differ = 0;
    for (size_t s = 0; s < 3; s++) {
        eb_lc_track_t t;
        eb_lc_track_init(&t, states[s], T0);
        for (size_t n = 1; n <= 400; n++) {
            eb_lc_track_add(&t, hist[n - 1].close_ms, hist[n - 1].r);
            int64_t now = hist[n - 1].close_ms;
            for (int consent = 0; consent < 2; consent++) {
                eb_lc_input_t in = {.state = states[s], .since_ms = T0, .now_ms = now, .validated = 1,
                                    .operator_consent = consent};
                eb_lc_decision_t full, ring;
                CHECK_EQ_INT(eb_lifecycle_decide(&p, &in, hist, n, &full), 0);
                CHECK_EQ_INT(eb_lc_track_decide(&t, &p, now, 1, consent, &ring), 0);
                differ += !same(&full, &ring);
                compared++;
            }
        }
    }
    CHECK_EQ_INT(compared, 2400);
    CHECK_EQ_INT(differ, 0);
}

TEST(counts_beyond_the_ring)
{
    history(200);
    eb_lc_track_t t;
    eb_lc_track_init(&t, EB_LC_INCUBATION, T0);
    for (size_t i = 0; i < 200; i++)
        eb_lc_track_add(&t, hist[i].close_ms, hist[i].r);
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_decision_t d;
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, hist[199].close_ms, 1, 1, &d), 0);
    CHECK_EQ_INT(d.trades, 200);
    double sum = 0;
    for (size_t i = 170; i < 200; i++)
        sum += hist[i].r;
    CHECK(d.expectancy == sum / 30);
}

TEST(trades_before_the_state_are_ignored)
{
    eb_lc_track_t t;
    eb_lc_track_init(&t, EB_LC_INCUBATION, T0 + 10 * DAY);
    eb_lc_track_add(&t, T0 + 9 * DAY, 5.0); /* closed before incubation began */
    eb_lc_track_add(&t, T0 + 10 * DAY, -1.0);
    CHECK(t.count == 1);
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_decision_t d;
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, T0 + 11 * DAY, 1, 1, &d), 0);
    CHECK_EQ_INT(d.trades, 1);
    CHECK(d.expectancy == -1.0);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_FEW_TRADES);
}

/* Twelve 0.5R trades over 40 days of incubation: promotion with consent, then production starts afresh. */
TEST(promotion_restarts_the_state)
{
    eb_lc_track_t t;
    eb_lc_track_init(&t, EB_LC_INCUBATION, T0);
    for (int i = 1; i <= 12; i++)
        eb_lc_track_add(&t, T0 + i * 3 * DAY, 0.5);
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_decision_t d;
    int64_t now = T0 + 40 * DAY;
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, now, 1, 0, &d), 0);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    CHECK_EQ_INT(d.reason, EB_LC_R_AWAITING_CONSENT);
    eb_lc_track_apply(&t, &d, now);
    CHECK(t.state == EB_LC_INCUBATION && t.count == 12 && t.since_ms == T0);
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, now, 1, 1, &d), 0);
    CHECK_EQ_INT(d.action, EB_LC_PROMOTE);
    eb_lc_track_apply(&t, &d, now);
    CHECK(t.state == EB_LC_PRODUCTION && t.count == 0 && t.since_ms == now);
    /* In production the gravedigger needs 3 months and 10 trades: 10 losing trades after 95 days demote. */
    for (int i = 1; i <= 10; i++)
        eb_lc_track_add(&t, now + i * 9 * DAY, -0.2);
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, now + 80 * DAY, 1, 0, &d), 0);
    CHECK_EQ_INT(d.reason, EB_LC_R_TOO_SOON);
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, now + 95 * DAY, 1, 0, &d), 0);
    CHECK_EQ_INT(d.action, EB_LC_DEMOTE);
    CHECK_EQ_INT(d.next, EB_LC_INCUBATION);
    eb_lc_track_apply(&t, &d, now + 95 * DAY);
    CHECK(t.state == EB_LC_INCUBATION && t.count == 0);
}

TEST(bad_parameters_are_refused)
{
    eb_lc_track_t t;
    eb_lc_track_init(&t, EB_LC_INCUBATION, T0);
    eb_lc_track_add(&t, T0 + DAY, 1.0);
    eb_lc_track_t before = t;
    eb_lc_params_t p = eb_lc_params_default();
    eb_lc_decision_t d;
    p.window = EB_LC_TRACK_MAX + 1;
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, T0 + 2 * DAY, 1, 1, &d), -1);
    CHECK_EQ_INT(d.reason, EB_LC_R_BAD_INPUT);
    CHECK_EQ_INT(d.action, EB_LC_HOLD);
    p = eb_lc_params_default();
    p.min_trades = 0;
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, T0 + 2 * DAY, 1, 1, &d), -1);
    CHECK_EQ_INT(d.reason, EB_LC_R_BAD_INPUT);
    eb_lc_track_add(&t, T0 + 3 * DAY, NAN);
    p = eb_lc_params_default();
    CHECK_EQ_INT(eb_lc_track_decide(&t, &p, T0 + 4 * DAY, 1, 1, &d), -1);
    CHECK(memcmp(&before.ring[0], &t.ring[0], sizeof t.ring[0]) == 0); /* deciding changes nothing */
}

int main(void)
{
    RUN(ring_decides_as_the_full_history);
    RUN(counts_beyond_the_ring);
    RUN(trades_before_the_state_are_ignored);
    RUN(promotion_restarts_the_state);
    RUN(bad_parameters_are_refused);
    return eb_check_report();
}
