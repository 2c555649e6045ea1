/*
 * state.h: the session file, so a restarted bot resumes its gateway
 * sessions instead of identifying again (docs/service.md).
 *
 * The format and its checks are pure (text and times in, struct out), so
 * unit tests call them directly; only dbot__state_read/_write/_remove touch
 * the file system, and the bot calls them at startup and shutdown only.
 */
#ifndef DBOT_SRC_STATE_H
#define DBOT_SRC_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define DBOT__STATE_VERSION   1
#define DBOT__STATE_FILE_NAME "session.json"

struct dbot__saved_shard {
    int shard_id;
    char *session_id;
    char *resume_url;
    int64_t seq;
};

/* What one process left for the next. saved_at is wall-clock seconds
 * (CLOCK_REALTIME: the next process has a different monotonic clock). */
struct dbot__state {
    int64_t saved_at;
    int shard_count;
    int n;
    struct dbot__saved_shard *shards;
};

/* Append a copy of one shard's session. Returns 0 or DBOT_ENOMEM. */
int dbot__state_add(struct dbot__state *st, int shard_id,
                    const char *session_id, const char *resume_url,
                    int64_t seq);
void dbot__state_clear(struct dbot__state *st);

/* The file's text (caller frees), or NULL when out of memory. */
char *dbot__state_format(const struct dbot__state *st);

/* Parse and check a saved state for a bot with `shard_count` shards (0:
 * any count, as for "shards": 0; st->shard_count says which) at
 * wall-clock time `now_s`: it must be this format's version, for the same
 * shard count, saved at most `window_s` seconds ago (and not in the
 * future), each shard in range and listed once, with a session id, a
 * ws(s):// resume URL and a sequence number. On failure `err` says why.
 * Returns 0 (fills *st, caller clears) or DBOT_EINVAL / DBOT_ETIMEDOUT
 * (too old) / DBOT_ENOMEM. */
int dbot__state_parse(const char *text, size_t len, int shard_count,
                      int64_t now_s, int window_s, struct dbot__state *st,
                      char *err, size_t errlen);

/* Where the file lives: $STATE_DIRECTORY (systemd's StateDirectory=; the
 * first of a colon-separated list) + "/session.json", else `state_file`.
 * Returns 1 with the path in buf, or 0 when sessions are not saved. */
int dbot__state_path(const char *state_directory, const char *state_file,
                     char *buf, size_t cap);

/* Write `text` to `path` atomically (temporary file, fsync, rename), mode
 * 0600: it holds session ids. Returns 0 or DBOT_EIO (err says why). */
int dbot__state_write(const char *path, const char *text, char *err,
                      size_t errlen);

/* May a session file with this status be believed by a process with
 * effective uid `euid`? Only if that uid owns it and neither group nor
 * others can write it. Returns 0, or DBOT_EINVAL with what to fix in err. */
int dbot__state_trusted(const struct stat *st, uid_t euid, char *err,
                        size_t errlen);

/* Read the whole file (at most 1 MiB; never a FIFO, device or symbolic
 * link, so reading cannot block) if dbot__state_trusted() accepts it.
 * Returns the text (caller frees) or NULL with *rc = DBOT_ENOENT (no file),
 * DBOT_EINVAL (not trusted) or DBOT_EIO, and err saying why. */
char *dbot__state_read(const char *path, int *rc, char *err, size_t errlen);

/* Remove the file; a missing file is not an error. Returns 0 or DBOT_EIO. */
int dbot__state_remove(const char *path);

#endif
