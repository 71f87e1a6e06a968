/* Hostile entries in the model drop directory (issue 11 item 2): a FIFO, a symbolic link (to a FIFO and to
 * /dev/zero), a directory, a device node (when the test may make one) and a 1 TiB sparse file, each named
 * like a model. None may block the loop: while they are handled the watchdog keeps being pinged, STATUS=
 * keeps coming, a kill-switch press acts within a few hundred ms and the running model stays. Each is
 * refused and set aside, no more than three refused entries are kept, and a restart with a FIFO already
 * waiting reaches READY=1. On the old daemon the FIFO alone stopped the loop (no pings; a press 8 s late). */
#include "hal/io/gpio.h"
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static dp_fixture_t F;

typedef struct {
    char casedir[400], cfg[500], db[600], drop[600], sim[500], log[500];
    dp_notify_t rx;
    pid_t pid;
} run_t;

static int start(run_t *r, const char *tag)
{
    char where[96], env_sim[600];
    snprintf(where, sizeof where, "@eb-drop-hostile-%d-%s", (int)getpid(), tag);
    if (dp_notify_open(&r->rx, where) != 0)
        return -1;
    /* 2000x: a bar every 150 ms, so the replay outlives the test and the loop has bars to run */
    const char *argv[] = {F.daemon, "--config", r->cfg, "--speed", "2000", NULL};
    const char *env[] = {dp_sim_env(r->casedir, env_sim, sizeof env_sim), r->rx.env, "WATCHDOG_USEC=300000", NULL};
    r->pid = dp_spawn(argv, env, r->log);
    return r->pid > 0 && dp_notify_wait(&r->rx, 0, "READY=1", 10000) >= 0 ? 0 : -1;
}

static int stop(run_t *r)
{
    kill(r->pid, SIGTERM);
    int rc = dp_wait(r->pid, 10000);
    dp_notify_close(&r->rx);
    return rc;
}

/* Refused entries the daemon kept (.NAME.rejected). */
static int rejected_kept(const char *drop)
{
    DIR *d = opendir(drop);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        n += e->d_name[0] == '.' && len > 9 && strcmp(e->d_name + len - 9, ".rejected") == 0;
    }
    closedir(d);
    return n;
}

