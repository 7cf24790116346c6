/* test_lookup.c — unit tests of compiler/lookup.c, the compiled pack's answers
 * to an editor: what a name is where a policy reads it (and where it is
 * declared), where a definition is written along `extends` and in versions,
 * and which names a policy may write.
 * Compiles small packs (pack_fixture.h); looks at no code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "builder.h"
#include "compiler.h"
#include "pack_fixture.h"

static const char *const cn =
    "policy CN\n"
    "enum scheme { employee, resident }\n"
    "record person { scheme: scheme, age: int in 0..150 }\n"
    "claim {\n"
    "  region: region\n"
    "  date: date\n"
    "  person: person\n"
    "}\n"
    "select policy by region as of date\n"
    "param cap: money = ¥100\n"
    "def doubled = cap + cap\n"
    "ledger yearly by person.age {\n"
    "  paid: money\n"
    "}\n";
static const char *const aa =
    "policy AA extends CN\n"
    "enum scheme += { farmer }\n"
    "param bonus: percent = 5%\n"
    "version 2025 from 2025-01-01 {\n"
    "  param cap = ¥200\n"
    "}\n"
    "param cap = ¥150\n";
static const char *const bb = "policy BB extends CN\n";

static fx_pack *pack(void)
{
    const char *files[] = {"CN.rg", cn, "AA.rg", aa, "BB.rg", bb, NULL};
    return fx_compile_ok(files);
}

/* The text at a symbol's declaration. */
static void decl_is(fx_pack *R, const rgc_symbol *s, const char *file, const char *text)
{
    assert_true(s->has_decl);
    const rg_source *src = rg_diag_source(&R->diag, s->decl.file);
    assert_non_null(strstr(src->path, file));
    assert_int_equal(s->decl.end - s->decl.start, strlen(text));
    assert_memory_equal(src->text + s->decl.start, text, strlen(text));
}

