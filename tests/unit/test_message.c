/*
 * test_message.c: the message, embed, component and modal builders:
 * exact JSON for representative messages, and every limit error with its
 * path.
 */
#include "../check.h"
#include "message.h"
#include "utf8.h"

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
assert_json_eq_(cJSON *got, const char *want, int line)
{
    cJSON *w = parse(want);

    if (!got || !cJSON_Compare(got, w, 1)) {
        char *g = got ? cJSON_PrintUnformatted(got) : NULL;
        char *e = cJSON_PrintUnformatted(w);

        fprintf(stderr, "line %d:\n got  %s\n want %s\n", line,
                g ? g : "(null)", e);
        exit(1);
    }
    cJSON_Delete(w);
    cJSON_Delete(got);
}
/* Compares and frees `got`. */
#define ASSERT_JSON_EQ(got, want) assert_json_eq_(got, want, __LINE__)

/* A string of n copies of the UTF-8 character c (1-4 bytes). */
static char *
rep(const char *c, int n)
{
    size_t l = strlen(c);
    char *s = malloc(l * (size_t)n + 1);
    int i;

    for (i = 0; i < n; i++)
        memcpy(s + l * (size_t)i, c, l);
    s[l * (size_t)n] = '\0';
    return s;
}

TEST(plain_content_pings_users_only)
{
    dbot_msg *m = dbot_msg_new();

    ASSERT_EQ(dbot_msg_content(m, "pong"), 0);
    ASSERT_TRUE(dbot_msg_error(m) == NULL);
    ASSERT_JSON_EQ(dbot_msg_json(m), "{\"content\":\"pong\","
                                     "\"allowed_mentions\":{\"parse\":"
                                     "[\"users\"]}}");
    /* the builder stays usable and json is a copy */
    ASSERT_EQ(dbot_msg_contentf(m, "%d primes below %s", 4, "10"), 0);
    ASSERT_JSON_EQ(dbot_msg_json(m), "{\"content\":\"4 primes below 10\","
                                     "\"allowed_mentions\":{\"parse\":"
                                     "[\"users\"]}}");
    dbot_msg_free(m);
}

TEST(flags_and_mentions)
{
    dbot_msg *m = dbot_msg_new();

    dbot_msg_content(m, "@everyone look");
    dbot_msg_flags(m, DBOT_MSG_EPHEMERAL);
    dbot_msg_flags(m,
                   DBOT_MSG_SUPPRESS_EMBEDS | DBOT_MSG_SUPPRESS_NOTIFICATIONS);
    dbot_msg_mentions(m, DBOT_MENTION_NONE);
    ASSERT_JSON_EQ(dbot_msg_json(m),
                   "{\"content\":\"@everyone look\",\"flags\":4164,"
                   "\"allowed_mentions\":{\"parse\":[]}}");
    dbot_msg_free(m);

    m = dbot_msg_new();
    dbot_msg_content(m, "<@80351110224678912> and <@&41771983423143936>");
    dbot_msg_mentions(m, DBOT_MENTION_USERS | DBOT_MENTION_ROLES |
                             DBOT_MENTION_EVERYONE);
    dbot_msg_mention_user(m, 80351110224678912ULL);
    dbot_msg_reply_to(m, 1234567890123456789ULL, false);
    /* listing users drops "users" from parse: Discord refuses both */
    ASSERT_JSON_EQ(dbot_msg_json(m),
                   "{\"content\":\"<@80351110224678912> and "
                   "<@&41771983423143936>\",\"message_reference\":"
                   "{\"message_id\":\"1234567890123456789\"},"
                   "\"allowed_mentions\":{\"parse\":[\"roles\",\"everyone\"],"
                   "\"users\":[\"80351110224678912\"],"
                   "\"replied_user\":false}}");
    dbot_msg_free(m);
}

