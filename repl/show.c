/* show.c — :show [POLICY[@VERSION].]TABLE: a table as the current policy (or
 * the one named) sees it on the current claim's date (or in the version
 * named): every row it matches, the inherited ones merged with its own and
 * its version's, each with the policy that wrote it and its source line.
 * Must not change the session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "repl.h"
#include "i18n.h"
#include "text.h"
#include "values.h"

/* The source text at LOC, blanks folded to one space (a cell, the type, an input). */
static void loc_text(rg_diag *d, rg_loc loc, char *buf, size_t cap)
{
    const rg_source *s = rg_diag_source(d, loc.file);
    size_t n = 0;
    int blank = 0;
    for (uint32_t i = loc.start; s && i < loc.end && i < s->len && n + 2 < cap; i++) {
        char c = s->text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            blank = n > 0;
            continue;
        }
        if (blank)
            buf[n++] = ' ';
        blank = 0;
        buf[n++] = c;
    }
    buf[n] = '\0';
}

/* "policies/CN.rg:137", or ":set" / "session" for what the session typed. */
static void row_place(rg_diag *d, rg_loc loc, char *buf, size_t cap)
{
    const rg_source *s = rg_diag_source(d, loc.file);
    if (!s || s->path[0] == '<') {
        snprintf(buf, cap, "%s", s && strcmp(s->path, "<set>") == 0 ? ":set" : "session");
        return;
    }
    uint32_t line, col;
    rg_diag_linecol(d, loc.file, loc.start, &line, &col);
    snprintf(buf, cap, "%s:%u", s->path, line);
}

/* The version of policy POL named NAME, or RG_NO_INDEX (with the names it has in LIST). */
static uint32_t version_named(const rg_program *p, uint32_t pol, const char *name, char *list, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, list, cap);
    for (uint32_t v = 0; v < p->n_versions; v++)
        if (p->versions[v].policy == pol) {
            if (strcmp(p->str[p->versions[v].name], name) == 0)
                return v;
            rg_sb_printf(&b, "%s%s", b.n ? ", " : "", p->str[p->versions[v].name]);
        }
    return RG_NO_INDEX;
}

/* A row's cells and value as one text, "employee|L1->60%", to match rows of two builds. */
static void row_key(rg_diag *d, const rg_row *row, char *buf, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    char t[160];
    for (uint32_t k = 0; k < row->pats.n; k++) {
        loc_text(d, ((const rg_pattern *)row->pats.v[k])->loc, t, sizeof t);
        rg_sb_printf(&b, "%s|", t);
    }
    loc_text(d, row->result->loc, t, sizeof t);
    rg_sb_printf(&b, "->%s", t);
}

/* A :set of one row rewrites the whole version from its source: its other
 * rows are the policy's own still, and are shown at their place in the
 * files (found in BASE, the session's pack without the overrides). */
static int unchanged_row(rg_diag *d, const rg_row *row, rg_diag *bd, const rgc_table_view *base, char *from,
                         size_t fcap, char *place, size_t pcap)
{
    char want[400], got[400];
    row_key(d, row, want, sizeof want);
    for (uint32_t i = 0; base && i < base->n_rows; i++) {
        row_key(bd, base->rows[i].row, got, sizeof got);
        if (strcmp(want, got) == 0) {
            snprintf(from, fcap, "%s%s%s", base->rows[i].policy ? base->rows[i].policy : "?",
                     base->rows[i].version ? " " : "", base->rows[i].version ? base->rows[i].version : "");
            row_place(bd, base->rows[i].row->loc, place, pcap);
            return 1;
        }
    }
    return 0;
}

static void print_rows(repl *r, rg_diag *d, const rgc_table_view *tv, rg_diag *bd, const rgc_table_view *base)
{
    uint32_t n = tv->n_rows, cols = 0;
    for (uint32_t i = 0; i < n; i++)
        if (tv->rows[i].row->pats.n > cols)
            cols = tv->rows[i].row->pats.n;
    size_t *w = calloc(cols + 2, sizeof *w);
    char(*cell)[160] = calloc((size_t)n * (cols + 3) + 1, sizeof *cell);
    for (uint32_t i = 0; i < n; i++) {
        const rg_row *row = tv->rows[i].row;
        char(*c)[160] = cell + (size_t)i * (cols + 3);
        for (uint32_t k = 0; k < row->pats.n; k++)
            loc_text(d, ((const rg_pattern *)row->pats.v[k])->loc, c[k], sizeof c[k]);
        loc_text(d, row->result->loc, c[cols], sizeof c[cols]);
        snprintf(c[cols + 1], sizeof c[cols + 1], "%s%s%s", tv->rows[i].policy ? tv->rows[i].policy : "?",
                 tv->rows[i].version ? " " : "", tv->rows[i].version ? tv->rows[i].version : "");
        row_place(d, row->loc, c[cols + 2], sizeof c[cols + 2]);
        if (strcmp(c[cols + 2], ":set") == 0)
            unchanged_row(d, row, bd, base, c[cols + 1], sizeof c[cols + 1], c[cols + 2], sizeof c[cols + 2]);
        for (uint32_t k = 0; k < cols + 2; k++)
            if (rg_text_width(c[k]) > w[k])
                w[k] = rg_text_width(c[k]);
    }
    for (uint32_t i = 0; i < n; i++) {
        char(*c)[160] = cell + (size_t)i * (cols + 3);
        fputs(" ", r->out);
        for (uint32_t k = 0; k < cols; k++)
            fprintf(r->out, " | %s%*s", c[k], (int)(w[k] - rg_text_width(c[k])), "");
        fprintf(r->out, " -> %s%*s  %s%*s  %s\n", c[cols], (int)(w[cols] - rg_text_width(c[cols])), "", c[cols + 1],
                (int)(w[cols + 1] - rg_text_width(c[cols + 1])), "", c[cols + 2]);
    }
    free(cell);
    free(w);
}

