/*
 * file.h: the one way dbot reads a file it is given (config, token_file,
 * systemd credential, session file, ca_file check).
 *
 * Each of these paths comes from a user or from the environment and is read
 * before (or at the start of) the event loop, so a FIFO, a device or a huge
 * file there must fail at once rather than block or exhaust memory: the
 * file is opened with O_NONBLOCK (opening a FIFO without a writer then
 * returns at once instead of waiting for one), checked with fstat on the
 * open descriptor (no race with a rename), and read only if it is a regular
 * file no larger than the bound. Any thread; no logging.
 */
#ifndef DBOT_SRC_FILE_H
#define DBOT_SRC_FILE_H

#include <stddef.h>
#include <sys/stat.h>

enum {
    DBOT__FILE_NOFOLLOW = 1, /* refuse a symbolic link as the last part */
};

/* Read the whole regular file `path` of at most `max` bytes. Returns the
 * contents, NUL-terminated (caller frees; they may hold a secret: wipe
 * them), with their length in *len (which tells an embedded NUL byte from
 * the end) and the file's status in *st when st is not NULL. On failure
 * returns NULL, *rc = DBOT_ENOENT (no such file) or DBOT_EIO, and `err`
 * says why ("not a regular file (a FIFO)", "larger than N bytes", an
 * errno text). */
char *dbot__file_read(const char *path, size_t max, int flags, size_t *len,
                      struct stat *st, int *rc, char *err, size_t errlen);

/* The same checks without reading: 0, or DBOT_ENOENT / DBOT_EIO with err
 * filled. For files another library reads later (ca_file). */
int dbot__file_check(const char *path, size_t max, int flags, char *err,
                     size_t errlen);

#endif
