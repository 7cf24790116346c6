/* cmd_bench.c — `regula bench`: how fast a pack settles a claims file, on the
 * path `regula run` and libregula take (include/regula.h): end to end, each
 * pass is `regula run`'s own loop (cli_run_lines) over the file; settlement
 * alone is the same API calls with each claim's reading left out of the
 * clock. The file is streamed, never held: memory stays one claim's.
 * Prints one key=value a line (docs/performance.md says what each means).
 * Must not settle differently from `regula run`: it measures, never decides. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "api_impl.h"
#include "cli.h"
#include "i18n.h"

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula bench --pack PACK [--passes N] [--only settle|e2e] [--native|--no-native]\n"
               "                    CLAIMS.jsonl\n\n"
               "Measure how fast PACK (a policy directory, .rg file or .rgc bytecode) settles the\n"
               "claims of CLAIMS.jsonl, on the path `regula run` and libregula take. The file is\n"
               "streamed --passes times for each measurement (the ledger emptied before each pass);\n"
               "the median pass is reported. Prints one key=value a line:\n\n"
               "  settle_ns_per_claim    settling a claim already read: its ledger keys made and its\n"
               "                         records asked for ahead (as `regula run` does, reading\n"
               "                         claims in batches: regula_ledger_prefetch), its records\n"
               "                         loaded, settled, the new values committed\n"
               "                         (regula_ledger_load, regula_settle, regula_ledger_commit),\n"
               "                         timed claim by claim (bad lines are read but not timed)\n"
               "  settle_claims_per_sec  the same as a rate\n"
               "  e2e_claims_per_sec     lines per second through `regula run`'s loop: read, settled,\n"
               "                         written (to /dev/null), CPU time of the whole pass\n"
               "  compile_ms             compiling the pack, writing, loading and verifying its bytecode\n"
               "                         (loading and verifying a .rgc)\n"
               "  pack_bytes             size of the pack's bytecode image\n"
               "  peak_rss_kb            peak resident memory of the process\n"
               "  native                 1 when the plans ran as native code, else 0\n\n"
               "  --pack PACK   the policies\n"
               "  --passes N    passes of each measurement (default 5)\n"
               "  --only WHAT   run only the settle or only the e2e passes (profiling; the other\n"
               "                figures print as 0)\n"
               "  --native      build the pack's native code now when this machine has not, whatever\n"
               "                the pack's size (as run --native)\n"
               "  --no-native   settle on the interpreter alone. Without either, the pack's plans run\n"
               "                as native code, as `regula run` runs them once this machine has built\n"
               "                them: built here first when it has not (seconds, once; a pack over\n"
               "                512 KiB of bytecode, whose C takes minutes, only with --native), or\n"
               "                the interpreter when there is no C compiler (a line on standard error\n"
               "                says why)\n\n"
               "exit status: 0 measured, 1 a claim failed to settle, 2 usage or I/O error\n"));
}

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A cheap clock for one claim's settlement (a few hundred nanoseconds): the
 * time-stamp counter where there is one (converted with CLOCK_MONOTONIC over
 * the pass), else CLOCK_MONOTONIC itself. */
static inline uint64_t ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_lfence();
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
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

/* The ticks two back-to-back readings take, on average: what each timed
 * interval holds beyond its work. The mean, not the least: a reading's cost
 * varies (on this VM the counter moves in steps of 21 ticks, so a pair reads
 * 21 or 42), and an interval holds the cost it happened to have, so only the
 * mean, taken from every interval's sum, leaves the sum of the work. Pairs
 * interrupted (over 100 times the least) are left out, as intervals over
 * PREEMPTED_NS are. */
static double tick_overhead(void)
{
    enum { N = 20000 };
    static uint64_t d[N];
    uint64_t least = UINT64_MAX;
    for (int i = 0; i < N; i++) {
        uint64_t a = ticks(), b = ticks();
        d[i] = b - a;
        if (d[i] < least)
            least = d[i];
    }
    double sum = 0;
    long n = 0;
    for (int i = 0; i < N; i++)
        if (d[i] <= 100 * (least + 1)) {
            sum += (double)d[i];
            n++;
        }
    return n ? sum / (double)n : 0;
}

/* Intervals longer than this are another process's time slice, not a claim:
 * left out (and counted). */
#define PREEMPTED_NS 200000.0

typedef struct {
    long lines, bad, claims, failed, preempted;
    long intervals;     /* timed intervals in total, each holding one clock reading's cost */
    uint64_t total;     /* settling the claims, in all, in ticks, those readings included */
    double ns;          /* the same in nanoseconds */
    int64_t check;      /* the sum of every claim's last output (compares runs) */
} settle_pass;

/* Adds the interval since tick t0 to the pass's total (the clock's own cost
 * taken out of the sum at the end of the pass); 0 when it is longer than
 * limit (a time slice, left out). */
