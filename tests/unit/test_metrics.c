/*
 * test_metrics.c: /metrics text from a snapshot: valid Prometheus text
 * (tests/prom.h), the values in the right series, cumulative histograms,
 * escaped labels, the bounded event table; and the checker itself rejects
 * broken texts, so the integration test's check means something.
 */
#include "../check.h"
#include "../prom.h"
#include "metrics.h"

#include <dbot/dbot.h>

static char *
render_sample(struct dbot__event_counts *ec)
{
    struct dbot__metrics_shard sh[2];
    struct dbot__rest_route_count routes[2];
    struct dbot__metrics_snapshot s;
    char *text;
    size_t len;

    memset(&s, 0, sizeof s);
    memset(sh, 0, sizeof sh);
    memset(routes, 0, sizeof routes);
    sh[0].state = DBOT__GW_READY;
    sh[0].latency_ms = 41;
    sh[0].n.identifies = 1;
    sh[0].n.resumes = 2;
    sh[0].n.resumed = 2;
    sh[0].n.reconnects = 3;
    sh[1].id = 1; /* the shard id, not the index (shard_ids) */
    sh[1].state = DBOT__GW_CONNECTING;
    sh[1].latency_ms = -1;
    s.nshards = 2;
    s.shards = sh;
    s.have_coord = 1;
    s.coord.up = 0;
    s.coord.outages = 2;
    s.coord.identify_grants = 16;
    s.coord.processes = 4;
    s.coord.identifies_24h = 17;
    s.coord.session_budget = 3;
    s.coord.budget_waits = 5;
    s.events = ec;
    s.ix.received = 5;
    s.ix.acknowledged = 4;
    s.ix.auto_deferred = 1;
    s.ix.ack_ms_hist[0] = 1; /* < 1 ms */
    s.ix.ack_ms_hist[3] = 2; /* [4, 8) ms */
    s.ix.ack_ms_hist[DBOT__ACK_HIST_BUCKETS - 1] = 1;
    s.ix.ack_ms_sum = 5000;
    s.have_pool = 1;
    s.pool.threads = 2;
    s.pool.queued = 7;
    s.pool.busy = 9;
    s.pool.submitted = 11;
    s.pool.run_hist[0] = 3;
    s.pool.run_hist[10] = 1;
    s.pool.run_us_sum = 1500;
    s.have_rest = 1;
    s.rest.limited = 1;
    s.rest.lane = 5;
    s.rest.waited = 2;
    s.rest.expired = 4;
    s.rest.wait_ms = 1500;
    snprintf(routes[0].route, sizeof routes[0].route,
             "POST /channels/{id}/messages");
    routes[0].status = 200;
    routes[0].count = 6;
    snprintf(routes[1].route, sizeof routes[1].route,
             "POST /interactions/{id}/{token}/callback");
    routes[1].status = 0;
    routes[1].count = 1;
    s.nroutes = 2;
    s.routes = routes;
    s.health.healthy = 1;
    s.health.stalls = 3;
    s.health.longest_stall_ms = 1250;
    s.have_http = 1;
    s.http.open = 2;
    s.http.accepted = 12;
    s.http.refused_busy = 4;
    s.http.refused_fds = 5;
    s.http.timeouts = 6;
    s.http.accept_errors = 7;
    text = dbot__metrics_render(&s, &len);
    ASSERT_TRUE(text != NULL);
    ASSERT_EQ(len, strlen(text));
    return text;
}

