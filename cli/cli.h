/* cli.h — the `regula` command line: subcommands and what they share (loading
 * a pack from source or bytecode, exit codes). Sits on top of every layer;
 * must not be included below cli/. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "driver.h"
#include "vm.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* The rest of the command allocates from a heap in transparent huge pages
 * (heap.c): for the batch commands, called before they start. */
void cli_heap_in_huge_pages(void);

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

/* ---- text_table.c: aligned text tables ---- */
typedef struct {
    const char *align;       /* a letter a column: 'l' left, 'r' right */
    uint32_t n_cols, n_rows, cap_rows;
    char **cells;
} cli_table;
void cli_table_init(cli_table *t, const char *align);
/* One row: as many strings as the table has columns (NULL: empty). */
void cli_table_row(cli_table *t, ...);
/* Each row after INDENT, columns two spaces apart; then the table is emptied. */
void cli_table_print(FILE *out, cli_table *t, const char *indent);

/* ---- regula diff (cmd_diff.c settles and compares; diff_text.c, diff_html.c report) ---- */

/* A result field of either pack, compared by name. */
typedef struct {
    const char *name;
    int money;               /* both packs give it as money: its totals are kept */
    int index[2];            /* its output index in the old and the new pack, -1 when that pack lacks it */
    long changed;            /* claims settled both times whose value of it differs */
    int64_t total[2];        /* money: the sum over the claims each pack settled, in fen */
} diff_field;

/* The claims of one region: the policy that settles them (with the new pack,
 * or the old when only it could tell); "" for lines that are no claim. Key
 * sums count the claims each pack settled. */
typedef struct {
    const char *name;
    long claims, changed;
    int64_t total[2];        /* the key field's sums, old and new */
} diff_region;

/* A claim whose result changed. */
typedef struct {
    long line;
    char *claim_id;          /* NULL when it has none */
    uint32_t region;         /* index into diff_report.regions */
    int settled[2];          /* each pack settled it (else it was an error line) */
    int64_t key[2];          /* the key field, 0 when not settled */
    char *fields;            /* the fields that changed, "fund, cash", or what the error did */
    char *changes;           /* JSON: {FIELD: {"before", "after"}, …} as `regula run` writes the values */
    char *trail[2];          /* the explanation (JSON), for the biggest changes when asked */
} diff_claim;

typedef struct {
    const char *pack[2];     /* as the user named them */
    const char *claims;
    const char *key;         /* the money field claims are ranked and regions summed by */
    long lines, changed, errors[2];
    long errors_changed;     /* lines that became or stopped being an error line, or whose error changed */
    diff_field *fields;
    uint32_t n_fields;
    diff_region *regions;
    uint32_t n_regions;
    diff_claim *claims_changed; /* in line order */
    size_t n_changed;
    size_t *top;             /* indexes into claims_changed, the biggest key changes first */
    size_t n_top;
} diff_report;

void diff_print_text(FILE *out, const diff_report *d);
/* The self-contained page: 0, or -1 when it could not be written. */
int diff_write_html(const char *path, const diff_report *d);

/* `regula run`'s loop, which `regula bench` times too: the lines of in read
 * CLI_RUN_BATCH at a time, each on its own context (regula_claim_json), then
 * their ledger keys made (regula_ledger_prefetch), then the claims settled in
 * input order (regula_settle_bound;
 * the contexts and the ledger on one pack, set up alike), each output line
 * written to out in input order. 0, or -1 on a read error or when a line's
 * output could not be made (after a message). */
#define CLI_RUN_BATCH 4
typedef struct {
    long lines, errors;
    int read_err; /* errno of a failed read, else 0 */
} cli_run_stats;
int cli_run_lines(regula_ctx *const ctx[CLI_RUN_BATCH], regula_ledger *ledger, FILE *in, FILE *out, int progress,
                  cli_run_stats *st);
/* The loop's contexts on pk: 0, or -1 out of memory (free them either way). */
int cli_run_contexts(regula_pack *pk, regula_ctx *ctx[CLI_RUN_BATCH]);
void cli_run_contexts_free(regula_ctx *ctx[CLI_RUN_BATCH]);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_lsp(int argc, char **argv);
int cmd_keygen(int argc, char **argv);

/* Read the key file at path (secret: a .key, else a .pub) into key (32
 * bytes); 0, or -1 after saying on stderr what is wrong (cmd_keygen.c). */
int cli_read_key(const char *path, int secret, unsigned char *key, const char *cmd);

#endif
