/*
 * bench_rest.c: requests per second through the REST client (REST thread,
 * rate limiter, deliver queue) against the fake Discord with no rate
 * limits, beside a bare libcurl multi loop sending the same requests with
 * the same concurrency and connection cap, in the same run. Prints one
 * JSON line.
 *
 * The client keeps one request in flight per lane (route + channel), so
 * the load is spread over CHANNELS channels; the bare loop keeps CHANNELS
 * transfers in flight. Best of three alternating rounds of each.
 *
 * It also reports what the loop thread pays while thousands of requests
 * are queued and in flight (main plays the loop): the longest single
 * dbot__rest_submit, and the longest turn spent running one batch of
 * completion callbacks. The loop is stalled for no longer than that, since
 * the HTTP work itself happens on the REST thread.
 */
#include "fakecord.h"
#include "rest.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"

enum {
    CHANNELS = 32,
    MAX_CONNS = 64
};

/* ---- the client, with a loop thread emulated by main ------------------- */

struct task {
    struct task *next;
    dbot__task_fn fn;
    void *arg;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct task *head, *tail;
static int done, failed;
static double max_batch_s; /* the loop's longest completion turn */
static double *submit_s;   /* each dbot__rest_submit, last client round */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int
deliver(void *ctx, dbot__task_fn fn, void *arg)
{
    struct task *t = malloc(sizeof *t);

    (void)ctx;
    if (!t)
        return -12;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = t;
    else
        head = t;
    tail = t;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return 0;
}

static void
on_done(const dbot_rest_result *r, void *ud)
{
    (void)ud;
    if (r->err)
        failed++;
    done++;
}

static double
run_client(const char *api_url, int n)
{
    struct dbot__rest_opts o = { 0 };
    struct dbot__rest *r;
    const char *body = "{\"content\":\"bench\"}";
    char path[64];
    double t0, t_call;

    o.api_url = api_url;
    o.token = FAKECORD_TOKEN;
    o.global_per_sec = 1000000;
    r = dbot__rest_new(&o, deliver, NULL);
    if (!r)
        return -1;
    t0 = now_s();
    for (int i = 0; i < n; i++) {
        struct dbot__rest_call c = { 0 };

        snprintf(path, sizeof path, "/channels/%d/messages", 1 + i % CHANNELS);
        c.method = "POST";
        c.path = path;
        c.body = body;
        c.body_len = strlen(body);
        t_call = now_s();
        if (dbot__rest_submit(r, &c, on_done, NULL) < 0)
            return -1;
        submit_s[i] = now_s() - t_call;
    }
    while (done < n) {
        struct task *t;

        pthread_mutex_lock(&mu);
        while (!head)
            pthread_cond_wait(&cv, &mu);
        t = head;
        head = tail = NULL;
        pthread_mutex_unlock(&mu);
        t_call = now_s();
        while (t) {
            struct task *next = t->next;
            t->fn(t->arg);
            free(t);
            t = next;
        }
        t_call = now_s() - t_call;
        if (t_call > max_batch_s)
            max_batch_s = t_call;
    }
    t0 = now_s() - t0;
    dbot__rest_free(r);
    return n / t0;
}

/* ---- bare libcurl multi ------------------------------------------------ */

static size_t
discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static CURL *
bare_easy(const char *api_url, int i, struct curl_slist *h)
{
    CURL *e = curl_easy_init();
    char url[256];

    snprintf(url, sizeof url, "%s/channels/%d/messages", api_url,
             1 + i % CHANNELS);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{\"content\":\"bench\"}");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    return e;
}

static double
run_bare(const char *api_url, int n)
{
    CURLM *m = curl_multi_init();
    struct curl_slist *h = NULL;
    int started = 0, finished = 0, running;
    double t0;

    h = curl_slist_append(h, "Authorization: Bot " FAKECORD_TOKEN);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)MAX_CONNS);
    t0 = now_s();
    while (finished < n) {
        CURLMsg *msg;
        int left, got = 0;

        while (started < n && started - finished < CHANNELS)
            curl_multi_add_handle(m, bare_easy(api_url, started++, h));
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            if (msg->data.result != CURLE_OK)
                failed++;
            curl_multi_remove_handle(m, msg->easy_handle);
            curl_easy_cleanup(msg->easy_handle);
            finished++;
            got++;
        }
        if (!got) /* otherwise refill first */
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    t0 = now_s() - t0;
    curl_multi_cleanup(m);
    curl_slist_free_all(h);
    return n / t0;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    fakecord *fc = fakecord_start(NULL);
    double client, bare;

    if (!fc || n <= 0)
        return 1;
    submit_s = calloc((size_t)n, sizeof *submit_s);
    if (!submit_s)
        return 1;
    dbot_log_set_level(DBOT_LOG_WARN);
    /* No rate limit: the default message bucket is removed. */
    fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages", NULL, 0,
                        0);
    /* Alternate the two and keep the best of three each: the fake server
     * is the bottleneck and its speed drifts within a run. */
    bare = client = 0;
    for (int round = 0; round < 3; round++) {
        double b = run_bare(fakecord_api_url(fc), n);
        double c;

        done = 0;
        c = run_client(fakecord_api_url(fc), n);
        if (c < 0)
            break;
        if (b > bare)
            bare = b;
        if (c > client)
            client = c;
    }
    fakecord_stop(fc);
    qsort(submit_s, (size_t)n, sizeof *submit_s, cmp_double);
    if (client <= 0 || failed) {
        fprintf(stderr, "bench_rest: %d requests failed\n", failed);
        return 1;
    }
    printf("{\"bench\":\"rest\",\"requests\":%d,\"lanes\":%d,"
           "\"bare_max_conns\":%d,\"client_rps\":%.0f,\"bare_curl_multi_rps\":%"
           ".0f,"
           "\"client_vs_bare\":%.3f,\"loop_submit_us\":{\"p50\":%.1f,"
           "\"p99\":%.1f,\"max\":%.1f},\"loop_max_callback_batch_us\":%.1f}\n",
           n, CHANNELS, MAX_CONNS, client, bare, client / bare,
           submit_s[n / 2] * 1e6, submit_s[n * 99 / 100] * 1e6,
           submit_s[n - 1] * 1e6, max_batch_s * 1e6);
    free(submit_s);
    return 0;
}
