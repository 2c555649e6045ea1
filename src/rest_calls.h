/*
 * rest_calls.h: the routes behind <dbot/rest_calls.h> (rest_calls.c:
 * messages, channels, threads, DMs; rest_guild.c: members, roles, guild,
 * webhooks). Each does what the public call of the same name after
 * "dbot_" does, with the same arguments, checks and errors, on client `r`
 * (callbacks get the client's owner as their bot). Loop thread. The
 * chained calls (dbot_dm_send, dbot_member_list_all) need the bot between
 * steps and live in api_rest_calls.c.
 */
#ifndef DBOT_SRC_REST_CALLS_H
#define DBOT_SRC_REST_CALLS_H

#include "rest.h"

#include <dbot/rest_calls.h>

/* 0 if `reason` is NULL, "" or 1..512 code points of UTF-8; else
 * DBOT_EINVAL, logged with the route's name. */
int dbot__rest_reason_check(const char *reason, const char *what);

/* METHOD path with an optional body and audit-log reason (checked). */
int dbot__rest_audited(struct dbot__rest *r, const char *method,
                       const char *path, const cJSON *body, const char *reason,
                       dbot_rest_fn cb, void *data);

/* The bulk-delete checks: 0, or DBOT_EINVAL (logged) for n outside
 * 2..100, a zero or duplicate id, or an id older than 14 days at
 * now_unix_ms. Pure. */
int dbot__bulk_delete_check(const uint64_t *ids, size_t n, int64_t now_unix_ms);

int dbot__rest_message_get(struct dbot__rest *r, uint64_t channel_id,
                           uint64_t message_id, dbot_rest_fn cb, void *data);
int dbot__rest_message_edit(struct dbot__rest *r, uint64_t channel_id,
                            uint64_t message_id, const cJSON *msg,
                            dbot_rest_fn cb, void *data);
int dbot__rest_message_delete(struct dbot__rest *r, uint64_t channel_id,
                              uint64_t message_id, const char *reason,
                              dbot_rest_fn cb, void *data);
int dbot__rest_message_bulk_delete(struct dbot__rest *r, uint64_t channel_id,
                                   const uint64_t *ids, size_t n,
                                   int64_t now_unix_ms, const char *reason,
                                   dbot_rest_fn cb, void *data);
int dbot__rest_message_pin(struct dbot__rest *r, uint64_t channel_id,
                           uint64_t message_id, int pin, const char *reason,
                           dbot_rest_fn cb, void *data);
int dbot__rest_dm_open(struct dbot__rest *r, uint64_t user_id, dbot_rest_fn cb,
                       void *data);
int dbot__rest_channel_get(struct dbot__rest *r, uint64_t channel_id,
                           dbot_rest_fn cb, void *data);
int dbot__rest_channel_modify(struct dbot__rest *r, uint64_t channel_id,
                              const cJSON *changes, const char *reason,
                              dbot_rest_fn cb, void *data);
int dbot__rest_thread_create(struct dbot__rest *r, uint64_t channel_id,
                             uint64_t message_id, const char *name,
                             const char *reason, dbot_rest_fn cb, void *data);
int dbot__rest_thread_join(struct dbot__rest *r, uint64_t thread_id,
                           dbot_rest_fn cb, void *data);
int dbot__rest_thread_archive(struct dbot__rest *r, uint64_t thread_id,
                              int archived, const char *reason, dbot_rest_fn cb,
                              void *data);

int dbot__rest_member_get(struct dbot__rest *r, uint64_t guild_id,
                          uint64_t user_id, dbot_rest_fn cb, void *data);
int dbot__rest_member_list(struct dbot__rest *r, uint64_t guild_id,
                           uint64_t after, int limit, dbot_rest_fn cb,
                           void *data);
int dbot__rest_member_role(struct dbot__rest *r, uint64_t guild_id,
                           uint64_t user_id, uint64_t role_id, int add,
                           const char *reason, dbot_rest_fn cb, void *data);
int dbot__rest_member_timeout(struct dbot__rest *r, uint64_t guild_id,
                              uint64_t user_id, int64_t seconds,
                              int64_t now_unix_s, const char *reason,
                              dbot_rest_fn cb, void *data);
int dbot__rest_member_kick(struct dbot__rest *r, uint64_t guild_id,
                           uint64_t user_id, const char *reason,
                           dbot_rest_fn cb, void *data);
int dbot__rest_member_ban(struct dbot__rest *r, uint64_t guild_id,
                          uint64_t user_id, int delete_message_seconds,
                          const char *reason, dbot_rest_fn cb, void *data);
int dbot__rest_member_unban(struct dbot__rest *r, uint64_t guild_id,
                            uint64_t user_id, const char *reason,
                            dbot_rest_fn cb, void *data);
int dbot__rest_role_list(struct dbot__rest *r, uint64_t guild_id,
                         dbot_rest_fn cb, void *data);
int dbot__rest_role_create(struct dbot__rest *r, uint64_t guild_id,
                           const cJSON *params, const char *reason,
                           dbot_rest_fn cb, void *data);
int dbot__rest_role_modify(struct dbot__rest *r, uint64_t guild_id,
                           uint64_t role_id, const cJSON *params,
                           const char *reason, dbot_rest_fn cb, void *data);
int dbot__rest_role_delete(struct dbot__rest *r, uint64_t guild_id,
                           uint64_t role_id, const char *reason,
                           dbot_rest_fn cb, void *data);
int dbot__rest_guild_get(struct dbot__rest *r, uint64_t guild_id,
                         dbot_rest_fn cb, void *data);
int dbot__rest_webhook_create(struct dbot__rest *r, uint64_t channel_id,
                              const char *name, const char *reason,
                              dbot_rest_fn cb, void *data);
int dbot__rest_webhook_execute(struct dbot__rest *r, uint64_t webhook_id,
                               const char *token, const cJSON *msg,
                               dbot_rest_fn cb, void *data);

#endif
