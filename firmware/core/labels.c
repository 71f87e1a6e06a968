#include "core/labels.h"

#include <math.h>

eb_barrier_params_t eb_barrier_params_default(void)
{
    eb_barrier_params_t p = {.horizon = 48, .reward = 3.0, .risk = 1.0};
    return p;
}

const char *eb_labels_status_text(eb_labels_status_t s)
{
    switch (s) {
    case EB_LABELS_OK: return "ok";
    case EB_LABELS_BAD_HORIZON: return "horizon must be 1..100000 bars";
    case EB_LABELS_BAD_REWARD: return "reward (or k) must be a finite number > 0";
    case EB_LABELS_BAD_RISK: return "risk must be a finite number > 0";
    }
    return "unknown status";
}

static int positive(double x) { return isfinite(x) && x > 0; }

/* Walks the horizon for one direction (dir +1 long, -1 short); returns +1 win, -1 stop, 0 expiry
 * (horizon complete) or 2 when the data ends first; *at = the deciding bar. */
static int walk(const eb_bar_t *bars, size_t n, size_t t, int dir, double r, const eb_barrier_params_t *p,
                size_t *at)
{
    double entry = bars[t + 1].open;
    double target = entry + dir * p->reward * r, stop = entry - dir * p->risk * r;
    size_t last = t + (size_t)p->horizon;
    for (size_t i = t + 1; i <= last; i++) {
        if (i >= n)
            return 2;
        *at = i;
        const eb_bar_t *b = &bars[i];
        int hit_stop = dir > 0 ? b->low <= stop : b->high >= stop;
        int hit_target = dir > 0 ? b->high >= target : b->low <= target;
        if (hit_stop)
            return -1; /* the same-bar rule: a stop on the bar outranks the target */
        if (hit_target)
            return 1;
    }
    return 0;
}

static int8_t barrier_one(const eb_bar_t *bars, size_t n, size_t t, double r, const eb_barrier_params_t *p,
                          int32_t *exit_bar)
{
    size_t at_long = 0, at_short = 0;
    *exit_bar = -1;
    if (t + 1 >= n || !positive(r))
        return EB_LABEL_NONE;
    int lo = walk(bars, n, t, +1, r, p, &at_long);
    int sh = walk(bars, n, t, -1, r, p, &at_short);
    if (lo == 1) {
        *exit_bar = (int32_t)at_long;
        return 1;
    }
    if (sh == 1) {
        *exit_bar = (int32_t)at_short;
        return -1;
    }
    if (lo == 2 || sh == 2)
        return EB_LABEL_NONE; /* one side still open when the data ends: undecided */
    *exit_bar = (int32_t)(at_long > at_short ? at_long : at_short);
    return 0;
}

static eb_labels_status_t check_common(int horizon, double reward)
{
    if (horizon < 1 || horizon > 100000)
        return EB_LABELS_BAD_HORIZON;
    if (!positive(reward))
        return EB_LABELS_BAD_REWARD;
    return EB_LABELS_OK;
}

static eb_labels_status_t check_barrier(const eb_barrier_params_t *p)
{
    eb_labels_status_t s = check_common(p->horizon, p->reward);
    return s == EB_LABELS_OK && !positive(p->risk) ? EB_LABELS_BAD_RISK : s;
}

static double outcome(const eb_bar_t *bars, size_t n, size_t t, int dir, double r, const eb_barrier_params_t *p)
{
    size_t at = 0;
    if (t + 1 >= n || !positive(r))
        return NAN;
    switch (walk(bars, n, t, dir, r, p, &at)) {
    case 1: return p->reward;
    case -1: return -p->risk;
    case 0: return dir * (bars[at].close - bars[t + 1].open) / r;
    default: return NAN;
    }
}

eb_labels_status_t eb_labels_barrier_outcomes(const eb_bar_t *bars, size_t n, const double *atr,
                                              const double *mult, const eb_barrier_params_t *p,
                                              double *long_r, double *short_r)
{
    eb_labels_status_t s = check_barrier(p);
    if (s != EB_LABELS_OK)
        return s;
    for (size_t t = 0; t < n; t++) {
        long_r[t] = outcome(bars, n, t, +1, mult[t] * atr[t], p);
        short_r[t] = outcome(bars, n, t, -1, mult[t] * atr[t], p);
    }
    return EB_LABELS_OK;
}

eb_labels_status_t eb_labels_barrier(const eb_bar_t *bars, size_t n, const double *atr, const double *mult,
                                     const eb_barrier_params_t *p, int8_t *label, int32_t *exit_bar)
{
    eb_labels_status_t s = check_barrier(p);
    if (s != EB_LABELS_OK)
        return s;
    for (size_t t = 0; t < n; t++) {
        int32_t at;
        label[t] = barrier_one(bars, n, t, mult[t] * atr[t], p, &at);
        if (exit_bar)
            exit_bar[t] = at;
    }
    return EB_LABELS_OK;
}

eb_labels_status_t eb_labels_volscaled(const eb_bar_t *bars, size_t n, const double *sigma,
                                       const eb_volscaled_params_t *p, int8_t *label)
{
    eb_labels_status_t s = check_common(p->horizon, p->k);
    if (s != EB_LABELS_OK)
        return s;
    double root_h = sqrt((double)p->horizon);
    for (size_t t = 0; t < n; t++) {
        size_t end = t + (size_t)p->horizon;
        label[t] = EB_LABEL_NONE;
        if (end >= n || !positive(sigma[t]))
            continue;
        double r = log(bars[end].close / bars[t + 1].open), tau = p->k * sigma[t] * root_h;
        label[t] = fabs(r) > tau ? (r > 0 ? 1 : -1) : 0;
    }
    return EB_LABELS_OK;
}

/* Rolling sums over log returns; recomputed from scratch every 4096 bars so rounding cannot drift. */
void eb_labels_realized_vol(const eb_bar_t *bars, size_t n, int window, double *sigma)
{
    size_t w = window > 1 ? (size_t)window : 2;
    double s = 0, ss = 0;
    for (size_t t = 0; t < n; t++) {
        sigma[t] = NAN;
        if (t == 0)
            continue;
        double r = log(bars[t].close / bars[t - 1].close);
        s += r;
        ss += r * r;
        if (t > w) {
            double old = log(bars[t - w].close / bars[t - w - 1].close);
            s -= old;
            ss -= old * old;
        }
        if (t % 4096 == 0 && t >= w) {
            s = ss = 0;
            for (size_t i = t + 1 - w; i <= t; i++) {
                double x = log(bars[i].close / bars[i - 1].close);
                s += x;
                ss += x * x;
            }
        }
        if (t >= w) {
            double m = s / (double)w, var = ss / (double)w - m * m;
            sigma[t] = sqrt(var > 0 ? var : 0);
        }
    }
}
