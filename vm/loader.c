/* loader.c — turns a bytecode file image into a heap rg_program that owns copies of its arrays: header, sections, checksum, then verification and derived indexes.
 * Must not trust a byte of the input: every read is bounds-checked, and nothing is derived from the tables before the verifier has passed them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytecode_io.h"
#include "text.h"
#include "vm.h"

static void section_label(uint32_t i, char *buf, size_t n)
{
    if (i < RG_N_SECTIONS) snprintf(buf, n, "section '%s'", rg_section_name[i]);
    else snprintf(buf, n, "section #%u", (unsigned)i);
}

/* Walk the section headers, only to find where the checksum is: on success
 * *end is one past the checksum. Fails (with the "truncated" message) when a
 * section or the checksum needs bytes past len. */
static int walk_sections(const uint8_t *b, size_t len, size_t *end, char *err, size_t errlen)
{
    uint32_t n = rg_rd32(b + RG_HDR_N_SECTIONS);
    size_t pos = RG_HDR_SIZE;
    char what[48];
    for (uint32_t i = 0; i < n; i++) {
        section_label(i, what, sizeof what);
        if (len - pos < RG_SECTION_HDR_SIZE)
            return rg_errf(err, errlen,
                           "bytecode file is truncated: %s header needs %u bytes at offset %zu but the file has %zu",
                           what, RG_SECTION_HDR_SIZE, pos, len);
        uint64_t bytes = (uint64_t)rg_rd32(b + pos) * rg_rd32(b + pos + 4);
        pos += RG_SECTION_HDR_SIZE;
        if (bytes > len - pos)
            return rg_errf(err, errlen, "bytecode file is truncated: %s needs %llu bytes at offset %zu but the file has %zu",
                           what, (unsigned long long)bytes, pos, len);
        pos += (size_t)bytes;
    }
    if (len - pos < RG_CHECKSUM_SIZE)
        return rg_errf(err, errlen, "bytecode file is truncated: the checksum needs %u bytes at offset %zu but the file has %zu",
                       RG_CHECKSUM_SIZE, pos, len);
    *end = pos + RG_CHECKSUM_SIZE;
    return 0;
}

/* Magic, version, header size, section walk, checksum, flags, signature,
 * section count: everything that can be said about the image before copying it. */
static int check_envelope(const uint8_t *b, size_t len, const uint8_t *key, char *err, size_t errlen)
{
    size_t head = len < 4 ? len : 4;
    if (len == 0) return rg_errf(err, errlen, "not a Regula bytecode file (it is empty)");
    if (memcmp(b, RG_MAGIC, head) != 0) return rg_errf(err, errlen, "not a Regula bytecode file (bad magic)");
    if (len < RG_HDR_FLAGS)
        return rg_errf(err, errlen, "bytecode file is truncated: the header needs %u bytes but the file has %zu",
                       RG_HDR_SIZE, len);
    uint16_t version = rg_rd16(b + RG_HDR_VERSION);
    if (version != RG_FORMAT_VERSION)
        return rg_errf(err, errlen,
                       "bytecode format version %u, this VM reads version %u: recompile the pack with this regula",
                       (unsigned)version, RG_FORMAT_VERSION);
    if (len < RG_HDR_SIZE)
        return rg_errf(err, errlen, "bytecode file is truncated: the header needs %u bytes but the file has %zu",
                       RG_HDR_SIZE, len);
    size_t end = 0;
    if (walk_sections(b, len, &end, err, errlen)) return -1;
    if (rg_checksum(b, end - RG_CHECKSUM_SIZE) != rg_rd64(b + end - RG_CHECKSUM_SIZE))
        return rg_errf(err, errlen, "checksum mismatch: the file is corrupted");
    uint16_t flags = rg_rd16(b + RG_HDR_FLAGS);
    if (flags & ~RG_FLAGS_KNOWN)
        return rg_errf(err, errlen, "bytecode flags 0x%04x are not supported by this VM", (unsigned)flags);
    if (rg_signature_check(b, len, end, key, err, errlen)) return -1;
    uint32_t n = rg_rd32(b + RG_HDR_N_SECTIONS);
    if (n != RG_N_SECTIONS)
        return rg_errf(err, errlen, "bytecode file has %u sections, this VM expects %u", (unsigned)n, RG_N_SECTIONS);
    return 0;
}

