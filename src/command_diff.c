/*
 * command_diff.c: does what Discord has registered match what the bot
 * declares? (command_diff.h)
 *
 * Comparison is semantic, not textual: Discord adds fields (id, version,
 * application_id, ...), fills defaults (required:false, nsfw:false,
 * integration_types:[0]) and may reorder commands. Fields the comparison
 * does not know are compared only when our payload sets them (through
 * extra_json), so a field Discord adds next year cannot make every restart
 * re-register. Each kind of field has one rule (enum fkind) and each
 * object level one table of fields.
 */
#include "command_diff.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- comparing ------------------------------------------------------- */

enum fkind {
    F_TYPE,      /* number, absent = 1 */
    F_STR,       /* string, absent/null = "" */
    F_BOOL,      /* absent/null = false */
    F_NULLABLE,  /* absent = null, else exact */
    F_LOCAL,     /* localizations: absent = null = {} */
    F_SET_CTX,   /* contexts; absent = null = [0,1,2], the default */
    F_SET_GUILD, /* int set; absent = null = [0] */
    F_SET_EMPTY, /* int set; absent = null = [] */
    F_OPTIONS,   /* option list, in order; absent = null = [] */
    F_CHOICES,   /* choice list, in order; absent = null = [] */
    F_DMPERM,    /* deprecated dm_permission; see cmp_dmperm */
};

struct field {
    const char *key;
    enum fkind kind;
};

static const struct field cmd_fields[] = {
    { "type", F_TYPE },
    { "name", F_STR },
    { "description", F_STR },
    { "options", F_OPTIONS },
    { "default_member_permissions", F_NULLABLE },
    { "contexts", F_SET_CTX },
    { "integration_types", F_SET_GUILD },
    { "nsfw", F_BOOL },
    { "name_localizations", F_LOCAL },
    { "description_localizations", F_LOCAL },
    { "dm_permission", F_DMPERM },
    { NULL, F_STR },
};

static const struct field opt_fields[] = {
    { "type", F_NULLABLE },
    { "name", F_STR },
    { "description", F_STR },
    { "required", F_BOOL },
    { "choices", F_CHOICES },
    { "options", F_OPTIONS },
    { "channel_types", F_SET_EMPTY },
    { "min_value", F_NULLABLE },
    { "max_value", F_NULLABLE },
    { "min_length", F_NULLABLE },
    { "max_length", F_NULLABLE },
    { "autocomplete", F_BOOL },
    { "name_localizations", F_LOCAL },
    { "description_localizations", F_LOCAL },
    { NULL, F_STR },
};

static const struct field choice_fields[] = {
    { "name", F_STR },
    { "value", F_NULLABLE },
    { "name_localizations", F_LOCAL },
    { NULL, F_STR },
};

struct diff {
    char *why;
    size_t len;
};

static int
differ(struct diff *d, const char *path, const char *key)
{
    if (d->why && d->len)
        snprintf(d->why, d->len, "%s%s%s differs", path, *key ? "." : "", key);
    return 0;
}

static int
absent(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

/* An int set as a bit mask; -1 when it is not a list of small ints. */
static int64_t
set_mask(const cJSON *v)
{
    const cJSON *it;
    int64_t m = 0;

    if (!cJSON_IsArray(v))
        return -1;
    cJSON_ArrayForEach(it, v) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
            it->valuedouble > 62 || it->valuedouble != floor(it->valuedouble))
            return -1;
        m |= (int64_t)1 << (int)it->valuedouble;
    }
    return m;
}

static int cmp_object(const cJSON *a, const cJSON *b,
                      const struct field *fields, const char *path,
                      struct diff *d);

static int
cmp_list(const cJSON *a, const cJSON *b, const struct field *fields,
         const char *path, const char *key, struct diff *d)
{
    int na = absent(a) ? 0 : cJSON_GetArraySize(a);
    int nb = absent(b) ? 0 : cJSON_GetArraySize(b);
    char sub[256];
    int i;

    if ((!absent(a) && !cJSON_IsArray(a)) ||
        (!absent(b) && !cJSON_IsArray(b)) || na != nb)
        return differ(d, path, key);
    for (i = 0; i < na; i++) {
        const cJSON *ia = cJSON_GetArrayItem(a, i);
        const cJSON *ib = cJSON_GetArrayItem(b, i);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ia, "name");

        if (fields == opt_fields && cJSON_IsString(name))
            snprintf(sub, sizeof sub, "%s.%s", path, name->valuestring);
        else
            snprintf(sub, sizeof sub, "%s.%s[%d]", path, key, i);
        if (!cmp_object(ia, ib, fields, sub, d))
            return 0;
    }
    return 1;
}

