/*
 * test_command.c: dbot_command declarations -> bulk JSON, validation
 * errors, and the comparison with what Discord returns from GET.
 */
#include "../check.h"

#include "command.h"

#include <dbot/command.h>
#include <dbot/permissions.h>

static cJSON *
parse(const char *text)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);

    if (!j)
        CHECK_FAIL_("test JSON does not parse near: %.40s", end);
    return j;
}

static void
assert_json_eq_(const cJSON *got, const char *want, int line)
{
    cJSON *w = parse(want);

    if (!cJSON_Compare(got, w, 1)) {
        char *g = cJSON_PrintUnformatted(got);
        char *e = cJSON_PrintUnformatted(w);

        fprintf(stderr, "line %d:\n got  %s\n want %s\n", line,
                g ? g : "(null)", e);
        exit(1);
    }
    cJSON_Delete(w);
}
#define ASSERT_JSON_EQ(got, want) assert_json_eq_(got, want, __LINE__)

/* ---- declarations used across tests --------------------------------- */

static const dbot_option primes_opts[] = {
    { .type = DBOT_OPT_INTEGER,
      .name = "n",
      .description = "upper bound",
      .required = true,
      .has_min = true,
      .min_value = 1,
      .has_max = true,
      .max_value = 10000000 },
    { .type = DBOT_OPT_BOOLEAN, .name = "list", .description = "show them" },
    { 0 }
};
static const dbot_command primes = { .name = "primes",
                                     .description = "Count primes below n",
                                     .options = primes_opts };

static const dbot_choice animals[] = { { .name = "Dog", .str = "animal_dog" },
                                       { .name = "Cat", .str = "animal_cat" },
                                       { 0 } };
static const dbot_choice sizes[] = { { .name = "small", .integer = 1 },
                                     { .name = "large", .integer = 3 },
                                     { 0 } };
static const dbot_option pet_opts[] = {
    { .type = DBOT_OPT_STRING,
      .name = "animal",
      .description = "which",
      .required = true,
      .choices = animals },
    { .type = DBOT_OPT_INTEGER,
      .name = "size",
      .description = "how big",
      .choices = sizes },
    { .type = DBOT_OPT_STRING,
      .name = "name",
      .description = "its name",
      .min_length = 2,
      .max_length = 32,
      .autocomplete = true },
    { .type = DBOT_OPT_NUMBER,
      .name = "weight",
      .description = "kg",
      .has_min = true,
      .min_value = 0.5 },
    { .type = DBOT_OPT_CHANNEL,
      .name = "where",
      .description = "channel",
      .channel_types = DBOT_CHANNEL_MASK(DBOT_CHANNEL_GUILD_ANNOUNCEMENT) |
                       DBOT_CHANNEL_MASK(DBOT_CHANNEL_GUILD_TEXT) },
    { .type = DBOT_OPT_ATTACHMENT,
      .name = "photo",
      .description = "a photo",
      .extra_json = "{\"description_localizations\":{\"de\":\"ein Foto\"}}" },
    { 0 }
};
static const dbot_command pet = { .name = "pet",
                                  .description = "Adopt a pet",
                                  .options = pet_opts,
                                  .nsfw = false };

/* /permissions user get|edit, /permissions role get */
static const dbot_option perm_user_get[] = {
    { .type = DBOT_OPT_USER,
      .name = "user",
      .description = "whose",
      .required = true },
    { .type = DBOT_OPT_CHANNEL, .name = "channel", .description = "where" },
    { 0 }
};
static const dbot_option perm_role_get[] = { { .type = DBOT_OPT_ROLE,
                                               .name = "role",
                                               .description = "which",
                                               .required = true },
                                             { 0 } };
static const dbot_option perm_user_subs[] = {
    { .type = DBOT_OPT_SUBCOMMAND,
      .name = "get",
      .description = "Get",
      .options = perm_user_get },
    { .type = DBOT_OPT_SUBCOMMAND, .name = "edit", .description = "Edit" },
    { 0 }
};
static const dbot_option perm_role_subs[] = { { .type = DBOT_OPT_SUBCOMMAND,
                                                .name = "get",
                                                .description = "Get",
                                                .options = perm_role_get },
                                              { 0 } };
static const dbot_option perm_groups[] = { { .type = DBOT_OPT_SUBCOMMAND_GROUP,
                                             .name = "user",
                                             .description = "User permissions",
                                             .options = perm_user_subs },
                                           { .type = DBOT_OPT_SUBCOMMAND_GROUP,
                                             .name = "role",
                                             .description = "Role permissions",
                                             .options = perm_role_subs },
                                           { 0 } };
static const dbot_command permissions = {
    .name = "permissions",
    .description = "Get or edit permissions",
    .options = perm_groups,
    .default_member_permissions = "32",
    .contexts = DBOT_CTX_GUILD,
};

