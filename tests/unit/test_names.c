/* Every enum-to-name table (issue 12 item 6): each value has a name, the names of one table differ, label
 * names are lower-case identifiers (they are metric labels, journal values and JSON keys), a value out of
 * range has none, and each name is documented, as `name`, in the page that explains it. A reordered enum
 * fails here only if its names move with it; the designated tables make sure they do. */
#include "app/journal.h"
#include "app/model_verify.h"
#include "core/arming.h"
#include "core/breakers.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/order_sm.h"
#include "core/pipeline.h"
#include "core/rate_gov.h"
#include "core/reasons.h"
#include "core/risk.h"
#include "hal/io/board_pins.h"
#include "hal/logic/button.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const char *(*name_fn)(int);

/* Adapters: each table's own function, taking the enum by int. */
static const char *disarm(int v) { return eb_disarm_reason_name((eb_disarm_reason_t)v); }
static const char *refusal(int v) { return eb_refusal_name((eb_refusal_t)v); }
static const char *exit_reason(int v) { return eb_exit_reason_name((eb_exit_reason_t)v); }
static const char *stop_kind(int v) { return eb_stop_kind_name((eb_stop_kind_t)v); }
static const char *action(int v) { return eb_action_name((eb_action_t)v); }
static const char *sizing(int v) { return eb_sizing_method_name((eb_sizing_method_t)v); }
static const char *period(int v) { return eb_period_name((eb_period_t)v); }
static const char *order_state(int v) { return eb_order_state_name((eb_order_state_t)v); }
static const char *kill_state(int v) { return eb_kill_state_name((eb_kill_state_t)v); }
static const char *line(int v) { return eb_line_name((eb_line_t)v); }
static const char *lc_state(int v) { return eb_lc_state_name((eb_lc_state_t)v); }
static const char *lc_action(int v) { return eb_lc_action_name((eb_lc_action_t)v); }
static const char *verify_status(int v) { return eb_verify_status_name((eb_verify_status_t)v); }
static const char *model_status(int v) { return eb_model_status_name((eb_model_status_t)v); }
static const char *pipeline_status(int v) { return eb_pipeline_status_name((eb_pipeline_status_t)v); }
static const char *osm_event(int v) { return eb_osm_event_name((eb_osm_event_kind_t)v); }
static const char *osm_status(int v) { return eb_osm_status_name((eb_osm_status_t)v); }
static const char *osm_fault(int v) { return eb_osm_fault_name((eb_osm_fault_t)v); }
static const char *osm_venue(int v) { return eb_osm_venue_name((eb_osm_venue_t)v); }
static const char *rate_verdict(int v) { return eb_rate_verdict_name((eb_rate_verdict_t)v); }

typedef struct {
    const char *what;
    name_fn name;
    int count;
    const char *doc;  /* the page listing every name as `name`, or NULL (messages, not labels) */
    const char *none; /* what an out-of-range value gives: NULL or a fixed word */
} table_t;

static const table_t tables[] = {
    {"disarm reason", disarm, EB_DISARM_COUNT, "docs/engine.md", NULL},
    {"refusal", refusal, EB_REFUSE_COUNT, "docs/engine.md", NULL},
    {"exit reason", exit_reason, EB_EXIT_COUNT, "docs/engine.md", NULL},
    {"stop kind", stop_kind, EB_STOP_COUNT, "docs/engine.md", NULL},
    {"action", action, EB_ACTION_COUNT, "docs/engine.md", NULL},
    {"sizing method", sizing, EB_SIZING_COUNT, "docs/engine.md", NULL},
    {"breaker period", period, EB_PERIOD_COUNT, "docs/engine.md", NULL},
    {"order state", order_state, EB_ORDER_STATE_COUNT, "docs/journal.md", NULL},
    {"kill-switch state", kill_state, EB_KILL_STATE_COUNT, "docs/leds.md", "?"},
    {"GPIO line", line, EB_LINE_COUNT, "docs/gpio-sim.md", NULL},
    {"lifecycle state", lc_state, EB_LC_RETIRED + 1, "docs/journal.md", "unknown"},
    {"lifecycle action", lc_action, EB_LC_DEMOTE + 1, "docs/journal.md", "unknown"},
    {"verify status", verify_status, EB_VERIFY_E_MODEL + 1, NULL, "unknown"},
    {"model status", model_status, EB_MODEL_E_VALUE + 1, NULL, "unknown"},
    {"pipeline status", pipeline_status, EB_PIPELINE_E_MODEL_SHAPE + 1, NULL, "unknown"},
    {"order event", osm_event, EB_OSM_EV_COUNT, "docs/live-trading.md", NULL},
    {"order event status", osm_status, EB_OSM_STATUS_COUNT, "docs/live-trading.md", NULL},
    {"order fault", osm_fault, EB_OSM_FAULT_COUNT, "docs/live-trading.md", NULL},
    {"venue order state", osm_venue, EB_OSM_VENUE_COUNT, "docs/live-trading.md", NULL},
    {"rate verdict", rate_verdict, EB_RATE_VERDICT_COUNT, "docs/live-trading.md", NULL},
};

