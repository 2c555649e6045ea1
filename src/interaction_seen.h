/*
 * interaction_seen.h: the interaction ids seen while their tokens live,
 * so that one INTERACTION_CREATE delivered twice (replayed across
 * sessions, or sent by two sessions while resharding; discord-protocol.md
 * §0: "events may be delivered several times") runs its handler once and
 * is acknowledged once (a second acknowledgement is Discord's 40060).
 *
 * Pure: ids and times in, no clock, no sockets; tests and the fuzzer call
 * it directly. Not thread-safe (the loop owns the bot's set).
 *
 * Memory is bounded by arrivals within one lifetime: an id is kept from
 * its first arrival until now >= arrival + life, then dropped. Every id
 * lives as long as the others, so arrival order is expiry order and the
 * ids sit in a FIFO (a ring) beside an open-addressed hash of the same
 * ids: lookup and insert are O(1), and eviction pops the FIFO's expired
 * head, O(1) amortized per id. `max` caps the count whatever the rate:
 * at the cap the oldest id is forgotten early (and reported), which at
 * worst lets a replay of an interaction older than the rest through.
 */
#ifndef DBOT_SRC_INTERACTION_SEEN_H
#define DBOT_SRC_INTERACTION_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct dbot__ix_seen_ent {
    uint64_t id;
    int64_t expires; /* ms, on the caller's clock */
};

struct dbot__ix_seen {
    int64_t life_ms;                /* how long an id is remembered */
    size_t max;                     /* cap on remembered ids */
    struct dbot__ix_seen_ent *ring; /* FIFO, oldest at head */
    size_t ring_cap, head, n;       /* ring_cap: power of two or 0 */
    uint64_t *tab;                  /* the same ids; 0 = empty slot */
    size_t tab_cap;                 /* power of two or 0; n <= cap / 2 */
    uint64_t forgotten_early;       /* ids dropped by the cap, not expiry */
};

/* An empty set remembering ids for life_ms (> 0), at most max (> 0). */
void dbot__ix_seen_init(struct dbot__ix_seen *s, int64_t life_ms, size_t max);
void dbot__ix_seen_close(struct dbot__ix_seen *s);

/* Name: dbot__ix_seen_add
 * Desc: forget what expired at now_ms, then look id (non-zero) up.
 * Returns: 1 when id was seen within its life (nothing changes: the
 *       window runs from the first arrival); 0 when it is new (now
 *       remembered until now_ms + life_ms); DBOT_EINVAL for id 0;
 *       DBOT_ENOMEM (not remembered). */
int dbot__ix_seen_add(struct dbot__ix_seen *s, uint64_t id, int64_t now_ms);

/* Forget what expired at now_ms (also done by every add; call it from a
 * periodic tick so an idle bot gives its memory back). */
void dbot__ix_seen_expire(struct dbot__ix_seen *s, int64_t now_ms);

/* Ids remembered now. */
size_t dbot__ix_seen_count(const struct dbot__ix_seen *s);

#endif
