/*
 * test_cache.c: the gateway cache fed Discord's documents directly: every
 * event kind, partial updates, member chunks, a resume's repeated events,
 * a re-identify's fresh READY, the bounds and the message eviction,
 * permissions from the cache, and the two tables underneath (idtable,
 * intern) against a plain reference.
 */
#include "cache.h"
#include "config.h"
#include "idtable.h"
#include "intern.h"

#include "../check.h"

#include <dbot/permissions.h>

#include <cjson/cJSON.h>

static void
apply(struct dbot__cache *c, const char *name, const char *json)
{
    cJSON *d = cJSON_Parse(json);

    ASSERT_TRUE(d != NULL);
    dbot__cache_apply(c, name, d, 0);
    cJSON_Delete(d);
}

static void
apply_shard(struct dbot__cache *c, int shard, const char *name,
            const char *json)
{
    cJSON *d = cJSON_Parse(json);

    ASSERT_TRUE(d != NULL);
    dbot__cache_apply(c, name, d, shard);
    cJSON_Delete(d);
}

static struct dbot__cache *
new_cache(const char *cfg_json)
{
    struct dbot__cache_config cfg;
    struct dbot__cache *c;
    char err[256] = "";
    cJSON *v = cJSON_Parse(cfg_json);

    ASSERT_EQ(dbot__config_cache(v, &cfg, err, sizeof err), 0);
    cJSON_Delete(v);
    ASSERT_EQ(dbot__cache_new(&c, &cfg), 0);
    return c;
}

static uint64_t
entries(const struct dbot__cache *c, int k)
{
    struct dbot__cache_stats st;

    dbot__cache_stats(c, &st);
    return st.entries[k];
}

static uint64_t
dropped(const struct dbot__cache *c, int k)
{
    struct dbot__cache_stats st;

    dbot__cache_stats(c, &st);
    return st.dropped[k];
}

#define GUILD_1                                                                \
    "{\"id\":\"100\",\"name\":\"Guild\",\"owner_id\":\"1\",\"member_count\":"  \
    "3,"                                                                       \
    "\"large\":false,"                                                         \
    "\"roles\":[{\"id\":\"100\",\"name\":\"@everyone\",\"permissions\":"       \
    "\"1024\",\"position\":0},"                                                \
    "{\"id\":\"201\",\"name\":\"mod\",\"permissions\":\"8192\",\"position\":"  \
    "1,\"hoist\":true},"                                                       \
    "{\"id\":\"202\",\"name\":\"admin\",\"permissions\":\"8\",\"position\":2}" \
    "],"                                                                       \
    "\"emojis\":[{\"id\":\"301\",\"name\":\"blob\",\"animated\":true}],"       \
    "\"channels\":[{\"id\":\"400\",\"type\":0,\"name\":\"general\","           \
    "\"position\":1,\"topic\":\"hi\",\"permission_overwrites\":["              \
    "{\"id\":\"100\",\"type\":0,\"allow\":\"0\",\"deny\":\"2048\"},"           \
    "{\"id\":\"201\",\"type\":0,\"allow\":\"2048\",\"deny\":\"0\"},"           \
    "{\"id\":\"12\",\"type\":1,\"allow\":\"0\",\"deny\":\"1024\"}]},"          \
    "{\"id\":\"401\",\"type\":2,\"name\":\"voice\"}],"                         \
    "\"threads\":[{\"id\":\"500\",\"type\":11,\"parent_id\":\"400\","          \
    "\"name\":\"t\",\"owner_id\":\"11\",\"thread_metadata\":{\"archived\":"    \
    "false,\"locked\":true}}],"                                                \
    "\"members\":["                                                            \
    "{\"user\":{\"id\":\"1\",\"username\":\"owner\"},\"roles\":[],"            \
    "\"joined_at\":\"2015-04-26T06:26:56.936000+00:00\"},"                     \
    "{\"user\":{\"id\":\"11\",\"username\":\"ann\",\"global_name\":\"Ann\","   \
    "\"avatar\":\"abc\"},\"nick\":\"annie\",\"roles\":[\"201\"],"              \
    "\"joined_at\":\"2020-01-01T00:00:00+00:00\"},"                            \
    "{\"user\":{\"id\":\"12\",\"username\":\"bob\",\"bot\":true},"             \
    "\"roles\":[\"202\",\"201\",\"202\"]}],"                                   \
    "\"voice_states\":[{\"user_id\":\"11\",\"channel_id\":\"401\","            \
    "\"self_mute\":true}],"                                                    \
    "\"presences\":[{\"user\":{\"id\":\"11\"},\"status\":\"idle\","            \
    "\"activities\":[{\"name\":\"chess\",\"type\":0}]}]}"

