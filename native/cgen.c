/* cgen.c — a verified program's plans as C: which chunks the plans may reach
 * (through each policy's vtable and its version selectors), each one as a C
 * function over the interpreter's own memo and claim slots, and the one
 * exported entry that runs the claim's policy's plan (vm/native_abi.h).
 * Must generate only from a program the verifier accepted (its stack depths
 * are the verifier's), and compute exactly what the interpreter would. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgen.h"
#include "native.h"
#include "native_rt.h" /* compiled here too, so that a mistake in it fails the build */
#include "opcodes.h"

#define P(...) rg_sb_printf(g->o, __VA_ARGS__)

/* Mark the chunks policy pol's plan may run: LOAD_DEF and LOAD_IDEF go to
 * the chunk pol's vtable names, VSELECT to its versions' chunks. seen is per
 * chunk for this policy; stack has room for every chunk. */
static void reach(cgen *g, uint32_t pol, uint32_t plan, uint8_t *seen, uint32_t *stack)
{
    const rg_program *p = g->p;
    const uint32_t *vt = p->vtable + p->policies[pol].vtable;
    uint32_t n = 0;
#define RGN_PUSH(c_)                \
    do {                            \
        uint32_t c__ = (c_);        \
        if (!seen[c__]) {           \
            seen[c__] = 1;          \
            stack[n++] = c__;       \
        }                           \
    } while (0)
    RGN_PUSH(plan);
    while (n) {
        uint32_t c = stack[--n];
        g->want[c] = 1;
        g->pol[c] = g->pol[c] == RG_NO_INDEX || g->pol[c] == pol ? pol : RGN_MULTI;
        const rg_chunk *ch = &p->chunks[c];
        rg_insn in;
        for (uint32_t off = 0; off < ch->len; off += in.len) {
            rg_decode(p->code + ch->start + off, ch->len - off, &in);
            if (in.op == RG_OP_LOAD_DEF || in.op == RG_OP_LOAD_IDEF) {
                RGN_PUSH(vt[in.a]);
            } else if (in.op == RG_OP_VSELECT) {
                const rg_vselector *vs = &p->vselectors[in.a];
                for (uint32_t i = 0; i < vs->n_entries; i++)
                    RGN_PUSH(p->vsel_entries[vs->first_entry + i].chunk);
                RGN_PUSH(vs->fallback);
            }
        }
    }
#undef RGN_PUSH
}

/* The stack depth before each instruction of chunk c, following every path
 * from offset 0 as the verifier does (vm/verify_code.c check_stack); -1 where
 * no path goes. Also marks the jump targets. 0, or -1 when two paths
 * disagree (a program the verifier would refuse). */
static int depths(cgen *g, uint32_t c)
{
    const rg_program *p = g->p;
    const rg_chunk *ch = &p->chunks[c];
    const uint8_t *code = p->code + ch->start;
    uint32_t n = 0;
    for (uint32_t i = 0; i < ch->len; i++) {
        g->depth[i] = -1;
        g->target[i] = 0;
        g->in_loop[i] = 0;
    }
    g->depth[0] = 0;
    g->work[n++] = 0;
    while (n) {
        uint32_t off = g->work[--n];
        int32_t d = g->depth[off];
        rg_insn in;
        rg_decode(code + off, ch->len - off, &in);
        const rg_opinfo *oi = &rg_opinfo_table[in.op];
        int32_t nd = d - rg_insn_pops(p, in.op, in.a) + oi->pushes;
        uint32_t to[2], dd[2], k = 0;
        uint32_t t = rg_insn_target(&in);
        if (t != RG_NO_INDEX) {
            g->target[t] += g->target[t] < 255;
            if (t <= off)
                memset(g->in_loop + t, 1, off + 1 - t);
            to[k] = t, dd[k++] = (uint32_t)(rg_jump_keeps(in.op) ? d : nd);
        }
        if (!rg_op_ends_block(in.op))
            to[k] = off + in.len, dd[k++] = (uint32_t)(rg_falls_bare(in.op) ? d : nd);
        for (uint32_t i = 0; i < k; i++) {
            if (g->depth[to[i]] < 0) {
                g->depth[to[i]] = (int32_t)dd[i];
                g->work[n++] = to[i];
            } else if (g->depth[to[i]] != (int32_t)dd[i]) {
                return -1;
            }
        }
    }
    return 0;
}

