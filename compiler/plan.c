/* plan.c — each policy's plan: one chunk that computes the definitions its
 * outputs need, ahead, in dependency order, without a call each.
 *
 * The lazy path (a definition computed when first read, memoised, one frame
 * per call) stays the meaning of a pack; a plan is speculation on top of it.
 * It computes ahead the definitions the outputs and the ledger updates read
 * on every path (strict dependencies, expr.c note_dep) — also one a branch of
 * an `if` would not take, since both branches are common — so the VM forgets
 * them whenever it fails and lets the lazy path decide (vm/interp.c
 * run_plan). A definition read only on the right of `and`, `or` or `??`, or
 * in a decision's result, is left to be read lazily: most claims never need
 * it (a deadline only a manual claim reads). So is one the claim's checks
 * read (they run first, memoising it). Correct in any order, since a read of
 * a definition the plan has not computed yet computes it lazily; the order
 * only makes the reads cheap:
 *
 *   1. claim-level definitions that need no per-item one;
 *   2. one loop over the item rows: every per-item definition, each kept in
 *      a local for the row's later definitions, and the plain sums over the
 *      items (`sum x for item in items`) accumulated in the same loop;
 *   3. the other claim-level definitions;
 *   4. the ledger updates, into the ledger after the claim (LEDGER_BEGIN),
 *      so that the VM need not run the update chunk when the plan succeeds.
 *
 * A computed definition is kept in a local that later bodies in the plan
 * read instead of the memo (expr.c load_def), and memoised (STORE_DEF,
 * STORE_IDEF, MEMO_DEF) when something outside the plan reads it. Plain
 * `def`s and decisions (their arms jumping to the end with their value) are
 * planned. Tables stay calls: a plan computes everything ahead, and the seed
 * pack's rate tables are each read on one branch only (computing them all
 * measured slower than the calls it saves); so do parameters (constants or
 * one cheap call) and versioned definitions, which depend on the date. A pack
 * with host functions gets no plan: a host function need not be pure. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "opcodes.h"

typedef struct {
    rgc_pack *pk;
    rgc_policy *pol;
    uint8_t *state;     /* per slot: 0 unseen, 1 on the walk, 2 done */
    uint8_t *item_dep;  /* per slot: needs a per-item definition, itself or through others */
    uint8_t *needed;    /* per slot: 1 read on every path from the outputs (a strict dependency),
                         * 2 computed before the plan runs (checking the claim reads it) */
    uint32_t *order;    /* post-order of the walk: a dependency before its readers */
    uint32_t n_order;
    /* per slot, for the plan being written, cleared after it (emit_plan) */
    uint32_t *locals;   /* the local that holds it, or RG_NO_INDEX */
    rgc_impl **im;      /* the implementation the plan computes, or NULL */
    rg_expr **sum;      /* a plain sum over the items, accumulated in the rows' loop */
    uint32_t *acc;      /* that sum's local */
    uint8_t *memo;      /* memoised: read outside the plan */
    uint32_t *planned;  /* the slots with an implementation, ascending */
} plan_walk;

/* The one implementation a plan may compute in place of a call, or NULL. */
static rgc_impl *planned_impl(rgc_pack *pk, rgc_policy *pol, rgc_def *d)
{
    rgc_impl *im = rgc_the_impl(pol, d->slot);
    if (!im || !im->decl)
        return NULL;
    if (!(d->kind == RG_DEF_DEF && im->decl->value) && d->kind != RG_DEF_DECIDE)
        return NULL;
    rgc_ty t = rgc_def_type(pk, d);
    if (t.k != RGC_K_SCALAR || rgc_def_inlined(pk, d))
        return NULL;
    if (d->per_item && d->list != pk->prog->list_field)
        return NULL; /* the plan's loop is over the claim's first list; the others' are read lazily */
    if (d == pk->validate)
        return NULL; /* computed when the claim begins */
    return im;
}

/* Mark s and what it reads on every path, transitively, with mark. */
static void mark_strict(plan_walk *w, uint32_t s, uint8_t mark)
{
    if (w->needed[s])
        return;
    w->needed[s] = mark;
    rgc_impls it = rgc_impls_of(w->pol, s);
    for (const rgc_impl *im; (im = rgc_impls_next(&it));)
        for (uint32_t k = 0; k < im->strict_deps.n; k++)
            mark_strict(w, ((rgc_def *)im->strict_deps.v[k])->slot, mark);
}

/* The order the plan computes the needed definitions in: a dependency
 * before its readers, whichever path reads it. */
