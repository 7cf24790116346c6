/* bcwrite.c — serialises an rg_program into the bytecode file format of docs/bytecode.md (header, sections, checksum), byte for byte deterministic.
 * Must not check or alter what the program means: it writes what it is given (verify first), and must not leak struct padding into the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bcwrite.h"
#include "bytecode_io.h"
#include "text.h"

/* Records are written as raw bytes, so they must have no padding (whose bytes
 * would be indeterminate) — except rg_field's one hole, zeroed by hand. Each
 * assertion lists every member: adding one, or padding, breaks it. */
#define MSZ(T, m) sizeof(((T *)0)->m)
#define RG_ASSERT_NO_PAD(T, sum) _Static_assert(sizeof(T) == (sum), #T " has padding or unlisted members")
RG_ASSERT_NO_PAD(rg_strent, MSZ(rg_strent, offset) + MSZ(rg_strent, len));
RG_ASSERT_NO_PAD(rg_enum, MSZ(rg_enum, name) + MSZ(rg_enum, first_member) + MSZ(rg_enum, n_members));
RG_ASSERT_NO_PAD(rg_def, MSZ(rg_def, name) + MSZ(rg_def, type) + MSZ(rg_def, kind) + MSZ(rg_def, per_item) +
                             MSZ(rg_def, pad) + MSZ(rg_def, item_index));
RG_ASSERT_NO_PAD(rg_chunk, MSZ(rg_chunk, start) + MSZ(rg_chunk, len) + MSZ(rg_chunk, n_locals) +
                               MSZ(rg_chunk, max_stack) + MSZ(rg_chunk, def) + MSZ(rg_chunk, policy) +
                               MSZ(rg_chunk, version) + MSZ(rg_chunk, line) + MSZ(rg_chunk, file));
RG_ASSERT_NO_PAD(rg_policy, MSZ(rg_policy, name) + MSZ(rg_policy, parent) + MSZ(rg_policy, file) + MSZ(rg_policy, vtable) +
                            MSZ(rg_policy, update));
RG_ASSERT_NO_PAD(rg_version, MSZ(rg_version, name) + MSZ(rg_version, policy) + MSZ(rg_version, from) +
                                 MSZ(rg_version, until));
RG_ASSERT_NO_PAD(rg_vselector, MSZ(rg_vselector, first_entry) + MSZ(rg_vselector, n_entries) + MSZ(rg_vselector, fallback));
RG_ASSERT_NO_PAD(rg_vsel_entry, MSZ(rg_vsel_entry, version) + MSZ(rg_vsel_entry, chunk));
RG_ASSERT_NO_PAD(rg_column, MSZ(rg_column, name) + MSZ(rg_column, type));
RG_ASSERT_NO_PAD(rg_catalog, MSZ(rg_catalog, name) + MSZ(rg_catalog, first_column) + MSZ(rg_catalog, n_columns) +
                                 MSZ(rg_catalog, first_index));
RG_ASSERT_NO_PAD(rg_cat_index, MSZ(rg_cat_index, start) + MSZ(rg_cat_index, count));
RG_ASSERT_NO_PAD(rg_tier, MSZ(rg_tier, lo) + MSZ(rg_tier, hi) + MSZ(rg_tier, pct));
RG_ASSERT_NO_PAD(rg_bracket, MSZ(rg_bracket, name) + MSZ(rg_bracket, first_tier) + MSZ(rg_bracket, n_tiers));
RG_ASSERT_NO_PAD(rg_list, MSZ(rg_list, first) + MSZ(rg_list, count) + MSZ(rg_list, type));
RG_ASSERT_NO_PAD(rg_ledger_scope, MSZ(rg_ledger_scope, name) + MSZ(rg_ledger_scope, first_field) +
                                      MSZ(rg_ledger_scope, n_fields) + MSZ(rg_ledger_scope, first_key) +
                                      MSZ(rg_ledger_scope, n_keys) + MSZ(rg_ledger_scope, owner));
