/* build.c — a pack's native object made: its C generated, written beside
 * the object's final name, compiled by the system's C compiler, renamed into
 * place. Must leave nothing half-written under the final name (another
 * process may be loading it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native.h"

/* Run `cc FLAGS -o so c 2> log`; 0 when it exits 0. */
static int compile(const char *cc, const char *c, const char *so, const char *log)
{
    size_t cap = strlen(cc) + strlen(c) + strlen(so) + strlen(log) + 128;
    char *cmd = malloc(cap);
    if (!cmd)
        return -1;
    /* cc may carry its own words (REGULA_CC="ccache cc"): run through the shell; the paths are ours */
    snprintf(cmd, cap, "%s " RGN_CFLAGS " -o '%s' '%s' 2>'%s' </dev/null", cc, so, c, log);
    int st = system(cmd);
    free(cmd);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The first line of the compiler's complaint in log, into why. */
static void first_line(const char *log, char *why, size_t cap)
{
    why[0] = '\0';
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    if (fgets(why, (int)cap, f))
        why[strcspn(why, "\n")] = '\0';
    fclose(f);
}

int rgn_build(const rg_program *p, const uint8_t id[RG_NATIVE_ID_BYTES], const char *cc, const char *path, char *err,
              size_t errlen)
{
    rg_sb c = {0};
    if (rgn_generate(p, id, &c, err, errlen) != 0) {
        rg_sb_free(&c);
        return -1;
    }
    size_t n = strlen(path) + 32;
    char *src = malloc(n), *tmp = malloc(n), *log = malloc(n);
    int rc = -1;
    if (!src || !tmp || !log) {
        rg_errf(err, errlen, "out of memory building native code");
        goto done;
    }
    long pid = (long)getpid();
    snprintf(src, n, "%s.%ld.c", path, pid);
    snprintf(tmp, n, "%s.%ld.tmp", path, pid);
    snprintf(log, n, "%s.%ld.log", path, pid);
    FILE *f = fopen(src, "w");
    if (!f || fwrite(rg_sb_str(&c), 1, c.n, f) != c.n || fclose(f) != 0) {
        rg_errf(err, errlen, "cannot write '%s': %s", src, strerror(errno));
        goto done;
    }
    if (compile(cc, src, tmp, log) != 0) {
        char why[300];
        first_line(log, why, sizeof why);
        rg_errf(err, errlen, "the C compiler '%s' could not build the pack's native code%s%s", cc, why[0] ? ": " : "",
                why);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        rg_errf(err, errlen, "cannot put the native code at '%s': %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (src && !getenv("REGULA_NATIVE_KEEP")) /* the C kept to read (tests, debugging) */
        unlink(src);
    if (tmp) unlink(tmp);
    if (log) unlink(log);
    free(src);
    free(tmp);
    free(log);
    rg_sb_free(&c);
    return rc;
}
