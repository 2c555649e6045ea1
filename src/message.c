/*
 * message.c: message, embed, component and modal builders.
 *
 * DESIGN. The builder keeps the JSON it will send (a cJSON tree) plus the
 * little state limits need (counts, the handles it gave out). Each call
 * checks its own limits at once, so an error names the exact piece
 * ("embeds[0].fields[3].value") while the handler still knows what it was
 * doing; the 6000-character embed total is re-added after every embed text
 * change. The first error sticks and turns later calls into no-ops: a
 * handler chains calls and checks once (the errno/ferror pattern), and
 * dbot_msg_json() refuses to produce a half-valid message.
 *
 * Handles (dbot_embed, dbot_row) live in fixed arrays inside the message,
 * sized by Discord's limits, so they never move and need no freeing.
 */
#include "message.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The sticky first error shared by messages and modals. */
struct bld {
    int code;      /* 0 or the first DBOT_E* */
    char err[256]; /* "path: what" */
};

struct dbot_embed {
    dbot_msg *m;
    cJSON *obj; /* in m->embeds */
    int idx;
    int nfields;
};

struct dbot_row {
    dbot_msg *m;
    cJSON *comps; /* the row's "components", in m->components */
    int idx;
    int nbuttons;
    int has_select;
};

struct dbot_msg {
    struct bld b;
    cJSON *root;       /* the message being built */
    cJSON *embeds;     /* in root, created with the first embed */
    cJSON *components; /* in root, created with the first row */
    dbot_embed e[DBOT__MAX_EMBEDS];
    int nembeds;
    dbot_row r[DBOT__MAX_ROWS];
    int nrows;
    unsigned flags;
    unsigned parse;   /* DBOT_MENTION_* */
    int mentions_set; /* any dbot_msg_mention* call */
    cJSON *users;     /* allowed_mentions.users, owned, or NULL */
    cJSON *roles;     /* allowed_mentions.roles, owned, or NULL */
    int replied_user; /* -1 unset, else 0/1 */
};

struct dbot_modal {
    struct bld b;
    cJSON *root;
    cJSON *components; /* in root */
    int n;
};

static int seterr(struct bld *b, int code, const char *fmt, ...)
    DBOT_PRINTF(3, 4);

static int
seterr(struct bld *b, int code, const char *fmt, ...)
{
    va_list ap;

    if (b->code)
        return b->code;
    b->code = code;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return code;
}

static int
nomem(struct bld *b)
{
    return seterr(b, DBOT_ENOMEM, "out of memory");
}

/* Check `s` is 1..max characters (0..max when !required). */
static int
check_len(struct bld *b, const char *path, const char *s, long max,
          int required)
{
    long n = dbot__utf8_len(s);

    if (required && (!s || !*s))
        return seterr(b, DBOT_EINVAL, "%s: empty (1-%ld characters)", path,
                      max);
    if (n < 0)
        return seterr(b, DBOT_EINVAL, "%s: not valid UTF-8", path);
    if (n > max)
        return seterr(b, DBOT_ETOOBIG, "%s: longer than %ld characters (%ld)",
                      path, max, n);
    return 0;
}

/* Set obj[key] = string s, replacing. */
static int
put_str(struct bld *b, cJSON *obj, const char *key, const char *s)
{
    cJSON *v = cJSON_CreateString(s);

    if (!v)
        return nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return nomem(b);
    }
    return 0;
}

static int
put_num(struct bld *b, cJSON *obj, const char *key, double d)
{
    cJSON *v = cJSON_CreateNumber(d);

    if (!v)
        return nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return nomem(b);
    }
    return 0;
}

static int
put_item(struct bld *b, cJSON *obj, const char *key, cJSON *v)
{
    if (!v)
        return nomem(b);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (!cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return nomem(b);
    }
    return 0;
}

static int
push(struct bld *b, cJSON *arr, cJSON *v)
{
    if (!v || !cJSON_AddItemToArray(arr, v)) {
        cJSON_Delete(v);
        return nomem(b);
    }
    return 0;
}

static int
put_id(struct bld *b, cJSON *obj, const char *key, uint64_t id)
{
    char s[24];

    snprintf(s, sizeof s, "%llu", (unsigned long long)id);
    return put_str(b, obj, key, s);
}

/* ---- emoji ------------------------------------------------------------ */

static int
all_digits(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > 20)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* "👍" -> {name}; "<:name:id>", "<a:name:id>" or "name:id" -> {id, name,
 * animated?}. */
