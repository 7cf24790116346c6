/* check.c — the check pass: every body type-checked and its reads collected,
 * tables' rows checked, the entry chunks checked, then definition cycles.
 * Must not emit code: the emit pass (emit.c) runs only on a pack that passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "text.h"
#include "i18n.h"

static void check_impl(rgc_pack *pk, rgc_impl *im)
{
    rgc_chunk_begin(pk);
    pk->cur.impl = im;
    rgc_ty t = rgc_body(pk, im);
    pk->cur.impl = NULL;
    im->checked = 1;
    rgc_ty want = rgc_def_type(pk, im->def);
    if (t.k == RGC_K_ERROR || want.k == RGC_K_ERROR || im->def->kind == RG_DEF_TABLE || im->def->kind == RG_DEF_DECIDE)
        return;
    int ok = (rgc_ty_same(&t, &want) || (t.k == RGC_K_NONE && want.optional)) && (!t.optional || want.optional);
    if (!ok) {
        char a[96], b[96], hint[300];
        rgc_ty_name(pk, &want, a, sizeof a);
        rgc_ty_name(pk, &t, b, sizeof b);
        rgc_ty bare = t;
        bare.optional = 0;
        if (t.optional && !want.optional && rgc_ty_same(&bare, &want)) /* it may be absent where it may not */
            snprintf(hint, sizeof hint, _("say what it is when absent: `… ?? VALUE`%s"),
                     im->decl == im->def->root ? _(", or declare it with a `?` after its type") : "");
        else if (im->decl == im->def->root)
            snprintf(hint, sizeof hint, _("give it a value of type %s, or declare the type its value has"), a);
        else
            snprintf(hint, sizeof hint, _("an override keeps the type of what it overrides: give it a value of type %s"),
                     a);
        if (im->decl == im->def->root)
            rgc_error(pk, im->decl->value->loc, hint, _("'%s' is declared %s but its value is %s"), im->def->name, a, b);
        else
            rgc_error(pk, im->decl->value->loc, hint, _("%s's '%s' is %s, this override is %s"), pk->root->name,
                      im->def->name, a, b);
    }
}

/* ---- cycles ---- */

static int dfs(rgc_pack *pk, rgc_policy *p, uint32_t slot, uint8_t *state, uint32_t *stack, uint32_t depth)
{
    if (state[slot] == 2)
        return 0;
    stack[depth] = slot;
    if (state[slot] == 1) {
        uint32_t from = 0;
        while (stack[from] != slot)
            from++;
        char msg[1024];
        rg_sb m;
        rg_sb_fixed(&m, msg, sizeof msg);
        for (uint32_t i = from; i <= depth; i++)
            rg_sb_printf(&m, "%s%s", i > from ? " -> " : "", ((rgc_def *)pk->defs.v[stack[i]])->name);
        rgc_def *d = pk->defs.v[slot];
        rgc_impls it = rgc_impls_of(p, slot);
        const rgc_impl *first = rgc_impls_next(&it);
        rg_loc loc = first ? first->decl->name_loc : d->root->name_loc;
        rgc_error(pk, loc, _("a definition cannot depend on itself, directly or through others"),
                  _("definition cycle in %s: %s"), p->name, msg);
        return 1;
    }
    state[slot] = 1;
    int found = 0;
    rgc_impls it = rgc_impls_of(p, slot);
    for (const rgc_impl *im; !found && (im = rgc_impls_next(&it));)
        for (uint32_t k = 0; k < im->deps.n && !found; k++)
            found = dfs(pk, p, ((rgc_def *)im->deps.v[k])->slot, state, stack, depth + 1);
    state[slot] = 2;
    return found;
}

static void check_cycles(rgc_pack *pk)
{
    uint32_t n = pk->defs.n;
    uint8_t *state = calloc(n + 1, 1);
    uint32_t *stack = calloc(n + 2, sizeof *stack);
    rgc_slot_list written = {0};
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        memset(state, 0, n + 1);
        if (p->parent) {
            /* a definition p and its versions do not write has its parent's
             * implementations, so a cycle p has and its parent has not goes
             * through one p writes (its parent's were looked for already):
             * it is told from there, at p's own implementation */
            rgc_written_slots(p, &written);
            for (uint32_t k = 0; k < written.n; k++)
                if (state[written.v[k]] == 0 && dfs(pk, p, written.v[k], state, stack, 0))
                    break;
            continue;
        }
        for (uint32_t s = 0; s < n; s++) {
            const rgc_def *d = pk->defs.v[s];
            if (d->owner && !rgc_policy_within(p, d->owner))
                continue; /* another region's own: p has no implementation of it (nor a cycle through it) */
            if (state[s] == 0 && dfs(pk, p, s, state, stack, 0))
                break;
        }
    }
    free(state);
    free(stack);
    free(written.v);
}

