/*
 * test_rest_api.c: the public REST API (dbot/rest.h) through a real bot
 * running against the fake Discord. Each case runs on the loop thread
 * through dbot_post(); the test thread checks what the fake received and
 * what the callback saw.
 */
#include "harness.h"

#include <dbot/rest.h>

static struct harness H;

#define APP 1100000000000000001ull

struct got {
    atomic_int calls;
    int status, err, code;
    int on_loop_bot; /* the callback got our bot */
    char content[64];
};

static void
on_res(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct got *g = data;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(res->json, "content");

    g->status = res->status;
    g->err = res->err;
    g->code = res->discord_code;
    g->on_loop_bot = bot == H.bot;
    snprintf(g->content, sizeof g->content, "%s",
             cJSON_IsString(c) ? c->valuestring : "");
    atomic_fetch_add(&g->calls, 1);
}

static int
count_path(const char *method, const char *path)
{
    struct fakecord_request *reqs;
    int k = fakecord_requests(H.fc, &reqs), c = 0;

    for (int i = 0; i < k; i++)
        c += strcmp(reqs[i].path, path) == 0 &&
             strcmp(reqs[i].method, method) == 0;
    fakecord_requests_free(reqs, k);
    return c;
}

/* One case: a call made on the loop thread, the request it must cause. */
struct api_case {
    const char *method, *path;
    int (*call)(dbot *bot, struct got *g);
    struct got got;
    atomic_int rc;
};

static cJSON *msg, *cmds;

static int
c_message_send(dbot *b, struct got *g)
{
    return dbot_message_send(b, 123, "hi there", on_res, g);
}
static int
c_message_create(dbot *b, struct got *g)
{
    return dbot_message_create(b, 9, msg, on_res, g);
}
static int
c_cmds_global(dbot *b, struct got *g)
{
    return dbot_commands_overwrite_global(b, APP, cmds, on_res, g);
}
static int
c_cmds_guild(dbot *b, struct got *g)
{
    return dbot_commands_overwrite_guild(b, APP, 5, cmds, on_res, g);
}
static int
c_get_global(dbot *b, struct got *g)
{
    return dbot_commands_get_global(b, APP, on_res, g);
}
static int
c_get_guild(dbot *b, struct got *g)
{
    return dbot_commands_get_guild(b, APP, 5, on_res, g);
}
static int
c_gateway(dbot *b, struct got *g)
{
    return dbot_gateway_bot_get(b, on_res, g);
}
static int
c_app(dbot *b, struct got *g)
{
    return dbot_application_get(b, on_res, g);
}
static int
c_rest(dbot *b, struct got *g)
{
    return dbot_rest(b, "GET", "/users/@me", NULL, on_res, g);
}

static struct api_case cases[] = {
    { "POST", "/api/v10/channels/123/messages", c_message_send, { 0 }, 0 },
    { "POST", "/api/v10/channels/9/messages", c_message_create, { 0 }, 0 },
    { "PUT",
      "/api/v10/applications/1100000000000000001/commands",
      c_cmds_global,
      { 0 },
      0 },
    { "PUT",
      "/api/v10/applications/1100000000000000001/guilds/5/commands",
      c_cmds_guild,
      { 0 },
      0 },
    { "GET",
      "/api/v10/applications/1100000000000000001/commands",
      c_get_global,
      { 0 },
      0 },
    { "GET",
      "/api/v10/applications/1100000000000000001/guilds/5/commands",
      c_get_guild,
      { 0 },
      0 },
    { "GET", "/api/v10/gateway/bot", c_gateway, { 0 }, 0 },
    { "GET", "/api/v10/applications/@me", c_app, { 0 }, 0 },
    { "GET", "/api/v10/users/@me", c_rest, { 0 }, 0 },
};

static void
run_case(dbot *bot, void *arg)
{
    struct api_case *c = arg;

    atomic_store(&c->rc, c->call(bot, &c->got) + 1000);
}

/* Token routes: the fake knows no such interaction and refuses them, which
 * is what these cases check along with the path. */
static struct got tok_got[6];
static atomic_int tok_rc[6];

static void
run_token_cases(dbot *bot, void *arg)
{
    (void)arg;
    tok_rc[0] =
        dbot_rest_interaction_callback(bot, 4, "tok", msg, on_res, &tok_got[0]);
    tok_rc[1] = dbot_rest_interaction_followup(bot, 77, "tok", msg, on_res,
                                               &tok_got[1]);
    tok_rc[2] = dbot_rest_interaction_followup_edit(bot, 77, "tok", 66, msg,
                                                    on_res, &tok_got[2]);
    tok_rc[3] = dbot_rest_interaction_followup_delete(bot, 77, "tok", 66,
                                                      on_res, &tok_got[3]);
    tok_rc[4] = dbot_rest_interaction_original_edit(bot, 77, "tok", msg, on_res,
                                                    &tok_got[4]);
    tok_rc[5] = dbot_rest_interaction_original_delete(bot, 77, "tok", on_res,
                                                      &tok_got[5]);
}

