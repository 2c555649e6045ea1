/*
 * test_options.c: the interaction getters on realistic payloads, shaped
 * after the examples in Discord's "Receiving and Responding" and
 * "Application Commands" pages.
 */
#include "../check.h"
#include "options.h"

#include <math.h>

/* The option view of interaction JSON. */
#define O(json) dbot_options_of(json)

static cJSON *
parse(const char *text)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);

    if (!j)
        CHECK_FAIL_("test JSON does not parse near: %.40s", end);
    return j;
}

/* /permissions user get user:@mason channel:#general, in a guild. */
static const char *const guild_group =
    "{\"id\":\"1234567890123456789\",\"application_id\":"
    "\"1100000000000000000\",\"type\":2,\"token\":\"aW50ZXJhY3Rpb24.tok\","
    "\"version\":1,\"guild_id\":\"290926798626357999\","
    "\"channel_id\":\"645027906669510667\","
    "\"channel\":{\"id\":\"645027906669510667\",\"type\":0,"
    "\"name\":\"general\"},"
    "\"app_permissions\":\"442368\",\"locale\":\"en-US\","
    "\"guild_locale\":\"de\",\"context\":0,"
    "\"authorizing_integration_owners\":{\"0\":\"290926798626357999\"},"
    "\"entitlements\":[],\"attachment_size_limit\":26214400,"
    "\"member\":{\"user\":{\"id\":\"53908232506183680\","
    "\"username\":\"mason\",\"global_name\":\"Mason\",\"avatar\":null,"
    "\"discriminator\":\"0\",\"public_flags\":131141},\"roles\":"
    "[\"539082325061836999\"],\"premium_since\":null,\"permissions\":"
    "\"18446744073709551615\",\"pending\":false,\"nick\":null,\"mute\":false,"
    "\"joined_at\":\"2017-03-13T19:19:14.040000+00:00\",\"deaf\":false},"
    "\"data\":{\"id\":\"771825006014889984\",\"name\":\"permissions\","
    "\"type\":1,\"guild_id\":\"290926798626357999\",\"options\":["
    "{\"name\":\"user\",\"type\":2,\"options\":[{\"name\":\"get\",\"type\":1,"
    "\"options\":[{\"name\":\"user\",\"type\":6,\"value\":"
    "\"809850198683418695\"},{\"name\":\"channel\",\"type\":7,\"value\":"
    "\"645027906669510667\"}]}]}],"
    "\"resolved\":{\"users\":{\"809850198683418695\":{\"id\":"
    "\"809850198683418695\",\"username\":\"target\",\"avatar\":null,"
    "\"discriminator\":\"0\",\"public_flags\":0}},"
    "\"members\":{\"809850198683418695\":{\"roles\":[],\"nick\":\"tgt\","
    "\"joined_at\":\"2021-02-12T18:40:40.000000+00:00\",\"permissions\":"
    "\"2147483647\"}},"
    "\"channels\":{\"645027906669510667\":{\"id\":\"645027906669510667\","
    "\"name\":\"general\",\"type\":0,\"permissions\":\"2147483647\"}}}}}";

/* /calc in a DM: every scalar type, an attachment and a role picked as a
 * mentionable. */
