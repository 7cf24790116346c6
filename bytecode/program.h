/* program.h — the compiled pack as the VM runs it: the bytecode image.
 * Every table is a flat array of fixed-size records (no pointers), so the file
 * format (docs/bytecode.md) is these arrays in order; only the loader's derived
 * indexes (string pointers, catalog hashes) live outside them. Must not depend
 * on the compiler. */
#ifndef RG_PROGRAM_H
#define RG_PROGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef int64_t rg_value;
#define RG_NONE INT64_MIN /* the absent value, for every scalar type */

/* Scalar representation: money in fen; percent in 1/10000 of a percent
 * (60% = 600000); date as days since 1970-01-01; duration in days; bool 0/1;
 * enum as member ordinal; region as policy index; string as a pointer to a
 * NUL-terminated UTF-8 string; catalog row as row index; list as list index. */
#define RG_PERCENT_ONE 10000 /* value of 1% */

typedef enum {
    RG_T_VOID,
    RG_T_BOOL,
    RG_T_INT,
    RG_T_MONEY,
    RG_T_PERCENT,
    RG_T_DATE,
    RG_T_DURATION,
    RG_T_STRING,
    RG_T_REGION,
    RG_T_ENUM,
    RG_T_RECORD, /* schema only: a nested object (its slot holds 1 if present, RG_NONE if absent) */
    RG_T_LIST,   /* schema: the claim's list of item records; values: a constant list id */
    RG_T_ROW,    /* a catalog row */
    RG_T_ELEM,   /* an element of a list of the claim: its row; aux = the list's schema field */
    RG_T__COUNT
} rg_type_kind;

/* Packed scalar type: kind in the low byte, enum id (for RG_T_ENUM) or
 * element kind (for RG_T_LIST) above it. */
typedef uint32_t rg_type;
#define RG_TYPE(kind, aux) ((rg_type)(kind) | ((rg_type)(aux) << 8))
#define RG_TYPE_KIND(t) ((rg_type_kind)((t) & 0xFFu))
#define RG_TYPE_AUX(t) ((uint32_t)(t) >> 8)

#define RG_MAGIC "RGLA"
#define RG_FORMAT_VERSION 4u
#define RG_NO_INDEX 0xFFFFFFFFu

typedef struct {
    uint32_t offset; /* into the string blob; the string is NUL-terminated */
    uint32_t len;
} rg_strent;

typedef struct {
    uint32_t name;         /* string id */
    uint32_t first_member; /* index into member_names */
    uint32_t n_members;
} rg_enum;

/* Claim schema, flattened in declaration (pre-)order. A list field's
 * elements are rows: the fields of its element record (in_list, their slot
 * is in the row), or for a list of plain values one field with the empty
 * key holding the element. Every list's rows follow each other in one row
 * space (vm.h); a list field's own claim slot holds its number of elements,
 * or RG_NONE when it is absent. */
typedef struct {
    uint32_t key;        /* string id: JSON key of the field ("" for a plain list's element) */
    uint32_t path;       /* string id: "person.filing.kind", "items[].amount" */
    uint32_t type;       /* rg_type */
    int32_t parent;      /* index of the enclosing record/list field, -1 for top level */
    uint32_t slot;       /* claim slot, or slot in the element's row when in_list */
    uint8_t optional;    /* absent or null allowed */
    uint8_t in_list;     /* field of a list's element */
    uint8_t has_range;   /* int with lo..hi */
    uint8_t cond_op;     /* 0 none, 1 ==, 2 !=: the condition on sibling cond_field */
    int32_t cond_field;  /* schema index of the sibling the condition reads */
    int64_t cond_value;
    int64_t lo, hi;
    uint8_t cond_only;   /* 1: read only while the condition holds, ignored otherwise;
                          * 0: required while it holds, read whenever given */
    uint8_t has_default; /* absent or null reads as default_value */
    uint8_t nonempty;    /* a list: it must have an element */
    uint8_t pad;
    uint32_t list;       /* a list field, or a field of its elements: the list's
                          * number (0 .. n_claim_lists); RG_NO_INDEX otherwise */
    int64_t default_value;
    uint32_t message;    /* string id: what a value of the wrong shape is told
                          * ("must be a non-empty list of periods"), RG_NO_INDEX:
                          * the binder's own words */
    uint32_t elem_message; /* a list of records: the same for an element that is no object */
} rg_field;

