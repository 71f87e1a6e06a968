/* The journal's own invariants at start-up (issue 11 item 7): damage inside rows that SQLite's page checks
 * cannot see is refused naming the table, the row id and what is wrong, and the file is left exactly as
 * it was. Rows damaged through SQL (a client id with 0xff bytes, a log row of no order, a state name, a
 * broken transition chain, a missing row), and 0xff bytes written at every place a client id is stored
 * in the file (its order, its log rows, its fill, the primary-key index), and at the issue's offsets
 * 4200, 400000, 2000000 and 2700000 of a journal of 3,000 orders and 66,000 equity rows. The old check
 * (quick_check only) let all the row cases through. */
#define _GNU_SOURCE /* memmem */
#include "app/journal.h"
#include "../support/check.h"
#include "../support/daemon_proc.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], path[128], good[128];

static void rm_files(const char *p)
{
    char q[200];
    static const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(q, sizeof q, "%s%s", p, sfx[i]);
        unlink(q);
    }
}

static void order_id(char *out, size_t cap, int i) { snprintf(out, cap, "seed001-%08x-%d", 0x1a2b0000u + (unsigned)i, i % 3); }

/* ORDERS orders, each intent -> sent -> filled with one fill, and EQUITY equity rows; closed (one file). */
static int build(const char *p, int orders, int equity)
{
    eb_journal_t *j = NULL;
    char err[1024] = "";
    if (eb_journal_open(&j, p, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int bad = eb_journal_begin(j) != 0;
    for (int i = 0; i < orders && !bad; i++) {
        eb_journal_order_t o = {.side = 1, .qty = 0.5, .price = NAN, .stop_price = NAN, .bar_ms = i * 300000LL};
        order_id(o.client_id, sizeof o.client_id, i);
        strcpy(o.symbol, "BTCUSDT");
        strcpy(o.type, "market");
        strcpy(o.reason, "entry");
        eb_journal_fill_t f = {.qty = 0.5, .price = 100 + i, .fee = 0.01, .time_ms = i * 300000LL + 1};
        snprintf(f.client_id, sizeof f.client_id, "%s", o.client_id);
        snprintf(f.trade_id, sizeof f.trade_id, "t%d", i);
        bad |= eb_journal_order_intent(j, &o, o.bar_ms) != 0;
        bad |= eb_journal_order_update(j, o.client_id, EB_ORDER_SENT, "x1", NAN, NAN, "", o.bar_ms) != 0;
        bad |= eb_journal_fill_add(j, &f) != 0;
        bad |= eb_journal_order_update(j, o.client_id, EB_ORDER_FILLED, "x1", 0.5, f.price, "", o.bar_ms + 1) != 0;
        bad |= eb_journal_event_add(j, o.bar_ms, "trade", "a trade") != 0;
    }
    for (int i = 0; i < equity && !bad; i++) {
        eb_journal_equity_t e = {i * 300000LL, 10000 + i * 0.25, 9000, i * 0.25};
        bad |= eb_journal_equity_add(j, &e) != 0;
    }
    bad |= eb_journal_commit(j) != 0;
    eb_journal_close(j);
    return bad ? -1 : 0;
}

static void fresh_copy(void) { rm_files(path); CHECK(dp_copy(good, path) == 0); }

static void sql(const char *stmt)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(path, &db) == SQLITE_OK ? sqlite3_exec(db, stmt, NULL, NULL, &msg) : SQLITE_ERROR;
    CHECK_MSG(rc == SQLITE_OK, "damaging with '%s': %s", stmt, msg ? msg : "cannot open");
    sqlite3_free(msg);
    sqlite3_close(db); /* the last connection: checkpointed into the file, no -wal left */
}

/* Refused, with every word of `expect` ("" for any), naming the file; nothing changed on disk. Returns
 * 1 when refused. */
static int refused(const char *what, const char *expect)
{
    size_t n0 = 0, n1 = 0;
    char *before = dp_read_file(path, &n0);
    struct stat st0, st1;
    stat(path, &st0);
    eb_journal_t *j = NULL;
    char err[1024] = "", q[200];
    int rc = eb_journal_open(&j, path, err, sizeof err);
    if (rc == 0) {
        eb_journal_close(j);
        free(before);
        return 0;
    }
    CHECK_MSG(strstr(err, expect) != NULL, "%s: '%s' lacks '%s'", what, err, expect);
    CHECK_MSG(strstr(err, path) && strstr(err, "left untouched"), "%s: '%s'", what, err);
    char *after = dp_read_file(path, &n1);
    stat(path, &st1);
    CHECK_MSG(before && after && n0 == n1 && memcmp(before, after, n0) == 0, "%s: the file changed", what);
    CHECK_MSG(st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec && st0.st_mtim.tv_sec == st1.st_mtim.tv_sec, "%s: mtime", what);
    snprintf(q, sizeof q, "%s-wal", path);
    CHECK_MSG(access(q, F_OK) != 0, "%s: a -wal appeared", what);
    free(before);
    free(after);
    return 1;
}

#define EXPECT_REFUSED(what, expect) CHECK_MSG(refused(what, expect), "%s: accepted", what)

TEST(rows_damaged_through_sql)
{
    char id[40];
    order_id(id, sizeof id, 1);
    fresh_copy();
    sql("UPDATE order_log SET client_id = CAST(x'736565643030ffffffff' AS TEXT) WHERE id = 5");
    EXPECT_REFUSED("0xff in an order_log client_id", "table order_log, row id 5: client_id is not 1..36 characters");
    fresh_copy();
    sql("PRAGMA ignore_check_constraints = 1; UPDATE orders SET client_id = CAST(x'ff414243' AS TEXT) WHERE rowid = 3");
    EXPECT_REFUSED("0xff in an orders client_id", "table orders, row id 3: client_id is not 1..36 characters");
    fresh_copy();
    sql("UPDATE order_log SET client_id = 'seed001-nosuch-0' WHERE id = 4");
    EXPECT_REFUSED("a log row of no order", "table order_log, row id 4: client_id names no order");
    fresh_copy();
    sql("UPDATE fills SET client_id = 'seed001-nosuch-0' WHERE id = 2");
    EXPECT_REFUSED("a fill of no order", "table fills, row id 2: client_id names no order");
    fresh_copy();
    sql("PRAGMA ignore_check_constraints = 1; UPDATE orders SET state = 'fliled' WHERE rowid = 2");
    EXPECT_REFUSED("a state name", "table orders, row id 2: state is not an order state");
    fresh_copy();
    sql("UPDATE orders SET state = 'cancelled' WHERE rowid = 2");
    EXPECT_REFUSED("order state vs its log", "table order_log, row id 6: the order's last transition does not end");
    fresh_copy();
    sql("UPDATE order_log SET from_state = 'acknowledged' WHERE id = 3");
    EXPECT_REFUSED("a broken chain", "table order_log, row id 3: the transition does not start where");
    fresh_copy();
    sql("UPDATE order_log SET to_state = 'cancelled' WHERE id = 2; "
        "UPDATE order_log SET from_state = 'cancelled' WHERE id = 3");
    EXPECT_REFUSED("a transition the machine forbids", "table order_log, row id 3: the transition is not one");
    fresh_copy();
    sql("DELETE FROM events WHERE id = 7");
    EXPECT_REFUSED("a missing event", "table events, row id 7 is missing");
    fresh_copy();
    sql("DELETE FROM order_log WHERE id = 1");
    EXPECT_REFUSED("a missing intent", "table order_log, row id 1 is missing");
    fresh_copy();
    sql("PRAGMA ignore_check_constraints = 1; UPDATE events SET kind = 'gossip' WHERE id = 9");
    EXPECT_REFUSED("an event kind", "table events, row id 9: time_ms, kind or detail is not allowed");
    fresh_copy();
    sql("UPDATE equity SET cash = 'lots' WHERE time_ms = 600000");
    EXPECT_REFUSED("text for money", "table equity, row id 600000: time_ms, equity, cash or unrealized");
    /* and the undamaged copy opens */
    fresh_copy();
    CHECK_MSG(!refused("good", ""), "the undamaged journal is refused");
}

/* 0xff bytes over each place the file stores one order's client id: every one is refused. */
TEST(client_id_bytes_damaged_wherever_stored)
{
    char id[40];
    order_id(id, sizeof id, 17);
    size_t n = 0;
    char *orig = dp_read_file(good, &n);
    int places = 0;
    for (char *p = orig ? memmem(orig, n, id, strlen(id)) : NULL; p; p = memmem(p + 1, n - (size_t)(p + 1 - orig), id, strlen(id))) {
        char *bad = malloc(n);
        memcpy(bad, orig, n);
        memset(bad + (p - orig) + 8, 0xff, 4);
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(bad, 1, n, f) == n && fclose(f) == 0);
        char what[64];
        snprintf(what, sizeof what, "client id bytes at offset %ld", (long)(p - orig) + 8);
        EXPECT_REFUSED(what, "");
        free(bad);
        places++;
    }
    free(orig);
    /* its order, its primary-key index entry, its fill, its three log rows */
    CHECK_MSG(places >= 5, "the client id is stored in %d places", places);
}

