/* Kill-switch button: debounce (clean edges, bounce trains, glitches), wiring, the latch of SPEC
 * section 9 (release never re-arms; long press after a release, or the API), start-up, deadlines. */
#include "hal/logic/button.h"
#include "../support/check.h"

#include <stdint.h>

#define UP 1   /* normally open with pull-up: released reads high */
#define DOWN 0

static eb_button_t b;
static const eb_button_config_t cfg = {EB_BUTTON_NORMALLY_OPEN, 20, 3000};

/* Feeds (time, level) pairs; returns the OR of the events. */
static int feed(const int64_t (*seq)[2], size_t n)
{
    int ev = 0;
    for (size_t i = 0; i < n; i++)
        ev |= eb_button_sample(&b, (int)seq[i][1], seq[i][0]);
    return ev;
}

static void start_armed(void) { CHECK_EQ_INT(eb_button_init(&b, &cfg, 0, UP, 0), 0); }

/* From armed: a clean press at t and release at t2 leaves it latched (state LATCHED). */
static void latch_and_release(int64_t t, int64_t t2)
{
    CHECK(eb_button_sample(&b, DOWN, t) == 0);
    CHECK(eb_button_tick(&b, t + 20) & EB_BUTTON_EV_LATCHED);
    eb_button_sample(&b, UP, t2);
    CHECK(eb_button_tick(&b, t2 + 20) & EB_BUTTON_EV_RELEASE);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED);
}

TEST(clean_press_latches_after_debounce)
{
    start_armed();
    CHECK_EQ_INT(eb_button_sample(&b, DOWN, 1000), 0);
    CHECK_EQ_INT(eb_button_deadline(&b), 1020);
    CHECK_EQ_INT(eb_button_tick(&b, 1019), 0); /* 1 ms short */
    CHECK(!eb_button_latched(&b));
    CHECK_EQ_INT(eb_button_tick(&b, 1020), EB_BUTTON_EV_PRESS | EB_BUTTON_EV_LATCHED);
    CHECK(eb_button_latched(&b));
    CHECK(eb_button_pressed(&b));
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED_HELD);
    CHECK_EQ_INT(eb_button_deadline(&b), INT64_MAX);
    CHECK_EQ_INT(eb_button_tick(&b, 5000), 0); /* latching reports once */
}

/* Contacts bounce for a few ms when they close: one press, timed from the last bounce. */
TEST(bounce_train_on_press)
{
    start_armed();
    static const int64_t seq[][2] = {{100, DOWN}, {101, UP}, {103, DOWN}, {104, UP}, {107, DOWN},
                                     {109, UP},   {110, DOWN}};
    CHECK_EQ_INT(feed(seq, sizeof seq / sizeof seq[0]), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 125), 0);  /* 20 ms after the FIRST edge: still bouncing history */
    CHECK_EQ_INT(eb_button_deadline(&b), 130);
    CHECK_EQ_INT(eb_button_tick(&b, 129), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 130), EB_BUTTON_EV_PRESS | EB_BUTTON_EV_LATCHED);
    /* the release bounces too: released once, still latched */
    static const int64_t rel[][2] = {{900, UP}, {901, DOWN}, {902, UP}, {905, DOWN}, {906, UP}};
    CHECK_EQ_INT(feed(rel, sizeof rel / sizeof rel[0]), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 926), EB_BUTTON_EV_RELEASE);
    CHECK(eb_button_latched(&b));
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED);
}

/* A spike shorter than the debounce time is not a press; one exactly as long is. */
TEST(glitches_are_ignored)
{
    start_armed();
    static const int64_t spike[][2] = {{50, DOWN}, {69, UP}};
    CHECK_EQ_INT(feed(spike, 2), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 10000), 0);
    CHECK(!eb_button_latched(&b));
    CHECK_EQ_INT(eb_button_deadline(&b), INT64_MAX);
    /* sampled only at edges: the level held 20 ms by the time of the next edge */
    static const int64_t held[][2] = {{20000, DOWN}, {20020, UP}};
    CHECK(feed(held, 2) & EB_BUTTON_EV_LATCHED);
}

TEST(release_never_rearms)
{
    start_armed();
    latch_and_release(100, 500);
    for (int64_t t = 600; t < 100000; t += 1000)
        CHECK_EQ_INT(eb_button_tick(&b, t), 0);
    CHECK(eb_button_latched(&b));
}

/* The press that latched, held for longer than a long press, does not re-arm on its release. */
TEST(latching_press_does_not_count)
{
    start_armed();
    eb_button_sample(&b, DOWN, 0);
    eb_button_tick(&b, 20);
    CHECK_EQ_INT(eb_button_tick(&b, 10000), 0);
    eb_button_sample(&b, UP, 10000);
    CHECK_EQ_INT(eb_button_tick(&b, 10020), EB_BUTTON_EV_RELEASE);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED);
}

