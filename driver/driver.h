/* driver.h — what the command line and the REPL need from the compiler and
 * the VM to get going: a pack opened from source or bytecode, the host
 * functions --allow-extern names, claims written in Regula turned into JSON.
 * Must not settle claims (that is the public API's) nor print results. */
#ifndef RGD_DRIVER_H
#define RGD_DRIVER_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "compiler.h"
#include "file_io.h"
#include "program.h"
#include "regula.h"
#include "vm.h"


/* A loaded pack: compiled from source (pack != NULL) or read from bytecode. */
typedef struct {
    rg_diag diag;
    rgc_pack *pack;        /* when compiled from source */
    rg_program *prog;      /* when loaded from a .rgc file */
    double compile_ms;
    size_t bytes;          /* size of the bytecode image */
    char *tmpdir;          /* a git:REV:PATH pack: where it was extracted (removed by rgd_pack_close) */
} rgd_pack;

/* Load PATH: a directory or .rg file is compiled, a .rgc file is loaded and
 * verified, git:REV:PATH is the folder or .rg file PATH (relative to the
 * current directory) as it was at commit REV of the git repository here.
 * Reports errors on stderr; returns 0 or -1. */
int rgd_pack_open(rgd_pack *cp, const char *path);
/* The same with every diagnostic given to SINK (with UD) instead of stderr,
 * and no closing count line: for a tool that writes its own format. */
int rgd_pack_open_sink(rgd_pack *cp, const char *path, rg_diag_sink sink, void *ud);
/* The same, and when key (a 32-byte public key) is given, PATH must be a .rgc
 * that key signed (docs/bytecode.md, "Signature"). */
int rgd_pack_open_key(rgd_pack *cp, const char *path, const uint8_t *key);
/* rgd_pack_open_sink (SINK may be NULL: stderr) to find the errors only: a
 * pack from source is checked, its code not made (RGC_MAKE_NONE: its
 * program has no chunks); rgc_pack_n_policies … count it. `regula check`. */
int rgd_pack_open_check(rgd_pack *cp, const char *path, rg_diag_sink sink, void *ud);
const rg_program *rgd_pack_program(const rgd_pack *cp);

/* ---- packs at a git revision (driver/pack_git.c) ---- */

/* Extract git:REV:PATH (SPEC) into a new temporary directory, as TMPDIR/SPEC
 * (TMPDIR's name is set also on failure when it was made): 0, or -1 with a
 * message in ERR that says what to do. Compiled from TMPDIR as SPEC, the
 * files are named git:REV:PATH/CN.rg in every message and explanation. */
int rgd_git_extract(const char *spec, char *tmpdir, size_t tcap, char *err, size_t errlen);
/* Remove DIR and everything in it (a directory rgd_git_extract made). */
void rgd_git_remove(const char *dir);
void rgd_pack_close(rgd_pack *cp);

/* PATH (a policy directory, .rg file or .rgc bytecode) loaded through the
 * public API (include/regula.h), as a service loads a pack: sources are
 * compiled and written to their bytecode image first, and every image is
 * verified by regula_pack_load. LIB names the shared library of the pack's
 * host functions (--allow-extern), or NULL: then a pack that declares some
 * is refused with the message that says how to allow them. CMD ("run")
 * names the command in messages. KEY (32 bytes, or NULL) is the public key
 * whose signature a .rgc must carry; with it, policy source is refused.
 * Reports on stderr and returns -1; or 0 with
 * *out (regula_pack_free it) and, when info is not NULL, the milliseconds it
 * took (compiling, writing, loading and verifying) and the image's bytes. */
typedef struct {
    double compile_ms;
    size_t bytes;
} rgd_pack_info;
int rgd_pack_load(const char *path, const char *lib, const uint8_t *key, const char *cmd, regula_pack **out,
                  rgd_pack_info *info);
