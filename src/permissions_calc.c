/*
 * permissions_calc.c: Discord's permission algorithm, pure. The order of
 * the steps is Discord's (permissions.mdx): base = @everyone | roles;
 * owner or ADMINISTRATOR -> everything, which no overwrite can take away;
 * then the @everyone overwrite, the role overwrites as ONE combined
 * deny-then-allow (so a role that allows beats another that denies,
 * whatever their positions), then the member's own overwrite. A timeout
 * is applied last, to the result, as the docs describe it ("temporarily
 * lose all permissions except VIEW_CHANNEL and READ_MESSAGE_HISTORY").
 */
#include "permissions_calc.h"

#include <dbot/permissions.h>

static int
has_role(const struct dbot__perm_input *in, uint64_t id)
{
    for (size_t i = 0; i < in->nroles; i++)
        if (in->role_ids[i] == id)
            return 1;
    return 0;
}

static uint64_t
base_raw(const struct dbot__perm_input *in)
{
    uint64_t p = in->everyone;

    if (in->owner_id && in->user_id == in->owner_id)
        return DBOT_PERM_ALL;
    for (size_t i = 0; i < in->nroles; i++)
        p |= in->role_perms[i];
    if (p & DBOT_PERM_ADMINISTRATOR)
        return DBOT_PERM_ALL;
    return p;
}

static uint64_t
timed(const struct dbot__perm_input *in, uint64_t p)
{
    if (in->timed_out && p != DBOT_PERM_ALL)
        return p & DBOT_PERM_TIMED_OUT_KEEP;
    return p;
}

uint64_t
dbot__perm_base(const struct dbot__perm_input *in)
{
    return timed(in, base_raw(in));
}

uint64_t
dbot__perm_compute(const struct dbot__perm_input *in)
{
    uint64_t p = base_raw(in), allow = 0, deny = 0;
    const struct dbot__perm_overwrite *member = NULL;

    if (p == DBOT_PERM_ALL)
        return p;
    for (size_t i = 0; i < in->now; i++) {
        const struct dbot__perm_overwrite *o = &in->ow[i];

        if (o->type == DBOT__OW_ROLE && o->id == in->guild_id) {
            p &= ~o->deny;
            p |= o->allow;
        }
    }
    for (size_t i = 0; i < in->now; i++) {
        const struct dbot__perm_overwrite *o = &in->ow[i];

        if (o->type == DBOT__OW_ROLE && o->id != in->guild_id &&
            has_role(in, o->id)) {
            allow |= o->allow;
            deny |= o->deny;
        } else if (o->type == DBOT__OW_MEMBER && o->id == in->user_id) {
            member = o;
        }
    }
    p &= ~deny;
    p |= allow;
    if (member) {
        p &= ~member->deny;
        p |= member->allow;
    }
    return timed(in, p);
}
