/*
 * play.c: one line of a script, played as a Discord user would.
 *
 *   /name [sub [sub]] opt:value ...   a slash command; options are typed
 *                                     from the commands the bot registered
 *                                     (fakecord_commands), as the client does
 *   click:ID | click ID               press the button ID on the newest
 *                                     message that has it
 *   select:ID v1,v2 | select ID v1 v2 pick values in the select ID
 *   submit field:value ...            submit the last modal opened
 *   say TEXT                          post a plain message in the channel
 *   expect TEXT                       fail unless the previous step's
 *                                     output contains TEXT
 *   quit                              stop here
 * Values may be quoted ("two words"); ${API_URL} is replaced by the fake's
 * API URL (its /sandbox/slow page answers after 1.5 s).
 *
 * Each interaction is pushed with fakecord_push_interaction(), then the
 * step waits (bounded) for the callback, for the edit a defer promises, and
 * then for a short quiet time that catches followups and later edits.
 */
#include "sandbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define COMMANDS_WAIT_MS 5000 /* for a bot that registers nothing */

/* ---- small helpers ------------------------------------------------------- */

static const char *
str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
num(const cJSON *o, const char *key, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valueint : def;
}

static void
id_str(struct sb *sb, char *buf, size_t n)
{
    snprintf(buf, n, "%llu", (unsigned long long)++sb->next_id);
}

/* Split on blanks; "..." groups (with \" and \\ escapes) anywhere. */
static cJSON *
tokenize(const char *s)
{
    cJSON *arr = cJSON_CreateArray();
    size_t cap = strlen(s) + 1;
    char *tok = malloc(cap);

    if (!arr || !tok) {
        cJSON_Delete(arr);
        free(tok);
        return NULL;
    }
    while (*s) {
        size_t n = 0;
        int quoted = 0, any = 0;

        while (isspace((unsigned char)*s))
            s++;
        while (*s && (quoted || !isspace((unsigned char)*s))) {
            any = 1;
            if (*s == '"') {
                quoted = !quoted;
                s++;
            } else if (quoted && *s == '\\' && s[1]) {
                tok[n++] = s[1];
                s += 2;
            } else {
                tok[n++] = *s++;
            }
        }
        if (any) {
            tok[n] = '\0';
            cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
        }
    }
    free(tok);
    return arr;
}

static char *
expand(struct sb *sb, const char *line)
{
    const char *api = fakecord_api_url(sb->fc), *p;
    size_t cap = strlen(line) * 2 + 256, n = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    for (p = line; *p;) {
        if (!strncmp(p, "${API_URL}", 10)) {
            size_t l = strlen(api);
            if (n + l + 1 >= cap) {
                cap = cap * 2 + l;
                char *o2 = realloc(out, cap);
                if (!o2) {
                    free(out);
                    return NULL;
                }
                out = o2;
            }
            memcpy(out + n, api, l);
            n += l;
            p += 10;
        } else {
            if (n + 2 >= cap) {
                cap *= 2;
                char *o2 = realloc(out, cap);
                if (!o2) {
                    free(out);
                    return NULL;
                }
                out = o2;
            }
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

static cJSON *
user_object(void)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddStringToObject(u, "id", SB_USER_ID);
    cJSON_AddStringToObject(u, "username", SB_USER_NAME);
    cJSON_AddStringToObject(u, "global_name", "You");
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddNullToObject(u, "avatar");
    return u;
}

static cJSON *
member_object(void)
{
    cJSON *m = cJSON_CreateObject();

    cJSON_AddItemToObject(m, "user", user_object());
    cJSON_AddArrayToObject(m, "roles");
    cJSON_AddStringToObject(m, "permissions", "2248473465835073");
    cJSON_AddStringToObject(m, "joined_at", "2024-01-01T00:00:00.000000+00:00");
    return m;
}

/* The parts every interaction from a guild text channel carries. */
static cJSON *
interaction_base(int type)
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
    cJSON_AddItemToObject(j, "member", member_object());
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
        if (!strcmp(keys[i], "flags") &&
            cJSON_GetObjectItemCaseSensitive(msg, "flags"))
            continue; /* an edit cannot make a message ephemeral */
        cJSON_DeleteItemFromObjectCaseSensitive(msg, keys[i]);
        cJSON_AddItemToObject(msg, keys[i], cJSON_Duplicate(v, 1));
    }
}

