/*
 * json_same.h: do two cJSON trees match node by node (type, valueint,
 * valuedouble to the bit, strings, keys, order, prev links, the head's
 * prev at the tail)? For the parser's differential test and fuzz driver.
 */
#ifndef DBOT_TESTS_JSON_SAME_H
#define DBOT_TESTS_JSON_SAME_H

#include <cjson/cJSON.h>
#include <string.h>

static inline int
json_same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static inline int
json_same_tree(const cJSON *a, const cJSON *b)
{
    const cJSON *ca, *cb, *lasta = NULL, *lastb = NULL;

    if ((a->type & 0xFF) != (b->type & 0xFF) || a->valueint != b->valueint ||
        memcmp(&a->valuedouble, &b->valuedouble, sizeof a->valuedouble) != 0 ||
        !json_same_str(a->valuestring, b->valuestring) ||
        !json_same_str(a->string, b->string))
        return 0;
    for (ca = a->child, cb = b->child; ca && cb; ca = ca->next, cb = cb->next) {
        if (ca != a->child && (ca->prev != lasta || cb->prev != lastb))
            return 0;
        if (!json_same_tree(ca, cb))
            return 0;
        lasta = ca;
        lastb = cb;
    }
    if (ca || cb)
        return 0;
    /* The head's prev: the tail, in both or in neither. */
    return !a->child || (a->child->prev == lasta) == (b->child->prev == lastb);
}

#endif
