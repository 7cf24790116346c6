/* stub_vm.h — for tests of the stdlib layer alone: a program with the seed pack's claim schema, taken from the pack itself (policies/, compiled once), in room a test may add outputs, definitions and ledger scopes to; and stand-ins for the VM calls the claim binder, result writer and ledger store make.
 * Must not be included by library code, nor by more than one file of a test binary (it defines the rg_vm_* functions); must not type the schema by hand. */
#ifndef RG_TEST_STUB_VM_H
#define RG_TEST_STUB_VM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "program.h"
#include "vm.h"

/* ---- a program built by hand ---------------------------------------------------------- */

#define T_MAX_STRINGS 256
#define T_MAX_FIELDS 64

/* Field indexes of the seed schema, by what the tests name them (tp_seed finds each by its path). */
enum {
    F_CLAIM_ID, F_PERSON, F_PERSON_ID, F_INSURED, F_SCHEME, F_STATUS, F_ENROLLED, F_FILING,
    F_FILING_KIND, F_FILING_REGION, F_BALANCE, F_INST, F_INST_ID, F_INST_REGION, F_LEVEL,
    F_DESIGNATED, F_SPECIALTY, F_VISIT, F_VISIT_TYPE, F_VISIT_DATE, F_EMERGENCY, F_CARD,
    F_ITEMS, F_ITEM_CODE, F_ITEM_AMOUNT, F__COUNT
};
/* Enumerations of the seed pack the tests name (tp_seed finds each by its name). */
enum { E_SCHEME, E_STATUS, E_FILING_KIND, E_VISIT_TYPE, E_REASON, E__COUNT };

typedef struct {
    rg_program p;
    int32_t f[F__COUNT];          /* field index of each F_ */
    uint32_t e[E__COUNT];         /* enum id of each E_ */
    rg_strent strings[T_MAX_STRINGS];
    char blob[8192];
    const char *str[T_MAX_STRINGS];
    _Alignas(8) char arena[16384]; /* each string after its head, as rg_program_finish lays them out */
    size_t n_arena;
    uint32_t field_end[T_MAX_FIELDS];
    uint32_t member_names[64];
    rg_enum enums[16];
    rg_field fields[T_MAX_FIELDS];
    rg_policy policies[16];
    rg_output outputs[16];
    rg_def defs[16];
    rg_ledger_scope scopes[4];
    uint32_t ledger_keys[8];
    uint32_t ledger_key_types[8];
    rg_ledger_field ledger_fields[8];
} test_program;

static uint32_t tp_str(test_program *t, const char *s)
{
    for (uint32_t i = 0; i < t->p.n_strings; i++)
        if (strcmp(t->str[i], s) == 0) return i;
    size_t len = strlen(s), off = t->p.n_blob;
    if (t->p.n_strings >= T_MAX_STRINGS || off + len + 1 > sizeof t->blob ||
        t->n_arena + rg_str_room(len) > sizeof t->arena)
        abort(); /* the fixture's room: make it bigger */
    uint32_t id = t->p.n_strings++;
    memcpy(t->blob + off, s, len + 1);
    t->p.n_blob += (uint32_t)len + 1;
    t->strings[id].offset = (uint32_t)off;
    t->strings[id].len = (uint32_t)len;
    t->str[id] = rg_str_put(t->arena + t->n_arena, s, (uint32_t)len, rg_str_hash_text(s, len));
    t->n_arena += rg_str_room(len);
    return id;
}

static uint32_t tp_enum(test_program *t, const char *name, const char *const *members, uint32_t n)
{
    uint32_t e = t->p.n_enums++;
    t->enums[e].name = tp_str(t, name);
    t->enums[e].first_member = t->p.n_member_names;
    t->enums[e].n_members = n;
    for (uint32_t i = 0; i < n; i++) t->member_names[t->p.n_member_names++] = tp_str(t, members[i]);
    return e;
}

#ifndef RG_SEED_PACK
#define RG_SEED_PACK "policies" /* the seed pack, from the repository's root, where the tests run */
#endif

/* The seed pack's program, compiled once and kept for the process. */
static const rg_program *tp_seed_pack(void)
{
    static rgc_pack *pk;
    static rg_diag diag;
    if (!pk) {
        rg_diag_init(&diag, stderr);
        pk = rgc_compile(RG_SEED_PACK, &diag);
        if (!pk)
            abort(); /* the seed pack must compile */
    }
    return rgc_pack_program(pk);
}

/* The index of the field at path, or -1. */
static int32_t tp_field_at(const test_program *t, const char *path)
{
    for (uint32_t i = 0; i < t->p.n_fields; i++)
        if (strcmp(t->str[t->fields[i].path], path) == 0) return (int32_t)i;
    return -1;
}