/* How a claim holds field f when its condition reads cond (the bound value
 * of cond_field; unused without a condition): ignored (a cond_only field
 * whose condition fails: absent, whatever is given), required (absent is an
 * error: not optional, no default, its condition holds) or optional. The
 * JSON binder, the API's claim builder and the check of tests' claims read
 * a claim so. */
typedef enum { RG_FIELD_OPTIONAL, RG_FIELD_REQUIRED, RG_FIELD_IGNORED } rg_field_need;
static inline rg_field_need rg_field_need_of(const rg_field *f, int64_t cond)
{
    int holds = f->cond_op == 0 || (f->cond_op == 1 ? cond == f->cond_value : cond != f->cond_value);
    if (!holds && f->cond_only)
        return RG_FIELD_IGNORED;
    return !f->optional && holds && !f->has_default ? RG_FIELD_REQUIRED : RG_FIELD_OPTIONAL;
}

typedef enum { RG_DEF_PARAM, RG_DEF_DEF, RG_DEF_TABLE, RG_DEF_DECIDE } rg_def_kind;

typedef struct {
    uint32_t name;     /* string id */
    uint32_t type;     /* rg_type of the value */
    uint8_t kind;      /* rg_def_kind */
    uint8_t per_item;  /* evaluated once per item row */
    uint16_t pad;
    uint32_t item_index; /* per-item definitions: index among them */
} rg_def;

/* A function-like unit of code: one definition's body in one policy (or
 * version), a selector, or an entry chunk. */
typedef struct {
    uint32_t start, len;  /* byte range in code */
    uint16_t n_locals;
    uint16_t max_stack;
    uint32_t def;         /* definition it computes, RG_NO_INDEX for entry chunks */
    uint32_t policy;      /* policy whose source it was written in */
    uint32_t version;     /* version index, RG_NO_INDEX when not versioned */
    uint32_t line;        /* source line of the definition (explain) */
    uint32_t file;        /* string id of the source file */
} rg_chunk;

typedef struct {
    uint32_t name;        /* string id: "LN-CY" */
    uint32_t parent;      /* policy index, RG_NO_INDEX for the root */
    uint32_t file;        /* string id of its source file */
    uint32_t vtable;      /* index into vtable: n_defs chunk ids starting there */
    uint32_t update;      /* chunk: the ledger updates of this policy and the ones it extends,
                           * run after the outputs; RG_NO_INDEX: none */
} rg_policy;

typedef struct {
    uint32_t name;        /* string id, e.g. "2024" */
    uint32_t policy;
    int64_t from, until;  /* dates, inclusive; RG_NONE = open */
} rg_version;

/* A selector: the first entry whose version contains the as-of date wins;
 * none matching, the fallback chunk runs. */
typedef struct {
    uint32_t first_entry; /* into vsel_entries */
    uint32_t n_entries;
    uint32_t fallback;    /* chunk id */
} rg_vselector;

typedef struct {
    uint32_t version;     /* version index */
    uint32_t chunk;
} rg_vsel_entry;

typedef struct {
    uint32_t name;        /* string id */
    uint32_t type;        /* rg_type */
} rg_column;

/* A catalog: columns (column 0 is the string key) and, per policy, its
 * merged rows (the chain of overlays along `extends`) sorted by key.
 * Row values: cat_rows holds row indexes, and a value of type row is such an
 * index r. Column c of row r is cat_values[r * n_columns + c] (this catalog's
 * n_columns), so the compiler places each catalog's rows at a multiple of its
 * column count, padding between catalogs if needed. Cells are in the VM's
 * scalar representation (RG_NONE = absent) except strings, which are stored as
 * STRING IDS (indexes into strings; the key in column 0 always is one): the VM
 * turns a string cell into a pointer with p->str[id]. String elements of
 * list_values are string ids too. */
typedef struct {
    uint32_t name;
    uint32_t first_column, n_columns; /* into columns */
    uint32_t first_index;             /* into cat_index: n_policies (start, count) pairs */
} rg_catalog;

typedef struct {
    uint32_t start, count; /* into cat_rows: row ids sorted by key */
} rg_cat_index;

typedef struct {
    int64_t lo, hi;       /* money; hi RG_NONE = no upper bound */
    int64_t pct;          /* percent */
} rg_tier;

typedef struct {
    uint32_t name;
    uint32_t first_tier, n_tiers;
} rg_bracket;

