/* test_claim_json.c — unit tests of the stdlib layer's JSON side: claim lines read and bound (every message of docs/claims.md, the validation order, amounts as JSON numbers), result and error lines, value texts, the in-memory ledger.
 * Must not need the interpreter or the compiler: the program is built by hand and the VM calls are stood in for (stub_vm.h). */
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
#include "values.h"

static test_program T;
static rg_vm *VM;
static rg_claim_reader *R;

static FILE *capture_begin(char **buf, size_t *len);

static const char *BASE =
    "{\"claim_id\": \"C1\", \"note\": \"x\", "
    "\"person\": {\"id\": \"P1\", \"insured_region\": \"LN-CY\", \"scheme\": \"employee\", "
    "\"status\": \"retired\", \"enrolled_on\": \"2019-05-01\", "
    "\"filing\": {\"kind\": \"long_term\", \"region\": \"BJ\"}, \"account_balance\": \"800.00\"}, "
    "\"institution\": {\"id\": \"H1\", \"region\": \"BJ\", \"level\": 3, \"designated\": true, "
    "\"specialty\": false}, "
    "\"visit\": {\"type\": \"inpatient\", \"date\": \"2025-03-14\", \"emergency\": false, \"card\": true}, "
    "\"items\": [{\"code\": \"D0001\", \"amount\": \"120.00\"}, {\"code\": \"D0002\", \"amount\": \"5\"}]}";

