/*
 * message.h: the message, embed, component and modal builders. The API is
 * public (include/dbot/message.h); this adds the limits other modules
 * (followups, webhooks) check against.
 */
#ifndef DBOT_SRC_MESSAGE_H
#define DBOT_SRC_MESSAGE_H

#include <dbot/message.h>

#define DBOT__MAX_CONTENT     2000
#define DBOT__MAX_EMBEDS      10
#define DBOT__MAX_EMBED_TOTAL 6000
#define DBOT__MAX_ROWS        5
#define DBOT__MAX_ROW_BUTTONS 5
#define DBOT__MAX_MODAL_ITEMS 5

#endif
