/* test_bytecode.c — unit tests of the bytecode image: write/load round trip, damaged files, the verifier's table and code checks, the disassembler's listing, and the text helpers every layer shares (bytecode/text.h).
 * Must not depend on the compiler front end: every program here is built by hand. `--write-seeds DIR` writes the fuzz seeds (small.rgb, flow.rgb, rich.rgb) instead of testing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "disasm.h"
#include "keyfile.h"
#include "program_eq.h"
#include "text.h"
#include "values.h"
#include "vm.h"

/* ---- building a small program by hand ---- */

enum {
    S_MAIN, S_LN, S_TOTAL, S_SCHEME, S_EMPLOYEE, S_RESIDENT, S_DRUGS, S_CODE, S_PRICE,
    S_A1, S_B2, S_C3, S_2024, S_PATH, S_HELLO,
    S_LNCY, S_2025, S_TAX, S_YEARLY, S_SPENT, S_ITEMS, S_AMOUNT, S_ITEMS_AMOUNT, S_DOUBLE, N_STRS
};
static const char *const k_strs[N_STRS] = {
    "main.rg", "LN", "total", "scheme", "employee", "resident", "drugs", "code", "price",
    "A1", "B2", "C3", "2024", "person.scheme", "say \"hi\"\n",
    "LN-CY", "2025", "tax", "yearly", "spent", "items", "amount", "items[].amount", "double",
};

typedef struct {
    uint8_t b[512];
    uint32_t n;
} codebuf;

static void put_operand(codebuf *c, unsigned kind, uint32_t v)
{
    unsigned w = rg_operand_width[kind];
    memcpy(c->b + c->n, &v, w); /* little-endian host */
    c->n += w;
}

static uint32_t emit(codebuf *c, unsigned op, uint32_t a, uint32_t b)
{
    uint32_t at = c->n;
    c->b[c->n++] = (uint8_t)op;
    put_operand(c, rg_opinfo_table[op].a, a);
    put_operand(c, rg_opinfo_table[op].b, b);
    return at;
}

static void *dup_mem(const void *src, size_t bytes)
{
    void *d = malloc(bytes);
    assert_non_null(d);
    memcpy(d, src, bytes);
    return d;
}

#define SET(p, name, type, ...)                                               \
    do {                                                                      \
        const type tmp_[] = {__VA_ARGS__};                                    \
        (p)->name = dup_mem(tmp_, sizeof tmp_);                               \
        (p)->n_##name = (uint32_t)(sizeof tmp_ / sizeof tmp_[0]);             \
    } while (0)

static void set_strings(rg_program *p)
{
    size_t blob = 0;
    p->strings = calloc(N_STRS, sizeof *p->strings);
    for (int i = 0; i < N_STRS; i++) blob += strlen(k_strs[i]) + 1;
    p->blob = calloc(blob, 1);
    assert_non_null(p->strings);
    assert_non_null(p->blob);
    blob = 0;
    for (int i = 0; i < N_STRS; i++) {
        size_t n = strlen(k_strs[i]);
        p->strings[i] = (rg_strent){(uint32_t)blob, (uint32_t)n};
        memcpy(p->blob + blob, k_strs[i], n + 1);
        blob += n + 1;
    }
    p->n_strings = N_STRS;
    p->n_blob = (uint32_t)blob;
}

static void set_field(rg_program *p, int garbage_padding)
{
    p->fields = malloc(sizeof *p->fields);
    assert_non_null(p->fields);
    memset(p->fields, garbage_padding ? 0xAA : 0, sizeof *p->fields);
    rg_field *f = p->fields;
    f->key = S_SCHEME;
    f->path = S_PATH;
    f->type = RG_TYPE(RG_T_ENUM, 0);
    f->parent = -1;
    f->slot = 0;
    f->optional = f->in_list = f->has_range = f->cond_op = 0;
    f->cond_field = -1;
    f->cond_value = f->lo = f->hi = 0;
    f->cond_only = f->has_default = f->nonempty = 0;
    f->list = f->message = f->elem_message = RG_NO_INDEX;
    f->default_value = 0;
    p->n_fields = 1;
}

/* The small program: chunk 0 is `total` with the given code, chunk 1 the
 * select_policy/asof entry `PUSH_INT 0; RET`. */
static rg_program *build(const codebuf *code0, uint16_t n_locals, uint16_t max_stack, int garbage_padding)
{
    rg_program *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->owns_arrays = 1;
    set_strings(p);
    SET(p, member_names, uint32_t, S_EMPLOYEE, S_RESIDENT);
    SET(p, enums, rg_enum, {S_SCHEME, 0, 2});
    set_field(p, garbage_padding);
    SET(p, defs, rg_def, {S_TOTAL, RG_TYPE(RG_T_INT, 0), RG_DEF_DEF, 0, 0, 0});
    SET(p, chunks, rg_chunk, {0, code0->n, n_locals, max_stack, 0, 0, RG_NO_INDEX, 3, S_MAIN},
        {code0->n, 6, 0, 1, RG_NO_INDEX, RG_NO_INDEX, RG_NO_INDEX, 1, S_MAIN});
    SET(p, policies, rg_policy, {S_LN, RG_NO_INDEX, S_MAIN, 0, RG_NO_INDEX});
    SET(p, vtable, uint32_t, 0);
    SET(p, versions, rg_version, {S_2024, 0, 19723, 20088});
    SET(p, columns, rg_column, {S_CODE, RG_TYPE(RG_T_STRING, 0)}, {S_PRICE, RG_TYPE(RG_T_MONEY, 0)});
    SET(p, catalogs, rg_catalog, {S_DRUGS, 0, 2, 0});
    SET(p, cat_index, rg_cat_index, {0, 3});
    SET(p, cat_rows, uint32_t, 0, 1, 2);
    SET(p, cat_values, int64_t, S_A1, 1000, S_B2, 2000, S_C3, RG_NONE);
    SET(p, outputs, rg_output, {S_TOTAL, 0, RG_TYPE(RG_T_INT, 0)});
    SET(p, consts, int64_t, 120000);
    SET(p, lines, rg_lineent, {0, 3, S_MAIN}, {code0->n, 1, S_MAIN});
    codebuf all = *code0;
    emit(&all, RG_OP_PUSH_INT, 0, 0);
    emit(&all, RG_OP_RET, 0, 0);
    p->code = dup_mem(all.b, all.n);
    p->n_code = all.n;
    p->entry = (rg_entries){1, 1, RG_NO_INDEX};
    p->n_claim_slots = 1;
    p->n_item_slots = 1;
    p->n_claim_lists = 0;
    p->n_item_defs = 0;
    p->source_hash = 0x0123456789abcdefull;
    return p;
}

