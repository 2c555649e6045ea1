/*
 * interaction_data.h: read an interaction without walking its JSON.
 *
 * Every function takes the interaction object as Discord sends it (the `d`
 * of INTERACTION_CREATE, or the body of an HTTP interaction POST) and only
 * reads it: no allocation, no state, any thread, safe on any JSON (a
 * malformed or hostile payload gives "absent", never a crash). Returned
 * pointers are borrowed from `ix` and live as long as it does.
 *
 * Ids are snowflakes, uint64_t parsed from their decimal strings with
 * strtoull and never through a double; 0 means absent (no real snowflake
 * is 0). Option getters look at the leaf level: for
 * `/permissions user get user:@x` they see `user`, not the group.
 *
 * Typed getters share one contract:
 *   returns 1  present with the right type: *out holds the value;
 *           0  absent: *out = def;
 *           DBOT_EINVAL present with the wrong type or a malformed value
 *              (an INTEGER that is not a whole number in +-(2^53-1), an id
 *              that is not a snowflake): *out = def.
 * `out` may be NULL to test presence only.
 */
#ifndef DBOT_INTERACTION_DATA_H
#define DBOT_INTERACTION_DATA_H

#include <dbot/command.h>
#include <dbot/dbot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

enum dbot_interaction_type {
    DBOT_IX_PING = 1,
    DBOT_IX_COMMAND = 2,      /* APPLICATION_COMMAND */
    DBOT_IX_COMPONENT = 3,    /* MESSAGE_COMPONENT */
    DBOT_IX_AUTOCOMPLETE = 4, /* APPLICATION_COMMAND_AUTOCOMPLETE */
    DBOT_IX_MODAL_SUBMIT = 5,
};

/* Context where the interaction happened (dbot_ix_context). */
enum dbot_interaction_context {
    DBOT_IX_CTX_GUILD = 0,
    DBOT_IX_CTX_BOT_DM = 1,
    DBOT_IX_CTX_PRIVATE_CHANNEL = 2,
};

/* ---- snowflakes ------------------------------------------------------- */

/* Name: dbot_snowflake_parse
 * Desc: a decimal snowflake string ("41771983444115456") to uint64_t. Only
 *       digits, no sign or spaces, no overflow.
 * Returns: 0 and *out, or DBOT_EINVAL (*out = 0). */
DBOT_API int dbot_snowflake_parse(const char *s, uint64_t *out);

/* Name: dbot_json_snowflake
 * Desc: a snowflake from JSON: a string, or (as Discord sometimes echoes
 *       ids back) a whole JSON number up to 2^53.
 * Returns: the id, or 0 when absent or malformed. */
DBOT_API uint64_t dbot_json_snowflake(const cJSON *v);

/* ---- the interaction -------------------------------------------------- */

/* enum dbot_interaction_type, or 0 when missing. Unknown future types are
 * returned as they are. */
DBOT_API int dbot_ix_type(const cJSON *ix);

DBOT_API uint64_t dbot_ix_id(const cJSON *ix);
DBOT_API uint64_t dbot_ix_application_id(const cJSON *ix);
/* The interaction token (up to 152133 characters: never copy it into a
 * fixed buffer), or NULL. */
DBOT_API const char *dbot_ix_token(const cJSON *ix);
/* 0 in DMs. */
DBOT_API uint64_t dbot_ix_guild_id(const cJSON *ix);
/* channel_id, else channel.id. */
DBOT_API uint64_t dbot_ix_channel_id(const cJSON *ix);
/* The user's client locale ("en-US"), or NULL (PING). */
DBOT_API const char *dbot_ix_locale(const cJSON *ix);
DBOT_API const char *dbot_ix_guild_locale(const cJSON *ix);
/* DBOT_IX_CTX_*, or -1 when absent. */
DBOT_API int dbot_ix_context(const cJSON *ix);

/* The invoking user: member.user in guilds, user in DMs; NULL if neither. */
DBOT_API const cJSON *dbot_ix_user(const cJSON *ix);
DBOT_API uint64_t dbot_ix_user_id(const cJSON *ix);
/* The invoking member (guilds only), or NULL. */
DBOT_API const cJSON *dbot_ix_member(const cJSON *ix);

/* Name: dbot_ix_app_permissions, dbot_ix_member_permissions
 * Desc: the bot's permissions in the channel (`app_permissions`), and the
 *       invoking member's (`member.permissions`, guilds only), from their
 *       decimal strings.
 * Returns: 1 and *out; 0 when absent (*out = 0); DBOT_EINVAL. */
DBOT_API int dbot_ix_app_permissions(const cJSON *ix, uint64_t *out);
DBOT_API int dbot_ix_member_permissions(const cJSON *ix, uint64_t *out);

/* The `resolved` entry of kind "users", "members", "roles", "channels",
 * "messages" or "attachments" for id, from data.resolved; NULL if absent. */
DBOT_API const cJSON *dbot_ix_resolved(const cJSON *ix, const char *kind,
                                       uint64_t id);

/* ---- commands (types 2 and 4) ----------------------------------------- */

/* data.name, or NULL. */
DBOT_API const char *dbot_ix_command_name(const cJSON *ix);
/* data.id, the command's id. */
DBOT_API uint64_t dbot_ix_command_id(const cJSON *ix);
/* enum dbot_command_type of data.type (1 when absent), or 0 when the
 * interaction carries no command. */
