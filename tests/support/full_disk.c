#define _GNU_SOURCE
#include "full_disk.h"

#include "check.h"
#include "daemon_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_ENV "EB_TEST_IN_USERNS"

int fd_enter_namespace(char **argv)
{
    if (geteuid() == 0 || getenv(NS_ENV))
        return 0;
    static const char *const where[] = {"/usr/bin/unshare", "/bin/unshare"};
    const char *bin = NULL;
    for (size_t i = 0; i < sizeof where / sizeof where[0] && !bin; i++)
        if (access(where[i], X_OK) == 0)
            bin = where[i];
    const char *probe[] = {bin, "-rm", "true", NULL};
    if (!bin || dp_run(probe, NULL, NULL, 5000) != 0)
        return -1;
    setenv(NS_ENV, "1", 1);
    char *args[] = {(char *)bin, "-rm", "--", argv[0], NULL};
    execv(bin, args);
    return -1;
}

int fd_test_start(char **argv, dp_fixture_t *f, const char *tag, const char *model_id)
{
    eb_check_test = "setup";
    if (fd_enter_namespace(argv) != 0) {
        CHECK_SKIP("not root and no `unshare -rm`: no tmpfs to fill");
        return 1;
    }
    return dp_fixture_ready(f, tag, model_id);
}

int fd_mount(const char *dir, int mib)
{
    char opts[32];
    mkdir(dir, 0750);
    snprintf(opts, sizeof opts, "size=%dm,mode=0750", mib);
    if (mount("none", dir, "tmpfs", 0, opts) != 0) {
        fprintf(stderr, "    cannot mount a tmpfs on %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

void fd_unmount(const char *dir) { umount2(dir, MNT_DETACH); }

long long fd_fill(const char *dir)
{
    static char chunk[65536];
    long long total = 0;
    char p[700];
    snprintf(p, sizeof p, "%s/filler", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    memset(chunk, 0x5a, sizeof chunk);
    for (size_t step = sizeof chunk; fd >= 0 && step >= 512; step /= 2)
        for (;;) {
            ssize_t w = write(fd, chunk, step);
            if (w <= 0)
                break;
            total += w;
        }
    if (fd >= 0)
        close(fd);
    return total;
}

int fd_unfill(const char *dir)
{
    char p[700];
    snprintf(p, sizeof p, "%s/filler", dir);
    return unlink(p);
}
