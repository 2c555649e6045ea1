/*
 * coord_bot.c: one process of a bot run by several (test_coord.c): the
 * configuration JSON comes as argv[1]. On a "BURST" dispatch, d = {"n": N,
 * "channel": "ID"}, it sends N messages at once and logs "burst done: OK
 * ok, F failed" when every answer is in. Exit status: 0 after a clean
 * stop, 3 when it had no shard to run (all leased elsewhere), else 1.
 */
#include <dbot/dbot.h>
#include <dbot/rest.h>

#include <stdio.h>
#include <stdlib.h>

static int burst_total, burst_ok, burst_failed;

static void
on_sent(dbot *bot, const dbot_rest_result *res, void *data)
{
    (void)bot;
    (void)data;
    if (res->err == 0)
        burst_ok++;
    else
        burst_failed++;
    if (burst_ok + burst_failed == burst_total) {
        dbot_log(DBOT_LOG_INFO, "coord_bot", "burst done: %d ok, %d failed",
                 burst_ok, burst_failed);
        burst_ok = burst_failed = burst_total = 0;
    }
}

static void
on_burst(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(ev->data, "n");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(ev->data, "channel");
    uint64_t channel;

    (void)data;
    if (!cJSON_IsNumber(n) || !cJSON_IsString(ch))
        return;
    channel = strtoull(ch->valuestring, NULL, 10);
    burst_total += n->valueint;
    for (int i = 0; i < n->valueint; i++)
        if (dbot_message_send(bot, channel, "burst", on_sent, NULL) < 0)
            burst_failed++;
}

int
main(int argc, char **argv)
{
    dbot *bot;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: coord_bot CONFIG_JSON\n");
        return 2;
    }
    rc = dbot_new_from_json(&bot, argv[1]);
    if (rc < 0)
        return 1;
    dbot_on(bot, "BURST", on_burst, NULL);
    rc = dbot_run(bot);
    dbot_free(bot);
    if (rc == DBOT_EBUSY)
        return 3;
    return rc < 0;
}
