/*
 * test_rest_calls.c: the typed REST calls of <dbot/rest_calls.h> through
 * a running bot against the fake Discord's guild model, which answers as
 * Discord does: moderation needs the permission and a higher role (403
 * 50013), unknown ids get 404 with Discord's codes, audit-log reasons
 * arrive URL-encoded, and the limits dbot checks itself (reason length,
 * bulk-delete count and age, timeout length, names) never leave the
 * process, while the fake refuses them when sent raw.
 */
#include "harness.h"

#include <dbot/permissions.h>
#include <dbot/rest_calls.h>

static struct harness H;

/* The guild and its text channel (fake_guilds.h), the bot's role, the
 * members (fake_world.h). */
#define GID      1677721600000000000ULL
#define GID_S    "1677721600000000000"
#define CHAN     (GID + 1)
#define CHAN_S   "1677721600000000001"
#define ROLE_MEM (GID + 5)
#define ROLE_ADM (GID + 20)
#define USER(i)  (1200000000000000000ULL + (i))
#define NMEMBERS 2500

enum op {
    OP_GUILD_GET,
    OP_MEMBER_GET,
    OP_MEMBER_LIST,
    OP_MEMBER_LIST_ALL,
    OP_ROLE_ADD,
    OP_ROLE_REMOVE,
    OP_TIMEOUT,
    OP_KICK,
    OP_BAN,
    OP_UNBAN,
    OP_ROLE_LIST,
    OP_ROLE_CREATE,
    OP_ROLE_MODIFY,
    OP_ROLE_DELETE,
    OP_MSG_SEND,
    OP_MSG_GET,
    OP_MSG_EDIT,
    OP_MSG_DELETE,
    OP_MSG_PIN,
    OP_MSG_UNPIN,
    OP_BULK,
    OP_CHAN_GET,
    OP_CHAN_MODIFY,
    OP_THREAD_CREATE,
    OP_THREAD_JOIN,
    OP_THREAD_ARCHIVE,
    OP_DM_OPEN,
    OP_DM_SEND,
    OP_HOOK_CREATE,
    OP_HOOK_EXECUTE,
    OP_RAW,
};

struct req {
    enum op op;
    uint64_t a, b, c;
    int64_t n;
    const char *s, *reason, *method;
    const uint64_t *ids;
    size_t nids;
    const char *json;
};

struct got {
    atomic_int calls;
    int status, err, code;
    char message[64];
    cJSON *json;
};

static struct req R;
static struct got G;
static atomic_int op_done;
static int op_rc;

static void
on_res(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct got *g = data;

    (void)bot;
    g->status = res->status;
    g->err = res->err;
    g->code = res->discord_code;
    snprintf(g->message, sizeof g->message, "%s",
             res->message ? res->message : "");
    g->json = res->json ? cJSON_Duplicate(res->json, 1) : NULL;
    atomic_fetch_add(&g->calls, 1);
}

