/* Bad journals: garbage, empty, truncated, a damaged page, a wrong schema version, a foreign SQLite file,
 * a missing table. Each is refused with a clear message, and the file is byte-identical afterwards with
 * no -wal/-shm files created beside it (SPEC: never overwrite a journal). */
#include "app/journal.h"
#include "../support/check.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], path[128];
static unsigned char good[1 << 20];
static size_t good_len;

static void fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/eb-journal-bad-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/journal.db", dir);
}

static int exists(const char *suffix)
{
    char p[200];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return access(p, F_OK) == 0;
}

static void cleanup(void)
{
    char p[200];
    static const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
        rmdir(p);
    }
    rmdir(dir);
}

static size_t read_all(unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    return n;
}

static void write_all(const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

/* A real journal with enough rows to span many pages, closed (WAL checkpointed), kept in `good`. */
static void make_good(void)
{
    fresh();
    eb_journal_t *j = NULL;
    char err[1024] = "";
    CHECK_EQ_INT(eb_journal_open(&j, path, err, sizeof err), 0);
    if (!j)
        return;
    int bad = eb_journal_begin(j) != 0;
    for (int i = 0; i < 2000; i++) {
        eb_journal_equity_t e = {i * 300000LL, 10000 + i, 9000, i};
        bad |= eb_journal_equity_add(j, &e) != 0;
        bad |= eb_journal_event_add(j, i, "error", "padding the journal over many pages with some text") != 0;
    }
    bad |= eb_journal_commit(j) != 0;
    CHECK_EQ_INT(bad, 0);
    eb_journal_close(j);
    good_len = read_all(good, sizeof good);
    CHECK(good_len > 16 * 4096);
}

static void sql(const char *stmt)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) == SQLITE_OK)
        sqlite3_exec(db, stmt, NULL, NULL, NULL);
    sqlite3_close(db);
}

/* Opens, expects a refusal mentioning `expect`, and checks that nothing changed on disk. */
static void refused(const char *what, const char *expect)
{
    static unsigned char before[1 << 20], after[1 << 20];
    int had_wal = exists("-wal"), had_shm = exists("-shm");
    size_t n0 = read_all(before, sizeof before);
    struct stat st0, st1;
    stat(path, &st0);
    eb_journal_t *j = (eb_journal_t *)1;
    char err[1024] = "";
    CHECK_MSG(eb_journal_open(&j, path, err, sizeof err) == -1, "%s: accepted", what);
    CHECK_MSG(j == NULL, "%s: handle set", what);
    CHECK_MSG(strstr(err, expect) != NULL, "%s: '%s' lacks '%s'", what, err, expect);
    CHECK_MSG(strstr(err, path) != NULL, "%s: '%s' does not name the file", what, err);
    size_t n1 = read_all(after, sizeof after);
    stat(path, &st1);
    CHECK_MSG(n0 == n1 && memcmp(before, after, n0) == 0, "%s: the file changed", what);
    CHECK_MSG(st0.st_mtim.tv_sec == st1.st_mtim.tv_sec && st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec,
              "%s: mtime changed", what);
    CHECK_MSG(exists("-wal") == had_wal && exists("-shm") == had_shm, "%s: side files appeared", what);
}

TEST(garbage)
{
    fresh();
    unsigned char junk[8192];
    uint32_t s = 99;
    for (size_t i = 0; i < sizeof junk; i++) {
        s = s * 1664525u + 1013904223u;
        junk[i] = (unsigned char)(s >> 24);
    }
    write_all(junk, sizeof junk);
    refused("garbage", "is not an SQLite database");
    refused("garbage again", "left untouched");
    cleanup();
}

TEST(empty_and_tiny)
{
    fresh();
    write_all((const unsigned char *)"", 0);
    refused("empty", "is not an SQLite database (0 bytes, shorter than the 100-byte header)");
    write_all((const unsigned char *)"SQLite format 3", 16);
    refused("header only", "shorter than the 100-byte header");
    cleanup();
}

TEST(truncated)
{
    make_good();
    write_all(good, good_len / 2 / 4096 * 4096); /* whole pages missing at the end */
    refused("truncated at a page boundary", "is truncated: its header describes");
    write_all(good, good_len - 100);
    refused("truncated mid-page", "is truncated");
    write_all(good, 4096);
    refused("first page only", "is truncated");
    cleanup();
}

TEST(damaged_page)
{
    make_good();
    static unsigned char bad[1 << 20];
    memcpy(bad, good, good_len);
    memset(bad + 3 * 4096, 0xA5, 4096); /* page 4 overwritten */
    write_all(bad, good_len);
    refused("damaged page", "is corrupt");
    memcpy(bad, good, good_len);
    bad[16] = 0x03; /* page size 0x0300 = 768: not a power of two */
    bad[17] = 0x00;
    write_all(bad, good_len);
    refused("bad page size", "page size 768 is invalid");
    cleanup();
}

TEST(wrong_schema_version)
{
    make_good();
    sql("PRAGMA user_version = 2");
    refused("version 2", "has schema version 2; this edgeboxd reads version 1 only");
    sql("PRAGMA user_version = 0");
    refused("version 0", "has schema version 0");
    cleanup();
}

TEST(foreign_database)
{
    fresh();
    sql("CREATE TABLE photos(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos(name) VALUES('cat');");
    refused("foreign", "is an SQLite database but not an edgebox journal (application_id 0x00000000");
    cleanup();
}

TEST(missing_table)
{
    make_good();
    sql("DROP TABLE lifecycle");
    refused("missing table", "table 'lifecycle' is missing");
    cleanup();
}

TEST(not_a_file)
{
    fresh();
    mkdir(path, 0700);
    eb_journal_t *j = NULL;
    char err[1024] = "";
    CHECK_EQ_INT(eb_journal_open(&j, path, err, sizeof err), -1);
    CHECK(strstr(err, "not a regular file") != NULL);
    rmdir(path);
    /* a symlink is not followed */
    char target[160];
    snprintf(target, sizeof target, "%s/real.db", dir);
    CHECK_EQ_INT(eb_journal_open(&j, target, err, sizeof err), 0);
    eb_journal_close(j);
    CHECK_EQ_INT(symlink(target, path), 0);
    CHECK_EQ_INT(eb_journal_open(&j, path, err, sizeof err), -1);
    CHECK(j == NULL);
    unlink(target);
    cleanup();
}

/* The good journal itself still opens (the refusals above are not a checker that refuses everything). */
TEST(good_opens)
{
    make_good();
    eb_journal_t *j = NULL;
    char err[1024] = "";
    CHECK_EQ_INT(eb_journal_open(&j, path, err, sizeof err), 0);
    eb_journal_equity_t e;
    CHECK_EQ_INT(eb_journal_equity_last(j, &e), 0);
    CHECK_EQ_INT(e.time_ms, 1999 * 300000LL);
    eb_journal_close(j);
    cleanup();
}

int main(void)
{
    RUN(garbage);
    RUN(empty_and_tiny);
    RUN(truncated);
    RUN(damaged_page);
    RUN(wrong_schema_version);
    RUN(foreign_database);
    RUN(missing_table);
    RUN(not_a_file);
    RUN(good_opens);
    return eb_check_report();
}
