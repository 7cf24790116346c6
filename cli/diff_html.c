/* diff_html.c — `regula diff --html`: the report as one self-contained page
 * for the people who decide (no script, no font, no request: inline CSS and
 * SVG), with the change of the key field by region, the distribution of the
 * change per claim, and the biggest changes with their explanations before
 * and after. Must not settle or compare: it lays out what cmd_diff.c found.
 * Pixel sizes are integers scaled from fen with 128-bit products: no floats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "values.h"

static void esc(FILE *o, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        default: fputc(*s, o);
        }
}

static const char *money(int64_t fen, int sign, char *buf, size_t cap)
{
    rg_format_money_grouped(fen, sign, buf, cap);
    return buf;
}

static const char *sign_class(int64_t v)
{
    return v > 0 ? "up" : v < 0 ? "down" : "same";
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* n * span / whole, rounded down, for whole > 0 (pixels of a bar) */
static long scale(uint64_t n, long span, uint64_t whole)
{
    return whole ? (long)((unsigned __int128)n * (unsigned long)span / whole) : 0;
}

static const char style[] =
    "body{font:15px/1.45 system-ui,'Noto Sans CJK SC',sans-serif;margin:2em auto;max-width:62em;padding:0 1em;"
    "color:#1d2733}\n"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d5dbe2}\n"
    "code{background:#f1f3f6;padding:0 .25em;border-radius:3px}\n"
    ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #d5dbe2;border-radius:6px;padding:.6em 1em}"
    ".card b{display:block;font-size:1.3em}\n"
    "table{border-collapse:collapse;margin:.6em 0}th,td{padding:.2em .7em;text-align:left;border-bottom:1px solid "
    "#eceff3}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".up{color:#1a7f37}.down{color:#c62828}rect.up{fill:#2e9d4f}rect.down{fill:#d64545}rect.bucket{fill:#4a78c2}"
    "tr.changed td{background:#fff6dd}\n"
    "svg text{font-size:12px;fill:#1d2733}svg .axis{stroke:#8a96a3}\n"
    "article{border:1px solid #d5dbe2;border-radius:6px;padding:.2em 1em .8em;margin:1em 0}"
    "article h3{font-size:1em}\n";

/* ---- the chart of the change by region ---- */

static int by_region_change(const void *a, const void *b)
{
    const diff_region *x = *(const diff_region *const *)a, *y = *(const diff_region *const *)b;
    uint64_t dx = magnitude(x->total[1] - x->total[0]), dy = magnitude(y->total[1] - y->total[0]);
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void region_chart(FILE *o, const diff_report *d)
{
    const diff_region **r = malloc((d->n_regions + 1) * sizeof *r);
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->n_regions; i++)
        if (*d->regions[i].name)
            r[n++] = &d->regions[i];
    qsort(r, n, sizeof *r, by_region_change);
    int neg = 0, pos = 0;
    uint64_t most = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t v = r[i]->total[1] - r[i]->total[0];
        neg |= v < 0;
        pos |= v > 0;
        if (magnitude(v) > most)
            most = magnitude(v);
    }
    const long width = 720, label = 120, room = 130, row = 26;
    long x0 = label, x1 = width - room, zero = neg && pos ? (x0 + x1) / 2 : neg ? x1 : x0;
    long span = neg && pos ? (x1 - x0) / 2 : x1 - x0;
    fprintf(o, "<svg id=\"region-chart\" role=\"img\" width=\"%ld\" height=\"%ld\" viewBox=\"0 0 %ld %ld\" "
               "xmlns=\"http://www.w3.org/2000/svg\">\n<title>the change of %s by region</title>\n",
            width, row * (long)n + 10, width, row * (long)n + 10, d->key);
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        int64_t v = r[i]->total[1] - r[i]->total[0];
        long w = scale(magnitude(v), span, most), y = 5 + row * (long)i;
        long x = v < 0 ? zero - w : zero;
        fprintf(o, "<g class=\"region\" data-region=\"");
        esc(o, r[i]->name);
        fprintf(o, "\" data-change-fen=\"%lld\">", (long long)v);
        fprintf(o, "<text x=\"%ld\" y=\"%ld\" text-anchor=\"end\">", label - 8, y + 15);
        esc(o, r[i]->name);
        fprintf(o, "</text><rect class=\"bar %s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"18\"><title>", sign_class(v),
                x, y + 2, w);
        esc(o, r[i]->name);
        fprintf(o, ": %s</title></rect>", money(v, 1, buf, sizeof buf));
        long tx = v < 0 ? (neg && pos ? zero + 6 : x1 + 6) : zero + w + 6;
        fprintf(o, "<text class=\"amount %s\" x=\"%ld\" y=\"%ld\">%s</text></g>\n", sign_class(v), tx, y + 15, buf);
    }
    fprintf(o, "<line class=\"axis\" x1=\"%ld\" y1=\"0\" x2=\"%ld\" y2=\"%ld\"/>\n</svg>\n", zero, zero,
            row * (long)n + 10);
    free(r);
}

