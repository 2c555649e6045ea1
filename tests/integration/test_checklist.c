/*
 * test_checklist.c: the mistakes of discord-protocol.md §5 ("things real
 * libraries got wrong") that no other test caught, one test each, named
 * by what dbot must do instead. docs/checklist.md maps every item of the
 * list to the tests that catch it, here and elsewhere.
 */
#include "harness.h"

#include <dbot/interaction.h>

#include <cjson/cJSON.h>

static struct harness H;

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
}

static void
assert_no_violations(struct harness *h)
{
    char *v = fakecord_violations(h->fc);

    ASSERT_STREQ(v, "");
    free(v);
}

static uint64_t
push_command(struct harness *h, const char *name)
{
    char json[256];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":2,\"channel_id\":\"5\",\"user\":{\"id\":\"42\"},"
             "\"data\":{\"id\":\"7\",\"name\":\"%s\",\"type\":1}}",
             name);
    id = fakecord_push_interaction(h->fc, json);
    ASSERT_NE(id, 0);
    return id;
}

/* ---- item 1: heartbeats are not starved by user work -------------------- */

static void
blocking_work(dbot_work *w)
{
    h_gate_pass();
    dbot_work_reply(w, "unblocked");
}

static int
on_block(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, blocking_work, NULL);
}

static void
setup_block(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "block", on_block, NULL), 0);
}

/* Every worker stuck in user code for ten heartbeat intervals: the fake,
 * which closes 4009 on a late heartbeat, sees every beat in time. */
TEST(heartbeats_go_on_while_every_worker_blocks)
{
    /* Valgrind slows the bot tenfold: so are the interval and grace, or
     * an ACK late by valgrind alone would look like a zombie. */
    struct fakecord_opts o = {
        .heartbeat_interval_ms = (int)check_timeout_ms_(100),
        .heartbeat_grace_ms = (int)check_timeout_ms_(600),
    };
    uint64_t id[2];
    int before;

    h_gate_set(0);
    h_start_with(&H, &o, ",\"workers\":2", setup_block, NULL);
    wait_ready(&H);
    id[0] = push_command(&H, "block");
    id[1] = push_command(&H, "block");
    WAIT_UNTIL(atomic_load(&h_gate_waiting) == 2, 10000);
    before = h_stats(&H).heartbeats;
    WAIT_UNTIL(h_stats(&H).heartbeats >= before + 10, 10000);
    ASSERT_EQ(atomic_load(&h_gate_waiting), 2); /* still blocked throughout */
    h_gate_set(1);
    WAIT_UNTIL(h_ix_edits(&H, id[0]) == 1, 10000);
    WAIT_UNTIL(h_ix_edits(&H, id[1]) == 1, 10000);
    ASSERT_EQ(h_stats(&H).connections, 1);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 2: the "ACK received" flag belongs to one connection ---------- */

/* A heartbeat is unanswered when op 7 arrives. Had the flag outlived the
 * socket, the new connection's first beat would find it set and call the
 * healthy connection a zombie, again and again. */
TEST(unanswered_beat_does_not_follow_to_the_next_connection)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 1500 };
    int beats, acks;

    h_log_reset();
    h_start(&H, &o, "");
    wait_ready(&H);
    fakecord_set_heartbeat_ack(H.fc, 0);
    beats = h_stats(&H).heartbeats;
    WAIT_UNTIL(h_stats(&H).heartbeats > beats, 10000);
    /* Within the 1.5 s before the bot would call this socket a zombie. */
    fakecord_set_heartbeat_ack(H.fc, 1);
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    acks = h_stats(&H).heartbeat_acks_sent;
    WAIT_UNTIL(h_stats(&H).heartbeat_acks_sent >= acks + 2, 15000);
    ASSERT_EQ(h_stats(&H).connections, 2);
    ASSERT_TRUE(!h_log_has("zombied"));
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 5: seq comes only from op 0 with a non-null s ------------------ */

