/*
 * log.h: the framework's logger. The public half (dbot_log, levels, sink,
 * secrets) is in dbot.h; this adds what other modules need internally.
 */
#ifndef DBOT_SRC_LOG_H
#define DBOT_SRC_LOG_H

#include <dbot/dbot.h>

#include <stddef.h>

enum dbot__log_format {
    DBOT__LOG_TEXT = 0, /* "  12.345 W gateway: msg" with a monotonic stamp */
    DBOT__LOG_JOURNAL,  /* "<4>gateway: msg" for systemd-journald */
};

/* Pick the format: explicit, or DBOT__LOG_AUTO to use the journal format
 * when $JOURNAL_STREAM says stderr is the journal. */
#define DBOT__LOG_AUTO (-1)
void dbot__log_set_format(int format);

/* 1 when a line at `level` would be printed now. Any thread. */
int dbot__log_enabled(int level);

/* Redact buf[0..len) in place as a log line is (registered secrets and
 * token-shaped text become a marker), cutting the result to `cap - 1`
 * bytes. Returns the new length. Exposed for tests. */
size_t dbot__log_redact(char *buf, size_t len, size_t cap);

/* How many distinct secrets are registered (tests: the list stays
 * bounded). */
size_t dbot__log_secret_count(void);

/* Remove all secrets (tests and dbot_free of the last bot). */
void dbot__log_clear_secrets(void);

/* Shorthands used across src/. */
#define LOG_E(comp, ...) dbot_log(DBOT_LOG_ERROR, comp, __VA_ARGS__)
#define LOG_W(comp, ...) dbot_log(DBOT_LOG_WARN, comp, __VA_ARGS__)
#define LOG_I(comp, ...) dbot_log(DBOT_LOG_INFO, comp, __VA_ARGS__)
#define LOG_D(comp, ...) dbot_log(DBOT_LOG_DEBUG, comp, __VA_ARGS__)
#define LOG_T(comp, ...) dbot_log(DBOT_LOG_TRACE, comp, __VA_ARGS__)

#endif