TEST(full_embed)
{
    dbot_msg *m = dbot_msg_new();
    dbot_embed *e = dbot_msg_embed(m);

    dbot_embed_title(e, "Primes");
    dbot_embed_description(e, "Below **10**");
    dbot_embed_url(e, "https://example.com/primes");
    dbot_embed_color(e, 0x5865F2);
    dbot_embed_timestamp(e, 1764096531123LL);
    dbot_embed_footer(e, "dbot", "https://example.com/i.png");
    dbot_embed_image(e, "attachment://chart.png");
    dbot_embed_thumbnail(e, "https://example.com/t.png");
    dbot_embed_author(e, "Mason", "https://example.com/u", NULL);
    dbot_embed_field(e, "Count", "4", true);
    dbot_embed_field(e, "List", "2, 3, 5, 7", false);
    e = dbot_msg_embed(m);
    dbot_embed_description(e, "second");
    ASSERT_JSON_EQ(
        dbot_msg_json(m),
        "{\"embeds\":[{\"title\":\"Primes\",\"description\":\"Below **10**\","
        "\"url\":\"https://example.com/primes\",\"color\":5793266,"
        "\"timestamp\":\"2025-11-25T18:48:51.123Z\",\"footer\":{\"text\":"
        "\"dbot\",\"icon_url\":\"https://example.com/i.png\"},\"image\":"
        "{\"url\":\"attachment://chart.png\"},\"thumbnail\":{\"url\":"
        "\"https://example.com/t.png\"},\"author\":{\"name\":\"Mason\","
        "\"url\":\"https://example.com/u\"},\"fields\":[{\"name\":\"Count\","
        "\"value\":\"4\",\"inline\":true},{\"name\":\"List\",\"value\":"
        "\"2, 3, 5, 7\"}]},{\"description\":\"second\"}]}");
    dbot_msg_free(m);
}

TEST(buttons_and_selects)
{
    static const dbot_select_option classes[] = {
        { .label = "Rogue",
          .value = "rogue",
          .description = "Sneak attack",
          .emoji = "<:rogue:625891304148303894>" },
        { .label = "Mage",
          .value = "mage",
          .emoji = "🧙",
          .is_default = true },
        { 0 }
    };
    dbot_msg *m = dbot_msg_new();
    dbot_row *r;

    dbot_msg_content(m, "Pick");
    r = dbot_msg_row(m);
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
                                       .label = "Yes",
                                       .custom_id = "vote:yes" });
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_DANGER,
                                       .emoji = "<a:party:41771983429993937>",
                                       .custom_id = "vote:no",
                                       .disabled = true });
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_LINK,
                                       .label = "Docs",
                                       .emoji = "📖",
                                       .url = "https://example.com" });
    dbot_msg_row(m); /* left empty: not sent */
    r = dbot_msg_row(m);
    dbot_row_select(r, &(dbot_select){ .custom_id = "class",
                                       .placeholder = "Choose a class",
                                       .options = classes,
                                       .min_values = 1,
                                       .max_values = 2 });
    r = dbot_msg_row(m);
    dbot_row_select(r, &(dbot_select){ .type = DBOT_SELECT_USER,
                                       .custom_id = "who",
                                       .allow_none = true,
                                       .max_values = 5 });
    r = dbot_msg_row(m);
    dbot_row_select(r,
                    &(dbot_select){ .type = DBOT_SELECT_CHANNEL,
                                    .custom_id = "where",
                                    .channel_types = (1u << 0) | (1u << 5) });
    ASSERT_TRUE(dbot_msg_error(m) == NULL);
    ASSERT_JSON_EQ(
        dbot_msg_json(m),
        "{\"content\":\"Pick\",\"allowed_mentions\":{\"parse\":[\"users\"]},"
        "\"components\":["
        "{\"type\":1,\"components\":["
        "{\"type\":2,\"style\":1,\"label\":\"Yes\",\"custom_id\":"
        "\"vote:yes\"},"
        "{\"type\":2,\"style\":4,\"emoji\":{\"id\":\"41771983429993937\","
        "\"name\":\"party\",\"animated\":true},\"custom_id\":\"vote:no\","
        "\"disabled\":true},"
        "{\"type\":2,\"style\":5,\"label\":\"Docs\",\"emoji\":{\"name\":"
        "\"📖\"},\"url\":\"https://example.com\"}]},"
        "{\"type\":1,\"components\":[{\"type\":3,\"custom_id\":\"class\","
        "\"options\":[{\"label\":\"Rogue\",\"value\":\"rogue\","
        "\"description\":\"Sneak attack\",\"emoji\":{\"id\":"
        "\"625891304148303894\",\"name\":\"rogue\"}},{\"label\":\"Mage\","
        "\"value\":\"mage\",\"emoji\":{\"name\":\"🧙\"},\"default\":true}],"
        "\"placeholder\":\"Choose a class\",\"min_values\":1,"
        "\"max_values\":2}]},"
        "{\"type\":1,\"components\":[{\"type\":5,\"custom_id\":\"who\","
        "\"min_values\":0,\"max_values\":5}]},"
        "{\"type\":1,\"components\":[{\"type\":8,\"custom_id\":\"where\","
        "\"channel_types\":[0,5]}]}]}");
    dbot_msg_free(m);
}

