/* test_vm.c — unit tests of the VM on compiled packs: claims bound from JSON and settled through rg_vm_begin / rg_vm_eval_def / rg_vm_run_updates, checking exact arithmetic, runtime errors with their source line, the instruction budget, version selection, per-item definitions, ledger updates, and that settling allocates nothing once warm.
 * Goes through the compiler to get its programs; the bytecode itself is tested by test_bytecode.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytecode_io.h"
#include "compiler.h"
#include "opcodes.h"
#include "pack_fixture.h"
#include "rg_stdlib.h"
#include "vm.h"

/* A claim with a person, a region, a date, an amount and a list of items: lines 1-13. */
#define HEAD                                                                                        \
    "policy CN\n"                                                                                   \
    "record item {\n  code: string\n  amount: money\n}\n"                                           \
    "claim {\n"                                                                                     \
    "  person: string\n"                                                                            \
    "  region: region\n"                                                                            \
    "  date: date\n"                                                                                \
    "  amount: money\n"                                                                             \
    "  items: list of item\n"                                                                       \
    "}\n"                                                                                           \
    "select policy by region as of date\n"

typedef struct {
    fx_pack *fx;
    const rg_program *p;
    rg_vm *vm;
    rg_claim_reader *rd;
} machine;

static machine *start(const char *const *files)
{
    machine *M = calloc(1, sizeof *M);
    assert_non_null(M);
    M->fx = fx_compile_ok(files);
    M->p = rgc_pack_program(M->fx->pk);
    M->vm = rg_vm_new(M->p);
    assert_non_null(M->vm);
    M->rd = rg_claim_reader_new(M->p, NULL);
    assert_non_null(M->rd);
    return M;
}

static machine *start_one(const char *text)
{
    const char *files[] = {"CN.rg", text, NULL};
    return start(files);
}

static void stop(machine *M)
{
    rg_vm_free(M->vm);
    rg_claim_reader_free(M->rd);
    fx_free(M->fx);
    free(M);
}

/* Bind a claim given as JSON and begin it (ledger values before it: zero). */
static void claim(machine *M, const char *json)
{
    char err[256] = "";
    rg_status s = rg_claim_read(M->rd, M->vm, json, strlen(json), 0, err, sizeof err, NULL);
    if (s != RG_OK)
        print_error("bind: %s\n", err);
    assert_int_equal(s, RG_OK);
    s = rg_vm_begin(M->vm);
    if (s != RG_OK)
        print_error("begin: %s\n", M->vm->error);
    assert_int_equal(s, RG_OK);
    memset(M->vm->ledger_in, 0, M->p->n_ledger_fields * sizeof *M->vm->ledger_in);
}

/* The claim settled again explaining (no plan runs: the lazy path alone)
 * gives the n outputs the plan gave. */
static void expect_lazy_same(machine *M, const char *json, const rg_value *out, size_t n)
{
    rg_value lazy[16];
    assert_true(n <= sizeof lazy / sizeof *lazy);
    claim(M, json);
    M->vm->explain = 1;
    assert_int_equal(rg_vm_eval_outputs(M->vm, lazy), RG_OK);
    assert_memory_equal(out, lazy, n * sizeof *out);
    M->vm->explain = 0;
}

/* Settles json with the policy's plan: its outputs in out, and the plan
 * did not fall back to the lazy path. */
static void plan_settles(machine *M, const char *json, rg_value *out)
{
    claim(M, json);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(M->vm->plan_fallbacks, 0);
}

static uint32_t slot(machine *M, const char *name)
{
    uint32_t s = rgc_def_slot(M->fx->pk, name);
    assert_true(s != RG_NO_INDEX);
    return s;
}

static rg_value value(machine *M, const char *name)
{
    rg_value v = 0;
    rg_status s = rg_vm_eval_def(M->vm, slot(M, name), &v);
    if (s != RG_OK)
        print_error("%s: %s\n", name, M->vm->error);
    assert_int_equal(s, RG_OK);
    return v;
}

/* Evaluating name fails with status st and a message containing fragment
 * (where "@/" stands for the pack's directory). */
static void expect_failure(machine *M, const char *name, rg_status st, const char *fragment)
{
    rg_value v = 0;
    rg_status s = rg_vm_eval_def(M->vm, slot(M, name), &v);
    char want[512];
    const char *at = strstr(fragment, "@/");
    if (at)
        snprintf(want, sizeof want, "%.*s%s/%s", (int)(at - fragment), fragment, M->fx->dir, at + 2);
    else
        snprintf(want, sizeof want, "%s", fragment);
    if (s != st || !strstr(M->vm->error, want))
        print_error("%s: status %d, error '%s' (want %d, '%s')\n", name, s, M->vm->error, st, want);
    assert_int_equal(s, st);
    assert_non_null(strstr(M->vm->error, want));
}

/* Counting allocations: this program's malloc family forwards to glibc's and
 * counts the calls, so that a test can tell that a stretch of code allocated
 * nothing. Not under AddressSanitizer, which must own malloc itself. */
#if defined(__SANITIZE_ADDRESS__)
#define COUNTS_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNTS_ALLOCATIONS 0
#endif
#endif
#ifndef COUNTS_ALLOCATIONS
#define COUNTS_ALLOCATIONS 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t n);
extern void __libc_free(void *ptr);
static unsigned long n_allocations;
void *malloc(size_t n)
{
    n_allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
    n_allocations++;
    return __libc_calloc(n, size);
}
void *realloc(void *ptr, size_t n)
{
    n_allocations++;
    return __libc_realloc(ptr, n);
}
void free(void *ptr)
{
    __libc_free(ptr);
}
#else
static unsigned long n_allocations;
#endif

#define CLAIM(region, date, amount, items)                                                          \
    "{\"person\": \"P1\", \"region\": \"" region "\", \"date\": \"" date "\", \"amount\": \"" amount \
    "\", \"items\": [" items "]}"

/* Per-item definitions (70 % of an item's amount unless its code is X) and their sum. */
#define ITEM_SHARES                                                                 \
    HEAD "for item in items {\n"                                                    \
         "  def covered = item.code != \"X\"\n"                                     \
         "  def share = if covered then pct(item.amount, 70%) else ¥0\n"             \
         "}\n"                                                                      \
         "def total = sum item.share for item in items\n"

static void test_exact_arithmetic(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "def half = pct(amount, 50%)\n"
                                "def eighth = pct(amount, 12.5%)\n"
                                "def third = pct(amount, 33.3333%)\n"
                                "def diff = amount - pct(amount, 50%) * 2\n");
    claim(M, CLAIM("CN", "2024-03-05", "375.75", ""));
    assert_int_equal(value(M, "half"), 18788);   /* 187.875 rounds half up to 187.88 */
    assert_int_equal(value(M, "eighth"), 4697);  /* 46.96875 -> 46.97 */
    assert_int_equal(value(M, "third"), 12525);  /* 125.24987… -> 125.25 */
    assert_int_equal(value(M, "diff"), -1);      /* 375.75 - 2 × 187.88 */
    claim(M, CLAIM("CN", "2024-03-05", "0.01", ""));
    assert_int_equal(value(M, "half"), 1);       /* 0.005 -> 0.01 */
    assert_int_equal(value(M, "eighth"), 0);     /* 0.00125 -> 0.00 */
    stop(M);
}