static void test_lookup_names(void **state)
{
    (void)state;
    fx_pack *R = pack();
    rgc_symbol s;
    assert_int_equal(rgc_lookup(R->pk, "AA", "cap", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_DEF);
    assert_string_equal(s.what, "param");
    assert_string_equal(s.type, "money");
    assert_string_equal(s.owner, "CN");
    decl_is(R, &s, "CN.rg", "cap");

    /* a region's own name: seen by it, not by its sibling */
    assert_int_equal(rgc_lookup(R->pk, "AA", "bonus", &s), 0);
    assert_string_equal(s.owner, "AA");
    assert_string_equal(s.type, "percent");
    assert_int_equal(rgc_lookup(R->pk, "BB", "bonus", &s), -1);

    assert_int_equal(rgc_lookup(R->pk, "CN", "person.age", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_FIELD);
    assert_string_equal(s.type, "int in 0..150");
    decl_is(R, &s, "CN.rg", "age");
    assert_int_equal(rgc_lookup(R->pk, "CN", "claim.person", &s), 0);
    assert_string_equal(s.what, "claim field");

    /* members: the base policy's, and one a region added, where it is written */
    assert_int_equal(rgc_lookup(R->pk, "BB", "resident", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_MEMBER);
    assert_string_equal(s.what, "member of enumeration scheme");
    decl_is(R, &s, "CN.rg", "resident");
    assert_int_equal(rgc_lookup(R->pk, "AA", "farmer", &s), 0);
    assert_string_equal(s.owner, "AA");
    decl_is(R, &s, "AA.rg", "farmer");
    assert_int_equal(rgc_lookup(R->pk, "BB", "farmer", &s), -1);

    assert_int_equal(rgc_lookup(R->pk, NULL, "AA", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_POLICY);
    assert_string_equal(s.what, "policy, extends CN");
    decl_is(R, &s, "AA.rg", "AA");
    assert_int_equal(rgc_lookup(R->pk, NULL, "yearly.paid", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_LEDGER_FIELD);
    decl_is(R, &s, "CN.rg", "paid");
    assert_int_equal(rgc_lookup(R->pk, NULL, "pct", &s), 0);
    assert_int_equal(s.kind, RGC_SYM_BUILTIN);
    assert_int_equal(rgc_lookup(R->pk, NULL, "nothing_here", &s), -1);
    fx_free(R);
}

/* Where cap is written as AA sees it: its version, its own, then CN's. */
static void test_def_written(void **state)
{
    (void)state;
    fx_pack *R = pack();
    rgc_symbol s;
    assert_int_equal(rgc_lookup(R->pk, "AA", "cap", &s), 0);
    rgc_written w[8];
    assert_int_equal(rgc_def_written(R->pk, s.index, "AA", w, 8), 3);
    assert_string_equal(w[0].policy, "AA");
    assert_string_equal(w[0].version, "2025");
    assert_string_equal(w[1].policy, "AA");
    assert_null(w[1].version);
    assert_string_equal(w[2].policy, "CN");
    assert_true(w[0].loc.file == w[1].loc.file && w[0].loc.start < w[1].loc.start);
    assert_int_equal(rgc_def_written(R->pk, s.index, "BB", w, 8), 1);
    assert_string_equal(w[0].policy, "CN");
    assert_int_equal(rgc_def_written(R->pk, s.index, "AA", w, 1), 3); /* how many there are, one given */
    fx_free(R);
}

typedef struct {
    char names[2048];
} seen;

static void collect(void *ud, const char *name, rgc_sym_kind kind, const char *detail)
{
    seen *s = ud;
    (void)kind;
    (void)detail;
    size_t n = strlen(s->names);
    snprintf(s->names + n, sizeof s->names - n, "%s ", name);
}

static void test_names(void **state)
{
    (void)state;
    fx_pack *R = pack();
    seen s = {" "}; /* every name between spaces */
    rgc_visible_names(R->pk, "BB", NULL, collect, &s);
    assert_non_null(strstr(s.names, " cap "));
    assert_non_null(strstr(s.names, " employee "));
    assert_non_null(strstr(s.names, " person "));
    assert_non_null(strstr(s.names, " yearly "));
    assert_non_null(strstr(s.names, " pct "));
    assert_null(strstr(s.names, " bonus ")); /* AA's own */
    assert_null(strstr(s.names, " farmer "));
    snprintf(s.names, sizeof s.names, " ");
    rgc_visible_names(R->pk, "AA", NULL, collect, &s);
    assert_non_null(strstr(s.names, " bonus "));
    assert_non_null(strstr(s.names, " farmer "));
    memset(&s, 0, sizeof s);
    rgc_visible_names(R->pk, "AA", "person", collect, &s);
    assert_string_equal(s.names, "scheme age ");
    memset(&s, 0, sizeof s);
    rgc_visible_names(R->pk, "AA", "claim.person", collect, &s);
    assert_string_equal(s.names, "scheme age ");
    memset(&s, 0, sizeof s);
    rgc_visible_names(R->pk, "AA", "yearly", collect, &s);
    assert_string_equal(s.names, "paid ");
    fx_free(R);
}

/* The members a policy knows, ascending (what a table's checks enumerate),
 * are those rgc_member_visible says it has: the base policy's, its own, those
 * of the regions above it, a member several of them add once (more additions
 * along the way than members: out has room for the members only). */
static void test_visible_members(void **state)
{
    (void)state;
    const char *files[] = {"CN.rg", cn, "AA.rg", aa, "BB.rg", "policy BB extends CN\nenum scheme += { student }\n",
                           "AA-X.rg", "policy AA-X extends AA\nenum scheme += { retiree, farmer }\n",
                           "AA-XA.rg", "policy AA-XA extends AA-X\nenum scheme += { farmer, retiree }\n", NULL};
    fx_pack *R = fx_compile_ok(files);
    int en = rgc_enum_by_name(R->pk, "scheme");
    assert_true(en >= 0);
    uint32_t n_members = R->pk->prog->enums[en].n_members, *out = malloc(n_members * sizeof *out);
    assert_int_equal(n_members, 5);
    assert_non_null(out);
    const char *who[] = {"CN", "AA", "BB", "AA-X", "AA-XA"};
    const uint32_t expect_n[] = {2, 3, 3, 4, 4};
    for (int k = 0; k < 5; k++) {
        const rgc_policy *p = R->pk->policies.v[rgc_policy_index(R->pk, who[k])];
        uint32_t n = rgc_visible_members(R->pk, (uint32_t)en, p, out), j = 0;
        assert_int_equal(n, expect_n[k]);
        for (uint32_t m = 0; m < n_members; m++)
            if (rgc_member_visible(R->pk, (uint32_t)en, m, p)) {
                assert_true(j < n);
                assert_int_equal(out[j++], m);
            }
        assert_int_equal(j, n);
    }
    free(out);
    fx_free(R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_names),
        cmocka_unit_test(test_def_written),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_visible_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
