/*
 * cache_events.c: Discord's gateway documents into the cache's records.
 *
 * Partial updates merge as Discord documents them: a field that is absent
 * leaves the record alone, a null clears it, a value replaces it (a
 * MESSAGE_UPDATE may carry only the fields that changed; a PRESENCE_UPDATE
 * carries a user with only its id). Every insert is idempotent (keyed by
 * id), so an event delivered twice changes nothing twice. Sizes from the
 * network are bounded: role lists to 256 ids, overwrites to 512, strings
 * to 8 KiB, and each kind to its configured count (past it an entry is
 * not kept and is counted as dropped).
 */
#include "cache_store.h"
#include "permissions_calc.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

#define MAX_ROLE_IDS   256
#define MAX_OVERWRITES 512
#define MAX_STRING     8192

/* ---- reading Discord's JSON --------------------------------------------- */

static const cJSON *
get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A snowflake: a decimal string, or a number (Discord may echo one back). */
static uint64_t
snow_v(const cJSON *v)
{
    const char *s;
    uint64_t x = 0;

    if (cJSON_IsNumber(v))
        return v->valuedouble >= 1 && v->valuedouble < 1.8e19
                   ? (uint64_t)v->valuedouble
                   : 0;
    if (!cJSON_IsString(v) || !v->valuestring)
        return 0;
    s = v->valuestring;
    if (!*s || strlen(s) > 20)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
            return 0;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    return x;
}

static uint64_t
snow(const cJSON *o, const char *key)
{
    return snow_v(get(o, key));
}

static int
present(const cJSON *o, const char *key)
{
    return get(o, key) != NULL;
}

static int
num(const cJSON *o, const char *key, long lo, long hi, long *out)
{
    const cJSON *v = get(o, key);

    if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo ||
        v->valuedouble > (double)hi)
        return 0;
    *out = (long)v->valuedouble;
    return 1;
}

static void
set_bit(const cJSON *o, const char *key, uint8_t *bits, uint8_t bit)
{
    const cJSON *v = get(o, key);

    if (cJSON_IsTrue(v))
        *bits |= bit;
    else if (cJSON_IsFalse(v) || cJSON_IsNull(v))
        *bits &= (uint8_t)~bit;
}

