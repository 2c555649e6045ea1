/*
 * views.h: views and waits (the public <dbot/view.h>). Views route their
 * components through two reserved prefix routes ("dbot.v:" for components
 * and modals, "dbot.w:" for modal waits) registered on the interaction
 * layer when the module is made; everything else about a view lives
 * here. api_view.c holds the public calls that need the bot (creating,
 * editing through REST).
 *
 * THREADS. Loop thread only.
 */
#ifndef DBOT_SRC_VIEWS_H
#define DBOT_SRC_VIEWS_H

#include <dbot/view.h>

#include <stddef.h>

struct dbot__loop;
struct dbot__interactions;
struct dbot__views;

struct dbot__views_deps {
    dbot *bot; /* passed to callbacks only */
    struct dbot__loop *loop;
    struct dbot__interactions *ixs; /* where the routes go */
};

/* Returns 0, DBOT_ENOMEM. */
int dbot__views_new(struct dbot__views **out, const struct dbot__views_deps *d);
/* End every view and wait (DBOT_VIEW_SHUTDOWN, waits told NULL) and
 * refuse new ones: the start of a stop, while REST can still carry the
 * on_end edits. */
void dbot__views_stop_all(struct dbot__views *vs);
/* stop_all, then free. The loop must still exist. NULL is a no-op. */
void dbot__views_free(struct dbot__views *vs);

/* MESSAGE_DELETE and MESSAGE_DELETE_BULK end the views of the messages
 * deleted; other events are ignored. `d` is the event's data. */
void dbot__views_on_event(struct dbot__views *vs, const char *name,
                          const cJSON *d);

int dbot__views_create(struct dbot__views *vs, const dbot_view_opts *o,
                       dbot_view **out);
int dbot__views_modal_wait(struct dbot__views *vs, uint64_t user_id,
                           int64_t timeout_ms, dbot_wait_fn fn, void *data,
                           char *custom_id, size_t len);

/* Where an edit of v's message goes: the bound interaction (NULL if none
 * or its token is too old to use), and the channel message ids (0 when
 * unknown). */
void dbot__view_target(const dbot_view *v, dbot_interaction **ix,
                       uint64_t *channel_id, uint64_t *message_id);

/* Live views and modal waits (tests). */
size_t dbot__views_live(const struct dbot__views *vs);

#endif
