/* regula.h — the whole public API of libregula: load a compiled pack, settle claims on any number of threads, keep the year's accumulators in the host's own store, let policies call host functions.
 * Must not expose the library's internals nor include its other headers; nothing behind it exits, aborts or longjmps: every failure is a status code with a message. */
#ifndef REGULA_H
#define REGULA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REGULA_VERSION "0.1" /* the one place it is written: the Makefile, regula.pc and `regula --version` read it */

/* ---- statuses ------------------------------------------------------------------------
 * Every call that can fail returns one. The message that goes with it is
 * regula_errmsg(ctx) for a context, the err buffer of regula_pack_load*, or
 * regula_host_errmsg(host). */
typedef enum {
    REGULA_OK = 0,
    REGULA_ERR_RUNTIME = 1, /* the policy failed on this claim (overflow, no table row, a host function failed) */
    REGULA_ERR_BUDGET = 2,  /* the claim ran out of its instruction budget */
    REGULA_ERR_MEMORY = 3,  /* out of memory, or over the context's memory limit */
    REGULA_ERR_INPUT = 4,   /* the claim does not fit the pack's claim schema */
    REGULA_ERR_USAGE = 5,   /* a wrong call: bad index, unknown path, wrong type, wrong order */
    REGULA_ERR_PACK = 6,    /* the pack cannot be loaded: damaged, incompatible, or a host function missing */
    REGULA_ERR_IO = 7       /* a file could not be read */
} regula_status;

/* ---- values ------------------------------------------------------------------------- */
typedef enum {
    REGULA_T_VOID = 0,
    REGULA_T_BOOL = 1,
    REGULA_T_INT = 2,
    REGULA_T_MONEY = 3,    /* fen (1/100 yuan) */
    REGULA_T_PERCENT = 4,  /* 1/10000 of a percent: 60% = 600000 */
    REGULA_T_DATE = 5,     /* days since 1970-01-01 */
    REGULA_T_DURATION = 6, /* days */
    REGULA_T_STRING = 7,
    REGULA_T_REGION = 8,   /* a policy of the pack: its index, and its code as text */
    REGULA_T_ENUM = 9      /* a member of an enumeration: its ordinal, and its name as text */
} regula_type;

#define REGULA_PERCENT(p) ((int64_t)(p) * 10000) /* REGULA_PERCENT(60) is 60% */

/* A typed value. Strings point into the context and stay valid until it
 * binds its next claim (or is freed). */
typedef struct {
    regula_type type;
    int present;   /* 0: absent (none); then i is 0 and s is NULL */
    int64_t i;     /* every type but string: the number above (bool 0/1, enum ordinal, region index) */
    const char *s; /* string; enum member name; region code; NULL for the others */
} regula_value;

/* ---- allocation ----------------------------------------------------------------------
 * Every allocation of a context (its evaluation stack, the claim, items,
 * strings, results, the explanation's trace) goes through these, with ud
 * passed back. NULL for the allocator means malloc, realloc and free. The
 * loaded program image and the JSON parser's tree (jansson's allocator) do
 * not. All three functions are required; they may be called from any thread
 * that uses a context. */
typedef struct {
    void *(*malloc_fn)(size_t size, void *ud);
    void *(*realloc_fn)(void *ptr, size_t size, void *ud);
    void (*free_fn)(void *ptr, void *ud);
    void *ud;
} regula_allocator;

/* ---- host functions ------------------------------------------------------------------
 * A policy declares `extern fn risk_score(string, money) -> percent`; the host
 * registers a C function of the matching signature before loading the pack:
 *
 *     int64_t risk_score(const char *person, int64_t amount);    // returns a percent value
 *     regula_type args[] = {REGULA_T_STRING, REGULA_T_MONEY};
 *     regula_host_add(host, "risk_score", REGULA_FN(risk_score), REGULA_T_PERCENT, 2, args, 0);
 *
 * String arguments and results are const char *, every other type int64_t in
 * the representation above (enums as ordinals in declaration order, regions
 * as indexes: regula_region_index). Arguments are never none. A function may
 * return none (INT64_MIN, or NULL for a string) only if the declaration's
 * result type ends in '?' — say so with REGULA_FN_MAY_RETURN_NONE. A returned
 * string is copied before the call returns. The loader checks every declared
 * function against the registration and calls it through libffi. Functions
 * run on the threads that settle, concurrently: they must be thread-safe. */
