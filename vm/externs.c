/* externs.c — host functions: binds a program's externs to C functions (explicitly, or by name from a shared library), prepares each libffi call interface once, and makes the call for CALL_EXTERN with its arguments and result checked.
 * Must not let a value the VM cannot hold back in (an enum ordinal out of range, a bool that is not 0/1, none where the declaration forbids it), and must not write the table while contexts use it. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "externs.h"
#include "text.h"

static const char *name_of(const rg_program *p, uint32_t i)
{
    return p->blob + p->strings[p->externs[i].name].offset;
}

rg_extern_table *rg_externs_new(const rg_program *p, const rg_alloc *alloc)
{
    rg_alloc a = alloc ? *alloc : (rg_alloc){0};
    rg_extern_table *t = rg_mem(&a, NULL, sizeof *t);
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    t->alloc = a;
    t->prog = p;
    t->n = p->n_externs;
    size_t bytes = (t->n ? t->n : 1) * sizeof *t->fns;
    t->fns = rg_mem(&a, NULL, bytes);
    if (!t->fns) {
        rg_mem(&a, t, 0);
        return NULL;
    }
    memset(t->fns, 0, bytes);
    return t;
}

void rg_externs_free(rg_extern_table *t)
{
    if (!t)
        return;
    if (t->library)
        dlclose(t->library);
    rg_alloc a = t->alloc;
    rg_mem(&a, t->fns, 0);
    rg_mem(&a, t, 0);
}

static int is_string(uint32_t type)
{
    return RG_TYPE_KIND(type) == RG_T_STRING;
}

const char *rg_extern_ctype(uint32_t type)
{
    return is_string(type) ? "const char *" : "int64_t";
}

static const char *type_name(const rg_program *p, uint32_t t)
{
    if (RG_TYPE_KIND(t) == RG_T_ENUM)
        return p->blob + p->strings[p->enums[RG_TYPE_AUX(t)].name].offset;
    return rg_type_kind_name(t);
}

void rg_extern_signature(const rg_program *p, uint32_t i, char *buf, size_t cap)
{
    const rg_extern *x = &p->externs[i];
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    rg_sb_puts(&b, "(");
    for (uint32_t k = 0; k < x->n_args; k++)
        rg_sb_printf(&b, "%s%s", k ? ", " : "", type_name(p, x->args[k]));
    rg_sb_printf(&b, ") -> %s%s", type_name(p, x->result), x->result_optional ? "?" : "");
}

void rg_extern_prototype(const rg_program *p, uint32_t i, char *buf, size_t cap)
{
    const rg_extern *x = &p->externs[i];
    const char *rt = rg_extern_ctype(x->result);
    rg_sb b;
    rg_sb_fixed(&b, buf, cap);
    rg_sb_printf(&b, "%s%s%s(", rt, rt[strlen(rt) - 1] == '*' ? "" : " ", name_of(p, i));
    for (uint32_t k = 0; k < x->n_args; k++)
        rg_sb_printf(&b, "%s%s", k ? ", " : "", rg_extern_ctype(x->args[k]));
    rg_sb_printf(&b, "%s)", x->n_args ? "" : "void");
}

int rg_externs_bind(rg_extern_table *t, uint32_t i, rg_host_fn fn, int with_ctx, char *err, size_t errlen)
{
    if (i >= t->n || !fn)
        return rg_errf(err, errlen, "no host function %u to bind", i);
    const rg_extern *x = &t->prog->externs[i];
    rg_extern_fn *b = &t->fns[i];
    unsigned n = 0;
    if (with_ctx)
        b->atypes[n++] = &ffi_type_pointer;
    for (uint32_t k = 0; k < x->n_args; k++)
        b->atypes[n++] = is_string(x->args[k]) ? &ffi_type_pointer : &ffi_type_sint64;
    ffi_type *rtype = is_string(x->result) ? &ffi_type_pointer : &ffi_type_sint64;
    if (ffi_prep_cif(&b->cif, FFI_DEFAULT_ABI, n, rtype, b->atypes) != FFI_OK)
        return rg_errf(err, errlen, "libffi cannot prepare a call to host function '%s'", name_of(t->prog, i));
    b->fn = fn;
    b->with_ctx = with_ctx;
    return 0;
}

int rg_externs_from_library(rg_extern_table *t, const char *path, char *err, size_t errlen)
{
    if (t->library)
        return rg_errf(err, errlen, "host functions are already bound from a library");
    /* dlopen searches the system's directories for a name without a '/': give a path ("./libhost.so") for one here */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return rg_errf(err, errlen, "cannot load host functions from '%s': %s%s", path, dlerror(),
                       strchr(path, '/') ? "" : " (a name without '/' is looked for in the system's library directories; "
                                             "say ./NAME for a file here)");
    t->library = h;
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->fns[i].fn)
            continue; /* bound already, by the host's own registration */
        const char *name = name_of(t->prog, i);
        dlerror();
        void *sym = dlsym(h, name);
        if (!sym || dlerror()) {
            char sig[200], proto[240];
            rg_extern_signature(t->prog, i, sig, sizeof sig);
            rg_extern_prototype(t->prog, i, proto, sizeof proto);
            return rg_errf(err, errlen,
                           "policy needs host function '%s', which '%s' does not define: the policy declares `extern fn "
                           "%s%s`; define `%s` in the library (extern \"C\", not static)",
                           name, path, name, sig, proto);
        }
        rg_host_fn fn;
        memcpy(&fn, &sym, sizeof fn); /* object pointer to function pointer, as POSIX allows */
        if (rg_externs_bind(t, i, fn, 0, err, errlen))
            return -1;
    }
    return 0;
}