static codebuf add_code(void)
{
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    emit(&c, RG_OP_PUSH_INT, 3, 0);
    emit(&c, RG_OP_ADD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    return c;
}

static rg_program *small(void)
{
    codebuf c = add_code();
    return build(&c, 0, 2, 0);
}

/* A program that uses every table: two policies (LN-CY extends LN), an item
 * list with a per-item definition chosen by version, a bracket, a constant
 * list, a ledger with a key and an update chunk, a note. Chunks:
 * 0 total, 1 select_policy/asof, 2 update, 3 double's selector,
 * 4 double (version 2024), 5 the ledger key. */
static rg_program *build_rich(void)
{
    codebuf c = {{0}, 0};
    uint32_t at[7];
    at[0] = c.n;
    emit(&c, RG_OP_NOTE, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 100, 0);
    emit(&c, RG_OP_TIERED, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_IN_LIST, 0, 0);
    emit(&c, RG_OP_POP, 0, 0);
    emit(&c, RG_OP_LIST_COUNT, 0, 0);
    emit(&c, RG_OP_ADD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    at[1] = c.n;
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    at[2] = c.n;
    emit(&c, RG_OP_LOAD_DEF, 0, 0);
    emit(&c, RG_OP_LEDGER_ADD, 0, 0);
    emit(&c, RG_OP_PUSH_NONE, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    at[3] = c.n;
    emit(&c, RG_OP_VSELECT, 0, 0);
    at[4] = c.n;
    emit(&c, RG_OP_LOAD_IFIELD, 0, RG_ROW_OF_FRAME);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    emit(&c, RG_OP_MUL, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    at[5] = c.n;
    emit(&c, RG_OP_LOAD_ASOF, 0, 0);
    emit(&c, RG_OP_YEAR, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    at[6] = c.n;

    codebuf none = {{RG_OP_RET}, 1};
    rg_program *p = build(&none, 0, 1, 0);
#define REPLACE(name, type, ...)    \
    free(p->name);                  \
    SET(p, name, type, __VA_ARGS__)
    free(p->code);
    p->code = dup_mem(c.b, c.n);
    p->n_code = c.n;
    REPLACE(chunks, rg_chunk, {at[0], at[1] - at[0], 0, 2, 0, 0, RG_NO_INDEX, 3, S_MAIN},
            {at[1], at[2] - at[1], 0, 1, RG_NO_INDEX, RG_NO_INDEX, RG_NO_INDEX, 1, S_MAIN},
            {at[2], at[3] - at[2], 0, 1, RG_NO_INDEX, 0, RG_NO_INDEX, 1, S_MAIN},
            {at[3], at[4] - at[3], 0, 0, 1, 0, RG_NO_INDEX, 5, S_MAIN},
            {at[4], at[5] - at[4], 0, 2, 1, 0, 0, 6, S_MAIN},
            {at[5], at[6] - at[5], 0, 1, RG_NO_INDEX, 0, RG_NO_INDEX, 8, S_MAIN});
    REPLACE(lines, rg_lineent, {at[0], 3, S_MAIN}, {at[1], 1, S_MAIN}, {at[2], 1, S_MAIN}, {at[3], 5, S_MAIN},
            {at[4], 6, S_MAIN}, {at[5], 8, S_MAIN});
    free(p->fields);
    p->fields = calloc(3, sizeof *p->fields);
    p->fields[0] = (rg_field){.key = S_SCHEME, .path = S_PATH, .type = RG_TYPE(RG_T_ENUM, 0), .parent = -1, .slot = 0,
                              .cond_field = -1, .list = RG_NO_INDEX, .message = RG_NO_INDEX, .elem_message = RG_NO_INDEX};
    p->fields[1] = (rg_field){.key = S_ITEMS, .path = S_ITEMS, .type = RG_TYPE(RG_T_LIST, 0), .parent = -1, .slot = 1,
                              .cond_field = -1, .list = 0, .message = RG_NO_INDEX, .elem_message = RG_NO_INDEX};
    p->fields[2] = (rg_field){.key = S_AMOUNT, .path = S_ITEMS_AMOUNT, .type = RG_TYPE(RG_T_MONEY, 0), .parent = 1,
                              .slot = 0, .in_list = 1, .cond_field = -1, .list = 0, .message = RG_NO_INDEX,
                              .elem_message = RG_NO_INDEX};
    p->n_fields = 3;
    p->n_claim_slots = 2;
    p->n_claim_lists = 1;
    REPLACE(defs, rg_def, {S_TOTAL, RG_TYPE(RG_T_INT, 0), RG_DEF_DEF, 0, 0, 0},
            {S_DOUBLE, RG_TYPE(RG_T_MONEY, 0), RG_DEF_DEF, 1, 0, 0});
    p->n_item_defs = 1;
    REPLACE(policies, rg_policy, {S_LN, RG_NO_INDEX, S_MAIN, 0, 2}, {S_LNCY, 0, S_MAIN, 2, 2});
    REPLACE(vtable, uint32_t, 0, 3, 0, 3);
    REPLACE(versions, rg_version, {S_2024, 0, 19723, 20088}, {S_2025, 1, 20089, RG_NONE});
    SET(p, vselectors, rg_vselector, {0, 2, 4});
    SET(p, vsel_entries, rg_vsel_entry, {0, 4}, {1, 4});
    REPLACE(cat_index, rg_cat_index, {0, 3}, {0, 2});
    SET(p, brackets, rg_bracket, {S_TAX, 0, 2});
    SET(p, tiers, rg_tier, {0, 100000, 0}, {100000, RG_NONE, 3 * RG_PERCENT_ONE});
    SET(p, lists, rg_list, {0, 2, RG_TYPE(RG_T_STRING, 0)});
    SET(p, list_values, int64_t, S_A1, S_B2);
    SET(p, ledger_scopes, rg_ledger_scope, {S_YEARLY, 0, 1, 0, 1, 0});
    SET(p, ledger_keys, uint32_t, 5);
    SET(p, ledger_key_types, uint32_t, RG_TYPE(RG_T_INT, 0));
    SET(p, ledger_fields, rg_ledger_field, {S_SPENT, RG_TYPE(RG_T_MONEY, 0), 0, RG_NO_INDEX});
    SET(p, notes, rg_note, {RG_NOTE_ROW, 0, 1, 4, S_MAIN});
#undef REPLACE
    return p;
}

static void image_of(const rg_program *p, uint8_t **buf, size_t *len)
{
    assert_int_equal(rgc_program_write(p, buf, len), 0);
}

/* Recompute the trailing checksum after patching an image. */
static void reseal(uint8_t *buf, size_t len)
{
    rg_wr64(buf + len - 8, rg_checksum(buf, len - 8));
}

static void expect_load_error(const uint8_t *buf, size_t len, const char *fragment)
{
    char err[512];
    rg_program *q = (rg_program *)1;
    int r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r == 0 || !strstr(err, fragment)) print_error("expected an error with '%s', got %d '%s'\n", fragment, r, err);
    assert_int_equal(r, -1);
    assert_null(q);
    assert_non_null(strstr(err, fragment));
}

static char *disasm_to_string(const rg_program *p);

/* ---- round trip ---- */

static void test_roundtrip(void **state)
{
    (void)state;
    rg_program *p = small();
    char err[512];
    assert_int_equal(rg_program_verify(p, err, sizeof err), 0);
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    rg_program *q = NULL;
    int r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    assert_non_null(q);
#define CMP_ARRAY(type, name)                                                           \
    assert_int_equal(q->n_##name, p->n_##name);                                         \
    if (p->n_##name) assert_memory_equal(q->name, p->name, p->n_##name * sizeof(type));
    RG_PROGRAM_ARRAYS(CMP_ARRAY)
#undef CMP_ARRAY
    assert_memory_equal(&q->entry, &p->entry, sizeof p->entry);
    assert_int_equal(q->n_claim_slots, 1);
    assert_int_equal(q->n_item_slots, 1);
    assert_int_equal(q->n_claim_lists, 0);
    assert_int_equal(q->list_field, RG_NO_INDEX);
    assert_int_equal(q->n_item_defs, 0);
    assert_true(q->source_hash == 0x0123456789abcdefull);
    assert_int_equal(q->owns_arrays, 1);
    /* derived indexes */
    assert_string_equal(q->str[S_HELLO], "say \"hi\"\n");
    /* a row value is the address of its cells: a column is one load */
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "A1")), 0);
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "B2")), 1);
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "C3")), 2);
    assert_true(rg_row_cells(rg_catalog_find(q, 0, 0, "B2")) == q->cat_cells + 2);
    assert_true(rg_row_cells(rg_catalog_find(q, 0, 0, "B2"))[1] == 2000);
    assert_true(rg_row_cells(rg_catalog_find(q, 0, 0, "C3"))[1] == RG_NONE);
    /* what is not a row of the catalog has no index */
    assert_int_equal(rg_catalog_row_index(q, 0, RG_NONE), RG_NO_INDEX);
    assert_int_equal(rg_catalog_row_index(q, 0, 2), RG_NO_INDEX);
    assert_int_equal(rg_catalog_row_index(q, 0, rg_row_value(q->cat_cells + 1)), RG_NO_INDEX); /* mid-row */
    assert_int_equal(rg_catalog_row_index(q, 0, rg_row_value(q->cat_cells + 6)), RG_NO_INDEX); /* past the end */
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "A1") + 1), RG_NO_INDEX); /* misaligned */
    assert_int_equal(rg_catalog_row_index(q, 1, rg_catalog_find(q, 0, 0, "A1")), RG_NO_INDEX); /* no catalog 1 */
    /* shown by its catalog and key, never by its address */
    char text[32];
    assert_int_equal(rg_value_text(q, RG_TYPE(RG_T_ROW, 0), rg_catalog_find(q, 0, 0, "B2"), text, sizeof text), 12);
    assert_string_equal(text, "drugs row B2");
    rg_value_text(q, RG_TYPE(RG_T_ROW, 0), rg_row_value(q->cat_cells + 1), text, sizeof text);
    assert_string_equal(text, "row ?");
    assert_int_equal(rg_value_text(q, RG_TYPE(RG_T_ROW, 0), rg_catalog_find(q, 0, 0, "B2"), text, 9), 8);
    assert_string_equal(text, "drugs ro");
    assert_true(rg_catalog_find(q, 0, 0, "D4") == RG_NONE);
    assert_true(rg_catalog_find(q, 0, 0, "") == RG_NONE);
    /* the program's own copies: found by their stored hash and pointer */
    assert_ptr_equal(rg_program_string(q, "A1", 2, rg_str_hash_text("A1", 2)), q->str[S_A1]);
    assert_true(rg_program_owns(q, q->str[S_DOUBLE]));
    assert_true(rg_catalog_find(q, 0, 0, q->str[S_A1]) == rg_catalog_find(q, 0, 0, "A1"));
    assert_true(rg_catalog_find(q, 0, 0, q->str[S_B2]) == rg_catalog_find(q, 0, 0, "B2"));
    assert_true(rg_catalog_find(q, 0, 0, q->str[S_DOUBLE]) == RG_NONE);
    /* a key matches on its whole length: not a prefix, not an extension */
    assert_true(rg_catalog_find(q, 0, 0, "A") == RG_NONE);
    assert_true(rg_catalog_find(q, 0, 0, "A1 ") == RG_NONE);
    assert_true(rg_catalog_find(q, 0, 0, "a1") == RG_NONE);
    assert_true(rg_catalog_find(q, 1, 0, "A1") == RG_NONE);
    assert_int_equal(rg_policy_by_name(q, "LN", 2), 0);
    assert_int_equal(rg_policy_by_name(q, "LNX", 3), RG_NO_INDEX);
    assert_int_equal(rg_policy_by_name(q, "L", 1), RG_NO_INDEX);
    uint32_t file = 7;
    assert_int_equal(rg_program_line(q, 0, &file), 3);
    assert_int_equal(file, S_MAIN);
    assert_int_equal(rg_program_line(q, 10, &file), 3);
    assert_int_equal(rg_program_line(q, 16, &file), 1);
    assert_int_equal(rg_program_line(q, 9999, NULL), 1);
    /* finishing again rebuilds the same indexes */
    assert_int_equal(rg_program_finish(q), 0);
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "C3")), 2);
    /* a text stored twice (an image may hold it so) is one copy */
    assert_ptr_not_equal(q->str[S_2025], q->str[S_2024]);
    q->strings[S_2025] = q->strings[S_2024];
    assert_int_equal(rg_program_finish(q), 0);
    assert_ptr_equal(q->str[S_2025], q->str[S_2024]);
    assert_string_equal(q->str[S_2025], "2024");
    rg_program_free(q);
    free(buf);
    rg_program_free(p);
}

static void test_rich_program(void **state)
{
    (void)state;
    rg_program *p = build_rich();
    char err[512];
    int r = rg_program_verify(p, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    /* the ledger is written by the update chunk or a plan, by no other chunk */
    p->policies[0].update = p->policies[1].update = RG_NO_INDEX;
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "chunk 2 at offset 3: LEDGER_ADD outside the update chunks and the plans"));
    p->plans = malloc(2 * sizeof *p->plans);
    assert_non_null(p->plans);
    p->plans[0] = 2;
    p->plans[1] = RG_NO_INDEX;
    p->n_plans = 2;
    assert_int_equal(rg_program_verify(p, err, sizeof err), 0); /* a plan may compute the updates */
    free(p->plans);
    p->plans = NULL;
    p->n_plans = 0;
    p->policies[1].update = 2; /* a region's own updates */
    assert_int_equal(rg_program_verify(p, err, sizeof err), 0);
    p->policies[0].update = 2;
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    rg_program *q = NULL;
    r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
#define CMP_ARRAY(type, name)                                                           \
    assert_int_equal(q->n_##name, p->n_##name);                                         \
    if (p->n_##name) assert_memory_equal(q->name, p->name, p->n_##name * sizeof(type));
    RG_PROGRAM_ARRAYS(CMP_ARRAY)
#undef CMP_ARRAY
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 1, "B2")), 1);
    assert_true(rg_catalog_find(q, 0, 1, "C3") == RG_NONE); /* LN-CY sees two rows */
    assert_int_equal(rg_catalog_row_index(q, 0, rg_catalog_find(q, 0, 0, "C3")), 2);
    assert_int_equal(rg_policy_by_name(q, "LN-CY", 5), 1);
    char *listing = disasm_to_string(q);
    const char *want[] = {
        "  1 LN-CY (main.rg) extends LN, update chunk 2\n    version 1 \"2025\" 2025-01-01..*\n",
        "       0     3  NOTE          0            ; row 1 of total, main.rg:4\n",
        "      13     3  TIERED        0            ; bracket tax\n",
        "      21     3  IN_LIST       0            ; [\"A1\", \"B2\"]\n",
        "chunk 2: <update> in LN (main.rg:1), locals 0, stack 1\n",
        "       3     1  LEDGER_ADD    0            ; yearly.spent\n",
        "       0     5  VSELECT       0            ; \"2024\" chunk 4, \"2025\" chunk 4, else chunk 4\n",
        "chunk 4: double in LN version 2024 (main.rg:6), locals 0, stack 2\n",
        "       0     6  LOAD_IFIELD   0 frame      ; items[].amount of the frame's row\n",
        "chunk 5: <ledger yearly key 0> in LN (main.rg:8), locals 0, stack 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(listing, want[i])) fprintf(stderr, "missing '%s' in:\n%s", want[i], listing);
        assert_non_null(strstr(listing, want[i]));
    }
    free(listing);
    rg_program_free(q);
    free(buf);
    rg_program_free(p);
}

static void test_line_lookup_edges(void **state)
{
    (void)state;
    rg_program *p = small();
    uint32_t file = 0;
    p->lines[0].offset = 5; /* nothing covers offsets 0..4 */
    assert_int_equal(rg_program_line(p, 4, &file), 0);
    assert_int_equal(file, RG_NO_INDEX);
    assert_int_equal(rg_program_line(p, 5, &file), 3);
    rg_program_free(p);
}

static void test_write_is_deterministic(void **state)
{
    (void)state;
    codebuf c = add_code();
    rg_program *clean = build(&c, 0, 2, 0), *dirty = build(&c, 0, 2, 1);
    uint8_t *a, *b;
    size_t alen, blen;
    image_of(clean, &a, &alen);
    image_of(dirty, &b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen); /* rg_field's padding bytes are zeroed */
    free(b);
    image_of(clean, &b, &blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);
    rg_program_free(clean);
    rg_program_free(dirty);
}

