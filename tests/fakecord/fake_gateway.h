/*
 * fake_gateway.h: the websocket side of the fake (Hello, heartbeats,
 * Identify, Resume, dispatches, zlib-stream, close codes). Loop thread
 * only, fc->mu held.
 */
#ifndef DBOT_TESTS_FAKE_GATEWAY_H
#define DBOT_TESTS_FAKE_GATEWAY_H

#include "fake_state.h"

/* Per-wsi user data of the fake's single protocol (websocket or HTTP). */
struct fc_pss {
    struct fc_conn *conn;
    struct fc_http *http;
};

/* Handle a websocket callback reason. Returns the lws callback result. */
int fc_gw_callback(struct fakecord *fc, struct lws *wsi,
                   enum lws_callback_reasons reason, struct fc_pss *pss,
                   void *in, size_t len);

/* Newest live connection of `shard` (see TARGETS in fakecord.h). */
struct fc_conn *fc_gw_target(struct fakecord *fc, int shard);

/* Dispatch t/d on session s (stored for replay; sent if connected).
 * d_json must be valid JSON. Returns the seq, or -1. */
int64_t fc_gw_dispatch(struct fakecord *fc, struct fc_session *s, const char *t,
                       const char *d_json);
/* The same, but the connection gets only the first half of the message
 * (the session keeps it whole, so a Resume replays it intact). */
int64_t fc_gw_dispatch_garbled(struct fakecord *fc, struct fc_session *s,
                               const char *t, const char *d_json);

/* Queue one gateway message (compressed per connection) and ask for
 * writable. Returns 0 or -1. */
int fc_gw_send(struct fakecord *fc, struct fc_conn *c, const char *text,
               size_t len);

/* n messages in one websocket message (zlib-stream) or back to back. */
/* `len` bytes as one binary websocket message, not compressed. */
int fc_gw_send_wire(struct fakecord *fc, struct fc_conn *c, const void *data,
                    size_t len);
int fc_gw_send_batch(struct fakecord *fc, struct fc_conn *c, char *const *texts,
                     int n);

/* Send Hello (op 10) and start the heartbeat clock. */
void fc_gw_hello(struct fakecord *fc, struct fc_conn *c);

/* op 9; resumable == 0 kills the session. */
void fc_gw_invalid_session(struct fakecord *fc, struct fc_conn *c,
                           int resumable);

/* The portal loses privileged intents `bits`: later Identifies asking
 * for one get 4014; live sessions holding one die with close 4003. */
void fc_gw_revoke_intents(struct fakecord *fc, uint64_t bits);

/* Close with a close frame after what is queued / drop at once. */
void fc_gw_close(struct fakecord *fc, struct fc_conn *c, int code,
                 const char *why);
void fc_gw_drop(struct fakecord *fc, struct fc_conn *c);

/* fake_presence.c: NULL when d is a presence object Discord accepts, else
 * what is wrong; op 3 received (recorded, checked). */
const char *fc_presence_problem(const cJSON *d);
void fc_on_presence(struct fakecord *fc, struct fc_conn *c, const cJSON *d);

#endif
