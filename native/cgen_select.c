/* cgen_select.c — a short branch written as C that computes both of its ways
 * and then chooses (if-conversion): a branch on an item's or a claim's data,
 * which the processor cannot predict, becomes a few conditional moves.
 *
 * The region: a conditional jump forward (J) over a way A to E, and either A
 * falls into E (the ways join there), or A ends in a jump forward to Z over a
 * way B from E that falls into Z. Only the jump J enters B, only A's last jump
 * and J's reach the join from inside, and no jump from outside lands inside.
 * Every instruction of both ways is speculable (opcodes.h RG_SPECS), or is
 * itself such a region. Each way is computed into its own copies of the
 * variables it names (the C is renamed), and then J's flag chooses each
 * variable's copy.
 *
 * A way the interpreter would not take may fail here (an overflow, a row out
 * of range: figures no claim has); the plan then gives up and the
 * interpreter decides as if native code had not run (vm/interp.c run_plan),
 * so the results are the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgen.h"
#include "opcodes.h"

#define P(...) rg_sb_printf(g->o, __VA_ARGS__)

enum { MAX_REGION = 12 }; /* instructions of both ways together, nested regions' included */

typedef struct {
    uint32_t j, e, z; /* the jump, where it goes, where the ways join */
    uint32_t last;    /* way A's last instruction when it jumps to Z, else RG_NO_INDEX */
} region;

static int find_region(const cgen *g, uint32_t off, uint32_t lim, region *r, uint32_t *n);

/* What J's taking way A tells of a local: J tested local `local` (else
 * RG_NO_INDEX), which A then knows to be `value` until an instruction of A
 * names it. */
typedef struct {
    uint32_t local;
    int value;
} known;

/* Does in name local l in an operand? Over-answers: a LOCAL operand as l
 * and the next one (ITER_START's pair), two as the range between them
 * (ZERO_LOCALS). */
static int names_local(const rg_insn *in, uint32_t l)
{
    const rg_opinfo *oi = &rg_opinfo_table[in->op];
    if (oi->a == RG_OPK_LOCAL && oi->b == RG_OPK_LOCAL)
        return l >= (in->a < in->b ? in->a : in->b) && l <= (in->a < in->b ? in->b : in->a) + 1;
    const uint32_t v[2] = {in->a, in->b};
    const unsigned kind[2] = {oi->a, oi->b};
    for (int i = 0; i < 2; i++) {
        uint32_t x = v[i];
        switch ((rg_operand_kind)kind[i]) {
        case RG_OPK_LOCAL: if (l == x || l == x + 1) return 1; break;
        case RG_OPK_ROWSRC: if (x == l) return 1; break;
        case RG_OPK_ROWLOCAL: case RG_OPK_LOCALS: if (rg_hi16(x) == l || rg_lo16(x) == l) return 1; break;
        case RG_OPK_ROWCOL: case RG_OPK_ROWCOLV: if (rg_rowcol_of(kind[i], x).local == l) return 1; break;
        default: break;
        }
    }
    return 0;
}

/* Is in a jump on local k.local that what way A knows of it decides to take? */
static int decided(const rg_insn *in, known k)
{
    return k.local != RG_NO_INDEX && in->a == k.local &&
           ((in->op == RG_OP_JUMP_IF_LOCAL_TRUE && k.value) || (in->op == RG_OP_JUMP_IF_LOCAL_FALSE && !k.value));
}

static const uint8_t *chunk_code(const cgen *g) { return g->p->code + g->p->chunks[g->chunk].start; }
static uint32_t chunk_len(const cgen *g) { return g->p->chunks[g->chunk].len; }

/* Is [from, to) a way: speculable instructions and regions, entered only at
 * from (by `entries` jumps), the last one allowed (when *last is wanted) to be
 * a jump forward out of it, past to: then *last is its offset and *z where it
 * goes. Counts the instructions into *n. */