/* Packs loaded from now on (rgd_pack_load, rgd_pack_api, rgd_program_api):
 * RGD_NATIVE_OFF on the interpreter (the default), RGD_NATIVE_ON with native
 * code built if need be at the load (regula_options.native; `--native`),
 * RGD_NATIVE_LATER loaded on the interpreter, their image kept until
 * rgd_native_settle decides (`regula run` and `regula bench` unless told). */
enum { RGD_NATIVE_OFF, RGD_NATIVE_ON, RGD_NATIVE_LATER };
void rgd_set_native(int mode);
/* After a load with --native (or any load not RGD_NATIVE_OFF, when always
 * is 1): say on stderr, once, when the pack has no native code and why (it
 * then settles on the interpreter, the same). */
void rgd_native_report(const regula_pack *pk, const char *cmd, int always);
/* For a pack loaded with RGD_NATIVE_LATER (else nothing): attach the native
 * code this machine has built for it (RGD_NATIVE_CACHED: claims are coming;
 * hashing the image costs ≈ 1.6 ms a MB), or build it first when missing
 * (RGD_NATIVE_BUILD; not for a pack of over RGD_NATIVE_BUILD_MAX bytes of
 * code, whose C takes the compiler minutes: ≈ 90 s for the 1.2 MB of a
 * province of 300 cities),
 * or neither (RGD_NATIVE_DROP); then the kept image is freed. Quiet: without
 * native code the pack settles the same. */
enum { RGD_NATIVE_DROP, RGD_NATIVE_CACHED, RGD_NATIVE_BUILD };
#define RGD_NATIVE_BUILD_MAX ((size_t)512 << 10)
void rgd_native_settle(regula_pack *pk, int how);
/* The pack cp already opened, loaded the same way (its image written and
 * verified); cp stays open. 0, or -1 after a message. */
int rgd_pack_api(const rgd_pack *cp, const char *lib, const char *cmd, regula_pack **out);
/* The same for a program in memory (the REPL's builds), quietly: 0, or -1
 * with the message in err. */
int rgd_program_api(const rg_program *p, const char *lib, regula_pack **out, char *err, size_t errlen);
/* A pack loaded through the API with one context and one year ledger: what
 * settles a claims file line by line on each side of `regula diff` and the
 * REPL's :whatif. */
typedef struct {
    regula_pack *pack;
    regula_ctx *ctx;
    regula_ledger *ledger;
} rgd_settler;
/* Program P so loaded (rgd_program_api, no host functions), with a new
 * context and an empty ledger: 0, or -1 with the reason in err. */
int rgd_settler_open(rgd_settler *s, const rg_program *p, char *err, size_t errlen);
void rgd_settler_close(rgd_settler *s);
/* A value of p as people read it (rg_value_text: "12.34", "85%", "LN-CY"). */
int rgd_value_text(const rg_program *p, uint32_t type, int64_t v, char *buf, size_t cap);

/* ---- what changed in a claim's result (driver/result_diff.c) ---- */

/* Two result lines of one claim as `regula run` writes them (results or
 * error lines): {KEY: {"before": …, "after": …}} for every key but "line" and
 * "claim_id" whose values differ (null where a line lacks it), in the order
 * of BEFORE's keys, then AFTER's. A new object. */
json_t *rgd_result_changes(json_t *before, json_t *after);

/* How two changed claims rank, the larger change of an amount first (its
 * size, either way), then the earlier line: for qsort_r's comparisons. */
int rgd_change_order(int64_t before_x, int64_t after_x, long line_x, int64_t before_y, int64_t after_y, long line_y);

/* ---- progress on a terminal (driver/progress.c) ---- */

/* The line a long run keeps on standard error while that is a terminal
 * ("regula run: 120000 claims (45%)"), redrawn at most ten times a second and
 * erased at the end; nothing at all when standard error is not a terminal. */
typedef struct {
    int on, shown;
    const char *what, *unit;
    long total;          /* how many there will be, 0 when unknown */
    long long size;      /* bytes of the input when it is a regular file, else 0 */
    FILE *input;         /* read for its position when the line is drawn */
    long long last_ms;
    unsigned calls;
} rgd_progress;

