/*
 * play.c: one line of a script, played as a Discord user would.
 *
 *   /name [sub [sub]] opt:value ...   a slash command; options are typed
 *                                     from the commands the bot registered
 *                                     (fakecord_commands), as the client does
 *   click:ID | click ID               press the button ID on the newest
 *                                     message that has it
 *   select:ID v1,v2 | select ID v1 v2 pick values in the select ID
 *   submit field:value ...            submit the last modal opened
 *   complete /name opt:partial        what the bot suggests while the last
 *                                     option is typed (autocomplete)
 *   user "Name" @someone              the user command Name on @you,
 *                                     @alice or @bob
 *   message "Name" [ID | @someone]    the message command Name on the
 *                                     newest message (or that one, or the
 *                                     newest one @someone wrote)
 *   say TEXT                          post a plain message in the channel
 *   expect TEXT                       fail unless the previous step's
 *                                     output contains TEXT
 *   expect-fallback [KIND]            the previous interaction drew one of
 *                                     dbot's fallback answers (unknown,
 *                                     handler, no_response...): allowed
 *                                     once. Without it a fallback fails
 *   expect-ack-under MS               the last interaction was
 *                                     acknowledged within MS ms
 *   & LINE                            play LINE's interaction without
 *                                     waiting for its answer
 *   wait                              show the answers of every "&" line
 *   wait-message TEXT                 wait for a message from the bot
 *                                     that contains TEXT (a timer's)
 *   wait-edit TEXT                    wait for an edit of an earlier
 *                                     answer that contains TEXT (a view's
 *                                     timeout)
 *   permissions N | default           the user's member permissions from
 *                                     now on (decimal, as Discord sends)
 *   quit                              stop here
 * Values may be quoted ("two words"); ${API_URL} is replaced by the fake's
 * API URL (its /sandbox/slow page answers after 1.5 s).
 */
#include "sandbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* An expectation line's step is done: its output is shown only when it
 * failed. `buf` is the memstream's buffer, complete once it is closed. */
static void
end_expect(struct sb *sb, FILE **o, char **buf, cJSON *step, int rc)
{
    cJSON_AddBoolToObject(step, "ok", rc == 0);
    fclose(*o);
    *o = NULL;
    if (rc && !sb->quiet)
        fputs(*buf, stdout);
}

/* A fallback the script did not expect fails the run here: at the next
 * line that is not an expectation, and at the end. */
void
sb_check_fallback(struct sb *sb)
{
    if (!sb->pending_fallback[0])
        return;
    fprintf(sb->quiet ? stderr : stdout,
            "!! the user saw dbot's fallback answer (%s), which the script "
            "does not expect: fix the bot, or add \"expect-fallback %s\"\n",
            sb->pending_fallback, sb->pending_fallback);
    sb->pending_fallback[0] = '\0';
    sb->failures++;
}

int
sb_finish_background(struct sb *sb)
{
    int failed = 0;

    for (int i = 0; i < sb->nbg; i++) {
        struct sb_bg *b = &sb->bg[i];
        char *buf = NULL;
        size_t blen = 0;
        FILE *o = open_memstream(&buf, &blen);
        cJSON *step = cJSON_CreateObject();

        if (!o || !step) {
            if (o)
                fclose(o);
            free(buf);
            cJSON_Delete(step);
            sb->failures++;
            failed = 1;
            continue;
        }
        cJSON_AddStringToObject(step, "input", b->input);
        cJSON_AddStringToObject(step, "kind", "background");
        fprintf(o, "\n(answer to \"& %s\")\n", b->input);
        if (sb_finish_interaction(sb, b->id, b->target, o, step) < 0)
            failed = 1;
        cJSON_AddBoolToObject(step, "ok", !failed);
        fclose(o);
        if (!sb->quiet) {
            fputs(buf, stdout);
            fflush(stdout);
        }
        cJSON_AddStringToObject(step, "output", buf ? buf : "");
        cJSON_AddItemToArray(sb->steps, step);
        free(sb->last_text);
        sb->last_text = buf;
        free(b->input);
    }
    sb->nbg = 0;
    return failed ? -1 : 0;
}

