/* keyfile.c — a signing key's line of text and back (keyfile.h). Must not
 * sign or verify anything, nor read files: the callers bring the bytes. */
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "text.h"

static const char *prefix(int secret)
{
    return secret ? "regula-ed25519-secret " : "regula-ed25519-public ";
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int rg_key_parse(const char *text, size_t len, int secret, uint8_t key[RG_KEY_BYTES], char *err, size_t errlen)
{
    const char *want = prefix(secret), *other = prefix(!secret);
    size_t pn = strlen(want);
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (len >= pn && memcmp(text, other, pn) == 0)
        return rg_errf(err, errlen, secret ? "this is a public key: sign with the secret key (the .key file of regula keygen)"
                                           : "this is a secret key: give the public key (the .pub file of regula keygen); "
                                             "a secret key never leaves the machine that signs");
    if (len < pn || memcmp(text, want, pn) != 0)
        return rg_errf(err, errlen, "not a Regula %s key: its line must start with '%.*s' (regula keygen writes one)",
                       secret ? "secret" : "public", (int)pn - 1, want);
    if (len != pn + 2 * RG_KEY_BYTES)
        return rg_errf(err, errlen, "a key is %u hex digits after '%.*s'; this line has %zu characters there",
                       2 * RG_KEY_BYTES, (int)pn - 1, want, len - pn);
    for (unsigned i = 0; i < RG_KEY_BYTES; i++) {
        int hi = hexval(text[pn + 2 * i]), lo = hexval(text[pn + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return rg_errf(err, errlen, "a key is written in hex digits (0-9, a-f): character %u is not one",
                           (unsigned)(pn + 2 * i + (hi < 0 ? 0 : 1) + 1));
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void rg_key_format(const uint8_t key[RG_KEY_BYTES], int secret, char *out)
{
    size_t n = (size_t)snprintf(out, RG_KEY_TEXT_MAX, "%s", prefix(secret));
    for (unsigned i = 0; i < RG_KEY_BYTES; i++)
        n += (size_t)snprintf(out + n, RG_KEY_TEXT_MAX - n, "%02x", key[i]);
    snprintf(out + n, RG_KEY_TEXT_MAX - n, "\n");
}

void rg_key_id(const uint8_t key[RG_KEY_BYTES], char out[17])
{
    for (unsigned i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", key[i]);
}
