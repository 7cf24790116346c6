/* verify_code.c — the verifier's pass over each chunk's code: decoding,
 * operand bounds, TABLE blocks, where ledger writes may stand, jump targets
 * and termination. Must not modify the program nor follow what the stack
 * holds along the paths: its depths and value classes (verify_types.c). */
#include <stdio.h>
#include <stdlib.h>

#include "verify.h"

typedef struct {
    rg_vcode vc;      /* the chunk decoded */
    uint8_t *role;    /* per chunk: ROLE_PLAN, ROLE_UPDATE */
    uint32_t below[RG_OPK__COUNT]; /* per operand kind, the count (the pack's, or the chunk's locals or
                                    * bytes) an operand below which is good; 0: check_operand decides */
} scratch;

enum { ROLE_PLAN = 1, ROLE_UPDATE = 2 };

_Static_assert(RG_OPK_NONE == 0 && RG_OPK_IMM == 1, "the operand kinds that need no check come first");

/* What an operand must be below, said only when it is not (formatting it for every operand cost more than
 * the checks): the pack's count of something (PLURAL), a chunk's locals, or a catalog's columns (CAT). */
typedef struct {
    enum { B_PACK, B_LOCALS, B_COLUMNS } kind;
    const char *plural;
    uint32_t n, cat;
} bound_of;

static int bad_operand(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, const char *noun, uint32_t val,
                       bound_of b)
{
    char bound[64];
    if (b.kind == B_PACK)
        snprintf(bound, sizeof bound, "the pack has %u %s", (unsigned)b.n, b.plural);
    else if (b.kind == B_LOCALS)
        snprintf(bound, sizeof bound, "this chunk has %u locals", (unsigned)b.n);
    else
        snprintf(bound, sizeof bound, "catalog %u has %u columns", (unsigned)b.cat, (unsigned)b.n);
    return VFAIL(v, "chunk %u at offset %u: %s: %s %u is out of range (%s)", ci, off, rg_opinfo_table[in->op].name, noun,
                 val, bound);
}

/* Operand which (1 or 2) of in, at offset off of chunk ci, against its kind's bound. */
static int check_operand(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, int which)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    unsigned kind = which == 1 ? rg_opinfo_table[in->op].a : rg_opinfo_table[in->op].b;
    uint32_t val = which == 1 ? in->a : in->b;
    const char *noun;
    bound_of b;
