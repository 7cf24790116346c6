/* subsume.c — what a decision's `when` conditions mean, as sets of values:
 * an arm that earlier arms already cover, an `otherwise` no case reaches, a
 * decision without `otherwise` whose arms leave a case out. Reports only what
 * it proves; a condition it cannot read is an opaque yes/no of its own.
 * Must not emit code: it reads the arms tables.c compiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"

/* A closed interval of values in the VM's representation (RG_NONE is the
 * smallest value, absent). */
typedef struct {
    int64_t lo, hi;
} span;

/* A set of values: sorted, disjoint, non-adjacent spans. */
typedef struct {
    span *v;
    uint32_t n;
} vset;

/* Something a condition asks about: an expression whose value it compares
 * with constants, or a yes/no it cannot see into. Two conditions asking
 * about the same expression (the same tree) ask about the same term. */
typedef struct {
    const rg_expr *e;
    rgc_ty ty;
    vset universe;  /* the values it may take */
    int opaque;     /* a bool expression read as a whole (ty is bool) */
} term;

typedef enum { F_TRUE, F_FALSE, F_IN, F_NOT, F_AND, F_OR } fkind;
typedef struct formula formula;
struct formula {
    fkind k;
    uint32_t term; /* F_IN: term ∈ set */
    vset set;
    formula *a, *b;
};

#define MAX_TERMS 64
#define SEARCH_BUDGET 200000

typedef struct {
    rgc_pack *pk;
    rgc_impl *im;
    rg_arena arena;
    term terms[MAX_TERMS];
    uint32_t n_terms;
    int failed;         /* a condition could not be read at all: nothing is known */
    /* the search */
    rg_value *cands[MAX_TERMS];
    uint32_t n_cands[MAX_TERMS];
    rg_value val[MAX_TERMS];
    uint8_t assigned[MAX_TERMS];
    long budget;
} reasoner;

/* ---- sets of values ---- */

static vset vs_make(reasoner *r, const span *s, uint32_t n)
{
    vset out = {rg_arena_alloc(&r->arena, (n ? n : 1) * sizeof(span)), 0};
    for (uint32_t i = 0; i < n; i++) {
        if (s[i].lo > s[i].hi)
            continue;
        if (out.n && out.v[out.n - 1].hi != INT64_MAX && s[i].lo <= out.v[out.n - 1].hi + 1) {
            if (s[i].hi > out.v[out.n - 1].hi)
                out.v[out.n - 1].hi = s[i].hi;
        } else {
            out.v[out.n++] = s[i];
        }
    }
    return out;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static vset vs_from(reasoner *r, span *s, uint32_t n)
{
    qsort(s, n, sizeof *s, cmp_span);
    return vs_make(r, s, n);
}

static vset vs_range(reasoner *r, int64_t lo, int64_t hi)
{
    span s = {lo, hi};
    return vs_make(r, &s, 1);
}

static int vs_has(const vset *s, int64_t v)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (v >= s->v[i].lo && v <= s->v[i].hi)
            return 1;
    return 0;
}

/* u minus s */
static vset vs_minus(reasoner *r, const vset *u, const vset *s)
{
    span *out = rg_arena_alloc(&r->arena, (u->n + s->n + 1) * sizeof(span));
    uint32_t n = 0;
    for (uint32_t i = 0; i < u->n; i++) {
        int64_t lo = u->v[i].lo, hi = u->v[i].hi;
        int done = 0;
        for (uint32_t k = 0; k < s->n && !done; k++) {
            if (s->v[k].hi < lo || s->v[k].lo > hi)
                continue;
            if (s->v[k].lo > lo)
                out[n++] = (span){lo, s->v[k].lo - 1};
            if (s->v[k].hi >= hi)
                done = 1;
            else
                lo = s->v[k].hi + 1;
        }
        if (!done)
            out[n++] = (span){lo, hi};
    }
    return vs_make(r, out, n);
}

static vset vs_meet(reasoner *r, const vset *u, const vset *s)
{
    vset not_s = vs_minus(r, u, s);
    return vs_minus(r, u, &not_s);
}

/* ---- terms ---- */

static int same_expr(const rg_expr *a, const rg_expr *b);

