#include "../check.h"
#include "url.h"

#include <dbot/dbot.h>

TEST(parses_schemes_ports_and_paths)
{
    struct dbot__url u;

    ASSERT_EQ(dbot__url_parse("wss://gateway.discord.gg", &u), 0);
    ASSERT_EQ(u.tls, 1);
    ASSERT_EQ(u.port, 443);
    ASSERT_STREQ(u.host, "gateway.discord.gg");
    ASSERT_STREQ(u.path, "/");

    ASSERT_EQ(dbot__url_parse("ws://127.0.0.1:8080/resume", &u), 0);
    ASSERT_EQ(u.tls, 0);
    ASSERT_EQ(u.port, 8080);
    ASSERT_STREQ(u.host, "127.0.0.1");
    ASSERT_STREQ(u.path, "/resume");

    ASSERT_EQ(dbot__url_parse("ws://[::1]:9/?x=1#frag", &u), 0);
    ASSERT_STREQ(u.host, "::1");
    ASSERT_EQ(u.port, 9);
    ASSERT_STREQ(u.path, "/?x=1");
}

TEST(rejects_bad_urls)
{
    struct dbot__url u;
    char longhost[600];

    ASSERT_EQ(dbot__url_parse("ftp://x", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://h:0", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://h:70000", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://h:12x", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://[::1", &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse(NULL, &u), DBOT_EINVAL);
    memset(longhost, 'a', sizeof longhost);
    memcpy(longhost, "wss://", 6);
    longhost[sizeof longhost - 1] = '\0';
    ASSERT_EQ(dbot__url_parse(longhost, &u), DBOT_EINVAL);
}

TEST(gateway_query_replaces_any_query)
{
    struct dbot__url u;

    ASSERT_EQ(dbot__url_parse("wss://g.example/?v=6&encoding=etf", &u), 0);
    ASSERT_EQ(dbot__url_gateway_query(&u, 1), 0);
    ASSERT_STREQ(u.path, "/?v=10&encoding=json&compress=zlib-stream");
    ASSERT_EQ(dbot__url_parse("ws://127.0.0.1:1/resume", &u), 0);
    ASSERT_EQ(dbot__url_gateway_query(&u, 0), 0);
    ASSERT_STREQ(u.path, "/resume?v=10&encoding=json");
    ASSERT_EQ(dbot__url_gateway_query(&u, 2), 0);
    ASSERT_STREQ(u.path, "/resume?v=10&encoding=json&compress=zstd-stream");
    ASSERT_EQ(dbot__url_gateway_query(&u, 3), DBOT_EINVAL);
}

/* Where a resume may go: the gateway's own scheme and registrable domain;
 * for an address, the same host. */
TEST(resume_url_must_be_the_gateways_site)
{
    static const char *const ok[][2] = {
        { "wss://gateway-us-east1-b.discord.gg", "wss://gateway.discord.gg" },
        { "wss://Gateway.Discord.GG/", "wss://gateway.discord.gg" },
        { "wss://discord.gg", "wss://gateway.discord.gg" },
        { "ws://127.0.0.1:4000/resume", "ws://127.0.0.1:4000" },
        { "wss://[::1]:9/resume", "wss://[::1]:9" },
        { "wss://b.example.co.uk", "wss://a.example.co.uk" },
        { "wss://gateway.discord.gg:8443", "wss://gateway.discord.gg" },
        { "ws://127.0.0.1:1/resume", "ws://127.0.0.1:4000" },
    };
    static const char *const refused[][2] = {
        { "ws://gateway-us-east1-b.discord.gg", "wss://gateway.discord.gg" },
        { "wss://discord.gg.evil.example", "wss://gateway.discord.gg" },
        { "wss://evildiscord.gg", "wss://gateway.discord.gg" },
        { "wss://x.discord.gg@evil.example", "wss://gateway.discord.gg" },
        { "wss://evil%2ediscord.gg", "wss://gateway.discord.gg" },
        { "https://gateway.discord.gg", "wss://gateway.discord.gg" },
        { "ws://127.0.0.2:4000/resume", "ws://127.0.0.1:4000" },
        { "ws://localhost:4000", "ws://127.0.0.1:4000" },
        { "wss://other.co.uk", "wss://a.example.co.uk" },
        { "not a url", "wss://gateway.discord.gg" },
    };

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!dbot__url_same_site(ok[i][0], ok[i][1]))
            CHECK_FAIL_("%s refused for %s", ok[i][0], ok[i][1]);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (dbot__url_same_site(refused[i][0], refused[i][1]))
            CHECK_FAIL_("%s allowed for %s", refused[i][0], refused[i][1]);
}

/* Anything that would change the request line is refused, wherever it
 * sits: a resume URL from a file or a READY is text from outside. */
TEST(control_characters_and_blanks_are_refused)
{
    static const char *bad[] = {
        "ws://127.0.0.1:1/x\r\nX-Injected: yes",
        "wss://gateway.discord.gg/\n",
        "wss://gateway.discord.gg/a b",
        "wss://gateway.discord.gg\t/",
        "wss://gateway.discord.gg/\x7f",
        "wss://gateway.discord.gg/\xc3\xa9",
    };
    struct dbot__url u;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_EQ(dbot__url_parse(bad[i], &u), DBOT_EINVAL);
    ASSERT_EQ(dbot__url_parse("wss://gateway.discord.gg/?v=10", &u), 0);
    ASSERT_EQ(dbot__url_same_site("ws://127.0.0.1:1/x\r\nHost: evil",
                                  "ws://127.0.0.1:1"),
              0);
}

int
main(void)
{
    RUN(control_characters_and_blanks_are_refused);
    RUN(parses_schemes_ports_and_paths);
    RUN(rejects_bad_urls);
    RUN(gateway_query_replaces_any_query);
    RUN(resume_url_must_be_the_gateways_site);
    return 0;
}
