/*
 * interaction.h (private): the interaction layer's hooks into the bot. The
 * public API is include/dbot/interaction.h.
 */
#ifndef DBOT_SRC_INTERACTION_H
#define DBOT_SRC_INTERACTION_H

#include <dbot/checks.h>
#include <dbot/interaction.h>
#include <dbot/rest.h>

#include <stdatomic.h>
#include <stdint.h>

struct dbot__interactions;
struct dbot_config;
struct dbot__loop;
struct dbot__health;
struct dbot__rest;
struct dbot__pool;

/* Counters for metrics. ack_ms_hist[i] counts acknowledgements that took
 * [2^(i-1), 2^i) ms (i = 0: under 1 ms); the last bucket is open-ended. */
#define DBOT__ACK_HIST_BUCKETS 16
struct dbot__ix_stats {
    uint64_t received;
    uint64_t acknowledged;    /* initial responses accepted by Discord */
    uint64_t auto_deferred;   /* deferred by the deadline timer */
    uint64_t unknown_routes;  /* answered "unknown command" */
    uint64_t never_answered;  /* answered with an error for the handler */
    uint64_t failed;          /* initial response refused or lost */
    uint64_t refused_locally; /* second responses, expired tokens, limits */
    uint64_t duplicates;      /* delivered again (replays): dropped */
    uint64_t ignored;         /* PING and unknown types: not answered */
    uint64_t ack_ms_hist[DBOT__ACK_HIST_BUCKETS];
    int64_t ack_ms_max;
    int64_t ack_ms_sum; /* for the metrics histogram's _sum */
};

/* What the interaction layer uses, handed over by the wiring and borrowed
 * until dbot__interactions_free. `bot` is only passed on (handlers and
 * callbacks receive it); nothing here calls into it. */
struct dbot__interactions_deps {
    dbot *bot;
    const struct dbot_config *cfg;
    struct dbot__loop *loop;     /* timers, the thread check */
    struct dbot__health *health; /* names the running handler */
    struct dbot__rest *rest;     /* answers */
    struct dbot__pool *pool;     /* offloaded work */
    const atomic_int *stopping;  /* set when the bot stops (any thread) */
};

int dbot__interactions_new(struct dbot__interactions **out,
                           const struct dbot__interactions_deps *d);
void dbot__interactions_free(struct dbot__interactions *ixs);

/* INTERACTION_CREATE from the gateway (loop thread), with the deadline
 * the gateway thread started for it (ack_guard.h), or NULL. */
struct dbot__ack;
void dbot__interactions_on_event(struct dbot__interactions *ixs, const cJSON *d,
                                 struct dbot__ack *ack);

/* The guard's deferral of `a` was answered (loop thread). */
void dbot__interactions_on_deferred(struct dbot__interactions *ixs,
                                    struct dbot__ack *a,
                                    const dbot_rest_result *res);

/* The transport hook: how an interaction's one initial response leaves.
 * Without one (the gateway's) it is POSTed to .../callback through REST;
 * an interaction that came as an HTTP request (http_ix.c) has its initial
 * response sent as that request's answer. Everything after it (edits,
 * followups) goes through REST either way.
 *
 * respond(ud, body, done, arg): send `body` (borrowed for the call) and
 * later, from the loop and never during the call, call done(bot, res,
 * arg) once with res->err 0 when it left, non-zero when it could not.
 * Returns 0, or a negative error (then done is never called).
 * elsewhere(ud): the initial response went through REST instead (it
 * carries files, which go multipart to .../callback): answer the request
 * 202 with no body, as Discord allows (§3.5). May be NULL.
 * release(ud): the interaction is freed; ud is not used again. A
 * transport whose respond was never called answers its request itself
 * then. Loop thread; also from dbot__interactions_free, after the
 * transport's listener has stopped. */
struct dbot__ix_transport {
    int kind; /* DBOT_TRANSPORT_* */
    int (*respond)(void *ud, const cJSON *body, dbot_rest_fn done, void *arg);
    void (*elsewhere)(void *ud);
    void (*release)(void *ud);
    void *ud;
};

