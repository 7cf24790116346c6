/* explain.h — `--explain`: a settled claim's result line with where each
 * amount came from (policy, version, table row, decision arm, source line).
 * Must not settle anything: it reads the trace the VM recorded. */
#ifndef RG_EXPLAIN_H
#define RG_EXPLAIN_H

#include <stdio.h>

#include "vm.h"

/* Like rg_write_result, with an "explain" member appended. vm->explain must
 * have been set before the outputs were evaluated. */
rg_status rg_write_result_explained(FILE *out, rg_vm *vm);
/* The explanation alone, as a JSON object. */
void rg_write_explanation(FILE *out, const rg_vm *vm);

#endif
