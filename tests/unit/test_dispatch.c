#include "../check.h"
#include "dispatch.h"
#include "health.h"
#include "log.h"

#include <time.h>

static int calls[3];
static char order[16];
static size_t norder;
static char logs[4096];

static void
sink(const char *line, size_t len, void *d)
{
    (void)d;
    strncat(logs, line, sizeof logs - strlen(logs) - 1);
    (void)len;
}

static void
on_a(dbot *bot, const dbot_event *ev, void *data)
{
    (void)bot;
    (void)ev;
    calls[0]++;
    order[norder++] = *(const char *)data;
}

static void
on_any(dbot *bot, const dbot_event *ev, void *data)
{
    (void)bot;
    (void)ev;
    (void)data;
    calls[1]++;
    order[norder++] = '*';
}

static void
slow_handler(dbot *bot, const dbot_event *ev, void *data)
{
    struct timespec ts = { 0, 120 * 1000000 };

    (void)bot;
    (void)ev;
    (void)data;
    calls[2]++;
    nanosleep(&ts, NULL); /* stands for a handler that blocks */
}

TEST(routes_by_name_in_registration_order)
{
    struct dbot__dispatch *d;
    dbot_event ev = { "MESSAGE_CREATE", NULL, 0, 7 };

    ASSERT_EQ(dbot__dispatch_new(&d), 0);
    ASSERT_EQ(dbot__dispatch_add(d, "MESSAGE_CREATE", on_a, "on_a", "a"), 0);
    ASSERT_EQ(dbot__dispatch_add(d, "*", on_any, "on_any", NULL), 0);
    ASSERT_EQ(dbot__dispatch_add(d, "MESSAGE_CREATE", on_a, "on_a", "b"), 0);
    ASSERT_EQ(dbot__dispatch_add(d, "", on_a, "on_a", "c"), DBOT_EINVAL);
    ASSERT_EQ(dbot__dispatch_event(d, NULL, &ev, NULL), 3);
    ASSERT_EQ(norder, 3);
    ASSERT_TRUE(memcmp(order, "a*b", 3) == 0);
    ev.name = "GUILD_CREATE";
    ASSERT_EQ(dbot__dispatch_event(d, NULL, &ev, NULL), 1);
    ASSERT_EQ(dbot__dispatch_count(d, "MESSAGE_CREATE"), 3);
    ASSERT_EQ(dbot__dispatch_count(d, "TYPING_START"), 1);
    dbot__dispatch_free(d);
}

static char reused[32], reused_ev[32];

TEST(slow_handler_is_logged_with_name_and_event)
{
    struct dbot__dispatch *d;
    dbot_event ev = { "GUILD_CREATE", NULL, 2, 99 };
    struct dbot__health_opts ho = { .slow_ms = 100, .stall_ms = -1 };
    struct dbot__health *h = dbot__health_new(&ho);

    logs[0] = '\0';
    dbot_log_set_sink(sink, NULL);
    ASSERT_EQ(dbot__dispatch_new(&d), 0);
    /* The names are copied: a caller's buffer may be reused. */
    snprintf(reused, sizeof reused, "slow_handler");
    snprintf(reused_ev, sizeof reused_ev, "GUILD_CREATE");
    ASSERT_EQ(dbot__dispatch_add(d, reused_ev, slow_handler, reused, NULL), 0);
    snprintf(reused, sizeof reused, "overwritten");
    snprintf(reused_ev, sizeof reused_ev, "OVERWRITTEN");
    ASSERT_EQ(dbot__dispatch_event(d, NULL, &ev, h), 1);
    ASSERT_CONTAINS(logs, "slow handler slow_handler (GUILD_CREATE) took");
    dbot_log_set_sink(NULL, NULL);
    dbot__health_free(h);
    dbot__dispatch_free(d);
}

int
main(void)
{
    RUN(routes_by_name_in_registration_order);
    RUN(slow_handler_is_logged_with_name_and_event);
    return 0;
}