static const dbot_command inspect = {
    .type = DBOT_CMD_USER,
    .name = "Inspect User",
    .contexts = DBOT_CTX_GUILD | DBOT_CTX_BOT_DM | DBOT_CTX_PRIVATE_CHANNEL,
    .integration_types = DBOT_INSTALL_GUILD | DBOT_INSTALL_USER,
};
static const dbot_command quote = { .type = DBOT_CMD_MESSAGE,
                                    .name = "Quote",
                                    .default_member_permissions = "0",
                                    .nsfw = true };

static cJSON *
build(const dbot_command *const *cmds, size_t n)
{
    char err[256];
    cJSON *j = dbot__commands_to_json(cmds, n, err, sizeof err);

    if (!j)
        CHECK_FAIL_("dbot__commands_to_json failed: %s", err);
    return j;
}

TEST(builds_simple_command_exactly)
{
    const dbot_command *cmds[] = { &primes };
    cJSON *j = build(cmds, 1);

    ASSERT_JSON_EQ(j, "[{\"type\":1,\"name\":\"primes\","
                      "\"description\":\"Count primes below n\",\"options\":["
                      "{\"type\":4,\"name\":\"n\",\"description\":\"upper "
                      "bound\",\"required\":true,\"min_value\":1,"
                      "\"max_value\":10000000},"
                      "{\"type\":5,\"name\":\"list\",\"description\":\"show "
                      "them\"}]}]");
    cJSON_Delete(j);
}

TEST(builds_choices_limits_channel_types_extra)
{
    const dbot_command *cmds[] = { &pet };
    cJSON *j = build(cmds, 1);

    ASSERT_JSON_EQ(
        j, "[{\"type\":1,\"name\":\"pet\",\"description\":\"Adopt a pet\","
           "\"options\":["
           "{\"type\":3,\"name\":\"animal\",\"description\":\"which\","
           "\"required\":true,\"choices\":[{\"name\":\"Dog\",\"value\":"
           "\"animal_dog\"},{\"name\":\"Cat\",\"value\":\"animal_cat\"}]},"
           "{\"type\":4,\"name\":\"size\",\"description\":\"how big\","
           "\"choices\":[{\"name\":\"small\",\"value\":1},{\"name\":"
           "\"large\",\"value\":3}]},"
           "{\"type\":3,\"name\":\"name\",\"description\":\"its name\","
           "\"min_length\":2,\"max_length\":32,\"autocomplete\":true},"
           "{\"type\":10,\"name\":\"weight\",\"description\":\"kg\","
           "\"min_value\":0.5},"
           "{\"type\":7,\"name\":\"where\",\"description\":\"channel\","
           "\"channel_types\":[0,5]},"
           "{\"type\":11,\"name\":\"photo\",\"description\":\"a photo\","
           "\"description_localizations\":{\"de\":\"ein Foto\"}}]}]");
    cJSON_Delete(j);
}

TEST(builds_groups_and_context_menus)
{
    const dbot_command *cmds[] = { &permissions, &inspect, &quote };
    cJSON *j = build(cmds, 3);

    ASSERT_JSON_EQ(
        j,
        "[{\"type\":1,\"name\":\"permissions\",\"description\":\"Get or edit "
        "permissions\",\"options\":["
        "{\"type\":2,\"name\":\"user\",\"description\":\"User permissions\","
        "\"options\":["
        "{\"type\":1,\"name\":\"get\",\"description\":\"Get\",\"options\":["
        "{\"type\":6,\"name\":\"user\",\"description\":\"whose\","
        "\"required\":true},"
        "{\"type\":7,\"name\":\"channel\",\"description\":\"where\"}]},"
        "{\"type\":1,\"name\":\"edit\",\"description\":\"Edit\"}]},"
        "{\"type\":2,\"name\":\"role\",\"description\":\"Role permissions\","
        "\"options\":[{\"type\":1,\"name\":\"get\",\"description\":\"Get\","
        "\"options\":[{\"type\":8,\"name\":\"role\",\"description\":"
        "\"which\",\"required\":true}]}]}],"
        "\"default_member_permissions\":\"32\",\"contexts\":[0]},"
        "{\"type\":2,\"name\":\"Inspect User\",\"description\":\"\","
        "\"contexts\":[0,1,2],\"integration_types\":[0,1]},"
        "{\"type\":3,\"name\":\"Quote\",\"description\":\"\","
        "\"default_member_permissions\":\"0\",\"nsfw\":true}]");
    cJSON_Delete(j);
}

TEST(empty_set_is_an_empty_array)
{
    cJSON *j = build(NULL, 0);

    ASSERT_JSON_EQ(j, "[]");
    cJSON_Delete(j);
}

TEST(accepts_non_ascii_letters_and_apostrophe)
{
    static const dbot_command c = { .name = "größe-don't_1",
                                    .description = "Ünïcödé ok" };
    static const dbot_command hi = { .name = "नमस्ते", .description = "hi" };
    const dbot_command *cmds[] = { &c, &hi };
    cJSON *j = build(cmds, 2);

    cJSON_Delete(j);
}

/* ---- validation errors ---------------------------------------------- */

