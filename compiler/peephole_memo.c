/* peephole_memo.c — the peephole pass's work on a chunk, kept for the chunks
 * of the same shape that follow. A province's cities each compile the same
 * plan and the same table bodies, which differ only in operands that name the
 * city's own things (its definitions, ledger fields, constants, strings).
 * The pass never reads those operands (rgc_peephole_opaque): it decides from
 * the opcodes, the other operands and where lines start, and it moves an
 * instruction with such an operand unchanged. So a chunk whose code is a kept
 * one's but for those operands is the kept result with its own operands put
 * back, and its lines moved as the kept one's were.
 * Must give byte for byte what the pass would (REGULA_COMPILE_ANEW=1
 * compiles without it, for tests/scale.sh to compare). */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "bytecode_io.h"

typedef struct {
    uint64_t hash;
    uint32_t raw, raw_len;     /* the code as emitted: bytes[raw, raw + raw_len) */
    uint32_t out, out_len;     /* the code the pass made of it (none when it changed nothing) */
    uint32_t lines, n_lines;   /* words[lines …]: where lines start (a plan's pin nothing: none kept) */
    uint32_t moved;            /* words[moved + k]: where the pass put the k-th instruction (k = n_insns: the end) */
    uint32_t n_insns;
    int plan, changed;
} shape_t;

struct rgc_peep_memo {
    shape_t *shapes;
    size_t n, cap;
    uint32_t *slot;            /* open addressing over shapes by hash, RG_NO_INDEX when empty */
    uint32_t slot_cap;
    uint8_t *bytes;            /* every shape's code, as emitted and as the pass made it */
    size_t n_bytes, cap_bytes;
    uint32_t *words;           /* every shape's lines and moves */
    size_t n_words, cap_words;
    shape_t staged;            /* the chunk being passed over, not found: kept once the pass is done */
    int has_staged;
    uint8_t *scratch;          /* a chunk's own code while the kept result replaces it */
    size_t cap_scratch;
    uint32_t *line_to;         /* where its lines go */
    size_t cap_line_to;
    /* the chunk's opaque instructions, as shape_hash found them */
    struct opaque_at {
        uint32_t off, index;
    } *opq;
    size_t n_opq, cap_opq;
    uint8_t len[256];          /* per opcode byte: its instruction's length, 0 for none */
    uint8_t opaque[256];       /* rgc_peephole_opaque */
};

void rgc_peep_memo_free(rgc_peep_memo *m)
{
    if (!m)
        return;
    free(m->shapes);
    free(m->slot);
    free(m->bytes);
    free(m->words);
    free(m->scratch);
    free(m->line_to);
    free(m->opq);
    free(m);
}

/* The first of the chunk's lines (those at start or after) in p->lines. */
static uint32_t first_line(const rg_program *p, uint32_t start)
{
    uint32_t l = p->n_lines;
    while (l > 0 && p->lines[l - 1].offset >= start)
        l--;
    return l;
}

/* h and the n bytes at b, eight at a time. */
static uint64_t hash_bytes(uint64_t h, const uint8_t *b, size_t n)
{
    for (; n >= 8; b += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    for (; n; b++, n--)
        h = (h ^ *b) * 0x100000001b3ull;
    return h;
}

/* The hash of the chunk's shape: each instruction's opcode and the operands
 * the pass reads, whether it is a plan, and (not in a plan) where its lines
 * start. Sets *n_insns and m->opq; 0 when the code does not decode (never
 * kept) or out of memory. */
static uint64_t shape_hash(rgc_peep_memo *m, const rg_program *p, uint32_t start, int plan, uint32_t *n_insns)
{
    const uint8_t *code = p->code + start;
    uint32_t len = p->n_code - start, n = 0, seg = 0; /* the bytes the pass reads from seg on */
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len << 1 | (uint64_t)plan);
    m->n_opq = 0;
    for (uint32_t off = 0; off < len; n++) {
        unsigned il = m->len[code[off]];
        if (!il || il > len - off)
            return 0;
        if (m->opaque[code[off]]) {
            struct opaque_at *o = rgc_room(m->opq, &m->cap_opq, m->n_opq + 1, sizeof *o);
            if (!o)
                return 0;
            m->opq = o;
            m->opq[m->n_opq++] = (struct opaque_at){off, n};
            h = hash_bytes(h, code + seg, off + 1 - seg);
            seg = off + il;
        }
        off += il;
    }
    h = hash_bytes(h, code + seg, len - seg);
    if (!plan)
        for (uint32_t l = first_line(p, start); l < p->n_lines; l++)
            h = (h ^ (p->lines[l].offset - start)) * 0x100000001b3ull;
    *n_insns = n;
    return h | 1;
}

