/*
 * fake_ratelimit.h: Discord-style REST rate limits for the fake (pure:
 * paths and now_ms in, verdicts out; no sockets, no clocks).
 *
 * DESIGN. A route is METHOD + template ("/channels/{x}/messages", where a
 * {...} segment matches any one segment) mapped to a bucket hash. Buckets
 * are fixed windows keyed by hash + the request's major parameters, as
 * Discord keys them: the segment after /channels, /guilds, /webhooks or
 * /interactions, plus the token after /webhooks/{id} or /interactions/{id}.
 * A window opens at the first request and refills when it ends. The global
 * limit is a 1 s fixed window over all requests, except interaction
 * callbacks and /webhooks (exempt, as on Discord).
 */
#ifndef DBOT_TESTS_FAKE_RATELIMIT_H
#define DBOT_TESTS_FAKE_RATELIMIT_H

#include <stdint.h>

struct fc_rl_route {
    struct fc_rl_route *next;
    char method[8];
    char *tmpl;
    char *hash;
    int limit, window_ms;
};

struct fc_rl_bucket {
    struct fc_rl_bucket *next;
    char *key; /* hash + ":" + major values */
    int limit, remaining;
    int64_t reset_ms;
};

struct fc_rl {
    struct fc_rl_route *routes;
    struct fc_rl_bucket *buckets;
    int global_per_s;
    int64_t g_start_ms;
    int g_count;
};

enum {
    FC_RL_OK,
    FC_RL_BUCKET,
    FC_RL_GLOBAL
};

struct fc_rl_verdict {
    int verdict;    /* FC_RL_OK or the limit that refused */
    int has_bucket; /* route is limited: headers apply */
    int limit, remaining;
    int64_t reset_after_ms;
    const char *hash; /* borrowed from the route table */
};

/* Set or replace (limit <= 0: remove) a route. 0 or -1 (ENOMEM). */
int fc_rl_set_route(struct fc_rl *rl, const char *method, const char *tmpl,
                    const char *hash, int limit, int window_ms);

/* Account one request of `method` on `path` (after /api/v10, no query) at
 * now_ms. A refused request consumes nothing. */
void fc_rl_check(struct fc_rl *rl, const char *method, const char *path,
                 int64_t now_ms, struct fc_rl_verdict *out);

void fc_rl_free(struct fc_rl *rl);

#endif
