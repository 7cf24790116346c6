/* test_diag.c — unit tests of diagnostics as records (lang/diag.c): a report
 * is one record with its place in lines, characters and bytes, handed to a
 * sink or rendered; the renderer's styles for text a tool added; a related
 * place; an overlay's text read in place of a file's; the edit distance of
 * "did you mean", in characters.
 * Runs lang/ alone: no grammar, no compiler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"

typedef struct {
    rg_diag_record r[4];
    char msg[4][200], hint[4][200], rel[4][200];
    uint32_t rel_line[4], rel_col[4];
    int n;
} caught;

static void catch_sink(void *ud, const rg_diag *d, const rg_diag_record *r)
{
    (void)d;
    caught *c = ud;
    assert_true(c->n < 4);
    c->r[c->n] = *r;
    snprintf(c->msg[c->n], sizeof c->msg[0], "%s", r->message);
    snprintf(c->hint[c->n], sizeof c->hint[0], "%s", r->hint ? r->hint : "(none)");
    if (r->n_related) {
        snprintf(c->rel[c->n], sizeof c->rel[0], "%s", r->related[0].message);
        c->rel_line[c->n] = r->related[0].line;
        c->rel_col[c->n] = r->related[0].col;
    }
    c->n++;
}

static const char *text = "policy 北京\nparam x = ¥1 + 10%\n";

/* A report is a record: lines and columns from 1, columns in characters, the
 * end one past the underlined text; nothing is printed while a sink is set. */
static void test_record_to_sink(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&out, &len);
    rg_diag d;
    rg_diag_init(&d, o);
    uint32_t f = rg_diag_add_source(&d, "b.rg", text, strlen(text));
    caught c = {0};
    d.sink = catch_sink;
    d.sink_ud = &c;
    const char *plus = strstr(text, "¥1 + 10%");
    uint32_t at = (uint32_t)(plus - text);
    rg_report(&d, RG_SEV_ERROR, (rg_loc){f, at, at + (uint32_t)strlen("¥1 + 10%")}, "use pct", "type mismatch: %s", "money + percent");
    rg_report_related(&d, RG_SEV_ERROR, (rg_loc){f, 18, 19}, NULL, (rg_loc){f, 7, 13}, "declared here", "clash");
    rg_report_plain(&d, RG_SEV_ERROR, "cannot read '%s'", "x.rg");
    fclose(o);
    assert_int_equal(len, 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(d.n_errors, 3);
    assert_string_equal(c.r[0].path, "b.rg");
    assert_int_equal(c.r[0].line, 2);
    assert_int_equal(c.r[0].col, 11);
    assert_int_equal(c.r[0].end_line, 2);
    assert_int_equal(c.r[0].end_col, 19); /* ¥ is one character of two bytes */
    assert_int_equal(c.r[0].loc.start, at);
    assert_string_equal(c.msg[0], "type mismatch: money + percent");
    assert_string_equal(c.hint[0], "use pct");
    assert_int_equal(c.r[0].n_related, 0);
    assert_string_equal(c.rel[1], "declared here");
    assert_int_equal(c.rel_line[1], 1);
    assert_int_equal(c.rel_col[1], 8);
    assert_null(c.r[2].path);
    assert_int_equal(c.r[2].line, 0);
    free(out);
    rg_diag_free(&d);
}

static void expect_render(const rg_diag *d, const rg_diag_record *r, const rg_diag_style *st, const char *want)
{
    char *out = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&out, &len);
    rg_diag_render(d, r, st, o);
    fclose(o);
    assert_string_equal(out, want);
    free(out);
}

/* The renderer: as for files; then as the REPL shows what was typed (no
 * name, the added lines hidden and not counted) and its own texts (a name, no
 * line numbers). */
