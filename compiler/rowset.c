/* rowset.c — a table's row patterns evaluated once into value spans, so that
 * the static checks and the lookup block ask "does row r match v on input i"
 * without evaluating a constant again. Reads patterns; writes no code. */
#include <stdlib.h>

#include "builder.h"

static void add_span(rgc_rowset *rs, rg_value lo, rg_value hi, int none)
{
    if (rs->n_spans == rs->cap_spans) {
        rs->cap_spans = rs->cap_spans ? rs->cap_spans * 2 : 64;
        rs->spans = realloc(rs->spans, rs->cap_spans * sizeof *rs->spans);
        if (!rs->spans)
            abort();
    }
    rs->spans[rs->n_spans++] = (rgc_span){lo, hi, (uint8_t)none};
}

/* The values pattern p matches, as spans (as tables.c's code tests them):
 * `_` everything and none; a value itself (none only for `none`); a range or
 * a comparison the present values in it. 0, or -1 when a bound is no constant
 * (the pattern then matches nothing here). */
static int spans_of(rgc_pack *pk, rgc_rowset *rs, rg_pattern *p, const rgc_ty *ity)
{
    rg_value a, b;
    rgc_ty t;
    const rg_value lo = INT64_MIN + 1, hi = INT64_MAX; /* present values: RG_NONE is INT64_MIN */
    switch (p->kind) {
    case RG_P_ANY:
        add_span(rs, lo, hi, 1);
        return 0;
    case RG_P_VALUE:
        if (rgc_const_expr(pk, p->lo, ity, &a, &t, 0) != 0)
            return -1;
        if (a == RG_NONE)
            add_span(rs, 1, 0, 1);
        else
            add_span(rs, a, a, 0);
        return 0;
    case RG_P_RANGE:
        if (rgc_const_expr(pk, p->lo, ity, &a, &t, 0) != 0 || rgc_const_expr(pk, p->hi, ity, &b, &t, 0) != 0)
            return -1;
        if (a == RG_NONE)
            a = lo;
        if (b != RG_NONE && a <= b)
            add_span(rs, a, b, 0);
        return 0;
    case RG_P_CMP:
        if (rgc_const_expr(pk, p->lo, ity, &a, &t, 0) != 0)
            return -1;
        if (a == RG_NONE) { /* every present value is above none, none below it */
            if (p->op == RG_OPR_GT || p->op == RG_OPR_GE)
                add_span(rs, lo, hi, 0);
            return 0;
        }
        switch (p->op) {
        case RG_OPR_LT:
            if (a > lo)
                add_span(rs, lo, a - 1, 0);
            break;
        case RG_OPR_LE:
            add_span(rs, lo, a, 0);
            break;
        case RG_OPR_GT:
            if (a < hi)
                add_span(rs, a + 1, hi, 0);
            break;
        default:
            add_span(rs, a, hi, 0);
            break;
        }
        return 0;
    case RG_P_ALT: {
        int r = 0;
        for (uint32_t i = 0; i < p->alts.n; i++)
            if (spans_of(pk, rs, p->alts.v[i], ity) != 0)
                r = -1;
        return r;
    }
    }
    return -1;
}

int rgc_rowset_build(rgc_pack *pk, const rg_vec *rows, uint32_t n_in, const rgc_ty *itys, rgc_rowset *rs)
{
    *rs = (rgc_rowset){.n_rows = rows->n, .n_in = n_in, .all_const = 1};
    rs->first = malloc(((size_t)rows->n * n_in + 1) * sizeof *rs->first);
    if (!rs->first)
        abort();
    for (uint32_t r = 0; r < rows->n; r++) {
        rg_row *row = rows->v[r];
        for (uint32_t i = 0; i < n_in; i++) {
            rs->first[(size_t)r * n_in + i] = rs->n_spans;
            if (row->pats.n != n_in || spans_of(pk, rs, row->pats.v[i], &itys[i]) != 0)
                rs->all_const = 0;
        }
    }
    rs->first[(size_t)rows->n * n_in] = rs->n_spans;
    return rs->all_const ? 0 : -1;
}

int rgc_rowset_matches(const rgc_rowset *rs, uint32_t r, uint32_t i, rg_value v)
{
    size_t c = (size_t)r * rs->n_in + i;
    for (uint32_t s = rs->first[c]; s < rs->first[c + 1]; s++) {
        const rgc_span *sp = &rs->spans[s];
        if (v == RG_NONE ? sp->none : v >= sp->lo && v <= sp->hi)
            return 1;
    }
    return 0;
}

void rgc_rowset_free(rgc_rowset *rs)
{
    free(rs->first);
    free(rs->spans);
    *rs = (rgc_rowset){0};
}