static int same_vec(const rg_vec *a, const rg_vec *b)
{
    if (a->n != b->n)
        return 0;
    for (uint32_t i = 0; i < a->n; i++)
        if (!same_expr(a->v[i], b->v[i]))
            return 0;
    return 1;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same tree: the same value wherever the decision reads it (a policy's
 * expressions have no side effects). */
static int same_expr(const rg_expr *a, const rg_expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->op != b->op || a->ival != b->ival || !same_str(a->name, b->name) ||
        !same_str(a->text, b->text) || a->keys.n != b->keys.n)
        return 0;
    for (uint32_t i = 0; i < a->keys.n; i++)
        if (!same_str(a->keys.v[i], b->keys.v[i]))
            return 0;
    return same_expr(a->lhs, b->lhs) && same_expr(a->rhs, b->rhs) && same_expr(a->cond, b->cond) &&
           same_vec(&a->args, &b->args);
}

/* The type of e where the decision reads it, without a report or code. */
static rgc_ty type_of(reasoner *r, rg_expr *e, const rgc_ty *expect)
{
    rgc_pack *pk = r->pk;
    rgc_pass pass = pk->pass;
    uint32_t quiet = pk->quiet_errors, n_locals = pk->cur.n_locals;
    int depth = pk->cur.depth, max_depth = pk->cur.max_depth;
    rgc_impl *impl = pk->cur.impl;
    int64_t ival = e->ival;
    pk->pass = RGC_PASS_INFER;
    pk->cur.impl = NULL;
    rgc_ty t = rgc_expr(pk, e, expect);
    pk->pass = pass;
    pk->quiet_errors = quiet;
    pk->cur.n_locals = n_locals;
    pk->cur.depth = depth;
    pk->cur.max_depth = max_depth;
    pk->cur.impl = impl;
    if (e->kind == RG_E_LIST)
        e->ival = ival; /* a list literal notes its constant there */
    return t;
}

/* The values a term of type t may take, as the policies that run this
 * decision see them; 0 when its values are not ones this file reasons about. */
static int universe_of(reasoner *r, const rgc_ty *t, vset *out)
{
    rgc_pack *pk = r->pk;
    if (t->k != RGC_K_SCALAR)
        return 0;
    span s[260];
    uint32_t n = 0;
    switch (t->scalar) {
    case RG_T_BOOL:
        s[n++] = (span){0, 1};
        break;
    case RG_T_ENUM: {
        const rg_enum *en = &pk->prog->enums[t->aux];
        if (en->n_members > 256)
            return 0;
        for (uint32_t m = 0; m < en->n_members; m++)
            for (uint32_t i = 0; i < pk->policies.n; i++) {
                rgc_policy *p = pk->policies.v[i];
                if (rgc_policy_within(p, r->im->policy) && rgc_member_visible(pk, t->aux, m, p)) {
                    s[n++] = (span){m, m};
                    break;
                }
            }
        break;
    }
    case RG_T_REGION:
        s[n++] = (span){0, (int64_t)pk->policies.n - 1};
        break;
    case RG_T_INT:
        if (t->has_range) {
            s[n++] = (span){t->lo, t->hi};
            break;
        }
        /* fallthrough */
    case RG_T_MONEY: case RG_T_PERCENT: case RG_T_DATE: case RG_T_DURATION:
        s[n++] = (span){RG_NONE + 1, INT64_MAX};
        break;
    default:
        return 0;
    }
    if (t->optional)
        s[n++] = (span){RG_NONE, RG_NONE};
    *out = vs_from(r, s, n);
    return 1;
}

static uint32_t term_of(reasoner *r, const rg_expr *e, const rgc_ty *t, const vset *universe, int opaque)
{
    for (uint32_t i = 0; i < r->n_terms; i++)
        if (same_expr(r->terms[i].e, e))
            return i;
    if (r->n_terms == MAX_TERMS) {
        r->failed = 1;
        return 0;
    }
    term *x = &r->terms[r->n_terms];
    x->e = e;
    x->ty = *t;
    x->universe = *universe;
    x->opaque = opaque;
    return r->n_terms++;
}

static formula *mk(reasoner *r, fkind k)
{
    formula *f = rg_arena_alloc(&r->arena, sizeof *f);
    f->k = k;
    return f;
}

