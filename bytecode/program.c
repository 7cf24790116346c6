/* program.c — the section tables derived from program.h's X-macro, and the program helpers shared by loader, VM and tools: free, derived indexes (string pointers, catalog hashes), lookups.
 * Must not parse files or check programs: it trusts a verified program (vm/verify.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bytecode_io.h"

const char *const rg_section_name[RG_N_SECTIONS] = {
#define RG_X_SEC(type, name) #name,
    RG_PROGRAM_ARRAYS(RG_X_SEC)
#undef RG_X_SEC
};

const uint32_t rg_section_elem_size[RG_N_SECTIONS] = {
#define RG_X_SEC(type, name) (uint32_t)sizeof(type),
    RG_PROGRAM_ARRAYS(RG_X_SEC)
#undef RG_X_SEC
};

static void drop_derived(rg_program *p);

static void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (n >= RG_HUGE_PAGE)
        (void)madvise(p, n, MADV_HUGEPAGE); /* a hint: without transparent huge pages, 4 KiB ones */
#endif
}

void *rg_block_alloc(size_t n)
{
    if (n < RG_HUGE_PAGE / 2)
        return malloc(n ? n : 1);
    size_t cap = (n + RG_HUGE_PAGE - 1) & ~(RG_HUGE_PAGE - 1);
    void *b = aligned_alloc(RG_HUGE_PAGE, cap);
    if (b)
        advise_huge(b, cap);
    return b;
}

void *rg_pages_new(size_t n)
{
    size_t align = n >= RG_HUGE_PAGE ? RG_HUGE_PAGE : 0;
    char *m = mmap(NULL, n + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *p = align ? (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1)) : m;
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (align)
        munmap(p + n, (size_t)(m + align - p));
    advise_huge(p, n);
    return p;
}

void *rg_pages_grow(void *p, size_t old, size_t n)
{
    void *g = mremap(p, old, n, MREMAP_MAYMOVE);
    if (g == MAP_FAILED)
        return NULL;
    advise_huge(g, n);
    return g;
}

void rg_pages_free(void *p, size_t n)
{
    if (p)
        munmap(p, n);
}

void rg_program_free(rg_program *p)
{
    if (!p) return;
    if (p->block)
        free(p->block);
    else if (p->owns_arrays) {
#define RG_X_FREE(type, name) free(p->name);
        RG_PROGRAM_ARRAYS(RG_X_FREE)
#undef RG_X_FREE
    }
    drop_derived(p);
    free(p);
}

/* A catalog key's hash: FNV-1a 64 folded to 32 bits. */
static uint32_t fold_hash(uint64_t h) { return (uint32_t)(h ^ (h >> 32)); }

/* String id of row's key (column 0). */
static uint32_t row_key(const rg_program *p, const rg_catalog *c, uint32_t row)
{
    return (uint32_t)p->cat_values[(size_t)row * c->n_columns];
}

static void drop_derived(rg_program *p)
{
    free(p->str);
    free(p->str_arena);
    free(p->str_index);
    free(p->cat_hash);
    free(p->cat_hash_start);
    free(p->cat_hash_mask);
    free(p->chunk_rt);
    free(p->def_item);
    free(p->field_end);
    free(p->list_of);
    free(p->cat_cells);
    p->str = NULL;
    p->str_arena = NULL;
    p->n_str_arena = 0;
    p->str_index = NULL;
    p->cat_cells = NULL;
    p->cat_hash = NULL;
    p->cat_hash_start = p->cat_hash_mask = NULL;
    p->chunk_rt = NULL;
    p->def_item = NULL;
    p->field_end = NULL;
    p->list_of = NULL;
}

/* A chunk that pushes a literal and returns it (a parameter's, in whichever
 * policy or version defines it): the VM stores its value without running it. */
static int64_t chunk_value(const rg_program *p, const rg_chunk *c)
{
    const uint8_t *code = p->code + c->start;
    if (c->len == 6 && code[0] == RG_OP_PUSH_INT && code[5] == RG_OP_RET)
        return (int32_t)rg_rd32(code + 1);
    if (c->len == 4 && code[0] == RG_OP_PUSH_CONST && code[3] == RG_OP_RET && rg_rd16(code + 1) < p->n_consts &&
        p->consts[rg_rd16(code + 1)] != RG_CHUNK_NOT_CONST)
        return p->consts[rg_rd16(code + 1)];
    if (c->len == 2 && code[0] == RG_OP_PUSH_NONE && code[1] == RG_OP_RET)
        return RG_NONE;
    if (c->len == 5 && code[0] == RG_OP_RET_IMM)
        return (int32_t)rg_rd32(code + 1);
    return RG_CHUNK_NOT_CONST;
}

