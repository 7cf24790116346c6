/* cmd_test.c — `regula test`: runs the `test` blocks of a pack. Each test
 * starts from the pack's `sample claim` (its region fields set to the test's
 * own policy), applies its `given` assignments, settles, and compares each
 * `expect` with the named definition's value, through the public API
 * (include/regula.h) on the pack's bytecode, as a service would settle it.
 * Must not write any file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "compiler.h"
#include "driver.h"

typedef struct {
    rgc_pack *pk;
    const rg_program *p;
    regula_ctx *ctx; /* on the same program, loaded through include/regula.h */
    int verbose;
} tctx;

/* The test's claim bound to the context. REGULA_OK or its failure. */
static regula_status bind_claim(tctx *t, json_t *claim)
{
    size_t len = 0;
    char *text = rgd_claim_text(claim, &len);
    if (!text)
        return REGULA_ERR_MEMORY;
    regula_status st = regula_claim_json(t->ctx, text, len, 0);
    free(text);
    return st;
}

/* expected (of type `type`, from the compiler) is the value the API gave. */
static int same_value(uint32_t type, rg_value expected, const regula_value *got)
{
    if (expected == RG_NONE || !got->present)
        return expected == RG_NONE && !got->present;
    if (RG_TYPE_KIND(type) == RG_T_STRING)
        return got->s && strcmp(got->s, (const char *)(intptr_t)expected) == 0;
    return got->i == expected;
}

static int run_one(tctx *t, const rgc_test *test, rg_diag *diag)
{
    char err[600];
    rg_loc where = test->decl->name_loc;
    json_t *claim = json_object();
    const rg_decl *sample = rgc_pack_sample(t->pk);
    int ok = 1;
    if (sample && rgd_claim_apply(t->pk, claim, &sample->assigns, err, sizeof err, &where) != 0) {
        rg_report(diag, RG_SEV_ERROR, where, NULL, "sample claim: %s", err);
        json_decref(claim);
        return 0;
    }
    const char *root = t->p->str[t->p->policies[0].name];
    rgd_claim_localise(claim, root, test->policy->name);
    if (rgd_claim_apply(t->pk, claim, &test->decl->assigns, err, sizeof err, &where) != 0) {
        rg_report(diag, RG_SEV_ERROR, where, NULL, "test '%s': %s", test->decl->name, err);
        json_decref(claim);
        return 0;
    }
    /* `expect { error = "…" }`: the claim is an error line with that message */
    const rg_expr *want_error = NULL;
    for (uint32_t i = 0; i < test->decl->expects.n; i++) {
        rg_assign *a = test->decl->expects.v[i];
        if (a->path.n == 1 && strcmp(a->path.v[0], "error") == 0 && a->value->kind == RG_E_STRING)
            want_error = a->value;
    }
    regula_status s = bind_claim(t, claim);
    json_decref(claim);
    if (want_error) {
        const char *got = s == REGULA_OK ? NULL : regula_errmsg(t->ctx);
        if (test->decl->expects.n != 1) {
            rg_report(diag, RG_SEV_ERROR, want_error->loc, "a test expects an error line or values, not both",
                      "test '%s': `error` with other expectations", test->decl->name);
            ok = 0;
        } else if (s != REGULA_OK && s != REGULA_ERR_INPUT) {
            rg_report(diag, RG_SEV_ERROR, want_error->loc, NULL, "test '%s' failed: the claim stopped: %s",
                      test->decl->name, got);
            ok = 0;
        } else if (!got || strcmp(got, want_error->text) != 0) {
            rg_report(diag, RG_SEV_ERROR, want_error->loc, NULL, "test '%s' failed: error is \"%s\", expected \"%s\"",
                      test->decl->name, got ? got : "(none: the claim is valid)", want_error->text);
            ok = 0;
        }
        return ok;
    }
    if (s != REGULA_OK) {
        rg_report(diag, RG_SEV_ERROR, test->decl->name_loc, "the sample claim with this test's changes must be valid",
                  "test '%s': the claim is not valid: %s", test->decl->name, regula_errmsg(t->ctx));
        return 0;
    }
    const rg_program *p = t->p;
    /* the ledger: first values, then the test's `ledger given` */
    regula_ledger_none(t->ctx, REGULA_ALL_SCOPES);
    for (uint32_t i = 0; i < test->decl->ledger_given.n; i++) {
        rg_assign *a = test->decl->ledger_given.v[i];
        uint32_t f = a->path.n == 2 ? rgc_ledger_field(t->pk, a->path.v[0], a->path.v[1]) : RG_NO_INDEX;
        if (f == RG_NO_INDEX) {
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, "test '%s': not a ledger field", test->decl->name);
            ok = 0;
            continue;
        }
        rgc_ty want = rgc_ty_from_packed(p->ledger_fields[f].type), got;
        rg_value v;
        if (rgc_const_eval(t->pk, a->value, &want, &v, &got) != 0) {
            ok = 0;
            continue;
        }
        const rg_ledger_field *lf = &p->ledger_fields[f];
        if (regula_ledger_set(t->ctx, lf->scope, f - p->ledger_scopes[lf->scope].first_field, v) != REGULA_OK) {
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, "test '%s': %s", test->decl->name, regula_errmsg(t->ctx));
            ok = 0;
        }
    }
    for (uint32_t i = 0; i < test->decl->expects.n; i++) {
        rg_assign *a = test->decl->expects.v[i];
        const char *name = a->path.v[0];
        uint32_t slot = a->path.n == 1 ? rgc_def_slot(t->pk, name) : RG_NO_INDEX;
        if (slot == RG_NO_INDEX) {
            char hidden[160];
            snprintf(hidden, sizeof hidden, "result.%s", name);
            slot = rgc_def_slot(t->pk, hidden);
        }
        if (slot == RG_NO_INDEX || p->defs[slot].per_item) {
            rg_report(diag, RG_SEV_ERROR, a->loc, "expect names a definition or a result field",
                      "test '%s': nothing called '%s'", test->decl->name, name);
            ok = 0;
            continue;
        }
        rgc_ty want = rgc_ty_from_packed(p->defs[slot].type), got;
        rg_value expected;
        regula_value actual;
        if (rgc_const_eval(t->pk, a->value, &want, &expected, &got) != 0) {
            ok = 0;
            continue;
        }
        if (regula_definition_value(t->ctx, slot, &actual) != REGULA_OK) {
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, "test '%s': %s failed: %s", test->decl->name, name,
                      regula_errmsg(t->ctx));
            ok = 0;
            continue;
        }
        if (!same_value(p->defs[slot].type, expected, &actual)) {
            char av[96], ev[96];
            regula_value_text(&actual, av, sizeof av);
            rgd_value_text(p, p->defs[slot].type, expected, ev, sizeof ev);
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, "test '%s' failed: %s is %s, expected %s", test->decl->name,
                      name, av, ev);
            ok = 0;
        }
    }
    return ok;
}

