/* parse.c — runs the scanner and the grammar over one source and hands back
 * the AST. It owns the scanner's life cycle and nothing of the tree's meaning. */
#include "parse.h"

#include <string.h>

#include "parser.h"
#include "lexer.h"
#include "i18n.h"

/* Bytes [ctx->offset, end) of src. */
static int run_range(rg_parse_ctx *ctx, const rg_source *src, uint32_t end)
{
    yyscan_t scanner;
    if (yylex_init_extra(ctx, &scanner) != 0)
        return -1;
    YY_BUFFER_STATE buf = yy_scan_bytes(src->text + ctx->offset, (int)(end - ctx->offset), scanner);
    int r = yyparse(scanner, ctx);
    yy_delete_buffer(buf, scanner);
    yylex_destroy(scanner);
    return r;
}

/* A whole source; a UTF-8 byte order mark that starts it (editors on Windows
 * write one) is no token: the scanner starts after it, locations stay the file's. */
static int run(rg_parse_ctx *ctx, const rg_source *src)
{
    if (src->len >= 3 && memcmp(src->text, "\xef\xbb\xbf", 3) == 0)
        ctx->offset = 3;
    return run_range(ctx, src, (uint32_t)src->len);
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

void rg_parse_note_skipped(rg_parse_ctx *ctx, rg_loc l)
{
    if (!ctx->skipped)
        return;
    rg_loc *at = rg_arena_alloc(ctx->arena, sizeof *at);
    *at = l;
    rg_vec_apush(ctx->arena, ctx->skipped, at);
}

rg_file *rg_parse_file_recovering(rg_arena *arena, rg_diag *diag, uint32_t file, rg_vec *skipped, unsigned *n_errors)
{
    rg_parse_ctx ctx = {.arena = arena, .diag = diag, .file = file, .start_token = START_FILE, .skipped = skipped};
    const rg_source *src = rg_diag_source(diag, file);
    *n_errors = 0;
    if (!src)
        return NULL;
    int r = run(&ctx, src);
    *n_errors = ctx.n_errors + (r != 0 && ctx.n_errors == 0);
    if (*n_errors && !ctx.result) {
        rg_loc *all = rg_arena_alloc(arena, sizeof *all);
        *all = (rg_loc){file, 0, (uint32_t)src->len};
        rg_vec_apush(arena, skipped, all);
    }
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

/* Decoded text of raw string bytes [a, b) of src (escapes as the scanner
 * reads them, `{{` and `}}` as braces), as a string-literal node. */
static rg_expr *template_text(rg_arena *arena, const rg_source *src, uint32_t file, uint32_t a, uint32_t b)
{
    char *t = rg_arena_alloc(arena, b - a + 1);
    size_t n = 0;
    for (uint32_t i = a; i < b; i++) {
        char c = src->text[i];
        if (c == '\\' && i + 1 < b) {
            c = src->text[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else if ((c == '{' || c == '}') && i + 1 < b && src->text[i + 1] == c) {
            i++;
        }
        t[n++] = c;
    }
    t[n] = '\0';
    rg_expr *e = rg_arena_alloc(arena, sizeof *e);
    e->kind = RG_E_STRING;
    e->loc = (rg_loc){file, a, b};
    e->text = t;
    return e;
}

int rg_parse_template(rg_arena *arena, rg_diag *diag, rg_loc loc, rg_vec *parts)
{
    const rg_source *src = rg_diag_source(diag, loc.file);
    if (!src || loc.end > src->len || loc.end < loc.start + 2 || src->text[loc.start] != '"')
        return -1;
    uint32_t end = loc.end - 1, text_from = loc.start + 1;
    int rc = 0;
    for (uint32_t i = text_from; i < end; i++) {
        char c = src->text[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if ((c == '{' || c == '}') && i + 1 < end && src->text[i + 1] == c) {
            i++;
            continue;
        }
        if (c == '}') {
            rg_report(diag, RG_SEV_ERROR, (rg_loc){loc.file, i, i + 1}, _("write }} for a brace in the text"),
                      _("'}' without its '{'"));
            rc = -1;
            continue;
        }
        if (c != '{')
            continue;
        uint32_t close = i + 1;
        while (close < end && src->text[close] != '}' && src->text[close] != '"' && src->text[close] != '\\')
            close++;
        if (close >= end || src->text[close] != '}') {
            rg_report(diag, RG_SEV_ERROR, (rg_loc){loc.file, i, close}, _("a value in a message is written {name}, "
                      "with no quotes or escapes inside the braces; write {{ for a brace"), _("unclosed '{' in a message"));
            return -1;
        }
        if (i > text_from)
            rg_vec_apush(arena, parts, template_text(arena, src, loc.file, text_from, i));
        rg_parse_ctx ctx = {.arena = arena, .diag = diag, .file = loc.file, .start_token = START_EXPR,
                            .offset = i + 1};
        int r = run_range(&ctx, src, close);
        if (r != 0 || ctx.n_errors || !ctx.expr_result)
            rc = -1;
        else
            rg_vec_apush(arena, parts, ctx.expr_result);
        text_from = close + 1;
        i = close;
    }
    if (end > text_from)
        rg_vec_apush(arena, parts, template_text(arena, src, loc.file, text_from, end));
    return rc;
}
