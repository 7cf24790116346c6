/* cmd_test.c — `regula test`: runs the `test` blocks of a pack, or those of
 * some policies or files, or whose names match. Each test starts from the
 * pack's `sample claim` (its region fields set to the test's own policy),
 * applies its `given` assignments, settles, and compares each `expect` with
 * the named definition's value, through the public API (include/regula.h)
 * on the pack's bytecode, as a service would settle it. Must not write any
 * file; the coverage report is test_cover.c's. */
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_impl.h"
#include "cli.h"
#include "compiler.h"
#include "driver.h"
#include "i18n.h"

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
        rg_report(diag, RG_SEV_ERROR, where, NULL, _("sample claim: %s"), err);
        json_decref(claim);
        return 0;
    }
    const char *root = t->p->str[t->p->policies[0].name];
    rgd_claim_localise(claim, root, test->policy->name);
    if (rgd_claim_apply(t->pk, claim, &test->decl->assigns, err, sizeof err, &where) != 0) {
        rg_report(diag, RG_SEV_ERROR, where, NULL, _("test '%s': %s"), test->decl->name, err);
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
            rg_report(diag, RG_SEV_ERROR, want_error->loc, _("a test expects an error line or values, not both"),
                      _("test '%s': `error` with other expectations"), test->decl->name);
            ok = 0;
        } else if (s != REGULA_OK && s != REGULA_ERR_INPUT) {
            rg_report(diag, RG_SEV_ERROR, want_error->loc, NULL, _("test '%s' failed: the claim stopped: %s"),
                      test->decl->name, got);
            ok = 0;
        } else if (!got || strcmp(got, want_error->text) != 0) {
            rg_report(diag, RG_SEV_ERROR, want_error->loc, NULL, _("test '%s' failed: error is \"%s\", expected \"%s\""),
                      test->decl->name, got ? got : _("(none: the claim is valid)"), want_error->text);
            ok = 0;
        }
        return ok;
    }
    if (s != REGULA_OK) {
        rg_report(diag, RG_SEV_ERROR, test->decl->name_loc, _("the sample claim with this test's changes must be valid"),
                  _("test '%s': the claim is not valid: %s"), test->decl->name, regula_errmsg(t->ctx));
        return 0;
    }
    const rg_program *p = t->p;
    /* the ledger: first values, then the test's `ledger given` */
    regula_ledger_none(t->ctx, REGULA_ALL_SCOPES);
    for (uint32_t i = 0; i < test->decl->ledger_given.n; i++) {
        rg_assign *a = test->decl->ledger_given.v[i];
        uint32_t f = a->path.n == 2 ? rgc_ledger_field(t->pk, a->path.v[0], a->path.v[1]) : RG_NO_INDEX;
        if (f == RG_NO_INDEX) {
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, _("test '%s': not a ledger field"), test->decl->name);
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
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, _("test '%s': %s"), test->decl->name, regula_errmsg(t->ctx));
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
            rg_report(diag, RG_SEV_ERROR, a->loc, _("expect names a definition or a result field"),
                      _("test '%s': nothing called '%s'"), test->decl->name, name);
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
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, _("test '%s': %s failed: %s"), test->decl->name, name,
                      regula_errmsg(t->ctx));
            ok = 0;
            continue;
        }
        if (!same_value(p->defs[slot].type, expected, &actual)) {
            char av[96], ev[96];
            regula_value_text(&actual, av, sizeof av);
            rgd_value_text(p, p->defs[slot].type, expected, ev, sizeof ev);
            rg_report(diag, RG_SEV_ERROR, a->loc, NULL, _("test '%s' failed: %s is %s, expected %s"), test->decl->name,
                      name, av, ev);
            ok = 0;
        }
    }
    return ok;
}

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula test [-v] [--run REGEX] [--coverage] [--format text|json] [--allow-extern LIB]\n"
               "                   PACK [POLICY|FILE.rg …]\n\n"
               "Run the `test` blocks of PACK (a directory or .rg file) and print each failure with its\n"
               "file:line:col, then `N passed, N failed`. After PACK, policy names or policy files of\n"
               "the pack choose whose tests run (the pack is compiled whole all the same).\n"
               "Exit status 0 when every chosen test passed, 1 when one failed, the pack does not\n"
               "compile or the policies and --run named chose no test, 2 on a usage error.\n\n"
               "  -v                  list every test\n"
               "  --run REGEX         only the tests whose name matches REGEX (POSIX extended, searched\n"
               "                      anywhere in the name: --run 'cap|deductible', --run '^LN')\n"
               "  --coverage          report which definitions, table rows and decision arms the tests\n"
               "                      reach, by policy, and list those they do not (of the chosen\n"
               "                      policies, when some are named)\n"
               "  --format json       one JSON object on standard output, for CI: {\"passed\", \"failed\",\n"
               "                      \"tests\": [{\"name\", \"policy\", \"file\", \"line\", \"ok\", \"failures\"}],\n"
               "                      \"diagnostics\", and \"coverage\" with --coverage}; failures and\n"
               "                      diagnostics are records as `regula check --format json` writes them\n"
               "  --allow-extern LIB  the pack's `extern fn` host functions from the shared library LIB\n"
               "                      (as `regula run --allow-extern`)\n"));
}

