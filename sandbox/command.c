/*
 * command.c: a slash command line as the Discord client sends it.
 *
 * "/config set key:value n:3" is matched against the commands the bot
 * registered (fakecord_commands): words without a colon walk subcommand
 * groups and subcommands, name:value pairs become options typed as the
 * command declares them, and a missing required option is refused, as the
 * client refuses to send it.
 */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>

#define COMMANDS_WAIT_MS 5000 /* for a bot that registers nothing */

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

/* The registered command `name` of `type` (1 slash, 2 user, 3 message),
 * global or in the sandbox's guild; NULL when the bot has none. */
static cJSON *
find_command(struct sb *sb, const char *name, int type)
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
                if (sb_str(c, "name") && !strcmp(sb_str(c, "name"), name) &&
                    sb_num(c, "type", 1) == type) {
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

/* Characters as the Discord client counts them (code points). */
static long
utf8_chars(const char *v)
{
    long n = 0;

    for (; *v; v++)
        n += ((unsigned char)*v & 0xc0) != 0x80;
    return n;
}

/* The client refuses a value outside the option's min_value/max_value
 * (numbers) or min_length/max_length (strings) before sending anything.
 * Returns 0, or -1 with `why`. */
static int
within_limits(const cJSON *def, const char *v, double x, char *why, size_t wl)
{
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(def, "min_value");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(def, "max_value");
    const char *name = sb_str(def, "name");
    int t = sb_num(def, "type", 3);

    if (t == 4 || t == 10) {
        if (cJSON_IsNumber(lo) && x < lo->valuedouble) {
            snprintf(why, wl,
                     "option %s: must be at least %g (the client "
                     "would not send %s)",
                     name, lo->valuedouble, v);
            return -1;
        }
        if (cJSON_IsNumber(hi) && x > hi->valuedouble) {
            snprintf(why, wl,
                     "option %s: must be at most %g (the client "
                     "would not send %s)",
                     name, hi->valuedouble, v);
            return -1;
        }
    } else if (t == 3) {
        long n = utf8_chars(v);
        int min = sb_num(def, "min_length", 0);
        int max = sb_num(def, "max_length", 6000);

        if (n < min || n > max) {
            snprintf(why, wl,
                     "option %s: %ld characters; the client takes "
                     "%d to %d",
                     name, n, min, max);
            return -1;
        }
    }
    return 0;
}

/* One option value typed as the command declares it, within its limits. */
static cJSON *
typed_value(const cJSON *def, const char *v, char *why, size_t wl)
{
    int t = sb_num(def, "type", 3);
    char *end;

    switch (t) {
    case 4: {
        long long x = strtoll(v, &end, 10);
        if (!*v || *end) {
            snprintf(why, wl, "option %s: \"%s\" is not an integer",
                     sb_str(def, "name"), v);
            return NULL;
        }
        if (within_limits(def, v, (double)x, why, wl) < 0)
            return NULL;
        return cJSON_CreateNumber((double)x);
    }
    case 10: {
        double x = strtod(v, &end);
        if (!*v || *end) {
            snprintf(why, wl, "option %s: \"%s\" is not a number",
                     sb_str(def, "name"), v);
            return NULL;
        }
        if (within_limits(def, v, x, why, wl) < 0)
            return NULL;
        return cJSON_CreateNumber(x);
    }
    case 5:
        if (strcmp(v, "true") && strcmp(v, "false")) {
            snprintf(why, wl, "option %s: give true or false",
                     sb_str(def, "name"));
            return NULL;
        }
        return cJSON_CreateBool(!strcmp(v, "true"));
    case 3:
        if (within_limits(def, v, 0, why, wl) < 0)
            return NULL;
        return cJSON_CreateString(v);
    case 6:
    case 9: /* "@alice": the id of a member of the sandbox's guild */
        if (*v == '@') {
            cJSON *u = sb_named_user_object(v + 1);
            cJSON *id = u ? cJSON_CreateString(sb_str(u, "id")) : NULL;

            cJSON_Delete(u);
            if (!id)
                snprintf(why, wl, "option %s: no user %s here (%s)",
                         sb_str(def, "name"), v, sb_user_names());
            return id;
        }
        return cJSON_CreateString(v);
    default: /* ids for channels, roles */
        return cJSON_CreateString(v);
    }
}

/* The option being typed during autocomplete: its value is the partial
 * text, always a string whatever the option's type (the client has not
 * validated it yet), marked "focused". Options without autocomplete never
 * make the client ask the bot. */
static cJSON *
focused_option(const cJSON *def, const char *partial, char *why, size_t wl)
{
    cJSON *o;

    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "autocomplete"))) {
        snprintf(why, wl,
                 "option %s has no autocomplete: the client would not ask "
                 "the bot for suggestions",
                 sb_str(def, "name"));
        return NULL;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", sb_str(def, "name"));
    cJSON_AddNumberToObject(o, "type", sb_num(def, "type", 3));
    cJSON_AddStringToObject(o, "value", partial);
    cJSON_AddBoolToObject(o, "focused", 1);
    return o;
}

