/*
 * command.c: application commands, from C declarations to the bulk payload.
 *
 * DESIGN. Bots declare commands as static dbot_command/dbot_option data
 * (include/dbot/command.h). At startup the framework validates them here,
 * builds the array for PUT .../commands, GETs what Discord has, and sends
 * the PUT only when dbot__commands_equal() says they differ.
 *
 * Validation happens here, before any request, because Discord's answer to
 * a bad command is a 50035 error tree about the whole bulk body, and because
 * each PUT that creates commands counts toward 200 creates per day per
 * scope: a bot that restarts in a loop with a bad command must fail fast
 * and locally. Errors name the command and the option path.
 */
#include "command.h"
#include "locale.h"
#include "utf8.h"

#include <dbot/permissions.h>

#include <dbot/dbot.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPTIONS    25
#define MAX_CHOICES    25
#define MAX_TEXT       8000 /* names, descriptions, values per command */
#define MAX_SAFE_INT   9007199254740991.0 /* 2^53 - 1, the docs' range */
#define MAX_LENGTH_OPT 6000

/* ---- building -------------------------------------------------------- */

struct cctx {
    char *err;
    size_t errlen;
    char cmd[96];  /* `command "primes"` or `commands[3]` */
    char opt[192]; /* "" or the option path, "user.get.target" */
    long text;     /* characters counted toward MAX_TEXT */
    int oom;
};

static int fail(struct cctx *c, const char *fmt, ...) DBOT_PRINTF(2, 3);

static int
fail(struct cctx *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (!c->err || c->errlen == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->opt[0])
        snprintf(c->err, c->errlen, "%s option \"%s\": %s", c->cmd, c->opt,
                 msg);
    else
        snprintf(c->err, c->errlen, "%s: %s", c->cmd, msg);
    return -1;
}

static int
oom(struct cctx *c)
{
    c->oom = 1;
    if (c->err && c->errlen)
        snprintf(c->err, c->errlen, "out of memory");
    return -1;
}

/* Uppercase letters Discord would lowercase. Only ASCII, Latin-1, Greek
 * and Cyrillic are known here; other scripts pass and are left to Discord. */
static int
is_upper(int32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
           (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x400 && cp <= 0x42F);
}

/* CHAT_INPUT command and option names: ^[-_'\p{L}\p{N}...]{1,32}$,
 * lowercase. ASCII is checked exactly; non-ASCII letters are accepted. */
static int
check_name(struct cctx *c, const char *what, const char *name, int chat)
{
    long len = dbot__utf8_len(name);
    const char *p = name;

    if (!name || !*name)
        return fail(c, "%s is empty (1-32 characters)", what);
    if (len < 0)
        return fail(c, "%s is not valid UTF-8", what);
    if (len > 32)
        return fail(c, "%s \"%s\" is longer than 32 characters", what, name);
    c->text += len;
    if (!chat)
        return 0;
    while (*p) {
        int32_t cp = dbot__utf8_next(&p);

        if (is_upper(cp))
            return fail(c, "%s \"%s\" must be lowercase", what, name);
        if (cp < 0x80 && !(cp >= 'a' && cp <= 'z') &&
            !(cp >= '0' && cp <= '9') && cp != '-' && cp != '_' && cp != '\'')
            return fail(c,
                        "%s \"%s\" has '%c'; allowed are a-z 0-9 - _ ' "
                        "and letters",
                        what, name, (char)cp);
    }
    return 0;
}

static int
check_text(struct cctx *c, const char *what, const char *s, long max)
{
    long len = dbot__utf8_len(s);

    if (!s || !*s)
        return fail(c, "%s is empty (1-%ld characters)", what, max);
    if (len < 0)
        return fail(c, "%s is not valid UTF-8", what);
    if (len > max)
        return fail(c, "%s is longer than %ld characters", what, max);
    c->text += len;
    return 0;
}

/* Merge the members of the JSON object text `extra` into obj, replacing
 * members of the same name. */
