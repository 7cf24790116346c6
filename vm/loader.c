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

/* The bytes the copies' code takes (the file's code section leaves them out:
 * docs/bytecode.md, "Copies"): each copy a chunk of the pack, all of them
 * within what a file may make the loader put back. */
static int copied_bytes(const uint8_t *b, size_t len, const size_t *at, const rg_program *p, uint32_t *copied,
                        char *err, size_t errlen)
{
    uint32_t bad;
    uint64_t total = rg_copies_code_len(b + at[RG_SEC_copies], p->n_copies, b + at[RG_SEC_chunks], p->n_chunks, &bad);
    if (bad < p->n_copies) {
        rg_copy cp;
        memcpy(&cp, b + at[RG_SEC_copies] + (size_t)bad * sizeof cp, sizeof cp);
        return rg_errf(err, errlen, "invalid bytecode: copy %u: chunk %u is out of range (%u chunks)", bad, cp.chunk,
                       p->n_chunks);
    }
    if (total + p->n_code > UINT32_MAX || total > RG_IMAGE_MAX_PUT_BACK(len))
        return rg_errf(err, errlen, "invalid bytecode: the copies' code (%llu bytes) is more than %u times the file's size",
                       (unsigned long long)total, (unsigned)RG_IMAGE_MAX_GROWTH);
    *copied = (uint32_t)total;
    return 0;
}

/* The vtable from its words in the file (docs/bytecode.md, "The vtable in the
 * file"): as it is; or policy i's row row i, a root's written out, a child's
 * its parent's (an earlier policy's) but for the slots it lists. */
static int read_vtable(rg_program *p, const uint8_t *words, uint32_t n_words, char *err, size_t errlen)
{
    if (rg_rd32(words) == RG_VTABLE_AS_IS) {
        if (p->n_vtable) memcpy(p->vtable, words + 4, (size_t)p->n_vtable * sizeof *p->vtable);
        return 0;
    }
    uint32_t w = p->n_defs;
    uint64_t at = 1;
    for (uint32_t i = 0; i < p->n_policies && w; i++) {
        const rg_policy *pol = &p->policies[i];
        uint32_t *row = p->vtable + (size_t)i * w;
        if (pol->vtable != (uint64_t)i * w)
            return rg_errf(err, errlen, "invalid bytecode: policy %u: its vtable row starts at %u, not %llu", i,
                           pol->vtable, (unsigned long long)i * w);
        if (pol->parent == RG_NO_INDEX) {
            if (at + w > n_words)
                return rg_errf(err, errlen, "invalid bytecode: the vtable's words end in policy %u's row", i);
            memcpy(row, words + 4 * at, (size_t)w * sizeof *row);
            at += w;
            continue;
        }
        if (pol->parent >= i)
            return rg_errf(err, errlen, "invalid bytecode: policy %u: its parent %u does not come before it", i,
                           pol->parent);
        if (at + 1 > n_words || at + 1 + 2 * (uint64_t)rg_rd32(words + 4 * at) > n_words)
            return rg_errf(err, errlen, "invalid bytecode: the vtable's words end in policy %u's row", i);
        uint32_t k = rg_rd32(words + 4 * at++);
        memcpy(row, p->vtable + (size_t)pol->parent * w, (size_t)w * sizeof *row);
        for (uint32_t j = 0; j < k; j++, at += 2) {
            uint32_t slot = rg_rd32(words + 4 * at);
            if (slot >= w)
                return rg_errf(err, errlen, "invalid bytecode: policy %u: vtable slot %u is out of range (%u definitions)",
                               i, slot, w);
            row[slot] = rg_rd32(words + 4 * at + 4);
        }
    }
    if (at != n_words)
        return rg_errf(err, errlen, "invalid bytecode: the vtable has %u words, its rows take %llu", n_words,
                       (unsigned long long)at);
    return 0;
}

/* Each copy's code put back: the code read (n_code bytes, with room for
 * `copied` more) opened at each copy's chunk, then each filled with the code
 * of the chunk it repeats and its patches. Only bounds are checked here;
 * whether a copy holds what its patches say is the verifier's. */
