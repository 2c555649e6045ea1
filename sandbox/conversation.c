/*
 * conversation.c: what the user's client holds, and one interaction's
 * round trip.
 *
 * The conversation (sb->msgs) is every message the bot produced, with an
 * id, so a later click can carry the message it was on as Discord's does.
 * sb_run_interaction() pushes an interaction, waits (bounded) for the
 * callback, for the edit a defer promises, then for a short quiet time that
 * catches followups, later edits and channel messages, and prints it all.
 */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>

/* The people in the sandbox's guild: the player ("you") and two others a
 * user command can target. */
static const struct sb_person {
    const char *id, *username, *global_name;
} people[] = {
    { SB_USER_ID, SB_USER_NAME, "You" },
    { "1200000000000000004", "alice", "Alice" },
    { "1200000000000000005", "bob", "Bob" },
};

static const struct sb_person *
find_person(const char *username)
{
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        if (!strcmp(people[i].username, username))
            return &people[i];
    return NULL;
}

static cJSON *
person_object(const struct sb_person *p)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddStringToObject(u, "id", p->id);
    cJSON_AddStringToObject(u, "username", p->username);
    cJSON_AddStringToObject(u, "global_name", p->global_name);
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddNullToObject(u, "avatar");
    return u;
}

cJSON *
sb_user_object(void)
{
    return person_object(&people[0]);
}

cJSON *
sb_named_user_object(const char *username)
{
    const struct sb_person *p = find_person(username);

    return p ? person_object(p) : NULL;
}

const char *
sb_user_names(void)
{
    return "@you, @alice, @bob";
}

/* A guild member without its user: the form `resolved.members` takes. */
cJSON *
sb_partial_member_object(void)
{
    cJSON *m = cJSON_CreateObject();

    cJSON_AddArrayToObject(m, "roles");
    cJSON_AddStringToObject(m, "permissions", "2248473465835073");
    cJSON_AddStringToObject(m, "joined_at", "2024-01-01T00:00:00.000000+00:00");
    return m;
}

cJSON *
sb_member_object(void)
{
    cJSON *m = sb_partial_member_object();

    cJSON_AddItemToObject(m, "user", sb_user_object());
    return m;
}

/* The parts every interaction from a guild text channel carries. */
cJSON *
sb_interaction_base(int type)
{
    cJSON *j = cJSON_CreateObject(), *ch;

    cJSON_AddNumberToObject(j, "type", type);
    cJSON_AddStringToObject(j, "guild_id", SB_GUILD_ID);
    cJSON_AddStringToObject(j, "channel_id", SB_CHANNEL);
    ch = cJSON_AddObjectToObject(j, "channel");
    cJSON_AddStringToObject(ch, "id", SB_CHANNEL);
    cJSON_AddNumberToObject(ch, "type", 0);
    cJSON_AddStringToObject(ch, "guild_id", SB_GUILD_ID);
    cJSON_AddStringToObject(ch, "name", "sandbox");
    cJSON_AddItemToObject(j, "member", sb_member_object());
    cJSON_AddStringToObject(j, "locale", "en-US");
    cJSON_AddStringToObject(j, "guild_locale", "en-US");
    cJSON_AddStringToObject(j, "app_permissions", "2248473465835073");
    cJSON_AddNumberToObject(j, "context", 0);
    cJSON_AddArrayToObject(j, "entitlements");
    return j;
}

/* Replace what an edit body sets in a stored message. */
static void
apply_edit(cJSON *msg, const cJSON *body)
{
    static const char *keys[] = { "content", "embeds", "components", "flags",
                                  "attachments" };

    for (size_t i = 0; body && i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, keys[i]);
        if (!v)
            continue;
        if (!strcmp(keys[i], "flags")) {
            /* An edit may set flags such as IS_COMPONENTS_V2, but a
             * message is ephemeral (64) or not from its creation on. */
            int kept = sb_num(msg, "flags", 0) & 64;

            cJSON_ReplaceItemInObjectCaseSensitive(
                msg, "flags",
                cJSON_CreateNumber((sb_num(body, "flags", 0) & ~64) | kept));
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(msg, keys[i]);
        cJSON_AddItemToObject(msg, keys[i], cJSON_Duplicate(v, 1));
    }
}

/* A message the user wrote in the sandbox's channel, with every field
 * Discord sends (the fake's builder, then the user as author). */
cJSON *
sb_user_message_object(const char *id, const char *content)
{
    cJSON *body = cJSON_CreateObject(), *m;

    cJSON_AddStringToObject(body, "content", content);
    m = fakecord_message_object(id, SB_CHANNEL, body, 0);
    cJSON_Delete(body);
    cJSON_ReplaceItemInObjectCaseSensitive(m, "author", sb_user_object());
    return m;
}

