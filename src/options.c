/*
 * options.c: read interactions. Pure getters over the interaction JSON.
 *
 * DESIGN. Handlers should never walk Discord's JSON by hand: the nesting of
 * subcommands, the split between option values (ids) and `resolved`
 * objects, the two modal layouts and the member.user / user split are each
 * a classic source of bugs. Every getter here is total: it checks every
 * type it touches, so any JSON (including the fuzzer's) yields a value or
 * "absent". Numbers that must be exact (snowflakes, permissions, INTEGER
 * options) never pass through a double they cannot survive.
 */
#include "options.h"

#include "log.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAFE_INT 9007199254740991.0 /* 2^53 - 1 */
#define MODAL_DEPTH  4 /* label > component, row > components, slack */

static const cJSON *
get(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *
get_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(get(o, key));
}

static int
get_int(const cJSON *o, const char *key, int dflt)
{
    const cJSON *v = get(o, key);

    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < -2147483647.0 || v->valuedouble > 2147483647.0)
        return dflt;
    return (int)v->valuedouble;
}

/* ---- snowflakes ------------------------------------------------------- */

int
dbot_snowflake_parse(const char *s, uint64_t *out)
{
    unsigned long long v;
    char *end;

    if (out)
        *out = 0;
    /* strtoull would take a sign, spaces and "0x"; snowflakes are digits */
    if (!s || *s < '0' || *s > '9' || strlen(s) > 20)
        return DBOT_EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return DBOT_EINVAL;
    if (out)
        *out = (uint64_t)v;
    return 0;
}

uint64_t
dbot_json_snowflake(const cJSON *v)
{
    uint64_t id;

    if (cJSON_IsString(v))
        return dbot_snowflake_parse(v->valuestring, &id) == 0 ? id : 0;
    /* Discord echoes non-string ids as numbers; only exact ones are ids */
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
        v->valuedouble <= 9007199254740992.0 &&
        v->valuedouble == floor(v->valuedouble))
        return (uint64_t)v->valuedouble;
    return 0;
}

/* ---- the interaction -------------------------------------------------- */

static const cJSON *
data_of(const cJSON *ix)
{
    const cJSON *d = get(ix, "data");

    return cJSON_IsObject(d) ? d : NULL;
}

int
dbot_ix_type(const cJSON *ix)
{
    return get_int(ix, "type", 0);
}

uint64_t
dbot_ix_id(const cJSON *ix)
{
    return dbot_json_snowflake(get(ix, "id"));
}

uint64_t
dbot_ix_application_id(const cJSON *ix)
{
    return dbot_json_snowflake(get(ix, "application_id"));
}

const char *
dbot_ix_token(const cJSON *ix)
{
    return get_str(ix, "token");
}

uint64_t
dbot_ix_guild_id(const cJSON *ix)
{
    uint64_t id = dbot_json_snowflake(get(ix, "guild_id"));

    return id ? id : dbot_json_snowflake(get(get(ix, "guild"), "id"));
}

uint64_t
dbot_ix_channel_id(const cJSON *ix)
{
    uint64_t id = dbot_json_snowflake(get(ix, "channel_id"));

    return id ? id : dbot_json_snowflake(get(get(ix, "channel"), "id"));
}

const char *
dbot_ix_locale(const cJSON *ix)
{
    return get_str(ix, "locale");
}

const char *
dbot_ix_guild_locale(const cJSON *ix)
{
    return get_str(ix, "guild_locale");
}

int
dbot_ix_context(const cJSON *ix)
{
    return get_int(ix, "context", -1);
}

const cJSON *
dbot_ix_member(const cJSON *ix)
{
    const cJSON *m = get(ix, "member");

    return cJSON_IsObject(m) ? m : NULL;
}

const cJSON *
dbot_ix_user(const cJSON *ix)
{
    const cJSON *u = get(dbot_ix_member(ix), "user");

    if (!cJSON_IsObject(u))
        u = get(ix, "user");
    return cJSON_IsObject(u) ? u : NULL;
}

uint64_t
dbot_ix_user_id(const cJSON *ix)
{
    return dbot_json_snowflake(get(dbot_ix_user(ix), "id"));
}

/* A permission bit set from its decimal string. */
static int
perms(const cJSON *v, uint64_t *out)
{
    uint64_t p = 0;

    if (out)
        *out = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || dbot_snowflake_parse(v->valuestring, &p) < 0)
        return DBOT_EINVAL;
    if (out)
        *out = p;
    return 1;
}

int
dbot_ix_app_permissions(const cJSON *ix, uint64_t *out)
{
    return perms(get(ix, "app_permissions"), out);
}

