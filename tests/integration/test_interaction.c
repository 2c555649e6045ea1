/*
 * test_interaction.c: interactions end to end against the fake Discord:
 * the exact callback body of every response type, routing (subcommands,
 * prefix custom_ids, modals, autocomplete, unknown routes), the auto-defer
 * before 3 s, late replies turned into edits, double replies refused
 * locally, expired tokens, and commands registered only when changed.
 * The fake answers 10062 after 3 s and 40060 for a second callback; every
 * test ends by asserting it never had to.
 */
#include "bot.h"
#include "harness.h"
#include "interaction.h"
#include "rest.h"

#include <dbot/command.h>
#include <dbot/interaction.h>

static struct harness H;

#define GUILD "290926798626357999"
#define CHAN  "290926798629999999"
#define INVOKER                                                              \
    "\"guild_id\":\"" GUILD "\",\"channel_id\":\"" CHAN "\",\"locale\":"     \
    "\"en-US\",\"member\":{\"permissions\":\"2147483647\",\"user\":{\"id\":" \
    "\"53908232506183680\",\"username\":\"mason\"}}"

/* What handlers saw and returned, read by the test thread. */
static atomic_int calls, second_rc, late_rc, edit_rc, held_set;
static char seen_arg[64], seen_path[64], seen_value[128];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static dbot_interaction *held;

static void
remember(const char *arg, const char *path, const char *value)
{
    pthread_mutex_lock(&seen_mu);
    snprintf(seen_arg, sizeof seen_arg, "%s", arg ? arg : "");
    snprintf(seen_path, sizeof seen_path, "%s", path ? path : "");
    snprintf(seen_value, sizeof seen_value, "%s", value ? value : "");
    pthread_mutex_unlock(&seen_mu);
}

static uint64_t
push(const char *json)
{
    uint64_t id = fakecord_push_interaction(H.fc, json);

    ASSERT_NE(id, 0);
    return id;
}

static struct fakecord_ix_log
ixlog_wait(uint64_t id, int callbacks, int edits)
{
    return h_ix_wait(&H, id, callbacks, edits);
}

