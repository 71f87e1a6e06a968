#include "core/reasons.h"

#include "core/name_table.h"

#include <stddef.h>

/* Designated: a reordered enum cannot mislabel a log line or a metric (test_names walks them all). */
static const char *const refusal_names[] = {
    [EB_REFUSE_NONE] = "none",
    [EB_REFUSE_WARMUP] = "warmup",
    [EB_REFUSE_LOW_CONFIDENCE] = "low_confidence",
    [EB_REFUSE_SHORT_NOT_ALLOWED] = "short_not_allowed",
    [EB_REFUSE_DISARMED] = "disarmed",
    [EB_REFUSE_MAX_OPEN_POSITIONS] = "max_open_positions",
    [EB_REFUSE_MAX_TRADES_PER_DAY] = "max_trades_per_day",
    [EB_REFUSE_MIN_TRADE_INTERVAL] = "min_trade_interval",
    [EB_REFUSE_MAX_DAILY_LOSS] = "max_daily_loss",
    [EB_REFUSE_BAD_VOLATILITY] = "bad_volatility",
    [EB_REFUSE_NO_AVAILABLE_CAPITAL] = "no_available_capital",
    [EB_REFUSE_KELLY_NON_POSITIVE] = "kelly_non_positive",
    [EB_REFUSE_BELOW_LOT_STEP] = "below_lot_step",
    [EB_REFUSE_BELOW_MIN_NOTIONAL] = "below_min_notional",
    [EB_REFUSE_EXPOSURE_CAP] = "exposure_cap",
};
_Static_assert(sizeof refusal_names / sizeof refusal_names[0] == EB_REFUSE_COUNT, "a name for every refusal");

static const char *const exit_names[] = {
    [EB_EXIT_STOP_LOSS] = "stop_loss",
    [EB_EXIT_BREAKEVEN] = "breakeven_stop",
    [EB_EXIT_EMERGENCY_BREAKEVEN] = "emergency_breakeven_stop",
    [EB_EXIT_TRAILING] = "trailing_stop",
    [EB_EXIT_SIGNAL] = "signal",
    [EB_EXIT_PARTIAL] = "partial",
    [EB_EXIT_END_OF_DATA] = "end_of_data",
    [EB_EXIT_FLATTEN] = "flatten",
};
_Static_assert(sizeof exit_names / sizeof exit_names[0] == EB_EXIT_COUNT, "a name for every exit reason");

static const char *const stop_names[] = {
    [EB_STOP_INITIAL] = "initial",
    [EB_STOP_BREAKEVEN] = "breakeven",
    [EB_STOP_EMERGENCY_BREAKEVEN] = "emergency_breakeven",
    [EB_STOP_TRAILING] = "trailing",
};
_Static_assert(sizeof stop_names / sizeof stop_names[0] == EB_STOP_COUNT, "a name for every stop kind");

static const char *const action_names[] = {
    [EB_ACTION_HOLD] = "hold",
    [EB_ACTION_ENTER] = "enter",
    [EB_ACTION_EXIT] = "exit",
    [EB_ACTION_REFUSED] = "refused",
};
_Static_assert(sizeof action_names / sizeof action_names[0] == EB_ACTION_COUNT, "a name for every action");

const char *eb_refusal_name(eb_refusal_t r) { return EB_NAME_AT(refusal_names, r); }
const char *eb_exit_reason_name(eb_exit_reason_t r) { return EB_NAME_AT(exit_names, r); }
const char *eb_stop_kind_name(eb_stop_kind_t k) { return EB_NAME_AT(stop_names, k); }
const char *eb_action_name(eb_action_t a) { return EB_NAME_AT(action_names, a); }

eb_exit_reason_t eb_exit_reason_for_stop(eb_stop_kind_t k)
{
    switch (k) {
    case EB_STOP_BREAKEVEN: return EB_EXIT_BREAKEVEN;
    case EB_STOP_EMERGENCY_BREAKEVEN: return EB_EXIT_EMERGENCY_BREAKEVEN;
    case EB_STOP_TRAILING: return EB_EXIT_TRAILING;
    default: return EB_EXIT_STOP_LOSS;
    }
}
