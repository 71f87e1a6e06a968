/* A naive reference for the feature engine: every indicator and feature recomputed from its SPEC
 * definition over its whole window, bar by bar, with no state carried between bars except the Wilder
 * recursions (which SPEC defines recursively). Slow on purpose and written apart from firmware/core, so
 * tests can compare the streaming engine with it, and the bench can time what a polling bot does. */
#ifndef EB_TESTS_NAIVE_FEATURES_H
#define EB_TESTS_NAIVE_FEATURES_H

#include "core/bar.h"
#include "core/features.h"

#include <stddef.h>

/* Fills out[i*EB_FEATURE_COUNT + j] with feature j at bar i and ready[i] with 1 when every feature is
 * defined at bar i. Returns 0, or -1 when out of memory. */
int eb_naive_features(const eb_bar_t *bars, size_t n, const eb_feature_params_t *p, double *out, int *ready);

/* Whole-series indicators by their definitions (NaN where undefined). */
void eb_naive_sma(const double *x, size_t n, int w, double *out);
void eb_naive_ema(const double *x, size_t n, int w, double *out);
void eb_naive_rsi(const double *close, size_t n, int w, double *out);
void eb_naive_atr(const eb_bar_t *b, size_t n, int w, double *out);
/* Population std of x[t-w+1..t] (two passes; exactly 0 when all values are equal), NaN if t+1 < w. */
double eb_naive_std(const double *x, size_t t, int w);
double eb_naive_mean(const double *x, size_t t, int w);
double eb_naive_corr(const double *x, const double *y, size_t t, int w);

#endif
