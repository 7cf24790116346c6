/* opcodes.h — the one list of Regula's bytecode instructions, and the facts
 * derived from it: enum, name, operand kinds and widths, length, stack effect,
 * flow (ends a block, keeps its value on the jump, falls through bare), jump
 * operand, the parts of packed operands, synopsis. Adding an opcode touches
 * this list, the interpreter's case and the verifier's rule; docs/bytecode.md's
 * table is generated from it. Must not name an opcode in a hand-written list. */
#ifndef RG_OPCODES_H
#define RG_OPCODES_H

#include <stdint.h>

/* Operand kinds. Each operand is encoded little-endian after the opcode byte;
 * its width and the bound the verifier checks it against come from its kind. */
#define RG_OPERAND_KINDS(X)                                                   \
    X(NONE, 0)    /* no operand */                                            \
    X(IMM, 4)     /* signed 32-bit immediate */                               \
    X(CONST, 2)   /* index into the constant pool */                          \
    X(STR, 4)     /* index into the string table */                           \
    X(LOCAL, 2)   /* local variable of the current chunk */                   \
    X(FIELD, 2)   /* claim slot */                                            \
    X(IFIELD, 2)  /* slot of an item row */                                   \
    X(ROWSRC, 2)  /* where the item row comes from: 0xFFFF = the frame's row, */\
                  /* else a local holding the row index */                    \
    X(DEF, 2)     /* definition slot */                                       \
    X(LEDGER, 2)  /* ledger field */                                          \
    X(JUMP, 4)    /* absolute byte offset inside the current chunk */         \
    X(CAT, 2)     /* catalog */                                               \
    X(COL, 2)     /* column of a catalog */                                   \
    X(BRK, 2)     /* bracket schedule */                                      \
    X(LIST, 2)    /* constant list */                                         \
    X(NOTE, 2)    /* explanation note */                                      \
    X(VSEL, 2)    /* version selector */                                      \
    X(EXTERN, 2)  /* host function (entry of the externs table) */          \
    X(CATCOL, 4)  /* column of a catalog: catalog << 16 | column */           \
    X(FIELDIMM, 4) /* claim slot << 16 | a value 0..65535 it is compared with */ \
    X(ROWLOCAL, 4) /* row source (as ROWSRC) << 16 | local */           \
    X(LOCALS, 4)  /* two locals: the first << 16 | the second */          \
    X(ROWCOL, 4)  /* local holding a catalog row << 16 | catalog << 8 | column */ \
    X(ROWCOLV, 4) /* as ROWCOL, a byte each: local << 24 | catalog << 16 | column << 8 | value */ \
    X(CATIFIELD, 4) /* catalog << 16 | slot of an item row */              \
    X(CLIST, 2)   /* a list of the claim (its number, rg_field.list) */   \
    X(TYPE, 4)    /* an rg_type */

/* How control leaves an instruction (the flow column below):
 *   NEXT  to the next instruction, and to its jump target if it has one;
 *   END   never to the next one: it always jumps, returns or stops (it ends a
 *         block; a chunk's last instruction must be one: rg_op_ends_block);
 *   KEEP  a conditional jump whose row gives the effect of falling through;
 *         on its jump the tested value stays on the stack (rg_jump_keeps);
 *   BARE  its row gives the effect of its jump; falling through leaves the
 *         stack as it was (rg_falls_bare). */
#define RG_FLOWS(X) X(NEXT) X(END) X(KEEP) X(BARE)

/* Whether an instruction may be computed on a way the interpreter would not
 * take (native/cgen_select.c computes both ways of a short branch and
 * chooses): YES when what it computes, where it goes aside, writes only the
 * stack and locals, reads only what a run of the plan cannot change, calls
 * and allocates nothing, and fails only on an overflow or a row out of
 * range (figures no claim has: there native code gives up and the
 * interpreter decides, vm/interp.c run_plan). */
#define RG_SPECS(X) X(NO) X(YES)

/* X(name, operand 1 kind, operand 2 kind, pops, pushes, flow, speculable, synopsis)
 * pops -1: variable, CALL_EXTERN pops its extern's n_args (rg_insn_pops).
 * TABLE's
 * constant A starts a block: n inputs, then per input (local, lowest value,
 * count of values), then per cell of the product (matched 0/1, value), the
 * first input varying slowest; a cell applies when matched. */
