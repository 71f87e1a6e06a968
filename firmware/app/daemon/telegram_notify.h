/* Telegram's outbox (docs/telegram.md): what the rest of the daemon calls to tell the chat something.
 * It only queues (app/telegram_queue.h); telegram.c sends. Off when appliance.telegram is absent: then
 * every call returns at once. */
#ifndef EB_APP_DAEMON_TELEGRAM_NOTIFY_H
#define EB_APP_DAEMON_TELEGRAM_NOTIFY_H

#include "app/daemon/internal.h"

typedef enum {
    EB_DTG_TRADE,
    EB_DTG_KILL,
    EB_DTG_BREAKER,
    EB_DTG_STALE,
    EB_DTG_MODEL,
    EB_DTG_LIFECYCLE,
    EB_DTG_ERROR,
    EB_DTG_REPLY, /* an answer to a command */
    EB_DTG_KINDS
} eb_dtg_kind_t;

/* Queues a message ("[trade] ..." in the chat); dropped and counted when the queue is full. */
void eb_dtg_notify(eb_daemon_t *d, eb_dtg_kind_t kind, const char *text);
void eb_dtg_notifyf(eb_daemon_t *d, eb_dtg_kind_t kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
