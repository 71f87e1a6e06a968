/* eb_engine_step: the order of events of one bar (docs/engine.md). Accounting is in engine_account.c. */
#include "core/engine.h"

#include <math.h>
#include <string.h>

void eb_engine_config_default(eb_engine_config_t *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->strategy, "edgebox", 8);
    c->initial_capital = 10000;
    c->allow_short = 0;
    c->venue = (eb_venue_limits_t){.lot_step = 1e-5, .min_notional = 10, .leverage = 1};
    c->sizing = (eb_sizing_params_t){.method = EB_SIZING_FIXED_RISK, .risk_per_trade = 0.01, .fixed_fraction = 0.1,
                                     .volatility_target = 0.005, .kelly_win_rate = 0.5, .kelly_payoff = 2.0,
                                     .max_position_pct = 0.30};
    c->risk_exposition = 0.03;
    c->min_multiplier = 1.0;
    c->max_multiplier = 1.5;
    eb_fill_costs_default(&c->costs);
    c->stop_fills = EB_STOP_FILLS_SIMULATED;
    c->partial_exit_r = 1.5;
    c->partial_exit_fraction = 0.5;
    c->max_open_positions = 1;
    c->breakers = (eb_breaker_params_t){.limit = {0.05, 0.10, 0.15}, .auto_reset = 0.5, .breakeven_alert = 0.5};
    c->limits = (eb_limits_params_t){.max_trades_per_day = 15, .min_seconds_between_trades = 180,
                                     .min_confidence = 0.60, .max_daily_loss = 150, .max_position_pct = 0.30};
    eb_signal_params_default(&c->signal);
    c->master_switch = 1;
}

int eb_engine_init(eb_engine_t *e, const eb_engine_config_t *c)
{
    if (!e || !c || !(c->initial_capital > 0) || !(c->venue.lot_step > 0) || !(c->venue.leverage >= 1) ||
        c->max_open_positions < 1 || c->max_open_positions > EB_ENGINE_MAX_POSITIONS || !c->strategy[0] ||
        !(c->min_multiplier > 0) || !(c->max_multiplier >= c->min_multiplier) || !eb_fill_costs_valid(&c->costs) ||
        (c->stop_fills != EB_STOP_FILLS_SIMULATED && c->stop_fills != EB_STOP_FILLS_REPORTED))
        return -1;
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    e->cfg.strategy[EB_ORDER_ID_STRATEGY_MAX] = '\0';
    e->cfg.sizing.max_position_pct = c->limits.max_position_pct;
    e->cash = c->initial_capital;
    e->last_close = NAN;
    eb_breakers_init(&e->breakers);
    eb_limits_init(&e->limits);
    return 0;
}

void eb_engine_set_external(eb_engine_t *e, eb_arming_t reasons)
{
    /* The breakers and the master switch are the engine's own bits: a caller cannot set or clear them. */
    e->external = reasons & ~(EB_DISARM_BREAKERS | EB_DISARM_BIT(EB_DISARM_MASTER_SWITCH));
}

void eb_engine_set_master_switch(eb_engine_t *e, int on) { e->cfg.master_switch = on ? 1 : 0; }

eb_arming_t eb_engine_arming(const eb_engine_t *e)
{
    return e->external | e->breaker_bits | (e->cfg.master_switch ? 0u : EB_DISARM_BIT(EB_DISARM_MASTER_SWITCH));
}

/* --- intents -------------------------------------------------------------------------------------- */

typedef struct {
    eb_engine_t *e;
    const eb_bar_t *bar;
    eb_intent_t *out;
    int n;
} step_ctx_t;

static eb_intent_t *emit(step_ctx_t *s, eb_intent_kind_t kind, const eb_slot_t *slot, double qty, double price,
                         int reason)
{
    eb_intent_t *it = &s->out[s->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->side = slot->pos.side;
    it->position_id = slot->id;
    it->qty = qty;
    it->price = price;
    it->r_dist = slot->pos.r_dist;
    it->reason = reason;
    it->time_ms = s->bar->open_time_ms;
    eb_order_id_make(it->client_id, sizeof it->client_id, s->e->cfg.strategy, it->time_ms, s->e->seq++);
    return it;
}

static int closing(const eb_slot_t *sl) { return sl->state == EB_SLOT_OPEN && sl->pending_qty >= sl->pos.qty; }

/* --- 1. stops ------------------------------------------------------------------------------------- */

/* Simulated stop fills: the stop trades now, by the fill rule, so that the equity, the breakers, the
 * day's loss and the capital the entry is sized from are those after the fill. The trade it closes is
 * kept for the caller (eb_engine_step_fill). */
static void fill_stop(step_ctx_t *s, eb_slot_t *sl, eb_intent_t *it)
{
    eb_engine_t *e = s->e;
    it->fill_price = eb_fill_stop_price(&e->cfg.costs, sl->pos.side, it->price, s->bar);
    it->fee = eb_fill_fee(&e->cfg.costs, it->fill_price, it->qty);
    it->filled = 1;
    eb_trade_t tr;
    int rc = eb_engine_fill(e, it, it->fill_price, it->qty, it->fee, s->bar->open_time_ms, &tr);
    if (rc == 1)
        e->step_closed[e->nstep_closed++] = tr;
}

static void check_stops(step_ctx_t *s)
{
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        eb_slot_t *sl = &s->e->slots[i];
        double trigger;
        if (sl->state != EB_SLOT_OPEN || closing(sl) || !eb_position_stop_hit(&sl->pos, s->bar, &trigger))
            continue;
        double qty = sl->pos.qty - sl->pending_qty;
        sl->pending_qty = sl->pos.qty; /* an exit still outstanding keeps its share (the fill takes the rest) */
        int why = (int)eb_exit_reason_for_stop(sl->pos.stop_kind);
        eb_intent_t *it = emit(s, EB_INTENT_STOP_EXIT, sl, qty, trigger, why);
        if (s->e->cfg.stop_fills == EB_STOP_FILLS_SIMULATED) {
            fill_stop(s, sl, it);
        } else { /* the venue's fill is awaited: marked at the trigger until it comes */
            sl->stop_pending = 1;
            sl->pending_price = trigger;
        }
    }
}

