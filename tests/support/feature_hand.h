/* A feature engine driven bar by bar for hand-computed tests (tests/unit/test_features_hand*.c): short
 * periods, a long prefix of identical bars whose indicator values are known exactly (ATR, RSI averages,
 * the cloud), then crafted bars; checks read the features of the last bar fed. */
#ifndef EB_TESTS_FEATURE_HAND_H
#define EB_TESTS_FEATURE_HAND_H

#include "core/features.h"
#include "tests/support/check.h"

#include <stdint.h>

/* More than the warm-up of the shortest periods (263 bars: atr 7 + 251 + 4, plus one) and of the defaults
 * (270), and more than 252 ATR values so the percentile windows hold only prefix values at its end. */
#define EB_HAND_PREFIX 300

typedef struct {
    void *mem;
    eb_features_t *f;
    int64_t time;
    int ready; /* what eb_features_step returned for the last bar */
    double out[EB_FEATURE_COUNT];
} eb_hand_t;

/* tenkan 8, kijun 24, senkou B 48, rsi 7, atr 7 (the shortest allowed), this displacement. */
eb_feature_params_t eb_hand_params(int displacement);
void eb_hand_start(eb_hand_t *e, const eb_feature_params_t *p);
void eb_hand_end(eb_hand_t *e);
/* Feeds one bar, 300000 ms after the previous one; returns (and keeps in e->ready) eb_features_step's status. */
int eb_hand_bar(eb_hand_t *e, double o, double h, double l, double c, double v);
/* n identical bars. */
void eb_hand_repeat(eb_hand_t *e, int n, double o, double h, double l, double c, double v);
/* A zero-range bar O = H = L = C = c. */
int eb_hand_level(eb_hand_t *e, double c, double v);

/* Reference formulas for checks over hand-listed values: population std, Pearson correlation (0 when a
 * series has no spread). */
double eb_hand_pstd(const double *x, int n);
double eb_hand_pearson(const double *x, const double *y, int n);

/* Exact comparison (booleans, signs, counts, values exact in binary) and 1e-9 relative. */
#define HAND_IS(e, id, want)                                                                              \
    CHECK_MSG((e)->ready == 1 && (e)->out[EB_F_##id] == (double)(want), "%s == %s: %.17g (ready %d)", #id, \
              #want, (e)->out[EB_F_##id], (e)->ready)
#define HAND_NEAR(e, id, want)                                                                            \
    do {                                                                                                  \
        double h_want_ = (double)(want), h_got_ = (e)->out[EB_F_##id];                                    \
        CHECK_MSG((e)->ready == 1 && fabs(h_got_ - h_want_) <= 1e-9 * fmax(1.0, fabs(h_want_)),          \
                  "%s ~ %s: %.17g vs %.17g (ready %d)", #id, #want, h_got_, h_want_, (e)->ready);         \
    } while (0)

#endif
