/* test_cover.c — unit tests of coverage (vm/cover.c): what a claim settled
 * while explaining counts, and the pack's definitions, table rows and
 * decision arms as items, each once for its source line.
 * Goes through the compiler to get its programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compiler.h"
#include "pack_fixture.h"
#include "rg_stdlib.h"
#include "vm.h"

/* CN: a table (3 rows), a decision (2 arms), three definitions, a result;
 * LN: a parameter in a version (its chunk is a selector), one row of its own. */
static const char *const files[] = {
    "CN.rg",
    "policy CN\n"                                                   /* 1 */
    "enum kind { a, b, c }\n"                                       /* 2 */
    "claim { region: region, date: date, kind: kind, amount: money }\n" /* 3 */
    "select policy by region as of date\n"                          /* 4 */
    "param cap: money = ¥100\n"                                     /* 5 */
    "table share: percent by (kind) {\n"                            /* 6 */
    "  | a -> 10%\n"                                                /* 7 */
    "  | b -> 20%\n"                                                /* 8 */
    "  | c -> 30%\n"                                                /* 9 */
    "}\n"                                                           /* 10 */
    "decide big: bool {\n"                                          /* 11 */
    "  when amount > cap -> true\n"                                 /* 12 */
    "  otherwise -> false\n"                                        /* 13 */
    "}\n"                                                           /* 14 */
    "def paid = pct(amount, share)\n"                               /* 15 */
    "result { paid = paid, big = big, twice = paid + paid }\n",    /* 16 */
    "LN.rg",
    "policy LN extends CN\n"                                        /* 1 */
    "version 2025 from 2025-01-01 {\n"                              /* 2 */
    "  param cap = ¥200\n"                                          /* 3 */
    "}\n"                                                           /* 4 */
    "table share {\n"                                               /* 5 */
    "  | b -> 25%\n"                                                /* 6 */
    "}\n",                                                          /* 7 */
    NULL};

typedef struct {
    fx_pack *fx;
    const rg_program *p;
    rg_vm *vm;
    rg_cover *cover;
} fixture;

static fixture *start(void)
{
    fixture *F = calloc(1, sizeof *F);
    assert_non_null(F);
    F->fx = fx_compile_ok(files);
    F->p = rgc_pack_program(F->fx->pk);
    F->vm = rg_vm_new(F->p);
    F->cover = rg_cover_new(F->p);
    assert_non_null(F->vm);
    assert_non_null(F->cover);
    F->vm->cover = F->cover;
    F->vm->explain = 1;
    return F;
}

static void stop(fixture *F)
{
    rg_cover_free(F->cover);
    rg_vm_free(F->vm);
    fx_free(F->fx);
    free(F);
}

/* Settle one claim: every output. */
static void settle(fixture *F, const char *region, const char *date, const char *kind, const char *amount)
{
    char json[300], err[256] = "";
    snprintf(json, sizeof json, "{\"region\": \"%s\", \"date\": \"%s\", \"kind\": \"%s\", \"amount\": \"%s\"}", region,
             date, kind, amount);
    rg_claim_reader *rd = rg_claim_reader_new(F->vm->prog, NULL);
    assert_non_null(rd);
    assert_int_equal(rg_claim_read(rd, F->vm, json, strlen(json), 0, err, sizeof err, NULL), RG_OK);
    rg_claim_reader_free(rd);
    assert_int_equal(rg_vm_begin(F->vm), RG_OK);
    rg_value outs[8];
    assert_int_equal(rg_vm_eval_outputs(F->vm, outs), RG_OK);
}

/* The item of the given kind at FILE:LINE (file named by its base name), or NULL. */
static const rg_cover_item *find(const rg_program *p, const rg_cover_item *items, long n, rg_cover_kind kind,
                                 const char *file, uint32_t line)
{
    for (long i = 0; i < n; i++) {
        const char *f = strrchr(p->str[items[i].file], '/');
        if (items[i].kind == kind && items[i].line == line && strcmp(f ? f + 1 : p->str[items[i].file], file) == 0)
            return &items[i];
    }
    return NULL;
}

