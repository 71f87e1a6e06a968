/* The hand-computed feature tests' engine driver and reference formulas (feature_hand.h). */
#include "tests/support/feature_hand.h"

#include <math.h>
#include <stdlib.h>

eb_feature_params_t eb_hand_params(int displacement)
{
    eb_feature_params_t p = {8, 24, 48, displacement, 7, 7};
    return p;
}

void eb_hand_start(eb_hand_t *e, const eb_feature_params_t *p)
{
    size_t size = eb_features_state_size(p);
    e->mem = malloc(size);
    e->f = eb_features_init(e->mem, size, p);
    e->time = 1600000000000;
    e->ready = 0;
    for (int i = 0; i < EB_FEATURE_COUNT; i++)
        e->out[i] = NAN;
}

void eb_hand_end(eb_hand_t *e)
{
    free(e->mem);
    e->mem = NULL;
    e->f = NULL;
}

int eb_hand_bar(eb_hand_t *e, double o, double h, double l, double c, double v)
{
    e->time += 300000;
    eb_bar_t b = {e->time, o, h, l, c, v};
    e->ready = e->f ? eb_features_step(e->f, &b, e->out) : -1;
    return e->ready;
}

void eb_hand_repeat(eb_hand_t *e, int n, double o, double h, double l, double c, double v)
{
    for (int i = 0; i < n; i++)
        eb_hand_bar(e, o, h, l, c, v);
}

int eb_hand_level(eb_hand_t *e, double c, double v) { return eb_hand_bar(e, c, c, c, c, v); }

static double mean(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s / n;
}

double eb_hand_pstd(const double *x, int n)
{
    double m = mean(x, n), s = 0;
    for (int i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / n);
}

double eb_hand_pearson(const double *x, const double *y, int n)
{
    double mx = mean(x, n), my = mean(y, n), sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}
