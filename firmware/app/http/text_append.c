#include "app/http/text_append.h"

#include <stdio.h>

int eb_text_vappend(char *buf, size_t cap, size_t *len, const char *fmt, va_list ap)
{
    if (*len >= cap)
        return -1;
    size_t room = cap - *len;
    int n = vsnprintf(buf + *len, room, fmt, ap);
    if (n < 0 || (size_t)n >= room) {
        buf[*len] = '\0';
        return -1;
    }
    *len += (size_t)n;
    return 0;
}