static void
run_op(dbot *bot, void *arg)
{
    cJSON *j = R.json ? cJSON_Parse(R.json) : NULL;
    dbot_rest_opts o = { .reason = R.reason };
    int rc = DBOT_EINVAL;

    (void)arg;
    switch (R.op) {
    case OP_GUILD_GET:
        rc = dbot_guild_get(bot, R.a, on_res, &G);
        break;
    case OP_MEMBER_GET:
        rc = dbot_member_get(bot, R.a, R.b, on_res, &G);
        break;
    case OP_MEMBER_LIST:
        rc = dbot_member_list(bot, R.a, R.b, (int)R.n, on_res, &G);
        break;
    case OP_MEMBER_LIST_ALL:
        rc = dbot_member_list_all(bot, R.a, (size_t)R.n, on_res, &G);
        break;
    case OP_ROLE_ADD:
        rc = dbot_member_role_add(bot, R.a, R.b, R.c, R.reason, on_res, &G);
        break;
    case OP_ROLE_REMOVE:
        rc = dbot_member_role_remove(bot, R.a, R.b, R.c, R.reason, on_res, &G);
        break;
    case OP_TIMEOUT:
        rc = dbot_member_timeout(bot, R.a, R.b, R.n, R.reason, on_res, &G);
        break;
    case OP_KICK:
        rc = dbot_member_kick(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_BAN:
        rc = dbot_member_ban(bot, R.a, R.b, (int)R.n, R.reason, on_res, &G);
        break;
    case OP_UNBAN:
        rc = dbot_member_unban(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_ROLE_LIST:
        rc = dbot_role_list(bot, R.a, on_res, &G);
        break;
    case OP_ROLE_CREATE:
        rc = dbot_role_create(bot, R.a, j, R.reason, on_res, &G);
        break;
    case OP_ROLE_MODIFY:
        rc = dbot_role_modify(bot, R.a, R.b, j, R.reason, on_res, &G);
        break;
    case OP_ROLE_DELETE:
        rc = dbot_role_delete(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_MSG_SEND:
        rc = dbot_message_send(bot, R.a, R.s, on_res, &G);
        break;
    case OP_MSG_GET:
        rc = dbot_message_get(bot, R.a, R.b, on_res, &G);
        break;
    case OP_MSG_EDIT:
        rc = dbot_message_edit(bot, R.a, R.b, j, on_res, &G);
        break;
    case OP_MSG_DELETE:
        rc = dbot_message_delete(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_MSG_PIN:
        rc = dbot_message_pin(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_MSG_UNPIN:
        rc = dbot_message_unpin(bot, R.a, R.b, R.reason, on_res, &G);
        break;
    case OP_BULK:
        rc = dbot_message_bulk_delete(bot, R.a, R.ids, R.nids, R.n, R.reason,
                                      on_res, &G);
        break;
    case OP_CHAN_GET:
        rc = dbot_channel_get(bot, R.a, on_res, &G);
        break;
    case OP_CHAN_MODIFY:
        rc = dbot_channel_modify(bot, R.a, j, R.reason, on_res, &G);
        break;
    case OP_THREAD_CREATE:
        rc = dbot_thread_create(bot, R.a, R.b, R.s, R.reason, on_res, &G);
        break;
    case OP_THREAD_JOIN:
        rc = dbot_thread_join(bot, R.a, on_res, &G);
        break;
    case OP_THREAD_ARCHIVE:
        rc = dbot_thread_archive(bot, R.a, (int)R.n, R.reason, on_res, &G);
        break;
    case OP_DM_OPEN:
        rc = dbot_dm_open(bot, R.a, on_res, &G);
        break;
    case OP_DM_SEND:
        rc = dbot_dm_send(bot, R.a, j, on_res, &G);
        break;
    case OP_HOOK_CREATE:
        rc = dbot_webhook_create(bot, R.a, R.s, R.reason, on_res, &G);
        break;
    case OP_HOOK_EXECUTE:
        rc = dbot_webhook_execute(bot, R.a, R.s, j, on_res, &G);
        break;
    case OP_RAW:
        rc = dbot_rest_ex(bot, R.method, R.s, j, &o, on_res, &G);
        break;
    }
    cJSON_Delete(j);
    op_rc = rc;
    atomic_store(&op_done, 1);
}

/* Run one call on the loop; wait for its callback if it was accepted. */
static int
op(struct req r)
{
    cJSON_Delete(G.json);
    memset(&G, 0, sizeof G);
    R = r;
    atomic_store(&op_done, 0);
    ASSERT_EQ(dbot_post(H.bot, run_op, NULL), 0);
    WAIT_UNTIL(atomic_load(&op_done), 10000);
    if (op_rc == 0)
        WAIT_UNTIL(atomic_load(&G.calls) == 1, 20000);
    return op_rc;
}

static const char *
jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static uint64_t
jid(const cJSON *o)
{
    return strtoull(jstr(o, "id"), NULL, 10);
}

/* The snowflake of a message written `age_ms` ago. */
static uint64_t
snowflake_aged(int64_t age_ms, unsigned seq)
{
    struct timespec ts;
    int64_t now;

    clock_gettime(CLOCK_REALTIME, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return ((uint64_t)(now - age_ms - 1420070400000LL) << 22) | seq;
}

static const char *
last_audit_reason(const char *method, const char *path_part)
{
    static char out[2048];
    struct fakecord_request *reqs;
    int n = fakecord_requests(H.fc, &reqs);

    out[0] = '\0';
    for (int i = 0; i < n; i++)
        if (!strcmp(reqs[i].method, method) && strstr(reqs[i].path, path_part))
            snprintf(out, sizeof out, "%s", reqs[i].audit_reason);
    fakecord_requests_free(reqs, n);
    return out;
}

/* Requests received with this method and this text in their path. */
static int
count_path(const char *method, const char *part)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(H.fc, &reqs), c = 0;

    for (int i = 0; i < n; i++)
        c += !strcmp(reqs[i].method, method) && strstr(reqs[i].path, part);
    fakecord_requests_free(reqs, n);
    return c;
}

static int
member_exists(uint64_t uid)
{
    cJSON *st = fakecord_guild_state(H.fc, GID_S), *m;
    char id[32];
    int found = 0;

    snprintf(id, sizeof id, "%llu", (unsigned long long)uid);
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(st, "members")) {
        found |= !strcmp(jstr(cJSON_GetObjectItem(m, "user"), "id"), id);
    }
    cJSON_Delete(st);
    return found;
}

static void
test_guild_and_permissions(void)
{
    cJSON *guild, *member;
    uint64_t perms = 0;

    ASSERT_EQ(op((struct req){ .op = OP_GUILD_GET, .a = GID }), 0);
    ASSERT_EQ(G.status, 200);
    guild = G.json;
    G.json = NULL;
    ASSERT_STREQ(jstr(guild, "owner_id"), "1100000000000000002");
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_GET,
                               .a = GID,
                               .b = strtoull(FAKECORD_APP_ID, NULL, 10) }),
              0);
    ASSERT_EQ(G.status, 200);
    member = G.json;
    /* The bot's permissions from Discord's own objects, by the documented
     * algorithm: @everyone's plus the bot role's. */
    ASSERT_EQ(dbot_permissions_compute(guild, NULL, member, 0, &perms), 0);
    ASSERT_EQ(perms & DBOT_PERM_KICK_MEMBERS, DBOT_PERM_KICK_MEMBERS);
    ASSERT_EQ(perms & DBOT_PERM_MODERATE_MEMBERS, DBOT_PERM_MODERATE_MEMBERS);
    ASSERT_EQ(perms & DBOT_PERM_ADMINISTRATOR, 0);
    ASSERT_EQ(perms & DBOT_PERM_VIEW_CHANNEL, DBOT_PERM_VIEW_CHANNEL);
    cJSON_Delete(guild);

    /* Unknown ids: Discord's codes. */
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_GET, .a = GID, .b = 42 }), 0);
    ASSERT_EQ(G.status, 404);
    ASSERT_EQ(G.code, 10007);
    ASSERT_EQ(op((struct req){ .op = OP_KICK, .a = 5, .b = USER(2) }), 0);
    ASSERT_EQ(G.code, 10004);
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_GET, .a = 0, .b = 1 }),
              DBOT_EINVAL);
}

