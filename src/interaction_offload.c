/*
 * interaction_offload.c: blocking work for an interaction, off the loop,
 * with its answer back on it.
 *
 * DESIGN. dbot_interaction_offload() turns one interaction into one pool
 * job (a struct dbot_work) in four steps, all on the loop and in this
 * order:
 *
 *   1. copy  the interaction JSON is loop-owned and dies with the
 *            interaction, so the job gets its own copy (without the token,
 *            which the worker has no use for) before it leaves the loop;
 *   2. queue dbot__pool_submit() never waits. A full queue is answered
 *            right here with the ephemeral busy message, as the initial
 *            response, and the caller gets DBOT_EBUSY;
 *   3. ack   only once the job is queued, the deferred response (type 5)
 *            goes out, unless the interaction was already acknowledged.
 *            Queueing before acknowledging is what lets the busy answer be
 *            the (ephemeral) initial response instead of an edit of a
 *            public "thinking..." message;
 *   4. hold  the job keeps a reference on the interaction, dropped on the
 *            loop after the job ends.
 *
 * No job can finish between 2 and 3: completions run from the loop's inbox,
 * and the loop is busy running this function.
 *
 * The job's deadline is the earlier of the configured one (measured from
 * the interaction's arrival) and the token's life minus a margin, so a job
 * that waited too long is dropped while the user can still be told. The
 * pool expires queued jobs from the bot's periodic tick.
 *
 * When the job ends (pool done callback, loop thread): with a user done
 * callback, it runs and answers; without one, the stored reply edits
 * @original (edit rather than reply, so an interaction the handler had
 * already answered gets the result too). Nothing stored and nothing sent:
 * dropping the last reference makes interaction.c tell the user the command
 * did not respond. Timeouts edit @original with an apology. Cancelled jobs
 * (shutdown) only release: the bot is going away and REST with it.
 */
#include "interaction_impl.h"
#include "clock.h"

#include "log.h"
#include "utf8.h"
#include "work.h"
#include "workers.h"

#include <dbot/interaction_data.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEADLINE_MS (14 * 60 * 1000) /* a minute left to say "late" */

#define MSG_BUSY DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_BUSY)
#define MSG_LATE DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_LATE)

/* ---- the job ------------------------------------------------------------ */

static void
job_done(void *arg, int status)
{
    dbot_work *w = arg;
    dbot_interaction *ix = w->ix;
    int rc = 0;

    if (w->ix_done) {
        w->ix_done(ix, w, status);
    } else if (status == 0 && w->reply) {
        rc = dbot_interaction_original_edit_json(ix, w->reply);
    } else if (status == DBOT_ETIMEDOUT) {
        LOG_W("interaction",
              "offloaded work for %s (%" PRIu64 ") was still queued at its "
              "deadline after %lld ms; told the user",
              dbot_interaction_command(ix) ? dbot_interaction_command(ix)
                                           : "interaction",
              dbot_interaction_id(ix), (long long)dbot_interaction_age_ms(ix));
        rc = dbot_interaction_original_edit(ix, MSG_LATE);
        if (rc == 0)
            dbot__interactions_report(ix, DBOT_ERROR_TIMED_OUT, DBOT_ETIMEDOUT,
                                      MSG_LATE, 0);
    }
    if (rc < 0)
        LOG_W("interaction",
              "cannot send the result of offloaded work (%" PRIu64 "): %s",
              dbot_interaction_id(ix), dbot_strerror(rc));
    dbot__work_free(w);
    /* With nothing sent, this tells the user "did not respond". */
    dbot_interaction_unref(ix);
}

/* ---- offloading ---------------------------------------------------------- */

static int64_t
job_deadline(dbot_interaction *ix, const struct dbot__offload_conf *conf)
{
    int64_t arrived = dbot__clock_ms() - dbot_interaction_age_ms(ix);
    int ms = conf->deadline_ms > 0 ? conf->deadline_ms : MAX_DEADLINE_MS;

    return arrived + ms;
}

/* The queue is full: say so, as the initial response when there is none
 * yet. Returns DBOT_EBUSY for the caller. */
