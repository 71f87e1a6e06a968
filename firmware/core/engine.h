/* The trading engine: one closed bar (plus the model's probabilities or a given signal, and the ATR) in,
 * order intents out. The same code runs the backtest, paper and live modes (DESIGN.md "One engine, three
 * modes"); only who fills the intents differs. Pure: no allocation, no I/O, no clock (time is the bar's).
 *
 *     eb_engine_t e;                     // one caller-supplied struct, fixed size
 *     eb_engine_init(&e, &cfg);
 *     for each closed bar:
 *         fill what the previous bar decided: eb_engine_fill_market(&e, &intent, bar.open, t, &fill)
 *                                              (simulated) or eb_engine_fill(...) (a venue's report)
 *         n = eb_engine_step(&e, &bar, &input, intents, EB_ENGINE_MAX_INTENTS);
 *         for each intent: journal it; send / queue it for the next open; a filled STOP_EXIT is done
 *
 * Order of events inside one step (docs/engine.md): bar checks; day roll of the limits; stops (a bar that
 * touches a stop exits there, before any stop move of the same bar is considered; with simulated stop
 * fills, the default, the step fills it by the fill rule of core/fill.h at once, so what follows sees the
 * cash, the freed capital and the day's loss after that fill); equity marked at the close (after every
 * fill of the bar) and circuit breakers; the signal; per open position the opposite-signal exit, else the
 * stop rules (emergency break-even, break-even at +1R, trailing from +2R) and the partial exit; then the
 * entry with its refusal checks in the order of eb_refusal_t. Intents:
 *   EB_INTENT_STOP_EXIT  the protective stop triggered inside this bar at `price` (stop, or the open after
 *                        a gap). Simulated stop fills: `filled` is 1, the step applied the fill at
 *                        `fill_price` with `fee` (eb_engine_step_fill gives it with its trade). Reported
 *                        stop fills: `filled` is 0 and the venue's fill comes in through eb_engine_fill.
 *   EB_INTENT_MOVE_STOP  replace the protective stop by `price` (already in effect in the engine).
 *   EB_INTENT_EXIT       market exit of `qty` (signal, partial, flatten): fills at the next open.
 *   EB_INTENT_ENTER      market entry of `qty`, initial stop at fill -/+ r_dist: fills at the next open. */
#ifndef EB_CORE_ENGINE_H
#define EB_CORE_ENGINE_H

#include "core/arming.h"
#include "core/bar.h"
#include "core/breakers.h"
#include "core/fill.h"
#include "core/limits.h"
#include "core/order_id.h"
#include "core/position.h"
#include "core/reasons.h"
#include "core/risk.h"
#include "core/signal.h"

#include <stdint.h>

#define EB_ENGINE_MAX_POSITIONS 8
#define EB_ENGINE_MAX_INTENTS (2 * EB_ENGINE_MAX_POSITIONS + 1)

/* Who fills the protective stops. Simulated (backtest, paper): the step fills a touched stop itself, by the
 * fill rule, before it marks equity and sizes entries. Reported (live venues, whose exchange-side stops
 * trade on their own): the step only says the bar touched the stop and waits for the venue's fill. */
typedef enum { EB_STOP_FILLS_SIMULATED = 0, EB_STOP_FILLS_REPORTED } eb_stop_fills_t;

typedef struct {
    char strategy[EB_ORDER_ID_STRATEGY_MAX + 1]; /* client order id prefix */
    double initial_capital;      /* quote currency */
    int allow_short;             /* 0 on spot venues: a short signal only closes longs, and entries are
                                    paid from the free quote balance (eb_engine_available) */
    eb_venue_limits_t venue;
    eb_sizing_params_t sizing;   /* includes risk_per_trade and max_position_pct */
    double risk_exposition;      /* 0.03 */
    double min_multiplier, max_multiplier; /* 1.0, 1.5 */
    eb_fill_costs_t costs;       /* the fill rule's costs (break-even price, stop fills, spot reserve) */
    eb_stop_fills_t stop_fills;  /* simulated (default) or reported by the venue */
    int partial_exit;            /* 0/1 */
    double partial_exit_r, partial_exit_fraction;
    int max_open_positions;      /* 1..EB_ENGINE_MAX_POSITIONS */
    eb_breaker_params_t breakers;
    eb_limits_params_t limits;
    eb_signal_params_t signal;
    int master_switch;           /* 0: EB_DISARM_MASTER_SWITCH is set */
} eb_engine_config_t;

