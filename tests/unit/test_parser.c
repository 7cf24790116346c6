/* test_parser.c — unit tests of the grammar: small policy texts through rg_parse_file, asserting on the shape of the tree (declarations, tables, decisions, versions, per-item blocks, result/update/test blocks, expression precedence) and on syntax errors and recovery.
 * Parses only: names are not resolved and nothing is type-checked here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>

#include "file_io.h"
#include "parse.h"
#include "program.h"

typedef struct {
    rg_arena arena;
    rg_diag diag;
    FILE *out;
    char *msgs;
    size_t msgs_len;
    rg_file *f;
    uint32_t file;
} parsed;

static parsed *parse(const char *text)
{
    parsed *P = calloc(1, sizeof *P);
    assert_non_null(P);
    P->out = open_memstream(&P->msgs, &P->msgs_len);
    assert_non_null(P->out);
    rg_diag_init(&P->diag, P->out);
    P->file = rg_diag_add_source(&P->diag, "p.rg", text, strlen(text));
    P->f = rg_parse_file(&P->arena, &P->diag, P->file);
    fflush(P->out);
    return P;
}

/* Parses text that must be free of errors. */
static parsed *parse_ok(const char *text)
{
    parsed *P = parse(text);
    if (!P->f || P->diag.n_errors)
        print_error("unexpected errors:\n%s\n", P->msgs);
    assert_non_null(P->f);
    assert_int_equal(P->diag.n_errors, 0);
    return P;
}

static void done(parsed *P)
{
    rg_diag_free(&P->diag);
    fclose(P->out);
    free(P->msgs);
    rg_arena_free(&P->arena);
    free(P);
}

static rg_decl *decl(parsed *P, uint32_t i)
{
    assert_true(i < P->f->decls.n);
    return P->f->decls.v[i];
}

/* The source text an expression or declaration covers. */
static char *text_of(parsed *P, rg_loc l)
{
    static char buf[256];
    const rg_source *s = rg_diag_source(&P->diag, l.file);
    assert_non_null(s);
    assert_true(l.end >= l.start && l.end <= s->len);
    snprintf(buf, sizeof buf, "%.*s", (int)(l.end - l.start), s->text + l.start);
    return buf;
}

static void test_file_header(void **state)
{
    (void)state;
    parsed *P = parse_ok("# a region\npolicy LN-CY extends LN\n");
    assert_string_equal(P->f->policy, "LN-CY");
    assert_string_equal(P->f->parent, "LN");
    assert_string_equal(text_of(P, P->f->policy_loc), "LN-CY");
    assert_string_equal(text_of(P, P->f->parent_loc), "LN");
    assert_int_equal(P->f->decls.n, 0);
    done(P);
    /* Chinese keywords: 政策 … 继承 … */
    P = parse_ok("\xe6\x94\xbf\xe7\xad\x96 CN\n\xe5\x8f\x82\xe6\x95\xb0 x = 1\n");
    assert_string_equal(P->f->policy, "CN");
    assert_null(P->f->parent);
    assert_int_equal(decl(P, 0)->kind, RG_D_PARAM);
    done(P);
}