typedef struct {
    uint32_t first, count; /* into list_values */
    uint32_t type;         /* element rg_type */
} rg_list;

typedef struct {
    uint32_t name;   /* string id: "yearly" */
    uint32_t first_field, n_fields;
    uint32_t first_key, n_keys; /* into ledger_keys: chunk ids computing the key values,
                                 * and ledger_key_types (parallel): the rg_type of each */
    uint32_t owner;  /* policy that declared it: a claim of another policy has no record
                      * here (its keys are none) */
} rg_ledger_scope;

typedef struct {
    uint32_t name;   /* string id */
    uint32_t type;   /* rg_type */
    uint32_t scope;
    uint32_t init;   /* chunk computing the first value, RG_NO_INDEX = zero */
} rg_ledger_field;

typedef struct {
    uint32_t name;   /* output key */
    uint32_t def;    /* definition slot */
    uint32_t type;
} rg_output;

/* A host function the pack calls (`extern fn name(types) -> type`): the host
 * supplies it when it loads the pack (include/regula.h), or `regula run
 * --allow-extern LIB` finds it by name. Argument and result types are scalars
 * other than list and row; CALL_EXTERN pops n_args values. */
#define RG_EXTERN_MAX_ARGS 8
typedef struct {
    uint32_t name;       /* string id */
    uint32_t n_args;     /* at most RG_EXTERN_MAX_ARGS */
    uint32_t args[RG_EXTERN_MAX_ARGS]; /* rg_type of each argument; unused ones 0 */
    uint32_t result;     /* rg_type of the value */
    uint32_t result_optional; /* 1: the function may answer none */
} rg_extern;

typedef enum { RG_NOTE_ROW, RG_NOTE_ARM, RG_NOTE_OTHERWISE } rg_note_kind;

typedef struct {
    uint32_t kind;   /* rg_note_kind */
    uint32_t def;    /* the table or decision */
    uint32_t index;  /* row or arm number, 1-based */
    uint32_t line;
    uint32_t file;   /* string id */
} rg_note;

typedef struct {
    uint32_t offset; /* first code byte this entry covers */
    uint32_t line;
    uint32_t file;   /* string id */
} rg_lineent;

/* Entry chunks. */
typedef struct {
    uint32_t select_policy; /* chunk: claim -> region (policy index); reads claim fields only */
    uint32_t asof;          /* chunk: claim -> date that picks versions; reads claim fields only */
    uint32_t validate;      /* definition whose computing checks the claim against the
                             * policy's `reject` rules (REJECT stops it), run when the
                             * claim begins; RG_NO_INDEX: none */
} rg_entries;

/* A chunk whose code repeats an earlier chunk's but for some operands (a
 * city's plan is its province's with the city's own definitions, constants
 * and ledger fields in places: compiler/share.c). The file's code section
 * leaves out each copy's bytes, which the loader puts back from the chunk it
 * repeats and its patches; in memory the code is whole. The verifier checks
 * a copy through the chunk it repeats when the patches allow it
 * (vm/verify_copies.c), else as any chunk. docs/bytecode.md, "Copies". */
typedef struct {
    uint32_t chunk;       /* the copy */
    uint32_t of;          /* the chunk it repeats: earlier, and no copy itself */
    uint32_t first_patch; /* its patches, patches[first_patch .. +n_patches), by offset */
    uint32_t n_patches;
    uint32_t lines;       /* 1: its line entries are those of the chunk it repeats at its own offsets,
                           * an entry of that chunk's file naming the copy's file: the file's lines
                           * section has none of its own, nor a loaded program's (rg_program_line
                           * reads that chunk's); 0: its own */
} rg_copy;

typedef struct {
    uint32_t at;      /* offset in the chunk of the instruction */
    uint32_t operand; /* 1 (A) or 2 (B) */
    uint32_t value;   /* the operand in the copy */
} rg_patch;

/* plans: per policy, the chunk that computes its
 * definitions ahead, in dependency order (compiler/plan.c), or RG_NO_INDEX;
 * empty when the pack has none. It runs before the outputs unless
 * explaining; when it fails, what it computed is forgotten and the outputs
 * are computed lazily, which decide the result and report any error. */
