/*
 * cache.c: the cache's life cycle, the sweeps that remove a guild and
 * what hangs off it, and the numbers /metrics shows.
 *
 * DESIGN. Channels, threads, roles, emojis and messages are global tables
 * (a channel id is enough to find one, and "the guild of a channel" is a
 * field); members, voice states and presences are per guild, keyed by
 * user id; users are global and reference-counted by the members and
 * message authors that point at them, so a user in 50 guilds is stored
 * once. Removing a guild marks it `clearing` and sweeps each global table
 * once, so a re-identify that drops a shard's 2,500 guilds costs one pass,
 * not 2,500.
 */
#include "cache.h"
#include "cache_store.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

int
dbot__cache_new(struct dbot__cache **out, const struct dbot__cache_config *cfg)
{
    struct dbot__cache *c = calloc(1, sizeof *c);

    *out = NULL;
    if (!c)
        return DBOT_ENOMEM;
    c->cfg = *cfg;
    dbot__intern_init(&c->str);
    dbot__idt_init(&c->guilds, sizeof(struct cguild_ref));
    dbot__idt_init(&c->channels, sizeof(struct cchannel));
    dbot__idt_init(&c->threads, sizeof(struct cchannel));
    dbot__idt_init(&c->roles, sizeof(struct crole));
    dbot__idt_init(&c->users, sizeof(struct cuser));
    dbot__idt_init(&c->emojis, sizeof(struct cemoji));
    dbot__idt_init(&c->messages, sizeof(struct cmessage));
    dbot__idt_init(&c->msgchans, sizeof(struct cmsgchan));
    *out = c;
    return 0;
}

static void
free_guild(struct cguild *g)
{
    dbot__idt_free(&g->members);
    dbot__idt_free(&g->voice);
    dbot__idt_free(&g->presences);
    free(g);
}

void
dbot__cache_free(struct dbot__cache *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->guilds.nslots; i++) {
        struct cguild_ref *r = dbot__idt_slot(&c->guilds, i);

        if (r->id)
            free_guild(r->g);
    }
    for (uint32_t i = 0; i < c->msgchans.nslots; i++) {
        struct cmsgchan *m = dbot__idt_slot(&c->msgchans, i);

        if (m->channel_id)
            free(m->ring);
    }
    dbot__idt_free(&c->guilds);
    dbot__idt_free(&c->channels);
    dbot__idt_free(&c->threads);
    dbot__idt_free(&c->roles);
    dbot__idt_free(&c->users);
    dbot__idt_free(&c->emojis);
    dbot__idt_free(&c->messages);
    dbot__idt_free(&c->msgchans);
    dbot__intern_free(&c->str);
    free(c);
}

int
dbot__cache_has(const struct dbot__cache *c, int kind)
{
    return c && kind >= 0 && kind < DBOT__CK_COUNT && c->cfg.max[kind] > 0;
}

void
dbot__cache_apply(struct dbot__cache *c, const char *name, const cJSON *d,
                  int shard_id)
{
    dbot__cache_event_fn fn;

    if (!c || !name || !cJSON_IsObject(d))
        return;
    fn = dbot__cache_event_handler(name);
    if (fn)
        fn(c, d, shard_id);
}

struct cguild *
dbot__cache_guild_rec(const struct dbot__cache *c, uint64_t id)
{
    struct cguild_ref *r = dbot__idt_get(&c->guilds, id);

    return r ? r->g : NULL;
}

/* ---- removal ------------------------------------------------------------ */

void
dbot__cache_user_unref(struct dbot__cache *c, uint64_t id)
{
    struct cuser *u = dbot__idt_get(&c->users, id);

    if (!u || --u->ref > 0)
        return;
    dbot__intern_unref(&c->str, u->username);
    dbot__intern_unref(&c->str, u->global_name);
    if (u->avatar_kind == AVATAR_OTHER) {
        uint32_t a;

        memcpy(&a, u->avatar, sizeof a);
        dbot__intern_unref(&c->str, a);
    }
    dbot__idt_del(&c->users, id);
}

static void
member_release(struct dbot__cache *c, struct cmember *m)
{
    dbot__intern_unref(&c->str, m->nick);
    dbot__intern_unref(&c->str, m->avatar);
    dbot__intern_unref(&c->str, m->roles);
    if (m->has_user)
        dbot__cache_user_unref(c, m->user_id);
}

void
dbot__cache_member_drop(struct dbot__cache *c, struct cguild *g,
                        uint64_t user_id)
{
    struct cmember *m = dbot__idt_get(&g->members, user_id);

    if (!m)
        return;
    member_release(c, m);
    dbot__idt_del(&g->members, user_id);
    c->count[DBOT__CK_MEMBERS]--;
}

