/* plan_memo.c — bodies compiled once per shape. A province's cities each
 * compute the nation's and the province's definitions in their plans, at
 * the same place in the same order, run the nation's reject rules and its
 * ledger updates: such a body compiles to the same code in every city unless
 * what its names mean differs there. What a body emits is decided by the
 * compiler's state where it starts (the code offset, the locals, the stack,
 * the element bound, whether the compiler is at the body's first line) and
 * by the few questions whose answer depends on the policy it is compiled
 * for: which definition a name means, whether a member or a ledger is seen,
 * whether a parameter is one constant, which local holds a definition the
 * plan computed (expr.c asks them through rgc_seen). So a body's code is
 * kept with the state it started from and the answers it was given, and a
 * later chunk that starts the same body in the same state and gets the same
 * answers takes the kept code and lines instead of compiling it again.
 * Kept only from a body that added nothing to the program but code and lines
 * (no new string, constant or list: their ids would be another body's), so
 * the result is byte for byte the compiled one (REGULA_COMPILE_ANEW=1
 * compiles every body, for tests/scale.sh to compare). */
#include <stdlib.h>
#include <string.h>

#include "builder.h"

typedef struct {
    rgc_seen_kind kind;
    const void *key;
    uint32_t a, b;
    uint64_t answer;
    int yes;
} seen_t;

typedef struct {
    uint32_t off, n_locals, last_line, last_file, each_list, each_row, plan_row, n_scope;
    int depth, line_known, in_each, plan;
    rgc_binding scope0;
    int pending;                  /* a line entry at the body's start, which its first may replace */
    uint32_t pend_line, pend_file;
} start_t;

typedef struct {
    const void *what;             /* the implementation, or the policy whose updates these are */
    start_t at;
    uint32_t code, code_len;      /* bytes[code …] */
    uint32_t lines, n_lines;      /* lines[…]: their offsets from the body's start */
    uint32_t seen, n_seen;        /* seen[…]: the questions asked, in order, with their answers */
    uint32_t n_locals, last_line, last_file;
    int depth, peak, line_known;
    /* the body's first line set (rgc_set_line), which the line the compiler
     * was at decides: where it is that line already, it adds no entry; or
     * (reads_line) the body read the line it started at before it set one */
    int sets_line, first_kept, reads_line;
    uint32_t first_line, first_file;
    int spoiled;                  /* out of memory while it was watched: not kept */
    uint32_t next;                /* the next body kept for the same implementation, or RG_NO_INDEX */
} body_t;

struct rgc_plan_memo {
    body_t *bodies;
    size_t n, cap;
    uint32_t *slot;               /* open addressing by what: its first body kept */
    uint32_t slot_cap;
    uint8_t *bytes;
    size_t n_bytes, cap_bytes;
    rg_lineent *lines;
    size_t n_lines, cap_lines;
    seen_t *seen;
    size_t n_seen, cap_seen;
    /* the body being compiled and watched */
    int watching;
    int nested;                   /* watches begun inside it (they keep nothing) */
    body_t cur;
    uint64_t arrays;              /* the program's other arrays' sizes when it began */
    uint32_t quiet_errors;
    int max_depth;                /* the chunk's deepest stack before it (the body's own is measured) */
};

void rgc_plan_memo_free(rgc_plan_memo *m)
{
    if (!m)
        return;
    free(m->bodies);
    free(m->slot);
    free(m->bytes);
    free(m->lines);
    free(m->seen);
    free(m);
}

/* The sum of the sizes of the program's arrays but its code and lines: a
 * body that leaves it as it was added nothing else. */
static uint64_t other_arrays(const rg_program *p)
{
    uint64_t n = 0;
#define RGC_X_COUNT(type, name) n += p->n_##name;
    RG_PROGRAM_ARRAYS(RGC_X_COUNT)
#undef RGC_X_COUNT
    return n - p->n_code - p->n_lines;
}

/* The compiler's state where a body starts, as far as it decides the body's
 * code; 0 when it is one a body is never kept from. */
static int start_of(const rgc_pack *pk, start_t *s)
{
    const rg_program *p = pk->prog;
    const __typeof__(pk->cur) *c = &pk->cur;
    if (!rgc_writes_code(pk) || c->impl || c->claim_only || c->inline_depth || c->cond_depth || c->n_scope > 1)
        return 0;
    memset(s, 0, sizeof *s);
    s->plan = c->plan_local != NULL;
    s->off = p->n_code - c->start;
    s->n_locals = c->n_locals;
    s->depth = c->depth;
    s->line_known = c->line_known;
    s->last_line = c->line_known ? c->last_line : 0;
    s->last_file = c->line_known ? c->last_file : 0;
    s->in_each = c->in_each;
    s->each_list = c->in_each ? c->each_list : 0;
    s->each_row = c->each_row;
    s->plan_row = c->plan_row;
    s->n_scope = c->n_scope;
    if (c->n_scope)
        s->scope0 = c->scope[0];
    if (p->n_lines && p->lines[p->n_lines - 1].offset == p->n_code) {
        s->pending = 1;
        s->pend_line = p->lines[p->n_lines - 1].line;
        s->pend_file = p->lines[p->n_lines - 1].file;
    }
    return 1;
}