int
dbot_ix_member_permissions(const cJSON *ix, uint64_t *out)
{
    return perms(get(dbot_ix_member(ix), "permissions"), out);
}

const cJSON *
dbot_ix_resolved(const cJSON *ix, const char *kind, uint64_t id)
{
    const cJSON *map = get(get(data_of(ix), "resolved"), kind);
    char key[24];
    const cJSON *v;

    if (!kind || !id || !cJSON_IsObject(map))
        return NULL;
    snprintf(key, sizeof key, "%llu", (unsigned long long)id);
    v = get(map, key);
    return cJSON_IsObject(v) ? v : NULL;
}

/* ---- commands --------------------------------------------------------- */

const char *
dbot_ix_command_name(const cJSON *ix)
{
    return get_str(data_of(ix), "name");
}

uint64_t
dbot_ix_command_id(const cJSON *ix)
{
    return dbot_json_snowflake(get(data_of(ix), "id"));
}

int
dbot_ix_command_type(const cJSON *ix)
{
    if (!dbot_ix_command_name(ix))
        return 0;
    return get_int(data_of(ix), "type", DBOT_CMD_CHAT_INPUT);
}

/* The subcommand or group an options array selects: Discord sends exactly
 * one, as the only element. */
static const cJSON *
nested_child(const cJSON *options)
{
    const cJSON *first;
    int t;

    if (!cJSON_IsArray(options))
        return NULL;
    first = options->child;
    t = get_int(first, "type", 0);
    if (t == DBOT_OPT_SUBCOMMAND || t == DBOT_OPT_SUBCOMMAND_GROUP)
        return first;
    return NULL;
}

const cJSON *
dbot__data_leaf_options(const cJSON *data)
{
    const cJSON *opts = get(data, "options");
    const cJSON *sub;
    int depth;

    /* group > subcommand is the deepest Discord nests; stop there even if
     * a hostile payload nests further */
    for (depth = 0; depth < 2 && (sub = nested_child(opts)); depth++)
        opts = get(sub, "options");
    return cJSON_IsArray(opts) ? opts : NULL;
}

static const cJSON *
leaf_options(const cJSON *ix)
{
    return dbot__data_leaf_options(data_of(ix));
}

int
dbot_ix_command_path(const cJSON *ix, char *buf, size_t len)
{
    const char *name = dbot_ix_command_name(ix);
    const cJSON *opts, *sub;
    size_t n;
    int depth;

    if (!buf || len == 0)
        return DBOT_EINVAL;
    buf[0] = '\0';
    if (!name)
        return DBOT_ENOENT;
    n = (size_t)snprintf(buf, len, "%s", name);
    opts = get(data_of(ix), "options");
    for (depth = 0; depth < 2 && (sub = nested_child(opts)); depth++) {
        const char *sn = get_str(sub, "name");

        if (!sn)
            break;
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, " %s", sn);
        else
            n += 1 + strlen(sn);
        opts = get(sub, "options");
    }
    if (n >= len)
        return DBOT_ETOOBIG;
    return (int)n;
}

uint64_t
dbot_ix_target_id(const cJSON *ix)
{
    return dbot_json_snowflake(get(data_of(ix), "target_id"));
}

const cJSON *
dbot_ix_target(const cJSON *ix, const cJSON **member)
{
    uint64_t id = dbot_ix_target_id(ix);
    const cJSON *t = NULL;

    if (member)
        *member = NULL;
    switch (dbot_ix_command_type(ix)) {
    case DBOT_CMD_USER:
        t = dbot_ix_resolved(ix, "users", id);
        if (t && member)
            *member = dbot_ix_resolved(ix, "members", id);
        break;
    case DBOT_CMD_MESSAGE:
        t = dbot_ix_resolved(ix, "messages", id);
        break;
    }
    return t;
}

/* ---- options ---------------------------------------------------------- */

/* An absent option the command does not even declare: likely a typo. */
static void
warn_undeclared(const cJSON *ix, const char *name)
{
    const cJSON *decl = get(data_of(ix), DBOT__DECLARED_KEY), *d;

    if (!cJSON_IsArray(decl))
        return;
    cJSON_ArrayForEach(d, decl) {
        if (cJSON_IsString(d) && strcmp(d->valuestring, name) == 0)
            return;
    }
    LOG_D("options",
          "handler asked for option \"%s\", which command \"%s\" does not "
          "declare",
          name,
          get_str(data_of(ix), "name") ? get_str(data_of(ix), "name") : "?");
}

