/* verify_types.c — the verifier's walk of every path: the stack's depth
 * (never below what an instruction pops nor above max_stack, the same
 * wherever paths meet) and a value class (string, row of catalog c, number —
 * below a bound, or any —, none) for every stack slot and local, with a rule
 * per opcode. Must not modify the program; it runs on code verify_code.c has
 * checked (operands in range, jumps on instructions, every chunk ending). */
#include <stdio.h>
#include <stdlib.h>

#include "verify.h"

/* ---- value classes ----
 * Values are untyped words and the instructions trust what they are given, so
 * a hostile pack that hands an integer to an instruction (or a writer) taking
 * it for a string or a catalog row would make the VM read where it must not.
 * This pass follows a class for every stack slot and local along every path
 * (a string pointer, a row of catalog c, any other word, or only none) and
 * refuses a pack in which a string or row use may see anything else. Row
 * definitions learn their catalog from what their chunks return, so the pass
 * repeats until those stop changing. Every opcode has a rule below: adding an
 * opcode without one is a compile error (-Wswitch).
 *
 * A number also has a bound when it is known to be none or 0 .. bound-1: an
 * immediate, a constant, a comparison (0 or 1), a field, definition, catalog
 * column or host function of type bool, enum or region (the binder, the
 * verified cells and the host-call checks keep those in range). A chunk of a
 * definition of those types must return within its type's bound, and so must
 * what is memoised as one: so a definition, and an output, of an enumeration is
 * one of its members, a bool 0 or 1, a region one of the pack's policies, on
 * every path, whatever the pack's bytes. */

enum { T_STR = 1, T_WORD = 2, T_ROW = 4, T_WIDE = 8 };
#define T_CAT(t) ((t) >> 8)              /* a row's catalog + 1 */
#define T_BOUND(t) ((t) >> 8)            /* a number that is no row: none or 0 .. bound-1 (unless T_WIDE) */
#define T_ANY_CAT 0xFFFFFFu              /* rows of more than one catalog */
#define T_MAX_BOUND 0xFFFFFEu
#define T_NUMBER (T_WORD | T_WIDE)       /* any number */
#define T_TOP (T_STR | T_WORD | T_ROW | T_WIDE | T_ANY_CAT << 8)

static inline uint32_t tag_join(uint32_t a, uint32_t b)
{
    uint32_t cls = (a | b) & 7u;
    if (cls & T_ROW) { /* the catalog above; a number beside a row has no bound */
        uint32_t cat = !(a & T_ROW) ? T_CAT(b) : !(b & T_ROW) ? T_CAT(a) : T_CAT(a) == T_CAT(b) ? T_CAT(a) : T_ANY_CAT;
        return cls | (cls & T_WORD ? T_WIDE : 0) | cat << 8;
    }
    if (!(cls & T_WORD))
        return cls;
    if ((a | b) & T_WIDE)
        return cls | T_WIDE;
    uint32_t ba = a & T_WORD ? T_BOUND(a) : 0, bb = b & T_WORD ? T_BOUND(b) : 0;
    return cls | (ba > bb ? ba : bb) << 8;
}

/* A number that is none or 0 .. bound-1 (only none for 0). */
static uint32_t tag_below(uint64_t bound)
{
    return bound == 0 ? 0 : bound <= T_MAX_BOUND ? T_WORD | (uint32_t)bound << 8 : T_NUMBER;
}

/* The number v, as the VM holds it. */
static uint32_t tag_value(int64_t v)
{
    return v == RG_NONE ? 0 : v >= 0 && v < T_MAX_BOUND ? tag_below((uint64_t)v + 1) : T_NUMBER;
}

static uint32_t tag_row(uint32_t cat)
{
    return T_ROW | (cat < T_ANY_CAT - 1 ? cat + 1 : T_ANY_CAT) << 8;
}

/* How many values type t has when they are 0 .. n-1 (bool, enum, region), else 0. */
static uint64_t type_bound(const rg_program *p, uint32_t t)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_BOOL: return 2;
    case RG_T_ENUM: return RG_TYPE_AUX(t) < p->n_enums ? p->enums[RG_TYPE_AUX(t)].n_members : 0;
    case RG_T_REGION: return p->n_policies;
    default: return 0;
    }
}

/* The class of a value of type t (a row of an unknown catalog for a row type). */
static uint32_t tag_of_type(const rg_program *p, uint32_t t)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_STRING: return T_STR;
    case RG_T_ROW: return T_ROW | T_ANY_CAT << 8;
    case RG_T_BOOL: case RG_T_ENUM: case RG_T_REGION: return tag_below(type_bound(p, t));
    default: return T_NUMBER;
    }
}

static const char *type_noun(const rg_program *p, uint32_t t, char *buf, size_t cap)
{
    switch (RG_TYPE_KIND(t)) {
    case RG_T_BOOL: return "a bool (0 or 1)";
    case RG_T_REGION: snprintf(buf, cap, "one of the %u regions", p->n_policies); return buf;
    default:
        snprintf(buf, cap, "a member of enumeration '%s' (0 .. %llu)",
                 p->blob + p->strings[p->enums[RG_TYPE_AUX(t)].name].offset,
                 (unsigned long long)type_bound(p, t) - 1);
        return buf;
    }
}

