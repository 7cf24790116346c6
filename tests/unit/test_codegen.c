/* test_codegen.c — unit tests of the code generator: a tiny pack (a base policy and a child with versions) compiled, and its program inspected: definitions and their types, vtables sharing the parent's chunks, version selectors, constants, the line table, entry chunks, and that the verifier and the bytecode writer/loader accept it.
 * Reads the program only; running it is test_vm.c's business. */
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
#include "program_eq.h"
#include "vm.h"
#include "compiler.h"
#include "disasm.h"
#include "pack_fixture.h"

static const char BASE[] =
    "policy CN\n"                                         /* 1 */
    "enum scheme { employee, resident }\n"                /* 2 */
    "record item {\n  code: string\n  amount: money\n}\n" /* 3-6 */
    "claim {\n"                                           /* 7 */
    "  region: region\n"
    "  date: date\n"
    "  scheme: scheme\n"
    "  items: list of item\n"
    "}\n"                                                 /* 12 */
    "select policy by region as of date\n"                /* 13 */
    "param cap: money = ¥1_000\n"                         /* 14 */
    "param huge: money = ¥90_000_000_000\n"               /* 15 */
    "table ratio: percent by (scheme) {\n"                /* 16 */
    "  | employee -> 70%\n"
    "  | resident -> 50%\n"
    "}\n"
    "decide eligible: bool {\n"                           /* 20 */
    "  when region == CN -> true\n"
    "  otherwise -> false\n"
    "}\n"
    "for item in items {\n"                               /* 24 */
    "  def share = pct(item.amount, ratio)\n"             /* 25 */
    "}\n"
    "def total = sum item.share for item in items\n"      /* 27 */
    "def fund = if eligible then min(total, cap) else ¥0\n" /* 28 */
    "def big = fund + huge\n"                             /* 29 */
    "result { fund = fund }\n";                           /* 30 */

static const char CHILD[] =
    "policy LN extends CN\n"                              /* 1 */
    "table ratio {\n  | employee -> 80%\n}\n"             /* 2-4 */
    "version \"2024\" from 2024-01-01 until 2024-12-31 {\n" /* 5 */
    "  param cap = ¥2_000\n"                              /* 6 */
    "}\n"
    "version \"2025\" from 2025-01-01 {\n"                /* 8 */
    "  param cap = ¥3_000\n"                              /* 9 */
    "}\n";

static fx_pack *compile_family(void)
{
    const char *files[] = {"CN.rg", BASE, "LN.rg", CHILD, NULL};
    return fx_compile_ok(files);
}

static const char *str(const rg_program *p, uint32_t id)
{
    assert_true(id < p->n_strings);
    return p->blob + p->strings[id].offset;
}

static uint32_t slot(fx_pack *R, const char *name)
{
    uint32_t s = rgc_def_slot(R->pk, name);
    if (s == RG_NO_INDEX)
        print_error("no definition '%s'\n", name);
    assert_true(s != RG_NO_INDEX);
    return s;
}

/* The chunk policy pol runs for definition s. */
static const rg_chunk *chunk_of(const rg_program *p, uint32_t pol, uint32_t s)
{
    uint32_t c = p->vtable[p->policies[pol].vtable + s];
    assert_true(c < p->n_chunks);
    return &p->chunks[c];
}

