/* Order statistics over a ring (sorted window): rank and quantile by hand, ties, refusals, and against
 * sorting while the window fills and after. */
#include "core/ind_percentile.h"
#include "tests/support/check.h"

#include <stdlib.h>
#include <string.h>

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

TEST(refuses_nan_and_bad_arguments)
{
    char mem[512];
    eb_pctl_t *p = eb_pctl_init(mem, 3);
    eb_pctl_push(p, 1);
    eb_pctl_push(p, 2);
    char before[512];
    memcpy(before, mem, sizeof mem);
    CHECK_EQ_INT(eb_pctl_push(p, NAN), -1);
    CHECK(memcmp(before, mem, sizeof mem) == 0); /* nothing moved */
    CHECK_EQ_INT(eb_pctl_count(p), 2);
    CHECK(isnan(eb_pctl_kth(p, 2)) && isnan(eb_pctl_kth(p, -1)));
    CHECK(isnan(eb_pctl_quantile(p, 1.5)) && isnan(eb_pctl_quantile(p, -0.1)) && isnan(eb_pctl_quantile(p, NAN)));
    CHECK(eb_pctl_init(mem, 0) == NULL && eb_pctl_size(0) == 0);
}

/* Window of the last w <= W values ending at x[i], sorted into s; checks every answer against it. */
static int agrees(const eb_pctl_t *p, const double *x, int i, int w, double *s)
{
    memcpy(s, x + i - w + 1, (size_t)w * sizeof *s);
    qsort(s, (size_t)w, sizeof(double), cmp);
    int less = 0, le = 0;
    for (int k = 0; k < w; k++)
        less += s[k] < x[i], le += s[k] <= x[i];
    double pos = 0.1 * (w - 1);
    int lo = (int)pos;
    double q = lo + 1 < w ? s[lo] + (pos - lo) * (s[lo + 1] - s[lo]) : s[lo];
    int ok = eb_pctl_count(p) == w && eb_pctl_rank(p, x[i]) == (less + le + 1) * 0.5 / w;
    ok &= eb_pctl_count_less(p, x[i]) == less && eb_pctl_count_le(p, x[i]) == le;
    ok &= fabs(eb_pctl_quantile(p, 0.1) - q) <= 1e-12 && eb_pctl_quantile(p, 1) == s[w - 1];
    ok &= eb_pctl_kth(p, i % w) == s[i % w];
    return ok;
}

TEST(matches_sorting_on_long_streams)
{
    enum { N = 20000, W = 252 };
    double *x = malloc(N * sizeof(double)), s[W];
    char *mem = malloc(eb_pctl_size(W)), *mem2 = malloc(eb_pctl_size(W));
    eb_pctl_t *p = eb_pctl_init(mem, W), *q = eb_pctl_init(mem2, W); /* q: through eb_pctl_push_rank */
    srand(6);
    int ok = 1, same = 1;
    for (int i = 0; i < N; i++) {
        x[i] = (double)(rand() % 400) / 7; /* ties on purpose */
        if (i % 1000 == 999)
            x[i] = i % 2000 ? 1e9 : -1e9; /* far outside: shifts across the whole window */
        ok &= eb_pctl_push(p, x[i]) == 0;
        ok &= agrees(p, x, i, i + 1 < W ? i + 1 : W, s);
        same &= eb_pctl_push_rank(q, x[i]) == eb_pctl_rank(p, x[i]);
    }
    CHECK(ok);
    CHECK(same);
    CHECK(memcmp(mem, mem2, eb_pctl_size(W)) == 0);
    CHECK_NEAR(eb_pctl_push_rank(q, NAN), eb_pctl_rank(q, NAN), 0); /* refused: the window's own answer */
    CHECK(memcmp(mem, mem2, eb_pctl_size(W)) == 0);
    free(x), free(mem), free(mem2);
}

int main(void)
{
    RUN(by_hand);
    RUN(ties_take_the_average_rank);
    RUN(refuses_nan_and_bad_arguments);
    RUN(matches_sorting_on_long_streams);
    return eb_check_report();
}
