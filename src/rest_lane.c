/*
 * rest_lane.c: the REST client's loop lane. The initial response to an
 * interaction, sent by a handler on the loop thread, leaves from the loop
 * itself and its answer is read there too.
 *
 * WHY. Through the REST thread an acknowledgement costs two more thread
 * wakeups than it needs (the thread, woken to send; the loop, woken for
 * the answer), and a wakeup is the dearest thing on that path: ~20 us of
 * CPU each on the 2-core VM, more than the HTTP request itself. A raw
 * single-threaded client pays two sleeps per interaction (its socket, its
 * answer); the thread made dbot pay five. The lane makes it three: the
 * gateway thread on its socket, the loop for the batch, the loop for the
 * answer (bench_ixcpu, README "Performance").
 *
 * WHAT. An engine of its own (rest_engine.h): one CURLM and one limiter,
 * the same request life as the thread's (attempts, 429 waits, retries,
 * the 3-second deadline). Only interaction callbacks without files come
 * here: they are exempt from the global limit (their buckets are keyed by
 * the interaction's token, one process uses them), so nothing the thread's
 * limiter counts is split; uploads read files, which the loop must not.
 * Everything else, and the gateway thread's auto-defers, still go to the
 * thread. Its connections are its own (a multi's pool is not shared
 * across threads): one more keep-alive connection to Discord.
 *
 * HOW. curl's socket interface: curl tells which sockets to watch
 * (on_socket) and when to call it back (on_timer); the sockets go into one
 * epoll descriptor, and that one descriptor into the loop's poll set
 * (dbot__loop_watch), so the loop polls one more fd however many
 * connections the lane holds. curl's timeout and the limiter's wake time
 * are two timers on the loop's heap. A request submitted from a handler is
 * started before the handler returns (no wait for the next turn); its
 * completion is posted to the loop, never run inside the handler. When the
 * loop itself drives the lane (a socket or a timer), completions run right
 * there (`direct`): the loop is already awake and outside any handler.
 *
 * NOT BLOCKING. curl's resolver is asynchronous (rest.c logs it at start);
 * connect and TLS are non-blocking; a TLS handshake (one per connection,
 * then kept alive) is the largest piece of work the lane puts on the loop.
 * The CA directory is read by OpenSSL when a chain needs a certificate
 * (tls_ca.h), as the gateway's TLS did when it ran on the loop.
 */
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "rest_engine.h"

#include <curl/curl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define LANE_EVENTS 16

struct dbot__rest_lane {
    struct dbot__rest_engine eng;
    struct dbot__loop *loop;
    int epfd;
    struct dbot__loop_watch *watch;
    struct dbot__timer curl_timer; /* curl's next timeout */
    struct dbot__timer rl_timer;   /* the limiter's next wake time */
    int64_t rl_due;                /* what rl_timer is armed for */
    /* A driver is running (submit, socket, timer): curl asking to be
     * called back at once sets `kick` instead of arming a timer, and the
     * driver calls it before returning. */
    bool driving, kick;
};

/* ---- curl's callbacks ---------------------------------------------------- */

static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct dbot__rest_lane *ln = userp;
    struct epoll_event ev;
    int op;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        /* The kernel forgets a closed descriptor by itself; this is for
         * one curl keeps open (a pooled connection). */
        if (socketp)
            (void)epoll_ctl(ln->epfd, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(ln->eng.multi, s, NULL);
        return 0;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
                ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    ev.data.fd = s;
    op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(ln->epfd, op, s, &ev) < 0) {
        /* A number closed and reused behind curl's back (ENOENT), or one
         * already known (EEXIST): the other operation is the right one. */
        op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(ln->epfd, op, s, &ev) < 0) {
            /* The transfer then ends at its timeout, reported as one. */
            LOG_E("rest", "loop lane: cannot watch a socket: %s",
                  strerror(errno));
            return 0;
        }
    }
    curl_multi_assign(ln->eng.multi, s, ln);
    return 0;
}

static int
on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct dbot__rest_lane *ln = userp;

    (void)multi;
    if (timeout_ms < 0) {
        dbot__loop_timer_disarm(ln->loop, &ln->curl_timer);
        return 0;
    }
    if (timeout_ms == 0 && ln->driving) {
        ln->kick = true;
        return 0;
    }
    if (dbot__loop_timer_arm(ln->loop, &ln->curl_timer, timeout_ms) < 0) {
        LOG_E("rest", "loop lane: cannot arm curl's timer");
        return -1;
    }
    return 0;
}

/* ---- driving ------------------------------------------------------------- */

static void
kick(struct dbot__rest_lane *ln)
{
    int running;

    while (ln->kick) {
        ln->kick = false;
        curl_multi_socket_action(ln->eng.multi, CURL_SOCKET_TIMEOUT, 0,
                                 &running);
    }
}

/* Collect finished transfers, start what the limiter allows, and set the
 * limiter's timer. Bounded: each round starts at most what the transfer
 * slots hold, and a round that starts nothing ends it. */
