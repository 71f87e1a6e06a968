/* The rate-limit governor (core/rate_gov.h): budgets with the margin, the venue's headers, clock-aligned
 * windows with the guard, 429 and 418 pauses, strict header parsing, refused arguments; and random traffic
 * against a simulated venue whose clock is off by up to the guard, which must never count past its limit. */
#include "core/rate_gov.h"
#include "tests/support/check.h"
#include "tests/support/prng.h"

#include <stdint.h>

static eb_rate_gov_t gov(void)
{
    eb_rate_params_t p;
    eb_rate_params_default(&p);
    eb_rate_gov_t g;
    eb_rate_init(&g, &p);
    return g;
}

static eb_rate_verdict_t may(const eb_rate_gov_t *g, int64_t now, int weight, int is_order, int64_t *wait)
{
    return eb_rate_may_send(g, now, weight, is_order, wait);
}

#define T0 1767225600000LL /* 2026-01-01 00:00:00 UTC: a minute, 10 s and day boundary */

TEST(defaults_and_refused_parameters)
{
    eb_rate_params_t p;
    eb_rate_gov_t g;
    eb_rate_params_default(&p);
    CHECK_EQ_INT(p.weight_limit_1m, 6000);
    CHECK_EQ_INT(p.order_limit_10s, 100);
    CHECK_EQ_INT(p.order_limit_1d, 200000);
    CHECK_EQ_INT(p.margin_pct, 10);
    CHECK_EQ_INT(eb_rate_init(&g, &p), 0);
    CHECK_EQ_INT(eb_rate_init(&g, NULL), -1);
    const eb_rate_params_t base = p;
    /* One field out of range at a time: weight, 10 s, day, margin, guard, pause, ban. */
    const struct {
        int w, o10, o1d, margin;
        int64_t guard, pause, ban;
    } bad[] = {{0, 100, 200000, 10, 1000, 60000, 120000},   {6000, 0, 200000, 10, 1000, 60000, 120000},
               {6000, 100, -1, 10, 1000, 60000, 120000},    {6000, 100, 200000, 51, 1000, 60000, 120000},
               {6000, 100, 200000, -1, 1000, 60000, 120000}, {6000, 100, 200000, 10, 10001, 60000, 120000},
               {6000, 100, 200000, 10, -1, 60000, 120000},  {6000, 100, 200000, 10, 1000, 0, 120000},
               {6000, 100, 200000, 10, 1000, 60000, 0},      {6000, 100, 200000, 10, 1000, 604800001, 120000},
               {6000, 100, 200000, 10, 1000, 60000, 604800001}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (eb_rate_params_t){bad[i].w, bad[i].o10, bad[i].o1d, bad[i].margin, bad[i].guard, bad[i].pause, bad[i].ban};
        CHECK_MSG(eb_rate_init(&g, &p) == -1, "bad parameter set %zu accepted", i);
    }
    p = base;
    p.order_limit_1d = 0; /* not tracked: allowed */
    CHECK_EQ_INT(eb_rate_init(&g, &p), 0);
}

