/*
 * fuzz_interaction.c: the interaction reader on arbitrary bytes, as one
 * INTERACTION_CREATE payload would meet it: the view arrival and routing
 * read (dbot__ix_view_read), routing itself against a fixed table, the
 * replay guard, the option and resolved readers driven by the names and
 * ids the payload itself carries, and the answer checks on its data.
 *
 * Beyond "no crash" it checks contracts: the view's type decides its route
 * kind, its pointers lie inside the payload, a command's key is its path,
 * the same id is a replay the second time, typed getters return 1, 0 or
 * DBOT_EINVAL with the default on anything but 1, a ref is found exactly
 * when its id is, and a message check failure names a field.
 */
#include "interaction.h"
#include "interaction_seen.h"
#include "msgcheck.h"

#include <dbot/interaction_data.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
    if (!ok)
        abort();
}

static int
handler(dbot_interaction *ix, void *data)
{
    (void)ix;
    (void)data;
    return 0;
}

/* A route table like a bot's: exact, prefix, nested and option routes. */
static struct dbot__routes *
routes(void)
{
    static struct dbot__routes *r;

    if (r)
        return r;
    check(dbot__routes_new(&r) == 0);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "ping", NULL, handler, "p", NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "config", NULL, handler, "c",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMMAND, "config set", NULL, handler, "cs",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMPONENT, "vote:", NULL, handler, "v",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_COMPONENT, "vote:yes", NULL, handler, "vy",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_MODAL, "feedback", NULL, handler, "f",
                     NULL);
    dbot__routes_add(r, DBOT__ROUTE_AUTOCOMPLETE, "paint", "color", handler,
                     "a", NULL);
    dbot__routes_add(r, DBOT__ROUTE_AUTOCOMPLETE, "paint", NULL, handler, "any",
                     NULL);
    return r;
}

/* Is p NULL or a string somewhere in the tree under j? (cJSON caps
 * nesting at 1000, which bounds the recursion.) */
static int
inside(const cJSON *j, const char *p)
{
    if (!p)
        return 1;
    for (; j; j = j->next) {
        if (j->valuestring == p || inside(j->child, p))
            return 1;
    }
    return 0;
}

/* Is node a node of the tree under j? */
static int
has_node(const cJSON *j, const cJSON *node)
{
    for (; j; j = j->next) {
        if (j == node || has_node(j->child, node))
            return 1;
    }
    return 0;
}

static void
view(const cJSON *ix)
{
    struct dbot__ix_view v;
    struct dbot__route_match m;
    int rc = dbot__ix_view_read(ix, &v);

    check(rc == 0 || rc == DBOT_EINVAL);
    check(rc == 0 ? v.id != 0 && v.token && v.token[0] : 1);
    check(v.type == dbot_ix_type(ix) && v.id == dbot_ix_id(ix));
    check(strlen(v.path) < sizeof v.path);
    check(inside(ix, v.token) && inside(ix, v.custom_id) &&
          inside(ix, v.option));
    check(v.answerable ==
          (v.type >= DBOT_IX_COMMAND && v.type <= DBOT_IX_MODAL_SUBMIT));
    if (!v.answerable)
        return;
    if (v.kind == DBOT__ROUTE_COMMAND || v.kind == DBOT__ROUTE_AUTOCOMPLETE)
        check(v.key == NULL ? v.path[0] == '\0' : v.key == v.path);
    else
        check(v.key == v.custom_id);
    check(v.option == NULL || v.kind == DBOT__ROUTE_AUTOCOMPLETE);
    if (dbot__routes_find(routes(), v.kind, v.key, v.option, &m)) {
        check(m.fn == handler && m.name && m.arg);
        /* A prefix route's argument is the tail of the custom_id. */
        check(!v.key || (m.arg >= v.key && m.arg <= v.key + strlen(v.key)) ||
              m.arg[0] == '\0');
    }
}

static void
replay_guard(const cJSON *ix)
{
    struct dbot__ix_seen s;
    uint64_t id = dbot_ix_id(ix);

    dbot__ix_seen_init(&s, 1000, 4);
    if (id) {
        check(dbot__ix_seen_add(&s, id, 0) == 0);
        check(dbot__ix_seen_add(&s, id, 999) == 1);
        check(dbot__ix_seen_add(&s, id, 1000) == 0);
    }
    dbot__ix_seen_close(&s);
}

