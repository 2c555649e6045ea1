/*
 * render.c: messages as text, the way the Discord client lays them out.
 *
 * Content first, then each embed as a bar-quoted block (title, description,
 * fields as "name: value"), then each action row of components on one line:
 * buttons as [Label], selects as [v placeholder: option / option]. The
 * output is plain ASCII framing around the bot's own UTF-8 text, so it
 * reads the same in a terminal, a CI log and an `expect` line.
 */
#include "sandbox.h"

#include <string.h>

static const char *
str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Print `text` with every line prefixed. */
static void
lines(FILE *out, const char *indent, const char *mark, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        fprintf(out, "%s%s%.*s\n", indent, mark, (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void
embed(FILE *out, const cJSON *e, const char *indent)
{
    const cJSON *f;
    char buf[600];

    if (str(e, "author"))
        lines(out, indent, "| ", str(e, "author"));
    if (str(e, "title")) {
        snprintf(buf, sizeof buf, "** %s **", str(e, "title"));
        lines(out, indent, "| ", buf);
    }
    if (str(e, "description"))
        lines(out, indent, "| ", str(e, "description"));
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(e, "fields")) {
        snprintf(buf, sizeof buf, "%s: %s",
                 str(f, "name") ? str(f, "name") : "",
                 str(f, "value") ? str(f, "value") : "");
        lines(out, indent, "| ", buf);
    }
    f = cJSON_GetObjectItemCaseSensitive(e, "footer");
    if (str(f, "text"))
        lines(out, indent, "| ", str(f, "text"));
}

static void
component(FILE *out, const cJSON *c)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
    const cJSON *o;
    int t = cJSON_IsNumber(type) ? type->valueint : 0;
    const char *sep = "";

    if (t == 2) {
        const cJSON *style = cJSON_GetObjectItemCaseSensitive(c, "style");
        const cJSON *emoji = cJSON_GetObjectItemCaseSensitive(c, "emoji");
        const char *label = str(c, "label");

        fputc('[', out);
        if (str(emoji, "name"))
            fprintf(out, "%s%s", str(emoji, "name"), label ? " " : "");
        fputs(label ? label : "", out);
        if (cJSON_IsNumber(style) && style->valueint == 5)
            fputs(" ->", out);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "disabled")))
            fputs(" (disabled)", out);
        fputc(']', out);
    } else if (t >= 3 && t <= 8) {
        fprintf(out, "[v %s",
                str(c, "placeholder") ? str(c, "placeholder")
                                      : "Make a selection");
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(c, "options")) {
            const cJSON *em = cJSON_GetObjectItemCaseSensitive(o, "emoji");

            fprintf(out, "%s%s%s%s", *sep ? sep : ": ",
                    str(em, "name") ? str(em, "name") : "",
                    str(em, "name") ? " " : "",
                    str(o, "label") ? str(o, "label") : "");
            sep = " / ";
        }
        fputc(']', out);
    } else {
        fprintf(out, "[component type %d]", t);
    }
}

void
sb_render_message(FILE *out, const cJSON *msg, const char *indent)
{
    const cJSON *e, *row, *c;
    const char *content = str(msg, "content");

    if (content && *content)
        lines(out, indent, "", content);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(msg, "embeds"))
        embed(out, e, indent);
    cJSON_ArrayForEach(row,
                       cJSON_GetObjectItemCaseSensitive(msg, "components")) {
        const cJSON *kids = cJSON_GetObjectItemCaseSensitive(row, "components");

        fputs(indent, out);
        if (kids) {
            cJSON_ArrayForEach(c, kids) {
                component(out, c);
                if (c->next)
                    fputc(' ', out);
            }
        } else {
            component(out, row);
        }
        fputc('\n', out);
    }
    if (cJSON_GetArraySize(
            cJSON_GetObjectItemCaseSensitive(msg, "attachments")))
        fprintf(out, "%s(attachments: %d)\n", indent,
                cJSON_GetArraySize(
                    cJSON_GetObjectItemCaseSensitive(msg, "attachments")));
}
