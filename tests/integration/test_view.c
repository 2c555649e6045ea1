/*
 * test_view.c: views and waits against the fake Discord. Two polls live at
 * once and each click reaches its own view's state; the inactivity
 * timeout ends a view, whose on_end edits its message (buttons disabled)
 * through the interaction's token; a click on an ended view is answered
 * "no longer active" and reported; MESSAGE_DELETE ends the view of that
 * message; a view's wait takes the next click of one user and not
 * another's, and times out; a modal wait gets its submit once; a channel
 * message view is edited with PATCH /channels/{c}/messages/{m}; the
 * reserved "dbot." prefix is refused to dbot_on_component; and stopping
 * the bot ends every live view once.
 */
#include "harness.h"
#include "bot.h"
#include "views.h"

#include <dbot/checks.h>
#include <dbot/interaction.h>
#include <dbot/message.h>
#include <dbot/view.h>

static struct harness H;

struct poll {
    int yes, no;
    char id_yes[DBOT_CUSTOM_ID_LEN], id_no[DBOT_CUSTOM_ID_LEN];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct poll *polls[8];
static int npolls;
static atomic_int ends[5], gone_reports, wait_hits, wait_nulls, modal_hits;
static char modal_id[DBOT_CUSTOM_ID_LEN], confirm_id[DBOT_CUSTOM_ID_LEN];
static atomic_int live = -1;

static cJSON *
poll_message(const struct poll *p, int closed)
{
    dbot_msg *m = dbot_msg_new();
    dbot_row *r;
    cJSON *j;

    dbot_msg_contentf(m, "yes: %d, no: %d%s", p->yes, p->no,
                      closed ? " (closed)" : "");
    r = dbot_msg_row(m);
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
                                       .label = "Yes",
                                       .custom_id = p->id_yes,
                                       .disabled = closed });
    dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_SECONDARY,
                                       .label = "No",
                                       .custom_id = p->id_no,
                                       .disabled = closed });
    j = dbot_msg_json(m);
    dbot_msg_free(m);
    ASSERT_TRUE(j != NULL);
    return j;
}

