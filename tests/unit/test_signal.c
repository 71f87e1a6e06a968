/* The decision rule of SPEC section 5 and the client order ids of section 8. */
#include "core/order_id.h"
#include "core/signal.h"
#include "tests/support/check.h"

static eb_signal_t decide(const eb_signal_params_t *p, double s, double n, double b, int *rc)
{
    double probs[3] = {s, n, b};
    eb_signal_t out;
    *rc = eb_signal_from_probs(p, probs, 3, &out);
    return out;
}

TEST(thresholds)
{
    eb_signal_params_t p;
    int rc;
    eb_signal_params_default(&p);
    eb_signal_t s = decide(&p, 0.2, 0.2, 0.6, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(s.direction, 1);
    CHECK_NEAR(s.confidence, 0.6, 0);
    CHECK_EQ_INT(decide(&p, 0.55, 0.1, 0.35, &rc).direction, -1);
    CHECK_EQ_INT(decide(&p, 0.3, 0.4, 0.3, &rc).direction, 0);
    CHECK_EQ_INT(decide(&p, 0.2, 0.3, 0.5, &rc).direction, 1); /* >= threshold */
    CHECK_EQ_INT(decide(&p, 0.2, 0.31, 0.49, &rc).direction, 0);
    p.threshold_buy = p.threshold_sell = 0.4;
    CHECK_EQ_INT(decide(&p, 0.45, 0.1, 0.45, &rc).direction, 0); /* tie: neither is strictly greater */
    p.min_confidence = 0.7;
    s = decide(&p, 0.2, 0.2, 0.6, &rc);
    CHECK_EQ_INT(s.direction, 0);
    CHECK_NEAR(s.confidence, 0.6, 0);
    /* Class order from the blob: buy first, sell last. */
    eb_signal_params_default(&p);
    p.class_buy = 0;
    p.class_sell = 2;
    CHECK_EQ_INT(decide(&p, 0.7, 0.2, 0.1, &rc).direction, 1);
}

TEST(bad_inputs)
{
    eb_signal_params_t p;
    int rc;
    eb_signal_params_default(&p);
    eb_signal_t s = decide(&p, NAN, 0.2, 0.6, &rc);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(s.direction, 0);
    p.class_buy = 3;
    s = decide(&p, 0.1, 0.1, 0.8, &rc);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(s.direction, 0);
    eb_signal_t f = eb_signal_fixed(-5);
    CHECK_EQ_INT(f.direction, -1);
    CHECK_NEAR(f.confidence, 1, 0);
}

TEST(order_ids)
{
    char id[40];
    /* 1609718400000 in base 36 is "kjhsruo0" (Python: int("kjhsruo0", 36) == 1609718400000). */
    CHECK_EQ_INT(eb_order_id_make(id, sizeof id, "demo", 1609718400000LL, 0), 15);
    CHECK_EQ_STR(id, "demo-kjhsruo0-0");
    CHECK_EQ_INT(eb_order_id_make(id, sizeof id, "demo", 1609718400000LL, 37), 16);
    CHECK_EQ_STR(id, "demo-kjhsruo0-11");
    /* Long names are cut to 14, bad characters replaced; the worst case is exactly 36. */
    int n = eb_order_id_make(id, sizeof id, "ichimoku rsi/atr.v2", INT64_MAX, UINT32_MAX);
    CHECK_EQ_INT(n, 36);
    CHECK_EQ_STR(id, "ichimoku_rsi_a-1y2p0ij32e8e7-1z141z3");
    CHECK(eb_order_id_valid(id));
    CHECK_EQ_INT(eb_order_id_make(id, 36, "demo", 0, 0), -1);
    CHECK_EQ_INT(eb_order_id_make(id, sizeof id, "", 0, 0), -1);
    CHECK_EQ_INT(eb_order_id_make(id, sizeof id, "demo", -1, 0), -1);
    CHECK(!eb_order_id_valid("a b"));
    CHECK(!eb_order_id_valid(""));
    CHECK(!eb_order_id_valid("0123456789012345678901234567890123456"));
}

int main(void)
{
    RUN(thresholds);
    RUN(bad_inputs);
    RUN(order_ids);
    return eb_check_report();
}