/* A new bot message in the conversation; returns its index. */
static int
add_message(struct sb *sb, const cJSON *body, const char *id_or_null)
{
    cJSON *m = cJSON_CreateObject(), *author;
    char id[32];

    if (id_or_null)
        snprintf(id, sizeof id, "%s", id_or_null);
    else
        id_str(sb, id, sizeof id);
    cJSON_AddStringToObject(m, "id", id);
    cJSON_AddStringToObject(m, "channel_id", SB_CHANNEL);
    author = cJSON_AddObjectToObject(m, "author");
    cJSON_AddStringToObject(author, "id", FAKECORD_APP_ID);
    cJSON_AddStringToObject(author, "username", FAKECORD_BOT_USERNAME);
    cJSON_AddBoolToObject(author, "bot", 1);
    cJSON_AddStringToObject(m, "content", "");
    cJSON_AddArrayToObject(m, "embeds");
    cJSON_AddArrayToObject(m, "components");
    cJSON_AddNumberToObject(m, "type", 0);
    if (body) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(body, "flags");
        cJSON_AddNumberToObject(m, "flags", cJSON_IsNumber(f) ? f->valueint
                                                               : 0);
    }
    apply_edit(m, body);
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
    return (num(msg, "flags", 0) & 64) ? " (only you can see this)" : "";
}

/* ---- channel messages ---------------------------------------------------- */

/* Show messages the bot posted with POST /channels/{id}/messages since the
 * last look, and hand each back to the bot as MESSAGE_CREATE, as Discord
 * does (a bot sees its own messages: it must ignore them). Returns how many
 * were new. */
