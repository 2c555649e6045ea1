/*
 * strmap.c: see strmap.h.
 */
#include "strmap.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

uint64_t
dbot__fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

struct dbot__strmap_node *
dbot__strmap_find(const struct dbot__strmap *m, const char *key)
{
    uint64_t h;

    if (!m->cap)
        return NULL;
    h = dbot__fnv1a(key, strlen(key));
    for (struct dbot__strmap_node *n = m->tab[h & (m->cap - 1)]; n; n = n->next)
        if (n->h == h && strcmp(n->key, key) == 0)
            return n;
    return NULL;
}

static int
strmap_grow(struct dbot__strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    struct dbot__strmap_node **tab = calloc(cap, sizeof *tab);

    if (!tab)
        return DBOT_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        struct dbot__strmap_node *n = m->tab[i], *next;
        for (; n; n = next) {
            next = n->next;
            n->next = tab[n->h & (cap - 1)];
            tab[n->h & (cap - 1)] = n;
        }
    }
    free(m->tab);
    m->tab = tab;
    m->cap = cap;
    return 0;
}

/* Insert node `n` under a copy of `key`. The key must not be present. */
int
dbot__strmap_insert(struct dbot__strmap *m, struct dbot__strmap_node *n,
                    const char *key)
{
    if (m->n >= m->cap && strmap_grow(m) < 0)
        return DBOT_ENOMEM;
    n->key = strdup(key);
    if (!n->key)
        return DBOT_ENOMEM;
    n->h = dbot__fnv1a(key, strlen(key));
    n->next = m->tab[n->h & (m->cap - 1)];
    m->tab[n->h & (m->cap - 1)] = n;
    m->n++;
    return 0;
}

void
dbot__strmap_remove(struct dbot__strmap *m, struct dbot__strmap_node *n)
{
    struct dbot__strmap_node **pp = &m->tab[n->h & (m->cap - 1)];

    while (*pp != n)
        pp = &(*pp)->next;
    *pp = n->next;
    m->n--;
    free(n->key);
    n->key = NULL;
}

void
dbot__strmap_free(struct dbot__strmap *m)
{
    free(m->tab);
    m->tab = NULL;
    m->cap = m->n = 0;
}