static void test_write_file(void **state)
{
    (void)state;
    rg_program *p = small();
    char err[512], path[] = "/tmp/rg_test_bytecode.rgb";
    assert_int_equal(rgc_program_write_file(p, path, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t data[4096];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    remove(path);
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    assert_int_equal(n, len);
    assert_memory_equal(data, buf, len);
    assert_int_equal(rgc_program_write_file(p, "/nonexistent-dir/x.rgb", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.rgb.tmp"));
    free(buf);
    rg_program_free(p);
}

/* ---- damaged files ---- */

static void test_truncated_everywhere(void **state)
{
    (void)state;
    rg_program *p = small();
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan catches overreads */
        memcpy(copy, buf, cut);
        expect_load_error(copy, cut, cut == 0 ? "it is empty" : "truncated");
        free(copy);
    }
    /* the message names the section and the sizes */
    char err[512];
    rg_program *q;
    /* the last 44 bytes: the headers of 'externs', 'plans', 'copies' and 'patches' (empty), the checksum and 4
     * bytes of the blob */
    assert_int_equal(rg_program_load(buf, len - 44, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "bytecode file is truncated: section 'blob' needs"));
    free(buf);
    rg_program_free(p);
}

/* Byte offsets of the section headers of a well-formed image. */
static int is_section_header_byte(const uint8_t *buf, size_t at)
{
    size_t pos = RG_HDR_SIZE;
    for (unsigned i = 0; i < RG_N_SECTIONS; i++) {
        if (at >= pos && at < pos + RG_SECTION_HDR_SIZE) return 1;
        pos += RG_SECTION_HDR_SIZE + (size_t)rg_rd32(buf + pos) * rg_rd32(buf + pos + 4);
    }
    return at >= RG_HDR_N_SECTIONS && at < RG_HDR_SIZE;
}

static void test_flipped_bytes(void **state)
{
    (void)state;
    rg_program *p = small();
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    for (size_t i = 0; i < len; i++) {
        for (unsigned mask = 1; mask < 256; mask <<= 7) { /* 0x01 and 0x80 */
            uint8_t *copy = dup_mem(buf, len);
            copy[i] ^= (uint8_t)mask;
            char err[512];
            rg_program *q;
            assert_int_equal(rg_program_load(copy, len, &q, err, sizeof err), -1);
            assert_null(q);
            if (i < 4) assert_non_null(strstr(err, "bad magic"));
            else if (i < 6) assert_non_null(strstr(err, "bytecode format version"));
            else if (is_section_header_byte(buf, i))
                assert_true(strstr(err, "checksum mismatch") || strstr(err, "truncated"));
            else assert_non_null(strstr(err, "checksum mismatch: the file is corrupted"));
            free(copy);
        }
    }
    free(buf);
    rg_program_free(p);
}

static void test_bad_magic_and_version(void **state)
{
    (void)state;
    rg_program *p = small();
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    const char text[] = "policy LN {\n  def total = 2 + 3\n}\n";
    expect_load_error((const uint8_t *)text, sizeof text - 1, "not a Regula bytecode file (bad magic)");
    expect_load_error((const uint8_t *)"RG", 2, "truncated");
    expect_load_error((const uint8_t *)"RX", 2, "bad magic");
    uint8_t *copy = dup_mem(buf, len);
    rg_wr16(copy + RG_HDR_VERSION, 7);
    expect_load_error(copy, len, "bytecode format version 7, this VM reads version 4: recompile the pack");
    expect_load_error(copy, 10, "bytecode format version 7"); /* a short file of another version */
    free(copy);
    expect_load_error(NULL, 0, "empty");
    free(buf);
    rg_program_free(p);
}

/* Structural damage behind a valid checksum (a buggy or hostile writer). */
static void test_resealed_envelope(void **state)
{
    (void)state;
    rg_program *p = small();
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);

    uint8_t *copy = dup_mem(buf, len);
    rg_wr16(copy + RG_HDR_FLAGS, 4);
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode flags 0x0004 are not supported");
    free(copy);

    copy = calloc(1, len + 3); /* trailing garbage */
    memcpy(copy, buf, len);
    expect_load_error(copy, len + 3, "3 unexpected bytes after its checksum");
    free(copy);

    copy = dup_mem(buf, len); /* strings' element size 8 -> 4, count doubled: same bytes */
    rg_wr32(copy + RG_HDR_SIZE, rg_rd32(copy + RG_HDR_SIZE) * 2);
    rg_wr32(copy + RG_HDR_SIZE + 4, 4);
    reseal(copy, len);
    expect_load_error(copy, len, "section 'strings' has 4-byte records, this VM expects 8");
    free(copy);

    /* claiming one section more than there is */
    copy = dup_mem(buf, len);
    rg_wr32(copy + RG_HDR_N_SECTIONS, RG_N_SECTIONS + 1);
    expect_load_error(copy, len, "truncated");
    free(copy);

    free(buf);
    rg_program_free(p);
}

/* ---- the verifier: code ---- */

static void expect_code_error(const codebuf *c, uint16_t n_locals, uint16_t max_stack, const char *fragment)
{
    rg_program *p = build(c, n_locals, max_stack, 0);
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len); /* a correct checksum: only the verifier can object */
    expect_load_error(buf, len, fragment);
    char err[512];
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, fragment));
    free(buf);
    rg_program_free(p);
}

/* The verifier accepts chunk c. */
static void expect_code_ok(const codebuf *c, uint16_t n_locals, uint16_t max_stack)
{
    rg_program *p = build(c, n_locals, max_stack, 0);
    char err[512];
    int r = rg_program_verify(p, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    rg_program_free(p);
}

/* A loop with ITER_NEXT (its end in local 1), then both arms of a
 * JUMP_IF_TRUE merging at the RET: valid, locals 2, max_stack 1. */
static codebuf flow_code(void)
{
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_STORE_LOCAL, 1, 0);
    uint32_t loop = emit(&c, RG_OP_ITER_NEXT, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_POP, 0, 0);
    emit(&c, RG_OP_JUMP, loop, 0);
    uint32_t end = emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t jt = emit(&c, RG_OP_JUMP_IF_TRUE, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    uint32_t j = emit(&c, RG_OP_JUMP, 0, 0);
    uint32_t x = emit(&c, RG_OP_PUSH_INT, 3, 0);
    uint32_t y = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + loop + 3, end);
    rg_wr32(c.b + jt + 1, x);
    rg_wr32(c.b + j + 1, y);
    return c;
}

static void test_valid_control_flow(void **state)
{
    (void)state;
    codebuf c = flow_code();
    expect_code_ok(&c, 2, 1);
    /* the end of the rows is the local after the index: it must exist */
    codebuf d = {{0}, 0};
    uint32_t next = emit(&d, RG_OP_ITER_NEXT, 0, 0);
    uint32_t end = emit(&d, RG_OP_PUSH_INT, 0, 0);
    emit(&d, RG_OP_RET, 0, 0);
    rg_wr32(d.b + next + 3, end);
    expect_code_error(&d, 1, 1, "ITER_NEXT needs locals 0 and 1 (1 locals)");
    codebuf e = {{0}, 0};
    emit(&e, RG_OP_ITER_START, 0, 0);
    emit(&e, RG_OP_PUSH_INT, 0, 0);
    emit(&e, RG_OP_RET, 0, 0);
    expect_code_error(&e, 2, 1, "ITER_START: claim list 0 is out of range (the pack has 0 claim lists)");
}

static void test_jumps(void **state)
{
    (void)state;
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_JUMP, 9999, 0);
    expect_code_error(&c, 0, 1, "chunk 0 at offset 0: jump to 9999 is outside the chunk (0..4)");

    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_JUMP_IF_FALSE, 2, 0);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "chunk 0 at offset 5: jump to 2 lands inside the PUSH_INT at offset 0");

    c.n = 0;
    emit(&c, RG_OP_ITER_NEXT, 0, 500);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 1, "jump to 500 is outside the chunk");
}

static void test_decoding(void **state)
{
    (void)state;
    codebuf c = {{200, RG_OP_RET}, 2};
    expect_code_error(&c, 0, 1, "chunk 0 at offset 0: bad opcode 200");

    c = (codebuf){{RG_OP__COUNT, RG_OP_RET}, 2};
    expect_code_error(&c, 0, 1, "bad opcode");

    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    c.n -= 2; /* the immediate is cut short */
    expect_code_error(&c, 0, 1, "chunk 0 at offset 0: PUSH_INT needs 5 bytes but only 3 are left in the chunk");

    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    expect_code_error(&c, 0, 1, "chunk 0 at offset 0: the chunk ends with PUSH_INT and would fall off its end");

    c.n = 0;
    expect_code_error(&c, 0, 1, "chunk 0 is empty");
}

