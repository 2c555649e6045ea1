/*
 * config_text.h: quoting, redaction and typo hints for config messages.
 * Pure string functions; any thread.
 */
#ifndef DBOT_SRC_CONFIG_TEXT_H
#define DBOT_SRC_CONFIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Does `s` contain the token `cand`? `cand` is taken as a user gave it:
 * surrounding whitespace and a "Bot " prefix are ignored. NULL and
 * candidates shorter than 4 bytes never match. */
bool dbot__cfgtext_has_token(const char *s, const char *cand);

/* Does `s` contain something shaped like a token: a run of 16 or more
 * base64 characters, without '/' or '.', mixing upper case, lower case and
 * digits? */
bool dbot__cfgtext_could_be_secret(const char *s);

/* Write `s` to dst as a quoted, escaped string of at most 40 source bytes
 * ("..." marks a cut), or "[REDACTED]" if it contains any of the secrets
 * (entries may be NULL), or "a N-byte value (not shown: it may be a
 * secret)" if dbot__cfgtext_could_be_secret(s). dst is always
 * NUL-terminated; cap >= 16 (64 to fit the last form). */
void dbot__cfgtext_quote(char *dst, size_t cap, const char *s,
                         const char *const secrets[], size_t nsecrets);

/* Describe a JSON value for "got ...": a quoted string (as above), the
 * number, true/false/null, "an array" or "an object". */
void dbot__cfgtext_describe(char *dst, size_t cap, const cJSON *v,
                            const char *const secrets[], size_t nsecrets);

/* Replace each occurrence of `secret` (>= 4 bytes) in the NUL-terminated
 * err[errlen] by "[REDACTED]", cutting the text if it does not fit. */
void dbot__cfgtext_scrub(char *err, size_t errlen, const char *secret);

/* Case-insensitive edit distance, 99 for strings of 63 bytes or more. */
size_t dbot__cfgtext_distance(const char *a, const char *b);

#endif