void
dbot__cache_guild_clear_members(struct dbot__cache *c, struct cguild *g)
{
    for (uint32_t i = 0; i < g->members.nslots; i++) {
        struct cmember *m = dbot__idt_slot(&g->members, i);

        if (m->user_id)
            member_release(c, m);
    }
    for (uint32_t i = 0; i < g->presences.nslots; i++) {
        struct cpresence *p = dbot__idt_slot(&g->presences, i);

        if (p->user_id)
            dbot__intern_unref(&c->str, p->activity);
    }
    c->count[DBOT__CK_MEMBERS] -= g->members.count;
    c->count[DBOT__CK_VOICE] -= g->voice.count;
    c->count[DBOT__CK_PRESENCES] -= g->presences.count;
    dbot__idt_free(&g->members);
    dbot__idt_free(&g->voice);
    dbot__idt_free(&g->presences);
}

/* A channel's kept messages, and their ring. */
static void
msgchan_drop(struct dbot__cache *c, uint64_t channel_id)
{
    struct cmsgchan *mc = dbot__idt_get(&c->msgchans, channel_id);
    uint64_t *ring;
    uint32_t n, head, cap = c->cfg.messages_per_channel;

    if (!mc)
        return;
    ring = mc->ring;
    n = mc->n;
    head = mc->head;
    dbot__idt_del(&c->msgchans, channel_id);
    for (uint32_t i = 0; i < n; i++)
        dbot__cache_message_drop(c, ring[(head + i) % cap]);
    free(ring);
}

void
dbot__cache_channel_drop(struct dbot__cache *c, struct dbot__idtable *t,
                         uint64_t id)
{
    struct cchannel *ch = dbot__idt_get(t, id);

    if (!ch)
        return;
    dbot__intern_unref(&c->str, ch->name);
    dbot__intern_unref(&c->str, ch->topic);
    dbot__intern_unref(&c->str, ch->overwrites);
    dbot__idt_del(t, id);
    msgchan_drop(c, id);
}

/* Remove a message (not from its channel's ring: the ring's owner does). */
void
dbot__cache_message_drop(struct dbot__cache *c, uint64_t id)
{
    struct cmessage *m = dbot__idt_get(&c->messages, id);

    if (!m)
        return;
    dbot__intern_unref(&c->str, m->content);
    if (m->has_author)
        dbot__cache_user_unref(c, m->author_id);
    dbot__idt_del(&c->messages, id);
}

static int
clearing(const struct dbot__cache *c, uint64_t guild_id)
{
    const struct cguild *g = dbot__cache_guild_rec(c, guild_id);

    return g && g->clearing;
}

void
dbot__cache_sweep(struct dbot__cache *c)
{
    for (uint32_t i = 0; i < c->channels.nslots; i++) {
        struct cchannel *ch = dbot__idt_slot(&c->channels, i);

        if (ch->id && ch->guild_id && clearing(c, ch->guild_id))
            dbot__cache_channel_drop(c, &c->channels, ch->id);
    }
    for (uint32_t i = 0; i < c->threads.nslots; i++) {
        struct cchannel *ch = dbot__idt_slot(&c->threads, i);

        if (ch->id && clearing(c, ch->guild_id))
            dbot__cache_channel_drop(c, &c->threads, ch->id);
    }
    for (uint32_t i = 0; i < c->roles.nslots; i++) {
        struct crole *r = dbot__idt_slot(&c->roles, i);

        if (r->id && clearing(c, r->guild_id)) {
            dbot__intern_unref(&c->str, r->name);
            dbot__idt_del(&c->roles, r->id);
        }
    }
    for (uint32_t i = 0; i < c->emojis.nslots; i++) {
        struct cemoji *e = dbot__idt_slot(&c->emojis, i);

        if (e->id && clearing(c, e->guild_id)) {
            dbot__intern_unref(&c->str, e->name);
            dbot__idt_del(&c->emojis, e->id);
        }
    }
    /* Messages of channels that were never cached (channels off). */
    for (uint32_t i = 0; i < c->msgchans.nslots; i++) {
        struct cmsgchan *m = dbot__idt_slot(&c->msgchans, i);

        if (m->channel_id && m->guild_id && clearing(c, m->guild_id))
            msgchan_drop(c, m->channel_id);
    }
}

static void
guild_free_rec(struct dbot__cache *c, struct cguild *g)
{
    uint64_t id = g->id;

    dbot__cache_guild_clear_members(c, g);
    dbot__intern_unref(&c->str, g->name);
    dbot__intern_unref(&c->str, g->icon);
    free_guild(g);
    dbot__idt_del(&c->guilds, id);
}