static void test_overflow_is_an_error(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "param huge: money = ¥90_000_000_000_000_000\n"
                                "def ok = huge - ¥1\n"
                                "def twice = ¥90_000_000_000_000_000 + ¥90_000_000_000_000_000\n"
                                "def times = amount * 1_000_000_000\n"
                                "def floor = max(¥0 - huge - huge, ¥0)\n");
    claim(M, CLAIM("CN", "2024-03-05", "100000000", ""));
    assert_int_equal(value(M, "ok"), 8999999999999999900LL);
    expect_failure(M, "twice", RG_ERR_RUNTIME, "arithmetic overflow");
    expect_failure(M, "twice", RG_ERR_RUNTIME, "@/CN.rg:16"); /* names the source line */
    assert_int_equal(M->vm->error_line, 16);
    expect_failure(M, "times", RG_ERR_RUNTIME, "arithmetic overflow in * at @/CN.rg:17");
    /* a - b then max with a literal is one instruction (SUB_MAX_IMM): same error, same line */
    expect_failure(M, "floor", RG_ERR_RUNTIME, "arithmetic overflow in - at @/CN.rg:18");
    stop(M);
}

static void test_division_by_zero(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "param zero: int = 0\n"
                                "def n = count i in items\n"
                                "def per = 100 / n\n"
                                "def bad = 100 / zero\n");
    claim(M, CLAIM("CN", "2024-03-05", "1", "{\"code\": \"A\", \"amount\": \"1\"}, {\"code\": \"B\", \"amount\": \"2\"}"));
    assert_int_equal(value(M, "per"), 50);
    expect_failure(M, "bad", RG_ERR_RUNTIME, "division by zero at @/CN.rg:17");
    claim(M, CLAIM("CN", "2024-03-05", "1", ""));
    expect_failure(M, "per", RG_ERR_RUNTIME, "division by zero at @/CN.rg:16");
    stop(M);
}

static void test_no_row_of_table(void **state)
{
    (void)state;
    /* a string input: the checker cannot prove coverage, so the VM must report the miss */
    machine *M = start_one(HEAD "table rate: percent by (person) {\n"
                                "  | \"P1\" -> 10%\n"
                                "  | \"P2\" -> 20%\n"
                                "}\n"
                                "def fee = pct(amount, rate)\n");
    claim(M, CLAIM("CN", "2024-03-05", "100", ""));
    assert_int_equal(value(M, "fee"), 1000);
    claim(M, "{\"person\": \"P3\", \"region\": \"CN\", \"date\": \"2024-03-05\", \"amount\": \"100\", \"items\": []}");
    expect_failure(M, "fee", RG_ERR_RUNTIME, "no row of table 'rate' matched at @/CN.rg:14");
    stop(M);
}

static void test_budget(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "def total = sum i.amount for i in items\n");
    const char *two = CLAIM("CN", "2024-03-05", "1", "{\"code\": \"A\", \"amount\": \"1\"}, {\"code\": \"B\", \"amount\": \"2\"}");
    claim(M, two);
    M->vm->budget = 0; /* unlimited */
    assert_int_equal(value(M, "total"), 300);
    uint64_t used = M->vm->used;
    assert_true(used > 10);
    claim(M, two);
    M->vm->budget = 10;
    expect_failure(M, "total", RG_ERR_BUDGET, "instruction budget of 10 exhausted");
    /* the budget is per claim: a big enough one lets the next claim through */
    claim(M, two);
    M->vm->budget = 1000;
    assert_int_equal(value(M, "total"), 300);
    stop(M);
}

/* rg_vm_eval_outputs reads every output in one run of the interpreter: the
 * same values, the same explanation steps and the same failures as
 * rg_vm_eval_def on each output in turn. */
static void test_outputs_in_one_run(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "param rate: percent = 50%\n"
                                "def half = pct(amount, rate)\n"
                                "def total = sum i.amount for i in items\n"
                                "def n = count i in items\n"
                                "def per = 100 / n\n"
                                "result {\n  half = half\n  rate = rate\n  total = total\n  per = per\n}\n");
    const rg_program *p = M->p;
    assert_int_equal(p->n_outputs, 4);
    const char *two = CLAIM("CN", "2024-03-05", "100", "{\"code\": \"A\", \"amount\": \"1\"}, {\"code\": \"B\", \"amount\": \"2\"}");
    rg_value out[4], one[4];
    /* one output already computed, the others not */
    claim(M, two);
    assert_int_equal(value(M, "half"), 5000);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(out[0], 5000);
    assert_int_equal(out[1], 500000);
    assert_int_equal(out[2], 300);
    assert_int_equal(out[3], 50);
    /* explaining: the steps of the one run are those of the reads one by one */
    claim(M, two);
    M->vm->explain = 1;
    for (uint32_t i = 0; i < p->n_outputs; i++)
        assert_int_equal(rg_vm_eval_def(M->vm, p->outputs[i].def, &one[i]), RG_OK);
    uint32_t n = M->vm->n_trace;
    rg_trace_ent *want = malloc((n + 1) * sizeof *want);
    assert_non_null(want);
    memcpy(want, M->vm->trace, n * sizeof *want);
    claim(M, two);
    M->vm->explain = 1;
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_memory_equal(out, one, sizeof out);
    assert_true(n > 0);
    assert_int_equal(M->vm->n_trace, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(M->vm->trace[i].kind, want[i].kind);
        assert_int_equal(M->vm->trace[i].index, want[i].index);
        assert_int_equal(M->vm->trace[i].chunk, want[i].chunk);
        assert_int_equal(M->vm->trace[i].row, want[i].row);
        assert_int_equal(M->vm->trace[i].value, want[i].value);
    }
    free(want);
    M->vm->explain = 0;
    /* a failure stops at the output that failed, with its source line */
    claim(M, CLAIM("CN", "2024-03-05", "100", ""));
    out[3] = 7;
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_ERR_RUNTIME);
    assert_non_null(strstr(M->vm->error, "division by zero"));
    assert_int_equal(M->vm->error_line, 18);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 7);
    /* the budget counts the outputs' chunks as the reads one by one do (the
     * plan, which charges its own chunk, does not run when explaining) */
    claim(M, two);
    M->vm->budget = 0;
    M->vm->explain = 1;
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    uint64_t used = M->vm->used;
    claim(M, two);
    for (uint32_t i = 0; i < p->n_outputs; i++)
        assert_int_equal(rg_vm_eval_def(M->vm, p->outputs[i].def, &one[i]), RG_OK);
    assert_true(M->vm->used >= used);
    M->vm->explain = 0;
    claim(M, two);
    M->vm->budget = 3;
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_ERR_BUDGET);
    assert_non_null(strstr(M->vm->error, "instruction budget of 3 exhausted"));
    stop(M);
}

static void test_version_selection(void **state)
{
    (void)state;
    const char *files[] = {"CN.rg", HEAD "param cap: money = ¥1_000\ndef fund = min(amount, cap)\n",
                           "LN.rg",
                           "policy LN extends CN\n"
                           "version \"2024\" from 2024-01-01 until 2024-12-31 {\n  param cap = ¥2_000\n}\n"
                           "version \"2025\" from 2025-01-01 {\n  param cap = ¥3_000\n}\n",
                           NULL};
    machine *M = start(files);
    static const struct {
        const char *region, *date;
        rg_value cap;
    } cases[] = {
        {"LN", "2023-12-31", 100000}, /* before any version: CN's */
        {"LN", "2024-01-01", 200000}, {"LN", "2024-12-31", 200000},
        {"LN", "2025-01-01", 300000}, {"LN", "2031-07-01", 300000}, /* open-ended */
        {"CN", "2024-06-01", 100000}, /* CN has no versions */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, CLAIM("%s", "%s", "99999", ""), cases[i].region, cases[i].date);
        claim(M, json);
        assert_int_equal(M->vm->policy, strcmp(cases[i].region, "LN") == 0 ? 1 : 0);
        if (value(M, "cap") != cases[i].cap)
            print_error("%s %s\n", cases[i].region, cases[i].date);
        assert_int_equal(value(M, "cap"), cases[i].cap);
        assert_int_equal(value(M, "fund"), cases[i].cap);
    }
    stop(M);
}

/* How many instructions of chunk ci have opcode op. */
static int count_ops(const rg_program *p, uint32_t ci, unsigned op)
{
    const rg_chunk *c = &p->chunks[ci];
    int n = 0;
    for (uint32_t off = 0; off < c->len; off += rg_op_length(p->code[c->start + off]))
        n += p->code[c->start + off] == op;
    return n;
}

