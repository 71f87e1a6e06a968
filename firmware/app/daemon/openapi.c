/* A fixed text, kept beside the routes it describes (api_routes.c); test_daemon_http checks that every
 * route is in it and that each operation has an operationId and a description (Open WebUI makes tools only
 * of those). Parameters are inline (Open WebUI does not follow $ref parameters). */
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

/* A read endpoint's error answers: {"error": "..."} (api_read.c). */
#define READ_ERROR(desc) "{" JSON_REPLY(desc, "{\"type\":\"object\",\"properties\":{\"error\":{\"type\":\"string\"}}}") "}"
#define LIMIT_PARAM                                                                                       \
    "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":\"How many rows, newest first "      \
    "(1..200, default 50).\",\"schema\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"default\":50}}"
#define NUM "{\"type\":[\"number\",\"null\"]}"
#define STR "{\"type\":\"string\"}"
#define INT "{\"type\":\"integer\"}"
#define ROWS(key, item)                                                                                   \
    "{\"type\":\"object\",\"properties\":{\"" key "\":{\"type\":\"array\",\"items\":" item "},"                 \
    "\"limit\":" INT ",\"truncated\":{\"type\":\"boolean\",\"description\":\"fewer rows than asked: the answer was "  \
    "full\"}}}"
#define READ_OP(id, summary, desc, params, schema, extra)                                                 \
    "{\"get\":{\"operationId\":\"" id "\",\"summary\":\"" summary "\",\"description\":\"" desc "\","           \
    "\"parameters\":[" params "],\"responses\":{\"200\":{" JSON_REPLY("The rows.", schema) "},"               \
    "\"400\":" READ_ERROR("A query parameter that is unknown, repeated or out of range.") ","                \
    "\"405\":" ERROR_REPLY("Only GET and HEAD are allowed.") extra "}}}"
#define TRADES_WINDOW                                                                                     \
    "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":\"How many closed trades, "   \
    "newest first (1..10000, default 1000).\",\"schema\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000,"   \
    "\"default\":1000}}"
#define GROUPS "{\"type\":\"array\",\"items\":{\"type\":\"object\"}}"
#define JOURNAL_BUSY ",\"500\":" READ_ERROR("The journal cannot be read.") ",\"503\":" READ_ERROR("The journal is busy; try again (Retry-After).")

#define CONTROL(id, summary, desc, extra)                                                                 \
    "{\"post\":{\"operationId\":\"" id "\",\"summary\":\"" summary "\",\"description\":\"" desc "\","     \
    "\"security\":[{\"bearer\":[]}],\"responses\":{\"200\":{" JSON_REPLY("Done (or nothing to do).",       \
                                                                          CONTROL_SCHEMA) "},"            \
    "\"401\":" ERROR_REPLY("No or a wrong bearer token.") ","                                             \
    "\"403\":" ERROR_REPLY("Control is off: no token file is configured.") ","                          \
    "\"409\":{" JSON_REPLY("Refused; message says why.", CONTROL_SCHEMA) "}" extra "}}}"

/* A control call with a JSON body: its schema inline, and the 400 a malformed one gets. */
#define CONTROL_JSON(id, summary, desc, body_schema, extra)                                               \
    "{\"post\":{\"operationId\":\"" id "\",\"summary\":\"" summary "\",\"description\":\"" desc "\","     \
    "\"security\":[{\"bearer\":[]}],\"requestBody\":{\"required\":true,\"content\":{\"application/json\":{"    \
    "\"schema\":" body_schema "}}},\"responses\":{\"200\":{" JSON_REPLY("Done (or nothing to do).", CONTROL_SCHEMA) "}," \
    "\"400\":{" JSON_REPLY("A malformed body; message says what is wrong.", CONTROL_SCHEMA) "},"              \
    "\"401\":" ERROR_REPLY("No or a wrong bearer token.") ","                                             \
    "\"403\":" ERROR_REPLY("Control is off: no token file is configured.") ","                          \
    "\"409\":{" JSON_REPLY("Refused; message says why.", CONTROL_SCHEMA) "}" extra "}}}"
