/* peephole.c — the code generator's last pass over each chunk: jumps threaded
 * (a jump to a RET returns, a jump to a jump goes straight on) and common
 * sequences fused into the superinstructions of bytecode/opcodes.h, chosen from the
 * interpreter's opcode-pair counts (docs/performance.md). Jump targets and the
 * line table are moved with the code; a sequence is fused only when nothing
 * jumps into its middle and no source line starts there, so every error is
 * reported at the line it was before — except in a plan, whose errors are
 * never reported (the lazy path reports them), where a line inside a fused
 * sequence starts at it. It changes how a chunk computes, never what. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "bytecode_io.h"

typedef struct {
    uint8_t op;
    uint32_t a, b;
    uint32_t off;     /* chunk offset in the code as emitted */
} pinsn;

typedef struct {
    pinsn *in;        /* the chunk's instructions as emitted */
    uint32_t n;
    uint32_t len;     /* bytes */
    uint32_t *at;     /* chunk offset -> instruction index (RG_NO_INDEX inside one) */
    uint8_t *pinned;  /* per instruction: a jump lands on it, or a source line starts at it */
    int plan;         /* the chunk is a plan (speculation: its errors are never reported) */
} chunk_t;

/* Where instruction x jumps, RG_NO_INDEX if it does not. */
static uint32_t target_of(const pinsn *x)
{
    int w = rg_op_jump_operand(x->op);
    return w == 1 ? x->a : w == 2 ? x->b : RG_NO_INDEX;
}

static void set_target(pinsn *x, uint32_t t)
{
    if (rg_op_jump_operand(x->op) == 2)
        x->b = t;
    else
        x->a = t;
}

/* The instruction at chunk offset t (a verified jump lands on one). */
static const pinsn *insn_at(const chunk_t *c, uint32_t t)
{
    return t < c->len && c->at[t] != RG_NO_INDEX ? &c->in[c->at[t]] : NULL;
}

/* Jumps: a JUMP to a RET becomes the RET; any jump to a JUMP goes to where
 * that one goes. */
static void thread_jumps(chunk_t *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        pinsn *x = &c->in[i];
        uint32_t t = target_of(x);
        if (t == RG_NO_INDEX)
            continue;
        const pinsn *y = insn_at(c, t);
        for (int hops = 0; y && y->op == RG_OP_JUMP && hops < 16; hops++) {
            t = y->a;
            y = insn_at(c, t);
        }
        if (!y)
            continue;
        /* a jump that knows a local's truth (a test of it, a store of a
         * false value) landing on a test of the same local, nothing between
         * to change it: that test is decided already */
        int known = x->op == RG_OP_JUMP_IF_LOCAL_TRUE ? 1
                    : x->op == RG_OP_JUMP_IF_LOCAL_FALSE || x->op == RG_OP_STORE_JUMP_IF_FALSE ? 0
                                                                                                : -1;
        for (int hops = 0; y && hops < 16 && known >= 0 && y->a == x->a &&
                           (y->op == RG_OP_JUMP_IF_LOCAL_FALSE || y->op == RG_OP_JUMP_IF_LOCAL_TRUE);
             hops++) {
            int jumps = (y->op == RG_OP_JUMP_IF_LOCAL_TRUE) == known;
            t = jumps ? y->b : t + rg_op_length(y->op);
            y = insn_at(c, t);
        }
        if (!y)
            continue;
        set_target(x, t);
        if (x->op == RG_OP_JUMP && y->op == RG_OP_RET) {
            x->op = RG_OP_RET;
            x->a = x->b = 0;
        }
    }
}

/* A JUMP to a STORE_LOCAL (the join of an if … else whose value a local
 * keeps) does the store and goes on past it; in a plan, also a JUMP to an
 * ACC_ADD (a sum of an if … else), whose overflow, reported at the JUMP's
 * line, a plan never reports. */
static void jump_into(chunk_t *c, int plan)
{
    for (uint32_t i = 0; i < c->n; i++) {
        pinsn *x = &c->in[i];
        if (x->op != RG_OP_JUMP)
            continue;
        const pinsn *y = insn_at(c, x->a);
        if (!y || !(y->op == RG_OP_STORE_LOCAL || (plan && y->op == RG_OP_ACC_ADD)))
            continue;
        uint32_t past = x->a + rg_op_length(y->op);
        if (!insn_at(c, past))
            continue;
        *x = (pinsn){y->op == RG_OP_STORE_LOCAL ? RG_OP_STORE_JUMP : RG_OP_ACC_ADD_JUMP, y->a, past, x->off};
    }
}