RG_ASSERT_NO_PAD(rg_ledger_field, MSZ(rg_ledger_field, name) + MSZ(rg_ledger_field, type) +
                                      MSZ(rg_ledger_field, scope) + MSZ(rg_ledger_field, init));
RG_ASSERT_NO_PAD(rg_output, MSZ(rg_output, name) + MSZ(rg_output, def) + MSZ(rg_output, type));
RG_ASSERT_NO_PAD(rg_note, MSZ(rg_note, kind) + MSZ(rg_note, def) + MSZ(rg_note, index) + MSZ(rg_note, line) +
                              MSZ(rg_note, file));
RG_ASSERT_NO_PAD(rg_lineent, MSZ(rg_lineent, offset) + MSZ(rg_lineent, line) + MSZ(rg_lineent, file));
RG_ASSERT_NO_PAD(rg_copy, MSZ(rg_copy, chunk) + MSZ(rg_copy, of) + MSZ(rg_copy, first_patch) + MSZ(rg_copy, n_patches) +
                              MSZ(rg_copy, lines));
RG_ASSERT_NO_PAD(rg_patch, MSZ(rg_patch, at) + MSZ(rg_patch, operand) + MSZ(rg_patch, value));

/* rg_field: 4 bytes of padding after cond_field (offset 28), before the int64s. */
#define FIELD_HOLE_AT (offsetof(rg_field, cond_field) + MSZ(rg_field, cond_field))
#define FIELD_HOLE_LEN (offsetof(rg_field, cond_value) - FIELD_HOLE_AT)
RG_ASSERT_NO_PAD(rg_field, MSZ(rg_field, key) + MSZ(rg_field, path) + MSZ(rg_field, type) + MSZ(rg_field, parent) +
                               MSZ(rg_field, slot) + MSZ(rg_field, optional) + MSZ(rg_field, in_list) +
                               MSZ(rg_field, has_range) + MSZ(rg_field, cond_op) + MSZ(rg_field, cond_field) +
                               FIELD_HOLE_LEN + MSZ(rg_field, cond_value) + MSZ(rg_field, lo) + MSZ(rg_field, hi) +
                               MSZ(rg_field, cond_only) + MSZ(rg_field, has_default) + MSZ(rg_field, nonempty) +
                               MSZ(rg_field, pad) + MSZ(rg_field, list) + MSZ(rg_field, default_value) +
                               MSZ(rg_field, message) + MSZ(rg_field, elem_message));
_Static_assert(FIELD_HOLE_AT == 28 && FIELD_HOLE_LEN == 4, "rg_field's padding moved: update docs/bytecode.md");

/* What the file leaves out (docs/bytecode.md, "Copies" and "The vtable in
 * the file"): the bytes of the copies' code, and each child policy's vtable
 * row where it is its parent's. Each copy's code must lie after the one
 * before it. */
typedef struct {
    uint32_t code;   /* left out */
    uint32_t vtable; /* the vtable section's words */
} left_out;

/* Are the vtable's rows the policies' in order (row i policy i's), each
 * child after its parent? Then the file holds a child's row as its
 * differences from its parent's. */
static int vtable_in_order(const rg_program *p)
{
    if (p->n_vtable != (uint64_t)p->n_policies * p->n_defs) return 0;
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_policy *pol = &p->policies[i];
        if (pol->vtable != (uint64_t)i * p->n_defs || (pol->parent != RG_NO_INDEX && pol->parent >= i)) return 0;
    }
    return 1;
}

/* The words of the vtable section (docs/bytecode.md, "The vtable in the
 * file"), written at out unless it is NULL; how many. RG_VTABLE_AS_IS, then
 * the vtable; or RG_VTABLE_BY_PARENT, then for each policy a root's row, a
 * child's count of slots it differs from its parent's in, then each (slot,
 * chunk). */