static const char *tag_name(uint32_t t)
{
    return t & T_STR ? "string" : t & T_ROW ? "catalog row" : "number";
}

struct rg_types {
    uint32_t *claim_slot, *item_slot; /* the class each slot's values have */
    uint32_t *def_tag;                /* the class a definition's values have (rows: what its chunks returned) */
    uint8_t *want;                    /* per chunk: the classes it may return */
    uint32_t *want_type;              /* per chunk: the type whose bound a number it returns keeps, or 0 */
    uint8_t *reads_row;               /* per chunk: it reads a row definition's class (which a pass may widen) */
    int changed;                      /* a row definition's catalog changed in this pass */
    /* per chunk */
    const rg_vcode *vc;               /* the chunk decoded: by verify_code.c in the first pass, into own after */
    rg_vcode own;
    uint32_t *leader_of;              /* instruction -> leader number, RG_NO_INDEX */
    uint32_t *states;                 /* per leader: height (RG_NO_INDEX: not reached), stack, locals */
    size_t states_cap;                /* words states has room for */
    uint8_t *queued;
    uint32_t *work, *cur;
    uint32_t width;
    /* the flat walk (ty_chunk): a local's class is the join of every store into
     * it, the state only says which locals every path has stored */
    int flat;
    uint32_t *flat_tag;               /* per local: that join, or FLAT_UNSET */
    uint8_t *flat_read;               /* per local: read since it last grew */
    int flat_stale;                   /* a local grew after it was read: walk again */
    int flat_mixed;                   /* a local holds two classes (or two catalogs' rows): walk exactly */
};
typedef rg_types tyctx;

#define FLAT_UNSET UINT32_MAX

/* Local i's class in state loc: exactly, or in the flat walk its join where
 * every path here stored it (anything where one may not have). */
static inline uint32_t loc_get(tyctx *t, const uint32_t *loc, uint32_t i)
{
    if (!t->flat)
        return loc[i];
    if (!(loc[i >> 5] >> (i & 31) & 1))
        return T_TOP;
    t->flat_read[i] = 1;
    return t->flat_tag[i];
}

/* Two classes that the flat walk may not join: a string, a row and a number
 * apart from none, or rows of two catalogs. Apart from those a join only
 * widens a bound, which a use checks as the exact walk would. */
static int classes_mix(uint32_t a, uint32_t b)
{
    uint32_t ca = a & 7u, cb = b & 7u;
    return (ca && cb && ca != cb) || ((ca & T_ROW) && (cb & T_ROW) && T_CAT(a) != T_CAT(b));
}

static inline void loc_set(tyctx *t, uint32_t *loc, uint32_t i, uint32_t tag)
{
    if (!t->flat) {
        loc[i] = tag;
        return;
    }
    loc[i >> 5] |= 1u << (i & 31);
    uint32_t old = t->flat_tag[i];
    if (old == tag)
        return;
    if (old == FLAT_UNSET) {
        t->flat_tag[i] = tag;
        return;
    }
    if (classes_mix(old, tag)) {
        t->flat_mixed = 1;
        return;
    }
    uint32_t j = tag_join(old, tag);
    if (j != old) {
        t->flat_tag[i] = j;
        if (t->flat_read[i])
            t->flat_stale = 1;
    }
}

static int need_tag(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t t, uint32_t allowed,
                    const char *what)
{
    NEED(!(t & 7u & ~allowed), "chunk %u at offset %u: %s: %s may be a %s", ci, off, rg_opinfo_table[in->op].name,
         what, tag_name(t & 7u & ~allowed));
    return 0;
}

/* A number that must be a value of type ty (bool, enum, region: below its
 * bound; any other type: anything). */
static int need_bound(vctx *v, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t t, uint32_t ty,
                      const char *what)
{
    uint64_t bound = type_bound(v->p, ty);
    if (!(t & T_WORD) || (RG_TYPE_KIND(ty) != RG_T_BOOL && RG_TYPE_KIND(ty) != RG_T_ENUM &&
                          RG_TYPE_KIND(ty) != RG_T_REGION))
        return 0;
    if (!(t & T_WIDE) && T_BOUND(t) <= bound)
        return 0;
    char noun[160], got[48];
    if (t & T_WIDE)
        snprintf(got, sizeof got, "any number");
    else
        snprintf(got, sizeof got, "as large as %u", T_BOUND(t) - 1);
    return VFAIL(v, "chunk %u at offset %u: %s: %s may be %s where %s is needed", ci, off, rg_opinfo_table[in->op].name,
                 what, got, type_noun(v->p, ty, noun, sizeof noun));
}

