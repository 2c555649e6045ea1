/*
 * locale.c: Discord's locale list (locale.h). Kept in the order of the
 * docs' table so a diff against a newer table is easy to read.
 */
#include "locale.h"

#include <stddef.h>
#include <string.h>

static const char *const locales[] = {
    "id", "da", "de",    "en-GB", "en-US", "es-ES", "es-419", "fr",
    "hr", "it", "lt",    "hu",    "nl",    "no",    "pl",     "pt-BR",
    "ro", "fi", "sv-SE", "vi",    "tr",    "cs",    "el",     "bg",
    "ru", "uk", "hi",    "th",    "zh-CN", "ja",    "zh-TW",  "ko",
};

int
dbot__locale_known(const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++)
        if (!strcmp(locales[i], s))
            return 1;
    return 0;
}
