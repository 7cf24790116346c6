/* compiler.h — the compiler layer's internal header: a pack of policies from
 * AST to checked program to bytecode image (bytecode/program.h). It may read the
 * bytecode definitions but never the VM's interpreter. */
#ifndef RGC_COMPILER_H
#define RGC_COMPILER_H

#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "program.h"

/* ---- types as the checker sees them ---- */
typedef enum {
    RGC_K_SCALAR,  /* kind holds an rg_type_kind */
    RGC_K_RECORD,  /* a record of the claim: aux = schema field index (RG_NO_INDEX = the claim) */
    RGC_K_ITEMS,   /* a list of the claim: aux = its schema field */
    RGC_K_ITEM,    /* an element bound by `for x in L` or an aggregate: aux = row source
                    * (RG_ROW_OF_FRAME or a local), list = L's schema field */
    RGC_K_LEDGER,  /* a ledger scope: aux = scope index */
    RGC_K_CATALOG, /* aux = catalog index */
    RGC_K_BRACKETS,/* aux = bracket index */
    RGC_K_NONE,    /* the literal none, before it meets another type */
    RGC_K_ERROR    /* already reported */
} rgc_kind;

typedef struct {
    uint8_t k;        /* rgc_kind */
    uint8_t scalar;   /* rg_type_kind when k == RGC_K_SCALAR */
    uint8_t optional;
    uint8_t has_range;
    uint32_t aux;     /* enum id for RG_T_ENUM, catalog for RG_T_ROW, element rg_type for RG_T_LIST,
                       * the list's schema field for RG_T_ELEM */
    uint32_t list;    /* RGC_K_ITEM: the list's schema field */
    int64_t lo, hi;   /* int range, when has_range */
} rgc_ty;

/* ---- the pack being compiled ---- */
typedef struct rgc_def rgc_def;
typedef struct rgc_impl rgc_impl;
typedef struct rgc_policy rgc_policy;
typedef struct rgc_version rgc_version;

struct rgc_impl {
    rg_decl *decl;          /* the declaration that gives the body */
    rgc_def *def;
    rgc_policy *policy;
    rgc_version *version;   /* NULL: not versioned */
    rg_vec rows;            /* tables: merged rg_row* */
    rg_vec deps;            /* rgc_def* it reads */
    rg_vec strict_deps;     /* those of deps it reads on every common path: not only on the
                             * right of and, or, ?? or in a decision's result (plan.c) */
    rg_loc ledger_at;       /* where it first reads the ledger itself (end 0: it does not) */
    uint32_t chunk;
    int checked;            /* the check pass compiled it: its deps are known */
    rgc_impl *next_of_def;  /* the next implementation of the same definition (rgc_def.first_impl) */
    int arms_cover;         /* decisions: the check pass proved the arms cover every case */
};

struct rgc_def {
    const char *name;
    uint32_t slot;
    rg_decl *root;          /* root declaration (gives table inputs, declared type) */
    rg_def_kind kind;
    int per_item;
    uint32_t item_index;
    uint32_t list;          /* per-item: the schema field of the list it is computed for */
    rgc_policy *owner;      /* the policy that declared it (the base policy, or a region's own) */
    rgc_ty type;
    int type_state;         /* 0 unknown, 1 inferring, 2 known */
    int hidden;             /* made for a result field */
    uint32_t n_reads;       /* places in the bodies that read it (counted by the check pass) */
    int output;             /* a result field: computed by a call whatever its readers do */
    uint32_t n_impls;       /* implementations of it in the whole pack (rgc_add_impl) */
    rgc_impl *first_impl, *last_impl; /* the others follow first_impl by next_of_def */
    int constant;           /* a parameter every implementation gives one literal: 0 not asked yet,
                             * 1 it is (constant_value), -1 it is not (expr.c param_constant) */
    int64_t constant_value;
    int inlined;            /* the code pass's rgc_def_inlined: 0 not asked yet, 1 it is, -1 it is not */
};

