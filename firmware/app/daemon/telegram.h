/* Telegram (SPEC section 9 "Notifications", docs/telegram.md): notifications to one chat and read-only
 * commands from it, through libcurl's multi interface driven by the daemon's loop. curl's sockets are
 * registered with the loop as descriptors and its timeouts as loop timers (curl_multi_socket_action), so
 * a Bot API that is slow, hung or gone never holds a bar or the kill switch: a message waits in the
 * bounded queue (app/telegram_queue.h) or is dropped and counted.
 *
 * Off when appliance.telegram is absent: then every call here returns at once and nothing changes.
 * The bot token is a secret: it is in the request URL only, never in a log line, an error or the API. */
#ifndef EB_APP_DAEMON_TELEGRAM_H
#define EB_APP_DAEMON_TELEGRAM_H

#include "app/daemon/internal.h"
#include "app/http/metrics_text.h"

/* Start-up step "telegram": the token file (0600, a regular file), the buffers, the curl handles, the
 * service timer. 0 (also when off), or -1 with err (which never holds the token). */
int eb_dtg_start(eb_daemon_t *d, char *err, size_t cap);
/* The edgebox_telegram_* families (nothing when off). */
void eb_dtg_metrics(eb_metrics_text_t *w, const eb_daemon_t *d);
void eb_dtg_close(eb_daemon_t *d);

#endif
