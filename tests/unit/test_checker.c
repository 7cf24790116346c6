/* test_checker.c — unit tests of the checker: small packs written to a temporary directory and compiled with rgc_compile, asserting that sound packs compile and that each kind of error is reported once, where it is, with its wording and hint.
 * Looks only at diagnostics and success; the code generated is test_codegen.c's business. */
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

/* The claim and selector every single-file pack here starts with (8 lines). */
#define HEAD                                                                                        \
    "policy CN\n"                                                                                   \
    "claim {\n"                                                                                     \
    "  region: region\n"                                                                            \
    "  date: date\n"                                                                                \
    "  amount: money\n"                                                                             \
    "  discount: percent?\n"                                                                        \
    "}\n"                                                                                           \
    "select policy by region as of date\n"

/* The pack failed with exactly n errors, and the messages contain each of
 * the fragments (NULL-terminated). "@/" in a fragment stands for the pack's
 * directory. */
static void expect_errors(fx_pack *R, unsigned n, ...)
{
    va_list ap;
    va_start(ap, n);
    int bad = R->pk != NULL || R->diag.n_errors != n;
    const char *frag;
    while ((frag = va_arg(ap, const char *))) {
        char want[512];
        if (strncmp(frag, "@/", 2) == 0)
            snprintf(want, sizeof want, "%s/%s", R->dir, frag + 2);
        else
            snprintf(want, sizeof want, "%s", frag);
        if (!strstr(R->msgs, want)) {
            print_error("missing '%s'\n", want);
            bad = 1;
        }
    }
    va_end(ap);
    if (bad)
        print_error("compiled: %s, %u errors (want %u):\n%s\n", R->pk ? "yes" : "no", R->diag.n_errors, n, R->msgs);
    assert_false(bad);
}

static void test_sound_pack_compiles(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "param deductible: money = ¥200\n"
                                 "def base = max(¥0, amount - deductible)\n"
                                 "def fund = pct(base, discount ?? 50%)\n"
                                 "result { fund = fund }\n");
    if (!R->pk)
        print_error("%s\n", R->msgs);
    assert_non_null(R->pk);
    assert_int_equal(R->diag.n_errors, 0);
    assert_int_equal(R->msgs_len, 0);
    const rg_program *p = rgc_pack_program(R->pk);
    assert_int_equal(p->n_policies, 1);
    assert_int_equal(p->n_outputs, 1);
    assert_true(rgc_def_slot(R->pk, "fund") != RG_NO_INDEX);
    assert_true(rgc_def_slot(R->pk, "nothing") == RG_NO_INDEX);
    fx_free(R);
}

static void test_unknown_name(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def total = amount\n"
                                 "def fee = totl + ¥1\n");
    expect_errors(R, 1, "@/CN.rg:10:11: error: unknown name 'totl'", "hint: did you mean 'total'?", NULL);
    fx_free(R);
    /* nothing close: no suggestion */
    R = fx_compile_one(HEAD "def fee = zzzzzz + ¥1\n");
    expect_errors(R, 1, "unknown name 'zzzzzz'", "define it with `def` or `param`", NULL);
    assert_null(strstr(R->msgs, "did you mean"));
    fx_free(R);
}

static void test_type_mismatches(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def x = amount + 10%\n");
    expect_errors(R, 1, "@/CN.rg:9:9: error: type mismatch: money + percent",
                  "hint: to take a percentage of money write pct(amount, 60%)", "^~~~~~~~~~~~\n", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = date + amount\n");
    expect_errors(R, 1, "@/CN.rg:9:9: error: type mismatch: date + money", "add a duration to a date", NULL);
    fx_free(R);
    /* a date plus a duration is a date; minus a date a duration */
    R = fx_compile_one(HEAD "def later = date + 60 days\ndef gap: duration = later - date\n");
    assert_non_null(R->pk);
    fx_free(R);
}

static void test_definition_cycle(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def a = b + ¥1\n"
                                 "def b = a + ¥1\n"
                                 "def c = a\n");
    expect_errors(R, 1, "@/CN.rg:9:5: error: definition cycle in CN: a -> b -> a",
                  "a definition cannot depend on itself", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def a = if amount > ¥0 then a else ¥0\n");
    expect_errors(R, 1, "definition cycle in CN: a -> a", NULL);
    fx_free(R);
}

static void test_hit_unique_overlap(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "table r: percent by (amount) {\n"
                                 "  | < ¥100 -> 10%\n"
                                 "  | ¥50 .. ¥200 -> 20%\n"
                                 "  | > ¥200 -> 30%\n"
                                 "}\n");
    expect_errors(R, 1, "@/CN.rg:11:3: error: rows of table 'r' overlap",
                  "both this row and the row at line 10 match amount = ¥50.00", "declare `hit first`", NULL);
    fx_free(R);
    /* the same rows are fine in a hit-first table */
    R = fx_compile_one(HEAD "table r: percent by (amount) hit first {\n"
                         "  | < ¥100 -> 10%\n"
                         "  | ¥50 .. ¥200 -> 20%\n"
                         "  | > ¥200 -> 30%\n"
                         "}\n");
    assert_non_null(R->pk);
    fx_free(R);
}

