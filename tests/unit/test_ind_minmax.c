/* Rolling highest/lowest (monotonic deque): by hand, ties, and against a direct scan. */
#include "core/ind_minmax.h"
#include "tests/support/check.h"

#include <stdlib.h>

TEST(max_by_hand_with_ties)
{
    void *mem = malloc(eb_minmax_size(3));
    eb_minmax_t *m = eb_minmax_init(mem, 3, EB_MINMAX_MAX);
    double x[6] = {1, 3, 2, 2, 1, 0}, want[6] = {NAN, NAN, 3, 3, 2, 2};
    int64_t at[6] = {-1, -1, 1, 1, 2, 3}; /* ties: the earliest bar holds the extreme */
    for (int i = 0; i < 6; i++) {
        CHECK_NEAR(eb_minmax_step(m, x[i]), want[i], 0);
        CHECK_EQ_INT(eb_minmax_index(m), at[i]);
    }
    CHECK(eb_minmax_init(mem, 3, (eb_minmax_kind_t)0) == NULL && eb_minmax_init(mem, 0, EB_MINMAX_MIN) == NULL);
    free(mem);
}

TEST(min_window_of_one_and_random_streams)
{
    char mem[256];
    eb_minmax_t *m = eb_minmax_init(mem, 1, EB_MINMAX_MIN);
    CHECK_NEAR(eb_minmax_step(m, 5), 5, 0);
    CHECK_NEAR(eb_minmax_step(m, 9), 9, 0);
    enum { N = 20000, W = 52 };
    double *x = malloc(N * sizeof(double));
    void *a = malloc(eb_minmax_size(W)), *b = malloc(eb_minmax_size(W));
    eb_minmax_t *mx = eb_minmax_init(a, W, EB_MINMAX_MAX), *mn = eb_minmax_init(b, W, EB_MINMAX_MIN);
    srand(2);
    int ok = 1;
    for (int i = 0; i < N; i++) {
        x[i] = (double)(rand() % 50); /* many ties */
        double hi = eb_minmax_step(mx, x[i]), lo = eb_minmax_step(mn, x[i]);
        if (i < W - 1)
            continue;
        double h = -1, l = 1e9;
        for (int k = i - W + 1; k <= i; k++)
            h = fmax(h, x[k]), l = fmin(l, x[k]);
        ok &= hi == h && lo == l && x[eb_minmax_index(mx)] == h;
    }
    CHECK(ok);
    free(x), free(a), free(b);
}

int main(void)
{
    RUN(max_by_hand_with_ties);
    RUN(min_window_of_one_and_random_streams);
    return eb_check_report();
}