/* 6000 with a 10% margin: 5400 may be used; the 5401st unit waits for the minute (plus the 1 s guard). */
TEST(the_weight_budget_keeps_the_margin)
{
    eb_rate_gov_t g = gov();
    int64_t wait = -1, now = T0 + 1000 + 20000; /* 20 s into the minute as the governor counts it */
    CHECK_EQ_INT(may(&g, now, 5400, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(wait, 0);
    CHECK_EQ_INT(eb_rate_sent(&g, now, 5390, 0), 0);
    CHECK_EQ_INT(may(&g, now, 10, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, now, 11, 0, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(wait, 40000);
    CHECK_EQ_INT(may(&g, now + 39999, 11, 0, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(wait, 1);
    CHECK_EQ_INT(may(&g, now + 40000, 11, 0, &wait), EB_RATE_SEND); /* the next minute: counted from 0 */
    CHECK_EQ_INT(may(&g, now + 40000, 5400, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, now, 5401, 0, &wait), EB_RATE_E_TOO_HEAVY); /* never fits */
}

/* The venue's minute ended at T0 + 60000; the governor believes it only 1000 ms later (its guard). */
TEST(windows_roll_at_the_venue_minute_plus_the_guard)
{
    eb_rate_gov_t g = gov();
    int64_t wait;
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 30000, 5400, 0), 0);
    CHECK_EQ_INT(may(&g, T0 + 60500, 1, 0, &wait), EB_RATE_WAIT); /* past the boundary, inside the guard */
    CHECK_EQ_INT(wait, 500);
    CHECK_EQ_INT(may(&g, T0 + 61000, 1, 0, &wait), EB_RATE_SEND);
    /* What left in the last 2 s of our window (T0 + 59000 on) may be in the venue's next minute already
     * (its clock ahead by up to the guard): it counts in our next window too. */
    g = gov();
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 30000, 4000, 0), 0);
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 58999, 400, 0), 0);
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 59000, 1000, 0), 0);
    CHECK_EQ_INT(may(&g, T0 + 61000, 4400, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, T0 + 61000, 4401, 0, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 61000, 1, 0), 0);
    CHECK_EQ_INT(g.weight.used, 1001);
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 119500, 500, 0), 0);
    CHECK_EQ_INT(may(&g, T0 + 121000, 4900, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, T0 + 121000, 4901, 0, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(may(&g, T0 + 181000, 5400, 0, &wait), EB_RATE_SEND); /* two windows on: nothing carried */
    eb_rate_params_t p;
    eb_rate_params_default(&p);
    p.boundary_guard_ms = 0;
    eb_rate_init(&g, &p);
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 30000, 5400, 0), 0);
    CHECK_EQ_INT(may(&g, T0 + 59999, 1, 0, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(may(&g, T0 + 60000, 1, 0, &wait), EB_RATE_SEND);
}

TEST(the_venues_header_counts_what_we_did_not_send)
{
    eb_rate_gov_t g = gov();
    int64_t wait, now = T0 + 10000;
    eb_rate_headers_t h = {.used_weight_1m = "5300"}; /* another program on the same IP */
    CHECK_EQ_INT(eb_rate_response(&g, now, 200, &h), 0);
    CHECK_EQ_INT(may(&g, now, 100, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, now, 101, 0, &wait), EB_RATE_WAIT);
    /* Our own count above the header (requests in flight) is kept: the larger wins. */
    CHECK_EQ_INT(eb_rate_sent(&g, now, 60, 0), 0);
    h.used_weight_1m = "5310";
    CHECK_EQ_INT(eb_rate_response(&g, now + 10, 200, &h), 0);
    CHECK_EQ_INT(g.weight.used, 5360);
    CHECK_EQ_INT(may(&g, now, 41, 0, &wait), EB_RATE_WAIT);
    /* In the next minute the venue's small count is the truth. */
    h.used_weight_1m = "3";
    CHECK_EQ_INT(eb_rate_response(&g, T0 + 61000, 200, &h), 0);
    CHECK_EQ_INT(g.weight.used, 3);
    CHECK_EQ_INT(may(&g, T0 + 61000, 5397, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, T0 + 61000, 5398, 0, &wait), EB_RATE_WAIT);
}

/* 100 orders per 10 s with the margin: 90; a request that is not an order is not held back by them. */
TEST(order_counts)
{
    eb_rate_gov_t g = gov();
    int64_t wait, now = T0 + 1000 + 2000;
    for (int i = 0; i < 90; i++) {
        CHECK_EQ_INT(may(&g, now, 1, 1, &wait), EB_RATE_SEND);
        CHECK_EQ_INT(eb_rate_sent(&g, now, 1, 1), 0);
    }
    CHECK_EQ_INT(may(&g, now, 1, 1, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(wait, 8000);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_SEND);
    CHECK_EQ_INT(may(&g, now + 8000, 1, 1, &wait), EB_RATE_SEND);
    /* The header of the 10 s window. */
    eb_rate_headers_t h = {.order_count_10s = "95"};
    g = gov();
    CHECK_EQ_INT(eb_rate_response(&g, now, 200, &h), 0);
    CHECK_EQ_INT(may(&g, now, 1, 1, &wait), EB_RATE_WAIT);
    /* The day: 180000 of 200000, until 00:00:01 UTC. */
    g = gov();
    h = (eb_rate_headers_t){.order_count_1d = "180000"};
    CHECK_EQ_INT(eb_rate_response(&g, T0 + 3600000, 200, &h), 0);
    CHECK_EQ_INT(may(&g, T0 + 3600000, 1, 1, &wait), EB_RATE_WAIT);
    CHECK_EQ_INT(wait, 86400000 - 3600000 + 1000);
    CHECK_EQ_INT(may(&g, T0 + 3600000, 1, 0, &wait), EB_RATE_SEND);
    /* Not tracked when its limit is 0. */
    eb_rate_params_t p;
    eb_rate_params_default(&p);
    p.order_limit_1d = 0;
    eb_rate_init(&g, &p);
    CHECK_EQ_INT(eb_rate_response(&g, T0 + 3600000, 200, &h), 0);
    CHECK_EQ_INT(may(&g, T0 + 3600000, 1, 1, &wait), EB_RATE_SEND);
}

TEST(a_429_pauses_everything_until_retry_after)
{
    eb_rate_gov_t g = gov();
    int64_t wait, now = T0 + 5000;
    eb_rate_headers_t h = {.retry_after = "7", .used_weight_1m = "6000"};
    CHECK_EQ_INT(eb_rate_response(&g, now, 429, &h), 0);
    CHECK_EQ_INT(may(&g, now, 0, 0, &wait), EB_RATE_PAUSED);
    CHECK_EQ_INT(wait, 7000);
    CHECK_EQ_INT(may(&g, now + 6999, 1, 1, &wait), EB_RATE_PAUSED);
    CHECK_EQ_INT(wait, 1);
    CHECK_EQ_INT(may(&g, now + 7000, 1, 0, &wait), EB_RATE_WAIT); /* the header said the minute is spent */
    CHECK_EQ_INT(may(&g, T0 + 61000, 1, 0, &wait), EB_RATE_SEND);
    /* A later, shorter Retry-After never shortens the pause. */
    g = gov();
    h = (eb_rate_headers_t){.retry_after = "30"};
    CHECK_EQ_INT(eb_rate_response(&g, now, 429, &h), 0);
    h.retry_after = "1";
    CHECK_EQ_INT(eb_rate_response(&g, now + 1000, 429, &h), 0);
    CHECK_EQ_INT(may(&g, now + 1000, 1, 0, &wait), EB_RATE_PAUSED);
    CHECK_EQ_INT(wait, 29000);
    /* Without a readable Retry-After: the default pause, and the junk is reported. */
    g = gov();
    h.retry_after = "soon";
    CHECK_EQ_INT(eb_rate_response(&g, now, 429, &h), EB_RATE_H_RETRY_AFTER);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_PAUSED);
    CHECK_EQ_INT(wait, 60000);
    g = gov();
    CHECK_EQ_INT(eb_rate_response(&g, now, 429, NULL), 0);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_PAUSED);
    CHECK_EQ_INT(wait, 60000);
    /* Retry-After on a 200 means nothing. */
    g = gov();
    h.retry_after = "30";
    CHECK_EQ_INT(eb_rate_response(&g, now, 200, &h), 0);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_SEND);
}

