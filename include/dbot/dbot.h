/*
 * dbot: a small, fast C framework for Discord bots.
 *
 * THREADS. A bot has one loop thread: the thread that calls dbot_run(). The
 * gateway, the dispatcher, timers and every callback of this API run there.
 * The loop is not thread-safe. From any other thread (a worker, a signal
 * handler) only these are allowed:
 *
 *   dbot_post()        run a function on the loop (any thread, not signals)
 *   dbot_stop()        ask the loop to stop (any thread and signal handlers)
 *   dbot_log(), dbot_strerror(), dbot_err_name()
 *   dbot_verify_signature() and dbot_verifier_* (dbot/verify.h)
 *   dbot_work_*()      on the job the calling worker runs (dbot/worker.h)
 *   pure readers and builders, on data the thread owns: dbot_option_*,
 *   dbot_ix_* (dbot/interaction_data.h), dbot_msg_*, dbot_embed_*,
 *   dbot_row_*, dbot_modal_*, dbot_autocomplete_json (dbot/message.h)
 *
 * Debug builds check the thread in every other entry point and refuse a call
 * from the wrong thread with DBOT_EWRONGTHREAD.
 *
 * ERRORS. Functions return 0 (or a count) on success and a negative DBOT_E*
 * code on failure. A function that takes a callback and fails never calls it.
 *
 * OWNERSHIP. Arguments are borrowed for the duration of the call. cJSON
 * pointers handed to callbacks are borrowed until the callback returns:
 * cJSON_Duplicate() what you want to keep, never cJSON_Delete() them.
 */
#ifndef DBOT_DBOT_H
#define DBOT_DBOT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DBOT_API              __attribute__((visibility("default")))
#define DBOT_PRINTF(a, b)     __attribute__((format(printf, a, b)))
#define DBOT_DEPRECATED(repl) __attribute__((deprecated("use " repl)))
#else
#define DBOT_API
#define DBOT_PRINTF(a, b)
#define DBOT_DEPRECATED(repl)
#endif

/* Names kept for one release after they were replaced (docs/api.md lists
 * them) are declared DBOT_DEPRECATED, so the compiler names the
 * replacement. Define DBOT_NO_DEPRECATED before including dbot's headers
 * to hide them and check that a program is ready for their removal. */

#define DBOT_VERSION     "0.1.0"
#define DBOT_PROJECT_URL "https://github.com/dbot-dev/dbot"

/* ---- errors ----------------------------------------------------------- */

/* X(name, value, message). Values below -4000 are dbot's own; the others
 * are negative errno values. */
#define DBOT_ERRNO_MAP(X)                                         \
    X(ENOMEM, -12, "out of memory")                               \
    X(EINVAL, -22, "invalid argument")                            \
    X(EAGAIN, -11, "resource temporarily unavailable")            \
    X(ENOENT, -2, "not found")                                    \
    X(EIO, -5, "input/output error")                              \
    X(ETIMEDOUT, -110, "timed out")                               \
    X(ECANCELED, -125, "cancelled")                               \
    X(EBUSY, -16, "busy, try again later")                        \
    X(ECONFIG, -4001, "invalid configuration")                    \
    X(EJSON, -4002, "malformed JSON")                             \
    X(EHTTP, -4003, "unexpected HTTP status")                     \
    X(ETRANSPORT, -4004, "network transport error")               \
    X(ERATELIMIT, -4005, "rate limited")                          \
    X(EAUTH, -4006, "authentication failed: check the bot token") \
    X(EINTENTS, -4007, "disallowed or invalid gateway intents")   \
    X(EFATAL, -4008, "fatal gateway close")                       \
    X(EWRONGTHREAD, -4009, "called from the wrong thread")        \
    X(ESTATE, -4010, "not allowed in the current state")          \
    X(EEXPIRED, -4011, "interaction token expired")               \
    X(ETOOBIG, -4012, "size limit exceeded")                      \
    X(ESHUTDOWN, -4013, "bot is shutting down")                   \
    X(EBADSIG, -4014, "signature does not match")

enum dbot_errno {
#define DBOT_ERRNO_ENUM_(name, val, msg) DBOT_##name = (val),
    DBOT_ERRNO_MAP(DBOT_ERRNO_ENUM_)
#undef DBOT_ERRNO_ENUM_
};

/* Name: dbot_strerror
 * Desc: a human-readable message for a DBOT_E* code. Any thread, and
 *       signal handlers (no allocation, no locks).
 * Returns: a static string; "unknown error" for codes not in the map. */
DBOT_API const char *dbot_strerror(int err);