static const char *
jstr(const cJSON *o, const char *path1, const char *path2)
{
    const cJSON *v = cJSON_GetObjectItem(o, path1);

    if (path2)
        v = cJSON_GetObjectItem(v, path2);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jint(const cJSON *o, const char *path1, const char *path2)
{
    const cJSON *v = cJSON_GetObjectItem(o, path1);

    if (path2)
        v = cJSON_GetObjectItem(v, path2);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static void
finish_clean(void)
{
    char *v = fakecord_violations(H.fc);

    ASSERT_STREQ(v, "");
    free(v);
    h_teardown(&H);
}

/* ---- handlers ---------------------------------------------------------- */

static int
on_ping(dbot_interaction *ix, void *data)
{
    (void)data;
    calls++;
    return dbot_interaction_reply(ix, "Pong!");
}

static int
on_secret(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply_ephemeral(ix, "only you");
}

static int
on_think(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_defer(ix, 1);
}

/* Defers, keeps the interaction and never answers it. */
static int
on_think_hold(dbot_interaction *ix, void *data)
{
    (void)data;
    dbot_interaction_ref(ix);
    return dbot_interaction_defer(ix, 0);
}

static int
on_twice(dbot_interaction *ix, void *data)
{
    int rc = dbot_interaction_reply(ix, "first");

    (void)data;
    second_rc = dbot_interaction_reply(ix, "second");
    return rc;
}

static int
on_config(dbot_interaction *ix, void *data)
{
    (void)data;
    remember("", dbot_interaction_command(ix), "config");
    return dbot_interaction_reply(ix, "config (any)");
}

static atomic_int refused_answers;

static int
on_config_set(dbot_interaction *ix, void *data)
{
    cJSON *none = cJSON_Parse("{\"choices\":[]}");

    (void)data;
    /* A command cannot be answered with suggestions; refused, not sent. */
    refused_answers +=
        dbot_interaction_autocomplete_json(ix, none) == DBOT_EINVAL;
    cJSON_Delete(none);
    remember("", dbot_interaction_command(ix),
             dbot_option_str(dbot_interaction_options(ix), "key", "?"));
    return dbot_interaction_reply(ix, "config set");
}

static int
on_vote(dbot_interaction *ix, void *data)
{
    (void)data;
    remember(dbot_interaction_route_arg(ix), "", "");
    return dbot_interaction_defer_update(ix);
}

static int
on_edit_button(dbot_interaction *ix, void *data)
{
    cJSON *m = cJSON_CreateObject();
    int rc;

    (void)data;
    cJSON_AddStringToObject(m, "content", "counter: 1");
    rc = dbot_interaction_update_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

static int
on_open_modal(dbot_interaction *ix, void *data)
{
    cJSON *m = cJSON_Parse(
        "{\"custom_id\":\"feedback\",\"title\":\"Feedback\",\"components\":"
        "[{\"type\":18,\"label\":\"Text\",\"component\":{\"type\":4,"
        "\"custom_id\":\"text\",\"style\":2}}]}");
    int rc;

    (void)data;
    rc = dbot_interaction_modal_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

static int
on_feedback(dbot_interaction *ix, void *data)
{
    (void)data;
    remember("", "", dbot_ix_modal_value(dbot_interaction_json(ix), "text"));
    return dbot_interaction_reply_ephemeral(ix, "thanks");
}

/* 30 suggestions, more than Discord takes: "r" answers through the
 * builder form, "j" through JSON; both must send the first 25. */
static int
on_color_complete(dbot_interaction *ix, void *data)
{
    static char names[30][8];
    dbot_choice list[30];
    const char *typed = NULL;
    cJSON *d, *arr;
    int rc;

    (void)data;
    dbot_option_focused(dbot_interaction_options(ix), NULL, &typed);
    remember("", "", typed);
    /* Refused before anything is sent: the bare array (the deprecated
     * form's shape), and a choice type the builder does not take. */
    arr = cJSON_CreateArray();
    refused_answers +=
        dbot_interaction_autocomplete_json(ix, arr) == DBOT_EINVAL;
    cJSON_Delete(arr);
    refused_answers += dbot_interaction_autocomplete_choices(
                           ix, list, 0, DBOT_OPT_BOOLEAN) == DBOT_EINVAL;
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "c%02d", i);
        list[i] = (dbot_choice){ .name = names[i], .str = names[i] };
    }
    list[0] = (dbot_choice){ .name = "Red", .str = "red" };
    if (typed && strcmp(typed, "r") == 0)
        return dbot_interaction_autocomplete_choices(ix, list, 30,
                                                     DBOT_OPT_STRING);
    d = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(d, "choices");
    for (int i = 0; i < 30; i++) {
        cJSON *c = cJSON_CreateObject();

        cJSON_AddStringToObject(c, "name", list[i].name);
        cJSON_AddStringToObject(c, "value", list[i].str);
        cJSON_AddItemToArray(arr, c);
    }
    rc = dbot_interaction_autocomplete_json(ix, d);
    cJSON_Delete(d);
    return rc;
}

/* Keeps the interaction and never answers it by itself. */
static int
on_hold(dbot_interaction *ix, void *data)
{
    (void)data;
    held = dbot_interaction_ref(ix);
    held_set = 1;
    return 0;
}

static int
on_forget(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0; /* no reply, no reference: a contract violation */
}

static int
on_fail(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return DBOT_EIO;
}

static void
reply_held(dbot *bot, void *arg)
{
    (void)bot;
    late_rc = dbot_interaction_reply(held, (const char *)arg);
    dbot_interaction_unref(held);
    held = NULL;
}

static atomic_int deprecated_rc = 1, acked_state, edited_state;

/* The deprecated names (until 0.3, docs/api.md) go through the same state
 * machine: on an expired token both are refused with DBOT_EEXPIRED. Called
 * on purpose, so their warning is off here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int
deprecated_edit_and_delete(dbot_interaction *ix)
{
    cJSON *m = cJSON_Parse("{\"content\":\"too late\"}");
    int a = dbot_interaction_edit_original(ix, "too late");
    int b = dbot_interaction_edit_original_json(ix, m);
    int c = dbot_interaction_delete_original(ix);
    int d = dbot_interaction_opt_int(ix, "missing", 7) == 7 &&
            !strcmp(dbot_interaction_opt_str(ix, "missing", "s"), "s") &&
            dbot_interaction_opt_num(ix, "missing", 0.5) == 0.5 &&
            dbot_interaction_opt_bool(ix, "missing", 1) == 1;

    cJSON_Delete(m);
    return a == DBOT_EEXPIRED && b == DBOT_EEXPIRED && c == DBOT_EEXPIRED && d
               ? DBOT_EEXPIRED
               : 0;
}
#pragma GCC diagnostic pop

static void
edit_held_after_expiry(dbot *bot, void *arg)
{
    (void)bot;
    (void)arg;
    dbot__interactions_set_token_life(
        dbot__bot_interactions(dbot_interaction_bot(held)), 1);
    edit_rc = dbot_interaction_original_edit(held, "too late");
    deprecated_rc = deprecated_edit_and_delete(held);
    dbot_interaction_unref(held);
    held = NULL;
}

static atomic_int followup_rc = 1, delete_rc = 1;

/* After the reply landed: a followup, an edit, then delete the original. */
static void
followups_on_held(dbot *bot, void *arg)
{
    (void)arg;
    /* The fake has the reply; the bot may not have its 204 yet. A reply
     * that landed leaves the interaction ACKNOWLEDGED, as documented. */
    if (dbot_interaction_state(held) == DBOT_IXS_ACKNOWLEDGING) {
        dbot_post(bot, followups_on_held, NULL);
        return;
    }
    acked_state = dbot_interaction_state(held);
    followup_rc = dbot_interaction_followup(held, "and one more thing", 1);
    edit_rc = dbot_interaction_original_edit(held, "edited");
    edited_state = dbot_interaction_state(held);
    delete_rc = dbot_interaction_original_delete(held);
    dbot_interaction_unref(held);
    held = NULL;
}

static int
on_hold_reply(dbot_interaction *ix, void *data)
{
    (void)data;
    held = dbot_interaction_ref(ix);
    held_set = 1;
    /* Too early for a followup: the reply has not landed yet. */
    followup_rc = dbot_interaction_followup(ix, "early", 0);
    return dbot_interaction_reply(ix, "first answer");
}

/* ---- answers over Discord's limits ---------------------------------- */

static atomic_int limit_rc = 1;

/* A string of n copies of `unit`; the caller frees it. */
static char *
repeat(const char *unit, int n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * (size_t)n + 1);

    for (int i = 0; i < n; i++)
        memcpy(s + u * (size_t)i, unit, u);
    s[u * (size_t)n] = '\0';
    return s;
}

/* 2001 characters: one over the limit. Returns the error it got, as a
 * handler should. */
static int
on_long(dbot_interaction *ix, void *data)
{
    char *text = repeat("x", 2001);
    int rc = dbot_interaction_reply(ix, text);

    (void)data;
    free(text);
    limit_rc = rc;
    return rc;
}

/* 2000 characters of 2 bytes each: within the limit, which counts
 * characters, not bytes. */
static int
on_long_ok(dbot_interaction *ix, void *data)
{
    char *text = repeat("\xc3\xa9", 2000);
    int rc = dbot_interaction_reply(ix, text);

    (void)data;
    free(text);
    return rc;
}

static int
on_big_modal(dbot_interaction *ix, void *data)
{
    char *title = repeat("t", 46);
    cJSON *m = cJSON_CreateObject();
    int rc;

    (void)data;
    cJSON_AddStringToObject(m, "custom_id", "big");
    cJSON_AddStringToObject(m, "title", title);
    cJSON_AddItemToObject(
        m, "components",
        cJSON_Parse("[{\"type\":18,\"label\":\"Text\",\"component\":"
                    "{\"type\":4,\"custom_id\":\"text\",\"style\":1}}]"));
    rc = dbot_interaction_modal_json(ix, m);
    cJSON_Delete(m);
    free(title);
    return rc;
}

static int
on_many_choices(dbot_interaction *ix, void *data)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *choices = cJSON_AddArrayToObject(d, "choices");
    int rc;

    (void)data;
    for (int i = 0; i < 26; i++) {
        cJSON *c = cJSON_CreateObject();
        char v[16];

        snprintf(v, sizeof v, "c%d", i);
        cJSON_AddStringToObject(c, "name", v);
        cJSON_AddStringToObject(c, "value", v);
        cJSON_AddItemToArray(choices, c);
    }
    rc = dbot_interaction_autocomplete_json(ix, d);
    cJSON_Delete(d);
    return rc;
}