TEST(seq_comes_only_from_dispatches_with_an_s)
{
    static const char ack_with_s[] =
        "{\"op\":11,\"d\":null,\"s\":99999,\"t\":null}";
    static const char null_s[] =
        "{\"op\":0,\"d\":{\"i\":0},\"s\":null,\"t\":\"NULL_SEQ\"}";
    int beats;

    h_start(&H, NULL, "");
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    ASSERT_GE(fakecord_send_raw(H.fc, ack_with_s, sizeof ack_with_s - 1), 0);
    ASSERT_GE(fakecord_send_raw(H.fc, null_s, sizeof null_s - 1), 0);
    WAIT_UNTIL(h_count(&H, "NULL_SEQ") == 1, 10000);
    beats = h_stats(&H).heartbeats;
    ASSERT_GE(fakecord_send_heartbeat_request(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).heartbeats > beats, 10000);
    /* The beat carries the last real seq: not 99999, not reset by null. */
    ASSERT_EQ(h_stats(&H).last_heartbeat_seq, h_stats(&H).last_seq_sent);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 6: a stalled loop finds whole zlib-stream messages ----------- */

/* Blocks the loop thread (what handlers must never do) until the gate
 * opens: meanwhile the socket fills with compressed frames. */
static void
on_stall(dbot *bot, const dbot_event *ev, void *data)
{
    (void)bot;
    (void)ev;
    (void)data;
    h_gate_pass();
}

static void
setup_stall(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on(bot, "STALL", on_stall, NULL), 0);
}

TEST(stalled_loop_inflates_the_backlog_in_order)
{
    h_log_reset();
    h_gate_set(0);
    h_start_with(&H, NULL, "", setup_stall, NULL);
    wait_ready(&H);
    ASSERT_GE(fakecord_push_event(H.fc, "STALL", "{}"), 0);
    WAIT_UNTIL(atomic_load(&h_gate_waiting) == 1, 10000);
    /* Messages split over websocket messages and fragments, and many
     * messages in one frame, all waiting in the socket together. */
    fakecord_set_split(H.fc, 3, 0);
    h_push_numbered(&H, "TEST_EVENT", 0, 20);
    fakecord_set_split(H.fc, 3, 1);
    h_push_numbered(&H, "TEST_EVENT", 20, 40);
    fakecord_set_split(H.fc, 0, 0);
    ASSERT_GE(fakecord_send_batch(H.fc, NULL, NULL, 25), 0);
    WAIT_UNTIL(h_stats(&H).frames_unsent == 0, 10000);
    h_gate_set(1);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 40, 10000);
    WAIT_UNTIL(h_count(&H, "FAKECORD_BATCH") >= 25, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 40);
    h_assert_sequence(&H, "FAKECORD_BATCH", 25);
    ASSERT_EQ(h_stats(&H).compressed, 1);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_TRUE(!h_log_has("zlib-stream"));
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 8: every new session checks session_start_limit --------------- */

static void
start_discovering(struct harness *h, const struct fakecord_opts *o)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(h, o);
    h_new_bot_at(h, 0, "");
    h_run_bot(h);
}

/* Two identifies left today. Discord invalidates the session twice: the
 * first new session spends the last identify; before the second the bot
 * reads session_start_limit again and waits for the reset instead of
 * identifying with none left (which ends in a token reset). */
static void
two_new_sessions_with_two_identifies_left(void)
{
    wait_ready(&H);
    ASSERT_GE(fakecord_send_invalid_session(H.fc, 0), 0);
    WAIT_UNTIL(h_count(&H, "READY") == 2, 15000);
    ASSERT_GE(fakecord_send_invalid_session(H.fc, 0), 0);
    WAIT_UNTIL(h_log_has("no identifies left today"), 15000);
    ASSERT_EQ(h_stats(&H).identifies, 2);
    assert_no_violations(&H);
    h_teardown(&H);
}

TEST(new_session_rechecks_session_start_limit)
{
    struct fakecord_opts o = { .session_start_remaining = 2 };

    h_log_reset();
    start_discovering(&H, &o);
    two_new_sessions_with_two_identifies_left();
}

