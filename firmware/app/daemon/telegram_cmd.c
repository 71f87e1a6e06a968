#include "app/daemon/telegram_cmd.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/status.h"
#include "app/daemon/telegram_notify.h"
#include "hal/io/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TRADES_SHOWN 5

static double equity(const eb_daemon_t *d)
{
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    return e && e->has_bar ? eb_engine_equity(e, e->last_close) : NAN;
}

static void reply_status(eb_daemon_t *d)
{
    char reasons[320] = "none";
    eb_arming_t m = eb_dstatus_arming(d);
    if (m)
        eb_arming_format(m, reasons, sizeof reasons);
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    eb_dtg_notifyf(d, EB_DTG_REPLY,
                   "%s (paper)\ndisarm reasons: %s\nkill switch: %s\nbars: %llu\nequity: %.2f\nopen positions: %d\n"
                   "model: %s\nlifecycle: %s",
                   m ? "DISARMED" : "armed", reasons,
                   d->kill.ready ? eb_kill_state_name(eb_button_state(&d->kill.button)) : "not read yet",
                   (unsigned long long)d->t.bars, equity(d), e ? eb_engine_open_positions(e) : 0,
                   d->models.store.active >= 0 ? d->models.store.manifest.model_id : "none", eb_dlc_stage(d));
}

typedef struct {
    char text[TRADES_SHOWN * 300];
    size_t len;
} trades_t;

static int add_trade(void *ctx, const eb_journal_event_t *ev)
{
    trades_t *t = ctx;
    int n = snprintf(t->text + t->len, sizeof t->text - t->len, "\n%s", ev->detail);
    if (n > 0 && (size_t)n < sizeof t->text - t->len)
        t->len += (size_t)n;
    return 0;
}

static void reply_trades(eb_daemon_t *d, eb_journal_reader_t *reader)
{
    trades_t t = {.len = 0};
    int n = reader ? eb_journal_read_events(reader, "trade", TRADES_SHOWN, add_trade, &t) : -1;
    if (n < 0)
        eb_dtg_notify(d, EB_DTG_REPLY, n == EB_JOURNAL_READ_BUSY ? "the journal is busy: ask again in a moment"
                                                                : "the journal cannot be read now");
    else if (n == 0)
        eb_dtg_notify(d, EB_DTG_REPLY, "no closed trades yet");
    else
        eb_dtg_notifyf(d, EB_DTG_REPLY, "the last %d closed trades, newest first:%s", n, t.text);
}

static void reply_profit(eb_daemon_t *d)
{
    if (!d->pipe) {
        eb_dtg_notify(d, EB_DTG_REPLY, "the engine is not started yet");
        return;
    }
    const eb_engine_t *e = &d->pipe->engine;
    double start = e->cfg.initial_capital, eq = equity(d);
    eb_dtg_notifyf(d, EB_DTG_REPLY,
                   "equity %.2f from %.2f: %+.2f (%+.2f%%)\nrealised (cash) %+.2f\nclosed trades in this lifecycle "
                   "stage (%s): %llu",
                   eq, start, eq - start, start > 0 ? (eq / start - 1) * 100 : NAN, e->cash - start, eb_dlc_stage(d),
                   (unsigned long long)d->t.life.lc.count);
}

/* As POST /api/v1/disarm: the master switch off, kept over a restart (operator.disarmed), journalled. */
static void halt(eb_daemon_t *d, const eb_tg_update_t *u)
{
    char detail[200];
    if (d->jw.failing || !d->pipe) {
        snprintf(detail, sizeof detail, "disarm from Telegram chat %lld (%s): refused, %s", (long long)u->chat_id,
                 u->from, !d->pipe ? "the engine is not started yet" : "the journal is failing");
        eb_dlog(d, 4, "%s", detail);
        eb_dtg_notify(d, EB_DTG_REPLY, !d->pipe ? "not halted: the engine is not started yet"
                                                : "not halted: the journal is failing (trading is disarmed by it meanwhile)");
        return;
    }
    int changed = d->pipe->engine.cfg.master_switch != 0;
    d->pipe->engine.cfg.master_switch = 0;
    d->operator_disarmed = 1;
    eb_dstatus_update(d);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "operator.disarmed", "1", eb_clock_realtime_ms()),
                    "operator.disarmed");
    snprintf(detail, sizeof detail, "disarm from Telegram chat %lld (%s): %s", (long long)u->chat_id, u->from,
             changed ? "master switch off" : "already off");
    eb_dj_event(d, eb_clock_realtime_ms(), "arming", detail);
    eb_dlog(d, 5, "%s", detail);
    if (d->pipe->engine.cfg.master_switch) { /* the event's commit failed and rolled the engine back */
        d->operator_disarmed = 0;
        eb_dtg_notify(d, EB_DTG_REPLY, "not halted: the journal is failing; try again");
        return;
    }
    eb_dtg_notify(d, EB_DTG_REPLY, changed ? "halted: trading is off (re-arm with the button's long press or the "
                                             "authenticated API)"
                                           : "already halted");
}

void eb_dtg_command(eb_daemon_t *d, eb_journal_reader_t *reader, const eb_tg_update_t *u)
{
    switch (u->cmd) {
    case EB_TG_CMD_STATUS: reply_status(d); break;
    case EB_TG_CMD_TRADES: reply_trades(d, reader); break;
    case EB_TG_CMD_PROFIT: reply_profit(d); break;
    case EB_TG_CMD_HALT: halt(d, u); break;
    case EB_TG_CMD_REARM:
        eb_dlog(d, 4, "re-arm asked from Telegram chat %lld (%s): refused (never from Telegram)", (long long)u->chat_id,
                u->from);
        eb_dtg_notify(d, EB_DTG_REPLY, "re-arming is not possible from Telegram: use the kill switch's long press or "
                                       "the authenticated API (POST /api/v1/rearm)");
        break;
    default:
        eb_dtg_notify(d, EB_DTG_REPLY, "commands: /status, /trades, /profit, /halt (switches trading off; re-arming "
                                       "is never possible from here)");
        break;
    }
}