/* --- 3. open positions: opposite signal, stop rules, partial exit ---------------------------------- */

static int manage_positions(step_ctx_t *s, const eb_signal_t *sig, double trail)
{
    eb_engine_t *e = s->e;
    eb_stop_rules_t rules = {.fee_bps = e->cfg.costs.fee_bps, .trail_distance = trail,
                             .emergency = eb_breakers_emergency(&e->breakers, &e->cfg.breakers)};
    int exited = 0;
    double close = s->bar->close;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        eb_slot_t *sl = &e->slots[i];
        if (sl->state != EB_SLOT_OPEN || closing(sl))
            continue;
        if (sig->direction == -sl->pos.side) {
            emit(s, EB_INTENT_EXIT, sl, sl->pos.qty - sl->pending_qty, close, EB_EXIT_SIGNAL);
            sl->pending_qty = sl->pos.qty;
            exited++;
            continue;
        }
        if (eb_position_manage_stop(&sl->pos, &rules, close)) {
            e->n.stop_moves[sl->pos.stop_kind]++;
            emit(s, EB_INTENT_MOVE_STOP, sl, sl->pos.qty, sl->pos.stop, (int)sl->pos.stop_kind);
        }
        if (e->cfg.partial_exit && eb_position_partial_due(&sl->pos, e->cfg.partial_exit_r, close)) {
            sl->pos.partial_done = 1;
            double q = eb_risk_round_lot(sl->pos.qty_initial * e->cfg.partial_exit_fraction, e->cfg.venue.lot_step);
            if (q > 0 && q < sl->pos.qty - sl->pending_qty) {
                emit(s, EB_INTENT_EXIT, sl, q, close, EB_EXIT_PARTIAL);
                sl->pending_qty += q;
            }
        }
    }
    return exited;
}

/* --- 4. entry -------------------------------------------------------------------------------------- */

static int active_slots(const eb_engine_t *e)
{
    int n = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        n += e->slots[i].state == EB_SLOT_PENDING || (e->slots[i].state == EB_SLOT_OPEN && !closing(&e->slots[i]));
    return n;
}

static double open_risk(const eb_engine_t *e, double close)
{
    double r = 0;
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++) {
        const eb_slot_t *sl = &e->slots[i];
        if (sl->state == EB_SLOT_OPEN && !closing(sl))
            r += fmax(0.0, sl->pos.side * (close - sl->pos.stop)) * (sl->pos.qty - sl->pending_qty);
        else if (sl->state == EB_SLOT_PENDING)
            r += sl->pos.r_dist * sl->pending_qty;
    }
    return r;
}

static eb_refusal_t gate_entry(eb_engine_t *e, const eb_engine_input_t *in, const eb_signal_t *sig, int64_t t)
{
    if (!in->ready)
        return EB_REFUSE_WARMUP;
    if (eb_limits_check_confidence(&e->cfg.limits, sig->confidence) != EB_REFUSE_NONE)
        return EB_REFUSE_LOW_CONFIDENCE;
    if (sig->direction < 0 && !e->cfg.allow_short)
        return EB_REFUSE_SHORT_NOT_ALLOWED;
    eb_arming_t arming = eb_engine_arming(e);
    if (arming) {
        for (int i = 0; i < (int)EB_DISARM_COUNT; i++)
            e->n.disarmed_by[i] += (arming >> i) & 1u;
        return EB_REFUSE_DISARMED;
    }
    if (active_slots(e) >= e->cfg.max_open_positions)
        return EB_REFUSE_MAX_OPEN_POSITIONS;
    return eb_limits_check(&e->cfg.limits, &e->limits, t);
}

static eb_slot_t *free_slot(eb_engine_t *e)
{
    for (int i = 0; i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state == EB_SLOT_FREE)
            return &e->slots[i];
    return NULL;
}

