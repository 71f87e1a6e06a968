/* Positions, equity, decisions, events, the key-value state (kill-switch latch, arming, anti-rollback)
 * and the strategy lifecycle. */
#include "app/journal_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eb_journal_position_put(eb_journal_t *j, const eb_journal_position_t *p)
{
    if (!p->symbol[0] || (p->side != 1 && p->side != -1) || !(p->qty >= 0))
        return eb_journal_fail(j, "position '%s': side %d qty %g is not allowed (allowed: symbol, side +1/-1, qty >= 0)",
                               p->symbol, p->side, p->qty);
    sqlite3_stmt *st = j->st[JS_POS_PUT];
    eb_journal_bind_text(st, 1, p->symbol);
    sqlite3_bind_int(st, 2, p->side);
    sqlite3_bind_double(st, 3, p->qty);
    sqlite3_bind_double(st, 4, p->qty_initial);
    sqlite3_bind_double(st, 5, p->entry);
    sqlite3_bind_double(st, 6, p->r_dist);
    sqlite3_bind_double(st, 7, p->stop);
    sqlite3_bind_int(st, 8, p->stop_kind);
    sqlite3_bind_int(st, 9, p->trailing);
    sqlite3_bind_int(st, 10, p->partial_done);
    sqlite3_bind_int64(st, 11, p->opened_ms);
    sqlite3_bind_int64(st, 12, p->updated_ms);
    return eb_journal_exec(j, JS_POS_PUT, "position");
}

int eb_journal_position_delete(eb_journal_t *j, const char *symbol)
{
    eb_journal_bind_text(j->st[JS_POS_DELETE], 1, symbol);
    return eb_journal_exec(j, JS_POS_DELETE, "deleting a position");
}

int eb_journal_positions_each(eb_journal_t *j, int (*cb)(void *ctx, const eb_journal_position_t *p), void *ctx)
{
    sqlite3_stmt *st = j->st[JS_POS_ALL];
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eb_journal_position_t p = {0};
        eb_journal_col_text(st, 0, p.symbol, sizeof p.symbol);
        p.side = sqlite3_column_int(st, 1);
        p.qty = sqlite3_column_double(st, 2);
        p.qty_initial = sqlite3_column_double(st, 3);
        p.entry = sqlite3_column_double(st, 4);
        p.r_dist = sqlite3_column_double(st, 5);
        p.stop = sqlite3_column_double(st, 6);
        p.stop_kind = sqlite3_column_int(st, 7);
        p.trailing = sqlite3_column_int(st, 8);
        p.partial_done = sqlite3_column_int(st, 9);
        p.opened_ms = sqlite3_column_int64(st, 10);
        p.updated_ms = sqlite3_column_int64(st, 11);
        stop = cb(ctx, &p);
    }
    return eb_journal_walk_end(j, JS_POS_ALL, stop, rc, "positions");
}

int eb_journal_equity_add(eb_journal_t *j, const eb_journal_equity_t *e)
{
    if (!isfinite(e->equity) || !isfinite(e->cash) || !isfinite(e->unrealized))
        return eb_journal_fail(j, "equity at %lld: non-finite value", (long long)e->time_ms);
    sqlite3_stmt *st = j->st[JS_EQ_PUT];
    sqlite3_bind_int64(st, 1, e->time_ms);
    sqlite3_bind_double(st, 2, e->equity);
    sqlite3_bind_double(st, 3, e->cash);
    sqlite3_bind_double(st, 4, e->unrealized);
    return eb_journal_exec(j, JS_EQ_PUT, "equity");
}