static void
test_guild_create(void)
{
    struct dbot__cache *c = new_cache("{\"presences\":true}");
    dbot_cached_guild g;
    dbot_cached_channel ch;
    dbot_cached_member m;
    dbot_cached_role r;
    dbot_cached_user u;
    dbot_cached_emoji e;
    dbot_cached_voice_state vs;
    dbot_cached_presence p;

    apply(c, "READY",
          "{\"user\":{\"id\":\"999\",\"username\":\"me\",\"bot\":true},"
          "\"guilds\":[{\"id\":\"100\",\"unavailable\":true}]}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.unavailable, 1);
    ASSERT_TRUE(g.name == NULL);
    apply(c, "GUILD_CREATE", GUILD_1);
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.unavailable, 0);
    ASSERT_STREQ(g.name, "Guild");
    ASSERT_EQ(g.owner_id, 1);
    ASSERT_EQ(g.member_count, 3);

    ASSERT_EQ(dbot__cache_channel(c, 400, &ch), 1);
    ASSERT_STREQ(ch.name, "general");
    ASSERT_STREQ(ch.topic, "hi");
    ASSERT_EQ(ch.guild_id, 100);
    ASSERT_EQ(dbot__cache_channel(c, 500, &ch), 1); /* a thread */
    ASSERT_EQ(ch.type, 11);
    ASSERT_EQ(ch.parent_id, 400);
    ASSERT_EQ(ch.locked, 1);
    ASSERT_EQ(ch.archived, 0);

    ASSERT_EQ(dbot__cache_role(c, 201, &r), 1);
    ASSERT_STREQ(r.name, "mod");
    ASSERT_EQ(r.permissions, 8192);
    ASSERT_EQ(r.hoist, 1);
    ASSERT_EQ(r.guild_id, 100);

    ASSERT_EQ(dbot__cache_member(c, 100, 11, &m), 1);
    ASSERT_STREQ(m.nick, "annie");
    ASSERT_STREQ(m.user.username, "ann");
    ASSERT_STREQ(m.user.global_name, "Ann");
    ASSERT_EQ(m.nroles, 1);
    ASSERT_EQ(m.role_ids[0], 201);
    ASSERT_EQ(m.joined_at, 1577836800);
    ASSERT_EQ(dbot__cache_member(c, 100, 12, &m), 1);
    ASSERT_EQ(m.nroles, 2); /* sorted, duplicates gone */
    ASSERT_EQ(m.role_ids[0], 201);
    ASSERT_EQ(m.role_ids[1], 202);
    ASSERT_EQ(m.user.bot, 1);
    ASSERT_EQ(dbot__cache_member(c, 100, 1, &m), 1);
    ASSERT_EQ(m.joined_at, 1430029616);

    ASSERT_EQ(dbot__cache_user(c, 999, &u), 1); /* the bot, from READY */
    ASSERT_STREQ(u.username, "me");
    ASSERT_EQ(dbot__cache_emoji(c, 301, &e), 1);
    ASSERT_STREQ(e.name, "blob");
    ASSERT_EQ(e.animated, 1);
    ASSERT_EQ(e.available, 1);
    ASSERT_EQ(dbot__cache_voice_state(c, 100, 11, &vs), 1);
    ASSERT_EQ(vs.channel_id, 401);
    ASSERT_EQ(vs.self_mute, 1);
    ASSERT_EQ(dbot__cache_presence(c, 100, 11, &p), 1);
    ASSERT_STREQ(p.status, "idle");
    ASSERT_STREQ(p.activity_name, "chess");
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 3);
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 4);
    dbot__cache_free(c);
}

static void
test_permissions(void)
{
    struct dbot__cache *c = new_cache("true");
    uint64_t p;

    apply(c, "GUILD_CREATE", GUILD_1);
    /* Owner: everything, even where overwrites deny. */
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 1, 0, &p), 1);
    ASSERT_EQ(p, DBOT_PERM_ALL);
    /* ann: @everyone VIEW (1024) | mod MANAGE_MESSAGES (8192); in #general
     * @everyone is denied SEND (2048) but mod allows it back. */
    ASSERT_EQ(dbot__cache_permissions(c, 100, 0, 11, 0, &p), 1);
    ASSERT_EQ(p, 1024 | 8192);
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 11, 0, &p), 1);
    ASSERT_EQ(p, 1024 | 8192 | 2048);
    /* A thread uses its parent's overwrites. */
    ASSERT_EQ(dbot__cache_permissions(c, 100, 500, 11, 0, &p), 1);
    ASSERT_EQ(p, 1024 | 8192 | 2048);
    /* bob has admin: everything, the member deny notwithstanding. */
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 12, 0, &p), 1);
    ASSERT_EQ(p, DBOT_PERM_ALL);
    /* Take admin away (a partial member update): the member overwrite
     * denying VIEW_CHANNEL applies now. */
    apply(
        c, "GUILD_MEMBER_UPDATE",
        "{\"guild_id\":\"100\",\"user\":{\"id\":\"12\"},\"roles\":[\"201\"]}");
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 12, 0, &p), 1);
    ASSERT_EQ(p, 8192 | 2048);
    /* A timed-out member keeps VIEW_CHANNEL and READ_MESSAGE_HISTORY. */
    apply(c, "GUILD_MEMBER_UPDATE",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"11\"},"
          "\"communication_disabled_until\":\"2030-01-01T00:00:00+00:00\"}");
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 11, 1700000000, &p), 1);
    ASSERT_EQ(p, 1024);
    ASSERT_EQ(dbot__cache_permissions(c, 100, 400, 11, 1900000000, &p), 1);
    ASSERT_EQ(p, 1024 | 8192 | 2048); /* the timeout is over */
    /* A deleted role no longer counts. */
    apply(c, "GUILD_ROLE_DELETE", "{\"guild_id\":\"100\",\"role_id\":\"201\"}");
    ASSERT_EQ(dbot__cache_permissions(c, 100, 0, 12, 0, &p), 1);
    ASSERT_EQ(p, 1024);
    /* Unknown member, channel or guild: nothing to compute from. */
    ASSERT_EQ(dbot__cache_permissions(c, 100, 0, 77, 0, &p), 0);
    ASSERT_EQ(dbot__cache_permissions(c, 100, 999, 11, 0, &p), 0);
    ASSERT_EQ(dbot__cache_permissions(c, 7, 0, 11, 0, &p), 0);
    dbot__cache_free(c);
}

