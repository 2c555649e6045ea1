/*
 * build.c: the pieces the message and modal builders share (build.h).
 *
 * Limits are counted in characters (code points) because that is how
 * Discord counts them; the strict UTF-8 decoder also refuses text Discord
 * would refuse.
 */
#include "build.h"
#include "emoji.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
dbot__bld_fail(struct dbot__bld *b, int code, const char *fmt, ...)
{
    va_list ap;

    if (b->code)
        return b->code;
    b->code = code;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return code;
}

int
dbot__bld_nomem(struct dbot__bld *b)
{
    return dbot__bld_fail(b, DBOT_ENOMEM, "out of memory");
}

/* Check `s` is 1..max characters (0..max when !required). */
int
dbot__bld_len(struct dbot__bld *b, const char *path, const char *s, long max,
              int required)
{
    long n = dbot__utf8_len(s);

    if (required && (!s || !*s))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: empty (1-%ld characters)",
                              path, max);
    if (n < 0)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: not valid UTF-8", path);
    if (n > max)
        return dbot__bld_fail(b, DBOT_ETOOBIG,
                              "%s: longer than %ld characters (%ld)", path, max,
                              n);
    return 0;
}

/* Set obj[key] = string s, replacing. */
int
dbot__bld_str(struct dbot__bld *b, cJSON *obj, const char *key, const char *s)
{
    cJSON *v = cJSON_CreateString(s);

    if (!v)
        return dbot__bld_nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return dbot__bld_nomem(b);
    }
    return 0;
}

int
dbot__bld_num(struct dbot__bld *b, cJSON *obj, const char *key, double d)
{
    cJSON *v = cJSON_CreateNumber(d);

    if (!v)
        return dbot__bld_nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return dbot__bld_nomem(b);
    }
    return 0;
}

int
dbot__bld_item(struct dbot__bld *b, cJSON *obj, const char *key, cJSON *v)
{
    if (!v)
        return dbot__bld_nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return dbot__bld_nomem(b);
    }
    return 0;
}

int
dbot__bld_push(struct dbot__bld *b, cJSON *arr, cJSON *v)
{
    if (!v || !cJSON_AddItemToArray(arr, v)) {
        cJSON_Delete(v);
        return dbot__bld_nomem(b);
    }
    return 0;
}

int
dbot__bld_id(struct dbot__bld *b, cJSON *obj, const char *key, uint64_t id)
{
    char s[24];

    snprintf(s, sizeof s, "%llu", (unsigned long long)id);
    return dbot__bld_str(b, obj, key, s);
}

/* ---- emoji ------------------------------------------------------------ */

/* "👍" -> {name}; "<:name:id>", "<a:name:id>" or "name:id" -> {id, name,
 * animated?}. The parsing is emoji.c's, shared with reactions. */
cJSON *
dbot__bld_emoji(struct dbot__bld *b, const char *path, const char *s)
{
    struct dbot__emoji em;
    enum dbot__emoji_err err = dbot__emoji_parse(s, &em);
    char name[DBOT__EMOJI_MAX + 1], id[24];
    cJSON *e;

    if (err == DBOT__EMOJI_FORM) {
        dbot__bld_fail(b, DBOT_EINVAL, "%s.emoji: \"%s\" %s", path, s,
                       dbot__emoji_why(err));
        return NULL;
    }
    if (err) {
        dbot__bld_fail(b, DBOT_EINVAL, "%s.emoji: %s", path,
                       dbot__emoji_why(err));
        return NULL;
    }
    if (!(e = cJSON_CreateObject())) {
        dbot__bld_nomem(b);
        return NULL;
    }
    snprintf(name, sizeof name, "%.*s", (int)em.name_len, em.name);
    snprintf(id, sizeof id, "%.*s", (int)em.id_len, em.id ? em.id : "");
    if ((em.id && dbot__bld_str(b, e, "id", id) < 0) ||
        dbot__bld_str(b, e, "name", name) < 0 ||
        (em.animated &&
         dbot__bld_item(b, e, "animated", cJSON_CreateTrue()) < 0))
        goto fail;
    return e;
fail:
    cJSON_Delete(e);
    return NULL;
}

/* ---- components ------------------------------------------------------- */

/* Is custom_id used anywhere under `c` (rows, labels, components)? */
static int
id_used(const cJSON *c, const char *id, int depth)
{
    const cJSON *it;
    const char *cid;

    if (!c || depth > 4)
        return 0;
    if (cJSON_IsArray(c)) {
        cJSON_ArrayForEach(it, c) {
            if (id_used(it, id, depth + 1))
                return 1;
        }
        return 0;
    }
    cid =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "custom_id"));
    if (cid && strcmp(cid, id) == 0)
        return 1;
    return id_used(cJSON_GetObjectItemCaseSensitive(c, "component"), id,
                   depth + 1) ||
           id_used(cJSON_GetObjectItemCaseSensitive(c, "components"), id,
                   depth + 1);
}

int
dbot__bld_custom_id(struct dbot__bld *b, const char *path, const char *id,
                    const cJSON *scope)
{
    char p[96];

    snprintf(p, sizeof p, "%s.custom_id", path);
    if (dbot__bld_len(b, p, id, 100, 1) < 0)
        return b->code;
    if (id_used(scope, id, 0))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: \"%s\" is already used", p,
                              id);
    return 0;
}

