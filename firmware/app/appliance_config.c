#include "app/appliance_config.h"
#include "app/klines.h"
#include "app/telegram_text.h"
#include "common/errf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void eb_appliance_config_default(eb_appliance_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->mode = EB_MODE_PAPER;
    snprintf(c->state_dir, sizeof c->state_dir, "/var/lib/edgebox");
    snprintf(c->board_dir, sizeof c->board_dir, "/usr/share/edgebox/board");
    c->arena_mib = 24;
    c->button = eb_button_config_default();
    c->flatten_on_kill = 1;
    c->source = EB_SOURCE_REPLAY;
    c->replay_speed = 0;
    snprintf(c->exchange_url, sizeof c->exchange_url, "https://api.binance.com");
    snprintf(c->interval, sizeof c->interval, "5m");
    snprintf(c->symbol, sizeof c->symbol, "BTCUSDT");
    c->trial_bars = 12;
    c->max_model_kib = 4096;
    c->stale_grace_ms = 30000;
    c->lock_memory = 1;
    snprintf(c->http.bind, sizeof c->http.bind, "127.0.0.1");
    snprintf(c->telegram.api_base, sizeof c->telegram.api_base, "https://api.telegram.org");
    c->telegram.rate_per_minute = 20;
    c->telegram.queue = 64;
}

static int fail(char *err, size_t cap, const char *key, const cJSON *v, const char *allowed)
{
    char val[64] = "?";
    if (cJSON_IsString(v))
        snprintf(val, sizeof val, "\"%.58s\"", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(val, sizeof val, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(val, sizeof val, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (v)
        snprintf(val, sizeof val, "(%s)", cJSON_IsObject(v) ? "an object" : cJSON_IsArray(v) ? "an array" : "null");
    return eb_errf(err, cap, "appliance.%s: %s is not allowed (%s)", key, val, allowed);
}

static int get_int(const cJSON *v, const char *key, long lo, long hi, long *out, char *err, size_t cap)
{
    char allowed[64];
    snprintf(allowed, sizeof allowed, "an integer in %ld..%ld", lo, hi);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < (double)lo ||
        v->valuedouble > (double)hi)
        return fail(err, cap, key, v, allowed);
    *out = (long)v->valuedouble;
    return 0;
}

static int get_string(const cJSON *v, const char *key, char *out, size_t outcap, char *err, size_t cap)
{
    char allowed[64];
    snprintf(allowed, sizeof allowed, "a non-empty string of at most %zu bytes", outcap - 1);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= outcap)
        return fail(err, cap, key, v, allowed);
    snprintf(out, outcap, "%s", v->valuestring);
    return 0;
}

static int get_choice(const cJSON *v, const char *key, const char *a, const char *b, int *out, char *err,
                      size_t cap)
{
    char allowed[96];
    snprintf(allowed, sizeof allowed, "\"%s\" or \"%s\"", a, b);
    if (!cJSON_IsString(v) || (strcmp(v->valuestring, a) != 0 && strcmp(v->valuestring, b) != 0))
        return fail(err, cap, key, v, allowed);
    *out = strcmp(v->valuestring, b) == 0;
    return 0;
}

static int parse_killswitch(const cJSON *sec, eb_appliance_config_t *c, char *err, size_t cap)
{
    if (!cJSON_IsObject(sec))
        return fail(err, cap, "killswitch", sec, "an object");
    const cJSON *v;
    cJSON_ArrayForEach(v, sec)
    {
        long n;
        int choice;
        if (strcmp(v->string, "wiring") == 0) {
            if (get_choice(v, "killswitch.wiring", "normally_open", "normally_closed", &choice, err, cap))
                return -1;
            c->button.wiring = choice ? EB_BUTTON_NORMALLY_CLOSED : EB_BUTTON_NORMALLY_OPEN;
        } else if (strcmp(v->string, "debounce_ms") == 0) {
            if (get_int(v, "killswitch.debounce_ms", 0, 1000, &n, err, cap))
                return -1;
            c->button.debounce_ms = n;
        } else if (strcmp(v->string, "long_press_ms") == 0) {
            if (get_int(v, "killswitch.long_press_ms", 500, 60000, &n, err, cap))
                return -1;
            c->button.long_press_ms = n;
        } else if (strcmp(v->string, "flatten_on_press") == 0) {
            if (!cJSON_IsBool(v))
                return fail(err, cap, "killswitch.flatten_on_press", v, "true or false");
            c->flatten_on_kill = cJSON_IsTrue(v);
        } else {
            return fail(err, cap, v->string, v, "unknown key in killswitch: wiring, debounce_ms, long_press_ms, "
                                                "flatten_on_press");
        }
    }
    if (c->button.long_press_ms <= c->button.debounce_ms)
        return fail(err, cap, "killswitch.long_press_ms", cJSON_GetObjectItemCaseSensitive(sec, "long_press_ms"),
                    "must be longer than debounce_ms");
    return 0;
}

static int parse_cors(const cJSON *v, eb_appliance_config_t *c, char *err, size_t cap)
{
    const char *allowed = "an array of at most 4 origins (\"http://host:port\", no path)";
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > EB_HTTP_CORS_MAX)
        return fail(err, cap, "http.cors_origins", v, allowed);
    const cJSON *o;
    c->http.ncors = 0;
    cJSON_ArrayForEach(o, v)
    {
        /* an origin is scheme://host[:port]: a path or a trailing slash would never match a browser's */
        if (!cJSON_IsString(o) || (strncmp(o->valuestring, "http://", 7) && strncmp(o->valuestring, "https://", 8)) ||
            strchr(strchr(o->valuestring, ':') + 3, '/') || strchr(o->valuestring, ','))
            return fail(err, cap, "http.cors_origins", o, allowed);
        if (get_string(o, "http.cors_origins", c->http.cors[c->http.ncors], sizeof c->http.cors[0], err, cap))
            return -1;
        c->http.ncors++;
    }
    return 0;
}

