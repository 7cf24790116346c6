/* tables.c — decision tables and first-match decisions: their code (a table's
 * lookup block and rows, a decision's arms) and the decisions' unreachable arms;
 * a table's static checks are table_check.c. Rows are merged per policy by
 * defs.c; this file only reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"
#include "opcodes.h"
#include "text.h"
#include "values.h"
#include "i18n.h"

int rgc_const_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect, rg_value *v, rgc_ty *ty, int report)
{
    switch (e->kind) {
    case RG_E_INT: case RG_E_MONEY: case RG_E_PERCENT: case RG_E_DATE: case RG_E_DURATION: case RG_E_BOOL: {
        static const rg_type_kind k[] = {RG_T_INT, RG_T_MONEY, RG_T_PERCENT, RG_T_DATE, RG_T_DURATION, RG_T_BOOL};
        *v = e->ival;
        *ty = rgc_ty_scalar(k[e->kind - RG_E_INT]);
        return 0;
    }
    case RG_E_UNARY:
        if (e->op == RG_OPR_NEG && rgc_const_expr(pk, e->lhs, expect, v, ty, report) == 0 &&
            ty->k == RGC_K_SCALAR && ty->scalar != RG_T_BOOL) {
            *v = -*v;
            return 0;
        }
        break;
    case RG_E_NONE:
        if (expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_ENUM) {
            int m = rgc_enum_member(pk, expect->aux, "none");
            if (m >= 0) {
                *v = m;
                *ty = *expect;
                return 0;
            }
        }
        *v = RG_NONE;
        *ty = expect ? *expect : rgc_ty_scalar(RG_T_VOID);
        ty->optional = 1;
        return 0;
    case RG_E_NAME: {
        /* enum members and regions only */
        int pol = rgc_policy_index(pk, e->name);
        if (pol >= 0 && !(expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_ENUM &&
                          rgc_enum_member(pk, expect->aux, e->name) >= 0)) {
            *v = pol;
            *ty = rgc_ty_scalar(RG_T_REGION);
            return 0;
        }
        if (expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_ENUM) {
            int m = rgc_enum_member(pk, expect->aux, e->name);
            if (m >= 0) {
                *v = m;
                *ty = *expect;
                ty->optional = 0;
                ty->has_range = 0;
                return 0;
            }
        }
        int hits = 0;
        for (uint32_t i = 0; i < pk->prog->n_enums; i++) {
            int m = rgc_enum_member(pk, i, e->name);
            if (m >= 0) {
                hits++;
                *v = m;
                *ty = rgc_ty_scalar(RG_T_ENUM);
                ty->aux = i;
            }
        }
        if (hits == 1)
            return 0;
        break;
    }
    default:
        break;
    }
    if (report && e->kind == RG_E_NAME) {
        const char *cands[1024];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->policies.n && n < 1024; i++)
            cands[n++] = ((rgc_policy *)pk->policies.v[i])->name;
        if (expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_ENUM) {
            const rg_enum *en = &pk->prog->enums[expect->aux];
            for (uint32_t m = 0; m < en->n_members && n < 1024; m++)
                cands[n++] = rgc_str_text(pk, pk->prog->member_names[en->first_member + m]);
        }
        const char *best = rgc_closest(e->name, cands, n);
        char hint[200];
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best ? best : "");
        const char *hint_or = best ? hint : _("write a literal, an enumeration member or a region here");
        if (expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_ENUM)
            rgc_error(pk, e->loc, hint_or, _("'%s' is no member of '%s' nor a region"), e->name,
                      rgc_str_text(pk, pk->prog->enums[expect->aux].name));
        else if (expect && expect->k == RGC_K_SCALAR && expect->scalar == RG_T_REGION)
            rgc_error(pk, e->loc, hint_or, _("'%s' is no region of the pack"), e->name);
        else
            rgc_error(pk, e->loc, hint_or, _("'%s' is no region nor a member of an enumeration"), e->name);
    } else if (report && e->kind == RG_E_STRING) {
        rgc_error(pk, e->loc, _("test a string where it is read instead: code in [\"D0001\", \"D0002\"]"),
                  _("a string is no constant of a table cell"));
    } else if (report) {
        rgc_error(pk, e->loc, _("write a literal, an enumeration member or a region here"),
                  _("this must be a constant"));
    }
    return -1;
}

/* ---- code ---- */

