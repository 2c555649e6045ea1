/*
 * checks.h: per-command checks and cooldowns (the public <dbot/checks.h>).
 * A checked route is an ordinary command route whose handler is
 * dbot__checks_run and whose data is a box made here: the routing layer
 * knows nothing of checks, and a refusal never reaches the handler.
 *
 * THREADS. Loop thread only.
 */
#ifndef DBOT_SRC_CHECKS_H
#define DBOT_SRC_CHECKS_H

#include <dbot/checks.h>

#include <stddef.h>

struct dbot__loop;
struct dbot__checks;

#define DBOT__COOLDOWN_MAX_ENTRIES 100000
#define DBOT__OWNERS_MAX           64

/* `loop` carries the cooldown timers; borrowed until _free. Returns 0 or
 * DBOT_ENOMEM. */
int dbot__checks_new(struct dbot__checks **out, struct dbot__loop *loop);
/* Frees every box and cooldown entry. The loop must still exist. NULL is
 * a no-op. */
void dbot__checks_free(struct dbot__checks *cs);

/* A box for (checks, fn, data): pass dbot__checks_run and the box to the
 * route. Validates checks. Returns the box (owned by cs) or NULL with
 * *rc = DBOT_EINVAL or DBOT_ENOMEM. */
void *dbot__checks_box(struct dbot__checks *cs, const dbot_checks *checks,
                       dbot_interaction_fn fn, void *data, int *rc);

/* The route handler of a checked command: checks, then fn. */
int dbot__checks_run(dbot_interaction *ix, void *box);

int dbot__checks_set_owners(struct dbot__checks *cs, const uint64_t *ids,
                            size_t n);

/* Owners learned from the application (GET /applications/@me): its team's
 * members, else its owner. Ignored once dbot_owners_set chose. Returns how
 * many were taken. */
int dbot__checks_learn_owners(struct dbot__checks *cs, const cJSON *app);

/* 1 the first time an owner_only check is declared with no owner set:
 * the caller then asks Discord for the application. */
int dbot__checks_should_ask_owner(struct dbot__checks *cs,
                                  const dbot_checks *checks);

/* How many cooldown entries are live (tests). */
size_t dbot__checks_cooldowns(const struct dbot__checks *cs);

/* "Manage Messages, Ban Members" for the bits set in `bits` (a refusal's
 * text). Pure. Returns the length written (truncated to fit). */
size_t dbot__permission_names(uint64_t bits, char *buf, size_t len);

#endif
