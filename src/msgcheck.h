/*
 * msgcheck.h: Discord's limits on answers given as raw JSON (interaction
 * callbacks, @original edits, followups), checked before sending.
 *
 * The builders (message.c, modal.c) check as they build; a body that a
 * handler wrote by hand reaches Discord unchecked, where a broken limit is
 * a 400 (50035) and the user sees "This interaction failed". These checks
 * count and word things as the builders do (characters are code points,
 * text must be valid UTF-8; errors name the field: "content: longer than
 * 2000 characters (2001)"), but they only check limits and types, never
 * rebuild or reorder anything. Fields they do not know pass.
 *
 * Pure: JSON in, a verdict out; any thread.
 */
#ifndef DBOT_SRC_MSGCHECK_H
#define DBOT_SRC_MSGCHECK_H

#include "build.h"

#include <cjson/cJSON.h>

/* Characters in an "embeds" array the way Discord adds them up for its
 * 6000 limit: titles, descriptions, field names and values, footer texts
 * and author names. Not an array, or not strings: 0 for those parts. */
long dbot__embeds_chars(const cJSON *embeds);

/* Name: dbot__check_message
 * Desc: a message body (content, embeds, components, flags): content 2000
 *       characters; 10 embeds of 6000 characters together (title 256,
 *       description 4096, 25 fields of 256 + 1024, footer 2048, author
 *       256); legacy components 5 action rows of 5, Components V2 (flag
 *       1<<15) 40 components in all; every custom_id 1-100 characters and
 *       every button label 80.
 * Returns: 0; DBOT_ETOOBIG (a limit) or DBOT_EINVAL (not an object, a
 *       field of the wrong type, text not UTF-8), recorded in b. */
int dbot__check_message(struct dbot__bld *b, const cJSON *msg);

/* The "data" of an autocomplete result: {"choices": [...]} with at most 25
 * choices, each a name of 1-100 characters and a value (a string of at
 * most 100 characters, or a number). */
int dbot__check_choices(struct dbot__bld *b, const cJSON *data);

/* The "data" of a modal: custom_id 1-100 characters, title 1-45, 1-5
 * top-level components, every nested custom_id 1-100. */
int dbot__check_modal(struct dbot__bld *b, const cJSON *data);

#endif