static int
answer_busy(dbot_interaction *ix, const struct dbot__offload_conf *conf)
{
    const char *text = conf->busy_text ? conf->busy_text : MSG_BUSY;
    int rc;

    switch (dbot_interaction_state(ix)) {
    case DBOT_IXS_RECEIVED:
        rc = dbot_interaction_reply_ephemeral(ix, text);
        break;
    case DBOT_IXS_DEFERRING:
    case DBOT_IXS_DEFERRED:
        rc = dbot_interaction_original_edit(ix, text);
        break;
    default:
        rc = dbot_interaction_followup(ix, text, 1);
        break;
    }
    if (rc < 0)
        LOG_W("interaction", "cannot send the busy answer (%" PRIu64 "): %s",
              dbot_interaction_id(ix), dbot_strerror(rc));
    LOG_D("interaction", "worker queue full: answered %" PRIu64 " busy",
          dbot_interaction_id(ix));
    dbot__interactions_report(ix, DBOT_ERROR_BUSY, DBOT_EBUSY,
                              rc == 0 ? text : NULL, 0);
    return DBOT_EBUSY;
}

int
dbot_interaction_offload_then(dbot_interaction *ix, dbot_work_fn work,
                              dbot_interaction_done_fn done, void *data)
{
    struct dbot__pool *pool;
    struct dbot__offload_conf *conf;
    dbot_work *w;
    int rc, state;

    if (!ix || !work)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if (dbot_interaction_type(ix) == DBOT_IX_AUTOCOMPLETE)
        return DBOT_EINVAL;
    if (dbot_interaction_age_ms(ix) >= TOKEN_LIFE_MS)
        return DBOT_EEXPIRED;
    state = dbot_interaction_state(ix);
    if (state == DBOT_IXS_FAILED)
        return DBOT_ESTATE;
    pool = ix->owner->d.pool;
    if (!pool || dbot__ix_stopping(ix))
        return DBOT_ESHUTDOWN;
    conf = &ix->owner->offload;

    w = dbot__work_new(dbot__ix_bot_of(ix), work, data);
    if (!w)
        return DBOT_ENOMEM;
    w->ix_done = done;
    w->json = cJSON_Duplicate(dbot_interaction_json(ix), 1);
    if (!w->json) {
        dbot__work_free(w);
        return DBOT_ENOMEM;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(w->json, "token");

    rc = dbot__pool_submit(pool, dbot__work_run, job_done, w,
                           job_deadline(ix, conf), "interaction_offload");
    if (rc < 0) {
        dbot__work_free(w);
        return rc == DBOT_EBUSY ? answer_busy(ix, conf) : rc;
    }
    w->ix = dbot_interaction_ref(ix);
    if (state == DBOT_IXS_RECEIVED) {
        rc = dbot_interaction_defer(ix, 0);
        if (rc < 0)
            /* The job is queued and will end normally; its edit will be
             * refused and logged. The handler's caller learns it now. */
            LOG_W("interaction",
                  "cannot defer %" PRIu64 " for offloaded "
                  "work: %s",
                  dbot_interaction_id(ix), dbot_strerror(rc));
    }
    return 0;
}

int
dbot_interaction_offload(dbot_interaction *ix, dbot_work_fn work, void *data)
{
    return dbot_interaction_offload_then(ix, work, NULL, data);
}

/* ---- settings ------------------------------------------------------------ */

int
dbot__interactions_set_busy_message(struct dbot__interactions *ixs,
                                    const char *text)
{
    struct dbot__offload_conf *conf = &ixs->offload;
    char *copy = NULL;
    long n;

    if (text) {
        n = dbot__utf8_len(text);
        if (n <= 0 || n > DBOT__MAX_CONTENT)
            return DBOT_EINVAL;
        copy = strdup(text);
        if (!copy)
            return DBOT_ENOMEM;
    }
    free(conf->busy_text);
    conf->busy_text = copy;
    return 0;
}

int
dbot__interactions_set_offload_deadline(struct dbot__interactions *ixs, int ms)
{
    if (ms < 0 || ms > MAX_DEADLINE_MS)
        return DBOT_EINVAL;
    ixs->offload.deadline_ms = ms;
    return 0;
}
