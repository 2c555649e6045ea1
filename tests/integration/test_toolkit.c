/*
 * test_toolkit.c: the handler toolkit around answers, through a running
 * bot and the fake Discord: dbot_run names a command without a handler and
 * a handler without a command; a handler asking for an undeclared option
 * gets a debug line; fallback answers speak the user's language and name
 * what was used ("this button"); edits, followups and a worker's answer
 * take the message builder.
 */
#include "harness.h"

#include <dbot/command.h>
#include <dbot/interaction.h>

static struct harness H;
static dbot_interaction *kept;
static atomic_int step_rc = 1;

static const dbot_option greet_opts[] = {
    { .type = DBOT_OPT_STRING, .name = "name", .description = "who" },
    { 0 },
};
static const dbot_command greet = { .name = "greet",
                                    .description = "Say hello",
                                    .options = greet_opts };
static const dbot_command mod = { .name = "mod", .description = "Moderate" };
static const dbot_command brew = { .name = "brew", .description = "Brew" };
static const dbot_command report_cmd = { .name = "report",
                                         .description = "A file" };

static int
on_greet(dbot_interaction *ix, void *data)
{
    const dbot_options *o = dbot_interaction_options(ix);
    dbot_msg *m = dbot_msg_new();
    int rc;

    (void)data;
    (void)dbot_option_str(o, "nmae", NULL); /* the typo to be named */
    dbot_msg_contentf(m, "hello %s", dbot_option_str(o, "name", "you"));
    rc = dbot_interaction_reply_msg(ix, m);
    dbot_msg_free(m);
    kept = dbot_interaction_ref(ix);
    return rc;
}

static int
on_typo(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "never");
}

static void
brew_work(dbot_work *w)
{
    dbot_msg *m = dbot_msg_new();

    dbot_msg_content(m, "brewed by a worker");
    dbot_embed_title(dbot_msg_embed(m), "tea");
    dbot_work_reply_msg(w, m);
    dbot_msg_free(m);
}

static int
on_brew(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, brew_work, NULL);
}

/* The first answer carries the file (multipart callback). */
static int
on_report(dbot_interaction *ix, void *data)
{
    static const char report[] = "hello file";
    dbot_rest_file f = { .filename = "r.txt",
                         .content_type = "text/plain",
                         .data = report,
                         .len = sizeof report - 1 };
    cJSON *m = cJSON_CreateObject();
    int rc;

    (void)data;
    cJSON_AddStringToObject(m, "content", "see the file");
    rc = dbot_interaction_reply_files(ix, m, &f, 1);
    /* Answered already: a second reply is refused. */
    if (rc == 0 && dbot_interaction_reply_files(ix, m, &f, 1) != DBOT_ESTATE)
        rc = -1;
    cJSON_Delete(m);
    return rc;
}

static void
setup(dbot *bot, void *arg)
{
    const dbot_command *cmds[] = { &greet, &mod, &brew, &report_cmd };

    (void)arg;
    ASSERT_EQ(dbot_commands_set(bot, cmds, 4), 0);
    ASSERT_EQ(dbot_on_command(bot, "report", on_report, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "greet", on_greet, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "gret", on_typo, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "brew", on_brew, NULL), 0);
    ASSERT_EQ(dbot_interaction_set_fallback_text(
                  bot, DBOT_FALLBACK_UNKNOWN, "de",
                  "Leider geht dieser {what} gerade nicht."),
              0);
    ASSERT_EQ(dbot_interaction_set_fallback_text(
                  bot, DBOT_FALLBACK_UNKNOWN, "es-ES",
                  "Lo siento, este {what} no está disponible."),
              0);
    ASSERT_EQ(dbot_interaction_set_fallback_text(bot, DBOT_FALLBACK_UNKNOWN,
                                                 "xx", "no"),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_interaction_set_fallback_text(bot, 99, NULL, "no"),
              DBOT_EINVAL);
}

