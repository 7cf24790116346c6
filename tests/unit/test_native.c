/* test_native.c — unit tests of the native back end (native/, vm/native_load.c):
 * the C it generates, and that a plan run natively leaves the VM exactly as the
 * interpreter's run does — outputs, ledger, error and status, and the budget
 * charged to the instruction — on claims that settle and claims that fail, at
 * budgets around what each claim takes; an object of another image is refused.
 * Skips (passing) when the system has no C compiler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "compiler.h"
#include "native.h"
#include "pack_fixture.h"
#include "regula.h"
#include "rg_stdlib.h"
#include "vm.h"

/* The pack in directory dir, written to its image and loaded from it
 * (verified); with native code attached when native is 1. */
typedef struct {
    rgc_pack *pk;
    rg_diag diag;
    uint8_t *image;
    size_t len;
    rg_program *p;
    uint8_t id[RG_NATIVE_ID_BYTES];
    char dir[64], so[256];
} built;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static built *build(const char *pack, int native)
{
    built *B = calloc(1, sizeof *B);
    assert_non_null(B);
    rg_diag_init(&B->diag, stderr);
    B->pk = rgc_compile(pack, &B->diag);
    assert_non_null(B->pk);
    assert_int_equal(rgc_program_write(rgc_pack_program(B->pk), &B->image, &B->len), 0);
    char err[512];
    assert_int_equal(rg_program_load(B->image, B->len, &B->p, err, sizeof err), 0);
    assert_int_equal(rgn_image_id(B->image, B->len, B->id), 0);
    if (native) {
        snprintf(B->dir, sizeof B->dir, "/tmp/rg_native_XXXXXX");
        assert_non_null(mkdtemp(B->dir));
        snprintf(B->so, sizeof B->so, "%s/pack.so", B->dir);
        if (rgn_build(B->p, B->id, rgn_cc(), B->so, err, sizeof err) != 0)
            print_error("%s\n", err);
        assert_int_equal(rg_native_attach(B->p, B->so, B->id, err, sizeof err), 0);
        assert_non_null(B->p->native);
    }
    return B;
}

static void unbuild(built *B)
{
    rg_native_detach(B->p);
    rg_program_free(B->p);
    free(B->image);
    if (B->so[0])
        unlink(B->so);
    if (B->dir[0])
        rmdir(B->dir);
    rgc_pack_free(B->pk);
    rg_diag_free(&B->diag);
    free(B);
}

/* What settling one claim left: enough to tell two runs apart. */
#define RG_TEST_MAX 64
typedef struct {
    rg_status st;
    char error[512];
    rg_value out[RG_TEST_MAX], ledger[RG_TEST_MAX];
    uint64_t used;
} outcome;

static outcome settle(const rg_program *p, rg_vm *vm, rg_claim_reader *rd, const char *line, uint64_t budget)
{
    outcome o;
    memset(&o, 0, sizeof o);
    char err[256];
    rg_vm_reset(vm);
    assert_int_equal(rg_claim_read(rd, vm, line, strlen(line), 1, err, sizeof err, NULL), RG_OK);
    vm->budget = budget;
    o.st = rg_vm_begin(vm);
    for (uint32_t f = 0; f < p->n_ledger_fields; f++)
        vm->ledger_in[f] = 7 * (rg_value)f + 100;
    if (o.st == RG_OK)
        o.st = rg_vm_eval_outputs(vm, o.out);
    if (o.st == RG_OK)
        o.st = rg_vm_run_updates(vm);
    if (o.st == RG_OK)
        memcpy(o.ledger, vm->ledger_out, p->n_ledger_fields * sizeof *vm->ledger_out);
    snprintf(o.error, sizeof o.error, "%s", o.st == RG_OK ? "" : vm->error);
    o.used = vm->used;
    return o;
}

static void same(const outcome *a, const outcome *b, const char *line, uint64_t budget)
{
    if (a->st != b->st || strcmp(a->error, b->error) != 0 || a->used != b->used ||
        memcmp(a->out, b->out, sizeof a->out) != 0 || memcmp(a->ledger, b->ledger, sizeof a->ledger) != 0)
        print_error("budget %llu, claim %s\ninterpreter: %d '%s' used %llu\nnative:      %d '%s' used %llu\n",
                    (unsigned long long)budget, line, a->st, a->error, (unsigned long long)a->used, b->st, b->error,
                    (unsigned long long)b->used);
    assert_int_equal(a->st, b->st);
    assert_string_equal(a->error, b->error);
    assert_int_equal(a->used, b->used);
    assert_memory_equal(a->out, b->out, sizeof a->out);
    assert_memory_equal(a->ledger, b->ledger, sizeof a->ledger);
}

