/* The journal: creation, the order state machine, fills, positions, equity, decisions, events, state,
 * lifecycle, and a restart that resumes the same state (write, close, reopen, read back). */
#include "app/journal.h"
#include "../support/check.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], path[128];

static void fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/eb-journal-test-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/journal.db", dir);
}

static void cleanup(void)
{
    char p[160];
    static const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/%s", dir, EB_JOURNAL_LATCH_FILE);
    unlink(p);
    rmdir(dir);
}

static eb_journal_t *open_ok(void)
{
    eb_journal_t *j = NULL;
    char err[1024] = "";
    int rc = eb_journal_open(&j, path, err, sizeof err);
    CHECK_MSG(rc == 0 && j, "open: %s", err);
    return j;
}

static eb_journal_order_t order(const char *id, int side, double qty)
{
    eb_journal_order_t o = {.side = side, .qty = qty, .price = NAN, .stop_price = NAN, .bar_ms = 1000};
    snprintf(o.client_id, sizeof o.client_id, "%s", id);
    strcpy(o.symbol, "BTCUSDT");
    strcpy(o.type, "market");
    strcpy(o.reason, "entry");
    return o;
}

/* Reads one value with a separate connection (after close): what is on disk, not in our cache. */
static long long sql_int(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char text_buf[256];
static const char *sql_text(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    text_buf[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(text_buf, sizeof text_buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return text_buf;
}

TEST(creates_wal_full_with_version)
{
    fresh();
    eb_journal_t *j = open_ok();
    if (!j)
        return;
    CHECK_EQ_STR(eb_journal_path(j), path);
    eb_journal_close(j);
    CHECK_EQ_INT(sql_int("PRAGMA user_version"), EB_JOURNAL_SCHEMA_VERSION);
    CHECK_EQ_INT(sql_int("PRAGMA application_id"), EB_JOURNAL_APPLICATION_ID);
    CHECK_EQ_STR(sql_text("PRAGMA journal_mode"), "wal");
    CHECK_EQ_INT(sql_int("SELECT count(*) FROM sqlite_master WHERE type='table'"), 9);
    /* no temporary file left behind */
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s.new-%d", path, (int)getpid());
    CHECK(access(tmp, F_OK) != 0);
    /* synchronous=FULL is per connection: check ours */
    j = open_ok();
    eb_journal_close(j);
    cleanup();
}

TEST(missing_directory)
{
    eb_journal_t *j = (eb_journal_t *)1;
    char err[1024] = "";
    CHECK_EQ_INT(eb_journal_open(&j, "/nonexistent-dir-eb/journal.db", err, sizeof err), -1);
    CHECK(j == NULL);
    CHECK(strstr(err, "/nonexistent-dir-eb/journal.db") != NULL);
    CHECK(strstr(err, "cannot create") != NULL);
}

TEST(order_state_machine)
{
    static const struct { eb_order_state_t from, to; int ok; } cases[] = {
        {EB_ORDER_INTENT, EB_ORDER_SENT, 1},           {EB_ORDER_INTENT, EB_ORDER_UNKNOWN, 1},
        {EB_ORDER_INTENT, EB_ORDER_CANCELLED, 1},      {EB_ORDER_INTENT, EB_ORDER_FILLED, 0},
        {EB_ORDER_INTENT, EB_ORDER_ACKNOWLEDGED, 0},   {EB_ORDER_SENT, EB_ORDER_ACKNOWLEDGED, 1},
        {EB_ORDER_SENT, EB_ORDER_FILLED, 1},           {EB_ORDER_SENT, EB_ORDER_REJECTED, 1},
        {EB_ORDER_SENT, EB_ORDER_UNKNOWN, 1},          {EB_ORDER_SENT, EB_ORDER_INTENT, 0},
        {EB_ORDER_ACKNOWLEDGED, EB_ORDER_PARTIALLY_FILLED, 1}, {EB_ORDER_ACKNOWLEDGED, EB_ORDER_REJECTED, 0},
        {EB_ORDER_ACKNOWLEDGED, EB_ORDER_SENT, 0},     {EB_ORDER_PARTIALLY_FILLED, EB_ORDER_PARTIALLY_FILLED, 1},
        {EB_ORDER_PARTIALLY_FILLED, EB_ORDER_FILLED, 1}, {EB_ORDER_PARTIALLY_FILLED, EB_ORDER_CANCELLED, 1},
        {EB_ORDER_PARTIALLY_FILLED, EB_ORDER_REJECTED, 0}, {EB_ORDER_UNKNOWN, EB_ORDER_FILLED, 1},
        {EB_ORDER_UNKNOWN, EB_ORDER_REJECTED, 1},      {EB_ORDER_UNKNOWN, EB_ORDER_UNKNOWN, 0},
        {EB_ORDER_UNKNOWN, EB_ORDER_SENT, 0},          {EB_ORDER_FILLED, EB_ORDER_CANCELLED, 0},
        {EB_ORDER_CANCELLED, EB_ORDER_FILLED, 0},      {EB_ORDER_REJECTED, EB_ORDER_SENT, 0},
        {EB_ORDER_STATE_COUNT, EB_ORDER_SENT, 0},      {EB_ORDER_SENT, EB_ORDER_STATE_COUNT, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(eb_order_transition_ok(cases[i].from, cases[i].to) == cases[i].ok, "%d -> %d", (int)cases[i].from,
                  (int)cases[i].to);
    /* terminal states go nowhere */
    for (int to = 0; to < EB_ORDER_STATE_COUNT; to++) {
        CHECK(!eb_order_transition_ok(EB_ORDER_FILLED, (eb_order_state_t)to));
        CHECK(!eb_order_transition_ok(EB_ORDER_REJECTED, (eb_order_state_t)to));
    }
    eb_order_state_t s;
    for (int i = 0; i < EB_ORDER_STATE_COUNT; i++) {
        CHECK_EQ_INT(eb_order_state_from_name(eb_order_state_name((eb_order_state_t)i), &s), 0);
        CHECK_EQ_INT(s, i);
    }
    CHECK_EQ_INT(eb_order_state_from_name("failed", &s), -1);
    CHECK_EQ_STR(eb_order_state_name(EB_ORDER_PARTIALLY_FILLED), "partially_filled");
}

TEST(orders_and_fills)
{
    fresh();
    eb_journal_t *j = open_ok();
    if (!j)
        return;
    eb_journal_order_t o = order("eb1-1700000000000-1", 1, 0.5), got;
    CHECK_EQ_INT(eb_journal_order_intent(j, &o, 5000), 0);
    CHECK_EQ_INT(eb_journal_order_get(j, o.client_id, &got), 0);
    CHECK_EQ_INT(got.state, EB_ORDER_INTENT);
    CHECK_EQ_INT(got.created_ms, 5000);
    CHECK(isnan(got.price) && isnan(got.avg_price));
    CHECK_EQ_STR(got.symbol, "BTCUSDT");
    /* a duplicate client id is refused and changes nothing */
    CHECK_EQ_INT(eb_journal_order_intent(j, &o, 6000), -1);
    CHECK(strstr(eb_journal_error(j), "already exists (state intent)") != NULL);
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_SENT, NULL, NAN, NAN, "POST /api/v3/order", 5001), 0);
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_ACKNOWLEDGED, "8389765", NAN, NAN, "", 5002), 0);
    eb_journal_fill_t f = {.qty = 0.2, .price = 30000, .fee = 0.0001, .time_ms = 5003};
    strcpy(f.client_id, o.client_id);
    strcpy(f.trade_id, "t1");
    CHECK_EQ_INT(eb_journal_fill_add(j, &f), 0);
    CHECK_EQ_INT(eb_journal_fill_add(j, &f), 1); /* replayed: ignored */
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_PARTIALLY_FILLED, NULL, 0.2, 30000, "", 5003), 0);
    /* illegal transition and shrinking fill are refused with the states named; nothing changes */
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_SENT, NULL, NAN, NAN, "", 5004), -1);
    CHECK(strstr(eb_journal_error(j), "partially_filled -> sent is not allowed") != NULL);
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_PARTIALLY_FILLED, NULL, 0.1, NAN, "", 5004), -1);
    CHECK(strstr(eb_journal_error(j), "filled qty 0.1 is not allowed") != NULL);
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_FILLED, NULL, 0.6, NAN, "", 5004), -1);
    CHECK_EQ_INT(eb_journal_order_get(j, o.client_id, &got), 0);
    CHECK_EQ_INT(got.state, EB_ORDER_PARTIALLY_FILLED);
    CHECK_NEAR(got.filled_qty, 0.2, 0);
    CHECK_EQ_STR(got.exchange_id, "8389765");
    f.qty = 0.3;
    strcpy(f.trade_id, "t2");
    CHECK_EQ_INT(eb_journal_fill_add(j, &f), 0);
    CHECK_EQ_INT(eb_journal_order_update(j, o.client_id, EB_ORDER_FILLED, NULL, 0.5, 30010, "", 5005), 0);
    CHECK_EQ_INT(eb_journal_order_update(j, "nope", EB_ORDER_SENT, NULL, NAN, NAN, "", 1), -1);
    CHECK(strstr(eb_journal_error(j), "order nope: no such order") != NULL);
    /* a fill for an unknown order breaks the foreign key */
    strcpy(f.client_id, "ghost");
    CHECK_EQ_INT(eb_journal_fill_add(j, &f), -1);
    CHECK(strstr(eb_journal_error(j), "FOREIGN KEY") != NULL);
    /* bad intents */
    eb_journal_order_t bad = order("", 1, 1);
    CHECK_EQ_INT(eb_journal_order_intent(j, &bad, 1), -1);
    bad = order("x", 2, 1);
    CHECK_EQ_INT(eb_journal_order_intent(j, &bad, 1), -1);
    CHECK(strstr(eb_journal_error(j), "side 2 is not allowed") != NULL);
    bad = order("y", 1, 0);
    CHECK_EQ_INT(eb_journal_order_intent(j, &bad, 1), -1);
    bad = order("0123456789012345678901234567890123456", 1, 1); /* 37 characters */
    CHECK_EQ_INT(eb_journal_order_intent(j, &bad, 1), -1);
    eb_journal_close(j);
    CHECK_EQ_INT(sql_int("SELECT count(*) FROM order_log WHERE client_id='eb1-1700000000000-1'"), 5);
    CHECK_EQ_INT(sql_int("SELECT count(*) FROM fills"), 2);
    CHECK_EQ_INT(sql_int("SELECT count(*) FROM orders"), 1);
    cleanup();
}

