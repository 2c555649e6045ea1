/*
 * offload.c: slow work without freezing the bot.
 *
 *   /primes n      counts the primes below n (a CPU-bound job)
 *   /fetch url     GETs a URL with libcurl's blocking easy interface
 *
 * The loop thread runs the gateway, heartbeats and every handler, so a
 * handler that blocks for a second stalls the whole bot, and Discord drops
 * an interaction that is not acknowledged within 3 s. The pattern:
 *
 *   1. the handler defers: the user sees "thinking..." at once;
 *   2. it takes a reference on the interaction (it outlives the handler)
 *      and hands the job to the worker pool with dbot_work_submit();
 *   3. the work function blocks on a worker thread; it touches only its
 *      own job struct (no dbot calls but dbot_log/dbot_post);
 *   4. the done function runs back on the loop, edits the deferred answer
 *      with the result, drops the reference and frees the job.
 *
 * Try it with no token:
 *     dbot-sandbox --bot ./build/bots/dbot-offload \
 *                  --play "/primes n:1000000" \
 *                  --play "/fetch url:${API_URL}/sandbox/slow"
 * (the sandbox serves a deliberately slow page at ${API_URL}/sandbox/slow).
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/worker.h>

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRIMES_MAX 50000000 /* a 50 MB sieve at most */
#define FETCH_MAX  (256 * 1024)

static const dbot_option primes_opts[] = { { .type = DBOT_OPT_INTEGER,
                                             .name = "n",
                                             .description = "upper bound",
                                             .required = true,
                                             .has_min = true,
                                             .min_value = 2,
                                             .has_max = true,
                                             .max_value = PRIMES_MAX },
                                           { 0 } };
static const dbot_option fetch_opts[] = { { .type = DBOT_OPT_STRING,
                                            .name = "url",
                                            .description = "http(s) URL",
                                            .required = true,
                                            .max_length = 500 },
                                          { 0 } };
static const dbot_command primes_cmd = {
    .name = "primes",
    .description = "Count the primes below n",
    .options = primes_opts,
};
static const dbot_command fetch_cmd = {
    .name = "fetch",
    .description = "Fetch a URL and tell its size",
    .options = fetch_opts,
};
static const dbot_command *const commands[] = { &primes_cmd, &fetch_cmd };

/* One job: the interaction to answer, its input, and the worker's output.
 * The worker writes the output; the loop reads it only in done(). */
struct job {
    dbot_interaction *ix; /* referenced until done() */
    int64_t n;            /* /primes */
    char *url;            /* /fetch */
    int64_t started_ms;
    char result[300];
};

static void
job_free(struct job *j)
{
    dbot_interaction_unref(j->ix);
    free(j->url);
    free(j);
}

/* Loop thread: after the worker, or DBOT_ETIMEDOUT / DBOT_ECANCELED when
 * the job never ran. */
static void
job_done(dbot *bot, dbot_work *w, int status)
{
    struct job *j = dbot_work_data(w);

    (void)bot;
    if (status < 0)
        snprintf(j->result, sizeof j->result, "Could not run: %s",
                 dbot_strerror(status));
    /* The deferred response becomes the result ("edited" in Discord). */
    dbot_interaction_original_edit(j->ix, j->result);
    job_free(j);
}

/* Hand a job to a worker; on refusal answer at once (done never runs). */
static int
start(dbot_interaction *ix, struct job *j, dbot_work_fn work)
{
    int rc;

    rc = dbot_interaction_defer(ix, 0); /* "thinking..." */
    if (rc < 0) {
        free(j->url);
        free(j);
        return rc;
    }
    j->ix = dbot_interaction_ref(ix);
    j->started_ms = dbot_now_ms();
    rc = dbot_work_submit(dbot_interaction_bot(ix), work, job_done, j, 0);
    if (rc < 0) {
        /* DBOT_EBUSY: the queue is full. Say so rather than wait. */
        dbot_interaction_original_edit(ix, "Busy, try again in a moment.");
        job_free(j);
    }
    return 0;
}