#define RG_OPCODES(X)                                                                   \
    X(NOP, NONE, NONE, 0, 0, NEXT, YES, "do nothing")                                        \
    X(PUSH_INT, IMM, NONE, 0, 1, NEXT, YES, "push the immediate A")                          \
    X(PUSH_CONST, CONST, NONE, 0, 1, NEXT, YES, "push constant A")                           \
    X(PUSH_STR, STR, NONE, 0, 1, NEXT, YES, "push string A")                                 \
    X(PUSH_NONE, NONE, NONE, 0, 1, NEXT, YES, "push the absent value")                       \
    X(POP, NONE, NONE, 1, 0, NEXT, YES, "drop the top of the stack")                         \
    X(DUP, NONE, NONE, 1, 2, NEXT, YES, "duplicate the top of the stack")                    \
    X(LOAD_LOCAL, LOCAL, NONE, 0, 1, NEXT, YES, "push local A")                              \
    X(STORE_LOCAL, LOCAL, NONE, 1, 0, NEXT, YES, "pop into local A")                         \
    X(LOAD_FIELD, FIELD, NONE, 0, 1, NEXT, YES, "push claim field A")                        \
    X(LOAD_IFIELD, IFIELD, ROWSRC, 0, 1, NEXT, YES, "push field A of item row B")            \
    X(LOAD_DEF, DEF, NONE, 0, 1, NEXT, NO, "push definition A, evaluating it once per claim") \
    X(LOAD_IDEF, DEF, ROWSRC, 0, 1, NEXT, NO, "push per-item definition A for item row B")  \
    X(LOAD_LEDGER, LEDGER, NONE, 0, 1, NEXT, YES, "push ledger field A as it was before the claim")\
    X(LOAD_ASOF, NONE, NONE, 0, 1, NEXT, YES, "push the as-of date that chose the versions") \
    X(ADD, NONE, NONE, 2, 1, NEXT, YES, "x + y, overflow is an error")                       \
    X(SUB, NONE, NONE, 2, 1, NEXT, YES, "x - y, overflow is an error")                       \
    X(MUL, NONE, NONE, 2, 1, NEXT, YES, "x * y, overflow is an error")                       \
    X(DIV, NONE, NONE, 2, 1, NEXT, NO, "x / y truncated, division by zero is an error")     \
    X(NEG, NONE, NONE, 1, 1, NEXT, NO, "-x")                                                \
    X(PCT, NONE, NONE, 2, 1, NEXT, YES, "money x times percent y, half up to the fen")       \
    X(MIN, NONE, NONE, 2, 1, NEXT, YES, "the smaller of x and y")                            \
    X(MAX, NONE, NONE, 2, 1, NEXT, YES, "the larger of x and y")                             \
    X(EQ, NONE, NONE, 2, 1, NEXT, YES, "x == y")                                             \
    X(NE, NONE, NONE, 2, 1, NEXT, YES, "x != y")                                             \
    X(LT, NONE, NONE, 2, 1, NEXT, YES, "x < y")                                              \
    X(LE, NONE, NONE, 2, 1, NEXT, YES, "x <= y")                                             \
    X(GT, NONE, NONE, 2, 1, NEXT, YES, "x > y")                                              \
    X(GE, NONE, NONE, 2, 1, NEXT, YES, "x >= y")                                             \
    X(STR_EQ, NONE, NONE, 2, 1, NEXT, YES, "strings x == y")                                 \
    X(STR_NE, NONE, NONE, 2, 1, NEXT, YES, "strings x != y")                                 \
    X(NOT, NONE, NONE, 1, 1, NEXT, YES, "logical not")                                       \
    X(JUMP, JUMP, NONE, 0, 0, END, YES, "go to A")                                           \
    X(JUMP_IF_FALSE, JUMP, NONE, 1, 0, NEXT, YES, "pop; go to A if false")                   \
    X(JUMP_IF_TRUE, JUMP, NONE, 1, 0, NEXT, YES, "pop; go to A if true")                     \
    X(DATE_ADD, NONE, NONE, 2, 1, NEXT, YES, "date x plus duration y")                       \
    X(DATE_DIFF, NONE, NONE, 2, 1, NEXT, YES, "days from date y to date x")                  \
    X(YEAR, NONE, NONE, 1, 1, NEXT, YES, "calendar year of date x")                          \
    X(IN_LIST, LIST, NONE, 1, 1, NEXT, YES, "is x in constant list A")                       \
    X(IN_LISTV, NONE, NONE, 2, 1, NEXT, YES, "is x in the list whose id is y")               \
    X(FIND, CAT, NONE, 2, 1, NEXT, YES, "row of catalog A for region x and key y, or absent") \
    X(CAT_COL, CAT, COL, 1, 1, NEXT, YES, "column B of catalog A's row x, absent if x is")   \
    X(TIERED, BRK, NONE, 2, 1, NEXT, YES, "sum of bracket A's tiers over [x, y), each half up") \
    X(LIST_COUNT, CLIST, NONE, 0, 1, NEXT, YES, "push the number of elements of claim list A") \
    X(ITER_NEXT, LOCAL, JUMP, 0, 0, NEXT, YES, "local A += 1; go to B when it reaches local A+1 (ITER_START)") \
    X(NOTE, NOTE, NONE, 0, 0, NEXT, NO, "record explanation note A when explaining")        \
    X(FAIL, STR, NONE, 0, 0, END, NO, "stop with runtime error message A")                  \
    X(VSELECT, VSEL, NONE, 0, 0, END, NO, "continue in the version of selector A for the as-of date") \
    X(LEDGER_ADD, LEDGER, NONE, 1, 0, NEXT, NO, "pop; add it to ledger field A")            \
    X(LEDGER_SET, LEDGER, NONE, 1, 0, NEXT, NO, "pop; set ledger field A")                  \
    X(RET, NONE, NONE, 1, 0, END, NO, "return the top of the stack")                       \
    X(CALL_EXTERN, EXTERN, NONE, -1, 1, NEXT, NO, "pop host function A's arguments, push what it returns") \
    /* superinstructions (docs/performance.md): each does what the sequence in its   \
     * comment does, in one dispatch; the compiler's peephole pass emits most */      \
    X(EQ_IMM, IMM, NONE, 1, 1, NEXT, YES, "x == the immediate A")              /* PUSH_INT A; EQ */ \
    X(JUMP_IF_NE, IMM, JUMP, 1, 0, NEXT, YES, "pop; go to B unless it equals the immediate A") /* ..EQ; JUMP_IF_FALSE */ \
    X(FIELD_EQ, FIELD, IMM, 0, 1, NEXT, YES, "push claim field A == the immediate B") /* LOAD_FIELD; PUSH_INT; EQ */ \
    X(SET_LOCAL, LOCAL, IMM, 0, 0, NEXT, YES, "local A = the immediate B")     /* PUSH_INT B; STORE_LOCAL A */ \
    X(RET_IMM, IMM, NONE, 0, 0, END, NO, "return the immediate A")           /* PUSH_INT A; RET */ \
    X(MIN_IMM, IMM, NONE, 1, 1, NEXT, YES, "the smaller of x and the immediate A")                 \
    X(MAX_IMM, IMM, NONE, 1, 1, NEXT, YES, "the larger of x and the immediate A")                  \
    X(JUMP_IF_SOME, JUMP, NONE, 1, 0, KEEP, YES, "go to A keeping x if it is not absent, else pop it") /* x ?? y */ \
    X(JUMP_KEEP_FALSE, JUMP, NONE, 1, 0, KEEP, YES, "go to A keeping x if it is false, else pop it") /* x and y */ \
    X(JUMP_KEEP_TRUE, JUMP, NONE, 1, 0, KEEP, YES, "go to A keeping x if it is true, else pop it") /* x or y */ \
    X(ACC_ADD, LOCAL, NONE, 1, 0, NEXT, YES, "pop; add it to local A, overflow is an error") /* sum … for item in items */ \
    X(ITER_LOOP, LOCAL, JUMP, 0, 0, NEXT, YES, "local A += 1; go back to B while it is below local A+1 (ITER_START)") \
    X(TABLE, CONST, NONE, 0, 0, NEXT, NO, "return decision table A's cell for its inputs when one applies and not explaining") \
    X(LOAD_PCONST, DEF, CONST, 0, 1, NEXT, YES, "push definition A, which is constant B wherever this chunk runs") \
    X(TRACE_DEF, DEF, ROWSRC, 1, 1, NEXT, NO, "x is definition A (for item row B) computed inline: explaining, record it as a read would") /* its body; LOAD_DEF */ \
    X(STORE_DEF, DEF, LOCAL, 1, 0, NEXT, NO, "pop x, claim-level definition A computed ahead by a plan: memoise it, and keep it in local B") \
    X(STORE_IDEF, DEF, ROWSRC, 1, 1, NEXT, NO, "x is per-item definition A for item row B, computed ahead by a plan: memoise it, keep x") \
    /* operands naming locals (docs/performance.md) */                                \
    X(LOCAL_COL, LOCAL, CATCOL, 0, 1, NEXT, YES, "push column B of the catalog row in local A, absent if it is") /* LOAD_LOCAL; CAT_COL */ \
    X(JUMP_IF_LOCAL_FALSE, LOCAL, JUMP, 0, 0, NEXT, YES, "go to B if local A is false") /* LOAD_LOCAL; JUMP_IF_FALSE */ \
    X(SUB_LOCAL, LOCAL, NONE, 1, 1, NEXT, YES, "x - local A, overflow is an error") /* LOAD_LOCAL; SUB */ \
    X(LOAD_LOCAL2, LOCAL, LOCAL, 0, 2, NEXT, YES, "push local A, then local B") /* LOAD_LOCAL A; LOAD_LOCAL B */ \
    X(LOCAL_ACC_ADD, LOCAL, LOCAL, 0, 0, NEXT, YES, "add local A to local B, overflow is an error") /* LOAD_LOCAL A; ACC_ADD B */ \
    X(MEMO_DEF, DEF, LOCAL, 0, 0, NEXT, NO, "claim-level definition A is local B, computed ahead by a plan: memoise it") /* LOAD_LOCAL B; STORE_DEF A B */ \
    /* the join of an if … else taken into the arm that jumps to it, and more pairs */ \
    X(STORE_JUMP, LOCAL, JUMP, 1, 0, END, YES, "pop into local A; go to B") /* JUMP to STORE_LOCAL A */ \
    X(ACC_ADD_JUMP, LOCAL, JUMP, 1, 0, END, YES, "pop; add it to local A, overflow is an error; go to B") /* JUMP to ACC_ADD A */ \
    X(MIN_JUMP, JUMP, NONE, 2, 1, END, YES, "the smaller of x and y; go to A") /* MIN; JUMP */ \
    X(PUSH_INT_JUMP, IMM, JUMP, 0, 1, END, YES, "push the immediate A; go to B") /* PUSH_INT; JUMP */ \
    X(SUB_LOCALS, LOCAL, LOCAL, 0, 1, NEXT, YES, "push local A - local B, overflow is an error") /* LOAD_LOCAL A; SUB_LOCAL B */ \
    X(FIND_LOCAL, CAT, LOCAL, 2, 0, NEXT, YES, "local B = the row of catalog A for region x and key y, or absent") /* FIND A; STORE_LOCAL B */ \
    X(MIN_STORE_JUMP, LOCAL, JUMP, 2, 0, END, YES, "local A = the smaller of x and y; go to B") /* MIN; STORE_JUMP A B */ \
    X(STORE_JUMP_IF_FALSE, LOCAL, JUMP, 1, 0, NEXT, YES, "pop into local A; go to B if it is false") /* STORE_LOCAL A; JUMP_IF_LOCAL_FALSE A B */ \
    X(JUMP_UNLESS_EQ, JUMP, NONE, 2, 0, NEXT, YES, "pop x and y; go to A unless x == y") /* EQ; JUMP_IF_FALSE A */ \
    X(SUB_MAX_IMM, IMM, NONE, 2, 1, NEXT, YES, "x - y, overflow is an error, or the immediate A if larger") /* SUB; MAX_IMM A */ \
    X(LEDGER_BEGIN, NONE, NONE, 0, 0, NEXT, NO, "a plan's updates start: the ledger after the claim is the ledger before it") /* plans only */ \
    X(JUMP_IF_LOCAL_TRUE, LOCAL, JUMP, 0, 0, NEXT, YES, "go to B if local A is true") /* JUMP_IF_LOCAL_FALSE A past a JUMP B */ \
    X(IN_SET_IMM, IMM, NONE, 1, 1, NEXT, YES, "x is one of 0..31 and its bit is set in the immediate A") /* x == a or x == b */ \
    /* pairs that need a third operand, packed */ \
    X(JUMP_UNLESS_FIELD, FIELDIMM, JUMP, 0, 0, NEXT, YES, "go to B unless claim field A.f equals A.v") /* LOAD_FIELD; JUMP_IF_NE, FIELD_EQ; JUMP_IF_FALSE */ \
    X(IFIELD_ACC_ADD, IFIELD, ROWLOCAL, 0, 0, NEXT, YES, "add field A of item row B.r to local B.l, overflow is an error") /* LOAD_IFIELD; ACC_ADD */ \
    X(ZERO_LOCALS, LOCAL, LOCAL, 0, 0, NEXT, YES, "locals A to B = 0") /* SET_LOCAL A 0; SET_LOCAL A+1 0; … */ \
    /* a difference summed (a plan's item loop) */ \
    X(SUB_LOCAL_ACC, LOCAL, LOCAL, 1, 0, NEXT, YES, "pop x; add x - local A to local B, overflow is an error") /* SUB_LOCAL A; ACC_ADD B */ \
    X(SUB_LOCALS_ACC, LOCALS, LOCAL, 0, 0, NEXT, YES, "add local A.a - local A.b to local B, overflow is an error") /* SUB_LOCALS; ACC_ADD */ \
    /* a catalog column read and tested at once */ \
    X(LOCAL_COL_IF_SOME, ROWCOL, JUMP, 0, 1, BARE, YES, "column A.c of the catalog row in local A.l: if present push it and go to B, else go on") /* LOCAL_COL; JUMP_IF_SOME */ \
    X(LOCAL_COL_IN_SET, ROWCOL, IMM, 0, 1, NEXT, YES, "column A.c of the catalog row in local A.l is one of 0..31 and its bit is set in the immediate B") /* LOCAL_COL; IN_SET_IMM */ \
    X(JUMP_UNLESS_COL, ROWCOLV, JUMP, 0, 0, NEXT, YES, "go to B unless column A.c of the catalog row in local A.l equals A.v") /* LOCAL_COL; JUMP_IF_NE */ \
    X(FIND_ILOCAL, CATIFIELD, ROWLOCAL, 1, 0, NEXT, YES, "local B.l = the row of catalog A.c for region x and key field A.f of item row B.r, or absent") /* LOAD_IFIELD; FIND_LOCAL */ \
    /* lists of the claim, calendar months, messages (Part 2) */ \
    X(ITER_START, CLIST, LOCAL, 0, 0, NEXT, YES, "local B = the row before claim list A's first, local B+1 = the row after its last") \
    X(LOAD_ROW, ROWSRC, NONE, 0, 1, NEXT, YES, "push the element row that row source A names") \
    X(ELEM_FIELD, IFIELD, NONE, 1, 1, NEXT, YES, "field A of element row x, absent if x is") \
    X(ELEM_INDEX, CLIST, NONE, 1, 1, NEXT, YES, "the index in claim list A of its element row x, absent if x is") \
    X(ELEM_PREV, CLIST, NONE, 1, 1, NEXT, YES, "the element row before x in claim list A, absent if x is absent or the first") \
    X(ADD_MONTHS, NONE, NONE, 2, 1, NEXT, YES, "date x plus y calendar months, the day kept or clamped to the month's last") \
    X(MAKE_DATE, NONE, NONE, 3, 1, NEXT, NO, "the date of year x, month y, day z; an error if there is none") \
    X(MONTH, NONE, NONE, 1, 1, NEXT, YES, "the month (1-12) of date x") \
    X(DAY, NONE, NONE, 1, 1, NEXT, YES, "the day of the month of date x") \
    X(TO_TEXT, TYPE, NONE, 1, 1, NEXT, NO, "x as text, as a message prints a value of type A") \
    X(CONCAT, NONE, NONE, 2, 1, NEXT, NO, "the string x followed by the string y") \
    X(REJECT, NONE, NONE, 1, 0, END, NO, "stop: the claim is invalid, and string x says why") \
    X(FIELD_SOME, FIELD, NONE, 0, 1, NEXT, YES, "push whether claim field A is present (not none)") /* LOAD_FIELD; PUSH_NONE; NE */ \
    X(JUMP_IF_FIELD_NONE, FIELD, JUMP, 0, 0, NEXT, YES, "go to B if claim field A is absent") /* FIELD_SOME; JUMP_IF_FALSE */ \
    X(IN_LISTS, NONE, NONE, 2, 1, NEXT, YES, "is string x in the list of strings whose id is y")