/* A value the chunk returns: of the classes it may return; a row definition learns the catalog. */
static int ret_tag(vctx *v, tyctx *t, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t tag)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    int def = c->def != RG_NO_INDEX;
    NEED(!(tag & 7u & ~t->want[ci]), "chunk %u at offset %u: %s returns a %s where %s%s%s needs a %s", ci, off,
         rg_opinfo_table[in->op].name, tag_name(tag & 7u & ~t->want[ci]), def ? "definition '" : "its caller",
         def ? p->blob + p->strings[p->defs[c->def].name].offset : "", def ? "'" : "", tag_name(t->want[ci]));
    if (t->want_type[ci] && need_bound(v, ci, off, in, tag, t->want_type[ci], "the value returned"))
        return -1;
    if (c->def != RG_NO_INDEX && RG_TYPE_KIND(p->defs[c->def].type) == RG_T_ROW) {
        uint32_t j = tag_join(t->def_tag[c->def], tag);
        if (j != t->def_tag[c->def]) {
            t->def_tag[c->def] = j;
            t->changed = 1;
        }
    }
    return 0;
}

/* Join slots from .. to-1 of s into d: whether d grew. */
static uint32_t join_slots(uint32_t *d, const uint32_t *s, uint32_t from, uint32_t to)
{
    uint32_t grew = 0;
    for (uint32_t k = from; k < to; k++)
        if (d[k] != s[k]) {
            uint32_t j = tag_join(d[k], s[k]);
            grew |= j != d[k];
            d[k] = j;
        }
    return grew;
}

/* Join state s (height s[0]), arriving from instruction `from`, into that of the leader instruction `to`,
 * queueing it when it grew. */
static int ty_merge(vctx *v, tyctx *t, uint32_t ci, uint32_t from, uint32_t to, const uint32_t *s, uint32_t *n_work)
{
    uint32_t l = t->leader_of[to], *d = t->states + (size_t)l * t->width, grew = 0;
    if (d[0] == RG_NO_INDEX) {
        memcpy(d, s, t->width * sizeof *d);
        grew = 1;
    } else {
        NEED(d[0] == s[0],
             "chunk %u at offset %u: stack depth %u arriving from offset %u, but %u on another path (inconsistent "
             "stack at a merge)",
             ci, t->vc->off[to], s[0], t->vc->off[from], d[0]);
        /* the stack up to its height, and the locals (the flat walk: the locals stored on both ways); the
         * slots above the height are never read */
        uint32_t locals = 1 + v->p->chunks[ci].max_stack;
        grew = join_slots(d, s, 1, 1 + s[0]);
        if (!t->flat)
            grew |= join_slots(d, s, locals, t->width);
        else
            for (uint32_t k = locals; k < t->width; k++) {
                grew |= d[k] & ~s[k];
                d[k] &= s[k];
            }
    }
    if (grew && !t->queued[l]) {
        t->queued[l] = 1;
        t->work[(*n_work)++] = to;
    }
    return 0;
}

/* The class of definition d as chunk ci reads it; a chunk that reads a row
 * definition's (which a pass may widen) is followed again in later passes. */
static uint32_t def_read(tyctx *t, const rg_program *p, uint32_t ci, uint32_t d)
{
    if (RG_TYPE_KIND(p->defs[d].type) == RG_T_ROW)
        t->reads_row[ci] = 1;
    return t->def_tag[d];
}

/* The class of the cells of the TABLE block at constant a (checked) that apply. */
static uint32_t table_tag(const rg_program *p, uint32_t a)
{
    const int64_t *k = p->consts + a;
    uint64_t cells = 1, first = 1 + 3 * (uint64_t)k[0];
    for (int64_t i = 0; i < k[0]; i++)
        cells *= (uint64_t)k[1 + 3 * i + 2];
    uint32_t cell = 0;
    for (uint64_t j = 0; j < cells; j++)
        if (k[first + 2 * j])
            cell = tag_join(cell, tag_value(k[first + 2 * j + 1]));
    return cell;
}

/* The class operand `which` of in gives when it is x: an immediate's or a
 * constant's number, a TABLE block's cells; 0 for any other operand. */
static uint32_t operand_tag(const rg_program *p, const rg_insn *in, int which, uint32_t x)
{
    switch (which == 1 ? rg_opinfo_table[in->op].a : rg_opinfo_table[in->op].b) {
    case RG_OPK_IMM: return tag_value((int32_t)x);
    case RG_OPK_CONST: return in->op == RG_OP_TABLE ? table_tag(p, x) : tag_value(p->consts[x]);
    default: return 0;
    }
}

/* The classes of immediates, constants and TABLE blocks' cells are a chain
 * (none, then numbers below a bound, then any number): of two, the join is
 * one of them. */
void rg_verify_types_widen(const rg_program *p, rg_insn *in, int which, uint32_t value)
{
    uint32_t *op = which == 1 ? &in->a : &in->b;
    uint32_t now = operand_tag(p, in, which, *op), then = operand_tag(p, in, which, value);
    if (tag_join(now, then) == then && then != now)
        *op = value;
}

