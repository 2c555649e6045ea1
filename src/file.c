/*
 * file.c: reading the files dbot is given without ever blocking on them
 * (see file.h for why).
 */
#include "file.h"

#include <dbot/dbot.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

/* Open and check; returns the descriptor or -1 with *rc and err set. */
static int
open_checked(const char *path, size_t max, int flags, struct stat *st, int *rc,
             char *err, size_t errlen)
{
    int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
    int fd;

    if (flags & DBOT__FILE_NOFOLLOW)
        oflags |= O_NOFOLLOW;
    fd = open(path, oflags);
    if (fd < 0) {
        *rc = errno == ENOENT ? DBOT_ENOENT : DBOT_EIO;
        snprintf(err, errlen, "%s",
                 errno == ELOOP && (flags & DBOT__FILE_NOFOLLOW)
                     ? "a symbolic link (not followed)"
                     : strerror(errno));
        return -1;
    }
    *rc = DBOT_EIO;
    if (fstat(fd, st) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
    } else if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "not a regular file (%s)", kind_of(st->st_mode));
    } else if ((uintmax_t)st->st_size > max) {
        snprintf(err, errlen, "larger than %zu bytes", max);
    } else {
        *rc = 0;
        return fd;
    }
    close(fd);
    return -1;
}

char *
dbot__file_read(const char *path, size_t max, int flags, size_t *len,
                struct stat *st, int *rc, char *err, size_t errlen)
{
    struct stat sb;
    char *buf;
    size_t n = 0;
    int fd = open_checked(path, max, flags, st ? st : &sb, rc, err, errlen);

    if (fd < 0)
        return NULL;
    buf = malloc(max + 1);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        *rc = DBOT_EIO;
        close(fd);
        return NULL;
    }
    /* Read to the bound, not to st_size: the file may grow meanwhile. */
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || n + (size_t)(r > 0 ? r : 0) > max) {
            snprintf(err, errlen, "%s",
                     r < 0 ? strerror(errno) : "grew past the size limit");
            explicit_bzero(buf, n);
            free(buf);
            close(fd);
            *rc = DBOT_EIO;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    *rc = 0;
    return buf;
}

int
dbot__file_check(const char *path, size_t max, int flags, char *err,
                 size_t errlen)
{
    struct stat st;
    int rc;
    int fd = open_checked(path, max, flags, &st, &rc, err, errlen);

    if (fd >= 0)
        close(fd);
    return rc;
}
