/*
 * echo.c: gateway events and context menus, no slash commands.
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
 * It also adds two context menu commands, which need no intent (the target
 * arrives resolved inside the interaction, its content included):
 *   right-click a message > Apps > Quote      quotes it, with its author
 *   right-click a user > Apps > User info     who that is, only for you
 *
 *     dbot-sandbox --bot ./build/bots/dbot-echo \
 *                  --config bots/config/message_content.json --play "say hello"
 *     dbot-sandbox --bot ./build/bots/dbot-echo --play 'user "User info" @bob'
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

/* Context menu commands have a type and a name (any case, spaces), no
 * description and no options. */
static const dbot_command quote_cmd = { .type = DBOT_CMD_MESSAGE,
                                        .name = "Quote" };
static const dbot_command user_info_cmd = { .type = DBOT_CMD_USER,
                                            .name = "User info" };
static const dbot_command *const commands[] = { &quote_cmd, &user_info_cmd };

/* How many bytes of `s` fit in `max` without cutting a UTF-8 character,
 * so a shortened text stays valid. */
static size_t
utf8_fit(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    n = max;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* The name Discord shows: the display name, else the username. */
static const char *
shown_name(const cJSON *user)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(user, "global_name");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(user, "username");

    if (cJSON_IsString(g) && *g->valuestring)
        return g->valuestring;
    return cJSON_IsString(u) ? u->valuestring : "someone";
}

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
    /* "echo: " plus up to 1994 bytes stays within the 2000 limit. */
    snprintf(text, sizeof text, "echo: %.*s",
             (int)utf8_fit(content->valuestring, 1994), content->valuestring);
    dbot_message_send(bot, channel, text, sent, NULL);
}

/* Message > Apps > Quote: the target message is in the interaction
 * (data.resolved.messages), so no REST call and no intent is needed. */
static int
on_quote(dbot_interaction *ix, void *data)
{
    const cJSON *msg = dbot_ix_target(dbot_interaction_json(ix), NULL);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    const char *by =
        shown_name(cJSON_GetObjectItemCaseSensitive(msg, "author"));
    char text[2001];

    (void)data;
    if (!cJSON_IsString(content) || !*content->valuestring)
        return dbot_interaction_reply_ephemeral(ix, "Nothing to quote: that "
                                                    "message has no text.");
    /* ">>> " quotes every line after it; the author's name is at most 32
     * bytes, so 1900 bytes of text keep the reply under 2000. */
    snprintf(text, sizeof text, ">>> %.*s\n- %s",
             (int)utf8_fit(content->valuestring, 1900), content->valuestring,
             by);
    return dbot_interaction_reply(ix, text);
}

/* User > Apps > User info: the target user, and in a guild its member
 * (data.resolved.users and .members), answered only to the one who asked. */
static int
on_user_info(dbot_interaction *ix, void *data)
{
    const cJSON *member = NULL;
    const cJSON *user = dbot_ix_target(dbot_interaction_json(ix), &member);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(user, "username");
    const cJSON *joined = cJSON_GetObjectItemCaseSensitive(member, "joined_at");
    char text[256];

    (void)data;
    snprintf(text, sizeof text, "%s (@%s), id %llu%s%.10s", shown_name(user),
             cJSON_IsString(name) ? name->valuestring : "?",
             (unsigned long long)dbot_ix_target_id(dbot_interaction_json(ix)),
             cJSON_IsString(joined) ? ", member since " : "",
             cJSON_IsString(joined) ? joined->valuestring : "");
    return dbot_interaction_reply_ephemeral(ix, text);
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
    /* Context menu commands route by their name, like slash commands. */
    if (dbot_commands_set(bot, commands, 2) < 0 ||
        dbot_on_command(bot, "Quote", on_quote, NULL) < 0 ||
        dbot_on_command(bot, "User info", on_user_info, NULL) < 0 ||
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