static uint64_t vtable_words(const rg_program *p, uint8_t *out)
{
    uint64_t n = 1;
    uint32_t w = (uint32_t)p->n_defs;
    if (!vtable_in_order(p)) {
        if (out) rg_wr32(out, RG_VTABLE_AS_IS);
        if (out && p->n_vtable) memcpy(out + 4, p->vtable, (size_t)p->n_vtable * sizeof *p->vtable);
        return n + p->n_vtable;
    }
    if (out) rg_wr32(out, RG_VTABLE_BY_PARENT);
    for (uint32_t i = 0; i < p->n_policies && w; i++) {
        const rg_policy *pol = &p->policies[i];
        const uint32_t *row = p->vtable + pol->vtable;
        if (pol->parent == RG_NO_INDEX) {
            if (out) memcpy(out + 4 * n, row, (size_t)w * sizeof *row);
            n += w;
            continue;
        }
        const uint32_t *up = p->vtable + p->policies[pol->parent].vtable;
        uint64_t count_at = n++, k = 0;
        for (uint32_t d = 0; d < w; d++)
            if (row[d] != up[d]) {
                if (out) rg_wr32(out + 4 * n, d), rg_wr32(out + 4 * n + 4, row[d]);
                n += 2;
                k++;
            }
        if (out) rg_wr32(out + 4 * count_at, (uint32_t)k);
    }
    return n;
}

static int copies_left_out(const rg_program *p, left_out *out)
{
    uint64_t code = 0, end = 0;
    for (uint32_t k = 0; k < p->n_copies; k++) {
        if (p->copies[k].chunk >= p->n_chunks) return -1;
        const rg_chunk *c = &p->chunks[p->copies[k].chunk];
        if (c->start < end || (uint64_t)c->start + c->len > p->n_code) return -1;
        end = (uint64_t)c->start + c->len;
        code += c->len;
    }
    uint64_t words = vtable_words(p, NULL);
    if (words > UINT32_MAX / 4)
        return -1;
    *out = (left_out){(uint32_t)code, (uint32_t)words};
    return 0;
}

static size_t image_size(const rg_program *p, left_out out)
{
    size_t n = (size_t)RG_HDR_SIZE + RG_CHECKSUM_SIZE - out.code - (size_t)p->n_vtable * sizeof(uint32_t) +
               (size_t)out.vtable * sizeof(uint32_t);
#define RG_X_SIZE(type, name) n += RG_SECTION_HDR_SIZE + (size_t)p->n_##name * sizeof(type);
    RG_PROGRAM_ARRAYS(RG_X_SIZE)
#undef RG_X_SIZE
    return n;
}

/* The code section: the code without the copies' bytes. */
static uint8_t *put_code(uint8_t *w, const rg_program *p, left_out out)
{
    rg_wr32(w, p->n_code - out.code);
    rg_wr32(w + 4, 1);
    w += RG_SECTION_HDR_SIZE;
    uint32_t from = 0;
    for (uint32_t k = 0; k <= p->n_copies; k++) {
        const rg_chunk *c = k < p->n_copies ? &p->chunks[p->copies[k].chunk] : NULL;
        uint32_t to = c ? c->start : p->n_code;
        memcpy(w, p->code + from, to - from);
        w += to - from;
        if (c) from = c->start + c->len;
    }
    return w;
}

/* The vtable section: as it is, or each child policy's row as its differences from its parent's. */
static uint8_t *put_vtable(uint8_t *w, const rg_program *p, left_out out)
{
    rg_wr32(w, out.vtable);
    rg_wr32(w + 4, sizeof(uint32_t));
    w += RG_SECTION_HDR_SIZE;
    vtable_words(p, w);
    return w + (size_t)out.vtable * sizeof(uint32_t);
}