static void
test_moderation(void)
{
    char long_reason[600];
    cJSON *st, *m;

    /* Role add with a reason: URL-encoded once, as Discord reads it. */
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_ADD,
                               .a = GID,
                               .b = USER(2),
                               .c = ROLE_MEM,
                               .reason = "spam links é" }),
              0);
    ASSERT_EQ(G.status, 204);
    ASSERT_STREQ(last_audit_reason("PUT", "/roles/"), "spam%20links%20%C3%A9");
    ASSERT_EQ(
        op((struct req){
            .op = OP_ROLE_REMOVE, .a = GID, .b = USER(2), .c = ROLE_MEM }),
        0);
    ASSERT_EQ(G.status, 204);
    /* A role above the bot's: the hierarchy rule. */
    ASSERT_EQ(op((struct req){
                  .op = OP_ROLE_ADD, .a = GID, .b = USER(2), .c = ROLE_ADM }),
              0);
    ASSERT_EQ(G.status, 403);
    ASSERT_EQ(G.code, 50013);

    /* Timeout: 10 minutes, then ended; an admin outranks the bot. */
    ASSERT_EQ(op((struct req){ .op = OP_TIMEOUT,
                               .a = GID,
                               .b = USER(0),
                               .n = 600,
                               .reason = "cool down" }),
              0);
    ASSERT_EQ(G.status, 200);
    ASSERT_TRUE(cJSON_IsString(
        cJSON_GetObjectItem(G.json, "communication_disabled_until")));
    ASSERT_STREQ(last_audit_reason("PATCH", "/members/"), "cool%20down");
    ASSERT_EQ(op((struct req){ .op = OP_TIMEOUT, .a = GID, .b = USER(0) }), 0);
    ASSERT_TRUE(cJSON_IsNull(
        cJSON_GetObjectItem(G.json, "communication_disabled_until")));
    ASSERT_EQ(
        op((struct req){ .op = OP_TIMEOUT, .a = GID, .b = USER(1), .n = 60 }),
        0);
    ASSERT_EQ(G.code, 50013);
    ASSERT_EQ(op((struct req){ .op = OP_TIMEOUT,
                               .a = GID,
                               .b = USER(0),
                               .n = DBOT_TIMEOUT_MAX_S + 1 }),
              DBOT_EINVAL);

    /* Kick: gone, and a second kick finds no member. */
    ASSERT_EQ(op((struct req){
                  .op = OP_KICK, .a = GID, .b = USER(3), .reason = "bye" }),
              0);
    ASSERT_EQ(G.status, 204);
    ASSERT_TRUE(!member_exists(USER(3)));
    ASSERT_EQ(op((struct req){ .op = OP_KICK, .a = GID, .b = USER(3) }), 0);
    ASSERT_EQ(G.code, 10007);

    /* Ban, unban, unban again. */
    ASSERT_EQ(op((struct req){ .op = OP_BAN,
                               .a = GID,
                               .b = USER(4),
                               .n = 3600,
                               .reason = "raid" }),
              0);
    ASSERT_EQ(G.status, 204);
    st = fakecord_guild_state(H.fc, GID_S);
    m = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "bans"),
                            "1200000000000000004");
    ASSERT_TRUE(m != NULL);
    cJSON_Delete(st);
    ASSERT_EQ(
        op((struct req){ .op = OP_BAN, .a = GID, .b = USER(4), .n = 604801 }),
        DBOT_EINVAL);
    ASSERT_EQ(op((struct req){ .op = OP_UNBAN, .a = GID, .b = USER(4) }), 0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(op((struct req){ .op = OP_UNBAN, .a = GID, .b = USER(4) }), 0);
    ASSERT_EQ(G.code, 10026);

    /* Without KICK_MEMBERS the fake refuses, as Discord does. */
    ASSERT_EQ(fakecord_guild_set_bot_permissions(H.fc, GID_S, 0), 0);
    ASSERT_EQ(op((struct req){ .op = OP_KICK, .a = GID, .b = USER(5) }), 0);
    ASSERT_EQ(G.status, 403);
    ASSERT_EQ(G.code, 50013);
    ASSERT_TRUE(member_exists(USER(5)));
    ASSERT_EQ(fakecord_guild_set_bot_permissions(
                  H.fc, GID_S,
                  DBOT_PERM_KICK_MEMBERS | DBOT_PERM_BAN_MEMBERS |
                      DBOT_PERM_MANAGE_CHANNELS | DBOT_PERM_MANAGE_MESSAGES |
                      DBOT_PERM_MANAGE_ROLES | DBOT_PERM_MANAGE_WEBHOOKS |
                      DBOT_PERM_MANAGE_THREADS |
                      DBOT_PERM_CREATE_PUBLIC_THREADS |
                      DBOT_PERM_MODERATE_MEMBERS | DBOT_PERM_PIN_MESSAGES),
              0);

    /* Reasons: 512 characters go (é is one), 513 never leave dbot; sent
     * raw, the fake refuses them as Discord does. */
    memset(long_reason, 'x', 511);
    strcpy(long_reason + 511, "é");
    ASSERT_EQ(
        op((struct req){
            .op = OP_KICK, .a = GID, .b = USER(5), .reason = long_reason }),
        0);
    ASSERT_EQ(G.status, 204);
    memset(long_reason, 'x', 513);
    long_reason[513] = '\0';
    h_log_reset();
    ASSERT_EQ(
        op((struct req){
            .op = OP_KICK, .a = GID, .b = USER(6), .reason = long_reason }),
        DBOT_EINVAL);
    ASSERT_TRUE(h_log_has("audit-log reason has 513 characters"));
    ASSERT_EQ(op((struct req){
                  .op = OP_UNBAN, .a = GID, .b = USER(6), .reason = "\xff" }),
              DBOT_EINVAL);
    ASSERT_EQ(
        op((struct req){ .op = OP_RAW,
                         .method = "DELETE",
                         .s = "/guilds/" GID_S "/members/1200000000000000006",
                         .reason = long_reason }),
        0);
    ASSERT_EQ(G.status, 400);
    ASSERT_EQ(G.code, 50035);
    ASSERT_TRUE(member_exists(USER(6)));
}