static void test_table_not_covering(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "enum scheme { employee, resident }\n"
                                 "table r: percent by (amount) {\n"
                                 "  | < ¥100 -> 10%\n"
                                 "  | > ¥200 -> 30%\n"
                                 "}\n");
    /* one error naming the gaps, at the table's name */
    expect_errors(R, 1, "@/CN.rg:10:7: error: table 'r' does not cover every input",
                  "no row matches amount = ¥100.00; amount = ¥100.01; amount = ¥199.99", NULL);
    fx_free(R);
    /* enum inputs: the missing member is named */
    R = fx_compile_one("policy CN\nenum s { employee, resident, student }\n"
                    "claim {\n  region: region\n  date: date\n  s: s\n}\n"
                    "select policy by region as of date\n"
                    "table r: percent by (s) {\n  | employee -> 10%\n  | resident -> 20%\n}\n");
    expect_errors(R, 1, "table 'r' does not cover every input", "no row matches s = student", NULL);
    fx_free(R);
}

static void test_hit_first_unreachable_row(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "table r: percent by (amount) hit first {\n"
                                 "  | >= ¥0 -> 10%\n"
                                 "  | < ¥0 -> 5%\n"
                                 "  | > ¥200 -> 30%\n"
                                 "}\n");
    expect_errors(R, 1, "@/CN.rg:12:3: error: this row of table 'r' is unreachable",
                  "remove it, or move it above the rows that shadow it", NULL);
    fx_free(R);
}

static void test_decisions(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "decide d: percent {\n  when amount > ¥100 -> 10%\n}\n");
    expect_errors(R, 1, "@/CN.rg:9:1: error: decision 'd' has no otherwise, and its arms do not cover every case",
                  "no arm matches when amount = ¥100.00: end it with `otherwise -> VALUE`", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "decide d: percent {\n"
                         "  when amount > ¥100 -> 10%\n"
                         "  when amount > ¥100 -> 20%\n"
                         "  otherwise -> 0%\n"
                         "}\n");
    expect_errors(R, 1, "@/CN.rg:11:3: error: this arm of 'd' is unreachable",
                  "the arm at line 10 matches every case this one does", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "decide d: percent {\n"
                         "  otherwise -> 0%\n"
                         "  when amount > ¥100 -> 10%\n"
                         "}\n");
    expect_errors(R, 1, "@/CN.rg:11:3: error: this arm of 'd' is unreachable: it follows otherwise", NULL);
    fx_free(R);
    /* an arm that always holds: what follows it, otherwise too, is unreachable */
    R = fx_compile_one(HEAD "decide d: percent {\n  when true -> 1%\n  when amount > ¥1 -> 2%\n  otherwise -> 0%\n}\n");
    expect_errors(R, 2, "@/CN.rg:11:3: error: this arm of 'd' is unreachable", "the arm at line 10 matches every case",
                  "@/CN.rg:12:3: error: the otherwise of 'd' is unreachable", NULL);
    fx_free(R);
    /* by meaning: a narrower threshold after a wider one; the reverse order is sound */
    R = fx_compile_one(HEAD "decide d: percent {\n  when amount >= ¥1000 -> 1%\n  when amount >= ¥2000 -> 2%\n"
                            "  otherwise -> 0%\n}\n");
    expect_errors(R, 1, "@/CN.rg:11:3: error: this arm of 'd' is unreachable", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "decide d: percent {\n  when amount >= ¥2000 -> 2%\n  when amount >= ¥1000 -> 1%\n"
                            "  otherwise -> 0%\n}\n");
    assert_non_null(R->pk);
    fx_free(R);
    /* an optional value: none is a case of its own, and with == / != both it is covered */
    R = fx_compile_one(HEAD "decide d: percent {\n  when discount == 10% -> 1%\n  when discount != 10% -> 2%\n}\n");
    assert_non_null(R->pk);
    fx_free(R);
    R = fx_compile_one(HEAD "decide d: percent {\n  when discount == 10% -> 1%\n  when discount == 20% -> 2%\n}\n");
    expect_errors(R, 1, "no arm matches when discount = 9.9999%", NULL);
    fx_free(R);
    /* what it cannot see into is not reported: two thresholds that are params */
    R = fx_compile_one(HEAD "param a = ¥1\nparam b = ¥2\ndecide d: percent {\n  when amount > a -> 1%\n"
                            "  when amount > b -> 2%\n  otherwise -> 0%\n}\n");
    assert_non_null(R->pk);
    fx_free(R);
}