static void
expect_error_(const dbot_command *cmd, const char *want, int line)
{
    const dbot_command *cmds[] = { cmd };
    char err[256] = "";
    cJSON *j = dbot__commands_to_json(cmds, 1, err, sizeof err);

    if (j) {
        cJSON_Delete(j);
        CHECK_FAIL_("line %d: accepted, wanted error \"%s\"", line, want);
    }
    if (!strstr(err, want))
        CHECK_FAIL_("line %d: error \"%s\" lacks \"%s\"", line, err, want);
}
#define EXPECT_ERROR(cmd, want) expect_error_(cmd, want, __LINE__)

#define OPTS(...) ((const dbot_option[]){ __VA_ARGS__, { 0 } })
#define CMD(...)  (&(const dbot_command){ __VA_ARGS__ })

TEST(rejects_bad_names_and_descriptions)
{
    EXPECT_ERROR(CMD(.description = "x"), "commands[0]: name is empty");
    EXPECT_ERROR(CMD(.name = "", .description = "x"), "name is empty");
    EXPECT_ERROR(CMD(.name = "Primes", .description = "x"),
                 "command \"Primes\": name \"Primes\" must be lowercase");
    EXPECT_ERROR(CMD(.name = "größE", .description = "x"), "must be lowercase");
    EXPECT_ERROR(CMD(.name = "two words", .description = "x"),
                 "name \"two words\" has ' '");
    EXPECT_ERROR(CMD(.name = "a!", .description = "x"), "has '!'");
    EXPECT_ERROR(
        CMD(.name = "abcdefghijabcdefghijabcdefghijabc", .description = "x"),
        "longer than 32 characters");
    EXPECT_ERROR(CMD(.name = "bad\xC0\xAF", .description = "x"),
                 "name is not valid UTF-8");
    EXPECT_ERROR(CMD(.name = "nodesc"),
                 "command \"nodesc\": description is empty (1-100");
    EXPECT_ERROR(CMD(.name = "long",
                     .description =
                         "0123456789012345678901234567890123456789012345678"
                         "90123456789012345678901234567890123456789012345678"
                         "9x"),
                 "description is longer than 100 characters");
    EXPECT_ERROR(CMD(.type = DBOT_CMD_USER, .name = "Who", .description = "x"),
                 "USER and MESSAGE commands have no description");
    EXPECT_ERROR(
        CMD(.type = DBOT_CMD_MESSAGE, .name = "M",
            .options = OPTS(
                { .type = DBOT_OPT_STRING, .name = "a", .description = "a" })),
        "have no options");
    EXPECT_ERROR(CMD(.type = 4, .name = "launch"),
                 "unsupported command type 4");
    EXPECT_ERROR(CMD(.type = DBOT_CMD_USER,
                     .name = "0123456789 0123456789 0123456789 x"),
                 "longer than 32");
}

TEST(rejects_bad_options)
{
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS(
                { .type = DBOT_OPT_STRING, .name = "A", .description = "a" })),
        "command \"c\" option \"A\": name \"A\" must be lowercase");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING, .name = "a" })),
                 "option \"a\": description is empty");
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS({ .type = 12, .name = "a", .description = "a" })),
        "unknown option type 12");
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS(
                { .type = DBOT_OPT_STRING, .name = "a", .description = "a" },
                { .type = DBOT_OPT_STRING,
                  .name = "b",
                  .description = "b",
                  .required = true })),
        "option \"b\": required option after an optional one");
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS(
                { .type = DBOT_OPT_STRING, .name = "a", .description = "a" },
                { .type = DBOT_OPT_INTEGER, .name = "a", .description = "b" })),
        "option \"a\": duplicate option name");
}

TEST(rejects_too_many_options_and_choices)
{
    dbot_option many[27];
    dbot_choice ch[27];
    dbot_option one[2];
    char names[27][8];
    int i;

    memset(many, 0, sizeof many);
    memset(ch, 0, sizeof ch);
    memset(one, 0, sizeof one);
    for (i = 0; i < 26; i++) {
        snprintf(names[i], sizeof names[i], "o%d", i);
        many[i] = (dbot_option){ .type = DBOT_OPT_BOOLEAN,
                                 .name = names[i],
                                 .description = "x" };
        ch[i] = (dbot_choice){ .name = names[i], .str = names[i] };
    }
    EXPECT_ERROR(CMD(.name = "c", .description = "d", .options = many),
                 "option \"o25\": more than 25 options");
    many[25].type = 0; /* exactly 25 is fine */
    {
        const dbot_command *cmds[] = { CMD(.name = "c", .description = "d",
                                           .options = many) };
        char err[128];
        cJSON *j = dbot__commands_to_json(cmds, 1, err, sizeof err);

        ASSERT_TRUE(j != NULL);
        cJSON_Delete(j);
    }
    one[0] = (dbot_option){
        .type = DBOT_OPT_STRING, .name = "s", .description = "x", .choices = ch
    };
    EXPECT_ERROR(CMD(.name = "c", .description = "d", .options = one),
                 "option \"s\": more than 25 choices");
}

