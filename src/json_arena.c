/*
 * json_arena.c: cJSON parse trees in an arena (see json_arena.h).
 *
 * DESIGN. An arena is a list of chunks; allocations bump a pointer in the
 * newest chunk, and a chunk too small for a request is followed by a new
 * one twice the size (or the request's size). Releasing the tree keeps the
 * first chunk (FIRST_CHUNK, enough for most gateway messages), frees the
 * others, and rewinds: a large GUILD_CREATE does not pin its memory.
 *
 * The parser (json_parse.c) allocates through arena_alloc directly; a
 * failed parse is rewound to where it began. cJSON's allocation hooks are
 * not used (they were, before dbot had its own parser: one process-wide
 * function pointer and a thread-local lookup per node).
 */
#include "json_arena.h"
#include "json_parse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* A pointer kept into a released tree reads memory the next message
 * reuses, which neither sanitizer would see in a plain arena: so the free
 * part of every chunk is poisoned, for AddressSanitizer or (under
 * valgrind) memcheck, and unpoisoned as it is handed out. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define POISON(p, n)   VALGRIND_MAKE_MEM_NOACCESS(p, n)
#define UNPOISON(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#endif
#endif
#ifndef POISON
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FIRST_CHUNK (64 * 1024)
/* Chunks double up to this, so a batch of many trees grows in steps the
 * allocator can reuse instead of ever larger blocks. */
#define CHUNK_MAX (1024 * 1024)
#define ALIGN     16

struct chunk {
    struct chunk *next; /* older chunk */
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct dbot__jarena {
    struct chunk *head; /* newest first; the last one is the first chunk */
    size_t held;        /* bytes of all chunks' data */
    size_t held_before; /* held when the current parse began */
    size_t max_bytes;   /* per tree: chunks a parse may add */
    bool overflow;
};

static void *
arena_alloc(struct dbot__jarena *a, size_t n)
{
    struct chunk *c = a->head;
    size_t size;

    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    if (c && c->size - c->used >= n) {
        void *p = c->data + c->used;
        c->used += n;
        UNPOISON(p, n);
        return p;
    }
    size = c ? c->size * 2 : FIRST_CHUNK;
    if (size < n)
        size = n;
    if (size > CHUNK_MAX && n <= CHUNK_MAX)
        size = CHUNK_MAX;
    /* The bound is per tree: what this parse added, not what the trees
     * kept before it (a batch, json_arena.h) hold. */
    if (size > a->max_bytes - (a->held - a->held_before)) {
        size_t room = a->max_bytes - (a->held - a->held_before);

        /* Past the bound: a smaller last chunk may still do. */
        if (n > room) {
            a->overflow = true;
            return NULL;
        }
        size = room;
    }
    c = malloc(sizeof *c + size);
    if (!c) {
        a->overflow = true;
        return NULL;
    }
    c->size = size;
    c->used = n;
    c->next = a->head;
    a->head = c;
    a->held += size;
    POISON(c->data + n, size - n);
    return c->data;
}

static void *
alloc_cb(void *a, size_t n)
{
    return arena_alloc(a, n);
}

struct dbot__jarena *
dbot__jarena_new(size_t max_bytes)
{
    struct dbot__jarena *a = calloc(1, sizeof *a);

    if (!a)
        return NULL;
    a->max_bytes = max_bytes < FIRST_CHUNK ? FIRST_CHUNK : max_bytes;
    return a;
}

/* Keep only the first (oldest) chunk, empty. */
static void
reset(struct dbot__jarena *a)
{
    while (a->head && a->head->next) {
        struct chunk *c = a->head;
        a->head = c->next;
        a->held -= c->size;
        free(c);
    }
    if (a->head) {
        a->head->used = 0;
        POISON(a->head->data, a->head->size);
    }
}

void
dbot__jarena_free(struct dbot__jarena *a)
{
    if (!a)
        return;
    reset(a);
    if (a->head)
        UNPOISON(a->head->data, a->head->size); /* back to the heap */
    free(a->head);
    free(a);
}

cJSON *
dbot__jarena_parse(struct dbot__jarena *a, const char *text, size_t len,
                   const char **end)
{
    struct dbot__jarena_mark m;
    cJSON *root;

    dbot__jarena_mark(a, &m);
    a->overflow = false;
    a->held_before = a->held;
    root = dbot__json_parse(text, len, end, alloc_cb, a);
    if (!root)
        dbot__jarena_rewind(a, &m, NULL);
    return root;
}

int
dbot__jarena_overflowed(const struct dbot__jarena *a)
{
    return a->overflow;
}

void
dbot__jarena_release(struct dbot__jarena *a, cJSON *root)
{
    if (root)
        reset(a);
}

void
dbot__jarena_mark(const struct dbot__jarena *a, struct dbot__jarena_mark *m)
{
    m->chunk = a->head;
    m->used = a->head ? a->head->used : 0;
}

void
dbot__jarena_rewind(struct dbot__jarena *a, const struct dbot__jarena_mark *m,
                    cJSON *root)
{
    (void)root;
    /* Chunks added since the mark go; the mark's chunk is cut back. */
    while (a->head && a->head != m->chunk) {
        struct chunk *c = a->head;

        if (!c->next && !m->chunk) {
            /* The first chunk stays, empty. */
            c->used = 0;
            POISON(c->data, c->size);
            return;
        }
        a->head = c->next;
        a->held -= c->size;
        free(c);
    }
    if (a->head && a->head->used > m->used) {
        POISON(a->head->data + m->used, a->head->used - m->used);
        a->head->used = m->used;
    }
}

void
dbot__jarena_reset(struct dbot__jarena *a)
{
    reset(a);
}

size_t
dbot__jarena_used(const struct dbot__jarena *a)
{
    size_t n = 0;

    for (const struct chunk *c = a->head; c; c = c->next)
        n += c->used;
    return n;
}

size_t
dbot__jarena_held(const struct dbot__jarena *a)
{
    return a->held;
}
