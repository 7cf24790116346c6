/* emit.c — the emit pass: the entry chunks (policy selector, as-of date,
 * ledger keys and first values, the updates), each implementation's chunk,
 * the definitions, versions, vtables and version selectors of the program.
 * Must not report what the check pass reported: it runs on a checked pack. */

#include <stdlib.h>

#include "builder.h"
#include "opcodes.h"
#include "i18n.h"

/* ---- entry chunks ---- */

static uint32_t file_str(rgc_pack *pk, uint32_t file)
{
    return rgc_str(pk, rg_diag_source(pk->diag, file)->path);
}

static uint32_t entry_chunk(rgc_pack *pk, rg_expr *e, const char *what, rg_type_kind want, int claim_only,
                            rgc_ty *out)
{
    rgc_chunk_begin(pk);
    pk->cur.claim_only = claim_only;
    pk->cur.claim_only_what = what;
    rgc_ty t = rgc_expr(pk, e, NULL);
    pk->cur.claim_only = 0;
    if (out)
        *out = t;
    if (t.k == RGC_K_SCALAR && want != RG_T_VOID && (t.scalar != want || t.optional)) {
        char tn[96];
        rgc_ty_name(pk, &t, tn, sizeof tn);
        char hint[200];
        snprintf(hint, sizeof hint, want == RG_T_REGION ? _("name the claim's region field: `select policy by person.insured_region as of visit.date`")
                                  : want == RG_T_DATE ? _("name a date of the claim: `… as of visit.date`")
                                                      : _("write a %s here"),
                 rg_type_kind_name(want));
        rgc_error(pk, e->loc, hint, _("%s must be %s, this is %s"), what, rg_type_kind_name(want), tn);
    }
    rgc_emit(pk, RG_OP_RET, 0, 0);
    if (!rgc_writes_code(pk))
        return 0;
    return rgc_chunk_end(pk, RG_NO_INDEX, 0, RG_NO_INDEX, rgc_line(pk, e->loc), file_str(pk, e->loc.file));
}

/* Why an update's target names no ledger field: the ledger or the field
 * unknown, with the nearest name the region sees. */
static void no_ledger_field(rgc_pack *pk, rgc_policy *q, const rg_assign *a)
{
    const rg_program *p = pk->prog;
    if (a->path.n != 2) {
        rgc_error(pk, a->loc, _("updates name a ledger field: SCOPE.FIELD += value"), _("not a ledger field"));
        return;
    }
    const char *scope = a->path.v[0], *field = a->path.v[1], *cands[256];
    uint32_t n = 0, e = rgc_names_find(&pk->ledger_names, scope);
    char hint[240];
    if (e == RG_NO_INDEX) {
        for (uint32_t s = 0; s < p->n_ledger_scopes && n < 256; s++)
            if (rgc_policy_within(q, pk->policies.v[p->ledger_scopes[s].owner]))
                cands[n++] = rgc_str_text(pk, p->ledger_scopes[s].name);
        const char *best = rgc_closest(scope, cands, n);
        if (best)
            snprintf(hint, sizeof hint, _("did you mean '%s'?"), best);
        rgc_error(pk, a->loc, best ? hint : _("declare it first: `ledger NAME by KEYS { FIELD: TYPE }`"),
                  _("no ledger '%s'"), scope);
        return;
    }
    const rg_ledger_scope *sc = &p->ledger_scopes[pk->ledger_names.ents[e].value];
    for (uint32_t i = 0; i < sc->n_fields && n < 256; i++)
        cands[n++] = rgc_str_text(pk, p->ledger_fields[sc->first_field + i].name);
    const char *best = rgc_closest(field, cands, n);
    if (best)
        snprintf(hint, sizeof hint, _("did you mean '%s.%s'?"), scope, best);
    rgc_error(pk, a->loc, best ? hint : _("name one of the fields its declaration lists"),
              _("the ledger '%s' has no field '%s'"), scope, field);
}


