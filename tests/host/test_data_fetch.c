/* edgebox data fetch (tools/edgebox/data_fetch.h) against the fake exchange on 127.0.0.1: a new file,
 * resuming where the file ends, nothing new, Retry-After and backoff on the way, giving up and resuming
 * after, a real gap kept, --to, and every refusal leaving the file as it was. */
#include "app/bars_csv.h"
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/fake_exchange.h"
#include "tools/edgebox/data/data_fetch.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define IV 300000LL
#define T0 1609459200000LL
#define NBARS 400

static eb_bar_t series[NBARS];
static char dir[256], out_path[320], log_path[320];

static int64_t open_of(int i) { return T0 + i * IV; }

/* Runs the command with its stderr in log_path; argv ends with NULL. */
static int run(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    argv[argc++] = (char *)"fetch";
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stderr);
    int saved = dup(2), fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    int rc = eb_data_fetch_main(argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return rc;
}

/* Reads the output back with the project's CSV reader; checks every bar against the series. Returns the
 * count, -1 when the file is refused. *gap_at: open time of the first bar after a gap (or -1). */
static long read_back(int64_t *gap_at, long *gap_len)
{
    eb_bars_csv_t r;
    eb_bar_t b;
    long n = 0;
    int rc;
    if (gap_at)
        *gap_at = -1, *gap_len = 0;
    if (eb_bars_csv_open(&r, out_path))
        return -1;
    while ((rc = eb_bars_csv_next(&r, &b)) == 1) {
        long i = (long)((b.open_time_ms - T0) / IV);
        CHECK_MSG(i >= 0 && i < NBARS && b.open == series[i].open && b.high == series[i].high && b.low == series[i].low &&
                      b.close == series[i].close && b.volume == series[i].volume,
                  "bar %lld differs from the exchange's", (long long)b.open_time_ms);
        if (r.gap_bars && gap_at)
            *gap_at = b.open_time_ms, *gap_len = r.gap_bars;
        n++;
    }
    CHECK_MSG(rc == 0, "%s", r.err);
    eb_bars_csv_close(&r);
    return rc == 0 ? n : -1;
}

static eb_fx_t *exchange_at(int bar)
{
    eb_fx_t *fx = eb_fx_start(series, NBARS, "BTCUSDT", "5m", IV);
    CHECK_MSG(fx != NULL, "the fake exchange did not start");
    if (fx)
        eb_fx_set_now(fx, open_of(bar) + IV / 2);
    unlink(out_path);
    return fx;
}

static int log_has(const char *s) { return dp_file_contains(log_path, s); }

TEST(new_file_then_resume)
{
    eb_fx_t *fx = exchange_at(250);
    if (!fx)
        return;
    char from[32];
    snprintf(from, sizeof from, "%lld", (long long)T0);
    CHECK_EQ_INT(run("--symbol", "BTCUSDT", "--interval", "5m", "--from", from, "--out", out_path, "--base",
                     eb_fx_url(fx), "--limit", "100", NULL), 0);
    CHECK_EQ_INT(read_back(NULL, NULL), 250);
    CHECK(log_has("250 bars written, up to 2021-01-01 20:45 UTC"));
    CHECK(log_has("done: 250 new bars"));
    CHECK_EQ_INT(eb_fx_request_count(fx), 3);
    char *text = dp_read_file(out_path, NULL);
    CHECK(text && strncmp(text, "open_time_ms,open,high,low,close,volume\n1609459200000,30000,30050,29960,29995,10.125\n", 85) == 0);
    free(text);

    /* Resume: only the bars after the file's last one are asked for and appended. */
    eb_fx_set_now(fx, open_of(300) + 1000);
    CHECK_EQ_INT(run("--from", from, "--out", out_path, "--base", eb_fx_url(fx), NULL), 0);
    CHECK_EQ_INT(read_back(NULL, NULL), 300);
    CHECK(log_has("holds 250 bars; resuming at 1609534200000"));
    eb_fx_request_t r;
    CHECK(eb_fx_request(fx, 3, &r) == 0 && r.start_ms == open_of(250));

    /* Nothing new: the file stays byte for byte. */
    size_t n1 = 0, n2 = 0;
    char *before = dp_read_file(out_path, &n1);
    CHECK_EQ_INT(run("--out", out_path, "--base", eb_fx_url(fx), NULL), 0);
    char *after = dp_read_file(out_path, &n2);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    CHECK(log_has("done: 0 new bars"));
    free(before);
    free(after);
    eb_fx_stop(fx);
}