static void test_items(void **state)
{
    (void)state;
    fixture *F = start();
    rg_cover_item *items;
    long n = rg_cover_items(NULL, F->p, &items);
    /* CN: cap, share, big, paid (not the result's own "twice"); 3 rows, 2 arms.
     * LN: cap in version 2025 (not its selector), its share with one row of its own. */
    assert_int_equal(n, 4 + 3 + 2 + 1 + 1 + 1);
    for (long i = 0; i < n; i++) {
        assert_int_equal(items[i].hits, 0);
        if (i)
            assert_true(items[i - 1].policy < items[i].policy ||
                        (items[i - 1].policy == items[i].policy && items[i - 1].line <= items[i].line));
    }
    const rg_cover_item *v = find(F->p, items, n, RG_COVER_DEF, "LN.rg", 3);
    assert_non_null(v);
    assert_string_equal(F->p->str[F->p->versions[v->version].name], "2025");
    assert_non_null(find(F->p, items, n, RG_COVER_OTHERWISE, "CN.rg", 13));
    assert_null(find(F->p, items, n, RG_COVER_DEF, "CN.rg", 16)); /* the result's fields */
    free(items);
    stop(F);
}

static void test_counts(void **state)
{
    (void)state;
    fixture *F = start();
    settle(F, "CN", "2024-06-01", "a", "50");  /* CN row a, arm otherwise */
    settle(F, "LN", "2024-06-01", "a", "150"); /* CN's row a in LN's table, arm 1 (cap 100) */
    settle(F, "LN", "2025-06-01", "b", "150"); /* LN's row b, otherwise (cap 200 from the version) */
    rg_cover_item *items;
    long n = rg_cover_items(F->cover, F->p, &items);
    assert_int_equal(find(F->p, items, n, RG_COVER_ROW, "CN.rg", 7)->hits, 2); /* one item, both tables */
    assert_int_equal(find(F->p, items, n, RG_COVER_ROW, "CN.rg", 8)->hits, 0); /* LN replaces it */
    assert_int_equal(find(F->p, items, n, RG_COVER_ROW, "CN.rg", 9)->hits, 0);
    assert_int_equal(find(F->p, items, n, RG_COVER_ROW, "LN.rg", 6)->hits, 1);
    assert_int_equal(find(F->p, items, n, RG_COVER_ARM, "CN.rg", 12)->hits, 1);
    assert_int_equal(find(F->p, items, n, RG_COVER_OTHERWISE, "CN.rg", 13)->hits, 2);
    assert_int_equal(find(F->p, items, n, RG_COVER_DEF, "CN.rg", 5)->hits, 2);  /* CN's cap: CN, LN in 2024 */
    assert_int_equal(find(F->p, items, n, RG_COVER_DEF, "LN.rg", 3)->hits, 1);  /* the version's */
    assert_int_equal(find(F->p, items, n, RG_COVER_DEF, "CN.rg", 15)->hits, 3); /* paid, once a claim */
    free(items);
    /* not explaining, nothing is counted */
    F->vm->explain = 0;
    unsigned long total = 0, again = 0;
    for (uint32_t i = 0; i < F->cover->n_chunks; i++)
        total += F->cover->chunk_hits[i];
    for (uint32_t i = 0; i < F->cover->n_notes; i++)
        total += F->cover->note_hits[i];
    assert_true(total > 0);
    settle(F, "CN", "2024-06-01", "a", "50");
    for (uint32_t i = 0; i < F->cover->n_chunks; i++)
        again += F->cover->chunk_hits[i];
    for (uint32_t i = 0; i < F->cover->n_notes; i++)
        again += F->cover->note_hits[i];
    assert_int_equal(again, total);
    stop(F);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests_name("cover", tests, NULL, NULL);
}
