/* pack_open.c — how every subcommand gets its pack: compile a directory or
 * .rg file, or load and verify a .rgc bytecode file; and the host functions
 * --allow-extern names. No settling here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytecode_io.h"
#include "driver.h"
#include "file_io.h"
#include "externs.h"

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

int rgd_pack_open(rgd_pack *cp, const char *path)
{
    return rgd_pack_open_key(cp, path, NULL);
}

int rgd_pack_open_key(rgd_pack *cp, const char *path, const uint8_t *key)
{
    memset(cp, 0, sizeof *cp);
    rg_diag_init(&cp->diag, stderr);
    cp->diag.color = isatty(2) && !getenv("NO_COLOR");
    if (key && !ends_with(path, ".rgc")) {
        fprintf(stderr, "regula: a public key checks a compiled pack's signature, and '%s' is policy source: "
                        "give the signed PACK.rgc (regula compile --sign KEY.key)\n", path);
        return -1;
    }
    if (ends_with(path, ".rgc")) {
        size_t len;
        uint8_t *buf = (uint8_t *)rg_read_file(path, &len);
        if (!buf) {
            fprintf(stderr, "regula: cannot read '%s': %s\n", path, rg_read_error(errno, RG_MAX_FILE));
            return -1;
        }
        char err[512];
        double t0 = now_ms();
        if (rg_program_load_key(buf, len, key, &cp->prog, err, sizeof err) != 0) {
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

const rg_program *rgd_pack_program(const rgd_pack *cp)
{
    return cp->pack ? rgc_pack_program(cp->pack) : cp->prog;
}

void rgd_pack_close(rgd_pack *cp)
{
    rgc_pack_free(cp->pack);
    if (cp->prog)
        rg_program_free(cp->prog);
    rg_diag_free(&cp->diag);
    memset(cp, 0, sizeof *cp);
}

int rgd_externs_open(const rg_program *p, const char *lib, const char *cmd, rg_extern_table **out)
{
    *out = NULL;
    if (p->n_externs == 0)
        return 0; /* nothing to allow: a library given anyway is not opened */
    char sig[200], proto[240], err[1024];
    if (!lib) {
        rg_extern_signature(p, 0, sig, sizeof sig);
        rg_extern_prototype(p, 0, proto, sizeof proto);
        fprintf(stderr,
                "regula %s: the policies call host function '%s' (extern fn %s%s)%s; host functions run only when you "
                "allow them: give a shared library that defines %s, e.g. --allow-extern ./libhost.so (in C: %s)\n",
                cmd, p->str[p->externs[0].name], p->str[p->externs[0].name], sig,
                p->n_externs > 1 ? " and others" : "", p->n_externs > 1 ? "them all" : "it", proto);
        return -1;
    }
    /* a file here named without a directory: open it, not a system library of that name */
    char here[4096];
    if (!strchr(lib, '/') && access(lib, F_OK) == 0 && strlen(lib) + 3 <= sizeof here) {
        snprintf(here, sizeof here, "./%s", lib);
        lib = here;
    }
    rg_extern_table *t = rg_externs_new(p, NULL);
    if (!t) {
        fprintf(stderr, "regula %s: out of memory binding host functions\n", cmd);
        return -1;
    }
    if (rg_externs_from_library(t, lib, err, sizeof err) != 0) {
        fprintf(stderr, "regula %s: %s\n", cmd, err);
        rg_externs_free(t);
        return -1;
    }
    *out = t;
    return 0;
}
