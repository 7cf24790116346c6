/* rg_stdlib.h — the stdlib layer's internal header: JSON claim reading and binding,
 * result and error lines, the in-memory ledger of `regula run`. Never includes the compiler. */
#ifndef RG_STDLIB_H
#define RG_STDLIB_H

/* Not named stdlib.h: with -Istdlib on the command line it would hide the C
 * library's <stdlib.h> from every file of the project. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "text.h"
#include "vm.h"

/* ---- claims in (stdlib/json_scan.c, stdlib/claim_json.c) ----------------------
 *
 * A claim line is read in two steps, with no JSON tree and no allocation once
 * the reader is warm: json_scan.c checks the whole line as JSON in one pass
 * and, guided by the program's claim schema, notes where each value the
 * schema reads lies (a flat "tape" of rg_jv records; values under keys the
 * schema does not know are checked and skipped); claim_json.c then binds the
 * schema's fields in declaration order from the tape, so that the first
 * problem reported is the one docs/claims.md orders first. */

typedef struct rg_claim_reader rg_claim_reader;

/* A reader for claims of p, allocating through alloc (NULL: the C library);
 * one per thread (it holds the last line's tape). NULL when out of memory. */
rg_claim_reader *rg_claim_reader_new(const rg_program *p, const rg_alloc *alloc);
void rg_claim_reader_free(rg_claim_reader *r);

/* Steps 1-4 of docs/claims.md: LINE[0 .. len) (without its '\n'; a trailing
 * '\r' is dropped) read as one JSON claim object and bound into vm->claim and
 * its rows (vm's program must be the reader's). RG_OK; RG_ERR_INPUT with the
 * whole message in err, "line N: " first where docs/claims.md puts it (never
 * when LINENO is 0); RG_ERR_MEMORY ("out of memory"). *claim_id (may be NULL)
 * is the line's top-level claim_id when the line is a JSON object whose
 * claim_id is a string without NUL, else NULL; valid until the reader's next
 * line. */
rg_status rg_claim_read(rg_claim_reader *r, rg_vm *vm, const char *line, size_t len, long lineno, char *err,
                        size_t errlen, const char **claim_id);

/* Only the JSON check of step 2, with no schema: 0 when TEXT[0 .. len) is one
 * JSON value (surrounded by white space at most), else -1 with "<what> near
 * '<token>' (column N)" in err. The reader's own rules: duplicate keys in an
 * object, a NUL in a key, invalid UTF-8, lone surrogates, more than
 * RG_JSON_MAX_DEPTH nested arrays and objects and numbers beyond a double's
 * range are refused; integers of any length are not. */
#define RG_JSON_MAX_DEPTH 2048
int rg_json_check(rg_claim_reader *r, const char *text, size_t len, char *err, size_t errlen);

/* Python's repr of a double (shortest round trip: "35.25", "100.0", "1e-05",
 * "1e+20"). Returns the length (truncated to cap - 1 bytes). */
int rg_json_number_repr(double d, char *buf, size_t cap);

/* ---- the tape (json_scan.c writes it, claim_json.c reads it) ---- */

enum { RG_JV_NULL, RG_JV_FALSE, RG_JV_TRUE, RG_JV_NUM, RG_JV_STR, RG_JV_OBJ, RG_JV_ARR };
#define RG_JV_ESC 1u  /* string: its decoded text is in the reader's scratch, not in the line */
#define RG_JV_NUL 2u  /* string: holds a NUL (\u0000) */
#define RG_JV_INT 4u  /* number: no fraction nor exponent */
#define RG_JV_NEG 8u  /* number: starts with '-' */

typedef struct {
    uint32_t start, len; /* string: its text (decoded) at start in the line or the scratch; number: its text
                          * in the line; object, array: the span of its text in the line */
    uint32_t aux;        /* object read at a schema record: its member table (one tape index a child field,
                          * RG_NO_INDEX when absent); array read at a schema list: its first element;
                          * RG_NO_INDEX otherwise (a value the schema reads whole, or only quotes) */
    uint32_t next;       /* an element of such an array: the next, RG_NO_INDEX after the last */
    uint32_t count;      /* array: its elements */
    uint8_t kind, flags;
} rg_jv;