static void test_schema_declarations(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy CN\n"
                         "enum kind { none, long_term, temporary }\n"
                         "record filing {\n  kind: kind\n  region: region when kind != none\n}\n"
                         "claim {\n  id: string\n  filing: filing?\n  level: int in 1..3\n  items: list of item\n}\n"
                         "select policy by person.insured_region as of visit.date\n"
                         "param wait: duration = 60 days\n"
                         "def total: money = ¥1 + ¥2\n"
                         "def flag = true\n");
    assert_int_equal(P->f->decls.n, 7);
    rg_decl *e = decl(P, 0);
    assert_int_equal(e->kind, RG_D_ENUM);
    assert_string_equal(e->name, "kind");
    assert_int_equal(e->members.n, 3);
    assert_string_equal(e->members.v[0], "none");
    assert_string_equal(e->members.v[2], "temporary");

    rg_decl *r = decl(P, 1);
    assert_int_equal(r->kind, RG_D_RECORD);
    assert_int_equal(r->members.n, 2);
    rg_member *m = r->members.v[1];
    assert_string_equal(m->name, "region");
    assert_string_equal(m->type->name, "region");
    assert_string_equal(m->cond_field, "kind");
    assert_int_equal(m->cond_op, RG_OPR_NE);
    assert_int_equal(m->cond_value->kind, RG_E_NONE);

    rg_decl *c = decl(P, 2);
    assert_int_equal(c->kind, RG_D_CLAIM);
    assert_int_equal(c->members.n, 4);
    m = c->members.v[1];
    assert_string_equal(m->type->name, "filing");
    assert_true(m->type->optional);
    m = c->members.v[2];
    assert_true(m->type->has_range);
    assert_int_equal(m->type->lo, 1);
    assert_int_equal(m->type->hi, 3);
    m = c->members.v[3];
    assert_null(m->type->name);
    assert_non_null(m->type->elem);
    assert_string_equal(m->type->elem->name, "item");

    rg_decl *s = decl(P, 3);
    assert_int_equal(s->kind, RG_D_SELECT);
    assert_int_equal(s->value->kind, RG_E_FIELD);
    assert_string_equal(s->value->name, "insured_region");
    assert_int_equal(s->value->lhs->kind, RG_E_NAME);
    assert_string_equal(s->value->lhs->name, "person");
    assert_string_equal(s->value2->name, "date");

    rg_decl *p = decl(P, 4);
    assert_int_equal(p->kind, RG_D_PARAM);
    assert_string_equal(p->name, "wait");
    assert_string_equal(p->type->name, "duration");
    assert_int_equal(p->value->kind, RG_E_DURATION);
    assert_int_equal(p->value->ival, 60);
    assert_string_equal(text_of(P, p->name_loc), "wait");

    rg_decl *d = decl(P, 5);
    assert_int_equal(d->kind, RG_D_DEF);
    assert_string_equal(d->type->name, "money");
    assert_int_equal(d->value->kind, RG_E_BINARY);
    assert_int_equal(d->value->op, RG_OPR_ADD);
    assert_int_equal(d->value->lhs->ival, 100);
    assert_string_equal(text_of(P, d->value->loc), "¥1 + ¥2");
    assert_string_equal(text_of(P, d->loc), "def total: money = ¥1 + ¥2");
    assert_null(decl(P, 6)->type);
    assert_int_equal(decl(P, 6)->value->kind, RG_E_BOOL);
    done(P);
}

static void test_tables(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy CN\n"
                         "table ratio: percent by (person.scheme, level) hit first {\n"
                         "  | employee | 1, 2   -> 90%\n"
                         "  | resident | 3..5   -> 80%\n"
                         "  | _        | >= 6   -> 70%\n"
                         "}\n"
                         "table ratio {\n  | resident | _ -> 75%\n}\n"
                         "brackets tiers {\n  from ¥0 below ¥100 -> 50%\n  from ¥100 -> 80%\n}\n");
    rg_decl *t = decl(P, 0);
    assert_int_equal(t->kind, RG_D_TABLE);
    assert_string_equal(t->type->name, "percent");
    assert_int_equal(t->hit_first, 1);
    assert_int_equal(t->inputs.n, 2);
    assert_int_equal(t->rows.n, 3);
    rg_row *r0 = t->rows.v[0], *r1 = t->rows.v[1], *r2 = t->rows.v[2];
    assert_int_equal(r0->pats.n, 2);
    rg_pattern *p = r0->pats.v[0];
    assert_int_equal(p->kind, RG_P_VALUE);
    assert_string_equal(p->lo->name, "employee");
    p = r0->pats.v[1];
    assert_int_equal(p->kind, RG_P_ALT);
    assert_int_equal(p->alts.n, 2);
    assert_int_equal(((rg_pattern *)p->alts.v[1])->lo->ival, 2);
    assert_int_equal(r0->result->ival, 90 * RG_PERCENT_ONE);
    p = r1->pats.v[1];
    assert_int_equal(p->kind, RG_P_RANGE);
    assert_int_equal(p->lo->ival, 3);
    assert_int_equal(p->hi->ival, 5);
    assert_int_equal(((rg_pattern *)r2->pats.v[0])->kind, RG_P_ANY);
    p = r2->pats.v[1];
    assert_int_equal(p->kind, RG_P_CMP);
    assert_int_equal(p->op, RG_OPR_GE);
    assert_int_equal(p->lo->ival, 6);
    assert_string_equal(text_of(P, r2->loc), "| _        | >= 6   -> 70%");

    /* a child's table: rows only, no type, inputs or hit policy */
    rg_decl *c = decl(P, 1);
    assert_int_equal(c->kind, RG_D_TABLE);
    assert_null(c->type);
    assert_int_equal(c->inputs.n, 0);
    assert_int_equal(c->hit_first, -1);
    assert_int_equal(c->rows.n, 1);

    rg_decl *b = decl(P, 2);
    assert_int_equal(b->kind, RG_D_BRACKETS);
    assert_int_equal(b->rows.n, 2);
    rg_tier_ast *t0 = b->rows.v[0], *t1 = b->rows.v[1];
    assert_int_equal(t0->from->ival, 0);
    assert_int_equal(t0->below->ival, 10000);
    assert_null(t1->below);
    assert_int_equal(t1->pct->ival, 80 * RG_PERCENT_ONE);
    done(P);
}

