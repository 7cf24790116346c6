/* keyfile.h — the text of the keys that sign packs (docs/bytecode.md,
 * "Signature"): one line, `regula-ed25519-public HEX` or
 * `regula-ed25519-secret HEX`, 64 hex digits of the 32-byte key (a secret
 * key is its Ed25519 seed). Text only: no cryptography here (vm/signature.c
 * checks, compiler/bcsign.c signs). */
#ifndef RG_KEYFILE_H
#define RG_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define RG_KEY_BYTES 32u
#define RG_KEY_TEXT_MAX 96u /* a key's line, its newline and NUL included */

/* Parse text (a key file's bytes) as a public (secret 0) or secret key into
 * key[32]. 0, or -1 with what is wrong and what to do in err. */
int rg_key_parse(const char *text, size_t len, int secret, uint8_t key[RG_KEY_BYTES], char *err, size_t errlen);
/* The key file's line for key, with its newline, into out (RG_KEY_TEXT_MAX bytes). */
void rg_key_format(const uint8_t key[RG_KEY_BYTES], int secret, char *out);
/* The first 8 bytes of a public key in hex, as messages name a key. */
void rg_key_id(const uint8_t key[RG_KEY_BYTES], char out[17]);

#endif
