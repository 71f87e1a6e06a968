/* A tiny test harness: every test file is one binary of CHECK()s grouped by TEST().
 * It prints one line per failed check and ends with "N passed, N failed" (the line CI reads);
 * tests/run-tests.sh adds the binaries up. A check counts once per evaluation. */
#ifndef EB_CHECK_H
#define EB_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int eb_check_passed, eb_check_failed, eb_check_skipped;
extern const char *eb_check_test;

int eb_check_report(void);
/* Path of a file under ../shared (relative to the repository root), or NULL when shared/ is absent:
 * tests that need it call CHECK_SKIP and return. */
const char *eb_shared_path(const char *rel, char *buf, size_t cap);

#define TEST(name) static void name(void)
#define RUN(name) (eb_check_test = #name, name())

#define CHECK(cond) CHECK_MSG(cond, "%s", #cond)
#define CHECK_MSG(cond, ...)                                                         \
    do {                                                                             \
        if (cond) {                                                                  \
            eb_check_passed++;                                                       \
        } else {                                                                     \
            eb_check_failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d %s: ", __FILE__, __LINE__, eb_check_test);   \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                           \
    do {                                                                             \
        long long eb_a_ = (long long)(a), eb_b_ = (long long)(b);                    \
        CHECK_MSG(eb_a_ == eb_b_, "%s == %s: %lld != %lld", #a, #b, eb_a_, eb_b_);   \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                           \
    do {                                                                             \
        const char *eb_a_ = (a), *eb_b_ = (b);                                       \
        CHECK_MSG(eb_a_ && eb_b_ && strcmp(eb_a_, eb_b_) == 0, "%s == %s: \"%s\" != \"%s\"", \
                  #a, #b, eb_a_ ? eb_a_ : "(null)", eb_b_ ? eb_b_ : "(null)");       \
    } while (0)

/* |a-b| <= tol (absolute); both NaN counts as equal. */
#define CHECK_NEAR(a, b, tol)                                                        \
    do {                                                                             \
        double eb_a_ = (double)(a), eb_b_ = (double)(b);                             \
        CHECK_MSG((isnan(eb_a_) && isnan(eb_b_)) || fabs(eb_a_ - eb_b_) <= (tol),    \
                  "%s ~ %s: %.17g vs %.17g (tol %g)", #a, #b, eb_a_, eb_b_, (double)(tol)); \
    } while (0)

#define CHECK_SKIP(why)                                                              \
    do {                                                                             \
        eb_check_skipped++;                                                          \
        fprintf(stderr, "SKIP %s: %s\n", eb_check_test, why);                        \
    } while (0)

#endif
