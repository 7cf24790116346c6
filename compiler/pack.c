/* pack.c — compiles a pack: runs the phases in order (sources.c, declare.c,
 * defs.c, catalog_csv.c, check.c, emit.c) and answers the pack's accessors;
 * errors are reported here, unless the pass is one that must stay quiet.
 * Must not do a phase's work itself. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "i18n.h"

/* ---- reporting ---- */

/* After a syntax error, an error that names ('x' or `x`) something the
 * skipped text declared follows from it: that declaration is missing. */
static int follows_syntax_error(rgc_pack *pk, const char *msg)
{
    if (!pk->skipped.n)
        return 0;
    for (const char *p = msg; *p; p++) {
        if (*p != '\'' && *p != '`')
            continue;
        const char *close = strchr(p + 1, *p);
        if (!close)
            return 0;
        for (const char *w = p + 1; w < close;) {
            while (w < close && !rgc_ident_char(*w))
                w++;
            const char *e = w;
            while (e < close && rgc_ident_char(*e))
                e++;
            if (e > w && rgc_skipped_declares(pk, w, (size_t)(e - w)))
                return 1;
            w = e;
        }
        p = close;
    }
    return 0;
}

/* Is loc on a line where a syntax error made the parser skip text? What the
 * parser kept of that line is the start of something else written there, so
 * an error about it would send the reader the wrong way. */
static int on_a_broken_line(rgc_pack *pk, rg_loc loc)
{
    for (uint32_t i = 0; i < pk->skipped.n; i++) {
        const rg_loc *l = pk->skipped.v[i];
        if (l->file == loc.file && l->start > 0 &&
            rg_diag_line(pk->diag, loc.file, loc.start) == rg_diag_line(pk->diag, l->file, l->start))
            return 1;
    }
    return 0;
}

static void verror(rgc_pack *pk, rg_loc loc, const char *hint, const rg_loc *at, const char *what, const char *fmt,
                   va_list ap)
{
    if (!rgc_reports(pk)) {
        pk->quiet_errors++;
        return;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (follows_syntax_error(pk, msg) || on_a_broken_line(pk, loc))
        return;
    if (at)
        rg_report_related(pk->diag, RG_SEV_ERROR, loc, hint, *at, what, "%s", msg);
    else
        rg_report(pk->diag, RG_SEV_ERROR, loc, hint, "%s", msg);
}

void rgc_error(rgc_pack *pk, rg_loc loc, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(pk, loc, hint, NULL, NULL, fmt, ap);
    va_end(ap);
}

void rgc_error_related(rgc_pack *pk, rg_loc loc, const char *hint, rg_loc at, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(pk, loc, hint, &at, what, fmt, ap);
    va_end(ap);
}

void rgc_place(rgc_pack *pk, rg_loc here, rg_loc there, char *buf, size_t cap)
{
    uint32_t line = rgc_line(pk, there);
    if (here.file == there.file)
        snprintf(buf, cap, _("line %u"), line);
    else
        snprintf(buf, cap, "%s:%u", rg_diag_source(pk->diag, there.file)->path, line);
}

uint32_t rgc_line(rgc_pack *pk, rg_loc loc)
{
    return rg_diag_line(pk->diag, loc.file, loc.start);
}

const char *rgc_closest(const char *name, const char *const *cands, uint32_t n)
{
    const char *best = NULL;
    unsigned bd = 99;
    size_t len = rg_utf8_chars(name);
    unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (uint32_t i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], name) == 0)
            continue;
        unsigned d = rg_edit_distance(name, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}

/* ---- the whole compilation ---- */

/* Errors of the phases so far. One hidden as following a syntax error does
 * not stop them: it is about a declaration that is not there, as if never
 * written, and the phases stand a pack without it. */
static unsigned phase_errors(rgc_pack *pk, unsigned before)
{
    return pk->diag->n_errors - before;
}

static int process(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    unsigned before = pk->diag->n_errors;
    p->list_field = RG_NO_INDEX;
    p->entry.select_policy = p->entry.asof = RG_NO_INDEX;
    p->entry.validate = RG_NO_INDEX;
    if (rgc_build_policies(pk) != 0)
        return -1;
    if (rgc_declare(pk) != 0)
        return -1;
    rgc_define(pk);
    if (phase_errors(pk, before) || rgc_load_catalogs(pk) != 0)
        return -1;
    rgc_check(pk);
    if (phase_errors(pk, before) || pk->syntax_errors)
        return -1;
    pk->pass = RGC_PASS_EMIT;
    if (pk->make != RGC_MAKE_NONE)
        rgc_emit_pack(pk);
    /* what was kept to reuse while writing code: not for the pack's life (a REPL's, a language server's) */
    rgc_peep_memo_free(pk->peep_memo);
    rgc_plan_memo_free(pk->plan_memo);
    pk->peep_memo = NULL;
    pk->plan_memo = NULL;
    pk->pass = RGC_PASS_CHECK; /* rgc_const_eval reports its errors */
    return phase_errors(pk, before) ? -1 : 0;
}