typedef enum { EB_INTENT_ENTER = 0, EB_INTENT_EXIT, EB_INTENT_STOP_EXIT, EB_INTENT_MOVE_STOP } eb_intent_kind_t;

typedef struct {
    eb_intent_kind_t kind;
    int side;             /* the position's side (+1 long, -1 short); an exit order goes the other way */
    uint32_t position_id;
    double qty;
    double price;         /* see the kinds above; ENTER/EXIT: the bar's close, as a reference */
    double r_dist;        /* ENTER: 1R per unit */
    int reason;           /* EXIT, STOP_EXIT: eb_exit_reason_t; MOVE_STOP: eb_stop_kind_t */
    int filled;           /* STOP_EXIT: 1 when the step applied its fill (simulated stop fills) */
    double fill_price, fee; /* that fill's price and fee */
    int64_t time_ms;      /* open time of the bar that decided it */
    char client_id[EB_ORDER_ID_MAX + 1];
} eb_intent_t;

/* A closed position (returned by the fill that closes it). */
typedef struct {
    uint32_t position_id;
    int side;
    int64_t entry_time_ms, exit_time_ms; /* fill times */
    double entry_price, exit_price;      /* exit: quantity-weighted over all exit fills */
    double qty, r_dist;                  /* initial quantity, 1R per unit */
    double pnl, fees;                    /* pnl net of all fees */
    double r_multiple;                   /* pnl / (r_dist x qty) */
    eb_exit_reason_t reason;             /* reason of the last exit fill */
    int partial_taken;
} eb_trade_t;

/* One applied fill, as a broker reports it. */
typedef struct {
    double price, qty, fee;
    int closed;           /* the fill closed the position: trade is set */
    eb_trade_t trade;
} eb_fill_t;

typedef struct {
    int direction;        /* used when probs == NULL: +1, -1 or 0 */
    const double *probs;  /* calibrated class probabilities, or NULL */
    uint32_t nprobs;
    int ready;            /* features (when used) and ATR history defined */
    double atr, atr_mean; /* ATR at this bar, mean of the last historical_atr_window ATRs */
} eb_engine_input_t;

typedef struct {
    uint64_t bars, bad_bars, entries;
    uint64_t actions[EB_ACTION_COUNT];
    uint64_t refusals[EB_REFUSE_COUNT];
    uint64_t disarmed_by[EB_DISARM_COUNT]; /* per reason present at a "disarmed" refusal */
    uint64_t exits[EB_EXIT_COUNT];         /* exit fills by reason */
    uint64_t stop_moves[EB_STOP_COUNT];
} eb_engine_counters_t;

typedef struct {
    eb_action_t action;
    eb_refusal_t refusal;
    eb_signal_t signal;
    double multiplier, equity;
} eb_decision_t;

typedef enum { EB_SLOT_FREE = 0, EB_SLOT_PENDING, EB_SLOT_OPEN } eb_slot_state_t;

typedef struct {
    eb_slot_state_t state;
    uint32_t id;
    eb_position_t pos;
    double pending_qty;   /* PENDING: entry qty asked; OPEN: qty with an exit outstanding */
    double pending_price; /* PENDING: reference price; OPEN with stop_pending: the stop's trigger price */
    int stop_pending;     /* reported stop fills: the bar touched the stop, the venue's fill is awaited */
    double margin;        /* OPEN: entry notional / leverage; PENDING: what the entry reserves of available
                             (spot: qty x eb_fill_entry_reserve, futures: qty x reference / leverage) */
    double gross, fees, exit_value, exit_qty;
    int64_t entry_time_ms;
} eb_slot_t;

typedef struct {
    eb_engine_config_t cfg;
    eb_slot_t slots[EB_ENGINE_MAX_POSITIONS];
    double cash;          /* initial capital + realised PnL - fees */
    double last_close;
    int64_t last_time_ms;
    int has_bar;
    uint32_t next_id, seq;
    eb_arming_t external; /* reasons set by the caller (kill switch, stale data, ...) */
    eb_arming_t breaker_bits;
    eb_breakers_t breakers;
    eb_limits_t limits;
    eb_engine_counters_t n;
    eb_decision_t last;
    eb_trade_t step_closed[EB_ENGINE_MAX_POSITIONS]; /* trades the last step's stop fills closed */
    int nstep_closed;
} eb_engine_t;

