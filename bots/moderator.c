/*
 * moderator.c: moderation from a right-click, with the typed REST calls
 * (dbot/rest_calls.h), permissions from constants and localized names.
 *
 *   right-click a user > Apps > "Timeout 10 min"   timeout, with a reason
 *   right-click a user > Apps > "Kick"             kick, with a reason
 *   right-click a user > Apps > "Make member"      give the role "member"
 *
 * Discord shows the commands only to members holding the permission in
 * .default_member_perms (moderators), and the bot itself needs it too:
 * when it lacks it (or the target's top role is above the bot's), Discord
 * answers 403 50013 and the moderator is told so. Every call carries an
 * audit-log reason naming who asked, so the server's audit log says why.
 *
 * Each handler defers (the moderator sees "thinking..."), starts the REST
 * call, and keeps a reference on the interaction until the call's
 * callback edits the answer in.
 *
 *     dbot-sandbox --bot ./build/bots/dbot-moderator \
 *         --play 'user "Timeout 10 min" @alice' --play 'user "Kick" @bob'
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/permissions.h>
#include <dbot/rest_calls.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLE_NAME "member" /* what "Make member" gives */

static const dbot_localized timeout_names[] = {
    { "de", "10 Min. stummschalten" },
    { "fr", "Exclure 10 min" },
    { 0 },
};
static const dbot_localized kick_names[] = {
    { "de", "Rauswerfen" },
    { "fr", "Expulser" },
    { 0 },
};

static const dbot_command timeout_cmd = {
    .type = DBOT_CMD_USER,
    .name = "Timeout 10 min",
    .default_member_perms = DBOT_PERM_MODERATE_MEMBERS,
    .contexts = DBOT_CTX_GUILD,
    .name_localizations = timeout_names,
};
static const dbot_command kick_cmd = {
    .type = DBOT_CMD_USER,
    .name = "Kick",
    .default_member_perms = DBOT_PERM_KICK_MEMBERS,
    .contexts = DBOT_CTX_GUILD,
    .name_localizations = kick_names,
};
static const dbot_command member_cmd = {
    .type = DBOT_CMD_USER,
    .name = "Make member",
    .default_member_perms = DBOT_PERM_MANAGE_ROLES,
    .contexts = DBOT_CTX_GUILD,
};
static const dbot_command *const commands[] = { &timeout_cmd, &kick_cmd,
                                                &member_cmd };

/* One moderation in flight: the interaction to answer and what to say. */
struct action {
    dbot_interaction *ix;
    uint64_t guild, user;
    char what[32];   /* "time out", "kick", "give member to" */
    char target[64]; /* the target's name */
    char reason[128];
};

static void
finish(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct action *a = data;
    char text[256];

    (void)bot;
    if (res->err)
        snprintf(text, sizeof text, "Could not %s %s: %s", a->what, a->target,
                 res->discord_code == 50013
                     ? "I lack the permission, or their role is above mine."
                 : res->message ? res->message
                                : dbot_strerror(res->err));
    else
        snprintf(text, sizeof text, "Done: %s %s.", a->what, a->target);
    dbot_interaction_original_edit(a->ix, text);
    dbot_interaction_unref(a->ix);
    free(a);
}

/* Defer, and describe the action on the target of this user command.
 * NULL (after answering) when there is nothing to act on. */
static struct action *
start(dbot_interaction *ix, const char *what)
{
    const cJSON *json = dbot_interaction_json(ix), *user, *name;
    struct action *a;

    if (!dbot_ix_guild_id(json) || !dbot_ix_target_id(json)) {
        dbot_interaction_reply_ephemeral(ix, "This works in a server only.");
        return NULL;
    }
    a = calloc(1, sizeof *a);
    if (!a || dbot_interaction_defer(ix, 1) < 0) {
        free(a);
        return NULL;
    }
    a->ix = dbot_interaction_ref(ix);
    a->guild = dbot_ix_guild_id(json);
    a->user = dbot_ix_target_id(json);
    user = dbot_ix_target(json, NULL);
    name = cJSON_GetObjectItemCaseSensitive(user, "username");
    snprintf(a->what, sizeof a->what, "%s", what);
    snprintf(a->target, sizeof a->target, "%s",
             cJSON_IsString(name) ? name->valuestring : "them");
    name = cJSON_GetObjectItemCaseSensitive(dbot_ix_user(json), "username");
    snprintf(a->reason, sizeof a->reason, "%s by %s with dbot-moderator", what,
             cJSON_IsString(name) ? name->valuestring : "a moderator");
    return a;
}

/* The call could not even be sent: say so and let go. */
static int
sent(struct action *a, int rc)
{
    dbot_rest_result res = { .err = rc, .message = dbot_strerror(rc) };

    if (rc < 0)
        finish(dbot_interaction_bot(a->ix), &res, a);
    return 0;
}

static int
on_timeout(dbot_interaction *ix, void *data)
{
    struct action *a = start(ix, "time out");

    (void)data;
    if (!a)
        return 0;
    return sent(a, dbot_member_timeout(dbot_interaction_bot(ix), a->guild,
                                       a->user, 10 * 60, a->reason, finish, a));
}

static int
on_kick(dbot_interaction *ix, void *data)
{
    struct action *a = start(ix, "kick");

    (void)data;
    if (!a)
        return 0;
    return sent(a, dbot_member_kick(dbot_interaction_bot(ix), a->guild, a->user,
                                    a->reason, finish, a));
}

/* The guild's roles came: find ROLE_NAME, then add it. */
static void
roles_listed(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct action *a = data;
    const cJSON *r;

    if (res->err) {
        finish(bot, res, a);
        return;
    }
    cJSON_ArrayForEach(r, res->json) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");

        if (cJSON_IsString(name) && !strcmp(name->valuestring, ROLE_NAME) &&
            cJSON_IsString(id)) {
            sent(a, dbot_member_role_add(bot, a->guild, a->user,
                                         strtoull(id->valuestring, NULL, 10),
                                         a->reason, finish, a));
            return;
        }
    }
    finish(bot,
           &(dbot_rest_result){ .err = DBOT_ENOENT,
                                .message = "this server has no role "
                                           "\"" ROLE_NAME "\"" },
           a);
}

static int
on_member(dbot_interaction *ix, void *data)
{
    struct action *a = start(ix, "give member to");

    (void)data;
    if (!a)
        return 0;
    return sent(
        a, dbot_role_list(dbot_interaction_bot(ix), a->guild, roles_listed, a));
}

int
main(int argc, char **argv)
{
    dbot *bot;
    int rc;

    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    if (dbot_commands_set(bot, commands, 3) < 0 ||
        dbot_on_command(bot, "Timeout 10 min", on_timeout, NULL) < 0 ||
        dbot_on_command(bot, "Kick", on_kick, NULL) < 0 ||
        dbot_on_command(bot, "Make member", on_member, NULL) < 0 ||
        dbot_interaction_set_fallback_text(
            bot, DBOT_FALLBACK_FAILED, "de",
            "Leider ist bei diesem {what} etwas schiefgegangen.") < 0) {
        dbot_free(bot);
        return 1;
    }
    rc = dbot_run(bot);
    dbot_free(bot);
    if (rc < 0)
        fprintf(stderr, "dbot-moderator: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
