/* native_rt.h — the run-time support of generated native code: its context,
 * and each step the interpreter takes for a definition read, a row field or a
 * catalog look-up, written once here so that every generated function does
 * them as vm/interp.c does. Its text is compiled into every generated file
 * after vm.h and native_abi.h (native/cgen.c), and by the project's own build
 * (cgen.c includes it), so that a mistake fails `make`. Must hold only static
 * inline code over the VM's own structures: no state, no allocation. */
#ifndef RG_NATIVE_RT_H
#define RG_NATIVE_RT_H

#include <stdint.h>
#include <string.h>

#include "calendar.h"
#include "native_abi.h"
#include "values.h"

typedef struct rgn_x rgn_x;
/* A chunk as a C function: computes into *out for item row `row` (-1: none);
 * 0 done, 1 failed. */
typedef int (*rgn_fn)(rgn_x *x, int32_t row, rg_value *out);

/* One plan's run: the claim and its memo as the interpreter sees them. */
struct rgn_x {
    rg_vm *vm;
    const rg_program *p;
    const rg_value *claim;
    const rg_value *items;     /* every list's rows, n_item_slots values each */
    uint64_t n_items;
    rg_value *defs;            /* memo of claim-level definitions, and their states */
    uint8_t *st;
    rg_value *idefs;           /* memo of per-row definitions */
    uint8_t *ist;
    const uint32_t *vt;        /* the claim's policy's vtable */
    const rg_native_host *h;
    const rgn_fn *fn;          /* per chunk: its function, NULL when it has none */
    const rg_value *pk;        /* a shared plan's figures for the claim's policy, in order */
    uint64_t left;             /* budget left, charged as the interpreter charges it */
    uint32_t depth, max_depth; /* definitions being computed, and how many may nest */
};

#define RGN_LIKELY(e) __builtin_expect(!!(e), 1)
#define RGN_FAIL_IF(e)                         \
    do {                                       \
        if (__builtin_expect(!!(e), 0))        \
            return 1;                          \
    } while (0)
/* the budget: a chunk's instruction count when it is entered or jumps back */
#define RGN_CHARGE(x, n)                                 \
    do {                                                 \
        RGN_FAIL_IF((x)->left < (uint64_t)(n));          \
        (x)->left -= (uint64_t)(n);                      \
    } while (0)

/* Checked arithmetic as the interpreter's: overflow, or a result that is the
 * absent value, fails. Two tests, not one of two flags: the compiler then
 * branches on the overflow flag itself (add, jo, cmp, je), where a flag
 * made into a value costs three instructions more, a few dozen times a
 * claim. */
static inline int rgn_add(rg_value a, rg_value b, rg_value *r)
{
    if (__builtin_add_overflow(a, b, r))
        return 1;
    return *r == RG_NONE;
}
static inline int rgn_sub(rg_value a, rg_value b, rg_value *r)
{
    if (__builtin_sub_overflow(a, b, r))
        return 1;
    return *r == RG_NONE;
}
static inline int rgn_mul(rg_value a, rg_value b, rg_value *r)
{
    if (__builtin_mul_overflow(a, b, r))
        return 1;
    return *r == RG_NONE;
}

/* Field f of element row r: absent when r is; a row out of range fails. */
static inline int rgn_row_field(const rgn_x *x, rg_value r, uint32_t n_slots, uint32_t f, rg_value *v)
{
    if (__builtin_expect((uint64_t)r >= x->n_items, 0)) {
        if (r != RG_NONE)
            return 1;
        *v = RG_NONE;
        return 0;
    }
    *v = x->items[(size_t)r * n_slots + f];
    return 0;
}

/* A row of absent cells, as wide as the pack's widest catalog (the
 * generated code defines it): read in place of an absent row, a column is
 * read without a branch. */
extern const rg_value rgn_none_row[];

/* Column col of catalog row r, absent when r is. */
static inline rg_value rgn_cell(rg_value r, uint32_t col)
{
    return (r == RG_NONE ? rgn_none_row : rg_row_cells(r))[col];
}

/* The row of catalog cat for region pol whose key is the string key, or absent. */
static inline rg_value rgn_find(const rgn_x *x, uint32_t cat, rg_value pol, rg_value key)
{
    const rg_program *p = x->p;
    if ((uint64_t)pol >= p->n_policies || key == RG_NONE) /* a negative pol too */
        return RG_NONE;
    const char *k = (const char *)(intptr_t)key;
    if (RGN_LIKELY(rg_program_owns(p, k)))
        return rg_catalog_find_owned(p, cat, (uint32_t)pol, k);
    return x->h->catalog_find(p, cat, (uint32_t)pol, k);
}

static inline int rgn_str_eq(rg_value a, rg_value b)
{
    if (a == RG_NONE || b == RG_NONE)
        return a == b;
    return strcmp((const char *)(intptr_t)a, (const char *)(intptr_t)b) == 0;
}

/* Is v in the program's constant list l (a list value: checked first)? */
static inline int rgn_in_list(const rgn_x *x, rg_value l, rg_value v, int *found)
{
    if (l < 0 || (uint64_t)l >= x->p->n_lists || RG_TYPE_KIND(x->p->lists[l].type) == RG_T_STRING)
        return 1;
    const rg_list *li = &x->p->lists[l];
    const int64_t *lv = x->p->list_values + li->first;
    *found = 0;
    for (uint32_t i = 0; i < li->count && !*found; i++)
        *found = lv[i] == v;
    return 0;
}

static inline int rgn_in_strings(const rgn_x *x, rg_value l, rg_value v, int *found)
{
    if (l < 0 || (uint64_t)l >= x->p->n_lists || RG_TYPE_KIND(x->p->lists[l].type) != RG_T_STRING)
        return 1;
    *found = rg_in_strings(x->p, (uint32_t)l, v);
    return 0;
}

/* Compute a definition whose memo (*val, *st) is not done, with function f
 * (the chunk that implements it for the claim's policy) of cost instructions,
 * for item row `row`: the interpreter's `enter` — a definition being computed
 * read again fails, as does nesting past the limit; the budget is charged
 * the chunk's cost. Always inline: where f is a chunk named at the call, the
 * call is then a direct one (an out-of-line copy would make every
 * definition's call an indirect one through it). */
__attribute__((always_inline)) static inline int rgn_call(rgn_x *x, rgn_fn f, uint32_t cost, int32_t row,
                                                          rg_value *val, uint8_t *st)
{
    if (*st == 1 || x->depth >= x->max_depth || !f)
        return 1;
    RGN_CHARGE(x, cost);
    *st = 1;
    x->depth++;
    int r = f(x, row, val);
    x->depth--;
    if (r)
        return 1;
    *st = 2;
    return 0;
}

/* The same for a chunk that only returns a constant (a parameter's literal):
 * stored as computing it would, not charged. */
static inline int rgn_const(rgn_x *x, rg_value k, rg_value *val, uint8_t *st)
{
    if (*st == 1 || x->depth >= x->max_depth)
        return 1;
    *val = k;
    *st = 2;
    return 0;
}

/* Definition slot for row through the claim's policy's vtable (a chunk shared
 * by several policies does not know which one it runs for). */
static inline int rgn_call_dyn(rgn_x *x, uint32_t slot, int32_t row, rg_value *val, uint8_t *st)
{
    uint32_t c = x->vt[slot];
    const rg_chunk_rt *rt = &x->p->chunk_rt[c];
    if (rt->value != RG_CHUNK_NOT_CONST)
        return rgn_const(x, rt->value, val, st);
    return rgn_call(x, x->fn[c], rt->cost, row, val, st);
}

#endif
