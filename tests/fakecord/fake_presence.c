/*
 * fake_presence.c: Presence Update (op 3) and Identify's `presence`, as
 * Discord checks them (discord-protocol.md §1.5): `status` one of
 * online|dnd|idle|invisible|offline, `since` unix ms or null, `afk` a
 * boolean, `activities` an array of objects with a `name` and a `type`
 * 0..5; bots may set only `name`, `state`, `type` and `url`, and a `url`
 * only means something for Streaming (type 1).
 *
 * A bad presence is recorded as a protocol violation; the connection goes
 * on (what Discord does with one is not documented: tests only need to know
 * that dbot never sends one).
 */
#include "fake_gateway.h"
#include "fake_state.h"

#include <string.h>

static const char *const STATUSES[] = { "online", "dnd", "idle", "invisible",
                                        "offline" };

static int
status_ok(const cJSON *s)
{
    if (!cJSON_IsString(s))
        return 0;
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        if (strcmp(s->valuestring, STATUSES[i]) == 0)
            return 1;
    return 0;
}

static const char *
activity_problem(const cJSON *a)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(a, "name");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(a, "type");
    const cJSON *f;

    if (!cJSON_IsObject(a))
        return "activity is not an object";
    if (!cJSON_IsString(name) || !*name->valuestring)
        return "activity without a name";
    if (!cJSON_IsNumber(type) || type->valueint < 0 || type->valueint > 5)
        return "activity type not 0..5";
    cJSON_ArrayForEach(f, a) {
        if (strcmp(f->string, "name") && strcmp(f->string, "state") &&
            strcmp(f->string, "type") && strcmp(f->string, "url"))
            return "activity field a bot may not set";
    }
    if (cJSON_GetObjectItemCaseSensitive(a, "url") && type->valueint != 1)
        return "activity url on a type other than Streaming";
    return NULL;
}

/* NULL when `d` is a valid presence object, else what is wrong. */
const char *
fc_presence_problem(const cJSON *d)
{
    const cJSON *acts, *since, *a;

    if (!cJSON_IsObject(d))
        return "presence is not an object";
    if (!status_ok(cJSON_GetObjectItemCaseSensitive(d, "status")))
        return "presence status not online|dnd|idle|invisible|offline";
    if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(d, "afk")))
        return "presence afk not a boolean";
    since = cJSON_GetObjectItemCaseSensitive(d, "since");
    if (!cJSON_IsNull(since) && !cJSON_IsNumber(since))
        return "presence since neither null nor a number";
    acts = cJSON_GetObjectItemCaseSensitive(d, "activities");
    if (!cJSON_IsArray(acts))
        return "presence activities not an array";
    cJSON_ArrayForEach(a, acts) {
        const char *why = activity_problem(a);

        if (why)
            return why;
    }
    return NULL;
}

void
fc_on_presence(struct fakecord *fc, struct fc_conn *c, const cJSON *d)
{
    const char *why = fc_presence_problem(d);

    (void)c;
    fc->st.presences++;
    if (why)
        fc_violation(fc, "op 3: %s", why);
    cJSON_Delete(fc->last_presence);
    fc->last_presence = cJSON_Duplicate(d, 1);
}
