/*
 * test_cache.c: the gateway cache in a bot against the fake Discord. The
 * cache is filled from READY and GUILD_CREATE, is up to date when a
 * handler runs (it is updated first), takes in the chunks of a members
 * request (op 8 with a nonce, answered in two chunks), keeps each event
 * once across a resume's replay, drops what a re-identify's fresh READY
 * no longer lists, and shows entries and bytes per kind on /metrics. With
 * the cache off the lookups say so (DBOT_ESTATE).
 */
#include "harness.h"
#include "service_probe.h"

#include <dbot/cache.h>

#include <cjson/cJSON.h>
#include <inttypes.h>

static struct harness H;

#define MEMBERS 1500 /* per fake guild, plus the bot: two chunks */
#define USER0   ((uint64_t)1200000000000000000ULL) /* the fake's member 0 */
#define NEW_CH  "7000000000000000001"
#define NEW_MEM "1300000000000000001"

/* What handlers saw of the cache when their event arrived. */
static atomic_int seen_guild_in_handler;   /* GUILD_CREATE: guild cached */
static atomic_int seen_channel_in_handler; /* CHANNEL_CREATE: channel */
static atomic_int chunks_with_nonce;
static atomic_int bad_nonce;

static uint64_t
id_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? strtoull(v->valuestring, NULL, 10) : 0;
}

static void
on_guild_create(dbot *bot, const dbot_event *ev, void *data)
{
    dbot_cached_guild g;

    (void)data;
    if (dbot_cache_guild(bot, id_of(ev->data, "id"), &g) == 1 &&
        !g.unavailable && g.member_count == MEMBERS + 1)
        atomic_fetch_add(&seen_guild_in_handler, 1);
}

static void
on_channel_create(dbot *bot, const dbot_event *ev, void *data)
{
    dbot_cached_channel ch;

    (void)data;
    if (dbot_cache_channel(bot, id_of(ev->data, "id"), &ch) == 1 && ch.name &&
        strcmp(ch.name, "fresh") == 0)
        atomic_fetch_add(&seen_channel_in_handler, 1);
}

static void
on_chunk(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(ev->data, "nonce");

    (void)bot;
    (void)data;
    if (cJSON_IsString(n) && strcmp(n->valuestring, "test-nonce") == 0)
        atomic_fetch_add(&chunks_with_nonce, 1);
    else
        atomic_fetch_add(&bad_nonce, 1);
}

static void
setup(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on(bot, "GUILD_CREATE", on_guild_create, NULL), 0);
    ASSERT_EQ(dbot_on(bot, "CHANNEL_CREATE", on_channel_create, NULL), 0);
    ASSERT_EQ(dbot_on(bot, "GUILD_MEMBERS_CHUNK", on_chunk, NULL), 0);
}

/* ---- reading the cache on the loop --------------------------------------- */

struct probe {
    atomic_int done;
    uint64_t guild_id;
    int request_rc; /* dbot_cache_request_members, if asked */
    int ask;
    int guild_rc, member_count, channel_rc, new_member_rc, user0_rc;
    int member_roles_rc, perms_rc, self_rc;
    uint64_t perms;
};

static void
probe_fn(dbot *bot, void *arg)
{
    struct probe *p = arg;
    dbot_cached_guild g;
    dbot_cached_channel ch;
    dbot_cached_member m;
    dbot_cached_user u;

    if (p->ask)
        p->request_rc = dbot_cache_request_members(bot, p->guild_id, "", 0, 0,
                                                   "test-nonce");
    p->guild_rc = dbot_cache_guild(bot, p->guild_id, &g);
    p->member_count = p->guild_rc == 1 ? g.member_count : -1;
    p->channel_rc = dbot_cache_channel(bot, strtoull(NEW_CH, NULL, 10), &ch);
    p->new_member_rc =
        dbot_cache_member(bot, p->guild_id, strtoull(NEW_MEM, NULL, 10), &m);
    p->user0_rc = dbot_cache_member(bot, p->guild_id, USER0, &m);
    p->self_rc = dbot_cache_user(bot, strtoull(FAKECORD_APP_ID, NULL, 10), &u);
    p->perms_rc = dbot_cache_permissions(bot, p->guild_id, p->guild_id + 1,
                                         USER0, &p->perms);
    atomic_store(&p->done, 1);
}