static int parse_http(const cJSON *sec, eb_appliance_config_t *c, char *err, size_t cap)
{
    if (!cJSON_IsObject(sec))
        return fail(err, cap, "http", sec, "an object");
    const cJSON *v;
    cJSON_ArrayForEach(v, sec)
    {
        long n;
        if (strcmp(v->string, "port") == 0) {
            if (get_int(v, "http.port", 0, 65535, &n, err, cap))
                return -1;
            c->http.port = (int)n;
        } else if (strcmp(v->string, "bind") == 0) {
            unsigned a, b, d, e;
            char tail;
            if (!cJSON_IsString(v) || sscanf(v->valuestring, "%3u.%3u.%3u.%3u%c", &a, &b, &d, &e, &tail) != 4 ||
                a > 255 || b > 255 || d > 255 || e > 255)
                return fail(err, cap, "http.bind", v, "an IPv4 address such as \"127.0.0.1\"");
            if (get_string(v, "http.bind", c->http.bind, sizeof c->http.bind, err, cap))
                return -1;
        } else if (strcmp(v->string, "token_file") == 0) {
            if (get_string(v, "http.token_file", c->http.token_file, sizeof c->http.token_file, err, cap))
                return -1;
        } else if (strcmp(v->string, "cors_origins") == 0) {
            if (parse_cors(v, c, err, cap))
                return -1;
        } else if (strcmp(v->string, "allow_plain_http_lan") == 0) {
            if (!cJSON_IsBool(v))
                return fail(err, cap, "http.allow_plain_http_lan", v, "true or false");
            c->http.allow_plain_lan = cJSON_IsTrue(v);
        } else {
            return fail(err, cap, v->string, v,
                        "unknown key in http: port, bind, token_file, cors_origins, allow_plain_http_lan");
        }
    }
    return 0;
}

/* The telegram section: token_file and chat_id are required (the token file's mode is checked at start). */
static int parse_telegram(const cJSON *sec, eb_appliance_config_t *c, char *err, size_t cap)
{
    if (!cJSON_IsObject(sec))
        return fail(err, cap, "telegram", sec, "an object");
    const cJSON *v;
    cJSON_ArrayForEach(v, sec)
    {
        long n;
        int64_t id;
        if (strcmp(v->string, "token_file") == 0) {
            if (get_string(v, "telegram.token_file", c->telegram.token_file, sizeof c->telegram.token_file, err, cap))
                return -1;
        } else if (strcmp(v->string, "chat_id") == 0) {
            if (!cJSON_IsString(v) || eb_tg_chat_id(v->valuestring, &id) != 0)
                return fail(err, cap, "telegram.chat_id", v, "a decimal chat id as a string, such as \"123456789\"");
            snprintf(c->telegram.chat_id, sizeof c->telegram.chat_id, "%s", v->valuestring);
        } else if (strcmp(v->string, "api_base") == 0) {
            if (!cJSON_IsString(v) || (strncmp(v->valuestring, "http://", 7) && strncmp(v->valuestring, "https://", 8)) ||
                strlen(v->valuestring) > 200 || v->valuestring[strlen(v->valuestring) - 1] == '/')
                return fail(err, cap, "telegram.api_base", v, "an http:// or https:// URL of at most 200 characters, "
                                                              "no trailing slash");
            snprintf(c->telegram.api_base, sizeof c->telegram.api_base, "%s", v->valuestring);
        } else if (strcmp(v->string, "rate_per_minute") == 0) {
            if (get_int(v, "telegram.rate_per_minute", 1, 600, &n, err, cap))
                return -1;
            c->telegram.rate_per_minute = (int)n;
        } else if (strcmp(v->string, "queue") == 0) {
            if (get_int(v, "telegram.queue", 4, 256, &n, err, cap))
                return -1;
            c->telegram.queue = (int)n;
        } else {
            /* the value is not shown: a token pasted in here must not reach the log */
            return eb_errf(err, cap, "appliance.telegram.%.64s: unknown key (allowed: token_file, chat_id, api_base, "
                                     "rate_per_minute, queue; the token itself goes in token_file)", v->string);
        }
    }
    if (!c->telegram.token_file[0] || !c->telegram.chat_id[0])
        return eb_errf(err, cap, "appliance.telegram: token_file and chat_id are both required");
    c->telegram.on = 1;
    return 0;
}

