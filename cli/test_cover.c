/* test_cover.c — `regula test --coverage`: which definitions, table rows and
 * decision arms the tests reached, by policy, as text or JSON, with the
 * source line of what they did not reach. Must not run tests: cmd_test.c
 * does, counting into an rg_cover (vm/cover.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

enum { K_DEF, K_ROW, K_ARM, K_KINDS }; /* what is counted apart: an otherwise is an arm */

static const char *const kind_names[K_KINDS] = {N_("definitions"), N_("table rows"), N_("decision arms")};
static const char *const kind_keys[K_KINDS] = {"definitions", "rows", "arms"};

static int kind_of(const rg_cover_item *it)
{
    return it->kind == RG_COVER_DEF ? K_DEF : it->kind == RG_COVER_ROW ? K_ROW : K_ARM;
}

typedef struct {
    unsigned reached[K_KINDS], total[K_KINDS];
} tally;

static unsigned sum(const unsigned *v)
{
    return v[K_DEF] + v[K_ROW] + v[K_ARM];
}

/* "88.2%": tenths of a percent, rounded down, so that only all of it is 100.0%. */
static void percent(unsigned reached, unsigned total, char *buf, size_t cap)
{
    unsigned long long pm = total ? (unsigned long long)reached * 1000 / total : 1000;
    snprintf(buf, cap, "%llu.%llu%%", pm / 10, pm % 10);
}

/* "3/4", or "-" when there is nothing of the kind. */
static void tally_cell(unsigned reached, unsigned total, char *buf, size_t cap)
{
    if (total)
        snprintf(buf, cap, "%u/%u", reached, total);
    else
        snprintf(buf, cap, "-");
}

/* The items of the chosen policies (all when CHOSEN is NULL), tallied per policy. */
static long load(const rg_cover *c, const rg_program *p, const uint8_t *chosen, rg_cover_item **items, tally **per)
{
    long n = rg_cover_items(c, p, items);
    *per = n < 0 ? NULL : calloc(p->n_policies + 1, sizeof **per);
    if (n < 0 || !*per) {
        free(n < 0 ? NULL : *items);
        return -1;
    }
    long w = 0;
    for (long i = 0; i < n; i++) {
        rg_cover_item *it = &(*items)[i];
        if (chosen && !chosen[it->policy])
            continue;
        tally *t = &(*per)[it->policy];
        t->total[kind_of(it)]++;
        t->reached[kind_of(it)] += it->hits > 0;
        (*items)[w++] = *it;
    }
    return w;
}

/* What an item is, as the report names it: "table outpatient_ratio", "row of table …". */
static void item_label(const rg_program *p, const rg_cover_item *it, char *buf, size_t cap)
{
    static const char *const def_words[] = {"param", "def", "table", "decide"};
    const rg_def *d = &p->defs[it->def];
    const char *name = p->str[d->name];
    const char *word = d->kind < 4 ? def_words[d->kind] : "def";
    switch (it->kind) {
    case RG_COVER_DEF:
        if (it->version != RG_NO_INDEX)
            snprintf(buf, cap, _("%s %s (version %s)"), word, name, p->str[p->versions[it->version].name]);
        else
            snprintf(buf, cap, "%s %s", word, name);
        break;
    case RG_COVER_ROW:
        snprintf(buf, cap, _("row of table %s"), name);
        break;
    case RG_COVER_ARM:
        snprintf(buf, cap, _("arm of decide %s"), name);
        break;
    case RG_COVER_OTHERWISE:
        snprintf(buf, cap, _("otherwise of decide %s"), name);
        break;
    }
}

/* The source line LINE of FILE (the path as the pack names it), without its
 * indentation; "" when the sources do not have it. */
static void source_line(const rg_diag *diag, const char *file, uint32_t line, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (uint32_t f = 0; f < diag->n_files; f++) {
        const rg_source *s = rg_diag_source(diag, f);
        if (strcmp(s->path, file) != 0 || line == 0 || line > s->n_lines)
            continue;
        const char *a = s->text + s->line_starts[line - 1], *e = a;
        while (*e && *e != '\n' && *e != '\r')
            e++;
        while (a < e && (*a == ' ' || *a == '\t'))
            a++;
        snprintf(buf, cap, "%.*s", (int)(e - a), a);
        return;
    }
}