/* A condition read as a whole: a yes/no term of its own. */
static formula *opaque(reasoner *r, rg_expr *e)
{
    rgc_ty t = type_of(r, e, NULL);
    if (!(t.k == RGC_K_SCALAR && t.scalar == RG_T_BOOL)) {
        r->failed = 1;
        return mk(r, F_TRUE);
    }
    vset u;
    universe_of(r, &t, &u);
    formula *f = mk(r, F_IN);
    f->term = term_of(r, e, &t, &u, 1);
    f->set = vs_range(r, 1, 1);
    return f;
}

/* Is e a constant of type t as the checker reads it there (a name that a
 * definition, a field or a bound variable shadows is not)? */
static int constant(reasoner *r, rg_expr *e, const rgc_ty *t, int is_rhs, rg_value *v)
{
    rgc_pack *pk = r->pk;
    rgc_ty ct;
    if (e->kind == RG_E_NAME) {
        int member = t->scalar == RG_T_ENUM && rgc_enum_member(pk, t->aux, e->name) >= 0;
        if (!(member && is_rhs)) {
            for (uint32_t i = 0; i < pk->cur.n_scope; i++)
                if (strcmp(pk->cur.scope[i].name, e->name) == 0)
                    return 0;
            if (rgc_find_def_in(pk, e->name, pk->cur.policy) || rgc_child_field(pk, -1, e->name) != RG_NO_INDEX ||
                strcmp(e->name, "claim") == 0)
                return 0;
        }
    } else if (e->kind == RG_E_STRING || e->kind == RG_E_MONTHS) {
        return 0;
    }
    if (rgc_const_expr(pk, e, t, v, &ct, 0) != 0)
        return 0;
    if (*v == RG_NONE)
        return t->optional || e->kind == RG_E_NONE;
    return rgc_ty_same(&ct, t);
}

static void flip(int *op)
{
    switch (*op) {
    case RG_OPR_LT: *op = RG_OPR_GT; break;
    case RG_OPR_LE: *op = RG_OPR_GE; break;
    case RG_OPR_GT: *op = RG_OPR_LT; break;
    case RG_OPR_GE: *op = RG_OPR_LE; break;
    default: break;
    }
}

/* `x op c` or `c op x` for a constant c: x ∈ the values that satisfy it. */
static formula *comparison(reasoner *r, rg_expr *e)
{
    rg_expr *x = e->lhs, *c = e->rhs;
    int op = e->op;
    rgc_ty t = type_of(r, x, NULL);
    rg_value v;
    vset u;
    int ok = t.k == RGC_K_SCALAR && universe_of(r, &t, &u) && !constant(r, x, &t, 0, &v) && constant(r, c, &t, 1, &v);
    if (!ok) {
        x = e->rhs, c = e->lhs;
        t = type_of(r, x, NULL);
        ok = t.k == RGC_K_SCALAR && universe_of(r, &t, &u) && !constant(r, x, &t, 1, &v) && constant(r, c, &t, 0, &v);
        flip(&op);
    }
    if (!ok)
        return opaque(r, e);
    int ordered = op != RG_OPR_EQ && op != RG_OPR_NE;
    if (ordered && (t.optional || v == RG_NONE))
        return opaque(r, e);
    vset s;
    switch (op) {
    case RG_OPR_EQ: case RG_OPR_NE: s = vs_range(r, v, v); break;
    case RG_OPR_LT: s = v == RG_NONE + 1 ? vs_make(r, NULL, 0) : vs_range(r, RG_NONE + 1, v - 1); break;
    case RG_OPR_LE: s = vs_range(r, RG_NONE + 1, v); break;
    case RG_OPR_GT: s = v == INT64_MAX ? vs_make(r, NULL, 0) : vs_range(r, v + 1, INT64_MAX); break;
    default: s = vs_range(r, v, INT64_MAX); break;
    }
    formula *f = mk(r, F_IN);
    f->term = term_of(r, x, &t, &u, 0);
    f->set = op == RG_OPR_NE ? vs_minus(r, &u, &s) : vs_meet(r, &u, &s);
    return f;
}