static void
test_partial_updates(void)
{
    struct dbot__cache *c = new_cache("{\"presences\":true,\"messages\":10}");
    dbot_cached_guild g;
    dbot_cached_channel ch;
    dbot_cached_member m;
    dbot_cached_user u;
    dbot_cached_message msg;
    dbot_cached_presence p;

    apply(c, "GUILD_CREATE", GUILD_1);
    /* GUILD_UPDATE: the fields sent change, the others stay. */
    apply(c, "GUILD_UPDATE", "{\"id\":\"100\",\"name\":\"Renamed\"}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_STREQ(g.name, "Renamed");
    ASSERT_EQ(g.owner_id, 1);
    ASSERT_EQ(g.member_count, 3);
    /* A null clears, an absent field stays. */
    apply(c, "CHANNEL_UPDATE",
          "{\"id\":\"400\",\"guild_id\":\"100\",\"type\":0,\"topic\":null}");
    ASSERT_EQ(dbot__cache_channel(c, 400, &ch), 1);
    ASSERT_TRUE(ch.topic == NULL);
    ASSERT_STREQ(ch.name, "general");
    /* Member update with a nick null: cleared; user fields merge. */
    apply(c, "GUILD_MEMBER_UPDATE",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"11\",\"username\":"
          "\"ann2\"},\"nick\":null,\"roles\":[\"201\",\"202\"]}");
    ASSERT_EQ(dbot__cache_member(c, 100, 11, &m), 1);
    ASSERT_TRUE(m.nick == NULL);
    ASSERT_STREQ(m.user.username, "ann2");
    ASSERT_STREQ(m.user.global_name, "Ann"); /* not sent: kept */
    ASSERT_EQ(m.nroles, 2);
    /* USER_UPDATE and a presence's partial user merge too. */
    apply(c, "USER_UPDATE", "{\"id\":\"12\",\"username\":\"robert\"}");
    ASSERT_EQ(dbot__cache_user(c, 12, &u), 1);
    ASSERT_STREQ(u.username, "robert");
    apply(c, "PRESENCE_UPDATE",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"12\",\"avatar\":\"zz\"},"
          "\"status\":\"dnd\",\"activities\":[]}");
    ASSERT_EQ(dbot__cache_user(c, 12, &u), 1);
    ASSERT_STREQ(u.username, "robert");
    ASSERT_STREQ(u.avatar, "zz"); /* not a hash: kept as a string */
    /* A real hash is kept as 16 bytes and comes back as text. */
    apply(c, "USER_UPDATE",
          "{\"id\":\"12\",\"avatar\":\"a_0123456789abcdef0123456789abcdef\"}");
    ASSERT_EQ(dbot__cache_user(c, 12, &u), 1);
    ASSERT_STREQ(u.avatar, "a_0123456789abcdef0123456789abcdef");
    apply(c, "USER_UPDATE",
          "{\"id\":\"12\",\"avatar\":\"ffffffffffffffffffffffffffffff00\"}");
    ASSERT_EQ(dbot__cache_user(c, 12, &u), 1);
    ASSERT_STREQ(u.avatar, "ffffffffffffffffffffffffffffff00");
    apply(c, "USER_UPDATE", "{\"id\":\"12\",\"avatar\":null}");
    ASSERT_EQ(dbot__cache_user(c, 12, &u), 1);
    ASSERT_STREQ(u.avatar, "");
    ASSERT_EQ(dbot__cache_presence(c, 100, 12, &p), 1);
    ASSERT_STREQ(p.status, "dnd");
    ASSERT_TRUE(p.activity_name == NULL);
    apply(c, "PRESENCE_UPDATE",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"12\"},\"status\":"
          "\"offline\"}");
    ASSERT_EQ(dbot__cache_presence(c, 100, 12, &p), 0);
    /* MESSAGE_UPDATE may carry only what changed. */
    apply(c, "MESSAGE_CREATE",
          "{\"id\":\"7001\",\"channel_id\":\"400\",\"guild_id\":\"100\","
          "\"author\":{\"id\":\"11\",\"username\":\"ann2\"},\"content\":"
          "\"hello\",\"type\":0,\"pinned\":false,\"edited_timestamp\":null,"
          "\"member\":{\"nick\":\"A\",\"roles\":[\"201\",\"202\"]}}");
    ASSERT_EQ(dbot__cache_member(c, 100, 11, &m), 1);
    ASSERT_STREQ(m.nick, "A"); /* the author's partial member */
    apply(c, "MESSAGE_UPDATE",
          "{\"id\":\"7001\",\"channel_id\":\"400\",\"pinned\":true}");
    ASSERT_EQ(dbot__cache_message(c, 400, 7001, &msg), 1);
    ASSERT_STREQ(msg.content, "hello");
    ASSERT_EQ(msg.pinned, 1);
    ASSERT_EQ(msg.edited, 0);
    apply(c, "MESSAGE_UPDATE",
          "{\"id\":\"7001\",\"channel_id\":\"400\",\"content\":\"hi!\","
          "\"edited_timestamp\":\"2026-01-01T00:00:00+00:00\"}");
    ASSERT_EQ(dbot__cache_message(c, 400, 7001, &msg), 1);
    ASSERT_STREQ(msg.content, "hi!");
    ASSERT_EQ(msg.edited, 1);
    ASSERT_EQ(msg.author_id, 11);
    dbot__cache_free(c);
}

static void
test_channels_threads_roles_emojis_voice(void)
{
    struct dbot__cache *c = new_cache("true");
    dbot_cached_channel ch;
    dbot_cached_role r;
    dbot_cached_emoji e;
    dbot_cached_voice_state vs;
    dbot_cached_member m;

    apply(c, "GUILD_CREATE", GUILD_1);
    apply(c, "CHANNEL_CREATE",
          "{\"id\":\"402\",\"guild_id\":\"100\",\"type\":0,\"name\":\"new\","
          "\"nsfw\":true,\"rate_limit_per_user\":5}");
    ASSERT_EQ(dbot__cache_channel(c, 402, &ch), 1);
    ASSERT_EQ(ch.nsfw, 1);
    ASSERT_EQ(ch.rate_limit_per_user, 5);
    apply(c, "CHANNEL_DELETE", "{\"id\":\"402\",\"guild_id\":\"100\"}");
    ASSERT_EQ(dbot__cache_channel(c, 402, &ch), 0);
    /* A guild not cached keeps no channels (nothing would remove them). */
    apply(c, "CHANNEL_CREATE",
          "{\"id\":\"403\",\"guild_id\":\"777\",\"type\":0,\"name\":\"x\"}");
    ASSERT_EQ(dbot__cache_channel(c, 403, &ch), 0);
    apply(c, "THREAD_CREATE",
          "{\"id\":\"503\",\"guild_id\":\"777\",\"type\":11}");
    ASSERT_EQ(dbot__cache_channel(c, 503, &ch), 0);
    /* A DM channel belongs to no guild. */
    apply(c, "CHANNEL_CREATE", "{\"id\":\"404\",\"type\":1}");
    ASSERT_EQ(dbot__cache_channel(c, 404, &ch), 1);
    ASSERT_EQ(ch.guild_id, 0);

    apply(c, "THREAD_CREATE",
          "{\"id\":\"501\",\"guild_id\":\"100\",\"parent_id\":\"400\","
          "\"type\":11,\"name\":\"t2\",\"member_count\":1}");
    ASSERT_EQ(dbot__cache_channel(c, 501, &ch), 1);
    apply(c, "THREAD_UPDATE",
          "{\"id\":\"501\",\"guild_id\":\"100\",\"thread_metadata\":"
          "{\"archived\":true}}");
    ASSERT_EQ(dbot__cache_channel(c, 501, &ch), 1);
    ASSERT_EQ(ch.archived, 1);
    ASSERT_STREQ(ch.name, "t2");
    apply(c, "THREAD_MEMBERS_UPDATE",
          "{\"id\":\"501\",\"guild_id\":\"100\",\"member_count\":4}");
    ASSERT_EQ(dbot__cache_channel(c, 501, &ch), 1);
    ASSERT_EQ(ch.member_count, 4);
    ASSERT_EQ(ch.joined, 0);
    apply(c, "THREAD_MEMBER_UPDATE",
          "{\"id\":\"501\",\"guild_id\":\"100\",\"user_id\":\"999\"}");
    ASSERT_EQ(dbot__cache_channel(c, 501, &ch), 1);
    ASSERT_EQ(ch.joined, 1);
    apply(c, "THREAD_DELETE",
          "{\"id\":\"501\",\"guild_id\":\"100\",\"parent_id\":\"400\","
          "\"type\":11}");
    ASSERT_EQ(dbot__cache_channel(c, 501, &ch), 0);
    /* THREAD_LIST_SYNC for parent 400: 500 was not sent, so it goes; the
     * listed one comes, with the bot's membership. */
    apply(c, "THREAD_LIST_SYNC",
          "{\"guild_id\":\"100\",\"channel_ids\":[\"400\"],\"threads\":"
          "[{\"id\":\"502\",\"parent_id\":\"400\",\"type\":11,\"name\":"
          "\"t3\"}],\"members\":[{\"id\":\"502\",\"user_id\":\"999\"}]}");
    ASSERT_EQ(dbot__cache_channel(c, 500, &ch), 0);
    ASSERT_EQ(dbot__cache_channel(c, 502, &ch), 1);
    ASSERT_EQ(ch.joined, 1);
    ASSERT_EQ(ch.guild_id, 100);

    apply(c, "GUILD_ROLE_CREATE",
          "{\"guild_id\":\"100\",\"role\":{\"id\":\"203\",\"name\":\"x\","
          "\"permissions\":\"16\",\"color\":255}}");
    ASSERT_EQ(dbot__cache_role(c, 203, &r), 1);
    ASSERT_EQ(r.color, 255);
    apply(c, "GUILD_ROLE_UPDATE",
          "{\"guild_id\":\"100\",\"role\":{\"id\":\"203\",\"name\":\"y\"}}");
    ASSERT_EQ(dbot__cache_role(c, 203, &r), 1);
    ASSERT_STREQ(r.name, "y");
    ASSERT_EQ(r.permissions, 16);
    apply(c, "GUILD_ROLE_DELETE", "{\"guild_id\":\"100\",\"role_id\":\"203\"}");
    ASSERT_EQ(dbot__cache_role(c, 203, &r), 0);

    apply(c, "GUILD_EMOJIS_UPDATE",
          "{\"guild_id\":\"100\",\"emojis\":[{\"id\":\"302\",\"name\":"
          "\"new\",\"available\":false}]}");
    ASSERT_EQ(dbot__cache_emoji(c, 301, &e), 0); /* the set is replaced */
    ASSERT_EQ(dbot__cache_emoji(c, 302, &e), 1);
    ASSERT_EQ(e.available, 0);

    apply(c, "VOICE_STATE_UPDATE",
          "{\"guild_id\":\"100\",\"channel_id\":\"401\",\"user_id\":\"13\","
          "\"deaf\":true,\"member\":{\"user\":{\"id\":\"13\",\"username\":"
          "\"cid\"},\"roles\":[]}}");
    ASSERT_EQ(dbot__cache_voice_state(c, 100, 13, &vs), 1);
    ASSERT_EQ(vs.deaf, 1);
    ASSERT_EQ(dbot__cache_member(c, 100, 13, &m), 1);
    apply(c, "VOICE_STATE_UPDATE",
          "{\"guild_id\":\"100\",\"channel_id\":null,\"user_id\":\"13\"}");
    ASSERT_EQ(dbot__cache_voice_state(c, 100, 13, &vs), 0);
    dbot__cache_free(c);
}

static void
test_members_and_chunks(void)
{
    struct dbot__cache *c = new_cache("true");
    dbot_cached_guild g;
    dbot_cached_member m;
    dbot_cached_user u;
    char buf[4096];

    apply(c, "GUILD_CREATE", GUILD_1);
    apply(c, "GUILD_MEMBER_ADD",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"20\",\"username\":\"d\"},"
          "\"roles\":[],\"joined_at\":\"2026-01-01T00:00:00.000+00:00\"}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.member_count, 4);
    /* Delivered twice (Discord may): counted once. */
    apply(c, "GUILD_MEMBER_ADD",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"20\",\"username\":\"d\"},"
          "\"roles\":[]}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.member_count, 4);
    apply(c, "GUILD_MEMBER_REMOVE",
          "{\"guild_id\":\"100\",\"user\":{\"id\":\"20\"}}");
    ASSERT_EQ(dbot__cache_member(c, 100, 20, &m), 0);
    ASSERT_EQ(dbot__cache_user(c, 20, &u), 0); /* in no guild any more */
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.member_count, 3);

    /* Two chunks of a members request; a user in two guilds is one user. */
    apply(c, "GUILD_CREATE",
          "{\"id\":\"101\",\"name\":\"G2\",\"member_count\":3,\"roles\":[],"
          "\"channels\":[],\"members\":[]}");
    apply(c, "GUILD_MEMBERS_CHUNK",
          "{\"guild_id\":\"101\",\"chunk_index\":0,\"chunk_count\":2,"
          "\"nonce\":\"n1\",\"members\":[{\"user\":{\"id\":\"11\","
          "\"username\":\"ann\"},\"roles\":[]},{\"user\":{\"id\":\"30\","
          "\"username\":\"e\"},\"roles\":[]}]}");
    apply(c, "GUILD_MEMBERS_CHUNK",
          "{\"guild_id\":\"101\",\"chunk_index\":1,\"chunk_count\":2,"
          "\"nonce\":\"n1\",\"members\":[{\"user\":{\"id\":\"31\","
          "\"username\":\"f\"},\"roles\":[]}],\"not_found\":[\"32\"]}");
    ASSERT_EQ(dbot__cache_member(c, 101, 11, &m), 1);
    ASSERT_EQ(dbot__cache_member(c, 101, 31, &m), 1);
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 6);
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 5); /* 1, 11, 12, 30, 31 */
    /* A big chunk. */
    {
        size_t n = (size_t)snprintf(buf, sizeof buf,
                                    "{\"guild_id\":\"101\",\"members\":[");

        for (int i = 0; i < 40; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n,
                                  "%s{\"user\":{\"id\":\"%d\",\"username\":"
                                  "\"u%d\"},\"roles\":[\"5\"]}",
                                  i ? "," : "", 1000 + i, i);
        snprintf(buf + n, sizeof buf - n, "]}");
        apply(c, "GUILD_MEMBERS_CHUNK", buf);
    }
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 46);
    ASSERT_EQ(dbot__cache_member(c, 101, 1039, &m), 1);
    ASSERT_STREQ(m.user.username, "u39");
    dbot__cache_free(c);
}

