/*
 * options.h: the pure getters over interaction JSON. The public half is
 * include/dbot/interaction_data.h; this adds what other modules share.
 */
#ifndef DBOT_SRC_OPTIONS_H
#define DBOT_SRC_OPTIONS_H

#include <dbot/interaction_data.h>

/* The leaf options array of a command interaction's `data` object (not the
 * interaction), or NULL. Workers copy this when they take a job's
 * options with them. */
const cJSON *dbot__data_leaf_options(const cJSON *data);

#endif
