/* api_native.c — a pack's plans as native code, when the host asks for it
 * (regula_options.native at load, regula_pack_native_attach later, or
 * REGULA_NATIVE=1) and REGULA_NATIVE is not 0:
 * the shared object is found in native/'s cache by the image's identity, or
 * generated and built there, then attached by the VM. Must never fail a
 * load: without native code the pack settles on the interpreter, the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Attach the cached object made from image, or build it first when build
 * is set; why not, in pk->native_why. */
static void attach(regula_pack *pk, const void *image, size_t len, int build)
{
    char *why = pk->native_why, dir[2048], path[2200];
    size_t cap = sizeof pk->native_why;
    uint8_t id[RG_NATIVE_ID_BYTES];
    if (pk->prog->native) {
        why[0] = '\0';
        return;
    }
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
    if (access(path, R_OK) != 0) {
        if (!build) {
            snprintf(why, cap, "the pack's native code is not built on this machine yet (regula run --native builds "
                               "it)");
            return;
        }
        if (rgn_build(pk->prog, id, cc, path, why, cap) != 0)
            return;
    }
    if (rg_native_attach(pk->prog, path, id, why, cap) != 0)
        return;
    why[0] = '\0';
}

void rg_api_pack_native(regula_pack *pk, const void *image, size_t len, int option)
{
    pk->image_len = len;
    if (image && len >= sizeof pk->image_head)
        memcpy(pk->image_head, image, sizeof pk->image_head);
    pk->native_why[0] = '\0';
    if (!wanted(option)) {
        snprintf(pk->native_why, sizeof pk->native_why, "native code was not asked for");
        return;
    }
    attach(pk, image, len, 1);
}

int regula_pack_native_attach(regula_pack *pk, const void *image, size_t len, int build)
{
    if (!pk)
        return 0;
    if (!wanted(1)) {
        snprintf(pk->native_why, sizeof pk->native_why, "REGULA_NATIVE=0 turns native code off");
        return 0;
    }
    /* the image must be the one the pack was loaded from: the object is chosen by its hash */
    if (!image || len != pk->image_len || len < sizeof pk->image_head ||
        memcmp(image, pk->image_head, sizeof pk->image_head) != 0) {
        snprintf(pk->native_why, sizeof pk->native_why,
                 "regula_pack_native_attach: that is not the image the pack was loaded from");
        return 0;
    }
    attach(pk, image, len, build);
    return pk->prog->native != NULL;
}

int regula_pack_native(const regula_pack *pk, const char **why)
{
    if (why)
        *why = pk ? pk->native_why : "no pack";
    return pk && pk->prog->native != NULL;
}
