/*
 * command.h: application commands declared in C.
 *
 * A bot describes its commands as static, read-only data with designated
 * initializers, the way discord.py decorators or D++ builders describe
 * them, and dbot turns them into the JSON that Discord's bulk-overwrite
 * route takes. Lists (options, choices, commands) end with a zeroed
 * element, `{ 0 }`:
 *
 *   static const dbot_option primes_opts[] = {
 *       { .type = DBOT_OPT_INTEGER, .name = "n", .description = "upper bound",
 *         .required = true, .has_min = true, .min_value = 1,
 *         .has_max = true, .max_value = 10000000 },
 *       { 0 }
 *   };
 *   static const dbot_command primes = {
 *       .name = "primes", .description = "Count primes below n",
 *       .options = primes_opts,
 *   };
 *   static const dbot_command inspect = { .type = DBOT_CMD_USER,
 *                                         .name = "Inspect" };
 *
 * Zero means "not set" everywhere, so only what differs from Discord's
 * defaults is written. Everything here is only read, never kept: the
 * structures may live anywhere for the duration of the call that takes them.
 * Fields Discord has and this header lacks (file_types, ...) go through
 * `extra_json`, a JSON object text merged into the object.
 */
#ifndef DBOT_COMMAND_H
#define DBOT_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Command types (application command `type`). 0 means CHAT_INPUT. */
enum dbot_command_type {
    DBOT_CMD_CHAT_INPUT = 1, /* a slash command */
    DBOT_CMD_USER = 2,       /* right-click a user > Apps */
    DBOT_CMD_MESSAGE = 3,    /* right-click a message > Apps */
};

/* Option types. SUBCOMMAND and SUBCOMMAND_GROUP nest other options. */
enum dbot_option_type {
    DBOT_OPT_SUBCOMMAND = 1,
    DBOT_OPT_SUBCOMMAND_GROUP = 2,
    DBOT_OPT_STRING = 3,
    DBOT_OPT_INTEGER = 4, /* -(2^53-1) .. 2^53-1 */
    DBOT_OPT_BOOLEAN = 5,
    DBOT_OPT_USER = 6,
    DBOT_OPT_CHANNEL = 7,
    DBOT_OPT_ROLE = 8,
    DBOT_OPT_MENTIONABLE = 9, /* a user or a role */
    DBOT_OPT_NUMBER = 10,     /* a double */
    DBOT_OPT_ATTACHMENT = 11,
};

/* Channel types, for dbot_option.channel_types (a bit set built with
 * DBOT_CHANNEL_MASK(DBOT_CHANNEL_GUILD_TEXT) | ...). */
enum dbot_channel_type {
    DBOT_CHANNEL_GUILD_TEXT = 0,
    DBOT_CHANNEL_DM = 1,
    DBOT_CHANNEL_GUILD_VOICE = 2,
    DBOT_CHANNEL_GROUP_DM = 3,
    DBOT_CHANNEL_GUILD_CATEGORY = 4,
    DBOT_CHANNEL_GUILD_ANNOUNCEMENT = 5,
    DBOT_CHANNEL_ANNOUNCEMENT_THREAD = 10,
    DBOT_CHANNEL_PUBLIC_THREAD = 11,
    DBOT_CHANNEL_PRIVATE_THREAD = 12,
    DBOT_CHANNEL_GUILD_STAGE_VOICE = 13,
    DBOT_CHANNEL_GUILD_DIRECTORY = 14,
    DBOT_CHANNEL_GUILD_FORUM = 15,
    DBOT_CHANNEL_GUILD_MEDIA = 16,
};
#define DBOT_CHANNEL_MASK(t) ((uint64_t)1 << (t))

/* Where a command may be used (dbot_command.contexts, a bit set). 0 leaves
 * `contexts` out, which Discord reads as "wherever the install allows". */
#define DBOT_CTX_GUILD           (1u << 0)
#define DBOT_CTX_BOT_DM          (1u << 1)
#define DBOT_CTX_PRIVATE_CHANNEL (1u << 2)