/* A policy's plan (compiler/plan.c) computes the outputs' definitions ahead:
 * the values are the lazy path's; when it fails on a definition the lazy path
 * would not read, it is forgotten and the lazy path decides. */
static void test_plan(void **state)
{
    (void)state;
    machine *M = start_one(ITEM_SHARES
                                "def n = count i in items\n"
                                "def per = 100 / n\n"
                                "def safe = if n > 0 then per else 0\n"
                                "result {\n  total = total\n  safe = safe\n}\n");
    const rg_program *p = M->p;
    assert_int_equal(p->n_plans, p->n_policies);
    assert_true(p->plans[0] < p->n_chunks);
    int stores = count_ops(p, p->plans[0], RG_OP_STORE_DEF) + count_ops(p, p->plans[0], RG_OP_MEMO_DEF);
    assert_int_equal(stores, 2); /* the two outputs: the rest lives in the plan's locals */
    rg_value out[2], lazy[2];
    const char *two = CLAIM("CN", "2024-03-05", "0", "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50\"}");
    claim(M, two);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(out[0], 7000);
    assert_int_equal(out[1], 50);
    assert_int_equal(M->vm->plan_fallbacks, 0);
    /* explaining, no plan runs: the same values */
    expect_lazy_same(M, two, out, sizeof out / sizeof *out);
    /* no items: the plan divides by zero computing `per`, which `safe` does not read */
    claim(M, CLAIM("CN", "2024-03-05", "0", ""));
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(M->vm->plan_fallbacks, 1);
    assert_string_equal(M->vm->error, "");
    /* a budget the plan exceeds but the lazy path does not: the lazy path decides */
    claim(M, two);
    M->vm->budget = 0;
    M->vm->explain = 1;
    assert_int_equal(rg_vm_eval_outputs(M->vm, lazy), RG_OK);
    uint64_t lazy_used = M->vm->used;
    M->vm->explain = 0;
    claim(M, two);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_true(M->vm->used > lazy_used); /* the plan charges its whole chunk at each item */
    claim(M, two);
    M->vm->budget = lazy_used;
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_memory_equal(out, lazy, sizeof out);
    assert_int_equal(M->vm->plan_fallbacks, 2);
    assert_int_equal(M->vm->used, lazy_used);
    M->vm->budget = 0;
    stop(M);
}

/* Catalog cells as the interpreter reads them (string cells are pointers,
 * absent ones none) and look-ups by keys of 0 to 19 bytes, near misses of the
 * same length (a last byte, a byte inside a word) and keys not there: the
 * plan and the lazy path agree. */
static void test_catalog_cells(void **state)
{
    (void)state;
    const char *files[] = {
        "CN.rg",
        HEAD "catalog drugs \"drugs.csv\" {\n  key code: string\n  name: string\n  cap: money?\n}\n"
             "for item in items {\n"
             "  def entry = find(drugs, region, item.code)\n"
             "  def named = entry.name == \"Long one\"\n"
             "  def cap = entry.cap ?? ¥0\n"
             "}\n"
             "def long_hits = count i in items where i.named\n"
             "def caps = sum i.cap for i in items\n"
             "def misses = count i in items where i.entry == none\n"
             "result {\n  long_hits = long_hits\n  caps = caps\n  misses = misses\n}\n",
        "drugs.csv", "code,name,cap\nA1,Short,1.25\nLONGER-THAN-8-BYTES,Long one,\nB2,Other,3.00\nWXYZ5,Five,2.00\n", NULL};
    machine *M = start(files);
    /* the row goes straight to its local, found by the item's key */
    assert_int_equal(count_ops(M->p, M->p->plans[0], RG_OP_FIND_ILOCAL), 1);
    assert_int_equal(count_ops(M->p, M->p->plans[0], RG_OP_FIND_LOCAL), 0);
    const char *c = CLAIM("CN", "2024-03-05", "0",
                          "{\"code\": \"A1\", \"amount\": \"1\"}, {\"code\": \"LONGER-THAN-8-BYTES\", \"amount\": \"1\"}, "
                          "{\"code\": \"LONGER-THAN-8-BYTEZ\", \"amount\": \"1\"}, {\"code\": \"A\", \"amount\": \"1\"}, "
                          "{\"code\": \"B2\", \"amount\": \"1\"}, {\"code\": \"\", \"amount\": \"1\"}, "
                          "{\"code\": \"WXYZ5\", \"amount\": \"1\"}, {\"code\": \"WXYZ6\", \"amount\": \"1\"}, "
                          "{\"code\": \"WXYA5\", \"amount\": \"1\"}");
    rg_value out[3];
    plan_settles(M, c, out);
    assert_int_equal(out[0], 1);   /* the long key's row, its name read as a string */
    assert_int_equal(out[1], 625); /* 1.25 + 3.00 + 2.00, the long key's cap absent */
    assert_int_equal(out[2], 5);   /* the near misses (last byte, inside a word), "A" and "" */
    expect_lazy_same(M, c, out, sizeof out / sizeof *out);
    stop(M);
}

/* The column tests (LOCAL_COL_IF_SOME: `row.col ?? y`;
 * JUMP_UNLESS_COL: `if row.col == member`; LOCAL_COL_IN_SET: `row.col == a
 * or row.col == b`) give the lazy path's answers for a present cell, an
 * absent cell and an absent row; a column past the 255 a byte names stays
 * two instructions and reads the same. */
static void test_column_tests(void **state)
{
    (void)state;
    char wide[6000], csv[4000];
    int n = snprintf(wide, sizeof wide, "catalog drugs \"drugs.csv\" {\n  key code: string\n  grade: grade?\n");
    for (int k = 0; k < 300; k++) n += snprintf(wide + n, sizeof wide - (size_t)n, "  c%d: money?\n", k);
    snprintf(wide + n, sizeof wide - (size_t)n, "}\n");
    n = snprintf(csv, sizeof csv, "code,grade");
    for (int k = 0; k < 300; k++) n += snprintf(csv + n, sizeof csv - (size_t)n, ",c%d", k);
    static const char *const rows[] = {"A1,A", "B2,B", "C3,", "D4,D", "E5,C"};
    for (int r = 0; r < 5; r++) {
        n += snprintf(csv + n, sizeof csv - (size_t)n, "\n%s", rows[r]);
        for (int k = 0; k < 300; k++) /* c2 and c280: A1 0.50, C3 2.00, absent elsewhere */
            n += snprintf(csv + n, sizeof csv - (size_t)n, ",%s",
                          (k == 2 || k == 280) && r == 0 ? "0.50" : (k == 2 || k == 280) && r == 2 ? "2.00" : "");
    }
    snprintf(csv + n, sizeof csv - (size_t)n, "\n");
    char policy[8000];
    snprintf(policy, sizeof policy,
             HEAD "enum grade { A, B, C, D }\n%s"
                  "for item in items {\n"
                  "  def entry = find(drugs, region, item.code)\n"
                  "  def capped = min(item.amount, entry.c2 ?? item.amount)\n"
                  "  def capped_far = min(item.amount, entry.c280 ?? item.amount)\n"
                  "  def b_amount = if entry.grade == B then item.amount else ¥0\n"
                  "  def ac = entry.grade == A or entry.grade == C\n"
                  "  def ac_amount = if ac then item.amount else ¥0\n"
                  "}\n"
                  "def n_capped = sum i.capped for i in items\n"
                  "def n_capped_far = sum i.capped_far for i in items\n"
                  "def n_b = sum i.b_amount for i in items\n"
                  "def n_ac = sum i.ac_amount for i in items\n"
                  "result {\n  n_capped = n_capped\n  n_capped_far = n_capped_far\n  n_b = n_b\n  n_ac = n_ac\n}\n",
             wide);
    const char *files[] = {"CN.rg", policy, "drugs.csv", csv, NULL};
    machine *M = start(files);
    uint32_t plan = M->p->plans[0];
    assert_int_equal(count_ops(M->p, plan, RG_OP_LOCAL_COL_IF_SOME), 1); /* c2; not c280 */
    assert_int_equal(count_ops(M->p, plan, RG_OP_JUMP_IF_SOME), 1);
    assert_int_equal(count_ops(M->p, plan, RG_OP_JUMP_UNLESS_COL), 1);
    assert_int_equal(count_ops(M->p, plan, RG_OP_LOCAL_COL_IN_SET), 1);
    const char *c = CLAIM("CN", "2024-03-05", "0",
                          "{\"code\": \"A1\", \"amount\": \"1\"}, {\"code\": \"B2\", \"amount\": \"1\"}, "
                          "{\"code\": \"C3\", \"amount\": \"5\"}, {\"code\": \"X9\", \"amount\": \"3\"}, "
                          "{\"code\": \"D4\", \"amount\": \"1\"}, {\"code\": \"B2\", \"amount\": \"20\"}, "
                          "{\"code\": \"E5\", \"amount\": \"4\"}");
    rg_value out[4];
    plan_settles(M, c, out);
    assert_int_equal(out[0], 3150); /* 0.50 + 2.00 (capped) + 3 (no row) + 1 + 1 + 20 + 4 (no cap) */
    assert_int_equal(out[1], 3150); /* the same through the far column */
    assert_int_equal(out[2], 2100); /* B2 twice; not C3 (no grade) nor X9 (no row) */
    assert_int_equal(out[3], 500);  /* A1, E5 */
    expect_lazy_same(M, c, out, sizeof out / sizeof *out);
    stop(M);
}

