#include "app/paper_broker.h"

#include <string.h>

void eb_paper_init(eb_paper_broker_t *b, double slippage_bps, double fee_bps)
{
    memset(b, 0, sizeof *b);
    b->slippage_bps = slippage_bps;
    b->fee_bps = fee_bps;
}

int eb_paper_queue(eb_paper_broker_t *b, const eb_intent_t *it)
{
    if (b->npending == EB_PAPER_MAX_PENDING)
        return -1;
    b->pending[b->npending++] = *it;
    return 0;
}

/* An entry buys for a long; an exit sells it. */
static int order_side(const eb_intent_t *it) { return it->kind == EB_INTENT_ENTER ? it->side : -it->side; }

double eb_paper_market_price(const eb_paper_broker_t *b, int side, double px)
{
    return px * (1.0 + side * b->slippage_bps / 10000.0);
}

int eb_paper_fill_now(eb_paper_broker_t *b, eb_engine_t *e, const eb_intent_t *it, double px, int64_t t,
                      eb_paper_fill_t *out)
{
    memset(out, 0, sizeof *out);
    out->intent = it;
    out->price = eb_paper_market_price(b, order_side(it), px); /* stops slip too, as in the backtest */
    out->qty = it->qty;
    out->fee = out->price * out->qty * b->fee_bps / 10000.0;
    int rc = eb_engine_fill(e, it, out->price, out->qty, out->fee, t, &out->trade);
    if (rc < 0)
        return -1;
    out->closed = rc == 1;
    b->fills++;
    return 0;
}

int eb_paper_cancel_entries(eb_paper_broker_t *b, eb_engine_t *e, eb_intent_t *cancelled, int cap)
{
    int kept = 0, n = 0;
    for (int i = 0; i < b->npending; i++) {
        if (b->pending[i].kind == EB_INTENT_ENTER && n < cap) {
            eb_engine_cancel(e, &b->pending[i]);
            cancelled[n++] = b->pending[i];
        } else {
            b->pending[kept++] = b->pending[i];
        }
    }
    b->npending = kept;
    return n;
}