/* How a command is installed (dbot_command.integration_types, a bit set).
 * 0 leaves the field out; Discord then uses the app's configured install
 * contexts (GUILD_INSTALL only, unless the app is user-installable: such
 * apps should set it, so that startup can tell nothing changed). */
#define DBOT_INSTALL_GUILD (1u << 0)
#define DBOT_INSTALL_USER  (1u << 1)

/* A text in one of Discord's locales (developers/reference.mdx,
 * "Locales": "de", "en-US", "es-419", "pt-BR", "zh-CN", ...), for the
 * *_localizations fields below: a { 0 }-terminated list, each locale at
 * most once, each text under the same rules as the field it translates
 * (names stay lowercase). Discord shows the user's locale, or the default
 * text when it is missing:
 *
 *   static const dbot_localized ping_names[] = {
 *       { "de", "anpingen" }, { "fr", "sonder" }, { 0 } };
 */
typedef struct dbot_localized {
    const char *locale;
    const char *text;
} dbot_localized;

/* One fixed choice. The value used is the one matching the option's type:
 * `str` for STRING, `integer` for INTEGER, `number` for NUMBER. */
typedef struct dbot_choice {
    const char *name; /* shown to the user, 1-100 characters */
    const char *str;  /* STRING options: 1-100 characters */
    int64_t integer;  /* INTEGER options */
    double number;    /* NUMBER options */
    const dbot_localized *name_localizations; /* NULL: none */
} dbot_choice;

typedef struct dbot_option {
    int type;                   /* enum dbot_option_type, required */
    const char *name;           /* 1-32, lowercase: [-_'a-z0-9] or letters */
    const char *description;    /* 1-100 characters */
    bool required;              /* required options must come first */
    bool autocomplete;          /* STRING/INTEGER/NUMBER; not with choices */
    const dbot_choice *choices; /* <= 25, { 0 }-terminated */
    const struct dbot_option *options; /* SUBCOMMAND(_GROUP) children */
    uint64_t channel_types; /* CHANNEL: DBOT_CHANNEL_MASK bits, 0 = any */
    bool has_min, has_max;  /* INTEGER/NUMBER: min_value/max_value set */
    double min_value, max_value;
    int min_length, max_length; /* STRING: 0 = not set; 1-6000 */
    const char *extra_json;     /* NULL, or a JSON object merged in */
    const dbot_localized *name_localizations;        /* NULL: none */
    const dbot_localized *description_localizations; /* NULL: none */
} dbot_option;

typedef struct dbot_command {
    int type;                   /* enum dbot_command_type; 0 = CHAT_INPUT */
    const char *name;           /* CHAT_INPUT: like option names; USER and
                                 * MESSAGE: 1-32 characters, any case */
    const char *description;    /* CHAT_INPUT: 1-100; others: NULL */
    const dbot_option *options; /* <= 25, { 0 }-terminated */
    /* Permission bits a member needs, as Discord's decimal string
     * ("0": administrators only; "32": MANAGE_GUILD); NULL: everyone. */
    const char *default_member_permissions;
    unsigned contexts;          /* DBOT_CTX_* bits; 0 = not set */
    unsigned integration_types; /* DBOT_INSTALL_* bits; 0 = not set */
    bool nsfw;                  /* age-restricted */
    const char *extra_json;     /* NULL, or a JSON object merged in */
    /* The same as default_member_permissions, from constants:
     * DBOT_PERM_KICK_MEMBERS | DBOT_PERM_BAN_MEMBERS (dbot/permissions.h);
     * DBOT_PERM_ADMINISTRATOR for administrators only; 0: not set. Set one
     * of the two, not both. */
    uint64_t default_member_perms;
    const dbot_localized *name_localizations;        /* NULL: none */
    const dbot_localized *description_localizations; /* NULL: none */
} dbot_command;

#ifdef __cplusplus
}
#endif
#endif /* DBOT_COMMAND_H */