static eb_refusal_t try_enter(step_ctx_t *s, const eb_engine_input_t *in, const eb_signal_t *sig, double m)
{
    eb_engine_t *e = s->e;
    const eb_bar_t *bar = s->bar;
    eb_refusal_t why = gate_entry(e, in, sig, bar->open_time_ms);
    if (why != EB_REFUSE_NONE)
        return why;
    /* Spot pays for the entry from quote: it reserves the worst case of its fill, fee included (fill.h). */
    double unit = e->cfg.allow_short ? bar->close : eb_fill_entry_reserve(&e->cfg.costs, bar->close);
    eb_size_request_t rq = {.equity = eb_engine_equity(e, bar->close), .available = eb_engine_available(e, bar->close),
                            .price = bar->close, .reserve_price = unit, .stop_distance = m * in->atr, .atr = in->atr};
    eb_size_result_t sz;
    if (eb_risk_size_position(&e->cfg.sizing, &e->cfg.venue, &rq, &sz) != 0)
        return sz.refusal;
    why = eb_risk_check_exposure(open_risk(e, bar->close), sz.risk, rq.equity, e->cfg.risk_exposition);
    eb_slot_t *sl = free_slot(e);
    if (why != EB_REFUSE_NONE || !sl)
        return sl ? why : EB_REFUSE_MAX_OPEN_POSITIONS;
    memset(sl, 0, sizeof *sl);
    sl->state = EB_SLOT_PENDING;
    sl->id = ++e->next_id;
    eb_position_open(&sl->pos, sig->direction, bar->close, sz.qty, rq.stop_distance);
    sl->pending_qty = sz.qty;
    sl->pending_price = bar->close;
    sl->margin = sz.margin;
    emit(s, EB_INTENT_ENTER, sl, sz.qty, bar->close, 0);
    eb_limits_record_entry(&e->limits, bar->open_time_ms);
    e->n.entries++;
    return EB_REFUSE_NONE;
}

static void decide(step_ctx_t *s, const eb_engine_input_t *in, const eb_signal_t *sig, double m, int exited)
{
    eb_engine_t *e = s->e;
    eb_action_t action = exited ? EB_ACTION_EXIT : EB_ACTION_HOLD;
    eb_refusal_t why = EB_REFUSE_NONE;
    /* On a long-only venue a sell signal that closed longs did what it is for: no refusal to count. */
    if (sig->direction != 0 && !(exited && sig->direction < 0 && !e->cfg.allow_short)) {
        why = try_enter(s, in, sig, m);
        action = why == EB_REFUSE_NONE ? EB_ACTION_ENTER : EB_ACTION_REFUSED;
        e->n.refusals[why] += why != EB_REFUSE_NONE;
    }
    e->n.actions[action]++;
    e->last.action = action;
    e->last.refusal = why;
}

/* Field by field onto zeroed bytes: the struct's padding is whatever the stack held, and the engine is
 * compared and snapshotted byte for byte. */
static void keep_signal(eb_signal_t *dst, const eb_signal_t *src)
{
    memset(dst, 0, sizeof *dst);
    dst->direction = src->direction;
    dst->confidence = src->confidence;
    dst->p_buy = src->p_buy;
    dst->p_sell = src->p_sell;
}

static void read_signal(const eb_engine_t *e, const eb_engine_input_t *in, eb_signal_t *sig)
{
    if (in->probs)
        eb_signal_from_probs(&e->cfg.signal, in->probs, in->nprobs, sig);
    else
        *sig = eb_signal_fixed(in->direction);
}

int eb_engine_step(eb_engine_t *e, const eb_bar_t *bar, const eb_engine_input_t *in, eb_intent_t *out, int cap)
{
    if (!e || !bar || !in || !out || cap < EB_ENGINE_MAX_INTENTS)
        return -1;
    if (eb_bar_check(bar) != EB_BAR_OK || (e->has_bar && bar->open_time_ms <= e->last_time_ms)) {
        e->n.bad_bars++;
        return -1;
    }
    step_ctx_t s = {.e = e, .bar = bar, .out = out, .n = 0};
    e->seq = 0;
    e->nstep_closed = 0;
    e->has_bar = 1;
    e->last_time_ms = bar->open_time_ms;
    e->last_close = bar->close;
    e->n.bars++;
    eb_limits_roll(&e->limits, bar->open_time_ms);
    check_stops(&s);
    double equity = eb_engine_equity(e, bar->close);
    e->breaker_bits = eb_breakers_update(&e->breakers, &e->cfg.breakers, bar->open_time_ms, equity);
    double m = eb_risk_vol_multiplier(in->atr, in->atr_mean, e->cfg.min_multiplier, e->cfg.max_multiplier);
    eb_signal_t sig;
    read_signal(e, in, &sig);
    int exited = manage_positions(&s, &sig, in->ready ? m * in->atr : NAN);
    decide(&s, in, &sig, m, exited);
    keep_signal(&e->last.signal, &sig);
    e->last.multiplier = m;
    e->last.equity = equity;
    return s.n;
}