/* The same with a configured gateway_url (a gateway proxy, or the fake):
 * the URL is not needed, the limit still is. */
TEST(configured_gateway_url_still_checks_session_start_limit)
{
    struct fakecord_opts o = { .session_start_remaining = 2 };

    h_log_reset();
    h_start(&H, &o, "");
    two_new_sessions_with_two_identifies_left();
}

/* With a configured gateway_url, a REST outage does not keep the gateway
 * down: the bot connects without the answer, and says what it skipped. */
TEST(configured_gateway_url_connects_through_a_rest_outage)
{
    h_log_reset();
    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(&H, NULL);
    ASSERT_GE(
        fakecord_rest_fail(H.fc, "GET", "/gateway/bot", 503, 1000, NULL, NULL),
        0);
    h_new_bot(&H, "");
    h_run_bot(&H);
    wait_ready(&H);
    ASSERT_TRUE(h_log_has("without checking session_start_limit"));
    assert_no_violations(&H);
    h_teardown(&H);
}

/* Discord ends every new session at once (op 9 false right after READY).
 * The first two get the documented 1-5 s wait; from the third the bot
 * backs off (2.5 s at least, doubling) and says why, so a loop like this
 * cannot burn the 1000 identifies of a day in an hour. */
TEST(sessions_that_keep_ending_back_off_identifies)
{
    long long t0;

    h_log_reset();
    h_start(&H, NULL, "");
    wait_ready(&H);
    for (int n = 1; n <= 2; n++) {
        ASSERT_GE(fakecord_send_invalid_session(H.fc, 0), 0);
        WAIT_UNTIL(h_count(&H, "READY") == n + 1, 15000);
    }
    ASSERT_TRUE(!h_log_has("sessions in a row"));
    t0 = check_now_ms_();
    ASSERT_GE(fakecord_send_invalid_session(H.fc, 0), 0);
    WAIT_UNTIL(h_log_has("3 sessions in a row ended within 60 s"), 10000);
    WAIT_UNTIL(h_stats(&H).identifies == 4, 20000);
    ASSERT_GE(check_now_ms_() - t0, 2500);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 11: wait for the defer to land before editing ----------------- */

static atomic_int followup_rc = 1;

static int
on_defer_then_answer(dbot_interaction *ix, void *data)
{
    int rc;

    (void)data;
    rc = dbot_interaction_defer(ix, 0);
    if (rc < 0)
        return rc;
    /* Both while the defer is still in flight. */
    atomic_store(&followup_rc, dbot_interaction_followup(ix, "early", 0));
    return dbot_interaction_original_edit(ix, "after the defer");
}

static int
on_pong(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "pong");
}

static void
setup_defer(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "defer", on_defer_then_answer, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "pong", on_pong, NULL), 0);
}

/* Arrival time of the first request whose method and path match. */
static int64_t
arrival_ms(struct harness *h, const char *method, const char *path_part)
{
    struct fakecord_request *reqs;
    int64_t t = -1;
    int n = fakecord_requests(h->fc, &reqs);

    for (int i = 0; i < n && t < 0; i++)
        if (!strcmp(reqs[i].method, method) && strstr(reqs[i].path, path_part))
            t = reqs[i].t_ms;
    fakecord_requests_free(reqs, n);
    return t;
}