/* ---- the chart of the change per claim ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void distribution_chart(FILE *o, const diff_report *d)
{
    if (!d->n_changed)
        return;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < d->n_changed; i++) {
        int64_t v = d->claims_changed[i].key[1] - d->claims_changed[i].key[0];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    /* buckets of a round width (1, 2 or 5 times a power of ten fen), at most 12 */
    int64_t w = 1;
    for (int64_t p = 1; p <= 100000000000000000LL; p *= 10) {
        static const int m[] = {1, 2, 5};
        for (int k = 0; k < 3; k++) {
            w = p * m[k];
            if (floor_div(hi, w) - floor_div(lo, w) + 1 <= 12)
                goto found;
        }
    }
found:;
    int64_t first = floor_div(lo, w);
    long n = (long)(floor_div(hi, w) - first + 1);
    long *count = calloc((size_t)n, sizeof *count), most = 1;
    for (size_t i = 0; i < d->n_changed; i++) {
        int64_t v = d->claims_changed[i].key[1] - d->claims_changed[i].key[0];
        long b = (long)(floor_div(v, w) - first);
        if (++count[b] > most)
            most = count[b];
    }
    const long width = 720, height = 240, bottom = 40, top = 20, slot = width / n < 90 ? width / n : 90;
    fprintf(o, "<svg id=\"distribution-chart\" role=\"img\" width=\"%ld\" height=\"%ld\" viewBox=\"0 0 %ld %ld\" "
               "xmlns=\"http://www.w3.org/2000/svg\">\n<title>how many claims changed by how much (%s)</title>\n",
            width, height, width, height, d->key);
    char from[64], to[64];
    for (long b = 0; b < n; b++) {
        int64_t a = (first + b) * w, z = a + w - (w > 1 ? 1 : 0);
        long h = scale((uint64_t)count[b], height - bottom - top, (uint64_t)most), x = b * slot;
        money(a, 1, from, sizeof from);
        money(z, 1, to, sizeof to);
        fprintf(o, "<g><rect class=\"bucket\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\" data-from-fen=\"%lld\" "
                   "data-to-fen=\"%lld\" data-count=\"%ld\"><title>%ld claim%s from %s to %s</title></rect>",
                x + 4, height - bottom - h, slot - 8, h, (long long)a, (long long)z, count[b], count[b],
                count[b] == 1 ? "" : "s", from, to);
        if (count[b])
            fprintf(o, "<text x=\"%ld\" y=\"%ld\" text-anchor=\"middle\">%ld</text>", x + slot / 2,
                    height - bottom - h - 4, count[b]);
        fprintf(o, "<text x=\"%ld\" y=\"%ld\" text-anchor=\"middle\">%s</text></g>\n", x + slot / 2,
                height - bottom + 16, from);
    }
    fprintf(o, "<line class=\"axis\" x1=\"0\" y1=\"%ld\" x2=\"%ld\" y2=\"%ld\"/>\n</svg>\n", height - bottom, width,
            height - bottom);
    if (n == 1)
        fprintf(o, "<p>%zu claim%s changed, %s %s by %s.</p>\n", d->n_changed, d->n_changed == 1 ? "" : "s",
                d->n_changed == 1 ? "its" : "each one's", d->key, money(lo, 1, from, sizeof from));
    else
        fprintf(o, "<p>%zu claims changed; each bar counts those whose %s changed by an amount from the one below it "
                   "to the next bar's, in steps of %s.</p>\n", d->n_changed, d->key, money(w, 0, from, sizeof from));
    free(count);
}

/* ---- the biggest changes and their explanations ---- */

/* A step of an explanation: the definition and item it computed, its value,
 * and where it came from (policy, version, the row or arm chosen, line). */