/* A fresh READY (re-identify) drops what the shard had; outages keep. */
static void
test_ready_and_outages(void)
{
    struct dbot__cache *c = new_cache("{\"messages\":5}");
    dbot_cached_guild g;
    dbot_cached_channel ch;
    dbot_cached_member m;
    dbot_cached_message msg;

    apply(c, "READY",
          "{\"user\":{\"id\":\"999\",\"username\":\"me\"},"
          "\"guilds\":[{\"id\":\"100\",\"unavailable\":true}]}");
    apply(c, "GUILD_CREATE", GUILD_1);
    apply(c, "MESSAGE_CREATE",
          "{\"id\":\"7001\",\"channel_id\":\"400\",\"guild_id\":\"100\","
          "\"author\":{\"id\":\"11\"},\"content\":\"x\"}");
    /* Outage: kept, marked unavailable; back: rebuilt from the document. */
    apply(c, "GUILD_DELETE", "{\"id\":\"100\",\"unavailable\":true}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.unavailable, 1);
    ASSERT_EQ(dbot__cache_member(c, 100, 11, &m), 1);
    apply(c, "GUILD_CREATE",
          "{\"id\":\"100\",\"name\":\"Back\",\"roles\":[{\"id\":\"100\","
          "\"permissions\":\"0\"}],\"channels\":[{\"id\":\"400\",\"type\":0,"
          "\"name\":\"general\"}],\"members\":[{\"user\":{\"id\":\"11\"},"
          "\"roles\":[]}]}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1);
    ASSERT_EQ(g.unavailable, 0);
    ASSERT_STREQ(g.name, "Back");
    ASSERT_EQ(dbot__cache_member(c, 100, 12, &m), 0); /* stale: gone */
    ASSERT_EQ(dbot__cache_channel(c, 401, &ch), 0);
    ASSERT_EQ(dbot__cache_message(c, 400, 7001, &msg), 0);
    ASSERT_EQ(entries(c, DBOT__CK_ROLES), 1);

    apply(c, "CHANNEL_CREATE", "{\"id\":\"404\",\"type\":1}"); /* a DM */
    ASSERT_EQ(dbot__cache_channel(c, 404, &ch), 1);
    /* Re-identify: READY lists guild 101 only; 100 and all it had go, and
     * the DMs (shard 0's). */
    apply(c, "READY",
          "{\"user\":{\"id\":\"999\",\"username\":\"me\"},"
          "\"guilds\":[{\"id\":\"101\",\"unavailable\":true}]}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 0);
    ASSERT_EQ(dbot__cache_channel(c, 400, &ch), 0);
    ASSERT_EQ(dbot__cache_channel(c, 404, &ch), 0);
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 0);
    ASSERT_EQ(entries(c, DBOT__CK_ROLES), 0);
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 1); /* the bot itself */
    ASSERT_EQ(entries(c, DBOT__CK_GUILDS), 1);
    /* Left the guild: everything goes. */
    apply(c, "GUILD_CREATE", GUILD_1);
    apply(c, "GUILD_DELETE", "{\"id\":\"100\"}");
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 0);
    ASSERT_EQ(entries(c, DBOT__CK_CHANNELS), 0);
    ASSERT_EQ(entries(c, DBOT__CK_THREADS), 0);
    ASSERT_EQ(entries(c, DBOT__CK_EMOJIS), 0);
    ASSERT_EQ(entries(c, DBOT__CK_VOICE), 0);
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 1);
    dbot__cache_free(c);
}

