/*
 * loop.c: the lws context, the inbox and the loop thread.
 *
 * DESIGN. One lws context is the loop. Everything that touches bot state
 * runs on the thread that runs it. Other threads reach the loop in one way
 * only: dbot__loop_post() appends a task to the inbox under a mutex and,
 * when the inbox was empty, calls lws_cancel_service() (the one lws call
 * legal off the loop thread). lws then delivers
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED to every protocol; the loop's own
 * protocol ("dbot-loop", first in the list) swaps the whole inbox out under
 * the lock and runs the tasks unlocked, in order. Wakeups coalesce: a
 * burst of posts costs one wakeup (h2o's rule), and the drain is cheap and
 * idempotent because it fires on every protocol.
 *
 * TIMERS. Per-object timers (an interaction's deadline and abandon timers,
 * the public dbot_timer_* calls, the bot's tick) live in one heap
 * (timer_heap.c), and only its earliest deadline is handed to the kernel,
 * as a timerfd the lws context polls. lws inserts into its own sorted list
 * by walking it, which made every new interaction cost more the more were
 * pending; the heap is O(log n). Not lws's sul for that deadline either:
 * lws 4.1 turns the time to its next sul into poll()'s timeout by
 * rounding *down* to whole milliseconds, so every sul wakeup ended with up
 * to a millisecond of poll(0) spinning (~400 calls, measured: 36,000 a
 * run of bench_ixcpu, a tenth of the loop's CPU), and a sul armed outside
 * lws's callbacks could wait for its 30 s poll. The timerfd wakes poll()
 * at the deadline itself. It is moved only when a timer becomes the
 * earliest; a cancelled earliest leaves it armed, and the early wakeup
 * just re-arms it (cheaper than moving it on every cancel). Without a
 * timerfd (not Linux, or out of descriptors) the heap falls back to one
 * sul.
 */
#include "loop.h"

#include "clock.h"
#include "log.h"
#include "log_repeat.h"
#include "queue.h"
#include "tls_ca.h"

#include <dbot/dbot.h>

#include <limits.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/timerfd.h>
#endif

#define MAX_PROTOCOLS 8

struct task {
    struct dbot__queue link;
    dbot__task_fn fn;
    void *arg;
};

struct dbot__loop {
    struct lws_context *ctx;
    struct lws_protocols protocols[MAX_PROTOCOLS + 2];

    pthread_t thread;
    atomic_int running; /* a thread runs the loop (enter .. leave) */

    pthread_mutex_t mu;
    struct dbot__queue inbox; /* of struct task, under mu */
    atomic_int quiet; /* the inbox holds quiet posts the loop has not seen */

    struct dbot__heap timers;   /* struct dbot__timer by deadline */
    int tfd;                    /* timerfd set to the earliest, or -1 */
    lws_sorted_usec_list_t sul; /* without a timerfd: the earliest */
    int64_t sul_due; /* what tfd or sul is set for; INT64_MAX: unset */
};

/* dbot__loop_watch: the adopted descriptor's wsi carries this as its
 * opaque user data, which is how the loop's protocol tells it from the
 * timerfd. */
struct dbot__loop_watch {
    struct lws *wsi; /* NULL once lws closed it */
    dbot__task_fn fn;
    void *arg;
};

static void timers_run(struct dbot__loop *l);
static void sul_fired(lws_sorted_usec_list_t *sul);

/* The system's trusted CAs for the gateway's TLS context, read from the
 * hashed directory when a chain needs one (tls_ca.h), not the whole bundle
 * up front (lws's default, which LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS
 * turns off). Only without that directory is the bundle loaded
 * ($SSL_CERT_FILE, else OpenSSL's default file). */
static void
load_os_cas(SSL_CTX *ctx)
{
    const char *dir = dbot__tls_ca_dir();
    const char *file = getenv(X509_get_default_cert_file_env());

    if (dir && SSL_CTX_load_verify_locations(ctx, NULL, dir))
        return;
    if (!file || !*file)
        file = X509_get_default_cert_file();
    if (!SSL_CTX_load_verify_locations(ctx, file, NULL))
        LOG_W("dbot", "TLS: no system CA directory or bundle; the gateway's "
                      "certificate cannot be verified");
}

