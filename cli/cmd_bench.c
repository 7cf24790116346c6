/* cmd_bench.c — `regula bench`: how fast a pack settles a claims file.
 * Reads and validates the claims once, keeps each bound claim's slots and item
 * rows in memory, then settles them again and again (the ledger emptied before
 * each pass) with no JSON in the way; separately times whole read + settle +
 * write passes. CPU time of the process, the median of --passes passes.
 * Prints one key=value a line (docs/performance.md says what each means).
 * Must not settle differently from `regula run`: it measures, never decides. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bcwrite.h"
#include "cli.h"
#include "file_io.h"
#include "rg_stdlib.h"
#include "vm.h"

/* cmd_run.c */
int cli_settle_line(rg_vm *vm, rg_ledger_store *ledger, const char *line, size_t len, long lineno, int explain,
                    FILE *out);

static void usage(FILE *o)
{
    fprintf(o, "usage: regula bench --pack PACK [--passes N] [--only settle|e2e] CLAIMS.jsonl\n\n"
               "Measure how fast PACK (a policy directory, .rg file or .rgc bytecode) settles the\n"
               "claims of CLAIMS.jsonl. The file is read and validated once; the bound claims are\n"
               "kept in memory and settled N times (the ledger emptied before each pass), then the\n"
               "whole file is read, settled and written (to /dev/null) N times. CPU time of the\n"
               "process; the median pass is reported. Prints one key=value a line:\n\n"
               "  settle_ns_per_claim    settlement alone (no JSON), per claim\n"
               "  settle_claims_per_sec  the same as a rate\n"
               "  e2e_claims_per_sec     lines per second read + settled + written, whole file\n"
               "  compile_ms             compiling the pack (loading and verifying a .rgc)\n"
               "  pack_bytes             size of the pack's bytecode image\n"
               "  peak_rss_kb            peak resident memory of the process\n\n"
               "  --pack PACK   the policies\n"
               "  --passes N    passes of each measurement (default 5)\n"
               "  --only WHAT   run only the settle or only the e2e passes (profiling; the other\n"
               "                figures print as 0)\n\n"
               "exit status: 0 measured, 1 a claim failed to settle, 2 usage or I/O error\n");
}

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, long n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static char *slurp(const char *path, size_t *len)
{
    char *buf = rg_read_file(path, len);
    if (!buf)
        fprintf(stderr, "regula bench: cannot read %s: %s%s\n", path, rg_read_error(errno, RG_MAX_FILE),
                errno == EFBIG ? " (bench keeps every claim in memory: regula run streams a file of any size)" : "");
    return buf;
}

/* ---- bound claims kept in memory ---- */

/* Strings of the kept claims: blocks that never move, so pointers stay valid. */
typedef struct strpool {
    struct strpool *next;
    size_t used, cap;
    char data[];
} strpool;

typedef struct {
    rg_value *vals;          /* per claim: n_claim_slots values, then n_items * n_item_slots */
    size_t n_vals, cap_vals;
    size_t *start;           /* per claim: offset of its values */
    uint32_t *n_items;       /* per claim: the elements of each claim list (n_claim_lists) */
    size_t n, cap;
    strpool *pool;
    uint32_t *str_claim, n_str_claim; /* claim slots holding strings */
    uint32_t *str_item, n_str_item;   /* item slots holding strings */
} kept;

/* A copy of string value s, head included (every string a VM holds has one). */
static const char *pool_copy(kept *k, const char *s)
{
    size_t used = RG_STR_HEAD + rg_str_len(s) + 1, n = rg_str_room(rg_str_len(s));
    if (!k->pool || k->pool->used + n > k->pool->cap) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        strpool *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = k->pool;
        b->used = 0;
        b->cap = cap;
        k->pool = b;
    }
    char *d = k->pool->data + k->pool->used;
    memcpy(d, s - RG_STR_HEAD, used); /* head, text, NUL: not the padding after it */
    k->pool->used += n;
    return d + RG_STR_HEAD;
}

