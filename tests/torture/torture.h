/*
 * torture.h: allocation-failure testing in the manner of curl's torture
 * tests. A target runs once to count its allocations (N), then N more
 * times with allocation i failing (i = 1..N). Each run must end in a
 * clean result: the complete, correct output, or the target's documented
 * error; and every allocation made during a run must be freed by its end.
 *
 * HOW. Torture executables link with -Wl,--wrap=malloc,calloc,realloc,
 * free,strdup,strndup, so every such call in dbot's static library and in
 * the test lands in torture.c. cJSON is a shared library whose calls do
 * not pass through --wrap, so torture_init() points cJSON's hooks at the
 * same wrappers. zlib and libc allocate for themselves; those allocations
 * are not failed (dbot cannot hand them an out-of-memory path to test).
 *
 * THREADS. One thread: the counters are plain globals.
 */
#ifndef DBOT_TESTS_TORTURE_H
#define DBOT_TESTS_TORTURE_H

#include <stddef.h>

/* Set the cJSON hooks; call first in main, before any cJSON use. */
void torture_init(void);

/* What a target returns. */
#define TORTURE_OK 0 /* complete and correct (compared with the good run) */

/* A target: run the code under test on `arg`, check its output, free
 * everything it made, and return TORTURE_OK, or the code's own error
 * (negative DBOT_E*), or anything else for a wrong result (which fails the
 * test). It must not allocate outside the code under test that it cannot
 * free again. */
typedef int (*torture_fn)(void *arg);

/* Run `fn` once with no failure (it must return TORTURE_OK), then once per
 * allocation with that allocation failing. Each failing run must return
 * TORTURE_OK or one of `errors` (a 0-terminated list, e.g. { DBOT_ENOMEM,
 * 0 }) and leave no allocation of its own behind. Exits the process with a
 * message naming the target and the allocation on the first violation.
 * Returns N, the number of allocations of the good run. */
int torture_run(const char *name, torture_fn fn, void *arg, const int *errors);

#endif
