/* expr.c — expressions: name resolution, typing and code generation in one
 * walk (writing no code during the check pass). Knows the language's typing rules; it does
 * not decide which definitions exist (defs.c) or how tables match (tables.c). */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "opcodes.h"
#include "text.h"
#include "i18n.h"

static const rgc_ty T_ERROR = {.k = RGC_K_ERROR};

static rgc_ty ty_k(rgc_kind k, uint32_t aux)
{
    rgc_ty t = {.k = (uint8_t)k, .aux = aux};
    return t;
}

static int is_scalar(const rgc_ty *t, rg_type_kind k)
{
    return t->k == RGC_K_SCALAR && t->scalar == k;
}

static int is_err(const rgc_ty *t)
{
    return t->k == RGC_K_ERROR;
}

static void name_of(rgc_pack *pk, const rgc_ty *t, char *buf)
{
    rgc_ty_name(pk, t, buf, 96);
}

/* ---- names ---- */

static int builtin_cheap(const char *name);

static void unknown_name(rgc_pack *pk, rg_expr *e)
{
    const rgc_policy *here = pk->cur.policy ? pk->cur.policy : pk->root;
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (!d->hidden && d->owner && strcmp(d->name, e->name) == 0 && !rgc_policy_within(here, d->owner)) {
            const rg_source *src = rg_diag_source(pk->diag, d->root->name_loc.file);
            char hint[300];
            snprintf(hint, sizeof hint, _("%s is not among them: declare it in %s, or in a policy that both extend"),
                     here->name, here->name);
            rgc_error_related(pk, e->loc, hint, d->root->name_loc, _("declared here"),
                              _("'%s' is declared by %s (%s:%u) for itself and the regions under it"), e->name,
                      d->owner->name, src ? src->path : "?", rgc_line(pk, d->root->name_loc));
            return;
        }
    }
    /* a loop's variable written short (`it` for `item`) is the likeliest meaning */
    size_t len = strlen(e->name);
    for (uint32_t i = pk->cur.n_scope; len >= 2 && i-- > 0;)
        if (strncmp(pk->cur.scope[i].name, e->name, len) == 0) {
            char hint[160];
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), pk->cur.scope[i].name);
            rgc_error(pk, e->loc, hint, _("unknown name '%s'"), e->name);
            return;
        }
    rg_vec cands = {0};
    const rgc_def *self = pk->cur.impl ? pk->cur.impl->def : NULL; /* not the definition being written */
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (!d->per_item && !d->hidden && d != self && (!d->owner || rgc_policy_within(here, d->owner)))
            rg_vec_push(&cands, (void *)d->name);
    }
    for (uint32_t i = 0; i < pk->cur.n_scope; i++)
        rg_vec_push(&cands, (void *)pk->cur.scope[i].name);
    rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_fields; i++)
        if (p->fields[i].parent < 0)
            rg_vec_push(&cands, (void *)rgc_str_text(pk, p->fields[i].key));
    for (uint32_t i = 0; i < p->n_ledger_scopes; i++)
        rg_vec_push(&cands, (void *)rgc_str_text(pk, p->ledger_scopes[i].name));
    for (uint32_t i = 0; i < p->n_member_names; i++)
        rg_vec_push(&cands, (void *)rgc_str_text(pk, p->member_names[i]));
    for (uint32_t i = 0; i < pk->policies.n; i++)
        rg_vec_push(&cands, (void *)((rgc_policy *)pk->policies.v[i])->name);
    for (uint32_t i = 0; i < pk->catalog_decls.n; i++)
        rg_vec_push(&cands, (void *)((rg_decl *)pk->catalog_decls.v[i])->name);
    for (uint32_t i = 0; i < pk->bracket_decls.n; i++)
        rg_vec_push(&cands, (void *)((rg_decl *)pk->bracket_decls.v[i])->name);
    const char *best = rgc_closest(e->name, (const char *const *)cands.v, cands.n);
    char hint[160];
    if (best)
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best);
    rgc_error(pk, e->loc, best ? hint : _("define it with `def` or `param`, or check the spelling"),
              _("unknown name '%s'"), e->name);
    rg_vec_free(&cands);
}

static void push_once(rg_vec *v, void *x)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->v[i] == x)
            return;
    rg_vec_push(v, x);
}

static void note_dep(rgc_pack *pk, rgc_def *d)
{
    rgc_impl *im = pk->cur.impl;
    if (!im)
        return;
    push_once(&im->deps, d);
    if (!pk->cur.cond_depth)
        push_once(&im->strict_deps, d);
}

/* A question whose answer depends on the policy whose plan this is
 * (rgc_seen_answer), answered, and noted for plan_memo.c: whether, and what
 * in *answer when answer is not NULL. */
static int seen(rgc_pack *pk, rgc_seen_kind kind, const void *key, uint32_t a, uint32_t b, uint64_t *answer)
{
    uint64_t what = 0;
    int yes = rgc_seen_answer(pk, kind, key, a, b, &what);
    /* not noted where every policy gets the same answer: a name no region
     * declares a definition of, a member or ledger of the base policy, a
     * parameter's constancy over every policy */
    uint32_t e;
    int depends = kind == RGC_SEEN_DEF      ? (e = rgc_names_find(&pk->def_names, key)) != RG_NO_INDEX &&
                                                  (pk->def_names.ents[e].next != RG_NO_INDEX ||
                                                   ((rgc_def *)pk->defs.v[pk->def_names.ents[e].value])->owner)
                  : kind == RGC_SEEN_MEMBER ? rgc_last_owner(pk, a, b) != RG_NO_INDEX
                  : kind == RGC_SEEN_LEDGER ? key != pk->root
                  : kind == RGC_SEEN_PCONST ? pk->cur.plan_policy != NULL
                                            : 1;
    if (depends)
        rgc_seen(pk, kind, key, a, b, yes, what);
    if (answer)
        *answer = what;
    return yes;
}

/* Implementation im of a parameter of scalar type want is a literal: its value in *v. */
static int literal_impl(rgc_pack *pk, const rgc_ty *want, const rgc_impl *im, rg_value *v)
{
    rg_expr *x = im->decl ? im->decl->value : NULL;
    if (!x)
        return 0;
    rg_expr *lit = x->kind == RG_E_UNARY && x->op == RG_OPR_NEG ? x->lhs : x;
    /* literals, and members of the parameter's enumeration (which a name
     * of that type means before anything else) */
    if (!((lit->kind >= RG_E_INT && lit->kind <= RG_E_BOOL) || lit->kind == RG_E_NONE ||
          (lit == x && lit->kind == RG_E_NAME && is_scalar(want, RG_T_ENUM) &&
           rgc_enum_member(pk, want->aux, lit->name) >= 0)))
        return 0;
    rgc_ty t;
    return rgc_const_expr(pk, x, want, v, &t, 0) == 0;
}

/* Is implementation im of a parameter a literal, the same as those seen
 * before it (*seen)? Its value in *v. */
static int same_literal(rgc_pack *pk, const rgc_ty *want, const rgc_impl *im, rg_value *v, int *seen)
{
    rg_value x = 0;
    int ok = literal_impl(pk, want, im, &x) && (!*seen || x == *v);
    *v = x;
    *seen = 1;
    return ok;
}

/* A parameter whose every implementation — in every policy and version —
 * is the same literal: its value in *v. Reading it needs no lookup, in any
 * policy (LOAD_PCONST). Inside a policy's plan, the implementations of that
 * policy alone count: the plan runs for no other. */
static int param_constant(rgc_pack *pk, rgc_def *d, rg_value *v)
{
    if (d->kind != RG_DEF_PARAM || d->per_item)
        return 0;
    rgc_ty want = rgc_def_type(pk, d);
    if (want.k != RGC_K_SCALAR)
        return 0;
    if (!pk->cur.plan_policy && d->constant) { /* every policy's: the same answer each time (the implementations are all made) */
        *v = d->constant_value;
        return d->constant > 0;
    }
    int seen = 0, ok = 1;
    if (pk->cur.plan_policy) { /* the plan's policy's implementations */
        rgc_impls it = rgc_impls_of(pk->cur.plan_policy, d->slot);
        for (const rgc_impl *im; ok && (im = rgc_impls_next(&it));)
            ok = same_literal(pk, &want, im, v, &seen);
    } else { /* every one of d */
        for (const rgc_impl *im = d->first_impl; im && ok; im = im->next_of_def)
            ok = same_literal(pk, &want, im, v, &seen);
    }
    if (!pk->cur.plan_policy) {
        d->constant = ok && seen ? 1 : -1;
        d->constant_value = *v;
    }
    return ok && seen;
}

/* Cost of a definition's body, in nodes (a path of fields counts as its
 * root), when it is small enough to compute again at a reader: no
 * aggregates, lists, catalog look-ups or host calls (no locals, nothing
 * costlier than the call it saves); -1 when it is not. Arithmetic and pct
 * may fail: the error names the same line as the call would have, the body
 * being compiled with its own lines. */
#define RGC_INLINE_ANY 3   /* at most this: inlined at every reader */
#define RGC_INLINE_ONE 12  /* at most this: inlined at its only reader */
static int small_body(const rg_expr *e, int n)
{
    if (!e || n < 0)
        return -1;
    if (e->kind == RG_E_FIELD)
        return small_body(e->lhs, n);
    if (++n > RGC_INLINE_ONE)
        return -1;
    switch (e->kind) {
    case RG_E_INT: case RG_E_MONEY: case RG_E_PERCENT: case RG_E_DATE: case RG_E_DURATION: case RG_E_BOOL:
    case RG_E_NONE: case RG_E_NAME:
        return n;
    case RG_E_UNARY:
        return small_body(e->lhs, n);
    case RG_E_BINARY:
        switch (e->op) {
        case RG_OPR_EQ: case RG_OPR_NE: case RG_OPR_LT: case RG_OPR_LE: case RG_OPR_GT: case RG_OPR_GE:
        case RG_OPR_AND: case RG_OPR_OR: case RG_OPR_COALESCE: case RG_OPR_ADD: case RG_OPR_SUB: case RG_OPR_MUL:
            return small_body(e->rhs, small_body(e->lhs, n));
        default:
            return -1;
        }
    case RG_E_IF:
        return small_body(e->rhs, small_body(e->lhs, small_body(e->cond, n)));
    case RG_E_CALL:
        if (!builtin_cheap(e->name))
            return -1;
        for (uint32_t i = 0; i < e->args.n; i++)
            n = small_body(e->args.v[i], n);
        return n;
    default:
        return -1;
    }
}