static const cJSON *
opt_find(const cJSON *ix, const char *name)
{
    const cJSON *o;

    if (!name)
        return NULL;
    cJSON_ArrayForEach(o, leaf_options(ix)) {
        const char *n = get_str(o, "name");

        if (n && strcmp(n, name) == 0)
            return o;
    }
    warn_undeclared(ix, name);
    return NULL;
}

/* Find `name`; 0 when absent, DBOT_EINVAL when its declared type is not in
 * `types` (bits 1 << DBOT_OPT_*), 1 with *value otherwise. A missing type
 * (not something Discord sends) defers to the value's JSON type. */
static int
find_typed(const cJSON *ix, const char *name, unsigned types,
           const cJSON **value)
{
    const cJSON *o = opt_find(ix, name);
    const cJSON *v = get(o, "value");
    int t = get_int(o, "type", 0);

    *value = NULL;
    if (!o || !v || cJSON_IsNull(v))
        return 0;
    if (t && (t < 0 || t > 31 || !(types & (1u << t))))
        return DBOT_EINVAL;
    *value = v;
    return 1;
}

#define T(x) (1u << (x))

static int
opt_string(const cJSON *ix, const char *name, const char *def, const char **out)
{
    const cJSON *v;
    int rc = find_typed(ix, name, T(DBOT_OPT_STRING), &v);

    if (rc == 1 && !cJSON_IsString(v))
        rc = DBOT_EINVAL;
    if (out)
        *out = rc == 1 ? v->valuestring : def;
    return rc;
}

/* Autocomplete sends what was typed so far as text. */
static int
parse_int_text(const char *s, int64_t *out)
{
    long long v;
    char *end;

    if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || (double)v > MAX_SAFE_INT || (double)v < -MAX_SAFE_INT)
        return -1;
    *out = v;
    return 0;
}

static int
opt_integer(const cJSON *ix, const char *name, int64_t def, int64_t *out)
{
    const cJSON *v;
    int rc = find_typed(ix, name, T(DBOT_OPT_INTEGER), &v);
    int64_t val = def;

    if (rc == 1) {
        if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
            v->valuedouble == floor(v->valuedouble) &&
            fabs(v->valuedouble) <= MAX_SAFE_INT)
            val = (int64_t)v->valuedouble;
        else if (!cJSON_IsString(v) || parse_int_text(v->valuestring, &val))
            rc = DBOT_EINVAL;
    }
    if (out)
        *out = rc == 1 ? val : def;
    return rc;
}

static int
opt_number(const cJSON *ix, const char *name, double def, double *out)
{
    const cJSON *v;
    int rc = find_typed(ix, name, T(DBOT_OPT_NUMBER) | T(DBOT_OPT_INTEGER), &v);
    double val = def;

    if (rc == 1) {
        char *end;

        if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
            val = v->valuedouble;
        } else if (cJSON_IsString(v) && v->valuestring[0] &&
                   v->valuestring[0] != ' ') {
            errno = 0;
            val = strtod(v->valuestring, &end);
            if (errno || *end || !isfinite(val))
                rc = DBOT_EINVAL;
        } else {
            rc = DBOT_EINVAL;
        }
    }
    if (out)
        *out = rc == 1 ? val : def;
    return rc;
}

static int
opt_boolean(const cJSON *ix, const char *name, bool def, bool *out)
{
    const cJSON *v;
    int rc = find_typed(ix, name, T(DBOT_OPT_BOOLEAN), &v);

    if (rc == 1 && !cJSON_IsBool(v))
        rc = DBOT_EINVAL;
    if (out)
        *out = rc == 1 ? cJSON_IsTrue(v) : def;
    return rc;
}

/* Shared body of the id-valued getters. A MENTIONABLE getter also reads
 * USER and ROLE options; it tells which one it got from `resolved`, then
 * from the option's declared type. */
