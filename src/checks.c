/*
 * checks.c: checks and cooldowns in front of a command's handler.
 *
 * DESIGN. Checks read only the interaction: guild_id, the invoker's id,
 * member.permissions and app_permissions, which Discord computes for the
 * channel (overwrites included) and sends with every interaction, so a
 * check costs no request and needs no cache. A refusal is an ephemeral
 * answer that names the reason, then a report to the error hook; the
 * handler never runs.
 *
 * Cooldowns are fixed windows: the first use opens a window of per_ms
 * for its (command, scope id) entry, and `uses` uses fit in it. Each entry
 * is a map node plus a timer on the loop's heap that frees the entry when
 * its window closes, so memory follows the users active within one
 * window, not every user ever seen; the map is capped, and past the cap a
 * new user is refused as cooling down rather than let through unlimited.
 */
#include "checks.h"

#include "interaction.h"
#include "log.h"
#include "loop.h"
#include "strmap.h"

#include <dbot/interaction_data.h>
#include <dbot/permissions.h>
#include <dbot/timer.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MSG_GUILD_ONLY[] = "This command only works in a server.";
static const char MSG_OWNER_ONLY[] = "Only the bot's owner can use this "
                                     "command.";

struct box {
    struct box *next;
    struct dbot__checks *owner;
    dbot_checks c;
    dbot_interaction_fn fn;
    void *data;
};

struct entry {
    struct dbot__strmap_node node; /* first: the map's key is ours */
    struct dbot__timer timer;      /* frees the entry at window end */
    struct dbot__checks *owner;
    int used;
};

struct dbot__checks {
    struct dbot__loop *loop;
    struct box *boxes;
    struct dbot__strmap entries;
    uint64_t owners[DBOT__OWNERS_MAX];
    size_t nowners;
    int owners_explicit; /* dbot_owners_set chose: Discord's are ignored */
    int owner_asked;     /* GET /applications/@me sent */
    int warned_no_owner, warned_full;
};

/* Discord's permission bits by position (developers/topics/
 * permissions.mdx), for refusal texts. */
static const char *const perm_names[] = {
    "Create Invite",
    "Kick Members",
    "Ban Members",
    "Administrator",
    "Manage Channels",
    "Manage Server",
    "Add Reactions",
    "View Audit Log",
    "Priority Speaker",
    "Video",
    "View Channels",
    "Send Messages",
    "Send Text-to-Speech Messages",
    "Manage Messages",
    "Embed Links",
    "Attach Files",
    "Read Message History",
    "Mention @everyone, @here, and All Roles",
    "Use External Emoji",
    "View Server Insights",
    "Connect",
    "Speak",
    "Mute Members",
    "Deafen Members",
    "Move Members",
    "Use Voice Activity",
    "Change Nickname",
    "Manage Nicknames",
    "Manage Roles",
    "Manage Webhooks",
    "Manage Expressions",
    "Use Application Commands",
    "Request to Speak",
    "Manage Events",
    "Manage Threads",
    "Create Public Threads",
    "Create Private Threads",
    "Use External Stickers",
    "Send Messages in Threads",
    "Use Activities",
    "Timeout Members",
    "View Creator Monetization Analytics",
    "Use Soundboard",
    "Create Expressions",
    "Create Events",
    "Use External Sounds",
    "Send Voice Messages",
    NULL,
    NULL,
    "Create Polls",
    "Use External Apps",
};

size_t
dbot__permission_names(uint64_t bits, char *buf, size_t len)
{
    size_t off = 0;
    size_t nnames = sizeof perm_names / sizeof perm_names[0];

    if (len)
        buf[0] = '\0';
    for (unsigned b = 0; b < 64 && len; b++) {
        char one[48];
        int n;

        if (!(bits & ((uint64_t)1 << b)))
            continue;
        if (b < nnames && perm_names[b])
            snprintf(one, sizeof one, "%s", perm_names[b]);
        else
            snprintf(one, sizeof one, "permission bit %u", b);
        n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", one);
        if (n < 0 || (size_t)n >= len - off) {
            off = len - 1;
            break;
        }
        off += (size_t)n;
    }
    return off;
}

int
dbot__checks_new(struct dbot__checks **out, struct dbot__loop *loop)
{
    struct dbot__checks *cs = calloc(1, sizeof *cs);

    *out = NULL;
    if (!cs)
        return DBOT_ENOMEM;
    cs->loop = loop;
    *out = cs;
    return 0;
}