/* f + 1 for a chunk that returns claim field f, or (*year set) the year of
 * claim field f (LOAD_FIELD f; YEAR; RET), else 0. */
static uint32_t chunk_field(const rg_program *p, const rg_chunk *c, uint32_t *year)
{
    const uint8_t *code = p->code + c->start;
    *year = 0;
    if (c->len == 4 && (uint64_t)c->start + 4 <= p->n_code && code[0] == RG_OP_LOAD_FIELD && code[3] == RG_OP_RET &&
        rg_rd16(code + 1) < p->n_claim_slots)
        return rg_rd16(code + 1) + 1;
    if (c->len == 5 && (uint64_t)c->start + 5 <= p->n_code && code[0] == RG_OP_LOAD_FIELD && code[3] == RG_OP_YEAR &&
        code[4] == RG_OP_RET && rg_rd16(code + 1) < p->n_claim_slots) {
        *year = 1;
        return rg_rd16(code + 1) + 1;
    }
    return 0;
}

/* Number of instructions of a chunk (bytes past a bad opcode count one each:
 * an unverified program only gets a bigger cost). */
static uint32_t chunk_cost(const rg_program *p, const rg_chunk *c)
{
    uint32_t n = 0;
    for (uint64_t off = 0; off < c->len && (uint64_t)c->start + off < p->n_code; n++) {
        unsigned op = p->code[c->start + off];
        off += op < RG_OP__COUNT ? rg_op_length(op) : 1;
    }
    return n ? n : 1;
}

static int build_chunk_rt(rg_program *p)
{
    p->chunk_rt = malloc((p->n_chunks ? p->n_chunks : 1) * sizeof *p->chunk_rt);
    p->def_item = malloc((p->n_defs ? p->n_defs : 1) * sizeof *p->def_item);
    if (!p->chunk_rt || !p->def_item) return -1;
    /* a copy has the instructions of the earlier chunk it repeats (its patches change operands only): not
     * counted again */
    uint32_t *repeats = malloc((p->n_chunks ? p->n_chunks : 1) * sizeof *repeats);
    if (!repeats) return -1;
    memset(repeats, 0xFF, p->n_chunks * sizeof *repeats); /* RG_NO_INDEX */
    for (uint32_t k = 0; k < p->n_copies; k++) {
        const rg_copy *cp = &p->copies[k];
        if (cp->chunk < p->n_chunks && cp->of < cp->chunk && p->chunks[cp->of].len == p->chunks[cp->chunk].len)
            repeats[cp->chunk] = cp->of;
    }
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        const rg_chunk *c = &p->chunks[i];
        uint32_t year;
        uint32_t field = chunk_field(p, c, &year);
        p->chunk_rt[i] = (rg_chunk_rt){.value = chunk_value(p, c),
                                       .code = p->code + (c->start < p->n_code ? c->start : 0),
                                       .n_locals = c->n_locals,
                                       .frame = (uint32_t)c->n_locals + c->max_stack,
                                       .cost = repeats[i] != RG_NO_INDEX ? p->chunk_rt[repeats[i]].cost
                                                                         : chunk_cost(p, c),
                                       .field = field,
                                       .year = year};
    }
    free(repeats);
    for (uint32_t d = 0; d < p->n_defs; d++) p->def_item[d] = p->defs[d].per_item ? p->defs[d].item_index : RG_NO_INDEX;
    return 0;
}

/* From the last field back: a field's run ends at the first later field whose
 * parent comes before it, and the subtree of a field in the run is skipped
 * whole (its end is known already). */
void rg_program_field_ends(const rg_program *p, uint32_t *end)
{
    for (uint32_t f = p->n_fields; f-- > 0;) {
        uint32_t k = f + 1;
        while (k < p->n_fields && p->fields[k].parent >= (int32_t)f) k = end[k];
        end[f] = k;
    }
}

/* Each field's subtree end, and each list's field (a verified program
 * numbers its lists 0 .. n_claim_lists in schema order). */
static int build_fields(rg_program *p)
{
    p->field_end = malloc((p->n_fields ? p->n_fields : 1) * sizeof *p->field_end);
    p->list_of = malloc((p->n_claim_lists ? p->n_claim_lists : 1) * sizeof *p->list_of);
    if (!p->field_end || !p->list_of) return -1;
    rg_program_field_ends(p, p->field_end);
    p->list_field = RG_NO_INDEX;
    for (uint32_t f = 0; f < p->n_fields; f++) {
        const rg_field *x = &p->fields[f];
        if (RG_TYPE_KIND(x->type) != RG_T_LIST || x->list >= p->n_claim_lists) continue;
        p->list_of[x->list] = f;
        if (p->list_field == RG_NO_INDEX && x->parent < 0) p->list_field = f;
    }
    return 0;
}

