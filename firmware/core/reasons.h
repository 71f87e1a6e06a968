/* Named outcomes of the engine: why an entry was refused, why a position was closed, why a stop moved.
 * Each enum is fixed, each value has a stable lower-case name used as a metric label, in the journal, the
 * API and report.json. The engine counts every refusal and every exit under these names. */
#ifndef EB_CORE_REASONS_H
#define EB_CORE_REASONS_H

/* Entry refusals, in the order the engine checks them (the first failing check is the one counted). */
typedef enum {
    EB_REFUSE_NONE = 0,
    EB_REFUSE_WARMUP,             /* "warmup": a signal before the features / ATR history are defined */
    EB_REFUSE_LOW_CONFIDENCE,     /* "low_confidence": signal probability below limits.min_confidence */
    EB_REFUSE_SHORT_NOT_ALLOWED,  /* "short_not_allowed": short signal on a long-only (spot) venue */
    EB_REFUSE_DISARMED,           /* "disarmed": an arming reason is set (breakers, master switch, ...) */
    EB_REFUSE_MAX_OPEN_POSITIONS, /* "max_open_positions": as many positions open as configured */
    EB_REFUSE_MAX_TRADES_PER_DAY, /* "max_trades_per_day": seed 003 limit, UTC day */
    EB_REFUSE_MIN_TRADE_INTERVAL, /* "min_trade_interval": too soon after the previous entry */
    EB_REFUSE_MAX_DAILY_LOSS,     /* "max_daily_loss": realised loss of the UTC day reached the limit */
    EB_REFUSE_BAD_VOLATILITY,     /* "bad_volatility": ATR or its mean not finite or <= 0 */
    EB_REFUSE_NO_AVAILABLE_CAPITAL, /* "no_available_capital": equity minus margin held <= 0 */
    EB_REFUSE_KELLY_NON_POSITIVE, /* "kelly_non_positive": Kelly fraction <= 0 (no edge) */
    EB_REFUSE_BELOW_LOT_STEP,     /* "below_lot_step": size rounds down to zero lots */
    EB_REFUSE_BELOW_MIN_NOTIONAL, /* "below_min_notional": size x price under the venue minimum */
    EB_REFUSE_EXPOSURE_CAP,       /* "exposure_cap": open risk + new 1R above risk_exposition x equity */
    EB_REFUSE_COUNT
} eb_refusal_t;

/* Why a position (or part of it) was closed. */
typedef enum {
    EB_EXIT_STOP_LOSS = 0,        /* "stop_loss": the initial stop */
    EB_EXIT_BREAKEVEN,            /* "breakeven_stop": the stop moved to break-even at +1R */
    EB_EXIT_EMERGENCY_BREAKEVEN,  /* "emergency_breakeven_stop": moved by the daily-drawdown alert */
    EB_EXIT_TRAILING,             /* "trailing_stop": the trailing stop from +2R */
    EB_EXIT_SIGNAL,               /* "signal": the opposite signal */
    EB_EXIT_PARTIAL,              /* "partial": the configured partial exit */
    EB_EXIT_END_OF_DATA,          /* "end_of_data": backtest closes what is open at the last bar */
    EB_EXIT_FLATTEN,              /* "flatten": kill switch or operator */
    EB_EXIT_COUNT
} eb_exit_reason_t;

/* Which rule placed the current stop (a stop exit's reason follows from it). */
typedef enum {
    EB_STOP_INITIAL = 0,          /* "initial" */
    EB_STOP_BREAKEVEN,            /* "breakeven" */
    EB_STOP_EMERGENCY_BREAKEVEN,  /* "emergency_breakeven" */
    EB_STOP_TRAILING,             /* "trailing" */
    EB_STOP_COUNT
} eb_stop_kind_t;

/* What one bar's decision came to (counted per bar). */
typedef enum {
    EB_ACTION_HOLD = 0,  /* "hold": no signal, nothing to do */
    EB_ACTION_ENTER,     /* "enter" */
    EB_ACTION_EXIT,      /* "exit": the signal closed positions and opened none */
    EB_ACTION_REFUSED,   /* "refused": a signal whose entry was refused */
    EB_ACTION_COUNT
} eb_action_t;

/* Names; NULL for values outside the enums. */
const char *eb_refusal_name(eb_refusal_t r);
const char *eb_exit_reason_name(eb_exit_reason_t r);
const char *eb_stop_kind_name(eb_stop_kind_t k);
const char *eb_action_name(eb_action_t a);
/* The exit reason of a stop that the rule `k` placed. */
eb_exit_reason_t eb_exit_reason_for_stop(eb_stop_kind_t k);

#endif
