/*
 * notify.h: the systemd notification protocol (sd_notify(3)) spoken
 * directly: one datagram per message to the unix socket in $NOTIFY_SOCKET.
 * No libsystemd.
 */
#ifndef DBOT_SRC_NOTIFY_H
#define DBOT_SRC_NOTIFY_H

#include <stdint.h>

struct dbot__notify;

/* Open a notifier for `socket_path` ("/run/systemd/notify", or "@name" for
 * an abstract socket). NULL or "" means "not under systemd": *out is set
 * to NULL and 0 is returned, and every other call accepts NULL and does
 * nothing. Returns 0, DBOT_EINVAL (a path that is neither absolute nor
 * abstract, or too long; logged) or DBOT_ENOMEM. */
int dbot__notify_open(struct dbot__notify **out, const char *socket_path);

/* Send one message, e.g. "READY=1\nSTATUS=connected". Never blocks: the
 * socket is non-blocking and a full queue drops the message (logged at
 * debug; systemd reads its socket promptly). Returns 0, or a negative
 * errno-style DBOT_E* code. Loop thread. */
int dbot__notify_send(struct dbot__notify *n, const char *msg);

/* The watchdog interval systemd asked for, in microseconds, from
 * `watchdog_usec` ($WATCHDOG_USEC) and `watchdog_pid` ($WATCHDOG_PID,
 * which, when set, must be our pid). Returns 0 when no watchdog applies. */
uint64_t dbot__notify_watchdog_usec(const char *watchdog_usec,
                                    const char *watchdog_pid);

/* Close the socket and free. NULL is a no-op. */
void dbot__notify_close(struct dbot__notify *n);

#endif
