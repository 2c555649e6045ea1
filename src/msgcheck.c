/*
 * msgcheck.c: see msgcheck.h. The limits are the builders' (message.h,
 * build.c), applied to JSON someone else built.
 */
#include "msgcheck.h"
#include "discord_limits.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

#define FLAG_COMPONENTS_V2 (1 << 15)
#define MAX_V2_COMPONENTS  40
#define MAX_DEPTH          8 /* Discord nests components 3-4 deep */

/* v (may be absent) is text of at most max characters; required: 1..max.
 * JSON null counts as absent: an edit may clear a field with it. */
static int
text(struct dbot__bld *b, const char *path, const cJSON *v, long max,
     int required)
{
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return dbot__bld_fail(b, DBOT_EINVAL, "%s: missing", path);
        return 0;
    }
    if (!cJSON_IsString(v))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: not a string", path);
    return dbot__bld_len(b, path, v->valuestring, max, required);
}

static const cJSON *
get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static long
chars(const cJSON *o, const char *k)
{
    long n = dbot__utf8_len(cJSON_GetStringValue(get(o, k)));

    return n > 0 ? n : 0;
}

long
dbot__embeds_chars(const cJSON *embeds)
{
    const cJSON *list = cJSON_IsArray(embeds) ? embeds : NULL, *e, *f;
    long n = 0;

    cJSON_ArrayForEach(e, list) {
        const cJSON *fields = get(e, "fields");

        n += chars(e, "title") + chars(e, "description");
        n += chars(get(e, "footer"), "text") + chars(get(e, "author"), "name");
        if (!cJSON_IsArray(fields))
            continue;
        cJSON_ArrayForEach(f, fields) {
            n += chars(f, "name") + chars(f, "value");
        }
    }
    return n;
}

static int
check_embed(struct dbot__bld *b, const cJSON *e, int i)
{
    const cJSON *fields = get(e, "fields"), *f;
    char p[64];
    int k = 0;

    snprintf(p, sizeof p, "embeds[%d]", i);
    if (!cJSON_IsObject(e))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: not an object", p);
    snprintf(p, sizeof p, "embeds[%d].title", i);
    if (text(b, p, get(e, "title"), 256, 0) < 0)
        return b->code;
    snprintf(p, sizeof p, "embeds[%d].description", i);
    if (text(b, p, get(e, "description"), 4096, 0) < 0)
        return b->code;
    snprintf(p, sizeof p, "embeds[%d].footer.text", i);
    if (text(b, p, get(get(e, "footer"), "text"), 2048, 0) < 0)
        return b->code;
    snprintf(p, sizeof p, "embeds[%d].author.name", i);
    if (text(b, p, get(get(e, "author"), "name"), 256, 0) < 0)
        return b->code;
    if (fields && !cJSON_IsArray(fields))
        return dbot__bld_fail(b, DBOT_EINVAL, "embeds[%d].fields: not an array",
                              i);
    if (cJSON_GetArraySize(fields) > DBOT__MAX_EMBED_FIELDS)
        return dbot__bld_fail(b, DBOT_ETOOBIG,
                              "embeds[%d].fields: more than 25", i);
    cJSON_ArrayForEach(f, fields) {
        snprintf(p, sizeof p, "embeds[%d].fields[%d].name", i, k);
        if (text(b, p, get(f, "name"), 256, 1) < 0)
            return b->code;
        snprintf(p, sizeof p, "embeds[%d].fields[%d].value", i, k);
        if (text(b, p, get(f, "value"), 1024, 1) < 0)
            return b->code;
        k++;
    }
    return 0;
}

static int check_list(struct dbot__bld *b, const char *path, const cJSON *arr,
                      int depth, int *n);

/* One component and what it holds: custom_id, label, and its children
 * ("components", a Label's "component", a Section's "accessory"), each
 * counted into *n for the V2 total. */
static int
check_one(struct dbot__bld *b, const char *path, const cJSON *c, int depth,
          int *n)
{
    static const char *const nested[] = { "component", "accessory" };
    const cJSON *type = get(c, "type");
    char p[160];

    if (!cJSON_IsObject(c))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: not an object", path);
    if (depth > MAX_DEPTH)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: nested too deep", path);
    (*n)++;
    snprintf(p, sizeof p, "%s.custom_id", path);
    if (get(c, "custom_id") && text(b, p, get(c, "custom_id"), 100, 1) < 0)
        return b->code;
    snprintf(p, sizeof p, "%s.label", path);
    if (cJSON_IsNumber(type) &&
        text(b, p, get(c, "label"), type->valueint == 18 ? 45 : 80, 0) < 0)
        return b->code;
    if (get(c, "components")) {
        snprintf(p, sizeof p, "%s.components", path);
        if (check_list(b, p, get(c, "components"), depth + 1, n) < 0)
            return b->code;
    }
    for (size_t k = 0; k < sizeof nested / sizeof nested[0]; k++) {
        snprintf(p, sizeof p, "%s.%s", path, nested[k]);
        if (get(c, nested[k]) &&
            check_one(b, p, get(c, nested[k]), depth + 1, n) < 0)
            return b->code;
    }
    return 0;
}