/* Absent: unchanged; null or "": none; a string: interned. */
static void
set_str(struct dbot__cache *c, uint32_t *field, const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    uint32_t id = 0;

    if (!v)
        return;
    if (cJSON_IsString(v) && v->valuestring) {
        size_t n = strlen(v->valuestring);

        id = dbot__intern_str(&c->str, v->valuestring,
                              n > MAX_STRING ? MAX_STRING : n);
    }
    dbot__intern_unref(&c->str, *field);
    *field = id;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at p, or -1. */
static int
digits(const char *p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* ISO 8601 ("2015-04-26T06:26:56.936000+00:00") to seconds since the
 * Discord epoch, clamped to 32 bits; 0 for null or anything unreadable.
 * By hand: sscanf was a tenth of the time to apply a member chunk. */
static uint32_t
stamp(const cJSON *v)
{
    const char *p, *z;
    int y, mo, d, h, mi, s;
    int64_t t;

    if (!cJSON_IsString(v) || !v->valuestring || strlen(v->valuestring) < 19)
        return 0;
    p = v->valuestring;
    y = digits(p, 4);
    mo = digits(p + 5, 2);
    d = digits(p + 8, 2);
    h = digits(p + 11, 2);
    mi = digits(p + 14, 2);
    s = digits(p + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || s < 0 || s > 60 || p[4] != '-' || p[7] != '-' ||
        (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
        return 0;
    z = p + 19;
    while (*z == '.' || (*z >= '0' && *z <= '9'))
        z++;
    t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
        mi * 60 + s;
    if ((*z == '+' || *z == '-') && digits(z + 1, 2) >= 0 && z[3] == ':' &&
        digits(z + 4, 2) >= 0)
        t += (*z == '+' ? -1 : 1) *
             (digits(z + 1, 2) * 3600 + digits(z + 4, 2) * 60);
    t -= DBOT__DISCORD_EPOCH_S;
    if (t <= 0)
        return 1; /* before 2015: "known", as early as we can say */
    return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static void
set_stamp(const cJSON *o, const char *key, uint32_t *field)
{
    const cJSON *v = get(o, key);

    if (v)
        *field = stamp(v);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* A role-id list as an interned, sorted, duplicate-free array. */
static uint32_t
role_set(struct dbot__cache *c, const cJSON *arr)
{
    uint64_t ids[MAX_ROLE_IDS];
    size_t n = 0, k = 0;
    const cJSON *it;

    cJSON_ArrayForEach(it, arr) {
        uint64_t id = snow_v(it);

        if (id && n < MAX_ROLE_IDS)
            ids[n++] = id;
    }
    if (n == 0)
        return 0;
    qsort(ids, n, sizeof ids[0], cmp_u64);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    return dbot__intern_add(&c->str, ids, k * sizeof ids[0]);
}

static uint64_t
perm_bits(const cJSON *v)
{
    return snow_v(v); /* a decimal string, like a snowflake */
}

static uint32_t
overwrite_set(struct dbot__cache *c, const cJSON *arr)
{
    struct dbot__perm_overwrite *ow;
    size_t n = 0;
    const cJSON *it;
    uint32_t id;

    ow = calloc(MAX_OVERWRITES, sizeof *ow);
    if (!ow)
        return 0;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *t = get(it, "type");
        uint64_t oid = snow(it, "id");

        if (!oid || n == MAX_OVERWRITES)
            continue;
        ow[n].id = oid;
        /* 0 or 1 today; "role"/"member" in old API versions. */
        ow[n].type = (cJSON_IsNumber(t) && t->valuedouble == 1) ||
                             (cJSON_IsString(t) && t->valuestring &&
                              strcmp(t->valuestring, "member") == 0)
                         ? DBOT__OW_MEMBER
                         : DBOT__OW_ROLE;
        ow[n].allow = perm_bits(get(it, "allow"));
        ow[n].deny = perm_bits(get(it, "deny"));
        n++;
    }
    id = n ? dbot__intern_add(&c->str, ow, n * sizeof *ow) : 0;
    free(ow);
    return id;
}

/* ---- users and members -------------------------------------------------- */

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* See cache_store.h: 32 hex digits as 16 bytes, else interned. */
static void
set_avatar(struct dbot__cache *c, struct cuser *r, const cJSON *u)
{
    const cJSON *v = get(u, "avatar");
    const char *s;
    unsigned char bin[16];
    int kind = AVATAR_HEX, i;

    if (!v)
        return;
    if (r->avatar_kind == AVATAR_OTHER) {
        uint32_t old;

        memcpy(&old, r->avatar, sizeof old);
        dbot__intern_unref(&c->str, old);
    }
    r->avatar_kind = AVATAR_NONE;
    if (!cJSON_IsString(v) || !v->valuestring || !*v->valuestring)
        return;
    s = v->valuestring;
    if (strncmp(s, "a_", 2) == 0) {
        kind = AVATAR_ANIMATED;
        s += 2;
    }
    for (i = 0; i < 16; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

        if (lo < 0)
            break;
        bin[i] = (unsigned char)(hi << 4 | lo);
    }
    if (i == 16 && s[32] == 0) {
        memcpy(r->avatar, bin, sizeof bin);
        r->avatar_kind = (uint8_t)kind;
    } else {
        size_t n = strlen(v->valuestring);
        uint32_t id = dbot__intern_str(&c->str, v->valuestring,
                                       n > MAX_STRING ? MAX_STRING : n);

        if (id) {
            memcpy(r->avatar, &id, sizeof id);
            r->avatar_kind = AVATAR_OTHER;
        }
    }
}

/* Merge a user object; create the user when absent and `create` (within
 * the bound). Returns the record or NULL. */
static struct cuser *
user_merge(struct dbot__cache *c, const cJSON *u, int create)
{
    uint64_t id = snow(u, "id");
    struct cuser *r;
    int created;
    long x;

    if (!id || !c->cfg.max[DBOT__CK_USERS])
        return NULL;
    r = dbot__idt_get(&c->users, id);
    if (!r) {
        if (!create)
            return NULL;
        if (c->users.count >= c->cfg.max[DBOT__CK_USERS] ||
            !(r = dbot__idt_put(&c->users, id, &created))) {
            c->dropped[DBOT__CK_USERS]++;
            return NULL;
        }
    }
    set_str(c, &r->username, u, "username");
    set_str(c, &r->global_name, u, "global_name");
    set_avatar(c, r, u);
    if (present(u, "discriminator")) {
        const cJSON *d = get(u, "discriminator");

        r->discriminator =
            cJSON_IsString(d) ? (uint16_t)strtoul(d->valuestring, NULL, 10) : 0;
    }
    if (num(u, "public_flags", 0, UINT32_MAX, &x))
        r->public_flags = (uint32_t)x;
    if (present(u, "bot"))
        r->bot = cJSON_IsTrue(get(u, "bot"));
    return r;
}

/* Merge a member object into guild g (created within the bound unless
 * `create` is 0). `user_id` names the member when the object has no user.
 * Returns 1 when the member was created. */
static int
member_merge(struct dbot__cache *c, struct cguild *g, const cJSON *m,
             uint64_t user_id, int create)
{
    const cJSON *u = get(m, "user");
    struct cmember *r;
    struct cuser *ur;
    int created = 0;
    long x;

    if (!c->cfg.max[DBOT__CK_MEMBERS])
        return 0;
    if (u)
        user_id = snow(u, "id");
    if (!user_id)
        return 0;
    r = dbot__idt_get(&g->members, user_id);
    if (!r) {
        if (!create)
            return 0;
        if (c->count[DBOT__CK_MEMBERS] >= c->cfg.max[DBOT__CK_MEMBERS] ||
            !(r = dbot__idt_put(&g->members, user_id, &created))) {
            c->dropped[DBOT__CK_MEMBERS]++;
            return 0;
        }
        c->count[DBOT__CK_MEMBERS]++;
    }
    if (u && (ur = user_merge(c, u, 1)) != NULL && !r->has_user) {
        ur->ref++;
        r->has_user = 1;
    }
    set_str(c, &r->nick, m, "nick");
    set_str(c, &r->avatar, m, "avatar");
    if (present(m, "roles")) {
        uint32_t rs = role_set(c, get(m, "roles"));

        dbot__intern_unref(&c->str, r->roles);
        r->roles = rs;
    }
    set_stamp(m, "joined_at", &r->joined);
    set_stamp(m, "communication_disabled_until", &r->timeout);
    if (present(m, "pending"))
        r->pending = cJSON_IsTrue(get(m, "pending"));
    if (num(m, "flags", 0, UINT16_MAX, &x))
        r->flags = (uint16_t)x;
    return created;
}

/* ---- guild-scoped records ----------------------------------------------- */

static void
role_merge(struct dbot__cache *c, uint64_t guild_id, const cJSON *o)
{
    uint64_t id = snow(o, "id");
    struct crole *r;
    int created;
    long x;

    if (!id || !c->cfg.max[DBOT__CK_ROLES])
        return;
    r = dbot__idt_get(&c->roles, id);
    if (!r) {
        if (c->roles.count >= c->cfg.max[DBOT__CK_ROLES] ||
            !(r = dbot__idt_put(&c->roles, id, &created))) {
            c->dropped[DBOT__CK_ROLES]++;
            return;
        }
    }
    r->guild_id = guild_id;
    set_str(c, &r->name, o, "name");
    if (num(o, "color", 0, UINT32_MAX, &x))
        r->color = (uint32_t)x;
    if (num(o, "position", -1000000, 1000000, &x))
        r->position = (int32_t)x;
    if (present(o, "permissions"))
        r->permissions = perm_bits(get(o, "permissions"));
    set_bit(o, "hoist", &r->bits, ROLE_HOIST);
    set_bit(o, "managed", &r->bits, ROLE_MANAGED);
    set_bit(o, "mentionable", &r->bits, ROLE_MENTIONABLE);
}

static void
emoji_merge(struct dbot__cache *c, uint64_t guild_id, const cJSON *o)
{
    uint64_t id = snow(o, "id");
    struct cemoji *e;
    int created;

    if (!id || !c->cfg.max[DBOT__CK_EMOJIS])
        return;
    e = dbot__idt_get(&c->emojis, id);
    if (!e) {
        if (c->emojis.count >= c->cfg.max[DBOT__CK_EMOJIS] ||
            !(e = dbot__idt_put(&c->emojis, id, &created))) {
            c->dropped[DBOT__CK_EMOJIS]++;
            return;
        }
        e->bits = EMOJI_AVAILABLE;
    }
    e->guild_id = guild_id;
    set_str(c, &e->name, o, "name");
    set_bit(o, "animated", &e->bits, EMOJI_ANIMATED);
    set_bit(o, "available", &e->bits, EMOJI_AVAILABLE);
    set_bit(o, "managed", &e->bits, EMOJI_MANAGED);
}

/* Keep what belongs to a guild only while the guild is cached: removing
 * the guild is what removes it again (a DM, guild 0, belongs to none). */
static int
guild_kept(const struct dbot__cache *c, uint64_t guild_id)
{
    return !guild_id || !c->cfg.max[DBOT__CK_GUILDS] ||
           dbot__cache_guild_rec(c, guild_id) != NULL;
}

/* A channel or thread into table t (kind k). */
static struct cchannel *
channel_merge(struct dbot__cache *c, struct dbot__idtable *t, int k,
              const cJSON *o, uint64_t guild_id)
{
    uint64_t id = snow(o, "id");
    const cJSON *meta = get(o, "thread_metadata");
    struct cchannel *ch;
    int created;
    long x;

    if (!id || !c->cfg.max[k])
        return NULL;
    if (present(o, "guild_id"))
        guild_id = snow(o, "guild_id");
    ch = dbot__idt_get(t, id);
    if (ch && guild_id && ch->guild_id != guild_id)
        return NULL; /* not this guild's: leave it to its own */
    if (!ch && !guild_kept(c, guild_id))
        return NULL;
    if (!ch) {
        if (t->count >= c->cfg.max[k] ||
            !(ch = dbot__idt_put(t, id, &created))) {
            c->dropped[k]++;
            return NULL;
        }
    }
    if (guild_id)
        ch->guild_id = guild_id;
    if (present(o, "parent_id"))
        ch->parent_id = snow(o, "parent_id");
    if (present(o, "owner_id"))
        ch->owner_id = snow(o, "owner_id");
    set_str(c, &ch->name, o, "name");
    set_str(c, &ch->topic, o, "topic");
    if (present(o, "permission_overwrites")) {
        uint32_t ow = overwrite_set(c, get(o, "permission_overwrites"));

        dbot__intern_unref(&c->str, ch->overwrites);
        ch->overwrites = ow;
    }
    if (num(o, "type", 0, 255, &x))
        ch->type = (uint8_t)x;
    if (num(o, "position", -1000000, 1000000, &x))
        ch->position = (int32_t)x;
    if (num(o, "rate_limit_per_user", 0, UINT16_MAX, &x))
        ch->rate_limit = (uint16_t)x;
    if (num(o, "member_count", 0, UINT16_MAX, &x))
        ch->member_count = (uint16_t)x;
    set_bit(o, "nsfw", &ch->bits, CH_NSFW);
    if (meta) {
        set_bit(meta, "archived", &ch->bits, CH_ARCHIVED);
        set_bit(meta, "locked", &ch->bits, CH_LOCKED);
    }
    if (present(o, "member"))
        ch->bits |= CH_JOINED; /* a thread member object: the bot's own */
    return ch;
}

static const char *const status_names[] = { "offline", "online", "idle",
                                            "dnd" };

static void
presence_merge(struct dbot__cache *c, struct cguild *g, const cJSON *o)
{
    const cJSON *st = get(o, "status"), *acts = get(o, "activities"), *a;
    uint64_t uid = snow(get(o, "user"), "id");
    struct cpresence *p;
    int created, s = -1;
    long x;

    if (!uid || !c->cfg.max[DBOT__CK_PRESENCES])
        return;
    if (cJSON_IsString(st) && st->valuestring)
        for (int i = 0; i < 4; i++)
            if (strcmp(st->valuestring, status_names[i]) == 0)
                s = i;
    p = dbot__idt_get(&g->presences, uid);
    if (s == 0) { /* offline: nothing worth keeping */
        if (p) {
            dbot__intern_unref(&c->str, p->activity);
            dbot__idt_del(&g->presences, uid);
            c->count[DBOT__CK_PRESENCES]--;
        }
        return;
    }
    if (!p) {
        if (c->count[DBOT__CK_PRESENCES] >= c->cfg.max[DBOT__CK_PRESENCES] ||
            !(p = dbot__idt_put(&g->presences, uid, &created))) {
            c->dropped[DBOT__CK_PRESENCES]++;
            return;
        }
        c->count[DBOT__CK_PRESENCES]++;
        p->activity_type = -1;
    }
    if (s > 0)
        p->status = (uint8_t)s;
    if (acts) {
        a = cJSON_GetArrayItem(acts, 0);
        set_str(c, &p->activity, a ? a : acts, "name");
        if (!a) {
            dbot__intern_unref(&c->str, p->activity);
            p->activity = 0;
        }
        p->activity_type = a && num(a, "type", 0, 127, &x) ? (int8_t)x : -1;
    }
    /* The user is partial (its id at least): merge what it carries. */
    user_merge(c, get(o, "user"), 0);
}

static void
voice_merge(struct dbot__cache *c, struct cguild *g, const cJSON *o)
{
    uint64_t uid = snow(o, "user_id"), cid = snow(o, "channel_id");
    struct cvoice *v;
    int created;

    if (!uid || !c->cfg.max[DBOT__CK_VOICE])
        return;
    v = dbot__idt_get(&g->voice, uid);
    if (!cid) { /* left the voice channel */
        if (v) {
            dbot__idt_del(&g->voice, uid);
            c->count[DBOT__CK_VOICE]--;
        }
        return;
    }
    if (!v) {
        if (c->count[DBOT__CK_VOICE] >= c->cfg.max[DBOT__CK_VOICE] ||
            !(v = dbot__idt_put(&g->voice, uid, &created))) {
            c->dropped[DBOT__CK_VOICE]++;
            return;
        }
        c->count[DBOT__CK_VOICE]++;
    }
    v->channel_id = cid;
    set_bit(o, "self_mute", &v->bits, VS_SELF_MUTE);
    set_bit(o, "self_deaf", &v->bits, VS_SELF_DEAF);
    set_bit(o, "mute", &v->bits, VS_MUTE);
    set_bit(o, "deaf", &v->bits, VS_DEAF);
    set_bit(o, "self_stream", &v->bits, VS_STREAM);
    set_bit(o, "self_video", &v->bits, VS_VIDEO);
    set_bit(o, "suppress", &v->bits, VS_SUPPRESS);
}

/* ---- guilds ------------------------------------------------------------- */

static struct cguild *
guild_get_or_add(struct dbot__cache *c, uint64_t id, int shard_id)
{
    struct cguild_ref *r;
    struct cguild *g = dbot__cache_guild_rec(c, id);
    int created;

    if (g)
        return g;
    if (!c->cfg.max[DBOT__CK_GUILDS] ||
        c->guilds.count >= c->cfg.max[DBOT__CK_GUILDS]) {
        c->dropped[DBOT__CK_GUILDS] += c->cfg.max[DBOT__CK_GUILDS] > 0;
        return NULL;
    }
    g = calloc(1, sizeof *g);
    if (!g || !(r = dbot__idt_put(&c->guilds, id, &created))) {
        free(g);
        c->dropped[DBOT__CK_GUILDS]++;
        return NULL;
    }
    r->g = g;
    g->id = id;
    g->shard = (uint16_t)shard_id;
    g->unavailable = 1;
    dbot__idt_init(&g->members, sizeof(struct cmember));
    dbot__idt_init(&g->voice, sizeof(struct cvoice));
    dbot__idt_init(&g->presences, sizeof(struct cpresence));
    return g;
}

static void
guild_fields(struct dbot__cache *c, struct cguild *g, const cJSON *d)
{
    const cJSON *it;
    long x;

    set_str(c, &g->name, d, "name");
    set_str(c, &g->icon, d, "icon");
    if (present(d, "owner_id"))
        g->owner_id = snow(d, "owner_id");
    if (num(d, "member_count", 0, INT32_MAX, &x))
        g->member_count = (int32_t)x;
    if (present(d, "large"))
        g->large = cJSON_IsTrue(get(d, "large"));
    cJSON_ArrayForEach(it, get(d, "roles"))
        role_merge(c, g->id, it);
    cJSON_ArrayForEach(it, get(d, "emojis"))
        emoji_merge(c, g->id, it);
}

/* Case (a) backfill, (b) back after an outage, (c) joined: either way the
 * document is the whole guild, so what was cached of it goes first. */
static void
ev_guild_create(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t id = snow(d, "id");
    struct cguild *g = id ? guild_get_or_add(c, id, shard_id) : NULL;
    const cJSON *it;

    if (!g)
        return;
    g->shard = (uint16_t)shard_id;
    if (cJSON_IsTrue(get(d, "unavailable"))) {
        g->unavailable = 1;
        return;
    }
    if (!g->unavailable || g->name) {
        g->clearing = 1;
        dbot__cache_sweep(c);
        g->clearing = 0;
        dbot__cache_guild_clear_members(c, g);
        g = dbot__cache_guild_rec(c, id);
    }
    g->unavailable = 0;
    guild_fields(c, g, d);
    cJSON_ArrayForEach(it, get(d, "channels"))
        channel_merge(c, &c->channels, DBOT__CK_CHANNELS, it, id);
    cJSON_ArrayForEach(it, get(d, "threads"))
        channel_merge(c, &c->threads, DBOT__CK_THREADS, it, id);
    cJSON_ArrayForEach(it, get(d, "members"))
        member_merge(c, g, it, 0, 1);
    cJSON_ArrayForEach(it, get(d, "voice_states"))
        voice_merge(c, g, it);
    cJSON_ArrayForEach(it, get(d, "presences"))
        presence_merge(c, g, it);
}

static void
ev_guild_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "id"));

    (void)shard_id;
    if (g)
        guild_fields(c, g, d);
}

static void
ev_guild_delete(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t id = snow(d, "id");
    struct cguild *g = dbot__cache_guild_rec(c, id);

    (void)shard_id;
    if (!g)
        return;
    if (cJSON_IsTrue(get(d, "unavailable")))
        g->unavailable = 1; /* an outage: keep what we know */
    else
        dbot__cache_guild_drop(c, id);
}

/* A new session: the shard's guilds as READY lists them, nothing older. */
static void
ev_ready(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    const cJSON *it, *u = get(d, "user");
    struct cuser *self;

    dbot__cache_drop_shard(c, shard_id);
    c->self_id = snow(u, "id");
    if (u && (self = user_merge(c, u, 1)) != NULL && !self->self) {
        self->self = 1;
        self->ref++;
    }
    cJSON_ArrayForEach(it, get(d, "guilds")) {
        struct cguild *g = guild_get_or_add(c, snow(it, "id"), shard_id);

        if (g)
            g->unavailable = 1;
    }
}

/* ---- channels and threads ----------------------------------------------- */

static void
ev_channel_upsert(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    (void)shard_id;
    if (guild_kept(c, snow(d, "guild_id")))
        channel_merge(c, &c->channels, DBOT__CK_CHANNELS, d, 0);
}

static void
ev_channel_delete(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    (void)shard_id;
    dbot__cache_channel_drop(c, &c->channels, snow(d, "id"));
}

static void
ev_thread_upsert(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    (void)shard_id;
    if (guild_kept(c, snow(d, "guild_id")))
        channel_merge(c, &c->threads, DBOT__CK_THREADS, d, 0);
}

static void
ev_thread_delete(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    (void)shard_id;
    dbot__cache_channel_drop(c, &c->threads, snow(d, "id"));
}

static int
in_ids(const cJSON *arr, uint64_t id)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
        if (snow_v(it) == id)
            return 1;
    return 0;
}

/* The active threads of the listed parents (all of the guild's without
 * channel_ids) are exactly the ones sent: the others go. */
static void
ev_thread_list_sync(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t gid = snow(d, "guild_id");
    const cJSON *parents = get(d, "channel_ids"), *it;

    (void)shard_id;
    if (!gid || !guild_kept(c, gid))
        return;
    for (uint32_t i = 0; i < c->threads.nslots; i++) {
        struct cchannel *t = dbot__idt_slot(&c->threads, i);

        if (t->id && t->guild_id == gid &&
            (!parents || in_ids(parents, t->parent_id)))
            dbot__cache_channel_drop(c, &c->threads, t->id);
    }
    cJSON_ArrayForEach(it, get(d, "threads"))
        channel_merge(c, &c->threads, DBOT__CK_THREADS, it, gid);
    cJSON_ArrayForEach(it, get(d, "members")) {
        struct cchannel *t = dbot__idt_get(&c->threads, snow(it, "id"));

        if (t)
            t->bits |= CH_JOINED;
    }
}

/* The bot's own thread member changed: it is in the thread. */
static void
ev_thread_member_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cchannel *t = dbot__idt_get(&c->threads, snow(d, "id"));

    (void)shard_id;
    if (t)
        t->bits |= CH_JOINED;
}