/* cat_values as the interpreter reads them: string ids turned into pointers. */
static int build_cat_cells(rg_program *p)
{
    p->cat_cells = malloc((p->n_cat_values ? p->n_cat_values : 1) * sizeof *p->cat_cells);
    if (!p->cat_cells) return -1;
    if (p->n_cat_values) memcpy(p->cat_cells, p->cat_values, p->n_cat_values * sizeof *p->cat_cells);
    for (uint32_t c = 0; c < p->n_catalogs; c++) {
        const rg_catalog *cat = &p->catalogs[c];
        for (uint32_t pol = 0; pol < p->n_policies; pol++) {
            const rg_cat_index *ix = &p->cat_index[cat->first_index + pol];
            for (uint32_t j = 0; j < ix->count; j++) {
                size_t at = (size_t)p->cat_rows[ix->start + j] * cat->n_columns;
                for (uint32_t col = 0; col < cat->n_columns; col++) {
                    int64_t v = p->cat_values[at + col];
                    if (v != RG_NONE && RG_TYPE_KIND(p->columns[cat->first_column + col].type) == RG_T_STRING)
                        p->cat_cells[at + col] = (int64_t)(intptr_t)p->str[v];
                }
            }
        }
    }
    return 0;
}

/* The slot of str_index holding the string of the len bytes at s (hash
 * full), or the empty slot where it would go. */
static uint32_t string_slot(const rg_program *p, const char *s, size_t len, uint32_t full)
{
    uint32_t h = full & p->str_index_mask;
    for (; p->str_index[h] != RG_NO_INDEX; h = (h + 1) & p->str_index_mask) {
        const char *o = p->str[p->str_index[h]];
        if (rg_str_hash(o) == full && rg_str_len(o) == len && memcmp(o, s, len) == 0) break;
    }
    return h;
}

/* Each string's text once, in str_arena with its hash and length before it,
 * and an index of them by text: equal strings are one pointer, so a claim
 * string bound as the program's copy (rg_program_string) is compared with a
 * catalog key by pointer, its hash read, not computed (as Lua interns). */
static int build_strings(rg_program *p)
{
    uint32_t n = p->n_strings, size = 1;
    while (size < 2 * (uint64_t)n) size <<= 1;
    size_t bytes = 0;
    for (uint32_t i = 0; i < n; i++) bytes += rg_str_room(p->strings[i].len);
    p->str = malloc((n ? n : 1) * sizeof *p->str);
    p->str_index = malloc(size * sizeof *p->str_index);
    p->str_arena = malloc(bytes ? bytes : 1);
    if (!p->str || !p->str_index || !p->str_arena) return -1;
    memset(p->str_index, 0xFF, size * sizeof *p->str_index);
    p->str_index_mask = size - 1;
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *t = p->blob + p->strings[i].offset;
        uint32_t len = p->strings[i].len;
        uint32_t full = rg_str_hash_text(t, len), h = string_slot(p, t, len, full);
        if (p->str_index[h] != RG_NO_INDEX) { /* the same text as an earlier string */
            p->str[i] = p->str[p->str_index[h]];
            continue;
        }
        p->str[i] = rg_str_put(p->str_arena + at, t, len, full);
        p->str_index[h] = i;
        at += rg_str_room(len);
    }
    p->n_str_arena = at;
    return 0;
}

uint32_t rg_str_hash_text(const char *s, size_t len) { return fold_hash(rg_fnv1a64(s, len, RG_FNV64_BASIS)); }

const char *rg_program_string(const rg_program *p, const char *s, size_t len, uint32_t full)
{
    if (!p->str_index || len > UINT32_MAX) return NULL;
    uint32_t id = p->str_index[string_slot(p, s, len, full)];
    return id == RG_NO_INDEX ? NULL : p->str[id];
}

/* Does policy pol see the rows of catalog c its parent sees (it overlays none)?
 * Then the two share one look-up table: a province's cities need no copy of
 * its catalog each. Parents come first, so the parent's is made already. */
