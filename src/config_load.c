/*
 * config_load.c: dbot__config_load(), the one part of the config module that
 * touches the file system and the real environment. Parsing itself stays in
 * config.c, pure, so tests and the fuzzer can drive it with fakes.
 *
 * Files are read through file.h, which never blocks on a FIFO and bounds
 * the size (1 MiB for the config, 64 KiB for a token file, 16 MiB for a CA
 * bundle); buffers that held a token are wiped before they are freed.
 */
#include "config.h"

#include "config_text.h"
#include "file.h"
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
#define CA_MAX_FILE     (16 * 1024 * 1024)

/* ---- the real file system and environment ----------------------------- */

/* token_file and the systemd credential (dbot__read_file_fn). */
static char *
read_token_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    size_t len;
    int rc;
    char *text =
        dbot__file_read(path, TOKEN_MAX_FILE, 0, &len, &st, &rc, err, errlen);

    if (!text)
        return NULL;
    /* The token would end at the NUL without a word: say so instead. */
    if (strlen(text) != len) {
        snprintf(err, errlen, "contains a NUL byte (byte %zu)",
                 strlen(text) + 1);
        explicit_bzero(text, len);
        free(text);
        return NULL;
    }
    if (st.st_mode & 077)
        LOG_W("config",
              "token_file \"%s\" is readable by other users; "
              "chmod 600 it",
              path);
    return text;
}

static const char *
real_env(const char *name)
{
    return getenv(name);
}

int
dbot__config_load(struct dbot_config *cfg, const char *path)
{
    char err[512], q[64];
    char *text = NULL;
    size_t len = 0;
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
        text = dbot__file_read(path, CONFIG_MAX_FILE, 0, &len, NULL, &rc, err,
                               sizeof err);
        if (!text) {
            LOG_E("config", "cannot read %s: %s", path, err);
            dbot__config_defaults(cfg);
            return DBOT_ECONFIG;
        }
    }
    /* The whole length: the parser refuses a NUL byte rather than read
     * the file only up to it. */
    rc = dbot__config_parse(cfg, text, len, real_env, read_token_file, err,
                            sizeof err);
    if (text) {
        explicit_bzero(text, len);
        free(text);
    }
    if (rc < 0) {
        LOG_E("config", "%s: %s", src, err);
        return rc;
    }
    if (cfg->ca_file &&
        dbot__file_check(cfg->ca_file, CA_MAX_FILE, 0, err, sizeof err) < 0) {
        const char *secrets[1] = { cfg->token };

        dbot__cfgtext_quote(q, sizeof q, cfg->ca_file, secrets, 1);
        LOG_E("config", "%s: ca_file: cannot read %s: %s", src, q, err);
        dbot__config_free(cfg);
        return DBOT_ECONFIG;
    }
    return 0;
}
