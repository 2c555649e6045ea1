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
 * acknowledging -> acknowledged, or received -> deferring -> deferred,
 * and to done once its original response is edited (enum
 * dbot_interaction_state says which call leads where); the state changes
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
 * (Components V2: 40 components); custom_id 1-100; autocomplete choices
 * with names and string values of 1-100 (of a longer list the first 25
 * are sent and the rest dropped, as dbot_autocomplete_json does: a ranked
 * list of suggestions, docs/api.md); modal custom_id 1-100, title 1-45,
 * 1-5 components. A broken limit returns DBOT_ETOOBIG (a wrong type
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
 * calls of <dbot/worker.h>, which are for the job's own thread. The object
 * handed to a handler is valid until the handler returns; to answer later
 * (after a timer, a REST call, worker-pool work), take a reference with
 * dbot_interaction_ref() and drop it with dbot_interaction_unref() when
 * done. dbot_interaction_offload() does this for you.
 */
#ifndef DBOT_INTERACTION_H
#define DBOT_INTERACTION_H

#include <dbot/dbot.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>
#include <dbot/rest.h>
#include <dbot/worker.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbot_interaction dbot_interaction;
struct dbot_command;

/* A handler returns 0, or < 0 to say it failed (if it had not answered,
 * the user is told so with an ephemeral error). It runs on the loop
 * thread; `ix` is borrowed until it returns (see dbot_interaction_ref). */
typedef int (*dbot_interaction_fn)(dbot_interaction *ix, void *data);

/* ---- routing ----------------------------------------------------------- */

/* Name: dbot_on_command (macro), dbot_on_command_named
 * Desc: route slash commands by name and subcommand path ("ping",
 *       "config set", "permissions user get"); the longest registered path
 *       wins, so "config" also catches "config set" when no handler is more
 *       specific. User and message context-menu commands route by their
 *       name ("Inspect"). The macro records the handler's name for the
 *       logs. `path` and `name` are copied; `data` is passed to fn as is.
 *       Loop thread, before or during dbot_run().
 * Returns: 0; DBOT_EINVAL (NULL bot, path or fn, or an empty path);
 *       DBOT_ENOMEM; DBOT_EWRONGTHREAD. */
#define dbot_on_command(bot, path, fn, data) \
    dbot_on_command_named(bot, path, fn, #fn, data)
DBOT_API int dbot_on_command_named(dbot *bot, const char *path,
                                   dbot_interaction_fn fn, const char *name,
                                   void *data);

/* Name: dbot_on_component (macro), dbot_on_component_named
 * Desc: route components by custom_id. An id ending in ':' is a prefix
 *       route: "vote:" matches "vote:42", and dbot_interaction_route_arg()
 *       gives "42". Exact routes win over prefix routes; longer prefixes
 *       over shorter. Copies as dbot_on_command. Loop thread.
 * Returns: as dbot_on_command_named. */
#define dbot_on_component(bot, custom_id, fn, data) \
    dbot_on_component_named(bot, custom_id, fn, #fn, data)
DBOT_API int dbot_on_component_named(dbot *bot, const char *custom_id,
                                     dbot_interaction_fn fn, const char *name,
                                     void *data);

/* Name: dbot_on_modal (macro), dbot_on_modal_named
 * Desc: route modal submits by custom_id, with the same prefix rule as
 *       dbot_on_component. Loop thread.
 * Returns: as dbot_on_command_named. */
#define dbot_on_modal(bot, custom_id, fn, data) \
    dbot_on_modal_named(bot, custom_id, fn, #fn, data)
DBOT_API int dbot_on_modal_named(dbot *bot, const char *custom_id,
                                 dbot_interaction_fn fn, const char *name,
                                 void *data);

/* Name: dbot_on_autocomplete (macro), dbot_on_autocomplete_named
 * Desc: route autocomplete by command path and focused option name
 *       (option NULL: any option of that command). Answer with
 *       dbot_interaction_autocomplete_choices() or _json(). Loop thread.
 * Returns: as dbot_on_command_named. */
#define dbot_on_autocomplete(bot, path, option, fn, data) \
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
 *       they differ, so restarts cost no command writes. Loop thread, or
 *       before dbot_run().
 * Returns: 0; DBOT_EINVAL with the problem logged (a name, a limit);
 *       DBOT_ENOMEM; DBOT_EWRONGTHREAD. */
DBOT_API int
dbot_commands_set(dbot *bot, const struct dbot_command *const *cmds, size_t n);

/* ---- reading ------------------------------------------------------------ */

/* Name: dbot_interaction_bot
 * Desc: the bot the interaction arrived on. Loop thread.
 * Returns: the bot (borrowed). */
DBOT_API dbot *dbot_interaction_bot(const dbot_interaction *ix);

/* Name: dbot_interaction_json
 * Desc: the whole interaction object as Discord sent it, for the readers
 *       of <dbot/interaction_data.h>. Loop thread.
 * Returns: borrowed as long as ix (the handler's call, or a reference). */
DBOT_API const cJSON *dbot_interaction_json(const dbot_interaction *ix);

/* Name: dbot_interaction_type, dbot_interaction_id
 * Desc: the interaction's type (enum dbot_interaction_type) and id. Loop
 *       thread.
 * Returns: the value. */
DBOT_API int dbot_interaction_type(const dbot_interaction *ix);
DBOT_API uint64_t dbot_interaction_id(const dbot_interaction *ix);

/* Name: dbot_interaction_command
 * Desc: the command path: "ping", "config set". Loop thread.
 * Returns: borrowed as long as ix; NULL for non-commands. */
DBOT_API const char *dbot_interaction_command(const dbot_interaction *ix);

/* Name: dbot_interaction_custom_id
 * Desc: the custom_id of a component or modal. Loop thread.
 * Returns: borrowed as long as ix; NULL otherwise. */
DBOT_API const char *dbot_interaction_custom_id(const dbot_interaction *ix);

/* Name: dbot_interaction_route_arg
 * Desc: for prefix routes, the custom_id after the prefix. Loop thread.
 * Returns: borrowed as long as ix; "" when not routed by a prefix. */
DBOT_API const char *dbot_interaction_route_arg(const dbot_interaction *ix);

/* Name: dbot_interaction_age_ms
 * Desc: milliseconds since the interaction arrived. Loop thread.
 * Returns: the age. */
DBOT_API int64_t dbot_interaction_age_ms(const dbot_interaction *ix);

/* How an interaction reached the bot. */
enum dbot_transport {
    DBOT_TRANSPORT_GATEWAY = 0, /* INTERACTION_CREATE on the websocket */
    DBOT_TRANSPORT_HTTP = 1,    /* a POST to interactions_listen */
};

/* Name: dbot_interaction_transport
 * Desc: whether ix came over the gateway or as an HTTP request to the
 *       bot's Interactions Endpoint. Handlers need not care: every answer
 *       works the same way (over HTTP the initial response is the
 *       request's answer, everything after it goes through REST). Loop
 *       thread.
 * Returns: DBOT_TRANSPORT_GATEWAY or DBOT_TRANSPORT_HTTP. */
DBOT_API int dbot_interaction_transport(const dbot_interaction *ix);

/* Name: dbot_interaction_options
 * Desc: the option view of the interaction, for the dbot_option_* readers
 *       of <dbot/interaction_data.h>: dbot_option_str(
 *       dbot_interaction_options(ix), "topic", "life"). The same readers
 *       work on a job (dbot_work_options) and on JSON (dbot_options_of).
 *       Loop thread.
 * Returns: the view, borrowed as long as ix; a NULL ix gives a view with
 *       no options. */
DBOT_API const dbot_options *
dbot_interaction_options(const dbot_interaction *ix);

/* ---- answering ---------------------------------------------------------- */

/* Every answering call: loop thread; what it takes is borrowed (copied
 * before it returns). The _json forms take the `data` object of the
 * response (a message object for replies, updates and edits;
 * {custom_id, title, components} for a modal; {"choices": [...]} for
 * autocomplete), exactly what the builders of <dbot/message.h> return.
 *
 * Unless a block says otherwise, they return 0 (sent, or queued behind a
 * defer in flight); DBOT_ETOOBIG or DBOT_EINVAL (over one of Discord's
 * limits listed above, or a value of the wrong type or not UTF-8; logged,
 * nothing sent); DBOT_EINVAL (NULL, or a call the interaction's type does
 * not allow); DBOT_ESTATE (an initial response was already sent: use an
 * edit or a followup; or the initial response failed); DBOT_EEXPIRED (the
 * 15-minute token ran out); DBOT_ENOMEM; DBOT_EWRONGTHREAD; or the error of
 * the request (DBOT_ESHUTDOWN when the bot is stopping). The outcome of the
 * request itself is logged, not returned. */

/* Name: dbot_interaction_reply, dbot_interaction_reply_ephemeral,
 *       dbot_interaction_reply_msg, dbot_interaction_reply_json
 * Desc: answer with a message (callback type 4): text, text only the
 *       invoking user sees, a built message, or a message object. After a
 *       defer the reply edits the original response instead.
 * Returns: as above; _msg: DBOT_EINVAL also for a builder with an error
 *       (logged with dbot_msg_error). */
DBOT_API int dbot_interaction_reply(dbot_interaction *ix, const char *content);
DBOT_API int dbot_interaction_reply_ephemeral(dbot_interaction *ix,
                                              const char *content);
DBOT_API int dbot_interaction_reply_msg(dbot_interaction *ix,
                                        const dbot_msg *m);
DBOT_API int dbot_interaction_reply_json(dbot_interaction *ix,
                                         const cJSON *data);

/* Name: dbot_interaction_defer
 * Desc: acknowledge now, answer later (type 5): the user sees
 *       "thinking..." until dbot_interaction_original_edit(). Deferring
 *       an interaction already deferred (perhaps by the ack deadline)
 *       does nothing.
 * Returns: as above. */
DBOT_API int dbot_interaction_defer(dbot_interaction *ix, int ephemeral);

/* Name: dbot_interaction_defer_update
 * Desc: components and modal submits: acknowledge now and update the
 *       message later (type 6).
 * Returns: as above; DBOT_EINVAL for other types. */
DBOT_API int dbot_interaction_defer_update(dbot_interaction *ix);

/* Name: dbot_interaction_update, dbot_interaction_update_json
 * Desc: components and modal submits: edit the message the component is
 *       on (type 7). After a defer_update it edits the message through the
 *       original-response route.
 * Returns: as above; DBOT_EINVAL for other types, or (update) a builder
 *       with an error (logged). */
DBOT_API int dbot_interaction_update(dbot_interaction *ix, const dbot_msg *m);
DBOT_API int dbot_interaction_update_json(dbot_interaction *ix,
                                          const cJSON *data);

/* Name: dbot_interaction_modal, dbot_interaction_modal_json
 * Desc: open a modal (type 9), as the initial response. Not allowed on
 *       modal submits and autocomplete.
 * Returns: as above; DBOT_EINVAL also for a builder with an error
 *       (logged). */
DBOT_API int dbot_interaction_modal(dbot_interaction *ix, const dbot_modal *m);
DBOT_API int dbot_interaction_modal_json(dbot_interaction *ix,
                                         const cJSON *data);

/* Name: dbot_interaction_autocomplete_choices,
 *       dbot_interaction_autocomplete_json
 * Desc: answer an autocomplete interaction with suggestions (type 8):
 *       choices[0..n) of the focused option's `type` (as
 *       dbot_autocomplete_json builds them), or the `data` object
 *       {"choices": [{name, value}, ...]} that dbot_autocomplete_json
 *       returns. Both use the first 25 choices and drop the rest, as the
 *       builder does, so a handler may pass all its matches; n = 0 or an
 *       empty array says "no suggestions".
 * Returns: as above; DBOT_EINVAL also for a non-autocomplete interaction,
 *       data without a "choices" array, or (choices) a choice the builder
 *       refuses (logged with the builder's message). */
DBOT_API int dbot_interaction_autocomplete_choices(dbot_interaction *ix,
                                                   const dbot_choice *choices,
                                                   size_t n, int type);
DBOT_API int dbot_interaction_autocomplete_json(dbot_interaction *ix,
                                                const cJSON *data);

/* Name: dbot_interaction_original_edit,
 *       dbot_interaction_original_edit_json
 * Desc: edit the original response (PATCH @original): text, or a message
 *       object. After a defer this is the answer. While the initial
 *       response is still in flight the edit is parked and sent when it
 *       lands (the latest edit wins). The REST form for a token without a
 *       handle is dbot_rest_interaction_original_edit().
 * Returns: as above; DBOT_ESTATE before any response or after it failed. */
DBOT_API int dbot_interaction_original_edit(dbot_interaction *ix,
                                            const char *content);
DBOT_API int dbot_interaction_original_edit_json(dbot_interaction *ix,
                                                 const cJSON *data);

/* Name: dbot_interaction_original_edit_msg, dbot_interaction_followup_msg
 * Desc: dbot_interaction_original_edit_json and
 *       dbot_interaction_followup_json with a built message (dbot_msg of
 *       <dbot/message.h>; borrowed, converted before the call returns).
 * Returns: as those; DBOT_EINVAL also for a builder with an error (logged
 *       with dbot_msg_error). */
DBOT_API int dbot_interaction_original_edit_msg(dbot_interaction *ix,
                                                const dbot_msg *m);
DBOT_API int dbot_interaction_followup_msg(dbot_interaction *ix,
                                           const dbot_msg *m);

/* Name: dbot_interaction_original_delete
 * Desc: delete the original response, once it has landed. REST form:
 *       dbot_rest_interaction_original_delete().
 * Returns: as above; DBOT_ESTATE before the initial response landed. */
DBOT_API int dbot_interaction_original_delete(dbot_interaction *ix);

/* Name: dbot_interaction_followup, dbot_interaction_followup_json
 * Desc: send another message after the initial response has landed: text
 *       (ephemeral or not) or a message object. REST form:
 *       dbot_rest_interaction_followup().
 * Returns: as above; DBOT_ESTATE before the initial response landed. */
DBOT_API int dbot_interaction_followup(dbot_interaction *ix,
                                       const char *content, int ephemeral);
DBOT_API int dbot_interaction_followup_json(dbot_interaction *ix,
                                            const cJSON *data);

/* Name: dbot_interaction_reply_files, dbot_interaction_followup_files,
 *       dbot_interaction_original_edit_files
 * Desc: a reply, a followup, or an edit of the original response,
 *       carrying files (multipart/form-data, `data` as payload_json; at
 *       most 10 files, each given as data+len, copied, or a path read on
 *       the REST thread, as for dbot_rest_ex). The reply is the initial
 *       response (type 4), or after a landed defer the edit that answers
 *       it; followups and edits need the initial response to have landed.
 *       Embeds show an upload as "attachment://name.png".
 * Returns: as above; DBOT_EINVAL also for data not an object, files NULL
 *       with n > 0, or n > 10; DBOT_ESTATE while a defer or the initial
 *       response is in flight (answers with files are not parked; wait
 *       for it) or after the interaction was answered. An unreadable path
 *       fails the request later (logged). */
DBOT_API int dbot_interaction_reply_files(dbot_interaction *ix,
                                          const cJSON *data,
                                          const dbot_rest_file *files,
                                          size_t n);
DBOT_API int dbot_interaction_followup_files(dbot_interaction *ix,
                                             const cJSON *data,
                                             const dbot_rest_file *files,
                                             size_t n);
DBOT_API int dbot_interaction_original_edit_files(dbot_interaction *ix,
                                                  const cJSON *data,
                                                  const dbot_rest_file *files,
                                                  size_t n);

/* Name: dbot_interaction_followup_edit_json, dbot_interaction_followup_delete
 * Desc: edit or delete a followup by its message id (the "id" of the
 *       message object Discord returned for it). REST forms:
 *       dbot_rest_interaction_followup_edit() and _delete().
 * Returns: as above; DBOT_EINVAL also for message_id 0; DBOT_ESTATE before
 *       the initial response landed. */
DBOT_API int dbot_interaction_followup_edit_json(dbot_interaction *ix,
                                                 uint64_t message_id,
                                                 const cJSON *data);
DBOT_API int dbot_interaction_followup_delete(dbot_interaction *ix,
                                              uint64_t message_id);

/* ---- lifetime ----------------------------------------------------------- */

/* Name: dbot_interaction_ref
 * Desc: keep ix alive past the handler (to answer after a timer, a REST
 *       call, work). Loop thread; the count is not atomic.
 * Returns: ix; NULL when ix is NULL, or off the loop thread in a debug
 *       build (logged, nothing taken). */
DBOT_API dbot_interaction *dbot_interaction_ref(dbot_interaction *ix);

/* Name: dbot_interaction_unref
 * Desc: drop a reference; the last one frees ix, and if nobody answered,
 *       the user is told the command did not respond. References still
 *       held when dbot_free() runs are released by it: do not use them
 *       after. NULL is a no-op. Loop thread (debug builds log and ignore a
 *       call from elsewhere).
 * Returns: nothing. */
DBOT_API void dbot_interaction_unref(dbot_interaction *ix);

/* States, for tests and logs. An initial response moves RECEIVED to
 * ACKNOWLEDGING (reply, update, modal, autocomplete) or DEFERRING (defer,
 * defer_update, the ack deadline); when Discord accepts it the state
 * becomes ACKNOWLEDGED or DEFERRED, and FAILED when it refuses. Editing the
 * original response (the answer after a defer, or a change to the first
 * answer) makes it DONE. Edits and followups are allowed in ACKNOWLEDGED,
 * DEFERRED and DONE. */
enum dbot_interaction_state {
    DBOT_IXS_RECEIVED = 0,  /* nothing sent yet */
    DBOT_IXS_ACKNOWLEDGING, /* an answering initial response in flight */
    DBOT_IXS_DEFERRING,     /* a deferred response in flight */
    DBOT_IXS_ACKNOWLEDGED,  /* the answering initial response landed */
    DBOT_IXS_DEFERRED,      /* deferred, waiting for the real answer */
    DBOT_IXS_DONE,          /* the original response was edited */
    DBOT_IXS_FAILED,        /* the initial response failed */
};

/* Name: dbot_interaction_state
 * Desc: where ix is in its life (enum dbot_interaction_state). Loop
 *       thread.
 * Returns: the state. */
DBOT_API int dbot_interaction_state(const dbot_interaction *ix);

/* ---- offloading blocking work ------------------------------------------- */

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
 *       queues work(w) on the bot's worker pool (<dbot/worker.h>: the job
 *       reads its options with dbot_work_options(w) and `data` with
 *       dbot_work_data(w)). When the work returns, the loop edits the
 *       original response with what the work stored with dbot_work_reply()
 *       (nothing stored: the user is told the command did not respond). A
 *       job still queued at its deadline (see
 *       dbot_interaction_set_offload_deadline) does not run and the user is
 *       told it took too long. Never blocks: when the queue is full the
 *       interaction is answered with the ephemeral busy message
 *       (dbot_interaction_set_busy_message) and DBOT_EBUSY is returned.
 *       Loop thread. `data` is the caller's; dbot never frees it.
 * Returns: 0; DBOT_EBUSY (queue full, the user was told); DBOT_ESHUTDOWN;
 *       DBOT_EINVAL (no work, or an autocomplete interaction, which cannot
 *       be deferred); DBOT_ESTATE (the initial response failed);
 *       DBOT_EEXPIRED; DBOT_ENOMEM; DBOT_EWRONGTHREAD. On error nothing was
 *       queued and, except for DBOT_EBUSY, nothing was sent, so a handler
 *       that returns the error gets the usual ephemeral error sent. */
DBOT_API int dbot_interaction_offload(dbot_interaction *ix, dbot_work_fn work,
                                      void *data);

/* Name: dbot_interaction_offload_then
 * Desc: dbot_interaction_offload() with a done callback that runs on the
 *       loop after the work (or instead of it, on timeout or shutdown) and
 *       answers itself: with dbot_interaction_reply() (after the defer it
 *       edits the original response), dbot_interaction_followup(), or by
 *       sending dbot_work_result(w). The stored reply is NOT sent for it.
 *       A done that answers nothing leaves the user told the command did
 *       not respond. `done` may be NULL (then this is
 *       dbot_interaction_offload()). Loop thread.
 * Returns: as dbot_interaction_offload(); on error done is never called. */
DBOT_API int dbot_interaction_offload_then(dbot_interaction *ix,
                                           dbot_work_fn work,
                                           dbot_interaction_done_fn done,
                                           void *data);

/* Name: dbot_interaction_set_busy_message
 * Desc: the ephemeral answer given when the worker queue is full (copied;
 *       NULL restores "I'm busy right now, please try again in a
 *       moment."). Loop thread, or before dbot_run().
 * Returns: 0; DBOT_EINVAL (NULL bot, empty or over 2000 characters or not
 *       UTF-8); DBOT_ENOMEM; DBOT_EWRONGTHREAD. */
DBOT_API int dbot_interaction_set_busy_message(dbot *bot, const char *text);

/* The answers dbot sends for the bot when it did not answer. Each reaches
 * the user as an ephemeral message (or an edit of "thinking..."). */
enum dbot_fallback {
    DBOT_FALLBACK_UNKNOWN,   /* no handler is registered for it */
    DBOT_FALLBACK_FAILED,    /* its handler returned an error */
    DBOT_FALLBACK_NO_ANSWER, /* its handler (or deferred job) never
                                answered */
    DBOT_FALLBACK_BUSY,      /* the worker queue was full (unless
                                dbot_interaction_set_busy_message set one
                                text for every locale) */
    DBOT_FALLBACK_LATE,      /* an offloaded job missed its deadline */
    DBOT_FALLBACK_STOPPING,  /* the bot stopped before answering */
    DBOT_FALLBACK_COUNT
};

/* Name: dbot_interaction_set_fallback_text
 * Desc: the text of fallback `which` for users whose client language is
 *       `locale` (one of Discord's locales, as an interaction's "locale":
 *       "de", "es-419", ...; NULL or "" for every locale without its own
 *       text). "{what}" in the text becomes what the user used: "command",
 *       "button", "menu" (select menus) or "form" (modal submits). Lookup:
 *       the user's locale, else a text of the same language ("es-ES" for
 *       "es-419"), else the text for no locale, else dbot's English
 *       ("Sorry, this {what} did not respond."). text NULL removes a text.
 *       Copied. Loop thread.
 * Returns: 0; DBOT_EINVAL (NULL bot, unknown which or locale, text empty,
 *       not UTF-8 or over 2000 characters); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_interaction_set_fallback_text(dbot *bot, int which,
                                                const char *locale,
                                                const char *text);

/* Name: dbot_interaction_set_offload_deadline
 * Desc: a job that has not started `ms` after its interaction arrived
 *       never starts; the original response is edited to say it took too
 *       long. 0 restores the default and the limit: 14 minutes, so the
 *       answer still reaches the user before the 15-minute token expires.
 *       Loop thread, or before dbot_run().
 * Returns: 0; DBOT_EINVAL (NULL bot, negative, or over 14 minutes);
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_interaction_set_offload_deadline(dbot *bot, int ms);

/* ---- deprecated (0.2 only; docs/api.md) -------------------------------- */

#ifndef DBOT_NO_DEPRECATED
/* The work function of dbot_interaction_offload(), now dbot_work_fn. */
typedef dbot_work_fn dbot_interaction_work_fn DBOT_DEPRECATED("dbot_work_fn");

/* Name: dbot_interaction_opt_str, dbot_interaction_opt_int,
 *       dbot_interaction_opt_num, dbot_interaction_opt_bool
 * Desc: deprecated: dbot_option_str/int/num/bool(
 *       dbot_interaction_options(ix), name, def). Loop thread.
 * Returns: the value, or def. */
DBOT_API const char *dbot_interaction_opt_str(const dbot_interaction *ix,
                                              const char *name, const char *def)
    DBOT_DEPRECATED("dbot_option_str");
DBOT_API int64_t dbot_interaction_opt_int(const dbot_interaction *ix,
                                          const char *name, int64_t def)
    DBOT_DEPRECATED("dbot_option_int");
DBOT_API double dbot_interaction_opt_num(const dbot_interaction *ix,
                                         const char *name, double def)
    DBOT_DEPRECATED("dbot_option_num");
DBOT_API int dbot_interaction_opt_bool(const dbot_interaction *ix,
                                       const char *name, int def)
    DBOT_DEPRECATED("dbot_option_bool");

/* Name: dbot_work_option_str, dbot_work_option_int, dbot_work_option_num,
 *       dbot_work_option_bool
 * Desc: deprecated: dbot_option_str/int/num/bool(dbot_work_options(w),
 *       name, def). The job's own thread.
 * Returns: the value, or def. */
DBOT_API const char *dbot_work_option_str(const dbot_work *w, const char *name,
                                          const char *def)
    DBOT_DEPRECATED("dbot_option_str");
DBOT_API int64_t dbot_work_option_int(const dbot_work *w, const char *name,
                                      int64_t def)
    DBOT_DEPRECATED("dbot_option_int");
DBOT_API double dbot_work_option_num(const dbot_work *w, const char *name,
                                     double def)
    DBOT_DEPRECATED("dbot_option_num");
DBOT_API int dbot_work_option_bool(const dbot_work *w, const char *name,
                                   int def) DBOT_DEPRECATED("dbot_option_bool");

/* Name: dbot_interaction_edit_original, dbot_interaction_edit_original_json,
 *       dbot_interaction_delete_original
 * Desc: deprecated: dbot_interaction_original_edit, _edit_json, _delete.
 *       Loop thread.
 * Returns: as those. */
DBOT_API int dbot_interaction_edit_original(dbot_interaction *ix,
                                            const char *content)
    DBOT_DEPRECATED("dbot_interaction_original_edit");
DBOT_API int dbot_interaction_edit_original_json(dbot_interaction *ix,
                                                 const cJSON *data)
    DBOT_DEPRECATED("dbot_interaction_original_edit_json");
DBOT_API int dbot_interaction_delete_original(dbot_interaction *ix)
    DBOT_DEPRECATED("dbot_interaction_original_delete");

/* Name: dbot_interaction_autocomplete
 * Desc: deprecated: dbot_interaction_autocomplete_json() with the bare
 *       choices array instead of the {"choices": [...]} object; like it,
 *       uses the first 25 choices. Loop thread.
 * Returns: as dbot_interaction_autocomplete_json (DBOT_EINVAL when choices
 *       is not an array). */
DBOT_API int dbot_interaction_autocomplete(dbot_interaction *ix,
                                           const cJSON *choices)
    DBOT_DEPRECATED("dbot_interaction_autocomplete_json");
#endif

#ifdef __cplusplus
}
#endif
#endif
