/* The Telegram notifier's pure logic: the bounded queue (full: dropped and counted), the token bucket
 * (burst, then the configured rate; a 429's hold), splitting at 4096 on line boundaries (and never inside
 * a UTF-8 character), the sendMessage body, retry_after from an error answer, commands and getUpdates. */
#include "app/appliance_config.h"
#include "app/telegram_queue.h"
#include "app/telegram_text.h"
#include "tests/support/check.h"

#include <stdlib.h>
#include <string.h>

static eb_tg_msg_t g_slots[4];

TEST(queue_bounded_and_counted)
{
    eb_tg_queue_t q;
    eb_tgq_init(&q, g_slots, 4);
    CHECK(eb_tgq_peek(&q) == NULL);
    CHECK_EQ_INT(eb_tgq_push(&q, "", 0, 0, 0), 0);
    char t[8];
    for (int i = 0; i < 6; i++) {
        snprintf(t, sizeof t, "m%d", i);
        CHECK_EQ_INT(eb_tgq_push(&q, t, strlen(t), 0, 0), i < 4 ? 1 : 0);
    }
    CHECK_EQ_INT(q.n, 4);
    CHECK_EQ_INT(q.dropped, 2);
    CHECK_EQ_STR(eb_tgq_peek(&q)->text, "m0"); /* the oldest first: what was dropped is the newest */
    eb_tgq_pop(&q);
    CHECK_EQ_INT(eb_tgq_push(&q, "m6", 2, 0, 0), 1); /* the ring wraps */
    const char *want[] = {"m1", "m2", "m3", "m6"};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_STR(eb_tgq_peek(&q)->text, want[i]);
        eb_tgq_pop(&q);
    }
    CHECK(eb_tgq_peek(&q) == NULL);
    eb_tgq_pop(&q); /* popping an empty queue changes nothing */
    CHECK_EQ_INT(q.n, 0);
}

TEST(urgent_messages_go_first_and_make_room)
{
    eb_tg_queue_t q;
    eb_tgq_init(&q, g_slots, 4);
    const char *m[] = {"t0", "t1", "t2", "t3"};
    for (int i = 0; i < 4; i++)
        eb_tgq_push(&q, m[i], 2, 0, 0);
    CHECK_EQ_INT(eb_tgq_push(&q, "t4", 2, 0, 0), 0); /* full: an ordinary one is dropped */
    CHECK_EQ_INT(eb_tgq_push(&q, "k1", 2, 1, 0), 1); /* full: the oldest ordinary one goes, k1 goes first */
    CHECK_EQ_INT(q.dropped, 2);
    CHECK_EQ_STR(eb_tgq_peek(&q)->text, "k1");
    CHECK_EQ_INT(eb_tgq_push(&q, "k2", 2, 1, 1), 1); /* k1 in flight stays first; t1 goes; k2 after k1 */
    CHECK_EQ_INT(q.dropped, 3);
    const char *want[] = {"k1", "k2", "t2", "t3"};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_STR(eb_tgq_peek(&q)->text, want[i]);
        eb_tgq_pop(&q);
    }
    /* not full: an urgent one still goes before the ordinary ones, but after a message in flight */
    eb_tgq_push(&q, "t5", 2, 0, 0);
    eb_tgq_push(&q, "t6", 2, 0, 0);
    eb_tgq_push(&q, "k3", 2, 1, 1);
    const char *want2[] = {"t5", "k3", "t6"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_STR(eb_tgq_peek(&q)->text, want2[i]);
        eb_tgq_pop(&q);
    }
    /* all urgent and full: the oldest urgent one not in flight goes */
    for (int i = 0; i < 4; i++)
        eb_tgq_push(&q, m[i], 2, 1, 0);
    CHECK_EQ_INT(eb_tgq_push(&q, "k4", 2, 1, 1), 1);
    const char *want3[] = {"t0", "t2", "t3", "k4"};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_STR(eb_tgq_peek(&q)->text, want3[i]);
        eb_tgq_pop(&q);
    }
    eb_tg_queue_t one;
    eb_tgq_init(&one, g_slots, 1);
    eb_tgq_push(&one, "a", 1, 0, 0);
    CHECK_EQ_INT(eb_tgq_push(&one, "b", 1, 1, 1), 0); /* only the one in flight: it stays, the new one is dropped */
    CHECK_EQ_STR(eb_tgq_peek(&one)->text, "a");
    CHECK_EQ_INT(one.dropped, 1);
}