#define PACK(noun_, plural_, n_)                 \
    noun = noun_;                                \
    b = (bound_of){B_PACK, plural_, (n_), 0};    \
    break;
    switch (kind) {
    case RG_OPK_CONST: PACK("constant", "constants", p->n_consts)
    case RG_OPK_STR: PACK("string", "strings", p->n_strings)
    case RG_OPK_FIELD: PACK("claim slot", "claim slots", p->n_claim_slots)
    case RG_OPK_IFIELD: PACK("item slot", "item slots", p->n_item_slots)
    case RG_OPK_DEF: PACK("definition", "definitions", p->n_defs)
    case RG_OPK_LEDGER: PACK("ledger field", "ledger fields", p->n_ledger_fields)
    case RG_OPK_CAT: PACK("catalog", "catalogs", p->n_catalogs)
    case RG_OPK_BRK: PACK("bracket", "brackets", p->n_brackets)
    case RG_OPK_LIST: PACK("list", "lists", p->n_lists)
    case RG_OPK_NOTE: PACK("note", "notes", p->n_notes)
    case RG_OPK_VSEL: PACK("selector", "selectors", p->n_vselectors)
    case RG_OPK_EXTERN: PACK("host function", "host functions", p->n_externs)
    case RG_OPK_CLIST: PACK("claim list", "claim lists", p->n_claim_lists)
    case RG_OPK_TYPE:
        if (!rg_verify_type_ok(p, val))
            return VFAIL(v, "chunk %u at offset %u: %s: type 0x%x is not a valid type", ci, off,
                        rg_opinfo_table[in->op].name, val);
        return 0;
    case RG_OPK_LOCAL:
    case RG_OPK_ROWSRC:
        if (kind == RG_OPK_ROWSRC && val == RG_ROW_OF_FRAME) return 0;
        noun = kind == RG_OPK_LOCAL ? "local" : "row local";
        b = (bound_of){B_LOCALS, NULL, c->n_locals, 0};
        break;
    case RG_OPK_COL: /* operand 1 (the catalog) was checked first */
        noun = "column";
        b = (bound_of){B_COLUMNS, NULL, p->catalogs[in->a].n_columns, in->a};
        break;
    case RG_OPK_CATCOL:
        if (rg_hi16(val) >= p->n_catalogs) {
            return bad_operand(v, ci, off, in, "catalog", rg_hi16(val), (bound_of){B_PACK, "catalogs", p->n_catalogs, 0});
        }
        noun = "column";
        b = (bound_of){B_COLUMNS, NULL, p->catalogs[rg_hi16(val)].n_columns, rg_hi16(val)};
        val = rg_lo16(val);
        break;
    case RG_OPK_ROWCOLV: /* as ROWCOL, a byte each, then a value of any 8 bits */
    case RG_OPK_ROWCOL: { /* a local, a catalog, a column of it */
        rg_rowcol rc = rg_rowcol_of(kind, val);
        if (rc.local >= c->n_locals) {
            return bad_operand(v, ci, off, in, "local", rc.local, (bound_of){B_LOCALS, NULL, c->n_locals, 0});
        }
        if (rc.cat >= p->n_catalogs) {
            return bad_operand(v, ci, off, in, "catalog", rc.cat, (bound_of){B_PACK, "catalogs", p->n_catalogs, 0});
        }
        noun = "column";
        b = (bound_of){B_COLUMNS, NULL, p->catalogs[rc.cat].n_columns, rc.cat};
        val = rc.col;
        break;
    }
    case RG_OPK_CATIFIELD: /* a catalog, then a slot of an item row */
        if (rg_hi16(val) >= p->n_catalogs) {
            return bad_operand(v, ci, off, in, "catalog", rg_hi16(val), (bound_of){B_PACK, "catalogs", p->n_catalogs, 0});
        }
        val = rg_lo16(val);
        PACK("item slot", "item slots", p->n_item_slots)
    case RG_OPK_FIELDIMM: /* the value is any 16 bits */
        val = rg_hi16(val);
        PACK("claim slot", "claim slots", p->n_claim_slots)
    case RG_OPK_ROWLOCAL: /* a row source, then a local */
    case RG_OPK_LOCALS:   /* two locals */
        if (!(kind == RG_OPK_ROWLOCAL && rg_hi16(val) == RG_ROW_OF_FRAME) && rg_hi16(val) >= c->n_locals) {
            return bad_operand(v, ci, off, in, kind == RG_OPK_ROWLOCAL ? "row local" : "local", rg_hi16(val),
                               (bound_of){B_LOCALS, NULL, c->n_locals, 0});
        }
        noun = "local";
        b = (bound_of){B_LOCALS, NULL, c->n_locals, 0};
        val = rg_lo16(val);
        break;
    case RG_OPK_JUMP:
        NEED(val < c->len, "chunk %u at offset %u: jump to %u is outside the chunk (0..%u)", ci, off, val, c->len - 1);
        return 0;
    default: /* NONE, IMM: nothing to check */
        return 0;
    }
#undef PACK
    if (val >= b.n) return bad_operand(v, ci, off, in, noun, val, b);
    return 0;
}

/* No instruction starts anywhere again: only the entries the last chunk set
 * are cleared, not an entry a byte of the next chunk. */
static void vcode_reset(rg_vcode *vc)
{
    for (uint32_t i = 0; i < vc->n; i++)
        vc->at[vc->off[i]] = RG_NO_INDEX;
    vc->n = 0;
}

