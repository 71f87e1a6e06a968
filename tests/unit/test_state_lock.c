/* The state directory's lock (app/state_lock.h): one holder at a time, the refusal names the holder's pid
 * and the file, the descriptor is close-on-exec, and the "journal opened" history survives a new holder. */
#include "app/state_lock.h"
#include "../support/check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64], lock[128];

static void fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/eb-lock-test-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(lock, sizeof lock, "%s/%s", dir, EB_STATE_LOCK_FILE);
}

static void cleanup(void)
{
    unlink(lock);
    rmdir(dir);
}

/* In a child (flock locks belong to the open file description, so a second open in this process would
 * conflict too, but a child is what a second daemon is): 0 when it got the lock, 1 refused with the
 * expected words in its message, 2 refused otherwise. */
static int try_in_child(const char *expect)
{
    pid_t pid = fork();
    if (pid == 0) {
        char err[512] = "";
        int fd = eb_state_lock(dir, err, sizeof err);
        if (fd >= 0)
            _exit(0);
        if (!strstr(err, expect))
            fprintf(stderr, "    child's message: %s\n", err);
        _exit(strstr(err, expect) && strstr(err, lock) ? 1 : 2);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(one_holder_named_by_pid)
{
    fresh();
    char err[512] = "", want[64];
    int fd = eb_state_lock(dir, err, sizeof err);
    CHECK_MSG(fd >= 0, "%s", err);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    snprintf(want, sizeof want, "edgeboxd pid %ld holds", (long)getpid());
    CHECK_EQ_INT(try_in_child(want), 1);
    close(fd);
    CHECK_EQ_INT(try_in_child(""), 0); /* released with the descriptor (and so with the process) */
    cleanup();
}

TEST(history_survives_a_new_holder)
{
    fresh();
    char err[512] = "";
    int fd = eb_state_lock(dir, err, sizeof err);
    CHECK(fd >= 0);
    CHECK_EQ_INT(eb_state_lock_had_journal(dir), 0);
    CHECK_EQ_INT(eb_state_lock_mark_journal(fd, err, sizeof err), 0);
    CHECK_EQ_INT(eb_state_lock_had_journal(dir), 1);
    close(fd);
    fd = eb_state_lock(dir, err, sizeof err);
    CHECK(fd >= 0);
    CHECK_EQ_INT(eb_state_lock_had_journal(dir), 1);
    close(fd);
    cleanup();
}

TEST(unusable_directory_is_named)
{
    char err[512] = "";
    CHECK_EQ_INT(eb_state_lock("/nonexistent-eb-dir", err, sizeof err), -1);
    CHECK_MSG(strstr(err, "/nonexistent-eb-dir/edgeboxd.lock") != NULL, "%s", err);
}

int main(void)
{
    RUN(one_holder_named_by_pid);
    RUN(history_survives_a_new_holder);
    RUN(unusable_directory_is_named);
    return eb_check_report();
}