static cJSON *
emoji_json(struct bld *b, const char *path, const char *s)
{
    const char *p = s, *colon;
    size_t len = strlen(s);
    int animated = 0;
    cJSON *e;

    if (!*s) {
        seterr(b, DBOT_EINVAL, "%s.emoji: empty", path);
        return NULL;
    }
    if (dbot__utf8_len(s) < 0) {
        seterr(b, DBOT_EINVAL, "%s.emoji: not valid UTF-8", path);
        return NULL;
    }
    if (!(e = cJSON_CreateObject())) {
        nomem(b);
        return NULL;
    }
    if (p[0] == '<') {
        if (len < 2 || s[len - 1] != '>')
            goto bad;
        p++;
        len -= 2;
        if (*p == 'a') {
            animated = 1;
            p++;
            len--;
        }
        if (*p != ':')
            goto bad;
        p++;
        len--;
    }
    colon = memchr(p, ':', len);
    if (!colon && s[0] == '<')
        goto bad;
    if (colon && all_digits(colon + 1, len - (size_t)(colon + 1 - p)) &&
        colon > p) {
        char name[64], id[24];
        size_t nl = (size_t)(colon - p), il = len - nl - 1;

        if (nl >= sizeof name)
            goto bad;
        memcpy(name, p, nl);
        name[nl] = '\0';
        memcpy(id, colon + 1, il);
        id[il] = '\0';
        if (put_str(b, e, "id", id) < 0 || put_str(b, e, "name", name) < 0 ||
            (animated && put_item(b, e, "animated", cJSON_CreateTrue()) < 0))
            goto fail;
        return e;
    }
    if (s[0] == '<')
        goto bad;
    if (put_str(b, e, "name", s) < 0)
        goto fail;
    return e;
bad:
    seterr(b, DBOT_EINVAL,
           "%s.emoji: \"%s\" is neither a Unicode emoji nor <:name:id>", path,
           s);
fail:
    cJSON_Delete(e);
    return NULL;
}

/* ---- the message ------------------------------------------------------ */

static struct bld oom_bld = { DBOT_ENOMEM, "out of memory" };

dbot_msg *
dbot_msg_new(void)
{
    dbot_msg *m = calloc(1, sizeof *m);

    if (!m)
        return NULL;
    if (!(m->root = cJSON_CreateObject())) {
        free(m);
        return NULL;
    }
    m->parse = DBOT_MENTION_USERS;
    m->replied_user = -1;
    return m;
}

void
dbot_msg_free(dbot_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->root);
    cJSON_Delete(m->users);
    cJSON_Delete(m->roles);
    free(m);
}

const char *
dbot_msg_error(const dbot_msg *m)
{
    if (!m)
        return oom_bld.err;
    return m->b.code ? m->b.err : NULL;
}

int
dbot_msg_content(dbot_msg *m, const char *text)
{
    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (!text)
        return seterr(&m->b, DBOT_EINVAL, "content: NULL");
    if (check_len(&m->b, "content", text, DBOT__MAX_CONTENT, 0) < 0)
        return m->b.code;
    return put_str(&m->b, m->root, "content", text);
}

