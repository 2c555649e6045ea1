/*
 * interaction.h: slash commands, context menus, components, modals and
 * autocomplete, with the 3-second guarantee.
 *
 * A handler receives a dbot_interaction and answers it once: reply, defer,
 * update, modal or autocomplete choices. Discord invalidates an interaction
 * that is not acknowledged within 3 s, so dbot acknowledges for you: if a
 * handler has not answered by the ack deadline (config ack_deadline_ms,
 * default 2000), dbot sends a deferred response (type 5, or type 6 for
 * components) and logs a warning naming the handler. A reply that comes
 * after that becomes an edit of the original response, transparently.
 *
 * EXACTLY ONE INITIAL RESPONSE. Each interaction moves received ->
 * acknowledging -> acknowledged or deferred -> done; the state changes
 * before any request is sent, so the auto-defer and a handler's reply can
 * never both send an initial response. A second initial response is turned
 * into the right follow-up (after a defer, a reply edits the original) or
 * refused locally with DBOT_ESTATE, never sent to fail with 40060. After
 * the token's 15 minutes every call fails locally with DBOT_EEXPIRED.
 *
 * ONCE PER INTERACTION. Discord may deliver an INTERACTION_CREATE twice
 * (a new session replaying it, two sessions while resharding). The second
 * delivery of an id seen within the token's 15 minutes is dropped and
 * logged: the handler runs once and the interaction is acknowledged once.
 * The ids are kept for those 15 minutes only (O(1) lookup, memory bounded
 * by the arrivals of one token lifetime). PING (type 1, meant for HTTP
 * endpoints) and types this version does not know reach no handler and get
 * no answer: any callback to them would be refused.
 *
 * NEVER SILENT. A handler that returns < 0 without answering, or lets go of
 * the interaction (returns without answering and holds no reference), gets
 * an ephemeral error answered for it; a deferred interaction that nobody
 * completes is edited to an error after interaction_timeout_ms. An
 * interaction that matches no route is answered "unknown command".
 *
 * DISCORD'S LIMITS, CHECKED HERE. Every answering call checks its body
 * before anything is sent, counting characters (code points) as the
 * builders of <dbot/message.h> do: content 2000; 10 embeds of 6000
 * characters together (and each embed's own limits); 5 action rows of 5
 * (Components V2: 40 components); custom_id 1-100; autocomplete 25 choices
 * with names and string values of 1-100; modal custom_id 1-100, title
 * 1-45, 1-5 components. A broken limit returns DBOT_ETOOBIG (a wrong type
 * or text that is not UTF-8: DBOT_EINVAL), logs which limit, and sends
 * nothing, so a handler that returns the error still gets the ephemeral
 * error answer for it, within the 3 s. If Discord refuses an answer anyway
 * (a 4xx other than 40060 or a dead token), the user is still told: with
 * an ephemeral error as the initial response while the 3 s last, or, when
 * the refused request was the edit answering a defer, with the error text
 * edited over "thinking...". Once; the error answer is never retried.
 *
 * THREADS AND LIFETIME. Everything here is loop-thread only, the
 * reference count included; debug builds refuse a call from another thread
 * (DBOT_EWRONGTHREAD, NULL from dbot_interaction_ref, nothing done by
 * dbot_interaction_unref) and log it. A worker hands its result back with
 * dbot_post(), or uses dbot_interaction_offload() and the dbot_work_*
 * calls below, which are for the job's own thread. The object handed to a
 * handler is valid until the handler returns; to answer later (after a
 * timer, a REST call, worker-pool work), take a reference with
 * dbot_interaction_ref() and drop it with dbot_interaction_unref() when
 * done. dbot_interaction_offload() does this for you.
 */
#ifndef DBOT_INTERACTION_H
#define DBOT_INTERACTION_H

#include <dbot/dbot.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbot_interaction dbot_interaction;
struct dbot_command;

