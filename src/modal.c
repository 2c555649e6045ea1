/*
 * modal.c: modals (the data of a type 9 response) and autocomplete results
 * (the data of a type 8 response).
 *
 * Every modal component is wrapped in a Label (type 18), the layout the
 * component reference documents; text inputs in action rows are
 * deprecated. Errors stick as in message.c.
 */
#include "modal.h"
#include "build.h"
#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dbot_modal {
    struct dbot__bld b;
    cJSON *root;
    cJSON *components; /* in root */
    int n;
    int json_nomem; /* the last dbot_modal_json() ran out of memory */
};

/* ---- modals ----------------------------------------------------------- */

dbot_modal *
dbot_modal_new(const char *custom_id, const char *title)
{
    dbot_modal *md = calloc(1, sizeof *md);

    if (!md)
        return NULL;
    if (!(md->root = cJSON_CreateObject())) {
        free(md);
        return NULL;
    }
    if (dbot__bld_len(&md->b, "custom_id", custom_id, 100, 1) < 0 ||
        dbot__bld_len(&md->b, "title", title, 45, 1) < 0)
        return md;
    if (dbot__bld_str(&md->b, md->root, "custom_id", custom_id) < 0 ||
        dbot__bld_str(&md->b, md->root, "title", title) < 0 ||
        !(md->components = cJSON_AddArrayToObject(md->root, "components")))
        dbot__bld_nomem(&md->b);
    return md;
}

void
dbot_modal_free(dbot_modal *md)
{
    if (!md)
        return;
    cJSON_Delete(md->root);
    free(md);
}

/* A Label (type 18) around `inner`, appended to the modal. Takes inner. */
static int
modal_label(dbot_modal *md, const char *path, const char *label,
            const char *description, cJSON *inner)
{
    struct dbot__bld *b = &md->b;
    char p[64];
    cJSON *l;

    snprintf(p, sizeof p, "%s.label", path);
    if (dbot__bld_len(b, p, label, 45, 1) < 0)
        goto fail;
    snprintf(p, sizeof p, "%s.description", path);
    if (description && dbot__bld_len(b, p, description, 100, 1) < 0)
        goto fail;
    if (!(l = cJSON_CreateObject()) || dbot__bld_push(b, md->components, l) < 0)
        goto nomem;
    if (dbot__bld_num(b, l, "type", 18) < 0 ||
        dbot__bld_str(b, l, "label", label) < 0 ||
        (description && dbot__bld_str(b, l, "description", description) < 0))
        goto fail;
    md->n++;
    return dbot__bld_item(b, l, "component", inner);
nomem:
    dbot__bld_nomem(b);
fail:
    cJSON_Delete(inner);
    return b->code;
}

static int
modal_room(dbot_modal *md, char *path, size_t len)
{
    snprintf(path, len, "components[%d]", md->n);
    if (md->n == DBOT__MAX_MODAL_ITEMS)
        return dbot__bld_fail(&md->b, DBOT_ETOOBIG, "components: more than %d",
                              DBOT__MAX_MODAL_ITEMS);
    return 0;
}

int
dbot_modal_text(dbot_modal *md, const dbot_text_input *t)
{
    struct dbot__bld *b;
    int style;
    char path[48], p[96];
    cJSON *j;

    if (!md)
        return DBOT_ENOMEM;
    b = &md->b;
    if (b->code)
        return b->code;
    if (modal_room(md, path, sizeof path) < 0)
        return b->code;
    if (!t)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: NULL text input", path);
    style = t->style ? t->style : DBOT_TEXT_SHORT;
    snprintf(p, sizeof p, "%s.component", path);
    if (style != DBOT_TEXT_SHORT && style != DBOT_TEXT_PARAGRAPH)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s.style: %d is not 1 or 2", p,
                              t->style);
    if (dbot__bld_custom_id(b, p, t->custom_id, md->components) < 0)
        return b->code;
    if (t->min_length < 0 || t->min_length > 4000 || t->max_length < 0 ||
        t->max_length > 4000)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "%s: min_length/max_length must be 0-4000", p);
    if (t->min_length && t->max_length && t->min_length > t->max_length)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "%s: min_length %d is above max_length %d", p,
                              t->min_length, t->max_length);
    snprintf(p, sizeof p, "%s.component.placeholder", path);
    if (t->placeholder && dbot__bld_len(b, p, t->placeholder, 100, 1) < 0)
        return b->code;
    snprintf(p, sizeof p, "%s.component.value", path);
    if (t->value && dbot__bld_len(b, p, t->value, 4000, 0) < 0)
        return b->code;
    if (!(j = cJSON_CreateObject()))
        return dbot__bld_nomem(b);
    if (dbot__bld_num(b, j, "type", 4) < 0 ||
        dbot__bld_str(b, j, "custom_id", t->custom_id) < 0 ||
        dbot__bld_num(b, j, "style", style) < 0 ||
        (t->min_length &&
         dbot__bld_num(b, j, "min_length", t->min_length) < 0) ||
        (t->max_length &&
         dbot__bld_num(b, j, "max_length", t->max_length) < 0) ||
        (t->optional &&
         dbot__bld_item(b, j, "required", cJSON_CreateFalse()) < 0) ||
        (t->placeholder &&
         dbot__bld_str(b, j, "placeholder", t->placeholder) < 0) ||
        (t->value && dbot__bld_str(b, j, "value", t->value) < 0)) {
        cJSON_Delete(j);
        return b->code;
    }
    return modal_label(md, path, t->label, t->description, j);
}

