/* The outgoing side of the Telegram notifier, as pure logic the unit tests drive (no I/O, no clock, no
 * allocation: the caller passes the time and the storage):
 *
 * - a bounded queue of messages on a fixed array, in order, urgent ones first: a message that does not
 *   fit is dropped and counted, never waited for (the loop must not block on a slow or absent Bot API);
 * - a token bucket per chat (Telegram allows about one message a second to one chat): `rate_per_minute`
 *   refills it, EB_TGQ_BURST messages may go back to back;
 * - a hold: after a 429 nothing is sent before the time its retry_after names;
 * - splitting: a text longer than EB_TG_TEXT_MAX goes as several messages, cut at line boundaries
 *   (a single longer line is cut at the limit, never inside a UTF-8 sequence). The limit is counted in
 *   bytes, which is never more than Telegram's count of characters, so a part is never refused as long. */
#ifndef EB_APP_TELEGRAM_QUEUE_H
#define EB_APP_TELEGRAM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define EB_TG_TEXT_MAX 4096 /* Telegram's limit for one message's text */
#define EB_TGQ_BURST 3      /* messages the bucket holds when full */

typedef struct {
    uint16_t len;
    uint8_t urgent;
    char text[EB_TG_TEXT_MAX + 1];
} eb_tg_msg_t;

typedef struct {
    eb_tg_msg_t *slot; /* cap of them, the caller's storage */
    int cap, head, n;
    uint64_t dropped;  /* messages (parts) that found the queue full */
} eb_tg_queue_t;

void eb_tgq_init(eb_tg_queue_t *q, eb_tg_msg_t *slots, int cap);
/* Queues `text` (len bytes), split into parts of at most EB_TG_TEXT_MAX. Returns the parts queued; the
 * parts that did not fit are counted in dropped. An empty text queues nothing. An `urgent` text (the
 * kill switch, an error, an answer to the operator) goes before every ordinary message, after the
 * urgent ones already waiting, and in a full queue it drops the oldest ordinary message (else the
 * oldest urgent one) instead of itself: a burst of trades can neither hide nor delay it. The oldest
 * message stays first while it is being sent (`sending`). */
int eb_tgq_push(eb_tg_queue_t *q, const char *text, size_t len, int evict, int sending);
/* The oldest message, or NULL when the queue is empty; it stays queued until eb_tgq_pop. */
const eb_tg_msg_t *eb_tgq_peek(const eb_tg_queue_t *q);
void eb_tgq_pop(eb_tg_queue_t *q);

/* The length of the first part of text[0..len): all of it when it fits, else up to and including the
 * last '\n' within the limit, else the limit moved back to a UTF-8 character boundary. */
size_t eb_tg_split_len(const char *text, size_t len, size_t limit);

typedef struct {
    double tokens, per_ms; /* tokens now, refill per millisecond */
    int64_t last_ms;       /* when tokens was last brought up to date */
    int64_t hold_until_ms; /* a 429's retry_after: nothing before this */
} eb_tg_bucket_t;

void eb_tg_bucket_init(eb_tg_bucket_t *b, int rate_per_minute, int64_t now_ms);
/* Milliseconds until one message may go (0: now). */
int64_t eb_tg_bucket_wait(eb_tg_bucket_t *b, int64_t now_ms);
/* A message went: one token used (call only when eb_tg_bucket_wait said 0). */
void eb_tg_bucket_take(eb_tg_bucket_t *b, int64_t now_ms);
/* The Bot API said 429: nothing is sent for retry_after_s seconds from now. */
void eb_tg_bucket_hold(eb_tg_bucket_t *b, int64_t now_ms, int64_t retry_after_s);

#endif