static int arrays_present(const rg_program *p)
{
#define RG_X_PRESENT(type, name) \
    if (p->n_##name && !p->name) return 0;
    RG_PROGRAM_ARRAYS(RG_X_PRESENT)
#undef RG_X_PRESENT
    return 1;
}

static void put_header(uint8_t *b, const rg_program *p)
{
    memcpy(b + RG_HDR_MAGIC, RG_MAGIC, 4);
    rg_wr16(b + RG_HDR_VERSION, RG_FORMAT_VERSION);
    rg_wr16(b + RG_HDR_FLAGS, 0);
    rg_wr64(b + RG_HDR_SOURCE_HASH, p->source_hash);
    rg_wr32(b + RG_HDR_SELECT_POLICY, p->entry.select_policy);
    rg_wr32(b + RG_HDR_ASOF, p->entry.asof);
    rg_wr32(b + RG_HDR_VALIDATE, p->entry.validate);
    rg_wr32(b + RG_HDR_CLAIM_SLOTS, p->n_claim_slots);
    rg_wr32(b + RG_HDR_ITEM_SLOTS, p->n_item_slots);
    rg_wr32(b + RG_HDR_N_CLAIM_LISTS, p->n_claim_lists);
    rg_wr32(b + RG_HDR_ITEM_DEFS, p->n_item_defs);
    rg_wr32(b + RG_HDR_N_SECTIONS, RG_N_SECTIONS);
}

/* Section header and raw records at w; returns the end. */
static uint8_t *put_section(uint8_t *w, const void *data, uint32_t n, size_t size)
{
    rg_wr32(w, n);
    rg_wr32(w + 4, (uint32_t)size);
    w += RG_SECTION_HDR_SIZE;
    if (n) memcpy(w, data, (size_t)n * size);
    return w + (size_t)n * size;
}

/* The hole after cond_field and the pad byte: zero, whatever memory held (a deterministic image). */
static void zero_field_holes(uint8_t *records, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        memset(records + (size_t)i * sizeof(rg_field) + FIELD_HOLE_AT, 0, FIELD_HOLE_LEN);
        memset(records + (size_t)i * sizeof(rg_field) + offsetof(rg_field, pad), 0, MSZ(rg_field, pad));
    }
}

int rgc_program_write(const rg_program *p, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    left_out out;
    if (!arrays_present(p) || copies_left_out(p, &out)) return -1;
    size_t size = image_size(p, out);
    uint8_t *b = rg_block_alloc(size); /* written once: huge pages from 1 MiB on */
    if (!b) return -1;
    put_header(b, p);
    uint8_t *w = b + RG_HDR_SIZE;
#define RG_X_PUT(type, name)                                                  \
    {                                                                         \
        uint8_t *records = w + RG_SECTION_HDR_SIZE;                           \
        if (RG_SEC_##name == RG_SEC_code) w = put_code(w, p, out);            \
        else if (RG_SEC_##name == RG_SEC_vtable) w = put_vtable(w, p, out);   \
        else w = put_section(w, p->name, p->n_##name, sizeof(type));          \
        if (RG_SEC_##name == RG_SEC_fields) zero_field_holes(records, p->n_##name); \
    }
    RG_PROGRAM_ARRAYS(RG_X_PUT)
#undef RG_X_PUT
    rg_wr64(w, rg_checksum(b, (size_t)(w - b)));
    *buf = b;
    *len = size;
    return 0;
}

static int write_all(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) return rg_errf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
    int bad = fwrite(buf, 1, len, f) != len;
    int saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        remove(path);
        return rg_errf(err, errlen, "cannot write '%s': %s", path, strerror(saved));
    }
    return 0;
}

int rgc_program_write_file(const rg_program *p, const char *path, char *err, size_t errlen)
{
    return rgc_program_write_signed(p, path, NULL, err, errlen);
}

int rgc_program_write_signed(const rg_program *p, const char *path, const uint8_t *seed, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    if (rgc_program_write(p, &buf, &len))
        return rg_errf(err, errlen, "cannot encode the bytecode for '%s': out of memory, an array has a count but no storage, "
                       "or a copy's code is out of order",
                       path);
    if (seed && rgc_image_sign(&buf, &len, seed, err, errlen)) {
        free(buf);
        return -1;
    }
    size_t n = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(n);
    int r = -1;
    if (!tmp) {
        rg_errf(err, errlen, "out of memory writing '%s'", path);
    } else {
        snprintf(tmp, n, "%s.tmp", path);
        if (write_all(tmp, buf, len, err, errlen) == 0) {
            if (rename(tmp, path) == 0) r = 0;
            else {
                rg_errf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
                remove(tmp);
            }
        }
    }
    free(tmp);
    free(buf);
    return r;
}
