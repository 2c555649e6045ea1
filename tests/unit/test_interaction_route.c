/* Reading an INTERACTION_CREATE for arrival and routing
 * (dbot__ix_view_read), and routing on what it read. */
#include "check.h"

#include "interaction.h"

#include <dbot/interaction_data.h>

#include <string.h>

static int
handler(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0;
}

/* Read json into *v; returns what dbot__ix_view_read returned. The JSON
 * is kept in *out for the borrowed pointers. */
static int
read_view(const char *json, cJSON **out, struct dbot__ix_view *v)
{
    *out = cJSON_Parse(json);
    ASSERT_TRUE(*out != NULL);
    return dbot__ix_view_read(*out, v);
}

TEST(commands_route_by_path)
{
    struct dbot__ix_view v;
    struct dbot__routes *r;
    struct dbot__route_match m;
    cJSON *j;

    ASSERT_EQ(read_view("{\"id\":\"5\",\"token\":\"t\",\"type\":2,\"data\":{"
                        "\"name\":\"config\",\"options\":[{\"name\":\"set\","
                        "\"type\":1,\"options\":[]}]}}",
                        &j, &v),
              0);
    ASSERT_EQ(v.id, 5);
    ASSERT_TRUE(v.answerable);
    ASSERT_EQ(v.kind, DBOT__ROUTE_COMMAND);
    ASSERT_STREQ(v.path, "config set");
    ASSERT_TRUE(v.key == v.path);
    ASSERT_EQ(dbot__routes_new(&r), 0);
    ASSERT_EQ(dbot__routes_add(r, DBOT__ROUTE_COMMAND, "config", NULL, handler,
                               "h", NULL),
              0);
    ASSERT_EQ(dbot__routes_find(r, v.kind, v.key, v.option, &m), 1);
    ASSERT_STREQ(m.name, "h");
    dbot__routes_free(r);
    cJSON_Delete(j);
}

TEST(components_modals_and_autocomplete)
{
    struct dbot__ix_view v;
    cJSON *j;

    ASSERT_EQ(read_view("{\"id\":\"6\",\"token\":\"t\",\"type\":3,\"data\":{"
                        "\"custom_id\":\"vote:1\",\"component_type\":2}}",
                        &j, &v),
              0);
    ASSERT_EQ(v.kind, DBOT__ROUTE_COMPONENT);
    ASSERT_STREQ(v.key, "vote:1");
    cJSON_Delete(j);
    ASSERT_EQ(read_view("{\"id\":\"7\",\"token\":\"t\",\"type\":5,\"data\":{"
                        "\"custom_id\":\"form\",\"components\":[]}}",
                        &j, &v),
              0);
    ASSERT_EQ(v.kind, DBOT__ROUTE_MODAL);
    ASSERT_STREQ(v.key, "form");
    cJSON_Delete(j);
    ASSERT_EQ(read_view("{\"id\":\"8\",\"token\":\"t\",\"type\":4,\"data\":{"
                        "\"name\":\"paint\",\"options\":[{\"name\":\"color\","
                        "\"type\":3,\"value\":\"r\",\"focused\":true}]}}",
                        &j, &v),
              0);
    ASSERT_EQ(v.kind, DBOT__ROUTE_AUTOCOMPLETE);
    ASSERT_STREQ(v.key, "paint");
    ASSERT_STREQ(v.option, "color");
    cJSON_Delete(j);
}

/* PING and types this version does not know are read but not answerable;
 * without an id or a token nothing could answer at all. */
TEST(ping_unknown_and_incomplete)
{
    struct dbot__ix_view v;
    cJSON *j;

    ASSERT_EQ(read_view("{\"id\":\"9\",\"token\":\"t\",\"type\":1}", &j, &v),
              0);
    ASSERT_EQ(v.answerable, 0);
    cJSON_Delete(j);
    ASSERT_EQ(read_view("{\"id\":\"9\",\"token\":\"t\",\"type\":6,\"data\":{}}",
                        &j, &v),
              0);
    ASSERT_EQ(v.answerable, 0);
    cJSON_Delete(j);
    ASSERT_EQ(read_view("{\"id\":\"9\",\"token\":\"\",\"type\":2}", &j, &v),
              DBOT_EINVAL);
    ASSERT_TRUE(v.token == NULL);
    cJSON_Delete(j);
    ASSERT_EQ(read_view("{\"token\":\"t\",\"type\":2}", &j, &v), DBOT_EINVAL);
    cJSON_Delete(j);
}

/* dbot_run's startup check: every declared leaf needs a handler, every
 * command/autocomplete handler must match a declared command. */
TEST(startup_check_names_both_sides)
{
    struct dbot__routes *r;
    char out[1024];
    cJSON *cmds = cJSON_Parse(
        "[{\"name\":\"ping\"},{\"name\":\"config\",\"options\":["
        "{\"type\":1,\"name\":\"set\"},{\"type\":1,\"name\":\"get\"}]},"
        "{\"name\":\"admin\",\"options\":[{\"type\":2,\"name\":\"role\","
        "\"options\":[{\"type\":1,\"name\":\"add\"}]}]},"
        "{\"type\":2,\"name\":\"Inspect\"},{\"name\":\"echo\"}]");

    ASSERT_EQ(dbot__routes_new(&r), 0);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "pnig", NULL, handler, "h", NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "config set", NULL, handler, "h",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "admin", NULL, handler, "h", NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "Inspect", NULL, handler, "h",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "echo", NULL, handler, "h", NULL);
    dbot__routes_add(r, DBOT__ROUTE_AUTOCOMPLETE, "ehco", NULL, handler, "h",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMPONENT, "vote:", NULL, handler, "h",
                     NULL);
    ASSERT_EQ(dbot__routes_check(r, cmds, out, sizeof out), 4);
    ASSERT_CONTAINS(out, "command \"ping\" is registered but has no handler");
    ASSERT_CONTAINS(out, "command \"config get\" is registered but has no "
                         "handler");
    ASSERT_CONTAINS(out, "command handler for \"pnig\" matches no "
                         "registered command");
    ASSERT_CONTAINS(out, "autocomplete handler for \"ehco\" matches no");
    ASSERT_NOT_CONTAINS(out, "admin");
    ASSERT_NOT_CONTAINS(out, "Inspect");
    ASSERT_NOT_CONTAINS(out, "vote");
    /* Nothing declared: nothing to compare. */
    ASSERT_EQ(dbot__routes_check(r, NULL, out, sizeof out), 0);
    dbot__routes_free(r);
    cJSON_Delete(cmds);
}

int
main(void)
{
    RUN(commands_route_by_path);
    RUN(components_modals_and_autocomplete);
    RUN(ping_unknown_and_incomplete);
    RUN(startup_check_names_both_sides);
    return 0;
}