static const char *const dm_scalars =
    "{\"id\":\"1\",\"application_id\":\"2\",\"type\":2,\"token\":\"t\","
    "\"version\":1,\"channel_id\":\"900000000000000001\",\"channel\":"
    "{\"id\":\"900000000000000001\",\"type\":1},\"app_permissions\":"
    "\"1689934340028480\",\"locale\":\"fr\",\"context\":1,"
    "\"user\":{\"id\":\"80351110224678912\",\"username\":\"nelly\"},"
    "\"data\":{\"id\":\"3\",\"name\":\"calc\",\"type\":1,\"options\":["
    "{\"name\":\"text\",\"type\":3,\"value\":\"héllo\"},"
    "{\"name\":\"big\",\"type\":4,\"value\":9007199254740991},"
    "{\"name\":\"neg\",\"type\":4,\"value\":-42},"
    "{\"name\":\"ratio\",\"type\":10,\"value\":3.5},"
    "{\"name\":\"whole\",\"type\":10,\"value\":2},"
    "{\"name\":\"flag\",\"type\":5,\"value\":false},"
    "{\"name\":\"file\",\"type\":11,\"value\":\"1100000000000000111\"},"
    "{\"name\":\"who\",\"type\":9,\"value\":\"1100000000000000222\"},"
    "{\"name\":\"broken_int\",\"type\":4,\"value\":1.5},"
    "{\"name\":\"huge_int\",\"type\":4,\"value\":9007199254740993},"
    "{\"name\":\"bad_user\",\"type\":6,\"value\":\"12ab\"},"
    "{\"name\":\"null_val\",\"type\":3,\"value\":null}],"
    "\"resolved\":{\"attachments\":{\"1100000000000000111\":{\"id\":"
    "\"1100000000000000111\",\"filename\":\"a.png\",\"size\":1234,"
    "\"url\":\"https://cdn.discordapp.com/a.png\",\"content_type\":"
    "\"image/png\"}},\"roles\":{\"1100000000000000222\":{\"id\":"
    "\"1100000000000000222\",\"name\":\"mods\",\"permissions\":\"8\"}}}}}";

TEST(snowflakes_parse_exactly)
{
    uint64_t id;
    cJSON *n;

    ASSERT_EQ(dbot_snowflake_parse("1234567890123456789", &id), 0);
    ASSERT_TRUE(id == 1234567890123456789ULL); /* not representable as a
                                                  double */
    ASSERT_EQ(dbot_snowflake_parse("18446744073709551615", &id), 0);
    ASSERT_TRUE(id == UINT64_MAX);
    ASSERT_EQ(dbot_snowflake_parse("0", &id), 0);
    ASSERT_EQ(id, 0);
    ASSERT_EQ(dbot_snowflake_parse("18446744073709551616", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse("-1", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse("+1", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse(" 1", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse("1 ", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse("0x10", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse("", &id), DBOT_EINVAL);
    ASSERT_EQ(dbot_snowflake_parse(NULL, &id), DBOT_EINVAL);
    ASSERT_EQ(id, 0);
    n = parse("[123123, 1.5, -1, \"77\", true, 9007199254740992]");
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 0)) == 123123);
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 1)) == 0);
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 2)) == 0);
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 3)) == 77);
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 4)) == 0);
    ASSERT_TRUE(dbot_json_snowflake(cJSON_GetArrayItem(n, 5)) ==
                9007199254740992ULL);
    ASSERT_TRUE(dbot_json_snowflake(NULL) == 0);
    cJSON_Delete(n);
}

TEST(guild_invoker_and_fields)
{
    cJSON *ix = parse(guild_group);
    uint64_t p;

    ASSERT_EQ(dbot_ix_type(ix), DBOT_IX_COMMAND);
    ASSERT_TRUE(dbot_ix_id(ix) == 1234567890123456789ULL);
    ASSERT_TRUE(dbot_ix_application_id(ix) == 1100000000000000000ULL);
    ASSERT_STREQ(dbot_ix_token(ix), "aW50ZXJhY3Rpb24.tok");
    ASSERT_TRUE(dbot_ix_guild_id(ix) == 290926798626357999ULL);
    ASSERT_TRUE(dbot_ix_channel_id(ix) == 645027906669510667ULL);
    ASSERT_STREQ(dbot_ix_locale(ix), "en-US");
    ASSERT_STREQ(dbot_ix_guild_locale(ix), "de");
    ASSERT_EQ(dbot_ix_context(ix), DBOT_IX_CTX_GUILD);
    ASSERT_TRUE(dbot_ix_member(ix) != NULL);
    ASSERT_STREQ(cJSON_GetObjectItem(dbot_ix_user(ix), "username")->valuestring,
                 "mason");
    ASSERT_TRUE(dbot_ix_user_id(ix) == 53908232506183680ULL);
    ASSERT_EQ(dbot_ix_app_permissions(ix, &p), 1);
    ASSERT_TRUE(p == 442368);
    ASSERT_EQ(dbot_ix_member_permissions(ix, &p), 1);
    ASSERT_TRUE(p == UINT64_MAX); /* all 64 bits, exact */
    cJSON_Delete(ix);
}

