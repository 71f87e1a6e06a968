/* The control routes while the journal cannot write (issue 15 item 2, with issue 11 item 3's full disk):
 * the state directory is a small tmpfs, filled while the daemon replays. Once STATUS= names the journal,
 * POST /api/v1/disarm and /api/v1/rearm answer 503 and change nothing (a change that cannot be written
 * would be undone unseen by the roll-back to the last commit); once space returns and the journal writes
 * again, disarm answers 200 and master_switch is among the reasons. Skipped without a tmpfs. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/full_disk.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN "full-disk-token-0123456789"

static dp_fixture_t F;

TEST(control_waits_while_the_journal_fails)
{
    char casedir[400], cfg[500], state[500], log[500], sim[500], where[100], tok[500], app[800];
    dp_case(F.dir, "ctl", casedir, sizeof casedir);
    snprintf(state, sizeof state, "%s/state", casedir);
    if (fd_mount(state, 6) != 0) {
        CHECK_SKIP("no tmpfs");
        return;
    }
    snprintf(tok, sizeof tok, "%s/token", casedir);
    CHECK_EQ_INT(dp_write_file(tok, TOKEN "\n"), 0);
    CHECK_EQ_INT(chmod(tok, 0600), 0);
    int port = dp_free_port();
    snprintf(app, sizeof app, "\"http\": {\"port\": %d, \"token_file\": \"%s\"}", port, tok);
    dp_fixture_case(&F, "ctl", F.bars, app, "", 0, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(where, sizeof where, "@eb-test-hjfull-%d", (int)getpid());
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "100000", NULL}; /* a bar every 3 ms */
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    long long filled = fd_fill(state);
    CHECK_MSG(dp_notify_wait(&rx, 0, "journal", 6000) >= 0, "STATUS= never named the journal (filled %lld bytes)",
              filled);
    const char *auth = "Authorization: Bearer " TOKEN "\r\n";
    char *p = dp_http(port, "POST", "/api/v1/disarm", auth);
    CHECK_MSG(dp_http_status(p) == 503 && strstr(p, "the journal is failing: nothing changed") &&
                  !strstr(p, "\"master_switch\""),
              "disarm while failing: %.300s", p);
    free(p);
    p = dp_http(port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 503, "rearm while failing: %.300s", p);
    free(p);
    CHECK(dp_file_contains(log, "disarm from 127.0.0.1: 503 the journal is failing"));
    CHECK_EQ_INT(fd_unfill(state), 0);
    int from = rx.n, ok = 0;
    for (int i = 0; i < 60 && !ok; i++) { /* recover.c retries every second */
        dp_notify_pump(&rx, 100);
        ok = rx.n > from && !strstr(dp_notify_last_status(&rx), "journal");
    }
    CHECK_MSG(ok, "the journal did not recover: %s", dp_notify_last_status(&rx));
    p = dp_http(port, "POST", "/api/v1/disarm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "\"master_switch\""), "disarm after recovery: %.300s", p);
    free(p);
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    dp_notify_close(&rx);
    fd_unmount(state);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (fd_test_start(argv, &F, "hjfull", "hj1") != 0)
        return eb_check_report();
    RUN(control_waits_while_the_journal_fails);
    dp_rmtree(F.dir);
    return eb_check_report();
}