TEST(long_press_then_release_rearms)
{
    start_armed();
    latch_and_release(100, 500);
    eb_button_sample(&b, DOWN, 2000);
    CHECK_EQ_INT(eb_button_tick(&b, 2020), EB_BUTTON_EV_PRESS);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_REARM_TIMING);
    CHECK_EQ_INT(eb_button_deadline(&b), 5000); /* timed from the first stable sample */
    CHECK_EQ_INT(eb_button_tick(&b, 4999), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 5000), EB_BUTTON_EV_REARM_READY);
    CHECK(eb_button_latched(&b)); /* still latched while held */
    CHECK_EQ_INT(eb_button_tick(&b, 60000), 0);
    CHECK(eb_button_latched(&b));
    eb_button_sample(&b, UP, 60000);
    CHECK_EQ_INT(eb_button_tick(&b, 60020), EB_BUTTON_EV_RELEASE | EB_BUTTON_EV_REARMED);
    CHECK(!eb_button_latched(&b));
    /* and a new press latches again */
    eb_button_sample(&b, DOWN, 70000);
    CHECK(eb_button_tick(&b, 70020) & EB_BUTTON_EV_LATCHED);
}

TEST(short_press_does_not_rearm)
{
    start_armed();
    latch_and_release(100, 500);
    eb_button_sample(&b, DOWN, 2000);
    eb_button_tick(&b, 2020);
    eb_button_sample(&b, UP, 4990); /* 2990 ms: 10 ms short */
    CHECK_EQ_INT(eb_button_tick(&b, 5010), EB_BUTTON_EV_RELEASE);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED);
    /* a second long press afterwards still works */
    eb_button_sample(&b, DOWN, 6000);
    eb_button_tick(&b, 6020);
    CHECK_EQ_INT(eb_button_tick(&b, 9000), EB_BUTTON_EV_REARM_READY);
}

/* A release glitch during the long press neither ends it nor restarts its timer; a real release does. */
TEST(bounce_during_long_press)
{
    start_armed();
    latch_and_release(100, 500);
    eb_button_sample(&b, DOWN, 1000);
    eb_button_tick(&b, 1020);
    static const int64_t glitch[][2] = {{2500, UP}, {2510, DOWN}};
    CHECK_EQ_INT(feed(glitch, 2), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 4000), EB_BUTTON_EV_REARM_READY);
    /* start over: a real release (>= debounce) in the middle resets the count */
    eb_button_sample(&b, UP, 5000);
    CHECK_EQ_INT(eb_button_tick(&b, 5020), EB_BUTTON_EV_RELEASE | EB_BUTTON_EV_REARMED);
    latch_and_release(6000, 6500);
    eb_button_sample(&b, DOWN, 7000);
    eb_button_tick(&b, 7020);
    eb_button_sample(&b, UP, 8000);
    eb_button_tick(&b, 8020);
    eb_button_sample(&b, DOWN, 8100);
    eb_button_tick(&b, 8120);
    CHECK_EQ_INT(eb_button_tick(&b, 10000), 0); /* 3000 ms after 7000, but only 1900 after 8100 */
    CHECK_EQ_INT(eb_button_tick(&b, 11100), EB_BUTTON_EV_REARM_READY);
}

/* Releasing after the long press bounces: re-armed once, when the release is stable. */
TEST(bounce_on_rearm_release)
{
    start_armed();
    latch_and_release(100, 500);
    eb_button_sample(&b, DOWN, 1000);
    eb_button_tick(&b, 1020);
    eb_button_tick(&b, 4000);
    static const int64_t rel[][2] = {{5000, UP}, {5002, DOWN}, {5004, UP}, {5005, DOWN}};
    CHECK_EQ_INT(feed(rel, 4), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 5100), 0); /* settled down again: still latched */
    CHECK(eb_button_latched(&b));
    eb_button_sample(&b, UP, 6000);
    CHECK_EQ_INT(eb_button_tick(&b, 6019), 0);
    CHECK_EQ_INT(eb_button_tick(&b, 6020), EB_BUTTON_EV_RELEASE | EB_BUTTON_EV_REARMED);
}

TEST(normally_closed_wiring)
{
    eb_button_config_t nc = cfg;
    nc.wiring = EB_BUTTON_NORMALLY_CLOSED;
    CHECK_EQ_INT(eb_button_init(&b, &nc, 0, 0, 0), 0); /* closed contact pulls low: released */
    CHECK_EQ_INT(eb_button_sample(&b, 0, 100), 0);
    eb_button_sample(&b, 1, 200);                       /* opened (or a cut wire): pressed */
    CHECK(eb_button_tick(&b, 220) & EB_BUTTON_EV_LATCHED);
    /* a normally open button at the same levels would not latch */
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 0, 1, 0), 0);
    eb_button_sample(&b, 1, 200);
    CHECK_EQ_INT(eb_button_tick(&b, 220), 0);
}

