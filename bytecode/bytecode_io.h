/* bytecode_io.h — the bytecode file as the writer, loader, verifier and disassembler see it: the section tables, and the little-endian, FNV-1a and instruction-decoding helpers shared by them.
 * Must not depend on the compiler; the file layout it names is specified in docs/bytecode.md and nowhere else. */
#ifndef RG_BYTECODE_IO_H
#define RG_BYTECODE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "opcodes.h"
#include "program.h"

/* The file is little-endian and is read and written with memcpy of native
 * integers and records, so only little-endian targets are supported. */
#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__)
#error "cannot tell this target's byte order; Regula bytecode needs a little-endian target"
#endif
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "Regula bytecode is little-endian: build on a little-endian target (x86-64, aarch64)");

/* One section per RG_PROGRAM_ARRAYS entry, in that order. */
enum {
#define RG_X_SEC(type, name) RG_SEC_##name,
    RG_PROGRAM_ARRAYS(RG_X_SEC)
#undef RG_X_SEC
    RG_N_SECTIONS
};

extern const char *const rg_section_name[RG_N_SECTIONS];     /* "strings", "member_names", ... */
extern const uint32_t rg_section_elem_size[RG_N_SECTIONS];  /* sizeof the record type */

/* File header: byte offsets of its fields (docs/bytecode.md, "Header"). */
#define RG_HDR_MAGIC 0u         /* 4 bytes "RGLA" */
#define RG_HDR_VERSION 4u       /* u16 */
#define RG_HDR_FLAGS 6u         /* u16, 0 */
#define RG_HDR_SOURCE_HASH 8u   /* u64 */
#define RG_HDR_SELECT_POLICY 16u /* u32 entry.select_policy */
#define RG_HDR_ASOF 20u         /* u32 entry.asof */
#define RG_HDR_VALIDATE 24u     /* u32 entry.validate */
#define RG_HDR_CLAIM_SLOTS 28u  /* u32 n_claim_slots */
#define RG_HDR_ITEM_SLOTS 32u   /* u32 n_item_slots */
#define RG_HDR_N_CLAIM_LISTS 36u /* u32 n_claim_lists */
#define RG_HDR_ITEM_DEFS 40u    /* u32 n_item_defs */
#define RG_HDR_N_SECTIONS 44u   /* u32 */
#define RG_HDR_SIZE 48u
#define RG_SECTION_HDR_SIZE 8u  /* u32 count, u32 element size */
/* The vtable section's first word (docs/bytecode.md, "The vtable in the file"). */
#define RG_VTABLE_AS_IS 0u      /* the vtable follows as it is */
#define RG_VTABLE_BY_PARENT 1u  /* per policy: a root's row; a child's count, then (slot, chunk) each */
/* What the loader puts back of what a file leaves out (the copies' code, form
 * 1's vtable) may each take at most this many times the file's bytes, and
 * 1 MiB: a small file must not make it allocate gigabytes. */
#define RG_IMAGE_MAX_GROWTH 64u
#define RG_IMAGE_MAX_PUT_BACK(len) (RG_IMAGE_MAX_GROWTH * (uint64_t)(len) + (1u << 20))
#define RG_CHECKSUM_SIZE 8u     /* u64 FNV-1a 64 of every byte before it */

/* A signed pack (docs/bytecode.md, "Signature"): header flag RG_FLAG_SIGNED,
 * and after the checksum one block: "RGSG", u16 algorithm (1: Ed25519), u16 0,
 * the signer's 32-byte public key, the 64-byte signature of every byte before
 * the block. Nothing follows it. */
#define RG_FLAG_SIGNED 0x0001u
#define RG_FLAGS_KNOWN RG_FLAG_SIGNED
#define RG_SIG_MAGIC "RGSG"
#define RG_SIG_ALG_ED25519 1u
#define RG_SIG_ALG 4u           /* u16 */
#define RG_SIG_KEY 8u           /* 32 bytes */
#define RG_SIG_SIGNATURE 40u    /* 64 bytes */
#define RG_SIG_BLOCK_SIZE 104u

static inline uint16_t rg_rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, sizeof v); return v; }
static inline uint32_t rg_rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, sizeof v); return v; }
static inline uint64_t rg_rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, sizeof v); return v; }
static inline void rg_wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static inline void rg_wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static inline void rg_wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

