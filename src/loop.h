/*
 * loop.h: the bottom of dbot. One libwebsockets context is the event loop;
 * this module owns it, the inbox through which other threads reach the
 * loop, and the record of which thread runs it. It includes no other
 * module, as redis's ae.c knows nothing of redis: what runs on the loop
 * (the gateway's websocket callback, timers, posted tasks) is handed to it.
 *
 * THREADS. dbot__loop_post and dbot__loop_wake may be called from any
 * thread (dbot__loop_wake also from a signal handler); everything else
 * belongs to the thread that created the loop or, once dbot__loop_enter has
 * run, to the loop thread.
 */
#ifndef DBOT_SRC_LOOP_H
#define DBOT_SRC_LOOP_H

#include "task.h"

#include <dbot/dbot.h>

#include <libwebsockets.h>

struct dbot__loop;

struct dbot__loop_opts {
    /* More lws protocols (NULL-terminated, borrowed until
     * dbot__loop_free), after the loop's own. */
    const struct lws_protocols *protocols;
    const char *ca_file; /* extra CA bundle for client TLS, or NULL */
};

/* Create the lws context. Returns 0, DBOT_ENOMEM (logged). */
int dbot__loop_new(struct dbot__loop **out, const struct dbot__loop_opts *o);

/* Destroy the lws context: every socket still open is closed and its
 * callbacks run now. Timers in the context must have been cancelled. The
 * inbox stays: tasks posted from now on wait for dbot__loop_free. */
void dbot__loop_close(struct dbot__loop *l);

/* Close (if not yet), then run the tasks still in the inbox, so they can
 * free what they carry, and free the loop. NULL is a no-op. */
void dbot__loop_free(struct dbot__loop *l);

struct lws_context *dbot__loop_lws(struct dbot__loop *l);

/* dbot__deliver_fn for a loop: queue fn(arg) and wake the loop when the
 * inbox was empty (wakeups coalesce). Any thread. Returns 0 or
 * DBOT_ENOMEM; on error fn is never called. */
int dbot__loop_post(void *loop, dbot__task_fn fn, void *arg);

/* Run the queued tasks in order, outside the lock. Loop thread. */
void dbot__loop_drain(struct dbot__loop *l);

/* 1 when tasks wait in the inbox. Any thread. */
int dbot__loop_pending(struct dbot__loop *l);

/* Interrupt lws_service. Any thread, and async-signal-safe (lws writes a
 * pipe). */
void dbot__loop_wake(struct dbot__loop *l);

/* The calling thread runs the loop from now on (enter) or no longer
 * (leave). */
void dbot__loop_enter(struct dbot__loop *l);
void dbot__loop_leave(struct dbot__loop *l);

/* 1 on the loop thread, or while no thread runs the loop (setup from
 * main). Any thread. */
int dbot__loop_on_thread(const struct dbot__loop *l);

/* Refuse a call from the wrong thread (task.h's DBOT__CHECK_THREAD_OR). */
#define DBOT__LOOP_CHECK_OR(loop, ret) \
    DBOT__CHECK_THREAD_OR(dbot__loop_on_thread(loop), ret)

/* One turn of the loop: wait for I/O, timers or a wake-up, then run them.
 * Returns < 0 when lws failed. Loop thread. */
int dbot__loop_turn(struct dbot__loop *l);

/* Run fn on the loop after `ms` (a one-shot lws timer embedded in the
 * caller's struct; rescheduling an armed one moves it). Loop thread. */
void dbot__loop_timer(struct dbot__loop *l, lws_sorted_usec_list_t *sul,
                      sul_cb_t fn, int64_t ms);

/* Write the "(repeated N times)" summaries of lws lines whose window has
 * closed (a storm of one line is logged as the line and a count). Call
 * from a periodic tick. Loop thread. */
void dbot__loop_flush_logs(struct dbot__loop *l);

#endif