int
dbot_msg_contentf(dbot_msg *m, const char *fmt, ...)
{
    va_list ap;
    char small[512], *buf = small;
    int n, rc;

    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return seterr(&m->b, DBOT_EINVAL, "content: bad format");
    if ((size_t)n >= sizeof small) {
        if (!(buf = malloc((size_t)n + 1)))
            return nomem(&m->b);
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    rc = dbot_msg_content(m, buf);
    if (buf != small)
        free(buf);
    return rc;
}

int
dbot_msg_flags(dbot_msg *m, unsigned flags)
{
    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    m->flags |= flags;
    return put_num(&m->b, m->root, "flags", m->flags);
}

int
dbot_msg_mentions(dbot_msg *m, unsigned kinds)
{
    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (kinds & ~7u)
        return seterr(&m->b, DBOT_EINVAL,
                      "allowed_mentions: unknown kinds 0x%x", kinds & ~7u);
    m->parse = kinds;
    m->mentions_set = 1;
    return 0;
}

static int
mention_id(dbot_msg *m, cJSON **list, const char *what, uint64_t id)
{
    char s[24];

    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (!id)
        return seterr(&m->b, DBOT_EINVAL, "allowed_mentions.%s: id 0", what);
    if (!*list && !(*list = cJSON_CreateArray()))
        return nomem(&m->b);
    if (cJSON_GetArraySize(*list) >= 100)
        return seterr(&m->b, DBOT_ETOOBIG, "allowed_mentions.%s: more than 100",
                      what);
    snprintf(s, sizeof s, "%llu", (unsigned long long)id);
    m->mentions_set = 1;
    return push(&m->b, *list, cJSON_CreateString(s));
}

int
dbot_msg_mention_user(dbot_msg *m, uint64_t user_id)
{
    return mention_id(m, m ? &m->users : NULL, "users", user_id);
}

int
dbot_msg_mention_role(dbot_msg *m, uint64_t role_id)
{
    return mention_id(m, m ? &m->roles : NULL, "roles", role_id);
}

int
dbot_msg_reply_to(dbot_msg *m, uint64_t message_id, bool ping)
{
    cJSON *ref;

    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (!message_id)
        return seterr(&m->b, DBOT_EINVAL, "message_reference: id 0");
    if (!(ref = cJSON_CreateObject()) ||
        put_item(&m->b, m->root, "message_reference", ref) < 0)
        return nomem(&m->b);
    m->replied_user = ping;
    return put_id(&m->b, ref, "message_id", message_id);
}

int
dbot_msg_set_raw(dbot_msg *m, const char *key, cJSON *value)
{
    if (!m) {
        cJSON_Delete(value);
        return DBOT_ENOMEM;
    }
    if (m->b.code) {
        cJSON_Delete(value);
        return m->b.code;
    }
    if (!key || !value) {
        cJSON_Delete(value);
        return seterr(&m->b, DBOT_EINVAL, "set_raw: NULL key or value");
    }
    /* Handles point into these arrays; replacing them would leave the
     * handles dangling. */
    if ((strcmp(key, "embeds") == 0 && m->embeds) ||
        (strcmp(key, "components") == 0 && m->components)) {
        cJSON_Delete(value);
        return seterr(&m->b, DBOT_EINVAL,
                      "%s: already built; set it raw before adding any, or "
                      "not at all",
                      key);
    }
    if (strcmp(key, "flags") == 0 && cJSON_IsNumber(value))
        m->flags = (unsigned)value->valuedouble;
    return put_item(&m->b, m->root, key, value);
}

/* allowed_mentions as the message's mention settings say. */
static cJSON *
mentions_json(const dbot_msg *m)
{
    cJSON *am = cJSON_CreateObject(), *parse = cJSON_CreateArray();
    unsigned kinds = m->parse;

    if (!am || !parse)
        goto fail;
    cJSON_AddItemToObject(am, "parse", parse);
    if (m->users && cJSON_GetArraySize(m->users))
        kinds &= ~DBOT_MENTION_USERS; /* Discord: parse users xor users[] */
    if (m->roles && cJSON_GetArraySize(m->roles))
        kinds &= ~DBOT_MENTION_ROLES;
    if (((kinds & DBOT_MENTION_USERS) &&
         !cJSON_AddItemToArray(parse, cJSON_CreateString("users"))) ||
        ((kinds & DBOT_MENTION_ROLES) &&
         !cJSON_AddItemToArray(parse, cJSON_CreateString("roles"))) ||
        ((kinds & DBOT_MENTION_EVERYONE) &&
         !cJSON_AddItemToArray(parse, cJSON_CreateString("everyone"))))
        goto fail;
    if (m->users &&
        !cJSON_AddItemToObject(am, "users", cJSON_Duplicate(m->users, 1)))
        goto fail;
    if (m->roles &&
        !cJSON_AddItemToObject(am, "roles", cJSON_Duplicate(m->roles, 1)))
        goto fail;
    if (m->replied_user >= 0 &&
        !cJSON_AddBoolToObject(am, "replied_user", m->replied_user))
        goto fail;
    return am;
fail:
    if (!am)
        cJSON_Delete(parse);
    cJSON_Delete(am);
    return NULL;
}

cJSON *
dbot_msg_json(const dbot_msg *m)
{
    const char *content;
    cJSON *out, *rows, *row;

    if (!m || m->b.code)
        return NULL;
    if (!(out = cJSON_Duplicate(m->root, 1)))
        return NULL;
    /* Rows that never got a component are not sent (Discord refuses
     * them); a components array built here and left empty goes too. */
    rows = cJSON_GetObjectItemCaseSensitive(out, "components");
    if (m->components && cJSON_IsArray(rows)) {
        row = rows->child;
        while (row) {
            cJSON *next = row->next;
            cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "components");

            if (cJSON_GetArraySize(c) == 0)
                cJSON_Delete(cJSON_DetachItemViaPointer(rows, row));
            row = next;
        }
        if (!rows->child)
            cJSON_DeleteItemFromObjectCaseSensitive(out, "components");
    }
    content =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "content"));
    if (!cJSON_GetObjectItemCaseSensitive(out, "allowed_mentions") &&
        (m->mentions_set || (content && *content) || m->replied_user >= 0)) {
        cJSON *am = mentions_json(m);

        if (!am || !cJSON_AddItemToObject(out, "allowed_mentions", am)) {
            cJSON_Delete(am);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

/* ---- embeds ----------------------------------------------------------- */

static long
clen(const cJSON *o, const char *k)
{
    long n = dbot__utf8_len(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k)));

    return n > 0 ? n : 0;
}

/* Characters in all embeds, the way Discord adds them up: titles,
 * descriptions, field names and values, footer texts, author names. */
static long
embed_total(const dbot_msg *m)
{
    long n = 0;
    int i;

    for (i = 0; i < m->nembeds; i++) {
        const cJSON *o = m->e[i].obj, *f;

        n += clen(o, "title") + clen(o, "description");
        n += clen(cJSON_GetObjectItemCaseSensitive(o, "footer"), "text");
        n += clen(cJSON_GetObjectItemCaseSensitive(o, "author"), "name");
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(o, "fields"))
        {
            n += clen(f, "name") + clen(f, "value");
        }
    }
    return n;
}

static int
check_total(dbot_embed *e)
{
    long n = embed_total(e->m);

    if (n > DBOT__MAX_EMBED_TOTAL)
        return seterr(&e->m->b, DBOT_ETOOBIG,
                      "embeds[%d]: all embeds together have %ld characters; "
                      "the limit is %d",
                      e->idx, n, DBOT__MAX_EMBED_TOTAL);
    return 0;
}