TEST(retry_after_and_backoff_on_the_way)
{
    eb_fx_t *fx = exchange_at(250);
    if (!fx)
        return;
    eb_fx_push_fault(fx, EB_FX_429, 1);
    eb_fx_push_fault(fx, EB_FX_500, 0);
    eb_fx_push_fault(fx, EB_FX_MALFORMED, EB_FXM_NON_NUMERIC);
    CHECK_EQ_INT(run("--from", "2021-01-01", "--out", out_path, "--base", eb_fx_url(fx), "--retry-base-ms", "20", NULL), 0);
    CHECK_EQ_INT(read_back(NULL, NULL), 250);
    eb_fx_request_t a, b, c, d;
    CHECK(eb_fx_request(fx, 0, &a) == 0 && eb_fx_request(fx, 1, &b) == 0 && eb_fx_request(fx, 2, &c) == 0 &&
          eb_fx_request(fx, 3, &d) == 0);
    CHECK_MSG(b.mono_ms - a.mono_ms >= 995, /* arrivals are stamped after the read: a few ms of slack */ "429 Retry-After 1: waited %lld ms", (long long)(b.mono_ms - a.mono_ms));
    CHECK_MSG(c.mono_ms - b.mono_ms >= 35 && c.mono_ms - b.mono_ms < 500, "second failure: %lld ms (base 20 doubled)",
              (long long)(c.mono_ms - b.mono_ms));
    CHECK_MSG(d.mono_ms - c.mono_ms >= 75, "third failure: %lld ms", (long long)(d.mono_ms - c.mono_ms));
    CHECK(log_has("HTTP 429 (rate limit), Retry-After honoured (retry in 1000 ms)"));
    CHECK(log_has("HTTP 500"));
    CHECK(log_has("field 'close'"));
    eb_fx_stop(fx);
}

TEST(gives_up_then_resumes)
{
    eb_fx_t *fx = exchange_at(250);
    if (!fx)
        return;
    for (int i = 0; i < 3; i++)
        eb_fx_push_fault(fx, EB_FX_500, 0);
    CHECK_EQ_INT(run("--from", "2021-01-01T00:00Z", "--out", out_path, "--base", eb_fx_url(fx), "--retry-base-ms", "5",
                     "--max-failures", "3", NULL), 1);
    CHECK(log_has("giving up after 3 failures in a row; 0 bars written"));
    CHECK_EQ_INT(read_back(NULL, NULL), 0); /* the header is there, so a resume needs only --from */
    CHECK_EQ_INT(run("--from", "2021-01-01T00:00:00", "--out", out_path, "--base", eb_fx_url(fx), NULL), 0);
    CHECK_EQ_INT(read_back(NULL, NULL), 250);
    eb_fx_stop(fx);
}

TEST(exchange_gap_kept_and_to)
{
    eb_fx_t *fx = exchange_at(250);
    if (!fx)
        return;
    eb_fx_hole(fx, open_of(40), open_of(43), -1);
    char to[32];
    snprintf(to, sizeof to, "%lld", (long long)open_of(100));
    CHECK_EQ_INT(run("--from", "2021-01-01", "--to", to, "--out", out_path, "--base", eb_fx_url(fx), NULL), 0);
    int64_t gap_at;
    long gap_len;
    CHECK_EQ_INT(read_back(&gap_at, &gap_len), 97); /* bars 0..99 without 40..42 */
    CHECK_EQ_INT(gap_at, open_of(43));
    CHECK_EQ_INT(gap_len, 3);
    CHECK(log_has("no bars for 3 interval(s) before 1609472100000"));
    eb_fx_request_t r;
    CHECK(eb_fx_request(fx, 0, &r) == 0 && r.end_ms == open_of(100) - 1);
    eb_fx_stop(fx);
}