/* The deprecated names (until 0.3, docs/api.md) reach the same routes;
 * called on purpose, so their warning is off here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void
run_deprecated_token_cases(dbot *bot, void *arg)
{
    (void)arg;
    tok_rc[0] =
        dbot_interaction_callback_raw(bot, 4, "tok", msg, on_res, &tok_got[0]);
    tok_rc[1] = dbot_followup_create(bot, 77, "tok", msg, on_res, &tok_got[1]);
    tok_rc[2] =
        dbot_followup_edit(bot, 77, "tok", 66, msg, on_res, &tok_got[2]);
    tok_rc[3] = dbot_followup_delete(bot, 77, "tok", 66, on_res, &tok_got[3]);
    tok_rc[4] = dbot_original_edit(bot, 77, "tok", msg, on_res, &tok_got[4]);
    tok_rc[5] = dbot_original_delete(bot, 77, "tok", on_res, &tok_got[5]);
}
#pragma GCC diagnostic pop

static atomic_int refusals = -1;
static struct got refused_got;

static void
run_refusals(dbot *bot, void *arg)
{
    int bad = 0;

    (void)arg;
    bad += dbot_message_send(bot, 0, "x", on_res, &refused_got) == DBOT_EINVAL;
    bad += dbot_rest_interaction_original_edit(bot, 77, "a/b", msg, on_res,
                                               &refused_got) == DBOT_EINVAL;
    bad += dbot_commands_overwrite_global(bot, 77, msg, on_res, &refused_got) ==
           DBOT_EINVAL;
    bad += dbot_rest(bot, "GET", "nope", NULL, on_res, &refused_got) ==
           DBOT_EINVAL;
    bad += dbot_rest(bot, "BREW", "/users/@me", NULL, on_res, &refused_got) ==
           DBOT_EINVAL;
    atomic_store(&refusals, bad);
}

static void
run_fire_and_forget(dbot *bot, void *arg)
{
    (void)arg;
    dbot_message_send(bot, 124, "ff", NULL, NULL);
}

static void *
off_loop(void *arg)
{
    *(int *)arg = dbot_message_send(H.bot, 1, "x", NULL, NULL);
    return NULL;
}

int
main(void)
{
    const size_t n = sizeof cases / sizeof cases[0];
    static const struct {
        const char *method, *path;
    } tok_paths[6] = {
        { "POST", "/api/v10/interactions/4/tok/callback" },
        { "POST", "/api/v10/webhooks/77/tok" },
        { "PATCH", "/api/v10/webhooks/77/tok/messages/66" },
        { "DELETE", "/api/v10/webhooks/77/tok/messages/66" },
        { "PATCH", "/api/v10/webhooks/77/tok/messages/@original" },
        { "DELETE", "/api/v10/webhooks/77/tok/messages/@original" },
    };

    msg = cJSON_Parse("{\"content\":\"x\"}");
    cmds = cJSON_Parse("[{\"name\":\"ping\",\"description\":\"Ping\"}]");
    h_start(&H, NULL, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);

    for (size_t i = 0; i < n; i++) {
        struct api_case *c = &cases[i];
        int before = count_path(c->method, c->path);

        ASSERT_EQ(dbot_post(H.bot, run_case, c), 0);
        WAIT_UNTIL(atomic_load(&c->got.calls) > 0, 5000);
        ASSERT_EQ(atomic_load(&c->rc), 1000);
        ASSERT_EQ(atomic_load(&c->got.calls), 1);
        ASSERT_EQ(c->got.on_loop_bot, 1);
        ASSERT_EQ(c->got.err, 0);
        ASSERT_EQ(c->got.status, 200);
        ASSERT_EQ(count_path(c->method, c->path), before + 1);
    }
    ASSERT_STREQ(cases[0].got.content, "hi there");

    for (int round = 1; round <= 2; round++) {
        memset(tok_got, 0, sizeof tok_got);
        ASSERT_EQ(
            dbot_post(H.bot,
                      round == 1 ? run_token_cases : run_deprecated_token_cases,
                      NULL),
            0);
        for (int i = 0; i < 6; i++) {
            WAIT_UNTIL(atomic_load(&tok_got[i].calls) > 0, 5000);
            ASSERT_EQ(atomic_load(&tok_rc[i]), 0);
            /* 404 Unknown interaction, or 401 50027 Invalid Webhook
             * Token: about the interaction token, so not DBOT_EAUTH. */
            ASSERT_TRUE(tok_got[i].status == 404 || tok_got[i].status == 401);
            ASSERT_EQ(tok_got[i].err, DBOT_EHTTP);
            ASSERT_EQ(count_path(tok_paths[i].method, tok_paths[i].path),
                      round);
        }
    }

    ASSERT_EQ(dbot_post(H.bot, run_refusals, NULL), 0);
    WAIT_UNTIL(atomic_load(&refusals) >= 0, 5000);
    ASSERT_EQ(atomic_load(&refusals), 5);

    ASSERT_EQ(dbot_post(H.bot, run_fire_and_forget, NULL), 0);
    WAIT_UNTIL(count_path("POST", "/api/v10/channels/124/messages") == 1, 5000);
#ifndef NDEBUG
    {
        pthread_t t;
        int rc = 0;

        /* Off the loop thread while the loop runs: refused. */
        ASSERT_EQ(pthread_create(&t, NULL, off_loop, &rc), 0);
        pthread_join(t, NULL);
        ASSERT_EQ(rc, DBOT_EWRONGTHREAD);
    }
#endif
    ASSERT_EQ(atomic_load(&refused_got.calls), 0);

    /* The token routes above were unknown interactions on purpose. */
    h_finish(&H, 1);
    fakecord_stop(H.fc);
    H.fc = NULL;
    ASSERT_TRUE(!h_log_has(H_TOKEN));
    cJSON_Delete(msg);
    cJSON_Delete(cmds);
    return 0;
}
