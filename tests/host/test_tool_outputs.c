/* The host tool's outputs on failing media (issue 11 item 8). Every printing command run with stdout on
 * /dev/full exits non-zero saying so; every command writing files, run on a 64 KiB tmpfs that cannot hold
 * the output, exits non-zero naming the file and leaves nothing behind: no output, no temp file, no
 * report.json beside a cut equity.csv. keygen keeps an existing pair without --force. The tmpfs lives in a
 * private mount namespace (`unshare -m`, or `unshare -rm` when not root: this binary re-runs itself inside
 * with --tmpfs DIR); where neither works that part is skipped with a message. One child at a time.
 * Commands covered on the tmpfs: data synth, model compile, model sign, backtest, train, walkforward,
 * keygen (data fetch: test_data_fetch, with a file-size limit). */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_tool[256], g_dir[256], g_bars[300], g_model[300], g_signed[300], g_key[420], g_pub[420], g_rows[300];
static char g_log[400], g_hourly[300], g_wfcfg[300];
static int g_runs;

/* argv with stdout on `out` (a path) and stderr in a fresh log g_log; the exit status (-1: not run). */
static int run_to(const char *out, const char *const argv[])
{
    snprintf(g_log, sizeof g_log, "%s/log-%d", g_dir, g_runs++);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), e = open(g_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define HAS(needle) CHECK_MSG(dp_file_contains(g_log, needle), "%s lacks '%s'", g_log, needle)

static void path(char *out, size_t cap, const char *dir, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* --- stdout on /dev/full --------------------------------------------------------------------------- */
TEST(stdout_full)
{
    char out[400], keys[400], bt[400];
    path(out, sizeof out, g_dir, "full-out.ebm");
    path(keys, sizeof keys, g_dir, "full-keys");
    path(bt, sizeof bt, g_dir, "full-bt");
    const char *cfg = "configs/paper-demo.json", *wf = "configs/walkforward-small.json";
    const char *const cmds[][16] = {
        {g_tool, "version", NULL},
        {g_tool, "--version", NULL},
        {g_tool, "--help", NULL},
        {g_tool, "features", "--schema", NULL},
        {g_tool, "features", "--in", g_bars, NULL},
        {g_tool, "indicators", "--in", g_bars, NULL},
        {g_tool, "data", "synth", "--bars", "2000", NULL},
        {g_tool, "model", "predict", "--model", g_model, "--in", g_rows, NULL},
        {g_tool, "model", "inspect", "--in", g_signed, NULL},
        {g_tool, "model", "verify", "--pub", g_pub, "--in", g_signed, NULL},
        {g_tool, "model", "help", NULL},
        {g_tool, "keygen", "--out", keys, NULL},
        {g_tool, "backtest", "--config", cfg, "--signal", "always-long", "--in", g_bars, "--out", bt, NULL},
        {g_tool, "train", "--config", wf, "--in", g_bars, "--out", out, NULL},
        {g_tool, "montecarlo", "--config", cfg, "--in", g_hourly, "--model", g_model, "--out", bt, "--runs", "20", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        /* the same command on /dev/null succeeds: the failure below is the full stdout's */
        CHECK_MSG(run_to("/dev/null", cmds[i]) == 0, "%s %s: exit non-zero on /dev/null (%s)", cmds[i][1],
                  cmds[i][2] ? cmds[i][2] : "", g_log);
        dp_rmtree(keys); /* keygen again: a fresh directory */
        int rc = run_to("/dev/full", cmds[i]);
        CHECK_MSG(rc != 0 && rc < 128, "%s %s: exit %d on /dev/full", cmds[i][1], cmds[i][2] ? cmds[i][2] : "", rc);
        HAS("writing standard output: No space left on device");
        dp_rmtree(keys);
    }
}

TEST(keygen_keeps_a_pair)
{
    char keys[400], key[500], pub[500];
    path(keys, sizeof keys, g_dir, "kg");
    path(key, sizeof key, keys, "model.key");
    path(pub, sizeof pub, keys, "model.pub");
    const char *k[] = {g_tool, "keygen", "--out", keys, NULL};
    const char *kf[] = {g_tool, "keygen", "--out", keys, "--force", NULL};
    CHECK_EQ_INT(run_to("/dev/null", k), 0);
    char *before = dp_read_file(key, NULL), *before_pub = dp_read_file(pub, NULL);
    CHECK_EQ_INT(run_to("/dev/null", k), 1);
    HAS("model.key exists");
    HAS("--force");
    unlink(key); /* either half is enough to refuse */
    CHECK_EQ_INT(run_to("/dev/null", k), 1);
    HAS("model.pub exists");
    char *after_pub = dp_read_file(pub, NULL);
    CHECK(before_pub && after_pub && strcmp(before_pub, after_pub) == 0);
    CHECK_EQ_INT(run_to("/dev/null", kf), 0);
    char *after = dp_read_file(key, NULL);
    CHECK(before && after && strcmp(before, after) != 0);
    free(before);
    free(before_pub);
    free(after_pub);
    free(after);
}

/* --- outputs on a 64 KiB tmpfs (inside the private mount namespace) ---------------------------------- */

/* Fills the tmpfs at dir so that about `left` bytes stay free. */
static void fill(const char *dir, long left)
{
    char p[500];
    path(p, sizeof p, dir, "filler");
    unlink(p);
    struct statvfs vs;
    CHECK(statvfs(dir, &vs) == 0);
    long free_b = (long)(vs.f_bavail * vs.f_bsize), n = free_b - left;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static char zeros[4096];
    for (; fd >= 0 && n > 0; n -= (long)sizeof zeros)
        if (write(fd, zeros, n < (long)sizeof zeros ? (size_t)n : sizeof zeros) < 0)
            break;
    if (fd >= 0)
        close(fd);
}

/* 1 when dir holds nothing but `allowed` (NULL-terminated) names; prints the strays. */
static int only(const char *dir, const char *const *allowed)
{
    DIR *d = opendir(dir);
    int ok = 1;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            known |= !strcmp(*a, e->d_name);
        if (!known) {
            fprintf(stderr, "  left behind: %s/%s\n", dir, e->d_name);
            ok = 0;
        }
    }
    if (d)
        closedir(d);
    return ok;
}

static const char *const just_filler[] = {"filler", NULL};

static void tmpfs_outputs(const char *t)
{
    char out[500], bt[500], keys[500];
    static const char *const bt_dir[] = {"filler", "bt", NULL};
    static const char *const nothing[] = {NULL};

    /* data synth: 3000 bars are ~180 KB */
    path(out, sizeof out, t, "bars.csv");
    fill(t, 0 + 16384);
    const char *s[] = {g_tool, "data", "synth", "--bars", "3000", "--out", out, NULL};
    CHECK(run_to("/dev/null", s) == 1);
    HAS(out);
    CHECK(only(t, just_filler));

    /* model compile and model sign: a ~35 KB blob in 8 KiB */
    fill(t, 8192);
    path(out, sizeof out, t, "m.ebm");
    const char *c[] = {g_tool, "model", "compile", "--in", g_model, "--out", out, NULL};
    CHECK(run_to("/dev/null", c) != 0);
    HAS(out);
    CHECK(only(t, just_filler));
    path(out, sizeof out, t, "m.ebs");
    const char *sg[] = {g_tool, "model", "sign", "--key", g_key, "--in", g_model, "--release", "1", "--out", out, NULL};
    CHECK(run_to("/dev/null", sg) != 0);
    HAS(out);
    CHECK(only(t, just_filler));
    const char *in[] = {g_tool, "model", "inspect", "--in", out, NULL};
    CHECK(run_to("/dev/null", in) != 0); /* nothing there that inspect could accept */

    /* backtest: report.json is small, equity.csv is not: neither may stay */
    fill(t, 16384);
    path(bt, sizeof bt, t, "bt");
    const char *b[] = {g_tool, "backtest", "--config", "configs/paper-demo.json", "--signal", "always-long", "--in",
                       g_bars, "--out", bt, NULL};
    CHECK(run_to("/dev/null", b) == 1);
    HAS(bt);
    CHECK(only(t, bt_dir));
    CHECK(only(bt, nothing));
    dp_rmtree(bt);

    /* train: the .ebm in 8 KiB */
    fill(t, 8192);
    path(out, sizeof out, t, "t.ebm");
    const char *tr[] = {g_tool, "train", "--config", "configs/walkforward-small.json", "--in", g_bars, "--out", out,
                        NULL};
    CHECK(run_to("/dev/null", tr) != 0);
    HAS(out);
    CHECK(only(t, just_filler));

    /* walk-forward: checkpoints stay whole (a resume takes them), no results.json or model without the rest */
    fill(t, 12288);
    char wf[500], sets[600];
    path(wf, sizeof wf, t, "wf");
    path(sets, sizeof sets, wf, "sets");
    const char *w[] = {g_tool, "walkforward", "--config", g_wfcfg, "--in", g_hourly, "--out", wf, "--quiet", NULL};
    CHECK(run_to("/dev/null", w) == 1);
    HAS(wf);
    static const char *const wf_files[] = {"plan.txt", "sets", NULL};
    static const char *const ckpts[] = {"set-000000.ckpt", NULL};
    CHECK(only(wf, wf_files));
    CHECK(only(sets, ckpts));
    dp_rmtree(wf);

    /* keygen on a full disk: no half pair */
    fill(t, 0);
    path(keys, sizeof keys, t, "keys");
    const char *k[] = {g_tool, "keygen", "--out", keys, NULL};
    CHECK(run_to("/dev/null", k) != 0);
    HAS(keys);
    if (dp_exists(keys))
        CHECK(only(keys, nothing));
}

/* Inside the namespace: mount the tmpfs on dir and run the cases. 0: passed, 3: failed, 77: cannot mount
 * (skip). */
static int inner(const char *dir)
{
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") != 0) {
        fprintf(stderr, "test_tool_outputs: cannot mount a tmpfs (%s)\n", strerror(errno));
        return 77;
    }
    tmpfs_outputs(dir);
    umount(dir);
    return eb_check_report() ? 3 : 0; /* 3, not 1: unshare itself exits 1 when it cannot make the namespace */
}

TEST(tmpfs_full)
{
    char mnt[400], self[512];
    path(mnt, sizeof mnt, g_dir, "mnt");
    CHECK(mkdir(mnt, 0700) == 0);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n > 0 ? n : 0] = 0;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2); /* unshare's own complaint when namespaces are not allowed */
        const char *root[] = {"unshare", "-m", self, "--tmpfs", mnt, g_dir, NULL};
        const char *user[] = {"unshare", "-rm", self, "--tmpfs", mnt, g_dir, NULL};
        execvp("unshare", (char *const *)(getuid() == 0 ? root : user));
        _exit(77);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    if (rc == 77 || rc == 1 /* unshare refused */) {
        if (rc == 1)
            fprintf(stderr, "  (unshare -m%s failed: no mount namespace)\n", getuid() == 0 ? "" : " -r");
        CHECK_SKIP("no root and no unshare -rm: the 64 KiB tmpfs cases need a private mount namespace");
        return;
    }
    CHECK_MSG(rc == 0, "the tmpfs cases failed (exit %d, their messages above)", rc);
}