static void
test_roles(void)
{
    uint64_t rid;

    ASSERT_EQ(op((struct req){ .op = OP_ROLE_LIST, .a = GID }), 0);
    ASSERT_EQ(cJSON_GetArraySize(G.json), 4);
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_CREATE,
                               .a = GID,
                               .json = "{\"name\":\"mods\",\"permissions\":"
                                       "\"2\"}",
                               .reason = "new team" }),
              0);
    ASSERT_EQ(G.status, 200);
    ASSERT_STREQ(jstr(G.json, "name"), "mods");
    rid = jid(G.json);
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_MODIFY,
                               .a = GID,
                               .b = rid,
                               .json = "{\"name\":\"moderators\"}" }),
              0);
    ASSERT_STREQ(jstr(G.json, "name"), "moderators");
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_DELETE, .a = GID, .b = rid }), 0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_DELETE, .a = GID, .b = rid }), 0);
    ASSERT_EQ(G.code, 10011);
    /* A bot grants only what it has. */
    ASSERT_EQ(op((struct req){ .op = OP_ROLE_CREATE,
                               .a = GID,
                               .json = "{\"permissions\":\"8\"}" }),
              0);
    ASSERT_EQ(G.code, 50013);
    ASSERT_EQ(op((struct req){
                  .op = OP_ROLE_MODIFY, .a = GID, .b = rid, .json = "[]" }),
              DBOT_EINVAL);
}

