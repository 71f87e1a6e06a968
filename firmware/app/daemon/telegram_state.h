/* The Telegram client's state (telegram.c drives it; telegram_notify.c queues into it): a header of its
 * own so that the files which only notify need not include the client, which includes the commands,
 * which notify (no include cycle). */
#ifndef EB_APP_DAEMON_TELEGRAM_STATE_H
#define EB_APP_DAEMON_TELEGRAM_STATE_H

#include "app/daemon/internal.h"
#include "app/journal_read.h"
#include "app/telegram_queue.h"

#include <curl/curl.h>

#define TOKEN_MAX 128

typedef struct {
    char *buf;
    size_t len, cap;
    int over;
} resp_t;

struct eb_dtg {
    eb_daemon_t *d;
    CURLM *multi;
    CURL *send, *poll;
    struct curl_slist *json_header;
    char token[TOKEN_MAX];
    int64_t chat;
    char url[EB_PATH_MAX + TOKEN_MAX + 160];
    eb_tg_queue_t q;
    eb_tg_bucket_t bucket;
    char *body;
    resp_t send_resp, poll_resp;
    int send_busy, poll_busy, send_attempts, send_failing, poll_failing;
    int64_t next_send_ms, next_poll_ms, poll_backoff_ms, offset;
    int64_t curl_timer, service_timer;
    eb_journal_reader_t *reader;
    uint64_t sent, failed, dropped_failed, rate_limited, ignored, commands;
};

#endif
