/* The start-up check understands WAL (issue 11 item 3). After a disk filled during a checkpoint, the main
 * file's header may already describe more pages than the file holds, while the WAL still holds them all:
 * the journal is intact (sqlite3's integrity_check says ok) and must open, with every committed row. The
 * old check judged the main file alone ("is truncated: its header describes N pages ...") and refused it.
 * A truly truncated main file with no WAL is still refused (test_journal_corrupt.c). */
#include "app/journal.h"
#include "../support/check.h"
#include "../support/daemon_proc.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROWS 3000

static char dir[64], path[128], crash_dir[64], crash[128];

static void rm_journal(const char *d, const char *p)
{
    char q[200];
    static const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(q, sizeof q, "%s%s", p, sfx[i]);
        unlink(q);
    }
    rmdir(d);
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    unsigned char *buf = malloc(8 << 20);
    *n = f && buf ? fread(buf, 1, 8 << 20, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

static int spill(const char *p, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(p, "wb");
    int ok = f && fwrite(buf, 1, n, f) == n;
    return f && fclose(f) == 0 && ok ? 0 : -1;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* A journal whose rows live only in the WAL (autocheckpoint off, the writer still open), copied as it
 * stands into crash_dir: the state a crash leaves. */
static int make_crashed(void)
{
    snprintf(dir, sizeof dir, "/tmp/eb-jwal-XXXXXX");
    snprintf(crash_dir, sizeof crash_dir, "/tmp/eb-jwal-crash-XXXXXX");
    if (!mkdtemp(dir) || !mkdtemp(crash_dir))
        return -1;
    snprintf(path, sizeof path, "%s/journal.db", dir);
    snprintf(crash, sizeof crash, "%s/journal.db", crash_dir);
    eb_journal_t *j = NULL;
    char err[1024] = "";
    if (eb_journal_open(&j, path, err, sizeof err) != 0)
        return -1;
    eb_journal_close(j); /* schema on disk, the WAL checkpointed away */
    sqlite3 *h = NULL;
    int ok = sqlite3_open(path, &h) == SQLITE_OK &&
             sqlite3_exec(h, "PRAGMA wal_autocheckpoint=0; BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    for (int i = 1; ok && i <= ROWS; i++) {
        char q[200];
        snprintf(q, sizeof q, "INSERT INTO equity VALUES(%d, 1e4, 9e3, 1e3); INSERT INTO events(time_ms, kind, "
                 "detail) VALUES(%d, 'error', 'rows that live only in the WAL')", i, i);
        ok = sqlite3_exec(h, q, NULL, NULL, NULL) == SQLITE_OK;
    }
    ok = ok && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    char wal[160], cwal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(cwal, sizeof cwal, "%s-wal", crash);
    ok = ok && dp_copy(path, crash) == 0 && dp_copy(wal, cwal) == 0;
    sqlite3_close(h);
    return ok ? 0 : -1;
}

/* A checkpoint that wrote page 1 (its header: the new page count) and then hit a full disk: the newest
 * WAL frame of page 1 is copied into the main file, which keeps its old length. */
static int partial_checkpoint(void)
{
    char cwal[160];
    snprintf(cwal, sizeof cwal, "%s-wal", crash);
    size_t n, w;
    unsigned char *db = slurp(crash, &n), *wl = slurp(cwal, &w);
    uint32_t page = be32(wl + 8);
    const unsigned char *p1 = NULL;
    for (size_t at = 32; page && at + 24 + page <= w; at += 24 + page)
        if (be32(wl + at) == 1)
            p1 = wl + at + 24;
    int ok = p1 && n >= page;
    if (ok) {
        memcpy(db, p1, page);
        ok = spill(crash, db, n) == 0 && (int64_t)be32(db + 28) * page > (int64_t)n;
    }
    free(db);
    free(wl);
    return ok ? 0 : -1;
}

TEST(short_main_file_with_the_pages_in_its_wal_opens)
{
    if (make_crashed() != 0 || partial_checkpoint() != 0) {
        CHECK_MSG(0, "cannot build the crashed journal");
        return;
    }
    /* the reference: sqlite3 on a copy of the same two files says integrity ok, with every row */
    char ref_dir[64] = "/tmp/eb-jwal-ref-XXXXXX", ref[128], refwal[160], cwal[160];
    CHECK(mkdtemp(ref_dir) != NULL);
    snprintf(ref, sizeof ref, "%s/journal.db", ref_dir);
    snprintf(refwal, sizeof refwal, "%s-wal", ref);
    snprintf(cwal, sizeof cwal, "%s-wal", crash);
    CHECK(dp_copy(crash, ref) == 0 && dp_copy(cwal, refwal) == 0);
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_open(ref, &h) == SQLITE_OK && sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    CHECK_EQ_INT(dp_sql_int(ref, "select count(*) from equity", -1), ROWS);
    rm_journal(ref_dir, ref);
    /* the daemon's open: accepted, every committed row there */
    eb_journal_t *j = NULL;
    char err[1024] = "";
    CHECK_MSG(eb_journal_open(&j, crash, err, sizeof err) == 0, "refused: %s", err);
    eb_journal_equity_t last;
    CHECK_EQ_INT(j ? eb_journal_equity_last(j, &last) : -1, 0);
    CHECK_EQ_INT(last.time_ms, ROWS);
    eb_journal_close(j);
    CHECK_EQ_INT(dp_sql_int(crash, "select count(*) from events", -1), ROWS);
    rm_journal(dir, path);
    rm_journal(crash_dir, crash);
}

/* A crash with the rows only in the WAL (no partial checkpoint): opens with them, not with the older
 * main file alone. */
TEST(rows_only_in_the_wal_are_kept)
{
    if (make_crashed() != 0) {
        CHECK_MSG(0, "cannot build the crashed journal");
        return;
    }
    eb_journal_t *j = NULL;
    char err[1024] = "";
    CHECK_MSG(eb_journal_open(&j, crash, err, sizeof err) == 0, "refused: %s", err);
    eb_journal_close(j);
    CHECK_EQ_INT(dp_sql_int(crash, "select count(*) from equity", -1), ROWS);
    rm_journal(dir, path);
    rm_journal(crash_dir, crash);
}

int main(void)
{
    RUN(short_main_file_with_the_pages_in_its_wal_opens);
    RUN(rows_only_in_the_wal_are_kept);
    return eb_check_report();
}
