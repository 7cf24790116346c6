/* ast.h — the syntax tree the grammar builds: policies, declarations, expressions.
 * Nodes live in one arena per compilation and carry byte-offset locations;
 * no name resolution or typing happens here. */
#ifndef RG_AST_H
#define RG_AST_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint32_t file;  /* index in the source set */
    uint32_t start; /* byte offset of the first byte */
    uint32_t end;   /* byte offset one past the last byte */
} rg_loc;

/* ---- arena ---- */
typedef struct rg_arena_block rg_arena_block;
typedef struct {
    rg_arena_block *head;
} rg_arena;
void *rg_arena_alloc(rg_arena *a, size_t n); /* zeroed; aborts on no memory */
char *rg_arena_strndup(rg_arena *a, const char *s, size_t n);
void rg_arena_free(rg_arena *a);

/* ---- growable pointer vector ---- */
typedef struct {
    void **v;
    uint32_t n, cap;
} rg_vec;
void rg_vec_push(rg_vec *vec, void *p); /* malloc'd storage: rg_vec_free it; aborts on no memory */
void rg_vec_apush(rg_arena *a, rg_vec *vec, void *p); /* storage in the arena (the AST's vectors) */
void rg_vec_free(rg_vec *vec);

/* ---- types as written ---- */
typedef struct rg_texpr {
    rg_loc loc;
    const char *name;     /* "money", "scheme", a record name; NULL for a list */
    struct rg_texpr *elem;/* list of elem */
    int optional;         /* T? */
    int has_range;        /* int in lo..hi, money in ¥0..¥5000, percent in 0%..100% */
    int64_t lo, hi;
    int range_unit;       /* what the bounds are written in: RG_E_INT, RG_E_MONEY or
                           * RG_E_PERCENT; -1 when the two differ */
    rg_loc range_loc;     /* lo..hi */
} rg_texpr;

/* ---- expressions ---- */
typedef enum {
    RG_E_INT, RG_E_MONEY, RG_E_PERCENT, RG_E_DATE, RG_E_DURATION, RG_E_BOOL,
    RG_E_STRING, RG_E_NONE,
    RG_E_NAME,   /* name */
    RG_E_FIELD,  /* lhs.name */
    RG_E_UNARY,  /* op lhs */
    RG_E_BINARY, /* lhs op rhs */
    RG_E_IF,     /* if cond then lhs else rhs */
    RG_E_CALL,   /* name(args) */
    RG_E_AGG,    /* agg lhs for name in rhs where cond */
    RG_E_LIST,   /* [args] */
    RG_E_RECORD, /* {name: expr, ...}: args are RG_E_FIELD-less pairs (see fields) */
    RG_E_MONTHS  /* N months: ival calendar months, added to a date */
} rg_expr_kind;

typedef enum {
    RG_OPR_ADD, RG_OPR_SUB, RG_OPR_MUL, RG_OPR_DIV, RG_OPR_NEG, RG_OPR_NOT,
    RG_OPR_EQ, RG_OPR_NE, RG_OPR_LT, RG_OPR_LE, RG_OPR_GT, RG_OPR_GE,
    RG_OPR_AND, RG_OPR_OR, RG_OPR_COALESCE, RG_OPR_IN, RG_OPR_NOT_IN
} rg_operator;

typedef enum { RG_AGG_SUM, RG_AGG_COUNT, RG_AGG_ANY, RG_AGG_ALL, RG_AGG_MIN, RG_AGG_MAX, RG_AGG_FIRST, RG_AGG_LAST } rg_agg_kind;

typedef struct rg_expr rg_expr;
struct rg_expr {
    rg_expr_kind kind;
    rg_loc loc;
    int64_t ival;        /* literal value in VM representation */
    const char *name;    /* name, field name, callee, bound variable */
    const char *text;    /* string literal (decoded) */
    int op;              /* rg_operator or rg_agg_kind */
    rg_expr *lhs, *rhs, *cond;
    rg_vec args;         /* rg_expr* */
    rg_vec keys;         /* RG_E_RECORD: const char* keys, parallel to args */
    void *sema;          /* the checker's annotation */
    uint32_t depth;      /* levels of operands below it (0: a leaf), set by the parser */
    uint32_t line;       /* the line loc starts on, 0 until the compiler first asks (compiler/expr.c) */
};

/* ---- table patterns ---- */
typedef enum { RG_P_ANY, RG_P_VALUE, RG_P_RANGE, RG_P_CMP, RG_P_ALT } rg_pat_kind;
typedef struct rg_pattern rg_pattern;
struct rg_pattern {
    rg_pat_kind kind;
    rg_loc loc;
    int op;              /* RG_P_CMP: RG_OPR_LT.. */
    rg_expr *lo, *hi;    /* VALUE: lo; RANGE: lo..hi inclusive; CMP: lo */
    rg_vec alts;         /* RG_P_ALT: rg_pattern* */
};