TEST(dm_invoker_has_no_member)
{
    cJSON *ix = parse(dm_scalars);
    uint64_t p = 99;

    ASSERT_TRUE(dbot_ix_member(ix) == NULL);
    ASSERT_TRUE(dbot_ix_user_id(ix) == 80351110224678912ULL);
    ASSERT_STREQ(cJSON_GetObjectItem(dbot_ix_user(ix), "username")->valuestring,
                 "nelly");
    ASSERT_TRUE(dbot_ix_guild_id(ix) == 0);
    ASSERT_TRUE(dbot_ix_channel_id(ix) == 900000000000000001ULL);
    ASSERT_EQ(dbot_ix_context(ix), DBOT_IX_CTX_BOT_DM);
    ASSERT_EQ(dbot_ix_member_permissions(ix, &p), 0);
    ASSERT_TRUE(p == 0);
    ASSERT_EQ(dbot_ix_app_permissions(ix, &p), 1);
    ASSERT_TRUE(p == 1689934340028480ULL);
    cJSON_Delete(ix);
}

TEST(command_path_and_leaf_options)
{
    cJSON *ix = parse(guild_group), *dm = parse(dm_scalars);
    char buf[64], tiny[12];
    dbot_ref r;

    ASSERT_STREQ(dbot_ix_command_name(ix), "permissions");
    ASSERT_TRUE(dbot_ix_command_id(ix) == 771825006014889984ULL);
    ASSERT_EQ(dbot_ix_command_type(ix), DBOT_CMD_CHAT_INPUT);
    ASSERT_EQ(dbot_ix_command_path(ix, buf, sizeof buf), 20);
    ASSERT_STREQ(buf, "permissions user get");
    ASSERT_EQ(dbot_ix_command_path(ix, tiny, sizeof tiny), DBOT_ETOOBIG);
    ASSERT_STREQ(tiny, "permissions");
    ASSERT_EQ(dbot_ix_command_path(dm, buf, sizeof buf), 4);
    ASSERT_STREQ(buf, "calc");
    ASSERT_EQ(cJSON_GetArraySize(dbot_option_list(O(ix))), 2);

    /* leaf level: "user" is the USER option, not the group */
    ASSERT_EQ(dbot_option_user(O(ix), "user", &r), 1);
    ASSERT_TRUE(r.id == 809850198683418695ULL);
    ASSERT_EQ(r.type, DBOT_OPT_USER);
    ASSERT_STREQ(cJSON_GetObjectItem(r.object, "username")->valuestring,
                 "target");
    ASSERT_STREQ(cJSON_GetObjectItem(r.member, "nick")->valuestring, "tgt");
    /* the member reader: the same, since Discord resolved a member */
    ASSERT_EQ(dbot_option_member(O(ix), "user", &r), 1);
    ASSERT_STREQ(cJSON_GetObjectItem(r.member, "nick")->valuestring, "tgt");
    ASSERT_EQ(dbot_option_member(O(ix), "channel", &r), DBOT_EINVAL);
    ASSERT_EQ(dbot_option_channel(O(ix), "channel", &r), 1);
    ASSERT_TRUE(r.id == 645027906669510667ULL);
    ASSERT_STREQ(cJSON_GetObjectItem(r.object, "name")->valuestring, "general");
    ASSERT_TRUE(r.member == NULL);
    /* wrong reader for the type: the default, and the type says why */
    ASSERT_STREQ(dbot_option_str(O(ix), "user", "dflt"), "dflt");
    ASSERT_EQ(dbot_option_type(O(ix), "user"), DBOT_OPT_USER);
    ASSERT_EQ(dbot_option_role(O(ix), "channel", &r), DBOT_EINVAL);
    ASSERT_TRUE(r.id == 0 && r.object == NULL);
    /* absent */
    ASSERT_EQ(dbot_option_user(O(ix), "get", &r), 0);
    ASSERT_TRUE(dbot_option_str(O(ix), "nope", NULL) == NULL);
    ASSERT_EQ(dbot_option_type(O(ix), "nope"), 0);
    cJSON_Delete(ix);
    cJSON_Delete(dm);
}

