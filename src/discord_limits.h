/*
 * discord_limits.h: Discord's fixed limits, written once. Each value is
 * Discord's, with the section of shared/discord-protocol.md that states it;
 * a module that checks one includes this header instead of repeating the
 * number. Limits Discord sends at run time (rate-limit headers,
 * session_start_limit, attachment_size_limit) are read, never assumed, and
 * are not here. Leaf: includes nothing of dbot.
 */
#ifndef DBOT_SRC_DISCORD_LIMITS_H
#define DBOT_SRC_DISCORD_LIMITS_H

/* Gateway (§1.2, §1.5, §1.9). */
#define DBOT__GW_PAYLOAD_MAX         4096  /* bytes per sent payload; 4002 */
#define DBOT__GW_SEND_LIMIT          120   /* sends per connection ... */
#define DBOT__GW_SEND_WINDOW_MS      60000 /* ... per 60 s; 4008 */
#define DBOT__GW_IDENTIFY_SPACING_MS 5000  /* one Identify per bucket */

/* Interactions (§3.3, §3.4). */
#define DBOT__IX_ACK_MS           3000             /* initial response due */
#define DBOT__IX_TOKEN_LIFE_MS    (15 * 60 * 1000) /* followups, edits */
#define DBOT__IX_AUTOCOMPLETE_MAX 25               /* choices per answer */

/* Messages (§4.2, §3.7). */
#define DBOT__MSG_CONTENT_MAX     2000 /* characters of content */
#define DBOT__MSG_EMBEDS_MAX      10
#define DBOT__MSG_EMBED_TOTAL_MAX 6000 /* characters over all embeds */
#define DBOT__MSG_EMBED_DESC_MAX  4096 /* characters of a description */
#define DBOT__MSG_NONCE_MAX       25   /* characters of a nonce */
#define DBOT__CUSTOM_ID_MAX       100  /* characters of a custom_id */

#endif
