/*
 * test_fakecord_rest.c: the fake REST API checked with libcurl: auth,
 * rate limits, scripting (answers lost after the work, drops), nonce
 * dedupe, commands, multipart, interactions.
 */
#include "fc_testclient.h"
#include "fake_ratelimit.h"

TEST(test_ratelimit_buckets)
{
    struct fc_rl rl = { 0 };
    struct fc_rl_verdict v;

    /* Two routes sharing a hash share the bucket of one channel... */
    ASSERT_EQ(
        fc_rl_set_route(&rl, "POST", "/channels/{c}/messages", "h1", 2, 1000),
        0);
    ASSERT_EQ(fc_rl_set_route(&rl, "PATCH", "/channels/{c}/messages/{m}", "h1",
                              2, 1000),
              0);
    fc_rl_check(&rl, "POST", "/channels/1/messages", 0, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    ASSERT_EQ(v.remaining, 1);
    fc_rl_check(&rl, "PATCH", "/channels/1/messages/77", 10, &v);
    ASSERT_EQ(v.remaining, 0);
    fc_rl_check(&rl, "POST", "/channels/1/messages", 20, &v);
    ASSERT_EQ(v.verdict, FC_RL_BUCKET);
    ASSERT_EQ(v.reset_after_ms, 980);
    /* ...but not another channel (major parameter)... */
    fc_rl_check(&rl, "POST", "/channels/2/messages", 20, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    /* ...and the window refills. */
    fc_rl_check(&rl, "POST", "/channels/1/messages", 1000, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    ASSERT_EQ(v.remaining, 1);
    /* The method is part of the route; unlimited routes have no bucket. */
    fc_rl_check(&rl, "GET", "/channels/1/messages", 1000, &v);
    ASSERT_EQ(v.has_bucket, 0);

    /* Webhook id and token are both major. */
    ASSERT_EQ(
        fc_rl_set_route(&rl, "POST", "/webhooks/{id}/{token}", "wh", 1, 1000),
        0);
    fc_rl_check(&rl, "POST", "/webhooks/5/tokA", 0, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    fc_rl_check(&rl, "POST", "/webhooks/5/tokB", 0, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    fc_rl_check(&rl, "POST", "/webhooks/5/tokA", 1, &v);
    ASSERT_EQ(v.verdict, FC_RL_BUCKET);

    /* Global: 1/s, webhooks and interaction callbacks exempt. */
    rl.global_per_s = 1;
    fc_rl_check(&rl, "GET", "/gateway", 5000, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    fc_rl_check(&rl, "GET", "/gateway", 5001, &v);
    ASSERT_EQ(v.verdict, FC_RL_GLOBAL);
    fc_rl_check(&rl, "POST", "/interactions/1/t/callback", 5002, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);
    fc_rl_check(&rl, "GET", "/gateway", 6001, &v);
    ASSERT_EQ(v.verdict, FC_RL_OK);

    /* limit <= 0 removes a route. */
    ASSERT_EQ(
        fc_rl_set_route(&rl, "POST", "/webhooks/{id}/{token}", NULL, 0, 0), 0);
    fc_rl_check(&rl, "POST", "/webhooks/5/tokA", 7000, &v);
    ASSERT_EQ(v.has_bucket, 0);
    fc_rl_free(&rl);
}

TEST(test_rest_auth_and_ratelimit)
{
    fakecord *fc = fc_start_default();
    struct fakecord_request *reqs;
    struct resp r;
    char *v;
    int n;

    ASSERT_EQ(rest_call(fc, "GET", "/gateway/bot", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 401);
    ASSERT_STREQ(r.body, "{\"code\":0,\"message\":\"401: Unauthorized\"}");
    ASSERT_EQ(rest_call(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, fakecord_gateway_url(fc));
    ASSERT_CONTAINS(r.body, "\"max_concurrency\":1");
    ASSERT_EQ(rest_call(fc, "GET", "/nope", "Bot test-token", NULL, &r), 0);
    ASSERT_EQ(r.status, 404);
    v = fakecord_violations(fc);
    ASSERT_STREQ(v, "");
    free(v);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/1/typing", "Bot test-token",
                        "raw-no-type", &r),
              0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "50035");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: body without Content-Type");
    free(v);

    for (int i = 0; i < 5; i++) {
        ASSERT_EQ(rest_call(fc, "POST", "/channels/1/messages",
                            "Bot test-token", "{\"content\":\"hi\"}", &r),
                  0);
        ASSERT_EQ(r.status, 200);
        ASSERT_CONTAINS(r.headers, "X-RateLimit-Bucket: ");
    }
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Remaining: 0");
    ASSERT_EQ(rest_call(fc, "POST", "/channels/1/messages", "Bot test-token",
                        "{\"content\":\"hi\"}", &r),
              0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"retry_after\":");
    ASSERT_CONTAINS(r.body, "\"global\":false");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: user");
    ASSERT_CONTAINS(r.headers, "Retry-After: ");
    /* Another channel is another bucket. */
    ASSERT_EQ(rest_call(fc, "POST", "/channels/2/messages", "Bot test-token",
                        "{\"content\":\"hi\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: request while bucket empty");
    free(v);

    /* Scripted failure, then normal again. */
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/gateway", 502, 1, NULL, NULL), 0);
    ASSERT_EQ(rest_call(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 502);
    ASSERT_EQ(rest_call(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 200);

    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 13);
    ASSERT_STREQ(reqs[0].path, "/api/v10/gateway/bot");
    ASSERT_STREQ(reqs[0].authorization, "");
    ASSERT_EQ(reqs[0].status, 401);
    ASSERT_CONTAINS(reqs[0].user_agent, "DiscordBot (");
    ASSERT_CONTAINS(reqs[0].headers, "user-agent: DiscordBot (");
    ASSERT_CONTAINS(reqs[0].headers, "host: 127.0.0.1");
    ASSERT_STREQ(reqs[4].method, "POST");
    ASSERT_STREQ((char *)reqs[4].body, "{\"content\":\"hi\"}");
    ASSERT_STREQ(reqs[4].content_type, "application/json");
    fakecord_requests_free(reqs, n);
    fakecord_stop(fc);
}

TEST(test_interaction_flow)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000,
                               .interaction_token_len = 30000 };
    fakecord *fc = fakecord_start(&o);
    struct fakecord_ix_log log;
    struct wsc w;
    struct resp r;
    char *sid = connect_identify(&w, fc, 0);
    char path[40000], *v;
    const char *tok;
    uint64_t id, old;

    id = fakecord_push_interaction(
        fc, "{\"type\":2,\"data\":{\"id\":\"1\",\"name\":\"ping\"}}");
    ASSERT_NE(id, 0);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_STREQ(msg_t(&w, 3), "INTERACTION_CREATE");
    tok = cJSON_GetObjectItem(msg_d(&w, 3), "token")->valuestring;
    ASSERT_EQ(strlen(tok), 30000);
    snprintf(path, sizeof path, "/interactions/%llu/%s/callback",
             (unsigned long long)id, tok);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"type\":5}", &r), 0);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "40060");
    snprintf(path, sizeof path, "/webhooks/%s/%s/messages/@original",
             FAKECORD_APP_ID, tok);
    ASSERT_EQ(rest_call(fc, "PATCH", path, NULL, "{\"content\":\"done\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    snprintf(path, sizeof path, "/webhooks/%s/%s", FAKECORD_APP_ID, tok);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"content\":\"more\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":");

    ASSERT_EQ(fakecord_interaction_log(fc, id, &log), 0);
    ASSERT_EQ(log.callbacks, 2);
    ASSERT_EQ(log.callback_type, 5);
    ASSERT_EQ(log.callback_status, 204);
    ASSERT_TRUE(log.callback_ms >= 0 && log.callback_ms < 3000);
    ASSERT_EQ(log.edits, 1);
    ASSERT_STREQ(cJSON_GetObjectItem(log.last_edit, "content")->valuestring,
                 "done");
    ASSERT_EQ(log.followups, 1);
    fakecord_ix_log_free(&log);

    /* Autocomplete accepts only type 8; with_response returns the
     * interaction. */
    old = fakecord_push_interaction(fc, "{\"type\":4}");
    WSC_WAIT(&w, w.n >= 5, 5000);
    tok = cJSON_GetObjectItem(msg_d(&w, 4), "token")->valuestring;
    snprintf(path, sizeof path,
             "/interactions/%llu/%s/callback?with_response=true",
             (unsigned long long)old, tok);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 400);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL,
                        "{\"type\":8,\"data\":{\"choices\":[]}}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"type\":4");
    ASSERT_CONTAINS(r.body, "\"resource\":{\"type\":8}");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "interaction callback type 4 invalid for interaction "
                       "type 4");
    free(v);

    /* A late callback: 10062. */
    old = fakecord_push_interaction(fc, "{\"type\":2}");
    WSC_WAIT(&w, w.n >= 6, 5000);
    ASSERT_EQ(fakecord_age_interaction(fc, old, 3500), 0);
    tok = cJSON_GetObjectItem(msg_d(&w, 5), "token")->valuestring;
    snprintf(path, sizeof path, "/interactions/%llu/%s/callback",
             (unsigned long long)old, tok);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 404);
    ASSERT_CONTAINS(r.body, "10062");
    /* The token still works for 15 min, then 10062 too. */
    ASSERT_EQ(fakecord_age_interaction(fc, id, 15 * 60 * 1000), 0);
    snprintf(path, sizeof path, "/webhooks/%s/%s", FAKECORD_APP_ID,
             cJSON_GetObjectItem(msg_d(&w, 3), "token")->valuestring);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"content\":\"late\"}", &r),
              0);
    ASSERT_EQ(r.status, 404);
    ASSERT_CONTAINS(r.body, "10062");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "interaction token expired");
    free(v);
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