TEST(edit_waits_for_the_defer_to_land)
{
    struct fakecord_rest_rule slow_callback = {
        .method = "POST",
        .path_prefix = "/interactions/",
        .count = 1,
        .delay_ms = 600,
    };
    struct fakecord_ix_log l;
    int64_t t_defer, t_edit;
    uint64_t id;

    atomic_store(&followup_rc, 1);
    h_start_with(&H, NULL, "", setup_defer, NULL);
    wait_ready(&H);
    /* Until curl has seen one answer it waits for the first connection
     * (it may turn out to multiplex): one request first, so the edit
     * below is free to overtake the defer, and only dbot holds it. */
    id = push_command(&H, "pong");
    WAIT_UNTIL(h_ix_callbacks(&H, id) == 1, 10000);
    ASSERT_GE(fakecord_rest_script(H.fc, &slow_callback), 0);
    id = push_command(&H, "defer");
    WAIT_UNTIL(h_ix_edits(&H, id) == 1, 10000);
    t_defer = arrival_ms(&H, "POST", "/callback");
    t_edit = arrival_ms(&H, "PATCH", "/messages/@original");
    ASSERT_TRUE(t_defer >= 0 && t_edit >= 0);
    /* The defer's answer left the fake 600 ms after it arrived. */
    ASSERT_GE(t_edit - t_defer, 600);
    /* A followup cannot be parked like an edit: it is refused locally. */
    ASSERT_EQ(atomic_load(&followup_rc), DBOT_ESTATE);
    l = h_ix_log(&H, id);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_EQ(l.followups, 0);
    ASSERT_STREQ(cJSON_GetObjectItem(l.last_edit, "content")->valuestring,
                 "after the defer");
    fakecord_ix_log_free(&l);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 15: 4003 after READY is not fatal ------------------------------ */

TEST(close_4003_after_ready_reconnects)
{
    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_close(H.fc, 4003), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    ASSERT_TRUE(atomic_load(&H.running));
    ASSERT_EQ(h_stats(&H).identifies, 1);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* Discord revokes GUILD_MEMBERS: 4003 on a READY session. The bot resumes
 * (4003 is not fatal), gets op 9 false, identifies anew after 1-5 s, and
 * only the 4014 to that stops it, with advice. */
TEST(revoked_intent_ends_in_4014_with_advice)
{
    char *v;

    h_log_reset();
    h_start(&H, NULL, ",\"intents\":[\"GUILDS\",\"GUILD_MEMBERS\"]");
    wait_ready(&H);
    ASSERT_EQ(fakecord_revoke_intents(H.fc, FAKECORD_INTENT_GUILD_MEMBERS), 0);
    ASSERT_EQ(h_finish(&H, 0), DBOT_EINTENTS);
    ASSERT_EQ(h_stats(&H).resumes, 1);
    ASSERT_EQ(h_stats(&H).identifies, 2);
    ASSERT_EQ(h_stats(&H).connections, 3);
    ASSERT_TRUE(h_log_has("Developer Portal"));
    /* The one mistake the fake saw is the Identify it refused: the bot
     * could not have known before asking. */
    v = fakecord_violations(H.fc);
    ASSERT_STREQ(v, "disallowed intents (4014)\n");
    free(v);
    h_teardown(&H);
}

/* ---- item 16: acknowledgements never wait for each other ---------------- */

#define BURST 20

static void
setup_pong(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "pong", on_pong, NULL), 0);
}

/* Every callback takes Discord 500 ms. One in flight at a time (one
 * bucket for all callbacks) would put the 20th at 10 s; each in its own
 * lane, all arrive at once. */
