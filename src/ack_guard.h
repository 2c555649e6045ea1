/*
 * ack_guard.h: the 3-second deadline of gateway interactions, kept by a
 * thread that never runs user code.
 *
 * Discord wants an initial response within 3 s of an interaction's
 * creation. The framework defers an interaction whose handler has not
 * answered by ack_deadline_ms; if that timer lived on the loop thread, a
 * handler that blocks the loop (a sleep, a slow disk) would block it too,
 * and every interaction arriving meanwhile would wait unread. So the
 * gateway thread (gateway_thread.c), which reads the interaction off the
 * socket, starts its deadline here at once: when it expires with nobody
 * having answered, the guard sends the defer itself, through the REST
 * thread, whatever the loop is doing.
 *
 * One initial response only: the record's state moves out of OPEN exactly
 * once, by compare-and-swap. The loop claims it before sending any initial
 * response (dbot__ack_claim); the guard claims it before deferring. The
 * loser learns who won: a handler that lost to the guard finds its
 * interaction deferred, and its answer becomes an edit of the original
 * response (interaction.c), as with the loop's own auto-defer.
 *
 * THREADS. dbot__ackg_track and the timers: the gateway thread.
 * dbot__ack_claim, dbot__ack_state, dbot__ack_ref/unref: any thread.
 * dbot__ack_bind, dbot__ack_bound and the on_deferred callback: the bot's
 * loop thread. dbot__ackg_new/free: the thread that builds the bot, with
 * the gateway thread not running (free: after it stopped).
 */
#ifndef DBOT_SRC_ACK_GUARD_H
#define DBOT_SRC_ACK_GUARD_H

#include "task.h"

#include <dbot/dbot.h>
#include <dbot/rest.h>

#include <cjson/cJSON.h>
#include <stdint.h>

struct dbot__ack;
struct dbot__ackg;
struct dbot__loop;
struct dbot__rest;

enum dbot__ack_state {
    DBOT__ACK_OPEN = 0, /* nobody has answered yet */
    DBOT__ACK_TAKEN,    /* the loop owns the initial response */
    DBOT__ACK_GUARD,    /* the guard deferred it (or is deferring it) */
};

struct dbot__ackg_deps {
    struct dbot__loop *loop; /* the gateway thread's: the deadline timers */
    struct dbot__rest *rest; /* the defer goes through it; its answer runs
                                on the bot's loop (the client's deliver) */
    int deadline_ms;         /* ack_deadline_ms from receipt; <= 0: no
                                guard (dbot__ackg_track returns NULL) */
    /* Where to run on_deferred when the defer could not even be sent: the
     * bot loop's dbot__loop_post. */
    dbot__deliver_fn post;
    void *post_ctx;
    /* Bot loop thread: the guard's defer was answered (res->err 0: it
     * landed) or failed. The record is alive for the call. */
    void (*on_deferred)(void *ud, struct dbot__ack *a,
                        const dbot_rest_result *res);
    void *ud;
};

/* Returns 0, DBOT_ENOMEM. */
int dbot__ackg_new(struct dbot__ackg **out, const struct dbot__ackg_deps *d);

/* Disarm every deadline still pending and drop the guard's references.
 * The gateway thread must have stopped. NULL is a no-op. */
void dbot__ackg_free(struct dbot__ackg *g);

/* An INTERACTION_CREATE's `d` arrived (gateway thread): start its
 * deadline. Returns a record holding one reference for the caller (the
 * event carrying it to the loop), or NULL when the interaction gets no
 * guard (a type nobody answers, no id or token, no deadline configured,
 * out of memory: then the loop keeps the deadline as before). */
struct dbot__ack *dbot__ackg_track(struct dbot__ackg *g, const cJSON *d);

/* Take the initial response: 1 when the caller now owns it (the guard
 * will not send one), 0 when someone else took it first. Any thread. */
int dbot__ack_claim(struct dbot__ack *a);

/* Any thread. */
enum dbot__ack_state dbot__ack_state(const struct dbot__ack *a);
/* When the gateway thread received the interaction (dbot__clock_ms). */
int64_t dbot__ack_received_ms(const struct dbot__ack *a);
/* 0 while the guard's defer is unanswered (or was never sent), 1 when it
 * landed, -1 when it failed. Bot loop thread. */
int dbot__ack_defer_result(const struct dbot__ack *a);

struct dbot__ack *dbot__ack_ref(struct dbot__ack *a);
void dbot__ack_unref(struct dbot__ack *a); /* NULL is a no-op */

/* The loop's object for this record (its dbot_interaction), for
 * on_deferred. Bot loop thread. */
void dbot__ack_bind(struct dbot__ack *a, void *owner);
void *dbot__ack_bound(const struct dbot__ack *a);

/* Records with a deadline pending (tests, metrics). Gateway thread, or
 * any thread once it stopped. */
size_t dbot__ackg_pending(const struct dbot__ackg *g);

#endif