/* Split on blanks; "..." groups (with \" and \\ escapes) anywhere. */
static cJSON *
tokenize(const char *s)
{
    cJSON *arr = cJSON_CreateArray();
    size_t cap = strlen(s) + 1;
    char *tok = malloc(cap);

    if (!arr || !tok) {
        cJSON_Delete(arr);
        free(tok);
        return NULL;
    }
    while (*s) {
        size_t n = 0;
        int quoted = 0, any = 0;

        while (isspace((unsigned char)*s))
            s++;
        while (*s && (quoted || !isspace((unsigned char)*s))) {
            any = 1;
            if (*s == '"') {
                quoted = !quoted;
                s++;
            } else if (quoted && *s == '\\' && s[1]) {
                tok[n++] = s[1];
                s += 2;
            } else {
                tok[n++] = *s++;
            }
        }
        if (any) {
            tok[n] = '\0';
            cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
        }
    }
    free(tok);
    return arr;
}

static char *
expand(struct sb *sb, const char *line)
{
    const char *api = fakecord_api_url(sb->fc), *p;
    size_t cap = strlen(line) * 2 + 256, n = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    for (p = line; *p;) {
        if (!strncmp(p, "${API_URL}", 10)) {
            size_t l = strlen(api);
            if (n + l + 1 >= cap) {
                cap = cap * 2 + l;
                char *o2 = realloc(out, cap);
                if (!o2) {
                    free(out);
                    return NULL;
                }
                out = o2;
            }
            memcpy(out + n, api, l);
            n += l;
            p += 10;
        } else {
            if (n + 2 >= cap) {
                cap *= 2;
                char *o2 = realloc(out, cap);
                if (!o2) {
                    free(out);
                    return NULL;
                }
                out = o2;
            }
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

/* ---- components and modals ----------------------------------------------- */

/* The newest message holding a component with this custom_id. */
static int
find_component(struct sb *sb, const char *cid, const cJSON **comp)
{
    for (int i = cJSON_GetArraySize(sb->msgs) - 1; i >= 0; i--) {
        const cJSON *m = cJSON_GetArrayItem(sb->msgs, i), *row, *c;
        cJSON_ArrayForEach(row,
                           cJSON_GetObjectItemCaseSensitive(m, "components"))
            cJSON_ArrayForEach(
                c, cJSON_GetObjectItemCaseSensitive(row, "components")) {
                if (sb_str(c, "custom_id") &&
                    !strcmp(sb_str(c, "custom_id"), cid)) {
                    *comp = c;
                    return i;
                }
            }
    }
    return -1;
}

static int
play_component(struct sb *sb, const char *cid, const cJSON *toks, int first,
               int is_select, FILE *o, cJSON *step)
{
    const cJSON *comp = NULL;
    int idx = find_component(sb, cid, &comp), ctype, rc;
    cJSON *p, *data, *vals;
    char why[200];

    if (idx < 0) {
        snprintf(why, sizeof why, "no message has a component \"%s\"", cid);
        return sb_fail(sb, o, step, why);
    }
    ctype = sb_num(comp, "type", 2);
    if (is_select != (ctype != 2)) {
        snprintf(why, sizeof why, "\"%s\" is a %s", cid,
                 ctype == 2 ? "button: use click" : "select: use select");
        return sb_fail(sb, o, step, why);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(comp, "disabled"))) {
        snprintf(why, sizeof why, "\"%s\" is disabled", cid);
        return sb_fail(sb, o, step, why);
    }
    p = sb_interaction_base(3);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(data, "custom_id", cid);
    cJSON_AddNumberToObject(data, "component_type", ctype);
    if (is_select) {
        vals = cJSON_AddArrayToObject(data, "values");
        for (int i = first; i < cJSON_GetArraySize(toks); i++) {
            char *s = strdup(cJSON_GetArrayItem(toks, i)->valuestring);

            for (char *save = NULL, *v = s ? strtok_r(s, ",", &save) : NULL; v;
                 v = strtok_r(NULL, ",", &save))
                cJSON_AddItemToArray(vals, cJSON_CreateString(v));
            free(s);
        }
    }
    cJSON_AddItemToObject(
        p, "message", cJSON_Duplicate(cJSON_GetArrayItem(sb->msgs, idx), 1));
    sb->modal_target = idx;
    rc = sb_run_interaction(sb, p, idx, o, step);
    cJSON_Delete(p);
    return rc;
}

/* Fill the last modal's inputs from field:value tokens, in its layout. */
static int
play_submit(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step)
{
    cJSON *p, *data, *comps, *c;
    int rc;

    if (!sb->modal)
        return sb_fail(sb, o, step, "no form is open (a button opens one)");
    p = sb_interaction_base(5);
    data = cJSON_AddObjectToObject(p, "data");
    cJSON_AddStringToObject(
        data, "custom_id",
        sb_str(sb->modal, "custom_id") ? sb_str(sb->modal, "custom_id") : "");
    comps = cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(sb->modal, "components"), 1);
    cJSON_ArrayForEach(c, comps) {
        cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "component");
        const char *cid;
        const char *val = "";
        if (!in)
            in = cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(c, "components"), 0);
        cid = sb_str(in, "custom_id");
        for (int i = 1; cid && i < cJSON_GetArraySize(toks); i++) {
            const char *t = cJSON_GetArrayItem(toks, i)->valuestring;
            size_t l = strlen(cid);
            if (!strncmp(t, cid, l) && t[l] == ':')
                val = t + l + 1;
        }
        if (in) {
            cJSON_DeleteItemFromObjectCaseSensitive(in, "value");
            cJSON_AddStringToObject(in, "value", val);
        }
    }
    cJSON_AddItemToObject(data, "components", comps);
    cJSON_Delete(sb->modal);
    sb->modal = NULL;
    rc = sb_run_interaction(sb, p, sb->modal_target, o, step);
    cJSON_Delete(p);
    return rc;
}
/* ---- plain messages ----------------------------------------------------- */