static int
loop_protocol_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                 void *in, size_t len)
{
    (void)in;
    (void)len;
    if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS) {
        load_os_cas(user);
        return 0;
    }
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        struct dbot__loop *l = lws_context_user(lws_get_context(wsi));

        if (l)
            dbot__loop_drain(l);
    }
    if (reason == LWS_CALLBACK_RAW_RX_FILE && lws_get_opaque_user_data(wsi)) {
        struct dbot__loop_watch *w = lws_get_opaque_user_data(wsi);

        w->fn(w->arg);
        return 0;
    }
    if (reason == LWS_CALLBACK_RAW_CLOSE_FILE &&
        lws_get_opaque_user_data(wsi)) {
        struct dbot__loop_watch *w = lws_get_opaque_user_data(wsi);

        w->wsi = NULL; /* lws closes the descriptor */
        return 0;
    }
    if (reason == LWS_CALLBACK_RAW_RX_FILE) {
        struct dbot__loop *l = lws_context_user(lws_get_context(wsi));
        uint64_t expirations;

        /* The timerfd (the watches carry opaque data). Reading it
         * clears its readiness; EAGAIN (a re-arm raced the wakeup) is
         * harmless, the heap decides what is due. */
        if (l && l->tfd >= 0)
            (void)!read(l->tfd, &expirations, sizeof expirations);
        if (l)
            sul_fired(&l->sul);
    }
    if (reason == LWS_CALLBACK_RAW_CLOSE_FILE) {
        struct dbot__loop *l = lws_context_user(lws_get_context(wsi));

        /* A watch whose adoption failed closes here too, before its
         * opaque data was set: only the timerfd's own close counts. */
        if (l && lws_get_socket_fd(wsi) == l->tfd)
            l->tfd = -1; /* lws closes the descriptor */
    }
    return 0;
}

/* lws's log callback takes no user pointer, and lws logs from every
 * thread that runs a context (the fake Discord in tests runs its own), so
 * the collapser of its repeated lines is one process-wide object, as the
 * log sink is. It stops a failure that lws reports on every loop turn
 * ("accept: errno 24") from flooding the log. */
static struct dbot__log_repeat lws_repeat = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .window_ms = DBOT__LOG_REPEAT_WINDOW_MS,
};

static void
lws_line_out(void *ud, int level, const char *line)
{
    (void)ud;
    dbot_log(level, "lws", "%s", line);
}

static void
lws_log_emit(int level, const char *line)
{
    int ours = level == LLL_ERR ? DBOT_LOG_WARN : DBOT_LOG_DEBUG;
    size_t n = strlen(line);
    char buf[DBOT__LOG_REPEAT_LINE];

    /* A line that would not be printed must not reach the collapser
     * either: it would end the run of a visible one, and a peer that
     * alternates two requests could then print a warning per request. */
    if (!dbot__log_enabled(ours))
        return;
    /* lws lines end in '\n'; ours add their own. */
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (n >= sizeof buf) {
        /* Too long to compare and keep: logged whole, so the logger
         * redacts before it cuts (a cut here would not be). */
        dbot_log(ours, "lws", "%.*s", n > INT_MAX ? INT_MAX : (int)n, line);
        return;
    }
    memcpy(buf, line, n);
    buf[n] = '\0';
    dbot__log_repeat_feed(&lws_repeat, ours, buf, dbot__clock_ms(),
                          lws_line_out, NULL);
}

#define LOOP_MAX_FDS 8192

static unsigned int
loop_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < LOOP_MAX_FDS)
        return (unsigned int)rl.rlim_cur;
    return LOOP_MAX_FDS;
}

/* The heap's deadline as a timerfd in lws's poll set (see TIMERS). On
 * failure l->tfd stays -1 and the heap uses a sul. */
static void
adopt_timerfd(struct dbot__loop *l)
{
#ifdef __linux__
    lws_sock_file_fd_type fd;
    struct lws_vhost *vh = lws_get_vhost_by_name(l->ctx, "default");
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

    if (tfd < 0)
        return;
    fd.filefd = tfd;
    l->tfd = tfd; /* before adopting: RAW_CLOSE_FILE on failure resets it */
    if (!vh || !lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, fd,
                                           "dbot-loop", NULL)) {
        if (l->tfd >= 0)
            close(tfd);
        l->tfd = -1;
    }
#else
    (void)l;
#endif
}

struct dbot__loop_watch *
dbot__loop_watch(struct dbot__loop *l, int fd, dbot__task_fn fn, void *arg)
{
    struct lws_vhost *vh = lws_get_vhost_by_name(l->ctx, "default");
    struct dbot__loop_watch *w = calloc(1, sizeof *w);
    lws_sock_file_fd_type d;

    d.filefd = fd;
    if (w)
        w->wsi = vh ? lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, d,
                                                 "dbot-loop", NULL)
                    : NULL;
    if (!w || !w->wsi) {
        /* lws 4.1 closes the descriptor when its adoption fails (see
         * adopt_timerfd); only one it never saw is closed here. */
        if (!w || !vh)
            close(fd);
        free(w);
        return NULL;
    }
    w->fn = fn;
    w->arg = arg;
    lws_set_opaque_user_data(w->wsi, w);
    return w;
}