TEST(refusals_leave_the_file)
{
    eb_fx_t *fx = exchange_at(250);
    if (!fx)
        return;
    const char *base = eb_fx_url(fx);
    CHECK_EQ_INT(run("--from", "2021-01-01", "--base", base, NULL), 2);
    CHECK(log_has("--out FILE is required"));
    CHECK_EQ_INT(run("--out", out_path, "--base", base, NULL), 2);
    CHECK(log_has("--from is required for a new file"));
    CHECK(!dp_exists(out_path));
    CHECK_EQ_INT(run("--from", "2021-13-01", "--out", out_path, NULL), 2);
    CHECK(log_has("--from: '2021-13-01' is not allowed"));
    CHECK_EQ_INT(run("--from", "0", "--interval", "7m", "--out", out_path, NULL), 2);
    CHECK(log_has("klines.interval: 7m is not allowed"));
    CHECK_EQ_INT(run("--from", "0", "--limit", "5000", "--out", out_path, NULL), 2);
    CHECK(log_has("--limit: '5000' is not allowed"));
    CHECK_EQ_INT(run("--from", "0", "--base", "ftp://127.0.0.1", "--out", out_path, NULL), 2);
    CHECK(log_has("klines.base_url"));
    CHECK(!dp_exists(out_path));

    static const char *const files[][2] = {
        {"open_time_ms,open,high,low,close,volume\n1609459200000,1,2,1,1,5\n1609459200000,1,2,1,1,5\n", "bars.csv:3:"},
        {"time,o,h,l,c,v\n", "header"},
        {"open_time_ms,open,high,low,close,volume\n1609459200000,1,2,1,1,5\n1609462800000,1,2,1,1,5\n", "3600000 ms apart"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        CHECK(dp_write_file(out_path, files[i][0]) == 0);
        CHECK_EQ_INT(run("--from", "0", "--out", out_path, "--base", base, NULL), 2);
        CHECK_MSG(log_has("cannot resume") && log_has(files[i][1]), "file %zu: wrong message", i);
        char *now = dp_read_file(out_path, NULL);
        CHECK(now && strcmp(now, files[i][0]) == 0);
        free(now);
    }
    CHECK_EQ_INT(eb_fx_request_count(fx), 0);
    eb_fx_stop(fx);
}

/* A disk that fills during a resume (issue 11 item 8): RLIMIT_FSIZE stands in for it. The file keeps
 * its old bytes (before: appended rows cut mid-line), the error names it, and no temp file stays. */
TEST(full_disk_keeps_the_old_file)
{
    eb_fx_t *fx = exchange_at(20);
    if (!fx)
        return;
    CHECK_EQ_INT(run("--from", "2021-01-01", "--out", out_path, "--base", eb_fx_url(fx), NULL), 0); /* = T0 */
    size_t n1 = 0, n2 = 0;
    char *before = dp_read_file(out_path, &n1);
    eb_fx_set_now(fx, open_of(300) + 1000);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit lim = {4096, 4096};
        signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead of killing */
        setrlimit(RLIMIT_FSIZE, &lim);
        _exit(run("--out", out_path, "--base", eb_fx_url(fx), NULL));
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d", st);
    CHECK(log_has(out_path) && log_has("File too large"));
    char *after = dp_read_file(out_path, &n2);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    CHECK_EQ_INT(dp_count_entries(dir), 2); /* bars.csv and stderr.txt: no temp file */
    free(before);
    free(after);
    eb_fx_stop(fx);
}

int main(void)
{
    eb_fx_make_series(series, NBARS, T0, IV);
    if (dp_tmpdir("fetch", dir, sizeof dir))
        return 1;
    snprintf(out_path, sizeof out_path, "%s/bars.csv", dir);
    snprintf(log_path, sizeof log_path, "%s/stderr.txt", dir);
    RUN(new_file_then_resume);
    RUN(retry_after_and_backoff_on_the_way);
    RUN(gives_up_then_resumes);
    RUN(exchange_gap_kept_and_to);
    RUN(refusals_leave_the_file);
    RUN(full_disk_keeps_the_old_file);
    dp_rmtree(dir);
    return eb_check_report();
}
