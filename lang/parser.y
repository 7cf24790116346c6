/* parser.y — the Bison grammar of Regula: tokens to the AST of lang/ast.h.
 * Builds nodes and reports syntax errors (recovering at the next declaration);
 * it resolves no names and checks no types. */
%define api.pure full
%locations
%define parse.error custom
%expect 0
%param {void *scanner}
%parse-param {rg_parse_ctx *ctx}

%code requires {
#include "ast.h"
#include "parse.h"
typedef rg_loc YYLTYPE;
#define YYLTYPE_IS_DECLARED 1
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                    \
    do {                                                               \
        if (N) {                                                       \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                        \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                      \
            (Cur).end = YYRHSLOC(Rhs, N).end;                          \
        } else {                                                       \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                        \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;            \
        }                                                              \
    } while (0)
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, void *scanner);
}
%code {
static void yyerror(YYLTYPE *loc, void *scanner, rg_parse_ctx *ctx, const char *msg);
static const char *loc_text(rg_parse_ctx *ctx, YYLTYPE l);
}

%code {
#include <stdio.h>
#include <string.h>
#include "i18n.h"

#include "i18n.h"

static rg_expr *mk(rg_parse_ctx *c, rg_expr_kind k, YYLTYPE l)
{
    rg_expr *e = rg_arena_alloc(c->arena, sizeof *e);
    e->kind = k;
    e->loc = l;
    return e;
}
/* A node built from its operands: one level deeper than the deepest of them.
 * Past RG_MAX_NESTING the input is refused where the limit is crossed (at the
 * operand that crosses it), once an input: the compiler recurses on the tree. */
static void report_too_deep(rg_parse_ctx *c, YYLTYPE at, const char *what)
{
    if (c->too_deep)
        return;
    c->too_deep = 1;
    c->n_errors++;
    at.end = at.start + 1;
    rg_report(c->diag, RG_SEV_ERROR, at,
              _("each operator of a chain (a + b + c), each bracket, call, if or aggregate inside another is a level; "
              "split the expression into definitions (def part_1 = ...) and combine those"),
              _("%s nested too deeply: more than %d levels"), what, RG_MAX_NESTING);
}
static rg_expr *nest(rg_parse_ctx *c, rg_expr *e)
{
    const rg_expr *kids[3] = {e->lhs, e->rhs, e->cond};
    const rg_expr *deepest = NULL;
    for (int i = 0; i < 3; i++)
        if (kids[i] && (!deepest || kids[i]->depth > deepest->depth))
            deepest = kids[i];
    for (uint32_t i = 0; i < e->args.n; i++) {
        const rg_expr *a = e->args.v[i];
        if (!deepest || a->depth > deepest->depth)
            deepest = a;
    }
    e->depth = deepest ? deepest->depth + 1 : 0;
    if (e->depth == RG_MAX_NESTING + 1)
        report_too_deep(c, e->kind == RG_E_BINARY ? e->rhs->loc : e->loc, _("expression"));
    return e;
}
static rg_expr *mkbin(rg_parse_ctx *c, int op, rg_expr *a, rg_expr *b, YYLTYPE l)
{
    rg_expr *e = mk(c, RG_E_BINARY, l);
    e->op = op;
    e->lhs = a;
    e->rhs = b;
    return nest(c, e);
}
static rg_decl *mkdecl(rg_parse_ctx *c, rg_decl_kind k, YYLTYPE l)
{
    rg_decl *d = rg_arena_alloc(c->arena, sizeof *d);
    d->kind = k;
    d->loc = l;
    return d;
}
static rg_pattern *mkpat(rg_parse_ctx *c, rg_pat_kind k, YYLTYPE l)
{
    rg_pattern *p = rg_arena_alloc(c->arena, sizeof *p);
    p->kind = k;
    p->loc = l;
    return p;
}
static rg_texpr *mktype(rg_parse_ctx *c, const char *name, YYLTYPE l)
{
    rg_texpr *t = rg_arena_alloc(c->arena, sizeof *t);
    t->name = name;
    t->loc = l;
    return t;
}
/* `T in lo..hi`: the bounds, and what they are written in (RG_E_INT, RG_E_MONEY,
 * RG_E_PERCENT; -1 when the two differ). */
static void set_range(rg_texpr *t, const rg_expr *lo, const rg_expr *hi, YYLTYPE a, YYLTYPE b)
{
    t->has_range = 1;
    t->lo = lo->ival;
    t->hi = hi->ival;
    t->range_unit = lo->kind == hi->kind ? (int)lo->kind : -1;
    t->range_loc = (rg_loc){a.file, a.start, b.end};
}
static rg_vec *newvec(rg_parse_ctx *c)
{
    return rg_arena_alloc(c->arena, sizeof(rg_vec));
}
static const char *int_text(rg_parse_ctx *c, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return rg_arena_strndup(c->arena, buf, strlen(buf));
}
}

%union {
    int64_t ival;
    const char *str;
    rg_expr *expr;
    rg_decl *decl;
    rg_texpr *type;
    rg_vec *vec;
    rg_member *member;
    rg_pattern *pat;
    rg_row *row;
    rg_arm *arm;
    rg_tier_ast *tier;
    rg_assign *assign;
    int num;
}

