/*
 * message.c: the message, embed and action-row builders.
 *
 * DESIGN. The builder keeps the JSON it will send (a cJSON tree) plus the
 * little state limits need (counts, the handles it gave out). Each call
 * checks its own limits at once, so an error names the exact piece
 * ("embeds[0].fields[3].value") while the handler still knows what it was
 * doing; the 6000-character embed total is re-added after every embed text
 * change. The first error sticks and turns later calls into no-ops: a
 * handler chains calls and checks once (the errno/ferror pattern), and
 * dbot_msg_json() refuses to produce a half-valid message. Modals are in
 * modal.c; the checks both share are in build.c.
 *
 * Handles (dbot_embed, dbot_row) live in fixed arrays inside the message,
 * sized by Discord's limits, so they never move and need no freeing.
 */
#include "message.h"
#include "build.h"
#include "msgcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    struct dbot__bld b;
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
    int json_nomem;   /* the last dbot_msg_json() ran out of memory */
};

/* ---- the message ------------------------------------------------------ */

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
        return "out of memory";
    if (m->b.code)
        return m->b.err;
    return m->json_nomem ? "out of memory" : NULL;
}

int
dbot_msg_content(dbot_msg *m, const char *text)
{
    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (!text)
        return dbot__bld_fail(&m->b, DBOT_EINVAL, "content: NULL");
    if (dbot__bld_len(&m->b, "content", text, DBOT__MAX_CONTENT, 0) < 0)
        return m->b.code;
    return dbot__bld_str(&m->b, m->root, "content", text);
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
        return dbot__bld_fail(&m->b, DBOT_EINVAL, "content: bad format");
    if ((size_t)n >= sizeof small) {
        if (!(buf = malloc((size_t)n + 1)))
            return dbot__bld_nomem(&m->b);
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
    return dbot__bld_num(&m->b, m->root, "flags", m->flags);
}

int
dbot_msg_mentions(dbot_msg *m, unsigned kinds)
{
    if (!m)
        return DBOT_ENOMEM;
    if (m->b.code)
        return m->b.code;
    if (kinds & ~7u)
        return dbot__bld_fail(&m->b, DBOT_EINVAL,
                              "allowed_mentions: unknown kinds 0x%x",
                              kinds & ~7u);
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
        return dbot__bld_fail(&m->b, DBOT_EINVAL, "allowed_mentions.%s: id 0",
                              what);
    if (!*list && !(*list = cJSON_CreateArray()))
        return dbot__bld_nomem(&m->b);
    if (cJSON_GetArraySize(*list) >= 100)
        return dbot__bld_fail(&m->b, DBOT_ETOOBIG,
                              "allowed_mentions.%s: more than 100", what);
    snprintf(s, sizeof s, "%llu", (unsigned long long)id);
    m->mentions_set = 1;
    return dbot__bld_push(&m->b, *list, cJSON_CreateString(s));
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
        return dbot__bld_fail(&m->b, DBOT_EINVAL, "message_reference: id 0");
    if (!(ref = cJSON_CreateObject()) ||
        dbot__bld_item(&m->b, m->root, "message_reference", ref) < 0)
        return dbot__bld_nomem(&m->b);
    m->replied_user = ping;
    return dbot__bld_id(&m->b, ref, "message_id", message_id);
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
        return dbot__bld_fail(&m->b, DBOT_EINVAL, "set_raw: NULL key or value");
    }
    /* Handles point into these arrays; replacing them would leave the
     * handles dangling. */
    if ((strcmp(key, "embeds") == 0 && m->embeds) ||
        (strcmp(key, "components") == 0 && m->components)) {
        cJSON_Delete(value);
        return dbot__bld_fail(
            &m->b, DBOT_EINVAL,
            "%s: already built; set it raw before adding any, or "
            "not at all",
            key);
    }
    if (strcmp(key, "flags") == 0 && cJSON_IsNumber(value))
        m->flags = (unsigned)value->valuedouble;
    return dbot__bld_item(&m->b, m->root, key, value);
}

/* allowed_mentions as the message's mention settings say. */
/* Add a copy of v to obj under key; the copy is freed if adding fails. */
static int
add_copy(cJSON *obj, const char *key, const cJSON *v)
{
    cJSON *copy = cJSON_Duplicate(v, 1);

    if (!copy || !cJSON_AddItemToObject(obj, key, copy)) {
        cJSON_Delete(copy);
        return DBOT_ENOMEM;
    }
    return 0;
}

