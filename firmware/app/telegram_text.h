/* What the Telegram notifier reads and writes, as pure functions the unit tests drive: the sendMessage
 * body, the Bot API's answers (an error's retry_after, getUpdates' messages) and the operator's commands.
 * The Bot API's answer is {"ok":bool,"result":...} or {"ok":false,"error_code":N,"description":"...",
 * "parameters":{"retry_after":S}} (429: wait S seconds). Parsing uses cJSON, freed before returning. */
#ifndef EB_APP_TELEGRAM_TEXT_H
#define EB_APP_TELEGRAM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* {"chat_id":"CHAT","text":"TEXT","disable_web_page_preview":true} into out (plain text: no parse mode, so
 * nothing in TEXT is markup). Returns the length, or -1 when it does not fit in cap. */
int eb_tg_send_body(char *out, size_t cap, const char *chat_id, const char *text, size_t len);

/* parameters.retry_after of an error answer, in seconds (>= 0), or -1 when the body has none. */
int64_t eb_tg_retry_after(const char *body, size_t len);

typedef enum {
    EB_TG_CMD_NONE = 0, /* not a command (plain text): ignored */
    EB_TG_CMD_STATUS,
    EB_TG_CMD_TRADES,
    EB_TG_CMD_PROFIT,
    EB_TG_CMD_HALT,
    EB_TG_CMD_REARM,    /* refused, always: re-arming needs the button or the authenticated API */
    EB_TG_CMD_HELP,     /* /help, /start */
    EB_TG_CMD_UNKNOWN   /* another /word */
} eb_tg_cmd_t;

/* The command a message's text starts with: "/status", "/status@my_bot", "/halt now" (arguments are
 * ignored). Case matters, as in Telegram's own command list. */
eb_tg_cmd_t eb_tg_command(const char *text);
const char *eb_tg_command_name(eb_tg_cmd_t c);

#define EB_TG_UPDATES_MAX 16 /* getUpdates asks for at most this many */
#define EB_TG_FROM_MAX 64

typedef struct {
    int64_t update_id;
    int64_t chat_id;            /* message.chat.id (0: the update carries no message) */
    char from[EB_TG_FROM_MAX];  /* "@username", else the sender's id, for the journal */
    eb_tg_cmd_t cmd;
} eb_tg_update_t;

/* A getUpdates answer into out (at most max). Returns the number of updates (each update counts, also one
 * without a message, so that the next offset passes it), or -1 when the body is not {"ok":true,
 * "result":[...]}. *next_offset becomes the highest update_id + 1 (unchanged when there is none). */
int eb_tg_parse_updates(const char *body, size_t len, eb_tg_update_t *out, int max, int64_t *next_offset);

/* chat_id as configured: a decimal integer (groups are negative). 0 and *id, or -1. */
int eb_tg_chat_id(const char *text, int64_t *id);

#endif