static void test_child_policies(void **state)
{
    (void)state;
    const char *base = HEAD "param deductible: money = ¥200\ndef fund = amount - deductible\n";
    /* a sound child */
    const char *ok[] = {"CN.rg", base, "LN.rg", "policy LN extends CN\nparam deductible = ¥300\n", NULL};
    fx_pack *R = fx_compile_files(ok);
    if (!R->pk)
        print_error("%s\n", R->msgs);
    assert_non_null(R->pk);
    assert_int_equal(rgc_pack_program(R->pk)->n_policies, 2);
    fx_free(R);
    /* overriding what the parent lacks, with and without a near name */
    const char *bad[] = {"CN.rg", base, "LN.rg",
                         "policy LN extends CN\nparam deductable = ¥300\ndef extra = ¥5\n", NULL};
    R = fx_compile_files(bad);
    expect_errors(R, 2, "@/LN.rg:2:7: error: LN overrides 'deductable', which CN does not define",
                  "hint: did you mean 'deductible'?", "@/LN.rg:3:5: error: LN overrides 'extra', which CN does not define",
                  NULL);
    fx_free(R);
    /* an override of another type */
    const char *typed[] = {"CN.rg", base, "LN.rg", "policy LN extends CN\nparam deductible = 10%\n", NULL};
    R = fx_compile_files(typed);
    expect_errors(R, 1, "@/LN.rg:2:20: error: CN's 'deductible' is money, this override is percent", NULL);
    fx_free(R);
}

static void test_unknown_parent(void **state)
{
    (void)state;
    const char *files[] = {"CN.rg", HEAD, "LN.rg", "policy LN extends CM\n", NULL};
    fx_pack *R = fx_compile_files(files);
    expect_errors(R, 1, "@/LN.rg:1:19: error: policy 'LN' extends unknown policy 'CM'", "hint: did you mean 'CN'?",
                  NULL);
    fx_free(R);
    /* alone in its pack: one error, no talk of a cycle, and never "did you mean" itself */
    const char *alone[] = {"CX.rg", "policy CX extends CN\n", NULL};
    R = fx_compile_files(alone);
    expect_errors(R, 1, "@/CX.rg:1:19: error: policy 'CX' extends unknown policy 'CN'",
                  "the pack must contain the policy it extends", NULL);
    assert_null(strstr(R->msgs, "cycle"));
    assert_null(strstr(R->msgs, "did you mean 'CX'"));
    fx_free(R);
    /* a real cycle is named as one, by its path, once */
    const char *cyc[] = {"A.rg", "policy A extends B\n", "B.rg", "policy B extends A\n", NULL};
    R = fx_compile_files(cyc);
    expect_errors(R, 1, "@/A.rg:1:18: error: `extends` cycle: A \xe2\x86\x92 B \xe2\x86\x92 A", NULL);
    fx_free(R);
    /* beside a base policy: the cycle, not the policies under it */
    const char *cyc2[] = {"CN.rg", HEAD, "LN.rg", "policy LN extends DL\n", "DL.rg", "policy DL extends LN\n",
                          "SY.rg", "policy SY extends LN\n", NULL};
    R = fx_compile_files(cyc2);
    expect_errors(R, 1, "@/DL.rg:1:19: error: `extends` cycle: DL \xe2\x86\x92 LN \xe2\x86\x92 DL", NULL);
    fx_free(R);
    /* a policy in a file of another name */
    const char *misnamed[] = {"CN.rg", HEAD, "LN-DI.rg", "policy LN-DL extends CN\n", NULL};
    R = fx_compile_files(misnamed);
    expect_errors(R, 1, "@/LN-DI.rg:1:8: error: policy 'LN-DL' is written in 'LN-DI.rg'",
                  "name the file after its policy (LN-DL.rg), or the policy after its file (LN-DI)", NULL);
    fx_free(R);
}

