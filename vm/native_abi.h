/* native_abi.h — what native code generated from a pack (native/cgen.c writes
 * it, the system's C compiler builds it) and the VM that loads it (vm/native_load.c)
 * agree on: the helpers the VM lends it, the symbols it exports, how it says
 * what it was built from. Its text is compiled into every generated file, so a
 * change here changes every cache key (native/cache.c). Declarations only:
 * no code, and no include but vm.h. */
#ifndef RG_NATIVE_ABI_H
#define RG_NATIVE_ABI_H

#include "vm.h"

/* Bumped with any change to this file or to what generated code may assume of
 * vm.h and program.h; a native object of another ABI is refused. */
#define RG_NATIVE_ABI 3

/* What the VM lends the generated code: the rare operations whose code lives
 * in the VM (a 128-bit percent, catalog keys the program does not own, text
 * in the claim's strings). Each returns what the VM's own instruction would
 * compute; RG_NONE from to_text and concat means out of memory. */
typedef struct rg_native_host {
    int (*pct_wide)(int64_t x, int64_t p, int64_t *r);
    rg_value (*catalog_find)(const rg_program *p, uint32_t cat, uint32_t pol, const char *key);
    rg_value (*to_text)(rg_vm *vm, uint32_t type, rg_value v);
    rg_value (*concat)(rg_vm *vm, const char *x, const char *y);
} rg_native_host;

/* The bytes of a pack's identity: BLAKE2b-256 of its whole image. */
#define RG_NATIVE_ID_BYTES 32

/* What a native object says it is: exported as RG_NATIVE_SYM_INFO. */
typedef struct rg_native_info {
    uint32_t abi;          /* RG_NATIVE_ABI */
    uint32_t n_policies;   /* of the program it was generated from */
    uint32_t n_chunks;
    uint32_t n_plans;      /* policies whose plan it computes */
    uint8_t id[RG_NATIVE_ID_BYTES]; /* the identity of the image it was generated from */
} rg_native_info;

/* RG_NATIVE_SYM_INIT: called once, before any plan, with the VM's helpers
 * (kept for the object's life); 0 when the object takes them. */
typedef int (*rg_native_init_fn)(const rg_native_host *host);

/* RG_NATIVE_SYM_PLAN: compute the plan of the claim's policy (vm->policy)
 * as the interpreter would run it (vm/interp.c run_plan), charging *left as
 * the interpreter charges its budget. 0: done, every value and memo written
 * as the interpreter's would be; 1: it failed (an error, the budget), what it
 * wrote is to be forgotten; 2: the object has no plan for this policy. It
 * writes no message: the interpreter, the reference, reports errors. */
typedef int (*rg_native_plan_fn)(rg_vm *vm, uint64_t *left);

/* RG_NATIVE_SYM_OUTPUTS: called only right after RG_NATIVE_SYM_PLAN returned
 * 0 for the claim: every output's value copied from the memo of its
 * definition into out (the program's order), as the interpreter copies them
 * (vm/interp.c rg_vm_eval_outputs), when each of those definitions is done:
 * 1; else 0, out unchanged (the interpreter computes them). Straight-line
 * code: the definitions are the program's constants, and the state of one
 * that every plan does on every path to its return is not checked. */
typedef int (*rg_native_outputs_fn)(const rg_vm *vm, rg_value *out);

#define RG_NATIVE_SYM_INFO "rgn_info"
#define RG_NATIVE_SYM_INIT "rgn_init"
#define RG_NATIVE_SYM_PLAN "rgn_plan"
#define RG_NATIVE_SYM_OUTPUTS "rgn_outputs"

/* Native code nests definition calls on the C stack (a few hundred bytes a
 * call), the interpreter on its own frames: it gives up (fails, as a plan
 * that fails) past this many nested definitions, or past the interpreter's
 * own limit when that is lower, so that a thread's small stack is enough. */
#define RG_NATIVE_MAX_NEST 256

#endif