int cmd_test(int argc, char **argv)
{
    const char *pack = NULL, *extern_lib = NULL, *v;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: regula test [-v] [--allow-extern LIB] PACK\n\nRun every `test` block of PACK (a "
                   "directory or .rg file) and print a failure with its file:line:col,\nthen `N passed, N failed`. "
                   "Exit status 1 when any test failed or the pack does not compile.\n\n"
                   "  -v                  list every test\n"
                   "  --allow-extern LIB  the pack's `extern fn` host functions from the shared library LIB\n"
                   "                      (as `regula run --allow-extern`)\n");
            return EXIT_OK;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (cli_opt(argc, argv, &i, "--allow-extern", &v)) {
            if (!v)
                return EXIT_USAGE;
            extern_lib = v;
        } else if (!pack) {
            pack = argv[i];
        } else {
            fprintf(stderr, "usage: regula test [-v] [--allow-extern LIB] PACK\n");
            return EXIT_USAGE;
        }
    }
    if (!pack) {
        fprintf(stderr, "usage: regula test [-v] [--allow-extern LIB] PACK\n");
        return EXIT_USAGE;
    }
    rgd_pack cp;
    if (rgd_pack_open(&cp, pack) != 0 || !cp.pack) {
        if (cp.prog)
            fprintf(stderr, "regula test: tests live in the sources: give the policy directory, not a .rgc file\n");
        rgd_pack_close(&cp);
        printf("0 passed, 1 failed\n");
        return EXIT_FAIL;
    }
    tctx t = {cp.pack, rgd_pack_program(&cp), NULL, verbose};
    regula_pack *api = NULL;
    if (rgd_pack_api(&cp, extern_lib, "test", &api) != 0) {
        rgd_pack_close(&cp);
        printf("0 passed, 1 failed\n");
        return EXIT_FAIL;
    }
    if (regula_ctx_new(api, &t.ctx) != REGULA_OK) {
        fprintf(stderr, "regula test: out of memory\n");
        regula_pack_free(api);
        rgd_pack_close(&cp);
        return EXIT_FAIL;
    }
    unsigned passed = 0, failed = 0;
    for (uint32_t i = 0; i < rgc_pack_n_tests(cp.pack); i++) {
        const rgc_test *test = rgc_pack_test(cp.pack, i);
        int ok = run_one(&t, test, &cp.diag);
        if (ok)
            passed++;
        else
            failed++;
        if (verbose)
            printf("%s  %s: %s\n", ok ? "ok  " : "FAIL", test->policy->name, test->decl->name);
    }
    printf("%u passed, %u failed\n", passed, failed);
    regula_ctx_free(t.ctx);
    regula_pack_free(api);
    rgd_pack_close(&cp);
    return failed ? EXIT_FAIL : EXIT_OK;
}
