/*
 * work.h: the job object, struct dbot_work, shared by the two ways to make
 * one: dbot_work_submit() (api_work.c) and dbot_interaction_offload()
 * (interaction_offload.c). work.c holds its public dbot_work_* calls.
 *
 * Fields: [loop] only the loop touches it; [job] whoever runs the job now
 * (the worker during work, the loop after); [const] set before queueing.
 */
#ifndef DBOT_SRC_WORK_H
#define DBOT_SRC_WORK_H

#include <dbot/interaction.h>
#include <dbot/worker.h>

struct dbot_work {
    dbot *bot;                        /* [const] */
    dbot_work_fn work;                /* [const] */
    dbot_work_done_fn done;           /* [const] submitted jobs */
    dbot_interaction_done_fn ix_done; /* [const] interaction jobs; or NULL */
    dbot_interaction *ix;             /* [loop] referenced until the end */
    void *data;                       /* [const] the user's */
    cJSON *json;                      /* [job] the interaction, no token */
    cJSON *reply;                     /* [job] what dbot_work_reply stored */
};

/* A zeroed job for `bot` running work(w) with `data`; NULL on ENOMEM. */
dbot_work *dbot__work_new(dbot *bot, dbot_work_fn work, void *data);

/* Free the job and what it owns (not data, not ix). NULL is a no-op. */
void dbot__work_free(dbot_work *w);

/* The pool's work callback for a job: runs w->work(w). */
void dbot__work_run(void *w);

#endif
