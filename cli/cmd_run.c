/* cmd_run.c — `regula run`: JSON Lines claims in, results out, in input
 * order, with the year ledger; bad lines become error lines. Must not decide
 * anything about a claim itself: the VM and the stdlib do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "explain.h"
#include "externs.h"
#include "file_io.h"
#include "json_arena.h"
#include "rg_stdlib.h"
#include "vm.h"

static void usage(FILE *o)
{
    fprintf(o, "usage: regula run --pack PACK [--explain] [--allow-extern LIB] [--public-key KEY.pub] [CLAIMS.jsonl|-]\n"
               "                  [-o OUT.jsonl]\n\n"
               "Settle each JSON claim line with PACK (a policy directory, .rg file or .rgc bytecode),\n"
               "in input order, keeping the year ledger of every person. Writes one result line per\n"
               "input line; a bad line gets {\"line\": N, \"error\": …} and the batch goes on.\n"
               "Reads standard input when no file (or -) is given.\n\n"
               "  --pack PACK   the policies\n"
               "  --explain     add \"explain\": where every amount came from\n"
               "  --allow-extern LIB  let the policies call their `extern fn` host functions: each is\n"
               "                looked up by its name in the shared library LIB (./libhost.so, or a\n"
               "                name the system's loader finds) and called with the C types of its\n"
               "                declaration: string as const char *, every other type as int64_t\n"
               "                (money in fen, percent in 1/10000 of a percent, dates in days since\n"
               "                1970-01-01, enums as ordinals). A pack that declares host functions\n"
               "                does not run without this option; one the library lacks is named in\n"
               "                the error. See docs/embedding.md.\n"
               "  --public-key KEY.pub  load PACK only if it is a .rgc signed with that key's secret\n"
               "                (regula keygen, regula compile --sign): unsigned or otherwise signed packs\n"
               "                are refused\n"
               "  -o FILE       write results to FILE instead of standard output\n\n"
               "exit status: 0 all lines settled, 1 some lines were errors, 2 usage or I/O error\n");
}

typedef struct {
    long lines, settled, errors, eligible;
} run_stats;

static int settle_line(rg_vm *vm, rg_ledger_store *ledger, const char *line, size_t len, long lineno, int explain,
                       FILE *out)
{
    char err[600], full[700];
    json_t *obj = NULL;
    const char *cid = NULL;
    if (rg_read_claim_line(line, len, lineno, &obj, err, sizeof err, &cid) != 0) {
        rg_write_error_line(out, lineno, cid, err);
        return 1;
    }
    rg_status s = rg_bind_claim(vm, obj, err, sizeof err);
    if (s != RG_OK) {
        snprintf(full, sizeof full, "line %ld: %s", lineno, err);
        rg_write_error_line(out, lineno, cid, full);
        cli_json_arena_release(obj);
        return 1;
    }
    vm->explain = explain;
    s = rg_vm_begin(vm);
    if (s == RG_OK)
        s = rg_ledger_store_load(ledger, vm);
    if (s == RG_OK) {
        if (explain)
            s = rg_write_result_explained(out, vm);
        else
            s = rg_write_result(out, vm, cid);
    }
    if (s == RG_OK)
        s = rg_vm_run_updates(vm);
    if (s != RG_OK) {
        snprintf(full, sizeof full, "line %ld: %s", lineno, vm->error[0] ? vm->error : "settlement failed");
        rg_write_error_line(out, lineno, cid, full);
        cli_json_arena_release(obj);
        return 1;
    }
    rg_ledger_store_commit(ledger, vm);
    cli_json_arena_release(obj);
    return 0;
}

/* The claims come from path (NULL or "-": standard input): a file, a pipe, a
 * terminal, never a directory nor a closed descriptor. 0, or -1 after saying
 * what is wrong and what to do. */
static int claims_readable(FILE *f, const char *path)
{
    struct stat st;
    const char *name = path && strcmp(path, "-") != 0 ? path : NULL;
    if (fstat(fileno(f), &st) != 0) {
        if (!name)
            fprintf(stderr, "regula run: standard input is closed (%s): give a claims file, or pipe the claims in "
                            "(regula run --pack PACK < claims.jsonl)\n", strerror(errno));
        else
            fprintf(stderr, "regula run: cannot read the claims '%s': %s\n", name, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "regula run: '%s' is a directory: give a claims file (JSON Lines, one claim a line), or - for "
                        "standard input\n", name ? name : "standard input");
        return -1;
    }
    return 0;
}

/* Settle one line; writes its output line. Returns 0 settled, 1 error line.
 * The line's JSON lives in one block, released at once (cli/json_arena.c). */
int cli_settle_line(rg_vm *vm, rg_ledger_store *ledger, const char *line, size_t len, long lineno, int explain,
                    FILE *out)
{
    cli_json_arena_begin();
    int r = settle_line(vm, ledger, line, len, lineno, explain, out);
    cli_json_arena_end();
    return r;
}