static void test_operand_bounds(void **state)
{
    (void)state;
    static const struct {
        unsigned op[5];
        uint32_t a[5], b[5];
        int n;
        uint16_t locals;
        const char *fragment;
    } cases[] = {
        {{RG_OP_PUSH_CONST, RG_OP_RET}, {1}, {0}, 2, 0, "PUSH_CONST: constant 1 is out of range (the pack has 1 constants)"},
        {{RG_OP_PUSH_STR, RG_OP_RET}, {N_STRS}, {0}, 2, 0, "PUSH_STR: string 24 is out of range (the pack has 24 strings)"},
        {{RG_OP_LOAD_LOCAL, RG_OP_RET}, {0}, {0}, 2, 0, "LOAD_LOCAL: local 0 is out of range (this chunk has 0 locals)"},
        {{RG_OP_STORE_LOCAL, RG_OP_RET}, {3}, {0}, 2, 2, "STORE_LOCAL: local 3 is out of range"},
        {{RG_OP_LOAD_FIELD, RG_OP_RET}, {1}, {0}, 2, 0, "LOAD_FIELD: claim slot 1 is out of range (the pack has 1 claim slots)"},
        {{RG_OP_LOAD_IFIELD, RG_OP_RET}, {1}, {RG_ROW_OF_FRAME}, 2, 0, "LOAD_IFIELD: item slot 1 is out of range"},
        {{RG_OP_LOAD_IFIELD, RG_OP_RET}, {0}, {2}, 2, 2, "LOAD_IFIELD: row local 2 is out of range (this chunk has 2 locals)"},
        {{RG_OP_LOAD_DEF, RG_OP_RET}, {1}, {0}, 2, 0, "LOAD_DEF: definition 1 is out of range (the pack has 1 definitions)"},
        {{RG_OP_LOAD_IDEF, RG_OP_RET}, {0}, {RG_ROW_OF_FRAME}, 2, 0, "LOAD_IDEF of definition 0, which is not per-item"},
        {{RG_OP_LOAD_LEDGER, RG_OP_RET}, {0}, {0}, 2, 0, "LOAD_LEDGER: ledger field 0 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_LEDGER_ADD, RG_OP_PUSH_INT, RG_OP_RET}, {0, 4}, {0}, 4, 0, "LEDGER_ADD: ledger field 4"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_INT, RG_OP_FIND, RG_OP_RET}, {0, 0, 1}, {0}, 4, 0, "FIND: catalog 1 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_CAT_COL, RG_OP_RET}, {0, 0}, {0, 2}, 3, 0,
         "CAT_COL: column 2 is out of range (catalog 0 has 2 columns)"},
        {{RG_OP_PUSH_INT, RG_OP_CAT_COL, RG_OP_RET}, {0, 5}, {0, 0}, 3, 0, "CAT_COL: catalog 5 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_INT, RG_OP_TIERED, RG_OP_RET}, {0, 0, 0}, {0}, 4, 0, "TIERED: bracket 0 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_IN_LIST, RG_OP_RET}, {0, 0}, {0}, 3, 0, "IN_LIST: list 0 is out of range"},
        {{RG_OP_NOTE, RG_OP_PUSH_INT, RG_OP_RET}, {0}, {0}, 3, 0, "NOTE: note 0 is out of range (the pack has 0 notes)"},
        {{RG_OP_VSELECT}, {0}, {0}, 1, 0, "VSELECT: selector 0 is out of range"},
        {{RG_OP_FAIL}, {99}, {0}, 1, 0, "FAIL: string 99 is out of range"},
        {{RG_OP_ITER_NEXT, RG_OP_PUSH_INT, RG_OP_RET}, {1, 0}, {0}, 3, 1, "ITER_NEXT: local 1 is out of range"},
        {{RG_OP_LOCAL_COL, RG_OP_RET}, {0}, {3u << 16 | 1}, 2, 1, "LOCAL_COL: catalog 3 is out of range (the pack has 1 catalogs)"},
        {{RG_OP_LOCAL_COL, RG_OP_RET}, {0}, {2}, 2, 1, "LOCAL_COL: column 2 is out of range (catalog 0 has 2 columns)"},
        {{RG_OP_LOAD_LOCAL2, RG_OP_ADD, RG_OP_RET}, {0}, {1}, 3, 1, "LOAD_LOCAL2: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_LOCAL_ACC_ADD, RG_OP_PUSH_INT, RG_OP_RET}, {0}, {4}, 3, 2, "LOCAL_ACC_ADD: local 4 is out of range"},
        {{RG_OP_JUMP_IF_LOCAL_FALSE, RG_OP_PUSH_INT, RG_OP_RET}, {2, 0}, {7}, 3, 1, "JUMP_IF_LOCAL_FALSE: local 2 is out of range"},
        {{RG_OP_MEMO_DEF, RG_OP_PUSH_INT, RG_OP_RET}, {0}, {1}, 3, 1, "MEMO_DEF: local 1 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_STORE_JUMP, RG_OP_PUSH_INT, RG_OP_RET}, {0, 2}, {0, 12}, 4, 1, "STORE_JUMP: local 2 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_ACC_ADD_JUMP, RG_OP_PUSH_INT, RG_OP_RET}, {0, 1}, {0, 12}, 4, 1, "ACC_ADD_JUMP: local 1 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_STORE_JUMP, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {0, 500}, 4, 1, "jump to 500 is outside the chunk"},
        {{RG_OP_PUSH_INT_JUMP, RG_OP_RET}, {1}, {600}, 2, 0, "jump to 600 is outside the chunk"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_INT, RG_OP_MIN_JUMP, RG_OP_RET}, {0, 0, 7}, {0}, 4, 0, "jump to 7 lands inside the PUSH_INT"},
        {{RG_OP_SUB_LOCALS, RG_OP_RET}, {0}, {1}, 2, 1, "SUB_LOCALS: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_STR, RG_OP_FIND_LOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, S_A1, 1, 0}, {0}, 5, 1,
         "FIND_LOCAL: catalog 1 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_STR, RG_OP_FIND_LOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, S_A1, 0, 0}, {0, 0, 3}, 5, 1,
         "FIND_LOCAL: local 3 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_INT, RG_OP_MIN_STORE_JUMP, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0, 2, 0}, {0, 0, 17}, 5, 1,
         "MIN_STORE_JUMP: local 2 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_STORE_JUMP_IF_FALSE, RG_OP_PUSH_INT, RG_OP_RET}, {0, 1}, {0, 12}, 4, 1,
         "STORE_JUMP_IF_FALSE: local 1 is out of range"},
        {{RG_OP_PUSH_INT, RG_OP_PUSH_INT, RG_OP_JUMP_UNLESS_EQ, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0, 999, 0}, {0}, 5, 0,
         "jump to 999 is outside the chunk"},
        {{RG_OP_JUMP_IF_LOCAL_TRUE, RG_OP_PUSH_INT, RG_OP_RET}, {1, 0}, {7}, 3, 1,
         "JUMP_IF_LOCAL_TRUE: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_JUMP_UNLESS_FIELD, RG_OP_PUSH_INT, RG_OP_RET}, {1u << 16 | 3, 0}, {9}, 3, 0,
         "JUMP_UNLESS_FIELD: claim slot 1 is out of range (the pack has 1 claim slots)"},
        {{RG_OP_JUMP_UNLESS_FIELD, RG_OP_PUSH_INT, RG_OP_RET}, {0xFFFFu, 0}, {999}, 3, 0, "jump to 999 is outside the chunk"},
        {{RG_OP_IFIELD_ACC_ADD, RG_OP_PUSH_INT, RG_OP_RET}, {1, 0}, {RG_ROW_OF_FRAME << 16}, 3, 1,
         "IFIELD_ACC_ADD: item slot 1 is out of range"},
        {{RG_OP_IFIELD_ACC_ADD, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {2u << 16}, 3, 1,
         "IFIELD_ACC_ADD: row local 2 is out of range (this chunk has 1 locals)"},
        {{RG_OP_IFIELD_ACC_ADD, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {RG_ROW_OF_FRAME << 16 | 1}, 3, 1,
         "IFIELD_ACC_ADD: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_ZERO_LOCALS, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {2}, 3, 2, "ZERO_LOCALS: local 2 is out of range"},
        {{RG_OP_ZERO_LOCALS, RG_OP_PUSH_INT, RG_OP_RET}, {1, 0}, {0}, 3, 2, "ZERO_LOCALS from local 1 down to 0"},
        {{RG_OP_SUB_LOCALS_ACC, RG_OP_PUSH_INT, RG_OP_RET}, {2u << 16 | 0, 0}, {1}, 3, 2,
         "SUB_LOCALS_ACC: local 2 is out of range (this chunk has 2 locals)"},
        {{RG_OP_SUB_LOCALS_ACC, RG_OP_PUSH_INT, RG_OP_RET}, {0u << 16 | 2, 0}, {1}, 3, 2,
         "SUB_LOCALS_ACC: local 2 is out of range (this chunk has 2 locals)"},
        {{RG_OP_SUB_LOCALS_ACC, RG_OP_PUSH_INT, RG_OP_RET}, {0u << 16 | 1, 0}, {2}, 3, 2,
         "SUB_LOCALS_ACC: local 2 is out of range (this chunk has 2 locals)"},
        {{RG_OP_SUB_LOCAL_ACC, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {2}, 3, 2,
         "SUB_LOCAL_ACC: local 2 is out of range (this chunk has 2 locals)"},
        /* ROWCOL: local << 16 | catalog << 8 | column; ROWCOLV a byte each, then a value */
        {{RG_OP_LOCAL_COL_IF_SOME, RG_OP_PUSH_INT, RG_OP_RET}, {1u << 16, 0}, {9}, 3, 1,
         "LOCAL_COL_IF_SOME: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_LOCAL_COL_IF_SOME, RG_OP_PUSH_INT, RG_OP_RET}, {1u << 8, 0}, {9}, 3, 1,
         "LOCAL_COL_IF_SOME: catalog 1 is out of range (the pack has 1 catalogs)"},
        {{RG_OP_LOCAL_COL_IF_SOME, RG_OP_PUSH_INT, RG_OP_RET}, {2, 0}, {9}, 3, 1,
         "LOCAL_COL_IF_SOME: column 2 is out of range (catalog 0 has 2 columns)"},
        {{RG_OP_LOCAL_COL_IF_SOME, RG_OP_PUSH_INT, RG_OP_RET}, {1, 0}, {999}, 3, 1, "jump to 999 is outside the chunk"},
        {{RG_OP_LOCAL_COL_IN_SET, RG_OP_RET}, {2, 0}, {3}, 2, 1,
         "LOCAL_COL_IN_SET: column 2 is out of range (catalog 0 has 2 columns)"},
        {{RG_OP_JUMP_UNLESS_COL, RG_OP_PUSH_INT, RG_OP_RET}, {1u << 24 | 0xFF, 0}, {9}, 3, 1,
         "JUMP_UNLESS_COL: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_JUMP_UNLESS_COL, RG_OP_PUSH_INT, RG_OP_RET}, {1u << 16 | 0xFF, 0}, {9}, 3, 1,
         "JUMP_UNLESS_COL: catalog 1 is out of range (the pack has 1 catalogs)"},
        {{RG_OP_JUMP_UNLESS_COL, RG_OP_PUSH_INT, RG_OP_RET}, {2u << 8 | 0xFF, 0}, {9}, 3, 1,
         "JUMP_UNLESS_COL: column 2 is out of range (catalog 0 has 2 columns)"},
        /* CATIFIELD: catalog << 16 | item slot; then ROWLOCAL: the item's row, the local found into */
        {{RG_OP_PUSH_INT, RG_OP_FIND_ILOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, 1u << 16, 0}, {0, 0}, 4, 1,
         "FIND_ILOCAL: catalog 1 is out of range (the pack has 1 catalogs)"},
        {{RG_OP_PUSH_INT, RG_OP_FIND_ILOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, 1, 0}, {0, 0}, 4, 1,
         "FIND_ILOCAL: item slot 1 is out of range (the pack has 1 item slots)"},
        {{RG_OP_PUSH_INT, RG_OP_FIND_ILOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0, 0}, {0, 1u << 16}, 4, 1,
         "FIND_ILOCAL: row local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_PUSH_INT, RG_OP_FIND_ILOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0, 0}, {0, RG_ROW_OF_FRAME << 16 | 1}, 4, 1,
         "FIND_ILOCAL: local 1 is out of range (this chunk has 1 locals)"},
        {{RG_OP_FIND_ILOCAL, RG_OP_PUSH_INT, RG_OP_RET}, {0, 0}, {0}, 3, 1, "FIND_ILOCAL pops 1 but the stack holds 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        codebuf c = {{0}, 0};
        for (int k = 0; k < cases[i].n; k++) emit(&c, cases[i].op[k], cases[i].a[k], cases[i].b[k]);
        expect_code_error(&c, cases[i].locals, 4, cases[i].fragment);
    }
}

static void test_stack(void **state)
{
    (void)state;
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_ADD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 4, "chunk 0 at offset 5: ADD pops 2 but the stack holds 1 (stack underflow)");

    c.n = 0; /* (a max_stack above the chunk's one byte would be refused first) */
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "RET pops 1 but the stack holds 0");

    c = add_code();
    expect_code_error(&c, 0, 1, "chunk 0 at offset 5: PUSH_INT grows the stack to 2, above the chunk's max_stack 1");

    /* PUSH 1; JUMP_IF_FALSE L; PUSH 5; L: PUSH 7; RET — L is reached with depth 1 and 0 */
    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t j = emit(&c, RG_OP_JUMP_IF_FALSE, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 5, 0);
    uint32_t l = emit(&c, RG_OP_PUSH_INT, 7, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + j + 1, l);
    expect_code_error(&c, 0, 4, "chunk 0 at offset 15: stack depth");
    expect_code_error(&c, 0, 4, "(inconsistent stack at a merge)");

    /* MIN_JUMP pops two and pushes one before it jumps: its target has one */
    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    uint32_t mj = emit(&c, RG_OP_MIN_JUMP, 0, 0);
    uint32_t at = emit(&c, RG_OP_ADD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + mj + 1, at);
    expect_code_error(&c, 0, 4, "chunk 0 at offset 15: ADD pops 2 but the stack holds 1 (stack underflow)");

    /* a loop that grows the stack each time round */
    c.n = 0;
    uint32_t top = emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_ITER_NEXT, 0, 0);
    emit(&c, RG_OP_JUMP, top, 0);
    uint32_t out = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + 5 + 3, out);
    expect_code_error(&c, 2, 8, "inconsistent stack at a merge"); /* ITER_NEXT's locals 0 and 1 */
}

/* ---- the verifier: tables ---- */

static void expect_table_error(rg_program *p, const char *fragment)
{
    char err[512];
    uint8_t *buf;
    size_t len;
    int r = rg_program_verify(p, err, sizeof err);
    if (r == 0 || !strstr(err, fragment)) print_error("expected '%s', got %d '%s'\n", fragment, r, err);
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, fragment));
    image_of(p, &buf, &len);
    expect_load_error(buf, len, fragment);
    free(buf);
    rg_program_free(p);
}

static void test_tables(void **state)
{
    (void)state;
    rg_program *p = small();
    p->enums[0].name = 40;
    expect_table_error(p, "enum 0: name 40 is out of range (24 strings)");

    p = small();
    p->enums[0].n_members = 3;
    expect_table_error(p, "enum 0: member_names 0+3 runs past the end (2 entries)");

    p = small();
    p->strings[3].len = 1000;
    expect_table_error(p, "string 3: bytes");

    p = small();
    p->strings[1].len = 1; /* "LN" -> "L" followed by 'N', not NUL */
    expect_table_error(p, "string 1 is not NUL-terminated");

    p = small();
    p->blob[p->strings[S_TOTAL].offset + 1] = (char)0xC0; /* "t\xC0tal": an overlong lead byte */
    expect_table_error(p, "string 2 is not valid UTF-8");

    p = small();
    memcpy(p->blob + p->strings[S_TOTAL].offset, "\xED\xA0\x80", 3); /* a UTF-16 surrogate */
    expect_table_error(p, "string 2 is not valid UTF-8");

    p = small();
    memcpy(p->blob + p->strings[S_TOTAL].offset, "\xE2\x82\xAC", 3); /* "€al": fine */
    char ok_err[512];
    assert_int_equal(rg_program_verify(p, ok_err, sizeof ok_err), 0);
    rg_program_free(p);

    p = small();
    p->fields[0].type = RG_TYPE(RG_T_ENUM, 4);
    expect_table_error(p, "field 0: type 0x409 is not a valid type");

    p = small();
    p->fields[0].parent = 0;
    expect_table_error(p, "field 0: parent 0 is not an earlier field");

    p = small();
    p->chunks[1].len = 100;
    expect_table_error(p, "chunk 1: code 12+100 runs past the end of the code (18 bytes)");

    p = small();
    p->vtable[0] = 2;
    expect_table_error(p, "vtable entry 0: chunk 2 is out of range (2 chunks)");

    p = small();
    p->policies[0].parent = 0;
    expect_table_error(p, "policy 0: its chain of parents loops back to policy 0");

    p = small();
    p->cat_values[2] = S_A1; /* rows A1, A1, C3 */
    expect_table_error(p, "catalog 0, policy 0: rows are not sorted by key ('A1' then 'A1')");

    p = small();
    p->cat_rows[2] = 3;
    expect_table_error(p, "catalog 0, policy 0: row 3 is outside cat_values");

    p = small();
    p->cat_values[0] = RG_NONE;
    expect_table_error(p, "catalog 0, row 0: key");

    p = small();
    p->columns[0].type = RG_TYPE(RG_T_INT, 0);
    expect_table_error(p, "catalog 0: key column is not a string");

    p = small();
    p->lines[1].offset = 0;
    p->lines[0].offset = 3;
    expect_table_error(p, "line entry 1: offset 0 is before the previous entry's 3");

    p = small();
    p->entry.select_policy = RG_NO_INDEX;
    expect_table_error(p, "entry select_policy");

    p = small();
    p->entry.validate = 7; /* no such definition */
    expect_table_error(p, "entry validate: 7 is not a claim-level definition");

    p = small();
    p->versions[0].until = 100;
    expect_table_error(p, "version 0: it ends (100) before it starts (19723)");

    p = small();
    p->ledger_key_types = dup_mem((uint32_t[]){RG_TYPE(RG_T_INT, 0)}, sizeof(uint32_t));
    p->n_ledger_key_types = 1;
    expect_table_error(p, "ledger_key_types has 1 entries but ledger_keys has 0 (they are parallel)");

    p = small();
    free(p->vtable);
    p->vtable = NULL;
    p->n_vtable = 0;
    char err[512];
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "the vtable has 0 entries but 1 policies x 1 definitions need 1"));
    rg_program_free(p);
}

/* ---- the verifier: value classes ---- */

