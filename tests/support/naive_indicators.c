#include "tests/support/naive_features.h"
/* Whole-series and single-window indicators by their definitions, for tests/support/naive_features.c. */

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int all_equal(const double *x, size_t t, int w)
{
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        if (x[i] != x[t])
            return 0;
    return 1;
}

static int window_ok(const double *x, size_t t, int w)
{
    if (t + 1 < (size_t)w)
        return 0;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        if (isnan(x[i]))
            return 0;
    return 1;
}

double eb_naive_mean(const double *x, size_t t, int w)
{
    if (!window_ok(x, t, w))
        return NAN;
    if (all_equal(x, t, w))
        return x[t];
    double s = 0;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        s += x[i];
    return s / w;
}

double eb_naive_std(const double *x, size_t t, int w)
{
    if (!window_ok(x, t, w))
        return NAN;
    if (all_equal(x, t, w))
        return 0;
    double m = eb_naive_mean(x, t, w), s = 0;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / w);
}

double eb_naive_corr(const double *x, const double *y, size_t t, int w)
{
    if (!window_ok(x, t, w) || !window_ok(y, t, w))
        return NAN;
    if (all_equal(x, t, w) || all_equal(y, t, w))
        return 0;
    double mx = eb_naive_mean(x, t, w), my = eb_naive_mean(y, t, w), sxy = 0, sxx = 0, syy = 0;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

void eb_naive_sma(const double *x, size_t n, int w, double *out)
{
    for (size_t t = 0; t < n; t++) {
        double s = 0;
        for (size_t i = t + 1 - (size_t)w; t + 1 >= (size_t)w && i <= t; i++)
            s += x[i];
        out[t] = t + 1 >= (size_t)w ? s / w : NAN;
    }
}

void eb_naive_ema(const double *x, size_t n, int w, double *out)
{
    double a = 2.0 / (w + 1);
    eb_naive_sma(x, n, w, out);
    for (size_t t = (size_t)w; t < n; t++)
        out[t] = a * x[t] + (1 - a) * out[t - 1];
}

void eb_naive_rsi(const double *c, size_t n, int w, double *out)
{
    double g = 0, l = 0;
    for (size_t t = 0; t < n; t++) {
        out[t] = NAN;
        if (t == 0)
            continue;
        double d = c[t] - c[t - 1], up = d > 0 ? d : 0, dn = d < 0 ? -d : 0;
        if (t <= (size_t)w) {
            g += up / w;
            l += dn / w;
        } else {
            g = (g * (w - 1) + up) / w;
            l = (l * (w - 1) + dn) / w;
        }
        if (t >= (size_t)w)
            out[t] = l == 0 ? 100 : 100 - 100 / (1 + g / l);
    }
}

void eb_naive_atr(const eb_bar_t *b, size_t n, int w, double *out)
{
    double a = 0;
    for (size_t t = 0; t < n; t++) {
        out[t] = NAN;
        if (t == 0)
            continue;
        double pc = b[t - 1].close;
        double tr = fmax(b[t].high - b[t].low, fmax(fabs(b[t].high - pc), fabs(b[t].low - pc)));
        if (t <= (size_t)w)
            a += tr / w;
        else
            a = (a * (w - 1) + tr) / w;
        if (t >= (size_t)w)
            out[t] = a;
    }
}
