/*
 * fake_routes.h: REST route handling shared by fake_routes.c (dispatch,
 * gateway/application/channel/command routes) and fake_interactions.c
 * (interaction callbacks and webhooks). Loop thread only, fc->mu held.
 */
#ifndef DBOT_TESTS_FAKE_ROUTES_H
#define DBOT_TESTS_FAKE_ROUTES_H

#include "fake_rest.h"

#define FC_MAX_SEGS 8

/* A request path split into segments. */
struct fc_route {
    int n;
    char *seg[FC_MAX_SEGS];
    char *buf; /* owned copy of the path; tokens can be very long */
};

/* Answer h (path after /api/v10 in h->path). */
void fc_routes_handle(struct fakecord *fc, struct fc_http *h);

/* Is segment i the literal `lit`? */
int fc_route_is(const struct fc_route *r, int i, const char *lit);
/* Decimal text of v in buf. */
const char *fc_str_of(char *buf, size_t n, uint64_t v);
/* The request's JSON: the body, or payload_json of a multipart body.
 * NULL if none parses. Caller deletes. */
cJSON *fc_body_json(struct fakecord *fc, struct fc_http *h);
/* The bot's user object. */
cJSON *fc_bot_user(void);
/* A message object as Discord returns it, built from a create/edit body
 * (may be NULL); webhook adds webhook_id/application_id. */
cJSON *fc_message_object(uint64_t id, const char *channel_id, const cJSON *body,
                         int webhook);
/* 1 if b is a message body with content; else answers h (50109/50006). */
int fc_message_body_ok(struct fc_http *h, const cJSON *b);
/* What a body is, for fc_limits_ok. */
enum {
    FC_BODY_MESSAGE,
    FC_BODY_CHOICES,
    FC_BODY_MODAL
};
/* 1 if b (a message, autocomplete data or modal data) keeps Discord's
 * limits: content 2000 characters (code points), 10 embeds of 6000
 * characters together, 25 choices of names up to 100, modal title 1-45 and
 * custom_id 1-100. Else records a violation and answers h with 400 50035,
 * as Discord does. */
int fc_limits_ok(struct fakecord *fc, struct fc_http *h, const cJSON *b,
                 int kind);

/* A copy of the store *store under fc->mu, for the public queries (any
 * thread, mu NOT held). Caller deletes. */
cJSON *fc_copy_locked(struct fakecord *fc, cJSON *const *store);

/* Free the enforce_nonce records (fc_rest_cleanup). */
void fc_nonces_free_all(struct fakecord *fc);

/* PUT|DELETE /channels/{c}/messages/{m}/reactions/{emoji}/{@me|user}
 * (fake_reactions.c). */
void fc_reaction_route(struct fakecord *fc, struct fc_http *h,
                       const struct fc_route *r);

/* POST /interactions/{id}/{token}/callback. */
void fc_ix_callback(struct fakecord *fc, struct fc_http *h,
                    const struct fc_route *r);
/* /webhooks/{app}/{token}[/messages/{id|@original}]. */
void fc_ix_webhook(struct fakecord *fc, struct fc_http *h,
                   const struct fc_route *r);
/* Create an interaction and dispatch it. 0 on failure. */
uint64_t fc_ix_push(struct fakecord *fc, const char *json);

#endif