/* Implementations by definition slot (impl_map.c): what one policy or version writes. */
typedef struct {
    uint32_t *keys;         /* slot + 1, 0 for an empty entry */
    rgc_impl **vals;
    uint32_t cap, n;        /* cap 0 or a power of two */
} rgc_impl_map;
rgc_impl *rgc_impl_get(const rgc_impl_map *m, uint32_t slot); /* NULL when it does not write the slot */
void rgc_impl_set(rgc_impl_map *m, uint32_t slot, rgc_impl *im);
void rgc_impl_map_free(rgc_impl_map *m);

struct rgc_version {
    rg_decl *decl;
    uint32_t index;
    rgc_policy *policy;
    int64_t from, until;
    rgc_impl_map impl;      /* by slot: what the version defines */
};

struct rgc_policy {
    const char *name;
    rg_file *ast;
    uint32_t index;
    rgc_policy *parent;
    uint32_t n_children;    /* policies that extend it */
    rgc_impl_map impl;      /* by slot: the policy's own top-level impls */
    rg_vec versions;        /* rgc_version* */
    rg_vec catalogs;        /* rg_decl* overlays declared here */
    const char *dir;        /* directory of its source file (for CSV paths) */
    int depth;
    rg_vec rejects;         /* its own `reject` rules and `for` blocks holding some, in file order */
    rg_vec updates;         /* its own ledger `update` blocks, in file order */
    rg_vec added_members;   /* the members it adds to enumerations (`enum NAME += {…}`): their indexes in
                             * the program's member_names, uintptr_t */
};

typedef struct {
    rg_decl *decl;
    rgc_policy *policy;
} rgc_test;

/* A name table (names.c): each name a chain of values, in the order added. */
typedef struct {
    const char *name;
    uint32_t value;
    uint32_t next;          /* the name's next entry, or RG_NO_INDEX */
    uint32_t first, last;   /* its chain's head; the head alone keeps the chain's last entry */
} rgc_name_ent;
typedef struct {
    rgc_name_ent *ents;
    uint32_t n, cap, n_names;
    uint32_t *slots;        /* open addressing: chain heads by hash; UINT32_MAX empty */
    uint32_t n_slots;
} rgc_names;

/* Capacities of the program's arrays while they grow. */
typedef struct {
#define RGC_X_CAP(type, name) uint32_t name;
    RG_PROGRAM_ARRAYS(RGC_X_CAP)
#undef RGC_X_CAP
} rgc_caps;

typedef struct {
    const char *name;
    uint32_t local;         /* row source: a local, or RG_ROW_OF_FRAME */
    uint32_t list;          /* the schema field of the list it ranges over */
} rgc_binding;

/* What the compiler is doing: whether it writes code, reports errors and
 * counts reads (builder.h's rgc_writes_code, rgc_reports, rgc_counts_reads).
 * pack.c sets the pass of each phase; INFER is entered and left around one body. */
typedef enum {
    RGC_PASS_CHECK,  /* declarations, the check pass, a compiled pack's questions (rgc_const_eval):
                      * no code written, errors reported, the reads of the implementation being
                      * checked (cur.impl) collected and counted */
    RGC_PASS_INFER,  /* a body compiled for its type alone: no code, no report (the check pass reports) */
    RGC_PASS_EMIT    /* code written; errors, reported by the check pass already, only counted */
} rgc_pass;