/* The definitions plan chunk c has done on every path to its return (a
 * STORE_DEF or MEMO_DEF of it, or a LOAD_DEF that computes it), ANDed into
 * must (a bit per definition): after the plan returns, the outputs' copy
 * need not check their states. A forward analysis over c's instructions,
 * a definition's bit in an offset's set kept only if every path to the
 * offset has it; a path that fails (FAIL, REJECT) counts for nothing, any
 * other end of the chunk for what it has done.
 * 0, or -1 out of memory. */
static int must_store(cgen *g, uint32_t c, uint64_t *must)
{
    const rg_program *p = g->p;
    const rg_chunk *ch = &p->chunks[c];
    const uint8_t *code = p->code + ch->start;
    const size_t w = (p->n_defs + 63) / 64;
    uint64_t *in = malloc((size_t)ch->len * w * sizeof *in), *out = malloc(w * sizeof *out);
    uint8_t *seen = calloc(ch->len, 1);
    if (!in || !out || !seen) {
        free(in), free(out), free(seen);
        return -1;
    }
    memset(in, 0, w * sizeof *in);
    seen[0] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        rg_insn ins;
        for (uint32_t off = 0; off < ch->len; off += ins.len) {
            rg_decode(code + off, ch->len - off, &ins);
            if (!seen[off])
                continue;
            memcpy(out, in + off * w, w * sizeof *out);
            if (ins.op == RG_OP_STORE_DEF || ins.op == RG_OP_MEMO_DEF || ins.op == RG_OP_LOAD_DEF)
                out[ins.a / 64] |= (uint64_t)1 << (ins.a % 64);
            uint32_t to[2], k = 0, t = rg_insn_target(&ins);
            /* where the chunk ends but by failing (RET, or VSELECT's other
             * chunk, whose definitions it does not count) */
            if (rg_op_ends_block(ins.op) && t == RG_NO_INDEX && ins.op != RG_OP_FAIL && ins.op != RG_OP_REJECT)
                for (size_t i = 0; i < w; i++)
                    must[i] &= out[i];
            if (t != RG_NO_INDEX)
                to[k++] = t;
            if (!rg_op_ends_block(ins.op))
                to[k++] = off + ins.len;
            for (uint32_t j = 0; j < k; j++) {
                uint64_t *set = in + (size_t)to[j] * w;
                if (!seen[to[j]]) {
                    seen[to[j]] = 1;
                    memcpy(set, out, w * sizeof *set);
                    changed = 1;
                    continue;
                }
                for (size_t i = 0; i < w; i++) {
                    changed |= (set[i] & ~out[i]) != 0;
                    set[i] &= out[i];
                }
            }
        }
    }
    free(in), free(out), free(seen);
    return 0;
}

/* Whether plans a and b are one plan but for their figures: the same
 * instructions, operands and frame, LOAD_PCONST's constant aside. Such plans
 * (a region that changes only parameters) share one function, so that a
 * claim of one region does not evict another's plan from the instruction
 * cache. */
static int same_shape(const rg_program *p, uint32_t a, uint32_t b)
{
    const rg_chunk *ca = &p->chunks[a], *cb = &p->chunks[b];
    if (ca->len != cb->len || ca->max_stack != cb->max_stack || ca->n_locals != cb->n_locals ||
        p->chunk_rt[a].cost != p->chunk_rt[b].cost)
        return 0;
    rg_insn x, y;
    for (uint32_t off = 0; off < ca->len; off += x.len) {
        rg_decode(p->code + ca->start + off, ca->len - off, &x);
        rg_decode(p->code + cb->start + off, cb->len - off, &y);
        if (x.op != y.op || x.len != y.len || x.a != y.a || (x.b != y.b && x.op != RG_OP_LOAD_PCONST))
            return 0;
    }
    return 1;
}

/* A hash of what same_shape compares, so that plans of other shapes are
 * told apart without it. */
static uint64_t shape_hash(const rg_program *p, uint32_t c)
{
    const rg_chunk *ch = &p->chunks[c];
    uint64_t h = (uint64_t)ch->len << 32 ^ ch->max_stack << 16 ^ ch->n_locals ^ (uint64_t)p->chunk_rt[c].cost << 48;
    rg_insn in;
    for (uint32_t off = 0; off < ch->len; off += in.len) {
        rg_decode(p->code + ch->start + off, ch->len - off, &in);
        uint64_t w = (uint64_t)in.op << 56 ^ (uint64_t)in.a << 24 ^ (in.op == RG_OP_LOAD_PCONST ? 0 : in.b);
        h = (h ^ w) * 0x100000001b3ull;
    }
    return h;
}

