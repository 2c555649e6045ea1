/*
 * fuzz_cache.c: the gateway cache on arbitrary dispatches. The input is
 * lines, in pairs: an event name, then its JSON. Every pair is applied to
 * a cache with small bounds (so they are hit); then a READY for shard 0
 * with no guilds must leave nothing guild-scoped, no channel and no
 * message behind, whatever came before (nothing stale survives a
 * re-identify), and freeing must release everything (ASan, valgrind).
 */
#include "cache.h"
#include "config.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
    if (!ok)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char bounds[] =
        "{\"guilds\":4,\"channels\":8,\"threads\":4,\"roles\":8,"
        "\"members\":16,\"users\":12,\"emojis\":4,\"voice_states\":4,"
        "\"presences\":4,\"messages\":3,\"max_messages\":6}";
    struct dbot__cache_config cfg;
    struct dbot__cache_stats st;
    struct dbot__cache *c;
    char *text, *line, *save = NULL, err[128];
    const char *name = NULL;
    cJSON *b = cJSON_Parse(bounds), *ready;

    check(dbot__config_cache(b, &cfg, err, sizeof err) == 0);
    cJSON_Delete(b);
    check(dbot__cache_new(&c, &cfg) == 0);
    text = malloc(size + 1);
    if (!text) {
        dbot__cache_free(c);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = 0;
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!name) {
            name = line;
            continue;
        }
        {
            cJSON *d = cJSON_Parse(line);

            /* Shard 0 or 1, from the name's length: both must be swept. */
            dbot__cache_apply(c, name, d, (int)(strlen(name) & 1));
            cJSON_Delete(d);
        }
        name = NULL;
    }
    free(text);
    ready = cJSON_Parse("{\"guilds\":[]}");
    dbot__cache_apply(c, "READY", ready, 0);
    dbot__cache_apply(c, "READY", ready, 1);
    cJSON_Delete(ready);
    dbot__cache_stats(c, &st);
    for (int k = 0; k < DBOT__CK_COUNT; k++)
        if (k != DBOT__CK_USERS)
            check(st.entries[k] == 0);
    /* What is left: the bot's own users, from the READYs. */
    check(st.entries[DBOT__CK_USERS] <= 12);
    dbot__cache_free(c);
    return 0;
}
