/*
 * fake_rest.h: the HTTP side of the fake: request intake and recording,
 * scripted answers, rate limits, response writing. The routes themselves
 * are in fake_routes.c and fake_interactions.c. Loop thread only, fc->mu held,
 * except fc_rest_init/cleanup (no thread running).
 */
#ifndef DBOT_TESTS_FAKE_REST_H
#define DBOT_TESTS_FAKE_REST_H

#include "fake_gateway.h"
#include "fake_state.h"

/* Default buckets and empty stores. 0 or -1. */
int fc_rest_init(struct fakecord *fc);
/* Free rules, buckets, interactions, records, stores. */
void fc_rest_cleanup(struct fakecord *fc);

int fc_rest_callback(struct fakecord *fc, struct lws *wsi,
                     enum lws_callback_reasons reason, struct fc_pss *pss,
                     void *in, size_t len);

/* Set the answer of request h: status and body (copied; NULL: none). */
void fc_http_reply(struct fc_http *h, int status, const char *body);
/* Same with a JSON body (printed, then deleted: takes ownership). */
void fc_http_reply_json(struct fc_http *h, int status, cJSON *body);
/* Discord's error body {"code":code,"message":msg}. */
void fc_http_error(struct fc_http *h, int status, int code, const char *msg);

/* The recorded request h belongs to. */
struct fakecord_request *fc_http_record(struct fakecord *fc, struct fc_http *h);

#endif