static int setup(void **state)
{
    (void)state;
    tp_seed(&T);
    VM = rg_vm_new(&T.p);
    R = rg_claim_reader_new(&T.p, NULL);
    return VM && R ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rg_vm_free(VM);
    VM = NULL;
    rg_claim_reader_free(R);
    R = NULL;
    stub_fail_intern = stub_fail_items = 0;
    stub_fail_def = RG_NO_INDEX;
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* Reads and binds one line the way `regula run` does; the whole message (with
 * "line 7: " where docs/claims.md puts it) in msg. 0 ok, -1 a line that is no
 * JSON object (steps 1-3 of docs/claims.md), else the status. */
static int run_line(const char *text, size_t len, char *msg, size_t cap, const char **id)
{
    msg[0] = '\0';
    rg_status st = rg_claim_read(R, VM, text, len, 7, msg, cap, id);
    if (st == RG_ERR_INPUT && (strncmp(msg, "not valid JSON: ", 16) == 0 || strncmp(msg, "line 7: blank line", 18) == 0 ||
                               strncmp(msg, "line 7: expected a JSON object", 30) == 0))
        return -1;
    return (int)st;
}

/* Reads and binds TEXT as line 0 (messages without "line N: "). */
static rg_status bind_text(const char *text, char *err, size_t cap)
{
    return rg_claim_read(R, VM, text, strlen(text), 0, err, cap, NULL);
}

static void expect_msg(const char *text, const char *want)
{
    char msg[1024];
    int rc = run_line(text, strlen(text), msg, sizeof msg, NULL);
    if (strcmp(msg, want) != 0) {
        print_error("line: %s\nwant: %s\n got: %s\n", text, want, msg);
        fail();
    }
    assert_int_not_equal(rc, 0);
}

static void expect_ok(const char *text)
{
    char msg[1024];
    int rc = run_line(text, strlen(text), msg, sizeof msg, NULL);
    if (rc != 0) {
        print_error("line: %s\nunexpected: %s\n", text, msg);
        fail();
    }
}

/* BASE with the value at PATH ("person.filing.kind", "items.1.amount") replaced by
 * the JSON text VALUE, or removed when VALUE is NULL. The caller frees the result. */
static char *variant(const char *path, const char *value)
{
    json_error_t je;
    json_t *root = json_loads(BASE, 0, &je);
    assert_non_null(root);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *obj = root;
    char *save = NULL, *part = strtok_r(buf, ".", &save);
    for (;;) {
        char *next = strtok_r(NULL, ".", &save);
        if (!next) break;
        obj = json_is_array(obj) ? json_array_get(obj, (size_t)atoi(part)) : json_object_get(obj, part);
        assert_non_null(obj);
        part = next;
    }
    if (value) {
        json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        assert_non_null(v);
        if (json_is_array(obj)) json_array_set_new(obj, (size_t)atoi(part), v);
        else json_object_set_new(obj, part, v);
    } else if (json_is_array(obj)) {
        json_array_remove(obj, (size_t)atoi(part));
    } else {
        json_object_del(obj, part);
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

static void expect_variant(const char *path, const char *value, const char *want)
{
    char *text = variant(path, value);
    expect_msg(text, want);
    free(text);
}

static void expect_variant_ok(const char *path, const char *value)
{
    char *text = variant(path, value);
    expect_ok(text);
    free(text);
}

/* Raw text variant: BASE with its first FROM replaced by TO (for numbers jansson would reprint). */
static char *raw_variant(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    assert_non_null(at);
    size_t n = strlen(BASE) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%.*s%s%s", (int)(at - BASE), BASE, to, at + strlen(from));
    return s;
}

static void expect_amount(const char *amount_text, const char *want)
{
    char to[256];
    snprintf(to, sizeof to, "\"amount\": %s}]}", amount_text);
    char *s = raw_variant("\"amount\": \"5\"}]}", to);
    if (want) expect_msg(s, want);
    else expect_ok(s);
    free(s);
}

static rg_value item_slot(uint32_t row, int field) { return VM->items[row * T.p.n_item_slots + T.fields[T.f[field]].slot]; }
static rg_value claim_slot(int field) { return VM->claim[T.fields[T.f[field]].slot]; }

static int64_t day(const char *s)
{
    int64_t d = 0;
    assert_int_equal(rg_parse_date(s, strlen(s), &d), 0);
    return d;
}

/* ---- a good claim ----------------------------------------------------------------------- */

/* What BASE binds to. */
static void assert_base_bound(void)
{
    assert_string_equal(stub_sval(claim_slot(F_CLAIM_ID)), "C1");
    assert_int_equal(claim_slot(F_PERSON), 1);
    assert_string_equal(stub_sval(claim_slot(F_PERSON_ID)), "P1");
    assert_int_equal(claim_slot(F_INSURED), tp_region(&T, "LN-CY"));
    assert_int_equal(claim_slot(F_SCHEME), 0);
    assert_int_equal(claim_slot(F_STATUS), 1);
    assert_int_equal(claim_slot(F_ENROLLED), day("2019-05-01"));
    assert_int_equal(claim_slot(F_FILING), 1);
    assert_int_equal(claim_slot(F_FILING_KIND), 1);
    assert_int_equal(claim_slot(F_FILING_REGION), tp_region(&T, "BJ"));
    assert_int_equal(claim_slot(F_BALANCE), 80000);
    assert_string_equal(stub_sval(claim_slot(F_INST_ID)), "H1");
    assert_int_equal(claim_slot(F_INST_REGION), tp_region(&T, "BJ"));
    assert_int_equal(claim_slot(F_LEVEL), 3);
    assert_int_equal(claim_slot(F_DESIGNATED), 1);
    assert_int_equal(claim_slot(F_SPECIALTY), 0);
    assert_int_equal(claim_slot(F_VISIT_TYPE), 1);
    assert_int_equal(claim_slot(F_VISIT_DATE), day("2025-03-14"));
    assert_int_equal(claim_slot(F_EMERGENCY), 0);
    assert_int_equal(claim_slot(F_CARD), 1);
    assert_int_equal(VM->n_items, 2);
    assert_string_equal(stub_sval(item_slot(0, F_ITEM_CODE)), "D0001");
    assert_int_equal(item_slot(0, F_ITEM_AMOUNT), 12000);
    assert_string_equal(stub_sval(item_slot(1, F_ITEM_CODE)), "D0002");
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 500);
}

static void test_bind_good_claim(void **state)
{
    (void)state;
    expect_ok(BASE);
    assert_base_bound();

    /* empty items, a second claim on the same VM */
    expect_variant_ok("items", "[]");
    assert_int_equal(VM->n_items, 0);
    /* UTF-8 and unknown fields */
    expect_variant_ok("person.id", "\"张三\"");
    assert_string_equal(stub_sval(claim_slot(F_PERSON_ID)), "张三");
    expect_variant_ok("person.name", "{\"a\": [1, 2]}");
}

/* v with each object's members in reverse order and an unknown member after
 * each (the binder walks members in order, expecting the schema's). */
static json_t *reordered(json_t *v)
{
    if (json_is_array(v)) {
        json_t *a = json_array();
        for (size_t i = 0; i < json_array_size(v); i++) json_array_append_new(a, reordered(json_array_get(v, i)));
        return a;
    }
    if (!json_is_object(v)) return json_incref(v);
    const char *keys[16];
    size_t n = 0;
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x) {
        assert_true(n < 16);
        keys[n++] = key;
    }
    json_t *o = json_object();
    while (n-- > 0) {
        char extra[64];
        snprintf(extra, sizeof extra, "%s_", keys[n]);
        json_object_set_new(o, keys[n], reordered(json_object_get(v, keys[n])));
        json_object_set_new(o, extra, json_string("ignored"));
    }
    return o;
}

static void test_key_order(void **state)
{
    (void)state;
    json_error_t je;
    json_t *base = json_loads(BASE, 0, &je);
    assert_non_null(base);
    json_t *r = reordered(base);
    char *text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    json_decref(base);
    expect_ok(text);
    assert_base_bound();
    free(text);

    /* two unknown members in a row, an optional member absent */
    char *s = raw_variant("\"scheme\": \"employee\"", "\"u1\": 1, \"u2\": [2], \"scheme\": \"employee\"");
    expect_ok(s);
    assert_base_bound();
    free(s);
    /* a member twice is refused (issue 21: another reader may take the first), however its key is spelt */
    s = raw_variant("\"scheme\": \"employee\"", "\"scheme\": \"resident\", \"scheme\": \"employee\"");
    expect_msg(s, "not valid JSON: duplicate object key near '\"scheme\"' (column 112)");
    free(s);
    s = raw_variant("\"scheme\": \"employee\"", "\"scheme\": \"resident\", \"sch\\u0065me\": \"employee\"");
    expect_msg(s, "not valid JSON: duplicate object key near '\"sch\\u0065me\"' (column 117)");
    free(s);
    s = raw_variant("\"filing\": {\"kind\": \"long_term\", \"region\": \"BJ\"}, ", "");
    expect_ok(s);
    assert_int_equal(claim_slot(F_FILING), RG_NONE);
    assert_int_equal(claim_slot(F_FILING_KIND), RG_NONE);
    assert_int_equal(claim_slot(F_BALANCE), 80000);
    free(s);
    /* a member whose key begins like the one expected */
    s = raw_variant("\"id\": \"P1\"", "\"i\": \"x\", \"ix\": \"x\", \"idx\": \"y\", \"id\": \"P1\"");
    expect_ok(s);
    assert_base_bound();
    free(s);
}

/* ---- steps 1-3: blank, not JSON, not an object -------------------------------------- */

static void test_blank_lines(void **state)
{
    (void)state;
    const char *blanks[] = {"", "   ", "\t", " \r", "\r", "\r\n", " \f\v "};
    for (size_t i = 0; i < sizeof blanks / sizeof *blanks; i++) {
        char msg[256];
        const char *id = "x";
        assert_int_equal(run_line(blanks[i], strlen(blanks[i]), msg, sizeof msg, &id), -1);
        assert_string_equal(msg, "line 7: blank line (expected one JSON claim object)");
        assert_null(id);
    }
}

static void test_crlf(void **state)
{
    (void)state;
    size_t n = strlen(BASE);
    char *s = malloc(n + 3);
    assert_non_null(s);
    memcpy(s, BASE, n);
    memcpy(s + n, "\r\n", 3);
    char msg[256];
    assert_int_equal(run_line(s, n + 1, msg, sizeof msg, NULL), 0); /* "…}\r" */
    assert_int_equal(run_line(s, n + 2, msg, sizeof msg, NULL), 0); /* "…}\r\n" */
    free(s);
}

static void test_not_json(void **state)
{
    (void)state;
    char msg[512];
    const char *id = "x";
    const char *bad[] = {"{\"claim_id\": \"C1\", \"visit\" {}}", "{\"claim_id\": \"C1\"", "{'claim_id': 'G1'}",
                         "{\"a\": 1} x", "\xff\xfe", "{\"a\": \"\\ud800\"}", "nul"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(run_line(bad[i], strlen(bad[i]), msg, sizeof msg, &id), -1);
        assert_null(id);
        if (strncmp(msg, "not valid JSON: ", 16) != 0) {
            print_error("%s -> %s\n", bad[i], msg);
            fail();
        }
        assert_non_null(strstr(msg, "(column "));
        /* the message must stay valid UTF-8 for the error line */
        json_t *j = json_stringn(msg, strlen(msg));
        assert_non_null(j);
        json_decref(j);
    }
}

static void test_nul_characters(void **state)
{
    (void)state;
    /* where nothing reads it, a NUL is just text */
    expect_variant_ok("note", "\"a\\u0000b\"");
    /* a string field cannot hold one: refused, and the claim_id is not passed on */
    char *s = variant("claim_id", "\"C\\u00001\"");
    char msg[256];
    const char *id = "x";
    assert_int_not_equal(run_line(s, strlen(s), msg, sizeof msg, &id), 0);
    assert_string_equal(msg, "line 7: claim_id: expected a string without NUL characters (\\u0000)");
    assert_null(id);
    free(s);
    expect_variant("items.0.code", "\"D0001\\u0000\"",
                   "line 7: items[0].code: expected a string without NUL characters (\\u0000)");
    /* quoted in a message as C0 80, written back as \u0000 */
    expect_variant("institution.region", "\"BJ\\u0000\"", "line 7: institution.region: unknown region 'BJ\xC0\x80'");
    FILE *f;
    size_t len;
    char *buf;
    f = capture_begin(&buf, &len);
    rg_write_error_line(f, 7, "C1", "line 7: institution.region: unknown region 'BJ\xC0\x80'");
    fclose(f);
    assert_string_equal(buf, "{\"line\": 7, \"claim_id\": \"C1\", \"error\": \"line 7: institution.region: unknown "
                             "region 'BJ\\u0000'\"}\n");
    free(buf);
}

static void test_not_object(void **state)
{
    (void)state;
    expect_msg("[1, 2]", "line 7: expected a JSON object, got array");
    expect_msg("[]", "line 7: expected a JSON object, got array");
    expect_msg("\"claim\"", "line 7: expected a JSON object, got string");
    expect_msg("42", "line 7: expected a JSON object, got number");
    expect_msg("3.5", "line 7: expected a JSON object, got number");
    expect_msg("true", "line 7: expected a JSON object, got boolean");
    expect_msg("false", "line 7: expected a JSON object, got boolean");
    expect_msg("null", "line 7: expected a JSON object, got null");
    expect_msg(" 123456789012345678901234567890 ", "line 7: expected a JSON object, got number");
}

static void test_claim_id_out(void **state)
{
    (void)state;
    char err[256];
    const char *id = NULL;
    assert_int_equal(rg_claim_read(R, VM, BASE, strlen(BASE), 1, err, sizeof err, &id), RG_OK);
    assert_string_equal(id, "C1");

    char *s = variant("claim_id", "1234");
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s), 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_null(id);
    free(s);

    /* known even when the claim then fails to bind */
    s = variant("visit.date", NULL);
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s), 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_string_equal(id, "C1");
    assert_string_equal(err, "line 1: missing field visit.date");
    free(s);
    /* with escapes, and at the end of the line: a C string of its own */
    s = strdup("{\"x\": 1, \"claim_id\": \"C\\u00e9\\\"2\"}");
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s), 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_string_equal(id, "C\xc3\xa9\"2");
    free(s);
    s = strdup("{\"claim_id\": \"C9\"}trailing");
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s), 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_null(id); /* not valid JSON: no claim_id */
    free(s);
    s = strdup("{\"claim_id\": \"C9\"}");
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s) - 1, 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_null(id);
    assert_int_equal(rg_claim_read(R, VM, s, strlen(s), 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_string_equal(id, "C9");
    free(s);

    assert_int_equal(rg_claim_read(R, VM, "[\"C1\"]", 6, 1, err, sizeof err, &id), RG_ERR_INPUT);
    assert_null(id);
    /* NULL claim_id is allowed */
    assert_int_equal(rg_claim_read(R, VM, BASE, strlen(BASE), 1, err, sizeof err, NULL), RG_OK);
}

/* ---- the message table ---------------------------------------------------------------- */

static void test_missing_fields(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "claim_id", "person", "person.id", "person.insured_region", "person.scheme", "person.status",
        "person.enrolled_on", "person.account_balance", "institution", "institution.id",
        "institution.region", "institution.level", "institution.designated", "institution.specialty",
        "visit", "visit.type", "visit.date", "visit.emergency", "visit.card", "items",
        "person.filing.kind", "person.filing.region"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char want[128];
        snprintf(want, sizeof want, "line 7: missing field %s", paths[i]);
        expect_variant(paths[i], NULL, want);
        expect_variant(paths[i], "null", want);
    }
    expect_variant("items.1.code", NULL, "line 7: missing field items[1].code");
    expect_variant("items.1.amount", "null", "line 7: missing field items[1].amount");
    expect_variant("items.0.amount", NULL, "line 7: missing field items[0].amount");
}