static void row_label(rgc_pack *pk, rgc_impl *im, uint32_t r, int kind, rg_loc loc)
{
    if (!rgc_writes_code(pk))
        return;
    rg_note n = {(uint32_t)kind, im->def->slot, r + 1, rgc_line(pk, loc), rgc_str(pk, rg_diag_source(pk->diag, loc.file)->path)};
    uint32_t id = rgc_push_notes(pk, &n, 1);
    rgc_emit(pk, RG_OP_NOTE, id, 0);
}

/* Emit a test of local `in` against pattern p; jumps that must go to "no
 * match" are appended to fails. */
static int pattern(rgc_pack *pk, rg_pattern *p, uint32_t in, const rgc_ty *ity, uint32_t *fails, uint32_t *nf)
{
    rgc_ty t;
    switch (p->kind) {
    case RG_P_ANY:
        return 0;
    case RG_P_VALUE:
        rgc_emit(pk, RG_OP_LOAD_LOCAL, in, 0);
        t = rgc_expr(pk, p->lo, ity);
        if (t.k == RGC_K_ERROR)
            return -1;
        if (!rgc_ty_same(&t, ity) && t.k != RGC_K_NONE) {
            char a[96], b[96];
            rgc_ty_name(pk, ity, a, sizeof a);
            rgc_ty_name(pk, &t, b, sizeof b);
            char hint[200];
            snprintf(hint, sizeof hint, _("write a %s here, alternatives `a, b`, a range or `_` for anything"), a);
            rgc_error(pk, p->loc, hint, _("this column is %s, the pattern is %s"), a, b);
            return -1;
        }
        rgc_emit(pk, ity->scalar == RG_T_STRING ? RG_OP_STR_EQ : RG_OP_EQ, 0, 0);
        fails[(*nf)++] = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
        return 0;
    case RG_P_RANGE:
    case RG_P_CMP: {
        rg_expr *bounds[2] = {p->lo, p->kind == RG_P_RANGE ? p->hi : NULL};
        int ops[2];
        if (p->kind == RG_P_RANGE) {
            ops[0] = RG_OP_GE;
            ops[1] = RG_OP_LE;
        } else {
            ops[0] = p->op == RG_OPR_LT ? RG_OP_LT : p->op == RG_OPR_LE ? RG_OP_LE : p->op == RG_OPR_GT ? RG_OP_GT : RG_OP_GE;
        }
        for (int i = 0; i < 2 && bounds[i]; i++) {
            rgc_emit(pk, RG_OP_LOAD_LOCAL, in, 0);
            t = rgc_expr(pk, bounds[i], ity);
            if (t.k == RGC_K_ERROR)
                return -1;
            if (!rgc_ty_same(&t, ity) || ity->optional || (ity->scalar != RG_T_INT && ity->scalar != RG_T_MONEY &&
                                                        ity->scalar != RG_T_PERCENT && ity->scalar != RG_T_DATE &&
                                                        ity->scalar != RG_T_DURATION)) {
                rgc_error(pk, p->loc, NULL, _("a range needs an ordered, always-present column of the same type"));
                return -1;
            }
            rgc_emit(pk, ops[i], 0, 0);
            fails[(*nf)++] = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
        }
        return 0;
    }
    case RG_P_ALT: {
        /* any alternative matching goes on to the next column */
        uint32_t oks[64], nok = 0;
        for (uint32_t i = 0; i < p->alts.n && i < 64; i++) {
            uint32_t f2[8], n2 = 0;
            if (pattern(pk, p->alts.v[i], in, ity, f2, &n2) != 0)
                return -1;
            oks[nok++] = rgc_emit(pk, RG_OP_JUMP, 0, 0);
            for (uint32_t k = 0; k < n2; k++)
                rgc_patch(pk, f2[k], 0, rgc_here(pk));
        }
        fails[(*nf)++] = rgc_emit(pk, RG_OP_JUMP, 0, 0);
        for (uint32_t k = 0; k < nok; k++)
            rgc_patch(pk, oks[k], 0, rgc_here(pk));
        return 0;
    }
    }
    return -1;
}

/* When every input has a small finite domain (bool, enum, region, int in a
 * short range) and every row gives a constant, the first matching row of each
 * combination is worked out here and the table's chunk starts with TABLE: one
 * lookup returns the cell. Inputs outside the cells (absent ones) and
 * explanations go on with the rows, which stay as they were. */
void rgc_patch_ends(rgc_pack *pk, rg_vec *ends)
{
    for (uint32_t k = 0; k < ends->n; k++)
        rgc_patch(pk, (uint32_t)(uintptr_t)ends->v[k], 0, rgc_here(pk));
    rg_vec_free(ends);
}