/* Pins: where jumps land, and where source lines start unless the chunk is
 * a plan (speculation: an error in it is never reported, the lazy path
 * reports it at its line). */
static void mark_pins(rgc_pack *pk, chunk_t *c, uint32_t start, int plan)
{
    const rg_program *p = pk->prog;
    memset(c->pinned, 0, c->n);
    for (uint32_t i = 0; i < c->n; i++) {
        uint32_t t = target_of(&c->in[i]);
        if (t != RG_NO_INDEX && t < c->len && c->at[t] != RG_NO_INDEX)
            c->pinned[c->at[t]] = 1;
    }
    if (plan)
        return;
    for (uint32_t l = p->n_lines; l-- > 0 && p->lines[l].offset >= start;) {
        uint32_t off = p->lines[l].offset - start;
        if (off < c->len && c->at[off] != RG_NO_INDEX)
            c->pinned[c->at[off]] = 1;
    }
}

/* Instructions i .. i+k-1 exist, have the given opcodes, and only the first
 * may be pinned. */
static int seq(const chunk_t *c, uint32_t i, uint32_t k, const uint8_t *ops)
{
    if (i + k > c->n)
        return 0;
    for (uint32_t j = 0; j < k; j++) {
        if (c->in[i + j].op != ops[j])
            return 0;
        if (j > 0 && c->pinned[i + j])
            return 0;
    }
    return 1;
}

#define SEQ_FIRST(first, ...) (first)
/* the first opcode compared in place: most of the patterns are tried at every instruction */
#define SEQ(...)                                        \
    (c->in[i].op == SEQ_FIRST(__VA_ARGS__, 0) &&         \
     seq(c, i, sizeof((const uint8_t[]){__VA_ARGS__}), (const uint8_t[]){__VA_ARGS__}))

/* Does y push what x pushed, x having run just before (nothing between them
 * but a test)? Instructions that read a local, a claim or item field, or a
 * catalog cell, and change nothing. */
static int rereads(const pinsn *x, const pinsn *y)
{
    switch (x->op) {
    case RG_OP_LOAD_LOCAL: case RG_OP_LOAD_FIELD: case RG_OP_LOAD_IFIELD: case RG_OP_LOCAL_COL:
        return y->op == x->op && y->a == x->a && y->b == x->b;
    default:
        return 0;
    }
}

/* Is x a test of membership in a set of small integers (EQ_IMM of 0..31 is
 * one of one), and which set? */
static int is_set_test(const pinsn *x)
{
    return x->op == RG_OP_IN_SET_IMM || (x->op == RG_OP_EQ_IMM && x->a < 32);
}
static uint32_t set_of(const pinsn *x) { return x->op == RG_OP_IN_SET_IMM ? x->a : 1u << x->a; }

/* Does LOAD_LOCAL followed by op fuse into one instruction (fuse() below)? */
static int local_fuses(uint8_t op)
{
    return op == RG_OP_CAT_COL || op == RG_OP_JUMP_IF_FALSE || op == RG_OP_SUB || op == RG_OP_ACC_ADD;
}