static void test_decide(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy CN\n"
                         "decide reduction: percent? {\n"
                         "  when at_home and kind == long_term -> 15%\n"
                         "  when visit.emergency -> 10%\n"
                         "  otherwise -> none\n"
                         "}\n"
                         "\xe5\x86\xb3\xe7\xad\x96 d {\n  \xe5\xbd\x93 true -> 1\n  \xe5\x85\xb6\xe4\xbb\x96 -> 2\n}\n");
    rg_decl *d = decl(P, 0);
    assert_int_equal(d->kind, RG_D_DECIDE);
    assert_string_equal(d->name, "reduction");
    assert_true(d->type->optional);
    assert_int_equal(d->rows.n, 3);
    rg_arm *a0 = d->rows.v[0], *a2 = d->rows.v[2];
    assert_int_equal(a0->cond->kind, RG_E_BINARY);
    assert_int_equal(a0->cond->op, RG_OPR_AND);
    assert_int_equal(a0->cond->rhs->op, RG_OPR_EQ);
    assert_int_equal(a0->result->ival, 15 * RG_PERCENT_ONE);
    assert_null(a2->cond);
    assert_int_equal(a2->result->kind, RG_E_NONE);
    assert_string_equal(text_of(P, a2->loc), "otherwise -> none");
    /* 决策 / 当 / 其他 */
    rg_decl *z = decl(P, 1);
    assert_int_equal(z->kind, RG_D_DECIDE);
    assert_int_equal(z->rows.n, 2);
    assert_null(((rg_arm *)z->rows.v[1])->cond);
    done(P);
}

static void test_versions_and_items(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy LN-CY extends LN\n"
                         "version 2024 from 2024-01-01 until 2024-12-31 {\n"
                         "  param cap = ¥2500\n"
                         "  table ratio {\n    | employee | L1 -> 60%\n  }\n"
                         "}\n"
                         "version \"late\" from 2025-01-01 {\n  param cap = ¥3000\n}\n"
                         "for item in items {\n"
                         "  def covered = item.class == A\n"
                         "  def own = if covered then ¥0 else item.amount\n"
                         "}\n");
    rg_decl *v = decl(P, 0);
    assert_int_equal(v->kind, RG_D_VERSION);
    assert_string_equal(v->name, "2024");
    assert_int_equal(v->from->kind, RG_E_DATE);
    assert_int_equal(v->from->ival, 19723);
    assert_int_equal(v->until->ival, 20088);
    assert_int_equal(v->decls.n, 2);
    assert_int_equal(((rg_decl *)v->decls.v[0])->kind, RG_D_PARAM);
    assert_int_equal(((rg_decl *)v->decls.v[1])->kind, RG_D_TABLE);
    rg_decl *w = decl(P, 1);
    assert_string_equal(w->name, "late");
    assert_null(w->until);
    rg_decl *e = decl(P, 2);
    assert_int_equal(e->kind, RG_D_EACH);
    assert_string_equal(e->var, "item");
    assert_string_equal(e->list, "items");
    assert_int_equal(e->decls.n, 2);
    rg_decl *own = e->decls.v[1];
    assert_string_equal(own->name, "own");
    assert_int_equal(own->value->kind, RG_E_IF);
    assert_string_equal(own->value->cond->name, "covered");
    assert_int_equal(own->value->rhs->kind, RG_E_FIELD);
    assert_string_equal(own->value->rhs->name, "amount");
    done(P);
}

