/* interp.c — the bytecode interpreter and the evaluation context: binds
 * nothing itself (stdlib does), evaluates definitions once per claim, runs
 * ledger updates, reports runtime errors with their policy source line.
 * Allocates only when a context grows to a larger claim than it has seen. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "externs.h"
#include "opcodes.h"
#include "values.h"
#include "vm.h"

typedef struct strblock {
    struct strblock *next;
    size_t cap;
    _Alignas(8) char data[]; /* strings with their heads (rg_str_put), 8-aligned */
} strblock;

/* A definition being computed, and where its reader continues. */
struct rg_frame {
    const uint8_t *ip;     /* the reader's next instruction */
    const uint8_t *code;   /* the reader's chunk */
    rg_value *locals;      /* the reader's locals */
    uint32_t chunk;        /* the reader's chunk id */
    int32_t row;           /* the reader's item row */
    uint32_t slot;         /* the definition computed (its item row is the
                            * callee's row) */
    rg_value *val;         /* where its value goes */
    uint8_t *st;           /* its state: 1 while computing */
};

/* Zeroed memory from the context's allocator. */
static void *zalloc(const rg_alloc *a, size_t n)
{
    void *q = rg_mem(a, NULL, n);
    if (q)
        memset(q, 0, n);
    return q;
}

rg_vm *rg_vm_new(const rg_program *p)
{
    return rg_vm_new_alloc(p, NULL);
}

rg_vm *rg_vm_new_alloc(const rg_program *p, const rg_alloc *alloc)
{
    rg_alloc a = alloc ? *alloc : (rg_alloc){0};
    rg_vm *vm = zalloc(&a, sizeof *vm);
    if (!vm)
        return NULL;
    vm->alloc = a;
    vm->prog = p;
    uint32_t need = 0;
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        uint32_t n = (uint32_t)p->chunks[i].n_locals + p->chunks[i].max_stack;
        if (n > need)
            need = n;
    }
    vm->max_depth = 2 * p->n_defs + 16;
    vm->stack_cap = need * (vm->max_depth + 1) + 16;
    vm->stack = rg_mem(&a, NULL, vm->stack_cap * sizeof *vm->stack);
    vm->claim = vm->own_claim = zalloc(&a, (p->n_claim_slots + 1) * sizeof *vm->claim);
    vm->defs = zalloc(&a, (p->n_defs + 1) * sizeof *vm->defs);
    vm->def_state = zalloc(&a, p->n_defs + 1);
    vm->ledger_in = zalloc(&a, (p->n_ledger_fields + 1) * sizeof *vm->ledger_in);
    vm->ledger_out = zalloc(&a, (p->n_ledger_fields + 1) * sizeof *vm->ledger_out);
    vm->frames = rg_mem(&a, NULL, ((size_t)vm->max_depth + 1) * sizeof *vm->frames);
    vm->list_first = zalloc(&a, (p->n_claim_lists + 1) * sizeof *vm->list_first);
    vm->list_count = zalloc(&a, (p->n_claim_lists + 1) * sizeof *vm->list_count);
    vm->cap_strbuf = 0;
    if (!vm->stack || !vm->claim || !vm->defs || !vm->def_state || !vm->ledger_in || !vm->ledger_out ||
        !vm->frames || !vm->list_first || !vm->list_count) {
        rg_vm_free(vm);
        return NULL;
    }
    /* each scope whose every key is a claim field or a field's year: read in one loop */
    vm->key_src = zalloc(&a, (p->n_ledger_keys + 1) * sizeof *vm->key_src);
    vm->scope_cost = zalloc(&a, (p->n_ledger_scopes + 1) * sizeof *vm->scope_cost);
    if (!vm->key_src || !vm->scope_cost) {
        rg_vm_free(vm);
        return NULL;
    }
    for (uint32_t i = 0; i < p->n_ledger_scopes; i++) {
        const rg_ledger_scope *s = &p->ledger_scopes[i];
        for (uint32_t k = 0; k < s->n_keys && vm->scope_cost[i] != UINT64_MAX; k++) {
            const uint32_t chunk = p->ledger_keys[s->first_key + k];
            const rg_chunk_rt *c = chunk < p->n_chunks ? &p->chunk_rt[chunk] : NULL;
            if (!c || !c->field) {
                vm->scope_cost[i] = UINT64_MAX;
                break;
            }
            vm->key_src[s->first_key + k] = (c->field - 1) << 1 | (c->year ? 1 : 0);
            vm->scope_cost[i] += c->cost;
        }
    }
    /* the policies whose claims read every key in one loop: the scopes' keys in order, each direct, each
     * scope owned by the policy or an ancestor */
    vm->keys_direct = zalloc(&a, p->n_policies + 1);
    if (!vm->keys_direct) {
        rg_vm_free(vm);
        return NULL;
    }
    int in_order = 1;
    for (uint32_t i = 0, next = 0; i < p->n_ledger_scopes; next += p->ledger_scopes[i++].n_keys)
        in_order &= p->ledger_scopes[i].first_key == next && vm->scope_cost[i] != UINT64_MAX &&
                    vm->scope_cost[i] <= UINT64_MAX / 2 / (p->n_ledger_scopes + 1);
    for (uint32_t i = 0; in_order && i < p->n_ledger_scopes; i++)
        vm->keys_cost += vm->scope_cost[i];
    for (uint32_t pol = 0; in_order && pol < p->n_policies; pol++) {
        vm->keys_direct[pol] = 1;
        for (uint32_t i = 0; i < p->n_ledger_scopes; i++)
            vm->keys_direct[pol] &= rg_policy_within(p, pol, p->ledger_scopes[i].owner);
    }
    for (uint32_t i = 0; i < p->n_outputs; i++)
        if (RG_TYPE_KIND(p->outputs[i].type) == RG_T_DATE) {
            if (vm->date_outputs_end == 0)
                vm->date_outputs_first = i;
            vm->date_outputs_end = i + 1;
        }
    vm->budget = 10000000;
    return vm;
}

static void free_strblocks(const rg_alloc *a, strblock *b)
{
    while (b) {
        strblock *n = b->next;
        rg_mem(a, b, 0);
        b = n;
    }
}

void rg_vm_free(rg_vm *vm)
{
    if (!vm)
        return;
    rg_alloc a = vm->alloc;
    void *blocks[] = {vm->stack, vm->own_claim, vm->own_items, vm->defs, vm->def_state, vm->idefs,
                      vm->idef_state, vm->ledger_in, vm->ledger_out, vm->trace, vm->frames,
                      vm->list_first, vm->list_count, vm->key_src, vm->scope_cost, vm->keys_direct};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        rg_mem(&a, blocks[i], 0);
    free_strblocks(&a, (strblock *)vm->strbuf);
    rg_mem(&a, vm, 0);
}

void rg_vm_reset(rg_vm *vm)
{
    strblock *b = (strblock *)vm->strbuf;
    if (b && b->next) {
        /* keep the newest (largest) block only */
        free_strblocks(&vm->alloc, b->next);
        b->next = NULL;
    }
    vm->n_strbuf = 0;
    vm->claim = vm->own_claim;
    vm->items = vm->own_items;
    vm->n_items = 0;
    memset(vm->list_count, 0, vm->prog->n_claim_lists * sizeof *vm->list_count);
    vm->n_trace = 0;
    vm->error[0] = '\0';
    vm->error_line = vm->error_file = 0;
    vm->used = 0;
    vm->depth = 0;
}

rg_value rg_vm_intern(rg_vm *vm, const char *s, size_t len)
{
    if (len > UINT32_MAX - 16)
        return RG_NONE;
    uint32_t hash = rg_str_hash_text(s, len);
    const char *own = rg_program_string(vm->prog, s, len, hash); /* a catalog key, a literal: no copy */
    if (own)
        return (rg_value)(intptr_t)own;
    size_t room = rg_str_room(len);
    strblock *b = (strblock *)vm->strbuf;
    if (!b || vm->n_strbuf + room > b->cap) {
        size_t cap = b ? b->cap * 2 : 4096;
        while (cap < room)
            cap *= 2;
        strblock *nb = rg_mem(&vm->alloc, NULL, sizeof *nb + cap);
        if (!nb)
            return RG_NONE;
        nb->cap = cap;
        nb->next = b;
        vm->strbuf = (char *)nb;
        vm->cap_strbuf = cap;
        vm->n_strbuf = 0;
        b = nb;
    }
    const char *d = rg_str_put(b->data + vm->n_strbuf, s, (uint32_t)len, hash);
    vm->n_strbuf += room;
    return (rg_value)(intptr_t)d;
}