static int kept_init(kept *k, const rg_program *p)
{
    memset(k, 0, sizeof *k);
    k->str_claim = malloc((p->n_fields + 1) * sizeof *k->str_claim);
    k->str_item = malloc((p->n_fields + 1) * sizeof *k->str_item);
    if (!k->str_claim || !k->str_item)
        return -1;
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const rg_field *f = &p->fields[i];
        if (RG_TYPE_KIND(f->type) != RG_T_STRING)
            continue;
        if (f->in_list)
            k->str_item[k->n_str_item++] = f->slot;
        else
            k->str_claim[k->n_str_claim++] = f->slot;
    }
    return 0;
}

static void kept_free(kept *k)
{
    while (k->pool) {
        strpool *n = k->pool->next;
        free(k->pool);
        k->pool = n;
    }
    free(k->vals);
    free(k->start);
    free(k->n_items);
    free(k->str_claim);
    free(k->str_item);
}

/* String value *s kept: copied into the pool unless absent or the program's
 * own (rg_vm_intern binds a catalog key as one; it lives as long as the
 * program). -1 when out of memory. */
static int keep_string(kept *k, const rg_program *p, rg_value *s)
{
    if (*s == RG_NONE || *s == 0 || rg_program_owns(p, (const char *)(intptr_t)*s))
        return 0;
    const char *c = pool_copy(k, (const char *)(intptr_t)*s);
    if (!c)
        return -1;
    *s = (rg_value)(intptr_t)c;
    return 0;
}

/* Keep the claim bound in vm: its slots and item rows, its strings copied. */
static int kept_add(kept *k, const rg_vm *vm)
{
    const rg_program *p = vm->prog;
    size_t need = p->n_claim_slots + (size_t)vm->n_items * p->n_item_slots;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        size_t *st = realloc(k->start, cap * sizeof *st);
        if (!st)
            return -1;
        k->start = st;
        uint32_t *ni = realloc(k->n_items, (cap * p->n_claim_lists + 1) * sizeof *ni);
        if (!ni)
            return -1;
        k->n_items = ni;
        k->cap = cap;
    }
    if (k->n_vals + need > k->cap_vals) {
        size_t cap = k->cap_vals ? k->cap_vals : 1 << 16;
        while (cap < k->n_vals + need)
            cap *= 2;
        rg_value *v = realloc(k->vals, cap * sizeof *v);
        if (!v)
            return -1;
        k->vals = v;
        k->cap_vals = cap;
    }
    rg_value *dst = k->vals + k->n_vals;
    memcpy(dst, vm->claim, p->n_claim_slots * sizeof *dst);
    rg_value *rows = dst + p->n_claim_slots;
    if (vm->n_items)
        memcpy(rows, vm->items, (size_t)vm->n_items * p->n_item_slots * sizeof *dst);
    for (uint32_t i = 0; i < k->n_str_claim; i++)
        if (keep_string(k, p, &dst[k->str_claim[i]]))
            return -1;
    for (uint32_t r = 0; r < vm->n_items; r++)
        for (uint32_t i = 0; i < k->n_str_item; i++)
            if (keep_string(k, p, &rows[(size_t)r * p->n_item_slots + k->str_item[i]]))
                return -1;
    k->start[k->n] = k->n_vals;
    if (p->n_claim_lists)
        memcpy(k->n_items + k->n * p->n_claim_lists, vm->list_count, p->n_claim_lists * sizeof *k->n_items);
    k->n++;
    k->n_vals += need;
    return 0;
}

/* Binds kept claim i to vm, read in place, and begins it. */
static rg_status begin_kept(const kept *k, size_t i, rg_vm *vm)
{
    rg_value *src = k->vals + k->start[i];
    rg_vm_reset(vm);
    if (rg_vm_bind_slots(vm, src, src + vm->prog->n_claim_slots, k->n_items + i * vm->prog->n_claim_lists) != RG_OK)
        return RG_ERR_MEMORY;
    return rg_vm_begin(vm);
}

/* Settle kept claim i as `regula run` does (outputs, then the updates), its
 * outputs into out. With keys, vm has claim i bound and begun and keys are
 * its ledger keys (begin_ahead); without, it starts from nothing. */
