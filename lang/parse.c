/* parse.c — runs the scanner and the grammar over one source and hands back
 * the AST. It owns the scanner's life cycle and nothing of the tree's meaning. */
#include "parse.h"

#include "parser.h"
#include "lexer.h"

static int run(rg_parse_ctx *ctx, const rg_source *src)
{
    yyscan_t scanner;
    if (yylex_init_extra(ctx, &scanner) != 0)
        return -1;
    YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)src->len, scanner);
    int r = yyparse(scanner, ctx);
    yy_delete_buffer(buf, scanner);
    yylex_destroy(scanner);
    return r;
}

rg_file *rg_parse_file(rg_arena *arena, rg_diag *diag, uint32_t file)
{
    rg_parse_ctx ctx = {.arena = arena, .diag = diag, .file = file, .start_token = START_FILE};
    const rg_source *src = rg_diag_source(diag, file);
    if (!src)
        return NULL;
    int r = run(&ctx, src);
    if (r != 0 || ctx.n_errors > 0)
        return NULL;
    return ctx.result;
}

int rg_parse_repl(rg_arena *arena, rg_diag *diag, uint32_t file, rg_repl_item *out, int *incomplete)
{
    rg_parse_ctx ctx = {.arena = arena, .diag = diag, .file = file, .start_token = START_REPL};
    const rg_source *src = rg_diag_source(diag, file);
    *incomplete = 0;
    if (!src)
        return -1;
    int r = run(&ctx, src);
    *incomplete = ctx.eof_in_construct;
    out->decl = ctx.decl_result;
    out->expr = ctx.expr_result;
    return r != 0 || ctx.n_errors > 0 ? -1 : 0;
}
