/*
 * api_work.c: the public dbot_work_submit() over the bot's pool, and
 * the deprecated dbot_offload() it replaced.
 *
 * DESIGN. The pool's callbacks know nothing of bots (so the pool can be
 * tested alone); the job itself (work.h) carries the bot and the user's
 * functions through the pool. The user's done runs before the job is
 * freed, since done may still read the job (dbot_work_data,
 * dbot_work_result); it may submit again, and the new job is a new
 * allocation, so the count of live jobs does not grow with each round.
 */
#include <dbot/worker.h>

#include "bot.h"
#include "work.h"
#include "workers.h"

#include <stdlib.h>

static void
submit_done(void *arg, int status)
{
    dbot_work *w = arg;

    w->done(w->bot, w, status);
    dbot__work_free(w);
}

int
dbot_work_submit(dbot *bot, dbot_work_fn work, dbot_work_done_fn done,
                 void *data, int64_t deadline_ms)
{
    struct dbot__pool *pool;
    dbot_work *w;
    int rc;

    if (!bot || !work || !done || deadline_ms < 0)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    pool = dbot__bot_pool(bot);
    if (!pool)
        return DBOT_ESHUTDOWN;
    w = dbot__work_new(bot, work, data);
    if (!w)
        return DBOT_ENOMEM;
    w->done = done;
    rc = dbot__pool_submit(pool, dbot__work_run, submit_done, w, deadline_ms,
                           "work");
    if (rc < 0)
        dbot__work_free(w);
    return rc;
}

int
dbot_workers_set_nice(dbot *bot, int nice)
{
    struct dbot__pool *pool;

    if (!bot || nice < 0 || nice > 19)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    pool = dbot__bot_pool(bot);
    if (!pool)
        return DBOT_ESHUTDOWN;
    dbot__pool_set_nice(pool, nice);
    return 0;
}

/* ---- deprecated (0.2 only; docs/api.md) ---------------------------------- */

/* dbot_offload() on top of dbot_work_submit(): the old functions and their
 * argument ride in a small struct as the job's data. */
struct offload {
    dbot_offload_work_fn work;
    void (*done)(dbot *bot, void *arg, int status);
    void *arg;
};

static void
offload_work(dbot_work *w)
{
    struct offload *o = dbot_work_data(w);

    o->work(o->arg);
}

static void
offload_done(dbot *bot, dbot_work *w, int status)
{
    struct offload o = *(struct offload *)dbot_work_data(w);

    free(dbot_work_data(w));
    o.done(bot, o.arg, status);
}

static int
offload_submit(dbot *bot, dbot_offload_work_fn work,
               void (*done)(dbot *bot, void *arg, int status), void *arg,
               int64_t deadline_ms)
{
    struct offload *o;
    int rc;

    if (!bot || !work || !done || deadline_ms < 0)
        return DBOT_EINVAL;
    o = malloc(sizeof *o);
    if (!o)
        return DBOT_ENOMEM;
    *o = (struct offload){ work, done, arg };
    rc = dbot_work_submit(bot, offload_work, offload_done, o, deadline_ms);
    if (rc < 0)
        free(o);
    return rc;
}

int
dbot_offload_deadline(dbot *bot, dbot_offload_work_fn work,
                      void (*done)(dbot *bot, void *arg, int status), void *arg,
                      int64_t deadline_ms)
{
    return offload_submit(bot, work, done, arg, deadline_ms);
}

int
dbot_offload(dbot *bot, dbot_offload_work_fn work,
             void (*done)(dbot *bot, void *arg, int status), void *arg)
{
    return offload_submit(bot, work, done, arg, 0);
}
