/* disasm.h — the human-readable listing of a program's bytecode (like `luac -l` or SQLite's EXPLAIN), used by `regula disasm` and golden files.
 * Must not change the program nor depend on the compiler's other stages: it reads only rg_program. */
#ifndef RGC_DISASM_H
#define RGC_DISASM_H

#include <stdio.h>
#include "program.h"

/* Print p's header, policies with their versions, then every chunk, one
 * instruction a line. Output depends only on p (deterministic). p should be
 * verified; it need not be finished (derived indexes are not used). */
void rgc_disasm(const rg_program *p, FILE *out);

#endif