static int way(const cgen *g, uint32_t from, uint32_t to, uint32_t entries, known k, uint32_t *last, uint32_t *z,
               uint32_t *n)
{
    const uint8_t *code = chunk_code(g);
    uint32_t expect = entries; /* jumps that may land at off: none but at the start and at a region's join */
    if (last)
        *last = RG_NO_INDEX;
    for (uint32_t off = from; off < to;) {
        rg_insn in;
        rg_decode(code + off, chunk_len(g) - off, &in);
        if (g->depth[off] < 0 || g->target[off] != expect || ++*n > MAX_REGION)
            return 0;
        expect = 0;
        uint32_t t = rg_insn_target(&in);
        if (!rg_op_speculable(in.op))
            return 0;
        if (t == RG_NO_INDEX) {
            if (k.local != RG_NO_INDEX && names_local(&in, k.local))
                k.local = RG_NO_INDEX;
            off += in.len;
            continue;
        }
        if (rg_op_ends_block(in.op) || decided(&in, k)) { /* the way's last: a jump out to the join */
            if (!last || off + in.len != to || t <= to)
                return 0;
            *last = off;
            *z = t;
            return 1;
        }
        region inner;
        if (!find_region(g, off, to, &inner, n) || inner.z >= to)
            return 0;
        off = inner.z;
        expect = 1;
        k.local = RG_NO_INDEX; /* a region may name it */
    }
    return 1;
}

/* The region whose jump is at off, inside [.., lim): 1 and *r, or 0. */
static int find_region(const cgen *g, uint32_t off, uint32_t lim, region *r, uint32_t *n)
{
    rg_insn in;
    rg_decode(chunk_code(g) + off, chunk_len(g) - off, &in);
    uint32_t t = rg_insn_target(&in);
    if (t == RG_NO_INDEX || rg_op_ends_block(in.op) || !rg_op_speculable(in.op) || t <= off || t > lim)
        return 0;
    r->j = off;
    r->e = t;
    uint32_t z = 0;
    known k = {RG_NO_INDEX, 0}, none = {RG_NO_INDEX, 0};
    if (in.op == RG_OP_JUMP_IF_LOCAL_TRUE || in.op == RG_OP_JUMP_IF_LOCAL_FALSE)
        k = (known){in.a, in.op == RG_OP_JUMP_IF_LOCAL_FALSE}; /* A is where J does not jump */
    if (!way(g, off + in.len, t, 0, k, &r->last, &z, n))
        return 0;
    if (r->last == RG_NO_INDEX) { /* A falls into E: the ways join there */
        r->z = t;
        return 1;
    }
    r->z = z;
    return z <= lim && way(g, t, z, 1, none, NULL, NULL, n);
}

/* Per variable (s<i> below n_s, l<i> below n_l): named by a way's C. */
typedef struct {
    uint8_t *s, *l;
    uint32_t n_s, n_l;
} names;

/* Append text to o with each variable renamed to prefix<name>, and marked in nm. */
static void renamed(rg_sb *o, const char *text, const char *prefix, names *nm)
{
    for (const char *c = text; *c;) {
        if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))) {
            rg_sb_put(o, c++, 1);
            continue;
        }
        const char *w = c;
        while (*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
            c++;
        int var = (*w == 's' || *w == 'l') && c - w > 1;
        for (const char *d = w + 1; var && d < c; d++)
            var = *d >= '0' && *d <= '9';
        unsigned long i = var ? strtoul(w + 1, NULL, 10) : 0;
        if (var && i < (*w == 's' ? nm->n_s : nm->n_l)) {
            (*w == 's' ? nm->s : nm->l)[i] = 1;
            rg_sb_puts(o, prefix);
        }
        rg_sb_put(o, w, (size_t)(c - w));
    }
}

static int emit_region(cgen *g, const region *r);