/* Would at most a quarter of the block's cells have a row (counted from the
 * rows' spans, a cell two rows match counted twice)? A table over an
 * enumeration that many regions extend, each region a member of its own, is
 * such a table in every region: its block, a cell for every member of the
 * province, would grow the pack with the square of the regions. Its rows
 * then decide, as they do for inputs outside the cells. */
static int sparse(const rgc_rowset *rs, const int64_t *lo, const int64_t *size, uint32_t n_in, uint64_t cells)
{
    if (cells <= 64)
        return 0;
    uint64_t covered = 0;
    for (uint32_t r = 0; r < rs->n_rows && covered * 4 < cells; r++) {
        uint64_t prod = 1;
        for (uint32_t i = 0; i < n_in && prod; i++) {
            size_t c = (size_t)r * rs->n_in + i;
            int64_t a = lo[i], b = lo[i] + size[i] - 1;
            uint64_t n = 0;
            for (uint32_t s = rs->first[c]; s < rs->first[c + 1]; s++) {
                int64_t x = rs->spans[s].lo > a ? rs->spans[s].lo : a, y = rs->spans[s].hi < b ? rs->spans[s].hi : b;
                if (x <= y)
                    n += (uint64_t)(y - x) + 1;
            }
            prod *= n < (uint64_t)size[i] ? n : (uint64_t)size[i];
        }
        covered += prod;
    }
    return covered * 4 < cells;
}

static void table_lookup(rgc_pack *pk, rgc_impl *im, const uint32_t *locals, const rgc_ty *itys, uint32_t n_in,
                         const rgc_ty *result)
{
    if (!rgc_writes_code(pk) || n_in == 0 || n_in > RG_TABLE_MAX_INPUTS)
        return;
    int64_t lo[RG_TABLE_MAX_INPUTS], size[RG_TABLE_MAX_INPUTS];
    uint64_t cells = 1;
    for (uint32_t i = 0; i < n_in; i++) {
        const rgc_ty *t = &itys[i];
        if (t->k != RGC_K_SCALAR)
            return;
        lo[i] = 0;
        if (t->scalar == RG_T_BOOL)
            size[i] = 2;
        else if (t->scalar == RG_T_ENUM)
            size[i] = pk->prog->enums[t->aux].n_members;
        else if (t->scalar == RG_T_REGION)
            size[i] = pk->policies.n;
        else if (t->scalar == RG_T_INT && t->has_range && t->hi - t->lo < 256 && t->hi >= t->lo)
            lo[i] = t->lo, size[i] = t->hi - t->lo + 1;
        else
            return;
        if (size[i] < 1 || size[i] > RG_TABLE_MAX_CELLS)
            return;
        cells *= (uint64_t)size[i];
        if (cells > RG_TABLE_MAX_CELLS)
            return;
    }
    rg_value *vals = malloc(im->rows.n * sizeof *vals);
    if (!vals)
        return;
    for (uint32_t r = 0; r < im->rows.n; r++) {
        rg_row *row = im->rows.v[r];
        rgc_ty t;
        if (row->pats.n != n_in || rgc_const_expr(pk, row->result, result, &vals[r], &t, 0) != 0) {
            free(vals);
            return;
        }
    }
    rgc_rowset rs;
    uint32_t head = 1 + 3 * n_in, n = head + 2 * (uint32_t)cells;
    int64_t *block = NULL;
    if (rgc_rowset_build(pk, &im->rows, n_in, itys, &rs) != 0 || pk->prog->n_consts + (uint64_t)n > 0xFFFF ||
        sparse(&rs, lo, size, n_in, cells) || !(block = malloc(n * sizeof *block))) {
        rgc_rowset_free(&rs);
        free(vals);
        return;
    }
    block[0] = n_in;
    for (uint32_t i = 0; i < n_in; i++) {
        block[1 + 3 * i] = locals[i];
        block[2 + 3 * i] = lo[i];
        block[3 + 3 * i] = size[i];
    }
    for (uint64_t c = 0; c < cells; c++) {
        rg_value in[RG_TABLE_MAX_INPUTS];
        uint64_t rest = c;
        for (uint32_t i = n_in; i-- > 0;) { /* the first input varies slowest */
            in[i] = lo[i] + (int64_t)(rest % (uint64_t)size[i]);
            rest /= (uint64_t)size[i];
        }
        block[head + 2 * c] = 0;
        block[head + 2 * c + 1] = 0;
        for (uint32_t r = 0; r < im->rows.n; r++) {
            int m = 1;
            for (uint32_t i = 0; i < n_in && m; i++)
                m = rgc_rowset_matches(&rs, r, i, in[i]);
            if (m) {
                block[head + 2 * c] = 1;
                block[head + 2 * c + 1] = vals[r];
                break;
            }
        }
    }
    uint32_t at = rgc_push_consts(pk, block, n);
    rgc_emit(pk, RG_OP_TABLE, at, 0);
    free(block);
    free(vals);
    rgc_rowset_free(&rs);
}

