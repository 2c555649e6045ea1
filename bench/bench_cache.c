/*
 * bench_cache.c: the gateway cache at 1,000 guilds x 1,000 members (plus
 * 20 channels and 11 roles a guild), fed as Discord feeds a bot that asks
 * for its members: a GUILD_CREATE per guild (a large guild: no member
 * list) and a GUILD_MEMBERS_CHUNK of 1,000 members. Every user is in one
 * guild (no sharing: the cache's worst case per member).
 *
 * Prints one JSON line: resident memory with the cache off and on (the
 * same events parsed either way), bytes per member from that difference
 * and from the cache's own accounting, bytes per channel and per guild,
 * the time to apply the events beside its floor (cJSON parsing the same
 * text, measured in the same run), lookup times, and what a dispatch costs
 * when the cache is off. Medians of 3 loads. bench/cache_discordjs.js
 * builds the same shape for discord.js (README "The cache").
 */
#include "cache.h"
#include "config.h"

#include <dbot/dbot.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_clock.h"

#define GUILDS   1000
#define MEMBERS  1000
#define CHANNELS 20
#define ROLES    10 /* besides @everyone */
#define RUNS     3

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if ((size_t)n < b->cap - b->len)
            break;
        b->cap = b->cap * 2 + (size_t)n;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    b->len += (size_t)n;
}

/* Ids as the discord.js script builds them: a kind digit, 17 digits. */
static void
guild_create(struct buf *b, int k)
{
    b->len = 0;
    put(b,
        "{\"id\":\"2%017d\",\"name\":\"Guild %d\",\"icon\":null,"
        "\"owner_id\":\"5%017d\",\"member_count\":%d,\"large\":true,"
        "\"unavailable\":false,\"emojis\":[],\"members\":[],\"threads\":[],"
        "\"voice_states\":[],\"presences\":[],\"roles\":[{\"id\":\"2%017d\","
        "\"name\":\"@everyone\",\"permissions\":\"1071698660929\","
        "\"position\":0,\"color\":0,\"hoist\":false,\"managed\":false,"
        "\"mentionable\":false}",
        k, k, k * MEMBERS, MEMBERS, k);
    for (int r = 1; r <= ROLES; r++)
        put(b,
            ",{\"id\":\"4%017d\",\"name\":\"role %d\",\"permissions\":"
            "\"104324673\",\"position\":%d,\"color\":%d,\"hoist\":false,"
            "\"managed\":false,\"mentionable\":false}",
            k * 100 + r, r, r, r * 1000);
    put(b, "],\"channels\":[");
    for (int j = 0; j < CHANNELS; j++) {
        put(b,
            "%s{\"id\":\"3%017d\",\"type\":%d,\"name\":\"channel-%d\","
            "\"position\":%d,\"parent_id\":null,\"topic\":null,\"nsfw\":false,"
            "\"rate_limit_per_user\":0,\"permission_overwrites\":[",
            j ? "," : "", k * 100 + j, j < 15 ? 0 : 2, j, j);
        if (j % 2)
            put(b,
                "{\"id\":\"2%017d\",\"type\":0,\"allow\":\"0\",\"deny\":"
                "\"2048\"}",
                k);
        put(b, "]}");
    }
    put(b, "]}");
}

static void
members_chunk(struct buf *b, int k)
{
    b->len = 0;
    put(b,
        "{\"guild_id\":\"2%017d\",\"chunk_index\":0,\"chunk_count\":1,"
        "\"members\":[",
        k);
    for (int i = 0; i < MEMBERS; i++) {
        int u = k * MEMBERS + i;

        put(b,
            "%s{\"user\":{\"id\":\"5%017d\",\"username\":\"user%d\","
            "\"global_name\":null,\"avatar\":\"a%031d\",\"discriminator\":"
            "\"0\",\"public_flags\":0,\"bot\":false},",
            i ? "," : "", u, u, u);
        if (i % 10 == 0)
            put(b, "\"nick\":\"nick%d\",", u);
        else
            put(b, "\"nick\":null,");
        put(b, "\"roles\":[");
        for (int r = 0; r < i % 4; r++)
            put(b, "%s\"4%017d\"", r ? "," : "", k * 100 + 1 + (i + r) % ROLES);
        put(b, "],\"joined_at\":\"2021-03-04T05:06:07.000000+00:00\","
               "\"deaf\":false,\"mute\":false,\"flags\":0,\"pending\":false,"
               "\"communication_disabled_until\":null}");
    }
    put(b, "]}");
}

static double
rss_mb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Parse and apply every event; c NULL is the cache off. Returns the time
 * spent in dbot__cache_apply; *parse_s gets cJSON's share. */
static double
load(struct dbot__cache *c, double *parse_s)
{
    struct buf b = { malloc(1 << 20), 0, 1 << 20 };
    double apply = 0, parse = 0, t0;

    for (int k = 0; k < GUILDS; k++) {
        for (int step = 0; step < 2; step++) {
            cJSON *d;

            if (step == 0)
                guild_create(&b, k);
            else
                members_chunk(&b, k);
            t0 = now_s();
            d = cJSON_ParseWithLength(b.p, b.len);
            parse += now_s() - t0;
            if (!d)
                abort();
            t0 = now_s();
            dbot__cache_apply(c, step ? "GUILD_MEMBERS_CHUNK" : "GUILD_CREATE",
                              d, 0);
            apply += now_s() - t0;
            cJSON_Delete(d);
        }
    }
    free(b.p);
    *parse_s = parse;
    return apply;
}

