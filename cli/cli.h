/* cli.h — the `regula` command line: subcommands and what they share (loading
 * a pack from source or bytecode, exit codes). Sits on top of every layer;
 * must not be included below cli/. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdio.h>

#include "driver.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* True when option `arg` is `name` or `name=VALUE`; *value set for the latter
 * or taken from the next argument. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **value);

/* `regula run`'s loop, which `regula bench` times too: every line of in
 * settled with regula_settle_line (ctx and ledger on one pack), its output
 * line written to out. 0, or -1 on a read error or when a line's output
 * could not be made (after a message). */
typedef struct {
    long lines, errors;
} cli_run_stats;
int cli_run_lines(regula_ctx *ctx, regula_ledger *ledger, FILE *in, FILE *out, int progress, cli_run_stats *st);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fmt(int argc, char **argv);

#endif
