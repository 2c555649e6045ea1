/*
 * endpoint.c: an HTTP-only bot. Discord POSTs each interaction to the
 * bot's Interactions Endpoint URL; the bot opens no gateway connection at
 * all (no intents, no heartbeats), so it can sit behind a load balancer
 * and restart without a session to resume.
 *
 *   /roll [sides]   a die roll, with a "Roll again" button that updates
 *                   the message in place
 *   /think          slow work on a worker: the answer is deferred (the
 *                   user sees "thinking...") and edited in through REST
 *
 * The handlers are the same as over the gateway; only the configuration
 * differs (README, "Interactions over HTTP"):
 *
 *     {"gateway": false, "interactions_listen": "127.0.0.1:8080",
 *      "public_key": "<the portal's Public Key>", "token": ...}
 *
 * or DBOT_GATEWAY=0 DBOT_INTERACTIONS_LISTEN=127.0.0.1:8080
 * DISCORD_PUBLIC_KEY=... in the environment, with a TLS reverse proxy in
 * front and https://your.host/interactions in the Developer Portal.
 * In the local sandbox, which signs its requests with a key of its own:
 *     dbot-sandbox --http --bot ./build/bots/dbot-endpoint --play /roll
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/message.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const dbot_option roll_opts[] = {
    { .type = DBOT_OPT_INTEGER,
      .name = "sides",
      .description = "How many sides the die has (6 if not given)",
      .has_min = true,
      .min_value = 2,
      .has_max = true,
      .max_value = 1000 },
    { 0 },
};
static const dbot_command roll_cmd = {
    .name = "roll",
    .description = "Roll a die",
    .options = roll_opts,
};
static const dbot_command think_cmd = {
    .name = "think",
    .description = "Think for a second, then answer",
};

/* "You rolled 4 (d6), over HTTP" with a button to roll the same die
 * again; the button's custom_id carries the sides ("roll:6"). */
static int
answer_roll(dbot_interaction *ix, int sides, int update)
{
    dbot_msg *m = dbot_msg_new();
    char id[32];
    int rc;

    snprintf(id, sizeof id, "roll:%d", sides);
    dbot_msg_contentf(
        m, "You rolled %d (d%d), over %s.", 1 + rand() % sides, sides,
        dbot_interaction_transport(ix) == DBOT_TRANSPORT_HTTP ? "HTTP"
                                                              : "the gateway");
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
                                    .label = "Roll again",
                                    .custom_id = id });
    rc = update ? dbot_interaction_update(ix, m)
                : dbot_interaction_reply_msg(ix, m);
    dbot_msg_free(m);
    return rc;
}

static int
on_roll(dbot_interaction *ix, void *data)
{
    (void)data;
    return answer_roll(
        ix, (int)dbot_option_int(dbot_interaction_options(ix), "sides", 6), 0);
}

/* "roll:" is a prefix route: the rest of the custom_id is the sides. */
static int
on_roll_again(dbot_interaction *ix, void *data)
{
    int sides = atoi(dbot_interaction_route_arg(ix));

    (void)data;
    return answer_roll(ix, sides >= 2 && sides <= 1000 ? sides : 6, 1);
}

/* Worker thread: may block. Over HTTP the deferral was the request's
 * answer; this reply reaches the user as an edit through REST. */
static void
think_work(dbot_work *w)
{
    struct timespec ts = { 1, 0 };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    dbot_work_reply(w, "Thought about it: the answer is 42.");
}

static int
on_think(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, think_work, NULL);
}

int
main(int argc, char **argv)
{
    static const dbot_command *const cmds[] = { &roll_cmd, &think_cmd };
    dbot *bot;
    int rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);

    if (rc < 0)
        return 1;
    srand((unsigned)time(NULL));
    if (dbot_commands_set(bot, cmds, 2) < 0 ||
        dbot_on_command(bot, "roll", on_roll, NULL) < 0 ||
        dbot_on_component(bot, "roll:", on_roll_again, NULL) < 0 ||
        dbot_on_command(bot, "think", on_think, NULL) < 0) {
        dbot_free(bot);
        return 1;
    }
    rc = dbot_run(bot); /* until SIGINT/SIGTERM */
    dbot_free(bot);
    if (rc < 0)
        fprintf(stderr, "dbot-endpoint: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