static void
ev_thread_members_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cchannel *t = dbot__idt_get(&c->threads, snow(d, "id"));
    const cJSON *it;
    long x;

    (void)shard_id;
    if (!t)
        return;
    if (num(d, "member_count", 0, UINT16_MAX, &x))
        t->member_count = (uint16_t)x;
    cJSON_ArrayForEach(it, get(d, "added_members")) {
        if (c->self_id && snow(it, "user_id") == c->self_id)
            t->bits |= CH_JOINED;
    }
    if (c->self_id && in_ids(get(d, "removed_member_ids"), c->self_id))
        t->bits &= (uint8_t)~CH_JOINED;
}

/* ---- roles, emojis ------------------------------------------------------ */

static void
ev_role_upsert(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t gid = snow(d, "guild_id");

    (void)shard_id;
    if (dbot__cache_guild_rec(c, gid))
        role_merge(c, gid, get(d, "role"));
}

static void
ev_role_delete(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t id = snow(d, "role_id");
    struct crole *r = dbot__idt_get(&c->roles, id);

    (void)shard_id;
    if (!r)
        return;
    dbot__intern_unref(&c->str, r->name);
    dbot__idt_del(&c->roles, id);
}

static void
ev_emojis_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t gid = snow(d, "guild_id");
    const cJSON *it;

    (void)shard_id;
    if (!gid || !dbot__cache_guild_rec(c, gid))
        return;
    for (uint32_t i = 0; i < c->emojis.nslots; i++) {
        struct cemoji *e = dbot__idt_slot(&c->emojis, i);

        if (e->id && e->guild_id == gid) {
            dbot__intern_unref(&c->str, e->name);
            dbot__idt_del(&c->emojis, e->id);
        }
    }
    cJSON_ArrayForEach(it, get(d, "emojis"))
        emoji_merge(c, gid, it);
}

