/* The clock offset (core/clock_offset.h): the midpoint arithmetic, the best of the last N samples, the
 * `clock` reason with its hysteresis and the kernel's flag, signed-request timestamps, refused samples and
 * parameters; and random samples with asymmetric network legs, where the true offset must always lie
 * within the reported uncertainty and the reason must change only across its thresholds. */
#include "core/clock_offset.h"
#include "tests/support/check.h"
#include "tests/support/prng.h"

#include <stdint.h>

static eb_clock_t clk(void)
{
    eb_clock_params_t p;
    eb_clock_params_default(&p);
    eb_clock_t c;
    eb_clock_init(&c, &p);
    return c;
}

TEST(parameters)
{
    eb_clock_params_t p;
    eb_clock_t c;
    eb_clock_params_default(&p);
    CHECK_EQ_INT(p.samples, 8);
    CHECK_EQ_INT(p.recv_window_ms, 5000);
    CHECK_EQ_INT(p.clear_pct, 80);
    CHECK_EQ_INT(eb_clock_init(&c, &p), 0);
    CHECK_EQ_INT(eb_clock_init(&c, NULL), -1);
    const eb_clock_params_t base = p;
    const struct {
        int samples, clear_pct;
        int64_t rw, rtt;
    } bad[] = {{0, 80, 5000, 10000}, {17, 80, 5000, 10000}, {8, 0, 5000, 10000}, {8, 101, 5000, 10000},
               {8, 80, 0, 10000},    {8, 80, 60001, 10000}, {8, 80, 5000, 0},    {8, 80, 5000, 60001}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = base;
        p.samples = bad[i].samples;
        p.clear_pct = bad[i].clear_pct;
        p.recv_window_ms = bad[i].rw;
        p.max_rtt_ms = bad[i].rtt;
        CHECK_MSG(eb_clock_init(&c, &p) == -1, "bad parameter set %zu accepted", i);
    }
    p = base;
    p.samples = 16;
    p.clear_pct = 100;
    CHECK_EQ_INT(eb_clock_init(&c, &p), 0);
}

TEST(offset_is_server_minus_midpoint)
{
    eb_clock_t c = clk();
    int64_t off, unc, ts;
    CHECK_EQ_INT(eb_clock_best(&c, &off, &unc), -1);
    CHECK_EQ_INT(eb_clock_venue_ms(&c, 1000, &ts), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 1000, 5050, 1100), 0);
    CHECK_EQ_INT(eb_clock_best(&c, &off, &unc), 0);
    CHECK_EQ_INT(off, 4000);
    CHECK_EQ_INT(unc, 50);
    CHECK_EQ_INT(eb_clock_venue_ms(&c, 20000, &ts), 0);
    CHECK_EQ_INT(ts, 24000);
    /* An odd round trip: the midpoint floored, the uncertainty rounded up (the truth is in 3999..4051). */
    c = clk();
    CHECK_EQ_INT(eb_clock_add(&c, 1000, 5050, 1101), 0);
    eb_clock_best(&c, &off, &unc);
    CHECK_EQ_INT(off, 4000);
    CHECK_EQ_INT(unc, 51);
    /* The server behind us. */
    c = clk();
    CHECK_EQ_INT(eb_clock_add(&c, 10000, 7010, 10020), 0);
    eb_clock_best(&c, &off, &unc);
    CHECK_EQ_INT(off, -3000);
    CHECK_EQ_INT(unc, 10);
    CHECK_EQ_INT(eb_clock_venue_ms(&c, 10000, &ts), 0);
    CHECK_EQ_INT(ts, 7000);
}