TEST(scalar_getters)
{
    cJSON *ix = parse(dm_scalars);
    const dbot_options *o = O(ix);
    dbot_ref r;

    ASSERT_STREQ(dbot_option_str(o, "text", "x"), "héllo");
    ASSERT_TRUE(dbot_option_int(o, "big", 0) == 9007199254740991LL);
    ASSERT_EQ(dbot_option_int(o, "neg", 0), -42);
    ASSERT_TRUE(dbot_option_num(o, "ratio", 0) == 3.5);
    /* INTEGER as number */
    ASSERT_TRUE(dbot_option_num(o, "big", 0) == 9007199254740991.0);
    ASSERT_EQ(dbot_option_int(o, "whole", 7), 7); /* a NUMBER */
    ASSERT_EQ(dbot_option_type(o, "whole"), DBOT_OPT_NUMBER);
    ASSERT_TRUE(!dbot_option_bool(o, "flag", true));
    ASSERT_TRUE(dbot_option_bool(o, "missing", true));
    ASSERT_TRUE(!dbot_option_bool(o, "text", false));
    ASSERT_TRUE(dbot_option_bool(o, "text", true));
    /* not whole, out of the exact range, malformed id, null */
    ASSERT_EQ(dbot_option_int(o, "broken_int", 5), 5);
    ASSERT_EQ(dbot_option_int(o, "huge_int", 5), 5);
    ASSERT_EQ(dbot_option_user(o, "bad_user", &r), DBOT_EINVAL);
    ASSERT_STREQ(dbot_option_str(o, "null_val", "d"), "d");
    /* attachment and a role picked as mentionable */
    ASSERT_EQ(dbot_option_attachment(o, "file", &r), 1);
    ASSERT_EQ(r.type, DBOT_OPT_ATTACHMENT);
    ASSERT_STREQ(cJSON_GetObjectItem(r.object, "filename")->valuestring,
                 "a.png");
    ASSERT_EQ(dbot_option_mentionable(o, "who", &r), 1);
    ASSERT_EQ(r.type, DBOT_OPT_ROLE);
    ASSERT_TRUE(r.id == 1100000000000000222ULL);
    ASSERT_STREQ(cJSON_GetObjectItem(r.object, "name")->valuestring, "mods");
    ASSERT_TRUE(r.member == NULL);
    ASSERT_EQ(dbot_option_user(o, "who", &r), DBOT_EINVAL);
    /* presence only */
    ASSERT_EQ(dbot_option_user(o, "who", NULL), DBOT_EINVAL);
    ASSERT_TRUE(dbot_option_find(o, "text") != NULL);
    cJSON_Delete(ix);
}

