/* The feature engine: one bar in, 58 features out (SPEC section 4), O(1) amortised per bar except the
 * 252-bar percentile window (a sorted array: short walks and one shift per push). All state is carved at
 * init from the caller's block. Definitions and boundary conventions: docs/features.md. */
#include "core/features.h"

#include "core/ind_atr.h"
#include "core/ind_common.h"
#include "core/ind_correlation.h"
#include "core/ind_ichimoku.h"
#include "core/ind_minmax.h"
#include "core/ind_percentile.h"
#include "core/ind_rolling_stats.h"
#include "core/ind_rsi.h"

#include <math.h>
#include <stdint.h>

#define HIST 32 /* power-of-two ring of per-bar history (>= 20 bars back for the RSI divergences) */
#define HMASK (HIST - 1)

/* What one bar leaves behind for later bars. */
typedef struct {
    double open, high, low, close, body, body_ratio, rsi, ma20;
} past_t;

struct eb_features {
    eb_feature_params_t p;
    int64_t t;         /* index of the next bar */
    int64_t last_time; /* open_time_ms of the last accepted bar */
    int64_t ready_at;  /* 0-based index of the first ready bar */
    int64_t low_vol_at;
    int dmask;         /* chikou ring mask (power of two > displacement) */
    double atr, atr_mean, rsi, close;
    double prev_tenkan, prev_kijun, prev_cloud_sign, prev_rsi;
    int extreme_run, body_growth_run;
    eb_atr_t atr_n, atr5, atr20;
    eb_rsi_t rsi_n;
    eb_ichimoku_t *ich;
    eb_rstats_t *close20, *vol20, *vol5, *atr_s20, *atr_s5, *rsi_s14, *atr_s252;
    eb_minmax_t *atr_max, *low10, *high10;
    eb_pctl_t *atr_pct_win;
    eb_corr_t *atr_vol, *drsi_dc;
    int64_t low_idx[HIST], high_idx[HIST]; /* argmin low / argmax high over the 10 bars ending at t */
    double *chikou_h, *chikou_l;
    past_t past[HIST];
};

/* Hands out consecutive 8-byte aligned pieces of a block (or only counts them when base is NULL). */
typedef struct {
    char *base;
    size_t used;
} carve_t;

static void *carve(carve_t *c, size_t n)
{
    void *r = c->base ? c->base + c->used : NULL;
    c->used += eb_ind_align8(n);
    return r;
}

static int chikou_mask(int d)
{
    int m = 1;
    while (m <= d)
        m <<= 1;
    return m - 1;
}

static eb_ichimoku_params_t ich_params(const eb_feature_params_t *p)
{
    eb_ichimoku_params_t q = {p->tenkan, p->kijun, p->senkou_b, p->displacement};
    return q;
}