TEST(modal_label_layout)
{
    static const dbot_select_option sev[] = {
        { .label = "Low", .value = "low" },
        { .label = "High", .value = "high" },
        { 0 }
    };
    dbot_modal *md = dbot_modal_new("bug_report", "Report a bug");

    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "title",
                                            .label = "Title",
                                            .max_length = 100 });
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "details",
                                            .label = "Details",
                                            .description = "What happened?",
                                            .style = DBOT_TEXT_PARAGRAPH,
                                            .min_length = 10,
                                            .max_length = 4000,
                                            .optional = true,
                                            .placeholder = "Steps...",
                                            .value = "1. " });
    dbot_modal_select(
        md, "Severity", NULL,
        &(dbot_select){ .custom_id = "severity", .options = sev });
    ASSERT_TRUE(dbot_modal_error(md) == NULL);
    ASSERT_JSON_EQ(
        dbot_modal_json(md),
        "{\"custom_id\":\"bug_report\",\"title\":\"Report a bug\","
        "\"components\":["
        "{\"type\":18,\"label\":\"Title\",\"component\":{\"type\":4,"
        "\"custom_id\":\"title\",\"style\":1,\"max_length\":100}},"
        "{\"type\":18,\"label\":\"Details\",\"description\":"
        "\"What happened?\",\"component\":{\"type\":4,\"custom_id\":"
        "\"details\",\"style\":2,\"min_length\":10,\"max_length\":4000,"
        "\"required\":false,\"placeholder\":\"Steps...\",\"value\":\"1. \"}},"
        "{\"type\":18,\"label\":\"Severity\",\"component\":{\"type\":3,"
        "\"custom_id\":\"severity\",\"options\":[{\"label\":\"Low\","
        "\"value\":\"low\"},{\"label\":\"High\",\"value\":\"high\"}]}}]}");
    dbot_modal_free(md);
}

TEST(raw_escape_hatch)
{
    dbot_msg *m = dbot_msg_new();

    dbot_msg_set_raw(m, "poll",
                     parse("{\"question\":{\"text\":\"Lunch?\"},\"answers\":"
                           "[{\"poll_media\":{\"text\":\"Pizza\"}}],"
                           "\"duration\":24}"));
    dbot_msg_set_raw(m, "allowed_mentions", parse("{\"parse\":[\"roles\"]}"));
    dbot_msg_content(m, "vote");
    ASSERT_JSON_EQ(dbot_msg_json(m),
                   "{\"poll\":{\"question\":{\"text\":\"Lunch?\"},"
                   "\"answers\":[{\"poll_media\":{\"text\":\"Pizza\"}}],"
                   "\"duration\":24},\"allowed_mentions\":{\"parse\":"
                   "[\"roles\"]},\"content\":\"vote\"}");
    dbot_msg_embed(m);
    ASSERT_EQ(dbot_msg_set_raw(m, "embeds", cJSON_CreateArray()), DBOT_EINVAL);
    ASSERT_CONTAINS(dbot_msg_error(m), "embeds: already built");
    dbot_msg_free(m);

    m = dbot_msg_new();
    ASSERT_EQ(dbot_msg_set_raw(m, "components", cJSON_CreateArray()), 0);
    ASSERT_TRUE(dbot_msg_row(m) == NULL);
    ASSERT_CONTAINS(dbot_msg_error(m), "components: set raw");
    dbot_msg_free(m);
    m = dbot_msg_new();
    ASSERT_EQ(dbot_msg_set_raw(m, NULL, cJSON_CreateTrue()), DBOT_EINVAL);
    dbot_msg_free(m);
}