/* An interaction that arrived as an HTTP request, verified and parsed
 * (loop thread). `t` is copied; its release runs when the interaction is
 * freed, and only if this returns 0. Returns 0 (taken: handlers run),
 * DBOT_ESTATE (a replay of an id already delivered: nothing runs),
 * DBOT_EINVAL (no id or token, or a type no handler answers), or
 * DBOT_ENOMEM. */
int dbot__interactions_on_http(struct dbot__interactions *ixs, const cJSON *d,
                               const struct dbot__ix_transport *t);
/* READY: learn the application id and sync commands once. */
void dbot__interactions_on_ready(struct dbot__interactions *ixs,
                                 const cJSON *d);

/* Takes ownership of the commands JSON array (dbot_commands_set). */
int dbot__interactions_set_commands(struct dbot__interactions *ixs,
                                    cJSON *commands);
/* command_sync.c: GET, compare, PUT only when different. */
void dbot__interactions_sync_commands(struct dbot__interactions *ixs,
                                      const cJSON *commands, uint64_t app_id);

void dbot__interactions_stats(const struct dbot__interactions *ixs,
                              struct dbot__ix_stats *out);

struct dbot__interactions *dbot__bot_interactions(dbot *bot);

/* Shutdown (loop thread). How many interactions still leave a user
 * waiting (no answer yet, or a defer not yet followed by the answer). */
int dbot__interactions_waiting(const struct dbot__interactions *ixs);
/* Answer each of those now with "the bot is restarting" (an ephemeral
 * reply, or an edit of "thinking..."). Returns how many were answered;
 * call again to catch defers that were in flight. */
int dbot__interactions_give_up(struct dbot__interactions *ixs);

/* Periodic (loop thread): forget replay-guard ids whose tokens expired,
 * so an idle bot gives that memory back. */
void dbot__interactions_tick(struct dbot__interactions *ixs);

/* The error hook (interaction_errors.c): tell dbot_on_error's function
 * about ix (kind: enum dbot_error_kind; text: what the user was told, or
 * NULL; retry_after_ms for cooldowns). Loop thread. */
void dbot__interactions_report(dbot_interaction *ix, int kind, int err,
                               const char *text, int64_t retry_after_ms);
void dbot__interactions_set_error_hook(struct dbot__interactions *ixs,
                                       dbot_error_fn fn, void *data);

/* Tests only: shorten the 15-minute token life. */
void dbot__interactions_set_token_life(struct dbot__interactions *ixs,
                                       int64_t ms);

/* interaction_offload.c's settings, kept in the registry (loop thread);
 * interactions_free frees busy_text. */
struct dbot__offload_conf {
    char *busy_text; /* the queue-full answer; NULL: the default */
    int deadline_ms; /* a job must start this soon after arrival; 0: default */
};
struct dbot__offload_conf *
dbot__interactions_offload_conf(struct dbot__interactions *ixs);

/* Routing (interaction_route.c). */
enum dbot__route_kind {
    DBOT__ROUTE_COMMAND,
    DBOT__ROUTE_COMPONENT,
    DBOT__ROUTE_MODAL,
    DBOT__ROUTE_AUTOCOMPLETE,
};

/* The dbot_on_* routes (api_interaction.c checks the arguments' thread).
 * Returns 0, DBOT_EINVAL or DBOT_ENOMEM. */
int dbot__interactions_route_add(struct dbot__interactions *ixs,
                                 enum dbot__route_kind kind, const char *key,
                                 const char *option, dbot_interaction_fn fn,
                                 const char *name, void *data);
/* dbot_interaction_set_busy_message / _set_offload_deadline's work:
 * 0, DBOT_EINVAL or DBOT_ENOMEM. */
int dbot__interactions_set_busy_message(struct dbot__interactions *ixs,
                                        const char *text);
int dbot__interactions_set_offload_deadline(struct dbot__interactions *ixs,
                                            int ms);
struct dbot__routes;
struct dbot__route_match {
    dbot_interaction_fn fn;
    const char *name; /* handler name */
    void *data;
    const char *arg; /* prefix routes: the rest of the custom_id */
};
int dbot__routes_new(struct dbot__routes **out);
void dbot__routes_free(struct dbot__routes *r);
int dbot__routes_add(struct dbot__routes *r, enum dbot__route_kind kind,
                     const char *key, const char *option,
                     dbot_interaction_fn fn, const char *name, void *data);