typedef struct {
    char key[160];
    const char *def, *value;
    char from[600];         /* policy, version, row or arm: what the two trails compare */
    char at[240];           /* file:line, the file without its folder (the packs' folders differ) */
} step;

static step *steps_of(json_t *trail, size_t *n)
{
    json_t *list = json_object_get(trail, "steps");
    step *s = calloc(json_array_size(list) + 1, sizeof *s);
    char note[240] = "";
    size_t k = 0, i;
    json_t *e;
    *n = 0;
    json_array_foreach(list, i, e)
    {
        const char *def = json_string_value(json_object_get(e, "def"));
        const char *at = json_string_value(json_object_get(e, "at"));
        if (!def) { /* a table row or decision arm: it belongs to the step after it */
            json_t *row = json_object_get(e, "row"), *arm = json_object_get(e, "arm");
            if (json_is_integer(row))
                snprintf(note, sizeof note, ", row %lld", (long long)json_integer_value(row));
            else if (json_is_string(arm))
                snprintf(note, sizeof note, ", %s", json_string_value(arm));
            else if (json_is_integer(arm))
                snprintf(note, sizeof note, ", arm %lld", (long long)json_integer_value(arm));
            continue;
        }
        if (strncmp(def, "result.", 7) == 0) {
            note[0] = '\0';
            continue;
        }
        json_t *item = json_object_get(e, "item");
        const char *version = json_string_value(json_object_get(e, "version"));
        if (json_is_integer(item))
            snprintf(s[k].key, sizeof s[k].key, "%s [item %lld]", def, (long long)json_integer_value(item));
        else
            snprintf(s[k].key, sizeof s[k].key, "%s", def);
        s[k].def = def;
        s[k].value = json_string_value(json_object_get(e, "value"));
        snprintf(s[k].from, sizeof s[k].from, "%s%s%s%s", json_string_value(json_object_get(e, "policy")),
                 version ? " " : "", version ? version : "", note);
        const char *base = at ? strrchr(at, '/') : NULL;
        snprintf(s[k].at, sizeof s[k].at, "%s", base ? base + 1 : at ? at : "");
        note[0] = '\0';
        k++;
    }
    *n = k;
    return s;
}

static const step *find_step(const step *s, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].key, key) == 0)
            return &s[i];
    return NULL;
}

static void step_row(FILE *o, const char *key, const step *a, const step *b)
{
    int differs = !a || !b || strcmp(a->value ? a->value : "", b->value ? b->value : "") != 0 ||
                  strcmp(a->from, b->from) != 0;
    fprintf(o, "<tr%s><td>", differs ? " class=\"changed\"" : "");
    esc(o, key);
    fprintf(o, "</td><td class=\"n\">");
    esc(o, a ? a->value : "—");
    fprintf(o, "</td><td class=\"n\">");
    esc(o, b ? b->value : "—");
    for (int k = 0; k < 2; k++) {
        const step *x = k ? b : a;
        fprintf(o, "</td><td>");
        if (x) {
            esc(o, x->from);
            fputs(" <small>", o);
            esc(o, x->at);
            fputs("</small>", o);
        }
    }
    fprintf(o, "</td></tr>\n");
}

/* The two explanations side by side, step by step (the new one's order,
 * then the steps only the old one has); the rows that differ marked. */
