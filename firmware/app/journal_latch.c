/* The kill-switch latch's second copy. The latch must survive the loss of the journal (a deleted or
 * restored journal.db must not start an armed box), so besides the state key killswitch.latched it is
 * kept as the small file killswitch.latched beside the journal: present = latched. Latched in either
 * place is latched. The file is written (atomically, fsynced, via common/file_write) before the journal's
 * row commits and removed before the re-arm commits, so every failure in between leaves the box latched. */
#include "app/journal_internal.h"

#include "common/errf.h"
#include "common/file_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir of the journal + "/killswitch.latched"; the directory into dir when asked. */
static int copy_path(const char *journal_path, char *buf, size_t cap, char *dir, size_t dcap)
{
    const char *slash = strrchr(journal_path, '/');
    int dn = slash ? (int)(slash - journal_path) : 1;
    const char *d = slash ? journal_path : ".";
    if (slash == journal_path)
        dn = 1; /* a journal in / */
    int n = snprintf(buf, cap, "%.*s/%s", dn, d, EB_JOURNAL_LATCH_FILE);
    if (dir)
        snprintf(dir, dcap, "%.*s", dn, d);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int eb_journal_latch_copy_set(const char *journal_path, int latched, char *err, size_t cap)
{
    char path[1100], dir[1100], werr[600];
    if (copy_path(journal_path, path, sizeof path, dir, sizeof dir) != 0)
        return eb_errf(err, cap, "path of %s too long", EB_JOURNAL_LATCH_FILE);
    if (latched) {
        static const char text[] = "1\n";
        if (eb_write_file_atomic(path, text, sizeof text - 1, 0640, werr, sizeof werr) != 0)
            return eb_errf(err, cap, "the latch's second copy: %s", werr);
        return 0;
    }
    if (unlink(path) != 0 && errno != ENOENT)
        return eb_errf(err, cap, "the latch's second copy: cannot remove %s: %s", path, strerror(errno));
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int synced = fd >= 0 && fsync(fd) == 0; /* the removal is durable before the re-arm commits */
    if (fd >= 0)
        close(fd);
    return synced ? 0 : eb_errf(err, cap, "the latch's second copy: cannot sync %s: %s", dir, strerror(errno));
}

int eb_journal_latch_copy_get(const char *journal_path, char *err, size_t cap)
{
    char path[1100];
    struct stat st;
    if (copy_path(journal_path, path, sizeof path, NULL, 0) != 0)
        return eb_errf(err, cap, "path of %s too long", EB_JOURNAL_LATCH_FILE);
    if (lstat(path, &st) == 0)
        return 1; /* whatever it holds: its presence is the latch */
    if (errno == ENOENT)
        return 0;
    return eb_errf(err, cap, "the latch's second copy %s: %s", path, strerror(errno));
}