typedef struct rgc_pack {
    rg_diag *diag;
    rg_arena arena;
    rg_program *prog;
    rgc_caps caps;
    rgc_pass pass;
    uint32_t quiet_errors;  /* errors met in a pass that does not report them (a plan that meets one is not used) */
    int make;               /* rgc_make: what code is written */

    rg_vec files;           /* rg_file* */
    rg_vec policies;        /* rgc_policy*, parents before children */
    rgc_policy *root;
    rg_vec defs;            /* rgc_def*, by slot */
    rg_vec impls;           /* rgc_impl* */
    rg_vec versions;        /* rgc_version* */
    rg_vec tests;           /* rgc_test* */
    rg_decl *sample;
    rg_decl *select;
    rg_vec records;         /* rg_decl* (RG_D_RECORD) */
    rg_decl *claim;
    rg_vec catalog_decls;   /* root rg_decl* per catalog */
    rg_vec ledger_decls;    /* rg_decl* per scope */
    rg_vec bracket_decls;   /* rg_decl* per bracket schedule */
    rg_decl *result;
    rgc_impl update_reads;  /* deps: the definitions the ledger updates read */
    rgc_impl key_reads;     /* deps: the definitions the ledger keys read */
    rgc_def *validate;      /* the definition that runs the `reject` rules, or NULL */
    rg_vec skipped;         /* rg_loc*: text syntax errors made the parser skip or the scanner misread (sources.c) */
    unsigned syntax_errors;
    int from_dir;           /* the pack is a directory: each policy in the file named after it */
    rg_vec member_owner;    /* members regions added: pairs (policy index, next pair for the same member or
                             * RG_NO_INDEX), as uintptr_t */
    rg_vec owner_first;     /* per member (its index in the program's member_names): its first pair in
                             * member_owner, or RG_NO_INDEX for a base policy's member */
    /* name tables (names.c), so that a name is found at once however many there are */
    rgc_names def_names;    /* definition slots, in slot order */
    rgc_names policy_names; /* policy indexes */
    rgc_names enum_names;   /* enumeration ids */
    rgc_names member_names; /* members: index into the program's member_names */
    rgc_names ledger_names; /* ledger scope indexes */
    rgc_names field_names;  /* schema fields by key: field indexes (parents told apart by the caller) */
    /* constants: open addressing over the first index of each value in consts[0, consts_hashed) */
    uint32_t *const_hash;
    uint32_t const_hash_cap, consts_hashed;

    /* the peephole pass's results, by the shape of the code they came from (peephole_memo.c) */
    struct rgc_peep_memo *peep_memo;
    struct rgc_plan_memo *plan_memo; /* and a plan's bodies', by the state they start in (plan_memo.c) */
    int compile_anew;       /* REGULA_COMPILE_ANEW: every chunk passed over, every plan's body compiled, anew */

    /* string interning: open addressing over string ids */
    uint32_t *str_hash;
    uint32_t str_hash_cap;
    uint32_t *path_strs;    /* per diagnostics file: its path's string id, RG_NO_INDEX not yet asked */
    size_t n_path_strs;

    /* the chunk being generated */
    struct {
        int active;
        uint32_t start;
        uint32_t n_locals;
        int depth, max_depth;
        uint32_t last_line, last_file;
        int line_known;
        rgc_impl *impl;     /* whose dependencies are being collected */
        struct rgc_policy *policy; /* whose code it is: the names it may use (NULL: the base policy's) */
        int claim_only;     /* entry chunks: only claim fields may be read */
        const char *claim_only_what;
        rgc_binding scope[16];
        uint32_t n_scope;
        int in_each;        /* inside a `for item in items` block: the frame's row */
        uint32_t each_list; /* the schema field of that block's list */
        uint32_t each_row;  /* where a bare per-item name reads its row: RG_ROW_OF_FRAME, or
                             * the local of the reader a per-item body is inlined into */
        int inline_depth;   /* definitions' bodies being inlined (expr.c load_def) */
        int cond_depth;     /* in code that runs for few claims (the right of and, or, ??, a
                             * decision's result): a read here is no strict dependency */
        const uint32_t *plan_local; /* a plan (plan.c): per slot, the local holding the definition's
                             * value once computed, else RG_NO_INDEX; per-item ones hold the
                             * row in plan_row */
        uint32_t plan_row;
        struct rgc_policy *plan_policy; /* the policy whose plan this is */
    } cur;
} rgc_pack;

/* Compile a pack: a directory of *.rg files, or one file. Reports every error
 * through diag; returns NULL when there were any. */