/* Fuse from a LOAD_LOCAL at instruction i (fuse()). */
static uint32_t fuse_local(const chunk_t *c, uint32_t i, pinsn *out)
{
    const pinsn *x = &c->in[i], *nx = &c->in[i + 1];
    /* a conditional jump over a JUMP: the opposite test, to where the JUMP goes */
    if ((SEQ(RG_OP_LOAD_LOCAL, RG_OP_JUMP_IF_FALSE, RG_OP_JUMP) || SEQ(RG_OP_LOAD_LOCAL, RG_OP_JUMP_IF_TRUE, RG_OP_JUMP)) &&
        nx->a == c->in[i + 2].off + rg_op_length(RG_OP_JUMP)) {
        uint8_t op = nx->op == RG_OP_JUMP_IF_FALSE ? RG_OP_JUMP_IF_LOCAL_TRUE : RG_OP_JUMP_IF_LOCAL_FALSE;
        *out = (pinsn){op, x->a, c->in[i + 2].a, x->off};
        return 3;
    }
    if (c->pinned[i + 1])
        return 1;
    /* a local as an operand instead of pushed first */
    switch (nx->op) {
    case RG_OP_CAT_COL: *out = (pinsn){RG_OP_LOCAL_COL, x->a, rg_pack16(nx->a, nx->b), x->off}; return 2;
    case RG_OP_JUMP_IF_FALSE: *out = (pinsn){RG_OP_JUMP_IF_LOCAL_FALSE, x->a, nx->a, x->off}; return 2;
    case RG_OP_SUB: *out = (pinsn){RG_OP_SUB_LOCAL, x->a, 0, x->off}; return 2;
    case RG_OP_LOAD_LOCAL:
        if (SEQ(RG_OP_LOAD_LOCAL, RG_OP_LOAD_LOCAL, RG_OP_SUB)) {
            *out = (pinsn){RG_OP_SUB_LOCALS, x->a, nx->a, x->off};
            return 3;
        }
        /* unless the second fuses with what follows it (the same count, less stack traffic) */
        if (i + 2 < c->n && !c->pinned[i + 2] && local_fuses(c->in[i + 2].op))
            return 1;
        *out = (pinsn){RG_OP_LOAD_LOCAL2, x->a, nx->a, x->off};
        return 2;
    case RG_OP_ACC_ADD: *out = (pinsn){RG_OP_LOCAL_ACC_ADD, x->a, nx->a, x->off}; return 2;
    case RG_OP_STORE_DEF:
        if (nx->b == x->a) {
            *out = (pinsn){RG_OP_MEMO_DEF, nx->a, x->a, x->off};
            return 2;
        }
        return 1;
    default: return 1;
    }
}