/* A transaction groups writes; a rollback leaves nothing. */
TEST(transactions)
{
    fresh();
    eb_journal_t *j = open_ok();
    if (!j)
        return;
    CHECK_EQ_INT(eb_journal_begin(j), 0);
    eb_journal_order_t o = order("a", -1, 1);
    CHECK_EQ_INT(eb_journal_order_intent(j, &o, 1), 0);
    CHECK_EQ_INT(eb_journal_event_add(j, 1, "error", "test"), 0);
    CHECK_EQ_INT(eb_journal_rollback(j), 0);
    eb_journal_order_t got;
    CHECK_EQ_INT(eb_journal_order_get(j, "a", &got), 1);
    CHECK_EQ_INT(eb_journal_begin(j), 0);
    CHECK_EQ_INT(eb_journal_order_intent(j, &o, 1), 0);
    CHECK_EQ_INT(eb_journal_order_update(j, "a", EB_ORDER_SENT, NULL, NAN, NAN, "", 2), 0);
    CHECK_EQ_INT(eb_journal_commit(j), 0);
    CHECK_EQ_INT(eb_journal_order_get(j, "a", &got), 0);
    CHECK_EQ_INT(got.state, EB_ORDER_SENT);
    /* an unknown event kind fails inside a transaction without losing the earlier writes of that txn */
    CHECK_EQ_INT(eb_journal_event_add(j, 3, "gossip", ""), -1);
    CHECK(strstr(eb_journal_error(j), "CHECK constraint") != NULL);
    eb_journal_close(j);
    cleanup();
}