/* Plan c's figures, its LOAD_PCONSTs' constants in order, as the array K<c>. */
static void figures(cgen *g, uint32_t c)
{
    const rg_program *p = g->p;
    const rg_chunk *ch = &p->chunks[c];
    rg_insn in;
    uint32_t n = 0;
    P("static const rg_value K%u[] = {", c);
    for (uint32_t off = 0; off < ch->len; off += in.len) {
        rg_decode(p->code + ch->start + off, ch->len - off, &in);
        if (in.op == RG_OP_LOAD_PCONST) {
            P("%s", n++ ? ", " : "");
            rgn_lit(g->o, p->consts[in.b]);
        }
    }
    P("%s};\n", n ? "" : "0");
}

/* Chunk c as `static int c<c>(rgn_x *x, int32_t row, rg_value *out)`. */
static int function(cgen *g, uint32_t c)
{
    const rg_program *p = g->p;
    const rg_chunk *ch = &p->chunks[c];
    const uint8_t *code = p->code + ch->start;
    g->chunk = c;
    if (depths(g, c))
        return -1;
    g->shared = g->shared_plan[c];
    g->n_pk = 0;
    P("\nstatic int c%u(rgn_x *x, int32_t row, rg_value *out)\n{\n", c);
    for (uint32_t i = 0; i < ch->max_stack; i++)
        P("%s s%u = 0", i ? "," : "    rg_value", i);
    if (ch->max_stack)
        P(";\n");
    for (uint32_t i = 0; i < ch->n_locals; i++)
        P("%s l%u = 0", i ? "," : "    rg_value", i);
    if (ch->n_locals)
        P(";\n");
    /* the claim's slots in a local: the stores to memo states (bytes) may
     * alias anything, so x->claim would be loaded again at every read */
    P("    const rg_value *const C = x->claim;\n    (void)x; (void)row; (void)out; (void)C;\n");
    rg_insn in;
    for (uint32_t off = 0; off < ch->len;) {
        rg_decode(code + off, ch->len - off, &in);
        if (g->depth[off] < 0) {
            off += in.len;
            continue; /* no path reaches it */
        }
        if (g->target[off])
            P("  L%u:;\n", off);
        P("    ");
        uint32_t join;
        int sel = rgn_emit_select(g, off, &join);
        if (sel < 0)
            return -1;
        if (sel) {
            P("\n");
            off = join;
            continue;
        }
        if (rgn_emit_insn(g, off, &in, g->depth[off]))
            return -1;
        P(" /* %s */\n", rg_opinfo_table[in.op].name);
        off += in.len;
    }
    P("    return 1;\n}\n");
    return 0;
}

/* The entries: the claim's policy's plan, with the interpreter's budget (a
 * shared plan with the policy's figures), and the outputs' copy (must: room
 * for a bit per definition). 0, or -1 out of memory. */