int cmd_run(int argc, char **argv)
{
    const char *pack = NULL, *in = NULL, *outpath = NULL, *extern_lib = NULL, *keypath = NULL;
    int explain = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--pack", &v)) {
            if (!v)
                return EXIT_USAGE;
            pack = v;
        } else if (cli_opt(argc, argv, &i, "-o", &v)) {
            if (!v)
                return EXIT_USAGE;
            outpath = v;
        } else if (cli_opt(argc, argv, &i, "--allow-extern", &v)) {
            if (!v)
                return EXIT_USAGE;
            extern_lib = v;
        } else if (cli_opt(argc, argv, &i, "--public-key", &v)) {
            if (!v)
                return EXIT_USAGE;
            keypath = v;
        } else if (strcmp(argv[i], "--explain") == 0) {
            explain = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "regula run: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "regula run: one claims file at a time ('%s' and '%s')\n", in, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!pack) {
        fprintf(stderr, "regula run: which policies? give --pack DIR|FILE.rg|PACK.rgc\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    FILE *fin = stdin;
    if (in && strcmp(in, "-") != 0 && !(fin = fopen(in, "rb"))) {
        fprintf(stderr, "regula run: cannot open the claims '%s': %s\n", in, strerror(errno));
        return EXIT_USAGE;
    }
    if (claims_readable(fin, in) != 0) {
        if (fin != stdin)
            fclose(fin);
        return EXIT_USAGE;
    }
    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "w"))) {
        perror(outpath);
        return EXIT_USAGE;
    }
    unsigned char key[32];
    if (keypath && cli_read_key(keypath, 0, key, "run") != 0)
        return EXIT_USAGE;
    rgd_pack cp;
    if (rgd_pack_open_key(&cp, pack, keypath ? key : NULL) != 0) {
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    const rg_program *p = rgd_pack_program(&cp);
    /* host functions only when the user names where they come from */
    rg_extern_table *externs = NULL;
    if (rgd_externs_open(p, extern_lib, "run", &externs) != 0) {
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    rg_vm *vm = rg_vm_new(p);
    if (vm)
        vm->externs = externs;
    rg_ledger_store *ledger = rg_ledger_store_new(p);
    if (!vm || !ledger) {
        fprintf(stderr, "regula run: out of memory\n");
        rg_ledger_store_free(ledger);
        rg_vm_free(vm);
        rg_externs_free(externs);
        rgd_pack_close(&cp);
        return EXIT_USAGE;
    }
    rg_lines lines;
    rg_lines_init(&lines, fin, RG_MAX_LINE);
    const char *line;
    ssize_t n;
    long lineno = 0, errors = 0;
    int progress = isatty(2) && !explain;
    while ((n = rg_lines_next(&lines, &line)) != -1) {
        lineno++;
        if (n == RG_LINE_TOO_LONG) { /* one input line, one output line: this one's error */
            char msg[200];
            snprintf(msg, sizeof msg, "line %ld: the line has %zu bytes, more than the %zu MiB a claim may have: "
                     "give one claim a line", lineno, lines.dropped, RG_MAX_LINE >> 20);
            rg_write_error_line(out, lineno, NULL, msg);
            errors++;
            continue;
        }
        errors += cli_settle_line(vm, ledger, line, (size_t)n, lineno, explain, out);
        if (progress && lineno % 100000 == 0)
            fprintf(stderr, "\r%ld claims…", lineno);
    }
    if (progress && lineno >= 100000)
        fprintf(stderr, "\r%ld claims, %ld errors\n", lineno, errors);
    int read_err = lines.err, write_err = fflush(out) != 0 || ferror(out) ? errno : 0;
    rg_lines_free(&lines);
    rg_ledger_store_free(ledger);
    rg_vm_free(vm);
    rg_externs_free(externs);
    rgd_pack_close(&cp);
    if (fin != stdin)
        fclose(fin);
    if (out != stdout && fclose(out) != 0 && !write_err)
        write_err = errno ? errno : EIO;
    if (read_err || write_err) {
        if (read_err)
            fprintf(stderr, "regula run: cannot read the claims from %s%s%s after line %ld: %s\n",
                    in && strcmp(in, "-") ? "'" : "", in && strcmp(in, "-") ? in : "standard input",
                    in && strcmp(in, "-") ? "'" : "", lineno, strerror(read_err));
        if (write_err)
            fprintf(stderr, "regula run: cannot write the results to %s%s%s: %s\n", outpath ? "'" : "",
                    outpath ? outpath : "standard output", outpath ? "'" : "", strerror(write_err));
        return EXIT_USAGE;
    }
    return errors ? EXIT_FAIL : EXIT_OK;
}