static int
poll_click(dbot_view *v, dbot_interaction *ix, const char *name, void *state)
{
    struct poll *p = state;
    cJSON *m;
    int rc;

    (void)v;
    if (strcmp(name, "yes") == 0)
        p->yes++;
    else
        p->no++;
    m = poll_message(p, 0);
    rc = dbot_interaction_update_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

static void
poll_end(dbot_view *v, int reason, void *state)
{
    struct poll *p = state;

    if (reason == DBOT_VIEW_TIMEOUT || reason == DBOT_VIEW_STOPPED) {
        cJSON *m = poll_message(p, 1);

        ASSERT_EQ(dbot_view_edit_json(v, m), 0);
        cJSON_Delete(m);
    }
    ends[reason]++;
}

/* Every view has ended once the bot is freed: the polls' states go. */
static void
free_polls(void)
{
    pthread_mutex_lock(&mu);
    for (int i = 0; i < npolls; i++)
        free(polls[i]);
    npolls = 0;
    pthread_mutex_unlock(&mu);
}

static int
on_poll(dbot_interaction *ix, void *data)
{
    struct poll *p = calloc(1, sizeof *p);
    dbot_view_opts o = { .on_click = poll_click,
                         .on_end = poll_end,
                         .state = p,
                         .timeout_ms = (int64_t)(intptr_t)data };
    dbot_view *v;
    cJSON *m;
    int rc;

    ASSERT_EQ(dbot_view_new(dbot_interaction_bot(ix), &o, &v), 0);
    ASSERT_EQ(dbot_view_custom_id(v, "yes", p->id_yes, sizeof p->id_yes), 0);
    ASSERT_EQ(dbot_view_custom_id(v, "no", p->id_no, sizeof p->id_no), 0);
    ASSERT_EQ(dbot_view_custom_id(v, "a:b", p->id_no, sizeof p->id_no),
              DBOT_EINVAL);
    pthread_mutex_lock(&mu);
    polls[npolls++] = p;
    pthread_mutex_unlock(&mu);
    m = poll_message(p, 0);
    rc = dbot_interaction_reply_json(ix, m);
    cJSON_Delete(m);
    ASSERT_EQ(dbot_view_bind(v, ix), 0);
    ASSERT_EQ(dbot_view_bind(v, ix), DBOT_ESTATE);
    return rc;
}

static int
confirmed(dbot *bot, dbot_interaction *ix, void *data)
{
    (void)bot;
    (void)data;
    if (!ix) {
        wait_nulls++;
        return 0;
    }
    wait_hits++;
    return dbot_interaction_reply(ix, "confirmed");
}

/* A view with no on_click and a wait for user 1. */
static int
on_confirm(dbot_interaction *ix, void *data)
{
    dbot_view_opts o = { .timeout_ms = 0 };
    dbot_view *v;

    ASSERT_EQ(dbot_view_new(dbot_interaction_bot(ix), &o, &v), 0);
    ASSERT_EQ(dbot_view_wait(v, 1, (int64_t)(intptr_t)data, confirmed, NULL),
              0);
    ASSERT_EQ(dbot_view_wait(v, 1, 1000, confirmed, NULL), DBOT_EBUSY);
    ASSERT_EQ(dbot_view_custom_id(v, "ok", confirm_id, sizeof confirm_id), 0);
    return dbot_interaction_reply(ix, "confirm?");
}

static int
submitted(dbot *bot, dbot_interaction *ix, void *data)
{
    (void)bot;
    (void)data;
    if (!ix)
        return 0;
    modal_hits++;
    return dbot_interaction_reply(ix, "thanks");
}

static int
on_ask(dbot_interaction *ix, void *data)
{
    (void)data;
    ASSERT_EQ(dbot_modal_wait(dbot_interaction_bot(ix), 0, 5000, submitted,
                              NULL, modal_id, sizeof modal_id),
              0);
    return dbot_interaction_reply(ix, "a modal would open");
}

static void
on_error(dbot *bot, const dbot_error_info *e, void *data)
{
    (void)bot;
    (void)data;
    if (e->kind == DBOT_ERROR_UNKNOWN && e->route &&
        strncmp(e->route, "dbot.", 5) == 0)
        gone_reports++;
}

static int
on_nothing(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0;
}

static void
setup(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "poll", on_poll, (void *)(intptr_t)60000),
              0);
    ASSERT_EQ(dbot_on_command(bot, "quickpoll", on_poll, (void *)(intptr_t)300),
              0);
    ASSERT_EQ(
        dbot_on_command(bot, "confirm", on_confirm, (void *)(intptr_t)10000),
        0);
    ASSERT_EQ(dbot_on_command(bot, "hurry", on_confirm, (void *)(intptr_t)50),
              0);
    ASSERT_EQ(dbot_on_command(bot, "ask", on_ask, NULL), 0);
    ASSERT_EQ(dbot_on_component(bot, "dbot.v:1:x", on_nothing, NULL),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_on_modal(bot, "dbot.w:", on_nothing, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_on_error(bot, on_error, NULL), 0);
}

static uint64_t
push_command(const char *name)
{
    char json[512];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"%s\",\"type\":1},"
             "\"guild_id\":\"100\",\"channel_id\":\"200\",\"member\":{"
             "\"permissions\":\"0\",\"user\":{\"id\":\"1\",\"username\":"
             "\"u\"}}}",
             name);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_NE(id, 0);
    return id;
}

static uint64_t
push_click(const char *custom_id, const char *user, const char *message)
{
    char json[768];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":3,\"data\":{\"custom_id\":\"%s\",\"component_type\":"
             "2},\"message\":{\"id\":\"%s\",\"channel_id\":\"200\"},"
             "\"guild_id\":\"100\",\"channel_id\":\"200\",\"member\":{"
             "\"permissions\":\"0\",\"user\":{\"id\":\"%s\",\"username\":"
             "\"u\"}}}",
             custom_id, message, user);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_NE(id, 0);
    return id;
}

static struct fakecord_ix_log
wait_log(uint64_t id, int callbacks, int edits)
{
    struct fakecord_ix_log l;

    WAIT_UNTIL((fakecord_interaction_log(H.fc, id, &l) == 0 &&
                (l.callbacks >= callbacks && l.edits >= edits
                     ? 1
                     : (fakecord_ix_log_free(&l), 0))),
               10000);
    return l;
}

static const char *
content_of(const cJSON *callback_body)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(callback_body, "data"), "content"));
}