int
dbot_modal_select(dbot_modal *md, const char *label, const char *description,
                  const dbot_select *s)
{
    struct dbot__bld *b;
    char path[48], p[96];
    cJSON *j;

    if (!md)
        return DBOT_ENOMEM;
    b = &md->b;
    if (b->code)
        return b->code;
    if (modal_room(md, path, sizeof path) < 0)
        return b->code;
    snprintf(p, sizeof p, "%s.component", path);
    if (!s)
        return dbot__bld_fail(b, DBOT_EINVAL, "%s: NULL select", p);
    if (s->disabled)
        return dbot__bld_fail(b, DBOT_EINVAL,
                              "%s: nothing in a modal is disabled", p);
    if (!(j = dbot__bld_select(b, p, s, md->components)))
        return b->code;
    return modal_label(md, path, label, description, j);
}

cJSON *
dbot_modal_json(const dbot_modal *md)
{
    cJSON *out;

    if (!md || md->b.code || md->n == 0)
        return NULL;
    out = cJSON_Duplicate(md->root, 1);
    /* Bookkeeping for dbot_modal_error() (see message.c json_done): the
     * modal came from dbot_modal_new(), never a const object. */
    ((dbot_modal *)md)->json_nomem = out == NULL;
    return out;
}

const char *
dbot_modal_error(const dbot_modal *md)
{
    if (!md)
        return "out of memory";
    if (md->b.code)
        return md->b.err;
    if (md->n == 0)
        return "components: a modal needs 1-5 components";
    return md->json_nomem ? "out of memory" : NULL;
}

/* ---- autocomplete results -------------------------------------------- */

cJSON *
dbot_autocomplete_json(const dbot_choice *choices, size_t n, int type,
                       char *err, size_t errlen)
{
    struct dbot__bld b = { 0 };
    cJSON *data = NULL, *arr;
    size_t i;

    if (type != DBOT_OPT_STRING && type != DBOT_OPT_INTEGER &&
        type != DBOT_OPT_NUMBER) {
        dbot__bld_fail(&b, DBOT_EINVAL,
                       "type: %d is not STRING, INTEGER or NUMBER", type);
        goto out;
    }
    if (n > 25)
        n = 25;
    if (!(data = cJSON_CreateObject()) ||
        !(arr = cJSON_AddArrayToObject(data, "choices"))) {
        dbot__bld_nomem(&b);
        goto out;
    }
    for (i = 0; i < n && choices; i++) {
        const dbot_choice *c = &choices[i];
        char path[48];
        cJSON *j;

        snprintf(path, sizeof path, "choices[%zu].name", i);
        if (dbot__bld_len(&b, path, c->name, 100, 1) < 0)
            goto out;
        snprintf(path, sizeof path, "choices[%zu].str", i);
        if (type == DBOT_OPT_STRING &&
            dbot__bld_len(&b, path, c->str, 100, 1) < 0)
            goto out;
        if (!(j = cJSON_CreateObject()) || dbot__bld_push(&b, arr, j) < 0 ||
            dbot__bld_str(&b, j, "name", c->name) < 0)
            goto out;
        if (type == DBOT_OPT_STRING ? dbot__bld_str(&b, j, "value", c->str) < 0
            : type == DBOT_OPT_INTEGER
                ? dbot__bld_num(&b, j, "value", (double)c->integer) < 0
                : dbot__bld_num(&b, j, "value", c->number) < 0)
            goto out;
    }
    return data;
out:
    if (!b.code)
        dbot__bld_nomem(&b);
    if (err && errlen)
        snprintf(err, errlen, "%s", b.err);
    cJSON_Delete(data);
    return NULL;
}
