/* cgen_insn.c — one bytecode instruction as C: the stack slot at depth i is
 * the C variable s<i>, local i is l<i>, a jump a goto, and every check the
 * interpreter makes (vm/interp.c, the instruction's case) a `return 1` where
 * the interpreter would stop with an error. Must compute exactly what the
 * interpreter computes, budget included; messages are the interpreter's to
 * give (the plan is run again there when native code fails). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "cgen.h"
#include "opcodes.h"

#define P(...) rg_sb_printf(o, __VA_ARGS__)

void rgn_lit(rg_sb *o, int64_t v)
{
    if (v == INT64_MIN)
        rg_sb_puts(o, "RG_NONE");
    else
        rg_sb_printf(o, "INT64_C(%" PRId64 ")", v);
}

/* "goto L<t>", charging the chunk again when the jump goes back (JUMP_TO);
 * nothing unless g->jumps is RGN_GOTO. */
static void jump(cgen *g, uint32_t off, uint32_t t)
{
    rg_sb *o = g->o;
    if (g->jumps != RGN_GOTO)
        return;
    if (t <= off)
        P("RGN_CHARGE(x, %u); ", g->p->chunk_rt[g->chunk].cost);
    P("goto L%u;", t);
}

/* A conditional jump to t, taken when the C condition (printf's format and
 * arguments) holds: "if (cond) { goto L<t>; }", or with g->jumps RGN_FLAG the
 * condition into the flag, without a branch. */