static void test_value_classes(void **state)
{
    (void)state;
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_PUSH_INT, 5, 0); /* a number compared as a string */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STR_EQ, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 2, "chunk 0 at offset 10: STR_EQ: its first operand may be a number");

    c.n = 0; /* a number looked for in a list of strings, whose texts IN_LISTS compares */
    emit(&c, RG_OP_PUSH_INT, 5, 0);
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_IN_LISTS, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 2, "chunk 0 at offset 10: IN_LISTS: the value may be a number");

    c.n = 0; /* a number read as a catalog row */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_CAT_COL, 0, 1);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "CAT_COL: the row may be a number");

    c.n = 0; /* a string returned for the int definition 'total' */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "RET returns a string where definition 'total' needs a number");

    c.n = 0; /* TRACE_DEF: explaining, a string would be memoised as the int definition 'total' */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_TRACE_DEF, 0, RG_ROW_OF_FRAME);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "chunk 0 at offset 5: TRACE_DEF: the value may be a string");

    c.n = 0; /* STORE_DEF: a plan would memoise a string as the int definition 'total' */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_DEF, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 1, "chunk 0 at offset 5: STORE_DEF: the value may be a string");

    c.n = 0; /* MEMO_DEF: a plan would memoise local 0, a string, as the int definition 'total' */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_MEMO_DEF, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 1, "chunk 0 at offset 8: MEMO_DEF: the value may be a string");

    c.n = 0; /* LOCAL_COL of a local holding a number, not a catalog row */
    emit(&c, RG_OP_SET_LOCAL, 0, 4);
    emit(&c, RG_OP_LOCAL_COL, 0, 1);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 1, "chunk 0 at offset 7: LOCAL_COL: the row may be a number");

    c.n = 0; /* LOAD_LOCAL2 of a local holding a string, compared as one: fine */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL2, 0, 0);
    emit(&c, RG_OP_STR_EQ, 0, 0);
    emit(&c, RG_OP_POP, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_STR_NE, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_ok(&c, 1, 3);

    c.n = 0; /* LOAD_LOCAL2 pushes what each local holds: a number where STR_EQ wants a string */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_SET_LOCAL, 1, 3);
    emit(&c, RG_OP_LOAD_LOCAL2, 0, 1);
    emit(&c, RG_OP_STR_EQ, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 2, 2, "STR_EQ: its second operand may be a number");

    c.n = 0; /* STORE_IDEF of 'total', which is not per-item */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_STORE_IDEF, 0, RG_ROW_OF_FRAME);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "STORE_IDEF of definition 0, which is not per-item");

    c.n = 0; /* STORE_DEF keeps the value in local B: a local out of range */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_STORE_DEF, 0, 3);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 1, "STORE_DEF: local 3 is out of range (this chunk has 1 locals)");

    {   /* plans: one per policy, each a chunk that computes no definition */
        rg_program *tp = small();
        char terr[512];
        tp->plans = malloc(2 * sizeof *tp->plans);
        assert_non_null(tp->plans);
        tp->plans[0] = 1; /* the entry chunk */
        tp->n_plans = 1;
        assert_int_equal(rg_program_verify(tp, terr, sizeof terr), 0);
        tp->plans[0] = 0; /* 'total' */
        assert_int_equal(rg_program_verify(tp, terr, sizeof terr), -1);
        assert_non_null(strstr(terr, "plan of policy 0: chunk 0 computes a definition, not a plan"));
        tp->plans[0] = 9;
        assert_int_equal(rg_program_verify(tp, terr, sizeof terr), -1);
        assert_non_null(strstr(terr, "plan of policy 0: chunk 9 is out of range (2 chunks)"));
        tp->plans[0] = tp->plans[1] = RG_NO_INDEX;
        tp->n_plans = 2;
        assert_int_equal(rg_program_verify(tp, terr, sizeof terr), -1);
        assert_non_null(strstr(terr, "the pack has 2 plans for 1 policies"));
        rg_program_free(tp);
    }

    c.n = 0; /* TRACE_DEF of a number for 'total', which the chunk then returns: fine */
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    emit(&c, RG_OP_TRACE_DEF, 0, RG_ROW_OF_FRAME);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_ok(&c, 0, 1);

    c.n = 0; /* a local that holds a string on one path and a number on the other */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t jt = emit(&c, RG_OP_JUMP_IF_TRUE, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 3, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    uint32_t join = emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_B2, 0);
    emit(&c, RG_OP_STR_NE, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + jt + 1, join);
    expect_code_error(&c, 1, 2, "STR_NE: its first operand may be a number");

    c.n = 0; /* a local that holds a string on one path and a number on the other, each read as what it holds
              * there: fine (the flat walk cannot say so, the exact one does) */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t to_num = emit(&c, RG_OP_JUMP_IF_TRUE, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_B2, 0);
    emit(&c, RG_OP_STR_NE, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    uint32_t num = emit(&c, RG_OP_SET_LOCAL, 0, 3);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + to_num + 1, num);
    expect_code_ok(&c, 1, 2);

    c.n = 0; /* a string stored on one way only, read where the ways meet */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t skip = emit(&c, RG_OP_JUMP_IF_TRUE, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    uint32_t one_way = emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_B2, 0);
    emit(&c, RG_OP_STR_NE, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + skip + 1, one_way);
    expect_code_error(&c, 1, 2, "STR_NE: its first operand may be a");

    c.n = 0; /* a local read before anything was stored in it */
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STR_EQ, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 2, "STR_EQ: its first operand may be a");

    c.n = 0; /* LEDGER_BEGIN starts a plan's updates: not in a definition's chunk */
    emit(&c, RG_OP_LEDGER_BEGIN, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 1, "chunk 0 at offset 0: LEDGER_BEGIN outside a plan");

    c.n = 0; /* FIND_LOCAL of a number */
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_FIND_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 1, 2, "chunk 0 at offset 10: FIND_LOCAL: the key may be a number");

    c.n = 0; /* STORE_JUMP: what it stores is what its target finds in the local */
    emit(&c, RG_OP_PUSH_INT, 3, 0);
    uint32_t sj = emit(&c, RG_OP_STORE_JUMP, 0, 0);
    uint32_t col = emit(&c, RG_OP_LOCAL_COL, 0, 1);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + sj + 3, col);
    expect_code_error(&c, 1, 1, "chunk 0 at offset 12: LOCAL_COL: the row may be a number");

    c.n = 0; /* the row FIND_LOCAL keeps, read from its local; the jumping pairs and SUB_LOCALS: fine */
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_FIND_LOCAL, 0, 0);
    emit(&c, RG_OP_LOCAL_COL, 0, 1);
    uint32_t j1 = emit(&c, RG_OP_STORE_JUMP, 1, 0);
    uint32_t l1 = emit(&c, RG_OP_PUSH_INT, 5, 0);
    uint32_t j2 = emit(&c, RG_OP_PUSH_INT_JUMP, 7, 0);
    uint32_t l2 = emit(&c, RG_OP_MIN_JUMP, 0, 0);
    uint32_t l3 = emit(&c, RG_OP_ACC_ADD_JUMP, 1, 0);
    uint32_t l4 = emit(&c, RG_OP_SUB_LOCALS, 1, 1);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + j1 + 3, l1);
    rg_wr32(c.b + j2 + 5, l2);
    rg_wr32(c.b + l2 + 1, l3);
    rg_wr32(c.b + l3 + 3, l4);
    expect_code_ok(&c, 2, 2);

    c.n = 0; /* STORE_JUMP_IF_FALSE: the string it stores is in the local on both ways */
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    uint32_t sjf = emit(&c, RG_OP_STORE_JUMP_IF_FALSE, 0, 0);
    uint32_t rd = emit(&c, RG_OP_LOCAL_COL, 0, 1);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + sjf + 3, rd);
    expect_code_error(&c, 1, 1, "chunk 0 at offset 12: LOCAL_COL: the row may be a string");

    c.n = 0; /* MIN_STORE_JUMP leaves a number in its local */
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_FIND_LOCAL, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_PUSH_INT, 2, 0);
    uint32_t msj = emit(&c, RG_OP_MIN_STORE_JUMP, 0, 0);
    uint32_t rd2 = emit(&c, RG_OP_LOCAL_COL, 0, 1);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + msj + 3, rd2);
    expect_code_error(&c, 1, 2, "LOCAL_COL: the row may be a number");

    c.n = 0; /* IN_SET_IMM pops one and pushes one: fine over a value, not over nothing */
    emit(&c, RG_OP_PUSH_INT, 3, 0);
    emit(&c, RG_OP_IN_SET_IMM, 0x0A, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_ok(&c, 0, 1);
    c.n = 0;
    emit(&c, RG_OP_IN_SET_IMM, 0x0A, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 0, 4, "chunk 0 at offset 0: IN_SET_IMM pops 1 but the stack holds 0 (stack underflow)");

    c.n = 0; /* the packed pairs push and pop nothing; ZERO_LOCALS makes its locals numbers */
    emit(&c, RG_OP_ZERO_LOCALS, 0, 1);
    uint32_t juf = emit(&c, RG_OP_JUMP_UNLESS_FIELD, 0u << 16 | 2, 0);
    emit(&c, RG_OP_IFIELD_ACC_ADD, 0, 0u << 16 | 1);
    uint32_t sum = emit(&c, RG_OP_LOAD_LOCAL, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + juf + 5, sum);
    expect_code_ok(&c, 2, 1);

    c.n = 0; /* the summed differences: SUB_LOCAL_ACC pops one, SUB_LOCALS_ACC nothing; both make their sum a number */
    emit(&c, RG_OP_ZERO_LOCALS, 0, 2);
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    emit(&c, RG_OP_SUB_LOCAL_ACC, 0, 2);
    emit(&c, RG_OP_SUB_LOCALS_ACC, 0u << 16 | 1, 2);
    emit(&c, RG_OP_LOAD_LOCAL, 2, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_ok(&c, 3, 1);
    c.n = 0;
    emit(&c, RG_OP_ZERO_LOCALS, 0, 1);
    emit(&c, RG_OP_SUB_LOCAL_ACC, 0, 1);
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    expect_code_error(&c, 2, 4, "SUB_LOCAL_ACC pops 1 but the stack holds 0 (stack underflow)");

    c.n = 0; /* SUB_MAX_IMM pops two and pushes one; JUMP_UNLESS_EQ pops two either way: fine */
    emit(&c, RG_OP_PUSH_INT, 5, 0);
    emit(&c, RG_OP_PUSH_INT, 9, 0);
    emit(&c, RG_OP_SUB_MAX_IMM, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t jue = emit(&c, RG_OP_JUMP_UNLESS_EQ, 0, 0);
    uint32_t ret = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + jue + 1, ret);
    expect_code_ok(&c, 0, 3);

    c.n = 0; /* a row of catalog 0 found by its key, its price read (twice, once from the local): fine */
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_FIND, 0, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_CAT_COL, 0, 1);
    emit(&c, RG_OP_LOCAL_COL, 0, 1);
    emit(&c, RG_OP_SUB, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_program *p = build(&c, 1, 2, 0);
    char err[512];
    int r = rg_program_verify(p, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    /* an output whose type is not its definition's */
    p->outputs[0].type = RG_TYPE(RG_T_STRING, 0);
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "output 0: its type 0x7 is not that of its claim-level definition 0"));
    rg_program_free(p);

    /* LOCAL_COL_IF_SOME pushes on its jump only: `row.price ?? 7` is
     * consistent where the two paths meet; with no default pushed it is not */
    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_FIND_LOCAL, 0, 0);
    uint32_t some = emit(&c, RG_OP_LOCAL_COL_IF_SOME, 0u << 16 | 0u << 8 | 1, 0);
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    uint32_t meet = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + some + 5, meet);
    expect_code_ok(&c, 1, 2);
    c.n = some + 9; /* no default: RET meets depth 1 by the jump, 0 falling through */
    meet = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + some + 5, meet);
    expect_code_error(&c, 1, 2, "stack depth 0 arriving from offset 15, but 1 on another path");
    /* the value the jump carries is the column's: a key (a string) returned for an int is refused */
    c.n = some;
    emit(&c, RG_OP_LOCAL_COL_IF_SOME, 0u << 16 | 0u << 8 | 0, 0);
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    meet = emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + some + 5, meet);
    expect_code_error(&c, 1, 2, "RET returns a string where definition 'total' needs a number");
    /* and only a row is read: a string in the local is refused */
    c.n = 0;
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_STORE_LOCAL, 0, 0);
    uint32_t juc = emit(&c, RG_OP_JUMP_UNLESS_COL, 0u << 24 | 0u << 16 | 1u << 8 | 3, 0);
    emit(&c, RG_OP_RET_IMM, 7, 0);
    meet = emit(&c, RG_OP_RET_IMM, 8, 0);
    rg_wr32(c.b + juc + 5, meet);
    expect_code_error(&c, 1, 2, "JUMP_UNLESS_COL: the row may be a string");
    /* a row: LOCAL_COL_IN_SET and JUMP_UNLESS_COL read it */
    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_A1, 0);
    emit(&c, RG_OP_FIND_LOCAL, 0, 0);
    emit(&c, RG_OP_LOCAL_COL_IN_SET, 0u << 16 | 0u << 8 | 1, 5);
    emit(&c, RG_OP_POP, 0, 0);
    juc = emit(&c, RG_OP_JUMP_UNLESS_COL, 0u << 24 | 0u << 16 | 1u << 8 | 3, 0);
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    emit(&c, RG_OP_RET, 0, 0);
    meet = emit(&c, RG_OP_RET_IMM, 8, 0);
    rg_wr32(c.b + juc + 5, meet);
    expect_code_ok(&c, 1, 2);
}

