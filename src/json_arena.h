/*
 * json_arena.h: cJSON parse trees allocated from an arena, for the
 * gateway's hot path (one tree per received message, freed as a whole).
 *
 * cJSON allocates every node and every string with malloc; for a 1.2 KB
 * MESSAGE_CREATE that is ~100 calls to malloc and as many to free, a third
 * of the gateway's CPU. Here the tree is bump-allocated from the arena's
 * chunks and released by resetting the arena.
 *
 * cJSON's hooks are process-wide, so dbot__jarena_hooks_install() installs
 * hooks that allocate from an arena only on the thread that is inside
 * dbot__jarena_parse(), and only for the duration of that call; every
 * other allocation, on every thread (REST, workers, the user's own cJSON
 * calls), goes to malloc and free as before. If someone else's hooks
 * replace these, parsing still works: the tree then comes from the heap
 * and dbot__jarena_release() frees it with cJSON_Delete.
 *
 * THREADS. An arena belongs to one thread at a time. The hooks are safe
 * on every thread.
 */
#ifndef DBOT_SRC_JSON_ARENA_H
#define DBOT_SRC_JSON_ARENA_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct dbot__jarena;

/* Install the hooks. Call before any thread uses cJSON (cJSON's hooks are
 * plain globals, written unlocked). */
void dbot__jarena_hooks_install(void);
/* The same, only the first time in the process: what dbot_new does, so a
 * second bot does not write the hooks while the first one's threads read
 * them. */
void dbot__jarena_hooks_install_once(void);

/* New arena; max_bytes bounds the memory one tree may take (a parse that
 * needs more fails, and dbot__jarena_overflowed() says so). NULL on
 * ENOMEM. */
struct dbot__jarena *dbot__jarena_new(size_t max_bytes);
void dbot__jarena_free(struct dbot__jarena *a);

/* cJSON_ParseWithLengthOpts(text, len, end, 0) with the tree in `a`.
 * Only one tree per arena lives at a time: release it before parsing the
 * next. The tree is read-only for its users: nothing in it may be
 * cJSON_Delete'd, detached or replaced (copy with cJSON_Duplicate). NULL
 * when the text is not JSON or the tree would exceed max_bytes. */
cJSON *dbot__jarena_parse(struct dbot__jarena *a, const char *text, size_t len,
                          const char **end);

/* Did the last parse fail for lack of room (max_bytes, or ENOMEM)? */
int dbot__jarena_overflowed(const struct dbot__jarena *a);

/* Free a tree dbot__jarena_parse returned (NULL is fine): reset the arena,
 * or cJSON_Delete it if foreign hooks put it on the heap. */
void dbot__jarena_release(struct dbot__jarena *a, cJSON *root);

/* Bytes the arena holds now (for tests and /metrics). */
size_t dbot__jarena_held(const struct dbot__jarena *a);

#endif