/* The body of definition d when a read of it may be compiled as that body:
 * a plain `def` of a value, small, with one implementation in the whole pack
 * (no policy overrides it, no version changes it: the same code whatever the
 * claim's policy and date — a REPL override is an implementation too), read
 * in the emit pass. Reading it again is safe, definitions being pure. */
static rg_expr *inline_body(rgc_pack *pk, rgc_def *d)
{
    if (!rgc_writes_code(pk) || d->kind != RG_DEF_DEF || d->hidden || d->output || pk->cur.inline_depth >= 2)
        return NULL;
    rgc_ty t = rgc_def_type(pk, d);
    if (t.k != RGC_K_SCALAR || t.scalar == RG_T_ROW)
        return NULL;
    rgc_impl *only = NULL;
    if (d->n_impls == 1 && d->first_impl->policy == pk->root && !d->first_impl->version)
        only = d->first_impl;
    if (!only || !only->decl)
        return NULL;
    int cost = small_body(only->decl->value, 0);
    /* a larger body only where it is read once: at its only reader, and not
     * from a place that runs once per item when it is computed once a claim */
    if (cost < 0 || (cost > RGC_INLINE_ANY &&
                     (d->n_reads != 1 || (!d->per_item && (pk->cur.in_each || pk->cur.n_scope)))))
        return NULL;
    return only->decl->value;
}

/* Is d computed at its readers (a read in a claim-level context, not inside
 * an aggregate, compiles its body)? A plan need not compute it ahead. */
int rgc_def_inlined(rgc_pack *pk, rgc_def *d)
{
    if (d->inlined && rgc_writes_code(pk)) /* the code pass's answer, the same each time it asks */
        return d->inlined > 0;
    /* inline_body only reads these: not all of pk->cur (368 bytes) copied twice, 212,000 calls for 300 cities */
    __typeof__(pk->cur.in_each) in_each = pk->cur.in_each;
    __typeof__(pk->cur.n_scope) n_scope = pk->cur.n_scope;
    __typeof__(pk->cur.inline_depth) inline_depth = pk->cur.inline_depth;
    pk->cur.in_each = 0;
    pk->cur.n_scope = 0;
    pk->cur.inline_depth = 0;
    int r = inline_body(pk, d) != NULL;
    pk->cur.in_each = in_each;
    pk->cur.n_scope = n_scope;
    pk->cur.inline_depth = inline_depth;
    if (rgc_writes_code(pk))
        d->inlined = r ? 1 : -1;
    return r;
}

/* Read d by computing its body here, then TRACE_DEF (which, explaining,
 * records the step a call would have recorded). */
static void inline_def(rgc_pack *pk, rgc_def *d, rg_expr *body, uint32_t rowsrc)
{
    if (pk->plan_memo)
        rgc_plan_memo_line_read(pk); /* the line it goes back to is the one it is at */
    __typeof__(pk->cur) saved = pk->cur;
    pk->cur.inline_depth++;
    pk->cur.in_each = 0;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
    if (d->per_item)
        rgc_bind_each(pk, d->root->each ? d->root->each->var : "item", d->list, rowsrc);
    rgc_ty want = rgc_def_type(pk, d);
    rgc_expr(pk, body, &want);
    if (!pk->cur.plan_local) /* a plan never runs when explaining */
        rgc_emit(pk, RG_OP_TRACE_DEF, d->slot, d->per_item ? rowsrc : RG_ROW_OF_FRAME);
    /* back to the reader's scope; what follows is reported at the reader's line */
    uint32_t n_locals = pk->cur.n_locals;
    int depth = pk->cur.depth, max_depth = pk->cur.max_depth;
    saved.n_locals = n_locals;
    saved.depth = depth;
    saved.max_depth = max_depth;
    int known = saved.line_known;
    uint32_t line = saved.last_line, file = saved.last_file;
    saved.line_known = pk->cur.line_known;
    saved.last_line = pk->cur.last_line;
    saved.last_file = pk->cur.last_file;
    pk->cur = saved;
    if (known)
        rgc_set_line(pk, line, file);
}

static rgc_ty load_def(rgc_pack *pk, rg_expr *e, rgc_def *d, uint32_t rowsrc)
{
    if (pk->cur.claim_only) {
        rgc_error(pk, e->loc, _("use claim fields only here"), _("%s cannot read the definition '%s'"),
                  pk->cur.claim_only_what, d->name);
        return T_ERROR;
    }
    note_dep(pk, d);
    if (rgc_counts_reads(pk))
        d->n_reads++;
    rgc_ty t = rgc_def_type(pk, d);
    uint64_t local = RG_NO_INDEX;
    if (pk->cur.plan_local)
        seen(pk, RGC_SEEN_LOCAL, NULL, d->slot, 0, &local);
    if (local != RG_NO_INDEX && (!d->per_item || rowsrc == pk->cur.plan_row)) {
        /* a plan computed it already, into a local */
        rgc_emit(pk, RG_OP_LOAD_LOCAL, (uint32_t)local, 0);
        return t;
    }
    uint64_t v = 0;
    rg_expr *body = inline_body(pk, d);
    if (body)
        inline_def(pk, d, body, rowsrc);
    else if (d->per_item)
        rgc_emit(pk, RG_OP_LOAD_IDEF, d->slot, rowsrc);
    else if (seen(pk, RGC_SEEN_PCONST, d, 0, 0, &v))
        rgc_emit(pk, RG_OP_LOAD_PCONST, d->slot, rgc_const(pk, (rg_value)v));
    else
        rgc_emit(pk, RG_OP_LOAD_DEF, d->slot, 0);
    return t;
}

static rgc_ty field_type(rgc_pack *pk, uint32_t fi, int parent_optional)
{
    const rg_field *f = &pk->prog->fields[fi];
    rgc_ty t;
    rg_type_kind k = RG_TYPE_KIND(f->type);
    if (k == RG_T_RECORD)
        t = ty_k(RGC_K_RECORD, fi);
    else if (k == RG_T_LIST)
        t = ty_k(RGC_K_ITEMS, fi);
    else {
        t = rgc_ty_from_packed(f->type);
        t.has_range = f->has_range;
        t.lo = f->lo;
        t.hi = f->hi;
    }
    /* a default fills an absent value; a condition may leave it absent */
    t.optional = (uint8_t)(((f->optional || f->cond_op) && !f->has_default) || parent_optional);
    return t;
}

/* The element field of a list of plain values (key ""), or RG_NO_INDEX. */
static uint32_t plain_elem(rgc_pack *pk, uint32_t lf)
{
    const rg_program *p = pk->prog;
    if (lf + 1 < p->n_fields && p->fields[lf + 1].parent == (int32_t)lf && rgc_str_text(pk, p->fields[lf + 1].key)[0] == '\0')
        return lf + 1;
    return RG_NO_INDEX;
}

/* A bound element variable: for a list of plain values its value, else the element (a place). */
static rgc_ty bound_elem(rgc_pack *pk, const rgc_binding *b)
{
    uint32_t ef = plain_elem(pk, b->list);
    if (ef != RG_NO_INDEX) {
        rgc_ty t = rgc_ty_from_packed(pk->prog->fields[ef].type);
        rgc_emit(pk, RG_OP_LOAD_IFIELD, pk->prog->fields[ef].slot, b->local);
        return t;
    }
    rgc_ty t = ty_k(RGC_K_ITEM, b->local);
    t.list = b->list;
    return t;
}

/* A claim field used as a value: scalars are loaded; records and the list are
 * places whose fields are read next. */
static rgc_ty use_field(rgc_pack *pk, rg_expr *e, uint32_t fi, int parent_optional, uint32_t rowsrc)
{
    rgc_ty t = field_type(pk, fi, parent_optional);
    const rg_field *f = &pk->prog->fields[fi];
    if (t.k == RGC_K_SCALAR) {
        if (f->in_list)
            rgc_emit(pk, RG_OP_LOAD_IFIELD, f->slot, rowsrc);
        else
            rgc_emit(pk, RG_OP_LOAD_FIELD, f->slot, 0);
    }
    (void)e;
    return t;
}

/* Member m of enumeration en, named by e: one a region added is known in that region and those under it. */
static int member_here(rgc_pack *pk, rg_expr *e, uint32_t en, uint32_t m)
{
    if (seen(pk, RGC_SEEN_MEMBER, NULL, en, m, NULL))
        return 1;
    uint32_t last = rgc_last_owner(pk, en, m);
    const char *who = last != RG_NO_INDEX ? rgc_owner_policy(pk, last)->name : _("another region");
    const char *here = pk->cur.policy ? pk->cur.policy->name : pk->root->name;
    char hint[200];
    snprintf(hint, sizeof hint, _("%s adds it to '%s' for itself and the regions under it; %s is not one of them"), who,
             rgc_str_text(pk, pk->prog->enums[en].name), here);
    rgc_error(pk, e->loc, hint, _("%s has no '%s'"), here, e->name);
    return 0;
}

static rgc_ty enum_member(rgc_pack *pk, rg_expr *e, const rgc_ty *expect, int *found)
{
    rg_program *p = pk->prog;
    *found = 0;
    if (expect && is_scalar(expect, RG_T_ENUM)) {
        int m = rgc_enum_member(pk, expect->aux, e->name);
        if (m >= 0 && !member_here(pk, e, expect->aux, (uint32_t)m)) {
            *found = 1;
            return T_ERROR;
        }
        if (m >= 0) {
            *found = 1;
            rgc_emit_value(pk, m);
            rgc_ty t = rgc_ty_scalar(RG_T_ENUM);
            t.aux = expect->aux;
            return t;
        }
    }
    int hits = 0;
    uint32_t en = 0;
    int mem = -1;
    for (uint32_t i = 0; i < p->n_enums; i++) {
        int m = rgc_enum_member(pk, i, e->name);
        if (m >= 0) {
            hits++;
            en = i;
            mem = m;
        }
    }
    if (hits == 0)
        return T_ERROR;
    *found = 1;
    if (hits > 1) {
        rgc_error(pk, e->loc, _("compare it with a value of the enumeration you mean"),
                  _("'%s' is a member of several enumerations"), e->name);
        return T_ERROR;
    }
    if (!member_here(pk, e, en, (uint32_t)mem))
        return T_ERROR;
    rgc_emit_value(pk, mem);
    rgc_ty t = rgc_ty_scalar(RG_T_ENUM);
    t.aux = en;
    return t;
}