dbot_embed *
dbot_msg_embed(dbot_msg *m)
{
    dbot_embed *e;
    cJSON *o;

    if (!m || m->b.code)
        return NULL;
    if (m->nembeds == DBOT__MAX_EMBEDS) {
        seterr(&m->b, DBOT_ETOOBIG, "embeds: more than %d embeds",
               DBOT__MAX_EMBEDS);
        return NULL;
    }
    if (!m->embeds) {
        if (cJSON_GetObjectItemCaseSensitive(m->root, "embeds")) {
            seterr(&m->b, DBOT_EINVAL, "embeds: set raw; cannot add more");
            return NULL;
        }
        if (!(m->embeds = cJSON_AddArrayToObject(m->root, "embeds"))) {
            nomem(&m->b);
            return NULL;
        }
    }
    if (!(o = cJSON_CreateObject()) || push(&m->b, m->embeds, o) < 0) {
        nomem(&m->b);
        return NULL;
    }
    e = &m->e[m->nembeds];
    *e = (dbot_embed){ .m = m, .obj = o, .idx = m->nembeds };
    m->nembeds++;
    return e;
}

/* Set a text member of the embed (or of its sub-object `sub`). */
static int
embed_text(dbot_embed *e, const char *sub, const char *key, const char *s,
           long max, const char *what)
{
    char path[64];
    cJSON *o;

    if (!e)
        return DBOT_ENOMEM;
    if (e->m->b.code)
        return e->m->b.code;
    snprintf(path, sizeof path, "embeds[%d].%s", e->idx, what);
    if (check_len(&e->m->b, path, s, max, 1) < 0)
        return e->m->b.code;
    o = e->obj;
    if (sub) {
        o = cJSON_GetObjectItemCaseSensitive(e->obj, sub);
        if (!o) {
            if (!(o = cJSON_CreateObject()) ||
                put_item(&e->m->b, e->obj, sub, o) < 0)
                return nomem(&e->m->b);
        }
    }
    if (put_str(&e->m->b, o, key, s) < 0)
        return e->m->b.code;
    return check_total(e);
}

int
dbot_embed_title(dbot_embed *e, const char *title)
{
    return embed_text(e, NULL, "title", title, 256, "title");
}

int
dbot_embed_description(dbot_embed *e, const char *text)
{
    return embed_text(e, NULL, "description", text, 4096, "description");
}

int
dbot_embed_url(dbot_embed *e, const char *url)
{
    return embed_text(e, NULL, "url", url, 2048, "url");
}

int
dbot_embed_color(dbot_embed *e, uint32_t rgb)
{
    if (!e)
        return DBOT_ENOMEM;
    if (e->m->b.code)
        return e->m->b.code;
    if (rgb > 0xFFFFFF)
        return seterr(&e->m->b, DBOT_EINVAL,
                      "embeds[%d].color: 0x%x is not 0xRRGGBB", e->idx,
                      (unsigned)rgb);
    return put_num(&e->m->b, e->obj, "color", rgb);
}

int
dbot_embed_timestamp(dbot_embed *e, int64_t unix_ms)
{
    time_t secs;
    struct tm tm;
    char iso[80]; /* sized for any int fields, to keep -Wformat quiet */

    if (!e)
        return DBOT_ENOMEM;
    if (e->m->b.code)
        return e->m->b.code;
    secs = (time_t)(unix_ms / 1000);
    if (unix_ms < 0 || !gmtime_r(&secs, &tm) || tm.tm_year + 1900 > 9999)
        return seterr(&e->m->b, DBOT_EINVAL,
                      "embeds[%d].timestamp: %lld ms is out of range", e->idx,
                      (long long)unix_ms);
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(unix_ms % 1000));
    return put_str(&e->m->b, e->obj, "timestamp", iso);
}

int
dbot_embed_footer(dbot_embed *e, const char *text, const char *icon_url)
{
    if (embed_text(e, "footer", "text", text, 2048, "footer.text") < 0)
        return e ? e->m->b.code : DBOT_ENOMEM;
    if (icon_url)
        return embed_text(e, "footer", "icon_url", icon_url, 2048,
                          "footer.icon_url");
    return 0;
}

int
dbot_embed_image(dbot_embed *e, const char *url)
{
    return embed_text(e, "image", "url", url, 2048, "image.url");
}

int
dbot_embed_thumbnail(dbot_embed *e, const char *url)
{
    return embed_text(e, "thumbnail", "url", url, 2048, "thumbnail.url");
}

int
dbot_embed_author(dbot_embed *e, const char *name, const char *url,
                  const char *icon_url)
{
    if (embed_text(e, "author", "name", name, 256, "author.name") < 0)
        return e ? e->m->b.code : DBOT_ENOMEM;
    if (url && embed_text(e, "author", "url", url, 2048, "author.url") < 0)
        return e->m->b.code;
    if (icon_url)
        return embed_text(e, "author", "icon_url", icon_url, 2048,
                          "author.icon_url");
    return 0;
}