/* How many tests of a local (JUMP_IF_LOCAL_FALSE/TRUE) in chunk ci jump
 * straight onto another test of the same local. */
static int tests_landing_on_tests(const rg_program *p, uint32_t ci)
{
    const rg_chunk *c = &p->chunks[ci];
    const uint8_t *code = p->code + c->start;
    int n = 0;
    for (uint32_t off = 0; off < c->len; off += rg_op_length(code[off])) {
        int test = code[off] == RG_OP_JUMP_IF_LOCAL_FALSE || code[off] == RG_OP_JUMP_IF_LOCAL_TRUE;
        if (!test)
            continue;
        uint32_t to = rg_rd32(code + off + 3);
        int again = code[to] == RG_OP_JUMP_IF_LOCAL_FALSE || code[to] == RG_OP_JUMP_IF_LOCAL_TRUE;
        n += again && rg_rd16(code + to + 1) == rg_rd16(code + off + 1);
    }
    return n;
}

/* A jump that knows a flag (a test of it, or a store of it false) landing
 * on another test of the same flag goes straight to where that one goes (the
 * seed pack's `covered`, tested by three ifs an item): the answers stay the
 * lazy path's, flag true or false. */
static void test_threaded_flag_tests(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "for item in items {\n"
                                "  def cheap = item.amount < ¥10 or item.code == \"X\"\n"
                                "  def low = if cheap then item.amount else ¥0\n"
                                "  def own = if cheap then ¥0 else item.amount\n"
                                "  def over = if cheap then item.amount - ¥1 else ¥0\n"
                                "}\n"
                                "def n_low = sum i.low for i in items\n"
                                "def n_own = sum i.own for i in items\n"
                                "def n_over = sum i.over for i in items\n"
                                "result {\n  n_low = n_low\n  n_own = n_own\n  n_over = n_over\n}\n");
    uint32_t plan = M->p->plans[0];
    assert_true(count_ops(M->p, plan, RG_OP_JUMP_IF_LOCAL_FALSE) + count_ops(M->p, plan, RG_OP_JUMP_IF_LOCAL_TRUE) >= 2);
    assert_int_equal(tests_landing_on_tests(M->p, plan), 0);
    const char *c = CLAIM("CN", "2024-03-05", "0",
                          "{\"code\": \"A\", \"amount\": \"3\"}, {\"code\": \"B\", \"amount\": \"25\"}, "
                          "{\"code\": \"C\", \"amount\": \"9.99\"}, {\"code\": \"D\", \"amount\": \"10\"}, "
                          "{\"code\": \"X\", \"amount\": \"50\"}");
    rg_value out[3];
    plan_settles(M, c, out);
    assert_int_equal(out[0], 6299); /* 3 + 9.99 + 50 (X) */
    assert_int_equal(out[1], 3500); /* 25 + 10 */
    assert_int_equal(out[2], 5999); /* 2 + 8.99 + 49 */
    expect_lazy_same(M, c, out, sizeof out / sizeof *out);
    stop(M);
}

/* FIND_ILOCAL finds a row by an item's key wherever the key sits in the
 * item's record (here its second field), and absent for a key no row has. */
static void test_find_by_item_key(void **state)
{
    (void)state;
    const char *files[] = {
        "CN.rg",
        "policy CN\n"
        "record item {\n  amount: money\n  code: string\n}\n"
        "claim {\n  region: region\n  date: date\n  items: list of item\n}\n"
        "select policy by region as of date\n"
        "catalog drugs \"drugs.csv\" {\n  key code: string\n  cap: money\n}\n"
        "for item in items {\n"
        "  def entry = find(drugs, region, item.code)\n"
        "  def capped = min(item.amount, entry.cap ?? item.amount)\n"
        "}\n"
        "def n_capped = sum i.capped for i in items\n"
        "result {\n  n_capped = n_capped\n}\n",
        "drugs.csv", "code,cap\nA1,1.00\nB2,2.00\n", NULL};
    machine *M = start(files);
    assert_int_equal(count_ops(M->p, M->p->plans[0], RG_OP_FIND_ILOCAL), 1);
    const char *c = "{\"region\": \"CN\", \"date\": \"2024-03-05\", \"items\": [{\"amount\": \"5\", \"code\": \"A1\"}, "
                    "{\"amount\": \"5\", \"code\": \"B2\"}, {\"amount\": \"5\", \"code\": \"C3\"}]}";
    rg_value out[1];
    plan_settles(M, c, out);
    assert_int_equal(out[0], 800); /* 1.00 + 2.00 + 5 (no row) */
    expect_lazy_same(M, c, out, sizeof out / sizeof *out);
    stop(M);
}

/* The program keeps one copy of each text (with its hash), a claim string
 * equal to one of them is bound as that copy, and a catalog finds the same
 * row by the program's copy (its stored hash, a pointer compared) as by any
 * other copy of the text (hashed and compared byte by byte). */
