#include "app/daemon/telegram_notify.h"

#include "app/daemon/telegram_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const k_kind[EB_DTG_KINDS] = {
    [EB_DTG_TRADE] = "trade",     [EB_DTG_KILL] = "kill switch", [EB_DTG_BREAKER] = "breaker",
    [EB_DTG_STALE] = "stale data", [EB_DTG_MODEL] = "model",      [EB_DTG_LIFECYCLE] = "lifecycle",
    [EB_DTG_ERROR] = "error",     [EB_DTG_REPLY] = NULL, /* a reply goes as it is */
};
_Static_assert(sizeof k_kind / sizeof k_kind[0] == EB_DTG_KINDS, "a name for every kind");

void eb_dtg_notify(eb_daemon_t *d, eb_dtg_kind_t kind, const char *text)
{
    struct eb_dtg *t = d->tg;
    if (!t || !t->service_timer)
        return;
    char msg[EB_TG_TEXT_MAX + 64];
    size_t len = strlen(text);
    /* the kill switch, errors and answers to the operator go before the trades waiting */
    int urgent = kind == EB_DTG_KILL || kind == EB_DTG_ERROR || kind == EB_DTG_REPLY;
    if (kind == EB_DTG_REPLY || len > EB_TG_TEXT_MAX) { /* a long reply is split as it is */
        eb_tgq_push(&t->q, text, len, urgent, t->send_busy);
        return;
    }
    int n = snprintf(msg, sizeof msg, "[%s] %s", k_kind[kind], text);
    eb_tgq_push(&t->q, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, urgent, t->send_busy);
}

void eb_dtg_notifyf(eb_daemon_t *d, eb_dtg_kind_t kind, const char *fmt, ...)
{
    if (!d->tg)
        return;
    char text[EB_TG_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    eb_dtg_notify(d, kind, text);
}
