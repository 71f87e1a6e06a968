/* Order statistics over a ring (treap): rank and quantile by hand, ties, and against sorting. */
#include "core/ind_percentile.h"
#include "tests/support/check.h"

#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

TEST(by_hand)
{
    char mem[512];
    eb_pctl_t *p = eb_pctl_init(mem, 5);
    CHECK(isnan(eb_pctl_rank(p, 1)) && isnan(eb_pctl_quantile(p, 0.5)));
    double x[5] = {5, 1, 4, 2, 3};
    for (int i = 0; i < 5; i++)
        eb_pctl_push(p, x[i]);
    CHECK_NEAR(eb_pctl_rank(p, 3), 0.6, 1e-15);       /* 3rd of 5 */
    CHECK_NEAR(eb_pctl_quantile(p, 0.1), 1.4, 1e-15); /* position 0.4 between 1 and 2 */
    CHECK_NEAR(eb_pctl_quantile(p, 1), 5, 0);
    eb_pctl_push(p, 0); /* drops the 5 */
    CHECK_NEAR(eb_pctl_kth(p, 4), 4, 0);
    CHECK_NEAR(eb_pctl_kth(p, 0), 0, 0);
    CHECK_EQ_INT(eb_pctl_count(p), 5);
}

TEST(ties_take_the_average_rank)
{
    char mem[512];
    eb_pctl_t *p = eb_pctl_init(mem, 3);
    for (int i = 0; i < 3; i++)
        eb_pctl_push(p, 2);
    CHECK_NEAR(eb_pctl_rank(p, 2), 2.0 / 3, 1e-15); /* ranks 1,2,3 -> 2, over 3 */
    CHECK_EQ_INT(eb_pctl_count_less(p, 2), 0);
    CHECK_EQ_INT(eb_pctl_count_le(p, 2), 3);
    eb_pctl_push(p, 1);
    CHECK_NEAR(eb_pctl_rank(p, 2), (1 + 3 + 1) / 2.0 / 3, 1e-15);
}

TEST(matches_sorting_on_long_streams)
{
    enum { N = 20000, W = 252 };
    double *x = malloc(N * sizeof(double)), s[W];
    char *mem = malloc(eb_pctl_size(W));
    eb_pctl_t *p = eb_pctl_init(mem, W);
    srand(6);
    int ok = 1;
    for (int i = 0; i < N; i++) {
        x[i] = (double)(rand() % 400) / 7; /* ties on purpose */
        eb_pctl_push(p, x[i]);
        if (i < W - 1)
            continue;
        memcpy(s, x + i - W + 1, sizeof s);
        qsort(s, W, sizeof(double), cmp);
        int less = 0, le = 0;
        for (int k = 0; k < W; k++)
            less += s[k] < x[i], le += s[k] <= x[i];
        double q = s[25] + (0.1 * (W - 1) - 25) * (s[26] - s[25]);
        ok &= eb_pctl_rank(p, x[i]) == (less + le + 1) * 0.5 / W;
        ok &= fabs(eb_pctl_quantile(p, 0.1) - q) <= 1e-12;
        ok &= eb_pctl_kth(p, i % W) == s[i % W];
    }
    CHECK(ok);
    free(x), free(mem);
}

int main(void)
{
    RUN(by_hand);
    RUN(ties_take_the_average_rank);
    RUN(matches_sorting_on_long_streams);
    return eb_check_report();
}
