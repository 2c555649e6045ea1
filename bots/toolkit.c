/*
 * toolkit.c: the handler toolkit in one bot: a view, a timer, checks and
 * a cooldown, and the error hook.
 *
 *   /poll question [seconds]   a Yes/No poll whose state lives in a view
 *                              (any number of polls at once); after
 *                              `seconds` without a vote its buttons are
 *                              disabled and the result shown
 *   /remind seconds text       a timer: the reminder is posted in the
 *                              channel when it fires
 *   /warn user reason          moderation-ish: only in a server, only for
 *                              members who may time others out, once per
 *                              10 s per moderator (the refusals are dbot's)
 *
 * Every handler error and every answer dbot gives in a handler's place
 * goes through one hook (on_error), which logs it; a real bot might count
 * it or report it to a channel.
 *
 *     dbot-sandbox --bot ./build/bots/dbot-toolkit \
 *         --script bots/scripts/toolkit.txt
 */
#include <dbot/checks.h>
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>
#include <dbot/permissions.h>
#include <dbot/rest.h>
#include <dbot/timer.h>
#include <dbot/view.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- commands ----------------------------------------------------------- */

static const dbot_option poll_opts[] = {
    { .type = DBOT_OPT_STRING,
      .name = "question",
      .required = true,
      .description = "What to ask",
      .min_length = 1,
      .max_length = 200 },
    { .type = DBOT_OPT_INTEGER,
      .name = "seconds",
      .description = "Close after this long without a vote (default 60)",
      .has_min = true,
      .min_value = 1,
      .has_max = true,
      .max_value = 600 },
    { 0 }
};
static const dbot_option remind_opts[] = {
    { .type = DBOT_OPT_INTEGER,
      .name = "seconds",
      .required = true,
      .description = "In how many seconds",
      .has_min = true,
      .min_value = 1,
      .has_max = true,
      .max_value = 86400 },
    { .type = DBOT_OPT_STRING,
      .name = "text",
      .required = true,
      .description = "What to remind you of",
      .min_length = 1,
      .max_length = 500 },
    { 0 }
};
static const dbot_option warn_opts[] = { { .type = DBOT_OPT_USER,
                                           .name = "user",
                                           .required = true,
                                           .description = "Who to warn" },
                                         { .type = DBOT_OPT_STRING,
                                           .name = "reason",
                                           .required = true,
                                           .description = "Why",
                                           .max_length = 300 },
                                         { 0 } };
static const dbot_command poll_cmd = { .name = "poll",
                                       .description = "Ask a yes/no question",
                                       .options = poll_opts };
static const dbot_command remind_cmd = { .name = "remind",
                                         .description = "Remind me later",
                                         .options = remind_opts };
static const dbot_command warn_cmd = { .name = "warn",
                                       .description = "Warn a member",
                                       .options = warn_opts };
static const dbot_command *const commands[] = { &poll_cmd, &remind_cmd,
                                                &warn_cmd };

/* ---- /poll: a view ------------------------------------------------------ */

struct poll {
    char question[256];
    int yes, no;
    char id_yes[DBOT_CUSTOM_ID_LEN], id_no[DBOT_CUSTOM_ID_LEN];
};

static cJSON *
poll_message(const struct poll *p, int closed)
{
    dbot_msg *m = dbot_msg_new();
    dbot_row *r = dbot_msg_row(m);
    cJSON *json;

    dbot_msg_contentf(m, "**%s**\nYes: %d, No: %d%s", p->question, p->yes,
                      p->no, closed ? "\nThe poll is closed." : "");
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_SUCCESS,
                                       .label = "Yes",
                                       .custom_id = p->id_yes,
                                       .disabled = closed });
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_DANGER,
                                       .label = "No",
                                       .custom_id = p->id_no,
                                       .disabled = closed });
    json = dbot_msg_json(m); /* NULL if a limit was broken */
    dbot_msg_free(m);
    return json;
}

/* A vote: this poll's state only, whatever other polls are open. */
static int
poll_vote(dbot_view *v, dbot_interaction *ix, const char *name, void *state)
{
    struct poll *p = state;
    cJSON *m;
    int rc;

    (void)v;
    if (strcmp(name, "yes") == 0)
        p->yes++;
    else
        p->no++;
    m = poll_message(p, 0);
    rc = m ? dbot_interaction_update_json(ix, m) : DBOT_ENOMEM;
    cJSON_Delete(m);
    return rc;
}

/* The view is over: show the result with the buttons disabled. */
static void
poll_end(dbot_view *v, int reason, void *state)
{
    struct poll *p = state;

    if (reason != DBOT_VIEW_DELETED) {
        cJSON *m = poll_message(p, 1);

        if (m)
            dbot_view_edit_json(v, m);
        cJSON_Delete(m);
    }
    free(p);
}