static int entry(cgen *g, uint32_t n_plans, const uint8_t *id, uint64_t *must)
{
    const rg_program *p = g->p;
    P("\n#define RGN_EXPORT __attribute__((visibility(\"default\")))\n");
    P("RGN_EXPORT const rg_native_info rgn_info = {RG_NATIVE_ABI, %u, %u, %u, {", p->n_policies, p->n_chunks, n_plans);
    for (int i = 0; i < RG_NATIVE_ID_BYTES; i++)
        P("%s%u", i ? "," : "", id[i]);
    P("}};\n");
    P("RGN_EXPORT int rgn_init(const rg_native_host *h)\n{\n    H = h;\n    return 0;\n}\n");
    /* each policy's plan function, cost and figures in a table, not a
     * switch: claims of one region and the next take one path, where a
     * jump through a switch's table is mispredicted as the region changes */
    P("typedef struct { rgn_fn f; uint32_t cost; const rg_value *pk; } rgn_entry;\n"
      "static const rgn_entry PLAN[%u] = {", p->n_policies ? p->n_policies : 1);
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans; i++) {
        uint32_t c = p->plans[i];
        if (c == RG_NO_INDEX || !g->want[c])
            continue;
        P("\n    [%u] = {c%u, %u, ", i, g->shape[c], p->chunk_rt[c].cost);
        if (g->shape[c] != c || g->shared_plan[c])
            P("K%u},", c);
        else
            P("0},");
    }
    P("};\n");
    P("RGN_EXPORT int rgn_plan(rg_vm *vm, uint64_t *left)\n{\n"
      "    if (vm->policy >= %uu || !PLAN[vm->policy].f)\n        return 2;\n"
      "    const rgn_fn f = PLAN[vm->policy].f;\n    const uint32_t cost = PLAN[vm->policy].cost;\n"
      "    const rg_value *pk = PLAN[vm->policy].pk;\n", p->n_policies ? p->n_policies : 1);
    P("    const rg_program *p = vm->prog;\n"
      "    rgn_x x = {vm, p, vm->claim, vm->items, vm->n_items, vm->defs, vm->def_state, vm->idefs,\n"
      "               vm->idef_state, p->vtable + p->policies[vm->policy].vtable, H, FN, pk, *left, 0,\n"
      "               vm->max_depth > vm->depth + 1 ? vm->max_depth - vm->depth - 1 : 0};\n"
      "    if (x.max_depth > RG_NATIVE_MAX_NEST)\n        x.max_depth = RG_NATIVE_MAX_NEST;\n"
      "    rg_value ignored;\n    int r = 1;\n"
      "    if (x.left >= cost) {\n        x.left -= cost;\n        r = f(&x, -1, &ignored);\n    }\n"
      "    *left = x.left;\n    return r;\n}\n");
    /* the outputs, after a plan of this object returned 0: the state of a
     * definition some plan may leave undone checked, then each value copied */
    P("RGN_EXPORT int rgn_outputs(const rg_vm *vm, rg_value *out)\n{\n");
    if (p->outputs_bad || !p->n_outputs) {
        P("    (void)vm; (void)out;\n    return 0;\n}\n");
        return 0;
    }
    for (size_t i = 0; i < (p->n_defs + 63) / 64; i++)
        must[i] = ~(uint64_t)0;
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans; i++) {
        uint32_t c = p->plans[i]; /* a plan of another's shape runs that one's function: analysed with it */
        if (c != RG_NO_INDEX && g->want[c] && g->shape[c] == c && must_store(g, c, must))
            return -1;
    }
    P("    const uint8_t *st = vm->def_state;\n    const rg_value *d = vm->defs;\n    (void)st;\n");
    uint32_t n_checked = 0;
    for (uint32_t i = 0; i < p->n_outputs; i++) {
        uint32_t d = p->outputs[i].def;
        if (!(must[d / 64] >> (d % 64) & 1))
            P("%s(st[%u] ^ 2)", n_checked++ ? " | " : "    if ((", d);
    }
    if (n_checked)
        P(") != 0)\n        return 0;\n");
    for (uint32_t i = 0; i < p->n_outputs; i++)
        P("    out[%u] = d[%u];\n", i, p->outputs[i].def);
    P("    return 1;\n}\n");
    return 0;
}