/* ---- the disassembler ---- */

static const char k_listing[] =
    "; regula bytecode, format version 4\n"
    "; source hash 0123456789abcdef\n"
    "; strings 24, member_names 2, enums 1, fields 1, defs 1, chunks 2\n"
    "; policies 1, vtable 1, versions 1, vselectors 0, vsel_entries 0, columns 2\n"
    "; catalogs 1, cat_index 1, cat_rows 3, cat_values 6, brackets 0, tiers 0\n"
    "; lists 0, list_values 0, ledger_scopes 0, ledger_keys 0, ledger_key_types 0, ledger_fields 0\n"
    "; outputs 1, notes 0, consts 1, lines 2, code 18, blob 160\n"
    "; externs 0, plans 0, copies 0, patches 0\n"
    "; entries: select_policy chunk 1, asof chunk 1, validate def -\n"
    "; claim slots 1, item slots 1, claim lists 0, per-item definitions 0\n"
    "\n"
    "policies:\n"
    "  0 LN (main.rg)\n"
    "    version 0 \"2024\" 2024-01-01..2024-12-31\n"
    "\n"
    "chunk 0: total in LN (main.rg:3), locals 0, stack 2\n"
    "       0     3  PUSH_INT      2            ; push the immediate A\n"
    "       5     3  PUSH_INT      3            ; push the immediate A\n"
    "      10     3  ADD                        ; x + y, overflow is an error\n"
    "      11     3  RET                        ; return the top of the stack\n"
    "\n"
    "chunk 1: <select_policy> (main.rg:1), locals 0, stack 1\n"
    "       0     1  PUSH_INT      0            ; push the immediate A\n"
    "       5     1  RET                        ; return the top of the stack\n";

static char *disasm_to_string(const rg_program *p)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    rgc_disasm(p, f);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* Definition 'total' (and its output) of type t, its chunk c: the verifier's verdict. */
static int verify_typed(const codebuf *c, uint16_t n_locals, uint16_t max_stack, rg_type t, char *err, size_t cap)
{
    rg_program *p = build(c, n_locals, max_stack, 0);
    p->defs[0].type = p->outputs[0].type = t;
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len); /* a correct checksum: only the verifier can object */
    rg_program *q = NULL;
    int r = rg_program_load(buf, len, &q, err, cap);
    assert_int_equal(r, rg_program_verify(p, err, cap)); /* loaded or built, the same verdict */
    rg_program_free(q);
    free(buf);
    rg_program_free(p);
    return r;
}

/* What reaches a result of a bool, enum or region type is proven a value of
 * it on every path: a pack cannot make 'scheme' a third member, a bool 7, a
 * region past the pack's policies, whatever its bytes say. */
static void test_result_bounds(void **state)
{
    (void)state;
    const rg_type scheme = RG_TYPE(RG_T_ENUM, 0); /* employee, resident */
    char err[512];
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_RET_IMM, 1, 0); /* resident */
    assert_int_equal(verify_typed(&c, 0, 0, scheme, err, sizeof err), 0);
    c.n = 0;
    emit(&c, RG_OP_RET_IMM, 2, 0); /* no third member */
    assert_int_equal(verify_typed(&c, 0, 0, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "chunk 0 at offset 0: RET_IMM: the value returned may be as large as 2 where a member "
                                "of enumeration 'scheme' (0 .. 1) is needed"));
    c.n = 0;
    emit(&c, RG_OP_PUSH_INT, -1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    assert_int_equal(verify_typed(&c, 0, 1, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "RET: the value returned may be any number"));
    c.n = 0; /* the claim's field of the enumeration, or none: fine */
    emit(&c, RG_OP_LOAD_FIELD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    assert_int_equal(verify_typed(&c, 0, 1, scheme, err, sizeof err), 0);
    c.n = 0; /* arithmetic on it is any number */
    emit(&c, RG_OP_LOAD_FIELD, 0, 0);
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    emit(&c, RG_OP_ADD, 0, 0);
    emit(&c, RG_OP_RET, 0, 0);
    assert_int_equal(verify_typed(&c, 0, 2, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "RET: the value returned may be any number"));
    c.n = 0; /* either arm of an if: both must be members */
    emit(&c, RG_OP_PUSH_INT, 1, 0);
    uint32_t jf = emit(&c, RG_OP_JUMP_IF_FALSE, 0, 0);
    emit(&c, RG_OP_RET_IMM, 0, 0);
    uint32_t other = emit(&c, RG_OP_PUSH_CONST, 0, 0); /* 120000 */
    emit(&c, RG_OP_RET, 0, 0);
    rg_wr32(c.b + jf + 1, other);
    assert_int_equal(verify_typed(&c, 0, 1, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "may be as large as 120000 where a member of enumeration 'scheme'"));
    c.n = 0; /* a comparison is a bool; a bool is no 2 */
    emit(&c, RG_OP_LOAD_FIELD, 0, 0);
    emit(&c, RG_OP_EQ_IMM, 1, 0);
    emit(&c, RG_OP_RET, 0, 0);
    assert_int_equal(verify_typed(&c, 0, 1, RG_TYPE(RG_T_BOOL, 0), err, sizeof err), 0);
    c.n = 0;
    emit(&c, RG_OP_RET_IMM, 2, 0);
    assert_int_equal(verify_typed(&c, 0, 0, RG_TYPE(RG_T_BOOL, 0), err, sizeof err), -1);
    assert_non_null(strstr(err, "where a bool (0 or 1) is needed"));
    c.n = 0; /* the pack has one policy: region 1 is none of them */
    emit(&c, RG_OP_RET_IMM, 1, 0);
    assert_int_equal(verify_typed(&c, 0, 0, RG_TYPE(RG_T_REGION, 0), err, sizeof err), -1);
    assert_non_null(strstr(err, "where one of the 1 regions is needed"));
    c.n = 0; /* a number that is neither: any value is one */
    emit(&c, RG_OP_PUSH_INT, -5, 0);
    emit(&c, RG_OP_RET, 0, 0);
    assert_int_equal(verify_typed(&c, 0, 1, RG_TYPE(RG_T_MONEY, 0), err, sizeof err), 0);
    c.n = 0; /* a local memoised as a member, then set to no member on the way back to that read */
    emit(&c, RG_OP_SET_LOCAL, 0, 1);
    uint32_t head = emit(&c, RG_OP_LOAD_LOCAL, 0, 0);
    emit(&c, RG_OP_STORE_DEF, 0, 1);
    emit(&c, RG_OP_LOAD_LOCAL, 1, 0);
    uint32_t leave = emit(&c, RG_OP_JUMP_IF_FALSE, 0, 0);
    emit(&c, RG_OP_SET_LOCAL, 0, 5);
    uint32_t back = emit(&c, RG_OP_JUMP, 0, 0);
    uint32_t out = emit(&c, RG_OP_RET_IMM, 0, 0);
    rg_wr32(c.b + leave + 1, out);
    rg_wr32(c.b + back + 1, head);
    assert_int_equal(verify_typed(&c, 2, 1, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "STORE_DEF: the value may be as large as 5"));
    c.n = 0; /* a plan memoising a number out of the enumeration */
    emit(&c, RG_OP_PUSH_INT, 7, 0);
    emit(&c, RG_OP_STORE_DEF, 0, 0);
    emit(&c, RG_OP_RET_IMM, 0, 0);
    assert_int_equal(verify_typed(&c, 1, 1, scheme, err, sizeof err), -1);
    assert_non_null(strstr(err, "STORE_DEF: the value may be as large as 7"));

    /* the binder stores a field's default as it is: it must be a member */
    rg_program *p = small();
    p->fields[0].has_default = 1;
    p->fields[0].default_value = 2;
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "field 0: its default 2 is not a value of its type"));
    p->fields[0].default_value = 1;
    assert_int_equal(rg_program_verify(p, err, sizeof err), 0);
    rg_program_free(p);
}

/* ---- copies: a chunk stored as another's code and patches ---- */

/* `if scheme == resident then x else y`: 22 bytes, max_stack 1, RET_IMM x at
 * offset 12 and RET_IMM y at 17, the jump's target at 8. */
static codebuf arms(int32_t x, int32_t y)
{
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_FIELD_EQ, 0, 1);
    uint32_t jf = emit(&c, RG_OP_JUMP_IF_FALSE, 0, 0);
    emit(&c, RG_OP_RET_IMM, (uint32_t)x, 0);
    uint32_t other = emit(&c, RG_OP_RET_IMM, (uint32_t)y, 0);
    rg_wr32(c.b + jf + 1, other);
    return c;
}

/* Chunk c appended to p: 'total' as LN-CY (policy 1, file "LN-CY") computes
 * it, with a line entry of its own. Its chunk number. */
static uint32_t add_chunk(rg_program *p, const codebuf *c, uint16_t max_stack)
{
    uint32_t at = p->n_code;
    p->code = realloc(p->code, at + c->n);
    p->chunks = realloc(p->chunks, (p->n_chunks + 1) * sizeof *p->chunks);
    p->lines = realloc(p->lines, (p->n_lines + 1) * sizeof *p->lines);
    assert_true(p->code && p->chunks && p->lines);
    memcpy(p->code + at, c->b, c->n);
    p->n_code += c->n;
    p->chunks[p->n_chunks] = (rg_chunk){at, c->n, 0, max_stack, 0, 1, RG_NO_INDEX, 3, S_LNCY};
    p->lines[p->n_lines++] = (rg_lineent){at, 3, S_LNCY};
    return p->n_chunks++;
}

/* LN and LN-CY extending it, each computing 'total' (of enumeration
 * 'scheme'): chunk 0 LN's (code a), chunk 1 the entry, chunk 2 LN-CY's (code
 * b, at offset 28 when a is arms()). No copies: each test records its own. */
static rg_program *build_pair(const codebuf *a, const codebuf *b, uint16_t max_stack)
{
    rg_program *p = build(a, 0, max_stack, 0);
    p->defs[0].type = p->outputs[0].type = RG_TYPE(RG_T_ENUM, 0);
    free(p->policies);
    SET(p, policies, rg_policy, {S_LN, RG_NO_INDEX, S_MAIN, 0, RG_NO_INDEX}, {S_LNCY, 0, S_LNCY, 1, RG_NO_INDEX});
    free(p->cat_index);
    SET(p, cat_index, rg_cat_index, {0, 3}, {0, 3});
    free(p->vtable);
    SET(p, vtable, uint32_t, 0, add_chunk(p, b, max_stack));
    return p;
}

/* Where the records of section idx of image buf start (its count 8 bytes before). */
static size_t section_at(const uint8_t *buf, unsigned idx)
{
    size_t pos = RG_HDR_SIZE;
    for (unsigned i = 0; i < idx; i++) pos += RG_SECTION_HDR_SIZE + (size_t)rg_rd32(buf + pos) * rg_rd32(buf + pos + 4);
    return pos + RG_SECTION_HDR_SIZE;
}