static rgc_ty name_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect)
{
    const char *n = e->name;
    /* 1. bound element variables, innermost first */
    for (uint32_t i = pk->cur.n_scope; i-- > 0;)
        if (strcmp(pk->cur.scope[i].name, n) == 0)
            return bound_elem(pk, &pk->cur.scope[i]);
    /* 2. where an enumeration is expected, its members come first */
    if (expect && is_scalar(expect, RG_T_ENUM) && rgc_enum_member(pk, expect->aux, n) >= 0) {
        int found;
        return enum_member(pk, e, expect, &found);
    }
    /* 3. definitions; inside `for x in LIST`, x's per-element siblings too */
    uint64_t found_def = 0;
    seen(pk, RGC_SEEN_DEF, n, 0, 0, &found_def);
    rgc_def *d = (rgc_def *)(uintptr_t)found_def;
    if (d && (!d->per_item || (pk->cur.in_each && d->list == pk->cur.each_list)))
        return load_def(pk, e, d, pk->cur.each_row);
    if (d && d->per_item) {
        char hint[200];
        const char *lp = rgc_str_text(pk, pk->prog->fields[d->list].path);
        snprintf(hint, sizeof hint, _("read it for an element: x.%s with x an element of %s (`for x in %s`, `sum … for x in %s`)"),
                 n, lp, lp, lp);
        rgc_error(pk, e->loc, hint, _("'%s' is defined for each element of %s"), n, lp);
        return T_ERROR;
    }
    /* 4. the claim and its top-level fields */
    if (strcmp(n, "claim") == 0)
        return ty_k(RGC_K_RECORD, RG_NO_INDEX);
    uint32_t fi = rgc_child_field(pk, -1, n);
    if (fi != RG_NO_INDEX)
        return use_field(pk, e, fi, 0, RG_ROW_OF_FRAME);
    /* 5. ledger scopes, catalogs, brackets */
    rg_program *p = pk->prog;
    uint32_t scope = rgc_names_find(&pk->ledger_names, n);
    if (scope != RG_NO_INDEX) {
        uint32_t i = pk->ledger_names.ents[scope].value;
        if (pk->cur.claim_only) {
            rgc_error(pk, e->loc, NULL, _("%s cannot read the ledger"), pk->cur.claim_only_what);
            return T_ERROR;
        }
        rgc_policy *owner = pk->policies.v[p->ledger_scopes[i].owner];
        rgc_policy *here = pk->cur.policy ? pk->cur.policy : pk->root;
        if (!seen(pk, RGC_SEEN_LEDGER, owner, 0, 0, NULL)) {
            char hint[200];
            snprintf(hint, sizeof hint, _("read it in %s or a region under it"), owner->name);
            rgc_error(pk, e->loc, hint, _("the ledger '%s' belongs to %s and the regions under it, not to %s"), n,
                      owner->name, here->name);
            return T_ERROR;
        }
        return ty_k(RGC_K_LEDGER, i);
    }
    for (uint32_t i = 0; i < pk->catalog_decls.n; i++)
        if (strcmp(((rg_decl *)pk->catalog_decls.v[i])->name, n) == 0)
            return ty_k(RGC_K_CATALOG, i);
    for (uint32_t i = 0; i < pk->bracket_decls.n; i++)
        if (strcmp(((rg_decl *)pk->bracket_decls.v[i])->name, n) == 0)
            return ty_k(RGC_K_BRACKETS, i);
    /* 6. regions and enumeration members */
    int pol = rgc_policy_index(pk, n);
    if (pol >= 0) {
        rgc_emit_value(pk, pol);
        return rgc_ty_scalar(RG_T_REGION);
    }
    int found;
    rgc_ty t = enum_member(pk, e, expect, &found);
    if (found)
        return t;
    unknown_name(pk, e);
    return T_ERROR;
}

/* The per-element definition n of list field list the current policy sees, or NULL. */
static rgc_def *per_elem_def(rgc_pack *pk, const char *n, uint32_t list)
{
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (d->per_item && d->list == list && strcmp(d->name, n) == 0 &&
            (!d->owner || rgc_policy_within(pk->cur.policy ? pk->cur.policy : pk->root, d->owner)))
            return d;
    }
    return NULL;
}

int rgc_seen_answer(rgc_pack *pk, rgc_seen_kind kind, const void *key, uint32_t a, uint32_t b, uint64_t *answer)
{
    const rgc_policy *here = pk->cur.policy ? pk->cur.policy : pk->root;
    rg_value v = 0;
    int yes = 0;
    switch (kind) {
    case RGC_SEEN_DEF: *answer = (uintptr_t)rgc_find_def_in(pk, key, pk->cur.policy); return *answer != 0;
    case RGC_SEEN_ELEM_DEF: *answer = (uintptr_t)per_elem_def(pk, key, a); return *answer != 0;
    case RGC_SEEN_MEMBER: *answer = 0; return rgc_member_visible(pk, a, b, pk->cur.policy);
    case RGC_SEEN_LEDGER: *answer = 0; return rgc_policy_within(here, key);
    case RGC_SEEN_PCONST: yes = param_constant(pk, (rgc_def *)(uintptr_t)key, &v); *answer = yes ? (uint64_t)v : 0; return yes;
    case RGC_SEEN_LOCAL: *answer = pk->cur.plan_local[a]; return *answer != RG_NO_INDEX;
    }
    return 0;
}

static rgc_ty field_expr(rgc_pack *pk, rg_expr *e)
{
    rgc_ty l = rgc_expr(pk, e->lhs, NULL);
    if (is_err(&l))
        return l;
    rg_program *p = pk->prog;
    const char *n = e->name;
    char tn[96];
    rg_vec cands = {0};
    if (l.k == RGC_K_RECORD) {
        int32_t parent = l.aux == RG_NO_INDEX ? -1 : (int32_t)l.aux;
        uint32_t fi = rgc_child_field(pk, parent, n);
        if (fi != RG_NO_INDEX)
            return use_field(pk, e, fi, l.optional, pk->cur.each_row);
        for (uint32_t i = 0; i < p->n_fields; i++)
            if (p->fields[i].parent == parent)
                rg_vec_push(&cands, (void *)rgc_str_text(pk, p->fields[i].key));
    } else if (l.k == RGC_K_ITEM || is_scalar(&l, RG_T_ELEM)) {
        /* an element: a field of its record, or a per-element definition of its list */
        int value = l.k != RGC_K_ITEM;
        uint32_t list = value ? l.aux : l.list;
        uint32_t fi = rgc_child_field(pk, (int32_t)list, n);
        uint64_t elem_def = 0;
        if (fi == RG_NO_INDEX)
            seen(pk, RGC_SEEN_ELEM_DEF, n, list, 0, &elem_def);
        rgc_def *d = (rgc_def *)(uintptr_t)elem_def;
        if (value && (fi != RG_NO_INDEX || d)) {
            if (fi != RG_NO_INDEX) {
                rgc_ty t = field_type(pk, fi, l.optional);
                if (t.k == RGC_K_SCALAR)
                    rgc_emit(pk, RG_OP_ELEM_FIELD, p->fields[fi].slot, 0);
                return t;
            }
            /* LOAD_IDEF reads the row from a local (absent: absent) */
            uint32_t tmp = rgc_local(pk);
            rgc_emit(pk, RG_OP_STORE_LOCAL, tmp, 0);
            rgc_ty t = load_def(pk, e, d, tmp);
            t.optional |= l.optional;
            return t;
        }
        if (fi != RG_NO_INDEX)
            return use_field(pk, e, fi, 0, l.aux);
        if (d)
            return load_def(pk, e, d, l.aux);
        for (uint32_t i = 0; i < p->n_fields; i++)
            if (p->fields[i].parent == (int32_t)list)
                rg_vec_push(&cands, (void *)rgc_str_text(pk, p->fields[i].key));
        for (uint32_t i = 0; i < pk->defs.n; i++)
            if (((rgc_def *)pk->defs.v[i])->per_item && ((rgc_def *)pk->defs.v[i])->list == list)
                rg_vec_push(&cands, (void *)((rgc_def *)pk->defs.v[i])->name);
    } else if (l.k == RGC_K_LEDGER) {
        const rg_ledger_scope *s = &p->ledger_scopes[l.aux];
        for (uint32_t i = 0; i < s->n_fields; i++) {
            const rg_ledger_field *f = &p->ledger_fields[s->first_field + i];
            if (strcmp(rgc_str_text(pk, f->name), n) == 0) {
                rg_vec_free(&cands); /* it holds the fields before this one */
                if (rgc_counts_reads(pk) && !pk->cur.impl->ledger_at.end)
                    pk->cur.impl->ledger_at = e->loc;
                rgc_emit(pk, RG_OP_LOAD_LEDGER, s->first_field + i, 0);
                return rgc_ty_from_packed(f->type);
            }
            rg_vec_push(&cands, (void *)rgc_str_text(pk, f->name));
        }
    } else if (is_scalar(&l, RG_T_ROW)) {
        const rg_catalog *c = &p->catalogs[l.aux];
        for (uint32_t i = 0; i < c->n_columns; i++) {
            const rg_column *col = &p->columns[c->first_column + i];
            if (strcmp(rgc_str_text(pk, col->name), n) == 0) {
                rg_vec_free(&cands); /* it holds the columns before this one */
                rgc_emit(pk, RG_OP_CAT_COL, l.aux, i);
                rgc_ty t = rgc_ty_from_packed(col->type);
                t.optional = 1;
                return t;
            }
            rg_vec_push(&cands, (void *)rgc_str_text(pk, col->name));
        }
    } else {
        name_of(pk, &l, tn);
        rgc_error(pk, e->loc, NULL, _("a value of type %s has no fields (no '.%s')"), tn, n);
        return T_ERROR;
    }
    const char *best = rgc_closest(n, (const char *const *)cands.v, cands.n);
    char hint[160];
    if (best)
        snprintf(hint, sizeof hint, _("did you mean '%s'?"), best);
    name_of(pk, &l, tn);
    rgc_error(pk, e->loc, best ? hint : NULL, _("%s has no field '%s'"), tn, n);
    rg_vec_free(&cands);
    return T_ERROR;
}

