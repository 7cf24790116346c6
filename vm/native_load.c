/* native_load.c — a pack's native object (native/, vm/native_abi.h) loaded
 * beside the verified program it was generated from, and the helpers the VM
 * lends it. Must attach an object only to the program whose image it names
 * (its identity, its counts, the ABI), and only after that program was
 * verified: the native code trusts what the verifier proved. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_abi.h"
#include "text.h"
#include "values.h"
#include "vm.h"

static rg_value host_to_text(rg_vm *vm, uint32_t type, rg_value v)
{
    char text[128]; /* as TO_TEXT (vm/interp.c) */
    int n = rg_value_text(vm->prog, type, v, text, sizeof text);
    return rg_vm_intern(vm, text, (size_t)n);
}

static const rg_native_host host = {rg_pct_wide, rg_catalog_find, host_to_text, rg_vm_concat};

int rg_native_attach(rg_program *p, const char *path, const uint8_t *id, char *err,
                     size_t errlen)
{
    if (p->native)
        return rg_errf(err, errlen, "the pack already has native code");
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        return rg_errf(err, errlen, "cannot load native code '%s': %s", path, why ? why : "?");
    }
    const rg_native_info *info = dlsym(dl, RG_NATIVE_SYM_INFO);
    rg_native_init_fn init = (rg_native_init_fn)dlsym(dl, RG_NATIVE_SYM_INIT);
    rg_native_plan_fn plan = (rg_native_plan_fn)dlsym(dl, RG_NATIVE_SYM_PLAN);
    rg_native_outputs_fn outputs = (rg_native_outputs_fn)dlsym(dl, RG_NATIVE_SYM_OUTPUTS);
    struct rg_native *n = NULL;
    if (!info || !init || !plan || !outputs) {
        rg_errf(err, errlen, "'%s' is not a pack's native code", path);
        goto fail;
    }
    if (info->abi != RG_NATIVE_ABI || info->n_policies != p->n_policies || info->n_chunks != p->n_chunks ||
        memcmp(info->id, id, RG_NATIVE_ID_BYTES) != 0) {
        rg_errf(err, errlen, "'%s' was generated from another pack or by another regula", path);
        goto fail;
    }
    n = malloc(sizeof *n);
    if (!n || init(&host) != 0) {
        rg_errf(err, errlen, "native code '%s' did not start", path);
        goto fail;
    }
    n->handle = dl;
    n->plan = plan;
    n->outputs = outputs;
    p->native = n;
    return 0;
fail:
    free(n);
    dlclose(dl);
    return -1;
}

void rg_native_detach(rg_program *p)
{
    struct rg_native *n = (struct rg_native *)p->native;
    if (!n)
        return;
    p->native = NULL;
    dlclose(n->handle);
    free(n);
}