/* SPEC section 7 defaults (the config loader starts from these): 10000 capital, spot, lot 1e-5, min
 * notional 10, fixed_risk 1%, exposure 3%, m in [1, 1.5], the fill rule's default costs (slippage 10 bps,
 * fee 5 bps), simulated stop fills, no partial exit, one position,
 * breakers 5/10/15% reset at 50%, alert at 50%, seed-003 limits, blob-default signal, master switch on. */
void eb_engine_config_default(eb_engine_config_t *c);
/* 0, or -1 when a value is outside what the engine can work with (the config loader reports ranges). */
int eb_engine_init(eb_engine_t *e, const eb_engine_config_t *c);

/* Returns the number of intents written to out (cap >= EB_ENGINE_MAX_INTENTS), or -1 when the bar is
 * refused (eb_bar_check fails, or its time does not increase): then nothing changed but n.bad_bars. */
int eb_engine_step(eb_engine_t *e, const eb_bar_t *bar, const eb_engine_input_t *in, eb_intent_t *out, int cap);
/* Applies a fill of an intent (price and fee in quote, fee >= 0). Returns 1 when it closed the position
 * (*closed filled), 0 otherwise, -1 for an unknown position, a non-positive price or a quantity outside
 * (0, open or asked quantity]. MOVE_STOP needs no fill. */
int eb_engine_fill(eb_engine_t *e, const eb_intent_t *it, double price, double qty, double fee, int64_t time_ms,
                   eb_trade_t *closed);
/* Fills an ENTER or EXIT intent by the fill rule (core/fill.h) at reference price ref (the next bar's open,
 * or the last close at the end of a backtest or a flatten) and applies it: the price moves against the
 * order by the slippage, the fee is the taker fee. A spot entry spends at most what it reserved: when a
 * gap makes the reserved quantity dearer than the reserve, it buys what the reserve pays for (rounded down
 * to a lot, as a market order for a quote amount); when that is under one lot or the minimum notional it
 * is cancelled. Returns 0 or 1 as eb_engine_fill (out set), 2 when the entry was cancelled, -1 when the
 * engine refuses it (out->qty 0). out may be NULL. */
int eb_engine_fill_market(eb_engine_t *e, const eb_intent_t *it, double ref, int64_t time_ms, eb_fill_t *out);
/* The quote a pending spot entry reserved (the most its market order may spend, fee included), for a venue
 * order "for a quote amount"; 0 for anything else (futures, exits). */
double eb_engine_entry_budget(const eb_engine_t *e, const eb_intent_t *it);
/* The fill the last step applied for a STOP_EXIT intent it emitted (filled = 1): 0 with out set, or -1. */
int eb_engine_step_fill(const eb_engine_t *e, const eb_intent_t *it, eb_fill_t *out);
/* The intent will not fill (rejected, expired): a pending entry is dropped, an exit is no longer pending. */
int eb_engine_cancel(eb_engine_t *e, const eb_intent_t *it);
/* Market exits for every open position (reason EB_EXIT_FLATTEN or EB_EXIT_END_OF_DATA); pending entries
 * are dropped. Returns the number of intents (cap >= EB_ENGINE_MAX_INTENTS) or -1. */
int eb_engine_flatten(eb_engine_t *e, eb_exit_reason_t reason, eb_intent_t *out, int cap);

/* Caller-owned disarm reasons (kill switch, stale data, no model, ...); the breakers and the master switch
 * are the engine's own. */
void eb_engine_set_external(eb_engine_t *e, eb_arming_t reasons);
eb_arming_t eb_engine_arming(const eb_engine_t *e);
void eb_engine_set_master_switch(eb_engine_t *e, int on);

double eb_engine_equity(const eb_engine_t *e, double price); /* cash + open PnL marked at price */
/* Capital an entry may still use. Futures: equity - margin of open positions - pending entries' margin.
 * Spot: the free quote balance, cash - entry notional of open positions - pending entries' reserves
 * (unrealised profit is not quote one can spend). */
double eb_engine_available(const eb_engine_t *e, double price);
int eb_engine_open_positions(const eb_engine_t *e);          /* pending + open slots */
double eb_engine_net_qty(const eb_engine_t *e);              /* signed open quantity */

#endif