int eb_journal_equity_last(eb_journal_t *j, eb_journal_equity_t *out)
{
    sqlite3_stmt *st = j->st[JS_EQ_LAST];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (eb_journal_equity_t){sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
                                     sqlite3_column_double(st, 2), sqlite3_column_double(st, 3)};
    else if (rc != SQLITE_DONE)
        eb_journal_fail(j, "reading equity: %s", sqlite3_errmsg(j->db));
    eb_journal_done(j, JS_EQ_LAST);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int eb_journal_decision_add(eb_journal_t *j, const eb_journal_decision_t *d)
{
    if (!d->action[0])
        return eb_journal_fail(j, "decision at %lld: action is required", (long long)d->bar_ms);
    sqlite3_stmt *st = j->st[JS_DECISION_INSERT];
    sqlite3_bind_int64(st, 1, d->bar_ms);
    eb_journal_bind_text(st, 2, d->action);
    eb_journal_bind_real(st, 3, d->p_buy);
    eb_journal_bind_real(st, 4, d->p_sell);
    eb_journal_bind_real(st, 5, d->p_neutral);
    eb_journal_bind_text(st, 6, d->reason);
    eb_journal_bind_text(st, 7, d->model_id);
    return eb_journal_exec(j, JS_DECISION_INSERT, "decision");
}

int eb_journal_event_add(eb_journal_t *j, int64_t time_ms, const char *kind, const char *detail)
{
    sqlite3_stmt *st = j->st[JS_EVENT_INSERT];
    sqlite3_bind_int64(st, 1, time_ms);
    eb_journal_bind_text(st, 2, kind);
    eb_journal_bind_text(st, 3, detail ? detail : "");
    return eb_journal_exec(j, JS_EVENT_INSERT, kind ? kind : "event");
}

int eb_journal_events_recent(eb_journal_t *j, const char *kind, eb_journal_event_t *out, int limit)
{
    eb_journal_stmt_t s = kind ? JS_EVENTS_RECENT_KIND : JS_EVENTS_RECENT;
    sqlite3_stmt *st = j->st[s];
    sqlite3_bind_int(st, 1, limit);
    if (kind)
        eb_journal_bind_text(st, 2, kind);
    int n = 0, rc;
    while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        out[n].id = sqlite3_column_int64(st, 0);
        out[n].time_ms = sqlite3_column_int64(st, 1);
        eb_journal_col_text(st, 2, out[n].kind, sizeof out[n].kind);
        eb_journal_col_text(st, 3, out[n].detail, sizeof out[n].detail);
        n++;
    }
    if (n < limit && rc != SQLITE_DONE)
        n = eb_journal_fail(j, "reading events: %s", sqlite3_errmsg(j->db));
    eb_journal_done(j, s);
    return n;
}

int eb_journal_state_set(eb_journal_t *j, const char *key, const char *value, int64_t now_ms)
{
    sqlite3_stmt *st = j->st[JS_STATE_SET];
    eb_journal_bind_text(st, 1, key);
    eb_journal_bind_text(st, 2, value);
    sqlite3_bind_int64(st, 3, now_ms);
    return eb_journal_exec(j, JS_STATE_SET, key);
}

int eb_journal_state_get(eb_journal_t *j, const char *key, char *buf, size_t cap)
{
    sqlite3_stmt *st = j->st[JS_STATE_GET];
    eb_journal_bind_text(st, 1, key);
    int rc = sqlite3_step(st), out = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (!eb_journal_fits(v ? v : "", cap))
            out = eb_journal_fail(j, "state %s: value longer than %zu bytes", key, cap - 1);
        else
            snprintf(buf, cap, "%s", v ? v : "");
    } else if (rc != SQLITE_DONE) {
        eb_journal_fail(j, "reading state %s: %s", key, sqlite3_errmsg(j->db));
    }
    eb_journal_done(j, JS_STATE_GET);
    return out;
}

int eb_journal_state_set_u64(eb_journal_t *j, const char *key, uint64_t v, int64_t now_ms)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, v);
    return eb_journal_state_set(j, key, text, now_ms);
}

int eb_journal_state_get_u64(eb_journal_t *j, const char *key, uint64_t *v)
{
    char text[32], *end;
    int rc = eb_journal_state_get(j, key, text, sizeof text);
    if (rc != 0)
        return rc;
    errno = 0;
    unsigned long long x = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-')
        return eb_journal_fail(j, "state %s = '%s' is not allowed (allowed: a decimal uint64)", key, text);
    *v = (uint64_t)x;
    return 0;
}

