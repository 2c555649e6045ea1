/*
 * prom.h: a strict checker for the Prometheus text exposition format
 * (0.0.4), for the /metrics tests. prom_check() returns NULL when the text
 * is valid, else a static description of the first problem (with the
 * line). It checks:
 *   - every line is "# HELP name text", "# TYPE name type", another
 *     comment, blank, or a sample "name{label="value",...} value";
 *   - metric and label names match [a-zA-Z_:][a-zA-Z0-9_:]* (labels
 *     without ':'), label values use only the \\ \" \n escapes, values
 *     parse as floats (or +Inf, -Inf, NaN);
 *   - each family has at most one TYPE, before its samples, and its
 *     samples are contiguous (no family appears twice);
 *   - histograms: every series has _bucket samples with le labels in
 *     increasing order, non-decreasing counts, a le="+Inf" bucket equal to
 *     _count, and a _sum.
 * prom_value() finds the value of one exact series "name{labels}".
 */
#ifndef DBOT_TESTS_PROM_H
#define DBOT_TESTS_PROM_H

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char prom_err_[512];

static int
prom_name_ok_(const char *s, size_t n, int colon)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' ||
                    (colon && s[0] == ':')))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
              (colon && s[i] == ':')))
            return 0;
    return 1;
}

static int
prom_value_ok_(const char *s, double *out)
{
    char *end;

    if (strcmp(s, "+Inf") == 0) {
        *out = INFINITY;
        return 1;
    }
    if (strcmp(s, "-Inf") == 0) {
        *out = -INFINITY;
        return 1;
    }
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return 1;
    }
    if (!*s)
        return 0;
    *out = strtod(s, &end);
    return *end == '\0' || *end == ' '; /* a timestamp may follow */
}

/* The family a sample belongs to: histograms own _bucket/_sum/_count. */
static void
prom_family_of_(const char *name, const char *types, char *fam, size_t cap)
{
    static const char *suf[] = { "_bucket", "_sum", "_count" };
    size_t n = strlen(name);

    snprintf(fam, cap, "%s", name);
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(suf[k]);
        char want[300];
        if (n > l && strcmp(name + n - l, suf[k]) == 0) {
            snprintf(want, sizeof want, "\n%.*s histogram\n", (int)(n - l),
                     name);
            if (strstr(types, want)) {
                snprintf(fam, cap, "%.*s", (int)(n - l), name);
                return;
            }
        }
    }
}

struct prom_hist_ {
    char series[512]; /* labels other than le */
    double last_le, last_count, inf;
    int have_inf;
    int started;
};

