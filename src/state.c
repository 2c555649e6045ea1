/*
 * state.c: the session file.
 *
 * DESIGN. A stopping bot closes its gateway connections with a non-1000
 * code, which keeps each session resumable on Discord's side for a few
 * minutes, and writes what a Resume needs (session id, last sequence
 * number, resume URL) per shard, with the wall-clock time it stopped:
 *
 *   {"version":1,"saved_at":1767225600,"shard_count":1,
 *    "shards":[{"shard":0,"session_id":"...","seq":42,
 *               "resume_url":"wss://gateway-us-east1-b.discord.gg"}]}
 *
 * The next process reads it once at startup, deletes it at once (a crash
 * after that must not resume from a stale sequence number twice), and
 * hands each shard its session; a shard whose resume fails identifies as
 * usual. Anything odd (another shard count, too old, a foreign URL scheme,
 * a damaged file) means "identify": resuming is an optimisation, never a
 * requirement.
 *
 * The file is written to a temporary name with mode 0600, fsynced and
 * renamed over, so a crash mid-write leaves either the old file or the new
 * one. It contains session ids, not the token.
 */
#include "state.h"

#include "file.h"

#include <dbot/dbot.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAX_FILE (1024 * 1024)
#define SESSION_ID_MAX 256
#define URL_MAX        2048
#define CLOCK_SKEW_S   60

int
dbot__state_add(struct dbot__state *st, int shard_id, const char *session_id,
                const char *resume_url, int64_t seq)
{
    struct dbot__saved_shard *v, *s;

    v = realloc(st->shards, (size_t)(st->n + 1) * sizeof *v);
    if (!v)
        return DBOT_ENOMEM;
    st->shards = v;
    s = &v[st->n];
    s->shard_id = shard_id;
    s->seq = seq;
    s->session_id = strdup(session_id);
    s->resume_url = strdup(resume_url);
    if (!s->session_id || !s->resume_url) {
        free(s->session_id);
        free(s->resume_url);
        return DBOT_ENOMEM;
    }
    st->n++;
    return 0;
}

void
dbot__state_clear(struct dbot__state *st)
{
    for (int i = 0; i < st->n; i++) {
        free(st->shards[i].session_id);
        free(st->shards[i].resume_url);
    }
    free(st->shards);
    memset(st, 0, sizeof *st);
}

char *
dbot__state_format(const struct dbot__state *st)
{
    cJSON *root = cJSON_CreateObject(), *arr;
    char *text = NULL;

    if (!root)
        return NULL;
    if (!cJSON_AddNumberToObject(root, "version", DBOT__STATE_VERSION) ||
        !cJSON_AddNumberToObject(root, "saved_at", (double)st->saved_at) ||
        !cJSON_AddNumberToObject(root, "shard_count", st->shard_count) ||
        !(arr = cJSON_AddArrayToObject(root, "shards")))
        goto out;
    for (int i = 0; i < st->n; i++) {
        const struct dbot__saved_shard *s = &st->shards[i];
        cJSON *o = cJSON_CreateObject();

        if (!o)
            goto out;
        cJSON_AddItemToArray(arr, o);
        /* seq fits a double exactly: Discord's are far below 2^53. */
        if (!cJSON_AddNumberToObject(o, "shard", s->shard_id) ||
            !cJSON_AddStringToObject(o, "session_id", s->session_id) ||
            !cJSON_AddNumberToObject(o, "seq", (double)s->seq) ||
            !cJSON_AddStringToObject(o, "resume_url", s->resume_url))
            goto out;
    }
    text = cJSON_PrintUnformatted(root);
out:
    cJSON_Delete(root);
    return text;
}

static int DBOT_PRINTF(3, 4) bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return DBOT_EINVAL;
}

static int
get_integer(const cJSON *o, const char *key, double lo, double hi, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

static int
parse_shard(const cJSON *o, int shard_count, struct dbot__state *st,
            const unsigned char *seen, int i, char *err, size_t errlen)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "session_id");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(o, "resume_url");
    int64_t shard, seq;

    if (!cJSON_IsObject(o))
        return bad(err, errlen, "shards[%d]: not an object", i);
    if (get_integer(o, "shard", 0, shard_count - 1, &shard) < 0)
        return bad(err, errlen, "shards[%d]: shard not in 0..%d", i,
                   shard_count - 1);
    if (seen[shard])
        return bad(err, errlen, "shards[%d]: shard %d listed twice", i,
                   (int)shard);
    if (get_integer(o, "seq", 0, 9007199254740992.0, &seq) < 0)
        return bad(err, errlen, "shards[%d]: bad seq", i);
    if (!cJSON_IsString(id) || !id->valuestring[0] ||
        strlen(id->valuestring) > SESSION_ID_MAX)
        return bad(err, errlen, "shards[%d]: bad session_id", i);
    /* The token goes to this URL: only websocket URLs are believable. */
    if (!cJSON_IsString(url) || strlen(url->valuestring) > URL_MAX ||
        (strncmp(url->valuestring, "wss://", 6) != 0 &&
         strncmp(url->valuestring, "ws://", 5) != 0))
        return bad(err, errlen, "shards[%d]: bad resume_url", i);
    return dbot__state_add(st, (int)shard, id->valuestring, url->valuestring,
                           seq);
}