/* Lays out (or sizes, when f is NULL) everything after the header. */
static size_t layout(eb_features_t *f, char *base, const eb_feature_params_t *p)
{
    carve_t c = {base, 0};
    eb_ichimoku_params_t ip = ich_params(p);
    size_t ring = (size_t)(chikou_mask(p->displacement) + 1) * sizeof(double);
    void *ich = carve(&c, eb_ichimoku_size(&ip));
    void *m[7], *mm[3], *pc, *co[2], *ch[2];
    static const int stat_n[7] = {20, 20, 5, 20, 5, 14, EB_FEATURES_ATR_HISTORY};
    static const int mm_n[3] = {EB_FEATURES_ATR_HISTORY, 10, 10};
    for (int i = 0; i < 7; i++)
        m[i] = carve(&c, eb_rstats_size(stat_n[i]));
    for (int i = 0; i < 3; i++)
        mm[i] = carve(&c, eb_minmax_size(mm_n[i]));
    pc = carve(&c, eb_pctl_size(EB_FEATURES_ATR_HISTORY));
    co[0] = carve(&c, eb_corr_size(10));
    co[1] = carve(&c, eb_corr_size(10));
    ch[0] = carve(&c, ring);
    ch[1] = carve(&c, ring);
    if (!f)
        return c.used;
    f->ich = eb_ichimoku_init(ich, &ip);
    eb_rstats_t **st[7] = {&f->close20, &f->vol20, &f->vol5, &f->atr_s20, &f->atr_s5, &f->rsi_s14, &f->atr_s252};
    for (int i = 0; i < 7; i++)
        *st[i] = eb_rstats_init(m[i], stat_n[i]);
    f->atr_max = eb_minmax_init(mm[0], mm_n[0], EB_MINMAX_MAX);
    f->low10 = eb_minmax_init(mm[1], mm_n[1], EB_MINMAX_MIN);
    f->high10 = eb_minmax_init(mm[2], mm_n[2], EB_MINMAX_MAX);
    f->atr_pct_win = eb_pctl_init(pc, EB_FEATURES_ATR_HISTORY);
    f->atr_vol = eb_corr_init(co[0], 10);
    f->drsi_dc = eb_corr_init(co[1], 10);
    f->chikou_h = ch[0];
    f->chikou_l = ch[1];
    for (int i = 0; i <= f->dmask; i++)
        f->chikou_h[i] = f->chikou_l[i] = NAN;
    return c.used;
}

size_t eb_features_state_size(const eb_feature_params_t *p)
{
    if (!p || eb_feature_params_validate(p, NULL) != 0)
        return 0;
    /* + 7: room to align an arbitrary caller pointer up to 8 bytes. */
    return 7 + eb_ind_align8(sizeof(eb_features_t)) + layout(NULL, NULL, p);
}