TEST(rejects_bad_choices_and_limits)
{
    static const dbot_choice s[] = { { .name = "a", .str = "a" }, { 0 } };
    static const dbot_choice nostr[] = { { .name = "a" }, { 0 } };
    static const dbot_choice big[] = {
        { .name = "a", .integer = 9007199254740992LL }, { 0 }
    };

    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .choices = s,
                                       .autocomplete = true })),
                 "choices and autocomplete exclude each other");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_USER,
                                       .name = "a",
                                       .description = "a",
                                       .choices = s })),
                 "choices need a STRING, INTEGER or NUMBER option");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .choices = nostr })),
                 "choices[0].str is empty");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_INTEGER,
                                       .name = "a",
                                       .description = "a",
                                       .choices = big })),
                 "choices[0].integer is outside");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_BOOLEAN,
                                       .name = "a",
                                       .description = "a",
                                       .autocomplete = true })),
                 "autocomplete needs a STRING");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .has_min = true,
                                       .min_value = 1 })),
                 "min_value/max_value need an INTEGER or NUMBER");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_INTEGER,
                                       .name = "a",
                                       .description = "a",
                                       .has_min = true,
                                       .min_value = 5,
                                       .has_max = true,
                                       .max_value = 4 })),
                 "min_value 5 is above max_value 4");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_INTEGER,
                                       .name = "a",
                                       .description = "a",
                                       .has_min = true,
                                       .min_value = 0.5 })),
                 "must be whole numbers");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_NUMBER,
                                       .name = "a",
                                       .description = "a",
                                       .has_max = true,
                                       .max_value = 1e16 })),
                 "max_value is outside");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_INTEGER,
                                       .name = "a",
                                       .description = "a",
                                       .max_length = 5 })),
                 "min_length/max_length need a STRING option");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .max_length = 6001 })),
                 "max_length 6001 is outside 1-6000");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .min_length = 9,
                                       .max_length = 3 })),
                 "min_length 9 is above max_length 3");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .channel_types = 1 })),
                 "channel_types need a CHANNEL option");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_STRING,
                                       .name = "a",
                                       .description = "a",
                                       .extra_json = "[1]" })),
                 "option \"a\": extra_json is not a JSON object");
}

TEST(rejects_bad_nesting_with_path)
{
    /* group inside a subcommand */
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND,
                              .name = "s",
                              .description = "s",
                              .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND,
                                                .name = "t",
                                                .description = "t" }) })),
        "option \"s.t\": subcommands and groups nest at most two deep");
    /* option other than subcommand inside a group */
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND_GROUP,
                              .name = "g",
                              .description = "g",
                              .options = OPTS({ .type = DBOT_OPT_STRING,
                                                .name = "x",
                                                .description = "x" }) })),
        "option \"g.x\": a subcommand group holds only subcommands");
    /* group inside a group */
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS(
                         { .type = DBOT_OPT_SUBCOMMAND_GROUP,
                           .name = "g",
                           .description = "g",
                           .options = OPTS(
                               { .type = DBOT_OPT_SUBCOMMAND_GROUP,
                                 .name = "h",
                                 .description = "h",
                                 .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND,
                                                   .name = "s",
                                                   .description = "s" }) }) })),
                 "option \"g.h\": a subcommand group holds only subcommands");
    /* three levels deep, error reported with the full path */
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options =
                OPTS({ .type = DBOT_OPT_SUBCOMMAND_GROUP,
                       .name = "g",
                       .description = "g",
                       .options = OPTS(
                           { .type = DBOT_OPT_SUBCOMMAND,
                             .name = "s",
                             .description = "s",
                             .options = OPTS({ .type = DBOT_OPT_USER,
                                               .name = "Who",
                                               .description = "w" }) }) })),
        "command \"c\" option \"g.s.Who\": name \"Who\" must be lowercase");
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options = OPTS(
                { .type = DBOT_OPT_SUBCOMMAND,
                  .name = "s",
                  .description = "s" },
                { .type = DBOT_OPT_STRING, .name = "x", .description = "x" })),
        "option \"x\": subcommands and groups cannot be mixed");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND_GROUP,
                                       .name = "g",
                                       .description = "g" })),
                 "subcommand group has no subcommands");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .options = OPTS({ .type = DBOT_OPT_SUBCOMMAND,
                                       .name = "s",
                                       .description = "s",
                                       .required = true })),
                 "subcommands and groups take no required");
    EXPECT_ERROR(
        CMD(.name = "c", .description = "d",
            .options =
                OPTS({ .type = DBOT_OPT_STRING,
                       .name = "s",
                       .description = "s",
                       .options = OPTS(
                           { .type = 3, .name = "x", .description = "x" }) })),
        "only subcommands and groups have options");
}

TEST(rejects_bad_command_fields)
{
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .default_member_permissions = "0x20"),
                 "default_member_permissions \"0x20\" is not a decimal");
    EXPECT_ERROR(CMD(.name = "c", .description = "d",
                     .default_member_permissions = "012"),
                 "is not a decimal");
    EXPECT_ERROR(CMD(.name = "c", .description = "d", .contexts = 8),
                 "contexts has unknown bits 0x8");
    EXPECT_ERROR(CMD(.name = "c", .description = "d", .integration_types = 4),
                 "integration_types has unknown bits 0x4");
    EXPECT_ERROR(CMD(.name = "c", .description = "d", .extra_json = "{"),
                 "command \"c\": extra_json is not a JSON object");
}