/* Options at one level: subcommand names descend, name:value pairs fill
 * the level. `focus` is the index in `toks` of the option being typed
 * during autocomplete, -1 for a command sent. Returns the options array or
 * NULL with `why`. */
static cJSON *
build_options(const cJSON *defs, const cJSON *toks, int i, int focus, char *why,
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
                if (sb_str(d, "name") && !strcmp(sb_str(d, "name"), t) &&
                    sb_num(d, "type", 3) <= 2)
                    def = d;
            if (!def) {
                snprintf(why, wl, "no subcommand \"%s\"", t);
                goto bad;
            }
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", t);
            cJSON_AddNumberToObject(o, "type", sb_num(def, "type", 1));
            v = build_options(cJSON_GetObjectItemCaseSensitive(def, "options"),
                              toks, i + 1, focus, why, wl);
            if (!v) {
                cJSON_Delete(o);
                goto bad;
            }
            cJSON_AddItemToObject(o, "options", v);
            cJSON_AddItemToArray(out, o);
            return out;
        }
        cJSON_ArrayForEach(d, defs)
            if (sb_str(d, "name") &&
                strlen(sb_str(d, "name")) == (size_t)(colon - t) &&
                !strncmp(sb_str(d, "name"), t, (size_t)(colon - t)))
                def = d;
        if (!def || sb_num(def, "type", 3) <= 2) {
            snprintf(why, wl, "no option \"%.*s\"", (int)(colon - t), t);
            goto bad;
        }
        if (i == focus) {
            o = focused_option(def, colon + 1, why, wl);
            if (!o)
                goto bad;
            cJSON_AddItemToArray(out, o);
            continue;
        }
        v = typed_value(def, colon + 1, why, wl);
        if (!v)
            goto bad;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", sb_str(def, "name"));
        cJSON_AddNumberToObject(o, "type", sb_num(def, "type", 3));
        cJSON_AddItemToObject(o, "value", v);
        cJSON_AddItemToArray(out, o);
    }
    /* The client will not send a command with a required option left out;
     * while typing (autocomplete) they may still be missing. */
    cJSON_ArrayForEach(d, defs) {
        if (focus >= 0)
            break;
        int found = 0;
        const cJSON *o;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required")))
            continue;
        cJSON_ArrayForEach(o, out)
            found |= !strcmp(sb_str(o, "name"), sb_str(d, "name"));
        if (!found) {
            snprintf(why, wl, "option %s is required", sb_str(d, "name"));
            goto bad;
        }
    }
    return out;
bad:
    cJSON_Delete(out);
    return NULL;
}

/* The interaction for command `cmd`, as Discord builds it: `type` 2 for a
 * command sent, 4 for autocomplete; data.guild_id for guild commands. */
static cJSON *
command_interaction(const cJSON *cmd, int type)
{
    cJSON *p = sb_interaction_base(type), *data;

    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "id",
                            sb_str(cmd, "id") ? sb_str(cmd, "id") : "0");
    cJSON_AddStringToObject(data, "name", sb_str(cmd, "name"));
    cJSON_AddNumberToObject(data, "type", sb_num(cmd, "type", 1));
    if (sb_str(cmd, "guild_id"))
        cJSON_AddStringToObject(data, "guild_id", sb_str(cmd, "guild_id"));
    return p;
}

/* Send interaction `p` for command `cmd` and show the answer; frees both. */
static int
run_command(struct sb *sb, cJSON *cmd, cJSON *p, FILE *o, cJSON *step)
{
    int rc = sb_run_interaction(sb, p, -1, o, step);

    cJSON_Delete(p);
    cJSON_Delete(cmd);
    return rc;
}

/* A slash command line from toks[first] ("/name"): sent (type 2) when
 * focus is -1, else the autocomplete (type 4) for the option at toks[focus]. */
static int
play_slash(struct sb *sb, const cJSON *toks, int first, int focus, FILE *o,
           cJSON *step)
{
    const char *name = cJSON_GetArrayItem(toks, first)->valuestring + 1;
    cJSON *cmd = find_command(sb, name, 1), *p, *opts;
    char why[200] = "";

    if (!cmd) {
        snprintf(why, sizeof why, "the bot has no command /%s", name);
        return sb_fail(sb, o, step, why);
    }
    opts = build_options(cJSON_GetObjectItemCaseSensitive(cmd, "options"), toks,
                         first + 1, focus, why, sizeof why);
    if (!opts) {
        cJSON_Delete(cmd);
        return sb_fail(sb, o, step, why);
    }
    p = command_interaction(cmd, focus < 0 ? 2 : 4);
    if (cJSON_GetArraySize(opts))
        cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(p, "data"),
                              "options", opts);
    else
        cJSON_Delete(opts);
    return run_command(sb, cmd, p, o, step);
}