static void walk(plan_walk *w, uint32_t s)
{
    if (w->state[s])
        return; /* done, or on the walk: the checker refused cycles, so only through a version */
    w->state[s] = 1;
    rgc_def *d = w->pk->defs.v[s];
    w->item_dep[s] = (uint8_t)d->per_item;
    rgc_impls it = rgc_impls_of(w->pol, s);
    for (const rgc_impl *im; (im = rgc_impls_next(&it));)
        for (uint32_t k = 0; k < im->deps.n; k++) {
            uint32_t dep = ((rgc_def *)im->deps.v[k])->slot;
            if (w->needed[dep] != 1)
                continue; /* read only on some paths, or already computed: read lazily */
            walk(w, dep);
            w->item_dep[s] |= w->item_dep[dep];
        }
    w->state[s] = 2;
    w->order[w->n_order++] = s;
}

/* `sum x for v in items` with no condition: its value expression, else NULL. */
static rg_expr *plain_item_sum(rgc_pack *pk, rg_expr *e)
{
    if (!e || e->kind != RG_E_AGG || e->op != RG_AGG_SUM || e->cond)
        return NULL;
    __typeof__(pk->cur) saved = pk->cur;
    rgc_pass pass = pk->pass;
    pk->pass = RGC_PASS_INFER;
    rgc_ty l = rgc_expr(pk, e->rhs, NULL);
    pk->pass = pass;
    pk->cur = saved;
    return l.k == RGC_K_ITEMS && l.aux == pk->prog->list_field ? e : NULL;
}

/* Which definitions the plan memoises: those read outside it — the outputs,
 * the ledger updates, and the bodies it does not compute. The others live in
 * its locals only (a read from elsewhere would compute them again, lazily). */
static void mark_memo(rgc_pack *pk, plan_walk *w, rgc_impl **planned, uint8_t *memo)
{
    const rg_program *p = pk->prog;
    for (uint32_t o = 0; o < p->n_outputs; o++)
        memo[p->outputs[o].def] = 1;
    for (uint32_t k = 0; k < pk->update_reads.deps.n; k++)
        memo[((rgc_def *)pk->update_reads.deps.v[k])->slot] = 1;
    for (uint32_t t = 0; t < pk->defs.n; t++) {
        const rgc_def *d = pk->defs.v[t];
        if (d->owner && !rgc_policy_within(w->pol, d->owner))
            continue; /* another region's own: this policy has no implementation of it */
        /* a body compiled at its readers: they read what it reads */
        if (planned[t] || rgc_def_inlined(pk, pk->defs.v[t]))
            continue;
        rgc_impls it = rgc_impls_of(w->pol, t);
        for (const rgc_impl *im; (im = rgc_impls_next(&it));)
            for (uint32_t k = 0; k < im->deps.n; k++)
                memo[((rgc_def *)im->deps.v[k])->slot] = 1;
    }
}

/* A decision's value on the stack: its arms as in its own chunk (tables.c),
 * each jumping to the end with its value instead of returning it, without
 * NOTEs (a plan never runs when explaining). No arm matching is the chunk's
 * error: the plan fails and the lazy path reports it. */
static void emit_decision(rgc_pack *pk, rgc_impl *im)
{
    rg_vec ends = {0};
    int depth = pk->cur.depth;
    rgc_decide_body(pk, im, &ends);
    rgc_patch_ends(pk, &ends);
    pk->cur.depth = depth + 1;
    if (pk->cur.depth > pk->cur.max_depth)
        pk->cur.max_depth = pk->cur.depth;
}

/* Compute definition d (implementation im) here, into a local; memoise it
 * when it is read outside the plan. */
static void emit_def(rgc_pack *pk, rgc_def *d, rgc_impl *im, uint32_t *locals, uint32_t row, int memo)
{
    rgc_ty want = rgc_def_type(pk, d);
    if (!rgc_plan_memo_reuse(pk, im, im->policy)) { /* the same body, compiled in another city's plan */
        rgc_plan_memo_watch(pk, im, im->policy);
        if (d->kind == RG_DEF_DECIDE)
            emit_decision(pk, im);
        else
            rgc_expr(pk, im->decl->value, &want);
        rgc_plan_memo_done(pk);
    }
    uint32_t l = rgc_local(pk);
    if (memo && !d->per_item) {
        rgc_emit(pk, RG_OP_STORE_DEF, d->slot, l);
    } else {
        if (memo)
            rgc_emit(pk, RG_OP_STORE_IDEF, d->slot, row);
        rgc_emit(pk, RG_OP_STORE_LOCAL, l, 0);
    }
    locals[d->slot] = l;
}

