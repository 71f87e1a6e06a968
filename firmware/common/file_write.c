#include "common/file_write.h"

#include "common/file_out.h"

#include <stdio.h>

int eb_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t cap)
{
    eb_file_out_t o;
    if (eb_file_out_open(&o, path, mode, err, cap) != 0)
        return -1;
    /* a short write sets the stream's error flag, which commit checks and reports */
    (void)fwrite(data, 1, len, o.f);
    if (eb_file_out_commit(&o, err, cap) != 0) {
        eb_file_out_abort(&o);
        return -1;
    }
    return 0;
}
