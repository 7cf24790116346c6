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
 * never sees half a file). 0, or -1 with a message in err. */
int rgc_program_write_file(const rg_program *p, const char *path, char *err, size_t errlen);

#endif
