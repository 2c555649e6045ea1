/*
 * interaction_impl.h: what interaction.c (the state machine, deadlines,
 * lifetime, arrival), interaction_registry.c (the per-bot registry) and
 * interaction_api.c (the public calls that answer and read an
 * interaction) share. Private to those files: everything else goes
 * through interaction.h.
 *
 * THREADS. Loop thread only, like everything about interactions.
 */
#ifndef DBOT_SRC_INTERACTION_IMPL_H
#define DBOT_SRC_INTERACTION_IMPL_H

#include "ack_guard.h"
#include "interaction.h"
#include "json_clone.h"
#include "discord_limits.h"
#include "interaction_seen.h"
#include "loop.h"
#include "rest.h"

#include <dbot/checks.h>
#include <dbot/interaction.h>
#include <dbot/rest.h>

#include <libwebsockets.h>

#define TOKEN_LIFE_MS  DBOT__IX_TOKEN_LIFE_MS
#define FLAG_EPHEMERAL 64

enum cb_type {
    CB_MESSAGE = 4,
    CB_DEFER = 5,
    CB_DEFER_UPDATE = 6,
    CB_UPDATE = 7,
    CB_AUTOCOMPLETE = 8,
    CB_MODAL = 9,
};

struct dbot__interactions {
    struct dbot__interactions_deps d; /* from the wiring */
    dbot *bot;                        /* d.bot */
    struct dbot__routes *routes;
    struct dbot__ix_stats stats;
    cJSON *commands; /* what dbot_commands_set() declared, or NULL */
    uint64_t app_id;
    int synced;                        /* command sync started */
    int64_t token_life_ms;             /* 15 min; shorter only in tests */
    struct dbot__offload_conf offload; /* interaction_offload.c */
    dbot_interaction *live;            /* every interaction not yet freed */
    struct dbot__ix_seen seen;         /* ids delivered within a token's life */
    dbot_error_fn on_error;            /* dbot_on_error, or NULL */
    void *on_error_data;
    struct dbot__fallbacks fallbacks; /* interaction_fallback.c */
};

struct dbot_interaction {
    struct dbot__interactions *owner;
    int refs;
    cJSON *json; /* our copy of the interaction (json_clone.h: one
                    block, read-only, freed with dbot__json_clone_free) */
    uint64_t id, app_id;
    const char *token; /* inside json */
    int type;
    int state;
    int64_t t_recv;
    char *path; /* command path, NULL for others */
    const char *custom_id;
    const char *route_arg;
    const char *handler; /* handler name, for logs */
    cJSON *parked_edit;  /* a reply that came while deferring */
    int fell_back;       /* the error answer went out: never again */
    int silent_defer;    /* deferred with type 6: @original is the
                            component's message, not ours to overwrite */
    struct dbot__ix_transport transport; /* respond NULL: through REST */
    struct dbot__timer deadline_timer;   /* loop.h's heap: O(log n); not
                                            armed when `ack` keeps it */
    struct dbot__ack *ack; /* the gateway thread's deadline (ack_guard.h),
                              or NULL (over HTTP) */
    int guard_pending;     /* the guard's defer is in flight and holds a
                              reference on us */
    struct dbot__timer abandon_timer;
    dbot_interaction *live_prev, *live_next; /* owner->live */
};

/* An edit, followup or delete in flight: holds a reference on ix. */
struct dbot__ix_later {
    dbot_interaction *ix;
    const char *what;
    int completes_defer; /* the edit that answers a deferred interaction */
};

dbot *dbot__ix_bot_of(const dbot_interaction *ix);
/* The bot is stopping: no new work, answers say it is restarting. */
int dbot__ix_stopping(const dbot_interaction *ix);
/* The loop-thread check of every public call on an interaction. */
#define DBOT__IX_CHECK_LOOP_OR(ix, ret) \
    DBOT__LOOP_CHECK_OR((ix)->owner->d.loop, ret)
#define DBOT__IX_CHECK_LOOP(ix) DBOT__IX_CHECK_LOOP_OR(ix, DBOT_EWRONGTHREAD)
/* The 15-minute token has run out (locally: Discord would answer 401). */
int dbot__ix_expired(const dbot_interaction *ix);
/* Log a refused call and count it; returns rc. */
int dbot__ix_refuse(dbot_interaction *ix, int rc, const char *what);
/* {"content": content} (+ the ephemeral flag); NULL on ENOMEM. */
cJSON *dbot__ix_text_message(const char *content, int ephemeral);
/* Bring the state up to date with the gateway thread's guard: when it
 * deferred the interaction, RECEIVED becomes DEFERRING or DEFERRED (or,
 * for autocomplete, ACKNOWLEDGING/ACKNOWLEDGED). Every call that reads
 * the state first calls this. */
void dbot__ix_sync(dbot_interaction *ix);
/* Leave RECEIVED and send the one initial response (data may be NULL). */
int dbot__ix_send_initial(dbot_interaction *ix, int type, const cJSON *data);
/* The same with files (multipart; interaction_files.c). */
int dbot__ix_send_initial_files(dbot_interaction *ix, int type,
                                const cJSON *data, const dbot_rest_file *files,
                                size_t n);
/* PATCH @original with data; the interaction is DONE from then on. */
int dbot__ix_send_edit(dbot_interaction *ix, const cJSON *data);
/* A message answer in whatever state ix is in: initial response, parked
 * edit while a defer is in flight, edit after it, or refused. */
int dbot__ix_answer(dbot_interaction *ix, int type, const cJSON *data,
                    const char *what);
/* For followups and their edits: NULL and *rc set when not allowed yet. */
struct dbot__ix_later *dbot__ix_followup_later(dbot_interaction *ix,
                                               const char *what, int *rc);
int dbot__ix_later_fail(struct dbot__ix_later *l, int rc);
void dbot__ix_later_done(dbot *bot, const dbot_rest_result *res, void *arg);

#endif
