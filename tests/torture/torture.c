/*
 * torture.c: the allocation wrappers and the driver of torture.h.
 *
 * Every allocation made while a target runs is recorded in a small open
 * addressing set of live pointers; free and realloc take them out. A run
 * that ends with the set non-empty leaked. Allocations made outside a run
 * (the test's own setup) are neither counted, failed nor tracked.
 */
#include "torture.h"

#include "../check.h"

#include <cjson/cJSON.h>
#include <stdint.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

#define LIVE_SLOTS (1u << 16) /* far above any target's live allocations */
#define TOMBSTONE  ((void *)1)

static int armed;    /* a target is running */
static long count;   /* allocations so far in this run */
static long fail_at; /* the one to fail (1-based), 0: none */
static long live_n;  /* pointers in live[] */
static void *live[LIVE_SLOTS];

static size_t
slot_of(const void *p)
{
    uintptr_t h = (uintptr_t)p;

    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 20) & (LIVE_SLOTS - 1);
}

static void
live_add(void *p)
{
    size_t i = slot_of(p);

    while (live[i] && live[i] != TOMBSTONE)
        i = (i + 1) & (LIVE_SLOTS - 1);
    live[i] = p;
    if (++live_n >= (long)LIVE_SLOTS / 2)
        CHECK_FAIL_("torture: more than %u live allocations", LIVE_SLOTS / 2);
}

/* Forget p if it was allocated during the run. */
static void
live_del(const void *p)
{
    size_t i = slot_of(p);

    while (live[i]) {
        if (live[i] == p) {
            live[i] = TOMBSTONE;
            live_n--;
            return;
        }
        i = (i + 1) & (LIVE_SLOTS - 1);
    }
}

/* 1 if this allocation is the one to fail. */
static int
should_fail(void)
{
    if (!armed)
        return 0;
    return ++count == fail_at;
}

void *
__wrap_malloc(size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = __real_malloc(n);
    if (p && armed)
        live_add(p);
    return p;
}

void *
__wrap_calloc(size_t k, size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = __real_calloc(k, n);
    if (p && armed)
        live_add(p);
    return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
    void *q;

    if (should_fail())
        return NULL; /* p stays valid, as with a real failure */
    q = __real_realloc(p, n);
    if (q && armed) {
        if (p)
            live_del(p);
        live_add(q);
    }
    return q;
}

void
__wrap_free(void *p)
{
    if (p && armed)
        live_del(p);
    __real_free(p);
}

char *
__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}

char *
__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = __wrap_malloc(len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* cJSON's hooks take plain function pointers; with these (not libc's
 * malloc/free) cJSON also stops calling realloc, so malloc and free are
 * all it uses. */
static void *
hook_malloc(size_t n)
{
    return __wrap_malloc(n);
}

static void
hook_free(void *p)
{
    __wrap_free(p);
}

void
torture_init(void)
{
    cJSON_Hooks h = { .malloc_fn = hook_malloc, .free_fn = hook_free };

    cJSON_InitHooks(&h);
}

static int
allowed(int rc, const int *errors)
{
    if (rc == TORTURE_OK)
        return 1;
    for (; errors && *errors; errors++)
        if (rc == *errors)
            return 1;
    return 0;
}

/* One run of fn with allocation `at` failing (0: none). */
static int
run_once(torture_fn fn, void *arg, long at, long *allocs)
{
    int rc;

    memset(live, 0, sizeof live);
    live_n = 0;
    count = 0;
    fail_at = at;
    armed = 1;
    rc = fn(arg);
    armed = 0;
    *allocs = count;
    return rc;
}

int
torture_run(const char *name, torture_fn fn, void *arg, const int *errors)
{
    long n, allocs, failed_runs = 0;
    int rc;

    rc = run_once(fn, arg, 0, &n);
    if (rc != TORTURE_OK)
        CHECK_FAIL_("torture %s: the run without failures returned %d", name,
                    rc);
    if (live_n)
        CHECK_FAIL_("torture %s: the run without failures leaked %ld "
                    "allocation(s)",
                    name, live_n);
    if (n == 0)
        CHECK_FAIL_("torture %s: no allocation to fail", name);
    for (long i = 1; i <= n; i++) {
        rc = run_once(fn, arg, i, &allocs);
        if (!allowed(rc, errors))
            CHECK_FAIL_("torture %s: allocation %ld of %ld failing: the "
                        "target returned %d",
                        name, i, n, rc);
        if (live_n)
            CHECK_FAIL_("torture %s: allocation %ld of %ld failing: %ld "
                        "allocation(s) leaked",
                        name, i, n, live_n);
        if (rc != TORTURE_OK)
            failed_runs++;
        else if (getenv("TORTURE_VERBOSE"))
            fprintf(stderr,
                    "torture %s: allocation %ld of %ld failing: "
                    "recovered\n",
                    name, i, n);
    }
    fprintf(stderr,
            "torture %s: %ld allocations, each failed once: %ld "
            "clean errors, %ld recovered\n",
            name, n, failed_runs, n - failed_runs);
    return (int)n;
}
