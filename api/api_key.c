/* api_key.c — regula_public_key_load: a public key file (regula keygen's
 * NAME.pub) into the bytes regula_options.public_key takes. Must not load or
 * check a pack (the loader does, with the key). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "regula.h"

_Static_assert(REGULA_PUBLIC_KEY_BYTES == RG_KEY_BYTES, "a public key is 32 bytes");

regula_status regula_public_key_parse(const char *text, unsigned char key[REGULA_PUBLIC_KEY_BYTES], char *err,
                                      size_t errlen)
{
    if (!text || !key) {
        if (err && errlen)
            snprintf(err, errlen, "regula_public_key_parse needs the key's text and room for the key");
        return REGULA_ERR_USAGE;
    }
    return rg_key_parse(text, strlen(text), 0, key, err, errlen) == 0 ? REGULA_OK : REGULA_ERR_USAGE;
}

regula_status regula_public_key_load(const char *path, unsigned char key[REGULA_PUBLIC_KEY_BYTES], char *err,
                                     size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !key) {
        if (err && errlen)
            snprintf(err, errlen, "regula_public_key_load needs a path and room for the key");
        return REGULA_ERR_USAGE;
    }
    FILE *f = fopen(path, "rb");
    char text[RG_KEY_TEXT_MAX + 1]; /* a key file is one short line: anything longer is no key */
    size_t n = f ? fread(text, 1, sizeof text, f) : 0;
    int saved = errno, bad = !f || ferror(f);
    if (f)
        fclose(f);
    if (bad) {
        if (err && errlen)
            snprintf(err, errlen, "cannot read the public key '%s': %s", path, strerror(saved));
        return REGULA_ERR_IO;
    }
    char why[256];
    if (n > RG_KEY_TEXT_MAX || rg_key_parse(text, n, 0, key, why, sizeof why) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, n > RG_KEY_TEXT_MAX ? "a key file is one line of at most 95 characters; this is longer" : why);
        return REGULA_ERR_USAGE;
    }
    return REGULA_OK;
}