__attribute__((noinline)) /* a frame of its own: profilers can single it out */
static rg_status settle_kept(const kept *k, size_t i, rg_vm *vm, rg_ledger_store *ledger, const rg_ledger_keys *keys,
                             rg_value *out)
{
    rg_status s;
    if (keys) {
        s = rg_ledger_store_load_keys(ledger, vm, keys);
    } else {
        s = begin_kept(k, i, vm);
        if (s == RG_OK)
            s = rg_ledger_store_load(ledger, vm);
    }
    if (s == RG_OK)
        s = rg_vm_eval_outputs(vm, out);
    if (s == RG_OK)
        s = rg_vm_run_updates(vm);
    if (s == RG_OK)
        s = rg_ledger_store_commit(ledger, vm);
    return s;
}

/* Binds and begins kept claim i on vm and computes its ledger keys, which
 * prefetches their records: called a claim ahead (the settle loop alternates
 * two VMs), the ledger's memory misses overlap the settling of the claim
 * before instead of stalling this one (docs/performance.md).
 * 1 when it did all that. */
__attribute__((noinline))
static int begin_ahead(const kept *k, size_t i, rg_vm *vm, rg_ledger_store *ledger, rg_ledger_keys *keys)
{
    return i < k->n && begin_kept(k, i, vm) == RG_OK && rg_ledger_store_keys(ledger, vm, keys) == RG_OK;
}

/* Lines of buf[0 .. len), each without its newline (a final newline opens no line). */
#define FOR_EACH_LINE(buf, len, p, n, body)                                     \
    for (char *p = (buf), *end_ = (buf) + (len), *nl_; p < end_; p = nl_ + 1) { \
        nl_ = memchr(p, '\n', (size_t)(end_ - p));                              \
        if (!nl_)                                                               \
            nl_ = end_;                                                         \
        size_t n = (size_t)(nl_ - p);                                           \
        body                                                                    \
    }

