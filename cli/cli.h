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

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_keygen(int argc, char **argv);

/* Read the key file at path (secret: a .key, else a .pub) into key (32
 * bytes); 0, or -1 after saying on stderr what is wrong (cmd_keygen.c). */
int cli_read_key(const char *path, int secret, unsigned char *key, const char *cmd);

#endif