typedef enum {
#define RG_X_OPK(name, width) RG_OPK_##name,
    RG_OPERAND_KINDS(RG_X_OPK)
#undef RG_X_OPK
    RG_OPK__COUNT
} rg_operand_kind;

typedef enum {
#define RG_X_FLOW(name) RG_FLOW_##name,
    RG_FLOWS(RG_X_FLOW)
#undef RG_X_FLOW
} rg_flow;

typedef enum {
#define RG_X_SPEC(name) RG_SPEC_##name,
    RG_SPECS(RG_X_SPEC)
#undef RG_X_SPEC
} rg_spec;

typedef enum {
#define RG_X_OP(name, a, b, pops, pushes, flow, spec, syn) RG_OP_##name,
    RG_OPCODES(RG_X_OP)
#undef RG_X_OP
    RG_OP__COUNT
} rg_opcode;

/* Each operand kind's width as a constant, for the lengths in rg_opinfo_table. */
enum {
#define RG_X_OPK(name, width) RG_OPW_##name = width,
    RG_OPERAND_KINDS(RG_X_OPK)
#undef RG_X_OPK
};

typedef struct {
    const char *name;
    unsigned char a, b;        /* rg_operand_kind of operands 1 and 2 */
    signed char pops, pushes;
    unsigned char flow;        /* rg_flow */
    unsigned char spec;        /* rg_spec */
    const char *synopsis;
    unsigned char len;         /* bytes: the opcode and its operands */
    unsigned char jump;        /* which operand is a jump target: 1, 2, or 0 for none */
} rg_opinfo;