int rg_verify_types_alike(const rg_types *t, uint32_t a, uint32_t b)
{
    return t->want[a] == t->want[b] && t->want_type[a] == t->want_type[b];
}

int rg_verify_types_reads_row(const rg_types *t, uint32_t ci)
{
    return t->reads_row[ci];
}

/* What instruction in does to state s (s[0] height, then the stack, then the locals). */
static int ty_step(vctx *v, tyctx *t, uint32_t ci, uint32_t off, const rg_insn *in, uint32_t *s)
{
    const rg_program *p = v->p;
    const rg_chunk *c = &p->chunks[ci];
    uint32_t *stk = s + 1, *loc = s + 1 + c->max_stack;
    int pops = rg_insn_pops(p, in->op, in->a); /* operands were checked by verify_code.c */
    const rg_opinfo *oi = &rg_opinfo_table[in->op];
    NEED(s[0] >= (uint32_t)pops, "chunk %u at offset %u: %s pops %d but the stack holds %d (stack underflow)", ci, off,
         oi->name, pops, (int)s[0]);
    NEED(s[0] - pops + oi->pushes <= c->max_stack,
         "chunk %u at offset %u: %s grows the stack to %d, above the chunk's max_stack %u", ci, off, oi->name,
         (int)(s[0] - pops + oi->pushes), (unsigned)c->max_stack);
    uint32_t *arg = stk + s[0] - pops, out = T_NUMBER;
    switch ((rg_opcode)in->op) {
    case RG_OP_NOP: case RG_OP_POP: case RG_OP_JUMP: case RG_OP_JUMP_IF_FALSE: case RG_OP_JUMP_IF_TRUE: case RG_OP_LEDGER_BEGIN:
    case RG_OP_JUMP_IF_NE: case RG_OP_NOTE: case RG_OP_FAIL: case RG_OP_JUMP_IF_SOME: case RG_OP_JUMP_KEEP_FALSE:
    case RG_OP_JUMP_KEEP_TRUE:
        break;
    case RG_OP_VSELECT: {
        /* it continues the same definition in another chunk */
        const rg_vselector *vs = &p->vselectors[in->a];
        NEED(p->chunks[vs->fallback].def == c->def,
             "chunk %u at offset %u: VSELECT falls back to chunk %u, which computes another definition", ci, off,
             vs->fallback);
        for (uint32_t i = 0; i < vs->n_entries; i++) {
            uint32_t to = p->vsel_entries[vs->first_entry + i].chunk;
            NEED(p->chunks[to].def == c->def,
                 "chunk %u at offset %u: VSELECT continues in chunk %u, which computes another definition", ci, off, to);
        }
        break;
    }
    case RG_OP_LOAD_ASOF: case RG_OP_LIST_COUNT: case RG_OP_LOAD_LEDGER: case RG_OP_ADD: case RG_OP_SUB:
    case RG_OP_MUL: case RG_OP_DIV: case RG_OP_NEG: case RG_OP_PCT: case RG_OP_DATE_ADD: case RG_OP_DATE_DIFF:
    case RG_OP_YEAR: case RG_OP_TIERED:
        break;
    case RG_OP_EQ: case RG_OP_NE: case RG_OP_LT: case RG_OP_LE: case RG_OP_GT: case RG_OP_GE: case RG_OP_NOT:
    case RG_OP_FIELD_EQ: case RG_OP_FIELD_SOME: case RG_OP_IN_LIST: case RG_OP_IN_LISTV: case RG_OP_EQ_IMM:
    case RG_OP_IN_SET_IMM:
        out = tag_below(2); /* 0 or 1 */
        break;
    case RG_OP_MIN: case RG_OP_MAX: out = tag_join(arg[0], arg[1]); break; /* one of the two */
    case RG_OP_MIN_IMM: case RG_OP_MAX_IMM: out = tag_join(arg[0], tag_value((int32_t)in->a)); break;
    case RG_OP_PUSH_INT: out = tag_value((int32_t)in->a); break;
    case RG_OP_PUSH_CONST: out = tag_value(p->consts[in->a]); break;
    case RG_OP_PUSH_STR: out = T_STR; break;
    case RG_OP_PUSH_NONE: out = 0; break;
    case RG_OP_DUP: out = arg[0]; break;
    case RG_OP_LOAD_LOCAL: out = loc_get(t, loc, in->a); break;
    case RG_OP_STORE_LOCAL: loc_set(t, loc, in->a, arg[0]); break;
    case RG_OP_SET_LOCAL: loc_set(t, loc, in->a, tag_value((int32_t)in->b)); break;
    case RG_OP_ACC_ADD: loc_set(t, loc, in->a, T_NUMBER); break;
    case RG_OP_ITER_NEXT: case RG_OP_ITER_LOOP: /* the end of the rows is the next local (ITER_START) */
        NEED(in->a + 1 < c->n_locals, "chunk %u at offset %u: %s needs locals %u and %u (%u locals)", ci, off,
             rg_opinfo_table[in->op].name, in->a, in->a + 1, (unsigned)c->n_locals);
        loc_set(t, loc, in->a, T_NUMBER);
        break;
    case RG_OP_ITER_START:
        NEED(in->b + 1 < c->n_locals, "chunk %u at offset %u: ITER_START needs locals %u and %u (%u locals)", ci, off,
             in->b, in->b + 1, (unsigned)c->n_locals);
        loc_set(t, loc, in->b, T_NUMBER);
        loc_set(t, loc, in->b + 1, T_NUMBER);
        break;
    case RG_OP_LOAD_ROW: out = T_NUMBER; break;
    case RG_OP_ELEM_FIELD: out = t->item_slot[in->a]; break;
    case RG_OP_ELEM_INDEX: case RG_OP_ELEM_PREV: case RG_OP_ADD_MONTHS: case RG_OP_MAKE_DATE: case RG_OP_MONTH:
    case RG_OP_DAY:
        break;
    case RG_OP_TO_TEXT:
        if (RG_TYPE_KIND(in->a) == RG_T_STRING && need_tag(v, ci, off, in, arg[0], T_STR, "the value"))
            return -1;
        NEED(RG_TYPE_KIND(in->a) != RG_T_ROW && RG_TYPE_KIND(in->a) != RG_T_LIST && RG_TYPE_KIND(in->a) != RG_T_RECORD,
             "chunk %u at offset %u: TO_TEXT of a value that has no text", ci, off);
        out = T_STR;
        break;
    case RG_OP_CONCAT:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "its first operand") ||
            need_tag(v, ci, off, in, arg[1], T_STR, "its second operand"))
            return -1;
        out = T_STR;
        break;
    case RG_OP_REJECT:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "the message"))
            return -1;
        break;
    case RG_OP_LOAD_FIELD: out = t->claim_slot[in->a]; break;
    case RG_OP_LOAD_IFIELD: out = t->item_slot[in->a]; break;
    case RG_OP_LOAD_DEF: case RG_OP_LOAD_IDEF: out = def_read(t, p, ci, in->a); break;
    case RG_OP_LOAD_PCONST: /* the constant, or (explaining) the definition's value */
        out = tag_join(def_read(t, p, ci, in->a), tag_value(p->consts[in->b]));
        break;
    case RG_OP_IN_LISTS:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "the value"))
            return -1;
        out = tag_below(2);
        break;
    case RG_OP_STR_EQ: case RG_OP_STR_NE:
        if (need_tag(v, ci, off, in, arg[0], T_STR, "its first operand") ||
            need_tag(v, ci, off, in, arg[1], T_STR, "its second operand"))
            return -1;
        out = tag_below(2);
        break;
    case RG_OP_FIND:
        if (need_tag(v, ci, off, in, arg[1], T_STR, "the key"))
            return -1;
        out = tag_row(in->a);
        break;
    case RG_OP_CAT_COL:
    case RG_OP_LOCAL_COL:
    case RG_OP_LOCAL_COL_IF_SOME:
    case RG_OP_LOCAL_COL_IN_SET:
    case RG_OP_JUMP_UNLESS_COL: {
        uint32_t row, cat, col;
        if (in->op == RG_OP_CAT_COL)
            row = arg[0], cat = in->a, col = in->b;
        else if (in->op == RG_OP_LOCAL_COL)
            row = loc_get(t, loc, in->a), cat = rg_hi16(in->b), col = rg_lo16(in->b);
        else { /* ROWCOL, ROWCOLV */
            rg_rowcol rc = rg_rowcol_of(rg_opinfo_table[in->op].a, in->a);
            row = loc_get(t, loc, rc.local), cat = rc.cat, col = rc.col;
        }
        if (need_tag(v, ci, off, in, row, T_ROW, "the row"))
            return -1;
        NEED(!(row & T_ROW) || T_CAT(row) == cat + 1,
             "chunk %u at offset %u: %s reads catalog %u from a row that may belong to another catalog", ci, off,
             rg_opinfo_table[in->op].name, cat);
        out = in->op == RG_OP_LOCAL_COL_IN_SET ? tag_below(2) : tag_of_type(p, p->columns[p->catalogs[cat].first_column + col].type);
        break;
    }
    case RG_OP_JUMP_IF_LOCAL_FALSE: case RG_OP_JUMP_IF_LOCAL_TRUE: case RG_OP_SUB_LOCAL:
    case RG_OP_SUB_LOCALS: case RG_OP_JUMP_UNLESS_EQ: case RG_OP_SUB_MAX_IMM: case RG_OP_JUMP_UNLESS_FIELD:
    case RG_OP_JUMP_IF_FIELD_NONE:
        break;
    case RG_OP_MIN_JUMP: out = tag_join(arg[0], arg[1]); break;
    case RG_OP_PUSH_INT_JUMP: out = tag_value((int32_t)in->a); break;
    case RG_OP_IFIELD_ACC_ADD: loc_set(t, loc, rg_lo16(in->b), T_NUMBER); break;
    case RG_OP_SUB_LOCAL_ACC: case RG_OP_SUB_LOCALS_ACC: loc_set(t, loc, in->b, T_NUMBER); break;
    case RG_OP_ZERO_LOCALS:
        NEED(in->a <= in->b, "chunk %u at offset %u: ZERO_LOCALS from local %u down to %u", ci, off, in->a, in->b);
        for (uint32_t l = in->a; l <= in->b; l++) loc_set(t, loc, l, tag_value(0));
        break;
    case RG_OP_STORE_JUMP: case RG_OP_STORE_JUMP_IF_FALSE: loc_set(t, loc, in->a, arg[0]); break;
    case RG_OP_ACC_ADD_JUMP: case RG_OP_MIN_STORE_JUMP: loc_set(t, loc, in->a, T_NUMBER); break;
    case RG_OP_FIND_LOCAL:
        if (need_tag(v, ci, off, in, arg[1], T_STR, "the key"))
            return -1;
        loc_set(t, loc, in->b, tag_row(in->a));
        break;
    case RG_OP_FIND_ILOCAL:
        if (need_tag(v, ci, off, in, t->item_slot[rg_lo16(in->a)], T_STR, "the key"))
            return -1;
        loc_set(t, loc, rg_lo16(in->b), tag_row(rg_hi16(in->a)));
        break;
    case RG_OP_LOCAL_ACC_ADD: loc_set(t, loc, in->b, T_NUMBER); break;
    case RG_OP_LOAD_LOCAL2: break; /* pushes both below */
    case RG_OP_LEDGER_ADD: case RG_OP_LEDGER_SET:
        if (need_tag(v, ci, off, in, arg[0], T_WORD, "the ledger value"))
            return -1;
        break;
    case RG_OP_CALL_EXTERN: {
        const rg_extern *x = &p->externs[in->a];
        for (uint32_t k = 0; k < x->n_args; k++)
            if (need_tag(v, ci, off, in, arg[k], tag_of_type(p, x->args[k]), "an argument"))
                return -1;
        out = tag_of_type(p, x->result); /* rg_extern_call refuses a result out of its type */
        break;
    }
    case RG_OP_TRACE_DEF: {
        /* explaining, the value is memoised as definition A: it must be of A's class */
        rg_type dt = p->defs[in->a].type;
        NEED(RG_TYPE_KIND(dt) != RG_T_ROW, "chunk %u at offset %u: TRACE_DEF of row definition %u", ci, off, in->a);
        if (need_tag(v, ci, off, in, arg[0], tag_of_type(p, dt), "the value") ||
            need_bound(v, ci, off, in, arg[0], dt, "the value"))
            return -1;
        out = arg[0];
        break;
    }
    case RG_OP_STORE_DEF: case RG_OP_STORE_IDEF: case RG_OP_MEMO_DEF: {
        /* memoised as definition A: of A's class; a row definition learns the catalog */
        rg_type dt = p->defs[in->a].type;
        uint32_t x = in->op == RG_OP_MEMO_DEF ? loc_get(t, loc, in->b) : arg[0];
        if (need_tag(v, ci, off, in, x, tag_of_type(p, dt) & 7u, "the value") ||
            need_bound(v, ci, off, in, x, dt, "the value"))
            return -1;
        if (RG_TYPE_KIND(dt) == RG_T_ROW) {
            uint32_t j = tag_join(t->def_tag[in->a], x);
            if (j != t->def_tag[in->a]) {
                t->def_tag[in->a] = j;
                t->changed = 1;
            }
        }
        if (in->op == RG_OP_STORE_DEF)
            loc_set(t, loc, in->b, arg[0]);
        out = arg[0];
        break;
    }
    case RG_OP_RET:
        if (ret_tag(v, t, ci, off, in, arg[0]))
            return -1;
        break;
    case RG_OP_RET_IMM: /* return a number from the code */
        if (ret_tag(v, t, ci, off, in, tag_value((int32_t)in->a)))
            return -1;
        break;
    case RG_OP_TABLE: /* return one of the table's cells (verify_code.c checked the block) */
        if (ret_tag(v, t, ci, off, in, table_tag(p, in->a)))
            return -1;
        break;
    case RG_OP__COUNT:
        break;
    }
    if (t->flat_mixed)
        return -1;
    s[0] -= (uint32_t)pops;
    if (in->op == RG_OP_DUP) {
        stk[s[0]++] = out;
        stk[s[0]++] = out;
    } else if (in->op == RG_OP_LOAD_LOCAL2) {
        stk[s[0]++] = loc_get(t, loc, in->a);
        stk[s[0]++] = loc_get(t, loc, in->b);
    } else if (oi->pushes) {
        stk[s[0]++] = out;
    }
    return 0;
}

