/* The common layer (firmware/common): mkdir -p, the bounded whole-file reader and the time parser.
 * The reader is the one the daemon's loop uses for files other processes put in its way, so each kind of
 * non-regular file must be refused at once, without blocking: a FIFO with no writer, a directory, a
 * character device, a symbolic link (where refused) and a sparse file far larger than the bound. */
#include "common/errf.h"
#include "common/file_read.h"
#include "common/mkdir_p.h"
#include "common/time_parse.h"
#include "tests/support/check.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char g_dir[64];

static void path_in(const char *name, char *out, size_t cap) { snprintf(out, cap, "%s/%s", g_dir, name); }

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(errf_formats_and_fails)
{
    char err[16];
    CHECK_EQ_INT(eb_errf(err, sizeof err, "x=%d %s", 42, "a long tail that is cut"), -1);
    CHECK_EQ_STR(err, "x=42 a long tai");
    CHECK_EQ_INT(eb_errf(NULL, 0, "nothing to write into"), -1);
}

TEST(mkdir_p_levels_and_refusals)
{
    char p[256], err[512];
    path_in("a/b//c/d", p, sizeof p);
    CHECK_EQ_INT(eb_mkdir_p(p, 0750, err, sizeof err), 0);
    struct stat st;
    CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_EQ_INT(eb_mkdir_p(p, 0750, err, sizeof err), 0); /* already there */
    char file[256];
    path_in("plain", file, sizeof file);
    write_text(file, "x");
    path_in("plain/sub", p, sizeof p);
    CHECK_EQ_INT(eb_mkdir_p(p, 0750, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "plain/sub") && strstr(err, "Not a directory"), "%s", err);
    CHECK_EQ_INT(eb_mkdir_p(file, 0750, err, sizeof err), -1); /* the last component is a file */
    CHECK_EQ_INT(eb_mkdir_p("", 0750, err, sizeof err), -1);
}

TEST(read_regular_files)
{
    char p[256], err[512], buf[8];
    path_in("small", p, sizeof p);
    write_text(p, "hello");
    size_t len = 0;
    char *all = eb_file_read_all(p, 0, 0, &len, err, sizeof err);
    CHECK(all && len == 5 && strcmp(all, "hello") == 0);
    free(all);
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, 0, err, sizeof err), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ_INT(eb_file_read_into(p, buf, 4, 0, err, sizeof err), -1); /* larger than the bound */
    CHECK_MSG(strstr(err, "5 bytes") && strstr(err, "4 allowed"), "%s", err);
    CHECK(eb_file_read_all(p, 4, 0, NULL, err, sizeof err) == NULL);
    path_in("empty", p, sizeof p);
    write_text(p, "");
    all = eb_file_read_all(p, 0, 0, &len, err, sizeof err);
    CHECK(all && len == 0 && all[0] == '\0');
    free(all);
    path_in("missing", p, sizeof p);
    CHECK(eb_file_read_all(p, 0, 0, NULL, err, sizeof err) == NULL);
    CHECK_MSG(strstr(err, "No such file"), "%s", err);
}

/* Every refusal is immediate: none of these may block the caller. */
TEST(read_refuses_what_is_not_a_regular_file)
{
    char p[256], err[512], buf[64];
    int64_t t0 = now_ms();
    path_in("fifo", p, sizeof p);
    CHECK_EQ_INT(mkfifo(p, 0600), 0);
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, EB_READ_NOFOLLOW, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "a FIFO"), "%s", err);
    CHECK(eb_file_read_all(p, 0, 0, NULL, err, sizeof err) == NULL);
    path_in("a", p, sizeof p); /* a directory made by the mkdir test */
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, 0, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "a directory"), "%s", err);
    CHECK_EQ_INT(eb_file_read_into("/dev/null", buf, sizeof buf, 0, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "a character device"), "%s", err);
    CHECK_EQ_INT(eb_file_read_into("/dev/zero", buf, sizeof buf, 0, err, sizeof err), -1);
    char target[256];
    path_in("small", target, sizeof target);
    path_in("link", p, sizeof p);
    CHECK_EQ_INT(symlink(target, p), 0);
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, EB_READ_NOFOLLOW, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "symbolic link"), "%s", err);
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, 0, err, sizeof err), 5); /* followed where allowed */
    path_in("sparse", p, sizeof p);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)1 << 40) == 0); /* 1 TiB, no blocks */
    if (fd >= 0)
        close(fd);
    CHECK_EQ_INT(eb_file_read_into(p, buf, sizeof buf, 0, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "1099511627776 bytes"), "%s", err);
    CHECK(eb_file_read_all(p, 1 << 20, 0, NULL, err, sizeof err) == NULL);
    CHECK_MSG(now_ms() - t0 < 2000, "refusals took %lld ms", (long long)(now_ms() - t0));
}

TEST(time_parse_forms)
{
    int64_t ms = -1;
    CHECK_EQ_INT(eb_time_parse_ms("1609459200000", 1, &ms), 0);
    CHECK_EQ_INT(ms, 1609459200000LL);
    CHECK_EQ_INT(eb_time_parse_ms("1609459200", 1000, &ms), 0);
    CHECK_EQ_INT(ms, 1609459200000LL);
    CHECK_EQ_INT(eb_time_parse_ms("2021-01-01", 1, &ms), 0);
    CHECK_EQ_INT(ms, 1609459200000LL);
    CHECK_EQ_INT(eb_time_parse_ms("2021-01-01T01:02", 1, &ms), 0);
    CHECK_EQ_INT(ms, 1609459200000LL + 3720000);
    CHECK_EQ_INT(eb_time_parse_ms("2021-01-01T01:02:03Z", 1, &ms), 0);
    CHECK_EQ_INT(ms, 1609459200000LL + 3723000);
    CHECK_EQ_INT(eb_time_parse_iso_ms("2024-02-29", &ms), 0); /* leap day */
    CHECK_EQ_INT(ms, 1709164800000LL);
    CHECK_EQ_INT(eb_time_parse_ms("0", 1, &ms), 0);
    CHECK_EQ_INT(ms, 0);
    const char *bad[] = {"", "-5", "12x", "2021-02-30", "2023-02-29", "2021-13-01", "2021-00-10", "2021-1-01",
                         "2021-01-01T24:00", "2021-01-01T10:60", "2021-01-01T10:00:60", "2021-01-01T10",
                         "2021-01-01 10:00", "2021-01-01T10:00+01:00", "2021-01-01ZZ", "99999999999999999999",
                         "1e3", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(eb_time_parse_ms(bad[i], 1, &ms) == -1, "'%s' accepted", bad[i]);
    CHECK_EQ_INT(eb_time_parse_ms("9223372036854775", 1000, &ms), 0);
    CHECK_EQ_INT(eb_time_parse_ms("9223372036854776", 1000, &ms), -1); /* seconds that overflow in ms */
    CHECK_EQ_INT(eb_time_parse_ms("9223372036854775807", 1, &ms), 0);
    CHECK_EQ_INT(eb_time_parse_ms("9223372036854775808", 1, &ms), -1);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/eb-common-XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    RUN(errf_formats_and_fails);
    RUN(mkdir_p_levels_and_refusals);
    RUN(read_regular_files);
    RUN(read_refuses_what_is_not_a_regular_file);
    RUN(time_parse_forms);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return eb_check_report();
}
