/* pack_open.c — how every subcommand gets its pack: compile a directory or
 * .rg file, or load and verify a .rgc bytecode file; and the host functions
 * --allow-extern names. No settling here. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "driver.h"
#include "file_io.h"
#include "externs.h"
#include "i18n.h"

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

/* A key without a .rgc: what to give instead. */
static int key_needs_rgc(const char *path)
{
    fprintf(stderr, _("regula: a public key checks a compiled pack's signature, and '%s' is policy source: "
                    "give the signed PACK.rgc (regula compile --sign KEY.key)\n"), path);
    return -1;
}

static int pack_open(rgd_pack *cp, const char *path, const uint8_t *key, rg_diag_sink sink, void *ud, int for_check)
{
    memset(cp, 0, sizeof *cp);
    rg_diag_init(&cp->diag, stderr);
    cp->diag.color = isatty(2) && !getenv("NO_COLOR");
    cp->diag.sink = sink;
    cp->diag.sink_ud = ud;
    if (key && !ends_with(path, ".rgc"))
        return key_needs_rgc(path);
    if (ends_with(path, ".rgc")) {
        size_t len;
        uint8_t *buf = (uint8_t *)rg_read_file(path, &len);
        if (!buf) {
            if (sink)
                rg_report_plain(&cp->diag, RG_SEV_ERROR, _("cannot read '%s': %s"), path, rg_read_error(errno, RG_MAX_FILE));
            else
                fprintf(stderr, _("regula: cannot read '%s': %s\n"), path, rg_read_error(errno, RG_MAX_FILE));
            return -1;
        }
        char err[512];
        double t0 = now_ms();
        if (rg_program_load_key(buf, len, key, &cp->prog, err, sizeof err) != 0) {
            if (sink)
                rg_report_plain(&cp->diag, RG_SEV_ERROR, "%s: %s", path, err);
            else
                fprintf(stderr, "regula: %s: %s\n", path, err);
            free(buf);
            return -1;
        }
        cp->compile_ms = now_ms() - t0;
        cp->bytes = len;
        free(buf);
        return 0;
    }
    int home = -1;
    if (strncmp(path, "git:", 4) == 0) {
        char tmp[1100], err[1600];
        int rc = rgd_git_extract(path, tmp, sizeof tmp, err, sizeof err);
        if (tmp[0])
            cp->tmpdir = strdup(tmp);
        /* compiled from inside the copy, by the name the user wrote */
        if (rc == 0 && ((home = open(".", O_RDONLY | O_DIRECTORY)) < 0 || chdir(tmp) != 0)) {
            snprintf(err, sizeof err, _("%s: cannot enter its copy %s: %s"), path, tmp, strerror(errno));
            rc = -1;
        }
        if (rc != 0) {
            if (home >= 0)
                close(home);
            if (sink)
                rg_report_plain(&cp->diag, RG_SEV_ERROR, "%s", err);
            else
                fprintf(stderr, "regula: %s\n", err);
            return -1;
        }
    }
    double t0 = now_ms();
    cp->pack = rgc_compile_making(path, &cp->diag, for_check ? RGC_MAKE_NONE : RGC_MAKE_ALL);
    cp->compile_ms = now_ms() - t0;
    if (home >= 0) {
        if (fchdir(home) != 0)
            fprintf(stderr, _("regula: cannot return to the directory it started in: %s\n"), strerror(errno));
        close(home);
    }
    if (!cp->pack) {
        if (!sink)
            fprintf(stderr, ngettext("regula: %u error in %s\n", "regula: %u errors in %s\n", cp->diag.n_errors),
                    cp->diag.n_errors, path);
        return -1;
    }
    return 0;
}

int rgd_pack_open(rgd_pack *cp, const char *path)
{
    return pack_open(cp, path, NULL, NULL, NULL, 0);
}

int rgd_pack_open_sink(rgd_pack *cp, const char *path, rg_diag_sink sink, void *ud)
{
    return pack_open(cp, path, NULL, sink, ud, 0);
}

int rgd_pack_open_key(rgd_pack *cp, const char *path, const uint8_t *key)
{
    return pack_open(cp, path, key, NULL, NULL, 0);
}