static int
merge_extra(struct cctx *c, cJSON *obj, const char *extra)
{
    const char *end = NULL;
    cJSON *x, *it;

    if (!extra)
        return 0;
    /* The length includes the NUL: cJSON 1.7.15 fails a buffer without
     * one when asked to require the end of the text. */
    x = cJSON_ParseWithLengthOpts(extra, strlen(extra) + 1, &end, 1);
    if (!x || !cJSON_IsObject(x)) {
        cJSON_Delete(x);
        return fail(c, "extra_json is not a JSON object");
    }
    while ((it = x->child)) {
        cJSON_DetachItemViaPointer(x, it);
        cJSON_DeleteItemFromObjectCaseSensitive(obj, it->string);
        /* AddItemToObject copies the key before freeing it->string. */
        if (!cJSON_AddItemToObject(obj, it->string, it)) {
            cJSON_Delete(it);
            cJSON_Delete(x);
            return oom(c);
        }
    }
    cJSON_Delete(x);
    return 0;
}

/* How a localized text is checked: as a name (chat: lowercase rules), or
 * as text of at most `max` characters. */
struct loc_rule {
    int name, chat;
    long max;
};

/* Add `key` ({locale: text}) for the { 0 }-terminated list `l` to obj.
 * Each text is checked as the field it translates; only the longest of
 * the field's texts counts toward MAX_TEXT (application-commands.mdx:
 * "only the longest localization for each field (including the default
 * value) is counted"). */
static int
add_localizations(struct cctx *c, cJSON *obj, const char *key,
                  const dbot_localized *l, const char *dflt,
                  struct loc_rule rule)
{
    long base = dflt ? dbot__utf8_len(dflt) : 0, longest = base;
    cJSON *d;

    if (!l || !l[0].locale)
        return 0;
    if (!(d = cJSON_AddObjectToObject(obj, key)))
        return oom(c);
    for (int i = 0; l[i].locale; i++) {
        long before = c->text;
        char what[64];
        int rc;

        snprintf(what, sizeof what, "%s[\"%s\"]", key, l[i].locale);
        if (!dbot__locale_known(l[i].locale))
            return fail(c, "%s: \"%s\" is not one of Discord's locales", key,
                        l[i].locale);
        if (cJSON_GetObjectItemCaseSensitive(d, l[i].locale))
            return fail(c, "%s: locale \"%s\" given twice", key, l[i].locale);
        rc = rule.name ? check_name(c, what, l[i].text, rule.chat)
                       : check_text(c, what, l[i].text, rule.max);
        if (rc < 0)
            return -1;
        if (c->text - before > longest)
            longest = c->text - before;
        c->text = before;
        if (!cJSON_AddStringToObject(d, l[i].locale, l[i].text))
            return oom(c);
    }
    c->text += longest - base;
    return 0;
}

static int
add_num(struct cctx *c, cJSON *o, const char *k, double v)
{
    return cJSON_AddNumberToObject(o, k, v) ? 0 : oom(c);
}

static int
add_bits(struct cctx *c, cJSON *o, const char *k, uint64_t bits)
{
    cJSON *a = cJSON_AddArrayToObject(o, k);
    int i;

    if (!a)
        return oom(c);
    for (i = 0; i < 64; i++) {
        cJSON *n;

        if (!(bits & ((uint64_t)1 << i)))
            continue;
        if (!(n = cJSON_CreateNumber(i)) || !cJSON_AddItemToArray(a, n)) {
            cJSON_Delete(n);
            return oom(c);
        }
    }
    return 0;
}

static int
is_value_type(int t)
{
    return t >= DBOT_OPT_STRING && t <= DBOT_OPT_ATTACHMENT;
}

static int
takes_choices(int t)
{
    return t == DBOT_OPT_STRING || t == DBOT_OPT_INTEGER ||
           t == DBOT_OPT_NUMBER;
}

