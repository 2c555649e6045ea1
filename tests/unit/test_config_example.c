/*
 * test_config_example.c: config.example.json parses to the defaults, and it
 * and the docs (README.md, docs/service.md) mention every field the parser
 * knows, each in a table row of at least one of them, so neither can drift
 * from the code. Arguments: the example's path, then the docs' paths (up
 * to 4).
 */
#include "../check.h"
#include "config.h"

#include <dbot/dbot.h>

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        CHECK_FAIL_("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    ASSERT_EQ(fread(buf, 1, (size_t)n, f), n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int
main(int argc, char **argv)
{
    struct dbot_config cfg, def;
    char err[256] = "", key[64];
    char *example, *doc[4];
    int ndoc = argc - 2;

    ASSERT_GE(argc, 3);
    ASSERT_LE(ndoc, 4);
    example = slurp(argv[1]);
    for (int d = 0; d < ndoc; d++)
        doc[d] = slurp(argv[2 + d]);
    ASSERT_EQ(dbot__config_parse(&cfg, example, strlen(example), NULL, NULL,
                                 err, sizeof err),
              0);
    ASSERT_STREQ(err, "");
    /* The example shows the defaults. */
    dbot__config_defaults(&def);
    ASSERT_STREQ(cfg.api_url, DBOT_DEFAULT_API_URL);
    ASSERT_EQ(cfg.intents, def.intents);
    ASSERT_EQ(cfg.queue_size, def.queue_size);
    ASSERT_EQ(cfg.max_message_bytes, def.max_message_bytes);
    ASSERT_EQ(cfg.ack_deadline_ms, def.ack_deadline_ms);
    ASSERT_EQ(cfg.reconnect_max_ms, def.reconnect_max_ms);
    ASSERT_EQ(cfg.large_threshold, def.large_threshold);
    ASSERT_EQ(cfg.tls_verify, 1);
    dbot__config_free(&cfg);

    for (size_t i = 0; dbot__config_field_name(i); i++) {
        snprintf(key, sizeof key, "\"%s\"", dbot__config_field_name(i));
        ASSERT_CONTAINS(example, key);
        snprintf(key, sizeof key, "| `%s` |", dbot__config_field_name(i));
        {
            int found = 0;

            for (int d = 0; d < ndoc; d++)
                found |= strstr(doc[d], key) != NULL;
            if (!found)
                CHECK_FAIL_("%s is documented in none of the docs", key);
        }
    }
    free(example);
    for (int d = 0; d < ndoc; d++)
        free(doc[d]);
    return 0;
}
