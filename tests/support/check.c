#include "tests/support/check.h"

#include <stdlib.h>
#include <unistd.h>

int eb_check_passed, eb_check_failed, eb_check_skipped;
const char *eb_check_test = "?";

int eb_check_report(void)
{
    printf("%d passed, %d failed, %d skipped\n", eb_check_passed, eb_check_failed, eb_check_skipped);
    return eb_check_failed ? 1 : 0;
}

const char *eb_shared_path(const char *rel, char *buf, size_t cap)
{
    const char *root = getenv("EB_SHARED");
    int n = snprintf(buf, cap, "%s/%s", root && *root ? root : "../shared", rel);
    if (n < 0 || (size_t)n >= cap || access(buf, R_OK) != 0)
        return NULL;
    return buf;
}
