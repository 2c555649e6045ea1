/*
 * fallback_bot.c: a bot whose commands make dbot answer in their place,
 * for the sandbox's own tests (not installed): /broken returns an error,
 * /silent returns without answering, /fine answers. The sandbox must fail
 * a script on the first two unless it says "expect-fallback".
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>

static int
on_broken(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return DBOT_EIO;
}

static int
on_silent(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0;
}

static int
on_fine(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "fine");
}

int
main(int argc, char **argv)
{
    static const dbot_command broken = { .name = "broken",
                                         .description = "fails" };
    static const dbot_command silent = { .name = "silent",
                                         .description = "says nothing" };
    static const dbot_command fine = { .name = "fine",
                                       .description = "answers" };
    const dbot_command *cmds[] = { &broken, &silent, &fine };
    dbot *bot;
    int rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);

    if (rc < 0)
        return 1;
    dbot_commands_set(bot, cmds, 3);
    dbot_on_command(bot, "broken", on_broken, NULL);
    dbot_on_command(bot, "silent", on_silent, NULL);
    dbot_on_command(bot, "fine", on_fine, NULL);
    rc = dbot_run(bot);
    dbot_free(bot);
    return rc < 0;
}