/* ---- operators ---- */

static int numeric(const rgc_ty *t)
{
    if (t->k != RGC_K_SCALAR)
        return 0;
    switch (t->scalar) {
    case RG_T_INT: case RG_T_MONEY: case RG_T_PERCENT: case RG_T_DURATION:
        return 1;
    default:
        return 0;
    }
}

static int orderable(const rgc_ty *t)
{
    return numeric(t) || is_scalar(t, RG_T_DATE);
}

static int needs_value(rgc_pack *pk, const rgc_ty *t, rg_expr *e)
{
    if (is_err(t))
        return 0;
    if (t->k != RGC_K_SCALAR) {
        char tn[96];
        name_of(pk, t, tn);
        rgc_error(pk, e->loc, NULL, _("%s is not a value here"), tn);
        return 0;
    }
    if (t->optional) {
        rgc_error(pk, e->loc, _("give a value for when it is absent: EXPR ?? default"),
                  _("this value may be absent (none) and cannot be used in arithmetic or ordering"));
        return 0;
    }
    return 1;
}

static const char *op_text[] = {"+", "-", "*", "/", "-", "not", "==", "!=", "<", "<=", ">", ">=",
                                "and", "or", "??", "in", "not in"};

static void mismatch(rgc_pack *pk, rg_expr *e, const rgc_ty *a, const rgc_ty *b, const char *hint)
{
    char an[96], bn[96];
    name_of(pk, a, an);
    name_of(pk, b, bn);
    if (!hint) {
        switch (e->op) {
        case RG_OPR_COALESCE: hint = _("after ??, give a value of the type before it, for when that one is absent"); break;
        case RG_OPR_IN: case RG_OPR_NOT_IN: hint = _("look for a value of the list's type: x in [a, b], x in visit.documents"); break;
        case RG_OPR_EQ: case RG_OPR_NE: case RG_OPR_LT: case RG_OPR_LE: case RG_OPR_GT: case RG_OPR_GE:
            if ((is_scalar(a, RG_T_DATE) && is_scalar(b, RG_T_INT)) || (is_scalar(a, RG_T_INT) && is_scalar(b, RG_T_DATE)))
                hint = _("write a date with four, two and two digits: 2024-01-05 (2024-1-5 is a subtraction)");
            else
                hint = _("compare two values of one type; `== none` and `!= none` test whether one is absent");
            break;
        default: hint = _("docs/language.md, \"Expressions\", lists the types each operator takes"); break;
        }
    }
    rgc_error(pk, e->loc, hint, _("type mismatch: %s %s %s"), an, op_text[e->op], bn);
}

/* The common type of two branches (if/else, min/max, decision arms). */
static int unify(const rgc_ty *a, const rgc_ty *b, rgc_ty *out)
{
    if (a->k == RGC_K_NONE) {
        *out = *b;
        out->optional = 1;
        return b->k == RGC_K_SCALAR || b->k == RGC_K_NONE;
    }
    if (b->k == RGC_K_NONE) {
        *out = *a;
        out->optional = 1;
        return a->k == RGC_K_SCALAR;
    }
    if (!rgc_ty_same(a, b))
        return 0;
    *out = *a;
    out->optional = a->optional || b->optional;
    out->has_range = 0;
    return 1;
}

static rgc_ty cond_expr(rgc_pack *pk, rg_expr *e);

rgc_ty rgc_cond(rgc_pack *pk, rg_expr *e)
{
    return cond_expr(pk, e);
}

static rgc_ty cond_expr(rgc_pack *pk, rg_expr *e)
{
    rgc_ty b = rgc_ty_scalar(RG_T_BOOL);
    rgc_ty t = rgc_expr(pk, e, &b);
    if (is_err(&t))
        return t;
    if (!is_scalar(&t, RG_T_BOOL) || t.optional) {
        char tn[96];
        name_of(pk, &t, tn);
        rgc_error(pk, e->loc, t.optional && is_scalar(&t, RG_T_BOOL)
                                  ? _("say what it is when absent: `(…) ?? false`")
                                  : _("write a test that is true or false: `x > ¥0`, `x == none`, `a and b`"),
                  _("a condition must be a bool, this is %s"), tn);
        return T_ERROR;
    }
    return t;
}

static rgc_ty list_literal(rgc_pack *pk, rg_expr *e, const rgc_ty *elem_expect)
{
    rg_value vals[256];
    rgc_ty elem = elem_expect ? *elem_expect : T_ERROR;
    int have = elem_expect != NULL;
    if (e->args.n > 256) {
        rgc_error(pk, e->loc, NULL, _("a list literal has at most 256 elements"));
        return T_ERROR;
    }
    for (uint32_t i = 0; i < e->args.n; i++) {
        rgc_ty t;
        rg_expr *x = e->args.v[i];
        if (x->kind == RG_E_STRING) { /* its value is its number among the pack's strings (IN_LISTS) */
            t = rgc_ty_scalar(RG_T_STRING);
            vals[i] = rgc_writes_code(pk) ? rgc_str(pk, x->text) : 0;
        } else if (have && is_scalar(&elem, RG_T_STRING)) {
            rgc_error(pk, x->loc, _("write each element as a string literal: x in [\"a\", \"b\"]"),
                      _("list elements must all be string literals, this one is not"));
            return T_ERROR;
        } else if (rgc_const_expr(pk, x, have ? &elem : NULL, &vals[i], &t, 1) != 0) {
            return T_ERROR;
        }
        if (!have) {
            elem = t;
            have = 1;
        } else if (!rgc_ty_same(&elem, &t)) {
            char a[96], b[96];
            name_of(pk, &elem, a);
            name_of(pk, &t, b);
            char hint[200];
            snprintf(hint, sizeof hint, _("write an element of type %s here, as the list's other elements are"), a);
            rgc_error(pk, ((rg_expr *)e->args.v[i])->loc, hint, _("list elements must all be %s, this one is %s"), a,
                      b);
            return T_ERROR;
        }
    }
    if (!have) {
        rgc_error(pk, e->loc, _("give the list a declared type, e.g. `param p: list of region = []`"),
                  _("the type of an empty list is not known here"));
        return T_ERROR;
    }
    uint32_t id = 0;
    if (rgc_writes_code(pk)) {
        rg_list l = {pk->prog->n_list_values, e->args.n, rgc_ty_pack(&elem)};
        rgc_push_list_values(pk, vals, e->args.n);
        id = rgc_push_lists(pk, &l, 1);
    }
    rgc_ty t = rgc_ty_scalar(RG_T_LIST);
    t.aux = rgc_ty_pack(&elem);
    t.k = RGC_K_SCALAR;
    (void)id;
    e->ival = id;
    return t;
}

/* x in a list of plain values of the claim (x on the stack): any element equal to it. */
static rgc_ty in_claim_list(rgc_pack *pk, rg_expr *e, const rgc_ty *l, uint32_t lf)
{
    const rg_field *ef = &pk->prog->fields[plain_elem(pk, lf)];
    rgc_ty et = rgc_ty_from_packed(ef->type);
    if (!rgc_ty_same(&et, l)) {
        char a[96], b[96];
        name_of(pk, l, a);
        name_of(pk, &et, b);
        char hint[200];
        snprintf(hint, sizeof hint, _("look for a %s in it"), b);
        rgc_error(pk, e->loc, hint, _("'in' compares %s with the elements of %s, which are %s"), a,
                  rgc_str_text(pk, pk->prog->fields[lf].path), b);
        return T_ERROR;
    }
    uint32_t x = rgc_local(pk), acc = rgc_local(pk), idx = rgc_local(pk);
    rgc_local(pk); /* idx + 1: the end of the rows */
    rgc_emit(pk, RG_OP_STORE_LOCAL, x, 0);
    rgc_emit_value(pk, 0);
    rgc_emit(pk, RG_OP_STORE_LOCAL, acc, 0);
    rgc_emit(pk, RG_OP_ITER_START, pk->prog->fields[lf].list, idx);
    uint32_t top = rgc_here(pk);
    uint32_t next = rgc_emit(pk, RG_OP_ITER_NEXT, idx, 0);
    rgc_emit(pk, RG_OP_LOAD_IFIELD, ef->slot, idx);
    rgc_emit(pk, RG_OP_LOAD_LOCAL, x, 0);
    rgc_emit(pk, et.scalar == RG_T_STRING ? RG_OP_STR_EQ : RG_OP_EQ, 0, 0);
    rgc_emit(pk, RG_OP_JUMP_IF_FALSE, top, 0);
    rgc_emit_value(pk, 1);
    rgc_emit(pk, RG_OP_STORE_LOCAL, acc, 0);
    rgc_patch(pk, next, 1, rgc_here(pk));
    rgc_emit(pk, RG_OP_LOAD_LOCAL, acc, 0);
    return rgc_ty_scalar(RG_T_BOOL);
}

