/* defs.c — definitions and their implementations: the slots the base policy
 * creates, each policy's and version's bodies, merged table rows, the result's
 * definitions, and a definition's type. Must not emit code (emit.c) nor run
 * the check pass (check.c); it compiles a body only to infer its type. */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "opcodes.h"

rgc_def *rgc_find_def(rgc_pack *pk, const char *name)
{
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        if (strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

static rgc_def *new_def(rgc_pack *pk, rg_decl *d, int per_item)
{
    rgc_def *def = rg_arena_alloc(&pk->arena, sizeof *def);
    def->name = d->name;
    def->slot = pk->defs.n;
    def->root = d;
    def->per_item = per_item;
    def->kind = d->kind == RG_D_PARAM ? RG_DEF_PARAM : d->kind == RG_D_TABLE ? RG_DEF_TABLE
                : d->kind == RG_D_DECIDE ? RG_DEF_DECIDE : RG_DEF_DEF;
    if (per_item)
        def->item_index = pk->prog->n_item_defs++;
    rg_vec_push(&pk->defs, def);
    return def;
}

static int is_def_decl(rg_decl *d)
{
    return d->kind == RG_D_PARAM || d->kind == RG_D_DEF || d->kind == RG_D_TABLE || d->kind == RG_D_DECIDE;
}

static void add_impl(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_decl *d, int per_item)
{
    rgc_def *def = rgc_find_def(pk, d->name);
    if (!def) {
        const char *cands[512];
        uint32_t n = 0;
        for (uint32_t i = 0; i < pk->defs.n && n < 512; i++)
            cands[n++] = ((rgc_def *)pk->defs.v[i])->name;
        const char *best = rgc_closest(d->name, cands, n);
        char hint[200];
        if (best)
            snprintf(hint, sizeof hint, "did you mean '%s'?", best);
        else
            snprintf(hint, sizeof hint, "a child policy overrides what its parent defines; new definitions go in %s",
                     pk->root->name);
        rgc_error(pk, d->name_loc, hint, "%s overrides '%s', which %s does not define", p->name, d->name,
                  p->parent ? p->parent->name : pk->root->name);
        return;
    } else {
        if (def->per_item != per_item) {
            rgc_error(pk, d->name_loc, def->per_item ? "override it inside `for item in items { … }`" : NULL,
                      "'%s' is %s in %s", d->name, def->per_item ? "defined for each item" : "not per item",
                      pk->root->name);
            return;
        }
        if ((def->kind == RG_DEF_TABLE) != (d->kind == RG_D_TABLE) ||
            (def->kind == RG_DEF_DECIDE) != (d->kind == RG_D_DECIDE)) {
            rgc_error(pk, d->name_loc, NULL, "'%s' is a %s in %s and must be overridden as one", d->name,
                      def->kind == RG_DEF_TABLE ? "table" : def->kind == RG_DEF_DECIDE ? "decision" : "value",
                      pk->root->name);
            return;
        }
        if (d->kind == RG_D_TABLE && d->hit_first >= 0) {
            rgc_error(pk, d->loc, "a child lists only the rows it changes: table NAME { | … -> … }",
                      "table '%s' keeps the inputs its base policy gave it", d->name);
            return;
        }
    }
    rgc_impl **slot = v ? &v->impl[def->slot] : &p->impl[def->slot];
    if (*slot) {
        rgc_error(pk, d->name_loc, NULL, "'%s' is defined twice in %s", d->name, v ? "this version" : p->name);
        return;
    }
    rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
    im->decl = d;
    im->def = def;
    im->policy = p;
    im->version = v;
    *slot = im;
    rg_vec_push(&pk->impls, im);
}

/* A `for item in items { … }` block: top level, over the claim's list. Marks
 * its declarations as belonging to it. */
static int each_block_ok(rgc_pack *pk, rg_decl *d, int nested, rgc_version *v)
{
    if (nested || v) {
        rgc_error(pk, d->loc, NULL, "`for %s in %s` blocks cannot nest or sit in a version", d->var, d->list);
        return 0;
    }
    if (pk->prog->list_field == RG_NO_INDEX ||
        strcmp(d->list, rgc_str_text(pk, pk->prog->fields[pk->prog->list_field].key)) != 0) {
        rgc_error(pk, d->loc, "per-item definitions range over the claim's list", "'%s' is not the claim's list",
                  d->list);
        return 0;
    }
    for (uint32_t k = 0; k < d->decls.n; k++)
        ((rg_decl *)d->decls.v[k])->each = d;
    return 1;
}

static void create_root_defs(rgc_pack *pk, rg_vec *decls, int per_item)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d)) {
            if (rgc_find_def(pk, d->name)) {
                rgc_error(pk, d->name_loc, "rename one of them", "'%s' is defined twice", d->name);
                continue;
            }
            if (d->kind == RG_D_TABLE && d->hit_first < 0) {
                rgc_error(pk, d->loc, "write `table NAME: TYPE by (inputs) { rows }`",
                          "table '%s' needs its result type and inputs", d->name);
                continue;
            }
            if (rgc_child_field(pk, -1, d->name) != RG_NO_INDEX)
                rgc_error(pk, d->name_loc, "rename the definition", "'%s' is also a field of the claim", d->name);
            new_def(pk, d, per_item);
        } else if (d->kind == RG_D_EACH && each_block_ok(pk, d, per_item, NULL)) {
            create_root_defs(pk, &d->decls, 1);
        }
    }
}

