/*
 * work.c: the job object and the calls a job makes on itself.
 *
 * DESIGN. One job type for all blocking work, so one work-function type
 * (dbot_work_fn) and one set of job calls serve both a general job and an
 * interaction's. A job is owned by one thread at a time (its worker while
 * work runs, then the loop), which is why none of these lock: the pool's
 * hand-over from worker to loop is the only synchronisation needed.
 */
#include "work.h"

#include "discord_limits.h"
#include "log.h"
#include "msgcheck.h"
#include "utf8.h"

#include <stdlib.h>

dbot_work *
dbot__work_new(dbot *bot, dbot_work_fn work, void *data)
{
    dbot_work *w = calloc(1, sizeof *w);

    if (!w)
        return NULL;
    w->bot = bot;
    w->work = work;
    w->data = data;
    return w;
}

void
dbot__work_free(dbot_work *w)
{
    if (!w)
        return;
    cJSON_Delete(w->json);
    cJSON_Delete(w->reply);
    free(w);
}

void
dbot__work_run(void *arg)
{
    dbot_work *w = arg;

    w->work(w);
}

void *
dbot_work_data(const dbot_work *w)
{
    return w ? w->data : NULL;
}

const cJSON *
dbot_work_json(const dbot_work *w)
{
    return w ? w->json : NULL;
}

const dbot_options *
dbot_work_options(const dbot_work *w)
{
    return dbot_options_of(w ? w->json : NULL);
}

uint64_t
dbot_work_user_id(const dbot_work *w)
{
    return w ? dbot_ix_user_id(w->json) : 0;
}

int
dbot_work_reply_json(dbot_work *w, const cJSON *msg)
{
    struct dbot__bld b = { 0 };
    cJSON *copy;

    if (!w || !cJSON_IsObject(msg))
        return DBOT_EINVAL;
    /* Refused here, the worker learns it while it can still do better;
     * sent, the edit would fail at Discord. */
    if (dbot__check_message(&b, msg) < 0) {
        LOG_E("interaction", "dbot_work_reply_json: %s", b.err);
        return b.code;
    }
    copy = cJSON_Duplicate(msg, 1);
    if (!copy)
        return DBOT_ENOMEM;
    cJSON_Delete(w->reply);
    w->reply = copy;
    return 0;
}

int
dbot_work_reply_msg(dbot_work *w, const dbot_msg *m)
{
    cJSON *json = dbot_msg_json(m);
    int rc;

    if (!json) {
        LOG_E("interaction", "dbot_work_reply_msg: %s", dbot_msg_error(m));
        return DBOT_EINVAL;
    }
    rc = dbot_work_reply_json(w, json);
    cJSON_Delete(json);
    return rc;
}

int
dbot_work_reply(dbot_work *w, const char *text)
{
    cJSON *m;
    long n;

    if (!w || !text)
        return DBOT_EINVAL;
    n = dbot__utf8_len(text);
    if (n <= 0)
        return DBOT_EINVAL;
    if (n > DBOT__MAX_CONTENT)
        return DBOT_ETOOBIG;
    m = cJSON_CreateObject();
    if (!m || !cJSON_AddStringToObject(m, "content", text)) {
        cJSON_Delete(m);
        return DBOT_ENOMEM;
    }
    cJSON_Delete(w->reply);
    w->reply = m;
    return 0;
}

const cJSON *
dbot_work_result(const dbot_work *w)
{
    return w ? w->reply : NULL;
}
