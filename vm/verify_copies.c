/* verify_copies.c — the verifier's copies (rg_copy). A copy must be what its
 * record says: an earlier chunk's code (one that is no copy) but at its
 * patches, each on an operand a copy may have of its own; else the pack is
 * refused. It is then checked with that chunk, once: the chunk's code is
 * walked with each patched operand at the widest class any of its copies
 * gives it, and each copy's patches on their own (their bounds, a definition
 * of the same type, a TABLE block that is one). A copy of other locals,
 * definition, role or classes returned, or a patch the walk cannot stand
 * for, is checked as any chunk. Must not modify the program. */
#include <stdlib.h>

#include "verify.h"

struct rg_vcopies {
    uint32_t *first, *order; /* per chunk: its copies, order[first[c] .. first[c+1]) (indexes into p->copies) */
    uint8_t *is_copy;        /* per chunk: a copy of another */
    uint8_t *done;           /* per chunk: checked with the chunk it repeats */
};

void rg_vcopies_free(rg_vcopies *cs)
{
    if (!cs)
        return;
    free(cs->first);
    free(cs->order);
    free(cs->is_copy);
    free(cs->done);
    free(cs);
}

/* Does chunk c's code overlap a copy's (copies in the order of their code)? */
static int overlaps_a_copy(const rg_program *p, const rg_chunk *c)
{
    uint32_t k = rg_copies_before(p, (uint64_t)c->start + c->len); /* the last of them ends after c starts? */
    if (k == 0) return 0;
    const rg_chunk *last = &p->chunks[p->copies[k - 1].chunk];
    return (uint64_t)last->start + last->len > c->start;
}

/* The copies' records: each a chunk of the pack, once, the same length as
 * the earlier chunk it repeats, which is no copy; in the order of their code,
 * none overlapping (the writer leaves their code out in that order); patches
 * inside the table. Whether each holds its chunk's code with its patches is
 * checked with that chunk (copy_exact). */
static int check_records(vctx *v, rg_vcopies *cs)
{
    const rg_program *p = v->p;
    uint64_t end = 0;
    for (uint32_t k = 0; k < p->n_copies; k++) {
        const rg_copy *cp = &p->copies[k];
        NEED(cp->chunk < p->n_chunks && cp->of < cp->chunk,
             "copy %u: chunk %u repeats chunk %u, which is not an earlier chunk of the pack (%u chunks)", k, cp->chunk,
             cp->of, p->n_chunks);
        const rg_chunk *c = &p->chunks[cp->chunk];
        NEED(!cs->is_copy[cp->chunk], "copy %u: chunk %u is a copy twice", k, cp->chunk);
        NEED(c->len == p->chunks[cp->of].len, "copy %u: chunk %u has %u bytes, chunk %u it repeats %u", k, cp->chunk,
             c->len, cp->of, p->chunks[cp->of].len);
        NEED(c->start >= end, "copy %u: chunk %u's code is not after the previous copy's", k, cp->chunk);
        NEED((uint64_t)cp->first_patch + cp->n_patches <= p->n_patches, "copy %u: patches %u+%u run past the %u patches",
             k, cp->first_patch, cp->n_patches, p->n_patches);
        NEED(cp->lines <= 1, "copy %u: lines is %u, not 0 or 1", k, cp->lines);
        end = (uint64_t)c->start + c->len;
        cs->is_copy[cp->chunk] = 1;
        cs->first[cp->of + 2]++;
    }
    for (uint32_t k = 0; k < p->n_copies; k++) {
        const rg_copy *cp = &p->copies[k];
        NEED(!cs->is_copy[cp->of], "copy %u: chunk %u repeats chunk %u, which is a copy itself", k, cp->chunk, cp->of);
        NEED(!overlaps_a_copy(p, &p->chunks[cp->of]),
             "copy %u: chunk %u repeats chunk %u, whose code overlaps a copy's (the file holds no copy's code)", k,
             cp->chunk, cp->of);
    }
    return 0;
}