static void collect_defs(rgc_pack *pk, rgc_policy *p, rgc_version *v, rg_vec *decls, int per_item)
{
    for (uint32_t i = 0; i < decls->n; i++) {
        rg_decl *d = decls->v[i];
        if (is_def_decl(d))
            add_impl(pk, p, v, d, per_item);
        else if (d->kind == RG_D_EACH && each_block_ok(pk, d, per_item, v))
            collect_defs(pk, p, v, &d->decls, 1);
    }
}

static void grow_impl_arrays(rgc_pack *pk)
{
    uint32_t n = pk->defs.n + 1;
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        p->impl = rg_arena_alloc(&pk->arena, n * sizeof *p->impl);
        for (uint32_t k = 0; k < p->versions.n; k++) {
            rgc_version *v = p->versions.v[k];
            v->impl = rg_arena_alloc(&pk->arena, n * sizeof *v->impl);
        }
    }
}

/* Rows of table `def` as seen by policy p (version v or NULL). */
static void merge_rows(rgc_pack *pk, rg_vec *out, rg_vec *base, rg_vec *over)
{
    for (uint32_t i = 0; i < base->n; i++)
        rg_vec_push(out, base->v[i]);
    for (uint32_t i = 0; i < over->n; i++) {
        rg_row *r = over->v[i];
        int replaced = 0;
        for (uint32_t k = 0; k < out->n && !replaced; k++) {
            rg_row *b = out->v[k];
            if (b->pats.n != r->pats.n)
                continue;
            int same = 1;
            for (uint32_t c = 0; c < r->pats.n && same; c++) {
                rg_pattern *x = r->pats.v[c], *y = b->pats.v[c];
                const rg_source *sx = rg_diag_source(pk->diag, x->loc.file), *sy = rg_diag_source(pk->diag, y->loc.file);
                size_t lx = x->loc.end - x->loc.start, ly = y->loc.end - y->loc.start;
                same = lx == ly && memcmp(sx->text + x->loc.start, sy->text + y->loc.start, lx) == 0;
            }
            if (same) {
                out->v[k] = r;
                replaced = 1;
            }
        }
        if (!replaced)
            rg_vec_push(out, r);
    }
}

static rg_vec *base_rows(rgc_policy *p, rgc_def *def)
{
    for (rgc_policy *q = p; q; q = q->parent)
        if (q->impl[def->slot])
            return &q->impl[def->slot]->rows;
    return NULL;
}

static void table_rows(rgc_pack *pk)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        for (uint32_t s = 0; s < pk->defs.n; s++) {
            rgc_def *def = pk->defs.v[s];
            if (def->kind != RG_DEF_TABLE)
                continue;
            rgc_impl *im = p->impl[s];
            if (im) {
                rg_vec empty = {0};
                rg_vec *base = p->parent ? base_rows(p->parent, def) : &empty;
                merge_rows(pk, &im->rows, base ? base : &empty, &im->decl->rows);
            }
            for (uint32_t k = 0; k < p->versions.n; k++) {
                rgc_version *v = p->versions.v[k];
                rgc_impl *vi = v->impl[s];
                if (!vi)
                    continue;
                rg_vec empty = {0};
                rg_vec *base = base_rows(p, def);
                merge_rows(pk, &vi->rows, base ? base : &empty, &vi->decl->rows);
            }
        }
    }
}

/* Result fields become definitions (hidden ones for expressions that are not
 * a definition's name). */
static void result_defs(rgc_pack *pk)
{
    if (!pk->result)
        return;
    for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
        rg_assign *a = pk->result->assigns.v[i];
        if (a->path.n != 1) {
            rgc_error(pk, a->loc, NULL, "a result field is a plain name");
            continue;
        }
        rgc_def *d = NULL;
        if (a->value->kind == RG_E_NAME)
            d = rgc_find_def(pk, a->value->name);
        if (!d || d->per_item) {
            char name[128];
            snprintf(name, sizeof name, "result.%s", (char *)a->path.v[0]);
            rg_decl *syn = rg_arena_alloc(&pk->arena, sizeof *syn);
            syn->kind = RG_D_DEF;
            syn->loc = a->loc;
            syn->name_loc = a->loc;
            syn->name = rg_arena_strndup(&pk->arena, name, strlen(name));
            syn->value = a->value;
            d = new_def(pk, syn, 0);
            d->hidden = 1;
            a->value->sema = d;
        } else {
            a->value->sema = d;
        }
    }
}

