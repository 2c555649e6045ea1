/*
 * permissions_calc.h: Discord's permission algorithm on plain numbers
 * (developers/topics/permissions.mdx, "Permission Overwrites"). A leaf:
 * integers and arrays in, bits out, no JSON, no clock, so the public
 * helper (permissions.c) and a cache can both feed it.
 */
#ifndef DBOT_SRC_PERMISSIONS_CALC_H
#define DBOT_SRC_PERMISSIONS_CALC_H

#include <stddef.h>
#include <stdint.h>

enum {
    DBOT__OW_ROLE = 0, /* overwrite type, as Discord numbers them */
    DBOT__OW_MEMBER = 1,
};

struct dbot__perm_overwrite {
    uint64_t id; /* a role id (the guild id for @everyone) or a user id */
    int type;    /* DBOT__OW_ROLE or DBOT__OW_MEMBER */
    uint64_t allow, deny;
};

struct dbot__perm_input {
    uint64_t guild_id; /* also the @everyone role's id */
    uint64_t owner_id;
    uint64_t user_id;
    uint64_t everyone;          /* the @everyone role's permissions */
    const uint64_t *role_ids;   /* the member's roles (not @everyone) */
    const uint64_t *role_perms; /* their permissions, same order */
    size_t nroles;
    const struct dbot__perm_overwrite *ow; /* the channel's; NULL: none */
    size_t now;                            /* how many */
    int timed_out; /* 1: the member's timeout has not ended */
};

/* The guild-level permissions: owner or ADMINISTRATOR -> all. */
uint64_t dbot__perm_base(const struct dbot__perm_input *in);
/* The permissions in the channel whose overwrites `in` holds. */
uint64_t dbot__perm_compute(const struct dbot__perm_input *in);

#endif
