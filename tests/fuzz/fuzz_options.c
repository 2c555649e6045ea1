/*
 * fuzz_options.c: the interaction getters, the command comparison and the
 * builders' hand-written string parsing (emoji, UTF-8) on arbitrary input.
 * Beyond "no crash", it checks the getters' contracts: results are 1, 0
 * or DBOT_EINVAL, defaults come back when nothing valid is present, and
 * INTEGER values stay in the exact double range.
 */
#include "command.h"
#include "message.h"
#include "options.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "user", "channel", "n", "a",
                                     "text", "value",   "" };

static void
check(int ok)
{
    if (!ok)
        abort();
}

static void
getters(const cJSON *ix)
{
    char path[64];
    const char *s, *name, *value;
    uint64_t u;
    int64_t i;
    double d;
    bool b;
    dbot_ref r;
    size_t k;
    int rc;

    (void)dbot_ix_type(ix);
    (void)dbot_ix_id(ix);
    (void)dbot_ix_application_id(ix);
    (void)dbot_ix_token(ix);
    (void)dbot_ix_guild_id(ix);
    (void)dbot_ix_channel_id(ix);
    (void)dbot_ix_locale(ix);
    (void)dbot_ix_guild_locale(ix);
    (void)dbot_ix_context(ix);
    (void)dbot_ix_user(ix);
    (void)dbot_ix_user_id(ix);
    (void)dbot_ix_member(ix);
    rc = dbot_ix_app_permissions(ix, &u);
    check(rc == 1 || (rc <= 0 && u == 0));
    rc = dbot_ix_member_permissions(ix, &u);
    check(rc == 1 || (rc <= 0 && u == 0));
    (void)dbot_ix_command_name(ix);
    (void)dbot_ix_command_id(ix);
    (void)dbot_ix_command_type(ix);
    rc = dbot_ix_command_path(ix, path, sizeof path);
    check(rc < 0 || (size_t)rc == strlen(path));
    (void)dbot_ix_target(ix, NULL);
    (void)dbot_option_list(dbot_options_of(ix));
    (void)dbot_option_focused(dbot_options_of(ix), &name, &value);
    (void)dbot_ix_custom_id(ix);
    (void)dbot_ix_component_type(ix);
    for (rc = -1; rc <= dbot_ix_values_count(ix) && rc < 30; rc++)
        (void)dbot_ix_value(ix, rc);
    (void)dbot_ix_message(ix);
    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        const char *n = names[k];

        const dbot_options *o = dbot_options_of(ix);
        int type = dbot_option_type(o, n);

        s = dbot_option_str(o, n, "d");
        check(s != NULL);
        check(type == DBOT_OPT_STRING || !dbot_option_find(o, n) ||
              !strcmp(s, "d") || type == 0);
        i = dbot_option_int(o, n, 7);
        check(i == 7 || (i <= 9007199254740991LL && i >= -9007199254740991LL));
        d = dbot_option_num(o, n, 0.5);
        check(d == d); /* never NaN: non-finite values give the default */
        b = dbot_option_bool(o, n, true);
        check(b || type == DBOT_OPT_BOOLEAN || type == 0);
        rc = dbot_option_user(o, n, &r);
        check(rc == 1 ? r.id != 0 : r.id == 0 && !r.object);
        (void)dbot_option_channel(o, n, &r);
        (void)dbot_option_role(o, n, &r);
        (void)dbot_option_mentionable(o, n, &r);
        (void)dbot_option_attachment(o, n, &r);
        (void)dbot_ix_modal_value(ix, n);
        (void)dbot_ix_resolved(ix, "users", k + 1);
    }
}

static void
builders(const char *text)
{
    dbot_msg *m = dbot_msg_new();
    dbot_modal *md = dbot_modal_new(text, text);
    cJSON *j;

    dbot_msg_content(m, text);
    dbot_embed_title(dbot_msg_embed(m), text);
    dbot_row_button(dbot_msg_row(m),
                    &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
                                    .emoji = text,
                                    .custom_id = "x" });
    j = dbot_msg_json(m);
    check(!j == !!dbot_msg_error(m));
    cJSON_Delete(j);
    dbot_msg_free(m);
    dbot_modal_text(md, &(dbot_text_input){ .custom_id = text, .label = text });
    j = dbot_modal_json(md);
    check(!j == !!dbot_modal_error(md));
    cJSON_Delete(j);
    dbot_modal_free(md);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *ix = cJSON_ParseWithLength((const char *)data, size);
    char *text;

    if (ix) {
        getters(ix);
        /* arbitrary JSON on both sides of the comparison */
        (void)dbot__commands_equal(ix, ix);
        (void)dbot__commands_equal(cJSON_GetObjectItem(ix, "data"), ix);
        cJSON_Delete(ix);
    }
    if (size < 4096 && (text = malloc(size + 1))) {
        memcpy(text, data, size);
        text[size] = '\0';
        builders(text);
        free(text);
    }
    return 0;
}