/* ---- members, users, presences, voice ----------------------------------- */

static void
ev_member_add(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));

    (void)shard_id;
    if (!g)
        return;
    /* A repeated ADD finds the member and does not count it again. */
    if (!dbot__idt_get(&g->members, snow(get(d, "user"), "id")))
        g->member_count++;
    member_merge(c, g, d, 0, 1);
}

static void
ev_member_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));

    (void)shard_id;
    if (g)
        member_merge(c, g, d, 0, 1);
}

static void
ev_member_remove(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));
    uint64_t uid = snow(get(d, "user"), "id");
    struct cpresence *p;

    (void)shard_id;
    if (!g || !uid)
        return;
    if (g->member_count > 0)
        g->member_count--;
    dbot__cache_member_drop(c, g, uid);
    if ((p = dbot__idt_get(&g->presences, uid)) != NULL) {
        dbot__intern_unref(&c->str, p->activity);
        dbot__idt_del(&g->presences, uid);
        c->count[DBOT__CK_PRESENCES]--;
    }
}

static void
ev_members_chunk(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));
    const cJSON *it;
    uint32_t want;
    long x;

    (void)shard_id;
    if (!g)
        return;
    /* Chunks mean the whole list is coming: make room for it once, so
     * the member table has no growth slack. */
    want = g->member_count > 0 ? (uint32_t)g->member_count : 0;
    /* ... but no more than the chunks announced can bring. */
    if (num(d, "chunk_count", 1, 100000, &x) && want > (uint32_t)x * 1000)
        want = (uint32_t)x * 1000;
    if (want > c->cfg.max[DBOT__CK_MEMBERS])
        want = c->cfg.max[DBOT__CK_MEMBERS];
    if (want > g->members.count && c->cfg.max[DBOT__CK_MEMBERS])
        dbot__idt_reserve(&g->members, want);
    cJSON_ArrayForEach(it, get(d, "members"))
        member_merge(c, g, it, 0, 1);
    cJSON_ArrayForEach(it, get(d, "presences"))
        presence_merge(c, g, it);
}

