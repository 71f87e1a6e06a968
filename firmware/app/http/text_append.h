/* Bounded formatted append, shared by the response writer and the metrics writer. */
#ifndef EB_APP_HTTP_TEXT_APPEND_H
#define EB_APP_HTTP_TEXT_APPEND_H

#include <stdarg.h>
#include <stddef.h>

/* Appends fmt at buf + *len (cap bytes in all, NUL kept). 0, or -1 when it did not fit: then *len is
 * left as it was, so a caller can mark the whole output as failed. */
int eb_text_vappend(char *buf, size_t cap, size_t *len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