typedef void (*regula_fn)(void);
#define REGULA_FN(f) ((regula_fn)(void (*)(void))(f))

#define REGULA_FN_WITH_CTX 1u        /* the C function takes the regula_ctx * settling the claim first */
#define REGULA_FN_MAY_RETURN_NONE 2u /* it may answer none (the declaration must be `-> T?`) */
#define REGULA_MAX_ARGS 8

typedef struct regula_host regula_host;

/* A registry of host functions (alloc NULL: the C library's). */
regula_status regula_host_new(const regula_allocator *alloc, regula_host **out);
/* Register fn as name. REGULA_T_ENUM matches any enumeration. */
regula_status regula_host_add(regula_host *host, const char *name, regula_fn fn, regula_type result,
                              unsigned n_args, const regula_type *args, unsigned flags);
/* Functions the registry does not hold, from a shared library: when a pack is
 * loaded with this registry, each function it declares that regula_host_add
 * did not register is looked up by its name in the library at path (dlopen;
 * a path without '/' is looked for in the system's library directories) and
 * called with the C types of its declaration: string as const char *, every
 * other type as int64_t (no REGULA_FN_* flags). What `regula run
 * --allow-extern LIB` does. One library a registry. */
regula_status regula_host_add_library(regula_host *host, const char *path);
const char *regula_host_errmsg(const regula_host *host);
void regula_host_free(regula_host *host);

/* ---- packs ---------------------------------------------------------------------------
 * A pack is a compiled bytecode image (`regula compile POLICIES -o pack.rgc`).
 * Loading verifies it completely: a damaged or hostile image is refused with a
 * message, never run. A loaded pack is read-only: share it between any number
 * of threads, each settling with its own context. */
typedef struct regula_pack regula_pack;

typedef struct {
    const regula_allocator *allocator; /* NULL: malloc, realloc, free; copied at load */
    const regula_host *host;           /* host functions the pack may call; NULL: none are allowed */
    uint64_t budget;                   /* instructions a claim may take in its contexts; 0: 10 000 000,
                                        * REGULA_UNLIMITED: no limit */
    size_t memory_limit;               /* bytes each context may hold; 0: no limit */
    const unsigned char *public_key;   /* REGULA_PUBLIC_KEY_BYTES bytes: load only packs signed with its secret
                                        * key (regula compile --sign); NULL: signed or not, any pack loads */
    int native;                        /* 1: settle with the pack's plans compiled to native code
                                        * (docs/embedding.md: built once with the system's C compiler,
                                        * cached by the image's hash; the interpreter stays the reference
                                        * and takes over any claim native code gives up). The environment
                                        * decides when set: REGULA_NATIVE=0 never, REGULA_NATIVE=1 always */
} regula_options;

#define REGULA_PUBLIC_KEY_BYTES 32
/* Read a public key file (NAME.pub of `regula keygen`) into key. REGULA_OK;
 * REGULA_ERR_IO when it cannot be read, REGULA_ERR_USAGE when it holds no
 * public key (err says why). */
regula_status regula_public_key_load(const char *path, unsigned char key[REGULA_PUBLIC_KEY_BYTES], char *err,
                                     size_t errlen);
/* The same from the file's text (`regula-ed25519-public HEX`): REGULA_OK, or REGULA_ERR_USAGE. */
regula_status regula_public_key_parse(const char *text, unsigned char key[REGULA_PUBLIC_KEY_BYTES], char *err,
                                      size_t errlen);

#define REGULA_UNLIMITED UINT64_MAX

/* opt may be NULL (all defaults). On failure *out is NULL and err (when not
 * NULL) holds the message. The image is copied: free it when this returns.
 * regula_pack_load_file reads at most REGULA_MAX_PACK_BYTES. */
#define REGULA_MAX_PACK_BYTES ((size_t)256 << 20)
regula_status regula_pack_load(const void *image, size_t len, const regula_options *opt, regula_pack **out,
                               char *err, size_t errlen);
regula_status regula_pack_load_file(const char *path, const regula_options *opt, regula_pack **out, char *err,
                                    size_t errlen);
