#include "app/daemon/status.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/telegram_notify.h"
#include "app/led_codes.h"
#include "hal/io/clock.h"
#include "hal/logic/leds.h"

#include <math.h>
#include <string.h>

eb_arming_t eb_dstatus_external(const eb_daemon_t *d)
{
    eb_arming_t m = d->external;
    const eb_button_t *b = &d->kill.button;
    if (d->kill.ready && (eb_button_latched(b) || b->raw))
        m = eb_arming_set(m, EB_DISARM_KILL_SWITCH);
    if (d->kill.ready && eb_button_faulted(b))
        m = eb_arming_set(m, EB_DISARM_KILL_SWITCH_FAULT);
    return m;
}

eb_arming_t eb_dstatus_arming(const eb_daemon_t *d)
{
    return d->pipe ? eb_engine_arming(&d->pipe->engine) | eb_dstatus_external(d) : eb_dstatus_external(d);
}

void eb_dstatus_sync(eb_daemon_t *d)
{
    if (d->pipe)
        eb_engine_set_external(&d->pipe->engine, eb_dstatus_external(d));
}

/* A circuit breaker that trips or clears is told to the operator's phone (the other reasons have their
 * own messages where they are decided). */
static void notify_breakers(eb_daemon_t *d, eb_arming_t was, eb_arming_t now)
{
    for (int r = 0; r < EB_DISARM_COUNT; r++) {
        eb_arming_t bit = EB_DISARM_BIT(r);
        if ((bit & EB_DISARM_BREAKERS) && (was & bit) != (now & bit))
            eb_dtg_notifyf(d, EB_DTG_BREAKER, "%s %s", eb_disarm_reason_name((eb_disarm_reason_t)r),
                           (now & bit) ? "tripped: no new entries" : "cleared");
    }
}

void eb_dstatus_update(eb_daemon_t *d)
{
    if (!d->pipe)
        return;
    eb_dstatus_sync(d);
    eb_arming_t now = eb_engine_arming(&d->pipe->engine);
    if (now == d->t.last_arming || !d->jw.j)
        return;
    /* journalled with the transaction it belongs to; while the journal fails the change waits (and
     * last_arming with it), so it is written once the journal takes writes again */
    if (eb_dj_begin(d) &&
        eb_dj_check(d, eb_journal_arming_changed(d->jw.j, d->t.last_arming, now, eb_clock_realtime_ms()), "arming") == 0) {
        notify_breakers(d, d->t.last_arming, now);
        d->t.last_arming = now;
    }
    eb_dstatus_line(d);
}

void eb_dstatus_line(eb_daemon_t *d)
{
    char reasons[320] = "none", line[512];
    eb_arming_t m = eb_dstatus_arming(d);
    if (m)
        eb_arming_format(m, reasons, sizeof reasons);
    double eq = d->pipe && d->pipe->engine.has_bar ? eb_engine_equity(&d->pipe->engine, d->pipe->engine.last_close) : NAN;
    snprintf(line, sizeof line, "%s; disarm: %s; kill switch %s; bars %llu; equity %.2f; model %s; lifecycle %s",
             m ? "disarmed" : "armed", reasons,
             !d->kill.ready ? "not read yet"
             : eb_button_state(&d->kill.button) == EB_KILL_ARMED && d->kill.button.raw ? "pressed"
             : eb_kill_state_name(eb_button_state(&d->kill.button)),
             (unsigned long long)d->t.bars, eq,
             d->models.store.active >= 0 ? d->models.store.manifest.model_id : "none", eb_dlc_stage(d));
    int failed = eb_notify_status(&d->notify, line) != 0;
    if (failed != d->status_failing) { /* logged when it starts and when it ends, not every second */
        d->status_failing = failed;
        eb_dlog(d, failed ? 4 : 5, "STATUS= to the service manager %s", failed ? "failed" : "works again");
    }
}

void eb_dstatus_leds(eb_daemon_t *d, int64_t now_ms)
{
    if (!d->gpio)
        return;
    eb_arming_t m = eb_dstatus_arming(d);
    const eb_button_t *b = &d->kill.button;
    int faulted = d->kill.ready && eb_button_faulted(b);
    eb_kill_state_t kill = d->kill.ready ? eb_button_state(b) : EB_KILL_ARMED;
    eb_leds_input_t in = {
        .starting = eb_arming_has(m, EB_DISARM_STARTING),
        /* an unreadable line shows as the error it is (steady on), not as a press; "release now" still shows */
        .kill = faulted && kill != EB_KILL_REARM_READY ? EB_KILL_ARMED : kill,
        .kill_disarmed = !faulted && eb_arming_has(m, EB_DISARM_KILL_SWITCH),
        .error = d->faults != 0 || faulted,
        .blink_code = eb_led_code_for(m),
        .live = d->app.mode == EB_MODE_LIVE,
    };
    eb_leds_t l = eb_leds_compute(&in, now_ms);
    int failed = (eb_gpio_set(d->gpio, EB_LINE_LED_HEARTBEAT, l.heartbeat) != 0) +
                 (eb_gpio_set(d->gpio, EB_LINE_LED_MODE, l.mode) != 0) + (eb_gpio_set(d->gpio, EB_LINE_LED_ALARM, l.alarm) != 0);
    /* an LED that cannot be driven is no reason to stop trading safely (the kill switch and the journal
     * still work): it is logged when it starts and when it ends, not every 50 ms */
    if (!failed != !d->led_failing) {
        d->led_failing = failed != 0;
        if (failed)
            eb_dlog(d, 3, "LED output failed on board %s (%d of 3 lines)", d->board, failed);
        else
            eb_dlog(d, 5, "LED outputs work again");
    }
}