/* key: the command path or custom_id; option: focused option or NULL.
 * Returns 1 and fills *m, or 0 when nothing matches. */
int dbot__routes_find(const struct dbot__routes *r, enum dbot__route_kind kind,
                      const char *key, const char *option,
                      struct dbot__route_match *m);
struct dbot__routes *dbot__interactions_routes(struct dbot__interactions *ixs);
/* Route i's kind and key (borrowed); 1, or 0 past the last route. */
int dbot__routes_key(const struct dbot__routes *r, int i,
                     enum dbot__route_kind *kind, const char **key);

/* The startup check of dbot_run (interaction_startup.c): every declared
 * command (leaf path) needs a command route, and every command or
 * autocomplete route must cover a declared command. Writes one warning
 * line per finding into out (NUL-terminated, lines end in '\n', cut at
 * cap) and returns their count. Pure; commands is the JSON of
 * dbot_commands_set (NULL: nothing declared, no check). */
int dbot__routes_check(const struct dbot__routes *r, const cJSON *commands,
                       char *out, size_t cap);
/* Run dbot__routes_check on the bot's routes and declared commands and
 * log each finding as a warning. Loop thread. */
void dbot__interactions_check_routes(struct dbot__interactions *ixs);
/* List in ix_json's data the option names that the declared command at
 * `path` takes (options.h, DBOT__DECLARED_KEY); nothing when the command
 * was not declared through dbot_commands_set. Loop thread. */
/* The fallback texts of dbot_interaction_set_fallback_text
 * (interaction_fallback.c). Embedded in the interactions module, zeroed. */
struct dbot__fallback_entry;
struct dbot__fallbacks {
    struct dbot__fallback_entry *v;
    int n;
};
#define DBOT__FALLBACK_MAX 2048 /* bytes of one fallback text, NUL included */
/* Set (text NULL: remove) the text of fallback `which` (DBOT_FALLBACK_*)
 * for `locale` (NULL or "": every locale without its own). 0, DBOT_EINVAL
 * (unknown fallback or locale; text not UTF-8, empty or over 2000
 * characters), DBOT_ENOMEM. */
int dbot__fallbacks_set(struct dbot__fallbacks *f, int which,
                        const char *locale, const char *text);
void dbot__fallbacks_free(struct dbot__fallbacks *f);
/* The text of fallback `which` for ix, in buf (DBOT__FALLBACK_MAX bytes),
 * which it returns. Loop thread. */
const char *dbot__ix_fallback(const dbot_interaction *ix, int which, char *buf);
#define DBOT__IX_FALLBACK(ix, which) \
    dbot__ix_fallback((ix), (which), (char[DBOT__FALLBACK_MAX]){ 0 })
/* dbot_interaction_set_fallback_text's work. */
int dbot__interactions_set_fallback(struct dbot__interactions *ixs, int which,
                                    const char *locale, const char *text);

void dbot__ix_mark_declared(const cJSON *commands, cJSON *ix_json,
                            const char *path);

/* What arrival and routing need from an INTERACTION_CREATE, read without a
 * bot (interaction_route.c; pure, so the fuzzer calls it on any JSON).
 * Pointers are borrowed from the JSON read, except key for commands,
 * which points into path: the view must outlive its use. */
struct dbot__ix_view {
    uint64_t id, app_id;
    int type;                   /* as sent; 0 when missing */
    const char *token;          /* NULL when missing or empty */
    const char *custom_id;      /* components and modals, else NULL */
    char path[256];             /* command path ("config set"), "" if none */
    int answerable;             /* types 2-5: a handler answers it */
    enum dbot__route_kind kind; /* when answerable */
    const char *key;            /* route key: path or custom_id; may be NULL */
    const char *option;         /* autocomplete: the focused option, or NULL */
};
/* Fill *v from d. Returns 0, or DBOT_EINVAL when d lacks an id or a
 * token (nothing could answer it). */
int dbot__ix_view_read(const cJSON *d, struct dbot__ix_view *v);

#endif