static void
entry_free(struct entry *e)
{
    dbot__loop_timer_disarm(e->owner->loop, &e->timer);
    dbot__strmap_remove(&e->owner->entries, &e->node);
    free(e);
}

void
dbot__checks_free(struct dbot__checks *cs)
{
    if (!cs)
        return;
    /* Entries: walk the table, since the map has no iterator. */
    for (size_t i = 0; i < cs->entries.cap; i++) {
        while (cs->entries.tab[i])
            entry_free((struct entry *)cs->entries.tab[i]);
    }
    dbot__strmap_free(&cs->entries);
    while (cs->boxes) {
        struct box *b = cs->boxes;

        cs->boxes = b->next;
        free(b);
    }
    free(cs);
}

void *
dbot__checks_box(struct dbot__checks *cs, const dbot_checks *checks,
                 dbot_interaction_fn fn, void *data, int *rc)
{
    struct box *b;
    const dbot_cooldown *cd = checks ? &checks->cooldown : NULL;

    *rc = 0;
    if (cd &&
        (cd->scope < DBOT_COOLDOWN_NONE || cd->scope > DBOT_COOLDOWN_GUILD ||
         cd->uses < 0 || (cd->scope != DBOT_COOLDOWN_NONE && cd->per_ms < 1))) {
        *rc = DBOT_EINVAL;
        return NULL;
    }
    b = calloc(1, sizeof *b);
    if (!b) {
        *rc = DBOT_ENOMEM;
        return NULL;
    }
    if (checks)
        b->c = *checks;
    if (b->c.cooldown.uses == 0)
        b->c.cooldown.uses = 1;
    b->owner = cs;
    b->fn = fn;
    b->data = data;
    b->next = cs->boxes;
    cs->boxes = b;
    return b;
}

int
dbot__checks_set_owners(struct dbot__checks *cs, const uint64_t *ids, size_t n)
{
    if (n > DBOT__OWNERS_MAX || (n && !ids))
        return DBOT_EINVAL;
    if (n)
        memcpy(cs->owners, ids, n * sizeof *ids);
    cs->nowners = n;
    cs->owners_explicit = 1;
    return 0;
}

int
dbot__checks_should_ask_owner(struct dbot__checks *cs,
                              const dbot_checks *checks)
{
    if (!checks || !checks->owner_only || cs->owners_explicit ||
        cs->owner_asked)
        return 0;
    cs->owner_asked = 1;
    return 1;
}

/* discord.py's rule: a team-owned application's owners are its team's
 * members; otherwise the owner. */
int
dbot__checks_learn_owners(struct dbot__checks *cs, const cJSON *app)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(app, "team"), "members");
    const cJSON *m;
    size_t n = 0;

    if (cs->owners_explicit)
        return 0;
    cJSON_ArrayForEach(m, members) {
        uint64_t id = dbot_json_snowflake(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(m, "user"), "id"));

        if (id && n < DBOT__OWNERS_MAX)
            cs->owners[n++] = id;
    }
    if (!n) {
        uint64_t id = dbot_json_snowflake(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(app, "owner"), "id"));

        if (id)
            cs->owners[n++] = id;
    }
    cs->nowners = n;
    return (int)n;
}

size_t
dbot__checks_cooldowns(const struct dbot__checks *cs)
{
    return cs->entries.n;
}

static void
entry_expired(struct dbot__timer *t)
{
    entry_free(lws_container_of(t, struct entry, timer));
}

static int
is_owner(struct dbot__checks *cs, uint64_t user)
{
    for (size_t i = 0; i < cs->nowners; i++)
        if (cs->owners[i] == user)
            return 1;
    if (!cs->nowners && !cs->warned_no_owner) {
        cs->warned_no_owner = 1;
        LOG_W("checks", "an owner_only command was used but no owner is "
                        "known (Discord's application has none, or it did "
                        "not answer; see dbot_owners_set): refusing "
                        "everyone");
    }
    return 0;
}