TEST(rejects_duplicates_and_scope_limits)
{
    const dbot_command a = { .name = "a", .description = "a" };
    const dbot_command b = { .type = DBOT_CMD_USER, .name = "a" };
    const dbot_command *ok[] = { &a, &b }; /* same name, other type: fine */
    const dbot_command *dup[] = { &a, &b, &a };
    dbot_command users[16];
    const dbot_command *up[16];
    char names[16][8], err[256];
    cJSON *j;
    int i;

    j = dbot__commands_to_json(ok, 2, err, sizeof err);
    ASSERT_TRUE(j != NULL);
    cJSON_Delete(j);
    ASSERT_TRUE(dbot__commands_to_json(dup, 3, err, sizeof err) == NULL);
    ASSERT_STREQ(err, "command \"a\": declared twice");
    for (i = 0; i < 16; i++) {
        snprintf(names[i], sizeof names[i], "U%d", i);
        users[i] = (dbot_command){ .type = DBOT_CMD_USER, .name = names[i] };
        up[i] = &users[i];
    }
    j = dbot__commands_to_json(up, 15, err, sizeof err);
    ASSERT_TRUE(j != NULL);
    cJSON_Delete(j);
    ASSERT_TRUE(dbot__commands_to_json(up, 16, err, sizeof err) == NULL);
    ASSERT_STREQ(err, "command \"U15\": more than 15 USER commands in one "
                      "scope");
}

TEST(rejects_more_than_8000_characters)
{
    static char desc[101];
    dbot_choice ch[26];
    dbot_option opts[26];
    char cn[25][101];
    int i, k;

    memset(desc, 'd', 100);
    memset(ch, 0, sizeof ch);
    memset(opts, 0, sizeof opts);
    for (i = 0; i < 25; i++) {
        memset(cn[i], 'a' + i % 26, 100);
        cn[i][100] = '\0';
        ch[i] = (dbot_choice){ .name = cn[i], .str = cn[i] };
    }
    /* 4 options x 25 choices x 200 characters = 20000 > 8000 */
    for (k = 0; k < 4; k++) {
        static char on[4][4];

        snprintf(on[k], sizeof on[k], "o%d", k);
        opts[k] = (dbot_option){ .type = DBOT_OPT_STRING,
                                 .name = on[k],
                                 .description = desc,
                                 .choices = ch };
    }
    EXPECT_ERROR(CMD(.name = "c", .description = desc, .options = opts),
                 "characters of names, descriptions and values; the limit "
                 "is 8000");
}

/* ---- comparison with GET .../commands ------------------------------- */

/* What Discord returns for `primes`, `permissions`, `Inspect User` and
 * `Quote` after a PUT of the payload above: server fields added, defaults
 * filled in, commands in a different order. Modelled on the application
 * command object in the docs. */
static const char *const server_reply =
    "["
    "{\"id\":\"1120000000000000003\",\"application_id\":"
    "\"1100000000000000000\",\"version\":\"1120000000000000004\","
    "\"default_member_permissions\":\"0\",\"type\":3,\"name\":\"Quote\","
    "\"name_localizations\":null,\"description\":\"\","
    "\"description_localizations\":null,\"dm_permission\":true,"
    "\"contexts\":null,\"integration_types\":[0],\"nsfw\":true},"
    "{\"id\":\"1120000000000000001\",\"application_id\":"
    "\"1100000000000000000\",\"version\":\"1120000000000000001\","
    "\"default_member_permissions\":null,\"type\":1,\"name\":\"primes\","
    "\"name_localizations\":{},\"description\":\"Count primes below n\","
    "\"description_localizations\":{},\"dm_permission\":true,"
    "\"contexts\":null,\"integration_types\":[0],\"nsfw\":false,"
    "\"options\":[{\"type\":4,\"name\":\"n\",\"name_localizations\":null,"
    "\"description\":\"upper bound\",\"description_localizations\":null,"
    "\"required\":true,\"min_value\":1,\"max_value\":10000000},"
    "{\"type\":5,\"name\":\"list\",\"description\":\"show them\","
    "\"required\":false}]},"
    "{\"id\":\"1120000000000000002\",\"application_id\":"
    "\"1100000000000000000\",\"version\":\"1120000000000000002\","
    "\"default_member_permissions\":null,\"type\":2,\"name\":\"Inspect "
    "User\",\"description\":\"\",\"dm_permission\":true,"
    "\"contexts\":[2,1,0],\"integration_types\":[1,0],\"nsfw\":false},"
    "{\"id\":\"1120000000000000005\",\"application_id\":"
    "\"1100000000000000000\",\"version\":\"1120000000000000005\","
    "\"default_member_permissions\":\"32\",\"type\":1,\"name\":"
    "\"permissions\",\"description\":\"Get or edit permissions\","
    "\"dm_permission\":false,\"contexts\":[0],\"integration_types\":[0],"
    "\"nsfw\":false,\"guild_id\":\"1000000000000000001\","
    "\"default_permission\":true,\"options\":["
    "{\"type\":2,\"name\":\"user\",\"description\":\"User permissions\","
    "\"required\":false,\"options\":["
    "{\"type\":1,\"name\":\"get\",\"description\":\"Get\",\"options\":["
    "{\"type\":6,\"name\":\"user\",\"description\":\"whose\","
    "\"required\":true},"
    "{\"type\":7,\"name\":\"channel\",\"description\":\"where\"}]},"
    "{\"type\":1,\"name\":\"edit\",\"description\":\"Edit\","
    "\"options\":[]}]},"
    "{\"type\":2,\"name\":\"role\",\"description\":\"Role permissions\","
    "\"options\":[{\"type\":1,\"name\":\"get\",\"description\":\"Get\","
    "\"options\":[{\"type\":8,\"name\":\"role\",\"description\":"
    "\"which\",\"required\":true,\"autocomplete\":false}]}]}]}"
    "]";

