/*
 * test_permissions.c: Discord's permission algorithm (permissions.mdx,
 * "Permission Overwrites") on the cases it spells out: owner and
 * ADMINISTRATOR get everything and ignore overwrites; @everyone's
 * overwrite comes first; role overwrites combine (an allow on one role
 * beats a deny on another, whatever their positions); the member's own
 * overwrite comes last; a timeout keeps only VIEW_CHANNEL and
 * READ_MESSAGE_HISTORY; malformed JSON is refused.
 */
#include "../check.h"

#include "permissions_calc.h"

#include <dbot/permissions.h>

#include <string.h>

#define G "100"
/* @everyone: view + send + history; role 1: kick; role 2: manage msgs;
 * role 3: administrator. */
static const char *guild_json = "{\"id\":\"100\",\"owner_id\":\"9\",\"roles\":["
                                "{\"id\":\"100\",\"permissions\":\"68608\"},"
                                "{\"id\":\"1\",\"permissions\":\"2\"},"
                                "{\"id\":\"2\",\"permissions\":\"8192\"},"
                                "{\"id\":\"3\",\"permissions\":\"8\"}]}";

static uint64_t
compute(const char *channel, const char *member, int64_t now, int *rc)
{
    cJSON *g = cJSON_Parse(guild_json),
          *c = channel ? cJSON_Parse(channel) : NULL, *m = cJSON_Parse(member);
    uint64_t out = 0xdead;

    *rc = dbot_permissions_compute(g, c, m, now, &out);
    cJSON_Delete(g);
    cJSON_Delete(c);
    cJSON_Delete(m);
    return out;
}

#define VIEW    DBOT_PERM_VIEW_CHANNEL
#define SEND    DBOT_PERM_SEND_MESSAGES
#define HISTORY DBOT_PERM_READ_MESSAGE_HISTORY

TEST(constants_match_discord)
{
    /* Spot checks against the table's hex values. */
    ASSERT_EQ(DBOT_PERM_ADMINISTRATOR, 0x8ull);
    ASSERT_EQ(DBOT_PERM_VIEW_CHANNEL, 0x400ull);
    ASSERT_EQ(DBOT_PERM_USE_APPLICATION_COMMANDS, 0x80000000ull);
    ASSERT_EQ(DBOT_PERM_MODERATE_MEMBERS, 0x10000000000ull);
    ASSERT_EQ(DBOT_PERM_SEND_VOICE_MESSAGES, 0x400000000000ull);
    ASSERT_EQ(DBOT_PERM_SET_VOICE_CHANNEL_STATUS, 0x1000000000000ull);
    ASSERT_EQ(DBOT_PERM_PIN_MESSAGES, 0x8000000000000ull);
    ASSERT_EQ(DBOT_PERM_BYPASS_SLOWMODE, 0x10000000000000ull);
    /* 52 documented bits: 0..52 without 47. */
    ASSERT_EQ(__builtin_popcountll(DBOT_PERM_ALL), 52);
    ASSERT_EQ(DBOT_PERM_ALL & DBOT_PERM_BIT(47), 0);
    ASSERT_EQ(68608ull, VIEW | SEND | HISTORY);
}

TEST(base_permissions)
{
    int rc;
    uint64_t p;

    p = compute(NULL, "{\"user\":{\"id\":\"5\"},\"roles\":[\"1\"]}", 0, &rc);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(p, VIEW | SEND | HISTORY | DBOT_PERM_KICK_MEMBERS);
    /* Owner: everything, whatever the roles. */
    p = compute(NULL, "{\"user\":{\"id\":\"9\"},\"roles\":[]}", 0, &rc);
    ASSERT_EQ(p, DBOT_PERM_ALL);
    /* ADMINISTRATOR: everything. */
    p = compute(NULL, "{\"user\":{\"id\":\"5\"},\"roles\":[\"3\"]}", 0, &rc);
    ASSERT_EQ(p, DBOT_PERM_ALL);
    /* A role the guild does not have is skipped. */
    p = compute(NULL, "{\"user\":{\"id\":\"5\"},\"roles\":[\"77\"]}", 0, &rc);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(p, VIEW | SEND | HISTORY);
}

