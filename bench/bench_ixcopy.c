/*
 * bench_ixcopy.c: what keeping an interaction costs the loop. Every
 * INTERACTION_CREATE's data outlives the gateway frame it came in, so the
 * loop copies it: cJSON_Duplicate (the floor it replaced: a malloc per
 * node and string, a free for each later) against json_clone (one block).
 * Copy and free of a 1.6 KB slash-command interaction, medians of ROUNDS;
 * prints one JSON line in microseconds of CPU per interaction.
 */
#include "json_clone.h"

#include <stdio.h>
#include <string.h>

#include "bench_clock.h"

#define N      100000
#define ROUNDS 5

static const char *ix_json =
    "{\"app_permissions\":\"562949953421311\",\"application_id\":"
    "\"1100000000000000000\",\"authorizing_integration_owners\":{\"0\":"
    "\"290926798626357999\"},\"channel\":{\"flags\":0,\"guild_id\":"
    "\"290926798626357999\",\"id\":\"645027906669510667\",\"last_message_id\":"
    "\"1180000000000000000\",\"name\":\"general\",\"nsfw\":false,"
    "\"parent_id\":null,\"permissions\":\"562949953421311\",\"position\":0,"
    "\"rate_limit_per_user\":0,\"topic\":null,\"type\":0},\"channel_id\":"
    "\"645027906669510667\",\"context\":0,\"data\":{\"id\":"
    "\"771825006014889984\",\"name\":\"fortune\",\"options\":[{\"name\":"
    "\"topic\",\"type\":3,\"value\":\"life\"},{\"name\":\"count\",\"type\":4,"
    "\"value\":3}],\"type\":1},\"entitlement_sku_ids\":[],\"entitlements\":[],"
    "\"guild\":{\"features\":[],\"id\":\"290926798626357999\",\"locale\":"
    "\"en-US\"},\"guild_id\":\"290926798626357999\",\"guild_locale\":"
    "\"en-US\",\"id\":\"1234567890123456789\",\"locale\":\"en-US\","
    "\"member\":{\"avatar\":null,\"banner\":null,"
    "\"communication_disabled_until\":null,\"deaf\":false,\"flags\":0,"
    "\"joined_at\":\"2024-01-01T10:00:00.000000+00:00\",\"mute\":false,"
    "\"nick\":null,\"pending\":false,\"permissions\":\"562949953421311\","
    "\"premium_since\":null,\"roles\":[\"1044000000000000001\"],\"user\":"
    "{\"avatar\":\"a_0123456789abcdef0123456789abcdef\","
    "\"avatar_decoration_data\":null,\"clan\":null,\"discriminator\":\"0\","
    "\"global_name\":\"Mason\",\"id\":\"53908232506183680\","
    "\"public_flags\":0,\"username\":\"mason\"}},\"token\":"
    "\"aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpzZWNyZXRfdG9rZW5fdGhhdF9pc"
    "19sb25nX2Vub3VnaF90b19iZV9yZWFsaXN0aWNfMDEyMzQ1Njc4OTAxMjM0NTY3ODk\","
    "\"type\":2,\"version\":1}";

int
main(void)
{
    cJSON *src = cJSON_Parse(ix_json);
    double dup[ROUNDS], clone[ROUNDS];
    size_t sink = 0;

    if (!src)
        return 1;
    for (int r = 0; r < ROUNDS; r++) {
        double c0 = cpu_s();
        for (int i = 0; i < N; i++) {
            cJSON *d = cJSON_Duplicate(src, 1);
            sink += (size_t)(d != NULL);
            cJSON_Delete(d);
        }
        dup[r] = cpu_s() - c0;
        c0 = cpu_s();
        for (int i = 0; i < N; i++) {
            cJSON *d = dbot__json_clone(src);
            sink += (size_t)(d != NULL);
            dbot__json_clone_free(d);
        }
        clone[r] = cpu_s() - c0;
    }
    double a = bench_median(dup, ROUNDS) / N * 1e6;
    double b = bench_median(clone, ROUNDS) / N * 1e6;
    printf("{\"bench\":\"ixcopy\",\"interaction_bytes\":%zu,\"copies\":%d,"
           "\"rounds\":%d,\"duplicate_us\":%.2f,\"clone_us\":%.2f,"
           "\"clone_vs_duplicate\":%.2f}\n",
           strlen(ix_json), N, ROUNDS, a, b, b / a);
    cJSON_Delete(src);
    return sink == (size_t)N * 2 * ROUNDS ? 0 : 1;
}
