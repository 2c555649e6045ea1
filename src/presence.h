/*
 * presence.h: the bot's presence (dbot_presence_set) and the gateway
 * commands a bot sends itself (dbot_shard_send). The presence lives in the
 * bot as the JSON text of Discord's presence object plus a generation
 * number; every shard remembers the generation it last sent (in its
 * Identify or an op 3), so a shard that missed a change while it was
 * down catches up after RESUMED (gateway.c: dbot__gateway_sync_presence).
 *
 * THREAD. Loop thread, or before dbot_run().
 */
#ifndef DBOT_SRC_PRESENCE_H
#define DBOT_SRC_PRESENCE_H

#include <dbot/dbot.h>

struct dbot__gateway;

/* bot.c: the current presence object as JSON text (NULL: none set) and
 * its generation (0 before the first dbot_presence_set). */
const char *dbot__bot_presence(const dbot *bot, unsigned *gen);

/* bot.c: replace the presence (takes ownership of json, may be NULL) and
 * bump the generation. */
void dbot__bot_set_presence(dbot *bot, char *json);

/* bot.c: shard i, or NULL out of range; and how many there are. */
struct dbot__gateway *dbot__bot_shard(dbot *bot, int i);
int dbot__bot_nshards(const dbot *bot);

#endif
