/* test_lexer.c — unit tests of the Flex scanner driven directly (as lang/parse.c does): literal values and units, identifiers and region names, keywords and their Chinese aliases, strings, comments, byte-offset locations, and the errors it reports.
 * Runs the scanner only: no grammar, no checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"
#include "parser.h"
#include "program.h"
#include "lexer.h"

typedef struct {
    int tok;
    YYSTYPE val;
    rg_loc loc;
} token;

typedef struct {
    rg_arena arena;
    rg_diag diag;
    FILE *out;
    char *msgs;
    size_t msgs_len;
    rg_parse_ctx ctx;
    token toks[64];
    int n;
} lexed;

/* Scan all of text; diagnostics are captured in L->msgs. */
static lexed *lex(const char *text)
{
    lexed *L = calloc(1, sizeof *L);
    assert_non_null(L);
    L->out = open_memstream(&L->msgs, &L->msgs_len);
    assert_non_null(L->out);
    rg_diag_init(&L->diag, L->out);
    uint32_t f = rg_diag_add_source(&L->diag, "t.rg", text, strlen(text));
    L->ctx = (rg_parse_ctx){.arena = &L->arena, .diag = &L->diag, .file = f};
    yyscan_t sc;
    assert_int_equal(yylex_init_extra(&L->ctx, &sc), 0);
    YY_BUFFER_STATE b = yy_scan_bytes(text, (int)strlen(text), sc);
    for (;;) {
        token t;
        memset(&t, 0, sizeof t);
        t.tok = yylex(&t.val, &t.loc, sc);
        if (t.tok == 0)
            break;
        assert_true(L->n < 64);
        L->toks[L->n++] = t;
    }
    yy_delete_buffer(b, sc);
    yylex_destroy(sc);
    fflush(L->out);
    return L;
}

static void done(lexed *L)
{
    rg_diag_free(&L->diag);
    fclose(L->out);
    free(L->msgs);
    rg_arena_free(&L->arena);
    free(L);
}

/* The one token text scans to: its kind and value. */
static void expect_one(const char *text, int tok, int64_t ival)
{
    lexed *L = lex(text);
    if (L->n != 1 || L->toks[0].tok != tok || L->toks[0].val.ival != ival)
        print_error("'%s': %d tokens, first %d value %lld\n", text, L->n, L->n ? L->toks[0].tok : -1,
                    L->n ? (long long)L->toks[0].val.ival : 0LL);
    assert_int_equal(L->n, 1);
    assert_int_equal(L->toks[0].tok, tok);
    assert_int_equal(L->toks[0].val.ival, ival);
    assert_int_equal(L->diag.n_errors, 0);
    assert_int_equal(L->toks[0].loc.start, 0);
    assert_int_equal(L->toks[0].loc.end, strlen(text));
    done(L);
}

/* text scans with exactly one error whose message contains fragment. */
static void expect_error(const char *text, const char *fragment)
{
    lexed *L = lex(text);
    if (L->diag.n_errors != 1 || !strstr(L->msgs, fragment))
        print_error("'%s': %u errors:\n%s\n", text, L->diag.n_errors, L->msgs);
    assert_int_equal(L->diag.n_errors, 1);
    assert_non_null(strstr(L->msgs, fragment));
    assert_non_null(strstr(L->msgs, "t.rg:1:"));
    done(L);
}

static void test_money(void **state)
{
    (void)state;
    expect_one("\xc2\xa5" "300", MONEY, 30000);             /* ¥300 */
    expect_one("\xef\xbf\xa5" "1_000.50", MONEY, 100050);   /* ￥1_000.50, full-width yen */
    expect_one("\xc2\xa5 12.5", MONEY, 1250);               /* a space after the sign, one decimal */
    expect_one("300.00 CNY", MONEY, 30000);
    expect_one("300CNY", MONEY, 30000);
    expect_one("300\xe5\x85\x83", MONEY, 30000);            /* 300元 */
    expect_one("0.07\xe5\x85\x83", MONEY, 7);
    expect_one("\xc2\xa5" "90_000_000_000_000_000", MONEY, 9000000000000000000LL);
    expect_error("\xc2\xa5" "1.234", "bad money literal");
    expect_error("\xc2\xa5" "99_999_999_999_999_999_999", "bad money literal");
}