/* The update blocks of policy q (its own, in file order), compiled as q sees names. */
static void own_updates(rgc_pack *pk, rgc_policy *q)
{
    rgc_policy *reader = pk->cur.policy;
    pk->cur.policy = q;
    if (rgc_plan_memo_reuse(pk, q, q)) { /* the same updates, compiled in another city's plan */
        pk->cur.policy = reader;
        return;
    }
    rgc_plan_memo_watch(pk, q, q);
    for (uint32_t u = 0; u < q->updates.n; u++) {
        rg_decl *d = q->updates.v[u];
        uint32_t skip = RG_NO_INDEX;
        if (d->value2) {
            rgc_ty bt = rgc_ty_scalar(RG_T_BOOL);
            rgc_ty c = rgc_expr(pk, d->value2, &bt);
            if (c.k == RGC_K_SCALAR && (c.scalar != RG_T_BOOL || c.optional))
                rgc_error(pk, d->value2->loc, _("write a test that is true or false: `update when eligible { … }`"),
                          _("an update's condition must be a bool"));
            skip = rgc_emit(pk, RG_OP_JUMP_IF_FALSE, 0, 0);
        }
        for (uint32_t i = 0; i < d->assigns.n; i++) {
            rg_assign *a = d->assigns.v[i];
            uint32_t f = a->path.n == 2 ? rgc_ledger_field(pk, a->path.v[0], a->path.v[1]) : RG_NO_INDEX;
            if (f == RG_NO_INDEX) {
                no_ledger_field(pk, q, a);
                continue;
            }
            rgc_policy *owner = pk->policies.v[pk->prog->ledger_scopes[pk->prog->ledger_fields[f].scope].owner];
            if (!rgc_policy_within(q, owner)) {
                char hint[200];
                snprintf(hint, sizeof hint, _("update it from %s or a region under it"), owner->name);
                rgc_error(pk, a->loc, hint, _("the ledger '%s' belongs to %s and the regions under it, not to %s"),
                          (const char *)a->path.v[0], owner->name, q->name);
                continue;
            }
            rgc_ty ft = rgc_ty_from_packed(pk->prog->ledger_fields[f].type);
            rgc_ty t = rgc_expr(pk, a->value, &ft);
            if (t.k == RGC_K_SCALAR && (!rgc_ty_same(&t, &ft) || t.optional)) {
                char an[96], bn[96];
                rgc_ty_name(pk, &ft, an, sizeof an);
                rgc_ty_name(pk, &t, bn, sizeof bn);
                char hint[200];
                snprintf(hint, sizeof hint, t.optional && !ft.optional ? _("give it a value for when it is absent: `… ?? 0`, of type %s")
                                                                       : _("add or take away a %s"), an);
                rgc_error(pk, a->value->loc, hint, _("the ledger field %s.%s is %s, the value is %s"),
                          (const char *)a->path.v[0], (const char *)a->path.v[1], an, bn);
            }
            if (a->op == '-')
                rgc_emit(pk, RG_OP_NEG, 0, 0);
            rgc_emit(pk, a->op == '=' ? RG_OP_LEDGER_SET : RG_OP_LEDGER_ADD, f, 0);
        }
        if (skip != RG_NO_INDEX)
            rgc_patch(pk, skip, 0, rgc_here(pk));
    }
    rgc_plan_memo_done(pk);
    pk->cur.policy = reader;
}

int rgc_has_updates(const rgc_policy *pol)
{
    for (; pol; pol = pol->parent)
        if (pol->updates.n)
            return 1;
    return 0;
}

void rgc_emit_updates(rgc_pack *pk, rgc_policy *pol)
{
    if (!pol)
        return;
    rgc_emit_updates(pk, pol->parent); /* the base policy's first: a region's updates add to them */
    own_updates(pk, pol);
}

/* The update chunk of pol: its updates and those of the policies it extends.
 * The check pass checks each policy's own updates once (whole is 0). */
static uint32_t update_chunk(rgc_pack *pk, rgc_policy *pol, int whole)
{
    rgc_chunk_begin(pk);
    /* the check pass collects what the updates read (a plan memoises it,
     * plan.c); the code pass compiles the same bodies, which read the same */
    pk->cur.impl = rgc_writes_code(pk) ? NULL : &pk->update_reads;
    rg_decl *first = NULL;
    for (rgc_policy *q = pol; q; q = q->parent)
        if (q->updates.n)
            first = q->updates.v[0];
    rgc_set_line(pk, rgc_line(pk, first->loc), first->loc.file);
    if (whole)
        rgc_emit_updates(pk, pol);
    else
        own_updates(pk, pol);
    rgc_emit_value(pk, 0);
    rgc_emit(pk, RG_OP_RET, 0, 0);
    pk->cur.impl = NULL;
    if (!rgc_writes_code(pk))
        return 0;
    return rgc_chunk_end(pk, RG_NO_INDEX, 0, RG_NO_INDEX, rgc_line(pk, first->loc), file_str(pk, first->loc.file));
}

/* Each policy's update chunk: its parent's when it adds none, none when no
 * policy it extends has updates. */
static void update_chunks(rgc_pack *pk)
{
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        if (!rgc_writes_code(pk)) {
            if (pol->updates.n)
                update_chunk(pk, pol, 0);
            continue;
        }
        uint32_t c = !rgc_has_updates(pol) ? RG_NO_INDEX
                     : !pol->updates.n     ? pk->prog->policies[pol->parent->index].update
                                           : update_chunk(pk, pol, 1);
        pk->prog->policies[pol->index].update = c;
    }
}