/* ---- the call ---- */

static rg_status call_fail(rg_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static rg_status call_fail(rg_vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->error, sizeof vm->error, fmt, ap);
    va_end(ap);
    return RG_ERR_RUNTIME;
}

/* The value a host returned is one the VM can hold for the declared type. */
static int result_ok(const rg_program *p, uint32_t type, rg_value v)
{
    switch (RG_TYPE_KIND(type)) {
    case RG_T_BOOL: return v == 0 || v == 1;
    case RG_T_ENUM: return v >= 0 && v < (rg_value)p->enums[RG_TYPE_AUX(type)].n_members;
    case RG_T_REGION: return v >= 0 && v < (rg_value)p->n_policies;
    default: return 1;
    }
}

rg_status rg_extern_call(rg_vm *vm, uint32_t i, const rg_value *args, rg_value *out)
{
    const rg_program *p = vm->prog;
    const char *name = name_of(p, i);
    const rg_extern_table *t = vm->externs;
    if (!t || t->prog != p || i >= t->n || !t->fns[i].fn)
        return call_fail(vm, "policy needs host function '%s', which the host did not provide", name);
    const rg_extern *x = &p->externs[i];
    const rg_extern_fn *b = &t->fns[i];
    void *slots[RG_EXTERN_MAX_ARGS + 1];
    const char *strs[RG_EXTERN_MAX_ARGS];
    int64_t ints[RG_EXTERN_MAX_ARGS];
    void *host = vm->host;
    unsigned n = 0;
    if (b->with_ctx)
        slots[n++] = &host;
    for (uint32_t k = 0; k < x->n_args; k++) {
        if (args[k] == RG_NONE)
            return call_fail(vm, "argument %u of host function '%s' is none", k + 1, name);
        if (is_string(x->args[k])) {
            strs[k] = (const char *)(intptr_t)args[k];
            slots[n++] = &strs[k];
        } else {
            ints[k] = args[k];
            slots[n++] = &ints[k];
        }
    }
    /* libffi widens a return value to at least ffi_arg; both kinds here are 64 bits */
    union {
        ffi_arg word;
        int64_t i;
        const char *s;
    } ret = {0};
    vm->error[0] = '\0'; /* regula_ctx_fail writes here during the call */
    ffi_call((ffi_cif *)&b->cif, b->fn, &ret, slots);
    if (vm->error[0]) {
        char msg[sizeof vm->error];
        memcpy(msg, vm->error, sizeof msg);
        msg[sizeof msg - 1] = '\0';
        return call_fail(vm, "host function '%s' failed: %.300s", name, msg);
    }
    rg_value v;
    if (is_string(x->result)) {
        if (!ret.s) {
            v = RG_NONE;
        } else {
            v = rg_vm_intern(vm, ret.s, strlen(ret.s)); /* the host's buffer need not outlive the call */
            if (v == RG_NONE) {
                snprintf(vm->error, sizeof vm->error, "out of memory keeping the string host function '%s' returned", name);
                return RG_ERR_MEMORY;
            }
        }
    } else {
        v = ret.i;
    }
    if (v == RG_NONE) {
        if (!x->result_optional)
            return call_fail(vm, "host function '%s' returned none, but its declaration has no '?'", name);
    } else if (!result_ok(p, x->result, v)) {
        return call_fail(vm, "host function '%s' returned %lld, which is not a value of its declared type", name,
                         (long long)v);
    }
    *out = v;
    return RG_OK;
}
