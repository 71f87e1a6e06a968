/* A seeded xorshift64* stream for the random-sequence tests: fixed, so a failure names a sequence that
 * reproduces. One stream per test binary; each test seeds it first. */
#ifndef EB_TEST_PRNG_H
#define EB_TEST_PRNG_H

#include <stdint.h>

void eb_prng_seed(uint64_t seed); /* seed != 0 */
uint64_t eb_prng_next(void);
int eb_prng_below(int n); /* 0..n-1, n >= 1 */

#endif
