/* settle_c.c — the command line of the C baseline: JSON Lines claims in, one result line out
 * per input line (docs/claims.md), and --bench N timing. It must not hold policy rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "settle.h"

static const char USAGE[] =
    "usage: settle-c [--catalogs DIR] [--bench N] [CLAIMS.jsonl|-]\n"
    "  Settles JSON Lines claims (stdin when no file or '-') with the seed pack of\n"
    "  shared/spec/settlement.md and writes one result line per input line.\n"
    "  --catalogs DIR  the catalog CSVs (default: ../shared/spec/catalog from the repo root)\n"
    "  --bench N       read and validate all claims once, settle them N times, print timings\n"
    "exit status: 0 all lines settled, 1 some lines were errors, 2 usage or I/O error\n";

/* ---- output --------------------------------------------------------------------- */

static void put_fen(sbuf_t *b, const char *key, fen_t v)
{
    char tmp[40], *o = tmp + sizeof tmp;
    *--o = '"';
    *--o = (char)('0' + v % 10);
    *--o = (char)('0' + v / 10 % 10);
    *--o = '.';
    fen_t q = v / 100;
    do {
        *--o = (char)('0' + q % 10);
        q /= 10;
    } while (q);
    *--o = '"';
    sb_puts(b, key);
    sb_putn(b, o, (size_t)(tmp + sizeof tmp - o));
}

static void result_line(sbuf_t *b, const claim_t *c, const result_t *r)
{
    b->len = 0;
    sb_puts(b, "{\"claim_id\": ");
    sb_json_string(b, c->claim_id, c->claim_id_len);
    sb_puts(b, r->eligible ? ", \"eligible\": true, \"reason\": \"" : ", \"eligible\": false, \"reason\": \"");
    sb_puts(b, reason_name[r->reason]);
    sb_printf(b, "\", \"ratio\": %d", (int)r->ratio);
    put_fen(b, ", \"total\": ", r->total);
    put_fen(b, ", \"ownpay\": ", r->ownpay);
    put_fen(b, ", \"overlimit\": ", r->overlimit);
    put_fen(b, ", \"preselfpay\": ", r->preselfpay);
    put_fen(b, ", \"inscope\": ", r->inscope);
    put_fen(b, ", \"deductible\": ", r->deductible);
    put_fen(b, ", \"fund\": ", r->fund);
    put_fen(b, ", \"critical\": ", r->critical);
    put_fen(b, ", \"account\": ", r->account);
    put_fen(b, ", \"cash\": ", r->cash);
    sb_putc(b, '}');
}

/* ---- one pass over the lines ------------------------------------------------------ */

typedef struct {
    const catalogs_t *cat;
    ledger_t *ledger;
    arena_t arena;
    sbuf_t line;
    long lineno, errors;
} run_t;

/* Reads, settles and writes line LINE[0 .. len) (its '\n' removed). */
static void run_line(run_t *run, char *line, size_t len, FILE *out)
{
    claim_t c;
    result_t r;
    run->lineno++;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    arena_reset(&run->arena);
    if (claim_read(line, len, run->lineno, &run->arena, &c, &run->line) == READ_OK) {
        settle(run->cat, run->ledger, &c, &r);
        result_line(&run->line, &c, &r);
    } else {
        run->errors++;
    }
    sb_putc(&run->line, '\n');
    fwrite(run->line.p, 1, run->line.len, out);
}

static int run_stream(run_t *run, FILE *in, FILE *out)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        run_line(run, line, (size_t)n, out);
    }
    free(line);
    return ferror(in) ? -1 : 0;
}

/* Runs BODY for each line P[0 .. N) of BUF[0 .. len), without its newline (a final newline
 * opens no line). */
#define FOR_EACH_LINE(buf, len, p, n, body)                                     \
    for (char *p = (buf), *end_ = (buf) + (len), *nl_; p < end_; p = nl_ + 1) { \
        nl_ = memchr(p, '\n', (size_t)(end_ - p));                              \
        if (!nl_)                                                               \
            nl_ = end_;                                                         \
        size_t n = (size_t)(nl_ - p);                                           \
        body                                                                    \
    }