%token START_FILE START_REPL START_EXPR
%token <ival> INT "number" MONEY "money" PERCENT "percentage" DATE "date" DURATION "duration" MONTHS "months"
%token <str> IDENT "name" STRING "string"
%token UNDERSCORE "_"
%token EQEQ "==" NE "!=" LE "<=" GE ">=" ARROW "->" PLUSEQ "+=" MINUSEQ "-=" COALESCE "??" DOTDOT ".."
%token ALL "all" AND "and" ANY "any" AS "as" BELOW "below" BRACKETS "brackets" BY "by"
%token CATALOG "catalog" CLAIM "claim" COUNT "count" DECIDE "decide" DEF "def" ELSE "else"
%token ENUM "enum" EXPECT "expect" EXTENDS "extends" FALSE "false" FIRST "first" FOR "for"
%token FROM "from" GIVEN "given" HIT "hit" IF "if" IN "in" KEY "key" LEDGER "ledger"
%token LIST "list" NONE "none" NOT "not" OF "of" OR "or" OTHERWISE "otherwise" PARAM "param"
%token POLICY "policy" RECORD "record" RESULT "result" SAMPLE "sample" SELECT "select"
%token SUM "sum" TABLE "table" TEST "test" THEN "then" TRUE "true" UNIQUE "unique"
%token UNTIL "until" UPDATE "update" VERSION "version" WHEN "when" WHERE "where"
%token EXTERN "extern" FN "fn" LAST "last" NONEMPTY "nonempty" ONLY "only" REJECT "reject"

%type <expr> expr primary opt_where bound
%type <decl> decl enum_decl record_decl claim_decl param_decl def_decl table_decl decide_decl
%type <decl> brackets_decl catalog_decl ledger_decl update_decl result_decl select_decl
%type <decl> sample_decl test_decl version_decl each_decl test_body repl_decl extern_decl reject_decl
%type <type> type opt_type
%type <vec> decls enum_members members expr_list opt_expr_list rows cells alts arms tiers assigns path record_fields
%type <vec> opt_type_list type_list
%type <member> member mopts
%type <pat> pat
%type <row> row
%type <arm> arm
%type <tier> tier
%type <assign> assign stmt
%type <str> name_or_none version_name dotted field_name
%type <num> hit_opt

%precedence ELSE WHERE
%left OR
%left AND
%precedence NOT
%nonassoc EQEQ NE '<' LE '>' GE IN
%left COALESCE
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

start
    : START_FILE file
    | START_REPL repl_item
    | START_EXPR expr { ctx->expr_result = $2; }
    ;

file
    : POLICY IDENT decls {
          rg_file *f = rg_arena_alloc(ctx->arena, sizeof *f);
          f->file = ctx->file; f->policy = $2; f->policy_loc = @2; f->decls = *$3;
          ctx->result = f;
      }
    | POLICY IDENT EXTENDS IDENT decls {
          rg_file *f = rg_arena_alloc(ctx->arena, sizeof *f);
          f->file = ctx->file; f->policy = $2; f->policy_loc = @2;
          f->parent = $4; f->parent_loc = @4; f->decls = *$5;
          ctx->result = f;
      }
    ;

repl_item
    : repl_decl { ctx->decl_result = $1; }
    | expr { ctx->expr_result = $1; }
    ;

repl_decl
    : decl { $$ = $1; }
    ;

decls
    : %empty { $$ = newvec(ctx); }
    | decls decl { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    | decls error { $$ = $1; rg_parse_note_skipped(ctx, @2); } /* a name declared there is not missing */
    ;

decl
    : enum_decl | record_decl | claim_decl | param_decl | def_decl | table_decl
    | decide_decl | brackets_decl | catalog_decl | ledger_decl | update_decl
    | result_decl | select_decl | sample_decl | test_decl | version_decl | each_decl
    | extern_decl | reject_decl
    ;

/* ---- types and schema ---- */

enum_decl
    : ENUM IDENT '{' enum_members '}' { $$ = mkdecl(ctx, RG_D_ENUM, @$); $$->name = $2; $$->name_loc = @2; $$->members = *$4; }
    | ENUM IDENT "+=" '{' enum_members '}' {
          $$ = mkdecl(ctx, RG_D_ENUM, @$); $$->name = $2; $$->name_loc = @2; $$->members = *$5; $$->extend = 1;
      }
    ;
enum_members
    : name_or_none { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, (void *)$1); }
    | enum_members ',' name_or_none { $$ = $1; rg_vec_apush(ctx->arena, $$, (void *)$3); }
    ;
name_or_none
    : IDENT { $$ = $1; }
    | NONE { $$ = "none"; }
    ;

record_decl
    : RECORD IDENT '{' members '}' { $$ = mkdecl(ctx, RG_D_RECORD, @$); $$->name = $2; $$->name_loc = @2; $$->members = *$4; }
    | RECORD IDENT '{' members '}' ELSE STRING {
          $$ = mkdecl(ctx, RG_D_RECORD, @$); $$->name = $2; $$->name_loc = @2; $$->members = *$4; $$->message = $7;
      }
    ;
claim_decl
    : CLAIM '{' members '}' { $$ = mkdecl(ctx, RG_D_CLAIM, @$); $$->name = "claim"; $$->name_loc = @1; $$->members = *$3; }
    ;
