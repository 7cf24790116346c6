/* cmd_repl.c — `regula repl`: its options, then the session of repl/ on the terminal or a script.
 * Must not hold REPL behaviour itself: repl/ does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "repl.h"

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula repl [--pack DIR|FILE.rg|PACK.rgc] [--echo]\n\n"
               "An interactive session on a pack: evaluate expressions against a claim, add\n"
               "definitions, override parameters and table rows, settle and explain a claim,\n"
               "and measure what the overrides change on a claims file (:whatif).\n"
               "Type :help inside. Without --pack, ./policies is loaded when it exists.\n\n"
               "When standard input is not a terminal the same commands are read line by\n"
               "line, with no prompts or colours; --echo repeats each input line after\n"
               "\"=> \" (\"-> \" for the lines that continue an entry), for transcripts.\n"
               "Everything, errors included, is written to standard output.\n\n"
               "  --pack PACK   the policies (default: policies/)\n"
               "  --echo        echo the input lines of a script\n\n"
               "History: ~/.regula_history, or the file named by $REGULA_HISTORY.\n"
               "exit status: 0; a script (standard input not a terminal) 1 when a command failed\n"
               "(it goes on to the end); 2 when the input could not be read or the options are wrong\n"));
}

int cmd_repl(int argc, char **argv)
{
    const char *pack = NULL;
    int echo = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--pack", &v)) {
            if (!v)
                return EXIT_USAGE;
            pack = v;
        } else if (strcmp(argv[i], "--echo") == 0 || strcmp(argv[i], "-e") == 0) {
            echo = 1;
        } else if (argv[i][0] != '-' && !pack) {
            pack = argv[i];
        } else {
            fprintf(stderr, _("regula repl: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (pack && strncmp(pack, "git:", 4) == 0) {
        fprintf(stderr, _("regula repl: %s: the REPL reads its pack's files again (:reload), so it needs them on "
                        "disk: check the revision out (git worktree add /tmp/rev REV) and give its folder\n"),
                pack);
        return EXIT_USAGE;
    }
    struct stat st;
    if (!pack && stat("policies", &st) == 0 && S_ISDIR(st.st_mode))
        pack = "policies";
    repl r;
    repl_init(&r, stdout);
    r.tty = isatty(0) && isatty(1);
    r.color = r.tty && !getenv("NO_COLOR");
    r.echo = echo && !r.tty;
    if (r.tty)
        printf(_("regula repl — :help for help, Ctrl-D to leave\n"));
    if (pack && repl_load(&r, pack, 1) == 0 && r.tty)
        printf(_("pack %s: %u policies, base %s\n"), pack, repl_program(r.cur)->n_policies, repl_root(&r));
    else if (!pack)
        printf(_("no pack: :load DIR\n"));
    fflush(stdout);
    int rc = repl_run(&r);
    repl_free(&r);
    return rc;
}