static int same_rows_as_parent(const rg_program *p, uint32_t c, uint32_t pol)
{
    uint32_t par = p->policies[pol].parent;
    if (par >= pol)
        return 0;
    const rg_cat_index *a = &p->cat_index[p->catalogs[c].first_index + pol];
    const rg_cat_index *b = &p->cat_index[p->catalogs[c].first_index + par];
    return a->start == b->start && a->count == b->count;
}

/* Table sizes: a power of two at least twice the row count, so probes end;
 * a small table up to eight times, so that a key nearly always sits at its
 * home slot (a probe that goes on is a branch the next key mispredicts), as
 * long as it stays a small part of the first-level cache. */
#define SPARSE_TABLE_BYTES 8192
static int size_catalog_tables(rg_program *p, size_t *total)
{
    size_t n_pairs = (size_t)p->n_catalogs * p->n_policies;
    p->cat_hash_start = malloc((n_pairs ? n_pairs : 1) * sizeof(uint32_t));
    p->cat_hash_mask = malloc((n_pairs ? n_pairs : 1) * sizeof(uint32_t));
    if (!p->cat_hash_start || !p->cat_hash_mask) return -1;
    *total = 0;
    for (uint32_t c = 0; c < p->n_catalogs; c++) {
        for (uint32_t pol = 0; pol < p->n_policies; pol++) {
            if (same_rows_as_parent(p, c, pol)) {
                size_t k = (size_t)c * p->n_policies, par = p->policies[pol].parent;
                p->cat_hash_start[k + pol] = p->cat_hash_start[k + par];
                p->cat_hash_mask[k + pol] = p->cat_hash_mask[k + par];
                continue;
            }
            uint64_t count = p->cat_index[p->catalogs[c].first_index + pol].count;
            uint64_t size = 1;
            while (size < 2 * count) size <<= 1;
            while (size < 8 * count && 2 * size * sizeof(struct rg_cat_slot) <= SPARSE_TABLE_BYTES) size <<= 1;
            if (*total + size > UINT32_MAX) return -1;
            p->cat_hash_start[(size_t)c * p->n_policies + pol] = (uint32_t)*total;
            p->cat_hash_mask[(size_t)c * p->n_policies + pol] = (uint32_t)(size - 1);
            *total += size;
        }
    }
    return 0;
}

static void fill_catalog_table(rg_program *p, uint32_t c, uint32_t pol)
{
    const rg_catalog *cat = &p->catalogs[c];
    const rg_cat_index *ix = &p->cat_index[cat->first_index + pol];
    size_t k = (size_t)c * p->n_policies + pol;
    struct rg_cat_slot *table = p->cat_hash + p->cat_hash_start[k];
    uint32_t mask = p->cat_hash_mask[k];
    for (uint32_t j = 0; j < ix->count; j++) {
        uint32_t row = p->cat_rows[ix->start + j];
        const char *key = p->str[row_key(p, cat, row)]; /* hashed when the strings were laid out */
        uint32_t full = rg_str_hash(key), h = full & mask;
        while (table[h].cells) h = (h + 1) & mask;
        table[h] = (struct rg_cat_slot){
            .key = key, .cells = p->cat_cells + (size_t)row * cat->n_columns, .hash = full, .len = rg_str_len(key)};
    }
}

int rg_program_finish(rg_program *p)
{
    size_t total = 0;
    drop_derived(p);
    if (build_strings(p) || build_cat_cells(p) || build_chunk_rt(p) || build_fields(p) ||
        size_catalog_tables(p, &total)) goto fail;
    p->outputs_bad = 0;
    for (uint32_t i = 0; i < p->n_outputs && !p->outputs_bad; i++)
        if (p->outputs[i].def >= p->n_defs || p->defs[p->outputs[i].def].per_item) p->outputs_bad = i + 1;
    p->cat_hash = malloc((total ? total : 1) * sizeof *p->cat_hash);
    if (!p->cat_hash) goto fail;
    memset(p->cat_hash, 0, total * sizeof *p->cat_hash); /* no cells: empty */
    for (uint32_t c = 0; c < p->n_catalogs; c++)
        for (uint32_t pol = 0; pol < p->n_policies; pol++)
            if (!same_rows_as_parent(p, c, pol)) fill_catalog_table(p, c, pol);
    return 0;
fail:
    drop_derived(p);
    return -1;
}