static void trails(FILE *o, const diff_claim *c)
{
    json_t *t[2] = {c->trail[0] ? json_loads(c->trail[0], 0, NULL) : NULL,
                    c->trail[1] ? json_loads(c->trail[1], 0, NULL) : NULL};
    size_t n[2] = {0, 0};
    step *s[2] = {steps_of(t[0], &n[0]), steps_of(t[1], &n[1])};
    size_t differ = 0;
    for (size_t i = 0; i < n[1]; i++) {
        const step *a = find_step(s[0], n[0], s[1][i].key);
        differ += !a || strcmp(a->value ? a->value : "", s[1][i].value ? s[1][i].value : "") != 0 ||
                  strcmp(a->from, s[1][i].from) != 0;
    }
    for (size_t i = 0; i < n[0]; i++)
        differ += !find_step(s[1], n[1], s[0][i].key);
    if (!t[0] || !t[1])
        fprintf(o, "<p>%s</p>\n", !t[0] && !t[1] ? "Both packs refuse this claim: it has no explanation."
                                  : !t[0] ? "The old pack refuses this claim: only the new one explains it."
                                          : "The new pack refuses this claim: only the old one explains it.");
    for (int all = 0; all < 2; all++) {
        if (all)
            fprintf(o, "<details><summary>every step (%zu before, %zu after)</summary>\n", n[0], n[1]);
        else
            fprintf(o, "<p>%zu step%s of the explanation differ%s:</p>\n", differ, differ == 1 ? "" : "s",
                    differ == 1 ? "s" : "");
        fprintf(o, "<table class=\"trail%s\"><tr><th>step</th><th class=\"n\">before</th><th class=\"n\">after</th>"
                   "<th>from, before</th><th>from, after</th></tr>\n", all ? " all" : " differ");
        for (size_t i = 0; i < n[1]; i++) {
            const step *a = find_step(s[0], n[0], s[1][i].key);
            int same = a && strcmp(a->value ? a->value : "", s[1][i].value ? s[1][i].value : "") == 0 &&
                       strcmp(a->from, s[1][i].from) == 0;
            if (all || !same)
                step_row(o, s[1][i].key, a, &s[1][i]);
        }
        for (size_t i = 0; i < n[0]; i++)
            if (!find_step(s[1], n[1], s[0][i].key))
                step_row(o, s[0][i].key, &s[0][i], NULL);
        fprintf(o, "</table>\n%s", all ? "</details>\n" : "");
    }
    free(s[0]);
    free(s[1]);
    json_decref(t[0]);
    json_decref(t[1]);
}

static void value_cell(FILE *o, json_t *v)
{
    if (json_is_string(v))
        esc(o, json_string_value(v));
    else if (!v || json_is_null(v))
        fputs("—", o);
    else {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        esc(o, s);
        free(s);
    }
}

static void biggest(FILE *o, const diff_report *d)
{
    char a[64], b[64], c[64];
    for (size_t i = 0; i < d->n_top; i++) {
        const diff_claim *x = &d->claims_changed[d->top[i]];
        const char *region = d->regions[x->region].name;
        int64_t v = x->key[1] - x->key[0];
        fprintf(o, "<article class=\"claim\" id=\"line-%ld\" data-line=\"%ld\" data-change-fen=\"%lld\">\n<h3>line %ld",
                x->line, x->line, (long long)v, x->line);
        if (x->claim_id) {
            fputs(" · ", o);
            esc(o, x->claim_id);
        }
        if (*region) {
            fputs(" · ", o);
            esc(o, region);
        }
        fprintf(o, ": %s <span class=\"%s\">%s</span> (%s → %s)</h3>\n", d->key, sign_class(v), money(v, 1, c, sizeof c),
                x->settled[0] ? money(x->key[0], 0, a, sizeof a) : "error",
                x->settled[1] ? money(x->key[1], 0, b, sizeof b) : "error");
        fprintf(o, "<table class=\"changes\"><tr><th>field</th><th class=\"n\">before</th><th class=\"n\">after</th></tr>\n");
        json_t *ch = x->changes ? json_loads(x->changes, 0, NULL) : NULL;
        const char *key;
        json_t *pair;
        json_object_foreach(ch, key, pair)
        {
            fputs("<tr><td>", o);
            esc(o, key);
            fputs("</td><td class=\"n\">", o);
            value_cell(o, json_object_get(pair, "before"));
            fputs("</td><td class=\"n\">", o);
            value_cell(o, json_object_get(pair, "after"));
            fputs("</td></tr>\n", o);
        }
        json_decref(ch);
        fputs("</table>\n", o);
        trails(o, x);
        fputs("</article>\n", o);
    }
}

/* ---- the page ---- */