static void
test_messages(void)
{
    uint64_t mid, ids[101], old;

    ASSERT_EQ(op((struct req){ .op = OP_MSG_SEND, .a = CHAN, .s = "hello" }),
              0);
    ASSERT_EQ(G.status, 200);
    mid = jid(G.json);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_GET, .a = CHAN, .b = mid }), 0);
    ASSERT_STREQ(jstr(G.json, "content"), "hello");
    ASSERT_EQ(op((struct req){ .op = OP_MSG_EDIT,
                               .a = CHAN,
                               .b = mid,
                               .json = "{\"content\":\"edited\"}" }),
              0);
    ASSERT_STREQ(jstr(G.json, "content"), "edited");
    ASSERT_EQ(op((struct req){ .op = OP_MSG_PIN, .a = CHAN, .b = mid }), 0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(count_path("PUT", "/messages/pins/"), 1);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_UNPIN, .a = CHAN, .b = mid }), 0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(
        op((struct req){
            .op = OP_MSG_DELETE, .a = CHAN, .b = mid, .reason = "cleanup" }),
        0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_GET, .a = CHAN, .b = mid }), 0);
    ASSERT_EQ(G.status, 404);
    ASSERT_EQ(G.code, 10008);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_PIN, .a = CHAN, .b = mid }), 0);
    ASSERT_EQ(G.code, 10008);

    /* Bulk delete: users' messages of the last minutes go. */
    for (unsigned i = 0; i < 101; i++) {
        ids[i] = snowflake_aged(60000, i);
        if (i < 3) {
            char cid[] = CHAN_S;
            ASSERT_EQ(
                fakecord_seed_message(H.fc, cid, ids[i], "1200000000000000000"),
                0);
        }
    }
    ASSERT_EQ(op((struct req){ .op = OP_BULK,
                               .a = CHAN,
                               .ids = ids,
                               .nids = 2,
                               .reason = "purge" }),
              0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_GET, .a = CHAN, .b = ids[0] }), 0);
    ASSERT_EQ(G.code, 10008);
    ASSERT_EQ(op((struct req){ .op = OP_MSG_GET, .a = CHAN, .b = ids[2] }), 0);
    ASSERT_EQ(G.status, 200);
    /* Discord's limits, checked before sending. */
    h_log_reset();
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = CHAN, .ids = ids, .nids = 1 }),
        DBOT_EINVAL);
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = CHAN, .ids = ids, .nids = 101 }),
        DBOT_EINVAL);
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = CHAN, .ids = ids, .nids = 100 }),
        0);
    ASSERT_EQ(G.status, 204);
    old = snowflake_aged(DBOT_BULK_DELETE_MAX_MS + 3600000, 1);
    ids[1] = old;
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = CHAN, .ids = ids, .nids = 2 }),
        DBOT_EINVAL);
    ASSERT_TRUE(h_log_has("older than 14 days"));
    ids[1] = ids[0];
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = CHAN, .ids = ids, .nids = 2 }),
        DBOT_EINVAL);
    ASSERT_TRUE(h_log_has("given twice"));
    /* The same limits enforced by the fake when sent raw. */
    {
        char body[128];

        snprintf(body, sizeof body, "{\"messages\":[\"%llu\",\"%llu\"]}",
                 (unsigned long long)ids[2], (unsigned long long)old);
        ASSERT_EQ(
            op((struct req){ .op = OP_RAW,
                             .method = "POST",
                             .s = "/channels/" CHAN_S "/messages/bulk-delete",
                             .json = body }),
            0);
        ASSERT_EQ(G.status, 400);
        ASSERT_EQ(G.code, 50034);
        snprintf(body, sizeof body, "{\"messages\":[\"%llu\"]}",
                 (unsigned long long)ids[2]);
        ASSERT_EQ(
            op((struct req){ .op = OP_RAW,
                             .method = "POST",
                             .s = "/channels/" CHAN_S "/messages/bulk-delete",
                             .json = body }),
            0);
        ASSERT_EQ(G.code, 50035);
    }
    /* Unknown channel. */
    ASSERT_EQ(
        op((struct req){ .op = OP_BULK, .a = 9, .ids = ids + 2, .nids = 2 }),
        0);
    ASSERT_EQ(G.code, 10003);
}

