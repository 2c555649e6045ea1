/*
 * ping.c: the smallest useful dbot bot.
 *
 *   /ping    answers "Pong!" with the gateway heartbeat latency
 *   !ping    the same for a plain text message, when the bot has the
 *            MESSAGE_CONTENT intent (config "intents"); without it Discord
 *            sends guild messages with empty content and this stays silent
 *
 * Run it against the local sandbox (no token needed):
 *     dbot-sandbox --bot ./build/bots/dbot-ping --play /ping
 * or against Discord:
 *     DISCORD_TOKEN=... ./build/bots/dbot-ping [config.json]
 *
 * Everything runs on the loop thread: handlers must return quickly (see
 * offload.c for work that blocks).
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/rest.h>
#include <dbot/shard.h>

#include <stdio.h>
#include <string.h>

/* The commands this bot has. dbot_commands_set() compares them with what
 * Discord knows after READY and registers them only when they changed. */
static const dbot_command ping_cmd = {
    .name = "ping",
    .description = "Check that the bot is alive",
};
static const dbot_command *const commands[] = { &ping_cmd };

/* "Pong! (heartbeat 42 ms)", or without the number before the first
 * heartbeat round trip (just after connecting). */
static void
pong_text(dbot *bot, char *buf, size_t len)
{
    int64_t ms = dbot_heartbeat_latency_ms(bot, 0);

    if (ms >= 0)
        snprintf(buf, len, "Pong! (heartbeat %lld ms)", (long long)ms);
    else
        snprintf(buf, len, "Pong! (no heartbeat yet)");
}

/* /ping: a slash command handler answers its interaction exactly once. */
static int
on_ping(dbot_interaction *ix, void *data)
{
    char text[64];

    (void)data;
    pong_text(dbot_interaction_bot(ix), text, sizeof text);
    return dbot_interaction_reply(ix, text);
}

/* !ping: every MESSAGE_CREATE arrives here; answer only humans, never
 * other bots (or ourselves), so two bots cannot ping-pong forever. */
static void
on_message(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(ev->data, "author");
    const cJSON *content =
        cJSON_GetObjectItemCaseSensitive(ev->data, "content");
    uint64_t channel = dbot_json_snowflake(
        cJSON_GetObjectItemCaseSensitive(ev->data, "channel_id"));
    char text[64];

    (void)data;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(author, "bot")))
        return;
    if (!cJSON_IsString(content) || strcmp(content->valuestring, "!ping"))
        return;
    pong_text(bot, text, sizeof text);
    /* Fire and forget: a NULL callback means failures are only logged. */
    dbot_message_send(bot, channel, text, NULL, NULL);
}

int
main(int argc, char **argv)
{
    /* Shown under the bot's name in the member list. */
    const dbot_presence presence = { .name = "/ping",
                                     .type = DBOT_ACTIVITY_LISTENING };
    dbot *bot;
    int rc;

    /* Config: argv[1], else $DBOT_CONFIG, else ./config.json, else the
     * environment ($DISCORD_TOKEN, $DBOT_API_URL). */
    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    if (dbot_commands_set(bot, commands, 1) < 0 ||
        dbot_on_command(bot, "ping", on_ping, NULL) < 0 ||
        dbot_on(bot, "MESSAGE_CREATE", on_message, NULL) < 0 ||
        dbot_presence_set(bot, &presence) < 0) {
        dbot_free(bot);
        return 1;
    }
    /* Runs until SIGINT/SIGTERM (dbot_run stops cleanly on them). */
    rc = dbot_run(bot);
    dbot_free(bot);
    if (rc < 0)
        fprintf(stderr, "dbot-ping: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