static int
channel_messages(struct sb *sb, FILE *o)
{
    cJSON *all = fakecord_messages(sb->fc);
    int n = cJSON_GetArraySize(all), fresh = 0;

    for (int i = sb->seen_channel_msgs; i < n; i++) {
        cJSON *m = cJSON_GetArrayItem(all, i), *d;
        char *text;
        int idx;

        idx = add_message(sb, m, str(m, "id"));
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
    if (channel_messages(sb, stdout))
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

static int
fail(struct sb *sb, FILE *o, cJSON *step, const char *why)
{
    fprintf(o, "!! %s\n", why);
    if (step)
        cJSON_AddStringToObject(step, "error", why);
    sb->failures++;
    return -1;
}

/* Push `payload`, wait for the answer, show it. `target` is the index of
 * the message a component was on (-1 for commands). */
static int
run_interaction(struct sb *sb, cJSON *payload, int target, FILE *o,
                cJSON *step)
{
    struct ixwait w = { sb, 0, { 0 } };
    char *text = cJSON_PrintUnformatted(payload);
    const cJSON *data;
    int64_t dl;
    int orig = -1, type, seen_edits = 0, seen_f = 0, rc = 0;

    sb->interactions++;
    w.id = text ? fakecord_push_interaction(sb->fc, text) : 0;
    free(text);
    if (!w.id)
        return fail(sb, o, step, "the sandbox could not send the interaction");

    /* Discord's rule: an answer within 3 s; the fake logs a late one. */
    dl = sb_now_ms() + (int64_t)SB_ACK_LIMIT_MS + 1000;
    while (ix_read(&w) == 0 && w.l.callbacks < 1 && sb_now_ms() < dl &&
           sb_bot_alive(sb))
        sb_nap();
    if (w.l.callbacks < 1) {
        fakecord_ix_log_free(&w.l);
        return fail(sb, o, step, "the bot did not answer within 3 s");
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
        return fail(sb, o, step, why);
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
        fprintf(o, "bot: updated the message (ack %.0f ms)\n",
                w.l.callback_ms);
        if (orig >= 0) {
            apply_edit(cJSON_GetArrayItem(sb->msgs, orig), data);
            show(o, cJSON_GetArrayItem(sb->msgs, orig));
        }
        break;
    case 8:
        fprintf(o, "bot: suggestions (ack %.0f ms)\n", w.l.callback_ms);
        break;
    case 9: {
        const cJSON *c;
        cJSON_Delete(sb->modal);
        sb->modal = data ? cJSON_Duplicate(data, 1) : NULL;
        fprintf(o, "bot: opened a form \"%s\" (ack %.0f ms)\n",
                str(data, "title") ? str(data, "title") : "",
                w.l.callback_ms);
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(data,
                                                               "components")) {
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "component");
            const char *label = str(c, "label");
            if (!in) /* legacy layout: an action row around the input */
                in = cJSON_GetArrayItem(
                    cJSON_GetObjectItemCaseSensitive(c, "components"), 0);
            if (!label)
                label = str(in, "label");
            fprintf(o, "    %s: [%s]   (submit %s:...)\n",
                    label ? label : "", str(in, "placeholder")
                                            ? str(in, "placeholder")
                                            : "",
                    str(in, "custom_id") ? str(in, "custom_id") : "?");
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
            rc = fail(sb, o, step, "deferred, but the bot never completed "
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
        activity |= channel_messages(sb, o) > 0;
        if (activity)
            dl = sb_now_ms() + sb->settle_ms;
        sb_nap();
    }
    cJSON_AddNumberToObject(step, "edits", w.l.edits);
    cJSON_AddNumberToObject(step, "followups", w.l.followups);
    if (orig >= 0)
        cJSON_AddItemToObject(step, "message",
                              cJSON_Duplicate(cJSON_GetArrayItem(sb->msgs,
                                                                 orig), 1));
    if (w.l.callback_ms > SB_ACK_LIMIT_MS)
        rc = fail(sb, o, step, "acknowledged after 3 s: Discord would have "
                               "shown \"This interaction failed\"");
    fakecord_ix_log_free(&w.l);
    return rc;
}

/* ---- slash commands ------------------------------------------------------ */

/* 1 once the bot has overwritten its commands (PUT .../commands). */
static int
commands_put(struct sb *sb)
{
    struct fakecord_request *r = NULL;
    int n = fakecord_requests(sb->fc, &r), put = 0;

    for (int i = 0; i < n && !put; i++)
        put = !strcmp(r[i].method, "PUT") && strstr(r[i].path, "/commands");
    if (n >= 0)
        fakecord_requests_free(r, n);
    return put;
}

static cJSON *
find_command(struct sb *sb, const char *name)
{
    int64_t dl = sb_now_ms() + (sb->step_timeout_ms < COMMANDS_WAIT_MS
                                    ? sb->step_timeout_ms
                                    : COMMANDS_WAIT_MS);
    int last = 0;

    /* The bot registers its commands after READY: give it time, but once
     * it has registered them one more look decides. */
    for (;;) {
        if (!last && commands_put(sb))
            last = 1;
        const char *where[] = { NULL, SB_GUILD_ID };
        for (int k = 0; k < 2; k++) {
            cJSON *all = fakecord_commands(sb->fc, where[k]), *c;
            cJSON_ArrayForEach(c, all) {
                if (str(c, "name") && !strcmp(str(c, "name"), name) &&
                    num(c, "type", 1) == 1) {
                    cJSON *r = cJSON_Duplicate(c, 1);
                    cJSON_Delete(all);
                    return r;
                }
            }
            cJSON_Delete(all);
        }
        if (last == 2 || sb_now_ms() > dl || !sb_bot_alive(sb))
            return NULL;
        last += last; /* 1 -> 2: one more pass after the PUT */
        sb_nap();
    }
}

/* One option value typed as the command declares it. */
static cJSON *
typed_value(const cJSON *def, const char *v, char *why, size_t wl)
{
    int t = num(def, "type", 3);
    char *end;

    switch (t) {
    case 4: {
        long long x = strtoll(v, &end, 10);
        if (!*v || *end) {
            snprintf(why, wl, "option %s: \"%s\" is not an integer",
                     str(def, "name"), v);
            return NULL;
        }
        return cJSON_CreateNumber((double)x);
    }
    case 10: {
        double x = strtod(v, &end);
        if (!*v || *end) {
            snprintf(why, wl, "option %s: \"%s\" is not a number",
                     str(def, "name"), v);
            return NULL;
        }
        return cJSON_CreateNumber(x);
    }
    case 5:
        if (strcmp(v, "true") && strcmp(v, "false")) {
            snprintf(why, wl, "option %s: give true or false",
                     str(def, "name"));
            return NULL;
        }
        return cJSON_CreateBool(!strcmp(v, "true"));
    default: /* strings, and ids for users, channels, roles */
        return cJSON_CreateString(v);
    }
}

/* Options at one level: subcommand names descend, name:value pairs fill
 * the level. Returns the options array or NULL with `why`. */
static cJSON *
build_options(const cJSON *defs, const cJSON *toks, int i, char *why,
              size_t wl)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *d;

    for (; i < cJSON_GetArraySize(toks); i++) {
        const char *t = cJSON_GetArrayItem(toks, i)->valuestring;
        const char *colon = strchr(t, ':');
        const cJSON *def = NULL;
        cJSON *o, *v;

        if (!colon) { /* a subcommand or group */
            cJSON_ArrayForEach(d, defs)
                if (str(d, "name") && !strcmp(str(d, "name"), t) &&
                    num(d, "type", 3) <= 2)
                    def = d;
            if (!def) {
                snprintf(why, wl, "no subcommand \"%s\"", t);
                goto bad;
            }
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", t);
            cJSON_AddNumberToObject(o, "type", num(def, "type", 1));
            v = build_options(cJSON_GetObjectItemCaseSensitive(def, "options"),
                              toks, i + 1, why, wl);
            if (!v) {
                cJSON_Delete(o);
                goto bad;
            }
            cJSON_AddItemToObject(o, "options", v);
            cJSON_AddItemToArray(out, o);
            return out;
        }
        cJSON_ArrayForEach(d, defs)
            if (str(d, "name") && strlen(str(d, "name")) == (size_t)(colon - t)
                && !strncmp(str(d, "name"), t, (size_t)(colon - t)))
                def = d;
        if (!def || num(def, "type", 3) <= 2) {
            snprintf(why, wl, "no option \"%.*s\"", (int)(colon - t), t);
            goto bad;
        }
        v = typed_value(def, colon + 1, why, wl);
        if (!v)
            goto bad;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", str(def, "name"));
        cJSON_AddNumberToObject(o, "type", num(def, "type", 3));
        cJSON_AddItemToObject(o, "value", v);
        cJSON_AddItemToArray(out, o);
    }
    /* The client will not send a command with a required option left out. */
    cJSON_ArrayForEach(d, defs) {
        int found = 0;
        const cJSON *o;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required")))
            continue;
        cJSON_ArrayForEach(o, out)
            found |= !strcmp(str(o, "name"), str(d, "name"));
        if (!found) {
            snprintf(why, wl, "option %s is required", str(d, "name"));
            goto bad;
        }
    }
    return out;
bad:
    cJSON_Delete(out);
    return NULL;
}

static int
play_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    const char *name = cJSON_GetArrayItem(toks, 0)->valuestring + 1;
    cJSON *cmd = find_command(sb, name), *p, *data, *opts;
    char why[200] = "";
    int rc;

    if (!cmd) {
        snprintf(why, sizeof why, "the bot has no command /%s", name);
        return fail(sb, o, step, why);
    }
    opts = build_options(cJSON_GetObjectItemCaseSensitive(cmd, "options"),
                         toks, 1, why, sizeof why);
    if (!opts) {
        cJSON_Delete(cmd);
        return fail(sb, o, step, why);
    }
    p = interaction_base(2);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "id", str(cmd, "id") ? str(cmd, "id")
                                                       : "0");
    cJSON_AddStringToObject(data, "name", name);
    cJSON_AddNumberToObject(data, "type", 1);
    if (cJSON_GetArraySize(opts))
        cJSON_AddItemToObject(data, "options", opts);
    else
        cJSON_Delete(opts);
    rc = run_interaction(sb, p, -1, o, step);
    cJSON_Delete(p);
    cJSON_Delete(cmd);
    return rc;
}

