#include "common/mkdir_p.h"

#include "common/errf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* One component: made, or already a directory. */
static int make_one(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        e = ENOTDIR;
    }
    errno = e;
    return -1;
}

int eb_mkdir_p(const char *path, mode_t mode, char *err, size_t cap)
{
    char copy[4096];
    if (!path || !path[0])
        return eb_errf(err, cap, "an empty directory name");
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
        return eb_errf(err, cap, "%.200s...: path too long", path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int rc = make_one(copy, mode);
        *p = '/';
        if (rc != 0)
            return eb_errf(err, cap, "%s: cannot create directory: %s", path, strerror(errno));
    }
    if (make_one(copy, mode) != 0)
        return eb_errf(err, cap, "%s: cannot create directory: %s", path, strerror(errno));
    return 0;
}