static int add_interval(settle_pass *sp, uint64_t t0, uint64_t limit)
{
    uint64_t dt = ticks() - t0;
    if (dt > limit)
        return 0;
    sp->total += dt;
    sp->intervals++;
    return 1;
}

/* Settles the claim given to ctx, timing its ledger load, settle and commit. */
static void settle_timed(regula_ctx *ctx, regula_ledger *ledger, unsigned last, uint64_t limit,
                         settle_pass *sp)
{
    uint64_t t0 = ticks();
    regula_status s = regula_ledger_load(ctx, ledger);
    if (s == REGULA_OK)
        s = regula_settle(ctx);
    if (s == REGULA_OK)
        s = regula_ledger_commit(ctx, ledger);
    if (add_interval(sp, t0, limit))
        sp->claims++;
    else
        sp->preempted++;
    if (s != REGULA_OK) {
        sp->failed++;
        return;
    }
    regula_value v;
    if (regula_result(ctx, last, &v) == REGULA_OK && v.present)
        sp->check += v.i;
}

/* One pass of settlement alone over the file, on an emptied ledger, as
 * `regula run` reads it (cli_run_lines): a batch of claims read, then each
 * one's ledger keys made (its records' index slots asked for), then the
 * claims settled in input order. -1 on an I/O error. */
