/* Bars and options of the host tool (issue 11 item 10): each bad value is refused naming the option, the
 * file and line, and nothing is written; the --help of every model subcommand is usage and exit 0. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char g_tool[256], g_dir[256], g_bars[300], g_model[300], g_key[420];
static char g_log[400];
static int g_runs;

/* Runs the tool with its output in a fresh log (g_log); the exit status. */
static int run(const char *const argv[])
{
    snprintf(g_log, sizeof g_log, "%s/log-%d", g_dir, g_runs++);
    return dp_run(argv, NULL, g_log, 20000);
}

#define HAS(needle) CHECK_MSG(dp_file_contains(g_log, needle), "%s lacks '%s'", g_log, needle)

static void path(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", g_dir, name); }

TEST(indicators_names_the_option)
{
    const char *a[] = {g_tool, "indicators", "--in", g_bars, "--bb", "20,abc", NULL};
    CHECK_EQ_INT(run(a), 2);
    HAS("--bb: '20,abc'");
    CHECK(!dp_file_contains(g_log, "--ema"));
    const char *b[] = {g_tool, "indicators", "--in", g_bars, "--ichimoku", "9,26", NULL};
    CHECK_EQ_INT(run(b), 2);
    HAS("--ichimoku: '9,26'");
}

TEST(platt_pairs_and_sign_lengths)
{
    char out[400];
    path(out, sizeof out, "platt.ebm");
    const char *bad[] = {"1,0", "1,0,1,0,1,0,1,0", "1,0,1", "1,0,1,0,1,0,", NULL};
    for (int i = 0; bad[i]; i++) {
        const char *a[] = {g_tool, "model", "compile", "--in", g_model, "--out", out, "--platt", bad[i], NULL};
        CHECK_MSG(run(a) == 2, "--platt %s accepted", bad[i]);
        HAS("--platt");
        CHECK(!dp_exists(out));
    }
    const char *ok[] = {g_tool, "model", "compile", "--in", g_model, "--out", out, "--platt", "1,0,1,0,1,0", NULL};
    CHECK_EQ_INT(run(ok), 0);
    CHECK(dp_exists(out));

    char signed_[400];
    path(signed_, sizeof signed_, "m.ebs");
    const char *id40 = "a-model-id-of-forty-characters-123456789";
    const char *board20 = "a-board-of-20-chars-";
    const char *s1[] = {g_tool, "model", "sign", "--key", g_key, "--in", g_model, "--release", "1", "--model-id", id40,
                        "--out", signed_, NULL};
    CHECK_EQ_INT(run(s1), 2);
    HAS("--model-id");
    HAS("longer than 31 characters");
    const char *s2[] = {g_tool, "model", "sign", "--key", g_key, "--in", g_model, "--release", "1", "--board", board20,
                        "--out", signed_, NULL};
    CHECK_EQ_INT(run(s2), 2);
    HAS("--board");
    HAS("longer than 15 characters");
    CHECK(!dp_exists(signed_));
    /* the limits themselves are fine */
    const char *s3[] = {g_tool, "model", "sign", "--key", g_key, "--in", g_model, "--release", "1", "--model-id",
                        "a-model-id-of-31-characters-123", "--board", "board-of-15-chr", "--out", signed_, NULL};
    CHECK_EQ_INT(run(s3), 0);
    const char *in[] = {g_tool, "model", "inspect", "--in", signed_, NULL};
    CHECK_EQ_INT(run(in), 0);
    HAS("a-model-id-of-31-characters-123");
    HAS("board-of-15-chr");
}

TEST(train_release_needs_key)
{
    char out[400];
    path(out, sizeof out, "r.ebm");
    const char *a[] = {g_tool, "train", "--config", "configs/walkforward-small.json", "--in", g_bars, "--out", out,
                       "--release", "3", NULL};
    CHECK_EQ_INT(run(a), 2);
    HAS("--release signs the model and needs --key");
    CHECK(!dp_exists(out));
}

/* Numbers past their type: refused, not wrapped ("4294967297" jobs were 1, an overflowing release was
 * 2^64-1, "-1" a huge seed). */
TEST(numeric_options_do_not_wrap)
{
    char out[400];
    path(out, sizeof out, "wf-num");
    static const struct { const char *cmd, *opt, *val, *msg; } cases[] = {
        {"walkforward", "--jobs", "4294967297", "--jobs: '4294967297' is not allowed (allowed: 1..256)"},
        {"walkforward", "--jobs", "0x10", "--jobs: '0x10' is not allowed"},
        {"walkforward", "--release", "99999999999999999999", "--release: '99999999999999999999' is not allowed"},
        {"walkforward", "--release", "-1", "--release: '-1' is not allowed (allowed: 1..2^64-1)"},
        {"montecarlo", "--seed", "-1", "--seed: '-1' is not allowed (allowed: 0..2^64-1)"},
        {"montecarlo", "--runs", "1e3", "--runs: '1e3' is not allowed (allowed: 2..10000000)"},
        {"montecarlo", "--alpha", "nan", "--alpha: 'nan' is not allowed (allowed: a number in (0, 1))"},
        {"montecarlo", "--alpha", "1", "--alpha: '1' is not allowed"},
        {"train", "--set", "1e3", "--set: '1e3' is not allowed (allowed: a set index >= 0)"},
        {"train", "--release", "", "--release: '' is not allowed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *a[] = {g_tool, cases[i].cmd, cases[i].opt, cases[i].val, "--config", "configs/walkforward-small.json",
                           "--in", g_bars, "--out", out, NULL};
        CHECK_EQ_INT(run(a), 2);
        HAS(cases[i].msg);
        CHECK(!dp_exists(out));
    }
}

TEST(model_help)
{
    const char *subs[] = {"compile", "sign", "verify", "inspect", "predict", NULL};
    for (int i = 0; subs[i]; i++) {
        const char *a[] = {g_tool, "model", subs[i], "--help", NULL};
        CHECK_MSG(run(a) == 0, "model %s --help", subs[i]);
        HAS("usage: edgebox model");
    }
}

/* A directory, a NUL byte, a bar off the grid and a 1e300 price, through the commands that read bars. */
TEST(bad_bar_files)
{
    char nul[400], grid[400], huge[400], out[400];
    path(nul, sizeof nul, "nul.csv");
    path(grid, sizeof grid, "grid.csv");
    path(huge, sizeof huge, "huge.csv");
    path(out, sizeof out, "huge.ebm");
    const char *hdr = "open_time_ms,open,high,low,close,volume\n";
    FILE *f = fopen(nul, "wb");
    fprintf(f, "%s0,10,11,9,10,3\n300000,10,1", hdr);
    fputc(0, f);
    fprintf(f, "1,9,10,3\n");
    fclose(f);
    f = fopen(grid, "w");
    fprintf(f, "%s", hdr);
    for (int i = 0; i < 10; i++)
        fprintf(f, "%d,10,11,9,10,3\n", i * 300000 + (i == 5));
    fclose(f);
    /* the real bars with one high of 1e300 at line 1001 */
    char *text = dp_read_file(g_bars, NULL);
    CHECK(text != NULL);
    f = fopen(huge, "w");
    char *line = text;
    for (int ln = 1; line && *line; ln++) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (ln == 1001) {
            long long t;
            double o, h, l, c, v;
            CHECK(sscanf(line, "%lld,%lf,%lf,%lf,%lf,%lf", &t, &o, &h, &l, &c, &v) == 6);
            fprintf(f, "%lld,%.2f,1e300,%.2f,%.2f,%f\n", t, o, l, c, v);
        } else {
            fwrite(line, 1, n, f);
        }
        line = nl ? nl + 1 : NULL;
    }
    fclose(f);
    free(text);

    const char *d[] = {g_tool, "features", "--in", g_dir, NULL};
    CHECK(run(d) != 0);
    HAS("is a directory");
    const char *n1[] = {g_tool, "features", "--in", nul, NULL};
    CHECK(run(n1) != 0);
    HAS("nul.csv:3: NUL byte at line 3");
    const char *g1[] = {g_tool, "indicators", "--in", grid, NULL};
    CHECK(run(g1) != 0);
    HAS("grid.csv:7: field 'open_time_ms': 1500001 is off the bars' grid");
    const char *t1[] = {g_tool, "train", "--config", "configs/walkforward-small.json", "--in", huge, "--out", out, NULL};
    CHECK(run(t1) != 0);
    HAS("huge.csv:1001: field 'high': 1e+300 is larger than the tool handles");
    CHECK(!dp_file_contains(g_log, "XGBoost"));
    CHECK(!dp_exists(out));
}

