/* bytecode_tables.c — prints a generated table of docs/bytecode.md: `opcodes`
 * from the one list, bytecode/opcodes.h; `sections` from the program's
 * arrays, bytecode/program.h (tests/docs/tables.sh compares them with the
 * doc, or rewrites the doc's tables). Holds no fact of its own about either. */
#include <stdio.h>
#include <string.h>

#include "opcodes.h"
#include "program.h"

static const char *kind(unsigned k)
{
    return k == RG_OPK_NONE ? "—" : rg_operand_kind_name[k];
}

static void sections(void)
{
    puts("| # | section | record | size |");
    puts("|---|---|---|---|");
    unsigned i = 0;
#define RG_X_ROW(type, name) printf("| %u | `%s` | `%s` | %zu |\n", i++, #name, #type, sizeof(type));
    RG_PROGRAM_ARRAYS(RG_X_ROW)
#undef RG_X_ROW
}

static void opcodes(void)
{
    puts("| code | name | operand A | operand B | length | pops | pushes | flow | spec | effect |");
    puts("|---|---|---|---|---|---|---|---|---|---|");
    for (unsigned op = 0; op < RG_OP__COUNT; op++) {
        const rg_opinfo *oi = &rg_opinfo_table[op];
        char pops[8];
        if (oi->pops < 0)
            snprintf(pops, sizeof pops, "n");
        else
            snprintf(pops, sizeof pops, "%d", oi->pops);
        printf("| %u | `%s` | %s | %s | %u | %s | %d | %s | %s | ", op, oi->name, kind(oi->a), kind(oi->b),
               rg_op_length(op), pops, oi->pushes, oi->flow == RG_FLOW_NEXT ? "—" : rg_flow_name[oi->flow],
               oi->spec == RG_SPEC_YES ? "yes" : "—");
        for (const char *s = oi->synopsis; *s; s++) {
            if (*s == '|')
                putchar('\\');
            putchar(*s);
        }
        puts(" |");
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "opcodes") == 0)
        opcodes();
    else if (argc == 2 && strcmp(argv[1], "sections") == 0)
        sections();
    else {
        fputs("usage: bytecode_tables opcodes|sections\n", stderr);
        return 2;
    }
    return 0;
}