TEST(mentionable_user_with_member)
{
    cJSON *ix = parse(
        "{\"type\":2,\"guild_id\":\"5\",\"data\":{\"name\":\"ping\","
        "\"type\":1,\"options\":[{\"name\":\"who\",\"type\":9,\"value\":"
        "\"77\"},{\"name\":\"u\",\"type\":6,\"value\":\"78\"}],"
        "\"resolved\":{\"users\":{\"77\":{\"id\":\"77\",\"username\":\"a\"}},"
        "\"members\":{\"77\":{\"nick\":\"aa\",\"roles\":[]}}}}}");
    dbot_ref r;

    ASSERT_EQ(dbot_option_mentionable(O(ix), "who", &r), 1);
    ASSERT_EQ(r.type, DBOT_OPT_USER);
    ASSERT_STREQ(cJSON_GetObjectItem(r.member, "nick")->valuestring, "aa");
    /* a USER option read as mentionable; not in resolved */
    ASSERT_EQ(dbot_option_mentionable(O(ix), "u", &r), 1);
    ASSERT_EQ(r.type, DBOT_OPT_USER);
    ASSERT_TRUE(r.id == 78 && r.object == NULL && r.member == NULL);
    /* no member resolved: the member reader says absent, zeroed */
    ASSERT_EQ(dbot_option_user(O(ix), "u", &r), 1);
    ASSERT_EQ(dbot_option_member(O(ix), "u", &r), 0);
    ASSERT_TRUE(r.id == 0 && r.object == NULL && r.member == NULL);
    cJSON_Delete(ix);
}

TEST(autocomplete_focused)
{
    cJSON *ix = parse(
        "{\"id\":\"9\",\"type\":4,\"token\":\"t\",\"guild_id\":\"5\","
        "\"member\":{\"user\":{\"id\":\"6\"},\"permissions\":\"0\"},"
        "\"data\":{\"id\":\"10\",\"name\":\"pet\",\"type\":1,\"options\":["
        "{\"type\":1,\"name\":\"adopt\",\"options\":["
        "{\"type\":3,\"name\":\"animal\",\"value\":\"dog\"},"
        "{\"type\":4,\"name\":\"age\",\"value\":\"1\",\"focused\":true}]}]}}");
    const char *name, *value;
    uint64_t p = 1;

    ASSERT_EQ(dbot_ix_type(ix), DBOT_IX_AUTOCOMPLETE);
    ASSERT_TRUE(dbot_option_focused(O(ix), &name, &value) != NULL);
    ASSERT_STREQ(name, "age");
    ASSERT_STREQ(value, "1");
    /* the partial INTEGER arrives as text */
    ASSERT_EQ(dbot_option_int(O(ix), "age", 0), 1);
    ASSERT_EQ(dbot_ix_member_permissions(ix, &p), 1);
    ASSERT_TRUE(p == 0);
    cJSON_Delete(ix);

    ix = parse("{\"type\":4,\"data\":{\"name\":\"pet\",\"options\":["
               "{\"type\":4,\"name\":\"age\",\"value\":\"1x\","
               "\"focused\":true},{\"type\":10,\"name\":\"w\",\"value\":"
               "\"2.5\"}]}}");
    ASSERT_EQ(dbot_option_int(O(ix), "age", 3), 3);
    ASSERT_TRUE(dbot_option_num(O(ix), "w", 0) == 2.5);
    cJSON_Delete(ix);
    ix = parse("{\"type\":4,\"data\":{\"name\":\"pet\",\"options\":[]}}");
    ASSERT_TRUE(dbot_option_focused(O(ix), &name, &value) == NULL);
    ASSERT_TRUE(name == NULL && value == NULL);
    cJSON_Delete(ix);
}