static void test_not_objects(void **state)
{
    (void)state;
    expect_variant("person", "\"P1\"", "line 7: person: expected an object");
    expect_variant("institution", "[]", "line 7: institution: expected an object");
    expect_variant("visit", "3", "line 7: visit: expected an object");
    expect_variant("person.filing", "\"long_term\"", "line 7: person.filing: expected an object");
    expect_variant("items.1", "5", "line 7: items[1]: expected an object");
    expect_variant("items.0", "[]", "line 7: items[0]: expected an object");
    expect_variant("items", "{\"code\": \"D0001\", \"amount\": \"1.00\"}", "line 7: items: expected an array");
    expect_variant("items", "\"x\"", "line 7: items: expected an array");
}

static void test_wrong_scalars(void **state)
{
    (void)state;
    expect_variant("claim_id", "1234", "line 7: claim_id: expected a string");
    expect_variant("person.id", "true", "line 7: person.id: expected a string");
    expect_variant("items.1.code", "17", "line 7: items[1].code: expected a string");
    expect_variant("institution.designated", "\"yes\"", "line 7: institution.designated: expected true or false");
    expect_variant("visit.card", "1", "line 7: visit.card: expected true or false");
    expect_variant("visit.emergency", "0", "line 7: visit.emergency: expected true or false");
}

static void test_regions_and_enums(void **state)
{
    (void)state;
    expect_variant("institution.region", "\"SH\"", "line 7: institution.region: unknown region 'SH'");
    expect_variant("person.insured_region", "\"ln-cy\"", "line 7: person.insured_region: unknown region 'ln-cy'");
    expect_variant("person.insured_region", "\"\"", "line 7: person.insured_region: unknown region ''");
    expect_variant("institution.region", "7", "line 7: institution.region: unknown region '7'");
    expect_variant("person.filing.region", "\"LN_CY\"", "line 7: person.filing.region: unknown region 'LN_CY'");
    expect_variant("person.scheme", "\"commercial\"", "line 7: person.scheme: unknown scheme 'commercial'");
    expect_variant("person.scheme", "\"Employee\"", "line 7: person.scheme: unknown scheme 'Employee'");
    expect_variant("person.scheme", "1", "line 7: person.scheme: unknown scheme '1'");
    expect_variant("person.scheme", "[\"employee\"]", "line 7: person.scheme: unknown scheme '[\"employee\"]'");
    expect_variant("person.scheme", "{\"a\": 1.5, \"b\": [true, null]}",
                   "line 7: person.scheme: unknown scheme '{\"a\": 1.5, \"b\": [true, null]}'");
    expect_variant("person.status", "false", "line 7: person.status: unknown status 'false'");
    expect_variant("person.status", "\"RETIRED\"", "line 7: person.status: unknown status 'RETIRED'");
    expect_variant("person.filing.kind", "\"short_term\"", "line 7: person.filing.kind: unknown filing kind 'short_term'");
    expect_variant("person.filing.kind", "2", "line 7: person.filing.kind: unknown filing kind '2'");
    expect_variant("visit.type", "\"day_case\"", "line 7: visit.type: unknown visit type 'day_case'");
    expect_variant("visit.type", "0", "line 7: visit.type: unknown visit type '0'");
    expect_variant("visit.type", "0.1", "line 7: visit.type: unknown visit type '0.1'");
    expect_variant("visit.type", "\"住院\"", "line 7: visit.type: unknown visit type '住院'");
    /* every region of the pack is known, exactly */
    for (uint32_t i = 0; i < T.p.n_policies; i++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", T.str[T.policies[i].name]);
        expect_variant_ok("institution.region", quoted);
        assert_int_equal(claim_slot(F_INST_REGION), i);
    }
}

static void test_level(void **state)
{
    (void)state;
    const char *bad[] = {"4", "0", "\"1\"", "1.0", "true", "-1", "99999999999999999999999", "[1]", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char to[64];
        snprintf(to, sizeof to, "\"level\": %s", bad[i]);
        char *s = raw_variant("\"level\": 3", to);
        expect_msg(s, "line 7: institution.level: expected 1, 2 or 3");
        free(s);
    }
    expect_variant_ok("institution.level", "1");
    assert_int_equal(claim_slot(F_LEVEL), 1);
}

static void test_dates(void **state)
{
    (void)state;
    const char *malformed[][2] = {
        {"\"2025/02/30\"", "2025/02/30"}, {"\"2025-2-3\"", "2025-2-3"}, {"20250101", "20250101"},
        {"\"2025-02-03T00:00\"", "2025-02-03T00:00"}, {"\"\"", ""}, {"\"yesterday\"", "yesterday"},
        {"[2025]", "[2025]"}, {"true", "true"}, {"\" 2025-02-03\"", " 2025-02-03"}};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        char want[256];
        snprintf(want, sizeof want, "line 7: visit.date: malformed date '%s' (want YYYY-MM-DD)", malformed[i][1]);
        expect_variant("visit.date", malformed[i][0], want);
    }
    const char *impossible[] = {"2025-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "2024-04-31"};
    for (size_t i = 0; i < sizeof impossible / sizeof *impossible; i++) {
        char want[256], val[64];
        snprintf(want, sizeof want, "line 7: person.enrolled_on: impossible date '%s'", impossible[i]);
        snprintf(val, sizeof val, "\"%s\"", impossible[i]);
        expect_variant("person.enrolled_on", val, want);
    }
    expect_variant_ok("visit.date", "\"2024-02-29\"");
    assert_int_equal(claim_slot(F_VISIT_DATE), day("2024-02-29"));
    expect_variant_ok("visit.date", "\"0001-01-01\"");
    /* the year of a day (a ledger key) agrees with the full conversion, across
     * leap and century years on both sides of 1970, and far out */
    for (int64_t z = -800000; z <= 800000; z++) {
        int64_t y;
        unsigned m, d;
        rg_civil_from_days(z, &y, &m, &d);
        if (rg_year_of_days(z) != y) print_error("day %lld: year %lld, want %lld\n", (long long)z, (long long)rg_year_of_days(z), (long long)y);
        assert_int_equal(rg_year_of_days(z), y);
    }
    for (int64_t z = -500000000; z <= 500000000; z += 99991) {
        int64_t y;
        unsigned m, d;
        rg_civil_from_days(z, &y, &m, &d);
        assert_int_equal(rg_year_of_days(z), y);
    }
    /* months counted past a claim's last date (a deadline a month after
     * 9999-12-31), clamped to the month's end, refused past RG_CAL_YEAR_MAX */
    int64_t r, want;
    assert_int_equal(rg_add_months(day("9999-12-31"), 1, &r), 0);
    assert_int_equal(rg_days_from_civil(10000, 1, 31, &want), 0);
    assert_int_equal(r, want);
    assert_int_equal(rg_add_months(day("9999-11-30"), 3, &r), 0);
    assert_int_equal(rg_days_from_civil(10000, 2, 29, &want), 0); /* 10000 is a leap year */
    assert_int_equal(r, want);
    assert_int_equal(rg_add_months(r, -3, &r), 0);
    assert_int_equal(r, day("9999-11-29"));
    assert_int_equal(rg_add_months(day("0001-01-31"), -1, &r), -1);
    assert_int_equal(rg_days_from_civil(999999, 12, 1, &want), 0);
    assert_int_equal(rg_add_months(want, 0, &r), 0);
    assert_int_equal(rg_add_months(want, 1, &r), -1);
}

