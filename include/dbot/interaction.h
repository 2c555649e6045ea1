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
 * NEVER SILENT. A handler that returns < 0 without answering, or lets go of
 * the interaction (returns without answering and holds no reference), gets
 * an ephemeral error answered for it; a deferred interaction that nobody
 * completes is edited to an error after interaction_timeout_ms. An
 * interaction that matches no route is answered "unknown command".
 *
 * THREADS AND LIFETIME. Everything here is loop-thread only. The object
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

DBOT_API dbot_interaction *dbot_interaction_ref(dbot_interaction *ix);
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

#ifdef __cplusplus
}
#endif
#endif
