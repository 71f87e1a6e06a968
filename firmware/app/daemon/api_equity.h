/* GET /api/v1/equity (docs/api.md): the journal's equity rows, newest first, ?limit= bounded, for the
 * dashboard's equity and drawdown charts, with the newest bar's time and age beside them. */
#ifndef EB_APP_DAEMON_API_EQUITY_H
#define EB_APP_DAEMON_API_EQUITY_H

#include "app/http/http_server.h"

#define EB_DAPI_EQUITY_LIMIT_DEFAULT 300
#define EB_DAPI_EQUITY_LIMIT_MAX 1000

/* ctx: the daemon. */
int eb_dapi_equity(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);

#endif
