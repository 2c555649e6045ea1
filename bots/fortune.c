/*
 * fortune.c: the handler API from STYLE.md, end to end. /fortune [topic]
 * answers from slow work on a worker: the handler returns at once, dbot
 * acknowledges (deferred) right away, and the worker's reply is edited into
 * the original response.
 *
 * While the user types the topic, Discord asks the bot for suggestions
 * (autocomplete): the option declares `.autocomplete = true` and a route
 * answers with up to 25 choices at once, on the loop (no deferring here:
 * suggestions come within 3 s or not at all).
 *
 * Run it against the local sandbox (no token needed):
 *     dbot-sandbox --bot ./build/bots/dbot-fortune --play "/fortune topic:cats"
 *     dbot-sandbox --bot ./build/bots/dbot-fortune \
 *                  --play "complete /fortune topic:ca"   # the suggestions
 * or against Discord:
 *     DISCORD_TOKEN=... ./build/bots/dbot-fortune [config.json]
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const dbot_option fortune_opts[] = { { .type = DBOT_OPT_STRING,
                                              .name = "topic",
                                              .description =
                                                  "What the fortune is about",
                                              .autocomplete = true },
                                            { 0 } };
static const dbot_command fortune_cmd = {
    .name = "fortune",
    .description = "Ask the oracle (it takes its time)",
    .options = fortune_opts,
};

/* Stands for any blocking call: a database, a slow HTTP API. */
static int
slow_fortune(const char *topic, char *out, size_t len)
{
    static const char *const sayings[] = {
        "patience is a kind of speed",
        "the loop that never blocks answers everyone",
        "what is deferred is not denied",
    };
    struct timespec ts = { 1, 500000000 }; /* 1.5 s: no handler may do this */
    unsigned h = 0;

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    for (const char *p = topic; *p; p++)
        h = h * 31 + (unsigned char)*p;
    if (strlen(topic) > 100)
        return -1;
    snprintf(out, len, "On %s: %s.", topic,
             sayings[h % (sizeof sayings / sizeof *sayings)]);
    return 0;
}

/* Worker thread: may block; touches only its own job. */
static void
fortune_work(dbot_work *w)
{
    char text[256];
    const char *topic = dbot_option_str(dbot_work_options(w), "topic", "life");

    if (slow_fortune(topic, text, sizeof text) < 0)
        dbot_work_reply(w, "The oracle is silent today.");
    else
        dbot_work_reply(w, text);
}

/* Autocomplete for topic: the topics that start with what is typed so far
 * (any topic is still accepted: suggestions are not choices). */
static int
on_topic_typed(dbot_interaction *ix, void *data)
{
    static const char *const topics[] = { "cats", "cars", "life",   "love",
                                          "luck", "work", "weather" };
    dbot_choice found[sizeof topics / sizeof *topics];
    const char *typed = NULL;
    size_t n = 0;

    (void)data;
    dbot_option_focused(dbot_interaction_options(ix), NULL, &typed);
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++)
        if (!typed || !strncasecmp(topics[i], typed, strlen(typed)))
            found[n++] = (dbot_choice){ .name = topics[i], .str = topics[i] };
    /* All the matches: only the first 25 are sent, Discord's limit. */
    return dbot_interaction_autocomplete_choices(ix, found, n, DBOT_OPT_STRING);
}

/* Loop thread: returns at once. */
static int
on_fortune(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, fortune_work, NULL);
}

int
main(int argc, char **argv)
{
    static const dbot_command *const cmds[] = { &fortune_cmd };
    dbot *bot;
    int rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);

    if (rc < 0) {
        fprintf(stderr, "fortune: %s\n", dbot_strerror(rc));
        return 1;
    }
    dbot_commands_set(bot, cmds, 1);
    dbot_on_command(bot, "fortune", on_fortune, NULL);
    dbot_on_autocomplete(bot, "fortune", "topic", on_topic_typed, NULL);
    rc = dbot_run(bot); /* until SIGINT/SIGTERM */
    dbot_free(bot);
    return rc < 0;
}