/* ---- limits ----------------------------------------------------------- */

static void
expect_(dbot_msg *m, int code, const char *err, int line)
{
    const char *got = dbot_msg_error(m);
    cJSON *j = dbot_msg_json(m);

    if (j) {
        cJSON_Delete(j);
        CHECK_FAIL_("line %d: json produced, wanted \"%s\"", line, err);
    }
    if (!got || strcmp(got, err) != 0)
        CHECK_FAIL_("line %d: error \"%s\", wanted \"%s\"", line,
                    got ? got : "(null)", err);
    /* sticky: later calls return the first error */
    if (dbot_msg_content(m, "x") != code)
        CHECK_FAIL_("line %d: error code is not sticky (%d)", line, code);
    dbot_msg_free(m);
}
#define EXPECT(m, code, err) expect_(m, code, err, __LINE__)

TEST(content_limits)
{
    dbot_msg *m = dbot_msg_new();
    char *s = rep("é", 2000); /* 4000 bytes, 2000 characters: fine */

    ASSERT_EQ(dbot_msg_content(m, s), 0);
    free(s);
    s = rep("a", 2001);
    ASSERT_EQ(dbot_msg_content(m, s), DBOT_ETOOBIG);
    free(s);
    EXPECT(m, DBOT_ETOOBIG, "content: longer than 2000 characters (2001)");
    m = dbot_msg_new();
    dbot_msg_content(m, "bad \xff byte");
    EXPECT(m, DBOT_EINVAL, "content: not valid UTF-8");
    m = dbot_msg_new();
    dbot_msg_contentf(m, "%s", "ok");
    dbot_msg_mentions(m, 8);
    EXPECT(m, DBOT_EINVAL, "allowed_mentions: unknown kinds 0x8");
}

TEST(long_contentf_is_checked)
{
    dbot_msg *m = dbot_msg_new();
    char *s = rep("x", 1500);

    dbot_msg_contentf(m, "%s%s", s, s);
    free(s);
    EXPECT(m, DBOT_ETOOBIG, "content: longer than 2000 characters (3000)");
}

TEST(embed_limits)
{
    dbot_msg *m;
    dbot_embed *e;
    char *s;
    int i;

    m = dbot_msg_new();
    for (i = 0; i < 10; i++)
        ASSERT_TRUE(dbot_msg_embed(m) != NULL);
    ASSERT_TRUE(dbot_msg_embed(m) == NULL);
    EXPECT(m, DBOT_ETOOBIG, "embeds: more than 10 embeds");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    s = rep("t", 257);
    dbot_embed_title(e, s);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[0].title: longer than 256 characters "
           "(257)");

    m = dbot_msg_new();
    dbot_msg_embed(m);
    e = dbot_msg_embed(m);
    s = rep("d", 4097);
    dbot_embed_description(e, s);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[1].description: longer than 4096 "
           "characters (4097)");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    for (i = 0; i < 3; i++)
        dbot_embed_field(e, "n", "v", false);
    s = rep("v", 1025);
    ASSERT_EQ(dbot_embed_field(e, "n", s, true), DBOT_ETOOBIG);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[0].fields[3].value: longer than 1024 "
           "characters (1025)");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    s = rep("n", 257);
    dbot_embed_field(e, s, "v", false);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[0].fields[0].name: longer than 256 "
           "characters (257)");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    dbot_embed_field(e, "n", "", false);
    EXPECT(m, DBOT_EINVAL,
           "embeds[0].fields[0].value: empty (1-1024 "
           "characters)");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    for (i = 0; i < 25; i++)
        ASSERT_EQ(dbot_embed_field(e, "n", "v", true), 0);
    dbot_embed_field(e, "n", "v", true);
    EXPECT(m, DBOT_ETOOBIG, "embeds[0].fields: more than 25");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    s = rep("f", 2049);
    dbot_embed_footer(e, s, NULL);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[0].footer.text: longer than 2048 "
           "characters (2049)");

    m = dbot_msg_new();
    e = dbot_msg_embed(m);
    s = rep("a", 257);
    dbot_embed_author(e, s, NULL, NULL);
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[0].author.name: longer than 256 "
           "characters (257)");

    m = dbot_msg_new();
    dbot_embed_color(dbot_msg_embed(m), 0x1000000);
    EXPECT(m, DBOT_EINVAL, "embeds[0].color: 0x1000000 is not 0xRRGGBB");

    m = dbot_msg_new();
    dbot_embed_timestamp(dbot_msg_embed(m), -1);
    EXPECT(m, DBOT_EINVAL, "embeds[0].timestamp: -1 ms is out of range");
}

