/* builder.c — grows the program image while the compiler writes it: strings,
 * constants, chunks, code with its line table, stack depth bookkeeping.
 * It knows the bytecode layout, not the language. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "bytecode_io.h"

/* Array a, old bytes of it in use, moved to room for *bytes: from 256 KiB on
 * in whole blocks of huge pages (*bytes rounded up to them), as a province's
 * code, line table, vtable and the compiler's memos took a page fault every
 * 4 KiB they grew, and one costs ≈ 11 µs on the machine of
 * docs/performance.md. NULL when out of memory (a unchanged). */
static void *resize(void *a, size_t old, size_t *bytes)
{
    if (*bytes < ((size_t)256 << 10))
        return realloc(a, *bytes);
    *bytes = (*bytes + RG_HUGE_PAGE - 1) & ~(RG_HUGE_PAGE - 1);
    void *n = rg_block_alloc(*bytes);
    if (n) {
        if (a)
            memcpy(n, a, old);
        free(a);
    }
    return n;
}

static void *grow(void *arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    uint32_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    size_t bytes = (size_t)c * elem;
    void *n = resize(arr, (size_t)*cap * elem, &bytes);
    if (!n) {
        fputs("regula: out of memory\n", stderr);
        abort();
    }
    *cap = bytes / elem > UINT32_MAX ? UINT32_MAX : (uint32_t)(bytes / elem);
    return n;
}

void *rgc_room(void *a, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return a;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    size_t bytes = c * elem;
    void *n = resize(a, *cap * elem, &bytes);
    if (n)
        *cap = bytes / elem;
    return n;
}

