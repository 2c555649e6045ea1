/*
 * test_checks.c: checks, cooldowns and the error hook against the fake
 * Discord. A refused interaction gets an ephemeral answer naming the
 * reason and never reaches its handler; ADMINISTRATOR passes every
 * permission check; a per-user cooldown refuses the second use with the
 * time left, lets another user through, and forgets the entry when its
 * window ends; and dbot_on_error sees every refusal and every fallback
 * answer (unknown route, handler error, no response) with what the user
 * was told.
 */
#include "harness.h"
#include "bot.h"
#include "checks.h"

#include <dbot/checks.h>
#include <dbot/interaction.h>

static struct harness H;

#define MANAGE_MESSAGES (1ull << 13)
#define BAN_MEMBERS     (1ull << 2)

static atomic_int ran_purge, ran_owner, ran_slow, ran_ban;
static atomic_int nerr, live_cooldowns = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int kind, err;
    char route[64], text[256];
    int64_t retry;
} errs[64];

static void
on_error(dbot *bot, const dbot_error_info *e, void *data)
{
    (void)bot;
    (void)data;
    pthread_mutex_lock(&mu);
    if (nerr < 64) {
        errs[nerr].kind = e->kind;
        errs[nerr].err = e->err;
        snprintf(errs[nerr].route, sizeof errs[nerr].route, "%s",
                 e->route ? e->route : "");
        snprintf(errs[nerr].text, sizeof errs[nerr].text, "%s",
                 e->user_text ? e->user_text : "");
        errs[nerr].retry = e->retry_after_ms;
    }
    pthread_mutex_unlock(&mu);
    nerr++;
}

static int
on_purge(dbot_interaction *ix, void *data)
{
    (void)data;
    ran_purge++;
    return dbot_interaction_reply(ix, "purged");
}

static int
on_owner(dbot_interaction *ix, void *data)
{
    (void)data;
    ran_owner++;
    return dbot_interaction_reply(ix, "hello owner");
}

static int
on_slow(dbot_interaction *ix, void *data)
{
    (void)data;
    ran_slow++;
    return dbot_interaction_reply(ix, "ok");
}

static int
on_ban(dbot_interaction *ix, void *data)
{
    (void)data;
    ran_ban++;
    return dbot_interaction_reply(ix, "banned");
}

static int
on_broken(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return DBOT_EIO;
}

static int
on_silent(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0;
}

static void
setup(dbot *bot, void *arg)
{
    static const dbot_checks purge = {
        .guild_only = true,
        .member_permissions = MANAGE_MESSAGES,
    };
    static const dbot_checks owner = { .owner_only = true };
    static const dbot_checks slow = {
        .cooldown = { .scope = DBOT_COOLDOWN_USER, .uses = 1, .per_ms = 800 },
    };
    static const dbot_checks ban = { .bot_permissions = BAN_MEMBERS };
    static const dbot_checks bad = {
        .cooldown = { .scope = 9, .uses = 1, .per_ms = 10 },
    };

    (void)arg;
    ASSERT_EQ(dbot_on_command_checked(bot, "purge", on_purge, NULL, &purge), 0);
    ASSERT_EQ(dbot_on_command_checked(bot, "owner", on_owner, NULL, &owner), 0);
    ASSERT_EQ(dbot_on_command_checked(bot, "slow", on_slow, NULL, &slow), 0);
    ASSERT_EQ(dbot_on_command_checked(bot, "ban", on_ban, NULL, &ban), 0);
    ASSERT_EQ(dbot_on_command_checked(bot, "bad", on_ban, NULL, &bad),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_on_command(bot, "broken", on_broken, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "silent", on_silent, NULL), 0);
    ASSERT_EQ(dbot_on_error(bot, on_error, NULL), 0);
}

/* A command from user `user` with member permissions `perms` (NULL: in
 * a DM, no member) and the bot's `app` permissions. */
static uint64_t
push_cmd(const char *name, const char *user, const char *perms, const char *app)
{
    char json[1024];
    uint64_t id;

    if (perms)
        snprintf(json, sizeof json,
                 "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"%s\","
                 "\"type\":1},\"guild_id\":\"100\",\"channel_id\":\"200\","
                 "\"app_permissions\":\"%s\",\"member\":{\"permissions\":"
                 "\"%s\",\"user\":{\"id\":\"%s\",\"username\":\"u\"}}}",
                 name, app, perms, user);
    else
        snprintf(json, sizeof json,
                 "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"%s\","
                 "\"type\":1},\"channel_id\":\"300\",\"app_permissions\":"
                 "\"%s\",\"user\":{\"id\":\"%s\",\"username\":\"u\"}}",
                 name, app, user);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_NE(id, 0);
    return id;
}

