/*
 * rest_reactions.c: the reaction routes of dbot/rest.h (entry points in
 * api_rest.c).
 *
 * DESIGN. The emoji is parsed here, on the caller's thread, so a mistake
 * is a DBOT_EINVAL with a log line naming it instead of a 10014 from
 * Discord a round trip later. The route segment is encoded exactly once
 * (emoji.c); the rate limiter files every emoji of a channel under one
 * route key (".../reactions/{emoji}/@me", ratelimit_route.c), as Discord
 * buckets reactions by channel.
 */
#include "rest.h"

#include "emoji.h"
#include "log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The longest emoji quoted in a log line; longer ones are only measured. */
#define LOG_EMOJI_MAX 64

static void
log_refusal(const char *emoji, enum dbot__emoji_err err)
{
    const char *why = dbot__emoji_why(err);

    /* Text that is not UTF-8 (or huge) is not echoed into the log. */
    if (err == DBOT__EMOJI_FORM && strlen(emoji) <= LOG_EMOJI_MAX)
        LOG_W("rest",
              "reaction emoji \"%s\" %s (want \"👍\", \"<:name:id>\" "
              "or \"name:id\")",
              emoji, why);
    else if (err == DBOT__EMOJI_LONG)
        LOG_W("rest", "reaction emoji too long (%zu bytes)", strlen(emoji));
    else
        LOG_W("rest", "reaction emoji %s", why);
}

/* METHOD /channels/{c}/messages/{m}/reactions/{emoji}/{user or @me}. */
static int
reaction_call(struct dbot__rest *r, const char *method, uint64_t channel_id,
              uint64_t message_id, const char *emoji, uint64_t user_id,
              dbot_rest_fn cb, void *data)
{
    char seg[DBOT__EMOJI_SEG_MAX], who[24], path[96 + DBOT__EMOJI_SEG_MAX];
    struct dbot__emoji e;
    enum dbot__emoji_err err;

    if (!r || !channel_id || !message_id)
        return DBOT_EINVAL;
    err = dbot__emoji_parse(emoji, &e);
    if (err) {
        log_refusal(emoji, err);
        return DBOT_EINVAL;
    }
    dbot__emoji_segment(&e, seg);
    if (user_id)
        snprintf(who, sizeof who, "%" PRIu64, user_id);
    else
        snprintf(who, sizeof who, "@me");
    snprintf(path, sizeof path,
             "/channels/%" PRIu64 "/messages/%" PRIu64 "/reactions/%s/%s",
             channel_id, message_id, seg, who);
    return dbot__rest_json(r, method, path, NULL, cb, data);
}

int
dbot__rest_reaction_add(struct dbot__rest *r, uint64_t channel_id,
                        uint64_t message_id, const char *emoji, dbot_rest_fn cb,
                        void *data)
{
    return reaction_call(r, "PUT", channel_id, message_id, emoji, 0, cb, data);
}

int
dbot__rest_reaction_remove_own(struct dbot__rest *r, uint64_t channel_id,
                               uint64_t message_id, const char *emoji,
                               dbot_rest_fn cb, void *data)
{
    return reaction_call(r, "DELETE", channel_id, message_id, emoji, 0, cb,
                         data);
}

int
dbot__rest_reaction_remove_user(struct dbot__rest *r, uint64_t channel_id,
                                uint64_t message_id, const char *emoji,
                                uint64_t user_id, dbot_rest_fn cb, void *data)
{
    if (!user_id)
        return DBOT_EINVAL;
    return reaction_call(r, "DELETE", channel_id, message_id, emoji, user_id,
                         cb, data);
}