/* A JSON body {"type":N,"data":{"content": n copies of unit}}. */
static char *
content_body(int type, const char *unit, int n)
{
    size_t u = strlen(unit), len = u * (size_t)n + 64;
    char *b = malloc(len), *p;

    p = b + snprintf(b, len, "{\"type\":%d,\"data\":{\"content\":\"", type);
    for (int i = 0; i < n; i++, p += u)
        memcpy(p, unit, u);
    snprintf(p, 8, "\"}}");
    return b;
}

/* Discord's limits, as Discord counts them (characters, not bytes): an
 * answer over one is 400 50035 and a violation, and leaves the interaction
 * unacknowledged, so the next callback is taken; a second one is 40060. */
TEST(test_interaction_limits)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000 };
    fakecord *fc = fakecord_start(&o);
    struct wsc w;
    struct resp r;
    char *sid = connect_identify(&w, fc, 0), path[256], *body, *v;
    const char *tok;
    uint64_t id;

    id = fakecord_push_interaction(
        fc, "{\"type\":2,\"data\":{\"id\":\"1\",\"name\":\"ping\"}}");
    ASSERT_NE(id, 0);
    WSC_WAIT(&w, w.n >= 4, 5000);
    tok = cJSON_GetObjectItem(msg_d(&w, 3), "token")->valuestring;
    snprintf(path, sizeof path, "/interactions/%llu/%s/callback",
             (unsigned long long)id, tok);
    body = content_body(4, "x", 2001);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, body, &r), 0);
    free(body);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "50035");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "body over Discord's limits");
    ASSERT_CONTAINS(v, "content: 2001 characters");
    free(v);
    /* 2000 two-byte characters are within the limit. */
    body = content_body(4, "\xc3\xa9", 2000);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, body, &r), 0);
    free(body);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, "{\"type\":5}", &r), 0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "40060");
    /* Followups and edits are held to the same limits. */
    snprintf(path, sizeof path, "/webhooks/%s/%s", FAKECORD_APP_ID, tok);
    body = content_body(4, "y", 2001);
    body[strlen(body) - 1] = '\0'; /* the data object alone */
    ASSERT_EQ(rest_call(fc, "POST", path, NULL, strstr(body, "{\"content"), &r),
              0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "50035");
    snprintf(path, sizeof path, "/webhooks/%s/%s/messages/@original",
             FAKECORD_APP_ID, tok);
    ASSERT_EQ(
        rest_call(fc, "PATCH", path, NULL, strstr(body, "{\"content"), &r), 0);
    free(body);
    ASSERT_EQ(r.status, 400);
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