static int
build_choices(struct cctx *c, const dbot_option *o, cJSON *obj)
{
    cJSON *arr;
    int i;

    if (!takes_choices(o->type))
        return fail(c, "choices need a STRING, INTEGER or NUMBER option");
    if (o->autocomplete)
        return fail(c, "choices and autocomplete exclude each other");
    if (!(arr = cJSON_AddArrayToObject(obj, "choices")))
        return oom(c);
    for (i = 0; o->choices[i].name; i++) {
        const dbot_choice *ch = &o->choices[i];
        char what[48];
        cJSON *j;
        int ok = 1;

        if (i == MAX_CHOICES)
            return fail(c, "more than %d choices", MAX_CHOICES);
        snprintf(what, sizeof what, "choices[%d].name", i);
        if (check_text(c, what, ch->name, 100) < 0)
            return -1;
        if (o->type == DBOT_OPT_STRING) {
            snprintf(what, sizeof what, "choices[%d].str", i);
            if (check_text(c, what, ch->str, 100) < 0)
                return -1;
        } else if (o->type == DBOT_OPT_INTEGER) {
            if ((double)ch->integer > MAX_SAFE_INT ||
                (double)ch->integer < -MAX_SAFE_INT)
                return fail(c, "choices[%d].integer is outside +-(2^53-1)", i);
        } else if (!isfinite(ch->number)) {
            return fail(c, "choices[%d].number is not finite", i);
        }
        if (!(j = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, j)) {
            cJSON_Delete(j);
            return oom(c);
        }
        ok = cJSON_AddStringToObject(j, "name", ch->name) != NULL;
        if (ok && add_localizations(c, j, "name_localizations",
                                    ch->name_localizations, ch->name,
                                    (struct loc_rule){ 0, 0, 100 }) < 0)
            return -1;
        if (o->type == DBOT_OPT_STRING)
            ok = ok && cJSON_AddStringToObject(j, "value", ch->str);
        else if (o->type == DBOT_OPT_INTEGER)
            ok = ok && cJSON_AddNumberToObject(j, "value", (double)ch->integer);
        else
            ok = ok && cJSON_AddNumberToObject(j, "value", ch->number);
        if (!ok)
            return oom(c);
    }
    return 0;
}

static int
check_value_limits(struct cctx *c, const dbot_option *o)
{
    int num = o->type == DBOT_OPT_INTEGER || o->type == DBOT_OPT_NUMBER;

    if ((o->has_min || o->has_max) && !num)
        return fail(c, "min_value/max_value need an INTEGER or NUMBER "
                       "option");
    if (o->has_min &&
        (!isfinite(o->min_value) || fabs(o->min_value) > MAX_SAFE_INT))
        return fail(c, "min_value is outside +-(2^53-1)");
    if (o->has_max &&
        (!isfinite(o->max_value) || fabs(o->max_value) > MAX_SAFE_INT))
        return fail(c, "max_value is outside +-(2^53-1)");
    if (o->type == DBOT_OPT_INTEGER &&
        ((o->has_min && o->min_value != floor(o->min_value)) ||
         (o->has_max && o->max_value != floor(o->max_value))))
        return fail(c, "min_value/max_value of an INTEGER option must be "
                       "whole numbers");
    if (o->has_min && o->has_max && o->min_value > o->max_value)
        return fail(c, "min_value %g is above max_value %g", o->min_value,
                    o->max_value);
    if ((o->min_length || o->max_length) && o->type != DBOT_OPT_STRING)
        return fail(c, "min_length/max_length need a STRING option");
    if (o->min_length < 0 || o->min_length > MAX_LENGTH_OPT)
        return fail(c, "min_length %d is outside 0-%d", o->min_length,
                    MAX_LENGTH_OPT);
    if (o->max_length < 0 || o->max_length > MAX_LENGTH_OPT)
        return fail(c, "max_length %d is outside 1-%d", o->max_length,
                    MAX_LENGTH_OPT);
    if (o->min_length && o->max_length && o->min_length > o->max_length)
        return fail(c, "min_length %d is above max_length %d", o->min_length,
                    o->max_length);
    if (o->autocomplete && !takes_choices(o->type))
        return fail(c, "autocomplete needs a STRING, INTEGER or NUMBER "
                       "option");
    if (o->channel_types && o->type != DBOT_OPT_CHANNEL)
        return fail(c, "channel_types need a CHANNEL option");
    return 0;
}

