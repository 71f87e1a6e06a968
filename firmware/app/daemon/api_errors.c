#include "app/daemon/api_errors.h"

#include "app/daemon/http_state.h"
#include "app/http/json_text.h"
#include "app/journal_read.h"

#include <stdio.h>

int eb_dapi_error(eb_http_resp_t *r, int status, const char *why)
{
    r->len = 0;
    r->overflow = 0;
    r->status = status;
    eb_http_resp_printf(r, "{\"error\":");
    eb_json_str(r, why);
    eb_http_resp_printf(r, "}\n");
    return 0;
}

int eb_dapi_no_reader(eb_http_resp_t *r)
{
    return eb_dapi_error(r, 503,
                         "the journal cannot be read: its read-only connection did not open at start (see the log)");
}

int eb_dapi_read_failed(const eb_daemon_t *d, eb_http_resp_t *r, int rc)
{
    char why[700];
    snprintf(why, sizeof why, "the journal cannot be read: %s", eb_journal_reader_error(d->http->reader));
    if (rc == EB_JOURNAL_READ_BUSY)
        r->headers = "Retry-After: 1\r\n";
    return eb_dapi_error(r, rc == EB_JOURNAL_READ_BUSY ? 503 : 500, why);
}
