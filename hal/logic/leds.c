#include "hal/logic/leds.h"

/* Position inside a repeating period; now may be negative in tests, so keep the phase non-negative. */
static int64_t phase(int64_t now_ms, int64_t period_ms)
{
    int64_t p = now_ms % period_ms;
    return p < 0 ? p + period_ms : p;
}

static int blink(int64_t now_ms, int64_t on_ms, int64_t period_ms) { return phase(now_ms, period_ms) < on_ms; }

static int kill_latched(const eb_leds_input_t *in) { return in->kill != EB_KILL_ARMED || in->kill_disarmed; }

int eb_leds_blink_code(const eb_leds_input_t *in)
{
    if (kill_latched(in) || in->error || in->blink_code <= 0)
        return 0;
    return in->blink_code > EB_LEDS_BLINK_MAX ? EB_LEDS_BLINK_MAX : in->blink_code;
}

static int alarm(const eb_leds_input_t *in, int64_t now_ms)
{
    if (in->kill == EB_KILL_REARM_READY)
        return 0;
    if (kill_latched(in))
        return blink(now_ms, 100, 200);
    if (in->error)
        return 1;
    int n = eb_leds_blink_code(in);
    if (n == 0)
        return 0;
    int64_t p = phase(now_ms, (int64_t)n * EB_LEDS_BLINK_SLOT_MS + EB_LEDS_BLINK_PAUSE_MS);
    return p < (int64_t)n * EB_LEDS_BLINK_SLOT_MS && p % EB_LEDS_BLINK_SLOT_MS < EB_LEDS_BLINK_ON_MS;
}

eb_leds_t eb_leds_compute(const eb_leds_input_t *in, int64_t now_ms)
{
    eb_leds_t out;
    out.heartbeat = in->starting ? blink(now_ms, 125, 250) : blink(now_ms, 100, 1000);
    out.mode = in->live ? 1 : blink(now_ms, 1000, 2000);
    out.alarm = alarm(in, now_ms);
    return out;
}