/* WHAT names the run, UNIT what is counted ("claims"); INPUT (or NULL) gives a
 * percentage by how far into it the run is; TOTAL (or 0) the count to come. */
void rgd_progress_start(rgd_progress *pg, const char *what, const char *unit, FILE *input, long total);
void rgd_progress_draw(rgd_progress *pg, long n);
/* N done. Costs a test and a count when drawing is not due: call it once a claim. */
static inline void rgd_progress_step(rgd_progress *pg, long n)
{
    if (pg->on && (pg->calls++ & 63) == 0)
        rgd_progress_draw(pg, n);
}
/* The line erased (so that what follows starts on a clean line). */
void rgd_progress_end(rgd_progress *pg);

/* The lines of a claims file, one at a time, with the progress line above:
 *   rgd_lines l;
 *   rgd_lines_start(&l, in, "regula run");
 *   while (rgd_lines_next(&l)) … l.line, l.len (without its newline), l.lineno …
 *   rgd_lines_end(&l);   // the progress line erased, the buffer freed; 0, or -1 when reading failed (l.err)
 * A line longer than RG_MAX_LINE is read past in bounded memory and given as
 * an empty line with too_long set to its length (its line number counts). */
typedef struct {
    rg_lines in;
    const char *line;
    size_t len;
    size_t too_long;
    long lineno;
    int err;             /* errno of a read error, after rgd_lines_end */
    rgd_progress pg;
} rgd_lines;
void rgd_lines_start(rgd_lines *l, FILE *in, const char *what);
int rgd_lines_next(rgd_lines *l);
int rgd_lines_end(rgd_lines *l);

/* ---- claims written in Regula (`sample claim`, a test's `given claim`, :claim set) as JSON ---- */

/* JSON value of expression E for a claim field of rg_type TYPE (constants
 * only: literals, enum members, regions, records and lists of them). NULL
 * with a message in err when E does not fit. */
json_t *rgd_claim_value(rgc_pack *pk, const rg_expr *e, uint32_t type, char *err, size_t errlen);
/* Apply assignments (rg_assign*: path = value) to CLAIM. Returns 0, or -1 with
 * err and *where (the failing assignment). */
int rgd_claim_apply(rgc_pack *pk, json_t *claim, const rg_vec *assigns, char *err, size_t errlen, rg_loc *where);
/* Set one field by dotted path, with list indexes allowed ("items[1].amount"),
 * to VALUE. Returns 0, or -1 with err. */
int rgd_claim_set(rgc_pack *pk, json_t *claim, const char *path, const rg_expr *value, char *err, size_t errlen);
/* Region fields equal to ROOT (the base policy) take POLICY instead: how a
 * test of a regional policy starts from the base policy's sample claim. */
void rgd_claim_localise(json_t *claim, const char *root, const char *policy);
/* The pack's `sample claim` localised to POLICY (NULL: left as written).
 * NULL with err (and *where when a location is known) if there is none or it
 * does not fit the claim's schema. */
json_t *rgd_sample_claim(rgc_pack *pk, const char *policy, char *err, size_t errlen, rg_loc *where);
/* CLAIM as one line of JSON text for the claim reader (regula_claim_json):
 * a real written as the shortest text that reads back as the same double,
 * the number its author wrote. malloc'd (*len bytes, NUL-terminated), or
 * NULL when out of memory. */
char *rgd_claim_text(const json_t *claim, size_t *len);

/* ---- a claim held as JSON, bound to a VM (driver/claim_bind.c) ---- */
/* CLAIM read into vm as `regula run` reads a line: RG_OK, or the failure
 * with its message in err. */
rg_status rgd_bind_json(rg_vm *vm, const json_t *claim, char *err, size_t errlen);
/* The bound claim begun (policy, date, its rules) on an empty ledger: RG_OK,
 * or the failure (vm->error says why). */
rg_status rgd_begin_empty(rg_vm *vm);

#endif
