/* externs.h — host functions: a program's `extern fn` declarations bound to C function pointers, each with its libffi call interface prepared once, and the call the interpreter makes.
 * Must not decide which functions a host allows (the host binds them explicitly, or `regula run --allow-extern` names a library); an unbound extern is an error, never a guess. */
#ifndef RG_EXTERNS_H
#define RG_EXTERNS_H

#include <ffi.h>

#include "vm.h"

typedef void (*rg_host_fn)(void);

typedef struct {
    rg_host_fn fn;            /* NULL: not bound */
    int with_ctx;             /* the C function takes vm->host as a first extra argument */
    ffi_cif cif;              /* prepared by rg_externs_bind; read-only afterwards */
    ffi_type *atypes[RG_EXTERN_MAX_ARGS + 1];
} rg_extern_fn;

/* One binding per extern of one program. Read-only once bound, so any number
 * of contexts (on any threads) may share it. */
struct rg_extern_table {
    const rg_program *prog;
    uint32_t n;               /* prog->n_externs */
    rg_extern_fn *fns;
    void *library;            /* dlopen handle of rg_externs_from_library, or NULL */
    rg_alloc alloc;
};

/* A table for p's externs, none bound yet; NULL on no memory. */
rg_extern_table *rg_externs_new(const rg_program *p, const rg_alloc *alloc);
void rg_externs_free(rg_extern_table *t);

/* The C type a Regula type is passed as: "int64_t" or "const char *". */
const char *rg_extern_ctype(uint32_t type);

/* The declaration's signature, "(string, money) -> percent?", and the C
 * prototype a library must define for it, "int64_t risk_score(const char *, int64_t)". */
void rg_extern_signature(const rg_program *p, uint32_t i, char *buf, size_t cap);
void rg_extern_prototype(const rg_program *p, uint32_t i, char *buf, size_t cap);

/* Bind extern i to fn, whose C signature is derived from the declaration
 * (string: const char *, every other type: int64_t; with_ctx adds a leading
 * void *). 0, or -1 with a message in err. */
int rg_externs_bind(rg_extern_table *t, uint32_t i, rg_host_fn fn, int with_ctx, char *err, size_t errlen);

/* Open the shared library at path and bind every extern not bound yet to the
 * symbol of its name (--allow-extern, regula_host_add_library). 0, or -1
 * with a message naming what is missing. */
int rg_externs_from_library(rg_extern_table *t, const char *path, char *err, size_t errlen);

/* Extern i on args[0 .. n_args): RG_OK and *out, or a status with the message
 * (without location) in vm->error. The interpreter's CALL_EXTERN. */
rg_status rg_extern_call(rg_vm *vm, uint32_t i, const rg_value *args, rg_value *out);

#endif