/* A new bot message in the conversation; returns its index. */
static int
add_message(struct sb *sb, const cJSON *body, const char *id_or_null)
{
    cJSON *m;
    char id[32];

    if (id_or_null)
        snprintf(id, sizeof id, "%s", id_or_null);
    else
        sb_id_str(sb, id, sizeof id);
    m = fakecord_message_object(id, SB_CHANNEL, body, !id_or_null);
    cJSON_AddItemToArray(sb->msgs, m);
    return cJSON_GetArraySize(sb->msgs) - 1;
}

static void
show(FILE *o, const cJSON *msg)
{
    sb_render_message(o, msg, "    ");
}

static const char *
eph(const cJSON *msg)
{
    return (sb_num(msg, "flags", 0) & 64) ? " (only you can see this)" : "";
}

/* ---- channel messages ---------------------------------------------------- */

/* Show messages the bot posted with POST /channels/{id}/messages since the
 * last look, and hand each back to the bot as MESSAGE_CREATE, as Discord
 * does (a bot sees its own messages: it must ignore them). Returns how many
 * were new. */
int
sb_channel_messages(struct sb *sb, FILE *o)
{
    cJSON *all = fakecord_messages(sb->fc);
    int n = cJSON_GetArraySize(all), fresh = 0;

    for (int i = sb->seen_channel_msgs; i < n; i++) {
        cJSON *m = cJSON_GetArrayItem(all, i), *d;
        char *text;
        int idx;

        idx = add_message(sb, m, sb_str(m, "id"));
        fprintf(o, "bot: message in #sandbox\n");
        show(o, cJSON_GetArrayItem(sb->msgs, idx));
        d = cJSON_Duplicate(m, 1);
        cJSON_AddStringToObject(d, "guild_id", SB_GUILD_ID);
        text = cJSON_PrintUnformatted(d);
        if (text)
            fakecord_push_event(sb->fc, "MESSAGE_CREATE", text);
        free(text);
        cJSON_Delete(d);
        fresh++;
    }
    sb->seen_channel_msgs = n;
    cJSON_Delete(all);
    return fresh;
}

void
sb_poll_unsolicited(struct sb *sb)
{
    if (sb_channel_messages(sb, stdout))
        fflush(stdout);
}
/* ---- interactions -------------------------------------------------------- */

struct ixwait {
    struct sb *sb;
    uint64_t id;
    struct fakecord_ix_log l;
};

static int
ix_read(struct ixwait *w)
{
    fakecord_ix_log_free(&w->l);
    memset(&w->l, 0, sizeof w->l);
    return fakecord_interaction_log(w->sb->fc, w->id, &w->l);
}

/* An autocomplete answer as the client shows it, the names offered above
 * the input: "bot: suggests cats, cars". -1 when Discord would refuse the
 * list (over 25, or a choice without name or value). */
static int
show_choices(FILE *o, const cJSON *data, double ack_ms, cJSON *step)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(data, "choices");
    const cJSON *c;
    int n = 0, bad = !cJSON_IsArray(choices);

    fprintf(o, "bot: suggests ");
    cJSON_ArrayForEach(c, choices) {
        bad |=
            !sb_str(c, "name") || !cJSON_GetObjectItemCaseSensitive(c, "value");
        fprintf(o, "%s%s", n++ ? ", " : "",
                sb_str(c, "name") ? sb_str(c, "name") : "?");
    }
    fprintf(o, "%s (ack %.0f ms)\n", n ? "" : "nothing", ack_ms);
    if (choices)
        cJSON_AddItemToObject(step, "choices", cJSON_Duplicate(choices, 1));
    return bad || n > 25 ? -1 : 0;
}

int
sb_fail(struct sb *sb, FILE *o, cJSON *step, const char *why)
{
    fprintf(o, "!! %s\n", why);
    if (step)
        cJSON_AddStringToObject(step, "error", why);
    sb->failures++;
    return -1;
}

/* Push `payload`, wait for the answer, show it. `target` is the index of
 * the message a component was on (-1 for commands). */
