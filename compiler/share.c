/* share.c — finds each chunk whose code repeats an earlier chunk's but for
 * operands a copy may have of its own (rg_operand_patchable: a city's plan is
 * its province's with the city's own definitions, constants and ledger fields
 * in places), and records it as a copy of that chunk with its patches: the
 * file then holds that code once, and the verifier checks it once
 * (docs/bytecode.md, "Copies").
 * Must not change the code or what it means: it only says what is there. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "bytecode_io.h"

/* Per opcode, a mask over its instruction's bytes (the first eight in lo,
 * the ninth in hi): those a copy must have as its chunk has (the opcode, the
 * operands no patch may change). */
typedef struct {
    uint64_t lo;
    uint8_t hi;
} byte_mask;
typedef struct {
    byte_mask fixed[RG_OP__COUNT];
} op_masks;

static void make_masks(op_masks *m)
{
    for (unsigned op = 0; op < RG_OP__COUNT; op++) {
        uint8_t fixed[9] = {0};
        memset(fixed, 0xFF, rg_op_length(op) < 9 ? rg_op_length(op) : 9);
        for (int which = 1; which <= 2; which++)
            if (rg_operand_patchable(op, which))
                memset(fixed + rg_operand_at(op, which), 0,
                       rg_operand_width[which == 1 ? rg_opinfo_table[op].a : rg_opinfo_table[op].b]);
        m->fixed[op] = (byte_mask){0, fixed[8]};
        memcpy(&m->fixed[op].lo, fixed, 8);
    }
}

/* The instruction at code (avail bytes of chunk from there) under mask k:
 * its first eight bytes in *lo, its ninth returned. */
static inline uint8_t masked(const uint8_t *code, uint32_t avail, byte_mask k, uint64_t *lo)
{
    uint64_t w = 0;
    if (avail >= 8)
        memcpy(&w, code, 8);
    else
        memcpy(&w, code, avail);
    *lo = w & k.lo;
    return k.hi ? code[8] & k.hi : 0;
}

/* The hash of what a copy must have as its chunk has: the length, locals,
 * stack and definition, and each instruction's opcode and the operands no
 * patch may change. 0: code that does not decode (never shared). */
static uint64_t shape_hash(const rg_program *p, const rg_chunk *c, const op_masks *m)
{
    uint64_t h = rg_sum_step(rg_sum_step(1, (uint64_t)c->len << 32 | c->def),
                             (uint64_t)c->n_locals << 16 | c->max_stack);
    const uint8_t *code = p->code + c->start;
    for (uint32_t off = 0, n; off < c->len; off += n) {
        unsigned op = code[off];
        if (op >= RG_OP__COUNT || (n = rg_op_length(op)) > c->len - off)
            return 0;
        uint64_t lo;
        uint8_t hi = masked(code + off, c->len - off, m->fixed[op], &lo);
        h = rg_sum_step(h, lo ^ (uint64_t)hi << 56);
    }
    return h | 1;
}

/* The first offset from off where the len bytes at a and b differ, or len. */
static uint32_t first_difference(const uint8_t *a, const uint8_t *b, uint32_t off, uint32_t len)
{
    for (; off + 8 <= len; off += 8) {
        uint64_t x, y;
        memcpy(&x, a + off, 8);
        memcpy(&y, b + off, 8);
        if (x != y)
            break;
    }
    while (off < len && a[off] == b[off])
        off++;
    return off;
}

/* Does chunk c repeat chunk t but for operands a copy may have of its own?
 * Then each operand that differs pushed as a patch (in the order of their
 * offsets), and how many in *n_patches; else nothing pushed. */