static int put_back_copies(rg_program *p, uint32_t copied, char *err, size_t errlen)
{
    uint32_t stored = p->n_code, full = stored + copied;
    uint64_t end = 0;
    for (uint32_t k = 0; k < p->n_copies; k++) { /* each after the one before, all inside the code */
        const rg_chunk *c = &p->chunks[p->copies[k].chunk];
        if (c->start < end || (uint64_t)c->start + c->len > full)
            return rg_errf(err, errlen, "invalid bytecode: copy %u: chunk %u's code %u+%u is not after the previous copy's, "
                           "or runs past the code (%u bytes)", k, p->copies[k].chunk, c->start, c->len, full);
        end = (uint64_t)c->start + c->len;
    }
    /* from the last copy down: the code after it moves to its place */
    uint32_t hole_end = full, moved = copied;
    for (uint32_t k = p->n_copies; k-- > 0;) {
        const rg_chunk *c = &p->chunks[p->copies[k].chunk];
        moved -= c->len;
        uint32_t after = c->start + c->len;
        if (hole_end > after) memmove(p->code + after, p->code + after - c->len - moved, hole_end - after);
        if (c->len) memset(p->code + c->start, 0, c->len);
        hole_end = c->start;
    }
    p->n_code = full;
    for (uint32_t k = 0; k < p->n_copies; k++) {
        const rg_copy *cp = &p->copies[k];
        const rg_chunk *c = &p->chunks[cp->chunk];
        if (cp->of >= p->n_chunks || (uint64_t)p->chunks[cp->of].start + c->len > full)
            return rg_errf(err, errlen, "invalid bytecode: copy %u: chunk %u repeats chunk %u, which is not an earlier "
                           "chunk of the pack (%u chunks)", k, cp->chunk, cp->of, p->n_chunks);
        if (p->chunks[cp->of].len != c->len)
            return rg_errf(err, errlen, "invalid bytecode: copy %u: chunk %u has %u bytes, chunk %u it repeats %u", k,
                           cp->chunk, c->len, cp->of, p->chunks[cp->of].len);
        if ((uint64_t)cp->first_patch + cp->n_patches > p->n_patches)
            return rg_errf(err, errlen, "invalid bytecode: copy %u: patches %u+%u run past the %u patches", k,
                           cp->first_patch, cp->n_patches, p->n_patches);
        uint8_t *code = p->code + c->start;
        const uint8_t *orig = p->code + p->chunks[cp->of].start;
        if (c->len) memmove(code, orig, c->len);
        for (uint32_t i = 0; i < cp->n_patches; i++) { /* the verifier checks `at` starts an instruction */
            const rg_patch *pt = &p->patches[cp->first_patch + i];
            unsigned op = pt->at < c->len ? orig[pt->at] : RG_OP__COUNT, kind = 0;
            if (op < RG_OP__COUNT && pt->at + rg_op_length(op) <= c->len && (pt->operand == 1 || pt->operand == 2))
                kind = pt->operand == 1 ? rg_opinfo_table[op].a : rg_opinfo_table[op].b;
            if (kind == RG_OPK_NONE || (rg_operand_width[kind] == 2 && pt->value > UINT16_MAX))
                return rg_errf(err, errlen, "invalid bytecode: copy %u: patch %u is not an operand of an instruction "
                               "of chunk %u", k, cp->first_patch + i, cp->of);
            uint8_t *at = code + pt->at + rg_operand_at(op, (int)pt->operand);
            if (rg_operand_width[kind] == 2) rg_wr16(at, (uint16_t)pt->value);
            else rg_wr32(at, pt->value);
        }
    }
    return 0;
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
    uint32_t copied = 0;
    if (copied_bytes(b, len, at, p, &copied, err, errlen)) goto fail;
    total += array_room(p->n_code + copied, RG_SEC_code) - array_room(p->n_code, RG_SEC_code);
    uint32_t vtable_words = p->n_vtable;
    if (vtable_words == 0 || rg_rd32(b + at[RG_SEC_vtable]) > RG_VTABLE_BY_PARENT) {
        rg_errf(err, errlen, "invalid bytecode: the vtable section does not start with its form (0 or 1)");
        goto fail;
    }
    if (rg_rd32(b + at[RG_SEC_vtable]) == RG_VTABLE_AS_IS) {
        p->n_vtable = vtable_words - 1;
    } else if ((uint64_t)p->n_policies * p->n_defs * sizeof(uint32_t) > RG_IMAGE_MAX_PUT_BACK(len)) {
        rg_errf(err, errlen, "invalid bytecode: a vtable of %u policies x %u definitions is more than %u times the "
                "file's size", p->n_policies, p->n_defs, (unsigned)RG_IMAGE_MAX_GROWTH);
        goto fail;
    } else {
        p->n_vtable = p->n_policies * p->n_defs;
    }
    total += array_room(p->n_vtable, RG_SEC_vtable) - array_room(vtable_words, RG_SEC_vtable);
    p->block = rg_block_alloc(total);
    if (!p->block) {
        rg_errf(err, errlen, "out of memory loading bytecode (%zu bytes of arrays)", total);
        goto fail;
    }
    char *next = p->block;
    uint32_t more[RG_N_SECTIONS] = {0}; /* room for the copies' code */
    more[RG_SEC_code] = copied;
#define RG_X_COPY(type, name)                                                                  \
    if (p->n_##name + more[RG_SEC_##name]) {                                                   \
        p->name = (void *)next;                                                                \
        if (RG_SEC_##name != RG_SEC_vtable)                                                    \
            memcpy(next, b + at[RG_SEC_##name], (size_t)p->n_##name * rg_section_elem_size[RG_SEC_##name]); \
        next += array_room(p->n_##name + more[RG_SEC_##name], RG_SEC_##name);                  \
    }
    RG_PROGRAM_ARRAYS(RG_X_COPY)
#undef RG_X_COPY
    if (read_vtable(p, b + at[RG_SEC_vtable], vtable_words, err, errlen)) goto fail;
    if (p->n_copies && put_back_copies(p, copied, err, errlen)) goto fail;

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
