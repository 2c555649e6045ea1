/*
 * torture_message.c: the message, modal and autocomplete builders
 * (<dbot/message.h>) with each allocation failing in turn. A builder that
 * meets an allocation failure records it: dbot_msg_json() / _modal_json()
 * then return NULL and the error says "out of memory". What must never
 * happen is a message that comes out with a piece silently missing.
 */
#include "../check.h"
#include "torture.h"

#include <dbot/message.h>

/* Returns the printed JSON (the caller frees it), or NULL with *rc set. */
static char *
print_or_error(cJSON *json, const char *error, int *rc)
{
    char *text;

    if (!json) {
        if (!error || !strstr(error, "out of memory")) {
            fprintf(stderr, "builder: no JSON, error \"%s\"\n",
                    error ? error : "(none)");
            *rc = 1;
        } else {
            *rc = DBOT_ENOMEM;
        }
        return NULL;
    }
    text = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    if (!text)
        *rc = DBOT_ENOMEM;
    return text;
}

/* The good run's text is kept (in static memory: an allocation would
 * count as the run's own); every later successful run must match. */
#define GOOD_MAX 4096

static int
compare(char *good, const char *now)
{
    if (!good[0]) {
        if (strlen(now) >= GOOD_MAX)
            return 1;
        strcpy(good, now);
        return TORTURE_OK;
    }
    if (strcmp(good, now) != 0) {
        fprintf(stderr, "builder: got  %s\nbuilder: want %s\n", now, good);
        return 1;
    }
    return TORTURE_OK;
}

/* ---- a message with every kind of part ----------------------------------- */

static char good_msg[GOOD_MAX];

static int
build_message(void *arg)
{
    static const dbot_select_option lunch[] = {
        { .label = "Pizza", .value = "pizza", .emoji = "🍕" },
        { .label = "Soup",
          .value = "soup",
          .description = "hot",
          .is_default = true },
        { 0 }
    };
    static const uint64_t users[] = { 53908232506183680ULL };
    dbot_msg *m = dbot_msg_new();
    dbot_embed *e;
    dbot_row *r;
    cJSON *raw, *json;
    char *text;
    int rc = TORTURE_OK;

    (void)arg;
    dbot_msg_contentf(m, "Vote, <@%llu>!", (unsigned long long)users[0]);
    dbot_msg_flags(m, DBOT_MSG_SUPPRESS_NOTIFICATIONS);
    dbot_msg_mention_user(m, users[0]);
    dbot_msg_reply_to(m, 1100000000000000111ULL, false);
    e = dbot_msg_embed(m);
    dbot_embed_title(e, "Lunch");
    dbot_embed_description(e, "Pick one");
    dbot_embed_url(e, "https://example.com/lunch");
    dbot_embed_color(e, 0x5865f2);
    dbot_embed_timestamp(e, 1700000000000);
    dbot_embed_footer(e, "poll", "https://example.com/i.png");
    dbot_embed_image(e, "https://example.com/big.png");
    dbot_embed_thumbnail(e, "https://example.com/small.png");
    dbot_embed_author(e, "bot", "https://example.com", NULL);
    dbot_embed_field(e, "Pizza", "3 votes", true);
    dbot_embed_field(e, "Soup", "1 vote", true);
    dbot_embed_title(dbot_msg_embed(m), "Second");
    r = dbot_msg_row(m);
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
                                       .label = "Yes",
                                       .emoji = "👍",
                                       .custom_id = "vote:yes" });
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_LINK,
                                       .label = "Menu",
                                       .emoji = "<:menu:123456789012345678>",
                                       .url = "https://example.com/menu" });
    dbot_row_select(dbot_msg_row(m), &(dbot_select){ .custom_id = "lunch",
                                                     .placeholder = "Lunch?",
                                                     .options = lunch,
                                                     .max_values = 2 });
    /* The raw value is the caller's allocation: its failure is ours. */
    raw = cJSON_CreateFalse();
    if (!raw) {
        dbot_msg_free(m);
        return DBOT_ENOMEM;
    }
    dbot_msg_set_raw(m, "tts", raw);
    json = dbot_msg_json(m); /* before dbot_msg_error, which it informs */
    text = print_or_error(json, dbot_msg_error(m), &rc);
    dbot_msg_free(m);
    if (text)
        rc = compare(good_msg, text);
    free(text);
    return rc;
}

/* ---- a modal ------------------------------------------------------------- */

static char good_modal[GOOD_MAX];

static int
build_modal(void *arg)
{
    static const dbot_select_option sizes[] = {
        { .label = "Small", .value = "s" },
        { .label = "Large", .value = "l", .emoji = "🐘" },
        { 0 }
    };
    dbot_modal *md = dbot_modal_new("feedback", "Tell us");
    cJSON *json;
    char *text;
    int rc = TORTURE_OK;

    (void)arg;
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "name",
                                            .label = "Name",
                                            .placeholder = "you",
                                            .max_length = 40 });
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = "text",
                                            .label = "Comment",
                                            .description = "anything",
                                            .style = DBOT_TEXT_PARAGRAPH,
                                            .optional = true,
                                            .value = "Good bot" });
    dbot_modal_select(md, "Size", "pick one",
                      &(dbot_select){ .custom_id = "size", .options = sizes });
    json = dbot_modal_json(md);
    text = print_or_error(json, dbot_modal_error(md), &rc);
    dbot_modal_free(md);
    if (text)
        rc = compare(good_modal, text);
    free(text);
    return rc;
}

/* ---- autocomplete choices --------------------------------------------------
 */

static char good_choices[GOOD_MAX];

static int
build_choices(void *arg)
{
    static const dbot_choice c[] = {
        { .name = "life", .str = "life" },
        { .name = "love", .str = "love" },
        { .name = "the universe", .str = "universe" },
    };
    char err[128] = "", *text;
    cJSON *j;
    int rc = TORTURE_OK;

    (void)arg;
    j = dbot_autocomplete_json(c, 3, DBOT_OPT_STRING, err, sizeof err);
    text = print_or_error(j, err, &rc);
    if (text)
        rc = compare(good_choices, text);
    free(text);
    return rc;
}

TEST(message_builder_fails_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ENOMEM, 0 };

    ASSERT_TRUE(torture_run("message", build_message, NULL, errors) > 20);
}

TEST(modal_builder_fails_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ENOMEM, 0 };

    ASSERT_TRUE(torture_run("modal", build_modal, NULL, errors) > 10);
}

TEST(autocomplete_builder_fails_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ENOMEM, 0 };

    ASSERT_TRUE(torture_run("choices", build_choices, NULL, errors) > 5);
}

int
main(void)
{
    torture_init();
    RUN(message_builder_fails_cleanly_at_every_allocation);
    RUN(modal_builder_fails_cleanly_at_every_allocation);
    RUN(autocomplete_builder_fails_cleanly_at_every_allocation);
    return 0;
}
