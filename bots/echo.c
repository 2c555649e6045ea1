/*
 * echo.c: gateway events without slash commands.
 *
 * Repeats every message people write in the channels it can see. Reading
 * message text needs two intents in the config:
 *
 *   { "intents": ["GUILDS", "GUILD_MESSAGES", "MESSAGE_CONTENT"] }
 *
 * (bots/config/message_content.json), and MESSAGE_CONTENT must also be
 * enabled for the application in the Developer Portal. Without it Discord
 * still sends MESSAGE_CREATE but with empty content, and the bot says so
 * once.
 *
 * It ignores messages written by bots, itself included: Discord sends a bot
 * its own messages too, and echoing those would loop forever.
 *
 *     dbot-sandbox --bot ./build/bots/dbot-echo \
 *                  --config bots/config/message_content.json --play "say hello"
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/rest.h>

#include <stdio.h>
#include <string.h>

struct echo {
    int warned; /* logged once that content comes empty */
};

/* Logs REST failures (e.g. 403: no permission to write in the channel). */
static void
sent(dbot *bot, const dbot_rest_result *res, void *data)
{
    (void)bot;
    (void)data;
    if (res->err < 0)
        dbot_log(DBOT_LOG_WARN, "echo", "send failed: %d %s", res->status,
                 res->message ? res->message : dbot_strerror(res->err));
}

static void
on_message(dbot *bot, const dbot_event *ev, void *data)
{
    struct echo *e = data;
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(ev->data, "author");
    const cJSON *content =
        cJSON_GetObjectItemCaseSensitive(ev->data, "content");
    uint64_t channel = dbot_json_snowflake(
        cJSON_GetObjectItemCaseSensitive(ev->data, "channel_id"));
    char text[2001];

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(author, "bot")))
        return; /* bots, and our own echoes */
    if (!cJSON_IsString(content) || !*content->valuestring) {
        if (!e->warned++)
            dbot_log(DBOT_LOG_WARN, "echo",
                     "message without content: add MESSAGE_CONTENT to "
                     "\"intents\" (and enable it in the Developer Portal)");
        return;
    }
    /* "echo: " plus up to 1994 bytes stays within the 2000 limit; cut on
     * a UTF-8 boundary so the text stays valid. */
    size_t n = strlen(content->valuestring);
    if (n > 1994) {
        n = 1994;
        while (n && ((unsigned char)content->valuestring[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(text, sizeof text, "echo: %.*s", (int)n, content->valuestring);
    dbot_message_send(bot, channel, text, sent, NULL);
}

int
main(int argc, char **argv)
{
    struct echo e = { 0 };
    dbot *bot;
    int rc;

    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    /* No slash commands: an empty set also removes stale ones a previous
     * version of the bot registered. */
    if (dbot_commands_set(bot, NULL, 0) < 0 ||
        dbot_on(bot, "MESSAGE_CREATE", on_message, &e) < 0) {
        dbot_free(bot);
        return 1;
    }
    rc = dbot_run(bot);
    dbot_free(bot);
    if (rc < 0)
        fprintf(stderr, "dbot-echo: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