TEST(embed_total_6000)
{
    dbot_msg *m = dbot_msg_new();
    char *s = rep("x", 4000);
    dbot_embed *e;

    dbot_embed_description(dbot_msg_embed(m), s); /* 4000 */
    e = dbot_msg_embed(m);
    dbot_embed_description(e, s + 2000); /* 6000: exactly the limit */
    ASSERT_TRUE(dbot_msg_error(m) == NULL);
    dbot_embed_title(e, "!");
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "embeds[1]: all embeds together have 6001 "
           "characters; the limit is 6000");
}

TEST(component_limits)
{
    dbot_msg *m;
    dbot_row *r;
    char id[8], *s;
    int i;

    m = dbot_msg_new();
    for (i = 0; i < 5; i++)
        ASSERT_TRUE(dbot_msg_row(m) != NULL);
    ASSERT_TRUE(dbot_msg_row(m) == NULL);
    EXPECT(m, DBOT_ETOOBIG, "components: more than 5 action rows");

    m = dbot_msg_new();
    r = dbot_msg_row(m);
    for (i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "b%d", i);
        dbot_row_button(
            r, &(dbot_button){ .style = 1, .label = "x", .custom_id = id });
    }
    EXPECT(m, DBOT_ETOOBIG,
           "components[0].components[5]: more than 5 "
           "buttons in a row");

    m = dbot_msg_new();
    r = dbot_msg_row(m);
    dbot_row_button(
        r, &(dbot_button){ .style = 1, .label = "x", .custom_id = "a" });
    dbot_row_select(
        r, &(dbot_select){ .type = DBOT_SELECT_ROLE, .custom_id = "s" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[1]: a select must be "
           "alone in its action row");

    m = dbot_msg_new();
    r = dbot_msg_row(m);
    dbot_row_select(
        r, &(dbot_select){ .type = DBOT_SELECT_ROLE, .custom_id = "s" });
    dbot_row_button(
        r, &(dbot_button){ .style = 1, .label = "x", .custom_id = "a" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: a row with a "
           "select holds nothing else");

    m = dbot_msg_new();
    dbot_row_button(
        dbot_msg_row(m),
        &(dbot_button){ .style = 1, .label = "x", .custom_id = "dup" });
    dbot_row_select(dbot_msg_row(m),
                    &(dbot_select){ .type = 5, .custom_id = "dup" });
    EXPECT(m, DBOT_EINVAL,
           "components[1].components[0].custom_id: \"dup\" "
           "is already used");

    m = dbot_msg_new();
    s = rep("i", 101);
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = 2, .label = "x", .custom_id = s });
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "components[0].components[0].custom_id: longer "
           "than 100 characters (101)");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = 3, .label = "x" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].custom_id: empty "
           "(1-100 characters)");

    m = dbot_msg_new();
    s = rep("l", 81);
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = 1, .label = s, .custom_id = "a" });
    free(s);
    EXPECT(m, DBOT_ETOOBIG,
           "components[0].components[0].label: longer "
           "than 80 characters (81)");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m), &(dbot_button){ .style = 5,
                                                     .label = "x",
                                                     .custom_id = "a",
                                                     .url = "https://x" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: link buttons have "
           "a url, not a custom_id");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = 5, .label = "x" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].url: empty (1-512 "
           "characters)");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m), &(dbot_button){ .style = 1,
                                                     .label = "x",
                                                     .custom_id = "a",
                                                     .url = "https://x" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: only link buttons "
           "(style 5) have a url");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .label = "x", .custom_id = "a" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].style: 0 is not "
           "1-5");

    m = dbot_msg_new();
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = 1, .custom_id = "a" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: needs a label or "
           "an emoji");

    m = dbot_msg_new();
    dbot_row_button(
        dbot_msg_row(m),
        &(dbot_button){ .style = 1, .emoji = "<:broken>", .custom_id = "a" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].emoji: "
           "\"<:broken>\" is neither a Unicode emoji nor "
           "<:name:id>");
}