static const char *
prom_check(const char *text)
{
    char *copy = strdup(text), *line, *save = NULL;
    char *types = calloc(1, strlen(text) + 2); /* "\nname type\n..." */
    char *done = calloc(1, strlen(text) + 2);  /* families finished */
    char cur[256] = "", fam[256];
    struct prom_hist_ h = { "", -INFINITY, 0, 0, 0, 0 };
    int lineno = 0;
    const char *err = NULL;

#define PROM_FAIL(...)                                      \
    do {                                                    \
        snprintf(prom_err_, sizeof prom_err_, __VA_ARGS__); \
        err = prom_err_;                                    \
        goto out;                                           \
    } while (0)

    types[0] = '\n';
    done[0] = '\n';
    if (!*text || text[strlen(text) - 1] != '\n')
        PROM_FAIL("text does not end with a newline");
    for (line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char name[256], labels[512] = "", le[256] = "", *p = line;
        double v;
        size_t n;

        lineno++;
        if (line[0] == '#') {
            char kw[8], nm[256], rest[64];
            if (sscanf(line, "# %7s %255s %63s", kw, nm, rest) >= 2 &&
                strcmp(kw, "TYPE") == 0) {
                char key[300];
                if (!prom_name_ok_(nm, strlen(nm), 1))
                    PROM_FAIL("line %d: bad name in TYPE", lineno);
                if (strcmp(rest, "counter") && strcmp(rest, "gauge") &&
                    strcmp(rest, "histogram") && strcmp(rest, "summary") &&
                    strcmp(rest, "untyped"))
                    PROM_FAIL("line %d: bad type %s", lineno, rest);
                snprintf(key, sizeof key, "\n%s ", nm);
                if (strstr(types, key))
                    PROM_FAIL("line %d: second TYPE for %s", lineno, nm);
                snprintf(key, sizeof key, "\n%s\n", nm);
                if (strstr(done, key) || strcmp(cur, nm) == 0)
                    PROM_FAIL("line %d: TYPE after samples of %s", lineno, nm);
                strcat(types, nm);
                strcat(types, " ");
                strcat(types, rest);
                strcat(types, "\n");
            }
            continue;
        }
        n = strcspn(p, "{ ");
        if (n >= sizeof name || !prom_name_ok_(p, n, 1))
            PROM_FAIL("line %d: bad metric name", lineno);
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        if (*p == '{') {
            size_t ln = 0;
            p++;
            while (*p != '}') {
                size_t k = strcspn(p, "=");
                char lname[64], val[256];
                size_t vl = 0;
                if (k >= sizeof lname || !prom_name_ok_(p, k, 0) ||
                    p[k] != '=' || p[k + 1] != '"')
                    PROM_FAIL("line %d: bad label", lineno);
                memcpy(lname, p, k);
                lname[k] = '\0';
                p += k + 2;
                while (*p != '"') {
                    if (!*p || vl + 2 >= sizeof val)
                        PROM_FAIL("line %d: unterminated label value", lineno);
                    if (*p == '\\') {
                        if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                            PROM_FAIL("line %d: bad escape", lineno);
                        val[vl++] = *p++;
                    }
                    val[vl++] = *p++;
                }
                val[vl] = '\0';
                p++;
                if (strcmp(lname, "le") == 0) {
                    snprintf(le, sizeof le, "%s", val);
                } else {
                    ln += (size_t)snprintf(labels + ln, sizeof labels - ln,
                                           "%s%s=\"%s\"", ln ? "," : "", lname,
                                           val);
                    if (ln >= sizeof labels)
                        PROM_FAIL("line %d: labels too long", lineno);
                }
                if (*p == ',')
                    p++;
                else if (*p != '}')
                    PROM_FAIL("line %d: expected , or }", lineno);
            }
            p++;
        }
        if (*p != ' ' || !prom_value_ok_(p + 1, &v))
            PROM_FAIL("line %d: bad value", lineno);
        prom_family_of_(name, types, fam, sizeof fam);
        if (strcmp(fam, cur) != 0) {
            char key[300];
            snprintf(key, sizeof key, "\n%s\n", fam);
            if (strstr(done, key))
                PROM_FAIL("line %d: samples of %s are not contiguous", lineno,
                          fam);
            if (cur[0]) {
                strcat(done, cur);
                strcat(done, "\n");
            }
            snprintf(cur, sizeof cur, "%s", fam);
            h.started = 0;
            h.have_inf = 0;
        }
        if (strcmp(fam, name) != 0) { /* a histogram part */
            const char *suffix = name + strlen(fam);
            if (strcmp(suffix, "_bucket") == 0) {
                double lev;
                if (!le[0] || !prom_value_ok_(le, &lev))
                    PROM_FAIL("line %d: bucket without le", lineno);
                if (!h.started || strcmp(h.series, labels) != 0 || h.have_inf) {
                    if (h.started && strcmp(h.series, labels) == 0)
                        PROM_FAIL("line %d: bucket after +Inf", lineno);
                    h.started = 1;
                    snprintf(h.series, sizeof h.series, "%s", labels);
                    h.last_le = -INFINITY;
                    h.last_count = 0;
                    h.have_inf = 0;
                }
                if (!(lev > h.last_le))
                    PROM_FAIL("line %d: le not increasing", lineno);
                if (v < h.last_count)
                    PROM_FAIL("line %d: bucket counts decrease", lineno);
                h.last_le = lev;
                h.last_count = v;
                if (isinf(lev)) {
                    h.have_inf = 1;
                    h.inf = v;
                }
            } else if (strcmp(suffix, "_count") == 0) {
                if (!h.have_inf || strcmp(h.series, labels) != 0)
                    PROM_FAIL("line %d: _count without a +Inf bucket", lineno);
                if (v != h.inf)
                    PROM_FAIL("line %d: _count != +Inf bucket", lineno);
            } else if (strcmp(suffix, "_sum") == 0) {
                if (!h.have_inf)
                    PROM_FAIL("line %d: _sum before the buckets", lineno);
            }
        } else {
            char key[300];
            snprintf(key, sizeof key, "\n%s histogram\n", name);
            if (strstr(types, key))
                PROM_FAIL("line %d: bare sample of histogram %s", lineno, name);
        }
    }
out:
#undef PROM_FAIL
    free(copy);
    free(types);
    free(done);
    return err;
}

/* The value of series `series` exactly as written ("name" or
 * "name{a=\"b\"}"), or NAN when absent. */
static double
prom_value(const char *text, const char *series)
{
    size_t n = strlen(series);
    const char *p = text;

    while ((p = strstr(p, series)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p += n;
    }
    return NAN;
}

#endif
