#include "common/file_out.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The rename is durable only once the directory entry is on disk. */
static void sync_dir(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: the file itself is already complete and synced */
        close(fd);
    }
}

int eb_file_out_open(eb_file_out_t *o, const char *path, mode_t mode, char *err, size_t cap)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path)
        return eb_errf(err, cap, "%.200s...: path too long", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return eb_errf(err, cap, "%s: %s", path, strerror(errno));
    if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return eb_errf(err, cap, "%s: %s", path, strerror(e));
    }
    return 0;
}

int eb_file_out_close(eb_file_out_t *o, char *err, size_t cap)
{
    if (!o->f)
        return eb_errf(err, cap, "%s: not open", o->path);
    errno = 0;
    int earlier = ferror(o->f); /* a write that failed before: its errno is gone, say so plainly */
    int ok = !earlier && fflush(o->f) == 0 && !ferror(o->f) && fsync(fileno(o->f)) == 0;
    int e = ok ? 0 : errno;
    if (fclose(o->f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    o->f = NULL;
    if (!ok) {
        unlink(o->tmp);
        if (earlier)
            return eb_errf(err, cap, "%s: a write failed (disk full?); nothing written", o->path);
        return eb_errf(err, cap, "%s: %s", o->path, strerror(e ? e : EIO));
    }
    o->done = 1;
    return 0;
}

int eb_file_out_rename(eb_file_out_t *o, char *err, size_t cap)
{
    if (!o->done)
        return eb_errf(err, cap, "%s: not complete", o->path);
    o->done = 0;
    if (rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        return eb_errf(err, cap, "%s: %s", o->path, strerror(e));
    }
    sync_dir(o->path);
    return 0;
}

int eb_file_out_commit(eb_file_out_t *o, char *err, size_t cap)
{
    return eb_file_out_close(o, err, cap) != 0 ? -1 : eb_file_out_rename(o, err, cap);
}

void eb_file_out_abort(eb_file_out_t *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp[0])
        unlink(o->tmp); /* after a rename the name is gone: ENOENT, harmless */
    o->done = 0;
}
