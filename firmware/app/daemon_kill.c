/* The kill switch, the LEDs, the arming reasons and the STATUS= line.
 *
 * The physical kill switch always wins: the first press edge disarms at once (before the debounce has
 * decided anything), the debounced press latches, cancels the open entry orders and (by default) flattens
 * every position, and the latch is journalled so it survives restarts. Only a release plus a long press
 * (hal/button.h) clears it. */
#include "app/daemon.h"

#include "hal/clock.h"
#include "hal/leds.h"

#include <math.h>
#include <string.h>

static int pressed_level(const eb_daemon_t *d, int level)
{
    /* pull-up: a normally-open button pulls the line low when pressed, a normally-closed one opens it */
    return d->app.button.wiring == EB_BUTTON_NORMALLY_CLOSED ? level == 1 : level == 0;
}

void eb_daemon_kill_init(eb_daemon_t *d, int latched, int level)
{
    /* a latch found at start-up is journalled with its halt by eb_daemon_kill_resumed() */
    eb_button_init(&d->button, &d->app.button, latched, level, eb_clock_monotonic_ms());
    if (eb_button_latched(&d->button))
        d->external = eb_arming_set(d->external, EB_DISARM_KILL_SWITCH);
}

/* Cancel what has not filled, then (if configured) flatten at the last price known. */
static void halt_trading(eb_daemon_t *d)
{
    int64_t t = d->pipe->engine.has_bar ? d->pipe->engine.last_time_ms : 0;
    eb_intent_t cancelled[EB_PAPER_MAX_PENDING], out[EB_ENGINE_MAX_INTENTS];
    eb_daemon_journal_begin(d);
    int nc = eb_paper_cancel_entries(&d->broker, &d->pipe->engine, cancelled, EB_PAPER_MAX_PENDING);
    for (int i = 0; i < nc; i++)
        eb_journal_order_update(d->journal, cancelled[i].client_id, EB_ORDER_CANCELLED, NULL, NAN, NAN,
                                "kill switch", eb_clock_realtime_ms());
    int nf = 0;
    if (d->app.flatten_on_kill && d->pipe->engine.has_bar) {
        /* exits already queued for the next open are superseded by the flatten */
        for (int i = 0; i < d->broker.npending; i++) {
            eb_engine_cancel(&d->pipe->engine, &d->broker.pending[i]);
            eb_journal_order_update(d->journal, d->broker.pending[i].client_id, EB_ORDER_CANCELLED, NULL, NAN, NAN,
                                    "kill switch: superseded by the flatten", eb_clock_realtime_ms());
        }
        d->broker.npending = 0;
        nf = eb_engine_flatten(&d->pipe->engine, EB_EXIT_FLATTEN, out, EB_ENGINE_MAX_INTENTS);
        for (int i = 0; i < nf; i++) { /* at the last price known: there is no next open to wait for */
            eb_daemon_order_intent(d, &out[i], "market", "kill_switch", t);
            eb_daemon_fill(d, &out[i], d->pipe->engine.last_close, t);
        }
    }
    char detail[128];
    snprintf(detail, sizeof detail, "latched: %d open orders cancelled, %d positions flattened", nc, nf);
    eb_journal_killswitch_set(d->journal, 1, eb_clock_realtime_ms());
    eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "kill_switch", detail);
    eb_daemon_log(d, 1, "kill switch: %s", detail);
    eb_daemon_commit(d, 1);
}

/* A button held down at start-up latched before anything could trade. Once the journal's orders and
 * positions are resumed it gets what a press gets: entries cancelled, positions flattened, the latch and a
 * kill_switch event journalled. A latch the journal already had was handled when it was pressed. */
void eb_daemon_kill_resumed(eb_daemon_t *d)
{
    int latched = 1;
    if (!eb_button_latched(&d->button) || eb_journal_killswitch_get(d->journal, &latched) != 0 || latched)
        return;
    d->stats.kill_presses++;
    halt_trading(d);
}