rg_value rg_vm_concat(rg_vm *vm, const char *x, const char *y)
{
    size_t nx = strlen(x), ny = strlen(y);
    char small[512];
    char *buf = nx + ny < sizeof small ? small : rg_mem(&vm->alloc, NULL, nx + ny + 1);
    if (!buf)
        return RG_NONE;
    memcpy(buf, x, nx);
    memcpy(buf + nx, y, ny);
    rg_value v = rg_vm_intern(vm, buf, nx + ny);
    if (buf != small)
        rg_mem(&vm->alloc, buf, 0);
    return v;
}

int rg_vm_reserve_items(rg_vm *vm, uint32_t n)
{
    const rg_program *p = vm->prog;
    if (n > (1u << 24))
        return RG_ERR_MEMORY; /* a claim of more than 16M items is refused, not wrapped */
    if (n > vm->cap_items) {
        uint32_t cap = vm->cap_items ? vm->cap_items : 8;
        while (cap < n)
            cap *= 2;
        rg_value *items = rg_mem(&vm->alloc, vm->own_items, ((size_t)cap * p->n_item_slots + 1) * sizeof *items);
        if (!items)
            return RG_ERR_MEMORY;
        if (vm->items == vm->own_items)
            vm->items = items;
        vm->own_items = items;
        rg_value *idefs = rg_mem(&vm->alloc, vm->idefs, ((size_t)cap * p->n_item_defs + 1) * sizeof *idefs);
        if (!idefs)
            return RG_ERR_MEMORY;
        vm->idefs = idefs;
        uint8_t *st = rg_mem(&vm->alloc, vm->idef_state, (size_t)cap * p->n_item_defs + 1);
        if (!st)
            return RG_ERR_MEMORY;
        vm->idef_state = st;
        vm->cap_items = cap;
    }
    vm->n_items = n;
    return RG_OK;
}

int rg_vm_add_rows(rg_vm *vm, uint32_t list, uint32_t n, uint32_t *first)
{
    if (list >= vm->prog->n_claim_lists)
        return RG_ERR_USAGE;
    uint32_t at = vm->n_items;
    if (n > (1u << 24) - at)
        return RG_ERR_MEMORY; /* more than 16M rows in all: refused, not wrapped */
    int st = rg_vm_reserve_items(vm, at + n);
    if (st != RG_OK)
        return st;
    vm->list_first[list] = at;
    vm->list_count[list] = n;
    *first = at;
    return RG_OK;
}

int rg_vm_bind_slots(rg_vm *vm, rg_value *claim, rg_value *items, const uint32_t *list_count)
{
    uint32_t first;
    vm->n_items = 0;
    for (uint32_t k = 0; k < vm->prog->n_claim_lists; k++) {
        int st = rg_vm_add_rows(vm, k, list_count[k], &first); /* the per-item memo's room */
        if (st != RG_OK)
            return st;
    }
    vm->claim = claim;
    vm->items = items;
    return RG_OK;
}

/* ---- errors ---- */

static rg_status fail(rg_vm *vm, uint32_t code_off, rg_status st, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t file = 0;
    uint32_t line = rg_program_line(vm->prog, code_off, &file);
    vm->error_line = line;
    vm->error_file = file;
    if (line)
        snprintf(vm->error, sizeof vm->error, "%s at %s:%u", msg, vm->prog->str[file], line);
    else
        snprintf(vm->error, sizeof vm->error, "%s", msg);
    return st;
}

static void trace(rg_vm *vm, uint32_t kind, uint32_t index, uint32_t chunk, int32_t row, rg_value v)
{
    if (vm->cover) {
        if (kind == 0 && chunk < vm->cover->n_chunks)
            vm->cover->chunk_hits[chunk]++;
        else if (kind == 1 && index < vm->cover->n_notes)
            vm->cover->note_hits[index]++;
    }
    if (vm->n_trace == vm->cap_trace) {
        uint32_t cap = vm->cap_trace ? vm->cap_trace * 2 : 256;
        rg_trace_ent *t = rg_mem(&vm->alloc, vm->trace, cap * sizeof *t);
        if (!t)
            return;
        vm->trace = t;
        vm->cap_trace = cap;
    }
    rg_trace_ent *e = &vm->trace[vm->n_trace++];
    e->kind = kind;
    e->index = index;
    e->chunk = chunk;
    e->row = row;
    e->value = v;
}

/* ---- the interpreter ----
 * One loop runs a chunk and every definition it needs: reading a definition
 * not yet computed pushes a frame (no C recursion) and continues in the
 * definition's chunk; its RET stores the value, pops the frame and pushes the
 * value for the reader. Dispatch is threaded (GCC's labels as values) unless
 * RG_VM_SWITCH is defined or the compiler lacks them: then it is a switch.
 * The instruction budget is a local count-down, written back on the way out. */

#if defined(__GNUC__) && !defined(RG_VM_SWITCH)
#define RG_THREADED 1
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static inline uint32_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v); /* the image is little-endian, as is every supported target */
    return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static rg_status exec(rg_vm *vm, uint32_t chunk, int32_t row, rg_value *result, uint32_t *ran, rg_value *outs);

/* Value of definition slot for item row (-1: claim-level), evaluated at most
 * once per claim; at is the code offset errors are reported at. */
static rg_status eval_def(rg_vm *vm, uint32_t slot, int32_t row, rg_value *out, uint32_t at)
{
    const rg_program *p = vm->prog;
    const rg_def *d = &p->defs[slot];
    rg_value *val;
    uint8_t *st;
    if (d->per_item) {
        if (row < 0 || (uint32_t)row >= vm->n_items)
            return fail(vm, at, RG_ERR_RUNTIME, "item row %d out of range", (int)row);
        size_t k = (size_t)row * p->n_item_defs + d->item_index;
        val = &vm->idefs[k];
        st = &vm->idef_state[k];
    } else {
        val = &vm->defs[slot];
        st = &vm->def_state[slot];
        row = -1;
    }
    if (*st == 2) {
        *out = *val;
        return RG_OK;
    }
    if (*st == 1)
        return fail(vm, at, RG_ERR_RUNTIME, "definition '%s' depends on itself", p->str[d->name]);
    *st = 1;
    uint32_t chunk = p->vtable[p->policies[vm->policy].vtable + slot], ran = chunk;
    rg_status s = exec(vm, chunk, row, val, &ran, NULL);
    if (s != RG_OK) {
        *st = 0;
        return s;
    }
    *st = 2;
    *out = *val;
    if (vm->explain)
        trace(vm, 0, slot, ran, row, *val);
    return RG_OK;
}

#define POP() (*--sp)
#define PUSH(v) (*sp++ = (v))
#define OFF() (ip == outputs_code ? out_at : (uint32_t)(ip - p->code))
#define FAIL_AT(st_, ...)                                    \
    do {                                                     \
        status = fail(vm, OFF(), (st_), __VA_ARGS__);        \
        goto out;                                            \
    } while (0)
#define ARITH_FAIL(what) FAIL_AT(RG_ERR_RUNTIME, "arithmetic overflow in %s", what)
/* local l += v (a sum), overflow is an error */
#define ACC_INTO(l, v)                                              \
    do {                                                            \
        uint32_t l_ = (l);                                          \
        if (UNLIKELY(rg_add(locals[l_], (v), &r) || r == RG_NONE)) \
            ARITH_FAIL("+");                                        \
        locals[l_] = r;                                             \
    } while (0)
/* v = the row that row source src names (the frame's row, or a local), checked */
#define ITEM_ROW(v, src)                                                                   \
    do {                                                                                   \
        (v) = (src) == RG_ROW_OF_FRAME ? row : locals[(src)];                              \
        if (UNLIKELY((uint64_t)(v) >= n_items))                                            \
            FAIL_AT(RG_ERR_RUNTIME, "row %lld out of range (the claim has %u rows)",        \
                    (long long)(v), n_items);                                              \
    } while (0)

