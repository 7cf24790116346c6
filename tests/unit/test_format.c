/* test_format.c — `regula fmt`'s layout pass (lang/format.c): indentation,
 * continuation lines, arrow and cell alignment, what must stay untouched, and
 * that formatting twice changes nothing. Must not need the grammar: the
 * layout pass works on lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"

static char *fmt(const char *src)
{
    size_t n;
    char *out = rg_format(src, strlen(src), &n);
    assert_non_null(out);
    assert_int_equal(strlen(out), n);
    assert_true(rg_format_same_tokens(src, strlen(src), out, n));
    /* formatting is idempotent */
    size_t n2;
    char *again = rg_format(out, n, &n2);
    assert_non_null(again);
    assert_string_equal(again, out);
    free(again);
    return out;
}

static void expect_fmt(const char *src, const char *want)
{
    char *got = fmt(src);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "got:\n%s---\nwant:\n%s---\n", got, want);
    assert_string_equal(got, want);
    free(got);
}

static void test_indentation_by_nesting(void **state)
{
    (void)state;
    expect_fmt("policy CN\n"
               "test \"t\" {\n"
               "      given claim { visit.date = 2024-01-01 }\n"
               "expect {\n"
               "fund = ¥0\n"
               "     }\n"
               "}\n",
               "policy CN\n"
               "test \"t\" {\n"
               "  given claim { visit.date = 2024-01-01 }\n"
               "  expect {\n"
               "    fund = ¥0\n"
               "  }\n"
               "}\n");
}

static void test_blank_lines_and_trailing_space(void **state)
{
    (void)state;
    expect_fmt("\n\npolicy CN   \r\n\n\n\ndef a = 1\t\n\n\n",
               "policy CN\n"
               "\n"
               "def a = 1\n");
}

static void test_table_cells_and_arrows_aligned(void **state)
{
    (void)state;
    expect_fmt("table r: percent by (person.scheme, column) {\n"
               "| employee|L1 -> 60%\n"
               "  |employee | specialty->60%\n"
               "| resident | L1, specialty   ->   50%\n"
               "}\n",
               "table r: percent by (person.scheme, column) {\n"
               "  | employee | L1            -> 60%\n"
               "  | employee | specialty     -> 60%\n"
               "  | resident | L1, specialty -> 50%\n"
               "}\n");
}

static void test_decide_arms_with_continuation(void **state)
{
    (void)state;
    /* the arm spread over three lines keeps its hanging indentation, and its
     * arrow joins the column of the others (lines without an arrow do not
     * set that column) */
    expect_fmt("decide reduction: percent? {\n"
               "    when at_home -> 0%\n"
               "    when visit.type == outpatient\n"
               "         and filed_here\n"
               "         and at_home -> 10%\n"
               "    otherwise -> none\n"
               "}\n",
               "decide reduction: percent? {\n"
               "  when at_home     -> 0%\n"
               "  when visit.type == outpatient\n"
               "       and filed_here\n"
               "       and at_home -> 10%\n"
               "  otherwise        -> none\n"
               "}\n");
}

static void test_continuation_lines(void **state)
{
    (void)state;
    expect_fmt("def d =\n"
               "if a\n"
               "then b\n"
               "else c\n"
               "def e = min(x,\n"
               "            y)\n"
               "param f: money?\n"
               "def g = 1\n",
               "def d =\n"
               "  if a\n"
               "  then b\n"
               "  else c\n"
               "def e = min(x,\n"
               "            y)\n"
               "param f: money?\n"
               "def g = 1\n");
}

static void test_strings_and_comments_untouched(void **state)
{
    (void)state;
    expect_fmt("# a { comment | with -> things \"\n"
               "policy CN  # trailing   comment   \n"
               "def s = \"  { | -> #  \"\n"
               "test \"braces { in a name\" {\n"
               "expect { s = \"  { | -> #  \" }   \n"
               "}\n",
               "# a { comment | with -> things \"\n"
               "policy CN  # trailing   comment\n"
               "def s = \"  { | -> #  \"\n"
               "test \"braces { in a name\" {\n"
               "  expect { s = \"  { | -> #  \" }\n"
               "}\n");
}

static void test_wide_characters_align_by_display_width(void **state)
{
    (void)state;
    expect_fmt("decide d: string {\n"
               "  when 朝阳 -> \"a\"\n"
               "  when abcdef -> \"b\"\n"
               "}\n",
               "decide d: string {\n"
               "  when 朝阳   -> \"a\"\n"
               "  when abcdef -> \"b\"\n"
               "}\n");
}

static void test_same_tokens_detects_changes(void **state)
{
    (void)state;
    const char *a = "def a = \"x y\"  # c o\n";
    assert_true(rg_format_same_tokens(a, strlen(a), "def  a=\"x y\" #co", 16));
    assert_false(rg_format_same_tokens(a, strlen(a), "def a = \"xy\"  # c o\n", 20));
    assert_false(rg_format_same_tokens(a, strlen(a), "def a = \"x y\"\n", 14));
}

static void test_seed_pack_is_formatted(void **state)
{
    (void)state;
    static const char *const files[] = {"policies/CN.rg", "policies/LN.rg", "policies/LN-CY.rg",
                                        "policies/BJ.rg", NULL};
    for (int i = 0; files[i]; i++) {
        FILE *f = fopen(files[i], "rb");
        assert_non_null(f);
        static char text[1 << 17];
        size_t n = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[n] = '\0';
        char *out = fmt(text);
        if (strcmp(out, text) != 0)
            fprintf(stderr, "%s is not formatted: run `regula fmt -w policies/`\n", files[i]);
        assert_string_equal(out, text);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indentation_by_nesting),
        cmocka_unit_test(test_blank_lines_and_trailing_space),
        cmocka_unit_test(test_table_cells_and_arrows_aligned),
        cmocka_unit_test(test_decide_arms_with_continuation),
        cmocka_unit_test(test_continuation_lines),
        cmocka_unit_test(test_strings_and_comments_untouched),
        cmocka_unit_test(test_wide_characters_align_by_display_width),
        cmocka_unit_test(test_same_tokens_detects_changes),
        cmocka_unit_test(test_seed_pack_is_formatted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