void
dbot__loop_unwatch(struct dbot__loop_watch *w)
{
    if (!w)
        return;
    if (w->wsi) {
        struct lws *wsi = w->wsi;

        /* Closed now, not at lws's next turn: RAW_CLOSE_FILE finds w. */
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    }
    free(w);
}

int
dbot__loop_new(struct dbot__loop **out, const struct dbot__loop_opts *o)
{
    struct lws_context_creation_info info;
    struct dbot__loop *l = calloc(1, sizeof *l);
    int n = 0;

    *out = NULL;
    if (!l)
        return DBOT_ENOMEM;
    pthread_mutex_init(&l->mu, NULL);
    dbot__queue_init(&l->inbox);
    dbot__heap_init(&l->timers);
    l->tfd = -1;
    l->sul_due = INT64_MAX;
    l->protocols[n++] = (struct lws_protocols){
        "dbot-loop", loop_protocol_cb, 0, 0, 0, NULL, 0
    };
    for (const struct lws_protocols *p = o ? o->protocols : NULL;
         p && p->name && n < MAX_PROTOCOLS + 1; p++)
        l->protocols[n++] = *p;
    /* l->protocols[n] stays zeroed: the terminator. */

    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = l->protocols;
    info.user = l;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    /* The OS CAs come from load_os_cas(), on demand. */
    info.options = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    if (o && o->client_tls)
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (o && o->ca_file)
        info.client_ssl_ca_filepath = o->ca_file;
    /* lws sizes two tables (a wsi per fd number, a pollfd per fd) by this
     * limit, 0 meaning the process's RLIMIT_NOFILE: 15 bytes per fd,
     * 300 kB at 20,000 and 15 MB in a container allowing 1,048,576. The
     * loop's sockets are the shards' gateways, the monitoring listener's
     * connections (at most 4096) and lws's own; an fd numbered past the
     * limit is refused, so the cap leaves room for the REST thread's and
     * the process's other descriptors too. */
    info.fd_limit_per_thread = loop_fd_limit();
    l->ctx = lws_create_context(&info);
    if (!l->ctx) {
        LOG_E("dbot", "could not create the libwebsockets context");
        pthread_mutex_destroy(&l->mu);
        free(l);
        return DBOT_ENOMEM;
    }
    adopt_timerfd(l);
    *out = l;
    return 0;
}

void
dbot__loop_close(struct dbot__loop *l)
{
    lws_sul_cancel(&l->sul);
    l->sul_due = INT64_MAX;
    if (l->ctx)
        lws_context_destroy(l->ctx); /* closes the timerfd */
    l->ctx = NULL;
    l->tfd = -1;
}

void
dbot__loop_free(struct dbot__loop *l)
{
    if (!l)
        return;
    dbot__loop_close(l);
    /* Tasks posted after the loop ended still run once, so they can free
     * what they carry. */
    dbot__loop_drain(l);
    pthread_mutex_destroy(&l->mu);
    dbot__heap_free(&l->timers);
    free(l);
}

struct lws_context *
dbot__loop_lws(struct dbot__loop *l)
{
    return l->ctx;
}

static int
post(struct dbot__loop *l, dbot__task_fn fn, void *arg, int quiet)
{
    struct task *t = malloc(sizeof *t);
    int wake;

    if (!t)
        return DBOT_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&l->mu);
    /* A non-empty inbox means a wakeup is on its way, unless all it holds
     * came quietly. */
    wake = dbot__queue_empty(&l->inbox) || atomic_load(&l->quiet);
    dbot__queue_insert_tail(&l->inbox, &t->link);
    if (quiet)
        atomic_store(&l->quiet, wake || atomic_load(&l->quiet));
    else
        atomic_store(&l->quiet, 0);
    pthread_mutex_unlock(&l->mu);
    if (wake && !quiet && l->ctx)
        lws_cancel_service(l->ctx);
    return 0;
}

int
dbot__loop_post(void *loop, dbot__task_fn fn, void *arg)
{
    return post(loop, fn, arg, 0);
}

int
dbot__loop_post_quiet(struct dbot__loop *l, dbot__task_fn fn, void *arg)
{
    return post(l, fn, arg, 1);
}

void
dbot__loop_drain(struct dbot__loop *l)
{
    struct dbot__queue batch, *q;

    dbot__queue_init(&batch);
    pthread_mutex_lock(&l->mu);
    dbot__queue_move(&l->inbox, &batch);
    atomic_store(&l->quiet, 0);
    pthread_mutex_unlock(&l->mu);
    while ((q = dbot__queue_head(&batch)) != NULL) {
        struct task *t = dbot__queue_data(q, struct task, link);

        dbot__queue_remove(q);
        t->fn(t->arg);
        free(t);
    }
}

