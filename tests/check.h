/*
 * check.h: the test suite's assertions. Each prints both sides on failure
 * and aborts the test (exit 1), so a failing check is never silent.
 * WAIT_UNTIL polls a condition with a deadline: tests wait on conditions,
 * never on fixed sleeps.
 */
#ifndef DBOT_TESTS_CHECK_H
#define DBOT_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int check_failed_;

#define CHECK_FAIL_(...)                                \
    do {                                                \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                   \
        fprintf(stderr, "\n");                          \
        check_failed_ = 1;                              \
        exit(1);                                        \
    } while (0)

#define ASSERT_TRUE(c)                                 \
    do {                                               \
        if (!(c))                                      \
            CHECK_FAIL_("ASSERT_TRUE(%s) failed", #c); \
    } while (0)

#define ASSERT_EQ(a, b)                                                   \
    do {                                                                  \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                  \
        if (a_ != b_)                                                     \
            CHECK_FAIL_("ASSERT_EQ(%s, %s): %jd != %jd", #a, #b, a_, b_); \
    } while (0)

#define ASSERT_NE(a, b)                                             \
    do {                                                            \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);            \
        if (a_ == b_)                                               \
            CHECK_FAIL_("ASSERT_NE(%s, %s): both %jd", #a, #b, a_); \
    } while (0)

#define ASSERT_GE(a, b)                                                  \
    do {                                                                 \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                 \
        if (!(a_ >= b_))                                                 \
            CHECK_FAIL_("ASSERT_GE(%s, %s): %jd < %jd", #a, #b, a_, b_); \
    } while (0)

#define ASSERT_LE(a, b)                                                  \
    do {                                                                 \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                 \
        if (!(a_ <= b_))                                                 \
            CHECK_FAIL_("ASSERT_LE(%s, %s): %jd > %jd", #a, #b, a_, b_); \
    } while (0)

#define ASSERT_STREQ(a, b)                                                \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                            \
            CHECK_FAIL_("ASSERT_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b, \
                        a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                           \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (!h_ || !strstr(h_, n_))                                            \
            CHECK_FAIL_("ASSERT_CONTAINS(%s, %s): \"%s\" not in \"%s\"", #hay, \
                        #needle, n_, h_ ? h_ : "(null)");                      \
    } while (0)

#define ASSERT_NOT_CONTAINS(hay, needle)                                   \
    do {                                                                   \
        const char *h_ = (hay), *n_ = (needle);                            \
        if (h_ && strstr(h_, n_))                                          \
            CHECK_FAIL_("ASSERT_NOT_CONTAINS(%s, %s): \"%s\" found", #hay, \
                        #needle, n_);                                      \
    } while (0)

static inline long long
check_now_ms_(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Scale for slow runs (valgrind, sanitizers, a loaded machine). */
static inline long long
check_timeout_ms_(long long ms)
{
    const char *v = getenv("DBOT_UNDER_VALGRIND");
    return v && *v == '1' ? ms * 10 : ms;
}

/* Poll `cond` every millisecond until true or `ms` (scaled) pass; fail the
 * test with the condition's text on timeout. */
#define WAIT_UNTIL(cond, ms)                                                 \
    do {                                                                     \
        long long dl_ = check_now_ms_() + check_timeout_ms_(ms);             \
        while (!(cond)) {                                                    \
            if (check_now_ms_() > dl_)                                       \
                CHECK_FAIL_("WAIT_UNTIL(%s) timed out after %lld ms", #cond, \
                            (long long)(ms));                                \
            struct timespec ts_ = { 0, 1000000 };                            \
            nanosleep(&ts_, NULL);                                           \
        }                                                                    \
    } while (0)

#define TEST(name) static void name(void)
#define RUN(name)                          \
    do {                                   \
        fprintf(stderr, "-- %s\n", #name); \
        name();                            \
    } while (0)

#endif
