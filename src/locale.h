/*
 * locale.h: Discord's locales (developers/reference.mdx, "Locales",
 * discord/discord-api-docs c98d64b): the keys of *_localizations and the
 * values of an interaction's "locale". Leaf.
 */
#ifndef DBOT_SRC_LOCALE_H
#define DBOT_SRC_LOCALE_H

/* 1 if `s` is one of Discord's locales ("de", "en-US", ...), else 0. */
int dbot__locale_known(const char *s);

#endif