static void branch(cgen *g, uint32_t off, uint32_t t, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void branch(cgen *g, uint32_t off, uint32_t t, const char *fmt, ...)
{
    rg_sb *o = g->o;
    char cond[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cond, sizeof cond, fmt, ap);
    va_end(ap);
    if (g->jumps == RGN_FLAG) {
        P("j%u_ = %s;", g->flag, cond);
        return;
    }
    P("if (%s) { ", cond);
    jump(g, off, t);
    P(" }");
}

/* The row a ROWSRC operand names: the function's row, or a local. */
static void rowsrc(rg_sb *o, uint32_t src)
{
    if (src == RG_ROW_OF_FRAME)
        P("(rg_value)row");
    else
        P("l%u", src);
}

/* The call of chunk callee for slot (known at generation): its constant, or
 * its function by name. */
static void call_known(cgen *g, uint32_t callee, const char *row, const char *val, const char *st)
{
    rg_sb *o = g->o;
    const rg_chunk_rt *rt = &g->p->chunk_rt[callee];
    if (rt->value != RG_CHUNK_NOT_CONST) {
        P("RGN_FAIL_IF(rgn_const(x, ");
        rgn_lit(o, rt->value);
        P(", %s, %s));", val, st);
    } else {
        P("RGN_FAIL_IF(rgn_call(x, c%u, %u, %s, %s, %s));", callee, rt->cost, row, val, st);
    }
}

/* The chunks that slot names for the policies whose plans run the shared plan
 * being written, each once, in *n (up to max; more: *n is max + 1). */
static void shared_callees(const cgen *g, uint32_t slot, uint32_t *callee, uint32_t max, uint32_t *n)
{
    const rg_program *p = g->p;
    *n = 0;
    for (uint32_t i = 0; i < p->n_policies && i < p->n_plans && *n <= max; i++) {
        uint32_t c = p->plans[i];
        if (c == RG_NO_INDEX || g->shape[c] != g->chunk)
            continue;
        uint32_t k = p->vtable[p->policies[i].vtable + slot], j = 0;
        while (j < *n && callee[j] != k)
            j++;
        if (j == *n && (*n)++ < max)
            callee[j] = k;
    }
}

/* Compute definition slot for row (a C expression) into val/st, which are
 * not done: a call the chunk's one policy (or every policy of a shared plan)
 * decides; in a shared plan whose policies name a few chunks, a test of the
 * claim's policy's chunk before each call by name (conditional branches,
 * which the claim's other tests help predict, where a call through the
 * vtable is an indirect one whose target changes with the region); else a
 * call through the vtable. */
static void call_def(cgen *g, uint32_t slot, const char *row, const char *val, const char *st)
{
    rg_sb *o = g->o;
    const rg_program *p = g->p;
    uint32_t pol = g->pol[g->chunk];
    if (g->shared) {
        enum { FEW = 4 };
        uint32_t callee[FEW], n;
        shared_callees(g, slot, callee, FEW, &n);
        if (n == 1) {
            call_known(g, callee[0], row, val, st);
        } else if (n <= FEW) {
            P("{ const uint32_t c_ = x->vt[%u];", slot);
            for (uint32_t i = 0; i < n; i++) {
                P(" %sif (c_ == %uu) { ", i ? "else " : "", callee[i]);
                call_known(g, callee[i], row, val, st);
                P(" }");
            }
            P(" else RGN_FAIL_IF(rgn_call_dyn(x, %u, %s, %s, %s)); }", slot, row, val, st);
        } else {
            P("RGN_FAIL_IF(rgn_call_dyn(x, %u, %s, %s, %s));", slot, row, val, st);
        }
        return;
    }
    if (pol == RGN_MULTI) {
        P("RGN_FAIL_IF(rgn_call_dyn(x, %u, %s, %s, %s));", slot, row, val, st);
        return;
    }
    call_known(g, p->vtable[p->policies[pol].vtable + slot], row, val, st);
}

/* The row that row source src names, checked as ITEM_ROW checks it, into r_. */
static void item_row(rg_sb *o, uint32_t src)
{
    P("rg_value r_ = ");
    rowsrc(o, src);
    P("; RGN_FAIL_IF((uint64_t)r_ >= x->n_items); ");
}

/* The TABLE block at constant k (opcodes.h): its cell for the inputs' values,
 * returned when it applies; else the rows that follow decide. */
static void table(cgen *g, uint32_t off, uint32_t k)
{
    rg_sb *o = g->o;
    const int64_t *c = g->p->consts + k, *in = c + 1;
    int64_t n = c[0], cells = 1;
    for (int64_t i = 0; i < n; i++)
        cells *= in[3 * i + 2];
    const int64_t *cell = c + 1 + 3 * n;
    P("{ static const uint8_t m_[%" PRId64 "] = {", cells);
    for (int64_t i = 0; i < cells; i++)
        P("%s%d", i ? "," : "", (int)cell[2 * i]);
    P("}; static const int64_t v_[%" PRId64 "] = {", cells);
    for (int64_t i = 0; i < cells; i++) {
        if (i)
            P(",");
        rgn_lit(o, cell[2 * i + 1]);
    }
    P("}; uint64_t c_ = 0, a_;");
    for (int64_t i = 0; i < n; i++, in += 3) {
        P(" a_ = (uint64_t)l%u - (uint64_t)", (unsigned)in[0]);
        rgn_lit(o, in[1]);
        P("; if (a_ >= %" PRId64 "u) goto M%u; c_ = c_ * %" PRId64 "u + a_;", in[2], off, in[2]);
    }
    P(" if (m_[c_]) { *out = v_[c_]; return 0; } }\n  M%u:;", off);
}

/* VSELECT: the first version containing the as-of date continues in its
 * chunk (in the same frame: its cost charged, its value returned), else the
 * fallback does. */
static void vselect(cgen *g, uint32_t sel)
{
    rg_sb *o = g->o;
    const rg_program *p = g->p;
    const rg_vselector *vs = &p->vselectors[sel];
    P("{ rg_value a_ = x->vm->asof; (void)a_;");
    for (uint32_t i = 0; i < vs->n_entries; i++) {
        const rg_vsel_entry *e = &p->vsel_entries[vs->first_entry + i];
        const rg_version *v = &p->versions[e->version];
        P(" if (1");
        if (v->from != RG_NONE) {
            P(" && a_ >= ");
            rgn_lit(o, v->from);
        }
        if (v->until != RG_NONE) {
            P(" && a_ <= ");
            rgn_lit(o, v->until);
        }
        P(") { RGN_CHARGE(x, %u); return c%u(x, row, out); }", p->chunk_rt[e->chunk].cost, e->chunk);
    }
    P(" RGN_CHARGE(x, %u); return c%u(x, row, out); }", p->chunk_rt[vs->fallback].cost, vs->fallback);
}

/* TIERED: the sum of each tier's share of [x, y), each rounded by pct. */
static void tiered(cgen *g, uint32_t br, int d)
{
    rg_sb *o = g->o;
    const rg_bracket *b = &g->p->brackets[br];
    P("{ rg_value sum_ = 0, lo_, hi_, part_;");
    for (uint32_t i = 0; i < b->n_tiers; i++) {
        const rg_tier *t = &g->p->tiers[b->first_tier + i];
        P(" lo_ = s%d > ", d - 2);
        rgn_lit(o, t->lo);
        P(" ? s%d : ", d - 2);
        rgn_lit(o, t->lo);
        P(";");
        if (t->hi == RG_NONE) {
            P(" hi_ = s%d;", d - 1);
        } else {
            P(" hi_ = s%d < ", d - 1);
            rgn_lit(o, t->hi);
            P(" ? s%d : ", d - 1);
            rgn_lit(o, t->hi);
            P(";");
        }
        P(" if (hi_ > lo_) RGN_FAIL_IF(rg_pct(hi_ - lo_, ");
        rgn_lit(o, t->pct);
        P(", &part_) || rg_add(sum_, part_, &sum_));");
    }
    P(" s%d = sum_; }", d - 2);
}

int rgn_emit_insn(cgen *g, uint32_t off, const rg_insn *in, int d)
{
    rg_sb *o = g->o;
    const rg_program *p = g->p;
    const int t = d - 1, u = d - 2; /* the top of the stack, and the value under it */
    const uint32_t a = in->a, b = in->b;
    const int32_t ia = (int32_t)a, ib = (int32_t)b;
    switch ((rg_opcode)in->op) {
    case RG_OP_NOP: case RG_OP_NOTE: case RG_OP_TRACE_DEF: case RG_OP_POP: break;
    case RG_OP_PUSH_INT: P("s%d = %d;", d, ia); break;
    case RG_OP_PUSH_CONST: P("s%d = ", d); rgn_lit(o, p->consts[a]); P(";"); break;
    case RG_OP_PUSH_STR: P("s%d = (rg_value)(intptr_t)x->p->str[%u];", d, a); break;
    case RG_OP_PUSH_NONE: P("s%d = RG_NONE;", d); break;
    case RG_OP_DUP: P("s%d = s%d;", d, t); break;
    case RG_OP_LOAD_LOCAL: P("s%d = l%u;", d, a); break;
    case RG_OP_STORE_LOCAL: P("l%u = s%d;", a, t); break;
    case RG_OP_LOAD_FIELD: P("s%d = C[%u];", d, a); break;
    case RG_OP_LOAD_IFIELD:
        P("RGN_FAIL_IF(rgn_row_field(x, ");
        rowsrc(o, b);
        P(", %u, %u, &s%d));", p->n_item_slots, a, d);
        break;
    case RG_OP_LOAD_DEF:
    case RG_OP_LOAD_PCONST:
        if (in->op == RG_OP_LOAD_PCONST) { /* never explaining: the constant */
            if (g->shared) {
                P("s%d = x->pk[%u];", d, g->n_pk++);
                break;
            }
            P("s%d = ", d);
            rgn_lit(o, p->consts[b]);
            P(";");
            break;
        }
        P("if (x->st[%u] == 2) s%d = x->defs[%u]; else { ", a, d, a);
        if (p->def_item[a] != RG_NO_INDEX) {
            P("return 1; }"); /* a per-item definition read with no current item */
            break;
        }
        char val[32], st[32];
        snprintf(val, sizeof val, "&x->defs[%u]", a);
        snprintf(st, sizeof st, "&x->st[%u]", a);
        call_def(g, a, "-1", val, st);
        P(" s%d = x->defs[%u]; }", d, a);
        break;
    case RG_OP_LOAD_IDEF:
        P("{ rg_value r_ = ");
        rowsrc(o, b);
        P(";");
        if (b != RG_ROW_OF_FRAME)
            P(" if (r_ == RG_NONE) s%d = RG_NONE; else", d);
        P(" { RGN_FAIL_IF((uint64_t)r_ >= x->n_items); size_t k_ = (size_t)r_ * %u + %u;", p->n_item_defs,
          p->def_item[a]);
        P(" if (x->ist[k_] == 2) s%d = x->idefs[k_]; else { ", d);
        call_def(g, a, "(int32_t)r_", "&x->idefs[k_]", "&x->ist[k_]");
        P(" s%d = x->idefs[k_]; } } }", d);
        break;
    case RG_OP_LOAD_LEDGER: P("s%d = x->vm->ledger_in[%u];", d, a); break;
    case RG_OP_LOAD_ASOF: P("s%d = x->vm->asof;", d); break;
    case RG_OP_ADD: case RG_OP_DATE_ADD: P("RGN_FAIL_IF(rgn_add(s%d, s%d, &s%d));", u, t, u); break;
    case RG_OP_SUB: case RG_OP_DATE_DIFF: P("RGN_FAIL_IF(rgn_sub(s%d, s%d, &s%d));", u, t, u); break;
    case RG_OP_MUL: P("RGN_FAIL_IF(rgn_mul(s%d, s%d, &s%d));", u, t, u); break;
    case RG_OP_DIV:
        P("RGN_FAIL_IF(s%d == 0 || (s%d == -1 && s%d <= INT64_MIN + 1)); s%d = s%d / s%d;", t, t, u, u, u, t);
        break;
    case RG_OP_NEG: P("RGN_FAIL_IF(s%d == RG_NONE); s%d = -s%d;", t, t, t); break;
    case RG_OP_PCT: /* into a temporary: a slot whose address went to rg_pct_wide (a call) would live in memory */
        P("{ rg_value r_; RGN_FAIL_IF(rg_pct(s%d, s%d, &r_)); s%d = r_; }", u, t, u);
        break;
    case RG_OP_MIN: P("if (s%d > s%d) s%d = s%d;", u, t, u, t); break;
    case RG_OP_MAX: P("if (s%d < s%d) s%d = s%d;", u, t, u, t); break;
    case RG_OP_EQ: P("s%d = s%d == s%d;", u, u, t); break;
    case RG_OP_NE: P("s%d = s%d != s%d;", u, u, t); break;
    case RG_OP_LT: P("s%d = s%d < s%d;", u, u, t); break;
    case RG_OP_LE: P("s%d = s%d <= s%d;", u, u, t); break;
    case RG_OP_GT: P("s%d = s%d > s%d;", u, u, t); break;
    case RG_OP_GE: P("s%d = s%d >= s%d;", u, u, t); break;
    case RG_OP_STR_EQ: P("s%d = rgn_str_eq(s%d, s%d);", u, u, t); break;
    case RG_OP_STR_NE: P("s%d = !rgn_str_eq(s%d, s%d);", u, u, t); break;
    case RG_OP_NOT: P("s%d = !s%d;", t, t); break;
    case RG_OP_JUMP: jump(g, off, a); break;
    case RG_OP_JUMP_IF_FALSE: branch(g, off, a, "!s%d", t); break;
    case RG_OP_JUMP_IF_TRUE: branch(g, off, a, "s%d", t); break;
    case RG_OP_YEAR: P("s%d = rg_cal_year_of_days(s%d);", t, t); break;
    case RG_OP_IN_LIST: {
        const rg_list *l = &p->lists[a];
        P("s%d = 0", t);
        for (uint32_t i = 0; i < l->count; i++) {
            P(" || s%d == ", t);
            rgn_lit(o, p->list_values[l->first + i]);
        }
        P(";");
        break;
    }
    case RG_OP_IN_LISTV: P("{ int f_; RGN_FAIL_IF(rgn_in_list(x, s%d, s%d, &f_)); s%d = f_; }", t, u, u); break;
    case RG_OP_IN_LISTS: P("{ int f_; RGN_FAIL_IF(rgn_in_strings(x, s%d, s%d, &f_)); s%d = f_; }", t, u, u); break;
    case RG_OP_FIND: P("s%d = rgn_find(x, %u, s%d, s%d);", u, a, u, t); break;
    case RG_OP_CAT_COL: P("s%d = rgn_cell(s%d, %u);", t, t, b); break;
    case RG_OP_TIERED: tiered(g, a, d); break;
    case RG_OP_LIST_COUNT: P("s%d = x->vm->list_count[%u];", d, a); break;
    case RG_OP_ITER_NEXT: branch(g, off, b, "!(++l%u < l%u)", a, a + 1); break;
    case RG_OP_ITER_LOOP: branch(g, off, b, "++l%u < l%u", a, a + 1); break;
    case RG_OP_FAIL: case RG_OP_REJECT: P("return 1;"); break;
    case RG_OP_VSELECT: vselect(g, a); break;
    case RG_OP_LEDGER_ADD:
        P("{ rg_value r_; RGN_FAIL_IF(rgn_add(x->vm->ledger_out[%u], s%d, &r_)); x->vm->ledger_out[%u] = r_; }", a, t,
          a);
        break;
    case RG_OP_LEDGER_SET: P("x->vm->ledger_out[%u] = s%d;", a, t); break;
    case RG_OP_RET: P("*out = s%d; return 0;", t); break;
    case RG_OP_EQ_IMM: P("s%d = s%d == %d;", t, t, ia); break;
    case RG_OP_IN_SET_IMM: P("s%d = ((uint64_t)s%d < 32) & (UINT32_C(%u) >> (s%d & 31));", t, t, a, t); break;
    case RG_OP_JUMP_IF_NE: branch(g, off, b, "s%d != %d", t, ia); break;
    case RG_OP_FIELD_EQ: P("s%d = C[%u] == %d;", d, a, ib); break;
    case RG_OP_SET_LOCAL: P("l%u = %d;", a, ib); break;
    case RG_OP_RET_IMM: P("*out = %d; return 0;", ia); break;
    case RG_OP_MIN_IMM: P("if (s%d > %d) s%d = %d;", t, ia, t, ia); break;
    case RG_OP_MAX_IMM: P("if (s%d < %d) s%d = %d;", t, ia, t, ia); break;
    case RG_OP_JUMP_IF_SOME: branch(g, off, a, "s%d != RG_NONE", t); break;
    case RG_OP_JUMP_KEEP_FALSE: branch(g, off, a, "!s%d", t); break;
    case RG_OP_JUMP_KEEP_TRUE: branch(g, off, a, "s%d", t); break;
    case RG_OP_ACC_ADD: P("RGN_FAIL_IF(rgn_add(l%u, s%d, &l%u));", a, t, a); break;
    case RG_OP_TABLE: table(g, off, a); break;
    case RG_OP_STORE_DEF: P("x->defs[%u] = s%d; x->st[%u] = 2; l%u = s%d;", a, t, a, b, t); break;
    case RG_OP_STORE_IDEF:
        P("{ ");
        item_row(o, b);
        P("size_t k_ = (size_t)r_ * %u + %u; x->idefs[k_] = s%d; x->ist[k_] = 2; }", p->n_item_defs,
          p->def_item[a], t);
        break;
    case RG_OP_LOCAL_COL: P("s%d = rgn_cell(l%u, %u);", d, a, rg_lo16(b)); break;
    case RG_OP_JUMP_IF_LOCAL_FALSE: branch(g, off, b, "!l%u", a); break;
    case RG_OP_JUMP_IF_LOCAL_TRUE: branch(g, off, b, "l%u", a); break;
    case RG_OP_SUB_LOCAL: P("RGN_FAIL_IF(rgn_sub(s%d, l%u, &s%d));", t, a, t); break;
    case RG_OP_LOAD_LOCAL2: P("s%d = l%u; s%d = l%u;", d, a, d + 1, b); break;
    case RG_OP_LOCAL_ACC_ADD: P("RGN_FAIL_IF(rgn_add(l%u, l%u, &l%u));", b, a, b); break;
    case RG_OP_MEMO_DEF: P("x->defs[%u] = l%u; x->st[%u] = 2;", a, b, a); break;
    case RG_OP_STORE_JUMP: P("l%u = s%d; ", a, t); jump(g, off, b); break;
    case RG_OP_ACC_ADD_JUMP: P("RGN_FAIL_IF(rgn_add(l%u, s%d, &l%u)); ", a, t, a); jump(g, off, b); break;
    case RG_OP_MIN_JUMP: P("if (s%d > s%d) s%d = s%d; ", u, t, u, t); jump(g, off, a); break;
    case RG_OP_PUSH_INT_JUMP: P("s%d = %d; ", d, ia); jump(g, off, b); break;
    case RG_OP_SUB_LOCALS: P("RGN_FAIL_IF(rgn_sub(l%u, l%u, &s%d));", a, b, d); break;
    case RG_OP_FIND_LOCAL: P("l%u = rgn_find(x, %u, s%d, s%d);", b, a, u, t); break;
    case RG_OP_MIN_STORE_JUMP: P("l%u = s%d < s%d ? s%d : s%d; ", a, u, t, u, t); jump(g, off, b); break;
    case RG_OP_STORE_JUMP_IF_FALSE: P("l%u = s%d; ", a, t); branch(g, off, b, "!l%u", a); break;
    case RG_OP_JUMP_UNLESS_EQ: branch(g, off, a, "s%d != s%d", u, t); break;
    case RG_OP_SUB_MAX_IMM:
        P("{ rg_value r_; RGN_FAIL_IF(rgn_sub(s%d, s%d, &r_)); s%d = r_ > %d ? r_ : %d; }", u, t, u, ia, ia);
        break;
    case RG_OP_LEDGER_BEGIN:
        P("memcpy(x->vm->ledger_out, x->vm->ledger_in, %u * sizeof(rg_value)); x->vm->updates_begun = 1;",
          p->n_ledger_fields);
        break;
    case RG_OP_JUMP_UNLESS_FIELD: branch(g, off, b, "C[%u] != %u", rg_hi16(a), rg_lo16(a)); break;
    case RG_OP_IFIELD_ACC_ADD:
        P("{ rg_value v_; RGN_FAIL_IF(rgn_row_field(x, ");
        rowsrc(o, rg_hi16(b));
        P(", %u, %u, &v_)); RGN_FAIL_IF(rgn_add(l%u, v_, &l%u)); }", p->n_item_slots, a, rg_lo16(b), rg_lo16(b));
        break;
    case RG_OP_ZERO_LOCALS:
        for (uint32_t l = a; l <= b; l++)
            P("l%u = 0; ", l);
        break;
    case RG_OP_SUB_LOCAL_ACC:
        P("{ rg_value r_; RGN_FAIL_IF(rgn_sub(s%d, l%u, &r_)); RGN_FAIL_IF(rgn_add(l%u, r_, &l%u)); }", t, a, b, b);
        break;
    case RG_OP_SUB_LOCALS_ACC:
        P("{ rg_value r_; RGN_FAIL_IF(rgn_sub(l%u, l%u, &r_)); RGN_FAIL_IF(rgn_add(l%u, r_, &l%u)); }", rg_hi16(a),
          rg_lo16(a), b, b);
        break;
    case RG_OP_LOCAL_COL_IF_SOME: { /* falling through, s<d> is above the stack: written either way */
        rg_rowcol rc = rg_rowcol_of(RG_OPK_ROWCOL, a);
        P("s%d = rgn_cell(l%u, %u); ", d, rc.local, rc.col);
        branch(g, off, b, "s%d != RG_NONE", d);
        break;
    }
    case RG_OP_LOCAL_COL_IN_SET: {
        rg_rowcol rc = rg_rowcol_of(RG_OPK_ROWCOL, a);
        P("{ rg_value v_ = rgn_cell(l%u, %u); s%d = ((uint64_t)v_ < 32) & (UINT32_C(%u) >> (v_ & 31)); }", rc.local,
          rc.col, d, b);
        break;
    }
    case RG_OP_JUMP_UNLESS_COL: {
        rg_rowcol rc = rg_rowcol_of(RG_OPK_ROWCOLV, a);
        branch(g, off, b, "rgn_cell(l%u, %u) != %u", rc.local, rc.col, rc.value);
        break;
    }
    case RG_OP_FIND_ILOCAL:
        P("{ rg_value k_; RGN_FAIL_IF(rgn_row_field(x, ");
        rowsrc(o, rg_hi16(b));
        P(", %u, %u, &k_)); l%u = rgn_find(x, %u, s%d, k_); }", p->n_item_slots, rg_lo16(a), rg_lo16(b), rg_hi16(a),
          t);
        break;
    case RG_OP_ITER_START:
        P("l%u = (rg_value)x->vm->list_first[%u] - 1; l%u = (rg_value)x->vm->list_first[%u] + x->vm->list_count[%u];",
          b, a, b + 1, a, a);
        break;
    case RG_OP_LOAD_ROW: P("s%d = ", d); rowsrc(o, a); P(";"); break;
    case RG_OP_ELEM_FIELD: P("RGN_FAIL_IF(rgn_row_field(x, s%d, %u, %u, &s%d));", t, p->n_item_slots, a, t); break;
    case RG_OP_ELEM_INDEX:
        P("if (s%d != RG_NONE) { RGN_FAIL_IF((uint64_t)s%d - x->vm->list_first[%u] >= x->vm->list_count[%u]); "
          "s%d -= x->vm->list_first[%u]; }",
          t, t, a, a, t, a);
        break;
    case RG_OP_ELEM_PREV:
        P("if (s%d != RG_NONE) { RGN_FAIL_IF((uint64_t)s%d - x->vm->list_first[%u] >= x->vm->list_count[%u]); "
          "s%d = s%d == x->vm->list_first[%u] ? RG_NONE : s%d - 1; }",
          t, t, a, a, t, t, a, t);
        break;
    case RG_OP_ADD_MONTHS: P("RGN_FAIL_IF(rg_cal_add_months(s%d, s%d, &s%d));", u, t, u); break;
    case RG_OP_MAKE_DATE:
        P("{ rg_value y_ = s%d, m_ = s%d, d_ = s%d; int64_t days_; RGN_FAIL_IF(y_ < 1 || y_ > RG_CAL_YEAR_MAX || m_ < 1 || m_ > 12 "
          "|| d_ < 1 || d_ > 31 || rg_cal_days_from_civil(y_, (unsigned)m_, (unsigned)d_, &days_) != 0); s%d = days_; }",
          d - 3, u, t, d - 3);
        break;
    case RG_OP_MONTH:
    case RG_OP_DAY:
        P("{ int64_t y_; unsigned m_, d_; rg_cal_civil_from_days(s%d, &y_, &m_, &d_); s%d = %s; }", t, t,
          in->op == RG_OP_MONTH ? "m_" : "d_");
        break;
    case RG_OP_TO_TEXT: P("s%d = x->h->to_text(x->vm, %u, s%d); RGN_FAIL_IF(s%d == RG_NONE);", t, a, t, t); break;
    case RG_OP_CONCAT:
        P("s%d = x->h->concat(x->vm, s%d == RG_NONE ? \"\" : (const char *)(intptr_t)s%d, s%d == RG_NONE ? \"\" : "
          "(const char *)(intptr_t)s%d); RGN_FAIL_IF(s%d == RG_NONE);",
          u, u, u, t, t, u);
        break;
    case RG_OP_FIELD_SOME: P("s%d = C[%u] != RG_NONE;", d, a); break;
    case RG_OP_JUMP_IF_FIELD_NONE: branch(g, off, b, "C[%u] == RG_NONE", a); break;
    case RG_OP_CALL_EXTERN:
    case RG_OP__COUNT:
        return -1; /* a host function need not be pure: its packs have no plans, and no native code */
    }
    return 0;
}