static void test_percent_date_duration(void **state)
{
    (void)state;
    expect_one("60%", PERCENT, 60 * RG_PERCENT_ONE);
    expect_one("12.5%", PERCENT, 125000);
    expect_one("0.0001%", PERCENT, 1);
    expect_error("1.00001%", "bad percentage");
    expect_one("1970-01-01", DATE, 0);
    expect_one("2023-09-01", DATE, 19601);
    expect_one("2024-02-29", DATE, 19782); /* a leap day */
    expect_one("60 days", DURATION, 60);
    expect_one("1 day", DURATION, 1);
    expect_one("2 weeks", DURATION, 14);
    expect_one("1\tweek", DURATION, 7);
    expect_one("1_000", INT, 1000);
    expect_one("0", INT, 0);
}

static void test_bad_numbers(void **state)
{
    (void)state;
    /* an impossible date is reported where it is, and still scans as a date */
    lexed *L = lex("x = 2023-02-30");
    assert_int_equal(L->diag.n_errors, 1);
    assert_non_null(strstr(L->msgs, "t.rg:1:5: error: impossible date"));
    assert_non_null(strstr(L->msgs, "^~~~~~~~~"));
    assert_int_equal(L->n, 3);
    assert_int_equal(L->toks[2].tok, DATE);
    done(L);
    expect_error("2023-13-01", "impossible date");
    expect_error("2023-04-31", "impossible date");
    expect_error("2023-02-29", "impossible date"); /* not a leap year */
    expect_error("0000-01-01", "impossible date");
    expect_error("1.5", "a number with decimals needs a unit");
    expect_error("99999999999999999999", "whole number out of range");
    expect_error("9999999999999999999999 days", "duration out of range");
    expect_error("9999999999999999999 weeks", "duration out of range");
    expect_error("2000000000000000000 weeks", "duration out of range"); /* fits, but not times 7 */
}

static void test_identifiers_and_regions(void **state)
{
    (void)state;
    lexed *L = lex("\xe5\x8c\xbb\xe4\xbf\x9d item_2 _x LN-CY GZ-GY2 a-b LN -CY");
    /* 医保 item_2 _x LN-CY GZ-GY2 | a - b | LN - CY */
    int want[] = {IDENT, IDENT, IDENT, IDENT, IDENT, IDENT, '-', IDENT, IDENT, '-', IDENT};
    assert_int_equal(L->n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < L->n; i++)
        assert_int_equal(L->toks[i].tok, want[i]);
    assert_string_equal(L->toks[0].val.str, "\xe5\x8c\xbb\xe4\xbf\x9d");
    assert_string_equal(L->toks[1].val.str, "item_2");
    assert_string_equal(L->toks[2].val.str, "_x");
    assert_string_equal(L->toks[3].val.str, "LN-CY");
    assert_string_equal(L->toks[4].val.str, "GZ-GY2");
    assert_string_equal(L->toks[5].val.str, "a");
    assert_string_equal(L->toks[7].val.str, "b");
    assert_string_equal(L->toks[8].val.str, "LN");
    assert_string_equal(L->toks[10].val.str, "CY");
    assert_int_equal(L->diag.n_errors, 0);
    done(L);
    /* a lone underscore is the wildcard, not a name */
    L = lex("_ __");
    assert_int_equal(L->n, 2);
    assert_int_equal(L->toks[0].tok, UNDERSCORE);
    assert_int_equal(L->toks[1].tok, IDENT);
    done(L);
}