int rgd_pack_open_check(rgd_pack *cp, const char *path, rg_diag_sink sink, void *ud)
{
    return pack_open(cp, path, NULL, sink, ud, 1);
}

const rg_program *rgd_pack_program(const rgd_pack *cp)
{
    return cp->pack ? rgc_pack_program(cp->pack) : cp->prog;
}

void rgd_pack_close(rgd_pack *cp)
{
    rgd_git_remove(cp->tmpdir);
    free(cp->tmpdir);
    rgc_pack_free(cp->pack);
    if (cp->prog)
        rg_program_free(cp->prog);
    rg_diag_free(&cp->diag);
    memset(cp, 0, sizeof *cp);
}

/* The message of a pack that calls host functions run without --allow-extern. */
static void need_extern_lib(const rg_program *p, const char *cmd)
{
    char sig[200], proto[240];
    rg_extern_signature(p, 0, sig, sizeof sig);
    rg_extern_prototype(p, 0, proto, sizeof proto);
    fprintf(stderr,
            _("regula %s: the policies call host function '%s' (extern fn %s%s)%s; host functions run only when you "
            "allow them: give a shared library that defines %s, e.g. --allow-extern ./libhost.so (in C: %s)\n"),
            cmd, p->str[p->externs[0].name], p->str[p->externs[0].name], sig, p->n_externs > 1 ? _(" and others") : "",
            p->n_externs > 1 ? _("them all") : _("it"), proto);
}

/* LIB as dlopen should take it: a file here named without a directory is
 * that file, not a system library of that name. */
static const char *lib_path(const char *lib, char *here, size_t cap)
{
    if (!strchr(lib, '/') && access(lib, F_OK) == 0 && strlen(lib) + 3 <= cap) {
        snprintf(here, cap, "./%s", lib);
        return here;
    }
    return lib;
}

static int native_mode; /* rgd_set_native */
/* The image of the pack loaded last with RGD_NATIVE_LATER, kept for rgd_native_settle. */
static struct {
    const regula_pack *pk;
    void *image;
    size_t len;
} later;

void rgd_set_native(int mode)
{
    native_mode = mode;
}

void rgd_native_report(const regula_pack *pk, const char *cmd, int always)
{
    const char *why;
    if ((always || native_mode == RGD_NATIVE_ON) && native_mode != RGD_NATIVE_OFF && !regula_pack_native(pk, &why))
        fprintf(stderr, _("regula %s: no native code (%s): settling on the interpreter\n"), cmd, why);
}

/* IMAGE, malloc'd, just loaded as PK: kept for rgd_native_settle when native
 * code is to come later, else freed. */
static void keep_image(const regula_pack *pk, void *image, size_t len)
{
    if (native_mode != RGD_NATIVE_LATER || !pk) {
        free(image);
        return;
    }
    free(later.image);
    later.pk = pk;
    later.image = image;
    later.len = len;
}

void rgd_native_settle(regula_pack *pk, int how)
{
    if (how == RGD_NATIVE_BUILD && rg_image_code_len(later.image, later.len) > RGD_NATIVE_BUILD_MAX)
        how = RGD_NATIVE_CACHED; /* its C would take the compiler minutes: built only when asked (--native) */
    if (pk && later.pk == pk && how != RGD_NATIVE_DROP)
        regula_pack_native_attach(pk, later.image, later.len, how == RGD_NATIVE_BUILD);
    if (later.pk == pk) {
        free(later.image);
        memset(&later, 0, sizeof later);
    }
}

/* IMAGE loaded through the public API, with LIB's host functions and KEY's
 * signature check when given: 0, or -1 with the reason in ERR. */
static int image_load(const void *image, size_t len, const char *lib, const uint8_t *key, regula_pack **out,
                      char *err, size_t errlen)
{
    char here[4096];
    regula_options opt = {0};
    regula_host *host = NULL;
    int rc = -1;
    opt.public_key = key;
    opt.native = native_mode == RGD_NATIVE_ON;
    if (lib) {
        if (regula_host_new(NULL, &host) != REGULA_OK) {
            snprintf(err, errlen, "%s", _("out of memory"));
            goto done;
        }
        if (regula_host_add_library(host, lib_path(lib, here, sizeof here)) != REGULA_OK) {
            snprintf(err, errlen, "%s", regula_host_errmsg(host));
            goto done;
        }
        opt.host = host;
    }
    if (regula_pack_load(image, len, &opt, out, err, errlen) == REGULA_OK)
        rc = 0;
done:
    regula_host_free(host);
    return rc;
}