static int same_start(const start_t *a, const start_t *b)
{
    return a->off == b->off && a->n_locals == b->n_locals && a->depth == b->depth &&
           a->in_each == b->in_each && a->plan == b->plan && a->each_list == b->each_list && a->each_row == b->each_row &&
           a->plan_row == b->plan_row && a->n_scope == b->n_scope &&
           (!a->n_scope || (a->scope0.name == b->scope0.name && a->scope0.local == b->scope0.local &&
                            a->scope0.list == b->scope0.list)) &&
           a->pending == b->pending && a->pend_line == b->pend_line && a->pend_file == b->pend_file;
}

/* Would each question body b asked get the same answer here? */
static int same_answers(rgc_pack *pk, const rgc_plan_memo *m, const body_t *b)
{
    for (uint32_t k = 0; k < b->n_seen; k++) {
        const seen_t *s = &m->seen[b->seen + k];
        uint64_t answer = 0;
        if (rgc_seen_answer(pk, s->kind, s->key, s->a, s->b, &answer) != s->yes || answer != s->answer)
            return 0;
    }
    return 1;
}

static int same_line(const start_t *a, const start_t *b)
{
    return a->line_known == b->line_known && a->last_line == b->last_line && a->last_file == b->last_file;
}

/* Is the line the compiler is at (start at) the first one body b sets? */
static int line_kept(const start_t *at, const body_t *b)
{
    return at->line_known && at->last_line == b->first_line && at->last_file == b->first_file;
}

void rgc_plan_memo_line(rgc_pack *pk, uint32_t line, uint32_t file)
{
    rgc_plan_memo *m = pk->plan_memo;
    if (!m->watching || m->cur.sets_line)
        return;
    m->cur.sets_line = 1;
    m->cur.first_line = line;
    m->cur.first_file = file;
    m->cur.first_kept = line_kept(&m->cur.at, &m->cur);
}

void rgc_plan_memo_line_read(rgc_pack *pk)
{
    rgc_plan_memo *m = pk->plan_memo;
    if (m->watching && !m->cur.sets_line)
        m->cur.reads_line = 1;
}

static uint32_t *slot_of(rgc_plan_memo *m, const void *what)
{
    uint32_t i = (uint32_t)(((uintptr_t)what >> 4) * 0x9e3779b1u) & (m->slot_cap - 1);
    while (m->slot[i] != RG_NO_INDEX && m->bodies[m->slot[i]].what != what)
        i = (i + 1) & (m->slot_cap - 1);
    return &m->slot[i];
}

int rgc_plan_memo_reuse(rgc_pack *pk, const void *what, const rgc_policy *owner)
{
    rgc_plan_memo *m = pk->plan_memo;
    start_t at;
    /* not inside a body being watched: the questions the kept one asked would not be noted with its */
    if (pk->compile_anew || !owner->n_children || !m || !m->slot_cap || m->watching || !start_of(pk, &at))
        return 0;
    uint32_t i = *slot_of(m, what);
    for (; i != RG_NO_INDEX; i = m->bodies[i].next) {
        const body_t *b = &m->bodies[i];
        if (!same_start(&b->at, &at) || (b->sets_line && line_kept(&at, b) != b->first_kept) ||
            (b->reads_line && !same_line(&b->at, &at)) || !same_answers(pk, m, b))
            continue;
        rg_program *p = pk->prog;
        uint32_t base = p->n_code;
        if (at.pending)
            p->n_lines--; /* the body's lines have it, or what replaced it */
        rgc_push_code(pk, m->bytes + b->code, b->code_len);
        uint32_t l0 = rgc_push_lines(pk, m->lines + b->lines, b->n_lines);
        for (uint32_t k = 0; k < b->n_lines; k++)
            p->lines[l0 + k].offset += base;
        pk->cur.n_locals = b->n_locals;
        if (at.depth + b->peak > pk->cur.max_depth)
            pk->cur.max_depth = at.depth + b->peak;
        pk->cur.depth = b->depth;
        if (b->sets_line) { /* else the line stays where it was */
            pk->cur.line_known = b->line_known;
            pk->cur.last_line = b->last_line;
            pk->cur.last_file = b->last_file;
        }
        return 1;
    }
    return 0;
}