static uint64_t
scope_id(const cJSON *json, int scope)
{
    switch (scope) {
    case DBOT_COOLDOWN_USER:
        return dbot_ix_user_id(json);
    case DBOT_COOLDOWN_CHANNEL:
        return dbot_ix_channel_id(json);
    case DBOT_COOLDOWN_GUILD:
        return dbot_ix_guild_id(json) ? dbot_ix_guild_id(json)
                                      : dbot_ix_channel_id(json);
    default:
        return 0;
    }
}

/* Count a use. Returns 0 (allowed) or the ms until the window closes. */
static int64_t
cooldown_take(struct box *b, const cJSON *json)
{
    struct dbot__checks *cs = b->owner;
    char key[64];
    struct entry *e;

    snprintf(key, sizeof key, "%p:%" PRIu64, (void *)b,
             scope_id(json, b->c.cooldown.scope));
    e = (struct entry *)dbot__strmap_find(&cs->entries, key);
    if (e) {
        int64_t left;

        if (e->used < b->c.cooldown.uses) {
            e->used++;
            return 0;
        }
        left = e->timer.node.due - dbot_now_ms();
        return left > 0 ? left : 1;
    }
    if (cs->entries.n >= DBOT__COOLDOWN_MAX_ENTRIES) {
        if (!cs->warned_full) {
            cs->warned_full = 1;
            LOG_W("checks",
                  "%d cooldowns running: refusing new users until "
                  "some end",
                  DBOT__COOLDOWN_MAX_ENTRIES);
        }
        return b->c.cooldown.per_ms;
    }
    cs->warned_full = 0;
    e = calloc(1, sizeof *e);
    if (!e || dbot__strmap_insert(&cs->entries, &e->node, key) < 0) {
        free(e);
        return 0; /* out of memory: let it through rather than refuse */
    }
    e->owner = cs;
    e->used = 1;
    dbot__timer_init(&e->timer, entry_expired);
    if (dbot__loop_timer_arm(cs->loop, &e->timer, b->c.cooldown.per_ms) < 0)
        entry_free(e);
    return 0;
}

static int
refuse(dbot_interaction *ix, int kind, const char *text, int64_t left)
{
    int rc = dbot_interaction_reply_ephemeral(ix, text);

    dbot__interactions_report(ix, kind,
                              kind == DBOT_ERROR_CHECK ? DBOT_ESTATE : 0,
                              rc == 0 ? text : NULL, left);
    return 0;
}

static int
missing(dbot_interaction *ix, uint64_t need, const char *who)
{
    char names[512], text[640];

    dbot__permission_names(need, names, sizeof names);
    snprintf(text, sizeof text, "%s: %s.", who, names);
    return refuse(ix, DBOT_ERROR_CHECK, text, 0);
}

int
dbot__checks_run(dbot_interaction *ix, void *arg)
{
    struct box *b = arg;
    const cJSON *json = dbot_interaction_json(ix);
    uint64_t have;

    if ((b->c.guild_only || b->c.member_permissions || b->c.bot_permissions) &&
        !dbot_ix_guild_id(json))
        return refuse(ix, DBOT_ERROR_CHECK, MSG_GUILD_ONLY, 0);
    if (b->c.owner_only && !is_owner(b->owner, dbot_ix_user_id(json)))
        return refuse(ix, DBOT_ERROR_CHECK, MSG_OWNER_ONLY, 0);
    if (b->c.member_permissions) {
        if (dbot_ix_member_permissions(json, &have) < 0)
            have = 0;
        if (!(have & DBOT_PERM_ADMINISTRATOR) &&
            (b->c.member_permissions & ~have))
            return missing(ix, b->c.member_permissions & ~have,
                           "You need these permissions to use this command");
    }
    if (b->c.bot_permissions) {
        if (dbot_ix_app_permissions(json, &have) < 0)
            have = 0;
        if (!(have & DBOT_PERM_ADMINISTRATOR) && (b->c.bot_permissions & ~have))
            return missing(ix, b->c.bot_permissions & ~have,
                           "I need these permissions here to do that");
    }
    if (b->c.cooldown.scope != DBOT_COOLDOWN_NONE) {
        int64_t left = cooldown_take(b, json);

        if (left > 0) {
            char text[128];

            snprintf(text, sizeof text,
                     "Slow down: you can use this again in %lld s.",
                     (long long)((left + 999) / 1000));
            return refuse(ix, DBOT_ERROR_COOLDOWN, text, left);
        }
    }
    return b->fn(ix, b->data);
}
