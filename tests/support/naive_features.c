/* The 58 features straight from SPEC section 4, each recomputed over its window at every bar. */
#include "tests/support/naive_features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NF EB_FEATURE_COUNT

typedef struct {
    const eb_bar_t *b;
    const eb_feature_params_t *p;
    size_t n;
    double *c, *v, *h, *l, *atr, *atr5, *atr20, *rsi, *atr_pct, *ma20, *tk, *kj, *ca, *cb, *dc, *drsi, *body, *rank, *lowv, *pok;
} series_t;

static double hh(const eb_bar_t *b, size_t t, int w)
{
    if (t + 1 < (size_t)w)
        return NAN;
    double m = -INFINITY;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        m = fmax(m, b[i].high);
    return m;
}

static double ll(const eb_bar_t *b, size_t t, int w)
{
    if (t + 1 < (size_t)w)
        return NAN;
    double m = INFINITY;
    for (size_t i = t + 1 - (size_t)w; i <= t; i++)
        m = fmin(m, b[i].low);
    return m;
}

static double div0(double a, double b) { return b == 0 ? 0 : a / b; }
static double sgn(double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* atr_pct[t] against the 252 values ending at t: regime (0/1/2) and whether it is below the 10th percentile. */
static int pct_window(const series_t *s, size_t t, double *rank, int *low)
{
    int w = EB_FEATURES_ATR_HISTORY;
    if (t + 1 < (size_t)w || isnan(s->atr_pct[t + 1 - (size_t)w]))
        return 0;
    double sorted[EB_FEATURES_ATR_HISTORY], x = s->atr_pct[t];
    memcpy(sorted, s->atr_pct + t + 1 - (size_t)w, sizeof sorted);
    qsort(sorted, (size_t)w, sizeof(double), cmp);
    int less = 0, le = 0;
    for (int i = 0; i < w; i++) {
        less += sorted[i] < x;
        le += sorted[i] <= x;
    }
    *rank = (less + (le - less + 1) / 2.0) / w;
    double pos = 0.1 * (w - 1), frac = pos - floor(pos);
    int lo = (int)floor(pos);
    double q = sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
    *low = x < q;
    return 1;
}

static void fill_series(series_t *s)
{
    const eb_bar_t *b = s->b;
    const eb_feature_params_t *p = s->p;
    for (size_t t = 0; t < s->n; t++) {
        s->c[t] = b[t].close;
        s->v[t] = b[t].volume;
        s->h[t] = b[t].high;
        s->l[t] = b[t].low;
        s->body[t] = fabs(b[t].close - b[t].open);
    }
    eb_naive_atr(b, s->n, p->atr, s->atr);
    eb_naive_atr(b, s->n, 5, s->atr5);
    eb_naive_atr(b, s->n, 20, s->atr20);
    eb_naive_rsi(s->c, s->n, p->rsi, s->rsi);
    for (size_t t = 0; t < s->n; t++) {
        s->atr_pct[t] = s->atr[t] / s->c[t] * 100;
        s->ma20[t] = eb_naive_mean(s->c, t, 20);
        s->tk[t] = (hh(b, t, p->tenkan) + ll(b, t, p->tenkan)) / 2;
        s->kj[t] = (hh(b, t, p->kijun) + ll(b, t, p->kijun)) / 2;
        size_t d = (size_t)p->displacement;
        s->ca[t] = s->cb[t] = NAN;
        if (t >= d) {
            size_t u = t - d;
            s->ca[t] = ((hh(b, u, p->tenkan) + ll(b, u, p->tenkan)) / 2 + (hh(b, u, p->kijun) + ll(b, u, p->kijun)) / 2) / 2;
            s->cb[t] = (hh(b, u, p->senkou_b) + ll(b, u, p->senkou_b)) / 2;
        }
        s->dc[t] = t > 0 ? s->c[t] - s->c[t - 1] : NAN;
        s->drsi[t] = t > 0 ? s->rsi[t] - s->rsi[t - 1] : NAN;
    }
    for (size_t t = 0; t < s->n; t++) {
        int low = 0;
        s->rank[t] = NAN;
        s->pok[t] = pct_window(s, t, &s->rank[t], &low);
        s->lowv[t] = low;
    }
}

/* Earliest bar holding the lowest low (sign 1) or highest high (sign -1) of bars lo..hi. */
static size_t extreme_bar(const eb_bar_t *b, size_t lo, size_t hi, int sign)
{
    size_t best = lo;
    for (size_t i = lo + 1; i <= hi; i++)
        if (sign > 0 ? b[i].low < b[best].low : b[i].high > b[best].high)
            best = i;
    return best;
}

typedef struct {
    double body_ratio, upper, lower;
    int hammer, hanging, eng_bull, eng_bear, piercing;
} candle_t;

static candle_t candle(const series_t *s, size_t t)
{
    const eb_bar_t *x = &s->b[t], *y = &s->b[t > 0 ? t - 1 : 0];
    double r = x->high - x->low;
    candle_t k;
    k.body_ratio = div0(fabs(x->close - x->open), r);
    k.upper = div0(x->high - fmax(x->open, x->close), r);
    k.lower = div0(fmin(x->open, x->close) - x->low, r);
    int down = t >= 5 && s->ma20[t] < s->ma20[t - 5], up = t >= 5 && s->ma20[t] > s->ma20[t - 5];
    k.hammer = k.lower > 0.7 && k.body_ratio < 0.3 && down;
    k.hanging = k.upper > 0.7 && k.body_ratio < 0.3 && up;
    int prev_red = t > 0 && y->close < y->open, prev_green = t > 0 && y->close > y->open;
    int green = x->close > x->open, red = x->close < x->open;
    k.eng_bull = prev_red && green && x->open <= y->close && x->close >= y->open &&
                 (x->open != y->close || x->close != y->open);
    k.eng_bear = prev_green && red && x->open >= y->close && x->close <= y->open &&
                 (x->open != y->close || x->close != y->open);
    k.piercing = prev_red && green && x->open < y->close && x->close > (y->open + y->close) / 2 && x->close < y->open;
    return k;
}

static int three(const series_t *s, size_t t, int dir)
{
    if (t < 3)
        return 0;
    for (size_t i = t - 2; i <= t; i++) {
        const eb_bar_t *x = &s->b[i];
        if (!(dir * (x->close - x->open) > 0 && candle(s, i).body_ratio > 0.5 && dir * (x->close - s->b[i - 1].close) > 0))
            return 0;
    }
    return 1;
}

static int window_rsi_ok(const series_t *s, size_t t)
{
    for (size_t i = t - 19; i <= t; i++)
        if (isnan(s->rsi[i]))
            return 0;
    return 1;
}

/* Row t (t >= 25); returns 1 when every feature is defined there. */
static int row(const series_t *s, size_t t, double *o)
{
    const eb_bar_t *x = &s->b[t];
    const eb_feature_params_t *p = s->p;
    double C = x->close, O = x->open, A = s->ca[t], B = s->cb[t], atr = s->atr[t], rsi = s->rsi[t];
    int ok = t >= 24 && !isnan(A) && t >= 1 && !isnan(s->ca[t - 1]) && !isnan(s->cb[t - 1]) && !isnan(s->kj[t - 1]);
    int above = C > fmax(A, B), below = C < fmin(A, B), inside = !above && !below;
    o[0] = above, o[1] = below, o[2] = inside, o[3] = A > B, o[4] = (A - B) / C;
    o[5] = (s->tk[t - 1] <= s->kj[t - 1] && s->tk[t] > s->kj[t]) ? 1 : (s->tk[t - 1] >= s->kj[t - 1] && s->tk[t] < s->kj[t]) ? -1 : 0;
    o[6] = C > s->kj[t] + 0.1 * atr ? 1 : C < s->kj[t] - 0.1 * atr ? -1 : 0;
    size_t d = (size_t)p->displacement;
    ok &= t >= d;
    o[7] = t < d ? 0 : C > s->b[t - d].high ? 1 : C < s->b[t - d].low ? -1 : 0;
    o[8] = above ? div0(C - fmax(A, B), atr) : below ? div0(C - fmin(A, B), atr) : 0;
    o[9] = div0(C - s->kj[t], atr);
    o[10] = sgn(A - B) != sgn(s->ca[t - 1] - s->cb[t - 1]);
    /* RSI group */
    ok &= t >= 19 && window_rsi_ok(s, t);
    o[11] = rsi > 70, o[12] = rsi < 30;
    int bull = 0, bear = 0;
    if (t >= 19) {
        size_t ln = extreme_bar(s->b, t - 9, t, 1), lo = extreme_bar(s->b, t - 19, t - 10, 1);
        size_t hn = extreme_bar(s->b, t - 9, t, -1), ho = extreme_bar(s->b, t - 19, t - 10, -1);
        bull = s->b[ln].low < s->b[lo].low && s->rsi[ln] > s->rsi[lo];
        bear = s->b[hn].high > s->b[ho].high && s->rsi[hn] < s->rsi[ho];
    }
    o[13] = bull, o[14] = bear;
    o[15] = t >= 3 ? (rsi - s->rsi[t - 3]) / 3 : NAN;
    o[16] = eb_naive_std(s->rsi, t, 14);
    double r1 = t >= 1 ? s->rsi[t - 1] : NAN, r2 = t >= 2 ? s->rsi[t - 2] : NAN;
    double mn = fmin(r1, rsi), mx = fmax(r1, rsi);
    o[17] = (r2 > 55 && mn >= 50 && mn <= 55 && rsi > r1) ? 1 : (r2 < 45 && mx >= 45 && mx <= 50 && rsi < r1) ? -1 : 0;
    o[18] = rsi > 60 ? 1 : rsi < 40 ? -1 : 0;
    int run = 0;
    for (size_t i = t + 1; i-- > 0 && (s->rsi[i] > 70 || s->rsi[i] < 30);)
        run++;
    o[19] = run;
    /* ATR group */
    double rank = s->rank[t];
    int low = s->lowv[t] != 0, any_low = 0;
    for (size_t i = t - 4; i <= t; i++) {
        ok &= s->pok[i] != 0;
        any_low |= s->lowv[i] != 0;
    }
    double mx252 = -INFINITY;
    for (size_t i = t + 1 - (t + 1 >= 252 ? 252 : t + 1); i <= t; i++)
        mx252 = fmax(mx252, s->atr[i]);
    o[20] = s->atr_pct[t], o[21] = div0(atr, mx252), o[22] = div0(x->high - x->low, atr);
    o[23] = eb_naive_corr(s->atr, s->v, t, 10);
    o[24] = div0(s->atr5[t], s->atr20[t]);
    o[25] = rank < 1.0 / 3 ? 0 : rank > 2.0 / 3 ? 2 : 1;
    double m20 = eb_naive_mean(s->atr, t, 20);
    o[26] = atr > m20 + 2 * eb_naive_std(s->atr, t, 20);
    o[27] = low;
    o[28] = eb_naive_mean(s->atr, t, 5) > m20;
    ok &= !isnan(m20) && !isnan(o[23]);
    /* Candles */
    candle_t k = candle(s, t);
    o[29] = k.body_ratio, o[30] = k.upper, o[31] = k.lower, o[32] = k.hammer, o[33] = k.hanging;
    o[34] = k.eng_bull, o[35] = k.piercing, o[36] = div0(C - s->ma20[t], atr);
    o[37] = x->volume > 2.5 * eb_naive_mean(s->v, t, 20);
    int greens = 0;
    for (size_t i = t >= 4 ? t - 4 : 0; i <= t; i++)
        greens += s->b[i].close > s->b[i].open;
    o[38] = greens / 5.0;
    int growth = 0;
    for (size_t i = t; i >= 1 && s->body[i] > s->body[i - 1]; i--)
        growth++;
    o[39] = growth;
    int reversal = k.hammer || k.hanging || k.eng_bull || k.piercing || k.eng_bear;
    o[40] = o[37] && reversal;
    o[41] = k.body_ratio >= 0.95 ? (C > O ? 1 : C < O ? -1 : 0) : 0;
    o[42] = k.body_ratio < 0.05, o[43] = k.upper - k.lower;
    o[44] = three(s, t, 1), o[45] = three(s, t, -1);
    /* Combined */
    o[46] = above && rsi < 50, o[47] = below && rsi > 50;
    o[48] = atr > m20 && (rsi > 70 || rsi < 30);
    o[49] = div0(o[4], s->atr_pct[t]), o[50] = div0(fabs(C - O), atr), o[51] = k.hammer && rsi < 30;
    o[52] = !inside && k.body_ratio > 0.7 && x->volume > eb_naive_mean(s->v, t, 5);
    o[53] = eb_naive_corr(s->dc, s->drsi, t, 10);
    o[54] = (above && A > B && rsi > 50) ? 1 : (below && !(A > B) && rsi < 50) ? -1 : 0;
    double bm = eb_naive_mean(s->c, t, 20), bs = eb_naive_std(s->c, t, 20);
    o[55] = any_low && C > bm + 2 * bs ? 1 : any_low && C < bm - 2 * bs ? -1 : 0;
    o[56] = inside && (bull || bear);
    o[57] = fabs(o[9]) < 0.2 && reversal;
    return ok && !isnan(o[53]);
}

int eb_naive_features(const eb_bar_t *bars, size_t n, const eb_feature_params_t *p, double *out, int *ready)
{
    enum { K = 20 };
    double *mem = malloc((n ? n : 1) * K * sizeof(double));
    if (!mem)
        return -1;
    series_t s;
    memset(&s, 0, sizeof s);
    s.b = bars;
    s.p = p;
    s.n = n;
    double **cols[K] = {&s.c, &s.v, &s.h, &s.l, &s.atr, &s.atr5, &s.atr20, &s.rsi, &s.atr_pct, &s.ma20,
                        &s.tk, &s.kj, &s.ca, &s.cb, &s.dc, &s.drsi, &s.body, &s.rank, &s.lowv, &s.pok};
    for (size_t i = 0; i < K; i++)
        *cols[i] = mem + i * n;
    fill_series(&s);
    for (size_t t = 0; t < n; t++) {
        double *o = out + t * NF;
        if (t < 25) {
            for (int j = 0; j < NF; j++)
                o[j] = NAN;
            ready[t] = 0;
        } else {
            ready[t] = row(&s, t, o);
        }
    }
    free(mem);
    return 0;
}