TEST(select_limits)
{
    dbot_select_option many[27];
    char vals[26][8];
    dbot_msg *m;
    int i;

    memset(many, 0, sizeof many);
    for (i = 0; i < 26; i++) {
        snprintf(vals[i], sizeof vals[i], "v%d", i);
        many[i] = (dbot_select_option){ .label = vals[i], .value = vals[i] };
    }
    m = dbot_msg_new();
    dbot_row_select(dbot_msg_row(m),
                    &(dbot_select){ .custom_id = "s", .options = many });
    EXPECT(m, DBOT_ETOOBIG,
           "components[0].components[0].options: more "
           "than 25");

    m = dbot_msg_new();
    dbot_row_select(dbot_msg_row(m), &(dbot_select){ .custom_id = "s" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].options: a string "
           "select needs 1-25 options");

    many[2] = (dbot_select_option){ 0 }; /* two options from here on */
    m = dbot_msg_new();
    dbot_row_select(
        dbot_msg_row(m),
        &(dbot_select){ .custom_id = "s", .options = many, .max_values = 3 });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: min/max_values "
           "exceed the 2 options");

    m = dbot_msg_new();
    dbot_row_select(dbot_msg_row(m), &(dbot_select){ .custom_id = "s",
                                                     .options = many,
                                                     .min_values = 2,
                                                     .max_values = 1 });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0]: min_values 2 is "
           "above max_values 1");

    many[1].value = "v0";
    m = dbot_msg_new();
    dbot_row_select(dbot_msg_row(m),
                    &(dbot_select){ .custom_id = "s", .options = many });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].options[1].value: "
           "\"v0\" is used twice");
    many[1].value = vals[1];

    m = dbot_msg_new();
    dbot_row_select(dbot_msg_row(m),
                    &(dbot_select){ .type = 4, .custom_id = "s" });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].type: 4 is not a "
           "select (3, 5-8)");

    m = dbot_msg_new();
    dbot_row_select(
        dbot_msg_row(m),
        &(dbot_select){ .type = 5, .custom_id = "s", .options = many });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].options: only "
           "string selects have options");

    m = dbot_msg_new();
    dbot_row_select(
        dbot_msg_row(m),
        &(dbot_select){ .type = 5, .custom_id = "s", .channel_types = 1 });
    EXPECT(m, DBOT_EINVAL,
           "components[0].components[0].channel_types: "
           "only channel selects");

    m = dbot_msg_new();
    {
        char *p = malloc(152);

        memset(p, 'p', 151);
        p[151] = '\0';
        dbot_row_select(
            dbot_msg_row(m),
            &(dbot_select){ .type = 6, .custom_id = "s", .placeholder = p });
        free(p);
    }
    EXPECT(m, DBOT_ETOOBIG,
           "components[0].components[0].placeholder: "
           "longer than 150 characters (151)");
}

static void
expect_modal_(dbot_modal *md, const char *err, int line)
{
    const char *got = dbot_modal_error(md);
    cJSON *j = dbot_modal_json(md);

    if (j) {
        cJSON_Delete(j);
        CHECK_FAIL_("line %d: json produced, wanted \"%s\"", line, err);
    }
    if (!got || strcmp(got, err) != 0)
        CHECK_FAIL_("line %d: error \"%s\", wanted \"%s\"", line,
                    got ? got : "(null)", err);
    dbot_modal_free(md);
}
#define EXPECT_MODAL(md, err) expect_modal_(md, err, __LINE__)

