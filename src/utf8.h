/*
 * utf8.h: the few UTF-8 facts the builders need. Discord counts limits in
 * characters, so lengths are code points, and text that is not valid UTF-8
 * is refused before Discord refuses the whole request with 50035.
 */
#ifndef DBOT_SRC_UTF8_H
#define DBOT_SRC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Number of code points in the NUL-terminated `s`, or -1 when `s` is not
 * valid UTF-8 (overlong forms, surrogates and values past U+10FFFF are
 * invalid). NULL counts as 0. */
long dbot__utf8_len(const char *s);

/* Decode one code point at *p and advance *p past it. Returns the code
 * point, or -1 (and leaves *p unchanged) on an invalid sequence. */
int32_t dbot__utf8_next(const char **p);

#endif
