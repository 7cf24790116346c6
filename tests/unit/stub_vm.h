/* stub_vm.h — for tests of the stdlib layer alone: a hand-built program with the seed pack's claim schema, and stand-ins for the VM calls the claim binder, result writer and ledger store make.
 * Must not be included by library code, nor by more than one file of a test binary (it defines the rg_vm_* functions). */
#ifndef RG_TEST_STUB_VM_H
#define RG_TEST_STUB_VM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "vm.h"

/* ---- a program built by hand ---------------------------------------------------------- */

#define T_MAX_STRINGS 128
#define T_MAX_FIELDS 32

typedef struct {
    rg_program p;
    rg_strent strings[T_MAX_STRINGS];
    char blob[4096];
    const char *str[T_MAX_STRINGS];
    _Alignas(8) char arena[8192]; /* each string after its head, as rg_program_finish lays them out */
    size_t n_arena;
    uint32_t field_end[T_MAX_FIELDS];
    uint32_t member_names[32];
    rg_enum enums[8];
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

/* Adds a field; returns its index. Claim slots are given in order, item slots too. */
static int32_t tp_field(test_program *t, int32_t parent, const char *key, const char *path, rg_type type)
{
    int32_t i = (int32_t)t->p.n_fields++;
    rg_field *f = &t->fields[i];
    memset(f, 0, sizeof *f);
    f->key = tp_str(t, key);
    f->path = tp_str(t, path);
    f->type = type;
    f->parent = parent;
    f->in_list = parent >= 0 && (t->fields[parent].in_list || RG_TYPE_KIND(t->fields[parent].type) == RG_T_LIST);
    f->cond_field = -1;
    f->list = f->message = f->elem_message = RG_NO_INDEX;
    if (RG_TYPE_KIND(type) == RG_T_LIST) {
        f->slot = t->p.n_claim_slots++; /* its number of elements */
        f->list = t->p.n_claim_lists++;
        t->p.list_field = (uint32_t)i;
    } else {
        f->slot = f->in_list ? t->p.n_item_slots++ : t->p.n_claim_slots++;
        if (f->in_list) f->list = t->fields[parent].list;
    }
    return i;
}

enum { E_SCHEME, E_STATUS, E_FILING_KIND, E_VISIT_TYPE, E_REASON };

/* Field indexes of the seed schema. */
enum {
    F_CLAIM_ID, F_PERSON, F_PERSON_ID, F_INSURED, F_SCHEME, F_STATUS, F_ENROLLED, F_FILING,
    F_FILING_KIND, F_FILING_REGION, F_BALANCE, F_INST, F_INST_ID, F_INST_REGION, F_LEVEL,
    F_DESIGNATED, F_SPECIALTY, F_VISIT, F_VISIT_TYPE, F_VISIT_DATE, F_EMERGENCY, F_CARD,
    F_ITEMS, F_ITEM_CODE, F_ITEM_AMOUNT, F__COUNT
};

/* The claim schema of shared/spec/settlement.md section 5, as the compiler lays it out. */
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
    p->list_field = RG_NO_INDEX;

    static const char *const regions[] = {"CN", "LN", "LN-CY", "LN-SY", "LN-LY", "LN-BX", "GZ-GY", "HN-CS", "BJ"};
    for (uint32_t i = 0; i < 9; i++) {
        t->policies[i].name = tp_str(t, regions[i]);
        t->policies[i].parent = i == 0 ? RG_NO_INDEX : i >= 2 && i <= 5 ? 1 : 0;
    }
    p->n_policies = 9;

    static const char *const scheme[] = {"employee", "resident"}, *const status[] = {"working", "retired"},
                             *const kind[] = {"none", "long_term", "temporary"},
                             *const vtype[] = {"outpatient", "inpatient"},
                             *const reason[] = {"OK", "NO_CARD", "NOT_DESIGNATED", "WAITING", "NOT_FILED"};
    tp_enum(t, "scheme", scheme, 2);
    tp_enum(t, "status", status, 2);
    tp_enum(t, "filing_kind", kind, 3);
    tp_enum(t, "visit_type", vtype, 2);
    tp_enum(t, "reason", reason, 5);

    const rg_type STR = RG_TYPE(RG_T_STRING, 0), REG = RG_TYPE(RG_T_REGION, 0), REC = RG_TYPE(RG_T_RECORD, 0),
                  DATE = RG_TYPE(RG_T_DATE, 0), MONEY = RG_TYPE(RG_T_MONEY, 0), BOOL = RG_TYPE(RG_T_BOOL, 0);
    tp_field(t, -1, "claim_id", "claim_id", STR);
    int32_t person = tp_field(t, -1, "person", "person", REC);
    tp_field(t, person, "id", "person.id", STR);
    tp_field(t, person, "insured_region", "person.insured_region", REG);
    tp_field(t, person, "scheme", "person.scheme", RG_TYPE(RG_T_ENUM, E_SCHEME));
    tp_field(t, person, "status", "person.status", RG_TYPE(RG_T_ENUM, E_STATUS));
    tp_field(t, person, "enrolled_on", "person.enrolled_on", DATE);
    int32_t filing = tp_field(t, person, "filing", "person.filing", REC);
    t->fields[filing].optional = 1;
    int32_t fkind = tp_field(t, filing, "kind", "person.filing.kind", RG_TYPE(RG_T_ENUM, E_FILING_KIND));
    int32_t fregion = tp_field(t, filing, "region", "person.filing.region", REG);
    t->fields[fregion].cond_op = 2; /* only when kind != none */
    t->fields[fregion].cond_field = fkind;
    t->fields[fregion].cond_value = 0;
    tp_field(t, person, "account_balance", "person.account_balance", MONEY);
    int32_t inst = tp_field(t, -1, "institution", "institution", REC);
    tp_field(t, inst, "id", "institution.id", STR);
    tp_field(t, inst, "region", "institution.region", REG);
    int32_t level = tp_field(t, inst, "level", "institution.level", RG_TYPE(RG_T_INT, 0));
    t->fields[level].has_range = 1;
    t->fields[level].lo = 1;
    t->fields[level].hi = 3;
    tp_field(t, inst, "designated", "institution.designated", BOOL);
    tp_field(t, inst, "specialty", "institution.specialty", BOOL);
    int32_t visit = tp_field(t, -1, "visit", "visit", REC);
    tp_field(t, visit, "type", "visit.type", RG_TYPE(RG_T_ENUM, E_VISIT_TYPE));
    tp_field(t, visit, "date", "visit.date", DATE);
    tp_field(t, visit, "emergency", "visit.emergency", BOOL);
    tp_field(t, visit, "card", "visit.card", BOOL);
    int32_t items = tp_field(t, -1, "items", "items", RG_TYPE(RG_T_LIST, RG_T_RECORD));
    tp_field(t, items, "code", "items[].code", STR);
    tp_field(t, items, "amount", "items[].amount", MONEY);
    rg_program_field_ends(p, t->field_end);
    p->field_end = t->field_end;
}

/* The claim slot of field f. */
#define TP_SLOT(t, f) ((t)->fields[f].slot)

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
    vm->list_first = calloc(4, sizeof *vm->list_first);
    vm->list_count = calloc(4, sizeof *vm->list_count);
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
    if (vm->list_count) memset(vm->list_count, 0, 4 * sizeof *vm->list_count);
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
    if (list >= 4) return RG_ERR_USAGE;
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