static void
ev_user_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    (void)shard_id;
    user_merge(c, d, 0);
}

static void
ev_presence_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));

    (void)shard_id;
    if (g)
        presence_merge(c, g, d);
}

static void
ev_voice_state(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));

    (void)shard_id;
    if (!g)
        return;
    voice_merge(c, g, d);
    if (present(d, "member"))
        member_merge(c, g, get(d, "member"), snow(d, "user_id"), 1);
}

/* ---- messages ------------------------------------------------------------ */

static void
ring_remove(struct dbot__cache *c, uint64_t channel_id, uint64_t id)
{
    struct cmsgchan *mc = dbot__idt_get(&c->msgchans, channel_id);
    uint32_t cap = c->cfg.messages_per_channel, i, j;

    if (!mc)
        return;
    for (i = 0; i < mc->n; i++)
        if (mc->ring[(mc->head + i) % cap] == id)
            break;
    if (i == mc->n)
        return;
    for (j = i; j + 1 < mc->n; j++)
        mc->ring[(mc->head + j) % cap] = mc->ring[(mc->head + j + 1) % cap];
    mc->n--;
    if (mc->n == 0) {
        free(mc->ring);
        dbot__idt_del(&c->msgchans, channel_id);
    }
}

static void
message_fields(struct dbot__cache *c, struct cmessage *m, const cJSON *d)
{
    long x;

    set_str(c, &m->content, d, "content");
    if (num(d, "flags", 0, UINT32_MAX, &x))
        m->flags = (uint32_t)x;
    if (num(d, "type", 0, UINT16_MAX, &x))
        m->type = (uint16_t)x;
    set_bit(d, "pinned", &m->bits, MSG_PINNED);
    if (cJSON_IsString(get(d, "edited_timestamp")))
        m->bits |= MSG_EDITED;
}