int
dbot_embed_field(dbot_embed *e, const char *name, const char *value,
                 bool inline_)
{
    struct bld *b;
    char path[64];
    cJSON *fields, *f;

    if (!e)
        return DBOT_ENOMEM;
    b = &e->m->b;
    if (b->code)
        return b->code;
    if (e->nfields == 25)
        return seterr(b, DBOT_ETOOBIG, "embeds[%d].fields: more than 25",
                      e->idx);
    snprintf(path, sizeof path, "embeds[%d].fields[%d].name", e->idx,
             e->nfields);
    if (check_len(b, path, name, 256, 1) < 0)
        return b->code;
    snprintf(path, sizeof path, "embeds[%d].fields[%d].value", e->idx,
             e->nfields);
    if (check_len(b, path, value, 1024, 1) < 0)
        return b->code;
    fields = cJSON_GetObjectItemCaseSensitive(e->obj, "fields");
    if (!fields && !(fields = cJSON_AddArrayToObject(e->obj, "fields")))
        return nomem(b);
    if (!(f = cJSON_CreateObject()) || push(b, fields, f) < 0)
        return nomem(b);
    if (put_str(b, f, "name", name) < 0 || put_str(b, f, "value", value) < 0)
        return b->code;
    if (inline_ && put_item(b, f, "inline", cJSON_CreateTrue()) < 0)
        return b->code;
    e->nfields++;
    return check_total(e);
}

/* ---- components ------------------------------------------------------- */

/* Is custom_id used anywhere under `c` (rows, labels, components)? */
static int
id_used(const cJSON *c, const char *id, int depth)
{
    const cJSON *it;
    const char *cid;

    if (!c || depth > 4)
        return 0;
    if (cJSON_IsArray(c)) {
        cJSON_ArrayForEach(it, c)
        {
            if (id_used(it, id, depth + 1))
                return 1;
        }
        return 0;
    }
    cid =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "custom_id"));
    if (cid && strcmp(cid, id) == 0)
        return 1;
    return id_used(cJSON_GetObjectItemCaseSensitive(c, "component"), id,
                   depth + 1) ||
           id_used(cJSON_GetObjectItemCaseSensitive(c, "components"), id,
                   depth + 1);
}

static int
check_custom_id(struct bld *b, const char *path, const char *id,
                const cJSON *scope)
{
    char p[96];

    snprintf(p, sizeof p, "%s.custom_id", path);
    if (check_len(b, p, id, 100, 1) < 0)
        return b->code;
    if (id_used(scope, id, 0))
        return seterr(b, DBOT_EINVAL, "%s: \"%s\" is already used", p, id);
    return 0;
}

dbot_row *
dbot_msg_row(dbot_msg *m)
{
    dbot_row *r;
    cJSON *row, *comps;

    if (!m || m->b.code)
        return NULL;
    if (m->nrows == DBOT__MAX_ROWS) {
        seterr(&m->b, DBOT_ETOOBIG, "components: more than %d action rows",
               DBOT__MAX_ROWS);
        return NULL;
    }
    if (!m->components) {
        if (cJSON_GetObjectItemCaseSensitive(m->root, "components")) {
            seterr(&m->b, DBOT_EINVAL, "components: set raw; cannot add rows");
            return NULL;
        }
        if (!(m->components = cJSON_AddArrayToObject(m->root, "components"))) {
            nomem(&m->b);
            return NULL;
        }
    }
    if (!(row = cJSON_CreateObject()) || push(&m->b, m->components, row) < 0 ||
        put_num(&m->b, row, "type", 1) < 0 ||
        !(comps = cJSON_AddArrayToObject(row, "components"))) {
        nomem(&m->b);
        return NULL;
    }
    r = &m->r[m->nrows];
    *r = (dbot_row){ .m = m, .comps = comps, .idx = m->nrows };
    m->nrows++;
    return r;
}