static int have_cc(void)
{
    return system("command -v \"${REGULA_CC:-cc}\" >/dev/null 2>&1") == 0;
}

/* Every claim of the file that binds, unlimited and at budgets around what
 * it takes (the last instruction it may run, one short of it, half, a
 * handful): the same outcome, native code computing the plans it could. */
static void same_on_claims(const char *pack, const char *claims_path, int min_claims)
{
    built *B = build(pack, 1);
    assert_true(B->p->n_outputs <= RG_TEST_MAX && B->p->n_ledger_fields <= RG_TEST_MAX);
    rg_vm *vm = rg_vm_new(B->p);
    rg_claim_reader *rd = rg_claim_reader_new(B->p, NULL);
    assert_non_null(vm);
    assert_non_null(rd);
    char *claims = slurp(claims_path);
    if (!claims) {
        print_message("no %s: skipped\n", claims_path);
        goto done;
    }
    int n = 0;
    char err[256];
    for (char *line = strtok(claims, "\n"); line; line = strtok(NULL, "\n")) {
        rg_vm_reset(vm);
        if (rg_claim_read(rd, vm, line, strlen(line), 1, err, sizeof err, NULL) != RG_OK)
            continue; /* a bad line: nothing to settle */
        n++;
        vm->no_native = 1;
        outcome full = settle(B->p, vm, rd, line, 0);
        uint64_t budgets[] = {0, full.used, full.used - 1, full.used / 2, 3};
        for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
            vm->no_native = 1;
            outcome a = settle(B->p, vm, rd, line, budgets[i]);
            vm->no_native = 0;
            outcome b = settle(B->p, vm, rd, line, budgets[i]);
            same(&a, &b, line, budgets[i]);
        }
    }
    assert_true(n >= min_claims);
    assert_true(vm->native_runs > 0);      /* the claims that settle */
    assert_true(vm->native_fallbacks > 0); /* those that fail, and the small budgets */
done:
    free(claims);
    rg_claim_reader_free(rd);
    rg_vm_free(vm);
    unbuild(B);
}

/* tests/native/pack: plans that fail at run time in several ways;
 * tests/native/undone_pack: a plan that leaves outputs to the lazy path;
 * tests/native/select_pack: short branches in an item loop computed both ways */
static void test_fixture_packs(void **state)
{
    (void)state;
    if (!have_cc())
        skip();
    same_on_claims("tests/native/pack", "tests/native/claims.jsonl", 8);
    same_on_claims("tests/native/undone_pack", "tests/native/undone_claims.jsonl", 3);
    same_on_claims("tests/native/select_pack", "tests/native/select_claims.jsonl", 5);
}

/* How many regions of a pack's generated C compute both ways (not counting
 * those inside another: each outermost one starts a line). */
static int both_ways(const char *pack)
{
    built *B = build(pack, 0);
    rg_sb c = {0};
    char err[256];
    assert_int_equal(rgn_generate(B->p, B->id, &c, err, sizeof err), 0);
    int n = 0;
    for (const char *s = rg_sb_str(&c); (s = strstr(s, "\n    { int j")) != NULL; s++)
        n++;
    rg_sb_free(&c);
    unbuild(B);
    return n;
}

/* The item loops' branches on an item's data are written as selects
 * (native/cgen_select.c): the fixture's four (not its claim-level one,
 * outside a loop) and the seed pack's; a way not taken that overflows gives
 * the claim back to the interpreter, whose result stands, and a claim whose
 * ways do not fail settles natively. */
static void test_select_both_ways(void **state)
{
    (void)state;
    assert_int_equal(both_ways("tests/native/select_pack"), 4);
    assert_true(both_ways("policies") >= 2);
    if (!have_cc())
        return;
    built *B = build("tests/native/select_pack", 1);
    rg_vm *vm = rg_vm_new(B->p);
    rg_claim_reader *rd = rg_claim_reader_new(B->p, NULL);
    assert_non_null(vm);
    assert_non_null(rd);
    char *claims = slurp("tests/native/select_claims.jsonl");
    assert_non_null(claims);
    const char *untaken = strstr(claims, "{\"claim_id\":\"untaken-overflows\"");
    const char *both = strstr(claims, "{\"claim_id\":\"both\"");
    assert_non_null(untaken);
    assert_non_null(both);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(strchr(untaken, '\n') - untaken), untaken);
    vm->no_native = 1;
    outcome a = settle(B->p, vm, rd, line, 0);
    vm->no_native = 0;
    uint64_t fallbacks = vm->native_fallbacks;
    outcome b = settle(B->p, vm, rd, line, 0);
    same(&a, &b, line, 0);
    assert_int_equal(a.st, RG_OK);
    assert_int_equal(vm->native_fallbacks, fallbacks + 1);
    snprintf(line, sizeof line, "%.*s", (int)(strchr(both, '\n') - both), both);
    uint64_t runs = vm->native_runs;
    fallbacks = vm->native_fallbacks;
    b = settle(B->p, vm, rd, line, 0);
    assert_int_equal(b.st, RG_OK);
    assert_int_equal(vm->native_runs, runs + 1);
    assert_int_equal(vm->native_fallbacks, fallbacks);
    free(claims);
    rg_claim_reader_free(rd);
    rg_vm_free(vm);
    unbuild(B);
}

