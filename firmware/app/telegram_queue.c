#include "app/telegram_queue.h"

#include <string.h>

void eb_tgq_init(eb_tg_queue_t *q, eb_tg_msg_t *slots, int cap)
{
    q->slot = slots;
    q->cap = cap;
    q->head = 0;
    q->n = 0;
    q->dropped = 0;
}

size_t eb_tg_split_len(const char *text, size_t len, size_t limit)
{
    if (len <= limit)
        return len;
    for (size_t i = limit; i > 0; i--)
        if (text[i - 1] == '\n')
            return i;
    size_t cut = limit; /* one long line: back off continuation bytes (10xxxxxx) so no character is halved */
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    return cut > 0 ? cut : limit;
}

static eb_tg_msg_t *at(eb_tg_queue_t *q, int i) { return &q->slot[(q->head + i) % q->cap]; }

/* Removes the message at offset i from the head (the later ones move up). */
static void remove_at(eb_tg_queue_t *q, int i)
{
    for (; i + 1 < q->n; i++)
        *at(q, i) = *at(q, i + 1);
    q->n--;
}

/* Room for an urgent message in a full queue: the oldest ordinary message goes, else the oldest urgent
 * one; never the one in flight. 0, or -1 when there is nothing to drop. */
static int make_room(eb_tg_queue_t *q, int first)
{
    int victim = -1;
    for (int i = first; i < q->n && victim < 0; i++)
        if (!at(q, i)->urgent)
            victim = i;
    if (victim < 0 && first < q->n)
        victim = first;
    if (victim < 0)
        return -1;
    remove_at(q, victim);
    q->dropped++;
    return 0;
}

static int put(eb_tg_queue_t *q, const char *text, size_t part, int urgent, int sending)
{
    int first = sending ? 1 : 0; /* the message in flight stays where it is */
    if (q->n == q->cap && (!urgent || make_room(q, first) != 0)) {
        q->dropped++;
        return 0;
    }
    int pos = q->n;
    if (urgent) { /* after the urgent ones already waiting, before every ordinary one */
        pos = first < q->n ? first : q->n;
        while (pos < q->n && at(q, pos)->urgent)
            pos++;
        for (int i = q->n; i > pos; i--)
            *at(q, i) = *at(q, i - 1);
    }
    eb_tg_msg_t *m = at(q, pos);
    memcpy(m->text, text, part);
    m->text[part] = '\0';
    m->len = (uint16_t)part;
    m->urgent = (uint8_t)(urgent != 0);
    q->n++;
    return 1;
}

int eb_tgq_push(eb_tg_queue_t *q, const char *text, size_t len, int urgent, int sending)
{
    int queued = 0;
    while (len > 0) {
        size_t part = eb_tg_split_len(text, len, EB_TG_TEXT_MAX);
        queued += put(q, text, part, urgent, sending);
        text += part;
        len -= part;
    }
    return queued;
}

const eb_tg_msg_t *eb_tgq_peek(const eb_tg_queue_t *q) { return q->n ? &q->slot[q->head] : NULL; }

void eb_tgq_pop(eb_tg_queue_t *q)
{
    if (!q->n)
        return;
    q->head = (q->head + 1) % q->cap;
    q->n--;
}

void eb_tg_bucket_init(eb_tg_bucket_t *b, int rate_per_minute, int64_t now_ms)
{
    b->tokens = EB_TGQ_BURST;
    b->per_ms = rate_per_minute / 60000.0;
    b->last_ms = now_ms;
    b->hold_until_ms = now_ms;
}

static void refill(eb_tg_bucket_t *b, int64_t now_ms)
{
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->per_ms;
        if (b->tokens > EB_TGQ_BURST)
            b->tokens = EB_TGQ_BURST;
    }
    b->last_ms = now_ms;
}

int64_t eb_tg_bucket_wait(eb_tg_bucket_t *b, int64_t now_ms)
{
    refill(b, now_ms);
    int64_t hold = b->hold_until_ms > now_ms ? b->hold_until_ms - now_ms : 0;
    int64_t fill = 0;
    if (b->tokens < 1.0) /* rounded up: at that time the token is there */
        fill = (int64_t)((1.0 - b->tokens) / b->per_ms) + 1;
    return hold > fill ? hold : fill;
}

void eb_tg_bucket_take(eb_tg_bucket_t *b, int64_t now_ms)
{
    refill(b, now_ms);
    b->tokens -= 1.0;
}

void eb_tg_bucket_hold(eb_tg_bucket_t *b, int64_t now_ms, int64_t retry_after_s)
{
    int64_t until = now_ms + retry_after_s * 1000;
    if (until > b->hold_until_ms)
        b->hold_until_ms = until;
}
