/*
 * dispatch.h: the event registry. Handlers are registered per dispatch name
 * (or "*") and run on the loop, in registration order, each one timed.
 */
#ifndef DBOT_SRC_DISPATCH_H
#define DBOT_SRC_DISPATCH_H

#include <dbot/dbot.h>

struct dbot__dispatch;

int dbot__dispatch_new(struct dbot__dispatch **out);
void dbot__dispatch_free(struct dbot__dispatch *d);

/* Copies `event`; fn_name must be a string literal (the dbot_on macro). */
int dbot__dispatch_add(struct dbot__dispatch *d, const char *event,
                       dbot_event_fn fn, const char *fn_name, void *data);

/* Run every handler for ev->name, each between dbot__health_enter/leave
 * (h may be NULL), so a slow one is logged with its name and the event,
 * and a blocking one is named by the watchdog. Returns handlers run. */
struct dbot__health;
int dbot__dispatch_event(struct dbot__dispatch *d, dbot *bot,
                         const dbot_event *ev, struct dbot__health *h);

/* Number of handlers that would run for `name` (tests, metrics). */
int dbot__dispatch_count(const struct dbot__dispatch *d, const char *name);

/* Internal accessors the gateway uses. */
struct dbot__dispatch *dbot__bot_dispatch(dbot *bot);
void dbot__bot_set_self(dbot *bot, const cJSON *user);
void dbot__bot_fatal(dbot *bot, int err);

#endif