TEST(valid_and_values)
{
    struct dbot__event_counts ec;
    const char *bad;
    char *t;

    memset(&ec, 0, sizeof ec);
    dbot__event_counts_add(&ec, "MESSAGE_CREATE");
    dbot__event_counts_add(&ec, "MESSAGE_CREATE");
    dbot__event_counts_add(&ec, "READY");
    dbot__event_counts_add(&ec, "WEIRD\"NAME\\");
    t = render_sample(&ec);
    bad = prom_check(t);
    if (bad)
        CHECK_FAIL_("%s\n%s", bad, t);
    ASSERT_EQ(prom_value(t, "dbot_shard_state{shard=\"0\",state=\"ready\"}"),
              1);
    ASSERT_EQ(prom_value(t, "dbot_coord_up"), 0);
    ASSERT_EQ(prom_value(t, "dbot_coord_outages_total"), 2);
    ASSERT_EQ(prom_value(t, "dbot_coord_identify_grants_total"), 16);
    ASSERT_EQ(prom_value(t, "dbot_coord_processes"), 4);
    ASSERT_EQ(prom_value(t, "dbot_coord_session_budget"), 3);
    ASSERT_EQ(prom_value(t, "dbot_coord_budget_waits_total"), 5);
    ASSERT_EQ(prom_value(t, "dbot_coord_identifies_24h"), 17);
    ASSERT_EQ(prom_value(t, "dbot_shard_state{shard=\"0\",state=\"idle\"}"), 0);
    ASSERT_EQ(prom_value(t, "dbot_shard_state{shard=\"1\",state="
                            "\"connecting\"}"),
              1);
    ASSERT_TRUE(prom_value(t, "dbot_heartbeat_latency_seconds{shard=\"0\"}") ==
                0.041);
    /* No sample before the first heartbeat, rather than a fake 0. */
    ASSERT_TRUE(
        isnan(prom_value(t, "dbot_heartbeat_latency_seconds{shard=\"1\"}")));
    ASSERT_EQ(prom_value(t, "dbot_gateway_events_total{type="
                            "\"MESSAGE_CREATE\"}"),
              2);
    ASSERT_EQ(prom_value(t, "dbot_gateway_events_total{type="
                            "\"WEIRD\\\"NAME\\\\\"}"),
              1);
    ASSERT_EQ(prom_value(t, "dbot_gateway_resumes_total{shard=\"0\"}"), 2);
    ASSERT_EQ(prom_value(t, "dbot_gateway_reconnects_total{shard=\"0\"}"), 3);
    ASSERT_EQ(prom_value(t, "dbot_interactions_received_total"), 5);
    ASSERT_EQ(prom_value(t, "dbot_interactions_auto_deferred_total"), 1);
    /* Cumulative: < 1 ms: 1; < 8 ms: 3; everything: 4. */
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_bucket{le="
                            "\"0.001\"}"),
              1);
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_bucket{le="
                            "\"0.004\"}"),
              1);
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_bucket{le="
                            "\"0.008\"}"),
              3);
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_bucket{le="
                            "\"+Inf\"}"),
              4);
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_count"), 4);
    ASSERT_EQ(prom_value(t, "dbot_interaction_ack_seconds_sum"), 5);
    ASSERT_EQ(prom_value(t, "dbot_worker_queue_depth"), 7);
    ASSERT_EQ(prom_value(t, "dbot_worker_busy_refusals_total"), 9);
    ASSERT_EQ(prom_value(t, "dbot_worker_job_run_seconds_count"), 4);
    ASSERT_TRUE(prom_value(t, "dbot_worker_job_run_seconds_sum") == 0.0015);
    ASSERT_EQ(prom_value(t, "dbot_rest_requests_total{route=\"POST "
                            "/channels/{id}/messages\",status=\"200\"}"),
              6);
    ASSERT_EQ(prom_value(t, "dbot_rest_rate_limited_total"), 1);
    ASSERT_EQ(prom_value(t, "dbot_rest_loop_lane_total"), 5);
    ASSERT_EQ(prom_value(t, "dbot_rest_ratelimit_waits_total"), 2);
    ASSERT_TRUE(prom_value(t, "dbot_rest_ratelimit_wait_seconds_total") == 1.5);
    ASSERT_EQ(prom_value(t, "dbot_rest_deadline_expired_total"), 4);
    ASSERT_EQ(prom_value(t, "dbot_loop_stalls_total"), 3);
    ASSERT_TRUE(prom_value(t, "dbot_loop_longest_stall_seconds") == 1.25);
    ASSERT_EQ(prom_value(t, "dbot_loop_healthy"), 1);
    ASSERT_EQ(prom_value(t, "dbot_http_connections"), 2);
    ASSERT_EQ(prom_value(t, "dbot_http_connections_total"), 12);
    ASSERT_EQ(prom_value(t, "dbot_http_refused_total{reason=\"busy\"}"), 4);
    ASSERT_EQ(prom_value(t, "dbot_http_refused_total{reason=\"fds\"}"), 5);
    ASSERT_EQ(prom_value(t, "dbot_http_timeouts_total"), 6);
    ASSERT_EQ(prom_value(t, "dbot_http_accept_errors_total"), 7);
    free(t);
}

TEST(event_table_is_bounded)
{
    struct dbot__event_counts ec;
    char name[32];

    memset(&ec, 0, sizeof ec);
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "EVENT_%d", i);
        dbot__event_counts_add(&ec, name);
    }
    ASSERT_EQ(ec.n, DBOT__METRICS_EVENT_SLOTS);
    ASSERT_STREQ(ec.e[ec.n - 1].name, "other");
    ASSERT_EQ(ec.e[ec.n - 1].count, 500 - (DBOT__METRICS_EVENT_SLOTS - 1));
    /* Known names still count in their own slot. */
    dbot__event_counts_add(&ec, "EVENT_3");
    ASSERT_EQ(ec.e[3].count, 2);
}

TEST(checker_rejects_broken_text)
{
    static const char *bad[] = {
        "x 1",                                       /* no final newline */
        "9x 1\n",                                    /* bad name */
        "x{a=\"1\" 1\n",                             /* unterminated labels */
        "x{a=\"\\q\"} 1\n",                          /* bad escape */
        "x one\n",                                   /* bad value */
        "# TYPE x counter\n# TYPE x counter\nx 1\n", /* two TYPEs */
        "x 1\n# TYPE x counter\n",                   /* TYPE after sample */
        "x 1\ny 1\nx 2\n",                           /* not contiguous */
        ("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
         "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"), /* decreasing */
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
        "# TYPE h histogram\nh 3\n",
        "# TYPE x countr\nx 1\n",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!prom_check(bad[i]))
            CHECK_FAIL_("checker accepted case %zu: %s", i, bad[i]);
    ASSERT_TRUE(prom_check("# HELP x a\n# TYPE x gauge\nx{a=\"b\\\"\"} "
                           "+Inf\n") == NULL);
}

int
main(void)
{
    RUN(valid_and_values);
    RUN(event_table_is_bounded);
    RUN(checker_rejects_broken_text);
    return 0;
}