TEST(test_rest_scripting)
{
    fakecord *fc = fc_start_default();
    struct fakecord_rest_rule slow = {
        .method = "GET", .path_prefix = "/gateway", .count = 1, .delay_ms = 300
    };
    struct fakecord_rest_rule cut = { .path_prefix = "/users/@me",
                                      .count = 1,
                                      .status = 200,
                                      .body =
                                          "{\"id\":\"1\",\"username\":\"x\"}",
                                      .truncate = 1 };
    CURLM *m = curl_multi_init();
    CURL *a = curl_easy_init(), *b = curl_easy_init();
    CURLMsg *msg;
    CURL *first = NULL;
    char ua[256], ub[256], *v;
    struct resp r;
    int running = 1, left;

    /* A delayed answer does not hold up the next request. */
    ASSERT_EQ(fakecord_rest_script(fc, &slow), 0);
    snprintf(ua, sizeof ua, "%s/gateway", fakecord_api_url(fc));
    snprintf(ub, sizeof ub, "%s/nope", fakecord_api_url(fc));
    curl_easy_setopt(a, CURLOPT_URL, ua);
    curl_easy_setopt(b, CURLOPT_URL, ub);
    curl_easy_setopt(a, CURLOPT_WRITEFUNCTION, resp_on_body);
    curl_easy_setopt(a, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, resp_on_body);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, &r);
    memset(&r, 0, sizeof r);
    curl_multi_add_handle(m, a);
    curl_multi_add_handle(m, b);
    long long t0 = check_now_ms_();
    while (running) {
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)))
            if (msg->msg == CURLMSG_DONE && !first)
                first = msg->easy_handle;
        if (running)
            curl_multi_poll(m, NULL, 0, 50, NULL);
        ASSERT_TRUE(check_now_ms_() - t0 < check_timeout_ms_(5000));
    }
    ASSERT_TRUE(first == b);
    ASSERT_GE(check_now_ms_() - t0, 300);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: User-Agent is not DiscordBot");
    free(v);
    curl_multi_remove_handle(m, a);
    curl_multi_remove_handle(m, b);
    curl_easy_cleanup(a);
    curl_easy_cleanup(b);
    curl_multi_cleanup(m);

    /* Truncated body: the client sees a short transfer. */
    ASSERT_EQ(fakecord_rest_script(fc, &cut), 0);
    ASSERT_EQ(rest_call(fc, "GET", "/users/@me", "Bot test-token", NULL, &r),
              -1);
    ASSERT_EQ(rest_call(fc, "GET", "/users/@me", "Bot test-token", NULL, &r),
              0);
    ASSERT_CONTAINS(r.body, FAKECORD_APP_ID);

    /* A scripted 429 with the caller's body and headers. */
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/", 429, 1,
                                 "{\"message\":\"x\",\"retry_after\":0.25,"
                                 "\"global\":false}",
                                 "Retry-After: 1\r\nX-RateLimit-Scope: shared"),
              0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/3/messages", "Bot test-token",
                        "{\"content\":\"a\"}", &r),
              0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "0.25");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: shared");

    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/gateway", 429, 1, NULL, NULL), 0);
    ASSERT_EQ(rest_call(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"retry_after\":1.0");
    ASSERT_CONTAINS(r.headers, "Retry-After: 1");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: user");

    /* Global limit: 2 per second, webhooks exempt. */
    ASSERT_EQ(fakecord_rest_global_limit(fc, 2), 0);
    ASSERT_EQ(fakecord_rest_limit(fc, "GET", "/gateway", "gw", 100, 1000), 0);
    /* The 1 s window may roll over on a slow machine: keep asking. */
    for (int i = 0; i < 50; i++) {
        ASSERT_EQ(rest_call(fc, "GET", "/gateway", NULL, NULL, &r), 0);
        if (i < 2)
            ASSERT_EQ(r.status, 200);
        if (r.status == 429)
            break;
    }
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"global\":true");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Global: true");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: global");
    ASSERT_EQ(rest_call(fc, "POST", "/webhooks/1/x", NULL, "{}", &r), 0);
    ASSERT_EQ(r.status, 401); /* answered, not limited */
    fakecord_stop(fc);
}

