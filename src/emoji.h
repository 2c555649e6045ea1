/*
 * emoji.h: an emoji as a user writes it ("👍", "#️⃣", "<:blob:123>",
 * "<a:dance:456>", "blob:123"), parsed once and then rendered the two ways
 * Discord wants it: as a component's emoji object (build.c) and as the
 * {emoji} segment of a reaction route (rest_reactions.c). Pure.
 */
#ifndef DBOT_SRC_EMOJI_H
#define DBOT_SRC_EMOJI_H

#include <stddef.h>

/* The longest Unicode emoji accepted, in bytes. The longest sequences in
 * use (families with skin tones, subdivision flags) are under 45 bytes. */
#define DBOT__EMOJI_MAX 64

/* A segment is at most every byte percent-encoded, plus the NUL. */
#define DBOT__EMOJI_SEG_MAX (3 * DBOT__EMOJI_MAX + 1)

/* What was wrong with an emoji; dbot__emoji_why() words it. */
enum dbot__emoji_err {
    DBOT__EMOJI_OK = 0,
    DBOT__EMOJI_EMPTY,
    DBOT__EMOJI_UTF8,
    DBOT__EMOJI_LONG,
    DBOT__EMOJI_FORM, /* neither a Unicode emoji nor a custom one */
};

/* A parsed emoji; the pointers are into the string given to the parser. */
struct dbot__emoji {
    const char *name; /* Unicode: the whole emoji; custom: its name */
    size_t name_len;
    const char *id; /* custom: its decimal id; Unicode: NULL */
    size_t id_len;
    int animated; /* custom: written <a:name:id> */
};

/* Parse s into *e. Unicode emoji must be valid UTF-8 with at least one
 * non-ASCII code point and no ASCII but keycap bases (0-9 # *), which
 * refuses ":thumbsup:" and already percent-encoded text. Custom names are
 * 1-32 of [A-Za-z0-9_], ids 1-20 digits. Returns DBOT__EMOJI_OK or the
 * problem. */
enum dbot__emoji_err dbot__emoji_parse(const char *s, struct dbot__emoji *e);

/* A short static phrase for err ("empty", "not valid UTF-8", ...). */
const char *dbot__emoji_why(enum dbot__emoji_err err);

/* The reaction route's {emoji} segment for e into buf (at least
 * DBOT__EMOJI_SEG_MAX bytes): Unicode emoji percent-encoded once (every
 * byte but RFC 3986 unreserved ones), custom ones as "name:id". */
void dbot__emoji_segment(const struct dbot__emoji *e, char *buf);

#endif