int main(void)
{
    if (!dp_bin("edgebox", g_tool, sizeof g_tool) || dp_tmpdir("topt", g_dir, sizeof g_dir) != 0) {
        eb_check_test = "setup";
        CHECK_SKIP("the binaries are not built under $EB_BUILD/bin (or no /tmp)");
        return eb_check_report();
    }
    path(g_bars, sizeof g_bars, "bars.csv");
    path(g_model, sizeof g_model, "m.ebm");
    char keys[400];
    path(keys, sizeof keys, "keys");
    snprintf(g_key, sizeof g_key, "%s/model.key", keys);
    const char *a[] = {g_tool, "data", "synth", "--bars", "3000", "--out", g_bars, NULL};
    const char *t[] = {g_tool, "train", "--config", "configs/walkforward-small.json", "--in", g_bars, "--out", g_model, NULL};
    const char *k[] = {g_tool, "keygen", "--out", keys, NULL};
    if (run(a) != 0 || run(t) != 0 || run(k) != 0) {
        fprintf(stderr, "setup failed: see %s\n", g_log);
        return 1;
    }
    RUN(indicators_names_the_option);
    RUN(platt_pairs_and_sign_lengths);
    RUN(train_release_needs_key);
    RUN(numeric_options_do_not_wrap);
    RUN(model_help);
    RUN(bad_bar_files);
    if (!eb_check_failed)
        dp_rmtree(g_dir);
    return eb_check_report();
}