/* Every leaf option through every typed reader, by its own name. */
static void
options(const cJSON *ix)
{
    const dbot_options *v = dbot_options_of(ix);
    const cJSON *opts = dbot_option_list(v), *o;
    const char *s;
    int64_t i;
    double d;
    dbot_ref r;
    int rc;

    cJSON_ArrayForEach(o, opts) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        const char *n = cJSON_GetStringValue(name);
        int (*refs[])(const dbot_options *, const char *,
                      dbot_ref *) = { dbot_option_user, dbot_option_channel,
                                      dbot_option_role, dbot_option_mentionable,
                                      dbot_option_attachment };

        if (!n)
            continue;
        check(dbot_option_find(v, n) != NULL);
        s = dbot_option_str(v, n, "d");
        check(s != NULL);
        i = dbot_option_int(v, n, 7);
        check(i == 7 || (i <= 9007199254740991LL && i >= -9007199254740991LL));
        d = dbot_option_num(v, n, 0.5);
        check(d == d); /* never NaN: non-finite values give the default */
        (void)dbot_option_bool(v, n, true);
        (void)dbot_option_type(v, n);
        for (size_t k = 0; k < sizeof refs / sizeof refs[0]; k++) {
            rc = refs[k](v, n, &r);
            check(rc == 1 ? r.id != 0 : r.id == 0 && !r.object && !r.member);
            /* Borrowed from the payload, never made up. */
            check(!r.object || has_node(ix, r.object));
            check(!r.member || has_node(ix, r.member));
        }
    }
}

/* The resolved maps, looked up by the ids they hold and by the values
 * the payload carries. */
static void
resolved(const cJSON *ix)
{
    static const char *const kinds[] = {
        "users", "members", "roles", "channels", "messages", "attachments"
    };
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ix, "data"), "resolved");
    const cJSON *member = NULL;

    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const cJSON *map = cJSON_GetObjectItemCaseSensitive(res, kinds[k]), *e;

        if (!cJSON_IsObject(map))
            continue;
        cJSON_ArrayForEach(e, map) {
            uint64_t id = 0;
            char canon[24];

            /* An object entry under a snowflake key (written canonically,
             * the first of that name) is what its id finds. */
            if (!e->string || dbot_snowflake_parse(e->string, &id) < 0)
                continue;
            snprintf(canon, sizeof canon, "%llu", (unsigned long long)id);
            if (id && cJSON_IsObject(e) && !strcmp(canon, e->string) &&
                cJSON_GetObjectItemCaseSensitive(map, e->string) == e)
                check(dbot_ix_resolved(ix, kinds[k], id) == e);
        }
    }
    (void)dbot_ix_target(ix, &member);
    check(!dbot_ix_target(ix, NULL) || has_node(ix, dbot_ix_target(ix, NULL)));
    check(!member || has_node(ix, member));
    for (int i = 0; i < dbot_ix_values_count(ix) && i < 30; i++) {
        const char *v = dbot_ix_value(ix, i);
        uint64_t id;

        check(inside(ix, v));
        if (v && dbot_snowflake_parse(v, &id) == 0)
            check(!dbot_ix_resolved(ix, "users", id) ||
                  has_node(ix, dbot_ix_resolved(ix, "users", id)));
    }
    (void)dbot_ix_modal_value(ix, dbot_ix_custom_id(ix));
}

/* The answer checks on whatever the payload's data is. */
static void
answers(const cJSON *ix)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(ix, "data");
    struct dbot__bld b = { 0 };
    int rc = dbot__check_message(&b, d);

    check(rc == 0 ||
          ((rc == DBOT_EINVAL || rc == DBOT_ETOOBIG || rc == DBOT_ENOMEM) &&
           b.err[0]));
    b = (struct dbot__bld){ 0 };
    rc = dbot__check_choices(&b, d);
    check(rc == 0 || b.err[0]);
    b = (struct dbot__bld){ 0 };
    rc = dbot__check_modal(&b, d);
    check(rc == 0 || b.err[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *end = NULL;
    cJSON *ix =
        cJSON_ParseWithLengthOpts((const char *)data, size, &end, false);

    if (!ix)
        return 0;
    view(ix);
    replay_guard(ix);
    options(ix);
    resolved(ix);
    answers(ix);
    cJSON_Delete(ix);
    return 0;
}
