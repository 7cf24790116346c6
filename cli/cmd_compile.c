/* cmd_compile.c — `regula check`, `regula compile` and `regula disasm`:
 * the commands that look at a pack without settling claims. Must not settle
 * a claim nor change a pack's files. */
#include <stdio.h>
#include <string.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "cli.h"
#include "disasm.h"
#include "keyfile.h"
#include "vm.h"

static int help(const char *cmd, int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: regula %s %s", cmd, text);
            return 1;
        }
    return 0;
}

int cmd_check(int argc, char **argv)
{
    if (help("check", argc, argv, "PACK\n\nCompile PACK (a directory of .rg files, or one file) and report every "
                                  "error with its file:line:col.\nExit status 0 when the pack is sound, 1 when not.\n"))
        return EXIT_OK;
    if (argc != 2) {
        fprintf(stderr, "usage: regula check PACK\n");
        return EXIT_USAGE;
    }
    rgd_pack cp;
    if (rgd_pack_open(&cp, argv[1]) != 0) {
        rgd_pack_close(&cp);
        return EXIT_FAIL;
    }
    const rg_program *p = rgd_pack_program(&cp);
    printf("%s: ok (%u policies, %u definitions, %u tests)\n", argv[1], p->n_policies, p->n_defs,
           cp.pack ? rgc_pack_n_tests(cp.pack) : 0);
    rgd_pack_close(&cp);
    return EXIT_OK;
}

int cmd_compile(int argc, char **argv)
{
    if (help("compile", argc, argv, "PACK -o OUT.rgc [--sign KEY.key]\n\nCompile PACK into one bytecode file: header (magic, "
                                    "format version, hash of the sources), constants, code and line table.\n"
                                    "  --sign KEY.key  sign it with that secret key (regula keygen): hosts given the\n"
                                    "                  public key load only packs it signed (docs/embedding.md)\n"))
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
            fprintf(stderr, "regula compile: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "usage: regula compile PACK -o OUT.rgc [--sign KEY.key]\n");
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
        fprintf(stderr, "regula compile: internal error: the compiled bytecode does not verify: %s\n"
                        "please report it with the policies that produced it\n", err);
    else if ((rc = rgc_program_write_signed(rgd_pack_program(&cp), out, keyfile ? seed : NULL, err, sizeof err)) != 0)
        fprintf(stderr, "regula compile: %s\n", err);
    memset(seed, 0, sizeof seed);
    rgd_pack_close(&cp);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_disasm(int argc, char **argv)
{
    if (help("disasm", argc, argv, "PACK|PACK.rgc\n\nList the bytecode: policies, versions, then every chunk with "
                                   "its instructions and the source line each came from.\n"))
        return EXIT_OK;
    if (argc != 2) {
        fprintf(stderr, "usage: regula disasm PACK|PACK.rgc\n");
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