/* ---- /primes ------------------------------------------------------------ */

/* Worker thread: a sieve of Eratosthenes, deliberately done right here. */
static void
primes_work(dbot_work *w)
{
    struct job *j = dbot_work_data(w);
    size_t n = (size_t)j->n;
    unsigned char *composite = calloc(n, 1);
    long long count = 0;

    if (!composite) {
        snprintf(j->result, sizeof j->result, "Out of memory for n = %zu", n);
        return;
    }
    for (size_t i = 2; i < n; i++) {
        if (composite[i])
            continue;
        count++;
        if (i > (n - 1) / i)
            continue; /* i * i >= n: nothing left to cross out */
        for (size_t k = i * i; k < n; k += i)
            composite[k] = 1;
    }
    free(composite);
    snprintf(j->result, sizeof j->result,
             "There are %lld primes below %zu (%lld ms on a worker).", count, n,
             (long long)(dbot_now_ms() - j->started_ms));
}

static int
on_primes(dbot_interaction *ix, void *data)
{
    struct job *j = calloc(1, sizeof *j);

    (void)data;
    if (!j)
        return DBOT_ENOMEM; /* dbot answers with an ephemeral error */
    j->n = dbot_option_int(dbot_interaction_options(ix), "n", 0);
    if (j->n < 2 || j->n > PRIMES_MAX) {
        free(j);
        return dbot_interaction_reply_ephemeral(ix, "n must be 2..50000000");
    }
    return start(ix, j, primes_work);
}

/* ---- /fetch ------------------------------------------------------------- */

struct body {
    size_t len;
    int truncated;
};

static size_t
count_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct body *b = arg;
    size_t n = size * nmemb;

    (void)p;
    b->len += n;
    if (b->len > FETCH_MAX) {
        b->truncated = 1;
        return 0; /* abort the transfer */
    }
    return n;
}

/* Worker thread: a blocking transfer with hard time limits. One easy handle
 * per job, so no handle is ever shared between threads. */
static void
fetch_work(dbot_work *w)
{
    struct job *j = dbot_work_data(w);
    struct body b = { 0, 0 };
    long status = 0;
    CURLcode rc;
    CURL *c = curl_easy_init();

    if (!c) {
        snprintf(j->result, sizeof j->result, "curl_easy_init failed");
        return;
    }
    curl_easy_setopt(c, CURLOPT_URL, j->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dbot-offload-example");
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK && !b.truncated)
        snprintf(j->result, sizeof j->result, "Fetch failed: %s",
                 curl_easy_strerror(rc));
    else
        snprintf(j->result, sizeof j->result,
                 "HTTP %ld, %s%zu bytes in %lld ms (on a worker).", status,
                 b.truncated ? "more than " : "", b.len,
                 (long long)(dbot_now_ms() - j->started_ms));
}

static int
on_fetch(dbot_interaction *ix, void *data)
{
    const char *url = dbot_option_str(dbot_interaction_options(ix), "url", "");
    struct job *j;

    (void)data;
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return dbot_interaction_reply_ephemeral(
            ix, "Give an http:// or https:// URL.");
    j = calloc(1, sizeof *j);
    if (!j || !(j->url = strdup(url))) {
        free(j);
        return DBOT_ENOMEM;
    }
    return start(ix, j, fetch_work);
}

int
main(int argc, char **argv)
{
    dbot *bot;
    int rc;

    /* Once, before any thread uses curl. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    if (dbot_commands_set(bot, commands, 2) < 0 ||
        dbot_on_command(bot, "primes", on_primes, NULL) < 0 ||
        dbot_on_command(bot, "fetch", on_fetch, NULL) < 0) {
        dbot_free(bot);
        return 1;
    }
    rc = dbot_run(bot);
    dbot_free(bot); /* jobs still queued get DBOT_ECANCELED */
    curl_global_cleanup();
    if (rc < 0)
        fprintf(stderr, "dbot-offload: %s\n", dbot_strerror(rc));
    return rc < 0 ? 1 : 0;
}