int rgd_program_api(const rg_program *p, const char *lib, regula_pack **out, char *err, size_t errlen)
{
    uint8_t *img = NULL;
    size_t len = 0;
    *out = NULL;
    if (rgc_program_write(p, &img, &len) != 0) {
        snprintf(err, errlen, _("out of memory writing the pack's bytecode"));
        return -1;
    }
    int rc = image_load(img, len, lib, NULL, out, err, errlen);
    keep_image(*out, img, len);
    return rc;
}

int rgd_settler_open(rgd_settler *s, const rg_program *p, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (rgd_program_api(p, NULL, &s->pack, err, errlen) != 0)
        return -1;
    if (regula_ctx_new(s->pack, &s->ctx) != REGULA_OK || regula_ledger_new(s->pack, &s->ledger) != REGULA_OK) {
        snprintf(err, errlen, "%s", _("out of memory"));
        return -1;
    }
    return 0;
}

void rgd_settler_close(rgd_settler *s)
{
    regula_ledger_free(s->ledger);
    regula_ctx_free(s->ctx);
    regula_pack_free(s->pack);
    memset(s, 0, sizeof *s);
}

int rgd_pack_api(const rgd_pack *cp, const char *lib, const char *cmd, regula_pack **out)
{
    const rg_program *p = rgd_pack_program(cp);
    *out = NULL;
    if (p->n_externs && !lib) {
        need_extern_lib(p, cmd);
        return -1;
    }
    char err[1024];
    if (rgd_program_api(p, lib, out, err, sizeof err) != 0) {
        fprintf(stderr, "regula %s: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

int rgd_pack_load(const char *path, const char *lib, const uint8_t *key, const char *cmd, regula_pack **out,
                  rgd_pack_info *info)
{
    *out = NULL;
    double t0 = now_ms();
    rgd_pack cp;
    if (key && !ends_with(path, ".rgc"))
        return key_needs_rgc(path);
    /* a .rgc is read and verified once, by regula_pack_load; sources compiled first */
    if (ends_with(path, ".rgc")) {
        size_t len; /* read, not mapped: a file cut short while mapped would stop the process (SIGBUS), a short
                     * read is the loader's "truncated" message */
        char *buf = rg_read_file(path, &len);
        if (!buf) {
            fprintf(stderr, _("regula: cannot read '%s': %s\n"), path, rg_read_error(errno, RG_MAX_FILE));
            return -1;
        }
        char err[1024];
        int rc = image_load(buf, len, lib, key, out, err, sizeof err);
        keep_image(*out, buf, len);
        if (rc == 0) {
            if (info) {
                info->compile_ms = now_ms() - t0;
                info->bytes = len;
            }
            return 0;
        }
        if (lib || !strstr(err, "policy needs host function")) {
            fprintf(stderr, "regula: %s: %s\n", path, err);
            return -1;
        }
        /* it calls host functions: say how to allow them, as for a source pack */
    }
    if (rgd_pack_open_key(&cp, path, key) != 0) {
        rgd_pack_close(&cp);
        return -1;
    }
    int rc = rgd_pack_api(&cp, lib, cmd, out);
    if (rc == 0 && info) {
        info->compile_ms = now_ms() - t0;
        info->bytes = cp.bytes;
        if (!info->bytes) {
            uint8_t *img = NULL;
            if (rgc_program_write(rgd_pack_program(&cp), &img, &info->bytes) != 0)
                info->bytes = 0;
            free(img);
        }
    }
    rgd_pack_close(&cp);
    return rc;
}

int rgd_value_text(const rg_program *p, uint32_t type, int64_t v, char *buf, size_t cap)
{
    return rg_value_text(p, type, v, buf, cap);
}
