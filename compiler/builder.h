/* builder.h — the compiler layer's internal header: the writer of the program
 * image (builder.c), the phases pack.c runs, the pass and its predicates, and
 * what the passes share. Must not be included outside compiler/: the other
 * layers read the compiler through compiler.h. */
#ifndef RGC_BUILDER_H
#define RGC_BUILDER_H

#include <stdio.h>

#include "compiler.h"
#include "opcodes.h"
#include "text.h"

#define RGC_X_PUSHDECL(type, name) uint32_t rgc_push_##name(rgc_pack *pk, const type *v, uint32_t n);
RG_PROGRAM_ARRAYS(RGC_X_PUSHDECL)
#undef RGC_X_PUSHDECL

/* Array a (*cap elements of elem bytes) with room for need, doubling: the
 * array (maybe moved), or NULL when out of memory (a and *cap unchanged). The
 * compiler's own tables; the program's arrays grow by rgc_push_*, which abort. */
void *rgc_room(void *a, size_t *cap, size_t need, size_t elem);
uint32_t rgc_str(rgc_pack *pk, const char *s);
const char *rgc_str_text(const rgc_pack *pk, uint32_t id);
uint32_t rgc_const(rgc_pack *pk, int64_t v);

void rgc_chunk_begin(rgc_pack *pk);
uint32_t rgc_chunk_end(rgc_pack *pk, uint32_t def, uint32_t policy, uint32_t version, uint32_t line,
                       uint32_t file);
uint32_t rgc_local(rgc_pack *pk);
void rgc_set_line(rgc_pack *pk, uint32_t line, uint32_t file);
uint32_t rgc_emit(rgc_pack *pk, int op, uint32_t a, uint32_t b);
uint32_t rgc_here(const rgc_pack *pk);
void rgc_patch(rgc_pack *pk, uint32_t at, int which, uint32_t target);
void rgc_emit_value(rgc_pack *pk, int64_t v);
/* The chunk being generated, its jumps threaded and common sequences fused
 * into superinstructions (peephole.c); rgc_chunk_end calls it. */
void rgc_peephole(rgc_pack *pk);
/* Opcodes whose operands the peephole pass never reads nor changes, and which
 * it moves as they are: peephole.c must name none of them in a pattern. They
 * carry what a city's copy of a chunk has of its own (its definitions,
 * constants, strings, ledger fields), so that the pass's work on a chunk
 * serves every chunk of the same shape (peephole_memo.c). */
static inline int rgc_peephole_opaque(unsigned op)
{
    switch (op) {
    case RG_OP_LOAD_DEF: case RG_OP_LOAD_PCONST: case RG_OP_PUSH_CONST: case RG_OP_PUSH_STR:
    case RG_OP_LEDGER_ADD: case RG_OP_LEDGER_SET: case RG_OP_TABLE:
        return 1;
    default:
        return 0;
    }
}
/* The pass's result kept for a chunk of the same shape (peephole_memo.c):
 * rgc_peep_memo_reuse puts it in place of the chunk being generated (1), or
 * (0) notes the chunk as emitted, for rgc_peep_memo_keep to keep with the
 * pass's result: its code (out, when changed), and where it moved each
 * instruction's start (moved[k], and the end last). */
typedef struct rgc_peep_memo rgc_peep_memo;
int rgc_peep_memo_reuse(rgc_pack *pk, int plan);
void rgc_peep_memo_keep(rgc_pack *pk, const uint32_t *moved, const uint8_t *out, uint32_t out_len, int changed);
void rgc_peep_memo_free(rgc_peep_memo *m);
/* A body compiled once per shape (plan_memo.c): what is the implementation
 * a plan computes (plan.c emit_def), the policy whose ledger updates are
 * emitted (emit.c own_updates), or a policy's reject rules (&rejects, defs.c
 * reject_rules). rgc_plan_memo_reuse puts the code kept from another chunk
 * in place (1) when it started in the same state and the questions it asked
 * (rgc_seen) get the same answers here; else (0) the body is compiled
 * between rgc_plan_memo_watch and rgc_plan_memo_done, which keep it when it
 * may serve again: when owner (whose implementation, updates or rules it is)
 * has regions under it. */
typedef struct rgc_plan_memo rgc_plan_memo;
int rgc_plan_memo_reuse(rgc_pack *pk, const void *what, const rgc_policy *owner);
void rgc_plan_memo_watch(rgc_pack *pk, const void *what, const rgc_policy *owner);
void rgc_plan_memo_done(rgc_pack *pk);
/* rgc_set_line tells it each line set: a body's first, and whether the
 * compiler was at it already, decide its line entries; and expr.c tells it
 * when the line the compiler is at is read (inline_def goes back to it) */
