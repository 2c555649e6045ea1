/*
 * deprecated.c: the names replaced in 0.2 (docs/api.md), each a one-line
 * forward to its replacement, kept for one release so programs can move at
 * their own pace. Everything here goes in 0.3; nothing else in dbot calls
 * these. (The option readers with their old return codes stay in
 * options.c, and dbot_offload() in api_work.c, beside the code they
 * share.)
 */
#include <dbot/interaction.h>
#include <dbot/rest.h>

/* ---- interaction.h ------------------------------------------------------ */

const char *
dbot_interaction_opt_str(const dbot_interaction *ix, const char *name,
                         const char *def)
{
    return dbot_option_str(dbot_interaction_options(ix), name, def);
}

int64_t
dbot_interaction_opt_int(const dbot_interaction *ix, const char *name,
                         int64_t def)
{
    return dbot_option_int(dbot_interaction_options(ix), name, def);
}

double
dbot_interaction_opt_num(const dbot_interaction *ix, const char *name,
                         double def)
{
    return dbot_option_num(dbot_interaction_options(ix), name, def);
}

int
dbot_interaction_opt_bool(const dbot_interaction *ix, const char *name, int def)
{
    return dbot_option_bool(dbot_interaction_options(ix), name, def != 0);
}

const char *
dbot_work_option_str(const dbot_work *w, const char *name, const char *def)
{
    return dbot_option_str(dbot_work_options(w), name, def);
}

int64_t
dbot_work_option_int(const dbot_work *w, const char *name, int64_t def)
{
    return dbot_option_int(dbot_work_options(w), name, def);
}

double
dbot_work_option_num(const dbot_work *w, const char *name, double def)
{
    return dbot_option_num(dbot_work_options(w), name, def);
}

int
dbot_work_option_bool(const dbot_work *w, const char *name, int def)
{
    return dbot_option_bool(dbot_work_options(w), name, def != 0);
}

int
dbot_interaction_edit_original(dbot_interaction *ix, const char *content)
{
    return dbot_interaction_original_edit(ix, content);
}

int
dbot_interaction_edit_original_json(dbot_interaction *ix, const cJSON *data)
{
    return dbot_interaction_original_edit_json(ix, data);
}

int
dbot_interaction_delete_original(dbot_interaction *ix)
{
    return dbot_interaction_original_delete(ix);
}

/* The old form took the bare array; the answer now takes the object the
 * builder returns, so wrap a copy of the array in one. */
int
dbot_interaction_autocomplete(dbot_interaction *ix, const cJSON *choices)
{
    cJSON *d, *copy;
    int rc;

    if (!ix || !cJSON_IsArray(choices))
        return DBOT_EINVAL;
    d = cJSON_CreateObject();
    copy = cJSON_Duplicate(choices, 1);
    if (!d || !copy || !cJSON_AddItemToObject(d, "choices", copy)) {
        cJSON_Delete(copy);
        cJSON_Delete(d);
        return DBOT_ENOMEM;
    }
    rc = dbot_interaction_autocomplete_json(ix, d);
    cJSON_Delete(d);
    return rc;
}

/* ---- rest.h ------------------------------------------------------------- */

int
dbot_interaction_callback_raw(dbot *bot, uint64_t interaction_id,
                              const char *token, const cJSON *body,
                              dbot_rest_fn cb, void *data)
{
    return dbot_rest_interaction_callback(bot, interaction_id, token, body, cb,
                                          data);
}

int
dbot_followup_create(dbot *bot, uint64_t app_id, const char *token,
                     const cJSON *msg, dbot_rest_fn cb, void *data)
{
    return dbot_rest_interaction_followup(bot, app_id, token, msg, cb, data);
}

int
dbot_followup_edit(dbot *bot, uint64_t app_id, const char *token,
                   uint64_t message_id, const cJSON *msg, dbot_rest_fn cb,
                   void *data)
{
    return dbot_rest_interaction_followup_edit(bot, app_id, token, message_id,
                                               msg, cb, data);
}

int
dbot_followup_delete(dbot *bot, uint64_t app_id, const char *token,
                     uint64_t message_id, dbot_rest_fn cb, void *data)
{
    return dbot_rest_interaction_followup_delete(bot, app_id, token, message_id,
                                                 cb, data);
}

int
dbot_original_edit(dbot *bot, uint64_t app_id, const char *token,
                   const cJSON *msg, dbot_rest_fn cb, void *data)
{
    return dbot_rest_interaction_original_edit(bot, app_id, token, msg, cb,
                                               data);
}

int
dbot_original_delete(dbot *bot, uint64_t app_id, const char *token,
                     dbot_rest_fn cb, void *data)
{
    return dbot_rest_interaction_original_delete(bot, app_id, token, cb, data);
}
