#include "tests/support/prng.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;

void eb_prng_seed(uint64_t seed) { state = seed ? seed : 0x9e3779b97f4a7c15ull; }

uint64_t eb_prng_next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

int eb_prng_below(int n) { return (int)(eb_prng_next() % (uint64_t)n); }
