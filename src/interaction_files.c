/*
 * interaction_files.c: interaction answers that carry files (multipart,
 * as channel messages do through dbot_rest_ex): the first reply, a
 * followup, and an edit of the original response. The files ride in
 * dbot_rest_opts through the same REST routes as their JSON forms (webhook
 * routes, authenticated by the token), so rate limits and retries are the same.
 *
 * DESIGN. Edits with files are not parked behind an initial response in
 * flight, unlike JSON edits: the parked edit is one JSON object, and
 * holding the caller's file data until the response lands would copy
 * megabytes for a case a handler avoids by deferring first (defer, then
 * edit with the file: what a slow upload wants anyway).
 */
#include "interaction.h"

#include "interaction_impl.h"
#include "log.h"
#include "msgcheck.h"
#include "rest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* METHOD /webhooks/{app}/{token}{suffix} with data and files, completing
 * through dbot__ix_later_done (which logs a failure). */
static int
send_files(dbot_interaction *ix, struct dbot__ix_later *l, const char *method,
           const char *suffix, const cJSON *data, const dbot_rest_file *files,
           size_t n)
{
    dbot_rest_opts o = { .files = files, .nfiles = n };
    size_t len = strlen(ix->token) + strlen(suffix) + 48;
    char *path = malloc(len);
    int rc;

    if (!path)
        return dbot__ix_later_fail(l, DBOT_ENOMEM);
    snprintf(path, len, "/webhooks/%" PRIu64 "/%s%s", ix->app_id, ix->token,
             suffix);
    rc = dbot__rest_ex(ix->owner->d.rest, method, path, data, &o,
                       dbot__ix_later_done, l);
    free(path);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

static int
check(dbot_interaction *ix, const cJSON *data, const dbot_rest_file *files,
      size_t n, const char *what)
{
    struct dbot__bld b = { 0 };

    if (!ix || !cJSON_IsObject(data) || (n && !files) ||
        n > DBOT__REST_MAX_FILES)
        return DBOT_EINVAL;
    if (dbot__check_message(&b, data) < 0) {
        ix->owner->stats.refused_locally++;
        LOG_E("interaction", "%s (%" PRIu64 ") not sent: %s", what, ix->id,
              b.err);
        return b.code;
    }
    return 0;
}

int
dbot_interaction_followup_files(dbot_interaction *ix, const cJSON *data,
                                const dbot_rest_file *files, size_t n)
{
    struct dbot__ix_later *l;
    int rc;

    if (ix)
        DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check(ix, data, files, n, "followup with files")) < 0)
        return rc;
    l = dbot__ix_followup_later(ix, "followup", &rc);
    if (!l)
        return rc;
    return send_files(ix, l, "POST", "", data, files, n);
}

int
dbot_interaction_original_edit_files(dbot_interaction *ix, const cJSON *data,
                                     const dbot_rest_file *files, size_t n)
{
    struct dbot__ix_later *l;
    int rc;

    if (ix)
        DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check(ix, data, files, n, "edit with files")) < 0)
        return rc;
    l = dbot__ix_followup_later(ix, "edit of the original response", &rc);
    if (!l)
        return rc;
    /* After a defer this edit is the answer. */
    ix->state = DBOT_IXS_DONE;
    return send_files(ix, l, "PATCH", "/messages/@original", data, files, n);
}

int
dbot_interaction_reply_files(dbot_interaction *ix, const cJSON *data,
                             const dbot_rest_file *files, size_t n)
{
    int rc;

    if (ix)
        DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check(ix, data, files, n, "reply with files")) < 0)
        return rc;
    if (dbot__ix_expired(ix))
        return dbot__ix_refuse(ix, DBOT_EEXPIRED, "reply with files");
    dbot__ix_sync(ix);
    switch (ix->state) {
    case DBOT_IXS_RECEIVED:
        return dbot__ix_send_initial_files(ix, CB_MESSAGE, data, files, n);
    case DBOT_IXS_DEFERRED: /* after a defer the reply is the edit */
        return dbot_interaction_original_edit_files(ix, data, files, n);
    default:
        return dbot__ix_refuse(ix, DBOT_ESTATE, "reply with files");
    }
}