TEST(the_best_of_the_last_n)
{
    eb_clock_params_t p;
    eb_clock_params_default(&p);
    p.samples = 3;
    eb_clock_t c;
    eb_clock_init(&c, &p);
    int64_t off, unc;
    eb_clock_add(&c, 1000, 2150, 1300); /* rtt 300, offset 1000 */
    eb_clock_add(&c, 2000, 3100, 2100); /* rtt 100, offset 1050 */
    eb_clock_add(&c, 3000, 4100, 3200); /* rtt 200, offset 1000 */
    eb_clock_best(&c, &off, &unc);
    CHECK_EQ_INT(off, 1050);
    CHECK_EQ_INT(unc, 50);
    eb_clock_add(&c, 4000, 5100, 4200); /* rtt 200: the 300 falls out, the 100 is still best */
    eb_clock_best(&c, &off, &unc);
    CHECK_EQ_INT(off, 1050);
    eb_clock_add(&c, 5000, 6120, 5200); /* rtt 200, offset 1020: now the 100 is gone too */
    eb_clock_best(&c, &off, &unc);
    CHECK_EQ_INT(unc, 100);
    CHECK_EQ_INT(off, 1020); /* of three equal round trips, the newest */
}

TEST(refused_samples_keep_nothing)
{
    eb_clock_t c = clk();
    CHECK_EQ_INT(eb_clock_add(&c, -1, 5000, 10), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 100, 0, 110), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 100, -5, 110), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 100, 5000, 99), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 100, 5000, 10101), -1); /* rtt 10001 > 10000 */
    CHECK_EQ_INT(eb_clock_add(NULL, 100, 5000, 110), -1);
    CHECK_EQ_INT(eb_clock_add(&c, 100, EB_TIME_MS_MAX + 1, 110), -1);
    CHECK_EQ_INT(eb_clock_add(&c, EB_TIME_MS_MAX, 5000, EB_TIME_MS_MAX + 1), -1);
    CHECK_EQ_INT(c.n, 0);
    CHECK_EQ_INT(eb_clock_add(&c, 100, 5000, 10100), 0); /* exactly the longest */
    CHECK_EQ_INT(eb_clock_add(&c, 100, 5000, 100), 0);   /* a zero round trip */
    CHECK_EQ_INT(c.n, 2);
    int64_t ts;
    CHECK_EQ_INT(eb_clock_venue_ms(&c, -1, &ts), -1);
    CHECK_EQ_INT(eb_clock_venue_ms(&c, EB_TIME_MS_MAX + 1, &ts), -1);
    CHECK_EQ_INT(eb_clock_venue_ms(&c, 0, &ts), 0);
    CHECK_EQ_INT(eb_clock_update(NULL, 0), 1);
}

/* recvWindow 5000: wanted above 2500 (|offset| + uncertainty), cleared at or below 2000. */
TEST(the_clock_reason_with_hysteresis)
{
    eb_clock_t c = clk();
    CHECK_EQ_INT(c.disarm, 1);
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1); /* no sample yet */
    eb_clock_add(&c, 1000, 3400, 1100);        /* offset 2350 + 50 = 2400: below the limit, above the clear */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1);   /* still wanted: it has not come down far enough */
    c = clk();
    eb_clock_add(&c, 1000, 2950, 1100); /* 1900 + 50 = 1950 */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    c = clk();
    eb_clock_add(&c, 1000, 3000, 1100); /* 1950 + 50 = 2000: at the clear threshold */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    eb_clock_params_t p;
    eb_clock_params_default(&p);
    p.samples = 1;
    eb_clock_init(&c, &p);
    eb_clock_add(&c, 1000, 2000, 1100); /* 950 + 50 */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    eb_clock_add(&c, 2000, 4450, 2100); /* 2400 + 50 = 2450: between, stays clear */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    eb_clock_add(&c, 3000, 5500, 3100); /* 2450 + 50 = 2500: the limit itself, still clear */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    eb_clock_add(&c, 4000, 6501, 4100); /* 2451 + 50 = 2501: over */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1);
    eb_clock_add(&c, 5000, 7100, 5100); /* 2050 + 50 = 2100: between, stays wanted */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1);
    eb_clock_add(&c, 6000, 7999, 6100); /* 1949 + 50 = 1999: clears */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    eb_clock_add(&c, 7000, 4499, 7100); /* -2551 + 50 = 2601: a server behind us counts the same */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1);
    eb_clock_add(&c, 8000, 8050, 8100); /* 0 + 50 */
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    /* A large uncertainty alone: offset 0, rtt 5200 -> 2600. */
    eb_clock_add(&c, 9000, 11600, 14200);
    CHECK_EQ_INT(eb_clock_update(&c, 0), 1);
}