members
    : %empty { $$ = newvec(ctx); }
    | members member { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    | members ',' { $$ = $1; }
    ;
/* a field of the claim or of a record may be named like a keyword: a period's `from` */
field_name
    : IDENT { $$ = $1; }
    | FROM { $$ = "from"; }
    | UNTIL { $$ = "until"; }
    | BY { $$ = "by"; }
    | KEY { $$ = "key"; }
    | TEST { $$ = "test"; }
    | RESULT { $$ = "result"; }
    | COUNT { $$ = "count"; }
    | SUM { $$ = "sum"; }
    | FIRST { $$ = "first"; }
    | LAST { $$ = "last"; }
    | ALL { $$ = "all"; }
    | ANY { $$ = "any"; }
    | UNIQUE { $$ = "unique"; }
    ;
member
    : field_name ':' type mopts { $$ = $4; $$->loc = @1; $$->name = $1; $$->type = $3; }
    | KEY IDENT ':' type { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @2; $$->name = $2; $$->type = $4; $$->is_key = 1; }
    ;
/* what may follow a field's type: a first value or default, a condition, `nonempty`, `else "message"` */
mopts
    : %empty { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); }
    | mopts '=' expr { $$ = $1; $$->init = $3; }
    | mopts WHEN IDENT EQEQ primary { $$ = $1; $$->cond_field = $3; $$->cond_op = RG_OPR_EQ; $$->cond_value = $5; }
    | mopts WHEN IDENT NE primary { $$ = $1; $$->cond_field = $3; $$->cond_op = RG_OPR_NE; $$->cond_value = $5; }
    | mopts ONLY WHEN IDENT EQEQ primary {
          $$ = $1; $$->cond_field = $4; $$->cond_op = RG_OPR_EQ; $$->cond_value = $6; $$->cond_only = 1;
      }
    | mopts ONLY WHEN IDENT NE primary {
          $$ = $1; $$->cond_field = $4; $$->cond_op = RG_OPR_NE; $$->cond_value = $6; $$->cond_only = 1;
      }
    | mopts NONEMPTY { $$ = $1; $$->nonempty = 1; }
    | mopts ELSE STRING { $$ = $1; $$->message = $3; $$->message_loc = @3; }
    ;
type
    : IDENT { $$ = mktype(ctx, $1, @$); }
    | IDENT '?' { $$ = mktype(ctx, $1, @$); $$->optional = 1; }
    | LIST OF IDENT { $$ = mktype(ctx, NULL, @$); $$->elem = mktype(ctx, $3, @3); }
    | LIST OF IDENT '?' { $$ = mktype(ctx, NULL, @$); $$->elem = mktype(ctx, $3, @3); $$->optional = 1; }
    | IDENT IN bound DOTDOT bound { $$ = mktype(ctx, $1, @$); set_range($$, $3, $5, @3, @5); }
    | IDENT '?' IN bound DOTDOT bound { $$ = mktype(ctx, $1, @$); $$->optional = 1; set_range($$, $4, $6, @4, @6); }
    ;
/* a bound of a range: a whole number, money or a percentage, perhaps negative */
bound
    : INT { $$ = mk(ctx, RG_E_INT, @$); $$->ival = $1; }
    | MONEY { $$ = mk(ctx, RG_E_MONEY, @$); $$->ival = $1; }
    | PERCENT { $$ = mk(ctx, RG_E_PERCENT, @$); $$->ival = $1; }
    | '-' bound { $$ = $2; $$->ival = -$2->ival; $$->loc = @$; }
    ;
opt_type
    : %empty { $$ = NULL; }
    | ':' type { $$ = $2; }
    ;

/* a function the host supplies: `extern fn risk_score(string, money) -> percent` */
extern_decl
    : EXTERN FN IDENT '(' opt_type_list ')' ARROW type {
          $$ = mkdecl(ctx, RG_D_EXTERN, @$); $$->name = $3; $$->name_loc = @3; $$->params = *$5; $$->type = $8;
      }
    ;
opt_type_list
    : %empty { $$ = newvec(ctx); }
    | type_list { $$ = $1; }
    ;
type_list
    : type { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, $1); }
    | type_list ',' type { $$ = $1; rg_vec_apush(ctx->arena, $$, $3); }
    ;

/* ---- definitions ---- */

param_decl
    : PARAM IDENT opt_type '=' expr { $$ = mkdecl(ctx, RG_D_PARAM, @$); $$->name = $2; $$->name_loc = @2; $$->type = $3; $$->value = $5; }
    ;
def_decl
    : DEF IDENT opt_type '=' expr { $$ = mkdecl(ctx, RG_D_DEF, @$); $$->name = $2; $$->name_loc = @2; $$->type = $3; $$->value = $5; }
    ;

table_decl
    : TABLE IDENT ':' type BY '(' expr_list ')' hit_opt '{' rows '}' {
          $$ = mkdecl(ctx, RG_D_TABLE, @$); $$->name = $2; $$->name_loc = @2; $$->type = $4;
          $$->inputs = *$7; $$->hit_first = $9; $$->rows = *$11;
      }
    | TABLE IDENT '{' rows '}' {
          $$ = mkdecl(ctx, RG_D_TABLE, @$); $$->name = $2; $$->name_loc = @2; $$->rows = *$4; $$->hit_first = -1;
      }
    ;
