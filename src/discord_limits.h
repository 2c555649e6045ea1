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
#define DBOT__MAX_GW_PAYLOAD    4096  /* bytes per sent payload; else 4002 */
#define DBOT__GW_SEND_LIMIT     120   /* sends per connection ... */
#define DBOT__GW_SEND_WINDOW_MS 60000 /* ... per 60 s; else 4008 */
#define DBOT__GW_IDENTIFY_MS    5000  /* one Identify per bucket per 5 s */

/* Interactions (§3.3, §3.4). */
#define DBOT__IX_ACK_MS        3000             /* initial response due */
#define DBOT__IX_TOKEN_LIFE_MS (15 * 60 * 1000) /* followups and edits */
#define DBOT__MAX_CHOICES      25 /* autocomplete and option choices */

/* Messages (§4.2) and components (§3.7); characters are code points. */
#define DBOT__MAX_CONTENT           2000
#define DBOT__MAX_EMBEDS            10
#define DBOT__MAX_EMBED_TOTAL       6000 /* over all embeds of a message */
#define DBOT__MAX_EMBED_DESCRIPTION 4096
#define DBOT__MAX_EMBED_FIELDS      25
#define DBOT__MAX_ROWS              5 /* action rows per message */
#define DBOT__MAX_ROW_BUTTONS       5 /* buttons per row */
#define DBOT__MAX_SELECT_OPTIONS    25
#define DBOT__MAX_MODAL_ITEMS       5
#define DBOT__MAX_CUSTOM_ID         100
#define DBOT__MAX_NONCE             25

/* Application commands (§3.6). */
#define DBOT__MAX_CHAT_COMMANDS    100
#define DBOT__MAX_USER_COMMANDS    15
#define DBOT__MAX_MESSAGE_COMMANDS 15

#endif
