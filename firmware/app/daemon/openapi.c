/* A fixed text, kept beside the routes it describes (api_routes.c); test_daemon_http checks that every
 * route is in it and that each operation has an operationId and a description (Open WebUI makes tools only
 * of those). Parameters would be inline: no operation takes any yet. */
#include "app/daemon/openapi.h"

#include "app/http/json_text.h"

#define JSON_REPLY(desc, schema)                                                                          \
    "\"description\":\"" desc "\",\"content\":{\"application/json\":{\"schema\":" schema "}}"

#define REASONS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define CONTROL_SCHEMA                                                                                    \
    "{\"type\":\"object\",\"required\":[\"ok\",\"changed\",\"message\",\"disarm_reasons\"],\"properties\":{" \
    "\"ok\":{\"type\":\"boolean\"},\"changed\":{\"type\":\"boolean\"},\"message\":{\"type\":\"string\"},"  \
    "\"disarm_reasons\":" REASONS "}}"
#define ERROR_REPLY(desc) "{\"description\":\"" desc "\",\"content\":{\"text/plain\":{\"schema\":{\"type\":\"string\"}}}}"

#define CONTROL(id, summary, desc, extra)                                                                 \
    "{\"post\":{\"operationId\":\"" id "\",\"summary\":\"" summary "\",\"description\":\"" desc "\","     \
    "\"security\":[{\"bearer\":[]}],\"responses\":{\"200\":{" JSON_REPLY("Done (or nothing to do).",       \
                                                                          CONTROL_SCHEMA) "},"            \
    "\"401\":" ERROR_REPLY("No or a wrong bearer token.") ","                                             \
    "\"403\":" ERROR_REPLY("Control is off: no token file is configured.") ","                          \
    "\"409\":{" JSON_REPLY("Refused; message says why.", CONTROL_SCHEMA) "}" extra "}}}"

static const char k_doc_head[] = "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"edgebox operator API\",\"version\":";

static const char k_doc_rest[] =
    ",\"description\":\"The trading appliance's state and its safe controls. The physical kill switch always "
    "wins over the API.\",\"license\":{\"name\":\"see the project\",\"identifier\":\"MIT\"}},"
    "\"servers\":[{\"url\":\"/\"}],"
    "\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}}},"
    "\"security\":[],"
    "\"paths\":{"
    "\"/health\":{\"get\":{\"operationId\":\"getHealth\",\"summary\":\"Is the box healthy\","
    "\"description\":\"ok, or unhealthy with the reasons (journal, stale data, kill-switch line fault, clock, "
    "start-up, unreconciled state).\",\"responses\":{"
    "\"200\":{" JSON_REPLY("Healthy.", "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"},"
                                       "\"reasons\":" REASONS "}}") "},"
    "\"405\":" ERROR_REPLY("Only GET and HEAD are allowed.") ","
    "\"503\":{" JSON_REPLY("Unhealthy; reasons say why.", "{\"type\":\"object\",\"properties\":{\"status\":{"
                                                          "\"type\":\"string\"},\"reasons\":" REASONS "}}") "}}}},"
    "\"/api/v1/status\":{\"get\":{\"operationId\":\"getStatus\",\"summary\":\"What the box is doing\","
    "\"description\":\"Armed or not and every disarm reason, the kill switch, bars handled, equity, the model "
    "and the lifecycle stage: what the box is doing, and why it is disarmed.\",\"responses\":{\"200\":{"
    JSON_REPLY("The state now.", "{\"type\":\"object\",\"properties\":{\"version\":{\"type\":\"string\"},"
               "\"mode\":{\"type\":\"string\"},\"armed\":{\"type\":\"boolean\"},\"disarm_reasons\":" REASONS ","
               "\"kill_switch\":{\"type\":\"string\"},\"bars\":{\"type\":\"integer\"},"
               "\"equity\":{\"type\":[\"number\",\"null\"]},\"model\":{\"type\":[\"string\",\"null\"]},"
               "\"lifecycle\":{\"type\":[\"string\",\"null\"]},\"uptime_seconds\":{\"type\":\"number\"}}}") "},"
    "\"405\":" ERROR_REPLY("Only GET and HEAD are allowed.") "}}},"
    "\"/api/v1/rearm\":" CONTROL("rearm", "Re-arm",
                                 "Re-arms a latched kill switch whose button is released, and switches trading "
                                 "back on after a disarm by the API. A pressed or unreadable button refuses (409).",
                                 ",\"503\":{" JSON_REPLY("The journal is failing: the master switch stays off.",
                                                          CONTROL_SCHEMA) "}") ","
    "\"/api/v1/disarm\":" CONTROL("disarm", "Disarm",
                                  "Switches trading off (master switch): no new positions until a re-arm. Stops "
                                  "keep being managed. Lasts until a re-arm, or a restart (the config's master switch then "
                                  "applies).",
                                  ",\"503\":{" JSON_REPLY("The journal is failing: not switched off.", CONTROL_SCHEMA) "}")
    "}}\n";

int eb_dopenapi_handler(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    eb_http_resp_write(r, k_doc_head, sizeof k_doc_head - 1);
    eb_json_str(r, EB_VERSION);
    eb_http_resp_write(r, k_doc_rest, sizeof k_doc_rest - 1);
    return 0;
}
