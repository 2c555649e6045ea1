/*
 * fake_reactions.c: PUT/DELETE /channels/{c}/messages/{m}/reactions/{emoji}/
 * {@me|user} as Discord answers them, recording the emoji it understood.
 *
 * DESIGN. lws percent-decodes the request path once before the routes see
 * it, which is exactly what Discord does, so the {emoji} segment here is
 * already what the client meant, and is recorded as is. A client that
 * encoded twice sent "%25F0..." and this segment holds "%F0...": Discord
 * finds no such emoji (400, 10014), and neither does the fake. The check is
 * deliberately independent of dbot's own emoji parser, which it tests.
 */
#include "fake_routes.h"

#include <string.h>

static int
is_custom(const char *s)
{
    const char *colon = strchr(s, ':');

    if (!colon || colon == s || !colon[1])
        return 0;
    for (const char *p = s; p < colon; p++)
        if (!(*p == '_' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return strspn(colon + 1, "0123456789") == strlen(colon + 1);
}

/* A decoded {emoji} Discord would know: name:id, or text that holds a
 * non-ASCII character and no '%' (a '%' means it was encoded twice). */
static int
emoji_known(const char *s)
{
    int wide = 0;

    if (is_custom(s))
        return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '%' || *p == ':')
            return 0;
        wide |= *p >= 0x80;
    }
    return wide;
}

void
fc_reaction_route(struct fakecord *fc, struct fc_http *h,
                  const struct fc_route *r)
{
    const char *emoji = r->seg[5], *user = r->seg[6];
    cJSON *rec;

    if (strcmp(h->method, "PUT") && strcmp(h->method, "DELETE")) {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
        return;
    }
    if (!strcmp(h->method, "PUT") && strcmp(user, "@me")) {
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    if (!emoji_known(emoji)) {
        fc_http_error(h, 400, 10014, "Unknown Emoji");
        return;
    }
    rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "method", h->method);
    cJSON_AddStringToObject(rec, "channel_id", r->seg[1]);
    cJSON_AddStringToObject(rec, "message_id", r->seg[3]);
    cJSON_AddStringToObject(rec, "emoji", emoji);
    cJSON_AddStringToObject(rec, "user", user);
    cJSON_AddItemToArray(fc->reactions, rec);
    fc_http_reply(h, 204, NULL);
}

cJSON *
fakecord_reactions(fakecord *fc)
{
    return fc_copy_locked(fc, &fc->reactions);
}
