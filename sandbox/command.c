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
            cJSON_ArrayForEach(c, all)
            {
                if (sb_str(c, "name") && !strcmp(sb_str(c, "name"), name) &&
                    sb_num(c, "type", 1) == 1) {
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
        return cJSON_CreateNumber((double)x);
    }
    case 10: {
        double x = strtod(v, &end);
        if (!*v || *end) {
            snprintf(why, wl, "option %s: \"%s\" is not a number",
                     sb_str(def, "name"), v);
            return NULL;
        }
        return cJSON_CreateNumber(x);
    }
    case 5:
        if (strcmp(v, "true") && strcmp(v, "false")) {
            snprintf(why, wl, "option %s: give true or false",
                     sb_str(def, "name"));
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
build_options(const cJSON *defs, const cJSON *toks, int i, char *why, size_t wl)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *d;

    for (; i < cJSON_GetArraySize(toks); i++) {
        const char *t = cJSON_GetArrayItem(toks, i)->valuestring;
        const char *colon = strchr(t, ':');
        const cJSON *def = NULL;
        cJSON *o, *v;

        if (!colon) { /* a subcommand or group */
            cJSON_ArrayForEach(d, defs) if (sb_str(d, "name") &&
                                            !strcmp(sb_str(d, "name"), t) &&
                                            sb_num(d, "type", 3) <= 2) def = d;
            if (!def) {
                snprintf(why, wl, "no subcommand \"%s\"", t);
                goto bad;
            }
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", t);
            cJSON_AddNumberToObject(o, "type", sb_num(def, "type", 1));
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
        cJSON_ArrayForEach(
            d, defs) if (sb_str(d, "name") &&
                         strlen(sb_str(d, "name")) == (size_t)(colon - t) &&
                         !strncmp(sb_str(d, "name"), t, (size_t)(colon - t)))
            def = d;
        if (!def || sb_num(def, "type", 3) <= 2) {
            snprintf(why, wl, "no option \"%.*s\"", (int)(colon - t), t);
            goto bad;
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
    /* The client will not send a command with a required option left out. */
    cJSON_ArrayForEach(d, defs)
    {
        int found = 0;
        const cJSON *o;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required")))
            continue;
        cJSON_ArrayForEach(o, out) found |=
            !strcmp(sb_str(o, "name"), sb_str(d, "name"));
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

int
sb_play_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    const char *name = cJSON_GetArrayItem(toks, 0)->valuestring + 1;
    cJSON *cmd = find_command(sb, name), *p, *data, *opts;
    char why[200] = "";
    int rc;

    if (!cmd) {
        snprintf(why, sizeof why, "the bot has no command /%s", name);
        return sb_fail(sb, o, step, why);
    }
    opts = build_options(cJSON_GetObjectItemCaseSensitive(cmd, "options"), toks,
                         1, why, sizeof why);
    if (!opts) {
        cJSON_Delete(cmd);
        return sb_fail(sb, o, step, why);
    }
    p = sb_interaction_base(2);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "id",
                            sb_str(cmd, "id") ? sb_str(cmd, "id") : "0");
    cJSON_AddStringToObject(data, "name", name);
    cJSON_AddNumberToObject(data, "type", 1);
    if (cJSON_GetArraySize(opts))
        cJSON_AddItemToObject(data, "options", opts);
    else
        cJSON_Delete(opts);
    rc = sb_run_interaction(sb, p, -1, o, step);
    cJSON_Delete(p);
    cJSON_Delete(cmd);
    return rc;
}