/* Fuse from a PUSH_INT at instruction i (fuse()). */
static uint32_t fuse_int(const chunk_t *c, uint32_t i, pinsn *out)
{
    const pinsn *x = &c->in[i], *nx = &c->in[i + 1];
    /* in a plan (where ACC_ADD_JUMP only is) a sum's arm that adds 0 is
     * nothing (a sum is never absent: adding 0 cannot fail), or only its jump */
    if (c->plan && SEQ(RG_OP_PUSH_INT, RG_OP_ACC_ADD) && x->a == 0) {
        out->op = RG_OP__COUNT; /* no instruction: what jumped here goes on with the next one */
        return 2;
    }
    if (SEQ(RG_OP_PUSH_INT, RG_OP_ACC_ADD_JUMP) && x->a == 0) {
        *out = (pinsn){RG_OP_JUMP, nx->b, 0, x->off};
        return 2;
    }
    if (SEQ(RG_OP_PUSH_INT, RG_OP_JUMP)) {
        *out = (pinsn){RG_OP_PUSH_INT_JUMP, x->a, nx->a, x->off};
        return 2;
    }
    if (SEQ(RG_OP_PUSH_INT, RG_OP_EQ, RG_OP_JUMP_IF_FALSE)) {
        *out = (pinsn){RG_OP_JUMP_IF_NE, x->a, c->in[i + 2].a, x->off};
        return 3;
    }
    static const struct {
        uint8_t second, fused;
    } pairs[] = {
        {RG_OP_EQ, RG_OP_EQ_IMM},
        {RG_OP_MIN, RG_OP_MIN_IMM},
        {RG_OP_MAX, RG_OP_MAX_IMM},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
        if (SEQ(RG_OP_PUSH_INT, pairs[k].second)) {
            *out = (pinsn){pairs[k].fused, x->a, 0, x->off};
            return 2;
        }
    if (SEQ(RG_OP_PUSH_INT, RG_OP_STORE_LOCAL)) {
        *out = (pinsn){RG_OP_SET_LOCAL, nx->a, x->a, x->off};
        return 2;
    }
    /* not as the chunk's last instruction: a chunk ends with what ends a block (rg_op_ends_block) */
    if (SEQ(RG_OP_PUSH_INT, RG_OP_RET) && i + 2 < c->n) {
        *out = (pinsn){RG_OP_RET_IMM, x->a, 0, x->off};
        return 2;
    }
    return 1;
}

/* Fuse from instruction i: the fused instruction in *out, the number of
 * instructions it replaces returned (1: none fused, *out is instruction i).
 * The patterns are grouped by their first opcode, each group tried in order. */
static uint32_t fuse(const chunk_t *c, uint32_t i, pinsn *out)
{
    const pinsn *x = &c->in[i];
    *out = *x;
    if (i + 1 >= c->n)
        return 1; /* every pattern is of two instructions or more */
    const pinsn *nx = &c->in[i + 1];
    switch (x->op) {
    case RG_OP_DUP:
        /* x ?? y */
        if (SEQ(RG_OP_DUP, RG_OP_PUSH_NONE, RG_OP_NE, RG_OP_JUMP_IF_TRUE, RG_OP_POP)) {
            *out = (pinsn){RG_OP_JUMP_IF_SOME, c->in[i + 3].a, 0, x->off};
            return 5;
        }
        /* x and y, x or y: the kept value is tested again where the jump lands? */
        if (SEQ(RG_OP_DUP, RG_OP_JUMP_IF_FALSE, RG_OP_POP) || SEQ(RG_OP_DUP, RG_OP_JUMP_IF_TRUE, RG_OP_POP)) {
            int on_false = nx->op == RG_OP_JUMP_IF_FALSE;
            uint32_t t = nx->a;
            const pinsn *y = insn_at(c, t);
            uint32_t y_len = y ? rg_op_length(y->op) : 0;
            if (y && y->op == (on_false ? RG_OP_JUMP_IF_FALSE : RG_OP_JUMP_IF_TRUE))
                *out = (pinsn){y->op, y->a, 0, x->off}; /* it jumps again: go there, popping */
            else if (y && y->op == (on_false ? RG_OP_JUMP_IF_TRUE : RG_OP_JUMP_IF_FALSE) && insn_at(c, t + y_len))
                *out = (pinsn){nx->op, t + y_len, 0, x->off}; /* it falls through: go past it */
            else
                *out = (pinsn){on_false ? RG_OP_JUMP_KEEP_FALSE : RG_OP_JUMP_KEEP_TRUE, t, 0, x->off};
            return 3;
        }
        return 1;
    case RG_OP_LOAD_FIELD:
        if (SEQ(RG_OP_LOAD_FIELD, RG_OP_PUSH_INT, RG_OP_EQ) &&
            !seq(c, i + 1, 3, (const uint8_t[]){RG_OP_PUSH_INT, RG_OP_EQ, RG_OP_JUMP_IF_FALSE})) {
            *out = (pinsn){RG_OP_FIELD_EQ, x->a, nx->a, x->off};
            return 3;
        }
        /* a claim field tested for presence (an optional field given or not):
         * one instruction, and with the jump that follows it (below), one */
        if (SEQ(RG_OP_LOAD_FIELD, RG_OP_PUSH_NONE, RG_OP_NE)) {
            *out = (pinsn){RG_OP_FIELD_SOME, x->a, 0, x->off};
            return 3;
        }
        /* a claim field tested against a small value (an enum member): one
         * instruction, the field and the value packed in one operand */
        if (SEQ(RG_OP_LOAD_FIELD, RG_OP_JUMP_IF_NE) && nx->a <= 0xFFFFu) {
            *out = (pinsn){RG_OP_JUMP_UNLESS_FIELD, rg_pack16(x->a, nx->a), nx->b, x->off};
            return 2;
        }
        return 1;
    case RG_OP_FIELD_EQ:
        if (SEQ(RG_OP_FIELD_EQ, RG_OP_JUMP_IF_FALSE) && x->b <= 0xFFFFu) {
            *out = (pinsn){RG_OP_JUMP_UNLESS_FIELD, rg_pack16(x->a, x->b), nx->a, x->off};
            return 2;
        }
        return 1;
    case RG_OP_FIELD_SOME:
        if (SEQ(RG_OP_FIELD_SOME, RG_OP_JUMP_IF_FALSE)) {
            *out = (pinsn){RG_OP_JUMP_IF_FIELD_NONE, x->a, nx->a, x->off};
            return 2;
        }
        return 1;
    case RG_OP_IN_SET_IMM:
    case RG_OP_EQ_IMM:
        /* x == a or x == b (or a set already), x one instruction that reads
         * the same value twice, a and b small integers (enum members): one
         * test of a set, and no branch the data decides. As a value the first
         * test jumps, keeping true, to just past the second; as a condition
         * it jumps on true past the second test's JUMP_IF_FALSE, which stays.
         * Nothing may land inside (a value there would be tested as if it
         * were x), nor on the first test (it expects x pushed just before). */
        if (is_set_test(x) && i > 0 && !c->pinned[i] && i + 4 < c->n) {
            const pinsn *second = &c->in[i + 3];
            int cond = nx->op == RG_OP_JUMP_IF_TRUE;
            uint32_t past = i + 4 + (uint32_t)cond;
            const uint8_t ops[] = {x->op, nx->op, c->in[i - 1].op, second->op, RG_OP_JUMP_IF_FALSE};
            if ((cond || nx->op == RG_OP_JUMP_KEEP_TRUE) && past < c->n && seq(c, i, past - i, ops) &&
                rereads(&c->in[i - 1], &c->in[i + 2]) && is_set_test(second) && nx->a == c->in[past].off) {
                *out = (pinsn){RG_OP_IN_SET_IMM, set_of(x) | set_of(second), 0, x->off};
                return 4;
            }
        }
        return 1;
    case RG_OP_SUB_LOCAL:
        /* a difference summed: x - a into c, a - b into c */
        if (SEQ(RG_OP_SUB_LOCAL, RG_OP_ACC_ADD)) {
            *out = (pinsn){RG_OP_SUB_LOCAL_ACC, x->a, nx->a, x->off};
            return 2;
        }
        return 1;
    case RG_OP_SUB_LOCALS:
        if (SEQ(RG_OP_SUB_LOCALS, RG_OP_ACC_ADD) && x->a <= 0xFFFFu && x->b <= 0xFFFFu) {
            *out = (pinsn){RG_OP_SUB_LOCALS_ACC, rg_pack16(x->a, x->b), nx->a, x->off};
            return 2;
        }
        return 1;
    case RG_OP_LOAD_IFIELD:
        /* a catalog row found by an item's key (a plan's item loop) */
        if (SEQ(RG_OP_LOAD_IFIELD, RG_OP_FIND_LOCAL)) {
            *out = (pinsn){RG_OP_FIND_ILOCAL, rg_pack16(nx->a, x->a), rg_pack16(x->b, nx->b), x->off};
            return 2;
        }
        if (SEQ(RG_OP_LOAD_IFIELD, RG_OP_ACC_ADD)) {
            *out = (pinsn){RG_OP_IFIELD_ACC_ADD, x->a, rg_pack16(x->b, nx->a), x->off};
            return 2;
        }
        return 1;
    case RG_OP_LOCAL_COL:
        /* a catalog column read and tested at once, when the catalog and the
         * column fit a byte each beside the local (ROWCOL); not a set test
         * that the next `or` will widen (the set test's rule, on a later pass) */
        if (rg_hi16(x->b) <= 0xFFu && rg_lo16(x->b) <= 0xFFu) {
            rg_rowcol rc = {x->a, rg_hi16(x->b), rg_lo16(x->b), 0};
            uint32_t rowcol = rg_rowcol_pack(RG_OPK_ROWCOL, rc);
            if (SEQ(RG_OP_LOCAL_COL, RG_OP_JUMP_IF_NE) && x->a <= 0xFFu && nx->a <= 0xFFu) {
                rc.value = nx->a;
                *out = (pinsn){RG_OP_JUMP_UNLESS_COL, rg_rowcol_pack(RG_OPK_ROWCOLV, rc), nx->b, x->off};
                return 2;
            }
            if (SEQ(RG_OP_LOCAL_COL, RG_OP_JUMP_IF_SOME)) {
                *out = (pinsn){RG_OP_LOCAL_COL_IF_SOME, rowcol, nx->a, x->off};
                return 2;
            }
            int widened = i + 3 < c->n && rereads(x, &c->in[i + 3]) &&
                          (c->in[i + 2].op == RG_OP_JUMP_IF_TRUE || c->in[i + 2].op == RG_OP_JUMP_KEEP_TRUE);
            if (SEQ(RG_OP_LOCAL_COL, RG_OP_IN_SET_IMM) && !widened) {
                *out = (pinsn){RG_OP_LOCAL_COL_IN_SET, rowcol, nx->a, x->off};
                return 2;
            }
        }
        return 1;
    case RG_OP_SET_LOCAL:
        /* locals set to 0 one after the other (a plan's sums begin) */
        if (SEQ(RG_OP_SET_LOCAL, RG_OP_SET_LOCAL) && x->b == 0) {
            uint32_t k = 1;
            while (i + k < c->n && c->in[i + k].op == RG_OP_SET_LOCAL && !c->pinned[i + k] && c->in[i + k].b == 0 &&
                   c->in[i + k].a == x->a + k)
                k++;
            if (k > 1) {
                *out = (pinsn){RG_OP_ZERO_LOCALS, x->a, x->a + k - 1, x->off};
                return k;
            }
        }
        return 1;
    /* a jump to the next instruction (an arm removed): no jump */
    case RG_OP_JUMP:
        if (x->a == nx->off) {
            out->op = RG_OP__COUNT;
            return 1;
        }
        return 1;
    case RG_OP_STORE_JUMP:
    case RG_OP_ACC_ADD_JUMP:
    case RG_OP_MIN_JUMP:
    case RG_OP_PUSH_INT_JUMP:
        if (target_of(x) == nx->off) {
            static const uint8_t unjumped[RG_OP__COUNT] = {
                [RG_OP_STORE_JUMP] = RG_OP_STORE_LOCAL, [RG_OP_ACC_ADD_JUMP] = RG_OP_ACC_ADD,
                [RG_OP_MIN_JUMP] = RG_OP_MIN, [RG_OP_PUSH_INT_JUMP] = RG_OP_PUSH_INT};
            uint32_t a = x->op == RG_OP_MIN_JUMP ? 0 : x->a;
            *out = (pinsn){unjumped[x->op], a, 0, x->off};
        }
        return 1;
    case RG_OP_JUMP_IF_LOCAL_FALSE:
    case RG_OP_JUMP_IF_LOCAL_TRUE:
        if (nx->op == RG_OP_JUMP && !c->pinned[i + 1] && x->b == nx->off + rg_op_length(RG_OP_JUMP)) {
            uint8_t op = x->op == RG_OP_JUMP_IF_LOCAL_FALSE ? RG_OP_JUMP_IF_LOCAL_TRUE : RG_OP_JUMP_IF_LOCAL_FALSE;
            *out = (pinsn){op, x->a, nx->a, x->off};
            return 2;
        }
        return 1;
    case RG_OP_JUMP_IF_FALSE:
    case RG_OP_JUMP_IF_TRUE:
        /* a conditional jump over a JUMP: the opposite test, to where the JUMP goes */
        if (nx->op == RG_OP_JUMP && !c->pinned[i + 1] && x->a == nx->off + rg_op_length(RG_OP_JUMP)) {
            *out = (pinsn){x->op == RG_OP_JUMP_IF_FALSE ? RG_OP_JUMP_IF_TRUE : RG_OP_JUMP_IF_FALSE, nx->a, 0, x->off};
            return 2;
        }
        return 1;
    case RG_OP_LOAD_LOCAL:
        return fuse_local(c, i, out);
    case RG_OP_PUSH_INT:
        return fuse_int(c, i, out);
    case RG_OP_NOT:
        if (SEQ(RG_OP_NOT, RG_OP_JUMP_IF_FALSE) || SEQ(RG_OP_NOT, RG_OP_JUMP_IF_TRUE)) {
            uint8_t op = nx->op == RG_OP_JUMP_IF_FALSE ? RG_OP_JUMP_IF_TRUE : RG_OP_JUMP_IF_FALSE;
            *out = (pinsn){op, nx->a, 0, x->off};
            return 2;
        }
        return 1;
    case RG_OP_EQ:
        if (SEQ(RG_OP_EQ, RG_OP_JUMP_IF_FALSE)) {
            *out = (pinsn){RG_OP_JUMP_UNLESS_EQ, nx->a, 0, x->off};
            return 2;
        }
        return 1;
    case RG_OP_SUB:
        if (SEQ(RG_OP_SUB, RG_OP_MAX_IMM)) { /* max(x - y, 0): the compiler emits MAX_IMM itself */
            *out = (pinsn){RG_OP_SUB_MAX_IMM, nx->a, 0, x->off};
            return 2;
        }
        if (SEQ(RG_OP_SUB, RG_OP_PUSH_INT, RG_OP_MAX)) {
            *out = (pinsn){RG_OP_SUB_MAX_IMM, nx->a, 0, x->off};
            return 3;
        }
        return 1;
    case RG_OP_MIN:
        if (SEQ(RG_OP_MIN, RG_OP_STORE_JUMP)) {
            *out = (pinsn){RG_OP_MIN_STORE_JUMP, nx->a, nx->b, x->off};
            return 2;
        }
        if (SEQ(RG_OP_MIN, RG_OP_JUMP)) {
            *out = (pinsn){RG_OP_MIN_JUMP, nx->a, 0, x->off};
            return 2;
        }
        return 1;
    case RG_OP_STORE_LOCAL:
        if (SEQ(RG_OP_STORE_LOCAL, RG_OP_LOAD_LOCAL, RG_OP_JUMP_IF_FALSE) && nx->a == x->a) {
            *out = (pinsn){RG_OP_STORE_JUMP_IF_FALSE, x->a, c->in[i + 2].a, x->off};
            return 3;
        }
        return 1;
    case RG_OP_FIND:
        if (SEQ(RG_OP_FIND, RG_OP_STORE_LOCAL)) {
            *out = (pinsn){RG_OP_FIND_LOCAL, x->a, nx->a, x->off};
            return 2;
        }
        return 1;
    default:
        return 1;
    }
}

/* The chunk's instructions in *c renumbered after a pass: each one's offset
 * from its length, c->len, then c->at for the new offsets (*at_cap grown as
 * needed; -1 when it could not be). */
static int renumber(chunk_t *c, uint32_t *at_cap)
{
    uint32_t len = 0;
    for (uint32_t j = 0; j < c->n; j++) {
        c->in[j].off = len;
        len += rg_op_length(c->in[j].op);
    }
    c->len = len;
    if (len + 1 > *at_cap) {
        uint32_t *at = realloc(c->at, (len + 1) * sizeof *at);
        if (!at)
            return -1;
        c->at = at;
        *at_cap = len + 1;
    }
    memset(c->at, 0xFF, (len + 1) * sizeof *c->at); /* RG_NO_INDEX */
    for (uint32_t j = 0; j < c->n; j++)
        c->at[c->in[j].off] = j;
    return 0;
}

/* One pass over the chunk's instructions in *c, its result in out (as many
 * instructions as c has, at most), newoff (c->len + 1 entries) mapping old
 * offsets to new. Jump targets and the chunk's lines move with the code.
 * 1 if the instructions changed, 0 if not, -1 if a jump or a line was not
 * at an instruction (cannot happen: then the chunk stays as it was). */
static int peephole_pass(rgc_pack *pk, chunk_t *c, pinsn *out, uint32_t *n_out_p, uint32_t *newoff)
{
    rg_program *p = pk->prog;
    uint32_t start = pk->cur.start;
    thread_jumps(c);
    jump_into(c, c->plan);
    mark_pins(pk, c, start, c->plan);
    memset(newoff, 0xFF, (c->len + 1) * sizeof *newoff); /* RG_NO_INDEX */
    uint32_t n_out = 0, len = 0;
    for (uint32_t i = 0; i < c->n;) {
        uint32_t k = fuse(c, i, &out[n_out]);
        /* a line that started inside a fused sequence (a plan's) starts at it */
        for (uint32_t j = 0; j < k; j++)
            newoff[c->in[i + j].off] = len;
        i += k;
        if (out[n_out].op == RG_OP__COUNT) /* removed */
            continue;
        len += rg_op_length(out[n_out].op);
        n_out++;
    }
    newoff[c->len] = len;
    for (uint32_t j = 0; j < n_out; j++) {
        uint32_t t = target_of(&out[j]);
        if (t != RG_NO_INDEX) {
            if (t > c->len || newoff[t] == RG_NO_INDEX)
                return -1;
            set_target(&out[j], newoff[t]);
        }
    }
    for (uint32_t l = p->n_lines; l-- > 0 && p->lines[l].offset >= start;) {
        uint32_t off = p->lines[l].offset - start;
        if (off > c->len || newoff[off] == RG_NO_INDEX)
            return -1;
    }
    for (uint32_t l = p->n_lines; l-- > 0 && p->lines[l].offset >= start;)
        p->lines[l].offset = start + newoff[p->lines[l].offset - start];
    *n_out_p = n_out;
    return 1;
}

/* Is the code in a (na instructions) the code in b? */
static int same_code(const pinsn *a, uint32_t na, const pinsn *b, uint32_t nb)
{
    if (na != nb)
        return 0;
    for (uint32_t j = 0; j < na; j++)
        if (a[j].op != b[j].op || a[j].a != b[j].a || a[j].b != b[j].b)
            return 0;
    return 1;
}

/* Passes until one changes nothing (at most four): each sees what the one
 * before made (a JUMP that lands on the next instruction once an arm is gone,
 * a test over a JUMP once an arm became one, a set test joining the next
 * member of an `or` chain). The chunk is decoded once and encoded once. */
void rgc_peephole(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    uint32_t start = pk->cur.start;
    if (!rgc_writes_code(pk) || p->n_code <= start)
        return;
    int plan = pk->cur.plan_policy != NULL;
    if (rgc_peep_memo_reuse(pk, plan))
        return;
    chunk_t c = {0};
    uint32_t len0 = p->n_code - start, at_cap = 2 * len0 + 1;
    c.in = malloc(len0 * sizeof *c.in);
    c.at = malloc(at_cap * sizeof *c.at);
    c.pinned = malloc(len0);
    pinsn *out = malloc(len0 * sizeof *out), *was = malloc(len0 * sizeof *was);
    uint32_t *newoff = NULL, *moved = malloc((len0 + 1) * sizeof *moved);
    uint8_t *bytes = NULL;
    if (!c.in || !c.at || !c.pinned || !out || !was || !moved)
        goto done; /* the chunk simply stays as it was */
    const uint8_t *code = p->code + start;
    for (uint32_t off = 0; off < len0;) {
        rg_insn d;
        if (rg_decode(code + off, len0 - off, &d) != 0)
            goto done;
        moved[c.n] = off;
        c.in[c.n++] = (pinsn){d.op, d.a, d.b, off};
        off += d.len;
    }
    uint32_t n0 = c.n;
    moved[n0] = len0;
    if (renumber(&c, &at_cap) != 0)
        goto done;
    c.plan = plan;
    int changed = 0, whole = 1; /* whole: every pass ran to its end (the result may be kept) */
    for (int k = 0; k < 4; k++) {
        if (!(newoff = realloc(newoff, (c.len + 1) * sizeof *newoff))) {
            whole = 0;
            break;
        }
        memcpy(was, c.in, c.n * sizeof *was);
        uint32_t n_out;
        int r = peephole_pass(pk, &c, out, &n_out, newoff);
        if (r < 0) { /* the code as this pass found it */
            memcpy(c.in, was, c.n * sizeof *was);
            whole = 0;
            break;
        }
        for (uint32_t j = 0; j <= n0; j++)
            moved[j] = newoff[moved[j]];
        if (same_code(out, n_out, was, c.n))
            break;
        changed = 1;
        pinsn *t = c.in;
        c.in = out;
        out = t;
        c.n = n_out;
        if (renumber(&c, &at_cap) != 0) {
            whole = 0;
            break; /* out of memory: this pass's code is written (the line table moved with it) */
        }
    }
    uint32_t o = 0;
    if (changed && (bytes = malloc(c.len ? c.len : 1))) {
        for (uint32_t j = 0; j < c.n; j++)
            o += rg_encode(bytes + o, c.in[j].op, c.in[j].a, c.in[j].b);
    }
    if (whole && (bytes || !changed))
        rgc_peep_memo_keep(pk, moved, bytes, o, changed);
    if (bytes) {
        p->n_code = start;
        rgc_push_code(pk, bytes, o);
    }
done:
    free(c.in);
    free(c.at);
    free(c.pinned);
    free(out);
    free(was);
    free(newoff);
    free(moved);
    free(bytes);
}