void cli_cover_print(FILE *out, const rg_cover *c, const rg_program *p, const rg_diag *diag, const uint8_t *chosen)
{
    rg_cover_item *items;
    tally *per;
    long n = load(c, p, chosen, &items, &per);
    if (n < 0) {
        fprintf(out, _("coverage: out of memory\n"));
        return;
    }
    fprintf(out, _("coverage: what the tests reach\n"));
    cli_table t;
    cli_table_init(&t, "lllll");
    cli_table_row(&t, _("policy"), _("reached"), _(kind_names[K_DEF]), _(kind_names[K_ROW]), _(kind_names[K_ARM]));
    tally all = {{0}, {0}};
    char cell[4][48], pc[16];
    for (uint32_t pol = 0; pol <= p->n_policies; pol++) {
        const tally *x = pol < p->n_policies ? &per[pol] : &all;
        if (pol < p->n_policies && sum(x->total) == 0 && (!chosen || !chosen[pol]))
            continue;
        percent(sum(x->reached), sum(x->total), pc, sizeof pc);
        snprintf(cell[0], sizeof cell[0], "%u/%u %s", sum(x->reached), sum(x->total), pc);
        for (int k = 0; k < K_KINDS; k++) {
            tally_cell(x->reached[k], x->total[k], cell[k + 1], sizeof cell[k + 1]);
            if (pol < p->n_policies) {
                all.reached[k] += x->reached[k];
                all.total[k] += x->total[k];
            }
        }
        cli_table_row(&t, pol < p->n_policies ? p->str[p->policies[pol].name] : _("all"), cell[0], cell[1], cell[2],
                      cell[3]);
    }
    cli_table_print(out, &t, "  ");
    /* what was not reached, with its source line */
    long missing = 0;
    for (long i = 0; i < n; i++)
        missing += items[i].hits == 0;
    if (missing) {
        fprintf(out, _("not reached (%ld):\n"), missing);
        char where[600], what[300], text[400];
        cli_table_init(&t, "lll");
        for (long i = 0; i < n; i++) {
            if (items[i].hits)
                continue;
            snprintf(where, sizeof where, "%s:%u", p->str[items[i].file], items[i].line);
            item_label(p, &items[i], what, sizeof what);
            source_line(diag, p->str[items[i].file], items[i].line, text, sizeof text);
            cli_table_row(&t, where, what, text);
        }
        cli_table_print(out, &t, "  ");
    }
    free(items);
    free(per);
}

json_t *cli_cover_json(const rg_cover *c, const rg_program *p, const uint8_t *chosen)
{
    rg_cover_item *items;
    tally *per;
    long n = load(c, p, chosen, &items, &per);
    if (n < 0)
        return json_null();
    static const char *const item_kinds[] = {"definition", "row", "arm", "otherwise"};
    json_t *doc = json_object(), *pols = json_array();
    tally all = {{0}, {0}};
    char pc[16];
    long i = 0;
    for (uint32_t pol = 0; pol < p->n_policies; pol++) {
        tally *t = &per[pol];
        if (sum(t->total) == 0 && (!chosen || !chosen[pol]))
            continue;
        json_t *o = json_object(), *list = json_array();
        json_object_set_new(o, "policy", json_string(p->str[p->policies[pol].name]));
        json_object_set_new(o, "file", json_string(p->str[p->policies[pol].file]));
        json_object_set_new(o, "reached", json_integer(sum(t->reached)));
        json_object_set_new(o, "total", json_integer(sum(t->total)));
        percent(sum(t->reached), sum(t->total), pc, sizeof pc);
        pc[strlen(pc) - 1] = '\0';
        json_object_set_new(o, "percent", json_string(pc));
        for (int k = 0; k < K_KINDS; k++) {
            json_object_set_new(o, kind_keys[k], json_pack("{s:i, s:i}", "reached", (json_int_t)t->reached[k], "total",
                                                           (json_int_t)t->total[k]));
            all.reached[k] += t->reached[k];
            all.total[k] += t->total[k];
        }
        for (; i < n && items[i].policy <= pol; i++) {
            if (items[i].policy != pol)
                continue;
            const rg_cover_item *it = &items[i];
            json_t *x = json_object();
            json_object_set_new(x, "kind", json_string(item_kinds[it->kind]));
            json_object_set_new(x, "name", json_string(p->str[p->defs[it->def].name]));
            json_object_set_new(x, "line", json_integer(it->line));
            if (it->version != RG_NO_INDEX)
                json_object_set_new(x, "version", json_string(p->str[p->versions[it->version].name]));
            json_object_set_new(x, "hits", json_integer(it->hits));
            json_array_append_new(list, x);
        }
        json_object_set_new(o, "items", list);
        json_array_append_new(pols, o);
    }
    json_object_set_new(doc, "reached", json_integer(sum(all.reached)));
    json_object_set_new(doc, "total", json_integer(sum(all.total)));
    percent(sum(all.reached), sum(all.total), pc, sizeof pc);
    pc[strlen(pc) - 1] = '\0';
    json_object_set_new(doc, "percent", json_string(pc));
    json_object_set_new(doc, "policies", pols);
    free(items);
    free(per);
    return doc;
}
