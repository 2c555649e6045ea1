/*
 * dbot/view.h: state attached to a message's components (discord.py's
 * Views, discord.js's collectors), and waiting for the next matching
 * interaction.
 *
 * A view is a handler, a `void *state`, an inactivity timeout and an end
 * callback. Its components carry custom_ids that the view makes
 * (dbot_view_custom_id: "dbot.v:<view>:<name>"), so any number of views
 * live at once, one per message, without colliding with each other or
 * with the global dbot_on_component routes (custom_ids starting "dbot."
 * are reserved: dbot_on_component and dbot_on_modal refuse them).
 *
 *   static int
 *   poll_click(dbot_view *v, dbot_interaction *ix, const char *name,
 *              void *state)
 *   {
 *       struct poll *p = state;
 *       count_vote(p, name);                       "yes" or "no"
 *       return dbot_interaction_update(ix, poll_message(p));
 *   }
 *
 *   static void
 *   poll_end(dbot_view *v, int reason, void *state)
 *   {
 *       if (reason == DBOT_VIEW_TIMEOUT)
 *           dbot_view_edit_msg(v, closed_poll_message(state));  buttons off
 *       free(state);
 *   }
 *
 *   dbot_view_opts o = { .on_click = poll_click, .on_end = poll_end,
 *                        .state = p, .timeout_ms = 60000 };
 *   dbot_view_new(bot, &o, &v);
 *   dbot_view_custom_id(v, "yes", id_yes, sizeof id_yes);   in the buttons
 *   dbot_interaction_reply_msg(ix, m);
 *   dbot_view_bind(v, ix);            the view's message is this answer
 *
 * A view ends exactly once, and on_end is told why: its timeout passed
 * with no interaction on it (each one restarts the clock), the code
 * stopped it, its message was deleted (MESSAGE_DELETE, MESSAGE_DELETE_BULK:
 * needs the GUILD_MESSAGES or DIRECT_MESSAGES intent), or the bot is
 * stopping. A click on a view that has ended gets an ephemeral "no longer
 * active" answer, reported to the error hook as DBOT_ERROR_UNKNOWN.
 *
 * THREADS. Loop thread, for every function and callback.
 *
 * MEMORY. A view is one small allocation plus, while bound, a reference
 * on its interaction; at most DBOT_VIEW_MAX live at once per bot.
 */
#ifndef DBOT_VIEW_H
#define DBOT_VIEW_H

#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/message.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbot_view dbot_view;

#define DBOT_VIEW_MAX       100000
#define DBOT_VIEW_ID_PREFIX "dbot.v:" /* reserved custom_id prefix */
/* A buffer this long holds any custom_id a view makes. */
#define DBOT_CUSTOM_ID_LEN 101

enum dbot_view_end_reason {
    DBOT_VIEW_TIMEOUT = 1, /* timeout_ms with no interaction on it */
    DBOT_VIEW_STOPPED,     /* dbot_view_stop() */
    DBOT_VIEW_DELETED,     /* its message was deleted */
    DBOT_VIEW_SHUTDOWN,    /* the bot is stopping */
};

/* A click or select on one of the view's components (or a modal submit
 * whose custom_id the view made). `name` is the part given to
 * dbot_view_custom_id. Answer ix as any handler does; the return value is
 * a handler's. */
typedef int (*dbot_view_fn)(dbot_view *v, dbot_interaction *ix,
                            const char *name, void *state);

/* Once per view, when it ends. On DBOT_VIEW_TIMEOUT and _STOPPED it may
 * still edit its message (dbot_view_edit_msg: disable the buttons); on
 * _SHUTDOWN too, while the bot finishes. Release `state` here; the view
 * is freed when this returns. */
typedef void (*dbot_view_end_fn)(dbot_view *v, int reason, void *state);

typedef struct dbot_view_opts {
    dbot_view_fn on_click;   /* NULL: clicks are acknowledged silently */
    dbot_view_end_fn on_end; /* may be NULL */
    void *state;             /* the caller's; dbot never frees it */
    int64_t timeout_ms;      /* inactivity timeout; 0: none */
} dbot_view_opts;

/* Name: dbot_view_new
 * Desc: a live view with the given handlers and state (o is copied).
 *       Loop thread.
 * Returns: 0 and *out; DBOT_EINVAL (NULL argument, negative timeout or
 *       over DBOT_TIMER_MAX_MS); DBOT_EBUSY (DBOT_VIEW_MAX views live);
 *       DBOT_ESHUTDOWN; DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error no
 *       callback runs. */
DBOT_API int dbot_view_new(dbot *bot, const dbot_view_opts *o, dbot_view **out);

/* Name: dbot_view_custom_id
 * Desc: write the custom_id of the view's component `name` (1-60
 *       characters, no ':') into buf, for a button, select or modal.
 *       DBOT_CUSTOM_ID_LEN bytes always suffice. Loop thread.
 * Returns: 0; DBOT_EINVAL (NULL, a bad name, or buf too small). */