/* ---- components and modals ----------------------------------------------- */

/* The newest message holding a component with this custom_id. */
static int
find_component(struct sb *sb, const char *cid, const cJSON **comp)
{
    for (int i = cJSON_GetArraySize(sb->msgs) - 1; i >= 0; i--) {
        const cJSON *m = cJSON_GetArrayItem(sb->msgs, i), *row, *c;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(m,
                                                                 "components"))
            cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
                                      row, "components")) {
                if (str(c, "custom_id") && !strcmp(str(c, "custom_id"), cid)) {
                    *comp = c;
                    return i;
                }
            }
    }
    return -1;
}

static int
play_component(struct sb *sb, const char *cid, const cJSON *toks, int first,
               int is_select, FILE *o, cJSON *step)
{
    const cJSON *comp = NULL;
    int idx = find_component(sb, cid, &comp), ctype, rc;
    cJSON *p, *data, *vals;
    char why[200];

    if (idx < 0) {
        snprintf(why, sizeof why, "no message has a component \"%s\"", cid);
        return fail(sb, o, step, why);
    }
    ctype = num(comp, "type", 2);
    if (is_select != (ctype != 2)) {
        snprintf(why, sizeof why, "\"%s\" is a %s", cid,
                 ctype == 2 ? "button: use click" : "select: use select");
        return fail(sb, o, step, why);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(comp, "disabled"))) {
        snprintf(why, sizeof why, "\"%s\" is disabled", cid);
        return fail(sb, o, step, why);
    }
    p = interaction_base(3);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "custom_id", cid);
    cJSON_AddNumberToObject(data, "component_type", ctype);
    if (is_select) {
        vals = cJSON_AddArrayToObject(data, "values");
        for (int i = first; i < cJSON_GetArraySize(toks); i++) {
            char *s = strdup(cJSON_GetArrayItem(toks, i)->valuestring);

            for (char *save = NULL, *v = s ? strtok_r(s, ",", &save) : NULL;
                 v; v = strtok_r(NULL, ",", &save))
                cJSON_AddItemToArray(vals, cJSON_CreateString(v));
            free(s);
        }
    }
    cJSON_AddItemToObject(p, "message",
                          cJSON_Duplicate(cJSON_GetArrayItem(sb->msgs, idx),
                                          1));
    sb->modal_target = idx;
    rc = run_interaction(sb, p, idx, o, step);
    cJSON_Delete(p);
    return rc;
}

