/* Synthetic hourly bars for the validation tests and benches (training needs moves larger than costs). */
#ifndef EB_TESTS_SYNTH_HOURLY_H
#define EB_TESTS_SYNTH_HOURLY_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

/* malloc'ed n gapless 1h bars from 2021-01-01T00:00Z (core/synth) with this seed and per-bar volatility. */
eb_bar_t *eb_test_synth_hourly(size_t n, uint64_t seed, double vol);

#endif