/* The campaign's offsets on a journal the size of its run. */
TEST(issue_offsets_on_a_large_journal)
{
    char big[140];
    snprintf(big, sizeof big, "%s/big.db", dir);
    CHECK(build(big, 3000, 66000) == 0);
    size_t n = 0;
    char *orig = dp_read_file(big, &n);
    CHECK_MSG(n > 2800000, "the journal has %zu bytes", n);
    static const long offsets[] = {4200, 400000, 2000000, 2700000};
    for (size_t i = 0; orig && i < sizeof offsets / sizeof offsets[0]; i++) {
        char *bad = malloc(n);
        memcpy(bad, orig, n);
        memset(bad + offsets[i], 0xff, 4);
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(bad, 1, n, f) == n && fclose(f) == 0);
        char what[64];
        snprintf(what, sizeof what, "0xff x4 at offset %ld", offsets[i]);
        EXPECT_REFUSED(what, "");
        free(bad);
    }
    free(orig);
    if (!getenv("EB_KEEP_TMP"))
        rm_files(big);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/eb-jinv-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/journal.db", dir);
    snprintf(good, sizeof good, "%s/good.db", dir);
    eb_check_test = "setup";
    CHECK(build(good, 40, 200) == 0);
    RUN(rows_damaged_through_sql);
    RUN(client_id_bytes_damaged_wherever_stored);
    RUN(issue_offsets_on_a_large_journal);
    rm_files(path);
    rm_files(good);
    rmdir(dir);
    return eb_check_report();
}