static void button_events(eb_daemon_t *d, int ev)
{
    if (ev & EB_BUTTON_EV_LATCHED) {
        d->stats.kill_presses++;
        d->external = eb_arming_set(d->external, EB_DISARM_KILL_SWITCH);
        eb_daemon_arming_update(d, 0);
        halt_trading(d);
    }
    if (ev & EB_BUTTON_EV_REARMED) {
        d->external = eb_arming_clear(d->external, EB_DISARM_KILL_SWITCH);
        eb_daemon_journal_begin(d);
        eb_journal_killswitch_set(d->journal, 0, eb_clock_realtime_ms());
        eb_journal_event_add(d->journal, eb_clock_realtime_ms(), "kill_switch", "re-armed by a long press");
        eb_daemon_arming_update(d, 0);
        eb_daemon_commit(d, 1);
        eb_daemon_log(d, 5, "kill switch re-armed");
    }
    if (!eb_button_latched(&d->button) && !eb_button_pressed(&d->button) && !d->raw_pressed)
        d->external = eb_arming_clear(d->external, EB_DISARM_KILL_SWITCH); /* a glitch, not a press */
}

void eb_daemon_on_gpio(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    eb_daemon_t *d = ctx;
    char err[128];
    int level;
    if (eb_gpio_drain_events(&d->gpio) < 0 || eb_gpio_get(&d->gpio, EB_LINE_KILLSWITCH, &level, err, sizeof err) != 0) {
        d->fault = 1; /* an unreadable button counts as pressed: fail safe */
        d->external = eb_arming_set(d->external, EB_DISARM_KILL_SWITCH);
        return;
    }
    d->raw_pressed = pressed_level(d, level);
    if (d->raw_pressed) /* disarm at the first edge; the debounce only decides whether it latches */
        d->external = eb_arming_set(d->external, EB_DISARM_KILL_SWITCH);
    button_events(d, eb_button_sample(&d->button, level, eb_clock_monotonic_ms()));
}

void eb_daemon_kill_poll(eb_daemon_t *d, int64_t now_ms)
{
    if (now_ms >= eb_button_deadline(&d->button)) {
        int ev = eb_button_tick(&d->button, now_ms);
        d->raw_pressed = eb_button_pressed(&d->button);
        button_events(d, ev);
    }
}

void eb_daemon_leds(eb_daemon_t *d, int64_t now_ms)
{
    if (!d->gpio_open)
        return;
    eb_leds_input_t in = {.disarm = eb_engine_arming(&d->pipe->engine) | d->external,
                          .kill = eb_button_state(&d->button), .live = d->app.mode == EB_MODE_LIVE, .error = d->fault};
    eb_leds_t l = eb_leds_compute(&in, now_ms);
    eb_gpio_set(&d->gpio, EB_LINE_LED_HEARTBEAT, l.heartbeat);
    eb_gpio_set(&d->gpio, EB_LINE_LED_MODE, l.mode);
    eb_gpio_set(&d->gpio, EB_LINE_LED_ALARM, l.alarm);
}

/* Journals every change of the arming set and refreshes STATUS=. */
void eb_daemon_arming_update(eb_daemon_t *d, int64_t bar_ms)
{
    (void)bar_ms;
    if (!d->pipe)
        return;
    eb_engine_set_external(&d->pipe->engine, d->external);
    eb_arming_t now = eb_engine_arming(&d->pipe->engine);
    if (now == d->last_arming || !d->journal)
        return;
    eb_daemon_journal_begin(d);
    if (eb_journal_arming_changed(d->journal, d->last_arming, now, eb_clock_realtime_ms()) != 0)
        d->fault = 1;
    d->last_arming = now;
    eb_daemon_status(d);
}

void eb_daemon_status(eb_daemon_t *d)
{
    char reasons[256] = "none", line[512];
    eb_arming_t m = d->pipe ? eb_engine_arming(&d->pipe->engine) : d->external;
    if (m)
        eb_arming_format(m, reasons, sizeof reasons);
    double eq = d->pipe && d->pipe->engine.has_bar ? eb_engine_equity(&d->pipe->engine, d->pipe->engine.last_close) : NAN;
    snprintf(line, sizeof line, "%s; disarm: %s; kill switch %s; bars %llu; equity %.2f; model %s; lifecycle %s",
             m ? "disarmed" : "armed", reasons, eb_kill_state_name(eb_button_state(&d->button)),
             (unsigned long long)d->stats.bars, eq,
             d->store.active >= 0 ? d->store.manifest.model_id : "none", eb_daemon_lifecycle_stage(d));
    eb_notify_status(&d->notify, line);
}
