/* The one formatted-error helper of the app and the host tool: writes fmt into err (when there is one)
 * and returns -1, so a failing path is `return eb_errf(err, cap, "...", ...);`. */
#ifndef EB_COMMON_ERRF_H
#define EB_COMMON_ERRF_H

#include <stddef.h>

int eb_errf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
