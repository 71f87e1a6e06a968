/* The read endpoints' error answers (api_read.c, api_equity.c, api_perf.c): {"error":"..."} with its
 * status, replacing whatever was written so far, and the two ways the journal's reader fails. */
#ifndef EB_APP_DAEMON_API_ERRORS_H
#define EB_APP_DAEMON_API_ERRORS_H

#include "app/daemon/internal.h"
#include "app/http/http_conn.h"

/* Clears the answer and writes {"error":why} with status. Returns 0 (what a handler returns). */
int eb_dapi_error(eb_http_resp_t *r, int status, const char *why);
/* 503: the read-only connection did not open at start. */
int eb_dapi_no_reader(eb_http_resp_t *r);
/* A failed walk (rc < 0 from eb_journal_read_*): 503 with Retry-After when the journal was busy, else 500,
 * with the reader's message. */
int eb_dapi_read_failed(const eb_daemon_t *d, eb_http_resp_t *r, int rc);

#endif