static void test_render_styles(void **state)
{
    (void)state;
    rg_diag d;
    rg_diag_init(&d, stderr);
    const char *typed = "policy CN\ndef __it =\n1 + x\n";
    uint32_t f = rg_diag_add_source(&d, "<input>", typed, strlen(typed));
    caught c = {0};
    d.sink = catch_sink;
    d.sink_ud = &c;
    rg_report(&d, RG_SEV_ERROR, (rg_loc){f, 25, 26}, "define it", "unknown name 'x'");
    rg_report(&d, RG_SEV_ERROR, (rg_loc){f, 14, 18}, NULL, "cycle");
    c.r[0].message = c.msg[0];
    c.r[0].hint = c.hint[0];
    c.r[1].message = c.msg[1];
    c.r[1].hint = NULL;
    expect_render(&d, &c.r[0], NULL,
                  "<input>:3:5: error: unknown name 'x'\n"
                  "    3 | 1 + x\n"
                  "      |     ^\n"
                  "      = hint: define it\n");
    rg_diag_style typed_style = {RG_PLACE_NONE, 2, 0};
    expect_render(&d, &c.r[0], &typed_style,
                  "error: unknown name 'x'\n"
                  "    1 | 1 + x\n"
                  "      |     ^\n"
                  "      = hint: define it\n");
    expect_render(&d, &c.r[1], &typed_style, "error: cycle\n"); /* in a line the tool added: no source line */
    rg_diag_style own = {RG_PLACE_FILE, 0, 1};
    expect_render(&d, &c.r[0], &own,
                  "<input>: error: unknown name 'x'\n"
                  "      | 1 + x\n"
                  "      |     ^\n"
                  "      = hint: define it\n");
    rg_diag_free(&d);
}

static int overlay(void *ud, const char *path, char **text_out, size_t *len)
{
    if (strcmp(path, (const char *)ud) != 0)
        return 0;
    *text_out = strdup("policy EDITED\n");
    *len = strlen(*text_out);
    return 1;
}

/* An overlay's text stands in for the file's; other files are read from disk. */
static void test_overlay(void **state)
{
    (void)state;
    char path[] = "/tmp/regula-diag-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "policy ON_DISK\n", 15), 15);
    close(fd);
    rg_diag d;
    rg_diag_init(&d, stderr);
    d.overlay = overlay;
    d.overlay_ud = path;
    int f = rg_diag_load_file(&d, path);
    assert_true(f >= 0);
    assert_string_equal(rg_diag_source(&d, (uint32_t)f)->text, "policy EDITED\n");
    d.overlay_ud = "/elsewhere.rg";
    f = rg_diag_load_file(&d, path);
    assert_string_equal(rg_diag_source(&d, (uint32_t)f)->text, "policy ON_DISK\n");
    unlink(path);
    rg_diag_free(&d);
}

/* A Chinese character is one edit, not up to three bytes' worth. */
static void test_edit_distance_characters(void **state)
{
    (void)state;
    assert_int_equal(rg_edit_distance("parm", "param"), 1);
    assert_int_equal(rg_edit_distance("it", "item"), 2);
    assert_int_equal(rg_edit_distance("\xe5\x8f\x82\xe7\xb4\xa0", "\xe5\x8f\x82\xe6\x95\xb0"), 1); /* 参素, 参数 */
    assert_int_equal(rg_edit_distance("\xe8\xb5\xb7\xe4\xbb\x98", "\xe8\xb5\xb7\xe4\xbb\x98\xe7\xba\xbf"), 1); /* 起付, 起付线 */
    assert_int_equal(rg_edit_distance("", "\xe8\xa1\xa8"), 1); /* 表 */
    assert_int_equal(rg_utf8_chars("\xe8\xb5\xb7\xe4\xbb\x98\xe7\xba\xbf"), 3);
    assert_int_equal(rg_utf8_chars("a\xe8\xa1\xa8" "b"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_to_sink),
        cmocka_unit_test(test_render_styles),
        cmocka_unit_test(test_overlay),
        cmocka_unit_test(test_edit_distance_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