/* v = field f of row r: absent when r is (an element that is not there) */
#define ROW_FIELD(v, f, r)                                                 \
    do {                                                                   \
        rg_value rr_ = (r);                                                \
        if (UNLIKELY((uint64_t)rr_ >= n_items)) {                          \
            if (rr_ != RG_NONE)                                            \
                FAIL_AT(RG_ERR_RUNTIME, "no current item");                \
            (v) = RG_NONE;                                                 \
        } else                                                             \
            (v) = vm->items[(size_t)rr_ * p->n_item_slots + (f)];          \
    } while (0)

/* v = item field f of the row that row source src names (LOAD_IFIELD, IFIELD_ACC_ADD) */
#define IFIELD_OF(v, f, src)                                               \
    do {                                                                   \
        uint32_t src_ = (src);                                             \
        ROW_FIELD(v, f, src_ == RG_ROW_OF_FRAME ? row : locals[src_]);     \
    } while (0)

/* The claim list an element row r belongs to is l: else a runtime error. */
#define ROW_OF_LIST(r, l)                                                               \
    do {                                                                                \
        if (UNLIKELY((uint64_t)(r) - vm->list_first[l] >= vm->list_count[l]))            \
            FAIL_AT(RG_ERR_RUNTIME, "row %lld is no element of list %u", (long long)(r), \
                    (unsigned)(l));                                                     \
    } while (0)

/* Column col of the catalog row x (absent if x is); strings as pointers. The
 * verifier made sure x is a row of the operand's catalog and col one of its columns. */
static inline rg_value cat_cell(uint32_t col, rg_value x)
{
    if (x == RG_NONE)
        return RG_NONE;
    return rg_row_cells(x)[col];
}

/* The row of catalog cat for policy (region) pol whose key is the string key,
 * or absent. */
static inline rg_value find_row(const rg_program *p, uint32_t cat, rg_value pol, rg_value key)
{
    if (pol < 0 || (uint64_t)pol >= p->n_policies || key == RG_NONE)
        return RG_NONE;
    const char *k = (const char *)(intptr_t)key;
    if (LIKELY(rg_program_owns(p, k))) /* cat: a verified operand */
        return rg_catalog_find_owned(p, cat, (uint32_t)pol, k);
    return rg_catalog_find(p, cat, (uint32_t)pol, k);
}

/* Built with -DRG_VM_OPSTATS, the interpreter counts each opcode and each pair
 * of consecutive opcodes and prints the counts at exit (docs/performance.md:
 * how the superinstructions were chosen). */
#ifdef RG_VM_OPSTATS
static unsigned long long op_count[256], pair_count[256][256];
static unsigned op_prev;
static void opstats_dump(void)
{
    for (unsigned i = 0; i < RG_OP__COUNT; i++)
        if (op_count[i])
            fprintf(stderr, "op %-14s %llu\n", rg_opinfo_table[i].name, op_count[i]);
    for (unsigned i = 0; i < RG_OP__COUNT; i++)
        for (unsigned j = 0; j < RG_OP__COUNT; j++)
            if (pair_count[i][j])
                fprintf(stderr, "pair %s %s %llu\n", rg_opinfo_table[i].name, rg_opinfo_table[j].name, pair_count[i][j]);
}
static void opstats(unsigned op)
{
    static int registered;
    if (!registered)
        registered = atexit(opstats_dump) == 0;
    op_count[op]++;
    pair_count[op_prev][op]++;
    op_prev = op;
}
#define OPSTATS() opstats(*ip)
#else
#define OPSTATS() ((void)0)
#endif

/* The budget is charged a chunk's instruction count when the chunk is entered
 * and again at every backward jump inside it: an upper bound of the
 * instructions run (code between two backward jumps runs each instruction at
 * most once), checked off the per-instruction path. */
#define CHARGE(n)                      \
    do {                               \
        if (UNLIKELY(left < (n)))      \
            goto budget_out;           \
        left -= (n);                   \
    } while (0)

#ifdef RG_THREADED
#define TARGET(op) L_##op:
#define DISPATCH()                         \
    do {                                   \
        OPSTATS();                         \
        goto *labels[*ip];                 \
    } while (0)
#else
#define TARGET(op) case RG_OP_##op:
#define DISPATCH() goto next
#endif
/* Continue at chunk offset t; a jump back charges the chunk again. */
#define JUMP_TO(t)                                     \
    do {                                               \
        const uint8_t *to_ = code + (t);               \
        if (UNLIKELY(to_ <= ip))                       \
            CHARGE(p->chunk_rt[chunk].cost);           \
        ip = to_;                                      \
        DISPATCH();                                    \
    } while (0)
#define NEXT(n)        \
    do {               \
        ip += (n);     \
        DISPATCH();    \
    } while (0)

/* The outputs of a claim are read in one run of the interpreter (not one run
 * each): the reader is this one-instruction pseudo-chunk, whose OUTPUTS
 * instruction stores the value a definition returned to it and reads the next
 * output. Its opcode is no opcode of a pack (the verifier refuses it). */
#define RG_OP_OUTPUTS_ 255
_Static_assert(RG_OP__COUNT <= RG_OP_OUTPUTS_, "OUTPUTS is an internal opcode");
static const uint8_t outputs_code[1] = {RG_OP_OUTPUTS_};

/* Threaded dispatch pays only when each handler keeps its own indirect jump
 * (so the branch predictor learns what follows what): GCC must not merge the
 * handlers' identical tails into one shared jump. */
