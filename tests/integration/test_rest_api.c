/*
 * test_rest_api.c: the public REST API (src/rest_api.c) against the fake
 * Discord. Until src/bot.c exists, this test supplies the three bot
 * accessors rest_api.c needs (a test double: a struct dbot holding only a
 * REST client), so the paths, bodies and callbacks of every helper are
 * checked now. Once bot.c lands, meson stops building this file and the
 * bot's own tests take over.
 */
#include "../check.h"
#include "bot.h"
#include "fakecord.h"
#include "rest.h"

#include <dbot/dbot.h>
#include <dbot/rest.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dbot {
    struct dbot__rest *rest;
};

static pthread_t loop_thread;

struct dbot__rest *
dbot__bot_rest(dbot *bot)
{
    return bot->rest;
}

int
dbot__on_loop_thread(const dbot *bot)
{
    (void)bot;
    return pthread_equal(pthread_self(), loop_thread);
}

/* The loop: a queue drained by the test thread. */
struct task {
    struct task *next;
    dbot__task_fn fn;
    void *arg;
};
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct task *head, *tail;

int
dbot__post_task(void *bot, dbot__task_fn fn, void *arg)
{
    struct task *t = malloc(sizeof *t);

    (void)bot;
    if (!t)
        return DBOT_ENOMEM;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = t;
    else
        head = t;
    tail = t;
    pthread_mutex_unlock(&mu);
    return 0;
}

static int
pump(void)
{
    struct task *t;

    pthread_mutex_lock(&mu);
    t = head;
    head = tail = NULL;
    pthread_mutex_unlock(&mu);
    while (t) {
        struct task *next = t->next;
        t->fn(t->arg);
        free(t);
        t = next;
    }
    return 1;
}

struct got {
    int calls, status, err;
    dbot *bot;
    cJSON *json;
};

static void
on_res(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct got *g = data;

    g->calls++;
    g->status = res->status;
    g->err = res->err;
    g->bot = bot;
    g->json = res->json ? cJSON_Duplicate(res->json, 1) : NULL;
}

static fakecord *fc;
static struct dbot bot_s;
static dbot *bot = &bot_s;

static const char *
last_path(char *buf, size_t n, char *method, size_t mn)
{
    struct fakecord_request *reqs;
    int k = fakecord_requests(fc, &reqs);

    ASSERT_TRUE(k > 0);
    snprintf(buf, n, "%s", reqs[k - 1].path);
    snprintf(method, mn, "%s", reqs[k - 1].method);
    fakecord_requests_free(reqs, k);
    return buf;
}

static int
count_path(const char *path)
{
    struct fakecord_request *reqs;
    int k = fakecord_requests(fc, &reqs), c = 0;

    for (int i = 0; i < k; i++)
        c += strcmp(reqs[i].path, path) == 0;
    fakecord_requests_free(reqs, k);
    return c;
}

static void *
off_loop(void *arg)
{
    *(int *)arg = dbot_message_send(bot, 1, "x", NULL, NULL);
    return NULL;
}

#define EXPECT_REQ(call, meth, path)              \
    do {                                          \
        struct got g_ = { 0 };                    \
        char p_[512], m_[8];                      \
        ASSERT_EQ((call), 0);                     \
        WAIT_UNTIL((pump(), g_.calls > 0), 5000); \
        ASSERT_EQ(g_.calls, 1);                   \
        ASSERT_TRUE(g_.bot == bot);               \
        last_path(p_, sizeof p_, m_, sizeof m_);  \
        ASSERT_STREQ(m_, meth);                   \
        ASSERT_STREQ(p_, path);                   \
        cJSON_Delete(g_.json);                    \
    } while (0)