static rgc_ty in_expr(rgc_pack *pk, rg_expr *e)
{
    rgc_ty l = rgc_expr(pk, e->lhs, NULL);
    if (is_err(&l))
        return l;
    if (l.k != RGC_K_SCALAR) {
        char ln[96];
        name_of(pk, &l, ln);
        rgc_error(pk, e->lhs->loc, _("`in` tests a plain value: x in [a, b], x in visit.documents"),
                  _("%s is not a plain value that `in` could look for"), ln);
        return T_ERROR;
    }
    int strings = is_scalar(&l, RG_T_STRING); /* compared by their texts: IN_LISTS */
    if (e->rhs->kind == RG_E_LIST) {
        rgc_ty elem = l;
        elem.optional = 0;
        elem.has_range = 0;
        rgc_ty lt = list_literal(pk, e->rhs, &elem);
        if (is_err(&lt))
            return lt;
        if (strings) {
            rgc_emit_value(pk, e->rhs->ival);
            rgc_emit(pk, RG_OP_IN_LISTS, 0, 0);
        } else {
            rgc_emit(pk, RG_OP_IN_LIST, (uint32_t)e->rhs->ival, 0);
        }
        return rgc_ty_scalar(RG_T_BOOL);
    }
    rgc_ty r = rgc_expr(pk, e->rhs, NULL);
    if (is_err(&r))
        return r;
    if (r.k == RGC_K_ITEMS && plain_elem(pk, r.aux) != RG_NO_INDEX)
        return in_claim_list(pk, e, &l, r.aux);
    rgc_ty elem = rgc_ty_from_packed(r.aux);
    if (!is_scalar(&r, RG_T_LIST) || !rgc_ty_same(&elem, &l)) {
        char a[96], b[96];
        name_of(pk, &l, a);
        name_of(pk, &r, b);
        rgc_error(pk, e->loc, _("write a list on the right: x in [a, b], a list parameter or a list of the claim"),
                  _("'in' needs a list of %s on its right, this is %s"), a, b);
        return T_ERROR;
    }
    rgc_emit(pk, strings ? RG_OP_IN_LISTS : RG_OP_IN_LISTV, 0, 0);
    return rgc_ty_scalar(RG_T_BOOL);
}

static rgc_ty compare(rgc_pack *pk, rg_expr *e)
{
    rg_expr *a = e->lhs, *b = e->rhs;
    rgc_ty l = rgc_expr(pk, a, NULL);
    if (is_err(&l))
        return l;
    if (l.k == RGC_K_ITEMS && b->kind == RG_E_NONE && (e->op == RG_OPR_EQ || e->op == RG_OPR_NE)) {
        /* a list is none when the claim does not give it (its slot holds its length otherwise) */
        rgc_emit(pk, RG_OP_LOAD_FIELD, pk->prog->fields[l.aux].slot, 0);
        rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
        rgc_emit(pk, e->op == RG_OPR_EQ ? RG_OP_EQ : RG_OP_NE, 0, 0);
        return rgc_ty_scalar(RG_T_BOOL);
    }
    rgc_ty lexp = l;
    lexp.has_range = 0;
    rgc_ty r = rgc_expr(pk, b, l.k == RGC_K_NONE ? NULL : &lexp);
    if (is_err(&r))
        return r;
    int eq = e->op == RG_OPR_EQ || e->op == RG_OPR_NE;
    if (l.k == RGC_K_NONE && r.k == RGC_K_NONE) {
        rgc_error(pk, e->loc, NULL, _("comparing none with none"));
        return T_ERROR;
    }
    if (l.k == RGC_K_NONE || r.k == RGC_K_NONE) {
        const rgc_ty *other = l.k == RGC_K_NONE ? &r : &l;
        if (!eq || other->k != RGC_K_SCALAR) {
            mismatch(pk, e, &l, &r, NULL);
            return T_ERROR;
        }
        rgc_emit(pk, e->op == RG_OPR_EQ ? RG_OP_EQ : RG_OP_NE, 0, 0);
        return rgc_ty_scalar(RG_T_BOOL);
    }
    if (l.k != RGC_K_SCALAR || r.k != RGC_K_SCALAR || !rgc_ty_same(&l, &r)) {
        mismatch(pk, e, &l, &r, NULL);
        return T_ERROR;
    }
    if (!eq && (!orderable(&l) || l.optional || r.optional)) {
        if (!orderable(&l)) {
            char tn[96];
            name_of(pk, &l, tn);
            rgc_error(pk, e->loc, NULL, _("values of type %s cannot be ordered with %s"), tn, op_text[e->op]);
        } else {
            needs_value(pk, l.optional ? &l : &r, l.optional ? a : b);
        }
        return T_ERROR;
    }
    int op;
    if (l.scalar == RG_T_STRING)
        op = e->op == RG_OPR_EQ ? RG_OP_STR_EQ : RG_OP_STR_NE;
    else
        switch (e->op) {
        case RG_OPR_EQ: op = RG_OP_EQ; break;
        case RG_OPR_NE: op = RG_OP_NE; break;
        case RG_OPR_LT: op = RG_OP_LT; break;
        case RG_OPR_LE: op = RG_OP_LE; break;
        case RG_OPR_GT: op = RG_OP_GT; break;
        default: op = RG_OP_GE; break;
        }
    rgc_emit(pk, op, 0, 0);
    return rgc_ty_scalar(RG_T_BOOL);
}

static rgc_ty arith(rgc_pack *pk, rg_expr *e)
{
    rgc_ty l = rgc_expr(pk, e->lhs, NULL);
    if (is_err(&l))
        return l;
    if (e->rhs->kind == RG_E_MONTHS && (e->op == RG_OPR_ADD || e->op == RG_OPR_SUB)) {
        /* calendar months: the same day of the month, or that month's last */
        if (!needs_value(pk, &l, e->lhs))
            return T_ERROR;
        if (!is_scalar(&l, RG_T_DATE)) {
            char tn[96];
            name_of(pk, &l, tn);
            rgc_error(pk, e->loc, _("months are added to a date: visit.date + 1 month"), _("cannot add months to %s"), tn);
            return T_ERROR;
        }
        rgc_emit_value(pk, e->op == RG_OPR_ADD ? e->rhs->ival : -e->rhs->ival);
        rgc_emit(pk, RG_OP_ADD_MONTHS, 0, 0);
        return rgc_ty_scalar(RG_T_DATE);
    }
    rgc_ty r = rgc_expr(pk, e->rhs, &l);
    if (is_err(&r))
        return r;
    if (!needs_value(pk, &l, e->lhs) || !needs_value(pk, &r, e->rhs))
        return T_ERROR;
    rg_type_kind a = l.scalar, b = r.scalar, res = RG_T_VOID;
    int op = RG_OP_ADD;
    const char *hint = NULL;
    switch (e->op) {
    case RG_OPR_ADD:
    case RG_OPR_SUB:
        op = e->op == RG_OPR_ADD ? RG_OP_ADD : RG_OP_SUB;
        if (a == b && (a == RG_T_INT || a == RG_T_MONEY || a == RG_T_PERCENT || a == RG_T_DURATION))
            res = a;
        else if (a == RG_T_DATE && b == RG_T_DURATION) {
            res = RG_T_DATE;
            if (e->op == RG_OPR_SUB) {
                rgc_emit(pk, RG_OP_NEG, 0, 0);
            }
            op = RG_OP_DATE_ADD;
        } else if (a == RG_T_DURATION && b == RG_T_DATE && e->op == RG_OPR_ADD) {
            res = RG_T_DATE;
            op = RG_OP_DATE_ADD;
        } else if (a == RG_T_DATE && b == RG_T_DATE && e->op == RG_OPR_SUB) {
            res = RG_T_DURATION;
            op = RG_OP_DATE_DIFF;
        } else if ((a == RG_T_MONEY && b == RG_T_PERCENT) || (a == RG_T_PERCENT && b == RG_T_MONEY))
            hint = _("to take a percentage of money write pct(amount, 60%)");
        else if (a == RG_T_DATE || b == RG_T_DATE)
            hint = _("add a duration to a date: visit.date + 60 days");
        break;
    case RG_OPR_MUL:
        op = RG_OP_MUL;
        if (a == RG_T_INT && (b == RG_T_INT || b == RG_T_MONEY || b == RG_T_PERCENT || b == RG_T_DURATION))
            res = b;
        else if (b == RG_T_INT && (a == RG_T_MONEY || a == RG_T_PERCENT || a == RG_T_DURATION))
            res = a;
        else if ((a == RG_T_MONEY && b == RG_T_PERCENT) || (a == RG_T_PERCENT && b == RG_T_MONEY))
            hint = _("multiplying money by a percentage needs a rounding rule: write pct(amount, 60%)");
        break;
    case RG_OPR_DIV:
        op = RG_OP_DIV;
        if (a == RG_T_INT && b == RG_T_INT)
            res = RG_T_INT;
        else if (a == RG_T_MONEY && b == RG_T_MONEY)
            hint = _("a share of one amount in another is not computed: compare amounts, or take a share with pct(amount, 50%)");
        else if (a == RG_T_MONEY)
            hint = _("dividing money needs a rounding rule: use pct(amount, 50%)");
        break;
    default:
        break;
    }
    if (res == RG_T_VOID) {
        mismatch(pk, e, &l, &r, hint);
        return T_ERROR;
    }
    rgc_emit(pk, op, 0, 0);
    return rgc_ty_scalar(res);
}

static rgc_ty logic(rgc_pack *pk, rg_expr *e)
{
    if (is_err(&(rgc_ty){.k = cond_expr(pk, e->lhs).k}))
        return T_ERROR;
    rgc_emit(pk, RG_OP_DUP, 0, 0);
    uint32_t j = rgc_emit(pk, e->op == RG_OPR_AND ? RG_OP_JUMP_IF_FALSE : RG_OP_JUMP_IF_TRUE, 0, 0);
    rgc_emit(pk, RG_OP_POP, 0, 0);
    pk->cur.cond_depth++;
    rgc_ty r = cond_expr(pk, e->rhs);
    pk->cur.cond_depth--;
    rgc_patch(pk, j, 0, rgc_here(pk));
    return is_err(&r) ? r : rgc_ty_scalar(RG_T_BOOL);
}

