/* cmd_lsp.c — `regula lsp`: its options, then the language server of lsp/ on
 * standard input and output. Must not hold server behaviour itself: lsp/ does. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "lsp.h"

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula lsp [--stdio]\n\n"
               "The language server for editors: it speaks the Language Server Protocol\n"
               "(JSON-RPC with Content-Length headers) on standard input and output, and\n"
               "is started by the editor, not by hand (editors/vscode starts it).\n\n"
               "It compiles the folder of each open policy file as you type, the editor's\n"
               "unsaved text in place of the files on disk, and publishes every error with\n"
               "its place and hint; hover shows a name's type, which policy and version\n"
               "write it and its value on the pack's sample claim; go to definition\n"
               "follows `extends`; completion offers definitions, claim fields (after\n"
               "person. and the like), ledger fields and enumeration members.\n\n"
               "  --stdio   standard input and output (the default, and the only channel)\n\n"
               "Messages about the protocol itself go to standard error.\n"
               "exit status: 0 after shutdown and exit, 1 when the input ended or exit came\n"
               "without shutdown, 2 when the options are wrong\n"));
}

int cmd_lsp(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--stdio") != 0) {
            fprintf(stderr, _("regula lsp: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (isatty(0))
        fprintf(stderr, _("regula lsp: waiting for an editor's messages on standard input (Ctrl-D ends; "
                        "regula lsp --help says more)\n"));
    return lsp_serve(stdin, stdout);
}
