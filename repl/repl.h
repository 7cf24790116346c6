/* repl.h — the state of a `regula repl` session (pack, definitions, overrides, policy, claim) and the calls between repl/ files.
 * Must not be used outside repl/ and cli/cmd_repl.c. */
#ifndef RG_REPL_H
#define RG_REPL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "compiler.h"
#include "parse.h"
#include "program.h"
#include "regula.h"
#include "rg_stdlib.h"
#include "vm.h"

/* One compilation of the pack: from sources (pk) or bytecode (prog). The
 * diagnostics live as long as the pack (it reports through them). */
typedef struct {
    rg_diag diag;
    rgc_pack *pk;
    rg_program *prog;
    regula_pack *api;   /* the same, loaded through include/regula.h (repl_settle), once asked for */
} repl_build;

/* A definition typed in the session: compiled into POLICY as an extra. */
typedef struct {
    char *policy;
    char *key;     /* what it replaces when typed again: "def x", "version 2025", … */
    char *text;
    int new_name;  /* untyped, of a name the policy did not see: a new name of it */
} repl_def;

/* An override made by :set, compiled only into the "after" pack. */
typedef struct {
    char *policy;
    char *version; /* NULL: the whole policy */
    char *name;
    int row;       /* a table row */
    char *text;    /* a whole declaration, or the row "| a | b -> v" */
    char *key;     /* row: its cells without blanks (a later :set of the same cells replaces it) */
    char *shown;   /* for :overrides, as typed */
} repl_override;

typedef struct repl {
    FILE *out;
    int tty, color, echo;
    int quit;
    char *pack_path;        /* NULL: no pack */
    repl_build *base;       /* session definitions only; NULL when there are no overrides (then = cur) */
    repl_build *cur;        /* session definitions and overrides */
    char *policy;           /* current policy */
    json_t *claim;          /* set by :claim; NULL: the sample claim */
    char *claim_from;       /* where it came from */
    repl_def *defs;
    uint32_t n_defs, cap_defs;
    repl_override *ovr;
    uint32_t n_ovr, cap_ovr;
    char *pending;          /* the unfinished input of a multi-line entry */
    size_t n_pending;
    volatile sig_atomic_t *interrupted; /* Ctrl-C while a command runs */
    int failed;             /* an error was reported: a script (stdin not a terminal) then exits 1 */
} repl;

/* ---- session.c ---- */
/* The most text one entry continued over lines may hold (a single line may
 * hold RG_MAX_LINE, file_io.h): each line of an entry parses it all again. */
#define REPL_MAX_ENTRY (1 << 20)
/* Say that a line of len bytes was too long and dropped (session.c). */
void repl_line_too_long(repl *r, size_t len);

void repl_init(repl *r, FILE *out);
void repl_free(repl *r);
/* Load a pack (directory, .rg or .rgc), dropping session definitions and
 * overrides when FRESH. Reports and returns -1 on failure (the old pack stays). */
int repl_load(repl *r, const char *path, int fresh);
/* Recompile base and cur from the session's definitions and overrides. */
int repl_rebuild(repl *r);
/* Feed one line of input. Returns 1 when the entry goes on (continuation
 * prompt), 0 otherwise. */
int repl_feed(repl *r, const char *line);
/* Drop an unfinished entry (Ctrl-C). */
void repl_cancel(repl *r);
/* End of input: an unfinished entry is evaluated as it is (its errors shown). */
void repl_finish(repl *r);
/* Compile with extra declarations; prints errors (lines relative to the typed text, which
 * starts `offset` lines into an extra named "<input>"). */
repl_build *repl_compile(repl *r, const rgc_extra *more, uint32_t n_more, int with_overrides, uint32_t offset);
void repl_build_free(repl_build *b);
const rg_program *repl_program(const repl_build *b);
const repl_build *repl_base(const repl *r);
const char *repl_root(const repl *r);
/* The current claim settled with the current build through the public API
 * (include/regula.h), as `regula run` settles a line, from an empty ledger;
 * explaining when asked. The context, whose VM (rg_api_ctx_vm) holds what the
 * REPL shows: the trace, the policy, the ledger before and after. NULL after
 * an error was shown. */
