/* explain.h — `--explain`: a settled claim's result line with where each
 * amount came from (policy, version, table row, decision arm, source line).
 * Must not settle anything: it reads the trace the VM recorded. */
#ifndef RG_EXPLAIN_H
#define RG_EXPLAIN_H

#include "text.h"
#include "vm.h"

/* The result object of outputs vals (rg_result_json) with an "explain"
 * member appended: the trace vm holds. vm->explain must have been set before
 * the outputs were evaluated. */
void rg_result_explained_json(rg_sb *b, const rg_vm *vm, const rg_value *vals);
/* The explanation alone, as a JSON object. */
void rg_explanation_json(rg_sb *b, const rg_vm *vm);

#endif
