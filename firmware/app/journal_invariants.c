/* The journal's own invariants, checked at every start before anything writes. SQLite's quick_check sees
 * only its pages: a few flipped bytes inside a row (a client id, a state name) pass it, and the daemon
 * would resume on an order log that points to no order. Everything the schema and the writers imply is
 * checked here, and the first violation is refused naming the table, the row id and what is wrong:
 *  - every column holds the type and range its CHECK and the writers give it (client ids 1..36 characters
 *    of [A-Za-z0-9_-], state and kind names from their lists, times as integer UTC milliseconds between
 *    1970 and 2200, money as reals);
 *  - every order_log and fills row belongs to an order;
 *  - an order's log starts with its intent, each transition is one the state machine allows, starts
 *    where the last one ended, and the last one is the order's state;
 *  - the row ids of the append-only tables (order_log, fills, decisions, events) run 1..N without a gap:
 *    nothing ever deletes from them, so a gap is a lost row. */
#include "app/journal_internal.h"

#include "common/errf.h"

#include <stdio.h>
#include <string.h>

#define UNTOUCHED EB_JOURNAL_UNTOUCHED

#define ID_OK(c) "(typeof(" c ") = 'text' AND length(CAST(" c " AS BLOB)) BETWEEN 1 AND 36 AND " c \
                 " NOT GLOB '*[^A-Za-z0-9_-]*')"
#define STATES "('intent','sent','acknowledged','partially_filled','filled','cancelled','rejected','unknown')"
/* times are UTC milliseconds: integers from 1970 to 2200 (a flipped high byte leaves that range) */
#define INT_OK(c) "(typeof(" c ") = 'integer' AND " c " BETWEEN 0 AND 7258118400000)"
#define REAL_OK(c) "typeof(" c ") = 'real'"
#define REAL_OR_NULL(c) "typeof(" c ") IN ('real', 'null')"

typedef struct {
    const char *table, *holds, *what;
} rule_t;

/* Each rule: a row of `table` where `holds` is not true is damage. */
static const rule_t rules[] = {
    {"orders", ID_OK("client_id"), "client_id is not 1..36 characters of [A-Za-z0-9_-]"},
    {"orders", "typeof(exchange_id) = 'text' AND typeof(symbol) = 'text' AND length(symbol) > 0 AND "
               "typeof(type) = 'text' AND typeof(reason) = 'text'", "a text column (exchange_id, symbol, type, "
               "reason) does not hold text"},
    {"orders", "state IN " STATES, "state is not an order state"},
    {"orders", "side IN (-1, 1) AND " REAL_OK("qty") " AND qty > 0", "side or qty out of range"},
    {"orders", REAL_OK("filled_qty") " AND filled_qty >= 0 AND filled_qty <= qty * (1 + 1e-12)",
     "filled_qty is not within 0..qty"},
    {"orders", REAL_OR_NULL("price") " AND " REAL_OR_NULL("stop_price") " AND " REAL_OR_NULL("avg_price"),
     "a price is not a number"},
    {"orders", INT_OK("bar_ms") " AND " INT_OK("created_ms") " AND " INT_OK("updated_ms"),
     "a time (bar_ms, created_ms, updated_ms) is not a UTC millisecond time"},
    {"order_log", ID_OK("client_id"), "client_id is not 1..36 characters of [A-Za-z0-9_-]"},
    {"order_log", "client_id IN (SELECT client_id FROM orders)", "client_id names no order"},
    {"order_log", "to_state IN " STATES " AND (from_state IS NULL OR from_state IN " STATES ")",
     "from_state or to_state is not an order state"},
    {"order_log", INT_OK("time_ms") " AND typeof(detail) = 'text'", "time_ms or detail is out of range or of the wrong type"},
    {"fills", ID_OK("client_id"), "client_id is not 1..36 characters of [A-Za-z0-9_-]"},
    {"fills", "client_id IN (SELECT client_id FROM orders)", "client_id names no order"},
    {"fills", "typeof(trade_id) = 'text' AND " REAL_OK("qty") " AND qty > 0 AND " REAL_OK("price") " AND price > 0 "
              "AND " REAL_OK("fee") " AND " INT_OK("time_ms"), "trade_id, qty, price, fee or time_ms out of range"},
    {"positions", "side IN (-1, 1) AND " REAL_OK("qty") " AND qty >= 0 AND " REAL_OK("qty_initial") " AND "
                  REAL_OK("entry") " AND " REAL_OK("r_dist") " AND " REAL_OK("stop") " AND " INT_OK("opened_ms")
                  " AND " INT_OK("updated_ms"), "a column is out of range or of the wrong type"},
    {"equity", INT_OK("time_ms") " AND " REAL_OK("equity") " AND " REAL_OK("cash") " AND " REAL_OK("unrealized"),
     "time_ms, equity, cash or unrealized is out of range or of the wrong type"},
    {"decisions", INT_OK("bar_ms") " AND typeof(action) = 'text' AND " REAL_OR_NULL("p_buy") " AND "
                  REAL_OR_NULL("p_sell") " AND " REAL_OR_NULL("p_neutral") " AND typeof(reason) = 'text' AND "
                  "typeof(model_id) = 'text'", "a column is out of range or of the wrong type"},
    {"events", INT_OK("time_ms") " AND kind IN ('start','stop','kill_switch','arming','breaker','model','lifecycle',"
               "'reconcile','stale_data','trade','error','config') AND typeof(detail) = 'text'",
     "time_ms, kind or detail is not allowed"},
    {"state", "typeof(key) = 'text' AND typeof(value) = 'text' AND " INT_OK("updated_ms") " AND "
              "(key <> 'killswitch.latched' OR value IN ('0', '1'))", "key, value or updated_ms is not allowed"},
    {"lifecycle", "stage IN ('candidate','incubation','production','retired') AND " INT_OK("since_ms"),
     "stage or since_ms is not allowed"},
};