static void test_keywords(void **state)
{
    (void)state;
    assert_true(rg_keywords_sorted());
    static const struct {
        const char *text;
        int tok;
    } cases[] = {
        {"policy", POLICY}, {"\xe6\x94\xbf\xe7\xad\x96", POLICY},          /* 政策 */
        {"table", TABLE}, {"\xe8\xa1\xa8", TABLE},                         /* 表 */
        {"otherwise", OTHERWISE}, {"\xe5\x85\xb6\xe4\xbb\x96", OTHERWISE}, /* 其他 */
        {"def", DEF}, {"\xe5\xae\x9a\xe4\xb9\x89", DEF}, {"\xe8\xa7\x84\xe5\x88\x99", DEF}, /* 定义 规则 */
        {"when", WHEN}, {"\xe5\xbd\x93", WHEN},                            /* 当 */
        {"none", NONE}, {"\xe6\x97\xa0", NONE},                            /* 无 */
        {"and", AND}, {"\xe4\xb8\x94", AND},                               /* 且 */
        {"extends", EXTENDS}, {"\xe7\xbb\xa7\xe6\x89\xbf", EXTENDS},       /* 继承 */
        {"all", ALL}, {"where", WHERE}, {"version", VERSION}, {"until", UNTIL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(rg_keyword(cases[i].text, strlen(cases[i].text)), cases[i].tok);
        lexed *L = lex(cases[i].text);
        assert_int_equal(L->n, 1);
        assert_int_equal(L->toks[0].tok, cases[i].tok);
        done(L);
    }
    /* prefixes, extensions and case variants are names */
    const char *names[] = {"polic", "policy2", "Policy", "tables", "\xe6\x94\xbf", "al", "whenever"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(rg_keyword(names[i], strlen(names[i])), -1);
        lexed *L = lex(names[i]);
        assert_int_equal(L->n, 1);
        assert_int_equal(L->toks[0].tok, IDENT);
        assert_string_equal(L->toks[0].val.str, names[i]);
        done(L);
    }
    /* a keyword in a longer buffer: only len bytes count */
    assert_int_equal(rg_keyword("defx", 3), DEF);
}

static void test_strings(void **state)
{
    (void)state;
    lexed *L = lex("\"a\\\"b\\n\\tc\\\\d\" \"\xe5\x90\x8d\"");
    assert_int_equal(L->n, 2);
    assert_int_equal(L->toks[0].tok, STRING);
    assert_string_equal(L->toks[0].val.str, "a\"b\n\tc\\d");
    assert_int_equal(L->toks[0].loc.start, 0);
    assert_int_equal(L->toks[0].loc.end, 14);
    assert_string_equal(L->toks[1].val.str, "\xe5\x90\x8d");
    assert_int_equal(L->diag.n_errors, 0);
    done(L);
    L = lex("\"\"");
    assert_int_equal(L->n, 1);
    assert_string_equal(L->toks[0].val.str, "");
    done(L);
    /* unterminated: reported, and the scanner goes on with the next line */
    L = lex("x = \"abc\ny");
    assert_int_equal(L->diag.n_errors, 1);
    assert_non_null(strstr(L->msgs, "t.rg:1:5: error: unterminated string"));
    assert_non_null(strstr(L->msgs, "hint: close the string"));
    assert_int_equal(L->n, 4);
    assert_int_equal(L->toks[2].tok, STRING);
    assert_int_equal(L->toks[3].tok, IDENT);
    assert_string_equal(L->toks[3].val.str, "y");
    done(L);
    expect_error("\"ends in a backslash\\", "unterminated string");
}

static void test_comments_operators_locations(void **state)
{
    (void)state;
    const char *text = "# a comment \xe6\xb3\xa8\n  def x = a ?? b # trailing\r\n->..==!=<=>=+=-=|";
    lexed *L = lex(text);
    int want[] = {DEF, IDENT, '=', IDENT, COALESCE, IDENT, ARROW, DOTDOT, EQEQ, NE, LE, GE, PLUSEQ, MINUSEQ, '|'};
    assert_int_equal(L->n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < L->n; i++)
        assert_int_equal(L->toks[i].tok, want[i]);
    /* byte offsets: "# a comment 注\n" is 16 bytes, then two spaces */
    assert_int_equal(L->toks[0].loc.start, 18);
    assert_int_equal(L->toks[0].loc.end, 21);
    assert_int_equal(L->toks[1].loc.start, 22);
    assert_int_equal(L->toks[4].loc.start, (uint32_t)(strstr(text, "??") - text));
    assert_int_equal(L->toks[4].loc.end, L->toks[4].loc.start + 2);
    assert_int_equal(L->toks[6].loc.start, (uint32_t)(strstr(text, "->") - text));
    uint32_t line, col;
    rg_diag_linecol(&L->diag, 0, L->toks[1].loc.start, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 7);
    rg_diag_linecol(&L->diag, 0, L->toks[6].loc.start, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
    assert_int_equal(L->diag.n_errors, 0);
    done(L);
    /* columns count characters, not bytes */
    L = lex("\xe5\x8c\xbb\xe4\xbf\x9d + \xc2\xa5" "5");
    assert_int_equal(L->n, 3);
    assert_int_equal(L->toks[2].loc.start, 9);
    rg_diag_linecol(&L->diag, 0, L->toks[2].loc.start, &line, &col);
    assert_int_equal(col, 6);
    done(L);
}

static void test_unexpected_character(void **state)
{
    (void)state;
    lexed *L = lex("a @ b");
    assert_int_equal(L->diag.n_errors, 1);
    assert_non_null(strstr(L->msgs, "t.rg:1:3: error: unexpected character '@'"));
    assert_int_equal(L->n, 2); /* skipped: the scanner goes on */
    done(L);
    expect_error("a \x01 b", "unexpected character (byte 0x01)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_percent_date_duration),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_identifiers_and_regions),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_comments_operators_locations),
        cmocka_unit_test(test_unexpected_character),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