/* Pass 1: decode linearly into s->vc, check opcodes, lengths and operand bounds. */
static int decode_chunk(vctx *v, uint32_t ci, scratch *s)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const uint8_t *code = v->p->code + c->start;
    rg_vcode *vc = &s->vc;
    uint32_t off = 0;
    vcode_reset(vc);
    s->below[RG_OPK_LOCAL] = s->below[RG_OPK_ROWSRC] = c->n_locals; /* the chunk's own bounds */
    s->below[RG_OPK_JUMP] = c->len;
    while (off < c->len) {
        rg_insn *in = &vc->in[vc->n];
        int r = rg_decode(code + off, c->len - off, in);
        NEED(r != -1, "chunk %u at offset %u: bad opcode %u (this VM has %u opcodes)", ci, off, (unsigned)code[off],
             (unsigned)RG_OP__COUNT);
        NEED(r != -2, "chunk %u at offset %u: %s needs %u bytes but only %u are left in the chunk", ci, off,
             rg_opinfo_table[in->op].name, rg_op_length(in->op), c->len - off);
        const rg_opinfo *oi = &rg_opinfo_table[in->op];
        /* NONE and IMM: nothing to check; a count of the pack's: below it, else check_operand says why */
        if ((oi->a > RG_OPK_IMM && !(in->a < s->below[oi->a]) && check_operand(v, ci, off, in, 1)) ||
            (oi->b > RG_OPK_IMM && !(in->b < s->below[oi->b]) && check_operand(v, ci, off, in, 2)))
            return -1;
        NEED((in->op != RG_OP_LOAD_IDEF && in->op != RG_OP_STORE_IDEF) || v->p->defs[in->a].per_item,
             "chunk %u at offset %u: %s of definition %u, which is not per-item", ci, off, rg_opinfo_table[in->op].name,
             in->a);
        NEED((in->op != RG_OP_STORE_DEF && in->op != RG_OP_MEMO_DEF) || !v->p->defs[in->a].per_item,
             "chunk %u at offset %u: %s of definition %u, which is per-item", ci, off, rg_opinfo_table[in->op].name,
             in->a);
        if (in->op == RG_OP_TABLE && rg_verify_table_block(v, ci, off, in->a)) return -1;
        /* the ledger after the claim is written by the updates, run by the
         * update chunk or computed by a plan: by no definition */
        NEED(in->op != RG_OP_LEDGER_BEGIN || (s->role[ci] & ROLE_PLAN),
             "chunk %u at offset %u: LEDGER_BEGIN outside a plan", ci, off);
        NEED((in->op != RG_OP_LEDGER_ADD && in->op != RG_OP_LEDGER_SET) || s->role[ci],
             "chunk %u at offset %u: %s outside the update chunks and the plans", ci, off, rg_opinfo_table[in->op].name);
        vc->at[off] = vc->n;
        vc->off[vc->n++] = off;
        off += in->len;
    }
    vc->off[vc->n] = c->len;
    uint8_t last = vc->in[vc->n - 1].op;
    NEED(rg_op_ends_block(last),
         "chunk %u at offset %u: the chunk ends with %s and would fall off its end (the last instruction must end a "
         "block: RET, RET_IMM, JUMP, FAIL, VSELECT or a jumping superinstruction)",
         ci, vc->off[vc->n - 1], rg_opinfo_table[last].name);
    return 0;
}

/* A TABLE block (opcodes.h): inside the constants, its inputs locals of the
 * chunk, a product of at most RG_TABLE_MAX_CELLS cells, matched flags 0 or 1. */
int rg_verify_table_block(vctx *v, uint32_t ci, uint32_t off, uint32_t at)
{
    const rg_program *p = v->p;
    const int64_t *k = p->consts + at;
    uint64_t avail = p->n_consts - at, cells = 1;
    NEED(k[0] >= 1 && k[0] <= RG_TABLE_MAX_INPUTS && (uint64_t)(1 + 3 * k[0]) <= avail,
         "chunk %u at offset %u: TABLE block at constant %u: bad input count %lld", ci, off, at, (long long)k[0]);
    for (int64_t i = 0; i < k[0]; i++) {
        const int64_t *in = k + 1 + 3 * i;
        NEED(in[0] >= 0 && in[0] < p->chunks[ci].n_locals && in[2] >= 1 && in[2] <= RG_TABLE_MAX_CELLS &&
                 in[1] > INT64_MIN + RG_TABLE_MAX_CELLS && in[1] < INT64_MAX - RG_TABLE_MAX_CELLS,
             "chunk %u at offset %u: TABLE block at constant %u: bad input %lld", ci, off, at, (long long)i);
        cells *= (uint64_t)in[2];
        NEED(cells <= RG_TABLE_MAX_CELLS, "chunk %u at offset %u: TABLE block at constant %u has too many cells", ci,
             off, at);
    }
    uint64_t first = 1 + 3 * (uint64_t)k[0];
    NEED(first + 2 * cells <= avail, "chunk %u at offset %u: TABLE block at constant %u runs past the constants", ci,
         off, at);
    for (uint64_t c = 0; c < cells; c++)
        NEED(k[first + 2 * c] == 0 || k[first + 2 * c] == 1,
             "chunk %u at offset %u: TABLE block at constant %u: cell %llu has a bad flag", ci, off, at,
             (unsigned long long)c);
    return 0;
}

/* Pass 2: every jump lands on an instruction start. */
static int check_targets(vctx *v, uint32_t ci, const scratch *s)
{
    const rg_vcode *vc = &s->vc;
    const uint8_t *code = v->p->code + v->p->chunks[ci].start;
    for (uint32_t i = 0; i < vc->n; i++) {
        uint32_t t = rg_insn_target(&vc->in[i]);
        if (t == RG_NO_INDEX || vc->at[t] != RG_NO_INDEX) continue;
        uint32_t inside = t;
        while (vc->at[inside] == RG_NO_INDEX) inside--; /* offset 0 is a start */
        return VFAIL(v, "chunk %u at offset %u: jump to %u lands inside the %s at offset %u", ci, vc->off[i], t,
                     rg_opinfo_table[code[inside]].name, inside);
    }
    return 0;
}

