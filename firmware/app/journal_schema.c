/* The journal's schema (docs/journal.md) and every statement the daemon runs on it. Changing the schema
 * means bumping EB_JOURNAL_SCHEMA_VERSION: an older file is then refused, never silently reused. */
#include "app/journal_internal.h"

const char eb_journal_schema_sql[] =
    "CREATE TABLE orders("
    " client_id TEXT PRIMARY KEY CHECK(length(client_id) BETWEEN 1 AND 36),"
    " exchange_id TEXT NOT NULL DEFAULT '',"
    " symbol TEXT NOT NULL CHECK(length(symbol) > 0),"
    " type TEXT NOT NULL,"
    " side INTEGER NOT NULL CHECK(side IN (-1, 1)),"
    " qty REAL NOT NULL CHECK(qty > 0),"
    " price REAL, stop_price REAL,"
    " state TEXT NOT NULL CHECK(state IN ('intent','sent','acknowledged','partially_filled','filled',"
    "  'cancelled','rejected','unknown')),"
    " filled_qty REAL NOT NULL DEFAULT 0 CHECK(filled_qty >= 0),"
    " avg_price REAL,"
    " bar_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX orders_open ON orders(created_ms) WHERE state NOT IN ('filled','cancelled','rejected');"
    "CREATE TABLE order_log("
    " id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES orders(client_id),"
    " time_ms INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE fills("
    " id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES orders(client_id),"
    " trade_id TEXT NOT NULL, qty REAL NOT NULL CHECK(qty > 0), price REAL NOT NULL CHECK(price > 0),"
    " fee REAL NOT NULL DEFAULT 0, fee_asset TEXT NOT NULL DEFAULT '', time_ms INTEGER NOT NULL,"
    " UNIQUE(client_id, trade_id));"
    "CREATE TABLE positions("
    " symbol TEXT PRIMARY KEY, side INTEGER NOT NULL CHECK(side IN (-1, 1)), qty REAL NOT NULL CHECK(qty >= 0),"
    " qty_initial REAL NOT NULL, entry REAL NOT NULL, r_dist REAL NOT NULL, stop REAL NOT NULL,"
    " stop_kind INTEGER NOT NULL DEFAULT 0, trailing INTEGER NOT NULL DEFAULT 0,"
    " partial_done INTEGER NOT NULL DEFAULT 0, opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE equity("
    " time_ms INTEGER PRIMARY KEY, equity REAL NOT NULL, cash REAL NOT NULL, unrealized REAL NOT NULL);"
    "CREATE TABLE decisions("
    " id INTEGER PRIMARY KEY, bar_ms INTEGER NOT NULL, action TEXT NOT NULL, p_buy REAL, p_sell REAL,"
    " p_neutral REAL, reason TEXT NOT NULL DEFAULT '', model_id TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX decisions_bar ON decisions(bar_ms);"
    "CREATE TABLE events("
    " id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('start','stop',"
    "  'kill_switch','arming','breaker','model','lifecycle','reconcile','stale_data','trade','error','config')),"
    " detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX events_kind ON events(kind, id);"
    "CREATE TABLE state(key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE lifecycle("
    " strategy TEXT PRIMARY KEY, stage TEXT NOT NULL CHECK(stage IN ('candidate','incubation','production',"
    "  'retired')), since_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);";

const char *const eb_journal_tables[] = {"orders", "order_log", "fills", "positions", "equity", "decisions",
                                         "events", "state", "lifecycle", NULL};

#define ORDER_COLS "client_id, exchange_id, symbol, type, side, qty, price, stop_price, state, filled_qty, " \
                   "avg_price, bar_ms, created_ms, updated_ms, reason"
#define POS_COLS "symbol, side, qty, qty_initial, entry, r_dist, stop, stop_kind, trailing, partial_done, " \
                 "opened_ms, updated_ms"

const char *const eb_journal_sql[JS_COUNT] = {
    [JS_BEGIN] = "BEGIN IMMEDIATE",
    [JS_COMMIT] = "COMMIT",
    [JS_ROLLBACK] = "ROLLBACK",
    [JS_SAVEPOINT] = "SAVEPOINT eb_step",
    [JS_RELEASE] = "RELEASE eb_step",
    [JS_ROLLBACK_TO] = "ROLLBACK TO eb_step",
    [JS_ORDER_INSERT] = "INSERT INTO orders(" ORDER_COLS ") VALUES(?,?,?,?,?,?,?,?,'intent',0,NULL,?,?,?,?)",
    [JS_ORDER_GET] = "SELECT " ORDER_COLS " FROM orders WHERE client_id = ?",
    [JS_ORDER_UPDATE] = "UPDATE orders SET state = ?2, exchange_id = ?3, filled_qty = ?4, avg_price = ?5, "
                        "updated_ms = ?6 WHERE client_id = ?1",
    [JS_ORDER_LOG] = "INSERT INTO order_log(client_id, time_ms, from_state, to_state, detail) VALUES(?,?,?,?,?)",
    [JS_ORDERS_OPEN] = "SELECT " ORDER_COLS " FROM orders WHERE state NOT IN ('filled','cancelled','rejected') "
                       "ORDER BY created_ms, rowid",
    [JS_FILL_INSERT] = "INSERT OR IGNORE INTO fills(client_id, trade_id, qty, price, fee, fee_asset, time_ms) "
                       "VALUES(?,?,?,?,?,?,?)",
    [JS_POS_PUT] = "INSERT OR REPLACE INTO positions(" POS_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    [JS_POS_DELETE] = "DELETE FROM positions WHERE symbol = ?",
    [JS_POS_ALL] = "SELECT " POS_COLS " FROM positions ORDER BY symbol",
    [JS_EQ_PUT] = "INSERT OR REPLACE INTO equity(time_ms, equity, cash, unrealized) VALUES(?,?,?,?)",
    [JS_EQ_LAST] = "SELECT time_ms, equity, cash, unrealized FROM equity ORDER BY time_ms DESC LIMIT 1",
    [JS_DECISION_INSERT] = "INSERT INTO decisions(bar_ms, action, p_buy, p_sell, p_neutral, reason, model_id) "
                           "VALUES(?,?,?,?,?,?,?)",
    [JS_EVENT_INSERT] = "INSERT INTO events(time_ms, kind, detail) VALUES(?,?,?)",
    [JS_EVENTS_RECENT] = "SELECT id, time_ms, kind, detail FROM events ORDER BY id DESC LIMIT ?",
    [JS_EVENTS_RECENT_KIND] = "SELECT id, time_ms, kind, detail FROM events WHERE kind = ?2 ORDER BY id DESC LIMIT ?1",
    [JS_STATE_SET] = "INSERT INTO state(key, value, updated_ms) VALUES(?,?,?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
    [JS_STATE_GET] = "SELECT value FROM state WHERE key = ?",
    [JS_LC_SET] = "INSERT INTO lifecycle(strategy, stage, since_ms, updated_ms) VALUES(?,?,?,?) "
                  "ON CONFLICT(strategy) DO UPDATE SET stage = excluded.stage, since_ms = excluded.since_ms, "
                  "updated_ms = excluded.updated_ms",
    [JS_LC_GET] = "SELECT stage, since_ms FROM lifecycle WHERE strategy = ?",
};