static void test_amount_strings(void **state)
{
    (void)state;
    const char *B = "line 7: items[1].amount: ";
    char want[256];
#define AMT(text, tail)                                   \
    do {                                                  \
        snprintf(want, sizeof want, "%s%s", B, tail);     \
        expect_amount(text, want);                        \
    } while (0)
    AMT("\"-5.00\"", "negative amount '-5.00'");
    AMT("\"-0.01\"", "negative amount '-0.01'");
    AMT("\"-1\"", "negative amount '-1'");
    AMT("\"-x\"", "negative amount '-x'");
    AMT("\"12.345\"", "amount '12.345' has more than two decimals");
    AMT("\"1.500\"", "amount '1.500' has more than two decimals");
    AMT("\"0.001\"", "amount '0.001' has more than two decimals");
    AMT("\"100.0000\"", "amount '100.0000' has more than two decimals");
    const char *malformed[] = {"5.", "+5", "1,000.00", "1e3", " 5", "", "abc", ".5", "12.3.4", "¥12", "5 ",
                               "12.345x", "1.2a"};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        char text[64], tail[128];
        snprintf(text, sizeof text, "\"%s\"", malformed[i]);
        snprintf(tail, sizeof tail, "malformed amount '%s' (expected digits with up to two decimals)", malformed[i]);
        AMT(text, tail);
    }
    AMT("\"1000000000000000.01\"", "amount '1000000000000000.01' is too large");
    AMT("\"99999999999999999\"", "amount '99999999999999999' is too large");
    AMT("\"999999999999999999\"", "amount '999999999999999999' is too large");
    AMT("\"1000000000000000000.99\"", "amount '1000000000000000000.99' is too large");
    AMT("\"123456789012345678901234567890.5\"", "amount '123456789012345678901234567890.5' is too large");
    AMT("\"123456789012345678901234567890.555\"",
        "amount '123456789012345678901234567890.555' has more than two decimals");
    AMT("\"123456789012345678901234567890.\"",
        "malformed amount '123456789012345678901234567890.' (expected digits with up to two decimals)");
    AMT("true", "expected an amount (a string such as \"12.50\")");
    AMT("[]", "expected an amount (a string such as \"12.50\")");
    AMT("{}", "expected an amount (a string such as \"12.50\")");