/* `x in [c1, c2, …]` of constants: x ∈ {c1, c2, …}. */
static formula *membership(reasoner *r, rg_expr *e)
{
    if (e->rhs->kind != RG_E_LIST || e->rhs->args.n == 0 || e->rhs->args.n > 256)
        return opaque(r, e);
    rgc_ty t = type_of(r, e->lhs, NULL);
    vset u;
    if (t.k != RGC_K_SCALAR || !universe_of(r, &t, &u))
        return opaque(r, e);
    rgc_ty elem = t;
    elem.optional = 0;
    elem.has_range = 0;
    span s[256];
    for (uint32_t i = 0; i < e->rhs->args.n; i++) {
        rg_value v;
        if (!constant(r, e->rhs->args.v[i], &elem, 1, &v) || v == RG_NONE)
            return opaque(r, e);
        s[i] = (span){v, v};
    }
    vset in = vs_from(r, s, e->rhs->args.n);
    formula *f = mk(r, F_IN);
    f->term = term_of(r, e->lhs, &t, &u, 0);
    f->set = vs_meet(r, &u, &in);
    return f;
}

static formula *read_cond(reasoner *r, rg_expr *e)
{
    if (r->failed)
        return mk(r, F_TRUE);
    switch (e->kind) {
    case RG_E_BOOL:
        return mk(r, e->ival ? F_TRUE : F_FALSE);
    case RG_E_UNARY:
        if (e->op == RG_OPR_NOT) {
            formula *f = mk(r, F_NOT);
            f->a = read_cond(r, e->lhs);
            return f;
        }
        break;
    case RG_E_BINARY:
        switch (e->op) {
        case RG_OPR_AND: case RG_OPR_OR: {
            formula *f = mk(r, e->op == RG_OPR_AND ? F_AND : F_OR);
            f->a = read_cond(r, e->lhs);
            f->b = read_cond(r, e->rhs);
            return f;
        }
        case RG_OPR_EQ: case RG_OPR_NE: case RG_OPR_LT: case RG_OPR_LE: case RG_OPR_GT: case RG_OPR_GE:
            return comparison(r, e);
        case RG_OPR_IN:
            return membership(r, e);
        default:
            break;
        }
        break;
    default:
        break;
    }
    return opaque(r, e);
}

/* ---- satisfiability, by trying each term's telling values ---- */

enum { NO = 0, YES = 1, UNKNOWN = 2 };

static int eval(reasoner *r, const formula *f)
{
    switch (f->k) {
    case F_TRUE: return YES;
    case F_FALSE: return NO;
    case F_IN:
        if (!r->assigned[f->term])
            return UNKNOWN;
        return vs_has(&f->set, r->val[f->term]) ? YES : NO;
    case F_NOT: {
        int a = eval(r, f->a);
        return a == UNKNOWN ? UNKNOWN : !a;
    }
    case F_AND: {
        int a = eval(r, f->a);
        if (a == NO)
            return NO;
        int b = eval(r, f->b);
        return b == NO ? NO : (a == YES && b == YES) ? YES : UNKNOWN;
    }
    case F_OR: {
        int a = eval(r, f->a);
        if (a == YES)
            return YES;
        int b = eval(r, f->b);
        return b == YES ? YES : (a == NO && b == NO) ? NO : UNKNOWN;
    }
    }
    return UNKNOWN;
}

static uint32_t count_spans(const formula *f, uint32_t t)
{
    if (!f)
        return 0;
    return (f->k == F_IN && f->term == t ? f->set.n : 0) + count_spans(f->a, t) + count_spans(f->b, t);
}

static void add_cand(rg_value *c, uint32_t *n, const vset *u, int64_t v)
{
    for (uint32_t i = 0; i < *n; i++)
        if (c[i] == v)
            return;
    if (vs_has(u, v))
        c[(*n)++] = v;
}

static void gather_bounds(const formula *f, uint32_t t, rg_value *c, uint32_t *n, const vset *u)
{
    if (!f)
        return;
    if (f->k == F_IN && f->term == t)
        for (uint32_t i = 0; i < f->set.n; i++) {
            const span *s = &f->set.v[i];
            if (s->lo > RG_NONE + 1)
                add_cand(c, n, u, s->lo - 1);
            add_cand(c, n, u, s->lo);
            if (s->hi != INT64_MAX)
                add_cand(c, n, u, s->hi + 1);
        }
    gather_bounds(f->a, t, c, n, u);
    gather_bounds(f->b, t, c, n, u);
}

/* Values of each term to try, one at least from each stretch of its universe
 * where every condition about it holds alike: a stretch begins where the
 * universe does or where a condition's set begins or ends. The values next
 * to the conditions' bounds come first, so that a case found reads as one
 * the author wrote about. */