static cJSON *
ours4(void)
{
    const dbot_command *cmds[] = { &primes, &permissions, &inspect, &quote };

    return build(cmds, 4);
}

TEST(equal_to_realistic_server_reply)
{
    cJSON *ours = ours4(), *theirs = parse(server_reply);
    char why[128];

    ASSERT_EQ(dbot__commands_diff(ours, theirs, why, sizeof why), 1);
    ASSERT_STREQ(why, "");
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}

TEST(pet_equal_with_choices_channel_types_localizations)
{
    const dbot_command *cmds[] = { &pet };
    cJSON *ours = build(cmds, 1);
    cJSON *theirs =
        parse("[{\"id\":\"1\",\"application_id\":\"2\",\"version\":\"3\","
              "\"type\":1,\"name\":\"pet\",\"description\":\"Adopt a pet\","
              "\"name_localized\":\"pet\",\"dm_permission\":true,"
              "\"integration_types\":[0],\"options\":["
              "{\"type\":3,\"name\":\"animal\",\"description\":\"which\","
              "\"required\":true,\"choices\":[{\"name\":\"Dog\",\"value\":"
              "\"animal_dog\",\"name_localizations\":null},{\"name\":\"Cat\","
              "\"value\":\"animal_cat\"}]},"
              "{\"type\":4,\"name\":\"size\",\"description\":\"how big\","
              "\"choices\":[{\"name\":\"small\",\"value\":1},{\"name\":"
              "\"large\",\"value\":3}]},"
              "{\"type\":3,\"name\":\"name\",\"description\":\"its name\","
              "\"min_length\":2,\"max_length\":32,\"autocomplete\":true},"
              "{\"type\":10,\"name\":\"weight\",\"description\":\"kg\","
              "\"min_value\":0.5},"
              "{\"type\":7,\"name\":\"where\",\"description\":\"channel\","
              "\"channel_types\":[5,0]},"
              "{\"type\":11,\"name\":\"photo\",\"description\":\"a photo\","
              "\"description_localizations\":{\"de\":\"ein Foto\"},"
              "\"description_localized\":\"a photo\"}]}]");

    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}

/* Change one thing in the server reply with `mutate` and expect the diff
 * to name `where`. */
static void
expect_diff_(void (*mutate)(cJSON *), const char *where, int line)
{
    cJSON *ours = ours4(), *theirs = parse(server_reply);
    char why[160];

    mutate(theirs);
    if (dbot__commands_diff(ours, theirs, why, sizeof why) != 0)
        CHECK_FAIL_("line %d: equal after mutation, wanted %s", line, where);
    if (strcmp(why, where) != 0)
        CHECK_FAIL_("line %d: why \"%s\", wanted \"%s\"", line, why, where);
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 0);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}
#define EXPECT_DIFF(fn, where) expect_diff_(fn, where, __LINE__)

static cJSON *
cmd_named(cJSON *arr, const char *name)
{
    cJSON *c;

    cJSON_ArrayForEach(c, arr) {
        if (strcmp(cJSON_GetObjectItem(c, "name")->valuestring, name) == 0)
            return c;
    }
    CHECK_FAIL_("no command %s", name);
    return NULL;
}

static cJSON *
opt_at(cJSON *cmd, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(cmd, "options"), i);
}