static cJSON *
mentions_json(const dbot_msg *m)
{
    cJSON *am = cJSON_CreateObject(), *parse = cJSON_CreateArray();
    unsigned kinds = m->parse;

    /* Adding to an object copies the key, which can fail too: an item
     * not added is still ours to free. */
    if (!am || !parse || !cJSON_AddItemToObject(am, "parse", parse)) {
        cJSON_Delete(parse);
        cJSON_Delete(am);
        return NULL;
    }
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
    if (m->users && add_copy(am, "users", m->users) < 0)
        goto fail;
    if (m->roles && add_copy(am, "roles", m->roles) < 0)
        goto fail;
    if (m->replied_user >= 0 &&
        !cJSON_AddBoolToObject(am, "replied_user", m->replied_user))
        goto fail;
    return am;
fail:
    cJSON_Delete(am);
    return NULL;
}

/* dbot_msg_json() takes a const builder because it leaves what was built
 * as it was; whether its last copy ran out of memory is bookkeeping for
 * dbot_msg_error(), so that a NULL JSON always comes with an error to
 * show. Every builder comes from dbot_msg_new(), never a const object, so
 * writing it through this cast is defined. */
static cJSON *
json_done(const dbot_msg *m, cJSON *out)
{
    ((dbot_msg *)m)->json_nomem = out == NULL;
    return out;
}

cJSON *
dbot_msg_json(const dbot_msg *m)
{
    const char *content;
    cJSON *out, *rows, *row;

    if (!m || m->b.code)
        return NULL;
    if (!(out = cJSON_Duplicate(m->root, 1)))
        return json_done(m, NULL);
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
            return json_done(m, NULL);
        }
    }
    return json_done(m, out);
}

/* ---- embeds ----------------------------------------------------------- */

static int
check_total(dbot_embed *e)
{
    long n = dbot__embeds_chars(e->m->embeds);

    if (n > DBOT__MAX_EMBED_TOTAL)
        return dbot__bld_fail(
            &e->m->b, DBOT_ETOOBIG,
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
        dbot__bld_fail(&m->b, DBOT_ETOOBIG, "embeds: more than %d embeds",
                       DBOT__MAX_EMBEDS);
        return NULL;
    }
    if (!m->embeds) {
        if (cJSON_GetObjectItemCaseSensitive(m->root, "embeds")) {
            dbot__bld_fail(&m->b, DBOT_EINVAL,
                           "embeds: set raw; cannot add more");
            return NULL;
        }
        if (!(m->embeds = cJSON_AddArrayToObject(m->root, "embeds"))) {
            dbot__bld_nomem(&m->b);
            return NULL;
        }
    }
    if (!(o = cJSON_CreateObject()) ||
        dbot__bld_push(&m->b, m->embeds, o) < 0) {
        dbot__bld_nomem(&m->b);
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
    if (dbot__bld_len(&e->m->b, path, s, max, 1) < 0)
        return e->m->b.code;
    o = e->obj;
    if (sub) {
        o = cJSON_GetObjectItemCaseSensitive(e->obj, sub);
        if (!o) {
            if (!(o = cJSON_CreateObject()) ||
                dbot__bld_item(&e->m->b, e->obj, sub, o) < 0)
                return dbot__bld_nomem(&e->m->b);
        }
    }
    if (dbot__bld_str(&e->m->b, o, key, s) < 0)
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
    return embed_text(e, NULL, "description", text, DBOT__MAX_EMBED_DESCRIPTION,
                      "description");
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
        return dbot__bld_fail(&e->m->b, DBOT_EINVAL,
                              "embeds[%d].color: 0x%x is not 0xRRGGBB", e->idx,
                              (unsigned)rgb);
    return dbot__bld_num(&e->m->b, e->obj, "color", rgb);
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
        return dbot__bld_fail(&e->m->b, DBOT_EINVAL,
                              "embeds[%d].timestamp: %lld ms is out of range",
                              e->idx, (long long)unix_ms);
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(unix_ms % 1000));
    return dbot__bld_str(&e->m->b, e->obj, "timestamp", iso);
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
    struct dbot__bld *b;
    char path[64];
    cJSON *fields, *f;

    if (!e)
        return DBOT_ENOMEM;
    b = &e->m->b;
    if (b->code)
        return b->code;
    if (e->nfields == DBOT__MAX_EMBED_FIELDS)
        return dbot__bld_fail(b, DBOT_ETOOBIG,
                              "embeds[%d].fields: more than 25", e->idx);
    snprintf(path, sizeof path, "embeds[%d].fields[%d].name", e->idx,
             e->nfields);
    if (dbot__bld_len(b, path, name, 256, 1) < 0)
        return b->code;
    snprintf(path, sizeof path, "embeds[%d].fields[%d].value", e->idx,
             e->nfields);
    if (dbot__bld_len(b, path, value, 1024, 1) < 0)
        return b->code;
    fields = cJSON_GetObjectItemCaseSensitive(e->obj, "fields");
    if (!fields && !(fields = cJSON_AddArrayToObject(e->obj, "fields")))
        return dbot__bld_nomem(b);
    if (!(f = cJSON_CreateObject()) || dbot__bld_push(b, fields, f) < 0)
        return dbot__bld_nomem(b);
    if (dbot__bld_str(b, f, "name", name) < 0 ||
        dbot__bld_str(b, f, "value", value) < 0)
        return b->code;
    if (inline_ && dbot__bld_item(b, f, "inline", cJSON_CreateTrue()) < 0)
        return b->code;
    e->nfields++;
    return check_total(e);
}

