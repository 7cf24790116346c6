/* bcsign.c — signs a bytecode image (docs/bytecode.md, "Signature"): sets the
 * signed flag, makes the checksum right again, and appends the Ed25519
 * signature block (libsodium). Must not change anything else of the image. */
#include <sodium.h>
#include <stdlib.h>

#include "bcwrite.h"
#include "bytecode_io.h"
#include "keyfile.h"
#include "text.h"

int rgc_image_sign(uint8_t **buf, size_t *len, const uint8_t *seed, char *err, size_t errlen)
{
    if (sodium_init() < 0)
        return rg_errf(err, errlen, "cannot sign: libsodium did not start");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, seed);
    uint8_t *b = realloc(*buf, *len + RG_SIG_BLOCK_SIZE);
    if (!b) {
        sodium_memzero(sk, sizeof sk);
        return rg_errf(err, errlen, "cannot sign: out of memory");
    }
    size_t end = *len; /* the image ends with its checksum */
    rg_wr16(b + RG_HDR_FLAGS, (uint16_t)(rg_rd16(b + RG_HDR_FLAGS) | RG_FLAG_SIGNED));
    rg_wr64(b + end - RG_CHECKSUM_SIZE, rg_checksum(b, end - RG_CHECKSUM_SIZE));
    uint8_t *blk = b + end;
    memcpy(blk, RG_SIG_MAGIC, 4);
    rg_wr16(blk + RG_SIG_ALG, RG_SIG_ALG_ED25519);
    rg_wr16(blk + 6, 0);
    memcpy(blk + RG_SIG_KEY, pk, sizeof pk);
    crypto_sign_detached(blk + RG_SIG_SIGNATURE, NULL, b, end, sk);
    sodium_memzero(sk, sizeof sk);
    *buf = b;
    *len = end + RG_SIG_BLOCK_SIZE;
    return 0;
}

int rgc_key_pair(uint8_t *pk, uint8_t *seed)
{
    if (sodium_init() < 0)
        return -1;
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    randombytes_buf(seed, RG_KEY_BYTES);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    return 0;
}