regula_ctx *repl_settle(repl *r, int explain);
/* Bind the current claim to VM (fresh ledger): 0, or -1 with err. */
int repl_bind(repl *r, rg_vm *vm, char *err, size_t errlen);
/* The current claim (a new reference), or NULL with err. */
json_t *repl_claim(repl *r, char *err, size_t errlen);
/* A value as the REPL shows it: ¥550.00, 55%, "text", none. */
void repl_value_text(const rg_program *p, uint32_t type, rg_value v, char *buf, size_t cap);
/* Display width of UTF-8 text (CJK counts two columns). */
size_t repl_text_width(const char *s);
/* Evaluate an expression; only_type: show the type alone. */
void repl_eval(repl *r, const char *text, int only_type);
/* Add a typed declaration to the session. */
void repl_define(repl *r, const char *text, const rg_decl *d);
/* Parse TEXT alone (syntax only): 0 ok (item set; nodes in ARENA), 1 incomplete, -1 errors.
 * report: 0 print nothing, 1 print errors unless the input is unfinished, 2 always. */
int repl_parse(repl *r, rg_arena *arena, rg_diag *diag, const char *text, rg_repl_item *item, int report);
void repl_error(repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A VM error, its location dropped when it is in the REPL's own text. */
void repl_vm_error(repl *r, const char *msg);
int repl_policy_index(const rg_program *p, const char *name);

/* ---- diagnostics.c ---- */
/* One diagnostic as the REPL shows it: "<input>" (what was typed, after
 * INPUT_LINES lines the REPL put before it) without its name and with lines
 * counted from the typed text, "<session>" and "<set>" by name alone. */
void repl_show_diag(repl *r, const rg_diag *d, const rg_diag_record *rec, uint32_t input_lines);
/* An rg_diag sink (UD the repl) showing each diagnostic at once. */
void repl_show_sink(void *ud, const rg_diag *d, const rg_diag_record *rec);
/* Diagnostics held until the REPL knows whether to show them (an unfinished
 * entry's are not; a compilation's only when it failed). */
typedef struct {
    rg_diag *diag;
    rg_diag_sink sink;      /* the diag's own, put back on release */
    void *sink_ud;
    rg_diag_record *v;      /* copies */
    uint32_t n, cap;
} repl_held;
/* From now on D's diagnostics are held in H. */
void repl_hold(repl_held *h, rg_diag *d);
/* Show them (when SHOW) as repl_show_diag does, forget them, give D its sink back. */
void repl_release(repl *r, repl_held *h, int show, uint32_t input_lines);

/* ---- commands.c ---- */
void repl_command(repl *r, const char *line);
/* The i-th command name to complete (without its ':'), NULL past the last. */
const char *repl_command_completion(uint32_t i);

/* ---- overrides.c ---- */
/* :set / :unset / :overrides */
void repl_cmd_set(repl *r, const char *args);
void repl_cmd_unset(repl *r, const char *args);
void repl_cmd_overrides(repl *r, const char *args);
/* The extras that carry the overrides (one per policy), built against the
 * base pack's sources. Texts are malloc'd: free with repl_free_extras. */
int repl_override_extras(repl *r, const repl_build *base, rgc_extra **out, uint32_t *n);
void repl_free_extras(rgc_extra *x, uint32_t n);
void repl_override_free(repl_override *o);

/* ---- show.c ---- */
/* :show [POLICY[@VERSION].]TABLE */
void repl_cmd_show(repl *r, const char *args);

/* ---- whatif.c ---- */
void repl_cmd_whatif(repl *r, const char *args);

/* ---- lineedit.c ---- */
/* Run the session on standard input: readline on a terminal, plain lines
 * otherwise. Returns the exit status. */
int repl_run(repl *r);

#endif
