/*
 * test_fetch_guard.c: the address check of bots/offload.c's /fetch, on
 * literal addresses (no network). The example's own source is compiled in,
 * so this checks the very function the bot calls before every connect.
 */
#include "../check.h"

#include <arpa/inet.h>

/* The example's main() is not this test's. */
int offload_main(int argc, char **argv);
#define main offload_main
#include "../../bots/offload.c"
#undef main

/* fetch_addr_refusal() for a literal v4 or v6 address. */
static const char *
refusal(const char *text, int allow_loopback)
{
    struct sockaddr_in in;
    struct sockaddr_in6 in6;

    memset(&in, 0, sizeof in);
    memset(&in6, 0, sizeof in6);
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
        in.sin_family = AF_INET;
        return fetch_addr_refusal((struct sockaddr *)&in, allow_loopback);
    }
    ASSERT_EQ(inet_pton(AF_INET6, text, &in6.sin6_addr), 1);
    in6.sin6_family = AF_INET6;
    return fetch_addr_refusal((struct sockaddr *)&in6, allow_loopback);
}

#define REFUSED(addr, why) ASSERT_STREQ(refusal(addr, 0), why)
#define ALLOWED(addr)      ASSERT_TRUE(refusal(addr, 0) == NULL)

TEST(public_addresses_are_allowed)
{
    ALLOWED("93.184.216.34");
    ALLOWED("1.1.1.1");
    ALLOWED("9.255.255.255");   /* just below 10/8 */
    ALLOWED("11.0.0.0");        /* just above */
    ALLOWED("172.15.255.255");  /* just below 172.16/12 */
    ALLOWED("172.32.0.0");      /* just above */
    ALLOWED("100.63.255.255");  /* just below 100.64/10 */
    ALLOWED("100.128.0.0");     /* just above */
    ALLOWED("192.167.255.255"); /* just below 192.168/16 */
    ALLOWED("223.255.255.255"); /* just below multicast */
    ALLOWED("2606:4700:4700::1111");
    ALLOWED("::2");
    ALLOWED("::ffff:1.1.1.1");
    ALLOWED("fbff::1"); /* just below fc00::/7 */
    ALLOWED("fec0::1"); /* just above fe80::/10 */
}

TEST(loopback_private_link_local_and_the_rest_are_refused)
{
    REFUSED("127.0.0.1", "loopback");
    REFUSED("127.255.255.254", "loopback");
    REFUSED("::1", "loopback");
    REFUSED("10.0.0.1", "private");
    REFUSED("172.16.0.1", "private");
    REFUSED("172.31.255.255", "private");
    REFUSED("192.168.1.1", "private");
    REFUSED("fc00::1", "private");
    REFUSED("fdff:ffff::1", "private");
    REFUSED("169.254.169.254", "link-local");
    REFUSED("fe80::1", "link-local");
    REFUSED("febf:ffff::1", "link-local");
    REFUSED("100.64.0.1", "carrier-grade NAT");
    REFUSED("100.127.255.255", "carrier-grade NAT");
    REFUSED("0.0.0.0", "unspecified");
    REFUSED("0.1.2.3", "unspecified");
    REFUSED("::", "unspecified");
    REFUSED("224.0.0.1", "multicast");
    REFUSED("239.255.255.250", "multicast");
    REFUSED("ff02::1", "multicast");
    REFUSED("255.255.255.255", "reserved");
    REFUSED("240.0.0.1", "reserved");
}

TEST(ipv4_mapped_ipv6_is_judged_as_its_ipv4)
{
    REFUSED("::ffff:127.0.0.1", "loopback");
    REFUSED("::ffff:10.1.2.3", "private");
    REFUSED("::ffff:169.254.169.254", "link-local");
    REFUSED("::ffff:100.64.0.1", "carrier-grade NAT");
    REFUSED("::ffff:0.0.0.0", "unspecified");
}

TEST(allow_loopback_lets_only_loopback_through)
{
    ASSERT_TRUE(refusal("127.0.0.1", 1) == NULL);
    ASSERT_TRUE(refusal("::1", 1) == NULL);
    ASSERT_TRUE(refusal("::ffff:127.0.0.1", 1) == NULL);
    ASSERT_STREQ(refusal("10.0.0.1", 1), "private");
    ASSERT_STREQ(refusal("169.254.169.254", 1), "link-local");
    ASSERT_STREQ(refusal("0.0.0.0", 1), "unspecified");
    ASSERT_STREQ(refusal("fe80::1", 1), "link-local");
}

TEST(other_families_are_refused)
{
    struct sockaddr sa = { .sa_family = AF_UNIX };

    ASSERT_STREQ(fetch_addr_refusal(&sa, 1), "not an IP address");
}

int
main(void)
{
    RUN(public_addresses_are_allowed);
    RUN(loopback_private_link_local_and_the_rest_are_refused);
    RUN(ipv4_mapped_ipv6_is_judged_as_its_ipv4);
    RUN(allow_loopback_lets_only_loopback_through);
    RUN(other_families_are_refused);
    return 0;
}