static int
select_options(struct dbot__bld *b, const char *path, const dbot_select *s,
               cJSON *j, int *count)
{
    char p[128];
    cJSON *arr = cJSON_AddArrayToObject(j, "options");
    int i;

    if (!arr)
        return dbot__bld_nomem(b);
    for (i = 0; s->options && s->options[i].label; i++) {
        const dbot_select_option *o = &s->options[i];
        cJSON *oj;
        int k;

        if (i == 25)
            return dbot__bld_fail(b, DBOT_ETOOBIG, "%s.options: more than 25",
                                  path);
        snprintf(p, sizeof p, "%s.options[%d].label", path, i);
        if (dbot__bld_len(b, p, o->label, 100, 1) < 0)
            return b->code;
        snprintf(p, sizeof p, "%s.options[%d].value", path, i);
        if (dbot__bld_len(b, p, o->value, 100, 1) < 0)
            return b->code;
        for (k = 0; k < i; k++)
            if (strcmp(s->options[k].value, o->value) == 0)
                return dbot__bld_fail(b, DBOT_EINVAL,
                                      "%s: \"%s\" is used twice", p, o->value);
        snprintf(p, sizeof p, "%s.options[%d].description", path, i);
        if (o->description && dbot__bld_len(b, p, o->description, 100, 1) < 0)
            return b->code;
        if (!(oj = cJSON_CreateObject()) || dbot__bld_push(b, arr, oj) < 0)
            return dbot__bld_nomem(b);
        if (dbot__bld_str(b, oj, "label", o->label) < 0 ||
            dbot__bld_str(b, oj, "value", o->value) < 0 ||
            (o->description &&
             dbot__bld_str(b, oj, "description", o->description) < 0))
            return b->code;
        snprintf(p, sizeof p, "%s.options[%d]", path, i);
        if (o->emoji &&
            dbot__bld_item(b, oj, "emoji", dbot__bld_emoji(b, p, o->emoji)) < 0)
            return b->code;
        if (o->is_default &&
            dbot__bld_item(b, oj, "default", cJSON_CreateTrue()) < 0)
            return b->code;
    }
    if (i == 0)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "%s.options: a string select needs "
                              "1-25 options",
                              path);
    *count = i;
    return 0;
}

/* A select component, checked; custom ids must be unique within scope. */
cJSON *
dbot__bld_select(struct dbot__bld *b, const char *path, const dbot_select *s,
                 const cJSON *scope)
{
    int type = s->type ? s->type : DBOT_SELECT_STRING;
    int nopts = 25, min = s->allow_none ? 0 : s->min_values;
    char p[96];
    cJSON *j;
    int i;

    if (type != DBOT_SELECT_STRING &&
        (type < DBOT_SELECT_USER || type > DBOT_SELECT_CHANNEL)) {
        dbot__bld_fail(b, DBOT_EINVAL, "%s.type: %d is not a select (3, 5-8)",
                       path, s->type);
        return NULL;
    }
    if (dbot__bld_custom_id(b, path, s->custom_id, scope) < 0)
        return NULL;
    snprintf(p, sizeof p, "%s.placeholder", path);
    if (s->placeholder && dbot__bld_len(b, p, s->placeholder, 150, 1) < 0)
        return NULL;
    if (type != DBOT_SELECT_STRING && s->options) {
        dbot__bld_fail(b, DBOT_EINVAL,
                       "%s.options: only string selects have options", path);
        return NULL;
    }
    if (s->channel_types && type != DBOT_SELECT_CHANNEL) {
        dbot__bld_fail(b, DBOT_EINVAL, "%s.channel_types: only channel selects",
                       path);
        return NULL;
    }
    if (!(j = cJSON_CreateObject())) {
        dbot__bld_nomem(b);
        return NULL;
    }
    if (dbot__bld_num(b, j, "type", type) < 0 ||
        dbot__bld_str(b, j, "custom_id", s->custom_id) < 0)
        goto fail;
    if (type == DBOT_SELECT_STRING && select_options(b, path, s, j, &nopts) < 0)
        goto fail;
    if (min < 0 || min > 25 || s->max_values < 0 || s->max_values > 25) {
        dbot__bld_fail(b, DBOT_EINVAL,
                       "%s: min_values/max_values must be 0-25 and "
                       "1-25",
                       path);
        goto fail;
    }
    if (s->max_values && min > s->max_values) {
        dbot__bld_fail(b, DBOT_EINVAL,
                       "%s: min_values %d is above max_values %d", path, min,
                       s->max_values);
        goto fail;
    }
    if (s->max_values > nopts || min > nopts) {
        dbot__bld_fail(b, DBOT_EINVAL,
                       "%s: min/max_values exceed the %d options", path, nopts);
        goto fail;
    }
    if (s->placeholder &&
        dbot__bld_str(b, j, "placeholder", s->placeholder) < 0)
        goto fail;
    if ((s->allow_none || s->min_values) &&
        dbot__bld_num(b, j, "min_values", min) < 0)
        goto fail;
    if (s->max_values && dbot__bld_num(b, j, "max_values", s->max_values) < 0)
        goto fail;
    if (s->channel_types) {
        cJSON *ct = cJSON_CreateArray();

        if (dbot__bld_item(b, j, "channel_types", ct) < 0)
            goto fail;
        for (i = 0; i < 64; i++)
            if ((s->channel_types & ((uint64_t)1 << i)) &&
                dbot__bld_push(b, ct, cJSON_CreateNumber(i)) < 0)
                goto fail;
    }
    if (s->disabled && dbot__bld_item(b, j, "disabled", cJSON_CreateTrue()) < 0)
        goto fail;
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}