#if defined(RG_THREADED) && !defined(__clang__)
__attribute__((optimize("no-crossjumping", "no-gcse")))
#endif
static rg_status exec(rg_vm *vm, uint32_t chunk, int32_t row, rg_value *result, uint32_t *ran, rg_value *outs)
{
#ifdef RG_THREADED
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const labels[256] = {
        [0 ... 255] = &&L__BAD,
#define RG_X_LABEL(name, ...) [RG_OP_##name] = &&L_##name,
        RG_OPCODES(RG_X_LABEL)
#undef RG_X_LABEL
        [RG_OP_OUTPUTS_] = &&L__OUTPUTS,
    };
#pragma GCC diagnostic pop
#endif
    const rg_program *p = vm->prog;
    const rg_chunk *ch = &p->chunks[chunk];
    rg_value *const stack_end = vm->stack + vm->stack_cap;
    rg_value *locals = vm->stack + vm->stack_top;
    if (locals + ch->n_locals + ch->max_stack > stack_end)
        return fail(vm, ch->start, RG_ERR_RUNTIME, "evaluation stack exhausted");
    rg_value *sp = locals + ch->n_locals;
    const uint8_t *code = p->code + ch->start;
    const uint8_t *ip = code;
    uint32_t out_i = 0, out_at = 0; /* outputs mode: the next output, where its errors are reported */
    if (outs) {
        sp = locals;
        code = ip = outputs_code;
    }
    struct rg_frame *const frames = vm->frames;
    const uint32_t *const vtable = p->vtable + p->policies[vm->policy].vtable; /* the claim's policy */
    const rg_chunk_rt *const crt = p->chunk_rt;
    const uint32_t *const def_item = p->def_item;
    const uint32_t n_items = vm->n_items, n_item_defs = p->n_item_defs;
    /* frames this call may push: the context's nesting limit */
    struct rg_frame *const frames_end = frames + (vm->max_depth > vm->depth + 1 ? vm->max_depth - vm->depth - 1 : 0);
    struct rg_frame *fp = frames; /* the next free frame: this call pushed fp - frames frames */
    uint64_t start = vm->budget ? (vm->used < vm->budget ? vm->budget - vm->used : 0) : UINT64_MAX;
    uint64_t left = start;
    rg_status status = RG_OK;
    rg_value a, b, r;
    /* the pending read of a definition (LOAD_DEF, LOAD_IDEF): its slot, item
     * row (-1: claim-level), instruction length, and where its value and
     * state are */
    uint32_t call_slot;
    int32_t call_row;
    unsigned call_len;
    rg_value *call_val;
    uint8_t *call_st;

    if (!outs)
        CHARGE(crt[chunk].cost);
    DISPATCH();
#ifndef RG_THREADED
next:
    OPSTATS();
    switch (*ip) {
#endif

    TARGET(NOP)
        NEXT(1);
    TARGET(PUSH_INT)
        PUSH((int32_t)rd32(ip + 1));
        NEXT(5);
    TARGET(PUSH_CONST)
        PUSH(p->consts[rd16(ip + 1)]);
        NEXT(3);
    TARGET(PUSH_STR)
        PUSH((rg_value)(intptr_t)p->str[rd32(ip + 1)]);
        NEXT(5);
    TARGET(PUSH_NONE)
        PUSH(RG_NONE);
        NEXT(1);
    TARGET(POP)
        sp--;
        NEXT(1);
    TARGET(DUP)
        a = sp[-1];
        PUSH(a);
        NEXT(1);
    TARGET(LOAD_LOCAL)
        PUSH(locals[rd16(ip + 1)]);
        NEXT(3);
    TARGET(STORE_LOCAL)
        locals[rd16(ip + 1)] = POP();
        NEXT(3);
    TARGET(LOAD_FIELD)
        PUSH(vm->claim[rd16(ip + 1)]);
        NEXT(3);
    TARGET(LOAD_IFIELD)
        IFIELD_OF(a, rd16(ip + 1), rd16(ip + 3));
        PUSH(a);
        NEXT(5);
    TARGET(LOAD_DEF) {
        /* the memo first: most reads find the value computed */
        call_slot = rd16(ip + 1);
        if (LIKELY(vm->def_state[call_slot] == 2)) {
            PUSH(vm->defs[call_slot]);
            NEXT(3);
        }
        call_len = 3;
        goto call_def;
    }
    TARGET(LOAD_IDEF) {
        /* the verifier made sure the definition is per-item */
        call_slot = rd16(ip + 1);
        uint32_t src = rd16(ip + 3);
        rg_value v;
        if (UNLIKELY(src != RG_ROW_OF_FRAME && locals[src] == RG_NONE)) {
            PUSH(RG_NONE); /* of an element that is not there */
            NEXT(5);
        }
        ITEM_ROW(v, src);
        size_t k = (size_t)v * n_item_defs + def_item[call_slot];
        if (LIKELY(vm->idef_state[k] == 2)) {
            PUSH(vm->idefs[k]);
            NEXT(5);
        }
        call_row = (int32_t)v;
        call_len = 5;
        call_val = &vm->idefs[k];
        call_st = &vm->idef_state[k];
        goto enter;
    }
    TARGET(LOAD_LEDGER)
        PUSH(vm->ledger_in[rd16(ip + 1)]);
        NEXT(3);
    TARGET(LOAD_ASOF)
        PUSH(vm->asof);
        NEXT(1);
    TARGET(ADD)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_add(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("+");
        PUSH(r);
        NEXT(1);
    TARGET(SUB)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_sub(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("-");
        PUSH(r);
        NEXT(1);
    TARGET(MUL)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_mul(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("*");
        PUSH(r);
        NEXT(1);
    TARGET(DIV)
        b = POP();
        a = POP();
        if (UNLIKELY(b == 0))
            FAIL_AT(RG_ERR_RUNTIME, "division by zero");
        if (UNLIKELY(a == INT64_MIN + 1 && b == -1))
            ARITH_FAIL("/");
        PUSH(a / b);
        NEXT(1);
    TARGET(NEG)
        a = POP();
        if (UNLIKELY(a == RG_NONE))
            ARITH_FAIL("-");
        PUSH(-a);
        NEXT(1);
    TARGET(PCT)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_pct(a, b, &r)))
            ARITH_FAIL("pct");
        PUSH(r);
        NEXT(1);
    TARGET(MIN)
        b = POP();
        a = POP();
        PUSH(a < b ? a : b);
        NEXT(1);
    TARGET(MAX)
        b = POP();
        a = POP();
        PUSH(a > b ? a : b);
        NEXT(1);
    TARGET(EQ) b = POP(); a = POP(); PUSH(a == b); NEXT(1);
    TARGET(NE) b = POP(); a = POP(); PUSH(a != b); NEXT(1);
    TARGET(LT) b = POP(); a = POP(); PUSH(a < b); NEXT(1);
    TARGET(LE) b = POP(); a = POP(); PUSH(a <= b); NEXT(1);
    TARGET(GT) b = POP(); a = POP(); PUSH(a > b); NEXT(1);
    TARGET(GE) b = POP(); a = POP(); PUSH(a >= b); NEXT(1);
    TARGET(STR_EQ)
    TARGET(STR_NE) {
        b = POP();
        a = POP();
        int eq;
        if (a == RG_NONE || b == RG_NONE)
            eq = a == b;
        else
            eq = strcmp((const char *)(intptr_t)a, (const char *)(intptr_t)b) == 0;
        PUSH(*ip == RG_OP_STR_EQ ? eq : !eq);
        NEXT(1);
    }
    TARGET(NOT)
        a = POP();
        PUSH(!a);
        NEXT(1);
    TARGET(JUMP)
        JUMP_TO(rd32(ip + 1));
    TARGET(JUMP_IF_FALSE)
        a = POP();
        if (a)
            NEXT(5);
        JUMP_TO(rd32(ip + 1));
    TARGET(JUMP_IF_TRUE)
        a = POP();
        if (!a)
            NEXT(5);
        JUMP_TO(rd32(ip + 1));
    TARGET(DATE_ADD)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_add(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("date +");
        PUSH(r);
        NEXT(1);
    TARGET(DATE_DIFF)
        b = POP();
        a = POP();
        if (UNLIKELY(rg_sub(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("date -");
        PUSH(r);
        NEXT(1);
    TARGET(YEAR)
        sp[-1] = rg_year_of_days(sp[-1]);
        NEXT(1);
    TARGET(IN_LIST)
    TARGET(IN_LISTV) {
        uint32_t l;
        unsigned len;
        if (*ip == RG_OP_IN_LIST) {
            l = rd16(ip + 1);
            len = 3;
        } else {
            rg_value lv = POP();
            /* a list of strings holds string numbers: IN_LISTS compares their texts */
            if (UNLIKELY(lv < 0 || (uint64_t)lv >= p->n_lists || RG_TYPE_KIND(p->lists[lv].type) == RG_T_STRING))
                FAIL_AT(RG_ERR_RUNTIME, "bad list");
            l = (uint32_t)lv;
            len = 1;
        }
        a = POP();
        const rg_list *li = &p->lists[l];
        const int64_t *lvals = p->list_values + li->first;
        int found = 0;
        for (uint32_t i = 0; i < li->count && !found; i++)
            found = lvals[i] == a;
        PUSH(found);
        NEXT(len);
    }
    TARGET(FIND)
        b = POP();
        a = POP();
        PUSH(find_row(p, rd16(ip + 1), a, b));
        NEXT(3);
    TARGET(CAT_COL)
        sp[-1] = cat_cell(rd16(ip + 3), sp[-1]);
        NEXT(5);
    TARGET(TIERED) {
        const rg_bracket *br = &p->brackets[rd16(ip + 1)];
        b = POP();
        a = POP();
        rg_value sum = 0;
        for (uint32_t i = 0; i < br->n_tiers; i++) {
            const rg_tier *t = &p->tiers[br->first_tier + i];
            rg_value lo = a > t->lo ? a : t->lo;
            rg_value hi = t->hi == RG_NONE ? b : (b < t->hi ? b : t->hi);
            if (hi <= lo)
                continue;
            rg_value part;
            if (UNLIKELY(rg_pct(hi - lo, t->pct, &part) || rg_add(sum, part, &sum)))
                ARITH_FAIL("tiered");
        }
        PUSH(sum);
        NEXT(3);
    }
    TARGET(LIST_COUNT)
        PUSH(vm->list_count[rd16(ip + 1)]);
        NEXT(3);
    TARGET(ITER_NEXT) {
        uint32_t l = rd16(ip + 1);
        if (++locals[l] < locals[l + 1])
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    }
    TARGET(NOTE)
        if (vm->explain)
            trace(vm, 1, rd16(ip + 1), chunk, row, 0);
        NEXT(3);
    TARGET(FAIL)
        FAIL_AT(RG_ERR_RUNTIME, "%s", p->str[rd32(ip + 1)]);
    TARGET(VSELECT) {
        const rg_vselector *vs = &p->vselectors[rd16(ip + 1)];
        uint32_t next_chunk = vs->fallback;
        for (uint32_t i = 0; i < vs->n_entries; i++) {
            const rg_vsel_entry *e = &p->vsel_entries[vs->first_entry + i];
            const rg_version *v = &p->versions[e->version];
            if ((v->from == RG_NONE || vm->asof >= v->from) && (v->until == RG_NONE || vm->asof <= v->until)) {
                next_chunk = e->chunk;
                break;
            }
        }
        chunk = next_chunk;
        ch = &p->chunks[chunk];
        if (UNLIKELY(locals + ch->n_locals + ch->max_stack > stack_end)) {
            status = fail(vm, ch->start, RG_ERR_RUNTIME, "evaluation stack exhausted");
            goto out;
        }
        sp = locals + ch->n_locals;
        code = p->code + ch->start;
        ip = code;
        CHARGE(crt[chunk].cost);
        DISPATCH();
    }
    TARGET(LEDGER_ADD) {
        uint32_t f = rd16(ip + 1);
        a = POP();
        if (UNLIKELY(rg_add(vm->ledger_out[f], a, &r) || r == RG_NONE))
            ARITH_FAIL("ledger +=");
        vm->ledger_out[f] = r;
        NEXT(3);
    }
    TARGET(LEDGER_SET)
        vm->ledger_out[rd16(ip + 1)] = POP();
        NEXT(3);
/* Return a: from the outermost chunk, the result; else a definition computed,
 * memoised, and pushed for its reader, which goes on. */
#define DO_RET()                                             \
    do {                                                     \
        if (fp == frames) {                                  \
            *result = a;                                     \
            goto out;                                        \
        }                                                    \
        struct rg_frame *f = --fp;                           \
        *f->val = a;                                         \
        *f->st = 2;                                          \
        if (vm->explain)                                     \
            trace(vm, 0, f->slot, chunk, row, a);            \
        sp = locals;                                         \
        ip = f->ip;                                          \
        code = f->code;                                      \
        locals = f->locals;                                  \
        chunk = f->chunk;                                    \
        row = f->row;                                        \
        PUSH(a);                                             \
        DISPATCH();                                          \
    } while (0)
    TARGET(RET)
        a = POP();
        DO_RET();
    TARGET(CALL_EXTERN) {
        /* vm/externs.c converts, calls and checks; a failure's message is in vm->error */
        uint32_t x = rd16(ip + 1);
        sp -= p->externs[x].n_args;
        status = rg_extern_call(vm, x, sp, &r);
        if (status != RG_OK)
            FAIL_AT(status, "%s", vm->error);
        PUSH(r);
        NEXT(3);
    }

    /* ---- superinstructions (opcodes.h) ---- */
    TARGET(EQ_IMM)
        sp[-1] = sp[-1] == (int32_t)rd32(ip + 1);
        NEXT(5);
    TARGET(IN_SET_IMM) /* absent is no small integer */
        sp[-1] = (uint64_t)sp[-1] < 32 && (rd32(ip + 1) >> sp[-1] & 1);
        NEXT(5);
    TARGET(JUMP_IF_NE)
        a = POP();
        if (a == (int32_t)rd32(ip + 1))
            NEXT(9);
        JUMP_TO(rd32(ip + 5));
    TARGET(FIELD_EQ)
        PUSH(vm->claim[rd16(ip + 1)] == (int32_t)rd32(ip + 3));
        NEXT(7);
    TARGET(SET_LOCAL)
        locals[rd16(ip + 1)] = (int32_t)rd32(ip + 3);
        NEXT(7);
    TARGET(RET_IMM)
        a = (int32_t)rd32(ip + 1);
        DO_RET();
    TARGET(MIN_IMM)
        a = (int32_t)rd32(ip + 1);
        if (sp[-1] > a)
            sp[-1] = a;
        NEXT(5);
    TARGET(MAX_IMM)
        a = (int32_t)rd32(ip + 1);
        if (sp[-1] < a)
            sp[-1] = a;
        NEXT(5);
    TARGET(JUMP_IF_SOME)
        if (sp[-1] != RG_NONE)
            JUMP_TO(rd32(ip + 1));
        sp--;
        NEXT(5);
    TARGET(JUMP_KEEP_FALSE)
        if (!sp[-1])
            JUMP_TO(rd32(ip + 1));
        sp--;
        NEXT(5);
    TARGET(JUMP_KEEP_TRUE)
        if (sp[-1])
            JUMP_TO(rd32(ip + 1));
        sp--;
        NEXT(5);
    TARGET(ACC_ADD)
        a = POP();
        ACC_INTO(rd16(ip + 1), a);
        NEXT(3);
    TARGET(ITER_LOOP) {
        uint32_t l = rd16(ip + 1);
        if (++locals[l] >= locals[l + 1])
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    }
    TARGET(TABLE) {
        /* the cell of the inputs' values, computed by the compiler; explaining,
         * or outside the cells, the rows that follow decide (and name their row) */
        if (LIKELY(!vm->explain)) {
            const int64_t *k = p->consts + rd16(ip + 1), *in = k + 1;
            int64_t n = k[0], i;
            uint64_t cell = 0;
            for (i = 0; i < n; i++, in += 3) {
                uint64_t at = (uint64_t)locals[in[0]] - (uint64_t)in[1];
                if (at >= (uint64_t)in[2])
                    break;
                cell = cell * (uint64_t)in[2] + at;
            }
            if (i == n && k[1 + 3 * n + 2 * cell]) {
                a = k[2 + 3 * n + 2 * cell];
                DO_RET();
            }
        }
        NEXT(3);
    }
    TARGET(LOAD_PCONST)
        if (LIKELY(!vm->explain)) {
            PUSH(p->consts[rd16(ip + 3)]);
            NEXT(5);
        }
        /* explaining: read as LOAD_DEF, so that the step is in the trace */
        call_slot = rd16(ip + 1);
        if (vm->def_state[call_slot] == 2) {
            PUSH(vm->defs[call_slot]);
            NEXT(5);
        }
        call_len = 5;
        goto call_def;
    TARGET(TRACE_DEF)
        /* the value on the stack is definition A, its body compiled inline
         * (compiler/expr.c); explaining, the first one is memoised and
         * recorded as the call would have been, so the steps are the same */
        if (UNLIKELY(vm->explain)) {
            uint32_t slot = rd16(ip + 1), di = def_item[slot];
            rg_value *val = &vm->defs[slot];
            uint8_t *st = &vm->def_state[slot];
            int32_t trow = -1;
            if (di != RG_NO_INDEX) {
                uint32_t src = rd16(ip + 3);
                rg_value v;
                ITEM_ROW(v, src);
                size_t k = (size_t)v * n_item_defs + di;
                val = &vm->idefs[k];
                st = &vm->idef_state[k];
                trow = (int32_t)v;
            }
            if (*st == 0) {
                *val = sp[-1];
                *st = 2;
                trace(vm, 0, slot, vtable[slot], trow, sp[-1]);
            }
        }
        NEXT(5);
    TARGET(STORE_DEF) {
        /* a plan computed definition A ahead: memoised as a read would */
        uint32_t slot = rd16(ip + 1);
        a = POP();
        vm->defs[slot] = a;
        vm->def_state[slot] = 2;
        locals[rd16(ip + 3)] = a;
        NEXT(5);
    }
    TARGET(STORE_IDEF) {
        uint32_t slot = rd16(ip + 1), src = rd16(ip + 3);
        rg_value v;
        ITEM_ROW(v, src);
        size_t k = (size_t)v * n_item_defs + def_item[slot];
        vm->idefs[k] = sp[-1];
        vm->idef_state[k] = 2;
        NEXT(5);
    }
    TARGET(LOCAL_COL) {
        PUSH(cat_cell(rd16(ip + 3), locals[rd16(ip + 1)])); /* the column: CATCOL's low half */
        NEXT(7);
    }
    TARGET(JUMP_IF_LOCAL_FALSE)
        if (locals[rd16(ip + 1)])
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    TARGET(JUMP_IF_LOCAL_TRUE)
        if (!locals[rd16(ip + 1)])
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    TARGET(SUB_LOCAL)
        if (UNLIKELY(rg_sub(sp[-1], locals[rd16(ip + 1)], &r) || r == RG_NONE))
            ARITH_FAIL("-");
        sp[-1] = r;
        NEXT(3);
    TARGET(LOAD_LOCAL2)
        sp[0] = locals[rd16(ip + 1)];
        sp[1] = locals[rd16(ip + 3)];
        sp += 2;
        NEXT(5);
    TARGET(LOCAL_ACC_ADD)
        ACC_INTO(rd16(ip + 3), locals[rd16(ip + 1)]);
        NEXT(5);
    TARGET(MEMO_DEF) {
        uint32_t slot = rd16(ip + 1);
        vm->defs[slot] = locals[rd16(ip + 3)];
        vm->def_state[slot] = 2;
        NEXT(5);
    }
    TARGET(STORE_JUMP)
        locals[rd16(ip + 1)] = POP();
        JUMP_TO(rd32(ip + 3));
    TARGET(ACC_ADD_JUMP)
        a = POP();
        ACC_INTO(rd16(ip + 1), a);
        JUMP_TO(rd32(ip + 3));
    TARGET(MIN_JUMP)
        b = POP();
        a = sp[-1];
        sp[-1] = a < b ? a : b;
        JUMP_TO(rd32(ip + 1));
    TARGET(PUSH_INT_JUMP)
        PUSH((int32_t)rd32(ip + 1));
        JUMP_TO(rd32(ip + 5));
    TARGET(SUB_LOCALS)
        if (UNLIKELY(rg_sub(locals[rd16(ip + 1)], locals[rd16(ip + 3)], &r) || r == RG_NONE))
            ARITH_FAIL("-");
        PUSH(r);
        NEXT(5);
    TARGET(FIND_LOCAL)
        b = POP();
        a = POP();
        locals[rd16(ip + 3)] = find_row(p, rd16(ip + 1), a, b);
        NEXT(5);
    TARGET(LEDGER_BEGIN)
        memcpy(vm->ledger_out, vm->ledger_in, p->n_ledger_fields * sizeof *vm->ledger_out);
        vm->updates_begun = 1;
        NEXT(1);
    TARGET(MIN_STORE_JUMP)
        b = POP();
        a = POP();
        locals[rd16(ip + 1)] = a < b ? a : b;
        JUMP_TO(rd32(ip + 3));
    TARGET(STORE_JUMP_IF_FALSE)
        a = POP();
        locals[rd16(ip + 1)] = a;
        if (a)
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    TARGET(JUMP_UNLESS_EQ)
        b = POP();
        a = POP();
        if (a == b)
            NEXT(5);
        JUMP_TO(rd32(ip + 1));
    TARGET(SUB_MAX_IMM)
        b = POP();
        a = sp[-1];
        if (UNLIKELY(rg_sub(a, b, &r) || r == RG_NONE))
            ARITH_FAIL("-");
        b = (int32_t)rd32(ip + 1);
        sp[-1] = r > b ? r : b;
        NEXT(5);
    TARGET(FIELD_SOME)
        PUSH(vm->claim[rd16(ip + 1)] != RG_NONE);
        NEXT(3);
    TARGET(JUMP_IF_FIELD_NONE)
        if (vm->claim[rd16(ip + 1)] != RG_NONE)
            NEXT(7);
        JUMP_TO(rd32(ip + 3));
    TARGET(IN_LISTS) {
        b = POP();
        a = POP();
        if (UNLIKELY(b < 0 || (uint64_t)b >= p->n_lists || RG_TYPE_KIND(p->lists[b].type) != RG_T_STRING))
            FAIL_AT(RG_ERR_RUNTIME, "bad list");
        PUSH(rg_in_strings(p, (uint32_t)b, a));
        NEXT(1);
    }
    TARGET(JUMP_UNLESS_FIELD) {
        uint32_t fv = rd32(ip + 1);
        if (vm->claim[fv >> 16] == (rg_value)(fv & 0xFFFFu))
            NEXT(9);
        JUMP_TO(rd32(ip + 5));
    }
    TARGET(IFIELD_ACC_ADD) {
        uint32_t rl = rd32(ip + 3);
        IFIELD_OF(a, rd16(ip + 1), rl >> 16);
        ACC_INTO(rl & 0xFFFFu, a);
        NEXT(7);
    }
    TARGET(SUB_LOCAL_ACC)
        if (UNLIKELY(rg_sub(sp[-1], locals[rd16(ip + 1)], &r) || r == RG_NONE))
            ARITH_FAIL("-");
        sp--;
        ACC_INTO(rd16(ip + 3), r);
        NEXT(5);
    TARGET(SUB_LOCALS_ACC) {
        uint32_t ab = rd32(ip + 1);
        if (UNLIKELY(rg_sub(locals[ab >> 16], locals[ab & 0xFFFFu], &r) || r == RG_NONE))
            ARITH_FAIL("-");
        ACC_INTO(rd16(ip + 5), r);
        NEXT(7);
    }
    /* ROWCOL operand: the local is its high half (ip + 3), the column its low byte (ip + 1) */
    TARGET(LOCAL_COL_IF_SOME)
        a = cat_cell(ip[1], locals[rd16(ip + 3)]);
        if (a != RG_NONE) {
            PUSH(a);
            JUMP_TO(rd32(ip + 5));
        }
        NEXT(9);
    TARGET(LOCAL_COL_IN_SET)
        a = cat_cell(ip[1], locals[rd16(ip + 3)]);
        PUSH((uint64_t)a < 32 && (rd32(ip + 5) >> a & 1));
        NEXT(9);
    TARGET(JUMP_UNLESS_COL) /* ROWCOLV: value, column, catalog, local from ip + 1 up */
        if (cat_cell(ip[2], locals[ip[4]]) == ip[1])
            NEXT(9);
        JUMP_TO(rd32(ip + 5));
    TARGET(FIND_ILOCAL) {
        uint32_t cf = rd32(ip + 1), rl = rd32(ip + 5);
        IFIELD_OF(b, cf & 0xFFFFu, rl >> 16);
        a = POP();
        locals[rl & 0xFFFFu] = find_row(p, cf >> 16, a, b);
        NEXT(9);
    }
    TARGET(ZERO_LOCALS)
        for (uint32_t l = rd16(ip + 1), last = rd16(ip + 3); l <= last; l++)
            locals[l] = 0;
        NEXT(5);

    /* ---- lists of the claim, calendar months, messages ---- */
    TARGET(ITER_START) {
        uint32_t l = rd16(ip + 1), at = rd16(ip + 3);
        locals[at] = (rg_value)vm->list_first[l] - 1;
        locals[at + 1] = (rg_value)vm->list_first[l] + vm->list_count[l];
        NEXT(5);
    }
    TARGET(LOAD_ROW) {
        uint32_t src = rd16(ip + 1);
        PUSH(src == RG_ROW_OF_FRAME ? row : locals[src]);
        NEXT(3);
    }
    TARGET(ELEM_FIELD)
        ROW_FIELD(a, rd16(ip + 1), sp[-1]);
        sp[-1] = a;
        NEXT(3);
    TARGET(ELEM_INDEX) {
        uint32_t l = rd16(ip + 1);
        a = sp[-1];
        if (a != RG_NONE) {
            ROW_OF_LIST(a, l);
            sp[-1] = a - vm->list_first[l];
        }
        NEXT(3);
    }
    TARGET(ELEM_PREV) {
        uint32_t l = rd16(ip + 1);
        a = sp[-1];
        if (a != RG_NONE) {
            ROW_OF_LIST(a, l);
            sp[-1] = a == vm->list_first[l] ? RG_NONE : a - 1;
        }
        NEXT(3);
    }
    TARGET(ADD_MONTHS)
        b = POP();
        a = sp[-1];
        if (UNLIKELY(rg_add_months(a, b, &r)))
            FAIL_AT(RG_ERR_RUNTIME, "date out of range in add_months");
        sp[-1] = r;
        NEXT(1);
    TARGET(MAKE_DATE) {
        rg_value d = POP(), m = POP(), y = POP();
        int64_t days;
        if (UNLIKELY(y < 1 || y > RG_CAL_YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31 ||
                     rg_days_from_civil(y, (unsigned)m, (unsigned)d, &days) != 0))
            FAIL_AT(RG_ERR_RUNTIME, "no date %lld-%lld-%lld", (long long)y, (long long)m, (long long)d);
        PUSH(days);
        NEXT(1);
    }
    TARGET(MONTH)
    TARGET(DAY) {
        int64_t y;
        unsigned m, d;
        rg_civil_from_days(sp[-1], &y, &m, &d);
        sp[-1] = *ip == RG_OP_MONTH ? m : d;
        NEXT(1);
    }
    TARGET(TO_TEXT) {
        char text[128];
        int n = rg_value_text(p, rd32(ip + 1), sp[-1], text, sizeof text);
        a = rg_vm_intern(vm, text, (size_t)n);
        if (UNLIKELY(a == RG_NONE))
            FAIL_AT(RG_ERR_MEMORY, "out of memory");
        sp[-1] = a;
        NEXT(5);
    }
    TARGET(CONCAT) {
        b = POP();
        a = sp[-1];
        const char *x = a == RG_NONE ? "" : (const char *)(intptr_t)a;
        const char *y = b == RG_NONE ? "" : (const char *)(intptr_t)b;
        r = rg_vm_concat(vm, x, y);
        if (UNLIKELY(r == RG_NONE))
            FAIL_AT(RG_ERR_MEMORY, "out of memory");
        sp[-1] = r;
        NEXT(1);
    }
    TARGET(REJECT) {
        a = POP();
        snprintf(vm->error, sizeof vm->error, "%s", a == RG_NONE ? "" : (const char *)(intptr_t)a);
        vm->error_line = vm->error_file = 0;
        status = RG_ERR_INPUT;
        goto out;
    }
#ifdef RG_THREADED
    L__OUTPUTS:
#else
    case RG_OP_OUTPUTS_:
#endif
        /* the value of output out_i, when a definition returned it here */
        if (sp > locals)
            outs[out_i++] = POP();
        if (UNLIKELY(p->outputs_bad)) {
            snprintf(vm->error, sizeof vm->error, "no claim-level definition %u",
                     p->outputs[p->outputs_bad - 1].def);
            status = RG_ERR_USAGE;
            goto out;
        }
        for (; out_i < p->n_outputs; out_i++) {
            call_slot = p->outputs[out_i].def;
            if (vm->def_state[call_slot] != 2) {
                /* computed as a read of the definition, continuing here */
                out_at = p->chunks[vtable[call_slot]].start;
                call_len = 0;
                goto call_def;
            }
            outs[out_i] = vm->defs[call_slot];
        }
        goto out;
#ifdef RG_THREADED
    L__BAD:
#else
    default:
#endif
        FAIL_AT(RG_ERR_RUNTIME, "bad opcode %u", *ip);
#ifndef RG_THREADED
    }
#endif

call_def:
    /* a claim-level definition not yet computed */
    if (UNLIKELY(def_item[call_slot] != RG_NO_INDEX))
        FAIL_AT(RG_ERR_RUNTIME, "per-item definition '%s' read with no current item", p->str[p->defs[call_slot].name]);
    call_row = -1;
    call_val = &vm->defs[call_slot];
    call_st = &vm->def_state[call_slot];
enter: {
    /* compute definition call_slot for call_row into call_val, then go on */
    if (UNLIKELY(*call_st == 1))
        FAIL_AT(RG_ERR_RUNTIME, "definition '%s' depends on itself", p->str[p->defs[call_slot].name]);
    if (UNLIKELY(fp >= frames_end))
        FAIL_AT(RG_ERR_RUNTIME, "evaluation nested too deeply");
    uint32_t callee = vtable[call_slot];
    const rg_chunk_rt *cc = &crt[callee];
    if (cc->value != RG_CHUNK_NOT_CONST) {
        /* a parameter's literal (for this policy): stored as running it would */
        *call_val = cc->value;
        *call_st = 2;
        if (vm->explain)
            trace(vm, 0, call_slot, callee, call_row, cc->value);
        PUSH(cc->value);
        NEXT(call_len);
    }
    if (UNLIKELY(sp + cc->frame > stack_end)) {
        status = fail(vm, p->chunks[callee].start, RG_ERR_RUNTIME, "evaluation stack exhausted");
        goto out;
    }
    CHARGE(cc->cost);
    *call_st = 1;
    struct rg_frame *f = fp++;
    f->ip = ip + call_len;
    f->code = code;
    f->locals = locals;
    f->chunk = chunk;
    f->row = row;
    f->slot = call_slot;
    f->val = call_val;
    f->st = call_st;
    /* the callee's frame starts at the reader's stack top */
    locals = sp;
    sp = locals + cc->n_locals;
    chunk = callee;
    row = call_row;
    code = cc->code;
    ip = code;
    DISPATCH();
}

budget_out:
    left = 0;
    status = fail(vm, OFF(), RG_ERR_BUDGET, "instruction budget of %llu exhausted", (unsigned long long)vm->budget);
out:
    /* definitions left half-computed by a failure can be tried again */
    while (fp > frames) {
        struct rg_frame *f = --fp;
        *f->st = 0;
        chunk = f->chunk;
    }
    vm->used += start - left;
    if (ran)
        *ran = chunk;
    return status;
}

/* Whether cost more instructions fit the claim's budget. */
static inline int budget_fits(const rg_vm *vm, uint64_t cost)
{
    return !vm->budget || (vm->used < vm->budget && vm->budget - vm->used >= cost);
}

/* n ledger keys read straight from the claim: each a field, or its year
 * (key_src: the slot << 1 | 1 for the year, as YEAR does); inlined, as the
 * one loop over every key is on each claim's path. */
__attribute__((always_inline)) static inline void direct_keys(const rg_value *claim, const uint32_t *src, uint32_t n,
                                                              rg_value *keys)
{
    for (uint32_t f = 0; f < n; f++) {
        const rg_value v = claim[src[f] >> 1];
        keys[f] = src[f] & 1 ? rg_cal_year_of_days(v) : v;
    }
}

/* ---- the calls a host makes ---- */

/* Inline: the host calls it several times a claim (the policy, the as-of
 * date, each ledger key), nearly always for a claim field. */
static inline rg_status run_entry(rg_vm *vm, uint32_t chunk, rg_value *out)
{
    const rg_program *p = vm->prog;
    if (UNLIKELY(chunk >= p->n_chunks)) {
        snprintf(vm->error, sizeof vm->error, "the pack has no such entry");
        return RG_ERR_USAGE;
    }
    /* an entry that returns a claim field (the policy's region, the as-of
     * date, a person's id) or the year of one (a ledger key): read without
     * running the interpreter, charged the budget as running it would be */
    const rg_chunk_rt *c = &p->chunk_rt[chunk];
    if (LIKELY(c->field) && budget_fits(vm, c->cost)) {
        vm->used += c->cost;
        rg_value v = vm->claim[c->field - 1];
        if (c->year) /* as YEAR does */
            v = rg_year_of_days(v);
        *out = v;
        return RG_OK;
    }
    return exec(vm, chunk, -1, out, NULL, NULL);
}

/* Every definition not yet computed, for the bound claim. */
static void forget_memo(rg_vm *vm)
{
    const rg_program *p = vm->prog;
    memset(vm->def_state, 0, p->n_defs);
    if (vm->n_items && p->n_item_defs)
        memset(vm->idef_state, 0, (size_t)vm->n_items * p->n_item_defs);
}

rg_status rg_vm_begin(rg_vm *vm)
{
    const rg_program *p = vm->prog;
    forget_memo(vm);
    vm->n_trace = 0;
    vm->used = 0;
    vm->updates_done = 0;
    vm->stack_top = 0;
    vm->depth = 0;
    vm->policy_chosen = 0;
    rg_value pol, asof;
    rg_status s = run_entry(vm, p->entry.select_policy, &pol);
    if (s != RG_OK)
        return s;
    if (pol < 0 || (uint64_t)pol >= p->n_policies) {
        snprintf(vm->error, sizeof vm->error, "the claim selects no policy of this pack");
        return RG_ERR_RUNTIME;
    }
    vm->policy = (uint32_t)pol;
    vm->policy_chosen = 1;
    s = run_entry(vm, p->entry.asof, &asof);
    if (s != RG_OK)
        return s;
    vm->asof = asof;
    if (p->entry.validate != RG_NO_INDEX) {
        rg_value ignored;
        s = rg_vm_eval_def(vm, p->entry.validate, &ignored);
        if (s != RG_OK)
            return s;
        if (vm->explain) { /* the explanation is of the amounts: what checking read is computed again there */
            forget_memo(vm);
            vm->n_trace = 0;
        }
    }
    return RG_OK;
}

static inline rg_status scope_keys(rg_vm *vm, const rg_ledger_scope *s, rg_value *keys)
{
    const rg_program *p = vm->prog;
    if (!rg_policy_within(p, vm->policy, s->owner)) { /* a region's own ledger: no record for the others */
        for (uint32_t k = 0; k < s->n_keys; k++)
            keys[k] = RG_NONE;
        return RG_OK;
    }
    for (uint32_t k = 0; k < s->n_keys; k++) {
        rg_status st = run_entry(vm, p->ledger_keys[s->first_key + k], &keys[k]);
        if (st != RG_OK)
            return st;
    }
    return RG_OK;
}

rg_status rg_vm_ledger_keys(rg_vm *vm, uint32_t scope, rg_value *keys)
{
    if (scope >= vm->prog->n_ledger_scopes)
        return RG_ERR_USAGE;
    return scope_keys(vm, &vm->prog->ledger_scopes[scope], keys);
}

rg_status rg_vm_claim_keys(rg_vm *vm, rg_value *keys)
{
    const rg_program *p = vm->prog;
    const rg_value *claim = vm->claim;
    if (vm->policy < p->n_policies && vm->keys_direct[vm->policy] && budget_fits(vm, vm->keys_cost)) {
        /* every scope's keys, as the loop below reads them when each scope's cost fits */
        vm->used += vm->keys_cost;
        direct_keys(claim, vm->key_src, p->n_ledger_keys, keys);
        return RG_OK;
    }
    for (uint32_t i = 0; i < p->n_ledger_scopes; i++) {
        const rg_ledger_scope *s = &p->ledger_scopes[i];
        rg_value *k = keys + s->first_key;
        const uint64_t cost = vm->scope_cost[i];
        /* as run_entry reads each key, the budget charged as running them would */
        if (cost != UINT64_MAX && budget_fits(vm, cost) && rg_policy_within(p, vm->policy, s->owner)) {
            vm->used += cost;
            direct_keys(claim, vm->key_src + s->first_key, s->n_keys, k);
            continue;
        }
        rg_status st = scope_keys(vm, s, k);
        if (st != RG_OK)
            return st;
    }
    return RG_OK;
}

rg_status rg_vm_ledger_init(rg_vm *vm, uint32_t field, rg_value *out)
{
    const rg_program *p = vm->prog;
    if (field >= p->n_ledger_fields)
        return RG_ERR_USAGE;
    uint32_t c = p->ledger_fields[field].init;
    if (c == RG_NO_INDEX) {
        *out = 0;
        return RG_OK;
    }
    return run_entry(vm, c, out);
}

rg_status rg_vm_eval_def(rg_vm *vm, uint32_t def, rg_value *out)
{
    if (def >= vm->prog->n_defs || vm->prog->defs[def].per_item) {
        snprintf(vm->error, sizeof vm->error, "no claim-level definition %u", def);
        return RG_ERR_USAGE;
    }
    return eval_def(vm, def, -1, out, vm->prog->chunks[vm->prog->vtable[vm->prog->policies[vm->policy].vtable + def]].start);
}

/* Run the policy's plan: its definitions computed ahead, in dependency order,
 * without a call each. It is speculation: it may compute what the lazy path
 * would not need, so when it fails (an error, the budget) everything it did
 * is forgotten and the lazy path alone decides, as if it had not run. */
static void run_plan(rg_vm *vm)
{
    const rg_program *p = vm->prog;
    vm->planned_natively = 0;
    if (vm->explain || vm->policy >= p->n_plans || p->plans[vm->policy] == RG_NO_INDEX)
        return;
    uint64_t used = vm->used;
    rg_value dummy;
    vm->updates_begun = 0;
    if (p->native && !vm->no_native) {
        /* the same plan compiled to C: it charges the budget as exec would,
         * and gives up (1) wherever exec would stop with an error, so that
         * exec, the reference, runs it again and has the last word */
        uint64_t start = vm->budget ? (used < vm->budget ? vm->budget - used : 0) : UINT64_MAX, left = start;
        int r = p->native->plan(vm, &left);
        if (r == 0) {
            vm->used = used + (start - left);
            vm->updates_done = vm->updates_begun;
            vm->native_runs++;
            vm->planned_natively = 1;
            return;
        }
        if (r == 1) {
            forget_memo(vm);
            vm->updates_begun = 0;
            vm->native_fallbacks++;
        }
    }
    if (exec(vm, p->plans[vm->policy], -1, &dummy, NULL, NULL) == RG_OK) {
        vm->updates_done = vm->updates_begun;
        return;
    }
    vm->updates_done = 0;
    forget_memo(vm);
    vm->used = used;
    vm->error[0] = '\0';
    vm->error_line = vm->error_file = 0;
    vm->plan_fallbacks++;
}

/* A date a result gives is a calendar day a claim could give (the verifier
 * proves the other types' values; a date is a number any arithmetic makes). */
static rg_status dates_in_calendar(rg_vm *vm, const rg_value *out)
{
    const rg_program *p = vm->prog;
    for (uint32_t i = vm->date_outputs_first; i < vm->date_outputs_end; i++)
        if (RG_TYPE_KIND(p->outputs[i].type) == RG_T_DATE && out[i] != RG_NONE &&
            (out[i] < RG_DATE_MIN || out[i] > RG_DATE_MAX)) {
            snprintf(vm->error, sizeof vm->error, "the result '%s' is a date outside years 1 to 9999 (%lld days from "
                     "1970-01-01): check the durations added to it", p->str[p->outputs[i].name],
                     (long long)out[i]);
            return RG_ERR_RUNTIME;
        }
    return RG_OK;
}

rg_status rg_vm_eval_outputs(rg_vm *vm, rg_value *out)
{
    const rg_program *p = vm->prog;
    if (!p->n_outputs)
        return RG_OK;
    run_plan(vm);
    /* every output computed (by the plan): copied, without running the
     * interpreter (by native code after its plan: straight-line) */
    const rg_output *o = p->outputs;
    const uint8_t *st = vm->def_state;
    const rg_value *defs = vm->defs;
    uint32_t i = 0, n = p->n_outputs;
    if (!p->outputs_bad && vm->planned_natively)
        i = p->native->outputs(vm, out) ? n : 0;
    else if (!p->outputs_bad)
        for (; i < n; i++) {
            uint32_t d = o[i].def;
            if (st[d] != 2)
                break;
            out[i] = defs[d];
        }
    rg_value dummy;
    rg_status s = i == n ? RG_OK : exec(vm, 0, -1, &dummy, NULL, out);
    return s == RG_OK ? dates_in_calendar(vm, out) : s;
}

rg_status rg_vm_run_updates(rg_vm *vm)
{
    const rg_program *p = vm->prog;
    if (vm->updates_done) /* the plan ran them (LEDGER_BEGIN): ledger_out holds their result */
        return RG_OK;
    memcpy(vm->ledger_out, vm->ledger_in, p->n_ledger_fields * sizeof *vm->ledger_out);
    uint32_t update = p->policies[vm->policy].update;
    if (update == RG_NO_INDEX)
        return RG_OK;
    rg_value dummy;
    return run_entry(vm, update, &dummy);
}
