/*
 * interaction_data.h: read an interaction without walking its JSON.
 *
 * Every function takes the interaction object as Discord sends it (the `d`
 * of INTERACTION_CREATE, or the body of an HTTP interaction POST) and only
 * reads it: no allocation, no state, any thread, safe on any JSON (a
 * malformed or hostile payload gives "absent", never a crash). Returned
 * pointers are borrowed from `json` and live as long as it does. The
 * parameter is `json` here: `ix` always names a dbot_interaction handle
 * (docs/api.md). Options are read through the dbot_option_* family below,
 * which handlers and jobs share.
 *
 * Ids are snowflakes, uint64_t parsed from their decimal strings with
 * strtoull and never through a double; 0 means absent (no real snowflake
 * is 0). Option getters look at the leaf level: for
 * `/permissions user get user:@x` they see `user`, not the group.
 *
 * Value readers return the value, or the caller's default when the value
 * is absent, of the wrong type or malformed (an INTEGER that is not a whole
 * number in +-(2^53-1), an id that is not a snowflake).
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

/* Where the interaction happened (dbot_ix_context). */
enum dbot_interaction_context {
    DBOT_IX_CTX_GUILD = 0,
    DBOT_IX_CTX_BOT_DM = 1,
    DBOT_IX_CTX_PRIVATE_CHANNEL = 2,
};

/* ---- snowflakes ------------------------------------------------------- */

/* Name: dbot_snowflake_parse
 * Desc: a decimal snowflake string ("41771983444115456") to uint64_t. Only
 *       digits, no sign or spaces, no overflow. Any thread. `out` may be
 *       NULL to validate only.
 * Returns: 0 and *out, or DBOT_EINVAL (NULL, not digits, over 2^64-1;
 *       *out = 0). */
DBOT_API int dbot_snowflake_parse(const char *s, uint64_t *out);

/* Name: dbot_json_snowflake
 * Desc: a snowflake from JSON: a string, or (as Discord sometimes echoes
 *       ids back) a whole JSON number up to 2^53. Any thread.
 * Returns: the id, or 0 when absent or malformed. */
DBOT_API uint64_t dbot_json_snowflake(const cJSON *v);

/* ---- the interaction -------------------------------------------------- */

/* Name: dbot_ix_type
 * Desc: the interaction's type. Unknown future types are returned as
 *       they are. Any thread.
 * Returns: enum dbot_interaction_type, or 0 when missing. */
DBOT_API int dbot_ix_type(const cJSON *json);

/* Name: dbot_ix_id, dbot_ix_application_id
 * Desc: the interaction's id and its application's id. Any thread.
 * Returns: the id, or 0 when absent or malformed. */
DBOT_API uint64_t dbot_ix_id(const cJSON *json);
DBOT_API uint64_t dbot_ix_application_id(const cJSON *json);

/* Name: dbot_ix_token
 * Desc: the interaction token (up to 152133 characters: never copy it into
 *       a fixed buffer). Any thread. Jobs' copies have no token.
 * Returns: the token (borrowed from json), or NULL. */
DBOT_API const char *dbot_ix_token(const cJSON *json);

/* Name: dbot_ix_guild_id, dbot_ix_channel_id
 * Desc: the guild (guild_id) and the channel (channel_id, else
 *       channel.id) the interaction happened in. Any thread.
 * Returns: the id; 0 when absent (the guild id is 0 in DMs). */
DBOT_API uint64_t dbot_ix_guild_id(const cJSON *json);
DBOT_API uint64_t dbot_ix_channel_id(const cJSON *json);

/* Name: dbot_ix_locale, dbot_ix_guild_locale
 * Desc: the user's client locale ("en-US") and the guild's preferred
 *       locale. Any thread.
 * Returns: the locale (borrowed from json), or NULL when absent (PING,
 *       DMs for the guild's). */
DBOT_API const char *dbot_ix_locale(const cJSON *json);
DBOT_API const char *dbot_ix_guild_locale(const cJSON *json);

/* Name: dbot_ix_context
 * Desc: where the interaction happened. Any thread.
 * Returns: DBOT_IX_CTX_*, or -1 when absent. */
DBOT_API int dbot_ix_context(const cJSON *json);