static void
read_live(dbot *bot, void *arg)
{
    (void)arg;
    live = (int)dbot__views_live(dbot__bot_views(bot));
}

static int
live_now(void)
{
    live = -1;
    ASSERT_EQ(dbot_post(H.bot, read_live, NULL), 0);
    WAIT_UNTIL(live >= 0, 5000);
    return live;
}

TEST(two_polls_timeout_and_late_click)
{
    struct fakecord_ix_log l;
    uint64_t a, b, id;
    char ida[DBOT_CUSTOM_ID_LEN], idb[DBOT_CUSTOM_ID_LEN];

    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    a = push_command("poll");
    l = wait_log(a, 1, 0);
    fakecord_ix_log_free(&l);
    b = push_command("quickpoll");
    l = wait_log(b, 1, 0);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&mu);
    ASSERT_EQ(npolls, 2);
    snprintf(ida, sizeof ida, "%s", polls[0]->id_yes);
    snprintf(idb, sizeof idb, "%s", polls[1]->id_no);
    pthread_mutex_unlock(&mu);
    ASSERT_TRUE(strcmp(ida, idb) != 0);

    /* Each click reaches its own view's state. */
    l = wait_log(push_click(ida, "1", "501"), 1, 0);
    ASSERT_EQ(l.callback_type, 7);
    ASSERT_STREQ(content_of(l.callback_body), "yes: 1, no: 0");
    fakecord_ix_log_free(&l);
    l = wait_log(push_click(ida, "2", "501"), 1, 0);
    ASSERT_STREQ(content_of(l.callback_body), "yes: 2, no: 0");
    fakecord_ix_log_free(&l);
    l = wait_log(push_click(idb, "1", "502"), 1, 0);
    ASSERT_STREQ(content_of(l.callback_body), "yes: 0, no: 1");
    fakecord_ix_log_free(&l);

    /* The quick poll times out 300 ms after its last click: on_end edits
     * the poll's message through the command's token, buttons off. */
    WAIT_UNTIL(ends[DBOT_VIEW_TIMEOUT] == 1, 10000);
    l = wait_log(b, 1, 1);
    ASSERT_CONTAINS(
        cJSON_GetStringValue(cJSON_GetObjectItem(l.last_edit, "content")),
        "(closed)");
    {
        char *txt = cJSON_PrintUnformatted(l.last_edit);

        ASSERT_CONTAINS(txt, "\"disabled\":true");
        free(txt);
    }
    fakecord_ix_log_free(&l);
    ASSERT_EQ(live_now(), 1);

    /* A click on it now: "no longer active", reported. */
    id = push_click(idb, "1", "502");
    l = wait_log(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_CONTAINS(content_of(l.callback_body), "no longer active");
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(gone_reports == 1, 5000);

    /* The other poll's message (learned from its clicks) is deleted. */
    ASSERT_GE(fakecord_push_event(H.fc, "MESSAGE_DELETE",
                                  "{\"id\":\"501\",\"channel_id\":\"200\"}"),
              0);
    WAIT_UNTIL(ends[DBOT_VIEW_DELETED] == 1, 10000);
    ASSERT_EQ(live_now(), 0);
    h_teardown(&H);
    free_polls();
    ASSERT_EQ(ends[DBOT_VIEW_SHUTDOWN], 0);
}