static int is_label(const char *s)
{
    if (!s[0])
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void check_table(const table_t *t)
{
    char *doc = t->doc ? slurp(t->doc) : NULL;
    if (t->doc && !doc)
        fprintf(stderr, "SKIP %s names in %s: no docs here (a build tree outside the repository)\n", t->what, t->doc);
    for (int v = 0; v < t->count; v++) {
        const char *n = t->name(v);
        CHECK_MSG(n != NULL, "%s %d has no name", t->what, v);
        if (!n)
            continue;
        CHECK_MSG(!t->none || strcmp(n, t->none) != 0, "%s %d is named '%s', the out-of-range word", t->what, v, n);
        for (int w = 0; w < v; w++) {
            const char *m = t->name(w);
            CHECK_MSG(!m || strcmp(m, n) != 0, "%s %d and %d are both named '%s'", t->what, w, v, n);
        }
        if (t->doc) {
            CHECK_MSG(is_label(n), "%s %d: '%s' is not a lower-case label", t->what, v, n);
            char quoted[96];
            snprintf(quoted, sizeof quoted, "`%s`", n);
            CHECK_MSG(!doc || strstr(doc, quoted), "%s '%s' is not in %s", t->what, n, t->doc);
        }
    }
    const char *out = t->name(t->count), *neg = t->name(-1);
    CHECK_MSG(t->none ? out && neg && strcmp(out, t->none) == 0 && strcmp(neg, t->none) == 0 : !out && !neg,
              "%s out of range gives '%s' / '%s', not %s", t->what, out ? out : "NULL", neg ? neg : "NULL",
              t->none ? t->none : "NULL");
    free(doc);
}

TEST(every_value_has_its_documented_name)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        check_table(&tables[i]);
}

/* The names that once drifted, by designation (a table shifted by one would fail here). */
TEST(names_by_designation)
{
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_NO_AVAILABLE_CAPITAL), "no_available_capital");
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_EXPOSURE_CAP), "exposure_cap");
    CHECK_EQ_STR(eb_exit_reason_name(EB_EXIT_FLATTEN), "flatten");
    CHECK_EQ_STR(eb_disarm_reason_name(EB_DISARM_KILL_SWITCH_FAULT), "kill_switch_fault");
    CHECK_EQ_STR(eb_order_state_name(EB_ORDER_UNKNOWN), "unknown");
    CHECK_EQ_STR(eb_kill_state_name(EB_KILL_REARM_READY), "rearm_ready");
    CHECK_EQ_STR(eb_line_name(EB_LINE_LED_ALARM), "led_alarm");
    CHECK_EQ_STR(eb_period_name(EB_PERIOD_MONTH), "monthly");
    CHECK_EQ_STR(eb_sizing_method_name(EB_SIZING_KELLY), "kelly");
    CHECK_EQ_STR(eb_verify_status_name(EB_VERIFY_E_ROLLBACK), "rollback");
    CHECK_EQ_STR(eb_model_status_name(EB_MODEL_E_VALUE), "value");
    CHECK_EQ_STR(eb_osm_event_name(EB_OSM_EV_CANCEL_ACK), "cancel_ack");
    CHECK_EQ_STR(eb_osm_status_name(EB_OSM_E_NOT_FOUND_HELD), "not_found_held");
    CHECK_EQ_STR(eb_osm_fault_name(EB_OSM_FAULT_OVERFILL), "overfill");
    CHECK_EQ_STR(eb_osm_venue_name(EB_OSM_VENUE_FILLED), "filled");
    CHECK_EQ_STR(eb_rate_verdict_name(EB_RATE_PAUSED), "paused");
    CHECK_EQ_STR(eb_pipeline_status_name(EB_PIPELINE_E_SCHEMA), "model schema hash differs from the configured features");
}

int main(void)
{
    RUN(every_value_has_its_documented_name);
    RUN(names_by_designation);
    return eb_check_report();
}