static void test_result_update_test_blocks(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy CN\n"
                         "result {\n  fund = fund\n  cash = total - fund\n}\n"
                         "update when eligible and visit.type == inpatient {\n"
                         "  yearly.admissions += 1\n  yearly.paid -= fund\n  account.balance = ¥0\n}\n"
                         "update { account.balance -= account }\n"
                         "sample claim {\n  claim_id = \"T\"\n  person.id = \"P1\"\n"
                         "  items = [{code: \"S1\", amount: ¥500}, {code: \"S2\", amount: ¥1}]\n}\n"
                         "test \"second admission\" {\n"
                         "  given claim { visit.type = inpatient, institution.level = 3 }\n"
                         "  given yearly { admissions = 1 }\n"
                         "  expect { deductible = ¥450, ratio = 80% }\n"
                         "}\n");
    rg_decl *r = decl(P, 0);
    assert_int_equal(r->kind, RG_D_RESULT);
    assert_int_equal(r->assigns.n, 2);
    rg_assign *a = r->assigns.v[1];
    assert_string_equal(a->path.v[0], "cash");
    assert_int_equal(a->value->op, RG_OPR_SUB);

    rg_decl *u = decl(P, 1);
    assert_int_equal(u->kind, RG_D_UPDATE);
    assert_non_null(u->value2);
    assert_int_equal(u->value2->op, RG_OPR_AND);
    assert_int_equal(u->assigns.n, 3);
    rg_assign *u0 = u->assigns.v[0], *u1 = u->assigns.v[1], *u2 = u->assigns.v[2];
    assert_int_equal(u0->op, '+');
    assert_int_equal(u0->path.n, 2);
    assert_string_equal(u0->path.v[0], "yearly");
    assert_string_equal(u0->path.v[1], "admissions");
    assert_int_equal(u1->op, '-');
    assert_int_equal(u2->op, '=');
    assert_null(decl(P, 2)->value2);

    rg_decl *s = decl(P, 3);
    assert_int_equal(s->kind, RG_D_SAMPLE);
    assert_int_equal(s->assigns.n, 3);
    rg_assign *items = s->assigns.v[2];
    assert_int_equal(items->value->kind, RG_E_LIST);
    assert_int_equal(items->value->args.n, 2);
    rg_expr *rec = items->value->args.v[0];
    assert_int_equal(rec->kind, RG_E_RECORD);
    assert_int_equal(rec->keys.n, 2);
    assert_string_equal(rec->keys.v[1], "amount");
    assert_int_equal(((rg_expr *)rec->args.v[1])->ival, 50000);
    rg_assign *pid = s->assigns.v[1];
    assert_int_equal(pid->path.n, 2);
    assert_string_equal(pid->value->text, "P1");

    rg_decl *t = decl(P, 4);
    assert_int_equal(t->kind, RG_D_TEST);
    assert_string_equal(t->name, "second admission");
    assert_int_equal(t->assigns.n, 2);
    assert_int_equal(t->ledger_given.n, 1);
    rg_assign *g = t->ledger_given.v[0];
    assert_int_equal(g->path.n, 2); /* the scope is prefixed: yearly.admissions */
    assert_string_equal(g->path.v[0], "yearly");
    assert_string_equal(g->path.v[1], "admissions");
    assert_int_equal(t->expects.n, 2);
    assert_string_equal(((rg_assign *)t->expects.v[1])->path.v[0], "ratio");
    done(P);
}

