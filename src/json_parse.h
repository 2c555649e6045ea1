/*
 * json_parse.h: parse JSON into a cJSON tree as cJSON would, faster, with
 * every node and string from the caller's allocator (json_parse.c says
 * why, and what "as cJSON would" covers). Nothing is freed on failure:
 * the allocator is an arena's (json_arena.c), which rewinds. Leaf: only
 * cJSON's header.
 */
#ifndef DBOT_SRC_JSON_PARSE_H
#define DBOT_SRC_JSON_PARSE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* n bytes, aligned for a cJSON node, or NULL (the parse then fails). */
typedef void *(*dbot__json_alloc_fn)(void *ctx, size_t n);

/* cJSON_ParseWithLengthOpts(text, len, end, 0), allocating through
 * alloc(ctx, n). Returns the root or NULL; *end (if end) is where parsing
 * stopped. */
cJSON *dbot__json_parse(const char *text, size_t len, const char **end,
                        dbot__json_alloc_fn alloc, void *ctx);

#endif