static void expect_verified(const rg_program *p)
{
    char err[512];
    int r = rg_program_verify(p, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
}

/* A copy is checked through the chunk it repeats, yet each copy's values are
 * held to its definition's bounds, and an error names the chunk it is in. */
static void test_copies_verified(void **state)
{
    (void)state;
    codebuf a = arms(0, 1), b = arms(1, 0);
    rg_program *p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 2, 0});
    SET(p, patches, rg_patch, {12, 1, 1}, {17, 1, 0});
    expect_verified(p);
    rg_program_free(p);

    /* LN-CY's second arm is no member: the walk was LN's chunk's, the error is the copy's */
    b = arms(1, 2);
    p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 2, 0});
    SET(p, patches, rg_patch, {12, 1, 1}, {17, 1, 2});
    expect_table_error(p, "chunk 2 at offset 17: RET_IMM: the value returned may be as large as 2 where a member "
                          "of enumeration 'scheme' (0 .. 1) is needed");

    /* the chunk repeated answers for its own */
    a = arms(0, 2);
    b = arms(1, 2);
    p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 1, 0});
    SET(p, patches, rg_patch, {12, 1, 1});
    expect_table_error(p, "chunk 0 at offset 17: RET_IMM: the value returned may be as large as 2");

    /* of two copies, the walk covers the wider: the bad one, listed first, is found */
    a = arms(0, 1);
    b = arms(0, 2);
    codebuf c = arms(0, 0);
    p = build_pair(&a, &b, 1);
    assert_int_equal(add_chunk(p, &c, 1), 3);
    SET(p, copies, rg_copy, {2, 0, 0, 1, 0}, {3, 0, 1, 1, 0});
    SET(p, patches, rg_patch, {17, 1, 2}, {17, 1, 0});
    expect_table_error(p, "chunk 2 at offset 17: RET_IMM: the value returned may be as large as 2");

    /* bytes that differ where no patch says: a copy that is not what its record says is refused (the file
     * would hold other code than the program's) */
    b = arms(1, 2);
    p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 1, 0});
    SET(p, patches, rg_patch, {12, 1, 1});
    char err[512];
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "copy 0: chunk 2 is not chunk 0's code with its patches (after offset 17)"));
    rg_program_free(p);

    /* a patch on an operand no copy may have of its own (a jump) */
    b = arms(0, 1);
    rg_wr32(b.b + 8, 9999);
    p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 1, 0});
    SET(p, patches, rg_patch, {7, 1, 9999});
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "copy 0: patch 0 is not on an operand of an instruction of chunk 0 that a copy may change"));
    rg_program_free(p);

    /* a copy of a copy, and a copy of another length */
    b = arms(0, 1);
    p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 1, 0, 0, 0});
    expect_table_error(p, "copy 0: chunk 2 has 22 bytes, chunk 1 it repeats 6");
}

/* The file leaves a copy's code out; the loader puts it back from the chunk
 * it repeats and its patches, refusing copies it cannot place. */
static void test_copies_loaded(void **state)
{
    (void)state;
    codebuf a = arms(0, 1), b = arms(1, 0);
    rg_program *p = build_pair(&a, &b, 1);
    uint8_t *whole, *buf;
    size_t whole_len, len;
    image_of(p, &whole, &whole_len);
    SET(p, copies, rg_copy, {2, 0, 0, 2, 0});
    SET(p, patches, rg_patch, {12, 1, 1}, {17, 1, 0});
    image_of(p, &buf, &len);
    /* the code section without the copy's 22 bytes; a copy and two patches instead */
    assert_int_equal(rg_rd32(buf + section_at(buf, RG_SEC_code) - 8), p->n_code - b.n);
    assert_int_equal(len, whole_len - b.n + sizeof(rg_copy) + 2 * sizeof(rg_patch));
    char err[512];
    rg_program *q = NULL;
    int r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    assert_programs_equal(p, q);
    rg_program_free(q);
    free(whole);

    /* copies out of the order of their code: the entry chunk (its code LN's: PUSH_INT 0; RET) put after
     * LN-CY's */
    codebuf zero = {{0}, 0}, one = {{0}, 0};
    emit(&zero, RG_OP_PUSH_INT, 0, 0);
    emit(&zero, RG_OP_RET, 0, 0);
    emit(&one, RG_OP_PUSH_INT, 1, 0);
    emit(&one, RG_OP_RET, 0, 0);
    rg_program *two = build_pair(&zero, &one, 1);
    SET(two, copies, rg_copy, {1, 0, 0, 0, 0}, {2, 0, 0, 1, 0});
    SET(two, patches, rg_patch, {0, 1, 1});
    expect_verified(two);
    uint8_t *swapped;
    size_t swapped_len;
    image_of(two, &swapped, &swapped_len);
    assert_int_equal(rg_program_load(swapped, swapped_len, &q, err, sizeof err), 0); /* in order, it loads */
    rg_program_free(q);
    size_t at = section_at(swapped, RG_SEC_copies);
    memcpy(swapped + at, &two->copies[1], sizeof(rg_copy));
    memcpy(swapped + at + sizeof(rg_copy), &two->copies[0], sizeof(rg_copy));
    reseal(swapped, swapped_len);
    expect_load_error(swapped, swapped_len,
                      "invalid bytecode: copy 1: chunk 1's code 6+6 is not after the previous copy's, or runs past the code");
    free(swapped);
    rg_program_free(two);

    /* a copy of the 6-byte entry chunk */
    p->copies[0].of = 1;
    free(buf);
    image_of(p, &buf, &len);
    expect_load_error(buf, len, "invalid bytecode: copy 0: chunk 2 has 22 bytes, chunk 1 it repeats 6");
    p->copies[0].of = 0;

    /* a copy's chunk claiming 2 GB: more code than a 1 KB file may make the loader put back */
    free(buf);
    image_of(p, &buf, &len);
    rg_wr32(buf + section_at(buf, RG_SEC_chunks) + 2 * sizeof(rg_chunk) + offsetof(rg_chunk, len), 0x7FFFFFFF);
    reseal(buf, len);
    expect_load_error(buf, len, "invalid bytecode: the copies' code (2147483647 bytes) is more than 64 times the "
                                "file's size");

    /* patches past the table */
    p->copies[0].first_patch = 1;
    free(buf);
    image_of(p, &buf, &len);
    expect_load_error(buf, len, "invalid bytecode: copy 0: patches 1+2 run past the 2 patches");
    p->copies[0].first_patch = 0;

    /* a patch where chunk 0 has no such operand: RET_IMM's B, inside an immediate (a 0 byte: NOP), past the
     * chunk, a 2-byte operand given a wider value */
    const rg_patch bad[] = {{12, 2, 1}, {13, 1, 1}, {22, 1, 1}, {0, 1, 0x10000}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p->patches[0] = bad[i];
        free(buf);
        image_of(p, &buf, &len);
        expect_load_error(buf, len, "invalid bytecode: copy 0: patch 0 is not an operand of an instruction of chunk 0");
    }
    free(buf);
    rg_program_free(p);
}

/* The vtable section: a child's row as its differences from its parent's
 * when the rows are the policies' in order, else as it is. */
static void test_vtable_forms(void **state)
{
    (void)state;
    codebuf a = arms(0, 1), b = arms(1, 0);
    rg_program *p = build_pair(&a, &b, 1);
    const struct {
        uint32_t vtable[2], row[2], parent[2]; /* the vtable; policies 0 and 1's rows and parents */
        uint32_t n_words, words[3];            /* the section: how many words, the first ones */
    } cases[] = {
        /* LN's row; LN-CY's one difference, (0, 2) */
        {{0, 2}, {0, 1}, {RG_NO_INDEX, 0}, 5, {RG_VTABLE_BY_PARENT, 0, 1}},
        /* LN-CY's row is LN's */
        {{2, 2}, {0, 1}, {RG_NO_INDEX, 0}, 3, {RG_VTABLE_BY_PARENT, 2, 0}},
        /* LN's row after LN-CY's */
        {{2, 0}, {1, 0}, {RG_NO_INDEX, 0}, 3, {RG_VTABLE_AS_IS, 2, 0}},
        /* LN extends LN-CY, which comes after it */
        {{0, 2}, {0, 1}, {1, RG_NO_INDEX}, 3, {RG_VTABLE_AS_IS, 0, 2}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(p->vtable, cases[i].vtable, sizeof cases[i].vtable);
        p->policies[0].vtable = cases[i].row[0];
        p->policies[1].vtable = cases[i].row[1];
        p->policies[0].parent = cases[i].parent[0];
        p->policies[1].parent = cases[i].parent[1];
        expect_verified(p);
        uint8_t *buf;
        size_t len;
        image_of(p, &buf, &len);
        size_t at = section_at(buf, RG_SEC_vtable);
        assert_int_equal(rg_rd32(buf + at - 8), cases[i].n_words);
        for (int w = 0; w < 3; w++) assert_int_equal(rg_rd32(buf + at + 4 * w), cases[i].words[w]);
        char err[512];
        rg_program *q = NULL;
        int r = rg_program_load(buf, len, &q, err, sizeof err);
        if (r) print_error("%s\n", err);
        assert_int_equal(r, 0);
        assert_int_equal(q->n_vtable, 2);
        assert_memory_equal(q->vtable, cases[i].vtable, sizeof cases[i].vtable);
        assert_memory_equal(q->policies, p->policies, 2 * sizeof *p->policies);
        rg_program_free(q);
        /* a form the loader does not know */
        rg_wr32(buf + at, 2);
        reseal(buf, len);
        expect_load_error(buf, len, "the vtable section does not start with its form (0 or 1)");
        free(buf);
    }
    /* a child's slot past the definitions */
    memcpy(p->vtable, cases[0].vtable, sizeof cases[0].vtable);
    p->policies[0] = (rg_policy){S_LN, RG_NO_INDEX, S_MAIN, 0, RG_NO_INDEX};
    p->policies[1] = (rg_policy){S_LNCY, 0, S_LNCY, 1, RG_NO_INDEX};
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    rg_wr32(buf + section_at(buf, RG_SEC_vtable) + 12, 5);
    reseal(buf, len);
    expect_load_error(buf, len, "invalid bytecode: policy 1: vtable slot 5 is out of range (1 definitions)");
    free(buf);

    /* 2,000 cities of one province and 2,000 definitions: a row a word in the file, 16 MB of vtable from a
     * file of ≈ 80 KB, more than a small file may make the loader allocate */
    enum { P = 2000, D = 2000 };
    free(p->policies);
    free(p->defs);
    free(p->vtable);
    p->policies = calloc(P, sizeof *p->policies);
    p->defs = calloc(D, sizeof *p->defs);
    p->vtable = calloc((size_t)P * D, sizeof *p->vtable);
    assert_true(p->policies && p->defs && p->vtable);
    for (uint32_t i = 0; i < P; i++)
        p->policies[i] = (rg_policy){S_LN, i ? 0 : RG_NO_INDEX, S_MAIN, i * D, RG_NO_INDEX};
    p->n_policies = P;
    p->n_defs = D;
    p->n_vtable = P * D;
    image_of(p, &buf, &len);
    assert_true(len < 100000);
    expect_load_error(buf, len, "invalid bytecode: a vtable of 2000 policies x 2000 definitions is more than 64 times "
                                "the file's size");
    free(buf);
    rg_program_free(p);
}

/* A copy whose lines are moved from the chunk it repeats has no line entries:
 * it has that chunk's lines, in its own file where they were that chunk's. */
static void test_copy_lines(void **state)
{
    (void)state;
    codebuf a = arms(0, 1), b = arms(1, 0);
    rg_program *p = build_pair(&a, &b, 1);
    SET(p, copies, rg_copy, {2, 0, 0, 2, 1});
    SET(p, patches, rg_patch, {12, 1, 1}, {17, 1, 0});
    /* LN's chunk: line 3, its second arm line 9 of another file (as an inlined function's); the entry line 1;
     * LN-CY's chunk (28..49) none */
    free(p->lines);
    SET(p, lines, rg_lineent, {0, 3, S_MAIN}, {17, 9, S_TAX}, {22, 1, S_MAIN});
    expect_verified(p);
    uint8_t *buf;
    size_t len;
    image_of(p, &buf, &len);
    char err[512];
    rg_program *q = NULL;
    int r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r) print_error("%s\n", err);
    assert_int_equal(r, 0);
    const rg_program *both[] = {p, q}; /* built or loaded, the same lines */
    for (int i = 0; i < 2; i++) {
        uint32_t file = 0;
        assert_int_equal(rg_program_line(both[i], 28, &file), 3);
        assert_int_equal(file, S_LNCY);
        assert_int_equal(rg_program_line(both[i], 28 + 16, &file), 3);
        assert_int_equal(file, S_LNCY);
        assert_int_equal(rg_program_line(both[i], 28 + 17, &file), 9);
        assert_int_equal(file, S_TAX);
        assert_int_equal(rg_program_line(both[i], 28 + 21, &file), 9);
        assert_int_equal(file, S_TAX);
        assert_int_equal(rg_program_line(both[i], 27, &file), 1); /* the entry chunk's, before the copy */
        assert_int_equal(file, S_MAIN);
        assert_int_equal(rg_program_line(both[i], 17, &file), 9); /* LN's own */
        assert_int_equal(file, S_TAX);
    }
    /* lines 0: the copy's own entries, and it has none: the last one before it */
    p->copies[0].lines = 0;
    uint32_t file = 0;
    assert_int_equal(rg_program_line(p, 28, &file), 1);
    assert_int_equal(file, S_MAIN);
    rg_program_free(q);
    free(buf);
    rg_program_free(p);
}

/* Load image with key (NULL: none required): 0, or -1 with the message in err. */
static int load_with(const uint8_t *buf, size_t len, const uint8_t *key, char *err, size_t cap)
{
    rg_program *q = NULL;
    int r = rg_program_load_key(buf, len, key, &q, err, cap);
    assert_true(r == 0 ? q != NULL : q == NULL);
    rg_program_free(q);
    return r;
}

/* Signed packs (docs/bytecode.md, "Signature"): a host given a public key
 * loads only what its secret key signed; without a key, signed and unsigned
 * packs load alike. */
