/* cmd_run.c — `regula run`: JSON Lines claims in, results out, in input
 * order, with the year ledger; bad lines become error lines. A client of the
 * public API (include/regula.h) like any service: each line is one
 * regula_settle_line. Must not decide anything about a claim itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rg_stdlib.h"
#include "i18n.h"

static void usage(FILE *o)
{
    fprintf(o, _("usage: regula run --pack PACK [--explain] [--allow-extern LIB] [--public-key KEY.pub] [CLAIMS.jsonl|-]\n"
               "                  [--native|--no-native] [-o OUT.jsonl]\n\n"
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
               "  --native      settle with the pack's plans compiled to native code, built now with\n"
               "                the system's C compiler when this machine has not built them yet\n"
               "                (cached by the pack's hash; the same results: a claim native code\n"
               "                gives up is settled by the interpreter). Without it, native code is\n"
               "                used when it is already built (by --native or regula bench), never\n"
               "                built. docs/performance.md\n"
               "  --no-native   settle on the interpreter alone. REGULA_NATIVE=0 turns native code\n"
               "                off, REGULA_NATIVE=1 on (as --native)\n"
               "  -o FILE       write results to FILE instead of standard output\n\n"
               "exit status: 0 all lines settled, 1 some lines were errors, 2 usage or I/O error\n"));
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
            fprintf(stderr, _("regula run: standard input is closed (%s): give a claims file, or pipe the claims in "
                            "(regula run --pack PACK < claims.jsonl)\n"), strerror(errno));
        else
            fprintf(stderr, _("regula run: cannot read the claims '%s': %s\n"), name, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, _("regula run: '%s' is a directory: give a claims file (JSON Lines, one claim a line), or - for "
                        "standard input\n"), name ? name : "standard input");
        return -1;
    }
    return 0;
}

/* Settles the claim given to ctx and writes its line (LINENO names it in a
 * message). 0, or -1 when its line could not be made (after a message). */
static int settle_and_write(regula_ctx *ctx, regula_ledger *ledger, long lineno, FILE *out, cli_run_stats *st)
{
    const char *res;
    size_t res_len;
    regula_status s = regula_settle_bound(ctx, ledger, &res, &res_len);
    if (!res) {
        fprintf(stderr, _("regula: line %ld: %s\n"), lineno, regula_errmsg(ctx));
        return -1;
    }
    fwrite_unlocked(res, 1, res_len, out);
    putc_unlocked('\n', out);
    st->errors += s != REGULA_OK;
    return 0;
}

int cli_run_contexts(regula_pack *pk, regula_ctx *ctx[CLI_RUN_BATCH])
{
    memset(ctx, 0, CLI_RUN_BATCH * sizeof *ctx);
    for (unsigned k = 0; k < CLI_RUN_BATCH; k++)
        if (regula_ctx_new(pk, &ctx[k]) != REGULA_OK)
            return -1;
    return 0;
}

void cli_run_contexts_free(regula_ctx *ctx[CLI_RUN_BATCH])
{
    for (unsigned k = 0; k < CLI_RUN_BATCH; k++)
        regula_ctx_free(ctx[k]);
}

int cli_run_lines(regula_ctx *const ctx[CLI_RUN_BATCH], regula_ledger *ledger, FILE *in, FILE *out, int progress,
                  cli_run_stats *st)
{
    memset(st, 0, sizeof *st);
    rgd_lines l;
    rgd_lines_start(&l, in, "regula run");
    if (!progress)
        l.pg.on = 0;
    /* Lines are read a batch at a time, each claim on its own context; then
     * each claim's ledger keys are made, the home records of its look-ups
     * asked for; then the batch settles in input order: the reader's code,
     * the keys' and the settler's each stay in the instruction cache for a
     * batch rather than evicting each other at every claim, and the
     * look-ups' memory misses overlap the claims settled before them. */
    long line_of[CLI_RUN_BATCH];
    size_t too_long[CLI_RUN_BATCH];
    for (int more = 1; more;) {
        unsigned n = 0;
        while (n < CLI_RUN_BATCH && (more = rgd_lines_next(&l))) {
            st->lines = l.lineno;
            line_of[n] = l.lineno;
            too_long[n] = l.too_long;
            /* a claim that fails to read is settled as failed: its error line in its place */
            if (!l.too_long)
                regula_claim_json(ctx[n], l.line, l.len, l.lineno);
            n++;
        }
        for (unsigned k = 0; k < n; k++) /* each claim's keys, their index slots asked for (a failed claim: none) */
            if (!too_long[k])
                regula_ledger_prefetch(ctx[k], ledger);
        for (unsigned k = 0; k < n; k++) {
            if (too_long[k]) { /* one input line, one output line: this one's error */
                char msg[200];
                snprintf(msg, sizeof msg, "line %ld: the line has %zu bytes, more than the %zu MiB a claim may have: "
                         "give one claim a line", line_of[k], too_long[k], RG_MAX_LINE >> 20);
                rg_write_error_line(out, line_of[k], NULL, msg);
                st->errors++;
            } else if (settle_and_write(ctx[k], ledger, line_of[k], out, st)) {
                goto fail;
            }
        }
    }
    st->read_err = rgd_lines_end(&l) != 0 ? l.err : 0;
    return st->read_err ? -1 : 0;
fail:
    rgd_lines_end(&l);
    return -1;
}

