/*
 * components.c: buttons, a select menu and a modal.
 *
 *   /poll        posts a poll: an embed with the tally, Yes/No buttons, a
 *                select to pick a lunch, and a "Comment" button
 *   vote:yes     \ one prefix route "vote:" handles both buttons; the part
 *   vote:no      / after the prefix says which (dbot_interaction_route_arg)
 *   lunch        the select: its picked value lands in the embed
 *   comment      opens a modal (a form with a text input)
 *   comment_form the modal submit: thanks the user privately
 *
 * Every click edits the poll message in place (dbot_interaction_update,
 * response type 7) instead of posting a new message. Component
 * interactions come back by custom_id, not by command name, so custom_ids
 * are the routing keys: keep them short and structured ("vote:yes").
 *
 * The tally lives in this process (one poll at a time; a real bot would
 * key it by message id and keep it in a database).
 *
 *     dbot-sandbox --bot ./build/bots/dbot-components --play /poll \
 *         --play click:vote:yes --play "select:lunch pizza" \
 *         --play click:comment --play "submit text:\"more pizza\""
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/message.h>

#include <stdio.h>
#include <string.h>

struct poll {
    int yes, no;
    char lunch[64];
};

static const dbot_command poll_cmd = {
    .name = "poll",
    .description = "Start a poll with buttons",
};
static const dbot_command *const commands[] = { &poll_cmd };

static const dbot_select_option lunches[] = {
    { .label = "Pizza", .value = "pizza", .emoji = "🍕" },
    { .label = "Sushi", .value = "sushi", .emoji = "🍣" },
    { .label = "Salad", .value = "salad", .emoji = "🥗" },
    { 0 }
};

/* The poll message, rebuilt from the tally for the first reply and for
 * every update. */
static dbot_msg *
poll_message(const struct poll *p)
{
    dbot_msg *m = dbot_msg_new();
    dbot_embed *e = dbot_msg_embed(m);
    dbot_row *buttons = dbot_msg_row(m), *select = dbot_msg_row(m);
    char yes[32], no[32];

    snprintf(yes, sizeof yes, "%d", p->yes);
    snprintf(no, sizeof no, "%d", p->no);
    dbot_embed_title(e, "Lunch poll");
    dbot_embed_description(e, "Shall we go out for lunch?");
    dbot_embed_field(e, "Yes", yes, true);
    dbot_embed_field(e, "No", no, true);
    dbot_embed_field(e, "Lunch", *p->lunch ? p->lunch : "not chosen", false);
    dbot_row_button(buttons, &(dbot_button){ .style = DBOT_BUTTON_SUCCESS,
                                             .label = "Yes",
                                             .custom_id = "vote:yes" });
    dbot_row_button(buttons, &(dbot_button){ .style = DBOT_BUTTON_DANGER,
                                             .label = "No",
                                             .custom_id = "vote:no" });
    dbot_row_button(buttons, &(dbot_button){ .style = DBOT_BUTTON_SECONDARY,
                                             .label = "Comment",
                                             .custom_id = "comment" });
    dbot_row_select(select, &(dbot_select){ .custom_id = "lunch",
                                            .placeholder = "Pick a lunch",
                                            .options = lunches });
    return m;
}

/* Send the poll as a reply (first == 1) or as an in-place update. */
static int
show(dbot_interaction *ix, const struct poll *p, int first)
{
    dbot_msg *m = poll_message(p);
    int rc;

    if (dbot_msg_error(m)) {
        /* A limit was broken: the log says which field. */
        dbot_log(DBOT_LOG_ERROR, "components", "%s", dbot_msg_error(m));
        dbot_msg_free(m);
        return DBOT_EINVAL;
    }
    rc = first ? dbot_interaction_reply_msg(ix, m)
               : dbot_interaction_update(ix, m);
    dbot_msg_free(m);
    return rc;
}

static int
on_poll(dbot_interaction *ix, void *data)
{
    struct poll *p = data;

    memset(p, 0, sizeof *p);
    return show(ix, p, 1);
}

/* "vote:" is a prefix route: vote:yes and vote:no both land here. */
static int
on_vote(dbot_interaction *ix, void *data)
{
    struct poll *p = data;
    const char *which = dbot_interaction_route_arg(ix);

    if (!strcmp(which, "yes"))
        p->yes++;
    else if (!strcmp(which, "no"))
        p->no++;
    else
        return dbot_interaction_reply_ephemeral(ix, "Unknown vote.");
    return show(ix, p, 0);
}

static int
on_lunch(dbot_interaction *ix, void *data)
{
    struct poll *p = data;
    const cJSON *json = dbot_interaction_json(ix);
    const char *v =
        dbot_ix_values_count(json) > 0 ? dbot_ix_value(json, 0) : NULL;

    snprintf(p->lunch, sizeof p->lunch, "%s", v ? v : "");
    return show(ix, p, 0);
}

/* A modal is an answer of its own: it replaces the update. */
static int
on_comment(dbot_interaction *ix, void *data)
{
    dbot_modal *md = dbot_modal_new("comment_form", "Your comment");
    int rc;

    (void)data;
    dbot_modal_text(md,
                    &(dbot_text_input){ .custom_id = "text",
                                        .label = "Comment",
                                        .style = DBOT_TEXT_PARAGRAPH,
                                        .max_length = 500,
                                        .placeholder = "What do you think?" });
    rc = dbot_interaction_modal(ix, md);
    dbot_modal_free(md);
    return rc;
}

static int
on_comment_form(dbot_interaction *ix, void *data)
{
    const char *text = dbot_ix_modal_value(dbot_interaction_json(ix), "text");
    char reply[600];

    (void)data;
    snprintf(reply, sizeof reply, "Thanks for your comment: %s",
             text && *text ? text : "(empty)");
    return dbot_interaction_reply_ephemeral(ix, reply);
}

int
main(int argc, char **argv)
{
    struct poll p = { 0 };
    dbot *bot;
    int rc;

    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    if (dbot_commands_set(bot, commands, 1) < 0 ||
        dbot_on_command(bot, "poll", on_poll, &p) < 0 ||
        dbot_on_component(bot, "vote:", on_vote, &p) < 0 ||
        dbot_on_component(bot, "lunch", on_lunch, &p) < 0 ||
        dbot_on_component(bot, "comment", on_comment, &p) < 0 ||
        dbot_on_modal(bot, "comment_form", on_comment_form, &p) < 0) {
        dbot_free(bot);
        return 1;
    }
    rc = dbot_run(bot);
    dbot_free(bot);
    if (rc < 0)
        fprintf(stderr, "dbot-components: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