int
main(void)
{
    struct dbot__rest_opts o = { 0 };
    cJSON *msg, *cmds;
    struct got g = { 0 };

    loop_thread = pthread_self();
    fc = fakecord_start(NULL);
    ASSERT_TRUE(fc != NULL);
    o.api_url = fakecord_api_url(fc);
    o.token = FAKECORD_TOKEN;
    bot_s.rest = dbot__rest_new(&o, dbot__post_task, bot);
    ASSERT_TRUE(bot_s.rest != NULL);

    /* dbot_message_send: path and body. */
    ASSERT_EQ(dbot_message_send(bot, 123, "hi there", on_res, &g), 0);
    WAIT_UNTIL((pump(), g.calls > 0), 5000);
    ASSERT_EQ(g.status, 200);
    ASSERT_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(g.json, "content")),
                 "hi there");
    ASSERT_STREQ(
        cJSON_GetStringValue(cJSON_GetObjectItem(g.json, "channel_id")), "123");
    cJSON_Delete(g.json);

    msg = cJSON_Parse("{\"content\":\"x\"}");
    cmds = cJSON_Parse("[{\"name\":\"ping\",\"description\":\"Ping\"}]");
    EXPECT_REQ(dbot_message_create(bot, 9, msg, on_res, &g_), "POST",
               "/api/v10/channels/9/messages");
    EXPECT_REQ(dbot_commands_overwrite_global(bot, 77, cmds, on_res, &g_),
               "PUT", "/api/v10/applications/77/commands");
    EXPECT_REQ(dbot_commands_overwrite_guild(bot, 77, 5, cmds, on_res, &g_),
               "PUT", "/api/v10/applications/77/guilds/5/commands");
    EXPECT_REQ(dbot_commands_get_global(bot, 77, on_res, &g_), "GET",
               "/api/v10/applications/77/commands");
    EXPECT_REQ(dbot_commands_get_guild(bot, 77, 5, on_res, &g_), "GET",
               "/api/v10/applications/77/guilds/5/commands");
    EXPECT_REQ(dbot_gateway_bot_get(bot, on_res, &g_), "GET",
               "/api/v10/gateway/bot");
    EXPECT_REQ(dbot_application_get(bot, on_res, &g_), "GET",
               "/api/v10/applications/@me");
    /* Token routes: the fake answers 404 Unknown interaction, which is
     * fine here; the path is what is checked. */
    EXPECT_REQ(dbot_interaction_callback_raw(bot, 4, "tok", msg, on_res, &g_),
               "POST", "/api/v10/interactions/4/tok/callback");
    EXPECT_REQ(dbot_followup_create(bot, 77, "tok", msg, on_res, &g_), "POST",
               "/api/v10/webhooks/77/tok");
    EXPECT_REQ(dbot_followup_edit(bot, 77, "tok", 66, msg, on_res, &g_),
               "PATCH", "/api/v10/webhooks/77/tok/messages/66");
    EXPECT_REQ(dbot_followup_delete(bot, 77, "tok", 66, on_res, &g_), "DELETE",
               "/api/v10/webhooks/77/tok/messages/66");
    EXPECT_REQ(dbot_original_edit(bot, 77, "tok", msg, on_res, &g_), "PATCH",
               "/api/v10/webhooks/77/tok/messages/@original");
    EXPECT_REQ(dbot_original_delete(bot, 77, "tok", on_res, &g_), "DELETE",
               "/api/v10/webhooks/77/tok/messages/@original");

    /* Refusals never call back. */
    g.calls = 0;
    ASSERT_EQ(dbot_message_send(bot, 0, "x", on_res, &g), DBOT_EINVAL);
    ASSERT_EQ(dbot_original_edit(bot, 77, "a/b", msg, on_res, &g), DBOT_EINVAL);
    ASSERT_EQ(dbot_commands_overwrite_global(bot, 77, msg, on_res, &g),
              DBOT_EINVAL); /* not an array */
    ASSERT_EQ(dbot_rest(bot, "GET", "nope", NULL, on_res, &g), DBOT_EINVAL);
#ifndef NDEBUG
    {
        pthread_t t;
        int rc = 0;

        /* Off the loop thread: refused in debug builds. */
        ASSERT_EQ(pthread_create(&t, NULL, off_loop, &rc), 0);
        pthread_join(t, NULL);
        ASSERT_EQ(rc, DBOT_EWRONGTHREAD);
    }
#endif
    pump();
    ASSERT_EQ(g.calls, 0);

    /* Fire and forget. */
    ASSERT_EQ(dbot_message_send(bot, 124, "ff", NULL, NULL), 0);
    WAIT_UNTIL((pump(), count_path("/api/v10/channels/124/messages") == 1),
               5000);

    cJSON_Delete(msg);
    cJSON_Delete(cmds);
    dbot__rest_free(bot_s.rest);
    pump();
    fakecord_stop(fc);
    return 0;
}