/* Are the n bytes at a and b the same? Inline, a word at a time: a catalog
 * key is a few bytes, for which a call to memcmp costs more than comparing. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) return 0;
    }
    if (i + 4 <= n) {
        uint32_t x, y;
        memcpy(&x, a + i, 4);
        memcpy(&y, b + i, 4);
        if (x != y) return 0;
        i += 4;
    }
    for (; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

rg_value rg_catalog_find(const rg_program *p, uint32_t cat, uint32_t pol, const char *key)
{
    if (!p->cat_hash || !key || cat >= p->n_catalogs || pol >= p->n_policies) return RG_NONE;
    if (rg_program_owns(p, key)) return rg_catalog_find_owned(p, cat, pol, key);
    size_t k = (size_t)cat * p->n_policies + pol;
    const struct rg_cat_slot *table = p->cat_hash + p->cat_hash_start[k];
    uint32_t mask = p->cat_hash_mask[k];
    size_t n;
    uint32_t full = fold_hash(rg_fnv1a64_str(key, &n)); /* one pass: the hash and the length */
    for (uint32_t h = full & mask;; h = (h + 1) & mask) {
        const struct rg_cat_slot *sl = &table[h];
        if (!sl->cells) return RG_NONE;
        if (sl->hash == full && sl->len == n && same_bytes(sl->key, key, n)) return rg_row_value(sl->cells);
    }
}

uint32_t rg_catalog_row_index(const rg_program *p, uint32_t cat, rg_value v)
{
    if (v == RG_NONE || !p->cat_cells || cat >= p->n_catalogs || !p->catalogs[cat].n_columns) return RG_NO_INDEX;
    uintptr_t at = (uintptr_t)rg_row_cells(v) - (uintptr_t)p->cat_cells, width = p->catalogs[cat].n_columns;
    if (at % sizeof *p->cat_cells || at / sizeof *p->cat_cells >= p->n_cat_values) return RG_NO_INDEX;
    at /= sizeof *p->cat_cells;
    return at % width || at / width > UINT32_MAX - 1 ? RG_NO_INDEX : (uint32_t)(at / width);
}

uint32_t rg_policy_by_name(const rg_program *p, const char *name, size_t len)
{
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const rg_strent *s = &p->strings[p->policies[i].name];
        if (s->len == len && (len == 0 || memcmp(p->blob + s->offset, name, len) == 0)) return i;
    }
    return RG_NO_INDEX;
}

uint32_t rg_lines_from(const rg_lineent *lines, uint32_t n, uint32_t off)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lines[mid].offset < off) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The last line entry at or before off; RG_NO_INDEX if none. */
static uint32_t line_at(const rg_program *p, uint32_t off)
{
    uint32_t first_past = off == UINT32_MAX ? p->n_lines : rg_lines_from(p->lines, p->n_lines, off + 1);
    return first_past ? first_past - 1 : RG_NO_INDEX;
}

uint32_t rg_copies_before(const rg_program *p, uint64_t end)
{
    uint32_t lo = 0, hi = p->n_copies;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->copies[mid].chunk < p->n_chunks && p->chunks[p->copies[mid].chunk].start < end) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

const rg_copy *rg_copy_at(const rg_program *p, uint32_t off)
{
    uint32_t k = rg_copies_before(p, (uint64_t)off + 1);
    if (k == 0) return NULL;
    const rg_copy *cp = &p->copies[k - 1];
    if (cp->chunk >= p->n_chunks || cp->of >= p->n_chunks) return NULL;
    const rg_chunk *c = &p->chunks[cp->chunk];
    return off - c->start < c->len ? cp : NULL;
}

uint32_t rg_program_line(const rg_program *p, uint32_t off, uint32_t *file)
{
    const rg_copy *cp = rg_copy_at(p, off);
    if (cp && cp->lines) { /* the chunk it repeats: its line, and the copy's file where it is that chunk's */
        const rg_chunk *c = &p->chunks[cp->chunk], *of = &p->chunks[cp->of];
        uint32_t e = line_at(p, of->start + (off - c->start));
        if (e != RG_NO_INDEX && p->lines[e].offset >= of->start) {
            if (file) *file = rg_moved_file(of, c, p->lines[e].file);
            return p->lines[e].line;
        }
    }
    uint32_t e = line_at(p, off);
    if (file) *file = e == RG_NO_INDEX ? RG_NO_INDEX : p->lines[e].file;
    return e == RG_NO_INDEX ? 0 : p->lines[e].line;
}

const char *rg_type_kind_name(rg_type t)
{
    static const char *const names[RG_T__COUNT] = {"void", "bool", "int", "money", "percent", "date", "duration",
                                                   "string", "region", "enum", "record", "list", "catalog row",
                                                   "element"};
    return RG_TYPE_KIND(t) < RG_T__COUNT ? names[RG_TYPE_KIND(t)] : "?";
}