/* A fresh READY on one shard leaves the other shards' guilds alone. */
static void
test_ready_per_shard(void)
{
    struct dbot__cache *c = new_cache("true");
    dbot_cached_guild g;
    dbot_cached_channel ch;
    dbot_cached_member m;

    apply_shard(c, 0, "GUILD_CREATE", GUILD_1);
    apply_shard(c, 1, "GUILD_CREATE",
                "{\"id\":\"101\",\"name\":\"G2\",\"channels\":[{\"id\":"
                "\"410\",\"type\":0}],\"members\":[{\"user\":{\"id\":\"11\"},"
                "\"roles\":[]}]}");
    ASSERT_EQ(dbot__cache_guild(c, 101, &g), 1);
    ASSERT_EQ(g.shard_id, 1);
    apply_shard(c, 1, "READY", "{\"guilds\":[]}");
    ASSERT_EQ(dbot__cache_guild(c, 101, &g), 0);
    ASSERT_EQ(dbot__cache_channel(c, 410, &ch), 0);
    ASSERT_EQ(dbot__cache_guild(c, 100, &g), 1); /* shard 0's */
    ASSERT_EQ(dbot__cache_channel(c, 400, &ch), 1);
    ASSERT_EQ(dbot__cache_member(c, 100, 11, &m), 1);
    ASSERT_STREQ(m.user.username, "ann"); /* the shared user stays */
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 3);
    dbot__cache_free(c);
}