rgc_ty rgc_table_body(rgc_pack *pk, rgc_impl *im)
{
    rg_decl *root = im->def->root;
    rgc_ty result = rgc_def_type(pk, im->def);
    uint32_t n_in = root->inputs.n;
    uint32_t locals[16];
    rgc_ty itys[16];
    int ok = 1;
    if (n_in > 16) {
        rgc_error(pk, root->loc, NULL, _("a table has at most 16 inputs"));
        return (rgc_ty){.k = RGC_K_ERROR};
    }
    for (uint32_t i = 0; i < n_in; i++) {
        itys[i] = rgc_expr(pk, root->inputs.v[i], NULL);
        if (itys[i].k != RGC_K_SCALAR) {
            if (itys[i].k != RGC_K_ERROR)
                rgc_error(pk, ((rg_expr *)root->inputs.v[i])->loc, NULL, _("a table input must be a value"));
            ok = 0;
        }
        locals[i] = rgc_local(pk);
        rgc_emit(pk, RG_OP_STORE_LOCAL, locals[i], 0);
    }
    if (!ok)
        return (rgc_ty){.k = RGC_K_ERROR};
    table_lookup(pk, im, locals, itys, n_in, &result);
    for (uint32_t r = 0; r < im->rows.n; r++) {
        rg_row *row = im->rows.v[r];
        if (row->pats.n != n_in) {
            char hint[200];
            snprintf(hint, sizeof hint, ngettext("write one cell for the input, `_` for anything",
                                                 "write one cell for each of the %u inputs, in their order, `_` for anything",
                                                 n_in), n_in);
            rgc_error(pk, row->loc, hint,
                      ngettext("this row has %u cell before ->, the table has %u inputs",
                               "this row has %u cells before ->, the table has %u inputs", row->pats.n),
                      row->pats.n, n_in);
            ok = 0;
            continue;
        }
        uint32_t fails[64], nf = 0;
        int depth = pk->cur.depth;
        rgc_set_line(pk, rgc_line(pk, row->loc), row->loc.file); /* a row's tests belong to its line */
        for (uint32_t i = 0; i < n_in; i++)
            if (pattern(pk, row->pats.v[i], locals[i], &itys[i], fails, &nf) != 0)
                ok = 0;
        row_label(pk, im, r, RG_NOTE_ROW, row->loc);
        rgc_ty t = rgc_expr(pk, row->result, &result);
        rgc_ty u;
        if (t.k == RGC_K_ERROR)
            ok = 0;
        else if (!(rgc_ty_same(&t, &result) || (t.k == RGC_K_NONE && result.optional)) ||
                 (t.optional && !result.optional)) {
            char a[96], b[96];
            rgc_ty_name(pk, &result, a, sizeof a);
            rgc_ty_name(pk, &t, b, sizeof b);
            char hint[200];
            snprintf(hint, sizeof hint, _("every row gives the table's type: write a %s after ->"), a);
            rgc_error(pk, row->result->loc, hint, _("table '%s' gives %s, this row gives %s"), im->def->name, a, b);
            ok = 0;
        }
        (void)u;
        rgc_emit(pk, RG_OP_RET, 0, 0);
        for (uint32_t k = 0; k < nf; k++)
            rgc_patch(pk, fails[k], 0, rgc_here(pk));
        pk->cur.depth = depth;
    }
    rgc_set_line(pk, rgc_line(pk, im->decl->loc), im->decl->loc.file); /* the error names the table's line */
    if (result.optional) {
        /* a table of T? answers none where no row matches */
        rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
        rgc_emit(pk, RG_OP_RET, 0, 0);
    } else {
        char msg[200];
        snprintf(msg, sizeof msg, "no row of table '%s' matched", im->def->name);
        rgc_emit(pk, RG_OP_FAIL, rgc_writes_code(pk) ? rgc_str(pk, msg) : 0, 0);
    }
    return ok ? result : (rgc_ty){.k = RGC_K_ERROR};
}