/* One walk of chunk ci (decoded, its leaders numbered), from its first instruction along every path until the
 * classes settle. */
static int ty_walk(vctx *v, tyctx *t, uint32_t ci, uint32_t n_leaders)
{
    const rg_chunk *c = &v->p->chunks[ci];
    const rg_vcode *vc = t->vc;
    uint32_t n_work = 0, locals = 1 + c->max_stack;
    t->width = locals + (t->flat ? (c->n_locals + 31u) / 32u : c->n_locals);
    NEED((uint64_t)n_leaders * t->width <= (1u << 22), "chunk %u is too large to verify (%u jump targets, %u slots)",
         ci, n_leaders, t->width);
    size_t need = (size_t)n_leaders * t->width + t->width;
    if (need > t->states_cap) { /* grown, never shrunk: a chunk after another needs no new room */
        size_t cap = need > 2 * t->states_cap ? need : 2 * t->states_cap;
        uint32_t *states = realloc(t->states, cap * sizeof *states);
        NEED(states, "out of memory verifying the code");
        t->states = states;
        t->states_cap = cap;
    }
    t->cur = t->states + (size_t)n_leaders * t->width;
    for (uint32_t l = 0; l < n_leaders; l++)
        t->states[(size_t)l * t->width] = RG_NO_INDEX;
    memset(t->queued, 0, n_leaders);
    uint32_t *s = t->cur;
    s[0] = 0;
    for (uint32_t k = 0; k < c->max_stack; k++)
        s[1 + k] = 0;
    /* locals hold what the stack last held there (the flat walk: no local stored yet) */
    for (uint32_t k = locals; k < t->width; k++)
        s[k] = t->flat ? 0 : T_TOP;
    if (ty_merge(v, t, ci, 0, 0, s, &n_work))
        return -1;
    while (n_work) {
        uint32_t i = t->work[--n_work];
        t->queued[t->leader_of[i]] = 0;
        memcpy(s, t->states + (size_t)t->leader_of[i] * t->width, t->width * sizeof *s);
        for (;;) {
            const rg_insn *in = &vc->in[i];
            uint32_t to = rg_insn_target(in);
            if (to != RG_NO_INDEX)
                to = vc->at[to];
            if (to != RG_NO_INDEX && rg_jump_keeps(in->op) && ty_merge(v, t, ci, i, to, s, &n_work))
                return -1;
            if (ty_step(v, t, ci, vc->off[i], in, s))
                return -1;
            if (to != RG_NO_INDEX && !rg_jump_keeps(in->op) && ty_merge(v, t, ci, i, to, s, &n_work))
                return -1;
            if (rg_falls_bare(in->op)) /* its value went along the jump only */
                s[0]--;
            if (rg_op_ends_block(in->op))
                break;
            i++;
            if (t->leader_of[i] != RG_NO_INDEX) {
                if (ty_merge(v, t, ci, i - 1, i, s, &n_work))
                    return -1;
                break;
            }
        }
    }
    return 0;
}

