/*
 * test_sandbox.c: every example bot against dbot-sandbox, checked through
 * its --json report: what each step's answer was (callback type, content,
 * components, edits), that it was acknowledged in under 3 s, and that a
 * bot's own messages reach it and are ignored.
 *
 *   test_sandbox SANDBOX BOTDIR SCRIPTDIR CONFIG
 */
#include "../tests/check.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sandbox, *botdir, *scriptdir, *mc_config;

/* Run the sandbox with --json and return its parsed report. */
static cJSON *
run(const char *bot, const char *script, const char *config, int *status)
{
    char cmd[2048], *out = NULL;
    size_t len = 0, cap = 0;
    FILE *p;
    cJSON *doc;

    snprintf(
        cmd, sizeof cmd,
        "'%s' --json --timeout-ms 10000 --reply-ms 5000 --bot '%s/dbot-%s' "
        "--script '%s/%s' %s%s%s",
        sandbox, botdir, bot, scriptdir, script, config ? "--config '" : "",
        config ? config : "", config ? "'" : "");
    p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            out = realloc(out, cap);
            ASSERT_TRUE(out != NULL);
        }
        size_t n = fread(out + len, 1, 4096, p);
        if (n == 0)
            break;
        len += n;
    }
    out[len] = '\0';
    *status = pclose(p);
    doc = cJSON_Parse(out);
    if (!doc)
        fprintf(stderr, "not JSON:\n%s\n", out);
    free(out);
    ASSERT_TRUE(doc != NULL);
    return doc;
}

static const cJSON *
step(const cJSON *doc, int i)
{
    const cJSON *s =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "steps"), i);

    ASSERT_TRUE(s != NULL);
    return s;
}

static const char *
sget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static double
nget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Every interaction step was acknowledged within Discord's 3 s. */
static void
all_acked_in_time(const cJSON *doc)
{
    const cJSON *s;
    int n = 0;

    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "steps")) {
        if (!cJSON_GetObjectItemCaseSensitive(s, "callback_type"))
            continue;
        n++;
        ASSERT_TRUE(nget(s, "ack_ms") >= 0);
        ASSERT_TRUE(nget(s, "ack_ms") < 3000);
    }
    ASSERT_EQ(n, (int)nget(doc, "interactions"));
}

static void
test_ping(void)
{
    int st;
    cJSON *doc = run("ping", "ping.txt", NULL, &st);
    const cJSON *s = step(doc, 0);

    ASSERT_EQ(st, 0);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")));
    ASSERT_STREQ(sget(s, "kind"), "command");
    ASSERT_EQ((int)nget(s, "callback_type"), 4);
    ASSERT_TRUE(!strncmp(sget(cJSON_GetObjectItem(s, "message"), "content"),
                         "Pong! (heartbeat ", 17));
    all_acked_in_time(doc);
    cJSON_Delete(doc);
}

static void
test_ping_message(void)
{
    int st;
    cJSON *doc = run("ping", "ping_message.txt", mc_config, &st);
    const cJSON *s = step(doc, 0);

    ASSERT_EQ(st, 0);
    ASSERT_STREQ(sget(s, "kind"), "message");
    ASSERT_EQ((int)nget(s, "replies"), 1);
    ASSERT_TRUE(strstr(sget(s, "output"), "Pong!") != NULL);
    cJSON_Delete(doc);

    /* Without MESSAGE_CONTENT the text arrives empty: no answer. */
    doc = run("ping", "ping_message.txt", NULL, &st);
    ASSERT_NE(st, 0); /* its "expect Pong!" fails */
    s = step(doc, 0);
    ASSERT_EQ((int)nget(s, "replies"), 0);
    ASSERT_TRUE(strstr(sget(s, "output"), "no MESSAGE_CONTENT") != NULL);
    cJSON_Delete(doc);
}

static void
test_offload(void)
{
    int st;
    cJSON *doc = run("offload", "offload.txt", NULL, &st);
    const cJSON *primes = step(doc, 0), *fetch = step(doc, 3);

    ASSERT_EQ(st, 0);
    ASSERT_EQ((int)nget(primes, "callback_type"), 5); /* deferred */
    ASSERT_EQ((int)nget(primes, "edits"), 1);         /* then edited */
    ASSERT_TRUE(strstr(sget(cJSON_GetObjectItem(primes, "message"), "content"),
                       "There are 9592 primes below 100000") != NULL);
    ASSERT_STREQ(sget(fetch, "kind"), "command");
    ASSERT_EQ((int)nget(fetch, "callback_type"), 5);
    ASSERT_EQ((int)nget(fetch, "edits"), 1);
    /* The page takes 1.5 s; the defer came long before that. */
    ASSERT_TRUE(nget(fetch, "ack_ms") < 1000);
    ASSERT_TRUE(strstr(sget(cJSON_GetObjectItem(fetch, "message"), "content"),
                       "HTTP 200") != NULL);
    all_acked_in_time(doc);
    cJSON_Delete(doc);
}