static int
cmp_field(const cJSON *a, const cJSON *b, const cJSON *va, const cJSON *vb,
          const struct field *f, const char *path, struct diff *d)
{
    int64_t ma, mb;

    switch (f->kind) {
    case F_TYPE: {
        double ta = absent(va) ? 1 : cJSON_IsNumber(va) ? va->valuedouble : -1;
        double tb = absent(vb) ? 1 : cJSON_IsNumber(vb) ? vb->valuedouble : -1;

        return ta == tb && ta >= 0 ? 1 : differ(d, path, f->key);
    }
    case F_STR: {
        const char *sa = absent(va) ? "" : cJSON_GetStringValue(va);
        const char *sb = absent(vb) ? "" : cJSON_GetStringValue(vb);

        return sa && sb && strcmp(sa, sb) == 0 ? 1 : differ(d, path, f->key);
    }
    case F_BOOL:
        if ((!absent(va) && !cJSON_IsBool(va)) ||
            (!absent(vb) && !cJSON_IsBool(vb)))
            return differ(d, path, f->key);
        return !!cJSON_IsTrue(va) == !!cJSON_IsTrue(vb)
                   ? 1
                   : differ(d, path, f->key);
    case F_NULLABLE:
        if (absent(va) && absent(vb))
            return 1;
        if (absent(va) || absent(vb) || !cJSON_Compare(va, vb, 1))
            return differ(d, path, f->key);
        return 1;
    case F_LOCAL: {
        int ea = absent(va) || (cJSON_IsObject(va) && !va->child);
        int eb = absent(vb) || (cJSON_IsObject(vb) && !vb->child);

        if (ea && eb)
            return 1;
        if (ea || eb || !cJSON_Compare(va, vb, 1))
            return differ(d, path, f->key);
        return 1;
    }
    case F_SET_CTX:
    case F_SET_GUILD:
    case F_SET_EMPTY: {
        /* Defaults as bit masks: new global commands get every context,
         * integration_types defaults to GUILD_INSTALL. */
        int64_t dflt = f->kind == F_SET_GUILD   ? 1
                       : f->kind == F_SET_EMPTY ? 0
                                                : 7;

        ma = absent(va) ? dflt : set_mask(va);
        mb = absent(vb) ? dflt : set_mask(vb);
        if (ma == -1 || mb == -1) /* not small ints: compare as written */
            return cJSON_Compare(va, vb, 1) ? 1 : differ(d, path, f->key);
        return ma == mb ? 1 : differ(d, path, f->key);
    }
    case F_OPTIONS:
        return cmp_list(va, vb, opt_fields, path, f->key, d);
    case F_CHOICES:
        return cmp_list(va, vb, choice_fields, path, f->key, d);
    case F_DMPERM:
        /* Deprecated. With contexts set Discord derives it from them, so it
         * is only meaningful when ours sets no contexts (or sets it). */
        if (absent(va) &&
            !absent(cJSON_GetObjectItemCaseSensitive(a, "contexts")))
            return 1;
        (void)b;
        return (absent(va) || cJSON_IsTrue(va)) ==
                       (absent(vb) || cJSON_IsTrue(vb))
                   ? 1
                   : differ(d, path, f->key);
    }
    return differ(d, path, f->key);
}

static int
cmp_object(const cJSON *a, const cJSON *b, const struct field *fields,
           const char *path, struct diff *d)
{
    const struct field *f;
    const cJSON *it;

    if (!cJSON_IsObject(a) || !cJSON_IsObject(b))
        return differ(d, path, "");
    for (f = fields; f->key; f++)
        if (!cmp_field(a, b, cJSON_GetObjectItemCaseSensitive(a, f->key),
                       cJSON_GetObjectItemCaseSensitive(b, f->key), f, path, d))
            return 0;
    /* Members only ours has a say about: extra_json additions. */
    cJSON_ArrayForEach(it, a) {
        const cJSON *vb;

        for (f = fields; f->key; f++)
            if (strcmp(f->key, it->string) == 0)
                break;
        if (f->key)
            continue;
        vb = cJSON_GetObjectItemCaseSensitive(b, it->string);
        if (absent(it) && absent(vb))
            continue;
        if (absent(it) || absent(vb) || !cJSON_Compare(it, vb, 1))
            return differ(d, path, it->string);
    }
    return 1;
}

static int
cmd_type(const cJSON *c)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");

    return cJSON_IsNumber(t) ? t->valueint : 1;
}

int
dbot__commands_diff(const cJSON *ours, const cJSON *theirs, char *why,
                    size_t whylen)
{
    struct diff d = { why, whylen };
    const cJSON *a, *b;

    if (why && whylen)
        why[0] = '\0';
    if (!cJSON_IsArray(ours) || !cJSON_IsArray(theirs)) {
        differ(&d, "commands", "");
        return 0;
    }
    if (cJSON_GetArraySize(ours) != cJSON_GetArraySize(theirs)) {
        if (why && whylen)
            snprintf(why, whylen, "%d commands declared, %d registered",
                     cJSON_GetArraySize(ours), cJSON_GetArraySize(theirs));
        return 0;
    }
    cJSON_ArrayForEach(a, ours) {
        const char *name =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "name"));
        int found = 0;

        if (!name)
            return differ(&d, "commands", "");
        cJSON_ArrayForEach(b, theirs) {
            const char *nb = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(b, "name"));

            if (nb && strcmp(nb, name) == 0 && cmd_type(a) == cmd_type(b)) {
                found = 1;
                break;
            }
        }
        if (!found) {
            if (why && whylen)
                snprintf(why, whylen, "%s is not registered", name);
            return 0;
        }
        if (!cmp_object(a, b, cmd_fields, name, &d))
            return 0;
    }
    return 1;
}

int
dbot__commands_equal(const cJSON *ours, const cJSON *theirs)
{
    return dbot__commands_diff(ours, theirs, NULL, 0);
}