/* All entry chunks; the check pass checks them without writing code. */
void rgc_emit_entries(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    if (!pk->select) {
        rgc_error(pk, pk->root->ast->policy_loc, _("add `select policy by person.insured_region as of visit.date`"),
                  _("the base policy does not say how a claim picks its policy"));
    } else {
        p->entry.select_policy = entry_chunk(pk, pk->select->value, _("the policy selector"), RG_T_REGION, 1, NULL);
        p->entry.asof = entry_chunk(pk, pk->select->value2, _("the as-of date"), RG_T_DATE, 1, NULL);
    }
    uint32_t kt = 0;
    for (uint32_t s = 0; s < pk->ledger_decls.n; s++) {
        rg_decl *d = pk->ledger_decls.v[s];
        rg_ledger_scope *sc = &p->ledger_scopes[s];
        pk->cur.policy = pk->policies.v[sc->owner]; /* a region's ledger is keyed by what it sees */
        if (rgc_writes_code(pk))
            sc->first_key = p->n_ledger_keys;
        for (uint32_t k = 0; k < d->inputs.n; k++) {
            rgc_ty t;
            pk->cur.impl = &pk->key_reads; /* what the keys read, for check.c */
            uint32_t c = entry_chunk(pk, d->inputs.v[k], _("a ledger key"), RG_T_VOID, 0, &t);
            pk->cur.impl = NULL;
            if (t.k != RGC_K_SCALAR && t.k != RGC_K_ERROR)
                rgc_error(pk, ((rg_expr *)d->inputs.v[k])->loc, _("key a ledger by claim fields or definitions: person.id, year(visit.date), visit.chronic_disease"),
                          _("a ledger key is a plain value"));
            else if (t.k == RGC_K_SCALAR && (t.scalar == RG_T_LIST || t.scalar == RG_T_ROW || t.scalar == RG_T_ELEM))
                rgc_error(pk, ((rg_expr *)d->inputs.v[k])->loc, NULL,
                          _("a ledger key is a string, a number, a date, a region or a member of an enumeration"));
            if (rgc_writes_code(pk)) {
                rgc_push_ledger_keys(pk, &c, 1);
                rg_type ty = rgc_ty_pack(&t);
                rgc_push_ledger_key_types(pk, &ty, 1);
            }
        }
        for (uint32_t i = 0; i < d->members.n; i++) {
            rg_member *m = d->members.v[i];
            if (!m->init)
                continue;
            rgc_ty t;
            uint32_t c = entry_chunk(pk, m->init, _("a ledger field's first value"), RG_T_VOID, 1, &t);
            rgc_ty ft = rgc_ty_from_packed(p->ledger_fields[sc->first_field + i].type);
            if (t.k == RGC_K_SCALAR && (!rgc_ty_same(&t, &ft) || t.optional))
                rgc_error(pk, m->init->loc, _("give a value of the field's type, never absent: `… ?? ¥0`"),
                          _("the first value must have the field's type"));
            if (rgc_writes_code(pk))
                p->ledger_fields[sc->first_field + i].init = c;
        }
        kt++;
    }
    pk->cur.policy = NULL;
    (void)kt;
    update_chunks(pk);
    p->entry.validate = pk->validate ? pk->validate->slot : RG_NO_INDEX;
}

/* ---- emit ---- */

/* What policies outside the region that declared d run for it: no code of
 * theirs can name it (rgc_find_def_in), so this is only ever a stop. */
static uint32_t missing_chunk(rgc_pack *pk, rgc_def *d)
{
    rgc_chunk_begin(pk);
    rg_loc at = d->root->name_loc;
    rgc_set_line(pk, rgc_line(pk, at), at.file);
    char msg[200];
    snprintf(msg, sizeof msg, "'%s' belongs to %s and the regions under it", d->name,
             d->owner ? d->owner->name : pk->root->name);
    rgc_emit(pk, RG_OP_FAIL, rgc_str(pk, msg), 0);
    return rgc_chunk_end(pk, d->slot, (d->owner ? d->owner : pk->root)->index, RG_NO_INDEX, rgc_line(pk, at),
                         file_str(pk, at.file));
}

static uint32_t emit_impl(rgc_pack *pk, rgc_impl *im)
{
    rgc_chunk_begin(pk);
    pk->cur.impl = NULL;
    rgc_ty t = rgc_body(pk, im);
    (void)t;
    if (im->def->kind != RG_DEF_TABLE && im->def->kind != RG_DEF_DECIDE)
        rgc_emit(pk, RG_OP_RET, 0, 0);
    return rgc_chunk_end(pk, im->def->slot, im->policy->index, im->version ? im->version->index : RG_NO_INDEX,
                         rgc_line(pk, im->decl->loc), file_str(pk, im->decl->loc.file));
}