/* Entries not yet handled (no leading dot). */
static int waiting(const char *drop)
{
    DIR *d = opendir(drop);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int made(int ok, const char *what)
{
    CHECK_MSG(ok, "cannot make %s", what);
    return ok != 0;
}

/* Puts the hostile entries in place; returns how many. */
static int plant(const run_t *r, int *device)
{
    char p[700];
    int n = 0;
    snprintf(p, sizeof p, "%s/a-fifo.signed", r->drop);
    n += made(mkfifo(p, 0600) == 0, p);
    snprintf(p, sizeof p, "%s/b-link-zero.signed", r->drop);
    n += made(symlink("/dev/zero", p) == 0, p);
    snprintf(p, sizeof p, "%s/c-dir.signed", r->drop);
    n += made(mkdir(p, 0700) == 0, p);
    snprintf(p, sizeof p, "%s/d-huge.signed", r->drop);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    n += made(fd >= 0 && ftruncate(fd, (off_t)1 << 40) == 0, p);
    if (fd >= 0)
        close(fd);
    char target[700];
    snprintf(target, sizeof target, "%s/.fifo-target", r->casedir);
    snprintf(p, sizeof p, "%s/e-link-fifo.signed", r->drop);
    n += made(mkfifo(target, 0600) == 0 && symlink(target, p) == 0, p);
    snprintf(p, sizeof p, "%s/f-device.signed", r->drop);
    *device = mknod(p, S_IFCHR | 0600, makedev(1, 3)) == 0; /* /dev/null's numbers: needs CAP_MKNOD */
    return n + *device;
}

TEST(hostile_drop_entries_never_block_the_loop)
{
    run_t r;
    dp_fixture_case(&F, "hostile", F.bars, "\"killswitch\": {\"debounce_ms\": 20, \"long_press_ms\": 600}", "", 1,
                    r.casedir, sizeof r.casedir, r.cfg, sizeof r.cfg);
    snprintf(r.db, sizeof r.db, "%s/state/journal.db", r.casedir);
    snprintf(r.drop, sizeof r.drop, "%s/state/drop", r.casedir);
    snprintf(r.sim, sizeof r.sim, "%s/sim", r.casedir);
    snprintf(r.log, sizeof r.log, "%s/log", r.casedir);
    int up = start(&r, "first") == 0;
    CHECK_MSG(up, "no READY=1");
    if (!up)
        return;
    CHECK(dp_notify_wait(&r.rx, 0, "STATUS=", 3000) >= 0);
    dp_notify_pump(&r.rx, 300); /* the fixture's model is installed */
    int device = 0, from = r.rx.n;
    int planted = plant(&r, &device);
    if (!device)
        fprintf(stderr, "SKIP device node: mknod not permitted here (the other entries still run)\n");
    int64_t t0 = dp_now_ms();
    while (waiting(r.drop) > 0 && dp_now_ms() - t0 < 3000)
        dp_notify_pump(&r.rx, 20);
    CHECK_MSG(waiting(r.drop) == 0, "%d of %d hostile entries still waiting after 3 s", waiting(r.drop), planted);
    dp_notify_pump(&r.rx, 1500);
    int64_t span = dp_now_ms() - t0;
    int pings = dp_notify_count(&r.rx, from, "WATCHDOG=1"), statuses = dp_notify_count(&r.rx, from, "STATUS=");
    /* WATCHDOG_USEC=300000: a ping every 150 ms, STATUS= every second; a stalled loop sends neither */
    CHECK_MSG(pings * 300 >= span, "%d watchdog pings in %lld ms", pings, (long long)span);
    CHECK_MSG(statuses >= 1, "%d STATUS= in %lld ms", statuses, (long long)span);
    CHECK_MSG(strstr(dp_notify_last_status(&r.rx), "model kf1"), "the running model changed: %s",
              dp_notify_last_status(&r.rx));
    int kept = rejected_kept(r.drop);
    CHECK_MSG(kept >= 1 && kept <= 3, "%d refused entries kept (allowed 1..3)", kept);
    /* the button still acts at once */
    char err[256];
    int64_t p0 = dp_now_ms();
    CHECK(eb_gpio_sim_write(r.sim, EB_LINE_KILLSWITCH, 0, err, sizeof err) == 0);
    int64_t seen = -1;
    while (dp_now_ms() - p0 < 2000 && seen < 0) {
        dp_notify_pump(&r.rx, 10);
        if (strstr(dp_notify_last_status(&r.rx), "kill_switch"))
            seen = dp_now_ms() - p0;
    }
    CHECK_MSG(seen >= 0 && seen < 300, "the press showed in STATUS= after %lld ms", (long long)seen);
    CHECK(eb_gpio_sim_write(r.sim, EB_LINE_KILLSWITCH, 1, err, sizeof err) == 0);
    CHECK_EQ_INT(stop(&r), 0);
    CHECK_MSG(dp_file_contains(r.log, "a FIFO (allowed: a regular file)"), "no FIFO refusal in the log");
    CHECK_MSG(dp_file_contains(r.log, "a symbolic link"), "no symbolic link refusal in the log");
    CHECK_MSG(dp_file_contains(r.log, "a directory"), "no directory refusal in the log");
    CHECK_MSG(dp_file_contains(r.log, "d-huge.signed"), "the sparse file is not named in the log");
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind = 'model' and detail like 'refused %'", -1),
                 planted);

    /* a FIFO already waiting at start-up: READY=1 all the same */
    char p[700];
    snprintf(p, sizeof p, "%s/g-fifo.signed", r.drop);
    CHECK(mkfifo(p, 0600) == 0);
    int64_t s0 = dp_now_ms();
    CHECK_MSG(start(&r, "again") == 0, "no READY=1 with a FIFO in the drop directory");
    CHECK_MSG(dp_now_ms() - s0 < 5000, "READY=1 took %lld ms", (long long)(dp_now_ms() - s0));
    dp_notify_pump(&r.rx, 500);
    CHECK_MSG(!dp_exists(p), "the FIFO was not set aside at start-up");
    CHECK_MSG(rejected_kept(r.drop) <= 3, "%d refused entries kept", rejected_kept(r.drop));
    CHECK_EQ_INT(stop(&r), 0);
}

int main(void)
{
    if (dp_fixture_ready(&F, "drop-hostile", "kf1") != 0)
        return eb_check_report();
    RUN(hostile_drop_entries_never_block_the_loop);
    dp_rmtree(F.dir);
    return eb_check_report();
}
