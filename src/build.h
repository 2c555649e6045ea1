/*
 * build.h: what the message, component and modal builders share: the sticky
 * first error, checked setters for cJSON members, emoji parsing, custom_id
 * uniqueness and select menus (in messages and in modals).
 *
 * Every function records its failure in the dbot__bld it gets and returns
 * the (first) error code; once an error is recorded the builders stop
 * doing anything, which is what lets handlers chain calls unchecked.
 */
#ifndef DBOT_SRC_BUILD_H
#define DBOT_SRC_BUILD_H

#include <dbot/message.h>

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The sticky first error of a message or a modal. */
struct dbot__bld {
    int code;      /* 0 or the first DBOT_E* */
    char err[256]; /* "path: what" */
};

/* Record code and the formatted message unless an error is recorded
 * already. Returns the first recorded code. */
int dbot__bld_fail(struct dbot__bld *b, int code, const char *fmt, ...)
    DBOT_PRINTF(3, 4);
int dbot__bld_nomem(struct dbot__bld *b);

/* Check that s is valid UTF-8 of 1..max characters (0..max when not
 * required); `path` names the field in the error. */
int dbot__bld_len(struct dbot__bld *b, const char *path, const char *s,
                  long max, int required);

/* obj[key] = value, replacing. _item takes ownership of v (also NULL,
 * recorded as out of memory). _push appends v to arr, taking it. */
int dbot__bld_str(struct dbot__bld *b, cJSON *obj, const char *key,
                  const char *s);
int dbot__bld_num(struct dbot__bld *b, cJSON *obj, const char *key, double d);
int dbot__bld_item(struct dbot__bld *b, cJSON *obj, const char *key, cJSON *v);
int dbot__bld_push(struct dbot__bld *b, cJSON *arr, cJSON *v);
int dbot__bld_id(struct dbot__bld *b, cJSON *obj, const char *key, uint64_t id);

/* "👍" -> {name}; "<:name:id>", "<a:name:id>" or "name:id" -> {id, name,
 * animated?}. NULL (error recorded) when malformed. */
cJSON *dbot__bld_emoji(struct dbot__bld *b, const char *path, const char *s);

/* Check custom_id is 1-100 characters and not used anywhere under scope
 * (rows, labels and their components). */
int dbot__bld_custom_id(struct dbot__bld *b, const char *path, const char *id,
                        const cJSON *scope);

/* A checked select menu component; custom ids unique within scope. */
cJSON *dbot__bld_select(struct dbot__bld *b, const char *path,
                        const dbot_select *s, const cJSON *scope);

#endif