static void
edit_and_follow(dbot *bot, void *arg)
{
    dbot_msg *m = dbot_msg_new();
    int rc;

    (void)bot;
    (void)arg;
    dbot_msg_content(m, "edited by the builder");
    rc = dbot_interaction_original_edit_msg(kept, m);
    if (rc == 0) {
        dbot_msg_content(m, "a followup from the builder");
        rc = dbot_interaction_followup_msg(kept, m);
    }
    dbot_msg_free(m);
    atomic_store(&step_rc, rc);
}

static void
send_files(dbot *bot, void *arg)
{
    static const char report[] = "hello file";
    dbot_rest_file f = { .filename = "r.txt",
                         .content_type = "text/plain",
                         .data = report,
                         .len = sizeof report - 1 };
    cJSON *m = cJSON_CreateObject();
    int rc;

    (void)bot;
    (void)arg;
    cJSON_AddStringToObject(m, "content", "see the file");
    rc = dbot_interaction_original_edit_files(kept, m, &f, 1);
    if (rc == 0)
        rc = dbot_interaction_followup_files(kept, m, &f, 1);
    /* Refused before anything is sent. */
    if (rc == 0 &&
        dbot_interaction_followup_files(kept, m, NULL, 1) != DBOT_EINVAL)
        rc = -1;
    cJSON_Delete(m);
    atomic_store(&step_rc, rc);
}

/* Requests with this method whose path ends in `tail`, multipart, with
 * the file in them. */
static int
multipart_with_file(const char *method, const char *tail)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(H.fc, &reqs), c = 0;

    for (int i = 0; i < n; i++) {
        size_t pl = strlen(reqs[i].path), tl = strlen(tail);

        c += !strcmp(reqs[i].method, method) && pl >= tl &&
             !strcmp(reqs[i].path + pl - tl, tail) &&
             !strncmp(reqs[i].content_type, "multipart/form-data", 19) &&
             strstr((const char *)reqs[i].body, "filename=\"r.txt\"") &&
             strstr((const char *)reqs[i].body, "hello file") &&
             strstr((const char *)reqs[i].body, "see the file");
    }
    fakecord_requests_free(reqs, n);
    return c;
}

static void
unref_kept(dbot *bot, void *arg)
{
    (void)bot;
    (void)arg;
    dbot_interaction_unref(kept);
    kept = NULL;
    atomic_store(&step_rc, 0);
}

static const char *
content_of(const cJSON *body)
{
    const cJSON *d = cJSON_GetObjectItem(body, "data");
    const cJSON *c = cJSON_GetObjectItem(d ? d : body, "content");

    return cJSON_IsString(c) ? c->valuestring : "";
}

static uint64_t
push(const char *locale, const char *data)
{
    char json[512];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":%d,\"locale\":\"%s\",\"channel_id\":\"5\","
             "\"user\":{\"id\":\"42\",\"username\":\"u\"},\"data\":%s}",
             strstr(data, "custom_id") ? 3 : 2, locale, data);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_NE(id, 0);
    WAIT_UNTIL(h_ix_callbacks(&H, id) >= 1, 10000);
    return id;
}

static void
expect_callback_content(uint64_t id, const char *want)
{
    struct fakecord_ix_log l = h_ix_log(&H, id);

    ASSERT_STREQ(content_of(l.callback_body), want);
    fakecord_ix_log_free(&l);
}