static int
check_list(struct dbot__bld *b, const char *path, const cJSON *arr, int depth,
           int *n)
{
    const cJSON *c;
    char p[160];
    int i = 0;

    if (!cJSON_IsArray(arr))
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: not an array", path);
    cJSON_ArrayForEach(c, arr) {
        /* A path too deep for the buffer is cut and marked: the error
         * message names the field, it need not be whole. */
        if (snprintf(p, sizeof p, "%s[%d]", path, i++) >= (int)sizeof p)
            memcpy(p + sizeof p - 4, "...", 4);
        if (check_one(b, p, c, depth, n) < 0)
            return b->code;
    }
    return 0;
}

int
dbot__check_message(struct dbot__bld *b, const cJSON *msg)
{
    const cJSON *embeds = get(msg, "embeds"), *comps = get(msg, "components");
    const cJSON *flags = get(msg, "flags"), *e, *row;
    long total;
    int i = 0, n = 0;

    if (!cJSON_IsObject(msg))
        return dbot__bld_fail(b, DBOT_EINVAL, "message: not an object");
    if (text(b, "content", get(msg, "content"), DBOT__MAX_CONTENT, 0) < 0)
        return b->code;
    if (embeds && !cJSON_IsNull(embeds)) {
        if (!cJSON_IsArray(embeds))
            return dbot__bld_fail(b, DBOT_EINVAL, "embeds: not an array");
        if (cJSON_GetArraySize(embeds) > DBOT__MAX_EMBEDS)
            return dbot__bld_fail(b, DBOT_ETOOBIG,
                                  "embeds: more than %d embeds",
                                  DBOT__MAX_EMBEDS);
        cJSON_ArrayForEach(e, embeds) {
            if (check_embed(b, e, i++) < 0)
                return b->code;
        }
        total = dbot__embeds_chars(embeds);
        if (total > DBOT__MAX_EMBED_TOTAL)
            return dbot__bld_fail(b, DBOT_ETOOBIG,
                                  "embeds: all embeds together have %ld "
                                  "characters; the limit is %d",
                                  total, DBOT__MAX_EMBED_TOTAL);
    }
    if (!comps || cJSON_IsNull(comps))
        return 0;
    if (check_list(b, "components", comps, 0, &n) < 0)
        return b->code;
    if (cJSON_IsNumber(flags) &&
        ((unsigned)flags->valuedouble & FLAG_COMPONENTS_V2)) {
        if (n > MAX_V2_COMPONENTS)
            return dbot__bld_fail(b, DBOT_ETOOBIG,
                                  "components: %d components; Components V2 "
                                  "allows %d in all",
                                  n, MAX_V2_COMPONENTS);
        return 0;
    }
    if (cJSON_GetArraySize(comps) > DBOT__MAX_ROWS)
        return dbot__bld_fail(b, DBOT_ETOOBIG,
                              "components: more than %d action rows",
                              DBOT__MAX_ROWS);
    i = 0;
    cJSON_ArrayForEach(row, comps) {
        if (cJSON_GetArraySize(get(row, "components")) > DBOT__MAX_ROW_BUTTONS)
            return dbot__bld_fail(b, DBOT_ETOOBIG,
                                  "components[%d]: more than %d components "
                                  "in a row",
                                  i, DBOT__MAX_ROW_BUTTONS);
        i++;
    }
    return 0;
}

int
dbot__check_choices(struct dbot__bld *b, const cJSON *data)
{
    const cJSON *choices = get(data, "choices"), *c;
    char p[48];
    int i = 0;

    if (!cJSON_IsArray(choices))
        return dbot__bld_fail(b, DBOT_EINVAL, "choices: not an array");
    if (cJSON_GetArraySize(choices) > DBOT__MAX_CHOICES)
        return dbot__bld_fail(b, DBOT_ETOOBIG, "choices: %d; the limit is 25",
                              cJSON_GetArraySize(choices));
    cJSON_ArrayForEach(c, choices) {
        const cJSON *v = get(c, "value");

        snprintf(p, sizeof p, "choices[%d].name", i);
        if (text(b, p, get(c, "name"), 100, 1) < 0)
            return b->code;
        snprintf(p, sizeof p, "choices[%d].value", i);
        if (!cJSON_IsNumber(v) && text(b, p, v, 100, 1) < 0)
            return b->code;
        i++;
    }
    return 0;
}

int
dbot__check_modal(struct dbot__bld *b, const cJSON *data)
{
    const cJSON *comps = get(data, "components");
    int n = 0, rows;

    if (!cJSON_IsObject(data))
        return dbot__bld_fail(b, DBOT_EINVAL, "modal: not an object");
    if (text(b, "custom_id", get(data, "custom_id"), 100, 1) < 0 ||
        text(b, "title", get(data, "title"), 45, 1) < 0)
        return b->code;
    if (!cJSON_IsArray(comps) || (rows = cJSON_GetArraySize(comps)) == 0)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "components: a modal needs 1-%d components",
                              DBOT__MAX_MODAL_ITEMS);
    if (rows > DBOT__MAX_MODAL_ITEMS)
        return dbot__bld_fail(b, DBOT_ETOOBIG, "components: more than %d",
                              DBOT__MAX_MODAL_ITEMS);
    return check_list(b, "components", comps, 0, &n);
}
