/* Bars for tests and benches: a whole CSV file through the one reader (app/bars_csv), or synthetic. */
#ifndef EB_TESTS_BARS_LOAD_H
#define EB_TESTS_BARS_LOAD_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

/* malloc'ed array of the file's bars (free it), or NULL with the reader's message on stderr. */
eb_bar_t *eb_test_load_bars(const char *path, size_t *n);
/* malloc'ed n synthetic bars (core/synth) with this seed and gap probability. */
eb_bar_t *eb_test_synth_bars(size_t n, uint64_t seed, double gap_prob);

#endif