/* The chosen policies: from the names and files after PACK, each checked. */
static int choose_policies(const rg_program *p, char **filters, int n, uint8_t *chosen)
{
    for (int f = 0; f < n; f++) {
        const char *want = filters[f];
        uint32_t pol = RG_NO_INDEX;
        if (strchr(want, '/') || (strlen(want) > 3 && strcmp(want + strlen(want) - 3, ".rg") == 0)) {
            char a[PATH_MAX], b[PATH_MAX];
            if (!realpath(want, a)) {
                fprintf(stderr, _("regula test: cannot read '%s': no such file (give a policy file of the pack, or a "
                                "policy's name)\n"), want);
                return -1;
            }
            for (uint32_t i = 0; i < p->n_policies && pol == RG_NO_INDEX; i++)
                if (realpath(p->str[p->policies[i].file], b) && strcmp(a, b) == 0)
                    pol = i;
            if (pol == RG_NO_INDEX) {
                fprintf(stderr, _("regula test: '%s' is not a policy file of the pack\n"), want);
                return -1;
            }
        } else {
            pol = rg_policy_by_name(p, want, strlen(want));
            if (pol == RG_NO_INDEX) {
                const char *cands[256];
                uint32_t k = 0;
                for (uint32_t i = 0; i < p->n_policies && k < 256; i++)
                    cands[k++] = p->str[p->policies[i].name];
                const char *best = rgc_closest(want, cands, k);
                if (best)
                    fprintf(stderr, _("regula test: the pack has no policy '%s' (did you mean %s?)\n"), want, best);
                else
                    fprintf(stderr, _("regula test: the pack has no policy '%s'; give a policy's name or its file\n"), want);
                return -1;
            }
        }
        chosen[pol] = 1;
    }
    return 0;
}