static void candidates(reasoner *r, formula *const *fs, uint32_t nf)
{
    for (uint32_t t = 0; t < r->n_terms; t++) {
        const vset *u = &r->terms[t].universe;
        uint32_t cap = u->n + 1;
        int small = 1;
        for (uint32_t i = 0; i < u->n; i++) {
            if (u->v[i].lo == RG_NONE && u->v[i].hi == RG_NONE)
                continue;
            uint64_t width = (uint64_t)u->v[i].hi - (uint64_t)u->v[i].lo;
            if (u->v[i].lo == RG_NONE || width >= 256)
                small = 0;
            else
                cap += (uint32_t)(u->v[i].hi - u->v[i].lo + 1);
        }
        for (uint32_t k = 0; k < nf; k++)
            cap += 3 * count_spans(fs[k], t);
        rg_value *c = rg_arena_alloc(&r->arena, cap * sizeof *c);
        uint32_t n = 0;
        if (small) {
            for (uint32_t i = 0; i < u->n; i++)
                for (int64_t v = u->v[i].lo; v <= u->v[i].hi; v++)
                    c[n++] = v;
        } else {
            for (uint32_t k = 0; k < nf; k++)
                gather_bounds(fs[k], t, c, &n, u);
            add_cand(c, &n, u, 0);
            for (uint32_t i = 0; i < u->n; i++)
                add_cand(c, &n, u, u->v[i].lo);
        }
        r->cands[t] = c;
        r->n_cands[t] = n;
    }
}

/* YES with r->val a case where every formula holds, NO when there is
 * none, UNKNOWN when the search ran out. */
static int search(reasoner *r, formula *const *fs, uint32_t nf, uint32_t next)
{
    if (--r->budget < 0)
        return UNKNOWN;
    int all = YES;
    for (uint32_t k = 0; k < nf; k++) {
        int v = eval(r, fs[k]);
        if (v == NO)
            return NO;
        if (v == UNKNOWN)
            all = UNKNOWN;
    }
    if (all == YES)
        return YES;
    while (next < r->n_terms && r->assigned[next])
        next++;
    if (next == r->n_terms)
        return UNKNOWN; /* cannot happen: every term assigned decides every formula */
    int seen_unknown = 0;
    r->assigned[next] = 1;
    for (uint32_t i = 0; i < r->n_cands[next]; i++) {
        r->val[next] = r->cands[next][i];
        int v = search(r, fs, nf, next + 1);
        if (v == YES)
            return YES;
        if (v == UNKNOWN)
            seen_unknown = 1;
        if (r->budget < 0)
            break;
    }
    r->assigned[next] = 0;
    return seen_unknown || r->budget < 0 ? UNKNOWN : NO;
}

static int satisfiable(reasoner *r, formula *const *fs, uint32_t nf)
{
    memset(r->assigned, 0, sizeof r->assigned);
    candidates(r, fs, nf);
    r->budget = SEARCH_BUDGET;
    return search(r, fs, nf, 0);
}

static formula *negate(reasoner *r, formula *f)
{
    formula *n = mk(r, F_NOT);
    n->a = f;
    return n;
}

/* ---- what is reported ---- */

static void source_text(rgc_pack *pk, rg_loc loc, char *buf, size_t cap)
{
    const rg_source *s = rg_diag_source(pk->diag, loc.file);
    snprintf(buf, cap, "%.*s", (int)(loc.end - loc.start), s->text + loc.start);
}

/* "amount = ¥100, visit.card = false": the case the search found, for the
 * terms the conditions read. */
static void describe_case(reasoner *r, char *buf, size_t cap)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    for (uint32_t t = 0; t < r->n_terms; t++) {
        if (!r->assigned[t])
            continue;
        char what[120], val[64];
        source_text(r->pk, r->terms[t].e->loc, what, sizeof what);
        if (r->terms[t].opaque) {
            rg_sb_printf(&b, "%s", b.n ? _(", ") : "");
            rg_sb_printf(&b, r->val[t] ? _("`%s` is true") : _("`%s` is false"), what);
        } else {
            rgc_value_text(r->pk, &r->terms[t].ty, r->val[t], val, sizeof val);
            rg_sb_printf(&b, "%s%s = %s", b.n ? _(", ") : "", what, val);
        }
    }
}