/* 1 when the pack settles with native code (regula_options.native), else 0;
 * *why (when why is not NULL) says why not ("" when it does). */
int regula_pack_native(const regula_pack *pack, const char **why);
/* Native code for a pack already loaded, for a host that decides after the
 * load (regula run: once a claim comes). image and len: the image the pack
 * was loaded from (anything else is refused). build 0: only an object the
 * cache holds (no compiler runs; hashing the image costs ≈ 1.6 ms a MB);
 * build 1: built when missing, as regula_options.native does. Mutates the
 * pack: call it while none of its contexts is settling. 1 when the pack now
 * settles with native code, else 0 (regula_pack_native says why).
 * REGULA_NATIVE=0 still turns it off. */
int regula_pack_native_attach(regula_pack *pack, const void *image, size_t len, int build);
/* Free a pack after every context on it is freed. */
void regula_pack_free(regula_pack *pack);

/* Its outputs, in result order ("claim_id", "eligible", "fund", …). */
unsigned regula_output_count(const regula_pack *pack);
const char *regula_output_name(const regula_pack *pack, unsigned output);   /* NULL when out of range */
regula_type regula_output_type(const regula_pack *pack, unsigned output);
int regula_output_index(const regula_pack *pack, const char *name);         /* -1 when none */

/* Its ledger: scopes ("yearly" by person id and year, "personal_account" by
 * person id, "disease_yearly" by person id, year and disease in the seed
 * pack), each with key parts (strings, numbers, dates, regions, members of
 * enumerations; a part may be absent: regula_ledger_applies) and fields
 * (money, int, percent or duration, as int64_t). Fields are numbered within
 * their scope. */
unsigned regula_ledger_scope_count(const regula_pack *pack);
const char *regula_ledger_scope_name(const regula_pack *pack, unsigned scope);
int regula_ledger_scope_index(const regula_pack *pack, const char *name);
unsigned regula_ledger_key_count(const regula_pack *pack, unsigned scope);
regula_type regula_ledger_key_type(const regula_pack *pack, unsigned scope, unsigned key);
unsigned regula_ledger_field_count(const regula_pack *pack, unsigned scope);
const char *regula_ledger_field_name(const regula_pack *pack, unsigned scope, unsigned field);
regula_type regula_ledger_field_type(const regula_pack *pack, unsigned scope, unsigned field);
int regula_ledger_field_index(const regula_pack *pack, unsigned scope, const char *name);

/* Regions (the pack's policies) by code and index, for host functions. */
const char *regula_region_name(const regula_pack *pack, int64_t index);
int64_t regula_region_index(const regula_pack *pack, const char *code); /* -1 when none */

/* ---- contexts ------------------------------------------------------------------------
 * One per thread: it holds one claim at a time and all the memory to settle
 * it, grown to the largest claim seen and then reused. */
typedef struct regula_ctx regula_ctx;

regula_status regula_ctx_new(const regula_pack *pack, regula_ctx **out);
void regula_ctx_free(regula_ctx *ctx);
/* The message of the context's last failure ("" after a success). */
const char *regula_errmsg(const regula_ctx *ctx);
/* Limits for the claims to come: instructions per claim (0: the pack's
 * default, REGULA_UNLIMITED: none) and bytes the context may hold (0: none). */
regula_status regula_ctx_set_limits(regula_ctx *ctx, uint64_t budget, size_t memory_limit);
size_t regula_ctx_memory(const regula_ctx *ctx); /* bytes it holds now */
/* Record where every amount comes from (regula_explain_json); off by default. */
void regula_ctx_set_explain(regula_ctx *ctx, int on);
void regula_ctx_set_userdata(regula_ctx *ctx, void *userdata);
void *regula_ctx_userdata(const regula_ctx *ctx);
/* Inside a REGULA_FN_WITH_CTX host function only: make the call fail; the
 * claim then fails with REGULA_ERR_RUNTIME and this message. */
void regula_host_fail(regula_ctx *ctx, const char *message);

/* ---- the claim -----------------------------------------------------------------------
 * Either as JSON text (one claim object; docs/claims.md): LINE > 0 words the
 * messages as `regula run` does for that line of a batch ("line 7: missing
 * field person.id"), 0 leaves the line out. */