TEST(modal_limits)
{
    static const dbot_text_input ti = { .custom_id = "a", .label = "A" };
    dbot_modal *md;
    char id[8];
    int i;

    EXPECT_MODAL(dbot_modal_new("m", "Title"),
                 "components: a modal needs 1-5 components");
    EXPECT_MODAL(dbot_modal_new("m", "0123456789012345678901234567890123456789"
                                     "012345"),
                 "title: longer than 45 characters (46)");
    EXPECT_MODAL(dbot_modal_new("", "T"),
                 "custom_id: empty (1-100 characters)");

    md = dbot_modal_new("m", "T");
    for (i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "t%d", i);
        dbot_modal_text(md,
                        &(dbot_text_input){ .custom_id = id, .label = "L" });
    }
    EXPECT_MODAL(md, "components: more than 5");

    md = dbot_modal_new("m", "T");
    dbot_modal_text(md, &ti);
    dbot_modal_text(md, &ti);
    EXPECT_MODAL(md, "components[1].component.custom_id: \"a\" is already "
                     "used");

    md = dbot_modal_new("m", "T");
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "a",
                                            .label = "0123456789012345678901"
                                                     "234567890123456789012"
                                                     "345" });
    EXPECT_MODAL(md, "components[0].label: longer than 45 characters (46)");

    md = dbot_modal_new("m", "T");
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "a",
                                            .label = "L",
                                            .min_length = 5,
                                            .max_length = 2 });
    EXPECT_MODAL(md, "components[0].component: min_length 5 is above "
                     "max_length 2");

    md = dbot_modal_new("m", "T");
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "a",
                                            .label = "L",
                                            .max_length = 4001 });
    EXPECT_MODAL(md, "components[0].component: min_length/max_length must "
                     "be 0-4000");

    md = dbot_modal_new("m", "T");
    dbot_modal_text(
        md, &(dbot_text_input){ .custom_id = "a", .label = "L", .style = 3 });
    EXPECT_MODAL(md, "components[0].component.style: 3 is not 1 or 2");

    md = dbot_modal_new("m", "T");
    dbot_modal_select(
        md, "L", NULL,
        &(dbot_select){ .type = 5, .custom_id = "u", .disabled = true });
    EXPECT_MODAL(md, "components[0].component: nothing in a modal is "
                     "disabled");
}

TEST(null_handles_are_harmless)
{
    dbot_msg *m = dbot_msg_new();
    dbot_embed *e;

    ASSERT_STREQ(dbot_msg_error(NULL), "out of memory");
    ASSERT_TRUE(dbot_msg_json(NULL) == NULL);
    ASSERT_EQ(dbot_msg_content(NULL, "x"), DBOT_ENOMEM);
    ASSERT_EQ(dbot_embed_title(NULL, "x"), DBOT_ENOMEM);
    ASSERT_EQ(dbot_embed_footer(NULL, "x", "y"), DBOT_ENOMEM);
    ASSERT_EQ(dbot_embed_author(NULL, "x", "y", "z"), DBOT_ENOMEM);
    ASSERT_EQ(dbot_row_button(NULL, &(dbot_button){ .style = 1 }), DBOT_ENOMEM);
    ASSERT_EQ(dbot_msg_set_raw(NULL, "poll", cJSON_CreateObject()),
              DBOT_ENOMEM); /* value freed: valgrind checks */
    ASSERT_TRUE(dbot_modal_json(NULL) == NULL);
    ASSERT_STREQ(dbot_modal_error(NULL), "out of memory");
    dbot_msg_free(NULL);
    dbot_modal_free(NULL);

    /* after an error, handles come back NULL and calls on them no-op */
    for (int i = 0; i < 11; i++)
        e = dbot_msg_embed(m);
    ASSERT_TRUE(e == NULL);
    ASSERT_EQ(dbot_embed_title(e, "x"), DBOT_ENOMEM);
    ASSERT_TRUE(dbot_msg_row(m) == NULL);
    ASSERT_EQ(dbot_msg_flags(m, DBOT_MSG_EPHEMERAL), DBOT_ETOOBIG);
    ASSERT_EQ(dbot_msg_set_raw(m, "poll", cJSON_CreateObject()), DBOT_ETOOBIG);
    ASSERT_STREQ(dbot_msg_error(m), "embeds: more than 10 embeds");
    dbot_msg_free(m);
}

TEST(empty_message_and_rows)
{
    dbot_msg *m = dbot_msg_new();

    ASSERT_JSON_EQ(dbot_msg_json(m), "{}");
    dbot_msg_row(m);
    ASSERT_JSON_EQ(dbot_msg_json(m), "{}");
    dbot_msg_flags(m, DBOT_MSG_EPHEMERAL);
    ASSERT_JSON_EQ(dbot_msg_json(m), "{\"flags\":64}");
    dbot_msg_free(m);
}