/* Where a list of options sits; decides which option types it may hold. */
enum level {
    LEVEL_COMMAND,    /* subcommands/groups, or value options */
    LEVEL_GROUP,      /* subcommands only */
    LEVEL_SUBCOMMAND, /* value options only */
};

static int build_options(struct cctx *c, const dbot_option *opts, enum level lv,
                         cJSON *parent);

static int
build_option(struct cctx *c, const dbot_option *o, enum level lv, cJSON *arr)
{
    int nested =
        o->type == DBOT_OPT_SUBCOMMAND || o->type == DBOT_OPT_SUBCOMMAND_GROUP;
    cJSON *j;

    if (!nested && !is_value_type(o->type))
        return fail(c, "unknown option type %d", o->type);
    if (lv == LEVEL_GROUP && o->type != DBOT_OPT_SUBCOMMAND)
        return fail(c, "a subcommand group holds only subcommands");
    if (lv == LEVEL_SUBCOMMAND && nested)
        return fail(c, "subcommands and groups nest at most two deep "
                       "(group > subcommand > options)");
    if (check_name(c, "name", o->name, 1) < 0 ||
        check_text(c, "description", o->description, 100) < 0)
        return -1;
    if (nested) {
        if (o->required || o->autocomplete || o->choices || o->has_min ||
            o->has_max || o->min_length || o->max_length || o->channel_types)
            return fail(c, "subcommands and groups take no required, "
                           "choices, autocomplete or limits");
        if (o->type == DBOT_OPT_SUBCOMMAND_GROUP &&
            (!o->options || !o->options[0].type))
            return fail(c, "subcommand group has no subcommands");
    } else {
        if (o->options)
            return fail(c, "only subcommands and groups have options");
        if (check_value_limits(c, o) < 0)
            return -1;
    }

    if (!(j = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, j)) {
        cJSON_Delete(j);
        return oom(c);
    }
    if (add_num(c, j, "type", o->type) < 0 ||
        !cJSON_AddStringToObject(j, "name", o->name) ||
        !cJSON_AddStringToObject(j, "description", o->description))
        return oom(c);
    if (add_localizations(c, j, "name_localizations", o->name_localizations,
                          o->name, (struct loc_rule){ 1, 1, 32 }) < 0 ||
        add_localizations(c, j, "description_localizations",
                          o->description_localizations, o->description,
                          (struct loc_rule){ 0, 0, 100 }) < 0)
        return -1;
    if (o->required && !cJSON_AddTrueToObject(j, "required"))
        return oom(c);
    if (o->choices && o->choices[0].name && build_choices(c, o, j) < 0)
        return -1;
    if (nested && o->options &&
        build_options(c, o->options,
                      o->type == DBOT_OPT_SUBCOMMAND_GROUP ? LEVEL_GROUP
                                                           : LEVEL_SUBCOMMAND,
                      j) < 0)
        return -1;
    if (o->channel_types &&
        add_bits(c, j, "channel_types", o->channel_types) < 0)
        return -1;
    if ((o->has_min && add_num(c, j, "min_value", o->min_value) < 0) ||
        (o->has_max && add_num(c, j, "max_value", o->max_value) < 0) ||
        (o->min_length && add_num(c, j, "min_length", o->min_length) < 0) ||
        (o->max_length && add_num(c, j, "max_length", o->max_length) < 0))
        return -1;
    if (o->autocomplete && !cJSON_AddTrueToObject(j, "autocomplete"))
        return oom(c);
    return merge_extra(c, j, o->extra_json);
}