int
dbot_row_button(dbot_row *r, const dbot_button *bt)
{
    struct bld *b;
    char path[64], p[96];
    cJSON *j;

    if (!r)
        return DBOT_ENOMEM;
    b = &r->m->b;
    if (b->code)
        return b->code;
    snprintf(path, sizeof path, "components[%d].components[%d]", r->idx,
             r->nbuttons);
    if (!bt)
        return seterr(b, DBOT_EINVAL, "%s: NULL button", path);
    if (r->has_select)
        return seterr(b, DBOT_EINVAL,
                      "%s: a row with a select holds nothing else", path);
    if (r->nbuttons == DBOT__MAX_ROW_BUTTONS)
        return seterr(b, DBOT_ETOOBIG, "%s: more than %d buttons in a row",
                      path, DBOT__MAX_ROW_BUTTONS);
    if (bt->style < DBOT_BUTTON_PRIMARY || bt->style > DBOT_BUTTON_LINK)
        return seterr(b, DBOT_EINVAL, "%s.style: %d is not 1-5", path,
                      bt->style);
    if (!bt->label && !bt->emoji)
        return seterr(b, DBOT_EINVAL, "%s: needs a label or an emoji", path);
    snprintf(p, sizeof p, "%s.label", path);
    if (bt->label && check_len(b, p, bt->label, 80, 1) < 0)
        return b->code;
    if (bt->style == DBOT_BUTTON_LINK) {
        snprintf(p, sizeof p, "%s.url", path);
        if (bt->custom_id)
            return seterr(b, DBOT_EINVAL,
                          "%s: link buttons have a url, not a custom_id", path);
        if (check_len(b, p, bt->url, 512, 1) < 0)
            return b->code;
    } else {
        if (bt->url)
            return seterr(b, DBOT_EINVAL,
                          "%s: only link buttons (style 5) have a url", path);
        if (check_custom_id(b, path, bt->custom_id, r->m->components) < 0)
            return b->code;
    }
    if (!(j = cJSON_CreateObject()) || push(b, r->comps, j) < 0)
        return nomem(b);
    if (put_num(b, j, "type", 2) < 0 || put_num(b, j, "style", bt->style) < 0)
        return b->code;
    if (bt->label && put_str(b, j, "label", bt->label) < 0)
        return b->code;
    if (bt->emoji &&
        put_item(b, j, "emoji", emoji_json(b, path, bt->emoji)) < 0)
        return b->code;
    if (bt->custom_id && put_str(b, j, "custom_id", bt->custom_id) < 0)
        return b->code;
    if (bt->url && put_str(b, j, "url", bt->url) < 0)
        return b->code;
    if (bt->disabled && put_item(b, j, "disabled", cJSON_CreateTrue()) < 0)
        return b->code;
    r->nbuttons++;
    return 0;
}

static int
select_options(struct bld *b, const char *path, const dbot_select *s, cJSON *j,
               int *count)
{
    char p[128];
    cJSON *arr = cJSON_AddArrayToObject(j, "options");
    int i;

    if (!arr)
        return nomem(b);
    for (i = 0; s->options && s->options[i].label; i++) {
        const dbot_select_option *o = &s->options[i];
        cJSON *oj;
        int k;

        if (i == 25)
            return seterr(b, DBOT_ETOOBIG, "%s.options: more than 25", path);
        snprintf(p, sizeof p, "%s.options[%d].label", path, i);
        if (check_len(b, p, o->label, 100, 1) < 0)
            return b->code;
        snprintf(p, sizeof p, "%s.options[%d].value", path, i);
        if (check_len(b, p, o->value, 100, 1) < 0)
            return b->code;
        for (k = 0; k < i; k++)
            if (strcmp(s->options[k].value, o->value) == 0)
                return seterr(b, DBOT_EINVAL, "%s: \"%s\" is used twice", p,
                              o->value);
        snprintf(p, sizeof p, "%s.options[%d].description", path, i);
        if (o->description && check_len(b, p, o->description, 100, 1) < 0)
            return b->code;
        if (!(oj = cJSON_CreateObject()) || push(b, arr, oj) < 0)
            return nomem(b);
        if (put_str(b, oj, "label", o->label) < 0 ||
            put_str(b, oj, "value", o->value) < 0 ||
            (o->description &&
             put_str(b, oj, "description", o->description) < 0))
            return b->code;
        snprintf(p, sizeof p, "%s.options[%d]", path, i);
        if (o->emoji &&
            put_item(b, oj, "emoji", emoji_json(b, p, o->emoji)) < 0)
            return b->code;
        if (o->is_default && put_item(b, oj, "default", cJSON_CreateTrue()) < 0)
            return b->code;
    }
    if (i == 0)
        return seterr(b, DBOT_EINVAL,
                      "%s.options: a string select needs "
                      "1-25 options",
                      path);
    *count = i;
    return 0;
}

/* A select component, checked; custom ids must be unique within scope. */
static cJSON *
select_json(struct bld *b, const char *path, const dbot_select *s,
            const cJSON *scope)
{
    int type = s->type ? s->type : DBOT_SELECT_STRING;
    int nopts = 25, min = s->allow_none ? 0 : s->min_values;
    char p[96];
    cJSON *j;
    int i;

    if (type != DBOT_SELECT_STRING &&
        (type < DBOT_SELECT_USER || type > DBOT_SELECT_CHANNEL)) {
        seterr(b, DBOT_EINVAL, "%s.type: %d is not a select (3, 5-8)", path,
               s->type);
        return NULL;
    }
    if (check_custom_id(b, path, s->custom_id, scope) < 0)
        return NULL;
    snprintf(p, sizeof p, "%s.placeholder", path);
    if (s->placeholder && check_len(b, p, s->placeholder, 150, 1) < 0)
        return NULL;
    if (type != DBOT_SELECT_STRING && s->options) {
        seterr(b, DBOT_EINVAL, "%s.options: only string selects have options",
               path);
        return NULL;
    }
    if (s->channel_types && type != DBOT_SELECT_CHANNEL) {
        seterr(b, DBOT_EINVAL, "%s.channel_types: only channel selects", path);
        return NULL;
    }
    if (!(j = cJSON_CreateObject())) {
        nomem(b);
        return NULL;
    }
    if (put_num(b, j, "type", type) < 0 ||
        put_str(b, j, "custom_id", s->custom_id) < 0)
        goto fail;
    if (type == DBOT_SELECT_STRING && select_options(b, path, s, j, &nopts) < 0)
        goto fail;
    if (min < 0 || min > 25 || s->max_values < 0 || s->max_values > 25) {
        seterr(b, DBOT_EINVAL,
               "%s: min_values/max_values must be 0-25 and "
               "1-25",
               path);
        goto fail;
    }
    if (s->max_values && min > s->max_values) {
        seterr(b, DBOT_EINVAL, "%s: min_values %d is above max_values %d", path,
               min, s->max_values);
        goto fail;
    }
    if (s->max_values > nopts || min > nopts) {
        seterr(b, DBOT_EINVAL, "%s: min/max_values exceed the %d options", path,
               nopts);
        goto fail;
    }
    if (s->placeholder && put_str(b, j, "placeholder", s->placeholder) < 0)
        goto fail;
    if ((s->allow_none || s->min_values) &&
        put_num(b, j, "min_values", min) < 0)
        goto fail;
    if (s->max_values && put_num(b, j, "max_values", s->max_values) < 0)
        goto fail;
    if (s->channel_types) {
        cJSON *ct = cJSON_CreateArray();

        if (put_item(b, j, "channel_types", ct) < 0)
            goto fail;
        for (i = 0; i < 64; i++)
            if ((s->channel_types & ((uint64_t)1 << i)) &&
                push(b, ct, cJSON_CreateNumber(i)) < 0)
                goto fail;
    }
    if (s->disabled && put_item(b, j, "disabled", cJSON_CreateTrue()) < 0)
        goto fail;
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}