/* Wait for the first callback of `id` and return its content; flags in
 * *flags. The caller frees. */
static char *
answer_of(uint64_t id, int *flags)
{
    struct fakecord_ix_log l;
    const cJSON *d;
    char *out;

    WAIT_UNTIL((fakecord_interaction_log(H.fc, id, &l) == 0 &&
                (l.callbacks >= 1 ? 1 : (fakecord_ix_log_free(&l), 0))),
               10000);
    ASSERT_EQ(l.callback_type, 4);
    d = cJSON_GetObjectItem(l.callback_body, "data");
    out = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(d, "content")));
    *flags = cJSON_GetNumberValue(cJSON_GetObjectItem(d, "flags")) == 64;
    fakecord_ix_log_free(&l);
    return out;
}

static void
expect_answer(uint64_t id, const char *needle, int ephemeral)
{
    int flags = 0;
    char *text = answer_of(id, &flags);

    ASSERT_CONTAINS(text, needle);
    ASSERT_EQ(flags, ephemeral);
    free(text);
}

static int
last_kind(void)
{
    int k;

    pthread_mutex_lock(&mu);
    k = nerr ? errs[nerr - 1].kind : 0;
    pthread_mutex_unlock(&mu);
    return k;
}

static void
read_cooldowns(dbot *bot, void *arg)
{
    (void)arg;
    live_cooldowns = (int)dbot__checks_cooldowns(dbot__bot_checks(bot));
}

static int
cooldowns_now(void)
{
    live_cooldowns = -1;
    ASSERT_EQ(dbot_post(H.bot, read_cooldowns, NULL), 0);
    WAIT_UNTIL(live_cooldowns >= 0, 5000);
    return live_cooldowns;
}

static void
set_owner(dbot *bot, void *arg)
{
    uint64_t id = 42;

    (void)arg;
    ASSERT_EQ(dbot_owners_set(bot, &id, 1), 0);
    ASSERT_EQ(dbot_owners_set(bot, NULL, 1), DBOT_EINVAL);
    live_cooldowns = 7; /* "done" */
}

TEST(checks_refuse_before_the_handler)
{
    int n;

    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);

    /* guild_only (and any permission check) refuses a DM. */
    expect_answer(push_cmd("purge", "1", NULL, "0"), "only works in a server",
                  1);
    ASSERT_EQ(last_kind(), DBOT_ERROR_CHECK);
    /* Missing Manage Messages: refused, and the text names it. */
    expect_answer(push_cmd("purge", "1", "0", "0"), "Manage Messages", 1);
    ASSERT_EQ(ran_purge, 0);
    /* The bit itself, or ADMINISTRATOR, passes. */
    expect_answer(push_cmd("purge", "1", "8192", "0"), "purged", 0);
    expect_answer(push_cmd("purge", "1", "8", "0"), "purged", 0);
    ASSERT_EQ(ran_purge, 2);
    /* The bot's own permissions in the channel (app_permissions). */
    expect_answer(push_cmd("ban", "1", "8", "0"), "I need these permissions",
                  1);
    ASSERT_CONTAINS(errs[nerr - 1].text, "Ban Members");
    expect_answer(push_cmd("ban", "1", "8", "4"), "banned", 0);
    /* owner_only: the application's owner, learned from Discord. */
    WAIT_UNTIL(h_log_has("owner_only commands are for 1 owner(s)"), 10000);
    expect_answer(push_cmd("owner", "42", "8", "0"), "Only the bot's owner", 1);
    expect_answer(push_cmd("owner", FAKECORD_OWNER_ID, "0", "0"), "hello owner",
                  0);
    /* dbot_owners_set replaces them. */
    live_cooldowns = -1;
    ASSERT_EQ(dbot_post(H.bot, set_owner, NULL), 0);
    WAIT_UNTIL(live_cooldowns == 7, 5000);
    expect_answer(push_cmd("owner", "43", "8", "0"), "Only the bot's owner", 1);
    expect_answer(push_cmd("owner", FAKECORD_OWNER_ID, "8", "0"),
                  "Only the bot's owner", 1);
    expect_answer(push_cmd("owner", "42", "8", "0"), "hello owner", 0);
    ASSERT_EQ(ran_owner, 2);
    ASSERT_TRUE(!h_log_has("no owner is known"));
    n = nerr;
    ASSERT_EQ(n, 6); /* one report per refusal, none for the passes */
    h_teardown(&H);
}

