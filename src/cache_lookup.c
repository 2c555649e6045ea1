/*
 * cache_lookup.c: the cache's records seen through the public structs of
 * <dbot/cache.h>, and effective permissions computed from them with the
 * shared pure algorithm (permissions_calc.c).
 */
#include "cache_store.h"
#include "permissions_calc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBER_ROLES 256

static const char *
str(const struct dbot__cache *c, uint32_t id)
{
    return dbot__intern_data(&c->str, id, NULL);
}

static int64_t
unix_s(uint32_t t)
{
    return t ? (int64_t)t + DBOT__DISCORD_EPOCH_S : 0;
}

int
dbot__cache_guild(const struct dbot__cache *c, uint64_t id,
                  dbot_cached_guild *out)
{
    const struct cguild *g = dbot__cache_guild_rec(c, id);

    if (!g)
        return 0;
    memset(out, 0, sizeof *out);
    out->id = g->id;
    out->name = str(c, g->name);
    out->icon = str(c, g->icon);
    out->owner_id = g->owner_id;
    out->member_count = g->member_count;
    out->unavailable = g->unavailable;
    out->large = g->large;
    out->shard_id = g->shard;
    return 1;
}

int
dbot__cache_channel(const struct dbot__cache *c, uint64_t id,
                    dbot_cached_channel *out)
{
    const struct cchannel *ch = dbot__idt_get(&c->channels, id);

    if (!ch)
        ch = dbot__idt_get(&c->threads, id);
    if (!ch)
        return 0;
    memset(out, 0, sizeof *out);
    out->id = ch->id;
    out->guild_id = ch->guild_id;
    out->parent_id = ch->parent_id;
    out->owner_id = ch->owner_id;
    out->name = str(c, ch->name);
    out->topic = str(c, ch->topic);
    out->type = ch->type;
    out->position = ch->position;
    out->nsfw = !!(ch->bits & CH_NSFW);
    out->rate_limit_per_user = ch->rate_limit;
    out->archived = !!(ch->bits & CH_ARCHIVED);
    out->locked = !!(ch->bits & CH_LOCKED);
    out->member_count = ch->member_count;
    out->joined = !!(ch->bits & CH_JOINED);
    return 1;
}

int
dbot__cache_role(const struct dbot__cache *c, uint64_t id,
                 dbot_cached_role *out)
{
    const struct crole *r = dbot__idt_get(&c->roles, id);

    if (!r)
        return 0;
    memset(out, 0, sizeof *out);
    out->id = r->id;
    out->guild_id = r->guild_id;
    out->permissions = r->permissions;
    out->name = str(c, r->name);
    out->color = r->color;
    out->position = r->position;
    out->hoist = !!(r->bits & ROLE_HOIST);
    out->managed = !!(r->bits & ROLE_MANAGED);
    out->mentionable = !!(r->bits & ROLE_MENTIONABLE);
    return 1;
}

int
dbot__cache_user(const struct dbot__cache *c, uint64_t id,
                 dbot_cached_user *out)
{
    const struct cuser *u = dbot__idt_get(&c->users, id);

    if (!u)
        return 0;
    memset(out, 0, sizeof *out);
    out->id = u->id;
    out->username = str(c, u->username);
    out->global_name = str(c, u->global_name);
    if (u->avatar_kind == AVATAR_HEX || u->avatar_kind == AVATAR_ANIMATED) {
        static const char hex[] = "0123456789abcdef";
        char *o = out->avatar;

        if (u->avatar_kind == AVATAR_ANIMATED) {
            *o++ = 'a';
            *o++ = '_';
        }
        for (int i = 0; i < 16; i++) {
            *o++ = hex[u->avatar[i] >> 4];
            *o++ = hex[u->avatar[i] & 15];
        }
        *o = 0;
    } else if (u->avatar_kind == AVATAR_OTHER) {
        uint32_t sid;

        memcpy(&sid, u->avatar, sizeof sid);
        snprintf(out->avatar, sizeof out->avatar, "%s", str(c, sid));
    }
    out->discriminator = u->discriminator;
    out->bot = u->bot;
    out->public_flags = u->public_flags;
    return 1;
}

int
dbot__cache_emoji(const struct dbot__cache *c, uint64_t id,
                  dbot_cached_emoji *out)
{
    const struct cemoji *e = dbot__idt_get(&c->emojis, id);

    if (!e)
        return 0;
    memset(out, 0, sizeof *out);
    out->id = e->id;
    out->guild_id = e->guild_id;
    out->name = str(c, e->name);
    out->animated = !!(e->bits & EMOJI_ANIMATED);
    out->available = !!(e->bits & EMOJI_AVAILABLE);
    out->managed = !!(e->bits & EMOJI_MANAGED);
    return 1;
}