static void
message(struct dbot__cache *c, int id, int channel)
{
    char buf[256];

    snprintf(buf, sizeof buf,
             "{\"id\":\"%d\",\"channel_id\":\"%d\",\"author\":{\"id\":\"11\","
             "\"username\":\"ann\"},\"content\":\"m%d\"}",
             id, channel, id);
    apply(c, "MESSAGE_CREATE", buf);
}

/* The newest N per channel, a total bound, deletes; replay adds nothing. */
static void
test_messages_eviction(void)
{
    struct dbot__cache *c =
        new_cache("{\"messages\":3,\"max_messages\":5,\"users\":true}");
    dbot_cached_message m;

    for (int i = 1; i <= 5; i++)
        message(c, i, 400);
    ASSERT_EQ(entries(c, DBOT__CK_MESSAGES), 3);
    ASSERT_EQ(dbot__cache_message(c, 400, 2, &m), 0); /* evicted */
    ASSERT_EQ(dbot__cache_message(c, 400, 3, &m), 1);
    ASSERT_STREQ(m.content, "m3");
    ASSERT_EQ(dbot__cache_message(c, 401, 3, &m), 0); /* wrong channel */
    /* A replay after a resume: the same ids, nothing added or evicted. */
    for (int i = 3; i <= 5; i++)
        message(c, i, 400);
    ASSERT_EQ(entries(c, DBOT__CK_MESSAGES), 3);
    ASSERT_EQ(dbot__cache_message(c, 400, 3, &m), 1);
    /* Total bound 5: the 6th message of another channel is refused. */
    message(c, 10, 401);
    message(c, 11, 401);
    message(c, 12, 401);
    ASSERT_EQ(entries(c, DBOT__CK_MESSAGES), 5);
    ASSERT_EQ(dropped(c, DBOT__CK_MESSAGES), 1);
    apply(c, "MESSAGE_DELETE", "{\"id\":\"4\",\"channel_id\":\"400\"}");
    ASSERT_EQ(dbot__cache_message(c, 400, 4, &m), 0);
    apply(c, "MESSAGE_DELETE_BULK",
          "{\"ids\":[\"3\",\"5\",\"99\"],\"channel_id\":\"400\"}");
    ASSERT_EQ(entries(c, DBOT__CK_MESSAGES), 2);
    /* The author's user lives while a message holds it. */
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 1);
    apply(c, "MESSAGE_DELETE_BULK",
          "{\"ids\":[\"10\",\"11\"],\"channel_id\":\"401\"}");
    ASSERT_EQ(entries(c, DBOT__CK_USERS), 0);
    dbot__cache_free(c);
}