hit_opt
    : %empty { $$ = 0; }
    | HIT UNIQUE { $$ = 0; }
    | HIT FIRST { $$ = 1; }
    ;
rows
    : %empty { $$ = newvec(ctx); }
    | rows row { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    ;
row
    : '|' cells ARROW expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->pats = *$2; $$->result = $4; }
    ;
cells
    : alts { $$ = newvec(ctx); rg_pattern *p = $1->n == 1 ? $1->v[0] : NULL;
             if (!p) { p = mkpat(ctx, RG_P_ALT, @1); p->alts = *$1; } rg_vec_apush(ctx->arena, $$, p); }
    | cells '|' alts { $$ = $1; rg_pattern *p = $3->n == 1 ? $3->v[0] : NULL;
             if (!p) { p = mkpat(ctx, RG_P_ALT, @3); p->alts = *$3; } rg_vec_apush(ctx->arena, $$, p); }
    ;
alts
    : pat { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, $1); }
    | alts ',' pat { $$ = $1; rg_vec_apush(ctx->arena, $$, $3); }
    ;
pat
    : "_" { $$ = mkpat(ctx, RG_P_ANY, @$); }
    | expr { $$ = mkpat(ctx, RG_P_VALUE, @$); $$->lo = $1; }
    | expr ".." expr { $$ = mkpat(ctx, RG_P_RANGE, @$); $$->lo = $1; $$->hi = $3; }
    | '<' expr { $$ = mkpat(ctx, RG_P_CMP, @$); $$->op = RG_OPR_LT; $$->lo = $2; }
    | "<=" expr { $$ = mkpat(ctx, RG_P_CMP, @$); $$->op = RG_OPR_LE; $$->lo = $2; }
    | '>' expr { $$ = mkpat(ctx, RG_P_CMP, @$); $$->op = RG_OPR_GT; $$->lo = $2; }
    | ">=" expr { $$ = mkpat(ctx, RG_P_CMP, @$); $$->op = RG_OPR_GE; $$->lo = $2; }
    ;

decide_decl
    : DECIDE IDENT opt_type '{' arms '}' { $$ = mkdecl(ctx, RG_D_DECIDE, @$); $$->name = $2; $$->name_loc = @2; $$->type = $3; $$->rows = *$5; }
    ;
arms
    : arm { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, $1); }
    | arms arm { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    ;
arm
    : WHEN expr ARROW expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->cond = $2; $$->result = $4; }
    | OTHERWISE ARROW expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->result = $3; }
    ;

brackets_decl
    : BRACKETS IDENT '{' tiers '}' { $$ = mkdecl(ctx, RG_D_BRACKETS, @$); $$->name = $2; $$->name_loc = @2; $$->rows = *$4; }
    ;
tiers
    : tier { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, $1); }
    | tiers tier { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    ;
tier
    : FROM expr ARROW expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->from = $2; $$->pct = $4; }
    | FROM expr BELOW expr ARROW expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->from = $2; $$->below = $4; $$->pct = $6; }
    ;

catalog_decl
    : CATALOG IDENT STRING '{' members '}' { $$ = mkdecl(ctx, RG_D_CATALOG, @$); $$->name = $2; $$->name_loc = @2; $$->path = $3; $$->members = *$5; }
    | CATALOG IDENT STRING { $$ = mkdecl(ctx, RG_D_CATALOG, @$); $$->name = $2; $$->name_loc = @2; $$->path = $3; }
    ;

ledger_decl
    : LEDGER IDENT BY expr_list '{' members '}' { $$ = mkdecl(ctx, RG_D_LEDGER, @$); $$->name = $2; $$->name_loc = @2; $$->inputs = *$4; $$->members = *$6; }
    ;

update_decl
    : UPDATE '{' assigns '}' { $$ = mkdecl(ctx, RG_D_UPDATE, @$); $$->name = "update"; $$->assigns = *$3; }
    | UPDATE WHEN expr '{' assigns '}' { $$ = mkdecl(ctx, RG_D_UPDATE, @$); $$->name = "update"; $$->value2 = $3; $$->assigns = *$5; }
    ;

result_decl
    : RESULT '{' assigns '}' { $$ = mkdecl(ctx, RG_D_RESULT, @$); $$->name = "result"; $$->assigns = *$3; }
    ;

select_decl
    : SELECT POLICY BY expr AS OF expr { $$ = mkdecl(ctx, RG_D_SELECT, @$); $$->name = "select"; $$->value = $4; $$->value2 = $7; }
    ;

sample_decl
    : SAMPLE CLAIM '{' assigns '}' { $$ = mkdecl(ctx, RG_D_SAMPLE, @$); $$->name = "sample"; $$->assigns = *$4; }
    ;

test_decl
    : TEST STRING '{' test_body EXPECT '{' assigns '}' '}' { $$ = $4; $$->loc = @$; $$->name = $2; $$->name_loc = @2; $$->expects = *$7; }
    ;
