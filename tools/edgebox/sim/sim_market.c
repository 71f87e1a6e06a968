/* The bar path as a function of wall time (sim_market.h). */
#include "tools/edgebox/sim/sim_market.h"

#include <math.h>

#include "common/errf.h"

int eb_sim_market_init(eb_sim_market_t *m, const eb_bar_t *bars, size_t n, double speed, int64_t start_ms,
                       char *err, size_t cap)
{
    if (n == 0)
        return eb_errf(err, cap, "exchange-sim: the bar file holds no bars");
    if (!(speed > 0) || !isfinite(speed))
        return eb_errf(err, cap, "exchange-sim: --speed %g must be a finite number > 0", speed);
    for (size_t i = 1; i < n; i++)
        if (bars[i].open_time_ms <= bars[i - 1].open_time_ms)
            return eb_errf(err, cap, "exchange-sim: bar %zu does not open after bar %zu", i + 1, i);
    *m = (eb_sim_market_t){bars, n, n > 1 ? bars[1].open_time_ms - bars[0].open_time_ms : 60000, speed, start_ms, 0};
    return 0;
}

void eb_sim_market_times_now(eb_sim_market_t *m, int64_t now_ms)
{
    int64_t t0 = now_ms;
    if (m->speed == 1.0) {
        /* aligned like the venue's bars: the open bar is the one of this wall-clock interval */
        t0 = now_ms - now_ms % m->interval_ms;
        m->start_ms = t0;
    }
    m->shift_ms = t0 - m->bars[0].open_time_ms;
}

double eb_sim_market_pos(const eb_sim_market_t *m, int64_t now_ms)
{
    double bars_elapsed = (double)(now_ms - m->start_ms) * m->speed / (double)m->interval_ms;
    double pos = bars_elapsed * 3.0;
    double end = (double)m->n * 3.0;
    if (pos < 0)
        return 0;
    /* the last bar ends at its close and stays there: the market stops, it does not wrap */
    return pos > end ? end : pos;
}

size_t eb_sim_market_bar(const eb_sim_market_t *m, double pos)
{
    size_t i = (size_t)(pos / 3.0);
    return i >= m->n ? m->n - 1 : i;
}

void eb_sim_market_corners(const eb_sim_market_t *m, size_t i, double out[4])
{
    const eb_bar_t *b = &m->bars[i];
    /* the nearer extreme first: a bar that opened near its low went down first */
    int low_first = b->open - b->low <= b->high - b->open;
    out[0] = b->open;
    out[1] = low_first ? b->low : b->high;
    out[2] = low_first ? b->high : b->low;
    out[3] = b->close;
}

double eb_sim_market_price(const eb_sim_market_t *m, double pos)
{
    size_t i = eb_sim_market_bar(m, pos);
    double c[4];
    eb_sim_market_corners(m, i, c);
    double in = pos - (double)i * 3.0; /* 0..3 */
    if (in >= 3.0)
        return c[3];
    int seg = (int)in;
    double f = in - seg;
    return c[seg] + (c[seg + 1] - c[seg]) * f;
}