TEST(autocomplete_results)
{
    dbot_choice many[30];
    char names[30][8], err[128];
    cJSON *j;
    int i;

    for (i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        many[i] = (dbot_choice){
            .name = names[i], .str = names[i], .integer = i, .number = i + 0.5
        };
    }
    ASSERT_JSON_EQ(
        dbot_autocomplete_json(many, 2, DBOT_OPT_STRING, err, sizeof err),
        "{\"choices\":[{\"name\":\"c0\",\"value\":\"c0\"},"
        "{\"name\":\"c1\",\"value\":\"c1\"}]}");
    ASSERT_JSON_EQ(
        dbot_autocomplete_json(many + 1, 2, DBOT_OPT_INTEGER, err, sizeof err),
        "{\"choices\":[{\"name\":\"c1\",\"value\":1},"
        "{\"name\":\"c2\",\"value\":2}]}");
    ASSERT_JSON_EQ(
        dbot_autocomplete_json(many, 1, DBOT_OPT_NUMBER, err, sizeof err),
        "{\"choices\":[{\"name\":\"c0\",\"value\":0.5}]}");
    ASSERT_JSON_EQ(
        dbot_autocomplete_json(NULL, 0, DBOT_OPT_STRING, err, sizeof err),
        "{\"choices\":[]}");
    /* more than 25: the first 25 */
    j = dbot_autocomplete_json(many, 30, DBOT_OPT_STRING, err, sizeof err);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "choices")), 25);
    cJSON_Delete(j);
    many[1].str = NULL;
    ASSERT_TRUE(dbot_autocomplete_json(many, 2, DBOT_OPT_STRING, err,
                                       sizeof err) == NULL);
    ASSERT_STREQ(err, "choices[1].str: empty (1-100 characters)");
    ASSERT_TRUE(dbot_autocomplete_json(many, 2, DBOT_OPT_BOOLEAN, err,
                                       sizeof err) == NULL);
    ASSERT_STREQ(err, "type: 5 is not STRING, INTEGER or NUMBER");
}

TEST(utf8_counts_code_points_strictly)
{
    char *s;
    dbot_msg *m;

    ASSERT_EQ(dbot__utf8_len(""), 0);
    ASSERT_EQ(dbot__utf8_len(NULL), 0);
    ASSERT_EQ(dbot__utf8_len("a\xC3\xA9\xE0\xA4\xA8\xF0\x9F\x91\x8D"), 4);
    ASSERT_EQ(dbot__utf8_len("\xC0\xAF"), -1);         /* overlong '/' */
    ASSERT_EQ(dbot__utf8_len("\xE0\x80\xAF"), -1);     /* overlong */
    ASSERT_EQ(dbot__utf8_len("\xED\xA0\x80"), -1);     /* surrogate */
    ASSERT_EQ(dbot__utf8_len("\xF4\x90\x80\x80"), -1); /* > U+10FFFF */
    ASSERT_EQ(dbot__utf8_len("\xE2\x82"), -1);         /* truncated */
    ASSERT_EQ(dbot__utf8_len("\x80"), -1);             /* lone continuation */
    /* 2000 four-byte emoji are 2000 characters */
    m = dbot_msg_new();
    s = rep("\xF0\x9F\x91\x8D", 2000);
    ASSERT_EQ(dbot_msg_content(m, s), 0);
    free(s);
    s = rep("\xF0\x9F\x91\x8D", 2001);
    dbot_msg_content(m, s);
    free(s);
    EXPECT(m, DBOT_ETOOBIG, "content: longer than 2000 characters (2001)");
}

int
main(void)
{
    RUN(plain_content_pings_users_only);
    RUN(flags_and_mentions);
    RUN(full_embed);
    RUN(buttons_and_selects);
    RUN(modal_label_layout);
    RUN(raw_escape_hatch);
    RUN(content_limits);
    RUN(long_contentf_is_checked);
    RUN(embed_limits);
    RUN(embed_total_6000);
    RUN(component_limits);
    RUN(select_limits);
    RUN(modal_limits);
    RUN(null_handles_are_harmless);
    RUN(empty_message_and_rows);
    RUN(autocomplete_results);
    RUN(utf8_counts_code_points_strictly);
    return 0;
}