eb_features_t *eb_features_init(void *mem, size_t size, const eb_feature_params_t *p)
{
    size_t need = eb_features_state_size(p);
    if (!mem || need == 0 || size < need)
        return NULL;
    eb_features_t *f = (eb_features_t *)(void *)(((uintptr_t)mem + 7u) & ~(uintptr_t)7u);
    f->p = *p;
    f->t = 0;
    f->last_time = INT64_MIN;
    f->ready_at = eb_features_warmup_bars(p) - 1;
    f->low_vol_at = INT64_MIN / 2;
    f->dmask = chikou_mask(p->displacement);
    f->atr = f->atr_mean = f->rsi = f->close = NAN;
    f->prev_tenkan = f->prev_kijun = f->prev_cloud_sign = f->prev_rsi = NAN;
    f->extreme_run = f->body_growth_run = 0;
    eb_atr_init(&f->atr_n, p->atr);
    eb_atr_init(&f->atr5, 5);
    eb_atr_init(&f->atr20, 20);
    eb_rsi_init(&f->rsi_n, p->rsi);
    for (int i = 0; i < HIST; i++) {
        f->past[i] = (past_t){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
        f->low_idx[i] = f->high_idx[i] = 0;
    }
    layout(f, (char *)f + eb_ind_align8(sizeof(eb_features_t)), p);
    return f;
}

double eb_features_atr(const eb_features_t *f) { return f->atr; }
double eb_features_atr_mean(const eb_features_t *f) { return f->atr_mean; }
double eb_features_rsi(const eb_features_t *f) { return f->rsi; }
double eb_features_close(const eb_features_t *f) { return f->close; }
long eb_features_bars(const eb_features_t *f) { return (long)f->t; }

/* Everything the feature groups share about bar t. */
typedef struct {
    double o, h, l, c, v, r, body, body_ratio, upper, lower;
    double atr, rsi, atr_pct, atr_rank, ma20; /* atr_rank: of atr_pct in its 252-bar window */
    eb_ichimoku_value_t ich;
    int above, below, inside, green_cloud, hammer, hanging, engulf_bull, engulf_bear, piercing, spike;
    int bull_div, bear_div, low_vol;
    double dist_kijun;
} ctx_t;

static double ratio(double a, double b) { return b != 0 ? a / b : 0; }
static double sgn(double x) { return (double)((x > 0) - (x < 0)); }
static const past_t *back(const eb_features_t *f, int k) { return &f->past[(f->t - k) & HMASK]; }

static void ichimoku_features(eb_features_t *f, ctx_t *x, double *out)
{
    double a = x->ich.senkou_a, b = x->ich.senkou_b, top = a > b ? a : b, bot = a < b ? a : b;
    x->above = x->c > top;
    x->below = x->c < bot;
    x->inside = !x->above && !x->below;
    x->green_cloud = a > b;
    x->dist_kijun = ratio(x->c - x->ich.kijun, x->atr);
    out[EB_F_PRICE_ABOVE_CLOUD] = x->above;
    out[EB_F_PRICE_BELOW_CLOUD] = x->below;
    out[EB_F_PRICE_INSIDE_CLOUD] = x->inside;
    out[EB_F_CLOUD_GREEN] = x->green_cloud;
    out[EB_F_CLOUD_THICKNESS] = ratio(a - b, x->c);
    double tk = x->ich.tenkan, kj = x->ich.kijun;
    out[EB_F_TENKAN_KIJUN_CROSS] = (f->prev_tenkan <= f->prev_kijun && tk > kj) ? 1
                                   : (f->prev_tenkan >= f->prev_kijun && tk < kj) ? -1 : 0;
    double band = 0.1 * x->atr;
    out[EB_F_PRICE_VS_KIJUN] = x->c > kj + band ? 1 : x->c < kj - band ? -1 : 0;
    int64_t d = (f->t - f->p.displacement) & f->dmask;
    out[EB_F_CHIKOU_POSITION] = x->c > f->chikou_h[d] ? 1 : x->c < f->chikou_l[d] ? -1 : 0;
    out[EB_F_DIST_PRICE_TO_CLOUD] = x->above ? ratio(x->c - top, x->atr) : x->below ? ratio(x->c - bot, x->atr) : 0;
    out[EB_F_DIST_PRICE_TO_KIJUN] = x->dist_kijun;
    double s = sgn(a - b);
    out[EB_F_KUMO_TWIST] = s != f->prev_cloud_sign;
    f->prev_cloud_sign = s;
    f->prev_tenkan = tk;
    f->prev_kijun = kj;
}

/* The lowest low (highest high) of bars t-9..t against that of t-19..t-10, with the RSI at each. */
static void divergences(eb_features_t *f, ctx_t *x)
{
    int64_t t = f->t;
    f->low_idx[t & HMASK] = eb_minmax_index(f->low10);
    f->high_idx[t & HMASK] = eb_minmax_index(f->high10);
    int64_t ln = f->low_idx[t & HMASK], lo = f->low_idx[(t - 10) & HMASK];
    int64_t hn = f->high_idx[t & HMASK], ho = f->high_idx[(t - 10) & HMASK];
    const past_t *pln = &f->past[ln & HMASK], *plo = &f->past[lo & HMASK];
    const past_t *phn = &f->past[hn & HMASK], *pho = &f->past[ho & HMASK];
    x->bull_div = t >= 19 && pln->low < plo->low && pln->rsi > plo->rsi;
    x->bear_div = t >= 19 && phn->high > pho->high && phn->rsi < pho->rsi;
}

static void rsi_features(eb_features_t *f, ctx_t *x, double *out)
{
    double r = x->rsi, r1 = back(f, 1)->rsi, r2 = back(f, 2)->rsi, r3 = back(f, 3)->rsi;
    divergences(f, x);
    out[EB_F_RSI_OVERBOUGHT] = r > 70;
    out[EB_F_RSI_OVERSOLD] = r < 30;
    out[EB_F_RSI_BULLISH_DIV] = x->bull_div;
    out[EB_F_RSI_BEARISH_DIV] = x->bear_div;
    out[EB_F_RSI_SLOPE] = (r - r3) / 3;
    out[EB_F_RSI_STD] = eb_rstats_std(f->rsi_s14);
    double lo = r1 < r ? r1 : r, hi = r1 > r ? r1 : r;
    out[EB_F_RSI_MIDLINE_REJECTION] = (r2 > 55 && lo >= 50 && lo <= 55 && r > r1)   ? 1
                                      : (r2 < 45 && hi >= 45 && hi <= 50 && r < r1) ? -1 : 0;
    out[EB_F_RSI_IN_MOMENTUM_ZONE] = r > 60 ? 1 : r < 40 ? -1 : 0;
    f->extreme_run = (r > 70 || r < 30) ? f->extreme_run + 1 : 0;
    out[EB_F_TIME_IN_EXTREME_ZONE] = f->extreme_run;
}

static void atr_features(eb_features_t *f, ctx_t *x, double *out, double atr5, double atr20, double atr_vol)
{
    double q10 = eb_pctl_quantile(f->atr_pct_win, 0.1), rank = x->atr_rank;
    double m20 = eb_rstats_mean(f->atr_s20);
    /* Only a full 252-bar window counts, so warm-up bars never leak into volatility_squeeze_breakout. */
    x->low_vol = eb_pctl_count(f->atr_pct_win) == EB_FEATURES_ATR_HISTORY && x->atr_pct < q10;
    if (x->low_vol)
        f->low_vol_at = f->t;
    out[EB_F_ATR_PCT] = x->atr_pct;
    out[EB_F_ATR_EXPANDING] = ratio(x->atr, eb_minmax_value(f->atr_max));
    out[EB_F_PRICE_ATR_RATIO] = ratio(x->r, x->atr);
    out[EB_F_ATR_VOLUME] = atr_vol;
    out[EB_F_COMPRESSION_RATIO] = ratio(atr5, atr20);
    out[EB_F_ATR_REGIME] = rank < 1.0 / 3 ? 0 : rank > 2.0 / 3 ? 2 : 1;
    out[EB_F_ATR_BREAKOUT] = x->atr > m20 + 2 * eb_rstats_std(f->atr_s20);
    out[EB_F_IS_LOW_VOLATILITY] = x->low_vol;
    out[EB_F_ATR_TREND] = eb_rstats_mean(f->atr_s5) > m20;
}

static void candle_shapes(eb_features_t *f, ctx_t *x)
{
    const past_t *p1 = back(f, 1);
    int down = x->ma20 < back(f, 5)->ma20, up = x->ma20 > back(f, 5)->ma20;
    int green = x->c > x->o, red = x->c < x->o, p_green = p1->close > p1->open, p_red = p1->close < p1->open;
    x->hammer = x->lower > 0.7 && x->body_ratio < 0.3 && down;
    x->hanging = x->upper > 0.7 && x->body_ratio < 0.3 && up;
    x->engulf_bull = p_red && green && x->o <= p1->close && x->c >= p1->open && (x->o < p1->close || x->c > p1->open);
    x->engulf_bear = p_green && red && x->o >= p1->close && x->c <= p1->open && (x->o > p1->close || x->c < p1->open);
    x->piercing = p_red && green && x->o < p1->close && (p1->open + p1->close) / 2 < x->c && x->c < p1->open;
    x->spike = x->v > 2.5 * eb_rstats_mean(f->vol20);
}

/* Three bars ending at t (already in the history), each of colour `dir` with body_size_ratio > 0.5, each close beyond the one before. */
static int three_in_a_row(const eb_features_t *f, double dir)
{
    for (int k = 2; k >= 0; k--) {
        const past_t *b = back(f, k), *before = back(f, k + 1);
        if (!(dir * (b->close - b->open) > 0 && b->body_ratio > 0.5 && dir * (b->close - before->close) > 0))
            return 0;
    }
    return 1;
}

static void candle_features(eb_features_t *f, ctx_t *x, double *out)
{
    candle_shapes(f, x);
    int green = x->c > x->o, red = x->c < x->o;
    out[EB_F_BODY_SIZE_RATIO] = x->body_ratio;
    out[EB_F_UPPER_SHADOW_RATIO] = x->upper;
    out[EB_F_LOWER_SHADOW_RATIO] = x->lower;
    out[EB_F_HAMMER] = x->hammer;
    out[EB_F_HANGING_MAN] = x->hanging;
    out[EB_F_ENGULFING_BULLISH] = x->engulf_bull;
    out[EB_F_PIERCING_PATTERN] = x->piercing;
    out[EB_F_DISTANCE_TO_MA] = ratio(x->c - x->ma20, x->atr);
    out[EB_F_VOLUME_SPIKE] = x->spike;
    int greens = green;
    for (int k = 1; k < 5; k++)
        greens += back(f, k)->close > back(f, k)->open;
    out[EB_F_UP_TREND_STRENGTH] = greens / 5.0;
    f->body_growth_run = (f->t > 0 && x->body > back(f, 1)->body) ? f->body_growth_run + 1 : 0;
    out[EB_F_CONSECUTIVE_BODY_GROWTH] = f->body_growth_run;
    int reversal = x->hammer || x->hanging || x->engulf_bull || x->piercing || x->engulf_bear;
    out[EB_F_HIGH_VOLUME_REVERSAL] = x->spike && reversal;
    out[EB_F_MARUBOZU] = x->body_ratio >= 0.95 ? (green ? 1 : red ? -1 : 0) : 0;
    out[EB_F_DOJI] = x->body_ratio < 0.05;
    out[EB_F_WICK_DOMINANCE] = x->upper - x->lower;
    out[EB_F_THREE_WHITE_SOLDIERS] = f->t >= 3 && three_in_a_row(f, 1);
    out[EB_F_THREE_BLACK_CROWS] = f->t >= 3 && three_in_a_row(f, -1);
}

static void combined_features(eb_features_t *f, ctx_t *x, double *out, double drsi_corr)
{
    double r = x->rsi;
    int reversal = x->hammer || x->hanging || x->engulf_bull || x->piercing || x->engulf_bear;
    out[EB_F_KUMO_SUPPORT_RSI] = x->above && r < 50;
    out[EB_F_KUMO_RESISTANCE_RSI] = x->below && r > 50;
    out[EB_F_ATR_HIGH_RSI_EXTREME] = x->atr > eb_rstats_mean(f->atr_s20) && (r > 70 || r < 30);
    out[EB_F_KUMO_THICKNESS_ATR] = ratio(out[EB_F_CLOUD_THICKNESS], x->atr_pct);
    out[EB_F_ATR_BODY_RATIO] = ratio(x->body, x->atr);
    out[EB_F_OVERSOLD_HAMMER] = x->hammer && r < 30;
    out[EB_F_KUMO_BREAKOUT_CANDLE] = !x->inside && x->body_ratio > 0.7 && x->v > eb_rstats_mean(f->vol5);
    out[EB_F_RSI_PRICE_DIVERGENCE] = drsi_corr;
    out[EB_F_TREND_CONFIRMATION] = (x->above && x->green_cloud && r > 50)    ? 1
                                   : (x->below && !x->green_cloud && r < 50) ? -1 : 0;
    /* Bollinger(20, 2) on the same 20 closes as MA20. */
    double m = eb_rstats_mean(f->close20), sd = eb_rstats_std(f->close20);
    double upper = m + 2 * sd, lower = m - 2 * sd;
    int squeeze = f->t - f->low_vol_at <= 4;
    out[EB_F_VOLATILITY_SQUEEZE_BREAKOUT] = squeeze && x->c > upper ? 1 : squeeze && x->c < lower ? -1 : 0;
    out[EB_F_DIVERGENCE_IN_CLOUD] = x->inside && (x->bull_div || x->bear_div);
    out[EB_F_REVERSAL_AT_KIJUN] = fabs(x->dist_kijun) < 0.2 && reversal;
}

/* Pushes bar t into every indicator; fills the per-bar context. */
static void update_indicators(eb_features_t *f, const eb_bar_t *b, ctx_t *x, double *atr5, double *atr20,
                              double *atr_vol, double *drsi_corr)
{
    double tr = eb_true_range(b->high, b->low, f->close);
    x->atr = eb_atr_step_tr(&f->atr_n, tr);
    *atr5 = eb_atr_step_tr(&f->atr5, tr);
    *atr20 = eb_atr_step_tr(&f->atr20, tr);
    x->rsi = eb_rsi_step(&f->rsi_n, b->close);
    x->ich = eb_ichimoku_step(f->ich, b->high, b->low);
    eb_rstats_push(f->close20, b->close);
    eb_rstats_push(f->vol20, b->volume);
    eb_rstats_push(f->vol5, b->volume);
    eb_minmax_step(f->low10, b->low);
    eb_minmax_step(f->high10, b->high);
    x->ma20 = eb_rstats_mean(f->close20);
    x->atr_pct = x->atr / b->close * 100;
    *atr_vol = *drsi_corr = NAN;
    if (isnan(x->atr)) {
        x->atr_rank = eb_pctl_rank(f->atr_pct_win, x->atr_pct);
    } else {
        eb_rstats_push(f->atr_s20, x->atr);
        eb_rstats_push(f->atr_s5, x->atr);
        eb_rstats_push(f->atr_s252, x->atr);
        eb_minmax_step(f->atr_max, x->atr);
        x->atr_rank = eb_pctl_push_rank(f->atr_pct_win, x->atr_pct);
        *atr_vol = eb_corr_step(f->atr_vol, x->atr, b->volume);
    }
    if (!isnan(x->rsi))
        eb_rstats_push(f->rsi_s14, x->rsi);
    if (!isnan(x->rsi) && !isnan(f->prev_rsi))
        *drsi_corr = eb_corr_step(f->drsi_dc, b->close - f->close, x->rsi - f->prev_rsi);
    f->chikou_h[f->t & f->dmask] = b->high;
    f->chikou_l[f->t & f->dmask] = b->low;
}

static void candle_shape(const eb_bar_t *b, ctx_t *x)
{
    x->o = b->open;
    x->h = b->high;
    x->l = b->low;
    x->c = b->close;
    x->v = b->volume;
    x->r = b->high - b->low;
    x->body = fabs(b->close - b->open);
    x->body_ratio = ratio(x->body, x->r);
    x->upper = ratio(b->high - (b->open > b->close ? b->open : b->close), x->r);
    x->lower = ratio((b->open < b->close ? b->open : b->close) - b->low, x->r);
}

int eb_features_step(eb_features_t *f, const eb_bar_t *b, double out[EB_FEATURE_COUNT])
{
    if (eb_bar_check(b) != EB_BAR_OK || b->open_time_ms <= f->last_time)
        return -1;
    ctx_t x;
    double atr5, atr20, atr_vol, drsi_corr;
    candle_shape(b, &x);
    update_indicators(f, b, &x, &atr5, &atr20, &atr_vol, &drsi_corr);
    past_t *now = &f->past[f->t & HMASK];
    *now = (past_t){x.o, x.h, x.l, x.c, x.body, x.body_ratio, x.rsi, x.ma20};
    ichimoku_features(f, &x, out);
    rsi_features(f, &x, out);
    atr_features(f, &x, out, atr5, atr20, atr_vol);
    candle_features(f, &x, out);
    combined_features(f, &x, out, drsi_corr);
    f->atr = x.atr;
    f->atr_mean = eb_rstats_mean(f->atr_s252);
    f->rsi = x.rsi;
    f->prev_rsi = x.rsi;
    f->close = b->close;
    f->last_time = b->open_time_ms;
    return f->t++ >= f->ready_at;
}