TEST(the_kernels_flag)
{
    eb_clock_t c = clk();
    eb_clock_add(&c, 1000, 1050, 1100);
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0);
    CHECK_EQ_INT(eb_clock_update(&c, 1), 1); /* unsynchronised: wanted whatever the offset */
    CHECK_EQ_INT(c.disarm, 1);
    CHECK_EQ_INT(eb_clock_update(&c, 0), 0); /* synchronised again, the offset small */
}

static int below(int n) { return eb_prng_below(n); }

/* A true offset drifting slowly, two network legs of random and unequal length, sometimes a long stall. */
TEST(random_samples_bound_the_truth)
{
    eb_prng_seed(0xd1b54a32d192ed03ull);
    for (int seq = 0; seq < 200; seq++) {
        eb_clock_params_t p;
        eb_clock_params_default(&p);
        p.samples = 1 + below(EB_CLOCK_SAMPLES_MAX);
        eb_clock_t c;
        eb_clock_init(&c, &p);
        int64_t truth = below(8001) - 4000, local = 1000000 + below(100000);
        int64_t lo_truth = truth, hi_truth = truth; /* over the last N samples' times */
        int64_t hist_lo[EB_CLOCK_SAMPLES_MAX], hist_hi[EB_CLOCK_SAMPLES_MAX];
        int prev = c.disarm;
        for (int i = 0; i < 500; i++) {
            local += 100 + below(5000);
            int drift = below(3) - 1;
            truth += drift;
            int64_t up = below(10) == 0 ? below(3000) : below(80), down = below(10) == 0 ? below(3000) : below(80);
            int64_t server = local + up + truth; /* the server reads its clock on arrival */
            int64_t recv = local + up + down;
            if (eb_clock_add(&c, local, server, recv) != 0) {
                CHECK_MSG(recv - local > p.max_rtt_ms, "seq %d: a good sample refused", seq);
                continue;
            }
            hist_lo[(c.head - 1 + p.samples) % p.samples] = truth;
            hist_hi[(c.head - 1 + p.samples) % p.samples] = truth;
            lo_truth = hi_truth = truth;
            for (int k = 0; k < c.n; k++) {
                lo_truth = hist_lo[k] < lo_truth ? hist_lo[k] : lo_truth;
                hi_truth = hist_hi[k] > hi_truth ? hist_hi[k] : hi_truth;
            }
            int64_t off, unc;
            CHECK_EQ_INT(eb_clock_best(&c, &off, &unc), 0);
            /* The best sample's truth was one of the last N: within its uncertainty. */
            CHECK_MSG(off - unc <= hi_truth && lo_truth <= off + unc, "seq %d: offset %lld +- %lld, truth %lld..%lld",
                      seq, (long long)off, (long long)unc, (long long)lo_truth, (long long)hi_truth);
            for (int k = 0; k < c.n; k++) {
                const eb_clock_sample_t *s = &c.ring[k];
                CHECK_MSG(unc * 2 <= s->recv_ms - s->send_ms + 1, "seq %d: not the lowest round trip", seq);
            }
            int unsync = below(50) == 0;
            int now = eb_clock_update(&c, unsync);
            int64_t err = (off < 0 ? -off : off) + unc;
            if (now && !prev)
                CHECK_MSG(unsync || err > 2500, "seq %d: set at %lld", seq, (long long)err);
            if (!now && prev)
                CHECK_MSG(!unsync && err <= 2000, "seq %d: cleared at %lld", seq, (long long)err);
            if (!now)
                CHECK_MSG(!unsync && err <= 2500, "seq %d: clear at %lld", seq, (long long)err);
            prev = now;
        }
    }
}

int main(void)
{
    RUN(parameters);
    RUN(offset_is_server_minus_midpoint);
    RUN(the_best_of_the_last_n);
    RUN(refused_samples_keep_nothing);
    RUN(the_clock_reason_with_hysteresis);
    RUN(the_kernels_flag);
    RUN(random_samples_bound_the_truth);
    return eb_check_report();
}
