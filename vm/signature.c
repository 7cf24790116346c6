/* signature.c — a pack's signature block (docs/bytecode.md, "Signature"): its
 * shape always, and, when the host requires a key, the Ed25519 signature
 * (libsodium) over every byte before the block. Must not read the sections:
 * it runs before anything of the pack is trusted. */
#include <sodium.h>

#include "bytecode_io.h"
#include "keyfile.h"
#include "text.h"
#include "vm.h"

_Static_assert(crypto_sign_PUBLICKEYBYTES == RG_KEY_BYTES && crypto_sign_BYTES == 64 &&
                   RG_SIG_SIGNATURE + crypto_sign_BYTES == RG_SIG_BLOCK_SIZE,
               "the signature block's layout is libsodium's Ed25519");

int rg_signature_check(const uint8_t *b, size_t len, size_t end, const uint8_t *key, char *err, size_t errlen)
{
    int signed_pack = (rg_rd16(b + RG_HDR_FLAGS) & RG_FLAG_SIGNED) != 0;
    if (!signed_pack) {
        if (end != len)
            return rg_errf(err, errlen, "bytecode file has %zu unexpected bytes after its checksum (which ends at offset %zu)",
                           len - end, end);
        if (key) {
            char id[17];
            rg_key_id(key, id);
            return rg_errf(err, errlen, "the pack is not signed, and only packs signed with key %s… may be loaded here: "
                           "sign it (regula compile --sign KEY.key)", id);
        }
        return 0;
    }
    if (len - end != RG_SIG_BLOCK_SIZE)
        return rg_errf(err, errlen, "bytecode file is signed (flag 0x%04x) but has %zu bytes after its checksum, not the "
                       "%u of a signature block", RG_FLAG_SIGNED, len - end, RG_SIG_BLOCK_SIZE);
    const uint8_t *blk = b + end;
    if (memcmp(blk, RG_SIG_MAGIC, 4) != 0 || rg_rd16(blk + RG_SIG_ALG) != RG_SIG_ALG_ED25519 || rg_rd16(blk + 6) != 0)
        return rg_errf(err, errlen, "the pack's signature block is not one this VM reads (it reads Ed25519 blocks, "
                       "algorithm 1): sign it again with this regula");
    if (!key)
        return 0; /* no key required: the signature is not checked (anyone can make one) */
    char want[17], got[17];
    rg_key_id(key, want);
    rg_key_id(blk + RG_SIG_KEY, got);
    if (memcmp(blk + RG_SIG_KEY, key, RG_KEY_BYTES) != 0)
        return rg_errf(err, errlen, "the pack is signed with key %s…, but only packs signed with key %s… may be loaded "
                       "here: sign it with that key's secret", got, want);
    if (sodium_init() < 0)
        return rg_errf(err, errlen, "cannot check the pack's signature: libsodium did not start");
    if (crypto_sign_verify_detached(blk + RG_SIG_SIGNATURE, b, end, key) != 0)
        return rg_errf(err, errlen, "the pack's signature does not match its bytes: it was changed after it was signed "
                       "(or signed wrongly); do not load it");
    return 0;
}