/* Name: dbot_err_name
 * Desc: the symbolic name of a DBOT_E* code, e.g. "DBOT_ETIMEDOUT". Any
 *       thread.
 * Returns: a static string; "OK" for 0, "DBOT_EUNKNOWN" for codes not in
 *       the map. */
DBOT_API const char *dbot_err_name(int err);

/* ---- logging ---------------------------------------------------------- */

enum dbot_log_level {
    DBOT_LOG_ERROR = 0, /* something was lost or the bot must stop */
    DBOT_LOG_WARN = 1,  /* something went wrong and was recovered */
    DBOT_LOG_INFO = 2,  /* lifecycle: connected, resumed, stopping */
    DBOT_LOG_DEBUG = 3, /* per event */
    DBOT_LOG_TRACE = 4, /* per frame */
};

/* Name: dbot_log, dbot_logv
 * Desc: log one line from component `comp` ("gateway", "rest", ...), from any
 *       thread. One write(2) per line. Registered secrets (the bot token)
 *       are replaced by "[REDACTED]" before anything is written. The
 *       arguments are only read; dbot_logv does not va_end(ap).
 * Returns: nothing; a line that cannot be written is dropped. */
DBOT_API void dbot_log(int level, const char *comp, const char *fmt, ...)
    DBOT_PRINTF(3, 4);
DBOT_API void dbot_logv(int level, const char *comp, const char *fmt,
                        va_list ap) DBOT_PRINTF(3, 0);

/* Name: dbot_log_set_level
 * Desc: lines above `level` (enum dbot_log_level) are dropped. Any thread.
 * Returns: nothing. */
DBOT_API void dbot_log_set_level(int level);

/* Name: dbot_log_level_parse
 * Desc: "error", "warn", "info", "debug" or "trace" to a level. Any
 *       thread.
 * Returns: the level, or DBOT_EINVAL (NULL or another word). */
DBOT_API int dbot_log_level_parse(const char *name);

/* Name: dbot_log_set_sink
 * Desc: replace the stderr sink (tests capture logs this way). The sink gets
 *       whole, already redacted lines with a trailing newline, borrowed for
 *       the call. Set it before dbot_run() (the sink is a process global);
 *       NULL restores stderr. The sink may run on any thread, and `data` is
 *       passed to it as is.
 * Returns: nothing. */
typedef void (*dbot_log_sink_fn)(const char *line, size_t len, void *data);
DBOT_API void dbot_log_set_sink(dbot_log_sink_fn fn, void *data);

/* Name: dbot_log_add_secret
 * Desc: never print `secret` (copied); dbot registers the token by itself.
 *       Surrounding blanks and a "Bot " prefix are not part of the secret.
 *       Secrets shorter than 4 bytes are ignored. There is no limit on the
 *       number; adding one twice needs two dbot_log_remove_secret() calls.
 *       Token-shaped text (bot, webhook and interaction tokens) is redacted
 *       without being added. Any thread.
 * Returns: 0 (also when ignored or already known); DBOT_ENOMEM when it
 *       could not be copied: it is then NOT redacted by the list, so a
 *       caller that would go on to log it should stop instead. */
DBOT_API int dbot_log_add_secret(const char *secret);

/* Name: dbot_log_remove_secret
 * Desc: undo one dbot_log_add_secret(secret), so secrets added for a
 *       short-lived purpose do not pile up. Unknown secrets and NULL are
 *       ignored. Any thread.
 * Returns: nothing. */
DBOT_API void dbot_log_remove_secret(const char *secret);

/* ---- the bot ---------------------------------------------------------- */

typedef struct dbot dbot;

/* Name: dbot_new
 * Desc: load the configuration and create a bot. `config_path` may be NULL:
 *       then $DBOT_CONFIG, then "config.json" if it exists, else only the
 *       environment ($DISCORD_TOKEN, $DBOT_API_URL) configures the bot.
 *       Errors are logged with the field that is wrong. Process-wide: the
 *       soft RLIMIT_NOFILE is raised to the hard limit (at most 65536). The
 *       thread that later calls dbot_run() becomes the loop thread; until
 *       then, the creating thread may configure the bot. The caller owns
 *       *out and frees it with dbot_free(). `config_path` is copied.
 * Returns: 0 and *out; DBOT_EINVAL (out NULL); DBOT_ECONFIG (a file or
 *       field is wrong, logged); DBOT_ENOMEM. *out is NULL on error. */
DBOT_API int dbot_new(dbot **out, const char *config_path);

/* Name: dbot_new_from_json
 * Desc: like dbot_new with the configuration given as a JSON text (tests,
 *       embedding; read during the call). Environment overrides apply as
 *       in dbot_new.
 * Returns: as dbot_new; DBOT_EINVAL also for json NULL. */
