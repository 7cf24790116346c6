/* vm.h — the VM layer's internal header: an evaluation context over a loaded
 * program, the claim it holds, and the calls that settle it. Never includes
 * the compiler; the embedding API (include/regula.h) is built on this. */
#ifndef RG_VM_H
#define RG_VM_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "program.h"

typedef enum {
    RG_OK = 0,
    RG_ERR_RUNTIME = 1,   /* overflow, division by zero, no row matched, … in a policy */
    RG_ERR_BUDGET = 2,    /* instruction budget exhausted */
    RG_ERR_MEMORY = 3,
    RG_ERR_INPUT = 4,     /* the claim did not validate */
    RG_ERR_USAGE = 5      /* API misuse (bad index, wrong order of calls) */
} rg_status;

/* Where a context's memory comes from (the allocator hook of include/regula.h):
 * fn has realloc's meaning (ptr NULL: allocate; size 0: free ptr, which may be
 * NULL, and return NULL) and returns NULL when it cannot. fn NULL: the C library. */
typedef struct {
    void *(*fn)(void *ud, void *ptr, size_t size);
    void *ud;
} rg_alloc;

static inline void *rg_mem(const rg_alloc *a, void *ptr, size_t size)
{
    if (a->fn)
        return a->fn(a->ud, ptr, size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Host functions bound to a program's externs (vm/externs.h). */
typedef struct rg_extern_table rg_extern_table;

/* One explanation record. */
typedef struct {
    uint32_t kind;   /* 0 = a definition's value, 1 = a note (table row / decision arm) */
    uint32_t index;  /* definition slot, or note index */
    uint32_t chunk;  /* chunk that computed it (kind 0) */
    int32_t row;     /* item row, -1 for claim-level */
    rg_value value;
} rg_trace_ent;

/* What claims reached, counted while explaining (vm/cover.c): `regula test
 * --coverage`. Set rg_vm.cover and rg_vm.explain; every definition computed
 * counts for the chunk that computed it, every table row and decision arm
 * taken for its note. Costs nothing when not set: only the trace counts. */
typedef struct rg_cover {
    uint32_t *chunk_hits;     /* n_chunks */
    uint32_t *note_hits;      /* n_notes */
    uint32_t n_chunks, n_notes;
} rg_cover;

/* Per-thread evaluation context. All its memory is allocated when it is
 * created or grows to the largest claim seen; settling allocates nothing
 * once warm. */
typedef struct rg_vm {
    const rg_program *prog;

    /* the bound claim: the context's own slots, or (rg_vm_bind_slots) the
     * caller's, read in place until the next reset */
    rg_value *claim;          /* n_claim_slots */
    rg_value *items;          /* the rows of every list of the claim: n_items * n_item_slots */
    rg_value *own_claim, *own_items; /* the context's own slots */
    uint32_t n_items, cap_items;
    uint32_t *list_first, *list_count; /* per list of the claim (rg_field.list): its rows */
    char *strbuf;             /* claim strings (NUL-terminated), n_strbuf used of cap_strbuf */
    size_t n_strbuf, cap_strbuf;

    /* chosen for this claim */
    uint32_t policy;
    int policy_chosen;        /* rg_vm_begin chose the policy (and may have failed after) */
    rg_value asof;

    /* memoised definitions */
    rg_value *defs;           /* n_defs */
    uint8_t *def_state;       /* 0 not yet, 1 computing, 2 done */
    rg_value *idefs;          /* n_items * n_item_defs */
    uint8_t *idef_state;

    /* ledger: values before the claim, and after its updates */
    rg_value *ledger_in, *ledger_out; /* n_ledger_fields */

    /* evaluation stack */
    rg_value *stack;
    uint32_t stack_cap;
    uint32_t stack_top;       /* first free slot */
    uint32_t depth, max_depth; /* nested chunk calls */
    struct rg_frame *frames;  /* max_depth + 1 interpreter frames (vm/interp.c) */
    uint32_t date_outputs_first, date_outputs_end; /* the outputs of type date lie within */
    uint32_t *key_src;        /* per ledger key of a scope read in one loop: its claim slot << 1 | 1 for its year */
    uint64_t *scope_cost;     /* per scope: the budget its keys' chunks charge, UINT64_MAX when one is not such */
    uint8_t *keys_direct;     /* per policy: every scope's keys read in one loop, every scope within it */
    uint64_t keys_cost;       /* the budget all scopes' keys charge then */

    uint64_t budget;          /* instructions per claim; 0 = unlimited */
    uint64_t used;

    int explain;              /* record a trace (and compute lazily: no plan) */
    int no_native;            /* run the plans on the interpreter though the program has native code */
    uint64_t plan_fallbacks;  /* claims whose plan failed and were computed lazily */
    uint64_t native_runs;     /* claims whose plan native code computed */
    uint64_t native_fallbacks; /* claims whose plan native code gave back to the interpreter */
    int updates_begun;        /* the running plan reached its updates (LEDGER_BEGIN) */
    int updates_done;         /* the claim's plan computed ledger_out: rg_vm_run_updates has nothing to run */
    int planned_natively;     /* the last plan run was native code's, done (its outputs' copy may follow) */
    rg_trace_ent *trace;
    uint32_t n_trace, cap_trace;

    rg_cover *cover;          /* counts what runs while explaining; NULL: nothing */

    char error[512];          /* message of the last failure */
    uint32_t error_line, error_file; /* policy source location, 0 if none */

    rg_alloc alloc;           /* every allocation of the context goes through it */
    const rg_extern_table *externs; /* the host's functions for CALL_EXTERN; NULL: none allowed */
    void *host;               /* given to host functions that ask for their context */
} rg_vm;

rg_vm *rg_vm_new(const rg_program *p);
/* The same with an allocator (NULL: the C library's), kept for the context's life. */
rg_vm *rg_vm_new_alloc(const rg_program *p, const rg_alloc *alloc);
void rg_vm_free(rg_vm *vm);

/* Claim binding (stdlib/claim_json.c fills the claim through these). The
 * lists of a claim are bound one after the other: each takes the next rows. */
int rg_vm_reserve_items(rg_vm *vm, uint32_t n); /* sets n_items (rows in all), grows arrays; RG_OK or RG_ERR_MEMORY */
/* Rows for n elements of claim list `list` after the rows bound so far:
 * *first is the first (its row values are vm->items + first * n_item_slots).
 * RG_OK, RG_ERR_MEMORY, or RG_ERR_USAGE for a list the program lacks. */
int rg_vm_add_rows(rg_vm *vm, uint32_t list, uint32_t n, uint32_t *first);
/* Bind a claim whose slots the caller keeps, already bound once (n_claim_slots
 * values; n_items rows of n_item_slots, their strings alive, list k's rows
 * the list_count[k] after list k-1's): the VM reads them in place, never
 * writes them, until the next rg_vm_reset. For replaying kept claims (regula
 * bench) without copying them. RG_OK or RG_ERR_MEMORY. */
int rg_vm_bind_slots(rg_vm *vm, rg_value *claim, rg_value *items, const uint32_t *list_count);
/* A string's value (a pointer): the program's own copy when it has the text
 * (a catalog key, a literal: then a catalog finds it by its stored hash and by
 * pointer, and it lives as long as the program), else a copy in the claim's
 * string buffer, valid until rg_vm_reset. RG_NONE when out of memory. */
rg_value rg_vm_intern(rg_vm *vm, const char *s, size_t len);
/* The string x followed by y, as rg_vm_intern keeps it. */
rg_value rg_vm_concat(rg_vm *vm, const char *x, const char *y);
/* Forget the previous claim (strings, items, memo, trace). */
void rg_vm_reset(rg_vm *vm);

/* After binding: choose the policy and the as-of date. */
rg_status rg_vm_begin(rg_vm *vm);
/* Ledger scope keys (n_keys values of scope s) for the bound claim. */
rg_status rg_vm_ledger_keys(rg_vm *vm, uint32_t scope, rg_value *keys);
/* Every scope's keys, in order (scope s's at ledger_scopes[s].first_key). */
rg_status rg_vm_claim_keys(rg_vm *vm, rg_value *keys);
/* First value of a ledger field for a person the ledger has not seen. */
rg_status rg_vm_ledger_init(rg_vm *vm, uint32_t field, rg_value *out);
/* Value of a definition (evaluated at most once per claim). */
rg_status rg_vm_eval_def(rg_vm *vm, uint32_t def, rg_value *out);
/* Values of the pack's outputs, in order, into out[0 .. n_outputs): the same
 * as rg_vm_eval_def on each (stops at the first failure), in one run of the
 * interpreter, after the policy's plan (program.h) unless explaining. */
rg_status rg_vm_eval_outputs(rg_vm *vm, rg_value *out);
/* Run the update chunk: ledger_out starts as a copy of ledger_in. */
rg_status rg_vm_run_updates(rg_vm *vm);

/* Convert a value to human text (money "12.34", percent "85%", duration
 * "60 days", date, enum member name, region name, bool, int, string, "none"). Returns
 * the length written into buf (at most cap - 1 bytes). */
int rg_value_text(const rg_program *p, uint32_t type, rg_value v, char *buf, size_t cap);

/* ---- coverage (vm/cover.c) ---- */

rg_cover *rg_cover_new(const rg_program *p); /* NULL when out of memory */
void rg_cover_free(rg_cover *c);

/* One thing a test can reach, once for its place in the sources. */
typedef enum { RG_COVER_DEF, RG_COVER_ROW, RG_COVER_ARM, RG_COVER_OTHERWISE } rg_cover_kind;
typedef struct {
    rg_cover_kind kind;
    uint32_t def;        /* the definition; the table or decision of a row or arm */
    uint32_t policy;     /* the policy whose source file holds it */
    uint32_t version;    /* a definition's version, RG_NO_INDEX when not versioned (and for rows, arms) */
    uint32_t file, line; /* string id of its source file, and its line */
    uint32_t hits;       /* times the claims reached it */
} rg_cover_item;

/* Every definition the policies wrote (not the result's own fields, the
 * `reject` rules, nor version selectors), table row and decision arm of p,
 * each once for its source line however many policies' tables hold it, in
 * policy order then line, with C's counts summed (C NULL: all 0). Returns
 * their number and *out (free it), or -1 when out of memory. */
long rg_cover_items(const rg_cover *c, const rg_program *p, rg_cover_item **out);

/* ---- loading (vm/loader.c, vm/verify.c) ---- */

/* Parse a file image (copying every array, so buf may be freed afterwards),
 * verify it and derive its indexes. 0 and *out on success; -1 with a message
 * in err (and *out = NULL) on any problem. Never trusts the input. */
int rg_program_load(const void *buf, size_t len, rg_program **out, char *err, size_t errlen);
/* The same, and when key (a 32-byte Ed25519 public key) is given, only a pack
 * that key signed loads: an unsigned one, one signed with another key, or one
 * changed since it was signed is refused with what is wrong (signature.c). */
int rg_program_load_key(const void *buf, size_t len, const uint8_t *key, rg_program **out, char *err, size_t errlen);
/* The signature block after the checksum (which ends at end), as rg_program_load_key needs it. */
int rg_signature_check(const uint8_t *b, size_t len, size_t end, const uint8_t *key, char *err, size_t errlen);

/* ---- native code (vm/native_load.c, vm/native_abi.h) ---- */

/* A program's plans as native code: the object, its entry, and its copy of
 * the outputs (native_abi.h). */
struct rg_native {
    void *handle;
    int (*plan)(struct rg_vm *vm, uint64_t *left);
    int (*outputs)(const struct rg_vm *vm, rg_value *out);
};
/* Load the native object at path (native/'s cache) for verified program p,
 * whose image has identity id (RG_NATIVE_ID_BYTES bytes, native_abi.h): only
 * an object generated from that image, for this VM's ABI, is attached. Its
 * plans then run natively, each claim falling back to the interpreter when
 * native code gives up. 0, or -1 with why in err (p unchanged). */
int rg_native_attach(rg_program *p, const char *path, const uint8_t *id, char *err, size_t errlen);
/* Unload p's native object, if any: before the program is freed. */
void rg_native_detach(rg_program *p);

/* Check every cross-reference of every table and every chunk's code
 * (operands, jump targets, termination, stack depths). Needs no derived
 * index. 0 if p is safe to run; -1 with a message in err. */
int rg_program_verify(const rg_program *p, char *err, size_t errlen);

#endif
