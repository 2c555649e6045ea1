/*
 * test_emoji.c: emoji parsing (shared by component emoji and reactions) and
 * the reaction route segment, which must be percent-encoded exactly once.
 */
#include "../check.h"
#include "emoji.h"

/* The {emoji} segment of s, or the parse error's phrase. */
static const char *
segment(const char *s, char *buf)
{
    struct dbot__emoji e;
    enum dbot__emoji_err err = dbot__emoji_parse(s, &e);

    if (err)
        return dbot__emoji_why(err);
    dbot__emoji_segment(&e, buf);
    return buf;
}

TEST(unicode_emoji_are_encoded_once)
{
    char b[DBOT__EMOJI_SEG_MAX];

    ASSERT_STREQ(segment("👍", b), "%F0%9F%91%8D");
    /* Keycap: '#', VS16, COMBINING ENCLOSING KEYCAP; '#' must not end the
     * URL path. */
    ASSERT_STREQ(segment("#️⃣", b), "%23%EF%B8%8F%E2%83%A3");
    ASSERT_STREQ(segment("1️⃣", b), "1%EF%B8%8F%E2%83%A3");
    ASSERT_STREQ(segment("*️⃣", b), "%2A%EF%B8%8F%E2%83%A3");
    /* A flag is two regional indicators. */
    ASSERT_STREQ(segment("🇫🇷", b), "%F0%9F%87%AB%F0%9F%87%B7");
    ASSERT_STREQ(segment("©", b), "%C2%A9");
}

TEST(custom_emoji_become_name_colon_id)
{
    char b[DBOT__EMOJI_SEG_MAX];
    struct dbot__emoji e;

    ASSERT_STREQ(segment("<:blob:123>", b), "blob:123");
    ASSERT_STREQ(segment("<a:dance:456>", b), "dance:456");
    ASSERT_STREQ(segment("party_2:41771983429993937", b),
                 "party_2:41771983429993937");
    ASSERT_EQ(dbot__emoji_parse("<a:dance:456>", &e), DBOT__EMOJI_OK);
    ASSERT_EQ(e.animated, 1);
    ASSERT_EQ(dbot__emoji_parse("<:blob:123>", &e), DBOT__EMOJI_OK);
    ASSERT_EQ(e.animated, 0);
}

TEST(longest_emoji_fit)
{
    char b[DBOT__EMOJI_SEG_MAX];
    /* Family with four skin tones: 41 bytes, 15 code points. */
    const char *family = "👨🏻‍👩🏻‍👧🏻‍👦🏻";
    /* England: black flag plus tag characters. */
    const char *england = "🏴󠁧󠁢󠁥󠁮󠁧󠁿";

    ASSERT_EQ(strlen(segment(family, b)), 3 * strlen(family));
    ASSERT_EQ(strlen(segment(england, b)), 3 * strlen(england));
}

TEST(bad_emoji_are_refused)
{
    struct dbot__emoji e;
    char big[DBOT__EMOJI_MAX + 8];

    ASSERT_EQ(dbot__emoji_parse(NULL, &e), DBOT__EMOJI_EMPTY);
    ASSERT_EQ(dbot__emoji_parse("", &e), DBOT__EMOJI_EMPTY);
    ASSERT_EQ(dbot__emoji_parse("\xF0\x9F\x91", &e), DBOT__EMOJI_UTF8);
    ASSERT_EQ(dbot__emoji_parse("\xC0\xAF", &e), DBOT__EMOJI_UTF8);
    /* Already encoded: encoding again would make Discord see "%F0...". */
    ASSERT_EQ(dbot__emoji_parse("%F0%9F%91%8D", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse(":thumbsup:", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("thumbsup", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("#", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("👍 ", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("👍/@me", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<:broken>", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<:blob:12a>", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<:blob:123", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<b:blob:123>", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<a>", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<>", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse(":123", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("blob:", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("bl/ob:1", &e), DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("blob:123456789012345678901", &e),
              DBOT__EMOJI_FORM);
    ASSERT_EQ(dbot__emoji_parse("<:a_name_longer_than_thirty_two_chars:1>", &e),
              DBOT__EMOJI_LONG);
    for (size_t i = 0; i + 4 <= sizeof big - 1; i += 4)
        memcpy(big + i, "\xF0\x9F\x91\x8D", 4);
    big[sizeof big - 1 - (sizeof big - 1) % 4] = '\0';
    ASSERT_EQ(dbot__emoji_parse(big, &e), DBOT__EMOJI_LONG);
    ASSERT_STREQ(dbot__emoji_why(DBOT__EMOJI_LONG), "too long");
}

int
main(void)
{
    RUN(unicode_emoji_are_encoded_once);
    RUN(custom_emoji_become_name_colon_id);
    RUN(longest_emoji_fit);
    RUN(bad_emoji_are_refused);
    return 0;
}