/* Fill the last modal's inputs from field:value tokens, in its layout. */
static int
play_submit(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    cJSON *p, *data, *comps, *c;
    int rc;

    if (!sb->modal)
        return fail(sb, o, step, "no form is open (a button opens one)");
    p = interaction_base(5);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "custom_id", str(sb->modal, "custom_id")
                                                   ? str(sb->modal,
                                                         "custom_id")
                                                   : "");
    comps = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sb->modal,
                                                             "components"),
                            1);
    cJSON_ArrayForEach(c, comps) {
        cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "component");
        const char *cid;
        const char *val = "";
        if (!in)
            in = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                        c, "components"), 0);
        cid = str(in, "custom_id");
        for (int i = 1; cid && i < cJSON_GetArraySize(toks); i++) {
            const char *t = cJSON_GetArrayItem(toks, i)->valuestring;
            size_t l = strlen(cid);
            if (!strncmp(t, cid, l) && t[l] == ':')
                val = t + l + 1;
        }
        if (in) {
            cJSON_DeleteItemFromObjectCaseSensitive(in, "value");
            cJSON_AddStringToObject(in, "value", val);
        }
    }
    cJSON_AddItemToObject(data, "components", comps);
    cJSON_Delete(sb->modal);
    sb->modal = NULL;
    rc = run_interaction(sb, p, sb->modal_target, o, step);
    cJSON_Delete(p);
    return rc;
}