DBOT_API int dbot_view_custom_id(const dbot_view *v, const char *name,
                                 char *buf, size_t len);

/* Name: dbot_view_bind
 * Desc: the view's message is ix's response (a reply, or the message a
 *       component update edited): the view keeps a reference on ix so
 *       dbot_view_edit_* can edit it through the interaction token for
 *       its 15 minutes. Call after answering ix. A view also learns its
 *       message's id from the first interaction on it. Loop thread.
 * Returns: 0; DBOT_EINVAL (NULL); DBOT_ESTATE (already bound). */
DBOT_API int dbot_view_bind(dbot_view *v, dbot_interaction *ix);

/* Name: dbot_view_set_message
 * Desc: the view's message is channel message `message_id` in
 *       `channel_id` (one the bot sent with dbot_message_create), so the
 *       view can edit it and ends when it is deleted. Loop thread.
 * Returns: 0; DBOT_EINVAL (NULL view or a zero id); DBOT_ENOMEM. */
DBOT_API int dbot_view_set_message(dbot_view *v, uint64_t channel_id,
                                   uint64_t message_id);

/* Name: dbot_view_edit_json, dbot_view_edit_msg
 * Desc: edit the view's message (content, embeds, components: a message
 *       object as dbot_msg_json builds): through the bound interaction's
 *       token while it lives, else with PATCH /channels/{c}/messages/{m}.
 *       The usual use: on_end disables the buttons. Borrowed for the
 *       call. Loop thread.
 * Returns: 0 (sent); DBOT_ENOENT (no message known: not bound, never
 *       clicked, no dbot_view_set_message); DBOT_EINVAL; DBOT_ETOOBIG;
 *       DBOT_ESHUTDOWN; DBOT_ENOMEM; DBOT_EWRONGTHREAD. */
DBOT_API int dbot_view_edit_json(dbot_view *v, const cJSON *message);
DBOT_API int dbot_view_edit_msg(dbot_view *v, const dbot_msg *m);

/* Name: dbot_view_stop
 * Desc: end the view now: a waiter is told (fn with NULL), then on_end
 *       runs with DBOT_VIEW_STOPPED, then the view is freed; v is invalid
 *       afterwards. Calling it from the view's own on_click is allowed
 *       (the view ends after on_click returns). NULL is a no-op. Loop
 *       thread.
 * Returns: nothing. */
DBOT_API void dbot_view_stop(dbot_view *v);

/* Name: dbot_view_state, dbot_view_bot, dbot_view_message_id
 * Desc: the view's state, its bot, and its message id (0 while unknown).
 *       Loop thread.
 * Returns: as described; NULL or 0 for a NULL view. */
DBOT_API void *dbot_view_state(const dbot_view *v);
DBOT_API dbot *dbot_view_bot(const dbot_view *v);
DBOT_API uint64_t dbot_view_message_id(const dbot_view *v);

/* A wait's outcome: ix is the matching interaction (answer it as a
 * handler does; the return value is a handler's), or NULL when the wait
 * timed out, its view ended, or the bot is stopping (return 0). Runs
 * once. */
typedef int (*dbot_wait_fn)(dbot *bot, dbot_interaction *ix, void *data);

/* Name: dbot_view_wait
 * Desc: wait for the next interaction on the view from user `user_id`
 *       (0: anyone): it goes to fn instead of on_click. Others' clicks
 *       still reach on_click (or, without one, get an ephemeral "this is
 *       not for you"). After `timeout_ms` (1..DBOT_TIMER_MAX_MS) fn gets
 *       NULL. One wait per view at a time. Loop thread.
 * Returns: 0; DBOT_EINVAL; DBOT_EBUSY (the view already has a wait);
 *       DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error fn is never called. */
DBOT_API int dbot_view_wait(dbot_view *v, uint64_t user_id, int64_t timeout_ms,
                            dbot_wait_fn fn, void *data);

/* Name: dbot_modal_wait
 * Desc: wait for the submit of a modal: writes into custom_id (at least
 *       DBOT_CUSTOM_ID_LEN bytes) the custom_id to give the modal; its
 *       submit by `user_id` (0: anyone) goes to fn, once. After
 *       `timeout_ms` (1..DBOT_TIMER_MAX_MS) fn gets NULL, and a late
 *       submit is answered "no longer active". Loop thread.
 * Returns: 0; DBOT_EINVAL; DBOT_EBUSY (DBOT_VIEW_MAX waits live);
 *       DBOT_ESHUTDOWN; DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error fn is
 *       never called. */
DBOT_API int dbot_modal_wait(dbot *bot, uint64_t user_id, int64_t timeout_ms,
                             dbot_wait_fn fn, void *data, char *custom_id,
                             size_t len);

#ifdef __cplusplus
}
#endif

#endif