static const char *const append_only[] = {"order_log", "fills", "decisions", "events"};

static int sql_error(sqlite3 *db, const char *path, const char *table, char *err, size_t cap)
{
    return eb_errf(err, cap, "journal %s is corrupt (checking table %s: %s)" UNTOUCHED, path, table,
                   sqlite3_errmsg(db));
}

/* The first rowid the statement returns into *row: 1 found, 0 none, -1 error. */
static int first_row(sqlite3 *db, const char *sql, long long *row)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1)
        *row = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return found;
}

static int check_rules(sqlite3 *db, const char *path, char *err, size_t cap)
{
    char sql[1024];
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        long long row = 0;
        snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE NOT coalesce((%s), 0) ORDER BY rowid LIMIT 1",
                 rules[i].table, rules[i].holds);
        int found = first_row(db, sql, &row);
        if (found < 0)
            return sql_error(db, path, rules[i].table, err, cap);
        if (found)
            return eb_errf(err, cap, "journal %s is damaged: table %s, row id %lld: %s" UNTOUCHED, path,
                           rules[i].table, row, rules[i].what);
    }
    return 0;
}

/* ids 1..N: the first id after which the next is missing, when count(*) says one is. */
static int check_sequences(sqlite3 *db, const char *path, char *err, size_t cap)
{
    char sql[512];
    for (size_t i = 0; i < sizeof append_only / sizeof append_only[0]; i++) {
        const char *t = append_only[i];
        long long row = 0;
        snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) - count(*) FROM %s", t);
        if (first_row(db, sql, &row) < 0)
            return sql_error(db, path, t, err, cap);
        if (row == 0)
            continue;
        snprintf(sql, sizeof sql, "SELECT id FROM (SELECT 0 AS id UNION ALL SELECT id FROM %s) a WHERE id < "
                 "(SELECT max(id) FROM %s) AND NOT EXISTS (SELECT 1 FROM %s b WHERE b.id = a.id + 1) ORDER BY id "
                 "LIMIT 1", t, t, t);
        int found = first_row(db, sql, &row);
        if (found < 0)
            return sql_error(db, path, t, err, cap);
        return eb_errf(err, cap, "journal %s is damaged: table %s, row id %lld is missing (ids must run from 1 "
                       "without a gap: rows are never deleted)" UNTOUCHED, path, t, found ? row + 1 : 0);
    }
    return 0;
}

/* Each order's log, in id order: intent first, then allowed transitions, each from where the last ended,
 * the last one being the order's state. */
static int check_order_logs(sqlite3 *db, const char *path, char *err, size_t cap)
{
    static const char sql[] =
        "SELECT l.id, l.client_id, l.from_state, l.to_state, o.state, "
        " lag(l.to_state) OVER w, lead(l.id) OVER w IS NULL, o.rowid FROM order_log l JOIN orders o USING(client_id) "
        "WINDOW w AS (PARTITION BY l.client_id ORDER BY l.id) ORDER BY l.client_id, l.id";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    const char *what = NULL;
    long long row = 0;
    while (rc == SQLITE_OK && !what && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        row = sqlite3_column_int64(st, 0);
        const char *from = (const char *)sqlite3_column_text(st, 2), *to = (const char *)sqlite3_column_text(st, 3);
        const char *order = (const char *)sqlite3_column_text(st, 4), *prev = (const char *)sqlite3_column_text(st, 5);
        int last = sqlite3_column_int(st, 6);
        eb_order_state_t f = EB_ORDER_INTENT, t = EB_ORDER_INTENT;
        if (!to || eb_order_state_from_name(to, &t) != 0 || (from && eb_order_state_from_name(from, &f) != 0))
            what = "a state is not an order state";
        else if (!prev && (from || t != EB_ORDER_INTENT))
            what = "the order's first log row is not its intent (from NULL to intent)";
        else if (prev && (!from || strcmp(from, prev) != 0))
            what = "the transition does not start where the order's previous one ended";
        else if (prev && !eb_order_transition_ok(f, t))
            what = "the transition is not one the order state machine allows";
        else if (last && (!order || strcmp(order, to) != 0))
            what = "the order's last transition does not end in the order's state";
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return sql_error(db, path, "order_log", err, cap);
    }
    sqlite3_finalize(st);
    if (what)
        return eb_errf(err, cap, "journal %s is damaged: table order_log, row id %lld: %s" UNTOUCHED, path, row, what);
    /* an order with no log at all */
    if (first_row(db, "SELECT rowid FROM orders WHERE client_id NOT IN (SELECT client_id FROM order_log) "
                      "ORDER BY rowid LIMIT 1", &row) != 0)
        return row ? eb_errf(err, cap, "journal %s is damaged: table orders, row id %lld: the order has no "
                             "order_log row" UNTOUCHED, path, row) : sql_error(db, path, "orders", err, cap);
    return 0;
}

int eb_journal_check_invariants(sqlite3 *db, const char *path, char *err, size_t err_cap)
{
    if (check_rules(db, path, err, err_cap) != 0 || check_sequences(db, path, err, err_cap) != 0 ||
        check_order_logs(db, path, err, err_cap) != 0)
        return -1;
    return 0;
}