void rgc_plan_memo_watch(rgc_pack *pk, const void *what, const rgc_policy *owner)
{
    if (pk->compile_anew || !rgc_writes_code(pk) || (!owner->n_children && !(pk->plan_memo && pk->plan_memo->watching)))
        return; /* no code, or code for this policy alone: never again */
    if (!pk->plan_memo && !(pk->plan_memo = calloc(1, sizeof *pk->plan_memo)))
        return;
    rgc_plan_memo *m = pk->plan_memo;
    if (m->watching) {
        m->nested++;
        return;
    }
    memset(&m->cur, 0, sizeof m->cur);
    if (!start_of(pk, &m->cur.at))
        return;
    m->cur.what = what;
    m->cur.seen = (uint32_t)m->n_seen;
    m->arrays = other_arrays(pk->prog);
    m->quiet_errors = pk->quiet_errors;
    m->max_depth = pk->cur.max_depth;
    pk->cur.max_depth = pk->cur.depth;
    m->watching = 1;
}

void rgc_seen(rgc_pack *pk, rgc_seen_kind kind, const void *key, uint32_t a, uint32_t b, int yes, uint64_t answer)
{
    rgc_plan_memo *m = pk->plan_memo;
    if (!m || !m->watching)
        return;
    seen_t *s = rgc_room(m->seen, &m->cap_seen, m->n_seen + 1, sizeof *s);
    if (!s) {
        m->cur.spoiled = 1; /* a question not noted: not kept (still watched, so that done restores the stack's depth) */
        return;
    }
    m->seen = s;
    m->seen[m->n_seen++] = (seen_t){kind, key, a, b, answer, yes};
    m->cur.n_seen++;
}

static int put_slot(rgc_plan_memo *m, uint32_t index)
{
    if ((uint64_t)(m->n + 1) * 2 > m->slot_cap) {
        uint32_t cap = m->slot_cap ? m->slot_cap * 2 : 256;
        uint32_t *slot = malloc(cap * sizeof *slot), *old = m->slot, old_cap = m->slot_cap;
        if (!slot)
            return -1;
        memset(slot, 0xFF, cap * sizeof *slot); /* RG_NO_INDEX */
        m->slot = slot;
        m->slot_cap = cap;
        for (uint32_t k = 0; k < old_cap; k++)
            if (old[k] != RG_NO_INDEX)
                *slot_of(m, m->bodies[old[k]].what) = old[k];
        free(old);
    }
    uint32_t *s = slot_of(m, m->bodies[index].what);
    m->bodies[index].next = *s; /* the latest first */
    *s = index;
    return 0;
}

void rgc_plan_memo_done(rgc_pack *pk)
{
    rgc_plan_memo *m = pk->plan_memo;
    if (!m || !m->watching)
        return;
    if (m->nested) {
        m->nested--;
        return;
    }
    m->watching = 0;
    rg_program *p = pk->prog;
    body_t *b = &m->cur;
    b->peak = pk->cur.max_depth - b->at.depth;
    if (m->max_depth > pk->cur.max_depth)
        pk->cur.max_depth = m->max_depth;
    uint32_t start = pk->cur.start + b->at.off;
    if (b->spoiled || other_arrays(p) != m->arrays || pk->quiet_errors != m->quiet_errors || p->n_code < start) {
        m->n_seen = b->seen; /* not kept: the next body's questions go where its went */
        return;
    }
    uint32_t l0 = p->n_lines;
    while (l0 > 0 && p->lines[l0 - 1].offset >= start)
        l0--;
    b->code_len = p->n_code - start;
    b->n_lines = p->n_lines - l0;
    uint8_t *bytes = rgc_room(m->bytes, &m->cap_bytes, m->n_bytes + b->code_len, 1);
    if (bytes)
        m->bytes = bytes;
    rg_lineent *lines = rgc_room(m->lines, &m->cap_lines, m->n_lines + b->n_lines, sizeof *lines);
    if (lines)
        m->lines = lines;
    body_t *bodies = rgc_room(m->bodies, &m->cap, m->n + 1, sizeof *bodies);
    if (bodies)
        m->bodies = bodies;
    if (!bytes || !lines || !bodies) {
        m->n_seen = b->seen;
        return;
    }
    b->code = (uint32_t)m->n_bytes;
    b->lines = (uint32_t)m->n_lines;
    memcpy(m->bytes + b->code, p->code + start, b->code_len);
    for (uint32_t k = 0; k < b->n_lines; k++) {
        m->lines[b->lines + k] = p->lines[l0 + k];
        m->lines[b->lines + k].offset -= start;
    }
    b->n_locals = pk->cur.n_locals;
    b->depth = pk->cur.depth;
    b->line_known = pk->cur.line_known;
    b->last_line = pk->cur.last_line;
    b->last_file = pk->cur.last_file;
    m->bodies[m->n] = *b;
    if (put_slot(m, (uint32_t)m->n) != 0) {
        m->n_seen = b->seen;
        return;
    }
    m->n++;
    m->n_bytes += b->code_len;
    m->n_lines += b->n_lines;
}