#define RGC_X_PUSH(type, name)                                                              \
    uint32_t rgc_push_##name(rgc_pack *pk, const type *v, uint32_t n)                       \
    {                                                                                       \
        rg_program *p = pk->prog;                                                           \
        if (n == 0) /* an empty list literal: nothing to copy, maybe no array yet */       \
            return p->n_##name;                                                             \
        p->name = grow(p->name, &pk->caps.name, p->n_##name + n, sizeof(type));             \
        uint32_t at = p->n_##name;                                                          \
        if (v)                                                                              \
            memcpy(p->name + at, v, (size_t)n * sizeof(type));                              \
        else                                                                                \
            memset(p->name + at, 0, (size_t)n * sizeof(type));                              \
        p->n_##name += n;                                                                   \
        return at;                                                                          \
    }
RG_PROGRAM_ARRAYS(RGC_X_PUSH)
#undef RGC_X_PUSH

/* An open-addressing index of at least `need` slots (a power of two): when it
 * has fewer, a new empty one (every slot RG_NO_INDEX) and 1, for the caller
 * to fill again; 0 when it is large enough. */
static int index_room(uint32_t **slots, uint32_t *cap, uint32_t need)
{
    if (*cap >= need)
        return 0;
    uint32_t c = *cap ? *cap * 2 : 256;
    while (c < need)
        c *= 2;
    free(*slots);
    *slots = malloc(c * sizeof **slots);
    if (!*slots)
        abort();
    memset(*slots, 0xFF, c * sizeof **slots);
    *cap = c;
    return 1;
}

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

uint32_t rgc_str(rgc_pack *pk, const char *s)
{
    size_t n = strlen(s);
    rg_program *p = pk->prog;
    if (index_room(&pk->str_hash, &pk->str_hash_cap, (p->n_strings + 1) * 2)) {
        uint32_t cap = pk->str_hash_cap;
        for (uint32_t i = 0; i < p->n_strings; i++) {
            uint32_t h = hash_str(p->blob + p->strings[i].offset, p->strings[i].len) & (cap - 1);
            while (pk->str_hash[h] != RG_NO_INDEX)
                h = (h + 1) & (cap - 1);
            pk->str_hash[h] = i;
        }
    }
    uint32_t mask = pk->str_hash_cap - 1;
    uint32_t h = hash_str(s, n) & mask;
    while (pk->str_hash[h] != RG_NO_INDEX) {
        const rg_strent *e = &p->strings[pk->str_hash[h]];
        if (e->len == n && memcmp(p->blob + e->offset, s, n) == 0)
            return pk->str_hash[h];
        h = (h + 1) & mask;
    }
    rg_strent e = {p->n_blob, (uint32_t)n};
    rgc_push_blob(pk, s, (uint32_t)n + 1);
    uint32_t id = rgc_push_strings(pk, &e, 1);
    pk->str_hash[h] = id;
    return id;
}

const char *rgc_str_text(const rgc_pack *pk, uint32_t id)
{
    return pk->prog->blob + pk->prog->strings[id].offset;
}

static uint32_t hash_i64(int64_t v)
{
    return (uint32_t)(((uint64_t)v * 0x9E3779B97F4A7C15u) >> 32);
}

/* The first index of each value of consts[0, n_consts), by hash: the constants
 * pushed since the last call (tables push blocks of them) join first. */
static void hash_consts(rgc_pack *pk)
{
    rg_program *p = pk->prog;
    if (index_room(&pk->const_hash, &pk->const_hash_cap, p->n_consts * 2 + 2))
        pk->consts_hashed = 0; /* a new index: every constant joins it again */
    uint32_t mask = pk->const_hash_cap - 1;
    for (; pk->consts_hashed < p->n_consts; pk->consts_hashed++) {
        int64_t v = p->consts[pk->consts_hashed];
        uint32_t h = hash_i64(v) & mask;
        while (pk->const_hash[h] != RG_NO_INDEX && p->consts[pk->const_hash[h]] != v)
            h = (h + 1) & mask;
        if (pk->const_hash[h] == RG_NO_INDEX) /* else an earlier index has it */
            pk->const_hash[h] = pk->consts_hashed;
    }
}

uint32_t rgc_const(rgc_pack *pk, int64_t v)
{
    rg_program *p = pk->prog;
    if (!rgc_writes_code(pk))
        return 0;
    hash_consts(pk);
    uint32_t mask = pk->const_hash_cap - 1, h = hash_i64(v) & mask;
    while (pk->const_hash[h] != RG_NO_INDEX) {
        if (p->consts[pk->const_hash[h]] == v)
            return pk->const_hash[h];
        h = (h + 1) & mask;
    }
    return rgc_push_consts(pk, &v, 1);
}

/* ---- code ---- */

void rgc_chunk_begin(rgc_pack *pk)
{
    pk->cur.active = 1;
    pk->cur.start = pk->prog->n_code;
    pk->cur.n_locals = 0;
    pk->cur.depth = pk->cur.max_depth = 0;
    pk->cur.line_known = 0;
    pk->cur.n_scope = 0;
    pk->cur.each_row = RG_ROW_OF_FRAME;
}

uint32_t rgc_chunk_end(rgc_pack *pk, uint32_t def, uint32_t policy, uint32_t version, uint32_t line,
                       uint32_t file)
{
    if (pk->make == RGC_MAKE_ALL)
        rgc_peephole(pk);
    rg_chunk c = {
        .start = pk->cur.start,
        .len = pk->prog->n_code - pk->cur.start,
        .n_locals = (uint16_t)pk->cur.n_locals,
        .max_stack = (uint16_t)pk->cur.max_depth,
        .def = def,
        .policy = policy,
        .version = version,
        .line = line,
        .file = file,
    };
    pk->cur.active = 0;
    return rgc_push_chunks(pk, &c, 1);
}

uint32_t rgc_local(rgc_pack *pk)
{
    return pk->cur.n_locals++;
}

/* The string id of diagnostics file `file`'s path, which the line table names
 * files by; asked once per file. */
static uint32_t path_str(rgc_pack *pk, uint32_t file)
{
    if (file < pk->n_path_strs && pk->path_strs[file] != RG_NO_INDEX)
        return pk->path_strs[file];
    const rg_source *src = rg_diag_source(pk->diag, file);
    uint32_t id = rgc_str(pk, src ? src->path : "");
    if (src && file >= pk->n_path_strs) {
        size_t n = pk->n_path_strs;
        uint32_t *grown = rgc_room(pk->path_strs, &n, (size_t)file + 1, sizeof *grown);
        if (!grown)
            return id;
        memset(grown + pk->n_path_strs, 0xFF, (n - pk->n_path_strs) * sizeof *grown); /* RG_NO_INDEX */
        pk->path_strs = grown;
        pk->n_path_strs = n;
    }
    if (src)
        pk->path_strs[file] = id;
    return id;
}

void rgc_set_line(rgc_pack *pk, uint32_t line, uint32_t file)
{
    if (!rgc_writes_code(pk))
        return;
    if (pk->plan_memo)
        rgc_plan_memo_line(pk, line, file);
    if (pk->cur.line_known && pk->cur.last_line == line && pk->cur.last_file == file)
        return;
    pk->cur.line_known = 1;
    pk->cur.last_line = line;
    pk->cur.last_file = file;
    /* callers give the diagnostics' file index; the line table holds the file's name (a string id) */
    rg_lineent e = {pk->prog->n_code, line, path_str(pk, file)};
    rg_program *p = pk->prog;
    if (p->n_lines && p->lines[p->n_lines - 1].offset == e.offset)
        p->lines[p->n_lines - 1] = e;
    else
        rgc_push_lines(pk, &e, 1);
}

uint32_t rgc_emit(rgc_pack *pk, int op, uint32_t a, uint32_t b)
{
    const rg_opinfo *oi = &rg_opinfo_table[op];
    int pops = rg_insn_pops(pk->prog, (unsigned)op, a);
    if (!rgc_writes_code(pk)) {
        pk->cur.depth += oi->pushes - pops;
        if (pk->cur.depth > pk->cur.max_depth)
            pk->cur.max_depth = pk->cur.depth;
        return 0;
    }
    rg_program *p = pk->prog;
    uint32_t at = p->n_code - pk->cur.start;
    if (p->n_code + oi->len > pk->caps.code)
        p->code = grow(p->code, &pk->caps.code, p->n_code + oi->len, 1);
    p->n_code += rg_encode(p->code + p->n_code, (unsigned)op, a, b);
    pk->cur.depth += oi->pushes - pops;
    if (pk->cur.depth > pk->cur.max_depth)
        pk->cur.max_depth = pk->cur.depth;
    return at;
}

uint32_t rgc_here(const rgc_pack *pk)
{
    if (!rgc_writes_code(pk))
        return 0;
    return pk->prog->n_code - pk->cur.start;
}

/* Point the jump operand of the instruction at chunk offset `at` (operand
 * index `which`, 0 or 1) to chunk offset `target`. */
void rgc_patch(rgc_pack *pk, uint32_t at, int which, uint32_t target)
{
    if (!rgc_writes_code(pk))
        return;
    uint8_t *code = pk->prog->code + pk->cur.start + at;
    unsigned off = 1 + (which ? rg_operand_width[rg_opinfo_table[code[0]].a] : 0);
    rg_wr32(code + off, target);
}

void rgc_emit_value(rgc_pack *pk, int64_t v)
{
    if (v == RG_NONE)
        rgc_emit(pk, RG_OP_PUSH_NONE, 0, 0);
    else if (v >= INT32_MIN && v <= INT32_MAX)
        rgc_emit(pk, RG_OP_PUSH_INT, (uint32_t)(int32_t)v, 0);
    else
        rgc_emit(pk, RG_OP_PUSH_CONST, rgc_const(pk, v), 0);
}
