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

/* The key under which the interaction module lists, in a command
 * interaction's `data`, the option names the command declares (an array
 * of strings; interaction_declared.c). When it is there, asking for an
 * option name it lacks logs a debug line: a typo in a handler's
 * dbot_option_str(o, "nmae", ...) otherwise reads as "absent". */
#define DBOT__DECLARED_KEY "dbot_declared_options"

#endif