int cmd_test(int argc, char **argv)
{
    const char *pack = NULL, *extern_lib = NULL, *run = NULL, *v;
    int verbose = 0, json = 0, coverage = 0, n_filters = 0;
    char **filters = calloc((size_t)argc + 1, sizeof *filters);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            free(filters);
            return EXIT_OK;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "--coverage") == 0) {
            coverage = 1;
        } else if (cli_opt(argc, argv, &i, "--run", &v)) {
            if (!v) {
                free(filters);
                return EXIT_USAGE;
            }
            run = v;
        } else if (cli_opt(argc, argv, &i, "--format", &v)) {
            if (cli_format_opt("test", v, &json) != 0) {
                free(filters);
                return EXIT_USAGE;
            }
        } else if (cli_opt(argc, argv, &i, "--allow-extern", &v)) {
            if (!v) {
                free(filters);
                return EXIT_USAGE;
            }
            extern_lib = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, _("regula test: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            free(filters);
            return EXIT_USAGE;
        } else if (!pack) {
            pack = argv[i];
        } else {
            filters[n_filters++] = argv[i];
        }
    }
    if (!pack) {
        usage(stderr);
        free(filters);
        return EXIT_USAGE;
    }
    regex_t re;
    if (run) {
        int rc = regcomp(&re, run, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[200];
            regerror(rc, &re, why, sizeof why);
            fprintf(stderr, _("regula test: --run '%s' is not a regular expression: %s\n"), run, why);
            free(filters);
            return EXIT_USAGE;
        }
    }
    json_t *doc = json ? json_object() : NULL, *diags = json ? json_array() : NULL, *tests = NULL;
    rgd_pack cp;
    int opened = (json ? rgd_pack_open_sink(&cp, pack, cli_diag_collect, diags) : rgd_pack_open(&cp, pack)) == 0;
    if (opened && !cp.pack) {
        opened = 0;
        rg_report_plain(&cp.diag, RG_SEV_ERROR, _("tests live in the sources: give the policy directory, not a .rgc file"));
    }
    const rg_program *p = opened ? rgd_pack_program(&cp) : NULL;
    uint8_t *chosen = opened ? calloc(p->n_policies + 1, 1) : NULL;
    regula_pack *api = NULL;
    tctx t = {cp.pack, p, NULL, verbose};
    rg_cover *cover = NULL;
    unsigned passed = 0, failed = 0, ran = 0;
    int usage_err = 0, none_chosen = 0;
    if (opened && n_filters && choose_policies(p, filters, n_filters, chosen) != 0) {
        usage_err = 1;
        goto done;
    }
    if (opened && rgd_pack_api(&cp, extern_lib, "test", &api) != 0)
        opened = 0;
    if (opened && (regula_ctx_new(api, &t.ctx) != REGULA_OK || (coverage && !(cover = rg_cover_new(p))))) {
        fprintf(stderr, _("regula test: out of memory\n"));
        opened = 0;
    }
    if (!opened) {
        failed = 1;
        goto done;
    }
    if (cover) { /* explaining computes every definition lazily and notes each row and arm: what is counted */
        regula_ctx_set_explain(t.ctx, 1);
        rg_api_ctx_vm(t.ctx)->cover = cover;
    }
    tests = json ? json_array() : NULL;
    for (uint32_t i = 0; i < rgc_pack_n_tests(cp.pack); i++) {
        const rgc_test *test = rgc_pack_test(cp.pack, i);
        if (n_filters && !chosen[test->policy->index])
            continue;
        if (run && regexec(&re, test->decl->name, 0, NULL, 0) != 0)
            continue;
        json_t *fails = json ? json_array() : NULL;
        cp.diag.sink_ud = fails;
        int ok = run_one(&t, test, &cp.diag);
        ran++;
        if (ok)
            passed++;
        else
            failed++;
        if (verbose && !json)
            printf("%s  %s: %s\n", ok ? "ok  " : "FAIL", test->policy->name, test->decl->name);
        if (json) {
            uint32_t line, col;
            rg_diag_linecol(&cp.diag, test->decl->name_loc.file, test->decl->name_loc.start, &line, &col);
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(test->decl->name));
            json_object_set_new(o, "policy", json_string(test->policy->name));
            json_object_set_new(o, "file", json_string(rg_diag_source(&cp.diag, test->decl->name_loc.file)->path));
            json_object_set_new(o, "line", json_integer(line));
            json_object_set_new(o, "ok", json_boolean(ok));
            json_object_set_new(o, "failures", fails);
            json_array_append_new(tests, o);
        }
    }
    cp.diag.sink_ud = diags;
    if (ran == 0 && (n_filters || run)) {
        none_chosen = 1;
        if (!run)
            rg_report_plain(&cp.diag, RG_SEV_ERROR,
                            _("no test to run: %s has none in the policies named (regula test -v %s lists them all)"),
                            pack, pack);
        else if (!n_filters)
            rg_report_plain(&cp.diag, RG_SEV_ERROR,
                            _("no test to run: %s has none whose name matches '%s' (regula test -v %s lists them all)"),
                            pack, run, pack);
        else
            rg_report_plain(&cp.diag, RG_SEV_ERROR,
                            _("no test to run: %s has none in the policies named and whose name matches '%s' "
                              "(regula test -v %s lists them all)"),
                            pack, run, pack);
    }
    if (cover && !json)
        cli_cover_print(stdout, cover, p, &cp.diag, n_filters ? chosen : NULL);
done:
    if (json) {
        json_object_set_new(doc, "pack", json_string(pack));
        json_object_set_new(doc, "passed", json_integer(passed));
        json_object_set_new(doc, "failed", json_integer(failed));
        json_object_set_new(doc, "tests", tests ? tests : json_array());
        json_object_set_new(doc, "diagnostics", diags);
        if (cover)
            json_object_set_new(doc, "coverage", cli_cover_json(cover, p, n_filters ? chosen : NULL));
        if (!usage_err && cli_print_json(doc) != 0)
            failed = 1;
        if (usage_err)
            json_decref(doc);
    } else if (!usage_err) {
        printf(_("%u passed, %u failed\n"), passed, failed);
    }
    rg_cover_free(cover);
    regula_ctx_free(t.ctx);
    regula_pack_free(api);
    rgd_pack_close(&cp);
    free(chosen);
    free(filters);
    if (run)
        regfree(&re);
    if (usage_err)
        return EXIT_USAGE;
    return failed || none_chosen ? EXIT_FAIL : EXIT_OK;
}