static int
build_options(struct cctx *c, const dbot_option *opts, enum level lv,
              cJSON *parent)
{
    size_t base = strlen(c->opt);
    int i, j, nested = 0, plain = 0, optional = 0;
    cJSON *arr;

    if (!(arr = cJSON_AddArrayToObject(parent, "options")))
        return oom(c);
    for (i = 0; opts[i].type; i++) {
        const dbot_option *o = &opts[i];

        snprintf(c->opt + base, sizeof c->opt - base, "%s%s", base ? "." : "",
                 o->name ? o->name : "?");
        if (i == MAX_OPTIONS)
            return fail(c, "more than %d options", MAX_OPTIONS);
        for (j = 0; j < i; j++)
            if (o->name && opts[j].name && strcmp(o->name, opts[j].name) == 0)
                return fail(c, "duplicate option name");
        if (o->type == DBOT_OPT_SUBCOMMAND ||
            o->type == DBOT_OPT_SUBCOMMAND_GROUP)
            nested = 1;
        else
            plain = 1;
        if (nested && plain)
            return fail(c, "subcommands and groups cannot be mixed with "
                           "other options at one level");
        if (o->required && optional)
            return fail(c, "required option after an optional one; "
                           "required options come first");
        if (!o->required)
            optional = 1;
        if (build_option(c, o, lv, arr) < 0)
            return -1;
        c->opt[base] = '\0';
    }
    return 0;
}

