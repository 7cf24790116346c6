/* api_impl.h — what the files of the embedding API (api/api.c, api/api_claim.c) share: the structures behind include/regula.h's opaque handles and the claim state machine.
 * Must not be included outside the API files: everything else reaches the library through include/regula.h or the layers' own headers. */
#ifndef RG_API_IMPL_H
#define RG_API_IMPL_H

#include <stdio.h>

#include "externs.h"
#include "regula.h"
#include "rg_stdlib.h"
#include "vm.h"

struct regula_pack {
    regula_allocator alloc;   /* the host's, or the C library's: never NULL functions */
    rg_program *prog;         /* read-only once loaded: shared by every context */
    rg_extern_table *externs; /* bound host functions, NULL when the pack declares none */
    uint64_t budget;          /* default per claim (the VM's convention: 0 = unlimited) */
    size_t memory_limit;
    char native_why[400];     /* why the plans have no native code, "" when they have */
    size_t image_len;         /* the image loaded: its length and header, which */
    unsigned char image_head[48]; /* regula_pack_native_attach compares (RG_HDR_SIZE) */
};

/* Attach native code to pk's program when the host or REGULA_NATIVE asks
 * (api_native.c); why not, in pk->native_why. */
void rg_api_pack_native(regula_pack *pk, const void *image, size_t len, int option);

/* Where a context's claim is. */
typedef enum {
    CLAIM_NONE,     /* nothing bound yet */
    CLAIM_BUILDING, /* regula_claim_new, fields being set */
    CLAIM_BOUND,    /* checked and begun: keys known, ledger being given */
    CLAIM_SETTLED,  /* outputs and ledger updates computed */
    CLAIM_FAILED    /* the claim failed: claim_status and errmsg say why, until the next claim */
} claim_state;

struct regula_ctx {
    const regula_pack *pack;
    rg_vm *vm;                /* allocates through ctx_mem (below), so within the memory limit */
    regula_allocator alloc;
    size_t in_use, limit;     /* bytes held through ctx_mem; limit 0 = none */
    void *userdata;
    int explain, explained;

    claim_state state;
    regula_status claim_status; /* CLAIM_FAILED: what the claim failed with */
    long line;                /* > 0: messages and error lines as `regula run` words them */
    int have_policy;          /* the claim's policy was chosen (vm->policy) */
    const char *claim_id;     /* for error lines (a claim string), or NULL */
    uint64_t serial;          /* claims begun: pairs a regula_ledger load with its commit */
    int keys_ready;           /* keys[] made for the bound claim (made on the ledger's first use) */
    rg_ledger_keys *ledger_keys; /* keys[] encoded for an in-memory ledger ahead of its load
                              * (regula_ledger_prefetch; malloc's, as the ledger's) */
    int ledger_keys_ready;    /* ledger_keys made for the bound claim */
    rg_value *outs;           /* n_outputs values after settling */
    rg_value *keys;           /* n_ledger_keys: each scope's key parts for the bound claim */
    uint8_t *given;           /* n_ledger_fields: the host gave the field's value */
    int all_given;            /* every field given at once (regula_ledger_load) */
    uint32_t trace_mark;      /* trace entries made by the outputs (`regula run --explain` stops there) */

    rg_claim_reader *reader;  /* JSON claims in (stdlib/json_scan.c), made on first use */
    rg_result_form *form;     /* the result line's keys, written once */
    char *json;               /* the last JSON text out (result, error or explanation line) */
    size_t n_json, cap_json;
    char errmsg[700];
};

/* The context's VM, for the tools above the API that look inside a
 * settlement (`regula test --coverage` attaches its counters). */
static inline rg_vm *rg_api_ctx_vm(regula_ctx *c)
{
    return c->vm;
}

/* The context's allocator as the VM's rg_alloc function (ud = the context). */
void *rg_api_ctx_mem(void *ud, void *ptr, size_t size);

/* Record a failure message on the context; returns st. */
regula_status rg_api_fail(regula_ctx *c, regula_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The claim failed: message prefixed with "line N: " when the context has a
 * line; the state becomes CLAIM_FAILED. Returns st. */
regula_status rg_api_claim_fail(regula_ctx *c, regula_status st, const char *msg);
/* Choose the policy and as-of date of the bound claim and check it (the
 * policies' own rules): CLAIM_BOUND, or the claim's failure. Its ledger keys
 * come when the ledger is first asked about (rg_api_need_bound). */
regula_status rg_api_begin_claim(regula_ctx *c);
/* The claim in the state the ledger calls and settling need (a built claim
 * is finished first, the keys made): RG_OK, or the claim's failure or a
 * usage error. Every ledger call and the settle ask, so the answer for a
 * claim already there takes no call. */
regula_status rg_api_make_bound(regula_ctx *c, const char *what);
static inline regula_status rg_api_need_bound(regula_ctx *c, const char *what)
{
    return c->state == CLAIM_BOUND && c->keys_ready ? REGULA_OK : rg_api_make_bound(c, what);
}

#endif