/* the seed pack on the conformance claims, Part 1 and Part 2 */
static void test_seed_pack(void **state)
{
    (void)state;
    if (!have_cc())
        skip();
    const char *conf = getenv("CONFORMANCE_DIR") ? getenv("CONFORMANCE_DIR") : "../shared/conformance";
    char path[512];
    snprintf(path, sizeof path, "%s/claims.jsonl", conf);
    same_on_claims("policies", path, 50);
    snprintf(path, sizeof path, "%s/part2-claims.jsonl", conf);
    same_on_claims("policies", path, 50);
}

/* The outputs' copy after a plan checks the state of exactly the outputs
 * that some plan may leave undone (must_store): none in the seed pack, whose
 * plans compute every output; the parameter's and the table's in
 * tests/native/undone_pack, not the one its plan computes. */
static void test_outputs_checked(void **state)
{
    (void)state;
    const char *packs[] = {"policies", "tests/native/undone_pack"};
    for (int k = 0; k < 2; k++) {
        built *B = build(packs[k], 0);
        rg_sb c = {0};
        char err[256], want[64];
        assert_int_equal(rgn_generate(B->p, B->id, &c, err, sizeof err), 0);
        const char *outputs = strstr(rg_sb_str(&c), "RGN_EXPORT int rgn_outputs(");
        assert_non_null(outputs);
        for (uint32_t i = 0; i < B->p->n_outputs; i++) {
            const char *name = B->p->str[B->p->outputs[i].name];
            snprintf(want, sizeof want, "(st[%u] ^ 2)", B->p->outputs[i].def);
            int undone = k == 1 && (strcmp(name, "r") == 0 || strcmp(name, "t") == 0);
            if ((strstr(outputs, want) != NULL) != undone)
                print_error("%s: output %s %s\n", packs[k], name, undone ? "not checked" : "checked");
            assert_int_equal(strstr(outputs, want) != NULL, undone);
        }
        rg_sb_free(&c);
        unbuild(B);
    }
}

/* The C: the exported entries and information block naming the image's
 * identity, a function per chunk a plan reaches (or, for a plan of the same
 * shape as another, its figures), each output copied from its definition,
 * nothing for a pack that calls host functions. */
static void test_generated_c(void **state)
{
    (void)state;
    built *B = build("tests/native/pack", 0);
    rg_sb c = {0};
    char err[256];
    assert_int_equal(rgn_generate(B->p, B->id, &c, err, sizeof err), 0);
    const char *s = rg_sb_str(&c);
    assert_non_null(strstr(s, "RGN_EXPORT const rg_native_info rgn_info = {RG_NATIVE_ABI"));
    assert_non_null(strstr(s, "RGN_EXPORT int rgn_plan(rg_vm *vm, uint64_t *left)"));
    assert_non_null(strstr(s, "RGN_EXPORT int rgn_outputs(const rg_vm *vm, rg_value *out)"));
    char want[64], figures[64];
    snprintf(want, sizeof want, "{%u,%u,%u,", B->id[0], B->id[1], B->id[2]);
    assert_non_null(strstr(s, want));
    for (uint32_t i = 0; i < B->p->n_plans; i++)
        if (B->p->plans[i] != RG_NO_INDEX) {
            snprintf(want, sizeof want, "static int c%u(rgn_x *x", B->p->plans[i]);
            snprintf(figures, sizeof figures, "static const rg_value K%u[]", B->p->plans[i]);
            assert_true(strstr(s, want) || strstr(s, figures));
        }
    for (uint32_t i = 0; i < B->p->n_outputs; i++) {
        snprintf(want, sizeof want, "    out[%u] = d[%u];\n", i, B->p->outputs[i].def);
        assert_non_null(strstr(s, want));
    }
    rg_sb_free(&c);
    unbuild(B);

    fx_pack *fx = fx_compile_ok((const char *const[]){
        "CN.rg",
        "policy CN\nclaim {\n  region: region\n  date: date\n  amount: money\n}\n"
        "select policy by region as of date\nextern fn risk(money) -> percent\n"
        "result {\n  r = risk(amount)\n}\n",
        NULL});
    rg_sb d = {0};
    uint8_t id[RG_NATIVE_ID_BYTES] = {0};
    assert_int_equal(rgn_generate(rgc_pack_program(fx->pk), id, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "host functions"));
    rg_sb_free(&d);
    fx_free(fx);
}