rg_vcopies *rg_vcopies_begin(vctx *v)
{
    const rg_program *p = v->p;
    rg_vcopies *cs = calloc(1, sizeof *cs);
    if (cs) {
        cs->first = calloc((size_t)p->n_chunks + 2, sizeof *cs->first);
        cs->order = malloc(((size_t)p->n_copies + 1) * sizeof *cs->order);
        cs->is_copy = calloc((size_t)p->n_chunks + 1, 1);
        cs->done = calloc((size_t)p->n_chunks + 1, 1);
    }
    if (!cs || !cs->first || !cs->order || !cs->is_copy || !cs->done) {
        rg_vcopies_free(cs);
        VFAIL(v, "out of memory verifying the code");
        return NULL;
    }
    if (check_records(v, cs)) {
        rg_vcopies_free(cs);
        return NULL;
    }
    /* each chunk's copies: order[first[c] .. first[c + 1]) */
    for (uint32_t c = 0; c < p->n_chunks; c++)
        cs->first[c + 2] += cs->first[c + 1];
    for (uint32_t k = 0; k < p->n_copies; k++)
        cs->order[cs->first[p->copies[k].of + 1]++] = k;
    return cs;
}

int rg_vcopies_done(const rg_vcopies *cs, uint32_t ci)
{
    return cs->done[ci];
}

/* Patch pt of copy cp, on operand `which` of the chunk's instruction in (at
 * offset off): within its bounds, and one the walk of the chunk covers. */
static int patch_ok(vctx *v, const rg_copy *cp, uint32_t off, const rg_insn *in, int which, uint32_t value)
{
    const rg_program *p = v->p;
    uint32_t was = which == 1 ? in->a : in->b;
    switch (which == 1 ? rg_opinfo_table[in->op].a : rg_opinfo_table[in->op].b) {
    case RG_OPK_IMM:
        return 1;
    case RG_OPK_CONST:
        return value < p->n_consts && (in->op != RG_OP_TABLE || rg_verify_table_block(v, cp->chunk, off, value) == 0);
    case RG_OPK_DEF:
        return value < p->n_defs && p->defs[value].type == p->defs[was].type &&
               p->defs[value].per_item == p->defs[was].per_item && RG_TYPE_KIND(p->defs[value].type) != RG_T_ROW;
    case RG_OPK_STR:
        return value < p->n_strings;
    case RG_OPK_NOTE:
        return value < p->n_notes;
    case RG_OPK_LEDGER:
        return value < p->n_ledger_fields;
    case RG_OPK_VSEL: { /* it continues the copy's definition */
        if (value >= p->n_vselectors)
            return 0;
        const rg_vselector *vs = &p->vselectors[value];
        uint32_t def = p->chunks[cp->chunk].def;
        if (p->chunks[vs->fallback].def != def)
            return 0;
        for (uint32_t i = 0; i < vs->n_entries; i++)
            if (p->chunks[p->vsel_entries[vs->first_entry + i].chunk].def != def)
                return 0;
        return 1;
    }
    default:
        return 0;
    }
}

/* Copy k holds its chunk's code (decoded in vc) but at its patches, each on
 * an operand a copy may have of its own, in the order of their offsets, and
 * holding the patch's value. */