#undef AMT
    expect_amount("\"120.5\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 12050);
    expect_amount("\"120\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 12000);
    expect_amount("\"0\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 0);
    expect_amount("\"007.10\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 710);
    expect_amount("\"1000000000000000.00\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), RG_AMOUNT_MAX_FEN);
    expect_amount("\"00000000000000000000001.5\"", NULL);
    assert_int_equal(item_slot(1, F_ITEM_AMOUNT), 150);
    /* the balance too */
    expect_variant("person.account_balance", "\"8,00\"",
                   "line 7: person.account_balance: malformed amount '8,00' (expected digits with up to two decimals)");
}

static void test_amount_numbers(void **state)
{
    (void)state;
    const char *B = "line 7: items[1].amount: ";
    char want[256];
#define AMT(text, tail)                                   \
    do {                                                  \
        snprintf(want, sizeof want, "%s%s", B, tail);     \
        expect_amount(text, want);                        \
    } while (0)
    AMT("-5", "negative amount -5");
    AMT("-5.0", "negative amount -5.0");
    AMT("-12.5", "negative amount -12.5");
    AMT("-1e-7", "negative amount -1e-07");
    AMT("10.005", "amount 10.005 is not exact to two decimals");
    AMT("0.001", "amount 0.001 is not exact to two decimals");
    AMT("1e-05", "amount 1e-05 is not exact to two decimals");
    AMT("3.14159", "amount 3.14159 is not exact to two decimals");
    AMT("0.30000000000000004", "amount 0.30000000000000004 is not exact to two decimals");
    AMT("1e20", "amount '1e+20' is too large");
    AMT("1e16", "amount '1e+16' is too large");
    AMT("2e15", "amount '2000000000000000.0' is too large");
    AMT("10000000000000000", "amount '10000000000000000' is too large");
    AMT("1000000000000001", "amount '1000000000000001' is too large");
    AMT("100000000000000000000", "amount '100000000000000000000' is too large");
    AMT("-100000000000000000000", "negative amount -100000000000000000000");
    AMT("9223372036854775808", "amount '9223372036854775808' is too large");
    AMT("-9223372036854775809", "negative amount -9223372036854775809");
    /* read from the text, exactly (issue 21): where the double hides a digit, the text is quoted */
    AMT("0.10000000000000001", "amount 0.10000000000000001 is not exact to two decimals");
    AMT("700000000000000.031", "amount 700000000000000.031 is not exact to two decimals");
    AMT("1000000000000000.01", "amount '1000000000000000.01' is too large");
    AMT("-1e-400", "negative amount -1e-400");
    AMT("1e-400", "amount 1e-400 is not exact to two decimals");
    AMT("99999999999999999.99", "amount '1e+17' is too large");
#undef AMT
    static const struct {
        const char *text;
        int64_t fen;
    } ok[] = {{"35.25", 3525}, {"100", 10000}, {"0.1", 10}, {"0", 0}, {"-0", 0}, {"-0.0", 0},
              {"0.0", 0}, {"1e2", 10000}, {"12.5", 1250}, {"0.01", 1}, {"1000000000000000", RG_AMOUNT_MAX_FEN},
              {"1e15", RG_AMOUNT_MAX_FEN}, {"0.29", 29}, {"1.1", 110},
              /* the text's number, not the nearest double's */
              {"700000000000000.03", 70000000000000003}, {"999999999999999.99", 99999999999999999},
              {"12345678901234.56", 1234567890123456}, {"12.500", 1250}, {"1.2345e2", 12345}, {"0.5e-1", 5},
              {"1E+2", 10000}, {"-0e5", 0}, {"0.000", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        expect_amount(ok[i].text, NULL);
        assert_int_equal(item_slot(1, F_ITEM_AMOUNT), ok[i].fen);
    }
}

static void test_big_ints_do_not_leak(void **state)
{
    (void)state;
    /* a line with an oversized integer, then a line whose number looks like its sentinel */
    expect_amount("100000000000000000000", "line 7: items[1].amount: amount '100000000000000000000' is too large");
    expect_amount("9223372036854775807", "line 7: items[1].amount: amount '9223372036854775807' is too large");
    /* big integers inside strings are left alone; several on one line */
    char *s = raw_variant("\"note\": \"x\"",
                          "\"note\": [123456789012345678901234, -98765432109876543210, \"1234567890123456789012\"]");
    expect_ok(s);
    free(s);
    s = raw_variant("\"level\": 3", "\"level\": 77777777777777777777777");
    char *t = raw_variant("\"scheme\": \"employee\"", "\"scheme\": 88888888888888888888");
    expect_msg(s, "line 7: institution.level: expected 1, 2 or 3");
    expect_msg(t, "line 7: person.scheme: unknown scheme '88888888888888888888'");
    free(s);
    free(t);
    s = raw_variant("\"scheme\": \"employee\"", "\"scheme\": [1, -99999999999999999999, 12345678901234567890]");
    expect_msg(s, "line 7: person.scheme: unknown scheme '[1, -99999999999999999999, 12345678901234567890]'");
    free(s);
    /* a leading zero keeps it invalid JSON */
    s = raw_variant("\"level\": 3", "\"level\": 012345678901234567890123");
    char msg[512];
    assert_int_equal(run_line(s, strlen(s), msg, sizeof msg, NULL), -1);
    assert_int_equal(strncmp(msg, "not valid JSON: ", 16), 0);
    free(s);
}

/* ---- order, optional and conditional fields --------------------------------------------- */

static void test_validation_order(void **state)
{
    (void)state;
    /* claim_id before person */
    char *s = raw_variant("\"claim_id\": \"C1\"", "\"claim_id\": 5");
    char *t = NULL;
    expect_msg(s, "line 7: claim_id: expected a string");
    free(s);
    /* person's fields in order, filing before account_balance */
    s = raw_variant("\"account_balance\": \"800.00\"", "\"account_balance\": \"-1\"");
    t = raw_variant("\"kind\": \"long_term\"", "\"kind\": \"x\"");
    expect_msg(s, "line 7: person.account_balance: negative amount '-1'");
    expect_msg(t, "line 7: person.filing.kind: unknown filing kind 'x'");
    free(s);
    free(t);
    /* two problems: the first in document order of the schema, not of the JSON text */
    s = strdup("{\"items\": 5, \"visit\": {\"date\": \"x\"}, \"institution\": {\"level\": 9}, "
               "\"person\": {\"scheme\": \"c\", \"id\": 4}, \"claim_id\": \"C\"}");
    expect_msg(s, "line 7: person.id: expected a string");
    free(s);
    s = strdup("{\"items\": 5, \"visit\": {\"date\": \"x\"}, \"institution\": {\"level\": 9}, "
               "\"person\": {\"scheme\": \"c\", \"id\": \"4\"}, \"claim_id\": \"C\"}");
    expect_msg(s, "line 7: missing field person.insured_region");
    free(s);
    s = variant("visit.date", "\"2025-02-30\"");
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    json_object_set_new(json_object_get(j, "person"), "status", json_string("unemployed"));
    json_object_set_new(json_object_get(j, "institution"), "level", json_integer(4));
    free(s);
    s = json_dumps(j, 0);
    json_decref(j);
    expect_msg(s, "line 7: person.status: unknown status 'unemployed'");
    free(s);
    /* items in order, code before amount */
    s = raw_variant("{\"code\": \"D0001\", \"amount\": \"120.00\"}", "{\"code\": 1, \"amount\": \"-1\"}");
    expect_msg(s, "line 7: items[0].code: expected a string");
    free(s);
    s = raw_variant("{\"code\": \"D0001\", \"amount\": \"120.00\"}", "{\"code\": \"a\", \"amount\": \"-1\"}");
    expect_msg(s, "line 7: items[0].amount: negative amount '-1'");
    free(s);
    /* level before designated */
    s = raw_variant("\"level\": 3, \"designated\": true", "\"level\": 5, \"designated\": 1");
    expect_msg(s, "line 7: institution.level: expected 1, 2 or 3");
    free(s);
}

static void test_filing(void **state)
{
    (void)state;
    /* absent, null: the record and its fields are absent */
    expect_variant_ok("person.filing", NULL);
    assert_int_equal(claim_slot(F_FILING), RG_NONE);
    assert_int_equal(claim_slot(F_FILING_KIND), RG_NONE);
    assert_int_equal(claim_slot(F_FILING_REGION), RG_NONE);
    expect_variant_ok("person.filing", "null");
    assert_int_equal(claim_slot(F_FILING), RG_NONE);
    assert_int_equal(claim_slot(F_FILING_REGION), RG_NONE);
    /* kind none: region not required, but checked whenever it is given */
    expect_variant_ok("person.filing", "{\"kind\": \"none\"}");
    assert_int_equal(claim_slot(F_FILING), 1);
    assert_int_equal(claim_slot(F_FILING_KIND), 0);
    assert_int_equal(claim_slot(F_FILING_REGION), RG_NONE);
    expect_variant_ok("person.filing", "{\"kind\": \"none\", \"region\": null}");
    assert_int_equal(claim_slot(F_FILING_REGION), RG_NONE);
    expect_variant("person.filing", "{\"kind\": \"none\", \"region\": \"SH\"}",
                   "line 7: person.filing.region: unknown region 'SH'");
    expect_variant("person.filing", "{\"kind\": \"none\", \"region\": 5}",
                   "line 7: person.filing.region: unknown region '5'");
    expect_variant_ok("person.filing", "{\"kind\": \"none\", \"region\": \"LN-SY\"}");
    assert_int_equal(claim_slot(F_FILING_REGION), tp_region(&T, "LN-SY"));
    /* kind long_term or temporary: region required and checked */
    expect_variant("person.filing", "{\"kind\": \"long_term\"}", "line 7: missing field person.filing.region");
    expect_variant("person.filing", "{\"kind\": \"temporary\", \"region\": null}",
                   "line 7: missing field person.filing.region");
    expect_variant("person.filing", "{\"kind\": \"temporary\", \"region\": \"SH\"}",
                   "line 7: person.filing.region: unknown region 'SH'");
    expect_variant_ok("person.filing", "{\"kind\": \"temporary\", \"region\": \"LN-SY\"}");
    assert_int_equal(claim_slot(F_FILING_KIND), 2);
    assert_int_equal(claim_slot(F_FILING_REGION), tp_region(&T, "LN-SY"));
    /* an empty filing object lacks its kind */
    expect_variant("person.filing", "{}", "line 7: missing field person.filing.kind");
    /* a claim without filing after one with: no stale slot */
    expect_variant_ok("person.filing", NULL);
    assert_int_equal(claim_slot(F_FILING_KIND), RG_NONE);
}

static void test_memory_failures(void **state)
{
    (void)state;
    char err[256];
    stub_fail_intern = 1;
    assert_int_equal(bind_text(BASE, err, sizeof err), RG_ERR_MEMORY);
    assert_string_equal(err, "out of memory");
    assert_int_equal(rg_claim_read(R, VM, BASE, strlen(BASE), 3, err, sizeof err, NULL), RG_ERR_MEMORY);
    assert_string_equal(err, "line 3: out of memory");
    stub_fail_intern = 0;
    stub_fail_items = 1;
    assert_int_equal(bind_text(BASE, err, sizeof err), RG_ERR_MEMORY);
    stub_fail_items = 0;
    assert_int_equal(bind_text(BASE, err, sizeof err), RG_OK);
}

static void test_message_truncation(void **state)
{
    (void)state;
    /* a long unknown region cut to the buffer, never inside a UTF-8 character */
    char region[3000];
    size_t n = 0;
    region[n++] = '"';
    while (n < 2900) {
        memcpy(region + n, "区", 3);
        n += 3;
    }
    region[n++] = '"';
    region[n] = '\0';
    char *s = variant("institution.region", region);
    for (size_t cap = 30; cap < 60; cap++) {
        char err[64];
        assert_int_equal(bind_text(s, err, cap), RG_ERR_INPUT);
        assert_true(strlen(err) < cap);
        json_t *j = json_string(err); /* NULL when not valid UTF-8 */
        assert_non_null(j);
        json_decref(j);
    }
    free(s);
}

/* ---- Python's repr ---------------------------------------------------------------------- */

static void test_number_repr(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *want;
    } cases[] = {{35.25, "35.25"}, {10.005, "10.005"}, {100.0, "100.0"}, {1e-05, "1e-05"}, {0.0001, "0.0001"},
                 {1e16, "1e+16"}, {9999999999999998.0, "9999999999999998.0"}, {0.1 + 0.2, "0.30000000000000004"},
                 {-0.0, "-0.0"}, {0.0, "0.0"}, {1e22, "1e+22"}, {123456789.125, "123456789.125"},
                 {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {-5.0, "-5.0"},
                 {0.1, "0.1"}, {1.5e-10, "1.5e-10"}, {2e15, "2000000000000000.0"}, {1e100, "1e+100"},
                 {123e-7, "1.23e-05"}, {1234567890123456.7, "1234567890123456.8"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[48];
        int n = rg_json_number_repr(cases[i].d, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
    char small[4];
    assert_int_equal(rg_json_number_repr(35.25, small, sizeof small), 3);
    assert_string_equal(small, "35.");
}

/* ---- result lines, error lines, value texts ---------------------------------------------- */

static FILE *capture_begin(char **buf, size_t *len)
{
    *buf = NULL;
    FILE *f = open_memstream(buf, len);
    assert_non_null(f);
    return f;
}

static void add_output(const char *name, rg_type type, rg_value v)
{
    uint32_t i = T.p.n_outputs++;
    T.outputs[i].name = tp_str(&T, name);
    T.outputs[i].def = i;
    T.outputs[i].type = type;
    stub_defs[i] = v;
}

static void test_result_line(void **state)
{
    (void)state;
    T.p.n_outputs = 0;
    add_output("claim_id", RG_TYPE(RG_T_STRING, 0), (rg_value)(uintptr_t) "C\"1\\\n\t\x01\x1f张");
    add_output("eligible", RG_TYPE(RG_T_BOOL, 0), 1);
    add_output("reason", RG_TYPE(RG_T_ENUM, T.e[E_REASON]), tp_member(&T, E_REASON, "NOT_FILED"));
    add_output("ratio", RG_TYPE(RG_T_PERCENT, 0), 85 * RG_PERCENT_ONE);
    add_output("half", RG_TYPE(RG_T_PERCENT, 0), 125000);
    add_output("total", RG_TYPE(RG_T_MONEY, 0), 12000);
    add_output("cash", RG_TYPE(RG_T_MONEY, 0), 5);
    add_output("region", RG_TYPE(RG_T_REGION, 0), tp_region(&T, "LN-CY"));
    add_output("date", RG_TYPE(RG_T_DATE, 0), day("2025-03-14"));
    add_output("n", RG_TYPE(RG_T_INT, 0), -3);
    add_output("wait", RG_TYPE(RG_T_DURATION, 0), 181);
    add_output("none", RG_TYPE(RG_T_MONEY, 0), RG_NONE);
    add_output("off", RG_TYPE(RG_T_BOOL, 0), 0);
    FILE *f;
    size_t len;
    char *buf;
    f = capture_begin(&buf, &len);
    assert_int_equal(rg_write_result(f, VM, "ignored"), RG_OK);
    fclose(f);
    assert_string_equal(buf, "{\"claim_id\": \"C\\\"1\\\\\\n\\t\\u0001\\u001f张\", \"eligible\": true, "
                             "\"reason\": \"NOT_FILED\", \"ratio\": 85, \"half\": 12.5, \"total\": \"120.00\", "
                             "\"cash\": \"0.05\", \"region\": \"LN-CY\", \"date\": \"2025-03-14\", \"n\": -3, "
                             "\"wait\": 181, \"none\": null, \"off\": false}\n");
    free(buf);

    /* a failing output: nothing written, the status returned */
    stub_fail_def = 5;
    f = capture_begin(&buf, &len);
    assert_int_equal(rg_write_result(f, VM, NULL), RG_ERR_RUNTIME);
    fclose(f);
    assert_string_equal(buf, "");
    free(buf);
    stub_fail_def = RG_NO_INDEX;

    /* a string longer than the line's stack buffer, with nothing to escape, then with */
    static char longs[2][3001];
    memset(longs[0], 'x', 3000);
    memset(longs[1], 'y', 3000);
    longs[1][2999] = '"';
    T.p.n_outputs = 0;
    add_output("a", RG_TYPE(RG_T_STRING, 0), (rg_value)(uintptr_t)longs[0]);
    add_output("b", RG_TYPE(RG_T_STRING, 0), (rg_value)(uintptr_t)longs[1]);
    f = capture_begin(&buf, &len);
    assert_int_equal(rg_write_result(f, VM, NULL), RG_OK);
    fclose(f);
    assert_int_equal(len, strlen("{\"a\": \"\", \"b\": \"\\\"\"}\n") + 3000 + 2999); /* the quote is one of the 3000 */
    assert_memory_equal(buf, "{\"a\": \"xxx", 10);
    assert_memory_equal(buf + len - 8, "yyy\\\"\"}\n", 8);
    free(buf);
    T.p.n_outputs = 0;
}

static void test_error_line(void **state)
{
    (void)state;
    FILE *f;
    size_t len;
    char *buf;
    f = capture_begin(&buf, &len);
    rg_write_error_line(f, 76, "S8-02", "line 76: missing field visit.date");
    rg_write_error_line(f, 75, NULL, "not valid JSON: Expecting ':' delimiter (column 343)");
    rg_write_error_line(f, 3, "a\"b\\c\r\b\f张", "line 3: x: unknown region '\x7f\x02'");
    fclose(f);
    assert_string_equal(buf,
                        "{\"line\": 76, \"claim_id\": \"S8-02\", \"error\": \"line 76: missing field visit.date\"}\n"
                        "{\"line\": 75, \"error\": \"not valid JSON: Expecting ':' delimiter (column 343)\"}\n"
                        "{\"line\": 3, \"claim_id\": \"a\\\"b\\\\c\\r\\b\\f张\", \"error\": \"line 3: x: unknown "
                        "region '\x7f\\u0002'\"}\n");
    free(buf);
}

static void test_value_text(void **state)
{
    (void)state;
    const rg_program *p = &T.p;
    char buf[64];
    struct {
        rg_type type;
        rg_value v;
        const char *want;
    } cases[] = {
        {RG_TYPE(RG_T_MONEY, 0), 1234, "12.34"},
        {RG_TYPE(RG_T_MONEY, 0), -5, "-0.05"},
        {RG_TYPE(RG_T_PERCENT, 0), 85 * RG_PERCENT_ONE, "85%"},
        {RG_TYPE(RG_T_PERCENT, 0), 125000, "12.5%"},
        {RG_TYPE(RG_T_DATE, 0), 0, "1970-01-01"},
        {RG_TYPE(RG_T_ENUM, T.e[E_SCHEME]), 1, "resident"},
        {RG_TYPE(RG_T_REGION, 0), tp_region(&T, "BJ"), "BJ"},
        {RG_TYPE(RG_T_BOOL, 0), 1, "true"},
        {RG_TYPE(RG_T_BOOL, 0), 0, "false"},
        {RG_TYPE(RG_T_INT, 0), -42, "-42"},
        {RG_TYPE(RG_T_DURATION, 0), 60, "60 days"},
        {RG_TYPE(RG_T_DURATION, 0), 1, "1 day"},
        {RG_TYPE(RG_T_STRING, 0), (rg_value)(uintptr_t) "张三", "张三"},
        {RG_TYPE(RG_T_MONEY, 0), RG_NONE, "none"},
        {RG_TYPE(RG_T_STRING, 0), RG_NONE, "none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int n = rg_value_text(p, cases[i].type, cases[i].v, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
    assert_int_equal(rg_value_text(p, RG_TYPE(RG_T_MONEY, 0), 123456, buf, 4), 3);
    assert_string_equal(buf, "123");
    /* percents as JSON numbers: whole, then up to four decimals without trailing zeros */
    static const struct {
        int64_t v;
        const char *want;
    } pct[] = {{0, "0"}, {10000, "1"}, {-10000, "-1"}, {5000, "0.5"}, {50, "0.005"}, {1, "0.0001"},
               {-1, "-0.0001"}, {1234, "0.1234"}, {851000, "85.1"}, {1000000, "100"}, {1230400, "123.04"},
               {INT64_MAX, "922337203685477.5807"}, {-INT64_MAX, "-922337203685477.5807"}};
    for (size_t i = 0; i < sizeof pct / sizeof *pct; i++) {
        int n = rg_format_percent(pct[i].v, buf);
        assert_string_equal(buf, pct[i].want);
        assert_int_equal(n, (int)strlen(pct[i].want));
    }
}

/* ---- the ledger store ------------------------------------------------------------------- */

/* scope 0 "person" keyed by the person id: balance; scope 1 "yearly" by (id, year): two fields */
static void person_and_yearly(void)
{
    T.p.n_ledger_scopes = 2;
    T.scopes[0] = (rg_ledger_scope){.name = tp_str(&T, "person"), .first_field = 0, .n_fields = 1, .first_key = 0, .n_keys = 1};
    T.scopes[1] = (rg_ledger_scope){.name = tp_str(&T, "yearly"), .first_field = 1, .n_fields = 2, .first_key = 1, .n_keys = 2};
    T.p.n_ledger_keys = T.p.n_ledger_key_types = 3;
    T.ledger_key_types[0] = RG_TYPE(RG_T_STRING, 0);
    T.ledger_key_types[1] = RG_TYPE(RG_T_STRING, 0);
    T.ledger_key_types[2] = RG_TYPE(RG_T_INT, 0);
    T.p.n_ledger_fields = 3;
    stub_init[0] = 80000; /* the claim's balance */
    stub_init[1] = stub_init[2] = 0;
}

/* the stub VM's keys: person id, year */
/* A string key as the VM holds one (with its head: program.h). */
static rg_value str_value(const char *text) { return rg_vm_intern(VM, text, strlen(text)); }

static void claim_keys(const char *id, rg_value year)
{
    stub_keys[0][0] = stub_keys[1][0] = id ? str_value(id) : RG_NONE;
    stub_keys[1][1] = year;
}

/* The i-th of a run of distinct person ids: short, record-sized and far
 * longer than a record holds (70 digits), with and without a suffix. */
static void varied_id(char *buf, size_t n, int i)
{
    int w = i % 7 == 0 ? 70 : i % 5;
    snprintf(buf, n, "%0*d-%s", w, i, i % 3 ? "person" : "");
}

/* Commits the three fields of person_and_yearly's scopes: the balance, then
 * the two yearly ones. */
static void commit_values(rg_ledger_store *s, rg_value balance, rg_value y1, rg_value y2)
{
    VM->ledger_out[0] = balance;
    VM->ledger_out[1] = y1;
    VM->ledger_out[2] = y2;
    assert_int_equal(rg_ledger_store_commit(s, VM), RG_OK);
}

/* A scope with an absent key part does not apply: its fields read their
 * first values, and its commit stores nothing (a per-disease ledger and a
 * claim of no disease); the scopes whose keys are all present go on. */
static void test_ledger_absent_key(void **state)
{
    (void)state;
    person_and_yearly();
    rg_ledger_store *s = rg_ledger_store_new(&T.p);
    assert_non_null(s);
    claim_keys("P1", RG_NONE);
    stub_init[1] = 7;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 80000);
    assert_int_equal(VM->ledger_in[1], 7);
    commit_values(s, 70000, 11, 12);
    assert_int_equal(rg_ledger_store_count(s, 0), 1);
    assert_int_equal(rg_ledger_store_count(s, 1), 0);
    /* the same again: the person's record is found, the yearly one still reads first values */
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 70000);
    assert_int_equal(VM->ledger_in[1], 7);
    assert_int_equal(stub_init_calls, 2);
    /* with the year present the yearly scope applies and keeps its record */
    claim_keys("P1", 2024);
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    commit_values(s, 60000, 13, 14);
    assert_int_equal(rg_ledger_store_count(s, 1), 1);
    stub_init[1] = 0;
    rg_ledger_store_free(s);
    T.p.n_ledger_scopes = 0;
}

static void test_ledger_store(void **state)
{
    (void)state;
    person_and_yearly();
    rg_ledger_store *s = rg_ledger_store_new(&T.p);
    assert_non_null(s);
    assert_int_equal(rg_ledger_store_commit(s, VM), RG_ERR_USAGE); /* no load yet */

    char id1[] = "P1", id1b[] = "P1", id2[] = "P2";
    stub_keys[0][0] = str_value(id1);
    stub_keys[1][0] = str_value(id1);
    stub_keys[1][1] = 2024;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3);
    assert_int_equal(VM->ledger_in[0], 80000);
    commit_values(s, 70000, 300, 1);
    assert_int_equal(rg_ledger_store_count(s, 0), 1);
    assert_int_equal(rg_ledger_store_count(s, 1), 1);

    /* the same person (another pointer, same text), another year */
    stub_keys[0][0] = stub_keys[1][0] = str_value(id1b);
    stub_keys[1][1] = 2025;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 2);
    assert_int_equal(VM->ledger_in[0], 70000);
    assert_int_equal(VM->ledger_in[1], 0);
    commit_values(s, 60000, 0, 0);

    /* back to 2024 */
    stub_keys[1][1] = 2024;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 0);
    assert_int_equal(VM->ledger_in[0], 60000);
    assert_int_equal(VM->ledger_in[1], 300);
    assert_int_equal(VM->ledger_in[2], 1);

    /* many persons: the tables grow */
    char ids[500][16];
    for (int i = 0; i < 500; i++) {
        snprintf(ids[i], sizeof ids[i], "Q%d", i);
        stub_keys[0][0] = stub_keys[1][0] = str_value(ids[i]);
        assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
        commit_values(s, i, i * 2, i * 2);
    }
    assert_int_equal(rg_ledger_store_count(s, 0), 501);
    for (int i = 0; i < 500; i += 37) {
        stub_keys[0][0] = stub_keys[1][0] = str_value(ids[i]);
        stub_init_calls = 0;
        assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
        assert_int_equal(stub_init_calls, 0);
        assert_int_equal(VM->ledger_in[0], i);
        assert_int_equal(VM->ledger_in[2], i * 2);
    }
    /* an absent key is a key of its own */
    stub_keys[0][0] = stub_keys[1][0] = RG_NONE;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3);

    /* clear: everyone forgotten */
    rg_ledger_store_clear(s);
    assert_int_equal(rg_ledger_store_count(s, 0), 0);
    stub_keys[0][0] = stub_keys[1][0] = str_value(id2);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3);
    stub_keys[0][0] = stub_keys[1][0] = str_value(id1);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3);

    /* reused after clear: keys of every length (most longer than a record
     * holds, some far longer), negative and absent years, across many
     * doublings of the tables; each found again with its own values */
    enum { N_LONG = 3000 };
    static char lids[N_LONG][80];
    for (int i = 0; i < N_LONG; i++) {
        varied_id(lids[i], sizeof lids[i], i);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N_LONG; i++) {
            stub_keys[0][0] = stub_keys[1][0] = str_value(lids[i]);
            stub_keys[1][1] = i % 11 == 0 ? 0 : i % 13 == 0 ? -i : 2000 + i % 4;
            stub_init_calls = 0;
            assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
            if (pass == 0) {
                assert_int_equal(stub_init_calls, 3);
                commit_values(s, i, -i, RG_NONE);
            } else {
                assert_int_equal(stub_init_calls, 0);
                assert_int_equal(VM->ledger_in[0], i);
                assert_int_equal(VM->ledger_in[1], -i);
                assert_int_equal(VM->ledger_in[2], RG_NONE);
            }
        }
        assert_int_equal(rg_ledger_store_count(s, 0), N_LONG);
        assert_int_equal(rg_ledger_store_count(s, 1), N_LONG);
    }
    /* the same text and another year is another yearly record, the same person */
    stub_keys[0][0] = stub_keys[1][0] = str_value(lids[7]);
    stub_keys[1][1] = 1999;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 2);
    assert_int_equal(VM->ledger_in[0], 7);
    rg_ledger_store_free(s);
    T.p.n_ledger_scopes = 0;
}