/* An object is attached only to the image it was generated from. */
static void test_other_image_refused(void **state)
{
    (void)state;
    if (!have_cc())
        skip();
    built *B = build("tests/native/pack", 1);
    rg_program *q = NULL;
    char err[512];
    assert_int_equal(rg_program_load(B->image, B->len, &q, err, sizeof err), 0);
    uint8_t other[RG_NATIVE_ID_BYTES];
    memcpy(other, B->id, sizeof other);
    other[5] ^= 1;
    assert_int_equal(rg_native_attach(q, B->so, other, err, sizeof err), -1);
    assert_non_null(strstr(err, "generated from another pack"));
    assert_null(q->native);
    assert_int_equal(rg_native_attach(q, B->so, B->id, err, sizeof err), 0);
    rg_native_detach(q);
    rg_program_free(q);
    unbuild(B);
}

/* Native code attached after the load (regula_pack_native_attach, what
 * `regula run` does once a claim comes): from the cache only, or built; only
 * with the image the pack was loaded from. */
static void test_attach_later(void **state)
{
    (void)state;
    if (!have_cc())
        skip();
    built *B = build("tests/native/pack", 0);
    char dir[] = "/tmp/rg_native_cache_XXXXXX", err[512];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(setenv("REGULA_NATIVE_CACHE", dir, 1), 0);
    regula_pack *pk = NULL, *again = NULL;
    assert_int_equal(regula_pack_load(B->image, B->len, NULL, &pk, err, sizeof err), REGULA_OK);
    const char *why;
    assert_int_equal(regula_pack_native(pk, &why), 0);

    assert_int_equal(regula_pack_native_attach(pk, B->image, B->len, 0), 0); /* nothing built: none attached */
    assert_int_equal(regula_pack_native(pk, &why), 0);
    assert_non_null(strstr(why, "not built on this machine yet"));

    uint8_t *other = malloc(B->len);
    assert_non_null(other);
    memcpy(other, B->image, B->len);
    other[RG_HDR_SOURCE_HASH] ^= 1;
    assert_int_equal(regula_pack_native_attach(pk, other, B->len, 1), 0);
    assert_int_equal(regula_pack_native(pk, &why), 0);
    assert_non_null(strstr(why, "not the image the pack was loaded from"));
    assert_int_equal(regula_pack_native_attach(pk, B->image, B->len - 1, 1), 0);

    assert_int_equal(regula_pack_native_attach(pk, B->image, B->len, 1), 1); /* built, then attached */
    assert_int_equal(regula_pack_native(pk, &why), 1);
    assert_string_equal(why, "");
    assert_int_equal(regula_pack_native_attach(pk, B->image, B->len, 0), 1); /* attached already */

    assert_int_equal(regula_pack_load(B->image, B->len, NULL, &again, err, sizeof err), REGULA_OK);
    assert_int_equal(regula_pack_native_attach(again, B->image, B->len, 0), 1); /* the cache's */

    assert_int_equal(setenv("REGULA_NATIVE", "0", 1), 0);
    regula_pack *off = NULL;
    assert_int_equal(regula_pack_load(B->image, B->len, NULL, &off, err, sizeof err), REGULA_OK);
    assert_int_equal(regula_pack_native_attach(off, B->image, B->len, 1), 0); /* REGULA_NATIVE=0 has the last word */
    unsetenv("REGULA_NATIVE");

    regula_pack_free(off);
    regula_pack_free(again);
    regula_pack_free(pk);
    free(other);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    unsetenv("REGULA_NATIVE_CACHE");
    unbuild(B);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_c),
        cmocka_unit_test(test_outputs_checked),
        cmocka_unit_test(test_fixture_packs),
        cmocka_unit_test(test_select_both_ways),
        cmocka_unit_test(test_seed_pack),
        cmocka_unit_test(test_other_image_refused),
        cmocka_unit_test(test_attach_later),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