/* Is the chunk at start kept shape s but for operands the pass never reads
 * (m->opq: where they are)? */
static int same_shape(const rgc_peep_memo *m, const shape_t *s, const rg_program *p, uint32_t start, int plan,
                      uint32_t n_insns)
{
    uint32_t len = p->n_code - start, seg = 0;
    if (s->plan != plan || s->raw_len != len || s->n_insns != n_insns)
        return 0;
    const uint8_t *code = p->code + start, *kept = m->bytes + s->raw;
    for (size_t k = 0; k < m->n_opq; k++) {
        uint32_t off = m->opq[k].off;
        if (memcmp(code + seg, kept + seg, off + 1 - seg) != 0)
            return 0;
        seg = off + m->len[code[off]];
    }
    if (memcmp(code + seg, kept + seg, len - seg) != 0)
        return 0;
    uint32_t l0 = first_line(p, start);
    if (!plan && p->n_lines - l0 != s->n_lines)
        return 0;
    for (uint32_t k = 0; k < s->n_lines; k++)
        if (p->lines[l0 + k].offset - start != m->words[s->lines + k])
            return 0;
    return 1;
}

/* Kept shape s's result for the chunk at start: its lines moved as the pass
 * moved s's, its code s's with the chunk's own operands put back where the
 * pass moved them. 0, or -1 when out of memory (nothing changed). */
static int reuse(rgc_pack *pk, rgc_peep_memo *m, const shape_t *s, uint32_t start)
{
    rg_program *p = pk->prog;
    uint32_t len = s->raw_len;
    uint8_t *own = rgc_room(m->scratch, &m->cap_scratch, len, 1);
    if (!own)
        return -1;
    m->scratch = own;
    memcpy(own, p->code + start, len);
    const uint32_t *moved = m->words + s->moved;
    uint32_t l0 = first_line(p, start), k = 0, off = 0;
    uint32_t *to = rgc_room(m->line_to, &m->cap_line_to, p->n_lines - l0 + 1, sizeof *to);
    if (!to)
        return -1;
    m->line_to = to;
    /* each line at an instruction or the end (else the pass, too, leaves the chunk as it is) */
    for (uint32_t l = l0; l < p->n_lines; l++) {
        uint32_t at = p->lines[l].offset - start;
        for (; off < at; k++)
            off += m->len[own[off]];
        if (off != at || at > len)
            return -1;
        to[l - l0] = start + moved[k];
    }
    for (uint32_t l = l0; l < p->n_lines; l++)
        p->lines[l].offset = to[l - l0];
    if (!s->changed)
        return 0;
    p->n_code = start;
    rgc_push_code(pk, m->bytes + s->out, s->out_len);
    for (size_t j = 0; j < m->n_opq; j++) {
        const struct opaque_at *o = &m->opq[j];
        memcpy(p->code + start + moved[o->index] + 1, own + o->off + 1, m->len[own[o->off]] - 1u);
    }
    return 0;
}

