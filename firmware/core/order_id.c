#include "core/order_id.h"

static int id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Base 36 digits of v, most significant first; returns the count. */
static size_t put_base36(char *out, uint64_t v)
{
    char tmp[16];
    size_t n = 0;
    do {
        unsigned d = (unsigned)(v % 36u);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + (d - 10));
        v /= 36u;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

int eb_order_id_make(char *out, size_t cap, const char *strategy, int64_t bar_ms, uint32_t seq)
{
    if (!out || cap < EB_ORDER_ID_MAX + 1 || !strategy || !strategy[0] || bar_ms < 0)
        return -1;
    size_t n = 0;
    for (; n < EB_ORDER_ID_STRATEGY_MAX && strategy[n]; n++)
        out[n] = id_char(strategy[n]) ? strategy[n] : '_';
    out[n++] = '-';
    n += put_base36(out + n, (uint64_t)bar_ms);
    out[n++] = '-';
    n += put_base36(out + n, seq);
    out[n] = '\0';
    return (int)n;
}

int eb_order_id_valid(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++)
        if (n >= EB_ORDER_ID_MAX || !id_char(s[n]))
            return 0;
    return n > 0;
}
