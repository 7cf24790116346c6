/* pack_checksum.h — the bytecode file's checksum written from its description
 * in docs/bytecode.md ("Checksum"), not from the library's code: the embedding
 * tests reseal changed packs with it, so a library that drifted from the
 * document would fail them. */
#ifndef PACK_CHECKSUM_H
#define PACK_CHECKSUM_H

#include <stdint.h>
#include <string.h>

static uint64_t doc_step(uint64_t h, uint64_t w)
{
    uint64_t x = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return x ^ (x >> 32);
}

/* The checksum of the n bytes b (the bytes before a file's checksum). */
static uint64_t doc_checksum(const unsigned char *b, size_t n)
{
    uint64_t lane[4] = {0, 1, 2, 3};
    for (size_t i = 0, word = 0; i < n; i += 8, word++) {
        unsigned char buf[8] = {0};
        memcpy(buf, b + i, n - i < 8 ? n - i : 8);
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--) /* little-endian */
            w = w << 8 | buf[k];
        lane[word % 4] = doc_step(lane[word % 4], w);
    }
    uint64_t h = doc_step(0, (uint64_t)n);
    for (int k = 0; k < 4; k++)
        h = doc_step(h, lane[k]);
    return h;
}

#endif
