/* GET /openapi.json: the OpenAPI 3.1 description of the operator surface, for Open WebUI's tool servers
 * and other generated clients (docs/api.md "OpenAPI"). */
#ifndef EB_APP_DAEMON_OPENAPI_H
#define EB_APP_DAEMON_OPENAPI_H

#include "app/http/http_server.h"

/* An eb_http_handler_t: the document, with the build's version. */
int eb_dopenapi_handler(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);

#endif
