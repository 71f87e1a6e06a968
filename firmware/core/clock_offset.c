#include "core/clock_offset.h"

#include <string.h>

void eb_clock_params_default(eb_clock_params_t *p)
{
    p->samples = 8;
    p->recv_window_ms = 5000;
    p->clear_pct = 80;
    p->max_rtt_ms = 10000;
}

int eb_clock_init(eb_clock_t *c, const eb_clock_params_t *p)
{
    memset(c, 0, sizeof *c);
    if (!p || p->samples < 1 || p->samples > EB_CLOCK_SAMPLES_MAX || p->recv_window_ms < 1 ||
        p->recv_window_ms > 60000 || p->clear_pct < 1 || p->clear_pct > 100 || p->max_rtt_ms < 1 ||
        p->max_rtt_ms > 60000)
        return -1;
    c->p = *p;
    c->disarm = 1; /* no offset known yet */
    return 0;
}

int eb_clock_add(eb_clock_t *c, int64_t send_ms, int64_t server_ms, int64_t recv_ms)
{
    if (!c || send_ms < 0 || server_ms <= 0 || server_ms > EB_TIME_MS_MAX || recv_ms < send_ms ||
        recv_ms > EB_TIME_MS_MAX || recv_ms - send_ms > c->p.max_rtt_ms)
        return -1;
    c->ring[c->head] = (eb_clock_sample_t){send_ms, server_ms, recv_ms};
    c->head = (c->head + 1) % c->p.samples;
    if (c->n < c->p.samples)
        c->n++;
    return 0;
}

int eb_clock_best(const eb_clock_t *c, int64_t *offset_ms, int64_t *uncertainty_ms)
{
    if (!c || c->n == 0)
        return -1;
    /* From the newest back, so of equal round trips the newest wins. */
    const eb_clock_sample_t *best = &c->ring[(c->head - 1 + c->p.samples) % c->p.samples];
    for (int k = 2; k <= c->n; k++) {
        const eb_clock_sample_t *s = &c->ring[(c->head - k + c->p.samples) % c->p.samples];
        if (s->recv_ms - s->send_ms < best->recv_ms - best->send_ms)
            best = s;
    }
    int64_t rtt = best->recv_ms - best->send_ms;
    /* The server's reading lies in [send, recv] of ours: within ceil(rtt / 2) of the (floored) midpoint. */
    *offset_ms = best->server_ms - (best->send_ms + rtt / 2);
    *uncertainty_ms = (rtt + 1) / 2;
    return 0;
}

int eb_clock_update(eb_clock_t *c, int kernel_unsynchronised)
{
    int64_t off, unc;
    if (!c)
        return 1;
    if (kernel_unsynchronised || eb_clock_best(c, &off, &unc) != 0) {
        c->disarm = 1;
        return 1;
    }
    int64_t err = (off < 0 ? -off : off) + unc, limit = c->p.recv_window_ms / 2;
    if (err > limit)
        c->disarm = 1;
    else if (err * 100 <= limit * c->p.clear_pct)
        c->disarm = 0;
    return c->disarm; /* between the two: as it was */
}

int eb_clock_venue_ms(const eb_clock_t *c, int64_t local_ms, int64_t *venue_ms)
{
    int64_t off, unc;
    if (local_ms < 0 || local_ms > EB_TIME_MS_MAX || eb_clock_best(c, &off, &unc) != 0)
        return -1;
    *venue_ms = local_ms + off;
    return 0;
}