int rg_vcode_alloc(rg_vcode *vc, uint32_t longest)
{
    vc->in = malloc((size_t)longest * sizeof *vc->in);
    vc->off = malloc(((size_t)longest + 1) * sizeof *vc->off);
    vc->at = malloc(((size_t)longest + 1) * sizeof *vc->at);
    vc->n = 0;
    if (!vc->in || !vc->off || !vc->at)
        return -1;
    memset(vc->at, 0xFF, ((size_t)longest + 1) * sizeof *vc->at); /* RG_NO_INDEX */
    return 0;
}

void rg_vcode_free(rg_vcode *vc)
{
    free(vc->in);
    free(vc->off);
    free(vc->at);
}

void rg_vcode_decode(const rg_program *p, uint32_t ci, rg_vcode *vc)
{
    const rg_chunk *c = &p->chunks[ci];
    const uint8_t *code = p->code + c->start;
    vcode_reset(vc);
    for (uint32_t off = 0; off < c->len; off += vc->in[vc->n++].len) {
        rg_decode(code + off, c->len - off, &vc->in[vc->n]);
        vc->at[off] = vc->n;
        vc->off[vc->n] = off;
    }
    vc->off[vc->n] = c->len;
}

uint32_t rg_verify_longest_chunk(const rg_program *p)
{
    uint32_t longest = 1;
    for (uint32_t i = 0; i < p->n_chunks; i++)
        if (p->chunks[i].len > longest) longest = p->chunks[i].len;
    return longest;
}

int rg_verify_code(vctx *v, rg_types *t)
{
    const rg_program *p = v->p;
    uint32_t longest = rg_verify_longest_chunk(p);
    scratch s = {{0}, calloc(p->n_chunks + 1, 1), {0}};
    rg_vcopies *cs = rg_vcopies_begin(v);
    int r = cs ? 0 : -1;
    if (r == 0 && (rg_vcode_alloc(&s.vc, longest) || !s.role))
        r = VFAIL(v, "out of memory verifying the code");
    const uint32_t counts[][2] = {{RG_OPK_CONST, p->n_consts},       {RG_OPK_STR, p->n_strings},
                                  {RG_OPK_FIELD, p->n_claim_slots},  {RG_OPK_IFIELD, p->n_item_slots},
                                  {RG_OPK_DEF, p->n_defs},           {RG_OPK_LEDGER, p->n_ledger_fields},
                                  {RG_OPK_CAT, p->n_catalogs},       {RG_OPK_BRK, p->n_brackets},
                                  {RG_OPK_LIST, p->n_lists},         {RG_OPK_NOTE, p->n_notes},
                                  {RG_OPK_VSEL, p->n_vselectors},    {RG_OPK_EXTERN, p->n_externs},
                                  {RG_OPK_CLIST, p->n_claim_lists}};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        s.below[counts[k][0]] = counts[k][1];
    /* entries were checked: the plans and the update chunks are in range */
    for (uint32_t i = 0; r == 0 && i < p->n_plans; i++)
        if (p->plans[i] != RG_NO_INDEX) s.role[p->plans[i]] |= ROLE_PLAN;
    for (uint32_t i = 0; r == 0 && i < p->n_policies; i++)
        if (p->policies[i].update != RG_NO_INDEX) s.role[p->policies[i].update] |= ROLE_UPDATE;
    for (uint32_t i = 0; i < p->n_chunks && r == 0; i++) {
        if (rg_vcopies_done(cs, i))
            continue;
        if (p->chunks[i].len == 0)
            r = VFAIL(v, "chunk %u is empty (a chunk must end with RET, JUMP, FAIL or VSELECT)", i);
        else
            r = decode_chunk(v, i, &s) || check_targets(v, i, &s) ? -1 : 0;
        /* each instruction pushes at most one value more than it pops, and takes a byte at least:
         * a larger max_stack would only make every context allocate for nothing */
        if (r == 0 && p->chunks[i].max_stack > p->chunks[i].len)
            r = VFAIL(v, "chunk %u: max_stack %u is more than its %u bytes of code can push", i,
                      (unsigned)p->chunks[i].max_stack, p->chunks[i].len);
        if (r == 0)
            r = rg_vcopies_walk(v, cs, t, s.role, i, &s.vc);
    }
    rg_vcopies_free(cs);
    rg_vcode_free(&s.vc);
    free(s.role);
    return r;
}