static void test_program_strings(void **state)
{
    (void)state;
    const char *files[] = {
        "CN.rg",
        HEAD "catalog drugs \"drugs.csv\" {\n  key code: string\n  name: string\n}\n"
             "def tag = \"A1\"\n"
             "def other = \"Short\"\n",
        "drugs.csv", "code,name\nA1,Short\nLONGER-THAN-8-BYTES,Long one\nB2,A1\n", NULL};
    machine *M = start(files);
    const rg_program *p = M->p;
    for (uint32_t i = 0; i < p->n_strings; i++)
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(p->str[i], p->str[j]) == 0)
                assert_ptr_equal(p->str[i], p->str[j]); /* "A1" is a key, a name and a literal: one copy */
    const char *a1 = rg_program_string(p, "A1", 2, rg_str_hash_text("A1", 2));
    assert_non_null(a1);
    assert_true(rg_program_owns(p, a1));
    assert_string_equal(a1, "A1");
    assert_ptr_equal(rg_program_string(p, "A1zz", 2, rg_str_hash_text("A1", 2)), a1); /* len bytes, not up to a NUL */
    assert_null(rg_program_string(p, "A1z", 3, rg_str_hash_text("A1z", 3)));
    assert_null(rg_program_string(p, "A", 1, rg_str_hash_text("A", 1)));
    assert_null(rg_program_string(p, "A2", 2, rg_str_hash_text("A2", 2)));
    char mine[] = "Z9";
    assert_false(rg_program_owns(p, mine));
    /* bound: the program's copy, or a copy of the VM's */
    assert_ptr_equal((const char *)(intptr_t)rg_vm_intern(M->vm, "A1", 2), a1);
    const char *z9 = (const char *)(intptr_t)rg_vm_intern(M->vm, "Z9", 2);
    assert_false(rg_program_owns(p, z9));
    assert_string_equal(z9, "Z9");
    /* found alike by the program's copy and by another */
    static const char *const texts[] = {"A1", "B2", "LONGER-THAN-8-BYTES", "Short", "Z9", ""};
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        char other[32];
        snprintf(other, sizeof other, "%s", texts[k]);
        const char *own = rg_program_string(p, texts[k], strlen(texts[k]), rg_str_hash_text(texts[k], strlen(texts[k])));
        rg_value by_other = rg_catalog_find(p, 0, 0, other);
        assert_int_equal(by_other == RG_NONE, k >= 3); /* "Short" is a name, not a key */
        if (own)
            assert_int_equal(rg_catalog_find(p, 0, 0, own), by_other);
    }
    stop(M);
}

/* `x == A or x == B` over one read of x (a catalog cell, a field) is one set
 * test in the plan (IN_SET_IMM): the same answers as the lazy path for every
 * member, an absent row and a string field, a chain of three included. */
static void test_in_set(void **state)
{
    (void)state;
    const char *files[] = {
        "CN.rg",
        HEAD "enum grade { A, B, C, D }\n"
             "catalog drugs \"drugs.csv\" {\n  key code: string\n  grade: grade\n}\n"
             "for item in items {\n"
             "  def entry = find(drugs, region, item.code)\n"
             "  def ac = entry.grade == A or entry.grade == C\n"
             "  def abd = entry.grade == A or entry.grade == B or entry.grade == D\n"
             "  def named = item.code == \"A1\" or item.code == \"D4\"\n"
             "  def ac_amount = if ac then item.amount else ¥0\n"
             "  def abd_amount = if abd then item.amount else ¥0\n"
             "  def named_amount = if named then item.amount else ¥0\n"
             "  def mixed = item.amount > ¥10 or entry.grade == A or entry.grade == C\n"
             "  def mixed_amount = if mixed then item.amount else ¥0\n"
             "}\n"
             "def n_ac = sum i.ac_amount for i in items\n"
             "def n_abd = sum i.abd_amount for i in items\n"
             "def n_named = sum i.named_amount for i in items\n"
             "def n_mixed = sum i.mixed_amount for i in items\n"
             "result {\n  n_ac = n_ac\n  n_abd = n_abd\n  n_named = n_named\n  n_mixed = n_mixed\n}\n",
        "drugs.csv", "code,grade\nA1,A\nB2,B\nC3,C\nD4,D\n", NULL};
    machine *M = start(files);
    /* the chain of three is one; not `mixed`; each reads the row's column itself */
    assert_int_equal(count_ops(M->p, M->p->plans[0], RG_OP_LOCAL_COL_IN_SET), 2);
    assert_int_equal(count_ops(M->p, M->p->plans[0], RG_OP_IN_SET_IMM), 0);
    const char *c = CLAIM("CN", "2024-03-05", "0",
                          "{\"code\": \"A1\", \"amount\": \"1\"}, {\"code\": \"B2\", \"amount\": \"1\"}, "
                          "{\"code\": \"C3\", \"amount\": \"1\"}, {\"code\": \"D4\", \"amount\": \"1\"}, "
                          "{\"code\": \"none\", \"amount\": \"1\"}, {\"code\": \"C3\", \"amount\": \"1\"}, "
                          "{\"code\": \"B2\", \"amount\": \"20\"}");
    rg_value out[4];
    plan_settles(M, c, out);
    assert_int_equal(out[0], 300);  /* A1, C3, C3; not B2, D4, nor the absent row */
    assert_int_equal(out[1], 2300); /* A1, B2, D4, B2 */
    assert_int_equal(out[2], 200);  /* strings are not small integers: two tests, as written */
    /* `big or x == A or x == C`: big's true lands on the first test, which
     * must stay a test of x (as a set it would test true, 1, for bit 1) */
    assert_int_equal(out[3], 2300); /* A1, C3, C3, and the big B2 */
    expect_lazy_same(M, c, out, sizeof out / sizeof *out);
    stop(M);
}

/* The packed pairs (JUMP_UNLESS_FIELD: a claim field tested against
 * an enum member; IFIELD_ACC_ADD: an item field summed; ZERO_LOCALS: the
 * sums begun; SUB_MAX_IMM: max(x - y, ¥0)) are in the plan, and the plan
 * gives the lazy path's answers on every arm and fails where it would. */
static void test_packed_pairs(void **state)
{
    (void)state;
    machine *M = start_one("policy CN\n"
                           "enum kind { OUT, IN, DAY }\n"
                           "record item {\n  code: string\n  amount: money\n}\n"
                           "claim {\n  person: string\n  region: region\n  date: date\n  amount: money\n"
                           "  kind: kind\n  items: list of item\n}\n"
                           "select policy by region as of date\n"
                           "def total = sum i.amount for i in items\n"
                           "def coded = sum (if i.code == \"X\" then ¥0 else i.amount) for i in items\n"
                           "def rate = if kind == OUT then 50% else if kind == DAY then 20% else 80%\n"
                           "def left = max(amount - total, ¥0)\n"
                           "def paid = pct(total, rate)\n"
                           "result {\n  total = total\n  coded = coded\n  left = left\n  paid = paid\n}\n");
    uint32_t plan = M->p->plans[0];
    assert_int_equal(count_ops(M->p, plan, RG_OP_JUMP_UNLESS_FIELD), 2);
    assert_true(count_ops(M->p, plan, RG_OP_IFIELD_ACC_ADD) >= 1);
    assert_int_equal(count_ops(M->p, plan, RG_OP_ZERO_LOCALS), 1);
    assert_int_equal(count_ops(M->p, plan, RG_OP_SUB_MAX_IMM), 1);
#define KIND_CLAIM(kind, amount, items)                                                                   \
    "{\"person\": \"P1\", \"region\": \"CN\", \"date\": \"2024-03-05\", \"amount\": \"" amount "\", " \
    "\"kind\": \"" kind "\", \"items\": [" items "]}"
    static const struct {
        const char *json;
        rg_value total, coded, left, paid;
    } cases[] = {
        {KIND_CLAIM("OUT", "500", "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50.01\"}"),
         15001, 10000, 34999, 7501},
        {KIND_CLAIM("IN", "100", "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50\"}"),
         15000, 10000, 0, 12000},
        {KIND_CLAIM("DAY", "0", "{\"code\": \"X\", \"amount\": \"10\"}"), 1000, 0, 0, 200},
        {KIND_CLAIM("IN", "3", ""), 0, 0, 300, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rg_value out[4];
        claim(M, cases[k].json);
        assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
        assert_int_equal(out[0], cases[k].total);
        assert_int_equal(out[1], cases[k].coded);
        assert_int_equal(out[2], cases[k].left);
        assert_int_equal(out[3], cases[k].paid);
        expect_lazy_same(M, cases[k].json, out, sizeof out / sizeof *out);
    }
    assert_int_equal(M->vm->plan_fallbacks, 0);
    /* a sum that overflows (100 items of the largest amount): the plan's fused
     * add fails, the lazy path reports it */
    char big[8192] = "{\"person\": \"P1\", \"region\": \"CN\", \"date\": \"2024-03-05\", \"amount\": \"0\", "
                     "\"kind\": \"IN\", \"items\": [";
    for (int k = 0; k < 100; k++)
        strcat(big, k ? ", {\"code\": \"A\", \"amount\": \"1000000000000000\"}" : "{\"code\": \"A\", \"amount\": \"1000000000000000\"}");
    strcat(big, "]}");
    claim(M, big);
    rg_value out[4];
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_ERR_RUNTIME);
    assert_int_equal(M->vm->plan_fallbacks, 1);
    assert_non_null(strstr(M->vm->error, "overflow"));
#undef KIND_CLAIM
    stop(M);
}

