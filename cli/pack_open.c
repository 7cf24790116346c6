/* pack_open.c — how every subcommand gets its pack: compile a directory or
 * .rg file, or load and verify a .rgc bytecode file. No settling here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytecode_io.h"
#include "cli.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cli_pack_open(cli_pack *cp, const char *path)
{
    memset(cp, 0, sizeof *cp);
    rg_diag_init(&cp->diag, stderr);
    cp->diag.color = isatty(2) && !getenv("NO_COLOR");
    if (ends_with(path, ".rgc")) {
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "regula: cannot open '%s': %s\n", path, strerror(errno));
            return -1;
        }
        size_t cap = 1 << 16, len = 0, got;
        uint8_t *buf = malloc(cap);
        while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
            len += got;
            if (len == cap) {
                cap *= 2;
                uint8_t *nb = realloc(buf, cap);
                if (!nb)
                    free(buf);
                buf = nb;
            }
        }
        fclose(f);
        if (!buf) {
            fprintf(stderr, "regula: out of memory reading '%s'\n", path);
            return -1;
        }
        char err[512];
        double t0 = now_ms();
        if (rg_program_load(buf, len, &cp->prog, err, sizeof err) != 0) {
            fprintf(stderr, "regula: %s: %s\n", path, err);
            free(buf);
            return -1;
        }
        cp->compile_ms = now_ms() - t0;
        cp->bytes = len;
        free(buf);
        return 0;
    }
    double t0 = now_ms();
    cp->pack = rgc_compile(path, &cp->diag);
    cp->compile_ms = now_ms() - t0;
    if (!cp->pack) {
        fprintf(stderr, "regula: %u error%s in %s\n", cp->diag.n_errors, cp->diag.n_errors == 1 ? "" : "s", path);
        return -1;
    }
    return 0;
}

const rg_program *cli_pack_program(const cli_pack *cp)
{
    return cp->pack ? rgc_pack_program(cp->pack) : cp->prog;
}

void cli_pack_close(cli_pack *cp)
{
    rgc_pack_free(cp->pack);
    if (cp->prog)
        rg_program_free(cp->prog);
    rg_diag_free(&cp->diag);
    memset(cp, 0, sizeof *cp);
}

int cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "regula: %s needs a value\n", name);
        *value = NULL;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}