/* One chunk. First flat: a state per jump target of the stack's classes and
 * of which locals are stored, each local's class the join of its stores, so
 * that a merge costs the stack and a bit a local rather than a class a local
 * (a plan has dozens). That accepts only what the exact walk accepts when no
 * local holds two classes; when one does, or the flat walk refuses, the exact
 * walk (a class a local a state) decides, and says why. */
static int ty_chunk(vctx *v, tyctx *t, uint32_t ci, const rg_vcode *vc)
{
    const rg_chunk *c = &v->p->chunks[ci];
    uint32_t n_leaders = 0;
    t->vc = vc;
    for (uint32_t i = 0; i < vc->n; i++)
        t->leader_of[i] = RG_NO_INDEX;
    t->leader_of[0] = n_leaders++;
    for (uint32_t i = 0; i < vc->n; i++) {
        uint32_t to = rg_insn_target(&vc->in[i]);
        if (to != RG_NO_INDEX && t->leader_of[vc->at[to]] == RG_NO_INDEX)
            t->leader_of[vc->at[to]] = n_leaders++;
    }
    uint8_t *queued = realloc(t->queued, n_leaders);
    if (queued) t->queued = queued;
    NEED(queued, "out of memory verifying the code");
    t->flat = 1;
    for (uint32_t k = 0; k < c->n_locals; k++) {
        t->flat_tag[k] = FLAT_UNSET;
        t->flat_read[k] = 0;
    }
    t->flat_mixed = 0;
    int r;
    do {
        t->flat_stale = 0;
        memset(t->flat_read, 0, c->n_locals);
        r = ty_walk(v, t, ci, n_leaders);
    } while (r == 0 && t->flat_stale);
    t->flat = t->flat_mixed = 0;
    return r == 0 ? 0 : ty_walk(v, t, ci, n_leaders);
}