TEST(cooldowns_count_per_user_and_expire)
{
    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    nerr = 0;
    expect_answer(push_cmd("slow", "1", "0", "0"), "ok", 0);
    expect_answer(push_cmd("slow", "1", "0", "0"), "again in 1 s", 1);
    ASSERT_EQ(last_kind(), DBOT_ERROR_COOLDOWN);
    pthread_mutex_lock(&mu);
    ASSERT_GE(errs[0].retry, 1);
    ASSERT_LE(errs[0].retry, 800);
    ASSERT_STREQ(errs[0].route, "slow");
    pthread_mutex_unlock(&mu);
    /* Another user has a window of their own. */
    expect_answer(push_cmd("slow", "2", "0", "0"), "ok", 0);
    ASSERT_EQ(ran_slow, 2);
    ASSERT_EQ(cooldowns_now(), 2);
    /* The windows end on the timer heap and their entries go. */
    WAIT_UNTIL(cooldowns_now() == 0, 10000);
    expect_answer(push_cmd("slow", "1", "0", "0"), "ok", 0);
    ASSERT_EQ(ran_slow, 3);
    h_teardown(&H);
}

TEST(error_hook_sees_every_fallback)
{
    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    nerr = 0;
    expect_answer(push_cmd("nosuch", "1", "0", "0"), "not available", 1);
    WAIT_UNTIL(nerr == 1, 5000);
    ASSERT_EQ(errs[0].kind, DBOT_ERROR_UNKNOWN);
    ASSERT_STREQ(errs[0].route, "nosuch");
    ASSERT_CONTAINS(errs[0].text, "not available");
    expect_answer(push_cmd("broken", "1", "0", "0"), "went wrong", 1);
    WAIT_UNTIL(nerr == 2, 5000);
    ASSERT_EQ(errs[1].kind, DBOT_ERROR_HANDLER);
    ASSERT_EQ(errs[1].err, DBOT_EIO);
    ASSERT_CONTAINS(errs[1].text, "went wrong");
    expect_answer(push_cmd("silent", "1", "0", "0"), "did not respond", 1);
    WAIT_UNTIL(nerr == 3, 5000);
    ASSERT_EQ(errs[2].kind, DBOT_ERROR_NO_RESPONSE);
    ASSERT_STREQ(dbot_error_kind_name(DBOT_ERROR_NO_RESPONSE), "no_response");
    ASSERT_STREQ(dbot_error_kind_name(99), "?");
    h_teardown(&H);
}

TEST(permission_names)
{
    char buf[128];

    dbot__permission_names(MANAGE_MESSAGES | BAN_MEMBERS | (1ull << 63), buf,
                           sizeof buf);
    ASSERT_STREQ(buf, "Ban Members, Manage Messages, permission bit 63");
    dbot__permission_names(~0ull, buf, 16); /* cut, still terminated */
    ASSERT_EQ(strlen(buf), 15);
}

TEST(owners_from_the_application)
{
    struct dbot__checks *cs;
    cJSON *team =
        cJSON_Parse("{\"owner\":{\"id\":\"5\"},\"team\":{\"members\":["
                    "{\"user\":{\"id\":\"7\"}},{\"user\":{\"id\":\"8\"}}]}}");
    cJSON *solo = cJSON_Parse("{\"owner\":{\"id\":\"5\"}}");
    uint64_t one = 1;
    static const dbot_checks owner_only = { .owner_only = true };

    ASSERT_EQ(dbot__checks_new(&cs, NULL), 0);
    /* A team's members own a team's application, not its placeholder
     * owner; otherwise the owner does. */
    ASSERT_EQ(dbot__checks_learn_owners(cs, team), 2);
    ASSERT_EQ(dbot__checks_learn_owners(cs, solo), 1);
    /* Asked once, and never after an explicit choice. */
    ASSERT_EQ(dbot__checks_should_ask_owner(cs, &owner_only), 1);
    ASSERT_EQ(dbot__checks_should_ask_owner(cs, &owner_only), 0);
    ASSERT_EQ(dbot__checks_set_owners(cs, &one, 1), 0);
    ASSERT_EQ(dbot__checks_learn_owners(cs, team), 0);
    dbot__checks_free(cs);
    cJSON_Delete(team);
    cJSON_Delete(solo);
}

int
main(void)
{
    RUN(owners_from_the_application);
    RUN(permission_names);
    RUN(checks_refuse_before_the_handler);
    RUN(cooldowns_count_per_user_and_expire);
    RUN(error_hook_sees_every_fallback);
    free(h_logs);
    return 0;
}