void rgc_plan_memo_line(rgc_pack *pk, uint32_t line, uint32_t file);
void rgc_plan_memo_line_read(rgc_pack *pk);
void rgc_plan_memo_free(rgc_plan_memo *m);
/* The questions of expr.c whose answers depend on the policy whose plan is
 * compiled: which definition a name means there (key the name), which
 * per-element one (key the name, a the list), whether member b of
 * enumeration a is seen there, whether a ledger's owner (key) is it or above
 * it, whether parameter key is one constant there (answer its value), which
 * local holds definition a already (answer it). rgc_seen_answer answers one
 * now: whether (yes) and what (*answer); rgc_seen notes one asked. */
typedef enum { RGC_SEEN_DEF, RGC_SEEN_ELEM_DEF, RGC_SEEN_MEMBER, RGC_SEEN_LEDGER, RGC_SEEN_PCONST, RGC_SEEN_LOCAL } rgc_seen_kind;
int rgc_seen_answer(rgc_pack *pk, rgc_seen_kind kind, const void *key, uint32_t a, uint32_t b, uint64_t *answer);
void rgc_seen(rgc_pack *pk, rgc_seen_kind kind, const void *key, uint32_t a, uint32_t b, int yes, uint64_t answer);

/* ---- the phases, in the order pack.c runs them ---- */
/* sources.c: the files read and parsed (*hash: FNV-1a of their text), the
 * REPL's extras merged into them, the policies' inheritance tree. */
int rgc_load_sources(rgc_pack *pk, const char *path, uint64_t *hash);
int rgc_merge_extras(rgc_pack *pk, const rgc_extra *extras, uint32_t n);
/* Does text that syntax errors made the parser skip declare the word [w, w + n)
 * (the name after `def`, `param`, …, the members and fields between the braces
 * of `enum`, `record`, `claim`, …, those keywords themselves)? */
int rgc_skipped_declares(rgc_pack *pk, const char *w, size_t n);
/* A byte of a name as policies write them (ASCII letters, digits, _ and -, UTF-8). */
int rgc_ident_char(char c);
int rgc_build_policies(rgc_pack *pk);
/* declare.c: every declaration but the definitions; -1 when there is no claim. */
int rgc_declare(rgc_pack *pk);
/* defs.c: the definitions' slots and every policy's and version's implementations. */
void rgc_define(rgc_pack *pk);
/* catalog_csv.c: every catalog's CSV files, overlaid along `extends`; 0, or -1
 * after reporting errors with the CSV's file:line:col. */
int rgc_load_catalogs(rgc_pack *pk);
/* check.c: the check pass and the cycle check. */
void rgc_check(rgc_pack *pk);
/* emit.c: the entry chunks alone (the check pass checks them too), and the whole program. */
void rgc_emit_entries(rgc_pack *pk);
void rgc_emit_pack(rgc_pack *pk);

/* ---- the pass (compiler.h's rgc_pass) ---- */
/* Does the pass write code (else only types are computed)? */
static inline int rgc_writes_code(const rgc_pack *pk) { return pk->pass == RGC_PASS_EMIT; }
/* Does it report errors (else it counts them in quiet_errors)? */
static inline int rgc_reports(const rgc_pack *pk) { return pk->pass == RGC_PASS_CHECK; }
/* Is a read of a definition here counted (n_reads) — a read in a body the check pass checks? */
static inline int rgc_counts_reads(const rgc_pack *pk) { return pk->pass == RGC_PASS_CHECK && pk->cur.impl; }

/* ---- name tables (names.c) ---- */
void rgc_names_add(rgc_names *t, const char *name, uint32_t value);
/* The first entry of name (t->ents[i]: .value, .next), or RG_NO_INDEX. */
uint32_t rgc_names_find(const rgc_names *t, const char *name);
void rgc_names_free(rgc_names *t);
/* The slots policy pol or one of its versions implements, in slot order,
 * once each, into l (its array grown as needed; the caller frees l->v). */
typedef struct {
    uint32_t *v;
    uint32_t n, cap;
} rgc_slot_list;
void rgc_written_slots(const rgc_policy *pol, rgc_slot_list *l);
/* v[0 … n) in ascending order. */
void rgc_sort_u32(uint32_t *v, size_t n);
/* Record implementation im of im->def in the pack (defs.c). */
void rgc_add_impl(rgc_pack *pk, rgc_impl *im);

