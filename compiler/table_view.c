/* table_view.c — a table as a policy sees it on a date: the rows of the
 * implementation that would run (the policy's own, a version's, or an
 * ancestor's, with the rows it inherits merged in), and who wrote each row;
 * the REPL's :show. Reads the compiled pack only; must not compile. */
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "opcodes.h"

/* The chunk that computes SLOT for POLICY as of ASOF: the vtable's, through
 * version selectors as the VM goes through them. */
static uint32_t chunk_at(const rg_program *p, uint32_t slot, uint32_t policy, int64_t asof)
{
    uint32_t c = p->vtable[p->policies[policy].vtable + slot];
    for (int hops = 0; hops < 64 && c < p->n_chunks && p->chunks[c].len && p->code[p->chunks[c].start] == RG_OP_VSELECT;
         hops++) {
        uint16_t sid;
        memcpy(&sid, p->code + p->chunks[c].start + 1, sizeof sid);
        const rg_vselector *vs = &p->vselectors[sid];
        uint32_t next = vs->fallback;
        for (uint32_t i = 0; asof != RG_NONE && i < vs->n_entries; i++) {
            const rg_vsel_entry *e = &p->vsel_entries[vs->first_entry + i];
            const rg_version *v = &p->versions[e->version];
            if ((v->from == RG_NONE || asof >= v->from) && (v->until == RG_NONE || asof <= v->until)) {
                next = e->chunk;
                break;
            }
        }
        c = next;
    }
    return c;
}

int rgc_table_view_at(rgc_pack *pk, const char *name, uint32_t policy, int64_t asof, rgc_table_view *out)
{
    memset(out, 0, sizeof *out);
    const rg_program *p = pk->prog;
    uint32_t slot = rgc_def_slot(pk, name);
    if (slot == RG_NO_INDEX || policy >= p->n_policies)
        return -1;
    rgc_def *def = pk->defs.v[slot];
    if (def->kind != RG_DEF_TABLE)
        return -1;
    uint32_t c = chunk_at(p, slot, policy, asof);
    rgc_impl *run = NULL;
    for (uint32_t i = 0; i < pk->impls.n && !run; i++) {
        rgc_impl *im = pk->impls.v[i];
        if (im->def == def && im->chunk == c)
            run = im;
    }
    out->root = def->root;
    if (!run)
        return 0; /* no policy gives the table: no rows */
    out->policy = run->policy->name;
    out->version = run->version ? run->version->decl->name : NULL;
    out->rows = calloc(run->rows.n + 1, sizeof *out->rows);
    if (!out->rows)
        return -1;
    for (uint32_t r = 0; r < run->rows.n; r++) {
        rgc_table_row *tr = &out->rows[out->n_rows++];
        tr->row = run->rows.v[r];
        /* who wrote it: the implementation whose own declaration holds it */
        for (uint32_t i = 0; i < pk->impls.n && !tr->policy; i++) {
            rgc_impl *im = pk->impls.v[i];
            if (im->def != def)
                continue;
            for (uint32_t k = 0; k < im->decl->rows.n; k++)
                if (im->decl->rows.v[k] == tr->row) {
                    tr->policy = im->policy->name;
                    tr->version = im->version ? im->version->decl->name : NULL;
                }
        }
    }
    return 0;
}

void rgc_table_view_free(rgc_table_view *v)
{
    free(v->rows);
    memset(v, 0, sizeof *v);
}