static void test_signatures(void **state)
{
    (void)state;
    uint8_t pk1[RG_KEY_BYTES], seed1[RG_KEY_BYTES], pk2[RG_KEY_BYTES], seed2[RG_KEY_BYTES];
    assert_int_equal(rgc_key_pair(pk1, seed1), 0);
    assert_int_equal(rgc_key_pair(pk2, seed2), 0);
    assert_memory_not_equal(pk1, pk2, RG_KEY_BYTES);
    rg_program *p = small();
    uint8_t *plain, *sig;
    size_t plain_len, sig_len;
    image_of(p, &plain, &plain_len);
    image_of(p, &sig, &sig_len);
    char err[512];
    assert_int_equal(rgc_image_sign(&sig, &sig_len, seed1, err, sizeof err), 0);
    assert_int_equal(sig_len, plain_len + RG_SIG_BLOCK_SIZE);
    assert_int_equal(rg_rd16(sig + RG_HDR_FLAGS), RG_FLAG_SIGNED);
    assert_memory_equal(sig + plain_len + RG_SIG_KEY, pk1, RG_KEY_BYTES);

    /* no key required: both load */
    assert_int_equal(load_with(plain, plain_len, NULL, err, sizeof err), 0);
    assert_int_equal(load_with(sig, sig_len, NULL, err, sizeof err), 0);
    /* the key that signed it: loads; another: refused, naming both */
    assert_int_equal(load_with(sig, sig_len, pk1, err, sizeof err), 0);
    assert_int_equal(load_with(sig, sig_len, pk2, err, sizeof err), -1);
    char id1[17], id2[17], want[200];
    rg_key_id(pk1, id1);
    rg_key_id(pk2, id2);
    snprintf(want, sizeof want, "the pack is signed with key %s…, but only packs signed with key %s… may be loaded", id1,
             id2);
    assert_non_null(strstr(err, want));
    /* unsigned, with a key required: refused, saying how to sign */
    assert_int_equal(load_with(plain, plain_len, pk1, err, sizeof err), -1);
    assert_non_null(strstr(err, "the pack is not signed"));
    assert_non_null(strstr(err, "regula compile --sign KEY.key"));

    /* a byte changed after signing, the checksum made right: the signature catches it */
    uint8_t *t = malloc(sig_len);
    assert_non_null(t);
    for (size_t pos = 0; pos + RG_CHECKSUM_SIZE + RG_SIG_BLOCK_SIZE < sig_len; pos += 7) {
        memcpy(t, sig, sig_len);
        t[pos] ^= 0x10;
        reseal(t, sig_len - RG_SIG_BLOCK_SIZE);
        if (pos == RG_HDR_FLAGS) /* the flag itself: now unsigned with a block after it */
            continue;
        int r = load_with(t, sig_len, pk1, err, sizeof err);
        assert_int_equal(r, -1);
    }
    memcpy(t, sig, sig_len);
    t[RG_HDR_SIZE + 9] ^= 1; /* inside the strings */
    reseal(t, sig_len - RG_SIG_BLOCK_SIZE);
    assert_int_equal(load_with(t, sig_len, pk1, err, sizeof err), -1);
    assert_non_null(strstr(err, "the pack's signature does not match its bytes: it was changed after it was signed"));
    /* the signature or its key changed: refused */
    memcpy(t, sig, sig_len);
    t[sig_len - 1] ^= 1;
    assert_int_equal(load_with(t, sig_len, pk1, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not match its bytes"));
    /* a block of another shape: refused with or without a key */
    memcpy(t, sig, sig_len);
    t[plain_len + RG_SIG_ALG] = 2;
    assert_int_equal(load_with(t, sig_len, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "signature block is not one this VM reads"));
    /* signed flag, no block; block, no flag */
    assert_int_equal(load_with(sig, plain_len, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "is signed (flag 0x0001) but has 0 bytes after its checksum"));
    memcpy(t, sig, sig_len);
    rg_wr16(t + RG_HDR_FLAGS, 0);
    reseal(t, plain_len);
    assert_int_equal(load_with(t, sig_len, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "104 unexpected bytes after its checksum"));
    /* a flag this VM does not know */
    memcpy(t, plain, plain_len);
    rg_wr16(t + RG_HDR_FLAGS, 0x0004);
    reseal(t, plain_len);
    assert_int_equal(load_with(t, plain_len, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "bytecode flags 0x0004 are not supported by this VM"));

    /* key files: a line of text each way */
    char line[RG_KEY_TEXT_MAX];
    uint8_t back[RG_KEY_BYTES];
    rg_key_format(pk1, 0, line);
    assert_int_equal(rg_key_parse(line, strlen(line), 0, back, err, sizeof err), 0);
    assert_memory_equal(back, pk1, RG_KEY_BYTES);
    assert_int_equal(rg_key_parse(line, strlen(line), 1, back, err, sizeof err), -1);
    assert_non_null(strstr(err, "this is a public key: sign with the secret key"));
    rg_key_format(seed1, 1, line);
    assert_int_equal(rg_key_parse(line, strlen(line), 0, back, err, sizeof err), -1);
    assert_non_null(strstr(err, "this is a secret key: give the public key"));
    assert_int_equal(rg_key_parse("regula-ed25519-public 12ab", 26, 0, back, err, sizeof err), -1);
    assert_non_null(strstr(err, "a key is 64 hex digits"));
    free(t);
    free(plain);
    free(sig);
    rg_program_free(p);
}

static void test_disasm(void **state)
{
    (void)state;
    rg_program *p = small();
    char *s = disasm_to_string(p);
    if (strcmp(s, k_listing) != 0) {
        fputs("got:\n", stderr);
        fputs(s, stderr);
    }
    assert_string_equal(s, k_listing);
    free(s);
    rg_program_free(p);
}

static void test_disasm_operands(void **state)
{
    (void)state;
    codebuf c = {{0}, 0};
    emit(&c, RG_OP_PUSH_CONST, 0, 0);
    emit(&c, RG_OP_PUSH_STR, S_HELLO, 0);
    emit(&c, RG_OP_LOAD_FIELD, 0, 0);
    emit(&c, RG_OP_LOAD_IFIELD, 0, RG_ROW_OF_FRAME);
    emit(&c, RG_OP_LOAD_DEF, 0, 0);
    emit(&c, RG_OP_PUSH_INT, (uint32_t)-7, 0);
    emit(&c, RG_OP_CAT_COL, 0, 1);
    emit(&c, RG_OP_JUMP, 34, 0);
    emit(&c, RG_OP_RET, 0, 0);
    rg_program *p = build(&c, 0, 8, 0);
    p->versions[0].from = -100000001; /* far dates print as day numbers (found by fuzzing) */
    p->versions[0].until = INT64_MAX;
    char err[512];
    /* the verifier refuses a number read as a catalog row; the listing shows it all the same */
    assert_int_equal(rg_program_verify(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "CAT_COL: the row may be a number"));
    char *s = disasm_to_string(p);
    const char *want[] = {
        "       0     3  PUSH_CONST    0            ; 120000\n",
        "       3     3  PUSH_STR      14           ; \"say \\\"hi\\\"\\n\"\n",
        "       8     3  LOAD_FIELD    0            ; person.scheme\n",
        "      11     3  LOAD_IFIELD   0 frame      ; ? of the frame's row\n",
        "      16     3  LOAD_DEF      0            ; total\n",
        "      19     3  PUSH_INT      -7           ; push the immediate A\n",
        "      24     3  CAT_COL       0 1          ; drugs.price\n",
        "      29     3  JUMP          34           ; go to A\n",
        "      34     3  RET                        ; return the top of the stack\n",
        "    version 0 \"2024\" day -100000001..day 9223372036854775807\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(s, want[i])) fprintf(stderr, "missing '%s' in:\n%s", want[i], s);
        assert_non_null(strstr(s, want[i]));
    }
    free(s);
    rg_program_free(p);
}

/* The fuzz seeds: the small, control-flow and rich programs, into dir. */
static int write_seeds(const char *dir)
{
    codebuf flow = flow_code();
    rg_program *progs[3] = {small(), build(&flow, 2, 1, 0), build_rich()};
    const char *names[3] = {"small.rgb", "flow.rgb", "rich.rgb"};
    int r = 0;
    for (int i = 0; i < 3; i++) {
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (rgc_program_write_file(progs[i], path, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            r = 1;
        }
        rg_program_free(progs[i]);
    }
    return r;
}

/* ---- the string builder and the error helper (bytecode/text.h) ---- */

static void test_string_builder(void **state)
{
    (void)state;
    rg_sb g = {0}; /* grows on the heap */
    assert_string_equal(rg_sb_str(&g), "");
    for (int i = 0; i < 300; i++)
        rg_sb_printf(&g, "%d,", i % 10);
    assert_int_equal(g.n, 600);
    assert_int_equal(strlen(rg_sb_str(&g)), 600);
    assert_memory_equal(g.s, "0,1,2,", 6);
    rg_sb_free(&g);
    assert_null(g.s);

    char small[8];
    rg_sb o; /* over a small buffer, then the heap */
    rg_sb_over(&o, small, sizeof small);
    rg_sb_puts(&o, "abc");
    assert_ptr_equal(o.s, small);
    rg_sb_puts(&o, "defghij");
    assert_ptr_not_equal(o.s, small);
    rg_sb_printf(&o, "%s-%d", "k", 12);
    assert_string_equal(rg_sb_str(&o), "abcdefghijk-12");
    rg_sb_free(&o);

    char fixed[8];
    rg_sb f; /* bounded: cut as snprintf cuts */
    rg_sb_fixed(&f, fixed, sizeof fixed);
    rg_sb_puts(&f, "abcd");
    rg_sb_printf(&f, "%s", "efghij");
    assert_string_equal(fixed, "abcdefg");
    rg_sb_puts(&f, "x");
    rg_sb_printf(&f, "%d", 5);
    assert_string_equal(fixed, "abcdefg");
    assert_int_equal(f.n, 7);
    assert_int_equal(f.oom, 0);

    char err[8];
    assert_int_equal(rg_errf(err, sizeof err, "bad %s", "thing"), -1);
    assert_string_equal(err, "bad thi");
    assert_int_equal(rg_errf(NULL, 0, "ignored"), -1);
}

/* rg_pct's inline path (a multiply by the reciprocal of a million) gives
 * what the 128-bit reference gives, at the edges of its range and between;
 * rg_div_million is u / 1000000 for every u, the largest included. */
static void test_pct_inline(void **state)
{
    (void)state;
    const uint64_t us[] = {0, 1, 499999, 500000, 999999, 1000000, 1000001, 123456789012345, (uint64_t)1 << 62,
                           INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++)
        assert_true(rg_div_million(us[i]) == us[i] / 1000000);
    const int64_t xs[] = {0, 1, -1, 49, 50, 51, 99, 100, 101, 12345, -12345, 999999, ((int64_t)1 << 40) - 1,
                          -(((int64_t)1 << 40) - 1)};
    const int64_t ps[] = {0, 1, -1, 5000, 10000, 333333, 500000, 700000, 1000000, 1234567, ((int64_t)1 << 22) - 1,
                          -(((int64_t)1 << 22) - 1)};
    uint64_t seed = 1;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++)
            for (int k = 0; k < 200; k++) {
                int64_t x = xs[i], p = ps[j];
                if (k) { /* and near them */
                    seed = seed * 6364136223846793005u + 1442695040888963407u;
                    x += (int64_t)(seed >> 54) - 512;
                    p += (int64_t)(seed >> 20 & 1023) - 512;
                }
                int64_t a = 0, b = 0;
                int ra = rg_pct(x, p, &a), rb = rg_pct_wide(x, p, &b);
                assert_int_equal(ra, rb);
                if (a != b) print_error("pct(%lld, %lld): %lld, wide %lld\n", (long long)x, (long long)p, (long long)a,
                                        (long long)b);
                assert_true(a == b);
            }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) return write_seeds(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_pct_inline),
        cmocka_unit_test(test_rich_program),
        cmocka_unit_test(test_line_lookup_edges),
        cmocka_unit_test(test_write_is_deterministic),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_bad_magic_and_version),
        cmocka_unit_test(test_resealed_envelope),
        cmocka_unit_test(test_valid_control_flow),
        cmocka_unit_test(test_jumps),
        cmocka_unit_test(test_decoding),
        cmocka_unit_test(test_operand_bounds),
        cmocka_unit_test(test_stack),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_value_classes),
        cmocka_unit_test(test_result_bounds),
        cmocka_unit_test(test_copies_verified),
        cmocka_unit_test(test_copies_loaded),
        cmocka_unit_test(test_vtable_forms),
        cmocka_unit_test(test_copy_lines),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_disasm),
        cmocka_unit_test(test_disasm_operands),
        cmocka_unit_test(test_string_builder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