/* The summed differences (SUB_LOCAL_ACC: x - a summed; SUB_LOCALS_ACC:
 * a - b summed, both in a plan's item loop) are in the plan, give the lazy
 * path's answers, and fail where it would (a sum overflowing). */
static void test_summed_differences(void **state)
{
    (void)state;
    machine *M = start_one("policy CN\n"
                           "record item {\n  code: string\n  amount: money\n}\n"
                           "claim {\n  person: string\n  region: region\n  date: date\n  cap: money\n"
                           "  items: list of item\n}\n"
                           "select policy by region as of date\n"
                           "for item in items {\n"
                           "  def capped = if item.code == \"Y\" then ¥0 else min(item.amount, cap)\n"
                           "  def share = if item.code == \"X\" then ¥0 else capped\n"
                           "  def excess = item.amount - capped\n"
                           "}\n"
                           "def over = sum item.excess for item in items\n"
                           "def kept = sum item.capped - item.share for item in items\n"
                           "result {\n  over = over\n  kept = kept\n}\n");
    uint32_t plan = M->p->plans[0];
    assert_int_equal(count_ops(M->p, plan, RG_OP_SUB_LOCAL_ACC), 1);
    assert_int_equal(count_ops(M->p, plan, RG_OP_SUB_LOCALS_ACC), 1);
#define CAP_CLAIM(cap, items) \
    "{\"person\": \"P1\", \"region\": \"CN\", \"date\": \"2024-03-05\", \"cap\": \"" cap "\", \"items\": [" items "]}"
    static const struct {
        const char *json;
        rg_value over, kept;
    } cases[] = {
        {CAP_CLAIM("60", "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50.01\"}"), 4000, 5001},
        {CAP_CLAIM("0", "{\"code\": \"X\", \"amount\": \"10\"}"), 1000, 0},
        {CAP_CLAIM("5", "{\"code\": \"A\", \"amount\": \"10\"}, {\"code\": \"X\", \"amount\": \"1\"}"), 500, 100},
        {CAP_CLAIM("3", ""), 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rg_value out[2];
        claim(M, cases[k].json);
        assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
        assert_int_equal(out[0], cases[k].over);
        assert_int_equal(out[1], cases[k].kept);
        expect_lazy_same(M, cases[k].json, out, sizeof out / sizeof *out);
    }
    assert_int_equal(M->vm->plan_fallbacks, 0);
    /* amounts are never negative: a difference here fits, the sums need not.
     * A hundred of ¥10^15 over a cap of 0: `over` overflows (SUB_LOCAL_ACC);
     * coded X under a cap as large: `kept` does (SUB_LOCALS_ACC) */
    static const struct {
        const char *cap, *code;
    } big[] = {{"0", "A"}, {"1000000000000000", "X"}};
    for (size_t k = 0; k < 2; k++) {
        char json[8192];
        int n = snprintf(json, sizeof json, "{\"person\": \"P1\", \"region\": \"CN\", \"date\": \"2024-03-05\", "
                                            "\"cap\": \"%s\", \"items\": [", big[k].cap);
        for (int j = 0; j < 100; j++)
            n += snprintf(json + n, sizeof json - (size_t)n, "%s{\"code\": \"%s\", \"amount\": \"1000000000000000\"}",
                          j ? ", " : "", big[k].code);
        snprintf(json + n, sizeof json - (size_t)n, "]}");
        rg_value out[2];
        claim(M, json);
        assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_ERR_RUNTIME);
        assert_int_equal(M->vm->plan_fallbacks, k + 1);
        assert_non_null(strstr(M->vm->error, "overflow"));
    }
#undef CAP_CLAIM
    stop(M);
}

/* A claim bound once and kept, as `regula bench` keeps claims, settled in
 * place with rg_vm_bind_slots: the same outputs, its slots never written, and
 * the next bind fills the context's own slots again. (The kept strings stay
 * in the context's buffer: nothing is interned between.) */
static void test_bind_slots(void **state)
{
    (void)state;
    machine *M = start_one(ITEM_SHARES "result {\n  total = total\n}\n");
    const rg_program *p = M->p;
    const char *two = CLAIM("CN", "2024-03-05", "0", "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50\"}");
    claim(M, two);
    rg_value out = 0, in_place = 0;
    assert_int_equal(rg_vm_eval_outputs(M->vm, &out), RG_OK);
    assert_int_equal(out, 7000);
    size_t n = p->n_claim_slots + 2 * (size_t)p->n_item_slots;
    rg_value *kept = malloc(n * sizeof *kept), *copy = malloc(n * sizeof *copy);
    assert_non_null(kept);
    assert_non_null(copy);
    memcpy(kept, M->vm->claim, p->n_claim_slots * sizeof *kept);
    memcpy(kept + p->n_claim_slots, M->vm->items, 2 * (size_t)p->n_item_slots * sizeof *kept);
    memcpy(copy, kept, n * sizeof *kept);

    rg_vm_reset(M->vm);
    const uint32_t counts[1] = {2};
    assert_int_equal(p->n_claim_lists, 1);
    assert_int_equal(rg_vm_bind_slots(M->vm, kept, kept + p->n_claim_slots, counts), RG_OK);
    assert_ptr_equal(M->vm->claim, kept);
    assert_int_equal(M->vm->n_items, 2);
    assert_int_equal(rg_vm_begin(M->vm), RG_OK);
    assert_int_equal(rg_vm_eval_outputs(M->vm, &in_place), RG_OK);
    assert_int_equal(in_place, out);
    assert_memory_equal(kept, copy, n * sizeof *kept);

    claim(M, CLAIM("CN", "2024-03-05", "0", "{\"code\": \"A\", \"amount\": \"10\"}"));
    assert_ptr_not_equal(M->vm->claim, kept);
    assert_ptr_not_equal(M->vm->items, kept + p->n_claim_slots);
    assert_int_equal(rg_vm_eval_outputs(M->vm, &out), RG_OK);
    assert_int_equal(out, 700);
    assert_memory_equal(kept, copy, n * sizeof *kept);
    free(kept);
    free(copy);
    stop(M);
}

/* A yearly ledger (paid, visits) and a fund that pays up to ¥1 000 a year,
 * its update adding what it paid (lines 14-22). */
#define YEARLY_FUND                                                                        \
    HEAD "ledger yearly by person, year(date) {\n  paid: money\n  visits: int\n}\n"           \
         "def fund = min(amount, max(¥0, ¥1_000 - yearly.paid))\n"                           \
         "update when fund > ¥0 {\n  yearly.paid += fund\n  yearly.visits += 1\n}\n"

/* Bind a claim as claim() does, with this year's ledger values before it. */
static void claim_paid(machine *M, const char *json, rg_value paid, rg_value visits)
{
    claim(M, json);
    M->vm->ledger_in[0] = paid;
    M->vm->ledger_in[1] = visits;
}

/* A plan computes the ledger updates too (LEDGER_BEGIN, then the update
 * chunk's statements on its locals): rg_vm_run_updates then has nothing to
 * run, and the ledger after the claim is the lazy path's. An update that
 * fails makes the plan fail: the lazy path runs the updates and reports it. */