TEST(context_menu_targets)
{
    cJSON *u = parse(
        "{\"type\":2,\"guild_id\":\"1\",\"member\":{\"user\":{\"id\":\"2\"}},"
        "\"data\":{\"id\":\"3\",\"name\":\"Inspect User\",\"type\":2,"
        "\"target_id\":\"809850198683418695\",\"resolved\":{\"users\":{"
        "\"809850198683418695\":{\"id\":\"809850198683418695\",\"username\":"
        "\"t\"}},\"members\":{\"809850198683418695\":{\"nick\":\"n\"}}}}}");
    cJSON *m = parse(
        "{\"type\":2,\"channel_id\":\"4\",\"user\":{\"id\":\"2\"},"
        "\"data\":{\"id\":\"3\",\"name\":\"Quote\",\"type\":3,\"target_id\":"
        "\"1100000000000000333\",\"resolved\":{\"messages\":{"
        "\"1100000000000000333\":{\"id\":\"1100000000000000333\",\"content\":"
        "\"hi\",\"channel_id\":\"4\"}}}}}");
    const cJSON *member, *t;
    char buf[32];

    ASSERT_EQ(dbot_ix_command_type(u), DBOT_CMD_USER);
    ASSERT_TRUE(dbot_ix_target_id(u) == 809850198683418695ULL);
    t = dbot_ix_target(u, &member);
    ASSERT_STREQ(cJSON_GetObjectItem(t, "username")->valuestring, "t");
    ASSERT_STREQ(cJSON_GetObjectItem(member, "nick")->valuestring, "n");
    ASSERT_EQ(dbot_ix_command_path(u, buf, sizeof buf), 12);
    ASSERT_STREQ(buf, "Inspect User");
    t = dbot_ix_target(m, &member);
    ASSERT_STREQ(cJSON_GetObjectItem(t, "content")->valuestring, "hi");
    ASSERT_TRUE(member == NULL);
    cJSON_Delete(u);
    cJSON_Delete(m);
}

TEST(components)
{
    cJSON *sel =
        parse("{\"type\":3,\"id\":\"1\",\"token\":\"t\",\"guild_id\":\"5\","
              "\"member\":{\"user\":{\"id\":\"6\"}},\"message\":{\"id\":\"7\","
              "\"content\":\"Pick\",\"components\":[]},\"data\":{\"custom_id\":"
              "\"class_select_1\",\"component_type\":3,\"id\":2,\"values\":"
              "[\"mage\",\"rogue\"]}}");
    cJSON *btn = parse("{\"type\":3,\"data\":{\"custom_id\":\"vote:yes\","
                       "\"component_type\":2,\"id\":1}}");
    cJSON *usel = parse(
        "{\"type\":3,\"data\":{\"custom_id\":\"pick\",\"component_type\":5,"
        "\"values\":[\"77\"],\"resolved\":{\"users\":{\"77\":{\"id\":\"77\","
        "\"username\":\"x\"}}}}}");

    ASSERT_EQ(dbot_ix_type(sel), DBOT_IX_COMPONENT);
    ASSERT_STREQ(dbot_ix_custom_id(sel), "class_select_1");
    ASSERT_EQ(dbot_ix_component_type(sel), 3);
    ASSERT_EQ(dbot_ix_values_count(sel), 2);
    ASSERT_STREQ(dbot_ix_value(sel, 0), "mage");
    ASSERT_STREQ(dbot_ix_value(sel, 1), "rogue");
    ASSERT_TRUE(dbot_ix_value(sel, 2) == NULL);
    ASSERT_TRUE(dbot_ix_value(sel, -1) == NULL);
    ASSERT_STREQ(
        cJSON_GetObjectItem(dbot_ix_message(sel), "content")->valuestring,
        "Pick");
    ASSERT_TRUE(dbot_ix_command_name(sel) == NULL);
    ASSERT_EQ(dbot_ix_command_type(sel), 0);
    ASSERT_STREQ(dbot_ix_custom_id(btn), "vote:yes");
    ASSERT_EQ(dbot_ix_component_type(btn), 2);
    ASSERT_EQ(dbot_ix_values_count(btn), 0);
    ASSERT_STREQ(dbot_ix_value(usel, 0), "77");
    ASSERT_STREQ(
        cJSON_GetObjectItem(dbot_ix_resolved(usel, "users", 77), "username")
            ->valuestring,
        "x");
    cJSON_Delete(sel);
    cJSON_Delete(btn);
    cJSON_Delete(usel);
}

