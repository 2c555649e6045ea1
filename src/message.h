/*
 * message.h: the message, embed, component and modal builders. The API is
 * public (include/dbot/message.h); this adds the limits other modules
 * (followups, webhooks) check against.
 */
#ifndef DBOT_SRC_MESSAGE_H
#define DBOT_SRC_MESSAGE_H

#include <dbot/message.h>

#include "discord_limits.h"

#endif