static void
step(struct dbot__rest_lane *ln)
{
    int64_t now = dbot__clock_ms(), wake = INT64_MAX;

    kick(ln);
    dbot__rest_engine_collect(&ln->eng);
    for (int round = 0; round < 4; round++) {
        now = dbot__clock_ms();
        wake = INT64_MAX;
        if (!dbot__rest_engine_pump(&ln->eng, now, &wake))
            break;
        ln->kick = true;
        kick(ln);
        dbot__rest_engine_collect(&ln->eng);
    }
    if (wake == INT64_MAX) {
        dbot__loop_timer_disarm(ln->loop, &ln->rl_timer);
        return;
    }
    if (!dbot__timer_armed(&ln->rl_timer) || wake < ln->rl_due) {
        ln->rl_due = wake;
        if (dbot__loop_timer_arm(ln->loop, &ln->rl_timer,
                                 wake > now ? wake - now : 0) < 0)
            LOG_E("rest", "loop lane: cannot arm the limiter's timer");
    }
}

/* The loop drives: completions may run here (see WHAT). */
static void
drive_begin(struct dbot__rest_lane *ln, bool *was_direct)
{
    *was_direct = ln->eng.direct;
    ln->eng.direct = true;
    ln->driving = true;
}

static void
drive_end(struct dbot__rest_lane *ln, bool was_direct)
{
    ln->driving = false;
    ln->eng.direct = was_direct;
}

static void
on_ready(void *arg)
{
    struct dbot__rest_lane *ln = arg;
    struct epoll_event ev[LANE_EVENTS];
    bool was;
    int n, running;

    drive_begin(ln, &was);
    do {
        n = epoll_wait(ln->epfd, ev, LANE_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            int f = 0;

            if (ev[i].events & (EPOLLIN | EPOLLHUP))
                f |= CURL_CSELECT_IN;
            if (ev[i].events & EPOLLOUT)
                f |= CURL_CSELECT_OUT;
            if (ev[i].events & EPOLLERR)
                f |= CURL_CSELECT_ERR;
            curl_multi_socket_action(ln->eng.multi, ev[i].data.fd, f, &running);
        }
    } while (n == LANE_EVENTS);
    step(ln);
    drive_end(ln, was);
}

static void
on_curl_timer(struct dbot__timer *t)
{
    struct dbot__rest_lane *ln =
        lws_container_of(t, struct dbot__rest_lane, curl_timer);
    bool was;

    drive_begin(ln, &was);
    ln->kick = true;
    step(ln);
    drive_end(ln, was);
}

static void
on_rl_timer(struct dbot__timer *t)
{
    struct dbot__rest_lane *ln =
        lws_container_of(t, struct dbot__rest_lane, rl_timer);
    bool was;

    drive_begin(ln, &was);
    step(ln);
    drive_end(ln, was);
}

/* ---- the client's side ----------------------------------------------------
 */

bool
dbot__rest_lane_takes(const struct dbot__rest_lane *ln,
                      const struct dbot__rest_req *q)
{
    return (q->flags & DBOT__RL_INTERACTION) && !q->nfiles && !q->deliver &&
           dbot__loop_on_thread(ln->loop);
}

void
dbot__rest_lane_submit(struct dbot__rest_lane *ln, struct dbot__rest_req *q)
{
    bool direct = ln->eng.direct, driving = ln->driving;

    /* Inside a handler, or inside a completion the loop runs: either way
     * no callback may run from here (it would nest), so completions go
     * through the loop's inbox. */
    ln->eng.direct = false;
    ln->driving = true;
    dbot__rest_engine_accept(&ln->eng, q, dbot__clock_ms());
    step(ln);
    ln->driving = driving;
    ln->eng.direct = direct;
}

struct dbot__rest_lane *
dbot__rest_lane_new(struct dbot__rest *r, struct dbot__loop *loop,
                    const struct dbot__rl_shared *sh)
{
    struct dbot__rest_lane *ln = calloc(1, sizeof *ln);
    int epfd = -1;

    if (!ln || dbot__rest_engine_init(&ln->eng, r, 0, sh) < 0) {
        free(ln);
        LOG_W("rest", "no loop lane (out of memory): the REST thread sends "
                      "every request");
        return NULL;
    }
    ln->loop = loop;
    dbot__timer_init(&ln->curl_timer, on_curl_timer);
    dbot__timer_init(&ln->rl_timer, on_rl_timer);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    ln->epfd = epfd;
    ln->watch = epfd >= 0 ? dbot__loop_watch(loop, epfd, on_ready, ln) : NULL;
    if (!ln->watch) {
        LOG_W("rest", "no loop lane (%s): the REST thread sends every request",
              epfd < 0 ? strerror(errno) : "the loop cannot watch it");
        dbot__rest_engine_cleanup(&ln->eng);
        free(ln);
        return NULL;
    }
    curl_multi_setopt(ln->eng.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(ln->eng.multi, CURLMOPT_SOCKETDATA, ln);
    curl_multi_setopt(ln->eng.multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(ln->eng.multi, CURLMOPT_TIMERDATA, ln);
    return ln;
}

void
dbot__rest_lane_free(struct dbot__rest_lane *ln)
{
    struct dbot__rest_req *cancelled = NULL;

    if (!ln)
        return;
    dbot__rest_engine_cancel_all(&ln->eng, &cancelled);
    /* curl closes its sockets here (CURL_POLL_REMOVE on each, while the
     * epoll descriptor is still open) and may move its timer: the timers
     * are disarmed after it. */
    dbot__rest_engine_cleanup(&ln->eng);
    dbot__loop_timer_disarm(ln->loop, &ln->curl_timer);
    dbot__loop_timer_disarm(ln->loop, &ln->rl_timer);
    dbot__loop_unwatch(ln->watch); /* closes epfd */
    free(ln);
    dbot__rest_cancel_list(cancelled);
}
