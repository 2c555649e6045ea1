/*
 * bot.h: what modules may ask of the bot that owns them. struct dbot itself
 * is private to bot.c; modules get at shared parts through these accessors.
 */
#ifndef DBOT_SRC_BOT_H
#define DBOT_SRC_BOT_H

#include "task.h"

#include <dbot/dbot.h>

struct lws_context;
struct dbot_config;
struct dbot__rest;
struct dbot__pool;
struct dbot__health;
struct dbot__timers;
struct dbot__checks;
struct dbot__views;

/* dbot__deliver_fn for a bot: queue fn(arg) for the loop and wake it.
 * Any thread. Returns 0 or DBOT_ENOMEM. */
int dbot__post_task(void *bot, dbot__task_fn fn, void *arg);

struct lws_context *dbot__bot_lws(dbot *bot);
const struct dbot_config *dbot__bot_config(const dbot *bot);
struct dbot__rest *dbot__bot_rest(dbot *bot);
struct dbot__pool *dbot__bot_pool(dbot *bot);
struct dbot__health *dbot__bot_health(dbot *bot);
/* The user timers (timers.c); NULL once dbot_free has ended them. */
struct dbot__timers *dbot__bot_timers(dbot *bot);
/* Checked routes and cooldowns (checks.c); NULL once dbot_free ran. */
struct dbot__checks *dbot__bot_checks(dbot *bot);
/* Views and waits (views.c); NULL once dbot_free ran. */
struct dbot__views *dbot__bot_views(dbot *bot);

/* 1 on the loop thread, or when no loop runs yet (setup from main). */
int dbot__on_loop_thread(const dbot *bot);

/* Refuse a call from the wrong thread (task.h's DBOT__CHECK_THREAD_OR). */
#define DBOT__CHECK_LOOP_OR(bot, ret) \
    DBOT__CHECK_THREAD_OR(dbot__on_loop_thread(bot), ret)
#define DBOT__CHECK_LOOP(bot) DBOT__CHECK_LOOP_OR(bot, DBOT_EWRONGTHREAD)

/* The bot's presence (dbot_presence_set, api_presence.c) lives in the bot
 * as the JSON text of Discord's presence object plus a generation number;
 * every shard remembers the generation it last sent (in its Identify or
 * an op 3), so a shard that missed a change while it was down catches up
 * after RESUMED (gateway_session.c: dbot__gateway_sync_presence). The
 * shards read it on the gateway thread, under the bot's lock. */
struct dbot__gateway;
struct dbot__gwt;

/* bot.c: a copy of the current presence object as JSON text (NULL: none
 * set; the caller frees it) and its generation (0 before the first
 * dbot_presence_set). Any thread. */
char *dbot__bot_presence_copy(dbot *bot, unsigned *gen);

/* bot.c: replace the presence (takes ownership of json, may be NULL) and
 * bump the generation. Loop thread. */
void dbot__bot_set_presence(dbot *bot, char *json);

/* bot.c: the gateway thread the shards run on (NULL: an HTTP-only bot). */
struct dbot__gwt *dbot__bot_gwt(dbot *bot);

/* bot.c: shard i, or NULL out of range; and how many there are. */
struct dbot__gateway *dbot__bot_shard(dbot *bot, int i);
int dbot__bot_nshards(const dbot *bot);

/* bot.c: the shard with id `shard_id` if this process runs it, else NULL
 * (a process may run some of the bot's shards: "shard_ids"). */
struct dbot__gateway *dbot__bot_shard_by_id(dbot *bot, int shard_id);

/* bot.c: the gateway cache, NULL when the config leaves it off. */
struct dbot__cache;
struct dbot__cache *dbot__bot_cache(dbot *bot);

#endif