/* Ordinary WAL locking: a reader (sqlite3, a backup) reads committed rows while the journal is open and
 * written; keeping a second daemon out is the state directory's lock file (test_state_lock.c). Failed on
 * the old locking_mode=EXCLUSIVE ("database is locked"). */
TEST(readers_read_while_the_journal_is_open)
{
    fresh();
    eb_journal_t *j = open_ok();
    CHECK_EQ_INT(eb_journal_event_add(j, 5, "start", "one"), 0);
    CHECK_EQ_INT(sql_int("select count(*) from events"), 1);
    CHECK_EQ_INT(eb_journal_event_add(j, 6, "stop", "two"), 0);
    CHECK_EQ_INT(sql_int("select count(*) from events"), 2);
    eb_journal_close(j);
    cleanup();
}

/* The latch's second copy: written with the latch, removed with the re-arm, and latched in either place
 * reads as latched (a journal that lost its row, e.g. restored from an older backup, still starts latched). */
TEST(latch_has_a_second_copy)
{
    fresh();
    char copy[200];
    snprintf(copy, sizeof copy, "%s/%s", dir, EB_JOURNAL_LATCH_FILE);
    eb_journal_t *j = open_ok();
    int latched = -1;
    CHECK_EQ_INT(access(copy, F_OK), -1);
    CHECK_EQ_INT(eb_journal_killswitch_set(j, 1, 10), 0);
    CHECK_EQ_INT(access(copy, F_OK), 0);
    CHECK_EQ_INT(eb_journal_killswitch_set(j, 0, 20), 0);
    CHECK_EQ_INT(access(copy, F_OK), -1);
    /* the copy alone: latched */
    FILE *f = fopen(copy, "w");
    CHECK(f && fclose(f) == 0);
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0);
    CHECK_EQ_INT(latched, 1);
    /* the row alone: latched */
    CHECK_EQ_INT(unlink(copy), 0);
    CHECK_EQ_INT(eb_journal_state_set(j, "killswitch.latched", "1", 30), 0);
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0);
    CHECK_EQ_INT(latched, 1);
    /* neither: not latched */
    CHECK_EQ_INT(eb_journal_state_set(j, "killswitch.latched", "0", 40), 0);
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0);
    CHECK_EQ_INT(latched, 0);
    eb_journal_close(j);
    cleanup();
}

