/* cli.h — the `regula` command line: subcommands and what they share (loading
 * a pack from source or bytecode, exit codes). Sits on top of every layer. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdio.h>

#include "compiler.h"
#include "program.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct rg_extern_table; /* vm/externs.h */

/* A loaded pack: compiled from source (pack != NULL) or read from bytecode. */
typedef struct {
    rg_diag diag;
    rgc_pack *pack;        /* when compiled from source */
    rg_program *prog;      /* when loaded from a .rgc file */
    double compile_ms;
    size_t bytes;          /* size of the bytecode image */
} cli_pack;

/* Load PATH: a directory or .rg file is compiled, a .rgc file is loaded and
 * verified. Reports errors on stderr; returns 0 or -1. */
int cli_pack_open(cli_pack *cp, const char *path);
const rg_program *cli_pack_program(const cli_pack *cp);
void cli_pack_close(cli_pack *cp);

/* The host functions of p for a command that settles: none needed, 0 and
 * *out NULL; else bound by name from the shared library LIB (--allow-extern),
 * 0 and *out (rg_externs_free it). -1 after a message on stderr that names
 * what is missing and how to provide it. */
int cli_externs_open(const rg_program *p, const char *lib, const char *cmd, struct rg_extern_table **out);

/* True when option `arg` is `name` or `name=VALUE`; *value set for the latter
 * or taken from the next argument. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **value);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fmt(int argc, char **argv);

#endif
