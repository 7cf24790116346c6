/* bcwrite.h — the compiler's side of the bytecode file: an rg_program in memory to the image docs/bytecode.md specifies.
 * Must not check the program (call rg_program_verify first) nor know anything of the source language. */
#ifndef RGC_BCWRITE_H
#define RGC_BCWRITE_H

#include <stddef.h>
#include <stdint.h>
#include "program.h"

/* The file image of p in a new malloc'd buffer (*buf, *len): deterministic,
 * padding bytes zeroed, checksum appended. 0, or -1 on no memory or when an
 * array has a count but no storage. */
int rgc_program_write(const rg_program *p, uint8_t **buf, size_t *len);

/* Write the image of p to path (through path.tmp and a rename, so a reader
 * never sees half a file), signed with the secret key seed when it is not NULL.
 * 0, or -1 with a message in err. */
int rgc_program_write_file(const rg_program *p, const char *path, char *err, size_t errlen);
int rgc_program_write_signed(const rg_program *p, const char *path, const uint8_t *seed, char *err, size_t errlen);

/* Sign image (*buf, *len, ending with its checksum) with the Ed25519 key whose
 * 32-byte seed is given (bcsign.c): the signed flag, the checksum again, the
 * signature block appended. 0, or -1 with a message. */
int rgc_image_sign(uint8_t **buf, size_t *len, const uint8_t *seed, char *err, size_t errlen);
/* A new key pair: its public key and secret seed (32 bytes each). 0, or -1. */
int rgc_key_pair(uint8_t *pk, uint8_t *seed);

#endif