int
dbot_row_select(dbot_row *r, const dbot_select *s)
{
    struct bld *b;
    char path[64];
    cJSON *j;

    if (!r)
        return DBOT_ENOMEM;
    b = &r->m->b;
    if (b->code)
        return b->code;
    snprintf(path, sizeof path, "components[%d].components[%d]", r->idx,
             r->nbuttons + r->has_select);
    if (!s)
        return seterr(b, DBOT_EINVAL, "%s: NULL select", path);
    if (r->nbuttons || r->has_select)
        return seterr(b, DBOT_EINVAL,
                      "%s: a select must be alone in its action row", path);
    if (!(j = select_json(b, path, s, r->m->components)))
        return b->code;
    if (push(b, r->comps, j) < 0)
        return b->code;
    r->has_select = 1;
    return 0;
}

/* ---- modals ----------------------------------------------------------- */

dbot_modal *
dbot_modal_new(const char *custom_id, const char *title)
{
    dbot_modal *md = calloc(1, sizeof *md);

    if (!md)
        return NULL;
    if (!(md->root = cJSON_CreateObject())) {
        free(md);
        return NULL;
    }
    if (check_len(&md->b, "custom_id", custom_id, 100, 1) < 0 ||
        check_len(&md->b, "title", title, 45, 1) < 0)
        return md;
    if (put_str(&md->b, md->root, "custom_id", custom_id) < 0 ||
        put_str(&md->b, md->root, "title", title) < 0 ||
        !(md->components = cJSON_AddArrayToObject(md->root, "components")))
        nomem(&md->b);
    return md;
}

void
dbot_modal_free(dbot_modal *md)
{
    if (!md)
        return;
    cJSON_Delete(md->root);
    free(md);
}

/* A Label (type 18) around `inner`, appended to the modal. Takes inner. */
static int
modal_label(dbot_modal *md, const char *path, const char *label,
            const char *description, cJSON *inner)
{
    struct bld *b = &md->b;
    char p[64];
    cJSON *l;

    snprintf(p, sizeof p, "%s.label", path);
    if (check_len(b, p, label, 45, 1) < 0)
        goto fail;
    snprintf(p, sizeof p, "%s.description", path);
    if (description && check_len(b, p, description, 100, 1) < 0)
        goto fail;
    if (!(l = cJSON_CreateObject()) || push(b, md->components, l) < 0)
        goto nomem;
    if (put_num(b, l, "type", 18) < 0 || put_str(b, l, "label", label) < 0 ||
        (description && put_str(b, l, "description", description) < 0))
        goto fail;
    md->n++;
    return put_item(b, l, "component", inner);
nomem:
    nomem(b);
fail:
    cJSON_Delete(inner);
    return b->code;
}

static int
modal_room(dbot_modal *md, char *path, size_t len)
{
    snprintf(path, len, "components[%d]", md->n);
    if (md->n == DBOT__MAX_MODAL_ITEMS)
        return seterr(&md->b, DBOT_ETOOBIG, "components: more than %d",
                      DBOT__MAX_MODAL_ITEMS);
    return 0;
}