int
dbot__state_parse(const char *text, size_t len, int shard_count, int64_t now_s,
                  int window_s, struct dbot__state *st, char *err,
                  size_t errlen)
{
    const char *end = NULL;
    cJSON *root;
    const cJSON *arr, *o;
    int64_t version = 0, saved_at = 0, count = 0;
    unsigned char *seen = NULL;
    int rc = 0, i = 0;

    memset(st, 0, sizeof *st);
    if (err && errlen)
        err[0] = '\0';
    if (shard_count < 0)
        return bad(err, errlen, "no shards");
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return bad(err, errlen, "not a JSON object");
    }
    arr = cJSON_GetObjectItemCaseSensitive(root, "shards");
    if (get_integer(root, "version", 0, 1e9, &version) < 0 ||
        version != DBOT__STATE_VERSION) {
        rc = bad(err, errlen, "unknown version");
    } else if (get_integer(root, "saved_at", 0, 9007199254740992.0, &saved_at) <
               0) {
        rc = bad(err, errlen, "bad saved_at");
    } else if (get_integer(root, "shard_count", 1, 65535, &count) < 0 ||
               (shard_count > 0 && count != shard_count)) {
        rc = bad(err, errlen, "saved for another shard count");
    } else if (!cJSON_IsArray(arr)) {
        rc = bad(err, errlen, "no shards array");
    } else if (saved_at > now_s + CLOCK_SKEW_S) {
        rc = bad(err, errlen, "saved in the future (clock changed?)");
    } else if (now_s - saved_at > window_s) {
        if (err && errlen)
            snprintf(err, errlen, "saved %lld s ago, over the %d s window",
                     (long long)(now_s - saved_at), window_s);
        rc = DBOT_ETIMEDOUT;
    }
    if (rc == 0) {
        shard_count = (int)count;
        seen = calloc((size_t)shard_count, 1);
        if (!seen)
            rc = DBOT_ENOMEM;
    }
    if (rc == 0) {
        st->saved_at = saved_at;
        st->shard_count = shard_count;
        cJSON_ArrayForEach(o, arr) {
            rc = parse_shard(o, shard_count, st, seen, i++, err, errlen);
            if (rc < 0)
                break;
            seen[st->shards[st->n - 1].shard_id] = 1;
        }
    }
    free(seen);
    cJSON_Delete(root);
    if (rc < 0)
        dbot__state_clear(st);
    return rc;
}

int
dbot__state_path(const char *state_directory, const char *state_file, char *buf,
                 size_t cap)
{
    if (state_directory && *state_directory) {
        /* StateDirectory=a b gives "dir_a:dir_b"; ours is the first. */
        size_t n = strcspn(state_directory, ":");

        if ((size_t)snprintf(buf, cap, "%.*s/%s", (int)n, state_directory,
                             DBOT__STATE_FILE_NAME) < cap)
            return 1;
    }
    if (state_file && *state_file &&
        (size_t)snprintf(buf, cap, "%s", state_file) < cap)
        return 1;
    if (cap)
        buf[0] = '\0';
    return 0;
}

int
dbot__state_write(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[4200];
    size_t len = strlen(text), off = 0;
    int fd;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        snprintf(err, errlen, "path too long");
        return DBOT_EIO;
    }
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return DBOT_EIO;
    }
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0) {
        snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
        goto fail;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
        unlink(tmp);
        return DBOT_EIO;
    }
    return 0;
fail:
    close(fd);
    unlink(tmp);
    return DBOT_EIO;
}

int
dbot__state_trusted(const struct stat *st, uid_t euid, char *err, size_t errlen)
{
    if (st->st_uid != euid)
        return bad(err, errlen,
                   "owned by uid %u, not by this process (uid %u); remove "
                   "it, or chown it to uid %u",
                   (unsigned)st->st_uid, (unsigned)euid, (unsigned)euid);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return bad(err, errlen,
                   "writable by other users (mode %04o); chmod 600 it",
                   (unsigned)(st->st_mode & 07777));
    return 0;
}

char *
dbot__state_read(const char *path, int *rc, char *err, size_t errlen)
{
    struct stat st;
    size_t len;
    char *text = dbot__file_read(path, STATE_MAX_FILE, DBOT__FILE_NOFOLLOW,
                                 &len, &st, rc, err, errlen);

    if (!text)
        return NULL;
    /* The file says where the token goes (resume_url): anyone who could
     * have written it could send the bot, token and all, to their host. */
    if (dbot__state_trusted(&st, geteuid(), err, errlen) < 0) {
        free(text);
        *rc = DBOT_EINVAL;
        return NULL;
    }
    return text;
}

int
dbot__state_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return DBOT_EIO;
    return 0;
}