static int
on_poll(dbot_interaction *ix, void *data)
{
    const dbot_options *o = dbot_interaction_options(ix);
    struct poll *p = calloc(1, sizeof *p);
    dbot_view_opts vo = { .on_click = poll_vote, .on_end = poll_end };
    dbot_view *v;
    cJSON *m;
    int rc;

    (void)data;
    if (!p)
        return DBOT_ENOMEM;
    snprintf(p->question, sizeof p->question, "%s",
             dbot_option_str(o, "question", "?"));
    vo.state = p;
    vo.timeout_ms = dbot_option_int(o, "seconds", 60) * 1000;
    rc = dbot_view_new(dbot_interaction_bot(ix), &vo, &v);
    if (rc < 0) {
        free(p);
        return rc; /* the user is told it went wrong */
    }
    dbot_view_custom_id(v, "yes", p->id_yes, sizeof p->id_yes);
    dbot_view_custom_id(v, "no", p->id_no, sizeof p->id_no);
    m = poll_message(p, 0);
    rc = m ? dbot_interaction_reply_json(ix, m) : DBOT_ENOMEM;
    cJSON_Delete(m);
    if (rc < 0) {
        dbot_view_stop(v); /* frees p through poll_end */
        return rc;
    }
    return dbot_view_bind(v, ix); /* edits go through this answer */
}

/* ---- /remind: a timer --------------------------------------------------- */

struct reminder {
    uint64_t channel, user;
    char text[512];
};

static void
remind_fire(dbot *bot, dbot_timer_id id, int status, void *data)
{
    struct reminder *r = data;
    char msg[600];

    (void)id;
    if (status == 0) { /* fired; DBOT_ECANCELED: the bot is going away */
        snprintf(msg, sizeof msg, "<@%" PRIu64 "> reminder: %s", r->user,
                 r->text);
        dbot_message_send(bot, r->channel, msg, NULL, NULL);
    }
    free(r);
}

static int
on_remind(dbot_interaction *ix, void *data)
{
    const dbot_options *o = dbot_interaction_options(ix);
    const cJSON *json = dbot_interaction_json(ix);
    struct reminder *r = calloc(1, sizeof *r);
    int64_t s = dbot_option_int(o, "seconds", 60);
    char reply[96];
    int rc;

    (void)data;
    if (!r)
        return DBOT_ENOMEM;
    r->channel = dbot_ix_channel_id(json);
    r->user = dbot_ix_user_id(json);
    snprintf(r->text, sizeof r->text, "%s", dbot_option_str(o, "text", ""));
    rc = dbot_timer_start(dbot_interaction_bot(ix), s * 1000, 0, remind_fire, r,
                          NULL);
    if (rc < 0) {
        free(r);
        return rc;
    }
    snprintf(reply, sizeof reply, "I will remind you in %lld s.", (long long)s);
    return dbot_interaction_reply_ephemeral(ix, reply);
}

/* ---- /warn: checks and a cooldown --------------------------------------- */

static const dbot_checks warn_checks = {
    .guild_only = true,
    .member_permissions = DBOT_PERM_MODERATE_MEMBERS,
    .cooldown = { .scope = DBOT_COOLDOWN_USER, .uses = 1, .per_ms = 10000 },
};

static int
on_warn(dbot_interaction *ix, void *data)
{
    const dbot_options *o = dbot_interaction_options(ix);
    dbot_ref who;
    char text[400];

    (void)data;
    if (dbot_option_user(o, "user", &who) != 1)
        return dbot_interaction_reply_ephemeral(ix, "Pick a member to warn.");
    snprintf(text, sizeof text, "<@%" PRIu64 "> has been warned: %s", who.id,
             dbot_option_str(o, "reason", ""));
    return dbot_interaction_reply(ix, text);
}

/* ---- one hook for every error ------------------------------------------- */

static void
on_error(dbot *bot, const dbot_error_info *e, void *data)
{
    (void)bot;
    (void)data;
    dbot_log(DBOT_LOG_INFO, "toolkit", "%s on %s (handler %s): %s",
             dbot_error_kind_name(e->kind), e->route ? e->route : "?",
             e->handler ? e->handler : "none",
             e->user_text ? e->user_text : "(no answer shown)");
}

int
main(int argc, char **argv)
{
    dbot *bot;
    int rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);

    if (rc < 0) {
        fprintf(stderr, "toolkit: %s\n", dbot_strerror(rc));
        return 1;
    }
    dbot_commands_set(bot, commands, sizeof commands / sizeof commands[0]);
    dbot_on_command(bot, "poll", on_poll, NULL);
    dbot_on_command(bot, "remind", on_remind, NULL);
    dbot_on_command_checked(bot, "warn", on_warn, NULL, &warn_checks);
    dbot_on_error(bot, on_error, NULL);
    rc = dbot_run(bot);
    dbot_free(bot);
    return rc < 0;
}