static void
test_bounds(void)
{
    struct dbot__cache *c =
        new_cache("{\"members\":2,\"users\":2,\"channels\":1,\"guilds\":1}");
    dbot_cached_guild g;

    apply(c, "GUILD_CREATE", GUILD_1);
    ASSERT_EQ(entries(c, DBOT__CK_MEMBERS), 2);
    ASSERT_EQ(dropped(c, DBOT__CK_MEMBERS), 1);
    ASSERT_EQ(entries(c, DBOT__CK_CHANNELS), 1);
    ASSERT_EQ(dropped(c, DBOT__CK_CHANNELS), 1);
    apply(c, "GUILD_CREATE", "{\"id\":\"101\",\"name\":\"G2\"}");
    ASSERT_EQ(dbot__cache_guild(c, 101, &g), 0);
    ASSERT_EQ(dropped(c, DBOT__CK_GUILDS), 1);
    /* Kinds that are off keep nothing. */
    ASSERT_EQ(dbot__cache_has(c, DBOT__CK_PRESENCES), 0);
    ASSERT_EQ(dbot__cache_has(c, DBOT__CK_MESSAGES), 0);
    ASSERT_EQ(entries(c, DBOT__CK_PRESENCES), 0);
    dbot__cache_free(c);
}

/* Bad documents: ignored, never a crash. */
static void
test_bad_input(void)
{
    struct dbot__cache *c = new_cache("{\"presences\":true,\"messages\":2}");
    static const char *const names[] = {
        "READY",
        "GUILD_CREATE",
        "GUILD_UPDATE",
        "GUILD_DELETE",
        "CHANNEL_CREATE",
        "CHANNEL_DELETE",
        "THREAD_CREATE",
        "THREAD_LIST_SYNC",
        "THREAD_MEMBERS_UPDATE",
        "GUILD_ROLE_CREATE",
        "GUILD_MEMBER_ADD",
        "GUILD_MEMBERS_CHUNK",
        "USER_UPDATE",
        "GUILD_EMOJIS_UPDATE",
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_DELETE_BULK",
        "PRESENCE_UPDATE",
        "VOICE_STATE_UPDATE",
    };
    static const char *const docs[] = {
        "{}",
        "{\"id\":5,\"guild_id\":\"x\",\"members\":7,\"user\":[]}",
        "{\"id\":\"18446744073709551616\",\"roles\":\"no\"}",
        "{\"id\":\"-1\",\"channel_id\":{},\"author\":null}",
        "{\"guild_id\":\"100\",\"members\":[1,null,{\"user\":{}}],"
        "\"threads\":[{}],\"emojis\":[{\"id\":null}]}",
        "{\"id\":\"1\",\"channel_id\":\"2\",\"joined_at\":\"garbage\","
        "\"status\":7,\"activities\":{}}",
    };

    apply(c, "GUILD_CREATE", GUILD_1);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t j = 0; j < sizeof docs / sizeof docs[0]; j++)
            apply(c, names[i], docs[j]);
    dbot__cache_apply(c, "GUILD_CREATE", NULL, 0);
    dbot__cache_apply(NULL, "GUILD_CREATE", NULL, 0);
    dbot__cache_free(c);
}