/* The file's checksum (docs/bytecode.md): the bytes as little-endian 64-bit
 * words, the last one zero-padded, word i stepped into lane i mod 4; then the
 * length and the four lanes stepped into one. Four lanes, so that the
 * multiplies of neighbouring words overlap (FNV-1a, a multiply a byte each
 * waiting on the one before, took 10 ms for a 4 MB pack). A change within one
 * word always changes the sum: each step is a bijection of the lane. */
#define RG_SUM_M 0x9e3779b97f4a7c15ull
static inline uint64_t rg_sum_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * RG_SUM_M;
    return h ^ (h >> 32);
}

static inline uint64_t rg_checksum(const uint8_t *b, size_t n)
{
    uint64_t lane[4] = {0, 1, 2, 3};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++)
            lane[k] = rg_sum_step(lane[k], rg_rd64(b + i + 8 * k));
    for (int k = 0; i < n; i += 8, k++) {
        uint64_t w = 0;
        memcpy(&w, b + i, n - i < 8 ? n - i : 8);
        lane[k] = rg_sum_step(lane[k], w);
    }
    uint64_t h = rg_sum_step(0, (uint64_t)n);
    for (int k = 0; k < 4; k++)
        h = rg_sum_step(h, lane[k]);
    return h;
}

#define RG_FNV64_BASIS 0xcbf29ce484222325ull
#define RG_FNV64_PRIME 0x100000001b3ull

/* FNV-1a 64 of n bytes, continuing from h (start with RG_FNV64_BASIS). */
static inline uint64_t rg_fnv1a64(const void *data, size_t n, uint64_t h)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= RG_FNV64_PRIME;
    }
    return h;
}

/* The same of a NUL-terminated string, its length in *n: one pass where
 * strlen then rg_fnv1a64 would take two (catalog keys, once a claim item). */
static inline uint64_t rg_fnv1a64_str(const char *s, size_t *n)
{
    uint64_t h = RG_FNV64_BASIS;
    size_t i = 0;
    for (; s[i]; i++) {
        h ^= (uint8_t)s[i];
        h *= RG_FNV64_PRIME;
    }
    *n = i;
    return h;
}

/* The bytes of the chunks the n copies at `copies` name (the code the
 * loader puts back), read from a file's copies and its n_chunks chunks at
 * `chunks`; in *bad the first copy that names no chunk, or n. */
static inline uint64_t rg_copies_code_len(const uint8_t *copies, uint32_t n, const uint8_t *chunks, uint32_t n_chunks,
                                          uint32_t *bad)
{
    uint64_t len = 0;
    for (uint32_t k = 0; k < n; k++) {
        rg_copy cp;
        rg_chunk c;
        memcpy(&cp, copies + (size_t)k * sizeof cp, sizeof cp);
        if (cp.chunk >= n_chunks) {
            *bad = k;
            return len;
        }
        memcpy(&c, chunks + (size_t)cp.chunk * sizeof c, sizeof c);
        len += c.len;
    }
    *bad = n;
    return len;
}

/* The bytes of code a program loaded from the image has: its code section
 * and its copies' chunks (the section leaves those out). 0 when the image's
 * sections do not fit it or a copy names no chunk; the loader says why. */
static inline uint64_t rg_image_code_len(const uint8_t *b, size_t len)
{
    size_t at[RG_N_SECTIONS], pos = RG_HDR_SIZE;
    uint32_t count[RG_N_SECTIONS];
    if (len < RG_HDR_SIZE || rg_rd32(b + RG_HDR_N_SECTIONS) != RG_N_SECTIONS) return 0;
    for (unsigned i = 0; i < RG_N_SECTIONS; i++) {
        if (len - pos < RG_SECTION_HDR_SIZE || rg_rd32(b + pos + 4) != rg_section_elem_size[i]) return 0;
        count[i] = rg_rd32(b + pos);
        at[i] = pos + RG_SECTION_HDR_SIZE;
        if ((uint64_t)count[i] * rg_section_elem_size[i] > len - at[i]) return 0;
        pos = at[i] + (size_t)count[i] * rg_section_elem_size[i];
    }
    uint32_t bad;
    uint64_t n = rg_copies_code_len(b + at[RG_SEC_copies], count[RG_SEC_copies], b + at[RG_SEC_chunks],
                                    count[RG_SEC_chunks], &bad);
    return bad < count[RG_SEC_copies] ? 0 : count[RG_SEC_code] + n;
}

