/*
 * service.h: running under a service manager. Glue between the bot's
 * lifecycle and systemd notification (notify.c), the session file
 * (state.c) and the HTTP endpoints (http.c, metrics.c). bot.c calls these
 * at creation, start, every tick, stop and free; nothing else does.
 *
 * THREADS. Loop thread only (dbot__service_new/free where the bot is
 * created and freed).
 */
#ifndef DBOT_SRC_SERVICE_H
#define DBOT_SRC_SERVICE_H

#include <dbot/dbot.h>

struct dbot__service;
struct dbot__gateway;
struct dbot__shard_set;
struct dbot_config;
struct dbot__loop;
struct dbot__health;
struct dbot__rest;
struct dbot__pool;
struct dbot__interactions;
struct dbot__coord;
struct dbot__http_ix;
struct dbot__cache;
struct dbot__gwt;

/* What the service watches and reports, handed over by the wiring and
 * borrowed until dbot__service_free. */
struct dbot__service_deps {
    const struct dbot_config *cfg;
    struct dbot__loop *loop;
    struct dbot__health *health;
    struct dbot__rest *rest;
    struct dbot__pool *pool;
    struct dbot__interactions *interactions;
    struct dbot__coord *coord; /* NULL without redis_url */
    struct dbot__http_ix *ixl; /* interactions_listen, or NULL */
    struct dbot__cache *cache; /* NULL: the cache is off */
    struct dbot__gwt *gwt;     /* the gateway thread, NULL: HTTP only */
};

/* No I/O. Returns 0 or DBOT_ENOMEM. */
int dbot__service_new(struct dbot__service **out,
                      const struct dbot__service_deps *d);

/* dbot_run() start, before the shards are created: start the HTTP
 * listener, open $NOTIFY_SOCKET, arm the systemd watchdog, read the saved
 * sessions (and remove the file). `shards` is bot.c's set, borrowed until
 * dbot__service_free; its array may grow and move, so the service reads
 * it through this pointer every time. Returns 0, or DBOT_EIO when
 * http_listen cannot be bound (logged). */
int dbot__service_start(struct dbot__service *svc,
                        const struct dbot__shard_set *shards);

/* The shard count the saved sessions were written for, or 0 when none
 * were read. With "shards": 0 the bot starts that many shards. */
int dbot__service_saved_shards(const struct dbot__service *svc);

/* The shards exist, not started: hand each its saved session so it
 * resumes (when the count matches; else it identifies). Once. */
void dbot__service_adopt_sessions(struct dbot__service *svc);

/* A dispatch named `name` arrived (the event sink), for /metrics. svc may be
 * NULL. */
void dbot__service_on_event(struct dbot__service *svc, const char *name);

/* Every loop tick: READY=1 once every shard is READY (and the
 * interactions listener, if any, listens; an HTTP-only bot has no
 * shards), STATUS= on change. */
void dbot__service_tick(struct dbot__service *svc);

/* Shutdown began: STOPPING=1; /healthz turns 503. */
void dbot__service_stopping(struct dbot__service *svc);

/* The loop has ended (connections closed or given up on): save the
 * sessions (stop_mode "resume" and exit_code 0) or remove the file
 * ("offline"), stop the listener and the watchdog timer. */
void dbot__service_stopped(struct dbot__service *svc, int exit_code);

/* The port the HTTP listener bound, or -1 (tests). */
int dbot__service_http_port(const struct dbot__service *svc);

/* Cancel timers, stop the listener, close the socket. NULL is a no-op.
 * Before the lws context is destroyed. */
void dbot__service_free(struct dbot__service *svc);

#endif