TEST(test_commands_and_multipart)
{
    fakecord *fc = fc_start_default();
    struct fakecord_request *reqs;
    struct resp r;
    cJSON *cmds, *msgs;
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part;
    struct curl_slist *h =
        curl_slist_append(NULL, "Authorization: Bot test-token");
    char url[256];
    int n;

    h = curl_slist_append(h, "X-Audit-Log-Reason: because");
    ASSERT_EQ(rest_call(fc, "PUT", "/applications/" FAKECORD_APP_ID "/commands",
                        "Bot test-token",
                        "[{\"name\":\"ping\",\"description\":\"Ping\"}]", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":");
    ASSERT_EQ(rest_call(fc, "PUT", "/applications/" FAKECORD_APP_ID "/commands",
                        "Bot test-token", "[{\"name\":\"\"}]", &r),
              0);
    ASSERT_EQ(r.status, 400);
    cmds = fakecord_commands(fc, NULL);
    ASSERT_EQ(cJSON_GetArraySize(cmds), 1);
    ASSERT_STREQ(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cmds, 0), "name")->valuestring,
        "ping");
    cJSON_Delete(cmds);
    ASSERT_EQ(rest_call(fc, "GET",
                        "/applications/" FAKECORD_APP_ID "/guilds/5/commands",
                        "Bot test-token", NULL, &r),
              0);
    ASSERT_STREQ(r.body, "[]");

    part = curl_mime_addpart(mime);
    curl_mime_name(part, "payload_json");
    curl_mime_data(part, "{\"content\":\"with file\"}", CURL_ZERO_TERMINATED);
    curl_mime_type(part, "application/json");
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "files[0]");
    curl_mime_filename(part, "a.txt");
    curl_mime_data(part, "hello\r\n--not-a-boundary", CURL_ZERO_TERMINATED);
    snprintf(url, sizeof url, "%s/channels/9/messages", fakecord_api_url(fc));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    memset(&r, 0, sizeof r);
    ASSERT_EQ(curl_easy_perform(c), CURLE_OK);
    ASSERT_CONTAINS(r.body, "\"content\":\"with file\"");
    curl_mime_free(mime);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);

    ASSERT_EQ(
        rest_call(fc, "POST", "/channels/9/typing", "Bot test-token", NULL, &r),
        0);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(rest_call(fc, "PATCH", "/channels/9/messages/77",
                        "Bot test-token", "{\"content\":\"edited\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":\"77\"");
    ASSERT_CONTAINS(r.body, "edited");

    msgs = fakecord_messages(fc);
    ASSERT_EQ(cJSON_GetArraySize(msgs), 1);
    cJSON_Delete(msgs);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 6);
    ASSERT_CONTAINS(reqs[3].content_type, "multipart/form-data; boundary=");
    ASSERT_CONTAINS((char *)reqs[3].body, "filename=\"a.txt\"");
    ASSERT_CONTAINS((char *)reqs[3].body, "hello\r\n--not-a-boundary");
    ASSERT_STREQ(reqs[3].audit_reason, "because");
    ASSERT_CONTAINS(reqs[3].headers, "x-audit-log-reason: because\n");
    fakecord_requests_free(reqs, n);
    fakecord_stop(fc);
}