/* What json_scan.c leaves for the binder. */
typedef struct {
    const rg_jv *v;          /* the tape */
    const uint32_t *members; /* member tables */
    const char *line, *scratch;
    uint32_t root;           /* the line's value */
    uint32_t claim_id;       /* the root object's "claim_id" value, or RG_NO_INDEX */
    const char *claim_id_text; /* that value when it is a string without NUL, NUL-terminated; else NULL */
    const uint32_t *pos;     /* per schema field: its place in its parent's member table */
} rg_jtape;

/* The policy (region) named name[0 .. len), or RG_NO_INDEX: the reader's index of them. */
uint32_t rg_claim_reader_region(const rg_claim_reader *r, const char *name, size_t len);
/* Scan LINE[0 .. len) (already known not blank) with r's schema: 0 and *t, or
 * -1 with "not valid JSON: …" in err, or -2 when out of memory. */
int rg_json_scan(rg_claim_reader *r, const char *line, size_t len, rg_jtape *t, char *err, size_t errlen);
/* The text of string value v, and its length. */
static inline const char *rg_jv_text(const rg_jtape *t, const rg_jv *v)
{
    return (v->flags & RG_JV_ESC ? t->scratch : t->line) + v->start;
}
/* The JSON text of value v (a valid span of the line) the way Python's
 * json.dumps writes it (", " and ": ", reals as their repr, UTF-8 kept),
 * appended to b. */
void rg_jv_dump(const rg_jtape *t, const rg_jv *v, rg_sb *b);

/* ---- results out (stdlib/result_json.c) ---------------------------------------- */

/* Evaluates every output of the bound, begun claim, then writes its result
 * line. On a failed evaluation nothing is written and the status is returned
 * (vm->error tells why) so that the caller writes an error line instead. */
rg_status rg_write_result(FILE *out, rg_vm *vm, const char *claim_id_unused);

/* {"line": N, "claim_id": "…", "error": "…"} and a newline; claim_id only when not NULL. */
void rg_write_error_line(FILE *out, long line, const char *claim_id_or_null, const char *message);

/* The same lines into a builder, without the newline: the result object of
 * outputs vals (p's n_outputs values), the error object. form (may be NULL)
 * holds p's keys as they are written, made once for many lines. */
typedef struct rg_result_form rg_result_form;
rg_result_form *rg_result_form_new(const rg_program *p, const rg_alloc *alloc);
void rg_result_form_free(rg_result_form *f);
void rg_result_json(rg_sb *b, const rg_program *p, const rg_value *vals, const rg_result_form *form);
void rg_error_json(rg_sb *b, long line, const char *claim_id_or_null, const char *message);
/* rg_write_json_string's bytes into a builder. */
void rg_json_string(rg_sb *b, const char *s, size_t n);

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
 * nothing. keys: every scope's key values as rg_vm_claim_keys gives them,
 * one scope after the other (the program's n_ledger_keys), or NULL to have
 * them computed here. */
rg_status rg_ledger_store_load(rg_ledger_store *s, rg_vm *vm, const rg_value *keys);
/* A claim's keys made ahead of its load (a look-ahead: the next claim's,
 * while this one settles): rg_ledger_store_keys encodes and hashes each
 * scope's key from the key values (as rg_ledger_store_load takes them) and
 * asks the memory for the home records its load reads first, changing nothing
 * in s (RG_OK or RG_ERR_MEMORY); rg_ledger_store_load_keys is
 * rg_ledger_store_load with them, on a store of the same program, but for a
 * scope that does not apply: its fields are left as they are (the caller
 * gave their first values when it made the keys, as the API does). */
typedef struct rg_ledger_keys rg_ledger_keys;
rg_ledger_keys *rg_ledger_keys_new(const rg_ledger_store *s);
void rg_ledger_keys_free(rg_ledger_keys *k);
rg_status rg_ledger_store_keys(const rg_ledger_store *s, const rg_value *keys, rg_ledger_keys *k);
rg_status rg_ledger_store_load_keys(rg_ledger_store *s, rg_vm *vm, const rg_ledger_keys *k);
/* Per scope, 1 when the keys made (rg_ledger_store_keys) have a part absent:
 * the scope does not apply to the claim. */
const uint8_t *rg_ledger_keys_absent(const rg_ledger_keys *k);
/* Asks the memory for k's home records again (a commit since
 * rg_ledger_store_keys may have moved the table): a hint, changes nothing. */
void rg_ledger_store_prefetch_records(const rg_ledger_store *s, const rg_ledger_keys *k);
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