test_body
    : %empty { $$ = mkdecl(ctx, RG_D_TEST, @$); }
    | test_body GIVEN CLAIM '{' assigns '}' {
          $$ = $1; for (uint32_t i = 0; i < $5->n; i++) rg_vec_apush(ctx->arena, &$$->assigns, $5->v[i]);
      }
    | test_body GIVEN IDENT '{' assigns '}' {
          $$ = $1;
          for (uint32_t i = 0; i < $5->n; i++) {
              rg_assign *a = $5->v[i];
              rg_vec path = {0};
              rg_vec_apush(ctx->arena, &path, (void *)$3);
              for (uint32_t j = 0; j < a->path.n; j++) rg_vec_apush(ctx->arena, &path, a->path.v[j]);
              a->path = path;
              a->scope_loc = @3;
              rg_vec_apush(ctx->arena, &$$->ledger_given, a);
          }
      }
    ;

assigns
    : %empty { $$ = newvec(ctx); }
    | assigns stmt { $$ = $1; rg_vec_apush(ctx->arena, $$, $2); }
    | assigns ',' { $$ = $1; }
    ;
stmt
    : assign { $$ = $1; }
    | path "+=" expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->path = *$1; $$->op = '+'; $$->value = $3; }
    | path "-=" expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->path = *$1; $$->op = '-'; $$->value = $3; }
    ;
assign
    : path '=' expr { $$ = rg_arena_alloc(ctx->arena, sizeof *$$); $$->loc = @$; $$->path = *$1; $$->op = '='; $$->value = $3; }
    ;
path
    : IDENT { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, (void *)$1); }
    | path '.' field_name { $$ = $1; rg_vec_apush(ctx->arena, $$, (void *)$3); }
    ;

version_decl
    : VERSION version_name FROM expr '{' decls '}' {
          $$ = mkdecl(ctx, RG_D_VERSION, @$); $$->name = $2; $$->name_loc = @2; $$->from = $4; $$->decls = *$6;
      }
    | VERSION version_name FROM expr UNTIL expr '{' decls '}' {
          $$ = mkdecl(ctx, RG_D_VERSION, @$); $$->name = $2; $$->name_loc = @2; $$->from = $4; $$->until = $6; $$->decls = *$8;
      }
    ;
version_name
    : STRING { $$ = $1; }
    | IDENT { $$ = $1; }
    | INT IDENT {
          /* 2025a: a year and a letter, written together */
          if (@1.end != @2.start) {
              rg_report(ctx->diag, RG_SEV_ERROR, @$, _("write it as one word (2025a, v2025) or as a string (\"2025 a\")"),
                        "%s", _("a version name is a name, a number or a string"));
              ctx->n_errors++;
          }
          $$ = loc_text(ctx, @$);
      }
    | INT { $$ = int_text(ctx, $1); }
    ;

each_decl
    : FOR IDENT IN dotted '{' decls '}' {
          $$ = mkdecl(ctx, RG_D_EACH, @$); $$->name = $2; $$->name_loc = @2; $$->var = $2; $$->list = $4; $$->decls = *$6;
      }
    ;
dotted
    : IDENT { $$ = $1; }
    | dotted '.' IDENT {
          size_t a = strlen($1), b = strlen($3);
          char *t = rg_arena_alloc(ctx->arena, a + b + 2);
          memcpy(t, $1, a); t[a] = '.'; memcpy(t + a + 1, $3, b + 1);
          $$ = t;
      }
    ;

/* a claim that breaks a rule of the policy is an error line: `reject "message {value}" when condition` */
reject_decl
    : REJECT STRING WHEN expr { $$ = mkdecl(ctx, RG_D_REJECT, @$); $$->name = "reject"; $$->name_loc = @2; $$->message = $2; $$->value = $4; }
    ;

/* ---- expressions ---- */

expr
    : primary { $$ = $1; }
    | expr '+' expr { $$ = mkbin(ctx, RG_OPR_ADD, $1, $3, @$); }
    | expr '-' expr { $$ = mkbin(ctx, RG_OPR_SUB, $1, $3, @$); }
    | expr '*' expr { $$ = mkbin(ctx, RG_OPR_MUL, $1, $3, @$); }
    | expr '/' expr { $$ = mkbin(ctx, RG_OPR_DIV, $1, $3, @$); }
    | expr "==" expr { $$ = mkbin(ctx, RG_OPR_EQ, $1, $3, @$); }
    | expr "!=" expr { $$ = mkbin(ctx, RG_OPR_NE, $1, $3, @$); }
    | expr '<' expr { $$ = mkbin(ctx, RG_OPR_LT, $1, $3, @$); }
    | expr "<=" expr { $$ = mkbin(ctx, RG_OPR_LE, $1, $3, @$); }
    | expr '>' expr { $$ = mkbin(ctx, RG_OPR_GT, $1, $3, @$); }
    | expr ">=" expr { $$ = mkbin(ctx, RG_OPR_GE, $1, $3, @$); }
    | expr AND expr { $$ = mkbin(ctx, RG_OPR_AND, $1, $3, @$); }
    | expr OR expr { $$ = mkbin(ctx, RG_OPR_OR, $1, $3, @$); }
    | expr "??" expr { $$ = mkbin(ctx, RG_OPR_COALESCE, $1, $3, @$); }
    | expr IN expr { $$ = mkbin(ctx, RG_OPR_IN, $1, $3, @$); }
    | '-' expr %prec UMINUS { $$ = mk(ctx, RG_E_UNARY, @$); $$->op = RG_OPR_NEG; $$->lhs = $2; nest(ctx, $$); }
    | NOT expr { $$ = mk(ctx, RG_E_UNARY, @$); $$->op = RG_OPR_NOT; $$->lhs = $2; nest(ctx, $$); }
    | IF expr THEN expr ELSE expr { $$ = mk(ctx, RG_E_IF, @$); $$->cond = $2; $$->lhs = $4; $$->rhs = $6; nest(ctx, $$); }
    | SUM expr FOR IDENT IN primary opt_where {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_SUM; $$->lhs = $2; $$->name = $4; $$->rhs = $6; $$->cond = $7; nest(ctx, $$);
      }
    | COUNT IDENT IN primary opt_where {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_COUNT; $$->name = $2; $$->rhs = $4; $$->cond = $5; nest(ctx, $$);
      }
    | ANY IDENT IN primary WHERE expr {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_ANY; $$->name = $2; $$->rhs = $4; $$->cond = $6; nest(ctx, $$);
      }
    | ALL IDENT IN primary WHERE expr {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_ALL; $$->name = $2; $$->rhs = $4; $$->cond = $6; nest(ctx, $$);
      }
    | FIRST IDENT IN primary opt_where {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_FIRST; $$->name = $2; $$->rhs = $4; $$->cond = $5; nest(ctx, $$);
      }
    | LAST IDENT IN primary opt_where {
          $$ = mk(ctx, RG_E_AGG, @$); $$->op = RG_AGG_LAST; $$->name = $2; $$->rhs = $4; $$->cond = $5; nest(ctx, $$);
      }
    ;