static int setup(void)
{
    path(g_bars, sizeof g_bars, g_dir, "bars.csv");
    path(g_model, sizeof g_model, g_dir, "m.ebm");
    path(g_signed, sizeof g_signed, g_dir, "m.ebs");
    path(g_rows, sizeof g_rows, g_dir, "rows.csv");
    path(g_hourly, sizeof g_hourly, g_dir, "hourly.csv");
    path(g_wfcfg, sizeof g_wfcfg, g_dir, "wf.json");
    char keys[400];
    path(keys, sizeof keys, g_dir, "keys");
    path(g_key, sizeof g_key, keys, "model.key");
    path(g_pub, sizeof g_pub, keys, "model.pub");
    return 0;
}

int main(int argc, char **argv)
{
    if (!dp_bin("edgebox", g_tool, sizeof g_tool)) {
        eb_check_test = "setup";
        CHECK_SKIP("the binaries are not built under $EB_BUILD/bin (or no /tmp)");
        return eb_check_report();
    }
    if (argc == 4 && !strcmp(argv[1], "--tmpfs")) {
        /* the inputs made by the outer run, in its directory */
        snprintf(g_dir, sizeof g_dir, "%s", argv[3]);
        setup();
        return inner(argv[2]);
    }
    if (dp_tmpdir("tout", g_dir, sizeof g_dir) != 0)
        return 1;
    setup();
    char keys[400];
    path(keys, sizeof keys, g_dir, "keys");
    const char *a[] = {g_tool, "data", "synth", "--bars", "3000", "--out", g_bars, NULL};
    const char *t[] = {g_tool, "train", "--config", "configs/walkforward-small.json", "--in", g_bars, "--out", g_model, NULL};
    const char *k[] = {g_tool, "keygen", "--out", keys, NULL};
    const char *s[] = {g_tool, "model", "sign", "--key", g_key, "--in", g_model, "--release", "1", "--out", g_signed, NULL};
    if (run_to("/dev/null", a) || run_to("/dev/null", t) || run_to("/dev/null", k) || run_to("/dev/null", s)) {
        fprintf(stderr, "setup failed: see %s\n", g_log);
        return 1;
    }
    /* eight months of hourly bars and one parameter set: a walk-forward of half a second */
    const char *h[] = {g_tool, "data", "synth", "--bars", "5832", "--interval", "1h", "--vol", "0.008", "--out", g_hourly, NULL};
    if (run_to("/dev/null", h) ||
        dp_write_file(g_wfcfg, "{\"walkforward\": {\"train_months\": 3, \"valid_months\": 1, \"step_months\": 1,"
                      " \"grid\": {\"tenkan\": {\"start\": 9, \"end\": 9, \"step\": 1}, \"kijun\": {\"start\": 26, "
                      "\"end\": 26, \"step\": 2}, \"senkou_b\": {\"start\": 52, \"end\": 52, \"step\": 4}, \"rsi\": "
                      "{\"start\": 14, \"end\": 14, \"step\": 7}, \"atr\": {\"start\": 14, \"end\": 14, \"step\": 7}},"
                      " \"search\": {\"seed\": 5, \"rounds\": {\"min\": 10, \"max\": 20}, \"max_leaves\": {\"min\": 8, "
                      "\"max\": 16}}, \"labels\": {\"horizon\": 24}, \"selection\": {\"min_trades\": 1}}}\n") != 0) {
        fprintf(stderr, "setup failed: see %s\n", g_log);
        return 1;
    }
    /* one row of zeros per feature the model takes */
    FILE *f = fopen(g_rows, "w");
    for (int i = 0; i < 58; i++)
        fprintf(f, "%s0", i ? "," : "");
    fprintf(f, "\n");
    fclose(f);
    RUN(stdout_full);
    RUN(keygen_keeps_a_pair);
    RUN(tmpfs_full);
    if (!eb_check_failed)
        dp_rmtree(g_dir);
    return eb_check_report();
}