#define RG_PROGRAM_ARRAYS(X)                     \
    X(rg_strent, strings)                        \
    X(uint32_t, member_names)                    \
    X(rg_enum, enums)                            \
    X(rg_field, fields)                          \
    X(rg_def, defs)                              \
    X(rg_chunk, chunks)                          \
    X(rg_policy, policies)                       \
    X(uint32_t, vtable)                          \
    X(rg_version, versions)                      \
    X(rg_vselector, vselectors)                  \
    X(rg_vsel_entry, vsel_entries)               \
    X(rg_column, columns)                        \
    X(rg_catalog, catalogs)                      \
    X(rg_cat_index, cat_index)                   \
    X(uint32_t, cat_rows)                        \
    X(int64_t, cat_values)                       \
    X(rg_bracket, brackets)                      \
    X(rg_tier, tiers)                            \
    X(rg_list, lists)                            \
    X(int64_t, list_values)                      \
    X(rg_ledger_scope, ledger_scopes)            \
    X(uint32_t, ledger_keys)                     \
    X(uint32_t, ledger_key_types)                \
    X(rg_ledger_field, ledger_fields)            \
    X(rg_output, outputs)                        \
    X(rg_note, notes)                            \
    X(int64_t, consts)                           \
    X(rg_lineent, lines)                         \
    X(uint8_t, code)                             \
    X(char, blob)                                \
    X(rg_extern, externs)                        \
    X(uint32_t, plans)                           \
    X(rg_copy, copies)                           \
    X(rg_patch, patches)

/* One slot of a catalog's open-addressed table (bytecode/program.c). */
struct rg_cat_slot {
    const char *key;         /* the row's key (p->str) */
    const int64_t *cells;    /* the row's cells in cat_cells (its value), NULL when empty */
    uint32_t hash;           /* hash of the row's key, tested before its bytes */
    uint32_t len;            /* the key's length: then its bytes decide */
};

typedef struct rg_program {
#define RG_X_ARRAY(type, name) type *name; uint32_t n_##name;
    RG_PROGRAM_ARRAYS(RG_X_ARRAY)
#undef RG_X_ARRAY
    rg_entries entry;
    uint32_t n_claim_slots;  /* scalar slots of the claim */
    uint32_t n_item_slots;   /* slots of one item row */
    uint32_t n_claim_lists;        /* list fields of the claim schema */
    uint32_t n_item_defs;
    uint64_t source_hash;    /* FNV-1a 64 of the pack's sources, in path order */

    /* Derived by rg_program_finish(), not stored in the file. */
    uint32_t list_field;     /* the first list field at the claim's top level, RG_NO_INDEX if none */
    uint32_t *list_of;       /* per list number: its list field */
    const char **str;        /* string id -> its text in str_arena (equal texts: one pointer) */
    char *str_arena;         /* each distinct string after its RG_STR_HEAD, then a
                              * NUL; 8-aligned */
    size_t n_str_arena;
    uint32_t *str_index;     /* open-addressed string ids by text, RG_NO_INDEX empty */
    uint32_t str_index_mask;
    struct rg_cat_slot *cat_hash; /* per catalog and policy: open-addressed rows
                              * with their keys */
    uint32_t *cat_hash_start;/* per (catalog, policy): offset into cat_hash */
    uint32_t *cat_hash_mask; /* per (catalog, policy): table size - 1 */
    struct rg_chunk_rt *chunk_rt; /* per chunk: what the interpreter reads entering it */
    uint32_t *def_item;      /* per definition: item_index when per-item, else RG_NO_INDEX */
    uint32_t *field_end;     /* per schema field: one past its subtree (the run of
                              * fields after it whose parent is it or within it) */
    int64_t *cat_cells;      /* cat_values with each string cell a pointer (p->str),
                              * as the interpreter pushes it: no type test a read */
    uint32_t outputs_bad;    /* 1 + the first output whose definition is not a
                              * claim-level one (a verified program has none), else 0 */
    const struct rg_native *native; /* the plans as native code, attached after the
                              * program was verified (vm/native_load.c), or NULL: the
                              * interpreter runs them */
    int owns_arrays;         /* free the arrays with the program */
    void *block;             /* or: every array lies in this one allocation (the
                              * loader's, rg_block_alloc), freed with the program */
} rg_program;

/* Memory for something large written all at once (a pack's image, a loaded
 * program's arrays, the compiler's growing arrays and syntax tree): from
 * 1 MiB on a block aligned to and advised as huge pages (page by page, a
 * 4 MB pack's thousand faults of 4 KiB took ≈ 11 ms on the machine of
 * docs/performance.md). Not cleared; free() frees it; NULL when out of
 * memory. */