TEST(split_on_lines)
{
    static char big[3 * EB_TG_TEXT_MAX];
    /* lines of 100 bytes ("xxx...\n"): a part ends at the last whole line within 4096 */
    size_t len = 0;
    while (len + 100 <= 9000) {
        memset(big + len, 'x', 99);
        big[len + 99] = '\n';
        len += 100;
    }
    CHECK_EQ_INT(eb_tg_split_len(big, len, EB_TG_TEXT_MAX), 4000);
    CHECK_EQ_INT(eb_tg_split_len(big, 50, EB_TG_TEXT_MAX), 50); /* fits: all of it */
    eb_tg_queue_t q;
    eb_tgq_init(&q, g_slots, 4);
    CHECK_EQ_INT(eb_tgq_push(&q, big, len, 0, 0), 3); /* 4000 + 4000 + 1000 */
    size_t total = 0;
    for (const eb_tg_msg_t *m; (m = eb_tgq_peek(&q)); eb_tgq_pop(&q)) {
        CHECK(m->len <= EB_TG_TEXT_MAX);
        CHECK(m->text[m->len - 1] == '\n');
        total += m->len;
    }
    CHECK_EQ_INT(total, len);
    /* one line longer than the limit: cut at the limit, backed off to a character boundary ("é" is 2 bytes) */
    memset(big, 'a', EB_TG_TEXT_MAX - 1);
    memcpy(big + EB_TG_TEXT_MAX - 1, "\xc3\xa9zz", 4);
    CHECK_EQ_INT(eb_tg_split_len(big, EB_TG_TEXT_MAX + 3, EB_TG_TEXT_MAX), EB_TG_TEXT_MAX - 1);
    memset(big, 'a', 2 * EB_TG_TEXT_MAX);
    CHECK_EQ_INT(eb_tg_split_len(big, 2 * EB_TG_TEXT_MAX, EB_TG_TEXT_MAX), EB_TG_TEXT_MAX);
}

TEST(bucket_rate_and_hold)
{
    eb_tg_bucket_t b;
    eb_tg_bucket_init(&b, 20, 1000); /* 20/min: one token every 3 s */
    for (int i = 0; i < EB_TGQ_BURST; i++) {
        CHECK_EQ_INT(eb_tg_bucket_wait(&b, 1000), 0);
        eb_tg_bucket_take(&b, 1000);
    }
    int64_t w = eb_tg_bucket_wait(&b, 1000);
    CHECK_MSG(w >= 2999 && w <= 3001, "wait %lld", (long long)w);
    CHECK(eb_tg_bucket_wait(&b, 3500) > 0);
    CHECK_EQ_INT(eb_tg_bucket_wait(&b, 4001), 0);
    eb_tg_bucket_take(&b, 4001);
    /* idle for a long time: the bucket holds only the burst */
    for (int i = 0; i < EB_TGQ_BURST; i++)
        eb_tg_bucket_take(&b, 1000000);
    CHECK(eb_tg_bucket_wait(&b, 1000000) > 0);
    /* a 429's retry_after holds even with tokens in the bucket */
    eb_tg_bucket_init(&b, 600, 0);
    eb_tg_bucket_hold(&b, 0, 7);
    CHECK_EQ_INT(eb_tg_bucket_wait(&b, 0), 7000);
    CHECK_EQ_INT(eb_tg_bucket_wait(&b, 6999), 1);
    CHECK_EQ_INT(eb_tg_bucket_wait(&b, 7000), 0);
    eb_tg_bucket_hold(&b, 7000, 2);
    eb_tg_bucket_hold(&b, 7000, 1); /* a shorter hold does not shorten the longer one */
    CHECK_EQ_INT(eb_tg_bucket_wait(&b, 7000), 2000);
}

