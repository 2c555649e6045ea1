/*
 * config_load.c: dbot__config_load(), the one part of the config module that
 * touches the file system and the real environment. Parsing itself stays in
 * config.c, pure, so tests and the fuzzer can drive it with fakes.
 *
 * Files are read whole with a size bound (1 MiB for the config, 64 KiB for
 * a token file); buffers that held a token are wiped before they are freed.
 */
#include "config.h"

#include "log.h"

#include <dbot/dbot.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_FILE (1024 * 1024)
#define TOKEN_MAX_FILE  (64 * 1024)

/* ---- the real file system and environment ----------------------------- */

/* Read a whole small file. Returns malloc'd NUL-terminated text or NULL with
 * a reason in err. */
static char *
read_small_file(const char *path, size_t max, char *err, size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        goto fail;
    }
    if ((uintmax_t)st.st_size > max) {
        snprintf(err, errlen, "larger than %zu bytes", max);
        goto fail;
    }
    buf = malloc(max + 1);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, max - n + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            snprintf(err, errlen, "larger than %zu bytes", max);
            goto fail;
        }
    }
    close(fd);
    buf[n] = '\0';
    return buf;
fail:
    if (buf) {
        explicit_bzero(buf, n);
        free(buf);
    }
    close(fd);
    return NULL;
}

static char *
read_token_file(const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (stat(path, &st) == 0 && (st.st_mode & 077))
        LOG_W("config",
              "token_file \"%s\" is readable by other users; "
              "chmod 600 it",
              path);
    return read_small_file(path, TOKEN_MAX_FILE, err, errlen);
}

static const char *
real_env(const char *name)
{
    return getenv(name);
}

int
dbot__config_load(struct dbot_config *cfg, const char *path)
{
    char err[512];
    char *text = NULL;
    const char *src;
    int rc;

    if (!path || !*path) {
        const char *e = getenv("DBOT_CONFIG");
        if (e && *e)
            path = e;
        else if (access("config.json", F_OK) == 0)
            path = "config.json";
    }
    src = path ? path : "environment";
    if (path) {
        text = read_small_file(path, CONFIG_MAX_FILE, err, sizeof err);
        if (!text) {
            LOG_E("config", "cannot read %s: %s", path, err);
            dbot__config_defaults(cfg);
            return DBOT_ECONFIG;
        }
    }
    rc = dbot__config_parse(cfg, text, text ? strlen(text) : 0, real_env,
                            read_token_file, err, sizeof err);
    if (text) {
        explicit_bzero(text, strlen(text));
        free(text);
    }
    if (rc < 0) {
        LOG_E("config", "%s: %s", src, err);
        return rc;
    }
    if (cfg->ca_file && access(cfg->ca_file, R_OK) != 0) {
        LOG_E("config", "%s: ca_file: cannot read \"%s\": %s", src,
              cfg->ca_file, strerror(errno));
        dbot__config_free(cfg);
        return DBOT_ECONFIG;
    }
    return 0;
}