static void
m_description(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "primes"), "description",
                              cJSON_CreateString("Count primes"));
}
static void
m_max_value(cJSON *t)
{
    cJSON_ReplaceItemInObject(opt_at(cmd_named(t, "primes"), 0), "max_value",
                              cJSON_CreateNumber(1000));
}
static void
m_required(cJSON *t)
{
    cJSON_ReplaceItemInObject(opt_at(cmd_named(t, "primes"), 1), "required",
                              cJSON_CreateTrue());
}
static void
m_nested_type(cJSON *t)
{
    cJSON *get = opt_at(opt_at(cmd_named(t, "permissions"), 0), 0);

    cJSON_ReplaceItemInObject(opt_at(get, 0), "type", cJSON_CreateNumber(9));
}
static void
m_extra_option(cJSON *t)
{
    cJSON_AddItemToArray(cJSON_GetObjectItem(cmd_named(t, "primes"), "options"),
                         parse("{\"type\":3,\"name\":\"x\",\"description\":"
                               "\"x\"}"));
}
static void
m_nsfw(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "Quote"), "nsfw",
                              cJSON_CreateFalse());
}
static void
m_perms(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "permissions"),
                              "default_member_permissions", cJSON_CreateNull());
}
static void
m_contexts(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "Inspect User"), "contexts",
                              parse("[0,1]"));
}
static void
m_integration(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "primes"), "integration_types",
                              parse("[1]"));
}
static void
m_dm_permission(cJSON *t)
{
    /* primes sets no contexts, so dm_permission:false is a real change */
    cJSON_ReplaceItemInObject(cmd_named(t, "primes"), "dm_permission",
                              cJSON_CreateFalse());
}
static void
m_renamed(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "Quote"), "name",
                              cJSON_CreateString("Quote it"));
}
static void
m_type(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "Quote"), "type",
                              cJSON_CreateNumber(2));
}
static void
m_removed(cJSON *t)
{
    cJSON_DeleteItemFromArray(t, 0);
}
static void
m_localized(cJSON *t)
{
    cJSON_ReplaceItemInObject(cmd_named(t, "primes"), "name_localizations",
                              parse("{\"fr\":\"premiers\"}"));
}

TEST(differs_in_one_field)
{
    EXPECT_DIFF(m_description, "primes.description differs");
    EXPECT_DIFF(m_max_value, "primes.n.max_value differs");
    EXPECT_DIFF(m_required, "primes.list.required differs");
    EXPECT_DIFF(m_nested_type, "permissions.user.get.user.type differs");
    EXPECT_DIFF(m_extra_option, "primes.options differs");
    EXPECT_DIFF(m_nsfw, "Quote.nsfw differs");
    EXPECT_DIFF(m_perms, "permissions.default_member_permissions differs");
    EXPECT_DIFF(m_contexts, "Inspect User.contexts differs");
    EXPECT_DIFF(m_integration, "primes.integration_types differs");
    EXPECT_DIFF(m_dm_permission, "primes.dm_permission differs");
    EXPECT_DIFF(m_renamed, "Quote is not registered");
    EXPECT_DIFF(m_type, "Quote is not registered");
    EXPECT_DIFF(m_removed, "4 commands declared, 3 registered");
    EXPECT_DIFF(m_localized, "primes.name_localizations differs");
}

TEST(choice_value_and_extra_json_differences)
{
    const dbot_command *cmds[] = { &pet };
    cJSON *ours = build(cmds, 1);
    cJSON *theirs = cJSON_Duplicate(ours, 1);
    cJSON *photo = opt_at(cJSON_GetArrayItem(theirs, 0), 5);
    cJSON *dog = cJSON_GetArrayItem(
        cJSON_GetObjectItem(opt_at(cJSON_GetArrayItem(theirs, 0), 0),
                            "choices"),
        0);
    char why[128];

    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    /* a field only ours sets (from extra_json) is compared */
    cJSON_DeleteItemFromObject(photo, "description_localizations");
    ASSERT_EQ(dbot__commands_diff(ours, theirs, why, sizeof why), 0);
    ASSERT_STREQ(why, "pet.photo.description_localizations differs");
    cJSON_Delete(theirs);

    theirs = cJSON_Duplicate(ours, 1);
    dog = cJSON_GetArrayItem(
        cJSON_GetObjectItem(opt_at(cJSON_GetArrayItem(theirs, 0), 0),
                            "choices"),
        0);
    cJSON_ReplaceItemInObject(dog, "value", cJSON_CreateString("dog"));
    ASSERT_EQ(dbot__commands_diff(ours, theirs, why, sizeof why), 0);
    ASSERT_STREQ(why, "pet.animal.choices[0].value differs");
    cJSON_Delete(theirs);
    cJSON_Delete(ours);
}

TEST(dm_permission_ignored_when_contexts_set)
{
    /* permissions sets contexts [0]; Discord reports dm_permission:false
     * (derived). Already covered by the server reply; flipping it to true
     * must still compare equal. */
    cJSON *ours = ours4(), *theirs = parse(server_reply);

    cJSON_ReplaceItemInObject(cmd_named(theirs, "permissions"), "dm_permission",
                              cJSON_CreateTrue());
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}

TEST(contexts_default_is_everywhere)
{
    /* primes sets no contexts: Discord may report null or all three */
    cJSON *ours = ours4(), *theirs = parse(server_reply);

    cJSON_ReplaceItemInObject(cmd_named(theirs, "primes"), "contexts",
                              parse("[0,1,2]"));
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    cJSON_DeleteItemFromObject(cmd_named(theirs, "primes"), "contexts");
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 1);
    cJSON_AddItemToObject(cmd_named(theirs, "primes"), "contexts",
                          parse("[0]"));
    ASSERT_EQ(dbot__commands_equal(ours, theirs), 0);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}