/* ---- components ------------------------------------------------------- */

dbot_row *
dbot_msg_row(dbot_msg *m)
{
    dbot_row *r;
    cJSON *row, *comps;

    if (!m || m->b.code)
        return NULL;
    if (m->nrows == DBOT__MAX_ROWS) {
        dbot__bld_fail(&m->b, DBOT_ETOOBIG,
                       "components: more than %d action rows", DBOT__MAX_ROWS);
        return NULL;
    }
    if (!m->components) {
        if (cJSON_GetObjectItemCaseSensitive(m->root, "components")) {
            dbot__bld_fail(&m->b, DBOT_EINVAL,
                           "components: set raw; cannot add rows");
            return NULL;
        }
        if (!(m->components = cJSON_AddArrayToObject(m->root, "components"))) {
            dbot__bld_nomem(&m->b);
            return NULL;
        }
    }
    if (!(row = cJSON_CreateObject()) ||
        dbot__bld_push(&m->b, m->components, row) < 0 ||
        dbot__bld_num(&m->b, row, "type", 1) < 0 ||
        !(comps = cJSON_AddArrayToObject(row, "components"))) {
        dbot__bld_nomem(&m->b);
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
    struct dbot__bld *b;
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
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: NULL button", path);
    if (r->has_select)
        return dbot__bld_fail(
            b, DBOT_EINVAL, "%s: a row with a select holds nothing else", path);
    if (r->nbuttons == DBOT__MAX_ROW_BUTTONS)
        return dbot__bld_fail(b, DBOT_ETOOBIG,
                              "%s: more than %d buttons in a row", path,
                              DBOT__MAX_ROW_BUTTONS);
    if (bt->style < DBOT_BUTTON_PRIMARY || bt->style > DBOT_BUTTON_LINK)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s.style: %d is not 1-5", path,
                              bt->style);
    if (!bt->label && !bt->emoji)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: needs a label or an emoji",
                              path);
    snprintf(p, sizeof p, "%s.label", path);
    if (bt->label && dbot__bld_len(b, p, bt->label, 80, 1) < 0)
        return b->code;
    if (bt->style == DBOT_BUTTON_LINK) {
        snprintf(p, sizeof p, "%s.url", path);
        if (bt->custom_id)
            return dbot__bld_fail(
                b, DBOT_EINVAL, "%s: link buttons have a url, not a custom_id",
                path);
        if (dbot__bld_len(b, p, bt->url, 512, 1) < 0)
            return b->code;
    } else {
        if (bt->url)
            return dbot__bld_fail(b, DBOT_EINVAL,
                                  "%s: only link buttons (style 5) have a url",
                                  path);
        if (dbot__bld_custom_id(b, path, bt->custom_id, r->m->components) < 0)
            return b->code;
    }
    if (!(j = cJSON_CreateObject()) || dbot__bld_push(b, r->comps, j) < 0)
        return dbot__bld_nomem(b);
    if (dbot__bld_num(b, j, "type", 2) < 0 ||
        dbot__bld_num(b, j, "style", bt->style) < 0)
        return b->code;
    if (bt->label && dbot__bld_str(b, j, "label", bt->label) < 0)
        return b->code;
    if (bt->emoji &&
        dbot__bld_item(b, j, "emoji", dbot__bld_emoji(b, path, bt->emoji)) < 0)
        return b->code;
    if (bt->custom_id && dbot__bld_str(b, j, "custom_id", bt->custom_id) < 0)
        return b->code;
    if (bt->url && dbot__bld_str(b, j, "url", bt->url) < 0)
        return b->code;
    if (bt->disabled &&
        dbot__bld_item(b, j, "disabled", cJSON_CreateTrue()) < 0)
        return b->code;
    r->nbuttons++;
    return 0;
}

int
dbot_row_select(dbot_row *r, const dbot_select *s)
{
    struct dbot__bld *b;
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
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: NULL select", path);
    if (r->nbuttons || r->has_select)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "%s: a select must be alone in its action row",
                              path);
    if (!(j = dbot__bld_select(b, path, s, r->m->components)))
        return b->code;
    if (dbot__bld_push(b, r->comps, j) < 0)
        return b->code;
    r->has_select = 1;
    return 0;
}