static int
check_permissions(struct cctx *c, const char *p)
{
    size_t i, n = strlen(p);

    if (n == 0 || n > 20 || (n > 1 && p[0] == '0'))
        return fail(c,
                    "default_member_permissions \"%s\" is not a decimal "
                    "permission bit set",
                    p);
    for (i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return fail(c,
                        "default_member_permissions \"%s\" is not a "
                        "decimal permission bit set",
                        p);
    return 0;
}

static cJSON *
build_command(struct cctx *c, const dbot_command *cmd)
{
    int type = cmd->type ? cmd->type : DBOT_CMD_CHAT_INPUT;
    int chat = type == DBOT_CMD_CHAT_INPUT;
    cJSON *j;

    c->text = 0;
    c->opt[0] = '\0';
    if (type < DBOT_CMD_CHAT_INPUT || type > DBOT_CMD_MESSAGE) {
        fail(c, "unsupported command type %d", cmd->type);
        return NULL;
    }
    if (check_name(c, "name", cmd->name, chat) < 0)
        return NULL;
    if (chat) {
        if (check_text(c, "description", cmd->description, 100) < 0)
            return NULL;
    } else if (cmd->description && *cmd->description) {
        fail(c, "USER and MESSAGE commands have no description");
        return NULL;
    } else if (cmd->options && cmd->options[0].type) {
        fail(c, "USER and MESSAGE commands have no options");
        return NULL;
    }
    if (cmd->default_member_permissions &&
        check_permissions(c, cmd->default_member_permissions) < 0)
        return NULL;
    if (cmd->default_member_perms && cmd->default_member_permissions) {
        fail(c, "set default_member_perms or default_member_permissions, "
                "not both");
        return NULL;
    }
    if (cmd->default_member_perms & ~DBOT_PERM_ALL) {
        fail(c,
             "default_member_perms has bits Discord does not define "
             "(0x%llx)",
             (unsigned long long)(cmd->default_member_perms & ~DBOT_PERM_ALL));
        return NULL;
    }
    if (cmd->contexts & ~7u) {
        fail(c, "contexts has unknown bits 0x%x", cmd->contexts & ~7u);
        return NULL;
    }
    if (cmd->integration_types & ~3u) {
        fail(c, "integration_types has unknown bits 0x%x",
             cmd->integration_types & ~3u);
        return NULL;
    }

    if (!(j = cJSON_CreateObject()))
        goto nomem;
    if (add_num(c, j, "type", type) < 0 ||
        !cJSON_AddStringToObject(j, "name", cmd->name) ||
        !cJSON_AddStringToObject(j, "description",
                                 chat ? cmd->description : ""))
        goto nomem;
    if (chat && cmd->options && cmd->options[0].type &&
        build_options(c, cmd->options, LEVEL_COMMAND, j) < 0)
        goto out;
    c->opt[0] = '\0';
    if (cmd->default_member_permissions &&
        !cJSON_AddStringToObject(j, "default_member_permissions",
                                 cmd->default_member_permissions))
        goto nomem;
    if (cmd->default_member_perms) {
        char bits[24];

        snprintf(bits, sizeof bits, "%llu",
                 (unsigned long long)cmd->default_member_perms);
        if (!cJSON_AddStringToObject(j, "default_member_permissions", bits))
            goto nomem;
    }
    if (add_localizations(c, j, "name_localizations", cmd->name_localizations,
                          cmd->name, (struct loc_rule){ 1, chat, 32 }) < 0 ||
        (chat &&
         add_localizations(c, j, "description_localizations",
                           cmd->description_localizations, cmd->description,
                           (struct loc_rule){ 0, 0, 100 }) < 0))
        goto out;
    if ((cmd->contexts && add_bits(c, j, "contexts", cmd->contexts) < 0) ||
        (cmd->integration_types &&
         add_bits(c, j, "integration_types", cmd->integration_types) < 0))
        goto out;
    if (cmd->nsfw && !cJSON_AddTrueToObject(j, "nsfw"))
        goto nomem;
    if (merge_extra(c, j, cmd->extra_json) < 0)
        goto out;
    if (c->text > MAX_TEXT) {
        fail(c,
             "%ld characters of names, descriptions and values; the "
             "limit is %d",
             c->text, MAX_TEXT);
        goto out;
    }
    return j;
nomem:
    oom(c);
out:
    cJSON_Delete(j);
    return NULL;
}

cJSON *
dbot__commands_to_json(const dbot_command *const *cmds, size_t n, char *err,
                       size_t errlen)
{
    struct cctx c = { .err = err, .errlen = errlen };
    int count[4] = { 0 };
    static const int limit[4] = { 0, DBOT__MAX_CHAT_COMMANDS,
                                  DBOT__MAX_USER_COMMANDS,
                                  DBOT__MAX_MESSAGE_COMMANDS };
    static const char *const kind[4] = { "", "CHAT_INPUT", "USER", "MESSAGE" };
    cJSON *arr = cJSON_CreateArray();
    size_t i, k;

    if (err && errlen)
        err[0] = '\0';
    if (!arr) {
        oom(&c);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const dbot_command *cmd = cmds ? cmds[i] : NULL;
        cJSON *j;
        int t;

        if (cmd && cmd->name)
            snprintf(c.cmd, sizeof c.cmd, "command \"%.64s\"", cmd->name);
        else
            snprintf(c.cmd, sizeof c.cmd, "commands[%zu]", i);
        c.opt[0] = '\0';
        if (!cmd) {
            fail(&c, "is NULL");
            goto fail;
        }
        t = cmd->type ? cmd->type : DBOT_CMD_CHAT_INPUT;
        for (k = 0; k < i; k++) {
            int tk = cmds[k]->type ? cmds[k]->type : DBOT_CMD_CHAT_INPUT;

            if (tk == t && cmd->name && cmds[k]->name &&
                strcmp(cmd->name, cmds[k]->name) == 0) {
                fail(&c, "declared twice");
                goto fail;
            }
        }
        if (!(j = build_command(&c, cmd)))
            goto fail;
        cJSON_AddItemToArray(arr, j);
        if (++count[t] > limit[t]) {
            fail(&c, "more than %d %s commands in one scope", limit[t],
                 kind[t]);
            goto fail;
        }
    }
    return arr;
fail:
    cJSON_Delete(arr);
    return NULL;
}
