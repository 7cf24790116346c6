/* opcode_table.c — prints the opcode table of docs/bytecode.md from the one
 * list, bytecode/opcodes.h (tests/docs/opcodes.sh compares the two, or
 * rewrites the doc's table). Must not hold any fact of its own about an opcode. */
#include <stdio.h>

#include "opcodes.h"

static const char *kind(unsigned k)
{
    return k == RG_OPK_NONE ? "—" : rg_operand_kind_name[k];
}

int main(void)
{
    puts("| code | name | operand A | operand B | length | pops | pushes | flow | effect |");
    puts("|---|---|---|---|---|---|---|---|---|");
    for (unsigned op = 0; op < RG_OP__COUNT; op++) {
        const rg_opinfo *oi = &rg_opinfo_table[op];
        char pops[8];
        if (oi->pops < 0)
            snprintf(pops, sizeof pops, "n");
        else
            snprintf(pops, sizeof pops, "%d", oi->pops);
        printf("| %u | `%s` | %s | %s | %u | %s | %d | %s | ", op, oi->name, kind(oi->a), kind(oi->b), rg_op_length(op),
               pops, oi->pushes, oi->flow == RG_FLOW_NEXT ? "—" : rg_flow_name[oi->flow]);
        for (const char *s = oi->synopsis; *s; s++) {
            if (*s == '|')
                putchar('\\');
            putchar(*s);
        }
        puts(" |");
    }
    return 0;
}
