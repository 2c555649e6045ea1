/*
 * api_timer.c: the public <dbot/timer.h> calls over the bot's timers
 * (timers.c).
 */
#include <dbot/timer.h>

#include "bot.h"
#include "timers.h"

int
dbot_timer_start(dbot *bot, int64_t delay_ms, int64_t repeat_ms,
                 dbot_timer_fn fn, void *data, dbot_timer_id *out)
{
    struct dbot__timers *ts;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    ts = dbot__bot_timers(bot);
    if (!ts)
        return DBOT_ESHUTDOWN;
    return dbot__timers_start(ts, delay_ms, repeat_ms, fn, data, out);
}

int
dbot_timer_cancel(dbot *bot, dbot_timer_id id)
{
    struct dbot__timers *ts;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    ts = dbot__bot_timers(bot);
    return ts ? dbot__timers_cancel(ts, id) : DBOT_ENOENT;
}

int64_t
dbot_timer_remaining_ms(const dbot *bot, dbot_timer_id id)
{
    const struct dbot__timers *ts;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    ts = dbot__bot_timers((dbot *)bot);
    return ts ? dbot__timers_remaining(ts, id) : DBOT_ENOENT;
}
