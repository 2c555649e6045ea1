/*
 * message.h: build messages, embeds, components and modals without
 * writing JSON.
 *
 * A dbot_msg collects content, embeds and components and turns them into
 * the message JSON that interaction responses, followups, edits and
 * POST /channels/{id}/messages take. Discord's limits are checked as each
 * piece is added. The first violation is recorded and every later call is
 * a no-op, so a handler chains calls without checking each one and looks
 * once at the end:
 *
 *   dbot_msg *m = dbot_msg_new();
 *   dbot_embed *e;
 *   dbot_row *r;
 *
 *   dbot_msg_content(m, "Vote!");
 *   e = dbot_msg_embed(m);
 *   dbot_embed_title(e, "Lunch");
 *   dbot_embed_field(e, "Pizza", "3 votes", true);
 *   r = dbot_msg_row(m);
 *   dbot_row_button(r, &(dbot_button){ .style = DBOT_BUTTON_PRIMARY,
 *                                      .label = "Yes",
 *                                      .custom_id = "vote:yes" });
 *   cJSON *json = dbot_msg_json(m);  // NULL if anything was wrong:
 *   if (!json)
 *       dbot_log(DBOT_LOG_ERROR, "bot", "%s", dbot_msg_error(m));
 *   // "embeds[0].fields[3].value: longer than 1024 characters"
 *
 * Lengths are counted in characters (Unicode code points), and text must
 * be valid UTF-8. All functions accept NULL handles (as returned after an
 * allocation failure or a limit error) and then do nothing, so the chain
 * needs no checks; dbot_msg_error() says what went wrong.
 *
 * THREADS. A builder is a plain value: use it from one thread at a time,
 * any thread (workers may build their replies).
 * OWNERSHIP. Strings are copied. dbot_embed and dbot_row handles belong to
 * their message and die with it. dbot_msg_json() returns a new cJSON the
 * caller owns; the builder stays usable.
 */
#ifndef DBOT_MESSAGE_H
#define DBOT_MESSAGE_H

#include <dbot/command.h>
#include <dbot/dbot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbot_msg dbot_msg;
typedef struct dbot_embed dbot_embed;
typedef struct dbot_row dbot_row;
typedef struct dbot_modal dbot_modal;

/* Message flags (dbot_msg_flags). */
#define DBOT_MSG_SUPPRESS_EMBEDS        (1u << 2)
#define DBOT_MSG_EPHEMERAL              (1u << 6)  /* interactions only */
#define DBOT_MSG_SUPPRESS_NOTIFICATIONS (1u << 12) /* no push or sound */

/* Mention kinds that may ping (dbot_msg_mentions). */
#define DBOT_MENTION_NONE     0u
#define DBOT_MENTION_USERS    (1u << 0)
#define DBOT_MENTION_ROLES    (1u << 1)
#define DBOT_MENTION_EVERYONE (1u << 2) /* @everyone and @here */

/* ---- the message ------------------------------------------------------ */

/* Name: dbot_msg_new
 * Desc: a new, empty message builder. Any thread.
 * Returns: the builder, the caller's to dbot_msg_free(); NULL when out of
 *          memory (every function accepts NULL; dbot_msg_error(NULL) says
 *          "out of memory"). */
DBOT_API dbot_msg *dbot_msg_new(void);

/* Name: dbot_msg_free
 * Desc: free the builder with its embeds and rows. NULL is a no-op. The
 *       builder's thread.
 * Returns: nothing. */
DBOT_API void dbot_msg_free(dbot_msg *m);

/* Every setter below: the builder's thread; strings are copied. Each
 * returns 0, or the first recorded error: DBOT_ETOOBIG (a limit),
 * DBOT_EINVAL (a malformed value: not UTF-8, empty where text is needed, a
 * zero id), DBOT_ENOMEM (also for a NULL handle, which only an allocation
 * failure gives); once an error is recorded they do nothing. */

/* Name: dbot_msg_content, dbot_msg_contentf
 * Desc: the text, at most 2000 characters; replaces earlier content.
 *       _contentf formats it with printf rules first.
 * Returns: as every setter. */