int rgn_generate(const rg_program *p, const uint8_t id[RG_NATIVE_ID_BYTES], rg_sb *out, char *err, size_t errlen)
{
    if (p->n_externs)
        return rg_errf(err, errlen, "the pack calls host functions, which need not be pure: it has no native code");
    uint32_t longest = 1, n_plans = 0;
    for (uint32_t i = 0; i < p->n_chunks; i++)
        if (p->chunks[i].len > longest)
            longest = p->chunks[i].len;
    cgen gen = {p, out, calloc(p->n_chunks + 1, 1), malloc((p->n_chunks + 1) * sizeof(uint32_t)),
                malloc(longest * sizeof(int32_t)), malloc(longest), malloc(longest),
                malloc(longest * sizeof(uint32_t)), 0, 0, 0, 0, malloc((p->n_chunks + 1) * sizeof(uint32_t)),
                calloc(p->n_chunks + 1, 1), RGN_GOTO, 0};
    cgen *g = &gen;
    uint8_t *seen = malloc(p->n_chunks + 1);
    uint32_t *stack = malloc((p->n_chunks + 1) * sizeof *stack);
    uint64_t *hash = malloc((p->n_policies + 1) * sizeof *hash);
    uint64_t *must = malloc(((p->n_defs + 63) / 64 + 1) * sizeof *must);
    int rc = -1;
    if (!g->want || !g->pol || !g->depth || !g->target || !g->in_loop || !g->work || !g->shape ||
        !g->shared_plan || !seen || !stack || !hash || !must) {
        rg_errf(err, errlen, "out of memory generating native code");
        goto done;
    }
    for (uint32_t i = 0; i < p->n_chunks; i++) {
        g->pol[i] = RG_NO_INDEX;
        g->shape[i] = i;
    }
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans; i++) {
        if (p->plans[i] == RG_NO_INDEX)
            continue;
        memset(seen, 0, p->n_chunks);
        reach(g, i, p->plans[i], seen, stack);
        n_plans++;
    }
    if (!n_plans) {
        rg_errf(err, errlen, "the pack has no plans (docs/bytecode.md): nothing to compile natively");
        goto done;
    }
    /* each plan to the first of its shape, when both are only plans (not a
     * definition's chunk, which runs with other figures) */
    uint8_t *called = seen;
    memset(called, 0, p->n_chunks);
    for (uint32_t i = 0; i < p->n_vtable; i++)
        if (p->vtable[i] < p->n_chunks)
            called[p->vtable[i]] = 1;
    for (uint32_t i = 0; i < p->n_vselectors; i++)
        if (p->vselectors[i].fallback < p->n_chunks)
            called[p->vselectors[i].fallback] = 1;
    for (uint32_t i = 0; i < p->n_vsel_entries; i++)
        if (p->vsel_entries[i].chunk < p->n_chunks)
            called[p->vsel_entries[i].chunk] = 1;
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans; i++)
        hash[i] = p->plans[i] == RG_NO_INDEX ? 0 : shape_hash(p, p->plans[i]);
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans; i++) {
        uint32_t c = p->plans[i];
        for (uint32_t j = 0; c != RG_NO_INDEX && !called[c] && j < i && g->shape[c] == c; j++) {
            uint32_t r = p->plans[j];
            if (r != RG_NO_INDEX && r != c && !called[r] && g->shape[r] == r && hash[j] == hash[i] &&
                same_shape(p, r, c)) {
                g->shape[c] = r;
                g->shared_plan[r] = 1;
            }
        }
    }
    P("/* Native code of a Regula pack, written by regula's generator %d (native/cgen.c) from the\n"
      " * pack's verified bytecode. Do not edit: it is generated again. */\n",
      RGN_GENERATOR_VERSION);
    P("#define rg_pct_wide rgn_pct_wide_ /* the VM's, lent (native_abi.h) */\n");
    rg_sb_put(out, rgn_abi_text, rgn_abi_text_len);
    uint32_t widest = 1;
    for (uint32_t i = 0; i < p->n_catalogs; i++)
        if (p->catalogs[i].n_columns > widest)
            widest = p->catalogs[i].n_columns;
    P("const rg_value rgn_none_row[%u] = {[0 ... %u] = RG_NONE};\n", widest, widest - 1);
    P("\nstatic const rg_native_host *H;\n"
      "int rgn_pct_wide_(int64_t x, int64_t p, int64_t *r) { return H->pct_wide(x, p, r); }\n\n");
    for (uint32_t c = 0; c < p->n_chunks; c++)
        if (g->want[c] && g->shape[c] == c)
            P("static int c%u(rgn_x *x, int32_t row, rg_value *out);\n", c);
    P("static const rgn_fn FN[%u] = {", p->n_chunks);
    for (uint32_t c = 0, k = 0; c < p->n_chunks; c++)
        if (g->want[c] && g->shape[c] == c)
            P("%s[%u] = c%u", k++ ? ", " : "", c, c);
    P("};\n");
    for (uint32_t c = 0; c < p->n_chunks; c++) {
        if (g->want[c] && (g->shape[c] != c || g->shared_plan[c]))
            figures(g, c);
        if (g->want[c] && g->shape[c] == c && function(g, c)) {
            rg_errf(err, errlen, "chunk %u cannot be compiled natively", c);
            goto done;
        }
    }
    if (entry(g, n_plans, id, must)) {
        rg_errf(err, errlen, "out of memory generating native code");
        goto done;
    }
    rc = out->oom ? rg_errf(err, errlen, "out of memory generating native code") : 0;
done:
    free(g->want);
    free(g->pol);
    free(g->depth);
    free(g->target);
    free(g->in_loop);
    free(g->work);
    free(g->shape);
    free(g->shared_plan);
    free(seen);
    free(stack);
    free(hash);
    free(must);
    return rc;
}