static int settle_pass_run(regula_pack *pk, regula_ctx *const ctx[CLI_RUN_BATCH], regula_ledger *ledger, FILE *in,
                           double overhead, settle_pass *sp)
{
    regula_ledger_clear(ledger);
    memset(sp, 0, sizeof *sp);
    unsigned last = regula_output_count(pk) ? regula_output_count(pk) - 1 : 0;
    char *line = NULL;
    size_t cap = 0;
    uint64_t limit = UINT64_MAX;
    double m0 = mono_ns();
    uint64_t k0 = ticks();
    for (int more = 1; more;) {
        unsigned n = 0;
        ssize_t got;
        while (n < CLI_RUN_BATCH && (more = (got = getline(&line, &cap, in)) >= 0)) {
            sp->lines++;
            size_t len = (size_t)got;
            if (len && line[len - 1] == '\n')
                len--;
            if (regula_claim_json(ctx[n], line, len, sp->lines) != REGULA_OK) {
                sp->bad++;
                continue;
            }
            n++;
        }
        if (n) { /* the batch's ledger keys: settlement's work, timed with it */
            uint64_t t0 = ticks();
            for (unsigned k = 0; k < n; k++)
                regula_ledger_prefetch(ctx[k], ledger);
            add_interval(sp, t0, limit);
        }
        for (unsigned k = 0; k < n; k++)
            settle_timed(ctx[k], ledger, last, limit, sp);
        if (limit == UINT64_MAX && sp->claims >= 1000) {
            /* the clock's rate, from the first claims */
            double ns_per_tick = (mono_ns() - m0) / (double)(ticks() - k0);
            limit = (uint64_t)(PREEMPTED_NS / (ns_per_tick > 0 ? ns_per_tick : 1));
        }
    }
    double ns_per_tick = (mono_ns() - m0) / (double)(ticks() - k0);
    double work = (double)sp->total - (double)sp->intervals * overhead;
    sp->ns = (work > 0 ? work : 0) * ns_per_tick;
    free(line);
    return ferror(in) ? -1 : 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *pack = NULL, *in = NULL;
    long passes = 5;
    int do_settle = 1, do_e2e = 1;
    int native = RGD_NATIVE_LATER;
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
                fprintf(stderr, _("regula bench: --passes wants a number from 1 to 100000, not '%s'\n"), v);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--native") == 0) {
            native = RGD_NATIVE_ON;
        } else if (strcmp(argv[i], "--no-native") == 0) {
            native = RGD_NATIVE_OFF;
        } else if (cli_opt(argc, argv, &i, "--only", &v)) {
            if (!v)
                return EXIT_USAGE;
            if (strcmp(v, "settle") != 0 && strcmp(v, "e2e") != 0) {
                fprintf(stderr, _("regula bench: --only wants settle or e2e, not '%s'\n"), v);
                return EXIT_USAGE;
            }
            do_settle = v[0] == 's';
            do_e2e = !do_settle;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, _("regula bench: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, _("regula bench: one claims file at a time ('%s' and '%s')\n"), in, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!pack || !in) {
        fprintf(stderr, _("regula bench: give --pack PACK and a claims file\n"));
        usage(stderr);
        return EXIT_USAGE;
    }
    FILE *fin = fopen(in, "rb");
    if (!fin) {
        fprintf(stderr, _("regula bench: cannot read %s: %s\n"), in, strerror(errno));
        return EXIT_USAGE;
    }
    regula_pack *pk = NULL;
    rgd_pack_info info = {0};
    rgd_set_native(native);
    if (rgd_pack_load(pack, NULL, NULL, "bench", &pk, &info) != 0) {
        fclose(fin);
        return EXIT_USAGE;
    }
    rgd_native_settle(pk, RGD_NATIVE_BUILD);
    rgd_native_report(pk, "bench", 1);
    regula_ctx *ctx[CLI_RUN_BATCH] = {NULL}; /* `regula run`'s batch of claims read ahead */
    regula_ledger *ledger = NULL; /* emptied before each pass, its memory kept (as settle-c's) */
    FILE *devnull = fopen("/dev/null", "w");
    double *t = malloc((size_t)passes * sizeof *t);
    int rc = EXIT_OK;
    if (cli_run_contexts(pk, ctx) != 0 || regula_ledger_new(pk, &ledger) != REGULA_OK || !devnull || !t) {
        fprintf(stderr, _("regula bench: out of memory\n"));
        rc = EXIT_USAGE;
        goto done;
    }
    /* as `regula run` sets them */
    setvbuf(fin, NULL, _IOFBF, 1 << 20);
    setvbuf(devnull, NULL, _IOFBF, 1 << 20);

    /* settlement alone (the progress line between passes, never inside one) */
    settle_pass sp = {0};
    double overhead = tick_overhead();
    rgd_progress pg;
    rgd_progress_start(&pg, "regula bench: settling", "passes", NULL, passes);
    for (long pass = 0; do_settle && pass < passes; pass++) {
        rgd_progress_draw(&pg, pass);
        rewind(fin);
        if (settle_pass_run(pk, ctx, ledger, fin, overhead, &sp) != 0) {
            fprintf(stderr, _("regula bench: cannot read %s\n"), in);
            rc = EXIT_USAGE;
            goto done;
        }
        t[pass] = sp.claims ? sp.ns / (double)sp.claims : 0;
        if (sp.preempted)
            fprintf(stderr, _("regula bench: pass %ld: %ld claims' intervals over %.0f µs left out (preempted)\n"),
                    pass + 1, sp.preempted, PREEMPTED_NS / 1000);
    }
    double settle_ns = do_settle ? median(t, passes) : 0;

    rgd_progress_end(&pg);

    /* end to end: `regula run`'s loop over the whole file */
    long lines = sp.lines;
    rgd_progress_start(&pg, "regula bench: reading, settling, writing", "passes", NULL, passes);
    for (long pass = 0; do_e2e && pass < passes; pass++) {
        rgd_progress_draw(&pg, pass);
        regula_ledger_clear(ledger);
        rewind(fin);
        cli_run_stats st;
        double t0 = cpu_ns();
        int r = cli_run_lines(ctx, ledger, fin, devnull, 0, &st);
        fflush(devnull);
        t[pass] = cpu_ns() - t0;
        if (r != 0) {
            fprintf(stderr, _("regula bench: cannot read %s\n"), in);
            rc = EXIT_USAGE;
            goto done;
        }
        lines = st.lines;
    }
    rgd_progress_end(&pg);
    double e2e_ns = do_e2e ? median(t, passes) : 0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("settle_ns_per_claim=%.1f\n", settle_ns);
    printf("settle_claims_per_sec=%.0f\n", settle_ns > 0 ? 1e9 / settle_ns : 0);
    printf("e2e_claims_per_sec=%.0f\n", e2e_ns > 0 ? (double)lines * 1e9 / e2e_ns : 0);
    printf("compile_ms=%.1f\n", info.compile_ms);
    printf("pack_bytes=%zu\n", info.bytes);
    printf("peak_rss_kb=%ld\n", ru.ru_maxrss);
    printf("native=%d\n", regula_pack_native(pk, NULL));
    fprintf(stderr, _("regula bench: %ld lines, %ld valid claims (%ld bad lines), %ld passes, checksum %lld\n"), lines,
            do_settle ? sp.claims + sp.preempted : 0, sp.bad, passes, (long long)sp.check);
    if (regula_pack_native(pk, NULL)) {
        unsigned long long runs = 0, back = 0;
        for (unsigned k = 0; k < CLI_RUN_BATCH; k++) {
            runs += rg_api_ctx_vm(ctx[k])->native_runs;
            back += rg_api_ctx_vm(ctx[k])->native_fallbacks;
        }
        fprintf(stderr, _("regula bench: native code settled %llu claims' plans, gave %llu back to the interpreter\n"),
                runs, back);
    }
    if (sp.failed) {
        fprintf(stderr, _("regula bench: %ld claims failed to settle\n"), sp.failed);
        rc = EXIT_FAIL;
    }
done:
    free(t);
    if (devnull)
        fclose(devnull);
    fclose(fin);
    regula_ledger_free(ledger);
    cli_run_contexts_free(ctx);
    regula_pack_free(pk);
    return rc;
}