/* The author's partial member refreshes a cached member (never creates
 * one: it lacks joined_at and the user). */
static void
author_member(struct dbot__cache *c, const cJSON *d)
{
    struct cguild *g = dbot__cache_guild_rec(c, snow(d, "guild_id"));
    uint64_t uid = snow(get(d, "author"), "id");

    if (g && uid && present(d, "member"))
        member_merge(c, g, get(d, "member"), uid, 0);
}

static void
ev_message_create(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t id = snow(d, "id"), cid = snow(d, "channel_id");
    uint32_t cap = c->cfg.messages_per_channel;
    struct cmsgchan *mc;
    struct cmessage *m;
    struct cuser *u;
    int created;

    (void)shard_id;
    author_member(c, d);
    if (!cap || !id || !cid || !guild_kept(c, snow(d, "guild_id")))
        return;
    if ((m = dbot__idt_get(&c->messages, id)) != NULL) {
        message_fields(c, m, d); /* delivered twice: the same message */
        return;
    }
    mc = dbot__idt_get(&c->msgchans, cid);
    if (!mc || mc->n < cap) {
        if (c->messages.count >= c->cfg.max[DBOT__CK_MESSAGES]) {
            c->dropped[DBOT__CK_MESSAGES]++;
            return;
        }
    }
    if (!mc) {
        uint64_t *ring = malloc((size_t)cap * sizeof *ring);

        if (!ring || !(mc = dbot__idt_put(&c->msgchans, cid, &created))) {
            free(ring);
            c->dropped[DBOT__CK_MESSAGES]++;
            return;
        }
        mc->ring = ring;
        mc->guild_id = snow(d, "guild_id");
    }
    if (mc->n == cap) { /* the channel's oldest goes */
        dbot__cache_message_drop(c, mc->ring[mc->head]);
        mc->head = (mc->head + 1) % cap;
        mc->n--;
    }
    m = dbot__idt_put(&c->messages, id, &created);
    if (!m) {
        c->dropped[DBOT__CK_MESSAGES]++;
        return;
    }
    mc->ring[(mc->head + mc->n) % cap] = id;
    mc->n++;
    m->channel_id = cid;
    m->guild_id = snow(d, "guild_id");
    m->author_id = snow(get(d, "author"), "id");
    message_fields(c, m, d);
    m->bits &= (uint8_t)~MSG_EDITED;
    u = user_merge(c, get(d, "author"), 1);
    if (u) {
        u->ref++;
        m = dbot__idt_get(&c->messages, id);
        m->has_author = 1;
    }
}