static void test_definitions_and_types(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    static const struct {
        const char *name;
        rg_type_kind type;
        rg_def_kind kind;
        int per_item;
    } want[] = {
        {"cap", RG_T_MONEY, RG_DEF_PARAM, 0},      {"huge", RG_T_MONEY, RG_DEF_PARAM, 0},
        {"ratio", RG_T_PERCENT, RG_DEF_TABLE, 0},  {"eligible", RG_T_BOOL, RG_DEF_DECIDE, 0},
        {"share", RG_T_MONEY, RG_DEF_DEF, 1},      {"total", RG_T_MONEY, RG_DEF_DEF, 0},
        {"fund", RG_T_MONEY, RG_DEF_DEF, 0},       {"big", RG_T_MONEY, RG_DEF_DEF, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint32_t s = slot(R, want[i].name);
        const rg_def *d = &p->defs[s];
        assert_string_equal(str(p, d->name), want[i].name);
        assert_int_equal(RG_TYPE_KIND(d->type), want[i].type);
        assert_int_equal(d->kind, want[i].kind);
        assert_int_equal(d->per_item, want[i].per_item);
        /* the base policy's chunk computes that definition, in CN.rg */
        const rg_chunk *c = chunk_of(p, 0, s);
        assert_int_equal(c->def, s);
        assert_int_equal(c->policy, 0);
        assert_true(strstr(str(p, c->file), "/CN.rg") != NULL);
    }
    assert_int_equal(p->n_item_defs, 1);
    assert_int_equal(p->defs[slot(R, "share")].item_index, 0);
    /* the claim schema: the list and its item fields */
    assert_true(p->list_field != RG_NO_INDEX);
    assert_string_equal(str(p, p->fields[p->list_field].path), "items");
    assert_int_equal(p->n_item_slots, 2);
    assert_int_equal(p->n_outputs, 1);
    assert_string_equal(str(p, p->outputs[0].name), "fund");
    assert_int_equal(p->outputs[0].def, slot(R, "fund"));
    /* the enum and its members */
    assert_int_equal(p->n_enums, 1);
    assert_string_equal(str(p, p->enums[0].name), "scheme");
    assert_string_equal(str(p, p->member_names[p->enums[0].first_member + 1]), "resident");
    fx_free(R);
}

static void test_vtables_share_chunks(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    assert_int_equal(p->n_policies, 2);
    assert_string_equal(str(p, p->policies[1].name), "LN");
    assert_int_equal(p->policies[1].parent, 0);
    assert_int_equal(p->policies[0].parent, RG_NO_INDEX);
    /* not overridden: the very chunk of the parent */
    const char *same[] = {"huge", "eligible", "share", "total", "fund", "big"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        uint32_t s = slot(R, same[i]);
        assert_int_equal(p->vtable[p->policies[1].vtable + s], p->vtable[p->policies[0].vtable + s]);
    }
    /* overridden: LN's own chunk, written in LN.rg at the table's line */
    uint32_t r = slot(R, "ratio");
    assert_int_not_equal(p->vtable[p->policies[1].vtable + r], p->vtable[p->policies[0].vtable + r]);
    const rg_chunk *c = chunk_of(p, 1, r);
    assert_int_equal(c->policy, 1);
    assert_int_equal(c->def, r);
    assert_int_equal(c->line, 2);
    assert_true(strstr(str(p, c->file), "/LN.rg") != NULL);
    fx_free(R);
}

static void test_version_selector(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    assert_int_equal(p->n_versions, 2);
    assert_string_equal(str(p, p->versions[0].name), "2024");
    assert_int_equal(p->versions[0].policy, 1);
    assert_int_equal(p->versions[0].from, 19723);  /* 2024-01-01 */
    assert_int_equal(p->versions[0].until, 20088); /* 2024-12-31 */
    assert_true(p->versions[1].until == RG_NONE);  /* open-ended */
    uint32_t s = slot(R, "cap");
    /* LN's cap is a selector chunk: one VSELECT */
    const rg_chunk *c = chunk_of(p, 1, s);
    assert_int_equal(c->len, rg_op_length(RG_OP_VSELECT));
    rg_insn in;
    assert_int_equal(rg_decode(p->code + c->start, c->len, &in), 0);
    assert_int_equal(in.op, RG_OP_VSELECT);
    assert_true(in.a < p->n_vselectors);
    const rg_vselector *sel = &p->vselectors[in.a];
    assert_int_equal(sel->n_entries, 2);
    /* falling back to CN's cap */
    assert_int_equal(sel->fallback, p->vtable[p->policies[0].vtable + s]);
    for (uint32_t k = 0; k < sel->n_entries; k++) {
        const rg_vsel_entry *e = &p->vsel_entries[sel->first_entry + k];
        assert_int_equal(e->version, k);
        const rg_chunk *vc = &p->chunks[e->chunk];
        assert_int_equal(vc->version, k);
        assert_int_equal(vc->def, s);
        assert_int_equal(vc->policy, 1);
        assert_int_equal(vc->line, k == 0 ? 6 : 9);
    }
    /* the selector is located at the first version's definition, not at CN's */
    assert_int_equal(c->line, 6);
    assert_true(strstr(str(p, c->file), "/LN.rg") != NULL);
    /* definitions no version touches get no selector */
    assert_int_equal(p->n_vselectors, 1);
    fx_free(R);
}

static void test_constants_and_lines(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    /* ¥90_000_000_000 does not fit an immediate: it is a constant */
    int found = 0;
    for (uint32_t i = 0; i < p->n_consts; i++)
        found |= p->consts[i] == 9000000000000LL;
    assert_true(found);
    const rg_chunk *c = chunk_of(p, 0, slot(R, "huge"));
    rg_insn in;
    assert_int_equal(rg_decode(p->code + c->start, c->len, &in), 0);
    assert_int_equal(in.op, RG_OP_PUSH_CONST);
    assert_true(p->consts[in.a] == 9000000000000LL);
    /* the line table: each definition's code maps to its source line */
    static const struct {
        const char *name;
        uint32_t line;
    } lines[] = {{"cap", 14}, {"huge", 15}, {"total", 27}, {"fund", 28}, {"big", 29}};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        c = chunk_of(p, 0, slot(R, lines[i].name));
        uint32_t file = RG_NO_INDEX;
        assert_int_equal(c->line, lines[i].line);
        assert_int_equal(rg_program_line(p, c->start, &file), lines[i].line);
        assert_true(strstr(str(p, file), "/CN.rg") != NULL);
    }
    /* table rows: each row's code is on its own line; the "no row" failure on the table's */
    c = chunk_of(p, 0, slot(R, "ratio"));
    uint32_t seen17 = 0, seen18 = 0, fail_line = 0;
    for (uint32_t off = c->start; off < c->start + c->len;) {
        assert_int_equal(rg_decode(p->code + off, c->start + c->len - off, &in), 0);
        uint32_t l = rg_program_line(p, off, NULL);
        seen17 |= l == 17;
        seen18 |= l == 18;
        if (in.op == RG_OP_FAIL)
            fail_line = l;
        off += in.len;
    }
    assert_true(seen17 && seen18);
    assert_int_equal(fail_line, 16);
    fx_free(R);
}

