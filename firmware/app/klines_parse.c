/* Validation and parsing of a klines response (see klines.h). Everything is checked before the caller
 * sees a single bar, so a refused response changes nothing. */
#include "app/klines.h"

#include "common/errf.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLINE_FIELDS 12 /* Binance: open time, O, H, L, C, volume, close time, quote volume, trades, 2 taker volumes, ignore */

static const char *const field_names[KLINE_FIELDS] = {"open_time", "open", "high", "low", "close", "volume",
                                                      "close_time", "quote_volume", "trades", "taker_base_volume",
                                                      "taker_quote_volume", "ignore"};

/* A price or volume arrives as a decimal string ("57212.69000000"); strtod alone would take "nan",
 * "inf", hex and leading blanks. */
static int parse_decimal(const cJSON *item, double *out)
{
    const char *s = cJSON_GetStringValue(item);
    if (!s || !*s || strspn(s, "0123456789.-+eE") != strlen(s))
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Times are JSON integers of milliseconds; a double holds them exactly below 2^53. */
static int parse_time(const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double v = item->valuedouble;
    if (!(v >= 0 && v < 9007199254740992.0) || v != floor(v))
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int refuse(char *err, size_t cap, size_t i, const char *field, const char *fmt, const char *what)
{
    eb_errf(err, cap, "kline %zu: field '%s': ", i, field);
    size_t used = strlen(err);
    snprintf(err + used, cap > used ? cap - used : 0, fmt, what);
    return -1;
}

static int parse_one(const cJSON *a, size_t i, int64_t interval_ms, eb_kline_t *k, char *err, size_t cap)
{
    if (!cJSON_IsArray(a))
        return refuse(err, cap, i, "kline", "%s", "not an array");
    int n = cJSON_GetArraySize(a);
    if (n != KLINE_FIELDS) {
        return eb_errf(err, cap, "kline %zu: %d fields (the documented kline has %d)", i, n, KLINE_FIELDS);
    }
    double *v[5] = {&k->bar.open, &k->bar.high, &k->bar.low, &k->bar.close, &k->bar.volume};
    if (parse_time(cJSON_GetArrayItem(a, 0), &k->bar.open_time_ms))
        return refuse(err, cap, i, field_names[0], "%s", "not an integer time in ms");
    for (int f = 1; f <= 5; f++)
        if (parse_decimal(cJSON_GetArrayItem(a, f), v[f - 1]))
            return refuse(err, cap, i, field_names[f], "%s", "not a decimal number in a string");
    if (parse_time(cJSON_GetArrayItem(a, 6), &k->close_time_ms))
        return refuse(err, cap, i, field_names[6], "%s", "not an integer time in ms");
    if (k->close_time_ms != k->bar.open_time_ms + interval_ms - 1)
        return refuse(err, cap, i, field_names[6], "%s", "not open_time + interval - 1 (wrong interval?)");
    eb_bar_status_t st = eb_bar_check(&k->bar);
    if (st != EB_BAR_OK)
        return refuse(err, cap, i, eb_bar_status_field(st), "%s", eb_bar_status_text(st));
    return 0;
}

static int parse_array(const cJSON *root, int64_t interval_ms, size_t max_n, eb_kline_t *out, size_t *n,
                       char *err, size_t cap)
{
    if (!cJSON_IsArray(root)) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "msg");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
        if (cJSON_IsString(msg) && cJSON_IsNumber(code))
            eb_errf(err, cap, "not a klines array: exchange error %d: %.200s", code->valueint, msg->valuestring);
        else
            eb_errf(err, cap, "not a klines array (a JSON %s)", cJSON_IsObject(root) ? "object" : "value");
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(root);
    if (count > max_n) {
        return eb_errf(err, cap, "%zu klines, more than the %zu asked for", count, max_n);
    }
    size_t i = 0;
    for (const cJSON *a = root->child; a; a = a->next, i++) {
        if (parse_one(a, i, interval_ms, &out[i], err, cap))
            return -1;
        int64_t step = i ? out[i].bar.open_time_ms - out[i - 1].bar.open_time_ms : interval_ms;
        if (step <= 0 || step % interval_ms != 0)
            return refuse(err, cap, i, field_names[0], "%s", "not after the previous kline on the interval grid");
    }
    *n = count;
    return 0;
}

int eb_klines_parse(const char *body, size_t len, int64_t interval_ms, size_t max_n, eb_kline_t *out, size_t *n,
                    char *err, size_t cap)
{
    *n = 0;
    if (interval_ms <= 0) {
        return eb_errf(err, cap, "interval %lld ms is not allowed (> 0)", (long long)interval_ms);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root) {
        size_t at = end && end >= body ? (size_t)(end - body) : 0;
        eb_errf(err, cap, "not JSON (%zu bytes; parse stopped at byte %zu)", len, at);
        return -1;
    }
    size_t at = (size_t)(end - body);
    while (at < len && strchr(" \t\r\n", body[at]) && body[at])
        at++;
    if (at < len) {
        cJSON_Delete(root);
        eb_errf(err, cap, "not JSON (%zu bytes; unexpected bytes after the value at byte %zu)", len, at);
        return -1;
    }
    size_t got = 0;
    int rc = parse_array(root, interval_ms, max_n, out, &got, err, cap);
    cJSON_Delete(root);
    if (rc == 0)
        *n = got;
    return rc;
}