/* ---- plain messages ----------------------------------------------------- */

static int
message_content_intent(struct sb *sb)
{
    cJSON *id = fakecord_last_identify(sb->fc);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(id, "intents");
    int on = cJSON_IsNumber(in) &&
             ((uint64_t)in->valuedouble & FAKECORD_INTENT_MESSAGE_CONTENT);

    cJSON_Delete(id);
    return on;
}

static int
play_say(struct sb *sb, const char *text, FILE *o, cJSON *step)
{
    cJSON *m = cJSON_CreateObject();
    char id[32], *js;
    int64_t dl;
    int got = 0;

    id_str(sb, id, sizeof id);
    cJSON_AddStringToObject(m, "id", id);
    cJSON_AddStringToObject(m, "channel_id", SB_CHANNEL);
    cJSON_AddStringToObject(m, "guild_id", SB_GUILD_ID);
    cJSON_AddItemToObject(m, "author", user_object());
    cJSON_AddItemToObject(m, "member", member_object());
    /* As Discord: without MESSAGE_CONTENT, guild messages arrive empty. */
    cJSON_AddStringToObject(m, "content", message_content_intent(sb) ? text
                                                                     : "");
    cJSON_AddStringToObject(m, "timestamp", "2024-01-01T00:00:00.000000+00:00");
    cJSON_AddNullToObject(m, "edited_timestamp");
    cJSON_AddBoolToObject(m, "tts", 0);
    cJSON_AddBoolToObject(m, "mention_everyone", 0);
    cJSON_AddArrayToObject(m, "mentions");
    cJSON_AddArrayToObject(m, "mention_roles");
    cJSON_AddArrayToObject(m, "attachments");
    cJSON_AddArrayToObject(m, "embeds");
    cJSON_AddBoolToObject(m, "pinned", 0);
    cJSON_AddNumberToObject(m, "type", 0);
    js = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!js || fakecord_push_event(sb->fc, "MESSAGE_CREATE", js) < 0) {
        free(js);
        return fail(sb, o, step, "the sandbox could not send the message");
    }
    free(js);
    if (!message_content_intent(sb))
        fprintf(o, "(the bot has no MESSAGE_CONTENT intent: it gets this "
                   "message with empty content)\n");
    /* A reply is optional: wait a little for one, then for quiet. */
    dl = sb_now_ms() + sb->reply_ms;
    while (sb_now_ms() < dl && sb_bot_alive(sb)) {
        int n = channel_messages(sb, o);
        got += n;
        if (got && !n)
            break;
        if (n)
            dl = sb_now_ms() + sb->settle_ms;
        sb_nap();
    }
    if (!got)
        fprintf(o, "(no reply)\n");
    cJSON_AddNumberToObject(step, "replies", got);
    return 0;
}

/* ---- one line ------------------------------------------------------------ */