/* Defers and keeps the interaction, to be answered by the test. */
static int
on_defer_keep(dbot_interaction *ix, void *data)
{
    (void)data;
    held = dbot_interaction_ref(ix);
    held_set = 1;
    return dbot_interaction_defer(ix, 0);
}

/* A component that acknowledges silently (type 6) and keeps the
 * interaction, to be updated by the test. */
static int
on_keep_update(dbot_interaction *ix, void *data)
{
    (void)data;
    held = dbot_interaction_ref(ix);
    held_set = 1;
    return dbot_interaction_defer_update(ix);
}

static void
update_held(dbot *bot, void *arg)
{
    cJSON *m = cJSON_CreateObject();

    (void)bot;
    cJSON_AddStringToObject(m, "content", (const char *)arg);
    late_rc = dbot_interaction_update_json(held, m);
    cJSON_Delete(m);
    dbot_interaction_unref(held);
    held = NULL;
}

/* A handler that prints its interaction's token in every way a careless
 * one might: raw, inside the payload, inside a webhook URL. */
#define LOGTOK_N 12
static char *logged_tokens[LOGTOK_N];
static atomic_int nlogged;

static int
on_logtok(dbot_interaction *ix, void *data)
{
    const cJSON *tok =
        cJSON_GetObjectItemCaseSensitive(dbot_interaction_json(ix), "token");
    char *json = cJSON_PrintUnformatted(dbot_interaction_json(ix));
    int i = atomic_fetch_add(&nlogged, 1);

    (void)data;
    ASSERT_TRUE(cJSON_IsString(tok) && json != NULL);
    if (i < LOGTOK_N)
        logged_tokens[i] = strdup(tok->valuestring);
    dbot_log(DBOT_LOG_INFO, "handler", "token=%s", tok->valuestring);
    dbot_log(DBOT_LOG_INFO, "handler", "payload %s", json);
    dbot_log(DBOT_LOG_INFO, "handler",
             "PATCH /webhooks/%s/%s/messages/@original", FAKECORD_APP_ID,
             tok->valuestring);
    free(json);
    return dbot_interaction_reply(ix, "logged");
}

static void
start(const char *extra)
{
    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(&H, NULL);
    h_new_bot(&H, extra);
    dbot_on_command(H.bot, "ping", on_ping, NULL);
    dbot_on_command(H.bot, "logtok", on_logtok, NULL);
    dbot_on_command(H.bot, "secret", on_secret, NULL);
    dbot_on_command(H.bot, "think", on_think, NULL);
    dbot_on_command(H.bot, "thinkhold", on_think_hold, NULL);
    dbot_on_command(H.bot, "twice", on_twice, NULL);
    dbot_on_command(H.bot, "config", on_config, NULL);
    dbot_on_command(H.bot, "config set", on_config_set, NULL);
    dbot_on_command(H.bot, "hold", on_hold, NULL);
    dbot_on_component(H.bot, "holdbtn", on_hold, NULL);
    dbot_on_command(H.bot, "holdreply", on_hold_reply, NULL);
    dbot_on_command(H.bot, "forget", on_forget, NULL);
    dbot_on_command(H.bot, "fail", on_fail, NULL);
    dbot_on_command(H.bot, "feedback", on_open_modal, NULL);
    dbot_on_component(H.bot, "vote:", on_vote, NULL);
    dbot_on_component(H.bot, "counter", on_edit_button, NULL);
    dbot_on_modal(H.bot, "feedback", on_feedback, NULL);
    dbot_on_autocomplete(H.bot, "paint", "color", on_color_complete, NULL);
    dbot_on_command(H.bot, "long", on_long, NULL);
    dbot_on_command(H.bot, "longok", on_long_ok, NULL);
    dbot_on_command(H.bot, "bigmodal", on_big_modal, NULL);
    dbot_on_command(H.bot, "deferkeep", on_defer_keep, NULL);
    dbot_on_component(H.bot, "keep", on_keep_update, NULL);
    dbot_on_autocomplete(H.bot, "big", NULL, on_many_choices, NULL);
    h_run_bot(&H);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
}

static const char *
command_json(const char *name)
{
    static char buf[1024];

    snprintf(buf, sizeof buf,
             "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"%s\",\"type\":1}"
             "," INVOKER "}",
             name);
    return buf;
}

/* ---- tests ------------------------------------------------------------- */