#define JOURNAL_503 ",\"503\":{" JSON_REPLY("The journal is failing: nothing changed.", CONTROL_SCHEMA) "}"

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
               "\"lifecycle\":{\"type\":[\"string\",\"null\"]},\"tls_fingerprint\":{\"type\":[\"string\",\"null\"]},"
               "\"uptime_seconds\":{\"type\":\"number\"}}}") "},"
    "\"405\":" ERROR_REPLY("Only GET and HEAD are allowed.") "}}},"
    "\"/api/v1/positions\":" READ_OP("getPositions", "Open positions",
                                      "The positions open now and the entries pending, with side, quantity, entry, "
                                      "stop and its kind, and the profit at the last close in R.",
                                      "", "{\"type\":\"object\",\"properties\":{\"symbol\":" STR ",\"last_close\":" NUM
                                      ",\"positions\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}", "") ","
    "\"/api/v1/trades\":" READ_OP("getTrades", "Recent executions",
                                   "The newest fills from the journal: time, side, order type and why the order was "
                                   "sent (entry, or the exit's reason such as stop_loss or trailing_stop), "
                                   "quantity, price and fee.",
                                   LIMIT_PARAM, ROWS("trades", "{\"type\":\"object\"}"), JOURNAL_BUSY) ","
    "\"/api/v1/events\":" READ_OP("getEvents", "Recent events",
                                   "The newest journal events: starts and stops, kill switch, arming changes and "
                                   "their reasons, breakers, models, lifecycle, stale data, closed trades, errors.",
                                   LIMIT_PARAM ",{\"name\":\"kind\",\"in\":\"query\",\"required\":false,"
                                   "\"description\":\"Only events of this kind.\",\"schema\":{\"type\":\"string\","
                                   "\"enum\":[\"start\",\"stop\",\"kill_switch\",\"arming\",\"breaker\",\"model\","
                                   "\"lifecycle\",\"reconcile\",\"stale_data\",\"trade\",\"error\",\"config\"]}}",
                                   ROWS("events", "{\"type\":\"object\",\"properties\":{\"id\":" INT
                                        ",\"time_ms\":" INT ",\"kind\":" STR ",\"detail\":" STR "}}"),
                                   JOURNAL_BUSY) ","
    "\"/api/v1/decisions\":" READ_OP("getDecisions", "Recent decisions",
                                      "The engine's newest decisions from the journal, one per bar: the action "
                                      "(hold, enter, exit, refused), the model's class probabilities, the refusal "
                                      "reason and the model id.",
                                      LIMIT_PARAM, ROWS("decisions", "{\"type\":\"object\",\"properties\":{\"id\":" INT
                                                        ",\"bar_ms\":" INT ",\"action\":" STR ",\"p_buy\":" NUM
                                                        ",\"p_sell\":" NUM ",\"p_neutral\":" NUM "}}"),
                                      JOURNAL_BUSY) ","
    "\"/api/v1/equity\":" READ_OP("getEquity", "The equity curve",
                                   "The newest equity points from the journal (one per bar: [bar open time ms, "
                                   "equity]), newest first, with the newest bar's time and its age in seconds.",
                                   "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":"
                                   "\"How many points, newest first (1..1000, default 300).\",\"schema\":{\"type\":"
                                   "\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":300}}",
                                   "{\"type\":\"object\",\"properties\":{\"last_bar_ms\":{\"type\":[\"integer\","
                                   "\"null\"]},\"data_age_seconds\":" NUM ",\"stale\":{\"type\":\"boolean\"},"
                                   "\"points\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":"
                                   "{\"type\":\"number\"}}},\"limit\":" INT ",\"truncated\":{\"type\":\"boolean\"}}}",
                                   JOURNAL_BUSY) ","
    "\"/api/v1/lifecycle\":" READ_OP("getLifecycle", "The strategy's lifecycle",
                                      "The lifecycle stage (candidate, incubation, production, retired), since "
                                      "when, the trades closed since, and what the promotion or demotion rule "
                                      "says at the last bar and why.",
                                      "", "{\"type\":\"object\",\"properties\":{\"strategy\":" STR ",\"stage\":" STR
                                      ",\"since_ms\":{\"type\":[\"integer\",\"null\"]},\"trades\":{\"type\":[\"integer\","
                                      "\"null\"]},\"rule\":{\"type\":[\"object\",\"null\"]}}}", "") ","
    "\"/api/v1/config\":" READ_OP("getConfig", "The configuration",
                                   "The config file as loaded, every secret's value replaced by [redacted], and "
                                   "the values the command line changed.",
                                   "", "{\"type\":\"object\",\"properties\":{\"path\":" STR
                                   ",\"effective\":{\"type\":\"object\"},\"config\":{\"type\":\"object\"}}}",
                                   ",\"500\":" READ_ERROR("The config was too large to keep.")) ","
    "\"/api/v1/performance\":" READ_OP("getPerformance", "How the strategy did",
                                        "Over the newest closed trades in the journal (?limit=): trades, wins, win "
                                        "rate, expectancy and total in R, profit factor, total pnl, best and worst "
                                        "trade in R, the average time held, and the realised equity's deepest and "
                                        "current drawdown in percent, with the equity at start, realised and now. "
                                        "Ratios without trades (or without losses, the profit factor) are null.",
                                        TRADES_WINDOW, "{\"type\":\"object\",\"properties\":{\"trades\":" INT
                                        ",\"wins\":" INT ",\"win_rate\":" NUM ",\"expectancy_r\":" NUM
                                        ",\"total_r\":" NUM ",\"profit_factor\":" NUM ",\"total_pnl\":" NUM
                                        ",\"best_r\":" NUM ",\"worst_r\":" NUM ",\"avg_hold_seconds\":" NUM
                                        ",\"max_drawdown_pct\":" NUM ",\"current_drawdown_pct\":" NUM
                                        ",\"equity_start\":" NUM ",\"equity_realised\":" NUM ",\"equity_now\":" NUM
                                        ",\"first_exit_ms\":" NUM ",\"last_exit_ms\":" NUM ",\"unparsed\":" INT
                                        ",\"limit\":" INT "}}", JOURNAL_BUSY) ","
    "\"/api/v1/analysis\":" READ_OP("getAnalysis", "Why the strategy did so",
                                     "The same closed trades broken down by exit reason (stop_loss, "
                                     "breakeven_stop, trailing_stop, signal, ...), by side, by the exit's UTC hour "
                                     "and by its UTC weekday: each group's trades, wins, win rate, expectancy and "
                                     "total in R, profit factor and total pnl.",
                                     TRADES_WINDOW, "{\"type\":\"object\",\"properties\":{\"trades\":" INT
                                     ",\"by_exit_reason\":" GROUPS ",\"by_side\":" GROUPS ",\"by_exit_hour_utc\":"
                                     GROUPS ",\"by_exit_weekday_utc\":" GROUPS ",\"unparsed\":" INT ",\"limit\":"
                                     INT "}}", JOURNAL_BUSY) ","
    "\"/api/v1/rearm\":" CONTROL("rearm", "Re-arm",
                                 "Re-arms a latched kill switch whose button is released, and switches trading "
                                 "back on after a disarm by the API. A pressed or unreadable button refuses (409).",
                                 ",\"503\":{" JSON_REPLY("The journal is failing: the master switch stays off.",
                                                          CONTROL_SCHEMA) "}") ","
    "\"/api/v1/disarm\":" CONTROL("disarm", "Disarm",
                                  "The same as POST /api/v1/halt (its older name).",
                                  ",\"503\":{" JSON_REPLY("The journal is failing: not switched off.", CONTROL_SCHEMA) "}") ","
    "\"/api/v1/halt\":" CONTROL("halt", "Halt trading",
                                "Switches trading off (master switch): no new positions until a re-arm, also "
                                "after a restart. Stops keep being managed; open positions stay (flatten closes "
                                "them).",
                                ",\"503\":{" JSON_REPLY("The journal is failing: not switched off.", CONTROL_SCHEMA) "}") ","
    "\"/api/v1/flatten\":" CONTROL("flatten", "Close every position",
                                   "Closes every open position now at the last price and cancels the entries "
                                   "still pending, journalled in one transaction. Trading stays armed: halt "
                                   "first to stop new entries. 409 when nothing is open.", JOURNAL_503) ","
    "\"/api/v1/mode\":" CONTROL_JSON("setMode", "Paper or live",
                                     "Sets the trading mode. paper is what this build runs (no change); live is "
                                     "refused (409) until the live gate allows it: live trading is not available "
                                     "in this build.",
                                     "{\"type\":\"object\",\"required\":[\"mode\"],\"properties\":{\"mode\":{"
                                     "\"type\":\"string\",\"enum\":[\"paper\",\"live\"]}}}", "") ","
    "\"/api/v1/lifecycle/consent\":" CONTROL_JSON("giveConsent", "Consent to promotion",
                                                  "The operator's consent that the lifecycle rule asks for before "
                                                  "the running model goes to production: named by its model id "
                                                  "(another id is refused, 409), kept in the journal.",
                                                  "{\"type\":\"object\",\"required\":[\"model_id\",\"stage\"],"
                                                  "\"properties\":{\"model_id\":" STR ",\"stage\":{\"type\":"
                                                  "\"string\",\"enum\":[\"production\"]}}}", JOURNAL_503) ","
    "\"/api/v1/model\":{\"post\":{\"operationId\":\"uploadModel\",\"summary\":\"Upload a signed model\","
    "\"description\":\"A signed model blob (edgebox model sign) as the body, streamed into the model drop "
    "directory. The box verifies it, installs it into the free slot and swaps it between two bars; the result "
    "shows in GET /api/v1/status (model) and GET /api/v1/events (kind model). Larger than "
    "appliance.max_model_kib: 413, the running model untouched.\",\"security\":[{\"bearer\":[]}],"
    "\"requestBody\":{\"required\":true,\"content\":{\"application/octet-stream\":{\"schema\":{"
    "\"type\":\"string\",\"contentEncoding\":\"binary\"}}}},\"responses\":{"
    "\"202\":{" JSON_REPLY("Received; verified and installed next (or refused, see the events).", CONTROL_SCHEMA) "},"
    "\"400\":" ERROR_REPLY("An empty body, or not application/octet-stream.") ","
    "\"401\":" ERROR_REPLY("No or a wrong bearer token.") ","
    "\"403\":" ERROR_REPLY("Control is off: no token file is configured.") ","
    "\"409\":" ERROR_REPLY("Another upload is in progress, or no public key is configured.") ","
    "\"413\":" ERROR_REPLY("Larger than appliance.max_model_kib: nothing is written.") ","
    "\"500\":" ERROR_REPLY("The upload could not be written.") ","
    "\"503\":" ERROR_REPLY("The journal is failing: no model is accepted now.") "}}}"
    "}}\n";

int eb_dopenapi_handler(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)ctx, (void)req, (void)body;
    eb_http_resp_write(r, k_doc_head, sizeof k_doc_head - 1);
    eb_json_str(r, EB_VERSION);
    eb_http_resp_write(r, k_doc_rest, sizeof k_doc_rest - 1);
    return 0;
}
