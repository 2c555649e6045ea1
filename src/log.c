/*
 * log.c: one line per write(2), from any thread, with secrets redacted.
 *
 * DESIGN. Lines are formatted into a stack buffer, redacted, then handed to
 * the sink in one call, so lines from different threads never interleave.
 * The secret list is small (the token, maybe a second token) and guarded by
 * a mutex; the level is an atomic so the fast path (a dropped debug line)
 * takes no lock. Redaction happens after formatting, so a token that reaches
 * a log line through any path (an URL, an echoed payload) is caught.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECRETS 8
#define LINE_MAX_ 4096
static const char REDACTED[] = "[REDACTED]";

static atomic_int log_level = DBOT_LOG_INFO;
static atomic_int log_format = DBOT__LOG_AUTO;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;
static dbot_log_sink_fn sink_fn;
static void *sink_data;

static const char level_chars[] = "EWIDT";
/* syslog priorities for journald: err, warning, info, debug, debug. */
static const int level_prio[] = { 3, 4, 6, 7, 7 };

void
dbot_log_set_level(int level)
{
    if (level < DBOT_LOG_ERROR)
        level = DBOT_LOG_ERROR;
    if (level > DBOT_LOG_TRACE)
        level = DBOT_LOG_TRACE;
    atomic_store(&log_level, level);
}

int
dbot_log_level_parse(const char *name)
{
    static const char *names[] = { "error", "warn", "info", "debug", "trace" };

    if (!name)
        return DBOT_EINVAL;
    for (int i = 0; i < 5; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return DBOT_EINVAL;
}

void
dbot__log_set_format(int format)
{
    atomic_store(&log_format, format);
}

void
dbot_log_set_sink(dbot_log_sink_fn fn, void *data)
{
    pthread_mutex_lock(&log_mu);
    sink_fn = fn;
    sink_data = data;
    pthread_mutex_unlock(&log_mu);
}

int
dbot_log_add_secret(const char *secret)
{
    int rc = 0;

    if (!secret || strlen(secret) < 4)
        return 0;
    pthread_mutex_lock(&log_mu);
    for (size_t i = 0; i < nsecrets; i++)
        if (strcmp(secrets[i], secret) == 0)
            goto out;
    if (nsecrets < MAX_SECRETS) {
        char *copy = strdup(secret);
        if (copy)
            secrets[nsecrets++] = copy;
        else
            rc = DBOT_ENOMEM;
    }
out:
    pthread_mutex_unlock(&log_mu);
    return rc;
}

void
dbot__log_clear_secrets(void)
{
    pthread_mutex_lock(&log_mu);
    for (size_t i = 0; i < nsecrets; i++)
        free(secrets[i]);
    nsecrets = 0;
    pthread_mutex_unlock(&log_mu);
}

/* Caller holds log_mu. */
static size_t
redact_locked(char *buf, size_t len, size_t cap)
{
    for (size_t s = 0; s < nsecrets; s++) {
        size_t slen = strlen(secrets[s]);
        char *p = buf;

        while ((p = memmem(p, len - (size_t)(p - buf), secrets[s], slen))) {
            size_t off = (size_t)(p - buf);
            size_t rlen = sizeof REDACTED - 1;
            size_t tail = len - off - slen;

            /* The marker may be longer than a (short) secret: keep the line
             * within cap by dropping its end rather than the redaction. */
            if (off + rlen + tail > cap - 1)
                tail = cap - 1 > off + rlen ? cap - 1 - off - rlen : 0;
            if (off + rlen > cap - 1)
                rlen = cap - 1 - off;
            memmove(p + rlen, p + slen, tail);
            memcpy(p, REDACTED, rlen);
            len = off + rlen + tail;
            p += rlen;
        }
    }
    buf[len] = '\0';
    return len;
}

size_t
dbot__log_redact(char *buf, size_t len, size_t cap)
{
    pthread_mutex_lock(&log_mu);
    len = redact_locked(buf, len, cap);
    pthread_mutex_unlock(&log_mu);
    return len;
}

static int
use_journal_format(void)
{
    int f = atomic_load(&log_format);

    if (f == DBOT__LOG_AUTO) {
        /* systemd sets JOURNAL_STREAM to "dev:inode" of the journal socket
         * when it connects stderr to it; that is the documented test. */
        const char *js = getenv("JOURNAL_STREAM");
        f = (js && *js) ? DBOT__LOG_JOURNAL : DBOT__LOG_TEXT;
        atomic_store(&log_format, f);
    }
    return f == DBOT__LOG_JOURNAL;
}

void
dbot_logv(int level, const char *comp, const char *fmt, va_list ap)
{
    char line[LINE_MAX_];
    size_t n;
    int k;

    if (level > atomic_load(&log_level))
        return;
    if (level < 0)
        level = 0;
    if (level > DBOT_LOG_TRACE)
        level = DBOT_LOG_TRACE;
    if (use_journal_format()) {
        k = snprintf(line, sizeof line, "<%d>%s: ", level_prio[level],
                     comp ? comp : "dbot");
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        k = snprintf(line, sizeof line, "%6lld.%03ld %c %s: ",
                     (long long)ts.tv_sec, ts.tv_nsec / 1000000,
                     level_chars[level], comp ? comp : "dbot");
    }
    n = k > 0 ? (size_t)k : 0;
    k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    /* A message must stay one line for the journal and for log parsers. */
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';

    pthread_mutex_lock(&log_mu);
    n = redact_locked(line, n, sizeof line - 1);
    line[n++] = '\n';
    line[n] = '\0';
    if (sink_fn) {
        sink_fn(line, n, sink_data);
    } else {
        ssize_t w;
        do
            w = write(STDERR_FILENO, line, n);
        while (w < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&log_mu);
}

void
dbot_log(int level, const char *comp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dbot_logv(level, comp, fmt, ap);
    va_end(ap);
}