/* Name: dbot_ix_user, dbot_ix_user_id, dbot_ix_member
 * Desc: the invoking user (member.user in guilds, user in DMs), its id,
 *       and the invoking member (guilds only). Any thread.
 * Returns: the object (borrowed from json) or NULL; the id or 0. */
DBOT_API const cJSON *dbot_ix_user(const cJSON *json);
DBOT_API uint64_t dbot_ix_user_id(const cJSON *json);
DBOT_API const cJSON *dbot_ix_member(const cJSON *json);

/* Name: dbot_ix_app_permissions, dbot_ix_member_permissions
 * Desc: the bot's permissions in the channel (`app_permissions`), and the
 *       invoking member's (`member.permissions`, guilds only), from their
 *       decimal strings. Any thread; `out` may be NULL.
 * Returns: 1 and *out; 0 when absent (*out = 0); DBOT_EINVAL when not a
 *       decimal string (*out = 0). */
DBOT_API int dbot_ix_app_permissions(const cJSON *json, uint64_t *out);
DBOT_API int dbot_ix_member_permissions(const cJSON *json, uint64_t *out);

/* Name: dbot_ix_resolved
 * Desc: the `resolved` entry of kind "users", "members", "roles",
 *       "channels", "messages" or "attachments" for id, from
 *       data.resolved. Any thread.
 * Returns: the object (borrowed from json), or NULL if absent. */
DBOT_API const cJSON *dbot_ix_resolved(const cJSON *json, const char *kind,
                                       uint64_t id);

/* ---- commands (types 2 and 4) ----------------------------------------- */

/* Name: dbot_ix_command_name, dbot_ix_command_id
 * Desc: the invoked command's name (data.name) and id (data.id). Any
 *       thread.
 * Returns: the name (borrowed from json) or NULL; the id or 0. */
DBOT_API const char *dbot_ix_command_name(const cJSON *json);
DBOT_API uint64_t dbot_ix_command_id(const cJSON *json);

/* Name: dbot_ix_command_type
 * Desc: the invoked command's type. Any thread.
 * Returns: enum dbot_command_type of data.type (1 when absent), or 0 when
 *       the interaction carries no command. */
DBOT_API int dbot_ix_command_type(const cJSON *json);

/* Name: dbot_ix_command_path
 * Desc: the command name followed by the subcommand group and subcommand
 *       actually invoked, space-separated: "permissions user get". Plain
 *       commands give just their name. Any thread; writes only buf.
 * Returns: the length written (NUL-terminated), DBOT_ENOENT when json
 *       holds no command, DBOT_ETOOBIG when buf is too small (buf then
 *       holds a truncated, terminated prefix), DBOT_EINVAL for a NULL buf
 *       or len 0. */
DBOT_API int dbot_ix_command_path(const cJSON *json, char *buf, size_t len);

/* Name: dbot_ix_target_id
 * Desc: USER and MESSAGE commands: data.target_id. Any thread.
 * Returns: the id, or 0 if absent. */
DBOT_API uint64_t dbot_ix_target_id(const cJSON *json);

/* Name: dbot_ix_target
 * Desc: USER and MESSAGE commands: the resolved target user or message,
 *       and for a user in a guild its partial member in *member (NULL
 *       otherwise; member may be NULL). Any thread.
 * Returns: the target (borrowed from json), or NULL when there is none. */
DBOT_API const cJSON *dbot_ix_target(const cJSON *json, const cJSON **member);

/* ---- options: one family over a view ----------------------------------- */

/* A read-only view of an interaction's command options, at the leaf level
 * (after any subcommand group and subcommand). Get one from the holder you
 * have: dbot_interaction_options(ix) in a handler or done callback,
 * dbot_work_options(w) in a job, dbot_options_of(json) for interaction
 * JSON. A view allocates nothing, needs no freeing, and is valid as long
 * as its holder; the readers below only read it, on any thread the holder
 * may be read from. A NULL view reads as "no options". */
typedef struct dbot_options dbot_options;

/* Name: dbot_options_of
 * Desc: the view of interaction JSON (the `d` of INTERACTION_CREATE, an
 *       HTTP interaction's body, or a copy). Any thread.
 * Returns: the view, borrowed from json (NULL for NULL). */
DBOT_API const dbot_options *dbot_options_of(const cJSON *json);