int
dbot__loop_pending(struct dbot__loop *l)
{
    int pending;

    pthread_mutex_lock(&l->mu);
    pending = !dbot__queue_empty(&l->inbox);
    pthread_mutex_unlock(&l->mu);
    return pending;
}

void
dbot__loop_wake(struct dbot__loop *l)
{
    if (l && l->ctx) {
        atomic_store(&l->quiet, 0); /* lock-free: signal handlers call this */
        lws_cancel_service(l->ctx);
    }
}

void
dbot__loop_enter(struct dbot__loop *l)
{
    l->thread = pthread_self();
    atomic_store(&l->running, 1);
}

void
dbot__loop_leave(struct dbot__loop *l)
{
    atomic_store(&l->running, 0);
}

int
dbot__loop_on_thread(const struct dbot__loop *l)
{
    if (!atomic_load(&l->running))
        return 1;
    return pthread_equal(pthread_self(), l->thread);
}

int
dbot__loop_turn(struct dbot__loop *l)
{
    int rc = lws_service(l->ctx, 0);

    /* Quiet posts ride on whatever woke the loop (dbot__loop_post_quiet). */
    if (atomic_load(&l->quiet))
        dbot__loop_drain(l);
    return rc;
}

int
dbot__loop_has_buffered_input(struct dbot__loop *l)
{
    /* lws's own test before it polls: 0 means "do not wait". */
    return lws_service_adjust_timeout(l->ctx, 1, 0) == 0;
}

void
dbot__loop_flush_logs(struct dbot__loop *l)
{
    (void)l;
    dbot__log_repeat_flush(&lws_repeat, dbot__clock_ms(), lws_line_out, NULL);
}

/* ---- the timer heap ------------------------------------------------------ */

/* The earliest deadline came (timerfd or sul): run what is due. */
static void
sul_fired(lws_sorted_usec_list_t *sul)
{
    struct dbot__loop *l = lws_container_of(sul, struct dbot__loop, sul);

    l->sul_due = INT64_MAX;
    timers_run(l);
}

/* Point the timerfd (or the sul) at the earliest deadline, or leave it as
 * it is when there is none. */
static void
timers_rearm(struct dbot__loop *l)
{
    const struct dbot__heap_node *top = dbot__heap_peek(&l->timers);
    int64_t delay;

    if (!top || top->due == l->sul_due || !l->ctx)
        return;
    l->sul_due = top->due;
#ifdef __linux__
    if (l->tfd >= 0) {
        /* Absolute, on the clock the heap uses: a deadline already past
         * makes the descriptor ready at once. 0 would disarm it. */
        struct itimerspec its = { { 0, 0 }, { 0, 0 } };
        int64_t due = top->due > 0 ? top->due : 1;

        its.it_value.tv_sec = (time_t)(due / 1000);
        its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
        if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
            return;
    }
#endif
    delay = top->due - dbot__clock_ms();
    if (delay < 0)
        delay = 0;
    lws_sul_schedule(l->ctx, 0, &l->sul, sul_fired,
                     (lws_usec_t)delay * LWS_US_PER_MS);
}

/* Run every timer due now that was armed before this call began (one
 * re-armed for "now" by a callback waits for the next turn). */
static void
timers_run(struct dbot__loop *l)
{
    int64_t now = dbot__clock_ms();
    uint64_t before = l->timers.next_seq;
    struct dbot__heap_node *top;

    while ((top = dbot__heap_peek(&l->timers)) != NULL && top->due <= now &&
           top->seq < before) {
        struct dbot__timer *t = (struct dbot__timer *)top;

        dbot__heap_remove(&l->timers, top);
        t->fn(t);
    }
    timers_rearm(l);
}

void
dbot__timer_init(struct dbot__timer *t, dbot__timer_fn fn)
{
    dbot__heap_node_init(&t->node);
    t->fn = fn;
}

int
dbot__loop_timer_arm(struct dbot__loop *l, struct dbot__timer *t, int64_t ms)
{
    int rc;

    if (ms < 0)
        ms = 0;
    rc = dbot__heap_push(&l->timers, &t->node, dbot__clock_ms() + ms);
    if (rc == 0 && t->node.pos == 0)
        timers_rearm(l);
    return rc;
}

void
dbot__loop_timer_disarm(struct dbot__loop *l, struct dbot__timer *t)
{
    dbot__heap_remove(&l->timers, &t->node);
}

int
dbot__timer_armed(const struct dbot__timer *t)
{
    return dbot__heap_armed(&t->node);
}

size_t
dbot__loop_timers_pending(const struct dbot__loop *l)
{
    return l->timers.n;
}