/* The lines of the earlier arms that match some case f matches. */
static void overlapping_lines(reasoner *r, formula *f, formula **conds, uint32_t before, char *buf, size_t cap,
                              uint32_t *count)
{
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    rg_decl *d = r->im->decl;
    uint32_t lines[64], n = 0;
    for (uint32_t j = 0; j < before && n < 64; j++) {
        formula *both[2] = {f, conds[j]};
        if (conds[j] && satisfiable(r, both, 2) != NO)
            lines[n++] = rgc_line(r->pk, ((rg_arm *)d->rows.v[j])->loc);
    }
    for (uint32_t k = 0; k < n; k++)
        rg_sb_printf(&b, "%s%u", k == 0 ? "" : k + 1 == n ? _(" and ") : _(", "), lines[k]);
    *count = n;
}

static void unreachable(reasoner *r, formula **conds, uint32_t i, formula *f)
{
    rgc_pack *pk = r->pk;
    rg_arm *a = r->im->decl->rows.v[i];
    const char *name = r->im->def->name;
    if (!a->cond) {
        rgc_error(pk, a->loc, _("the arms before it match every case: remove `otherwise`"),
                  _("the otherwise of '%s' is unreachable"), name);
        return;
    }
    char lines[200], hint[400];
    uint32_t count;
    overlapping_lines(r, f, conds, i, lines, sizeof lines, &count);
    if (count == 0)
        snprintf(hint, sizeof hint, "%s", _("its condition can never hold: correct it, or remove the arm"));
    else if (count == 1)
        snprintf(hint, sizeof hint, _("the arm at line %s matches every case this one does: remove this arm, "
                                      "or move it above that one"), lines);
    else
        snprintf(hint, sizeof hint, _("the arms at lines %s together match every case this one does: "
                                      "remove this arm, or move it above them"), lines);
    rgc_error(pk, a->loc, hint, _("this arm of '%s' is unreachable"), name);
}

static void no_otherwise(rgc_pack *pk, rgc_impl *im)
{
    rgc_error(pk, im->decl->loc, _("end it with `otherwise -> VALUE`"), _("decision '%s' has no otherwise"),
              im->def->name);
}

int rgc_check_arms(rgc_pack *pk, rgc_impl *im)
{
    rg_decl *d = im->decl;
    reasoner *r = calloc(1, sizeof *r);
    if (!r)
        return 0;
    r->pk = pk;
    r->im = im;
    uint32_t n = d->rows.n;
    formula **conds = rg_arena_alloc(&r->arena, (n + 1) * sizeof *conds);
    formula **none_before = rg_arena_alloc(&r->arena, (n + 1) * sizeof *none_before);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        rg_arm *a = d->rows.v[i];
        conds[i] = a->cond ? read_cond(r, a->cond) : NULL;
    }
    rg_arm *last = n ? d->rows.v[n - 1] : NULL;
    int has_otherwise = last && !last->cond, covers = 0;
    if (r->failed) {
        if (!has_otherwise)
            no_otherwise(pk, im);
    } else {
        /* arm i is reached when its condition holds and no earlier one does */
        uint32_t nb = 0;
        for (uint32_t i = 0; i < n; i++) {
            rg_arm *a = d->rows.v[i];
            none_before[nb] = a->cond ? conds[i] : mk(r, F_TRUE);
            if (satisfiable(r, none_before, nb + 1) == NO)
                unreachable(r, conds, i, none_before[nb]);
            if (a->cond)
                none_before[nb++] = negate(r, conds[i]);
        }
        int left = satisfiable(r, none_before, nb);
        covers = left == NO;
        if (!has_otherwise && left == YES) {
            char where[400], hint[600];
            describe_case(r, where, sizeof where);
            snprintf(hint, sizeof hint, _("no arm matches when %s: end it with `otherwise -> VALUE`, or add an arm "
                                          "for that case"), where);
            rgc_error(pk, d->loc, hint, _("decision '%s' has no otherwise, and its arms do not cover every case"),
                      im->def->name);
        } else if (!has_otherwise && left == UNKNOWN) {
            no_otherwise(pk, im);
        }
    }
    rg_arena_free(&r->arena);
    free(r);
    return covers;
}
