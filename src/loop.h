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
#include "timer_heap.h"

#include <dbot/dbot.h>

#include <libwebsockets.h>

struct dbot__loop;

struct dbot__loop_opts {
    /* More lws protocols (NULL-terminated, borrowed until
     * dbot__loop_free), after the loop's own. */
    const struct lws_protocols *protocols;
    const char *ca_file; /* extra CA bundle for client TLS, or NULL */
    /* The loop makes TLS client connections (the gateway's): lws then
     * sets up OpenSSL and a client TLS context. One loop per process
     * should: a second set-up and its cleanup leak what the first
     * context holds. */
    int client_tls;
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

/* The same, without waking the loop: fn runs at the loop's next wakeup,
 * whatever causes it (a later dbot__loop_post, dbot__loop_wake, a timer,
 * a socket). The caller must make sure one comes: this is for a producer
 * that paces the loop's wakeups itself (the gateway thread). Any thread. */
int dbot__loop_post_quiet(struct dbot__loop *l, dbot__task_fn fn, void *arg);

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

/* 1 when lws holds input it has read and not yet handed to callbacks
 * (the next turn runs without waiting). Loop thread. */
int dbot__loop_has_buffered_input(struct dbot__loop *l);

/* A descriptor the loop polls for input on behalf of a module that
 * multiplexes its own (the REST client's loop lane hands it an epoll
 * descriptor). fn(arg) runs on the loop whenever fd is readable; poll is
 * level-triggered, so fn must consume what made it so. The loop owns fd
 * from now on: dbot__loop_unwatch, or the loop's close, closes it. Loop
 * thread. Returns the watch, or NULL (fd closed). */
struct dbot__loop_watch;
struct dbot__loop_watch *dbot__loop_watch(struct dbot__loop *l, int fd,
                                          dbot__task_fn fn, void *arg);

/* Stop watching and close the descriptor; fn is not called again. Also
 * after dbot__loop_close (which closed the descriptor), and before
 * dbot__loop_free: the watch itself is freed only here. NULL is a no-op.
 * Loop thread. */
void dbot__loop_unwatch(struct dbot__loop_watch *w);

/* The loop's timers: one 4-ary heap (timer_heap.h) behind one kernel
 * timer (a timerfd in lws's poll set) set to the earliest deadline, so arming
 * and cancelling cost O(log n) whatever the number pending (lws's own list is
 * linear per insert). A struct dbot__timer is embedded in its owner, which
 * recovers itself with lws_container_of in fn and must disarm it before freeing
 * it. Loop thread. */
struct dbot__timer;
typedef void (*dbot__timer_fn)(struct dbot__timer *t);
struct dbot__timer {
    struct dbot__heap_node node;
    dbot__timer_fn fn;
};

/* A timer that is not armed and will call fn when it is and expires. */
void dbot__timer_init(struct dbot__timer *t, dbot__timer_fn fn);

/* Arm t to run after `ms` (>= 0; an armed timer moves). Returns 0 or
 * DBOT_ENOMEM (logged by the caller; t is then not armed). Timers due in
 * the same millisecond run in the order they were armed; a timer armed
 * from a timer callback for "now" runs on the next turn, not in the same
 * one, so a callback that re-arms itself cannot starve the loop. */
int dbot__loop_timer_arm(struct dbot__loop *l, struct dbot__timer *t,
                         int64_t ms);

/* Disarm t; a timer not armed is a no-op. O(log n). */
void dbot__loop_timer_disarm(struct dbot__loop *l, struct dbot__timer *t);

/* 1 when t is armed. */
int dbot__timer_armed(const struct dbot__timer *t);

/* How many timers are armed (tests, metrics). */
size_t dbot__loop_timers_pending(const struct dbot__loop *l);

/* Write the "(repeated N times)" summaries of lws lines whose window has
 * closed (a storm of one line is logged as the line and a count). Call
 * from a periodic tick. Loop thread. */
void dbot__loop_flush_logs(struct dbot__loop *l);

#endif