/* A model of the store: 60,000 claims of persons drawn from a pool that
 * grows to 15,000 (a third of them with ids longer than a record holds, so
 * that the records are laid out anew as the tables double), six years each,
 * mostly persons seen before; every load compared with what plain arrays
 * kept, every commit kept in both. Run with the heads' hash bits (tables
 * doubled in place) and with every home made again from the key texts. */
static void test_ledger_model(void **state)
{
    (void)state;
    enum { PERSONS = 15000, YEARS = 6, CLAIMS = 60000 };
    static rg_value balance[PERSONS], y1[PERSONS][YEARS], y2[PERSONS][YEARS];
    static uint8_t seen[PERSONS], seen_year[PERSONS][YEARS];
    static char ids[PERSONS][80];
    for (int i = 0; i < PERSONS; i++) {
        if (i % 3 == 0)
            snprintf(ids[i], sizeof ids[i], "%040d-long", i);
        else
            snprintf(ids[i], sizeof ids[i], "P%d", i);
    }
    for (int from_text = 0; from_text < 2; from_text++) {
        person_and_yearly();
        rg_ledger_store *s = rg_ledger_store_new(&T.p);
        assert_non_null(s);
        if (from_text)
            rg_ledger_store_rehash_from_text(s);
        memset(seen, 0, sizeof seen);
        memset(seen_year, 0, sizeof seen_year);
        uint64_t x = 88172645463325252ull;
        int pool = 1;
        for (int c = 0; c < CLAIMS; c++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            if (pool < PERSONS && x % 4 == 0)
                pool++; /* a new person, now and then */
            int who = x % 3 == 0 ? pool - 1 : (int)((x >> 8) % (uint64_t)pool), year = (int)((x >> 40) % YEARS);
            claim_keys(ids[who], 2020 + year);
            assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
            assert_int_equal(VM->ledger_in[0], seen[who] ? balance[who] : 80000);
            assert_int_equal(VM->ledger_in[1], seen_year[who][year] ? y1[who][year] : 0);
            assert_int_equal(VM->ledger_in[2], seen_year[who][year] ? y2[who][year] : 0);
            balance[who] = (seen[who] ? balance[who] : 80000) - c % 7;
            y1[who][year] = c;
            y2[who][year] = -c;
            seen[who] = seen_year[who][year] = 1;
            commit_values(s, balance[who], c, -c);
        }
        uint32_t persons = 0, person_years = 0;
        for (int i = 0; i < PERSONS; i++) {
            persons += seen[i];
            for (int y = 0; y < YEARS; y++)
                person_years += seen_year[i][y];
        }
        assert_int_equal(rg_ledger_store_count(s, 0), persons);
        assert_int_equal(rg_ledger_store_count(s, 1), person_years);
        rg_ledger_store_free(s);
        T.p.n_ledger_scopes = 0;
    }
}

