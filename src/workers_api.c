/*
 * workers_api.c: the public dbot_offload() over the bot's pool.
 *
 * DESIGN. The pool's callbacks know nothing of bots (so the pool can be
 * tested alone); a small wrapper carries the bot and the user's functions
 * through the job and is freed just before the user's done runs, so done
 * may offload again without the wrapper count growing.
 */
#include <dbot/worker.h>

#include "bot.h"
#include "workers.h"

#include <stdlib.h>

struct offload {
    dbot *bot;
    dbot_work_fn work;
    dbot_done_fn done;
    void *arg;
};

static void
offload_work(void *arg)
{
    struct offload *o = arg;

    o->work(o->arg);
}

static void
offload_done(void *arg, int status)
{
    struct offload o = *(struct offload *)arg;

    free(arg);
    o.done(o.bot, o.arg, status);
}

int
dbot_offload_deadline(dbot *bot, dbot_work_fn work, dbot_done_fn done,
                      void *arg, int64_t deadline_ms)
{
    struct dbot__pool *pool;
    struct offload *o;
    int rc;

    if (!bot || !work || !done || deadline_ms < 0)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    pool = dbot__bot_pool(bot);
    if (!pool)
        return DBOT_ESHUTDOWN;
    o = malloc(sizeof *o);
    if (!o)
        return DBOT_ENOMEM;
    *o = (struct offload){ bot, work, done, arg };
    rc = dbot__pool_submit(pool, offload_work, offload_done, o, deadline_ms,
                           "offload");
    if (rc < 0)
        free(o);
    return rc;
}

int
dbot_offload(dbot *bot, dbot_work_fn work, dbot_done_fn done, void *arg)
{
    return dbot_offload_deadline(bot, work, done, arg, 0);
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