int
dbot_modal_text(dbot_modal *md, const dbot_text_input *t)
{
    struct bld *b;
    int style;
    char path[48], p[96];
    cJSON *j;

    if (!md)
        return DBOT_ENOMEM;
    b = &md->b;
    if (b->code)
        return b->code;
    if (modal_room(md, path, sizeof path) < 0)
        return b->code;
    if (!t)
        return seterr(b, DBOT_EINVAL, "%s: NULL text input", path);
    style = t->style ? t->style : DBOT_TEXT_SHORT;
    snprintf(p, sizeof p, "%s.component", path);
    if (style != DBOT_TEXT_SHORT && style != DBOT_TEXT_PARAGRAPH)
        return seterr(b, DBOT_EINVAL, "%s.style: %d is not 1 or 2", p,
                      t->style);
    if (check_custom_id(b, p, t->custom_id, md->components) < 0)
        return b->code;
    if (t->min_length < 0 || t->min_length > 4000 || t->max_length < 0 ||
        t->max_length > 4000)
        return seterr(b, DBOT_EINVAL,
                      "%s: min_length/max_length must be 0-4000", p);
    if (t->min_length && t->max_length && t->min_length > t->max_length)
        return seterr(b, DBOT_EINVAL,
                      "%s: min_length %d is above max_length %d", p,
                      t->min_length, t->max_length);
    snprintf(p, sizeof p, "%s.component.placeholder", path);
    if (t->placeholder && check_len(b, p, t->placeholder, 100, 1) < 0)
        return b->code;
    snprintf(p, sizeof p, "%s.component.value", path);
    if (t->value && check_len(b, p, t->value, 4000, 0) < 0)
        return b->code;
    if (!(j = cJSON_CreateObject()))
        return nomem(b);
    if (put_num(b, j, "type", 4) < 0 ||
        put_str(b, j, "custom_id", t->custom_id) < 0 ||
        put_num(b, j, "style", style) < 0 ||
        (t->min_length && put_num(b, j, "min_length", t->min_length) < 0) ||
        (t->max_length && put_num(b, j, "max_length", t->max_length) < 0) ||
        (t->optional && put_item(b, j, "required", cJSON_CreateFalse()) < 0) ||
        (t->placeholder && put_str(b, j, "placeholder", t->placeholder) < 0) ||
        (t->value && put_str(b, j, "value", t->value) < 0)) {
        cJSON_Delete(j);
        return b->code;
    }
    return modal_label(md, path, t->label, t->description, j);
}

int
dbot_modal_select(dbot_modal *md, const char *label, const char *description,
                  const dbot_select *s)
{
    struct bld *b;
    char path[48], p[96];
    cJSON *j;

    if (!md)
        return DBOT_ENOMEM;
    b = &md->b;
    if (b->code)
        return b->code;
    if (modal_room(md, path, sizeof path) < 0)
        return b->code;
    snprintf(p, sizeof p, "%s.component", path);
    if (!s)
        return seterr(b, DBOT_EINVAL, "%s: NULL select", p);
    if (s->disabled)
        return seterr(b, DBOT_EINVAL, "%s: nothing in a modal is disabled", p);
    if (!(j = select_json(b, p, s, md->components)))
        return b->code;
    return modal_label(md, path, label, description, j);
}

cJSON *
dbot_modal_json(const dbot_modal *md)
{
    if (!md || md->b.code || md->n == 0)
        return NULL;
    return cJSON_Duplicate(md->root, 1);
}

const char *
dbot_modal_error(const dbot_modal *md)
{
    if (!md)
        return oom_bld.err;
    if (md->b.code)
        return md->b.err;
    if (md->n == 0)
        return "components: a modal needs 1-5 components";
    return NULL;
}

/* ---- autocomplete results -------------------------------------------- */

cJSON *
dbot_autocomplete_json(const dbot_choice *choices, size_t n, int type,
                       char *err, size_t errlen)
{
    struct bld b = { 0 };
    cJSON *data = NULL, *arr;
    size_t i;

    if (type != DBOT_OPT_STRING && type != DBOT_OPT_INTEGER &&
        type != DBOT_OPT_NUMBER) {
        seterr(&b, DBOT_EINVAL, "type: %d is not STRING, INTEGER or NUMBER",
               type);
        goto out;
    }
    if (n > 25)
        n = 25;
    if (!(data = cJSON_CreateObject()) ||
        !(arr = cJSON_AddArrayToObject(data, "choices"))) {
        nomem(&b);
        goto out;
    }
    for (i = 0; i < n && choices; i++) {
        const dbot_choice *c = &choices[i];
        char path[48];
        cJSON *j;

        snprintf(path, sizeof path, "choices[%zu].name", i);
        if (check_len(&b, path, c->name, 100, 1) < 0)
            goto out;
        snprintf(path, sizeof path, "choices[%zu].str", i);
        if (type == DBOT_OPT_STRING && check_len(&b, path, c->str, 100, 1) < 0)
            goto out;
        if (!(j = cJSON_CreateObject()) || push(&b, arr, j) < 0 ||
            put_str(&b, j, "name", c->name) < 0)
            goto out;
        if (type == DBOT_OPT_STRING ? put_str(&b, j, "value", c->str) < 0
            : type == DBOT_OPT_INTEGER
                ? put_num(&b, j, "value", (double)c->integer) < 0
                : put_num(&b, j, "value", c->number) < 0)
            goto out;
    }
    return data;
out:
    if (!b.code)
        nomem(&b);
    if (err && errlen)
        snprintf(err, errlen, "%s", b.err);
    cJSON_Delete(data);
    return NULL;
}