int
sb_play_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    return play_slash(sb, toks, 0, -1, o, step);
}

int
sb_play_complete(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    int n = cJSON_GetArraySize(toks), focus = n - 1;
    const char *t1 = n > 1 ? cJSON_GetArrayItem(toks, 1)->valuestring : "";

    /* The cursor is in the last option of the line. */
    if (*t1 != '/' || !t1[1] || focus < 2 ||
        !strchr(cJSON_GetArrayItem(toks, focus)->valuestring, ':'))
        return sb_fail(sb, o, step,
                       "complete needs a command and the option being "
                       "typed last: complete /fortune topic:ca");
    return play_slash(sb, toks, 1, focus, o, step);
}

/* ---- context menu commands ---------------------------------------------- */

/* A user or message command `name` on `target_id`, with the resolved
 * objects Discord adds (users and members, or messages). */
static int
play_context(struct sb *sb, const char *name, int type, const char *target_id,
             cJSON *resolved, FILE *o, cJSON *step)
{
    cJSON *cmd = find_command(sb, name, type), *p, *data;
    char why[200];

    if (!cmd) {
        cJSON_Delete(resolved);
        snprintf(why, sizeof why, "the bot has no %s command \"%s\"",
                 type == 2 ? "user" : "message", name);
        return sb_fail(sb, o, step, why);
    }
    p = command_interaction(cmd, 2);
    data = cJSON_GetObjectItemCaseSensitive(p, "data");
    cJSON_AddStringToObject(data, "target_id", target_id);
    cJSON_AddItemToObject(data, "resolved", resolved);
    return run_command(sb, cmd, p, o, step);
}

int
sb_play_user_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    const char *who = cJSON_GetArraySize(toks) == 3
                          ? cJSON_GetArrayItem(toks, 2)->valuestring
                          : "";
    cJSON *user = *who == '@' ? sb_named_user_object(who + 1) : NULL;
    cJSON *resolved;
    char why[200], id[32];

    if (!user) {
        if (*who == '@')
            snprintf(why, sizeof why, "no user %s here (the sandbox has %s)",
                     who, sb_user_names());
        else
            snprintf(why, sizeof why,
                     "give the command and its target: user \"Name\" "
                     "@alice (the sandbox has %s)",
                     sb_user_names());
        return sb_fail(sb, o, step, why);
    }
    snprintf(id, sizeof id, "%s", sb_str(user, "id"));
    resolved = cJSON_CreateObject();
    cJSON_AddItemToObject(cJSON_AddObjectToObject(resolved, "users"), id, user);
    cJSON_AddItemToObject(cJSON_AddObjectToObject(resolved, "members"), id,
                          sb_partial_member_object());
    return play_context(sb, cJSON_GetArrayItem(toks, 1)->valuestring, 2, id,
                        resolved, o, step);
}

/* The message a message command targets: the newest one, the one with
 * this id, or the newest one written by @username. -1 when none. */
static int
find_message(struct sb *sb, const char *which)
{
    for (int i = cJSON_GetArraySize(sb->msgs) - 1; i >= 0; i--) {
        const cJSON *m = cJSON_GetArrayItem(sb->msgs, i);
        const cJSON *author = cJSON_GetObjectItemCaseSensitive(m, "author");

        if (!which ||
            (*which == '@' && sb_str(author, "username") &&
             !strcmp(sb_str(author, "username"), which + 1)) ||
            (sb_str(m, "id") && !strcmp(sb_str(m, "id"), which)))
            return i;
    }
    return -1;
}

int
sb_play_message_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    int n = cJSON_GetArraySize(toks);
    const char *which =
        n == 3 ? cJSON_GetArrayItem(toks, 2)->valuestring : NULL;
    int idx = n == 2 || n == 3 ? find_message(sb, which) : -1;
    const cJSON *m = cJSON_GetArrayItem(sb->msgs, idx);
    cJSON *resolved;
    char id[32];

    if (n < 2 || n > 3)
        return sb_fail(sb, o, step,
                       "give the command and optionally its target: "
                       "message \"Name\" [ID | @username]");
    if (idx < 0)
        return sb_fail(sb, o, step,
                       which ? "no message in the conversation matches"
                             : "the conversation has no message yet");
    snprintf(id, sizeof id, "%s", sb_str(m, "id"));
    resolved = cJSON_CreateObject();
    cJSON_AddItemToObject(cJSON_AddObjectToObject(resolved, "messages"), id,
                          cJSON_Duplicate(m, 1));
    return play_context(sb, cJSON_GetArrayItem(toks, 1)->valuestring, 3, id,
                        resolved, o, step);
}
