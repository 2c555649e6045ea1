/*
 * permissions.c: dbot/permissions.h. Reads the guild, channel and member
 * JSON into the plain arrays of permissions_calc.c and runs Discord's
 * algorithm there. Pure: the caller passes the time a timeout is judged
 * against. Bounded: at most DBOT__PERM_MAX_ROLES roles and overwrites are
 * read (Discord allows 250 roles per guild), the rest refused.
 */
#include "permissions_calc.h"

#include <dbot/permissions.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DBOT__PERM_MAX_ROLES 512

int
dbot_permissions_parse(const cJSON *v, uint64_t *out)
{
    unsigned long long n;
    char *end;

    if (!v || !out)
        return DBOT_EINVAL;
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble < 0 || v->valuedouble >= 9007199254740992.0 ||
            v->valuedouble != (double)(uint64_t)v->valuedouble)
            return DBOT_EINVAL;
        *out = (uint64_t)v->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0] ||
        strspn(v->valuestring, "0123456789") != strlen(v->valuestring))
        return DBOT_EINVAL;
    errno = 0;
    n = strtoull(v->valuestring, &end, 10);
    if (errno || *end)
        return DBOT_EINVAL;
    *out = n;
    return 0;
}

static int
get_id(const cJSON *o, const char *key, uint64_t *out)
{
    return dbot_permissions_parse(cJSON_GetObjectItemCaseSensitive(o, key),
                                  out);
}

/* Unix ms of an ISO 8601 time as Discord writes it
 * ("2026-12-03T14:00:00.123000+00:00", "...Z"); -1 if unreadable. */
static int64_t
iso_ms(const char *s)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
    int64_t ms = 0, t;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6)
        return -1;
    p = s + n;
    if (*p == '.') {
        int digits = 0;

        for (p++; *p >= '0' && *p <= '9'; p++)
            if (digits++ < 3)
                ms = ms * 10 + (*p - '0');
        while (digits > 0 && digits < 3) {
            ms *= 10;
            digits++;
        }
    }
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2) {
        if (*p == '-') {
            oh = -oh;
            om = -om;
        }
    } else if (*p != 'Z' && *p) {
        return -1;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = (int64_t)timegm(&tm);
    return (t - (int64_t)oh * 3600 - (int64_t)om * 60) * 1000 + ms;
}

static int
timed_out(const cJSON *member, int64_t now_ms)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(
        member, "communication_disabled_until");
    int64_t until;

    if (!now_ms || !cJSON_IsString(u))
        return 0;
    until = iso_ms(u->valuestring);
    return until > now_ms;
}

/* The permissions of role `id` in the guild's role list; 0 if absent. */
static int
role_perms(const cJSON *roles, uint64_t id, uint64_t *perms, int *found)
{
    const cJSON *r;

    *found = 0;
    cJSON_ArrayForEach(r, roles) {
        uint64_t rid;

        if (get_id(r, "id", &rid) < 0)
            return DBOT_EINVAL;
        if (rid != id)
            continue;
        *found = 1;
        return get_id(r, "permissions", perms);
    }
    return 0;
}

static int
read_overwrites(const cJSON *channel, struct dbot__perm_overwrite *ow,
                size_t *n)
{
    const cJSON *list, *o;

    *n = 0;
    if (!channel)
        return 0;
    list = cJSON_GetObjectItemCaseSensitive(channel, "permission_overwrites");
    if (!list)
        return 0;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > DBOT__PERM_MAX_ROLES)
        return DBOT_EINVAL;
    cJSON_ArrayForEach(o, list) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
        struct dbot__perm_overwrite *w = &ow[*n];

        if (get_id(o, "id", &w->id) < 0 || get_id(o, "allow", &w->allow) < 0 ||
            get_id(o, "deny", &w->deny) < 0)
            return DBOT_EINVAL;
        /* Discord sends 0/1; older payloads said "role"/"member". */
        if (cJSON_IsNumber(type))
            w->type = type->valueint;
        else if (cJSON_IsString(type))
            w->type = strcmp(type->valuestring, "member") ? DBOT__OW_ROLE
                                                          : DBOT__OW_MEMBER;
        else
            return DBOT_EINVAL;
        (*n)++;
    }
    return 0;
}

int
dbot_permissions_compute(const cJSON *guild, const cJSON *channel,
                         const cJSON *member, int64_t now_unix_ms,
                         uint64_t *out)
{
    struct dbot__perm_input in = { 0 };
    const cJSON *roles, *mroles, *r;
    uint64_t *ids = NULL, *perms = NULL;
    struct dbot__perm_overwrite *ow = NULL;
    int rc = DBOT_EINVAL, found;

    if (!guild || !member || !out)
        return DBOT_EINVAL;
    roles = cJSON_GetObjectItemCaseSensitive(guild, "roles");
    mroles = cJSON_GetObjectItemCaseSensitive(member, "roles");
    if (get_id(guild, "id", &in.guild_id) < 0 || !cJSON_IsArray(roles) ||
        get_id(cJSON_GetObjectItemCaseSensitive(member, "user"), "id",
               &in.user_id) < 0 ||
        (mroles && !cJSON_IsArray(mroles)) ||
        cJSON_GetArraySize(mroles) > DBOT__PERM_MAX_ROLES)
        return DBOT_EINVAL;
    if (cJSON_GetObjectItemCaseSensitive(guild, "owner_id") &&
        get_id(guild, "owner_id", &in.owner_id) < 0)
        return DBOT_EINVAL;
    ids = calloc(DBOT__PERM_MAX_ROLES, sizeof *ids);
    perms = calloc(DBOT__PERM_MAX_ROLES, sizeof *perms);
    ow = calloc(DBOT__PERM_MAX_ROLES, sizeof *ow);
    if (!ids || !perms || !ow) {
        rc = DBOT_ENOMEM;
        goto out;
    }
    if (role_perms(roles, in.guild_id, &in.everyone, &found) < 0)
        goto out;
    cJSON_ArrayForEach(r, mroles) {
        uint64_t id;

        if (dbot_permissions_parse(r, &id) < 0 ||
            role_perms(roles, id, &perms[in.nroles], &found) < 0)
            goto out;
        if (found)
            ids[in.nroles++] = id;
    }
    if (read_overwrites(channel, ow, &in.now) < 0)
        goto out;
    in.role_ids = ids;
    in.role_perms = perms;
    in.ow = ow;
    in.timed_out = timed_out(member, now_unix_ms);
    *out = channel ? dbot__perm_compute(&in) : dbot__perm_base(&in);
    rc = 0;
out:
    free(ids);
    free(perms);
    free(ow);
    return rc;
}