TEST(reply_bodies_are_exact)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    id = push(command_json("ping"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "Pong!");
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), -1);
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);

    id = push(command_json("secret"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    fakecord_ix_log_free(&l);

    id = push(command_json("think"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    fakecord_ix_log_free(&l);
    /* All three left from the loop itself (the loop lane), none through
     * the REST thread. The counters are atomics. */
    {
        struct dbot__rest_stats rs;

        dbot__rest_stats(dbot__bot_rest(H.bot), &rs);
        ASSERT_EQ(rs.lane, 3);
    }
    finish_clean();
}

/* The logger once kept 8 secrets, so from the 8th interaction on (the bot
 * token took a slot) tokens a handler logged were printed. */
TEST(interaction_tokens_never_reach_the_logs)
{
    struct fakecord_ix_log l;
    uint64_t ids[LOGTOK_N];

    start("");
    for (int i = 0; i < LOGTOK_N; i++)
        ids[i] = push(command_json("logtok"));
    for (int i = 0; i < LOGTOK_N; i++) {
        l = ixlog_wait(ids[i], 1, 0);
        ASSERT_EQ(l.callback_type, 4);
        fakecord_ix_log_free(&l);
    }
    ASSERT_EQ(atomic_load(&nlogged), LOGTOK_N);
    ASSERT_TRUE(h_log_has("handler: token=[REDACTED]"));
    ASSERT_TRUE(h_log_has("\"token\":\"[REDACTED]\""));
    ASSERT_TRUE(h_log_has("/webhooks/" FAKECORD_APP_ID
                          "/[REDACTED]/messages/@original"));
    for (int i = 0; i < LOGTOK_N; i++) {
        ASSERT_TRUE(logged_tokens[i] != NULL);
        ASSERT_TRUE(!h_log_has(logged_tokens[i]));
        free(logged_tokens[i]);
    }
    finish_clean();
}

TEST(components_modals_and_autocomplete)
{
    struct fakecord_ix_log l;
    uint64_t id;

    refused_answers = 0;
    start("");
    /* Prefix route: "vote:" gets "vote:42" and the argument "42". */
    id = push("{\"type\":3,\"data\":{\"custom_id\":\"vote:42\","
              "\"component_type\":2}," INVOKER ",\"message\":{\"id\":\"1\","
              "\"content\":\"poll\"}}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 6);
    ASSERT_TRUE(l.callback_body == NULL ||
                cJSON_GetObjectItem(l.callback_body, "data") == NULL);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&seen_mu);
    ASSERT_STREQ(seen_arg, "42");
    pthread_mutex_unlock(&seen_mu);

    id = push("{\"type\":3,\"data\":{\"custom_id\":\"counter\","
              "\"component_type\":2}," INVOKER ",\"message\":{\"id\":\"1\"}}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 7);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "counter: 1");
    fakecord_ix_log_free(&l);

    id = push(command_json("feedback"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 9);
    ASSERT_STREQ(jstr(l.callback_body, "data", "custom_id"), "feedback");
    ASSERT_STREQ(jstr(l.callback_body, "data", "title"), "Feedback");
    fakecord_ix_log_free(&l);

    /* Modal submit, current layout (Label wrapping the text input). */
    id =
        push("{\"type\":5,\"data\":{\"custom_id\":\"feedback\",\"components\":"
             "[{\"type\":18,\"id\":1,\"component\":{\"type\":4,\"id\":2,"
             "\"custom_id\":\"text\",\"value\":\"great bot\"}}]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&seen_mu);
    ASSERT_STREQ(seen_value, "great bot");
    pthread_mutex_unlock(&seen_mu);

    /* ... and the legacy layout (action rows of text inputs). */
    id = push("{\"type\":5,\"data\":{\"custom_id\":\"feedback\",\"components\":"
              "[{\"type\":1,\"components\":[{\"type\":4,\"custom_id\":\"text\","
              "\"value\":\"old style\"}]}]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&seen_mu);
    ASSERT_STREQ(seen_value, "old style");
    pthread_mutex_unlock(&seen_mu);

    id =
        push("{\"type\":4,\"data\":{\"id\":\"9\",\"name\":\"paint\",\"type\":1,"
             "\"options\":[{\"name\":\"color\",\"type\":3,\"value\":\"r\","
             "\"focused\":true}]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 8);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(
                  cJSON_GetObjectItem(l.callback_body, "data"), "choices")),
              25);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&seen_mu);
    ASSERT_STREQ(seen_value, "r");
    pthread_mutex_unlock(&seen_mu);

    /* The JSON form takes what the builder returns and keeps the same
     * limit: the first 25, in order. */
    id =
        push("{\"type\":4,\"data\":{\"id\":\"9\",\"name\":\"paint\",\"type\":1,"
             "\"options\":[{\"name\":\"color\",\"type\":3,\"value\":\"j\","
             "\"focused\":true}]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 8);
    {
        const cJSON *c = cJSON_GetObjectItem(
            cJSON_GetObjectItem(l.callback_body, "data"), "choices");

        ASSERT_EQ(cJSON_GetArraySize(c), 25);
        ASSERT_STREQ(
            cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "name")->valuestring,
            "Red");
        ASSERT_STREQ(
            cJSON_GetObjectItem(cJSON_GetArrayItem(c, 24), "name")->valuestring,
            "c24");
    }
    fakecord_ix_log_free(&l);
    ASSERT_EQ(refused_answers, 4); /* two refusals by each of the two */
    finish_clean();
}

TEST(subcommands_route_to_the_longest_path)
{
    struct fakecord_ix_log l;
    uint64_t id;

    refused_answers = 0;
    start("");
    id = push("{\"type\":2,\"data\":{\"id\":\"8\",\"name\":\"config\","
              "\"type\":1,\"options\":[{\"name\":\"set\",\"type\":1,"
              "\"options\":[{\"name\":\"key\",\"type\":3,\"value\":\"lang\"}]}"
              "]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "config set");
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&seen_mu);
    ASSERT_STREQ(seen_path, "config set");
    ASSERT_STREQ(seen_value, "lang");
    ASSERT_EQ(refused_answers, 1);
    pthread_mutex_unlock(&seen_mu);

    id =
        push("{\"type\":2,\"data\":{\"id\":\"8\",\"name\":\"config\","
             "\"type\":1,\"options\":[{\"name\":\"show\",\"type\":1}]}," INVOKER
             "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "config (any)");
    fakecord_ix_log_free(&l);
    finish_clean();
}

TEST(unknown_routes_get_an_ephemeral_answer)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    id = push(command_json("nosuchcommand"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    fakecord_ix_log_free(&l);
    id = push("{\"type\":3,\"data\":{\"custom_id\":\"gone\","
              "\"component_type\":2}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("no handler for command \"nosuchcommand\""));
    finish_clean();
}

TEST(double_reply_is_refused_locally)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    id = push(command_json("twice"));
    l = ixlog_wait(id, 1, 0);
    /* The first answer may reach the fake before the handler's second
     * call returns (the REST thread does not wait for the handler). */
    WAIT_UNTIL(second_rc == DBOT_ESTATE, 5000);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "first");
    fakecord_ix_log_free(&l);
    /* Nothing else reaches the fake: no 40060. */
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_EQ(l.edits, 0);
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* The default 2,000 ms deadline: defer before 3 s, then the late reply
 * becomes an edit of the original response. */
TEST(silent_handler_is_deferred_then_late_reply_edits)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    late_rc = 1;
    held_set = 0;
    id = push(command_json("hold"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_GE(l.callback_ms, 1900);
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    /* Logged on the loop when the deferral's answer comes back. */
    WAIT_UNTIL(h_log_has("handler on_hold has not answered hold"), 5000);
    ASSERT_EQ(dbot_post(H.bot, reply_held, "done at last"), 0);
    l = ixlog_wait(id, 1, 1);
    WAIT_UNTIL(late_rc != 1, 5000); /* the edit can land before the store */
    ASSERT_EQ(late_rc, 0);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_STREQ(jstr(l.last_edit, "content", NULL), "done at last");
    fakecord_ix_log_free(&l);
    finish_clean();
}

#ifndef NDEBUG
/* Debug builds: off the loop thread (here, the test's own thread, as a
 * worker would be) every call is refused before it touches the
 * interaction, the non-atomic reference count included. */
TEST(calls_off_the_loop_thread_are_refused)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(",\"ack_deadline_ms\":0");
    late_rc = 1;
    held_set = 0;
    id = push(command_json("hold"));
    WAIT_UNTIL(held_set, 5000);
    ASSERT_EQ(dbot_interaction_reply(held, "from a worker"), DBOT_EWRONGTHREAD);
    ASSERT_EQ(dbot_interaction_defer(held, 0), DBOT_EWRONGTHREAD);
    ASSERT_TRUE(dbot_interaction_ref(held) == NULL);
    dbot_interaction_unref(held); /* refused: the handler's ref stays */
    ASSERT_TRUE(h_log_has("dbot_interaction_unref called off the loop thread"));
    ASSERT_TRUE(h_log_has("dbot_interaction_ref called off the loop thread"));
    /* The right way: hand it to the loop. */
    ASSERT_EQ(dbot_post(H.bot, reply_held, "from the loop"), 0);
    l = ixlog_wait(id, 1, 0);
    /* The fake may record the reply before reply_held has stored what
     * the call returned: wait for that too. */
    WAIT_UNTIL(late_rc != 1, 5000);
    ASSERT_EQ(late_rc, 0);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "from the loop");
    fakecord_ix_log_free(&l);
    finish_clean();
}
#endif

/* Stopping with users still waiting: one interaction nobody answered yet,
 * one deferred ("thinking...") whose handler holds it. When the shutdown
 * grace ends, each is told the bot is restarting (an ephemeral reply; an
 * edit of the defer) instead of "This interaction failed" or thinking
 * forever. */
TEST(stop_tells_waiting_users_the_bot_is_restarting)
{
    struct fakecord_ix_log l;
    uint64_t unanswered, deferred;
    const char *txt;

    start(",\"ack_deadline_ms\":0,\"shutdown_grace_ms\":200");
    held_set = 0;
    deferred = push(command_json("thinkhold"));
    l = ixlog_wait(deferred, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    fakecord_ix_log_free(&l);
    unanswered = push(command_json("hold"));
    WAIT_UNTIL(held_set, 5000);
    ASSERT_EQ(h_finish(&H, 1), 0);

    l = ixlog_wait(unanswered, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    txt = jstr(l.callback_body, "data", "content");
    ASSERT_TRUE(txt && strstr(txt, "restarting"));
    fakecord_ix_log_free(&l);
    l = ixlog_wait(deferred, 1, 1);
    txt = jstr(l.last_edit, "content", NULL);
    ASSERT_TRUE(txt && strstr(txt, "restarting"));
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("shutting down: told the user"));
    /* Both references were never dropped by their handlers: dbot_free
     * released them with the rest (valgrind and ASan check). */
    held = NULL;
    finish_clean();
}

/* A reply that races the auto-defer (the defer is in flight) is parked and
 * sent as an edit once the defer lands. */
static void *
reply_at_2500(void *arg)
{
    struct timespec ts = { 2, 500000000 };

    (void)arg;
    nanosleep(&ts, NULL); /* plays a handler whose work takes 2.5 s */
    dbot_post(H.bot, reply_held, "answer at 2.5 s");
    return NULL;
}

TEST(reply_at_2500_ms_becomes_an_edit)
{
    struct fakecord_ix_log l;
    pthread_t th;
    uint64_t id;

    start("");
    late_rc = 1;
    held_set = 0;
    id = push(command_json("hold"));
    WAIT_UNTIL(held_set, 5000);
    pthread_create(&th, NULL, reply_at_2500, NULL);
    l = ixlog_wait(id, 1, 1);
    pthread_join(th, NULL);
    WAIT_UNTIL(late_rc != 1, 5000); /* the edit can land before the store */
    ASSERT_EQ(late_rc, 0);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_LE(l.callback_ms, 3000);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_STREQ(jstr(l.last_edit, "content", NULL), "answer at 2.5 s");
    fakecord_ix_log_free(&l);
    finish_clean();
}

TEST(handlers_that_break_the_contract_still_answer)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    id = push(command_json("forget"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    ASSERT_CONTAINS(jstr(l.callback_body, "data", "content"),
                    "did not respond");
    fakecord_ix_log_free(&l);
    id = push(command_json("fail"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_CONTAINS(jstr(l.callback_body, "data", "content"),
                    "something went wrong");
    fakecord_ix_log_free(&l);
    finish_clean();
}

TEST(expired_token_is_refused_locally)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(",\"ack_deadline_ms\":100");
    edit_rc = 1;
    deprecated_rc = 1;
    id = push(command_json("hold"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(dbot_post(H.bot, edit_held_after_expiry, NULL), 0);
    /* Both are set on the loop thread, one after the other. */
    WAIT_UNTIL(edit_rc != 1 && deprecated_rc != 1, 5000);
    ASSERT_EQ(edit_rc, DBOT_EEXPIRED);
    ASSERT_EQ(deprecated_rc, DBOT_EEXPIRED);
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.edits, 0);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("15-minute token has expired"));
    finish_clean();
}

TEST(followups_edits_and_deletes)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    held_set = 0;
    id = push(command_json("holdreply"));
    l = ixlog_wait(id, 1, 0);
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(held_set, 5000);
    ASSERT_EQ(followup_rc, DBOT_ESTATE);
    ASSERT_EQ(dbot_post(H.bot, followups_on_held, NULL), 0);
    l = ixlog_wait(id, 1, 1);
    ASSERT_EQ(followup_rc, 0);
    ASSERT_EQ(edit_rc, 0);
    ASSERT_EQ(delete_rc, 0);
    ASSERT_EQ(acked_state, DBOT_IXS_ACKNOWLEDGED);
    ASSERT_EQ(edited_state, DBOT_IXS_DONE);
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(
        (fakecord_interaction_log(H.fc, id, &l) == 0 &&
         (l.followups == 1 && l.deletes == 1 ? 1
                                             : (fakecord_ix_log_free(&l), 0))),
        5000);
    ASSERT_EQ(jint(cJSON_GetArrayItem(l.followup_bodies, 0), "flags", NULL),
              64);
    ASSERT_STREQ(jstr(l.last_edit, "content", NULL), "edited");
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* Deferred, referenced, never completed: after interaction_timeout_ms the
 * user is told instead of watching "thinking..." forever. */
TEST(abandoned_deferral_is_edited_to_an_error)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(",\"ack_deadline_ms\":100,\"interaction_timeout_ms\":1000");
    held_set = 0;
    id = push(command_json("hold"));
    l = ixlog_wait(id, 1, 1);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_CONTAINS(jstr(l.last_edit, "content", NULL), "did not respond");
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("was deferred and never answered"));
    WAIT_UNTIL(held_set, 5000);
    ASSERT_EQ(dbot_post(H.bot, reply_held, "much too late"), 0);
    WAIT_UNTIL(late_rc == DBOT_ESTATE, 5000);
    finish_clean();
}

static int
followups_of(uint64_t id)
{
    struct fakecord_ix_log l = h_ix_log(&H, id);
    int n = l.followups;

    fakecord_ix_log_free(&l);
    return n;
}

/* A component's late handler gets a silent defer (type 6): @original is
 * then the message the button sits on. When nobody answers, the user is
 * told in an ephemeral followup; the message is never overwritten. */
TEST(abandoned_component_keeps_its_message)
{
    struct fakecord_ix_log l;
    uint64_t id;
    const cJSON *f;

    start(",\"ack_deadline_ms\":100,\"interaction_timeout_ms\":1000");
    held_set = 0;
    id = push("{\"type\":3,\"data\":{\"custom_id\":\"holdbtn\","
              "\"component_type\":2}," INVOKER ",\"message\":{\"id\":\"1\","
              "\"content\":\"poll: keep me\"}}");
    WAIT_UNTIL(h_log_has("was deferred and never answered"), 10000);
    WAIT_UNTIL(followups_of(id) >= 1, 10000);
    l = h_ix_log(&H, id);
    ASSERT_EQ(l.callback_type, 6);
    ASSERT_EQ(l.edits, 0);
    f = cJSON_GetArrayItem(l.followup_bodies, 0);
    ASSERT_CONTAINS(jstr((cJSON *)f, "content", NULL), "did not respond");
    ASSERT_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(f, "flags")), 64);
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* The INTERACTION_CREATE the fake sent for `id`, as the bot received it
 * (the fake added id, token, application_id and version). */
static char *
delivered_json(uint64_t id, const char *json)
{
    struct fakecord_ix_log l = h_ix_log(&H, id);
    cJSON *d = cJSON_Parse(json);
    char buf[32];
    char *text;

    snprintf(buf, sizeof buf, "%llu", (unsigned long long)id);
    cJSON_AddStringToObject(d, "id", buf);
    cJSON_AddStringToObject(d, "token", l.token);
    cJSON_AddStringToObject(d, "application_id", FAKECORD_APP_ID);
    cJSON_AddNumberToObject(d, "version", 1);
    text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    fakecord_ix_log_free(&l);
    return text;
}

/* Discord may deliver an event again: here a new session (after 4009)
 * carries the same INTERACTION_CREATE. The handler runs once and the
 * interaction is acknowledged once (a second callback would be 40060). */
TEST(replayed_interaction_runs_its_handler_once)
{
    struct fakecord_ix_log l;
    uint64_t id;
    char *again;

    start("");
    calls = 0;
    id = push(command_json("ping"));
    l = ixlog_wait(id, 1, 0);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(calls, 1);
    again = delivered_json(id, command_json("ping"));
    /* Same session first, while the token is young. */
    ASSERT_GE(fakecord_push_event(H.fc, "INTERACTION_CREATE", again), 0);
    ASSERT_TRUE(h_log_wait("delivered again (a replay): dropped",
                           check_timeout_ms_(10000)));
    /* Then across sessions: 4009 ends the session, the bot identifies
     * anew, and the new session delivers it once more. */
    ASSERT_GE(fakecord_close(H.fc, 4009), 0);
    WAIT_UNTIL(h_count(&H, "READY") >= 2, 10000);
    h_log_reset();
    ASSERT_GE(fakecord_push_event(H.fc, "INTERACTION_CREATE", again), 0);
    ASSERT_TRUE(h_log_wait("delivered again (a replay): dropped",
                           check_timeout_ms_(10000)));
    free(again);
    /* A fresh interaction still runs: only the replays were dropped. */
    l = ixlog_wait(push(command_json("ping")), 1, 0);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(calls, 2);
    ASSERT_EQ(h_finish(&H, 1), 0); /* every request sent has landed */
    l = h_ix_log(&H, id);
    ASSERT_EQ(l.callbacks, 1);
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* PING (type 1) is for HTTP endpoints, and a type this version does not
 * know has no answer it could give: neither is answered (a message
 * callback to a PING is a 400 from Discord). */
TEST(ping_and_unknown_types_are_not_answered)
{
    struct fakecord_ix_log l;
    uint64_t ping, future;

    start("");
    ping = push("{\"type\":1}");
    future = push("{\"type\":42,\"data\":{\"custom_id\":\"x\"}," INVOKER "}");
    ASSERT_TRUE(h_log_wait("of type 1: not one a bot answers",
                           check_timeout_ms_(10000)));
    ASSERT_TRUE(h_log_wait("of type 42: not one a bot answers",
                           check_timeout_ms_(10000)));
    /* Stopping lets every request already handed to REST land first. */
    ASSERT_EQ(h_finish(&H, 1), 0);
    l = h_ix_log(&H, ping);
    ASSERT_EQ(l.callbacks, 0);
    fakecord_ix_log_free(&l);
    l = h_ix_log(&H, future);
    ASSERT_EQ(l.callbacks, 0);
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* An answer that breaks one of Discord's limits is refused locally with
 * DBOT_ETOOBIG and the limit logged, instead of failing at Discord (400
 * 50035, "This interaction failed"); the handler returns the error, so
 * the user still gets the ephemeral error answer within the 3 s. */
TEST(answers_over_discord_limits_are_refused_locally)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    limit_rc = 1;
    id = push(command_json("long"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(limit_rc, DBOT_ETOOBIG);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(l.callback_status, 204);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    ASSERT_CONTAINS(jstr(l.callback_body, "data", "content"),
                    "something went wrong");
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("not sent: content: longer than 2000 characters "
                          "(2001)"));

    id = push(command_json("longok"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_status, 204);
    ASSERT_EQ(strlen(jstr(l.callback_body, "data", "content")), 4000);
    fakecord_ix_log_free(&l);

    id = push(command_json("bigmodal"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("title: longer than 45 characters (46)"));

    id = push("{\"type\":4,\"data\":{\"id\":\"9\",\"name\":\"big\",\"type\":1,"
              "\"options\":[{\"name\":\"q\",\"type\":3,\"value\":\"c\","
              "\"focused\":true}]}," INVOKER "}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 8);
    /* Not a refusal: suggestions are ranked, and the answer keeps the
     * first 25 as the builder does (docs/api.md). */
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(
                  cJSON_GetObjectItem(l.callback_body, "data"), "choices")),
              25);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(!h_log_has("choices: 26; the limit is 25"));
    finish_clean();
}

/* The first request to the callback route matching `prefix` is refused
 * by the fake as Discord refuses a body it finds invalid. */
static void
refuse_next(const char *method, const char *prefix)
{
    ASSERT_GE(fakecord_rest_fail(H.fc, method, prefix, 400, 1,
                                 "{\"code\":50035,\"message\":\"Invalid Form "
                                 "Body\",\"errors\":{}}",
                                 NULL),
              0);
}

/* Discord refuses an answer that passed the local checks: the user is
 * still told, with an ephemeral error as the initial response, within the
 * 3 s. */
TEST(refused_initial_response_falls_back_to_an_error_answer)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    refuse_next("POST", "/interactions/");
    id = push(command_json("ping"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(l.callback_status, 204);
    ASSERT_EQ(jint(l.callback_body, "data", "flags"), 64);
    ASSERT_CONTAINS(jstr(l.callback_body, "data", "content"),
                    "something went wrong");
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("initial response to ping"));
    finish_clean();
}

/* After a defer, the edit that carries the answer is refused: the error
 * text is edited over "thinking..." instead of leaving it there. */
TEST(refused_answer_edit_falls_back_to_an_error_edit)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    held_set = 0;
    late_rc = 1;
    id = push(command_json("deferkeep"));
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 5);
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(held_set, 5000);
    refuse_next("PATCH", "/webhooks/");
    ASSERT_EQ(dbot_post(H.bot, reply_held, "the answer"), 0);
    l = ixlog_wait(id, 1, 1);
    ASSERT_EQ(late_rc, 0);
    ASSERT_EQ(l.edits, 1);
    ASSERT_CONTAINS(jstr(l.last_edit, "content", NULL), "something went wrong");
    fakecord_ix_log_free(&l);
    finish_clean();
}

/* After a component's silent defer (type 6), @original is the message the
 * component is on: when the update is refused, the error goes to the user
 * as an ephemeral followup and that message is left as it was. */
TEST(refused_component_update_falls_back_to_a_followup)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start("");
    held_set = 0;
    late_rc = 1;
    id = push("{\"type\":3,\"data\":{\"custom_id\":\"keep\","
              "\"component_type\":2}," INVOKER ",\"message\":{\"id\":\"1\","
              "\"content\":\"counter: 1\"}}");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 6);
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(held_set, 5000);
    refuse_next("PATCH", "/webhooks/");
    ASSERT_EQ(dbot_post(H.bot, update_held, "counter: 2"), 0);
    WAIT_UNTIL((fakecord_interaction_log(H.fc, id, &l) == 0 &&
                (l.followups == 1 ? 1 : (fakecord_ix_log_free(&l), 0))),
               10000);
    ASSERT_EQ(late_rc, 0);
    ASSERT_EQ(l.edits, 0);
    ASSERT_EQ(jint(cJSON_GetArrayItem(l.followup_bodies, 0), "flags", NULL),
              64);
    ASSERT_CONTAINS(
        jstr(cJSON_GetArrayItem(l.followup_bodies, 0), "content", NULL),
        "something went wrong");
    fakecord_ix_log_free(&l);
    finish_clean();
}

static const dbot_option ping_opts[] = {
    { .type = DBOT_OPT_BOOLEAN, .name = "loud", .description = "Shout it" },
    { 0 },
};
static const dbot_command cmd_ping = { .name = "ping",
                                       .description = "Is the bot alive?",
                                       .options = ping_opts };
static const dbot_command cmd_inspect = { .type = DBOT_CMD_USER,
                                          .name = "Inspect" };

static void
set_commands(dbot *bot, void *arg)
{
    const dbot_command *cmds[] = { &cmd_ping, &cmd_inspect };

    (void)arg;
    ASSERT_EQ(dbot_commands_set(bot, cmds, 2), 0);
}

static int
count_puts(void)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(H.fc, &reqs), puts = 0;

    for (int i = 0; i < n; i++)
        puts += strcmp(reqs[i].method, "PUT") == 0 &&
                strstr(reqs[i].path, "/commands") != NULL;
    fakecord_requests_free(reqs, n);
    return puts;
}

static int
count_gets(void)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(H.fc, &reqs), gets = 0;

    for (int i = 0; i < n; i++)
        gets += strcmp(reqs[i].method, "GET") == 0 &&
                strstr(reqs[i].path, "/commands") != NULL;
    fakecord_requests_free(reqs, n);
    return gets;
}