TEST(test_echo_messages)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000,
                               .echo_messages = 1 };
    fakecord *fc = fakecord_start(&o);
    struct wsc w;
    struct resp r;
    char *sid, path[128];
    const cJSON *ch;

    ASSERT_TRUE(fc != NULL);
    sid = connect_identify(&w, fc, 1);
    ch = cJSON_GetArrayItem(cJSON_GetObjectItem(msg_d(&w, 2), "channels"), 0);
    snprintf(path, sizeof path, "/channels/%s/messages",
             cJSON_GetObjectItem(ch, "id")->valuestring);
    ASSERT_EQ(rest_call(fc, "POST", path, "Bot test-token",
                        "{\"content\":\"echo\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_STREQ(msg_t(&w, 3), "MESSAGE_CREATE");
    ASSERT_STREQ(cJSON_GetObjectItem(msg_d(&w, 3), "content")->valuestring,
                 "echo");
    ASSERT_STREQ(cJSON_GetObjectItem(msg_d(&w, 3), "guild_id")->valuestring,
                 cJSON_GetObjectItem(msg_d(&w, 2), "id")->valuestring);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(msg_d(&w, 3), "author"), "bot")));
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

/* Messages in the fake's store with this content. */
static int
stored(fakecord *fc, const char *content)
{
    cJSON *all = fakecord_messages(fc);
    const cJSON *m;
    int n = 0;

    cJSON_ArrayForEach(m, all) {
        const cJSON *c = cJSON_GetObjectItem(m, "content");

        n += cJSON_IsString(c) && !strcmp(c->valuestring, content);
    }
    cJSON_Delete(all);
    return n;
}