/* Way [from, to) as C into g->o, its last jump (at last) not taken. */
static int emit_way(cgen *g, uint32_t from, uint32_t to, uint32_t last)
{
    const uint8_t *code = chunk_code(g);
    for (uint32_t off = from; off < to;) {
        rg_insn in;
        rg_decode(code + off, chunk_len(g) - off, &in);
        region inner;
        uint32_t n = 0;
        if (off != last && rg_insn_target(&in) != RG_NO_INDEX) {
            if (!find_region(g, off, to, &inner, &n) || emit_region(g, &inner))
                return -1;
            off = inner.z;
            continue;
        }
        int jumps = g->jumps;
        g->jumps = RGN_NO_JUMP;
        int rc = rgn_emit_insn(g, off, &in, g->depth[off]);
        g->jumps = jumps;
        if (rc)
            return -1;
        P(" ");
        off += in.len;
    }
    return 0;
}

static int emit_region(cgen *g, const region *r)
{
    const rg_chunk *ch = &g->p->chunks[g->chunk];
    rg_sb *o = g->o, a = {0}, b = {0}, text = {0};
    names nm = {calloc(ch->max_stack + 1, 1), calloc(ch->n_locals + 1, 1), ch->max_stack, ch->n_locals};
    rg_insn in;
    rg_decode(chunk_code(g) + r->j, chunk_len(g) - r->j, &in);
    int rc = -1;
    if (!nm.s || !nm.l)
        goto done;
    g->o = &a;
    if (emit_way(g, r->j + in.len, r->e, r->last))
        goto done;
    g->o = &b;
    if (emit_way(g, r->e, r->z, RG_NO_INDEX))
        goto done;
    char pa[24], pb[24];
    snprintf(pa, sizeof pa, "a%u_", r->j);
    snprintf(pb, sizeof pb, "b%u_", r->j);
    g->o = o;
    renamed(&text, rg_sb_str(&a), pa, &nm);
    renamed(&text, rg_sb_str(&b), pb, &nm);
    P("{ int j%u_; ", r->j);
    int jumps = g->jumps;
    uint32_t flag = g->flag;
    g->jumps = RGN_FLAG, g->flag = r->j;
    rc = rgn_emit_insn(g, r->j, &in, g->depth[r->j]);
    g->jumps = jumps, g->flag = flag;
    if (rc)
        goto done;
    /* each way's copies start from the variables as J left them */
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0, n = k ? nm.n_l : nm.n_s; i < n; i++)
            if ((k ? nm.l : nm.s)[i])
                P(" rg_value a%u_%c%u = %c%u, b%u_%c%u = %c%u;", r->j, "sl"[k], i, "sl"[k], i, r->j, "sl"[k], i,
                  "sl"[k], i);
    P(" %s const rg_value m%u_ = -(rg_value)j%u_;", rg_sb_str(&text), r->j, r->j);
    /* chosen by a mask: a `?:` the compiler may turn back into a branch;
     * the stack's slots above its depth at the join are dead there */
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0, n = k ? nm.n_l : (uint32_t)g->depth[r->z]; i < n; i++)
            if ((k ? nm.l : nm.s)[i])
                P(" %c%u = a%u_%c%u ^ ((a%u_%c%u ^ b%u_%c%u) & m%u_);", "sl"[k], i, r->j, "sl"[k], i, r->j, "sl"[k], i,
                  r->j, "sl"[k], i, r->j);
    P(" } /* %s: both ways */", rg_opinfo_table[in.op].name);
    rc = a.oom || b.oom || text.oom ? -1 : 0;
done:
    g->o = o;
    rg_sb_free(&a);
    rg_sb_free(&b);
    rg_sb_free(&text);
    free(nm.s);
    free(nm.l);
    return rc;
}

int rgn_emit_select(cgen *g, uint32_t off, uint32_t *join)
{
    region r;
    uint32_t n = 0;
    /* a branch outside a loop is taken once a claim, where the claim's other
     * tests help predict it: there both ways cost more than they save */
    if (!g->in_loop[off] || !find_region(g, off, chunk_len(g), &r, &n))
        return 0;
    *join = r.z; /* the join's other jumps come from outside: its label is written after */
    return emit_region(g, &r) ? -1 : 1;
}
