/*
 * interaction_fallback.c: the texts dbot answers with when the bot did not
 * (no handler, a handler error, no answer, busy, too late, restarting),
 * in the user's language and naming what the user used: "this command",
 * "this button", "this menu", "this form".
 *
 * DESIGN. The bot sets texts per fallback and locale
 * (dbot_interaction_set_fallback_text); a lookup takes the interaction's
 * "locale" (the user's client language), tries that locale, then any text
 * of the same language ("es-ES" for "es-419"), then the bot's text for no
 * locale, then the built-in English. "{what}" in a text becomes the noun
 * for the interaction's kind, so one text serves commands and components.
 * At most DBOT__FALLBACK_MAX bytes come out; the tables are tiny and read
 * only when a fallback is sent, so a linear scan is fine.
 */
#include "interaction.h"

#include "interaction_impl.h"
#include "locale.h"
#include "log.h"
#include "utf8.h"

#include <dbot/interaction.h>
#include <dbot/interaction_data.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dbot__fallback_entry {
    int which;
    char locale[8]; /* "" for the bot's default */
    char *text;
};

static const char *const builtin[DBOT_FALLBACK_COUNT] = {
    [DBOT_FALLBACK_UNKNOWN] = "Sorry, this {what} is not available right now.",
    [DBOT_FALLBACK_FAILED] = "Sorry, something went wrong running this "
                             "{what}.",
    [DBOT_FALLBACK_NO_ANSWER] = "Sorry, this {what} did not respond.",
    [DBOT_FALLBACK_BUSY] = "I'm busy right now, please try again in a "
                           "moment.",
    [DBOT_FALLBACK_LATE] = "Sorry, I could not get to this in time. Please "
                           "try again.",
    [DBOT_FALLBACK_STOPPING] = "Sorry, the bot is restarting and could not "
                               "finish this. Please try again in a minute.",
};

/* What the user used, for "{what}". */
static const char *
noun(const cJSON *ix)
{
    switch (dbot_ix_type(ix)) {
    case 3:
        return dbot_ix_component_type(ix) == 2 ? "button" : "menu";
    case 5:
        return "form";
    default:
        return "command";
    }
}

static int
same_language(const char *a, const char *b)
{
    size_t na = strcspn(a, "-"), nb = strcspn(b, "-");

    return na == nb && strncmp(a, b, na) == 0;
}

static const char *
lookup(const struct dbot__fallbacks *f, int which, const char *locale)
{
    const char *lang = NULL, *dflt = NULL;

    for (int i = 0; i < f->n; i++) {
        const struct dbot__fallback_entry *e = &f->v[i];

        if (e->which != which)
            continue;
        if (!e->locale[0])
            dflt = e->text;
        else if (locale && !strcmp(e->locale, locale))
            return e->text;
        else if (locale && !lang && same_language(e->locale, locale))
            lang = e->text;
    }
    return lang ? lang : dflt ? dflt : builtin[which];
}

const char *
dbot__ix_fallback(const dbot_interaction *ix, int which, char *buf)
{
    const char *text, *what, *p;
    size_t len = 0, wl;

    if (which < 0 || which >= DBOT_FALLBACK_COUNT)
        which = DBOT_FALLBACK_FAILED;
    text = lookup(&ix->owner->fallbacks, which, dbot_ix_locale(ix->json));
    what = noun(ix->json);
    wl = strlen(what);
    for (p = text; *p && len + 1 < DBOT__FALLBACK_MAX;) {
        if (!strncmp(p, "{what}", 6) && len + wl + 1 < DBOT__FALLBACK_MAX) {
            memcpy(buf + len, what, wl);
            len += wl;
            p += 6;
        } else {
            buf[len++] = *p++;
        }
    }
    buf[len] = '\0';
    return buf;
}

int
dbot__fallbacks_set(struct dbot__fallbacks *f, int which, const char *locale,
                    const char *text)
{
    struct dbot__fallback_entry *e = NULL, *v;
    long n = text ? dbot__utf8_len(text) : 0;

    if (which < 0 || which >= DBOT_FALLBACK_COUNT ||
        (locale && *locale && !dbot__locale_known(locale)) ||
        (text && (n < 1 || n > 2000)) ||
        (text && strlen(text) + 64 >= DBOT__FALLBACK_MAX))
        return DBOT_EINVAL;
    for (int i = 0; i < f->n; i++)
        if (f->v[i].which == which &&
            !strcmp(f->v[i].locale, locale ? locale : ""))
            e = &f->v[i];
    if (!text) { /* back to the default */
        if (e) {
            free(e->text);
            *e = f->v[--f->n];
        }
        return 0;
    }
    if (!e) {
        v = realloc(f->v, (size_t)(f->n + 1) * sizeof *v);
        if (!v)
            return DBOT_ENOMEM;
        f->v = v;
        e = &f->v[f->n++];
        e->which = which;
        snprintf(e->locale, sizeof e->locale, "%s", locale ? locale : "");
        e->text = NULL;
    }
    free(e->text);
    e->text = strdup(text);
    if (!e->text) {
        *e = f->v[--f->n];
        return DBOT_ENOMEM;
    }
    return 0;
}

void
dbot__fallbacks_free(struct dbot__fallbacks *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->v[i].text);
    free(f->v);
    f->v = NULL;
    f->n = 0;
}
