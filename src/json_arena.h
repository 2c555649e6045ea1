/*
 * json_arena.h: cJSON parse trees allocated from an arena, for the
 * gateway's hot path (one tree per received message, freed as a whole).
 *
 * cJSON allocates every node and every string with malloc; for a 1.2 KB
 * MESSAGE_CREATE that is ~100 calls to malloc and as many to free, a third
 * of the gateway's CPU. Here the tree is bump-allocated from the arena's
 * chunks by dbot's own parser (json_parse.h: the trees cJSON would build)
 * and released by resetting the arena. cJSON's hooks are left alone:
 * every other allocation, on every thread (REST, workers, the user's own
 * cJSON calls), goes to malloc and free as before.
 *
 * THREADS. An arena belongs to one thread at a time.
 */
#ifndef DBOT_SRC_JSON_ARENA_H
#define DBOT_SRC_JSON_ARENA_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct dbot__jarena;

/* New arena; max_bytes bounds the memory one tree may take (a parse that
 * needs more fails, and dbot__jarena_overflowed() says so). NULL on
 * ENOMEM. */
struct dbot__jarena *dbot__jarena_new(size_t max_bytes);
void dbot__jarena_free(struct dbot__jarena *a);

/* cJSON_ParseWithLengthOpts(text, len, end, 0) with the tree in `a`.
 * Trees accumulate: an arena may hold a batch of them (the gateway hands
 * a batch of events to the loop thread in one arena), freed together by
 * dbot__jarena_release, or the newest one alone by rewinding to a mark
 * taken before it was parsed. The tree is read-only for its users: nothing
 * in it may be cJSON_Delete'd, detached or replaced (copy with
 * cJSON_Duplicate). NULL when the text is not JSON or the tree would take
 * more than max_bytes (each tree has its own bound); a failed parse leaves
 * the arena as it was. */
cJSON *dbot__jarena_parse(struct dbot__jarena *a, const char *text, size_t len,
                          const char **end);

/* Did the last parse fail for lack of room (max_bytes, or ENOMEM)? */
int dbot__jarena_overflowed(const struct dbot__jarena *a);

/* Free every tree in the arena (keeping its first chunk); root (the tree
 * the caller holds, NULL is fine) must be one of them. */
void dbot__jarena_release(struct dbot__jarena *a, cJSON *root);

/* Free every tree in the arena, keeping its first chunk for reuse. */
void dbot__jarena_reset(struct dbot__jarena *a);

/* Where the arena stands, to free what is parsed after it (stack order:
 * only the newest trees can be rewound). */
struct dbot__jarena_mark {
    void *chunk;
    size_t used;
};
void dbot__jarena_mark(const struct dbot__jarena *a,
                       struct dbot__jarena_mark *m);
/* Free what was allocated since `m` (root: the tree parsed after it, or
 * NULL; unused, kept for the callers' symmetry with release). */
void dbot__jarena_rewind(struct dbot__jarena *a,
                         const struct dbot__jarena_mark *m, cJSON *root);

/* Bytes the trees in the arena take now. */
size_t dbot__jarena_used(const struct dbot__jarena *a);

/* Bytes the arena holds now (for tests and /metrics). */
size_t dbot__jarena_held(const struct dbot__jarena *a);

#endif
