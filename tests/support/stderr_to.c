#include "tests/support/stderr_to.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int eb_test_stderr_to(const char *path)
{
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
    return saved;
}

void eb_test_stderr_back(int saved)
{
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
}
