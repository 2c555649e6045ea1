/*
 * fuzz_json_parse.c: dbot's JSON parser (json_parse.c, through
 * dbot__jarena_parse) against cJSON_ParseWithLengthOpts on the same bytes:
 * both accept or both refuse, with the same tree and the same end.
 */
#include "json_arena.h"

#include "../json_same.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dbot__jarena *arena;
    const char *text = (const char *)data, *end_ours = NULL, *end_theirs = NULL;
    cJSON *ours, *theirs;

    if (!arena && !(arena = dbot__jarena_new(8u << 20)))
        abort();
    ours = dbot__jarena_parse(arena, text, size, &end_ours);
    theirs = cJSON_ParseWithLengthOpts(text, size, &end_theirs, 0);
    if (!ours != !theirs && !(theirs && dbot__jarena_overflowed(arena)))
        abort();
    if (ours && (!json_same_tree(ours, theirs) || end_ours != end_theirs))
        abort();
    dbot__jarena_reset(arena);
    cJSON_Delete(theirs);
    return 0;
}