static rgc_ty coalesce(rgc_pack *pk, rg_expr *e)
{
    rgc_ty l = rgc_expr(pk, e->lhs, NULL);
    if (is_err(&l))
        return l;
    if (l.k != RGC_K_SCALAR) {
        mismatch(pk, e, &l, &l, NULL);
        return T_ERROR;
    }
    rgc_emit(pk, RG_OP_DUP, 0, 0);
    rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
    rgc_emit(pk, RG_OP_NE, 0, 0);
    uint32_t j = rgc_emit(pk, RG_OP_JUMP_IF_TRUE, 0, 0);
    rgc_emit(pk, RG_OP_POP, 0, 0);
    rgc_ty lexp = l;
    lexp.optional = 0;
    pk->cur.cond_depth++;
    rgc_ty r = rgc_expr(pk, e->rhs, &lexp);
    pk->cur.cond_depth--;
    rgc_patch(pk, j, 0, rgc_here(pk));
    if (is_err(&r))
        return r;
    rgc_ty out;
    if (!unify(&l, &r, &out) || r.k == RGC_K_NONE) {
        mismatch(pk, e, &l, &r, NULL);
        return T_ERROR;
    }
    out.optional = r.optional;
    /* `level ?? 1` keeps level's range when the default is inside it */
    rg_value dv;
    rgc_ty dt;
    if (l.has_range && e->rhs->kind == RG_E_INT && rgc_const_expr(pk, e->rhs, &l, &dv, &dt, 0) == 0 && dv >= l.lo &&
        dv <= l.hi) {
        out.has_range = 1;
        out.lo = l.lo;
        out.hi = l.hi;
    }
    return out;
}

static rgc_ty if_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect)
{
    rgc_ty c = cond_expr(pk, e->cond);
    if (is_err(&c))
        return c;
    uint32_t jf = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
    int depth = pk->cur.depth;
    rgc_ty a = rgc_expr(pk, e->lhs, expect);
    uint32_t jend = rgc_emit(pk, RG_OP_JUMP, 0, 0);
    rgc_patch(pk, jf, 0, rgc_here(pk));
    pk->cur.depth = depth;
    rgc_ty b = rgc_expr(pk, e->rhs, a.k == RGC_K_SCALAR ? &a : expect);
    rgc_patch(pk, jend, 0, rgc_here(pk));
    if (is_err(&a) || is_err(&b))
        return T_ERROR;
    rgc_ty out;
    if (!unify(&a, &b, &out)) {
        char an[96], bn[96];
        name_of(pk, &a, an);
        name_of(pk, &b, bn);
        rgc_error(pk, e->loc, NULL, _("the branches of if differ in type: %s and %s"), an, bn);
        return T_ERROR;
    }
    return out;
}

static rgc_ty unary(rgc_pack *pk, rg_expr *e)
{
    if (e->op == RG_OPR_NOT) {
        rgc_ty t = cond_expr(pk, e->lhs);
        if (!is_err(&t))
            rgc_emit(pk, RG_OP_NOT, 0, 0);
        return t;
    }
    rgc_ty t = rgc_expr(pk, e->lhs, NULL);
    if (!needs_value(pk, &t, e->lhs))
        return T_ERROR;
    if (!numeric(&t)) {
        char tn[96];
        name_of(pk, &t, tn);
        rgc_error(pk, e->loc, NULL, _("cannot negate a value of type %s"), tn);
        return T_ERROR;
    }
    rgc_emit(pk, RG_OP_NEG, 0, 0);
    t.has_range = 0;
    return t;
}

/* ---- aggregation over a list of the claim ---- */

static rgc_ty aggregate(rgc_pack *pk, rg_expr *e)
{
    rgc_ty l = rgc_expr(pk, e->rhs, NULL);
    if (is_err(&l))
        return l;
    if (l.k != RGC_K_ITEMS) {
        char tn[96];
        name_of(pk, &l, tn);
        rgc_error(pk, e->rhs->loc, _("aggregate over a list of the claim, e.g. `for item in items`"),
                  _("cannot iterate over %s"), tn);
        return T_ERROR;
    }
    if (pk->cur.n_scope == sizeof pk->cur.scope / sizeof pk->cur.scope[0]) {
        rgc_error(pk, e->loc, NULL, _("aggregations nested too deeply"));
        return T_ERROR;
    }
    uint32_t acc = rgc_local(pk), idx = rgc_local(pk);
    rgc_local(pk); /* idx + 1: the end of the list's rows (ITER_START) */
    int agg = e->op;
    if (agg == RG_AGG_FIRST || agg == RG_AGG_LAST)
        rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
    else
        rgc_emit_value(pk, agg == RG_AGG_ALL ? 1 : 0);
    rgc_emit(pk, RG_OP_STORE_LOCAL, acc, 0);
    rgc_emit(pk, RG_OP_ITER_START, pk->prog->fields[l.aux].list, idx);
    uint32_t top = rgc_here(pk);
    uint32_t next = rgc_emit(pk, RG_OP_ITER_NEXT, idx, 0);
    uint32_t body = rgc_here(pk);
    pk->cur.scope[pk->cur.n_scope].name = e->name;
    pk->cur.scope[pk->cur.n_scope].local = idx;
    pk->cur.scope[pk->cur.n_scope].list = l.aux;
    pk->cur.n_scope++;
    rgc_ty result = rgc_ty_scalar(RG_T_INT);
    uint32_t skip = RG_NO_INDEX;
    int ok = 1;
    if (e->cond && agg != RG_AGG_ANY && agg != RG_AGG_ALL) {
        rgc_ty c = cond_expr(pk, e->cond);
        ok &= !is_err(&c);
        skip = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
    }
    if (agg == RG_AGG_FIRST || agg == RG_AGG_LAST) {
        /* the element (its row) where the condition holds: the first stops there, the last goes on */
        rgc_emit(pk, RG_OP_LOAD_LOCAL, idx, 0);
        rgc_emit(pk, RG_OP_STORE_LOCAL, acc, 0);
        uint32_t out = agg == RG_AGG_FIRST ? rgc_emit(pk, RG_OP_JUMP, 0, 0) : RG_NO_INDEX;
        if (skip != RG_NO_INDEX)
            rgc_patch(pk, skip, 0, rgc_here(pk));
        rgc_emit(pk, RG_OP_JUMP, top, 0);
        pk->cur.n_scope--;
        uint32_t end = rgc_here(pk);
        rgc_patch(pk, next, 1, end);
        if (out != RG_NO_INDEX)
            rgc_patch(pk, out, 0, end);
        rgc_emit(pk, RG_OP_LOAD_LOCAL, acc, 0);
        rgc_ty t = rgc_ty_scalar(RG_T_ELEM);
        t.aux = l.aux;
        t.optional = 1;
        return ok ? t : T_ERROR;
    }
    if (agg == RG_AGG_SUM || agg == RG_AGG_COUNT) {
        /* ITER_NEXT once, then per item: [condition] value ACC_ADD, ITER_LOOP back */
        if (agg == RG_AGG_SUM) {
            rgc_ty b = rgc_expr(pk, e->lhs, NULL);
            if (!is_err(&b) && needs_value(pk, &b, e->lhs) && !(numeric(&b))) {
                char tn[96];
                name_of(pk, &b, tn);
                rgc_error(pk, e->lhs->loc, _("sum adds money, int, percent or duration; `count x in L where …` counts"),
                          _("cannot sum values of type %s"), tn);
                ok = 0;
            } else if (is_err(&b) || b.optional) {
                ok = 0;
            }
            result = b;
            result.has_range = 0;
        } else {
            rgc_emit_value(pk, 1);
        }
        rgc_emit(pk, RG_OP_ACC_ADD, acc, 0);
        if (skip != RG_NO_INDEX)
            rgc_patch(pk, skip, 0, rgc_here(pk));
        uint32_t loop = rgc_emit(pk, RG_OP_ITER_LOOP, idx, 0);
        rgc_patch(pk, loop, 1, body);
        pk->cur.n_scope--;
        rgc_patch(pk, next, 1, rgc_here(pk));
        rgc_emit(pk, RG_OP_LOAD_LOCAL, acc, 0);
        return ok ? result : T_ERROR;
    }
    {
        /* any: stop at the first true; all: stop at the first false */
        rgc_ty c = cond_expr(pk, e->cond);
        ok &= !is_err(&c);
        uint32_t j = rgc_emit(pk, agg == RG_AGG_ANY ? RG_OP_JUMP_IF_FALSE : RG_OP_JUMP_IF_TRUE, 0, 0);
        rgc_emit_value(pk, agg == RG_AGG_ANY ? 1 : 0);
        rgc_emit(pk, RG_OP_STORE_LOCAL, acc, 0);
        uint32_t out = rgc_emit(pk, RG_OP_JUMP, 0, 0);
        rgc_patch(pk, j, 0, rgc_here(pk));
        rgc_emit(pk, RG_OP_JUMP, top, 0);
        pk->cur.n_scope--;
        uint32_t end = rgc_here(pk);
        rgc_patch(pk, next, 1, end);
        rgc_patch(pk, out, 0, end);
        rgc_emit(pk, RG_OP_LOAD_LOCAL, acc, 0);
        return ok ? rgc_ty_scalar(RG_T_BOOL) : T_ERROR;
    }
}

/* ---- built-in functions ---- */

/* The call has lo to hi arguments; else an error that gives those limits. */
static int argc_is(rgc_pack *pk, rg_expr *e, uint32_t lo, uint32_t hi, const char *usage)
{
    uint32_t n = e->args.n;
    if (n >= lo && n <= hi)
        return 1;
    if (lo == hi)
        rgc_error(pk, e->loc, usage, ngettext("%s takes %u argument, not %u", "%s takes %u arguments, not %u", lo),
                  e->name, lo, n);
    else if (hi == lo + 1)
        rgc_error(pk, e->loc, usage, _("%s takes %u or %u arguments, not %u"), e->name, lo, hi, n);
    else if (n < lo)
        rgc_error(pk, e->loc, usage, _("%s takes %u or more arguments, not %u"), e->name, lo, n);
    else
        rgc_error(pk, e->loc, usage, _("%s takes at most %u arguments, not %u"), e->name, hi, n);
    return 0;
}

