/*
 * dispatch.c: handlers by event name.
 *
 * A flat array scanned per event: bots register a handful of handlers, and
 * a scan of a few strcmp()s costs less than hashing the event name. Handlers
 * are appended only (there is no dbot_off), so the array can grow while an
 * event is being dispatched: the loop indexes, never holds a pointer across
 * a handler call.
 */
#include "dispatch.h"

#include "health.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct handler {
    char *event; /* "*" matches every dispatch */
    dbot_event_fn fn;
    char *fn_name; /* copied: the watchdog thread may print it any time */
    void *data;
};

struct dbot__dispatch {
    struct handler *v;
    int n, cap;
};

int
dbot__dispatch_new(struct dbot__dispatch **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : DBOT_ENOMEM;
}

void
dbot__dispatch_free(struct dbot__dispatch *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++) {
        free(d->v[i].event);
        free(d->v[i].fn_name);
    }
    free(d->v);
    free(d);
}

int
dbot__dispatch_add(struct dbot__dispatch *d, const char *event,
                   dbot_event_fn fn, const char *fn_name, void *data)
{
    struct handler *h;

    if (!*event)
        return DBOT_EINVAL;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 8;
        struct handler *v = realloc(d->v, (size_t)cap * sizeof *v);
        if (!v)
            return DBOT_ENOMEM;
        d->v = v;
        d->cap = cap;
    }
    h = &d->v[d->n];
    h->event = strdup(event);
    h->fn_name = strdup(fn_name ? fn_name : "handler");
    if (!h->event || !h->fn_name) {
        free(h->event);
        free(h->fn_name);
        return DBOT_ENOMEM;
    }
    h->fn = fn;
    h->data = data;
    d->n++;
    return 0;
}

static int
matches(const struct handler *h, const char *name)
{
    return (h->event[0] == '*' && h->event[1] == '\0') ||
           strcmp(h->event, name) == 0;
}

int
dbot__dispatch_event(struct dbot__dispatch *d, dbot *bot, const dbot_event *ev,
                     struct dbot__health *h)
{
    int ran = 0;

    for (int i = 0; i < d->n; i++) {
        if (!matches(&d->v[i], ev->name))
            continue;
        if (h)
            dbot__health_enter(h, "handler", d->v[i].fn_name, ev->name);
        d->v[i].fn(bot, ev, d->v[i].data);
        if (h)
            dbot__health_leave(h);
        ran++;
    }
    return ran;
}

int
dbot__dispatch_count(const struct dbot__dispatch *d, const char *name)
{
    int n = 0;

    for (int i = 0; i < d->n; i++)
        n += matches(&d->v[i], name);
    return n;
}