static void
test_config(void)
{
    struct dbot__cache_config cfg;
    char err[256];
    static const struct {
        const char *json;
        int ok;
    } cases[] = {
        { "false", 1 },
        { "null", 1 },
        { "true", 1 },
        { "{\"members\":10}", 1 },
        { "{\"memberz\":10}", 0 },
        { "{\"members\":-1}", 0 },
        { "{\"members\":1.5}", 0 },
        { "{\"guilds\":false,\"members\":5}", 0 },
        { "{\"guilds\":false,\"roles\":0,\"members\":0,\"emojis\":0,"
          "\"voice_states\":0}",
          1 },
        { "7", 0 },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *v = cJSON_Parse(cases[i].json);

        err[0] = 0;
        ASSERT_EQ(dbot__config_cache(v, &cfg, err, sizeof err) == 0,
                  cases[i].ok);
        if (!cases[i].ok)
            ASSERT_CONTAINS(err, "cache");
        cJSON_Delete(v);
    }
    {
        cJSON *v = cJSON_Parse("{\"messages\":20,\"presences\":true}");

        ASSERT_EQ(dbot__config_cache(v, &cfg, err, sizeof err), 0);
        ASSERT_EQ(cfg.on, 1);
        ASSERT_EQ(cfg.messages_per_channel, 20);
        ASSERT_GE(cfg.max[DBOT__CK_MESSAGES], 1);
        ASSERT_GE(cfg.max[DBOT__CK_PRESENCES], 1);
        ASSERT_GE(cfg.max[DBOT__CK_MEMBERS], 1);
        cJSON_Delete(v);
        v = cJSON_Parse("true");
        ASSERT_EQ(dbot__config_cache(v, &cfg, err, sizeof err), 0);
        ASSERT_EQ(cfg.max[DBOT__CK_PRESENCES], 0);
        ASSERT_EQ(cfg.max[DBOT__CK_MESSAGES], 0);
        cJSON_Delete(v);
    }
}

/* The tables underneath, against a plain array, through growth and
 * deletions in every order (backward-shift deletion is easy to get
 * wrong). */
static void
test_idtable(void)
{
    struct dbot__idtable t;
    static uint8_t present[4096];
    uint32_t seed = 12345;

    dbot__idt_init(&t, 16);
    for (int round = 0; round < 200000; round++) {
        uint64_t id;
        int created;

        seed = seed * 1103515245 + 12345;
        id = 1 + (seed >> 8) % 4096;
        if ((seed >> 4) & 1) {
            uint64_t *r = dbot__idt_put(&t, id << 22, &created);

            ASSERT_TRUE(r != NULL);
            ASSERT_EQ(created, !present[id - 1]);
            r[1] = id;
            present[id - 1] = 1;
        } else {
            ASSERT_EQ(dbot__idt_del(&t, id << 22), present[id - 1]);
            present[id - 1] = 0;
        }
    }
    for (uint64_t id = 1; id <= 4096; id++) {
        uint64_t *r = dbot__idt_get(&t, id << 22);

        ASSERT_EQ(r != NULL, present[id - 1]);
        if (r)
            ASSERT_EQ(r[1], id);
    }
    ASSERT_TRUE(dbot__idt_get(&t, 0) == NULL);
    dbot__idt_free(&t);
}

static void
test_intern(void)
{
    struct dbot__intern in;
    uint32_t a, b, c2, big;
    char long_s[100];
    size_t len;

    dbot__intern_init(&in);
    a = dbot__intern_str(&in, "alpha", 5);
    b = dbot__intern_str(&in, "alpha", 5);
    ASSERT_EQ(a, b);
    c2 = dbot__intern_str(&in, "beta", 4);
    ASSERT_NE(a, c2);
    memset(long_s, 'x', sizeof long_s);
    big = dbot__intern_add(&in, long_s, sizeof long_s);
    ASSERT_EQ(dbot__intern_add(&in, long_s, sizeof long_s), big);
    ASSERT_TRUE(memcmp(dbot__intern_data(&in, big, &len), long_s, 100) == 0);
    ASSERT_EQ(len, 100);
    ASSERT_EQ(dbot__intern_add(&in, "", 0), 0);
    dbot__intern_unref(&in, a);
    ASSERT_STREQ(dbot__intern_data(&in, b, NULL), "alpha");
    dbot__intern_unref(&in, b);
    ASSERT_TRUE(dbot__intern_data(&in, a, NULL) == NULL);
    ASSERT_STREQ(dbot__intern_data(&in, c2, NULL), "beta");
    dbot__intern_unref(&in, big);
    dbot__intern_unref(&in, big);
    ASSERT_EQ(in.count, 1);
    ASSERT_EQ(in.heap, 0);
    /* Many, freed in another order: the index stays consistent. */
    for (int i = 0; i < 5000; i++) {
        char s[32];

        snprintf(s, sizeof s, "name-%d", i);
        ASSERT_NE(dbot__intern_str(&in, s, strlen(s)), 0);
    }
    for (int i = 0; i < 5000; i += 2) {
        char s[32];
        uint32_t id;

        snprintf(s, sizeof s, "name-%d", i);
        id = dbot__intern_str(&in, s, strlen(s));
        dbot__intern_unref(&in, id);
        dbot__intern_unref(&in, id);
    }
    ASSERT_EQ(in.count, 2501);
    for (int i = 1; i < 5000; i += 2) {
        char s[32];
        uint32_t id;

        snprintf(s, sizeof s, "name-%d", i);
        id = dbot__intern_str(&in, s, strlen(s));
        ASSERT_STREQ(dbot__intern_data(&in, id, NULL), s);
        ASSERT_EQ(in.v[id - 1].ref, 2);
    }
    dbot__intern_free(&in);
}

int
main(void)
{
    test_guild_create();
    test_permissions();
    test_partial_updates();
    test_channels_threads_roles_emojis_voice();
    test_members_and_chunks();
    test_ready_and_outages();
    test_ready_per_shard();
    test_messages_eviction();
    test_bounds();
    test_bad_input();
    test_config();
    test_idtable();
    test_intern();
    printf("cache: ok\n");
    return 0;
}