TEST(commands_registered_only_when_changed)
{
    cJSON *stored;

    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    h_start_fake(&H, NULL);
    for (int run = 0; run < 2; run++) {
        h_new_bot(&H, "");
        set_commands(H.bot, NULL);
        h_run_bot(&H);
        WAIT_UNTIL(count_gets() == run + 1, 10000);
        if (run == 0)
            WAIT_UNTIL(count_puts() == 1, 10000);
        else
            WAIT_UNTIL(h_log_has("already up to date"), 10000);
        h_finish(&H, 1);
    }
    /* Two starts, one PUT: the second start compared and sent nothing. */
    ASSERT_EQ(count_puts(), 1);
    stored = fakecord_commands(H.fc, NULL);
    ASSERT_EQ(cJSON_GetArraySize(stored), 2);
    cJSON_Delete(stored);
    finish_clean();
}

/* A burst: 2,000 interactions at once, as a big bot sees after an outage
 * or a popular button. Every one is acknowledged once and in time: the
 * loop sends the replies itself (the loop lane, at most 96 in flight and
 * the rest queued in its limiter), and any it cannot reach within the
 * deadline the gateway thread defers, whose reply then becomes an edit. */
TEST(burst_of_2000_interactions_each_acknowledged_once_in_time)
{
    enum {
        N = 2000
    };
    struct fakecord_ack *acks = NULL;
    struct dbot__rest_stats rs;
    uint64_t first = 0;
    int n = 0, done = 0, deferred = 0;

    start("");
    for (int i = 0; i < N; i++) {
        uint64_t id = push(command_json("ping"));

        if (!first)
            first = id;
    }
    for (long long t0 = check_now_ms_();
         check_now_ms_() - t0 < check_timeout_ms_(30000); free(acks)) {
        n = fakecord_interaction_acks(H.fc, &acks);
        done = 0;
        for (int k = 0; k < n; k++)
            done += acks[k].id >= first && acks[k].callbacks > 0 &&
                    (acks[k].callback_type == 4 || acks[k].edits > 0);
        if (done == N)
            break;
        {
            struct timespec ts = { 0, 20 * 1000 * 1000 };

            nanosleep(&ts, NULL);
        }
    }
    ASSERT_EQ(done, N);
    for (int k = 0; k < n; k++) {
        if (acks[k].id < first)
            continue;
        ASSERT_EQ(acks[k].callbacks, 1);
        ASSERT_LE(acks[k].callback_ms, 3000);
        deferred += acks[k].callback_type == 5;
    }
    free(acks);
    fprintf(stderr, "burst: %d of %d deferred by the gateway thread\n",
            deferred, N);
    dbot__rest_stats(dbot__bot_rest(H.bot), &rs);
    /* Every reply the loop sent as the initial response went by the lane;
     * the deferred ones' initial response was the guard's. */
    ASSERT_EQ(rs.lane, (uint64_t)(N - deferred));
    finish_clean();
}