regula_status regula_claim_json(regula_ctx *ctx, const char *json, size_t len, long line);

/* Or built field by field: start, set fields by their path in the claim
 * schema, add the elements of its lists, and the claim is checked (required
 * fields, conditions, defaults) when it is first used. Fields of a list's
 * elements: "items[].amount" is the element added last, "items[2].amount"
 * element 2 (0-based); an element of a list of plain values is "visit.documents[]".
 * Each setter takes the field's own type: int also serves duration fields,
 * enum also region fields. */
regula_status regula_claim_new(regula_ctx *ctx);
regula_status regula_claim_set_string(regula_ctx *ctx, const char *path, const char *value);
regula_status regula_claim_set_money(regula_ctx *ctx, const char *path, int64_t fen);
regula_status regula_claim_set_percent(regula_ctx *ctx, const char *path, int64_t value);
regula_status regula_claim_set_date(regula_ctx *ctx, const char *path, int year, int month, int day);
regula_status regula_claim_set_bool(regula_ctx *ctx, const char *path, int value);
regula_status regula_claim_set_int(regula_ctx *ctx, const char *path, int64_t value);
regula_status regula_claim_set_enum(regula_ctx *ctx, const char *path, const char *name);
/* A new element at the end of the list at path ("person.coverage", "items");
 * its index in *index (which may be NULL). */
regula_status regula_claim_add(regula_ctx *ctx, const char *list, unsigned *index);
/* The list at path is given, and empty (a list of no element is absent otherwise). */
regula_status regula_claim_set_empty(regula_ctx *ctx, const char *list);
/* regula_claim_add on the claim's list at its top level (the seed pack's "items"). */
regula_status regula_claim_add_item(regula_ctx *ctx, unsigned *index); /* index may be NULL */
/* Check the built claim now (otherwise the next ledger call or settle does). */
regula_status regula_claim_end(regula_ctx *ctx);
/* The region (the pack's policy) that settles the claim, as REGULA_T_REGION
 * (its index in i, its code in s): known once the claim is bound and begun
 * (regula_claim_json, regula_claim_end), and after the settle, also when the
 * settle failed; for hosts that count per region. The claim's failure when
 * it failed before a policy was chosen, REGULA_ERR_USAGE with no claim. */
regula_status regula_claim_region(regula_ctx *ctx, regula_value *out);

/* ---- the ledger: the host keeps it -----------------------------------------------------
 * After the claim: read each scope's key, fetch the record with that key from
 * the host's store, and give it: every field with regula_ledger_set, or
 * regula_ledger_none when there is no record (the fields then start at the
 * pack's first values, e.g. the account balance of the claim). Every scope
 * must be given before regula_settle. After a successful settle read the new
 * values with regula_ledger_get and store them under the same key — also for
 * a scope that had no record. Do not store anything after a failed settle. */
#define REGULA_ALL_SCOPES (~0u)
regula_status regula_ledger_key(regula_ctx *ctx, unsigned scope, unsigned key, regula_value *out);
/* 1 when the claim has a record in the scope; 0 when one of its key parts is
 * absent (a per-disease ledger, a claim of no disease): its fields then read
 * their first values without being given, and there is nothing to store
 * after the settle. -1 on a usage error. */
int regula_ledger_applies(regula_ctx *ctx, unsigned scope);
regula_status regula_ledger_set(regula_ctx *ctx, unsigned scope, unsigned field, int64_t value);
regula_status regula_ledger_none(regula_ctx *ctx, unsigned scope); /* or REGULA_ALL_SCOPES */
regula_status regula_ledger_get(regula_ctx *ctx, unsigned scope, unsigned field, int64_t *value);

/* An in-memory ledger for hosts that keep none (tests, one-off batches): give
 * every scope from it, and store the updated values back after a successful
 * settle. One thread at a time; load and commit with the same context. It
 * allocates with the C library's malloc. */