/* The plan's per-slot arrays as they were before it: for the next policy's. */
static void clear_plan(plan_walk *w, uint32_t n_planned)
{
    for (uint32_t k = 0; k < n_planned; k++) {
        uint32_t s = w->planned[k];
        w->locals[s] = RG_NO_INDEX;
        w->im[s] = NULL;
        w->sum[s] = NULL;
    }
    memset(w->memo, 0, w->pk->defs.n + 1);
}

static uint32_t emit_plan(rgc_pack *pk, rgc_policy *pol, plan_walk *w)
{
    uint32_t *locals = w->locals, *acc = w->acc;
    rgc_impl **im = w->im;
    rg_expr **sum = w->sum;
    uint8_t *memo = w->memo;
    uint32_t planned = 0, n_item = 0, n_sum = 0;
    for (uint32_t k = 0; k < w->n_order; k++) {
        uint32_t s = w->order[k];
        rgc_def *d = pk->defs.v[s];
        if (!(im[s] = planned_impl(pk, pol, d)))
            continue;
        w->planned[planned++] = s;
        n_item += d->per_item;
        if (!d->per_item && (sum[s] = plain_item_sum(pk, im[s]->decl->value)))
            n_sum++;
    }
    if (planned == 0)
        return RG_NO_INDEX;
    rgc_sort_u32(w->planned, planned);
    mark_memo(pk, w, im, memo);

    uint32_t errors = pk->quiet_errors;
    rgc_chunk_begin(pk);
    rg_loc at = pol->ast->policy_loc;
    rgc_set_line(pk, rgc_line(pk, at), at.file);
    pk->cur.plan_local = locals;
    pk->cur.plan_row = RG_NO_INDEX;
    pk->cur.plan_policy = pol;
    pk->cur.policy = pol;
    pk->cur.in_each = 0;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
    /* 1. claim-level definitions no item row feeds */
    for (uint32_t k = 0; k < w->n_order; k++) {
        uint32_t s = w->order[k];
        rgc_def *d = pk->defs.v[s];
        if (im[s] && !d->per_item && !w->item_dep[s] && !sum[s])
            emit_def(pk, d, im[s], locals, RG_NO_INDEX, memo[s]);
    }
    /* 2. the rows: per-item definitions, then the plain sums */
    if (n_item || n_sum) {
        uint32_t row = rgc_local(pk);
        rgc_local(pk); /* row + 1: the end of the rows (ITER_START) */
        for (uint32_t k = 0; k < planned; k++)
            if (sum[w->planned[k]]) {
                uint32_t s = w->planned[k];
                acc[s] = rgc_local(pk);
                rgc_emit_value(pk, 0);
                rgc_emit(pk, RG_OP_STORE_LOCAL, acc[s], 0);
            }
        rgc_emit(pk, RG_OP_ITER_START, pk->prog->fields[pk->prog->list_field].list, row);
        uint32_t next = rgc_emit(pk, RG_OP_ITER_NEXT, row, 0);
        uint32_t body = rgc_here(pk);
        pk->cur.plan_row = row;
        for (uint32_t k = 0; k < w->n_order; k++) {
            uint32_t s = w->order[k];
            rgc_def *d = pk->defs.v[s];
            if (!im[s] || !d->per_item)
                continue;
            rgc_bind_each(pk, im[s]->decl->each ? im[s]->decl->each->var : "item", d->list, row); /* as rgc_body does */
            emit_def(pk, d, im[s], locals, row, memo[s]);
        }
        for (uint32_t k = 0; k < w->n_order; k++) {
            uint32_t s = w->order[k];
            if (!sum[s])
                continue;
            rgc_bind_each(pk, sum[s]->name, pk->prog->list_field, row);
            rgc_ty want = rgc_def_type(pk, pk->defs.v[s]);
            rgc_expr(pk, sum[s]->lhs, &want);
            rgc_emit(pk, RG_OP_ACC_ADD, acc[s], 0);
        }
        pk->cur.in_each = 0;
        pk->cur.n_scope = 0;
        pk->cur.each_row = RG_ROW_OF_FRAME;
        pk->cur.plan_row = RG_NO_INDEX;
        uint32_t loop = rgc_emit(pk, RG_OP_ITER_LOOP, row, 0);
        rgc_patch(pk, loop, 1, body);
        rgc_patch(pk, next, 1, rgc_here(pk));
        for (uint32_t k = 0; k < planned; k++) {
            uint32_t s = w->planned[k];
            rgc_def *d = pk->defs.v[s];
            if (d->per_item)
                locals[s] = RG_NO_INDEX; /* they held the last row's values */
            else if (sum[s]) {
                if (memo[s])
                    rgc_emit(pk, RG_OP_MEMO_DEF, s, acc[s]);
                locals[s] = acc[s];
            }
        }
    }
    /* 3. the rest, in dependency order */
    for (uint32_t k = 0; k < w->n_order; k++) {
        uint32_t s = w->order[k];
        rgc_def *d = pk->defs.v[s];
        if (im[s] && !d->per_item && w->item_dep[s] && !sum[s])
            emit_def(pk, d, im[s], locals, RG_NO_INDEX, memo[s]);
    }
    /* 4. the ledger updates, reading the plan's locals: LEDGER_BEGIN starts the
     * ledger after the claim as it was before; when the plan succeeds the VM
     * does not run the update chunk (vm/interp.c run_plan) */
    if (rgc_has_updates(pol)) {
        rgc_impl *reader = pk->cur.impl;
        pk->cur.impl = NULL;
        rgc_emit(pk, RG_OP_LEDGER_BEGIN, 0, 0);
        rgc_emit_updates(pk, pol);
        pk->cur.impl = reader;
    }
    rgc_emit_value(pk, 0);
    rgc_emit(pk, RG_OP_RET, 0, 0);
    pk->cur.plan_local = NULL;
    uint32_t c = rgc_chunk_end(pk, RG_NO_INDEX, pol->index, RG_NO_INDEX, rgc_line(pk, at),
                               rgc_str(pk, rg_diag_source(pk->diag, at.file)->path));
    pk->cur.plan_policy = NULL; /* after the peephole pass, which fuses across a plan's lines */
    clear_plan(w, planned);
    /* a body that does not compile here as it did in its own chunk: no plan
     * (the chunk stays, unused; the lazy path computes this policy) */
    return pk->quiet_errors == errors ? c : RG_NO_INDEX;
}