static int
opt_ref(const cJSON *ix, const char *name, int want, dbot_ref *out)
{
    unsigned types =
        want == DBOT_OPT_MENTIONABLE
            ? T(DBOT_OPT_MENTIONABLE) | T(DBOT_OPT_USER) | T(DBOT_OPT_ROLE)
            : T(want);
    const cJSON *v;
    dbot_ref r = { 0 };
    int rc = find_typed(ix, name, types, &v);

    if (rc == 1 && !(r.id = dbot_json_snowflake(v)))
        rc = DBOT_EINVAL;
    if (rc == 1) {
        r.type = want;
        switch (want) {
        case DBOT_OPT_MENTIONABLE:
        case DBOT_OPT_USER:
            if (want == DBOT_OPT_MENTIONABLE) {
                r.type = get_int(opt_find(ix, name), "type", want);
                if (dbot_ix_resolved(ix, "users", r.id))
                    r.type = DBOT_OPT_USER;
                else if (dbot_ix_resolved(ix, "roles", r.id))
                    r.type = DBOT_OPT_ROLE;
                if (r.type == DBOT_OPT_ROLE)
                    r.object = dbot_ix_resolved(ix, "roles", r.id);
                if (r.type != DBOT_OPT_USER)
                    break;
            }
            r.object = dbot_ix_resolved(ix, "users", r.id);
            if (r.object)
                r.member = dbot_ix_resolved(ix, "members", r.id);
            break;
        case DBOT_OPT_CHANNEL:
            r.object = dbot_ix_resolved(ix, "channels", r.id);
            break;
        case DBOT_OPT_ROLE:
            r.object = dbot_ix_resolved(ix, "roles", r.id);
            break;
        case DBOT_OPT_ATTACHMENT:
            r.object = dbot_ix_resolved(ix, "attachments", r.id);
            break;
        }
    }
    if (out)
        *out = rc == 1 ? r : (dbot_ref){ 0 };
    return rc;
}

static const cJSON *
opt_focused(const cJSON *ix, const char **name, const char **value)
{
    const cJSON *o;

    if (name)
        *name = NULL;
    if (value)
        *value = NULL;
    cJSON_ArrayForEach(o, leaf_options(ix)) {
        if (!cJSON_IsTrue(get(o, "focused")))
            continue;
        if (name)
            *name = get_str(o, "name");
        if (value)
            *value = get_str(o, "value");
        return o;
    }
    return NULL;
}

/* ---- components ------------------------------------------------------- */

const char *
dbot_ix_custom_id(const cJSON *ix)
{
    return get_str(data_of(ix), "custom_id");
}

int
dbot_ix_component_type(const cJSON *ix)
{
    return get_int(data_of(ix), "component_type", 0);
}

int
dbot_ix_values_count(const cJSON *ix)
{
    const cJSON *v = get(data_of(ix), "values");

    return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
}

const char *
dbot_ix_value(const cJSON *ix, int i)
{
    const cJSON *v = get(data_of(ix), "values");

    if (!cJSON_IsArray(v) || i < 0)
        return NULL;
    return cJSON_GetStringValue(cJSON_GetArrayItem(v, i));
}

const cJSON *
dbot_ix_message(const cJSON *ix)
{
    const cJSON *m = get(ix, "message");

    return cJSON_IsObject(m) ? m : NULL;
}

/* ---- modal submits ---------------------------------------------------- */

/* Depth-first search through `component` (Label) and `components` (action
 * rows, and whatever layouts come next) for an interactive component with
 * this custom_id. Depth is bounded against hostile nesting. */
static const cJSON *
find_component(const cJSON *c, const char *custom_id, int depth)
{
    const cJSON *list, *it, *hit;
    const char *cid;

    if (depth > MODAL_DEPTH || !cJSON_IsObject(c))
        return NULL;
    cid = get_str(c, "custom_id");
    if (cid && strcmp(cid, custom_id) == 0)
        return c;
    if ((hit = find_component(get(c, "component"), custom_id, depth + 1)))
        return hit;
    list = get(c, "components");
    if (!cJSON_IsArray(list))
        return NULL;
    cJSON_ArrayForEach(it, list) {
        if ((hit = find_component(it, custom_id, depth + 1)))
            return hit;
    }
    return NULL;
}

const cJSON *
dbot_ix_modal_component(const cJSON *ix, const char *custom_id)
{
    const cJSON *comps = get(data_of(ix), "components");
    const cJSON *it, *hit;

    if (!custom_id || !cJSON_IsArray(comps))
        return NULL;
    cJSON_ArrayForEach(it, comps) {
        if ((hit = find_component(it, custom_id, 0)))
            return hit;
    }
    return NULL;
}

const char *
dbot_ix_modal_value(const cJSON *ix, const char *custom_id)
{
    return get_str(dbot_ix_modal_component(ix, custom_id), "value");
}

/* ---- the option readers ------------------------------------------------ */

/* A view is the holder's interaction JSON behind an incomplete type: the
 * conversion back is exact (C11 6.3.2.3p7, same object), so a view costs
 * nothing, needs no freeing and lives as long as the holder. The distinct
 * type keeps other JSON (a message, the options array) from being passed
 * where a whole interaction is read. */
static const cJSON *
json_of(const dbot_options *o)
{
    return (const cJSON *)(const void *)o;
}

const dbot_options *
dbot_options_of(const cJSON *json)
{
    return (const dbot_options *)(const void *)json;
}

const cJSON *
dbot_option_find(const dbot_options *o, const char *name)
{
    return opt_find(json_of(o), name);
}

