/*
 * test_reactions.c: the reaction calls (dbot/rest.h) through a real bot
 * against the fake Discord, which decodes the route once as Discord does
 * and records the emoji it understood. The user's emoji must arrive
 * exactly as written; bad ones never leave the process; reactions of one
 * channel share one bucket, so Discord's 1 per 0.25 s costs no 429.
 */
#include "harness.h"

#include <dbot/rest.h>

static struct harness H;

struct got {
    atomic_int calls;
    int status, err, code;
};

static void
on_res(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct got *g = data;

    (void)bot;
    g->status = res->status;
    g->err = res->err;
    g->code = res->discord_code;
    atomic_fetch_add(&g->calls, 1);
}

/* Written by the user, read by Discord. */
static const struct {
    const char *written, *meant;
} adds[] = {
    { "👍", "👍" },
    { "#️⃣", "#️⃣" }, /* '#', VS16, combining keycap */
    { "🇫🇷", "🇫🇷" },           /* two regional indicators */
    { "<:blob:123>", "blob:123" },
    { "<a:dance:456>", "dance:456" },
    { "party:789", "party:789" },
};
#define NADDS (sizeof adds / sizeof adds[0])

static struct got add_got[NADDS], del_own, del_user, twice;
static atomic_int calls_rc = 1;

static void
run_adds(dbot *bot, void *arg)
{
    int rc = 0;

    (void)arg;
    for (size_t i = 0; i < NADDS; i++)
        rc |=
            dbot_reaction_add(bot, 9, 4, adds[i].written, on_res, &add_got[i]);
    rc |= dbot_reaction_remove_own(bot, 9, 4, "👍", on_res, &del_own);
    rc |= dbot_reaction_remove_user(bot, 9, 4, "<:blob:123>", 77, on_res,
                                    &del_user);
    /* What a client that encodes an encoded emoji sends. */
    rc |= dbot_rest(bot, "PUT",
                    "/channels/9/messages/4/reactions/%25F0%259F%2591%258D/@me",
                    NULL, on_res, &twice);
    atomic_store(&calls_rc, rc);
}

static struct got refused_got;
static atomic_int refusals = -1;

static void
run_refusals(dbot *bot, void *arg)
{
    static const char *const bad[] = {
        "",
        "\xF0\x9F\x91",
        ":thumbsup:",
        "%F0%9F%91%8D",
        "<:broken>",
        "👍/@me",
        "thumbsup",
        "<:blob:12x>",
        "👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍",
    };
    int n = 0;

    (void)arg;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        n += dbot_reaction_add(bot, 9, 4, bad[i], on_res, &refused_got) ==
             DBOT_EINVAL;
    n +=
        dbot_reaction_add(bot, 9, 4, NULL, on_res, &refused_got) == DBOT_EINVAL;
    n += dbot_reaction_add(bot, 0, 4, "👍", on_res, &refused_got) == DBOT_EINVAL;
    n += dbot_reaction_remove_own(bot, 9, 0, "👍", on_res, &refused_got) ==
         DBOT_EINVAL;
    n += dbot_reaction_remove_user(bot, 9, 4, "👍", 0, on_res, &refused_got) ==
         DBOT_EINVAL;
    atomic_store(&refusals, n);
}

/* The fake's record i as "METHOD emoji user". */
static void
record(const cJSON *recs, int i, char *buf, size_t n)
{
    const cJSON *r = cJSON_GetArrayItem(recs, i);

    snprintf(buf, n, "%s %s %s", cJSON_GetObjectItem(r, "method")->valuestring,
             cJSON_GetObjectItem(r, "emoji")->valuestring,
             cJSON_GetObjectItem(r, "user")->valuestring);
}

static int
has_record(const cJSON *recs, const char *want)
{
    char buf[256];

    for (int i = 0; i < cJSON_GetArraySize(recs); i++) {
        record(recs, i, buf, sizeof buf);
        if (!strcmp(buf, want))
            return 1;
    }
    return 0;
}

int
main(void)
{
    struct fakecord_request *reqs;
    char buf[256];
    cJSON *recs;
    int n, limited = 0;

    h_start(&H, NULL, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    /* Discord's reaction limit: one per 0.25 s per channel. */
    ASSERT_EQ(fakecord_rest_limit(
                  H.fc, "PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me",
                  "reactions", 1, 250),
              0);

    ASSERT_EQ(dbot_post(H.bot, run_adds, NULL), 0);
    for (size_t i = 0; i < NADDS; i++)
        WAIT_UNTIL(atomic_load(&add_got[i].calls) == 1, 10000);
    WAIT_UNTIL(atomic_load(&del_own.calls) == 1, 5000);
    WAIT_UNTIL(atomic_load(&del_user.calls) == 1, 5000);
    WAIT_UNTIL(atomic_load(&twice.calls) == 1, 5000);
    ASSERT_EQ(atomic_load(&calls_rc), 0);
    for (size_t i = 0; i < NADDS; i++) {
        ASSERT_EQ(add_got[i].status, 204);
        ASSERT_EQ(add_got[i].err, 0);
    }
    ASSERT_EQ(del_own.status, 204);
    ASSERT_EQ(del_user.status, 204);
    /* Encoded twice: Discord (and the fake) see "%F0..." and know no such
     * emoji. */
    ASSERT_EQ(twice.status, 400);
    ASSERT_EQ(twice.err, DBOT_EHTTP);
    ASSERT_EQ(twice.code, 10014);

    /* The fake saw exactly the emoji the user meant, adds in order. */
    recs = fakecord_reactions(H.fc);
    ASSERT_EQ(cJSON_GetArraySize(recs), (int)NADDS + 2);
    for (size_t i = 0, k = 0; k < NADDS; i++) {
        char want[128];

        record(recs, (int)i, buf, sizeof buf);
        if (strncmp(buf, "PUT ", 4))
            continue;
        snprintf(want, sizeof want, "PUT %s @me", adds[k++].meant);
        ASSERT_STREQ(buf, want);
    }
    ASSERT_TRUE(has_record(recs, "DELETE 👍 @me"));
    ASSERT_TRUE(has_record(recs, "DELETE blob:123 77"));
    cJSON_Delete(recs);

    /* One bucket per channel, learned from the headers: no 429 at all. */
    n = fakecord_requests(H.fc, &reqs);
    for (int i = 0; i < n; i++) {
        limited += reqs[i].status == 429;
        ASSERT_TRUE(!strstr(reqs[i].path, "%25") || reqs[i].status == 400);
    }
    fakecord_requests_free(reqs, n);
    ASSERT_EQ(limited, 0);

    h_log_reset();
    ASSERT_EQ(dbot_post(H.bot, run_refusals, NULL), 0);
    WAIT_UNTIL(atomic_load(&refusals) >= 0, 5000);
    ASSERT_EQ(atomic_load(&refusals), 13);
    ASSERT_TRUE(h_log_has("reaction emoji \":thumbsup:\" is neither"));
    ASSERT_TRUE(h_log_has("reaction emoji not valid UTF-8"));
    ASSERT_TRUE(h_log_has("reaction emoji too long"));
    ASSERT_TRUE(h_log_has("reaction emoji empty"));

    h_teardown(&H);
    /* Callbacks of refused calls never run. */
    ASSERT_EQ(atomic_load(&refused_got.calls), 0);
    return 0;
}