/* The ordinal of member name of enumeration E_ e; aborts when it has none. */
static rg_value tp_member(const test_program *t, int e, const char *name)
{
    const rg_enum *en = &t->enums[t->e[e]];
    for (uint32_t k = 0; k < en->n_members; k++)
        if (strcmp(t->str[t->member_names[en->first_member + k]], name) == 0) return (rg_value)k;
    abort();
}

/* The index of the policy (region) named name; aborts when the pack has none. */
static uint32_t tp_region(const test_program *t, const char *name)
{
    for (uint32_t i = 0; i < t->p.n_policies; i++)
        if (strcmp(t->str[t->policies[i].name], name) == 0) return i;
    abort();
}

/* The seed pack's claim schema, its enumerations and policies (regions), as
 * the compiler laid them out; no outputs, definitions or ledger yet. */
static void tp_seed(test_program *t)
{
    memset(t, 0, sizeof *t);
    rg_program *p = &t->p;
    p->strings = t->strings;
    p->blob = t->blob;
    p->str = t->str;
    p->member_names = t->member_names;
    p->enums = t->enums;
    p->fields = t->fields;
    p->policies = t->policies;
    p->outputs = t->outputs;
    p->defs = t->defs;
    p->ledger_scopes = t->scopes;
    p->ledger_keys = t->ledger_keys;
    p->ledger_key_types = t->ledger_key_types;
    p->ledger_fields = t->ledger_fields;

    const rg_program *s = tp_seed_pack();
    if (s->n_policies > sizeof t->policies / sizeof t->policies[0] || s->n_enums > sizeof t->enums / sizeof t->enums[0] ||
        s->n_member_names > sizeof t->member_names / sizeof t->member_names[0] || s->n_fields > T_MAX_FIELDS)
        abort(); /* the fixture's room: make it bigger */
    for (uint32_t i = 0; i < s->n_policies; i++) {
        t->policies[i].name = tp_str(t, s->str[s->policies[i].name]);
        t->policies[i].parent = s->policies[i].parent;
    }
    p->n_policies = s->n_policies;
    for (uint32_t i = 0; i < s->n_enums; i++) {
        const char *members[32];
        for (uint32_t k = 0; k < s->enums[i].n_members; k++)
            members[k] = s->str[s->member_names[s->enums[i].first_member + k]];
        tp_enum(t, s->str[s->enums[i].name], members, s->enums[i].n_members);
    }
    for (uint32_t i = 0; i < s->n_fields; i++) {
        t->fields[i] = s->fields[i];
        t->fields[i].key = tp_str(t, s->str[s->fields[i].key]);
        t->fields[i].path = tp_str(t, s->str[s->fields[i].path]);
        if (s->fields[i].message != RG_NO_INDEX) t->fields[i].message = tp_str(t, s->str[s->fields[i].message]);
        if (s->fields[i].elem_message != RG_NO_INDEX)
            t->fields[i].elem_message = tp_str(t, s->str[s->fields[i].elem_message]);
    }
    p->n_fields = s->n_fields;
    p->n_claim_slots = s->n_claim_slots;
    p->n_item_slots = s->n_item_slots;
    p->list_field = s->list_field;
    p->n_claim_lists = s->n_claim_lists;
    rg_program_field_ends(p, t->field_end);
    p->field_end = t->field_end;

    static const char *const paths[F__COUNT] = {
        "claim_id", "person", "person.id", "person.insured_region", "person.scheme", "person.status",
        "person.enrolled_on", "person.filing", "person.filing.kind", "person.filing.region", "person.account_balance",
        "institution", "institution.id", "institution.region", "institution.level", "institution.designated",
        "institution.specialty", "visit", "visit.type", "visit.date", "visit.emergency", "visit.card", "items",
        "items[].code", "items[].amount"};
    for (int k = 0; k < F__COUNT; k++)
        if ((t->f[k] = tp_field_at(t, paths[k])) < 0) abort(); /* the tests name a field the pack lacks */
    static const char *const enums[E__COUNT] = {"scheme", "status", "filing_kind", "visit_type", "reason"};
    for (int k = 0; k < E__COUNT; k++) {
        uint32_t i = 0;
        while (i < p->n_enums && strcmp(t->str[t->enums[i].name], enums[k]) != 0) i++;
        if (i == p->n_enums) abort();
        t->e[k] = i;
    }
}

/* ---- the VM calls, stood in for ------------------------------------------------------- */

/* Test controls. */
static rg_value stub_defs[16];            /* value of each definition */
static uint32_t stub_fail_def = RG_NO_INDEX; /* this definition fails */
static int stub_fail_intern;              /* rg_vm_intern runs out of memory */
static int stub_fail_items;               /* rg_vm_reserve_items runs out of memory */
static rg_value stub_keys[4][4];          /* ledger keys per scope */
static rg_value stub_init[8];             /* first values of ledger fields */
static unsigned stub_init_calls;