TEST(malformed_replies_differ)
{
    cJSON *ours = ours4();
    cJSON *obj = parse("{\"message\":\"401: Unauthorized\",\"code\":0}");
    cJSON *junk = parse("[1,2,3,4]");
    cJSON *empty = parse("[]"), *none = build(NULL, 0);

    ASSERT_EQ(dbot__commands_equal(ours, obj), 0);
    ASSERT_EQ(dbot__commands_equal(ours, junk), 0);
    ASSERT_EQ(dbot__commands_equal(ours, NULL), 0);
    ASSERT_EQ(dbot__commands_equal(none, empty), 1);
    cJSON_Delete(ours);
    cJSON_Delete(obj);
    cJSON_Delete(junk);
    cJSON_Delete(empty);
    cJSON_Delete(none);
}

#define LOC(...) ((const dbot_localized[]){ __VA_ARGS__, { 0 } })

TEST(builds_localizations_and_permission_bits)
{
    const dbot_choice colors[] = {
        { .name = "red",
          .str = "r",
          .name_localizations = LOC({ "de", "rot" }) },
        { 0 },
    };
    const dbot_option opts[] = {
        { .type = DBOT_OPT_STRING,
          .name = "color",
          .description = "a color",
          .choices = colors,
          .name_localizations = LOC({ "de", "farbe" }, { "fr", "couleur" }),
          .description_localizations = LOC({ "de", "eine Farbe" }) },
        { 0 },
    };
    const dbot_command paint = {
        .name = "paint",
        .description = "Paint it",
        .options = opts,
        .default_member_perms = DBOT_PERM_KICK_MEMBERS | DBOT_PERM_BAN_MEMBERS,
        .name_localizations = LOC({ "de", "malen" }, { "pt-BR", "pintar" }),
        .description_localizations = LOC({ "es-419", "Píntalo" }),
    };
    const dbot_command *cmds[] = { &paint };
    cJSON *j = build(cmds, 1);

    ASSERT_JSON_EQ(
        j, "[{\"type\":1,\"name\":\"paint\",\"description\":\"Paint it\","
           "\"options\":[{\"type\":3,\"name\":\"color\",\"description\":"
           "\"a color\",\"name_localizations\":{\"de\":\"farbe\","
           "\"fr\":\"couleur\"},\"description_localizations\":{\"de\":"
           "\"eine Farbe\"},\"choices\":[{\"name\":\"red\","
           "\"name_localizations\":{\"de\":\"rot\"},\"value\":\"r\"}]}],"
           "\"default_member_permissions\":\"6\",\"name_localizations\":"
           "{\"de\":\"malen\",\"pt-BR\":\"pintar\"},"
           "\"description_localizations\":{\"es-419\":\"Píntalo\"}}]");
    cJSON_Delete(j);

    EXPECT_ERROR(CMD(.name = "a", .description = "x",
                     .name_localizations = LOC({ "xx", "b" })),
                 "name_localizations: \"xx\" is not one of Discord's locales");
    EXPECT_ERROR(CMD(.name = "a", .description = "x",
                     .name_localizations = LOC({ "de", "b" }, { "de", "c" })),
                 "locale \"de\" given twice");
    EXPECT_ERROR(CMD(.name = "a", .description = "x",
                     .name_localizations = LOC({ "de", "Groß" })),
                 "must be lowercase");
    EXPECT_ERROR(CMD(.name = "a", .description = "x",
                     .default_member_perms = DBOT_PERM_BIT(60)),
                 "default_member_perms has bits Discord does not define");
    EXPECT_ERROR(CMD(.name = "a", .description = "x",
                     .default_member_perms = DBOT_PERM_ADMINISTRATOR,
                     .default_member_permissions = "8"),
                 "not both");
}

int
main(void)
{
    RUN(builds_simple_command_exactly);
    RUN(builds_choices_limits_channel_types_extra);
    RUN(builds_groups_and_context_menus);
    RUN(empty_set_is_an_empty_array);
    RUN(accepts_non_ascii_letters_and_apostrophe);
    RUN(rejects_bad_names_and_descriptions);
    RUN(rejects_bad_options);
    RUN(rejects_too_many_options_and_choices);
    RUN(rejects_bad_choices_and_limits);
    RUN(rejects_bad_nesting_with_path);
    RUN(rejects_bad_command_fields);
    RUN(rejects_duplicates_and_scope_limits);
    RUN(rejects_more_than_8000_characters);
    RUN(equal_to_realistic_server_reply);
    RUN(pet_equal_with_choices_channel_types_localizations);
    RUN(differs_in_one_field);
    RUN(choice_value_and_extra_json_differences);
    RUN(dm_permission_ignored_when_contexts_set);
    RUN(contexts_default_is_everywhere);
    RUN(malformed_replies_differ);
    RUN(builds_localizations_and_permission_bits);
    return 0;
}