static void
ev_message_update(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    struct cmessage *m = dbot__idt_get(&c->messages, snow(d, "id"));

    (void)shard_id;
    author_member(c, d);
    if (m) {
        message_fields(c, m, d);
        if (present(d, "edited_timestamp") || present(d, "content"))
            m->bits |= MSG_EDITED;
    }
}

static void
ev_message_delete(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t id = snow(d, "id");

    (void)shard_id;
    if (!dbot__idt_get(&c->messages, id))
        return;
    ring_remove(c, snow(d, "channel_id"), id);
    dbot__cache_message_drop(c, id);
}

static void
ev_message_delete_bulk(struct dbot__cache *c, const cJSON *d, int shard_id)
{
    uint64_t cid = snow(d, "channel_id");
    const cJSON *it;

    (void)shard_id;
    cJSON_ArrayForEach(it, get(d, "ids")) {
        uint64_t id = snow_v(it);

        if (dbot__idt_get(&c->messages, id)) {
            ring_remove(c, cid, id);
            dbot__cache_message_drop(c, id);
        }
    }
}

/* ---- the table ----------------------------------------------------------- */

static const struct {
    const char *name;
    dbot__cache_event_fn fn;
} events[] = {
    { "READY", ev_ready },
    { "GUILD_CREATE", ev_guild_create },
    { "GUILD_UPDATE", ev_guild_update },
    { "GUILD_DELETE", ev_guild_delete },
    { "CHANNEL_CREATE", ev_channel_upsert },
    { "CHANNEL_UPDATE", ev_channel_upsert },
    { "CHANNEL_DELETE", ev_channel_delete },
    { "THREAD_CREATE", ev_thread_upsert },
    { "THREAD_UPDATE", ev_thread_upsert },
    { "THREAD_DELETE", ev_thread_delete },
    { "THREAD_LIST_SYNC", ev_thread_list_sync },
    { "THREAD_MEMBER_UPDATE", ev_thread_member_update },
    { "THREAD_MEMBERS_UPDATE", ev_thread_members_update },
    { "GUILD_ROLE_CREATE", ev_role_upsert },
    { "GUILD_ROLE_UPDATE", ev_role_upsert },
    { "GUILD_ROLE_DELETE", ev_role_delete },
    { "GUILD_EMOJIS_UPDATE", ev_emojis_update },
    { "GUILD_MEMBER_ADD", ev_member_add },
    { "GUILD_MEMBER_UPDATE", ev_member_update },
    { "GUILD_MEMBER_REMOVE", ev_member_remove },
    { "GUILD_MEMBERS_CHUNK", ev_members_chunk },
    { "USER_UPDATE", ev_user_update },
    { "PRESENCE_UPDATE", ev_presence_update },
    { "VOICE_STATE_UPDATE", ev_voice_state },
    { "MESSAGE_CREATE", ev_message_create },
    { "MESSAGE_UPDATE", ev_message_update },
    { "MESSAGE_DELETE", ev_message_delete },
    { "MESSAGE_DELETE_BULK", ev_message_delete_bulk },
};

dbot__cache_event_fn
dbot__cache_event_handler(const char *name)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(events[i].name, name) == 0)
            return events[i].fn;
    return NULL;
}