void *rg_block_alloc(size_t n);
#define RG_HUGE_PAGE ((size_t)2 << 20) /* the huge page those blocks are made of */
/* n bytes of pages from the kernel, zeroed (each as it is first touched):
 * from 2 MiB on, on a 2 MiB boundary and advised as huge pages. Grown by
 * rg_pages_grow (in place where the kernel can: never beside a copy; the
 * bytes past old zeroed), freed by rg_pages_free with their size. NULL when
 * out of memory (grown: p unchanged). */
void *rg_pages_new(size_t n);
void *rg_pages_grow(void *p, size_t old, size_t n);
void rg_pages_free(void *p, size_t n);

/* A chunk as the interpreter enters it (derived; one load for all it needs). */
typedef struct rg_chunk_rt {
    int64_t value;           /* when its code only returns a constant (a
                              * parameter's): that value, else RG_CHUNK_NOT_CONST */
    const uint8_t *code;     /* its first instruction */
    uint32_t n_locals;
    uint32_t frame;          /* n_locals + max_stack */
    uint32_t cost;           /* its number of instructions: what entering it (or
                              * jumping back inside it) charges the budget */
    uint32_t field;          /* a chunk that returns a claim field (LOAD_FIELD f;
                              * RET, as the entries that choose the policy or
                              * a ledger key): f + 1, else 0 */
    uint32_t year;           /* 1 when that chunk is LOAD_FIELD f; YEAR; RET (a
                              * ledger key by the year of a date), else 0 */
} rg_chunk_rt;

/* rg_chunk_rt.value of a chunk that computes something (no value has it: RG_NONE is
 * INT64_MIN, and no literal reaches INT64_MIN + 1). */
#define RG_CHUNK_NOT_CONST (INT64_MIN + 1)

/* Shared helpers (bytecode/program.c). */
void rg_program_free(rg_program *p);
/* Derive the pointer tables and catalog hashes of a verified program (it
 * trusts the tables); 0 on success, -1 on no memory. Can be called again. */
int rg_program_finish(rg_program *p);
/* Fills end[f], for each schema field f, with one past its subtree (what
 * rg_program_finish keeps as p->field_end). */
void rg_program_field_ends(const rg_program *p, uint32_t *end);
/* A catalog row value is the address of the row's cells in p->cat_cells, so
 * that reading a column is one load (no row width, no bounds: the verifier
 * saw where the value came from); absent is RG_NONE. */
static inline rg_value rg_row_value(const int64_t *cells) { return (rg_value)(intptr_t)cells; }
static inline const int64_t *rg_row_cells(rg_value row) { return (const int64_t *)(intptr_t)row; }
/* Row of catalog cat for policy pol whose key equals key, or RG_NONE. */
rg_value rg_catalog_find(const rg_program *p, uint32_t cat, uint32_t pol, const char *key);
/* The index (into cat_values, in rows of catalog cat) of the row value v, or
 * RG_NO_INDEX when v is not a row of catalog cat (absent, or another value). */
uint32_t rg_catalog_row_index(const rg_program *p, uint32_t cat, rg_value v);
/* The program's own copy of the len bytes at s (p->str of an equal string),
 * or NULL if the program has no such string. A claim string bound as this
 * copy is found in a catalog by its stored hash and by pointer (rg_vm_intern).
 * hash: rg_str_hash_text(s, len). */
const char *rg_program_string(const rg_program *p, const char *s, size_t len, uint32_t hash);

/* Every string value a VM holds has a head before its text: the text's hash
 * (rg_str_hash_text), then its length, uint32 each; a NUL after it. The
 * program's strings (str_arena) and rg_vm_intern's copies are laid out so,
 * and a host that binds slots itself (rg_vm_bind_slots) keeps them so: then
 * no reader of a string (a catalog look-up, a ledger key) measures or hashes
 * it again. */
#define RG_STR_HEAD 8
static inline uint32_t rg_str_hash(const char *s) { uint32_t h; memcpy(&h, s - RG_STR_HEAD, 4); return h; }
static inline uint32_t rg_str_len(const char *s) { uint32_t n; memcpy(&n, s - 4, 4); return n; }
/* The hash a string's head carries: FNV-1a 64 of its text, folded to 32 bits. */
uint32_t rg_str_hash_text(const char *s, size_t len);
/* The bytes a string of len bytes takes with its head and NUL, a multiple of 8. */
static inline size_t rg_str_room(size_t len) { return (RG_STR_HEAD + len + 1 + 7) & ~(size_t)7; }
/* Lay the len bytes at s out at d (rg_str_room(len) bytes) with their head;
 * returns the string (d + RG_STR_HEAD). */