/* ---- what runs before the ledger is read ---- */

/* The implementation that reads the ledger itself, among im and what it
 * reads as policy p sees it, or NULL. seen: per slot, visited. */
static const rgc_impl *ledger_reader(rgc_policy *p, const rgc_impl *im, uint8_t *seen)
{
    if (im->ledger_at.end)
        return im;
    const rgc_impl *found = NULL;
    for (uint32_t k = 0; k < im->deps.n && !found; k++) {
        const rgc_def *d = im->deps.v[k];
        if (seen[d->slot])
            continue;
        seen[d->slot] = 1;
        rgc_impls it = rgc_impls_of(p, d->slot);
        for (const rgc_impl *i; !found && (i = rgc_impls_next(&it));)
            found = ledger_reader(p, i, seen);
    }
    return found;
}

/* A claim's reasons (the `reject` rules) and its ledger keys are computed
 * before its ledger is read: neither may read it, itself or through a
 * definition. One error for each. */
static void check_ledger_order(rgc_pack *pk)
{
    uint32_t n = pk->defs.n;
    uint8_t *seen = calloc(n + 1, 1);
    int rejects_told = 0, keys_told = 0;
    for (uint32_t i = 0; seen && i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        if (pk->validate && !rejects_told) {
            memset(seen, 0, n + 1);
            const rgc_impl *r = NULL;
            rgc_impls it = rgc_impls_of(p, pk->validate->slot);
            for (const rgc_impl *im; !r && (im = rgc_impls_next(&it));)
                r = ledger_reader(p, im, seen);
            if (r && r->def == pk->validate)
                rgc_error(pk, r->ledger_at, _("decide a reason by the claim; what depends on the ledger belongs in the amounts"),
                          _("a `reject` rule cannot read the ledger: a claim's reasons are decided before its ledger is read"));
            else if (r)
                rgc_error(pk, r->ledger_at, _("decide a reason by the claim; what depends on the ledger belongs in the amounts"),
                          _("the `reject` rules of %s depend on '%s', which reads the ledger: a claim's reasons are decided "
                          "before its ledger is read"), p->name, r->def->name);
            rejects_told = r != NULL;
        }
        if (!keys_told) {
            memset(seen, 0, n + 1);
            const rgc_impl *r = ledger_reader(p, &pk->key_reads, seen);
            if (r == &pk->key_reads)
                rgc_error(pk, r->ledger_at, _("key a ledger by claim fields or definitions of them"),
                          _("a ledger key cannot read the ledger: it says which record to read"));
            else if (r)
                rgc_error(pk, r->ledger_at, _("key a ledger by claim fields or definitions of them"),
                          _("a ledger key depends on '%s', which reads the ledger: the key says which record to read"), r->def->name);
            keys_told = r != NULL;
        }
    }
    free(seen);
}

/* The check pass, after the declarations and definitions. */
void rgc_check(rgc_pack *pk)
{
    for (uint32_t i = 0; i < pk->defs.n; i++)
        rgc_def_type(pk, pk->defs.v[i]);
    for (uint32_t i = 0; i < pk->impls.n; i++)
        check_impl(pk, pk->impls.v[i]);
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        if (im->def->kind == RG_DEF_TABLE)
            rgc_check_table(pk, im);
    }
    rgc_check_inherited_tables(pk);
    rgc_emit_entries(pk); /* the updates' reads counted: the update chunk reads for update_reads */
    /* outputs are computed by a call (rg_vm_eval_outputs): expr.c inlines no read of them */
    if (pk->result)
        for (uint32_t i = 0; i < pk->result->assigns.n; i++) {
            rgc_def *d = ((rg_assign *)pk->result->assigns.v[i])->value->sema;
            if (d)
                d->output = 1;
        }
    check_cycles(pk);
    check_ledger_order(pk);
    rgc_check_tests(pk);
    rgc_check_ranges(pk);
}