typedef struct stub_str {
    struct stub_str *next;
    _Alignas(8) char s[]; /* the string with its head (rg_str_put), as the VM's are */
} stub_str;
static stub_str *stub_strings;

rg_vm *rg_vm_new(const rg_program *p)
{
    rg_vm *vm = calloc(1, sizeof *vm);
    if (!vm) return NULL;
    vm->prog = p;
    vm->claim = calloc(p->n_claim_slots ? p->n_claim_slots : 1, sizeof *vm->claim);
    vm->ledger_in = calloc(8, sizeof *vm->ledger_in);
    vm->ledger_out = calloc(8, sizeof *vm->ledger_out);
    vm->list_first = calloc(p->n_claim_lists + 1, sizeof *vm->list_first);
    vm->list_count = calloc(p->n_claim_lists + 1, sizeof *vm->list_count);
    return vm;
}

void rg_vm_reset(rg_vm *vm)
{
    while (stub_strings) {
        stub_str *n = stub_strings->next;
        free(stub_strings);
        stub_strings = n;
    }
    vm->n_items = 0;
    if (vm->list_count) memset(vm->list_count, 0, vm->prog->n_claim_lists * sizeof *vm->list_count);
}

void rg_vm_free(rg_vm *vm)
{
    if (!vm) return;
    rg_vm_reset(vm);
    free(vm->claim);
    free(vm->items);
    free(vm->ledger_in);
    free(vm->ledger_out);
    free(vm->list_first);
    free(vm->list_count);
    free(vm);
}

rg_value rg_vm_intern(rg_vm *vm, const char *s, size_t len)
{
    (void)vm;
    if (stub_fail_intern) return RG_NONE;
    stub_str *n = malloc(sizeof *n + rg_str_room(len));
    if (!n) return RG_NONE;
    const char *d = rg_str_put(n->s, s, (uint32_t)len, rg_str_hash_text(s, len));
    n->next = stub_strings;
    stub_strings = n;
    return (rg_value)(uintptr_t)d;
}

int rg_vm_reserve_items(rg_vm *vm, uint32_t n)
{
    if (stub_fail_items) return RG_ERR_MEMORY;
    if (n > vm->cap_items) {
        size_t slots = vm->prog->n_item_slots ? vm->prog->n_item_slots : 1;
        rg_value *it = realloc(vm->items, (size_t)n * slots * sizeof *it);
        if (!it) return RG_ERR_MEMORY;
        vm->items = it;
        vm->cap_items = n;
    }
    vm->n_items = n;
    return RG_OK;
}

int rg_vm_add_rows(rg_vm *vm, uint32_t list, uint32_t n, uint32_t *first)
{
    if (list >= vm->prog->n_claim_lists) return RG_ERR_USAGE;
    uint32_t at = vm->n_items;
    int st = rg_vm_reserve_items(vm, at + n);
    if (st != RG_OK) return st;
    vm->list_first[list] = at;
    vm->list_count[list] = n;
    *first = at;
    return RG_OK;
}

rg_status rg_vm_eval_def(rg_vm *vm, uint32_t def, rg_value *out)
{
    (void)vm;
    if (def == stub_fail_def) return RG_ERR_RUNTIME;
    *out = stub_defs[def];
    return RG_OK;
}

rg_status rg_vm_eval_outputs(rg_vm *vm, rg_value *out)
{
    for (uint32_t i = 0; i < vm->prog->n_outputs; i++) {
        rg_status st = rg_vm_eval_def(vm, vm->prog->outputs[i].def, &out[i]);
        if (st != RG_OK) return st;
    }
    return RG_OK;
}

rg_status rg_vm_ledger_keys(rg_vm *vm, uint32_t scope, rg_value *keys)
{
    for (uint32_t k = 0; k < vm->prog->ledger_scopes[scope].n_keys; k++) keys[k] = stub_keys[scope][k];
    return RG_OK;
}

rg_status rg_vm_claim_keys(rg_vm *vm, rg_value *keys)
{
    for (uint32_t s = 0; s < vm->prog->n_ledger_scopes; s++)
        rg_vm_ledger_keys(vm, s, keys + vm->prog->ledger_scopes[s].first_key);
    return RG_OK;
}

rg_status rg_vm_ledger_init(rg_vm *vm, uint32_t field, rg_value *out)
{
    (void)vm;
    stub_init_calls++;
    *out = stub_init[field];
    return RG_OK;
}

/* String value of a claim slot / an item slot. */
static inline const char *stub_sval(rg_value v) { return v == RG_NONE ? NULL : (const char *)(uintptr_t)v; }

#endif
