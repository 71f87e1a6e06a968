#include "core/reasons.h"

#include <stddef.h>

static const char *const refusal_names[EB_REFUSE_COUNT] = {
    "none", "warmup", "low_confidence", "short_not_allowed", "disarmed", "max_open_positions",
    "max_trades_per_day", "min_trade_interval", "max_daily_loss", "bad_volatility", "no_available_capital",
    "kelly_non_positive", "below_lot_step", "below_min_notional", "exposure_cap",
};

static const char *const exit_names[EB_EXIT_COUNT] = {
    "stop_loss", "breakeven_stop", "emergency_breakeven_stop", "trailing_stop", "signal", "partial",
    "end_of_data", "flatten",
};

static const char *const stop_names[EB_STOP_COUNT] = {"initial", "breakeven", "emergency_breakeven", "trailing"};

static const char *const action_names[EB_ACTION_COUNT] = {"hold", "enter", "exit", "refused"};

const char *eb_refusal_name(eb_refusal_t r)
{
    return (int)r >= 0 && r < EB_REFUSE_COUNT ? refusal_names[r] : NULL;
}

const char *eb_exit_reason_name(eb_exit_reason_t r)
{
    return (int)r >= 0 && r < EB_EXIT_COUNT ? exit_names[r] : NULL;
}

const char *eb_stop_kind_name(eb_stop_kind_t k)
{
    return (int)k >= 0 && k < EB_STOP_COUNT ? stop_names[k] : NULL;
}

const char *eb_action_name(eb_action_t a)
{
    return (int)a >= 0 && a < EB_ACTION_COUNT ? action_names[a] : NULL;
}

eb_exit_reason_t eb_exit_reason_for_stop(eb_stop_kind_t k)
{
    switch (k) {
    case EB_STOP_BREAKEVEN: return EB_EXIT_BREAKEVEN;
    case EB_STOP_EMERGENCY_BREAKEVEN: return EB_EXIT_EMERGENCY_BREAKEVEN;
    case EB_STOP_TRAILING: return EB_EXIT_TRAILING;
    default: return EB_EXIT_STOP_LOSS;
    }
}