int
sb_play(struct sb *sb, const char *raw)
{
    char *line = expand(sb, raw), *buf = NULL;
    size_t blen = 0;
    FILE *o = open_memstream(&buf, &blen);
    cJSON *toks = line ? tokenize(line) : NULL, *step = cJSON_CreateObject();
    const char *t0, *s;
    int rc = 0;

    if (!line || !toks || !o || !step) {
        free(line);
        cJSON_Delete(toks);
        cJSON_Delete(step);
        if (o)
            fclose(o);
        free(buf);
        sb->failures++;
        return -1;
    }
    for (s = line; isspace((unsigned char)*s); s++)
        ;
    if (!*s || *s == '#' || !cJSON_GetArraySize(toks)) {
        rc = 0;
        cJSON_Delete(step);
        step = NULL;
        goto out;
    }
    t0 = cJSON_GetArrayItem(toks, 0)->valuestring;
    cJSON_AddStringToObject(step, "input", s);
    if (!strcmp(t0, "quit") || !strcmp(t0, "exit")) {
        rc = 1;
        cJSON_Delete(step);
        step = NULL;
        goto out;
    }
    if (!strcmp(t0, "expect")) {
        const char *want = s + 6;
        while (isspace((unsigned char)*want))
            want++;
        cJSON_AddStringToObject(step, "kind", "expect");
        if (!sb->last_text || !strstr(sb->last_text, want)) {
            char why[300];
            snprintf(why, sizeof why, "expected \"%s\" in the last answer",
                     want);
            rc = fail(sb, o, step, why);
        }
        cJSON_AddBoolToObject(step, "ok", rc == 0);
        fclose(o);
        o = NULL;
        if (rc && !sb->quiet)
            fputs(buf, stdout);
        goto done;
    }
    fprintf(o, "\nyou: %s\n", s);
    if (*t0 == '/' && t0[1]) {
        cJSON_AddStringToObject(step, "kind", "command");
        rc = play_command(sb, toks, o, step);
    } else if (!strncmp(t0, "click:", 6) ||
               (!strcmp(t0, "click") && cJSON_GetArraySize(toks) > 1)) {
        const char *cid = t0[5] ? t0 + 6
                                : cJSON_GetArrayItem(toks, 1)->valuestring;
        cJSON_AddStringToObject(step, "kind", "click");
        rc = play_component(sb, cid, toks, 0, 0, o, step);
    } else if (!strncmp(t0, "select:", 7) ||
               (!strcmp(t0, "select") && cJSON_GetArraySize(toks) > 1)) {
        int first = t0[6] ? 1 : 2;
        const char *cid = t0[6] ? t0 + 7
                                : cJSON_GetArrayItem(toks, 1)->valuestring;
        cJSON_AddStringToObject(step, "kind", "select");
        rc = play_component(sb, cid, toks, first, 1, o, step);
    } else if (!strcmp(t0, "submit")) {
        cJSON_AddStringToObject(step, "kind", "submit");
        rc = play_submit(sb, toks, o, step);
    } else if (!strcmp(t0, "say")) {
        const char *text = s + 3;
        while (isspace((unsigned char)*text))
            text++;
        cJSON_AddStringToObject(step, "kind", "message");
        rc = play_say(sb, text, o, step);
    } else {
        cJSON_AddStringToObject(step, "kind", "unknown");
        rc = fail(sb, o, step, "unknown line: use /command opt:value, "
                               "click ID, select ID value, submit "
                               "field:value, say TEXT, expect TEXT, quit");
    }
    cJSON_AddBoolToObject(step, "ok", rc == 0);
    fclose(o);
    o = NULL;
    if (!sb->quiet) {
        fputs(buf, stdout);
        fflush(stdout);
    }
    cJSON_AddStringToObject(step, "output", buf);
    free(sb->last_text);
    sb->last_text = buf;
    buf = NULL;
done:
    if (step)
        cJSON_AddItemToArray(sb->steps, step);
    step = NULL;
out:
    if (o)
        fclose(o);
    free(buf);
    cJSON_Delete(step);
    cJSON_Delete(toks);
    free(line);
    return rc;
}
