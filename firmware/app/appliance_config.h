/* The "appliance" section of the config file: what the daemon itself needs (mode, state directory,
 * memory, kill switch, bar source, model store). The strategy sections (features, signal, risk, ...)
 * belong to app/config.h. Every key has a default and a range (docs/appliance-config.md); unknown keys
 * are errors; every error names the key, the value and what is allowed. */
#ifndef EB_APP_APPLIANCE_CONFIG_H
#define EB_APP_APPLIANCE_CONFIG_H

#include "hal/logic/button.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define EB_PATH_MAX 256
#define EB_HTTP_CORS_MAX 4

typedef enum { EB_MODE_PAPER = 0, EB_MODE_LIVE = 1 } eb_mode_t;
typedef enum { EB_SOURCE_REPLAY = 0, EB_SOURCE_EXCHANGE = 1 } eb_source_t;

typedef struct {
    eb_mode_t mode;
    char board[32];              /* "" = the build's board */
    char board_dir[EB_PATH_MAX]; /* where <board>/pins.json lives */
    char state_dir[EB_PATH_MAX]; /* journal, model slots, drop directory */
    int arena_mib;
    eb_button_config_t button;
    int flatten_on_kill;         /* close positions when the kill switch latches */
    eb_source_t source;
    char replay_file[EB_PATH_MAX];
    double replay_speed;         /* bars' clock multiplier; 0 = as fast as the loop runs ("max") */
    char exchange_url[EB_PATH_MAX]; /* source "exchange": the klines REST base (app/klines.h) */
    char interval[8];            /* source "exchange": the bar interval (Binance name, "5m") */
    char symbol[24];             /* from the strategy's venue section */
    char public_key[EB_PATH_MAX]; /* PEM; "" = no model can be accepted */
    int trial_bars;               /* bars a new model runs on trial before the old slot is released */
    int max_model_kib;
    int64_t stale_grace_ms;
    int lock_memory;              /* mlockall at start, where the system allows it (default on) */
    int rt_priority;              /* SCHED_FIFO priority 1..99; 0: the normal scheduler (default) */
    struct {                      /* "http": the operator surface (docs/api.md) */
        int port;                 /* 0: off (--http-port overrides) */
        char bind[16];            /* IPv4 dotted quad, default 127.0.0.1 */
        char token_file[EB_PATH_MAX]; /* "": no control routes (403) */
        char cors[EB_HTTP_CORS_MAX][128]; /* browser origins allowed (CORS); none by default */
        int ncors;
        int allow_plain_lan;      /* allow_plain_http_lan: a non-loopback bind without TLS (default off) */
    } http;
    struct {                      /* "telegram": notifications and read-only commands (docs/telegram.md) */
        int on;                   /* the section is present */
        char token_file[EB_PATH_MAX]; /* the bot token, 0600 */
        char chat_id[24];         /* decimal chat id, the only chat served */
        char api_base[EB_PATH_MAX]; /* default https://api.telegram.org */
        int rate_per_minute;      /* messages to the chat, default 20 */
        int queue;                /* messages waiting at most, default 64 */
    } telegram;
} eb_appliance_config_t;

void eb_appliance_config_default(eb_appliance_config_t *c);
/* Reads the section (NULL: all defaults). 0, or -1 with "appliance.KEY: VALUE is not allowed (ALLOWED)". */
int eb_appliance_config_parse(const cJSON *section, eb_appliance_config_t *c, char *err, size_t errcap);
/* Joins state_dir and a name ("journal.db", "models", "drop"). -1 when it does not fit. */
int eb_appliance_path(const eb_appliance_config_t *c, const char *name, char *out, size_t cap);

#endif