/* Keys are told apart by every byte of their text (a NUL inside included),
 * and a table rehashed from the stored key texts (as one of more than 2^24
 * slots is) finds every record again: the hash made from the keys' words and
 * the one made from their text agree for every kind of key. */
static void test_ledger_key_texts(void **state)
{
    (void)state;
    person_and_yearly();
    rg_ledger_store *s = rg_ledger_store_new(&T.p);
    assert_non_null(s);
    rg_ledger_store_rehash_from_text(s);
    stub_keys[1][1] = 2024;
    rg_value p_nul = rg_vm_intern(VM, "P\0x", 3), p = str_value("P");
    stub_keys[0][0] = stub_keys[1][0] = p_nul;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    commit_values(s, 1, 2, 3);
    stub_keys[0][0] = stub_keys[1][0] = p;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3); /* "P" is not "P\0x" */
    commit_values(s, 4, 5, 6);

    enum { N = 2000 };
    static char ids[N][80];
    for (int i = 0; i < N; i++) {
        varied_id(ids[i], sizeof ids[i], i);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            stub_keys[0][0] = stub_keys[1][0] = i % 17 == 0 ? str_value("") : str_value(ids[i]);
            stub_keys[1][1] = i % 11 == 0 && i % 17 ? 0 : i % 13 == 0 ? -i * 1000003LL : 2000 + i; /* every pair once */
            stub_init_calls = 0;
            assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
            if (pass == 0) {
                commit_values(s, i, -i, i);
            } else {
                assert_int_equal(stub_init_calls, 0);
                assert_int_equal(VM->ledger_in[1], -i);
                assert_int_equal(VM->ledger_in[2], i);
            }
        }
    }
    stub_keys[0][0] = stub_keys[1][0] = p_nul;
    stub_keys[1][1] = 2024;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 1);
    assert_int_equal(VM->ledger_in[1], 2);
    stub_keys[0][0] = stub_keys[1][0] = p;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 4);
    assert_int_equal(VM->ledger_in[1], 5);
    rg_ledger_store_free(s);
    T.p.n_ledger_scopes = 0;
}