static int
message_content_intent(struct sb *sb)
{
    cJSON *id = fakecord_last_identify(sb->fc);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(id, "intents");
    int on = cJSON_IsNumber(in) &&
             ((uint64_t)in->valuedouble & FAKECORD_INTENT_MESSAGE_CONTENT);

    cJSON_Delete(id);
    return on;
}

static int
play_say(struct sb *sb, const char *text, FILE *o, cJSON *step)
{
    char id[32], *js;
    cJSON *m;
    int64_t dl;
    int got = 0;

    sb_id_str(sb, id, sizeof id);
    /* The user's client keeps what was typed, whatever the bot receives:
     * a message command can target it later. */
    m = sb_user_message_object(id, text);
    cJSON_AddItemToArray(sb->msgs, m);
    /* The gateway event adds guild_id and member; as Discord, without
     * MESSAGE_CONTENT guild messages arrive empty. */
    m = cJSON_Duplicate(m, 1);
    cJSON_AddStringToObject(m, "guild_id", SB_GUILD_ID);
    cJSON_AddItemToObject(m, "member", sb_member_object());
    if (!message_content_intent(sb))
        cJSON_ReplaceItemInObjectCaseSensitive(m, "content",
                                               cJSON_CreateString(""));
    js = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!js || fakecord_push_event(sb->fc, "MESSAGE_CREATE", js) < 0) {
        free(js);
        return sb_fail(sb, o, step, "the sandbox could not send the message");
    }
    free(js);
    if (!message_content_intent(sb))
        fprintf(o, "(the bot has no MESSAGE_CONTENT intent: it gets this "
                   "message with empty content)\n");
    /* A reply is optional: wait a little for one, then for quiet. */
    dl = sb_now_ms() + sb->reply_ms;
    while (sb_now_ms() < dl && sb_bot_alive(sb)) {
        int n = sb_channel_messages(sb, o);
        got += n;
        if (got && !n)
            break;
        if (n)
            dl = sb_now_ms() + sb->settle_ms;
        sb_nap();
    }
    if (!got)
        fprintf(o, "(no reply)\n");
    cJSON_AddNumberToObject(step, "replies", got);
    return 0;
}
/* ---- one line ------------------------------------------------------------ */