static int collect_order(void *ctx, const eb_journal_order_t *o)
{
    char *ids = ctx;
    strcat(ids, o->client_id);
    strcat(ids, ":");
    strcat(ids, eb_order_state_name(o->state));
    strcat(ids, " ");
    return 0;
}

static int collect_position(void *ctx, const eb_journal_position_t *p)
{
    *(eb_journal_position_t *)ctx = *p;
    return 0;
}

static int stop_early(void *ctx, const eb_journal_order_t *o)
{
    (void)o;
    ++*(int *)ctx;
    return 7;
}

/* Everything the daemon needs after a restart reads back exactly as written. */
TEST(restart_resumes_state)
{
    fresh();
    eb_journal_t *j = open_ok();
    if (!j)
        return;
    static const char *ids[] = {"o-intent", "o-sent", "o-ack", "o-part", "o-unknown", "o-filled", "o-cancel"};
    static const eb_order_state_t path_to[][4] = {
        {EB_ORDER_STATE_COUNT}, {EB_ORDER_SENT, EB_ORDER_STATE_COUNT},
        {EB_ORDER_SENT, EB_ORDER_ACKNOWLEDGED, EB_ORDER_STATE_COUNT},
        {EB_ORDER_SENT, EB_ORDER_PARTIALLY_FILLED, EB_ORDER_STATE_COUNT},
        {EB_ORDER_SENT, EB_ORDER_UNKNOWN, EB_ORDER_STATE_COUNT},
        {EB_ORDER_SENT, EB_ORDER_FILLED, EB_ORDER_STATE_COUNT},
        {EB_ORDER_SENT, EB_ORDER_CANCELLED, EB_ORDER_STATE_COUNT}};
    for (int i = 0; i < 7; i++) {
        eb_journal_order_t o = order(ids[i], 1, 1);
        CHECK_EQ_INT(eb_journal_order_intent(j, &o, 100 + i), 0);
        for (int k = 0; path_to[i][k] != EB_ORDER_STATE_COUNT; k++)
            CHECK_EQ_INT(eb_journal_order_update(j, ids[i], path_to[i][k], NULL,
                                                 path_to[i][k] == EB_ORDER_PARTIALLY_FILLED ? 0.25
                                                 : path_to[i][k] == EB_ORDER_FILLED ? 1 : NAN, NAN, "", 200), 0);
    }
    eb_journal_position_t p = {"BTCUSDT", -1, 0.75, 1.0, 31000.5, 450.25, 31450.75, 2, 1, 1, 1000, 2000};
    CHECK_EQ_INT(eb_journal_position_put(j, &p), 0);
    eb_journal_position_t gone = {"ETHUSDT", 1, 1, 1, 2000, 20, 1980, 0, 0, 0, 1, 1};
    CHECK_EQ_INT(eb_journal_position_put(j, &gone), 0);
    CHECK_EQ_INT(eb_journal_position_delete(j, "ETHUSDT"), 0);
    for (int i = 0; i < 5; i++) {
        eb_journal_equity_t e = {300000 * (int64_t)i, 10000 + i, 9000 + i, 1000};
        CHECK_EQ_INT(eb_journal_equity_add(j, &e), 0);
    }
    eb_journal_decision_t d = {.bar_ms = 300000, .p_buy = 0.7, .p_sell = 0.1, .p_neutral = 0.2};
    strcpy(d.action, "buy");
    strcpy(d.model_id, "m-7");
    CHECK_EQ_INT(eb_journal_decision_add(j, &d), 0);
    CHECK_EQ_INT(eb_journal_killswitch_set(j, 1, 2500), 0);
    CHECK_EQ_INT(eb_journal_event_add(j, 2500, "kill_switch", "latched: button"), 0);
    CHECK_EQ_INT(eb_journal_state_set_u64(j, "model.release_counter", UINT64_MAX - 1, 2600), 0);
    CHECK_EQ_INT(eb_journal_lifecycle_set(j, "ichimoku-rsi", "incubation", 1000, 2700), 0);
    eb_arming_t m = EB_DISARM_BIT(EB_DISARM_KILL_SWITCH) | EB_DISARM_BIT(EB_DISARM_STALE_DATA);
    CHECK_EQ_INT(eb_journal_arming_changed(j, 0, m, 2800), 0);
    eb_journal_close(j);

    j = open_ok();
    if (!j)
        return;
    char open_ids[512] = "";
    CHECK_EQ_INT(eb_journal_orders_open(j, collect_order, open_ids), 0);
    CHECK_EQ_STR(open_ids, "o-intent:intent o-sent:sent o-ack:acknowledged o-part:partially_filled o-unknown:unknown ");
    int calls = 0;
    CHECK_EQ_INT(eb_journal_orders_open(j, stop_early, &calls), 7);
    CHECK_EQ_INT(calls, 1);
    eb_journal_order_t part;
    CHECK_EQ_INT(eb_journal_order_get(j, "o-part", &part), 0);
    CHECK_NEAR(part.filled_qty, 0.25, 0);
    eb_journal_position_t back;
    memset(&back, 0, sizeof back);
    CHECK_EQ_INT(eb_journal_positions_each(j, collect_position, &back), 0);
    CHECK_EQ_STR(back.symbol, p.symbol);
    CHECK_EQ_INT(back.side, -1);
    CHECK(back.qty == p.qty && back.qty_initial == p.qty_initial && back.entry == p.entry); /* exact doubles */
    CHECK(back.r_dist == p.r_dist && back.stop == p.stop);
    CHECK(back.stop_kind == 2 && back.trailing == 1 && back.partial_done == 1);
    CHECK(back.opened_ms == 1000 && back.updated_ms == 2000);
    eb_journal_equity_t last;
    CHECK_EQ_INT(eb_journal_equity_last(j, &last), 0);
    CHECK_EQ_INT(last.time_ms, 1200000);
    CHECK_NEAR(last.equity, 10004, 0);
    int latched = 0;
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0);
    CHECK_EQ_INT(latched, 1);
    uint64_t counter = 0;
    CHECK_EQ_INT(eb_journal_state_get_u64(j, "model.release_counter", &counter), 0);
    CHECK(counter == UINT64_MAX - 1);
    char stage[32];
    int64_t since = 0;
    CHECK_EQ_INT(eb_journal_lifecycle_get(j, "ichimoku-rsi", stage, sizeof stage, &since), 0);
    CHECK_EQ_STR(stage, "incubation");
    CHECK_EQ_INT(since, 1000);
    CHECK_EQ_INT(eb_journal_lifecycle_get(j, "other", stage, sizeof stage, &since), 1);
    eb_arming_t back_m = 0;
    CHECK_EQ_INT(eb_journal_arming_get(j, &back_m), 0);
    CHECK_EQ_INT(back_m, m);
    eb_journal_event_t ev[4];
    CHECK_EQ_INT(eb_journal_events_recent(j, NULL, ev, 4), 2);
    CHECK_EQ_STR(ev[0].kind, "arming");
    CHECK_EQ_STR(ev[0].detail, "set=kill_switch,stale_data clear= now=kill_switch,stale_data");
    CHECK_EQ_STR(ev[1].kind, "kill_switch");
    CHECK_EQ_STR(ev[1].detail, "latched: button");
    /* re-arm and clear: journalled and read back after another restart */
    CHECK_EQ_INT(eb_journal_killswitch_set(j, 0, 3000), 0);
    CHECK_EQ_INT(eb_journal_arming_changed(j, m, 0, 3000), 0);
    CHECK_EQ_INT(eb_journal_arming_changed(j, 0, 0, 3001), 0); /* no change: nothing written */
    eb_journal_close(j);
    j = open_ok();
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0);
    CHECK_EQ_INT(latched, 0);
    CHECK_EQ_INT(eb_journal_arming_get(j, &back_m), 0);
    CHECK_EQ_INT(back_m, 0);
    CHECK_EQ_INT(eb_journal_events_recent(j, "arming", ev, 4), 2);
    CHECK_EQ_STR(ev[0].detail, "set= clear=kill_switch,stale_data now=armed");
    eb_journal_close(j);
    cleanup();
}