/* ---- shared by the compiler's passes ---- */
void rgc_error(rgc_pack *pk, rg_loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with a related place: the declaration it clashes with ("declared here"). */
void rgc_error_related(rgc_pack *pk, rg_loc loc, const char *hint, rg_loc at, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
rgc_def *rgc_find_def(rgc_pack *pk, const char *name);
/* The definition of that name policy p sees (its own, or one it inherits; p NULL: the base policy). */
rgc_def *rgc_find_def_in(rgc_pack *pk, const char *name, const rgc_policy *p);
/* Is p the policy ancestor or one under it? */
int rgc_policy_within(const rgc_policy *p, const rgc_policy *ancestor);
/* The list field at schema path ("person.coverage"), or RG_NO_INDEX. */
uint32_t rgc_list_field(rgc_pack *pk, const char *path);
/* Bind a per-element body's variable to row source row of list field list (defs.c). */
void rgc_bind_each(rgc_pack *pk, const char *var, uint32_t list, uint32_t row);
/* A bool condition (expr.c). */
rgc_ty rgc_cond(rgc_pack *pk, rg_expr *e);
rgc_ty rgc_def_type(rgc_pack *pk, rgc_def *d);
int rgc_enum_by_name(rgc_pack *pk, const char *name);
/* The enumeration named most like name (a "did you mean"), or NULL. */
const char *rgc_closest_enum(rgc_pack *pk, const char *name);
int rgc_enum_member(rgc_pack *pk, uint32_t en, const char *name);
/* Does policy p (NULL: the base policy) have member m of enumeration en (one a region
 * added is its own and its regions')? (declare.c) */
int rgc_member_visible(const rgc_pack *pk, uint32_t en, uint32_t m, const rgc_policy *p);
/* The ordinals of en's members known in p (NULL: the base policy), ascending,
 * into out (room for all of en's members); their number. */
uint32_t rgc_visible_members(const rgc_pack *pk, uint32_t en, const rgc_policy *p, uint32_t *out);
/* The last region to add member m of en (a pair in member_owner), or RG_NO_INDEX; its policy. */
uint32_t rgc_last_owner(const rgc_pack *pk, uint32_t en, uint32_t m);
const rgc_policy *rgc_owner_policy(const rgc_pack *pk, uint32_t pair);
uint32_t rgc_child_field(rgc_pack *pk, int32_t parent, const char *name);
int rgc_policy_index(rgc_pack *pk, const char *name);
int rgc_ty_same(const rgc_ty *a, const rgc_ty *b); /* same base type, optional ignored */
rgc_ty rgc_ty_scalar(rg_type_kind k);
/* A written type (types.c); -1 after reporting an unknown or misused one. */
int rgc_resolve_type(rgc_pack *pk, rg_texpr *te, rgc_ty *out);
/* The scalar type written `name` into *k: 1, or 0 when it names none (types.c). */
int rgc_scalar_named(const char *name, rg_type_kind *k);
/* "bool, int, …, region": the written scalar types but skip (RG_T_VOID: none), for messages. */
void rgc_type_list(rg_sb *b, rg_type_kind skip);
uint32_t rgc_line(rgc_pack *pk, rg_loc loc);
/* Where THERE is, as a message seen at HERE names it: "line 105" in the same
 * file, "policies/CN.rg:105" in another. */
void rgc_place(rgc_pack *pk, rg_loc here, rg_loc there, char *buf, size_t cap);
/* Compile an expression: type-check it and (when the pass writes code) emit
 * code that leaves its value on the stack. `expect` guides enum members and none. */
rgc_ty rgc_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect);
/* The implementations of slot policy p may run, one by one (defs.c): each
 * of its versions' that writes it, then its own top-level one, else the same
 * up its chain of parents.
 *   for (rgc_impls it = rgc_impls_of(p, slot); (im = rgc_impls_next(&it));) */
typedef struct {
    const rgc_policy *p; /* the policy looked at, NULL past the last */
    uint32_t slot, k;    /* k: its next version */
} rgc_impls;
static inline rgc_impls rgc_impls_of(const rgc_policy *p, uint32_t slot) { return (rgc_impls){p, slot, 0}; }
rgc_impl *rgc_impls_next(rgc_impls *it);
/* The one implementation of slot policy p runs whatever the date (none of a
 * version), or NULL. */
rgc_impl *rgc_the_impl(const rgc_policy *p, uint32_t slot);
/* Type-check (and when the pass writes code, emit) implementation im's body in the current chunk (defs.c). */
rgc_ty rgc_body(rgc_pack *pk, rgc_impl *im);
/* Is d's body compiled at its readers rather than called? (expr.c) */
int rgc_def_inlined(rgc_pack *pk, rgc_def *d);
/* Each policy's plan: its definitions computed ahead (plan.c). */
void rgc_emit_plans(rgc_pack *pk);
/* Each chunk that repeats an earlier one but for operands a copy may have of
 * its own recorded as a copy of it, with its patches (share.c). */
void rgc_share_code(rgc_pack *pk);
/* The ledger updates' statements (the update chunk's code; a plan's last part). */
/* The ledger updates of pol and the policies it extends, base policy first. */
void rgc_emit_updates(rgc_pack *pk, rgc_policy *pol);
/* Has pol or a policy it extends a ledger update? */
int rgc_has_updates(const rgc_policy *pol);
/* Is name a built-in function (pct, min, …)? (expr.c) */
int rgc_builtin(const char *name);
/* Compile a table or decision body (tables.c). A decision's arms return
 * their value when ends is NULL (its chunk); otherwise (a plan, plan.c) each
 * leaves it on the stack and jumps to an end the caller places, the jumps'
 * offsets in *ends for rgc_patch_ends. */
rgc_ty rgc_table_body(rgc_pack *pk, rgc_impl *im);
rgc_ty rgc_decide_body(rgc_pack *pk, rgc_impl *im, rg_vec *ends);
/* Patch every jump of ends (above) to land here, and free it. */
void rgc_patch_ends(rgc_pack *pk, rg_vec *ends);
/* Static checks of a table's merged rows (table_check.c). */
void rgc_check_table(rgc_pack *pk, rgc_impl *im);
/* For each region that adds members to an enumeration: do the tables it
 * inherits without rows of its own cover them? */
void rgc_check_inherited_tables(rgc_pack *pk);
/* Decision im's arms read for what they mean (subsume.c): reports the arms
 * earlier ones cover, and a missing otherwise where a case is left out;
 * 1 when the arms are proved to cover every case. */
int rgc_check_arms(rgc_pack *pk, rgc_impl *im);
/* The tests' and the sample claim's names and values (test_check.c). */
void rgc_check_tests(rgc_pack *pk);
/* The error for a range of money or percent where nothing checks it (declare.c). */
void rgc_misplaced_range(rgc_pack *pk, const rg_texpr *te);
/* A written type's range as a policy writes it: "1..3", "¥0.00..¥5000.00", "0%..100%" (types.c). */
void rgc_range_text(const rg_texpr *te, char *buf, size_t cap);
/* Parameters' values within their declared ranges, or money not negative and
 * percentages within 0..100 (ranges.c); a column's range likewise. */
void rgc_check_ranges(rgc_pack *pk);
/* The range values of written type te (scalar k) must be in: declared, or
 * the default of money and percent. 1 and *lo, *hi, or 0 when none applies. */
int rgc_value_range(const rg_texpr *te, rg_type_kind k, int64_t *lo, int64_t *hi);
/* A value of type t as a policy writes it (¥12.50, 60%, none), for messages (types.c). */
void rgc_value_text(rgc_pack *pk, const rgc_ty *t, rg_value v, char *buf, size_t cap);
/* A table's rows, each cell's pattern as the values it matches (rowset.c):
 * spans lo..hi of present values, and whether none matches. */
typedef struct {
    rg_value lo, hi;
    uint8_t none;
} rgc_span;
typedef struct {
    uint32_t n_rows, n_in;
    uint32_t *first;        /* per (row, input), row-major: its first span; one more entry ends the last */
    rgc_span *spans;
    uint32_t n_spans, cap_spans;
    int all_const;          /* every row has n_in cells of constants (else such cells match nothing) */
} rgc_rowset;
/* 0 when every cell is a constant pattern, -1 otherwise; free it either way. */
int rgc_rowset_build(rgc_pack *pk, const rg_vec *rows, uint32_t n_in, const rgc_ty *itys, rgc_rowset *rs);
int rgc_rowset_matches(const rgc_rowset *rs, uint32_t row, uint32_t input, rg_value v);
void rgc_rowset_free(rgc_rowset *rs);
/* Constant value of a pattern or literal expression. */
int rgc_const_expr(rgc_pack *pk, rg_expr *e, const rgc_ty *expect, rg_value *v, rgc_ty *ty, int report);

#endif