/* Policy pol's vtable entry for slot s: its own implementation, else its
 * parent's entry (or, for the base policy, the chunk that says it is
 * missing); a selector over them when its versions implement s. */
static uint32_t vtable_entry(rgc_pack *pk, rgc_policy *pol, uint32_t s, uint32_t *elsewhere)
{
    rg_program *p = pk->prog;
    const rgc_impl *own = rgc_impl_get(&pol->impl, s);
    uint32_t base = own ? own->chunk : pol->parent ? p->vtable[p->policies[pol->parent->index].vtable + s] : RG_NO_INDEX;
    if (base == RG_NO_INDEX)
        base = elsewhere[s] = elsewhere[s] != RG_NO_INDEX ? elsewhere[s] : missing_chunk(pk, pk->defs.v[s]);
    uint32_t nv = 0;
    for (uint32_t k = 0; k < pol->versions.n; k++)
        nv += rgc_impl_get(&((rgc_version *)pol->versions.v[k])->impl, s) != NULL;
    if (!nv)
        return base;
    rg_vselector sel = {p->n_vsel_entries, nv, base};
    rg_loc at = {0, 0, 0}; /* the selector sits at the first version's definition */
    for (uint32_t k = 0; k < pol->versions.n; k++) {
        rgc_version *v = pol->versions.v[k];
        const rgc_impl *vi = rgc_impl_get(&v->impl, s);
        if (vi) {
            rg_vsel_entry e = {v->index, vi->chunk};
            rgc_push_vsel_entries(pk, &e, 1);
            if (at.end == 0)
                at = vi->decl->loc;
        }
    }
    uint32_t sid = rgc_push_vselectors(pk, &sel, 1);
    rgc_chunk_begin(pk);
    rgc_set_line(pk, rgc_line(pk, at), at.file);
    rgc_emit(pk, RG_OP_VSELECT, sid, 0);
    return rgc_chunk_end(pk, s, pol->index, RG_NO_INDEX, rgc_line(pk, at), file_str(pk, at.file));
}

void rgc_emit_pack(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    uint32_t n = pk->defs.n;
    for (uint32_t i = 0; i < n; i++) {
        rgc_def *d = pk->defs.v[i];
        rgc_ty t = rgc_def_type(pk, d);
        rg_def rd = {rgc_str(pk, d->name), rgc_ty_pack(&t), (uint8_t)d->kind, (uint8_t)d->per_item, 0,
                     d->per_item ? d->item_index : RG_NO_INDEX};
        rgc_push_defs(pk, &rd, 1);
    }
    for (uint32_t i = 0; i < pk->versions.n; i++) {
        rgc_version *v = pk->versions.v[i];
        rg_version rv = {rgc_str(pk, v->decl->name), v->policy->index, v->from, v->until};
        rgc_push_versions(pk, &rv, 1);
    }
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        im->chunk = emit_impl(pk, im);
    }
    uint32_t *elsewhere = malloc((n + 1) * sizeof *elsewhere); /* per slot: the chunk of policies without it */
    rgc_slot_list slots = {0};
    for (uint32_t s = 0; s < n; s++)
        elsewhere[s] = RG_NO_INDEX;
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *pol = pk->policies.v[i];
        rg_policy rp = {rgc_str(pk, pol->name), pol->parent ? pol->parent->index : RG_NO_INDEX,
                        file_str(pk, pol->ast->file), p->n_vtable, RG_NO_INDEX};
        uint32_t vt = rgc_push_vtable(pk, NULL, n);
        if (!pol->parent) {
            for (uint32_t s = 0; s < n; s++)
                p->vtable[vt + s] = vtable_entry(pk, pol, s, elsewhere);
        } else {
            /* the parent's row, then the slots the policy or its versions write */
            if (n)
                memcpy(p->vtable + vt, p->vtable + p->policies[pol->parent->index].vtable, n * sizeof *p->vtable);
            rgc_written_slots(pol, &slots);
            for (uint32_t k = 0; k < slots.n; k++)
                p->vtable[vt + slots.v[k]] = vtable_entry(pk, pol, slots.v[k], elsewhere);
        }
        rgc_push_policies(pk, &rp, 1);
    }
    free(elsewhere);
    free(slots.v);
    rgc_emit_entries(pk);
    /* outputs */
    if (pk->result) {
        for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
            rg_assign *a = pk->result->assigns.v[i];
            rgc_def *d = a->value->sema;
            if (!d)
                continue;
            rgc_ty t = rgc_def_type(pk, d);
            rg_output o = {rgc_str(pk, a->path.v[0]), d->slot, rgc_ty_pack(&t)};
            rgc_push_outputs(pk, &o, 1);
        }
    }
    if (pk->make == RGC_MAKE_ALL) {
        rgc_emit_plans(pk);
        rgc_share_code(pk);
    }
}