static void
test_channels_threads(void)
{
    uint64_t tid;
    char name[110];

    ASSERT_EQ(op((struct req){ .op = OP_CHAN_MODIFY,
                               .a = CHAN,
                               .json = "{\"topic\":\"rules\"}",
                               .reason = "topic" }),
              0);
    ASSERT_EQ(G.status, 200);
    ASSERT_EQ(op((struct req){ .op = OP_CHAN_GET, .a = CHAN }), 0);
    ASSERT_STREQ(jstr(G.json, "topic"), "rules");

    ASSERT_EQ(
        op((struct req){ .op = OP_THREAD_CREATE, .a = CHAN, .s = "support" }),
        0);
    ASSERT_EQ(G.status, 201);
    ASSERT_EQ(cJSON_GetObjectItem(G.json, "type")->valueint, 11);
    tid = jid(G.json);
    ASSERT_EQ(op((struct req){ .op = OP_THREAD_JOIN, .a = tid }), 0);
    ASSERT_EQ(G.status, 204);
    ASSERT_EQ(op((struct req){ .op = OP_THREAD_ARCHIVE, .a = tid, .n = 1 }), 0);
    ASSERT_EQ(G.status, 200);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(G.json, "thread_metadata"), "archived")));
    ASSERT_EQ(op((struct req){ .op = OP_THREAD_JOIN, .a = tid }), 0);
    ASSERT_EQ(G.code, 50083);
    memset(name, 'n', 101);
    name[101] = '\0';
    ASSERT_EQ(op((struct req){ .op = OP_THREAD_CREATE, .a = CHAN, .s = name }),
              DBOT_EINVAL);
    ASSERT_EQ(
        op((struct req){
            .op = OP_THREAD_CREATE, .a = CHAN, .b = 77, .s = "from message" }),
        0);
    ASSERT_EQ(G.code, 10008);
}