int
main(void)
{
    RUN(reply_bodies_are_exact);
    RUN(interaction_tokens_never_reach_the_logs);
    RUN(components_modals_and_autocomplete);
    RUN(subcommands_route_to_the_longest_path);
    RUN(unknown_routes_get_an_ephemeral_answer);
    RUN(double_reply_is_refused_locally);
    RUN(silent_handler_is_deferred_then_late_reply_edits);
    RUN(reply_at_2500_ms_becomes_an_edit);
    RUN(handlers_that_break_the_contract_still_answer);
    RUN(expired_token_is_refused_locally);
    RUN(followups_edits_and_deletes);
    RUN(abandoned_deferral_is_edited_to_an_error);
    RUN(abandoned_component_keeps_its_message);
    RUN(commands_registered_only_when_changed);
    RUN(replayed_interaction_runs_its_handler_once);
    RUN(ping_and_unknown_types_are_not_answered);
    RUN(answers_over_discord_limits_are_refused_locally);
    RUN(refused_initial_response_falls_back_to_an_error_answer);
    RUN(refused_answer_edit_falls_back_to_an_error_edit);
    RUN(refused_component_update_falls_back_to_a_followup);
    RUN(burst_of_2000_interactions_each_acknowledged_once_in_time);
    RUN(stop_tells_waiting_users_the_bot_is_restarting);
#ifndef NDEBUG
    RUN(calls_off_the_loop_thread_are_refused);
#endif
    free(h_logs);
    return 0;
}
