/* main.c — `regula`: dispatches to the subcommands and prints the overview and
 * the version. Each subcommand lives in its own cmd_*.c file; nothing here
 * may do a subcommand's work. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "program.h"
#include "regula.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"check", cmd_check, "compile a pack and report every error, writing nothing"},
    {"compile", cmd_compile, "compile a pack to a bytecode file (-o pack.rgc)"},
    {"disasm", cmd_disasm, "list a pack's bytecode with the source line of each instruction"},
    {"run", cmd_run, "settle JSON Lines claims with a pack (--explain for where amounts come from)"},
    {"test", cmd_test, "run the `test` blocks of a pack: prints N passed, N failed"},
    {"repl", cmd_repl, "interactive what-if sessions on a pack"},
    {"fmt", cmd_fmt, "lay out policy files canonically (-w rewrites, --check lists)"},
    {"diff", cmd_diff, "settle a claims file with two packs and report what changes (--html for a page)"},
    {"bench", cmd_bench, "measure settlement speed on a claims file"},
    {"lsp", cmd_lsp, "the language server for editors (LSP on standard input and output)"},
    {"keygen", cmd_keygen, "make a key pair for signing packs (compile --sign, run --public-key)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: regula COMMAND [options] …\n\n"
                 "Regula compiles regional medical-insurance policies and settles claims with them.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`regula COMMAND --help` describes one command. Documentation: docs/.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("regula %s (bytecode format %u)\n", REGULA_VERSION, (unsigned)RG_FORMAT_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "regula: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}

int cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "regula: %s needs a value\n", name);
        *value = NULL;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}