DBOT_API int dbot_msg_content(dbot_msg *m, const char *text);
DBOT_API int dbot_msg_contentf(dbot_msg *m, const char *fmt, ...)
    DBOT_PRINTF(2, 3);

/* Name: dbot_msg_flags
 * Desc: OR DBOT_MSG_* flags into the message's flags.
 * Returns: as every setter (the bits are not checked: Discord refuses
 *       flags a message may not carry). */
DBOT_API int dbot_msg_flags(dbot_msg *m, unsigned flags);

/* Name: dbot_msg_mentions
 * Desc: which mentions in the content may ping. Unless this or the two
 *       calls below are used, a message with content carries
 *       {"parse":["users"]}: users are pinged, roles and @everyone never
 *       (the interaction default, made explicit so channel messages behave
 *       the same). DBOT_MENTION_NONE pings nobody.
 * Returns: as every setter. */
DBOT_API int dbot_msg_mentions(dbot_msg *m, unsigned kinds);

/* Name: dbot_msg_mention_user, dbot_msg_mention_role
 * Desc: let exactly these users (or roles) be pinged, at most 100 each;
 *       listing users turns off DBOT_MENTION_USERS (Discord refuses both).
 * Returns: as every setter; DBOT_ETOOBIG past 100, DBOT_EINVAL for id 0. */
DBOT_API int dbot_msg_mention_user(dbot_msg *m, uint64_t user_id);
DBOT_API int dbot_msg_mention_role(dbot_msg *m, uint64_t role_id);

/* Name: dbot_msg_reply_to
 * Desc: channel messages: reply to message_id; `ping` pings its author.
 * Returns: as every setter; DBOT_EINVAL for message_id 0. */
DBOT_API int dbot_msg_reply_to(dbot_msg *m, uint64_t message_id, bool ping);

/* Name: dbot_msg_set_raw
 * Desc: the escape hatch: set top-level `key` to `value` as-is (a poll,
 *       attachments, sticker_ids, tts), replacing what is there. No limits
 *       are checked on it. Takes ownership of value, also on failure.
 * Returns: 0, DBOT_EINVAL (NULL key or value), or the recorded error. */
DBOT_API int dbot_msg_set_raw(dbot_msg *m, const char *key, cJSON *value);

/* Name: dbot_msg_json
 * Desc: the message JSON, for a response's `data` or a message body.
 * Returns: a new cJSON the caller owns, or NULL when an error was
 *          recorded (see dbot_msg_error) or memory ran out. */
DBOT_API cJSON *dbot_msg_json(const dbot_msg *m);

/* Name: dbot_msg_error
 * Desc: what went wrong in the builder, for the log. The builder's
 *       thread.
 * Returns: the first error with its path ("content: longer than 2000
 *          characters (2001)"), "out of memory" when the last
 *          dbot_msg_json() ran out of it, or NULL when there is none (so
 *          it is never NULL after dbot_msg_json() returned NULL). Borrowed
 *          until the message is freed. */
DBOT_API const char *dbot_msg_error(const dbot_msg *m);

/* ---- embeds (at most 10, 6000 characters in all) ---------------------- */

/* Name: dbot_msg_embed
 * Desc: add an embed to the message. The builder's thread.
 * Returns: its handle, owned by the message (freed with it); NULL past 10
 *       embeds (DBOT_ETOOBIG recorded), after an earlier error, or when
 *       out of memory. */
DBOT_API dbot_embed *dbot_msg_embed(dbot_msg *m);

/* Name: dbot_embed_title, dbot_embed_description, dbot_embed_url,
 *       dbot_embed_color, dbot_embed_timestamp, dbot_embed_footer,
 *       dbot_embed_image, dbot_embed_thumbnail, dbot_embed_author,
 *       dbot_embed_field
 * Desc: set a part of the embed, replacing what was set (fields add):
 *       title <= 256 characters, description <= 4096, url / image /
 *       thumbnail URLs <= 2048, color 0xRRGGBB, timestamp in milliseconds
 *       since the Unix epoch (shown in the reader's time zone), footer
 *       text <= 2048 (icon_url may be NULL), author name <= 256 (url and
 *       icon_url may be NULL), and at most 25 fields of name <= 256 and
 *       value <= 1024, neither empty. All embeds of a message hold 6000
 *       characters at most. Errors are recorded in the embed's message.
 * Returns: as every setter; DBOT_EINVAL also for a color over 0xFFFFFF
 *       or a timestamp before 1970 or after 9999. */
