#include "hal/logic/button.h"

#include "common/errf.h"

#include <stdio.h>

eb_button_config_t eb_button_config_default(void)
{
    return (eb_button_config_t){EB_BUTTON_NORMALLY_OPEN, 20, 3000};
}

int eb_button_config_check(const eb_button_config_t *c, char *err, size_t err_cap)
{
    if (c->wiring != EB_BUTTON_NORMALLY_OPEN && c->wiring != EB_BUTTON_NORMALLY_CLOSED) {
        return eb_errf(err, err_cap, "kill switch wiring %d is not allowed (allowed: normally open or normally closed)",
                       (int)c->wiring);
    }
    if (c->debounce_ms < 0 || c->debounce_ms > 1000) {
        return eb_errf(err, err_cap, "kill switch debounce_ms %lld is not allowed (allowed: 0..1000)",
                       (long long)c->debounce_ms);
    }
    if (c->long_press_ms < 500 || c->long_press_ms > 60000 || c->long_press_ms <= c->debounce_ms) {
        return eb_errf(err, err_cap, "kill switch long_press_ms %lld is not allowed (allowed: 500..60000, more than "
                       "debounce_ms)", (long long)c->long_press_ms);
    }
    return 0;
}

static int is_pressed(const eb_button_t *b, int level)
{
    return b->cfg.wiring == EB_BUTTON_NORMALLY_OPEN ? level == 0 : level != 0;
}

int eb_button_init(eb_button_t *b, const eb_button_config_t *c, int latched, int level, int64_t now_ms)
{
    b->cfg = *c;
    b->raw = b->stable = is_pressed(b, level);
    b->raw_since = b->stable_since = b->last_ms = now_ms;
    b->fault = 0;
    if (b->stable)
        b->state = EB_KILL_LATCHED_HELD;
    else
        b->state = latched ? EB_KILL_LATCHED : EB_KILL_ARMED;
    return b->stable && !latched ? EB_BUTTON_EV_LATCHED : 0;
}

static int on_stable_change(eb_button_t *b)
{
    if (b->stable) {
        if (b->state == EB_KILL_ARMED) {
            b->state = EB_KILL_LATCHED_HELD;
            return EB_BUTTON_EV_PRESS | EB_BUTTON_EV_LATCHED;
        }
        if (b->state == EB_KILL_LATCHED)
            b->state = EB_KILL_REARM_TIMING;
        return EB_BUTTON_EV_PRESS;
    }
    int ev = EB_BUTTON_EV_RELEASE;
    if (b->state == EB_KILL_REARM_READY) {
        b->state = EB_KILL_ARMED;
        b->fault = 0;
        ev |= EB_BUTTON_EV_REARMED;
    } else if (b->state == EB_KILL_LATCHED_HELD || b->state == EB_KILL_REARM_TIMING) {
        b->state = EB_KILL_LATCHED;
    }
    return ev;
}

/* The later of now and the last time seen, which becomes the last time seen. */
static int64_t advance(eb_button_t *b, int64_t now_ms)
{
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    return b->last_ms;
}

int eb_button_tick(eb_button_t *b, int64_t now_ms)
{
    now_ms = advance(b, now_ms);
    int ev = 0;
    if (b->raw != b->stable && now_ms - b->raw_since >= b->cfg.debounce_ms) {
        b->stable = b->raw;
        b->stable_since = b->raw_since;
        ev |= on_stable_change(b);
    }
    if (b->state == EB_KILL_REARM_TIMING && b->raw == b->stable && now_ms - b->stable_since >= b->cfg.long_press_ms) {
        b->state = EB_KILL_REARM_READY;
        ev |= EB_BUTTON_EV_REARM_READY;
    }
    return ev;
}

int eb_button_sample(eb_button_t *b, int level, int64_t now_ms)
{
    /* The previous level lasted until now: let it count first (edges are the only samples we get). */
    now_ms = advance(b, now_ms);
    int ev = eb_button_tick(b, now_ms);
    int p = is_pressed(b, level);
    if (p != b->raw) {
        b->raw = p;
        b->raw_since = now_ms;
    }
    return ev | eb_button_tick(b, now_ms);
}

int eb_button_fault(eb_button_t *b, int64_t now_ms)
{
    now_ms = advance(b, now_ms);
    int ev = b->fault ? 0 : EB_BUTTON_EV_FAULT;
    if (b->state == EB_KILL_ARMED)
        ev |= EB_BUTTON_EV_LATCHED;
    b->fault = 1;
    if (!b->stable)
        b->stable_since = now_ms;
    b->raw = b->stable = 1;
    b->raw_since = now_ms;
    b->state = EB_KILL_LATCHED_HELD; /* a re-arm press being timed starts again once the line reads */
    return ev;
}

int64_t eb_button_deadline(const eb_button_t *b)
{
    if (b->raw != b->stable)
        return b->raw_since + b->cfg.debounce_ms;
    if (b->state == EB_KILL_REARM_TIMING)
        return b->stable_since + b->cfg.long_press_ms;
    return INT64_MAX;
}

int eb_button_rearm(eb_button_t *b)
{
    if (b->state == EB_KILL_ARMED)
        return EB_BUTTON_REARM_NOT_LATCHED;
    if (b->state != EB_KILL_LATCHED || b->raw)
        return EB_BUTTON_REARM_PRESSED;
    b->state = EB_KILL_ARMED;
    b->fault = 0;
    return EB_BUTTON_REARM_OK;
}

int eb_button_latched(const eb_button_t *b) { return b->state != EB_KILL_ARMED; }
int eb_button_pressed(const eb_button_t *b) { return b->stable; }
int eb_button_faulted(const eb_button_t *b) { return b->fault; }
eb_kill_state_t eb_button_state(const eb_button_t *b) { return b->state; }

static const char *const kill_state_names[] = {
    [EB_KILL_ARMED] = "armed",
    [EB_KILL_LATCHED_HELD] = "latched_held",
    [EB_KILL_LATCHED] = "latched",
    [EB_KILL_REARM_TIMING] = "rearm_timing",
    [EB_KILL_REARM_READY] = "rearm_ready",
};
_Static_assert(sizeof kill_state_names / sizeof kill_state_names[0] == EB_KILL_STATE_COUNT,
               "a name for every kill-switch state");

const char *eb_kill_state_name(eb_kill_state_t s)
{
    return (unsigned)s < EB_KILL_STATE_COUNT ? kill_state_names[s] : "?";
}