int
sb_run_interaction(struct sb *sb, cJSON *payload, int target, FILE *o,
                   cJSON *step)
{
    char *text = cJSON_PrintUnformatted(payload);
    uint64_t id;

    sb->interactions++;
    if (sb->member_permissions[0]) {
        cJSON *member = cJSON_GetObjectItemCaseSensitive(payload, "member");

        if (member) {
            cJSON_DeleteItemFromObjectCaseSensitive(member, "permissions");
            cJSON_AddStringToObject(member, "permissions",
                                    sb->member_permissions);
            free(text);
            text = cJSON_PrintUnformatted(payload);
        }
    }
    id = text ? fakecord_push_interaction(sb->fc, text) : 0;
    free(text);
    if (!id)
        return sb_fail(sb, o, step,
                       "the sandbox could not send the interaction");
    if (sb->background && sb->nbg < (int)(sizeof sb->bg / sizeof sb->bg[0])) {
        struct sb_bg *b = &sb->bg[sb->nbg++];
        const char *in = sb_str(step, "input");

        b->id = id;
        b->target = target;
        b->input = strdup(in ? in : "");
        fprintf(o, "bot: (running in the background: \"wait\" shows it)\n");
        return 0;
    }
    return sb_finish_interaction(sb, id, target, o, step);
}

static void
remember_played(struct sb *sb, uint64_t id, int orig, int edits)
{
    if (sb->nplayed == sb->capplayed) {
        int cap = sb->capplayed ? sb->capplayed * 2 : 16;
        struct sb_played *p = realloc(sb->played, (size_t)cap * sizeof *p);

        if (!p)
            return; /* its later edits will not be shown */
        sb->played = p;
        sb->capplayed = cap;
    }
    sb->played[sb->nplayed++] = (struct sb_played){ id, orig, edits };
}

int
sb_poll_edits(struct sb *sb, FILE *o)
{
    int shown = 0;

    for (int i = 0; i < sb->nplayed; i++) {
        struct sb_played *p = &sb->played[i];
        struct fakecord_ix_log l;
        cJSON *m;

        if (p->orig < 0 || fakecord_interaction_log(sb->fc, p->id, &l) < 0)
            continue;
        if (l.edits > p->edits) {
            m = cJSON_GetArrayItem(sb->msgs, p->orig);
            apply_edit(m, l.last_edit);
            fprintf(o, "bot: edited an earlier answer%s\n", eph(m));
            show(o, m);
            p->edits = l.edits;
            shown++;
        }
        fakecord_ix_log_free(&l);
    }
    return shown;
}

/* The kind of the framework fallback the bot noted for interaction id,
 * or 0 when none. */
static int
fallback_of(struct sb *sb, uint64_t id, char *kind, size_t len)
{
    FILE *f = sb->fallback_log ? fopen(sb->fallback_log, "r") : NULL;
    unsigned long long got;
    char k[32];
    int found = 0;

    if (!f)
        return 0;
    while (!found && fscanf(f, "%llu %31s", &got, k) == 2)
        if (got == id) {
            snprintf(kind, len, "%s", k);
            found = 1;
        }
    fclose(f);
    return found;
}

