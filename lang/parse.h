/* parse.h — the front end's entry point: source text in, AST out, with
 * syntax errors reported through the diagnostics. Owns nothing past parsing. */
#ifndef RG_PARSE_H
#define RG_PARSE_H

#include "ast.h"
#include "diag.h"

/* The deepest expression the front end accepts. Each operator of a chain is a
 * level (`a + b + c` is 2), and so is each bracket, call, `if` or aggregate
 * inside another. The compiler's passes walk expressions recursively, so a
 * deeper one is refused where it crosses the limit, with a message that says
 * to split it into definitions (docs/language.md, "Limits"). */
#define RG_MAX_NESTING 256

typedef struct {
    rg_arena *arena;
    rg_diag *diag;
    uint32_t file;
    rg_file *result;
    rg_expr *expr_result;   /* rg_parse_expr */
    rg_decl *decl_result;   /* rg_parse_repl_item */
    int start_token;        /* which start symbol the scanner announces first */
    int eof_in_construct;   /* set when the input ended inside an unfinished construct */
    unsigned n_errors;
    uint32_t offset;        /* byte offset of the scanner in the source */
    rg_vec *skipped;        /* when set: rg_loc* of the text syntax errors made the parser skip, or the scanner misread */
    uint32_t brackets;      /* '(' and '[' open at the scanner */
    int too_deep;           /* nesting past RG_MAX_NESTING was reported (once an input) */
} rg_parse_ctx;

/* Note text at l as skipped (ctx->skipped, when kept): what error recovery
 * passed over, or what the scanner could not read as written. */
void rg_parse_note_skipped(rg_parse_ctx *ctx, rg_loc l);

/* Parse a policy file already in diag's source set. Returns the file's AST, or
 * NULL when there were syntax errors (all of them reported). */
rg_file *rg_parse_file(rg_arena *arena, rg_diag *diag, uint32_t file);

/* The same, keeping what the parser recovered when there were syntax errors
 * (all reported): the declarations that parsed, and in *skipped (rg_loc*, in
 * the arena) the places of the text it skipped (the whole file when even its
 * `policy` line did not parse, and then NULL). *n_errors: how many. */
rg_file *rg_parse_file_recovering(rg_arena *arena, rg_diag *diag, uint32_t file, rg_vec *skipped, unsigned *n_errors);

/* REPL: parse one input as a declaration or an expression. Sets *incomplete
 * when the input ended early (the REPL then asks for another line). */
typedef struct {
    rg_decl *decl;
    rg_expr *expr;
} rg_repl_item;
int rg_parse_repl(rg_arena *arena, rg_diag *diag, uint32_t file, rg_repl_item *out, int *incomplete);

/* A message template: the string literal at loc (quotes included) split into
 * its parts, appended to parts: string-literal nodes for the text (escapes
 * decoded, `{{` and `}}` as braces) and, for each `{expression}`, the
 * expression parsed in place (its locations in the file). 0, or -1 after
 * reporting what is wrong. */
int rg_parse_template(rg_arena *arena, rg_diag *diag, rg_loc loc, rg_vec *parts);

/* Keyword look-up (sorted table in keywords.c): token code or -1. */
int rg_keyword(const char *s, size_t len);
/* The i-th keyword of that table (English, then Chinese), NULL past the last: for completion. */
const char *rg_keyword_at(size_t i);
/* 1 when that table is sorted by bytes and holds no word longer than the look-up tries, as it
 * needs (unit tests). */
int rg_keywords_sorted(void);

#endif