int cmd_bench(int argc, char **argv)
{
    const char *pack = NULL, *in = NULL;
    long passes = 5;
    int do_settle = 1, do_e2e = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--pack", &v)) {
            if (!v)
                return EXIT_USAGE;
            pack = v;
        } else if (cli_opt(argc, argv, &i, "--passes", &v)) {
            if (!v)
                return EXIT_USAGE;
            char *end;
            errno = 0;
            passes = strtol(v, &end, 10);
            if (errno || *end || end == v || passes < 1 || passes > 100000) {
                fprintf(stderr, "regula bench: --passes wants a number from 1 to 100000, not '%s'\n", v);
                return EXIT_USAGE;
            }
        } else if (cli_opt(argc, argv, &i, "--only", &v)) {
            if (!v)
                return EXIT_USAGE;
            if (strcmp(v, "settle") != 0 && strcmp(v, "e2e") != 0) {
                fprintf(stderr, "regula bench: --only wants settle or e2e, not '%s'\n", v);
                return EXIT_USAGE;
            }
            do_settle = v[0] == 's';
            do_e2e = !do_settle;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "regula bench: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "regula bench: one claims file at a time ('%s' and '%s')\n", in, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!pack || !in) {
        fprintf(stderr, "regula bench: give --pack PACK and a claims file\n");
        usage(stderr);
        return EXIT_USAGE;
    }

    rgd_pack cp;
    if (rgd_pack_open(&cp, pack) != 0) {
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    const rg_program *p = rgd_pack_program(&cp);
    if (p->n_externs) {
        fprintf(stderr, "regula bench: the pack calls host functions ('%s'); bench measures packs without them\n",
                p->str[p->externs[0].name]);
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    size_t pack_bytes = cp.bytes;
    if (!pack_bytes) {
        uint8_t *img = NULL;
        if (rgc_program_write(p, &img, &pack_bytes) != 0) {
            fprintf(stderr, "regula bench: cannot write the pack's bytecode image\n");
            rgd_pack_close(&cp);
            return EXIT_USAGE;
        }
        free(img);
    }

    size_t len = 0;
    char *buf = slurp(in, &len);
    rg_vm *vm = rg_vm_new(p);
    rg_ledger_store *ledger = rg_ledger_store_new(p);
    rg_vm *ahead = rg_vm_new(p); /* the settle loop's second VM: claims alternate */
    rg_ledger_keys *keys[2] = {ledger ? rg_ledger_keys_new(ledger) : NULL, ledger ? rg_ledger_keys_new(ledger) : NULL};
    FILE *devnull = fopen("/dev/null", "w");
    double *t = malloc((size_t)passes * sizeof *t);
    rg_value *outs = malloc(((size_t)p->n_outputs + 1) * sizeof *outs);
    kept k;
    int rc = EXIT_OK;
    if (!buf || !vm || !ledger || !ahead || !keys[0] || !keys[1] || !devnull || !t || !outs || kept_init(&k, p) != 0) {
        if (buf)
            fprintf(stderr, "regula bench: out of memory\n");
        free(buf);
        rg_vm_free(vm);
        rg_vm_free(ahead);
        rg_ledger_keys_free(keys[0]);
        rg_ledger_keys_free(keys[1]);
        rg_ledger_store_free(ledger);
        if (devnull)
            fclose(devnull);
        free(t);
        free(outs);
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    static char outbuf[1 << 16];
    setvbuf(devnull, outbuf, _IOFBF, sizeof outbuf);

    /* read and validate every line once; keep the bound claims */
    long lines = 0, bad = 0;
    char err[600];
    FOR_EACH_LINE(buf, len, line, n, {
        json_t *obj = NULL;
        lines++;
        if (rg_read_claim_line(line, n, lines, &obj, err, sizeof err, NULL) != 0) {
            bad++;
            continue;
        }
        rg_status s = rg_bind_claim(vm, obj, err, sizeof err);
        json_decref(obj);
        if (s == RG_ERR_INPUT) {
            bad++;
            continue;
        }
        if (s != RG_OK || kept_add(&k, vm) != 0) {
            fprintf(stderr, "regula bench: out of memory\n");
            rc = EXIT_USAGE;
            goto done;
        }
    })

    /* settlement alone */
    long failed = 0;
    rg_value check = 0;
    for (long pass = 0; do_settle && pass < passes; pass++) {
        rg_ledger_store_clear(ledger);
        failed = 0;
        double t0 = cpu_ns();
        rg_vm *vms[2] = {vm, ahead};
        int begun[2] = {begin_ahead(&k, 0, vms[0], ledger, keys[0]), 0};
        for (size_t i = 0; i < k.n; i++) {
            const unsigned c = i & 1;
            begun[c ^ 1] = begin_ahead(&k, i + 1, vms[c ^ 1], ledger, keys[c ^ 1]);
            if (settle_kept(&k, i, vms[c], ledger, begun[c] ? keys[c] : NULL, outs) != RG_OK)
                failed++;
            else
                check += outs[p->n_outputs ? p->n_outputs - 1 : 0];
        }
        t[pass] = cpu_ns() - t0;
    }
    double settle_ns = k.n && do_settle ? median(t, passes) / (double)k.n : 0;

    /* end to end: read, settle and write the whole file */
    for (long pass = 0; do_e2e && pass < passes; pass++) {
        rg_ledger_store_clear(ledger);
        long lineno = 0;
        double t0 = cpu_ns();
        FOR_EACH_LINE(buf, len, line, n, {
            cli_settle_line(vm, ledger, line, n, ++lineno, 0, devnull);
        })
        fflush(devnull);
        t[pass] = cpu_ns() - t0;
    }
    double e2e_ns = do_e2e ? median(t, passes) : 0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("settle_ns_per_claim=%.1f\n", settle_ns);
    printf("settle_claims_per_sec=%.0f\n", settle_ns > 0 ? 1e9 / settle_ns : 0);
    printf("e2e_claims_per_sec=%.0f\n", e2e_ns > 0 ? (double)lines * 1e9 / e2e_ns : 0);
    printf("compile_ms=%.1f\n", cp.compile_ms);
    printf("pack_bytes=%zu\n", pack_bytes);
    printf("peak_rss_kb=%ld\n", ru.ru_maxrss);
    fprintf(stderr, "regula bench: %ld lines, %zu valid claims (%ld bad lines), %ld passes (CPU time), checksum %lld\n",
            lines, k.n, bad, passes, (long long)check);
    if (failed) {
        fprintf(stderr, "regula bench: %ld claims failed to settle\n", failed);
        rc = EXIT_FAIL;
    }
done:
    kept_free(&k);
    free(buf);
    free(t);
    free(outs);
    fclose(devnull);
    rg_ledger_keys_free(keys[0]);
    rg_ledger_keys_free(keys[1]);
    rg_ledger_store_free(ledger);
    rg_vm_free(ahead);
    rg_vm_free(vm);
    rgd_pack_close(&cp);
    return rc;
}
