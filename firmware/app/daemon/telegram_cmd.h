/* The commands the configured Telegram chat may give (telegram.c hands them over): /status, /trades,
 * /profit, /help read; /halt switches trading off as the operator's POST /api/v1/disarm does (the safe
 * direction), journalled naming the sender. /rearm is always refused: re-arming needs the button's long
 * press or the authenticated API. Every answer goes back to the chat through the queue. */
#ifndef EB_APP_DAEMON_TELEGRAM_CMD_H
#define EB_APP_DAEMON_TELEGRAM_CMD_H

#include "app/daemon/internal.h"
#include "app/journal_read.h"
#include "app/telegram_text.h"

/* `reader` may be NULL (then /trades says the journal cannot be read). */
void eb_dtg_command(eb_daemon_t *d, eb_journal_reader_t *reader, const eb_tg_update_t *u);

#endif