int
main(void)
{
    struct fakecord_ix_log l;
    uint64_t id;

    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    /* dbot_run named both sides of the mismatch. */
    ASSERT_TRUE(h_log_has("command \"mod\" is registered but has no "
                          "handler"));
    ASSERT_TRUE(h_log_has("command handler for \"gret\" matches no "
                          "registered command"));
    ASSERT_TRUE(!h_log_has("command \"greet\" is registered but"));

    /* Fallbacks: the user's language, the thing they used. */
    expect_callback_content(
        push("de", "{\"custom_id\":\"gone\",\"component_type\":2}"),
        "Leider geht dieser button gerade nicht.");
    expect_callback_content(
        push("en-US", "{\"custom_id\":\"gone\",\"component_type\":3}"),
        "Sorry, this menu is not available right now.");
    expect_callback_content(push("es-419", "{\"name\":\"nothing\",\"type\":1}"),
                            "Lo siento, este command no está disponible.");
    expect_callback_content(push("fr", "{\"name\":\"nothing\",\"type\":1}"),
                            "Sorry, this command is not available right "
                            "now.");

    /* A builder for the reply, the edit and the followup; the undeclared
     * option a handler asked for is named at debug level. */
    id = push("en-US", "{\"name\":\"greet\",\"type\":1,\"options\":[{\"name\":"
                       "\"name\",\"type\":3,\"value\":\"Ada\"}]}");
    expect_callback_content(id, "hello Ada");
    ASSERT_TRUE(h_log_has("handler asked for option \"nmae\", which command "
                          "\"greet\" does not declare"));
    ASSERT_TRUE(!h_log_has("option \"name\", which"));
    /* The reply must land before the followup may go. */
    do {
        atomic_store(&step_rc, 1);
        ASSERT_EQ(dbot_post(H.bot, edit_and_follow, NULL), 0);
        WAIT_UNTIL(atomic_load(&step_rc) != 1, 5000);
        ASSERT_TRUE(atomic_load(&step_rc) == 0 ||
                    atomic_load(&step_rc) == DBOT_ESTATE);
    } while (atomic_load(&step_rc) != 0);
    WAIT_UNTIL(h_ix_edits(&H, id) == 1, 10000);
    l = h_ix_log(&H, id);
    WAIT_UNTIL(
        (fakecord_ix_log_free(&l), l = h_ix_log(&H, id), l.followups == 1),
        10000);
    ASSERT_STREQ(content_of(l.last_edit), "edited by the builder");
    ASSERT_STREQ(content_of(cJSON_GetArrayItem(l.followup_bodies, 0)),
                 "a followup from the builder");
    fakecord_ix_log_free(&l);

    /* The same interaction answered with a file, edited and followed. */
    atomic_store(&step_rc, 1);
    ASSERT_EQ(dbot_post(H.bot, send_files, NULL), 0);
    WAIT_UNTIL(atomic_load(&step_rc) != 1, 5000);
    ASSERT_EQ(atomic_load(&step_rc), 0);
    WAIT_UNTIL(h_ix_edits(&H, id) == 2, 10000);
    WAIT_UNTIL(multipart_with_file("POST", "") +
                       multipart_with_file("PATCH", "/messages/@original") ==
                   2,
               10000);
    l = h_ix_log(&H, id);
    WAIT_UNTIL(
        (fakecord_ix_log_free(&l), l = h_ix_log(&H, id), l.followups == 2),
        10000);
    ASSERT_STREQ(content_of(l.last_edit), "see the file");
    fakecord_ix_log_free(&l);
    atomic_store(&step_rc, 1);
    ASSERT_EQ(dbot_post(H.bot, unref_kept, NULL), 0);
    WAIT_UNTIL(atomic_load(&step_rc) == 0, 5000);

    /* A payload that already carries our hidden key (Discord never sends
     * one; a hostile sender might) is answered, and freeing its copy
     * frees nothing that is not ours (ASan/valgrind: no bad free). */
    expect_callback_content(
        push("en-US", "{\"name\":\"greet\",\"type\":1,"
                      "\"dbot_declared_options\":[\"x\"],\"options\":[{"
                      "\"name\":\"name\",\"type\":3,\"value\":\"Bo\"}]}"),
        "hello Bo");

    /* A first answer with a file: the callback itself is multipart. */
    id = push("en-US", "{\"name\":\"report\",\"type\":1}");
    expect_callback_content(id, "see the file");
    WAIT_UNTIL(multipart_with_file("POST", "/callback") == 1, 10000);
    ASSERT_EQ(h_ix_callbacks(&H, id), 1);

    /* A worker answers with a builder. */
    id = push("en-US", "{\"name\":\"brew\",\"type\":1}");
    WAIT_UNTIL(h_ix_edits(&H, id) == 1, 10000);
    l = h_ix_log(&H, id);
    ASSERT_STREQ(content_of(l.last_edit), "brewed by a worker");
    ASSERT_STREQ(
        cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(l.last_edit, "embeds"), 0),
            "title")
            ->valuestring,
        "tea");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
    return 0;
}
