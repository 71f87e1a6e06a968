#include "core/synth.h"

#include <math.h>

#define SUBSTEPS 12

/* xoshiro256** seeded through splitmix64: small, fast, and identical everywhere. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(uint64_t s[4])
{
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static double uniform(uint64_t s[4]) { return (double)(next_u64(s) >> 11) * 0x1.0p-53; }

/* Standard normal by Box-Muller; one draw per call keeps the stream simple to reason about. */
static double normal(uint64_t s[4])
{
    double u1 = uniform(s), u2 = uniform(s);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

eb_synth_params_t eb_synth_params_default(void)
{
    eb_synth_params_t p = {.seed = 1, .start_ms = 1609459200000, /* 2021-01-01T00:00Z */
                           .interval_ms = 300000, .start_price = 30000.0, .base_vol = 0.002, .gap_prob = 0.0,
                           .trend = 0.05};
    return p;
}

void eb_synth_init(eb_synth_t *s, const eb_synth_params_t *p)
{
    uint64_t x = p->seed;
    s->p = *p;
    for (int i = 0; i < 4; i++)
        s->rng[i] = splitmix64(&x);
    s->price = p->start_price;
    s->var = p->base_vol * p->base_vol;
    s->regime = EB_REGIME_RANGE;
    s->next_open_ms = p->start_ms;
}

/* Regimes last a few hundred bars on average. */
static void maybe_switch_regime(eb_synth_t *s)
{
    if (uniform(s->rng) < 1.0 / 400.0)
        s->regime = (eb_regime_t)(next_u64(s->rng) % 3);
}

static double regime_drift(const eb_synth_t *s)
{
    double mu = s->p.trend * s->p.base_vol;
    return s->regime == EB_REGIME_UP ? mu : s->regime == EB_REGIME_DOWN ? -mu : 0.0;
}

void eb_synth_next(eb_synth_t *s, eb_bar_t *out)
{
    while (s->p.gap_prob > 0 && uniform(s->rng) < s->p.gap_prob)
        s->next_open_ms += s->p.interval_ms;
    maybe_switch_regime(s);
    double base = s->p.base_vol * s->p.base_vol;
    double sigma = sqrt(s->var), drift = regime_drift(s);
    double open = s->price, high = open, low = open, logp = log(open), total = 0;
    for (int i = 0; i < SUBSTEPS; i++) {
        double r = drift / SUBSTEPS + sigma * normal(s->rng) / sqrt((double)SUBSTEPS);
        total += r;
        double p = exp(logp + total);
        high = p > high ? p : high;
        low = p < low ? p : low;
    }
    double close = exp(logp + total);
    /* GARCH(1,1): variance mean-reverts to base while large moves raise it (clustering). */
    s->var = 0.05 * base + 0.85 * s->var + 0.10 * total * total;
    double range = (high - low) / open;
    out->open_time_ms = s->next_open_ms;
    out->open = open;
    out->high = high;
    out->low = low;
    out->close = close;
    out->volume = 50.0 * (1.0 + range / s->p.base_vol) * (0.5 + uniform(s->rng));
    s->price = close;
    s->next_open_ms += s->p.interval_ms;
}