TEST(state_values)
{
    fresh();
    eb_journal_t *j = open_ok();
    if (!j)
        return;
    char buf[8];
    uint64_t v;
    int latched = 1;
    CHECK_EQ_INT(eb_journal_state_get(j, "nothing", buf, sizeof buf), 1);
    CHECK_EQ_INT(eb_journal_state_get_u64(j, "nothing", &v), 1);
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), 0); /* a fresh journal: not latched */
    CHECK_EQ_INT(latched, 0);
    eb_arming_t m;
    CHECK_EQ_INT(eb_journal_arming_get(j, &m), 1);
    CHECK_EQ_INT(eb_journal_state_set(j, "k", "0123456789", 1), 0);
    CHECK_EQ_INT(eb_journal_state_get(j, "k", buf, sizeof buf), -1);
    CHECK(strstr(eb_journal_error(j), "longer than 7") != NULL);
    CHECK_EQ_INT(eb_journal_state_set(j, "model.release_counter", "-3", 1), 0);
    CHECK_EQ_INT(eb_journal_state_get_u64(j, "model.release_counter", &v), -1);
    CHECK(strstr(eb_journal_error(j), "'-3' is not allowed") != NULL);
    CHECK_EQ_INT(eb_journal_state_set(j, "killswitch.latched", "yes", 1), 0);
    CHECK_EQ_INT(eb_journal_killswitch_get(j, &latched), -1);
    CHECK_EQ_INT(latched, 0);
    CHECK_EQ_INT(eb_journal_state_set(j, "arming.reasons", "stale_data,gremlins", 1), 0);
    CHECK_EQ_INT(eb_journal_arming_get(j, &m), -1);
    CHECK(strstr(eb_journal_error(j), "'gremlins'") != NULL);
    CHECK_EQ_INT(eb_journal_lifecycle_set(j, "s", "promoted", 1, 1), -1);
    CHECK(strstr(eb_journal_error(j), "stage 'promoted' is not allowed") != NULL);
    eb_journal_equity_t e = {1, NAN, 0, 0};
    CHECK_EQ_INT(eb_journal_equity_add(j, &e), -1);
    CHECK_EQ_INT(eb_journal_equity_last(j, &e), 1);
    eb_journal_close(j);
    cleanup();
}

int main(void)
{
    RUN(creates_wal_full_with_version);
    RUN(missing_directory);
    RUN(order_state_machine);
    RUN(orders_and_fills);
    RUN(transactions);
    RUN(readers_read_while_the_journal_is_open);
    RUN(latch_has_a_second_copy);
    RUN(restart_resumes_state);
    RUN(state_values);
    return eb_check_report();
}