/* Section idx (its bounds were checked by walk_sections): its records'
 * size checked, its count in *count, its bytes' offset in the file in *at;
 * *pos moves past it. */
static int read_section(const uint8_t *b, size_t *pos, unsigned idx, size_t *at, uint32_t *count, char *err,
                        size_t errlen)
{
    uint32_t n = rg_rd32(b + *pos), size = rg_rd32(b + *pos + 4);
    *pos += RG_SECTION_HDR_SIZE;
    if (size != rg_section_elem_size[idx])
        return rg_errf(err, errlen,
                       "section '%s' has %u-byte records, this VM expects %u: the file was written by an incompatible build",
                       rg_section_name[idx], (unsigned)size, (unsigned)rg_section_elem_size[idx]);
    *at = *pos;
    *count = n;
    *pos += (size_t)n * size;
    return 0;
}

#define ARRAY_ALIGN 16 /* each array in the block aligned as malloc would */
static size_t array_room(uint32_t count, unsigned idx)
{
    return ((size_t)count * rg_section_elem_size[idx] + ARRAY_ALIGN - 1) & ~(size_t)(ARRAY_ALIGN - 1);
}

static void read_scalars(const uint8_t *b, rg_program *p)
{
    p->source_hash = rg_rd64(b + RG_HDR_SOURCE_HASH);
    p->entry.select_policy = rg_rd32(b + RG_HDR_SELECT_POLICY);
    p->entry.asof = rg_rd32(b + RG_HDR_ASOF);
    p->entry.validate = rg_rd32(b + RG_HDR_VALIDATE);
    p->n_claim_slots = rg_rd32(b + RG_HDR_CLAIM_SLOTS);
    p->n_item_slots = rg_rd32(b + RG_HDR_ITEM_SLOTS);
    p->n_claim_lists = rg_rd32(b + RG_HDR_N_CLAIM_LISTS);
    p->n_item_defs = rg_rd32(b + RG_HDR_ITEM_DEFS);
}

int rg_program_load(const void *buf, size_t len, rg_program **out, char *err, size_t errlen)
{
    return rg_program_load_key(buf, len, NULL, out, err, errlen);
}

int rg_program_load_key(const void *buf, size_t len, const uint8_t *key, rg_program **out, char *err, size_t errlen)
{
    const uint8_t *b = buf;
    if (err && errlen) err[0] = '\0';
    *out = NULL;
    if (!b) len = 0;
    if (check_envelope(b, len, key, err, errlen)) return -1;

    rg_program *p = calloc(1, sizeof *p);
    if (!p) return rg_errf(err, errlen, "out of memory loading bytecode");
    p->owns_arrays = 1;
    read_scalars(b, p);
    /* the sections' places, then one block for all the arrays, each copied into it */
    size_t pos = RG_HDR_SIZE, at[RG_N_SECTIONS] = {0}, total = 0;
#define RG_X_FIND(type, name)                                                                            \
    if (read_section(b, &pos, RG_SEC_##name, &at[RG_SEC_##name], &p->n_##name, err, errlen)) goto fail; \
    total += array_room(p->n_##name, RG_SEC_##name);
    RG_PROGRAM_ARRAYS(RG_X_FIND)
#undef RG_X_FIND
    p->block = rg_block_alloc(total);
    if (!p->block) {
        rg_errf(err, errlen, "out of memory loading bytecode (%zu bytes of arrays)", total);
        goto fail;
    }
    char *next = p->block;
#define RG_X_COPY(type, name)                                                                  \
    if (p->n_##name) {                                                                         \
        p->name = (void *)next;                                                                \
        memcpy(next, b + at[RG_SEC_##name], (size_t)p->n_##name * rg_section_elem_size[RG_SEC_##name]); \
        next += array_room(p->n_##name, RG_SEC_##name);                                        \
    }
    RG_PROGRAM_ARRAYS(RG_X_COPY)
#undef RG_X_COPY

    char why[512];
    if (rg_program_verify(p, why, sizeof why)) {
        rg_errf(err, errlen, "invalid bytecode: %s", why);
        goto fail;
    }
    if (rg_program_finish(p)) {
        rg_errf(err, errlen, "out of memory building the program's indexes");
        goto fail;
    }
    *out = p;
    return 0;
fail:
    rg_program_free(p);
    return -1;
}