static void test_overlapping_versions(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def x = ¥1\n"
                                 "version \"2024\" from 2024-01-01 until 2024-12-31 {\n  def x = ¥2\n}\n"
                                 "version late from 2024-06-01 {\n  def x = ¥3\n}\n");
    expect_errors(R, 1, "@/CN.rg:13:1: error: version 'late' overlaps version '2024' of CN",
                  "versions of one policy must not overlap in time", NULL);
    fx_free(R);
    /* adjacent versions do not overlap */
    R = fx_compile_one(HEAD "def x = ¥1\n"
                         "version \"2024\" from 2024-01-01 until 2024-12-31 {\n  def x = ¥2\n}\n"
                         "version late from 2025-01-01 {\n  def x = ¥3\n}\n");
    assert_non_null(R->pk);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = ¥1\nversion v from 2024-06-01 until 2024-01-01 {\n  def x = ¥2\n}\n");
    expect_errors(R, 1, "@/CN.rg:10:33: error: version 'v' ends before it starts", NULL);
    fx_free(R);
}

static void test_optional_in_arithmetic(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def x = pct(amount, 100% - discount)\n");
    expect_errors(R, 1, "@/CN.rg:9:28: error: this value may be absent (none) and cannot be used in arithmetic",
                  "hint: give a value for when it is absent: EXPR ?? default", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = discount > 10%\n");
    expect_errors(R, 1, "may be absent (none)", NULL);
    fx_free(R);
}

static void test_pct_arguments(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "def x = pct(10%, amount)\n");
    expect_errors(R, 2, "@/CN.rg:9:13: error: argument 1 of pct must be money, not percent",
                  "@/CN.rg:9:18: error: argument 2 of pct must be percent, not money",
                  "hint: pct(amount, 60%) takes a percentage of money", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = pct(amount)\n");
    expect_errors(R, 1, "pct takes 2 arguments, not 1", NULL);
    fx_free(R);
}

/* An arity error gives the function's real limits (expr.c's table of built-in functions). */
static void test_arity_messages(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "brackets b {\n  from ¥0 below ¥10 -> 10%\n  from ¥10 -> 20%\n}\n"
                                     "def x = tiered(b, amount, amount, amount)\n"
                                     "def y = tiered(b)\n");
    expect_errors(R, 2, "@/CN.rg:13:9: error: tiered takes 2 or 3 arguments, not 4",
                  "@/CN.rg:14:9: error: tiered takes 2 or 3 arguments, not 1",
                  "hint: tiered(brackets, from, to) sums each tier's percentage", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = min(amount)\n");
    expect_errors(R, 1, "@/CN.rg:9:9: error: min takes 2 or more arguments, not 1",
                  "hint: min(a, b, …) and max(a, b, …) compare values of one type", NULL);
    fx_free(R);
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, HEAD "def x = max(amount");
    for (int k = 1; k < 100; k++)
        n += (size_t)snprintf(text + n, sizeof text - n, ", amount");
    snprintf(text + n, sizeof text - n, ")\n");
    R = fx_compile_one(text);
    expect_errors(R, 1, "@/CN.rg:9:9: error: max takes at most 99 arguments, not 100", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "def x = year(date, date)\ndef y = days_between(date)\n");
    expect_errors(R, 2, "year takes 1 argument, not 2", "days_between takes 2 arguments, not 1", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "extern fn f(int, string) -> money?\ndef x = f(1)\n");
    expect_errors(R, 1, "@/CN.rg:10:9: error: f takes 2 arguments, not 1",
                  "hint: declared: extern fn f(int, string) -> money?", NULL);
    fx_free(R);
    /* an unknown function: the same table lists the built-in ones */
    R = fx_compile_one(HEAD "def x = zzzzqq(1)\n");
    expect_errors(R, 1, "unknown function 'zzzzqq'",
                  "hint: the built-in functions are pct, min, max, year, month, day, date, add_months, first_of_next_month, days_between, find, tiered, index and previous;", NULL);
    fx_free(R);
}