rgc_pack *rgc_compile(const char *path, rg_diag *diag);
/* The same, making less than the whole program where less will do. Every
 * error is found by the check pass, before any code is written (the code
 * pass only counts them), so each kind reports the same errors. */
typedef enum {
    RGC_MAKE_ALL,  /* the whole program: regula compile, run, test */
    RGC_MAKE_LAZY, /* without what only makes it faster (the plans, the peephole pass): the lazy
                    * path's code, which computes what the whole one does (a language server's hover) */
    RGC_MAKE_NONE  /* no code: the errors, the declarations and the tests only (regula check) */
} rgc_make;
rgc_pack *rgc_compile_making(const char *path, rg_diag *diag, rgc_make make);

/* Extra declarations compiled into policy `policy` as if written at the end of
 * its file, each replacing the policy's own declarations of the same name
 * (top-level and in its versions): the REPL's session definitions and its
 * what-if overrides. `name` labels the text in diagnostics. */
typedef struct {
    const char *policy;
    const char *name;
    const char *text;
    int new_names;      /* 1: an untyped definition of a name the policy does not see
                         * declares it there, as a typed one does (the REPL) */
    int later_rows_replace; /* 1: in its tables a row replaces an earlier one of the same
                         * cells (the REPL's overrides), else that is an error */
} rgc_extra;
rgc_pack *rgc_compile_ex(const char *path, rg_diag *diag, const rgc_extra *extras, uint32_t n_extras);
void rgc_pack_free(rgc_pack *pack);
/* The pack's policies and definitions, whatever code was made. */
uint32_t rgc_pack_n_policies(const rgc_pack *pack);
uint32_t rgc_pack_n_defs(const rgc_pack *pack);
/* The compiled program (owned by the pack). */
const rg_program *rgc_pack_program(const rgc_pack *pack);

/* Tests declared in the pack, and the sample claim they start from. */
uint32_t rgc_pack_n_tests(const rgc_pack *pack);
const rgc_test *rgc_pack_test(const rgc_pack *pack, uint32_t i);
const rg_decl *rgc_pack_sample(const rgc_pack *pack);
rg_diag *rgc_pack_diag(rgc_pack *pack);

/* Compile-time constant value of an expression of a test or sample (literal,
 * enum member, region, negative literal). Returns 0 and sets *v and *ty. */
int rgc_const_eval(rgc_pack *pack, const rg_expr *e, const rgc_ty *expected, rg_value *v, rgc_ty *ty);
/* Look up a definition by name (RG_NO_INDEX when there is none). */
uint32_t rgc_def_slot(const rgc_pack *pack, const char *name);
/* Does policy see a definition called name (the base policy's, or one a
 * region it is or is under declared)? */
int rgc_def_visible(rgc_pack *pack, const char *name, const char *policy);
/* The i-th name of a scalar type a policy writes (int, money, …), NULL past
 * the last: the one table of written type names (types.c), for completion. */
const char *rgc_type_name_at(uint32_t i);
/* The i-th built-in function's name (pct, min, …), NULL past the last: the
 * one table of built-in functions (expr.c), for completion. */
const char *rgc_builtin_name_at(uint32_t i);
/* rg_type of a checker type, and back. */
rg_type rgc_ty_pack(const rgc_ty *t);
rgc_ty rgc_ty_from_packed(rg_type t);
/* A checker type's name as messages write it ("money?", "list of region"). */
void rgc_ty_name(rgc_pack *pk, const rgc_ty *t, char *buf, size_t cap);
/* Best "did you mean" among candidates (NULL if none is close). */
const char *rgc_closest(const char *name, const char *const *cands, uint32_t n);
/* Schema field by dotted path ("person.filing.kind"), RG_NO_INDEX if none. */
uint32_t rgc_schema_field(const rgc_pack *pack, const char *path);
/* Ledger field index of "scope.field", RG_NO_INDEX if none. */
uint32_t rgc_ledger_field(const rgc_pack *pack, const char *scope, const char *field);

/* ---- what a name is where a policy reads it, and where it is written
 * (lookup.c): for an editor's hover, go to definition and completion ---- */