static void
test_components(void)
{
    int st;
    cJSON *doc = run("components", "components.txt", NULL, &st);
    const cJSON *poll = step(doc, 0), *yes = step(doc, 2),
                *modal = step(doc, 8), *submit = step(doc, 10), *m, *b;
    int types[] = { 4, -1, 7, -1, 7, -1, 7, -1, 9, -1, 4 };

    ASSERT_EQ(st, 0);
    for (int i = 0; i < 11; i++)
        if (types[i] > 0)
            ASSERT_EQ((int)nget(step(doc, i), "callback_type"), types[i]);
    m = cJSON_GetObjectItem(poll, "message");
    b = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "components"), 0);
    b = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "components"), 0);
    ASSERT_STREQ(sget(b, "custom_id"), "vote:yes");
    ASSERT_STREQ(sget(b, "label"), "Yes");
    /* The click updated the poll in place: same message id. */
    ASSERT_STREQ(sget(cJSON_GetObjectItem(yes, "message"), "id"),
                 sget(m, "id"));
    ASSERT_TRUE(strstr(sget(yes, "output"), "Yes: 1") != NULL);
    ASSERT_TRUE(strstr(sget(modal, "output"), "Your comment") != NULL);
    ASSERT_TRUE(strstr(sget(submit, "output"), "only you can see this"));
    ASSERT_EQ((int)nget(cJSON_GetObjectItem(submit, "message"), "flags") & 64,
              64);
    all_acked_in_time(doc);
    cJSON_Delete(doc);
}

static void
test_echo(void)
{
    int st;
    cJSON *doc = run("echo", "echo.txt", mc_config, &st);
    const cJSON *s = step(doc, 0);

    ASSERT_EQ(st, 0);
    /* Exactly one reply: the sandbox handed the echo back to the bot as
     * MESSAGE_CREATE, and the bot ignored its own message. */
    ASSERT_EQ((int)nget(s, "replies"), 1);
    ASSERT_TRUE(strstr(sget(s, "output"), "echo: hello") != NULL);
    /* The conversation: two said, two echoes, the quote, the user info. */
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "messages")), 6);
    /* Message > Quote reached the bot with the message the user wrote. */
    s = step(doc, 4);
    ASSERT_STREQ(sget(s, "kind"), "message_command");
    ASSERT_EQ((int)nget(s, "callback_type"), 4);
    ASSERT_TRUE(strstr(sget(cJSON_GetObjectItem(s, "message"), "content"),
                       "how are you?") != NULL);
    /* User > User info answered ephemerally with the target's name. */
    s = step(doc, 7);
    ASSERT_STREQ(sget(s, "kind"), "user_command");
    ASSERT_TRUE(strstr(sget(cJSON_GetObjectItem(s, "message"), "content"),
                       "Alice (@alice)") != NULL);
    ASSERT_EQ((int)nget(cJSON_GetObjectItem(s, "message"), "flags") & 64, 64);
    all_acked_in_time(doc);
    cJSON_Delete(doc);
}

/* Autocomplete: a type 8 answer whose choices are the report's, and an
 * empty list when nothing matches. */
static void
test_fortune(void)
{
    int st;
    cJSON *doc = run("fortune", "fortune.txt", NULL, &st);
    const cJSON *some = step(doc, 5), *none = step(doc, 7), *choices;

    ASSERT_EQ(st, 0);
    ASSERT_STREQ(sget(some, "kind"), "autocomplete");
    ASSERT_EQ((int)nget(some, "callback_type"), 8);
    choices = cJSON_GetObjectItem(some, "choices");
    ASSERT_EQ(cJSON_GetArraySize(choices), 2);
    ASSERT_STREQ(sget(cJSON_GetArrayItem(choices, 0), "value"), "cats");
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(none, "choices")), 0);
    /* Suggestions are not messages: nothing joins the conversation. */
    ASSERT_TRUE(cJSON_GetObjectItem(some, "message") == NULL);
    all_acked_in_time(doc);
    cJSON_Delete(doc);
}

/* A script on stdin (not a terminal) is played like --script. */
static void
test_script_on_stdin(void)
{
    char cmd[2048], out[65536];
    size_t len;
    FILE *p;
    cJSON *doc;

    snprintf(cmd, sizeof cmd,
             "printf '/ping\\nexpect Pong!\\n' | '%s' --json --bot "
             "'%s/dbot-ping'",
             sandbox, botdir);
    p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    len = fread(out, 1, sizeof out - 1, p);
    out[len] = '\0';
    ASSERT_EQ(pclose(p), 0);
    doc = cJSON_Parse(out);
    ASSERT_TRUE(doc != NULL);
    ASSERT_EQ((int)nget(doc, "interactions"), 1);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "steps")), 2);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")));
    cJSON_Delete(doc);
}

/* --serve prints where to point a bot, and stops by itself. */
static void
test_serve(void)
{
    char cmd[1024], line[256];
    FILE *p;

    snprintf(cmd, sizeof cmd, "'%s' --serve --duration-ms 200", sandbox);
    p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(fgets(line, sizeof line, p) != NULL);
    ASSERT_TRUE(!strncmp(line, "DBOT_API_URL=http://127.0.0.1:", 30));
    ASSERT_TRUE(strstr(line, "/api/v10") != NULL);
    ASSERT_TRUE(fgets(line, sizeof line, p) != NULL);
    ASSERT_STREQ(line, "DISCORD_TOKEN=sandbox-token\n");
    ASSERT_EQ(pclose(p), 0);
}

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_sandbox SANDBOX BOTDIR SCRIPTDIR "
                        "CONFIG\n");
        return 2;
    }
    sandbox = argv[1];
    botdir = argv[2];
    scriptdir = argv[3];
    mc_config = argv[4];
    RUN(test_ping);
    RUN(test_ping_message);
    RUN(test_offload);
    RUN(test_components);
    RUN(test_echo);
    RUN(test_fortune);
    RUN(test_script_on_stdin);
    RUN(test_serve);
    return 0;
}
