/*
 * fuzz_gateway_codec.c: gateway envelope parser, builders fed with parsed
 * values, close-code table, backoff and the send-rate limiter driven by
 * input bytes. Checks the invariants the gateway relies on, and that a
 * parse into an arena (what the gateway does) accepts and reads exactly
 * what a parse onto the heap does.
 */
#include "gateway_codec.h"
#include "json_arena.h"
#include "log.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
discard(const char *line, size_t len, void *arg)
{
    (void)line;
    (void)len;
    (void)arg;
}

/* Builders must produce JSON our parser accepts with the same opcode. */
static void
check_roundtrip(char *text, int op)
{
    struct dbot__gw_msg m;

    if (!text)
        return; /* ENOMEM or a refused resume */
    if (dbot__gw_parse(text, strlen(text), &m, NULL, 0) != 0 || m.op != op)
        abort();
    cJSON_Delete(m.root);
    free(text);
}

static void
exercise_policies(const uint8_t *data, size_t size)
{
    struct dbot__sendlimit sl;
    int64_t now = 0, sent[512];
    int n = 0;

    if (size < 4)
        return;
    int code = data[0] << 8 | data[1];
    enum dbot__close_action a = dbot__gw_close_action(code);
    if ((a == DBOT__CLOSE_FATAL) != (dbot__gw_close_advice(code) != NULL))
        abort();
    if (!dbot__gw_close_name(code))
        abort();
    int64_t lo = 1 + data[2] * 10, hi = lo + data[3] * 1000;
    int64_t d = dbot__backoff_ms(data[2] % 70, lo, hi, data[3] / 256.0);
    if (d < 0 || d > hi)
        abort();

    dbot__sendlimit_init(&sl, 1 + data[0] % 128, data[1] % 8, 1 + data[2] * 7);
    for (size_t i = 4; i < size && n < 512; i++) {
        int hb = data[i] & 1;
        now += data[i] >> 1;
        if (dbot__sendlimit_wait(&sl, now, hb) == 0) {
            dbot__sendlimit_record(&sl, now);
            sent[n++] = now;
        }
    }
    for (int i = 0, j = 0; i < n; i++) {
        while (sent[i] - sent[j] >= sl.window_ms)
            j++;
        if (i - j + 1 > sl.limit)
            abort();
    }
}

/* The same text through the arena: same verdict, same envelope, same
 * tree. */
static void
check_arena(struct dbot__jarena *a, const uint8_t *data, size_t size, int rc,
            const struct dbot__gw_msg *heap)
{
    struct dbot__gw_msg m;

    if (dbot__gw_parse_in(a, (const char *)data, size, &m, NULL, 0) != rc)
        abort();
    if (rc != 0)
        return;
    /* Printed, not cJSON_Compare: that one looks members up by name, so
     * an object with a duplicate key never equals even itself. */
    char *x = cJSON_PrintUnformatted(m.root);
    char *y = cJSON_PrintUnformatted(heap->root);
    if (m.op != heap->op || m.s != heap->s || !m.t != !heap->t ||
        (m.t && strcmp(m.t, heap->t) != 0) || !x != !y ||
        (x && strcmp(x, y) != 0))
        abort();
    cJSON_free(x);
    cJSON_free(y);
    dbot__gw_msg_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static struct dbot__jarena *arena;
    struct dbot__gw_msg m;
    char err[128];
    int rc;

    if (!init) {
        dbot_log_set_sink(discard, NULL);
        arena = dbot__jarena_new((size_t)64 << 20);
        if (!arena)
            abort();
        init = 1;
    }
    rc = dbot__gw_parse((const char *)data, size, &m, err, sizeof err);
    check_arena(arena, data, size, rc, &m);
    if (rc == 0) {
        if (!m.root)
            abort();
        if (m.op == DBOT__OP_DISPATCH && !m.t)
            abort();
        if (m.op != DBOT__OP_DISPATCH && (m.t || m.s != -1))
            abort();
        check_roundtrip(dbot__gw_heartbeat(m.s), DBOT__OP_HEARTBEAT);
        if (m.t)
            check_roundtrip(dbot__gw_resume(m.t, m.t, m.s), DBOT__OP_RESUME);
        char *presence =
            cJSON_IsObject(m.d) ? cJSON_PrintUnformatted(m.d) : NULL;
        struct dbot__identify id = {
            .token = m.t ? m.t : "x",
            .intents = (uint64_t)(m.s < 0 ? 0 : m.s),
            .shard_id = m.op,
            .shard_count = m.op,
            .large_threshold = 250,
            .presence_json = presence,
        };
        check_roundtrip(dbot__gw_identify(&id), DBOT__OP_IDENTIFY);
        free(presence);
        cJSON_Delete(m.root);
    } else if (m.root || err[0] == '\0') {
        abort();
    }
    exercise_policies(data, size);
    return 0;
}
