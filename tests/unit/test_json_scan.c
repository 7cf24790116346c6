/* test_json_scan.c — unit tests of the claim reader's JSON scanner (stdlib/json_scan.c): what is JSON and what is not, every edge (escapes, surrogates, UTF-8, depth, numbers, duplicate keys, white space, trailing text), the messages and columns, the tape the schema leads, a value's text for messages; jansson as the second opinion on what is JSON.
 * Must not need the interpreter: the schema is the seed pack's (stub_vm.h), the VM calls are stand-ins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "rg_stdlib.h"
#include "stub_vm.h"

static rg_claim_reader *R; /* no schema: the plain check */

static int setup(void **state)
{
    (void)state;
    R = rg_claim_reader_new(NULL, NULL);
    return R ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rg_claim_reader_free(R);
    R = NULL;
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static int check_n(const char *text, size_t len, char *err, size_t cap)
{
    return rg_json_check(R, text, len, err, cap);
}

static void is_json(const char *text)
{
    char err[256];
    if (check_n(text, strlen(text), err, sizeof err) != 0) {
        print_error("should be JSON: %s\n  got: %s\n", text, err);
        fail();
    }
}

/* TEXT is refused with exactly WANT ("<what> near '<token>' (column N)"). */
static void not_json(const char *text, const char *want)
{
    char err[256];
    if (check_n(text, strlen(text), err, sizeof err) == 0) {
        print_error("should not be JSON: %s\n", text);
        fail();
    }
    if (want && strcmp(err, want) != 0) {
        print_error("text: %s\nwant: %s\n got: %s\n", text, want, err);
        fail();
    }
    /* every message is one line of valid UTF-8 without a NUL */
    json_t *j = json_string(err);
    assert_non_null(j);
    json_decref(j);
}

/* jansson's verdict (its own limits aside) is the reader's. */
static void same_as_jansson(const char *text, size_t len)
{
    char err[256];
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
    int mine = check_n(text, len, err, sizeof err) == 0;
    if ((j != NULL) != mine) {
        print_error("jansson says %s, the reader %s: %.*s\n", j ? "JSON" : je.text, mine ? "JSON" : err, (int)len, text);
        fail();
    }
    json_decref(j);
}

/* ---- what is JSON ----------------------------------------------------------------------------- */

static void test_values(void **state)
{
    (void)state;
    const char *ok[] = {"{}", "[]", "0", "-0", "1", "-1", "1.5", "-1.5e10", "1E+2", "1e-2", "0.0", "true", "false",
                        "null", "\"\"", "\"a\"", "[1, [2, [3]], {\"a\": {\"b\": []}}]", "{\"a\": 1, \"b\": [true, false, null]}",
                        "123456789012345678901234567890", "-123456789012345678901234567890", "1e308", "4.9e-324",
                        "1e-400", "0.000000000000000000000000000001"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) is_json(ok[i]);
}

static void test_white_space(void **state)
{
    (void)state;
    is_json(" \t\r\n{ \"a\" \t: \r\n[ 1 , 2 ] \n} \r\n\t ");
    is_json("\n1\n");
    /* only JSON's four: a form feed or vertical tab is no white space */
    not_json("\f{}", "invalid token near '\f' (column 1)");
    not_json("{}\v", "end of file expected near '\v' (column 3)");
    /* a non-breaking space neither */
    not_json("\xc2\xa0{}", "invalid token near '\xc2\xa0' (column 1)");
    not_json("", "unexpected token near end of file (column 0)");
    not_json("   ", "unexpected token near end of file (column 3)");
}

static void test_trailing(void **state)
{
    (void)state;
    not_json("{\"a\":1} x", "end of file expected near 'x' (column 9)");
    not_json("{} {}", "end of file expected near '{' (column 4)");
    not_json("1 2", "end of file expected near '2' (column 3)");
    not_json("[1],", "end of file expected near ',' (column 4)");
    not_json("{\"a\":1,}", "string or '}' expected near '}' (column 8)");
    not_json("[1,]", "unexpected token near ']' (column 4)");
    not_json("[1", "']' expected near end of file (column 2)");
    not_json("{\"a\":1", "'}' expected near end of file (column 6)");
    not_json("{\"claim_id\": \"T-4\"", "'}' expected near end of file (column 18)");
    not_json("{\"a\" 1}", "':' expected near '1' (column 6)");
    not_json("{1: 2}", "string or '}' expected near '1' (column 2)");
    not_json("{'a': 1}", "string or '}' expected near ''' (column 2)");
    not_json("[1 2]", "']' expected near '2' (column 4)");
    not_json("{\"a\": 1 \"b\": 2}", "'}' expected near '\"b\"' (column 11)");
}

static void test_literals_and_numbers(void **state)
{
    (void)state;
    not_json("tru", "invalid token near 'tru' (column 3)");
    not_json("nulls", "invalid token near 'nulls' (column 5)");
    not_json("True", "invalid token near 'True' (column 4)");
    not_json("NaN", "invalid token near 'NaN' (column 3)");
    not_json("01", "invalid token near '0' (column 1)");
    not_json("-", "invalid token near '-' (column 1)");
    not_json("-a", "invalid token near '-' (column 1)");
    not_json("+1", "invalid token near '+' (column 1)");
    not_json(".5", "invalid token near '.' (column 1)");
    not_json("1.", "invalid token near '1.' (column 2)");
    not_json("1.e5", "invalid token near '1.' (column 2)");
    not_json("1e", "invalid token near '1e' (column 2)");
    not_json("1e+", "invalid token near '1e+' (column 3)");
    not_json("0x10", "end of file expected near 'x' (column 2)");
    /* beyond a double: refused, as other readers of the claim may */
    not_json("[1e400]", "real number overflow near '1e400' (column 6)");
    not_json("-1e400", "real number overflow near '-1e400' (column 6)");
    is_json("1e-400"); /* underflow is a zero: no reader is misled */
    /* a number longer than any buffer */
    char big[5000];
    memset(big, '9', sizeof big - 3);
    memcpy(big + sizeof big - 3, ".5", 3);
    not_json(big, "real number overflow (column 4999)");
    big[sizeof big - 3] = '\0';
    is_json(big); /* an integer of any length */
}

static void test_strings(void **state)
{
    (void)state;
    is_json("\"a \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
    is_json("\"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\"");
    is_json("\"\\u0000\""); /* a NUL in a value: the binder refuses it where a field reads it */
    is_json("\"\xe4\xb8\xad\xf0\x9f\x98\x80\x7f\"");
    not_json("\"abc", "premature end of input near '\"abc' (column 4)");
    not_json("\"abc\\", "premature end of input near '\"abc\\' (column 5)");
    not_json("\"\\q\"", "invalid escape near '\"\\q' (column 3)");
    not_json("\"\\u12\"", "invalid escape near '\"\\u12\"' (column 6)");
    not_json("\"\\u12g4\"", "invalid escape near '\"\\u12g' (column 6)");
    not_json("\"\\U0041\"", "invalid escape near '\"\\U' (column 3)");
    /* surrogates: a pair, or nothing */
    not_json("\"\\ud800\"", "invalid Unicode '\\uD800' near '\"\\ud800\"' (column 8)");
    not_json("\"\\ud800x\"", "invalid Unicode '\\uD800' near '\"\\ud800x\"' (column 9)");
    not_json("\"\\ud800\\u0041\"", "invalid Unicode '\\uD800\\u0041' near '\"\\ud800\\u0041\"' (column 14)");
    not_json("\"\\udc00\"", "invalid Unicode '\\uDC00' near '\"\\udc00\"' (column 8)");
    not_json("\"\\ud800\\ud800\"", "invalid Unicode '\\uD800\\uD800' near '\"\\ud800\\ud800\"' (column 14)");
    /* control characters as they are */
    not_json("\"a\tb\"", "control character 0x9 near '\"a' (column 2)");
    not_json("\"a\nb\"", "unexpected newline near '\"a' (column 2)");
    char nul[] = "\"a\0b\"";
    char err[256];
    assert_int_not_equal(check_n(nul, 5, err, sizeof err), 0);
    assert_string_equal(err, "control character 0x0 near '\"a' (column 2)");
    /* a NUL outside a string: named, not cut off */
    assert_int_not_equal(check_n("1\0", 2, err, sizeof err), 0);
    assert_string_equal(err, "end of file expected near '\\u0000' (column 2)");
}

static void test_utf8(void **state)
{
    (void)state;
    const char *bad[] = {
        "\"\xff\"",             /* never in UTF-8 */
        "\"\xc0\xaf\"",         /* overlong '/' */
        "\"\xc1\xbf\"",         /* overlong */
        "\"\xe0\x80\xaf\"",     /* overlong, three bytes */
        "\"\xed\xa0\x80\"",     /* a surrogate, encoded */
        "\"\xf0\x80\x80\xaf\"", /* overlong, four bytes */
        "\"\xf4\x90\x80\x80\"", /* beyond U+10FFFF */
        "\"\xf5\x80\x80\x80\"", /* beyond U+10FFFF */
        "\"\x80\"",             /* a continuation alone */
        "\"\xe4\xb8\"",         /* cut short */
        "\"\xe4\xb8",           /* cut short at the end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        not_json(bad[i], NULL);
        same_as_jansson(bad[i], strlen(bad[i]));
    }
    not_json("\"ab\xff\"", "unable to decode byte 0xff near '\"ab' (column 3)");
    /* the column counts characters, not bytes */
    not_json("\"\xe4\xb8\xad\xe6\x96\x87\" x", "end of file expected near 'x' (column 6)");
    /* outside a string, UTF-8 is no token */
    not_json("\xe4\xb8\xad", "invalid token near '\xe4\xb8\xad' (column 1)");
}

static void test_depth(void **state)
{
    (void)state;
    enum { MAX = RG_JSON_MAX_DEPTH };
    char *s = malloc(2 * (MAX + 2) + 1);
    assert_non_null(s);
    memset(s, '[', MAX);
    memset(s + MAX, ']', MAX);
    s[2 * MAX] = '\0';
    is_json(s); /* as deep as allowed */
    memset(s, '[', MAX + 1);
    memset(s + MAX + 1, ']', MAX + 1);
    s[2 * MAX + 2] = '\0';
    not_json(s, "maximum parsing depth reached near '[' (column 2049)");
    /* objects count too, and no stack is used for it: 10^6 brackets */
    size_t n = 1000000;
    char *d = malloc(n + 1);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) d[i] = i % 2 ? '[' : '{';
    for (size_t i = 1; i < n; i += 2) d[i] = '[';
    memset(d, '[', n);
    d[n] = '\0';
    not_json(d, "maximum parsing depth reached near '[' (column 2049)");
    free(d);
    free(s);
    /* deep under keys the schema does not read: the same limit */
    char *o = malloc(6 * MAX + 64);
    assert_non_null(o);
    size_t k = 0;
    for (int i = 0; i < MAX; i++) k += (size_t)sprintf(o + k, "{\"a\":");
    k += (size_t)sprintf(o + k, "1");
    for (int i = 0; i < MAX; i++) o[k++] = '}';
    o[k] = '\0';
    is_json(o);
    free(o);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    not_json("{\"a\": 1, \"a\": 2}", "duplicate object key near '\"a\"' (column 12)");
    not_json("{\"a\": 1, \"\\u0061\": 2}", "duplicate object key near '\"\\u0061\"' (column 17)");
    not_json("{\"x\": {\"a\": 1, \"b\": 2, \"a\": 3}}", "duplicate object key near '\"a\"' (column 26)");
    /* the same key in two objects, or in an object and its member, is no duplicate */
    is_json("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}], \"c\": {\"a\": {\"a\": {}}}}");
    /* keys that differ only in their bytes after a NUL-free prefix, in length, in case */
    is_json("{\"a\": 1, \"ab\": 2, \"A\": 3, \"a \": 4, \"\": 5, \"\xc3\xa9\": 6, \"e\\u0301\": 7}");
    /* an object of many keys (the hash index), its last key repeating its first */
    size_t n = 5000, k = 0;
    char *s = malloc(n * 16 + 64);
    assert_non_null(s);
    s[k++] = '{';
    for (size_t i = 0; i < n; i++) k += (size_t)sprintf(s + k, "%s\"k%zu\": %zu", i ? ", " : "", i, i);
    strcpy(s + k, "}");
    is_json(s);
    strcpy(s + k, ", \"k0\": 1}");
    not_json(s, NULL);
    strcpy(s + k, ", \"k4999\": 1}");
    not_json(s, NULL);
    strcpy(s + k, ", \"k5000\": 1}");
    is_json(s);
    free(s);
    /* a key with a NUL cannot be told apart from another by a C string: refused */
    not_json("{\"a\\u0000b\": 1}", "NUL byte in object key not supported near '\"a\\u0000b\"' (column 11)");
}

/* Short texts of JSON's alphabet, all of them up to a length, and jansson's
 * verdict each time (but on integers beyond int64, which jansson refuses). */
static void test_against_jansson(void **state)
{
    (void)state;
    const char alpha[] = "{}[]\",:01-.e \\ua\x80\xe4";
    const size_t na = sizeof alpha - 1;
    char buf[8];
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++) total *= na;
        for (size_t x = 0; x < total; x++) {
            size_t y = x;
            for (size_t i = 0; i < len; i++) {
                buf[i] = alpha[y % na];
                y /= na;
            }
            same_as_jansson(buf, len);
        }
    }
    const char *cases[] = {"{\"a\": [1, 2, {\"b\": null}], \"c\": \"\\u00e9\"}", "[\"\\ud83d\\ude00\"]",
                           "{\"a\": 1, \"a\": 1}", "[[[[[]]]]]", "[1e5, -0.0e1, 0e0]", "{\"\": {}}", "\"\\/\"",
                           "[-0]", "[0.5e-5]", "[1E5]", "{\"a\":true,\"b\":false,\"c\":null}"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) same_as_jansson(cases[i], strlen(cases[i]));
}