int
dbot__cache_member(const struct dbot__cache *c, uint64_t guild_id,
                   uint64_t user_id, dbot_cached_member *out)
{
    const struct cguild *g = dbot__cache_guild_rec(c, guild_id);
    const struct cmember *m = g ? dbot__idt_get(&g->members, user_id) : NULL;
    size_t len;

    if (!m)
        return 0;
    memset(out, 0, sizeof *out);
    out->guild_id = guild_id;
    dbot__cache_user(c, user_id, &out->user);
    out->user.id = user_id;
    out->nick = str(c, m->nick);
    out->avatar = str(c, m->avatar);
    out->role_ids = dbot__intern_data(&c->str, m->roles, &len);
    out->nroles = len / sizeof(uint64_t);
    out->joined_at = unix_s(m->joined);
    out->timeout_until = unix_s(m->timeout);
    out->pending = m->pending;
    out->flags = m->flags;
    return 1;
}

int
dbot__cache_voice_state(const struct dbot__cache *c, uint64_t guild_id,
                        uint64_t user_id, dbot_cached_voice_state *out)
{
    const struct cguild *g = dbot__cache_guild_rec(c, guild_id);
    const struct cvoice *v = g ? dbot__idt_get(&g->voice, user_id) : NULL;

    if (!v)
        return 0;
    memset(out, 0, sizeof *out);
    out->guild_id = guild_id;
    out->user_id = user_id;
    out->channel_id = v->channel_id;
    out->self_mute = !!(v->bits & VS_SELF_MUTE);
    out->self_deaf = !!(v->bits & VS_SELF_DEAF);
    out->mute = !!(v->bits & VS_MUTE);
    out->deaf = !!(v->bits & VS_DEAF);
    out->self_stream = !!(v->bits & VS_STREAM);
    out->self_video = !!(v->bits & VS_VIDEO);
    out->suppress = !!(v->bits & VS_SUPPRESS);
    return 1;
}

int
dbot__cache_presence(const struct dbot__cache *c, uint64_t guild_id,
                     uint64_t user_id, dbot_cached_presence *out)
{
    static const char *const names[] = { "offline", "online", "idle", "dnd" };
    const struct cguild *g = dbot__cache_guild_rec(c, guild_id);
    const struct cpresence *p =
        g ? dbot__idt_get(&g->presences, user_id) : NULL;

    if (!p)
        return 0;
    memset(out, 0, sizeof *out);
    out->guild_id = guild_id;
    out->user_id = user_id;
    out->status = names[p->status < 4 ? p->status : 0];
    out->activity_name = str(c, p->activity);
    out->activity_type = p->activity_type;
    return 1;
}

int
dbot__cache_message(const struct dbot__cache *c, uint64_t channel_id,
                    uint64_t message_id, dbot_cached_message *out)
{
    const struct cmessage *m = dbot__idt_get(&c->messages, message_id);
    const char *content;

    if (!m || m->channel_id != channel_id)
        return 0;
    content = str(c, m->content);
    memset(out, 0, sizeof *out);
    out->id = m->id;
    out->channel_id = m->channel_id;
    out->guild_id = m->guild_id;
    out->author_id = m->author_id;
    out->content = content ? content : "";
    out->type = m->type;
    out->flags = m->flags;
    out->pinned = !!(m->bits & MSG_PINNED);
    out->edited = !!(m->bits & MSG_EDITED);
    return 1;
}

int
dbot__cache_permissions(const struct dbot__cache *c, uint64_t guild_id,
                        uint64_t channel_id, uint64_t user_id, int64_t now_s,
                        uint64_t *perms)
{
    const struct cguild *g = dbot__cache_guild_rec(c, guild_id);
    const struct cmember *m = g ? dbot__idt_get(&g->members, user_id) : NULL;
    const struct crole *everyone = dbot__idt_get(&c->roles, guild_id);
    uint64_t ids[MAX_MEMBER_ROLES], bits[MAX_MEMBER_ROLES];
    struct dbot__perm_input in;
    const uint64_t *rids;
    size_t len, n = 0;

    if (!m || !everyone)
        return 0;
    memset(&in, 0, sizeof in);
    if (channel_id) {
        const struct cchannel *ch = dbot__idt_get(&c->channels, channel_id);

        if (!ch) { /* a thread takes its parent's overwrites */
            ch = dbot__idt_get(&c->threads, channel_id);
            ch = ch ? dbot__idt_get(&c->channels, ch->parent_id) : NULL;
        }
        if (!ch || ch->guild_id != guild_id)
            return 0;
        in.ow = dbot__intern_data(&c->str, ch->overwrites, &len);
        in.now = len / sizeof *in.ow;
    }
    /* Roles deleted since the member's last update count as none. */
    rids = dbot__intern_data(&c->str, m->roles, &len);
    for (size_t i = 0; i < len / sizeof *rids && n < MAX_MEMBER_ROLES; i++) {
        const struct crole *r = dbot__idt_get(&c->roles, rids[i]);

        if (r && r->guild_id == guild_id) {
            ids[n] = rids[i];
            bits[n++] = r->permissions;
        }
    }
    in.guild_id = guild_id;
    in.owner_id = g->owner_id;
    in.user_id = user_id;
    in.everyone = everyone->permissions;
    in.role_ids = ids;
    in.role_perms = bits;
    in.nroles = n;
    in.timed_out = m->timeout && unix_s(m->timeout) > now_s;
    *perms = channel_id ? dbot__perm_compute(&in) : dbot__perm_base(&in);
    return 1;
}
