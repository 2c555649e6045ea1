/*
 * interaction_errors.c: the bot-wide error hook (dbot_on_error). Every
 * place that answers for a handler (interaction.c, interaction_offload.c,
 * checks.c) reports here after it has answered, so the hook sees what the
 * user saw; the log lines those places write are unchanged.
 */
#include "interaction_impl.h"

#include <dbot/checks.h>

void
dbot__interactions_report(dbot_interaction *ix, int kind, int err,
                          const char *text, int64_t retry_after_ms)
{
    struct dbot__interactions *ixs = ix->owner;
    dbot_error_info e = {
        .kind = kind,
        .err = err,
        .interaction_id = ix->id,
        .route = ix->path ? ix->path : ix->custom_id,
        .handler = ix->handler,
        .user_text = text,
        .retry_after_ms = retry_after_ms,
        .json = ix->json,
    };

    if (ixs->on_error)
        ixs->on_error(ixs->bot, &e, ixs->on_error_data);
}

void
dbot__interactions_set_error_hook(struct dbot__interactions *ixs,
                                  dbot_error_fn fn, void *data)
{
    ixs->on_error = fn;
    ixs->on_error_data = data;
}

const char *
dbot_error_kind_name(int kind)
{
    static const char *const names[] = {
        [DBOT_ERROR_HANDLER] = "handler",
        [DBOT_ERROR_NO_RESPONSE] = "no_response",
        [DBOT_ERROR_UNKNOWN] = "unknown",
        [DBOT_ERROR_TIMED_OUT] = "timed_out",
        [DBOT_ERROR_REFUSED] = "refused",
        [DBOT_ERROR_BUSY] = "busy",
        [DBOT_ERROR_CHECK] = "check",
        [DBOT_ERROR_COOLDOWN] = "cooldown",
        [DBOT_ERROR_SHUTDOWN] = "shutdown",
    };

    if (kind <= 0 || kind >= (int)(sizeof names / sizeof names[0]) ||
        !names[kind])
        return "?";
    return names[kind];
}