/* Definitions: the base policy's create the slots; then every policy's and
 * version's bodies, and the rows each table has in each of them. */
void rgc_define(rgc_pack *pk)
{
    rgc_policy *root = pk->root;
    create_root_defs(pk, &root->ast->decls, 0);
    result_defs(pk);
    grow_impl_arrays(pk);
    for (uint32_t i = 0; i < pk->defs.n; i++) {
        rgc_def *d = pk->defs.v[i];
        rgc_impl *im = rg_arena_alloc(&pk->arena, sizeof *im);
        im->decl = d->root;
        im->def = d;
        im->policy = root;
        root->impl[d->slot] = im;
        rg_vec_push(&pk->impls, im);
    }
    for (uint32_t i = 1; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        collect_defs(pk, pol, NULL, &pol->ast->decls, 0);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        for (uint32_t k = 0; k < pol->versions.n; k++) {
            rgc_version *v = pol->versions.v[k];
            collect_defs(pk, pol, v, &v->decl->decls, 0);
        }
    }
    table_rows(pk);
}

void rgc_effective_impls(rgc_policy *p, uint32_t slot, rg_vec *out)
{
    for (uint32_t k = 0; k < p->versions.n; k++) {
        rgc_version *v = p->versions.v[k];
        if (v->impl[slot])
            rg_vec_push(out, v->impl[slot]);
    }
    if (p->impl[slot])
        rg_vec_push(out, p->impl[slot]);
    else if (p->parent)
        rgc_effective_impls(p->parent, slot, out);
}

/* ---- typing of definitions ---- */

rgc_ty rgc_body(rgc_pack *pk, rgc_impl *im)
{
    rg_decl *d = im->decl;
    pk->cur.in_each = im->def->per_item;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
    if (im->def->per_item) {
        pk->cur.scope[0].name = d->each ? d->each->var : "item";
        pk->cur.scope[0].local = RG_ROW_OF_FRAME;
        pk->cur.n_scope = 1;
    }
    if (im->def->kind == RG_DEF_TABLE)
        return rgc_table_body(pk, im);
    if (im->def->kind == RG_DEF_DECIDE)
        return rgc_decide_body(pk, im, NULL);
    rgc_ty want;
    int have = 0;
    if (im->def->type_state == 2 || im->def->root->type) {
        want = rgc_def_type(pk, im->def);
        have = want.k == RGC_K_SCALAR;
    }
    rgc_ty t = rgc_expr(pk, d->value, have ? &want : NULL);
    return t;
}

static rgc_impl *root_impl(rgc_pack *pk, rgc_def *d)
{
    return pk->root->impl[d->slot];
}

rgc_ty rgc_def_type(rgc_pack *pk, rgc_def *d)
{
    if (d->type_state == 2)
        return d->type;
    if (d->type_state == 1)
        return (rgc_ty){.k = RGC_K_ERROR};
    d->type_state = 1;
    rgc_ty t = {.k = RGC_K_ERROR};
    if (d->root->type) {
        if (rgc_resolve_type(pk, d->root->type, &t) == 0 && t.k != RGC_K_SCALAR) {
            rgc_error(pk, d->root->type->loc, NULL, "a definition's value is a plain value, not a record");
            t.k = RGC_K_ERROR;
        }
        t.has_range = 0;
    } else if (root_impl(pk, d)) {
        __typeof__(pk->cur) saved = pk->cur;
        rgc_pass saved_pass = pk->pass;
        pk->pass = RGC_PASS_INFER; /* the check pass reports this body's errors */
        rgc_chunk_begin(pk);
        pk->cur.impl = NULL;
        t = rgc_body(pk, root_impl(pk, d));
        pk->cur = saved;
        pk->pass = saved_pass;
        if (t.k == RGC_K_NONE) {
            rgc_error(pk, d->root->loc, "declare its type, e.g. `def x: money? = none`",
                      "the type of '%s' cannot be inferred from none", d->name);
            t.k = RGC_K_ERROR;
        } else if (t.k != RGC_K_SCALAR && t.k != RGC_K_ERROR) {
            char tn[96];
            rgc_ty_name(pk, &t, tn, sizeof tn);
            rgc_error(pk, d->root->value->loc, NULL, "'%s' must be a value, this is %s", d->name, tn);
            t.k = RGC_K_ERROR;
        }
        t.has_range = 0;
    }
    d->type = t;
    d->type_state = 2;
    return t;
}
