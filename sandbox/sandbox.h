/*
 * sandbox.h: dbot-sandbox, a local Discord a bot connects to with no token.
 *
 * DESIGN. The sandbox links the fakecord library (tests/fakecord), which
 * runs the fake Discord on its own thread. main.c starts it on 127.0.0.1,
 * launches the bot as a child process pointed at it (DBOT_API_URL and a
 * sandbox token in its environment), waits for READY, then plays lines
 * (play.c) the way a user would click and type in the Discord client, and
 * prints what Discord would show (render.c). Every wait polls the fake's
 * records (fakecord_interaction_log, fakecord_messages) against a deadline,
 * so a silent or dead bot ends the run instead of hanging it.
 *
 * The conversation the sandbox keeps (sb.msgs) is what the user's client
 * would hold: every message the bot produced and every one the user said,
 * with an id, so a later click can be sent with the message it was on, and
 * a message command with the message it targets, as Discord does.
 */
#ifndef DBOT_SANDBOX_H
#define DBOT_SANDBOX_H

#include "fakecord.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define SB_TOKEN        "sandbox-token"
#define SB_GUILD_ID     "1200000000000000001"
#define SB_CHANNEL      "1200000000000000002"
#define SB_USER_ID      "1200000000000000003"
#define SB_USER_NAME    "you"
#define SB_ACK_LIMIT_MS 3000.0

struct sb {
    fakecord *fc;
    pid_t child;
    int json;              /* --json: one JSON document at the end */
    int quiet;             /* scripted runs with --json print nothing else */
    int step_timeout_ms;   /* bound on one step's wait for the bot */
    int settle_ms;         /* quiet time that ends a step */
    int reply_ms;          /* how long a plain message waits for an answer */
    cJSON *msgs;           /* conversation: message objects, oldest first */
    cJSON *modal;          /* the last modal opened (its data), or NULL */
    cJSON *steps;          /* --json: one object per played line */
    int seen_channel_msgs; /* fakecord_messages() entries already shown */
    uint64_t next_id;      /* ids for user messages and interaction replies */
    int failures;          /* steps that failed (unanswered, bad expect) */
    int interactions;      /* interactions played */
    char *last_text;       /* rendered output of the last step, for expect */
    const char *bot_log;   /* path of the child's log file */
    int modal_target;      /* message whose button opened sb->modal, or -1 */
    /* Framework fallbacks: the bot notes each in this file (the library
     * reads DBOT_SANDBOX_FALLBACKS); a step that drew one leaves it
     * pending until "expect-fallback" clears it, or the run fails. */
    const char *fallback_log;
    char pending_fallback[32];   /* its kind ("unknown"), "" when none */
    double last_ack_ms;          /* the last interaction's, for expect-ack */
    char member_permissions[24]; /* "permissions N": the user's, or "" */
    /* Every interaction played, with the message its answer is (index in
     * msgs, -1 if none) and the edits already shown, so "wait-edit" can
     * show an edit that comes long after its step (a view's timeout). */
    struct sb_played {
        uint64_t id;
        int orig, edits;
    } * played;
    int nplayed, capplayed;
    /* "& LINE": interactions pushed without waiting, finished by "wait"
     * (or at the end), so a script can check the bot answers others while
     * one is slow. */
    int background;
    int nbg;
    struct sb_bg {
        uint64_t id;
        int target;
        char *input;
    } bg[16];
    int http_port;     /* --http: the bot's endpoint port, else 0 */
    char endpoint[64]; /* --http: its URL */
};

/* render.c: one message as the Discord client would show it, appended to
 * `out` with each line prefixed by `indent`. */
void sb_render_message(FILE *out, const cJSON *msg, const char *indent);

/* Small JSON readers shared by the files below. */
static inline const char *
sb_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline int
sb_num(const cJSON *o, const char *key, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valueint : def;
}

/* A fresh snowflake for user messages and replies. */
static inline void
sb_id_str(struct sb *sb, char *buf, size_t n)
{
    snprintf(buf, n, "%llu", (unsigned long long)++sb->next_id);
}

/* conversation.c */
cJSON *sb_user_object(void);
cJSON *sb_member_object(void);
/* The guild member as `resolved.members` holds it: no `user`. */
cJSON *sb_partial_member_object(void);
/* A user of the sandbox's guild by username ("alice"), or NULL; the names
 * there are, for messages. */
cJSON *sb_named_user_object(const char *username);
const char *sb_user_names(void);
/* A message the user wrote in the sandbox's channel, with all the fields
 * Discord always sends. */
cJSON *sb_user_message_object(const char *id, const char *content);
/* The parts of every interaction from the sandbox's guild channel. */
cJSON *sb_interaction_base(int type);
/* Print "!! why", record it in `step`, count a failure; returns -1. */
int sb_fail(struct sb *sb, FILE *o, cJSON *step, const char *why);
/* Push `payload` and show the answer; `target` is the index in sb->msgs of
 * the message a component was on, -1 for commands. 0 or -1 (failed). */
int sb_run_interaction(struct sb *sb, cJSON *payload, int target, FILE *o,
                       cJSON *step);
/* Wait for and show the answer to an interaction already pushed. */
int sb_finish_interaction(struct sb *sb, uint64_t id, int target, FILE *o,
                          cJSON *step);
/* play.c: fail the run if a fallback is pending (end of a script). */
void sb_check_fallback(struct sb *sb);
/* play.c: finish the background interactions ("wait"). 0 or -1. */
int sb_finish_background(struct sb *sb);
/* Show edits of earlier answers that came after their step; returns how
 * many. */
int sb_poll_edits(struct sb *sb, FILE *o);
/* Show new channel messages from the bot (and send them back to it as
 * MESSAGE_CREATE, as Discord does); returns how many were new. */
int sb_channel_messages(struct sb *sb, FILE *o);

/* command.c: a "/name [sub] opt:value" line already split into `toks`. */
int sb_play_command(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step);
/* "complete /name [sub] opt:value ... opt:partial": the autocomplete the
 * client sends while the last option is being typed. */
int sb_play_complete(struct sb *sb, const cJSON *toks, FILE *o, cJSON *step);
/* 'user "Name" @someone' and 'message "Name" [ID | @someone]': a user or
 * message context menu command on its target. */
int sb_play_user_command(struct sb *sb, const cJSON *toks, FILE *o,
                         cJSON *step);
int sb_play_message_command(struct sb *sb, const cJSON *toks, FILE *o,
                            cJSON *step);

/* play.c: play one line (a slash command, click, select, submit, say,
 * expect). Returns 0, 1 for "quit", or -1 when the step failed (counted in
 * sb->failures). */
int sb_play(struct sb *sb, const char *line);

/* Check for bot messages that arrived outside any step (interactive mode)
 * and print them. */
void sb_poll_unsolicited(struct sb *sb);

/* main.c: 1 while the bot process is alive. */
int sb_bot_alive(struct sb *sb);

/* Sleep a few ms (polling interval). */
void sb_nap(void);
int64_t sb_now_ms(void);

#endif
