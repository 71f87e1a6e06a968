/* The daemon's operator surface (docs/api.md): the HTTP server on the daemon's loop. On with
 * appliance.http.port or --http-port (which wins); off otherwise. The routes live in api_routes.c
 * (status, health, control), api_read.c (positions, trades, events, config), metrics_daemon.c (/metrics)
 * and openapi.c (/openapi.json). */
#ifndef EB_APP_DAEMON_HTTP_H
#define EB_APP_DAEMON_HTTP_H

#include "app/daemon/internal.h"

/* Step "http": reads the token file (mode 0600 or refused), reserves the connection table and listens.
 * 0, or -1 with err naming the file or the address. */
int eb_dhttp_start(eb_daemon_t *d, char *err, size_t cap);
/* The journal is about to close: the read endpoints' connection goes first (they answer 503 from then on),
 * so that the journal's own close, as the last connection, checkpoints the WAL into journal.db. */
void eb_dhttp_journal_closing(eb_daemon_t *d);
void eb_dhttp_close(eb_daemon_t *d);

#endif