/* Name: dbot_option_str, dbot_option_int, dbot_option_num, dbot_option_bool
 * Desc: the value of the option `name`, or `def` when it is absent, null,
 *       of another type or malformed. _int takes INTEGER options, whole
 *       numbers only, exactly, in +-(2^53-1); _num takes NUMBER and
 *       INTEGER. During autocomplete Discord may send the typed text as a
 *       string: a string that is entirely a number is accepted for _int
 *       and _num. Any thread the view may be read on.
 * Returns: the value; strings are borrowed from the view's holder. */
DBOT_API const char *dbot_option_str(const dbot_options *o, const char *name,
                                     const char *def);
DBOT_API int64_t dbot_option_int(const dbot_options *o, const char *name,
                                 int64_t def);
DBOT_API double dbot_option_num(const dbot_options *o, const char *name,
                                double def);
DBOT_API bool dbot_option_bool(const dbot_options *o, const char *name,
                               bool def);

/* Name: dbot_option_type
 * Desc: the declared type of the option `name`, to tell "absent" from
 *       "present with another type" (which the value readers both answer
 *       with def). Any thread the view may be read on.
 * Returns: enum dbot_option_type, or 0 when absent. */
DBOT_API int dbot_option_type(const dbot_options *o, const char *name);

/* Name: dbot_option_find, dbot_option_list
 * Desc: the option object named `name`, and the whole leaf options array,
 *       for what the readers do not cover. Any thread the view may be read
 *       on.
 * Returns: borrowed from the view's holder; NULL when absent. */
DBOT_API const cJSON *dbot_option_find(const dbot_options *o, const char *name);
DBOT_API const cJSON *dbot_option_list(const dbot_options *o);

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

/* Name: dbot_option_user, dbot_option_channel, dbot_option_role,
 *       dbot_option_mentionable, dbot_option_attachment
 * Desc: the reference option `name` in *out (may be NULL to test
 *       presence); a mentionable's out->type says whether a user or a role
 *       was picked. The pointers in *out are borrowed from the view's
 *       holder. Any thread the view may be read on.
 * Returns: 1 and *out; 0 when absent; DBOT_EINVAL when present with
 *       another type or an id that is not a snowflake. On 0 and
 *       DBOT_EINVAL *out is zeroed. */
DBOT_API int dbot_option_user(const dbot_options *o, const char *name,
                              dbot_ref *out);
DBOT_API int dbot_option_channel(const dbot_options *o, const char *name,
                                 dbot_ref *out);
DBOT_API int dbot_option_role(const dbot_options *o, const char *name,
                              dbot_ref *out);
DBOT_API int dbot_option_mentionable(const dbot_options *o, const char *name,
                                     dbot_ref *out);
DBOT_API int dbot_option_attachment(const dbot_options *o, const char *name,
                                    dbot_ref *out);

/* Name: dbot_option_member
 * Desc: a USER option `name` whose user is a member of the guild: as
 *       dbot_option_user, with out->member the resolved partial member
 *       (roles, nick, permissions; no "user" inside: the user is
 *       out->object). Any thread the view may be read on.
 * Returns: 1 and *out; 0 when absent or when Discord resolved no member
 *       (a user outside the guild, a DM); DBOT_EINVAL as dbot_option_user.
 *       On 0 and DBOT_EINVAL *out is zeroed. */
DBOT_API int dbot_option_member(const dbot_options *o, const char *name,
                                dbot_ref *out);

/* Name: dbot_option_focused
 * Desc: autocomplete: the option being typed. *name gets its name and
 *       *value its (partial) text, or NULL when Discord sent a number;
 *       either pointer may be NULL. Any thread the view may be read on.
 * Returns: the option object (borrowed), or NULL when none is focused. */
DBOT_API const cJSON *dbot_option_focused(const dbot_options *o,
                                          const char **name,
                                          const char **value);

/* ---- components (type 3) ---------------------------------------------- */

/* Name: dbot_ix_custom_id
 * Desc: data.custom_id of a component or a modal submit. Any thread.
 * Returns: borrowed from json, or NULL. */
DBOT_API const char *dbot_ix_custom_id(const cJSON *json);

/* Name: dbot_ix_component_type
 * Desc: data.component_type (2 button, 3-8 selects). Any thread.
 * Returns: the type, or 0. */
DBOT_API int dbot_ix_component_type(const cJSON *json);

