/* dbot_presence_set validation and the presence object it builds, and
 * dbot_shard_send's argument checks, on a bot that is not running. */
#include "check.h"

#include "bot.h"

#include <dbot/dbot.h>
#include <dbot/shard.h>

#include <cjson/cJSON.h>

#include <string.h>

static dbot *
new_bot(void)
{
    dbot *bot = NULL;

    ASSERT_EQ(dbot_new_from_json(&bot, "{\"token\":\"unit-token-123\","
                                       "\"log_level\":\"error\"}"),
              0);
    return bot;
}

/* The stored presence, parsed. */
static cJSON *
presence_of(dbot *bot, unsigned *gen)
{
    char *text = dbot__bot_presence_copy(bot, gen);
    cJSON *j;

    ASSERT_TRUE(text != NULL);
    j = cJSON_Parse(text);
    free(text);
    return j;
}

static const cJSON *
activity0(const cJSON *p)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(p, "activities"), 0);
}

TEST(watching_builds_discords_object)
{
    dbot *bot = new_bot();
    dbot_presence p = { .status = "dnd",
                        .name = "the logs",
                        .type = DBOT_ACTIVITY_WATCHING };
    unsigned gen0, gen1;
    cJSON *j;

    ASSERT_TRUE(dbot__bot_presence_copy(bot, &gen0) == NULL);
    ASSERT_EQ(dbot_presence_set(bot, &p), 0);
    j = presence_of(bot, &gen1);
    ASSERT_EQ(gen1, gen0 + 1);
    ASSERT_STREQ(cJSON_GetObjectItem(j, "status")->valuestring, "dnd");
    ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(j, "since")));
    ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(j, "afk")));
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(j), "name")->valuestring,
                 "the logs");
    ASSERT_EQ(cJSON_GetObjectItem(activity0(j), "type")->valueint, 3);
    ASSERT_EQ(cJSON_GetArraySize(activity0(j)), 2); /* name, type: no more */
    cJSON_Delete(j);
    dbot_free(bot);
}

TEST(custom_status_text_goes_in_state)
{
    dbot *bot = new_bot();
    dbot_presence p = { .name = "Ready for /ping 🏓",
                        .type = DBOT_ACTIVITY_CUSTOM };
    cJSON *j;

    ASSERT_EQ(dbot_presence_set(bot, &p), 0);
    j = presence_of(bot, NULL);
    ASSERT_STREQ(cJSON_GetObjectItem(j, "status")->valuestring, "online");
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(j), "name")->valuestring,
                 "Custom Status");
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(j), "state")->valuestring,
                 "Ready for /ping 🏓");
    ASSERT_EQ(cJSON_GetObjectItem(activity0(j), "type")->valueint, 4);
    cJSON_Delete(j);
    dbot_free(bot);
}

TEST(streaming_url_and_reset_to_online)
{
    dbot *bot = new_bot();
    dbot_presence p = { .name = "speedruns",
                        .type = DBOT_ACTIVITY_STREAMING,
                        .url = "https://www.twitch.tv/dbot" };
    cJSON *j;

    ASSERT_EQ(dbot_presence_set(bot, &p), 0);
    j = presence_of(bot, NULL);
    ASSERT_STREQ(cJSON_GetObjectItem(activity0(j), "url")->valuestring,
                 "https://www.twitch.tv/dbot");
    cJSON_Delete(j);
    ASSERT_EQ(dbot_presence_set(bot, NULL), 0);
    j = presence_of(bot, NULL);
    ASSERT_STREQ(cJSON_GetObjectItem(j, "status")->valuestring, "online");
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "activities")), 0);
    cJSON_Delete(j);
    dbot_free(bot);
}

TEST(bad_presences_are_refused_and_change_nothing)
{
    dbot *bot = new_bot();
    char long_name[200];
    const dbot_presence bad[] = {
        { .status = "away" },
        { .status = "offline" }, /* not settable: "invisible" is */
        { .name = "x", .type = 6 },
        { .name = "x", .type = -1 },
        { .name = "", .type = DBOT_ACTIVITY_PLAYING },
        { .name = long_name, .type = DBOT_ACTIVITY_PLAYING },
        { .name = "\xff\xfe", .type = DBOT_ACTIVITY_PLAYING },
        { .name = "x",
          .type = DBOT_ACTIVITY_PLAYING,
          .url = "https://twitch.tv/x" },
        { .name = "x", .type = DBOT_ACTIVITY_STREAMING },
        { .name = "x",
          .type = DBOT_ACTIVITY_STREAMING,
          .url = "http://twitch.tv/x" },
        { .name = "x",
          .type = DBOT_ACTIVITY_STREAMING,
          .url = "https://twitch.tv.evil.example/x" },
        { .name = "x",
          .type = DBOT_ACTIVITY_STREAMING,
          .url = "https://twitch.tv/" },
        { .url = "https://twitch.tv/x" },
    };
    unsigned gen0, gen1;

    memset(long_name, 'a', 129);
    long_name[129] = '\0';
    free(dbot__bot_presence_copy(bot, &gen0));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (dbot_presence_set(bot, &bad[i]) != DBOT_EINVAL)
            CHECK_FAIL_("bad presence %zu accepted", i);
    ASSERT_TRUE(dbot__bot_presence_copy(bot, &gen1) == NULL);
    ASSERT_EQ(gen1, gen0);
    long_name[128] = '\0'; /* 128 characters is the limit, inclusive */
    ASSERT_EQ(dbot_presence_set(bot, &bad[5]), 0);
    dbot_free(bot);
}

TEST(shard_send_checks_its_arguments)
{
    dbot *bot = new_bot();
    cJSON *d = cJSON_Parse("{\"guild_id\":\"1\",\"query\":\"\",\"limit\":0}");
    cJSON *arr = cJSON_CreateArray();

    ASSERT_EQ(dbot_shard_count(bot), 1);
    ASSERT_EQ(dbot_shard_send(bot, 0, 2, d), DBOT_EINVAL); /* Identify */
    ASSERT_EQ(dbot_shard_send(bot, 0, 1, d), DBOT_EINVAL); /* heartbeat */
    ASSERT_EQ(dbot_shard_send(bot, 0, 6, d), DBOT_EINVAL); /* Resume */
    ASSERT_EQ(dbot_shard_send(bot, 0, 8, arr), DBOT_EINVAL);
    ASSERT_EQ(dbot_shard_send(bot, 0, 8, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_shard_send(bot, 5, 8, d), DBOT_EINVAL);
    /* Not running: no shard exists yet, so nothing can be sent. */
    ASSERT_EQ(dbot_shard_send(bot, -1, 8, d), DBOT_EINVAL);
    cJSON_Delete(d);
    cJSON_Delete(arr);
    dbot_free(bot);
}

TEST(guild_to_shard_formula)
{
    dbot *bot = new_bot();

    /* One shard: everything on shard 0. */
    ASSERT_EQ(dbot_shard_of_guild(bot, 81384788765712384ULL), 0);
    ASSERT_EQ(dbot_shard_of_guild(bot, 0), 0);
    dbot_free(bot);
}

int
main(void)
{
    RUN(watching_builds_discords_object);
    RUN(custom_status_text_goes_in_state);
    RUN(streaming_url_and_reset_to_online);
    RUN(bad_presences_are_refused_and_change_nothing);
    RUN(shard_send_checks_its_arguments);
    RUN(guild_to_shard_formula);
    return 0;
}