int cmd_run(int argc, char **argv)
{
    const char *pack = NULL, *in = NULL, *outpath = NULL, *extern_lib = NULL, *keypath = NULL;
    int explain = 0;
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
        } else if (strcmp(argv[i], "--native") == 0) {
            native = RGD_NATIVE_ON;
        } else if (strcmp(argv[i], "--no-native") == 0) {
            native = RGD_NATIVE_OFF;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, _("regula run: unknown option '%s'\n"), argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, _("regula run: one claims file at a time ('%s' and '%s')\n"), in, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!pack) {
        fprintf(stderr, _("regula run: which policies? give --pack DIR|FILE.rg|PACK.rgc\n"));
        usage(stderr);
        return EXIT_USAGE;
    }
    FILE *fin = stdin;
    if (in && strcmp(in, "-") != 0 && !(fin = fopen(in, "rb"))) {
        fprintf(stderr, _("regula run: cannot open the claims '%s': %s\n"), in, strerror(errno));
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
    regula_pack *pk = NULL;
    regula_ctx *ctx[CLI_RUN_BATCH] = {NULL};
    regula_ledger *ledger = NULL;
    rgd_set_native(native);
    if (rgd_pack_load(pack, extern_lib, keypath ? key : NULL, "run", &pk, NULL) != 0)
        return EXIT_USAGE;
    rgd_native_report(pk, "run", 0);
    if (cli_run_contexts(pk, ctx) != 0 || regula_ledger_new(pk, &ledger) != REGULA_OK) {
        fprintf(stderr, _("regula run: out of memory\n"));
        regula_ledger_free(ledger);
        cli_run_contexts_free(ctx);
        rgd_native_settle(pk, RGD_NATIVE_DROP);
        regula_pack_free(pk);
        return EXIT_USAGE;
    }
    for (unsigned k = 0; k < CLI_RUN_BATCH; k++)
        regula_ctx_set_explain(ctx[k], explain);
    /* large buffers: a read or write call per 4 KB costs more than the claims in it */
    setvbuf(fin, NULL, _IOFBF, 1 << 20);
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    /* native code built earlier is looked for once a claim comes (hashing a large pack's image costs) */
    int c = getc(fin);
    rgd_native_settle(pk, c == EOF ? RGD_NATIVE_DROP : RGD_NATIVE_CACHED);
    if (c != EOF)
        ungetc(c, fin);
    cli_run_stats st;
    /* progress on a terminal, unless the results go to the same terminal */
    int rc = cli_run_lines(ctx, ledger, fin, out, !(out == stdout && isatty(1)), &st);
    int write_err = fflush(out) != 0 || ferror(out) ? (errno ? errno : EIO) : 0;
    regula_ledger_free(ledger);
    cli_run_contexts_free(ctx);
    regula_pack_free(pk);
    if (fin != stdin)
        fclose(fin);
    if (out != stdout && fclose(out) != 0 && !write_err)
        write_err = errno ? errno : EIO;
    if (st.read_err) {
        const char *name = in && strcmp(in, "-") ? in : NULL;
        fprintf(stderr, _("regula run: cannot read the claims from %s%s%s after line %ld: %s\n"), name ? "'" : "",
                name ? name : _("standard input"), name ? "'" : "", st.lines, strerror(st.read_err));
    }
    if (write_err)
        fprintf(stderr, _("regula run: cannot write the results to %s%s%s: %s\n"), outpath ? "'" : "",
                outpath ? outpath : _("standard output"), outpath ? "'" : "", strerror(write_err));
    if (rc != 0 || write_err)
        return EXIT_USAGE;
    return st.errors ? EXIT_FAIL : EXIT_OK;
}