void rgc_emit_plans(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    if (p->n_externs || !p->n_outputs)
        return;
    uint32_t n = pk->defs.n;
    plan_walk w = {pk, NULL, calloc(n + 1, 1), calloc(n + 1, 1), calloc(n + 1, 1),
                   malloc((n + 1) * sizeof *w.order), 0,
                   malloc((n + 1) * sizeof *w.locals), calloc(n + 1, sizeof *w.im), calloc(n + 1, sizeof *w.sum),
                   malloc((n + 1) * sizeof *w.acc), calloc(n + 1, 1), malloc((n + 1) * sizeof *w.planned)};
    if (w.locals)
        for (uint32_t s = 0; s <= n; s++)
            w.locals[s] = RG_NO_INDEX;
    if (w.state && w.item_dep && w.needed && w.order && w.locals && w.im && w.sum && w.acc && w.memo && w.planned)
        for (uint32_t i = 0; i < pk->policies.n; i++) {
            w.pol = pk->policies.v[i];
            memset(w.state, 0, n + 1);
            memset(w.needed, 0, n + 1);
            w.n_order = 0;
            if (pk->validate)
                mark_strict(&w, pk->validate->slot, 2);
            /* the roots: the outputs, and what the ledger updates read on every path */
            rg_vec roots = {0};
            for (uint32_t o = 0; o < p->n_outputs; o++)
                rg_vec_push(&roots, pk->defs.v[p->outputs[o].def]);
            for (uint32_t k = 0; k < pk->update_reads.strict_deps.n; k++) {
                rgc_def *d = pk->update_reads.strict_deps.v[k];
                /* a region's own definition, read by its own updates: not this policy's unless within it
                 * (each city's would make every plan walk every city's) */
                if (!d->owner || rgc_policy_within(w.pol, d->owner))
                    rg_vec_push(&roots, d);
            }
            for (uint32_t r = 0; r < roots.n; r++)
                mark_strict(&w, ((rgc_def *)roots.v[r])->slot, 1);
            for (uint32_t r = 0; r < roots.n; r++)
                if (w.needed[((rgc_def *)roots.v[r])->slot] == 1)
                    walk(&w, ((rgc_def *)roots.v[r])->slot);
            rg_vec_free(&roots);
            uint32_t c = emit_plan(pk, w.pol, &w);
            rgc_push_plans(pk, &c, 1);
        }
    free(w.state);
    free(w.item_dep);
    free(w.needed);
    free(w.order);
    free(w.locals), free(w.im), free(w.sum), free(w.acc), free(w.memo), free(w.planned);
}