DBOT_API int dbot_embed_title(dbot_embed *e, const char *title);
DBOT_API int dbot_embed_description(dbot_embed *e, const char *text);
DBOT_API int dbot_embed_url(dbot_embed *e, const char *url);
DBOT_API int dbot_embed_color(dbot_embed *e, uint32_t rgb);
DBOT_API int dbot_embed_timestamp(dbot_embed *e, int64_t unix_ms);
DBOT_API int dbot_embed_footer(dbot_embed *e, const char *text,
                               const char *icon_url);
DBOT_API int dbot_embed_image(dbot_embed *e, const char *url);
DBOT_API int dbot_embed_thumbnail(dbot_embed *e, const char *url);
DBOT_API int dbot_embed_author(dbot_embed *e, const char *name, const char *url,
                               const char *icon_url);
DBOT_API int dbot_embed_field(dbot_embed *e, const char *name,
                              const char *value, bool inline_);

/* ---- components: action rows of buttons or one select ----------------- */

enum dbot_button_style {
    DBOT_BUTTON_PRIMARY = 1,   /* blurple; needs custom_id */
    DBOT_BUTTON_SECONDARY = 2, /* grey; needs custom_id */
    DBOT_BUTTON_SUCCESS = 3,   /* green; needs custom_id */
    DBOT_BUTTON_DANGER = 4,    /* red; needs custom_id */
    DBOT_BUTTON_LINK = 5,      /* opens url; sends no interaction */
};

typedef struct dbot_button {
    int style;             /* enum dbot_button_style */
    const char *label;     /* <= 80 characters; label or emoji or both */
    const char *custom_id; /* styles 1-4: 1-100, unique in the message */
    const char *url;       /* style 5: <= 512 */
    const char *emoji;     /* "👍", or a custom "<:name:id>" / "name:id" */
    bool disabled;
} dbot_button;

enum dbot_select_type {
    DBOT_SELECT_STRING = 3, /* options chosen by the bot */
    DBOT_SELECT_USER = 5,
    DBOT_SELECT_ROLE = 6,
    DBOT_SELECT_MENTIONABLE = 7,
    DBOT_SELECT_CHANNEL = 8,
};

typedef struct dbot_select_option {
    const char *label;       /* 1-100 characters */
    const char *value;       /* 1-100 characters, sent back on pick */
    const char *description; /* <= 100, or NULL */
    const char *emoji;       /* as in dbot_button, or NULL */
    bool is_default;         /* pre-selected */
} dbot_select_option;

typedef struct dbot_select {
    int type;                          /* enum dbot_select_type; 0 = STRING */
    const char *custom_id;             /* 1-100, unique in the message */
    const char *placeholder;           /* <= 150, or NULL */
    const dbot_select_option *options; /* STRING: 1-25, { 0 }-terminated */
    int min_values;                    /* 0 = Discord's default (1); 1-25 */
    int max_values;                    /* 0 = Discord's default (1); 1-25 */
    bool allow_none; /* min_values 0: the user may pick nothing */
    bool disabled;
    uint64_t channel_types; /* CHANNEL: DBOT_CHANNEL_MASK bits, 0 = any */
} dbot_select;

/* Name: dbot_msg_row
 * Desc: add an action row (at most 5). Rows left empty are not sent. The
 *       builder's thread.
 * Returns: its handle, owned by the message; NULL past 5 rows
 *       (DBOT_ETOOBIG recorded), after an earlier error, or when out of
 *       memory. */
DBOT_API dbot_row *dbot_msg_row(dbot_msg *m);

/* Name: dbot_row_button, dbot_row_select
 * Desc: add a button (at most 5 per row, not beside a select) or a select
 *       (alone in its row), checked against the limits given in
 *       dbot_button and dbot_select. The structs are read, not kept.
 * Returns: as every setter; DBOT_EINVAL also for a NULL struct, a style or
 *       type out of range, a custom_id or url missing for the style. */
DBOT_API int dbot_row_button(dbot_row *r, const dbot_button *b);
DBOT_API int dbot_row_select(dbot_row *r, const dbot_select *s);

