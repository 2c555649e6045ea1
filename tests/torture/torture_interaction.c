/*
 * torture_interaction.c: reading an INTERACTION_CREATE with each
 * allocation failing in turn: the gateway frame is parsed as the shard
 * parses it (dbot__gw_parse), the interaction kept as the dispatcher keeps
 * it (a deep copy that outlives the frame), and read through
 * <dbot/interaction_data.h> as a handler reads it (command path, options,
 * resolved users, members and channels, permissions). The readers
 * themselves hand out borrowed pointers and allocate nothing; what can
 * fail is the parse and the copy, and a failure there must be a clean
 * error, never a half-read interaction.
 */
#include "../check.h"
#include "gateway_codec.h"
#include "torture.h"

#include <dbot/interaction_data.h>

/* /permissions user get user:@target channel:#general, in a guild. */
static const char frame[] =
    "{\"op\":0,\"s\":7,\"t\":\"INTERACTION_CREATE\",\"d\":"
    "{\"id\":\"1234567890123456789\",\"application_id\":"
    "\"1100000000000000000\",\"type\":2,\"token\":\"aW50ZXJhY3Rpb24.tok\","
    "\"version\":1,\"guild_id\":\"290926798626357999\","
    "\"channel_id\":\"645027906669510667\",\"app_permissions\":\"442368\","
    "\"locale\":\"en-US\",\"member\":{\"user\":{\"id\":"
    "\"53908232506183680\",\"username\":\"mason\"},\"roles\":[],"
    "\"permissions\":\"18446744073709551615\"},"
    "\"data\":{\"id\":\"771825006014889984\",\"name\":\"permissions\","
    "\"type\":1,\"options\":[{\"name\":\"user\",\"type\":2,\"options\":["
    "{\"name\":\"get\",\"type\":1,\"options\":[{\"name\":\"user\",\"type\":6,"
    "\"value\":\"809850198683418695\"},{\"name\":\"channel\",\"type\":7,"
    "\"value\":\"645027906669510667\"},{\"name\":\"note\",\"type\":3,"
    "\"value\":\"hi\"}]}]}],"
    "\"resolved\":{\"users\":{\"809850198683418695\":{\"id\":"
    "\"809850198683418695\",\"username\":\"target\"}},"
    "\"members\":{\"809850198683418695\":{\"roles\":[],\"nick\":\"tgt\"}},"
    "\"channels\":{\"645027906669510667\":{\"id\":\"645027906669510667\","
    "\"name\":\"general\",\"type\":0}}}}}}";

static char good[512];

/* What a handler would read, as one comparable line. */
static void
read_interaction(const cJSON *ix, char *out, size_t n)
{
    char path[64];
    const char *note = NULL;
    dbot_ref user, channel;
    uint64_t perms = 0;

    dbot_ix_command_path(ix, path, sizeof path);
    note = dbot_option_str(dbot_options_of(ix), "note", NULL);
    dbot_option_user(dbot_options_of(ix), "user", &user);
    dbot_option_channel(dbot_options_of(ix), "channel", &channel);
    dbot_ix_member_permissions(ix, &perms);
    snprintf(
        out, n, "%d|%llu|%s|%s|%s|%llu|%s|%s|%s|%llu|%llu", dbot_ix_type(ix),
        (unsigned long long)dbot_ix_id(ix), dbot_ix_token(ix), path,
        note ? note : "-", (unsigned long long)user.id,
        cJSON_GetStringValue(cJSON_GetObjectItem(user.object, "username")),
        cJSON_GetStringValue(cJSON_GetObjectItem(user.member, "nick")),
        cJSON_GetStringValue(cJSON_GetObjectItem(channel.object, "name")),
        (unsigned long long)dbot_ix_user_id(ix), (unsigned long long)perms);
}

static int
read_frame(void *arg)
{
    struct dbot__gw_msg m;
    char err[128], now[512];
    cJSON *kept;
    int rc;

    (void)arg;
    rc = dbot__gw_parse(frame, sizeof frame - 1, &m, err, sizeof err);
    if (rc < 0)
        return rc;
    if (m.op != DBOT__OP_DISPATCH || !m.t ||
        strcmp(m.t, "INTERACTION_CREATE") != 0) {
        cJSON_Delete(m.root);
        return 1;
    }
    kept = cJSON_Duplicate(m.d, 1);
    cJSON_Delete(m.root);
    if (!kept)
        return DBOT_ENOMEM;
    read_interaction(kept, now, sizeof now);
    cJSON_Delete(kept);
    if (!good[0])
        snprintf(good, sizeof good, "%s", now);
    if (strcmp(good, now) != 0) {
        fprintf(stderr, "interaction: got  %s\ninteraction: want %s\n", now,
                good);
        return 1;
    }
    return TORTURE_OK;
}

TEST(interaction_create_read_fails_cleanly_at_every_allocation)
{
    /* DBOT_EJSON: cJSON reports its own allocation failing as a parse
     * error, and the shard then skips the frame (gateway_conn.c). */
    static const int errors[] = { DBOT_ENOMEM, DBOT_EJSON, 0 };

    ASSERT_TRUE(torture_run("interaction", read_frame, NULL, errors) > 20);
    ASSERT_STREQ(good, "2|1234567890123456789|aW50ZXJhY3Rpb24.tok|"
                       "permissions user get|hi|809850198683418695|target|"
                       "tgt|general|53908232506183680|18446744073709551615");
}

int
main(void)
{
    torture_init();
    RUN(interaction_create_read_fails_cleanly_at_every_allocation);
    return 0;
}