TEST(burst_of_acks_is_sent_in_parallel)
{
    struct fakecord_rest_rule slow_callbacks = {
        .method = "POST",
        .path_prefix = "/interactions/",
        .count = -1,
        .delay_ms = 500,
    };
    uint64_t id[BURST];
    double worst = 0;

    h_start_with(&H, NULL, "", setup_pong, NULL);
    wait_ready(&H);
    /* A first ack, so curl knows the server (edit test above). */
    id[0] = push_command(&H, "pong");
    WAIT_UNTIL(h_ix_callbacks(&H, id[0]) == 1, 10000);
    ASSERT_GE(fakecord_rest_script(H.fc, &slow_callbacks), 0);
    for (int i = 0; i < BURST; i++)
        id[i] = push_command(&H, "pong");
    for (int i = 0; i < BURST; i++)
        WAIT_UNTIL(h_ix_callbacks(&H, id[i]) == 1, 10000);
    for (int i = 0; i < BURST; i++) {
        struct fakecord_ix_log l = h_ix_log(&H, id[i]);

        ASSERT_EQ(l.callback_type, 4);
        if (l.callback_ms > worst)
            worst = l.callback_ms;
        fakecord_ix_log_free(&l);
    }
    /* One at a time, the 7th would have left after 3,000 ms and the 20th
     * after 10 s; in parallel all are in well inside Discord's 3 s (the
     * bound leaves a loaded machine its scheduling slack). */
    fprintf(stderr, "   slowest of %d acks: %.0f ms\n", BURST, worst);
    ASSERT_LE((long long)worst, check_timeout_ms_(2999));
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 19: a corrupted event is logged, then replayed ----------------- */

TEST(garbled_event_is_replayed_by_a_resume)
{
    h_log_reset();
    h_start(&H, NULL, "");
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    ASSERT_GE(fakecord_push_event_garbled(H.fc, "TEST_EVENT", "{\"i\":3}"), 0);
    h_push_numbered(&H, "TEST_EVENT", 4, 6);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 6, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 6);
    ASSERT_TRUE(h_log_has("malformed gateway message"));
    ASSERT_TRUE(h_log_has("sequence gap"));
    ASSERT_EQ(h_stats(&H).resumes_ok, 1);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 21: op 7 ends the old socket with a close frame ---------------- */

TEST(op7_closes_the_old_socket_with_a_code)
{
    struct fakecord_stats st;

    h_start(&H, NULL, "");
    wait_ready(&H);
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    /* The old socket goes away by itself... */
    WAIT_UNTIL(h_stats(&H).live_connections == 1, 10000);
    st = h_stats(&H);
    ASSERT_EQ(st.connections, 2);
    /* ...after a close frame whose code keeps the session (0: the TCP
     * connection just ended). */
    ASSERT_GE(st.client_close_code, 4000);
    ASSERT_LE(st.client_close_code, 4999);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- item 22: only a 401 from GET /gateway/bot is fatal ----------------- */

/* Nothing listens at the API (gateway_bot_401_is_fatal and
 * gateway_url_from_gateway_bot_with_retries in test_gateway.c cover the
 * HTTP answers): the bot keeps asking, with backoff, and keeps running. */
TEST(unreachable_api_is_retried_not_fatal)
{
    char json[512];

    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_log_reset();
    h_start_fake(&H, NULL);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"http://127.0.0.1:1/api/v10\","
             "\"log_level\":\"debug\",\"reconnect_min_ms\":50,"
             "\"reconnect_max_ms\":400}",
             H_TOKEN);
    ASSERT_EQ(dbot_new_from_json(&H.bot, json), 0);
    h_run_bot(&H);
    WAIT_UNTIL(h_log_has("(attempt 2)"), 30000);
    ASSERT_TRUE(h_log_has("GET /gateway/bot failed"));
    ASSERT_TRUE(atomic_load(&H.running));
    h_teardown(&H);
}

int
main(void)
{
    RUN(heartbeats_go_on_while_every_worker_blocks);
    RUN(unanswered_beat_does_not_follow_to_the_next_connection);
    RUN(seq_comes_only_from_dispatches_with_an_s);
    RUN(stalled_loop_inflates_the_backlog_in_order);
    RUN(new_session_rechecks_session_start_limit);
    RUN(configured_gateway_url_still_checks_session_start_limit);
    RUN(configured_gateway_url_connects_through_a_rest_outage);
    RUN(sessions_that_keep_ending_back_off_identifies);
    RUN(edit_waits_for_the_defer_to_land);
    RUN(close_4003_after_ready_reconnects);
    RUN(revoked_intent_ends_in_4014_with_advice);
    RUN(burst_of_acks_is_sent_in_parallel);
    RUN(garbled_event_is_replayed_by_a_resume);
    RUN(op7_closes_the_old_socket_with_a_code);
    RUN(unreachable_api_is_retried_not_fatal);
    free(h_logs);
    return 0;
}