static uint64_t
xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t
sid(int kind, long n)
{
    return (uint64_t)kind * 100000000000000000ULL + (uint64_t)n;
}

int
main(void)
{
    struct dbot__cache_config cfg;
    struct dbot__cache_stats st;
    struct dbot__cache *c;
    double apply[RUNS], parse[RUNS], p, rss_off, rss_on = 0, t0;
    double member_ns[RUNS], perm_ns[RUNS], off_ns;
    char err[128];
    cJSON *on = cJSON_Parse("true");
    uint64_t seed = 88172645463325252ULL, sink = 0, members = 0;
    size_t bytes_total = 0;

    if (dbot__config_cache(on, &cfg, err, sizeof err) < 0)
        return 1;
    cJSON_Delete(on);

    /* Cache off: the same events, parsed and dropped. */
    load(NULL, &p);
    malloc_trim(0);
    rss_off = rss_mb();
    {
        cJSON *d = cJSON_Parse("{\"id\":\"1\",\"channel_id\":\"2\"}");
        const int n = 10000000;

        t0 = now_s();
        for (int i = 0; i < n; i++)
            dbot__cache_apply(NULL, "MESSAGE_CREATE", d, 0);
        off_ns = (now_s() - t0) * 1e9 / n;
        cJSON_Delete(d);
    }

    for (int r = 0; r < RUNS; r++) {
        if (dbot__cache_new(&c, &cfg) < 0)
            return 1;
        apply[r] = load(c, &parse[r]);
        if (r == 0) {
            malloc_trim(0);
            rss_on = rss_mb();
            dbot__cache_stats(c, &st);
            members = st.entries[DBOT__CK_MEMBERS];
            for (int k = 0; k <= DBOT__CK_COUNT; k++)
                bytes_total += st.bytes[k];
        }
        {
            const int n = 1000000;
            dbot_cached_member m;
            uint64_t perms;

            t0 = now_s();
            for (int i = 0; i < n; i++) {
                long k = (long)(xorshift(&seed) % GUILDS);
                long u = k * MEMBERS + (long)(xorshift(&seed) % MEMBERS);

                sink +=
                    (uint64_t)dbot__cache_member(c, sid(2, k), sid(5, u), &m);
            }
            member_ns[r] = (now_s() - t0) * 1e9 / n;
            t0 = now_s();
            for (int i = 0; i < n; i++) {
                long k = (long)(xorshift(&seed) % GUILDS);
                long u = k * MEMBERS + (long)(xorshift(&seed) % MEMBERS);
                long ch = k * 100 + (long)(xorshift(&seed) % CHANNELS);

                sink += (uint64_t)dbot__cache_permissions(
                    c, sid(2, k), sid(3, ch), sid(5, u), 0, &perms);
            }
            perm_ns[r] = (now_s() - t0) * 1e9 / n;
        }
        dbot__cache_free(c);
    }
    if (sink != (uint64_t)RUNS * 2000000 || members != GUILDS * MEMBERS) {
        fprintf(stderr, "bench_cache: lookups missed (%llu, %llu members)\n",
                (unsigned long long)sink, (unsigned long long)members);
        return 1;
    }
    printf(
        "{\"bench\":\"cache\",\"guilds\":%d,\"members_per_guild\":%d,"
        "\"channels_per_guild\":%d,\"roles_per_guild\":%d,"
        "\"members\":%llu,\"users\":%llu,"
        "\"rss_off_mb\":%.1f,\"rss_on_mb\":%.1f,"
        "\"bytes_per_member_rss\":%.1f,\"bytes_total_accounted\":%zu,"
        "\"bytes_per_member_accounted\":%.1f,"
        "\"member_table_bytes_per_member\":%.1f,"
        "\"user_bytes_per_user\":%.1f,\"strings_bytes\":%llu,"
        "\"bytes_per_channel\":%.1f,\"bytes_per_role\":%.1f,"
        "\"bytes_per_guild\":%.1f,"
        "\"apply_s_median\":%.3f,\"floor_cjson_parse_s_median\":%.3f,"
        "\"lookup_member_ns_median\":%.1f,"
        "\"permissions_ns_median\":%.1f,\"cache_off_apply_ns\":%.2f}\n",
        GUILDS, MEMBERS, CHANNELS, ROLES + 1, (unsigned long long)members,
        (unsigned long long)st.entries[DBOT__CK_USERS], rss_off, rss_on,
        (rss_on - rss_off) * 1048576.0 / (double)members, bytes_total,
        (double)bytes_total / (double)members,
        (double)st.bytes[DBOT__CK_MEMBERS] / (double)members,
        (double)st.bytes[DBOT__CK_USERS] / (double)st.entries[DBOT__CK_USERS],
        (unsigned long long)st.bytes[DBOT__CACHE_STAT_STRINGS],
        (double)st.bytes[DBOT__CK_CHANNELS] /
            (double)st.entries[DBOT__CK_CHANNELS],
        (double)st.bytes[DBOT__CK_ROLES] / (double)st.entries[DBOT__CK_ROLES],
        (double)st.bytes[DBOT__CK_GUILDS] / (double)st.entries[DBOT__CK_GUILDS],
        median(apply, RUNS), median(parse, RUNS), median(member_ns, RUNS),
        median(perm_ns, RUNS), off_ns);
    return 0;
}
