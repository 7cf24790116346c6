/* api_native.c — a pack's plans as native code, when the host asks for it
 * (regula_options.native, or REGULA_NATIVE=1) and REGULA_NATIVE is not 0:
 * the shared object is found in native/'s cache by the image's identity, or
 * generated and built there, then attached by the VM. Must never fail a
 * load: without native code the pack settles on the interpreter, the same. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api_impl.h"
#include "native.h"

/* Does the host want native code? The environment has the last word. */
static int wanted(int option)
{
    const char *env = getenv("REGULA_NATIVE");
    if (env && *env)
        return env[0] != '0';
    return option;
}

void rg_api_pack_native(regula_pack *pk, const void *image, size_t len, int option)
{
    pk->native_why[0] = '\0';
    if (!wanted(option)) {
        snprintf(pk->native_why, sizeof pk->native_why, "native code was not asked for");
        return;
    }
    char *why = pk->native_why, dir[2048], path[2200];
    size_t cap = sizeof pk->native_why;
    uint8_t id[RG_NATIVE_ID_BYTES];
    if (pk->prog->n_externs) {
        snprintf(why, cap, "the pack calls host functions: its plans run on the interpreter");
        return;
    }
    if (rgn_image_id(image, len, id) != 0) {
        snprintf(why, cap, "cannot hash the pack's image (libsodium did not start)");
        return;
    }
    if (rgn_cache_dir(dir, sizeof dir, why, cap) != 0)
        return;
    const char *cc = rgn_cc();
    rgn_cache_path(dir, id, cc, path, sizeof path);
    if (access(path, R_OK) != 0 && rgn_build(pk->prog, id, cc, path, why, cap) != 0)
        return;
    if (rg_native_attach(pk->prog, path, id, why, cap) != 0)
        return;
    why[0] = '\0';
}

int regula_pack_native(const regula_pack *pk, const char **why)
{
    if (why)
        *why = pk ? pk->native_why : "no pack";
    return pk && pk->prog->native != NULL;
}