TEST(modal_submit_label_layout)
{
    cJSON *ix =
        parse("{\"type\":5,\"id\":\"1\",\"token\":\"t\",\"guild_id\":\"5\","
              "\"member\":{\"user\":{\"id\":\"6\"}},\"data\":{\"custom_id\":"
              "\"bug_report\",\"components\":["
              "{\"type\":18,\"id\":1,\"component\":{\"type\":4,\"id\":2,"
              "\"custom_id\":\"title\",\"value\":\"It crashes\"}},"
              "{\"type\":18,\"id\":3,\"component\":{\"type\":4,\"id\":4,"
              "\"custom_id\":\"details\",\"value\":\"\"}},"
              "{\"type\":10,\"id\":5},"
              "{\"type\":18,\"id\":6,\"component\":{\"type\":3,\"id\":7,"
              "\"custom_id\":\"severity\",\"values\":[\"high\"]}}]}}");
    const cJSON *c;

    ASSERT_STREQ(dbot_ix_custom_id(ix), "bug_report");
    ASSERT_STREQ(dbot_ix_modal_value(ix, "title"), "It crashes");
    ASSERT_STREQ(dbot_ix_modal_value(ix, "details"), "");
    ASSERT_TRUE(dbot_ix_modal_value(ix, "severity") == NULL);
    c = dbot_ix_modal_component(ix, "severity");
    ASSERT_STREQ(
        cJSON_GetArrayItem(cJSON_GetObjectItem(c, "values"), 0)->valuestring,
        "high");
    ASSERT_TRUE(dbot_ix_modal_component(ix, "nope") == NULL);
    cJSON_Delete(ix);
}

TEST(modal_submit_legacy_rows)
{
    cJSON *ix =
        parse("{\"type\":5,\"user\":{\"id\":\"6\"},\"data\":{\"custom_id\":"
              "\"cool_modal\",\"components\":[{\"type\":1,\"components\":[{"
              "\"type\":4,\"custom_id\":\"name\",\"value\":\"Mason\"}]},"
              "{\"type\":1,\"components\":[{\"type\":4,\"custom_id\":\"bio\","
              "\"value\":\"C programmer\"}]}]}}");

    ASSERT_STREQ(dbot_ix_modal_value(ix, "name"), "Mason");
    ASSERT_STREQ(dbot_ix_modal_value(ix, "bio"), "C programmer");
    ASSERT_TRUE(dbot_ix_modal_value(ix, "cool_modal") == NULL);
    ASSERT_TRUE(dbot_ix_user_id(ix) == 6);
    cJSON_Delete(ix);
}

TEST(garbage_is_absent_not_a_crash)
{
    static const char *const junk[] = {
        "null",
        "[]",
        "1",
        "\"x\"",
        "{}",
        "{\"data\":[]}",
        "{\"data\":{\"options\":{}}}",
        "{\"data\":{\"name\":5,\"options\":[{\"type\":1}]}}",
        ("{\"data\":{\"name\":\"x\",\"options\":[{\"type\":2,\"options\":"
         "[{\"type\":2,\"options\":[{\"type\":1,\"options\":[{\"name\":"
         "\"a\",\"type\":3,\"value\":\"deep\"}]}]}]}]}}"),
        ("{\"member\":[],\"user\":7,\"app_permissions\":12,\"data\":{"
         "\"values\":{},\"components\":[{\"component\":[],"
         "\"components\":7}],\"resolved\":[]}}"),
        ("{\"data\":{\"options\":[{\"name\":\"a\",\"type\":1e300,"
         "\"value\":\"x\"},{\"name\":\"b\",\"value\":{}}]}}"),
    };
    size_t i;

    for (i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        cJSON *ix = parse(junk[i]);
        uint64_t p = 1;
        dbot_ref r;
        char buf[8];

        (void)dbot_ix_type(ix);
        (void)dbot_ix_command_path(ix, buf, sizeof buf);
        ASSERT_STREQ(dbot_option_str(O(ix), "b", "d"), "d");
        ASSERT_EQ(dbot_option_int(O(ix), "a", 0), 0);
        ASSERT_TRUE(dbot_option_user(O(ix), "a", &r) <= 0);
        ASSERT_TRUE(dbot_ix_app_permissions(ix, &p) <= 0);
        ASSERT_TRUE(p == 0);
        ASSERT_TRUE(dbot_ix_user(ix) == NULL);
        ASSERT_TRUE(dbot_ix_modal_value(ix, "x") == NULL);
        ASSERT_TRUE(dbot_ix_value(ix, 0) == NULL);
        ASSERT_TRUE(dbot_option_focused(O(ix), NULL, NULL) == NULL);
        cJSON_Delete(ix);
    }
    /* nesting deeper than group > subcommand is not followed */
    {
        cJSON *ix = parse(junk[8]);

        ASSERT_TRUE(dbot_option_str(O(ix), "a", NULL) == NULL);
        cJSON_Delete(ix);
    }
    ASSERT_TRUE(dbot_ix_type(NULL) == 0);
    ASSERT_TRUE(dbot_option_find(NULL, "a") == NULL);
    ASSERT_EQ(dbot_option_int(NULL, "a", 9), 9);
}