static void test_expressions(void **state)
{
    (void)state;
    parsed *P = parse_ok("policy CN\n"
                         "def a = x + y * z\n"
                         "def b = not p and q or r\n"
                         "def c = m ?? n + 1\n"
                         "def d = m ?? n == o\n"
                         "def e = -x - y\n"
                         "def f = sum item.own for item in items where item.own > ¥0\n"
                         "def g = min(a, max(b, c), 3)\n"
                         "def h = count i in items\n"
                         "def i = region in [LN-SY, LN-LY]\n"
                         "def j = (x + y) * z\n");
    rg_expr *a = decl(P, 0)->value;
    assert_int_equal(a->op, RG_OPR_ADD);
    assert_int_equal(a->rhs->op, RG_OPR_MUL);
    rg_expr *b = decl(P, 1)->value;
    assert_int_equal(b->op, RG_OPR_OR);
    assert_int_equal(b->lhs->op, RG_OPR_AND);
    assert_int_equal(b->lhs->lhs->kind, RG_E_UNARY);
    assert_int_equal(b->lhs->lhs->op, RG_OPR_NOT);
    rg_expr *c = decl(P, 2)->value;
    assert_int_equal(c->op, RG_OPR_COALESCE); /* + binds tighter than ?? */
    assert_int_equal(c->rhs->op, RG_OPR_ADD);
    rg_expr *d = decl(P, 3)->value;
    assert_int_equal(d->op, RG_OPR_EQ); /* ?? binds tighter than == */
    assert_int_equal(d->lhs->op, RG_OPR_COALESCE);
    rg_expr *e = decl(P, 4)->value;
    assert_int_equal(e->op, RG_OPR_SUB);
    assert_int_equal(e->lhs->kind, RG_E_UNARY);
    assert_int_equal(e->lhs->op, RG_OPR_NEG);
    rg_expr *f = decl(P, 5)->value;
    assert_int_equal(f->kind, RG_E_AGG);
    assert_int_equal(f->op, RG_AGG_SUM);
    assert_string_equal(f->name, "item");
    assert_string_equal(f->rhs->name, "items");
    assert_non_null(f->cond);
    assert_int_equal(f->cond->op, RG_OPR_GT);
    rg_expr *g = decl(P, 6)->value;
    assert_int_equal(g->kind, RG_E_CALL);
    assert_string_equal(g->name, "min");
    assert_int_equal(g->args.n, 3);
    assert_int_equal(((rg_expr *)g->args.v[1])->kind, RG_E_CALL);
    rg_expr *h = decl(P, 7)->value;
    assert_int_equal(h->op, RG_AGG_COUNT);
    assert_null(h->cond);
    rg_expr *i = decl(P, 8)->value;
    assert_int_equal(i->op, RG_OPR_IN);
    assert_int_equal(i->rhs->kind, RG_E_LIST);
    assert_string_equal(((rg_expr *)i->rhs->args.v[0])->name, "LN-SY");
    rg_expr *j = decl(P, 9)->value;
    assert_int_equal(j->op, RG_OPR_MUL);
    assert_int_equal(j->lhs->op, RG_OPR_ADD);
    done(P);
}

