/*
 * json_clone.c: a cJSON tree copied into one block (see json_clone.h).
 *
 * DESIGN. Two walks over the source: the first adds up the nodes and the
 * bytes of their strings, the second copies them into one malloc'd block,
 * nodes first (aligned), strings after. Siblings are linked as cJSON links
 * them (prev of the first child points at the last one), so every cJSON
 * reader walks the clone as it walks a parsed tree. The walks recurse once
 * per nesting level, which cJSON's parser already bounds
 * (CJSON_NESTING_LIMIT).
 */
#include "json_clone.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct layout {
    size_t nodes, bytes;
};

static void measure_list(const cJSON *n, struct layout *l);

static void
measure_node(const cJSON *n, struct layout *l)
{
    l->nodes++;
    if (n->string)
        l->bytes += strlen(n->string) + 1;
    if (n->valuestring)
        l->bytes += strlen(n->valuestring) + 1;
    measure_list(n->child, l);
}

static void
measure_list(const cJSON *n, struct layout *l)
{
    for (; n; n = n->next)
        measure_node(n, l);
}

struct cursor {
    cJSON *node; /* next free node */
    char *text;  /* next free string byte */
};

static char *
copy_str(struct cursor *c, const char *s)
{
    size_t n;
    char *d;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    d = memcpy(c->text, s, n);
    c->text += n;
    return d;
}

static cJSON *copy_list(const cJSON *n, struct cursor *c);

static cJSON *
copy_node(const cJSON *n, struct cursor *c)
{
    cJSON *d = c->node++;

    memset(d, 0, sizeof *d);
    /* As cJSON_Duplicate: a copy owns its children, never a reference. */
    d->type = n->type & ~cJSON_IsReference;
    d->valueint = n->valueint;
    d->valuedouble = n->valuedouble;
    d->string = copy_str(c, n->string);
    d->valuestring = copy_str(c, n->valuestring);
    d->child = copy_list(n->child, c);
    return d;
}

/* Copy the sibling list starting at n; returns its first node. */
static cJSON *
copy_list(const cJSON *n, struct cursor *c)
{
    cJSON *first = NULL, *prev = NULL;

    for (; n; n = n->next) {
        cJSON *d = copy_node(n, c);

        if (prev) {
            prev->next = d;
            d->prev = prev;
        } else {
            first = d;
        }
        prev = d;
    }
    if (first)
        first->prev = prev; /* cJSON: the first child's prev is the last */
    return first;
}

/* Before the nodes: the block's size, so that freeing can tell the
 * clone's own nodes from items added to it later. */
struct head {
    union {
        size_t size;
        max_align_t align;
    } u;
};

cJSON *
dbot__json_clone(const cJSON *src)
{
    struct layout l = { 0, 0 };
    struct cursor c;
    struct head *h;
    size_t size;

    if (!src)
        return NULL;
    measure_node(src, &l); /* the root alone, not its siblings */
    size = sizeof *h + l.nodes * sizeof(cJSON) + l.bytes;
    h = malloc(size);
    if (!h)
        return NULL;
    h->u.size = size;
    c.node = (cJSON *)(h + 1);
    c.text = (char *)(h + 1) + l.nodes * sizeof(cJSON);
    return copy_node(src, &c);
}

static int
in_block(const struct head *h, const void *p)
{
    const char *b = (const char *)h;

    return (const char *)p >= b && (const char *)p < b + h->u.size;
}

/* Items added after cloning are ordinary cJSON allocations: delete them;
 * the clone's own nodes go with the block. */
static void
free_added(const struct head *h, cJSON *n)
{
    while (n) {
        cJSON *next = n->next;

        if (!in_block(h, n)) {
            n->next = n->prev = NULL;
            cJSON_Delete(n);
        } else {
            free_added(h, n->child);
        }
        n = next;
    }
}

void
dbot__json_clone_free(cJSON *clone)
{
    struct head *h;

    if (!clone)
        return;
    h = (struct head *)clone - 1;
    free_added(h, clone->child);
    free(h);
}
