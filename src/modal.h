/*
 * modal.h: the modal builder and autocomplete results. The API is public
 * (include/dbot/message.h).
 */
#ifndef DBOT_SRC_MODAL_H
#define DBOT_SRC_MODAL_H

#include <dbot/message.h>

#endif