static unsigned count_of(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_syntax_errors_recover(void **state)
{
    (void)state;
    /* three broken declarations, each reported; the good ones between do not hide them */
    parsed *P = parse("policy CN\n"
                      "def a = x +\n"
                      "def b = ¥1\n"
                      "param c = = 3\n"
                      "def ok = 1\n"
                      "table t: percent by (x) {\n  | _ => 10%\n}\n"
                      "def fine = 2\n");
    assert_null(P->f);
    assert_int_equal(P->diag.n_errors, 3);
    assert_int_equal(count_of(P->msgs, "error: syntax error"), 3);
    /* a line that ends too soon is said where it ends, not at the next line's declaration */
    assert_non_null(strstr(P->msgs, "p.rg:2:11: error: syntax error: this line ends before what it begins is "
                                    "complete (the next line starts 'def')"));
    assert_non_null(strstr(P->msgs, "    2 | def a = x +\n      |           ^\n"));
    assert_non_null(strstr(P->msgs, "hint: expected an expression"));
    assert_non_null(strstr(P->msgs, "p.rg:4:11: error: syntax error at or near '='"));
    assert_non_null(strstr(P->msgs, "p.rg:7:7: error: syntax error at or near '='"));
    assert_non_null(strstr(P->msgs, "hint: expected -> or '|'"));
    /* the source line and a caret under the token */
    assert_non_null(strstr(P->msgs, "    4 | param c = = 3\n      |           ^\n"));
    done(P);
}

static void test_line_ends_too_soon(void **state)
{
    (void)state;
    /* the end is found past a comment and blank lines */
    parsed *P = parse("policy CN\nreject \"r\"  # no when\n\n# more\ndef b = 1\n");
    assert_null(P->f);
    assert_non_null(strstr(P->msgs, "p.rg:2:10: error: syntax error: this line ends before what it begins is complete "
                                    "(the next line starts 'def')"));
    assert_non_null(strstr(P->msgs, "hint: expected when"));
    done(P);
    /* a declaration where none may come, after a complete one: said where it stands */
    P = parse("policy CN\ndef a = 1\nextends\n");
    assert_null(P->f);
    assert_non_null(strstr(P->msgs, "p.rg:3:1: error: syntax error at or near 'extends'"));
    done(P);
}

static void test_unexpected_end(void **state)
{
    (void)state;
    parsed *P = parse("policy CN\ndecide d: percent {\n  when x -> 10%\n");
    assert_null(P->f);
    assert_int_equal(P->diag.n_errors, 1);
    assert_non_null(strstr(P->msgs, "p.rg:3:16: error: syntax error: unexpected end of input"));
    assert_non_null(strstr(P->msgs, "hint: expected otherwise, when or '}'"));
    done(P);
    /* no policy line at all */
    P = parse("def x = 1\n");
    assert_null(P->f);
    assert_non_null(strstr(P->msgs, "p.rg:1:1: error: syntax error at or near 'def'"));
    assert_non_null(strstr(P->msgs, "expected policy"));
    done(P);
    P = parse("");
    assert_null(P->f);
    assert_non_null(strstr(P->msgs, "unexpected end of input"));
    done(P);
}

static void test_lexical_errors_fail_the_parse(void **state)
{
    (void)state;
    /* the scanner's errors count: the file has no tree even though it is grammatical */
    parsed *P = parse("policy CN\nparam d = 2023-02-30\n");
    assert_null(P->f);
    assert_int_equal(P->diag.n_errors, 1);
    assert_non_null(strstr(P->msgs, "p.rg:2:11: error: impossible date"));
    done(P);
}

/* rg_read_file: every byte (a NUL too), a NUL after them, past its first
 * buffer; a missing file and a directory are refused with errno set. */
static void test_read_file(void **state)
{
    (void)state;
    char path[] = "/tmp/regula-read-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = 200000;
    char *want = malloc(n);
    assert_non_null(want);
    for (size_t i = 0; i < n; i++) want[i] = (char)(i * 7);
    assert_int_equal(write(fd, want, n), (ssize_t)n);
    close(fd);
    size_t len = 0;
    char *got = rg_read_file(path, &len);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
    assert_int_equal(got[n], '\0');
    free(got);
    unlink(path);
    free(want);
    errno = 0;
    assert_null(rg_read_file(path, &len));
    assert_int_equal(errno, ENOENT);
    errno = 0; /* a directory says so, not "I/O error" */
    assert_null(rg_read_file("/tmp", &len));
    assert_int_equal(errno, EISDIR);
    errno = 0; /* past the limit: EFBIG, and the message names the limit */
    assert_null(rg_read_file_max("/dev/zero", 1 << 20, &len));
    assert_int_equal(errno, EFBIG);
    assert_non_null(strstr(rg_read_error(EFBIG, 1 << 20), "larger than 1 MiB, the most regula reads from one file"));
}

/* Lines with a limit: a byte order mark before the first is skipped, a line
 * past the limit is reported (and the next one read), the last line needs no
 * newline, memory stays bounded on an endless line. */
static void test_read_lines(void **state)
{
    (void)state;
    char *text = NULL;
    size_t n = 0;
    FILE *w = open_memstream(&text, &n);
    assert_non_null(w);
    fputs("\xef\xbb\xbf{\"a\": 1}\n\n", w);
    for (int i = 0; i < 300000; i++) /* 300,000 bytes: past a limit of 100,000 */
        fputc('x', w);
    fputs("\n\xef\xbb\xbfsecond\r\nlast", w);
    fclose(w);
    FILE *f = fmemopen(text, n, "rb");
    assert_non_null(f);
    rg_lines l;
    rg_lines_init(&l, f, 100000);
    const char *line;
    assert_int_equal(rg_lines_next(&l, &line), 8);
    assert_string_equal(line, "{\"a\": 1}");
    assert_int_equal(rg_lines_next(&l, &line), 0);
    assert_int_equal(rg_lines_next(&l, &line), RG_LINE_TOO_LONG);
    assert_int_equal(l.dropped, 300000);
    assert_int_equal(rg_lines_next(&l, &line), 10); /* a mark after the start is the line's */
    assert_string_equal(line, "\xef\xbb\xbfsecond\r");
    assert_int_equal(rg_lines_next(&l, &line), 4);
    assert_string_equal(line, "last");
    assert_int_equal(rg_lines_next(&l, &line), -1);
    assert_int_equal(l.err, 0);
    rg_lines_free(&l);
    fclose(f);
    free(text);
    /* an endless line: with stop_long the reader gives up at the limit */
    f = fopen("/dev/zero", "rb");
    assert_non_null(f);
    rg_lines_init(&l, f, 1 << 20);
    l.stop_long = 1;
    assert_int_equal(rg_lines_next(&l, &line), RG_LINE_TOO_LONG);
    assert_true(l.dropped > (1 << 20) && l.cap < (8u << 20));
    assert_int_equal(rg_lines_next(&l, &line), -1);
    rg_lines_free(&l);
    fclose(f);
}

/* A byte order mark before a policy is skipped; the locations stay the file's. */
static void test_byte_order_mark(void **state)
{
    (void)state;
    parsed *P = parse_ok("\xef\xbb\xbfpolicy X\ndef x = 1\n");
    assert_string_equal(P->f->policy, "X");
    assert_string_equal(text_of(P, decl(P, 0)->name_loc), "x");
    done(P);
    P = parse("\xef\xbb\xbfpolicy X\ndef x = )\n"); /* an error's place counts from the file's start */
    assert_null(P->f);
    assert_non_null(strstr(P->msgs, "p.rg:2:9: error: syntax error at or near ')'"));
    done(P);
}

/* "policy X\ndef x = " + (a chain of `n` operands joined by op, or n brackets
 * around 1, or n prefix operators before true), as one long line. */
static char *deep_text(const char *kind, unsigned n)
{
    size_t cap = 64 + (size_t)n * 8;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t len = (size_t)snprintf(t, cap, "policy X\ndef x = ");
    if (strcmp(kind, "(") == 0) {
        memset(t + len, '(', n), len += n;
        t[len++] = '1';
        memset(t + len, ')', n), len += n;
    } else if (strcmp(kind, "not") == 0) {
        for (unsigned i = 0; i < n; i++)
            len += (size_t)snprintf(t + len, cap - len, "not ");
        len += (size_t)snprintf(t + len, cap - len, "true");
    } else {
        for (unsigned i = 0; i < n; i++)
            len += (size_t)snprintf(t + len, cap - len, i ? " %s 1" : "1", kind);
    }
    t[len++] = '\n';
    t[len] = '\0';
    return t;
}

/* Expressions nest at most RG_MAX_NESTING levels: the limit itself parses,
 * one more is one error naming the limit, and chains of 20,000 operands (about
 * 100 KB) or 10,000 brackets are refused with that message, not a crash or
 * Bison's "memory exhausted". */
static void test_nesting_limit(void **state)
{
    (void)state;
    const char *ops[] = {"+", "and", "or", "??", "*"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        char *t = deep_text(ops[k], RG_MAX_NESTING + 1); /* RG_MAX_NESTING operators */
        parsed *P = parse_ok(t);
        rg_expr *e = decl(P, 0)->value;
        assert_int_equal(e->depth, RG_MAX_NESTING);
        done(P);
        free(t);
        unsigned sizes[] = {RG_MAX_NESTING + 2, 20000};
        for (size_t i = 0; i < 2; i++) {
            t = deep_text(ops[k], sizes[i]);
            P = parse(t);
            assert_null(P->f);
            assert_int_equal(P->diag.n_errors, 1);
            assert_non_null(strstr(P->msgs, "error: expression nested too deeply: more than 256 levels"));
            assert_non_null(strstr(P->msgs, "split the expression into definitions"));
            assert_null(strstr(P->msgs, "memory exhausted"));
            done(P);
            free(t);
        }
    }
    char *t = deep_text("(", RG_MAX_NESTING);
    done(parse_ok(t));
    free(t);
    unsigned sizes[] = {RG_MAX_NESTING + 1, 10000, 100000};
    for (size_t i = 0; i < 3; i++) {
        t = deep_text("(", sizes[i]);
        parsed *P = parse(t);
        assert_null(P->f);
        /* at the 257th bracket: line 2, column 9 + 256 */
        assert_non_null(strstr(P->msgs, "p.rg:2:265: error: brackets nested too deeply: more than 256 open at once"));
        assert_null(strstr(P->msgs, "memory exhausted"));
        done(P);
        free(t);
    }
    unsigned nots[] = {RG_MAX_NESTING + 1, 12000};
    for (size_t i = 0; i < 2; i++) {
        t = deep_text("not", nots[i]);
        parsed *P = parse(t);
        assert_null(P->f);
        assert_int_equal(P->diag.n_errors, 1);
        assert_non_null(strstr(P->msgs, "nested too deeply: more than 256 levels"));
        assert_null(strstr(P->msgs, "memory exhausted"));
        done(P);
        free(t);
    }
}

static void test_repl_items(void **state)
{
    (void)state;
    rg_arena arena = {0};
    rg_diag diag;
    char *msgs = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&msgs, &len);
    rg_diag_init(&diag, out);
    rg_repl_item item;
    int incomplete = -1;
    uint32_t f = rg_diag_add_source(&diag, "<1>", "¥1 + x * 2", strlen("¥1 + x * 2"));
    assert_int_equal(rg_parse_repl(&arena, &diag, f, &item, &incomplete), 0);
    assert_int_equal(incomplete, 0);
    assert_null(item.decl);
    assert_non_null(item.expr);
    assert_int_equal(item.expr->op, RG_OPR_ADD);
    f = rg_diag_add_source(&diag, "<2>", "def y = 3", strlen("def y = 3"));
    assert_int_equal(rg_parse_repl(&arena, &diag, f, &item, &incomplete), 0);
    assert_non_null(item.decl);
    assert_string_equal(item.decl->name, "y");
    /* an unfinished input asks for more */
    f = rg_diag_add_source(&diag, "<3>", "if a then", strlen("if a then"));
    assert_int_equal(rg_parse_repl(&arena, &diag, f, &item, &incomplete), -1);
    assert_int_equal(incomplete, 1);
    f = rg_diag_add_source(&diag, "<4>", "a + )", strlen("a + )"));
    assert_int_equal(rg_parse_repl(&arena, &diag, f, &item, &incomplete), -1);
    assert_int_equal(incomplete, 0);
    rg_diag_free(&diag);
    fclose(out);
    free(msgs);
    rg_arena_free(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_header),
        cmocka_unit_test(test_schema_declarations),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_versions_and_items),
        cmocka_unit_test(test_result_update_test_blocks),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_syntax_errors_recover),
        cmocka_unit_test(test_line_ends_too_soon),
        cmocka_unit_test(test_unexpected_end),
        cmocka_unit_test(test_lexical_errors_fail_the_parse),
        cmocka_unit_test(test_repl_items),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_read_lines),
        cmocka_unit_test(test_byte_order_mark),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