static int copy_exact(vctx *v, const rg_vcode *vc, uint32_t k)
{
    const rg_program *p = v->p;
    const rg_copy *cp = &p->copies[k];
    const rg_chunk *c = &p->chunks[cp->chunk], *of = &p->chunks[cp->of];
    const uint8_t *code = p->code + c->start, *orig = p->code + of->start;
    uint32_t same = 0;  /* bytes compared */
    uint64_t last = 0;  /* the last patch's offset << 2 | operand */
    for (uint32_t i = 0; i < cp->n_patches; i++) {
        const rg_patch *pt = &p->patches[cp->first_patch + i];
        uint64_t key = (uint64_t)pt->at << 2 | (pt->operand & 3u);
        NEED(pt->at < c->len && vc->at[pt->at] != RG_NO_INDEX && (pt->operand == 1 || pt->operand == 2) &&
                 rg_operand_patchable(vc->in[vc->at[pt->at]].op, (int)pt->operand) && (i == 0 || key > last),
             "copy %u: patch %u is not on an operand of an instruction of chunk %u that a copy may change, after the "
             "patch before it", k, cp->first_patch + i, cp->of);
        last = key;
        const rg_insn *in = &vc->in[vc->at[pt->at]];
        unsigned kind = pt->operand == 1 ? rg_opinfo_table[in->op].a : rg_opinfo_table[in->op].b;
        uint32_t from = pt->at + rg_operand_at(in->op, (int)pt->operand);
        NEED(memcmp(code + same, orig + same, from - same) == 0 && rg_rd_operand(code + from, kind) == pt->value,
             "copy %u: chunk %u is not chunk %u's code with its patches (before or at offset %u)", k, cp->chunk, cp->of,
             from);
        same = from + rg_operand_width[kind];
    }
    NEED(memcmp(code + same, orig + same, c->len - same) == 0,
         "copy %u: chunk %u is not chunk %u's code with its patches (after offset %u)", k, cp->chunk, cp->of, same);
    return 0;
}

/* Can copy cp (exact) be checked with its chunk, decoded in vc (checked, not yet walked)? */
static int copy_checkable(vctx *v, const rg_types *t, const uint8_t *role, const rg_vcode *vc, const rg_copy *cp)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[cp->chunk], *of = &p->chunks[cp->of];
    if (c->n_locals != of->n_locals || c->max_stack != of->max_stack || c->def != of->def ||
        role[cp->chunk] != role[cp->of] || !rg_verify_types_alike(t, cp->chunk, cp->of) ||
        (c->def != RG_NO_INDEX && RG_TYPE_KIND(p->defs[c->def].type) == RG_T_ROW))
        return 0;
    for (uint32_t i = 0; i < cp->n_patches; i++) {
        const rg_patch *pt = &p->patches[cp->first_patch + i];
        if (!patch_ok(v, cp, pt->at, &vc->in[vc->at[pt->at]], (int)pt->operand, pt->value))
            return 0;
    }
    return 1;
}

/* Chunk ci, decoded and checked in vc, walked: with its copies that can be
 * checked with it (marked done), or alone when none can or when the walk with
 * them fails (each is then checked as any chunk, and says what is wrong). A
 * chunk that reads a row definition is walked again in later passes, alone:
 * its copies are left to be checked as any chunk. */
int rg_vcopies_walk(vctx *v, rg_vcopies *cs, rg_types *t, const uint8_t *role, uint32_t ci, rg_vcode *vc)
{
    const rg_program *p = v->p;
    uint32_t n_ok = 0;
    for (uint32_t j = cs->first[ci]; j < cs->first[ci + 1]; j++) {
        uint32_t k = cs->order[j];
        if (copy_exact(v, vc, k))
            return -1;
        if (copy_checkable(v, t, role, vc, &p->copies[k])) {
            cs->done[p->copies[k].chunk] = 1;
            n_ok++;
        }
    }
    if (n_ok == 0)
        return rg_verify_types_chunk(v, t, ci, vc);
    for (uint32_t j = cs->first[ci]; j < cs->first[ci + 1]; j++) {
        uint32_t k = cs->order[j];
        if (!cs->done[p->copies[k].chunk])
            continue;
        const rg_copy *cp = &p->copies[k];
        for (uint32_t i = 0; i < cp->n_patches; i++) {
            const rg_patch *pt = &p->patches[cp->first_patch + i];
            rg_verify_types_widen(p, &vc->in[vc->at[pt->at]], (int)pt->operand, pt->value);
        }
    }
    if (rg_verify_types_chunk(v, t, ci, vc) == 0 && !rg_verify_types_reads_row(t, ci))
        return 0;
    for (uint32_t j = cs->first[ci]; j < cs->first[ci + 1]; j++)
        cs->done[p->copies[cs->order[j]].chunk] = 0;
    if (v->err && v->errlen)
        v->err[0] = '\0';
    rg_vcode_decode(p, ci, vc);
    return rg_verify_types_chunk(v, t, ci, vc);
}
