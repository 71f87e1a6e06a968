#include "app/daemon/kill.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/log.h"
#include "app/daemon/orders.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "hal/io/clock.h"

#include <poll.h>
#include <stdint.h>
#include <string.h>

#define EDGES_PER_CALL 32

int eb_dkill_open(eb_daemon_t *d, char *err, size_t cap)
{
    eb_gpio_options_t o = {.consumer = "edgeboxd", .killswitch_nc = d->app.button.wiring == EB_BUTTON_NORMALLY_CLOSED};
    char gerr[sizeof d->kill.fault_text];
    if (eb_gpio_open(&d->gpio, &d->pins, &o, gerr, sizeof gerr) != 0)
        return eb_errf(err, cap, "%s", gerr);
    d->kill.opened_mono = eb_clock_monotonic_ms();
    if (eb_gpio_get(d->gpio, EB_LINE_KILLSWITCH, &d->kill.level_at_open, gerr, sizeof gerr) != 0) {
        snprintf(d->kill.fault_text, sizeof d->kill.fault_text, "%s", gerr); /* a fault once the button exists */
        d->kill.level_at_open = d->app.button.wiring == EB_BUTTON_NORMALLY_CLOSED; /* pressed: fail safe */
    }
    return 0;
}

/* The latch and its halt, or the re-arm, in one transaction; latch_on_disk follows only a commit. */
void eb_dkill_settle(eb_daemon_t *d)
{
    eb_dkill_t *k = &d->kill;
    int latched = eb_button_latched(&k->button);
    if (!k->ready || latched == k->latch_on_disk || (latched && !k->halt_ok) || !eb_dj_begin(d))
        return;
    char detail[160];
    int64_t now = eb_clock_realtime_ms();
    if (latched) {
        int64_t t = d->pipe->engine.has_bar ? d->pipe->engine.last_time_ms : 0;
        int nc = eb_dorders_cancel_entries(d, "kill switch");
        int nf = d->app.flatten_on_kill ? eb_dorders_flatten(d, t, "kill_switch") : 0;
        snprintf(detail, sizeof detail, "latched: %d open orders cancelled, %d positions flattened%s", nc, nf,
                 eb_button_faulted(&k->button) ? " (the line could not be read)" : "");
    } else {
        snprintf(detail, sizeof detail, "re-armed by %s", k->rearm_by[0] ? k->rearm_by : "a long press");
    }
    eb_dj_check(d, eb_journal_killswitch_set(d->jw.j, latched, now), "kill-switch latch");
    eb_dj_check(d, eb_journal_event_add(d->jw.j, now, "kill_switch", detail), "kill-switch event");
    eb_dstatus_update(d);
    if (eb_dj_commit(d, 1) == 0) {
        eb_dorders_flush(d); /* the flatten's orders leave only now that they are on disk */
        k->latch_on_disk = latched;
        k->rearm_by[0] = '\0';
        eb_dlog(d, latched ? 1 : 5, "kill switch %s", detail);
        eb_dtg_notify(d, EB_DTG_KILL, detail);
    }
}

static void on_events(eb_daemon_t *d, int ev)
{
    eb_dkill_t *k = &d->kill;
    if (ev & EB_BUTTON_EV_FAULT) {
        eb_dlog(d, 2, "kill switch line unreadable, latched as pressed: %s", k->fault_text);
        eb_dtg_notifyf(d, EB_DTG_KILL, "line unreadable, latched as pressed: %s", k->fault_text);
        k->fault_journalled = 0;
    }
    if (ev & EB_BUTTON_EV_LATCHED) {
        d->stats.kill_presses++;
        eb_dtg_notify(d, EB_DTG_KILL, "pressed: trading disarmed");
    }
    if (ev & EB_BUTTON_EV_REARMED)
        eb_dlog(d, 5, "kill switch re-armed%s", k->fault_journalled ? " (the line fault is cleared)" : "");
    if (eb_button_faulted(&k->button) && !k->fault_journalled && eb_dj_begin(d)) {
        char detail[sizeof k->fault_text + 32];
        snprintf(detail, sizeof detail, "line unreadable: %s", k->fault_text);
        eb_dj_check(d, eb_journal_event_add(d->jw.j, eb_clock_realtime_ms(), "kill_switch", detail), "kill-switch event");
        if (eb_dj_commit(d, 1) == 0)
            k->fault_journalled = 1;
    }
    eb_dkill_settle(d);
}

/* Queued edges at their times (never later than now, never earlier than what the button has seen). */
static int take_edges(eb_daemon_t *d, int64_t now, int *ev)
{
    eb_gpio_edge_t e[EDGES_PER_CALL];
    char gerr[sizeof d->kill.fault_text];
    int n;
    do {
        n = eb_gpio_edges(d->gpio, e, EDGES_PER_CALL, gerr, sizeof gerr);
        if (n < 0) {
            snprintf(d->kill.fault_text, sizeof d->kill.fault_text, "%s", gerr);
            return -1;
        }
        for (int i = 0; i < n; i++)
            *ev |= eb_button_sample(&d->kill.button, e[i].level, e[i].time_ms < now ? e[i].time_ms : now);
    } while (n == EDGES_PER_CALL);
    return 0;
}