static void test_plan_updates(void **state)
{
    (void)state;
    machine *M = start_one(YEARLY_FUND
                                "update when amount > ¥1_000_000 {\n  yearly.paid += amount * 100_000\n}\n"
                                "result {\n  fund = fund\n}\n");
    const rg_program *p = M->p;
    assert_int_equal(count_ops(p, p->plans[0], RG_OP_LEDGER_BEGIN), 1);
    rg_value out, lazy_out[2];
    claim_paid(M, CLAIM("CN", "2024-03-05", "300", ""), 90000, 4);
    assert_int_equal(rg_vm_eval_outputs(M->vm, &out), RG_OK);
    assert_int_equal(out, 10000);
    assert_int_equal(M->vm->updates_done, 1);
    assert_int_equal(M->vm->ledger_out[0], 100000); /* computed by the plan already */
    assert_int_equal(M->vm->ledger_out[1], 5);
    assert_int_equal(rg_vm_run_updates(M->vm), RG_OK);
    assert_int_equal(M->vm->ledger_out[0], 100000);
    assert_int_equal(M->vm->ledger_out[1], 5);
    assert_int_equal(M->vm->ledger_in[0], 90000);

    /* explaining, no plan: the update chunk runs, to the same ledger */
    claim_paid(M, CLAIM("CN", "2024-03-05", "300", ""), 90000, 4);
    M->vm->explain = 1;
    assert_int_equal(rg_vm_eval_outputs(M->vm, &out), RG_OK);
    assert_int_equal(M->vm->updates_done, 0);
    assert_int_equal(rg_vm_run_updates(M->vm), RG_OK);
    memcpy(lazy_out, M->vm->ledger_out, sizeof lazy_out);
    assert_int_equal(lazy_out[0], 100000);
    assert_int_equal(lazy_out[1], 5);
    M->vm->explain = 0;

    /* the second update overflows: the plan fails, the outputs are the lazy
     * path's, and rg_vm_run_updates runs the update chunk and reports it */
    uint64_t fallbacks = M->vm->plan_fallbacks;
    claim(M, CLAIM("CN", "2024-03-05", "1000000000000", ""));
    assert_int_equal(rg_vm_eval_outputs(M->vm, &out), RG_OK);
    assert_int_equal(out, 100000);
    assert_int_equal(M->vm->plan_fallbacks, fallbacks + 1);
    assert_int_equal(M->vm->updates_done, 0);
    assert_int_equal(rg_vm_run_updates(M->vm), RG_ERR_RUNTIME);
    assert_non_null(strstr(M->vm->error, "arithmetic overflow in *"));
    stop(M);
}

/* A decision in a plan: its arms computed in place (no call), the first
 * match's value, the same as the lazy path's with --explain. */
static void test_plan_decision(void **state)
{
    (void)state;
    machine *M = start_one(ITEM_SHARES
                           "decide band: int {\n  when total > ¥100 -> 2\n  when total > ¥10 -> 1\n  otherwise -> 0\n}\n"
                           "def doubled = band * 2\n"
                           "result {\n  band = band\n  doubled = doubled\n}\n");
    const rg_program *p = M->p;
    assert_true(p->plans[0] < p->n_chunks);
    assert_int_equal(count_ops(p, p->plans[0], RG_OP_LOAD_DEF), 0); /* band is computed in the plan, not called */
    static const struct {
        const char *amount;
        rg_value band;
    } cases[] = {{"200", 2}, {"100", 1}, {"10", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char items[128], json[512];
        rg_value out[2], lazy[2];
        snprintf(items, sizeof items, "{\"code\": \"A\", \"amount\": \"%s\"}", cases[i].amount);
        snprintf(json, sizeof json, CLAIM("CN", "2024-03-05", "0", "%s"), items);
        claim(M, json);
        assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
        assert_int_equal(out[0], cases[i].band);
        assert_int_equal(out[1], 2 * cases[i].band);
        claim(M, json);
        M->vm->explain = 1;
        assert_int_equal(rg_vm_eval_outputs(M->vm, lazy), RG_OK);
        M->vm->explain = 0;
        assert_memory_equal(out, lazy, sizeof out);
    }
    assert_int_equal(M->vm->plan_fallbacks, 0);
    stop(M);
}

/* A child's per-item definition may name its item otherwise: its plan binds
 * the child's name. */
static void test_plan_child_item_name(void **state)
{
    (void)state;
    const char *files[] = {"CN.rg",
                           HEAD "for item in items {\n"
                                "  def big = item.amount > ¥100\n"
                                "  def part = if big then item.amount else ¥0\n"
                                "}\n"
                                "def total = sum item.part for item in items\n"
                                "result {\n  total = total\n}\n",
                           "BJ.rg", "policy BJ extends CN\nfor it in items {\n  def big = it.amount > ¥50\n}\n", NULL};
    machine *M = start(files);
    assert_int_equal(M->p->n_plans, 2);
    rg_value out[1];
    const char *items = "{\"code\": \"A\", \"amount\": \"60\"}, {\"code\": \"B\", \"amount\": \"200\"}";
    char json[512];
    snprintf(json, sizeof json, CLAIM("BJ", "2024-03-05", "0", "%s"), items);
    claim(M, json);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(out[0], 26000);
    snprintf(json, sizeof json, CLAIM("CN", "2024-03-05", "0", "%s"), items);
    claim(M, json);
    assert_int_equal(rg_vm_eval_outputs(M->vm, out), RG_OK);
    assert_int_equal(out[0], 20000);
    assert_int_equal(M->vm->plan_fallbacks, 0);
    stop(M);
}

static void test_per_item_definitions(void **state)
{
    (void)state;
    machine *M = start_one(ITEM_SHARES
                                "def uncovered = count item in items where not item.covered\n");
    claim(M, CLAIM("CN", "2024-03-05", "0",
                   "{\"code\": \"A\", \"amount\": \"100\"}, {\"code\": \"X\", \"amount\": \"50\"}, "
                   "{\"code\": \"B\", \"amount\": \"0.05\"}"));
    assert_int_equal(M->vm->n_items, 3);
    assert_int_equal(value(M, "total"), 7000 + 0 + 4); /* 0.035 -> 0.04 */
    assert_int_equal(value(M, "uncovered"), 1);
    /* per-item definitions are not claim-level: the VM refuses them */
    rg_value v;
    assert_int_equal(rg_vm_eval_def(M->vm, slot(M, "share"), &v), RG_ERR_USAGE);
    claim(M, CLAIM("CN", "2024-03-05", "0", ""));
    assert_int_equal(value(M, "total"), 0);
    stop(M);
}

static void test_ledger_updates(void **state)
{
    (void)state;
    machine *M = start_one(YEARLY_FUND
                                "update {\n  yearly.visits -= 0\n}\n");
    assert_int_equal(M->p->n_ledger_fields, 2);
    claim_paid(M, CLAIM("CN", "2024-03-05", "300", ""), 90000, 4); /* ¥900 paid this year already */
    assert_int_equal(value(M, "fund"), 10000);
    assert_int_equal(rg_vm_run_updates(M->vm), RG_OK);
    assert_int_equal(M->vm->ledger_out[0], 100000);
    assert_int_equal(M->vm->ledger_out[1], 5);
    /* the values before the claim are untouched */
    assert_int_equal(M->vm->ledger_in[0], 90000);
    assert_int_equal(M->vm->ledger_in[1], 4);
    /* the condition false: ledger_out is a copy of ledger_in */
    claim_paid(M, CLAIM("CN", "2024-03-05", "300", ""), 100000, 7);
    assert_int_equal(value(M, "fund"), 0);
    assert_int_equal(rg_vm_run_updates(M->vm), RG_OK);
    assert_int_equal(M->vm->ledger_out[0], 100000);
    assert_int_equal(M->vm->ledger_out[1], 7);
    /* the ledger keys: person and year, both read without the interpreter
     * (rg_chunk_rt.field, .year) and charged the budget as running their
     * chunks would be: LOAD_FIELD; RET and LOAD_FIELD; YEAR; RET */
    rg_value keys[2];
    uint64_t used = M->vm->used;
    assert_int_equal(rg_vm_ledger_keys(M->vm, 0, keys), RG_OK);
    assert_string_equal((const char *)(uintptr_t)keys[0], "P1");
    assert_int_equal(keys[1], 2024);
    assert_int_equal(M->vm->used - used, 2 + 3);
    uint32_t n_year = 0;
    for (uint32_t c = 0; c < M->p->n_chunks; c++) n_year += M->p->chunk_rt[c].year;
    assert_int_equal(n_year, 1);
    const char *dates[] = {"2023-12-31", "2024-01-01", "2000-02-29", "1969-12-31"};
    const rg_value years[] = {2023, 2024, 2000, 1969};
    for (int i = 0; i < 4; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"person\": \"P1\", \"region\": \"CN\", \"date\": \"%s\", "
                 "\"amount\": \"1\", \"items\": []}", dates[i]);
        claim(M, json);
        assert_int_equal(rg_vm_ledger_keys(M->vm, 0, keys), RG_OK);
        assert_int_equal(keys[1], years[i]);
    }
    /* a budget that the year key's 3 instructions exceed: the interpreter runs
     * it and reports the budget, as before */
    claim(M, CLAIM("CN", "2024-03-05", "300", ""));
    M->vm->budget = M->vm->used + 2 + 2;
    assert_int_equal(rg_vm_ledger_keys(M->vm, 0, keys), RG_ERR_BUDGET);
    M->vm->budget = 0;
    stop(M);
}

