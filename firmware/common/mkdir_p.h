/* mkdir -p: every missing directory of a path, each created with `mode`. */
#ifndef EB_COMMON_MKDIR_P_H
#define EB_COMMON_MKDIR_P_H

#include <stddef.h>
#include <sys/types.h>

/* 0 when `path` is a directory afterwards (made now or already there); -1 with "path: reason" in err
 * (a component that exists but is not a directory says so). */
int eb_mkdir_p(const char *path, mode_t mode, char *err, size_t cap);

#endif
