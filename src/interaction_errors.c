/*
 * interaction_errors.c: the bot-wide error hook (dbot_on_error). Every
 * place that answers for a handler (interaction.c, interaction_offload.c,
 * checks.c) reports here after it has answered, so the hook sees what the
 * user saw; the log lines those places write are unchanged.
 */
#include "interaction_impl.h"

#include <dbot/checks.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* dbot-sandbox sets DBOT_SANDBOX_FALLBACKS to a file where the bot notes
 * each answer the framework gave in a handler's place ("<id> <kind>"), so
 * a script fails when a user would see one it did not expect. Only under
 * the sandbox; one short append to a local file, and fallbacks are rare. */
static void
note_for_sandbox(const dbot_interaction *ix, int kind)
{
    const char *path = getenv("DBOT_SANDBOX_FALLBACKS");
    char line[64];
    int fd, n;

    if (!path || !*path)
        return;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    n = snprintf(line, sizeof line, "%" PRIu64 " %s\n", ix->id,
                 dbot_error_kind_name(kind));
    if (n > 0 && write(fd, line, (size_t)n) < 0)
        n = -1; /* nothing to do: the sandbox then misses one */
    close(fd);
}

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

    /* What the user saw was the framework's, not the bot's: refusals by
     * checks are the bot's own design and not noted. */
    if (text && kind != DBOT_ERROR_CHECK && kind != DBOT_ERROR_COOLDOWN)
        note_for_sandbox(ix, kind);
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