typedef enum {
    RGC_SYM_NONE,
    RGC_SYM_DEF,          /* index: its slot */
    RGC_SYM_FIELD,        /* a field of the claim (or of a list's element): index its schema field */
    RGC_SYM_MEMBER,       /* a member of an enumeration: index enum << 16 | member */
    RGC_SYM_ENUM,
    RGC_SYM_RECORD,
    RGC_SYM_POLICY,       /* index: the policy's */
    RGC_SYM_VERSION,
    RGC_SYM_LEDGER,
    RGC_SYM_LEDGER_FIELD,
    RGC_SYM_CATALOG,
    RGC_SYM_COLUMN,       /* a column of a catalog */
    RGC_SYM_BRACKETS,
    RGC_SYM_EXTERN,
    RGC_SYM_BUILTIN,
    RGC_SYM_TYPE
} rgc_sym_kind;
typedef struct {
    rgc_sym_kind kind;
    char what[96];        /* "param", "table", "claim field", "member of enumeration scheme", … */
    char type[160];       /* its type as messages write it ("money?", "int in 1..3"), "" when none */
    int has_decl;
    rg_loc decl;          /* the name in the declaration that makes it */
    const char *owner;    /* the policy that declares it (a region's own, or the base policy) */
    uint32_t index;
    int per_item;         /* a definition computed for each element of a list */
} rgc_symbol;
/* NAME — a word, or a dotted path ("person.scheme", "yearly.fund_paid",
 * "x.amount" for an element's field or per-element definition) — as POLICY
 * reads it: 0 and *out, or -1 when the pack has nothing by that name there. */
int rgc_lookup(rgc_pack *pack, const char *policy, const char *name, rgc_symbol *out);

/* Where definition SLOT is written as POLICY sees it: the policy's versions
 * that give it, then its own declaration, then its parent's, … up to the
 * base policy (or the region that declares it). Up to MAX places, nearest
 * first; returns how many there are. */
typedef struct {
    const char *policy;
    const char *version;  /* NULL outside a version */
    rg_loc loc;           /* the name in that declaration */
} rgc_written;
uint32_t rgc_def_written(rgc_pack *pack, uint32_t slot, const char *policy, rgc_written *out, uint32_t max);

/* The names POLICY may write, each given to FN with what it is (and its type
 * when it has one): with PATH NULL the definitions it sees, enumeration
 * members, policies, the claim's top-level fields, ledgers, catalogs,
 * brackets, host and built-in functions and type names; after a dot (PATH
 * "person", "yearly", or a `for` variable) the fields of that claim record,
 * that ledger's fields, or the fields and per-element definitions of a list's
 * elements. */
typedef void (*rgc_name_fn)(void *ud, const char *name, rgc_sym_kind kind, const char *detail);
void rgc_visible_names(rgc_pack *pack, const char *policy, const char *path, rgc_name_fn fn, void *ud);

/* A table as policy POLICY sees it as of date ASOF (RG_NONE: outside every
 * version): the rows of the implementation that runs then — its own with the
 * rows it inherits merged in, parents' first as the policies replace them —
 * and who wrote each (table_view.c, for the REPL's :show). */
typedef struct {
    const rg_row *row;
    const char *policy;       /* the policy whose declaration holds the row */
    const char *version;      /* its version, NULL when not in one */
} rgc_table_row;
typedef struct {
    const rg_decl *root;      /* the table's first declaration: its type, inputs and hit policy */
    const char *policy;       /* whose implementation runs (NULL: none gives the table) */
    const char *version;      /* ... in which version, NULL outside one */
    rgc_table_row *rows;
    uint32_t n_rows;
} rgc_table_view;
/* 0 and *out (rgc_table_view_free it), or -1 when NAME is no table or
 * POLICY no policy of the pack. */
int rgc_table_view_at(rgc_pack *pack, const char *name, uint32_t policy, int64_t asof, rgc_table_view *out);
void rgc_table_view_free(rgc_table_view *v);


#endif
