/*
 * interaction_declared.c: what dbot_commands_set declared, held against
 * what the bot does. First the routes-against-commands check dbot_run makes
 * before connecting (issue: "a registered command with no handler, a
 * handler route that matches no registered command"). A typo in
 * dbot_on_command("pnig", ...) otherwise shows only as users being told
 * "this command is not available" in production.
 *
 * DESIGN. Declared commands are walked into their leaf paths ("config set",
 * "Inspect"); a leaf is handled when a command route covers it (the route
 * is the path or a word-prefix of it, as routing matches). A command or
 * autocomplete route is live when it covers some declared path or is a
 * word-prefix of one ("config" for "config set"). Component and modal
 * routes name custom_ids, which no declaration lists, so they are not
 * checked.
 *
 * Then, per command interaction, the declared option names of its leaf go
 * into its data under DBOT__DECLARED_KEY, where options.c finds them when
 * a handler asks for a name that is absent.
 */
#include "interaction.h"

#include "interaction_impl.h"
#include "log.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 1024 /* 100 commands x 25 x 25 cannot all be leaves */

struct paths {
    char v[MAX_PATHS][100];
    int n;
};

static void
add_leaves(struct paths *p, const cJSON *opts, const char *prefix)
{
    const cJSON *o;
    int nested = 0;

    cJSON_ArrayForEach(o, opts) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        char path[100];

        if (!cJSON_IsNumber(type) || type->valueint > 2 ||
            !cJSON_IsString(name))
            continue;
        nested = 1;
        snprintf(path, sizeof path, "%s %s", prefix, name->valuestring);
        add_leaves(p, cJSON_GetObjectItemCaseSensitive(o, "options"), path);
    }
    if (!nested && p->n < MAX_PATHS)
        snprintf(p->v[p->n++], sizeof p->v[0], "%s", prefix);
}

/* "config" covers "config" and "config set". */
static int
covers(const char *route, const char *path)
{
    size_t n = strlen(route);

    return strncmp(route, path, n) == 0 && (path[n] == '\0' || path[n] == ' ');
}

static int
say(char *out, size_t cap, size_t *len, const char *line)
{
    int n = snprintf(out + *len, cap - *len, "%s\n", line);

    if (n > 0)
        *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
    return 1;
}

int
dbot__routes_check(const struct dbot__routes *r, const cJSON *commands,
                   char *out, size_t cap)
{
    struct paths *pp; /* 100 kB: on the heap, not the stack */
    enum dbot__route_kind kind;
    const char *key;
    const cJSON *c;
    size_t len = 0;
    int found = 0;
    char line[256];

    if (cap)
        out[0] = '\0';
    if (!commands || !cap || !(pp = calloc(1, sizeof *pp)))
        return 0;
    cJSON_ArrayForEach(c, commands) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");

        if (cJSON_IsString(name))
            add_leaves(pp, cJSON_GetObjectItemCaseSensitive(c, "options"),
                       name->valuestring);
    }
    for (int i = 0; i < pp->n; i++) {
        int handled = 0;

        for (int k = 0; dbot__routes_key(r, k, &kind, &key); k++)
            handled |= kind == DBOT__ROUTE_COMMAND && covers(key, pp->v[i]);
        if (!handled) {
            snprintf(line, sizeof line,
                     "command \"%s\" is registered but has no handler "
                     "(dbot_on_command); users will be told it is not "
                     "available",
                     pp->v[i]);
            found += say(out, cap, &len, line);
        }
    }
    for (int k = 0; dbot__routes_key(r, k, &kind, &key); k++) {
        int live = 0;

        if (kind != DBOT__ROUTE_COMMAND && kind != DBOT__ROUTE_AUTOCOMPLETE)
            continue;
        for (int i = 0; i < pp->n && !live; i++)
            live = covers(key, pp->v[i]) || covers(pp->v[i], key);
        if (!live) {
            snprintf(line, sizeof line,
                     "%s handler for \"%s\" matches no registered command "
                     "(a typo?)",
                     kind == DBOT__ROUTE_COMMAND ? "command" : "autocomplete",
                     key);
            found += say(out, cap, &len, line);
        }
    }
    free(pp);
    return found;
}

void
dbot__interactions_check_routes(struct dbot__interactions *ixs)
{
    char out[4096], *line, *save = NULL;

    if (!ixs ||
        dbot__routes_check(ixs->routes, ixs->commands, out, sizeof out) == 0)
        return;
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        LOG_W("commands", "%s", line);
}

/* The declared command or subcommand object at `path`, or NULL. */
static const cJSON *
declared_leaf(const cJSON *commands, const char *path)
{
    char word[100];
    const cJSON *level = commands, *hit = NULL;
    const char *p = path;

    while (*p) {
        size_t n = strcspn(p, " ");
        const cJSON *c;

        if (n >= sizeof word)
            return NULL;
        memcpy(word, p, n);
        word[n] = '\0';
        hit = NULL;
        cJSON_ArrayForEach(c, level) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");

            if (cJSON_IsString(name) && !strcmp(name->valuestring, word)) {
                hit = c;
                break;
            }
        }
        if (!hit)
            return NULL;
        level = cJSON_GetObjectItemCaseSensitive(hit, "options");
        p += n;
        p += *p == ' ';
    }
    return hit;
}

void
dbot__ix_mark_declared(const cJSON *commands, cJSON *ix_json, const char *path)
{
    cJSON *data = cJSON_GetObjectItemCaseSensitive(ix_json, "data"), *names;
    const cJSON *leaf, *o;

    if (!commands || !cJSON_IsObject(data) || !path || !*path)
        return;
    /* Not declared here (registered some other way): no opinion. */
    if (!(leaf = declared_leaf(commands, path)))
        return;
    if (!(names = cJSON_CreateArray()))
        return;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(leaf, "options")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");

        if (cJSON_IsString(name))
            cJSON_AddItemToArray(names, cJSON_CreateString(name->valuestring));
    }
    /* The interaction is a clone (json_clone.h): nothing of it may be
     * deleted, only added to. A key of that name in what Discord sent
     * (it never sends one) is renamed so ours is the one found. */
    {
        cJSON *theirs =
            cJSON_GetObjectItemCaseSensitive(data, DBOT__DECLARED_KEY);

        if (theirs && theirs->string)
            theirs->string[0] = '_';
    }
    cJSON_AddItemToObject(data, DBOT__DECLARED_KEY, names);
}