void
dbot__cache_drop_shard(struct dbot__cache *c, int shard_id)
{
    int any = 0, all;

    for (uint32_t i = 0; i < c->guilds.nslots; i++) {
        struct cguild_ref *r = dbot__idt_slot(&c->guilds, i);

        if (r->id && r->g->shard == shard_id)
            any = r->g->clearing = 1;
    }
    if (any)
        dbot__cache_sweep(c);
    for (uint32_t i = 0; i < c->guilds.nslots; i++) {
        struct cguild_ref *r = dbot__idt_slot(&c->guilds, i);

        if (r->id && r->g->clearing)
            guild_free_rec(c, r->g);
    }
    /* DMs arrive on shard 0 (and anything that named no guild). Without
     * guilds cached nothing says which shard a channel came on: a fresh
     * READY on any shard drops them all rather than keep stale ones. */
    all = !c->cfg.max[DBOT__CK_GUILDS];
    if (shard_id != 0 && !all)
        return;
    for (uint32_t i = 0; i < c->channels.nslots; i++) {
        struct cchannel *ch = dbot__idt_slot(&c->channels, i);

        if (ch->id && (all || !ch->guild_id))
            dbot__cache_channel_drop(c, &c->channels, ch->id);
    }
    for (uint32_t i = 0; i < c->threads.nslots; i++) {
        struct cchannel *ch = dbot__idt_slot(&c->threads, i);

        if (ch->id && (all || !ch->guild_id))
            dbot__cache_channel_drop(c, &c->threads, ch->id);
    }
    for (uint32_t i = 0; i < c->msgchans.nslots; i++) {
        struct cmsgchan *m = dbot__idt_slot(&c->msgchans, i);

        if (m->channel_id && (all || !m->guild_id))
            msgchan_drop(c, m->channel_id);
    }
}

void
dbot__cache_guild_drop(struct dbot__cache *c, uint64_t id)
{
    struct cguild *g = dbot__cache_guild_rec(c, id);

    if (!g)
        return;
    g->clearing = 1;
    dbot__cache_sweep(c);
    guild_free_rec(c, g);
}

/* ---- stats -------------------------------------------------------------- */

static const char *const stat_names[DBOT__CK_COUNT + 1] = {
    "guilds", "channels",     "threads",   "roles",    "members", "users",
    "emojis", "voice_states", "presences", "messages", "strings",
};

const char *
dbot__cache_stat_name(int k)
{
    return k >= 0 && k <= DBOT__CK_COUNT ? stat_names[k] : NULL;
}

void
dbot__cache_stats(const struct dbot__cache *c, struct dbot__cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    out->entries[DBOT__CK_GUILDS] = c->guilds.count;
    out->bytes[DBOT__CK_GUILDS] = dbot__idt_bytes(&c->guilds);
    for (uint32_t i = 0; i < c->guilds.nslots; i++) {
        const struct cguild_ref *r = dbot__idt_slot(&c->guilds, i);

        if (!r->id)
            continue;
        out->bytes[DBOT__CK_GUILDS] += sizeof *r->g;
        out->bytes[DBOT__CK_MEMBERS] += dbot__idt_bytes(&r->g->members);
        out->bytes[DBOT__CK_VOICE] += dbot__idt_bytes(&r->g->voice);
        out->bytes[DBOT__CK_PRESENCES] += dbot__idt_bytes(&r->g->presences);
    }
    out->entries[DBOT__CK_CHANNELS] = c->channels.count;
    out->bytes[DBOT__CK_CHANNELS] = dbot__idt_bytes(&c->channels);
    out->entries[DBOT__CK_THREADS] = c->threads.count;
    out->bytes[DBOT__CK_THREADS] = dbot__idt_bytes(&c->threads);
    out->entries[DBOT__CK_ROLES] = c->roles.count;
    out->bytes[DBOT__CK_ROLES] = dbot__idt_bytes(&c->roles);
    out->entries[DBOT__CK_MEMBERS] = c->count[DBOT__CK_MEMBERS];
    out->entries[DBOT__CK_USERS] = c->users.count;
    out->bytes[DBOT__CK_USERS] = dbot__idt_bytes(&c->users);
    out->entries[DBOT__CK_EMOJIS] = c->emojis.count;
    out->bytes[DBOT__CK_EMOJIS] = dbot__idt_bytes(&c->emojis);
    out->entries[DBOT__CK_VOICE] = c->count[DBOT__CK_VOICE];
    out->entries[DBOT__CK_PRESENCES] = c->count[DBOT__CK_PRESENCES];
    out->entries[DBOT__CK_MESSAGES] = c->messages.count;
    out->bytes[DBOT__CK_MESSAGES] =
        dbot__idt_bytes(&c->messages) + dbot__idt_bytes(&c->msgchans) +
        (size_t)c->msgchans.count * c->cfg.messages_per_channel *
            sizeof(uint64_t);
    out->entries[DBOT__CACHE_STAT_STRINGS] = c->str.count;
    out->bytes[DBOT__CACHE_STAT_STRINGS] = dbot__intern_bytes(&c->str);
    for (int k = 0; k < DBOT__CK_COUNT; k++)
        out->dropped[k] = c->dropped[k];
}
