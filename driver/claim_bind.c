/* claim_bind.c — a claim held as JSON (the REPL's current claim, the sample
 * claim the language server shows values on) bound to a VM and begun on an
 * empty ledger: how the tools that look inside a settlement start one. */
#include <stdlib.h>

#include "driver.h"
#include "rg_stdlib.h"
#include "i18n.h"

rg_status rgd_bind_json(rg_vm *vm, const json_t *claim, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = rgd_claim_text(claim, &len);
    rg_claim_reader *rd = text ? rg_claim_reader_new(vm->prog, NULL) : NULL;
    rg_status s = rd ? rg_claim_read(rd, vm, text, len, 0, err, errlen, NULL) : RG_ERR_MEMORY;
    if (!rd)
        snprintf(err, errlen, _("out of memory"));
    rg_claim_reader_free(rd);
    free(text);
    return s;
}

rg_status rgd_begin_empty(rg_vm *vm)
{
    rg_status s = rg_vm_begin(vm);
    if (s == RG_OK) {
        rg_ledger_store *ls = rg_ledger_store_new(vm->prog);
        s = ls ? rg_ledger_store_load(ls, vm, NULL) : RG_ERR_MEMORY;
        rg_ledger_store_free(ls);
    }
    return s;
}