rgc_ty rgc_decide_body(rgc_pack *pk, rgc_impl *im, rg_vec *ends)
{
    rg_decl *d = im->decl;
    rgc_ty result = rgc_def_type(pk, im->def);
    int ok = 1, seen_otherwise = 0;
    for (uint32_t i = 0; i < d->rows.n; i++) {
        rg_arm *a = d->rows.v[i];
        if (seen_otherwise) {
            rgc_error(pk, a->loc, _("move it before `otherwise`"), _("this arm of '%s' is unreachable: it follows otherwise"),
                      im->def->name);
            ok = 0;
            break;
        }
        uint32_t jf = RG_NO_INDEX;
        int depth = pk->cur.depth;
        rgc_set_line(pk, rgc_line(pk, a->loc), a->loc.file); /* an arm's code belongs to its line */
        if (a->cond) {
            rgc_ty bt = rgc_ty_scalar(RG_T_BOOL);
            rgc_ty c = rgc_expr(pk, a->cond, &bt);
            if (c.k == RGC_K_ERROR)
                ok = 0;
            else if (!(c.k == RGC_K_SCALAR && c.scalar == RG_T_BOOL) || c.optional) {
                rgc_error(pk, a->cond->loc, _("write a test that is true or false: `when visit.date < 2025-01-01 -> …`"),
                          _("a `when` condition must be a bool"));
                ok = 0;
            }
            jf = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
        } else {
            seen_otherwise = 1;
        }
        if (!ends) /* a plan never runs when explaining */
            row_label(pk, im, i, a->cond ? RG_NOTE_ARM : RG_NOTE_OTHERWISE, a->loc);
        pk->cur.cond_depth++;
        rgc_ty t = rgc_expr(pk, a->result, result.k == RGC_K_SCALAR ? &result : NULL);
        pk->cur.cond_depth--;
        if (t.k == RGC_K_ERROR)
            ok = 0;
        else if (result.k == RGC_K_SCALAR &&
                 (!(rgc_ty_same(&t, &result) || (t.k == RGC_K_NONE && result.optional)) ||
                  (t.optional && !result.optional))) {
            char an[96], bn[96];
            rgc_ty_name(pk, &result, an, sizeof an);
            rgc_ty_name(pk, &t, bn, sizeof bn);
            char hint[200];
            const char *h = NULL;
            if (im->decl != im->def->root) { /* a region's arms: the type is its declaration's */
                snprintf(hint, sizeof hint, _("%s declares '%s' %s: each arm of a region gives that"),
                         im->def->owner ? im->def->owner->name : pk->root->name, im->def->name, an);
                h = hint;
            } else if (t.k == RGC_K_NONE)
                h = _("declare the decision optional: decide NAME: TYPE? { … }");
            rgc_error(pk, a->result->loc, h, _("decision '%s' gives %s, this arm gives %s"), im->def->name, an, bn);
            ok = 0;
        }
        if (!ends)
            rgc_emit(pk, RG_OP_RET, 0, 0);
        else if (a->cond) /* a plan: the value goes to the end the caller places (otherwise is last: it falls through) */
            rg_vec_push(ends, (void *)(uintptr_t)rgc_emit(pk, RG_OP_JUMP, 0, 0));
        if (jf != RG_NO_INDEX)
            rgc_patch(pk, jf, 0, rgc_here(pk));
        pk->cur.depth = depth;
    }
    /* what the conditions mean: arms earlier ones cover, a case no arm takes */
    if (ok && pk->pass == RGC_PASS_CHECK) {
        im->arms_cover = rgc_check_arms(pk, im);
        if (!seen_otherwise && !im->arms_cover)
            ok = 0;
    } else if (!seen_otherwise && !im->arms_cover && pk->pass != RGC_PASS_INFER) {
        rgc_error(pk, d->loc, _("end it with `otherwise -> VALUE`"), _("decision '%s' has no otherwise"), im->def->name);
        ok = 0;
    }
    if (!seen_otherwise) /* a decision whose arms cover every case ends here only when none matched: never */
        rgc_emit(pk, RG_OP_FAIL, rgc_writes_code(pk) ? rgc_str(pk, "no arm of the decision matched") : 0, 0);
    return ok ? result : (rgc_ty){.k = RGC_K_ERROR};
}