/* One decoded instruction. Operands are zero when absent; IMM operands are
 * stored as their 32-bit pattern (cast to int32_t to read them). */
typedef struct {
    uint8_t op;
    uint8_t len;        /* bytes, opcode included */
    uint32_t a, b;
} rg_insn;

static inline uint32_t rg_rd_operand(const uint8_t *p, unsigned kind)
{
    switch (rg_operand_width[kind]) {
    case 2: return rg_rd16(p);
    case 4: return rg_rd32(p);
    default: return 0;
    }
}

/* Where operand `which` (1: A, 2: B) of opcode op starts in its instruction. */
static inline unsigned rg_operand_at(unsigned op, int which)
{
    return which == 1 ? 1u : 1u + rg_operand_width[rg_opinfo_table[op].a];
}

/* May a copy (rg_copy) have its own operand `which` of opcode op? An
 * immediate, or what names a definition, a string, a note, a ledger field,
 * a version selector, or the constant PUSH_CONST pushes, LOAD_PCONST stands
 * for or TABLE's block starts at: never a jump, a local, a slot, a catalog
 * or a packed operand. The verifier has a rule for each kind this lets
 * through (vm/verify_copies.c); compiler/share.c patches nothing else. */
static inline int rg_operand_patchable(unsigned op, int which)
{
    switch (which == 1 ? rg_opinfo_table[op].a : rg_opinfo_table[op].b) {
    case RG_OPK_IMM: case RG_OPK_DEF: case RG_OPK_STR: case RG_OPK_NOTE: case RG_OPK_LEDGER: case RG_OPK_VSEL:
        return 1;
    case RG_OPK_CONST:
        return op == RG_OP_PUSH_CONST || op == RG_OP_LOAD_PCONST || op == RG_OP_TABLE;
    default:
        return 0;
    }
}

/* Number of values the instruction (op, operand a) pops: its table entry, or
 * for CALL_EXTERN (-1 there) the argument count of extern a, which the caller
 * has checked to be in range. */
static inline int rg_insn_pops(const rg_program *p, unsigned op, uint32_t a)
{
    int pops = rg_opinfo_table[op].pops;
    return pops >= 0 ? pops : (int)p->externs[a].n_args;
}

/* Decode the instruction at code[0..avail). 0 on success, -1 for an unknown
 * opcode, -2 when the instruction runs past avail. */
static inline int rg_decode(const uint8_t *code, uint32_t avail, rg_insn *in)
{
    in->op = avail ? code[0] : 0;
    in->a = in->b = 0;
    in->len = 0;
    if (avail == 0) return -2;
    if (in->op >= RG_OP__COUNT) return -1;
    const rg_opinfo *oi = &rg_opinfo_table[in->op];
    unsigned n = rg_op_length(in->op);
    if (n > avail) return -2;
    in->len = (uint8_t)n;
    in->a = rg_rd_operand(code + 1, oi->a);
    in->b = rg_rd_operand(code + 1 + rg_operand_width[oi->a], oi->b);
    return 0;
}

/* Where the decoded instruction jumps, RG_NO_INDEX if it does not. */
static inline uint32_t rg_insn_target(const rg_insn *in)
{
    int w = rg_op_jump_operand(in->op);
    return w == 1 ? in->a : w == 2 ? in->b : RG_NO_INDEX;
}

/* Encode instruction (op, a, b) into out (room for rg_op_length(op) bytes);
 * returns its length. */
static inline unsigned rg_encode(uint8_t *out, unsigned op, uint32_t a, uint32_t b)
{
    const rg_opinfo *oi = &rg_opinfo_table[op];
    unsigned wa = rg_operand_width[oi->a], wb = rg_operand_width[oi->b];
    out[0] = (uint8_t)op;
    for (unsigned k = 0; k < wa; k++)
        out[1 + k] = (uint8_t)(a >> (8 * k));
    for (unsigned k = 0; k < wb; k++)
        out[1 + wa + k] = (uint8_t)(b >> (8 * k));
    return 1 + wa + wb;
}

#endif