TEST(waits_for_one_user_and_for_a_modal)
{
    struct fakecord_ix_log l;
    uint64_t id;
    char cid[DBOT_CUSTOM_ID_LEN], json[512];

    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    l = wait_log(push_command("confirm"), 1, 0);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&mu);
    snprintf(cid, sizeof cid, "%s", confirm_id);
    pthread_mutex_unlock(&mu);
    /* Someone else: not theirs. */
    l = wait_log(push_click(cid, "2", "600"), 1, 0);
    ASSERT_CONTAINS(content_of(l.callback_body), "not for you");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(wait_hits, 0);
    /* The user waited for. */
    l = wait_log(push_click(cid, "1", "600"), 1, 0);
    ASSERT_STREQ(content_of(l.callback_body), "confirmed");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(wait_hits, 1);
    /* A wait that times out gets NULL, once. */
    l = wait_log(push_command("hurry"), 1, 0);
    fakecord_ix_log_free(&l);
    WAIT_UNTIL(wait_nulls == 1, 10000);

    /* A modal wait: its submit, once. */
    l = wait_log(push_command("ask"), 1, 0);
    fakecord_ix_log_free(&l);
    pthread_mutex_lock(&mu);
    snprintf(cid, sizeof cid, "%s", modal_id);
    pthread_mutex_unlock(&mu);
    ASSERT_EQ(strncmp(cid, "dbot.w:", 7), 0);
    snprintf(json, sizeof json,
             "{\"type\":5,\"data\":{\"custom_id\":\"%s\",\"components\":[]},"
             "\"channel_id\":\"200\",\"user\":{\"id\":\"9\",\"username\":"
             "\"u\"}}",
             cid);
    l = wait_log(fakecord_push_interaction(H.fc, json), 1, 0);
    ASSERT_STREQ(content_of(l.callback_body), "thanks");
    fakecord_ix_log_free(&l);
    id = fakecord_push_interaction(H.fc, json);
    l = wait_log(id, 1, 0);
    ASSERT_CONTAINS(content_of(l.callback_body), "no longer active");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(modal_hits, 1);
    /* At stop the "confirm" view (no timeout, no message deleted) ends
     * once, its wait already taken. */
    ASSERT_EQ(live_now(), 2);
    h_teardown(&H);
    ASSERT_EQ(wait_nulls, 1);
}

/* A view on a channel message: edited through REST. */
static atomic_int rest_view_done;

static void
end_quiet(dbot_view *v, int reason, void *state)
{
    (void)state;
    if (reason == DBOT_VIEW_STOPPED)
        ASSERT_EQ(dbot_view_edit_json(
                      v, cJSON_GetObjectItem((cJSON *)dbot_view_state(v), "m")),
                  0);
    ends[reason]++;
}

static void
channel_view(dbot *bot, void *arg)
{
    static cJSON *state;
    dbot_view_opts o = { .on_end = end_quiet };
    dbot_view *v;

    (void)arg;
    state = cJSON_Parse("{\"m\":{\"content\":\"over\",\"components\":[]}}");
    o.state = state;
    ASSERT_EQ(dbot_view_new(bot, &o, &v), 0);
    ASSERT_EQ(dbot_view_edit_json(v, state), DBOT_ENOENT); /* no message */
    ASSERT_EQ(dbot_view_set_message(v, 200, 777), 0);
    ASSERT_EQ(dbot_view_message_id(v), 777);
    dbot_view_stop(v);
    cJSON_Delete(state);
    rest_view_done = 1;
}

TEST(channel_message_view_edits_through_rest_and_stop_ends_all)
{
    struct fakecord_request *reqs;
    int n, found = 0;

    memset((void *)ends, 0, sizeof ends);
    h_start_with(&H, NULL, "", setup, NULL);
    WAIT_UNTIL(h_count(&H, "READY") >= 1, 10000);
    ASSERT_EQ(dbot_post(H.bot, channel_view, NULL), 0);
    WAIT_UNTIL(rest_view_done, 5000);
    ASSERT_EQ(ends[DBOT_VIEW_STOPPED], 1);
    for (int tries = 0; !found; tries++) {
        n = fakecord_requests(H.fc, &reqs);
        for (int i = 0; i < n; i++)
            found |= !strcmp(reqs[i].method, "PATCH") &&
                     strstr(reqs[i].path, "/channels/200/messages/777") &&
                     strstr((const char *)reqs[i].body, "\"over\"");
        fakecord_requests_free(reqs, n);
        if (!found) {
            ASSERT_LE(tries, 500);
            struct timespec ts = { 0, 10000000 };
            nanosleep(&ts, NULL);
        }
    }
    /* Two polls still live when the bot stops: each ends once. */
    fakecord_ix_log_free(
        (struct fakecord_ix_log[]){ wait_log(push_command("poll"), 1, 0) });
    fakecord_ix_log_free(
        (struct fakecord_ix_log[]){ wait_log(push_command("poll"), 1, 0) });
    h_teardown(&H);
    free_polls();
    ASSERT_EQ(ends[DBOT_VIEW_SHUTDOWN], 2);
}

int
main(void)
{
    RUN(two_polls_timeout_and_late_click);
    RUN(waits_for_one_user_and_for_a_modal);
    RUN(channel_message_view_edits_through_rest_and_stop_ends_all);
    free(h_logs);
    return 0;
}
