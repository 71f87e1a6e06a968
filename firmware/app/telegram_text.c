#include "app/telegram_text.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON string escaping into a fixed buffer; -1 when it does not fit. */
static int put_json_string(char *out, size_t cap, size_t *at, const char *s, size_t len)
{
    size_t o = *at;
    if (o + 1 >= cap)
        return -1;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t n = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, n = 2;
        } else if (c == '\n') {
            esc[0] = '\\', esc[1] = 'n', n = 2;
        } else if (c < 0x20) {
            n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c);
        } else {
            esc[0] = (char)c, n = 1;
        }
        if (o + n + 1 >= cap)
            return -1;
        memcpy(out + o, esc, n);
        o += n;
    }
    if (o + 1 >= cap)
        return -1;
    out[o++] = '"';
    out[o] = '\0';
    *at = o;
    return 0;
}

static int put_raw(char *out, size_t cap, size_t *at, const char *s)
{
    size_t n = strlen(s);
    if (*at + n + 1 > cap)
        return -1;
    memcpy(out + *at, s, n + 1);
    *at += n;
    return 0;
}

int eb_tg_send_body(char *out, size_t cap, const char *chat_id, const char *text, size_t len)
{
    size_t at = 0;
    if (put_raw(out, cap, &at, "{\"chat_id\":") || put_json_string(out, cap, &at, chat_id, strlen(chat_id)) ||
        put_raw(out, cap, &at, ",\"text\":") || put_json_string(out, cap, &at, text, len) ||
        put_raw(out, cap, &at, ",\"disable_web_page_preview\":true}"))
        return -1;
    return (int)at;
}

int64_t eb_tg_retry_after(const char *body, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "retry_after");
    int64_t s = -1;
    /* a sane bound: a day; a bigger or negative value is not believed */
    if (cJSON_IsNumber(r) && isfinite(r->valuedouble) && r->valuedouble >= 0 && r->valuedouble <= 86400)
        s = (int64_t)ceil(r->valuedouble);
    cJSON_Delete(root);
    return s;
}

static const struct {
    const char *name;
    eb_tg_cmd_t cmd;
} k_cmds[] = {
    {"status", EB_TG_CMD_STATUS}, {"trades", EB_TG_CMD_TRADES}, {"profit", EB_TG_CMD_PROFIT},
    {"halt", EB_TG_CMD_HALT},     {"rearm", EB_TG_CMD_REARM},   {"help", EB_TG_CMD_HELP},
    {"start", EB_TG_CMD_HELP},
};

eb_tg_cmd_t eb_tg_command(const char *text)
{
    if (!text || text[0] != '/')
        return EB_TG_CMD_NONE;
    const char *w = text + 1;
    size_t n = strcspn(w, "@ \t\n");
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++)
        if (strlen(k_cmds[i].name) == n && strncmp(w, k_cmds[i].name, n) == 0)
            return k_cmds[i].cmd;
    return EB_TG_CMD_UNKNOWN;
}

const char *eb_tg_command_name(eb_tg_cmd_t c)
{
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++)
        if (k_cmds[i].cmd == c)
            return k_cmds[i].name;
    return c == EB_TG_CMD_NONE ? "text" : "unknown";
}

/* An integer member (Telegram's ids fit in 52 bits, exact in a double). */
static int64_t int_member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 9007199254740992.0
               ? (int64_t)v->valuedouble
               : 0;
}

static void parse_message(const cJSON *msg, eb_tg_update_t *u)
{
    u->chat_id = int_member(cJSON_GetObjectItemCaseSensitive(msg, "chat"), "id");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(from, "username");
    if (cJSON_IsString(user))
        snprintf(u->from, sizeof u->from, "@%.*s", EB_TG_FROM_MAX - 2, user->valuestring);
    else
        snprintf(u->from, sizeof u->from, "user %lld", (long long)int_member(from, "id"));
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "text");
    u->cmd = cJSON_IsString(text) ? eb_tg_command(text->valuestring) : EB_TG_CMD_NONE;
}

int eb_tg_parse_updates(const char *body, size_t len, eb_tg_update_t *out, int max, int64_t *next_offset)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "result");
    if (!cJSON_IsTrue(ok) || !cJSON_IsArray(res)) {
        cJSON_Delete(root);
        return -1;
    }
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, res)
    {
        if (n == max)
            break;
        eb_tg_update_t *u = &out[n];
        memset(u, 0, sizeof *u);
        u->update_id = int_member(it, "update_id");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(it, "message");
        if (cJSON_IsObject(msg))
            parse_message(msg, u);
        if (u->update_id + 1 > *next_offset)
            *next_offset = u->update_id + 1;
        n++;
    }
    cJSON_Delete(root);
    return n;
}

int eb_tg_chat_id(const char *text, int64_t *id)
{
    char *end;
    if (!(text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) /* strtoll would skip blanks and a '+' */
        return -1;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end || errno || v == 0 || v > 9007199254740991LL || v < -9007199254740991LL)
        return -1;
    *id = v;
    return 0;
}
