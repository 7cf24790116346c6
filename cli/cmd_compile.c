/* cmd_compile.c — `regula check`, `regula compile` and `regula disasm`:
 * the commands that look at a pack without settling claims. Must not settle
 * a claim nor change a pack's files. */
#include <stdio.h>
#include <string.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "cli.h"
#include "i18n.h"
#include "disasm.h"
#include "keyfile.h"
#include "vm.h"

static int help(const char *cmd, int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf(_("usage: regula %s %s"), cmd, text);
            return 1;
        }
    return 0;
}

static void check_usage(FILE *o)
{
    fprintf(o, _("usage: regula check [--format text|json] PACK\n\n"
               "Compile PACK (a directory of .rg files, or one file) and report every error with its\n"
               "file:line:col, writing nothing. Exit status 0 when the pack is sound, 1 when not,\n"
               "2 on a usage error.\n\n"
               "  --format text   errors on standard error, as the compiler writes them (the default)\n"
               "  --format json   one JSON object on standard output, for editors and CI:\n"
               "                  {\"pack\", \"ok\", \"errors\", \"warnings\", \"diagnostics\": [{\"severity\",\n"
               "                  \"file\", \"line\", \"col\", \"end_line\", \"end_col\", \"message\", \"hint\"}]}\n"
               "                  (lines and columns from 1, columns in characters; null where a\n"
               "                  message has no place, such as a file that cannot be read)\n"));
}

int cmd_check(int argc, char **argv)
{
    const char *pack = NULL, *v;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            check_usage(stdout);
            return EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--format", &v)) {
            if (cli_format_opt("check", v, &json) != 0)
                return EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, _("regula check: unknown option '%s'\n"), argv[i]);
            check_usage(stderr);
            return EXIT_USAGE;
        } else if (!pack) {
            pack = argv[i];
        } else {
            fprintf(stderr, _("regula check: one pack at a time ('%s' and '%s')\n"), pack, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!pack) {
        check_usage(stderr);
        return EXIT_USAGE;
    }
    json_t *diags = json ? json_array() : NULL;
    rgd_pack cp;
    int ok = rgd_pack_open_check(&cp, pack, json ? cli_diag_collect : NULL, diags) == 0;
    const rg_program *p = ok ? rgd_pack_program(&cp) : NULL;
    unsigned n_tests = ok && cp.pack ? rgc_pack_n_tests(cp.pack) : 0;
    unsigned n_policies = !ok ? 0 : cp.pack ? rgc_pack_n_policies(cp.pack) : p->n_policies;
    unsigned n_defs = !ok ? 0 : cp.pack ? rgc_pack_n_defs(cp.pack) : p->n_defs;
    if (json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "pack", json_string(pack));
        json_object_set_new(doc, "ok", json_boolean(ok));
        json_object_set_new(doc, "errors", json_integer(cp.diag.n_errors + (!ok && !cp.diag.n_errors)));
        json_object_set_new(doc, "warnings", json_integer(cp.diag.n_warnings));
        if (ok) {
            json_object_set_new(doc, "policies", json_integer(n_policies));
            json_object_set_new(doc, "definitions", json_integer(n_defs));
            json_object_set_new(doc, "tests", json_integer(n_tests));
        }
        json_object_set_new(doc, "diagnostics", diags);
        if (cli_print_json(doc) != 0)
            ok = 0;
    } else if (ok) {
        printf(_("%s: ok (%u policies, %u definitions, %u tests)\n"), pack, n_policies, n_defs, n_tests);
    }
    rgd_pack_close(&cp);
    return ok ? EXIT_OK : EXIT_FAIL;
}

int cmd_compile(int argc, char **argv)
{
    if (help("compile", argc, argv, _("PACK -o OUT.rgc [--sign KEY.key]\n\nCompile PACK into one bytecode file: header (magic, "
                                    "format version, hash of the sources), constants, code and line table.\n"
                                    "  --sign KEY.key  sign it with that secret key (regula keygen): hosts given the\n"
                                    "                  public key load only packs it signed (docs/embedding.md)\n")))
        return EXIT_OK;
    const char *out = NULL, *in = NULL, *keyfile = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "-o", &v)) {
            if (!v)
                return EXIT_USAGE;
            out = v;
        } else if (cli_opt(argc, argv, &i, "--sign", &v)) {
            if (!v)
                return EXIT_USAGE;
            keyfile = v;
        } else if (!in)
            in = argv[i];
        else {
            fprintf(stderr, _("regula compile: unexpected argument '%s'\n"), argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!in || !out) {
        fprintf(stderr, _("usage: regula compile PACK -o OUT.rgc [--sign KEY.key]\n"));
        return EXIT_USAGE;
    }
    uint8_t seed[RG_KEY_BYTES];
    if (keyfile && cli_read_key(keyfile, 1, seed, "compile") != 0)
        return EXIT_USAGE;
    rgd_pack cp;
    if (rgd_pack_open(&cp, in) != 0) {
        rgd_pack_close(&cp);
        return EXIT_FAIL;
    }
    char err[512];
    /* what the VM will refuse to load is not written: a compiler bug, said so */
    int rc = rg_program_verify(rgd_pack_program(&cp), err, sizeof err);
    if (rc != 0)
        fprintf(stderr, _("regula compile: internal error: the compiled bytecode does not verify: %s\n"
                        "please report it with the policies that produced it\n"), err);
    else if ((rc = rgc_program_write_signed(rgd_pack_program(&cp), out, keyfile ? seed : NULL, err, sizeof err)) != 0)
        fprintf(stderr, _("regula compile: %s\n"), err);
    memset(seed, 0, sizeof seed);
    rgd_pack_close(&cp);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_disasm(int argc, char **argv)
{
    if (help("disasm", argc, argv, _("PACK|PACK.rgc\n\nList the bytecode: policies, versions, then every chunk with "
                                     "its instructions and the source line each came from.\n")))
        return EXIT_OK;
    if (argc != 2) {
        fprintf(stderr, _("usage: regula disasm PACK|PACK.rgc\n"));
        return EXIT_USAGE;
    }
    rgd_pack cp;
    if (rgd_pack_open(&cp, argv[1]) != 0) {
        rgd_pack_close(&cp);
        return EXIT_FAIL;
    }
    rgc_disasm(rgd_pack_program(&cp), stdout);
    rgd_pack_close(&cp);
    return EXIT_OK;
}
