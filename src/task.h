/*
 * task.h: how a thread hands work to the loop. A module that runs threads
 * (REST, workers, the resolver) is given a dbot__deliver_fn and its context
 * when it is created, and sends results back through it; in dbot that is
 * dbot__loop_post, in unit tests a plain queue. Leaf: includes nothing.
 */
#ifndef DBOT_SRC_TASK_H
#define DBOT_SRC_TASK_H

typedef void (*dbot__task_fn)(void *arg);

/* Run fn(arg) on the loop thread, later. Any thread. Returns 0, or
 * DBOT_ENOMEM (fn is then never called). */
typedef int (*dbot__deliver_fn)(void *ctx, dbot__task_fn fn, void *arg);

/* Refuse a call from the wrong thread in debug builds (NDEBUG unset):
 * when `on_thread` is false, log it and return `ret` (nothing, in a void
 * function) before touching any state. Needs <dbot/dbot.h> (dbot_log). */
#ifndef NDEBUG
#define DBOT__CHECK_THREAD_OR(on_thread, ret)                                 \
    do {                                                                      \
        if (!(on_thread)) {                                                   \
            dbot_log(DBOT_LOG_ERROR, "dbot", "%s called off the loop thread", \
                     __func__);                                               \
            return ret;                                                       \
        }                                                                     \
    } while (0)
#else
#define DBOT__CHECK_THREAD_OR(on_thread, ret) ((void)0)
#endif

#endif