const cJSON *
dbot_option_list(const dbot_options *o)
{
    return leaf_options(json_of(o));
}

int
dbot_option_type(const dbot_options *o, const char *name)
{
    const cJSON *opt = opt_find(json_of(o), name);

    return opt ? get_int(opt, "type", 0) : 0;
}

const char *
dbot_option_str(const dbot_options *o, const char *name, const char *def)
{
    const char *v = def;

    opt_string(json_of(o), name, def, &v);
    return v;
}

int64_t
dbot_option_int(const dbot_options *o, const char *name, int64_t def)
{
    int64_t v = def;

    opt_integer(json_of(o), name, def, &v);
    return v;
}

double
dbot_option_num(const dbot_options *o, const char *name, double def)
{
    double v = def;

    opt_number(json_of(o), name, def, &v);
    return v;
}

bool
dbot_option_bool(const dbot_options *o, const char *name, bool def)
{
    bool v = def;

    opt_boolean(json_of(o), name, def, &v);
    return v;
}

int
dbot_option_user(const dbot_options *o, const char *name, dbot_ref *out)
{
    return opt_ref(json_of(o), name, DBOT_OPT_USER, out);
}

int
dbot_option_member(const dbot_options *o, const char *name, dbot_ref *out)
{
    dbot_ref r;
    int rc = opt_ref(json_of(o), name, DBOT_OPT_USER, &r);

    /* A user who is not a member of the guild (or any user in a DM) has
     * no resolved member: for this reader, absent. */
    if (rc == 1 && !r.member) {
        memset(&r, 0, sizeof r);
        rc = 0;
    }
    if (out)
        *out = r;
    return rc;
}

int
dbot_option_channel(const dbot_options *o, const char *name, dbot_ref *out)
{
    return opt_ref(json_of(o), name, DBOT_OPT_CHANNEL, out);
}

int
dbot_option_role(const dbot_options *o, const char *name, dbot_ref *out)
{
    return opt_ref(json_of(o), name, DBOT_OPT_ROLE, out);
}

int
dbot_option_mentionable(const dbot_options *o, const char *name, dbot_ref *out)
{
    return opt_ref(json_of(o), name, DBOT_OPT_MENTIONABLE, out);
}

int
dbot_option_attachment(const dbot_options *o, const char *name, dbot_ref *out)
{
    return opt_ref(json_of(o), name, DBOT_OPT_ATTACHMENT, out);
}

const cJSON *
dbot_option_focused(const dbot_options *o, const char **name,
                    const char **value)
{
    return opt_focused(json_of(o), name, value);
}

/* ---- deprecated (0.2 only; docs/api.md) ---------------------------------- */

/* These keep their richer return codes (1, 0, DBOT_EINVAL) until they go:
 * callers relied on them, and dbot_option_type() now tells the same. */

const cJSON *
dbot_opt_find(const cJSON *json, const char *name)
{
    return opt_find(json, name);
}

const cJSON *
dbot_ix_options(const cJSON *json)
{
    return leaf_options(json);
}

const cJSON *
dbot_ix_focused(const cJSON *json, const char **name, const char **value)
{
    return opt_focused(json, name, value);
}

int
dbot_opt_string(const cJSON *json, const char *name, const char *def,
                const char **out)
{
    return opt_string(json, name, def, out);
}

int
dbot_opt_integer(const cJSON *json, const char *name, int64_t def, int64_t *out)
{
    return opt_integer(json, name, def, out);
}

int
dbot_opt_number(const cJSON *json, const char *name, double def, double *out)
{
    return opt_number(json, name, def, out);
}

int
dbot_opt_boolean(const cJSON *json, const char *name, bool def, bool *out)
{
    return opt_boolean(json, name, def, out);
}

int
dbot_opt_user(const cJSON *json, const char *name, dbot_ref *out)
{
    return opt_ref(json, name, DBOT_OPT_USER, out);
}

int
dbot_opt_channel(const cJSON *json, const char *name, dbot_ref *out)
{
    return opt_ref(json, name, DBOT_OPT_CHANNEL, out);
}

int
dbot_opt_role(const cJSON *json, const char *name, dbot_ref *out)
{
    return opt_ref(json, name, DBOT_OPT_ROLE, out);
}

int
dbot_opt_mentionable(const cJSON *json, const char *name, dbot_ref *out)
{
    return opt_ref(json, name, DBOT_OPT_MENTIONABLE, out);
}

int
dbot_opt_attachment(const cJSON *json, const char *name, dbot_ref *out)
{
    return opt_ref(json, name, DBOT_OPT_ATTACHMENT, out);
}