/* ---- bench ---------------------------------------------------------------------- */

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *slurp(FILE *in, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (n == cap && !(buf = realloc(buf, cap *= 2)))
            abort();
        const size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int bench(const catalogs_t *cat, FILE *in, long passes)
{
    size_t len;
    char *buf = slurp(in, &len);
    if (!buf) {
        fprintf(stderr, "settle-c: read error: %s\n", strerror(errno));
        return 2;
    }

    /* One whole read + settle + write pass, to /dev/null. */
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) {
        fprintf(stderr, "settle-c: /dev/null: %s\n", strerror(errno));
        return 2;
    }
    run_t run = { .cat = cat, .ledger = ledger_new() };
    const double e0 = cpu_ns();
    FOR_EACH_LINE(buf, len, p, n, { run_line(&run, p, n, devnull); })
    fflush(devnull);
    const double e2e_ns = cpu_ns() - e0;
    fclose(devnull);
    const long nlines = run.lineno;

    /* Read and validate everything once, into memory. */
    arena_t keep = { 0 };
    size_t nclaims = 0, capclaims = 1024;
    claim_t *claims = malloc(capclaims * sizeof *claims);
    if (!claims)
        abort();
    long lineno = 0;
    sbuf_t scratch = { 0 };
    FOR_EACH_LINE(buf, len, p, n, {
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (nclaims == capclaims && !(claims = realloc(claims, (capclaims *= 2) * sizeof *claims)))
            abort();
        if (claim_read(p, n, ++lineno, &keep, &claims[nclaims], &scratch) == READ_OK)
            nclaims++;
    })
    free(buf);

    /* N settle passes over the claims in memory, the ledger reset before each. */
    result_t *results = malloc((nclaims ? nclaims : 1) * sizeof *results);
    double *t = malloc((size_t)passes * sizeof *t);
    if (!results || !t)
        abort();
    fen_t check = 0;
    for (long k = 0; k < passes; k++) {
        ledger_reset(run.ledger);
        const double t0 = cpu_ns();
        for (size_t i = 0; i < nclaims; i++)
            settle(cat, run.ledger, &claims[i], &results[i]);
        t[k] = cpu_ns() - t0;
        for (size_t i = 0; i < nclaims; i++)
            check += results[i].fund + results[i].critical + results[i].account;
    }
    qsort(t, (size_t)passes, sizeof *t, cmp_double);
    const double median = passes % 2 ? t[passes / 2] : (t[passes / 2 - 1] + t[passes / 2]) / 2;
    const double per_claim = nclaims ? median / (double)nclaims : 0;

    printf("settle_ns_per_claim=%.1f\n", per_claim);
    printf("settle_claims_per_sec=%.0f\n", per_claim > 0 ? 1e9 / per_claim : 0);
    printf("e2e_claims_per_sec=%.0f\n", e2e_ns > 0 ? (double)nlines * 1e9 / e2e_ns : 0);
    fprintf(stderr, "settle-c: %ld lines, %zu valid claims, %ld passes (CPU time), checksum %lld\n",
            nlines, nclaims, passes, (long long)check);

    free(t);
    free(results);
    free(claims);
    free(scratch.p);
    free(run.line.p);
    arena_free(&keep);
    arena_free(&run.arena);
    ledger_free(run.ledger);
    return 0;
}

/* ---- main ------------------------------------------------------------------------ */

/* The default catalog directory: <repo root>/../shared/spec/catalog, the repo root being
 * two levels above this executable (bench/c/settle-c); else ../shared/spec/catalog. */
static void default_catalogs(char *dir, size_t size)
{
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(dir, size, "%s/../../../shared/spec/catalog", exe);
            char probe[4300];
            snprintf(probe, sizeof probe, "%s/CN.csv", dir);
            if (access(probe, R_OK) == 0)
                return;
        }
    }
    snprintf(dir, size, "../shared/spec/catalog");
}

int main(int argc, char **argv)
{
    const char *catdir = NULL, *file = NULL;
    long passes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--catalogs") == 0 && i + 1 < argc) {
            catdir = argv[++i];
        } else if (strncmp(a, "--catalogs=", 11) == 0) {
            catdir = a + 11;
        } else if ((strcmp(a, "--bench") == 0 && i + 1 < argc) || strncmp(a, "--bench=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : argv[++i];
            char *end;
            passes = strtol(v, &end, 10);
            if (*end || passes < 1 || passes > 1000000) {
                fprintf(stderr, "settle-c: --bench wants a number of passes >= 1, got '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "settle-c: unknown option '%s'\n%s", a, USAGE);
            return 2;
        } else if (file) {
            fprintf(stderr, "settle-c: one claims file at most\n%s", USAGE);
            return 2;
        } else {
            file = a;
        }
    }

    char defdir[4200];
    if (!catdir) {
        default_catalogs(defdir, sizeof defdir);
        catdir = defdir;
    }
    char err[8192];
    catalogs_t *cat = catalogs_load(catdir, err, sizeof err);
    if (!cat) {
        fprintf(stderr, "settle-c: catalogs: %s\n", err);
        return 2;
    }
    policies_init();

    FILE *in = stdin;
    if (file && strcmp(file, "-") != 0 && !(in = fopen(file, "rb"))) {
        fprintf(stderr, "settle-c: %s: %s\n", file, strerror(errno));
        catalogs_free(cat);
        return 2;
    }

    int status;
    if (passes > 0) {
        status = bench(cat, in, passes);
    } else {
        static char outbuf[1 << 16];
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
        run_t run = { .cat = cat, .ledger = ledger_new() };
        const int rc = run_stream(&run, in, stdout);
        if (rc < 0) {
            fprintf(stderr, "settle-c: %s: read error: %s\n", file ? file : "stdin",
                    strerror(errno));
            status = 2;
        } else {
            status = run.errors ? 1 : 0;
        }
        free(run.line.p);
        arena_free(&run.arena);
        ledger_free(run.ledger);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "settle-c: write error: %s\n", strerror(errno));
        status = 2;
    }
    if (in != stdin)
        fclose(in);
    catalogs_free(cat);
    return status;
}