static void test_entries(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    assert_true(p->entry.select_policy < p->n_chunks);
    assert_true(p->entry.asof < p->n_chunks);
    assert_int_equal(p->chunks[p->entry.select_policy].def, RG_NO_INDEX);
    assert_int_equal(p->chunks[p->entry.select_policy].line, 13);
    /* no update declared: no policy has an update chunk */
    for (uint32_t i = 0; i < p->n_policies; i++)
        assert_int_equal(p->policies[i].update, RG_NO_INDEX);
    fx_free(R);
}

static void test_verify_write_load(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    const rg_program *p = rgc_pack_program(R->pk);
    char err[512] = "";
    int r = rg_program_verify(p, err, sizeof err);
    if (r)
        print_error("%s\n", err);
    assert_int_equal(r, 0);
    /* every chunk ends in a terminator and decodes cleanly */
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        const rg_chunk *c = &p->chunks[i];
        uint32_t off = c->start, last = RG_OP_NOP;
        while (off < c->start + c->len) {
            rg_insn in;
            assert_int_equal(rg_decode(p->code + off, c->start + c->len - off, &in), 0);
            last = in.op;
            off += in.len;
        }
        assert_int_equal(off, c->start + c->len);
        assert_true(last == RG_OP_RET || last == RG_OP_FAIL || last == RG_OP_JUMP || last == RG_OP_VSELECT);
    }
    /* the image loads back to the same tables */
    uint8_t *buf;
    size_t len;
    assert_int_equal(rgc_program_write(p, &buf, &len), 0);
    rg_program *q = NULL;
    r = rg_program_load(buf, len, &q, err, sizeof err);
    if (r)
        print_error("%s\n", err);
    assert_int_equal(r, 0);
    assert_programs_equal(p, q);
    rg_program_free(q);
    /* compiling the same sources again gives the same bytes */
    fx_pack *R2 = compile_family();
    uint8_t *buf2;
    size_t len2;
    assert_int_equal(rgc_program_write(rgc_pack_program(R2->pk), &buf2, &len2), 0);
    assert_int_equal(len2, len);
    /* the pack directories differ, and with them the file-name strings: compare the code */
    const rg_program *p2 = rgc_pack_program(R2->pk);
    assert_int_equal(p2->n_code, p->n_code);
    assert_memory_equal(p2->code, p->code, p->n_code);
    free(buf2);
    free(buf);
    fx_free(R2);
    fx_free(R);
}

static void test_disassembly_names_things(void **state)
{
    (void)state;
    fx_pack *R = compile_family();
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    rgc_disasm(rgc_pack_program(R->pk), out);
    fclose(out);
    const char *want[] = {"  1 LN (", ") extends CN, plan chunk ", ": <plan> in LN (", "STORE_DEF     ", "    version 0 \"2024\" 2024-01-01..2024-12-31\n",
                          "VSELECT       0            ; \"2024\" chunk", "; \"no row of table 'ratio' matched\"",
                          "LOAD_DEF", "; ratio\n",
                          /* share, read once, computed in the loop of total */
                          "TRACE_DEF     4 1          ; share of the row in local 1, computed inline\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(text, want[i]))
            print_error("missing '%s'\n", want[i]);
        assert_non_null(strstr(text, want[i]));
    }
    assert_null(strstr(text, "TIERED")); /* the pack has no brackets */
    free(text);
    fx_free(R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitions_and_types),
        cmocka_unit_test(test_vtables_share_chunks),
        cmocka_unit_test(test_version_selector),
        cmocka_unit_test(test_constants_and_lines),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_verify_write_load),
        cmocka_unit_test(test_disassembly_names_things),
    };
    return cmocka_run_group_tests_name("codegen", tests, NULL, NULL);
}
