/* main.c — `regula`: chooses the language of messages (--lang), dispatches to
 * the subcommands and prints the overview and the version. Each subcommand
 * lives in its own cmd_*.c file; nothing here may do a subcommand's work. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "program.h"
#include "regula.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
    int batch; /* compiles a pack or settles a file, then ends: its heap in huge pages */
} commands[] = {
    {"check", cmd_check, N_("compile a pack and report every error, writing nothing"), 1},
    {"compile", cmd_compile, N_("compile a pack to a bytecode file (-o pack.rgc)"), 1},
    {"disasm", cmd_disasm, N_("list a pack's bytecode with the source line of each instruction"), 1},
    {"run", cmd_run, N_("settle JSON Lines claims with a pack (--explain for where amounts come from)"), 1},
    {"test", cmd_test, N_("run the `test` blocks of a pack: prints N passed, N failed"), 1},
    {"repl", cmd_repl, N_("interactive what-if sessions on a pack"), 0},
    {"fmt", cmd_fmt, N_("lay out policy files canonically (-w rewrites, --check lists)"), 0},
    {"diff", cmd_diff, N_("settle a claims file with two packs and report what changes (--html for a page)"), 1},
    {"bench", cmd_bench, N_("measure settlement speed on a claims file"), 1},
    {"lsp", cmd_lsp, N_("the language server for editors (LSP on standard input and output)"), 0},
    {"keygen", cmd_keygen, N_("make a key pair for signing packs (compile --sign, run --public-key)"), 0},
};

static void usage(FILE *out)
{
    fputs(_("usage: regula [--lang zh|en] COMMAND [options] …\n\n"
            "Regula compiles regional medical-insurance policies and settles claims with them.\n\n"
            "commands:\n"), out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
    fputs(_("\n`regula COMMAND --help` describes one command. Documentation: docs/.\n"
            "--lang zh|en (anywhere on the line, or $REGULA_LANG, or the locale: LANG=zh_CN.UTF-8)\n"
            "chooses the language of messages; results and JSON are the same in every language.\n"), out);
}

/* Takes --lang VALUE or --lang=VALUE out of argv wherever it is (before or
 * after the command, before a "--"): its value, NULL when not given, or "" when
 * --lang ends the line. */
static const char *take_lang_option(int *argc, char **argv)
{
    const char *lang = NULL;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strncmp(argv[i], "--lang=", 7) == 0)
            lang = argv[i] + 7;
        else if (strcmp(argv[i], "--lang") == 0)
            lang = i + 1 < *argc ? argv[++i] : "";
        else
            argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return lang;
}

int main(int argc, char **argv)
{
    const char *lang = take_lang_option(&argc, argv);
    if (rg_i18n_init(lang) != 0) {
        fprintf(stderr, _("regula: --lang %s: the languages are zh (Chinese) and en (English)\n"), lang);
        return EXIT_USAGE;
    }
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
        if (strcmp(argv[1], commands[i].name) == 0) {
            if (commands[i].batch)
                cli_heap_in_huge_pages();
            return commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, _("regula: unknown command '%s'\n\n"), argv[1]);
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
        fprintf(stderr, _("regula: %s needs a value\n"), name);
        *value = NULL;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}
