/* The path walked between two moments, segment by segment (sim_advance.h). */
#include "tools/edgebox/sim/sim_advance.h"

#include <math.h>

static int64_t time_at(const eb_sim_market_t *m, double pos)
{
    return m->start_ms + (int64_t)(pos / 3.0 * (double)m->interval_ms / m->speed);
}

void eb_sim_advance(const eb_sim_market_t *m, eb_sim_book_t *b, double *pos, int64_t now_ms)
{
    double to = eb_sim_market_pos(m, now_ms);
    double p = *pos;
    while (p < to) {
        double q = fmin(floor(p) + 1.0, to);
        double a = eb_sim_market_price(m, p);
        /* the price at the end of a segment is taken from inside it: at a bar's end that is its close,
         * not the next bar's open */
        size_t bi = eb_sim_market_bar(m, p);
        double c[4];
        eb_sim_market_corners(m, bi, c);
        double in = q - (double)bi * 3.0;
        int seg = (int)floor(p - (double)bi * 3.0);
        double bp = in >= 3.0 ? c[3] : c[seg] + (c[seg + 1] - c[seg]) * (in - seg);
        eb_sim_book_sweep(b, a, bp, 0, time_at(m, q));
        if (in >= 3.0 && bi + 1 < m->n) {
            /* the gap to the next bar's open: nothing traded in between */
            eb_sim_book_sweep(b, c[3], m->bars[bi + 1].open, 1, time_at(m, q));
        }
        p = q;
    }
    *pos = to;
}
