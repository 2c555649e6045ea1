/*
 * offload.c: slow work without freezing the bot.
 *
 *   /primes n      counts the primes below n (a CPU-bound job)
 *   /fetch url     GETs a URL with libcurl's blocking easy interface
 *                  (public addresses only: see "/fetch" below)
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
 * (the sandbox serves a deliberately slow page at ${API_URL}/sandbox/slow,
 * on 127.0.0.1, and runs the bot with FETCH_ALLOW_LOOPBACK=1 so /fetch may
 * reach it: see "/fetch" below).
 */
#include <dbot/command.h>
#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/worker.h>

#include <curl/curl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
    int allow_loopback;   /* /fetch: FETCH_ALLOW_LOOPBACK=1 (sandbox) */
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

/* ---- /fetch ------------------------------------------------------------ */

/*
 * Any user may type any URL, so an unguarded /fetch lets anyone make the
 * bot's host request things only it can reach: a metadata service at
 * 169.254.169.254, an admin page on 127.0.0.1, the office network behind
 * it (server-side request forgery). So:
 *
 *   - only http and https, for the URL and for every redirect;
 *   - the check is made on the address curl is about to connect to, in
 *     CURLOPT_OPENSOCKETFUNCTION, after resolution. Checking the name's
 *     addresses first and then letting curl resolve again would let a
 *     DNS server answer "public" to the check and "127.0.0.1" to curl
 *     (DNS rebinding); checking the socket's own address leaves no gap,
 *     and covers each redirect hop and every address curl tries;
 *   - no proxy from the environment, whose address is not the target's;
 *   - bounded size and time.
 *
 * The sandbox serves its slow page on 127.0.0.1, so dbot-sandbox runs the
 * bot with FETCH_ALLOW_LOOPBACK=1: that lets loopback (and only loopback)
 * through. Never set it for a bot that real users can reach.
 */

/* Why the IPv4 address a (host order) must not be fetched, or NULL. */
static const char *
ipv4_refusal(uint32_t a)
{
    if ((a >> 24) == 0)
        return "unspecified"; /* 0.0.0.0/8: "this host" */
    if ((a >> 24) == 127)
        return "loopback";
    if ((a >> 24) == 10 || (a >> 20) == 0xac1 /* 172.16/12 */ ||
        (a >> 16) == 0xc0a8 /* 192.168/16 */)
        return "private";
    if ((a >> 22) == (100 << 2 | 1)) /* 100.64/10 */
        return "carrier-grade NAT";
    if ((a >> 16) == 0xa9fe) /* 169.254/16 */
        return "link-local";
    if ((a >> 28) == 0xe)
        return "multicast";
    if ((a >> 28) == 0xf)
        return "reserved"; /* 240/4, broadcast included */
    return NULL;
}

/* Why /fetch must not connect to `sa`, or NULL when it may. Loopback is
 * let through only with allow_loopback. Pure: the unit test calls it with
 * literal addresses. */
static const char *
fetch_addr_refusal(const struct sockaddr *sa, int allow_loopback)
{
    const char *why = "not an IP address";

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        why = ipv4_refusal(ntohl(in->sin_addr.s_addr));
    } else if (sa->sa_family == AF_INET6) {
        const unsigned char *b =
            ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
        static const unsigned char zero[16];

        if (!memcmp(b, mapped, 12)) /* ::ffff:a.b.c.d is a.b.c.d */
            why = ipv4_refusal((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                               (uint32_t)b[14] << 8 | b[15]);
        else if (!memcmp(b, zero, 16))
            why = "unspecified";
        else if (!memcmp(b, zero, 15) && b[15] == 1)
            why = "loopback";
        else if ((b[0] & 0xfe) == 0xfc) /* fc00::/7 */
            why = "private";
        else if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */
            why = "link-local";
        else if (b[0] == 0xff)
            why = "multicast";
        else
            why = NULL;
    }
    if (why && allow_loopback && !strcmp(why, "loopback"))
        return NULL;
    return why;
}

