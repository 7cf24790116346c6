/* verify.h — the bytecode verifier's shared state: the context every check
 * reports through, and the checks one part needs from another (verify.c:
 * tables and cross-references; verify_code.c: operands, jumps, termination;
 * verify_types.c: stack depths and value classes). Must not be included
 * outside those files. */
#ifndef RG_VERIFY_H
#define RG_VERIFY_H

#include <stdint.h>
#include <string.h>

#include "bytecode_io.h"
#include "text.h"
#include "vm.h"

typedef struct {
    const rg_program *p;
    char *err;
    size_t errlen;
} vctx;

/* The message into the caller's buffer; -1. */
#define VFAIL(v, ...) rg_errf((v)->err, (v)->errlen, __VA_ARGS__)

#define NEED(cond, ...)                               \
    do {                                              \
        if (!(cond)) return VFAIL(v, __VA_ARGS__);    \
    } while (0)

/* A chunk's code decoded: its n instructions in order, each one's offset
 * (off[n] is the chunk's length), and per offset the instruction that starts
 * there or RG_NO_INDEX (at[len] too). Arrays for the longest chunk. */
typedef struct {
    rg_insn *in;
    uint32_t *off, *at;
    uint32_t n;
} rg_vcode;
int rg_vcode_alloc(rg_vcode *vc, uint32_t longest);
void rg_vcode_free(rg_vcode *vc);
/* Chunk ci decoded into vc: code that rg_verify_code accepted (verify_code.c). */
void rg_vcode_decode(const rg_program *p, uint32_t ci, rg_vcode *vc);

/* Is t a type of p: its kind known, its enumeration or list one of p's (verify.c). */
int rg_verify_type_ok(const rg_program *p, uint32_t t);
/* Length of the longest chunk (1 at least): the size of per-offset scratch arrays. */
uint32_t rg_verify_longest_chunk(const rg_program *p);
/* The walk of every path of every chunk (verify_types.c): the depth of the
 * stack and the class of every value. Begun once (NULL when it fails), given
 * each chunk as verify_code.c has decoded and checked it, ended once: when
 * all went well (ok), with the passes that follow row definitions' classes;
 * frees t. */
typedef struct rg_types rg_types;
rg_types *rg_verify_types_begin(vctx *v);
int rg_verify_types_chunk(vctx *v, rg_types *t, uint32_t ci, const rg_vcode *vc);
int rg_verify_types_end(vctx *v, rg_types *t, int ok);
/* Do chunks a and b return the same classes to the same bounds (their
 * definitions', ledger keys', ledger fields' first values)? */
int rg_verify_types_alike(const rg_types *t, uint32_t a, uint32_t b);
/* Did the walk of chunk ci read a row definition's class (so that a later
 * pass walks it again)? */
int rg_verify_types_reads_row(const rg_types *t, uint32_t ci);
/* Operand `which` of in becomes value when the class it gives (an
 * immediate's, a constant's, a TABLE block's cells') is the wider. */
void rg_verify_types_widen(const rg_program *p, rg_insn *in, int which, uint32_t value);
/* The TABLE block at constant at, for chunk ci's instruction at offset off (verify_code.c). */
int rg_verify_table_block(vctx *v, uint32_t ci, uint32_t off, uint32_t at);
/* Every chunk's code: decoding, operand bounds, jump targets, termination
 * (verify_code.c); each chunk then given to the walk t, with the copies
 * checked with it (verify_copies.c). */
int rg_verify_code(vctx *v, rg_types *t);

/* The copies (verify_copies.c): begun once (NULL when out of memory), freed once. */
typedef struct rg_vcopies rg_vcopies;
rg_vcopies *rg_vcopies_begin(vctx *v);
void rg_vcopies_free(rg_vcopies *cs);
/* Was chunk ci checked with the chunk it repeats? */
int rg_vcopies_done(const rg_vcopies *cs, uint32_t ci);
/* Chunk ci (decoded and checked in vc; role: per chunk, verify_code.c's)
 * walked, with the copies of it that can be checked with it. */
int rg_vcopies_walk(vctx *v, rg_vcopies *cs, rg_types *t, const uint8_t *role, uint32_t ci, rg_vcode *vc);

#endif
