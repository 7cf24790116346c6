/* cache.c — where native objects are kept, and their names: one directory
 * of this user's that no one else may write, one file per pack identity,
 * generator and compiler. Must never use a directory another user could
 * write: a shared object there is code this process would run. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native.h"

int rgn_image_id(const void *image, size_t len, uint8_t id[RG_NATIVE_ID_BYTES])
{
    if (sodium_init() < 0)
        return -1;
    return crypto_generichash(id, RG_NATIVE_ID_BYTES, image, len, NULL, 0) == 0 ? 0 : -1;
}

/* Make dir (and its parents) with mode 0700 where missing. */
static int make_dirs(char *dir)
{
    for (char *s = dir + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        int r = mkdir(dir, 0700);
        *s = '/';
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int rgn_cache_dir(char *out, size_t cap, char *err, size_t errlen)
{
    const char *env = getenv("REGULA_NATIVE_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(out, cap, "%s", env);
    else if (xdg && *xdg == '/')
        n = snprintf(out, cap, "%s/regula/native", xdg);
    else if (home && *home == '/')
        n = snprintf(out, cap, "%s/.cache/regula/native", home);
    else
        return rg_errf(err, errlen, "no cache directory for native code (set REGULA_NATIVE_CACHE or HOME)");
    if (n < 0 || (size_t)n >= cap)
        return rg_errf(err, errlen, "the native code cache's path is too long");
    if (make_dirs(out) != 0)
        return rg_errf(err, errlen, "cannot make the native code cache '%s': %s", out, strerror(errno));
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
        return rg_errf(err, errlen, "the native code cache '%s' is not a directory", out);
    if (st.st_uid != geteuid() || (st.st_mode & 022))
        return rg_errf(err, errlen, "the native code cache '%s' is not this user's alone: not used", out);
    return 0;
}

const char *rgn_cc(void)
{
    const char *cc = getenv("REGULA_CC");
    return cc && *cc ? cc : "cc";
}

void rgn_cache_path(const char *dir, const uint8_t id[RG_NATIVE_ID_BYTES], const char *cc, char *path, size_t cap)
{
    crypto_generichash_state h;
    uint8_t key[16];
    int version = RGN_GENERATOR_VERSION;
    crypto_generichash_init(&h, NULL, 0, sizeof key);
    crypto_generichash_update(&h, id, RG_NATIVE_ID_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)&version, sizeof version);
    crypto_generichash_update(&h, (const uint8_t *)rgn_abi_text, rgn_abi_text_len);
    crypto_generichash_update(&h, (const uint8_t *)cc, strlen(cc) + 1);
    crypto_generichash_update(&h, (const uint8_t *)RGN_CFLAGS, sizeof RGN_CFLAGS);
    crypto_generichash_final(&h, key, sizeof key);
    char hex[2 * sizeof key + 1];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    snprintf(path, cap, "%s/%s.so", dir, hex);
}
