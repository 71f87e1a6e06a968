/* LED patterns: timing of each pattern, the alarm's priorities and all alarm patterns distinct. Which
 * reason shows which code is the app's (tests/unit/test_led_codes.c). */
#include "hal/logic/leds.h"
#include "../support/check.h"

static eb_leds_input_t running(void)
{
    return (eb_leds_input_t){.kill = EB_KILL_ARMED};
}

/* Rising edges of one LED over [from, to) sampled every ms. */
static int flashes(const eb_leds_input_t *in, int which, int64_t from, int64_t to)
{
    int n = 0, prev = 0;
    for (int64_t t = from; t < to; t++) {
        eb_leds_t o = eb_leds_compute(in, t);
        int v = which == 0 ? o.heartbeat : which == 1 ? o.mode : o.alarm;
        n += v && !prev && t > from;
        prev = v;
    }
    return n;
}

static int on_ms(const eb_leds_input_t *in, int which, int64_t from, int64_t to)
{
    int n = 0;
    for (int64_t t = from; t < to; t++) {
        eb_leds_t o = eb_leds_compute(in, t);
        n += which == 0 ? o.heartbeat : which == 1 ? o.mode : o.alarm;
    }
    return n;
}

TEST(heartbeat)
{
    eb_leds_input_t in = running();
    CHECK_EQ_INT(eb_leds_compute(&in, 0).heartbeat, 1);
    CHECK_EQ_INT(eb_leds_compute(&in, 99).heartbeat, 1);
    CHECK_EQ_INT(eb_leds_compute(&in, 100).heartbeat, 0);
    CHECK_EQ_INT(eb_leds_compute(&in, 999).heartbeat, 0);
    CHECK_EQ_INT(on_ms(&in, 0, 0, 10000), 1000);
    CHECK_EQ_INT(flashes(&in, 0, 1, 10001), 10);
    in.starting = 1;
    CHECK_EQ_INT(flashes(&in, 0, 1, 10001), 40);
    CHECK_EQ_INT(on_ms(&in, 0, 0, 10000), 5000);
    /* negative times (a test clock) keep the same phase */
    CHECK_EQ_INT(eb_leds_compute(&in, -250).heartbeat, eb_leds_compute(&in, 0).heartbeat);
}

TEST(mode)
{
    eb_leds_input_t in = running();
    CHECK_EQ_INT(on_ms(&in, 1, 0, 10000), 5000);
    CHECK_EQ_INT(flashes(&in, 1, 1, 10001), 5);
    in.live = 1;
    CHECK_EQ_INT(on_ms(&in, 1, 0, 10000), 10000);
}

TEST(alarm_states)
{
    eb_leds_input_t in = running();
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 0); /* armed */
    in.kill = EB_KILL_LATCHED;
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 5000);
    in.kill = EB_KILL_LATCHED_HELD;
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in.kill = EB_KILL_REARM_TIMING;
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in.kill = EB_KILL_REARM_READY;
    in.kill_disarmed = 1;
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 0); /* release now */
    in.kill = EB_KILL_ARMED; /* a raw press, not yet debounced, also shows the kill switch */
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in = running();
    in.error = 1;
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 10000);
    in.kill = EB_KILL_LATCHED; /* the kill switch outranks an error */
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in = running();
    in.error = 1;
    in.blink_code = 5; /* an error outranks blink codes */
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 10000);
}

TEST(blink_codes)
{
    for (int code = 1; code <= EB_LEDS_BLINK_MAX; code++) {
        eb_leds_input_t in = running();
        in.blink_code = code;
        int64_t frame = (int64_t)code * EB_LEDS_BLINK_SLOT_MS + EB_LEDS_BLINK_PAUSE_MS;
        CHECK_EQ_INT(eb_leds_blink_code(&in), code);
        CHECK_EQ_INT(flashes(&in, 2, -1, frame), code); /* from the end of the previous pause */
        CHECK_EQ_INT(on_ms(&in, 2, 0, frame), code * EB_LEDS_BLINK_ON_MS);
        /* the pause: dark for its whole length at the end of the frame */
        CHECK_EQ_INT(on_ms(&in, 2, frame - EB_LEDS_BLINK_PAUSE_MS, frame), 0);
        CHECK_EQ_INT(eb_leds_compute(&in, frame).alarm, 1); /* next frame */
    }
    eb_leds_input_t in = running();
    in.blink_code = 99;
    CHECK_EQ_INT(eb_leds_blink_code(&in), EB_LEDS_BLINK_MAX); /* bounded */
    in.blink_code = -3;
    CHECK_EQ_INT(eb_leds_blink_code(&in), 0);
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 0);
    in.blink_code = 6;
    in.kill = EB_KILL_LATCHED;
    CHECK_EQ_INT(eb_leds_blink_code(&in), 0); /* the kill switch outranks it */
}

/* Every alarm state a person must tell apart has its own sequence over 12 s. (The re-arm-ready "off"
 * equals armed on purpose: it is only seen while holding the button, and means "release now".) */
TEST(alarm_patterns_distinct)
{
    enum { N = EB_LEDS_BLINK_MAX + 3, T = 20000 };
    static unsigned char seq[N][T];
    for (int s = 0; s < N; s++) {
        eb_leds_input_t in = running();
        if (s == 0)
            in.kill = EB_KILL_LATCHED;
        else if (s == N - 1)
            in.error = 1;
        else if (s < N - 2)
            in.blink_code = s;
        /* s == N - 2: armed */
        for (int t = 0; t < T; t++)
            seq[s][t] = (unsigned char)eb_leds_compute(&in, t).alarm;
    }
    for (int a = 0; a < N; a++)
        for (int c = a + 1; c < N; c++)
            CHECK_MSG(memcmp(seq[a], seq[c], T) != 0, "alarm states %d and %d look the same", a, c);
}

int main(void)
{
    RUN(heartbeat);
    RUN(mode);
    RUN(alarm_states);
    RUN(blink_codes);
    RUN(alarm_patterns_distinct);
    return eb_check_report();
}
