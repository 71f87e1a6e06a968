/* LED patterns: timing of each pattern, the alarm's priorities, all alarm patterns distinct, and the
 * blink-code table of docs/leds.md in step with core/arming.h. */
#include "hal/leds.h"
#include "../support/check.h"

static eb_leds_input_t running(void)
{
    return (eb_leds_input_t){.disarm = 0, .kill = EB_KILL_ARMED, .live = 0, .error = 0};
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
    in.disarm = EB_DISARM_BIT(EB_DISARM_STARTING);
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
    in.disarm = EB_DISARM_BIT(EB_DISARM_KILL_SWITCH);
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 0); /* release now */
    in.kill = EB_KILL_ARMED; /* the reason bit alone also shows the kill switch */
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in = running();
    in.error = 1;
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 10000);
    in.kill = EB_KILL_LATCHED; /* the kill switch outranks an error */
    CHECK_EQ_INT(flashes(&in, 2, 1, 10001), 50);
    in = running();
    in.error = 1;
    in.disarm = EB_DISARM_BIT(EB_DISARM_STALE_DATA); /* an error outranks blink codes */
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 10000);
}

TEST(blink_codes)
{
    for (int r = EB_DISARM_MASTER_SWITCH; r < EB_DISARM_STARTING; r++) {
        eb_leds_input_t in = running();
        in.disarm = EB_DISARM_BIT(r);
        int64_t frame = (int64_t)r * EB_LEDS_BLINK_SLOT_MS + EB_LEDS_BLINK_PAUSE_MS;
        CHECK_EQ_INT(eb_leds_blink_code(&in), r);
        CHECK_EQ_INT(flashes(&in, 2, -1, frame), r); /* from the end of the previous pause */
        CHECK_EQ_INT(on_ms(&in, 2, 0, frame), r * EB_LEDS_BLINK_ON_MS);
        /* the pause: dark for its whole length at the end of the frame */
        CHECK_EQ_INT(on_ms(&in, 2, frame - EB_LEDS_BLINK_PAUSE_MS, frame), 0);
        CHECK_EQ_INT(eb_leds_compute(&in, frame).alarm, 1); /* next frame */
    }
    eb_leds_input_t in = running();
    in.disarm = EB_DISARM_BIT(EB_DISARM_STALE_DATA) | EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY);
    CHECK_EQ_INT(eb_leds_blink_code(&in), 2); /* highest priority first */
    in.disarm = EB_DISARM_BIT(EB_DISARM_STARTING);
    CHECK_EQ_INT(eb_leds_blink_code(&in), 0);
    CHECK_EQ_INT(on_ms(&in, 2, 0, 10000), 0);
    in.disarm |= EB_DISARM_BIT(EB_DISARM_NO_MODEL);
    CHECK_EQ_INT(eb_leds_blink_code(&in), 6);
}

/* Every alarm state a person must tell apart has its own sequence over 12 s. (The re-arm-ready "off"
 * equals armed on purpose: it is only seen while holding the button, and means "release now".) */
TEST(alarm_patterns_distinct)
{
    enum { N = EB_DISARM_STARTING + 2, T = 12000 };
    static unsigned char seq[N][T];
    for (int s = 0; s < N; s++) {
        eb_leds_input_t in = running();
        if (s == 0)
            in.kill = EB_KILL_LATCHED;
        else if (s == N - 1)
            in.error = 1;
        else if (s < EB_DISARM_STARTING)
            in.disarm = EB_DISARM_BIT(s);
        /* s == EB_DISARM_STARTING: armed */
        for (int t = 0; t < T; t++)
            seq[s][t] = (unsigned char)eb_leds_compute(&in, t).alarm;
    }
    for (int a = 0; a < N; a++)
        for (int c = a + 1; c < N; c++)
            CHECK_MSG(memcmp(seq[a], seq[c], T) != 0, "alarm states %d and %d look the same", a, c);
}

/* docs/leds.md lists "| N | `name` |" for every reason with a blink code. */
TEST(docs_table_matches)
{
    FILE *f = fopen("docs/leds.md", "r");
    CHECK_MSG(f != NULL, "docs/leds.md missing (tests run from the repository root)");
    if (!f)
        return;
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    for (int r = EB_DISARM_MASTER_SWITCH; r < EB_DISARM_STARTING; r++) {
        char row[80];
        snprintf(row, sizeof row, "\n| %d | `%s` |", r, eb_disarm_reason_name((eb_disarm_reason_t)r));
        CHECK_MSG(strstr(text, row) != NULL, "docs/leds.md lacks the row '%s'", row + 1);
    }
}

int main(void)
{
    RUN(heartbeat);
    RUN(mode);
    RUN(alarm_states);
    RUN(blink_codes);
    RUN(alarm_patterns_distinct);
    RUN(docs_table_matches);
    return eb_check_report();
}