TEST(retry_after_parsed)
{
    const char *a = "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 5\","
                    "\"parameters\":{\"retry_after\":5}}";
    CHECK_EQ_INT(eb_tg_retry_after(a, strlen(a)), 5);
    const char *frac = "{\"ok\":false,\"parameters\":{\"retry_after\":1.2}}";
    CHECK_EQ_INT(eb_tg_retry_after(frac, strlen(frac)), 2); /* rounded up: never sooner than asked */
    const char *bad[] = {"", "not json", "{\"ok\":false,\"error_code\":429}", "{\"parameters\":{\"retry_after\":-3}}",
                         "{\"parameters\":{\"retry_after\":\"5\"}}", "{\"parameters\":{\"retry_after\":1e9}}",
                         "{\"parameters\":5}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(eb_tg_retry_after(bad[i], strlen(bad[i])) == -1, "'%s' gave a retry_after", bad[i]);
}

TEST(send_body_escaped)
{
    char out[256];
    const char *text = "a \"q\" \\ <b>\nnext\tend";
    int n = eb_tg_send_body(out, sizeof out, "-100123", text, strlen(text));
    CHECK_EQ_STR(out, "{\"chat_id\":\"-100123\",\"text\":\"a \\\"q\\\" \\\\ <b>\\nnext\\u0009end\","
                      "\"disable_web_page_preview\":true}");
    CHECK_EQ_INT(n, (int)strlen(out));
    CHECK_EQ_INT(eb_tg_send_body(out, 40, "1", text, strlen(text)), -1); /* does not fit: refused, not cut */
}

TEST(commands)
{
    static const struct {
        const char *text;
        eb_tg_cmd_t cmd;
    } cases[] = {
        {"/status", EB_TG_CMD_STATUS}, {"/status@edge_bot", EB_TG_CMD_STATUS}, {"/trades 5", EB_TG_CMD_TRADES},
        {"/profit", EB_TG_CMD_PROFIT}, {"/halt", EB_TG_CMD_HALT},              {"/halt now please", EB_TG_CMD_HALT},
        {"/rearm", EB_TG_CMD_REARM},   {"/start", EB_TG_CMD_HELP},             {"/help", EB_TG_CMD_HELP},
        {"/Halt", EB_TG_CMD_UNKNOWN},  {"/haltx", EB_TG_CMD_UNKNOWN},          {"/", EB_TG_CMD_UNKNOWN},
        {"halt", EB_TG_CMD_NONE},      {" /halt", EB_TG_CMD_NONE},             {"", EB_TG_CMD_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(eb_tg_command(cases[i].text) == cases[i].cmd, "'%s': %d, want %d", cases[i].text,
                  (int)eb_tg_command(cases[i].text), (int)cases[i].cmd);
    CHECK(eb_tg_command(NULL) == EB_TG_CMD_NONE);
    CHECK_EQ_STR(eb_tg_command_name(EB_TG_CMD_HALT), "halt");
}

TEST(updates_parsed)
{
    const char *body =
        "{\"ok\":true,\"result\":["
        "{\"update_id\":100,\"message\":{\"message_id\":1,\"from\":{\"id\":42,\"username\":\"op\"},"
        "\"chat\":{\"id\":-1001234567890,\"type\":\"supergroup\"},\"text\":\"/halt\"}},"
        "{\"update_id\":101,\"edited_message\":{\"chat\":{\"id\":5}}},"
        "{\"update_id\":102,\"message\":{\"from\":{\"id\":7},\"chat\":{\"id\":7},\"text\":\"hello\"}}]}";
    eb_tg_update_t u[EB_TG_UPDATES_MAX];
    int64_t next = 0;
    CHECK_EQ_INT(eb_tg_parse_updates(body, strlen(body), u, EB_TG_UPDATES_MAX, &next), 3);
    CHECK_EQ_INT(next, 103);
    CHECK_EQ_INT(u[0].chat_id, -1001234567890LL);
    CHECK_EQ_STR(u[0].from, "@op");
    CHECK(u[0].cmd == EB_TG_CMD_HALT);
    CHECK_EQ_INT(u[1].chat_id, 0); /* no message: passed over, but its id moves the offset */
    CHECK_EQ_STR(u[2].from, "user 7");
    CHECK(u[2].cmd == EB_TG_CMD_NONE);
    CHECK_EQ_INT(eb_tg_parse_updates(body, strlen(body), u, 1, &next), 1); /* at most max */
    const char *empty = "{\"ok\":true,\"result\":[]}";
    next = 55;
    CHECK_EQ_INT(eb_tg_parse_updates(empty, strlen(empty), u, EB_TG_UPDATES_MAX, &next), 0);
    CHECK_EQ_INT(next, 55);
    const char *bad[] = {"", "{\"ok\":false,\"error_code\":401}", "{\"ok\":true,\"result\":{}}", "[1]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(eb_tg_parse_updates(bad[i], strlen(bad[i]), u, EB_TG_UPDATES_MAX, &next), -1);
}

TEST(chat_ids)
{
    int64_t id = 0;
    CHECK(eb_tg_chat_id("123456789", &id) == 0 && id == 123456789);
    CHECK(eb_tg_chat_id("-1001234567890", &id) == 0 && id == -1001234567890LL);
    const char *bad[] = {"", "0", "12a", "@channel", " 1", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(eb_tg_chat_id(bad[i], &id) == -1, "'%s' accepted", bad[i]);
}

/* appliance.telegram from JSON text: 0 or -1 with err. */
static int parse(const char *json, eb_appliance_config_t *c, char *err, size_t cap)
{
    cJSON *root = cJSON_Parse(json);
    int rc = eb_appliance_config_parse(root, c, err, cap);
    cJSON_Delete(root);
    return rc;
}

TEST(config_section)
{
    eb_appliance_config_t c;
    char err[300];
    CHECK_EQ_INT(parse("{}", &c, err, sizeof err), 0);
    CHECK_EQ_INT(c.telegram.on, 0); /* absent: off */
    CHECK_EQ_INT(parse("{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": \"-100123\"}}", &c, err, sizeof err), 0);
    CHECK_EQ_INT(c.telegram.on, 1);
    CHECK_EQ_STR(c.telegram.api_base, "https://api.telegram.org");
    CHECK_EQ_INT(c.telegram.rate_per_minute, 20);
    CHECK_EQ_INT(c.telegram.queue, 64);
    static const struct {
        const char *json, *err;
    } bad[] = {
        {"{\"telegram\": {\"token_file\": \"/t\"}}", "appliance.telegram: token_file and chat_id are both required"},
        {"{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": 123}}", "appliance.telegram.chat_id: 123 is not allowed"},
        {"{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": \"@chan\"}}", "appliance.telegram.chat_id: \"@chan\""},
        {"{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": \"1\", \"api_base\": \"http://x/\"}}",
         "appliance.telegram.api_base: \"http://x/\" is not allowed"},
        {"{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": \"1\", \"rate_per_minute\": 0}}",
         "appliance.telegram.rate_per_minute: 0 is not allowed (an integer in 1..600)"},
        {"{\"telegram\": {\"token_file\": \"/t\", \"chat_id\": \"1\", \"queue\": 1000}}",
         "appliance.telegram.queue: 1000 is not allowed (an integer in 4..256)"},
        {"{\"telegram\": {\"token\": \"123:abc\"}}", "appliance.telegram.token: unknown key (allowed: token_file"},
        {"{\"telegram\": true}", "appliance.telegram: true is not allowed (an object)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_MSG(parse(bad[i].json, &c, err, sizeof err) == -1 && strstr(err, bad[i].err), "%s: '%s', want '%s'",
                  bad[i].json, err, bad[i].err);
        CHECK_MSG(!strstr(err, "123:abc"), "the pasted token is in the error: %s", err);
    }
}

int main(void)
{
    RUN(queue_bounded_and_counted);
    RUN(urgent_messages_go_first_and_make_room);
    RUN(split_on_lines);
    RUN(bucket_rate_and_hold);
    RUN(retry_after_parsed);
    RUN(send_body_escaped);
    RUN(commands);
    RUN(updates_parsed);
    RUN(chat_ids);
    RUN(config_section);
    return eb_check_report();
}