/* The one family reads the same view whichever holder gave it: here the
 * JSON; dbot_interaction_options and dbot_work_options return the same
 * view of their copies (tests/integration/test_offload.c). */
TEST(option_view_is_the_json)
{
    cJSON *ix = parse(dm_scalars);

    ASSERT_TRUE((const void *)dbot_options_of(ix) == (const void *)ix);
    ASSERT_TRUE(dbot_options_of(NULL) == NULL);
    ASSERT_TRUE(cJSON_IsArray(dbot_option_list(O(ix))));
    ASSERT_TRUE(dbot_option_list(NULL) == NULL);
    cJSON_Delete(ix);
}

/* The deprecated readers (until 0.3, docs/api.md) still work, with their
 * richer return codes; called on purpose, so their warning is off here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST(deprecated_opt_readers_still_work)
{
    cJSON *ix = parse(dm_scalars);
    const char *s, *name;
    int64_t i;
    double d;
    bool b;
    dbot_ref r;

    ASSERT_EQ(dbot_opt_string(ix, "text", "x", &s), 1);
    ASSERT_STREQ(s, "héllo");
    ASSERT_EQ(dbot_opt_integer(ix, "whole", 7, &i), DBOT_EINVAL);
    ASSERT_EQ(i, 7);
    ASSERT_EQ(dbot_opt_number(ix, "ratio", 0, &d), 1);
    ASSERT_TRUE(d == 3.5);
    ASSERT_EQ(dbot_opt_boolean(ix, "missing", true, &b), 0);
    ASSERT_TRUE(b);
    ASSERT_EQ(dbot_opt_attachment(ix, "file", &r), 1);
    ASSERT_EQ(dbot_opt_mentionable(ix, "who", &r), 1);
    ASSERT_EQ(dbot_opt_user(ix, "who", &r), DBOT_EINVAL);
    ASSERT_EQ(dbot_opt_channel(ix, "text", &r), DBOT_EINVAL);
    ASSERT_EQ(dbot_opt_role(ix, "who", &r), DBOT_EINVAL);
    ASSERT_TRUE(dbot_opt_find(ix, "text") == dbot_option_find(O(ix), "text"));
    ASSERT_TRUE(dbot_ix_options(ix) == dbot_option_list(O(ix)));
    ASSERT_TRUE(dbot_ix_focused(ix, &name, NULL) == NULL && name == NULL);
    cJSON_Delete(ix);
}
#pragma GCC diagnostic pop

int
main(void)
{
    RUN(snowflakes_parse_exactly);
    RUN(guild_invoker_and_fields);
    RUN(dm_invoker_has_no_member);
    RUN(command_path_and_leaf_options);
    RUN(scalar_getters);
    RUN(mentionable_user_with_member);
    RUN(autocomplete_focused);
    RUN(context_menu_targets);
    RUN(components);
    RUN(modal_submit_label_layout);
    RUN(modal_submit_legacy_rows);
    RUN(garbage_is_absent_not_a_crash);
    RUN(option_view_is_the_json);
    RUN(deprecated_opt_readers_still_work);
    return 0;
}