TEST(overwrites_in_order)
{
    int rc;
    uint64_t p;
    /* @everyone denies SEND; role 1 denies VIEW, role 2 allows VIEW:
     * combined, the allow wins. The member's overwrite allows SEND back. */
    const char *ch = "{\"permission_overwrites\":["
                     "{\"id\":\"" G "\",\"type\":0,\"allow\":\"0\","
                     "\"deny\":\"2048\"},"
                     "{\"id\":\"1\",\"type\":0,\"allow\":\"0\","
                     "\"deny\":\"1024\"},"
                     "{\"id\":\"2\",\"type\":0,\"allow\":\"1024\","
                     "\"deny\":\"0\"},"
                     "{\"id\":\"5\",\"type\":1,\"allow\":\"2048\","
                     "\"deny\":\"0\"}]}";

    p = compute(ch, "{\"user\":{\"id\":\"6\"},\"roles\":[]}", 0, &rc);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(p, VIEW | HISTORY); /* @everyone lost SEND */
    p = compute(ch, "{\"user\":{\"id\":\"6\"},\"roles\":[\"1\"]}", 0, &rc);
    ASSERT_EQ(p, HISTORY | DBOT_PERM_KICK_MEMBERS);
    p = compute(ch, "{\"user\":{\"id\":\"6\"},\"roles\":[\"1\",\"2\"]}", 0,
                &rc);
    ASSERT_EQ(p, VIEW | HISTORY | DBOT_PERM_KICK_MEMBERS |
                     DBOT_PERM_MANAGE_MESSAGES);
    p = compute(ch, "{\"user\":{\"id\":\"5\"},\"roles\":[\"1\"]}", 0, &rc);
    ASSERT_EQ(p, SEND | HISTORY | DBOT_PERM_KICK_MEMBERS);
    /* A member overwrite with another user's id does not apply; a role
     * overwrite whose id equals the user id does not act as a member one. */
    p = compute("{\"permission_overwrites\":[{\"id\":\"6\",\"type\":0,"
                "\"allow\":\"0\",\"deny\":\"1024\"}]}",
                "{\"user\":{\"id\":\"6\"},\"roles\":[]}", 0, &rc);
    ASSERT_EQ(p, VIEW | SEND | HISTORY);
    /* ADMINISTRATOR ignores every overwrite. */
    p = compute(ch, "{\"user\":{\"id\":\"6\"},\"roles\":[\"3\",\"1\"]}", 0,
                &rc);
    ASSERT_EQ(p, DBOT_PERM_ALL);
}

TEST(timeout_keeps_view_and_history)
{
    int rc;
    uint64_t p;
    const char *m = "{\"user\":{\"id\":\"5\"},\"roles\":[\"1\"],"
                    "\"communication_disabled_until\":"
                    "\"2026-12-03T14:00:00.000000+00:00\"}";
    int64_t before = 1796306400000 - 1000; /* 13:59:59 UTC */

    p = compute(NULL, m, before, &rc);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(p, VIEW | HISTORY);
    p = compute(NULL, m, before + 2000, &rc);
    ASSERT_EQ(p, VIEW | SEND | HISTORY | DBOT_PERM_KICK_MEMBERS);
    p = compute(NULL, m, 0, &rc); /* timeouts ignored */
    ASSERT_EQ(p, VIEW | SEND | HISTORY | DBOT_PERM_KICK_MEMBERS);
    /* The owner is exempt. */
    p = compute(NULL,
                "{\"user\":{\"id\":\"9\"},\"communication_disabled_until\":"
                "\"2026-12-03T14:00:00Z\"}",
                before, &rc);
    ASSERT_EQ(p, DBOT_PERM_ALL);
}

TEST(bad_input_refused)
{
    int rc;
    uint64_t v;
    cJSON *j;

    compute(NULL, "{\"roles\":[]}", 0, &rc);
    ASSERT_EQ(rc, DBOT_EINVAL);
    compute(NULL, "{\"user\":{\"id\":\"x5\"}}", 0, &rc);
    ASSERT_EQ(rc, DBOT_EINVAL);
    compute("{\"permission_overwrites\":[{\"id\":\"1\",\"type\":0,"
            "\"allow\":\"-1\",\"deny\":\"0\"}]}",
            "{\"user\":{\"id\":\"5\"}}", 0, &rc);
    ASSERT_EQ(rc, DBOT_EINVAL);
    ASSERT_EQ(dbot_permissions_compute(NULL, NULL, NULL, 0, &v), DBOT_EINVAL);
    j = cJSON_CreateString("18446744073709551616"); /* 2^64 */
    ASSERT_EQ(dbot_permissions_parse(j, &v), DBOT_EINVAL);
    cJSON_Delete(j);
    j = cJSON_CreateString("4503599627370496");
    ASSERT_EQ(dbot_permissions_parse(j, &v), 0);
    ASSERT_EQ(v, DBOT_PERM_BYPASS_SLOWMODE);
    cJSON_Delete(j);
}

TEST(calc_leaf_direct)
{
    uint64_t ids[] = { 1 }, perms[] = { DBOT_PERM_KICK_MEMBERS };
    struct dbot__perm_overwrite ow[] = {
        { .id = 100, .type = DBOT__OW_ROLE, .deny = VIEW },
    };
    struct dbot__perm_input in = {
        .guild_id = 100,
        .user_id = 5,
        .everyone = VIEW | SEND,
        .role_ids = ids,
        .role_perms = perms,
        .nroles = 1,
        .ow = ow,
        .now = 1,
    };

    ASSERT_EQ(dbot__perm_base(&in), VIEW | SEND | DBOT_PERM_KICK_MEMBERS);
    ASSERT_EQ(dbot__perm_compute(&in), SEND | DBOT_PERM_KICK_MEMBERS);
}

int
main(void)
{
    RUN(constants_match_discord);
    RUN(base_permissions);
    RUN(overwrites_in_order);
    RUN(timeout_keeps_view_and_history);
    RUN(bad_input_refused);
    RUN(calc_leaf_direct);
    return 0;
}