int diff_write_html(const char *path, const diff_report *d)
{
    FILE *o = fopen(path, "w");
    if (!o)
        return -1;
    char a[64], b[64], c[64];
    fprintf(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>regula diff: ");
    esc(o, d->pack[0]);
    fputs(" → ", o);
    esc(o, d->pack[1]);
    fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>What changes from <code>", style);
    esc(o, d->pack[0]);
    fputs("</code> to <code>", o);
    esc(o, d->pack[1]);
    fputs("</code></h1>\n<p id=\"lead\">", o);
    fprintf(o, "%ld line%s of <code>", d->lines, d->lines == 1 ? "" : "s");
    esc(o, d->claims);
    fprintf(o, "</code> settled with both packs, in order, each with its own year ledger: <strong id=\"changed\">%ld "
               "claim%s changed</strong>.", d->changed, d->changed == 1 ? "" : "s");
    if (d->errors[0] || d->errors[1])
        fprintf(o, " Error lines: %ld before, %ld after.", d->errors[0], d->errors[1]);
    fputs("</p>\n", o);

    const diff_field *key = NULL;
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (d->key && strcmp(d->fields[i].name, d->key) == 0)
            key = &d->fields[i];
    fprintf(o, "<div class=\"cards\" id=\"summary\">\n<div class=\"card\">lines<b>%ld</b></div>\n"
               "<div class=\"card\">changed<b>%ld</b></div>\n", d->lines, d->changed);
    if (key)
        fprintf(o, "<div class=\"card\">%s before<b>%s</b></div>\n<div class=\"card\">%s after<b>%s</b></div>\n"
                   "<div class=\"card\">difference<b class=\"%s\" id=\"key-difference\">%s</b></div>\n",
                key->name, money(key->total[0], 0, a, sizeof a), key->name, money(key->total[1], 0, b, sizeof b),
                sign_class(key->total[1] - key->total[0]), money(key->total[1] - key->total[0], 1, c, sizeof c));
    fputs("</div>\n", o);

    fputs("<h2 id=\"by-field\">By field</h2>\n<p>How many claims each result field changed in; for money, the "
          "totals of the claims each pack settled.</p>\n<table id=\"fields\"><tr><th>field</th><th class=\"n\">"
          "changed</th><th class=\"n\">before</th><th class=\"n\">after</th><th class=\"n\">difference</th></tr>\n", o);
    for (uint32_t i = 0; i < d->n_fields; i++) {
        const diff_field *f = &d->fields[i];
        fputs("<tr><td>", o);
        esc(o, f->name);
        fprintf(o, "</td><td class=\"n\">%ld</td>", f->changed);
        if (f->money)
            fprintf(o, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n %s\">%s</td>",
                    money(f->total[0], 0, a, sizeof a), money(f->total[1], 0, b, sizeof b),
                    sign_class(f->total[1] - f->total[0]), money(f->total[1] - f->total[0], 1, c, sizeof c));
        else
            fputs("<td></td><td></td><td></td>", o);
        fputs("</tr>\n", o);
    }
    if (d->errors[0] || d->errors[1])
        fprintf(o, "<tr><td>(error line)</td><td class=\"n\">%ld</td><td></td><td></td><td></td></tr>\n",
                d->errors_changed);
    fputs("</table>\n", o);

    if (d->key) {
        fprintf(o, "<h2 id=\"by-region\">By region: %s</h2>\n<p>Each claim counts for the region whose policy "
                   "settles it.</p>\n", d->key);
        region_chart(o, d);
        fprintf(o, "<table id=\"regions\"><tr><th>region</th><th class=\"n\">claims</th><th class=\"n\">changed</th>"
                   "<th class=\"n\">%s before</th><th class=\"n\">%s after</th><th class=\"n\">difference</th></tr>\n",
                d->key, d->key);
        for (uint32_t i = 0; i < d->n_regions; i++) {
            const diff_region *r = &d->regions[i];
            fputs("<tr><td>", o);
            esc(o, *r->name ? r->name : "(no claim)");
            fprintf(o, "</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%s</td><td class=\"n\">"
                       "%s</td><td class=\"n %s\">%s</td></tr>\n",
                    r->claims, r->changed, money(r->total[0], 0, a, sizeof a), money(r->total[1], 0, b, sizeof b),
                    sign_class(r->total[1] - r->total[0]), money(r->total[1] - r->total[0], 1, c, sizeof c));
        }
        fputs("</table>\n", o);
        fprintf(o, "<h2 id=\"distribution\">The change per claim: %s</h2>\n", d->key);
        if (d->n_changed)
            distribution_chart(o, d);
        else
            fputs("<p>No claim changed.</p>\n", o);
        if (d->n_top) {
            fprintf(o, "<h2 id=\"biggest\">The biggest changes</h2>\n<p>The %zu claim%s whose %s changed most, "
                       "with where each amount came from before and after.</p>\n",
                    d->n_top, d->n_top == 1 ? "" : "s", d->key);
            biggest(o, d);
        }
    }
    fputs("</body>\n</html>\n", o);
    int bad = ferror(o);
    return fclose(o) != 0 || bad ? -1 : 0;
}