void eb_dkill_service(eb_daemon_t *d)
{
    eb_dkill_t *k = &d->kill;
    if (!k->ready || !d->gpio)
        return;
    eb_arming_t before = eb_dstatus_external(d);
    int64_t now = eb_clock_monotonic_ms();
    int ev = 0, level;
    char gerr[sizeof k->fault_text];
    if (take_edges(d, now, &ev) != 0) {
        ev |= eb_button_fault(&k->button, now);
    } else if (eb_gpio_get(d->gpio, EB_LINE_KILLSWITCH, &level, gerr, sizeof gerr) != 0) {
        snprintf(k->fault_text, sizeof k->fault_text, "%s", gerr);
        ev |= eb_button_fault(&k->button, now);
    } else {
        ev |= eb_button_sample(&k->button, level, now);
    }
    ev |= eb_button_tick(&k->button, now);
    if (ev || (eb_button_faulted(&k->button) && !k->fault_journalled) ||
        eb_button_latched(&k->button) != k->latch_on_disk)
        on_events(d, ev);
    int changed = eb_dstatus_external(d) != before;
    /* the LEDs say it now, not at the next 50 ms tick, and before STATUS= does: whoever reads STATUS=
     * (a test, the operator's dashboard) then finds the lights already showing that state */
    if (changed)
        eb_dstatus_sync(d);
    if (changed || ev)
        eb_dstatus_leds(d, eb_clock_monotonic_ms());
    if (changed)
        eb_dstatus_update(d);
    else if (ev & (EB_BUTTON_EV_LATCHED | EB_BUTTON_EV_RELEASE | EB_BUTTON_EV_PRESS | EB_BUTTON_EV_REARM_READY))
        eb_dstatus_line(d); /* the state changed within the same reasons (pressed -> latched_held, ...) */
}

int eb_dkill_init(eb_daemon_t *d, char *err, size_t cap)
{
    eb_dkill_t *k = &d->kill;
    int latched = 0;
    if (eb_journal_killswitch_get(d->jw.j, &latched) != 0)
        return eb_errf(err, cap, "journal: cannot read the kill-switch latch: %s", eb_journal_error(d->jw.j));
    k->latch_on_disk = latched;
    int ev = eb_button_init(&k->button, &d->app.button, latched, k->level_at_open, k->opened_mono);
    if (k->fault_text[0])
        ev |= eb_button_fault(&k->button, k->opened_mono);
    k->ready = 1;
    if (ev & EB_BUTTON_EV_LATCHED)
        d->stats.kill_presses++;
    if (ev & EB_BUTTON_EV_FAULT)
        eb_dlog(d, 2, "kill switch line unreadable at start-up, latched as pressed: %s", k->fault_text);
    eb_dkill_service(d); /* the edges since the line was opened, then the level now */
    return eb_loop_add_fd(&d->loop, eb_gpio_event_fd(d->gpio), POLLIN, EB_LOOP_PRIO_GPIO, eb_dkill_on_gpio, d) == 0
               ? 0 : eb_errf(err, cap, "the main loop's descriptor table is full");
}

void eb_dkill_enable_halt(eb_daemon_t *d)
{
    d->kill.halt_ok = 1;
    eb_dkill_settle(d);
}

int eb_dkill_tick(eb_daemon_t *d, int64_t now)
{
    if (!d->kill.ready)
        return INT32_MAX;
    int64_t due = eb_button_deadline(&d->kill.button);
    if (due != INT64_MAX && now >= due) {
        eb_dkill_service(d);
        due = eb_button_deadline(&d->kill.button);
    }
    if (due == INT64_MAX)
        return INT32_MAX;
    return due - now < 0 ? 0 : due - now > INT32_MAX ? INT32_MAX : (int)(due - now);
}

void eb_dkill_before_decision(eb_daemon_t *d)
{
    if (!d->kill.ready || !d->gpio)
        return;
    struct pollfd p = {.fd = eb_gpio_event_fd(d->gpio), .events = POLLIN};
    /* no descriptor (a backend without edge events) or a failed poll: read the line the long way */
    if (p.fd < 0 || poll(&p, 1, 0) != 0)
        eb_dkill_service(d);
    else
        eb_dkill_tick(d, eb_clock_monotonic_ms());
}

int eb_dkill_rearm(eb_daemon_t *d, const char *by)
{
    if (!d->kill.ready || !d->gpio)
        return EB_BUTTON_REARM_PRESSED;
    eb_dkill_service(d); /* the level now, not the one of the last wake-up */
    int rc = eb_button_rearm(&d->kill.button);
    if (rc == EB_BUTTON_REARM_OK) {
        snprintf(d->kill.rearm_by, sizeof d->kill.rearm_by, "%s", by);
        on_events(d, EB_BUTTON_EV_REARMED);
        eb_dstatus_sync(d);
        eb_dstatus_leds(d, eb_clock_monotonic_ms());
        eb_dstatus_update(d);
    }
    return rc;
}

void eb_dkill_on_gpio(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    eb_dkill_service(ctx);
}

void eb_dkill_close(eb_daemon_t *d)
{
    if (!d->gpio)
        return;
    for (int l = EB_LINE_LED_HEARTBEAT; l < EB_LINE_COUNT; l++)
        if (eb_gpio_set(d->gpio, (eb_line_t)l, 0) != 0)
            eb_dlog(d, 4, "could not switch %s off", eb_line_name((eb_line_t)l));
    eb_gpio_close(d->gpio);
    d->gpio = NULL;
}