int rgc_peep_memo_reuse(rgc_pack *pk, int plan)
{
    rg_program *p = pk->prog;
    uint32_t start = pk->cur.start, n_insns = 0;
    if (pk->compile_anew)
        return 0;
    if (!pk->peep_memo) {
        if (!(pk->peep_memo = calloc(1, sizeof *pk->peep_memo)))
            return 0;
        for (unsigned op = 0; op < RG_OP__COUNT; op++) {
            pk->peep_memo->len[op] = (uint8_t)rg_op_length(op);
            pk->peep_memo->opaque[op] = (uint8_t)rgc_peephole_opaque(op);
        }
    }
    rgc_peep_memo *m = pk->peep_memo;
    m->has_staged = 0;
    uint64_t h = shape_hash(m, p, start, plan, &n_insns);
    if (!h)
        return 0;
    for (uint32_t i = m->slot_cap ? (uint32_t)h & (m->slot_cap - 1) : 0; m->slot_cap && m->slot[i] != RG_NO_INDEX;
         i = (i + 1) & (m->slot_cap - 1)) {
        const shape_t *s = &m->shapes[m->slot[i]];
        if (s->hash == h && same_shape(m, s, p, start, plan, n_insns))
            return reuse(pk, m, s, start) == 0;
    }
    /* not kept: the code and lines as emitted, before the pass changes them */
    uint32_t len = p->n_code - start, l0 = first_line(p, start), n_lines = plan ? 0 : p->n_lines - l0;
    uint8_t *bytes = rgc_room(m->bytes, &m->cap_bytes, m->n_bytes + len, 1);
    if (bytes)
        m->bytes = bytes;
    uint32_t *words = rgc_room(m->words, &m->cap_words, m->n_words + n_lines, sizeof *words);
    if (words)
        m->words = words;
    if (!bytes || !words)
        return 0;
    memcpy(m->bytes + m->n_bytes, p->code + start, len);
    for (uint32_t k = 0; k < n_lines; k++)
        m->words[m->n_words + k] = p->lines[l0 + k].offset - start;
    m->staged = (shape_t){h, (uint32_t)m->n_bytes, len, 0, 0, (uint32_t)m->n_words, n_lines, 0, n_insns, plan, 0};
    m->has_staged = 1;
    return 0;
}

static int put_slot(rgc_peep_memo *m, uint64_t h, uint32_t index)
{
    if ((uint64_t)(m->n + 1) * 2 > m->slot_cap) {
        uint32_t cap = m->slot_cap ? m->slot_cap * 2 : 1024;
        uint32_t *slot = malloc(cap * sizeof *slot);
        if (!slot)
            return -1;
        memset(slot, 0xFF, cap * sizeof *slot); /* RG_NO_INDEX */
        for (uint32_t k = 0; k < m->n; k++) {
            uint32_t i = (uint32_t)m->shapes[k].hash & (cap - 1);
            while (slot[i] != RG_NO_INDEX)
                i = (i + 1) & (cap - 1);
            slot[i] = k;
        }
        free(m->slot);
        m->slot = slot;
        m->slot_cap = cap;
    }
    uint32_t i = (uint32_t)h & (m->slot_cap - 1);
    while (m->slot[i] != RG_NO_INDEX)
        i = (i + 1) & (m->slot_cap - 1);
    m->slot[i] = index;
    return 0;
}

void rgc_peep_memo_keep(rgc_pack *pk, const uint32_t *moved, const uint8_t *out, uint32_t out_len, int changed)
{
    rgc_peep_memo *m = pk->peep_memo;
    if (!m || !m->has_staged)
        return;
    m->has_staged = 0;
    shape_t s = m->staged;
    if (!changed)
        out_len = 0;
    uint8_t *bytes = rgc_room(m->bytes, &m->cap_bytes, m->n_bytes + s.raw_len + out_len, 1);
    if (bytes)
        m->bytes = bytes;
    uint32_t *words = rgc_room(m->words, &m->cap_words, m->n_words + s.n_lines + s.n_insns + 1, sizeof *words);
    if (words)
        m->words = words;
    shape_t *shapes = rgc_room(m->shapes, &m->cap, m->n + 1, sizeof *shapes);
    if (shapes)
        m->shapes = shapes;
    if (!bytes || !words || !shapes || put_slot(m, s.hash, (uint32_t)m->n) != 0)
        return;
    s.out = s.raw + s.raw_len;
    s.out_len = out_len;
    s.moved = s.lines + s.n_lines;
    s.changed = changed;
    if (out_len)
        memcpy(m->bytes + s.out, out, out_len);
    memcpy(m->words + s.moved, moved, (s.n_insns + 1) * sizeof *moved);
    m->shapes[m->n++] = s;
    m->n_bytes += s.raw_len + out_len;
    m->n_words += s.n_lines + s.n_insns + 1;
}