DBOT_API int dbot_ix_command_type(const cJSON *ix);

/* Name: dbot_ix_command_path
 * Desc: the command name followed by the subcommand group and subcommand
 *       actually invoked, space-separated: "permissions user get". Plain
 *       commands give just their name.
 * Returns: the length written (NUL-terminated), DBOT_ENOENT when ix holds
 *       no command, DBOT_ETOOBIG when buf is too small (buf then holds a
 *       truncated, terminated prefix). */
DBOT_API int dbot_ix_command_path(const cJSON *ix, char *buf, size_t len);

/* USER/MESSAGE commands: data.target_id, 0 if absent. */
DBOT_API uint64_t dbot_ix_target_id(const cJSON *ix);
/* USER/MESSAGE commands: the resolved target user or message, and for a
 * user in a guild its partial member in *member (NULL otherwise; member
 * may be NULL). NULL when there is no target. */
DBOT_API const cJSON *dbot_ix_target(const cJSON *ix, const cJSON **member);

/* ---- options (leaf level) ---------------------------------------------- */

/* The option object named `name` at the leaf level, or NULL. */
DBOT_API const cJSON *dbot_opt_find(const cJSON *ix, const char *name);

/* The leaf options array (after any subcommand group and subcommand), or
 * NULL when there are none. */
DBOT_API const cJSON *dbot_ix_options(const cJSON *ix);

DBOT_API int dbot_opt_string(const cJSON *ix, const char *name, const char *def,
                             const char **out);
/* Whole JSON numbers only, exactly, in +-(2^53-1). During autocomplete
 * Discord may send the typed text as a string; a string that is entirely a
 * whole number is accepted too. */
DBOT_API int dbot_opt_integer(const cJSON *ix, const char *name, int64_t def,
                              int64_t *out);
/* NUMBER and INTEGER options (and numeric strings, as above). */
DBOT_API int dbot_opt_number(const cJSON *ix, const char *name, double def,
                             double *out);
DBOT_API int dbot_opt_boolean(const cJSON *ix, const char *name, bool def,
                              bool *out);

/* A USER, CHANNEL, ROLE, MENTIONABLE or ATTACHMENT option: the id, and the
 * resolved objects when Discord sent them (not always during
 * autocomplete). */
typedef struct dbot_ref {
    uint64_t id;
    const cJSON *object; /* resolved user, channel, role or attachment */
    const cJSON *member; /* users in guilds: the partial member, or NULL */
    int type;            /* DBOT_OPT_USER, _ROLE, _CHANNEL or _ATTACHMENT; a
                          * mentionable that cannot be told apart stays
                          * DBOT_OPT_MENTIONABLE */
} dbot_ref;

/* On 0 or DBOT_EINVAL *out is zeroed. */
DBOT_API int dbot_opt_user(const cJSON *ix, const char *name, dbot_ref *out);
DBOT_API int dbot_opt_channel(const cJSON *ix, const char *name, dbot_ref *out);
DBOT_API int dbot_opt_role(const cJSON *ix, const char *name, dbot_ref *out);
/* out->type says whether a user or a role was picked. */
DBOT_API int dbot_opt_mentionable(const cJSON *ix, const char *name,
                                  dbot_ref *out);
DBOT_API int dbot_opt_attachment(const cJSON *ix, const char *name,
                                 dbot_ref *out);

/* Name: dbot_ix_focused
 * Desc: autocomplete: the option being typed. *name gets its name and
 *       *value its (partial) text, or NULL when Discord sent a number;
 *       either pointer may be NULL.
 * Returns: the option object, or NULL when none is focused. */
DBOT_API const cJSON *dbot_ix_focused(const cJSON *ix, const char **name,
                                      const char **value);

/* ---- components (type 3) ---------------------------------------------- */

/* data.custom_id of a component or a modal submit, or NULL. */
DBOT_API const char *dbot_ix_custom_id(const cJSON *ix);
/* data.component_type (2 button, 3-8 selects), or 0. */
DBOT_API int dbot_ix_component_type(const cJSON *ix);
/* Select menus: the number of picked values, and the i-th (option values,
 * or ids for user/role/channel/mentionable selects; resolved objects via
 * dbot_ix_resolved). Out of range or not a string: NULL. */
DBOT_API int dbot_ix_values_count(const cJSON *ix);
DBOT_API const char *dbot_ix_value(const cJSON *ix, int i);
/* The message the component is attached to, or NULL. */
DBOT_API const cJSON *dbot_ix_message(const cJSON *ix);

/* ---- modal submits (type 5) ------------------------------------------- */

/* Name: dbot_ix_modal_component
 * Desc: the submitted component with this custom_id, in either layout:
 *       Labels (type 18) wrapping `component`, or legacy action rows of
 *       text inputs. A text input carries `value`, selects `values`.
 * Returns: the component object, or NULL. */
DBOT_API const cJSON *dbot_ix_modal_component(const cJSON *ix,
                                              const char *custom_id);
/* The text of the text input with this custom_id, or NULL. An empty
 * optional input gives "". */
DBOT_API const char *dbot_ix_modal_value(const cJSON *ix,
                                         const char *custom_id);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_INTERACTION_DATA_H */
