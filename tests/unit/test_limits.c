/* Seed 003 limits (SPEC section 7): 15 trades a day, 180 s apart, confidence 0.60, 150 quote loss a day. */
#include "core/limits.h"
#include "tests/support/check.h"

#define DAY 86400000LL
#define T0 1609718400000LL /* 2021-01-04 00:00 UTC */

static const eb_limits_params_t L = {.max_trades_per_day = 15, .min_seconds_between_trades = 180,
                                     .min_confidence = 0.60, .max_daily_loss = 150, .max_position_pct = 0.30};

TEST(confidence)
{
    CHECK_EQ_INT(eb_limits_check_confidence(&L, 0.5999), EB_REFUSE_LOW_CONFIDENCE);
    CHECK_EQ_INT(eb_limits_check_confidence(&L, 0.60), EB_REFUSE_NONE);
    CHECK_EQ_INT(eb_limits_check_confidence(&L, NAN), EB_REFUSE_LOW_CONFIDENCE);
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_LOW_CONFIDENCE), "low_confidence");
}

TEST(trades_per_day)
{
    eb_limits_t l;
    eb_limits_init(&l);
    for (int i = 0; i < 15; i++) {
        int64_t t = T0 + (int64_t)i * 200000; /* 200 s apart */
        CHECK_EQ_INT(eb_limits_check(&L, &l, t), EB_REFUSE_NONE);
        eb_limits_record_entry(&l, t);
    }
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 15 * 200000), EB_REFUSE_MAX_TRADES_PER_DAY);
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_MAX_TRADES_PER_DAY), "max_trades_per_day");
    eb_limits_roll(&l, T0 + DAY - 1);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + DAY - 1), EB_REFUSE_MAX_TRADES_PER_DAY);
    eb_limits_roll(&l, T0 + DAY); /* next UTC day */
    CHECK_EQ_INT(l.trades_today, 0);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + DAY), EB_REFUSE_NONE);
}

TEST(interval)
{
    eb_limits_t l;
    eb_limits_init(&l);
    eb_limits_record_entry(&l, T0);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 179999), EB_REFUSE_MIN_TRADE_INTERVAL);
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_MIN_TRADE_INTERVAL), "min_trade_interval");
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 180000), EB_REFUSE_NONE);
    /* The interval spans midnight: the day roll does not forget the last entry. */
    eb_limits_record_entry(&l, T0 + DAY - 60000);
    eb_limits_roll(&l, T0 + DAY);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + DAY), EB_REFUSE_MIN_TRADE_INTERVAL);
}

TEST(daily_loss)
{
    eb_limits_t l;
    eb_limits_init(&l);
    eb_limits_record_pnl(&l, T0, -100);
    eb_limits_record_pnl(&l, T0 + 1, -49.99);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 2), EB_REFUSE_NONE);
    eb_limits_record_pnl(&l, T0 + 3, -0.01); /* -150.00 */
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 4), EB_REFUSE_MAX_DAILY_LOSS);
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_MAX_DAILY_LOSS), "max_daily_loss");
    eb_limits_record_pnl(&l, T0 + 5, 20); /* a win the same day lifts it back above the limit */
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 6), EB_REFUSE_NONE);
    eb_limits_record_pnl(&l, T0 + 7, -40);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + 8), EB_REFUSE_MAX_DAILY_LOSS);
    eb_limits_roll(&l, T0 + DAY);
    CHECK_EQ_INT(eb_limits_check(&L, &l, T0 + DAY), EB_REFUSE_NONE);
    eb_limits_params_t off = L;
    off.max_daily_loss = 0; /* disabled */
    eb_limits_record_pnl(&l, T0 + DAY, -1e6);
    CHECK_EQ_INT(eb_limits_check(&off, &l, T0 + DAY + 1), EB_REFUSE_NONE);
}

int main(void)
{
    RUN(confidence);
    RUN(trades_per_day);
    RUN(interval);
    RUN(daily_loss);
    return eb_check_report();
}