TEST(a_418_is_a_ban)
{
    eb_rate_gov_t g = gov();
    int64_t wait, now = T0 + 5000;
    eb_rate_headers_t h = {.retry_after = "120"};
    CHECK_EQ_INT(eb_rate_response(&g, now, 418, &h), 0);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_BANNED);
    CHECK_EQ_INT(wait, 120000);
    CHECK_EQ_INT(may(&g, now + 120000, 1, 0, &wait), EB_RATE_SEND);
    /* A 429 during the ban neither shortens it nor hides it. */
    g = gov();
    CHECK_EQ_INT(eb_rate_response(&g, now, 418, &h), 0);
    h.retry_after = "5";
    CHECK_EQ_INT(eb_rate_response(&g, now + 1000, 429, &h), 0);
    CHECK_EQ_INT(may(&g, now + 1000, 1, 0, &wait), EB_RATE_BANNED);
    CHECK_EQ_INT(wait, 119000);
    /* After the ban, a 429 is a pause again, not a ban. */
    CHECK_EQ_INT(eb_rate_response(&g, now + 130000, 429, &h), 0);
    CHECK_EQ_INT(may(&g, now + 130000, 1, 0, &wait), EB_RATE_PAUSED);
    /* No readable Retry-After: the shortest ban. */
    g = gov();
    h.retry_after = "-1";
    CHECK_EQ_INT(eb_rate_response(&g, now, 418, &h), EB_RATE_H_RETRY_AFTER);
    CHECK_EQ_INT(may(&g, now, 1, 0, &wait), EB_RATE_BANNED);
    CHECK_EQ_INT(wait, 120000);
}