/* ---- modals (the response to open one is built by the caller) --------- */

enum dbot_text_style {
    DBOT_TEXT_SHORT = 1,     /* one line */
    DBOT_TEXT_PARAGRAPH = 2, /* several lines */
};

typedef struct dbot_text_input {
    const char *custom_id;   /* 1-100, unique in the modal */
    const char *label;       /* 1-45, shown above the input */
    const char *description; /* <= 100 under the label, or NULL */
    int style;               /* enum dbot_text_style; 0 = SHORT */
    int min_length;          /* 0-4000; 0 = not set */
    int max_length;          /* 1-4000; 0 = not set */
    bool optional;           /* inputs are required unless this is set */
    const char *placeholder; /* <= 100, or NULL */
    const char *value;       /* prefilled text <= 4000, or NULL */
} dbot_text_input;

/* Name: dbot_modal_new
 * Desc: a modal builder with custom_id (1-100) and title (1-45), both
 *       copied and checked here (an error shows in dbot_modal_error). Any
 *       thread; one at a time per builder, like dbot_msg.
 * Returns: the builder, the caller's to dbot_modal_free(); NULL when out
 *       of memory. */
DBOT_API dbot_modal *dbot_modal_new(const char *custom_id, const char *title);

/* Name: dbot_modal_free
 * Desc: free the builder. NULL is a no-op.
 * Returns: nothing. */
DBOT_API void dbot_modal_free(dbot_modal *md);

/* Name: dbot_modal_text, dbot_modal_select
 * Desc: add a text input, or a select titled `label` (1-45; description
 *       <= 100 or NULL), each wrapped in a Label; at most 5 components. The
 *       structs are read, not kept.
 * Returns: 0, or the first recorded error: DBOT_ETOOBIG (a limit, a sixth
 *       component), DBOT_EINVAL (NULL struct, a style out of range, a
 *       malformed value), DBOT_ENOMEM (also for a NULL builder). */
DBOT_API int dbot_modal_text(dbot_modal *md, const dbot_text_input *t);
DBOT_API int dbot_modal_select(dbot_modal *md, const char *label,
                               const char *description, const dbot_select *s);

/* Name: dbot_modal_json
 * Desc: the modal's `data` ({custom_id, title, components}), for
 *       dbot_interaction_modal_json().
 * Returns: a new cJSON the caller owns, or NULL on a recorded error
 *       (including a modal with no components) or when out of memory;
 *       after a NULL, dbot_modal_error() says why ("out of memory"
 *       included). */
DBOT_API cJSON *dbot_modal_json(const dbot_modal *md);

/* Name: dbot_modal_error
 * Desc: what went wrong in the builder, for the log.
 * Returns: the first error with its path, borrowed until the modal is
 *       freed; "out of memory" for NULL; NULL when there is none. */
DBOT_API const char *dbot_modal_error(const dbot_modal *md);

/* ---- autocomplete results -------------------------------------------- */

/* Name: dbot_autocomplete_json
 * Desc: the `data` of an autocomplete response (callback type 8),
 *       {"choices":[{name, value}]}, from choices[0..n). `type` is the
 *       focused option's type and picks the value member of each choice
 *       (DBOT_OPT_STRING: .str, DBOT_OPT_INTEGER: .integer,
 *       DBOT_OPT_NUMBER: .number). Only the first 25 are used (Discord's
 *       maximum), so a handler may pass all its matches; the answer
 *       dbot_interaction_autocomplete_json() takes exactly this object and
 *       keeps the same limit, and dbot_interaction_autocomplete_choices()
 *       does both steps. n = 0 gives an empty list ("no suggestions"). Any
 *       thread; choices are read, not kept; err (may be NULL) gets at most
 *       errlen bytes, terminated.
 * Returns: a new cJSON the caller owns, or NULL with a message in err
 *          ("choices[3].name: longer than 100 characters (101)"): a name
 *          or string value empty or over 100 characters or not UTF-8, a
 *          type other than the three, or out of memory. */
DBOT_API cJSON *dbot_autocomplete_json(const dbot_choice *choices, size_t n,
                                       int type, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_MESSAGE_H */