extern const rg_opinfo rg_opinfo_table[RG_OP__COUNT];
extern const unsigned char rg_operand_width[RG_OPK__COUNT];
extern const char *const rg_operand_kind_name[RG_OPK__COUNT];
extern const char *const rg_flow_name[];

/* Length in bytes of an instruction with opcode op (opcode byte included). */
static inline unsigned rg_op_length(unsigned op)
{
    return rg_opinfo_table[op].len;
}

#define RG_ROW_OF_FRAME 0xFFFFu

/* Does op always jump (or return, or stop): is the next instruction reached
 * only by a jump to it? */
static inline int rg_op_ends_block(unsigned op) { return rg_opinfo_table[op].flow == RG_FLOW_END; }

/* Does the jump of op leave the tested value on the stack (x ?? y, and, or)? */
static inline int rg_jump_keeps(unsigned op) { return rg_opinfo_table[op].flow == RG_FLOW_KEEP; }

/* Does falling through op leave the stack as it was, its row giving its
 * jump's effect (LOCAL_COL_IF_SOME pushes its value only when it jumps)? */
static inline int rg_falls_bare(unsigned op) { return rg_opinfo_table[op].flow == RG_FLOW_BARE; }

/* May op be computed on a way not taken (RG_SPECS)? */
static inline int rg_op_speculable(unsigned op) { return rg_opinfo_table[op].spec == RG_SPEC_YES; }