int
sb_finish_interaction(struct sb *sb, uint64_t id, int target, FILE *o,
                      cJSON *step)
{
    struct ixwait w = { sb, id, { 0 } };
    const cJSON *data;
    char kind[32];
    int64_t dl;
    int orig = -1, type, seen_edits = 0, seen_f = 0, rc = 0;

    /* Discord's rule: an answer within 3 s; the fake logs a late one. */
    dl = sb_now_ms() + (int64_t)SB_ACK_LIMIT_MS + 1000;
    while (ix_read(&w) == 0 && w.l.callbacks < 1 && sb_now_ms() < dl &&
           sb_bot_alive(sb))
        sb_nap();
    if (w.l.callbacks < 1) {
        fakecord_ix_log_free(&w.l);
        return sb_fail(sb, o, step, "the bot did not answer within 3 s");
    }
    type = w.l.callback_type;
    cJSON_AddNumberToObject(step, "ack_ms", w.l.callback_ms);
    cJSON_AddNumberToObject(step, "callback_type", type);
    data = cJSON_GetObjectItemCaseSensitive(w.l.callback_body, "data");
    if (w.l.callback_status < 200 || w.l.callback_status > 299) {
        char why[96];
        snprintf(why, sizeof why, "Discord refused the answer (HTTP %d)",
                 w.l.callback_status);
        fakecord_ix_log_free(&w.l);
        return sb_fail(sb, o, step, why);
    }
    switch (type) {
    case 4:
        orig = add_message(sb, data, NULL);
        fprintf(o, "bot: replied%s (ack %.0f ms)\n",
                eph(cJSON_GetArrayItem(sb->msgs, orig)), w.l.callback_ms);
        show(o, cJSON_GetArrayItem(sb->msgs, orig));
        break;
    case 5:
        orig = add_message(sb, data, NULL);
        fprintf(o, "bot: thinking...%s (ack %.0f ms)\n",
                eph(cJSON_GetArrayItem(sb->msgs, orig)), w.l.callback_ms);
        break;
    case 6:
        orig = target;
        fprintf(o, "bot: acknowledged, update to follow (ack %.0f ms)\n",
                w.l.callback_ms);
        break;
    case 7:
        orig = target;
        fprintf(o, "bot: updated the message (ack %.0f ms)\n", w.l.callback_ms);
        if (orig >= 0) {
            apply_edit(cJSON_GetArrayItem(sb->msgs, orig), data);
            show(o, cJSON_GetArrayItem(sb->msgs, orig));
        }
        break;
    case 8:
        if (show_choices(o, data, w.l.callback_ms, step) < 0)
            rc = sb_fail(sb, o, step,
                         "Discord takes at most 25 choices, each with a "
                         "name and a value");
        break;
    case 9: {
        const cJSON *c;
        cJSON_Delete(sb->modal);
        sb->modal = data ? cJSON_Duplicate(data, 1) : NULL;
        fprintf(o, "bot: opened a form \"%s\" (ack %.0f ms)\n",
                sb_str(data, "title") ? sb_str(data, "title") : "",
                w.l.callback_ms);
        cJSON_ArrayForEach(
            c, cJSON_GetObjectItemCaseSensitive(data, "components")) {
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "component");
            const char *label = sb_str(c, "label");
            if (!in) /* legacy layout: an action row around the input */
                in = cJSON_GetArrayItem(
                    cJSON_GetObjectItemCaseSensitive(c, "components"), 0);
            if (!label)
                label = sb_str(in, "label");
            fprintf(o, "    %s: [%s]   (submit %s:...)\n", label ? label : "",
                    sb_str(in, "placeholder") ? sb_str(in, "placeholder") : "",
                    sb_str(in, "custom_id") ? sb_str(in, "custom_id") : "?");
        }
        break;
    }
    default:
        fprintf(o, "bot: answered with type %d (ack %.0f ms)\n", type,
                w.l.callback_ms);
    }

    /* A defer promises an edit: wait for it (bounded). */
    if (type == 5 || type == 6) {
        dl = sb_now_ms() + sb->step_timeout_ms;
        while (ix_read(&w) == 0 && w.l.edits < 1 && sb_now_ms() < dl &&
               sb_bot_alive(sb))
            sb_nap();
        if (w.l.edits < 1)
            rc = sb_fail(sb, o, step,
                         "deferred, but the bot never completed "
                         "the answer");
    }

    /* Then quiet time: later edits, followups, channel messages. */
    dl = sb_now_ms() + sb->settle_ms;
    for (int64_t hard = sb_now_ms() + sb->step_timeout_ms;
         sb_now_ms() < dl && sb_now_ms() < hard;) {
        int activity = 0;

        if (ix_read(&w) < 0)
            break;
        if (w.l.edits > seen_edits && orig >= 0) {
            cJSON *m = cJSON_GetArrayItem(sb->msgs, orig);
            apply_edit(m, w.l.last_edit);
            fprintf(o, "bot: edited%s\n", eph(m));
            show(o, m);
            seen_edits = w.l.edits;
            activity = 1;
        }
        for (; seen_f < w.l.followups; seen_f++) {
            int idx = add_message(
                sb, cJSON_GetArrayItem(w.l.followup_bodies, seen_f), NULL);
            fprintf(o, "bot: followup%s\n",
                    eph(cJSON_GetArrayItem(sb->msgs, idx)));
            show(o, cJSON_GetArrayItem(sb->msgs, idx));
            activity = 1;
        }
        activity |= sb_channel_messages(sb, o) > 0;
        if (activity)
            dl = sb_now_ms() + sb->settle_ms;
        sb_nap();
    }
    cJSON_AddNumberToObject(step, "edits", w.l.edits);
    cJSON_AddNumberToObject(step, "followups", w.l.followups);
    if (orig >= 0)
        cJSON_AddItemToObject(
            step, "message",
            cJSON_Duplicate(cJSON_GetArrayItem(sb->msgs, orig), 1));
    if (w.l.callback_ms > SB_ACK_LIMIT_MS)
        rc = sb_fail(sb, o, step,
                     "acknowledged after 3 s: Discord would have "
                     "shown \"This interaction failed\"");
    sb->last_ack_ms = w.l.callback_ms;
    remember_played(sb, w.id, orig, w.l.edits);
    if (fallback_of(sb, w.id, kind, sizeof kind)) {
        fprintf(o, "bot: (that answer was dbot's fallback: %s)\n", kind);
        cJSON_AddStringToObject(step, "fallback", kind);
        if (!sb->pending_fallback[0])
            snprintf(sb->pending_fallback, sizeof sb->pending_fallback, "%s",
                     kind);
    }
    fakecord_ix_log_free(&w.l);
    return rc;
}