/* The hints that list the written types come from types.c's one table. */
static void test_type_name_hints(void **state)
{
    (void)state;
    fx_pack *R = fx_compile_one(HEAD "param x: zzzzqq = 1\nparam y: mony = ¥1\n");
    expect_errors(R, 2, "unknown type 'zzzzqq'",
                  "hint: types are bool, int, money, percent, date, duration, string, region, an enum or a record",
                  "unknown type 'mony'", "hint: did you mean 'money'?", NULL);
    fx_free(R);
    R = fx_compile_one(HEAD "extern fn f(list of int) -> int\n");
    expect_errors(R, 1, "a host function cannot take a list",
                  "hint: a host function takes and returns bool, int, money, percent, date, duration, string, region "
                  "or an enum; only its result may be optional (T?)",
                  NULL);
    fx_free(R);
    const char *files[] = {"CN.rg", HEAD "catalog drugs \"d.csv\" {\n  key code: string\n  days: duration\n}\n",
                           "d.csv", "code,days\nA,1\n", NULL};
    R = fx_compile_files(files);
    expect_errors(R, 1, "error: a catalog column is bool, int, money, percent, date, string, region or an enum", NULL);
    fx_free(R);
}

static void test_catalog_csv_errors(void **state)
{
    (void)state;
    const char *rg = "policy CN\nenum cls { A, B }\n"
                     "claim {\n  region: region\n  date: date\n  code: string\n}\n"
                     "select policy by region as of date\n"
                     "catalog drugs \"drugs.csv\" {\n  key code: string\n  class: cls\n  cap: money?\n}\n"
                     "def cap = find(drugs, region, code).cap ?? ¥0\n";
    const char *good[] = {"CN.rg", rg, "drugs.csv", "code,class,cap\nD1,A,12.50\nD2,B,\n", NULL};
    fx_pack *R = fx_compile_files(good);
    if (!R->pk)
        print_error("%s\n", R->msgs);
    assert_non_null(R->pk);
    fx_free(R);
    /* a code twice, a negative amount, a line short of a cell */
    const char *mistakes[] = {"CN.rg", rg, "drugs.csv", "code,class,cap\nD1,A,1\nD2,B,-1\nD3,A\nD1,B,2\n", NULL};
    R = fx_compile_files(mistakes);
    expect_errors(R, 3, "@/drugs.csv:3:6: error: column 'cap' holds a negative amount",
                  "@/drugs.csv:4:1: error: this line has 2 cells, the header has 3: cells are missing",
                  "@/drugs.csv:5:1: error: code 'D1' is listed twice in this catalog file", "the first is at line 2",
                  NULL);
    fx_free(R);
    /* every bad cell is reported at its line and column in the CSV */
    const char *bad[] = {"CN.rg", rg, "drugs.csv", "code,class,cap\nD1,A,abc\nD2,Z,\n", NULL};
    R = fx_compile_files(bad);
    expect_errors(R, 2, "@/drugs.csv:2:6: error: column 'cap' must be money, not 'abc'",
                  "    2 | D1,A,abc\n      |      ^~~\n", "money is written in yuan",
                  "@/drugs.csv:3:4: error: column 'class' must be cls, not 'Z'", "hint: write one of A, B", NULL);
    fx_free(R);
    const char *nocol[] = {"CN.rg", rg, "drugs.csv", "code,kind,cap\nD1,A,1\n", NULL};
    R = fx_compile_files(nocol);
    expect_errors(R, 1, "@/drugs.csv:1:1: error: catalog file has no column 'class'", "this one has code, kind, cap",
                  NULL);
    fx_free(R);
    /* a file of more columns than a catalog may have is refused at its header
     * (it was read past a fixed array); a line of more is read to its end */
    static char wide[16 * 1024];
    int w = snprintf(wide, sizeof wide, "code,class,cap");
    for (int k = 0; k < 1022; k++) w += snprintf(wide + w, sizeof wide - (size_t)w, ",x%d", k);
    snprintf(wide + w, sizeof wide - (size_t)w, "\nD1,A,1\n");
    const char *too_wide[] = {"CN.rg", rg, "drugs.csv", wide, NULL};
    R = fx_compile_files(too_wide);
    expect_errors(R, 1, "@/drugs.csv:1:1: error: catalog file '", "drugs.csv' has more than 1024 columns",
                  "hint: split the catalog", NULL);
    fx_free(R);
    w -= (int)strlen(",x1021"); /* 1 024 columns: read */
    w += snprintf(wide + w, sizeof wide - (size_t)w, "\nD1,A,1\nD2,B,2,3,4,5\nD3,A,3");
    for (int k = 0; k < 1100; k++) w += snprintf(wide + w, sizeof wide - (size_t)w, ",");
    snprintf(wide + w, sizeof wide - (size_t)w, "\n");
    R = fx_compile_files(too_wide);
    /* each line read to its end: one error for each, none for the lines after it */
    expect_errors(R, 3, "@/drugs.csv:2:1: error: this line has 3 cells, the header has 1024: cells are missing",
                  "@/drugs.csv:3:1: error: this line has 6 cells, the header has 1024",
                  "@/drugs.csv:4:1: error: this line has more than 1024 cells, the header has 1024", NULL);
    fx_free(R);
    static char many[64 * 1024];
    int m = snprintf(many, sizeof many, "policy CN\nclaim {\n  region: region\n  date: date\n}\n"
                                        "select policy by region as of date\n"
                                        "catalog wide \"wide.csv\" {\n  key code: string\n");
    for (int k = 0; k < 1024; k++) m += snprintf(many + m, sizeof many - (size_t)m, "  c%d: int?\n", k);
    snprintf(many + m, sizeof many - (size_t)m, "}\n");
    const char *too_many[] = {"CN.rg", many, "wide.csv", "code\n", NULL};
    R = fx_compile_files(too_many);
    expect_errors(R, 1, "error: catalog 'wide' declares 1025 columns; a catalog has at most 1024", NULL);
    fx_free(R);
    const char *blank[] = {"CN.rg", rg, "drugs.csv", "code,class,cap\nD1,,1\n", NULL};
    R = fx_compile_files(blank);
    expect_errors(R, 1, "@/drugs.csv:2:4: error: column 'class' is empty", "declare the column optional", NULL);
    fx_free(R);
    /* a percent cell too large for its representation is an error, not an overflow */
    const char *big[] = {"CN.rg",
                         "policy CN\nclaim {\n  region: region\n  date: date\n}\n"
                         "select policy by region as of date\n"
                         "catalog c \"c.csv\" {\n  key code: string\n  p: percent\n  n: int\n}\n",
                         "c.csv", "code,p,n\nX,100000000000000000,1\nY,1,99999999999999999999\n", NULL};
    R = fx_compile_files(big);
    expect_errors(R, 2, "@/c.csv:2:3: error: column 'p' must be percent", "@/c.csv:3:5: error: column 'n' must be int",
                  NULL);
    fx_free(R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound_pack_compiles),
        cmocka_unit_test(test_unknown_name),
        cmocka_unit_test(test_type_mismatches),
        cmocka_unit_test(test_definition_cycle),
        cmocka_unit_test(test_hit_unique_overlap),
        cmocka_unit_test(test_table_not_covering),
        cmocka_unit_test(test_hit_first_unreachable_row),
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_child_policies),
        cmocka_unit_test(test_unknown_parent),
        cmocka_unit_test(test_overlapping_versions),
        cmocka_unit_test(test_optional_in_arithmetic),
        cmocka_unit_test(test_pct_arguments),
        cmocka_unit_test(test_arity_messages),
        cmocka_unit_test(test_type_name_hints),
        cmocka_unit_test(test_catalog_csv_errors),
    };
    return cmocka_run_group_tests_name("checker", tests, NULL, NULL);
}