/* The classes of the claim's slots, of the definitions and of what each chunk may return. */
static int ty_setup(vctx *v, tyctx *t)
{
    const rg_program *p = v->p;
    for (uint32_t i = 0; i < p->n_claim_slots; i++) t->claim_slot[i] = RG_NO_INDEX;
    for (uint32_t i = 0; i < p->n_item_slots; i++) t->item_slot[i] = RG_NO_INDEX;
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const rg_field *f = &p->fields[i];
        if (RG_TYPE_KIND(f->type) == RG_T_LIST) continue; /* its items are rows of their own, its slot unused */
        uint32_t *slot = f->in_list ? &t->item_slot[f->slot] : &t->claim_slot[f->slot];
        uint32_t tag = tag_of_type(p, f->type);
        *slot = *slot == RG_NO_INDEX ? tag : tag_join(*slot, tag);
    }
    /* a slot no field fills stays as the binder left it: none */
    for (uint32_t i = 0; i < p->n_claim_slots; i++) if (t->claim_slot[i] == RG_NO_INDEX) t->claim_slot[i] = 0;
    for (uint32_t i = 0; i < p->n_item_slots; i++) if (t->item_slot[i] == RG_NO_INDEX) t->item_slot[i] = 0;
    for (uint32_t i = 0; i < p->n_defs; i++)
        t->def_tag[i] = RG_TYPE_KIND(p->defs[i].type) == RG_T_ROW ? 0 : tag_of_type(p, p->defs[i].type);
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        uint32_t d = p->chunks[i].def;
        t->want[i] = d == RG_NO_INDEX ? T_STR | T_WORD | T_ROW : (uint8_t)(tag_of_type(p, p->defs[d].type) & 7u);
        t->want_type[i] = d == RG_NO_INDEX || !type_bound(p, p->defs[d].type) ? 0 : p->defs[d].type;
    }
    for (uint32_t i = 0; i < p->n_ledger_keys; i++) {
        uint32_t k = p->ledger_keys[i], kt = p->ledger_key_types[i];
        t->want[k] &= (uint8_t)(tag_of_type(p, kt) & 7u);
        if (type_bound(p, kt))
            t->want_type[k] = kt;
    }
    for (uint32_t i = 0; i < p->n_ledger_fields; i++)
        if (p->ledger_fields[i].init != RG_NO_INDEX) t->want[p->ledger_fields[i].init] &= T_WORD;
    return 0;
}