void repl_cmd_show(repl *r, const char *args)
{
    if (!r->cur || !r->cur->pk) {
        repl_error(r, "%s", r->cur ? ":show reads the tables' rows from the policy sources (:load DIR)" : "no pack loaded");
        return;
    }
    if (!*args) {
        repl_error(r, _("usage: :show [POLICY[@VERSION].]TABLE"));
        return;
    }
    rgc_pack *pk = r->cur->pk;
    const rg_program *p = repl_program(r->cur);
    /* POLICY@VERSION.TABLE, POLICY.TABLE or TABLE */
    char pol[128], ver[64] = "", name[200];
    const char *dot = strrchr(args, '.');
    snprintf(name, sizeof name, "%s", dot ? dot + 1 : args);
    snprintf(pol, sizeof pol, "%.*s", dot ? (int)(dot - args) : 0, args);
    char *at = strchr(pol, '@');
    if (at) {
        snprintf(ver, sizeof ver, "%s", at + 1);
        *at = '\0';
    }
    if (!dot)
        snprintf(pol, sizeof pol, "%s", r->policy);
    int pi = repl_policy_index(p, pol);
    if (pi < 0) {
        repl_error(r, _("no policy '%s' (:policies lists them)"), pol);
        return;
    }
    uint32_t slot = rgc_def_slot(pk, name);
    if (slot == RG_NO_INDEX || p->defs[slot].kind != RG_DEF_TABLE) {
        const char *cands[1024];
        uint32_t n = 0;
        for (uint32_t i = 0; i < p->n_defs && n < 1024; i++)
            if (p->defs[i].kind == RG_DEF_TABLE)
                cands[n++] = p->str[p->defs[i].name];
        const char *best = rgc_closest(name, cands, n);
        if (slot != RG_NO_INDEX)
            repl_error(r, _("'%s' is a %s, not a table: type its name to see its value, :explain to see where it comes "
                          "from"), name, p->defs[slot].kind == RG_DEF_DECIDE ? "decision" : "definition");
        else if (best)
            repl_error(r, _("no table '%s' (did you mean %s?)"), name, best);
        else
            repl_error(r, _("no table '%s'"), name);
        return;
    }
    /* the date: the version named, else the current claim's */
    int64_t asof = RG_NONE;
    char why[200] = "";
    if (*ver) {
        char list[300];
        uint32_t v = version_named(p, (uint32_t)pi, ver, list, sizeof list);
        if (v == RG_NO_INDEX) {
            repl_error(r, _("%s has no version '%s' (%s%s)"), pol, ver, *list ? "its versions: " : "it has none",
                       list);
            return;
        }
        asof = p->versions[v].from != RG_NONE ? p->versions[v].from : p->versions[v].until;
        snprintf(why, sizeof why, _("in its version %s"), ver);
    } else {
        rg_vm *vm = rg_vm_new(p);
        char err[600];
        if (vm && repl_bind(r, vm, err, sizeof err) == 0 && vm->asof != RG_NONE) {
            char date[16];
            rg_format_date(vm->asof, date);
            asof = vm->asof;
            snprintf(why, sizeof why, _("on %s, the current claim's date"), date);
        } else {
            snprintf(why, sizeof why, _("outside its versions (the current claim gives no date)"));
        }
        rg_vm_free(vm);
    }
    rgc_table_view tv;
    if (rgc_table_view_at(pk, name, (uint32_t)pi, asof, &tv) != 0) {
        repl_error(r, _("out of memory"));
        return;
    }
    rg_diag *d = rgc_pack_diag(pk);
    char type[120] = "", inputs[400] = "";
    if (tv.root->type)
        loc_text(d, tv.root->type->loc, type, sizeof type);
    rg_sb b;
    rg_sb_fixed(&b, inputs, sizeof inputs);
    for (uint32_t i = 0; i < tv.root->inputs.n; i++) {
        char in[160];
        loc_text(d, ((const rg_expr *)tv.root->inputs.v[i])->loc, in, sizeof in);
        rg_sb_printf(&b, "%s%s", i ? ", " : "", in);
    }
    fprintf(r->out, "table %s%s%s by (%s)%s\n", name, *type ? ": " : "", type, inputs,
            tv.root->hit_first ? _(", hit first: the first row that matches wins") : "");
    if (!tv.policy)
        fprintf(r->out, _("as %s sees it %s: no policy gives it rows\n"), pol, why);
    else
        fprintf(r->out,
                ngettext("as %s sees it %s: %u row, the table of %s%s%s\n",
                         "as %s sees it %s: %u rows, the table of %s%s%s\n", tv.n_rows),
                pol, why, tv.n_rows, tv.policy, tv.version ? " " : "", tv.version ? tv.version : "");
    /* the session's pack without the overrides, to tell the rows a :set changed */
    rgc_table_view base = {0};
    const repl_build *bb = repl_base(r);
    int have_base = bb != r->cur && bb->pk && rgc_table_view_at(bb->pk, name, (uint32_t)pi, asof, &base) == 0;
    print_rows(r, d, &tv, have_base ? rgc_pack_diag(bb->pk) : NULL, have_base ? &base : NULL);
    if (have_base)
        rgc_table_view_free(&base);
    rgc_table_view_free(&tv);
}