static rgc_ty arg_of(rgc_pack *pk, rg_expr *e, uint32_t i, rg_type_kind want, const char *usage)
{
    rgc_ty expect = rgc_ty_scalar(want);
    rg_expr *a = e->args.v[i];
    rgc_ty t = rgc_expr(pk, a, &expect);
    if (is_err(&t))
        return t;
    if (!is_scalar(&t, want)) {
        char tn[96], wn[96];
        name_of(pk, &t, tn);
        name_of(pk, &expect, wn);
        rgc_error(pk, a->loc, usage, _("argument %u of %s must be %s, not %s"), i + 1, e->name, wn, tn);
        return T_ERROR;
    }
    if (!needs_value(pk, &t, a))
        return T_ERROR;
    return t;
}

/* A call of host function i (`extern fn`): arguments of the declared types,
 * never absent; CALL_EXTERN pops them and pushes the result. */
static rgc_ty extern_call(rgc_pack *pk, rg_expr *e, uint32_t i)
{
    const rg_extern *x = &pk->prog->externs[i];
    char usage[256];
    rg_sb u;
    rg_sb_fixed(&u, usage, sizeof usage);
    rg_sb_printf(&u, _("declared: extern fn %s("), e->name);
    for (uint32_t k = 0; k < x->n_args; k++) {
        rgc_ty t = rgc_ty_from_packed(x->args[k]);
        char tn[96];
        name_of(pk, &t, tn);
        rg_sb_printf(&u, "%s%s", k ? ", " : "", tn);
    }
    rgc_ty r = rgc_ty_from_packed(x->result);
    r.optional = (uint8_t)x->result_optional;
    char rn[96];
    name_of(pk, &r, rn);
    rg_sb_printf(&u, ") -> %s", rn);
    if (!argc_is(pk, e, x->n_args, x->n_args, usage))
        return T_ERROR;
    int ok = 1;
    for (uint32_t k = 0; k < x->n_args; k++) {
        rg_expr *a = e->args.v[k];
        rgc_ty want = rgc_ty_from_packed(x->args[k]);
        rgc_ty t = rgc_expr(pk, a, &want);
        if (is_err(&t)) {
            ok = 0;
        } else if (!rgc_ty_same(&t, &want)) {
            char tn[96], wn[96];
            name_of(pk, &t, tn);
            name_of(pk, &want, wn);
            rgc_error(pk, a->loc, usage, _("argument %u of %s must be %s, not %s"), k + 1, e->name, wn, tn);
            ok = 0;
        } else if (!needs_value(pk, &t, a)) {
            ok = 0;
        }
    }
    if (!ok)
        return T_ERROR;
    rgc_emit(pk, RG_OP_CALL_EXTERN, i, 0);
    return r;
}

/* min and max */
static rgc_ty call_extreme(rgc_pack *pk, rg_expr *e, const char *u)
{
    (void)u;
    const char *n = e->name;
    rg_expr *a0 = e->args.v[0], *a1 = e->args.v[1];
    rg_value lit;
    rgc_ty lt;
    if (e->args.n == 2 && a0->kind >= RG_E_INT && a0->kind <= RG_E_DURATION && a0->kind != RG_E_BOOL &&
        !(a1->kind >= RG_E_INT && a1->kind <= RG_E_BOOL) && rgc_const_expr(pk, a0, NULL, &lit, &lt, 0) == 0 &&
        lit >= INT32_MIN && lit <= INT32_MAX && orderable(&lt)) {
        /* min(¥0, x): the literal needs no evaluating first; MIN_IMM after x */
        rgc_ty t = rgc_expr(pk, a1, &lt);
        if (!needs_value(pk, &t, a1))
            return T_ERROR;
        if (!orderable(&t)) {
            char tn[96];
            name_of(pk, &t, tn);
            rgc_error(pk, a1->loc, _("min and max compare money, int, percent, duration or dates"),
                      _("%s cannot compare values of type %s"), n, tn);
            return T_ERROR;
        }
        if (!rgc_ty_same(&lt, &t)) {
            char an[96], bn[96];
            name_of(pk, &lt, an);
            name_of(pk, &t, bn);
            rgc_error(pk, a1->loc, _("min(a, b, …) and max(a, b, …) compare values of one type"), _("%s mixes %s and %s"), n,
                      an, bn);
            return T_ERROR;
        }
        rgc_emit(pk, n[1] == 'i' ? RG_OP_MIN_IMM : RG_OP_MAX_IMM, (uint32_t)(int32_t)lit, 0);
        lt.has_range = 0;
        return lt;
    }
    rgc_ty first = T_ERROR;
    for (uint32_t i = 0; i < e->args.n; i++) {
        rg_expr *a = e->args.v[i];
        rgc_ty t = rgc_expr(pk, a, i ? &first : NULL);
        if (!needs_value(pk, &t, a))
            return T_ERROR;
        if (!orderable(&t)) {
            char tn[96];
            name_of(pk, &t, tn);
            rgc_error(pk, a->loc, _("min and max compare money, int, percent, duration or dates"),
                      _("%s cannot compare values of type %s"), n, tn);
            return T_ERROR;
        }
        if (i == 0)
            first = t;
        else if (!rgc_ty_same(&first, &t)) {
            char an[96], bn[96];
            name_of(pk, &first, an);
            name_of(pk, &t, bn);
            rgc_error(pk, a->loc, _("min(a, b, …) and max(a, b, …) compare values of one type"), _("%s mixes %s and %s"), n,
                      an, bn);
            return T_ERROR;
        } else
            rgc_emit(pk, n[1] == 'i' ? RG_OP_MIN : RG_OP_MAX, 0, 0);
    }
    first.has_range = 0;
    return first;
}

static rgc_ty call_days_between(rgc_pack *pk, rg_expr *e, const char *u)
{
    rgc_ty a = arg_of(pk, e, 0, RG_T_DATE, u);
    rgc_ty b = arg_of(pk, e, 1, RG_T_DATE, u);
    if (is_err(&a) || is_err(&b))
        return T_ERROR;
    /* DATE_DIFF computes x - y: to - from */
    uint32_t tmp = rgc_local(pk);
    rgc_emit(pk, RG_OP_STORE_LOCAL, tmp, 0);
    uint32_t tmp2 = rgc_local(pk);
    rgc_emit(pk, RG_OP_STORE_LOCAL, tmp2, 0);
    rgc_emit(pk, RG_OP_LOAD_LOCAL, tmp, 0);
    rgc_emit(pk, RG_OP_LOAD_LOCAL, tmp2, 0);
    rgc_emit(pk, RG_OP_DATE_DIFF, 0, 0);
    return rgc_ty_scalar(RG_T_DURATION);
}

/* The first argument of call e, which must name a declaration of kind k (what
 * says which, for the error): its type, or an error (reported). */
static rgc_ty first_names(rgc_pack *pk, rg_expr *e, rgc_kind k, const char *what, const char *u)
{
    rgc_ty c = rgc_expr(pk, e->args.v[0], NULL);
    if (is_err(&c))
        return c;
    if (c.k != k) {
        rgc_error(pk, ((rg_expr *)e->args.v[0])->loc, u, _("the first argument of %s must name %s"), e->name, what);
        return T_ERROR;
    }
    return c;
}

static rgc_ty call_find(rgc_pack *pk, rg_expr *e, const char *u)
{
    rgc_ty c = first_names(pk, e, RGC_K_CATALOG, _("a catalog"), u);
    if (is_err(&c))
        return c;
    rgc_ty r = arg_of(pk, e, 1, RG_T_REGION, u);
    rgc_ty k = arg_of(pk, e, 2, RG_T_STRING, u);
    if (is_err(&r) || is_err(&k))
        return T_ERROR;
    rgc_emit(pk, RG_OP_FIND, c.aux, 0);
    rgc_ty t = rgc_ty_scalar(RG_T_ROW);
    t.aux = c.aux;
    t.optional = 1;
    return t;
}

static rgc_ty call_tiered(rgc_pack *pk, rg_expr *e, const char *u)
{
    rgc_ty b = first_names(pk, e, RGC_K_BRACKETS, _("brackets"), u);
    if (is_err(&b))
        return b;
    if (e->args.n == 2)
        rgc_emit_value(pk, 0);
    for (uint32_t i = 1; i < e->args.n; i++)
        if (is_err(&(rgc_ty){.k = arg_of(pk, e, i, RG_T_MONEY, u).k}))
            return T_ERROR;
    rgc_emit(pk, RG_OP_TIERED, b.aux, 0);
    return rgc_ty_scalar(RG_T_MONEY);
}

/* date(year(d), month(d), 1) + 1 month */
static rgc_ty call_first_of_next_month(rgc_pack *pk, rg_expr *e, const char *u)
{
    rgc_ty a = arg_of(pk, e, 0, RG_T_DATE, u);
    if (is_err(&a))
        return a;
    uint32_t d = rgc_local(pk);
    rgc_emit(pk, RG_OP_STORE_LOCAL, d, 0);
    rgc_emit(pk, RG_OP_LOAD_LOCAL, d, 0);
    rgc_emit(pk, RG_OP_YEAR, 0, 0);
    rgc_emit(pk, RG_OP_LOAD_LOCAL, d, 0);
    rgc_emit(pk, RG_OP_MONTH, 0, 0);
    rgc_emit_value(pk, 1);
    rgc_emit(pk, RG_OP_MAKE_DATE, 0, 0);
    rgc_emit_value(pk, 1);
    rgc_emit(pk, RG_OP_ADD_MONTHS, 0, 0);
    return rgc_ty_scalar(RG_T_DATE);
}

/* Expression a as an element of a list of the claim, its row on the stack:
 * a variable bound to the elements (`for p in …`), or an element value
 * (`first p in …`, previous(p), a definition holding one). The list's field
 * in *lf; returns 1 when it may be absent, 0 when not, -1 after an error. */
static int elem_arg(rgc_pack *pk, rg_expr *a, uint32_t *lf, const char *usage)
{
    if (a->kind == RG_E_NAME)
        for (uint32_t i = pk->cur.n_scope; i-- > 0;)
            if (strcmp(pk->cur.scope[i].name, a->name) == 0) {
                rgc_emit(pk, RG_OP_LOAD_ROW, pk->cur.scope[i].local, 0);
                *lf = pk->cur.scope[i].list;
                return 0;
            }
    rgc_ty t = rgc_expr(pk, a, NULL);
    if (is_err(&t))
        return -1;
    if (!is_scalar(&t, RG_T_ELEM)) {
        char tn[96];
        name_of(pk, &t, tn);
        rgc_error(pk, a->loc, usage, _("%s is not an element of a list of the claim"), tn);
        return -1;
    }
    *lf = t.aux;
    return t.optional;
}

