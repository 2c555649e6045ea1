/*
 * json_clone.h: a read-only deep copy of a cJSON tree in ONE allocation.
 *
 * cJSON_Duplicate mallocs every node and every string: ~100 calls for an
 * INTERACTION_CREATE, a large share of an interaction's CPU. A clone lays
 * out the same nodes and strings in one block, so copying is one malloc
 * and a walk, and freeing is one free. The result is an ordinary tree for
 * every reader (GetObjectItem, Print, Duplicate, the option readers).
 * Items may be added to it (cJSON_AddItemTo...) and are freed with it;
 * its own nodes must never be deleted, detached into another tree or
 * given to cJSON_Delete: free the clone with dbot__json_clone_free().
 * Pure; any thread.
 */
#ifndef DBOT_SRC_JSON_CLONE_H
#define DBOT_SRC_JSON_CLONE_H

#include <cjson/cJSON.h>

/* NULL when src is NULL or on ENOMEM. */
cJSON *dbot__json_clone(const cJSON *src);
/* NULL is a no-op. */
void dbot__json_clone_free(cJSON *clone);

#endif