opt_where
    : %empty { $$ = NULL; }
    | WHERE expr { $$ = $2; }
    ;

primary
    : INT { $$ = mk(ctx, RG_E_INT, @$); $$->ival = $1; }
    | MONEY { $$ = mk(ctx, RG_E_MONEY, @$); $$->ival = $1; }
    | PERCENT { $$ = mk(ctx, RG_E_PERCENT, @$); $$->ival = $1; }
    | DATE { $$ = mk(ctx, RG_E_DATE, @$); $$->ival = $1; }
    | DURATION { $$ = mk(ctx, RG_E_DURATION, @$); $$->ival = $1; }
    | MONTHS { $$ = mk(ctx, RG_E_MONTHS, @$); $$->ival = $1; }
    | TRUE { $$ = mk(ctx, RG_E_BOOL, @$); $$->ival = 1; }
    | FALSE { $$ = mk(ctx, RG_E_BOOL, @$); $$->ival = 0; }
    | STRING { $$ = mk(ctx, RG_E_STRING, @$); $$->text = $1; }
    | NONE { $$ = mk(ctx, RG_E_NONE, @$); $$->name = "none"; }
    | IDENT { $$ = mk(ctx, RG_E_NAME, @$); $$->name = $1; }
    | CLAIM { $$ = mk(ctx, RG_E_NAME, @$); $$->name = "claim"; }
    | primary '.' field_name { $$ = mk(ctx, RG_E_FIELD, @$); $$->lhs = $1; $$->name = $3; nest(ctx, $$); }
    | IDENT '(' opt_expr_list ')' { $$ = mk(ctx, RG_E_CALL, @$); $$->name = $1; $$->args = *$3; nest(ctx, $$); }
    | '(' expr ')' { $$ = $2; }
    | '[' opt_expr_list ']' { $$ = mk(ctx, RG_E_LIST, @$); $$->args = *$2; nest(ctx, $$); }
    | '{' record_fields '}' { $$ = $2->n ? ((rg_expr *)$2->v[0]) : mk(ctx, RG_E_RECORD, @$); $$->loc = @$; nest(ctx, $$); }
    ;
record_fields
    : %empty { $$ = newvec(ctx); }
    | record_fields field_name ':' expr {
          $$ = $1;
          rg_expr *r = $$->n ? $$->v[0] : NULL;
          if (!r) { r = mk(ctx, RG_E_RECORD, @$); rg_vec_apush(ctx->arena, $$, r); }
          rg_vec_apush(ctx->arena, &r->keys, (void *)$2);
          rg_vec_apush(ctx->arena, &r->args, $4);
      }
    | record_fields ',' { $$ = $1; }
    ;
opt_expr_list
    : %empty { $$ = newvec(ctx); }
    | expr_list { $$ = $1; }
    ;
expr_list
    : expr { $$ = newvec(ctx); rg_vec_apush(ctx->arena, $$, $1); }
    | expr_list ',' expr { $$ = $1; rg_vec_apush(ctx->arena, $$, $3); }
    ;

%%

/* The source text at l, in the arena. */
static const char *loc_text(rg_parse_ctx *ctx, YYLTYPE l)
{
    const rg_source *src = rg_diag_source(ctx->diag, l.file);
    if (!src || l.end > src->len || l.end < l.start)
        return "";
    return rg_arena_strndup(ctx->arena, src->text + l.start, l.end - l.start);
}

/* Bison calls this for one thing besides syntax errors: its stack is full
 * (YYMAXDEPTH), which only brackets and prefix operators (`not`, `-`) nested
 * thousands deep reach; the scanner has usually said so already. */