/* Keys given (the claim's, as the API computed them when it began the claim)
 * load what the VM's own would, and the VM is never asked for them. */
static void test_ledger_keys_given(void **state)
{
    (void)state;
    person_and_yearly();
    rg_ledger_store *s = rg_ledger_store_new(&T.p);
    assert_non_null(s);
    char a[] = "A";
    rg_value keys[3] = {str_value(a), str_value(a), 2024}; /* scope 0: id; scope 1: id, year */
    claim_keys("B", 2025); /* what the VM would say: the given keys must not ask it */
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, keys), RG_OK);
    assert_int_equal(stub_init_calls, 3);
    commit_values(s, 111, 222, 333);
    claim_keys("A", 2024);
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 111);
    assert_int_equal(VM->ledger_in[2], 333);
    claim_keys("B", 2025);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(stub_init_calls, 3); /* B was never stored */
    /* many others stored: the tables double several times; A still found by its given keys */
    char ids[700][16];
    for (int i = 0; i < 700; i++) {
        snprintf(ids[i], sizeof ids[i], "Q%d", i);
        claim_keys(ids[i], 2024);
        assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
        commit_values(s, i, i, i);
    }
    claim_keys("B", 2025);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, keys), RG_OK);
    assert_int_equal(stub_init_calls, 0);
    assert_int_equal(VM->ledger_in[0], 111);
    assert_int_equal(VM->ledger_in[1], 222);
    assert_int_equal(VM->ledger_in[2], 333);
    /* an absent key part given: the yearly scope does not apply */
    keys[2] = RG_NONE;
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load(s, VM, keys), RG_OK);
    assert_int_equal(VM->ledger_in[0], 111);
    assert_int_equal(stub_init_calls, 2);
    rg_ledger_store_free(s);
    T.p.n_ledger_scopes = 0;
}

/* Keys made ahead (rg_ledger_store_keys, the look-ahead) for a person new
 * then, who a commit in between stored: the load finds that record. Made
 * before a clear: they name the person they were made for, not whoever the
 * store kept first after the clear. */
static void test_ledger_keys_ahead(void **state)
{
    (void)state;
    person_and_yearly();
    rg_ledger_store *s = rg_ledger_store_new(&T.p);
    assert_non_null(s);
    rg_ledger_keys *k = rg_ledger_keys_new(s);
    assert_non_null(k);
    char a[] = "A", b[] = "B";
    rg_value ka[3] = {str_value(a), str_value(a), 2024};
    assert_int_equal(rg_ledger_store_keys(s, ka, k), RG_OK); /* A is new */
    claim_keys("A", 2024);
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    commit_values(s, 7, 8, 9);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load_keys(s, VM, k), RG_OK);
    assert_int_equal(stub_init_calls, 0);
    assert_int_equal(VM->ledger_in[0], 7);
    assert_int_equal(VM->ledger_in[2], 9);
    commit_values(s, 10, 11, 12);

    assert_int_equal(rg_ledger_store_keys(s, ka, k), RG_OK); /* A known now */
    rg_ledger_store_clear(s);
    claim_keys(b, 2024); /* the first string kept after the clear */
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    commit_values(s, 1, 2, 3);
    stub_init_calls = 0;
    assert_int_equal(rg_ledger_store_load_keys(s, VM, k), RG_OK);
    assert_int_equal(stub_init_calls, 3); /* A, forgotten: not B's record */
    commit_values(s, 4, 5, 6);
    claim_keys(b, 2024);
    assert_int_equal(rg_ledger_store_load(s, VM, NULL), RG_OK);
    assert_int_equal(VM->ledger_in[0], 1);
    assert_int_equal(rg_ledger_store_count(s, 0), 2);
    rg_ledger_keys_free(k);
    rg_ledger_store_free(s);
    T.p.n_ledger_scopes = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bind_good_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blank_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_id_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regions_and_enums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amount_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amount_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_ints_do_not_leak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_number_repr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_result_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_keys_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_keys_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_key_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_absent_key, setup, teardown),
    };
    return cmocka_run_group_tests_name("claim_json", tests, NULL, NULL);
}