int
sb_play(struct sb *sb, const char *raw)
{
    char *line = expand(sb, raw), *buf = NULL;
    size_t blen = 0;
    FILE *o = open_memstream(&buf, &blen);
    cJSON *toks = line ? tokenize(line) : NULL, *step = cJSON_CreateObject();
    const char *t0, *s;
    int rc = 0;

    if (!line || !toks || !o || !step) {
        free(line);
        cJSON_Delete(toks);
        cJSON_Delete(step);
        if (o)
            fclose(o);
        free(buf);
        sb->failures++;
        return -1;
    }
    for (s = line; isspace((unsigned char)*s); s++)
        ;
    if (!*s || *s == '#' || !cJSON_GetArraySize(toks)) {
        rc = 0;
        cJSON_Delete(step);
        step = NULL;
        goto out;
    }
    t0 = cJSON_GetArrayItem(toks, 0)->valuestring;
    if (!strcmp(t0, "&") && s[1]) {
        /* Its interaction goes out now; "wait" shows the answer. */
        cJSON_Delete(step);
        cJSON_Delete(toks);
        fclose(o);
        free(buf);
        sb->background = 1;
        rc = sb_play(sb, s + 1);
        sb->background = 0;
        free(line);
        return rc;
    }
    if (!strcmp(t0, "expect-fallback")) {
        const char *want = cJSON_GetArraySize(toks) > 1
                               ? cJSON_GetArrayItem(toks, 1)->valuestring
                               : "";

        cJSON_AddStringToObject(step, "input", s);
        cJSON_AddStringToObject(step, "kind", "expect");
        if (!sb->pending_fallback[0] ||
            (*want && strcmp(want, sb->pending_fallback))) {
            char why[200];
            snprintf(why, sizeof why,
                     "expected dbot's fallback answer%s%s, but the last "
                     "interaction drew %s",
                     *want ? " " : "", want,
                     sb->pending_fallback[0] ? sb->pending_fallback : "none");
            rc = sb_fail(sb, o, step, why);
        }
        sb->pending_fallback[0] = '\0';
        end_expect(sb, &o, &buf, step, rc);
        goto done;
    }
    if (!strcmp(t0, "expect-ack-under") && cJSON_GetArraySize(toks) > 1) {
        double ms = strtod(cJSON_GetArrayItem(toks, 1)->valuestring, NULL);

        cJSON_AddStringToObject(step, "input", s);
        cJSON_AddStringToObject(step, "kind", "expect");
        if (!(sb->last_ack_ms < ms)) {
            char why[160];
            snprintf(why, sizeof why,
                     "expected an acknowledgement within %.0f ms, it took "
                     "%.0f ms",
                     ms, sb->last_ack_ms);
            rc = sb_fail(sb, o, step, why);
        }
        end_expect(sb, &o, &buf, step, rc);
        goto done;
    }
    if (strcmp(t0, "expect") != 0)
        sb_check_fallback(sb);
    if (!strcmp(t0, "wait")) {
        cJSON_Delete(step);
        step = NULL;
        fclose(o);
        o = NULL;
        rc = sb_finish_background(sb);
        goto out;
    }
    cJSON_AddStringToObject(step, "input", s);
    if (!strcmp(t0, "quit") || !strcmp(t0, "exit")) {
        rc = 1;
        cJSON_Delete(step);
        step = NULL;
        goto out;
    }
    if (!strcmp(t0, "expect")) {
        const char *want = s + 6;
        while (isspace((unsigned char)*want))
            want++;
        cJSON_AddStringToObject(step, "kind", "expect");
        if (!sb->last_text || !strstr(sb->last_text, want)) {
            char why[300];
            snprintf(why, sizeof why, "expected \"%s\" in the last answer",
                     want);
            rc = sb_fail(sb, o, step, why);
        }
        end_expect(sb, &o, &buf, step, rc);
        goto done;
    }
    fprintf(o, "\nyou: %s\n", s);
    if (*t0 == '/' && t0[1]) {
        cJSON_AddStringToObject(step, "kind", "command");
        rc = sb_play_command(sb, toks, o, step);
    } else if (!strncmp(t0, "click:", 6) ||
               (!strcmp(t0, "click") && cJSON_GetArraySize(toks) > 1)) {
        const char *cid =
            t0[5] ? t0 + 6 : cJSON_GetArrayItem(toks, 1)->valuestring;
        cJSON_AddStringToObject(step, "kind", "click");
        rc = play_component(sb, cid, toks, 0, 0, o, step);
    } else if (!strncmp(t0, "select:", 7) ||
               (!strcmp(t0, "select") && cJSON_GetArraySize(toks) > 1)) {
        int first = t0[6] ? 1 : 2;
        const char *cid =
            t0[6] ? t0 + 7 : cJSON_GetArrayItem(toks, 1)->valuestring;
        cJSON_AddStringToObject(step, "kind", "select");
        rc = play_component(sb, cid, toks, first, 1, o, step);
    } else if (!strcmp(t0, "submit")) {
        cJSON_AddStringToObject(step, "kind", "submit");
        rc = play_submit(sb, toks, o, step);
    } else if (!strcmp(t0, "complete")) {
        cJSON_AddStringToObject(step, "kind", "autocomplete");
        rc = sb_play_complete(sb, toks, o, step);
    } else if (!strcmp(t0, "user")) {
        cJSON_AddStringToObject(step, "kind", "user_command");
        rc = sb_play_user_command(sb, toks, o, step);
    } else if (!strcmp(t0, "message")) {
        cJSON_AddStringToObject(step, "kind", "message_command");
        rc = sb_play_message_command(sb, toks, o, step);
    } else if ((!strcmp(t0, "wait-message") && s[12]) ||
               (!strcmp(t0, "wait-edit") && s[9])) {
        /* A message the bot posts on its own (a timer's), or an edit of
         * an earlier answer (a view's timeout), within the step timeout. */
        int edit = t0[5] == 'e';
        const char *want = s + (edit ? 9 : 12);
        int64_t dl = sb_now_ms() + sb->step_timeout_ms;
        size_t from;
        int found = 0;

        while (isspace((unsigned char)*want))
            want++;
        cJSON_AddStringToObject(step, "kind",
                                edit ? "wait_edit" : "wait_message");
        fflush(o);
        from = blen; /* after the "you:" line, which names TEXT too */
        while (!found && sb_now_ms() < dl && sb_bot_alive(sb)) {
            if (edit)
                sb_poll_edits(sb, o);
            else
                sb_channel_messages(sb, o);
            fflush(o);
            found = buf && blen > from && strstr(buf + from, want);
            if (!found)
                sb_nap();
        }
        if (!found) {
            char why[300];
            snprintf(why, sizeof why, "no %s with \"%s\" from the bot",
                     edit ? "edit" : "message", want);
            rc = sb_fail(sb, o, step, why);
        }
    } else if (!strcmp(t0, "permissions") && cJSON_GetArraySize(toks) == 2) {
        /* The member permissions the user has from now on (a decimal
         * bit set, as Discord sends them), or "default". */
        const char *v = cJSON_GetArrayItem(toks, 1)->valuestring;

        cJSON_AddStringToObject(step, "kind", "permissions");
        if (!strcmp(v, "default"))
            sb->member_permissions[0] = '\0';
        else if (strspn(v, "0123456789") == strlen(v) && strlen(v) < 21)
            snprintf(sb->member_permissions, sizeof sb->member_permissions,
                     "%s", v);
        else
            rc = sb_fail(sb, o, step, "permissions: give a decimal bit set");
    } else if (!strcmp(t0, "say")) {
        const char *text = s + 3;
        while (isspace((unsigned char)*text))
            text++;
        cJSON_AddStringToObject(step, "kind", "message");
        rc = play_say(sb, text, o, step);
    } else {
        cJSON_AddStringToObject(step, "kind", "unknown");
        rc = sb_fail(sb, o, step,
                     "unknown line: use /command opt:value, "
                     "click ID, select ID value, submit "
                     "field:value, complete /command opt:text, "
                     "user \"Name\" @alice, message \"Name\", "
                     "say TEXT, expect TEXT, quit");
    }
    cJSON_AddBoolToObject(step, "ok", rc == 0);
    fclose(o);
    o = NULL;
    if (!sb->quiet) {
        fputs(buf, stdout);
        fflush(stdout);
    }
    cJSON_AddStringToObject(step, "output", buf);
    free(sb->last_text);
    sb->last_text = buf;
    buf = NULL;
done:
    if (step)
        cJSON_AddItemToArray(sb->steps, step);
    step = NULL;
out:
    if (o)
        fclose(o);
    free(buf);
    cJSON_Delete(step);
    cJSON_Delete(toks);
    free(line);
    return rc;
}
