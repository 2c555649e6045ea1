/*
 * resolve.h: host name lookups off the loop thread.
 *
 * Debian's libwebsockets 4.1 is built without its async DNS, so a client
 * connect by name would run getaddrinfo() on the loop and stall it for as
 * long as DNS takes. The gateway resolves here first and then connects by
 * address, keeping the host name for SNI, the Host header and certificate
 * verification.
 */
#ifndef DBOT_SRC_RESOLVE_H
#define DBOT_SRC_RESOLVE_H

#include "task.h"

#include <dbot/dbot.h>

struct dbot__resolver;
struct dbot__resolve_req;

/* Answers come back through deliver(deliver_ctx, ...), on the loop.
 * Returns 0 or DBOT_ENOMEM. */
int dbot__resolver_new(struct dbot__resolver **out, dbot__deliver_fn deliver,
                       void *deliver_ctx);

/* Shutdown began: lookups that finish from now on are answered
 * DBOT_ESHUTDOWN, so nothing connects any more. Loop thread. */
void dbot__resolver_stop(struct dbot__resolver *r);

/* Waits for lookups still running (bounded by the resolver's own timeout),
 * without calling their callbacks. */
void dbot__resolver_free(struct dbot__resolver *r);

/* Called on the loop thread with err 0 and a numeric address ("1.2.3.4",
 * "::1"), or err < 0 and NULL. */
typedef void (*dbot__resolve_fn)(void *arg, int err, const char *addr);

/* Resolve `host` (loop thread). Numeric hosts skip the thread but the
 * callback still runs later, from the loop, never from inside this call.
 * *req identifies the lookup for dbot__resolve_cancel().
 * Returns 0, or DBOT_ENOMEM / DBOT_EAGAIN (cb not called). */
int dbot__resolve(struct dbot__resolver *r, const char *host,
                  dbot__resolve_fn cb, void *arg,
                  struct dbot__resolve_req **req);

/* The bot's resolver (bot.c). */
struct dbot__resolver *dbot__bot_resolver(dbot *bot);

/* The callback of `req` will not be called. Loop thread. */
void dbot__resolve_cancel(struct dbot__resolve_req *req);

#endif