typedef struct regula_ledger regula_ledger;
regula_status regula_ledger_new(const regula_pack *pack, regula_ledger **out);
void regula_ledger_free(regula_ledger *ledger);
/* Forget every record, keep the memory (a new batch on a warm ledger). */
void regula_ledger_clear(regula_ledger *ledger);
regula_status regula_ledger_load(regula_ctx *ctx, regula_ledger *ledger);
regula_status regula_ledger_commit(regula_ctx *ctx, regula_ledger *ledger);
/* A look-ahead: asks the memory for what regula_ledger_load of the bound
 * claim reads first (its ledger keys are computed now, once), and changes
 * nothing. Bind the next claim on a second context and call this before the
 * current claim settles: the look-up's memory misses then overlap that work.
 * Called again on the same claim, it asks again (a commit since may have
 * moved the records): `regula run` reads four claims, then calls it for
 * each, then settles them.
 * REGULA_OK, or the claim's failure. */
regula_status regula_ledger_prefetch(regula_ctx *ctx, const regula_ledger *ledger);

/* ---- settling and results ------------------------------------------------------------
 * Evaluates every output and the ledger updates. REGULA_OK, or the claim's
 * failure (REGULA_ERR_RUNTIME, _BUDGET, _MEMORY) with its message. */
regula_status regula_settle(regula_ctx *ctx);

regula_status regula_result(regula_ctx *ctx, unsigned output, regula_value *out);
/* The value as people read it ("120.00", "85%", "2025-03-14", "LN-CY", "none");
 * returns its length, cut to cap - 1 bytes; -1 on a usage error. */
int regula_result_text(regula_ctx *ctx, unsigned output, char *buf, size_t cap);
/* The line `regula run` writes for this claim (no newline): after a settle the
 * result object (with "explain" when explaining), after a failed claim the
 * error object {"line": N, "claim_id": …, "error": …}. NULL on a usage error.
 * Valid until the next call on the context. */
const char *regula_result_json(regula_ctx *ctx);
/* The explanation alone, as a JSON object; needs regula_ctx_set_explain(ctx, 1)
 * before the settle. NULL on a usage error. Valid until the next call. */
const char *regula_explain_json(regula_ctx *ctx);

/* ---- one line of a JSON Lines batch, with the in-memory ledger -------------------------
 * What `regula run` does with each line of a claims file: the claim read
 * (regula_claim_json; LINE numbers its messages), its records loaded from
 * LEDGER, settled, the new values committed, and its output line made: the
 * result object (with "explain" when explaining) or, when the claim failed at
 * any step, its error object — one line for one claim, never two, and a
 * failed claim changes nothing in the ledger. *out (no newline; valid until
 * the next call on the context) and *out_len are set in both cases. Returns
 * REGULA_OK or the claim's failure (REGULA_ERR_INPUT, _RUNTIME, _BUDGET,
 * _MEMORY); on a wrong call (or no memory for the line itself) *out is NULL.
 * Claims of one person must go through one ledger in input order. */
regula_status regula_settle_line(regula_ctx *ctx, regula_ledger *ledger, const char *line, size_t len, long lineno,
                                 const char **out, size_t *out_len);
/* The same for a claim already given (regula_claim_json, or one that failed
 * to read): regula_settle_line is regula_claim_json then this. With two
 * contexts a host reads claim i + 1 and calls regula_ledger_prefetch for it
 * before settling claim i: `regula run`'s loop (cli/cmd_run.c). */
regula_status regula_settle_bound(regula_ctx *ctx, regula_ledger *ledger, const char **out, size_t *out_len);

/* ---- any definition of the pack ---------------------------------------------------------
 * Parameters, definitions, tables and decisions by name ("deductible",
 * "outpatient_cap_employee"; a result field that is not one of them by name has
 * its own, "result.claim_id"):
 * their values for the bound claim, as its policy and date choose them,
 * computed on demand (once a claim). For tests of a pack and for hosts that
 * show how a result came about; a definition evaluated per list element has
 * no single value (REGULA_ERR_USAGE). The ledger must be given first when the
 * definition reads it. */
int regula_definition_index(const regula_pack *pack, const char *name); /* -1 when none */
regula_type regula_definition_type(const regula_pack *pack, unsigned def);
regula_status regula_definition_value(regula_ctx *ctx, unsigned def, regula_value *out);

/* A value as people read it (regula_result_text's words: "120.00", "85%",
 * "2025-03-14", "60 days", "LN-CY", "employee", "none"); returns its length,
 * cut to cap - 1 bytes. */
int regula_value_text(const regula_value *v, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
