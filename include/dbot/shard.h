/*
 * dbot/shard.h: what a bot sends on its gateway connections, beyond what
 * dbot itself sends (Identify, Resume, heartbeats): its presence, and the
 * gateway commands a bot may send (request guild members, voice state).
 *
 * THREAD. Every function here: loop thread (a handler, a dbot_post()
 * function), or main before dbot_run() where noted.
 *
 * LIMITS. Each shard may send 120 payloads per 60 s; dbot queues what goes
 * over that (keeping room for heartbeats) instead of letting Discord close
 * the connection with 4008. Payloads are at most 4096 bytes. The queue is
 * bounded: at most 120 of the bot's payloads (a minute's worth) or 128 KiB
 * wait per shard; past that a send returns DBOT_EBUSY and queues nothing,
 * so a bot sending faster than Discord allows learns it instead of
 * growing memory. Heartbeats, Identify and Resume have room of their own
 * and are never refused.
 */
#ifndef DBOT_SHARD_H
#define DBOT_SHARD_H

#include <dbot/dbot.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Activity types a bot may show (Discord: 0..5). */
enum dbot_activity_type {
    DBOT_ACTIVITY_PLAYING = 0,   /* "Playing {name}" */
    DBOT_ACTIVITY_STREAMING = 1, /* "Streaming {name}", needs url */
    DBOT_ACTIVITY_LISTENING = 2, /* "Listening to {name}" */
    DBOT_ACTIVITY_WATCHING = 3,  /* "Watching {name}" */
    DBOT_ACTIVITY_CUSTOM = 4,    /* a custom status: the text is `name` */
    DBOT_ACTIVITY_COMPETING = 5  /* "Competing in {name}" */
};

typedef struct dbot_presence {
    const char *status; /* "online" (NULL too), "idle", "dnd", "invisible" */
    const char *name;   /* activity text (<= 128 chars), NULL for none */
    int type;           /* enum dbot_activity_type */
    const char *url;    /* Streaming only: https://twitch.tv/... or
                           https://youtube.com/... (www. allowed) */
    int afk;            /* Discord's afk flag; leave 0 for bots */
} dbot_presence;

/* Name: dbot_presence_set
 * Desc: set the bot's presence on every shard: sent now (op 3) on shards
 *       that are READY, and in every later Identify, and again after a
 *       resume if it changed meanwhile, so the presence survives
 *       reconnects. Before dbot_run() it only becomes the Identify's
 *       presence. p == NULL goes back to plain online with no activity.
 *       Loop thread, or before dbot_run().
 * Returns: 0; DBOT_EINVAL (unknown status, type out of 0..5, empty or over
 *       128 characters or invalid UTF-8 name, url on a type other than
 *       Streaming or not a Twitch/YouTube https URL, Streaming without
 *       url), logged with the reason; DBOT_ENOMEM; DBOT_EWRONGTHREAD.
 *       The shards run on the gateway thread, which sends it after this
 *       returns; a shard whose send queue is full (see LIMITS) keeps it
 *       and sends it with the next dbot_presence_set(), Resume or
 *       Identify. */
DBOT_API int dbot_presence_set(dbot *bot, const dbot_presence *p);

/* Name: dbot_shard_send
 * Desc: send a gateway command on one shard: op 4 (Update Voice State),
 *       op 8 (Request Guild Members; the members arrive as
 *       GUILD_MEMBERS_CHUNK dispatches, and a refused request as a
 *       RATE_LIMITED dispatch, both for dbot_on()), op 31 (Request
 *       Soundboard Sounds) or op 3 (prefer dbot_presence_set(), which
 *       survives reconnects). The shard must be READY: use
 *       dbot_shard_of_guild() to find a guild's shard. d is copied. 0
 *       means queued: the command goes out within the gateway's send limit
 *       (120 per minute), and one still queued when the connection drops
 *       is not sent again (a request that matters, such as op 8, is
 *       repeated by the caller after the shard's RESUMED). Loop thread.
 * Returns: 0; DBOT_EINVAL (other op, a shard out of range or not run
 *       by this process, d not an object); DBOT_ESTATE (the shard is not
 *       READY: try after its READY or RESUMED); DBOT_ETOOBIG (over 4096
 *       bytes); DBOT_EBUSY (the shard's send queue is full, see LIMITS:
 *       nothing was queued, try again later); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_shard_send(dbot *bot, int shard_id, int op, const cJSON *d);

/* Name: dbot_shard_count
 * Desc: the number of shards this process runs, known once dbot_run() has
 *       planned them. Loop thread.
 * Returns: the count; 1 before dbot_run(). */
DBOT_API int dbot_shard_count(const dbot *bot);

/* Name: dbot_shard_of_guild
 * Desc: the shard that receives a guild's events: (guild_id >> 22) %
 *       shards. Loop thread.
 * Returns: the shard id. */
DBOT_API int dbot_shard_of_guild(const dbot *bot, uint64_t guild_id);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_SHARD_H */