static void
probe(struct probe *p, uint64_t guild_id, int ask)
{
    memset(p, 0, sizeof *p);
    p->guild_id = guild_id;
    p->ask = ask;
    ASSERT_EQ(dbot_post(H.bot, probe_fn, p), 0);
    WAIT_UNTIL(atomic_load(&p->done), 10000);
}

static uint64_t
metric(const char *text, const char *sample)
{
    const char *p = strstr(text, sample);

    ASSERT_TRUE(p != NULL);
    return strtoull(p + strlen(sample), NULL, 10);
}

static int
metrics_port(void)
{
    const char *line, *key = "serving /healthz and /metrics on 127.0.0.1:";
    int port = -1;

    ASSERT_TRUE(h_log_wait(key, check_timeout_ms_(10000)));
    pthread_mutex_lock(&h_log_mu);
    line = strstr(h_logs, key);
    sscanf(line + strlen(key), "%d", &port);
    pthread_mutex_unlock(&h_log_mu);
    ASSERT_TRUE(port > 0);
    return port;
}

TEST(cache_follows_the_gateway)
{
    struct fakecord_opts o = { .guilds = 2, .guild_members = MEMBERS };
    struct fakecord_stats st;
    uint64_t gid;
    struct probe p;
    char *body = NULL, ev[512];
    int port;

    h_log_reset();
    h_start_with(&H, &o,
                 ",\"intents\":[\"GUILDS\",\"GUILD_MEMBERS\"],"
                 "\"http_listen\":\"127.0.0.1:0\",\"cache\":true",
                 setup, NULL);
    port = metrics_port();
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") >= 2, 20000);
    ASSERT_EQ(atomic_load(&seen_guild_in_handler), 2);
    gid = (400000000000ULL) << 22; /* the fake's guild 0 */
    probe(&p, gid, 0);
    ASSERT_EQ(p.guild_rc, 1);
    ASSERT_EQ(p.member_count, MEMBERS + 1);
    ASSERT_EQ(p.user0_rc, 1);
    ASSERT_EQ(p.self_rc, 1);
    ASSERT_EQ(p.perms_rc, 1); /* @everyone's bits in #general */
    ASSERT_EQ(p.perms, 2248473465835073ULL);

    /* The handler of an event sees the cache with that event in it. */
    snprintf(ev, sizeof ev,
             "{\"id\":\"%s\",\"guild_id\":\"%" PRIu64 "\",\"type\":0,"
             "\"name\":\"fresh\"}",
             NEW_CH, gid);
    ASSERT_TRUE(fakecord_push_event(H.fc, "CHANNEL_CREATE", ev) > 0);
    WAIT_UNTIL(atomic_load(&seen_channel_in_handler) == 1, 10000);

    /* Members leave the cache, then a members request brings them back,
     * in two chunks that carry our nonce. */
    snprintf(ev, sizeof ev,
             "{\"guild_id\":\"%" PRIu64 "\",\"user\":{\"id\":\"%" PRIu64 "\"}}",
             gid, USER0);
    ASSERT_TRUE(fakecord_push_event(H.fc, "GUILD_MEMBER_REMOVE", ev) > 0);
    WAIT_UNTIL(h_count(&H, "GUILD_MEMBER_REMOVE") == 1, 10000);
    probe(&p, gid, 0);
    ASSERT_EQ(p.user0_rc, 0);
    ASSERT_EQ(p.member_count, MEMBERS);
    probe(&p, gid, 1);
    ASSERT_EQ(p.request_rc, 0);
    WAIT_UNTIL(atomic_load(&chunks_with_nonce) == 2, 20000);
    ASSERT_EQ(atomic_load(&bad_nonce), 0);
    probe(&p, gid, 0);
    ASSERT_EQ(p.user0_rc, 1);

    /* Events sent while the connection is down are replayed on resume:
     * each counts once. */
    ASSERT_TRUE(fakecord_drop(H.fc) >= 0);
    snprintf(ev, sizeof ev,
             "{\"guild_id\":\"%" PRIu64 "\",\"user\":{\"id\":\"%s\","
             "\"username\":\"late\"},\"roles\":[],\"joined_at\":"
             "\"2026-01-02T00:00:00+00:00\"}",
             gid, NEW_MEM);
    ASSERT_TRUE(fakecord_push_event(H.fc, "GUILD_MEMBER_ADD", ev) > 0);
    WAIT_UNTIL(h_count(&H, "GUILD_MEMBER_ADD") == 1, 20000);
    WAIT_UNTIL((fakecord_stats(H.fc, &st), st.resumed_sent >= 1), 20000);
    probe(&p, gid, 0);
    ASSERT_EQ(p.new_member_rc, 1);
    ASSERT_EQ(p.member_count, MEMBERS + 1); /* 1500 + 1 - 1 + 1 */
    ASSERT_EQ(p.channel_rc, 1);

    /* /metrics shows the kinds. */
    ASSERT_EQ(http_get(port, "/metrics", &body), 200);
    ASSERT_EQ(metric(body, "dbot_cache_entries{kind=\"guilds\"} "), 2);
    ASSERT_EQ(metric(body, "dbot_cache_entries{kind=\"members\"} "),
              2 * (MEMBERS + 1) + 1);
    ASSERT_EQ(metric(body, "dbot_cache_entries{kind=\"users\"} "),
              MEMBERS + 2); /* shared by both guilds */
    ASSERT_TRUE(metric(body, "dbot_cache_bytes{kind=\"members\"} ") > 0);
    ASSERT_CONTAINS(body, "dbot_cache_dropped_total{kind=\"members\"} 0");
    free(body);

    /* A session that cannot resume: the fresh READY rebuilds the cache,
     * and what the fake's guilds no longer have (the new channel, the
     * late member) is gone. */
    ASSERT_TRUE(fakecord_send_invalid_session(H.fc, 0) >= 0);
    WAIT_UNTIL(h_count(&H, "READY") >= 2, 20000);
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") >= 4, 20000);
    probe(&p, gid, 0);
    ASSERT_EQ(p.guild_rc, 1);
    ASSERT_EQ(p.channel_rc, 0);
    ASSERT_EQ(p.new_member_rc, 0);
    ASSERT_EQ(p.member_count, MEMBERS + 1);
    ASSERT_EQ(p.user0_rc, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* ---- every event kind through the fake ---------------------------------- */

struct kinds_probe {
    atomic_int done;
    uint64_t gid;
    dbot_cached_guild g;
    dbot_cached_channel ch, thread;
    dbot_cached_role role;
    dbot_cached_member m;
    dbot_cached_user u;
    dbot_cached_emoji e;
    dbot_cached_voice_state vs;
    dbot_cached_presence pr;
    dbot_cached_message msg;
    int rc_role_gone, rc_msg1, rc_msg2, rc_msg3, rc_thread_gone, rc_guild_of;
    uint64_t guild_of;
    char ch_name[32], role_name[32], nick[32], username[32], status[16];
    char content[32];
};

static void
kinds_fn(dbot *bot, void *arg)
{
    struct kinds_probe *p = arg;
    uint64_t cid = p->gid + 1;
    dbot_cached_role r;
    dbot_cached_message m;
    dbot_cached_channel t;

    ASSERT_EQ(dbot_cache_guild(bot, p->gid, &p->g), 1);
    ASSERT_EQ(dbot_cache_channel(bot, cid, &p->ch), 1);
    snprintf(p->ch_name, sizeof p->ch_name, "%s", p->ch.name);
    ASSERT_EQ(dbot_cache_channel(bot, 8000000000000000002ULL, &p->thread), 1);
    p->rc_thread_gone = dbot_cache_channel(bot, 8000000000000000001ULL, &t);
    ASSERT_EQ(dbot_cache_role(bot, 9000000000000000001ULL, &p->role), 1);
    snprintf(p->role_name, sizeof p->role_name, "%s", p->role.name);
    p->rc_role_gone = dbot_cache_role(bot, 9000000000000000002ULL, &r);
    ASSERT_EQ(dbot_cache_member(bot, p->gid, USER0, &p->m), 1);
    snprintf(p->nick, sizeof p->nick, "%s", p->m.nick ? p->m.nick : "");
    ASSERT_EQ(dbot_cache_user(bot, USER0, &p->u), 1);
    snprintf(p->username, sizeof p->username, "%s", p->u.username);
    ASSERT_EQ(dbot_cache_emoji(bot, 9100000000000000001ULL, &p->e), 1);
    ASSERT_EQ(dbot_cache_voice_state(bot, p->gid, USER0, &p->vs), 1);
    ASSERT_EQ(dbot_cache_presence(bot, p->gid, USER0, &p->pr), 1);
    snprintf(p->status, sizeof p->status, "%s", p->pr.status);
    p->rc_msg1 = dbot_cache_message(bot, cid, 9200000000000000001ULL, &m);
    p->rc_msg2 = dbot_cache_message(bot, cid, 9200000000000000002ULL, &m);
    p->rc_msg3 = dbot_cache_message(bot, cid, 9200000000000000003ULL, &p->msg);
    if (p->rc_msg3 == 1)
        snprintf(p->content, sizeof p->content, "%s", p->msg.content);
    p->rc_guild_of = dbot_cache_channel_guild(bot, cid, &p->guild_of);
    atomic_store(&p->done, 1);
}

/* Push one event with "%G" replaced by the guild id and "%C" by its
 * channel's. */
static void
push(const char *t, const char *fmt, uint64_t gid)
{
    char out[1024], num[24];
    size_t n = 0;

    for (const char *f = fmt; *f && n < sizeof out - 24; f++) {
        if (*f == '%' && (f[1] == 'G' || f[1] == 'C')) {
            snprintf(num, sizeof num, "%" PRIu64, f[1] == 'G' ? gid : gid + 1);
            memcpy(out + n, num, strlen(num));
            n += strlen(num);
            f++;
        } else {
            out[n++] = *f;
        }
    }
    out[n] = 0;
    ASSERT_TRUE(fakecord_push_event(H.fc, t, out) > 0);
}

TEST(cache_every_event_kind)
{
    struct fakecord_opts o = { .guilds = 1, .guild_members = 3 };
    struct kinds_probe p;
    uint64_t gid = (400000000000ULL) << 22;

    h_start(&H, &o,
            ",\"intents\":[\"GUILDS\",\"GUILD_MEMBERS\",\"GUILD_PRESENCES\","
            "\"GUILD_VOICE_STATES\",\"GUILD_MESSAGES\","
            "\"GUILD_EXPRESSIONS\"],"
            "\"cache\":{\"presences\":true,\"messages\":2}");
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") >= 1, 10000);
    push("GUILD_UPDATE", "{\"id\":\"%G\",\"name\":\"Renamed\"}", gid);
    push("CHANNEL_UPDATE",
         "{\"id\":\"%C\",\"guild_id\":\"%G\",\"type\":0,\"topic\":\"t\"}", gid);
    push("THREAD_CREATE",
         "{\"id\":\"8000000000000000001\",\"guild_id\":\"%G\",\"parent_id\":"
         "\"%C\",\"type\":11,\"name\":\"old\"}",
         gid);
    push("THREAD_LIST_SYNC",
         "{\"guild_id\":\"%G\",\"channel_ids\":[\"%C\"],\"threads\":[{\"id\":"
         "\"8000000000000000002\",\"parent_id\":\"%C\",\"type\":11,\"name\":"
         "\"new\"}],\"members\":[]}",
         gid);
    push("THREAD_MEMBERS_UPDATE",
         "{\"id\":\"8000000000000000002\",\"guild_id\":\"%G\","
         "\"member_count\":7}",
         gid);
    push("GUILD_ROLE_CREATE",
         "{\"guild_id\":\"%G\",\"role\":{\"id\":\"9000000000000000001\","
         "\"name\":\"mod\",\"permissions\":\"8192\"}}",
         gid);
    push("GUILD_ROLE_CREATE",
         "{\"guild_id\":\"%G\",\"role\":{\"id\":\"9000000000000000002\","
         "\"name\":\"tmp\",\"permissions\":\"0\"}}",
         gid);
    push("GUILD_ROLE_UPDATE",
         "{\"guild_id\":\"%G\",\"role\":{\"id\":\"9000000000000000001\","
         "\"name\":\"moderator\"}}",
         gid);
    push("GUILD_ROLE_DELETE",
         "{\"guild_id\":\"%G\",\"role_id\":\"9000000000000000002\"}", gid);
    push("GUILD_MEMBER_UPDATE",
         "{\"guild_id\":\"%G\",\"user\":{\"id\":\"1200000000000000000\"},"
         "\"nick\":\"zero\",\"roles\":[\"9000000000000000001\"]}",
         gid);
    push("USER_UPDATE",
         "{\"id\":\"1200000000000000000\",\"username\":\"renamed\"}", gid);
    push("GUILD_EMOJIS_UPDATE",
         "{\"guild_id\":\"%G\",\"emojis\":[{\"id\":\"9100000000000000001\","
         "\"name\":\"blob\"}]}",
         gid);
    push("VOICE_STATE_UPDATE",
         "{\"guild_id\":\"%G\",\"channel_id\":\"%C\",\"user_id\":"
         "\"1200000000000000000\",\"self_mute\":true}",
         gid);
    push("PRESENCE_UPDATE",
         "{\"guild_id\":\"%G\",\"user\":{\"id\":\"1200000000000000000\"},"
         "\"status\":\"dnd\",\"activities\":[]}",
         gid);
    for (int i = 1; i <= 3; i++) {
        char fmt[256];

        snprintf(fmt, sizeof fmt,
                 "{\"id\":\"920000000000000000%d\",\"channel_id\":\"%%C\","
                 "\"guild_id\":\"%%G\",\"author\":{\"id\":"
                 "\"1200000000000000000\"},\"content\":\"m%d\"}",
                 i, i);
        push("MESSAGE_CREATE", fmt, gid);
    }
    push("MESSAGE_UPDATE",
         "{\"id\":\"9200000000000000003\",\"channel_id\":\"%C\","
         "\"content\":\"edited\"}",
         gid);
    push("MESSAGE_DELETE_BULK",
         "{\"ids\":[\"9200000000000000002\"],\"channel_id\":\"%C\","
         "\"guild_id\":\"%G\"}",
         gid);
    /* Events arrive in order: the last one means all came. */
    WAIT_UNTIL(h_count(&H, "MESSAGE_DELETE_BULK") == 1, 10000);
    memset(&p, 0, sizeof p);
    p.gid = gid;
    ASSERT_EQ(dbot_post(H.bot, kinds_fn, &p), 0);
    WAIT_UNTIL(atomic_load(&p.done), 10000);
    ASSERT_STREQ(p.g.name, "Renamed");
    ASSERT_EQ(p.g.member_count, 4); /* untouched by the partial update */
    ASSERT_STREQ(p.ch_name, "general");
    ASSERT_EQ(p.rc_thread_gone, 0);
    ASSERT_EQ(p.thread.member_count, 7);
    ASSERT_STREQ(p.role_name, "moderator");
    ASSERT_EQ(p.role.permissions, 8192);
    ASSERT_EQ(p.rc_role_gone, 0);
    ASSERT_STREQ(p.nick, "zero");
    ASSERT_EQ(p.m.nroles, 1);
    ASSERT_STREQ(p.username, "renamed");
    ASSERT_EQ(p.vs.self_mute, 1);
    ASSERT_STREQ(p.status, "dnd");
    ASSERT_EQ(p.rc_msg1, 0); /* evicted: 2 per channel */
    ASSERT_EQ(p.rc_msg2, 0); /* bulk-deleted */
    ASSERT_EQ(p.rc_msg3, 1);
    ASSERT_STREQ(p.content, "edited");
    ASSERT_EQ(p.msg.edited, 1);
    ASSERT_EQ(p.rc_guild_of, 1);
    ASSERT_EQ(p.guild_of, gid);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* ---- off by default --------------------------------------------------------
 */

struct off_probe {
    atomic_int done;
    int guild_rc, perms_rc;
};

static void
off_fn(dbot *bot, void *arg)
{
    struct off_probe *p = arg;
    dbot_cached_guild g;
    uint64_t perms;

    p->guild_rc = dbot_cache_guild(bot, 1, &g);
    p->perms_rc = dbot_cache_permissions(bot, 1, 0, 2, &perms);
    atomic_store(&p->done, 1);
}

TEST(cache_off_by_default)
{
    struct off_probe p = { 0 };
    dbot_cached_guild g;

    h_start(&H, NULL, "");
    WAIT_UNTIL(h_count(&H, "GUILD_CREATE") >= 1, 10000);
    ASSERT_EQ(dbot_post(H.bot, off_fn, &p), 0);
    WAIT_UNTIL(atomic_load(&p.done), 10000);
    ASSERT_EQ(p.guild_rc, DBOT_ESTATE);
    ASSERT_EQ(p.perms_rc, DBOT_ESTATE);
    /* Off the loop thread: refused. */
    ASSERT_EQ(dbot_cache_guild(H.bot, 1, &g), DBOT_EWRONGTHREAD);
    ASSERT_EQ(dbot_cache_guild(H.bot, 1, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_cache_request_members(H.bot, 0, "", 0, 0, NULL),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_cache_request_members(
                  H.bot, 5, "", 0, 0, "a-nonce-that-is-far-over-32-bytes-long"),
              DBOT_EINVAL);
    h_teardown(&H);
}

int
main(void)
{
    RUN(cache_follows_the_gateway);
    RUN(cache_every_event_kind);
    RUN(cache_off_by_default);
    return 0;
}