/* Which operand of op is its jump target: 1 (A), 2 (B), or 0 when it has none. */
static inline int rg_op_jump_operand(unsigned op)
{
    return rg_opinfo_table[op].jump;
}

/* ---- packed operands (the kinds above that hold two to four parts) ----
 * CATCOL, FIELDIMM, ROWLOCAL, LOCALS, CATIFIELD hold a high and a low half;
 * ROWCOL a local, a catalog and a column; ROWCOLV those a byte each and a value. */
static inline uint32_t rg_hi16(uint32_t x) { return x >> 16; }
static inline uint32_t rg_lo16(uint32_t x) { return x & 0xFFFFu; }
static inline uint32_t rg_pack16(uint32_t hi, uint32_t lo) { return hi << 16 | lo; }

typedef struct {
    uint32_t local, cat, col, value; /* value: ROWCOLV only */
} rg_rowcol;

/* The parts of a ROWCOL or ROWCOLV operand x (kind tells which). */
static inline rg_rowcol rg_rowcol_of(unsigned kind, uint32_t x)
{
    if (kind == RG_OPK_ROWCOLV)
        return (rg_rowcol){x >> 24, x >> 16 & 0xFFu, x >> 8 & 0xFFu, x & 0xFFu};
    return (rg_rowcol){x >> 16, x >> 8 & 0xFFu, x & 0xFFu, 0};
}

/* A ROWCOL (value ignored) or ROWCOLV operand from its parts; each but a ROWCOL's local must fit a byte. */
static inline uint32_t rg_rowcol_pack(unsigned kind, rg_rowcol r)
{
    if (kind == RG_OPK_ROWCOLV)
        return r.local << 24 | r.cat << 16 | r.col << 8 | r.value;
    return r.local << 16 | r.cat << 8 | r.col;
}

/* Limits of a TABLE block (the verifier checks them). */
#define RG_TABLE_MAX_INPUTS 16
#define RG_TABLE_MAX_CELLS 4096

#endif