/* index(x), previous(x) */
static rgc_ty call_index_previous(rgc_pack *pk, rg_expr *e, const char *u)
{
    uint32_t lf;
    int opt = elem_arg(pk, e->args.v[0], &lf, u);
    if (opt < 0)
        return T_ERROR;
    uint32_t list = pk->prog->fields[lf].list;
    if (e->name[0] == 'i') {
        rgc_emit(pk, RG_OP_ELEM_INDEX, list, 0);
        rgc_ty t = rgc_ty_scalar(RG_T_INT);
        t.optional = (uint8_t)opt;
        return t;
    }
    rgc_emit(pk, RG_OP_ELEM_PREV, list, 0);
    rgc_ty t = rgc_ty_scalar(RG_T_ELEM);
    t.aux = lf;
    t.optional = 1;
    return t;
}

/* The built-in functions: the one table of their names, arities, usage (the
 * hint of a misuse) and compilers, in the order the unknown-function hint
 * lists them. */
static const struct builtin {
    const char *name;
    uint32_t min_args, max_args;
    int cheap; /* a body calling it may be computed again at its readers (small_body) */
    const char *usage;
    rgc_ty (*compile)(rgc_pack *pk, rg_expr *e, const char *usage); /* arguments counted already;
                                                                      * NULL: one instruction, below */
    rg_opcode op;             /* the instruction a call of fixed arguments is */
    rg_type_kind args[3];     /* the types of those arguments */
    rg_type_kind result;
} builtins[] = {
#define BY(f) f, RG_OP_NOP, {RG_T_VOID}, RG_T_VOID
#define ONE(op, result, ...) NULL, op, {__VA_ARGS__}, result
    {"pct", 2, 2, 1, N_("pct(amount, 60%) takes a percentage of money, rounded half up to the fen"),
     ONE(RG_OP_PCT, RG_T_MONEY, RG_T_MONEY, RG_T_PERCENT)},
    {"min", 2, 99, 1, N_("min(a, b, …) and max(a, b, …) compare values of one type"), BY(call_extreme)},
    {"max", 2, 99, 1, N_("min(a, b, …) and max(a, b, …) compare values of one type"), BY(call_extreme)},
    {"year", 1, 1, 0, N_("year(date) is the calendar year of a date"), ONE(RG_OP_YEAR, RG_T_INT, RG_T_DATE)},
    {"month", 1, 1, 0, N_("month(date) is the month of a date, 1 to 12"), ONE(RG_OP_MONTH, RG_T_INT, RG_T_DATE)},
    {"day", 1, 1, 0, N_("day(date) is the day of the month of a date"), ONE(RG_OP_DAY, RG_T_INT, RG_T_DATE)},
    {"date", 3, 3, 0, N_("date(year, month, day) is that calendar day; a day that does not exist is an error"),
     ONE(RG_OP_MAKE_DATE, RG_T_DATE, RG_T_INT, RG_T_INT, RG_T_INT)},
    {"add_months", 2, 2, 0, N_("add_months(date, n) is the same day n calendar months later, or that month's last day"),
     ONE(RG_OP_ADD_MONTHS, RG_T_DATE, RG_T_DATE, RG_T_INT)},
    {"first_of_next_month", 1, 1, 0, N_("first_of_next_month(date) is the first day of the month after the date's"),
     BY(call_first_of_next_month)},
    {"days_between", 2, 2, 0, N_("days_between(from, to) is the number of days from one date to another"),
     BY(call_days_between)},
    {"find", 3, 3, 0, N_("find(catalog, region, code) is the catalog row for a code at a region, or none"),
     BY(call_find)},
    {"tiered", 2, 3, 0, N_("tiered(brackets, from, to) sums each tier's percentage of the part of [from, to) in it"),
     BY(call_tiered)},
    {"index", 1, 1, 0, N_("index(x) is the place of element x in its list, from 0"), BY(call_index_previous)},
    {"previous", 1, 1, 0, N_("previous(x) is the element before x in its list, none for the first"),
     BY(call_index_previous)},
#undef BY
#undef ONE
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

/* A call of fixed scalar arguments that is one instruction. */
static rgc_ty call_fixed(rgc_pack *pk, rg_expr *e, const struct builtin *b)
{
    int bad = 0;
    for (uint32_t i = 0; i < b->max_args; i++) {
        rgc_ty a = arg_of(pk, e, i, b->args[i], _(b->usage));
        bad |= is_err(&a);
    }
    if (bad)
        return T_ERROR;
    rgc_emit(pk, b->op, 0, 0);
    return rgc_ty_scalar(b->result);
}

static const struct builtin *builtin_named(const char *name)
{
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

int rgc_builtin(const char *name)
{
    return builtin_named(name) != NULL;
}

static int builtin_cheap(const char *name)
{
    const struct builtin *b = builtin_named(name);
    return b && b->cheap;
}

const char *rgc_builtin_name_at(uint32_t i)
{
    return i < N_BUILTINS ? builtins[i].name : NULL;
}

static rgc_ty call(rgc_pack *pk, rg_expr *e)
{
    const char *n = e->name;
    const struct builtin *b = builtin_named(n);
    if (b)
        return !argc_is(pk, e, b->min_args, b->max_args, _(b->usage)) ? T_ERROR
               : b->compile                                          ? b->compile(pk, e, _(b->usage))
                                                                  : call_fixed(pk, e, b);
    rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_externs; i++)
        if (strcmp(rgc_str_text(pk, p->externs[i].name), n) == 0)
            return extern_call(pk, e, i);
    rg_vec cands = {0};
    for (size_t i = 0; i < N_BUILTINS; i++)
        rg_vec_push(&cands, (void *)builtins[i].name);
    for (uint32_t i = 0; i < p->n_externs; i++)
        rg_vec_push(&cands, (void *)rgc_str_text(pk, p->externs[i].name));
    const char *best = rgc_closest(n, (const char *const *)cands.v, cands.n);
    rg_vec_free(&cands);
    char hint[300];
    rg_sb h;
    rg_sb_fixed(&h, hint, sizeof hint);
    if (best) {
        rg_sb_printf(&h, _("did you mean '%s'?"), best);
    } else {
        rg_sb_puts(&h, _("the built-in functions are "));
        for (size_t i = 0; i < N_BUILTINS; i++)
            rg_sb_printf(&h, "%s%s", i == 0 ? "" : i + 1 < N_BUILTINS ? _(", ") : _(" and "), builtins[i].name);
        rg_sb_puts(&h, _("; declare a host's function with `extern fn NAME(types) -> type`"));
    }
    rgc_error(pk, e->loc, hint, _("unknown function '%s'"), n);
    return T_ERROR;
}

/* ---- the dispatcher ---- */

rgc_ty rgc_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect)
{
    if (!e->line)
        e->line = rgc_line(pk, e->loc);
    rgc_set_line(pk, e->line, e->loc.file);
    switch (e->kind) {
    case RG_E_INT: case RG_E_MONEY: case RG_E_PERCENT: case RG_E_DATE: case RG_E_DURATION: case RG_E_BOOL: {
        static const rg_type_kind literal_type[] = {RG_T_INT, RG_T_MONEY, RG_T_PERCENT,
                                                    RG_T_DATE, RG_T_DURATION, RG_T_BOOL};
        rgc_emit_value(pk, e->ival);
        return rgc_ty_scalar(literal_type[e->kind - RG_E_INT]);
    }
    case RG_E_STRING:
        if (rgc_writes_code(pk))
            rgc_emit(pk, RG_OP_PUSH_STR, rgc_str(pk, e->text), 0);
        else
            rgc_emit(pk, RG_OP_PUSH_STR, 0, 0);
        return rgc_ty_scalar(RG_T_STRING);
    case RG_E_NONE:
        if (expect && is_scalar(expect, RG_T_ENUM)) {
            int m = rgc_enum_member(pk, expect->aux, "none");
            if (m >= 0) {
                rgc_emit_value(pk, m);
                return *expect;
            }
        }
        rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
        return ty_k(RGC_K_NONE, 0);
    case RG_E_NAME:
        return name_expr(pk, e, expect);
    case RG_E_FIELD:
        return field_expr(pk, e);
    case RG_E_UNARY:
        return unary(pk, e);
    case RG_E_BINARY:
        switch (e->op) {
        case RG_OPR_AND:
        case RG_OPR_OR:
            return logic(pk, e);
        case RG_OPR_COALESCE:
            return coalesce(pk, e);
        case RG_OPR_IN:
            return in_expr(pk, e);
        case RG_OPR_EQ: case RG_OPR_NE: case RG_OPR_LT: case RG_OPR_LE: case RG_OPR_GT: case RG_OPR_GE:
            return compare(pk, e);
        default:
            return arith(pk, e);
        }
    case RG_E_IF:
        return if_expr(pk, e, expect);
    case RG_E_CALL:
        return call(pk, e);
    case RG_E_AGG:
        return aggregate(pk, e);
    case RG_E_LIST: {
        rgc_ty elem;
        int have = expect && is_scalar(expect, RG_T_LIST);
        if (have)
            elem = rgc_ty_from_packed(expect->aux);
        rgc_ty t = list_literal(pk, e, have ? &elem : NULL);
        if (!is_err(&t))
            rgc_emit_value(pk, e->ival);
        return t;
    }
    case RG_E_RECORD:
        rgc_error(pk, e->loc, _("record values are written only in `sample claim` and tests"),
                  _("a record value cannot be computed"));
        return T_ERROR;
    case RG_E_MONTHS:
        rgc_error(pk, e->loc,
                  _("a month is no fixed number of days: keep the count as an int (`param rejoin_months: int = 6`) and "
                    "add it with add_months(date, n), or write `visit.date + 3 months`"),
                  _("a number of months is a value only when added to a date"));
        return T_ERROR;
    }
    return T_ERROR;
}
