/*
 * intents.h: gateway intent names <-> bits (discord-protocol.md §2.2).
 * Pure lookups over a constant table; any thread.
 */
#ifndef DBOT_SRC_INTENTS_H
#define DBOT_SRC_INTENTS_H

#include <stdint.h>

/* Intent name ("GUILD_MESSAGES") to its bit; 0 if unknown. Names are
 * case-sensitive, as in Discord's docs. */
uint64_t dbot__intent_bit(const char *name);

/* All documented intent bits; other bits make Discord close with 4013, so
 * the config parser rejects them. */
uint64_t dbot__intents_valid_mask(void);

/* Name of bit number `bit` (0..63), NULL if undocumented. */
const char *dbot__intent_name(int bit);

#endif