static int repeats(rgc_pack *pk, const rg_chunk *t, const rg_chunk *c, uint32_t *n_patches)
{
    rg_program *p = pk->prog;
    if (t->len != c->len || t->n_locals != c->n_locals || t->max_stack != c->max_stack || t->def != c->def)
        return 0;
    uint32_t before = p->n_patches;
    const uint8_t *tcode = p->code + t->start, *ccode = p->code + c->start;
    rg_insn in;
    for (uint32_t off = 0, d; (d = first_difference(tcode, ccode, off, c->len)) < c->len; off += in.len) {
        /* to the instruction the difference is in (shape_hash decoded them) */
        while (off + rg_op_length(ccode[off]) <= d)
            off += rg_op_length(ccode[off]);
        const uint8_t *tc = tcode + off, *cc = ccode + off;
        rg_decode(cc, c->len - off, &in);
        if (*tc != in.op)
            goto differ;
        for (int which = 1; which <= 2; which++) {
            unsigned kind = which == 1 ? rg_opinfo_table[in.op].a : rg_opinfo_table[in.op].b;
            unsigned at = rg_operand_at(in.op, which);
            uint32_t cv = which == 1 ? in.a : in.b;
            if (rg_rd_operand(tc + at, kind) == cv)
                continue;
            if (!rg_operand_patchable(in.op, which))
                goto differ;
            rg_patch pt = {off, (uint32_t)which, cv};
            rgc_push_patches(pk, &pt, 1);
        }
    }
    *n_patches = p->n_patches - before;
    return 1;
differ:
    p->n_patches = before;
    return 0;
}

/* Are copy c's line entries those of chunk t moved to c's code (rg_copy.lines)? */
static int lines_moved(const rg_program *p, const rg_chunk *t, const rg_chunk *c)
{
    uint32_t tl = rg_lines_from(p->lines, p->n_lines, t->start), cl = rg_lines_from(p->lines, p->n_lines, c->start);
    uint32_t tn = rg_lines_from(p->lines, p->n_lines, t->start + t->len) - tl;
    uint32_t cn = rg_lines_from(p->lines, p->n_lines, c->start + c->len) - cl;
    if (tn != cn)
        return 0;
    for (uint32_t k = 0; k < tn; k++)
        if (!rg_line_moved(t, c, &p->lines[tl + k], &p->lines[cl + k]))
            return 0;
    return 1;
}

/* The line entries of the copies whose lines are moved from the chunk they
 * repeat go: rg_program_line reads that chunk's (copies are in code order). */
static void drop_moved_lines(rg_program *p)
{
    uint32_t kept = 0, k = 0;
    for (uint32_t i = 0; i < p->n_lines; i++) {
        uint32_t off = p->lines[i].offset;
        while (k < p->n_copies && p->chunks[p->copies[k].chunk].start + p->chunks[p->copies[k].chunk].len <= off)
            k++;
        if (k < p->n_copies && p->copies[k].lines && p->chunks[p->copies[k].chunk].start <= off)
            continue;
        p->lines[kept++] = p->lines[i];
    }
    p->n_lines = kept;
}

void rgc_share_code(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    uint32_t cap = 16;
    while (cap < 2 * p->n_chunks)
        cap *= 2;
    uint32_t *slot = malloc(cap * sizeof *slot);       /* chunks that are no copy, by shape */
    uint64_t *hash = malloc((p->n_chunks + 1) * sizeof *hash);
    op_masks *masks = malloc(sizeof *masks);
    if (!slot || !hash || !masks) {
        free(slot);
        free(hash);
        free(masks);
        return; /* sharing is only a saving: without memory, none */
    }
    for (uint32_t k = 0; k < cap; k++)
        slot[k] = RG_NO_INDEX;
    make_masks(masks);
    uint64_t code_end = 0; /* the copies' code must come in order (the file leaves it out in that order) */
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        const rg_chunk *c = &p->chunks[i];
        hash[i] = shape_hash(p, c, masks);
        if (!hash[i])
            continue;
        uint32_t k = (uint32_t)hash[i] & (cap - 1), n_patches = 0;
        for (; slot[k] != RG_NO_INDEX; k = (k + 1) & (cap - 1)) {
            uint32_t t = slot[k];
            uint32_t first = p->n_patches;
            if (hash[t] != hash[i] || !repeats(pk, &p->chunks[t], c, &n_patches))
                continue;
            /* a copy only where it takes less room than the code */
            if (c->start >= code_end && c->len > sizeof(rg_copy) + (uint64_t)n_patches * sizeof(rg_patch)) {
                rg_copy cp = {i, t, first, n_patches, (uint32_t)lines_moved(p, &p->chunks[t], c)};
                rgc_push_copies(pk, &cp, 1);
                code_end = (uint64_t)c->start + c->len;
            } else {
                p->n_patches = first;
            }
            break;
        }
        if (slot[k] == RG_NO_INDEX)
            slot[k] = i;
    }
    free(slot);
    free(hash);
    free(masks);
    drop_moved_lines(p);
}
