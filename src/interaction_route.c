/*
 * interaction_route.c: which handler gets an interaction.
 *
 * Commands match by their path ("config set"); the longest registered path
 * that is the whole path or a word-prefix of it wins, so a handler for
 * "config" catches every subcommand nobody claimed. Components and modals
 * match custom_id exactly, or by a prefix route (a key ending in ':'); the
 * longest prefix wins and exact routes beat prefixes. Autocomplete matches
 * the command path and, if the route names one, the focused option.
 * Bots register tens of routes, so a linear scan is the simplest fast
 * structure.
 */
#include "interaction.h"

#include <dbot/interaction_data.h>

#include <stdlib.h>
#include <string.h>

struct route {
    enum dbot__route_kind kind;
    char *key;
    char *option; /* autocomplete only; NULL = any option */
    int prefix;   /* key ends in ':' (components, modals) */
    dbot_interaction_fn fn;
    char *name; /* copied: logs and the watchdog print it */
    void *data;
};

struct dbot__routes {
    struct route *v;
    int n, cap;
};

int
dbot__routes_new(struct dbot__routes **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : DBOT_ENOMEM;
}

void
dbot__routes_free(struct dbot__routes *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        free(r->v[i].key);
        free(r->v[i].option);
        free(r->v[i].name);
    }
    free(r->v);
    free(r);
}

int
dbot__routes_add(struct dbot__routes *r, enum dbot__route_kind kind,
                 const char *key, const char *option, dbot_interaction_fn fn,
                 const char *name, void *data)
{
    struct route *e;
    size_t n;

    if (!key || !*key || !fn)
        return DBOT_EINVAL;
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 8;
        struct route *v = realloc(r->v, (size_t)cap * sizeof *v);
        if (!v)
            return DBOT_ENOMEM;
        r->v = v;
        r->cap = cap;
    }
    e = &r->v[r->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->key = strdup(key);
    e->option = option ? strdup(option) : NULL;
    e->name = strdup(name ? name : "handler");
    if (!e->key || (option && !e->option) || !e->name) {
        free(e->key);
        free(e->option);
        free(e->name);
        return DBOT_ENOMEM;
    }
    n = strlen(key);
    e->prefix = (kind == DBOT__ROUTE_COMPONENT || kind == DBOT__ROUTE_MODAL) &&
                key[n - 1] == ':';
    e->fn = fn;
    e->data = data;
    r->n++;
    return 0;
}

int
dbot__routes_key(const struct dbot__routes *r, int i,
                 enum dbot__route_kind *kind, const char **key)
{
    if (!r || i < 0 || i >= r->n)
        return 0;
    *kind = r->v[i].kind;
    *key = r->v[i].key;
    return 1;
}

/* "config" matches "config" and "config set", not "configure". */
static int
path_covers(const char *route, const char *path)
{
    size_t n = strlen(route);

    return strncmp(route, path, n) == 0 && (path[n] == '\0' || path[n] == ' ');
}

int
dbot__routes_find(const struct dbot__routes *r, enum dbot__route_kind kind,
                  const char *key, const char *option,
                  struct dbot__route_match *m)
{
    const struct route *best = NULL;
    size_t best_len = 0;
    int best_exact = 0;

    if (!key)
        return 0;
    for (int i = 0; i < r->n; i++) {
        const struct route *e = &r->v[i];
        size_t n = strlen(e->key);
        int exact;

        if (e->kind != kind)
            continue;
        if (kind == DBOT__ROUTE_COMMAND || kind == DBOT__ROUTE_AUTOCOMPLETE) {
            if (!path_covers(e->key, key))
                continue;
            if (kind == DBOT__ROUTE_AUTOCOMPLETE && e->option &&
                (!option || strcmp(e->option, option) != 0))
                continue;
            /* A route naming the option beats one that takes any. */
            exact = e->option != NULL;
        } else if (e->prefix) {
            if (strncmp(e->key, key, n) != 0)
                continue;
            exact = 0;
        } else {
            if (strcmp(e->key, key) != 0)
                continue;
            exact = 1;
        }
        if (!best || (exact && !best_exact) ||
            (exact == best_exact && n > best_len)) {
            best = e;
            best_len = n;
            best_exact = exact;
        }
    }
    if (!best)
        return 0;
    m->fn = best->fn;
    m->name = best->name;
    m->data = best->data;
    m->arg = best->prefix ? key + best_len : "";
    return 1;
}

int
dbot__ix_view_read(const cJSON *d, struct dbot__ix_view *v)
{
    memset(v, 0, sizeof *v);
    v->id = dbot_ix_id(d);
    v->app_id = dbot_ix_application_id(d);
    v->type = dbot_ix_type(d);
    v->token = dbot_ix_token(d);
    if (v->token && !v->token[0])
        v->token = NULL;
    v->custom_id = dbot_ix_custom_id(d);
    /* A path too long for the buffer is no registered route's. */
    if (dbot_ix_command_path(d, v->path, sizeof v->path) < 0)
        v->path[0] = '\0';
    v->answerable = 1;
    switch (v->type) {
    case DBOT_IX_COMMAND:
        v->kind = DBOT__ROUTE_COMMAND;
        v->key = v->path[0] ? v->path : NULL;
        break;
    case DBOT_IX_AUTOCOMPLETE:
        v->kind = DBOT__ROUTE_AUTOCOMPLETE;
        v->key = v->path[0] ? v->path : NULL;
        dbot_option_focused(dbot_options_of(d), &v->option, NULL);
        break;
    case DBOT_IX_COMPONENT:
        v->kind = DBOT__ROUTE_COMPONENT;
        v->key = v->custom_id;
        break;
    case DBOT_IX_MODAL_SUBMIT:
        v->kind = DBOT__ROUTE_MODAL;
        v->key = v->custom_id;
        break;
    default:
        /* PING (1) is for HTTP endpoints, answered with a PONG in the HTTP
         * reply; a callback to it, or to a type this version does not
         * know, would be refused. */
        v->answerable = 0;
        break;
    }
    return v->id && v->token ? 0 : DBOT_EINVAL;
}