TEST(start_up)
{
    /* held at start-up: latched at once, before any debounce */
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 0, DOWN, 0), EB_BUTTON_EV_LATCHED);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED_HELD);
    /* latched in the journal, released: stays latched */
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 1, UP, 0), 0);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED);
    CHECK(eb_button_latched(&b));
    /* latched in the journal and held: no new latch event, must be released first */
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 1, DOWN, 0), 0);
    CHECK_EQ_INT(eb_button_state(&b), EB_KILL_LATCHED_HELD);
    CHECK_EQ_INT(eb_button_tick(&b, 10000), 0); /* holding it does not count as a long press */
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_PRESSED);
    /* armed and released */
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 0, UP, 0), 0);
    CHECK(!eb_button_latched(&b));
}

TEST(api_rearm)
{
    start_armed();
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_NOT_LATCHED);
    eb_button_sample(&b, DOWN, 100);
    eb_button_tick(&b, 120);
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_PRESSED); /* held */
    eb_button_sample(&b, UP, 500);
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_PRESSED); /* release not yet debounced */
    eb_button_tick(&b, 520);
    eb_button_sample(&b, DOWN, 600);
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_PRESSED); /* a press is starting */
    eb_button_sample(&b, UP, 610);
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_OK);
    CHECK(!eb_button_latched(&b));
    CHECK_EQ_INT(eb_button_rearm(&b), EB_BUTTON_REARM_NOT_LATCHED);
}

TEST(zero_debounce)
{
    eb_button_config_t c = cfg;
    c.debounce_ms = 0;
    eb_button_init(&b, &c, 0, UP, 0);
    CHECK_EQ_INT(eb_button_sample(&b, DOWN, 5), EB_BUTTON_EV_PRESS | EB_BUTTON_EV_LATCHED);
}

/* Random bounce: runs all shorter than the debounce time never change anything, whatever the pattern;
 * and no sequence of samples without a >= long_press stable press after a release ever re-arms. */
TEST(random_sequences)
{
    uint32_t s = 12345;
    for (int trial = 0; trial < 2000; trial++) {
        eb_button_init(&b, &cfg, trial & 1, UP, 0);
        int64_t t = 0;
        int level = UP, ev = 0;
        for (int i = 0; i < 200; i++) {
            s = s * 1103515245u + 12345u;
            t += 1 + (int64_t)((s >> 16) % 19); /* 1..19 ms: always shorter than 20 */
            level = !level;
            ev |= eb_button_sample(&b, level, t);
        }
        eb_button_sample(&b, UP, t + 1);
        ev |= eb_button_tick(&b, t + 1000);
        CHECK_EQ_INT(ev, 0);
        CHECK_EQ_INT(eb_button_latched(&b), trial & 1);
    }
    /* presses shorter than long_press_ms (but debounced) never re-arm */
    eb_button_init(&b, &cfg, 1, UP, 0);
    int64_t t = 0;
    int ev = 0;
    for (int i = 0; i < 5000; i++) {
        s = s * 1103515245u + 12345u;
        t += 20 + (int64_t)((s >> 16) % 2960); /* 20..2979 ms */
        ev |= eb_button_sample(&b, i & 1 ? UP : DOWN, t);
    }
    CHECK(!(ev & (EB_BUTTON_EV_REARMED | EB_BUTTON_EV_REARM_READY)));
    CHECK(eb_button_latched(&b));
}

TEST(config)
{
    char err[256] = "";
    eb_button_config_t c = eb_button_config_default();
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), 0);
    CHECK_EQ_INT(c.debounce_ms, 20);
    CHECK_EQ_INT(c.long_press_ms, 3000);
    CHECK_EQ_INT(c.wiring, EB_BUTTON_NORMALLY_OPEN);
    c.debounce_ms = 1001;
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), -1);
    CHECK(strstr(err, "debounce_ms 1001 is not allowed (allowed: 0..1000)") != NULL);
    c.debounce_ms = -1;
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), -1);
    c = eb_button_config_default();
    c.long_press_ms = 499;
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), -1);
    CHECK(strstr(err, "long_press_ms 499") != NULL);
    c.long_press_ms = 800;
    c.debounce_ms = 900;
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), -1);
    c = eb_button_config_default();
    c.wiring = (eb_button_wiring_t)7;
    CHECK_EQ_INT(eb_button_config_check(&c, err, sizeof err), -1);
    CHECK(strstr(err, "wiring 7") != NULL);
    CHECK_EQ_STR(eb_kill_state_name(EB_KILL_REARM_READY), "rearm_ready");
    CHECK_EQ_STR(eb_kill_state_name((eb_kill_state_t)9), "?");
}

int main(void)
{
    RUN(clean_press_latches_after_debounce);
    RUN(bounce_train_on_press);
    RUN(glitches_are_ignored);
    RUN(release_never_rearms);
    RUN(latching_press_does_not_count);
    RUN(long_press_then_release_rearms);
    RUN(short_press_does_not_rearm);
    RUN(bounce_during_long_press);
    RUN(bounce_on_rearm_release);
    RUN(normally_closed_wiring);
    RUN(start_up);
    RUN(api_rearm);
    RUN(zero_debounce);
    RUN(random_sequences);
    RUN(config);
    return eb_check_report();
}
