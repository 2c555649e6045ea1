/*
 * fake_state.c: bookkeeping shared by the fake's modules: clocks,
 * violations, sessions and their replay rings, interactions, the request
 * log. Callers hold fc->mu (see fake_state.h).
 */
#include "fake_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DISCORD_EPOCH_MS 1420070400000LL

int64_t
fc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
fc_wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

char *
fc_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *
fc_memdup(const void *p, size_t n)
{
    char *r = malloc(n + 1);

    if (!r)
        return NULL;
    if (n)
        memcpy(r, p, n);
    r[n] = '\0';
    return r;
}

void
fc_violation(struct fakecord *fc, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    size_t n;
    char *nv;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    n = strlen(line);
    nv = realloc(fc->viol, fc->viol_len + n + 2);
    if (!nv)
        return;
    fc->viol = nv;
    memcpy(fc->viol + fc->viol_len, line, n);
    fc->viol_len += n;
    fc->viol[fc->viol_len++] = '\n';
    fc->viol[fc->viol_len] = '\0';
    fc->st.violations++;
}

uint64_t
fc_snowflake(struct fakecord *fc)
{
    int64_t ms = (int64_t)(fc_wall_s() * 1000) - DISCORD_EPOCH_MS;

    fc->id_counter++;
    return ((uint64_t)ms << 22) | (fc->id_counter & 0x3fffff);
}

struct fc_session *
fc_session_new(struct fakecord *fc, int shard, int num_shards)
{
    struct fc_session *s = calloc(1, sizeof *s);
    unsigned char rnd[16];
    FILE *f;

    if (!s)
        return NULL;
    s->ring_cap = fc->o.replay_buffer;
    s->ring = calloc((size_t)s->ring_cap, sizeof *s->ring);
    if (!s->ring) {
        free(s);
        return NULL;
    }
    /* Random like Discord's; uniqueness across runs keeps stale ids from an
     * earlier fake from resuming here by accident. */
    f = fopen("/dev/urandom", "rb");
    if (!f || fread(rnd, 1, sizeof rnd, f) != sizeof rnd) {
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (unsigned char)(rand() ^ (int)fc_now_ms());
    }
    if (f)
        fclose(f);
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
    s->shard = shard;
    s->num_shards = num_shards;
    s->alive = 1;
    s->ring_first = 1;
    s->next = fc->sessions;
    fc->sessions = s;
    return s;
}

struct fc_session *
fc_session_find(struct fakecord *fc, const char *id)
{
    for (struct fc_session *s = fc->sessions; s; s = s->next)
        if (!strcmp(s->id, id))
            return s;
    return NULL;
}

struct fc_session *
fc_session_newest(struct fakecord *fc, int shard)
{
    for (struct fc_session *s = fc->sessions; s; s = s->next)
        if (s->alive && s->shard == shard)
            return s;
    return NULL;
}

void
fc_session_store(struct fakecord *fc, struct fc_session *s, const char *text)
{
    char *copy = fc_strdup(text);
    int slot;

    (void)fc;
    if (s->ring_n == s->ring_cap) {
        free(s->ring[s->ring_start]);
        s->ring[s->ring_start] = NULL;
        s->ring_start = (s->ring_start + 1) % s->ring_cap;
        s->ring_n--;
        s->ring_first++;
    }
    slot = (s->ring_start + s->ring_n) % s->ring_cap;
    s->ring[slot] = copy; /* NULL on ENOMEM: replay then skips it */
    s->ring_n++;
}

const char *
fc_session_get(const struct fc_session *s, int64_t seq)
{
    int64_t off = seq - s->ring_first;

    if (off < 0 || off >= s->ring_n)
        return NULL;
    return s->ring[(s->ring_start + off) % s->ring_cap];
}

void
fc_sessions_free(struct fakecord *fc)
{
    while (fc->sessions) {
        struct fc_session *s = fc->sessions;
        fc->sessions = s->next;
        for (int i = 0; i < s->ring_cap; i++)
            free(s->ring[i]);
        free(s->ring);
        free(s);
    }
}

struct fc_ix *
fc_ix_find(struct fakecord *fc, uint64_t id)
{
    for (struct fc_ix *x = fc->ixs; x; x = x->next)
        if (x->id == id)
            return x;
    return NULL;
}

struct fc_ix *
fc_ix_find_token(struct fakecord *fc, const char *token)
{
    for (struct fc_ix *x = fc->ixs; x; x = x->next)
        if (!strcmp(x->token, token))
            return x;
    return NULL;
}

void
fc_ix_free_all(struct fakecord *fc)
{
    while (fc->ixs) {
        struct fc_ix *x = fc->ixs;
        fc->ixs = x->next;
        free(x->token);
        cJSON_Delete(x->callback_body);
        cJSON_Delete(x->last_edit);
        cJSON_Delete(x->followup_bodies);
        free(x);
    }
}

int
fc_request_add(struct fakecord *fc, const struct fakecord_request *r)
{
    if (fc->nreqs == fc->capreqs) {
        int cap = fc->capreqs ? fc->capreqs * 2 : 64;
        struct fakecord_request *n = realloc(fc->reqs, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        fc->reqs = n;
        fc->capreqs = cap;
    }
    fc->reqs[fc->nreqs] = *r;
    return fc->nreqs++;
}

static void
request_clear(struct fakecord_request *r)
{
    free(r->path);
    free(r->authorization);
    free(r->user_agent);
    free(r->content_type);
    free(r->audit_reason);
    free(r->headers);
    free(r->body);
}

void
fc_requests_free_all(struct fakecord *fc)
{
    for (int i = 0; i < fc->nreqs; i++)
        request_clear(&fc->reqs[i]);
    free(fc->reqs);
    fc->reqs = NULL;
    fc->nreqs = fc->capreqs = 0;
}

void
fakecord_requests_free(struct fakecord_request *reqs, int n)
{
    if (!reqs)
        return;
    for (int i = 0; i < n; i++)
        request_clear(&reqs[i]);
    free(reqs);
}
