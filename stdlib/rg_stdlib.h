/* rg_stdlib.h — the stdlib layer's internal header: JSON claim reading and binding,
 * result and error lines, the in-memory ledger of `regula run`. Never includes the compiler. */
#ifndef RG_STDLIB_H
#define RG_STDLIB_H

/* Not named stdlib.h: with -Istdlib on the command line it would hide the C
 * library's <stdlib.h> from every file of the project. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "vm.h"

/* ---- claims in (stdlib/claim_json.c) ------------------------------------------ */

/* Parses line number LINENO (LINE[0 .. len), without its '\n'; a trailing '\r'
 * is dropped) as one JSON claim object: steps 1-3 of docs/claims.md.
 * Returns 0 with *out set (the caller json_decref()s it), or -1 with the whole
 * message in err ("line N: blank line …", "not valid JSON: …", "line N:
 * expected a JSON object, got …"). *claim_id_out (when not NULL) is set to the
 * object's claim_id when that is a string (a pointer into *out), else NULL. */
int rg_read_claim_line(const char *line, size_t len, long lineno, json_t **out, char *err,
                       size_t errlen, const char **claim_id_out);

/* Resets VM, then validates CLAIM against the program's schema in the order of
 * docs/claims.md and binds it into vm->claim and the item rows. RG_OK, or
 * RG_ERR_INPUT with the first problem in err (without the "line N: " prefix),
 * or RG_ERR_MEMORY. */
rg_status rg_bind_claim(rg_vm *vm, json_t *claim, char *err, size_t errlen);

/* Python's repr of a double (shortest round trip: "35.25", "100.0", "1e-05",
 * "1e+20"). Returns the length (truncated to cap - 1 bytes). */
int rg_json_number_repr(double d, char *buf, size_t cap);

/* ---- results out (stdlib/result_json.c) ---------------------------------------- */

/* Evaluates every output of the bound, begun claim, then writes its result
 * line. On a failed evaluation nothing is written and the status is returned
 * (vm->error tells why) so that the caller writes an error line instead. */
rg_status rg_write_result(FILE *out, rg_vm *vm, const char *claim_id_unused);

/* {"line": N, "claim_id": "…", "error": "…"} and a newline; claim_id only when not NULL. */
void rg_write_error_line(FILE *out, long line, const char *claim_id_or_null, const char *message);

/* S[0 .. n) as a JSON string the way Python's json.dumps(ensure_ascii=False)
 * writes it. The bytes C0 80 (never valid UTF-8) stand for a NUL and are
 * written \u0000: that is how claim messages quote a string holding one. */
void rg_write_json_string(FILE *out, const char *s, size_t n);
/* The JSON escape of byte ch into out (\n, \u001f…) and its length, or 0
 * when ch stands as itself. */
int rg_json_escape(unsigned char ch, char out[6]);

/* ---- the in-memory ledger of `regula run` (stdlib/ledger_store.c) --------------- */

typedef struct rg_ledger_store rg_ledger_store;

rg_ledger_store *rg_ledger_store_new(const rg_program *p);
void rg_ledger_store_free(rg_ledger_store *s);
/* Fills vm->ledger_in for the bound, begun claim: each scope's record for the
 * claim's keys, or the fields' first values for keys never seen. A scope one
 * of whose key parts is absent (a per-disease ledger, a claim of no disease)
 * does not apply to the claim: it reads first values, and its commit keeps
 * nothing. */
rg_status rg_ledger_store_load(rg_ledger_store *s, rg_vm *vm);

/* The same load in two steps, for a caller that settles a batch: computes
 * the keys of the claim bound to vm (begun) into k and prefetches their
 * records, changing nothing a pending commit needs; later, with that claim
 * bound and begun on the VM that settles it (its keys depend on the claim
 * alone), loads with them. k must be left as it is until the commit that
 * follows the load. The keys come from rg_ledger_keys_new of the same store. */
typedef struct rg_ledger_keys rg_ledger_keys;
rg_ledger_keys *rg_ledger_keys_new(const rg_ledger_store *s);
void rg_ledger_keys_free(rg_ledger_keys *k);
rg_status rg_ledger_store_keys(rg_ledger_store *s, rg_vm *vm, rg_ledger_keys *k);
rg_status rg_ledger_store_load_keys(rg_ledger_store *s, rg_vm *vm, const rg_ledger_keys *k);
/* Stores vm->ledger_out under the keys of the last load (records created as
 * needed). RG_OK, RG_ERR_MEMORY, or RG_ERR_USAGE without a successful load. */
rg_status rg_ledger_store_commit(rg_ledger_store *s, rg_vm *vm);
/* Forgets every record, keeps the memory. */
void rg_ledger_store_clear(rg_ledger_store *s);
/* Number of records of scope (tests, statistics). */
uint32_t rg_ledger_store_count(const rg_ledger_store *s, uint32_t scope);
/* Tests: from now on every rehash hashes each key again from its stored text,
 * as only tables of more than 2^24 slots otherwise do. */
void rg_ledger_store_rehash_from_text(rg_ledger_store *s);

#endif