/* Name: dbot_ix_values_count, dbot_ix_value
 * Desc: select menus: the number of picked values, and the i-th (option
 *       values, or ids for user/role/channel/mentionable selects; resolved
 *       objects via dbot_ix_resolved). Any thread.
 * Returns: the count (0 when none); the value borrowed from json, or NULL
 *       when out of range or not a string. */
DBOT_API int dbot_ix_values_count(const cJSON *json);
DBOT_API const char *dbot_ix_value(const cJSON *json, int i);

/* Name: dbot_ix_message
 * Desc: the message the component is attached to. Any thread.
 * Returns: borrowed from json, or NULL. */
DBOT_API const cJSON *dbot_ix_message(const cJSON *json);

/* ---- modal submits (type 5) ------------------------------------------- */

/* Name: dbot_ix_modal_component
 * Desc: the submitted component with this custom_id, in either layout:
 *       Labels (type 18) wrapping `component`, or legacy action rows of
 *       text inputs. A text input carries `value`, selects `values`. Any
 *       thread.
 * Returns: the component object (borrowed from json), or NULL. */
DBOT_API const cJSON *dbot_ix_modal_component(const cJSON *json,
                                              const char *custom_id);

/* Name: dbot_ix_modal_value
 * Desc: the text of the text input with this custom_id. Any thread.
 * Returns: borrowed from json; "" for an empty optional input; NULL when
 *       there is no such text input. */
DBOT_API const char *dbot_ix_modal_value(const cJSON *json,
                                         const char *custom_id);

/* ---- deprecated (0.2 only; docs/api.md) -------------------------------- */

#ifndef DBOT_NO_DEPRECATED
/* Name: dbot_opt_find, dbot_ix_options, dbot_ix_focused, dbot_opt_string,
 *       dbot_opt_integer, dbot_opt_number, dbot_opt_boolean, dbot_opt_user,
 *       dbot_opt_channel, dbot_opt_role, dbot_opt_mentionable,
 *       dbot_opt_attachment
 * Desc: deprecated: the dbot_option_* reader of the same name on
 *       dbot_options_of(json). Any thread. The scalar ones write the value
 *       (or def) to *out (may be NULL).
 * Returns: find, options, focused: as dbot_option_find, _list, _focused.
 *       The others: 1 present with the right type; 0 absent; DBOT_EINVAL
 *       present with another type or malformed. */
DBOT_API const cJSON *dbot_opt_find(const cJSON *json, const char *name)
    DBOT_DEPRECATED("dbot_option_find");
DBOT_API const cJSON *dbot_ix_options(const cJSON *json)
    DBOT_DEPRECATED("dbot_option_list");
DBOT_API const cJSON *dbot_ix_focused(const cJSON *json, const char **name,
                                      const char **value)
    DBOT_DEPRECATED("dbot_option_focused");
DBOT_API int dbot_opt_string(const cJSON *json, const char *name,
                             const char *def, const char **out)
    DBOT_DEPRECATED("dbot_option_str");
DBOT_API int dbot_opt_integer(const cJSON *json, const char *name, int64_t def,
                              int64_t *out) DBOT_DEPRECATED("dbot_option_int");
DBOT_API int dbot_opt_number(const cJSON *json, const char *name, double def,
                             double *out) DBOT_DEPRECATED("dbot_option_num");
DBOT_API int dbot_opt_boolean(const cJSON *json, const char *name, bool def,
                              bool *out) DBOT_DEPRECATED("dbot_option_bool");
DBOT_API int dbot_opt_user(const cJSON *json, const char *name, dbot_ref *out)
    DBOT_DEPRECATED("dbot_option_user");
DBOT_API int dbot_opt_channel(const cJSON *json, const char *name,
                              dbot_ref *out)
    DBOT_DEPRECATED("dbot_option_channel");
DBOT_API int dbot_opt_role(const cJSON *json, const char *name, dbot_ref *out)
    DBOT_DEPRECATED("dbot_option_role");
DBOT_API int dbot_opt_mentionable(const cJSON *json, const char *name,
                                  dbot_ref *out)
    DBOT_DEPRECATED("dbot_option_mentionable");
DBOT_API int dbot_opt_attachment(const cJSON *json, const char *name,
                                 dbot_ref *out)
    DBOT_DEPRECATED("dbot_option_attachment");
#endif

#ifdef __cplusplus
}
#endif
#endif /* DBOT_INTERACTION_DATA_H */