DBOT_API int dbot_new_from_json(dbot **out, const char *json);

/* Name: dbot_run
 * Desc: connect and run the loop on the calling thread (it becomes the loop
 *       thread) until dbot_stop() or a fatal error. Every callback of the
 *       API runs inside this call.
 * Returns: 0 after dbot_stop(); DBOT_EAUTH, DBOT_EINTENTS, DBOT_EFATAL when
 *       Discord refused the bot (the log says what to fix); DBOT_EINVAL
 *       (bot NULL); DBOT_ECONFIG (no token, logged); DBOT_EBUSY (with
 *       redis_url: every shard of "shard_ids" is run by another live
 *       process of the bot, logged; before the loop starts, this call
 *       waits up to ~17 s for such leases to prove alive or lapse); when
 *       the loop cannot start (listening sockets, shards), its error,
 *       logged: DBOT_ENOMEM, DBOT_EIO. */
DBOT_API int dbot_run(dbot *bot);

/* Name: dbot_stop
 * Desc: ask the loop to stop: gateway connections are closed and dbot_run()
 *       returns. Safe from any thread and from a signal handler; calling it
 *       again does nothing more.
 * Returns: nothing. */
DBOT_API void dbot_stop(dbot *bot);

/* Name: dbot_free
 * Desc: free a bot that is not running, with everything it owns; pending
 *       REST callbacks run with DBOT_ECANCELED and posted functions run
 *       once (see dbot_post). NULL is a no-op. The thread that ran (or
 *       would have run) dbot_run(), after it returned.
 * Returns: nothing. */
DBOT_API void dbot_free(dbot *bot);

/* Name: dbot_post
 * Desc: run fn(bot, arg) on the loop thread soon. Callable from any thread
 *       (not from a signal handler); this is how workers hand results back.
 *       Functions posted run in the order posted. If the bot is freed before
 *       they run, they still run once from dbot_free() with the loop gone, so
 *       they can release `arg`; dbot_is_stopping() tells them.
 * Returns: 0, or DBOT_ENOMEM (fn is then not called). */
typedef void (*dbot_post_fn)(dbot *bot, void *arg);
DBOT_API int dbot_post(dbot *bot, dbot_post_fn fn, void *arg);

/* Name: dbot_is_stopping
 * Desc: whether dbot_stop() was called. Any thread.
 * Returns: 1 once dbot_stop() was called, else 0. */
DBOT_API int dbot_is_stopping(const dbot *bot);

/* Name: dbot_now_ms
 * Desc: the clock of every deadline in this API (CLOCK_MONOTONIC). Any
 *       thread.
 * Returns: monotonic milliseconds. */
DBOT_API int64_t dbot_now_ms(void);

/* ---- events ----------------------------------------------------------- */

typedef struct dbot_event {
    const char *name;  /* dispatch name, e.g. "MESSAGE_CREATE" */
    const cJSON *data; /* the payload's "d"; borrowed until return */
    int shard_id;      /* the shard it arrived on */
    int64_t seq;       /* gateway sequence number */
} dbot_event;

typedef void (*dbot_event_fn)(dbot *bot, const dbot_event *ev, void *data);

/* Name: dbot_on (macro), dbot_on_named
 * Desc: call fn for every dispatch named `event` ("*" for all), on the loop,
 *       in registration order. The macro records the handler's name, which
 *       the slow-handler log and the watchdog print (`event` and `fn_name`
 *       are copied; `data` is passed to fn as is). Loop thread, before or
 *       during dbot_run().
 * Returns: 0; DBOT_EINVAL (bot, event or fn NULL); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. */
#define dbot_on(bot, event, fn, data) dbot_on_named(bot, event, fn, #fn, data)
DBOT_API int dbot_on_named(dbot *bot, const char *event, dbot_event_fn fn,
                           const char *fn_name, void *data);

/* Name: dbot_self
 * Desc: the user the bot is logged in as (READY's "user"). Loop thread.
 * Returns: the user, borrowed until a READY brings a different user
 *       object (every shard's READY carries the same one, which keeps the
 *       pointer valid) or dbot_free(); copy what you keep longer. NULL
 *       before READY. */
DBOT_API const cJSON *dbot_self(const dbot *bot);

/* Name: dbot_heartbeat_latency_ms
 * Desc: the last heartbeat round trip of a shard. Loop thread.
 * Returns: milliseconds; -1 when there was none yet or shard_id is out of
 *       range or not run by this process ("shard_ids"). */
DBOT_API int64_t dbot_heartbeat_latency_ms(const dbot *bot, int shard_id);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_DBOT_H */
