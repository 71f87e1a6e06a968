/* The journal's read-only connection (journal_read.h). */
#include "app/journal_read.h"

#include "app/journal_internal.h"
#include "common/errf.h"

#include <stdio.h>
#include <stdlib.h>

enum { RS_EVENTS, RS_EVENTS_KIND, RS_TRADES, RS_DECISIONS, RS_EQUITY, RS_COUNT };

static const char *const k_sql[RS_COUNT] = {
    [RS_EVENTS] = "SELECT id, time_ms, kind, detail FROM events ORDER BY id DESC LIMIT ?1",
    [RS_EVENTS_KIND] = "SELECT id, time_ms, kind, detail FROM events WHERE kind = ?2 ORDER BY id DESC LIMIT ?1",
    [RS_TRADES] = "SELECT f.id, f.time_ms, f.client_id, f.trade_id, o.symbol, o.side, o.type, o.reason, f.qty, "
                  "f.price, f.fee, f.fee_asset FROM fills f JOIN orders o USING(client_id) ORDER BY f.id DESC LIMIT ?1",
    [RS_DECISIONS] = "SELECT id, bar_ms, action, p_buy, p_sell, p_neutral, reason, model_id FROM decisions "
                     "ORDER BY id DESC LIMIT ?1",
    [RS_EQUITY] = "SELECT time_ms, equity, cash, unrealized FROM equity ORDER BY time_ms DESC LIMIT ?1",
};

struct eb_journal_reader {
    sqlite3 *db;
    sqlite3_stmt *st[RS_COUNT];
    char err[600];
};

void eb_journal_reader_close(eb_journal_reader_t *r)
{
    if (!r)
        return;
    for (int i = 0; i < RS_COUNT; i++)
        sqlite3_finalize(r->st[i]);
    sqlite3_close(r->db);
    free(r);
}

int eb_journal_reader_open(eb_journal_reader_t **out, const char *path, char *err, size_t cap)
{
    *out = NULL;
    eb_journal_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return eb_errf(err, cap, "journal reader %s: no memory", path);
    int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
    /* query_only: nothing through this connection can write, whatever a statement says; a small page cache
     * bounds what the reads take from the arena */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(r->db, "PRAGMA query_only=1; PRAGMA cache_size=-256;", NULL, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < RS_COUNT; i++)
        rc = sqlite3_prepare_v3(r->db, k_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i], NULL);
    if (rc != SQLITE_OK) {
        eb_errf(err, cap, "journal reader %s: %s", path, r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
        eb_journal_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

const char *eb_journal_reader_error(const eb_journal_reader_t *r) { return r->err; }

/* The end of a walk: the read transaction ends with the reset, so no checkpoint waits on a reader. */
static int walk_end(eb_journal_reader_t *r, sqlite3_stmt *st, int n, int stopped, int rc, const char *what)
{
    int out = n;
    if (!stopped && rc != SQLITE_DONE) {
        out = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? EB_JOURNAL_READ_BUSY : -1;
        snprintf(r->err, sizeof r->err, "reading %s: %s", what, sqlite3_errmsg(r->db));
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

int eb_journal_read_events(eb_journal_reader_t *r, const char *kind, int limit,
                           int (*cb)(void *ctx, const eb_journal_event_t *e), void *ctx)
{
    sqlite3_stmt *st = r->st[kind ? RS_EVENTS_KIND : RS_EVENTS];
    sqlite3_bind_int(st, 1, limit);
    if (kind)
        eb_journal_bind_text(st, 2, kind);
    int n = 0, stopped = 0, rc = SQLITE_DONE;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eb_journal_event_t e;
        e.id = sqlite3_column_int64(st, 0);
        e.time_ms = sqlite3_column_int64(st, 1);
        eb_journal_col_text(st, 2, e.kind, sizeof e.kind);
        eb_journal_col_text(st, 3, e.detail, sizeof e.detail);
        n++;
        stopped = cb(ctx, &e) != 0;
    }
    return walk_end(r, st, n, stopped, rc, "events");
}

int eb_journal_read_trades(eb_journal_reader_t *r, int limit, int (*cb)(void *ctx, const eb_journal_trade_t *t),
                           void *ctx)
{
    sqlite3_stmt *st = r->st[RS_TRADES];
    sqlite3_bind_int(st, 1, limit);
    int n = 0, stopped = 0, rc = SQLITE_DONE;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eb_journal_trade_t t;
        t.id = sqlite3_column_int64(st, 0);
        t.time_ms = sqlite3_column_int64(st, 1);
        eb_journal_col_text(st, 2, t.client_id, sizeof t.client_id);
        eb_journal_col_text(st, 3, t.trade_id, sizeof t.trade_id);
        eb_journal_col_text(st, 4, t.symbol, sizeof t.symbol);
        t.side = sqlite3_column_int(st, 5);
        eb_journal_col_text(st, 6, t.type, sizeof t.type);
        eb_journal_col_text(st, 7, t.reason, sizeof t.reason);
        t.qty = eb_journal_col_real(st, 8);
        t.price = eb_journal_col_real(st, 9);
        t.fee = eb_journal_col_real(st, 10);
        eb_journal_col_text(st, 11, t.fee_asset, sizeof t.fee_asset);
        n++;
        stopped = cb(ctx, &t) != 0;
    }
    return walk_end(r, st, n, stopped, rc, "trades");
}

int eb_journal_read_decisions(eb_journal_reader_t *r, int limit,
                              int (*cb)(void *ctx, int64_t id, const eb_journal_decision_t *d), void *ctx)
{
    sqlite3_stmt *st = r->st[RS_DECISIONS];
    sqlite3_bind_int(st, 1, limit);
    int n = 0, stopped = 0, rc = SQLITE_DONE;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eb_journal_decision_t dn;
        int64_t id = sqlite3_column_int64(st, 0);
        dn.bar_ms = sqlite3_column_int64(st, 1);
        eb_journal_col_text(st, 2, dn.action, sizeof dn.action);
        dn.p_buy = eb_journal_col_real(st, 3);
        dn.p_sell = eb_journal_col_real(st, 4);
        dn.p_neutral = eb_journal_col_real(st, 5);
        eb_journal_col_text(st, 6, dn.reason, sizeof dn.reason);
        eb_journal_col_text(st, 7, dn.model_id, sizeof dn.model_id);
        n++;
        stopped = cb(ctx, id, &dn) != 0;
    }
    return walk_end(r, st, n, stopped, rc, "decisions");
}

int eb_journal_read_equity(eb_journal_reader_t *r, int limit, int (*cb)(void *ctx, const eb_journal_equity_t *e),
                           void *ctx)
{
    sqlite3_stmt *st = r->st[RS_EQUITY];
    sqlite3_bind_int(st, 1, limit);
    int n = 0, stopped = 0, rc = SQLITE_DONE;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eb_journal_equity_t e = {sqlite3_column_int64(st, 0), eb_journal_col_real(st, 1), eb_journal_col_real(st, 2),
                                 eb_journal_col_real(st, 3)};
        n++;
        stopped = cb(ctx, &e) != 0;
    }
    return walk_end(r, st, n, stopped, rc, "equity");
}