static void yyerror(YYLTYPE *loc, void *scanner, rg_parse_ctx *ctx, const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0) {
        if (!ctx->too_deep)
            report_too_deep(ctx, *loc, _("brackets and prefix operators (not, -)"));
        ctx->n_errors++;
        return;
    }
    ctx->n_errors++;
    rg_report(ctx->diag, RG_SEV_ERROR, *loc, NULL, "%s", msg);
}

static int starts_declaration(yysymbol_kind_t k);

/* Keyword kw in *best when word is nearer to it than to *best (*bd characters), and not all of it changed. */
static void nearer_keyword(const char *word, const char *kw, const char **best, unsigned *bd)
{
    unsigned d = rg_edit_distance(word, kw);
    if (d < *bd && d < rg_utf8_chars(kw)) {
        *bd = d;
        *best = kw;
    }
}

/* A hint for a slip: `<>` for `!=`; and where the tokens that could come are
 * too many to list (n_listed 0), `=` for `==`, a thousands separator, a
 * misspelt keyword. NULL when none fits; buf holds a hint that is formatted. */
static const char *slip_hint(const yypcontext_t *yyctx, yysymbol_kind_t look, const YYLTYPE *loc, rg_parse_ctx *ctx,
                             const yysymbol_kind_t *all, int n_all, int n_listed, char *buf, size_t cap)
{
    (void)yyctx;
    const rg_source *src = rg_diag_source(ctx->diag, loc->file);
    const char *name = yysymbol_name(look);
    if (strcmp(name, "'>'") == 0 && src && loc->start > 0 && src->text[loc->start - 1] == '<')
        return _("write != for 'not equal'");
    int name_may_come = 0;
    for (int i = 0; i < n_all; i++)
        name_may_come |= all[i] == YYSYMBOL_IDENT;
    /* not a declaration's first word: that is most often a line before that ends too soon */
    if (name_may_come && src && rg_keyword(name, strlen(name)) >= 0 && !starts_declaration(look) &&
        loc->end - loc->start < 64) {
        snprintf(buf, cap, _("'%.*s' is a keyword of the language, no name: choose another"),
                 (int)(loc->end - loc->start), src->text + loc->start);
        return buf;
    }
    if (n_listed > 0)
        return NULL; /* the tokens that could come are hint enough */
    int expects_comma = 0, expects_eq = 0;
    for (int i = 0; i < n_all; i++) {
        expects_comma |= strcmp(yysymbol_name(all[i]), "','") == 0;
        expects_eq |= strcmp(yysymbol_name(all[i]), "'='") == 0;
    }
    if (strcmp(name, "'='") == 0 && !expects_eq)
        return _("compare with ==: a single = gives a name its value");
    if (strcmp(name, "','") == 0 && !expects_comma)
        return _("write a number without thousands separators: ¥3200, or ¥3_200");
    if (look != YYSYMBOL_IDENT || !src)
        return NULL;
    char word[64];
    size_t len = loc->end - loc->start;
    if (len == 0 || len >= sizeof word)
        return NULL;
    memcpy(word, src->text + loc->start, len);
    word[len] = '\0';
    /* a word in Chinese is compared with the Chinese aliases of the keywords that could come */
    int chinese = (unsigned char)word[0] >= 0x80;
    const char *best = NULL;
    unsigned bd = 3;
    for (int i = 0; i < n_all; i++) {
        const char *kw = yysymbol_name(all[i]);
        int tok = rg_keyword(kw, strlen(kw));
        if (tok < 0)
            continue; /* keywords only (their names are the words themselves), not "name" or "number" */
        if (!chinese) {
            nearer_keyword(word, kw, &best, &bd);
            continue;
        }
        for (size_t a = 0; (kw = rg_keyword_at(a)) != NULL; a++)
            if ((unsigned char)kw[0] >= 0x80 && rg_keyword(kw, strlen(kw)) == tok)
                nearer_keyword(word, kw, &best, &bd);
    }
    if (!best)
        return NULL;
    snprintf(buf, cap, _("did you mean '%s'?"), best);
    return buf;
}

/* Where the text before offset `at` ends, comments and blanks left out, and
 * whether a line ends between there and `at`. */
static uint32_t content_end_before(const rg_source *s, uint32_t at, int *crossed)
{
    uint32_t i = at;
    *crossed = 0;
    for (;;) {
        while (i > 0 && strchr(" \t\r\n", s->text[i - 1])) {
            *crossed |= s->text[i - 1] == '\n';
            i--;
        }
        uint32_t ls = i;
        while (ls > 0 && s->text[ls - 1] != '\n')
            ls--;
        uint32_t comment = i;
        int quoted = 0;
        for (uint32_t k = ls; k < i && comment == i; k++) {
            if (s->text[k] == '"' && (k == ls || s->text[k - 1] != '\\'))
                quoted = !quoted;
            else if (s->text[k] == '#' && !quoted)
                comment = k;
        }
        if (comment == i || i == 0)
            return i;
        i = comment; /* the comment left out: the text before it, maybe on a line before */
    }
}

/* Does this token start a declaration (so that an error at it, first on its
 * line where no declaration may come, is the line before ending too soon)? */
