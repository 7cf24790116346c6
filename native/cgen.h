/* cgen.h — what the two halves of the C generator share: cgen.c lays out the
 * file and each chunk's function, cgen_insn.c writes one instruction's C.
 * Internal to native/: api/ and cli/ use native.h. */
#ifndef RG_CGEN_H
#define RG_CGEN_H

#include <stdint.h>

#include "bytecode_io.h"
#include "text.h"

#define RGN_MULTI 0xFFFFFFFEu /* a chunk reached through several policies' vtables */

typedef struct {
    const rg_program *p;
    rg_sb *o;
    uint8_t *want;       /* per chunk: it gets a function */
    uint32_t *pol;       /* per chunk: the one policy it runs for, RGN_MULTI, or RG_NO_INDEX */
    int32_t *depth;      /* per offset of the chunk being written: stack depth, -1 unreachable */
    uint8_t *target;     /* per offset: how many jumps land there (up to 255) */
    uint8_t *in_loop;    /* per offset: a jump back from it or after it lands before it or on it */
    uint32_t *work;
    uint32_t chunk;      /* the chunk being written */
    uint32_t n_tables;   /* TABLE blocks written so far (each gets its arrays) */
    int shared;          /* writing a plan several policies share: their figures
                          * (LOAD_PCONST) read from x->pk in order, a call their
                          * policies make to other chunks chosen by the claim's
                          * policy's vtable entry (call_def) */
    uint32_t n_pk;       /* LOAD_PCONSTs written so far in the shared plan */
    uint32_t *shape;     /* per plan chunk: the plan whose function it runs (itself, or
                          * the first of the same shape: same_shape); per other chunk itself */
    uint8_t *shared_plan; /* per chunk: a plan whose function other plans run too */
    int jumps;           /* how a jump is written: RGN_GOTO, or (cgen_select.c) RGN_FLAG,
                          * a conditional one's condition into the flag j<flag>_ and
                          * the others as nothing, or RGN_NO_JUMP, nothing */
    uint32_t flag;
} cgen;

enum { RGN_GOTO, RGN_FLAG, RGN_NO_JUMP };

/* C for the instruction in at chunk offset off, the stack holding d values
 * before it (the verifier's depths). 0, or -1 for an instruction native code
 * does not compute (the pack then gets no native code). */
int rgn_emit_insn(cgen *g, uint32_t off, const rg_insn *in, int d);

/* Where chunk offset off starts a conditional jump whose two ways native
 * code may both compute and then choose between (cgen_select.c), write it
 * so and return 1, *join the offset where the ways join; 0 (nothing written)
 * where it does not; -1 out of memory. */
int rgn_emit_select(cgen *g, uint32_t off, uint32_t *join);

/* A value as a C literal of type rg_value. */
void rgn_lit(rg_sb *o, int64_t v);

#endif