int eb_journal_killswitch_set(eb_journal_t *j, int latched, int64_t now_ms)
{
    char err[700];
    if (eb_journal_latch_copy_set(j->path, latched, err, sizeof err) != 0)
        return eb_journal_fail(j, "%s", err);
    return eb_journal_state_set(j, "killswitch.latched", latched ? "1" : "0", now_ms);
}

int eb_journal_killswitch_get(eb_journal_t *j, int *latched)
{
    char v[8], err[700];
    int rc = eb_journal_state_get(j, "killswitch.latched", v, sizeof v);
    *latched = 0;
    if (rc < 0)
        return -1;
    if (rc == 0 && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
        return eb_journal_fail(j, "state killswitch.latched = '%s' is not allowed (allowed: 0, 1)", v);
    int copy = eb_journal_latch_copy_get(j->path, err, sizeof err);
    if (copy < 0)
        return eb_journal_fail(j, "%s", err);
    *latched = (rc == 0 && v[0] == '1') || copy == 1; /* latched in either place is latched */
    return 0;
}

int eb_journal_arming_changed(eb_journal_t *j, eb_arming_t old, eb_arming_t now, int64_t now_ms)
{
    if (old == now)
        return 0;
    char set[256], clear[256], all[256], text[800];
    eb_arming_format(now & ~old, set, sizeof set);
    eb_arming_format(old & ~now, clear, sizeof clear);
    eb_arming_format(now, all, sizeof all);
    snprintf(text, sizeof text, "set=%s clear=%s now=%s", set, clear, now ? all : "armed");
    if (eb_journal_step_begin(j) != 0)
        return -1;
    int rc = eb_journal_event_add(j, now_ms, "arming", text);
    if (rc == 0)
        rc = eb_journal_state_set(j, "arming.reasons", all, now_ms);
    return eb_journal_step_end(j, rc);
}

int eb_journal_arming_get(eb_journal_t *j, eb_arming_t *m)
{
    char text[256];
    int rc = eb_journal_state_get(j, "arming.reasons", text, sizeof text);
    if (rc != 0)
        return rc;
    eb_arming_t out = 0;
    for (char *save = NULL, *name = strtok_r(text, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        eb_disarm_reason_t r;
        if (eb_disarm_reason_from_name(name, &r) != 0)
            return eb_journal_fail(j, "state arming.reasons names an unknown reason '%s'", name);
        out = eb_arming_set(out, r);
    }
    *m = out;
    return 0;
}

int eb_journal_lifecycle_set(eb_journal_t *j, const char *strategy, const char *stage, int64_t since_ms, int64_t now_ms)
{
    static const char *const stages[] = {"candidate", "incubation", "production", "retired"};
    int known = 0;
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        known |= stage && strcmp(stage, stages[i]) == 0;
    if (!known || !strategy || !strategy[0])
        return eb_journal_fail(j, "lifecycle of '%s': stage '%s' is not allowed (allowed: candidate, incubation, "
                               "production, retired)", strategy ? strategy : "", stage ? stage : "");
    sqlite3_stmt *st = j->st[JS_LC_SET];
    eb_journal_bind_text(st, 1, strategy);
    eb_journal_bind_text(st, 2, stage);
    sqlite3_bind_int64(st, 3, since_ms);
    sqlite3_bind_int64(st, 4, now_ms);
    return eb_journal_exec(j, JS_LC_SET, "lifecycle");
}

int eb_journal_lifecycle_get(eb_journal_t *j, const char *strategy, char *stage, size_t cap, int64_t *since_ms)
{
    sqlite3_stmt *st = j->st[JS_LC_GET];
    eb_journal_bind_text(st, 1, strategy);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        eb_journal_col_text(st, 0, stage, cap);
        *since_ms = sqlite3_column_int64(st, 1);
    } else if (rc != SQLITE_DONE) {
        eb_journal_fail(j, "reading lifecycle of %s: %s", strategy, sqlite3_errmsg(j->db));
    }
    eb_journal_done(j, JS_LC_GET);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}