TEST(header_values_are_parsed_strictly)
{
    static const char *const junk[] = {"", " 5", "5 ", "+5", "-5", "5a", "0x10", "1e3", "5.0", "1234567890", "\t7", "٣"};
    int v = -7;
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        CHECK_MSG(eb_rate_parse_count(junk[i], &v) == -1, "'%s' accepted", junk[i]);
        CHECK_EQ_INT(v, -7);
    }
    CHECK_EQ_INT(eb_rate_parse_count(NULL, &v), -1);
    CHECK_EQ_INT(eb_rate_parse_count("0", &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(eb_rate_parse_count("007", &v), 0);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(eb_rate_parse_count("999999999", &v), 0);
    CHECK_EQ_INT(v, 999999999);
    /* A refused value sets nothing; the good ones beside it still count. */
    eb_rate_gov_t g = gov();
    CHECK_EQ_INT(eb_rate_sent(&g, T0 + 2000, 100, 1), 0);
    eb_rate_headers_t h = {.used_weight_1m = "50x", .order_count_10s = "5 ", .order_count_1d = "12"};
    CHECK_EQ_INT(eb_rate_response(&g, T0 + 2000, 200, &h), EB_RATE_H_WEIGHT_1M | EB_RATE_H_ORDERS_10S);
    CHECK_EQ_INT(g.weight.used, 100);
    CHECK_EQ_INT(g.orders_10s.used, 1);
    CHECK_EQ_INT(g.orders_1d.used, 12);
}

TEST(refused_arguments)
{
    eb_rate_gov_t g = gov();
    int64_t wait = 5;
    CHECK_EQ_INT(may(&g, -1, 1, 0, &wait), EB_RATE_E_ARG);
    CHECK_EQ_INT(may(&g, EB_TIME_MS_MAX + 1, 1, 0, &wait), EB_RATE_E_ARG);
    CHECK_EQ_INT(eb_rate_sent(&g, EB_TIME_MS_MAX + 1, 1, 0), -1);
    CHECK_EQ_INT(eb_rate_response(&g, INT64_MAX, 429, NULL), -1);
    CHECK_EQ_INT(may(&g, EB_TIME_MS_MAX, 1, 0, &wait), EB_RATE_SEND); /* the last allowed ms */
    CHECK_EQ_INT(may(&g, T0, -1, 0, &wait), EB_RATE_E_ARG);
    CHECK_EQ_INT(may(&g, T0, 1, 0, NULL), EB_RATE_E_ARG);
    CHECK_EQ_INT(eb_rate_may_send(NULL, T0, 1, 0, &wait), EB_RATE_E_ARG);
    CHECK_EQ_INT(eb_rate_sent(&g, -1, 1, 0), -1);
    CHECK_EQ_INT(eb_rate_sent(&g, T0, -1, 0), -1);
    CHECK_EQ_INT(eb_rate_sent(NULL, T0, 1, 0), -1);
    CHECK_EQ_INT(eb_rate_response(&g, -1, 200, NULL), -1);
    CHECK_EQ_INT(eb_rate_response(NULL, T0, 200, NULL), -1);
    CHECK_EQ_INT(g.weight.used, 0);
    CHECK_EQ_INT(eb_rate_sent(&g, 0, 1, 0), 0); /* the epoch itself, inside the guard */
    CHECK_EQ_STR(eb_rate_verdict_name(EB_RATE_BANNED), "banned");
    CHECK(eb_rate_verdict_name(EB_RATE_VERDICT_COUNT) == NULL);
}

static int below(int n) { return eb_prng_below(n); }

/* The venue counts by its own clock, off from ours by up to the guard either way; a second client on the
 * IP adds weight (within the margin) that the governor sees only in headers. Whatever the order of requests, no minute of the
 * venue's ever goes past the limit, and the governor's own part of it stays within the budget. */
TEST(random_traffic_never_reaches_the_limit)
{
    eb_prng_seed(0x2545f4914f6cdd1dull);
    for (int seq = 0; seq < 300; seq++) {
        eb_rate_gov_t g = gov();
        int64_t offset = below(2001) - 1000, now = T0 + below(120000);
        int64_t vmin = -1, vsec = -1;
        int vweight = 0, vorders = 0, other = below(3) == 0;
        int mine = 0, sent = 0, heavy = 1;
        for (int i = 0; i < 3000; i++) {
            now += below(200);
            int64_t vt = now + offset; /* the venue's clock */
            if (vt / 60000 != vmin) {
                vmin = vt / 60000;
                vweight = 0;
                mine = 0;
            }
            if (vt / 10000 != vsec) {
                vsec = vt / 10000;
                vorders = 0;
            }
            if (other && below(10) == 0)
                vweight += 1; /* the other program's requests: less than the margin, or nothing could hold */
            if (below(100) == 0)
                heavy = !heavy; /* bursts: a window left unspent, then one spent to the last unit */
            if (!heavy && below(20) != 0)
                continue;
            int weight = 1 + below(50), is_order = below(3) == 0;
            int64_t wait;
            eb_rate_verdict_t v = eb_rate_may_send(&g, now, weight, is_order, &wait);
            CHECK_MSG(v == EB_RATE_SEND || v == EB_RATE_WAIT, "seq %d: %s", seq, eb_rate_verdict_name(v));
            CHECK_MSG(v != EB_RATE_WAIT || wait > 0, "seq %d: wait %lld", seq, (long long)wait);
            if (v != EB_RATE_SEND)
                continue;
            eb_rate_sent(&g, now, weight, is_order);
            vweight += weight;
            mine += weight;
            vorders += is_order;
            sent++;
            CHECK_MSG(vweight <= 6000, "seq %d: the venue counts %d weight this minute", seq, vweight);
            CHECK_MSG(mine <= 5400, "seq %d: we sent %d weight in one venue minute", seq, mine);
            CHECK_MSG(vorders <= 90, "seq %d: %d orders in one venue 10 s", seq, vorders);
            if (below(4) == 0) { /* a response with the venue's counts (sometimes late, sometimes not) */
                char w[16], o[16];
                snprintf(w, sizeof w, "%d", vweight);
                snprintf(o, sizeof o, "%d", vorders);
                eb_rate_headers_t h = {.used_weight_1m = w, .order_count_10s = is_order ? o : NULL};
                CHECK_EQ_INT(eb_rate_response(&g, now + below(50), 200, &h), 0);
            }
        }
        CHECK_MSG(sent > 100, "seq %d: only %d requests left in 3000 tries", seq, sent);
    }
}

int main(void)
{
    RUN(defaults_and_refused_parameters);
    RUN(the_weight_budget_keeps_the_margin);
    RUN(windows_roll_at_the_venue_minute_plus_the_guard);
    RUN(the_venues_header_counts_what_we_did_not_send);
    RUN(order_counts);
    RUN(a_429_pauses_everything_until_retry_after);
    RUN(a_418_is_a_ban);
    RUN(header_values_are_parsed_strictly);
    RUN(refused_arguments);
    RUN(random_traffic_never_reaches_the_limit);
    return eb_check_report();
}