struct fetch {
    size_t len;
    int truncated;
    int allow_loopback;
    char refused[INET6_ADDRSTRLEN + 40]; /* the address refused, and why */
};

static size_t
count_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct fetch *f = arg;
    size_t n = size * nmemb;

    (void)p;
    f->len += n;
    if (f->len > FETCH_MAX) {
        f->truncated = 1;
        return 0; /* abort the transfer */
    }
    return n;
}

/* Worker thread, called by curl for every socket it is about to connect:
 * the one place the destination address is final. */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct fetch *f = arg;
    const char *why = fetch_addr_refusal(&a->addr, f->allow_loopback);
    char ip[INET6_ADDRSTRLEN] = "?";

    (void)purpose;
    if (!why)
        return socket(a->family, a->socktype, a->protocol);
    if (a->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, ip,
                  sizeof ip);
    else if (a->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, ip,
                  sizeof ip);
    snprintf(f->refused, sizeof f->refused, "%s (%s)", ip, why);
    return CURL_SOCKET_BAD;
}

/* Worker thread: a blocking transfer with hard time limits. One easy handle
 * per job, so no handle is ever shared between threads. */
static void
fetch_work(dbot_work *w)
{
    struct job *j = dbot_work_data(w);
    struct fetch f = { .allow_loopback = j->allow_loopback };
    long status = 0;
    CURLcode rc;
    CURL *c = curl_easy_init();

    if (!c) {
        snprintf(j->result, sizeof j->result, "curl_easy_init failed");
        return;
    }
    curl_easy_setopt(c, CURLOPT_URL, j->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* ignore http_proxy & co */
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &f);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dbot-offload-example");
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (f.refused[0])
        snprintf(j->result, sizeof j->result,
                 "Refused: that URL leads to %s, which a bot must not fetch "
                 "for its users.",
                 f.refused);
    else if (rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(j->result, sizeof j->result,
                 "HTTP %ld, more than %d bytes: not fetched.", status,
                 FETCH_MAX);
    else if (rc != CURLE_OK && !f.truncated)
        snprintf(j->result, sizeof j->result, "Fetch failed: %s",
                 curl_easy_strerror(rc));
    else
        snprintf(j->result, sizeof j->result,
                 "HTTP %ld, %s%zu bytes in %lld ms (on a worker).", status,
                 f.truncated ? "more than " : "", f.len,
                 (long long)(dbot_now_ms() - j->started_ms));
}

/* What main() read from the environment, before any thread started. */
struct fetch_policy {
    int allow_loopback;
};

static int
on_fetch(dbot_interaction *ix, void *data)
{
    const struct fetch_policy *policy = data;
    const char *url = dbot_option_str(dbot_interaction_options(ix), "url", "");
    struct job *j;

    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return dbot_interaction_reply_ephemeral(
            ix, "Give an http:// or https:// URL.");
    j = calloc(1, sizeof *j);
    if (!j || !(j->url = strdup(url))) {
        free(j);
        return DBOT_ENOMEM;
    }
    j->allow_loopback = policy->allow_loopback;
    return start(ix, j, fetch_work);
}

int
main(int argc, char **argv)
{
    dbot *bot;
    int rc;
    const char *lo = getenv("FETCH_ALLOW_LOOPBACK");
    /* Read here, once: getenv() is not safe beside threads that setenv. */
    struct fetch_policy policy = { .allow_loopback = lo && !strcmp(lo, "1") };

    /* Once, before any thread uses curl. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = dbot_new(&bot, argc > 1 ? argv[1] : NULL);
    if (rc < 0)
        return 1;
    if (dbot_commands_set(bot, commands, 2) < 0 ||
        dbot_on_command(bot, "primes", on_primes, NULL) < 0 ||
        dbot_on_command(bot, "fetch", on_fetch, &policy) < 0) {
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