typedef struct {
    rg_loc loc;
    rg_vec pats;         /* rg_pattern*, one per input */
    rg_expr *result;
} rg_row;

typedef struct {
    rg_loc loc;
    rg_expr *cond;       /* NULL: otherwise */
    rg_expr *result;
} rg_arm;

typedef struct {
    rg_loc loc;
    rg_expr *from, *below, *pct; /* below NULL: no upper bound */
} rg_tier_ast;

typedef struct {
    rg_loc loc;
    const char *name;
    rg_texpr *type;
    rg_expr *init;       /* ledger fields: first value; NULL = zero */
    int is_key;          /* catalog key column */
    /* claim fields: `when F op V` (required while it holds), `only when`
     * (read only while it holds), `nonempty` (lists), `else "message"` */
    const char *cond_field;
    int cond_op;         /* 0, RG_OPR_EQ, RG_OPR_NE */
    rg_expr *cond_value;
    int cond_only;
    int nonempty;
    const char *message; /* what a value of the wrong shape is told, or NULL */
    rg_loc message_loc;
} rg_member;

typedef struct {
    rg_loc loc;
    rg_vec path;         /* const char* segments */
    int op;              /* '=', '+', '-' for =, +=, -= */
    rg_expr *value;
    rg_loc scope_loc;    /* a test's `given NAME { … }`: where NAME (path[0]) is written */
} rg_assign;

typedef enum {
    RG_D_ENUM, RG_D_RECORD, RG_D_CLAIM, RG_D_PARAM, RG_D_DEF, RG_D_TABLE,
    RG_D_DECIDE, RG_D_BRACKETS, RG_D_CATALOG, RG_D_LEDGER, RG_D_UPDATE,
    RG_D_RESULT, RG_D_SELECT, RG_D_SAMPLE, RG_D_TEST, RG_D_VERSION, RG_D_EACH,
    RG_D_EXTERN, RG_D_REJECT
} rg_decl_kind;

typedef struct rg_decl rg_decl;
struct rg_decl {
    rg_decl_kind kind;
    rg_loc loc;
    rg_loc name_loc;
    const char *name;      /* enum/record/def/table/… name; test: its title; version: its name */
    rg_texpr *type;        /* param/def/table/decide/extern result type (may be NULL: inferred) */
    rg_vec params;         /* extern: rg_texpr* argument types */
    rg_expr *value;        /* param/def value; select: policy expression */
    rg_expr *value2;       /* select: as-of expression; update: condition */
    rg_vec members;        /* enum: const char* names (member_locs parallel); record/claim/catalog/ledger: rg_member* */
    rg_vec member_locs;    /* enum: rg_loc* */
    rg_vec inputs;         /* table: rg_expr*; ledger: key rg_expr* */
    int hit_first;         /* table: hit first (else unique) */
    rg_vec rows;           /* table: rg_row*; decide: rg_arm*; brackets: rg_tier_ast* */
    const char *path;      /* catalog: CSV path as written */
    rg_vec assigns;        /* update, sample, test given claim: rg_assign*; result: rg_assign* (path[0] = key) */
    rg_vec ledger_given;   /* test: rg_assign* */
    rg_vec expects;        /* test: rg_assign* */
    rg_vec decls;          /* version, each: rg_decl* */
    rg_expr *from, *until; /* version dates */
    const char *var;       /* each: the item variable; */
    const char *list;      /* each: the list it ranges over ("items", "person.coverage") */
    int extend;            /* enum: `enum NAME += { … }` adds members to an inherited enum */
    int declares_new;      /* def, param: a name its policy does not see is a new one, though
                            * untyped (the REPL's expressions and session definitions) */
    int later_rows_replace;/* table: a row replaces an earlier one of the same cells (the
                            * REPL's overrides); else the same cells twice are an error */
    const char *message;   /* record: what an object of the wrong shape is told (`else "…"`);
                            * reject: the message template, decoded (its text at name_loc) */
    struct rg_file *file;  /* the file it was written in */
    struct rg_decl *version; /* enclosing version, if any */
    struct rg_decl *each;  /* enclosing `for item in …` block, if any */
};

typedef struct rg_file {
    uint32_t file;         /* source index */
    const char *policy;    /* policy name */
    rg_loc policy_loc;
    const char *parent;    /* extends, or NULL */
    rg_loc parent_loc;
    rg_vec decls;          /* rg_decl* */
} rg_file;

#endif