static int parse_speed(const cJSON *v, eb_appliance_config_t *c, char *err, size_t cap)
{
    if (cJSON_IsString(v) && strcmp(v->valuestring, "max") == 0) {
        c->replay_speed = 0;
        return 0;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 1e7))
        return fail(err, cap, "replay_speed", v, "\"max\" or a number in 1..1e7");
    c->replay_speed = v->valuedouble;
    return 0;
}

static int parse_key(const cJSON *v, eb_appliance_config_t *c, char *err, size_t cap)
{
    const char *k = v->string;
    long n;
    int choice;
    if (strcmp(k, "mode") == 0) {
        if (get_choice(v, k, "paper", "live", &choice, err, cap))
            return -1;
        c->mode = choice ? EB_MODE_LIVE : EB_MODE_PAPER;
        return 0;
    }
    if (strcmp(k, "source") == 0) {
        if (get_choice(v, k, "replay", "exchange", &choice, err, cap))
            return -1;
        c->source = choice ? EB_SOURCE_EXCHANGE : EB_SOURCE_REPLAY;
        return 0;
    }
    if (strcmp(k, "board") == 0)
        return get_string(v, k, c->board, sizeof c->board, err, cap);
    if (strcmp(k, "board_dir") == 0)
        return get_string(v, k, c->board_dir, sizeof c->board_dir, err, cap);
    if (strcmp(k, "state_dir") == 0)
        return get_string(v, k, c->state_dir, sizeof c->state_dir, err, cap);
    if (strcmp(k, "replay_file") == 0)
        return get_string(v, k, c->replay_file, sizeof c->replay_file, err, cap);
    if (strcmp(k, "exchange_url") == 0) {
        if (!cJSON_IsString(v) || (strncmp(v->valuestring, "http://", 7) && strncmp(v->valuestring, "https://", 8)) ||
            strlen(v->valuestring) > 200)
            return fail(err, cap, k, v, "an http:// or https:// URL of at most 200 characters");
        return get_string(v, k, c->exchange_url, sizeof c->exchange_url, err, cap);
    }
    if (strcmp(k, "interval") == 0) {
        if (!cJSON_IsString(v) || eb_klines_interval_ms(v->valuestring) == 0)
            return fail(err, cap, k, v, "1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d");
        return get_string(v, k, c->interval, sizeof c->interval, err, cap);
    }
    if (strcmp(k, "public_key") == 0)
        return get_string(v, k, c->public_key, sizeof c->public_key, err, cap);
    if (strcmp(k, "replay_speed") == 0)
        return parse_speed(v, c, err, cap);
    if (strcmp(k, "killswitch") == 0)
        return parse_killswitch(v, c, err, cap);
    if (strcmp(k, "http") == 0)
        return parse_http(v, c, err, cap);
    if (strcmp(k, "telegram") == 0)
        return parse_telegram(v, c, err, cap);
    if (strcmp(k, "lock_memory") == 0) {
        if (!cJSON_IsBool(v))
            return fail(err, cap, k, v, "true or false");
        c->lock_memory = cJSON_IsTrue(v);
        return 0;
    }
    struct { const char *key; long lo, hi; } ints[] = {
        {"arena_mib", 4, 4096}, {"trial_bars", 0, 100000}, {"max_model_kib", 16, 65536},
        {"stale_grace_ms", 0, 3600000}, {"rt_priority", 0, 99}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(k, ints[i].key) != 0)
            continue;
        if (get_int(v, k, ints[i].lo, ints[i].hi, &n, err, cap))
            return -1;
        if (i == 0) c->arena_mib = (int)n;
        if (i == 1) c->trial_bars = (int)n;
        if (i == 2) c->max_model_kib = (int)n;
        if (i == 3) c->stale_grace_ms = n;
        if (i == 4) c->rt_priority = (int)n;
        return 0;
    }
    return fail(err, cap, k, v,
                "unknown key; allowed: mode, board, board_dir, state_dir, arena_mib, killswitch, source, replay_file, "
                "replay_speed, exchange_url, interval, public_key, trial_bars, max_model_kib, stale_grace_ms, "
                "lock_memory, rt_priority, http, telegram");
}

int eb_appliance_config_parse(const cJSON *section, eb_appliance_config_t *c, char *err, size_t errcap)
{
    eb_appliance_config_default(c);
    if (!section)
        return 0;
    if (!cJSON_IsObject(section)) {
        return eb_errf(err, errcap, "appliance: must be an object");
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, section)
    {
        if (parse_key(v, c, err, errcap))
            return -1;
    }
    if (c->mode == EB_MODE_LIVE) {
        eb_errf(err, errcap, "appliance.mode: \"live\" is not allowed (this build has no exchange adapter yet; "
                              "use \"paper\")");
        return -1;
    }
    /* a replay source without replay_file is the daemon's to refuse: --replay may stand in for it */
    return 0;
}

int eb_appliance_path(const eb_appliance_config_t *c, const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", c->state_dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}