TEST(test_nonces_and_lost_answers)
{
    fakecord *fc = fc_start_default();
    struct fakecord_rest_rule rule = { .method = "POST", .count = 1 };
    const char *enforced =
        "{\"content\":\"a\",\"nonce\":\"n1\",\"enforce_nonce\":true}";
    const char *num = "{\"content\":\"b\",\"nonce\":77,\"enforce_nonce\":true}";
    char first[4096];
    struct resp r;

    /* enforce_nonce: the same nonce in the same channel creates nothing
     * and answers the first message, whole. */
    ASSERT_EQ(rest_call(fc, "POST", "/channels/1/messages", "Bot test-token",
                        enforced, &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"nonce\":\"n1\"");
    memcpy(first, r.body, sizeof first);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/1/messages", "Bot test-token",
                        enforced, &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_STREQ(r.body, first);
    ASSERT_EQ(stored(fc, "a"), 1);
    /* Not enforced, or another channel: a new message. */
    ASSERT_EQ(rest_call(fc, "POST", "/channels/1/messages", "Bot test-token",
                        "{\"content\":\"a\",\"nonce\":\"n1\"}", &r),
              0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/2/messages", "Bot test-token",
                        enforced, &r),
              0);
    ASSERT_EQ(stored(fc, "a"), 3);
    /* Integer nonces count; a nonce over 25 characters is refused. (New
     * channels: the fake allows each 5 creates per 5 s.) */
    ASSERT_EQ(rest_call(fc, "POST", "/channels/5/messages", "Bot test-token",
                        num, &r),
              0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/5/messages", "Bot test-token",
                        num, &r),
              0);
    ASSERT_EQ(stored(fc, "b"), 1);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/6/messages", "Bot test-token",
                        "{\"content\":\"c\",\"nonce\":"
                        "\"abcdefghijklmnopqrstuvwxyz\"}",
                        &r),
              0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "50035");

    /* A 502 instead of the route: nothing created. */
    rule.path_prefix = "/channels/3/messages";
    rule.status = 502;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/3/messages", "Bot test-token",
                        "{\"content\":\"d\"}", &r),
              0);
    ASSERT_EQ(r.status, 502);
    ASSERT_EQ(stored(fc, "d"), 0);
    /* After the route: created, but the client hears 502. */
    rule.after_effect = 1;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/3/messages", "Bot test-token",
                        "{\"content\":\"e\"}", &r),
              0);
    ASSERT_EQ(r.status, 502);
    ASSERT_EQ(stored(fc, "e"), 1);
    /* Dropped: no answer at all, before or after the work. */
    rule.status = 0;
    rule.drop = 1;
    rule.after_effect = 0;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/3/messages", "Bot test-token",
                        "{\"content\":\"f\"}", &r),
              -1);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(stored(fc, "f"), 0);
    rule.after_effect = 1;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(rest_call(fc, "POST", "/channels/3/messages", "Bot test-token",
                        "{\"content\":\"g\"}", &r),
              -1);
    ASSERT_EQ(stored(fc, "g"), 1);
    fakecord_stop(fc);
}

int
main(void)
{
    fc_test_init();
    RUN(test_ratelimit_buckets);
    RUN(test_rest_auth_and_ratelimit);
    RUN(test_interaction_flow);
    RUN(test_interaction_limits);
    RUN(test_rest_scripting);
    RUN(test_commands_and_multipart);
    RUN(test_echo_messages);
    RUN(test_nonces_and_lost_answers);
    fc_test_cleanup();
    return 0;
}