static rgc_pack *compile(const char *path, rg_diag *diag, const rgc_extra *extras, uint32_t n_extras, rgc_make make);

rgc_pack *rgc_compile(const char *path, rg_diag *diag)
{
    return compile(path, diag, NULL, 0, RGC_MAKE_ALL);
}

rgc_pack *rgc_compile_making(const char *path, rg_diag *diag, rgc_make make)
{
    return compile(path, diag, NULL, 0, make);
}

rgc_pack *rgc_compile_ex(const char *path, rg_diag *diag, const rgc_extra *extras, uint32_t n_extras)
{
    return compile(path, diag, extras, n_extras, RGC_MAKE_ALL);
}

static rgc_pack *compile(const char *path, rg_diag *diag, const rgc_extra *extras, uint32_t n_extras, rgc_make make)
{
    rgc_pack *pk = calloc(1, sizeof *pk);
    pk->make = make;
    pk->diag = diag;
    const char *anew = getenv("REGULA_COMPILE_ANEW");
    pk->compile_anew = anew && *anew && strcmp(anew, "0") != 0;
    pk->prog = calloc(1, sizeof *pk->prog);
    pk->prog->owns_arrays = 1;
    uint64_t hash = 0;
    unsigned before = diag->n_errors;
    int rc = rgc_load_sources(pk, path, &hash);
    if (rc == 0 && n_extras)
        rc = rgc_merge_extras(pk, extras, n_extras);
    if (rc == 0 && pk->files.n)
        rc = process(pk);
    if (pk->syntax_errors)
        rc = -1;
    pk->prog->source_hash = hash;
    if (rc != 0 || diag->n_errors > before || rg_program_finish(pk->prog) != 0) {
        rgc_pack_free(pk);
        return NULL;
    }
    return pk;
}

void rgc_pack_free(rgc_pack *pk)
{
    if (!pk)
        return;
    if (pk->prog)
        rg_program_free(pk->prog);
    for (uint32_t i = 0; i < pk->impls.n; i++) {
        rgc_impl *im = pk->impls.v[i];
        rg_vec_free(&im->rows);
        rg_vec_free(&im->deps);
        rg_vec_free(&im->strict_deps);
    }
    for (uint32_t i = 0; i < pk->policies.n; i++) {
        rgc_policy *p = pk->policies.v[i];
        rgc_impl_map_free(&p->impl);
        rg_vec_free(&p->versions);
        rg_vec_free(&p->catalogs);
        rg_vec_free(&p->rejects);
        rg_vec_free(&p->updates);
        rg_vec_free(&p->added_members);
    }
    for (uint32_t i = 0; i < pk->versions.n; i++)
        rgc_impl_map_free(&((rgc_version *)pk->versions.v[i])->impl);
    rg_vec *vecs[] = {&pk->files, &pk->policies, &pk->defs, &pk->impls, &pk->versions, &pk->tests,
                      &pk->records, &pk->catalog_decls, &pk->ledger_decls, &pk->bracket_decls, &pk->member_owner,
                      &pk->owner_first};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        rg_vec_free(vecs[i]);
    rg_vec_free(&pk->update_reads.deps);
    rg_vec_free(&pk->update_reads.strict_deps);
    rg_vec_free(&pk->key_reads.deps);
    rg_vec_free(&pk->key_reads.strict_deps);
    rgc_names *tables[] = {&pk->def_names, &pk->policy_names, &pk->enum_names, &pk->member_names, &pk->ledger_names,
                           &pk->field_names};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        rgc_names_free(tables[i]);
    free(pk->const_hash);
    free(pk->str_hash);
    free(pk->path_strs);
    rgc_peep_memo_free(pk->peep_memo); /* when compiling stopped before process freed them */
    rgc_plan_memo_free(pk->plan_memo);
    rg_arena_free(&pk->arena);
    free(pk);
}

/* ---- accessors ---- */

const rg_program *rgc_pack_program(const rgc_pack *pk)
{
    return pk->prog;
}

uint32_t rgc_pack_n_policies(const rgc_pack *pk)
{
    return pk->policies.n;
}

uint32_t rgc_pack_n_defs(const rgc_pack *pk)
{
    return pk->defs.n;
}

uint32_t rgc_pack_n_tests(const rgc_pack *pk)
{
    return pk->tests.n;
}

const rgc_test *rgc_pack_test(const rgc_pack *pk, uint32_t i)
{
    return pk->tests.v[i];
}

const rg_decl *rgc_pack_sample(const rgc_pack *pk)
{
    return pk->sample;
}

rg_diag *rgc_pack_diag(rgc_pack *pk)
{
    return pk->diag;
}

int rgc_const_eval(rgc_pack *pk, const rg_expr *e, const rgc_ty *expected, rg_value *v, rgc_ty *ty)
{
    return rgc_const_expr(pk, (rg_expr *)e, expected, v, ty, 1);
}

uint32_t rgc_def_slot(const rgc_pack *pk, const char *name)
{
    rgc_def *d = rgc_find_def((rgc_pack *)pk, name);
    return d ? d->slot : RG_NO_INDEX;
}
