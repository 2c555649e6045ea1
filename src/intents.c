/*
 * intents.c: gateway intent names and bits, as documented (protocol §2.2).
 * Kept apart from the config parser so other modules (the dispatcher
 * warning about an event its intents can never deliver, for example) can
 * name intents without pulling in the config.
 */
#include "intents.h"

#include <stddef.h>
#include <string.h>

/* Documented intent bits (discord-protocol.md §2.2); 17-19, 22, 23 and
 * everything above 25 are rejected because Discord closes with 4013. */
static const struct {
    const char *name;
    int bit;
} intent_names[] = {
    { "GUILDS", 0 },
    { "GUILD_MEMBERS", 1 },
    { "GUILD_MODERATION", 2 },
    { "GUILD_EXPRESSIONS", 3 },
    { "GUILD_INTEGRATIONS", 4 },
    { "GUILD_WEBHOOKS", 5 },
    { "GUILD_INVITES", 6 },
    { "GUILD_VOICE_STATES", 7 },
    { "GUILD_PRESENCES", 8 },
    { "GUILD_MESSAGES", 9 },
    { "GUILD_MESSAGE_REACTIONS", 10 },
    { "GUILD_MESSAGE_TYPING", 11 },
    { "DIRECT_MESSAGES", 12 },
    { "DIRECT_MESSAGE_REACTIONS", 13 },
    { "DIRECT_MESSAGE_TYPING", 14 },
    { "MESSAGE_CONTENT", 15 },
    { "GUILD_SCHEDULED_EVENTS", 16 },
    { "AUTO_MODERATION_CONFIGURATION", 20 },
    { "AUTO_MODERATION_EXECUTION", 21 },
    { "GUILD_MESSAGE_POLLS", 24 },
    { "DIRECT_MESSAGE_POLLS", 25 },
};
#define N_INTENTS (sizeof intent_names / sizeof intent_names[0])

uint64_t
dbot__intent_bit(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < N_INTENTS; i++)
        if (strcmp(name, intent_names[i].name) == 0)
            return (uint64_t)1 << intent_names[i].bit;
    return 0;
}

uint64_t
dbot__intents_valid_mask(void)
{
    uint64_t m = 0;

    for (size_t i = 0; i < N_INTENTS; i++)
        m |= (uint64_t)1 << intent_names[i].bit;
    return m;
}

const char *
dbot__intent_name(int bit)
{
    for (size_t i = 0; i < N_INTENTS; i++)
        if (intent_names[i].bit == bit)
            return intent_names[i].name;
    return NULL;
}