static int starts_declaration(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_DEF: case YYSYMBOL_PARAM: case YYSYMBOL_TABLE: case YYSYMBOL_DECIDE: case YYSYMBOL_LEDGER:
    case YYSYMBOL_UPDATE: case YYSYMBOL_REJECT: case YYSYMBOL_VERSION: case YYSYMBOL_TEST: case YYSYMBOL_ENUM:
    case YYSYMBOL_RECORD: case YYSYMBOL_CATALOG: case YYSYMBOL_BRACKETS: case YYSYMBOL_POLICY: case YYSYMBOL_RESULT:
    case YYSYMBOL_SELECT: case YYSYMBOL_SAMPLE: case YYSYMBOL_EXTERN: case YYSYMBOL_FOR: /* not claim: an expression may start with it */
        return 1;
    default:
        return 0;
    }
}

static int
yyreport_syntax_error(const yypcontext_t *yyctx, void *scanner, rg_parse_ctx *ctx)
{
    (void)scanner;
    yysymbol_kind_t look = yypcontext_token(yyctx);
    const YYLTYPE *loc = yypcontext_location(yyctx);
    enum { MAX_EXPECTED = 6 };
    /* Name at most MAX_EXPECTED alternatives; the tokens that may start an
     * expression count as one, "an expression", and so do binary operators. */
    static const char *const starts[] = {"number", "money", "percentage", "date", "duration", "months", "name", "string",
                                         "true", "false", "none", "claim", "if", "not", "sum", "count", "any", "all",
                                         "first", "last",
                                         "'('", "'['", "'{'", "'-'", NULL};
    static const char *const opers[] = {"'+'", "'-'", "'*'", "'/'", "'<'", "'>'", "==", "!=", "<=", ">=",
                                        "and", "or", "??", "in", NULL};
    yysymbol_kind_t all[YYNTOKENS];
    int n_all = yypcontext_expected_tokens(yyctx, all, YYNTOKENS);
    int has_name = 0, has_money = 0, has_oper = 0;
    for (int i = 0; i < n_all; i++) {
        has_name |= all[i] == YYSYMBOL_IDENT;
        has_money |= all[i] == YYSYMBOL_MONEY; /* a money literal fits only where an expression does */
        has_oper |= all[i] == YYSYMBOL_AND;
    }
    int has_expr = has_name && has_money;
    const char *expected[MAX_EXPECTED];
    int n = 0;
    if (has_expr)
        expected[n++] = _("an expression");
    if (has_oper)
        expected[n++] = _("an operator");
    for (int i = 0; i < n_all && n <= MAX_EXPECTED; i++) {
        const char *name = yysymbol_name(all[i]);
        int folded = 0;
        for (const char *const *s = starts; has_expr && *s && !folded; s++)
            folded = strcmp(*s, name) == 0;
        for (const char *const *s = opers; has_oper && *s && !folded; s++)
            folded = strcmp(*s, name) == 0;
        if (!folded) {
            if (n == MAX_EXPECTED)
                n = MAX_EXPECTED + 1; /* too many to be a useful hint */
            else
                expected[n++] = name;
        }
    }
    if (n > MAX_EXPECTED)
        n = 0;
    char want[512] = "";
    size_t used = 0;
    const char *slip = slip_hint(yyctx, look, loc, ctx, all, n_all, n, want, sizeof want);
    if (slip) {
        ctx->n_errors++;
        const rg_source *s = rg_diag_source(ctx->diag, loc->file);
        int len = (int)(loc->end - loc->start);
        rg_report(ctx->diag, RG_SEV_ERROR, *loc, slip, _("syntax error at or near '%.*s'"), len > 40 ? 40 : len,
                  s ? s->text + loc->start : "");
        return 0;
    }
    if (n > 0) {
        used += (size_t)snprintf(want, sizeof want, "%s", _("expected "));
        for (int i = 0; i < n && used < sizeof want; i++)
            used += (size_t)snprintf(want + used, sizeof want - used, "%s%s", i == 0 ? "" : i == n - 1 ? _(" or ") : _(", "),
                                     expected[i]);
    }
    ctx->n_errors++;
    if (look == YYSYMBOL_YYEOF) {
        ctx->eof_in_construct = 1;
        rg_report(ctx->diag, RG_SEV_ERROR, *loc, n > 0 ? want : NULL, _("syntax error: unexpected end of input"));
    } else {
        const rg_source *s = rg_diag_source(ctx->diag, loc->file);
        int len = (int)(loc->end - loc->start), crossed = 0;
        if (len > 40)
            len = 40;
        int declaration_may_come = 0; /* then the construct before is complete, and this one is out of place */
        for (int i = 0; i < n_all; i++)
            declaration_may_come |= starts_declaration(all[i]);
        uint32_t end = s && starts_declaration(look) && !declaration_may_come
                           ? content_end_before(s, loc->start, &crossed)
                           : 0;
        if (crossed && end > 0) { /* what the line before began is not finished: say so there */
            YYLTYPE at = {loc->file, end - 1, end};
            rg_report(ctx->diag, RG_SEV_ERROR, at, n > 0 ? want : NULL,
                      _("syntax error: this line ends before what it begins is complete (the next line starts "
                        "'%.*s')"), len, s->text + loc->start);
        } else {
            rg_report(ctx->diag, RG_SEV_ERROR, *loc, n > 0 ? want : NULL, _("syntax error at or near '%.*s'"), len,
                      s ? s->text + loc->start : "");
        }
    }
    return 0;
}