static inline char *rg_str_put(char *d, const char *s, uint32_t len, uint32_t hash)
{
    memcpy(d, &hash, 4);
    memcpy(d + 4, &len, 4);
    memcpy(d + RG_STR_HEAD, s, len);
    d[RG_STR_HEAD + len] = '\0';
    return d + RG_STR_HEAD;
}

/* Is s one of the program's own strings (p->str: alive as long as it is)? */
static inline int rg_program_owns(const rg_program *p, const char *s)
{
    return (uintptr_t)s - (uintptr_t)p->str_arena < p->n_str_arena;
}

/* rg_catalog_find for a key the program owns (cat and pol in range): its
 * hash is stored before it, and a catalog key of the same text is the same
 * pointer. Inline: once an item in a seed-pack claim. */
static inline rg_value rg_catalog_find_owned(const rg_program *p, uint32_t cat, uint32_t pol, const char *key)
{
    size_t k = (size_t)cat * p->n_policies + pol;
    const struct rg_cat_slot *table = p->cat_hash + p->cat_hash_start[k];
    uint32_t mask = p->cat_hash_mask[k];
    for (uint32_t h = rg_str_hash(key) & mask;; h = (h + 1) & mask) {
        if (table[h].key == key) return rg_row_value(table[h].cells); /* an empty slot's key is NULL */
        if (!table[h].cells) return RG_NONE;
    }
}
/* Is string x (none is not) one of those of list l, a list of strings (its
 * values string numbers; l and they verified in range)? Heads compared first. */
static inline int rg_in_strings(const rg_program *p, uint32_t l, rg_value x)
{
    if (x == RG_NONE)
        return 0;
    const char *s = (const char *)(intptr_t)x;
    const rg_list *li = &p->lists[l];
    for (uint32_t i = 0; i < li->count; i++) {
        const char *t = p->str[p->list_values[li->first + i]];
        if (rg_str_hash(t) == rg_str_hash(s) && rg_str_len(t) == rg_str_len(s) && memcmp(t, s, rg_str_len(s)) == 0)
            return 1;
    }
    return 0;
}
/* The word for type t's kind ("money", "catalog row"), "?" for none. */
const char *rg_type_kind_name(rg_type t);
/* Is policy pol the policy anc or one of the regions under it (both in range,
 * the policy tree verified acyclic)? */
static inline int rg_policy_within(const rg_program *p, uint32_t pol, uint32_t anc)
{
    for (; pol != RG_NO_INDEX; pol = p->policies[pol].parent)
        if (pol == anc) return 1;
    return 0;
}
/* Policy index of the region named name, or RG_NO_INDEX. */
uint32_t rg_policy_by_name(const rg_program *p, const char *name, size_t len);
/* Source location of code offset off (into code, not chunk-relative): the
 * last lines entry at or before off; its line, and its file string id in
 * *file. 0 (and *file = RG_NO_INDEX) if unknown. */
uint32_t rg_program_line(const rg_program *p, uint32_t off, uint32_t *file);
/* How many copies' code starts before code offset end (copies are in the order of their code). */
uint32_t rg_copies_before(const rg_program *p, uint64_t end);
/* The copy whose code holds code offset off, or NULL. */
const rg_copy *rg_copy_at(const rg_program *p, uint32_t off);
/* The first of the n line entries (by offset) whose offset is off or more; n if none. */
uint32_t rg_lines_from(const rg_lineent *lines, uint32_t n, uint32_t off);
/* The file a line entry of chunk `of` names in copy c of it (rg_copy.lines):
 * c's where it is of's. */
static inline uint32_t rg_moved_file(const rg_chunk *of, const rg_chunk *c, uint32_t file)
{
    return file == of->file ? c->file : file;
}
/* Is entry e, of chunk `of`, entry d of copy c of it moved to c's code? */
static inline int rg_line_moved(const rg_chunk *of, const rg_chunk *c, const rg_lineent *e, const rg_lineent *d)
{
    return d->offset - c->start == e->offset - of->start && d->line == e->line &&
           d->file == rg_moved_file(of, c, e->file);
}

#endif
