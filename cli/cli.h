/* cli.h — the `regula` command line: subcommands and what they share (loading
 * a pack from source or bytecode, exit codes). Sits on top of every layer;
 * must not be included below cli/. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "driver.h"
#include "vm.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* True when option `arg` is `name` or `name=VALUE`; *value set for the latter
 * or taken from the next argument. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **value);

/* ---- diag_json.c: diagnostics as JSON records; --format text|json ---- */
json_t *cli_diag_json(const rg_diag_record *r);
/* An rg_diag sink appending each record to the JSON array LIST. */
void cli_diag_collect(void *list, const rg_diag *d, const rg_diag_record *r);
/* --format VALUE of command CMD: sets *json; -1 after a message when VALUE is neither. */
int cli_format_opt(const char *cmd, const char *value, int *json);
/* DOC on standard output, indented, then freed; -1 when it could not be written. */
int cli_print_json(json_t *doc);

/* ---- test_cover.c: `regula test --coverage` ---- */
/* What C counted for p, by policy (only those CHOSEN[policy] when not NULL),
 * then what was not reached with its source line (read from DIAG's sources). */
void cli_cover_print(FILE *out, const rg_cover *c, const rg_program *p, const rg_diag *diag, const uint8_t *chosen);
/* The same as JSON: {"reached", "total", "percent", "policies": [{"policy", "file",
 * …, "items": [{"kind", "name", "line", "version"?, "hits"}]}]}. */
json_t *cli_cover_json(const rg_cover *c, const rg_program *p, const uint8_t *chosen);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_fmt(int argc, char **argv);

#endif
