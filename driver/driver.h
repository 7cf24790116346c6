/* driver.h — what the command line and the REPL need from the compiler and
 * the VM to get going: a pack opened from source or bytecode, the host
 * functions --allow-extern names, claims written in Regula turned into JSON.
 * Must not settle claims (that is the public API's) nor print results. */
#ifndef RGD_DRIVER_H
#define RGD_DRIVER_H

#include <stddef.h>

#include <jansson.h>

#include "compiler.h"
#include "program.h"

struct rg_extern_table; /* vm/externs.h */

/* A loaded pack: compiled from source (pack != NULL) or read from bytecode. */
typedef struct {
    rg_diag diag;
    rgc_pack *pack;        /* when compiled from source */
    rg_program *prog;      /* when loaded from a .rgc file */
    double compile_ms;
    size_t bytes;          /* size of the bytecode image */
} rgd_pack;

/* Load PATH: a directory or .rg file is compiled, a .rgc file is loaded and
 * verified. Reports errors on stderr; returns 0 or -1. */
int rgd_pack_open(rgd_pack *cp, const char *path);
/* The same, and when key (a 32-byte public key) is given, PATH must be a .rgc
 * that key signed (docs/bytecode.md, "Signature"). */
int rgd_pack_open_key(rgd_pack *cp, const char *path, const uint8_t *key);
const rg_program *rgd_pack_program(const rgd_pack *cp);
void rgd_pack_close(rgd_pack *cp);

/* The host functions of p for a command that settles: none needed, 0 and
 * *out NULL; else bound by name from the shared library LIB (--allow-extern),
 * 0 and *out (rg_externs_free it). -1 after a message on stderr that names
 * what is missing and how to provide it. */
int rgd_externs_open(const rg_program *p, const char *lib, const char *cmd, struct rg_extern_table **out);

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

#endif