static void
test_dm_members_webhooks(void)
{
    char token[64];
    uint64_t hook;

    ASSERT_EQ(op((struct req){ .op = OP_DM_OPEN, .a = USER(2) }), 0);
    ASSERT_EQ(cJSON_GetObjectItem(G.json, "type")->valueint, 1);
    ASSERT_EQ(op((struct req){ .op = OP_DM_SEND,
                               .a = USER(2),
                               .json = "{\"content\":\"hi there\"}" }),
              0);
    ASSERT_EQ(G.status, 200);
    ASSERT_STREQ(jstr(G.json, "content"), "hi there");

    /* One page, then everything in pages of 1000. */
    ASSERT_EQ(op((struct req){
                  .op = OP_MEMBER_LIST, .a = GID, .b = USER(10), .n = 2 }),
              0);
    ASSERT_EQ(cJSON_GetArraySize(G.json), 2);
    ASSERT_STREQ(
        jstr(cJSON_GetObjectItem(cJSON_GetArrayItem(G.json, 0), "user"), "id"),
        "1200000000000000011");
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_LIST, .a = GID, .n = 1001 }),
              DBOT_EINVAL);
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_LIST_ALL, .a = GID }), 0);
    ASSERT_EQ(G.err, 0);
    /* 2500 users, the bot, minus the two kicked and the one banned. */
    ASSERT_EQ(cJSON_GetArraySize(G.json), NMEMBERS + 1 - 3);
    ASSERT_EQ(count_path("GET", "/members?limit=1000"), 3);
    ASSERT_EQ(op((struct req){ .op = OP_MEMBER_LIST_ALL, .a = GID, .n = 1500 }),
              0);
    ASSERT_EQ(cJSON_GetArraySize(G.json), 1500);
    ASSERT_STREQ(G.message, "truncated");

    ASSERT_EQ(op((struct req){ .op = OP_HOOK_CREATE,
                               .a = CHAN,
                               .s = "announcer",
                               .reason = "news" }),
              0);
    ASSERT_EQ(G.status, 200);
    hook = jid(G.json);
    snprintf(token, sizeof token, "%s", jstr(G.json, "token"));
    ASSERT_EQ(op((struct req){ .op = OP_HOOK_EXECUTE,
                               .a = hook,
                               .s = token,
                               .json = "{\"content\":\"news!\"}" }),
              0);
    ASSERT_EQ(G.status, 200);
    ASSERT_STREQ(jstr(G.json, "content"), "news!");
    ASSERT_EQ(op((struct req){ .op = OP_HOOK_EXECUTE,
                               .a = hook,
                               .s = "wrong",
                               .json = "{\"content\":\"x\"}" }),
              0);
    ASSERT_EQ(G.code, 50027);
    ASSERT_EQ(op((struct req){
                  .op = OP_HOOK_CREATE, .a = CHAN, .s = "my Discord hook" }),
              DBOT_EINVAL);
    ASSERT_EQ(op((struct req){ .op = OP_HOOK_EXECUTE,
                               .a = hook,
                               .s = "a/b",
                               .json = "{\"content\":\"x\"}" }),
              DBOT_EINVAL);
}

int
main(void)
{
    struct fakecord_opts o = { .guild_members = NMEMBERS };
    char *v;

    h_start(&H, &o, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    test_guild_and_permissions();
    test_moderation();
    test_roles();
    test_messages();
    test_channels_threads();
    test_dm_members_webhooks();
    cJSON_Delete(G.json);
    G.json = NULL;

    /* What the fake refused when sent raw is on its violation list; the
     * typed calls added nothing else. */
    v = fakecord_violations(H.fc);
    ASSERT_CONTAINS(v, "X-Audit-Log-Reason over 512 characters");
    ASSERT_CONTAINS(v, "older than 14 days");
    ASSERT_CONTAINS(v, "bulk delete of 1 messages");
    ASSERT_EQ(h_stats(&H).violations, 3);
    free(v);
    h_teardown(&H);
    return 0;
}