static void types_free(rg_types *t)
{
    if (!t)
        return;
    free(t->claim_slot);
    free(t->item_slot);
    free(t->def_tag);
    free(t->want);
    free(t->want_type);
    free(t->reads_row);
    free(t->leader_of);
    rg_vcode_free(&t->own);
    free(t->work);
    free(t->flat_tag);
    free(t->flat_read);
    free(t->states);
    free(t->queued);
    free(t);
}

rg_types *rg_verify_types_begin(vctx *v)
{
    const rg_program *p = v->p;
    uint32_t longest = rg_verify_longest_chunk(p);
    rg_types *t = calloc(1, sizeof *t);
    if (!t) {
        VFAIL(v, "out of memory verifying the code");
        return NULL;
    }
    t->claim_slot = malloc((p->n_claim_slots + 1) * sizeof *t->claim_slot);
    t->item_slot = malloc((p->n_item_slots + 1) * sizeof *t->item_slot);
    t->def_tag = malloc((p->n_defs + 1) * sizeof *t->def_tag);
    t->want = malloc(p->n_chunks + 1);
    t->want_type = calloc(p->n_chunks + 1, sizeof *t->want_type);
    t->reads_row = calloc(p->n_chunks + 1, 1);
    t->leader_of = malloc(longest * sizeof *t->leader_of);
    int vc_failed = rg_vcode_alloc(&t->own, longest);
    t->work = malloc(longest * sizeof *t->work);
    t->flat_tag = malloc(65536 * sizeof *t->flat_tag); /* n_locals is 16 bits */
    t->flat_read = malloc(65536);
    if (vc_failed || !t->claim_slot || !t->item_slot || !t->def_tag || !t->want || !t->want_type || !t->reads_row ||
        !t->leader_of || !t->work || !t->flat_tag || !t->flat_read) {
        VFAIL(v, "out of memory verifying the code");
        types_free(t);
        return NULL;
    }
    if (ty_setup(v, t)) {
        types_free(t);
        return NULL;
    }
    return t;
}

int rg_verify_types_chunk(vctx *v, rg_types *t, uint32_t ci, const rg_vcode *vc)
{
    return ty_chunk(v, t, ci, vc);
}

/* Each pass can only widen a row definition's class, at most twice each;
 * after the first, only the chunks that read a row definition's class can
 * come out otherwise (nothing else a chunk reads changes between passes). */
int rg_verify_types_end(vctx *v, rg_types *t, int ok)
{
    const rg_program *p = v->p;
    int r = ok ? 0 : -1;
    for (uint32_t pass = 1; r == 0 && t->changed && pass < 2 * p->n_defs + 2; pass++) {
        t->changed = 0;
        for (uint32_t i = 0; i < p->n_chunks && r == 0; i++)
            if (t->reads_row[i]) {
                rg_vcode_decode(p, i, &t->own);
                r = ty_chunk(v, t, i, &t->own);
            }
    }
    types_free(t);
    return r;
}