/* A handler returns 0, or < 0 to say it failed (if it had not answered,
 * the user is told so with an ephemeral error). */
typedef int (*dbot_interaction_fn)(dbot_interaction *ix, void *data);

/* ---- routing ----------------------------------------------------------- */

/* Name: dbot_on_command
 * Desc: route slash commands by name and subcommand path ("ping",
 *       "config set", "permissions user get"); the longest registered path
 *       wins, so "config" also catches "config set" when no handler is more
 *       specific. User and message context-menu commands route by their
 *       name ("Inspect"). The macros record the handler's name for logs.
 *       `path` and `name` are copied (as with every routing call here).
 * Returns: 0, DBOT_EINVAL, DBOT_ENOMEM. Loop thread. */
#define dbot_on_command(bot, path, fn, data)                                   \
    dbot_on_command_named(bot, path, fn, #fn, data)
DBOT_API int dbot_on_command_named(dbot *bot, const char *path,
                                   dbot_interaction_fn fn, const char *name,
                                   void *data);

/* Components by custom_id. An id ending in ':' is a prefix route:
 * "vote:" matches "vote:42", and dbot_interaction_route_arg() gives "42".
 * Exact routes win over prefix routes; longer prefixes over shorter. */
#define dbot_on_component(bot, custom_id, fn, data)                            \
    dbot_on_component_named(bot, custom_id, fn, #fn, data)
DBOT_API int dbot_on_component_named(dbot *bot, const char *custom_id,
                                     dbot_interaction_fn fn, const char *name,
                                     void *data);

/* Modal submits by custom_id, with the same prefix rule. */
#define dbot_on_modal(bot, custom_id, fn, data)                                \
    dbot_on_modal_named(bot, custom_id, fn, #fn, data)
DBOT_API int dbot_on_modal_named(dbot *bot, const char *custom_id,
                                 dbot_interaction_fn fn, const char *name,
                                 void *data);

/* Autocomplete by command path and focused option name (NULL: any option
 * of that command). Answer with dbot_interaction_autocomplete(). */
#define dbot_on_autocomplete(bot, path, option, fn, data)                      \
    dbot_on_autocomplete_named(bot, path, option, fn, #fn, data)
DBOT_API int dbot_on_autocomplete_named(dbot *bot, const char *path,
                                        const char *option,
                                        dbot_interaction_fn fn,
                                        const char *name, void *data);

/* Name: dbot_commands_set
 * Desc: the application commands this bot has: `cmds` is an array of n
 *       pointers (copied to JSON at once; the structs need not outlive the
 *       call). After READY, dbot compares them with what Discord has
 *       (globally, or in config dev_guild_id) and bulk-overwrites only when
 *       they differ, so restarts cost no command writes.
 * Returns: 0, or DBOT_EINVAL with the problem logged (a name, a limit). */
DBOT_API int dbot_commands_set(dbot *bot,
                               const struct dbot_command *const *cmds,
                               size_t n);

/* ---- reading ------------------------------------------------------------ */

DBOT_API dbot *dbot_interaction_bot(const dbot_interaction *ix);
/* The whole interaction object as Discord sent it (borrowed). */
DBOT_API const cJSON *dbot_interaction_json(const dbot_interaction *ix);
DBOT_API int dbot_interaction_type(const dbot_interaction *ix);
DBOT_API uint64_t dbot_interaction_id(const dbot_interaction *ix);
/* "ping", "config set": the command path; NULL for non-commands. */
DBOT_API const char *dbot_interaction_command(const dbot_interaction *ix);
/* custom_id of a component or modal; NULL otherwise. */
DBOT_API const char *dbot_interaction_custom_id(const dbot_interaction *ix);
/* For prefix routes, the custom_id after the prefix; else "". */
DBOT_API const char *dbot_interaction_route_arg(const dbot_interaction *ix);
/* Milliseconds since the interaction arrived. */
DBOT_API int64_t dbot_interaction_age_ms(const dbot_interaction *ix);

/* Shortcuts for slash-command option values at the leaf (after any
 * subcommands): the value, or `def` when absent or of another type. For
 * everything else (the invoker, resolved users and channels, select
 * values, modal fields, the focused autocomplete option) use the readers of
 * <dbot/interaction_data.h> on dbot_interaction_json(ix). */
DBOT_API const char *dbot_interaction_opt_str(const dbot_interaction *ix,
                                              const char *name,
                                              const char *def);
DBOT_API int64_t dbot_interaction_opt_int(const dbot_interaction *ix,
                                          const char *name, int64_t def);
DBOT_API double dbot_interaction_opt_num(const dbot_interaction *ix,
                                         const char *name, double def);
DBOT_API int dbot_interaction_opt_bool(const dbot_interaction *ix,
                                       const char *name, int def);

/* ---- answering ---------------------------------------------------------- */

/* All of these: loop thread; the body is borrowed (copied before the call
 * returns). Returns 0 (sent, or queued behind a defer in flight);
 * DBOT_ETOOBIG or DBOT_EINVAL (a limit above, logged; nothing sent);
 * DBOT_EINVAL (NULL, or a call the interaction's type does not allow);
 * DBOT_ESTATE (already answered: use an edit or a followup); DBOT_EEXPIRED
 * (the 15-minute token ran out); DBOT_ENOMEM; DBOT_EWRONGTHREAD. */

/* Reply with text (type 4). After a defer: edits the original response. */
DBOT_API int dbot_interaction_reply(dbot_interaction *ix, const char *content);
/* The same, visible only to the invoking user. */
DBOT_API int dbot_interaction_reply_ephemeral(dbot_interaction *ix,
                                              const char *content);
/* Reply with a built message (content, embeds, components, flags). */
DBOT_API int dbot_interaction_reply_msg(dbot_interaction *ix,
                                        const dbot_msg *m);
/* Reply with raw message JSON ("data" of the callback; borrowed). */
DBOT_API int dbot_interaction_reply_json(dbot_interaction *ix,
                                         const cJSON *data);
/* Defer: the user sees "thinking..." (type 5); edit the original later. */
DBOT_API int dbot_interaction_defer(dbot_interaction *ix, int ephemeral);
/* Components: acknowledge now, update the message later (type 6). */
DBOT_API int dbot_interaction_defer_update(dbot_interaction *ix);
/* Components: edit the message the component is on (type 7). After a
 * defer_update: edits it through the original-response route. */
DBOT_API int dbot_interaction_update(dbot_interaction *ix,
                                     const dbot_msg *m);
DBOT_API int dbot_interaction_update_json(dbot_interaction *ix,
                                          const cJSON *data);
/* Open a modal (type 9). Not allowed on modal submits. */
DBOT_API int dbot_interaction_modal(dbot_interaction *ix,
                                    const dbot_modal *m);
DBOT_API int dbot_interaction_modal_json(dbot_interaction *ix,
                                         const cJSON *data);
/* Autocomplete result (type 8): choices is [{name, value}], <= 25. */
DBOT_API int dbot_interaction_autocomplete(dbot_interaction *ix,
                                           const cJSON *choices);

/* After the initial response: edit or delete it, send followups. */
DBOT_API int dbot_interaction_edit_original(dbot_interaction *ix,
                                            const char *content);
DBOT_API int dbot_interaction_edit_original_json(dbot_interaction *ix,
                                                 const cJSON *data);
DBOT_API int dbot_interaction_delete_original(dbot_interaction *ix);
DBOT_API int dbot_interaction_followup(dbot_interaction *ix,
                                       const char *content, int ephemeral);
DBOT_API int dbot_interaction_followup_json(dbot_interaction *ix,
                                            const cJSON *data);
/* Edit or delete a followup by its message id (from the followup's
 * message object). */
DBOT_API int dbot_interaction_followup_edit_json(dbot_interaction *ix,
                                                 uint64_t message_id,
                                                 const cJSON *data);
DBOT_API int dbot_interaction_followup_delete(dbot_interaction *ix,
                                              uint64_t message_id);

/* ---- lifetime ----------------------------------------------------------- */

/* Keep ix alive past the handler: returns ix (NULL when ix is NULL, or
 * off the loop thread in a debug build). Loop thread. */
DBOT_API dbot_interaction *dbot_interaction_ref(dbot_interaction *ix);
/* Drop a reference; the last one frees ix, and if nobody answered, the
 * user is told the command did not respond. Loop thread. References still
 * held when dbot_free() runs are released by it: do not use them after. */
DBOT_API void dbot_interaction_unref(dbot_interaction *ix);

/* States, for tests and logs. */
enum dbot_interaction_state {
    DBOT_IXS_RECEIVED = 0,   /* nothing sent yet */
    DBOT_IXS_ACKNOWLEDGING,  /* initial response in flight */
    DBOT_IXS_DEFERRING,      /* deferred response in flight */
    DBOT_IXS_ACKNOWLEDGED,   /* initial response accepted */
    DBOT_IXS_DEFERRED,       /* deferred, waiting for the real answer */
    DBOT_IXS_DONE,           /* answered; followups still allowed */
    DBOT_IXS_FAILED,         /* the initial response failed */
};
DBOT_API int dbot_interaction_state(const dbot_interaction *ix);

/* ---- offloading blocking work ------------------------------------------- */

/* A job started by dbot_interaction_offload(). The worker running it owns
 * it while the work function runs; the loop owns it afterwards. It holds a
 * copy of the interaction (token removed), made on the loop before the job
 * was queued, so the work function never touches loop-owned state. */
typedef struct dbot_work dbot_work;

/* Runs on a worker thread and may block. There it may use only its own `w`
 * (the dbot_work_* functions), dbot_post(), dbot_log(), dbot_strerror() and
 * dbot_err_name(). */
typedef void (*dbot_interaction_work_fn)(dbot_work *w);

/* Runs on the loop thread exactly once per accepted job, with the
 * interaction still referenced; `w` is freed when it returns. `status`: 0
 * (work ran), DBOT_ETIMEDOUT (the job was still queued at its deadline;
 * work did not run) or DBOT_ECANCELED (the bot shut down first; work did
 * not run). */
typedef void (*dbot_interaction_done_fn)(dbot_interaction *ix, dbot_work *w,
                                         int status);

/* Name: dbot_interaction_offload
 * Desc: answer this interaction from blocking work. Acknowledges first (a
 *       deferred response, type 5, unless the interaction was already
 *       acknowledged), keeps a reference on it, copies it into a job and
 *       queues work(w) on the bot's worker pool. When the work returns, the
 *       loop edits the original response with what the work stored with
 *       dbot_work_reply() (nothing stored: the user is told the command did
 *       not respond). A job still queued at its deadline (see
 *       dbot_interaction_set_offload_deadline) does not run and the user is
 *       told it took too long. `data` is for the work: dbot_work_data(w).
 *       Never blocks: when the queue is full the interaction is answered
 *       with the ephemeral busy message (dbot_interaction_set_busy_message)
 *       and DBOT_EBUSY is returned. Loop thread.
 * Returns: 0; DBOT_EBUSY (queue full, the user was told); DBOT_ESHUTDOWN;
 *       DBOT_EINVAL (no work, or an autocomplete interaction, which cannot
 *       be deferred); DBOT_ESTATE (the initial response failed);
 *       DBOT_EEXPIRED; DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error nothing was
 *       queued and, except for DBOT_EBUSY, nothing was sent, so a handler
 *       that returns the error gets the usual ephemeral error sent. */
DBOT_API int dbot_interaction_offload(dbot_interaction *ix,
                                      dbot_interaction_work_fn work,
                                      void *data);

/* Name: dbot_interaction_offload_then
 * Desc: dbot_interaction_offload() with a done callback that runs on the
 *       loop after the work (or instead of it, on timeout or shutdown) and
 *       answers itself: with dbot_interaction_reply() (after the defer it
 *       edits the original response), dbot_interaction_followup(), or by
 *       sending dbot_work_result(w). The stored reply is NOT sent for it.
 *       A done that answers nothing leaves the user told the command did
 *       not respond. `done` may be NULL (then this is
 *       dbot_interaction_offload()).
 * Returns: as dbot_interaction_offload(); on error done is never called. */
DBOT_API int dbot_interaction_offload_then(dbot_interaction *ix,
                                           dbot_interaction_work_fn work,
                                           dbot_interaction_done_fn done,
                                           void *data);

/* Name: dbot_interaction_set_busy_message
 * Desc: the ephemeral answer given when the worker queue is full (copied;
 *       NULL restores "I'm busy right now, please try again in a
 *       moment."). Loop thread, or before dbot_run().
 * Returns: 0, DBOT_EINVAL (empty or over 2000 characters), DBOT_ENOMEM. */
DBOT_API int dbot_interaction_set_busy_message(dbot *bot, const char *text);

/* Name: dbot_interaction_set_offload_deadline
 * Desc: a job that has not started `ms` after its interaction arrived
 *       never starts; the original response is edited to say it took too
 *       long. 0 restores the default and the limit: 14 minutes, so the
 *       answer still reaches the user before the 15-minute token expires.
 *       Loop thread, or before dbot_run().
 * Returns: 0, DBOT_EINVAL (negative, or over 14 minutes). */
DBOT_API int dbot_interaction_set_offload_deadline(dbot *bot, int ms);

/* The rest are for the job's own thread: the work function on the worker,
 * or the done callback on the loop. */

/* The `data` given to dbot_interaction_offload(). */
DBOT_API void *dbot_work_data(const dbot_work *w);
/* The copy of the interaction (borrowed until the job ends; no token). Read
 * it with the functions of <dbot/interaction_data.h>. */
DBOT_API const cJSON *dbot_work_json(const dbot_work *w);
/* Option values at the leaf, as dbot_interaction_opt_*(): `def` when
 * absent or of another type. Strings are borrowed from the job. */
DBOT_API const char *dbot_work_option_str(const dbot_work *w, const char *name,
                                          const char *def);
DBOT_API int64_t dbot_work_option_int(const dbot_work *w, const char *name,
                                      int64_t def);
DBOT_API double dbot_work_option_num(const dbot_work *w, const char *name,
                                     double def);
DBOT_API int dbot_work_option_bool(const dbot_work *w, const char *name,
                                   int def);
/* The invoking user's id (member.user or user), 0 if absent. */
DBOT_API uint64_t dbot_work_user_id(const dbot_work *w);

/* Name: dbot_work_reply, dbot_work_reply_json
 * Desc: store the answer in the job (text is copied; the JSON, a message
 *       object like {"content": ..., "embeds": [...]}, is duplicated). The
 *       loop edits the original response with it when the job ends. A
 *       later call replaces an earlier one.
 * Returns: 0; DBOT_EINVAL (NULL, text not UTF-8 or empty, JSON not an
 *       object or with a field of the wrong type); DBOT_ETOOBIG (over one
 *       of Discord's message limits, as for dbot_interaction_reply_json;
 *       logged); DBOT_ENOMEM. */
DBOT_API int dbot_work_reply(dbot_work *w, const char *text);
DBOT_API int dbot_work_reply_json(dbot_work *w, const cJSON *msg);
/* What was stored, or NULL (borrowed until the job ends). */
DBOT_API const cJSON *dbot_work_result(const dbot_work *w);

#ifdef __cplusplus
}
#endif
#endif