/* ---- the tape, with the seed pack's schema ---------------------------------------------------- */

static test_program T;

static void test_tape(void **state)
{
    (void)state;
    tp_seed(&T);
    rg_claim_reader *r = rg_claim_reader_new(&T.p, NULL);
    assert_non_null(r);
    const char *line = "{\"note\": {\"deep\": [1, {\"x\": \"y\"}]}, \"claim_id\": \"C\\u00e91\", "
                       "\"person\": {\"id\": \"P1\", \"scheme\": [\"a\", 1.50, 1e2, -0, {\"k\": \"v\\n\"}]}, "
                       "\"items\": [{\"code\": \"D1\", \"amount\": 12}, 7, {\"amount\": \"3\"}]}";
    rg_jtape t;
    char err[256];
    assert_int_equal(rg_json_scan(r, line, strlen(line), &t, err, sizeof err), 0);
    const rg_jv *root = &t.v[t.root];
    assert_int_equal(root->kind, RG_JV_OBJ);
    assert_int_not_equal(root->aux, RG_NO_INDEX);
    /* claim_id: decoded, a C string of its own */
    assert_string_equal(t.claim_id_text, "C\xc3\xa9" "1");
    /* person.scheme is no object: kept whole, its text as json.dumps writes it */
    const rg_jv *person = &t.v[t.members[root->aux + t.pos[T.f[F_PERSON]]]];
    assert_int_equal(person->kind, RG_JV_OBJ);
    const rg_jv *scheme = &t.v[t.members[person->aux + t.pos[T.f[F_SCHEME]]]];
    assert_int_equal(scheme->kind, RG_JV_ARR);
    assert_int_equal(scheme->aux, RG_NO_INDEX); /* not a list of the schema */
    char small[256];
    rg_sb b;
    rg_sb_over(&b, small, sizeof small);
    rg_jv_dump(&t, scheme, &b);
    assert_string_equal(rg_sb_str(&b), "[\"a\", 1.5, 100.0, -0, {\"k\": \"v\\n\"}]");
    rg_sb_free(&b);
    /* absent members are none */
    assert_int_equal(t.members[person->aux + t.pos[T.f[F_INSURED]]], RG_NO_INDEX);
    assert_int_equal(t.members[root->aux + t.pos[T.f[F_VISIT]]], RG_NO_INDEX);
    /* items: a list of the schema, its elements chained in order */
    const rg_jv *items = &t.v[t.members[root->aux + t.pos[T.f[F_ITEMS]]]];
    assert_int_equal(items->kind, RG_JV_ARR);
    assert_int_equal(items->count, 3);
    const rg_jv *e0 = &t.v[items->aux], *e1 = &t.v[e0->next], *e2 = &t.v[e1->next];
    assert_int_equal(e2->next, RG_NO_INDEX);
    assert_int_equal(e0->kind, RG_JV_OBJ);
    assert_int_equal(e1->kind, RG_JV_NUM);
    assert_int_equal(e2->kind, RG_JV_OBJ);
    const rg_jv *amount = &t.v[t.members[e0->aux + t.pos[T.f[F_ITEM_AMOUNT]]]];
    assert_int_equal(amount->kind, RG_JV_NUM);
    assert_true(amount->flags & RG_JV_INT);
    assert_int_equal(t.members[e2->aux + t.pos[T.f[F_ITEM_CODE]]], RG_NO_INDEX);
    /* the schema is the seed pack's: its names are those the binder then finds */
    assert_int_equal(tp_member(&T, E_SCHEME, "employee"), 0);
    assert_true(tp_region(&T, "LN-CY") < T.p.n_policies);
    /* a duplicate of a schema key is found by its member table */
    const char *dup = "{\"person\": {\"id\": \"P1\", \"id\": \"P2\"}}";
    assert_int_equal(rg_json_scan(r, dup, strlen(dup), &t, err, sizeof err), -1);
    assert_string_equal(err, "not valid JSON: duplicate object key near '\"id\"' (column 28)");
    /* the plain check of the same text says the same */
    assert_int_equal(rg_json_check(r, dup, strlen(dup), err, sizeof err), -1);
    assert_string_equal(err, "duplicate object key near '\"id\"' (column 28)");
    /* lines one after the other: nothing of the last one stays */
    assert_int_equal(rg_json_scan(r, "{}", 2, &t, err, sizeof err), 0);
    assert_null(t.claim_id_text);
    assert_int_equal(t.v[t.root].kind, RG_JV_OBJ);
    rg_claim_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_white_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals_and_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_against_jansson, setup, teardown),
        cmocka_unit_test(test_tape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