/* Every scope's keys at once (rg_vm_claim_keys): one loop for a policy all
 * of whose scopes apply to it, giving the keys and charging the budget as
 * asking for each scope in turn does; a region's own ledger has no key for
 * the claims of another region; a budget that the keys exceed gives the
 * same failure either way. */
static void test_claim_keys_at_once(void **state)
{
    (void)state;
    const char *files[] = {"CN.rg", HEAD "ledger yearly by person, year(date) {\n  paid: money\n}\n",
                           "A.rg", "policy A extends CN\nledger mine by person {\n  n: int\n}\n",
                           "B.rg", "policy B extends CN\n", NULL};
    machine *M = start(files);
    assert_int_equal(M->p->n_ledger_scopes, 2);
    assert_int_equal(M->p->n_ledger_keys, 3);
    const char *regions[] = {"A", "B", "CN"};
    for (int r = 0; r < 3; r++) {
        char json[256];
        snprintf(json, sizeof json, "{\"person\": \"P7\", \"region\": \"%s\", \"date\": \"2024-03-05\", "
                 "\"amount\": \"1\", \"items\": []}", regions[r]);
        for (uint64_t room = 0; room <= 12; room++) { /* budgets from none left to enough, and unlimited */
            rg_value each[3] = {0, 0, 0}, all[3] = {0, 0, 0};
            claim(M, json);
            const uint64_t used = M->vm->used;
            M->vm->budget = room == 12 ? 0 : used + room;
            rg_status se = rg_vm_ledger_keys(M->vm, 0, each);
            if (se == RG_OK)
                se = rg_vm_ledger_keys(M->vm, 1, each + 2);
            const uint64_t used_each = M->vm->used;
            M->vm->used = used;
            rg_status sa = rg_vm_claim_keys(M->vm, all);
            assert_int_equal(sa, se);
            assert_int_equal(M->vm->used, used_each);
            for (int k = 0; se == RG_OK && k < 3; k++)
                assert_true(all[k] == each[k]);
            if (room == 12) {
                assert_string_equal((const char *)(uintptr_t)all[0], "P7");
                assert_int_equal(all[1], 2024);
                if (r == 0)
                    assert_string_equal((const char *)(uintptr_t)all[2], "P7");
                else
                    assert_true(all[2] == RG_NONE);
            }
            M->vm->budget = 0;
        }
    }
    stop(M);
}

static void test_no_allocation_when_warm(void **state)
{
    (void)state;
    machine *M = start_one(HEAD "for item in items {\n  def share = pct(item.amount, 70%)\n}\n"
                                "def total = sum item.share for item in items\n"
                                "ledger yearly by person {\n  paid: money\n}\n"
                                "update { yearly.paid += total }\n");
    enum { N = 64 };
    static char claims[N][2600];
    for (int i = 0; i < N; i++) {
        char items[2048] = "";
        size_t used = 0;
        for (int k = 0; k < 1 + i % 9; k++)
            used += (size_t)snprintf(items + used, sizeof items - used, "%s{\"code\": \"C%d-%d\", \"amount\": \"%d.%02d\"}",
                                     k ? ", " : "", i, k, 10 + k, i % 100);
        snprintf(claims[i], sizeof claims[i], "{\"person\": \"person-%d\", \"region\": \"CN\", \"date\": \"2024-03-05\", "
                 "\"amount\": \"1\", \"items\": [%s]}", i, items);
    }
    uint32_t total = slot(M, "total");
    M->vm->explain = 1;
    char err[256];
    rg_value sum = 0;
    if (COUNTS_ALLOCATIONS) { /* the counter sees what this file allocates */
        unsigned long a = n_allocations;
        void *probe = malloc(16);
        assert_int_equal(n_allocations, a + 1);
        free(probe);
    }
    /* one round to warm up, then no allocation at all, and the sizes hold still */
    for (int round = 0; round < 4; round++) {
        uint32_t cap_items = M->vm->cap_items, cap_trace = M->vm->cap_trace, stack_cap = M->vm->stack_cap;
        size_t cap_strbuf = M->vm->cap_strbuf;
        unsigned long allocations = n_allocations;
        for (int i = 0; i < N; i++) {
            assert_int_equal(rg_claim_read(M->rd, M->vm, claims[i], strlen(claims[i]), 0, err, sizeof err, NULL), RG_OK);
            assert_int_equal(rg_vm_begin(M->vm), RG_OK);
            rg_value v;
            assert_int_equal(rg_vm_eval_def(M->vm, total, &v), RG_OK);
            assert_int_equal(rg_vm_run_updates(M->vm), RG_OK);
            sum += v;
        }
        if (round > 0) {
            assert_int_equal(M->vm->cap_items, cap_items);
            assert_int_equal(M->vm->cap_trace, cap_trace);
            assert_int_equal(M->vm->stack_cap, stack_cap);
            assert_int_equal(M->vm->cap_strbuf, cap_strbuf);
            if (n_allocations != allocations)
                print_error("round %d: %lu allocations settling %d warm claims\n", round,
                            n_allocations - allocations, N);
            assert_int_equal(n_allocations, allocations);
        }
    }
    assert_true(M->vm->cap_items >= 9);
    assert_true(M->vm->n_trace > 0); /* explaining did record */
    assert_true(sum > 0);
    stop(M);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_arithmetic),
        cmocka_unit_test(test_overflow_is_an_error),
        cmocka_unit_test(test_division_by_zero),
        cmocka_unit_test(test_no_row_of_table),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_outputs_in_one_run),
        cmocka_unit_test(test_version_selection),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_plan_decision),
        cmocka_unit_test(test_catalog_cells),
        cmocka_unit_test(test_column_tests),
        cmocka_unit_test(test_threaded_flag_tests),
        cmocka_unit_test(test_find_by_item_key),
        cmocka_unit_test(test_in_set),
        cmocka_unit_test(test_bind_slots),
        cmocka_unit_test(test_plan_updates),
        cmocka_unit_test(test_plan_child_item_name),
        cmocka_unit_test(test_per_item_definitions),
        cmocka_unit_test(test_ledger_updates),
        cmocka_unit_test(test_claim_keys_at_once),
        cmocka_unit_test(test_packed_pairs),
        cmocka_unit_test(test_summed_differences),
        cmocka_unit_test(test_program_strings),
        cmocka_unit_test(test_no_allocation_when_warm),
    };
    return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
