/* opcodes.c — the tables derived from opcodes.h's X-macros: each opcode's name,
 * operand kinds, stack effect, flow, whether it is speculable and synopsis,
 * each operand kind's width, each flow's name. Nothing else. */
#include "opcodes.h"

_Static_assert(RG_OP__COUNT <= 256, "opcodes are one byte");

const rg_opinfo rg_opinfo_table[RG_OP__COUNT] = {
#define RG_X_OP(name, a, b, pops, pushes, flow, spec, syn)                                                   \
    {#name, RG_OPK_##a, RG_OPK_##b, pops, pushes, RG_FLOW_##flow, RG_SPEC_##spec, syn, 1 + RG_OPW_##a + RG_OPW_##b, \
     RG_OPK_##a == RG_OPK_JUMP ? 1 : RG_OPK_##b == RG_OPK_JUMP ? 2 : 0},
    RG_OPCODES(RG_X_OP)
#undef RG_X_OP
};

const unsigned char rg_operand_width[RG_OPK__COUNT] = {
#define RG_X_OPK(name, width) width,
    RG_OPERAND_KINDS(RG_X_OPK)
#undef RG_X_OPK
};

const char *const rg_operand_kind_name[RG_OPK__COUNT] = {
#define RG_X_OPK(name, width) #name,
    RG_OPERAND_KINDS(RG_X_OPK)
#undef RG_X_OPK
};

const char *const rg_flow_name[] = {
#define RG_X_FLOW(name) #name,
    RG_FLOWS(RG_X_FLOW)
#undef RG_X_FLOW
};
